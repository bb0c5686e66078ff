/*
 * check_host.h — running `kagent check` on a fixture host and reading its
 * JSON, for the tests of the check groups and of the CLI.
 *
 * A fixture host (tests/fixtures/check-*) links its sys/ and unchanged
 * proc/ files to ../check-base.  Git keeps no file modes, so a test that
 * judges modes stages a copy in a temporary directory, beside a link to
 * check-base, and sets the modes there.
 */
#ifndef KAGENT_TEST_CHECK_HOST_H
#define KAGENT_TEST_CHECK_HOST_H

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct staged {
	char dir[PATH_MAX];  /* the temporary directory */
	char root[PATH_MAX]; /* dir/<fixture> */
};

/* Copies fixture `name` into a fresh temporary directory. */
static inline int host_stage(const char *name, struct staged *s)
{
	char cmd[3 * PATH_MAX];

	snprintf(s->dir, sizeof s->dir, "/tmp/kagent-check-XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		return -1;
	snprintf(s->root, sizeof s->root, "%s/%s", s->dir, name);
	snprintf(cmd, sizeof cmd,
		 "ln -s '%s/check-base' '%s/check-base' && cp -a '%s/%s' '%s/'",
		 FIXTURES, s->dir, FIXTURES, name, s->dir);
	return system(cmd) == 0 ? 0 : -1;
}

static inline int host_chmod(const struct staged *s, const char *rel,
			     mode_t mode)
{
	char p[2 * PATH_MAX];

	snprintf(p, sizeof p, "%s/%s", s->root, rel);
	return chmod(p, mode);
}

static inline void host_unstage(struct staged *s)
{
	char cmd[PATH_MAX + 16];

	if (strncmp(s->dir, "/tmp/kagent-check-", 18) != 0)
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", s->dir);
}

/* Runs KAGENT_BIN check ARGS; stdout to *out (malloc'd), exit code back,
 * stderr into err (may be NULL).  -1 when it could not run or died. */
static inline int host_run(const char *args, char **out, char *err,
			   size_t errlen)
{
	char cmd[4 * PATH_MAX], errfile[] = "/tmp/kagent-check-err-XXXXXX";
	size_t cap = 1 << 16, n = 0;
	int fd, status;
	FILE *p;

	fd = mkstemp(errfile);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(cmd, sizeof cmd, "%s check %s 2>'%s'", KAGENT_BIN, args,
		 errfile);
	*out = malloc(cap);
	p = popen(cmd, "r");
	if (p == NULL || *out == NULL)
		return -1;
	while (n + 1 < cap) {
		size_t r = fread(*out + n, 1, cap - 1 - n, p);

		if (r == 0)
			break;
		n += r;
	}
	(*out)[n] = '\0';
	status = pclose(p);
	if (err) {
		FILE *e = fopen(errfile, "r");
		size_t m = e ? fread(err, 1, errlen - 1, e) : 0;

		err[m] = '\0';
		if (e)
			fclose(e);
	}
	unlink(errfile);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* `kagent check --config ROOT/kagent.conf --root ROOT --json`, parsed. */
static inline json_t *host_check(const char *root, const char *conf,
				 const char *extra, int *rc)
{
	char args[3 * PATH_MAX], *out = NULL;
	json_error_t e;
	json_t *doc;

	snprintf(args, sizeof args, "--config '%s/%s' --root '%s' --json %s",
		 root, conf ? conf : "kagent.conf", root, extra ? extra : "");
	*rc = host_run(args, &out, NULL, 0);
	doc = out ? json_loads(out, 0, &e) : NULL;
	if (doc == NULL)
		fprintf(stderr, "kagent check %s: not JSON: %s\n", args,
			out ? out : "(nothing)");
	free(out);
	return doc;
}

/* The result of check `id` for `instance` (NULL: the one without). */
static inline json_t *host_result(json_t *doc, const char *id,
				  const char *instance)
{
	json_t *checks = json_object_get(doc, "checks"), *c;
	size_t i;

	json_array_foreach(checks, i, c)
	{
		json_t *inst = json_object_get(c, "instance");

		if (strcmp(json_string_value(json_object_get(c, "id")), id) !=
		    0)
			continue;
		if (instance == NULL
			? json_is_null(inst)
			: (json_is_string(inst) &&
			   strcmp(json_string_value(inst), instance) == 0))
			return c;
	}
	return NULL;
}

static inline size_t host_count(json_t *doc, const char *id)
{
	json_t *checks = json_object_get(doc, "checks"), *c;
	size_t i, n = 0;

	json_array_foreach(checks, i, c) n +=
	    strcmp(json_string_value(json_object_get(c, "id")), id) == 0;
	return n;
}

static inline const char *host_field(json_t *c, const char *key)
{
	return json_string_value(json_object_get(c, key));
}

/* Asserts severity, measured and required of one result. */
#define assert_result(doc, id, inst, sev, meas, req)                           \
	do {                                                                   \
		json_t *c_ = host_result(doc, id, inst);                       \
		if (c_ == NULL)                                                \
			fail_msg("no result %s %s", id, inst ? inst : "");     \
		assert_string_equal(host_field(c_, "severity"), sev);          \
		assert_string_equal(host_field(c_, "measured"), meas);         \
		assert_string_equal(host_field(c_, "required"), req);          \
	} while (0)

#endif
