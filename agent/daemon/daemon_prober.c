/* kagentd's side of the prober: the child is forked with one end of a
 * socketpair; the loop's jobs run one at a time on libuv's thread pool
 * (report_job.c) and reach the prober through a blocking client
 * (prober_client.c) that only their thread uses.  The loop itself never
 * blocks on a read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core_log.h"
#include "daemon_int.h"

/* A job that does not end: a read of this process's own (a hung mount)
 * or a watchdog that does not answer.  A thread cannot be killed: the
 * process ends, the spool written first, and its supervisor restarts it. */
static void on_reply_late(uv_timer_t *t)
{
	struct agent *a = t->data;

	core_log(LOG_ERR, "job %u did not end in %lld s", a->busy,
		(long long)(a->conf->agent.prober_timeout_s +
			    PROBER_WATCH_SLACK_S));
	agent_stop(a, 1);
	_exit(1);
}

static void job_work(uv_work_t *w)
{
	struct agent *a = w->data;

	report_job_run(a->job, a->busy, &a->q, &a->rh, a->body);
}

static void job_done(uv_work_t *w, int status)
{
	struct agent *a = w->data;

	(void)status;
	uv_timer_stop(&a->t_reply);
	agent_on_reply(a);
}

int daemon_job_start(struct agent *a, uint32_t code,
		     const struct job_full_req *q)
{
	int r;

	if (q)
		a->q = *q;
	a->busy = code;
	a->work.data = a;
	r = uv_queue_work(&a->loop, &a->work, job_work, job_done);
	if (r < 0) {
		a->busy = 0;
		return r;
	}
	uv_timer_start(
	    &a->t_reply, on_reply_late,
	    (uint64_t)(a->conf->agent.prober_timeout_s + PROBER_WATCH_SLACK_S) *
		1000,
	    0);
	return 0;
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
		struct hw_err err = {{0}};

		close(sv[0]);
		r = privsep_drop_prober(&a->ps, &err);
		if (r < 0) {
			core_log_as("kagentd prober", LOG_ERR, "%s", err.msg);
			_exit(1);
		}
		r = prober_watch(sv[1], a->conf);
		_exit(r < 0 ? 1 : 0);
	}
	close(sv[1]);
	a->prober_pid = pid;
	*parent_fd = sv[0];
	return 0;
}

int daemon_prober_open(struct agent *a, int fd)
{
	int r;

	/* One job at a time, and the collector's name resolution: libuv's
	 * default of four pool threads would be two idle stacks.  Read at
	 * the pool's first use; an operator's own setting stays. */
	setenv("UV_THREADPOOL_SIZE", "2", 0);
	/* Each request waits at most the watchdog's deadline and what it
	 * takes to replace a worker. */
	r = prober_client_init(
	    &a->pc, fd,
	    (int64_t)(a->conf->agent.prober_timeout_s + PROBER_WATCH_SLACK_S) *
		1000);
	if (r < 0)
		return r;
	a->job = report_job_new(a->conf, a->host_id, &a->pc);
	if (a->job == NULL)
		return -ENOMEM;
	prober_client_install(true);
	return 0;
}
