/* kagentd's loop: timers ask the prober for reports, health digests and
 * SMART refreshes, one request at a time; each report is spooled (held in
 * memory while the connection is up) and handed to the uplink; the
 * control socket shows where things stand.
 * Nothing here blocks: the prober does the slow reads, the ZooKeeper probe
 * and the collector connection are libuv I/O. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon_int.h"
#include "root.h"
#include "core_log.h"
#include "sandbox.h"

static void dispatch(struct agent *a);

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_zk_ready(void *arg)
{
	struct agent *a = arg;

	if (!a->stopping)
		dispatch(a);
}

static void cert_expiry_refresh(struct agent *a)
{
	const struct conf_agent *ca = &a->conf->agent;
	struct facts_file_key k;

	if (!facts_tls_cert_in_use(ca))
		return;
	facts_file_key_take("/", ca->tls_cert, &k);
	if (a->cert.read && k.exists && facts_file_key_same(&k, &a->cert_key))
		return;
	facts_tls_cert_read(ca, &a->cert);
	a->cert_key = k;
}

static void send_full(struct agent *a)
{
	struct job_full_req q;
	int r;

	memset(&q, 0, sizeof q);
	q.seq = a->spool.last_seq + 1;
	q.timestamp_ms = now_ms();
	q.interval_s = (uint32_t)a->conf->agent.interval_s;
	zk_live_fill(&a->zk, &q.zk_meta, &q.zk);
	kafka_poll_take(&a->kafka, &q.kafka_meta, &q.kafka);
	q.kafka_delta = kafka_poll_delta(
	    &a->kafka,
	    a->up.state == UPLINK_CONNECTED ? a->up.last_change_ms : 0);
	cert_expiry_refresh(a);
	q.tls_cert_read = a->cert.read;
	q.tls_cert_rc = a->cert.rc;
	q.tls_cert_not_after = a->cert.not_after;
	a->cert.now = q.timestamp_ms / 1000; /* the check's moment too */
	a->full_seq = q.seq;
	a->kafka_in_job = q.kafka;
	r = daemon_job_start(a, JOB_FULL, &q);
	if (r < 0) {
		core_log(LOG_ERR, "prober: %s", uv_strerror(r));
		agent_stop(a, 1);
	}
}

/* One request at a time, health first (cheap), then SMART, then the full
 * report, once ZooKeeper has answered when the host has it. */
static void dispatch(struct agent *a)
{
	int r;

	if (a->busy || a->stopping)
		return;
	if (a->want & WANT(JOB_HEALTH)) {
		a->want &= ~WANT(JOB_HEALTH);
		r = daemon_job_start(a, JOB_HEALTH, NULL);
	} else if (a->want & WANT(JOB_SMART_REFRESH)) {
		a->want &= ~WANT(JOB_SMART_REFRESH);
		r = daemon_job_start(a, JOB_SMART_REFRESH, NULL);
	} else if (a->want & WANT(JOB_FULL)) {
		if (zk_live_hold(&a->zk, &a->loop))
			return;
		a->want &= ~WANT(JOB_FULL);
		send_full(a);
		return;
	} else {
		return;
	}
	if (r < 0) {
		core_log(LOG_ERR, "prober: %s", uv_strerror(r));
		agent_stop(a, 1);
	}
}

static void on_hold_timer(uv_timer_t *t);

static void hold_timer_arm(struct agent *a)
{
	int64_t due;

	if (a->spool.n_held == 0 || uv_is_active((uv_handle_t *)&a->t_hold))
		return;
	due = SPOOL_HOLD_MS;
	for (size_t i = 0; i < a->spool.n; i++)
		if (a->spool.v[i].mem) {
			due = a->spool.v[i].held_ms + SPOOL_HOLD_MS -
			      (int64_t)uv_now(&a->loop);
			break;
		}
	uv_timer_start(&a->t_hold, on_hold_timer, due > 0 ? (uint64_t)due : 0,
		       0);
}

static void on_hold_timer(uv_timer_t *t)
{
	struct agent *a = t->data;
	struct hw_err err = { { 0 } };

	if (spool_flush(&a->spool, (int64_t)uv_now(&a->loop) - SPOOL_HOLD_MS,
			&err) < 0) {
		/* A full disk: try again later, not in a loop. */
		spool_io_failed(&a->spool, err.msg);
		uv_timer_start(&a->t_hold, on_hold_timer, SPOOL_HOLD_MS, 0);
		return;
	}
	hold_timer_arm(a);
}

/* Spooled to disk first unless the connection is up: then held in memory
 * and sent, and written only if its ack is late (spool_hold). */
static void on_full(struct agent *a, const uint8_t *frame, size_t len)
{
	struct hw_err err = { { 0 } };
	int r;

	if (a->up.state == UPLINK_CONNECTED)
		r = spool_hold(&a->spool, a->full_seq, frame, len,
			       (int64_t)uv_now(&a->loop), &err);
	else
		r = spool_append(&a->spool, a->full_seq, frame, len, &err);
	if (r < 0) {
		spool_report_lost(&a->spool, a->full_seq, err.msg);
		return;
	}
	hold_timer_arm(a);
	a->last_report_ms = now_ms();
	if (len > a->last_cap) {
		uint8_t *b = realloc(a->last_frame, len);

		if (b == NULL) {
			uplink_kick(&a->up);
			return;
		}
		a->last_frame = b;
		a->last_cap = len;
	}
	memcpy(a->last_frame, frame, len);
	a->last_len = len;
	a->last_decoded = false;
	uplink_kick(&a->up);
}

static void on_health(struct agent *a, const struct job_health *h)
{
	char host[ZK_HOST_MAX];

	snprintf(host, sizeof host, "%.*s", (int)sizeof h->zk_host - 1,
		 h->zk_host);
	zk_live_target(&a->zk, host, h->zk_port);
	if (a->conf->roles & CORE_ROLE_KAFKA)
		kafka_poll_target(&a->kafka, h->kafka_bootstrap);
	/* Report on change: a link that dropped or an alarm that fired. */
	if (a->digest_known && h->digest != a->digest)
		a->want |= WANT(JOB_FULL);
	a->digest = h->digest;
	a->digest_known = true;
}

void agent_on_reply(struct agent *a)
{
	a->busy = 0;
	kafka_snap_release(a->kafka_in_job);
	a->kafka_in_job = NULL;
	if (a->stopping)
		return;
	/* The watchdog replaced a worker (and logged it) during the job. */
	a->prober_restarts = a->pc.restarts;
	snprintf(a->prober_error, sizeof a->prober_error, "%s",
		 a->pc.last_error);
	if (a->pc.dead) {
		core_log(LOG_ERR, "the prober went away: %s",
			 strerror(-a->pc.dead));
		agent_stop(a, 1);
		return;
	}
	if (a->rh.status == -PROBER_RESTARTED) {
		/* Counted above. */
	} else if (a->rh.status < 0) {
		core_log(LOG_ERR, "job %u failed: %.*s", a->rh.code,
			 (int)a->rh.len, (const char *)a->body);
	} else if (a->rh.code == JOB_FULL && a->rh.len > PROTO_FRAME_HDR) {
		on_full(a, a->body, a->rh.len);
	} else if (a->rh.code == JOB_HEALTH &&
		   a->rh.len == sizeof(struct job_health)) {
		on_health(a, (const struct job_health *)a->body);
	}
	/* Between two jobs: a reload read meanwhile takes effect now. */
	daemon_reload_apply(a);
	dispatch(a);
}

static void on_full_timer(uv_timer_t *t)
{
	struct agent *a = t->data;

	a->want |= WANT(JOB_FULL);
	dispatch(a);
}

static void on_health_timer(uv_timer_t *t)
{
	struct agent *a = t->data;

	a->want |= WANT(JOB_HEALTH);
	dispatch(a);
}

static void on_smart_timer(uv_timer_t *t)
{
	struct agent *a = t->data;

	a->want |= WANT(JOB_SMART_REFRESH);
	dispatch(a);
}

/* A start that failed half way leaves some handles never initialised:
 * their loop is still NULL. */
static void close_handle(void *h)
{
	if (((uv_handle_t *)h)->loop && !uv_is_closing(h))
		uv_close(h, NULL);
}

void agent_stop(struct agent *a, int code)
{
	if (a->stopping)
		return;
	a->stopping = true;
	a->exit_code = code;
	if (a->spool.n_held > 0) {
		struct hw_err err = { { 0 } };

		if (spool_flush(&a->spool, INT64_MAX, &err) < 0)
			core_log(LOG_ERR, "spool: %s", err.msg);
	}
	if (a->up.loop)
		uplink_stop(&a->up);
	control_stop(&a->ctl);
	if (a->prober_pid > 0) {
		kill(a->prober_pid, SIGTERM);
		waitpid(a->prober_pid, NULL, 0);
		a->prober_pid = 0;
	}
	/* A ZooKeeper probe or a status client in progress closes its own
	 * handles when it ends. */
	if (a->loop_ready) {
		close_handle(&a->t_full);
		kafka_poll_stop(&a->kafka);
		close_handle(&a->t_health);
		close_handle(&a->t_smart);
		close_handle(&a->t_hold);
		close_handle(&a->t_reply);
		close_handle(&a->sig_term);
		close_handle(&a->sig_int);
		close_handle(&a->sig_hup);
		close_handle(&a->t_notify);
	}
	daemon_events_stop(a);
}

static void on_signal(uv_signal_t *s, int signum)
{
	struct agent *a = s->data;

	if (signum == SIGHUP) {
		daemon_reload(a);
		return;
	}
	core_notify_send(&a->notify, "STOPPING=1");
	core_log(LOG_NOTICE, "%s, stopping", strsignal(signum));
	agent_stop(a, 0);
}

static void timer_every(struct agent *a, uv_timer_t *t, uv_timer_cb cb,
			int64_t seconds)
{
	uv_timer_init(&a->loop, t);
	t->data = a;
	uv_timer_start(t, cb, (uint64_t)seconds * 1000, (uint64_t)seconds * 1000);
}

static void signal_on(struct agent *a, uv_signal_t *s, int signum)
{
	uv_signal_init(&a->loop, s);
	s->data = a;
	uv_signal_start(s, on_signal, signum);
}

/* Opens the loop and the control socket, and drops privileges: the
 * prober is forked first, so it inherits no libuv state, only its end of
 * the socketpair.  Like ntpd's engine, this side binds its socket while
 * still root, as the socket's directory (/run/kagent) is root's, then
 * drops everything before it reads a byte from anyone. */
static int agent_open_private(struct agent *a, const struct conf *conf,
			      int *fd)
{
	struct hw_err err = { { 0 } };
	char why[256];
	int r;

	r = privsep_init(&a->ps, conf->agent.user, &err);
	if (r == 0)
		r = privsep_own_dir(&a->ps, conf->agent.spool, &err);
	if (r < 0) {
		core_log(LOG_ERR, "%s", err.msg);
		return r;
	}
	r = daemon_prober_fork(a, fd);
	if (r < 0) {
		core_log(LOG_ERR, "prober: %s", strerror(-r));
		return r;
	}
	/* Before the drop: the manager's socket may be root's. */
	daemon_notify_open(a);
	uv_loop_init(&a->loop);
	a->loop_ready = true;
	cert_expiry_refresh(a); /* status has days left before a report */
	r = control_start(&a->loop, &a->ctl, conf->agent.socket,
			  daemon_status_json, a, why, sizeof why);
	if (r < 0) {
		core_log(LOG_ERR, "control socket %s", why);
		return r;
	}
	r = privsep_own_socket(&a->ps, conf->agent.socket, &err);
	if (r == 0)
		r = privsep_drop_network(&a->ps, &err);
	if (r < 0)
		core_log(LOG_ERR, "%s", err.msg);
	return r;
}

static int agent_open(struct agent *a, const struct conf *conf)
{
	struct hw_err err = { { 0 } };
	char why[256];
	int fd = -1, r;

	a->conf = conf;
	if (conf_agent_check(conf, why, sizeof why) < 0) {
		core_log(LOG_ERR, "%s", why);
		return -EINVAL;
	}
	if (conf->agent.host_id[0])
		snprintf(a->host_id, sizeof a->host_id, "%s", conf->agent.host_id);
	else if (gethostname(a->host_id, sizeof a->host_id - 1) < 0 ||
		 a->host_id[0] == '\0') {
		core_log(LOG_ERR, "no host_id in [agent] and no hostname");
		return -EINVAL;
	}
	r = agent_open_private(a, conf, &fd);
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	/* A collector that closes mid-write must give EPIPE, not end us. */
	signal(SIGPIPE, SIG_IGN);
	a->start_ms = uv_now(&a->loop);
	timer_every(a, &a->t_full, on_full_timer, conf->agent.interval_s);
	timer_every(a, &a->t_health, on_health_timer, conf->agent.health_interval_s);
	timer_every(a, &a->t_smart, on_smart_timer, conf->agent.smart_interval_s);
	uv_timer_init(&a->loop, &a->t_hold);
	a->t_hold.data = a;
	uv_timer_init(&a->loop, &a->t_reply);
	a->t_reply.data = a;
	signal_on(a, &a->sig_term, SIGTERM);
	signal_on(a, &a->sig_int, SIGINT);
	signal_on(a, &a->sig_hup, SIGHUP);
	a->body = malloc(PROBER_BODY_MAX);
	a->env = malloc(sizeof *a->env);
	proto_lists_init(&a->lists);
	if (a->body == NULL || a->env == NULL ||
	    daemon_prober_open(a, fd) < 0)
		return -ENOMEM;
	daemon_events_start(a, conf);
	r = spool_open(&a->spool, conf->agent.spool, (uint64_t)conf->agent.spool_max,
		       &err);
	if (r < 0) {
		core_log(LOG_ERR, "spool: %s", err.msg);
		return r;
	}
	if (a->spool.corrupt)
		core_log(LOG_WARNING, "spool: %" PRIu64 " file(s) skipped, first: %s",
			a->spool.corrupt, a->spool.corrupt_why);
	if (a->spool.n)
		core_log(LOG_NOTICE, "spool: %zu report(s) to resend, seq %" PRIu64
			" to %" PRIu64 "", a->spool.n, a->spool.v[0].seq,
			a->spool.v[a->spool.n - 1].seq);
	r = uplink_init(&a->loop, &a->up, &a->spool, &conf->agent, a->host_id,
			why, sizeof why);
	if (r < 0) {
		core_log(LOG_ERR, "collector: %s", why);
		return r;
	}
	if (conf->agent.collector[0] && conf->agent.insecure)
		core_log(LOG_WARNING, "WARNING: insecure = yes: reports go to "
			"%s in plaintext, unauthenticated", conf->agent.collector);
	return 0;
}

int agent_run(const struct conf *conf)
{
	struct agent *a = calloc(1, sizeof *a);
	int r;

	if (a == NULL)
		return 1;
	a->notify.fd = -1;
	daemon_events_init(a);
	zk_live_init(&a->zk, on_zk_ready, a);
	srandom((unsigned)(getpid() ^ now_ms()));
	r = agent_open(a, conf);
	/* Everything opened: from here on only the network side's calls. */
	if (r == 0)
		r = sandbox_start("kagentd", SANDBOX_AGENT_NET,
				  conf->agent.no_seccomp);
	if (r == 0) {
		core_log(LOG_INFO, "version %s: host %s, collector %s, spool %s",
			 KAGENT_VERSION, a->host_id,
			conf->agent.collector[0] ? conf->agent.collector : "(none)",
			conf->agent.spool);
		/* After the filter: librdkafka's threads start under it. */
		kafka_poll_init(&a->kafka, &a->loop,
				conf->roles & CORE_ROLE_KAFKA
				    ? conf->kafka_bootstrap : "",
				conf->kafka_client_config,
				(unsigned)conf->kafka_metadata_interval_s);
		a->want = WANT(JOB_HEALTH) | WANT(JOB_SMART_REFRESH) |
			  WANT(JOB_FULL);
		dispatch(a);
		uplink_start(&a->up);
		daemon_notify_ready(a);
		uv_run(&a->loop, UV_RUN_DEFAULT);
		r = a->exit_code;
	} else {
		agent_stop(a, 1);
		if (a->loop_ready)
			uv_run(&a->loop, UV_RUN_DEFAULT);
		r = 1;
	}
	if (a->prober_pid > 0) {
		kill(a->prober_pid, SIGTERM);
		waitpid(a->prober_pid, NULL, 0);
	}
	kafka_poll_free(&a->kafka);
	if (a->loop_ready)
		uv_loop_close(&a->loop);
	core_notify_close(&a->notify);
	prober_client_install(false);
	report_job_free(a->job);
	daemon_reload_free(a);
	prober_client_free(&a->pc);
	if (a->pc.fd > 0)
		close(a->pc.fd);
	spool_close(&a->spool);
	proto_lists_free(&a->lists);
	free(a->last_frame);
	free(a->env);
	free(a->body);
	free(a);
	return r;
}
