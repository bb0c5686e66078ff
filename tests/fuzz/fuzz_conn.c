/*
 * fuzz_conn.c — the collector's whole conversation with one agent (hello,
 * reports, duplicates, gaps, a second hello, acks, errors, frames cut
 * anywhere) through coll_conn_feed, with no socket: the connection's
 * answers go to a pipe and the store is SQLite's ':memory:', opened
 * afresh for every input so that one input's result never depends on
 * another's.
 *
 * The first byte, as in fuzz_frame, chooses how the rest is cut into
 * reads (1 to 127 bytes, 0: all at once); after every read the batch is
 * committed and acknowledged (coll_flush) as at the end of a loop turn.
 * Its top bit selects TLS mode: the connection's identity is the seeds'
 * host and an ACL lets it report into one cluster, so the identity and
 * ACL refusals run too; without it the collector is --insecure.
 *
 * Checked: the collector answers only with acks and at most one error,
 * which comes last; an error means exactly one rejection was counted;
 * no more reports are stored than report frames were sent; in TLS mode
 * every acknowledged seq is stored (an ack is a promise the report is
 * durable); and every connection is gone after the collector stops.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector.h"
#include "fuzz_util.h"

#define H "fuzz_conn"
/* The seeds' host (tests/fuzz/seeds/frame, seed_frame.c). */
#define CONN_IDENTITY "4c4c4544-0051-3510-8052-b4c04f564433"
#define CONN_ACL "report 4c4c4544-* payments\nread loopback\n"
/* A pipe holds 64 KiB; the answers to one input are a few acks. */
#define CONN_ANSWER_MAX (64u * 1024)

struct conn_state {
	uv_loop_t loop;
	struct collector c;
	kagent_v1_Envelope *env;
	uint8_t *rbuf;
	kagent_v1_Envelope answer;
	struct proto_lists lists;
	uint8_t out[CONN_ANSWER_MAX];
	/* What the answers held. */
	unsigned acks, errors, after_error;
	uint64_t ack_max;
	/* What the input held, decoded independently of the collector. */
	unsigned reports_sent;
};

static struct conn_state *state_get(void)
{
	static struct conn_state *st;

	if (!st) {
		st = calloc(1, sizeof *st);
		if (!st || uv_loop_init(&st->loop) < 0)
			abort();
		st->env = malloc(sizeof *st->env);
		st->rbuf = malloc(4096);
		if (!st->env || !st->rbuf)
			abort();
		proto_lists_init(&st->lists);
	}
	return st;
}

static int on_answer(void *arg, const uint8_t *p, size_t n)
{
	struct conn_state *st = arg;
	struct hw_err err = {{0}};
	int r;

	r = proto_envelope_decode(p, n, &st->answer, &st->lists, &err);
	fuzz_require(r == 0, H, "the collector's answer does not decode");
	if (st->errors)
		st->after_error++;
	if (st->answer.which_msg == kagent_v1_Envelope_ack_tag) {
		st->acks++;
		if (st->answer.msg.ack.seq > st->ack_max)
			st->ack_max = st->answer.msg.ack.seq;
	} else {
		fuzz_require(st->answer.which_msg ==
				 kagent_v1_Envelope_error_tag,
			     H, "answer neither ack nor error");
		st->errors++;
	}
	return 0;
}

/* Counts the report frames of the input as a peer would see them. */
static int on_input(void *arg, const uint8_t *p, size_t n)
{
	struct conn_state *st = arg;
	struct hw_err err = {{0}};

	if (proto_envelope_decode(p, n, &st->answer, &st->lists, &err) == 0 &&
	    st->answer.which_msg == kagent_v1_Envelope_report_tag)
		st->reports_sent++;
	return 0;
}

static void answers_read(struct conn_state *st, int fd)
{
	struct proto_framer f;
	ssize_t n;

	n = read(fd, st->out, sizeof st->out);
	if (n <= 0)
		return;
	proto_framer_init(&f, 0);
	fuzz_require(proto_framer_feed(&f, st->out, (size_t)n, on_answer,
				       st) == 0,
		     H, "the collector's answers are not frames");
	fuzz_require(proto_framer_pending(&f) == 0, H,
		     "an answer cut short");
	proto_framer_free(&f);
}

static void collector_setup(struct conn_state *st, struct coll_store *store,
			    bool tls)
{
	struct collector *c = &st->c;
	char why[256];

	memset(c, 0, sizeof *c);
	c->loop = &st->loop;
	c->store = store;
	c->env = st->env;
	c->rbuf = st->rbuf;
	c->rbuf_len = 4096;
	c->cfg.insecure = !tls;
	c->ctr.insecure = !tls;
	TAILQ_INIT(&c->ack_q);
	TAILQ_INIT(&c->http_q);
	proto_lists_init(&c->lists);
	if (tls) {
		fuzz_require(acl_parse("acl", CONN_ACL, strlen(CONN_ACL),
				       &c->acl, why, sizeof why) == 0,
			     H, "the harness's ACL does not parse");
		c->have_acl = true;
	}
}

static void collector_teardown(struct conn_state *st)
{
	struct collector *c = &st->c;

	coll_stop(c);
	uv_run(&st->loop, UV_RUN_DEFAULT);
	fuzz_require(c->ctr.connections == 0, H, "a connection outlived stop");
	proto_lists_free(&c->lists);
	check_results_free(&c->scratch);
	acl_free(&c->acl);
}

static void check_outcome(struct conn_state *st, struct coll_store *store,
			  bool tls)
{
	const struct coll_counters *ctr = &st->c.ctr;
	uint64_t rejected = 0, seq = 0, committed, rolled_back;
	size_t i;

	for (i = 0; i < COLL_REJECT_N; i++)
		rejected += ctr->rejected[i];
	fuzz_require(st->errors <= 1, H, "more than one error sent");
	fuzz_require(st->after_error == 0, H, "an answer after the error");
	fuzz_require(rejected <= 1, H, "one connection rejected twice");
	fuzz_require(st->errors == 0 || rejected == 1, H,
		     "an error sent without a rejection counted");
	coll_store_counts(store, &committed, &rolled_back);
	fuzz_require(committed + ctr->duplicates <= st->reports_sent, H,
		     "more reports stored than sent");
	if (tls && st->ack_max > 0) {
		fuzz_require(coll_store_last_seq(store, CONN_IDENTITY, &seq) ==
				     0 &&
				 seq >= st->ack_max,
			     H, "a seq acknowledged but not stored");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conn_state *st = state_get();
	struct coll_store *store = NULL;
	struct proto_framer in;
	struct coll_conn *k;
	size_t chunk, off, n;
	char why[256];
	int fds[2];
	bool tls;

	if (size < 1)
		return 0;
	chunk = data[0] & 0x7f ? (size_t)(data[0] & 0x7f) : size - 1;
	tls = data[0] & 0x80;
	data++;
	size--;
	st->acks = st->errors = st->after_error = 0;
	st->ack_max = 0;
	st->reports_sent = 0;
	proto_framer_init(&in, 0);
	proto_framer_feed(&in, data, size, on_input, st);
	proto_framer_free(&in);

	fuzz_require(coll_store_open(":memory:", &store, why, sizeof why) == 0,
		     H, "no in-memory store");
	collector_setup(st, store, tls);
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		abort();
	k = coll_conn_attach(&st->c, fds[1], tls ? CONN_IDENTITY : "");
	fuzz_require(k != NULL, H, "no connection over the pipe");
	for (off = 0; off < size; off += n) {
		n = size - off < chunk ? size - off : chunk;
		coll_conn_feed(k, data + off, n);
		coll_flush(&st->c);
		answers_read(st, fds[0]);
	}
	collector_teardown(st);
	answers_read(st, fds[0]);
	check_outcome(st, store, tls);
	close(fds[0]);
	coll_store_close(store);
	return 0;
}
