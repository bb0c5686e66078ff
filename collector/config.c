/* kcollectord's configuration file through libinih: [collector], and
 * [fleet] for the fleet checks' thresholds (config_fleet.c); the command
 * line's flags override what it says. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "collector.h"
#include "core.h"
#include "core_ini.h"
#include "hostport.h"

#define COLL_CONF_FILE_MAX (64 * 1024)

void coll_config_defaults(struct coll_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->listen, sizeof cfg->listen, "0.0.0.0:7070");
	snprintf(cfg->http, sizeof cfg->http, "127.0.0.1:8080");
	snprintf(cfg->db, sizeof cfg->db, "/var/lib/kagent/collector.db");
	coll_config_limits_defaults(cfg);
	coll_fleet_thresholds_default(&cfg->fleet);
}

struct conf_state {
	struct coll_config *cfg;
	char msg[512];
};

static int set_str(struct conf_state *st, char *dst, size_t len,
		   const char *key, const char *v)
{
	if (strlen(v) >= len) {
		snprintf(st->msg, sizeof st->msg,
			 "value of '%s' longer than %zu bytes", key, len - 1);
		return 0;
	}
	memcpy(dst, v, strlen(v) + 1);
	return 1;
}

static int set_addr(struct conf_state *st, char *dst, size_t len,
		    const char *key, const char *v)
{
	struct sockaddr_storage ss;
	char why[320];

	if (proto_hostport_sockaddr(v, &ss, why, sizeof why) < 0) {
		snprintf(st->msg, sizeof st->msg, "'%s': %s", key, why);
		return 0;
	}
	return set_str(st, dst, len, key, v);
}

static int on_key(struct conf_state *st, const char *section, const char *k,
		  const char *v)
{
	struct coll_config *c = st->cfg;
	int r;

	if (strcmp(section, "fleet") == 0)
		return coll_config_fleet_set(c, k, v, st->msg, sizeof st->msg);
	if (strcmp(section, "collector") != 0) {
		snprintf(st->msg, sizeof st->msg,
			 "unknown section [%s] (valid: collector, fleet)",
			 section);
		return 0;
	}
	if (!strcmp(k, "listen"))
		return set_addr(st, c->listen, sizeof c->listen, k, v);
	if (!strcmp(k, "http"))
		return set_addr(st, c->http, sizeof c->http, k, v);
	if (!strcmp(k, "db"))
		return set_str(st, c->db, sizeof c->db, k, v);
	if (!strcmp(k, "tls_ca"))
		return set_str(st, c->tls_ca, sizeof c->tls_ca, k, v);
	if (!strcmp(k, "tls_cert"))
		return set_str(st, c->tls_cert, sizeof c->tls_cert, k, v);
	if (!strcmp(k, "tls_key"))
		return set_str(st, c->tls_key, sizeof c->tls_key, k, v);
	if (!strcmp(k, "acl"))
		return set_str(st, c->acl, sizeof c->acl, k, v);
	if (!strcmp(k, "insecure")) {
		if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
		    !strcmp(v, "1"))
			c->insecure = true;
		else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") ||
			 !strcmp(v, "0"))
			c->insecure = false;
		else {
			snprintf(st->msg, sizeof st->msg,
				 "'insecure' must be yes or no, not '%s'", v);
			return 0;
		}
		return 1;
	}
	r = coll_config_limit_set(c, k, v, st->msg, sizeof st->msg);
	if (r >= 0)
		return r;
	snprintf(st->msg, sizeof st->msg,
		 "unknown key '%s' in [collector] (valid: listen, http, db, "
		 "tls_ca, tls_cert, tls_key, acl, insecure, user, "
		 "handshake_timeout, http_timeout, "
		 "max_pending[_per_address], "
		 "max_partial_bytes[_per_identity])",
		 k);
	return 0;
}

/* conf_ini's callback: on_key() with its message handed over. */
static int handler(void *user, const char *section, const char *key,
		   const char *value, char *msg, size_t msglen)
{
	struct conf_state *st = user;
	int r = on_key(st, section, key, value);

	if (r == 0)
		snprintf(msg, msglen, "%s", st->msg);
	return r;
}

int coll_config_load(const char *path, struct coll_config *cfg, char *err,
		     size_t errlen)
{
	struct conf_state st = {.cfg = cfg};

	return core_ini_load(path, COLL_CONF_FILE_MAX, handler, &st, err,
			     errlen);
}

int coll_config_check(const struct coll_config *cfg, char *err, size_t errlen)
{
	if (cfg->insecure)
		return 0;
	if (!cfg->tls_ca[0] || !cfg->tls_cert[0] || !cfg->tls_key[0]) {
		snprintf(err, errlen,
			 "TLS needs --tls-ca, --tls-cert and --tls-key "
			 "(tls_ca, tls_cert, tls_key in [collector]); "
			 "plaintext only with --insecure");
		return -EINVAL;
	}
	if (!cfg->acl[0]) {
		snprintf(err, errlen,
			 "TLS needs an ACL: --acl FILE (acl in [collector]) "
			 "names who may report and read");
		return -EINVAL;
	}
	return 0;
}

int coll_config_restart_keep(const struct coll_config *run,
			     struct coll_config *next, char *keys, size_t len)
{
	static const struct {
		const char *key;
		size_t offset, size;
	} fixed[] = {
	    {"listen", offsetof(struct coll_config, listen),
	     sizeof run->listen},
	    {"http", offsetof(struct coll_config, http), sizeof run->http},
	    {"db", offsetof(struct coll_config, db), sizeof run->db},
	    {"user", offsetof(struct coll_config, user), sizeof run->user},
	};
	size_t i, used;
	int n = 0;

	if (len)
		keys[0] = '\0';
	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		const char *a = (const char *)run + fixed[i].offset;
		char *b = (char *)next + fixed[i].offset;

		if (strcmp(a, b) == 0)
			continue;
		memcpy(b, a, fixed[i].size);
		used = strlen(keys);
		if (used < len)
			snprintf(keys + used, len - used, "%s%s", n ? ", " : "",
				 fixed[i].key);
		n++;
	}
	/* Each listener chose TLS or plaintext when it was bound. */
	if (run->insecure != next->insecure) {
		next->insecure = run->insecure;
		used = strlen(keys);
		if (used < len)
			snprintf(keys + used, len - used, "%sinsecure",
				 n ? ", " : "");
		n++;
	}
	return n;
}
