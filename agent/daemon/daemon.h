/*
 * daemon.h — kagentd: one libuv loop that schedules reports, keeps them in
 * the spool (on disk, or in memory while the connection is up and the ack
 * is not late) until the collector acknowledges them, and serves the
 * local status; its jobs (gather, judge, build and encode a report, a
 * health digest, a SMART refresh) run on libuv's thread pool; and the
 * prober, a child process that holds the capabilities and only reads,
 * answering a fixed set of requests over a socketpair.
 *
 * The loop's process needs no privilege once the prober is forked: it
 * reads what it may itself and asks the prober for the rest (a root-only
 * file's descriptor, a disk's raw SMART bytes), and parses all of it.
 *
 * The connection to the collector is declared in daemon_uplink.h, which
 * this header includes.
 */
#ifndef KAGENT_DAEMON_H
#define KAGENT_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <uv.h>

#include "async_probe.h"
#include "board.h"
#include "check.h"
#include "conf.h"
#include "daemon_uplink.h"
#include "facts.h"
#include "facts_cache.h"
#include "health.h"
#include "hostport.h"
#include "kafka_poll.h"
#include "nvme.h"
#include "proto.h"
#include "smart_ata.h"
#include "stream.h"
#include "tls.h"
#include "zk_probe.h"

/* ---- spool.c: reports waiting for the collector's ack ---- */

/* One report frame on disk, spool/<seq, 20 digits>.frame, or held in
 * memory (mem) while its ack is awaited. */
struct spool_entry {
	uint64_t seq;
	size_t len;
	uint8_t *mem;     /* NULL: on disk */
	int64_t held_ms;  /* when it was held, monotonic */
};

struct spool {
	char dir[PATH_MAX];
	uint64_t max_bytes;
	uint64_t last_seq;    /* highest seq ever spooled (spool/state) */
	uint64_t dropped;     /* reports deleted unsent to stay in max_bytes */
	uint64_t corrupt;     /* files unreadable or failing their checksum,
			       * at open or when read to send, removed */
	char corrupt_why[256]; /* the first of them, for the log */
	/* Reports lost because the spool could not be written (disk full,
	 * read-only): counted, and logged once per episode (failing). */
	uint64_t lost;
	bool failing;
	char fail_why[256];
	/* Acked seqs whose files could not be removed yet (read-only
	 * spool): retried on every ack and write.  lo > hi: none. */
	uint64_t undeleted_lo, undeleted_hi;
	/* After spool_renumber: a report numbered before it, at most this
	 * seq (the prober may be making one), is renumbered when spooled. */
	uint64_t stale_max;
	uint64_t bytes;
	struct spool_entry *v; /* in seq order */
	size_t n;
	size_t cap;
	size_t n_held;         /* entries in memory */
};

#define SPOOL_STATE_FILE "state"
/* A buffer for spool_read: a frame, the file's header, and room to see
 * a longer file and core_read_file's NUL. */
#define SPOOL_BUF_MAX (PROBER_BODY_MAX + 8 + 2)
/* A held report whose ack has not come after this long is written to
 * disk: what a crash of kagentd can lose is at most this window. */
#define SPOOL_HOLD_MS 5000

/* Opens dir (which must exist), removes leftovers of interrupted writes,
 * loads the frames in seq order and the state.  A frame that is not a
 * whole Report envelope with the seq of its name is removed and counted in
 * corrupt, never resent.  -errno with err naming the file. */
int spool_open(struct spool *s, const char *dir, uint64_t max_bytes,
	       struct hw_err *err);
void spool_close(struct spool *s);
/* Writes frame (length prefix included) as the report seq, which must be
 * above last_seq: tmp file, fsync, rename, fsync of the directory.  The
 * oldest reports are deleted first, and counted, when the bound would be
 * passed.  -EFBIG when the frame alone exceeds it. */
int spool_append(struct spool *s, uint64_t seq, const uint8_t *frame,
		 size_t len, struct hw_err *err);
/* Like spool_append, but the frame stays in memory (copied) and the state
 * file is rewritten without fsync: the report is about to be sent on a
 * connection that is up, and in the usual case its ack comes before it
 * could be lost.  spool_flush writes it to disk when the ack does not
 * come (the connection closed, the hold lasted too long, the agent
 * stops).  A crash of kagentd loses what is held at that moment. */
int spool_hold(struct spool *s, uint64_t seq, const uint8_t *frame,
	       size_t len, int64_t now_ms, struct hw_err *err);
/* Writes every held entry held at or before cutoff_ms to disk as
 * spool_append does, then the state with fsync.  INT64_MAX: all of them.
 * On error the entries not written stay held and err says why. */
int spool_flush(struct spool *s, int64_t cutoff_ms, struct hw_err *err);
/* The collector has every report up to seq: deletes them. */
int spool_ack(struct spool *s, uint64_t seq, struct hw_err *err);
/* Reads entry idx into buf (SPOOL_BUF_MAX is enough for any).  -EBADMSG when
 * its file fails its checksum: spool_drop_corrupt it and go on. */
int spool_read(const struct spool *s, size_t idx, uint8_t *buf, size_t cap,
	       size_t *len, struct hw_err *err);
/* Removes entry idx, whose file is damaged, counts it in corrupt and
 * logs one line with why. */
void spool_drop_corrupt(struct spool *s, size_t idx, const char *why);
/* Writes the state (last_seq, dropped) durably. */
int spool_state_sync(struct spool *s, struct hw_err *err);

/* ---- spool_health.c: a spool that cannot be written ---- */

/* The report seq could not be spooled: counted in lost; the first of an
 * episode is logged. */
void spool_report_lost(struct spool *s, uint64_t seq, const char *why);
/* A write failed without losing a report (it stays in memory): logged
 * once per episode. */
void spool_io_failed(struct spool *s, const char *why);
/* A write succeeded: ends an episode (logged, with the count lost) and
 * retries removing acked files left behind. */
void spool_io_ok(struct spool *s);
/* An acked file that could not be removed: remembered for a retry. */
void spool_undeleted_note(struct spool *s, uint64_t seq);
void spool_undeleted_retry(struct spool *s);

/* ---- spool_renumber.c: the collector is ahead of this spool ---- */

/* Gives every entry a new seq from first on, in order (the files are
 * rewritten, each frame's Report.seq too), sets last_seq to the last of
 * them (first - 1 when empty) and saves the state.  Used when the
 * collector has stored seqs this spool never made: the spool was lost.
 * An entry that cannot be rewritten on disk stays in memory, held. */
int spool_renumber(struct spool *s, uint64_t first, struct hw_err *err);
/* frame (len bytes) with its Report.seq set to seq, in *out (malloc'd,
 * *outlen bytes).  -EBADMSG when frame is not a Report. */
int spool_frame_reseq(const uint8_t *frame, size_t len, uint64_t seq,
		      uint8_t **out, size_t *outlen, struct hw_err *err);
/* For spool_append and spool_hold: a report numbered before the last
 * renumbering gets the next seq.  *owned (free it) holds the new frame
 * when it did. */
int spool_stale_fix(struct spool *s, uint64_t *seq, const uint8_t **frame,
		    size_t *len, uint8_t **owned, struct hw_err *err);

/* ---- report_build.c: facts and results into one Report ---- */

/* SMART facts of one disk as the prober last read them. */
struct report_smart {
	char disk[HW_DISKNAME_MAX];
	struct disk_health health;
	bool ata_known;
	struct hw_ata_smart ata;
	bool nvme_known;
	struct hw_nvme_health nvme;
};

struct report_input {
	const char *host_id;
	const struct facts *facts;
	const struct check_results *checks;
	const struct board_dmi *dmi;         /* NULL: not read */
	const struct board_sensors *sensors; /* NULL: sensors_why says why */
	const char *sensors_why;
	const struct report_smart *smart;
	size_t n_smart;
	uint64_t seq;
	int64_t timestamp_ms;
	uint32_t interval_s;
	/* The loop's kept Kafka metadata (kafka_poll.h), NULL when none;
	 * kafka_seen its age or why there is none. */
	const struct kafka_meta *kafka;
	struct async_seen kafka_seen;
	/* What was last sent of the partition list; NULL: send it whole. */
	struct kafka_delta *kafka_delta;
};

/* What this host adds to the cluster's metadata: its broker's id, the
 * min.insync.replicas default of its server.properties and the sizes of
 * its partition directories. */
struct kafka_live_local {
	int32_t broker_id;
	bool broker_id_known;
	struct hw_num min_isr;
	/* This broker's partition directories per topic; NULL when the log
	 * dirs were not all read (the sizes are then unknown). */
	const struct kafka_topic_sizes *sizes;
};

/* kafka_report.c: Report.kafka_live from m (NULL: none yet, seen says
 * why), this broker's share within PROTO_KAFKA_BYTES_MAX; returns what it
 * clipped. */
unsigned kafka_report_fill(const struct kafka_meta *m,
			   const struct async_seen *seen,
			   const struct kafka_live_local *loc,
			   struct kafka_delta *d, kagent_v1_KafkaLive *out,
			   struct proto_lists *l);

/* Fills out (zeroed first) and l, binding l to out for the encoder.
 * -ENOMEM; anything that did not fit is counted in out->clipped. */
int report_build(const struct report_input *in, kagent_v1_Report *out,
		 struct proto_lists *l);
/* Reads root's etc/machine-id and proc/sys/kernel/hostname, "" when
 * absent. */
void report_host_names(const char *root, char *hostname, size_t hlen,
		       char *machine_id, size_t mlen);

/* ---- report_job.c: what the unprivileged side gathers and builds ---- */

/* The loop's jobs, one at a time, each run on libuv's thread pool: the
 * gathering blocks on files and on round trips to the prober. */
enum agent_job {
	JOB_FULL = 1,          /* body job_full_req; reply a frame */
	JOB_HEALTH = 2,        /* reply job_health */
	JOB_SMART_REFRESH = 3, /* reply empty once read */
};

struct job_full_req {
	uint64_t seq;
	int64_t timestamp_ms;
	uint32_t interval_s;
	/* The loop's last ZooKeeper probe (async_probe.h); zk is valid
	 * when zk_meta.have. */
	struct async_meta zk_meta;
	struct zk_status zk;
	/* The loop's kept Kafka metadata, a reference the loop gives back
	 * when the job ends (kafka_poll.h); NULL when none. */
	struct async_meta kafka_meta;
	struct kafka_snap *kafka;
	struct kafka_delta *kafka_delta; /* kafka_poll_delta's */
	/* agent.tls.expiry's certificate, read on the loop. */
	uint32_t tls_cert_read; /* 1: the two below are set */
	int32_t tls_cert_rc;    /* proto_tls_file_expiry's */
	int64_t tls_cert_not_after;
};

/* status is 0 or a negative errno; then the body is a message. */
struct prober_reply_hdr {
	uint32_t code;
	int32_t status;
	uint32_t len;
};

/* Cheap state whose change triggers a report now. */
struct job_health {
	uint64_t digest; /* links (state, carrier, speed), sensor alarms */
	int32_t zk_port; /* where the parent probes ZooKeeper; 0: no role */
	char zk_host[ZK_HOST_MAX];
	/* The Kafka listener the loop asks for metadata, from
	 * server.properties; "" none. */
	char kafka_bootstrap[KAFKA_BOOTSTRAP_MAX];
};

#define PROBER_BODY_MAX (PROTO_FRAME_HDR + PROTO_FRAME_MAX)

struct report_job;
struct prober_client;
/* The job state that lives across jobs (facts cache, libsensors, SMART of
 * the last refresh), reading through pc. */
struct report_job *report_job_new(const struct conf *conf, const char *host_id,
				  struct prober_client *pc);
void report_job_free(struct report_job *j);
/* A reload: the next job reads conf (root unchanged, conf_restart_keep);
 * only between jobs, on the loop. */
void report_job_reconf(struct report_job *j, const struct conf *conf);
/* The jobs read the links again only when e's generation moved (e stays
 * the loop's; NULL or unwatched: every job reads them). */
struct events_link;
void report_job_watch_links(struct report_job *j,
			    const struct events_link *e);
/* The jobs read mountinfo again only when e's generation moved (e stays
 * the loop's; NULL or unwatched: every job reads it). */
struct events_mounts;
void report_job_watch_mounts(struct report_job *j,
			     const struct events_mounts *e);
/* Runs job code (q for JOB_FULL) and leaves its answer in *rh and body
 * (PROBER_BODY_MAX).  rh->status -PROBER_RESTARTED: a round trip to the
 * prober was answered so (the watchdog replaced its worker); -EPIPE or
 * -ETIMEDOUT: the prober is gone or stuck. */
void report_job_run(struct report_job *j, uint32_t code,
		    const struct job_full_req *q, struct prober_reply_hdr *rh,
		    uint8_t *body);

/* ---- prober.c: the child that reads ---- */

/* The prober's whole request set.  Each request names the job it serves
 * (the watchdog's messages say which), each answer is bounded. */
enum prober_code {
	PROBER_PING = 1,     /* no body; empty reply: still answering */
	PROBER_OPEN = 2,     /* prober_open_req; the fd rides the reply */
	PROBER_ATA = 3,      /* devnode; reply struct hw_ata_raw */
	PROBER_NVME = 4,     /* controller node; reply the 512-byte log */
	PROBER_SMARTCTL = 5, /* devnode; reply smartctl's JSON */
	/* prober_raid.c: the disks behind RAID controllers */
	PROBER_SMARTCTL_SCAN = 6,  /* no body; `smartctl --scan-open` */
	PROBER_SMARTCTL_TYPED = 7, /* "TYPE\0NODE\0"; `smartctl -d TYPE` */
};
#define PROBER_CODE_MAX PROBER_SMARTCTL_TYPED

/* ---- report_raid.c: Disk.raid_members from the facts ---- */

struct proto_list;
/* Each logical disk's members (f->inv.raid) into the report's disks;
 * returns how many strings or members were cut. */
unsigned report_fill_raid(const struct facts *f, struct proto_list *disks);

/* ---- prober_raid.c: the two RAID requests, answered from a cache ---- */

struct hw_smartctl_cache;
/* The prober's cache for conf's [smart] raid_cache and timeout; NULL
 * when out of memory. */
struct hw_smartctl_cache *prober_raid_cache_new(const struct conf *conf);
void prober_raid_cache_free(struct hw_smartctl_cache *c);
/* Answers PROBER_SMARTCTL_SCAN or PROBER_SMARTCTL_TYPED (body, len as
 * received): 0 and *json (free() it), or a negative errno with msg. */
int prober_raid_answer(struct hw_smartctl_cache *c, uint32_t code,
		       const char *body, size_t len, char **json,
		       size_t *jlen, char *msg, size_t cap);

struct prober_req_hdr {
	uint32_t code;
	uint32_t job; /* enum agent_job, for the messages */
	uint32_t len; /* of the body that follows */
};

struct prober_open_req {
	uint32_t flags; /* 0 or O_DIRECTORY */
	char path[PATH_MAX]; /* NUL-terminated; only that much is sent */
};

/* The largest request body, the largest error message. */
#define PROBER_REQ_MAX (sizeof(struct prober_open_req))
#define PROBER_MSG_MAX 512
/* The largest answer to code on success; 0 for an unknown code. */
size_t prober_answer_max(uint32_t code);
/* The largest body of a reply with status (an error is a message). */
size_t prober_reply_max(uint32_t code, int32_t status);

/* Serves requests on fd until the parent closes it; returns 0 then, or a
 * negative errno when the socket fails.  conf.agent gives the root and
 * the configured services' paths that make the allow-list. */
int prober_serve(int fd, const struct conf *conf);

/* ---- prober_watch.c: the prober's watchdog ---- */

/* What the watchdog may take beyond prober_timeout to kill, reap and fork
 * before the loop gives it up. */
#define PROBER_WATCH_SLACK_S 15
/* The status of a request whose worker the watchdog replaced; no probe
 * answers it, so a smartctl that timed out is not taken for a restart. */
#define PROBER_RESTARTED EOWNERDEAD
/* Serves requests on fd as prober_serve does, through a worker forked
 * from here and forked again when it does not answer a request within
 * conf.agent.prober_timeout_s (or dies); that request is answered
 * -PROBER_RESTARTED with the reason.  Returns 0 when the parent closes
 * fd. */
int prober_watch(int fd, const struct conf *conf);

/* ---- control.c: the local status socket ---- */

struct control;
/* The JSON reply to "status"; NULL on allocation failure. */
typedef char *(*control_status_fn)(void *arg);

struct control_client;

/* A client must send its request and read the answer within this. */
#define CONTROL_CLIENT_MS 3000
/* At this many clients the oldest idle one is closed for a new one. */
#define CONTROL_CLIENTS_MAX 16

struct control {
	uv_pipe_t server;
	char path[108];
	control_status_fn status;
	void *arg;
	unsigned clients;
	TAILQ_HEAD(, control_client) list; /* oldest first */
	uint64_t timed_out;  /* clients closed by CONTROL_CLIENT_MS */
	uint64_t evicted;    /* idle ones closed to make room */
	bool listening;
};

/* Listens on path (mode 0660) after removing a stale socket; -EADDRINUSE
 * when a live server answers there. */
int control_start(uv_loop_t *loop, struct control *c, const char *path,
		  control_status_fn status, void *arg, char *why, size_t whylen);
void control_stop(struct control *c);
/* The "tls" member of the status: mode ("tls", "plaintext" or "none"
 * without a collector), and for TLS the certificate's path, identity,
 * not_after (unix seconds), days_left, expired and a warning once fewer
 * than warn_days are left (null otherwise).  cert is the reading the
 * last report was judged with: one moment, one rounding. */
json_t *control_tls_json(const struct conf_agent *ca, int64_t warn_days,
			 const struct facts_tls_cert *cert);

/* ---- daemon.c ---- */

int agent_run(const struct conf *conf);
/* kagentd -t (config_test.c): the collector's address, certificates and
 * key, the spool's and socket's folders checked as a start would; says
 * what it found on stdout and returns 0, or logs the reason naming path
 * and returns 1. */
int agent_config_test(const struct conf *conf, const char *path);

#endif
