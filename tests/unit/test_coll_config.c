/* kcollectord's configuration file reads through the same INI reader as
 * kagent.conf: bounded, long lines refused, the first error's own line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "collector.h"

static void write_conf(char *path, size_t len, const char *text)
{
	int fd;

	snprintf(path, len, "/tmp/kcollectord-conf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void load_fails_with(const char *text, const char *want_tail)
{
	struct coll_config cfg;
	char path[64], err[512], want[600];

	write_conf(path, sizeof path, text);
	coll_config_defaults(&cfg);
	assert_int_equal(coll_config_load(path, &cfg, err, sizeof err), -EINVAL);
	snprintf(want, sizeof want, "%s:%s", path, want_tail);
	assert_string_equal(err, want);
	unlink(path);
}

static void test_collector_config_keys_are_read(void **state)
{
	struct coll_config cfg;
	char path[64], err[512];

	(void)state;
	write_conf(path, sizeof path,
		   "[collector]\nlisten = 127.0.0.1:7171\nacl = /etc/acl\n"
		   "insecure = yes\n");
	coll_config_defaults(&cfg);
	assert_int_equal(coll_config_load(path, &cfg, err, sizeof err), 0);
	assert_string_equal(cfg.listen, "127.0.0.1:7171");
	assert_string_equal(cfg.http, "127.0.0.1:8080");
	assert_string_equal(cfg.acl, "/etc/acl");
	assert_true(cfg.insecure);
	unlink(path);
}

static void test_collector_config_long_line_is_refused_not_split(void **state)
{
	char text[400];

	(void)state;
	snprintf(text, sizeof text, "[collector]\nacl = /%0250d\n", 0);
	load_fails_with(text, "2: line longer than 198 bytes");
}

static void test_collector_config_first_error_wins(void **state)
{
	(void)state;
	load_fails_with("[collector]\nbogus = 1\ninsecure = maybe\n",
			"2: unknown key 'bogus' in [collector] (valid: listen, "
			"http, db, tls_ca, tls_cert, tls_key, acl, insecure)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collector_config_keys_are_read),
		cmocka_unit_test(test_collector_config_long_line_is_refused_not_split),
		cmocka_unit_test(test_collector_config_first_error_wins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
