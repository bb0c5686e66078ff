/* kagent inventory [--root DIR] [--json] [--no-smart] [--lldp-socket PATH] */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "agent.h"

static const char usage_text[] =
    "usage: kagent inventory [--root DIR] [--json] [--no-smart]\n"
    "                        [--lldp-socket PATH]\n";

int cmd_inventory(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"root", required_argument, NULL, 'r'},
	    {"json", no_argument, NULL, 'j'},
	    {"no-smart", no_argument, NULL, 'n'},
	    {"lldp-socket", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct inventory_opts iopts = { .smart = true };
	const char *root = "/";
	struct inventory inv;
	struct hw_err err = { { 0 } };
	int json = 0, c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'n':
			iopts.smart = false;
			break;
		case 'l':
			/* sun_path's size, counting the NUL. */
			if (strlen(optarg) >=
				sizeof((struct sockaddr_un *)0)->sun_path ||
			    optarg[0] == '\0') {
				fprintf(stderr,
					"kagent inventory: --lldp-socket '%s': "
					"empty or longer than 107 bytes\n",
					optarg);
				return AGENT_EXIT_USAGE;
			}
			iopts.lldp_socket = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return AGENT_EXIT_OK;
		default:
			fprintf(stderr, "kagent inventory: unknown or incomplete option '%s'\n%s",
				argv[optind - 1], usage_text);
			return AGENT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kagent inventory: unexpected argument '%s'\n%s",
			argv[optind], usage_text);
		return AGENT_EXIT_USAGE;
	}
	if (inventory_probe_opts(root, &iopts, &inv, &err) < 0) {
		fprintf(stderr, "kagent inventory: %s\n", err.msg);
		return AGENT_EXIT_USAGE;
	}
	rc = AGENT_EXIT_OK;
	if (json) {
		json_t *doc = inventory_to_json(&inv);

		if (core_json_print(doc, stdout) < 0) {
			fprintf(stderr, "kagent inventory: cannot build JSON\n");
			rc = AGENT_EXIT_USAGE;
		}
		json_decref(doc);
	} else {
		inventory_print_text(&inv, stdout);
	}
	inventory_free(&inv);
	return rc;
}
