/* kafka.security.* — the note's three parts of a broker's security:
 * encryption (listener protocols), authentication (SASL mechanisms, their
 * handlers and the release that brought them) and authorization (the
 * authorizer and its fallback), plus who can read the key files.  Every
 * check judges the configuration as the broker resolves it (kafka_config.c):
 * per-listener mechanisms and handlers, protocol map, defaults. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "checks.h"

#define ENCRYPTION     "kafka.security.encryption"
#define SASL_VERSION   "kafka.security.sasl_version"
#define PLAIN_CLEAR    "kafka.security.plain_cleartext"
#define OAUTHBEARER    "kafka.security.oauthbearer"
#define SCRAM	       "kafka.security.scram"
#define AUTHORIZER     "kafka.security.authorizer"
#define ALLOW_EVERYONE "kafka.security.allow_everyone"
#define SECRET_FILES   "kafka.security.secret_files"

/* The release that brought each mechanism (KIP-43 PLAIN, KIP-84 SCRAM,
 * KIP-255 OAUTHBEARER, KIP-768 OIDC through a JWKS endpoint). */
static const struct {
	const char *mech;
	const char *since;
} mech_since[] = {
    {"GSSAPI", "0.9.0"},	 {"PLAIN", "0.10.0"},
    {"SCRAM-SHA-256", "0.10.2"}, {"SCRAM-SHA-512", "0.10.2"},
    {"OAUTHBEARER", "2.0.0"},
};
#define OIDC_SINCE "3.1.0"

/* The built-in handler that accepts unsigned tokens, "not suitable for
 * production" in Kafka's docs; matched by class name, whatever package a
 * release moved it to. */
#define OAUTH_UNSECURED_VALIDATOR "OAuthBearerUnsecuredValidatorCallbackHandler"

/* Without a configuration no security check can judge: each says so. */
static int no_config(const struct facts *f, const char *id,
		     struct check_results *out)
{
	if (f->kafka)
		return 0;
	check_add(out, id, NULL, SEV_UNKNOWN, "", "", "%s", f->kafka_error);
	return 1;
}

static int is_sasl(const struct kafka_listener *l)
{
	return l->protocol == KAFKA_PROTO_SASL_PLAINTEXT ||
	       l->protocol == KAFKA_PROTO_SASL_SSL;
}

static int has_mech(const struct kafka_listener *l, const char *mech)
{
	size_t i;

	for (i = 0; i < l->n_mechanisms; i++)
		if (strcasecmp(l->mechanisms[i], mech) == 0)
			return 1;
	return 0;
}

/* 127.0.0.0/8, ::1 and localhost reach no other host. */
static int is_loopback(const char *host)
{
	return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
	       strcasecmp(host, "localhost") == 0;
}

static const char *listener_name(const struct kafka_listener *l)
{
	return l->ep.valid ? l->ep.name : l->ep.text;
}

static void check_encryption(const struct facts *f, struct check_results *out)
{
	const char *req = "SSL or SASL_SSL";
	size_t i;

	if (no_config(f, ENCRYPTION, out))
		return;
	for (i = 0; i < f->kafka->n_listeners; i++) {
		const struct kafka_listener *l = &f->kafka->listeners[i];
		const char *proto = kafka_protocol_name(l->protocol);
		const char *host = l->ep.host[0] ? l->ep.host : "all addresses";
		char m[96];

		if (!l->ep.valid) {
			check_add(out, ENCRYPTION, listener_name(l),
				  SEV_UNKNOWN, "", req,
				  "listener '%s' is not name://host:port; the "
				  "broker refuses it",
				  l->ep.text);
			continue;
		}
		if (l->protocol == KAFKA_PROTO_UNKNOWN) {
			check_add(out, ENCRYPTION, l->ep.name, SEV_UNKNOWN, "",
				  req,
				  "listener.security.protocol.map gives no "
				  "protocol for %s",
				  l->ep.name);
			continue;
		}
		snprintf(m, sizeof m, "%s on %s", proto, host);
		if (l->protocol == KAFKA_PROTO_SSL ||
		    l->protocol == KAFKA_PROTO_SASL_SSL)
			check_add(out, ENCRYPTION, l->ep.name, SEV_PASS, m, req,
				  "traffic on %s is encrypted with TLS",
				  l->ep.name);
		else if (is_loopback(l->ep.host))
			check_add(
			    out, ENCRYPTION, l->ep.name, SEV_PASS, m, req,
			    "cleartext, but reachable from this host only");
		else
			check_add(out, ENCRYPTION, l->ep.name, SEV_WARN, m, req,
				  "%s sends records%s in clear text over the "
				  "network; move clients to an SSL or SASL_SSL "
				  "listener",
				  proto,
				  l->protocol == KAFKA_PROTO_SASL_PLAINTEXT
				      ? " and SASL exchanges"
				      : "");
	}
}

/* Why the installed version is unknown, from what the probe recorded. */
static void install_unknown_why(const struct facts *f, char *buf, size_t len)
{
	const struct kafka_install *in = &f->kafka_install;
	size_t i, n;

	if (f->kafka_install_error[0]) {
		snprintf(buf, len, "installed version unknown: %s",
			 f->kafka_install_error);
		return;
	}
	if (!in->conflict) {
		snprintf(
		    buf, len,
		    "installed version unknown: no kafka_<scala>-<version>.jar "
		    "or kafka-clients-<version>.jar in the installation's "
		    "libs/");
		return;
	}
	n = (size_t)snprintf(
	    buf, len,
	    "installed version unknown: libs/ holds jars of several versions:");
	for (i = 0; i < in->n_versions && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s %s", i ? "," : "",
				      in->versions[i]);
}

static void sasl_version_one(const struct facts *f,
			     const struct kafka_listener *l, const char *mech,
			     struct check_results *out)
{
	const char *installed = f->kafka_install.version, *since = NULL;
	char inst[64], req[48], why[256];
	int oidc = 0;
	size_t i;

	snprintf(inst, sizeof inst, "%s %s", l->ep.name, mech);
	for (i = 0; i < sizeof mech_since / sizeof mech_since[0]; i++)
		if (strcasecmp(mech, mech_since[i].mech) == 0)
			since = mech_since[i].since;
	if (since == NULL) {
		check_add(out, SASL_VERSION, inst, SEV_UNKNOWN, "", "",
			  "%s is not a mechanism Kafka ships; its provider "
			  "sets the version it needs",
			  mech);
		return;
	}
	if (strcasecmp(mech, "OAUTHBEARER") == 0 && l->oauth_jwks_url[0]) {
		since = OIDC_SINCE;
		oidc = 1;
	}
	snprintf(req, sizeof req, ">= %s%s", since, oidc ? " (OIDC)" : "");
	if (installed[0] == '\0') {
		install_unknown_why(f, why, sizeof why);
		check_add(out, SASL_VERSION, inst, SEV_UNKNOWN, "", req, "%s",
			  why);
		return;
	}
	if (kafka_version_cmp(installed, since) < 0)
		check_add(
		    out, SASL_VERSION, inst, SEV_FAIL, installed, req,
		    "Kafka %s does not know %s%s (it came with %s): the broker "
		    "will not start; upgrade or choose another mechanism",
		    installed, mech, oidc ? " with a JWKS endpoint (OIDC)" : "",
		    since);
	else
		check_add(out, SASL_VERSION, inst, SEV_PASS, installed, req,
			  "%s%s is available since Kafka %s", mech,
			  oidc ? " with a JWKS endpoint (OIDC)" : "", since);
}

static void check_sasl_version(const struct facts *f, struct check_results *out)
{
	size_t i, j, n = 0;

	if (no_config(f, SASL_VERSION, out))
		return;
	for (i = 0; i < f->kafka->n_listeners; i++) {
		const struct kafka_listener *l = &f->kafka->listeners[i];

		if (!is_sasl(l))
			continue;
		for (j = 0; j < l->n_mechanisms; j++, n++)
			sasl_version_one(f, l, l->mechanisms[j], out);
	}
	if (n == 0)
		check_add(out, SASL_VERSION, NULL, SEV_PASS, "no SASL listener",
			  "", "no SASL mechanism is enabled on any listener");
}

static void check_plain_cleartext(const struct facts *f,
				  struct check_results *out)
{
	size_t i, n = 0;

	if (no_config(f, PLAIN_CLEAR, out))
		return;
	for (i = 0; i < f->kafka->n_listeners; i++) {
		const struct kafka_listener *l = &f->kafka->listeners[i];

		if (l->protocol != KAFKA_PROTO_SASL_PLAINTEXT ||
		    !has_mech(l, "PLAIN"))
			continue;
		n++;
		check_add(
		    out, PLAIN_CLEAR, l->ep.name, SEV_FAIL,
		    "PLAIN on SASL_PLAINTEXT", "PLAIN on SASL_SSL only",
		    "PLAIN sends user names and passwords as text: anyone on "
		    "the path to %s can read them; use SASL_SSL or SCRAM",
		    l->ep.name);
	}
	if (n == 0)
		check_add(out, PLAIN_CLEAR, NULL, SEV_PASS,
			  "no PLAIN on SASL_PLAINTEXT",
			  "PLAIN on SASL_SSL only",
			  "no listener accepts PLAIN passwords without TLS");
}

/*
 * The broker picks the validator from sasl.server.callback.handler.class
 * alone (SaslChannelBuilder): unset, it is the unsecured one whatever
 * else is set, so a JWKS URL without the class still accepts unsigned
 * tokens.
 */
static void check_oauthbearer(const struct facts *f, struct check_results *out)
{
	const char *req = "a validator callback handler";
	size_t i, n = 0;

	if (no_config(f, OAUTHBEARER, out))
		return;
	for (i = 0; i < f->kafka->n_listeners; i++) {
		const struct kafka_listener *l = &f->kafka->listeners[i];
		const char *h = l->oauth_server_handler;
		const char *cls;

		if (!is_sasl(l) || !has_mech(l, "OAUTHBEARER"))
			continue;
		n++;
		cls = strrchr(h, '.');
		cls = cls ? cls + 1 : h;
		if (h[0] && strcmp(cls, OAUTH_UNSECURED_VALIDATOR) != 0) {
			check_add(out, OAUTHBEARER, l->ep.name, SEV_PASS, cls,
				  req, "tokens are validated by %s%s%s", h,
				  l->oauth_jwks_url[0] ? " against " : "",
				  l->oauth_jwks_url);
		} else {
			check_add(out, OAUTHBEARER, l->ep.name, SEV_FAIL,
				  "unsecured built-in handler", req,
				  "%s accepts unsigned tokens (the built-in "
				  "handler is for testing only)%s; set "
				  "listener.name.%s.oauthbearer.sasl.server."
				  "callback.handler.class to a validator",
				  l->ep.name,
				  l->oauth_jwks_url[0]
				      ? ": the JWKS URL is ignored without a "
					"validator class"
				      : "",
				  l->ep.name);
		}
	}
	if (n == 0)
		check_add(out, OAUTHBEARER, NULL, SEV_PASS,
			  "OAUTHBEARER not enabled", req,
			  "no listener accepts OAUTHBEARER");
}

/*
 * The note recommends SCRAM where there is no Kerberos.  Decided here:
 * pass when some listener authenticates with SCRAM-SHA-* or GSSAPI
 * (Kerberos), info otherwise — SASL with only PLAIN or OAUTHBEARER, or
 * no SASL at all.  Info only: it never changes the verdict.
 */
static void check_scram(const struct facts *f, struct check_results *out)
{
	char used[96] = "";
	size_t i, j, n = 0;
	int scram = 0, kerberos = 0;

	if (no_config(f, SCRAM, out))
		return;
	for (i = 0; i < f->kafka->n_listeners; i++) {
		const struct kafka_listener *l = &f->kafka->listeners[i];

		if (!is_sasl(l))
			continue;
		for (j = 0; j < l->n_mechanisms; j++) {
			const char *m = l->mechanisms[j];

			scram |= strncasecmp(m, "SCRAM-SHA-", 10) == 0;
			kerberos |= strcasecmp(m, "GSSAPI") == 0;
			if (strstr(used, m) == NULL)
				n += (size_t)snprintf(used + n, sizeof used - n,
						      "%s%s", n ? ", " : "", m);
			if (n >= sizeof used)
				n = sizeof used - 1;
		}
	}
	if (used[0] == '\0')
		snprintf(used, sizeof used, "no SASL listener");
	if (scram || kerberos)
		check_add(out, SCRAM, NULL, SEV_PASS, used, "SCRAM or Kerberos",
			  "clients authenticate with %s",
			  scram ? "SCRAM" : "Kerberos (GSSAPI)");
	else
		check_add(out, SCRAM, NULL, SEV_INFO, used, "SCRAM or Kerberos",
			  "without Kerberos, SCRAM-SHA-512 is the recommended "
			  "mechanism: salted hashes, no password on the wire");
}

static void check_authorizer(const struct facts *f, struct check_results *out)
{
	const char *a;

	if (no_config(f, AUTHORIZER, out))
		return;
	a = f->kafka->authorizer;
	if (a[0] == '\0')
		check_add(out, AUTHORIZER, NULL, SEV_WARN, "none",
			  "authorizer.class.name set",
			  "no authorizer.class.name: no ACLs are enforced, "
			  "every authenticated client may do everything");
	else
		check_add(out, AUTHORIZER, NULL, SEV_PASS, a,
			  "authorizer.class.name set",
			  "ACLs are enforced by %s", a);
}

static void check_allow_everyone(const struct facts *f,
				 struct check_results *out)
{
	const struct hw_num *v;

	if (no_config(f, ALLOW_EVERYONE, out))
		return;
	v = &f->kafka->allow_everyone;
	if (!v->known)
		check_add(out, ALLOW_EVERYONE, NULL, SEV_UNKNOWN, "", "false",
			  "allow.everyone.if.no.acl.found is neither true nor "
			  "false: %s",
			  f->kafka->invalid);
	else if (v->v)
		check_add(out, ALLOW_EVERYONE, NULL, SEV_WARN, "true", "false",
			  "allow.everyone.if.no.acl.found=true: a resource "
			  "without ACLs is open to every user; set it to false "
			  "and grant access by ACL");
	else
		check_add(out, ALLOW_EVERYONE, NULL, SEV_PASS, "false", "false",
			  "a resource without ACLs is denied");
}

static void secret_file_one(const struct facts *f,
			    const struct kafka_secret_file *s,
			    struct check_results *out)
{
	const char *req = "not readable by others";
	char path[PATH_MAX], m[32];
	struct stat st;
	int e;

	if (core_path(path, sizeof path, f->root, "%s", s->path) < 0) {
		check_add(out, SECRET_FILES, s->path, SEV_UNKNOWN, "", req,
			  "%s (%s): path too long", s->path, s->key);
		return;
	}
	if (stat(path, &st) < 0) {
		e = errno;
		check_add(out, SECRET_FILES, s->path, SEV_UNKNOWN, "", req,
			  "%s named by %s: %s", s->path, s->key, strerror(e));
		return;
	}
	snprintf(m, sizeof m, "mode %04o", (unsigned)(st.st_mode & 07777));
	if (st.st_mode & S_IROTH)
		check_add(out, SECRET_FILES, s->path, SEV_FAIL, m, req,
			  "%s (%s) is readable by every user of this host; "
			  "chmod o-rwx it",
			  s->path, s->key);
	else
		check_add(out, SECRET_FILES, s->path, SEV_PASS, m, req,
			  "%s (%s)", s->path, s->key);
}

static void check_secret_files(const struct facts *f, struct check_results *out)
{
	const struct kafka_config *k;
	int jaas_file = 0;
	size_t i;

	if (no_config(f, SECRET_FILES, out))
		return;
	k = f->kafka;
	for (i = 0; i < k->n_secret_files; i++)
		secret_file_one(f, &k->secret_files[i], out);
	/* A SASL listener without sasl.jaas.config reads the JAAS file the
	 * JVM was given, which only [kafka] jaas tells us. */
	for (i = 0; i < k->n_listeners; i++)
		jaas_file |=
		    is_sasl(&k->listeners[i]) && !k->listeners[i].inline_jaas;
	if (jaas_file && f->conf.kafka_jaas[0] == '\0')
		check_add(
		    out, SECRET_FILES, "JAAS file", SEV_UNKNOWN, "",
		    "not readable by others",
		    "a SASL listener has no sasl.jaas.config, so the broker "
		    "reads the JAAS file of -Djava.security.auth.login.config; "
		    "name it in [kafka] jaas to check it");
	else if (k->n_secret_files == 0)
		check_add(out, SECRET_FILES, NULL, SEV_PASS, "no secret files",
			  "not readable by others",
			  "the configuration names no keystore, truststore or "
			  "JAAS file");
}

const struct check_def checks_kafka_security[] = {
    {ENCRYPTION, CORE_ROLE_KAFKA, check_encryption,
     "warn for a PLAINTEXT or SASL_PLAINTEXT listener bound to a non-loopback "
     "address"},
    {SASL_VERSION, CORE_ROLE_KAFKA, check_sasl_version,
     "fail if a SASL mechanism is newer than the installed broker (GSSAPI 0.9, "
     "PLAIN 0.10.0, SCRAM 0.10.2, OAUTHBEARER 2.0, OIDC 3.1.0)"},
    {PLAIN_CLEAR, CORE_ROLE_KAFKA, check_plain_cleartext,
     "fail if PLAIN is enabled on a SASL_PLAINTEXT listener"},
    {OAUTHBEARER, CORE_ROLE_KAFKA, check_oauthbearer,
     "fail if OAUTHBEARER validates with the built-in unsecured handler"},
    {SCRAM, CORE_ROLE_KAFKA, check_scram,
     "info: SCRAM is recommended where there is no Kerberos"},
    {AUTHORIZER, CORE_ROLE_KAFKA, check_authorizer,
     "warn if no authorizer.class.name (no ACLs are enforced)"},
    {ALLOW_EVERYONE, CORE_ROLE_KAFKA, check_allow_everyone,
     "warn if allow.everyone.if.no.acl.found=true"},
    {SECRET_FILES, CORE_ROLE_KAFKA, check_secret_files,
     "fail if a keystore, truststore or JAAS file is readable by other users"},
};
const size_t checks_kafka_security_len =
    sizeof checks_kafka_security / sizeof checks_kafka_security[0];
