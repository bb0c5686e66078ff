/* The framing codec: length prefix, any chunking, and every way a peer
 * can send a bad frame. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

/* Outcomes for the fixed seeds below, counted once and pinned: a change
 * means the decoder now accepts or refuses different bytes. */
#define TALLY_OK       0
#define TALLY_BAD      9975
#define TALLY_NONE     25
#define PREFIX_REFUSED 9995

struct seen {
	size_t n;
	size_t lens[8];
	kagent_v1_Envelope env[8];
	int rc[8];
};

static int collect(void *arg, const uint8_t *p, size_t len)
{
	struct seen *s = arg;

	if (s->n < 8) {
		s->lens[s->n] = len;
		s->rc[s->n] =
		    proto_envelope_decode(p, len, &s->env[s->n], NULL, NULL);
	}
	s->n++;
	return 0;
}

static size_t ack_frame(uint8_t *buf, size_t cap, uint64_t seq)
{
	kagent_v1_Envelope e = kagent_v1_Envelope_init_zero;
	size_t len = 0;

	e.which_msg = kagent_v1_Envelope_ack_tag;
	e.msg.ack.seq = seq;
	assert_int_equal(proto_envelope_encode(&e, buf, cap, &len, NULL), 0);
	return len;
}

static void test_ack_frame_bytes_are_prefix_and_protobuf(void **state)
{
	static const uint8_t want[] = {0, 0, 0, 4, 0x1a, 0x02, 0x08, 0x2a};
	uint8_t buf[32];

	(void)state;
	assert_int_equal(ack_frame(buf, sizeof buf, 42), sizeof want);
	assert_memory_equal(buf, want, sizeof want);
}

static void test_encode_into_small_buffer_is_enobufs(void **state)
{
	kagent_v1_Envelope e = kagent_v1_Envelope_init_zero;
	uint8_t buf[7];
	size_t len = 0;

	(void)state;
	e.which_msg = kagent_v1_Envelope_ack_tag;
	e.msg.ack.seq = 42;
	assert_int_equal(proto_envelope_encode(&e, buf, sizeof buf, &len, NULL),
			 -ENOBUFS);
}

static void test_oversized_length_is_emsgsize_before_allocation(void **state)
{
	/* 1 MiB + 1 */
	static const uint8_t hdr[] = {0x00, 0x10, 0x00, 0x01, 0xaa};
	struct proto_framer f;
	struct seen s = {0};

	(void)state;
	proto_framer_init(&f, 0);
	assert_int_equal(proto_framer_feed(&f, hdr, sizeof hdr, collect, &s),
			 -EMSGSIZE);
	assert_null(f.buf);
	assert_int_equal(f.cap, 0);
	assert_int_equal(s.n, 0);
	assert_string_equal(
	    f.why, "frame of 1048577 bytes above the limit of 1048576");
	/* The stream position is lost: later bytes change nothing. */
	assert_int_equal(proto_framer_feed(&f, hdr, 1, collect, &s), -EMSGSIZE);
	proto_framer_free(&f);
}

static void test_limit_below_protocol_maximum_is_honoured(void **state)
{
	static const uint8_t hdr[] = {0x00, 0x00, 0x01, 0x01}; /* 257 */
	struct proto_framer f;
	struct seen s = {0};

	(void)state;
	proto_framer_init(&f, 256);
	assert_int_equal(proto_framer_feed(&f, hdr, sizeof hdr, collect, &s),
			 -EMSGSIZE);
	assert_string_equal(f.why, "frame of 257 bytes above the limit of 256");
	proto_framer_free(&f);
}

static void test_truncated_frame_is_pending_at_eof(void **state)
{
	struct proto_framer f;
	struct seen s = {0};
	uint8_t buf[32];
	size_t len = ack_frame(buf, sizeof buf, 42);

	(void)state;
	proto_framer_init(&f, 0);
	assert_int_equal(proto_framer_feed(&f, buf, 3, collect, &s), 0);
	assert_int_equal(proto_framer_pending(&f), 3);
	assert_int_equal(proto_framer_feed(&f, buf + 3, len - 4, collect, &s),
			 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(proto_framer_pending(&f), 7);
	/* The last byte completes it; nothing is pending then. */
	assert_int_equal(proto_framer_feed(&f, buf + len - 1, 1, collect, &s),
			 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.rc[0], 0);
	assert_int_equal(s.env[0].msg.ack.seq, 42);
	assert_int_equal(proto_framer_pending(&f), 0);
	proto_framer_free(&f);
}

static void test_zero_length_frame_holds_no_message(void **state)
{
	static const uint8_t z[] = {0, 0, 0, 0};
	struct proto_framer f;
	struct seen s = {0};

	(void)state;
	proto_framer_init(&f, 0);
	assert_int_equal(proto_framer_feed(&f, z, sizeof z, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.lens[0], 0);
	assert_int_equal(s.rc[0], -ENOMSG);
	assert_int_equal(proto_framer_pending(&f), 0);
	proto_framer_free(&f);
}

static void test_two_frames_in_one_chunk(void **state)
{
	kagent_v1_Envelope e = kagent_v1_Envelope_init_zero;
	struct proto_framer f;
	struct seen s = {0};
	uint8_t buf[256];
	size_t a = 0, b;

	(void)state;
	e.which_msg = kagent_v1_Envelope_hello_tag;
	e.msg.hello.protocol_version = PROTO_VERSION;
	strcpy(e.msg.hello.host_id, "4c4c4544-0051-3510-8052-b4c04f564433");
	strcpy(e.msg.hello.agent_version, "0.1.0");
	e.msg.hello.last_acked_seq = 1234;
	assert_int_equal(proto_envelope_encode(&e, buf, sizeof buf, &a, NULL),
			 0);
	b = ack_frame(buf + a, sizeof buf - a, 1235);
	proto_framer_init(&f, 0);
	assert_int_equal(proto_framer_feed(&f, buf, a + b, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.rc[0], 0);
	assert_string_equal(proto_envelope_kind(&s.env[0]), "hello");
	assert_int_equal(s.env[0].msg.hello.protocol_version, 1);
	assert_string_equal(s.env[0].msg.hello.host_id,
			    "4c4c4544-0051-3510-8052-b4c04f564433");
	assert_string_equal(s.env[0].msg.hello.agent_version, "0.1.0");
	assert_int_equal(s.env[0].msg.hello.last_acked_seq, 1234);
	assert_int_equal(s.rc[1], 0);
	assert_string_equal(proto_envelope_kind(&s.env[1]), "ack");
	assert_int_equal(s.env[1].msg.ack.seq, 1235);
	proto_framer_free(&f);
}

static int refuse(void *arg, const uint8_t *p, size_t len)
{
	(void)arg;
	(void)p;
	(void)len;
	return -EBADMSG;
}

static void test_refused_frame_stops_the_stream(void **state)
{
	struct proto_framer f;
	uint8_t buf[64];
	size_t a = ack_frame(buf, sizeof buf, 1);

	(void)state;
	a += ack_frame(buf + a, sizeof buf - a, 2);
	proto_framer_init(&f, 0);
	assert_int_equal(proto_framer_feed(&f, buf, a, refuse, NULL), -EBADMSG);
	assert_string_equal(f.why, "frame of 4 bytes refused (error 74)");
	proto_framer_free(&f);
}

/* xorshift64: the same bytes on every run and every libc. */
static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

struct tally {
	kagent_v1_Envelope *env;
	struct proto_lists *lists;
	unsigned ok, bad, none;
};

static int judge(void *arg, const uint8_t *p, size_t len)
{
	struct tally *t = arg;
	int r = proto_envelope_decode(p, len, t->env, t->lists, NULL);

	if (r == 0)
		t->ok++;
	else if (r == -EBADMSG)
		t->bad++;
	else if (r == -ENOMSG)
		t->none++;
	else
		fail_msg("decode returned %d", r);
	return 0;
}

/* 10 000 random payloads behind valid length prefixes, fed in random
 * pieces: each ends as a decoded message or an error, never a crash (ASan
 * and UBSan watch the sanitizer build). */
static void test_random_bytes_give_errors_not_crashes(void **state)
{
	struct tally t = {0};
	struct proto_lists lists;
	struct proto_framer f;
	uint64_t x = 0x6b6167656e74ULL;
	uint8_t buf[4 + 600];
	size_t i, j, len, off, piece;

	(void)state;
	t.env = malloc(sizeof *t.env);
	assert_non_null(t.env);
	proto_lists_init(&lists);
	t.lists = &lists;
	proto_framer_init(&f, 0);
	for (i = 0; i < 10000; i++) {
		len = rnd(&x) % 600;
		buf[0] = buf[1] = 0;
		buf[2] = (uint8_t)(len >> 8);
		buf[3] = (uint8_t)len;
		for (j = 0; j < len; j++)
			buf[4 + j] = (uint8_t)rnd(&x);
		/* Some start like a Report, so the list decoders run. */
		if (len > 2 && i % 4 == 0)
			buf[4] = 0x12;
		for (off = 0; off < len + 4; off += piece) {
			piece = 1 + rnd(&x) % 64;
			if (piece > len + 4 - off)
				piece = len + 4 - off;
			assert_int_equal(
			    proto_framer_feed(&f, buf + off, piece, judge, &t),
			    0);
		}
	}
	assert_int_equal(proto_framer_pending(&f), 0);
	assert_int_equal(t.ok + t.bad + t.none, 10000);
	print_message("random frames: %u decoded, %u bad, %u without message\n",
		      t.ok, t.bad, t.none);
	assert_int_equal(t.ok, TALLY_OK);
	assert_int_equal(t.bad, TALLY_BAD);
	assert_int_equal(t.none, TALLY_NONE);
	proto_framer_free(&f);
	proto_lists_free(&lists);
	free(t.env);
}

/* Random length prefixes: most are above the limit and must be refused. */
static void test_random_prefixes_are_refused_or_buffered(void **state)
{
	uint64_t x = 0x707265666978ULL;
	unsigned refused = 0, pending = 0;
	struct proto_framer f;
	struct seen s;
	uint8_t buf[64];
	size_t i, j;
	int r;

	(void)state;
	for (i = 0; i < 10000; i++) {
		memset(&s, 0, sizeof s);
		for (j = 0; j < sizeof buf; j++)
			buf[j] = (uint8_t)rnd(&x);
		proto_framer_init(&f, 0);
		r = proto_framer_feed(&f, buf, sizeof buf, collect, &s);
		if (r == -EMSGSIZE) {
			assert_null(f.buf);
			refused++;
		} else {
			assert_int_equal(r, 0);
			assert_int_equal(proto_framer_pending(&f), sizeof buf);
			pending++;
		}
		proto_framer_free(&f);
	}
	print_message("random prefixes: %u refused, %u pending\n", refused,
		      pending);
	assert_int_equal(refused, PREFIX_REFUSED);
	assert_int_equal(pending, 10000 - PREFIX_REFUSED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ack_frame_bytes_are_prefix_and_protobuf),
	    cmocka_unit_test(test_encode_into_small_buffer_is_enobufs),
	    cmocka_unit_test(
		test_oversized_length_is_emsgsize_before_allocation),
	    cmocka_unit_test(test_limit_below_protocol_maximum_is_honoured),
	    cmocka_unit_test(test_truncated_frame_is_pending_at_eof),
	    cmocka_unit_test(test_zero_length_frame_holds_no_message),
	    cmocka_unit_test(test_two_frames_in_one_chunk),
	    cmocka_unit_test(test_refused_frame_stops_the_stream),
	    cmocka_unit_test(test_random_bytes_give_errors_not_crashes),
	    cmocka_unit_test(test_random_prefixes_are_refused_or_buffered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
