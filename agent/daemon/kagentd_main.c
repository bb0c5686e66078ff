/* kagentd — the host agent's daemon. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core_log.h"
#include "daemon.h"

static const char usage_text[] =
	"usage: kagentd [--config FILE] [--no-seccomp] [-t]\n"
	"\n"
	"Reports this host's inventory, health and check results to the\n"
	"collector named in the [agent] section of FILE (default "
	CONF_DEFAULT_PATH "):\n"
	"  collector = HOST:PORT     where reports go; none: spool only.  A\n"
	"                            list A, B, ... (up to 8): the first is\n"
	"                            preferred, a failure moves to the next\n"
	"  failback_interval = 60    seconds between tries of the first\n"
	"                            collector while another is in use\n"
	"  interval = 60             seconds between full reports\n"
	"  health_interval = 10      seconds between link and sensor checks;\n"
	"                            a change sends a full report at once\n"
	"  smart_interval = 600      seconds between SMART reads\n"
	"  prober_timeout = 120      seconds the prober has to answer; then it\n"
	"                            is killed and forked again\n"
	"  spool = " CONF_AGENT_SPOOL_DEFAULT "\n"
	"                            unacknowledged reports, kept across restarts\n"
	"  spool_max = 10MiB         beyond it the oldest reports are dropped\n"
	"  socket = " CONF_AGENT_SOCKET_DEFAULT "\n"
	"                            status for `kagent status` (mode 0660)\n"
	"  host_id = NAME            identity at the collector (default: hostname)\n"
	"  root = /                  probes read below it (tests, containers)\n"
	"  user = " CONF_AGENT_USER_DEFAULT "\n"
	"                            started as root, kagentd runs as this user:\n"
	"                            the prober keeps only CAP_SYS_RAWIO,\n"
	"                            CAP_SYS_ADMIN and CAP_DAC_READ_SEARCH, the\n"
	"                            rest (configuration, network, socket) has\n"
	"                            no capability; the spool is handed to it.\n"
	"                            Started as another user, kagentd stays it\n"
	"                            and SMART needs CAP_SYS_RAWIO it lacks.\n"
	"\n"
	"-t, --test: check the configuration, the collector's address, the\n"
	"certificates and key, the spool's and socket's folders, and exit.\n"
	"\n"
	"--no-seccomp: no system call filter in either process (debugging;\n"
	"by default each limits itself to the calls it needs, and any other\n"
	"call kills it with SIGSYS).\n"
	"\n"
	"SIGTERM or SIGINT stops it cleanly; exit 0.  It exits 1 when the\n"
	"configuration, the spool or the socket cannot be used, or when,\n"
	"started as root, the user does not exist or is root.\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "no-seccomp", no_argument, NULL, 'S' },
		{ "test", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CONF_DEFAULT_PATH;
	bool no_seccomp = false, test = false;
	struct conf conf;
	char err[768];
	int c;

	opterr = 0;
	core_log_init("kagentd");
	while ((c = getopt_long(argc, argv, "c:ht", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'S':
			no_seccomp = true;
			break;
		case 't':
			test = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("kagentd %s\n", KAGENT_VERSION);
			return 0;
		default:
			fprintf(stderr, "kagentd: unknown or incomplete option '%s'\n%s",
				argv[optind - 1], usage_text);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kagentd: unexpected argument '%s'\n%s", argv[optind],
			usage_text);
		return 2;
	}
	conf_defaults(&conf);
	if (conf_load(path, &conf, err, sizeof err) < 0) {
		core_log(LOG_ERR, "%s", err);
		return 1;
	}
	if (test)
		return agent_config_test(&conf, path);
	conf.agent.no_seccomp = no_seccomp;
	return agent_run(&conf);
}
