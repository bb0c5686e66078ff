/* SPDX-License-Identifier: Apache-2.0 */
/* The prober's two requests for the disks behind RAID controllers: the
 * scan, and smartctl on one of them with its device type.  The type and
 * the node are checked against smartctl_scan.h's grammar (megaraid,N,
 * cciss,N, aacraid,H,L,ID, sat+megaraid,N, sat, scsi, nvme; /dev/bus/N,
 * /dev/sdX, /dev/sgN, /dev/nvmeN) and smartctl's argv is built here,
 * never through a shell.  Answers are kept per device ([smart]
 * raid_cache), each run bounded ([smart] timeout). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "prober_io.h"
#include "smartctl.h"
#include "smartctl_cache.h"

struct hw_smartctl_cache *prober_raid_cache_new(const struct conf *conf)
{
	struct hw_smartctl_cache *c = malloc(sizeof *c);

	if (c != NULL)
		hw_smartctl_cache_init(c, NULL, conf->smart.raid_cache_s * 1000,
				       (int)conf->smart.timeout_s * 1000);
	return c;
}

void prober_raid_cache_free(struct hw_smartctl_cache *c)
{
	if (c == NULL)
		return;
	hw_smartctl_cache_free(c);
	free(c);
}

int prober_raid_answer(struct hw_smartctl_cache *c, uint32_t code,
		       const char *body, size_t len, char **json,
		       size_t *jlen, char *msg, size_t cap)
{
	struct hw_err err = {{0}};
	const char *type = body, *node, *end;
	int r;

	*json = NULL;
	*jlen = 0;
	if (code == PROBER_SMARTCTL_SCAN) {
		if (len != 0) {
			snprintf(msg, cap, "smartctl scan takes no body");
			return -EINVAL;
		}
		r = hw_smartctl_cache_scan(c, prober_mono_ms(), json, jlen,
					   &err);
		goto out;
	}
	/* Exactly two strings, each with its NUL, nothing after. */
	end = len ? memchr(body, '\0', len) : NULL;
	if (end == NULL || (size_t)(end - body) + 1 >= len ||
	    memchr(end + 1, '\0', len - (size_t)(end - body) - 1) !=
		body + len - 1) {
		snprintf(msg, cap, "typed smartctl: body is not TYPE NODE");
		return -EINVAL;
	}
	node = end + 1;
	if (!hw_smartctl_type_valid(type) ||
	    strncmp(node, "/dev/", 5) != 0 ||
	    !hw_smartctl_node_valid(node + 5)) {
		/* Neither is printed: they failed the grammar. */
		snprintf(msg, cap, "typed smartctl refused: device type or "
				   "node outside the grammar");
		return -EACCES;
	}
	r = hw_smartctl_cache_typed(c, prober_mono_ms(), node, type, json,
				    jlen, &err);
out:
	if (r == 0 && *jlen > HW_SMARTCTL_OUT_MAX) {
		free(*json);
		*json = NULL;
		r = -EFBIG;
		snprintf(err.msg, sizeof err.msg, "smartctl: output too large");
	}
	if (r < 0)
		snprintf(msg, cap, "%s", err.msg);
	return r;
}
