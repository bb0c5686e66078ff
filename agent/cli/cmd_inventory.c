/* kagent inventory [--root DIR] [--json] [--no-smart] [--lldp-socket PATH] */
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "agent.h"
#include "core_opt.h"

static const char usage_text[] =
    "usage: kagent inventory [--root DIR] [--json] [--no-smart]\n"
    "                        [--lldp-socket PATH]\n";

enum { OPT_ROOT = 1, OPT_JSON, OPT_NO_SMART, OPT_LLDP_SOCKET };

static const struct core_opt inventory_opts[] = {
    {"root", 0, OPT_ROOT, "DIR", "read the host below DIR (default /)"},
    {"json", 0, OPT_JSON, NULL, "the inventory as JSON"},
    {"no-smart", 0, OPT_NO_SMART, NULL,
     "do not read the disks' SMART data (no root needed)"},
    {"lldp-socket", 0, OPT_LLDP_SOCKET, "PATH",
     "lldpd's control socket (default /run/lldpd.socket)"},
    {NULL, 0, 0, NULL, NULL},
};

int cmd_inventory(int argc, char **argv)
{
	struct core_opt_parser p = {
	    .program = "kagent",
	    .name = "kagent inventory",
	    .synopsis = usage_text,
	    .about = "CPU, memory, NICs, disks and board of this host.\n",
	    .opts = inventory_opts,
	    .usage_exit = AGENT_EXIT_USAGE,
	};
	struct inventory_opts iopts = { .smart = true };
	const char *root = "/";
	struct inventory inv;
	struct hw_err err = { { 0 } };
	int json = 0, c, rc;

	core_opt_init(&p, argc, argv);
	while ((c = core_opt_next(&p)) > 0) {
		switch (c) {
		case OPT_ROOT:
			root = p.arg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_NO_SMART:
			iopts.smart = false;
			break;
		case OPT_LLDP_SOCKET:
			/* sun_path's size, counting the NUL. */
			if (strlen(p.arg) >=
				sizeof((struct sockaddr_un *)0)->sun_path ||
			    p.arg[0] == '\0') {
				fprintf(stderr,
					"kagent inventory: --lldp-socket '%s': "
					"empty or longer than 107 bytes\n",
					p.arg);
				return AGENT_EXIT_USAGE;
			}
			iopts.lldp_socket = p.arg;
			break;
		}
	}
	if (c == CORE_OPT_EXIT)
		return p.exit;
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
