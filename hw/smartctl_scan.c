/* SPDX-License-Identifier: Apache-2.0 */
/* smartctl's device scan, parsed with jansson, the grammar every device
 * type and node passes before it reaches smartctl's command line, and the
 * SCSI host each scanned node stands for. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "hw_raw.h"
#include "smartctl_scan.h"

/* A plain decimal from min to max, no sign, no leading zero; *s moves past
 * it.  Never more than five digits, so no overflow. */
static bool take_num(const char **s, long min, long max)
{
	const char *p = *s;
	long v = 0;
	int n = 0;

	while (*p >= '0' && *p <= '9' && n < 6) {
		v = v * 10 + (*p - '0');
		p++;
		n++;
	}
	if (n == 0 || n > 5 || (n > 1 && **s == '0') || v < min || v > max)
		return false;
	*s = p;
	return true;
}

/* prefix then n comma-separated numbers up to max, and nothing else. */
static bool numbered(const char *type, const char *prefix, int n, long max)
{
	size_t k = strlen(prefix);
	const char *p = type;
	int i;

	if (strncmp(p, prefix, k) != 0)
		return false;
	p += k;
	for (i = 0; i < n; i++) {
		if (*p++ != ',' || !take_num(&p, 0, max))
			return false;
	}
	return *p == '\0';
}

bool hw_smartctl_type_is_raid(const char *type)
{
	return numbered(type, "megaraid", 1, 255) ||
	       numbered(type, "sat+megaraid", 1, 255) ||
	       numbered(type, "cciss", 1, 127) ||
	       numbered(type, "aacraid", 3, 255);
}

bool hw_smartctl_type_valid(const char *type)
{
	return hw_smartctl_type_is_raid(type) || strcmp(type, "sat") == 0 ||
	       strcmp(type, "scsi") == 0 || strcmp(type, "nvme") == 0;
}

bool hw_smartctl_node_valid(const char *rel)
{
	const char *p = rel;
	int n = 0;

	if (strncmp(p, "bus/", 4) == 0) {
		p += 4;
		return take_num(&p, 0, 65535) && *p == '\0';
	}
	if (strncmp(p, "sg", 2) == 0) {
		p += 2;
		return take_num(&p, 0, 9999) && *p == '\0';
	}
	if (strncmp(p, "nvme", 4) == 0) {
		p += 4;
		return take_num(&p, 0, 9999) && *p == '\0';
	}
	if (strncmp(p, "sd", 2) != 0)
		return false;
	for (p += 2; *p >= 'a' && *p <= 'z'; p++)
		n++;
	return n >= 1 && n <= 4 && *p == '\0';
}

static bool name_valid(const char *name)
{
	return strncmp(name, "/dev/", 5) == 0 &&
	       hw_smartctl_node_valid(name + 5);
}

int hw_smartctl_scan_parse(const char *json, size_t len,
			   struct hw_smartctl_scan *out, struct hw_err *err)
{
	json_error_t jerr;
	const json_t *d;
	json_t *root;
	size_t i;

	memset(out, 0, sizeof *out);
	root = json_loadb(json, len, 0, &jerr);
	if (root == NULL) {
		core_err_set(err, "smartctl scan JSON: line %d column %d: %s",
			     jerr.line, jerr.column, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		core_err_set(err, "smartctl scan JSON: top level is not an "
				  "object");
		json_decref(root);
		return -EINVAL;
	}
	json_array_foreach(json_object_get(root, "devices"), i, d)
	{
		const char *name = json_string_value(json_object_get(d, "name"));
		const char *type = json_string_value(json_object_get(d, "type"));
		const char *proto =
		    json_string_value(json_object_get(d, "protocol"));
		struct hw_scan_dev *v;

		if (name == NULL || type == NULL || !name_valid(name) ||
		    !hw_smartctl_type_valid(type)) {
			out->refused++;
			continue;
		}
		if (out->n == HW_SCAN_DEVS_MAX)
			break;
		v = &out->v[out->n++];
		snprintf(v->name, sizeof v->name, "%s", name);
		snprintf(v->type, sizeof v->type, "%s", type);
		if (proto != NULL && strlen(proto) < sizeof v->protocol)
			snprintf(v->protocol, sizeof v->protocol, "%s", proto);
	}
	json_decref(root);
	return 0;
}

/* "H:C:T:L", the name a SCSI device's sysfs entry resolves to. */
static int host_of_link(const char *root, const char *rel, int *host)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base, *p;
	ssize_t n;

	if (core_path(path, sizeof path, root, "%s", rel) < 0)
		return -ENAMETOOLONG;
	n = readlink(path, target, sizeof target - 1);
	if (n < 0)
		return -ENOENT;
	target[n] = '\0';
	base = strrchr(target, '/');
	p = base ? base + 1 : target;
	if (!take_num(&p, 0, 65535) || *p != ':')
		return -ENOENT;
	*host = atoi(base ? base + 1 : target);
	return 0;
}

int hw_block_scsi_host(const char *root, const char *disk, int *host)
{
	char rel[96];

	if (strchr(disk, '/') != NULL || strlen(disk) > 32)
		return -EINVAL;
	snprintf(rel, sizeof rel, "sys/block/%s/device", disk);
	return host_of_link(root, rel, host);
}

int hw_scan_scsi_host(const char *root, const char *name, int *host)
{
	const char *rel = name + 5, *p;
	char link[96];

	if (!name_valid(name))
		return -EINVAL;
	if (strncmp(rel, "bus/", 4) == 0) {
		p = rel + 4;
		*host = atoi(p);
		return 0;
	}
	if (strncmp(rel, "sg", 2) == 0) {
		snprintf(link, sizeof link, "sys/class/scsi_generic/%s/device",
			 rel);
		return host_of_link(root, link, host);
	}
	if (strncmp(rel, "sd", 2) == 0)
		return hw_block_scsi_host(root, rel, host);
	return -ENOENT;
}

int hw_smartctl_scan_exec(const char *exe, int timeout_ms, char **json,
			  size_t *len, struct hw_err *err)
{
	char *const argv[] = {"smartctl", "--json=c", "--scan-open", NULL};

	return hw_smartctl_exec_argv(exe, argv, "--scan-open", timeout_ms,
				     json, len, err);
}

int hw_smartctl_typed_exec(const char *exe, const char *node,
			   const char *type, int timeout_ms, char **json,
			   size_t *len, struct hw_err *err)
{
	char what[HW_SCAN_NAME_MAX + HW_SCAN_TYPE_MAX + 8];
	char *const argv[] = {"smartctl",     "--json=c", "-a",
			      "-n",	      "standby",  "-d",
			      (char *)type, (char *)node, NULL};

	*json = NULL;
	*len = 0;
	if (!name_valid(node) || !hw_smartctl_type_valid(type)) {
		core_err_set(err, "smartctl: device %.40s type %.40s refused: "
				  "outside the grammar",
			     node, type);
		return -EINVAL;
	}
	snprintf(what, sizeof what, "-d %s %s", type, node);
	return hw_smartctl_exec_argv(exe, argv, what, timeout_ms, json, len,
				     err);
}

int hw_smartctl_scan_run(int timeout_ms, char **json, size_t *len,
			 struct hw_err *err)
{
	return hw_raw_get()->smartctl_scan(timeout_ms, json, len, err);
}

int hw_smartctl_typed_run(const char *node, const char *type, int timeout_ms,
			  char **json, size_t *len, struct hw_err *err)
{
	*json = NULL;
	*len = 0;
	if (!name_valid(node) || !hw_smartctl_type_valid(type)) {
		core_err_set(err, "smartctl: device %.40s type %.40s refused: "
				  "outside the grammar",
			     node, type);
		return -EINVAL;
	}
	return hw_raw_get()->smartctl_typed(node, type, timeout_ms, json, len,
					    err);
}
