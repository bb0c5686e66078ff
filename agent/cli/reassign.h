/* SPDX-License-Identifier: Apache-2.0 */
/* reassign.h — kagent fleet --reassign CLUSTER: per-topic partition
 * reassignment plans for kafka-reassign-partitions, from the collector's
 * view of a cluster's live metadata (GET /api/clusters/{c}/kafka).
 *
 * Three pure parts and the glue: reassign_load.c validates the JSON into
 * a struct ra_cluster, reassign_plan.c moves replicas (no I/O),
 * reassign_out.c writes the summary and the step files' text;
 * reassign_cmd.c fetches or reads the input and writes the files. */
#ifndef KAGENT_REASSIGN_H
#define KAGENT_REASSIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

struct proto_tls_config;

/* Bounds of the input.  The design shape is 50 brokers, 2 000 topics and
 * 100 000 partitions; these leave twice that room and keep a hostile
 * answer below about 30 MB of partitions (136 bytes each). */
#define RA_BROKERS_MAX	  4096
#define RA_TOPICS_MAX	  100000
#define RA_PARTITIONS_MAX 200000 /* in the whole cluster */
#define RA_RF_MAX	  16
#define RA_TOPIC_NAME_MAX 249 /* Kafka's limit */
#define RA_RACK_MAX	  255
#define RA_NIC_MBPS_MAX	  10000000
#define RA_INPUT_MAX	  (64u * 1024 * 1024)

/* A known-or-unknown count (JSON null is unknown, never 0). */
struct ra_num {
	int64_t v;
	bool known;
};

struct ra_broker {
	int32_t id;
	bool registered;
	bool rack_known;
	char rack[RA_RACK_MAX + 1];
	struct ra_num nic_mbps;
};

struct ra_partition {
	int32_t partition;
	int n;			     /* replicas, = the topic's RF */
	int32_t replicas[RA_RF_MAX]; /* current; [0] the preferred leader */
	int32_t planned[RA_RF_MAX];  /* after the plan */
};

struct ra_topic {
	char name[RA_TOPIC_NAME_MAX + 1];
	int rf;
	int32_t n_parts;
	struct ra_partition *parts;
	struct ra_num retention_ms, retention_bytes, bytes, replica_bytes;
	int64_t under_replicated;
	/* Set by the planner. */
	int64_t moved;	   /* replicas placed on a broker new to them */
	int64_t reordered; /* partitions whose leader alone changes */
	int64_t changed;   /* partitions in the step file */
	bool balanced;	   /* every broker within one of the mean */
};

enum ra_state { RA_STATE_COMPLETE, RA_STATE_PARTIAL, RA_STATE_NONE };

struct ra_cluster {
	char name[64];
	enum ra_state state;
	char why[512];
	size_t n_brokers;
	struct ra_broker *brokers; /* sorted by id */
	size_t n_topics;
	struct ra_topic *topics; /* in the input's order */
};

/* Why the planner's rack rule is on or off, for the summary. */
enum ra_rack_rule {
	RA_RACKS_ON,	  /* every partition in distinct racks */
	RA_RACKS_UNKNOWN, /* a broker has no rack */
	RA_RACKS_FEW,	  /* fewer racks than some topic's RF */
};

struct ra_plan_opts {
	bool drain;
	int32_t drain_id;
};

struct ra_plan_result {
	int n_eligible;		 /* registered brokers not drained */
	int n_racks;		 /* distinct racks among them */
	enum ra_rack_rule racks; /* the cluster-wide reason */
	int64_t moved;		 /* replicas, every topic */
	size_t failed_topic;	 /* on an error: the topic that failed */
	char err[512];
};

/* Validates doc (the collector's answer) into c, which is all
 * zero-initialized first; cluster is the name asked for.  0, or -EINVAL
 * with err naming the JSON path ("$.topics[2].assignment[0].replicas[1]:
 * broker 7 is not in $.brokers"). */
int ra_cluster_load(json_t *doc, const char *cluster, struct ra_cluster *c,
		    char *err, size_t errlen);
void ra_cluster_free(struct ra_cluster *c);
/* The broker of that id, or NULL. */
const struct ra_broker *ra_broker_find(const struct ra_cluster *c, int32_t id);
/* Kafka's topic name alphabet, [a-zA-Z0-9._-], 1 to 249 bytes and
 * neither "." nor "..": safe as part of a file name. */
bool ra_topic_name_ok(const char *name);
/* One character Kafka allows in a topic name: [a-zA-Z0-9._-]. */
bool ra_topic_char_ok(char c);

/* Fills every partition's planned replicas and each topic's counts.
 * 0; -EHOSTDOWN when a broker holding replicas is not registered and not
 * drained; -ENOSPC when a drain is impossible (r->failed_topic names the
 * topic); -EINVAL for a drain of a broker not in the cluster; r->err says
 * which and why. */
int ra_plan(struct ra_cluster *c, const struct ra_plan_opts *o,
	    struct ra_plan_result *r);
/* Whether a partition's plan differs from its current assignment. */
bool ra_partition_changed(const struct ra_partition *p);

/* The steps: indexes of the topics that change, smallest first (by
 * bytes; unknown sizes last; ties by name).  Returns the count; idx has
 * room for c->n_topics. */
size_t ra_steps(const struct ra_cluster *c, size_t *idx);

/* The file kafka-reassign-partitions --execute reads, for the changed
 * partitions of t: their planned replicas, or (rollback) their current
 * ones.  A new reference or NULL. */
json_t *ra_step_file(const struct ra_topic *t, bool rollback);

struct ra_summary_opts {
	int throttle_percent; /* of the slowest link involved */
	const char *out_dir;  /* NULL: nothing written */
	int name_width;	      /* digits of NN */
	bool json;
};

/* A step's file name, "NN-TOPIC.json" or "NN-TOPIC.rollback.json". */
void ra_step_name(char *buf, size_t len, int width, size_t step,
		  const char *topic, bool rollback);
/* The summary, text or JSON, of the steps idx[0..n). */
void ra_summary_print(const struct ra_cluster *c, const struct ra_plan_opts *po,
		      const struct ra_plan_result *r, const size_t *idx,
		      size_t n, const struct ra_summary_opts *so, FILE *out);

/* kagent fleet --reassign: the command (reassign_cmd.c), its options as
 * written; NULL for one not given. */
struct ra_cmd {
	const char *url; /* the collector, when from is NULL */
	const struct proto_tls_config *tls;
	const char *cluster;
	const char *from; /* a file holding the same JSON */
	const char *out_dir;
	const char *drain;    /* a broker id */
	const char *throttle; /* percent of the slowest link */
	bool partial, force, json;
};
/* The exit status: 0 with a plan written or printed, or nothing to move;
 * RA_EXIT_REFUSED when the plan is refused (metadata not complete, a
 * drain impossible, plan files already there); 2 for a bad command line,
 * input or collector. */
#define RA_EXIT_REFUSED 1
int ra_cmd_run(const struct ra_cmd *cmd);

#endif
