/* One agent's connection: accepted from the listener (or attached to a
 * descriptor by a test), its reads fed to the framer, its partial frames
 * counted, and one rule for every fault: log one line naming peer, host
 * id and reason, count it by reason, and close that one connection.
 * conn_msg.c answers the frames; coll_flush sends the acks they queued.
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
#include <unistd.h>

#include "collector.h"
#include "core_log.h"

/* Acks and errors are tiny: a peer with this much unread is not reading. */
#define COLL_CONN_WQ_MAX (16u * 1024)

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

static void conn_log(const struct coll_conn *k, const char *what,
		     const char *why)
{
	core_log(LOG_WARNING, "peer %s host %s: %s: %s", k->peer,
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
	rc = proto_framer_feed(&k->fr, buf, len, coll_conn_frame, k);
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
		 * the agent resends from its spool.  A database that cannot
		 * be reached was logged once, not at every agent's retry. */
		if (!coll_store_stale(k->c->store))
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
	kafka_merge_free(k->kafka);
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
void coll_conn_accept(struct coll_listener *l, int fd, const uint8_t addr[16])
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
void coll_conn_expire(struct coll_listener *l, struct coll_pending *p)
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
		if (!coll_store_stale(c->store))
			core_log(LOG_ERR, "store: commit failed; closing "
					  "the connections it held acks for");
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
		/* Only the ack is encoded: the union's other members (a whole
		 * Report among them, 18 KB) are left as they are. */
		e->which_msg = kagent_v1_Envelope_ack_tag;
		memset(&e->msg.ack, 0, sizeof e->msg.ack);
		e->msg.ack.seq = k->ack_seq;
		k->ack_seq = 0;
		if (k->window_answer) {
			e->msg.ack.has_window = true;
			e->msg.ack.window = k->win.size;
			k->window_answer = false;
		}
		proto_window_acked(&k->win);
		r = conn_send(k, e);
		if (r < 0) {
			conn_log(k, "closed",
				 r == -ENOBUFS ? "peer does not read its acks"
					       : "cannot send an ack");
			proto_stream_close(&k->st, "write failed");
		}
	}
}
