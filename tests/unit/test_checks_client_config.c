/* SPDX-License-Identifier: Apache-2.0 */
/* kafka.security.client_config on real files: each test builds a root
 * directory with an etc/passwd and the client configuration, sets its
 * mode with chmod (and its owner with chown when the test runs as root),
 * and runs the check on facts pointing at that root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "checks.h"

#define ID	 "kafka.security.client_config"
#define FILE_REL "/etc/kagent/kafka-client.properties"
#define REQ	 "owner only (no group/other bits)"

struct cc_state {
	char root[64];
	struct facts f;
	struct check_results res;
};

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void rel_path(const struct cc_state *s, const char *rel, char *buf,
		     size_t len)
{
	snprintf(buf, len, "%s%s", s->root, rel);
}

static int cc_setup(void **state)
{
	struct cc_state *s = calloc(1, sizeof *s);
	char p[128];

	if (s == NULL)
		return -1;
	snprintf(s->root, sizeof s->root, "/tmp/kagent-ccfg-XXXXXX");
	if (mkdtemp(s->root) == NULL)
		return -1;
	rel_path(s, "/etc", p, sizeof p);
	if (mkdir(p, 0755) < 0)
		return -1;
	rel_path(s, "/etc/kagent", p, sizeof p);
	if (mkdir(p, 0755) < 0)
		return -1;
	conf_defaults(&s->f.conf);
	s->f.root = s->root;
	*state = s;
	return 0;
}

static int cc_teardown(void **state)
{
	struct cc_state *s = *state;
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->root);
	if (strncmp(s->root, "/tmp/kagent-ccfg-", 17) == 0 && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", s->root);
	check_results_free(&s->res);
	free(s);
	return 0;
}

/* etc/passwd naming the agent's user "kagent" with uid. */
static void passwd_with(struct cc_state *s, long uid)
{
	char p[128], text[256];

	rel_path(s, "/etc/passwd", p, sizeof p);
	snprintf(text, sizeof text,
		 "root:x:0:0:root:/root:/bin/bash\n"
		 "kagentish:x:7:7::/:/usr/sbin/nologin\n"
		 "kagent:x:%ld:%ld:kagent:/var/lib/kagent:/usr/sbin/nologin\n",
		 uid, uid);
	write_file(p, text);
}

/* The client configuration with mode, owned by uid (-1: left as made). */
static void client_file(struct cc_state *s, mode_t mode, long uid)
{
	char p[128];

	rel_path(s, FILE_REL, p, sizeof p);
	write_file(p,
		   "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
		   "sasl.username=kagent\nsasl.password=s3cret\n");
	assert_int_equal(chmod(p, mode), 0);
	if (uid >= 0)
		assert_int_equal(chown(p, (uid_t)uid, (gid_t)uid), 0);
	snprintf(s->f.conf.kafka_client_config,
		 sizeof s->f.conf.kafka_client_config, "%s", FILE_REL);
}

static const struct check_result *run(struct cc_state *s)
{
	checks_kafka_client[0].run(&s->f, &s->res);
	assert_int_equal(s->res.n, 1);
	assert_string_equal(s->res.v[0].id, ID);
	assert_string_equal(s->res.v[0].required, REQ);
	return &s->res.v[0];
}

static void assert_result(const struct check_result *r, enum check_severity sev,
			  const char *instance, const char *measured,
			  const char *message)
{
	assert_string_equal(check_severity_name(r->sev),
			    check_severity_name(sev));
	assert_string_equal(r->instance, instance);
	assert_string_equal(r->measured, measured);
	assert_string_equal(r->message, message);
}

/* The uid the test's files belong to: a non-root one when the test may
 * chown, so that the passwd lookup is what decides. */
static long owner_uid(void)
{
	return geteuid() == 0 ? 1000 : (long)geteuid();
}

static long chown_to(void)
{
	return geteuid() == 0 ? 1000 : -1;
}

static void test_not_set_passes(void **state)
{
	struct cc_state *s = *state;

	assert_result(run(s), SEV_PASS, "", "not set",
		      "no [kafka] client_config: kagentd reaches its broker "
		      "without security settings and holds no secret");
}

static void test_owner_only_passes(void **state)
{
	struct cc_state *s = *state;

	passwd_with(s, owner_uid());
	client_file(s, 0600, chown_to());
	assert_result(run(s), SEV_PASS, FILE_REL, "mode 0600",
		      FILE_REL " is readable by its owner only");
}

static void test_read_only_owner_passes(void **state)
{
	struct cc_state *s = *state;

	passwd_with(s, owner_uid());
	client_file(s, 0400, chown_to());
	assert_result(run(s), SEV_PASS, FILE_REL, "mode 0400",
		      FILE_REL " is readable by its owner only");
}

static void test_world_readable_fails(void **state)
{
	struct cc_state *s = *state;

	passwd_with(s, owner_uid());
	client_file(s, 0644, chown_to());
	assert_result(run(s), SEV_FAIL, FILE_REL, "mode 0644",
		      FILE_REL " is mode 0644: every user of this host can "
			       "read the SASL passwords and key paths it "
			       "holds; chmod 0600 it");
}

static void test_group_readable_fails(void **state)
{
	struct cc_state *s = *state;

	passwd_with(s, owner_uid());
	client_file(s, 0640, chown_to());
	assert_result(run(s), SEV_FAIL, FILE_REL, "mode 0640",
		      FILE_REL " is mode 0640: its group can read the SASL "
			       "passwords and key paths it holds; chmod 0600 "
			       "it");
}

static void test_group_writable_warns(void **state)
{
	struct cc_state *s = *state;

	passwd_with(s, owner_uid());
	client_file(s, 0620, chown_to());
	assert_result(run(s), SEV_WARN, FILE_REL, "mode 0620",
		      FILE_REL " is mode 0620: others may change the "
			       "settings kagentd connects with; chmod 0600 "
			       "it");
}

static void test_other_owner_warns(void **state)
{
	struct cc_state *s = *state;
	char want[320];

	/* The file's owner is one uid past the agent's user. */
	passwd_with(s, owner_uid() + 1);
	client_file(s, 0600, chown_to());
	snprintf(want, sizeof want,
		 FILE_REL " is owned by uid %ld, neither the agent's user "
			  "'kagent' nor root: that user holds the secrets",
		 owner_uid());
	assert_result(run(s), SEV_WARN, FILE_REL, "mode 0600", want);
}

static void test_user_missing_from_passwd_is_unknown(void **state)
{
	struct cc_state *s = *state;
	char want[320];

	passwd_with(s, owner_uid());
	snprintf(s->f.conf.agent.user, sizeof s->f.conf.agent.user, "kagen");
	client_file(s, 0600, chown_to());
	snprintf(want, sizeof want,
		 FILE_REL " is mode 0600, owned by uid %ld, and the agent's "
			  "user 'kagen' is not in /etc/passwd",
		 owner_uid());
	assert_result(run(s), SEV_UNKNOWN, FILE_REL, "mode 0600", want);
}

static void test_no_passwd_is_unknown(void **state)
{
	struct cc_state *s = *state;
	char want[320];

	client_file(s, 0600, chown_to());
	snprintf(want, sizeof want,
		 FILE_REL " is mode 0600, owned by uid %ld; /etc/passwd: No "
			  "such file or directory",
		 owner_uid());
	assert_result(run(s), SEV_UNKNOWN, FILE_REL, "mode 0600", want);
}

/* Root may own it: kagentd's prober opens what its user may not. */
static void test_root_owner_passes_without_passwd(void **state)
{
	struct cc_state *s = *state;

	if (geteuid() != 0)
		skip();
	client_file(s, 0600, 0);
	assert_result(run(s), SEV_PASS, FILE_REL, "mode 0600",
		      FILE_REL " is readable by its owner only");
}

static void test_missing_file_is_unknown(void **state)
{
	struct cc_state *s = *state;

	snprintf(s->f.conf.kafka_client_config,
		 sizeof s->f.conf.kafka_client_config, "%s", FILE_REL);
	assert_result(run(s), SEV_UNKNOWN, FILE_REL, "",
		      FILE_REL " named by [kafka] client_config: No such file "
			       "or directory");
}

static void test_directory_fails(void **state)
{
	struct cc_state *s = *state;
	char p[128];

	rel_path(s, FILE_REL, p, sizeof p);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(s->f.conf.kafka_client_config,
		 sizeof s->f.conf.kafka_client_config, "%s", FILE_REL);
	assert_result(run(s), SEV_FAIL, FILE_REL, "mode 0700",
		      FILE_REL " named by [kafka] client_config is not a "
			       "regular file");
}

/* The file is looked for below the root, never on the host itself:
 * the host's /etc/passwd is 0644, the root's copy 0600. */
static void test_read_below_root(void **state)
{
	struct cc_state *s = *state;
	char p[128];

	passwd_with(s, owner_uid());
	rel_path(s, "/etc/passwd", p, sizeof p);
	assert_int_equal(chmod(p, 0600), 0);
	snprintf(s->f.conf.kafka_client_config,
		 sizeof s->f.conf.kafka_client_config, "/etc/passwd");
	assert_result(run(s), SEV_PASS, "/etc/passwd", "mode 0600",
		      "/etc/passwd is readable by its owner only");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, cc_setup, cc_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_not_set_passes),
	    T(test_owner_only_passes),
	    T(test_read_only_owner_passes),
	    T(test_world_readable_fails),
	    T(test_group_readable_fails),
	    T(test_group_writable_warns),
	    T(test_other_owner_warns),
	    T(test_user_missing_from_passwd_is_unknown),
	    T(test_no_passwd_is_unknown),
	    T(test_root_owner_passes_without_passwd),
	    T(test_missing_file_is_unknown),
	    T(test_directory_fails),
	    T(test_read_below_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
