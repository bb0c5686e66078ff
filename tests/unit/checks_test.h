/*
 * checks_test.h — what the host-check tests share: running `kagent check`
 * on a fixture host and finding one result in its JSON, and running one
 * check of the table on a facts struct built in the test.
 *
 * Included by tests/unit/test_checks_*.c after <cmocka.h>.
 */
#ifndef KAGENT_CHECKS_TEST_H
#define KAGENT_CHECKS_TEST_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "checks.h"

struct bin_run {
	json_t *doc;
	int exit_code;
};

/* kagent check --config FIXTURE/kagent.conf --root FIXTURE --json */
static inline void bin_check(const char *fixture, struct bin_run *out)
{
	char cmd[1024];
	json_error_t jerr;
	FILE *p;
	int st;

	snprintf(
	    cmd, sizeof cmd,
	    "'%s' check --config '%s/%s/kagent.conf' --root '%s/%s' --json",
	    KAGENT_BIN, FIXTURES, fixture, FIXTURES, fixture);
	p = popen(cmd, "r");
	assert_non_null(p);
	out->doc = json_loadf(p, 0, &jerr);
	st = pclose(p);
	if (out->doc == NULL)
		fail_msg("%s: no JSON: %s", cmd, jerr.text);
	assert_true(WIFEXITED(st));
	out->exit_code = WEXITSTATUS(st);
}

/* The result with this id and instance (NULL: none); fails the test when
 * there is none, so a check that stopped reporting cannot pass. */
static inline json_t *bin_result(const struct bin_run *r, const char *id,
				 const char *instance)
{
	json_t *checks = json_object_get(r->doc, "checks"), *c;
	size_t i;

	json_array_foreach(checks, i, c)
	{
		json_t *inst = json_object_get(c, "instance");

		if (strcmp(json_string_value(json_object_get(c, "id")), id) !=
		    0)
			continue;
		if (instance
			? json_is_string(inst) &&
			      strcmp(json_string_value(inst), instance) == 0
			: json_is_null(inst))
			return c;
	}
	fail_msg("no result %s %s", id, instance ? instance : "(no instance)");
	return NULL;
}

static inline void assert_bin_result(const struct bin_run *r, const char *id,
				     const char *instance, const char *sev,
				     const char *measured, const char *required)
{
	json_t *c = bin_result(r, id, instance);

	assert_string_equal(json_string_value(json_object_get(c, "severity")),
			    sev);
	assert_string_equal(json_string_value(json_object_get(c, "measured")),
			    measured);
	assert_string_equal(json_string_value(json_object_get(c, "required")),
			    required);
}

static inline const char *bin_verdict(const struct bin_run *r)
{
	return json_string_value(json_object_get(r->doc, "verdict"));
}

/* Facts as facts_gather leaves them before it finds anything: the
 * thresholds' defaults, both roles, nothing probed. */
static inline struct facts *facts_new(unsigned roles)
{
	struct facts *f = calloc(1, sizeof *f);

	assert_non_null(f);
	conf_defaults(&f->conf);
	f->roles = roles;
	return f;
}

/* Runs the one check `id` of the table on f. */
static inline void run_check(const struct facts *f, const char *id,
			     struct check_results *out)
{
	size_t i;

	for (i = 0; i < check_table_count(); i++)
		if (strcmp(check_table_get(i)->id, id) == 0) {
			check_table_get(i)->run(f, out);
			return;
		}
	fail_msg("no check %s in the table", id);
}

static inline void assert_result(const struct check_result *r, const char *id,
				 const char *instance, enum check_severity sev,
				 const char *measured, const char *required)
{
	assert_string_equal(r->id, id);
	assert_string_equal(r->instance, instance);
	assert_string_equal(check_severity_name(r->sev),
			    check_severity_name(sev));
	assert_string_equal(r->measured, measured);
	assert_string_equal(r->required, required);
}

#define GiB (INT64_C(1) << 30)
#define GB  INT64_C(1000000000)

#endif
