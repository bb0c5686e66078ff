/*
 * tls.h — certificates and the TLS context that proto_stream encrypts
 * with: OpenSSL 3 SSL_CTX built from PEM files, the peer's identity read
 * from its certificate, and how long a certificate has left.
 *
 * Protocol floor: TLS 1.3 unless the configuration lowers it to 1.2.  Both
 * ends verify the other's chain against the one CA file; a server demands
 * a client certificate (stream.c sets that per connection, so one context
 * serves either role).
 *
 * Identity: a SAN URI kagent://host/HOST_ID gives HOST_ID; without one,
 * the first DNS SAN.  The subject CN is never used (RFC 6125 retired it).
 */
#ifndef KAGENT_PROTO_TLS_H
#define KAGENT_PROTO_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ssl_ctx_st;
struct ssl_st;
struct x509_st;

/* Longest identity: a DNS name (253) and its NUL, rounded up. */
#define PROTO_TLS_ID_MAX 256

/* The SAN URI prefix whose remainder is the host id. */
#define PROTO_TLS_URI_PREFIX "kagent://host/"

struct proto_tls_config {
	const char *ca;	  /* PEM file: the CA that signs every peer */
	const char *cert; /* PEM file: our certificate, then any
			     intermediates; only these are sent */
	const char *key;  /* PEM file: its private key */
	bool allow_tls12; /* lower the floor to TLS 1.2 */
};

/* Owned by the caller (embed it).  ctx serves connections started from now
 * on; each connection holds its own reference, so a reload never disturbs
 * a connection already up. */
struct proto_tls {
	struct ssl_ctx_st *ctx;
};

/* Builds the first context.  On error err says which file and why. */
int proto_tls_init(struct proto_tls *tls, const struct proto_tls_config *cfg,
		   char *err, size_t errlen);
/* A client context with the same settings that verifies its peers
 * against ca and has no certificate of its own: its user sets one on each
 * SSL before the handshake (bench/loadgen, whose simulated agents each
 * have their own). */
int proto_tls_init_peers_only(struct proto_tls *tls, const char *ca,
			      char *err, size_t errlen);
/* Builds a context from cfg (files re-read) and swaps it in for new
 * connections.  On error the old context stays and err says why. */
int proto_tls_reload(struct proto_tls *tls, const struct proto_tls_config *cfg,
		     char *err, size_t errlen);
/* Drops our reference; connections still up keep theirs. */
void proto_tls_free(struct proto_tls *tls);

/* The identity cert names (see above) into out.  -ENOENT when it names
 * none, -EINVAL when a kagent:// URI or the DNS name is malformed (a
 * mis-issued certificate is refused, not read around). */
int proto_tls_cert_identity(struct x509_st *cert, char *out, size_t outlen);
/* The same for a PEM file, e.g. the agent's own certificate. */
int proto_tls_file_identity(const char *path, char *out, size_t outlen);
/* Sets what a client checks the server's certificate against: sni as a
 * host name (and sent as SNI), or as an address.  -EINVAL when refused. */
int proto_tls_client_name(struct ssl_st *ssl, const char *sni);

struct proto_tls_expiry {
	int64_t not_after; /* unix seconds */
	int64_t days_left; /* whole days from now, rounded up (toward +inf):
			    * 1 s left is 1 day, 0 at expiry, -1 a day
			    * after; every output shows this one value */
	bool expired;	   /* now is past not_after */
};

/* When the first certificate of the PEM file at path expires, seen from
 * now (unix seconds) — the facts of check agent.tls.expiry. */
int proto_tls_file_expiry(const char *path, int64_t now,
			  struct proto_tls_expiry *out);
/* The same facts from a not_after already read (no OpenSSL call), for a
 * caller that keeps it between checks. */
void proto_tls_expiry_at(int64_t not_after, int64_t now,
			 struct proto_tls_expiry *out);

#endif
