/* The TLS context and certificate facts under proto_stream (tls.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core.h"
#include "tls.h"

/* OpenSSL queues its errors per thread; the oldest one is the cause, the
 * later ones are callers reporting it. */
static void tls_err(char *err, size_t errlen, const char *what,
		    const char *path)
{
	unsigned long e = ERR_get_error();
	char reason[160];

	if (e == 0)
		snprintf(reason, sizeof reason, "unknown error");
	else
		ERR_error_string_n(e, reason, sizeof reason);
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s %s: %s", what,
			 path ? path : "(unset)", reason);
	ERR_clear_error();
}

/* OpenSSL opens these files itself, blocking: a fifo given as one would
 * stop the caller for ever.  Opened first the way every kagent file is,
 * so such a path is refused, named, at once. */
static int tls_file_check(char *err, size_t errlen, const char *what,
			  const char *path)
{
	int fd, r;

	if (path == NULL)
		return 0;
	r = core_file_open(path, 0, &fd);
	if (r == 0) {
		close(fd);
		return 0;
	}
	if (err != NULL && errlen > 0) {
		char why[512];

		core_file_strerror(why, sizeof why, path, r);
		snprintf(err, errlen, "%s %s", what, why);
	}
	return r;
}

/* Role-neutral: the verify mode that differs between client and server is
 * set per connection.  Tickets and the session cache are off because
 * nothing resumes (each agent keeps one long connection) and both cost
 * memory per connection. */
static int tls_ctx_base(const char *ca, bool allow_tls12, SSL_CTX **out,
			char *err, size_t errlen)
{
	SSL_CTX *ctx;
	int min = allow_tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;

	ctx = SSL_CTX_new(TLS_method());
	if (ctx == NULL) {
		tls_err(err, errlen, "context", "");
		return -ENOMEM;
	}
	if (SSL_CTX_set_min_proto_version(ctx, min) != 1) {
		tls_err(err, errlen, "context", "");
		SSL_CTX_free(ctx);
		return -EINVAL;
	}
	/* Record buffers are freed while idle (the collector holds
	 * thousands of idle connections); the chain sent is the cert file's
	 * alone, not topped up from the CA file. */
	SSL_CTX_set_mode(ctx,
			 SSL_MODE_RELEASE_BUFFERS | SSL_MODE_NO_AUTO_CHAIN);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (tls_file_check(err, errlen, "CA", ca) < 0) {
		SSL_CTX_free(ctx);
		return -EINVAL;
	}
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		tls_err(err, errlen, "CA", ca);
		SSL_CTX_free(ctx);
		return -EINVAL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	*out = ctx;
	return 0;
}

static int tls_ctx_new(const struct proto_tls_config *cfg, SSL_CTX **out,
		       char *err, size_t errlen)
{
	SSL_CTX *ctx;
	int r;

	ERR_clear_error();
	*out = NULL;
	if (cfg->ca == NULL || cfg->cert == NULL || cfg->key == NULL) {
		snprintf(err, errlen,
			 "tls_ca, tls_cert and tls_key are all needed");
		return -EINVAL;
	}
	r = tls_ctx_base(cfg->ca, cfg->allow_tls12, &ctx, err, errlen);
	if (r < 0)
		return r;
	if (tls_file_check(err, errlen, "certificate", cfg->cert) < 0 ||
	    tls_file_check(err, errlen, "key", cfg->key) < 0)
		goto out_free_ctx;
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->cert) != 1) {
		tls_err(err, errlen, "certificate", cfg->cert);
		goto out_free_ctx;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, cfg->key, SSL_FILETYPE_PEM) != 1) {
		tls_err(err, errlen, "key", cfg->key);
		goto out_free_ctx;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_err(err, errlen, "key", cfg->key);
		goto out_free_ctx;
	}
	*out = ctx;
	return 0;

out_free_ctx:
	SSL_CTX_free(ctx);
	return -EINVAL;
}

int proto_tls_init_peers_only(struct proto_tls *tls, const char *ca,
			      char *err, size_t errlen)
{
	memset(tls, 0, sizeof *tls);
	ERR_clear_error();
	return tls_ctx_base(ca, false, &tls->ctx, err, errlen);
}

int proto_tls_init(struct proto_tls *tls, const struct proto_tls_config *cfg,
		   char *err, size_t errlen)
{
	memset(tls, 0, sizeof *tls);
	return proto_tls_reload(tls, cfg, err, errlen);
}

int proto_tls_reload(struct proto_tls *tls, const struct proto_tls_config *cfg,
		     char *err, size_t errlen)
{
	SSL_CTX *ctx;
	int r;

	r = tls_ctx_new(cfg, &ctx, err, errlen);
	if (r < 0)
		return r;
	/* SSL_new took a reference for every live connection. */
	SSL_CTX_free(tls->ctx);
	tls->ctx = ctx;
	return 0;
}

void proto_tls_free(struct proto_tls *tls)
{
	SSL_CTX_free(tls->ctx);
	tls->ctx = NULL;
}

/* An identity ends up in logs, metrics labels and ACL matches: letters,
 * digits, '.', '-', '_' only, so it can neither carry a glob nor break a
 * label. */
static int tls_id_copy(const unsigned char *s, int len, char *out,
		       size_t outlen)
{
	int i;

	if (len <= 0 || (size_t)len >= outlen || len >= PROTO_TLS_ID_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		      c == '_'))
			return -EINVAL;
	}
	memcpy(out, s, (size_t)len);
	out[len] = '\0';
	return 0;
}

/* Two different kagent:// URIs would let the holder pick its identity:
 * refused like a malformed one. */
static int tls_id_from_uris(const GENERAL_NAMES *gens, char *out, size_t outlen)
{
	const size_t plen = strlen(PROTO_TLS_URI_PREFIX);
	char id[PROTO_TLS_ID_MAX];
	bool found = false;
	int i, r;

	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const unsigned char *s;
		int len;

		if (g->type != GEN_URI)
			continue;
		s = ASN1_STRING_get0_data(g->d.uniformResourceIdentifier);
		len = ASN1_STRING_length(g->d.uniformResourceIdentifier);
		if ((size_t)len < plen ||
		    strncmp((const char *)s, PROTO_TLS_URI_PREFIX, plen) != 0)
			continue;
		r = tls_id_copy(s + plen, len - (int)plen, id, sizeof id);
		if (r < 0)
			return r;
		if (found && strcmp(id, out) != 0)
			return -EINVAL;
		if (strlen(id) >= outlen)
			return -EINVAL;
		memcpy(out, id, strlen(id) + 1);
		found = true;
	}
	return found ? 0 : -ENOENT;
}

int proto_tls_cert_identity(struct x509_st *cert, char *out, size_t outlen)
{
	GENERAL_NAMES *gens;
	int i, r;

	if (outlen == 0)
		return -EINVAL;
	out[0] = '\0';
	gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL)
		return -ENOENT;
	r = tls_id_from_uris(gens, out, outlen);
	if (r != -ENOENT)
		goto out_free_gens;
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type != GEN_DNS)
			continue;
		r = tls_id_copy(ASN1_STRING_get0_data(g->d.dNSName),
				ASN1_STRING_length(g->d.dNSName), out, outlen);
		goto out_free_gens;
	}
	r = -ENOENT;
out_free_gens:
	if (r < 0)
		out[0] = '\0';
	GENERAL_NAMES_free(gens);
	return r;
}

static int tls_file_cert(const char *path, X509 **out)
{
	FILE *f;
	int fd, r;

	r = core_file_open(path, 0, &fd);
	if (r < 0)
		return r;
	f = fdopen(fd, "r");
	if (f == NULL) {
		r = -errno;
		close(fd);
		return r;
	}
	*out = PEM_read_X509(f, NULL, NULL, NULL);
	if (*out == NULL)
		r = -EINVAL;
	fclose(f);
	ERR_clear_error();
	return r;
}

int proto_tls_file_identity(const char *path, char *out, size_t outlen)
{
	X509 *cert = NULL;
	int r;

	r = tls_file_cert(path, &cert);
	if (r < 0)
		return r;
	r = proto_tls_cert_identity(cert, out, outlen);
	X509_free(cert);
	return r;
}

void proto_tls_expiry_at(int64_t not_after, int64_t now,
			 struct proto_tls_expiry *out)
{
	int64_t left = not_after - now;

	out->not_after = not_after;
	/* Round toward plus infinity, one way for every sign: a certificate
	 * issued for 10 days shows 10 for its whole first day, whenever in
	 * that day it is looked at, and ten seconds past expiry is day 0. */
	out->days_left = left > 0 ? (left + 86399) / 86400 : -(-left / 86400);
	out->expired = now > not_after;
}

int proto_tls_file_expiry(const char *path, int64_t now,
			  struct proto_tls_expiry *out)
{
	X509 *cert = NULL;
	struct tm tm;
	int r;

	memset(out, 0, sizeof *out);
	r = tls_file_cert(path, &cert);
	if (r < 0)
		return r;
	if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) {
		r = -EINVAL;
		goto out_free_cert;
	}
	proto_tls_expiry_at((int64_t)timegm(&tm), now, out);
out_free_cert:
	X509_free(cert);
	return r;
}

/* An address is checked as an address and sent without SNI (RFC 6066
 * allows host names only). */
int proto_tls_client_name(struct ssl_st *ssl, const char *sni)
{
	unsigned char addr[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, sni, addr) == 1 ||
	    inet_pton(AF_INET6, sni, addr) == 1)
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
						     sni) == 1
			   ? 0
			   : -EINVAL;
	if (SSL_set_tlsext_host_name(ssl, sni) != 1 ||
	    SSL_set1_host(ssl, sni) != 1)
		return -EINVAL;
	return 0;
}
