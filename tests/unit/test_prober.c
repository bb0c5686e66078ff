/* kagentd's prober only reads: its allow-list (prober_allow.c), its
 * closed request set answered by a real prober_serve in a forked child
 * (refusals logged on its stderr), and the unprivileged side's client
 * (prober_client.c), which checks every answer's framing before using a
 * byte of it; the peer there writes the malformed answers by hand. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
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
#include "hw_raw.h"
#include "nvme.h"
#include "prober_allow.h"
#include "prober_client.h"

#define HOST FIXTURES "/host-broker"

/* A root below a temporary directory T: T/root/etc/app.conf, a secret
 * beside the root (T/secret), and two ways out: T/root/etc/final -> the
 * secret (a last component that is a symlink), T/root/etc/up -> T (a
 * directory on the way). */
static char tmp[64], root[128];

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int tree_up(void **state)
{
	char p[256];

	(void)state;
	snprintf(tmp, sizeof tmp, "/tmp/kagent-prober-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(root, sizeof root, "%s/root", tmp);
	assert_int_equal(mkdir(root, 0700), 0);
	snprintf(p, sizeof p, "%s/etc", root);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof p, "%s/etc/app.conf", root);
	put(p, "listeners=PLAINTEXT://:9092\n");
	snprintf(p, sizeof p, "%s/secret", tmp);
	put(p, "not for the network side\n");
	snprintf(p, sizeof p, "%s/etc/final", root);
	assert_int_equal(symlink("../../secret", p), 0);
	snprintf(p, sizeof p, "%s/etc/up", root);
	assert_int_equal(symlink(tmp, p), 0);
	return 0;
}

static int tree_down(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static void conf_at(struct conf *c, const char *r)
{
	conf_defaults(c);
	snprintf(c->agent.root, sizeof c->agent.root, "%s", r);
}

/* ---- the allow-list ---- */

static int allowed(const struct prober_allow *al, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int allowed(const struct prober_allow *al, const char *fmt, ...)
{
	char p[PATH_MAX + 16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, sizeof p, fmt, ap);
	va_end(ap);
	return prober_allow_path(al, p);
}

static void test_allow_list_accepts_the_probes_places(void **state)
{
	struct prober_allow al;
	struct conf c;

	(void)state;
	conf_at(&c, "/srv/host");
	snprintf(c.kafka_config, sizeof c.kafka_config,
		 "/data/kafka/cfg/server.properties");
	snprintf(c.kafka_home, sizeof c.kafka_home, "/apps/kafka-3.6");
	assert_int_equal(prober_allow_init(&al, &c), 0);
	assert_int_equal(allowed(&al, "/srv/host/sys/block/sda/size"), 0);
	assert_int_equal(allowed(&al, "/srv/host/proc/meminfo"), 0);
	assert_int_equal(allowed(&al, "/srv/host/etc/kafka/server.properties"),
			 0);
	assert_int_equal(
	    allowed(&al, "/srv/host/opt/kafka/config/server.properties"), 0);
	assert_int_equal(allowed(&al, "/srv/host/etc/zookeeper/conf/zoo.cfg"),
			 0);
	assert_int_equal(allowed(&al, "/srv/host/data/kafka/cfg/jaas.conf"), 0);
	assert_int_equal(allowed(&al, "/srv/host/apps/kafka-3.6/libs"), 0);
	assert_int_equal(allowed(&al, "/srv/host/dev/sda"), 0);
}

static void test_allow_list_refuses_with_the_expected_errno(void **state)
{
	char longp[PATH_MAX + 8];
	struct prober_allow al;
	struct conf c;

	(void)state;
	conf_at(&c, "/srv/host");
	assert_int_equal(prober_allow_init(&al, &c), 0);
	/* Outside the list. */
	assert_int_equal(allowed(&al, "/srv/host/root/.ssh/id_ed25519"),
			 -EACCES);
	assert_int_equal(
	    allowed(&al, "/srv/host/var/lib/kafka/meta.properties"), -EACCES);
	assert_int_equal(allowed(&al, "/etc/shadow"), -EACCES);
	assert_int_equal(allowed(&al, "/srv/host/system/x"),
			 -EACCES);			    /* not sys/ */
	assert_int_equal(allowed(&al, "/srv/host/sys"), 0); /* the dir itself */
	/* "..", ".", relative. */
	assert_int_equal(allowed(&al, "/srv/host/etc/../root/x"), -EINVAL);
	assert_int_equal(allowed(&al, "/srv/host/sys/.."), -EINVAL);
	assert_int_equal(allowed(&al, "/srv/host/etc/./passwd"), -EINVAL);
	assert_int_equal(allowed(&al, "srv/host/etc/passwd"), -EINVAL);
	/* ".." inside a name is a name. */
	assert_int_equal(allowed(&al, "/srv/host/etc/a..b"), 0);
	/* Not UTF-8: a lone continuation byte, an overlong '/'. */
	assert_int_equal(allowed(&al, "/srv/host/etc/\x80"), -EINVAL);
	assert_int_equal(allowed(&al, "/srv/host/etc/\xc0\xaf"), -EINVAL);
	/* PATH_MAX bytes and more. */
	memset(longp, 'a', sizeof longp);
	memcpy(longp, "/srv/host/etc/", 14);
	longp[PATH_MAX] = '\0';
	assert_int_equal(prober_allow_path(&al, longp), -ENAMETOOLONG);
	longp[PATH_MAX - 1] = '\0';
	assert_int_equal(prober_allow_path(&al, longp), 0);
}

static void test_allow_open_follows_no_symlink_out(void **state)
{
	struct prober_allow al;
	struct conf c;
	char p[256], buf[64];
	int fd;
	ssize_t n;

	(void)state;
	conf_at(&c, root);
	assert_int_equal(prober_allow_init(&al, &c), 0);
	snprintf(p, sizeof p, "%s/etc/app.conf", root);
	assert_int_equal(prober_allow_open(&al, p, 0, &fd), 0);
	n = read(fd, buf, sizeof buf - 1);
	assert_int_equal(n, 28);
	buf[n] = '\0';
	assert_string_equal(buf, "listeners=PLAINTEXT://:9092\n");
	close(fd);
	/* A last component that is a symlink is not followed. */
	snprintf(p, sizeof p, "%s/etc/final", root);
	assert_int_equal(prober_allow_open(&al, p, 0, &fd), -ELOOP);
	assert_int_equal(fd, -1);
	/* A directory symlink on the way resolves outside: refused. */
	snprintf(p, sizeof p, "%s/etc/up/secret", root);
	assert_int_equal(prober_allow_path(&al, p), 0);
	assert_int_equal(prober_allow_open(&al, p, 0, &fd), -EACCES);
	assert_int_equal(fd, -1);
	/* Flags other than O_DIRECTORY are not the caller's to choose. */
	snprintf(p, sizeof p, "%s/etc/app.conf", root);
	assert_int_equal(prober_allow_open(&al, p, O_RDWR, &fd), -EINVAL);
	snprintf(p, sizeof p, "%s/etc", root);
	assert_int_equal(prober_allow_open(&al, p, O_DIRECTORY, &fd), 0);
	close(fd);
}

/* Below dev/ only block devices: /dev/null is a character device. */
static void test_allow_open_takes_block_devices_only_below_dev(void **state)
{
	struct prober_allow al;
	struct conf c;
	int fd;

	(void)state;
	conf_at(&c, "/");
	assert_int_equal(prober_allow_init(&al, &c), 0);
	assert_int_equal(prober_allow_open(&al, "/dev/null", 0, &fd), -EACCES);
	assert_int_equal(prober_allow_open(&al, "/proc/self/status", 0, &fd),
			 0);
	close(fd);
}

/* ---- the prober's request set, served by the real prober_serve ---- */

struct peer {
	int fd;
	int log; /* the prober's stderr */
	pid_t pid;
};

static void prober_start(struct peer *pp, const char *r)
{
	static struct conf conf;
	int sv[2], lp[2];

	conf_at(&conf, r);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(lp), 0);
	pp->pid = fork();
	assert_true(pp->pid >= 0);
	if (pp->pid == 0) {
		close(sv[0]);
		close(lp[0]);
		dup2(lp[1], 2);
		_exit(prober_serve(sv[1], &conf) == 0 ? 0 : 1);
	}
	close(sv[1]);
	close(lp[1]);
	pp->fd = sv[0];
	pp->log = lp[0];
}

static int prober_end(struct peer *pp)
{
	int status;

	close(pp->fd);
	assert_int_equal(waitpid(pp->pid, &status, 0), pp->pid);
	close(pp->log);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* One line of the prober's log. */
static void log_line(struct peer *pp, char *out, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap && read(pp->log, out + n, 1) == 1 && out[n] != '\n')
		n++;
	out[n] = '\0';
}

static void test_prober_opens_and_refuses_with_a_log_line(void **state)
{
	struct prober_client pc;
	struct prober_open_req q;
	struct peer pp;
	char msg[PROBER_MSG_MAX], line[600], want[600], buf[64];
	int fd;

	(void)state;
	prober_start(&pp, root);
	assert_int_equal(prober_client_init(&pc, pp.fd, 5000), 0);
	assert_int_equal(
	    prober_call(&pc, PROBER_PING, NULL, 0, NULL, msg, sizeof msg), 0);
	/* Allowed: the descriptor comes back, readable here. */
	q.flags = 0;
	snprintf(q.path, sizeof q.path, "%s/etc/app.conf", root);
	assert_int_equal(prober_call(&pc, PROBER_OPEN, &q,
				     sizeof q.flags + strlen(q.path) + 1, &fd,
				     msg, sizeof msg),
			 0);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, 9), 9);
	assert_memory_equal(buf, "listeners", 9);
	close(fd);
	/* Outside: -EACCES, no descriptor, one log line. */
	snprintf(q.path, sizeof q.path, "%s/secret", tmp);
	assert_int_equal(prober_call(&pc, PROBER_OPEN, &q,
				     sizeof q.flags + strlen(q.path) + 1, &fd,
				     msg, sizeof msg),
			 -EACCES);
	assert_int_equal(fd, -1);
	snprintf(want, sizeof want,
		 "open %s/secret refused: outside the "
		 "allow-list",
		 tmp);
	assert_string_equal(msg, want);
	log_line(&pp, line, sizeof line);
	snprintf(want, sizeof want,
		 "kagentd prober: request 2: open %s/secret "
		 "refused: outside the allow-list",
		 tmp);
	assert_string_equal(line, want);
	/* "..": -EINVAL, the path not echoed. */
	snprintf(q.path, sizeof q.path, "%s/etc/../../secret", root);
	assert_int_equal(prober_call(&pc, PROBER_OPEN, &q,
				     sizeof q.flags + strlen(q.path) + 1, &fd,
				     msg, sizeof msg),
			 -EINVAL);
	log_line(&pp, line, sizeof line);
	assert_string_equal(line, "kagentd prober: request 2: open of a path "
				  "refused: not an absolute UTF-8 path without "
				  ". or ..");
	/* The raw reads take device nodes below dev/ only. */
	assert_int_equal(prober_call(&pc, PROBER_ATA, q.path,
				     (uint32_t)strlen(q.path) + 1, NULL, msg,
				     sizeof msg),
			 -EINVAL);
	log_line(&pp, line, sizeof line);
	snprintf(q.path, sizeof q.path, "%s/etc/app.conf", root);
	assert_int_equal(prober_call(&pc, PROBER_NVME, q.path,
				     (uint32_t)strlen(q.path) + 1, NULL, msg,
				     sizeof msg),
			 -EACCES);
	snprintf(want, sizeof want, "device %s refused: not below dev/",
		 q.path);
	assert_string_equal(msg, want);
	log_line(&pp, line, sizeof line);
	snprintf(want, sizeof want,
		 "kagentd prober: request 4: device %s "
		 "refused: not below dev/",
		 q.path);
	assert_string_equal(line, want);
	/* A missing file is the file's answer, not a refusal. */
	q.flags = 0;
	snprintf(q.path, sizeof q.path, "%s/etc/none", root);
	assert_int_equal(prober_call(&pc, PROBER_OPEN, &q,
				     sizeof q.flags + strlen(q.path) + 1, &fd,
				     msg, sizeof msg),
			 -ENOENT);
	assert_int_equal(pc.dead, 0);
	prober_client_free(&pc);
	assert_int_equal(prober_end(&pp), 0);
}

/* Raw requests, written by hand: the set is closed and every body is
 * checked. */
static void raw_ask(struct peer *pp, uint32_t code, const void *body,
		    uint32_t len, struct prober_reply_hdr *h, char *msg,
		    size_t cap)
{
	struct prober_req_hdr q = {.code = code, .job = 0, .len = len};
	size_t got = 0;

	assert_int_equal(write(pp->fd, &q, sizeof q), sizeof q);
	if (len)
		assert_int_equal(write(pp->fd, body, len), len);
	assert_int_equal(read(pp->fd, h, sizeof *h), sizeof *h);
	assert_true(h->len < cap);
	while (got < h->len) {
		ssize_t n = read(pp->fd, msg + got, h->len - got);

		assert_true(n > 0);
		got += (size_t)n;
	}
	msg[got] = '\0';
}

static void test_prober_refuses_an_unknown_request_code(void **state)
{
	struct prober_reply_hdr h;
	struct peer pp;
	char msg[128], line[256];

	(void)state;
	prober_start(&pp, HOST);
	raw_ask(&pp, 99, NULL, 0, &h, msg, sizeof msg);
	assert_int_equal(h.code, 99);
	assert_int_equal(h.status, -EINVAL);
	assert_string_equal(msg, "unknown request code 99");
	log_line(&pp, line, sizeof line);
	assert_string_equal(
	    line, "kagentd prober: request 99: unknown request code 99");
	/* The codes the loop's jobs had are no requests of the prober's. */
	raw_ask(&pp, 0, NULL, 0, &h, msg, sizeof msg);
	assert_int_equal(h.status, -EINVAL);
	assert_string_equal(msg, "unknown request code 0");
	/* It goes on serving, in step. */
	raw_ask(&pp, PROBER_PING, NULL, 0, &h, msg, sizeof msg);
	assert_int_equal(h.code, PROBER_PING);
	assert_int_equal(h.status, 0);
	assert_int_equal(h.len, 0);
	assert_int_equal(prober_end(&pp), 0);
}

static void test_prober_checks_each_body(void **state)
{
	struct prober_reply_hdr h;
	struct peer pp;
	char msg[128], junk[16];

	(void)state;
	memset(junk, 'x', sizeof junk);
	prober_start(&pp, HOST);
	raw_ask(&pp, PROBER_PING, junk, 8, &h, msg, sizeof msg);
	assert_int_equal(h.status, -EINVAL);
	assert_string_equal(msg, "ping takes no body");
	raw_ask(&pp, PROBER_OPEN, junk, 4, &h, msg, sizeof msg);
	assert_int_equal(h.status, -EINVAL);
	assert_string_equal(msg, "open request without a path");
	raw_ask(&pp, PROBER_OPEN, junk, sizeof junk, &h, msg, sizeof msg);
	assert_int_equal(h.status, -EINVAL);
	assert_string_equal(msg, "path without its NUL");
	raw_ask(&pp, PROBER_SMARTCTL, junk, sizeof junk, &h, msg, sizeof msg);
	assert_int_equal(h.status, -EINVAL);
	assert_string_equal(msg, "device path without its NUL");
	raw_ask(&pp, PROBER_PING, NULL, 0, &h, msg, sizeof msg);
	assert_int_equal(h.status, 0);
	assert_int_equal(prober_end(&pp), 0);
}

/* The two RAID requests: a scan takes no body; a typed read takes
 * exactly "TYPE\0NODE\0", both within the grammar, or nothing runs. */
static void test_prober_raid_requests_keep_to_the_grammar(void **state)
{
	static const struct {
		const char *body;
		size_t len;
		int status;
		const char *msg;
	} t[] = {
	    {"megaraid,0;reboot\0/dev/bus/0", 29, -EACCES, "refused"},
	    {"megaraid,0\0/etc/shadow", 23, -EACCES, "refused"},
	    {"megaraid,0\0/dev/bus/0/../../etc", 32, -EACCES, "refused"},
	    {"-d\0/dev/sda", 12, -EACCES, "refused"},
	    {"megaraid,0", 11, -EINVAL, "body"},
	    {"megaraid,0", 10, -EINVAL, "body"},
	    {"sat\0/dev/sda\0x", 15, -EINVAL, "body"},
	    {"sat\0/dev/sda", 12, -EINVAL, "body"},
	};
	struct prober_reply_hdr h;
	struct peer pp;
	char msg[128], line[256];
	size_t i;

	(void)state;
	prober_start(&pp, HOST);
	raw_ask(&pp, PROBER_SMARTCTL_SCAN, "x", 1, &h, msg, sizeof msg);
	assert_int_equal(h.code, PROBER_SMARTCTL_SCAN);
	assert_int_equal(h.status, -EINVAL);
	assert_string_equal(msg, "smartctl scan takes no body");
	log_line(&pp, line, sizeof line);
	assert_string_equal(
	    line, "kagentd prober: request 6: smartctl scan takes no body");
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		raw_ask(&pp, PROBER_SMARTCTL_TYPED, t[i].body,
			(uint32_t)t[i].len, &h, msg, sizeof msg);
		assert_int_equal(h.code, PROBER_SMARTCTL_TYPED);
		if (h.status != t[i].status)
			fail_msg("body %zu: status %d", i, h.status);
		assert_string_equal(
		    msg, t[i].status == -EACCES
			     ? "typed smartctl refused: device type or node "
			       "outside the grammar"
			     : "typed smartctl: body is not TYPE NODE");
		log_line(&pp, line, sizeof line);
		assert_non_null(strstr(line, "kagentd prober: request 7: "));
	}
	raw_ask(&pp, PROBER_PING, NULL, 0, &h, msg, sizeof msg);
	assert_int_equal(h.status, 0);
	assert_int_equal(prober_end(&pp), 0);
}

static void test_prober_stops_on_a_body_beyond_any_request(void **state)
{
	struct prober_req_hdr q = {.code = PROBER_OPEN,
				   .len = PROBER_REQ_MAX + 1};
	struct prober_reply_hdr h;
	struct peer pp;
	char msg[128] = "", want[128];

	(void)state;
	snprintf(want, sizeof want, "body of %zu bytes is too large",
		 PROBER_REQ_MAX + 1);
	prober_start(&pp, HOST);
	assert_int_equal(write(pp.fd, &q, sizeof q), sizeof q);
	assert_int_equal(read(pp.fd, &h, sizeof h), sizeof h);
	assert_int_equal(h.status, -EMSGSIZE);
	assert_int_equal(read(pp.fd, msg, h.len), h.len);
	msg[h.len] = '\0';
	assert_string_equal(msg, want);
	/* It closes its end rather than guess where the next request is. */
	assert_int_equal(read(pp.fd, msg, 1), 0);
	assert_int_equal(prober_end(&pp), 1);
}

/* ---- the client's checks of each answer ---- */

struct chan {
	int mine, peer;
	struct prober_client pc;
};

static void chan_up(struct chan *c, int64_t timeout_ms)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	c->mine = sv[0];
	c->peer = sv[1];
	assert_int_equal(prober_client_init(&c->pc, c->mine, timeout_ms), 0);
}

static void chan_down(struct chan *c)
{
	prober_client_free(&c->pc);
	close(c->mine);
	if (c->peer >= 0)
		close(c->peer);
}

/* The peer's reply to come: header, then n bytes of body. */
static void peer_says(struct chan *c, uint32_t code, int32_t status,
		      uint32_t len, size_t n)
{
	struct prober_reply_hdr h = {
	    .code = code, .status = status, .len = len};
	uint8_t *body = calloc(1, n ? n : 1);

	assert_int_equal(write(c->peer, &h, sizeof h), sizeof h);
	if (n)
		assert_int_equal(write(c->peer, body, n), (ssize_t)n);
	free(body);
}

static void test_client_refuses_an_oversized_answer(void **state)
{
	struct chan c;
	char msg[64];

	(void)state;
	chan_up(&c, 2000);
	peer_says(&c, PROBER_NVME, 0, HW_NVME_LOG_LEN + 1, 0);
	assert_int_equal(prober_call(&c.pc, PROBER_NVME, "/dev/nvme0", 11, NULL,
				     msg, sizeof msg),
			 -EMSGSIZE);
	/* The stream is out of step for good: no further request. */
	assert_int_equal(
	    prober_call(&c.pc, PROBER_PING, NULL, 0, NULL, msg, sizeof msg),
	    -EMSGSIZE);
	chan_down(&c);
	/* An error message is bounded too. */
	chan_up(&c, 2000);
	peer_says(&c, PROBER_PING, -EIO, PROBER_MSG_MAX + 1, 0);
	assert_int_equal(
	    prober_call(&c.pc, PROBER_PING, NULL, 0, NULL, msg, sizeof msg),
	    -EMSGSIZE);
	chan_down(&c);
}

static void test_client_refuses_a_truncated_reply(void **state)
{
	struct chan c;
	char msg[64];

	(void)state;
	chan_up(&c, 2000);
	peer_says(&c, PROBER_NVME, 0, HW_NVME_LOG_LEN, 100);
	close(c.peer);
	c.peer = -1;
	assert_int_equal(prober_call(&c.pc, PROBER_NVME, "/dev/nvme0", 11, NULL,
				     msg, sizeof msg),
			 -EPIPE);
	assert_int_equal(c.pc.dead, -EPIPE);
	chan_down(&c);
	/* Half a header. */
	chan_up(&c, 2000);
	assert_int_equal(write(c.peer, "\x02\0\0", 3), 3);
	close(c.peer);
	c.peer = -1;
	assert_int_equal(
	    prober_call(&c.pc, PROBER_PING, NULL, 0, NULL, msg, sizeof msg),
	    -EPIPE);
	chan_down(&c);
}

static void test_client_refuses_an_answer_out_of_turn(void **state)
{
	struct chan c;
	char msg[64];
	int fd;

	(void)state;
	chan_up(&c, 2000);
	peer_says(&c, PROBER_ATA, 0, 0, 0);
	assert_int_equal(
	    prober_call(&c.pc, PROBER_PING, NULL, 0, NULL, msg, sizeof msg),
	    -EPROTO);
	chan_down(&c);
	/* A successful OPEN without its descriptor. */
	chan_up(&c, 2000);
	peer_says(&c, PROBER_OPEN, 0, 0, 0);
	assert_int_equal(prober_call(&c.pc, PROBER_OPEN, "\0\0\0\0/x", 7, &fd,
				     msg, sizeof msg),
			 -EPROTO);
	assert_int_equal(fd, -1);
	chan_down(&c);
}

static void test_client_gives_up_at_its_deadline(void **state)
{
	struct chan c;
	char msg[64];

	(void)state;
	chan_up(&c, 200);
	assert_int_equal(
	    prober_call(&c.pc, PROBER_PING, NULL, 0, NULL, msg, sizeof msg),
	    -ETIMEDOUT);
	chan_down(&c);
}

/* The watchdog's answer for a replaced worker is counted, its reason
 * kept, and the channel stays usable. */
static void test_client_counts_a_restart(void **state)
{
	static const char why[] = "no answer to the health request in 2 s: "
				  "prober restarted";
	struct prober_reply_hdr h = {.code = PROBER_PING,
				     .status = -PROBER_RESTARTED,
				     .len = sizeof why - 1};
	struct chan c;
	char msg[128];

	(void)state;
	chan_up(&c, 2000);
	assert_int_equal(write(c.peer, &h, sizeof h), sizeof h);
	assert_int_equal(write(c.peer, why, sizeof why - 1), sizeof why - 1);
	assert_int_equal(
	    prober_call(&c.pc, PROBER_PING, NULL, 0, NULL, msg, sizeof msg),
	    -PROBER_RESTARTED);
	assert_string_equal(msg, why);
	assert_int_equal(c.pc.restarts, 1);
	assert_string_equal(c.pc.last_error, why);
	assert_int_equal(c.pc.dead, 0);
	chan_down(&c);
}

/* The hooks act for the thread a job is bound to only: elsewhere a raw
 * read is refused here, without a round trip and without the ioctl the
 * network side's filter forbids. */
static void test_hooks_route_reads_of_the_bound_thread_only(void **state)
{
	struct hw_err err = {{0}};
	struct prober_client pc;
	struct hw_ata_smart s;
	struct peer pp;
	char want[256];

	(void)state;
	prober_start(&pp, HOST);
	assert_int_equal(prober_client_init(&pc, pp.fd, 5000), 0);
	prober_client_install(true);
	assert_int_equal(hw_ata_smart_read("/dev/sdq", &s, &err), -EACCES);
	assert_string_equal(err.msg,
			    "/dev/sdq: read by the prober, within a job only");
	prober_client_bind(&pc);
	/* Bound: the prober answers, and refuses what is not below dev/. */
	assert_int_equal(hw_ata_smart_read("/dev/sdq", &s, &err), -EACCES);
	snprintf(want, sizeof want, "device /dev/sdq refused: not below dev/");
	assert_string_equal(err.msg, want);
	prober_client_bind(NULL);
	prober_client_install(false);
	assert_ptr_equal(hw_raw_get()->ata, hw_ata_smart_read_raw);
	prober_client_free(&pc);
	assert_int_equal(prober_end(&pp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_allow_list_accepts_the_probes_places),
	    cmocka_unit_test(test_allow_list_refuses_with_the_expected_errno),
	    cmocka_unit_test(test_allow_open_follows_no_symlink_out),
	    cmocka_unit_test(
		test_allow_open_takes_block_devices_only_below_dev),
	    cmocka_unit_test(test_prober_opens_and_refuses_with_a_log_line),
	    cmocka_unit_test(test_prober_refuses_an_unknown_request_code),
	    cmocka_unit_test(test_prober_checks_each_body),
	    cmocka_unit_test(test_prober_stops_on_a_body_beyond_any_request),
	    cmocka_unit_test(test_client_refuses_an_oversized_answer),
	    cmocka_unit_test(test_client_refuses_a_truncated_reply),
	    cmocka_unit_test(test_client_refuses_an_answer_out_of_turn),
	    cmocka_unit_test(test_client_gives_up_at_its_deadline),
	    cmocka_unit_test(test_client_counts_a_restart),
	    cmocka_unit_test(test_prober_raid_requests_keep_to_the_grammar),
	    cmocka_unit_test(test_hooks_route_reads_of_the_bound_thread_only),
	};

	/* As in kagentd: a peer that went away is -EPIPE, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, tree_up, tree_down);
}
