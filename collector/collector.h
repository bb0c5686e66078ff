/*
 * collector.h — kcollectord: the agents' listener, the SQLite store, the
 * HTTP API and its JSON and Prometheus views.  One libuv loop; the loop and
 * everything that lives as long as it belong to struct collector.
 *
 * Severities in the store and in /metrics are enum check_severity (0 pass,
 * 1 info, 2 unknown, 3 warn, 4 fail); a report whose verdict is missing is
 * stored as -1 and shown as "unknown".
 *
 * The store's interface is declared in collector_store.h, the HTTP
 * requests' parser and router and the fleet page's files in
 * collector_http.h; this header includes both.
 */
#ifndef KAGENT_COLLECTOR_H
#define KAGENT_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <jansson.h>
#include <uv.h>

#include "acl.h"
#include "core_check.h"
#include "core_notify.h"
#include "coll.h"
#include "coll_limits.h"
#include "collector_http.h"
#include "collector_store.h"
#include "kafka_merge.h"
#include "proto.h"
#include "stream.h"
#include "tls.h"

/* ---- host_model.c: a stored Report as the fleet judgement sees it ---- */

/* A host id as the protocol allows it: 1 to 63 printable ASCII bytes,
 * no space. */
bool coll_host_id_valid(const char *s);
/* kagent.v1.Severity → enum check_severity; -1 for UNSPECIFIED or a value
 * this version does not know. */
int coll_severity_from_proto(int sev);
/* Decodes a stored Report (lists into l, which may be NULL) as the views
 * show it: every string made well-formed UTF-8 (proto_report_repair), so
 * that a report stored before the listener checked them cannot break a
 * JSON or Prometheus answer. */
int coll_report_decode(const uint8_t *p, size_t n, kagent_v1_Report *out,
		       struct proto_lists *l, struct hw_err *err);
/* Silent for more than three report intervals; an interval of 0 (not
 * announced) counts as the agent's default of 60 s. */
bool coll_host_is_stale(int64_t last_seen_ms, uint32_t interval_s,
			int64_t now_ms);
/* Report → struct coll_host. */
void coll_host_from_report(const kagent_v1_Report *r, int64_t last_seen_ms,
			   int64_t now_ms, struct coll_host *out);
/* host_lldp.c: h's switches and lldp_reason from the report's NICs (l
 * NULL or empty: none, with a reason). */
void coll_host_switches(const kagent_v1_Report *r, const struct proto_lists *l,
			struct coll_host *h);
/* The report's checks as check results (for the store and the views);
 * -ENOMEM.  A check id and instance the report repeats gives one result,
 * the worst (the first of equally bad ones): ids and instances name a
 * series in /metrics and a row of check_state, and an agent whose two
 * roles both lack their NIC does report nic.downshift twice. */
int coll_checks_from_report(const struct proto_lists *l,
			    struct check_results *out);

/* Every stored host decoded, for the views. */
struct coll_fleet_host {
	struct coll_host h;
	int verdict; /* -1: the report had none */
	uint64_t last_seq;
	uint32_t interval_s;
	/* Its share of the live Kafka metadata (kafka_view.h), NULL when
	 * the report carries none. */
	struct kv_share *kafka;
};

struct coll_fleet {
	struct coll_fleet_host *v;
	size_t n;
	char (*clusters)[64]; /* distinct, sorted */
	size_t n_clusters;
	bool stale; /* read while the database was unreachable: the last
		       whole read (coll_store_stale) */
	/* The thresholds the cluster is judged with: the defaults from
	 * coll_fleet_load, kcollectord's [fleet] set by whoever loads. */
	struct coll_fleet_thresholds th;
};

/* One stored row decoded (r and l are scratch): 0, 1 when its report does
 * not decode (the host is named by the row's columns alone), -ENOMEM
 * (out->kafka may then need kafka_share_free). */
int coll_fleet_host_decode(const struct coll_store_row *row,
			   kagent_v1_Report *r, struct proto_lists *l,
			   int64_t now_ms, struct coll_fleet_host *out);
/* f->clusters from f->v: distinct, sorted.  -ENOMEM. */
int coll_fleet_clusters(struct coll_fleet *f);
/* Loads and decodes every stored host at once, without the fleet cache
 * (fleet_cache.h), which the collector's own views read.  -ENOMEM, -EIO. */
int coll_fleet_load(struct coll_store *s, int64_t now_ms,
		    struct coll_fleet *out);
void coll_fleet_free(struct coll_fleet *f);
/* The coll_host array coll_fleet_judge takes (n = f->n); free() it. */
struct coll_host *coll_fleet_hosts(const struct coll_fleet *f);

/* kafka_view_build.c: judges cluster (coll_fleet_judge_kafka) with the
 * Kafka view built from f, hosts being coll_fleet_hosts(f).  0, -ENOMEM. */
int coll_judge_cluster(const struct coll_fleet *f, const struct coll_host *hosts,
		       const char *cluster, struct check_results *out);

/* ---- conn.c, server.c: the agents' listener ---- */

enum coll_reject {
	COLL_REJECT_BAD_FRAME, /* does not decode */
	COLL_REJECT_OVERSIZED,
	COLL_REJECT_TRUNCATED, /* closed inside a frame */
	COLL_REJECT_PROTOCOL,  /* a message out of turn, a bad version */
	COLL_REJECT_IDENTITY,  /* bad host id, not the hello's or not the
				  certificate's */
	COLL_REJECT_TLS,       /* handshake failed: no, foreign or expired
				  certificate */
	COLL_REJECT_ACL,       /* a report into a cluster the ACL denies */
	COLL_REJECT_UTF8,      /* a string that is not UTF-8 (proto3) */
	COLL_REJECT_SEQ,       /* a seq above PROTO_SEQ_MAX */
	COLL_REJECT_HELD,      /* partial frames above max_partial_bytes, in
				  all or of its identity */
	COLL_REJECT_N,
};

const char *coll_reject_name(enum coll_reject r);

struct coll_counters {
	uint64_t duplicates; /* acked, not stored again */
	uint64_t seq_gaps;   /* seqs skipped between two stored reports */
	uint64_t seq_resets; /* hellos of an agent behind its stored seq */
	uint64_t rejected[COLL_REJECT_N];
	uint64_t accepted;    /* agent connections */
	uint64_t connections; /* open now */
	uint64_t http_requests;
	uint64_t http_forbidden; /* answered 403 */
	uint64_t reloads;	 /* SIGHUPs that took effect */
	uint64_t reload_failures;
	/* Reports' Kafka partition lists, by what became of them. */
	uint64_t kafka_lists[KAFKA_MERGE_N];
	bool insecure; /* plaintext by --insecure */
	/* Per port: refusals, timeouts, pending (listener.c). */
	const struct coll_listen_counters *port[COLL_PORT_N];
	const struct coll_held *held;
};

/* How kcollectord is told to run: flags over its configuration file. */
#define COLL_CONF_STR_MAX 4096

struct coll_config {
	char listen[256];
	char http[256];
	char db[COLL_CONF_STR_MAX];
	char tls_ca[COLL_CONF_STR_MAX];
	char tls_cert[COLL_CONF_STR_MAX];
	char tls_key[COLL_CONF_STR_MAX];
	char acl[COLL_CONF_STR_MAX]; /* "": no ACL file */
	bool insecure;
	/* config_limits.c: what a flood may take */
	char user[64]; /* started as root, kcollectord becomes this user */
	unsigned handshake_timeout_ms; /* TLS handshake and hello */
	unsigned http_timeout_ms;      /* a whole request */
	unsigned max_pending;	       /* not yet authenticated, per port */
	unsigned max_pending_per_address;
	uint64_t max_partial_bytes; /* of partial frames, in all */
	uint64_t max_partial_bytes_per_identity;
	/* config_fleet.c: [fleet], the fleet checks' thresholds */
	struct coll_fleet_thresholds fleet;
};

/* Defaults for every field (TLS on, no certificate yet). */
void coll_config_defaults(struct coll_config *cfg);
/* Reads the INI file path ([collector] listen, http, db, tls_ca, tls_cert,
 * tls_key, acl, insecure) over cfg.  On error err reads "PATH:LINE: what
 * is wrong" (or "PATH: why" when it cannot be read). */
int coll_config_load(const char *path, struct coll_config *cfg, char *err,
		     size_t errlen);
/* A reload (SIGHUP) read next while run is in use: listen, http, db,
 * user and insecure, which need a restart, get run's value back when they
 * differ, and their names go to keys (", " between, cut to len).
 * Returns how many. */
int coll_config_restart_keep(const struct coll_config *run,
			     struct coll_config *next, char *keys, size_t len);
/* The limits that differ, "max_pending 256 -> 4, http_timeout 10 -> 3"
 * (seconds, counts, bytes as the file writes them) in out; how many. */
int coll_config_limits_diff(const struct coll_config *was,
			    const struct coll_config *now, char *out,
			    size_t len);
/* Appends "KEY A -> B" to out (", " after the first of n, cut to len)
 * when a and b differ; the new count (config_limits.c). */
int coll_config_diff_add(char *out, size_t len, int n, const char *key,
			 long long a, long long b);
/* The limits' and the user's defaults (coll_config_defaults sets them). */
void coll_config_limits_defaults(struct coll_config *cfg);
/* key (handshake_timeout, http_timeout, max_pending,
 * max_pending_per_address, max_partial_bytes,
 * max_partial_bytes_per_identity, user) = v: 1 set, 0 bad value (msg
 * says why), -1 not one of these keys. */
int coll_config_limit_set(struct coll_config *cfg, const char *key,
			  const char *v, char *msg, size_t msglen);
/* [fleet] key = v (config_fleet.c): 1 set, 0 bad key or value (msg
 * says why, naming the key and its range). */
int coll_config_fleet_set(struct coll_config *cfg, const char *key,
			  const char *v, char *msg, size_t msglen);
/* The [fleet] thresholds that differ, "kafka.cluster.size.fail_below
 * 3 -> 4" in out; how many. */
int coll_config_fleet_diff(const struct coll_config *was,
			   const struct coll_config *now, char *out,
			   size_t len);
/* TLS needs the three files and an ACL; plaintext needs insecure.  err
 * names what is missing. */
int coll_config_check(const struct coll_config *cfg, char *err, size_t errlen);

struct coll_conn;
TAILQ_HEAD(coll_conn_q, coll_conn);
struct coll_http_conn;
TAILQ_HEAD(coll_http_q, coll_http_conn);

struct collector {
	uv_loop_t *loop;
	struct coll_store *store;
	struct coll_listener agents;
	struct coll_listener http;
	struct coll_held held; /* partial frames of the agents */
	uv_check_t flush;
	uv_timer_t judge;
	uv_idle_t judge_step; /* the judge's refresh, a slice a turn */
	uv_signal_t sigint;
	uv_signal_t sigterm;
	uv_signal_t sighup;
	/* The security of both listeners: the TLS context new connections
	 * start with (a connection keeps its own across a reload) and the
	 * ACL, both replaced whole on SIGHUP and only when the new one
	 * loads. */
	struct coll_config cfg;
	struct proto_tls tls; /* ctx NULL when insecure */
	struct acl acl;
	bool have_acl;
	/* HTTP connections whose first byte has not arrived yet: it tells a
	 * TLS ClientHello (0x16) from a plaintext request. */
	uv_timer_t http_sniff;
	unsigned http_sniffing;
	/* Shared by every connection: reads are consumed within the read
	 * callback, decoding finishes before the next frame. */
	uint8_t *rbuf;
	size_t rbuf_len;
	kagent_v1_Envelope *env;
	struct proto_lists lists;
	struct check_results scratch;
	/* Connections with an ack waiting for the batch to be committed. */
	struct coll_conn_q ack_q;
	/* Open HTTP connections, for the timer that closes them once their
	 * answer is on the wire or they are too slow to ask. */
	struct coll_http_q http_q;
	uv_timer_t http_reap;
	struct coll_counters ctr;
	int64_t started_ms;
	bool stopping;
	/* The service manager (notify.c): READY, RELOADING, STOPPING,
	 * STATUS and the watchdog, fed by a timer of this loop so that a
	 * loop that hangs stops feeding it. */
	struct core_notify notify;
	uv_timer_t t_notify;
	/* How a reload reads the configuration: main's defaults, file and
	 * flags, as at start.  NULL: the certificates and ACL of cfg again. */
	int (*config_read)(void *arg, struct coll_config *out, char *err,
			   size_t errlen);
	void *config_arg;
};

/* Loads the TLS context and the ACL of cfg (checked with
 * coll_config_check), binds both listeners; err names the file or address
 * that failed. */
int coll_init(struct collector *c, uv_loop_t *loop, struct coll_store *store,
	      const struct coll_config *cfg, char *err, size_t errlen);
/* The TLS context and the ACL of c->cfg (security.c), before any socket:
 * a collector that cannot authenticate must not listen. */
int coll_security_init(struct collector *c, char *err, size_t errlen);
/* SIGHUP (reload.c): the configuration read again through config_read
 * (the file, then the command line's flags over it), its limits,
 * timeouts, certificates and ACL loaded; all of it takes effect, or
 * nothing does and err says why.  Keys that need a restart keep their
 * running value (named in *restart, "" when none).  Connections already
 * up keep their TLS context. */
int coll_reload(struct collector *c, char *restart, size_t restartlen,
		char *err, size_t errlen);
/* SIGHUP's whole course: RELOADING=1, coll_reload, one log line of what
 * changed or why nothing did, READY=1. */
void coll_reload_signal(struct collector *c);
/* May the host report into cluster?  identity is the certificate's (the
 * hello's host id when insecure).  Without an ACL (insecure only) yes. */
bool coll_may_report(const struct collector *c, const char *identity,
		     const char *cluster);
/* May an HTTP client read?  identity NULL for a plaintext client. */
bool coll_may_read(const struct collector *c, const char *identity,
		   bool is_loopback);
/* May an HTTP client forget hosts?  Only a certificate an `admin` rule
 * names; never without an ACL. */
bool coll_may_admin(const struct collector *c, const char *identity);
/* notify.c: coll_init connects to the service manager ($NOTIFY_SOCKET)
 * before the privilege drop and the filter; once serving, main says
 * READY=1 and starts the watchdog and STATUS timer. */
void coll_notify_open(struct collector *c);
void coll_notify_ready(struct collector *c);
/* The one-line state for STATUS= and the start line. */
void coll_notify_status(struct collector *c);
/* kcollectord -t (config_test.c): the TLS context and the ACL loaded as
 * at start, the database's folder looked at, nothing bound nor written.
 * Says what it found on stdout; 0 when it would start, 1 and the reason
 * logged when not.  config is the file read, or NULL. */
int coll_config_test(const struct coll_config *cfg, const char *config);
/* Closes every handle; run the loop afterwards to let them go. */
void coll_stop(struct collector *c);
void coll_free(struct collector *c);
int64_t coll_now_ms(void);
int coll_server_start(struct collector *c, const struct sockaddr *addr);
/* After a turn's reads: commits the batch, then sends its acks. */
void coll_flush(struct collector *c);
/* An agent's connection whose bytes the caller hands to coll_conn_feed
 * instead of a socket (tests/fuzz/fuzz_conn.c); acks and errors are
 * written to fd, a descriptor the caller opened (a pipe).  identity
 * stands for the TLS certificate's.  NULL when it cannot be set up. */
struct coll_conn *coll_conn_attach(struct collector *c, int fd,
				   const char *identity);
void coll_conn_feed(struct coll_conn *k, const uint8_t *buf, size_t len);

/* ---- conn.c, conn_msg.c: one agent's connection ---- */

struct coll_conn {
	struct proto_stream st;
	struct proto_framer fr;
	struct coll_pending pend; /* until the hello */
	uint64_t held;		  /* bytes of its partial frame counted */
	char addr[48];		  /* the peer's, without the port */
	struct collector *c;
	TAILQ_ENTRY(coll_conn) ack_link;
	uint64_t ack_seq;    /* highest seq to acknowledge after the commit */
	uint64_t stored_seq; /* the host's last stored seq, from the hello on */
	bool ack_queued;
	bool hello;
	bool rejected;
	/* The hello asked for a window: its ack carries the one accepted. */
	bool window_answer;
	struct proto_window win; /* reports received, not yet acked */
	/* Set by the frame callback, reported once the framer stops. */
	enum coll_reject reject;
	int err_code;
	char why[160];
	char host_id[64];
	char identity[PROTO_TLS_ID_MAX]; /* the certificate's, "" plaintext */
	char peer[56];
	struct kafka_merge *kafka; /* its last whole Kafka list; NULL none */
};

/* The agents' listener callbacks (coll_server_start sets them): fd
 * admitted, counted pending until its hello; no hello within
 * handshake_timeout. */
void coll_conn_accept(struct coll_listener *l, int fd, const uint8_t addr[16]);
void coll_conn_expire(struct coll_listener *l, struct coll_pending *p);
/* The framer's callback for one whole frame of an agent (conn_msg.c):
 * 0, or negative with k->reject, k->err_code and k->why set
 * (k->reject COLL_REJECT_N when it is not the peer's fault). */
int coll_conn_frame(void *arg, const uint8_t *p, size_t n);
/* The largest window a connection is given: enough reports in flight to
 * keep a round trip and a commit busy, few enough that a connection's
 * unread reports stay a small part of its socket buffer. */
#define COLL_WINDOW_MAX 256u

/* ---- api.c: JSON views ---- */

/* {clusters:[{name,verdict,checks:[...]}], hosts:[...], stale}; NULL on
 * allocation failure.  last_seen is ISO 8601 UTC with milliseconds. */
json_t *coll_api_fleet(const struct coll_fleet *f);
/* The same for GET /api/fleet, from the store's fleet cache
 * (fleet_cache.h); NULL when the store cannot be read or on allocation
 * failure. */
json_t *coll_api_fleet_cached(struct coll_store *s, int64_t now_ms);
/* The stored report of one host as JSON. */
json_t *coll_api_host(const struct coll_store_row *row,
		      const kagent_v1_Report *r, const struct proto_lists *l,
		      int64_t now_ms);
/* {host_id, limit, history:[{check_id, instance, severity, time}]}: the
 * host's newest `limit` check changes, oldest first; NULL on allocation
 * failure, *rc -EIO when the store cannot be read. */
json_t *coll_api_history(struct coll_store *s, const char *host_id,
			 int64_t limit, int *rc);
/* api_kafka.c: GET /api/clusters/CLUSTER/kafka, the cluster's Kafka view
 * (kafka_view.h) as JSON; *status 200, 404 for a cluster no host names,
 * 500 when the store cannot be read. */
json_t *coll_api_kafka(struct coll_store *s, const char *cluster, int *status);
struct kafka_view;
json_t *coll_api_kafka_view(const struct kafka_view *v);
/* The index page at / (index.c): plain HTML, NUL-terminated. */
extern const char coll_index_html[];

/* "2024-05-31T16:08:37.000Z" */
void coll_fmt_time(char *buf, size_t len, int64_t ms);

/* ---- metrics.c, metrics_host.c: the Prometheus text exposition ---- */

struct prom_buf;
/* One host's series of the families its report alone gives (every family
 * but the row's own: verdict, stale, seen, interval), rendered once when
 * the report is decoded (fleet_cache.c).  r NULL: the report does not
 * decode, only its info series is written.  -ENOMEM. */
struct coll_host_series;
int coll_metrics_host_series(const char *host, const kagent_v1_Report *r,
			     const struct proto_lists *l,
			     struct coll_host_series **out);
void coll_host_series_free(struct coll_host_series *hs);
/* What family i (0, 1, ... until -ENOENT) is: its name and help, and
 * whether its series come from the report or from a column of the row. */
enum {
	COLL_MF_REPORT,
	COLL_MF_VERDICT,
	COLL_MF_STALE,
	COLL_MF_SEEN,
	COLL_MF_INTERVAL,
};
int coll_metrics_family(int i, const char **name, const char **help);
/* Family i's series in hs; their length. */
size_t coll_host_series_get(const struct coll_host_series *hs, int i,
			    const char **p);
/* metrics.c: the series of every host of f (series[i] is f->v[i]'s),
 * family by family, appended to out.  -ENOMEM. */
int coll_metrics_hosts(const struct coll_fleet *f,
		       struct coll_host_series *const *series,
		       struct prom_buf *out);

/* Every family with its HELP and TYPE lines, series of one family
 * together, the clusters judged with th (NULL: the defaults); *out is
 * malloc'ed.  -ENOMEM, -EIO. */
int coll_metrics_render(struct coll_store *s, const struct coll_counters *ctr,
			const struct coll_fleet_thresholds *th,
			int64_t now_ms, char **out, size_t *len);

#endif
