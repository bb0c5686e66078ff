/* The one table of checks: each group file exports its slice, listed
 * here in the order results are shown. */
#include <string.h>

#include "check.h"
#include "checks.h"

static const struct {
	const struct check_def *defs;
	const size_t *len;
} groups[] = {
	{ checks_zookeeper, &checks_zookeeper_len },
	{ checks_zk_disk, &checks_zk_disk_len },
	{ checks_kafka_host, &checks_kafka_host_len },
	{ checks_kafka_security, &checks_kafka_security_len },
	{ checks_kafka_client, &checks_kafka_client_len },
	{ checks_os, &checks_os_len },
	{ checks_health, &checks_health_len },
	{ checks_agent, &checks_agent_len },
};

size_t check_table_count(void)
{
	size_t i, n = 0;

	for (i = 0; i < sizeof groups / sizeof groups[0]; i++)
		n += *groups[i].len;
	return n;
}

const struct check_def *check_table_get(size_t idx)
{
	size_t i;

	for (i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		if (idx < *groups[i].len)
			return &groups[i].defs[idx];
		idx -= *groups[i].len;
	}
	return NULL;
}

const struct check_def *check_table_find(const char *id)
{
	size_t i;

	for (i = 0; i < check_table_count(); i++)
		if (strcmp(check_table_get(i)->id, id) == 0)
			return check_table_get(i);
	return NULL;
}
