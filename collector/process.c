/* What kcollectord does to its own process at start: as many descriptors
 * as it is allowed, and no root once its ports and files are open.
 *
 * The unit starts it as its user already (User=, LimitNOFILE=); by hand
 * as root it used to keep uid 0 and every capability while parsing
 * whatever the network sends.  The drop (privdrop.c) is like kagentd's
 * network side's: the user's ids and primary group only, no capability in
 * any set, no_new_privs, and a proof that uid 0 cannot be regained. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coll_limits.h"

int coll_nofile_raise(uint64_t *soft, uint64_t *hard)
{
	struct rlimit rl;
	int r = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur < rl.rlim_max) {
		/* Under a seccomp filter without @resources this fails:
		 * LimitNOFILE= in the unit has done it then. */
		struct rlimit up = {rl.rlim_max, rl.rlim_max};

		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			rl = up;
		else
			r = -errno;
	}
	*soft = rl.rlim_cur;
	*hard = rl.rlim_max;
	return r;
}

/* The database and its WAL files, created by root a moment ago, must stay
 * writable by the user; only regular files, never through a link. */
static int own_db_file(const char *path, uid_t uid, gid_t gid, char *err,
		       size_t errlen)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_uid != uid || st.st_gid != gid) &&
	    fchown(fd, uid, gid) < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: chown to uid %u: %s", path,
			 (unsigned)uid, strerror(e));
		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

struct coll_user {
	bool change_id;
	uid_t uid;
	gid_t gid;
};

static int lookup(const char *user, struct coll_user *ps, char *err,
		  size_t errlen)
{
	struct passwd pw, *found = NULL;
	char buf[4096];
	int r;

	r = getpwnam_r(user, &pw, buf, sizeof buf, &found);
	if (r != 0 || found == NULL) {
		snprintf(err, errlen,
			 "user '%s' %s: create it (useradd --system "
			 "--no-create-home %s) or name another with --user "
			 "(user in [collector])",
			 user, r ? strerror(r) : "does not exist", user);
		return r ? -r : -ENOENT;
	}
	if (pw.pw_uid == 0) {
		snprintf(err, errlen,
			 "user '%s' is uid 0: name an unprivileged user with "
			 "--user (user in [collector])",
			 user);
		return -EPERM;
	}
	ps->change_id = true;
	ps->uid = pw.pw_uid;
	ps->gid = pw.pw_gid;
	return 0;
}

int coll_privdrop(const char *user, const char *db, char *err, size_t errlen)
{
	static const char *const suffix[] = {"", "-wal", "-shm"};
	struct coll_user ps = {0};
	char path[4200], msg[256];
	size_t i;
	int r;

	if (geteuid() == 0) {
		r = lookup(user, &ps, err, errlen);
		if (r < 0)
			return r;
		for (i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
			snprintf(path, sizeof path, "%s%s", db, suffix[i]);
			r = own_db_file(path, ps.uid, ps.gid, err, errlen);
			if (r < 0)
				return r;
		}
	}
	r = coll_drop_to(ps.change_id, ps.uid, ps.gid, msg, sizeof msg);
	if (r < 0)
		snprintf(err, errlen, "dropping privileges: %s", msg);
	return r;
}
