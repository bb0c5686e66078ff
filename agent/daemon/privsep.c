/* Dropping privileges: only this file includes <cap-ng.h>.  The order of
 * the steps matters: the bounding set can only shrink while CAP_SETPCAP is
 * still effective, the ids only change while CAP_SETUID and CAP_SETGID
 * are, and capabilities survive the change of uid only with keepcaps. */
#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privsep.h"

static const unsigned prober_caps[] = {CAP_DAC_READ_SEARCH, CAP_SYS_RAWIO,
				       CAP_SYS_ADMIN};
#define N_PROBER_CAPS (sizeof prober_caps / sizeof prober_caps[0])

/* What initgroups would set, read now: after the fork the name service
 * is out of reach of the seccomp filter. */
static int user_groups(struct privsep *ps, struct hw_err *err)
{
	int n = PRIVSEP_GROUPS_MAX;

	if (getgrouplist(ps->user, ps->gid, ps->groups, &n) < 0) {
		core_err_set(err,
			     "user '%s' is in more than %d groups: kagentd "
			     "keeps at most %d",
			     ps->user, PRIVSEP_GROUPS_MAX, PRIVSEP_GROUPS_MAX);
		return -E2BIG;
	}
	ps->n_groups = (size_t)n;
	return 0;
}

int privsep_init(struct privsep *ps, const char *user, struct hw_err *err)
{
	struct passwd pw, *found = NULL;
	char buf[4096];
	int r;

	memset(ps, 0, sizeof *ps);
	if (geteuid() != 0) {
		ps->uid = getuid();
		ps->gid = getgid();
		r = getpwuid_r(ps->uid, &pw, buf, sizeof buf, &found);
		snprintf(ps->user, sizeof ps->user, "%s",
			 r == 0 && found ? pw.pw_name : "");
		return 0;
	}
	r = getpwnam_r(user, &pw, buf, sizeof buf, &found);
	if (r != 0) {
		core_err_set(err, "user '%s': %s", user, strerror(r));
		return -r;
	}
	if (found == NULL) {
		core_err_set(
		    err,
		    "user '%s' does not exist: create it (useradd --system "
		    "--no-create-home %s) or name another in [agent] user",
		    user, user);
		return -ENOENT;
	}
	if (pw.pw_uid == 0) {
		core_err_set(
		    err,
		    "user '%s' is uid 0: the network side must not run as "
		    "root; name an unprivileged user in [agent] user",
		    user);
		return -EPERM;
	}
	ps->change_id = true;
	ps->uid = pw.pw_uid;
	ps->gid = pw.pw_gid;
	snprintf(ps->user, sizeof ps->user, "%s", pw.pw_name);
	return user_groups(ps, err);
}

/* Only regular files are handed over, and never through a symlink: a
 * link planted in the spool must not give the user a file elsewhere. */
static int own_entries(const struct privsep *ps, int dfd, const char *dir,
		       struct hw_err *err)
{
	struct dirent *e;
	struct stat st;
	DIR *d;
	int fd, r = 0;

	fd = dup(dfd);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		core_err_set(err, "%s: %s", dir, strerror(-r));
		return r;
	}
	while ((e = readdir(d)) != NULL) {
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid == ps->uid)
			continue;
		if (fchownat(dfd, e->d_name, ps->uid, ps->gid,
			     AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			core_err_set(err, "%s/%s: chown to %s: %s", dir,
				   e->d_name, ps->user, strerror(errno));
			break;
		}
	}
	closedir(d);
	return r;
}

int privsep_own_dir(const struct privsep *ps, const char *dir,
		    struct hw_err *err)
{
	struct stat st;
	int fd, r = 0;

	if (!ps->change_id)
		return 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		core_err_set(err, "%s: %s", dir, strerror(errno));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		core_err_set(err, "%s: %s", dir, strerror(errno));
		goto out_close;
	}
	if (st.st_mode & S_IWOTH) {
		r = -EPERM;
		core_err_set(err,
			   "%s: every user may write there; kagentd needs a "
			   "directory of its own",
			   dir);
		goto out_close;
	}
	if ((st.st_uid != ps->uid || st.st_gid != ps->gid) &&
	    fchown(fd, ps->uid, ps->gid) < 0) {
		r = -errno;
		core_err_set(err, "%s: chown to %s: %s", dir, ps->user,
			   strerror(errno));
		goto out_close;
	}
	r = own_entries(ps, fd, dir, err);

out_close:
	close(fd);
	return r;
}

int privsep_own_socket(const struct privsep *ps, const char *path,
		       struct hw_err *err)
{
	struct stat st;

	if (!ps->change_id)
		return 0;
	if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		core_err_set(err, "%s: not the socket just bound", path);
		return -EEXIST;
	}
	if (lchown(path, ps->uid, ps->gid) < 0) {
		int e = errno;

		core_err_set(err, "%s: chown to %s: %s", path, ps->user,
			   strerror(e));
		return -e;
	}
	return 0;
}

static int set_ids(const struct privsep *ps, bool keep, struct hw_err *err)
{
	int r = 0;

	if (keep && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
		r = -errno;
		core_err_set(err, "keepcaps: %s", strerror(-r));
		return r;
	}
	/* The user's own groups, as initgroups gives them, and no others:
	 * root's (disk, adm) would give back what the capabilities took.
	 * Which groups the user has is the operator's choice, made with
	 * usermod; the package adds none. */
	if (setgroups(ps->n_groups, ps->groups) < 0 ||
	    setresgid(ps->gid, ps->gid, ps->gid) < 0 ||
	    setresuid(ps->uid, ps->uid, ps->uid) < 0) {
		r = -errno;
		core_err_set(err, "becoming %s (uid %u gid %u): %s", ps->user,
			   (unsigned)ps->uid, (unsigned)ps->gid,
			   strerror(errno));
	}
	if (keep)
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	return r;
}

/* keep: a mask of PRIVSEP_PROBER_CAPS' bits to keep, those the process
 * has; 0 for the network side. */
static int drop(const struct privsep *ps, uint64_t keep, struct hw_err *err)
{
	uint64_t kept = 0;
	size_t i;
	int r;

	if (capng_get_caps_process() < 0) {
		core_err_set(err, "reading capabilities: %s", strerror(errno));
		return -EPERM;
	}
	for (i = 0; i < N_PROBER_CAPS; i++)
		if ((keep & (UINT64_C(1) << prober_caps[i])) &&
		    capng_have_capability(CAPNG_PERMITTED, prober_caps[i]))
			kept |= UINT64_C(1) << prober_caps[i];
	/* Without CAP_SETPCAP (a user, or a unit whose bounding set lacks
	 * it) the bounding set stays; no_new_privs below still stops any
	 * exec from gaining what it holds. */
	if (capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP)) {
		capng_clear(CAPNG_SELECT_BOUNDS);
		for (i = 0; i < N_PROBER_CAPS; i++)
			if (kept & (UINT64_C(1) << prober_caps[i]))
				capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET,
					     prober_caps[i]);
		if (capng_apply(CAPNG_SELECT_BOUNDS) < 0) {
			core_err_set(err, "shrinking the bounding set failed");
			return -EPERM;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		r = -errno;
		core_err_set(err, "clearing ambient capabilities: %s",
			   strerror(-r));
		return r;
	}
	if (ps->change_id) {
		r = set_ids(ps, kept != 0, err);
		if (r < 0)
			return r;
	}
	capng_clear(CAPNG_SELECT_CAPS);
	for (i = 0; i < N_PROBER_CAPS; i++)
		if (kept & (UINT64_C(1) << prober_caps[i]))
			capng_update(CAPNG_ADD,
				     CAPNG_EFFECTIVE | CAPNG_PERMITTED,
				     prober_caps[i]);
	if (capng_apply(CAPNG_SELECT_CAPS) < 0) {
		core_err_set(err, "setting capabilities failed");
		return -EPERM;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		r = -errno;
		core_err_set(err, "no_new_privs: %s", strerror(-r));
		return r;
	}
	/* Proof, not trust: root must be out of reach for good. */
	if (ps->change_id &&
	    (setresuid(0, 0, 0) == 0 || getuid() == 0 || geteuid() == 0)) {
		core_err_set(err, "uid 0 could be regained after the drop");
		return -EPERM;
	}
	return 0;
}

int privsep_drop_network(const struct privsep *ps, struct hw_err *err)
{
	return drop(ps, 0, err);
}

int privsep_drop_prober(const struct privsep *ps, struct hw_err *err)
{
	int r = drop(ps, PRIVSEP_PROBER_CAPS, err);

	/* It runs as the same user as the network side, which must not be
	 * able to read its memory or attach to it. */
	if (r == 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		r = -errno;
		core_err_set(err, "dumpable: %s", strerror(-r));
	}
	return r;
}

static bool in_groups(const struct privsep *ps, gid_t g)
{
	gid_t own[PRIVSEP_GROUPS_MAX];
	int i, n;

	if (ps->change_id) {
		for (i = 0; i < (int)ps->n_groups; i++)
			if (ps->groups[i] == g)
				return true;
		return ps->gid == g;
	}
	if (getegid() == g)
		return true;
	n = getgroups(PRIVSEP_GROUPS_MAX, own);
	for (i = 0; i < n; i++)
		if (own[i] == g)
			return true;
	return false;
}

int privsep_socket_access(const struct privsep *ps, const char *path,
			  char *why, size_t cap)
{
	uid_t uid = ps->change_id ? ps->uid : geteuid();
	struct group gr, *found = NULL;
	char buf[4096], gname[64];
	struct stat st;

	why[0] = '\0';
	if (stat(path, &st) < 0) {
		snprintf(why, cap, "%s: %s", path, strerror(errno));
		return -errno;
	}
	/* connect(2) on a unix socket needs write permission on it. */
	if (uid == 0 || (st.st_uid == uid && (st.st_mode & S_IWUSR)) ||
	    (in_groups(ps, st.st_gid) && (st.st_mode & S_IWGRP)) ||
	    (st.st_mode & S_IWOTH))
		return 0;
	if (getgrgid_r(st.st_gid, &gr, buf, sizeof buf, &found) == 0 &&
	    found != NULL)
		snprintf(gname, sizeof gname, "%s", gr.gr_name);
	else
		snprintf(gname, sizeof gname, "%u", (unsigned)st.st_gid);
	snprintf(why, cap,
		 "permission denied on %s: add the kagent user to group %s "
		 "(usermod -aG %s %s)",
		 path, gname, gname, ps->user[0] ? ps->user : "USER");
	return -EACCES;
}
