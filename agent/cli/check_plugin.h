/*
 * check_plugin.h — `kagent check` as a monitoring plugin (the
 * monitoring-plugins guidelines, which Nagios and Icinga read): a status
 * line "KAGENT WARNING - 1 warn, 0 fail: ...", performance data after
 * '|', the check table as long output; and the same facts in --json.
 */
#ifndef KAGENT_CHECK_PLUGIN_H
#define KAGENT_CHECK_PLUGIN_H

#include <jansson.h>
#include <stdio.h>

#include "check_perf.h"
#include "conf.h"
#include "core_check.h"

#define PLUGIN_OK	0
#define PLUGIN_WARNING	1
#define PLUGIN_CRITICAL 2
#define PLUGIN_UNKNOWN	3

/* Nagios 3 keeps 4 KiB of a plugin's output: the first line, which
 * carries the state and what is wrong, stays within this. */
#define PLUGIN_LINE_MAX 4000
/* The status text before '|': the ids and reasons of what did not pass. */
#define PLUGIN_TEXT_MAX 1024
/* A perfdata label, before quoting. */
#define PLUGIN_LABEL_MAX 64

struct plugin_run {
	const struct check_results *res;
	const struct check_perfs *perf;
	const char *const *skipped; /* ids that apply but did not run */
	size_t n_skipped;
	enum conf_unknown_policy unknown;
};

/* The plugin's state: any fail CRITICAL, else any warn WARNING, else an
 * unknown as the policy says, else OK. */
int plugin_state(const struct check_results *r, enum conf_unknown_policy p);
const char *plugin_state_name(int state);

/* raw as a perfdata label: at most PLUGIN_LABEL_MAX bytes kept, controls,
 * '|' and non-ASCII bytes as '_', in single quotes (a quote doubled)
 * when it holds a blank, '=' or a quote.  dst needs 2 * PLUGIN_LABEL_MAX
 * + 3 bytes. */
void plugin_label(char *dst, size_t cap, const char *raw);
/* One perfdata item, 'label'=valueUOM;warn;crit;min;max with empty
 * trailing fields left out. */
void plugin_perf_item(char *dst, size_t cap, const struct check_perf *p);

/* The status line, its perfdata, the long output, the rest of the
 * perfdata.  Returns the state. */
int plugin_print(const struct plugin_run *run, FILE *out);
/* check_results_to_json with "state", "unknown_policy", "skipped" and
 * "perfdata" added. */
json_t *plugin_json(const struct plugin_run *run);

/* cmd_check.c: `kagent check --root ROOT --config CONFIG --json` as a
 * document (its "error" set when it judged nothing), for kagent status
 * when kagentd is not running; a missing config is no error.  Returns
 * the plugin state. */
int cmd_check_doc(const char *root, const char *config, unsigned timeout_s,
		  json_t **doc);

#endif
