/*
 * checks.h — the groups of host checks.  Each group file holds one small
 * function per check id of ROLES.md and exports its slice of the table.
 */
#ifndef KAGENT_CHECKS_H
#define KAGENT_CHECKS_H

#include "check.h"
#include "facts.h"

/* checks_zookeeper.c: zookeeper.memory, .disk, .nic.speed, .live */
extern const struct check_def checks_zookeeper[];
extern const size_t checks_zookeeper_len;
/* checks_zk_disk.c: zookeeper.disk.fsync, .disk.dedicated */
extern const struct check_def checks_zk_disk[];
extern const size_t checks_zk_disk_len;
/* checks_kafka_host.c: kafka.cpu.cores, .memory, .logdirs.*, .nic.speed */
extern const struct check_def checks_kafka_host[];
extern const size_t checks_kafka_host_len;
/* checks_health.c: nic.downshift, disk.health, board.sensors */
extern const struct check_def checks_health[];
extern const size_t checks_health_len;
/* checks_kafka_security.c: kafka.security.* */
extern const struct check_def checks_kafka_security[];
extern const size_t checks_kafka_security_len;
/* checks_kafka_client.c: kafka.security.client_config */
extern const struct check_def checks_kafka_client[];
extern const size_t checks_kafka_client_len;
/* checks_os.c: os.* */
extern const struct check_def checks_os[];
extern const size_t checks_os_len;
/* checks_agent.c: agent.* */
extern const struct check_def checks_agent[];
extern const size_t checks_agent_len;

/* ---- checks_host.c: what the role groups share ---- */

/* The memory figure a host is judged by: installed (SMBIOS) when known,
 * else MemTotal, which sits a few percent below what is installed. */
struct checks_memory {
	bool known;
	bool installed;                   /* false: MemTotal */
	int64_t bytes;
};

void checks_memory_of(const struct facts *f, struct checks_memory *m);
/* The figure m is held against: limit for installed memory, limit less
 * tolerance_pct for MemTotal. */
int64_t checks_memory_limit(const struct checks_memory *m, int64_t limit,
			    int64_t tolerance_pct);
/* Below limit?  MemTotal is let tolerance_pct below it. */
bool checks_memory_below(const struct checks_memory *m, int64_t limit,
			 int64_t tolerance_pct);
/* "16.0 GiB installed", "14.9 GiB MemTotal". */
void checks_memory_fmt(const struct checks_memory *m, char *buf, size_t len);
/* ">= 32.0 GiB", plus the MemTotal figure when that is what is judged. */
void checks_memory_required(const struct checks_memory *m, int64_t limit,
			    int64_t tolerance_pct, char *buf, size_t len);

/* <id> for the interface carrying a role's traffic: fail below
 * fail_below Mb/s.  role_error is non-NULL when the role's configuration
 * is missing (then nothing is known about the interface). */
void checks_nic_speed(const char *id, const struct hw_nic *nic,
		      const char *why, const char *role_error,
		      int64_t fail_below, struct check_results *out);

/* The distinct physical disks under every log dir: a disk holding two
 * log dirs counts once, for capacity as for spread.  At most cap. */
#define CHECKS_LOGDIR_DISKS_MAX (FACTS_LOGDIRS_MAX * HW_DISK_MEMBERS_MAX)
size_t checks_logdir_disks(const struct facts *f, const struct hw_disk **v,
			   size_t cap);

#endif
