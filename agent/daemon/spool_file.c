/* One spooled report on disk (spool_file.h says the layout).  The
 * checksum is what tells a frame that decodes but is not what was written
 * (a flipped bit in a string) from a good one: without it such a report
 * would reach the collector as the host's state. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crc32c.h"
#include "spool_file.h"

void spool_frame_name(char *buf, size_t len, const struct spool *s,
		      uint64_t seq, const char *suffix)
{
	snprintf(buf, len, "%s/%020" PRIu64 "%s", s->dir, seq, suffix);
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return 0;
}

int spool_write_atomic(const char *dir, const char *tmp, const char *final,
		       const void *hdr, size_t hlen, const void *buf,
		       size_t len, struct hw_err *err)
{
	int fd, r;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		core_err_set(err, "%s: %s", tmp, strerror(-r));
		return r;
	}
	r = write_all(fd, hdr, hlen);
	if (r == 0)
		r = write_all(fd, buf, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r == 0 && rename(tmp, final) < 0)
		r = -errno;
	if (r < 0) {
		core_err_set(err, "%s: %s", tmp, strerror(-r));
		unlink(tmp);
		return r;
	}
	r = fsync_dir(dir);
	if (r < 0)
		core_err_set(err, "%s: fsync: %s", dir, strerror(-r));
	return r;
}

int spool_frame_write(const struct spool *s, uint64_t seq,
		      const uint8_t *frame, size_t len, struct hw_err *err)
{
	char tmp[PATH_MAX + SPOOL_NAME_MAX], final[PATH_MAX + SPOOL_NAME_MAX];
	uint8_t hdr[SPOOL_FILE_HDR];
	uint32_t crc = crc32c_update(0, frame, len);

	memcpy(hdr, SPOOL_FILE_MAGIC, 4);
	hdr[4] = (uint8_t)(crc >> 24);
	hdr[5] = (uint8_t)(crc >> 16);
	hdr[6] = (uint8_t)(crc >> 8);
	hdr[7] = (uint8_t)crc;
	spool_frame_name(tmp, sizeof tmp, s, seq, SPOOL_TMP_SUFFIX);
	spool_frame_name(final, sizeof final, s, seq, SPOOL_SUFFIX);
	return spool_write_atomic(s->dir, tmp, final, hdr, sizeof hdr, frame,
				  len, err);
}

int spool_frame_load(const char *path, uint8_t *buf, size_t cap, size_t *len,
		     char *why, size_t whylen)
{
	uint32_t want, got;
	ssize_t n;

	n = core_read_file(path, (char *)buf, cap);
	if (n < 0) {
		snprintf(why, whylen, "%s", strerror((int)-n));
		return (int)n;
	}
	if ((size_t)n < 4 || memcmp(buf, SPOOL_FILE_MAGIC, 4) != 0) {
		/* Written before checksums: the frame checks are all. */
		if ((size_t)n > PROBER_BODY_MAX) {
			snprintf(why, whylen, "larger than a frame");
			return -EFBIG;
		}
		*len = (size_t)n;
		return 0;
	}
	if ((size_t)n < SPOOL_FILE_HDR) {
		snprintf(why, whylen, "%zd bytes, shorter than the header", n);
		return -EBADMSG;
	}
	if ((size_t)n - SPOOL_FILE_HDR > PROBER_BODY_MAX) {
		snprintf(why, whylen, "larger than a frame");
		return -EFBIG;
	}
	want = (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 |
	       (uint32_t)buf[6] << 8 | buf[7];
	*len = (size_t)n - SPOOL_FILE_HDR;
	got = crc32c_update(0, buf + SPOOL_FILE_HDR, *len);
	if (got != want) {
		snprintf(why, whylen,
			 "checksum mismatch (CRC32C %08" PRIx32
			 ", header says %08" PRIx32 ")",
			 got, want);
		return -EBADMSG;
	}
	memmove(buf, buf + SPOOL_FILE_HDR, *len);
	return 0;
}
