/* kagent — the host agent's command-line tool. */
#include <stdio.h>
#include <string.h>

#include "agent.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "inventory", cmd_inventory, "CPU, memory, NICs and disks of this host" },
	{ "check", cmd_check, "judge this host against its role (Nagios exit codes)" },
	{ "smart", cmd_smart, "SMART health of one disk, or of a saved blob" },
	{ "status", cmd_status, "what the running kagentd reports, and its link to the collector" },
	{ "fleet", cmd_fleet, "the fleet view from kcollectord (clusters, hosts)" },
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
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "kagent: unknown command '%s' (try kagent --help)\n",
		argv[1]);
	return AGENT_EXIT_USAGE;
}
