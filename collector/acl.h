/*
 * acl.h — who may report into which cluster, who may read the
 * collector's /api, /metrics and fleet page, and who may forget a host.
 *
 * The ACL file has one rule a line; `#` starts a comment; fields are
 * separated by blanks:
 *
 *   report IDENTITY_GLOB CLUSTER   hosts whose certificate identity matches
 *                                  report into CLUSTER
 *   read IDENTITY_GLOB             clients whose certificate identity
 *                                  matches read /api and /metrics
 *   read loopback                  clients on 127.0.0.1 or ::1 read
 *   admin IDENTITY_GLOB            clients whose certificate identity
 *                                  matches forget hosts (DELETE
 *                                  /api/hosts/{id}); a certificate is
 *                                  required, there is no loopback form
 *
 * Globs are fnmatch(3) patterns matched against the whole identity.
 * First match wins and no match denies.  For a report the first `report`
 * rule whose glob matches the identity decides: the report is allowed
 * into that rule's cluster and refused into any other, so
 *
 *   report kafka-test-* kafka-test
 *   report kafka-*      kafka-prod
 *
 * keeps kafka-test-1 out of kafka-prod.  For a read the first `read` rule
 * that matches allows it; for forgetting a host an `admin` rule that
 * matches.  `admin` does not imply `read`, nor `read` `admin`.  The word
 * loopback is reserved; a host named so is matched with `read [l]oopback`.
 */
#ifndef KAGENT_COLL_ACL_H
#define KAGENT_COLL_ACL_H

#include <stdbool.h>
#include <stddef.h>

/* Bounds of a file, a line, a rule's fields. */
#define ACL_FILE_MAX	(1024 * 1024)
#define ACL_LINE_MAX	1024
#define ACL_RULES_MAX	10000
#define ACL_GLOB_MAX	256
#define ACL_CLUSTER_MAX 64

enum acl_verb {
	ACL_REPORT,
	ACL_READ,
	ACL_READ_LOOPBACK,
	ACL_ADMIN,
};

struct acl_rule {
	enum acl_verb verb;
	char glob[ACL_GLOB_MAX];       /* "" for ACL_READ_LOOPBACK */
	char cluster[ACL_CLUSTER_MAX]; /* ACL_REPORT only */
	unsigned line;		       /* where it was written */
};

struct acl {
	struct acl_rule *rules;
	size_t n;
};

/* Parses text (len bytes; name is used in errors only) into acl.  On error
 * acl is empty and err reads "NAME:LINE: what is wrong".  Free with
 * acl_free either way. */
int acl_parse(const char *name, const char *text, size_t len, struct acl *acl,
	      char *err, size_t errlen);
/* Reads the file at path (at most ACL_FILE_MAX bytes) and parses it.  A
 * reload loads into a new struct acl and swaps it in only on success. */
int acl_load(const char *path, struct acl *acl, char *err, size_t errlen);
void acl_free(struct acl *acl);

/* May the host whose certificate names identity report into cluster? */
bool acl_may_report(const struct acl *acl, const char *identity,
		    const char *cluster);
/* May a client read?  identity is its certificate's, NULL without TLS;
 * is_loopback when it connected from 127.0.0.1 or ::1. */
bool acl_may_read(const struct acl *acl, const char *identity,
		  bool is_loopback);
/* May a client forget hosts?  Only a certificate's identity (never NULL
 * nor loopback) matched by an `admin` rule. */
bool acl_may_admin(const struct acl *acl, const char *identity);

#endif
