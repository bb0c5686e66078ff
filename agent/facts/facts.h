/*
 * facts.h — everything the checks judge, gathered once: the inventory,
 * OS settings, the Kafka and ZooKeeper configuration and the live
 * ZooKeeper answer.  Each part records why it is missing, so a check can
 * say "unknown: ..." instead of guessing.
 */
#ifndef KAGENT_FACTS_H
#define KAGENT_FACTS_H

#include <limits.h>
#include <stdbool.h>

#include "agent.h"
#include "conf.h"
#include "kafka_facts.h"
#include "os.h"
#include "async_probe.h"
#include "flush.h"
#include "zk_facts.h"
#include "zk_probe.h"

#define FACTS_LOGDIRS_MAX 32

/* A Kafka log dir or ZooKeeper data dir and where it lives. */
struct facts_dir {
	char path[KAFKA_PATH_MAX];
	const struct hw_mount *mount;     /* NULL when no mount covers it */
	size_t n_disks;                   /* physical disks below it */
	const struct hw_disk *disks[HW_DISK_MEMBERS_MAX];
	struct kafka_logdir_stats stats;  /* Kafka log dirs only */
	bool stats_known;
};

/* The agent certificate's not_after, read with OpenSSL once per version
 * of the file.  read is false when [agent] uses no certificate (no
 * collector, insecure, or no tls_cert); rc is proto_tls_file_expiry's. */
struct facts_tls_cert {
	bool read;
	int rc;
	int64_t not_after;
	int64_t now; /* unix seconds: the one moment days left is taken at */
};

struct facts {
	const char *root;
	struct conf conf;
	unsigned roles;                   /* CORE_ROLE_*, after --role */
	struct inventory inv;
	struct hw_os os;

	/* Kafka: config_error says why kafka is NULL. */
	char kafka_path[PATH_MAX];
	char kafka_error[512];
	struct kafka_config *kafka;
	struct kafka_install kafka_install;
	char kafka_install_error[256];
	size_t n_logdirs;
	struct facts_dir logdirs[FACTS_LOGDIRS_MAX];
	/* This broker's partition directories per topic, over every log
	 * dir; known only when every log dir was read whole. */
	struct kafka_topic_sizes kafka_topics;
	bool kafka_topics_known;
	/* When the Kafka process (os.kafka_pid) started, ms since the
	 * epoch; unknown without a process or a readable /proc. */
	struct hw_num kafka_started_ms;

	/* ZooKeeper. */
	char zk_path[PATH_MAX];
	char zk_error[512];
	struct zk_config *zk;
	struct facts_dir zk_dirs[2];      /* dataDir, dataLogDir */
	size_t n_zk_dirs;
	struct zk_status zk_live;
	bool zk_live_probed;
	/* kagentd's kept probe: its age, or why there is none yet. */
	struct async_seen zk_live_seen;

	/* Each physical disk's average flush latency over the last interval:
	 * kagentd's from one report to the next (the facts cache keeps the
	 * readings), kagent check's over zookeeper.disk.fsync.sample_ms. */
	struct flush_facts flush;

	/* The interface carrying the role's traffic, and how it was chosen. */
	const struct hw_nic *kafka_nic;
	char kafka_nic_why[160];
	const struct hw_nic *zk_nic;
	char zk_nic_why[160];

	/* agent.tls.expiry's certificate, read at the gather so that a
	 * check run every second does not parse the PEM file each time. */
	struct facts_tls_cert tls_cert;
};

struct facts_opts {
	/* A one-shot run (kagent check): probe the local server's port, and
	 * on a ZooKeeper host read the flush counters twice,
	 * zookeeper.disk.fsync.sample_ms apart, on the live host. */
	bool live_zk;
	unsigned zk_timeout_ms;
	struct board_sensors_lib *sensors_lib; /* NULL: a one-shot read */
	bool tls_cert_given; /* the caller sets tls_cert itself */
	bool no_smart;       /* disk.health is not asked for: no SMART read */
};

/* Probes everything the roles need.  Fails only when the inventory
 * itself fails (err says which file); missing Kafka or ZooKeeper
 * configuration is recorded in the facts for the checks to report. */
int facts_gather(const char *root, const struct conf *conf, unsigned roles,
		 const struct facts_opts *opts, struct facts *f,
		 struct hw_err *err);
void facts_free(struct facts *f);
/* Installs nics (taken over: *nics is emptied) in place of f's and points
 * kafka_nic and zk_nic into them again, as facts_gather would. */
void facts_nics_replace(struct facts *f, struct hw_nics *nics);
/* [agent] reports over TLS with a certificate of its own. */
bool facts_tls_cert_in_use(const struct conf_agent *a);
/* Reads the agent certificate's expiry when it is in use; the path is the
 * host's, not below root. */
void facts_tls_cert_read(const struct conf_agent *a,
			 struct facts_tls_cert *out);
/* Re-reads the size and partition count of every Kafka log dir. */
void facts_logdirs_restat(struct facts *f);

/* ---- rack_lldp.c ---- */

/* [host] rack = lldp: pattern's capture group (POSIX ERE) over the name of
 * the switch the uplink hangs from.  0 with rack set; -ENOENT (no switch,
 * no match), -EINVAL (pattern), -ENAMETOOLONG, -EILSEQ with rack empty and
 * why saying which. */
int facts_rack_lldp(const char *pattern, const struct hw_nics *nics,
		    char *rack, size_t len, char *why, size_t whylen);

/* The interface that holds addr ("" or a wildcard: the default route's). */
const struct hw_nic *facts_nic_for_address(const struct inventory *inv,
					   const char *addr, char *why,
					   size_t whylen);

#endif
