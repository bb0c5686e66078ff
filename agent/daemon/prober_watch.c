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

#include "daemon.h"
#include "sandbox.h"

/* Requests are a header and a struct prober_full_req at most. */
#define WATCH_REQ_MAX 65536
/* How long a killed worker gets to be reaped before it is left to a later
 * waitpid: one stuck in the kernel (state D) dies only when its I/O ends. */
#define WATCH_REAP_MS 1000

struct watch {
	int up;	  /* to the network side */
	int down; /* to the worker, non-blocking */
	pid_t pid;
	const struct conf *conf;
	const char *host_id;
	int64_t timeout_ms;
	uint8_t *buf; /* WATCH_REQ_MAX, then PROBER_BODY_MAX */
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *code_name(uint32_t code)
{
	switch (code) {
	case PROBER_FULL:
		return "full report";
	case PROBER_HEALTH:
		return "health";
	case PROBER_SMART_REFRESH:
		return "SMART refresh";
	}
	return "unknown";
}

/* All of n bytes, or -ETIMEDOUT at deadline (monotonic ms; -1: none),
 * -EPIPE when the peer closes. */
static int io_full(int fd, void *buf, size_t n, bool wr, int64_t deadline)
{
	uint8_t *p = buf;
	size_t done = 0;

	while (done < n) {
		struct pollfd pfd = {.fd = fd, .events = wr ? POLLOUT : POLLIN};
		int64_t left = deadline < 0 ? -1 : deadline - mono_ms();
		ssize_t r;

		if (deadline >= 0 && left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		r = wr ? write(fd, p + done, n - done)
		       : read(fd, p + done, n - done);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		if (r == 0)
			return -EPIPE;
		done += (size_t)r;
	}
	return 0;
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
		r = prober_serve(sv[1], w->conf, w->host_id);
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
	int64_t until = mono_ms() + WATCH_REAP_MS;

	if (w->pid <= 0)
		return;
	kill(w->pid, sig);
	close(w->down);
	w->down = -1;
	while (waitpid(w->pid, NULL, WNOHANG) == 0 && mono_ms() < until)
		usleep(10 * 1000);
	w->pid = 0;
}

static int reply_up(struct watch *w, uint32_t code, int status,
		    const void *body, uint32_t len)
{
	struct prober_reply_hdr h = {
	    .code = code, .status = status, .len = len};
	int r = io_full(w->up, &h, sizeof h, true, -1);

	if (r == 0 && len)
		r = io_full(w->up, (void *)body, len, true, -1);
	return r;
}

/* The worker failed request code with r: a new one takes its place, and
 * the network side gets the reason. */
static int worker_replace(struct watch *w, uint32_t code, int r)
{
	char msg[256];
	pid_t old = w->pid;
	int rs;

	if (r == -ETIMEDOUT)
		snprintf(msg, sizeof msg,
			 "no answer to the %s request in %lld s: prober "
			 "restarted",
			 code_name(code), (long long)(w->timeout_ms / 1000));
	else
		snprintf(msg, sizeof msg,
			 "the prober failed the %s request (%s): prober "
			 "restarted",
			 code_name(code), strerror(-r));
	worker_stop(w, SIGKILL);
	rs = worker_start(w);
	fprintf(stderr, "kagentd prober: %s (pid %d killed, new pid %d)\n", msg,
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
	int r;

	r = io_full(w->up, &q, sizeof q, false, -1);
	if (r < 0)
		return r;
	if (q.len > WATCH_REQ_MAX - sizeof q)
		return -EPROTO;
	memcpy(w->buf, &q, sizeof q);
	r = io_full(w->up, w->buf + sizeof q, q.len, false, -1);
	if (r < 0)
		return r;
	reap_some();
	deadline = mono_ms() + w->timeout_ms;
	r = io_full(w->down, w->buf, sizeof q + q.len, true, deadline);
	if (r == 0)
		r = io_full(w->down, &h, sizeof h, false, deadline);
	if (r == 0 && (h.code != q.code || h.len > PROBER_BODY_MAX))
		r = -EPROTO;
	if (r == 0)
		r = io_full(w->down, w->buf, h.len, false, deadline);
	if (r < 0)
		return worker_replace(w, q.code, r);
	return reply_up(w, h.code, h.status, w->buf, h.len);
}

int prober_watch(int fd, const struct conf *conf, const char *host_id)
{
	struct watch w = {.up = fd,
			  .down = -1,
			  .conf = conf,
			  .host_id = host_id,
			  .timeout_ms = conf->agent.prober_timeout_s * 1000};
	int r;

	/* A worker that died must give EPIPE here, not end the watchdog. */
	signal(SIGPIPE, SIG_IGN);
	if (sandbox_start("kagentd prober watchdog", SANDBOX_PROBER_WATCH,
			  conf->agent.no_seccomp) < 0)
		return -EPERM;
	w.buf = malloc(PROBER_BODY_MAX > WATCH_REQ_MAX ? PROBER_BODY_MAX
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
		fprintf(stderr, "kagentd prober: %s\n", strerror(-r));
	worker_stop(&w, SIGTERM);
	free(w.buf);
	return r;
}
