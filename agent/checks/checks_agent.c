/* agent.* — the agent's own standing with the collector.  The certificate
 * is read when the check runs, not gathered with the host's facts: it
 * lives outside the probed root (kagent check --root judges a captured
 * tree, but this host's certificate) and its expiry is a matter of now. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "checks.h"
#include "tls.h"

static void check_tls_expiry(const struct facts *f, struct check_results *out)
{
	const struct conf_agent *a = &f->conf.agent;
	int64_t warn = f->conf.th.agent_tls_expiry_warn_days;
	struct proto_tls_expiry ex;
	char m[64], r[48];
	int rc;

	snprintf(r, sizeof r, ">= %" PRId64 " days left", warn);
	if (!a->collector[0]) {
		check_add(out, "agent.tls.expiry", NULL, SEV_INFO, "not judged",
			  r, "no collector configured in [agent]");
		return;
	}
	if (a->insecure) {
		check_add(out, "agent.tls.expiry", NULL, SEV_INFO, "plaintext",
			  r, "plaintext by configuration (insecure = yes): "
			  "reports to %s are neither encrypted nor "
			  "authenticated", a->collector);
		return;
	}
	if (!a->tls_cert[0]) {
		check_add(out, "agent.tls.expiry", NULL, SEV_UNKNOWN, "", r,
			  "no tls_cert in [agent]: kagentd does not start "
			  "without one (or insecure = yes)");
		return;
	}
	if (f->tls_cert.read) {
		/* Taken at the moment the caller read it (kagentd: the
		 * report's timestamp, which `kagent status` shows too). */
		rc = f->tls_cert.rc;
		if (rc == 0)
			proto_tls_expiry_at(f->tls_cert.not_after,
					    f->tls_cert.now, &ex);
	} else {
		rc = proto_tls_file_expiry(a->tls_cert, (int64_t)time(NULL), &ex);
	}
	if (rc < 0) {
		char why[PATH_MAX + 64];

		if (rc == -EINVAL)
			snprintf(why, sizeof why, "%s: not a PEM certificate",
				 a->tls_cert);
		else
			core_file_strerror(why, sizeof why, a->tls_cert, rc);
		check_add(out, "agent.tls.expiry", NULL, SEV_UNKNOWN, "", r,
			  "%s", why);
		return;
	}
	if (ex.expired) {
		if (ex.days_left == 0)
			snprintf(m, sizeof m, "expired less than a day ago");
		else
			snprintf(m, sizeof m, "expired %" PRId64 " day(s) ago",
				 -ex.days_left);
		check_add(out, "agent.tls.expiry", NULL, SEV_FAIL, m, r,
			  "%s has expired: the collector refuses this host's "
			  "reports until it is renewed", a->tls_cert);
		return;
	}
	snprintf(m, sizeof m, "%" PRId64 " days left", ex.days_left);
	if (ex.days_left < warn)
		check_add(out, "agent.tls.expiry", NULL, SEV_WARN, m, r,
			  "%s expires in %" PRId64 " day(s): renew it before "
			  "the collector refuses it", a->tls_cert, ex.days_left);
	else
		check_add(out, "agent.tls.expiry", NULL, SEV_PASS, m, r,
			  "%s", a->tls_cert);
	check_set_value(out, CHECK_UNIT_DAYS, ex.days_left);
}

const struct check_def checks_agent[] = {
	{ "agent.tls.expiry", 0, check_tls_expiry,
	  "warn when the agent's certificate expires within 14 days, fail "
	  "once expired; info when plaintext by configuration" },
};
const size_t checks_agent_len = sizeof checks_agent / sizeof checks_agent[0];
