/* Who may connect and what they may do: the TLS context and the ACL, how
 * they are loaded before any socket, and how SIGHUP replaces them; the
 * listeners (conn_msg.c, http.c) only ask. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "collector.h"

bool coll_may_report(const struct collector *c, const char *identity,
		     const char *cluster)
{
	return c->have_acl ? acl_may_report(&c->acl, identity, cluster)
			   : c->cfg.insecure;
}

bool coll_may_read(const struct collector *c, const char *identity,
		   bool is_loopback)
{
	/* `read loopback` is for plain HTTP: a certificate is judged by
	 * its identity wherever it comes from. */
	return c->have_acl ? acl_may_read(&c->acl, identity,
					  is_loopback && identity == NULL)
			   : c->cfg.insecure;
}

bool coll_may_admin(const struct collector *c, const char *identity)
{
	return c->have_acl && identity != NULL &&
	       acl_may_admin(&c->acl, identity);
}

static void tls_config_of(const struct coll_config *cfg,
			  struct proto_tls_config *out)
{
	memset(out, 0, sizeof *out);
	out->ca = cfg->tls_ca;
	out->cert = cfg->tls_cert;
	out->key = cfg->tls_key;
}

/* The ACL and TLS context before any socket: a collector that cannot
 * authenticate must not listen. */
int coll_security_init(struct collector *c, char *err, size_t errlen)
{
	struct proto_tls_config tc;
	char why[512];
	int r;

	r = coll_config_check(&c->cfg, err, errlen);
	if (r < 0)
		return r;
	if (!c->cfg.insecure) {
		tls_config_of(&c->cfg, &tc);
		r = proto_tls_init(&c->tls, &tc, why, sizeof why);
		if (r < 0) {
			snprintf(err, errlen, "tls: %s", why);
			return r;
		}
	}
	if (c->cfg.acl[0]) {
		r = acl_load(c->cfg.acl, &c->acl, why, sizeof why);
		if (r < 0) {
			snprintf(err, errlen, "acl: %s", why);
			return r;
		}
		c->have_acl = true;
	}
	c->ctr.insecure = c->cfg.insecure;
	return 0;
}
