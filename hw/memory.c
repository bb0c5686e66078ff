/* Memory: what the kernel manages (/proc/meminfo) and what is installed
 * (SMBIOS memory devices, readable by root only). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"

/* Finds "key:   123 kB" at the start of a line and returns the bytes.
 * -ENOENT when the key is absent, -EINVAL when its value is not a
 * number of kB. */
static int meminfo_kb(const char *info, const char *key, int64_t *bytes)
{
	size_t kl = strlen(key);
	const char *l = info;
	char num[32];
	int64_t kb;

	for (; l != NULL; l = strchr(l, '\n')) {
		const char *p, *end;
		size_t n;

		if (*l == '\n')
			l++;
		if (strncmp(l, key, kl) != 0 || l[kl] != ':')
			continue;
		p = l + kl + 1;
		end = strchr(p, '\n');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n < 3 || n >= sizeof num ||
		    strncmp(p + n - 3, " kB", 3) != 0)
			return -EINVAL;
		memcpy(num, p, n - 3);
		num[n - 3] = '\0';
		if (core_parse_i64(num, &kb) < 0 || kb < 0 ||
		    kb > INT64_MAX / 1024)
			return -EINVAL;
		*bytes = kb * 1024;
		return 0;
	}
	return -ENOENT;
}

/* Installed memory is optional: the DMI table is root-only, absent in
 * some VMs, and a table we cannot parse says nothing reliable. */
static void memory_installed(const char *root, struct hw_memory *out)
{
	char path[4096];
	uint64_t sum;
	uint8_t *tbl;
	ssize_t n;

	if (core_path(path, sizeof path, root, "sys/firmware/dmi/tables/DMI") < 0)
		return;
	tbl = malloc(CORE_READ_MAX);
	if (tbl == NULL)
		return;
	n = core_read_file(path, (char *)tbl, CORE_READ_MAX);
	/* A table that fills the buffer may be cut short: not trusted. */
	if (n > 0 && n < CORE_READ_MAX - 1 &&
	    hw_smbios_memory_sum(tbl, (size_t)n, &sum) == 0 && sum <= INT64_MAX)
		out->installed_bytes = (struct hw_num){(int64_t)sum, true};
	free(tbl);
}

int hw_meminfo_probe(const char *root, struct hw_memory *out,
		     struct hw_err *err)
{
	char path[4096], *info;
	int64_t v;
	ssize_t n;
	int r;

	memset(out, 0, sizeof *out);
	r = core_root_check(root, err);
	if (r < 0)
		return r;
	r = core_path(path, sizeof path, root, "proc/meminfo");
	if (r < 0)
		return r;
	info = malloc(CORE_READ_MAX);
	if (info == NULL)
		return -ENOMEM;
	n = core_read_file(path, info, CORE_READ_MAX);
	if (n < 0) {
		r = (int)n;
		core_err_file(err, path, r);
		goto out_free;
	}
	r = meminfo_kb(info, "MemTotal", &v);
	if (r < 0) {
		core_err_set(err, "%s: %s", path,
			   r == -ENOENT ? "no MemTotal line"
					: "MemTotal is not a number of kB");
		r = -EINVAL;
		goto out_free;
	}
	out->total_bytes = (struct hw_num){v, true};
	/* MemAvailable exists since Linux 3.14; without it, unknown. */
	r = meminfo_kb(info, "MemAvailable", &v);
	if (r == 0)
		out->available_bytes = (struct hw_num){v, true};
	else if (r != -ENOENT) {
		core_err_set(err, "%s: MemAvailable is not a number of kB", path);
		goto out_free;
	}
	r = 0;
out_free:
	free(info);
	return r;
}

int hw_memory_probe(const char *root, struct hw_memory *out, struct hw_err *err)
{
	int r = hw_meminfo_probe(root, out, err);

	if (r == 0)
		memory_installed(root, out);
	return r;
}
