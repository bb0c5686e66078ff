/* zoo.cfg to facts, following QuorumPeerConfig.parseProperties: values
 * are trimmed, numbers are Integer.parseInt, server.N values are parsed
 * as QuorumServer parses them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zk_facts.h"

struct zcfg {
	const struct props *p;
	const char *name;
	struct zk_config *out;
	struct hw_err *err;
	bool dynamic;
};

static void zcfg_invalid(struct zcfg *c, const struct props_entry *e,
			 const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void zcfg_invalid(struct zcfg *c, const struct props_entry *e,
			 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	props_note_invalid(&c->out->n_invalid, c->out->invalid,
			   sizeof c->out->invalid, c->name, e, fmt, ap);
	va_end(ap);
}

/* The value of e without Java's trim() blanks, into dst. */
static int zcfg_copy(struct zcfg *c, const struct props_entry *e, char *dst,
		     size_t cap)
{
	return props_copy_span(c->name, e, e->value, strlen(e->value), dst, cap,
			       c->err);
}

static int zcfg_str(struct zcfg *c, const char *key, char *dst, size_t cap)
{
	const struct props_entry *e = props_find(c->p, key);

	dst[0] = '\0';
	return e ? zcfg_copy(c, e, dst, cap) : 0;
}

/* Integer.parseInt within [lo, hi]; unset or invalid stays unknown. */
static int zcfg_int(struct zcfg *c, const char *key, int64_t lo, int64_t hi,
		    struct hw_num *out)
{
	const struct props_entry *e = props_find(c->p, key);
	char buf[32];
	int64_t v;
	int r;

	out->known = false;
	if (e == NULL)
		return 0;
	r = zcfg_copy(c, e, buf, sizeof buf);
	if (r == -E2BIG) {
		zcfg_invalid(c, e, "'%.32s' is not a number", e->value);
		return 0;
	}
	if (core_parse_i64(buf, &v) < 0 || v < lo || v > hi) {
		zcfg_invalid(c, e, "'%s' is not a number in [%lld, %lld]", buf,
			     (long long)lo, (long long)hi);
		return 0;
	}
	*out = (struct hw_num){v, true};
	return 0;
}

static bool port_parse(const char *s, struct hw_num *out)
{
	int64_t v;

	if (core_parse_i64(s, &v) < 0 || v < 0 || v > 65535 ||
	    strspn(s, "+0123456789") != strlen(s))
		return false;
	*out = (struct hw_num){v, true};
	return true;
}

/*
 * ConfigUtils.getHostAndPort: "[v6]:a:b" keeps the bracketed host whole,
 * otherwise every ':' separates.  Writes the host and up to max further
 * parts (each at most 15 bytes); false when malformed.
 */
static bool host_and_parts(char *s, char *host, size_t hcap, char **parts,
			   size_t max, size_t *n)
{
	char *rest, *tok, *save = NULL;
	size_t hl;

	*n = 0;
	if (s[0] == '[') {
		char *close = strchr(s, ']');

		if (close == NULL || (close[1] != ':' && close[1] != '\0'))
			return false;
		hl = (size_t)(close - s - 1);
		if (hl >= hcap)
			return false;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		rest = close[1] ? close + 2 : close + 1;
	} else {
		rest = strchr(s, ':');
		hl = rest ? (size_t)(rest - s) : strlen(s);
		if (hl >= hcap)
			return false;
		memcpy(host, s, hl);
		host[hl] = '\0';
		rest = rest ? rest + 1 : s + hl;
	}
	if (*rest == '\0')
		return true;
	/* "h::1" has an empty part: Java's split keeps it, parseInt fails. */
	if (rest[0] == ':' || rest[strlen(rest) - 1] == ':' ||
	    strstr(rest, "::") != NULL)
		return false;
	for (tok = strtok_r(rest, ":", &save); tok;
	     tok = strtok_r(NULL, ":", &save)) {
		if (*n == max || strlen(tok) > 15)
			return false;
		parts[(*n)++] = tok;
	}
	return true;
}

bool zk_server_parse(const char *value, struct zk_server *s)
{
	char buf[ZK_TEXT_MAX], host[ZK_HOST_MAX], *semi, *bar, *parts[4];
	size_t n;

	s->valid = false;
	snprintf(s->text, sizeof s->text, "%s", value);
	snprintf(buf, sizeof buf, "%s", value);
	semi = strchr(buf, ';');
	if (semi) {
		*semi++ = '\0';
		if (strchr(semi, ';'))
			return false;
		if (!host_and_parts(semi, host, sizeof host, parts, 1, &n))
			return false;
		/* "2181" alone is a port; "addr:2181" an address and port. */
		if (n == 0) {
			if (!port_parse(host, &s->client_port))
				return false;
		} else {
			snprintf(s->client_address, sizeof s->client_address,
				 "%s", host);
			if (!port_parse(parts[0], &s->client_port))
				return false;
		}
	}
	s->n_addresses = 1;
	for (bar = strchr(buf, '|'); bar; bar = strchr(bar + 1, '|')) {
		s->n_addresses++;
		*bar = '\0'; /* facts describe the first address */
	}
	if (!host_and_parts(buf, s->host, sizeof s->host, parts, 3, &n) ||
	    n < 2 || s->host[0] == '\0')
		return false;
	if (!port_parse(parts[0], &s->peer_port) ||
	    !port_parse(parts[1], &s->election_port))
		return false;
	if (n == 3) {
		if (strcasecmp(parts[2], "observer") == 0)
			s->observer = true;
		else if (strcasecmp(parts[2], "participant") != 0)
			return false;
	}
	s->valid = true;
	return true;
}

static int zcfg_servers(struct zcfg *c)
{
	struct zk_config *o = c->out;
	char value[ZK_TEXT_MAX];
	int64_t id;
	int r;

	for (size_t i = 0; i < c->p->n; i++) {
		const struct props_entry *e = &c->p->v[i];
		struct zk_server *s;

		if (strncmp(e->key, "server.", 7) != 0)
			continue;
		if (o->n_servers == ZK_SERVERS_MAX) {
			core_err_set(c->err, "%s:%u: more than %d servers",
				   c->name, e->line, ZK_SERVERS_MAX);
			return -E2BIG;
		}
		r = zcfg_copy(c, e, value, sizeof value);
		if (r < 0)
			return r;
		s = &o->servers[o->n_servers];
		memset(s, 0, sizeof *s);
		s->line = e->line;
		s->from_dynamic = c->dynamic;
		if (core_parse_i64(e->key + 7, &id) < 0 || e->key[7] == ' ') {
			zcfg_invalid(c, e, "'%s' is not a server id",
				     e->key + 7);
			continue;
		}
		s->id = id;
		if (!zk_server_parse(value, s))
			zcfg_invalid(c, e,
				     "'%.64s' is not "
				     "host:port:port[:type][;[addr:]port]",
				     value);
		o->n_servers++;
	}
	return 0;
}

static int zcfg_four_lw(struct zcfg *c)
{
	const struct props_entry *e =
	    props_find(c->p, "4lw.commands.whitelist");
	struct zk_config *o = c->out;
	char buf[1024], *tok, *save = NULL;
	int r;

	if (e == NULL)
		return 0;
	o->four_lw_set = true;
	r = zcfg_copy(c, e, buf, sizeof buf);
	if (r < 0)
		return r;
	for (tok = strtok_r(buf, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		if (o->n_four_lw == ZK_4LW_MAX || strlen(tok) >= 16) {
			core_err_set(c->err,
				   "%s:%u: %s: more than %d commands "
				   "or one over 15 bytes",
				   c->name, e->line, e->key, ZK_4LW_MAX);
			return -E2BIG;
		}
		strcpy(o->four_lw[o->n_four_lw++], tok);
	}
	return 0;
}

int zk_config_parse(const struct props *p, const char *name,
		    struct zk_config *out, struct hw_err *err)
{
	struct zcfg c = {p, name, out, err, false};
	int r;

	memset(out, 0, sizeof *out);
	if ((r = zcfg_str(&c, "dataDir", out->data_dir, ZK_PATH_MAX)) < 0 ||
	    (r = zcfg_str(&c, "dataLogDir", out->data_log_dir, ZK_PATH_MAX)) <
		0 ||
	    (r = zcfg_str(&c, "clientPortAddress", out->client_port_address,
			  ZK_HOST_MAX)) < 0 ||
	    (r = zcfg_str(&c, "dynamicConfigFile", out->dynamic_config_file,
			  ZK_PATH_MAX)) < 0 ||
	    (r = zcfg_int(&c, "clientPort", 0, 65535, &out->client_port)) < 0 ||
	    (r = zcfg_int(&c, "secureClientPort", 0, 65535,
			  &out->secure_client_port)) < 0 ||
	    (r = zcfg_int(&c, "tickTime", 1, INT32_MAX, &out->tick_time)) < 0 ||
	    (r = zcfg_int(&c, "initLimit", 1, INT32_MAX, &out->init_limit)) <
		0 ||
	    (r = zcfg_int(&c, "syncLimit", 1, INT32_MAX, &out->sync_limit)) <
		0 ||
	    /* Not a QuorumPeerConfig key: it becomes the system property
	     * zookeeper.fsync.warningthresholdms, which FileTxnLog reads. */
	    (r = zcfg_int(&c, "fsync.warningthresholdms", 0, INT64_MAX,
			  &out->fsync_warning_ms)) < 0 ||
	    (r = zcfg_four_lw(&c)) < 0 || (r = zcfg_servers(&c)) < 0) {
		memset(out, 0, sizeof *out);
		return r;
	}
	/* QuorumPeerConfig takes a client port of 0 as "not set" and opens
	 * no listener for it: unknown, not a port 0 to probe. */
	if (out->client_port.known && out->client_port.v == 0)
		out->client_port.known = false;
	if (out->secure_client_port.known && out->secure_client_port.v == 0)
		out->secure_client_port.known = false;
	if (out->data_log_dir[0] == '\0') {
		out->data_log_dir_default = true;
		memcpy(out->data_log_dir, out->data_dir, sizeof out->data_dir);
	}
	return 0;
}

/* Servers of a dynamic configuration file (ZooKeeper 3.5 reconfig),
 * appended to those of the main file. */
static int zk_dynamic_load(const char *root, struct zk_config *out,
			   struct hw_err *err)
{
	char full[4096];
	struct props p;
	struct zcfg c = {&p, full, out, err, true};
	int r;

	r = props_load_below(root, out->dynamic_config_file, full, sizeof full,
			     &p, err);
	if (r < 0)
		return r;
	r = zcfg_servers(&c);
	props_free(&p);
	return r;
}

int zk_config_load(const char *root, const char *path, struct zk_config *out,
		   struct hw_err *err)
{
	char full[4096];
	struct props p;
	int r;

	r = props_load_below(root, path, full, sizeof full, &p, err);
	if (r < 0)
		return r;
	r = zk_config_parse(&p, full, out, err);
	props_free(&p);
	if (r == 0 && out->dynamic_config_file[0] != '\0') {
		r = zk_dynamic_load(root, out, err);
		if (r < 0)
			memset(out, 0, sizeof *out);
	}
	return r;
}
