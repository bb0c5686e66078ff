/*
 * fuzz_frame.c — a peer's byte stream through the framer and the Envelope
 * decoder (hello, report, ack, error), as the collector and the agent read
 * it.
 *
 * The first input byte chooses how the stream is cut into reads (1 to 127
 * bytes, or 0: all at once), so the framer's partial header and partial
 * payload paths run; its top bit makes the frame callback refuse a frame
 * that does not decode, as a connection does, to reach the sticky error.
 *
 * Every frame that decodes is encoded again, decoded and encoded once
 * more: the two encodings must be equal byte for byte, or a field was lost
 * or invented on the way (the first re-encoding may differ from the input,
 * which can repeat fields or carry unknown ones).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "proto.h"

#define H "fuzz_frame"
/* A Report with every list full re-encodes below this (proto.h). */
#define REENC_MAX PROTO_FRAME_MAX

/* Allocated once per process: an Envelope is 16 KiB and a re-encoding
 * buffer 1 MiB; libFuzzer calls the harness millions of times. */
struct frame_state {
	kagent_v1_Envelope env;
	kagent_v1_Envelope env2;
	struct proto_lists lists;
	struct proto_lists lists2;
	uint8_t enc[REENC_MAX + PROTO_FRAME_HDR];
	uint8_t enc2[REENC_MAX + PROTO_FRAME_HDR];
	bool refuse_bad; /* the callback stops the stream on a bad frame */
	unsigned frames;
};

static struct frame_state *state_get(void)
{
	static struct frame_state *st;

	if (!st) {
		st = calloc(1, sizeof *st);
		if (!st)
			abort();
		proto_lists_init(&st->lists);
		proto_lists_init(&st->lists2);
	}
	return st;
}

static void check_lists(const struct proto_lists *l)
{
	fuzz_require(l->nics.n <= PROTO_NICS_MAX, H, "nics above bound");
	fuzz_require(l->disks.n <= PROTO_DISKS_MAX, H, "disks above bound");
	fuzz_require(l->sensors.n <= PROTO_SENSORS_MAX, H,
		     "sensors above bound");
	fuzz_require(l->checks.n <= PROTO_CHECKS_MAX, H, "checks above bound");
}

static int encode(kagent_v1_Envelope *e, struct proto_lists *l, uint8_t *buf,
		  size_t *len, struct hw_err *err)
{
	int r;

	if (e->which_msg == kagent_v1_Envelope_report_tag)
		proto_report_bind(&e->msg.report, l);
	r = proto_envelope_encode(e, buf, REENC_MAX + PROTO_FRAME_HDR, len,
				  err);
	if (e->which_msg == kagent_v1_Envelope_report_tag)
		proto_report_unbind(&e->msg.report);
	return r;
}

static void round_trip(struct frame_state *st)
{
	struct hw_err err = {{0}};
	size_t len = 0, len2 = 0;
	int r;

	r = encode(&st->env, &st->lists, st->enc, &len, &err);
	fuzz_require(r == 0, H, "a decoded envelope does not encode");
	r = proto_envelope_decode(st->enc + PROTO_FRAME_HDR,
				  len - PROTO_FRAME_HDR, &st->env2, &st->lists2,
				  &err);
	fuzz_require(r == 0, H, "our own encoding does not decode");
	fuzz_require(st->env2.which_msg == st->env.which_msg, H,
		     "message kind changed on the way");
	r = encode(&st->env2, &st->lists2, st->enc2, &len2, &err);
	fuzz_require(r == 0, H, "a re-decoded envelope does not encode");
	fuzz_require(len == len2 && memcmp(st->enc, st->enc2, len) == 0, H,
		     "encode(decode(encode(x))) differs from encode(x)");
}

static int on_frame(void *arg, const uint8_t *p, size_t len)
{
	struct frame_state *st = arg;
	struct hw_err err = {{0}};
	const char *kind;
	int r;

	st->frames++;
	fuzz_require(len <= PROTO_FRAME_MAX, H, "frame above the limit");
	r = proto_envelope_decode(p, len, &st->env, &st->lists, &err);
	check_lists(&st->lists);
	if (r < 0) {
		fuzz_require(r == -EBADMSG || r == -ENOMSG, H,
			     "decode error other than EBADMSG/ENOMSG");
		fuzz_require(err.msg[0] != '\0', H, "decode error unexplained");
		return st->refuse_bad ? r : 0;
	}
	kind = proto_envelope_kind(&st->env);
	fuzz_require(strcmp(kind, "none") != 0, H,
		     "decoded envelope without a message");
	round_trip(st);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame_state *st = state_get();
	struct proto_framer f;
	size_t chunk, off, n;
	int r = 0, again;

	if (size < 1)
		return 0;
	chunk = data[0] & 0x7f ? (size_t)(data[0] & 0x7f) : size;
	st->refuse_bad = data[0] & 0x80;
	st->frames = 0;
	data++;
	size--;
	proto_framer_init(&f, 0);
	for (off = 0; off < size && r == 0; off += n) {
		n = size - off < chunk ? size - off : chunk;
		r = proto_framer_feed(&f, data + off, n, on_frame, st);
	}
	if (r < 0) {
		fuzz_require(f.err == r, H, "error not kept in the framer");
		fuzz_require(f.why[0] != '\0', H, "framer error unexplained");
		again = proto_framer_feed(&f, data, size, on_frame, st);
		fuzz_require(again == r, H, "framer error not sticky");
	} else {
		fuzz_require(proto_framer_pending(&f) <
				 PROTO_FRAME_HDR + PROTO_FRAME_MAX,
			     H, "more pending than one frame");
	}
	proto_framer_free(&f);
	return 0;
}
