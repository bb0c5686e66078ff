/* kagent check [--role ROLE] [--config FILE] [--root DIR] [--json]
 *              [-t SECONDS] [--skip ID]... [--unknown POLICY]
 *
 * A monitoring plugin as the monitoring-plugins guidelines describe one,
 * so that Nagios or Icinga run it unchanged: everything on stdout, the
 * first line "KAGENT STATE - ...", exit 0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN — and 3 also for bad flags or configuration and on timeout,
 * since nothing was judged. */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_plugin.h"
#include "checks.h"

#define EXIT_CHECK_UNKNOWN PLUGIN_UNKNOWN
/* monitoring-plugins' DEFAULT_SOCKET_TIMEOUT; an hour bounds a typo. */
#define CHECK_TIMEOUT_DEFAULT 10
#define CHECK_TIMEOUT_MAX 3600

static const char usage_text[] =
	"usage: kagent check [--role zookeeper|kafka] [--config FILE] [--root DIR] [--json]\n"
	"                    [-t|--timeout SECONDS] [--skip ID]... [--unknown ok|warning|unknown]\n"
	"       kagent check --list\n";

struct check_flags {
	const char *root, *config;
	int explicit_conf, json;
	unsigned roles;
	int64_t timeout_s;
	struct conf_check skip; /* --skip ids; unknown unused */
	int unknown_set;
	enum conf_unknown_policy unknown;
	json_t **doc; /* cmd_check_doc: the document, not printed */
};

/* ---- the whole run's bound ---- */

static char timeout_msg[256];
static size_t timeout_len;

/* Only async-signal-safe calls: the run may be anywhere, in malloc or in
 * stdio, and nothing it printed is pending (output is written after the
 * alarm is cancelled). */
static void on_alarm(int sig)
{
	ssize_t r;

	(void)sig;
	r = write(STDOUT_FILENO, timeout_msg, timeout_len);
	(void)r;
	_exit(EXIT_CHECK_UNKNOWN);
}

static void arm_timeout(unsigned seconds, int json)
{
	struct sigaction sa;
	sigset_t set;

	if (json)
		snprintf(timeout_msg, sizeof timeout_msg,
			 "{\"state\": \"UNKNOWN\", \"verdict\": \"unknown\", "
			 "\"error\": \"timed out after %u s\", \"checks\": []}\n",
			 seconds);
	else
		snprintf(timeout_msg, sizeof timeout_msg,
			 "KAGENT UNKNOWN - timed out after %u s\n", seconds);
	timeout_len = strlen(timeout_msg);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	/* A monitoring daemon may start us with SIGALRM blocked. */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	alarm(seconds);
}

static void disarm_timeout(void)
{
	struct sigaction sa;

	alarm(0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGALRM, &sa, NULL);
}

/* The UNKNOWN a plugin gives when it judged nothing: the status line
 * (or a JSON document) on stdout, where the monitoring server reads. */
static int fail(const struct check_flags *fl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(const struct check_flags *fl, const char *fmt, ...)
{
	char msg[1024];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	n = strlen(msg);
	if (n > 0 && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	/* This line is the output: no timeout line may follow it. */
	disarm_timeout();
	if (fl->json || fl->doc) {
		json_t *doc = json_pack("{s:s s:s s:s s:[]}", "state", "UNKNOWN",
					"verdict", "unknown", "error", msg,
					"checks");

		if (fl->doc) {
			*fl->doc = doc;
			return EXIT_CHECK_UNKNOWN;
		}
		if (doc == NULL || core_json_print(doc, stdout) < 0)
			printf("{\"state\": \"UNKNOWN\"}\n");
		json_decref(doc);
	} else {
		printf("KAGENT UNKNOWN - kagent check: %s\n", msg);
	}
	fflush(stdout);
	return EXIT_CHECK_UNKNOWN;
}

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

/* ---- the run ---- */

/* The configuration: --config must exist; the default path may be absent
 * (then every threshold has its default and --role must name the role). */
static int load_conf(const struct check_flags *fl, struct conf *c, char *err,
		     size_t errlen)
{
	conf_defaults(c);
	if (!fl->explicit_conf && access(fl->config, F_OK) != 0)
		return 0;
	return conf_load(fl->config, c, err, errlen);
}

/* The configured skip ids and --skip's, each a check of the table; the
 * ids that apply to roles go to skipped[] for the output. */
static int merge_skip(const struct check_flags *fl, struct conf *c,
		      unsigned roles, const char **skipped, size_t *n)
{
	size_t i;

	for (i = 0; i < c->check.n_skip; i++)
		if (check_table_find(c->check.skip[i]) == NULL)
			return fail(fl,
				    "%s: [check] skip: no check '%s' (kagent "
				    "check --list names them)",
				    c->path, c->check.skip[i]);
	for (i = 0; i < fl->skip.n_skip; i++)
		if (conf_check_skip_add(&c->check, fl->skip.skip[i]) < 0)
			return fail(fl,
				    "more than %d checks to skip",
				    CONF_SKIP_MAX);
	*n = 0;
	for (i = 0; i < c->check.n_skip; i++)
		if (check_applies(check_table_find(c->check.skip[i]), roles))
			skipped[(*n)++] = c->check.skip[i];
	return 0;
}

static int is_skipped(const char *const *skipped, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(skipped[i], id) == 0)
			return 1;
	return 0;
}

static int run(const struct check_flags *fl)
{
	struct facts_opts fopts = { .live_zk = true };
	struct check_results res = { 0 };
	struct check_perfs perf = { 0 };
	struct hw_err err = { { 0 } };
	const char *skipped[CONF_SKIP_MAX];
	struct plugin_run pr = { 0 };
	char msg[768];
	unsigned roles;
	struct conf conf;
	struct facts *f;
	size_t n_skipped = 0;
	int rc;

	if (load_conf(fl, &conf, msg, sizeof msg) < 0)
		return fail(fl, "%s", msg);
	roles = fl->roles ? fl->roles : conf.roles;
	if (roles == 0)
		return fail(fl,
			    "no role: set roles in [host] of %s or pass --role",
			    fl->config);
	if (merge_skip(fl, &conf, roles, skipped, &n_skipped) != 0)
		return EXIT_CHECK_UNKNOWN;
	/* What a skipped check would read is not read: no SMART (smartctl
	 * may take seconds a disk), no question to ZooKeeper.  The probe's
	 * own timer outlasts the run's alarm, so that a server that
	 * accepts and never answers ends the run as a timeout. */
	fopts.live_zk = !is_skipped(skipped, n_skipped, "zookeeper.live");
	fopts.no_smart = is_skipped(skipped, n_skipped, "disk.health");
	fopts.zk_timeout_ms = (unsigned)fl->timeout_s * 1000 + 1000;
	f = malloc(sizeof *f);
	if (f == NULL)
		return fail(fl, "out of memory");
	if (facts_gather(fl->root, &conf, roles, &fopts, f, &err) < 0) {
		free(f);
		return fail(fl, "%s", err.msg);
	}
	check_run_skip(f, roles, skipped, n_skipped, &res);
	if (check_perf_collect(f, &perf) < 0) {
		rc = fail(fl, "out of memory");
		goto out;
	}
	pr.res = &res;
	pr.perf = &perf;
	pr.skipped = skipped;
	pr.n_skipped = n_skipped;
	pr.unknown = fl->unknown_set ? fl->unknown : conf.check.unknown;
	disarm_timeout();
	if (fl->doc) {
		*fl->doc = plugin_json(&pr);
		rc = *fl->doc ? plugin_state(&res, pr.unknown)
			      : fail(fl, "out of memory");
	} else if (fl->json) {
		json_t *doc = plugin_json(&pr);

		rc = plugin_state(&res, pr.unknown);
		if (doc == NULL || core_json_print(doc, stdout) < 0)
			rc = fail(&(struct check_flags){ 0 },
				  "cannot build JSON");
		json_decref(doc);
	} else {
		rc = plugin_print(&pr, stdout);
	}
out:
	check_perfs_free(&perf);
	check_results_free(&res);
	facts_free(f);
	free(f);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'c' },
		{ "root", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "list", no_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ "skip", required_argument, NULL, 's' },
		{ "unknown", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct check_flags fl = { .root = "/", .config = CONF_DEFAULT_PATH,
				  .timeout_s = CHECK_TIMEOUT_DEFAULT };
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:", opts, NULL)) != -1) {
		switch (c) {
		case 'R':
			if (conf_roles_parse(optarg, &fl.roles) < 0)
				return fail(&fl, "--role '%s': expected zookeeper, kafka or zookeeper,kafka",
					    optarg);
			break;
		case 'c':
			fl.config = optarg;
			fl.explicit_conf = 1;
			break;
		case 'r':
			fl.root = optarg;
			break;
		case 'j':
			fl.json = 1;
			break;
		case 'l':
			list_checks(stdout);
			return 0;
		case 't':
			if (core_parse_i64(optarg, &fl.timeout_s) < 0 ||
			    fl.timeout_s < 1 || fl.timeout_s > CHECK_TIMEOUT_MAX)
				return fail(&fl, "-t/--timeout '%s': expected whole seconds from 1 to %d",
					    optarg, CHECK_TIMEOUT_MAX);
			break;
		case 's':
			if (check_table_find(optarg) == NULL)
				return fail(&fl, "--skip '%s': no such check (kagent check --list names them)",
					    optarg);
			if (conf_check_skip_add(&fl.skip, optarg) < 0)
				return fail(&fl, "more than %d checks to skip",
					    CONF_SKIP_MAX);
			break;
		case 'u':
			if (conf_unknown_parse(optarg, &fl.unknown) < 0)
				return fail(&fl, "--unknown '%s': expected ok, warning or unknown",
					    optarg);
			fl.unknown_set = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return fail(&fl, "unknown or incomplete option '%s'\n%s",
				    argv[optind - 1], usage_text);
		}
	}
	if (optind < argc)
		return fail(&fl, "unexpected argument '%s'\n%s",
			    argv[optind], usage_text);
	arm_timeout((unsigned)fl.timeout_s, fl.json);
	rc = run(&fl);
	disarm_timeout();
	return rc;
}

int cmd_check_doc(const char *root, const char *config, unsigned timeout_s,
		  json_t **doc)
{
	struct check_flags fl = { .root = root, .config = config,
				  .timeout_s = timeout_s, .doc = doc };
	int rc;

	*doc = NULL;
	arm_timeout(timeout_s, 1);
	rc = run(&fl);
	disarm_timeout();
	return rc;
}
