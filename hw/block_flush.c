/* A block device's flush counters: sys/block/NAME/stat's fields 16 and 17,
 * the flush requests the device completed and the milliseconds it spent
 * on them.
 *
 * The kernel counts there only the flushes a request-based device (a
 * disk, an NVMe namespace, null_blk) carries out: md and dm pass a flush
 * down to their members and count none themselves, so the figure that
 * means something is the physical disk's.  Linux 5.5 added the two fields
 * (Documentation/ABI/testing/procfs-diskstats); before it the file has 11
 * (up to 4.18) or 15 fields (4.18 to 5.4, discards), and the counts are
 * unknown, never 0. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"

/* 17 fields of at most 20 digits and their spaces: one line well below
 * this; more is not the kernel's stat file. */
#define STAT_MAX 1024
/* Later kernels may append fields; the first 17 keep their meaning. */
#define STAT_FIELDS_MAX 32

static int name_valid(const char *name)
{
	size_t l = strlen(name);

	return l > 0 && l < HW_DISKNAME_MAX && strchr(name, '/') == NULL &&
	       strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

int hw_flush_parse(const char *text, const char *file, struct hw_flush *out,
		   struct hw_err *err)
{
	uint64_t v[STAT_FIELDS_MAX];
	const char *p = text;
	unsigned n = 0;

	out->known = false;
	out->n_fields = 0;
	out->flushes = out->ms = 0;
	for (;;) {
		char *end;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' && p[1] == '\0')
			p++;
		if (*p == '\0')
			break;
		if (*p < '0' || *p > '9') {
			core_err_set(err, "%s: field %u is not a number", file,
				     n + 1);
			return -EINVAL;
		}
		if (n == STAT_FIELDS_MAX) {
			core_err_set(err, "%s: more than %d fields", file,
				     STAT_FIELDS_MAX);
			return -EINVAL;
		}
		errno = 0;
		v[n] = strtoull(p, &end, 10);
		if (errno == ERANGE || (*end != ' ' && *end != '\t' &&
					*end != '\n' && *end != '\0')) {
			core_err_set(err,
				     "%s: field %u is not a number below "
				     "2^64",
				     file, n + 1);
			return -EINVAL;
		}
		n++;
		p = end;
	}
	out->n_fields = n;
	if (n == 11 || n == 15)
		return 0;
	if (n < 17) {
		core_err_set(err,
			     "%s: %u fields, not the kernel's 11, 15 or "
			     "17",
			     file, n);
		return -EINVAL;
	}
	out->flushes = v[15];
	out->ms = v[16];
	out->known = true;
	return 0;
}

int hw_flush_read(const char *root, const char *name, struct hw_flush *out,
		  struct hw_err *err)
{
	char path[4096], buf[STAT_MAX];
	ssize_t len;
	int r;

	memset(out, 0, sizeof *out);
	if (!name_valid(name)) {
		core_err_set(err, "sys/block/%.*s: not a block device name",
			     HW_DISKNAME_MAX, name);
		return -EINVAL;
	}
	snprintf(out->name, sizeof out->name, "%s", name);
	if (core_path(path, sizeof path, root, "sys/block/%s/stat", name) < 0) {
		core_err_set(err, "%s/sys/block/%s/stat: path too long", root,
			     name);
		return -ENAMETOOLONG;
	}
	len = core_read_file(path, buf, sizeof buf);
	if (len < 0) {
		core_err_file(err, path, (int)len);
		return (int)len;
	}
	if ((size_t)len >= sizeof buf - 1) {
		core_err_set(err, "%s: larger than %zu bytes", path,
			     sizeof buf - 2);
		return -EFBIG;
	}
	if (memchr(buf, '\0', (size_t)len) != NULL) {
		core_err_set(err, "%s: holds a NUL byte", path);
		return -EINVAL;
	}
	r = hw_flush_parse(buf, path, out, err);
	snprintf(out->name, sizeof out->name, "%s", name);
	return r;
}
