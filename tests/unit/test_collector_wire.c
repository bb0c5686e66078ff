/* What a real kcollectord accepts inside a report, spoken to on loopback
 * by simulated agents that encode with proto_envelope_encode: strings
 * that are not UTF-8 and seqs above INT64_MAX are refused with an Error
 * naming the field and counted; a check repeated in one report is one
 * series; strings an older collector stored are repaired in every view;
 * and a report whose commit fails is neither acknowledged nor counted. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <pb_encode.h>
#include <sqlite3.h>

#include "collector.h"

struct coll_proc {
	pid_t pid;
	int agent_port;
	int http_port;
	rlim_t fsize; /* 0: no limit on the files it writes */
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

static void coll_init_dir(struct coll_proc *p)
{
	memset(p, 0, sizeof *p);
	snprintf(p->dir, sizeof p->dir, "/tmp/kcoll-wire-XXXXXX");
	assert_non_null(mkdtemp(p->dir));
	snprintf(p->db, sizeof p->db, "%s/c.db", p->dir);
	snprintf(p->log, sizeof p->log, "%s/c.log", p->dir);
	p->agent_port = free_port();
	p->http_port = free_port();
}

static void coll_start(struct coll_proc *p)
{
	char dir[1024], bin[1100], listen_arg[64], http_arg[64];
	struct rlimit rl;
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
		if (p->fsize) {
			/* A write past the limit fails with EFBIG, as on a
			 * full disk, instead of killing the process. */
			signal(SIGXFSZ, SIG_IGN);
			rl.rlim_cur = rl.rlim_max = p->fsize;
			setrlimit(RLIMIT_FSIZE, &rl);
		}
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
	p->pid = 0;
}

static int setup(void **state)
{
	struct coll_proc *p = calloc(1, sizeof *p);

	coll_init_dir(p);
	*state = p;
	return 0;
}

/* Also after a failed assertion: no collector is left running. */
static int teardown(void **state)
{
	struct coll_proc *p = *state;
	char cmd[128];
	int rc;

	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	snprintf(cmd, sizeof cmd, "rm -rf %s", p->dir);
	rc = system(cmd);
	free(p);
	return rc == 0 ? 0 : -1;
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

static void agent_send(struct agent *a, const kagent_v1_Envelope *e)
{
	static uint8_t buf[PROTO_FRAME_MAX + PROTO_FRAME_HDR];
	size_t len, done = 0;
	ssize_t n;

	assert_int_equal(proto_envelope_encode(e, buf, sizeof buf, &len, NULL),
			 0);
	while (done < len) {
		n = write(a->fd, buf + done, len - done);
		assert_true(n > 0);
		done += (size_t)n;
	}
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

static void hello_send(struct agent *a, const char *agent_version)
{
	kagent_v1_Envelope *e = calloc(1, sizeof *e);

	e->which_msg = kagent_v1_Envelope_hello_tag;
	e->msg.hello.protocol_version = PROTO_VERSION;
	strcpy(e->msg.hello.host_id, a->host_id);
	strcpy(e->msg.hello.agent_version, agent_version);
	agent_send(a, e);
	free(e);
}

/* Hello; returns the collector's ack (its last stored seq). */
static uint64_t agent_hello(struct agent *a)
{
	hello_send(a, "0.1.0");
	assert_true(agent_recv(a));
	assert_int_equal(a->in->which_msg, kagent_v1_Envelope_ack_tag);
	return a->in->msg.ack.seq;
}

/* A report as test_collector_faults sends it, with one check (or the
 * n_checks of checks) and one disk; edit (may be NULL) changes it
 * before it is sent. */
typedef void (*report_edit)(kagent_v1_Report *r, struct proto_lists *l);

static void report_fill(kagent_v1_Report *r, struct proto_lists *l,
			const char *host_id, uint64_t seq)
{
	kagent_v1_CheckResult *c;
	kagent_v1_Disk *d;

	strcpy(r->host_id, host_id);
	strcpy(r->hostname, host_id);
	strcpy(r->cluster, "payments");
	strcpy(r->rack, "r1");
	r->roles_count = 1;
	r->roles[0] = kagent_v1_Role_ROLE_KAFKA;
	r->seq = seq;
	r->timestamp_ms = 1717171717000LL;
	r->report_interval_s = 60;
	r->verdict = kagent_v1_Severity_SEVERITY_WARN;
	assert_int_equal(proto_list_add(&l->checks, (void **)&c), 0);
	strcpy(c->id, "os.swappiness");
	c->severity = kagent_v1_Severity_SEVERITY_WARN;
	strcpy(c->measured, "60");
	strcpy(c->required, "at most 1");
	assert_int_equal(proto_list_add(&l->disks, (void **)&d), 0);
	strcpy(d->name, "sda");
	d->has_health = true;
	d->health.verdict = kagent_v1_Severity_SEVERITY_PASS;
}

static void agent_report_edit(struct agent *a, uint64_t seq, report_edit edit)
{
	kagent_v1_Envelope *e = calloc(1, sizeof *e);
	struct proto_lists l;

	proto_lists_init(&l);
	e->which_msg = kagent_v1_Envelope_report_tag;
	report_fill(&e->msg.report, &l, a->host_id, seq);
	if (edit)
		edit(&e->msg.report, &l);
	proto_report_bind(&e->msg.report, &l);
	agent_send(a, e);
	proto_lists_free(&l);
	free(e);
}

static uint64_t agent_report(struct agent *a, uint64_t seq)
{
	agent_report_edit(a, seq, NULL);
	assert_true(agent_recv(a));
	assert_int_equal(a->in->which_msg, kagent_v1_Envelope_ack_tag);
	return a->in->msg.ack.seq;
}

/* The collector answers with this Error and closes; nothing is acked. */
static void agent_refused(struct agent *a, const char *message)
{
	uint8_t buf[64];

	assert_true(agent_recv(a));
	if (a->in->which_msg == kagent_v1_Envelope_ack_tag)
		fail_msg("acked seq %llu instead of refusing with '%s'",
			 (unsigned long long)a->in->msg.ack.seq, message);
	assert_int_equal(a->in->which_msg, kagent_v1_Envelope_error_tag);
	assert_int_equal(a->in->msg.error.code,
			 kagent_v1_ErrorCode_ERROR_CODE_BAD_MESSAGE);
	assert_string_equal(a->in->msg.error.message, message);
	printf("refused: %s\n", message);
	assert_true(read(a->fd, buf, sizeof buf) <= 0);
}

/* ---- HTTP ---- */

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

static json_t *http_json(int port, const char *path)
{
	json_t *j;
	char *body;
	int status;

	body = http_get(port, path, &status);
	if (status != 200)
		fail_msg("GET %s: %d %s", path, status, body);
	j = json_loads(body, 0, NULL);
	assert_non_null(j);
	free(body);
	return j;
}

/* How many lines of m are exactly line. */
static int metrics_count(const char *m, const char *line)
{
	char want[512];
	const char *p = m;
	int n = 0;

	snprintf(want, sizeof want, "\n%s\n", line);
	while ((p = strstr(p, want)) != NULL) {
		n++;
		p++;
	}
	return n;
}

static void metrics_has(const char *m, const char *line)
{
	if (metrics_count(m, line) != 1)
		fail_msg("/metrics has %d lines '%s', not 1",
			 metrics_count(m, line), line);
	printf("metrics: %s\n", line);
}

static char *metrics_get(const struct coll_proc *p)
{
	char path[128], cmd[256], *m;
	int status;
	FILE *f;

	m = http_get(p->http_port, "/metrics", &status);
	assert_int_equal(status, 200);
	snprintf(path, sizeof path, "%s/metrics.txt", p->dir);
	f = fopen(path, "w");
	fputs(m, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "promtool check metrics < %s", path);
	assert_int_equal(system(cmd), 0);
	return m;
}

static const char *host_ids(json_t *fleet, char *buf, size_t len)
{
	json_t *h;
	size_t i, o = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(fleet, "hosts"), i, h)
	{
		o += (size_t)snprintf(
		    buf + o, len - o, "%s%s", i ? " " : "",
		    json_string_value(json_object_get(h, "host_id")));
		if (o >= len)
			break;
	}
	return buf;
}

/* ---- the scenarios ---- */

static void rack_not_utf8(kagent_v1_Report *r, struct proto_lists *l)
{
	(void)l;
	strcpy(r->rack, "r1\xff");
}

static void instance_not_utf8(kagent_v1_Report *r, struct proto_lists *l)
{
	kagent_v1_CheckResult *c;

	(void)r;
	assert_int_equal(proto_list_add(&l->checks, (void **)&c), 0);
	strcpy(c->id, "disk.health");
	strcpy(c->instance, "sd\xc3(");
	c->severity = kagent_v1_Severity_SEVERITY_PASS;
}

static void test_strings_not_utf8_are_refused_and_named(void **state)
{
	struct coll_proc *p = *state;
	struct agent good, bad;
	json_t *j;
	char ids[256], *m, *body;
	int status;

	coll_start(p);
	agent_open(&good, p->agent_port, "broker-1");
	assert_int_equal(agent_hello(&good), 0);
	assert_int_equal(agent_report(&good, 1), 1);

	agent_open(&bad, p->agent_port, "broker-2");
	assert_int_equal(agent_hello(&bad), 0);
	agent_report_edit(&bad, 1, rack_not_utf8);
	agent_refused(&bad, "report.rack: invalid UTF-8 at byte 2");
	agent_close(&bad);

	agent_open(&bad, p->agent_port, "broker-3");
	assert_int_equal(agent_hello(&bad), 0);
	agent_report_edit(&bad, 1, instance_not_utf8);
	agent_refused(&bad,
		      "report.checks[1].instance: invalid UTF-8 at byte 2");
	agent_close(&bad);

	agent_open(&bad, p->agent_port, "broker-4");
	hello_send(&bad, "0.1\xff");
	agent_refused(&bad, "hello.agent_version: invalid UTF-8 at byte 3");
	agent_close(&bad);

	/* The good host reports on, and every view still answers. */
	assert_int_equal(agent_report(&good, 2), 2);
	m = metrics_get(p);
	metrics_has(m, "kagent_collector_rejected_total{reason=\"utf8\"} 3");
	metrics_has(m, "kagent_collector_reports_total 2");
	metrics_has(m, "kagent_host_check_severity{host=\"broker-1\","
		       "check=\"os.swappiness\",check_instance=\"\"} 3");
	free(m);
	j = http_json(p->http_port, "/api/fleet");
	assert_string_equal(host_ids(j, ids, sizeof ids), "broker-1");
	json_decref(j);
	j = http_json(p->http_port, "/api/hosts/broker-1");
	assert_string_equal(json_string_value(json_object_get(j, "rack")),
			    "r1");
	json_decref(j);
	body = http_get(p->http_port, "/api/hosts/broker-2", &status);
	assert_int_equal(status, 404);
	free(body);

	agent_close(&good);
	coll_kill(p);
}

static void test_seq_above_int64_max_is_refused_not_acked(void **state)
{
	static const struct {
		uint64_t seq;
		const char *msg;
	} big[] = {
	    {(uint64_t)INT64_MAX + 1, "report.seq: 9223372036854775808 is "
				      "above 9223372036854775807"},
	    {UINT64_MAX, "report.seq: 18446744073709551615 is above "
			 "9223372036854775807"},
	};
	struct coll_proc *p = *state;
	struct agent a;
	json_t *j;
	char *m;
	size_t i;

	coll_start(p);
	agent_open(&a, p->agent_port, "broker-1");
	assert_int_equal(agent_hello(&a), 0);
	assert_int_equal(agent_report(&a, 1), 1);
	assert_int_equal(agent_report(&a, 2), 2);
	for (i = 0; i < 2; i++) {
		agent_report_edit(&a, big[i].seq, NULL);
		agent_refused(&a, big[i].msg);
		agent_close(&a);
		/* Nothing of it stored: the hello answers the seq before. */
		agent_open(&a, p->agent_port, "broker-1");
		assert_int_equal(agent_hello(&a), 2);
	}
	assert_int_equal(agent_report(&a, 3), 3);
	m = metrics_get(p);
	metrics_has(m, "kagent_collector_rejected_total{reason=\"seq\"} 2");
	metrics_has(m, "kagent_collector_seq_gaps_total 0");
	metrics_has(m, "kagent_collector_reports_total 3");
	free(m);
	j = http_json(p->http_port, "/api/hosts/broker-1");
	assert_int_equal(json_integer_value(json_object_get(j, "seq")), 3);
	json_decref(j);
	agent_close(&a);
	coll_kill(p);
}

/* An agent with both roles and neither NIC found reports nic.downshift
 * twice with no instance; a forged one may repeat any check. */
static void checks_repeated(kagent_v1_Report *r, struct proto_lists *l)
{
	static const struct {
		const char *id, *instance;
		int sev;
		const char *measured;
	} add[] = {
	    {"disk.health", "sda", kagent_v1_Severity_SEVERITY_PASS, "ok"},
	    {"os.swappiness", "", kagent_v1_Severity_SEVERITY_FAIL, "100"},
	    {"disk.health", "sda", kagent_v1_Severity_SEVERITY_INFO, "info"},
	    {"os.swappiness", "", kagent_v1_Severity_SEVERITY_WARN, "61"},
	};
	kagent_v1_CheckResult *c;
	size_t i;

	(void)r;
	for (i = 0; i < sizeof add / sizeof add[0]; i++) {
		assert_int_equal(proto_list_add(&l->checks, (void **)&c), 0);
		strcpy(c->id, add[i].id);
		strcpy(c->instance, add[i].instance);
		c->severity = add[i].sev;
		strcpy(c->measured, add[i].measured);
	}
}

static void test_repeated_check_is_one_series_the_worst(void **state)
{
	struct coll_proc *p = *state;
	struct agent a;
	json_t *j, *checks, *c;
	char *m;

	coll_start(p);
	agent_open(&a, p->agent_port, "broker-1");
	assert_int_equal(agent_hello(&a), 0);
	agent_report_edit(&a, 1, checks_repeated);
	assert_true(agent_recv(&a));
	assert_int_equal(a.in->which_msg, kagent_v1_Envelope_ack_tag);

	m = metrics_get(p);
	metrics_has(m, "kagent_host_check_severity{host=\"broker-1\","
		       "check=\"os.swappiness\",check_instance=\"\"} 4");
	metrics_has(m, "kagent_host_check_severity{host=\"broker-1\","
		       "check=\"disk.health\",check_instance=\"sda\"} 1");
	assert_int_equal(metrics_count(m,
				       "kagent_host_check_severity{host="
				       "\"broker-1\",check=\"os.swappiness\","
				       "check_instance=\"\"} 3"),
			 0);
	free(m);

	j = http_json(p->http_port, "/api/hosts/broker-1");
	checks = json_object_get(j, "checks");
	assert_int_equal(json_array_size(checks), 2);
	c = json_array_get(checks, 0);
	assert_string_equal(json_string_value(json_object_get(c, "id")),
			    "os.swappiness");
	assert_string_equal(json_string_value(json_object_get(c, "severity")),
			    "fail");
	assert_string_equal(json_string_value(json_object_get(c, "measured")),
			    "100");
	c = json_array_get(checks, 1);
	assert_string_equal(json_string_value(json_object_get(c, "id")),
			    "disk.health");
	assert_string_equal(json_string_value(json_object_get(c, "severity")),
			    "info");
	json_decref(j);
	agent_close(&a);
	coll_kill(p);
}

/* A database written before the listener checked strings: a report with
 * bytes that are not UTF-8 and a control character, a cluster column
 * the same, and a seq stored as it wrapped below 0. */
static void old_store_write(const char *db)
{
	kagent_v1_Report *r = calloc(1, sizeof *r);
	struct check_results checks = {0};
	struct coll_report_meta meta;
	struct coll_store *s = NULL;
	struct proto_lists l;
	kagent_v1_CheckResult *c;
	uint8_t *blob = malloc(65536);
	pb_ostream_t os = pb_ostream_from_buffer(blob, 65536);
	sqlite3 *sq;
	char err[256];

	proto_lists_init(&l);
	report_fill(r, &l, "old-1", 5);
	strcpy(r->rack, "r1\xff");
	strcpy(r->cluster, "pay\xc3");
	assert_int_equal(proto_list_add(&l.checks, (void **)&c), 0);
	strcpy(c->id, "disk.health");
	strcpy(c->instance, "sd\xe2\x28\xa1\tb");
	c->severity = kagent_v1_Severity_SEVERITY_FAIL;
	strcpy(((kagent_v1_Disk *)l.disks.v)->name, "sd\x80");
	proto_report_bind(r, &l);
	assert_true(pb_encode(&os, kagent_v1_Report_fields, r));
	proto_report_unbind(r);
	assert_int_equal(coll_checks_from_report(&l, &checks), 0);
	meta = (struct coll_report_meta){"old-1",	r->cluster, 5,
					 coll_now_ms(), 60,	    SEV_FAIL};
	assert_int_equal(coll_store_open(db, &s, err, sizeof err), 0);
	assert_int_equal(
	    coll_store_put(s, &meta, blob, os.bytes_written, &checks), 0);
	assert_int_equal(coll_store_flush(s), 0);
	coll_store_close(s);
	assert_int_equal(sqlite3_open(db, &sq), SQLITE_OK);
	assert_int_equal(sqlite3_exec(sq,
				      "UPDATE hosts SET last_seq = "
				      "-9223372036854775807 - 1",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(sq);
	check_results_free(&checks);
	proto_lists_free(&l);
	free(blob);
	free(r);
}

static void test_strings_stored_by_an_older_collector_are_repaired(void **state)
{
	struct coll_proc *p = *state;
	struct agent a;
	json_t *j, *h;
	char *m;

	old_store_write(p->db);
	coll_start(p);

	m = metrics_get(p);
	metrics_has(m, "kagent_host_check_severity{host=\"old-1\","
		       "check=\"disk.health\",check_instance=\"sd?(??b\"} 4");
	metrics_has(m, "kagent_disk_health{host=\"old-1\",device=\"sd?\"} 0");
	metrics_has(m, "kagent_cluster_verdict{cluster=\"pay?\"} 4");
	free(m);
	j = http_json(p->http_port, "/api/fleet");
	h = json_array_get(json_object_get(j, "hosts"), 0);
	assert_string_equal(json_string_value(json_object_get(h, "host_id")),
			    "old-1");
	assert_string_equal(json_string_value(json_object_get(h, "rack")),
			    "r1?");
	assert_string_equal(json_string_value(json_object_get(h, "cluster")),
			    "pay?");
	json_decref(j);
	j = http_json(p->http_port, "/api/hosts/old-1");
	assert_string_equal(json_string_value(json_object_get(j, "rack")),
			    "r1?");
	/* JSON has an escape for a tab; /metrics has not. */
	assert_string_equal(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(j, "checks"), 1), "instance")),
	    "sd?(?\tb");
	/* The agent sends no instance as proto3's empty string; the API
	 * says null, as kagent check --json does.  Reports carry no
	 * measured value. */
	{
		json_t *c0 = json_array_get(json_object_get(j, "checks"), 0);
		char *t = json_dumps(c0, JSON_COMPACT | JSON_SORT_KEYS);

		assert_string_equal(
		    t, "{\"id\":\"os.swappiness\",\"instance\":null,"
		       "\"measured\":\"60\",\"measured_value\":null,"
		       "\"message\":\"\","
		       "\"required\":\"at most 1\",\"severity\":\"warn\"}");
		free(t);
	}
	assert_int_equal(json_integer_value(json_object_get(j, "seq")), 0);
	json_decref(j);

	/* The wrapped seq reads as none stored: the agent resends from 1
	 * and its reports are stored again. */
	agent_open(&a, p->agent_port, "old-1");
	assert_int_equal(agent_hello(&a), 0);
	assert_int_equal(agent_report(&a, 1), 1);
	j = http_json(p->http_port, "/api/hosts/old-1");
	assert_string_equal(json_string_value(json_object_get(j, "rack")),
			    "r1");
	assert_int_equal(json_integer_value(json_object_get(j, "seq")), 1);
	json_decref(j);
	agent_close(&a);
	coll_kill(p);
}

/* A report large enough that its commit must write more than the file
 * size limit lets the collector write: the commit fails. */
static void checks_large(kagent_v1_Report *r, struct proto_lists *l)
{
	kagent_v1_CheckResult *c;
	int i;

	(void)r;
	for (i = 0; i < 200; i++) {
		assert_int_equal(proto_list_add(&l->checks, (void **)&c), 0);
		snprintf(c->id, sizeof c->id, "os.check%d", i);
		c->severity = kagent_v1_Severity_SEVERITY_PASS;
		memset(c->message, 'm', sizeof c->message - 1);
	}
}

static void test_rolled_back_report_is_not_acked_nor_counted(void **state)
{
	struct coll_proc *p = *state;
	struct agent a;
	uint8_t buf[64];
	char *m;

	coll_start(p); /* creates the database and its schema */
	coll_kill(p);
	p->fsize = 96 * 1024;
	coll_start(p);
	agent_open(&a, p->agent_port, "broker-1");
	assert_int_equal(agent_hello(&a), 0);
	agent_report_edit(&a, 1, checks_large);
	/* No ack: the collector closes the connection it held it for. */
	if (agent_recv(&a))
		fail_msg("got a %s for a report whose commit failed",
			 proto_envelope_kind(a.in));
	assert_true(read(a.fd, buf, sizeof buf) <= 0);
	agent_close(&a);
	m = metrics_get(p);
	metrics_has(m, "kagent_collector_reports_total 0");
	metrics_has(m, "kagent_collector_rolled_back_total 1");
	free(m);
	coll_kill(p);
}

/* ---- the window of reports in flight ---- */

static void hello_window_send(struct agent *a, bool has, uint32_t window)
{
	kagent_v1_Envelope *e = calloc(1, sizeof *e);

	e->which_msg = kagent_v1_Envelope_hello_tag;
	e->msg.hello.protocol_version = PROTO_VERSION;
	strcpy(e->msg.hello.host_id, a->host_id);
	strcpy(e->msg.hello.agent_version, "0.2.0");
	e->msg.hello.has_window = has;
	e->msg.hello.window = window;
	agent_send(a, e);
	free(e);
}

/* Reports first .. first + n - 1 in one write, so that the collector
 * reads them in one turn, before any ack. */
static void agent_reports_burst(struct agent *a, uint64_t first, unsigned n)
{
	static uint8_t buf[64 * 1024];
	kagent_v1_Envelope *e = calloc(1, sizeof *e);
	struct proto_lists l;
	size_t len, off = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		memset(e, 0, sizeof *e);
		proto_lists_init(&l);
		e->which_msg = kagent_v1_Envelope_report_tag;
		report_fill(&e->msg.report, &l, a->host_id, first + i);
		proto_report_bind(&e->msg.report, &l);
		assert_int_equal(proto_envelope_encode(e, buf + off,
						       sizeof buf - off, &len,
						       NULL),
				 0);
		off += len;
		proto_lists_free(&l);
	}
	assert_int_equal(write(a->fd, buf, off), (ssize_t)off);
	free(e);
}

/* Acks until seq last: each above the one before, none above last. */
static unsigned acks_until(struct agent *a, uint64_t last)
{
	uint64_t prev = 0;
	unsigned n = 0;

	do {
		assert_true(agent_recv(a));
		assert_int_equal(a->in->which_msg, kagent_v1_Envelope_ack_tag);
		assert_true(a->in->msg.ack.seq > prev);
		assert_true(a->in->msg.ack.seq <= last);
		assert_false(a->in->msg.ack.has_window);
		prev = a->in->msg.ack.seq;
		n++;
	} while (prev < last);
	return n;
}

static void test_window_granted_and_acks_cumulative(void **state)
{
	struct coll_proc *p = *state;
	struct agent a, b;
	char *db;

	coll_start(p);
	/* An agent of before the window: no window in the hello-ack, and
	 * one report at a time works as it did. */
	agent_open(&a, p->agent_port, "broker-1");
	hello_window_send(&a, false, 0);
	assert_true(agent_recv(&a));
	assert_int_equal(a.in->msg.ack.seq, 0);
	assert_false(a.in->msg.ack.has_window);
	assert_int_equal(agent_report(&a, 1), 1);
	assert_int_equal(agent_report(&a, 2), 2);
	agent_close(&a);
	/* A windowed agent asks for more than the collector gives. */
	agent_open(&b, p->agent_port, "broker-2");
	hello_window_send(&b, true, 1000);
	assert_true(agent_recv(&b));
	assert_int_equal(b.in->msg.ack.seq, 0);
	assert_true(b.in->msg.ack.has_window);
	assert_int_equal(b.in->msg.ack.window, COLL_WINDOW_MAX);
	agent_reports_burst(&b, 1, 20);
	/* Read in one turn and committed together: fewer acks than
	 * reports, the last one 20. */
	printf("20 reports in flight: %u acks\n", acks_until(&b, 20));
	agent_reports_burst(&b, 21, 5);
	acks_until(&b, 25);
	agent_close(&b);
	coll_kill(p);
	db = NULL;
	{
		sqlite3 *h;
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_open(p->db, &h), SQLITE_OK);
		assert_int_equal(
		    sqlite3_prepare_v2(h,
				       "SELECT group_concat(host_id || '=' || "
				       "last_seq, ' ') FROM (SELECT * FROM "
				       "hosts ORDER BY host_id)",
				       -1, &st, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		db = strdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		sqlite3_close(h);
	}
	assert_string_equal(db, "broker-1=2 broker-2=25");
	free(db);
}

static void test_report_beyond_the_window_is_refused(void **state)
{
	struct coll_proc *p = *state;
	struct agent a;
	uint8_t buf[64];
	char *m;

	coll_start(p);
	agent_open(&a, p->agent_port, "broker-1");
	hello_window_send(&a, true, 2);
	assert_true(agent_recv(&a));
	assert_int_equal(a.in->msg.ack.window, 2);
	agent_reports_burst(&a, 1, 3);
	assert_true(agent_recv(&a));
	assert_int_equal(a.in->which_msg, kagent_v1_Envelope_error_tag);
	assert_int_equal(a.in->msg.error.code,
			 kagent_v1_ErrorCode_ERROR_CODE_UNEXPECTED);
	assert_string_equal(a.in->msg.error.message,
			    "more than 2 reports in flight");
	assert_true(read(a.fd, buf, sizeof buf) <= 0);
	agent_close(&a);
	/* A window of 0 is no window. */
	agent_open(&a, p->agent_port, "broker-2");
	hello_window_send(&a, true, 0);
	assert_true(agent_recv(&a));
	assert_int_equal(a.in->which_msg, kagent_v1_Envelope_error_tag);
	assert_string_equal(a.in->msg.error.message,
			    "hello asks for a window of 0 reports");
	agent_close(&a);
	m = metrics_get(p);
	metrics_has(m, "kagent_collector_rejected_total{reason=\"protocol\"} 2");
	free(m);
	coll_kill(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_strings_not_utf8_are_refused_and_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_seq_above_int64_max_is_refused_not_acked, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_repeated_check_is_one_series_the_worst, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_strings_stored_by_an_older_collector_are_repaired, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_rolled_back_report_is_not_acked_nor_counted, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_window_granted_and_acks_cumulative, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_report_beyond_the_window_is_refused, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
