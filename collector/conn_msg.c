/* One agent's messages, the conversation of the step-4 protocol: the
 * hello (→ ack of the last stored seq) and each report (checked, stored,
 * then acknowledged once coll_flush has committed the batch).  A refusal
 * is noted on the connection by frame_fail; conn.c logs, counts and sends
 * it once the framer stops.
 *
 * With TLS the peer's identity is its certificate's: a hello or report
 * naming another host, or a report into a cluster the ACL does not give
 * that identity, is refused like any other fault. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pb_encode.h>

#include "collector.h"
#include "core_log.h"

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
	if (proto_window_accept(h, COLL_WINDOW_MAX, &k->win.size) < 0)
		return frame_fail(k, COLL_REJECT_PROTOCOL,
				  kagent_v1_ErrorCode_ERROR_CODE_BAD_MESSAGE,
				  "hello asks for a window of 0 reports%s", "");
	k->window_answer = h->has_window;
	snprintf(k->host_id, sizeof k->host_id, "%s", h->host_id);
	/* The agent has made fewer reports than are stored for its host:
	 * its spool was lost (a reinstall, a re-imaged host).  It continues
	 * from seq + 1; counted, so that a fleet of such hosts shows. */
	if (h->has_last_seq && h->last_seq < seq) {
		k->c->ctr.seq_resets++;
		core_log(LOG_WARNING, "peer %s host %s: agent's seq %llu is "
			"behind the stored %llu: its spool was lost or reset",
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

	/* A Kafka list completed from the last whole one: encoded again. */
	blob = kafka_merge_report(k) ? NULL : report_bytes(p, n, &len);
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
	if (proto_window_take(&k->win) < 0) {
		snprintf(msg, sizeof msg, "more than %u reports in flight",
			 (unsigned)k->win.size);
		return frame_fail(k, COLL_REJECT_PROTOCOL,
				  kagent_v1_ErrorCode_ERROR_CODE_UNEXPECTED,
				  "%s", msg);
	}
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
			core_log(LOG_NOTICE, "peer %s host %s: first report "
				"has seq %llu",
				k->peer, k->host_id,
				(unsigned long long)r->seq);
		else if (r->seq != k->stored_seq + 1) {
			k->c->ctr.seq_gaps += r->seq - k->stored_seq - 1;
			core_log(LOG_WARNING, "peer %s host %s: seq gap: %llu "
				"stored after %llu",
				k->peer, k->host_id, (unsigned long long)r->seq,
				(unsigned long long)k->stored_seq);
		}
		k->stored_seq = r->seq;
	}
	ack_queue(k, r->seq);
	return 0;
}

int coll_conn_frame(void *arg, const uint8_t *p, size_t n)
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
