/* The collector's limits and its user, one table for the configuration
 * file's keys and the command line's flags (--max-pending is
 * max_pending): one parser, one set of bounds, one message. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "collector.h"
#include "core.h"

enum kind { SECONDS, COUNT, SIZE };

static const struct limit {
	const char *key;
	enum kind kind;
	size_t offset;
	int64_t min, max;
} limits[] = {
    {"handshake_timeout", SECONDS,
     offsetof(struct coll_config, handshake_timeout_ms), 1, 3600},
    {"http_timeout", SECONDS, offsetof(struct coll_config, http_timeout_ms),
     1, 3600},
    {"max_pending", COUNT, offsetof(struct coll_config, max_pending), 1,
     1000000},
    {"max_pending_per_address", COUNT,
     offsetof(struct coll_config, max_pending_per_address), 1, 1000000},
    /* Below one whole frame no agent could ever send its report. */
    {"max_partial_bytes", SIZE, offsetof(struct coll_config, max_partial_bytes),
     PROTO_FRAME_MAX, INT64_C(1) << 40},
    {"max_partial_bytes_per_identity", SIZE,
     offsetof(struct coll_config, max_partial_bytes_per_identity),
     PROTO_FRAME_MAX, INT64_C(1) << 40},
};

void coll_config_limits_defaults(struct coll_config *cfg)
{
	snprintf(cfg->user, sizeof cfg->user, "kagent-collector");
	cfg->handshake_timeout_ms = 5000;
	cfg->http_timeout_ms = 10000;
	cfg->max_pending = 256;
	cfg->max_pending_per_address = 32;
	cfg->max_partial_bytes = UINT64_C(64) << 20;
	cfg->max_partial_bytes_per_identity = UINT64_C(4) << 20;
}

static int set_limit(struct coll_config *cfg, const struct limit *d,
		     const char *v, char *msg, size_t msglen)
{
	char *p = (char *)cfg + d->offset;
	int64_t n;
	int r;

	r = d->kind == SIZE ? core_parse_size(v, &n) : core_parse_i64(v, &n);
	if (r < 0 || n < d->min || n > d->max) {
		snprintf(msg, msglen, "'%s' must be %s from %lld to %lld, not '%s'",
			 d->key,
			 d->kind == SECONDS ? "whole seconds"
			 : d->kind == SIZE  ? "a size (such as 4MiB)"
					    : "a count",
			 (long long)d->min, (long long)d->max, v);
		return 0;
	}
	if (d->kind == SECONDS)
		*(unsigned *)p = (unsigned)n * 1000;
	else if (d->kind == COUNT)
		*(unsigned *)p = (unsigned)n;
	else
		*(uint64_t *)p = (uint64_t)n;
	return 1;
}

int coll_config_limit_set(struct coll_config *cfg, const char *key,
			  const char *v, char *msg, size_t msglen)
{
	size_t i;

	if (strcmp(key, "user") == 0) {
		if (v[0] == '\0' || strlen(v) >= sizeof cfg->user) {
			snprintf(msg, msglen,
				 "'user' must be a login name of 1 to %zu "
				 "bytes, not '%s'",
				 sizeof cfg->user - 1, v);
			return 0;
		}
		memcpy(cfg->user, v, strlen(v) + 1);
		return 1;
	}
	for (i = 0; i < sizeof limits / sizeof limits[0]; i++)
		if (strcmp(key, limits[i].key) == 0)
			return set_limit(cfg, &limits[i], v, msg, msglen);
	return -1;
}

/* A limit's value as written in the file: seconds, a count, bytes. */
static long long limit_value(const struct coll_config *cfg,
			     const struct limit *d)
{
	const char *p = (const char *)cfg + d->offset;

	if (d->kind == SECONDS)
		return (long long)(*(const unsigned *)p / 1000);
	if (d->kind == COUNT)
		return (long long)*(const unsigned *)p;
	return (long long)*(const uint64_t *)p;
}

int coll_config_diff_add(char *out, size_t len, int n, const char *key,
			 long long a, long long b)
{
	size_t used;

	if (a == b)
		return n;
	if (n == 0 && len)
		out[0] = '\0';
	used = strnlen(out, len);
	if (used < len)
		snprintf(out + used, len - used, "%s%s %lld -> %lld",
			 n ? ", " : "", key, a, b);
	return n + 1;
}

int coll_config_limits_diff(const struct coll_config *was,
			    const struct coll_config *now, char *out,
			    size_t len)
{
	size_t i;
	int n = 0;

	if (len)
		out[0] = '\0';
	for (i = 0; i < sizeof limits / sizeof limits[0]; i++)
		n = coll_config_diff_add(out, len, n, limits[i].key,
					 limit_value(was, &limits[i]),
					 limit_value(now, &limits[i]));
	return n;
}
