/*
 * prober_allow.h — the paths kagentd's prober opens for the unprivileged
 * side: a fixed list of directories below the configured root (sys/,
 * proc/, the device nodes, etc/, the places Kafka and ZooKeeper are
 * installed and the paths the configuration names for them).  A path is
 * checked as asked (absolute, bounded, UTF-8, no "." or ".." component)
 * and again as the kernel resolved it once opened, so a symlink cannot
 * lead out of the list.
 */
#ifndef KAGENT_PROBER_ALLOW_H
#define KAGENT_PROBER_ALLOW_H

#include <limits.h>
#include <stddef.h>

#include "conf.h"

#define PROBER_ALLOW_MAX 24

struct prober_allow {
	size_t n;
	char dir[PROBER_ALLOW_MAX][PATH_MAX]; /* each ends with '/' */
	char dev[PATH_MAX]; /* root's dev/: block nodes only */
};

/* The list for conf's root and services.  -ENAMETOOLONG when a configured
 * path does not fit. */
int prober_allow_init(struct prober_allow *al, const struct conf *conf);
/* 0 when path may be asked for; -ENAMETOOLONG past PATH_MAX - 1 bytes,
 * -EINVAL when it is not absolute UTF-8 or has a "." or ".." component,
 * -EACCES when it is outside the list. */
int prober_allow_path(const struct prober_allow *al, const char *path);
/* Opens path as the list allows (O_NOFOLLOW on the last component,
 * non-blocking), checks what was opened by its resolved name and type
 * (a node below dev/ must be a block device) and returns 0 and *fd, or
 * a negative errno: -EACCES for a refusal. */
int prober_allow_open(const struct prober_allow *al, const char *path,
		      int flags, int *fd);

#endif
