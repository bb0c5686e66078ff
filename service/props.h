/*
 * props.h — Java .properties files, read the way java.util.Properties.load
 * reads them, so that kagent sees the same keys and values as the Kafka
 * broker or ZooKeeper server that loads the same file.
 *
 * Kafka (Utils.loadProps) and ZooKeeper (QuorumPeerConfig.parse) both call
 * Properties.load(InputStream), which decodes bytes as ISO-8859-1; keys and
 * values here are the UTF-8 encoding of the Java strings they obtain: a
 * byte 0xE9 becomes "é" (C3 A9), and \uXXXX escapes become UTF-8 too.
 */
#ifndef KAGENT_PROPS_H
#define KAGENT_PROPS_H

#include <stdarg.h>
#include <stddef.h>

#include "hw.h"

#define PROPS_FILE_MAX (1 << 20)        /* bytes of input */
#define PROPS_KEY_MAX 1024              /* bytes of a decoded key */
#define PROPS_VALUE_MAX 65536           /* inline JAAS configs run long */
#define PROPS_ENTRIES_MAX 4096

struct props_entry {
	char *key;
	char *value;
	unsigned line;                  /* first line of the last definition */
};

struct props {
	struct props_entry *v;          /* in order of first definition */
	size_t n;
	size_t cap;
};

struct props_err {
	unsigned line;                  /* 0 when the error is not about a line */
	char msg[512];                  /* "file:3: what" or "line 3: what" */
};

/* Parses len bytes (NULs included) into out, which the caller frees with
 * props_free() on success; on failure out is empty and err says why:
 * -EFBIG input over PROPS_FILE_MAX, -E2BIG a key, value or entry count over
 * its bound, -EINVAL a malformed \uXXXX escape or a \u0000 (a C string
 * cannot hold it), -ENOMEM. */
int props_parse(const char *buf, size_t len, struct props *out,
		struct props_err *err);
/* Reads path (below nothing: the caller builds it with core_path) with the
 * PROPS_FILE_MAX cap and parses it; messages start with the path. */
int props_load(const char *path, struct props *out, struct props_err *err);
void props_free(struct props *p);

/* The value of key, NULL when the file does not define it. */
const char *props_get(const struct props *p, const char *key);
const struct props_entry *props_find(const struct props *p, const char *key);

/* ---- props_value.c: helpers for the files built on properties
 * (server.properties, zoo.cfg) ---- */

/* props_load of path below root; full receives the path read (for
 * messages), err the reason on failure. */
int props_load_below(const char *root, const char *path, char *full,
		     size_t fulllen, struct props *out, struct hw_err *err);
/* Java's String.trim of s[0..n): every char up to ' ' goes. */
void props_trim_span(const char *s, size_t n, const char **b, size_t *len);
/* The trimmed span s[0..n) of entry e's value into dst; -E2BIG (err says
 * "FILE:LINE: KEY: value longer than N bytes") when it does not fit. */
int props_copy_span(const char *file, const struct props_entry *e,
		    const char *s, size_t n, char *dst, size_t cap,
		    struct hw_err *err);
/* Records the first value the server would reject as "FILE:LINE: KEY: why"
 * (e NULL: a default derived from unset keys) and counts every one. */
void props_note_invalid(unsigned *count, char *buf, size_t cap,
			const char *file, const struct props_entry *e,
			const char *fmt, va_list ap);

#endif
