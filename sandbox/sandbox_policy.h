/*
 * sandbox_policy.h — the three roles' system call lists as data, so that
 * sandbox.c holds only the libseccomp mechanics and a reader finds every
 * allowed call, and why, in sandbox_policy.c.
 */
#ifndef KAGENT_SANDBOX_POLICY_H
#define KAGENT_SANDBOX_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "sandbox.h"

#define SANDBOX_ROLE(r) (1u << (r))
#define SANDBOX_ALL                                                            \
	(SANDBOX_ROLE(SANDBOX_PROBER) | SANDBOX_ROLE(SANDBOX_AGENT_NET) |     \
	 SANDBOX_ROLE(SANDBOX_COLLECTOR) | SANDBOX_ROLE(SANDBOX_PROBER_WATCH))
#define SANDBOX_NET                                                            \
	(SANDBOX_ROLE(SANDBOX_AGENT_NET) | SANDBOX_ROLE(SANDBOX_COLLECTOR))

/* A call allowed whatever its arguments, to the roles in the mask. */
struct sandbox_call {
	const char *name; /* as libseccomp resolves it on this architecture */
	unsigned roles;
};

/* A call allowed when (argument arg & mask) == value; several rules for
 * one call are alternatives. */
struct sandbox_arg_rule {
	const char *name;
	unsigned roles;
	unsigned arg;
	uint64_t mask;
	uint64_t value;
};

/* A call answered with -err instead of killing: glibc tries it and falls
 * back to something in the list. */
struct sandbox_errno_rule {
	const char *name;
	unsigned roles;
	int err;
};

extern const struct sandbox_call sandbox_calls[];
extern const size_t sandbox_n_calls;
extern const struct sandbox_arg_rule sandbox_arg_rules[];
extern const size_t sandbox_n_arg_rules;
extern const struct sandbox_errno_rule sandbox_errno_rules[];
extern const size_t sandbox_n_errno_rules;

#endif
