/*
 * daemon_int.h — what kagentd's loop shares between its files: the agent
 * itself, and the few calls that cross from one file to another.
 * daemon.c runs the timers, the dispatch and the daemon's start and stop;
 * daemon_prober.c forks the prober and carries its requests and replies;
 * daemon_status.c builds the document the control socket serves.
 */
#ifndef KAGENT_DAEMON_INT_H
#define KAGENT_DAEMON_INT_H

#include <sys/types.h>

#include "core_notify.h"
#include "daemon.h"
#include "events_link.h"
#include "events_mounts.h"
#include "privsep.h"
#include "prober_client.h"
#include "zk_live.h"

#define WANT(code) (1u << (code))
/* The keys a reload could not change, "agent.user, agent.spool". */
#define DAEMON_RESTART_KEYS_MAX 256

struct agent {
	uv_loop_t loop;
	const struct conf *conf;
	struct privsep ps;
	char host_id[CONF_HOST_ID_MAX];
	uint64_t start_ms;
	struct spool spool;
	struct uplink up;
	struct control ctl;
	uv_timer_t t_full, t_health, t_smart;
	uv_timer_t t_hold; /* writes held reports whose ack is late */
	uv_signal_t sig_term, sig_int, sig_hup;

	/* The prober, and the one job in flight on the thread pool. */
	pid_t prober_pid;
	struct prober_client pc;
	struct report_job *job;
	uv_work_t work;
	unsigned want;	  /* WANT(JOB_*) */
	uint32_t busy;	  /* the job in flight, 0 when idle */
	struct job_full_req q;
	struct prober_reply_hdr rh;
	uint8_t *body;	  /* PROBER_BODY_MAX */
	uint64_t full_seq; /* seq of the FULL in flight */
	/* Every request to the prober is answered within prober_timeout
	 * and the slack; this timer is for a job that does not end. */
	uv_timer_t t_reply;
	unsigned prober_restarts; /* workers the watchdog replaced */
	char prober_error[256];   /* its last reason, "" when none */

	/* Links, addresses and routes change by rtnetlink's events. */
	struct events_link links;
	struct events_mounts mounts;

	/* ZooKeeper, probed here for each full report (zk_live.h). */
	struct zk_live zk;
	/* Kafka's metadata, read every [kafka] metadata_interval
	 * (kafka_poll.h), and the reference the job in flight holds. */
	struct kafka_poll kafka;
	struct kafka_snap *kafka_in_job;

	uint64_t digest;
	bool digest_known;

	/* The agent certificate's expiry for agent.tls.expiry, parsed again
	 * only when the file changes. */
	struct facts_file_key cert_key;
	struct facts_tls_cert cert;

	/* The last report, kept as sent and decoded only when the status is
	 * asked for: most reports are never looked at. */
	uint8_t *last_frame;
	size_t last_len, last_cap;
	bool last_decoded;
	int64_t last_report_ms;
	bool have_report;
	kagent_v1_Severity verdict;
	kagent_v1_Envelope *env;
	struct proto_lists lists;
	int exit_code;
	bool loop_ready;
	bool stopping;

	/* The service manager (daemon_notify.c), opened after the prober's
	 * fork so that the prober holds no copy of its socket. */
	struct core_notify notify;
	uv_timer_t t_notify;

	/* Reloads (daemon_reload.c): the configuration the last one put in
	 * effect (NULL: still the start's, which main owns), one read and
	 * waiting for the job in flight with its TLS context, and what
	 * `kagent status` tells of them. */
	struct conf *conf_own;
	struct conf *conf_next;
	struct proto_tls tls_next;
	bool tls_next_on;
	char restart_needed[DAEMON_RESTART_KEYS_MAX]; /* "" none */
	char reload_error[768];  /* the last reload's failure, "" none */
	uint64_t reloads, reload_failures;
};

/* daemon.c */
void agent_stop(struct agent *a, int code);
/* One whole reply is in a->rh and a->body: act on it, ask for the next. */
void agent_on_reply(struct agent *a);

/* daemon_notify.c */
void daemon_notify_open(struct agent *a);
void daemon_notify_ready(struct agent *a);
void daemon_notify_status(struct agent *a);

/* daemon_prober.c */
int daemon_prober_fork(struct agent *a, int *parent_fd);
/* The client on fd, the job state, the hooks that read through them. */
int daemon_prober_open(struct agent *a, int fd);
/* Runs job code (q for JOB_FULL) on the thread pool; agent_on_reply
 * follows on the loop. */
int daemon_job_start(struct agent *a, uint32_t code,
		     const struct job_full_req *q);

/* daemon_reload.c */
/* SIGHUP: reads the configuration again (see the file's head). */
void daemon_reload(struct agent *a);
/* Puts a reload read while a job was in flight in effect; between jobs
 * only (agent_on_reply calls it once a job has ended). */
void daemon_reload_apply(struct agent *a);
void daemon_reload_free(struct agent *a);
/* Adds "reload" {reloads, failures, error, restart_needed} to doc, and a
 * sentence to its "warnings" for a failed reload and for keys that need
 * a restart. */
void daemon_reload_status(const struct agent *a, json_t *doc);

/* daemon_status.c: the control socket's status_fn, arg the agent. */
char *daemon_status_json(void *arg);

/* The kernel's events that spare the jobs a read (daemon_events.c):
 * links, addresses and routes from rtnetlink, the mount table from
 * mountinfo's POLLPRI.  Watched on the live host only; what is not
 * watched is read by every job. */
void daemon_events_init(struct agent *a);
void daemon_events_start(struct agent *a, const struct conf *conf);
void daemon_events_stop(struct agent *a);

#endif
