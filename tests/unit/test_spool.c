/* The on-disk spool: order, restart, cumulative acks, the bound, and
 * files that are not whole reports. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon.h"

struct fix {
	char dir[64];
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

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f->env);
	free(f);
	return 0;
}

/* A real report frame of seq, padded with a hostname of pad bytes so
 * frames of known sizes can be made. */
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

static void test_spool_reload_keeps_order_and_last_seq(void **state)
{
	struct fix *f = *state;
	struct hw_err err = { { 0 } };
	struct spool s;
	uint8_t back[4096];
	size_t len, want;

	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	append(f, &s, 1, 10);
	append(f, &s, 2, 10);
	append(f, &s, 3, 10);
	spool_close(&s);

	/* A restart: everything comes back in seq order. */
	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.v[0].seq, 1);
	assert_int_equal(s.v[1].seq, 2);
	assert_int_equal(s.v[2].seq, 3);
	assert_int_equal(s.last_seq, 3);
	assert_int_equal(s.corrupt, 0);
	want = frame(f, 2, 10);
	assert_int_equal(spool_read(&s, 1, back, sizeof back, &len, &err), 0);
	assert_int_equal(len, want);
	assert_memory_equal(back, f->buf, len);
	assert_int_equal(s.bytes, 3 * want);
	spool_close(&s);
}

static void test_spool_ack_is_cumulative_and_seq_survives_empty(void **state)
{
	struct fix *f = *state;
	struct hw_err err = { { 0 } };
	struct spool s;

	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	append(f, &s, 1, 10);
	append(f, &s, 2, 10);
	append(f, &s, 3, 10);
	assert_int_equal(spool_ack(&s, 2, &err), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].seq, 3);
	assert_int_equal(spool_ack(&s, 3, &err), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.bytes, 0);
	spool_close(&s);

	/* No frame left, yet the next seq must not restart at 1. */
	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.last_seq, 3);
	assert_int_equal(spool_append(&s, 3, f->buf, frame(f, 3, 10), &err),
			 -EINVAL);
	spool_close(&s);
}

static void test_spool_full_drops_oldest_and_counts_exactly(void **state)
{
	struct fix *f = *state;
	struct hw_err err = { { 0 } };
	size_t one = frame(f, 1, 100);
	struct spool s;
	uint64_t seq;

	/* Room for exactly three frames of this size. */
	assert_int_equal(spool_open(&s, f->dir, 3 * one + one / 2, &err), 0);
	for (seq = 1; seq <= 10; seq++)
		append(f, &s, seq, 100);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.v[0].seq, 8);
	assert_int_equal(s.v[2].seq, 10);
	assert_int_equal(s.dropped, 7);
	assert_int_equal(s.bytes, 3 * one);
	spool_close(&s);

	assert_int_equal(spool_open(&s, f->dir, 3 * one + one / 2, &err), 0);
	assert_int_equal(s.dropped, 7);
	assert_int_equal(s.n, 3);
	spool_close(&s);
}

static void test_spool_frame_larger_than_bound_is_refused(void **state)
{
	struct fix *f = *state;
	struct hw_err err = { { 0 } };
	struct spool s;
	size_t len = frame(f, 1, 200);

	assert_int_equal(spool_open(&s, f->dir, len - 1, &err), 0);
	assert_int_equal(spool_append(&s, 1, f->buf, len, &err), -EFBIG);
	assert_int_equal(s.n, 0);
	spool_close(&s);
}

static void write_file(const char *dir, const char *name, const void *p,
		       size_t n)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(p, 1, n, fp), n);
	fclose(fp);
}

static void test_spool_truncated_and_foreign_frames_are_counted(void **state)
{
	struct fix *f = *state;
	struct hw_err err = { { 0 } };
	struct spool s;
	size_t len;
	char path[256];

	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	append(f, &s, 1, 10);
	append(f, &s, 4, 10);
	spool_close(&s);
	/* seq 2 cut short, seq 3 holding the report of seq 9, a leftover
	 * temporary file of an interrupted write. */
	len = frame(f, 2, 10);
	write_file(f->dir, "00000000000000000002.frame", f->buf, len - 3);
	len = frame(f, 9, 10);
	write_file(f->dir, "00000000000000000003.frame", f->buf, len);
	write_file(f->dir, "00000000000000000005.tmp", f->buf, 7);

	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].seq, 1);
	assert_int_equal(s.v[1].seq, 4);
	assert_int_equal(s.corrupt, 2);
	/* The first one found is named; directory order decides which. */
	if (strncmp(s.corrupt_why, "00000000000000000002", 20) == 0)
		assert_string_equal(s.corrupt_why,
				    "00000000000000000002.frame: frame says 24 bytes, file holds 21");
	else
		assert_string_equal(s.corrupt_why,
				    "00000000000000000003.frame: not the report of seq 3");
	snprintf(path, sizeof path, "%s/00000000000000000003.frame", f->dir);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof path, "%s/00000000000000000005.tmp", f->dir);
	assert_int_equal(access(path, F_OK), -1);
	spool_close(&s);
}

static void hold(struct fix *f, struct spool *s, uint64_t seq, size_t pad,
		 int64_t now_ms)
{
	struct hw_err err = { { 0 } };
	size_t len = frame(f, seq, pad);

	assert_int_equal(spool_hold(s, seq, f->buf, len, now_ms, &err), 0);
}

static bool frame_on_disk(const struct fix *f, uint64_t seq)
{
	char path[128];

	snprintf(path, sizeof path, "%s/%020llu.frame", f->dir,
		 (unsigned long long)seq);
	return access(path, F_OK) == 0;
}

static void test_spool_held_report_is_read_back_and_acked_without_a_file(void **state)
{
	struct fix *f = *state;
	struct hw_err err = { { 0 } };
	struct spool s;
	uint8_t back[4096];
	size_t len, want;

	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	hold(f, &s, 1, 10, 1000);
	hold(f, &s, 2, 20, 2000);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.n_held, 2);
	assert_int_equal(s.last_seq, 2);
	assert_false(frame_on_disk(f, 1));
	assert_false(frame_on_disk(f, 2));
	want = frame(f, 2, 20);
	assert_int_equal(spool_read(&s, 1, back, sizeof back, &len, &err), 0);
	assert_int_equal(len, want);
	assert_memory_equal(back, f->buf, len);
	assert_int_equal(s.bytes, frame(f, 1, 10) + want);
	assert_int_equal(spool_ack(&s, 2, &err), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.n_held, 0);
	assert_int_equal(s.bytes, 0);
	spool_close(&s);

	/* The seq reached by held reports survives them. */
	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.last_seq, 2);
	spool_close(&s);
}

static void test_spool_flush_writes_held_reports_up_to_the_cutoff(void **state)
{
	struct fix *f = *state;
	struct hw_err err = { { 0 } };
	struct spool s;

	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	append(f, &s, 1, 10); /* written while the connection was down */
	hold(f, &s, 2, 10, 1000);
	hold(f, &s, 3, 10, 7000);
	assert_int_equal(spool_flush(&s, 5000, &err), 0);
	assert_int_equal(s.n_held, 1);
	assert_true(frame_on_disk(f, 1));
	assert_true(frame_on_disk(f, 2));
	assert_false(frame_on_disk(f, 3));
	assert_int_equal(spool_flush(&s, INT64_MAX, &err), 0);
	assert_int_equal(s.n_held, 0);
	assert_true(frame_on_disk(f, 3));
	spool_close(&s);

	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.v[0].seq, 1);
	assert_int_equal(s.v[2].seq, 3);
	assert_int_equal(s.last_seq, 3);
	assert_int_equal(s.corrupt, 0);
	spool_close(&s);
}

/* kagentd killed with reports held: they are gone, but their seqs are
 * not reused, so the collector sees a gap rather than duplicates. */
static void test_spool_close_without_flush_loses_held_keeps_seq(void **state)
{
	struct fix *f = *state;
	struct hw_err err = { { 0 } };
	struct spool s;

	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	append(f, &s, 1, 10);
	hold(f, &s, 2, 10, 1000);
	hold(f, &s, 3, 10, 1000);
	spool_close(&s);
	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].seq, 1);
	assert_int_equal(s.last_seq, 3);
	spool_close(&s);
}

static void write_state(const struct fix *f, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof path, "%s/state", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* A state of a version that did not bound last_seq: 2^64-1 would make
 * every later seq wrap to 0 and be refused.  It is set aside, said, and
 * the count goes on from the spooled reports. */
static void test_spool_state_last_seq_above_bound_counts_on_from_frames(void **state)
{
	struct fix *f = *state;
	struct hw_err err = { { 0 } };
	char path[128], text[128];
	struct spool s;

	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	append(f, &s, 1, 10);
	append(f, &s, 2, 10);
	spool_close(&s);
	write_state(f, "last_seq 18446744073709551615\ndropped 3\n");

	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	assert_int_equal(s.last_seq, 2);
	assert_int_equal(s.dropped, 3);
	assert_int_equal(s.corrupt, 1);
	assert_string_equal(s.corrupt_why,
			    "state: last_seq 18446744073709551615 is above "
			    "9223372036854775807, the highest seq a report may "
			    "carry; counting on from the spooled reports");
	/* Rewritten whole at once, not in place over the longer text. */
	snprintf(path, sizeof path, "%s/state", f->dir);
	assert_int_equal(core_read_file(path, text, sizeof text), 21);
	assert_string_equal(text, "last_seq 2\ndropped 3\n");
	append(f, &s, 3, 10);
	assert_int_equal(s.last_seq, 3);
	spool_close(&s);

	/* 2^63 is one above the bound too, and so is a number too long for
	 * 64 bits; INT64_MAX itself is kept. */
	write_state(f, "last_seq 9223372036854775808\ndropped 0\n");
	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	assert_int_equal(s.last_seq, 3);
	spool_close(&s);
	write_state(f, "last_seq 99999999999999999999999\ndropped 0\n");
	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	assert_int_equal(s.last_seq, 3);
	assert_string_equal(s.corrupt_why,
			    "state: last_seq 99999999999999999999999 is above "
			    "9223372036854775807, the highest seq a report may "
			    "carry; counting on from the spooled reports");
	spool_close(&s);
	write_state(f, "last_seq 9223372036854775807\ndropped 0\n");
	assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), 0);
	assert_true(s.last_seq == INT64_MAX);
	assert_int_equal(s.corrupt, 0);
	spool_close(&s);
}

/* sscanf took "-1" as 2^64-1 and a number too long as its saturation:
 * both are malformed, an error naming the file. */
static void test_spool_state_not_a_number_is_an_error(void **state)
{
	static const char *const bad[] = {
	    "last_seq -1\ndropped 0\n",
	    "last_seq 5\ndropped 99999999999999999999999\n",
	    "last_seq 5\ndropped -2\n",
	    "last_seq 5x\ndropped 0\n",
	    "last_seq 5\n",
	};
	struct fix *f = *state;
	struct hw_err err = { { 0 } };
	char want[160];
	struct spool s;
	size_t i;

	snprintf(want, sizeof want,
		 "%s/state: not a spool state (last_seq N, dropped N)", f->dir);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_state(f, bad[i]);
		err.msg[0] = '\0';
		assert_int_equal(spool_open(&s, f->dir, 1 << 20, &err), -EINVAL);
		assert_string_equal(err.msg, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_spool_reload_keeps_order_and_last_seq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_ack_is_cumulative_and_seq_survives_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_full_drops_oldest_and_counts_exactly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_frame_larger_than_bound_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_truncated_and_foreign_frames_are_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_held_report_is_read_back_and_acked_without_a_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_flush_writes_held_reports_up_to_the_cutoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_close_without_flush_loses_held_keeps_seq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_state_last_seq_above_bound_counts_on_from_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_state_not_a_number_is_an_error, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
