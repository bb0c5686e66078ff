/* kagentd's side of the prober: the child is forked with one end of a
 * socketpair, takes one request at a time and answers each with a header
 * and a bounded body, read here without ever reading past one reply. */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon_int.h"

/* The watchdog did not answer for the worker: it is stuck itself. */
static void on_reply_late(uv_timer_t *t)
{
	struct agent *a = t->data;

	fprintf(stderr, "kagentd: the prober's watchdog did not answer request "
		"%u in %lld s\n", a->busy,
		(long long)(a->conf->agent.prober_timeout_s +
			    PROBER_WATCH_SLACK_S));
	agent_stop(a, 1);
}

int daemon_prober_send(struct agent *a, uint32_t code, const void *body,
		       uint32_t len)
{
	struct prober_req_hdr h = { .code = code, .len = len };
	uv_buf_t b[2] = { uv_buf_init((char *)&h, sizeof h),
			  uv_buf_init((char *)body, len) };
	int r;

	/* Requests are small and the prober reads them at once: a socket
	 * buffer always takes them whole. */
	r = uv_try_write((uv_stream_t *)&a->prober, b, len ? 2 : 1);
	if (r < 0)
		return r;
	if ((size_t)r != sizeof h + len)
		return -EAGAIN;
	a->busy = code;
	a->rh_have = a->body_have = 0;
	uv_timer_start(&a->t_reply, on_reply_late,
		       (uint64_t)(a->conf->agent.prober_timeout_s +
				  PROBER_WATCH_SLACK_S) * 1000, 0);
	return 0;
}

static void on_prober_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct agent *a = h->data;

	(void)hint;
	/* Read the header, then exactly the body: never past one reply. */
	if (a->rh_have < sizeof a->rh) {
		buf->base = (char *)&a->rh + a->rh_have;
		buf->len = sizeof a->rh - a->rh_have;
	} else {
		buf->base = (char *)a->body + a->body_have;
		buf->len = a->rh.len - a->body_have;
	}
}

static void on_prober_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct agent *a = s->data;

	(void)buf;
	if (n < 0) {
		fprintf(stderr, "kagentd: the prober went away: %s\n",
			uv_strerror((int)n));
		agent_stop(a, 1);
		return;
	}
	if (a->rh_have < sizeof a->rh) {
		a->rh_have += (size_t)n;
		if (a->rh_have < sizeof a->rh)
			return;
		if (a->busy == 0 || a->rh.code != a->busy ||
		    a->rh.len > PROBER_BODY_MAX) {
			fprintf(stderr, "kagentd: the prober answered out of turn\n");
			agent_stop(a, 1);
			return;
		}
	} else {
		a->body_have += (size_t)n;
	}
	if (a->rh_have == sizeof a->rh && a->body_have == a->rh.len)
		agent_on_reply(a);
}

/* The child drops to the prober's capabilities before it serves. */
int daemon_prober_fork(struct agent *a, int *parent_fd)
{
	int sv[2], r;
	pid_t pid;

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
		struct hw_err err = { { 0 } };

		close(sv[0]);
		r = privsep_drop_prober(&a->ps, &err);
		if (r < 0) {
			fprintf(stderr, "kagentd prober: %s\n", err.msg);
			_exit(1);
		}
		r = prober_watch(sv[1], a->conf, a->host_id);
		_exit(r < 0 ? 1 : 0);
	}
	close(sv[1]);
	a->prober_pid = pid;
	*parent_fd = sv[0];
	return 0;
}

void daemon_prober_open(struct agent *a, int fd)
{
	uv_pipe_init(&a->loop, &a->prober, 0);
	a->prober.data = a;
	uv_pipe_open(&a->prober, fd);
	uv_read_start((uv_stream_t *)&a->prober, on_prober_alloc, on_prober_read);
}
