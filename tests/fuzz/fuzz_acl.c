/*
 * fuzz_acl.c — the collector's ACL file through acl_parse, then the two
 * questions the collector asks it.
 *
 * Checked: an error names the file and a line and leaves no rule behind;
 * a parsed ACL holds at most ACL_RULES_MAX rules, each with terminated
 * fields, a known verb and a line number that only grows; and the
 * answers agree with the rules read back independently with fnmatch(3):
 * a report is allowed exactly when the first report rule matching the
 * identity names that cluster, a read exactly when some read rule
 * matches (or loopback is allowed and the client is on loopback).
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "fuzz_util.h"

#define H "fuzz_acl"

/* Identities and clusters the seeds' globs match and miss. */
static const char *const identities[] = {
	"kafka-test-1", "kafka-1", "zk-1", "ops-a.example.net", "loopback",
	"admin", "test-9", "a",
};
static const char *const clusters[] = {
	"kafka-test", "kafka-prod", "zk-prod", "payments", "fleet", "test",
};
#define N_IDS (sizeof identities / sizeof identities[0])
#define N_CLUSTERS (sizeof clusters / sizeof clusters[0])

static bool report_expected(const struct acl *acl, const char *id,
			    const char *cluster)
{
	size_t i;

	for (i = 0; i < acl->n; i++)
		if (acl->rules[i].verb == ACL_REPORT &&
		    fnmatch(acl->rules[i].glob, id, 0) == 0)
			return strcmp(acl->rules[i].cluster, cluster) == 0;
	return false;
}

static bool read_expected(const struct acl *acl, const char *id, bool lo)
{
	size_t i;

	for (i = 0; i < acl->n; i++) {
		if (acl->rules[i].verb == ACL_READ_LOOPBACK && lo)
			return true;
		if (acl->rules[i].verb == ACL_READ && id != NULL &&
		    fnmatch(acl->rules[i].glob, id, 0) == 0)
			return true;
	}
	return false;
}

/* admin GLOB names a certificate: the first admin rule that matches. */
static bool admin_expected(const struct acl *acl, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < acl->n; i++)
		if (acl->rules[i].verb == ACL_ADMIN &&
		    fnmatch(acl->rules[i].glob, id, 0) == 0)
			return true;
	return false;
}

static void check_rules(const struct acl *acl)
{
	unsigned line = 0;
	size_t i;

	fuzz_require(acl->n <= ACL_RULES_MAX, H, "rules above the bound");
	fuzz_require(acl->n == 0 || acl->rules != NULL, H,
		     "rules counted but none kept");
	for (i = 0; i < acl->n; i++) {
		const struct acl_rule *r = &acl->rules[i];

		fuzz_require(fuzz_terminated(r->glob, sizeof r->glob) &&
				 fuzz_terminated(r->cluster, sizeof r->cluster),
			     H, "rule field not terminated");
		fuzz_require(r->verb == ACL_REPORT || r->verb == ACL_READ ||
				 r->verb == ACL_READ_LOOPBACK ||
				 r->verb == ACL_ADMIN,
			     H, "unknown verb");
		fuzz_require(r->line > line, H, "line numbers do not grow");
		line = r->line;
		fuzz_require((r->verb == ACL_READ_LOOPBACK) ==
				 (r->glob[0] == '\0'),
			     H, "glob empty exactly for read loopback");
		fuzz_require((r->verb == ACL_REPORT) == (r->cluster[0] != '\0'),
			     H, "cluster set exactly for report");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acl acl = {0};
	char err[256] = "";
	size_t i, j;
	int r;

	r = acl_parse("fuzz.acl", (const char *)data, size, &acl, err,
		      sizeof err);
	if (r < 0) {
		fuzz_require(strncmp(err, "fuzz.acl", 8) == 0, H,
			     "error does not name the file");
		fuzz_require(acl.n == 0, H, "rules kept after an error");
		goto out_free;
	}
	check_rules(&acl);
	for (i = 0; i < N_IDS; i++) {
		for (j = 0; j < N_CLUSTERS; j++)
			fuzz_require(acl_may_report(&acl, identities[i],
						    clusters[j]) ==
					 report_expected(&acl, identities[i],
							 clusters[j]),
				     H, "report answer differs from the rules");
		fuzz_require(acl_may_read(&acl, identities[i], false) ==
				 read_expected(&acl, identities[i], false),
			     H, "read answer differs from the rules");
		fuzz_require(acl_may_admin(&acl, identities[i]) ==
				 admin_expected(&acl, identities[i]),
			     H, "admin answer differs from the rules");
	}
	fuzz_require(acl_may_read(&acl, NULL, true) ==
			 read_expected(&acl, NULL, true),
		     H, "loopback read answer differs from the rules");
out_free:
	acl_free(&acl);
	return 0;
}
