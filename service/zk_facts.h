/*
 * zk_facts.h — what a ZooKeeper server's zoo.cfg says: where it keeps its
 * data, which ports it serves, which servers form its ensemble, and which
 * four-letter words it answers (zookeeper.live, zookeeper.disk and the
 * ensemble checks of ROLES.md).
 *
 * zoo.cfg is a .properties file (QuorumPeerConfig loads it with
 * Properties.load).  As for Kafka, a value the server would refuse is kept
 * unknown and counted in n_invalid, the first one described with file and
 * line; unreadable files, bad syntax and values over bounds are errors.
 */
#ifndef KAGENT_ZK_FACTS_H
#define KAGENT_ZK_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hw.h"
#include "props.h"

#define ZK_SERVERS_MAX 64
#define ZK_PATH_MAX 256
#define ZK_HOST_MAX 256
#define ZK_TEXT_MAX 320
#define ZK_4LW_MAX 32

/* server.<id>=host:peer:election[:participant|observer][;[addr:]client] */
struct zk_server {
	int64_t id;
	char text[ZK_TEXT_MAX];         /* the value as written, trimmed */
	bool valid;
	char host[ZK_HOST_MAX];         /* first address; IPv6 without [] */
	size_t n_addresses;             /* 3.6 multi-address a:1:2|b:1:2 */
	struct hw_num peer_port;        /* quorum, 2888 by convention */
	struct hw_num election_port;    /* leader election, 3888 */
	bool observer;
	char client_address[ZK_HOST_MAX];       /* "" when not given */
	struct hw_num client_port;              /* after ';', else unknown */
	unsigned line;
	bool from_dynamic;              /* read from dynamicConfigFile */
};

struct zk_config {
	char data_dir[ZK_PATH_MAX];
	char data_log_dir[ZK_PATH_MAX];
	bool data_log_dir_default;      /* unset: the transaction log is in dataDir */
	struct hw_num client_port;
	struct hw_num secure_client_port;
	char client_port_address[ZK_HOST_MAX];  /* "" all addresses */
	/* Unknown when unset (the server then applies its own default). */
	struct hw_num tick_time;        /* ms */
	struct hw_num init_limit;       /* ticks */
	struct hw_num sync_limit;
	/* fsync.warningthresholdms: FileTxnLog logs (and counts in
	 * fsync_threshold_exceed_count) every fsync slower; unknown when
	 * unset, when the server uses 1000. */
	struct hw_num fsync_warning_ms;
	bool four_lw_set;               /* 4lw.commands.whitelist present */
	size_t n_four_lw;
	char four_lw[ZK_4LW_MAX][16];   /* "*" enables all */
	char dynamic_config_file[ZK_PATH_MAX];
	size_t n_servers;               /* file order, then the dynamic file */
	struct zk_server servers[ZK_SERVERS_MAX];
	unsigned n_invalid;
	char invalid[ZK_TEXT_MAX];      /* "file:12: key: why", the first one */
};

/* ---- zk_config.c ---- */

/* name is the file named in messages.  Does not read dynamicConfigFile. */
int zk_config_parse(const struct props *p, const char *name,
		    struct zk_config *out, struct hw_err *err);
/* Reads path below root, then the dynamicConfigFile it names, below the
 * same root. */
int zk_config_load(const char *root, const char *path, struct zk_config *out,
		   struct hw_err *err);
/* Parses one server.N value into s (id and line are the caller's);
 * false when the server would reject it. */
bool zk_server_parse(const char *value, struct zk_server *s);

#endif
