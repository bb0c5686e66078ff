/* server.properties to facts, resolving what KafkaConfig resolves: the
 * default of an unset key, the broker's ids, roles and authorizer, its
 * log dirs and every TLS store it names.  Listeners are in
 * kafka_listeners.c, the reading of one value in kafka_cfg.c. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kafka_cfg.h"

static int secret_add(struct kafka_config *c, const char *label,
		      const char *path, unsigned line)
{
	struct kafka_secret_file *f;

	for (size_t i = 0; i < c->n_secret_files; i++)
		if (strcmp(c->secret_files[i].path, path) == 0)
			return 0;
	if (c->n_secret_files == KAFKA_SECRET_FILES_MAX)
		return -E2BIG;
	f = &c->secret_files[c->n_secret_files];
	if (strlen(label) >= sizeof f->key || strlen(path) >= sizeof f->path)
		return -ENAMETOOLONG;
	strcpy(f->key, label);
	strcpy(f->path, path);
	f->line = line;
	c->n_secret_files++;
	return 0;
}

int kafka_config_add_secret_file(struct kafka_config *c, const char *label,
				 const char *path)
{
	return secret_add(c, label, path, 0);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Every *ssl.keystore.location and *ssl.truststore.location, whatever its
 * prefix (listener.name.<l>., zookeeper.), each path once. */
static int cfg_secret_files(struct kafka_cfg *c)
{
	char path[KAFKA_PATH_MAX];
	int r;

	for (size_t i = 0; i < c->p->n; i++) {
		const struct props_entry *e = &c->p->v[i];

		if (!ends_with(e->key, "ssl.keystore.location") &&
		    !ends_with(e->key, "ssl.truststore.location"))
			continue;
		r = kafka_cfg_copy_span(c, e, e->value, strlen(e->value), path,
					sizeof path);
		if (r < 0)
			return r;
		if (path[0] == '\0')
			continue;
		r = secret_add(c->out, e->key, path, e->line);
		if (r < 0) {
			core_err_set(c->err, "%s:%u: %s: %s", c->name, e->line,
				   e->key,
				   r == -E2BIG ? "too many secret files"
					       : "key too long");
			return r;
		}
	}
	return 0;
}

static void cfg_authorizer(struct kafka_cfg *c)
{
	static const struct {
		const char *cls;
		enum kafka_authorizer kind;
	} known[] = {
	    {"kafka.security.auth.SimpleAclAuthorizer", KAFKA_AUTHZ_SIMPLE_ACL},
	    {"kafka.security.authorizer.AclAuthorizer", KAFKA_AUTHZ_ACL},
	    {"org.apache.kafka.metadata.authorizer.StandardAuthorizer",
	     KAFKA_AUTHZ_STANDARD},
	};
	struct kafka_config *o = c->out;

	o->authorizer_kind = KAFKA_AUTHZ_NONE;
	if (o->authorizer[0] == '\0')
		return;
	o->authorizer_kind = KAFKA_AUTHZ_OTHER;
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(o->authorizer, known[i].cls) == 0)
			o->authorizer_kind = known[i].kind;
}

/* An int key; -1 (generate one) and unset stay unknown. */
static int cfg_id(struct kafka_cfg *c, const char *key, struct hw_num *out)
{
	const struct props_entry *e = props_find(c->p, key);
	char buf[32];
	int64_t v;
	int r;

	out->known = false;
	if (e == NULL)
		return 0;
	r = kafka_cfg_copy_span(c, e, e->value, strlen(e->value), buf,
				sizeof buf);
	if (r < 0)
		return r;
	if (core_parse_i64(buf, &v) < 0 || v < -1 || v > 2147483647)
		kafka_cfg_invalid(c, e, "'%s' is not an id", buf);
	else if (v >= 0)
		*out = (struct hw_num){v, true};
	return 0;
}

/* A number key of the topic defaults in [min, max], scaled by unit (ms
 * per minute or hour); 0 when unset, 1 when read. */
static int cfg_num(struct kafka_cfg *c, const char *key, int64_t min,
		   int64_t unit, struct hw_num *out)
{
	const struct props_entry *e = props_find(c->p, key);
	char buf[32];
	int64_t v;
	int r;

	if (e == NULL)
		return 0;
	out->known = false;
	r = kafka_cfg_copy_span(c, e, e->value, strlen(e->value), buf,
				sizeof buf);
	if (r < 0)
		return r;
	if (core_parse_i64(buf, &v) < 0 || v < min ||
	    (v > 0 && v > INT64_MAX / unit)) {
		kafka_cfg_invalid(c, e, "'%s' is not a number of at least %lld",
				  buf, (long long)min);
		return 1;
	}
	/* -1 is unlimited in every unit. */
	*out = (struct hw_num){v < 0 ? v : v * unit, true};
	return 1;
}

/* The defaults a topic inherits.  The most precise retention key set
 * wins, as LogConfig reads them: ms, then minutes, then hours. */
static int cfg_topic_defaults(struct kafka_cfg *c)
{
	struct kafka_config *o = c->out;
	int r;

	o->min_isr = (struct hw_num){1, true};
	o->retention_bytes = (struct hw_num){-1, true};
	o->retention_ms = (struct hw_num){168LL * 3600 * 1000, true};
	if ((r = cfg_num(c, "min.insync.replicas", 1, 1, &o->min_isr)) < 0 ||
	    (r = cfg_num(c, "log.retention.bytes", -1, 1,
			 &o->retention_bytes)) < 0)
		return r;
	r = cfg_num(c, "log.retention.ms", -1, 1, &o->retention_ms);
	if (r == 0)
		r = cfg_num(c, "log.retention.minutes", -1, 60 * 1000,
			    &o->retention_ms);
	if (r == 0)
		r = cfg_num(c, "log.retention.hours", -1, 3600 * 1000,
			    &o->retention_ms);
	return r < 0 ? r : 0;
}

static int cfg_flags(struct kafka_cfg *c)
{
	struct kafka_config *o = c->out;
	const struct props_entry *e;
	char items[4][KAFKA_NAME_MAX];
	size_t n;
	int r;

	o->allow_everyone = (struct hw_num){0, true};
	e = props_find(c->p, "allow.everyone.if.no.acl.found");
	if (e != NULL) {
		char b[16] = "";

		kafka_cfg_copy_span(c, e, e->value, strlen(e->value), b,
				    sizeof b);
		if (strcasecmp(b, "true") == 0)
			o->allow_everyone.v = 1;
		else if (strcasecmp(b, "false") != 0) {
			o->allow_everyone.known = false;
			kafka_cfg_invalid(c, e, "'%.16s' is not true or false",
					  e->value);
		}
	}
	e = props_find(c->p, "process.roles");
	if (e == NULL)
		return 0;
	o->kraft = true;
	r = kafka_cfg_list(c, e, 4, KAFKA_NAME_MAX, items[0], &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(items[i], "broker") == 0)
			o->role_broker = true;
		else if (strcmp(items[i], "controller") == 0)
			o->role_controller = true;
		else
			kafka_cfg_invalid(c, e, "unknown role '%s'", items[i]);
	}
	return 0;
}

static int cfg_log_dirs(struct kafka_cfg *c)
{
	struct kafka_config *o = c->out;
	const struct props_entry *e = props_find(c->p, "log.dirs");

	if (e == NULL)
		e = props_find(c->p, "log.dir");
	if (e == NULL) {
		o->log_dirs_default = true;
		strcpy(o->log_dirs[0], "/tmp/kafka-logs");
		o->n_log_dirs = 1;
		return 0;
	}
	return kafka_cfg_list(c, e, KAFKA_LOG_DIRS_MAX, KAFKA_PATH_MAX,
			      o->log_dirs[0], &o->n_log_dirs);
}

int kafka_config_parse(const struct props *p, const char *name,
		       struct kafka_config *out, struct hw_err *err)
{
	struct kafka_cfg c = {p, name, out, err};
	const struct props_entry *e;
	int r;

	memset(out, 0, sizeof *out);
	r = cfg_log_dirs(&c);
	if (r == 0)
		r = kafka_cfg_listeners(&c);
	if (r == 0)
		r = kafka_cfg_protocol_map(&c);
	e = props_find(p, "advertised.listeners");
	if (r == 0 && e != NULL)
		r = kafka_cfg_endpoints(&c, e, out->advertised,
					sizeof out->advertised[0],
					&out->n_advertised);
	e = props_find(p, "sasl.enabled.mechanisms");
	if (r == 0 && e != NULL)
		r = kafka_cfg_list(&c, e, KAFKA_MECHS_MAX, KAFKA_NAME_MAX,
				   out->mechanisms[0], &out->n_mechanisms);
	else if (r == 0) {
		strcpy(out->mechanisms[0], "GSSAPI");
		out->n_mechanisms = 1;
	}
	if (r < 0)
		goto out_fail;
	/* Each cfg_str returns 1 when set; only negatives stop. */
	if ((r = kafka_cfg_str(&c, "sasl.mechanism.inter.broker.protocol",
			       out->inter_broker_mechanism, KAFKA_NAME_MAX,
			       "GSSAPI")) < 0 ||
	    (r = kafka_cfg_str(&c, "security.inter.broker.protocol",
			       out->inter_broker_protocol, KAFKA_NAME_MAX,
			       "PLAINTEXT")) < 0 ||
	    (r = kafka_cfg_str(&c, "inter.broker.listener.name",
			       out->inter_broker_listener, KAFKA_NAME_MAX,
			       "")) < 0 ||
	    (r = kafka_cfg_str(&c, "sasl.server.callback.handler.class",
			       out->oauth_server_handler, KAFKA_CLASS_MAX,
			       "")) < 0 ||
	    (r = kafka_cfg_str(&c, "sasl.login.callback.handler.class",
			       out->oauth_login_handler, KAFKA_CLASS_MAX, "")) <
		0 ||
	    (r = kafka_cfg_str(&c, "sasl.oauthbearer.jwks.endpoint.url",
			       out->oauth_jwks_url, KAFKA_CLASS_MAX, "")) < 0 ||
	    (r = kafka_cfg_str(&c, "authorizer.class.name", out->authorizer,
			       KAFKA_CLASS_MAX, "")) < 0 ||
	    (r = kafka_cfg_str(&c, "broker.rack", out->broker_rack,
			       KAFKA_NAME_MAX, "")) < 0 ||
	    (r = kafka_cfg_str(&c, "inter.broker.protocol.version",
			       out->inter_broker_protocol_version,
			       KAFKA_VERSION_MAX, "")) < 0 ||
	    (r = kafka_cfg_str(&c, "log.message.format.version",
			       out->log_message_format_version,
			       KAFKA_VERSION_MAX, "")) < 0 ||
	    (r = kafka_cfg_str(&c, "zookeeper.connect", out->zookeeper_connect,
			       KAFKA_VALUE_MAX, "")) < 0)
		goto out_fail;
	out->inline_jaas = props_find(p, "sasl.jaas.config") != NULL;
	cfg_authorizer(&c);
	if ((r = cfg_id(&c, "broker.id", &out->broker_id)) < 0 ||
	    (r = cfg_id(&c, "node.id", &out->node_id)) < 0 ||
	    (r = cfg_flags(&c)) < 0 || (r = cfg_topic_defaults(&c)) < 0)
		goto out_fail;
	for (size_t i = 0; i < out->n_listeners; i++) {
		r = kafka_cfg_listener_security(&c, &out->listeners[i]);
		if (r < 0)
			goto out_fail;
		if (out->listeners[i].ep.valid &&
		    out->listeners[i].protocol == KAFKA_PROTO_UNKNOWN)
			kafka_cfg_invalid(
			    &c, props_find(p, "listeners"),
			    "no security protocol for listener %s",
			    out->listeners[i].ep.name);
	}
	r = cfg_secret_files(&c);
	if (r < 0)
		goto out_fail;
	return 0;

out_fail:
	memset(out, 0, sizeof *out);
	return r;
}

int kafka_config_load(const char *root, const char *path,
		      struct kafka_config *out, struct hw_err *err)
{
	char full[4096];
	struct props p;
	int r;

	r = props_load_below(root, path, full, sizeof full, &p, err);
	if (r < 0)
		return r;
	r = kafka_config_parse(&p, full, out, err);
	props_free(&p);
	return r;
}
