/*
 * proto.h — the wire between agent and collector: kagent.proto messages
 * (nanopb structs kagent_v1_*), length-prefixed frames, and helpers that
 * fill messages from the facts of hw/ and board/.
 *
 * A frame is a 4-byte big-endian payload length followed by the payload,
 * one encoded kagent.v1.Envelope.  The framer is a pure incremental decoder
 * over bytes: it does no I/O, so a TLS layer (memory BIOs) or a test can
 * feed it any chunking.
 *
 * nanopb structs are sized for the bounds of kagent.options: an Envelope is
 * large (it can hold the largest Report), so allocate it on the heap and
 * reuse one per loop, not one per connection.
 */
#ifndef KAGENT_PROTO_H
#define KAGENT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "core_check.h"
#include "kagent.pb.h"

/* Hello.protocol_version.  Adding fields does not change it; a change of
 * framing or of a field's meaning does. */
#define PROTO_VERSION 1

/* Bounds of the four lists that are nanopb callbacks (kagent.options says
 * why); a decoder refuses a report with more. */
#define PROTO_NICS_MAX	  64
#define PROTO_DISKS_MAX	  64
#define PROTO_SENSORS_MAX 256
#define PROTO_CHECKS_MAX  256

/* The live Kafka metadata's lists (KafkaLive): a cluster of 50 brokers,
 * 2 000 topics and 100 000 partitions fits; the encoder also keeps their
 * encoded bytes within PROTO_KAFKA_BYTES_MAX, which with the other lists
 * full (RAID members included: 742 400 bytes) stays inside the frame
 * (frame.c asserts it). */
#define PROTO_KBROKERS_MAX    256
#define PROTO_KTOPICS_MAX     20000
#define PROTO_KPARTS_MAX      100000
#define PROTO_KAFKA_BYTES_MAX (224u * 1024)

/* Encoded size of the lists when full: each item is a tag (1 byte for
 * fields 1-15, 2 for sensors = 22 and checks = 40), a 2-byte length and
 * the item at its largest. */
/* Disk.raid_members holds 16 a disk, but a report carries at most
 * PROTO_RAID_MEMBERS_MAX in all (the agent stops there): the disks count
 * without their members, the members once each (tag 2 bytes, length 2). */
#define PROTO_RAID_MEMBERS_MAX 128
#define PROTO_DISK_BARE_SIZE                                                   \
	(kagent_v1_Disk_size - 16 * (2 + 2 + kagent_v1_RaidMember_size))
#define PROTO_LISTS_SIZE_MAX                                                   \
	(PROTO_NICS_MAX * (1 + 2 + kagent_v1_Nic_size) +                       \
	 PROTO_DISKS_MAX * (1 + 2 + PROTO_DISK_BARE_SIZE) +                    \
	 PROTO_RAID_MEMBERS_MAX * (2 + 2 + kagent_v1_RaidMember_size) +        \
	 PROTO_SENSORS_MAX * (2 + 2 + kagent_v1_Sensor_size) +                 \
	 PROTO_CHECKS_MAX * (2 + 2 + kagent_v1_CheckResult_size))

/* Highest Report.seq either end accepts.  The field is a uint64, but the
 * collector's store (SQLite) holds signed 64-bit integers: bounding seq to
 * the range both types share makes every comparison, in C or in SQL, give
 * one answer.  At one report a second that is 292 billion years. */
#define PROTO_SEQ_MAX ((uint64_t)INT64_MAX)

/* Reports in flight per connection (window.c).  LEGACY is what an agent
 * of protocol 1 keeps when its hello asks for no window, and what it
 * assumes of a collector whose hello-ack answers none. */
#define PROTO_WINDOW_LEGACY 64u

/* The collector's count of one connection's reports received and not yet
 * covered by an ack it sent.  Acks are cumulative, so every ack sent
 * covers all received before it: that count never exceeds what the agent
 * itself has unacknowledged. */
struct proto_window {
	uint32_t size;
	uint32_t inflight;
};

/* Collector: the window to answer a hello with, at most max (> 0).
 * -EINVAL for a hello asking for 0. */
int proto_window_accept(const kagent_v1_Hello *h, uint32_t max,
			uint32_t *out);
/* Agent: the window to keep after the hello-ack a, having asked for
 * asked.  -EPROTO when the collector answers 0 or more than asked. */
int proto_window_agreed(const kagent_v1_Ack *a, uint32_t asked,
			uint32_t *out);
/* One more report received: -EPROTO when it exceeds the window. */
int proto_window_take(struct proto_window *w);
/* An ack went out: it covers every report received so far. */
void proto_window_acked(struct proto_window *w);

#define PROTO_FRAME_HDR 4
/* Largest payload either end accepts.  An Envelope holding a Report with
 * every string and list full is 606 942 bytes (590 656 of them the four
 * lists, PROTO_LISTS_SIZE_MAX; nanopb's generator gives the figure when the
 * lists are declared static), so 1 MiB leaves room to grow.  The
 * limit is a protocol constant rather than that figure so that raising a
 * bound in kagent.options does not make an older collector drop a newer
 * agent's reports. */
#define PROTO_FRAME_MAX (1u << 20)

/* ---- frame.c ---- */

/* Called once per whole frame.  The payload is valid only during the call.
 * Return 0 to go on, or a negative errno to stop: proto_framer_feed then
 * returns it.  The callback must not free the framer. */
typedef int (*proto_frame_cb)(void *arg, const uint8_t *payload, size_t len);

struct proto_framer {
	size_t max; /* payload limit, at most PROTO_FRAME_MAX */
	uint8_t hdr[PROTO_FRAME_HDR];
	size_t hdr_len; /* bytes of the length prefix held */
	size_t want;	/* payload length once the prefix is whole */
	uint8_t *buf;	/* payload held so far; NULL until needed */
	size_t have;
	size_t cap;
	int err;       /* sticky: the stream position is lost */
	char why[128]; /* reason of err, for the log */
};

/* max = 0 means PROTO_FRAME_MAX; a larger value is clamped to it. */
void proto_framer_init(struct proto_framer *f, size_t max);
void proto_framer_free(struct proto_framer *f);
/* Splits buf into frames, calling cb for each whole one, and keeps the
 * tail of an incomplete one.  -EMSGSIZE when a length prefix is above the
 * limit (before any allocation), -ENOMEM, or cb's error.  After an error
 * every later call returns the same error: close the connection and log
 * f->why. */
int proto_framer_feed(struct proto_framer *f, const uint8_t *buf, size_t len,
		      proto_frame_cb cb, void *arg);
/* Bytes of an incomplete frame held: non-zero when the peer closes means a
 * truncated frame. */
size_t proto_framer_pending(const struct proto_framer *f);

/* Writes the length prefix and the encoded Envelope into buf.  -EINVAL
 * when nanopb refuses the message (a string without its NUL within the
 * bound, a count above max_count), -EMSGSIZE above PROTO_FRAME_MAX,
 * -ENOBUFS when cap is too small.  err (may be NULL) says which. */
int proto_envelope_encode(const kagent_v1_Envelope *m, uint8_t *buf, size_t cap,
			  size_t *len, struct hw_err *err);
struct proto_lists;
/* Decodes one frame's payload.  A Report's four lists land in `lists`
 * (emptied first, its memory reused), or are skipped when lists is NULL.
 * -EBADMSG when it does not decode or a list is above its bound (err holds
 * the reason), -ENOMSG when it decodes but holds no message this version
 * knows (an empty frame, or a kind added later). */
int proto_envelope_decode(const uint8_t *p, size_t n, kagent_v1_Envelope *out,
			  struct proto_lists *lists, struct hw_err *err);
/* "hello", "report", "ack", "error" or "none". */
const char *proto_envelope_kind(const kagent_v1_Envelope *m);

/* ---- report.c: the Report's long lists, and the doors into messages ---- */

/* One list of nanopb structs on the heap, grown up to max items. */
struct proto_list {
	void *v;
	size_t n;
	size_t cap;
	size_t max;
	size_t size;		    /* of one item */
	const pb_msgdesc_t *fields; /* its nanopb descriptor */
};

struct proto_lists {
	struct proto_list nics;	   /* kagent_v1_Nic */
	struct proto_list disks;   /* kagent_v1_Disk */
	struct proto_list sensors; /* kagent_v1_Sensor */
	struct proto_list checks;  /* kagent_v1_CheckResult */
	/* Report.kafka_live's lists */
	struct proto_list kbrokers; /* kagent_v1_KafkaBroker */
	struct proto_list ktopics;  /* kagent_v1_KafkaTopic */
	struct proto_list kparts;   /* kagent_v1_KafkaPartition */
};

void proto_lists_init(struct proto_lists *l);
/* n = 0 for every list; memory kept for the next report. */
void proto_lists_clear(struct proto_lists *l);
void proto_lists_free(struct proto_lists *l);
/* A zeroed new item in *item.  -ENOSPC when the list is full (count it as
 * clipped), -ENOMEM. */
int proto_list_add(struct proto_list *l, void **item);
/* Makes an encoder of r write the lists from l; l must outlive the
 * encoding.  Sets has_inventory. */
void proto_report_bind(kagent_v1_Report *r, const struct proto_lists *l);
/* The decoding side of proto_report_bind, and clearing either binding:
 * nanopb keeps encode and decode callbacks in one union. */
void proto_report_bind_decode(kagent_v1_Report *r, struct proto_lists *l);
void proto_report_unbind(kagent_v1_Report *r);

/* Every fill function returns how many strings it shortened and list items
 * it left out to fit the bounds; the caller adds that to
 * Report.clipped. */

/* Copies src into a field of cap bytes.  Bytes that are not UTF-8 become
 * '?' (protobuf strings must be UTF-8), and a string too long is cut at a
 * character boundary.  Returns 1 when cut, else 0. */
unsigned proto_str_set(char *dst, size_t cap, const char *src);
/* An optional int64 from a value that may be unknown. */
void proto_num_set(struct hw_num n, bool *has, int64_t *v);

/* ---- severity.c: the one mapping between core's severity and the wire's ---- */

/* SEVERITY_UNSPECIFIED is 0 on the wire, so a missing verdict never reads
 * as pass. */
kagent_v1_Severity proto_sev_to_wire(enum check_severity s);
/* -EINVAL for SEVERITY_UNSPECIFIED or a value this build does not know. */
int proto_sev_from_wire(int wire, enum check_severity *out);

/* ---- utf8.c: proto3 strings ---- */

/* Length of the well-formed UTF-8 character at s, 0 when it is not one. */
size_t proto_utf8_char_len(const unsigned char *s);
/* 0 when s is well-formed UTF-8, else -EILSEQ with *bad_at the offset
 * (from 0) of the first byte that does not start a character. */
int proto_utf8_check(const char *s, size_t *bad_at);
/* Replaces in place every byte that does not start a well-formed
 * character by '?'; returns how many. */
unsigned proto_utf8_repair(char *s);

/* ---- report_strings.c: every string of a Report, by its field path ---- */

#define PROTO_PATH_DEPTH 5

/* A walk over the strings of a decoded Report.  fn is called once per
 * string with the field's last name (idx >= 0 for an item of a repeated
 * string, else -1), the string and the size of its field; a non-zero
 * return stops the walk and is returned.  seg holds the path above. */
struct proto_str_walk {
	int (*fn)(struct proto_str_walk *w, const char *leaf, int idx,
		  char *s, size_t cap);
	void *arg;
	struct {
		const char *name;
		int idx; /* -1: not an item of a repeated field */
	} seg[PROTO_PATH_DEPTH];
	int depth;
};

/* Walks r and the lists (l may be NULL when the lists were skipped). */
int proto_report_strings(kagent_v1_Report *r, struct proto_lists *l,
			 struct proto_str_walk *w);
/* "report.checks[3].instance" for the string fn was called with. */
void proto_str_path(const struct proto_str_walk *w, const char *leaf, int idx,
		    char *buf, size_t len);
/* What a receiver checks beyond what nanopb's decoding does: every
 * string well-formed UTF-8 and within its field, and seq at most
 * PROTO_SEQ_MAX.  -EILSEQ ("report.rack: invalid UTF-8 at byte 2", the
 * offset from 0), -EMSGSIZE (a string without its NUL within the field)
 * or -ERANGE (seq); err names the field. */
int proto_report_check(const kagent_v1_Report *r, const struct proto_lists *l,
		       struct hw_err *err);
/* The Hello's strings, as proto_report_check ("hello.agent_version: ..."). */
int proto_hello_check(const kagent_v1_Hello *h, struct hw_err *err);
/* Makes every string of r and l well-formed UTF-8 in place (see
 * proto_utf8_repair); returns how many bytes it replaced. */
unsigned proto_report_repair(kagent_v1_Report *r, struct proto_lists *l);

#endif
