/*
 * prober_client.h — the unprivileged side's channel to the prober: one
 * request at a time, blocking, each answer within a deadline, used by the
 * one thread that runs the loop's jobs.  prober_client_install routes
 * core_file_open's refused opens and hw/'s privileged reads through it.
 */
#ifndef KAGENT_PROBER_CLIENT_H
#define KAGENT_PROBER_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon.h"

struct prober_client {
	int fd;
	int64_t timeout_ms; /* per request */
	uint32_t job;	    /* the job being served, named in requests */
	int dead;	    /* 0, or why the channel is unusable */
	unsigned restarts;  /* answers -PROBER_RESTARTED, ever */
	char last_error[256];
	uint8_t *buf; /* the last answer's body */
	size_t len;
};

/* fd: the socket to the prober (blocking or not); the process ignores
 * SIGPIPE, as kagentd does.  -ENOMEM. */
int prober_client_init(struct prober_client *pc, int fd, int64_t timeout_ms);
void prober_client_free(struct prober_client *pc);
/*
 * One round trip.  0: the answer is pc->buf, pc->len bytes, and for
 * PROBER_OPEN the descriptor in *fd.  The prober's refusal: its negative
 * status, its message in msg.  The channel's failures mark it dead and
 * are returned by every later call: -EPIPE (the prober closed, a reply
 * cut short), -ETIMEDOUT, -EPROTO (an answer to another request, or a
 * descriptor where none belongs), -EMSGSIZE (an answer longer than its
 * request allows).
 */
int prober_call(struct prober_client *pc, uint32_t code, const void *body,
		uint32_t len, int *fd, char *msg, size_t msglen);
/* core_file_set_opener and hw_raw_set, process-wide, through the client
 * bound to the calling thread (false: undo).  A thread with none bound
 * opens and reads as if they were not set. */
void prober_client_install(bool on);
/* Binds pc to the calling thread, for the job it runs (NULL: unbind). */
void prober_client_bind(struct prober_client *pc);

#endif
