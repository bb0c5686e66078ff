/* The spool's state file, spool/state: "last_seq N\ndropped N\n".
 *
 * Both numbers outlive every frame (once all are acknowledged and deleted
 * the names alone forget them), so the file is read strictly: a number
 * is digits only, and last_seq is bounded by what a report may carry. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "spool_file.h"
#include "spool_state.h"


/* durable: tmp, fsync, rename.  Otherwise the file is overwritten in
 * place: both numbers only grow, so the new text is never shorter than
 * the old, and a kagentd killed between two calls leaves one whole text
 * in the page cache.  Only a crash of the host can lose that write, and
 * with it the held reports it went with. */
int spool_state_save(const struct spool *s, bool durable, struct hw_err *err)
{
	char tmp[PATH_MAX + 16], final[PATH_MAX + 16], text[96];
	ssize_t w;
	int n, fd, r = 0;

	snprintf(tmp, sizeof tmp, "%s/" SPOOL_STATE_FILE SPOOL_TMP_SUFFIX, s->dir);
	snprintf(final, sizeof final, "%s/" SPOOL_STATE_FILE, s->dir);
	n = snprintf(text, sizeof text, "last_seq %" PRIu64 "\ndropped %" PRIu64 "\n",
		     s->last_seq, s->dropped);
	if (durable)
		return spool_write_atomic(s->dir, tmp, final, NULL, 0, text,
					  (size_t)n, err);
	fd = open(final, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		core_err_set(err, "%s: %s", final, strerror(-r));
		return r;
	}
	w = pwrite(fd, text, (size_t)n, 0);
	if (w != n) {
		r = w < 0 ? -errno : -EIO;
		core_err_set(err, "%s: %s", final, strerror(-r));
	}
	close(fd);
	return r;
}

void spool_note_corrupt(struct spool *s, const char *name, const char *why)
{
	if (s->corrupt++ == 0)
		snprintf(s->corrupt_why, sizeof s->corrupt_why, "%s: %s", name, why);
}

/* Digits only, into a uint64: -EINVAL for anything else (sscanf would
 * take "-1" and wrap it, and saturate a number too long), -ERANGE above
 * max or above UINT64_MAX.  *end follows the digits either way. */
static int state_number(const char *p, const char **end, uint64_t max,
			uint64_t *v)
{
	bool over = false;
	const char *q = p;

	*v = 0;
	if (*q < '0' || *q > '9')
		return -EINVAL;
	for (; *q >= '0' && *q <= '9'; q++) {
		if (*v > (UINT64_MAX - (uint64_t)(*q - '0')) / 10)
			over = true;
		else
			*v = *v * 10 + (uint64_t)(*q - '0');
	}
	*end = q;
	return over || *v > max ? -ERANGE : 0;
}

/* A missing state is a fresh spool; a malformed one is an error, since
 * guessing last_seq could resend seqs the collector already holds.
 * last_seq above PROTO_SEQ_MAX (a state written by a version that did not
 * bound it) would make every later report one the collector refuses, so
 * it is set aside, said through the corrupt count, and the next seq
 * follows the highest spooled report. */
int spool_state_load(struct spool *s, struct hw_err *err)
{
	char path[PATH_MAX + 16], text[128], why[160];
	const char *p;
	uint64_t seq = 0;
	bool set_aside;
	ssize_t n;
	int r;

	snprintf(path, sizeof path, "%s/" SPOOL_STATE_FILE, s->dir);
	n = core_read_file(path, text, sizeof text);
	if (n == -ENOENT)
		return 0;
	if (n < 0) {
		core_err_set(err, "%s: %s", path, strerror((int)-n));
		return (int)n;
	}
	p = text;
	r = -EINVAL;
	if (strncmp(p, "last_seq ", 9) == 0) {
		r = state_number(p + 9, &p, PROTO_SEQ_MAX, &seq);
		if (r == -ERANGE) {
			/* The digits as written: too many for a uint64 too. */
			snprintf(why, sizeof why,
				 "last_seq %.*s is above %" PRIu64
				 ", the highest seq a report may carry; "
				 "counting on from the spooled reports",
				 (int)(p - text - 9 < 24 ? p - text - 9 : 24),
				 text + 9, PROTO_SEQ_MAX);
			spool_note_corrupt(s, SPOOL_STATE_FILE, why);
			seq = 0;
			r = 1;
		}
	}
	set_aside = r == 1;
	if (r >= 0 && strncmp(p, "\ndropped ", 9) == 0)
		r = state_number(p + 9, &p, UINT64_MAX, &s->dropped);
	else
		r = -EINVAL;
	if (r < 0 || (*p != '\n' && *p != '\0')) {
		core_err_set(err, "%s: not a spool state (last_seq N, dropped N)", path);
		return -EINVAL;
	}
	s->last_seq = seq;
	return set_aside ? 1 : 0;
}

