/* Installing a role's seccomp filter with libseccomp: only this file
 * includes <seccomp.h>.  The lists themselves are sandbox_policy.c's. */
#include <errno.h>
#include <stdbool.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "core_log.h"
#include "sandbox_policy.h"

/* Set by CMake for KAGENT_SANITIZE and fuzz builds (see sandbox.h). */
#ifdef SANDBOX_SANITIZED
static const bool sanitized = true;
#else
static const bool sanitized = false;
#endif

static const char *const role_names[SANDBOX_N_ROLES] = {
	[SANDBOX_PROBER] = "prober",
	[SANDBOX_AGENT_NET] = "agent",
	[SANDBOX_COLLECTOR] = "collector",
	[SANDBOX_PROBER_WATCH] = "watchdog",
};

const char *sandbox_role_name(enum sandbox_role role)
{
	return (unsigned)role < SANDBOX_N_ROLES ? role_names[role] : "?";
}

bool sandbox_sanitized(void)
{
	return sanitized;
}

/* A name this libseccomp does not know on this architecture is skipped:
 * the program cannot make that call either. */
static int rule_add(scmp_filter_ctx ctx, uint32_t action, const char *name,
		    unsigned n_args, const struct scmp_arg_cmp *cmp, char *err,
		    size_t cap)
{
	int nr = seccomp_syscall_resolve_name(name);
	int r;

	if (nr == __NR_SCMP_ERROR)
		return 0;
	r = seccomp_rule_add_array(ctx, action, nr, n_args, cmp);
	if (r < 0)
		snprintf(err, cap, "seccomp rule for %s: %s", name, strerror(-r));
	return r;
}

static int rules_add(scmp_filter_ctx ctx, unsigned bit, char *err, size_t cap)
{
	const struct sandbox_arg_rule *a;
	struct scmp_arg_cmp cmp;
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < sandbox_n_calls; i++)
		if (sandbox_calls[i].roles & bit)
			r = rule_add(ctx, SCMP_ACT_ALLOW, sandbox_calls[i].name,
				     0, NULL, err, cap);
	for (i = 0; r == 0 && i < sandbox_n_arg_rules; i++) {
		a = &sandbox_arg_rules[i];
		if (!(a->roles & bit))
			continue;
		cmp = (struct scmp_arg_cmp){ a->arg, SCMP_CMP_MASKED_EQ,
					     a->mask, a->value };
		r = rule_add(ctx, SCMP_ACT_ALLOW, a->name, 1, &cmp, err, cap);
	}
	for (i = 0; r == 0 && i < sandbox_n_errno_rules; i++)
		if (sandbox_errno_rules[i].roles & bit)
			r = rule_add(ctx,
				     SCMP_ACT_ERRNO(
					 (uint32_t)sandbox_errno_rules[i].err),
				     sandbox_errno_rules[i].name, 0, NULL, err,
				     cap);
	return r;
}

int sandbox_install(enum sandbox_role role, char *err, size_t cap)
{
	scmp_filter_ctx ctx;
	int r;

	if ((unsigned)role >= SANDBOX_N_ROLES) {
		snprintf(err, cap, "no seccomp role %d", (int)role);
		return -EINVAL;
	}
	if (sanitized) {
		snprintf(err, cap, "sanitizer build");
		return -ENOTSUP;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		r = -errno;
		snprintf(err, cap, "no_new_privs: %s", strerror(errno));
		return r;
	}
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL) {
		snprintf(err, cap, "seccomp_init failed");
		return -ENOMEM;
	}
	/* Threads started before the filter (none today) get it too. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (r < 0)
		snprintf(err, cap, "seccomp tsync: %s", strerror(-r));
	if (r == 0)
		r = rules_add(ctx, SANDBOX_ROLE(role), err, cap);
	if (r == 0) {
		r = seccomp_load(ctx);
		if (r < 0)
			snprintf(err, cap, "loading the %s filter: %s",
				 role_names[role], strerror(-r));
	}
	seccomp_release(ctx);
	return r;
}

int sandbox_start(const char *prog, enum sandbox_role role, bool off)
{
	char err[256] = "";
	int r;

	if (off) {
		core_log_as(prog, LOG_WARNING, "seccomp: off (--no-seccomp)");
		return 0;
	}
	r = sandbox_install(role, err, sizeof err);
	if (r == -ENOTSUP) {
		core_log_as(prog, LOG_WARNING, "seccomp: skipped: %s", err);
		return 0;
	}
	if (r < 0)
		core_log_as(prog, LOG_ERR, "seccomp: %s", err);
	else
		core_log_as(prog, LOG_INFO, "seccomp: %s filter installed",
			    role_names[role]);
	return r;
}
