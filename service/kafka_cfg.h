/*
 * kafka_cfg.h — inside server.properties resolution, shared by its files:
 * kafka_cfg.c reads one value as KafkaConfig reads it, kafka_listeners.c
 * resolves listeners and their security, kafka_config.c the rest of the
 * file.  Not for callers outside service/kafka_*.c: they use kafka_facts.h.
 */
#ifndef KAGENT_KAFKA_CFG_H
#define KAGENT_KAFKA_CFG_H

#include <stddef.h>

#include "kafka_facts.h"

/* One resolution: the file read, its name for messages, the facts being
 * filled and where a fatal error goes. */
struct kafka_cfg {
	const struct props *p;
	const char *name;
	struct kafka_config *out;
	struct hw_err *err;
};

/* ---- kafka_cfg.c ---- */

/* Records a value the broker would reject (e NULL: a default) and goes
 * on: a bad value is a finding, not a reason to stop. */
void kafka_cfg_invalid(struct kafka_cfg *c, const struct props_entry *e,
		       const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Copies the trimmed span s[0..n) of entry e's value; -E2BIG if too long. */
int kafka_cfg_copy_span(struct kafka_cfg *c, const struct props_entry *e,
			const char *s, size_t n, char *dst, size_t cap);
/* The trimmed value of key into dst, or def when unset.  1 when set. */
int kafka_cfg_str(struct kafka_cfg *c, const char *key, char *dst, size_t cap,
		  const char *def);
/* A comma-separated list into items[max][cap]; empty items are dropped as
 * CoreUtils.parseCsvList drops them. */
int kafka_cfg_list(struct kafka_cfg *c, const struct props_entry *e, size_t max,
		   size_t cap, char *items, size_t *n);

/* ---- kafka_listeners.c ---- */

/* advertised.listeners and the like: each item parsed as EndPoint does. */
int kafka_cfg_endpoints(struct kafka_cfg *c, const struct props_entry *e,
			struct kafka_endpoint *eps, size_t stride, size_t *n);
/* listeners, or the default the broker derives without it. */
int kafka_cfg_listeners(struct kafka_cfg *c);
/* listener.security.protocol.map, or the broker's default map. */
int kafka_cfg_protocol_map(struct kafka_cfg *c);
/* The protocol, TLS stores and SASL settings of one listener. */
int kafka_cfg_listener_security(struct kafka_cfg *c, struct kafka_listener *li);

#endif
