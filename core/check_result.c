/* Check results: adding, the verdict, JSON and text output. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core_check.h"
#include "text_esc.h"

const char *check_severity_name(enum check_severity s)
{
	static const char *names[] = { "pass", "info", "unknown", "warn", "fail" };

	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

int check_add(struct check_results *r, const char *id, const char *instance,
	      enum check_severity sev, const char *measured,
	      const char *required, const char *fmt, ...)
{
	struct check_result *res;
	va_list ap;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		struct check_result *v = realloc(r->v, cap * sizeof *v);

		if (v == NULL)
			return -ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	res = &r->v[r->n++];
	memset(res, 0, sizeof *res);
	snprintf(res->id, sizeof res->id, "%s", id);
	snprintf(res->instance, sizeof res->instance, "%s", instance ? instance : "");
	res->sev = sev;
	snprintf(res->measured, sizeof res->measured, "%s", measured ? measured : "");
	snprintf(res->required, sizeof res->required, "%s", required ? required : "");
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof res->message, fmt, ap);
	va_end(ap);
	return 0;
}

void check_set_value(struct check_results *r, const char *unit, int64_t v)
{
	if (r->n == 0)
		return;
	r->v[r->n - 1].value_unit = unit;
	r->v[r->n - 1].value = v;
}

json_t *check_value_to_json(const struct check_result *c)
{
	if (c->value_unit == NULL)
		return json_null();
	return json_pack("{s:I}", c->value_unit, (json_int_t)c->value);
}

void check_results_free(struct check_results *r)
{
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

void check_results_set_age(struct check_results *r, size_t from,
			   int64_t age_ms)
{
	for (; from < r->n; from++) {
		r->v[from].age_known = true;
		r->v[from].age_ms = age_ms;
	}
}

enum check_severity check_verdict(const struct check_results *r)
{
	int fail = 0, warn = 0, unknown = 0;
	size_t i;

	for (i = 0; i < r->n; i++) {
		fail |= r->v[i].sev == SEV_FAIL;
		warn |= r->v[i].sev == SEV_WARN;
		unknown |= r->v[i].sev == SEV_UNKNOWN;
	}
	return fail ? SEV_FAIL : warn ? SEV_WARN : unknown ? SEV_UNKNOWN : SEV_PASS;
}

int check_exit_code(enum check_severity verdict)
{
	switch (verdict) {
	case SEV_FAIL:
		return 2;
	case SEV_WARN:
		return 1;
	case SEV_UNKNOWN:
		return 3;
	default:
		return 0;
	}
}

json_t *check_results_to_json(const struct check_results *r)
{
	json_t *checks = json_array();
	size_t i;

	for (i = 0; checks && i < r->n; i++) {
		const struct check_result *c = &r->v[i];

		json_array_append_new(
		    checks,
		    json_pack(
			"{s:s s:o s:s s:s s:o s:s s:s s:o}", "id", c->id,
			"instance",
			c->instance[0] ? json_string(c->instance) : json_null(),
			"severity", check_severity_name(c->sev), "measured",
			c->measured, "measured_value", check_value_to_json(c),
			"required", c->required, "message", c->message,
			"age_ms",
			c->age_known ? json_integer(c->age_ms) : json_null()));
	}
	return json_pack("{s:s s:o}", "verdict",
			 check_severity_name(check_verdict(r)), "checks", checks);
}

void check_results_print(const struct check_results *r, FILE *out,
			 int only_non_passing)
{
	struct text_esc e = { .next = 0 };
	size_t i;

	fprintf(out, "%-32s %-7s %-22s %-22s %s\n", "CHECK", "RESULT",
		"MEASURED", "REQUIRED", "MESSAGE");
	for (i = 0; i < r->n; i++) {
		const struct check_result *c = &r->v[i];
		char id[96];

		if (only_non_passing && (c->sev == SEV_PASS || c->sev == SEV_INFO))
			continue;
		snprintf(id, sizeof id, "%s%s%s", c->id, c->instance[0] ? " " : "",
			 c->instance);
		/* Instances, measures and messages quote files of the host
		 * (config values, device names): escaped for the terminal. */
		fprintf(out, "%-32s %-7s %-22s %-22s %s\n", text_esc(&e, id),
			check_severity_name(c->sev), text_esc(&e, c->measured),
			text_esc(&e, c->required), text_esc(&e, c->message));
	}
	fprintf(out, "verdict: %s\n", check_severity_name(check_verdict(r)));
}

void check_fmt_bytes(char *buf, size_t len, int64_t bytes, int decimal)
{
	static const char *bin[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	static const char *dec[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	double v = (double)bytes, base = decimal ? 1000.0 : 1024.0;
	int u = 0;

	while (v >= base && u < 5) {
		v /= base;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v,
		 decimal ? dec[u] : bin[u]);
}

void check_fmt_mbps(char *buf, size_t len, int64_t mbps)
{
	if (mbps >= 1000 && mbps % 1000 == 0)
		snprintf(buf, len, "%" PRId64 " Gb/s", mbps / 1000);
	else
		snprintf(buf, len, "%" PRId64 " Mb/s", mbps);
}
