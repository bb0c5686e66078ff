/*
 * os.h — the operating-system settings Kafka's and ZooKeeper's operations
 * guides ask for: swappiness, memory map count, open-file limit, clock.
 */
#ifndef KAGENT_HW_OS_H
#define KAGENT_HW_OS_H

#include <sys/types.h>

#include "hw.h"

struct hw_os {
	struct hw_num swappiness;         /* proc/sys/vm/swappiness */
	struct hw_num max_map_count;      /* proc/sys/vm/max_map_count */
	struct hw_num nofile;             /* soft open-file limit Kafka gets */
	char nofile_source[160];          /* where nofile came from, or why unknown */
	struct hw_num clock_synced;       /* bool; live hosts only */
	bool clock_live;                  /* root is the running system: the
					     kernel clock could be asked */
	char clock_reason[96];
	pid_t kafka_pid;                  /* 0: no Kafka process found */
	pid_t zookeeper_pid;
};

int hw_os_probe(const char *root, struct hw_os *out, struct hw_err *err);
/* "Max open files  2048  4096  files" from a limits file; -ENOENT if absent. */
int hw_os_parse_limits_nofile(const char *text, int64_t *soft);
/* LimitNOFILE= / DefaultLimitNOFILE= (soft[:hard], or "infinity"). */
int hw_os_parse_systemd_nofile(const char *text, const char *key,
			       int64_t *soft);

#endif
