/* The spool under damage: a checksum per file that catches a flipped bit
 * a decoder would accept, at open and when read to send; files of the
 * older layout still read; a full or read-only file system (a tmpfs the
 * test mounts: as root no mode bit stops a write) counts every report it
 * loses and removes acked files once it takes writes again; and the
 * renumbering that follows a collector ahead of the spool. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cmocka.h>

#include "crc32c.h"
#include "daemon.h"

struct fix {
	char dir[64];
	bool mounted;
	kagent_v1_Envelope *env;
	uint8_t buf[4096];
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);

	f->env = calloc(1, sizeof *f->env);
	snprintf(f->dir, sizeof f->dir, "/tmp/kagent-spool-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];

	if (f->mounted)
		umount2(f->dir, MNT_DETACH);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f->env);
	free(f);
	return 0;
}

/* A tmpfs of size bytes on the fixture's directory, or the test is
 * skipped where mounting is not allowed. */
static void tmpfs_mount(struct fix *f, const char *size)
{
	char opt[64];

	snprintf(opt, sizeof opt, "size=%s,mode=0700", size);
	if (mount("tmpfs", f->dir, "tmpfs", 0, opt) < 0) {
		fprintf(stderr, "cannot mount a tmpfs (%s): skipped\n",
			strerror(errno));
		skip();
	}
	f->mounted = true;
}

static void remount(struct fix *f, unsigned long flags)
{
	assert_int_equal(mount(NULL, f->dir, NULL, MS_REMOUNT | flags, NULL), 0);
}

static size_t frame(struct fix *f, uint64_t seq, size_t pad)
{
	size_t len;

	memset(f->env, 0, sizeof *f->env);
	f->env->which_msg = kagent_v1_Envelope_report_tag;
	snprintf(f->env->msg.report.host_id, 64, "test-1");
	memset(f->env->msg.report.hostname, 'h', pad);
	f->env->msg.report.seq = seq;
	assert_int_equal(proto_envelope_encode(f->env, f->buf, sizeof f->buf,
					       &len, NULL), 0);
	return len;
}

static void append(struct fix *f, struct spool *s, uint64_t seq, size_t pad)
{
	struct hw_err err = { { 0 } };
	size_t len = frame(f, seq, pad);

	assert_int_equal(spool_append(s, seq, f->buf, len, &err), 0);
}

static char *path_of(const struct fix *f, uint64_t seq)
{
	static char path[128];

	snprintf(path, sizeof path, "%s/%020llu.frame", f->dir,
		 (unsigned long long)seq);
	return path;
}

/* Replaces the first 'h' of the hostname in seq's file by 'x': the frame
 * still decodes, to another report. */
static void flip_hostname_byte(const struct fix *f, uint64_t seq)
{
	uint8_t b[4096];
	ssize_t n;
	int fd;
	uint8_t *h;

	fd = open(path_of(f, seq), O_RDWR);
	assert_true(fd >= 0);
	n = read(fd, b, sizeof b);
	assert_true(n > 0);
	h = memmem(b, (size_t)n, "hhhh", 4);
	assert_non_null(h);
	*h = 'x';
	assert_int_equal(pwrite(fd, b, (size_t)n, 0), n);
	close(fd);
}

/* The report seq of a frame, decoded. */
static uint64_t frame_seq(struct fix *f, const uint8_t *p, size_t len)
{
	assert_int_equal(proto_envelope_decode(p + 4, len - 4, f->env, NULL,
					       NULL), 0);
	assert_int_equal(f->env->which_msg, kagent_v1_Envelope_report_tag);
	return f->env->msg.report.seq;
}

static void test_crc32c_of_the_standard_check_string(void **state)
{
	(void)state;
	assert_int_equal(crc32c_update(0, "123456789", 9), 0xe3069283);
	/* In two pieces, the same. */
	assert_int_equal(crc32c_update(crc32c_update(0, "1234", 4), "56789", 5),
			 0xe3069283);
	assert_int_equal(crc32c_update(0, "", 0), 0);
}

static void test_spool_flipped_byte_is_skipped_at_open(void **state)
{
	struct fix *f = *state;
	struct hw_err err = { { 0 } };
	struct spool s;

	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	append(f, &s, 1, 10);
	append(f, &s, 2, 10);
	append(f, &s, 3, 10);
	spool_close(&s);
	flip_hostname_byte(f, 2);

	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].seq, 1);
	assert_int_equal(s.v[1].seq, 3);
	assert_int_equal(s.corrupt, 1);
	assert_non_null(strstr(s.corrupt_why,
			       "00000000000000000002.frame: checksum mismatch"));
	assert_int_equal(access(path_of(f, 2), F_OK), -1);
	spool_close(&s);
}

static void test_spool_damaged_file_read_to_send_is_skipped_and_counted(void **state)
{
	struct fix *f = *state;
	struct hw_err err = { { 0 } };
	uint8_t back[SPOOL_BUF_MAX > 8192 ? 8192 : SPOOL_BUF_MAX];
	struct spool s;
	size_t len;

	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	append(f, &s, 1, 10);
	append(f, &s, 2, 10);
	append(f, &s, 3, 10);
	flip_hostname_byte(f, 2);

	assert_int_equal(spool_read(&s, 0, back, sizeof back, &len, &err), 0);
	assert_int_equal(frame_seq(f, back, len), 1);
	assert_int_equal(spool_read(&s, 1, back, sizeof back, &len, &err),
			 -EBADMSG);
	assert_non_null(strstr(err.msg, "checksum mismatch"));
	spool_drop_corrupt(&s, 1, err.msg);
	assert_int_equal(s.corrupt, 1);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.bytes, 2 * frame(f, 1, 10));
	assert_int_equal(access(path_of(f, 2), F_OK), -1);
	/* The one after it still goes. */
	assert_int_equal(spool_read(&s, 1, back, sizeof back, &len, &err), 0);
	assert_int_equal(frame_seq(f, back, len), 3);
	spool_close(&s);
}

/* Files spooled before checksums are bare frames: read and sent as they
 * are (no migration), while new ones get the header. */
static void test_spool_reads_files_of_the_layout_without_checksum(void **state)
{
	struct fix *f = *state;
	struct hw_err err = { { 0 } };
	uint8_t back[4096];
	struct spool s;
	size_t len, n;
	FILE *fp;

	n = frame(f, 7, 30);
	fp = fopen(path_of(f, 7), "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(f->buf, 1, n, fp), n);
	fclose(fp);

	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.corrupt, 0);
	assert_int_equal(s.last_seq, 7);
	assert_int_equal(spool_read(&s, 0, back, sizeof back, &len, &err), 0);
	assert_int_equal(len, n);
	assert_memory_equal(back, f->buf, n);
	append(f, &s, 8, 30);
	fp = fopen(path_of(f, 8), "rb");
	assert_non_null(fp);
	assert_int_equal(fread(back, 1, sizeof back, fp), n + 8);
	fclose(fp);
	assert_memory_equal(back, "KSP1", 4);
	spool_close(&s);
}

static void test_spool_full_disk_counts_each_lost_report(void **state)
{
	struct fix *f = *state;
	struct hw_err err = { { 0 } };
	char filler[128];
	struct spool s;
	size_t len;
	FILE *fp;

	tmpfs_mount(f, "64k");
	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	append(f, &s, 1, 10);
	snprintf(filler, sizeof filler, "%s/filler", f->dir);
	fp = fopen(filler, "wb");
	assert_non_null(fp);
	while (fwrite(f->buf, 1, sizeof f->buf, fp) == sizeof f->buf &&
	       fflush(fp) == 0)
		;
	fclose(fp);

	len = frame(f, 2, 10);
	assert_int_equal(spool_append(&s, 2, f->buf, len, &err), -ENOSPC);
	spool_report_lost(&s, 2, err.msg);
	len = frame(f, 3, 10);
	assert_int_equal(spool_append(&s, 3, f->buf, len, &err), -ENOSPC);
	spool_report_lost(&s, 3, err.msg);
	assert_int_equal(s.lost, 2);
	assert_true(s.failing);
	assert_non_null(strstr(s.fail_why, "No space left on device"));
	assert_int_equal(s.n, 1);
	/* The lost seqs stay used: the collector sees 2 and 3 missing. */
	assert_int_equal(s.last_seq, 3);

	unlink(filler);
	append(f, &s, 4, 10);
	assert_false(s.failing);
	assert_int_equal(s.lost, 2);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.last_seq, 4);
	spool_close(&s);
}

static void test_spool_acked_files_are_removed_once_writable_again(void **state)
{
	struct fix *f = *state;
	struct hw_err err = { { 0 } };
	struct spool s;
	size_t len;

	tmpfs_mount(f, "1m");
	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	append(f, &s, 1, 10);
	append(f, &s, 2, 10);
	append(f, &s, 3, 10);
	remount(f, MS_RDONLY);

	assert_int_equal(spool_ack(&s, 2, &err), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(access(path_of(f, 1), F_OK), 0);
	assert_int_equal(access(path_of(f, 2), F_OK), 0);
	len = frame(f, 4, 10);
	assert_int_equal(spool_append(&s, 4, f->buf, len, &err), -EROFS);
	spool_report_lost(&s, 4, err.msg);
	assert_int_equal(s.lost, 1);

	remount(f, 0);
	/* Seq 4 was lost, and stays used: the next report is 5. */
	assert_int_equal(s.last_seq, 4);
	append(f, &s, 5, 10);
	assert_false(s.failing);
	assert_int_equal(access(path_of(f, 1), F_OK), -1);
	assert_int_equal(access(path_of(f, 2), F_OK), -1);
	assert_int_equal(access(path_of(f, 3), F_OK), 0);
	assert_int_equal(access(path_of(f, 4), F_OK), -1);
	assert_int_equal(access(path_of(f, 5), F_OK), 0);
	spool_close(&s);

	/* A restart does not find them to send again. */
	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].seq, 3);
	spool_close(&s);
}

static void test_spool_renumber_follows_the_collector(void **state)
{
	struct fix *f = *state;
	struct hw_err err = { { 0 } };
	uint8_t back[4096];
	struct spool s;
	size_t len;

	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	append(f, &s, 1, 10);
	len = frame(f, 2, 20);
	assert_int_equal(spool_hold(&s, 2, f->buf, len, 1000, &err), 0);

	assert_int_equal(spool_renumber(&s, 101, &err), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].seq, 101);
	assert_int_equal(s.v[1].seq, 102);
	assert_int_equal(s.last_seq, 102);
	assert_int_equal(access(path_of(f, 1), F_OK), -1);
	assert_int_equal(access(path_of(f, 101), F_OK), 0);
	assert_int_equal(spool_read(&s, 0, back, sizeof back, &len, &err), 0);
	assert_int_equal(frame_seq(f, back, len), 101);
	assert_int_equal(strlen(f->env->msg.report.hostname), 10);
	assert_int_equal(spool_read(&s, 1, back, sizeof back, &len, &err), 0);
	assert_int_equal(frame_seq(f, back, len), 102);
	assert_int_equal(strlen(f->env->msg.report.hostname), 20);

	/* The report the prober was making as seq 3 comes next, as 103. */
	len = frame(f, 3, 10);
	assert_int_equal(spool_append(&s, 3, f->buf, len, &err), 0);
	assert_int_equal(s.v[2].seq, 103);
	assert_int_equal(spool_read(&s, 2, back, sizeof back, &len, &err), 0);
	assert_int_equal(frame_seq(f, back, len), 103);
	/* Anything else at or below last_seq is still refused. */
	len = frame(f, 50, 10);
	assert_int_equal(spool_append(&s, 50, f->buf, len, &err), -EINVAL);
	spool_close(&s);

	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	assert_int_equal(s.last_seq, 103);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].seq, 101);
	assert_int_equal(s.v[1].seq, 103);
	spool_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c_of_the_standard_check_string),
		cmocka_unit_test_setup_teardown(test_spool_flipped_byte_is_skipped_at_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_damaged_file_read_to_send_is_skipped_and_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_reads_files_of_the_layout_without_checksum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_full_disk_counts_each_lost_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_acked_files_are_removed_once_writable_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_renumber_follows_the_collector, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
