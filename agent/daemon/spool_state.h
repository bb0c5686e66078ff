/* spool_state.c and what it shares with spool.c; not for other callers. */
#ifndef KAGENT_SPOOL_STATE_H
#define KAGENT_SPOOL_STATE_H

#include <stdbool.h>

#include "daemon.h"
#include "spool_file.h"


/* Writes the state; durable: tmp, fsync, rename.  err names the file. */
int spool_state_save(const struct spool *s, bool durable, struct hw_err *err);
/* Reads the state into s (none: a fresh spool).  -EINVAL when malformed.
 * 1 when last_seq was above PROTO_SEQ_MAX: it is set aside (0), counted
 * as corrupt, and the caller writes the state again once the frames have
 * given the highest seq. */
int spool_state_load(struct spool *s, struct hw_err *err);
/* Counts a file found bad at open; the first one's reason is kept. */
void spool_note_corrupt(struct spool *s, const char *name, const char *why);

#endif
