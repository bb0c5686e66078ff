/* core_opt: the one option parser.  Long and short options, values
 * inline or in the next argument, bundled flags, --help and --version on
 * stdout with exit 0, and the exact wording of each bad command line on
 * stderr with the caller's usage exit status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core_opt.h"

enum { K_ROOT = 1, K_JSON, K_LIST, K_CONFIG };

static const struct core_opt table[] = {
    {"root", 0, K_ROOT, "DIR", "read below DIR"},
    {"json", 'j', K_JSON, NULL, "JSON"},
    {"list", 'l', K_LIST, NULL, "every check"},
    {"config", 'c', K_CONFIG, "FILE", "the configuration\nsecond line"},
    {NULL, 0, 0, NULL, NULL},
};

static void parser(struct core_opt_parser *p)
{
	memset(p, 0, sizeof *p);
	p->program = "kagent";
	p->name = "kagent demo";
	p->synopsis = "usage: kagent demo [--root DIR] [--json]\n";
	p->about = "About the demo.\n";
	p->footer = "The end.\n";
	p->opts = table;
	p->usage_exit = 3;
}

/* What fd (1 or 2) received while the options were parsed to the end;
 * *last is core_opt_next's last answer. */
static char captured[4096];

static int run(struct core_opt_parser *p, int fd, char **argv, char *keys,
	       size_t klen)
{
	FILE *t = tmpfile();
	int saved, argc = 0, k;
	size_t n = 0, len;

	while (argv[argc])
		argc++;
	assert_non_null(t);
	fflush(stdout);
	fflush(stderr);
	saved = dup(fd);
	dup2(fileno(t), fd);
	core_opt_init(p, argc, argv);
	while ((k = core_opt_next(p)) > 0)
		if (n + 24 < klen)
			n += (size_t)snprintf(keys + n, klen - n, "%d=%s;", k,
					      p->arg ? p->arg : "");
	fflush(stdout);
	fflush(stderr);
	dup2(saved, fd);
	close(saved);
	rewind(t);
	len = fread(captured, 1, sizeof captured - 1, t);
	captured[len] = '\0';
	fclose(t);
	return k;
}

static void test_long_short_inline_bundled(void **state)
{
	char *argv[] = {
	    "demo",	"--root", "/srv",   "-jl",     "--config=a.conf",
	    "-cb.conf", "-c",	  "c.conf", "--root=", NULL};
	struct core_opt_parser p;
	char keys[256];

	(void)state;
	parser(&p);
	assert_int_equal(run(&p, 2, argv, keys, sizeof keys), CORE_OPT_DONE);
	assert_string_equal(keys,
			    "1=/srv;2=;3=;4=a.conf;4=b.conf;4=c.conf;1=;");
	assert_string_equal(captured, "");
}

/* A value is the next argument whatever it looks like, as with getopt. */
static void test_value_may_look_like_an_option(void **state)
{
	char *argv[] = {"demo", "--root", "--json", "--", NULL};
	struct core_opt_parser p;
	char keys[256];

	(void)state;
	parser(&p);
	assert_int_equal(run(&p, 2, argv, keys, sizeof keys), CORE_OPT_DONE);
	assert_string_equal(keys, "1=--json;");
}

static void test_help_on_stdout_exit_0(void **state)
{
	char *argv[] = {"demo", "--json", "-h", "--bogus", NULL};
	char *argv2[] = {"demo", "--help", NULL};
	struct core_opt_parser p;
	char keys[256];
	const char *want = "usage: kagent demo [--root DIR] [--json]\n"
			   "\n"
			   "About the demo.\n"
			   "\n"
			   "options:\n"
			   "      --root DIR     read below DIR\n"
			   "  -j, --json         JSON\n"
			   "  -l, --list         every check\n"
			   "  -c, --config FILE  the configuration\n"
			   "                     second line\n"
			   "  -h, --help         this help\n"
			   "      --version      the program's version\n"
			   "\n"
			   "The end.\n";

	(void)state;
	parser(&p);
	assert_int_equal(run(&p, 1, argv, keys, sizeof keys), CORE_OPT_EXIT);
	assert_int_equal(p.exit, 0);
	assert_string_equal(keys, "2=;");
	assert_string_equal(captured, want);
	parser(&p);
	assert_int_equal(run(&p, 1, argv2, keys, sizeof keys), CORE_OPT_EXIT);
	assert_int_equal(p.exit, 0);
	assert_string_equal(captured, want);
}

static void test_version_on_stdout_exit_0(void **state)
{
	char *argv[] = {"demo", "--version", NULL};
	struct core_opt_parser p;
	char keys[256];

	(void)state;
	parser(&p);
	assert_int_equal(run(&p, 1, argv, keys, sizeof keys), CORE_OPT_EXIT);
	assert_int_equal(p.exit, 0);
	assert_string_equal(captured, "kagent " KAGENT_VERSION "\n");
}

/* Each error names what was written, then the synopsis; the caller's
 * usage exit status. */
static void expect_error(char **argv, const char *line)
{
	struct core_opt_parser p;
	char keys[256], want[512];

	parser(&p);
	assert_int_equal(run(&p, 2, argv, keys, sizeof keys), CORE_OPT_EXIT);
	assert_int_equal(p.exit, 3);
	snprintf(want, sizeof want,
		 "%s\nusage: kagent demo [--root DIR] [--json]\n", line);
	assert_string_equal(captured, want);
}

static void test_errors(void **state)
{
	char *unknown[] = {"demo", "--verbose", NULL};
	char *prefix[] = {"demo", "--jso", NULL};
	char *short_unknown[] = {"demo", "-jx", NULL};
	char *missing[] = {"demo", "--json", "--root", NULL};
	char *missing_short[] = {"demo", "-c", NULL};
	char *flag_value[] = {"demo", "--json=yes", NULL};
	char *extra[] = {"demo", "--json", "extra", NULL};
	char *after_dashes[] = {"demo", "--", "x", NULL};

	(void)state;
	expect_error(unknown,
		     "kagent demo: unknown or incomplete option '--verbose'");
	expect_error(prefix,
		     "kagent demo: unknown or incomplete option '--jso'");
	expect_error(short_unknown,
		     "kagent demo: unknown or incomplete option '-x'");
	expect_error(missing, "kagent demo: --root needs a value");
	expect_error(missing_short, "kagent demo: -c needs a value");
	expect_error(flag_value,
		     "kagent demo: '--json=yes': the option takes no value");
	expect_error(extra, "kagent demo: unexpected argument 'extra'");
	expect_error(after_dashes, "kagent demo: unexpected argument 'x'");
}

/* A command that takes operands (kagent fleet HOST...) gets them in
 * order, options anywhere among them, and all after "--". */
static void test_operands(void **state)
{
	char *argv[] = {"demo", "h1", "--root", "/srv", "h2",
			"-j",	"--", "-h",	"h3",	NULL};
	struct core_opt_parser p;
	char keys[256];

	(void)state;
	parser(&p);
	p.operands = true;
	assert_int_equal(run(&p, 2, argv, keys, sizeof keys), CORE_OPT_DONE);
	assert_string_equal(keys, "1=/srv;2=;");
	assert_int_equal(p.n_operands, 4);
	assert_string_equal(p.operand[0], "h1");
	assert_string_equal(p.operand[1], "h2");
	assert_string_equal(p.operand[2], "-h");
	assert_string_equal(p.operand[3], "h3");
	assert_string_equal(captured, "");
}

/* Parsing twice in one process (kagent status runs check's parser). */
static void test_no_global_state(void **state)
{
	char *a[] = {"demo", "--json", NULL};
	char *b[] = {"demo", "--list", NULL};
	struct core_opt_parser p;
	char keys[256];

	(void)state;
	parser(&p);
	run(&p, 2, a, keys, sizeof keys);
	assert_string_equal(keys, "2=;");
	parser(&p);
	run(&p, 2, b, keys, sizeof keys);
	assert_string_equal(keys, "3=;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_long_short_inline_bundled),
	    cmocka_unit_test(test_value_may_look_like_an_option),
	    cmocka_unit_test(test_help_on_stdout_exit_0),
	    cmocka_unit_test(test_version_on_stdout_exit_0),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_operands),
	    cmocka_unit_test(test_no_global_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
