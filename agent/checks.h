/*
 * checks.h — the groups of host checks.  Each group file holds one small
 * function per check id of ROLES.md and exports its slice of the table.
 */
#ifndef KAGENT_CHECKS_H
#define KAGENT_CHECKS_H

#include "check.h"
#include "facts.h"

/* checks_host.c: zookeeper.*, kafka.* sizing, nic.*, disk.health, board.sensors */
extern const struct check_def checks_host[];
extern const size_t checks_host_len;
/* checks_kafka_security.c: kafka.security.* */
extern const struct check_def checks_kafka_security[];
extern const size_t checks_kafka_security_len;
/* checks_os.c: os.* */
extern const struct check_def checks_os[];
extern const size_t checks_os_len;
/* checks_agent.c: agent.* */
extern const struct check_def checks_agent[];
extern const size_t checks_agent_len;

#endif
