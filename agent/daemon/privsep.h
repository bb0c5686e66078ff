/*
 * privsep.h — kagentd's privilege separation, in the manner of OpenBSD's
 * ntpd.  kagentd starts as root and forks the prober; then
 *  - the prober switches to the [agent] user but keeps CAP_SYS_RAWIO
 *    (ATA SMART through SG_IO), CAP_SYS_ADMIN (NVMe admin commands) and
 *    CAP_DAC_READ_SEARCH (root-only DMI tables, device nodes, other
 *    users' configuration files), and nothing else.  It only reads: it
 *    opens allow-listed files for the other side (the descriptor passed
 *    back) and returns SMART, NVMe and smartctl answers as raw bytes
 *    (prober.c), parsing nothing;
 *  - the process that parses configuration and the prober's bytes, runs
 *    the checks, builds and encodes the report, talks to the collector
 *    and serves the control socket switches to the same user with no
 *    capability at all.
 * On a live host at interval 1 s the prober's worker went from 3520 kB
 * RSS, 908 kB anonymous PSS and 1.56 ms CPU a cycle, when it built the
 * reports, to 2736 kB, 482 kB and 0.05 ms (bench/prober_cost.sh).
 * Both lose every other capability from their bounding and ambient sets
 * and set no_new_privs, so no exec can give anything back.  Both keep
 * exactly the supplementary groups the system gives the user (none when
 * it has none): an operator grants a socket's group (lldpd's _lldpd) by
 * adding the user to it, and the package adds it to none.
 *
 * Started as another user (tests, development), kagentd changes no
 * identity: both processes stay that user, the network side drops any
 * capability it had, the prober keeps only those of the three it had.
 */
#ifndef KAGENT_PRIVSEP_H
#define KAGENT_PRIVSEP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"
#include "hw.h"

/* CapEff of the prober in /proc/PID/status: bits 2, 17 and 21. */
#define PRIVSEP_PROBER_CAPS                                                    \
	((UINT64_C(1) << 2) | (UINT64_C(1) << 17) | (UINT64_C(1) << 21))

/* More supplementary groups than this for the [agent] user is refused:
 * a service user belongs to a few. */
#define PRIVSEP_GROUPS_MAX 32

struct privsep {
	bool change_id; /* started as root: both sides become uid/gid */
	uid_t uid;
	gid_t gid;
	char user[CONF_USER_MAX];
	/* The groups the system gives the user (initgroups: its primary
	 * group and those of /etc/group), read before anything forks. */
	size_t n_groups;
	gid_t groups[PRIVSEP_GROUPS_MAX];
};

/* Started as root, looks user up: -ENOENT when it does not exist, -EPERM
 * when it is uid 0, -E2BIG when it has more than PRIVSEP_GROUPS_MAX
 * groups.  Started as anyone else, records the current ids and
 * ignores user.  Call it before anything forks. */
int privsep_init(struct privsep *ps, const char *user, struct hw_err *err);
/* Hands dir and the regular files in it to the user, so that the spool
 * stays writable after the drop.  A directory every user may write to is
 * refused (-EPERM): its files are not kagentd's to give away.  Nothing
 * happens unless change_id. */
int privsep_own_dir(const struct privsep *ps, const char *dir,
		    struct hw_err *err);
/* Hands the control socket kagentd just bound at path to the user, so
 * that the operators' group reaches it through the user's group. */
int privsep_own_socket(const struct privsep *ps, const char *path,
		       struct hw_err *err);
/* The network side: the user's ids, no capability, no_new_privs.  Checks
 * afterwards that uid 0 cannot be regained. */
int privsep_drop_network(const struct privsep *ps, struct hw_err *err);
/* The prober: the user's ids, PRIVSEP_PROBER_CAPS permitted and effective
 * (those of them it has), no_new_privs, not dumpable. */
int privsep_drop_prober(const struct privsep *ps, struct hw_err *err);

/* Whether the user may connect to the unix socket at path (write
 * permission on it by owner, one of its groups, or other): 0, -ENOENT
 * when there is none, -EACCES with why saying which group to add the user
 * to.  Started as another user, the current process's ids decide. */
int privsep_socket_access(const struct privsep *ps, const char *path,
			  char *why, size_t cap);

#endif
