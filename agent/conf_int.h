/* SPDX-License-Identifier: Apache-2.0 */
/* What the parser of kagent.conf shares between its files: one parse's
 * state and the value setters every section uses (conf.c), and the
 * sections parsed in a file of their own (conf_agent.c).  Private to
 * agent/. */
#ifndef KAGENT_CONF_INT_H
#define KAGENT_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

struct parse_state {
	struct conf *c;
	char msg[256];
};

/* The setters: 1 when the value is taken, 0 with st->msg set when it is
 * wrong.  key names the value in the message. */
int conf_set_str(char *dst, size_t len, const char *v, struct parse_state *st,
		 const char *key);
int conf_set_bool(bool *dst, const char *v, struct parse_state *st,
		  const char *key);
/* Seconds from 1 to 86400. */
int conf_set_seconds(int64_t *dst, const char *v, struct parse_state *st,
		     const char *key);

/* conf_agent.c: one key of [agent]: 1 when taken, 0 with st->msg set when
 * wrong, -1 when [agent] has no such key (a threshold may still match). */
int conf_handle_agent(struct parse_state *st, const char *k, const char *v);

#endif
