/* Length-prefixed frames over a byte stream, and the Envelope codec.
 *
 * The framer never reads a socket: whoever owns the connection (libuv
 * directly, or the TLS layer's memory BIO) feeds it what arrived, in
 * whatever pieces the network delivered. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pb_decode.h>
#include <pb_encode.h>

#include "proto.h"

/* The lists are most of a Report; the rest is about 16 KiB. */
_Static_assert(PROTO_LISTS_SIZE_MAX + PROTO_KAFKA_BYTES_MAX + 64 * 1024 <=
		   PROTO_FRAME_MAX,
	       "the largest Report must fit in a frame");

/* A buffer grown for one large frame is released after it rather than kept
 * for the life of the connection: reports are rare and most frames (hello,
 * ack) are tiny, while a collector holds many connections. */
#define PROTO_FRAMER_KEEP (64u * 1024)

void proto_framer_init(struct proto_framer *f, size_t max)
{
	memset(f, 0, sizeof *f);
	f->max = (max == 0 || max > PROTO_FRAME_MAX) ? PROTO_FRAME_MAX : max;
}

void proto_framer_free(struct proto_framer *f)
{
	free(f->buf);
	f->buf = NULL;
	f->cap = 0;
	f->have = 0;
	f->hdr_len = 0;
}

size_t proto_framer_pending(const struct proto_framer *f)
{
	return f->hdr_len + f->have;
}

static int framer_fail(struct proto_framer *f, int err, const char *fmt,
		       size_t a, size_t b)
{
	f->err = err;
	snprintf(f->why, sizeof f->why, fmt, a, b);
	return err;
}

static void framer_next(struct proto_framer *f)
{
	f->hdr_len = 0;
	f->want = 0;
	f->have = 0;
	if (f->cap > PROTO_FRAMER_KEEP) {
		free(f->buf);
		f->buf = NULL;
		f->cap = 0;
	}
}

static int framer_deliver(struct proto_framer *f, const uint8_t *p,
			  proto_frame_cb cb, void *arg)
{
	size_t n = f->want;
	int r;

	/* Before framer_next, which may free the buffer p points into. */
	r = cb(arg, p, n);
	framer_next(f);
	if (r < 0)
		return framer_fail(f, r,
				   "frame of %zu bytes refused (error %zu)", n,
				   (size_t)-r);
	return 0;
}

int proto_framer_feed(struct proto_framer *f, const uint8_t *buf, size_t len,
		      proto_frame_cb cb, void *arg)
{
	size_t off = 0, n;
	uint8_t *nb;
	int r;

	if (f->err)
		return f->err;
	while (off < len) {
		if (f->hdr_len < PROTO_FRAME_HDR) {
			n = PROTO_FRAME_HDR - f->hdr_len;
			if (n > len - off)
				n = len - off;
			memcpy(f->hdr + f->hdr_len, buf + off, n);
			f->hdr_len += n;
			off += n;
			if (f->hdr_len < PROTO_FRAME_HDR)
				break;
			f->want = (size_t)f->hdr[0] << 24 |
				  (size_t)f->hdr[1] << 16 |
				  (size_t)f->hdr[2] << 8 | f->hdr[3];
			if (f->want > f->max)
				return framer_fail(
				    f, -EMSGSIZE,
				    "frame of %zu bytes above the limit "
				    "of %zu",
				    f->want, f->max);
			if (f->want == 0) {
				r = framer_deliver(f, f->hdr, cb, arg);
				if (r < 0)
					return r;
			}
			continue;
		}
		/* The whole payload is in this chunk: no copy. */
		if (f->have == 0 && len - off >= f->want) {
			const uint8_t *p = buf + off;

			off += f->want;
			r = framer_deliver(f, p, cb, arg);
			if (r < 0)
				return r;
			continue;
		}
		if (f->cap < f->want) {
			/* want was checked against max: at most 1 MiB. */
			nb = realloc(f->buf, f->want);
			if (!nb)
				return framer_fail(
				    f, -ENOMEM,
				    "no memory for a frame of %zu bytes "
				    "(%zu held)",
				    f->want, f->have);
			f->buf = nb;
			f->cap = f->want;
		}
		n = f->want - f->have;
		if (n > len - off)
			n = len - off;
		memcpy(f->buf + f->have, buf + off, n);
		f->have += n;
		off += n;
		if (f->have == f->want) {
			r = framer_deliver(f, f->buf, cb, arg);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Why an envelope did not fit: its size, computed only on this path. */
static int envelope_size_error(const kagent_v1_Envelope *m, size_t cap,
			       struct hw_err *err)
{
	size_t size;

	if (!pb_get_encoded_size(&size, kagent_v1_Envelope_fields, m)) {
		if (err)
			core_err_set(err, "cannot encode %s: nanopb",
				   proto_envelope_kind(m));
		return -EINVAL;
	}
	if (size > PROTO_FRAME_MAX) {
		if (err)
			core_err_set(err,
				   "%s of %zu bytes above the frame limit "
				   "of %u",
				   proto_envelope_kind(m), size,
				   PROTO_FRAME_MAX);
		return -EMSGSIZE;
	}
	if (cap < PROTO_FRAME_HDR || cap - PROTO_FRAME_HDR < size) {
		if (err)
			core_err_set(err, "%s needs %zu bytes, buffer has %zu",
				   proto_envelope_kind(m),
				   size + PROTO_FRAME_HDR, cap);
		return -ENOBUFS;
	}
	return 0;
}

/* One pass into a stream bounded by both the buffer and the frame limit:
 * nanopb already sizes every submessage before writing it, so a separate
 * pb_get_encoded_size of the whole envelope would encode it all twice. */
int proto_envelope_encode(const kagent_v1_Envelope *m, uint8_t *buf, size_t cap,
			  size_t *len, struct hw_err *err)
{
	pb_ostream_t s;
	size_t room;
	int r;

	if (cap < PROTO_FRAME_HDR)
		return envelope_size_error(m, cap, err);
	room = cap - PROTO_FRAME_HDR;
	if (room > PROTO_FRAME_MAX)
		room = PROTO_FRAME_MAX;
	s = pb_ostream_from_buffer(buf + PROTO_FRAME_HDR, room);
	if (!pb_encode(&s, kagent_v1_Envelope_fields, m)) {
		r = envelope_size_error(m, cap, err);
		if (r < 0)
			return r;
		if (err)
			core_err_set(err, "cannot encode %s: %s",
				   proto_envelope_kind(m), PB_GET_ERROR(&s));
		return -EINVAL;
	}
	buf[0] = (uint8_t)(s.bytes_written >> 24);
	buf[1] = (uint8_t)(s.bytes_written >> 16);
	buf[2] = (uint8_t)(s.bytes_written >> 8);
	buf[3] = (uint8_t)s.bytes_written;
	*len = s.bytes_written + PROTO_FRAME_HDR;
	return 0;
}

/* Called by nanopb once the oneof has chosen a member and zeroed it, so
 * the Report's list callbacks survive into its decoding. */
static bool envelope_msg_cb(pb_istream_t *s, const pb_field_t *field,
			    void **arg)
{
	(void)s;
	if (field->tag == kagent_v1_Envelope_report_tag && *arg)
		proto_report_bind_decode(field->pData, *arg);
	return true;
}

int proto_envelope_decode(const uint8_t *p, size_t n, kagent_v1_Envelope *out,
			  struct proto_lists *lists, struct hw_err *err)
{
	pb_istream_t s = pb_istream_from_buffer(p, n);
	bool ok;

	if (lists)
		proto_lists_clear(lists);
	/* Not the union (18 KiB with a Report): which_msg 0 makes nanopb
	 * zero the member it chooses, before decoding into it. */
	memset(out, 0, offsetof(kagent_v1_Envelope, msg));
	out->cb_msg.funcs.decode = envelope_msg_cb;
	out->cb_msg.arg = lists;
	ok = pb_decode(&s, kagent_v1_Envelope_fields, out);
	/* funcs is a union: left set, an encoder would call it. */
	memset(&out->cb_msg, 0, sizeof out->cb_msg);
	if (out->which_msg == kagent_v1_Envelope_report_tag)
		proto_report_unbind(&out->msg.report);
	if (!ok) {
		if (err)
			core_err_set(err,
				   "frame of %zu bytes does not decode: %s", n,
				   PB_GET_ERROR(&s));
		return -EBADMSG;
	}
	if (out->which_msg == 0) {
		if (err)
			core_err_set(err,
				   "frame of %zu bytes holds no message "
				   "protocol %d knows",
				   n, PROTO_VERSION);
		return -ENOMSG;
	}
	return 0;
}

const char *proto_envelope_kind(const kagent_v1_Envelope *m)
{
	switch (m->which_msg) {
	case kagent_v1_Envelope_hello_tag:
		return "hello";
	case kagent_v1_Envelope_report_tag:
		return "report";
	case kagent_v1_Envelope_ack_tag:
		return "ack";
	case kagent_v1_Envelope_error_tag:
		return "error";
	default:
		return "none";
	}
}
