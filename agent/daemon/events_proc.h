/* SPDX-License-Identifier: Apache-2.0 */
/*
 * events_proc.h — the kernel's word that the broker's (or ZooKeeper's)
 * Java process exited: a pidfd (pidfd_open(2)) polls readable then.  A
 * pid that is watched cannot be reused unseen, so the process facts
 * (its start time, its command line) hold until the pidfd says it
 * exited.  A new process has no event: kagentd still looks for one on
 * its slow timer while none is watched.
 */
#ifndef KAGENT_EVENTS_PROC_H
#define KAGENT_EVENTS_PROC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

struct events_proc {
	int fd; /* -1: no process watched */
	pid_t pid;
	uv_poll_t poll;
	bool poll_on;
	uint64_t starts; /* on the loop: every watch gets a new generation */
	/* Written on the loop, read by the job on the pool thread. */
	_Atomic uint64_t gen;
};

/* A pidfd for pid; 0 or a negative errno (-ESRCH: no such process,
 * -ENOSYS or -EPERM: the kernel or the sandbox refuses pidfds). */
int events_proc_open(pid_t pid, int *fd);
/* Whether the process exited, waiting at most timeout_ms; 0 or a
 * negative errno. */
int events_proc_exited(int fd, int timeout_ms, bool *exited);

void events_proc_init(struct events_proc *e);
/* Watches pid on loop; 0 or a negative errno (then e stays unwatched
 * and the caller polls as before). */
int events_proc_start(uv_loop_t *loop, struct events_proc *e, pid_t pid);
void events_proc_stop(struct events_proc *e);
/* The generation, or 0 when nothing watches: 0 never matches a kept one. */
uint64_t events_proc_gen(const struct events_proc *e);

#endif
