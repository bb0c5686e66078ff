/* kagent — the host agent's command-line tool.
 *
 * Built twice from this file.  kagent links only what `inventory` and
 * `smart` use (libjansson, libsensors, libatasmart, liblldpctl), so that
 * the one-shot inventory does not map, relocate and initialise OpenSSL,
 * libuv, libinih and libhttp-parser: that was about half its peak RSS and
 * run time.  For check, status and fleet it execs kagent-full (the same
 * file with KAGENT_CLI_FULL, every command linked) with the same
 * arguments, so their behaviour, output and exit codes are those of one
 * program. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

/* exit code when kagent-full cannot be run: what a shell returns for a
 * command it cannot find, and UNKNOWN (above 3) to a Nagios-style caller. */
#define KAGENT_EXIT_NO_HELPER 127

#ifdef KAGENT_CLI_FULL
#define LINKED(fn) fn
#else
#define LINKED(fn) NULL
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv); /* NULL: in kagent-full */
	const char *summary;
};

static const struct command commands[] = {
	{ "inventory", cmd_inventory, "CPU, memory, NICs and disks of this host" },
	{ "check", LINKED(cmd_check), "judge this host against its role (Nagios exit codes)" },
	{ "smart", cmd_smart, "SMART health of one disk, or of a saved blob" },
	{ "status", LINKED(cmd_status), "what the running kagentd reports, and its link to the collector" },
	{ "fleet", LINKED(cmd_fleet), "the fleet view from kcollectord (clusters, hosts)" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: kagent COMMAND [OPTIONS]\n\ncommands:\n");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "\nkagent COMMAND --help shows the command's options.\n");
}

/* Runs kagent-full with kagent's own argv: it dispatches argv[1] as
 * kagent would have.  Next to this executable first (a build tree, or a copy of both
 * programs in one directory), then where the package installs it.
 * Returns only on failure. */
static int run_full(char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 16];
	const char *slash;
	ssize_t n;
	int err;

	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash && snprintf(path, sizeof path, "%.*s/kagent-full",
				      (int)(slash - self), self) < (int)sizeof path)
			execv(path, argv);
	}
	execv(KAGENT_FULL_PATH, argv);
	err = errno;
	fprintf(stderr, "kagent: %s: cannot run %s: %s\n", argv[1],
		KAGENT_FULL_PATH, strerror(err));
	return KAGENT_EXIT_NO_HELPER;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return AGENT_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return AGENT_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("kagent %s\n", KAGENT_VERSION);
		return AGENT_EXIT_OK;
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (!commands[i].run)
			return run_full(argv);
		return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "kagent: unknown command '%s' (try kagent --help)\n",
		argv[1]);
	return AGENT_EXIT_USAGE;
}
