/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kafka_merge.h — a report whose Kafka partition list is unchanged
 * (KafkaLive.assignment_unchanged: its digest and count only) completed
 * from the last whole list of its host before it is stored, so that the
 * stored report, and everything that reads it, holds the list whole.
 *
 * The last whole list is kept per connection (one connection is one
 * host).  A connection that has none yet, as after a collector restart
 * or a failover that replays an agent's spool here, reads the host's
 * stored report once instead.  Either is used only when its digest and
 * count are the report's; otherwise the report is stored as it came and
 * the Kafka view names the broker whose assignment is unknown until the
 * next whole list.
 */
#ifndef KAGENT_KAFKA_MERGE_H
#define KAGENT_KAFKA_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* One connection's last whole list: the partitions with the names of
 * their topics (the topics list is sent again every report, in any
 * order, so a partition is placed by its topic's name). */
struct kafka_merge {
	bool stored_read; /* the host's stored report was looked at */
	bool have;
	uint64_t digest;
	uint32_t count;
	char **names;
	size_t n_names;
	/* The partitions encoded (kagent.v1.KafkaPartition), each after a
	 * byte giving its length; topic: index into names. */
	uint8_t *parts;
	size_t parts_len;
	size_t n_parts;
};

/* What became of a report's partition list (the counters' index). */
enum kafka_merge_result {
	KAFKA_MERGE_WHOLE,	/* it came whole: kept as the base */
	KAFKA_MERGE_CONNECTION, /* completed from the connection's base */
	KAFKA_MERGE_STORED,	/* completed from the stored report */
	KAFKA_MERGE_UNKNOWN,	/* no base matched: stored without it */
	KAFKA_MERGE_N
};
const char *kafka_merge_result_name(int r);

/* Keeps the whole list of k and l (a report's KafkaLive and its lists)
 * as m's base; does nothing for a report without one (an error, a
 * clipped or an unchanged list), but a clipped list drops the base.
 * 0 or -ENOMEM (m then has no base). */
int kafka_merge_keep(struct kafka_merge *m, const kagent_v1_KafkaLive *k,
		     const struct proto_lists *l);
/* Completes an unchanged k from m's base: the partitions appended to
 * l->kparts placed under l->ktopics by name, assignment_full set and
 * assignment_unchanged cleared.  0 done; -ESRCH when m has no base or
 * another digest or count, or the list names a topic l does not hold
 * (k and l are then as they were); -EINVAL when k is not unchanged;
 * -ENOMEM. */
int kafka_merge_complete(const struct kafka_merge *m, kagent_v1_KafkaLive *k,
			 struct proto_lists *l);
void kafka_merge_clear(struct kafka_merge *m);
void kafka_merge_free(struct kafka_merge *m);

struct coll_conn;
/* conn_msg.c's one call, for the report just decoded into the
 * collector's envelope and lists: keeps or completes its Kafka list,
 * reading the host's stored report at most once per connection, and
 * counts the outcome.  1 when the report was completed (its received
 * bytes are stale: encode it again), else 0; the report is then stored
 * as it came. */
int kafka_merge_report(struct coll_conn *k);

#endif
