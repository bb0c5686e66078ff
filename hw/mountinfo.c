/* /proc/PID/mountinfo: every mount of the host, and which one holds a path.
 *
 * Line format (proc(5), fs/proc_namespace.c show_mountinfo):
 *   ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER
 *
 * The kernel escapes space, tab, newline and backslash in paths as \ooo. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"

/* shared:N, master:N, propagate_from:N and unbindable are all that exists
 * today; room for more before a line counts as malformed. */
#define MI_TOKENS_MAX 32

struct mi_tok {
	const char *s;
	size_t len;
};

static int is_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* Copies a token, decoding \ooo; a backslash not followed by three octal
 * digits is kept as it is, as libmount does.  -ENAMETOOLONG when it does
 * not fit. */
static int mi_copy(char *dst, size_t cap, const struct mi_tok *t)
{
	size_t i = 0, o = 0;

	while (i < t->len) {
		char c = t->s[i];

		if (c == '\\' && i + 3 < t->len && t->s[i + 1] <= '3' &&
		    is_octal(t->s[i + 1]) && is_octal(t->s[i + 2]) &&
		    is_octal(t->s[i + 3])) {
			c = (char)(((t->s[i + 1] - '0') << 6) |
				   ((t->s[i + 2] - '0') << 3) |
				   (t->s[i + 3] - '0'));
			i += 4;
		} else {
			i++;
		}
		if (o + 1 >= cap)
			return -ENAMETOOLONG;
		dst[o++] = c;
	}
	dst[o] = '\0';
	return 0;
}

static int mi_int(const struct mi_tok *t, int *out)
{
	char buf[16];
	int64_t v;

	if (t->len == 0 || t->len >= sizeof buf)
		return -EINVAL;
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	if (buf[0] < '0' || buf[0] > '9' || core_parse_i64(buf, &v) < 0 ||
	    v > 0x7fffffff)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static int mi_devno(const struct mi_tok *t, unsigned int *maj,
		    unsigned int *min)
{
	const char *colon = memchr(t->s, ':', t->len);
	struct mi_tok a, b;
	int x, y;

	if (colon == NULL)
		return -EINVAL;
	a.s = t->s;
	a.len = (size_t)(colon - t->s);
	b.s = colon + 1;
	b.len = t->len - a.len - 1;
	if (mi_int(&a, &x) < 0 || mi_int(&b, &y) < 0)
		return -EINVAL;
	*maj = (unsigned int)x;
	*min = (unsigned int)y;
	return 0;
}

/* Splits on runs of spaces: the kernel writes one, but libmount's sscanf
 * and the procfs Go library accept several, and captured files have them
 * ("1 1 0:5 /  /root ..."). */
static size_t mi_split(const char *line, size_t len, struct mi_tok *tok,
		       size_t max)
{
	size_t i = 0, n = 0;

	while (i < len) {
		while (i < len && line[i] == ' ')
			i++;
		if (i == len)
			break;
		if (n == max)
			return max + 1;
		tok[n].s = line + i;
		while (i < len && line[i] != ' ')
			i++;
		tok[n].len = (size_t)(line + i - tok[n].s);
		n++;
	}
	return n;
}

/* 0: parsed; 1: well formed but a field does not fit (skip it);
 * -EINVAL with err set: malformed. */
static int mi_line(const char *line, size_t len, const char *file,
		   size_t lineno, struct hw_mount *m, struct hw_err *err)
{
	struct mi_tok tok[MI_TOKENS_MAX];
	size_t n, sep;

	n = mi_split(line, len, tok, MI_TOKENS_MAX);
	if (n > MI_TOKENS_MAX) {
		core_err_set(err, "%s:%zu: more than %d fields", file, lineno,
			   MI_TOKENS_MAX);
		return -EINVAL;
	}
	for (sep = 6; sep < n; sep++)
		if (tok[sep].len == 1 && tok[sep].s[0] == '-')
			break;
	if (n < 10 || sep >= n) {
		core_err_set(
		    err,
		    "%s:%zu: expected 'ID PARENT MAJ:MIN ROOT MOUNTPOINT "
		    "OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER'",
		    file, lineno);
		return -EINVAL;
	}
	if (n - sep - 1 != 3) {
		core_err_set(err,
			   "%s:%zu: %zu fields after ' - ', expected 3 (fstype "
			   "source options)",
			   file, lineno, n - sep - 1);
		return -EINVAL;
	}
	memset(m, 0, sizeof *m);
	if (mi_int(&tok[0], &m->id) < 0 || mi_int(&tok[1], &m->parent_id) < 0) {
		core_err_set(err,
			   "%s:%zu: mount ID and parent ID must be numbers",
			   file, lineno);
		return -EINVAL;
	}
	if (mi_devno(&tok[2], &m->major, &m->minor) < 0) {
		core_err_set(err, "%s:%zu: '%.*s' is not MAJOR:MINOR", file,
			   lineno, (int)tok[2].len, tok[2].s);
		return -EINVAL;
	}
	if (tok[4].s[0] != '/') {
		core_err_set(err, "%s:%zu: mount point '%.*s' is not absolute",
			   file, lineno, (int)tok[4].len, tok[4].s);
		return -EINVAL;
	}
	if (mi_copy(m->path, sizeof m->path, &tok[4]) < 0 ||
	    mi_copy(m->options, sizeof m->options, &tok[5]) < 0 ||
	    mi_copy(m->fstype, sizeof m->fstype, &tok[sep + 1]) < 0 ||
	    mi_copy(m->source, sizeof m->source, &tok[sep + 2]) < 0 ||
	    mi_copy(m->super_options, sizeof m->super_options, &tok[sep + 3]) <
		0)
		return 1;
	return 0;
}

int hw_mounts_parse(const char *text, const char *file, struct hw_mount **out,
		    size_t *n, size_t *skipped, struct hw_err *err)
{
	struct hw_mount *v = NULL, *nv;
	size_t cnt = 0, cap = 0, skip = 0, lineno = 0;
	const char *p = text;
	int r = 0;

	*out = NULL;
	*n = 0;
	*skipped = 0;
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		lineno++;
		if (len > 0) {
			if (cnt == cap) {
				cap = cap ? cap * 2 : 32;
				nv = realloc(v, cap * sizeof *v);
				if (nv == NULL) {
					core_err_set(err, "%s: out of memory",
						   file);
					r = -ENOMEM;
					goto out_free;
				}
				v = nv;
			}
			r = mi_line(p, len, file, lineno, &v[cnt], err);
			if (r < 0)
				goto out_free;
			if (r == 1)
				skip++;
			else
				cnt++;
			r = 0;
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	*out = v;
	*n = cnt;
	*skipped = skip;
	return 0;

out_free:
	free(v);
	return r;
}

int hw_mounts_read(const char *root, struct hw_mount **out, size_t *n,
		   size_t *skipped, struct hw_err *err)
{
	static const char *const files[] = {"proc/self/mountinfo",
					    "proc/1/mountinfo"};
	char path[4096], first[4096 + 64] = "";
	char *buf;
	ssize_t len = -ENOENT;
	size_t i;
	int r;

	buf = malloc(CORE_READ_MAX);
	if (buf == NULL) {
		core_err_set(err, "mountinfo: out of memory");
		return -ENOMEM;
	}
	/* proc/self is the reader's view; pid 1's is the host's when we run in
	 * a mount namespace of our own that lacks /proc/self. */
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		r = core_path(path, sizeof path, root, "%s", files[i]);
		if (r < 0) {
			core_err_set(err, "%s/%s: path too long", root, files[i]);
			goto out_free;
		}
		len = core_read_file(path, buf, CORE_READ_MAX);
		if (len >= 0)
			break;
		if (i == 0)
			core_file_strerror(first, sizeof first, path, (int)len);
	}
	if (len < 0) {
		char last[sizeof first];

		core_file_strerror(last, sizeof last, path, (int)len);
		core_err_set(err, "%s; %s", first, last);
		r = (int)len;
		goto out_free;
	}
	if ((size_t)len >= CORE_READ_MAX - 1) {
		core_err_set(err, "%s: larger than %d bytes", path,
			   CORE_READ_MAX - 1);
		r = -EFBIG;
		goto out_free;
	}
	r = hw_mounts_parse(buf, path, out, n, skipped, err);
out_free:
	free(buf);
	return r;
}

void hw_mounts_free(struct hw_mount *mounts)
{
	free(mounts);
}

/* Length of mount point mp when it holds path as whole components, else 0
 * ("/var/lib/kafka" holds "/var/lib/kafka/x", not "/var/lib/kafka2"). */
static size_t mount_holds(const char *mp, const char *path, size_t plen)
{
	size_t mlen = strlen(mp);

	while (mlen > 1 && mp[mlen - 1] == '/')
		mlen--;
	if (mlen == 1)
		return 1;
	if (mlen > plen || strncmp(mp, path, mlen) != 0)
		return 0;
	if (plen == mlen || path[mlen] == '/')
		return mlen;
	return 0;
}

static int disk_has_mount(const struct hw_disk *d, int id)
{
	size_t i;

	for (i = 0; i < d->n_mounts; i++)
		if (d->mounts[i].id == id)
			return 1;
	return 0;
}

int hw_disks_find_mount_for_path(const struct hw_disks *disks, const char *path,
				 const struct hw_mount **mount,
				 const struct hw_disk **on, size_t cap,
				 size_t *n_on)
{
	const struct hw_mount *best = NULL;
	size_t i, plen, blen = 0, l;

	*mount = NULL;
	*n_on = 0;
	if (path == NULL || path[0] != '/')
		return -EINVAL;
	plen = strlen(path);
	while (plen > 1 && path[plen - 1] == '/')
		plen--;
	/* mountinfo lists mounts in mount order: on equal length the later
	 * one is on top and is the one the path reaches. */
	for (i = 0; i < disks->n_mounts; i++) {
		l = mount_holds(disks->mounts[i].path, path, plen);
		if (l > 0 && l >= blen) {
			best = &disks->mounts[i];
			blen = l;
		}
	}
	if (best == NULL)
		return -ENOENT;
	*mount = best;
	for (i = 0; i < disks->n && *n_on < cap; i++)
		if (disk_has_mount(&disks->v[i], best->id))
			on[(*n_on)++] = &disks->v[i];
	return 0;
}
