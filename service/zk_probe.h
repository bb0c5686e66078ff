/*
 * zk_probe.h — is a ZooKeeper server alive on its client port, and what does
 * it say about itself?  ROLES.md `zookeeper.live`.
 *
 * The server answers the four-letter words `ruok`, `srvr` and `mntr` on its
 * client port, one word per TCP connection: it writes the reply and closes.
 * Since 3.5.3 only the words in `4lw.commands.whitelist` are answered (srvr
 * always is); any other gets "<word> is not executed because it is not in
 * the whitelist."
 *
 * zk_status.c parses the replies (pure functions over bytes); zk_probe.c
 * talks to the server on a libuv loop.
 */
#ifndef KAGENT_ZK_PROBE_H
#define KAGENT_ZK_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <uv.h>

#include "hw.h"

/* Largest reply read per word; a 3.8 leader's mntr is ~18 KiB plus ~0.7 KiB
 * per learner.  A longer reply is cut at its last complete line. */
#define ZK_REPLY_MAX (64 * 1024)

enum zk_state {
	ZK_UNKNOWN = 0, /* nothing asked yet */
	ZK_RUNNING,	/* answered a word as a serving server */
	ZK_NOT_RUNNING, /* nothing listens on the port */
	ZK_NOT_ALLOWED, /* every word asked was refused (whitelist) */
	ZK_ERROR,	/* listens but not serving, timeout, garbage */
};

struct zk_status {
	enum zk_state state;
	char reason[160]; /* why, for every state but RUNNING */
	bool imok;	  /* ruok answered imok: the process is up,
			   * not necessarily in a quorum */
	/* Which words the server answered rather than refused; false also
	 * when the word was not asked or got no reply. */
	bool ruok_allowed;
	bool srvr_allowed;
	bool mntr_allowed;
	char mode[16];	  /* leader follower standalone observer
			   * read-only; empty when unknown */
	char version[64]; /* release, build suffix cut: "3.8.0" */
	struct hw_num connections;
	struct hw_num outstanding;
	struct hw_num zxid;
	struct hw_num node_count;
	struct hw_num received; /* packets since the last reset */
	struct hw_num sent;
	struct hw_num latency_min_us; /* the server reports ms */
	struct hw_num latency_avg_us; /* rounded to 1 us */
	struct hw_num latency_max_us;
	/* mntr only */
	struct hw_num followers; /* learners seen by a leader */
	struct hw_num synced_followers;
	struct hw_num pending_syncs;
	struct hw_num open_fds;
	struct hw_num max_fds;
	struct hw_num ephemerals;
	struct hw_num watches;
	struct hw_num data_bytes; /* zk_approximate_data_size */
	/* The transaction log's fsync as the server times it, since its
	 * start: 3.6+ (zk_*_fsynctime); unknown before. */
	struct hw_num fsync_avg_us;
	struct hw_num fsync_max_us;
	struct hw_num fsync_count;
	/* fsyncs slower than fsync.warningthresholdms; 3.8's mntr does not
	 * print it (JMX only), so it is mostly unknown. */
	struct hw_num fsync_threshold_exceeded;
};

/* ---- zk_status.c: parsers of the replies ---- */

void zk_status_init(struct zk_status *st);
const char *zk_state_name(enum zk_state state);

/*
 * Each parser folds one reply into *st, so the three replies of one probe
 * accumulate.  A refusal by the whitelist is a valid reply (returns 0, the
 * word's *_allowed stays false).  The state only moves up the order
 * UNKNOWN < NOT_ALLOWED < RUNNING < ERROR: one word answered makes the
 * server RUNNING despite other refusals, and "not currently serving
 * requests" makes it ERROR whatever ruok said.  -EINVAL, with state ERROR
 * and the reason quoting the reply, when the reply is not that word's.
 */
int zk_parse_ruok(const char *buf, size_t len, struct zk_status *st);
int zk_parse_srvr(const char *buf, size_t len, struct zk_status *st);
int zk_parse_mntr(const char *buf, size_t len, struct zk_status *st);

/* Raises st->state to state (never lowers it) with a reason; a reason is
 * only replaced when the state rises. */
void zk_status_set(struct zk_status *st, enum zk_state state, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

/* ---- zk_probe.c: the client ---- */

#define ZK_HOST_MAX  256
#define ZK_ADDRS_MAX 8

struct zk_probe;
/* Called once, after every handle of the probe is closed: the probe's memory
 * may be freed or reused from inside the callback. */
typedef void (*zk_probe_cb)(struct zk_probe *p, const struct zk_status *st,
			    void *data);

/* Caller-owned; all fields are private to zk_probe.c. */
struct zk_probe {
	uv_loop_t *loop;
	uv_getaddrinfo_t gai;
	uv_tcp_t tcp;
	uv_connect_t connect;
	uv_write_t write;
	uv_timer_t timer;
	char host[ZK_HOST_MAX];
	int port;
	unsigned timeout_ms;
	struct sockaddr_storage addrs[ZK_ADDRS_MAX];
	size_t n_addrs;
	size_t addr; /* the address being tried or in use */
	size_t word; /* index of the word being asked */
	char *reply; /* ZK_REPLY_MAX bytes while running */
	size_t reply_len;
	int pending;	/* open handles and requests in flight */
	bool resolving; /* gai in flight */
	bool tcp_open;	/* tcp initialised and not yet closing */
	bool done;
	struct zk_status status;
	zk_probe_cb cb;
	void *data;
};

/*
 * Asks ruok, srvr and mntr of host:port, one connection each, within
 * timeout_ms in all.  host is an IPv4 or IPv6 literal or a name; the names'
 * addresses are tried in order until one accepts.  Returns 0 and calls cb
 * exactly once later, or a negative errno (bad argument, no memory) without
 * ever calling cb.
 */
int zk_probe_start(uv_loop_t *loop, struct zk_probe *p, const char *host,
		   int port, unsigned timeout_ms, zk_probe_cb cb, void *data);

/* The same on a private loop, blocking; for the CLI and one-shot checks.
 * 0 when the probe ran (the outcome is in *out), or a negative errno. */
int zk_probe_run(const char *host, int port, unsigned timeout_ms,
		 struct zk_status *out);

#endif
