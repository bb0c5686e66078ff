/* SPDX-License-Identifier: Apache-2.0 */
/* kcollectord's SIGHUP: the configuration read again as at start (the
 * file, then the command line's flags over it), and everything that can
 * fail (the file, the certificates, the ACL) loaded before anything
 * changes, so that a bad file changes nothing.  What takes effect: the
 * limits and timeouts (the listeners read them at each accept and each
 * reap), the TLS context of new connections, the ACL, and the fleet
 * checks' thresholds of [fleet] (each judgement reads them from cfg).  What does not:
 * the addresses bound, the database opened, the user dropped to, and
 * TLS or plaintext, chosen when the listeners were bound; they keep their
 * running value and are named in the log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "core_log.h"

/* The limits' runtime copies: each listener's and the partial frames'. */
static void limits_apply(struct collector *c)
{
	c->agents.max_pending = c->cfg.max_pending;
	c->agents.max_pending_addr = c->cfg.max_pending_per_address;
	c->agents.timeout_ms = c->cfg.handshake_timeout_ms;
	c->http.max_pending = c->cfg.max_pending;
	c->http.max_pending_addr = c->cfg.max_pending_per_address;
	c->http.timeout_ms = c->cfg.http_timeout_ms;
	c->held.max_total = c->cfg.max_partial_bytes;
	c->held.max_per_id = c->cfg.max_partial_bytes_per_identity;
}

static int next_load(struct coll_config *next, struct proto_tls *tls,
		     struct acl *acl, bool *have_acl, char *err, size_t errlen)
{
	struct proto_tls_config tc;
	char why[768];
	int r;

	if (!next->insecure) {
		memset(&tc, 0, sizeof tc);
		tc.ca = next->tls_ca;
		tc.cert = next->tls_cert;
		tc.key = next->tls_key;
		r = proto_tls_init(tls, &tc, why, sizeof why);
		if (r < 0) {
			snprintf(err, errlen, "tls: %s", why);
			return r;
		}
	}
	if (next->acl[0]) {
		r = acl_load(next->acl, acl, why, sizeof why);
		if (r < 0) {
			acl_free(acl);
			proto_tls_free(tls);
			snprintf(err, errlen, "acl: %s", why);
			return r;
		}
		*have_acl = true;
	}
	return 0;
}

int coll_reload(struct collector *c, char *restart, size_t restartlen,
		char *err, size_t errlen)
{
	struct coll_config *next = calloc(1, sizeof *next);
	struct proto_tls tls = {0};
	struct acl acl;
	bool have_acl = false;
	int r;

	err[0] = '\0';
	if (restartlen)
		restart[0] = '\0';
	memset(&acl, 0, sizeof acl);
	if (next == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (c->config_read)
		r = c->config_read(c->config_arg, next, err, errlen);
	else {
		*next = c->cfg;
		r = 0;
	}
	if (r == 0) {
		coll_config_restart_keep(&c->cfg, next, restart, restartlen);
		r = coll_config_check(next, err, errlen);
	}
	if (r == 0)
		r = next_load(next, &tls, &acl, &have_acl, err, errlen);
	if (r < 0) {
		free(next);
		c->ctr.reload_failures++;
		return r;
	}
	/* SSL_new took a reference for every connection up. */
	proto_tls_free(&c->tls);
	c->tls = tls;
	if (c->have_acl)
		acl_free(&c->acl);
	c->acl = acl;
	c->have_acl = have_acl;
	c->cfg = *next;
	free(next);
	limits_apply(c);
	c->ctr.reloads++;
	return 0;
}

void coll_reload_signal(struct collector *c)
{
	struct coll_config was = c->cfg;
	char err[1100], restart[128], changed[512], fleet[256];

	core_notify_reloading(&c->notify);
	if (coll_reload(c, restart, sizeof restart, err, sizeof err) < 0) {
		core_log(LOG_ERR, "reload: %s; the running configuration is "
			 "kept", err);
		core_notify_send(&c->notify, "READY=1\nSTATUS=reload failed: %s",
				 err);
		return;
	}
	if (restart[0])
		core_log(LOG_WARNING, "reload: %s changed: needs a restart (the "
			 "running value is kept)", restart);
	if (coll_config_limits_diff(&was, &c->cfg, changed, sizeof changed))
		core_log(LOG_INFO, "reload: certificates and ACL reloaded for "
			 "new connections; %s", changed);
	else
		core_log(LOG_INFO, "reload: certificates and ACL reloaded for "
			 "new connections");
	if (coll_config_fleet_diff(&was, &c->cfg, fleet, sizeof fleet))
		core_log(LOG_INFO, "reload: [fleet] %s", fleet);
	/* READY=1 ends the reload whatever its outcome: a failed one keeps
	 * the running configuration, and the collector serves on. */
	core_notify_send(&c->notify, "READY=1");
	coll_notify_status(c);
}
