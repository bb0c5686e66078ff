/*
 * agent.h — what the agent decides and prints, on top of hw/ and board/.
 */
#ifndef KAGENT_AGENT_H
#define KAGENT_AGENT_H

#include <jansson.h>
#include <stdio.h>

#include "hw.h"

/* Exit codes of the CLI outside `kagent check` (which follows Nagios). */
#define AGENT_EXIT_OK 0
#define AGENT_EXIT_USAGE 2

/* ---- inventory.c: every probe of the host, once ---- */

struct inventory {
	struct hw_cpu cpu;
	struct hw_memory memory;
	struct hw_nics nics;
	struct hw_disks disks;
};

int inventory_probe(const char *root, struct inventory *inv,
		    struct hw_err *err);
void inventory_free(struct inventory *inv);

/* ---- inventory_json.c ---- */

/* Builds the JSON document the README specifies; NULL on allocation failure. */
json_t *inventory_to_json(const struct inventory *inv);
json_t *agent_json_num(struct hw_num n);
json_t *agent_json_bool(struct hw_num n);
json_t *agent_json_str(const char *s);

/* ---- inventory_text.c ---- */

void inventory_print_text(const struct inventory *inv, FILE *out);

/* ---- cmd_*.c: one file per subcommand; argv[0] is the subcommand ---- */

int cmd_inventory(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_smart(int argc, char **argv);
/* cmd_fleet.c: 0 when the collector answered, 2 when it cannot be
 * reached or answers an error (the message names the URL). */
int cmd_fleet(int argc, char **argv);

#endif
