/* When the collector has stored seqs this spool never made (the spool was
 * wiped, the host re-imaged with the same certificate, or a crash lost the
 * state written without fsync), the agent's seqs would collide with
 * stored ones: reports at or below the collector's seq are taken as
 * already stored.  The agent continues from the collector's seq + 1
 * instead, and its unsent reports are renumbered, each frame re-encoded
 * with its new Report.seq so that the file, the frame and the entry
 * agree. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool_file.h"

int spool_frame_reseq(const uint8_t *frame, size_t len, uint64_t seq,
		      uint8_t **out, size_t *outlen, struct hw_err *err)
{
	kagent_v1_Envelope *env = malloc(sizeof *env);
	uint8_t *buf = malloc(PROBER_BODY_MAX);
	struct proto_lists l;
	bool has_inv;
	int r;

	proto_lists_init(&l);
	if (env == NULL || buf == NULL) {
		core_err_set(err, "out of memory");
		r = -ENOMEM;
		goto out;
	}
	r = len < PROTO_FRAME_HDR ? -EBADMSG
				  : proto_envelope_decode(frame + PROTO_FRAME_HDR,
							  len - PROTO_FRAME_HDR,
							  env, &l, err);
	if (r == 0 && env->which_msg != kagent_v1_Envelope_report_tag) {
		core_err_set(err, "not a report");
		r = -EBADMSG;
	}
	if (r < 0) {
		r = -EBADMSG;
		goto out;
	}
	has_inv = env->msg.report.has_inventory;
	proto_report_bind(&env->msg.report, &l);
	env->msg.report.has_inventory = has_inv;
	env->msg.report.seq = seq;
	r = proto_envelope_encode(env, buf, PROBER_BODY_MAX, outlen, err);
	if (r == 0) {
		*out = buf;
		buf = NULL;
	}
out:
	proto_lists_free(&l);
	free(buf);
	free(env);
	return r;
}

/* One entry to its new seq: in memory, or a new file then the old one
 * removed.  When the new file cannot be written the frame stays held in
 * memory (the uplink sends it; a flush writes it later). */
static int renumber_one(struct spool *s, size_t i, uint64_t seq, uint8_t *buf,
			struct hw_err *err)
{
	struct spool_entry *e = &s->v[i];
	char old[PATH_MAX + SPOOL_NAME_MAX];
	uint8_t *frame;
	size_t len;
	int r;

	if (e->mem == NULL) {
		r = spool_read(s, i, buf, SPOOL_BUF_MAX, &len, err);
		if (r < 0)
			return r;
	}
	r = spool_frame_reseq(e->mem ? e->mem : buf, e->mem ? e->len : len,
			      seq, &frame, &len, err);
	if (r < 0)
		return r;
	spool_frame_name(old, sizeof old, s, e->seq, SPOOL_SUFFIX);
	s->bytes = s->bytes - e->len + len;
	e->len = len;
	if (e->mem == NULL) {
		if (spool_frame_write(s, seq, frame, len, err) == 0) {
			free(frame);
			frame = NULL;
		} else {
			spool_io_failed(s, err->msg);
			e->held_ms = 0;
			s->n_held++;
		}
		if (unlink(old) < 0 && errno != ENOENT)
			spool_undeleted_note(s, e->seq);
	} else {
		free(e->mem);
	}
	e->mem = frame;
	e->seq = seq;
	return 0;
}

int spool_renumber(struct spool *s, uint64_t first, struct hw_err *err)
{
	uint64_t old_last = s->last_seq;
	uint8_t *buf;
	size_t i;
	int r;

	buf = malloc(SPOOL_BUF_MAX);
	if (buf == NULL) {
		core_err_set(err, "out of memory");
		return -ENOMEM;
	}
	/* The new seqs are all above the old ones: no name is reused. */
	for (i = 0; i < s->n;) {
		r = renumber_one(s, i, first + i, buf, err);
		if (r == -EBADMSG) {
			spool_drop_corrupt(s, i, err->msg);
			continue;
		}
		if (r < 0) {
			free(buf);
			return r;
		}
		i++;
	}
	free(buf);
	s->last_seq = first + s->n - 1;
	s->stale_max = old_last + 1;
	r = spool_state_sync(s, err);
	if (r < 0)
		spool_io_failed(s, err->msg);
	return 0;
}

int spool_stale_fix(struct spool *s, uint64_t *seq, const uint8_t **frame,
		    size_t *len, uint8_t **owned, struct hw_err *err)
{
	int r;

	*owned = NULL;
	if (*seq > s->last_seq || *seq > s->stale_max)
		return 0;
	r = spool_frame_reseq(*frame, *len, s->last_seq + 1, owned, len, err);
	if (r < 0)
		return r;
	*seq = s->last_seq + 1;
	*frame = *owned;
	return 0;
}
