/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http_int.h — one HTTP connection of kcollectord, shared by http.c (its
 * accept, first-byte sniff and reaping) and http_answer.c (its request
 * judged by the ACL, routed and answered).  Private to collector/.
 */
#ifndef KAGENT_HTTP_INT_H
#define KAGENT_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "collector.h"

struct coll_http_conn {
	struct proto_stream st;
	struct coll_http_req req;
	bool head; /* HEAD: the answer's headers only */
	struct coll_pending pend; /* until its request is whole */
	struct collector *c;
	TAILQ_ENTRY(coll_http_conn) link;
	int64_t started_ms;
	bool answered;
	bool started;  /* reading, plain or TLS */
	bool loopback; /* peer is 127.0.0.1 or ::1 */
	bool tls;      /* its first byte began a TLS handshake */
	char peer[56];
	char identity[PROTO_TLS_ID_MAX]; /* the certificate's, "" plain */
};

/* The stream's read callback: feeds the request, and once it is whole
 * (or refused) answers it, 403 for whoever the ACL does not name. */
void coll_http_read(struct proto_stream *s, const uint8_t *buf, size_t len);

#endif
