/* A real kcollectord on loopback, spoken to by simulated agents that
 * encode with proto_envelope_encode: the conversation, the faults that
 * close one connection and leave the others reporting, the fleet view,
 * /metrics through promtool, and a restart that loses nothing. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "proto.h"

struct coll_proc {
	pid_t pid;
	int agent_port;
	int http_port;
	char dir[64];
	char db[128];
	char log[128];
};

static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t l = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int tcp_connect(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void coll_start(struct coll_proc *p)
{
	char dir[1024], bin[1100], listen_arg[64], http_arg[64];
	int i, fd;

	snprintf(dir, sizeof dir, "%s", KAGENT_BIN);
	snprintf(bin, sizeof bin, "%s/kcollectord", dirname(dir));
	snprintf(listen_arg, sizeof listen_arg, "127.0.0.1:%d", p->agent_port);
	snprintf(http_arg, sizeof http_arg, "127.0.0.1:%d", p->http_port);
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (p->pid == 0) {
		fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(fd, 2);
		/* Started as root it would become kagent-collector. */
		execl(bin, "kcollectord", "--insecure", "--listen", listen_arg,
		      "--http", http_arg, "--db", p->db, "--user", "nobody",
		      (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		fd = tcp_connect(p->http_port);
		if (fd >= 0) {
			close(fd);
			return;
		}
		usleep(20000);
	}
	fail_msg("kcollectord did not listen on %d", p->http_port);
}

static void coll_kill(struct coll_proc *p)
{
	int st;

	kill(p->pid, SIGTERM);
	assert_int_equal(waitpid(p->pid, &st, 0), p->pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* ---- a simulated agent ---- */

struct agent {
	int fd;
	char host_id[64];
	struct proto_framer fr;
	kagent_v1_Envelope *in;
	bool got;
};

static int agent_frame(void *arg, const uint8_t *p, size_t n)
{
	struct agent *a = arg;

	assert_int_equal(proto_envelope_decode(p, n, a->in, NULL, NULL), 0);
	a->got = true;
	return 0;
}

/* Waits for one frame; false on EOF or after 5 s. */
static bool agent_recv(struct agent *a)
{
	struct pollfd pfd = {a->fd, POLLIN, 0};
	uint8_t buf[4096];
	ssize_t n;

	a->got = false;
	while (!a->got) {
		if (poll(&pfd, 1, 5000) <= 0)
			return false;
		n = read(a->fd, buf, sizeof buf);
		if (n <= 0)
			return false;
		assert_int_equal(
		    proto_framer_feed(&a->fr, buf, (size_t)n, agent_frame, a),
		    0);
	}
	return true;
}

/* True once the collector has closed the connection (after any error
 * frame it sent first). */
static bool agent_closed(struct agent *a)
{
	struct pollfd pfd = {a->fd, POLLIN, 0};
	uint8_t buf[4096];
	ssize_t n;

	for (;;) {
		if (poll(&pfd, 1, 5000) <= 0)
			return false;
		n = read(a->fd, buf, sizeof buf);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return true;
		if (n < 0)
			return false;
	}
}

static void agent_send(struct agent *a, const kagent_v1_Envelope *e)
{
	static uint8_t buf[PROTO_FRAME_MAX + PROTO_FRAME_HDR];
	size_t len;

	assert_int_equal(proto_envelope_encode(e, buf, sizeof buf, &len, NULL),
			 0);
	assert_int_equal(write(a->fd, buf, len), (ssize_t)len);
}

static void agent_open(struct agent *a, int port, const char *host_id)
{
	memset(a, 0, sizeof *a);
	a->fd = tcp_connect(port);
	assert_true(a->fd >= 0);
	snprintf(a->host_id, sizeof a->host_id, "%s", host_id);
	proto_framer_init(&a->fr, 0);
	a->in = calloc(1, sizeof *a->in);
}

static void agent_close(struct agent *a)
{
	close(a->fd);
	proto_framer_free(&a->fr);
	free(a->in);
}

/* Hello; returns the collector's ack (its last stored seq). */
static uint64_t agent_hello(struct agent *a)
{
	kagent_v1_Envelope *e = calloc(1, sizeof *e);

	e->which_msg = kagent_v1_Envelope_hello_tag;
	e->msg.hello.protocol_version = PROTO_VERSION;
	strcpy(e->msg.hello.host_id, a->host_id);
	strcpy(e->msg.hello.agent_version, "0.1.0");
	agent_send(a, e);
	free(e);
	assert_true(agent_recv(a));
	assert_int_equal(a->in->which_msg, kagent_v1_Envelope_ack_tag);
	return a->in->msg.ack.seq;
}

struct host_spec {
	const char *cluster;
	const char *rack;
	int role; /* kagent_v1_Role */
};

static void agent_report_as(struct agent *a, const char *host_id, uint64_t seq,
			    const struct host_spec *hs)
{
	kagent_v1_Envelope *e = calloc(1, sizeof *e);
	kagent_v1_Report *r = &e->msg.report;
	struct proto_lists l;
	kagent_v1_CheckResult *c;
	kagent_v1_Disk *d;

	proto_lists_init(&l);
	e->which_msg = kagent_v1_Envelope_report_tag;
	strcpy(r->host_id, host_id);
	strcpy(r->hostname, host_id);
	strcpy(r->cluster, hs->cluster);
	strcpy(r->rack, hs->rack);
	r->roles_count = 1;
	r->roles[0] = hs->role;
	r->seq = seq;
	r->timestamp_ms = 1717171717000LL;
	r->report_interval_s = 60;
	r->verdict = kagent_v1_Severity_SEVERITY_WARN;
	proto_report_bind(r, &l);
	assert_int_equal(proto_list_add(&l.checks, (void **)&c), 0);
	strcpy(c->id, "os.swappiness");
	c->severity = kagent_v1_Severity_SEVERITY_WARN;
	strcpy(c->measured, "60");
	strcpy(c->required, "at most 1");
	assert_int_equal(proto_list_add(&l.disks, (void **)&d), 0);
	strcpy(d->name, "sda");
	d->has_health = true;
	d->health.verdict = kagent_v1_Severity_SEVERITY_PASS;
	agent_send(a, e);
	proto_lists_free(&l);
	free(e);
}

static const struct host_spec broker = {"payments", "r1",
					kagent_v1_Role_ROLE_KAFKA};

static uint64_t agent_report(struct agent *a, uint64_t seq)
{
	agent_report_as(a, a->host_id, seq, &broker);
	assert_true(agent_recv(a));
	assert_int_equal(a->in->which_msg, kagent_v1_Envelope_ack_tag);
	return a->in->msg.ack.seq;
}

/* ---- HTTP ---- */

/* The body of GET path; *status gets the status code. */
static char *http_get(int port, const char *path, int *status)
{
	char req[256], *buf = NULL, *body;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd = tcp_connect(port);

	assert_true(fd >= 0);
	n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: t\r\n\r\n",
		     path);
	assert_int_equal(write(fd, req, (size_t)n), n);
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 131072;
			buf = realloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	assert_int_equal(sscanf(buf, "HTTP/1.1 %d", status), 1);
	body = strstr(buf, "\r\n\r\n");
	assert_non_null(body);
	body = strdup(body + 4);
	free(buf);
	return body;
}

static void metrics_has(const char *m, const char *line)
{
	char want[256];

	snprintf(want, sizeof want, "\n%s\n", line);
	if (strstr(m, want) == NULL)
		fail_msg("/metrics lacks '%s'", line);
	printf("metrics: %s\n", line);
}

static void promtool_passes(const char *dir, const char *metrics)
{
	char path[128], cmd[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/metrics.txt", dir);
	f = fopen(path, "w");
	fputs(metrics, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "promtool check metrics < %s", path);
	assert_int_equal(system(cmd), 0);
}

static const char *cluster_verdict(json_t *fleet, const char *name)
{
	json_t *c;
	size_t i;

	json_array_foreach(
	    json_object_get(fleet, "clusters"), i,
	    c) if (strcmp(json_string_value(json_object_get(c, "name")),
			  name) ==
		   0) return json_string_value(json_object_get(c, "verdict"));
	return NULL;
}

/* ---- the scenario ---- */

static void raw_send(int fd, const void *p, size_t n)
{
	assert_int_equal(write(fd, p, n), (ssize_t)n);
}

static void
test_faults_close_one_connection_and_restart_loses_nothing(void **state)
{
	struct coll_proc p = {0};
	struct agent good, bad, zk[5];
	static const struct host_spec zk2 = {"zk-two", "r1",
					     kagent_v1_Role_ROLE_ZOOKEEPER};
	struct host_spec zk3[3] = {
	    {"zk-three", "r1", kagent_v1_Role_ROLE_ZOOKEEPER},
	    {"zk-three", "r2", kagent_v1_Role_ROLE_ZOOKEEPER},
	    {"zk-three", "r3", kagent_v1_Role_ROLE_ZOOKEEPER}};
	uint8_t junk[64], over[4] = {0xff, 0xff, 0xff, 0xff};
	uint8_t trunc[14] = {0, 0, 0, 100, 0x0a, 0x02};
	char *m, *body;
	json_t *fleet;
	int status, i;
	uint64_t seq;

	(void)state;
	snprintf(p.dir, sizeof p.dir, "/tmp/kcoll-test-XXXXXX");
	assert_non_null(mkdtemp(p.dir));
	snprintf(p.db, sizeof p.db, "%s/c.db", p.dir);
	snprintf(p.log, sizeof p.log, "%s/c.log", p.dir);
	p.agent_port = free_port();
	p.http_port = free_port();
	coll_start(&p);

	agent_open(&good, p.agent_port, "broker-1");
	assert_int_equal(agent_hello(&good), 0);
	for (seq = 1; seq <= 3; seq++)
		assert_int_equal(agent_report(&good, seq), seq);

	/* Bytes that are no protobuf: field 1 with the invalid wire type 7. */
	srand(7);
	for (i = 0; i < (int)sizeof junk; i++)
		junk[i] = (uint8_t)rand();
	junk[0] = junk[1] = junk[2] = 0;
	junk[3] = sizeof junk - 4;
	junk[4] = 0x0f;
	agent_open(&bad, p.agent_port, "bad");
	raw_send(bad.fd, junk, sizeof junk);
	assert_true(agent_closed(&bad));
	agent_close(&bad);
	assert_int_equal(agent_report(&good, 4), 4);

	agent_open(&bad, p.agent_port, "bad");
	raw_send(bad.fd, over, sizeof over);
	assert_true(agent_closed(&bad));
	agent_close(&bad);
	assert_int_equal(agent_report(&good, 5), 5);

	agent_open(&bad, p.agent_port, "bad");
	raw_send(bad.fd, trunc, sizeof trunc);
	agent_close(&bad);
	assert_int_equal(agent_report(&good, 6), 6);

	/* A report before the hello, and a report of another host. */
	agent_open(&bad, p.agent_port, "bad");
	agent_report_as(&bad, "bad", 1, &broker);
	assert_true(agent_closed(&bad));
	agent_close(&bad);
	agent_open(&bad, p.agent_port, "imposter");
	assert_int_equal(agent_hello(&bad), 0);
	agent_report_as(&bad, "broker-1", 99, &broker);
	assert_true(agent_recv(&bad));
	assert_int_equal(bad.in->which_msg, kagent_v1_Envelope_error_tag);
	assert_int_equal(bad.in->msg.error.code,
			 kagent_v1_ErrorCode_ERROR_CODE_HOST_ID);
	assert_true(agent_closed(&bad));
	agent_close(&bad);
	assert_int_equal(agent_report(&good, 7), 7);

	/* A duplicate after a reconnect is acknowledged, not stored. */
	assert_int_equal(agent_report(&good, 5), 5);

	m = http_get(p.http_port, "/metrics", &status);
	assert_int_equal(status, 200);
	metrics_has(m,
		    "kagent_collector_rejected_total{reason=\"bad_frame\"} 1");
	metrics_has(m,
		    "kagent_collector_rejected_total{reason=\"oversized\"} 1");
	metrics_has(m,
		    "kagent_collector_rejected_total{reason=\"truncated\"} 1");
	metrics_has(m,
		    "kagent_collector_rejected_total{reason=\"protocol\"} 1");
	metrics_has(m,
		    "kagent_collector_rejected_total{reason=\"identity\"} 1");
	metrics_has(m, "kagent_collector_reports_total 7");
	metrics_has(m, "kagent_collector_insecure 1");
	metrics_has(m, "kagent_collector_duplicates_total 1");
	metrics_has(m, "kagent_collector_connections 1");
	metrics_has(m, "kagent_host_check_severity{host=\"broker-1\","
		       "check=\"os.swappiness\",check_instance=\"\"} 3");
	metrics_has(m, "kagent_disk_health{host=\"broker-1\",device=\"sda\"} 0");
	metrics_has(m, "kagent_host_stale{host=\"broker-1\"} 0");
	metrics_has(m, "kagent_cluster_verdict{cluster=\"payments\"} 4");
	promtool_passes(p.dir, m);
	free(m);

	/* Two ZooKeeper servers in one rack fail; three in three pass. */
	for (i = 0; i < 2; i++) {
		char id[16];

		snprintf(id, sizeof id, "zk2-%d", i);
		agent_open(&zk[i], p.agent_port, id);
		assert_int_equal(agent_hello(&zk[i]), 0);
		agent_report_as(&zk[i], id, 1, &zk2);
		assert_true(agent_recv(&zk[i]));
		agent_close(&zk[i]);
	}
	for (i = 0; i < 3; i++) {
		char id[16];

		snprintf(id, sizeof id, "zk3-%d", i);
		agent_open(&zk[i], p.agent_port, id);
		assert_int_equal(agent_hello(&zk[i]), 0);
		agent_report_as(&zk[i], id, 1, &zk3[i]);
		assert_true(agent_recv(&zk[i]));
		agent_close(&zk[i]);
	}

	coll_kill(&p);
	agent_close(&good);
	coll_start(&p);

	/* Restarted: the stored seq comes back in the hello's ack. */
	agent_open(&good, p.agent_port, "broker-1");
	assert_int_equal(agent_hello(&good), 7);
	assert_int_equal(agent_report(&good, 8), 8);
	body = http_get(p.http_port, "/api/fleet", &status);
	assert_int_equal(status, 200);
	fleet = json_loads(body, 0, NULL);
	assert_non_null(fleet);
	assert_int_equal(json_array_size(json_object_get(fleet, "hosts")), 6);
	assert_string_equal(cluster_verdict(fleet, "zk-two"), "fail");
	assert_string_equal(cluster_verdict(fleet, "zk-three"), "pass");
	assert_string_equal(cluster_verdict(fleet, "payments"), "fail");
	printf("fleet: zk-two fail, zk-three pass, payments fail\n");
	json_decref(fleet);
	free(body);

	body = http_get(p.http_port, "/api/hosts/broker-1", &status);
	assert_int_equal(status, 200);
	fleet = json_loads(body, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(fleet, "seq")), 8);
	json_decref(fleet);
	free(body);
	body = http_get(p.http_port, "/api/hosts/nobody", &status);
	assert_int_equal(status, 404);
	free(body);

	agent_close(&good);
	coll_kill(&p);
	snprintf(p.log, sizeof p.log, "rm -rf %s", p.dir);
	assert_int_equal(system(p.log), 0);
}

static char *file_text(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A good report and garbage in one read: the report is stored, the
 * connection refused as a bad frame, and the log says so, not that the
 * peer does not read its acks (the ack was never tried on the closing
 * connection). */
static void test_faults_good_frame_then_garbage_logged_as_bad_frame(
    void **state)
{
	struct coll_proc p = {0};
	uint8_t junk[8] = {0, 0, 0, 4, 0x0f, 0xff, 0xff, 0xff};
	struct agent a;
	char *m, *log;
	int status, on = 1, off = 0;

	(void)state;
	snprintf(p.dir, sizeof p.dir, "/tmp/kcoll-test-XXXXXX");
	assert_non_null(mkdtemp(p.dir));
	snprintf(p.db, sizeof p.db, "%s/c.db", p.dir);
	snprintf(p.log, sizeof p.log, "%s/c.log", p.dir);
	p.agent_port = free_port();
	p.http_port = free_port();
	coll_start(&p);
	agent_open(&a, p.agent_port, "broker-9");
	assert_int_equal(agent_hello(&a), 0);
	/* Corked: the report and the garbage leave in one segment. */
	assert_int_equal(setsockopt(a.fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on),
			 0);
	agent_report_as(&a, "broker-9", 1, &broker);
	raw_send(a.fd, junk, sizeof junk);
	assert_int_equal(
	    setsockopt(a.fd, IPPROTO_TCP, TCP_CORK, &off, sizeof off), 0);
	assert_true(agent_closed(&a));
	agent_close(&a);
	m = http_get(p.http_port, "/metrics", &status);
	assert_int_equal(status, 200);
	metrics_has(m, "kagent_collector_reports_total 1");
	metrics_has(m,
		    "kagent_collector_rejected_total{reason=\"bad_frame\"} 1");
	free(m);
	coll_kill(&p);
	log = file_text(p.log);
	printf("%s", log);
	assert_non_null(strstr(log, "host broker-9: bad_frame: "));
	/* One line for the one fault. */
	assert_null(strstr(log, "does not read its acks"));
	assert_null(strstr(log, "host broker-9: closed"));
	snprintf(p.log, sizeof p.log, "rm -rf %s", p.dir);
	assert_int_equal(system(p.log), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
		test_faults_close_one_connection_and_restart_loses_nothing),
	    cmocka_unit_test(
		test_faults_good_frame_then_garbage_logged_as_bad_frame),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
