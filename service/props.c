/* The grammar of java.util.Properties.load: its LineReader joins natural
 * lines into logical ones, load0 splits key from value, loadConvert
 * resolves escapes.  Each step below is one of those, in the same order,
 * because the subtle cases (a '#' on a continuation line is data, a value
 * keeps its trailing blanks, "\ " in a key is a space) only come out right
 * when the steps are not merged. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"
#include "props.h"

struct reader {
	const unsigned char *p;
	size_t len;
	size_t off;
	unsigned line; /* natural line of p[off] */
};

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\f';
}

/* Consumes the terminator whose first byte c was just read: CR LF is one. */
static void reader_eol(struct reader *r, unsigned char c)
{
	if (c == '\r' && r->off < r->len && r->p[r->off] == '\n')
		r->off++;
	r->line++;
}

/*
 * The next logical line into lb (raw bytes, escapes untouched), its first
 * natural line into *start.  Returns false at the end of input.  Leading
 * blanks of every natural line are dropped; a line whose first other byte
 * is '#' or '!' is a comment to its end, whatever it ends with; an odd
 * number of trailing backslashes joins the next line (an even number is
 * escaped backslashes).  This is the LineReader of Java 9 and later.
 */
static bool reader_next(struct reader *r, unsigned char *lb, size_t *n,
			unsigned *start)
{
	bool skip_ws = true, new_line = true, appended = false, bs = false;
	size_t len = 0;
	unsigned char c;

	for (;;) {
		if (r->off >= r->len) {
			if (len == 0)
				return false;
			if (bs)
				len--;
			*n = len;
			return true;
		}
		c = r->p[r->off++];
		if (skip_ws) {
			if (is_blank(c))
				continue;
			/* Blank lines between entries; but a blank line after
			 * a continuation ends the entry. */
			if (!appended && (c == '\r' || c == '\n')) {
				reader_eol(r, c);
				continue;
			}
			skip_ws = false;
			appended = false;
		}
		if (new_line) {
			new_line = false;
			*start = r->line;
			if (c == '#' || c == '!') {
				while (r->off < r->len &&
				       r->p[r->off] != '\n' &&
				       r->p[r->off] != '\r')
					r->off++;
				skip_ws = true;
				new_line = true;
				continue;
			}
		}
		if (c != '\n' && c != '\r') {
			lb[len++] = c;
			bs = c == '\\' ? !bs : false;
			continue;
		}
		reader_eol(r, c);
		if (!bs) {
			*n = len;
			return true;
		}
		len--;
		bs = false;
		skip_ws = true;
		appended = true;
	}
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Four hex digits at s[i..i+3] of an n-byte span, or -1. */
static long hex4(const unsigned char *s, size_t i, size_t n)
{
	long v = 0;
	int d;

	if (i + 4 > n)
		return -1;
	for (size_t k = 0; k < 4; k++) {
		d = hexval(s[i + k]);
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/*
 * loadConvert: resolves escapes in s[0..n) into a new UTF-8 string.  Java
 * keeps UTF-16 code units; a \uD83D\uDE00 pair is one code point here, and
 * a lone surrogate (no UTF-8 form) becomes U+FFFD as Java's encoder would
 * write it.  Each input byte yields at most 2 output bytes.
 */
static int convert(const unsigned char *s, size_t n, char **out,
		   const char **why)
{
	char *o = malloc(2 * n + 1);
	size_t i = 0, k = 0;
	long u, lo;
	unsigned char c;

	if (o == NULL)
		return -ENOMEM;
	while (i < n) {
		c = s[i++];
		if (c != '\\') {
			k += put_utf8(o + k, c);
			continue;
		}
		if (i == n)
			break; /* the reader drops a final lone '\' */
		c = s[i++];
		switch (c) {
		case 't':
			o[k++] = '\t';
			continue;
		case 'n':
			o[k++] = '\n';
			continue;
		case 'r':
			o[k++] = '\r';
			continue;
		case 'f':
			o[k++] = '\f';
			continue;
		case 'u':
			break;
		default:
			k += put_utf8(o + k, c);
			continue;
		}
		u = hex4(s, i, n);
		if (u < 0) {
			*why = "malformed \\uXXXX escape";
			goto out_inval;
		}
		if (u == 0) {
			*why = "\\u0000 cannot be held in a C string";
			goto out_inval;
		}
		i += 4;
		if (u >= 0xD800 && u <= 0xDBFF && i + 6 <= n && s[i] == '\\' &&
		    s[i + 1] == 'u') {
			lo = hex4(s, i + 2, n);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) +
				    (lo - 0xDC00);
				i += 6;
			}
		}
		if (u >= 0xD800 && u <= 0xDFFF)
			u = 0xFFFD;
		k += put_utf8(o + k, (uint32_t)u);
	}
	o[k] = '\0';
	*out = o;
	return 0;

out_inval:
	free(o);
	return -EINVAL;
}

static int props_put(struct props *p, char *key, char *value, unsigned line)
{
	struct props_entry *nv;

	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->v[i].key, key) == 0) {
			/* Hashtable.put: the last definition wins. */
			free(p->v[i].value);
			free(key);
			p->v[i].value = value;
			p->v[i].line = line;
			return 0;
		}
	}
	if (p->n == PROPS_ENTRIES_MAX)
		return -E2BIG;
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 32;
		nv = realloc(p->v, cap * sizeof *nv);
		if (nv == NULL)
			return -ENOMEM;
		p->v = nv;
		p->cap = cap;
	}
	p->v[p->n].key = key;
	p->v[p->n].value = value;
	p->v[p->n].line = line;
	p->n++;
	return 0;
}

/* name is the file for "file:3: what", or NULL for "line 3: what". */
static void props_errf(struct props_err *err, const char *name, unsigned line,
		       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void props_errf(struct props_err *err, const char *name, unsigned line,
		       const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	err->line = line;
	if (name && line)
		snprintf(err->msg, sizeof err->msg, "%.240s:%u: %s", name, line,
			 what);
	else if (name)
		snprintf(err->msg, sizeof err->msg, "%.240s: %s", name, what);
	else if (line)
		snprintf(err->msg, sizeof err->msg, "line %u: %s", line, what);
	else
		snprintf(err->msg, sizeof err->msg, "%s", what);
}

/* load0: the key ends at the first unescaped '=', ':' or blank; blanks
 * and at most one '='/':' after it are skipped; the rest, trailing blanks
 * included, is the value. */
static int props_entry_add(struct props *p, const unsigned char *lb, size_t n,
			   unsigned line, const char *name,
			   struct props_err *err)
{
	size_t klen = 0, vstart = n;
	bool has_sep = false, bs = false;
	const char *why = NULL;
	char *key = NULL, *value = NULL;
	unsigned char c;
	int r;

	while (klen < n) {
		c = lb[klen];
		if ((c == '=' || c == ':') && !bs) {
			vstart = klen + 1;
			has_sep = true;
			break;
		}
		if (is_blank(c) && !bs) {
			vstart = klen + 1;
			break;
		}
		bs = c == '\\' ? !bs : false;
		klen++;
	}
	while (vstart < n) {
		c = lb[vstart];
		if (!is_blank(c)) {
			if (has_sep || (c != '=' && c != ':'))
				break;
			has_sep = true;
		}
		vstart++;
	}
	r = convert(lb, klen, &key, &why);
	if (r == 0)
		r = convert(lb + vstart, n - vstart, &value, &why);
	if (r == -EINVAL) {
		props_errf(err, name, line, "%s", why);
		goto out_free;
	}
	if (r < 0) {
		props_errf(err, name, line, "out of memory");
		goto out_free;
	}
	if (strlen(key) > PROPS_KEY_MAX) {
		props_errf(err, name, line, "key longer than %d bytes",
			   PROPS_KEY_MAX);
		r = -E2BIG;
		goto out_free;
	}
	if (strlen(value) > PROPS_VALUE_MAX) {
		props_errf(err, name, line,
			   "value of '%.64s' longer than %d bytes", key,
			   PROPS_VALUE_MAX);
		r = -E2BIG;
		goto out_free;
	}
	r = props_put(p, key, value, line);
	if (r == -E2BIG)
		props_errf(err, name, line, "more than %d entries",
			   PROPS_ENTRIES_MAX);
	else if (r < 0)
		props_errf(err, name, line, "out of memory");
	if (r < 0)
		goto out_free;
	return 0;

out_free:
	free(key);
	free(value);
	return r;
}

static int props_parse_named(const char *buf, size_t len, const char *name,
			     struct props *out, struct props_err *err)
{
	struct reader rd = {(const unsigned char *)buf, len, 0, 1};
	unsigned char *lb;
	unsigned start = 1;
	size_t n;
	int r = 0;

	memset(out, 0, sizeof *out);
	if (len > PROPS_FILE_MAX) {
		props_errf(err, name, 0, "larger than %d bytes",
			   PROPS_FILE_MAX);
		return -EFBIG;
	}
	/* A logical line is never longer than the input. */
	lb = malloc(len + 1);
	if (lb == NULL) {
		props_errf(err, name, 0, "out of memory");
		return -ENOMEM;
	}
	while (reader_next(&rd, lb, &n, &start)) {
		r = props_entry_add(out, lb, n, start, name, err);
		if (r < 0) {
			props_free(out);
			break;
		}
	}
	free(lb);
	return r;
}

int props_parse(const char *buf, size_t len, struct props *out,
		struct props_err *err)
{
	return props_parse_named(buf, len, NULL, out, err);
}

int props_load(const char *path, struct props *out, struct props_err *err)
{
	char *buf;
	ssize_t n;
	int r;

	memset(out, 0, sizeof *out);
	/* One byte more than the cap tells an over-size file from a full one.
	 */
	buf = malloc(PROPS_FILE_MAX + 2);
	if (buf == NULL) {
		props_errf(err, path, 0, "out of memory");
		return -ENOMEM;
	}
	n = core_read_file(path, buf, PROPS_FILE_MAX + 2);
	if (n < 0) {
		r = (int)n;
		if (err != NULL) {
			err->line = 0;
			core_file_strerror(err->msg, sizeof err->msg, path, r);
		}
		goto out_free_buf;
	}
	r = props_parse_named(buf, (size_t)n, path, out, err);

out_free_buf:
	free(buf);
	return r;
}

void props_free(struct props *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].key);
		free(p->v[i].value);
	}
	free(p->v);
	memset(p, 0, sizeof *p);
}

const struct props_entry *props_find(const struct props *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].key, key) == 0)
			return &p->v[i];
	return NULL;
}

const char *props_get(const struct props *p, const char *key)
{
	const struct props_entry *e = props_find(p, key);

	return e ? e->value : NULL;
}
