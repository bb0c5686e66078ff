/*
 * spool_file.h — one spooled report on disk: its name, its atomic write
 * and its checksummed layout.  Internal to spool*.c.
 *
 * A file written by this version is "KSP1", the CRC32C of the frame
 * (4 bytes, big-endian), then the frame itself (length prefix included).
 * A file of an older version is the bare frame: it is still read, without
 * a checksum to verify, and sent like any other.  The two cannot be
 * confused: a bare frame starts with its length, whose first byte is 0
 * for any frame up to PROTO_FRAME_MAX.
 */
#ifndef KAGENT_SPOOL_FILE_H
#define KAGENT_SPOOL_FILE_H

#include "daemon.h"

#define SPOOL_SUFFIX ".frame"
#define SPOOL_TMP_SUFFIX ".tmp"
#define SPOOL_NAME_MAX 32
#define SPOOL_FILE_MAGIC "KSP1"
#define SPOOL_FILE_HDR 8 /* magic, CRC32C */

void spool_frame_name(char *buf, size_t len, const struct spool *s,
		      uint64_t seq, const char *suffix);
/* hdr then buf into tmp, fsync, rename to final, fsync of dir.  On error
 * tmp is removed and err names the file. */
int spool_write_atomic(const char *dir, const char *tmp, const char *final,
		       const void *hdr, size_t hlen, const void *buf,
		       size_t len, struct hw_err *err);
/* The report seq as a checksummed file. */
int spool_frame_write(const struct spool *s, uint64_t seq,
		      const uint8_t *frame, size_t len, struct hw_err *err);
/* Reads path into buf (cap bytes, SPOOL_BUF_MAX for any frame) and leaves the frame
 * at its start, *len bytes.  -EBADMSG when the header is cut short or the
 * checksum does not match (why says which), -EFBIG above a frame, else
 * core_read_file's error. */
int spool_frame_load(const char *path, uint8_t *buf, size_t cap, size_t *len,
		     char *why, size_t whylen);

#endif
