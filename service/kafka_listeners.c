/* The listeners of server.properties, resolved as KafkaConfig resolves
 * them: listeners= or its default, the listener name to its security
 * protocol (listener.security.protocol.map, or the default map and its
 * KRaft variant), and listener.name.<listener>.<key> over <key> for each
 * listener's TLS stores and SASL settings. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kafka_cfg.h"

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
	if (colon == NULL || core_parse_i64(colon + 1, &port) < 0 ||
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

int kafka_cfg_endpoints(struct kafka_cfg *c, const struct props_entry *e,
			struct kafka_endpoint *eps, size_t stride, size_t *n)
{
	char items[KAFKA_LISTENERS_MAX][KAFKA_TEXT_MAX];
	int r;

	r = kafka_cfg_list(c, e, KAFKA_LISTENERS_MAX, KAFKA_TEXT_MAX, items[0],
			   n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < *n; i++) {
		struct kafka_endpoint *ep =
		    (struct kafka_endpoint *)((char *)eps + i * stride);

		memcpy(ep->text, items[i], sizeof ep->text);
		endpoint_parse(ep);
		if (!ep->valid)
			kafka_cfg_invalid(
			    c, e, "'%.64s' is not name://host:port", ep->text);
	}
	return 0;
}

/* Without listeners= brokers before 3.0 listened on
 * PLAINTEXT://<host.name>:<port>; 3.0 dropped both keys and kept the same
 * default, PLAINTEXT://:9092. */
int kafka_cfg_listeners(struct kafka_cfg *c)
{
	struct kafka_config *o = c->out;
	const struct props_entry *e = props_find(c->p, "listeners");
	char host[KAFKA_HOST_MAX], port[16];
	int r;

	if (e != NULL)
		return kafka_cfg_endpoints(c, e, &o->listeners[0].ep,
					   sizeof o->listeners[0],
					   &o->n_listeners);
	o->listeners_default = true;
	r = kafka_cfg_str(c, "host.name", host, sizeof host, "");
	if (r >= 0)
		r = kafka_cfg_str(c, "port", port, sizeof port, "9092");
	if (r < 0)
		return r;
	snprintf(o->listeners[0].ep.text, sizeof o->listeners[0].ep.text,
		 "PLAINTEXT://%s:%s", host, port);
	endpoint_parse(&o->listeners[0].ep);
	o->n_listeners = 1;
	if (!o->listeners[0].ep.valid)
		kafka_cfg_invalid(c, props_find(c->p, "port"),
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
static void cfg_protocol_map_kraft(struct kafka_cfg *c)
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

int kafka_cfg_protocol_map(struct kafka_cfg *c)
{
	struct kafka_config *o = c->out;
	const struct props_entry *e;
	char items[KAFKA_LISTENERS_MAX][KAFKA_TEXT_MAX];
	size_t n;
	int r;

	e = props_find(c->p, "controller.listener.names");
	if (e != NULL) {
		r = kafka_cfg_list(c, e, 4, KAFKA_NAME_MAX,
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
	r = kafka_cfg_list(c, e, KAFKA_LISTENERS_MAX, KAFKA_TEXT_MAX, items[0],
			   &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct kafka_protocol_map_entry *m = &o->protocol_map[i];
		char *colon = strchr(items[i], ':');
		char *pb;
		const char *b;
		size_t bl;

		if (colon == NULL || strchr(colon + 1, ':') != NULL) {
			kafka_cfg_invalid(c, e, "'%.64s' is not name:protocol",
					  items[i]);
			continue;
		}
		if (kafka_cfg_copy_span(c, e, items[i],
					(size_t)(colon - items[i]), m->name,
					sizeof m->name) < 0)
			return -E2BIG;
		/* Listener names are case-insensitive; the broker upper-cases.
		 */
		for (size_t k = 0; m->name[k]; k++)
			m->name[k] = (char)toupper((unsigned char)m->name[k]);
		props_trim_span(colon + 1, strlen(colon + 1), &b, &bl);
		pb = colon + 1 + (b - (colon + 1));
		pb[bl] = '\0';
		m->protocol = protocol_parse(pb);
		if (m->protocol == KAFKA_PROTO_UNKNOWN)
			kafka_cfg_invalid(
			    c, e, "'%.32s' is not a security protocol", pb);
		o->n_protocol_map++;
	}
	return 0;
}

/* The first of listener.name.<l>.<mech>.<key>, listener.name.<l>.<key>
 * and <key> that is set; l and mech lower case, as Kafka builds them. */
static const struct props_entry *cfg_find_l(struct kafka_cfg *c, const char *l,
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

static int cfg_str_l(struct kafka_cfg *c, const char *l, const char *mech,
		     const char *key, char *dst, size_t cap)
{
	const struct props_entry *e = cfg_find_l(c, l, mech, key);

	dst[0] = '\0';
	if (e == NULL)
		return 0;
	return kafka_cfg_copy_span(c, e, e->value, strlen(e->value), dst, cap);
}

static void lower(char *dst, size_t cap, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < cap; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[i] = '\0';
}

int kafka_cfg_listener_security(struct kafka_cfg *c, struct kafka_listener *li)
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
		r = kafka_cfg_list(c, e, KAFKA_MECHS_MAX, KAFKA_NAME_MAX,
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

const struct kafka_listener *kafka_config_listener(const struct kafka_config *c,
						   const char *name)
{
	for (size_t i = 0; i < c->n_listeners; i++)
		if (strcasecmp(c->listeners[i].ep.name, name) == 0)
			return &c->listeners[i];
	return NULL;
}
