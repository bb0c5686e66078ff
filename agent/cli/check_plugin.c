/* `kagent check`'s plugin output (check_plugin.h).  Everything printed
 * before the perfdata goes through clean(): a '|' from a host's file
 * would start perfdata early and a newline would end the status line. */
#include <stdlib.h>
#include <string.h>

#include "check_plugin.h"
#include "text_esc.h"

/* An item of the status line: "os.swappiness 60". */
#define ITEM_MAX 120

int plugin_state(const struct check_results *r, enum conf_unknown_policy p)
{
	switch (check_verdict(r)) {
	case SEV_FAIL:
		return PLUGIN_CRITICAL;
	case SEV_WARN:
		return PLUGIN_WARNING;
	case SEV_UNKNOWN:
		return p == CONF_UNKNOWN_UNKNOWN   ? PLUGIN_UNKNOWN
		       : p == CONF_UNKNOWN_WARNING ? PLUGIN_WARNING
						   : PLUGIN_OK;
	default:
		return PLUGIN_OK;
	}
}

const char *plugin_state_name(int state)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL",
					    "UNKNOWN"};

	return state >= 0 && state <= 3 ? names[state] : "UNKNOWN";
}

/* text_escape (controls as \xNN, cut with "...") and no '|'. */
static char *clean(char *dst, size_t cap, const char *src)
{
	char *p;

	text_escape(dst, cap, src);
	for (p = dst; *p; p++)
		if (*p == '|')
			*p = '/';
	return dst;
}

void plugin_label(char *dst, size_t cap, const char *raw)
{
	char l[PLUGIN_LABEL_MAX + 1];
	size_t i, n = 0;
	bool quote = false;

	for (i = 0; raw[i] && i < PLUGIN_LABEL_MAX; i++) {
		unsigned char c = (unsigned char)raw[i];

		l[i] = c < 0x20 || c >= 0x7f || c == '|' ? '_' : (char)c;
		quote |= l[i] == ' ' || l[i] == '=' || l[i] == '\'';
	}
	l[i] = '\0';
	if (cap == 0)
		return;
	if (!quote) {
		snprintf(dst, cap, "%s", l[0] ? l : "_");
		return;
	}
	for (i = 0; l[i] && n + 4 < cap; i++) {
		if (n == 0)
			dst[n++] = '\'';
		if (l[i] == '\'')
			dst[n++] = '\'';
		dst[n++] = l[i];
	}
	dst[n++] = '\'';
	dst[n] = '\0';
}

void plugin_perf_item(char *dst, size_t cap, const struct check_perf *p)
{
	const char *f[4] = {p->warn, p->crit, p->min, p->max};
	char label[2 * PLUGIN_LABEL_MAX + 3];
	size_t n;
	int last = -1, i;

	plugin_label(label, sizeof label, p->label);
	n = (size_t)snprintf(dst, cap, "%s=%s%s", label, p->value, p->uom);
	for (i = 0; i < 4; i++)
		if (f[i][0])
			last = i;
	for (i = 0; i <= last && n < cap; i++)
		n += (size_t)snprintf(dst + n, cap - n, ";%s", f[i]);
}

static const char *reason(const struct check_result *c)
{
	return c->measured[0] ? c->measured : c->message;
}

/* "KAGENT WARNING - 1 warn, 0 fail: id reason, ..." within
 * PLUGIN_TEXT_MAX: fails first, then warns, then unknowns. */
static void status_text(const struct plugin_run *run, int state, char *buf,
			size_t cap)
{
	static const enum check_severity order[] = {SEV_FAIL, SEV_WARN,
						    SEV_UNKNOWN};
	const struct check_results *r = run->res;
	size_t count[SEV_FAIL + 1] = {0}, i, j, n, shown = 0, bad;
	char raw[512], item[ITEM_MAX];

	if (cap > PLUGIN_TEXT_MAX)
		cap = PLUGIN_TEXT_MAX;
	for (i = 0; i < r->n; i++)
		if ((unsigned)r->v[i].sev <= SEV_FAIL)
			count[r->v[i].sev]++;
	n = (size_t)snprintf(buf, cap, "KAGENT %s - %zu warn, %zu fail",
			     plugin_state_name(state), count[SEV_WARN],
			     count[SEV_FAIL]);
	if (count[SEV_UNKNOWN])
		n += (size_t)snprintf(buf + n, cap - n, ", %zu unknown",
				      count[SEV_UNKNOWN]);
	bad = count[SEV_FAIL] + count[SEV_WARN] + count[SEV_UNKNOWN];
	if (bad == 0) {
		snprintf(buf + n, cap - n,
			 r->n ? ": all %zu checks pass" : ": no check ran",
			 r->n);
		return;
	}
	for (j = 0; j < sizeof order / sizeof order[0]; j++)
		for (i = 0; i < r->n; i++) {
			const struct check_result *c = &r->v[i];

			if (c->sev != order[j])
				continue;
			snprintf(raw, sizeof raw, "%s%s%s %s", c->id,
				 c->instance[0] ? " " : "", c->instance,
				 reason(c));
			clean(item, sizeof item, raw);
			/* Room for this item and for ", and 999 more". */
			if (n + strlen(item) + 2 + 16 >= cap) {
				snprintf(buf + n, cap - n, ", and %zu more",
					 bad - shown);
				return;
			}
			n += (size_t)snprintf(buf + n, cap - n, "%s%s",
					      shown ? ", " : ": ", item);
			shown++;
		}
}

static void row(FILE *out, const char *id, const char *inst, const char *sev,
		const char *measured, const char *required, const char *msg)
{
	char a[160], b[TEXT_ESC_LEN], c[TEXT_ESC_LEN], d[TEXT_ESC_LEN];
	char raw[128];

	snprintf(raw, sizeof raw, "%s%s%s", id, inst[0] ? " " : "", inst);
	fprintf(out, "%-32s %-7s %-22s %-22s %s\n", clean(a, sizeof a, raw),
		sev, clean(b, sizeof b, measured), clean(c, sizeof c, required),
		clean(d, sizeof d, msg));
}

/* The check table of check_results_print, '|'-free, with the skipped
 * checks. */
static void long_output(const struct plugin_run *run, FILE *out)
{
	const struct check_results *r = run->res;
	size_t i;

	fprintf(out, "%-32s %-7s %-22s %-22s %s\n", "CHECK", "RESULT",
		"MEASURED", "REQUIRED", "MESSAGE");
	for (i = 0; i < r->n; i++)
		row(out, r->v[i].id, r->v[i].instance,
		    check_severity_name(r->v[i].sev), r->v[i].measured,
		    r->v[i].required, r->v[i].message);
	for (i = 0; i < run->n_skipped; i++)
		row(out, run->skipped[i], "", "skipped", "", "",
		    "not run: skip in [check] or --skip");
	fprintf(out, "verdict: %s\n", check_severity_name(check_verdict(r)));
}

int plugin_print(const struct plugin_run *run, FILE *out)
{
	int state = plugin_state(run->res, run->unknown);
	char line[PLUGIN_LINE_MAX + 1], item[512];
	size_t n, i = 0;

	status_text(run, state, line, sizeof line);
	n = strlen(line);
	for (; run->perf && i < run->perf->n; i++) {
		plugin_perf_item(item, sizeof item, &run->perf->v[i]);
		if (n + 3 + strlen(item) > PLUGIN_LINE_MAX)
			break;
		n += (size_t)snprintf(line + n, sizeof line - n, "%s%s",
				      i ? " " : " | ", item);
	}
	fprintf(out, "%s\n", line);
	long_output(run, out);
	/* What did not fit the first line follows the long output's '|',
	 * one item a line. */
	if (run->perf && i < run->perf->n) {
		fputs("| ", out);
		for (; i < run->perf->n; i++) {
			plugin_perf_item(item, sizeof item, &run->perf->v[i]);
			fprintf(out, "%s\n", item);
		}
	}
	return state;
}

static json_t *str_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

static json_t *perf_json(const struct check_perf *p)
{
	json_t *v = strchr(p->value, '.')
			? json_real(strtod(p->value, NULL))
			: json_integer(strtoll(p->value, NULL, 10));

	return json_pack("{s:s s:o s:s s:o s:o s:o s:o}", "label", p->label,
			 "value", v, "uom", p->uom, "warn",
			 str_or_null(p->warn), "crit", str_or_null(p->crit),
			 "min", str_or_null(p->min), "max",
			 str_or_null(p->max));
}

json_t *plugin_json(const struct plugin_run *run)
{
	json_t *doc = check_results_to_json(run->res);
	json_t *skipped = json_array(), *perf = json_array();
	size_t i;

	if (doc == NULL || skipped == NULL || perf == NULL) {
		json_decref(doc);
		json_decref(skipped);
		json_decref(perf);
		return NULL;
	}
	for (i = 0; i < run->n_skipped; i++)
		json_array_append_new(skipped, json_string(run->skipped[i]));
	for (i = 0; run->perf && i < run->perf->n; i++)
		json_array_append_new(perf, perf_json(&run->perf->v[i]));
	json_object_set_new(doc, "state",
			    json_string(plugin_state_name(
				plugin_state(run->res, run->unknown))));
	json_object_set_new(doc, "unknown_policy",
			    json_string(conf_unknown_name(run->unknown)));
	json_object_set_new(doc, "skipped", skipped);
	json_object_set_new(doc, "perfdata", perf);
	return doc;
}
