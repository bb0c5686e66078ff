/*
 * sandbox.h — the seccomp filter each daemon installs on itself once it
 * has started: kagentd's prober, kagentd's network side and kcollectord
 * may then make only the system calls their work needs.  A call outside
 * the list kills the whole process (SECCOMP_RET_KILL_PROCESS, SIGSYS), so
 * a compromised parser cannot exec a shell, attach to another process or
 * open a raw socket; the few calls glibc probes and copes without are
 * answered with an error instead (sandbox_policy.c says which and why).
 *
 * The lists were taken with strace -f from the live tests and normal
 * operation (reports, SIGHUP, status, HTTP, SQLite, TLS, SMART) and carry
 * a margin for paths those runs do not reach; sandbox_policy.c gives each
 * call its reason.  This header is the whole API; only sandbox.c includes
 * <seccomp.h>.
 */
#ifndef KAGENT_SANDBOX_H
#define KAGENT_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

enum sandbox_role {
	SANDBOX_PROBER,    /* kagentd's child: files, ioctls, smartctl */
	SANDBOX_AGENT_NET, /* kagentd's unprivileged side: libuv, TLS, spool */
	SANDBOX_COLLECTOR, /* kcollectord: libuv, TLS, SQLite, HTTP */
	/* The prober's watchdog: the prober's calls (its workers inherit
	 * them and add the prober's own filter on top), plus forking a
	 * worker, killing and reaping it. */
	SANDBOX_PROBER_WATCH,
	SANDBOX_N_ROLES
};

/* "prober", "agent", "collector", "watchdog". */
const char *sandbox_role_name(enum sandbox_role role);

/* True when this build carries AddressSanitizer or UBSan (KAGENT_SANITIZE,
 * the fuzz build): their runtimes call what no list here allows (LSan
 * stops the world with ptrace at exit, ASan reads /proc/self/maps and
 * spawns llvm-symbolizer on a report), so such builds install no filter. */
bool sandbox_sanitized(void);

/*
 * Loads role's filter into the calling process, for good: every thread
 * it later starts, and every program it executes, inherits it.  Sets
 * no_new_privs first (the kernel requires it without CAP_SYS_ADMIN).
 * Returns 0; -ENOTSUP in a sanitized build (nothing installed); another
 * negative errno when the kernel or libseccomp refuses, why in err.
 */
int sandbox_install(enum sandbox_role role, char *err, size_t cap);

/*
 * What the daemons call: installs role's filter unless off, and logs one
 * line to stderr naming what it did ("PROG: seccomp: ROLE filter
 * installed", "... off (--no-seccomp)", "... skipped: sanitizer build").
 * Returns 0, or the negative errno of a failed install: a daemon asked
 * for a sandbox does not run without one.
 */
int sandbox_start(const char *prog, enum sandbox_role role, bool off);

#endif
