/* kagentd — the host agent's daemon. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core_log.h"
#include "core_opt.h"
#include "daemon.h"

static const char synopsis[] =
    "usage: kagentd [--config FILE] [--no-seccomp] [-t]\n";

static const char about[] =
    "Reports this host's inventory, health and check results to the\n"
    "collector named in the [agent] section of FILE "
    "(default\n" CONF_DEFAULT_PATH "):\n"
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
    "  host_id = NAME            identity at the collector (default: "
    "hostname)\n"
    "  root = /                  probes read below it (tests, containers)\n"
    "  user = " CONF_AGENT_USER_DEFAULT "\n"
    "                            started as root, kagentd runs as this user:\n"
    "                            the prober keeps only CAP_SYS_RAWIO,\n"
    "                            CAP_SYS_ADMIN and CAP_DAC_READ_SEARCH, the\n"
    "                            rest (configuration, network, socket) has\n"
    "                            no capability; the spool is handed to it.\n"
    "                            Started as another user, kagentd stays it\n"
    "                            and SMART needs CAP_SYS_RAWIO it lacks.\n";

static const char footer[] =
    "SIGHUP reads FILE again: what needs a restart (user, spool, socket,\n"
    "root, host_id, prober_timeout, the [kafka] and [zookeeper] paths)\n"
    "keeps its running value; a file with an error changes nothing.\n"
    "SIGTERM or SIGINT stops it cleanly; exit 0.  It exits 1 when the\n"
    "configuration, the spool or the socket cannot be used, or when,\n"
    "started as root, the user does not exist or is root.\n";

enum { OPT_CONFIG = 1, OPT_NO_SECCOMP, OPT_TEST };

static const struct core_opt opts[] = {
    {"config", 'c', OPT_CONFIG, "FILE",
     "kagent.conf (default " CONF_DEFAULT_PATH ")"},
    {"no-seccomp", 0, OPT_NO_SECCOMP, NULL,
     "no system call filter in either process (debugging;\n"
     "by default each limits itself to the calls it needs,\n"
     "and any other call kills it with SIGSYS)"},
    {"test", 't', OPT_TEST, NULL,
     "check the configuration, the collector's address,\n"
     "the certificates and key, the spool's and socket's\n"
     "folders, and exit"},
    {NULL, 0, 0, NULL, NULL},
};

int main(int argc, char **argv)
{
	struct core_opt_parser p = {
	    .program = "kagentd",
	    .name = "kagentd",
	    .synopsis = synopsis,
	    .about = about,
	    .footer = footer,
	    .opts = opts,
	    .usage_exit = 2,
	};
	const char *path = CONF_DEFAULT_PATH;
	bool no_seccomp = false, test = false;
	struct conf conf;
	char err[768];
	int c;

	core_log_init("kagentd");
	core_opt_init(&p, argc, argv);
	while ((c = core_opt_next(&p)) > 0) {
		switch (c) {
		case OPT_CONFIG:
			path = p.arg;
			break;
		case OPT_NO_SECCOMP:
			no_seccomp = true;
			break;
		case OPT_TEST:
			test = true;
			break;
		}
	}
	if (c == CORE_OPT_EXIT)
		return p.exit;
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
