/* kagent check [--role ROLE] [--config FILE] [--root DIR] [--json] [--list]
 *
 * Exit status follows the Nagios plugin convention so that the command
 * works unchanged under Nagios or Icinga: 0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN — and 3 also for bad flags or configuration, since nothing
 * was judged. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"

#define EXIT_CHECK_UNKNOWN 3

static const char usage_text[] =
	"usage: kagent check [--role zookeeper|kafka] [--config FILE] [--root DIR] [--json]\n"
	"       kagent check --list\n";

static void list_checks(FILE *out)
{
	size_t i;

	for (i = 0; i < check_table_count(); i++) {
		const struct check_def *d = check_table_get(i);

		fprintf(out, "%-32s %-16s %s\n", d->id,
			d->roles ? conf_roles_name(d->roles) : "every host",
			d->rule);
	}
}

/* The configuration: --config must exist; the default path may be absent
 * (then every threshold has its default and --role must name the role). */
static int load_conf(const char *path, int explicit, struct conf *c)
{
	char err[768];

	conf_defaults(c);
	if (!explicit && access(path, F_OK) != 0)
		return 0;
	if (conf_load(path, c, err, sizeof err) < 0) {
		fprintf(stderr, "kagent check: %s\n", err);
		return -1;
	}
	return 0;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'c' },
		{ "root", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = "/", *config = CONF_DEFAULT_PATH;
	struct facts_opts fopts = { .live_zk = true, .zk_timeout_ms = 2000 };
	struct check_results res = { 0 };
	struct hw_err err = { { 0 } };
	unsigned roles = 0;
	int json = 0, explicit_conf = 0, c, rc;
	struct facts *f;
	struct conf conf;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'R':
			if (conf_roles_parse(optarg, &roles) < 0) {
				fprintf(stderr, "kagent check: --role '%s': expected zookeeper, kafka or zookeeper,kafka\n",
					optarg);
				return EXIT_CHECK_UNKNOWN;
			}
			break;
		case 'c':
			config = optarg;
			explicit_conf = 1;
			break;
		case 'r':
			root = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'l':
			list_checks(stdout);
			return 0;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fprintf(stderr, "kagent check: unknown or incomplete option '%s'\n%s",
				argv[optind - 1], usage_text);
			return EXIT_CHECK_UNKNOWN;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kagent check: unexpected argument '%s'\n%s",
			argv[optind], usage_text);
		return EXIT_CHECK_UNKNOWN;
	}
	if (load_conf(config, explicit_conf, &conf) < 0)
		return EXIT_CHECK_UNKNOWN;
	if (roles == 0)
		roles = conf.roles;
	if (roles == 0) {
		fprintf(stderr, "kagent check: no role: set roles in [host] of %s or pass --role\n",
			config);
		return EXIT_CHECK_UNKNOWN;
	}
	f = malloc(sizeof *f);
	if (f == NULL) {
		fprintf(stderr, "kagent check: out of memory\n");
		return EXIT_CHECK_UNKNOWN;
	}
	if (facts_gather(root, &conf, roles, &fopts, f, &err) < 0) {
		fprintf(stderr, "kagent check: %s\n", err.msg);
		free(f);
		return EXIT_CHECK_UNKNOWN;
	}
	check_run(f, roles, &res);
	rc = check_exit_code(check_verdict(&res));
	if (json) {
		json_t *doc = check_results_to_json(&res);

		if (core_json_print(doc, stdout) < 0) {
			fprintf(stderr, "kagent check: cannot build JSON\n");
			rc = EXIT_CHECK_UNKNOWN;
		}
		json_decref(doc);
	} else {
		check_results_print(&res, stdout, 0);
	}
	check_results_free(&res);
	facts_free(f);
	free(f);
	return rc;
}
