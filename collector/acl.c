/* The collector's ACL file (acl.h): a parser over bytes, the file read
 * apart, and the three questions the collector asks. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "core.h"

/* Fields per line: the verb and at most two arguments, plus one to catch
 * a line with too many. */
#define ACL_FIELDS 4

static bool acl_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* A glob is matched against identities, which are printable ASCII with no
 * blanks; anything else in one is a typo. */
static bool acl_glob_ok(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s > '~')
			return false;
	return true;
}

static bool acl_cluster_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ||
		      *s == '_'))
			return false;
	return true;
}

/* Splits line (modified in place) into at most ACL_FIELDS fields after
 * cutting the comment; returns how many. */
static size_t acl_split(char *line, char *f[ACL_FIELDS])
{
	char *hash = strchr(line, '#');
	size_t n = 0;
	char *p = line;

	if (hash != NULL)
		*hash = '\0';
	while (n < ACL_FIELDS) {
		while (acl_blank(*p))
			p++;
		if (*p == '\0')
			break;
		f[n++] = p;
		while (*p != '\0' && !acl_blank(*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
}

/* One non-empty line into r; on error err names what is wrong (the caller
 * prefixes file and line). */
static int acl_rule_parse(char *f[], size_t n, struct acl_rule *r, char *err,
			  size_t errlen)
{
	if (strcmp(f[0], "report") == 0) {
		if (n != 3) {
			snprintf(err, errlen,
				 "report takes IDENTITY_GLOB CLUSTER");
			return -EINVAL;
		}
		r->verb = ACL_REPORT;
	} else if (strcmp(f[0], "read") == 0) {
		if (n != 2) {
			snprintf(err, errlen,
				 "read takes IDENTITY_GLOB or loopback");
			return -EINVAL;
		}
		if (strcmp(f[1], "loopback") == 0) {
			r->verb = ACL_READ_LOOPBACK;
			return 0;
		}
		r->verb = ACL_READ;
	} else if (strcmp(f[0], "admin") == 0) {
		/* No loopback form: forgetting a host is asked for by a
		 * person whose certificate the log can name. */
		if (n != 2 || strcmp(f[1], "loopback") == 0) {
			snprintf(err, errlen, "admin takes IDENTITY_GLOB");
			return -EINVAL;
		}
		r->verb = ACL_ADMIN;
	} else {
		snprintf(err, errlen,
			 "unknown rule '%.32s' (report, read, admin)", f[0]);
		return -EINVAL;
	}
	if (strlen(f[1]) >= sizeof r->glob || !acl_glob_ok(f[1])) {
		snprintf(err, errlen,
			 "identity glob '%.64s' is not printable "
			 "ASCII of at most %d characters",
			 f[1], ACL_GLOB_MAX - 1);
		return -EINVAL;
	}
	snprintf(r->glob, sizeof r->glob, "%s", f[1]);
	if (r->verb != ACL_REPORT)
		return 0;
	if (strlen(f[2]) >= sizeof r->cluster || !acl_cluster_ok(f[2])) {
		snprintf(err, errlen,
			 "cluster '%.64s' is not letters, digits, "
			 "'.', '-', '_' of at most %d characters",
			 f[2], ACL_CLUSTER_MAX - 1);
		return -EINVAL;
	}
	snprintf(r->cluster, sizeof r->cluster, "%s", f[2]);
	return 0;
}

static int acl_push(struct acl *acl, const struct acl_rule *r)
{
	struct acl_rule *p;

	if (acl->n >= ACL_RULES_MAX)
		return -E2BIG;
	p = realloc(acl->rules, (acl->n + 1) * sizeof *p);
	if (p == NULL)
		return -ENOMEM;
	acl->rules = p;
	acl->rules[acl->n++] = *r;
	return 0;
}

int acl_parse(const char *name, const char *text, size_t len, struct acl *acl,
	      char *err, size_t errlen)
{
	char line[ACL_LINE_MAX + 1];
	char *f[ACL_FIELDS];
	char what[192];
	struct acl_rule rule;
	size_t off = 0, n, ll;
	unsigned lineno = 0;
	const char *nl;
	int r = 0;

	memset(acl, 0, sizeof *acl);
	while (off < len) {
		lineno++;
		nl = memchr(text + off, '\n', len - off);
		ll = nl ? (size_t)(nl - (text + off)) : len - off;
		if (ll > ACL_LINE_MAX) {
			snprintf(what, sizeof what, "line longer than %d bytes",
				 ACL_LINE_MAX);
			r = -EINVAL;
			goto out_err;
		}
		memcpy(line, text + off, ll);
		line[ll] = '\0';
		off += ll + (nl ? 1 : 0);
		if (strlen(line) != ll) {
			snprintf(what, sizeof what, "NUL byte in line");
			r = -EINVAL;
			goto out_err;
		}
		n = acl_split(line, f);
		if (n == 0)
			continue;
		memset(&rule, 0, sizeof rule);
		rule.line = lineno;
		r = acl_rule_parse(f, n, &rule, what, sizeof what);
		if (r < 0)
			goto out_err;
		r = acl_push(acl, &rule);
		if (r < 0) {
			snprintf(what, sizeof what, "%s",
				 r == -E2BIG ? "more than 10000 rules"
					     : "out of memory");
			goto out_err;
		}
	}
	return 0;

out_err:
	snprintf(err, errlen, "%s:%u: %s", name, lineno, what);
	acl_free(acl);
	return r;
}

int acl_load(const char *path, struct acl *acl, char *err, size_t errlen)
{
	char *buf;
	ssize_t n;
	int r;

	memset(acl, 0, sizeof *acl);
	/* One byte beyond the limit tells a full file from a cut one. */
	buf = malloc(ACL_FILE_MAX + 2);
	if (buf == NULL)
		return -ENOMEM;
	n = core_read_file(path, buf, ACL_FILE_MAX + 2);
	if (n < 0) {
		core_file_strerror(err, errlen, path, (int)n);
		r = (int)n;
		goto out_free_buf;
	}
	if (n > ACL_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
			 ACL_FILE_MAX);
		r = -EFBIG;
		goto out_free_buf;
	}
	r = acl_parse(path, buf, (size_t)n, acl, err, errlen);
out_free_buf:
	free(buf);
	return r;
}

void acl_free(struct acl *acl)
{
	free(acl->rules);
	acl->rules = NULL;
	acl->n = 0;
}

static bool acl_glob_match(const char *glob, const char *identity)
{
	return identity != NULL && identity[0] != '\0' &&
	       fnmatch(glob, identity, 0) == 0;
}

bool acl_may_report(const struct acl *acl, const char *identity,
		    const char *cluster)
{
	size_t i;

	if (cluster == NULL)
		return false;
	for (i = 0; i < acl->n; i++) {
		const struct acl_rule *r = &acl->rules[i];

		if (r->verb == ACL_REPORT && acl_glob_match(r->glob, identity))
			return strcmp(r->cluster, cluster) == 0;
	}
	return false;
}

bool acl_may_read(const struct acl *acl, const char *identity, bool is_loopback)
{
	size_t i;

	for (i = 0; i < acl->n; i++) {
		const struct acl_rule *r = &acl->rules[i];

		if (r->verb == ACL_READ_LOOPBACK && is_loopback)
			return true;
		if (r->verb == ACL_READ && acl_glob_match(r->glob, identity))
			return true;
	}
	return false;
}

bool acl_may_admin(const struct acl *acl, const char *identity)
{
	size_t i;

	for (i = 0; i < acl->n; i++) {
		const struct acl_rule *r = &acl->rules[i];

		if (r->verb == ACL_ADMIN && acl_glob_match(r->glob, identity))
			return true;
	}
	return false;
}
