/*
 * core.h — what every kagent program shares: the unknown-able number, the
 * error that names its file, bounded file reading below a root, number
 * parsing and the host roles.  Nothing here measures or decides: hw/,
 * board/, proto/, agent/ and collector/ all build on it.
 *
 * struct hw_num and struct hw_err keep their first names (every probe's
 * signature carries them); the functions carry core_.
 */
#ifndef KAGENT_CORE_H
#define KAGENT_CORE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A number that may be unknown.  Booleans use v = 0/1. */
struct hw_num {
	int64_t v;
	bool known;
};

struct hw_err {
	char msg[512];
};

/* ---- file.c: paths and bounded reads below a root ---- */

/* Largest file a probe reads; sysfs attributes are one page. */
#define CORE_READ_MAX (1 << 20)

int core_path(char *buf, size_t len, const char *root, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* What core_file_open and core_read_file return for a path that is not a
 * regular file (a fifo, a socket, a device, a directory): such a file may
 * never end, or never open.  No open() or read() of a regular file gives
 * this code. */
#define CORE_ENOTREG EMEDIUMTYPE
/* The one way a file is opened for reading: never blocks in open(), and
 * -CORE_ENOTREG unless it is a regular file.  flags adds to O_RDONLY |
 * O_CLOEXEC | O_NOCTTY | O_NONBLOCK, e.g. O_NOFOLLOW. */
int core_file_open(const char *path, int flags, int *fd);
/* Who else may open a file this process may not: called by
 * core_file_open and core_path_exists on EACCES or EPERM with the same
 * path and the flags core_file_open uses; returns 0 and *fd, or a
 * negative errno.  kagentd's unprivileged side sets one that asks its
 * prober; nothing else does, so the kagent CLI opens directly.  Set it
 * before any thread reads. */
typedef int (*core_opener_fn)(const char *path, int flags, int *fd);
void core_file_set_opener(core_opener_fn fn);
/* A directory, read-only, through the opener when open() is refused:
 * 0 and *fd, or a negative errno (-ENOTDIR when it is not one). */
int core_dir_open(const char *path, int *fd);
/* Whether path exists: faccessat (AT_EACCESS), then the opener when
 * the answer was EACCES: a configuration below a directory only its
 * service may search exists for the prober. */
bool core_path_exists(const char *path);
/* Reads at most cap-1 bytes through core_file_open, NUL-terminates, returns
 * the length or -errno. */
ssize_t core_read_file(const char *path, char *buf, size_t cap);
/* "PATH: strerror", or for -CORE_ENOTREG "PATH is a fifo, not a regular
 * file": how every reader words a failed read. */
void core_file_strerror(char *buf, size_t len, const char *path, int r);
void core_err_file(struct hw_err *err, const char *path, int r);
/* First line, trailing whitespace stripped; -errno when unreadable. */
int core_read_line(const char *path, char *buf, size_t cap);
/* A whole-file integer; -EINVAL when the content is not one number. */
int core_read_i64(const char *path, int64_t *out);
int core_parse_i64(const char *s, int64_t *out);
void core_err_set(struct hw_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Checks that root exists and is a directory. */
int core_root_check(const char *root, struct hw_err *err);

/* ---- num.c: numbers and digests ---- */

/* "32GiB", "4 TB", "512": bytes; -EINVAL for anything else, -ERANGE past
 * INT64_MAX. */
int core_parse_size(const char *s, int64_t *out);
/* FNV-1a, 64 bits: a cheap digest to tell "unchanged" from "changed". */
#define CORE_FNV_START 0xcbf29ce484222325ull
uint64_t core_fnv(uint64_t h, const void *data, size_t n);

/* ---- the roles a host declares (kagent.conf's roles, the wire's) ---- */

#define CORE_ROLE_ZOOKEEPER 0x1u
#define CORE_ROLE_KAFKA 0x2u

/* utf8.c: the one UTF-8 decoder.  Length (1 to 4) of the well-formed
 * character at s, its code point in *cp; 0 for an overlong form, a
 * surrogate, a code point above U+10FFFF, a cut sequence or a NUL in it
 * (no read past the string). */
size_t core_utf8_decode(const unsigned char *s, uint32_t *cp);

#endif
