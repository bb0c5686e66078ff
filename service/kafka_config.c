/* server.properties to facts, resolving what KafkaConfig resolves: the
 * default of an unset key, the listener name to its security protocol,
 * listener.name.<listener>.<key> over <key>.  Kafka trims every value and
 * splits lists on commas with blanks around them; so do we. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kafka_facts.h"

struct cfg {
	const struct props *p;
	const char *name; /* the file, for messages */
	struct kafka_config *out;
	struct hw_err *err;
};

static const char *const proto_names[] = {
    [KAFKA_PROTO_UNKNOWN] = "",
    [KAFKA_PROTO_PLAINTEXT] = "PLAINTEXT",
    [KAFKA_PROTO_SSL] = "SSL",
    [KAFKA_PROTO_SASL_PLAINTEXT] = "SASL_PLAINTEXT",
    [KAFKA_PROTO_SASL_SSL] = "SASL_SSL",
};

const char *kafka_protocol_name(enum kafka_protocol p)
{
	if ((size_t)p >= sizeof proto_names / sizeof proto_names[0])
		return "";
	return proto_names[p];
}

/* SecurityProtocol.forName upper-cases its argument. */
static enum kafka_protocol protocol_parse(const char *s)
{
	for (size_t i = 1; i < sizeof proto_names / sizeof proto_names[0]; i++)
		if (strcasecmp(s, proto_names[i]) == 0)
			return (enum kafka_protocol)i;
	return KAFKA_PROTO_UNKNOWN;
}

static void cfg_invalid(struct cfg *c, const struct props_entry *e,
			const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void cfg_invalid(struct cfg *c, const struct props_entry *e,
			const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	props_note_invalid(&c->out->n_invalid, c->out->invalid,
			   sizeof c->out->invalid, c->name, e, fmt, ap);
	va_end(ap);
}

/* Copies the trimmed span s[0..n) of entry e's value; -E2BIG if too long. */
static int cfg_copy_span(struct cfg *c, const struct props_entry *e,
			 const char *s, size_t n, char *dst, size_t cap)
{
	return props_copy_span(c->name, e, s, n, dst, cap, c->err);
}

/* The trimmed value of key into dst, or def when unset.  1 when set. */
static int cfg_str(struct cfg *c, const char *key, char *dst, size_t cap,
		   const char *def)
{
	const struct props_entry *e = props_find(c->p, key);
	int r;

	if (e == NULL) {
		snprintf(dst, cap, "%s", def);
		return 0;
	}
	r = cfg_copy_span(c, e, e->value, strlen(e->value), dst, cap);
	return r < 0 ? r : 1;
}

/* A comma-separated list into items[max][cap]; empty items are dropped as
 * CoreUtils.parseCsvList drops them. */
static int cfg_list(struct cfg *c, const struct props_entry *e, size_t max,
		    size_t cap, char *items, size_t *n)
{
	const char *s = e->value, *comma, *b;
	size_t len, bl;
	int r;

	*n = 0;
	for (;;) {
		comma = strchr(s, ',');
		len = comma ? (size_t)(comma - s) : strlen(s);
		props_trim_span(s, len, &b, &bl);
		if (bl > 0) {
			if (*n == max) {
				hw_err_set(c->err,
					   "%s:%u: %s: more than %zu items",
					   c->name, e->line, e->key, max);
				return -E2BIG;
			}
			r = cfg_copy_span(c, e, b, bl, items + *n * cap, cap);
			if (r < 0)
				return r;
			(*n)++;
		}
		if (comma == NULL)
			return 0;
		s = comma + 1;
	}
}

/*
 * EndPoint.createEndPoint matches ^(.*)://\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)
 * against the whole entry.  The host class has no '/', so the name ends
 * at the last "://"; the port is the digits after the last ':'.
 */
static void endpoint_parse(struct kafka_endpoint *ep)
{
	const char *t = ep->text, *sep = NULL, *p, *colon, *h, *he;
	int64_t port;

	ep->valid = false;
	for (p = strstr(t, "://"); p; p = strstr(p + 1, "://"))
		sep = p;
	if (sep == NULL || (size_t)(sep - t) >= sizeof ep->name)
		return;
	h = sep + 3;
	colon = strrchr(h, ':');
	if (colon == NULL || hw_parse_i64(colon + 1, &port) < 0 ||
	    !isdigit((unsigned char)colon[strlen(colon) - 1]) ||
	    strspn(colon + 1, "-0123456789") != strlen(colon + 1) || port < 0 ||
	    port > 65535)
		return;
	he = colon;
	if (*h == '[')
		h++;
	if (he > h && he[-1] == ']')
		he--;
	if ((size_t)(he - h) >= sizeof ep->host)
		return;
	for (p = h; p < he; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-%._:", *p))
			return;
	for (size_t i = 0; i < (size_t)(sep - t); i++)
		ep->name[i] = (char)toupper((unsigned char)t[i]);
	ep->name[sep - t] = '\0';
	memcpy(ep->host, h, (size_t)(he - h));
	ep->host[he - h] = '\0';
	ep->port.v = port;
	ep->port.known = true;
	ep->valid = true;
}

static int cfg_endpoints(struct cfg *c, const struct props_entry *e,
			 struct kafka_endpoint *eps, size_t stride, size_t *n)
{
	char items[KAFKA_LISTENERS_MAX][KAFKA_TEXT_MAX];
	int r;

	r = cfg_list(c, e, KAFKA_LISTENERS_MAX, KAFKA_TEXT_MAX, items[0], n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < *n; i++) {
		struct kafka_endpoint *ep =
		    (struct kafka_endpoint *)((char *)eps + i * stride);

		memcpy(ep->text, items[i], sizeof ep->text);
		endpoint_parse(ep);
		if (!ep->valid)
			cfg_invalid(c, e, "'%.64s' is not name://host:port",
				    ep->text);
	}
	return 0;
}

/* Without listeners= brokers before 3.0 listened on
 * PLAINTEXT://<host.name>:<port>; 3.0 dropped both keys and kept the same
 * default, PLAINTEXT://:9092. */
static int cfg_listeners(struct cfg *c)
{
	struct kafka_config *o = c->out;
	const struct props_entry *e = props_find(c->p, "listeners");
	char host[KAFKA_HOST_MAX], port[16];
	int r;

	if (e != NULL)
		return cfg_endpoints(c, e, &o->listeners[0].ep,
				     sizeof o->listeners[0], &o->n_listeners);
	o->listeners_default = true;
	r = cfg_str(c, "host.name", host, sizeof host, "");
	if (r >= 0)
		r = cfg_str(c, "port", port, sizeof port, "9092");
	if (r < 0)
		return r;
	snprintf(o->listeners[0].ep.text, sizeof o->listeners[0].ep.text,
		 "PLAINTEXT://%s:%s", host, port);
	endpoint_parse(&o->listeners[0].ep);
	o->n_listeners = 1;
	if (!o->listeners[0].ep.valid)
		cfg_invalid(c, props_find(c->p, "port"),
			    "'%.64s' is not a listener",
			    o->listeners[0].ep.text);
	return 0;
}

static bool is_ssl_or_sasl(const char *name)
{
	enum kafka_protocol p = protocol_parse(name);

	return p != KAFKA_PROTO_UNKNOWN && p != KAFKA_PROTO_PLAINTEXT;
}

/*
 * KafkaConfig.effectiveListenerSecurityProtocolMap: in KRaft mode with no
 * map set, controller listeners map to PLAINTEXT unless some listener or
 * controller listener is named after SSL or SASL_*.
 */
static void cfg_protocol_map_kraft(struct cfg *c)
{
	struct kafka_config *o = c->out;

	for (size_t i = 0; i < o->n_controller_listeners; i++)
		if (is_ssl_or_sasl(o->controller_listeners[i]))
			return;
	for (size_t i = 0; i < o->n_listeners; i++)
		if (is_ssl_or_sasl(o->listeners[i].ep.name))
			return;
	for (size_t i = 0; i < o->n_controller_listeners; i++) {
		struct kafka_protocol_map_entry *m;

		if (strcasecmp(o->controller_listeners[i], "PLAINTEXT") == 0 ||
		    o->n_protocol_map == KAFKA_LISTENERS_MAX)
			continue;
		m = &o->protocol_map[o->n_protocol_map++];
		for (size_t k = 0; k < sizeof m->name; k++)
			m->name[k] = (char)toupper(
			    (unsigned char)o->controller_listeners[i][k]);
		m->protocol = KAFKA_PROTO_PLAINTEXT;
	}
}

static int cfg_protocol_map(struct cfg *c)
{
	struct kafka_config *o = c->out;
	const struct props_entry *e;
	char items[KAFKA_LISTENERS_MAX][KAFKA_TEXT_MAX];
	size_t n;
	int r;

	e = props_find(c->p, "controller.listener.names");
	if (e != NULL) {
		r = cfg_list(c, e, 4, KAFKA_NAME_MAX,
			     o->controller_listeners[0],
			     &o->n_controller_listeners);
		if (r < 0)
			return r;
	}
	e = props_find(c->p, "listener.security.protocol.map");
	if (e == NULL) {
		o->protocol_map_default = true;
		for (size_t i = 1; i <= 4; i++) {
			snprintf(o->protocol_map[i - 1].name, KAFKA_NAME_MAX,
				 "%s", proto_names[i]);
			o->protocol_map[i - 1].protocol =
			    (enum kafka_protocol)i;
		}
		o->n_protocol_map = 4;
		if (props_find(c->p, "process.roles") != NULL)
			cfg_protocol_map_kraft(c);
		return 0;
	}
	r = cfg_list(c, e, KAFKA_LISTENERS_MAX, KAFKA_TEXT_MAX, items[0], &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct kafka_protocol_map_entry *m = &o->protocol_map[i];
		char *colon = strchr(items[i], ':');
		char *pb;
		const char *b;
		size_t bl;

		if (colon == NULL || strchr(colon + 1, ':') != NULL) {
			cfg_invalid(c, e, "'%.64s' is not name:protocol",
				    items[i]);
			continue;
		}
		if (cfg_copy_span(c, e, items[i], (size_t)(colon - items[i]),
				  m->name, sizeof m->name) < 0)
			return -E2BIG;
		/* Listener names are case-insensitive; the broker upper-cases. */
		for (size_t k = 0; m->name[k]; k++)
			m->name[k] = (char)toupper((unsigned char)m->name[k]);
		props_trim_span(colon + 1, strlen(colon + 1), &b, &bl);
		pb = colon + 1 + (b - (colon + 1));
		pb[bl] = '\0';
		m->protocol = protocol_parse(pb);
		if (m->protocol == KAFKA_PROTO_UNKNOWN)
			cfg_invalid(c, e, "'%.32s' is not a security protocol",
				    pb);
		o->n_protocol_map++;
	}
	return 0;
}

/* The first of listener.name.<l>.<mech>.<key>, listener.name.<l>.<key>
 * and <key> that is set; l and mech lower case, as Kafka builds them. */
static const struct props_entry *cfg_find_l(struct cfg *c, const char *l,
					    const char *mech, const char *key)
{
	const struct props_entry *e = NULL;
	char k[512];

	if (mech) {
		snprintf(k, sizeof k, "listener.name.%s.%s.%s", l, mech, key);
		e = props_find(c->p, k);
	}
	if (e == NULL) {
		snprintf(k, sizeof k, "listener.name.%s.%s", l, key);
		e = props_find(c->p, k);
	}
	return e ? e : props_find(c->p, key);
}

static int cfg_str_l(struct cfg *c, const char *l, const char *mech,
		     const char *key, char *dst, size_t cap)
{
	const struct props_entry *e = cfg_find_l(c, l, mech, key);

	dst[0] = '\0';
	if (e == NULL)
		return 0;
	return cfg_copy_span(c, e, e->value, strlen(e->value), dst, cap);
}

static void lower(char *dst, size_t cap, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < cap; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[i] = '\0';
}

static int cfg_listener_security(struct cfg *c, struct kafka_listener *li)
{
	struct kafka_config *o = c->out;
	const struct props_entry *e;
	char l[KAFKA_NAME_MAX], key[512], mech[KAFKA_NAME_MAX];
	int r = 0;

	for (size_t i = 0; i < o->n_protocol_map; i++)
		if (strcmp(o->protocol_map[i].name, li->ep.name) == 0)
			li->protocol = o->protocol_map[i].protocol;
	lower(l, sizeof l, li->ep.name);
	if (li->protocol == KAFKA_PROTO_SSL ||
	    li->protocol == KAFKA_PROTO_SASL_SSL) {
		r = cfg_str_l(c, l, NULL, "ssl.keystore.location", li->keystore,
			      sizeof li->keystore);
		if (r == 0)
			r = cfg_str_l(c, l, NULL, "ssl.truststore.location",
				      li->truststore, sizeof li->truststore);
		if (r < 0)
			return r;
	}
	if (li->protocol != KAFKA_PROTO_SASL_PLAINTEXT &&
	    li->protocol != KAFKA_PROTO_SASL_SSL)
		return 0;
	snprintf(key, sizeof key, "listener.name.%s.sasl.enabled.mechanisms",
		 l);
	e = props_find(c->p, key);
	if (e != NULL) {
		li->mechanisms_per_listener = true;
		r = cfg_list(c, e, KAFKA_MECHS_MAX, KAFKA_NAME_MAX,
			     li->mechanisms[0], &li->n_mechanisms);
		if (r < 0)
			return r;
	} else {
		memcpy(li->mechanisms, o->mechanisms, sizeof li->mechanisms);
		li->n_mechanisms = o->n_mechanisms;
	}
	for (size_t i = 0; i < li->n_mechanisms; i++) {
		lower(mech, sizeof mech, li->mechanisms[i]);
		if (cfg_find_l(c, l, mech, "sasl.jaas.config") != NULL)
			li->inline_jaas = true;
	}
	r = cfg_str_l(c, l, "oauthbearer", "sasl.server.callback.handler.class",
		      li->oauth_server_handler,
		      sizeof li->oauth_server_handler);
	if (r == 0)
		r = cfg_str_l(
		    c, l, "oauthbearer", "sasl.login.callback.handler.class",
		    li->oauth_login_handler, sizeof li->oauth_login_handler);
	if (r == 0)
		r = cfg_str_l(c, l, "oauthbearer",
			      "sasl.oauthbearer.jwks.endpoint.url",
			      li->oauth_jwks_url, sizeof li->oauth_jwks_url);
	return r;
}

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
static int cfg_secret_files(struct cfg *c)
{
	char path[KAFKA_PATH_MAX];
	int r;

	for (size_t i = 0; i < c->p->n; i++) {
		const struct props_entry *e = &c->p->v[i];

		if (!ends_with(e->key, "ssl.keystore.location") &&
		    !ends_with(e->key, "ssl.truststore.location"))
			continue;
		r = cfg_copy_span(c, e, e->value, strlen(e->value), path,
				  sizeof path);
		if (r < 0)
			return r;
		if (path[0] == '\0')
			continue;
		r = secret_add(c->out, e->key, path, e->line);
		if (r < 0) {
			hw_err_set(c->err, "%s:%u: %s: %s", c->name, e->line,
				   e->key,
				   r == -E2BIG ? "too many secret files"
					       : "key too long");
			return r;
		}
	}
	return 0;
}

static void cfg_authorizer(struct cfg *c)
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
static int cfg_id(struct cfg *c, const char *key, struct hw_num *out)
{
	const struct props_entry *e = props_find(c->p, key);
	char buf[32];
	int64_t v;
	int r;

	out->known = false;
	if (e == NULL)
		return 0;
	r = cfg_copy_span(c, e, e->value, strlen(e->value), buf, sizeof buf);
	if (r < 0)
		return r;
	if (hw_parse_i64(buf, &v) < 0 || v < -1 || v > 2147483647)
		cfg_invalid(c, e, "'%s' is not an id", buf);
	else if (v >= 0)
		*out = (struct hw_num){v, true};
	return 0;
}

static int cfg_flags(struct cfg *c)
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

		cfg_copy_span(c, e, e->value, strlen(e->value), b, sizeof b);
		if (strcasecmp(b, "true") == 0)
			o->allow_everyone.v = 1;
		else if (strcasecmp(b, "false") != 0) {
			o->allow_everyone.known = false;
			cfg_invalid(c, e, "'%.16s' is not true or false",
				    e->value);
		}
	}
	e = props_find(c->p, "process.roles");
	if (e == NULL)
		return 0;
	o->kraft = true;
	r = cfg_list(c, e, 4, KAFKA_NAME_MAX, items[0], &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(items[i], "broker") == 0)
			o->role_broker = true;
		else if (strcmp(items[i], "controller") == 0)
			o->role_controller = true;
		else
			cfg_invalid(c, e, "unknown role '%s'", items[i]);
	}
	return 0;
}

static int cfg_log_dirs(struct cfg *c)
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
	return cfg_list(c, e, KAFKA_LOG_DIRS_MAX, KAFKA_PATH_MAX,
			o->log_dirs[0], &o->n_log_dirs);
}

int kafka_config_parse(const struct props *p, const char *name,
		       struct kafka_config *out, struct hw_err *err)
{
	struct cfg c = {p, name, out, err};
	const struct props_entry *e;
	int r;

	memset(out, 0, sizeof *out);
	r = cfg_log_dirs(&c);
	if (r == 0)
		r = cfg_listeners(&c);
	if (r == 0)
		r = cfg_protocol_map(&c);
	e = props_find(p, "advertised.listeners");
	if (r == 0 && e != NULL)
		r = cfg_endpoints(&c, e, out->advertised,
				  sizeof out->advertised[0],
				  &out->n_advertised);
	e = props_find(p, "sasl.enabled.mechanisms");
	if (r == 0 && e != NULL)
		r = cfg_list(&c, e, KAFKA_MECHS_MAX, KAFKA_NAME_MAX,
			     out->mechanisms[0], &out->n_mechanisms);
	else if (r == 0) {
		strcpy(out->mechanisms[0], "GSSAPI");
		out->n_mechanisms = 1;
	}
	if (r < 0)
		goto out_fail;
	/* Each cfg_str returns 1 when set; only negatives stop. */
	if ((r = cfg_str(&c, "sasl.mechanism.inter.broker.protocol",
			 out->inter_broker_mechanism, KAFKA_NAME_MAX,
			 "GSSAPI")) < 0 ||
	    (r = cfg_str(&c, "security.inter.broker.protocol",
			 out->inter_broker_protocol, KAFKA_NAME_MAX,
			 "PLAINTEXT")) < 0 ||
	    (r = cfg_str(&c, "inter.broker.listener.name",
			 out->inter_broker_listener, KAFKA_NAME_MAX, "")) < 0 ||
	    (r = cfg_str(&c, "sasl.server.callback.handler.class",
			 out->oauth_server_handler, KAFKA_CLASS_MAX, "")) < 0 ||
	    (r = cfg_str(&c, "sasl.login.callback.handler.class",
			 out->oauth_login_handler, KAFKA_CLASS_MAX, "")) < 0 ||
	    (r = cfg_str(&c, "sasl.oauthbearer.jwks.endpoint.url",
			 out->oauth_jwks_url, KAFKA_CLASS_MAX, "")) < 0 ||
	    (r = cfg_str(&c, "authorizer.class.name", out->authorizer,
			 KAFKA_CLASS_MAX, "")) < 0 ||
	    (r = cfg_str(&c, "broker.rack", out->broker_rack, KAFKA_NAME_MAX,
			 "")) < 0 ||
	    (r = cfg_str(&c, "inter.broker.protocol.version",
			 out->inter_broker_protocol_version, KAFKA_VERSION_MAX,
			 "")) < 0 ||
	    (r = cfg_str(&c, "log.message.format.version",
			 out->log_message_format_version, KAFKA_VERSION_MAX,
			 "")) < 0 ||
	    (r = cfg_str(&c, "zookeeper.connect", out->zookeeper_connect,
			 KAFKA_VALUE_MAX, "")) < 0)
		goto out_fail;
	out->inline_jaas = props_find(p, "sasl.jaas.config") != NULL;
	cfg_authorizer(&c);
	if ((r = cfg_id(&c, "broker.id", &out->broker_id)) < 0 ||
	    (r = cfg_id(&c, "node.id", &out->node_id)) < 0 ||
	    (r = cfg_flags(&c)) < 0)
		goto out_fail;
	for (size_t i = 0; i < out->n_listeners; i++) {
		r = cfg_listener_security(&c, &out->listeners[i]);
		if (r < 0)
			goto out_fail;
		if (out->listeners[i].ep.valid &&
		    out->listeners[i].protocol == KAFKA_PROTO_UNKNOWN)
			cfg_invalid(&c, props_find(p, "listeners"),
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

const struct kafka_listener *kafka_config_listener(const struct kafka_config *c,
						   const char *name)
{
	for (size_t i = 0; i < c->n_listeners; i++)
		if (strcasecmp(c->listeners[i].ep.name, name) == 0)
			return &c->listeners[i];
	return NULL;
}
