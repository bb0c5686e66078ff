/* The spool: every report the collector has not acknowledged, so neither
 * a collector outage nor an agent restart loses one while there is room.
 * A report made while the connection is down goes to disk at once; one
 * made while it is up is held in memory and sent, and goes to disk only
 * if its ack does not come in time, the connection closes or the agent
 * stops: a host whose collector answers writes nothing.
 *
 * Files are named by seq with 20 digits so a directory listing sorts them
 * in sending order; a report is written to a temporary name, fsynced and
 * renamed, so a crash leaves either the whole frame or a .tmp to delete.
 * The highest seq and the drop counter live in spool/state, because once
 * every frame is acknowledged and deleted the names alone forget them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_log.h"
#include "daemon.h"
#include "spool_file.h"
#include "spool_state.h"

/* A frame, its header, one byte to see a longer file, core_read_file's NUL. */
#define SPOOL_READ_CAP SPOOL_BUF_MAX

/* "00000000000000000042.frame" → 42; anything else is not ours. */
static int parse_name(const char *name, const char *suffix, uint64_t *seq)
{
	size_t i;

	if (strlen(name) != 20 + strlen(suffix) || strcmp(name + 20, suffix) != 0)
		return -EINVAL;
	*seq = 0;
	for (i = 0; i < 20; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -EINVAL;
		if (*seq > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		*seq = *seq * 10 + (uint64_t)(name[i] - '0');
	}
	if (*seq > PROTO_SEQ_MAX)
		return -ERANGE;
	return *seq ? 0 : -EINVAL;
}

/* The file must be one whole frame whose Envelope is the Report of that
 * seq: a torn or foreign file must not reach the collector. */
static int frame_check(const uint8_t *buf, size_t len, uint64_t seq,
		       kagent_v1_Envelope *env, char *why, size_t whylen)
{
	struct hw_err e = { { 0 } };
	uint32_t plen;

	if (len < PROTO_FRAME_HDR) {
		snprintf(why, whylen, "%zu bytes, shorter than a frame header", len);
		return -EBADMSG;
	}
	plen = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
	       (uint32_t)buf[2] << 8 | buf[3];
	if (plen != len - PROTO_FRAME_HDR) {
		snprintf(why, whylen, "frame says %" PRIu32 " bytes, file holds %zu",
			 plen, len - PROTO_FRAME_HDR);
		return -EBADMSG;
	}
	if (proto_envelope_decode(buf + PROTO_FRAME_HDR, plen, env, NULL, &e) < 0) {
		snprintf(why, whylen, "does not decode: %s", e.msg);
		return -EBADMSG;
	}
	if (env->which_msg != kagent_v1_Envelope_report_tag ||
	    env->msg.report.seq != seq) {
		snprintf(why, whylen, "not the report of seq %" PRIu64, seq);
		return -EBADMSG;
	}
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct spool_entry *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int entry_add(struct spool *s, uint64_t seq, size_t len)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct spool_entry *v = reallocarray(s->v, cap, sizeof *v);

		if (v == NULL)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	memset(&s->v[s->n], 0, sizeof s->v[s->n]);
	s->v[s->n].seq = seq;
	s->v[s->n].len = len;
	s->n++;
	s->bytes += len;
	return 0;
}

/* Loads one spooled file: an entry, or counted as corrupt and removed. */
static int load_one(struct spool *s, const char *name, uint64_t seq,
		    uint8_t *buf, kagent_v1_Envelope *env)
{
	char path[PATH_MAX + SPOOL_NAME_MAX], why[200];
	size_t len;

	snprintf(path, sizeof path, "%s/%s", s->dir, name);
	if (spool_frame_load(path, buf, SPOOL_READ_CAP, &len, why,
			     sizeof why) == 0 &&
	    frame_check(buf, len, seq, env, why, sizeof why) == 0) {
		if (seq > s->last_seq)
			s->last_seq = seq;
		return entry_add(s, seq, len);
	}
	spool_note_corrupt(s, name, why);
	unlink(path);
	return 0;
}

int spool_open(struct spool *s, const char *dir, uint64_t max_bytes,
	       struct hw_err *err)
{
	kagent_v1_Envelope *env = NULL;
	uint8_t *buf = NULL;
	struct dirent *de;
	bool rewrite_state;
	DIR *d = NULL;
	int r;

	memset(s, 0, sizeof *s);
	if (snprintf(s->dir, sizeof s->dir, "%s", dir) >= (int)sizeof s->dir) {
		core_err_set(err, "spool directory name too long");
		return -ENAMETOOLONG;
	}
	s->max_bytes = max_bytes;
	r = spool_state_load(s, err);
	if (r < 0)
		return r;
	rewrite_state = r == 1;
	d = opendir(dir);
	if (d == NULL) {
		r = -errno;
		core_err_set(err, "%s: %s", dir, strerror(-r));
		return r;
	}
	buf = malloc(SPOOL_READ_CAP);
	env = malloc(sizeof *env);
	if (buf == NULL || env == NULL) {
		r = -ENOMEM;
		core_err_set(err, "out of memory");
		goto out_free;
	}
	while ((de = readdir(d)) != NULL) {
		char path[PATH_MAX + SPOOL_NAME_MAX];
		uint64_t seq;
		size_t nl = strlen(de->d_name);

		if (de->d_name[0] == '.' || !strcmp(de->d_name, SPOOL_STATE_FILE))
			continue;
		if (nl > strlen(SPOOL_TMP_SUFFIX) &&
		    !strcmp(de->d_name + nl - strlen(SPOOL_TMP_SUFFIX),
			    SPOOL_TMP_SUFFIX)) {
			/* An interrupted write: the report was never spooled. */
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
			unlink(path);
			continue;
		}
		if (parse_name(de->d_name, SPOOL_SUFFIX, &seq) < 0) {
			/* Not ours: left alone, but said. */
			spool_note_corrupt(s, de->d_name, "not a spool file name, ignored");
			continue;
		}
		r = load_one(s, de->d_name, seq, buf, env);
		if (r < 0) {
			core_err_set(err, "out of memory");
			goto out_free;
		}
	}
	if (s->n > 0) /* qsort wants a real array, even of none */
		qsort(s->v, s->n, sizeof *s->v, entry_cmp);
	/* Whole and at once: written in place, the shorter text would leave
	 * the tail of the old one behind it. */
	r = rewrite_state ? spool_state_save(s, true, err) : 0;

out_free:
	free(env);
	free(buf);
	closedir(d);
	if (r < 0)
		spool_close(s);
	return r;
}

void spool_close(struct spool *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].mem);
	s->n_held = 0;
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
	s->bytes = 0;
}

/* Removes the first n entries' files. */
static void drop_front(struct spool *s, size_t n)
{
	char path[PATH_MAX + SPOOL_NAME_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		if (s->v[i].mem) {
			free(s->v[i].mem);
			s->n_held--;
		} else {
			spool_frame_name(path, sizeof path, s, s->v[i].seq,
					 SPOOL_SUFFIX);
			if (unlink(path) < 0 && errno != ENOENT)
				spool_undeleted_note(s, s->v[i].seq);
		}
		s->bytes -= s->v[i].len;
	}
	if (n > 0 && s->n > n)
		memmove(s->v, s->v + n, (s->n - n) * sizeof *s->v);
	s->n -= n;
}

/* The checks both ways of spooling share; *drop is how many of the oldest
 * must go to make room.  The array has room for one more on success. */
static int room_for(struct spool *s, uint64_t seq, size_t len, size_t *drop,
		    struct hw_err *err)
{
	size_t keep_bytes;
	int r;

	if (seq > PROTO_SEQ_MAX) {
		core_err_set(err, "seq %" PRIu64 " above %" PRIu64, seq, PROTO_SEQ_MAX);
		return -ERANGE;
	}
	if (seq <= s->last_seq) {
		core_err_set(err, "seq %" PRIu64 " not above %" PRIu64, seq, s->last_seq);
		return -EINVAL;
	}
	if (len > s->max_bytes) {
		core_err_set(err, "a report of %zu bytes exceeds spool_max", len);
		return -EFBIG;
	}
	/* Room first, oldest out: the newest state of the host matters most. */
	*drop = 0;
	keep_bytes = s->bytes;
	while (*drop < s->n && keep_bytes + len > s->max_bytes)
		keep_bytes -= s->v[(*drop)++].len;
	if (s->n == s->cap) {
		r = entry_add(s, 0, 0); /* grow now, so nothing fails later */
		if (r < 0) {
			core_err_set(err, "out of memory");
			return r;
		}
		s->n--;
	}
	return 0;
}

static void entry_push(struct spool *s, uint64_t seq, size_t len, size_t drop)
{
	drop_front(s, drop);
	s->dropped += drop;
	s->last_seq = seq;
	/* room_for grew the array already: entry_add cannot fail here. */
	(void)entry_add(s, seq, len);
}

int spool_append(struct spool *s, uint64_t seq, const uint8_t *frame,
		 size_t len, struct hw_err *err)
{
	uint8_t *owned = NULL;
	size_t drop;
	int r;

	r = spool_stale_fix(s, &seq, &frame, &len, &owned, err);
	if (r == 0)
		r = room_for(s, seq, len, &drop, err);
	if (r == 0)
		r = spool_frame_write(s, seq, frame, len, err);
	free(owned);
	if (r < 0)
		return r;
	entry_push(s, seq, len, drop);
	r = spool_state_save(s, true, err);
	if (r == 0)
		spool_io_ok(s);
	return r;
}

int spool_hold(struct spool *s, uint64_t seq, const uint8_t *frame,
	       size_t len, int64_t now_ms, struct hw_err *err)
{
	uint8_t *owned = NULL, *copy;
	size_t drop;
	int r;

	r = spool_stale_fix(s, &seq, &frame, &len, &owned, err);
	if (r == 0)
		r = room_for(s, seq, len, &drop, err);
	if (r < 0) {
		free(owned);
		return r;
	}
	copy = owned ? owned : malloc(len);
	if (copy == NULL) {
		core_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if (copy != frame)
		memcpy(copy, frame, len);
	entry_push(s, seq, len, drop);
	s->v[s->n - 1].mem = copy;
	s->v[s->n - 1].held_ms = now_ms;
	s->n_held++;
	/* The report is held and will be sent: a state that cannot be
	 * written costs only what a crash would, and is said once. */
	if (spool_state_save(s, false, err) < 0)
		spool_io_failed(s, err->msg);
	return 0;
}

int spool_flush(struct spool *s, int64_t cutoff_ms, struct hw_err *err)
{
	size_t i, written = 0;
	int r = 0;

	for (i = 0; i < s->n && s->n_held > 0; i++) {
		struct spool_entry *e = &s->v[i];

		if (e->mem == NULL || e->held_ms > cutoff_ms)
			continue;
		r = spool_frame_write(s, e->seq, e->mem, e->len, err);
		if (r < 0)
			break;
		free(e->mem);
		e->mem = NULL;
		s->n_held--;
		written++;
	}
	if (written == 0)
		return r;
	/* The frames are durable: so must be the seq they reach. */
	if (r == 0)
		r = spool_state_save(s, true, err);
	if (r == 0)
		spool_io_ok(s);
	return r;
}

int spool_ack(struct spool *s, uint64_t seq, struct hw_err *err)
{
	size_t n = 0;

	(void)err;
	while (n < s->n && s->v[n].seq <= seq)
		n++;
	drop_front(s, n);
	spool_undeleted_retry(s);
	return 0;
}

int spool_read(const struct spool *s, size_t idx, uint8_t *buf, size_t cap,
	       size_t *len, struct hw_err *err)
{
	char path[PATH_MAX + SPOOL_NAME_MAX], why[200];
	int r;

	if (idx >= s->n)
		return -ENOENT;
	if (s->v[idx].mem) {
		if (s->v[idx].len > cap) {
			core_err_set(err, "held report %" PRIu64 ": larger than the buffer",
				   s->v[idx].seq);
			return -ENOBUFS;
		}
		memcpy(buf, s->v[idx].mem, s->v[idx].len);
		*len = s->v[idx].len;
		return 0;
	}
	spool_frame_name(path, sizeof path, s, s->v[idx].seq, SPOOL_SUFFIX);
	/* The header, and a byte more to see a file that grew. */
	if (cap < s->v[idx].len + SPOOL_FILE_HDR + 2) {
		core_err_set(err, "%s: larger than the buffer", path);
		return -ENOBUFS;
	}
	r = spool_frame_load(path, buf, cap, len, why, sizeof why);
	if (r == 0 && *len != s->v[idx].len) {
		snprintf(why, sizeof why, "changed size on disk");
		r = -EBADMSG;
	}
	if (r < 0) {
		core_err_set(err, "%s: %s", path, why);
		/* Gone or damaged: either way that report cannot be sent. */
		return r == -ENOENT || r == -EFBIG ? -EBADMSG : r;
	}
	return 0;
}

void spool_drop_corrupt(struct spool *s, size_t idx, const char *why)
{
	char path[PATH_MAX + SPOOL_NAME_MAX];

	if (idx >= s->n)
		return;
	spool_frame_name(path, sizeof path, s, s->v[idx].seq, SPOOL_SUFFIX);
	spool_note_corrupt(s, path, why);
	core_log(LOG_WARNING, "spool: report seq %" PRIu64 " skipped, not sent: %s "
		"(%" PRIu64 " corrupt so far)",
		s->v[idx].seq, why, s->corrupt);
	free(s->v[idx].mem);
	if (s->v[idx].mem)
		s->n_held--;
	else
		unlink(path);
	s->bytes -= s->v[idx].len;
	memmove(s->v + idx, s->v + idx + 1, (s->n - idx - 1) * sizeof *s->v);
	s->n--;
}

int spool_state_sync(struct spool *s, struct hw_err *err)
{
	return spool_state_save(s, true, err);
}
