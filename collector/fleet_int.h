/*
 * fleet_int.h — what fleet.c, fleet_rack.c and fleet_kafka*.c share: the view of one
 * cluster the checks run over, and the helpers both sides use.
 */
#ifndef KAGENT_FLEET_INT_H
#define KAGENT_FLEET_INT_H

#include "coll.h"
#include "kafka_view.h"

struct fleet_view {
	const char *cluster;
	const struct coll_host *hosts;
	size_t n;
	bool critical;
	const struct coll_fleet_thresholds *th;
	/* The brokers' own metadata (kafka_view.h), or NULL when none was
	 * built: the checks then fall back to the hosts' files. */
	const struct kafka_view *kafka;
};

/* ---- fleet_placement.c ---- */
/* How the members of one role spread over failure domains. */
struct placement {
	size_t members;
	size_t unknown; /* members with neither rack nor zone */
	size_t domains;
	const char *top;      /* the domain holding the most members */
	const char *top_kind; /* "rack" or "zone" */
	size_t top_count;
	char unknown_names[128];
};
int fleet_placement(const struct fleet_view *v, unsigned role,
		    struct placement *p);

/* ---- fleet.c ---- */

/* Hosts of the view's cluster with one of the roles in `role`. */
size_t fleet_role_count(const struct fleet_view *v, unsigned role);
/* Appends a host name to a comma-separated list; a list that would
 * overflow ends in "..." so a message never cuts a name in half. */
void fleet_names_add(char *buf, size_t len, const char *name);
/* The failure domain kagent.conf gives the host: its rack, else its zone
 * (kind "rack" or "zone"); NULL when neither is set. */
const char *fleet_conf_domain(const struct coll_host *h, const char **kind);

/* ---- fleet_rack.c: configured racks against LLDP ---- */

int fleet_check_kafka_rack_mismatch(const struct fleet_view *v,
				    struct check_results *out);
int fleet_check_rack_lldp(const struct fleet_view *v,
			  struct check_results *out);

/* ---- fleet_kafka*.c: the live metadata's checks ---- */

/* Whether the view holds metadata (state KV_PARTIAL or KV_COMPLETE). */
bool fleet_kafka_known(const struct fleet_view *v);
/* The unknown result of check `id` when no broker gave metadata. */
int fleet_kafka_no_view(const struct fleet_view *v, const char *id,
			struct check_results *out);
/* "; view partial: WHY" for a partial view, else "" (in buf). */
const char *fleet_kafka_partial(const struct fleet_view *v, char *buf,
				size_t len);
/* "broker 2 (kafka2)": the agent's host id, else the advertised host. */
void fleet_kafka_broker_name(const struct kafka_view *kv, int32_t id,
			     char *buf, size_t len);
/* "topic-3" */
void fleet_kafka_tp(const struct kafka_view *kv, const struct kv_partition *p,
		    char *buf, size_t len);
bool fleet_kafka_in_isr(const struct kv_partition *p, int32_t id);

int fleet_check_kafka_urp(const struct fleet_view *v,
			  struct check_results *out);
int fleet_check_kafka_offline(const struct fleet_view *v,
			      struct check_results *out);
int fleet_check_kafka_rack_spread(const struct fleet_view *v,
				  struct check_results *out);
/* kafka.cluster.partition_skew from a complete view's assignment. */
int fleet_check_kafka_skew_meta(const struct fleet_view *v,
				struct check_results *out);
int fleet_check_kafka_next(const struct fleet_view *v,
			   struct check_results *out);

#endif
