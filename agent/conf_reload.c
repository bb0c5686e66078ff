/* SPDX-License-Identifier: Apache-2.0 */
/* What a reload of kagent.conf (SIGHUP) may not change while kagentd
 * runs: the values fixed before the privilege drop or bound to what is
 * already open.  The prober's allow-list was built from the root and the
 * service paths before it lost its capabilities; the user was dropped to;
 * the spool's seqs belong to the host id; the socket is bound; the
 * prober's watchdog took its timeout at the fork.  A reload keeps the
 * running value of each and names the key, so that the operator learns
 * a restart is needed instead of believing the change took effect. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

#define FIELD(m) offsetof(struct conf, m), sizeof(((struct conf *)0)->m)

static const struct restart_key {
	const char *key; /* as written: SECTION.KEY */
	size_t offset;
	size_t len;
} restart_keys[] = {
    {"agent.user", FIELD(agent.user)},
    {"agent.spool", FIELD(agent.spool)},
    {"agent.socket", FIELD(agent.socket)},
    {"agent.root", FIELD(agent.root)},
    {"agent.host_id", FIELD(agent.host_id)},
    {"agent.prober_timeout", FIELD(agent.prober_timeout_s)},
    {"kafka.config", FIELD(kafka_config)},
    {"kafka.home", FIELD(kafka_home)},
    {"kafka.jaas", FIELD(kafka_jaas)},
    {"zookeeper.config", FIELD(zk_config)},
};

static void key_add(char *keys, size_t len, size_t *n, const char *key)
{
	size_t used = strlen(keys);

	if (used < len)
		snprintf(keys + used, len - used, "%s%s", *n ? ", " : "", key);
	(*n)++;
}

int conf_restart_keep(const struct conf *run, struct conf *next, char *keys,
		      size_t len)
{
	size_t i, n = 0;

	if (len)
		keys[0] = '\0';
	for (i = 0; i < sizeof restart_keys / sizeof restart_keys[0]; i++) {
		const struct restart_key *k = &restart_keys[i];
		const char *a = (const char *)run + k->offset;
		char *b = (char *)next + k->offset;

		if (memcmp(a, b, k->len) == 0)
			continue;
		/* Strings compare by their text, not the bytes after it. */
		if (k->len > sizeof(int64_t) && strcmp(a, b) == 0)
			continue;
		memcpy(b, a, k->len);
		key_add(keys, len, &n, k->key);
	}
	/* Reports that went somewhere cannot be made to stop going: the
	 * uplink's list is replaced, never emptied. */
	if (run->agent.n_collectors > 0 && next->agent.n_collectors == 0) {
		memcpy(next->agent.collector, run->agent.collector,
		       sizeof next->agent.collector);
		memcpy(next->agent.collectors, run->agent.collectors,
		       sizeof next->agent.collectors);
		next->agent.n_collectors = run->agent.n_collectors;
		key_add(keys, len, &n, "agent.collector");
	}
	return (int)n;
}
