/* kcollectord's own drop from root to its user, with plain system calls:
 * the collector shares no code with kagentd's privilege split (libcap-ng,
 * a prober that keeps some capabilities); it keeps none, so the kernel's
 * calls say it all.  Then the proof: no capability in any set, and uid 0
 * out of reach. */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "coll_limits.h"

/* The kernel's capability sets, 64 bits each, through capget/capset:
 * glibc wraps neither. */
struct caps {
	uint64_t eff, prm, inh;
};

static int caps_get(struct caps *c)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof d);
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	c->eff = d[0].effective | (uint64_t)d[1].effective << 32;
	c->prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	c->inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

static int caps_clear(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof d);
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

/* The highest capability this kernel knows: PR_CAPBSET_READ says EINVAL
 * past it. */
static int cap_last(void)
{
	int c = 0;

	while (c < 63 && prctl(PR_CAPBSET_READ, c + 1, 0, 0, 0) >= 0)
		c++;
	return c;
}

static int fail(char *err, size_t errlen, int r, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(-r));
	return r;
}

int coll_drop_to(bool change_id, uid_t uid, gid_t gid, char *err,
		 size_t errlen)
{
	struct caps c;
	bool bounds = false;
	int last = cap_last(), i, r;

	r = caps_get(&c);
	if (r < 0)
		return fail(err, errlen, r, "reading capabilities");
	/* Without CAP_SETPCAP (started as a user) the bounding set stays;
	 * no_new_privs below still stops any exec from gaining it. */
	if (c.eff & (UINT64_C(1) << CAP_SETPCAP)) {
		for (i = 0; i <= last; i++)
			if (prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0)
				return fail(err, errlen, -errno,
					    "shrinking the bounding set");
		bounds = true;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return fail(err, errlen, -errno, "clearing ambient capabilities");
	/* The user's primary group only: a supplementary group (disk, adm)
	 * would give back what the capabilities took. */
	if (change_id &&
	    (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	     setresuid(uid, uid, uid) < 0)) {
		r = -errno;
		snprintf(err, errlen, "becoming uid %u gid %u: %s",
			 (unsigned)uid, (unsigned)gid, strerror(-r));
		return r;
	}
	/* setresuid empties the permitted and effective sets, never the
	 * inheritable one: all three go here, and for a user too. */
	r = caps_clear();
	if (r < 0)
		return fail(err, errlen, r, "clearing capabilities");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(err, errlen, -errno, "no_new_privs");
	/* Proof, not trust. */
	r = caps_get(&c);
	if (r < 0)
		return fail(err, errlen, r, "reading capabilities");
	if (c.eff || c.prm || c.inh) {
		snprintf(err, errlen,
			 "capabilities left after the drop: effective %#llx "
			 "permitted %#llx inheritable %#llx",
			 (unsigned long long)c.eff, (unsigned long long)c.prm,
			 (unsigned long long)c.inh);
		return -EPERM;
	}
	for (i = 0; bounds && i <= last; i++)
		if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) != 0) {
			snprintf(err, errlen,
				 "capability %d left in the bounding set", i);
			return -EPERM;
		}
	if (change_id &&
	    (setresuid(0, 0, 0) == 0 || getuid() == 0 || geteuid() == 0)) {
		snprintf(err, errlen, "uid 0 could be regained after the drop");
		return -EPERM;
	}
	return 0;
}
