/* A spool that cannot be written (disk full, file system read-only) must
 * not lose reports in silence: every report lost is counted (status shows
 * it), the first failure of an episode and its end are logged, once each,
 * rather than a line per report.  Acked files that could not be removed
 * are remembered and removed once the spool takes writes again, so that
 * a restart does not send them again. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core_log.h"
#include "spool_file.h"

static void episode_start(struct spool *s, const char *why)
{
	if (s->failing)
		return;
	s->failing = true;
	snprintf(s->fail_why, sizeof s->fail_why, "%s", why);
}

void spool_report_lost(struct spool *s, uint64_t seq, const char *why)
{
	/* The lost report keeps its seq: the next one is seq + 1, so the
	 * collector sees the hole and counts it as a gap, as it does a
	 * report dropped when the spool overflows.  Reusing the seq would
	 * hide the loss from everyone but this host's status. */
	if (seq > s->last_seq && seq <= PROTO_SEQ_MAX)
		s->last_seq = seq;
	s->lost++;
	if (s->failing)
		return;
	episode_start(s, why);
	core_log(LOG_ERR, "spool: report seq %" PRIu64 " lost: %s; reports are "
		"dropped, and counted, until the spool takes writes again",
		seq, why);
}

void spool_io_failed(struct spool *s, const char *why)
{
	if (s->failing)
		return;
	episode_start(s, why);
	core_log(LOG_ERR, "spool: %s; reports are kept in memory until the "
		"spool takes writes again",
		why);
}

void spool_io_ok(struct spool *s)
{
	if (s->failing) {
		s->failing = false;
		core_log(LOG_NOTICE, "spool: writable again; %" PRIu64
			" report(s) lost since kagentd started",
			s->lost);
	}
	spool_undeleted_retry(s);
}

void spool_undeleted_note(struct spool *s, uint64_t seq)
{
	if (s->undeleted_lo > s->undeleted_hi || s->undeleted_hi == 0) {
		s->undeleted_lo = s->undeleted_hi = seq;
		return;
	}
	if (seq < s->undeleted_lo)
		s->undeleted_lo = seq;
	if (seq > s->undeleted_hi)
		s->undeleted_hi = seq;
}

/* Every seq of the range is acked: a file there is a leftover, a missing
 * one was never written.  Stops at the first failure, so a spool still
 * read-only costs one unlink per call. */
void spool_undeleted_retry(struct spool *s)
{
	char path[PATH_MAX + SPOOL_NAME_MAX];

	while (s->undeleted_hi != 0 && s->undeleted_lo <= s->undeleted_hi) {
		spool_frame_name(path, sizeof path, s, s->undeleted_lo,
				 SPOOL_SUFFIX);
		if (unlink(path) < 0 && errno != ENOENT)
			return;
		s->undeleted_lo++;
	}
	s->undeleted_lo = 1;
	s->undeleted_hi = 0;
}
