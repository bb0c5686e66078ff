/* SPDX-License-Identifier: Apache-2.0 */
/* What the report jobs share (report_job.c, report_smart.c): the job's
 * state and how a job answers the loop.  Private to agent/daemon/. */
#ifndef KAGENT_REPORT_JOB_INT_H
#define KAGENT_REPORT_JOB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon.h"
#include "events_link.h"
#include "facts_cache.h"
#include "prober_client.h"

struct report_job {
	const struct conf *conf;
	struct prober_client *pc;
	struct prober_reply_hdr *rh; /* the job's answer */
	uint8_t *body;
	const char *root;
	const char *host_id;
	bool live; /* root is "/": devices and libsensors are this host's */
	struct report_smart *smart;
	size_t n_smart;
	bool zk_known; /* zk_host/zk_port found in zoo.cfg */
	char zk_host[ZK_HOST_MAX];
	int32_t zk_port;
	/* The broker's listener for the loop's Kafka client, from the last
	 * full gather; "" none known. */
	char kafka_bootstrap[KAFKA_BOOTSTRAP_MAX];
	kagent_v1_Envelope *env;
	struct proto_lists lists;
	struct facts_cache facts;
	/* libsensors, initialised once and again at each SMART refresh */
	struct board_sensors_lib sensors;
	/* The health request's links, for the next full report. */
	struct hw_nics nics;
	bool nics_have;
	int64_t nics_ms;
	/* The links as read at generation links_gen of links_ev: read again
	 * only after rtnetlink told of a change (events_link.h). */
	const struct events_link *links_ev;
	struct hw_nics links;
	uint64_t links_gen;
	int64_t links_ms; /* when they were read */
};

/* Leaves the answer (code, status, len bytes of body; body NULL: already
 * in p->body) for the loop; 0. */
int report_job_reply(struct report_job *p, uint32_t code, int status,
		     const void *body, size_t len);
/* Logs msg and answers with it and status (a negative errno; -EINVAL if
 * status is not one). */
int report_job_reply_error(struct report_job *p, uint32_t code, int status,
			   const char *msg);
/* libsensors closed and opened again (on the live host only). */
void report_job_sensors_reopen(struct report_job *p);
/* JOB_SMART_REFRESH: SMART of every physical disk read again. */
int report_job_smart(struct report_job *p);

#endif
