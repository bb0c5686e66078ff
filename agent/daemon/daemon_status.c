/* The status document kagentd's control socket serves: the connection,
 * the spool, the prober and the last report's checks. */
#include "daemon_int.h"

static void last_report_decode(struct agent *a)
{
	struct hw_err err = { { 0 } };

	if (a->last_decoded || a->last_len <= PROTO_FRAME_HDR)
		return;
	a->last_decoded = true;
	if (proto_envelope_decode(a->last_frame + PROTO_FRAME_HDR,
				  a->last_len - PROTO_FRAME_HDR, a->env,
				  &a->lists, &err) == 0 &&
	    a->env->which_msg == kagent_v1_Envelope_report_tag) {
		a->have_report = true;
		a->verdict = a->env->msg.report.verdict;
	}
}

static json_t *checks_json(const struct agent *a)
{
	const kagent_v1_CheckResult *c = a->lists.checks.v;
	json_t *arr = json_array();
	size_t i;

	/* Every check of the last report, passes too: the same list as
	 * `kagent check` gives, so the two can be compared (no instance is
	 * null in both; the wire carries it as proto3's empty string). */
	for (i = 0; arr && a->have_report && i < a->lists.checks.n; i++)
		json_array_append_new(
		    arr,
		    json_pack("{s:s s:o s:s s:s s:s s:s s:o}", "id", c[i].id,
			      "instance", core_json_str(c[i].instance),
			      "severity",
			      check_severity_name(
				  (enum check_severity)(c[i].severity - 1)),
			      "measured", c[i].measured, "required",
			      c[i].required, "message", c[i].message, "age_ms",
			      c[i].has_age_ms ? json_integer(c[i].age_ms)
					      : json_null()));
	return arr;
}

char *daemon_status_json(void *arg)
{
	struct agent *a = arg;
	json_t *doc;
	char *text;

	last_report_decode(a);
	doc = json_pack(
		"{s:s s:I s:s s:s s:s s:s s:I s:I s:I s:o s:{s:I s:I s:I s:I} s:o s:o}",
		"version", KAGENT_VERSION, "uptime_s",
		(json_int_t)((uv_now(&a->loop) - a->start_ms) / 1000), "host_id",
		a->host_id, "collector", a->up.addr, "connection",
		uplink_state_name(a->up.state), "last_error", a->up.last_error,
		"last_sent_seq", (json_int_t)a->up.last_sent_seq,
		"last_acked_seq", (json_int_t)a->up.acked_seq, "last_report_seq",
		(json_int_t)a->spool.last_seq, "last_report_ms",
		a->last_report_ms ? json_integer(a->last_report_ms) : json_null(),
		"spool", "reports", (json_int_t)a->spool.n, "bytes",
		(json_int_t)a->spool.bytes, "dropped",
		(json_int_t)a->spool.dropped, "corrupt",
		(json_int_t)a->spool.corrupt, "verdict",
		a->have_report ? json_string(check_severity_name(
					 (enum check_severity)(a->verdict - 1)))
			       : json_null(),
		"checks", checks_json(a));
	if (doc != NULL)
		json_object_set_new(
			doc, "prober",
			json_pack("{s:I s:o}", "restarts",
				  (json_int_t)a->prober_restarts, "last_error",
				  a->prober_error[0] ? json_string(a->prober_error)
						     : json_null()));
	if (doc != NULL)
		json_object_set_new(doc, "tls", control_tls_json(
			&a->conf->agent, a->conf->th.agent_tls_expiry_warn_days,
			&a->cert));
	if (doc != NULL)
		agent_status_extend(doc, &a->up, &a->spool);
	if (doc != NULL)
		daemon_reload_status(a, doc);
	if (doc == NULL)
		return NULL;
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}
