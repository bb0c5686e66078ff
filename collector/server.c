/* The agents' listener: accept, frames, the conversation of the step-4
 * protocol (hello → ack of the last stored seq; report → store → ack), and
 * one rule for every fault: log one line naming peer, host id and reason,
 * count it by reason, and close that one connection.
 *
 * With TLS the peer's identity is its certificate's: a hello or report
 * naming another host, or a report into a cluster the ACL does not give
 * that identity, is refused like any other fault.
 *
 * Per connection the collector keeps a proto_stream, a framer (which
 * allocates only while a frame is partial) and a few fields; the read
 * buffer and the decoded Envelope are shared by the whole loop.
 *
 * listener.c accepts, caps the connections without a hello yet and closes
 * them at handshake_timeout; held.c caps the bytes of partial frames. */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pb_encode.h>

#include "collector.h"
#include "hostport.h"

/* Acks and errors are tiny: a peer with this much unread is not reading. */
#define COLL_CONN_WQ_MAX (16u * 1024)
#define COLL_RBUF_LEN	 (64u * 1024)
#define COLL_BACKLOG	 1024
/* How often the fleet checks are judged and their changes recorded. */
#define COLL_JUDGE_MS 10000

struct coll_conn {
	struct proto_stream st;
	struct proto_framer fr;
	struct coll_pending pend; /* until the hello */
	uint64_t held;		  /* bytes of its partial frame counted */
	char addr[48];		  /* the peer's, without the port */
	struct collector *c;
	TAILQ_ENTRY(coll_conn) ack_link;
	uint64_t ack_seq;    /* highest seq to acknowledge after the commit */
	uint64_t stored_seq; /* the host's last stored seq, from the hello on */
	bool ack_queued;
	bool hello;
	bool rejected;
	/* Set by the frame callback, reported once the framer stops. */
	enum coll_reject reject;
	int err_code;
	char why[160];
	char host_id[64];
	char identity[PROTO_TLS_ID_MAX]; /* the certificate's, "" plaintext */
	char peer[56];
};

static const char *const reject_names[COLL_REJECT_N] = {
    [COLL_REJECT_BAD_FRAME] = "bad_frame",
    [COLL_REJECT_OVERSIZED] = "oversized",
    [COLL_REJECT_TRUNCATED] = "truncated",
    [COLL_REJECT_PROTOCOL] = "protocol",
    [COLL_REJECT_IDENTITY] = "identity",
    [COLL_REJECT_TLS] = "tls",
    [COLL_REJECT_ACL] = "acl",
    [COLL_REJECT_UTF8] = "utf8",
    [COLL_REJECT_SEQ] = "seq",
    [COLL_REJECT_HELD] = "partial_bytes",
};

const char *coll_reject_name(enum coll_reject r)
{
	return (unsigned)r < COLL_REJECT_N ? reject_names[r] : "unknown";
}

int64_t coll_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conn_log(const struct coll_conn *k, const char *what,
		     const char *why)
{
	fprintf(stderr, "kcollectord: peer %s host %s: %s: %s\n", k->peer,
		k->host_id[0] ? k->host_id : "-", what, why);
}

static int conn_send(struct coll_conn *k, const kagent_v1_Envelope *m)
{
	uint8_t buf[512];
	size_t len;
	int r;

	r = proto_envelope_encode(m, buf, sizeof buf, &len, NULL);
	if (r == 0)
		r = proto_stream_write(&k->st, buf, len);
	return r;
}

static void conn_reject(struct coll_conn *k, enum coll_reject why, int code,
			const char *msg)
{
	kagent_v1_Envelope *e = k->c->env;

	if (k->rejected || k->st.closing)
		return;
	k->rejected = true;
	k->c->ctr.rejected[why]++;
	conn_log(k, coll_reject_name(why), msg);
	if (code != kagent_v1_ErrorCode_ERROR_CODE_UNSPECIFIED ||
	    why != COLL_REJECT_TRUNCATED) {
		memset(e, 0, sizeof *e);
		e->which_msg = kagent_v1_Envelope_error_tag;
		e->msg.error.code = code;
		proto_str_set(e->msg.error.message, sizeof e->msg.error.message,
			      msg);
		/* Best effort: the peer may be gone already. */
		conn_send(k, e);
	}
	proto_stream_close(&k->st, msg);
}

static int frame_fail(struct coll_conn *k, enum coll_reject why, int code,
		      const char *fmt, const char *arg)
{
	k->reject = why;
	k->err_code = code;
	snprintf(k->why, sizeof k->why, fmt, arg);
	return -EPROTO;
}

static void ack_queue(struct coll_conn *k, uint64_t seq)
{
	if (seq > k->ack_seq)
		k->ack_seq = seq;
	if (!k->ack_queued) {
		k->ack_queued = true;
		TAILQ_INSERT_TAIL(&k->c->ack_q, k, ack_link);
	}
}

static int on_hello(struct coll_conn *k, const kagent_v1_Hello *h)
{
	char msg[sizeof k->why];
	struct hw_err err;
	uint64_t seq;
	char v[16];

	if (k->hello)
		return frame_fail(k, COLL_REJECT_PROTOCOL,
				  kagent_v1_ErrorCode_ERROR_CODE_UNEXPECTED,
				  "a second hello%s", "");
	if (h->protocol_version != PROTO_VERSION) {
		snprintf(v, sizeof v, "%u", h->protocol_version);
		return frame_fail(k, COLL_REJECT_PROTOCOL,
				  kagent_v1_ErrorCode_ERROR_CODE_VERSION,
				  "protocol version %s not supported (1)", v);
	}
	if (proto_hello_check(h, &err) < 0)
		return frame_fail(k, COLL_REJECT_UTF8,
				  kagent_v1_ErrorCode_ERROR_CODE_BAD_MESSAGE,
				  "%s", err.msg);
	if (!coll_host_id_valid(h->host_id))
		return frame_fail(k, COLL_REJECT_IDENTITY,
				  kagent_v1_ErrorCode_ERROR_CODE_HOST_ID,
				  "host id '%s' is empty, not printable or "
				  "longer than 63 bytes",
				  h->host_id);
	/* One host can never speak for another: the certificate decides. */
	if (!k->c->cfg.insecure && strcmp(h->host_id, k->identity) != 0) {
		snprintf(msg, sizeof msg,
			 "hello of host '%s' with the certificate of '%s'",
			 h->host_id, k->identity);
		return frame_fail(k, COLL_REJECT_IDENTITY,
				  kagent_v1_ErrorCode_ERROR_CODE_HOST_ID, "%s",
				  msg);
	}
	if (coll_store_last_seq(k->c->store, h->host_id, &seq) < 0) {
		snprintf(k->why, sizeof k->why, "store: cannot read host");
		k->reject = COLL_REJECT_N;
		return -EIO;
	}
	snprintf(k->host_id, sizeof k->host_id, "%s", h->host_id);
	/* The agent has made fewer reports than are stored for its host:
	 * its spool was lost (a reinstall, a re-imaged host).  It continues
	 * from seq + 1; counted, so that a fleet of such hosts shows. */
	if (h->has_last_seq && h->last_seq < seq) {
		k->c->ctr.seq_resets++;
		fprintf(stderr,
			"kcollectord: peer %s host %s: agent's seq %llu is "
			"behind the stored %llu: its spool was lost or reset\n",
			k->peer, h->host_id, (unsigned long long)h->last_seq,
			(unsigned long long)seq);
	}
	k->hello = true;
	coll_pending_done(&k->c->agents, &k->pend);
	k->stored_seq = seq;
	k->ack_seq = 0;
	ack_queue(k, seq);
	/* ack_queue keeps the highest; a fresh hello answers exactly seq. */
	k->ack_seq = seq;
	return 0;
}

/* The Report's own bytes inside the Envelope payload: a canonical
 * encoder writes the oneof member as tag 0x12, a length, the Report.
 * *len = 0 when the payload is not laid out that way. */
static const uint8_t *report_bytes(const uint8_t *p, size_t n, size_t *len)
{
	uint64_t v = 0;
	size_t i;

	*len = 0;
	if (n < 2 || p[0] != 0x12)
		return NULL;
	for (i = 1; i < n && i < 11; i++) {
		v |= (uint64_t)(p[i] & 0x7f) << (7 * (i - 1));
		if (!(p[i] & 0x80))
			break;
	}
	if (i >= n || i >= 11 || v != n - i - 1)
		return NULL;
	*len = (size_t)v;
	return p + i + 1;
}

static int store_report(struct coll_conn *k, const uint8_t *p, size_t n)
{
	struct collector *c = k->c;
	kagent_v1_Report *r = &c->env->msg.report;
	struct coll_report_meta m;
	const uint8_t *blob;
	uint8_t *owned = NULL;
	size_t len;
	int rc, sev;

	blob = report_bytes(p, n, &len);
	if (blob == NULL) {
		pb_ostream_t os;

		proto_report_bind(r, &c->lists);
		if (!pb_get_encoded_size(&len, kagent_v1_Report_fields, r) ||
		    (owned = malloc(len ? len : 1)) == NULL)
			return -ENOMEM;
		os = pb_ostream_from_buffer(owned, len);
		if (!pb_encode(&os, kagent_v1_Report_fields, r)) {
			free(owned);
			return -EINVAL;
		}
		proto_report_unbind(r);
		blob = owned;
	}
	rc = coll_checks_from_report(&c->lists, &c->scratch);
	if (rc == 0) {
		sev = coll_severity_from_proto(r->verdict);
		m = (struct coll_report_meta){
		    r->host_id,	   r->cluster,		 r->seq,
		    coll_now_ms(), r->report_interval_s, sev};
		rc = coll_store_put(c->store, &m, blob, len, &c->scratch);
	}
	free(owned);
	return rc;
}

static int on_report(struct coll_conn *k, const uint8_t *p, size_t n)
{
	const kagent_v1_Report *r = &k->c->env->msg.report;
	char msg[sizeof k->why];
	struct hw_err err;
	int rc;

	if (!k->hello)
		return frame_fail(k, COLL_REJECT_PROTOCOL,
				  kagent_v1_ErrorCode_ERROR_CODE_UNEXPECTED,
				  "report before hello%s", "");
	/* With TLS the hello's host id is the certificate's, so this also
	 * refuses a report of another host than the certificate names. */
	if (strcmp(r->host_id, k->host_id) != 0) {
		snprintf(msg, sizeof msg,
			 "report of host '%s' on the connection of '%s'",
			 r->host_id, k->host_id);
		return frame_fail(k, COLL_REJECT_IDENTITY,
				  kagent_v1_ErrorCode_ERROR_CODE_HOST_ID, "%s",
				  msg);
	}
	/* Before any string is used: a report whose strings are not UTF-8
	 * would make /metrics and the JSON views unreadable, and a seq above
	 * PROTO_SEQ_MAX cannot be compared with the stored one. */
	rc = proto_report_check(r, &k->c->lists, &err);
	if (rc < 0)
		return frame_fail(k,
				  rc == -ERANGE ? COLL_REJECT_SEQ
				  : rc == -EILSEQ ? COLL_REJECT_UTF8
						  : COLL_REJECT_BAD_FRAME,
				  kagent_v1_ErrorCode_ERROR_CODE_BAD_MESSAGE,
				  "%s", err.msg);
	if (!coll_may_report(k->c, k->host_id, r->cluster)) {
		snprintf(msg, sizeof msg,
			 "the ACL does not let '%s' report into cluster '%s'",
			 k->host_id, r->cluster);
		return frame_fail(k, COLL_REJECT_ACL,
				  kagent_v1_ErrorCode_ERROR_CODE_HOST_ID, "%s",
				  msg);
	}
	if (r->seq == 0)
		return frame_fail(k, COLL_REJECT_PROTOCOL,
				  kagent_v1_ErrorCode_ERROR_CODE_BAD_MESSAGE,
				  "report with seq 0%s", "");
	rc = store_report(k, p, n);
	if (rc < 0) {
		snprintf(k->why, sizeof k->why, "store: cannot store seq %llu",
			 (unsigned long long)r->seq);
		k->reject = COLL_REJECT_N;
		return rc;
	}
	/* Counted as a report by coll_store_flush, once committed. */
	if (rc == 1) {
		k->c->ctr.duplicates++;
	} else {
		/* Stored seqs only grow; one that is not the next means the
		 * agent lost reports (spool full) or sent them out of order:
		 * the one event that shows loss, so it is counted and named.
		 * A new host may start above 1 (its agent is older than this
		 * database): named, not counted. */
		if (k->stored_seq == 0 && r->seq != 1)
			fprintf(stderr,
				"kcollectord: peer %s host %s: first report "
				"has seq %llu\n",
				k->peer, k->host_id,
				(unsigned long long)r->seq);
		else if (r->seq != k->stored_seq + 1) {
			k->c->ctr.seq_gaps += r->seq - k->stored_seq - 1;
			fprintf(stderr,
				"kcollectord: peer %s host %s: seq gap: %llu "
				"stored after %llu\n",
				k->peer, k->host_id, (unsigned long long)r->seq,
				(unsigned long long)k->stored_seq);
		}
		k->stored_seq = r->seq;
	}
	ack_queue(k, r->seq);
	return 0;
}

static int on_frame(void *arg, const uint8_t *p, size_t n)
{
	struct coll_conn *k = arg;
	kagent_v1_Envelope *e = k->c->env;
	struct hw_err err;
	int rc;

	rc = proto_envelope_decode(p, n, e, &k->c->lists, &err);
	if (rc == -EBADMSG)
		return frame_fail(k, COLL_REJECT_BAD_FRAME,
				  kagent_v1_ErrorCode_ERROR_CODE_BAD_MESSAGE,
				  "%s", err.msg);
	if (rc < 0)
		return frame_fail(k, COLL_REJECT_PROTOCOL,
				  kagent_v1_ErrorCode_ERROR_CODE_UNEXPECTED,
				  "%s", err.msg);
	switch (e->which_msg) {
	case kagent_v1_Envelope_hello_tag:
		return on_hello(k, &e->msg.hello);
	case kagent_v1_Envelope_report_tag:
		return on_report(k, p, n);
	default:
		return frame_fail(k, COLL_REJECT_PROTOCOL,
				  kagent_v1_ErrorCode_ERROR_CODE_UNEXPECTED,
				  "unexpected %s from an agent",
				  proto_envelope_kind(e));
	}
}

/* The framer allocates a partial frame whole: that allocation is what
 * the connection holds until the frame completes.  The key is the
 * certificate's identity, or the address when there is none. */
static const char *conn_held_id(const struct coll_conn *k)
{
	return k->identity[0] ? k->identity : k->addr;
}

static void conn_held_check(struct coll_conn *k)
{
	uint64_t now = k->fr.have > 0 ? k->fr.cap : 0;
	char msg[160];
	int r;

	r = coll_held_set(&k->c->held, conn_held_id(k), &k->held, now);
	if (r == 0)
		return;
	snprintf(msg, sizeof msg,
		 "partial frames above max_partial_bytes%s (%llu held)",
		 r == -EDQUOT ? "_per_identity for this identity" : "",
		 (unsigned long long)k->c->held.total);
	conn_reject(k, COLL_REJECT_HELD,
		    kagent_v1_ErrorCode_ERROR_CODE_FRAME_TOO_BIG, msg);
}

static void conn_read(struct proto_stream *s, const uint8_t *buf, size_t len)
{
	struct coll_conn *k = s->data;
	int rc;

	if (k->rejected)
		return;
	k->reject = COLL_REJECT_N;
	k->why[0] = '\0';
	rc = proto_framer_feed(&k->fr, buf, len, on_frame, k);
	if (rc == 0) {
		conn_held_check(k);
		return;
	}
	if (rc == -EMSGSIZE)
		conn_reject(k, COLL_REJECT_OVERSIZED,
			    kagent_v1_ErrorCode_ERROR_CODE_FRAME_TOO_BIG,
			    k->fr.why);
	else if (k->reject != COLL_REJECT_N)
		conn_reject(k, k->reject, k->err_code, k->why);
	else {
		/* Not the peer's fault (store, memory): close uncounted so
		 * the agent resends from its spool. */
		conn_log(k, "closed", k->why[0] ? k->why : k->fr.why);
		proto_stream_close(&k->st, "collector error");
	}
}

static void conn_closed(struct proto_stream *s, const char *why)
{
	struct coll_conn *k = s->data;
	struct collector *c = k->c;

	if (!k->rejected && proto_framer_pending(&k->fr) > 0) {
		char msg[160];

		snprintf(msg, sizeof msg,
			 "closed inside a frame, %zu bytes held (%s)",
			 proto_framer_pending(&k->fr), why);
		k->rejected = true;
		c->ctr.rejected[COLL_REJECT_TRUNCATED]++;
		conn_log(k, "truncated", msg);
	} else if (!k->rejected && !c->cfg.insecure && !k->st.handshaken &&
		   strncmp(why, "tls:", 4) == 0) {
		/* No certificate, another CA's, an expired one, or one that
		 * names no identity. */
		k->rejected = true;
		c->ctr.rejected[COLL_REJECT_TLS]++;
		conn_log(k, "tls", why + strspn(why + 4, " ") + 4);
	}
	if (k->ack_queued)
		TAILQ_REMOVE(&c->ack_q, k, ack_link);
	coll_pending_done(&c->agents, &k->pend);
	coll_held_set(&c->held, conn_held_id(k), &k->held, 0);
	c->ctr.connections--;
	proto_framer_free(&k->fr);
	free(k);
}

static void peer_name(uv_tcp_t *t, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	int sl = sizeof ss;
	char ip[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (uv_tcp_getpeername(t, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

			uv_ip6_name(a, ip, sizeof ip);
			port = ntohs(a->sin6_port);
			snprintf(buf, len, "[%s]:%d", ip, port);
			return;
		}
		uv_ip4_name((struct sockaddr_in *)&ss, ip, sizeof ip);
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	snprintf(buf, len, "%s:%d", ip, port);
}

static void conn_handshake(struct proto_stream *s, const char *identity)
{
	struct coll_conn *k = s->data;

	snprintf(k->identity, sizeof k->identity, "%s", identity);
}

static struct coll_conn *conn_new(struct collector *c)
{
	struct coll_conn *k = calloc(1, sizeof *k);

	if (k == NULL)
		return NULL;
	k->c = c;
	proto_framer_init(&k->fr, 0);
	if (proto_stream_init(c->loop, &k->st, k, c->rbuf, c->rbuf_len,
			      COLL_CONN_WQ_MAX, conn_read, conn_closed) < 0) {
		free(k);
		return NULL;
	}
	c->ctr.connections++;
	c->ctr.accepted++;
	return k;
}

struct coll_conn *coll_conn_attach(struct collector *c, int fd,
				   const char *identity)
{
	struct coll_conn *k = conn_new(c);

	if (k == NULL)
		return NULL;
	snprintf(k->peer, sizeof k->peer, "fd %d", fd);
	snprintf(k->identity, sizeof k->identity, "%s", identity);
	if (uv_tcp_open(&k->st.tcp, fd) < 0) {
		proto_stream_close(&k->st, "cannot open");
		return NULL;
	}
	return k;
}

/* A closed socket reads nothing more; neither does this. */
void coll_conn_feed(struct coll_conn *k, const uint8_t *buf, size_t len)
{
	if (!k->st.closing)
		conn_read(&k->st, buf, len);
}

/* The listener admitted fd (caps, descriptors): the connection counts as
 * pending until its hello. */
static void on_agent(struct coll_listener *l, int fd, const uint8_t addr[16])
{
	struct collector *c = l->data;
	struct coll_conn *k;

	k = conn_new(c);
	if (k == NULL) {
		close(fd);
		return;
	}
	coll_pending_add(l, &k->pend, addr);
	coll_addr_name(addr, k->addr, sizeof k->addr);
	if (uv_tcp_open(&k->st.tcp, fd) < 0) {
		close(fd);
		proto_stream_close(&k->st, "accept failed");
		return;
	}
	peer_name(&k->st.tcp, k->peer, sizeof k->peer);
	k->st.on_handshake = conn_handshake;
	if ((c->cfg.insecure
		 ? proto_stream_start(&k->st)
		 : proto_stream_tls_start(&k->st, &c->tls, true, NULL)) < 0)
		proto_stream_close(&k->st, "cannot read");
}

/* No hello within handshake_timeout: the listener logs the batch. */
static void on_agent_expire(struct coll_listener *l, struct coll_pending *p)
{
	struct coll_conn *k =
	    (struct coll_conn *)((char *)p - offsetof(struct coll_conn, pend));

	(void)l;
	k->rejected = true;
	proto_stream_close(&k->st, "not authenticated in time");
}

/* After the loop has handled a turn's reads: commit the batch, then
 * acknowledge what it holds. */
void coll_flush(struct collector *c)
{
	kagent_v1_Envelope *e = c->env;
	struct coll_conn *k;
	int r;

	if (coll_store_flush(c->store) < 0) {
		fprintf(stderr, "kcollectord: store: commit failed; closing "
				"the connections it held acks for\n");
		while ((k = TAILQ_FIRST(&c->ack_q)) != NULL) {
			TAILQ_REMOVE(&c->ack_q, k, ack_link);
			k->ack_queued = false;
			proto_stream_close(&k->st, "commit failed");
		}
		return;
	}
	while ((k = TAILQ_FIRST(&c->ack_q)) != NULL) {
		TAILQ_REMOVE(&c->ack_q, k, ack_link);
		k->ack_queued = false;
		/* Refused after a good frame of the same read: the refusal
		 * was logged, the report is stored, the agent resends it
		 * and gets a duplicate's ack. */
		if (k->st.closing)
			continue;
		memset(e, 0, sizeof *e);
		e->which_msg = kagent_v1_Envelope_ack_tag;
		e->msg.ack.seq = k->ack_seq;
		k->ack_seq = 0;
		r = conn_send(k, e);
		if (r < 0) {
			conn_log(k, "closed",
				 r == -ENOBUFS ? "peer does not read its acks"
					       : "cannot send an ack");
			proto_stream_close(&k->st, "write failed");
		}
	}
}

static void on_flush(uv_check_t *h)
{
	coll_flush(h->data);
}

/* The fleet checks change when hosts report or fall silent; their
 * history is recorded from here, not from a view that may never be
 * asked for. */
static void on_judge(uv_timer_t *t)
{
	struct collector *c = t->data;
	struct check_results r = {0};
	struct coll_fleet f;
	struct coll_host *hosts;
	int64_t now = coll_now_ms();
	size_t i;

	if (coll_fleet_load(c->store, now, &f) < 0)
		return;
	hosts = coll_fleet_hosts(&f);
	for (i = 0; hosts && i < f.n_clusters; i++) {
		r.n = 0;
		if (coll_fleet_judge(f.clusters[i], hosts, f.n, false, &r) == 0)
			coll_store_checks_update(c->store, "cluster",
						 f.clusters[i], &r, now, NULL);
	}
	coll_store_flush(c->store);
	check_results_free(&r);
	free(hosts);
	coll_fleet_free(&f);
}

int coll_server_start(struct collector *c, const struct sockaddr *addr)
{
	struct coll_listener *l = &c->agents;
	int r;

	l->data = c;
	l->name = "agents";
	l->on_accept = on_agent;
	l->on_expire = on_agent_expire;
	l->max_pending = c->cfg.max_pending;
	l->max_pending_addr = c->cfg.max_pending_per_address;
	l->timeout_ms = c->cfg.handshake_timeout_ms;
	c->ctr.port[COLL_PORT_AGENTS] = &l->ctr;
	r = coll_listener_start(l, c->loop, addr, COLL_BACKLOG);
	if (r < 0)
		return r;
	uv_check_init(c->loop, &c->flush);
	c->flush.data = c;
	uv_check_start(&c->flush, on_flush);
	uv_timer_init(c->loop, &c->judge);
	c->judge.data = c;
	uv_timer_start(&c->judge, on_judge, 1000, COLL_JUDGE_MS);
	return 0;
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct collector *c = h->data;
	char err[1100];

	if (signum != SIGHUP) {
		coll_stop(c);
		return;
	}
	if (coll_reload(c, err, sizeof err) < 0)
		fprintf(stderr, "kcollectord: reload: %s\n", err);
	else
		fprintf(stderr, "kcollectord: reload: certificates and ACL "
				"reloaded for new connections\n");
}

int coll_init(struct collector *c, uv_loop_t *loop, struct coll_store *store,
	      const struct coll_config *cfg, char *err, size_t errlen)
{
	const char *listen = cfg->listen, *http = cfg->http;
	struct sockaddr_storage la, ha;
	char why[320];
	int r;

	memset(c, 0, sizeof *c);
	c->loop = loop;
	c->store = store;
	c->cfg = *cfg;
	c->started_ms = coll_now_ms();
	TAILQ_INIT(&c->ack_q);
	TAILQ_INIT(&c->http_q);
	proto_lists_init(&c->lists);
	r = coll_security_init(c, err, errlen);
	if (r < 0)
		return r;
	if (proto_hostport_sockaddr(listen, &la, why, sizeof why) < 0) {
		snprintf(err, errlen, "--listen: %s", why);
		return -EINVAL;
	}
	if (proto_hostport_sockaddr(http, &ha, why, sizeof why) < 0) {
		snprintf(err, errlen, "--http: %s", why);
		return -EINVAL;
	}
	if (coll_held_init(&c->held, cfg->max_partial_bytes,
			   cfg->max_partial_bytes_per_identity) < 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->ctr.held = &c->held;
	c->rbuf_len = COLL_RBUF_LEN;
	c->rbuf = malloc(c->rbuf_len);
	c->env = malloc(sizeof *c->env);
	if (c->rbuf == NULL || c->env == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = coll_server_start(c, (struct sockaddr *)&la);
	if (r < 0) {
		snprintf(err, errlen, "--listen %s: %s", listen,
			 uv_strerror(r));
		return r;
	}
	r = coll_http_start(c, (struct sockaddr *)&ha);
	if (r < 0) {
		snprintf(err, errlen, "--http %s: %s", http, uv_strerror(r));
		return r;
	}
	uv_signal_init(loop, &c->sigint);
	uv_signal_init(loop, &c->sigterm);
	uv_signal_init(loop, &c->sighup);
	c->sigint.data = c->sigterm.data = c->sighup.data = c;
	uv_signal_start(&c->sigint, on_signal, SIGINT);
	uv_signal_start(&c->sigterm, on_signal, SIGTERM);
	uv_signal_start(&c->sighup, on_signal, SIGHUP);
	return 0;
}

static void close_one(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (uv_is_closing(h))
		return;
	/* Connections close through their stream so their memory goes;
	 * the listeners are polls. */
	if (h->type == UV_TCP) {
		proto_stream_close(h->data, "collector stopping");
		return;
	}
	uv_close(h, NULL);
}

void coll_stop(struct collector *c)
{
	if (c->stopping)
		return;
	c->stopping = true;
	coll_store_flush(c->store);
	uv_walk(c->loop, close_one, c);
}

void coll_free(struct collector *c)
{
	proto_lists_free(&c->lists);
	check_results_free(&c->scratch);
	free(c->env);
	free(c->rbuf);
	proto_tls_free(&c->tls);
	acl_free(&c->acl);
	coll_listener_free(&c->agents);
	coll_listener_free(&c->http);
	coll_held_free(&c->held);
}
