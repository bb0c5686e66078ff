/*
 * conf.h — /etc/kagent/kagent.conf, parsed once into a struct.
 *
 * Thresholds are named after the check ids of ROLES.md plus a parameter
 * (`kafka.memory.warn_below = 32GiB`) and live in the section named by the
 * id's first word; os.*, disk.*, nic.* and board.* live in [host].
 */
#ifndef KAGENT_CONF_H
#define KAGENT_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

#define CONF_DEFAULT_PATH "/etc/kagent/kagent.conf"

/* Every tunable number, with the note's figure (or ours) as the default. */
struct thresholds {
	int64_t zk_memory_warn_below;     /* bytes */
	int64_t zk_memory_fail_below;
	int64_t zk_memory_info_above;
	int64_t zk_disk_warn_below;       /* bytes of the data dir's device */
	int64_t zk_nic_fail_below;        /* Mb/s */
	int64_t zk_fsync_warn_above_ms;   /* average flush latency */
	int64_t zk_fsync_fail_above_ms;   /* 0: zoo.cfg's, else 1000 */
	int64_t zk_fsync_sample_ms;       /* kagent check's two readings */
	int64_t kafka_cores_warn_below;
	int64_t kafka_memory_warn_below;
	int64_t kafka_memory_fail_below;
	int64_t kafka_heap;               /* bytes the JVM heap takes */
	int64_t kafka_logdirs_warn_below; /* bytes */
	int64_t kafka_nic_fail_below;     /* Mb/s */
	int64_t memory_tolerance_pct;     /* MemTotal vs. installed */
	int64_t os_swappiness_warn_above;
	int64_t os_nofile_warn_below;
	int64_t os_max_map_count_warn_below;
	int64_t agent_tls_expiry_warn_days; /* certificate days left */
};

/* [agent]: kagentd's schedule, uplink and local files. */
#define CONF_AGENT_SPOOL_DEFAULT "/var/lib/kagent/spool"
#define CONF_AGENT_SOCKET_DEFAULT "/run/kagent/kagent.sock"
#define CONF_HOST_ID_MAX 64               /* Hello.host_id, NUL included */
#define CONF_AGENT_USER_DEFAULT "kagent"
#define CONF_USER_MAX 33                  /* login name, NUL included */
/* collector = A, B, ...: at most this many, the first preferred. */
#define CONF_COLLECTORS_MAX 8
/* "[" a 253-byte host "]:65535" and the NUL. */
#define CONF_COLLECTOR_LEN 262
#define CONF_FAILBACK_DEFAULT_S 60

struct conf_agent {
	/* The list as written, for messages; "" reports nowhere. */
	char collector[CONF_COLLECTORS_MAX * CONF_COLLECTOR_LEN];
	/* Its entries, each a valid HOST:PORT, none repeated, in order. */
	char collectors[CONF_COLLECTORS_MAX][CONF_COLLECTOR_LEN];
	size_t n_collectors;
	int64_t failback_interval_s;      /* back to the first collector */
	int64_t interval_s;               /* full report */
	int64_t health_interval_s;        /* link state and sensors */
	int64_t smart_interval_s;
	int64_t prober_timeout_s;         /* a prober request's answer */
	char spool[PATH_MAX];
	int64_t spool_max;                /* bytes */
	char socket[108];                 /* sun_path */
	char host_id[CONF_HOST_ID_MAX];   /* "": the hostname */
	char root[PATH_MAX];              /* probes read below it, "/" */
	char user[CONF_USER_MAX];         /* kagentd started as root runs as it */
	/* TLS to the collector: PEM files, all three or insecure = yes. */
	char tls_ca[PATH_MAX];            /* the CA that signs the collector */
	char tls_cert[PATH_MAX];          /* this host's certificate */
	char tls_key[PATH_MAX];
	bool insecure;                    /* plaintext, asked for explicitly */
	bool no_seccomp;                  /* kagentd --no-seccomp (debugging) */
};

/* [check]: what `kagent check` leaves out and what an unknown result
 * does to its state. */
#define CONF_SKIP_MAX 32
#define CONF_CHECK_ID_MAX 48              /* as check_result.id */

enum conf_unknown_policy {
	CONF_UNKNOWN_OK = 0,              /* the default, see kagent(1) */
	CONF_UNKNOWN_WARNING,
	CONF_UNKNOWN_UNKNOWN,
};

struct conf_check {
	size_t n_skip;
	char skip[CONF_SKIP_MAX][CONF_CHECK_ID_MAX];
	enum conf_unknown_policy unknown;
};

#define CONF_RACK_PATTERN_MAX 256
/* The first label of the switch's name: r12-tor-a.dc1 → r12. */
#define CONF_RACK_PATTERN_DEFAULT "^([^.-]+)"

/* [smart]: the disks behind RAID controllers (conf_smart.c). */
struct conf_smart {
	int64_t raid_cache_s; /* a member's answer is kept; 0: never */
	int64_t timeout_s;    /* one smartctl run, then it is killed */
};
#define CONF_SMART_RAID_CACHE_DEFAULT 600
#define CONF_SMART_TIMEOUT_DEFAULT 10
/* One [smart] key: 1 taken, 0 with msg set when the value is wrong, -1
 * when the key is not one of [smart]'s. */
int conf_smart_key(struct conf_smart *s, const char *k, const char *v,
		   char *msg, size_t cap);

struct conf {
	char path[PATH_MAX];
	unsigned roles;                   /* CORE_ROLE_* */
	char cluster[64];
	char rack[64];                    /* empty with rack_lldp */
	/* rack = lldp: the rack is rack_pattern's capture group over the
	 * name of the switch the uplink hangs from (agent/facts/rack_lldp.c). */
	bool rack_lldp;
	char rack_pattern[CONF_RACK_PATTERN_MAX]; /* POSIX ERE, one group */
	char lldp_socket[108];            /* lldpd's socket; empty: default */
	char zone[64];
	bool critical;
	char kafka_config[PATH_MAX];      /* server.properties; empty: search */
	char kafka_home[PATH_MAX];
	char kafka_jaas[PATH_MAX];        /* the JAAS file the JVM is given */
	char kafka_bootstrap[300];        /* HOST:PORT; empty: server.properties */
	char kafka_client_config[PATH_MAX]; /* librdkafka properties; empty: none */
	int64_t kafka_metadata_interval_s; /* seconds, default 30 */
	char zk_config[PATH_MAX];         /* zoo.cfg; empty: search */
	struct thresholds th;
	struct conf_agent agent;
	struct conf_check check;
	struct conf_smart smart;
};

void conf_defaults(struct conf *c);
/* Parses text read from `path` (used in messages only).  On error, err
 * holds "PATH:LINE: what is wrong" and the result is -EINVAL. */
int conf_parse(const char *text, const char *path, struct conf *c,
	       char *err, size_t errlen);
/* Reads and parses a file; a missing file is an error naming it. */
int conf_load(const char *path, struct conf *c, char *err, size_t errlen);
/* A collector is reached over TLS (tls_ca, tls_cert, tls_key all set) or
 * plaintext by insecure = yes; -EINVAL with err naming the file and the
 * missing keys otherwise. */
int conf_agent_check(const struct conf *c, char *err, size_t errlen);
/* "A, B, ..." into out[0..*n): 1 to CONF_COLLECTORS_MAX entries separated
 * by commas (blanks around them ignored), each HOST:PORT by
 * proto_hostport_parse's rules, no two the same host (letter case aside)
 * and port.  -EINVAL with err naming the entry, its position and the rule;
 * a list of one entry is named as a single collector was. */
int conf_collectors_parse(const char *v,
			  char out[CONF_COLLECTORS_MAX][CONF_COLLECTOR_LEN],
			  size_t *n, char *err, size_t errlen);
/* A reload (SIGHUP) of the file into next while run is in use: every
 * key that needs a restart (agent.user, spool, socket, root, host_id,
 * prober_timeout, kafka.config, home, jaas, zookeeper.config, and a
 * collector list emptied) and differs gets run's value back in next, and
 * its name, "SECTION.KEY", is appended to keys (", " between, cut to
 * len).  Returns how many were kept. */
int conf_restart_keep(const struct conf *run, struct conf *next, char *keys,
		      size_t len);
/* "zookeeper", "kafka", "zookeeper,kafka" → mask; -EINVAL when unknown. */
int conf_roles_parse(const char *s, unsigned *roles);
const char *conf_roles_name(unsigned roles);
/* "unknown", "warning", "ok" → policy; -EINVAL when none of them. */
int conf_unknown_parse(const char *s, enum conf_unknown_policy *p);
const char *conf_unknown_name(enum conf_unknown_policy p);
/* Adds one check id to c (the id's syntax only: whether such a check
 * exists is the check table's to say).  -EINVAL for a bad id, -E2BIG past
 * CONF_SKIP_MAX; a repeated id is kept once. */
int conf_check_skip_add(struct conf_check *c, const char *id);

/* The threshold table, for the README and `kagent check --thresholds`. */
struct conf_threshold_def {
	const char *key;
	const char *section;
	size_t offset;                    /* in struct thresholds */
	bool is_size;
	int64_t def;
	const char *meaning;
};
extern const struct conf_threshold_def conf_threshold_defs[];
extern const size_t conf_threshold_count;

#endif
