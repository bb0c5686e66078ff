/* Parsers of ZooKeeper's four-letter-word replies.  Pure functions over the
 * bytes read from the socket, so that replies captured from real servers
 * test them. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zk_probe.h"

#define ZK_LINE_MAX 512

static const char not_allowed_tail[] =
    " is not executed because it is not in the whitelist.";
static const char not_serving[] =
    "This ZooKeeper instance is not currently serving requests";

void zk_status_init(struct zk_status *st)
{
	memset(st, 0, sizeof *st);
	st->state = ZK_UNKNOWN;
}

const char *zk_state_name(enum zk_state state)
{
	switch (state) {
	case ZK_UNKNOWN:
		return "unknown";
	case ZK_RUNNING:
		return "running";
	case ZK_NOT_RUNNING:
		return "not_running";
	case ZK_NOT_ALLOWED:
		return "not_allowed";
	case ZK_ERROR:
		return "error";
	}
	return "unknown";
}

/* NOT_RUNNING is only ever set by the client, before any reply exists; it
 * ranks highest so that nothing read later can contradict it. */
static int state_rank(enum zk_state s)
{
	switch (s) {
	case ZK_UNKNOWN:
		return 0;
	case ZK_NOT_ALLOWED:
		return 1;
	case ZK_RUNNING:
		return 2;
	case ZK_ERROR:
		return 3;
	case ZK_NOT_RUNNING:
		return 4;
	}
	return 0;
}

void zk_status_set(struct zk_status *st, enum zk_state state, const char *fmt,
		   ...)
{
	va_list ap;

	if (state_rank(state) <= state_rank(st->state))
		return;
	st->state = state;
	va_start(ap, fmt);
	vsnprintf(st->reason, sizeof st->reason, fmt, ap);
	va_end(ap);
}

/* Copies the first line of a reply, printable ASCII only, for a reason. */
static void quote_first_line(const char *buf, size_t len, char *out, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 1 < cap && n < 60; i++) {
		if (buf[i] == '\n' || buf[i] == '\r')
			break;
		out[n++] = isprint((unsigned char)buf[i]) ? buf[i] : '?';
	}
	out[n] = '\0';
}

static bool reply_starts(const char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	return len >= n && memcmp(buf, s, n) == 0;
}

/* "<word> is not executed because it is not in the whitelist." */
static bool reply_refused(const char *buf, size_t len, const char *word)
{
	size_t wl = strlen(word), tl = strlen(not_allowed_tail);

	return len >= wl + tl && memcmp(buf, word, wl) == 0 &&
	       memcmp(buf + wl, not_allowed_tail, tl) == 0;
}

static void note_refused(struct zk_status *st, const char *word)
{
	size_t rl;

	if (st->state == ZK_NOT_ALLOWED) {
		rl = strlen(st->reason);
		snprintf(st->reason + rl, sizeof st->reason - rl, ", %s", word);
		return;
	}
	zk_status_set(st, ZK_NOT_ALLOWED,
		      "4lw.commands.whitelist of the server refuses %s", word);
}

static int reply_not_understood(struct zk_status *st, const char *word,
				const char *buf, size_t len)
{
	char q[64];

	quote_first_line(buf, len, q, sizeof q);
	zk_status_set(st, ZK_ERROR, "%s reply not understood: \"%s\"", word, q);
	return -EINVAL;
}

/* Both srvr and mntr say so while a quorum member looks for a leader or
 * syncs with it; ruok still answers imok then. */
static bool reply_not_serving(const char *buf, size_t len, struct zk_status *st)
{
	if (!reply_starts(buf, len, not_serving))
		return false;
	zk_status_set(st, ZK_ERROR,
		      "server is not currently serving requests "
		      "(no quorum, or still starting)");
	return true;
}

int zk_parse_ruok(const char *buf, size_t len, struct zk_status *st)
{
	if (reply_refused(buf, len, "ruok")) {
		note_refused(st, "ruok");
		return 0;
	}
	/* Older servers end it with nothing, some proxies with a newline. */
	if (len >= 4 && memcmp(buf, "imok", 4) == 0 &&
	    (len == 4 || (len == 5 && buf[4] == '\n'))) {
		st->imok = true;
		st->ruok_allowed = true;
		zk_status_set(st, ZK_RUNNING, "%s", "");
		return 0;
	}
	return reply_not_understood(st, "ruok", buf, len);
}

/* ---- values ---- */

/* A negative number is no count (mntr writes -1 for sizes it has not
 * measured yet): the value stays unknown rather than becoming -1. */
static int parse_i64(const char *s, struct hw_num *out)
{
	int64_t v;
	int r;

	r = core_parse_i64(s, &v);
	if (r < 0)
		return r;
	if (v < 0)
		return 0;
	out->v = v;
	out->known = true;
	return 0;
}

/* Zxid: "0x100000002", epoch in the high 32 bits. */
static int parse_hex(const char *s, struct hw_num *out)
{
	unsigned long long v;
	char *end;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') ||
	    !isxdigit((unsigned char)s[2]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s + 2, &end, 16);
	if (errno == ERANGE || v > INT64_MAX)
		return -ERANGE;
	if (*end != '\0')
		return -EINVAL;
	out->v = (int64_t)v;
	out->known = true;
	return 0;
}

/* Milliseconds with decimals ("0.7561", "12", "3.0") to whole microseconds,
 * rounded half up, without floating point so the result is exact to test. */
static int parse_ms_to_us(const char *s, struct hw_num *out)
{
	static const int64_t us_per_digit[] = {100, 10, 1};
	int64_t ms = 0, us = 0;
	const char *p = s;
	size_t nd;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		if (ms > INT64_MAX / 10000)
			return -ERANGE;
		ms = ms * 10 + (*p - '0');
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (nd = 0; isdigit((unsigned char)*p); p++, nd++) {
			if (nd < 3)
				us += (*p - '0') * us_per_digit[nd];
			else if (nd == 3 && *p >= '5')
				us++;
		}
	}
	if (*p != '\0')
		return -EINVAL;
	out->v = ms * 1000 + us;
	out->known = true;
	return 0;
}

/* "3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC" -> "3.8.0";
 * "3.4.6-1569965, built on ..." -> "3.4.6"; "3.5.0-beta" stays whole. */
static void parse_version(const char *s, char *out, size_t cap)
{
	size_t n = strcspn(s, ", ");
	const char *dash;
	size_t i, tail;
	bool hex = true;

	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	dash = strrchr(out, '-');
	if (dash == NULL)
		return;
	tail = strlen(dash + 1);
	for (i = 0; i < tail; i++)
		hex = hex && isxdigit((unsigned char)dash[1 + i]);
	if ((hex && tail >= 7) || strncmp(dash + 1, "${", 2) == 0)
		out[dash - out] = '\0';
}

static void parse_mode(const char *s, char *out, size_t cap)
{
	static const char *const modes[] = {
	    "leader", "follower", "standalone", "observer", "read-only",
	};
	size_t i;

	out[0] = '\0';
	for (i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (strcmp(s, modes[i]) == 0)
			snprintf(out, cap, "%s", modes[i]);
}

/* The next complete line of buf, \r stripped, or NULL at the end.  A line
 * without its newline is dropped: the server ends every line with one, so
 * it is a cut reply, and a cut number would read as a wrong one.  A line
 * too long for the buffer is returned empty (no key we read is that long). */
static const char *next_line(const char *p, const char *end, char *line)
{
	const char *nl;
	size_t n;

	if (p >= end)
		return NULL;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl == NULL)
		return NULL;
	n = (size_t)(nl - p);
	while (n > 0 && p[n - 1] == '\r')
		n--;
	if (n >= ZK_LINE_MAX || memchr(p, '\0', n) != NULL)
		n = 0;
	memcpy(line, p, n);
	line[n] = '\0';
	return nl + 1;
}

/* ---- srvr ---- */

/* "Latency min/avg/max: 0/0.0/0" */
static int parse_latency(char *v, struct zk_status *st)
{
	char *avg, *max;
	int r;

	avg = strchr(v, '/');
	max = avg ? strchr(avg + 1, '/') : NULL;
	if (max == NULL)
		return -EINVAL;
	*avg++ = '\0';
	*max++ = '\0';
	r = parse_ms_to_us(v, &st->latency_min_us);
	if (r == 0)
		r = parse_ms_to_us(avg, &st->latency_avg_us);
	if (r == 0)
		r = parse_ms_to_us(max, &st->latency_max_us);
	return r;
}

int zk_parse_srvr(const char *buf, size_t len, struct zk_status *st)
{
	const char *p = buf, *end = buf + len;
	char line[ZK_LINE_MAX];
	bool have_version = false, have_mode = false;
	char *v;
	int r = 0;

	if (reply_refused(buf, len, "srvr")) {
		note_refused(st, "srvr");
		return 0;
	}
	if (reply_not_serving(buf, len, st))
		return 0;
	while (r == 0 && (p = next_line(p, end, line)) != NULL) {
		v = strstr(line, ": ");
		if (v == NULL)
			continue;
		*v = '\0';
		v += 2;
		if (strcmp(line, "Zookeeper version") == 0) {
			parse_version(v, st->version, sizeof st->version);
			have_version = true;
		} else if (strcmp(line, "Latency min/avg/max") == 0) {
			r = parse_latency(v, st);
		} else if (strcmp(line, "Received") == 0) {
			r = parse_i64(v, &st->received);
		} else if (strcmp(line, "Sent") == 0) {
			r = parse_i64(v, &st->sent);
		} else if (strcmp(line, "Connections") == 0) {
			r = parse_i64(v, &st->connections);
		} else if (strcmp(line, "Outstanding") == 0) {
			r = parse_i64(v, &st->outstanding);
		} else if (strcmp(line, "Zxid") == 0) {
			r = parse_hex(v, &st->zxid);
		} else if (strcmp(line, "Mode") == 0) {
			parse_mode(v, st->mode, sizeof st->mode);
			have_mode = true;
		} else if (strcmp(line, "Node count") == 0) {
			r = parse_i64(v, &st->node_count);
		}
	}
	if (r < 0 || !have_version || !have_mode)
		return reply_not_understood(st, "srvr", buf, len);
	st->srvr_allowed = true;
	zk_status_set(st, ZK_RUNNING, "%s", "");
	return 0;
}

/* ---- mntr ---- */

enum mntr_kind { MNTR_I64, MNTR_MS, MNTR_VERSION, MNTR_MODE };

struct mntr_key {
	const char *key;
	enum mntr_kind kind;
	size_t off;
};

#define NUM(k, f)                                                              \
	{                                                                      \
		k, MNTR_I64, offsetof(struct zk_status, f)                     \
	}
#define MS(k, f)                                                               \
	{                                                                      \
		k, MNTR_MS, offsetof(struct zk_status, f)                      \
	}

static const struct mntr_key mntr_keys[] = {
    {"zk_version", MNTR_VERSION, 0},
    {"zk_server_state", MNTR_MODE, 0},
    NUM("zk_num_alive_connections", connections),
    NUM("zk_outstanding_requests", outstanding),
    NUM("zk_znode_count", node_count),
    NUM("zk_packets_received", received),
    NUM("zk_packets_sent", sent),
    MS("zk_min_latency", latency_min_us),
    MS("zk_avg_latency", latency_avg_us),
    MS("zk_max_latency", latency_max_us),
    /* zk_followers up to 3.5, zk_learners from 3.6: the same count */
    NUM("zk_followers", followers),
    NUM("zk_learners", followers),
    NUM("zk_synced_followers", synced_followers),
    NUM("zk_pending_syncs", pending_syncs),
    NUM("zk_open_file_descriptor_count", open_fds),
    NUM("zk_max_file_descriptor_count", max_fds),
    NUM("zk_ephemerals_count", ephemerals),
    NUM("zk_watch_count", watches),
    NUM("zk_approximate_data_size", data_bytes),
    /* 3.6+ export the fsync time summary of FileTxnLog (ms); the count of
     * fsyncs over fsync.warningthresholdms where a version prints it. */
    MS("zk_avg_fsynctime", fsync_avg_us),
    MS("zk_max_fsynctime", fsync_max_us),
    NUM("zk_cnt_fsynctime", fsync_count),
    NUM("zk_fsync_threshold_exceed_count", fsync_threshold_exceeded),
};

static int mntr_line(char *line, struct zk_status *st, bool *have_state)
{
	const struct mntr_key *k;
	char *v = strchr(line, '\t');
	size_t i;

	if (v == NULL)
		return 0;
	*v++ = '\0';
	for (i = 0; i < sizeof mntr_keys / sizeof mntr_keys[0]; i++) {
		k = &mntr_keys[i];
		if (strcmp(line, k->key) != 0)
			continue;
		switch (k->kind) {
		case MNTR_VERSION:
			parse_version(v, st->version, sizeof st->version);
			return 0;
		case MNTR_MODE:
			parse_mode(v, st->mode, sizeof st->mode);
			*have_state = true;
			return 0;
		case MNTR_I64:
			return parse_i64(
			    v, (struct hw_num *)((char *)st + k->off));
		case MNTR_MS:
			return parse_ms_to_us(
			    v, (struct hw_num *)((char *)st + k->off));
		}
	}
	return 0;
}

int zk_parse_mntr(const char *buf, size_t len, struct zk_status *st)
{
	const char *p = buf, *end = buf + len;
	char line[ZK_LINE_MAX];
	bool have_state = false;
	int r = 0;

	if (reply_refused(buf, len, "mntr")) {
		note_refused(st, "mntr");
		return 0;
	}
	if (reply_not_serving(buf, len, st))
		return 0;
	while (r == 0 && (p = next_line(p, end, line)) != NULL)
		r = mntr_line(line, st, &have_state);
	if (r < 0 || !have_state)
		return reply_not_understood(st, "mntr", buf, len);
	st->mntr_allowed = true;
	zk_status_set(st, ZK_RUNNING, "%s", "");
	return 0;
}
