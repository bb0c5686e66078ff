/* SPDX-License-Identifier: Apache-2.0 */
/*
 * events_files.h — the kernel's word that a file kagentd reads (its
 * configuration, the TLS certificate, key and CA, server.properties,
 * zoo.cfg) was written, replaced, changed mode or removed (inotify).
 * The directories are watched, not the files: a file replaced by an
 * atomic rename is a new inode a watch on the old one would never see.
 * An event on another file of a watched directory is not a change.  A
 * lost event (IN_Q_OVERFLOW) or a watched directory that went away
 * makes every file changed: what the events would have said is unknown.
 */
#ifndef KAGENT_EVENTS_FILES_H
#define KAGENT_EVENTS_FILES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define EVENTS_FILES_MAX      16
#define EVENTS_FILES_NAME_MAX 256

struct events_files_entry {
	int wd;				  /* its directory's watch */
	char name[EVENTS_FILES_NAME_MAX]; /* its name in that directory */
};

struct events_files {
	int fd; /* -1: not watched, every job reads the files */
	struct events_files_entry files[EVENTS_FILES_MAX];
	size_t n;
	uv_poll_t poll;
	bool poll_on;
	/* Written on the loop, read by the job on the pool thread. */
	_Atomic uint64_t gen;
};

/* The events that say a file in a directory changed. */
#define EVENTS_FILES_MASK                                                      \
	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |            \
	 IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

void events_files_init(struct events_files *e);
/* An inotify descriptor, non-blocking; 0 or a negative errno. */
int events_files_open(struct events_files *e);
/* Watches the directory of path for path's changes; 0 or a negative
 * errno (-ENOSPC when EVENTS_FILES_MAX files are watched already,
 * -ENAMETOOLONG for a name that does not fit). */
int events_files_add(struct events_files *e, const char *path);
/* Parses len bytes of inotify events: bit i of *changed is set when
 * files[i] changed; every bit of the n files on an overflow or when a
 * watched directory went away.  Pure: no I/O.  0 or -EINVAL for a
 * truncated event. */
int events_files_parse(const struct events_files_entry *files, size_t n,
		       const void *buf, size_t len, uint32_t *changed);
/* Reads every event waiting; *changed as above.  0 or a negative errno
 * (then nothing more can be read). */
int events_files_drain(struct events_files *e, uint32_t *changed);

/* Watches on loop what events_files_add gave; 0 or a negative errno
 * (then e stays unwatched). */
int events_files_start(uv_loop_t *loop, struct events_files *e);
void events_files_stop(struct events_files *e);
/* The generation, or 0 when nothing watches: 0 never matches a kept one. */
uint64_t events_files_gen(const struct events_files *e);

#endif
