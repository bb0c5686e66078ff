/* kagent check [--role ROLE] [--config FILE] [--root DIR] [--json] [--list]
 *
 * Exit status follows the Nagios plugin convention so that the command
 * works unchanged under Nagios or Icinga: 0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN — and 3 also for bad flags or configuration, since nothing
 * was judged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "core_opt.h"

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

enum { OPT_ROLE = 1, OPT_CONFIG, OPT_ROOT, OPT_JSON, OPT_LIST };

static const struct core_opt check_opts[] = {
    {"role", 0, OPT_ROLE, "ROLE",
     "zookeeper, kafka or zookeeper,kafka (default: roles in\n"
     "the [host] section of the configuration)"},
    {"config", 0, OPT_CONFIG, "FILE",
     "kagent.conf (default " CONF_DEFAULT_PATH ")"},
    {"root", 0, OPT_ROOT, "DIR", "read the host below DIR (default /)"},
    {"json", 0, OPT_JSON, NULL, "the results as JSON"},
    {"list", 0, OPT_LIST, NULL, "every check: id, roles, rule"},
    {NULL, 0, 0, NULL, NULL},
};

int cmd_check(int argc, char **argv)
{
	struct core_opt_parser p = {
	    .program = "kagent",
	    .name = "kagent check",
	    .synopsis = usage_text,
	    .about = "Judges this host against its role.  Exit status: 0 OK, "
		     "1 WARNING, 2 CRITICAL,\n3 UNKNOWN (also for bad "
		     "options or configuration).\n",
	    .opts = check_opts,
	    .usage_exit = EXIT_CHECK_UNKNOWN,
	};
	const char *root = "/", *config = CONF_DEFAULT_PATH;
	struct facts_opts fopts = { .live_zk = true, .zk_timeout_ms = 2000 };
	struct check_results res = { 0 };
	struct hw_err err = { { 0 } };
	unsigned roles = 0;
	int json = 0, explicit_conf = 0, c, rc;
	struct facts *f;
	struct conf conf;

	core_opt_init(&p, argc, argv);
	while ((c = core_opt_next(&p)) > 0) {
		switch (c) {
		case OPT_ROLE:
			if (conf_roles_parse(p.arg, &roles) < 0) {
				fprintf(stderr,
					"kagent check: --role '%s': expected "
					"zookeeper, kafka or zookeeper,kafka\n",
					p.arg);
				return EXIT_CHECK_UNKNOWN;
			}
			break;
		case OPT_CONFIG:
			config = p.arg;
			explicit_conf = 1;
			break;
		case OPT_ROOT:
			root = p.arg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_LIST:
			list_checks(stdout);
			return 0;
		}
	}
	if (c == CORE_OPT_EXIT)
		return p.exit;
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
