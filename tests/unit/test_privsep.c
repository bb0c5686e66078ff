/* kagentd's privilege drop, tried in forked children that report their
 * /proc/self/status; and the [agent] user key (test_prober has the
 * prober's request set).  Run as root (CI), the drop changes identity to nobody;
 * run as another user, the same tests assert that nothing changes but
 * the capabilities. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon.h"
#include "privsep.h"

#define HOST FIXTURES "/host-broker"

/* "Uid", "CapEff", ... of /proc/self/status, tabs squeezed to spaces. */
static void status_field(const char *name, char *out, size_t len)
{
	char line[256];
	size_t n = strlen(name);
	FILE *f = fopen("/proc/self/status", "re");

	out[0] = '\0';
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, name, n) && line[n] == ':') {
			char *s = line + n + 1, *d = out;

			s += strspn(s, " \t");
			while (*s && *s != '\n' &&
			       (size_t)(d - out) < len - 1) {
				*d++ = *s == '\t' ? ' ' : *s;
				s++;
			}
			while (d > out && d[-1] == ' ')
				d--;
			*d = '\0';
		}
	if (f)
		fclose(f);
}

struct drop_result {
	int r;
	char err[256];
	char uid[64], groups[64];
	char cap_eff[32], cap_prm[32], cap_bnd[32], cap_amb[32];
	char nnp[8];
};

/* Runs the drop in a child, which sends back what it became. */
static void drop_in_child(bool prober, struct drop_result *out)
{
	struct drop_result res;
	struct hw_err err = {{0}};
	struct privsep ps;
	int p[2], status;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		memset(&res, 0, sizeof res);
		res.r = privsep_init(&ps, "nobody", &err);
		if (res.r == 0)
			res.r = prober ? privsep_drop_prober(&ps, &err)
				       : privsep_drop_network(&ps, &err);
		snprintf(res.err, sizeof res.err, "%s", err.msg);
		status_field("Uid", res.uid, sizeof res.uid);
		status_field("Groups", res.groups, sizeof res.groups);
		status_field("CapEff", res.cap_eff, sizeof res.cap_eff);
		status_field("CapPrm", res.cap_prm, sizeof res.cap_prm);
		status_field("CapBnd", res.cap_bnd, sizeof res.cap_bnd);
		status_field("CapAmb", res.cap_amb, sizeof res.cap_amb);
		status_field("NoNewPrivs", res.nnp, sizeof res.nnp);
		_exit(write(p[1], &res, sizeof res) == sizeof res ? 0 : 1);
	}
	close(p[1]);
	assert_int_equal(read(p[0], out, sizeof *out), sizeof *out);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void expect_ids(const struct drop_result *r)
{
	char want[64];
	unsigned id = geteuid() == 0 ? 65534 : (unsigned)getuid();

	snprintf(want, sizeof want, "%u %u %u %u", id, id, id, id);
	assert_string_equal(r->uid, want);
	if (geteuid() == 0)
		assert_string_equal(r->groups, "65534");
}

static void test_network_side_has_no_capability_and_no_root(void **state)
{
	struct drop_result r;

	(void)state;
	drop_in_child(false, &r);
	assert_string_equal(r.err, "");
	assert_int_equal(r.r, 0);
	expect_ids(&r);
	assert_string_equal(r.cap_eff, "0000000000000000");
	assert_string_equal(r.cap_prm, "0000000000000000");
	assert_string_equal(r.cap_amb, "0000000000000000");
	if (geteuid() == 0)
		assert_string_equal(r.cap_bnd, "0000000000000000");
	assert_string_equal(r.nnp, "1");
}

static void test_prober_keeps_exactly_three_capabilities(void **state)
{
	struct drop_result r;
	char want[32];

	(void)state;
	drop_in_child(true, &r);
	assert_string_equal(r.err, "");
	assert_int_equal(r.r, 0);
	expect_ids(&r);
	/* A user without capabilities has none of the three to keep. */
	snprintf(want, sizeof want, "%016llx",
		 geteuid() == 0 ? (unsigned long long)PRIVSEP_PROBER_CAPS
				: 0ull);
	assert_string_equal(want, geteuid() == 0 ? "0000000000220004"
						 : "0000000000000000");
	assert_string_equal(r.cap_eff, want);
	assert_string_equal(r.cap_prm, want);
	assert_string_equal(r.cap_amb, "0000000000000000");
	if (geteuid() == 0)
		assert_string_equal(r.cap_bnd, want);
	assert_string_equal(r.nnp, "1");
}

static void test_missing_or_root_user_is_refused_as_root(void **state)
{
	struct hw_err err = {{0}};
	struct privsep ps;

	(void)state;
	if (geteuid() != 0) {
		/* Started as a user, the name is not even looked up. */
		assert_int_equal(privsep_init(&ps, "no-such-user-kagent", &err),
				 0);
		assert_false(ps.change_id);
		assert_int_equal(ps.uid, getuid());
		return;
	}
	assert_int_equal(privsep_init(&ps, "no-such-user-kagent", &err),
			 -ENOENT);
	assert_string_equal(
	    err.msg, "user 'no-such-user-kagent' does not exist: create it "
		     "(useradd --system --no-create-home "
		     "no-such-user-kagent) or name another in [agent] user");
	assert_int_equal(privsep_init(&ps, "root", &err), -EPERM);
	assert_string_equal(
	    err.msg, "user 'root' is uid 0: the network side must not run "
		     "as root; name an unprivileged user in [agent] user");
}

/* The spool is handed over, regular files included; a symlink in it is
 * not followed, so the file it names keeps its owner. */
static void test_own_dir_hands_over_files_not_symlink_targets(void **state)
{
	struct privsep ps = {
	    .change_id = true, .uid = 65534, .gid = 65534, .user = "nobody"};
	struct hw_err err = {{0}};
	char top[] = "/tmp/test_privsep.XXXXXX", dir[64], path[160], target[96];
	struct stat st;
	int fd;

	(void)state;
	/* A user may not give files away: handing them to root fails. */
	if (geteuid() != 0)
		ps.uid = ps.gid = 0;
	assert_non_null(mkdtemp(top));
	snprintf(dir, sizeof dir, "%s/spool", top);
	snprintf(target, sizeof target, "%s/elsewhere", top);
	assert_int_equal(mkdir(dir, 0750), 0);
	snprintf(path, sizeof path, "%s/00000000000000000001.frame", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	fd = open(target, O_CREAT | O_WRONLY | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof path, "%s/link", dir);
	assert_int_equal(symlink(target, path), 0);

	if (geteuid() != 0) {
		assert_int_equal(privsep_own_dir(&ps, dir, &err), -EPERM);
	} else {
		assert_int_equal(privsep_own_dir(&ps, dir, &err), 0);
		assert_int_equal(stat(dir, &st), 0);
		assert_int_equal(st.st_uid, 65534);
		assert_int_equal(st.st_gid, 65534);
		snprintf(path, sizeof path, "%s/00000000000000000001.frame",
			 dir);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_uid, 65534);
		assert_int_equal(stat(target, &st), 0);
		assert_int_equal(st.st_uid, 0);
		snprintf(path, sizeof path, "%s/link", dir);
		assert_int_equal(lstat(path, &st), 0);
		assert_int_equal(st.st_uid, 0);
	}
	/* A directory anyone may write is never handed over. */
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(privsep_own_dir(&ps, dir, &err), -EPERM);
	snprintf(path, sizeof path,
		 "%s: every user may write there; kagentd needs a directory of "
		 "its own",
		 dir);
	assert_string_equal(err.msg, path);

	snprintf(path, sizeof path, "%s/link", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/00000000000000000001.frame", dir);
	unlink(path);
	rmdir(dir);
	unlink(target);
	rmdir(top);
}

static void test_conf_user_defaults_to_kagent_and_is_checked(void **state)
{
	struct conf c;
	char err[256];

	(void)state;
	conf_defaults(&c);
	assert_string_equal(c.agent.user, "kagent");
	assert_int_equal(conf_parse("[agent]\nuser = _kagent-2.x\n", "k.conf",
				    &c, err, sizeof err),
			 0);
	assert_string_equal(c.agent.user, "_kagent-2.x");
	assert_int_equal(
	    conf_parse("[agent]\nuser = -rf\n", "k.conf", &c, err, sizeof err),
	    -EINVAL);
	assert_string_equal(err, "k.conf:2: bad user '-rf' (a login name of at "
				 "most 32 characters from A-Z a-z 0-9 . _ -)");
	assert_int_equal(conf_parse("[agent]\nuser = kagent user\n", "k.conf",
				    &c, err, sizeof err),
			 -EINVAL);
	assert_int_equal(conf_parse("[agent]\nuser = "
				    "a23456789012345678901234567890123\n",
				    "k.conf", &c, err, sizeof err),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_network_side_has_no_capability_and_no_root),
	    cmocka_unit_test(test_prober_keeps_exactly_three_capabilities),
	    cmocka_unit_test(test_missing_or_root_user_is_refused_as_root),
	    cmocka_unit_test(test_own_dir_hands_over_files_not_symlink_targets),
	    cmocka_unit_test(test_conf_user_defaults_to_kagent_and_is_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
