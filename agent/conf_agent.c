/* SPDX-License-Identifier: Apache-2.0 */
/* [agent] of kagent.conf: kagentd's collectors, schedule, spool, socket,
 * identity, user and TLS files.  The longest section, with checks of its
 * own (absolute paths, the host id, a login name), kept apart from the
 * parser's driver in conf.c, whose setters it uses (conf_int.h). */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "conf_int.h"
#include "core.h"

/* host_id travels in the Hello: printable ASCII without blanks. */
static int set_host_id(char *dst, size_t len, const char *v,
		       struct parse_state *st, const char *key)
{
	const char *p;

	for (p = v; *p; p++)
		if (*p <= ' ' || *p > '~') {
			snprintf(st->msg, sizeof st->msg,
				 "'%s' must be printable ASCII without blanks", key);
			return 0;
		}
	if (v[0] == '\0') {
		snprintf(st->msg, sizeof st->msg, "'%s' is empty", key);
		return 0;
	}
	return conf_set_str(dst, len, v, st, key);
}

int conf_handle_agent(struct parse_state *st, const char *k, const char *v)
{
	struct conf_agent *a = &st->c->agent;
	char why[240];

	if (!strcmp(k, "collector")) {
		if (conf_collectors_parse(v, a->collectors, &a->n_collectors,
					  why, sizeof why) < 0) {
			snprintf(st->msg, sizeof st->msg, "%s", why);
			return 0;
		}
		return conf_set_str(a->collector, sizeof a->collector, v, st, k);
	}
	if (!strcmp(k, "failback_interval"))
		return conf_set_seconds(&a->failback_interval_s, v, st, k);
	if (!strcmp(k, "interval"))
		return conf_set_seconds(&a->interval_s, v, st, k);
	if (!strcmp(k, "health_interval"))
		return conf_set_seconds(&a->health_interval_s, v, st, k);
	if (!strcmp(k, "smart_interval"))
		return conf_set_seconds(&a->smart_interval_s, v, st, k);
	if (!strcmp(k, "prober_timeout"))
		return conf_set_seconds(&a->prober_timeout_s, v, st, k);
	if (!strcmp(k, "spool_max")) {
		/* Below 64 KiB not even one large report fits. */
		if (core_parse_size(v, &a->spool_max) < 0 ||
		    a->spool_max < (64 << 10)) {
			snprintf(st->msg, sizeof st->msg,
				 "bad spool_max '%s' (a size of at least 64KiB)", v);
			return 0;
		}
		return 1;
	}
	if (!strcmp(k, "insecure"))
		return conf_set_bool(&a->insecure, v, st, k);
	if (!strcmp(k, "spool") || !strcmp(k, "socket") || !strcmp(k, "root") ||
	    !strcmp(k, "tls_ca") || !strcmp(k, "tls_cert") ||
	    !strcmp(k, "tls_key")) {
		char *dst = !strcmp(k, "spool") ? a->spool :
			    !strcmp(k, "socket") ? a->socket :
			    !strcmp(k, "root") ? a->root :
			    !strcmp(k, "tls_ca") ? a->tls_ca :
			    !strcmp(k, "tls_cert") ? a->tls_cert : a->tls_key;
		size_t len = !strcmp(k, "socket") ? sizeof a->socket : PATH_MAX;

		if (v[0] != '/') {
			snprintf(st->msg, sizeof st->msg,
				 "'%s' must be an absolute path, not '%s'", k, v);
			return 0;
		}
		return conf_set_str(dst, len, v, st, k);
	}
	if (!strcmp(k, "host_id"))
		return set_host_id(a->host_id, sizeof a->host_id, v, st, k);
	if (!strcmp(k, "user")) {
		/* The portable login-name set: no '-' first, nothing a shell
		 * or a log line would misread. */
		if (v[0] == '\0' || v[0] == '-' ||
		    strlen(v) >= sizeof a->user ||
		    strspn(v, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
			    strlen(v)) {
			snprintf(st->msg, sizeof st->msg,
				 "bad user '%s' (a login name of at most %zu "
				 "characters from A-Z a-z 0-9 . _ -)",
				 v, sizeof a->user - 1);
			return 0;
		}
		return conf_set_str(a->user, sizeof a->user, v, st, k);
	}
	return -1;
}
