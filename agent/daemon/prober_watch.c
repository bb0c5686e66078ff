/* The prober's watchdog.  The process that privsep_drop_prober leaves with
 * the prober's capabilities does not probe: it forks the worker that does
 * (prober_serve), passes each request on, and waits for the reply with a
 * deadline.  A worker that does not answer in time (a read that never
 * ends: a device, an NFS mount, a file system that hangs) is killed and
 * forked again from here, so the new one has exactly the old one's
 * privileges: the network side, which has none, could not give them.
 * The request is answered -PROBER_RESTARTED with the reason, so the loop
 * goes on to its next request as after any refusal.
 *
 * Each worker has a socketpair of its own: bytes a killed worker left half
 * written can never be taken for the next one's reply. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core_log.h"
#include "daemon.h"
#include "hw_raw.h"
#include "prober_io.h"
#include "sandbox.h"

/* Requests are a header and a struct prober_open_req at most. */
#define WATCH_REQ_MAX (sizeof(struct prober_req_hdr) + PROBER_REQ_MAX)
/* How long a killed worker gets to be reaped before it is left to a later
 * waitpid: one stuck in the kernel (state D) dies only when its I/O ends. */
#define WATCH_REAP_MS 1000

struct watch {
	int up;	  /* to the network side */
	int down; /* to the worker, non-blocking */
	pid_t pid;
	const struct conf *conf;
	int64_t timeout_ms;
	uint8_t *buf; /* a request, then the largest answer (smartctl) */
};

/* Requests are named by the job they serve: what the operator sees
 * stall is a report, a health check or a SMART refresh. */
static const char *job_name(uint32_t job)
{
	switch (job) {
	case JOB_FULL:
		return "full report";
	case JOB_HEALTH:
		return "health";
	case JOB_SMART_REFRESH:
		return "SMART refresh";
	}
	return "unknown";
}

static int worker_start(struct watch *w)
{
	pid_t parent = getpid(), pid;
	int sv[2], r;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0) {
		close(sv[0]);
		close(w->up);
		/* The watchdog gone, nobody would kill a hung worker. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		/* The worker parses what the disks and files say: it runs
		 * under the prober's system call filter.  The watchdog above
		 * it reads nothing from outside and must fork again. */
		if (sandbox_start("kagentd prober", SANDBOX_PROBER,
				  w->conf->agent.no_seccomp) < 0)
			_exit(1);
		r = prober_serve(sv[1], w->conf);
		_exit(r < 0 ? 1 : 0);
	}
	close(sv[1]);
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	w->down = sv[0];
	w->pid = pid;
	return 0;
}

static void reap_some(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void worker_stop(struct watch *w, int sig)
{
	int64_t until = prober_mono_ms() + WATCH_REAP_MS;

	if (w->pid <= 0)
		return;
	kill(w->pid, sig);
	close(w->down);
	w->down = -1;
	while (waitpid(w->pid, NULL, WNOHANG) == 0 && prober_mono_ms() < until)
		usleep(10 * 1000);
	w->pid = 0;
}

static int reply_up_fd(struct watch *w, uint32_t code, int status,
		       const void *body, uint32_t len, int pass)
{
	struct prober_reply_hdr h = {
	    .code = code, .status = status, .len = len};
	int r = prober_send_hdr(w->up, &h, pass);

	if (r == 0 && len)
		r = prober_io_full(w->up, (void *)body, len, true, -1);
	return r;
}

static int reply_up(struct watch *w, uint32_t code, int status,
		    const void *body, uint32_t len)
{
	return reply_up_fd(w, code, status, body, len, -1);
}

/* The worker failed request code with r: a new one takes its place, and
 * the network side gets the reason. */
static int worker_replace(struct watch *w, uint32_t code, uint32_t job, int r)
{
	char msg[256];
	pid_t old = w->pid;
	int rs;

	if (r == -ETIMEDOUT)
		snprintf(msg, sizeof msg,
			 "no answer to the %s request in %lld s: prober "
			 "restarted",
			 job_name(job), (long long)(w->timeout_ms / 1000));
	else
		snprintf(msg, sizeof msg,
			 "the prober failed the %s request (%s): prober "
			 "restarted",
			 job_name(job), strerror(-r));
	worker_stop(w, SIGKILL);
	rs = worker_start(w);
	core_log_as("kagentd prober", LOG_WARNING, "%s (pid %d killed, new pid %d)", msg,
		(int)old, rs == 0 ? (int)w->pid : -1);
	if (rs < 0)
		return rs;
	return reply_up(w, code, -PROBER_RESTARTED, msg, (uint32_t)strlen(msg));
}

/* One request: 0 when done (answered, or failed and answered), -EPIPE
 * when the network side has gone, another -errno when we cannot go on. */
static int watch_one(struct watch *w)
{
	struct prober_req_hdr q;
	struct prober_reply_hdr h;
	int64_t deadline;
	int r, pass = -1;

	r = prober_io_full(w->up, &q, sizeof q, false, -1);
	if (r < 0)
		return r;
	if (q.len > WATCH_REQ_MAX - sizeof q)
		return -EPROTO;
	memcpy(w->buf, &q, sizeof q);
	r = prober_io_full(w->up, w->buf + sizeof q, q.len, false, -1);
	if (r < 0)
		return r;
	reap_some();
	deadline = prober_mono_ms() + w->timeout_ms;
	r = prober_io_full(w->down, w->buf, sizeof q + q.len, true, deadline);
	if (r == 0)
		r = prober_recv_hdr(w->down, &h, deadline, &pass);
	if (r == 0 &&
	    (h.code != q.code || h.len > prober_reply_max(q.code, h.status) ||
	     (pass >= 0 && (q.code != PROBER_OPEN || h.status != 0))))
		r = -EPROTO;
	if (r == 0)
		r = prober_io_full(w->down, w->buf, h.len, false, deadline);
	if (r < 0) {
		if (pass >= 0)
			close(pass);
		return worker_replace(w, q.code, q.job, r);
	}
	r = reply_up_fd(w, h.code, h.status, w->buf, h.len, pass);
	if (pass >= 0)
		close(pass);
	return r;
}

int prober_watch(int fd, const struct conf *conf)
{
	struct watch w = {.up = fd,
			  .down = -1,
			  .conf = conf,
			  .timeout_ms = conf->agent.prober_timeout_s * 1000};
	int r;

	/* A worker that died must give EPIPE here, not end the watchdog. */
	signal(SIGPIPE, SIG_IGN);
	if (sandbox_start("kagentd prober watchdog", SANDBOX_PROBER_WATCH,
			  conf->agent.no_seccomp) < 0)
		return -EPERM;
	w.buf = malloc(HW_SMARTCTL_OUT_MAX > WATCH_REQ_MAX ? HW_SMARTCTL_OUT_MAX
							   : WATCH_REQ_MAX);
	if (w.buf == NULL)
		return -ENOMEM;
	r = worker_start(&w);
	while (r == 0)
		r = watch_one(&w);
	/* The network side closing its end is the normal way to stop. */
	if (r == -EPIPE)
		r = 0;
	else
		core_log_as("kagentd prober", LOG_ERR, "%s", strerror(-r));
	worker_stop(&w, SIGTERM);
	free(w.buf);
	return r;
}
