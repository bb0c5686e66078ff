/* A real kcollectord with TLS on loopback, spoken to by simulated agents
 * and readers over blocking OpenSSL connections, with certificates made
 * at test time by OpenSSL's API in a temporary directory: who may report,
 * who is refused and counted, and that the others keep reporting; the
 * ACL's clusters and readers; SIGHUP with a new CA and a new ACL. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <netinet/in.h>
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
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "proto.h"

/* 2035-01-01T00:00:00Z, the notAfter of every valid certificate. */
#define NOT_AFTER 2051222400L

/* ---- certificates ---- */

struct certs {
	char dir[64];
	X509 *ca1, *ca2;
	EVP_PKEY *ca1_key, *ca2_key;
	long serial;
};

static struct certs *C;

static void path_of(char *buf, size_t len, const char *name, const char *ext)
{
	snprintf(buf, len, "%s/%s.%s", C->dir, name, ext);
}

static void ext_add(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, v3, nid, value);

	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

/* Writes NAME.crt and NAME.key; a NULL issuer makes a self-signed CA.
 * notBefore is three days back, so a notAfter of yesterday is a
 * certificate that was valid and has expired. */
static void cert_make(const char *name, const char *san, X509 *issuer,
		      EVP_PKEY *issuer_key, long not_after, X509 **out_cert,
		      EVP_PKEY **out_key)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509V3_CTX v3;
	char path[128];
	FILE *f;

	assert_non_null(key);
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ++C->serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3 * 86400L);
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)not_after);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)name, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x));
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	if (issuer == NULL) {
		ext_add(x, &v3, NID_basic_constraints, "critical,CA:TRUE");
		ext_add(x, &v3, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		ext_add(x, &v3, NID_basic_constraints, "CA:FALSE");
	}
	if (san != NULL)
		ext_add(x, &v3, NID_subject_alt_name, san);
	assert_true(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) >
		    0);
	path_of(path, sizeof path, name, "crt");
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_X509(f, x), 1);
	fclose(f);
	path_of(path, sizeof path, name, "key");
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(
	    PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	if (out_cert != NULL)
		*out_cert = x;
	else
		X509_free(x);
	if (out_key != NULL)
		*out_key = key;
	else
		EVP_PKEY_free(key);
}

static void leaf(const char *name, const char *san, bool ca2, long not_after)
{
	cert_make(name, san, ca2 ? C->ca2 : C->ca1,
		  ca2 ? C->ca2_key : C->ca1_key, not_after, NULL, NULL);
}

static void file_write(const char *name, const char *text)
{
	char path[128], tmp[140];
	FILE *f;

	path_of(path, sizeof path, name, "");
	path[strlen(path) - 1] = '\0';
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(rename(tmp, path), 0);
}

static void file_copy(const char *from, const char *to)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "cp '%s/%s' '%s/%s'", C->dir, from, C->dir,
		 to);
	assert_int_equal(system(cmd), 0);
}

/* kafka-* report into payments, zk-* into zk; ops-* read. */
static const char acl_text[] = "# who reports where\n"
			       "report kafka-* payments\n"
			       "report zk-*    zk\n"
			       "read ops-*\n";

static int certs_setup(void **state)
{
	long now = (long)time(NULL);

	(void)state;
	C = calloc(1, sizeof *C);
	assert_non_null(C);
	snprintf(C->dir, sizeof C->dir, "/tmp/test_tls_fleet.XXXXXX");
	assert_non_null(mkdtemp(C->dir));
	/* Started as root, the collector reloads as nobody. */
	assert_int_equal(chmod(C->dir, 0755), 0);
	cert_make("ca1", NULL, NULL, NULL, NOT_AFTER, &C->ca1, &C->ca1_key);
	cert_make("ca2", NULL, NULL, NULL, NOT_AFTER, &C->ca2, &C->ca2_key);
	leaf("collector", "DNS:localhost,IP:127.0.0.1", false, NOT_AFTER);
	leaf("kafka-1", "URI:kagent://host/kafka-1", false, NOT_AFTER);
	leaf("kafka-2", "URI:kagent://host/kafka-2", false, NOT_AFTER);
	leaf("zk-1", "URI:kagent://host/zk-1", false, NOT_AFTER);
	leaf("ops-1", "DNS:ops-1", false, NOT_AFTER);
	leaf("foreign", "URI:kagent://host/kafka-1", true, NOT_AFTER);
	leaf("kafka-5-ca2", "URI:kagent://host/kafka-5", true, NOT_AFTER);
	leaf("expired", "URI:kagent://host/kafka-3", false, now - 86400);
	return 0;
}

static int certs_teardown(void **state)
{
	char cmd[128];

	(void)state;
	X509_free(C->ca1);
	X509_free(C->ca2);
	EVP_PKEY_free(C->ca1_key);
	EVP_PKEY_free(C->ca2_key);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", C->dir);
	assert_int_equal(system(cmd), 0);
	free(C);
	return 0;
}

/* ---- the collector ---- */

/* The running collector, for the teardown after a failed assertion. */
static pid_t running;

struct coll_proc {
	pid_t pid;
	int agent_port;
	int http_port;
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
	struct timeval tv = {.tv_sec = 5};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	/* A refusal that never came must fail the test, not hang it. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

/* kcollectord with TLS, its CA file a copy (ca.pem) that a test may
 * replace before SIGHUP, and the ACL file acl. */
static void coll_start(struct coll_proc *p)
{
	char dir[1024], bin[1100], listen_arg[64], http_arg[64];
	char ca[128], cert[128], key[128], acl[128], db[128];
	int i, fd;

	p->agent_port = free_port();
	p->http_port = free_port();
	file_copy("ca1.crt", "ca.pem");
	file_write("acl", acl_text);
	snprintf(dir, sizeof dir, "%s", KAGENT_BIN);
	snprintf(bin, sizeof bin, "%s/kcollectord", dirname(dir));
	snprintf(listen_arg, sizeof listen_arg, "127.0.0.1:%d", p->agent_port);
	snprintf(http_arg, sizeof http_arg, "127.0.0.1:%d", p->http_port);
	snprintf(ca, sizeof ca, "%s/ca.pem", C->dir);
	path_of(cert, sizeof cert, "collector", "crt");
	path_of(key, sizeof key, "collector", "key");
	snprintf(acl, sizeof acl, "%s/acl", C->dir);
	snprintf(db, sizeof db, "%s/collector.db", C->dir);
	snprintf(p->log, sizeof p->log, "%s/collector.log", C->dir);
	unlink(db);
	unlink(p->log);
	p->pid = fork();
	assert_true(p->pid >= 0);
	running = p->pid;
	if (p->pid == 0) {
		fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(fd, 2);
		execl(bin, "kcollectord", "--listen", listen_arg, "--http",
		      http_arg, "--db", db, "--tls-ca", ca, "--tls-cert", cert,
		      "--tls-key", key, "--acl", acl, "--user", "nobody",
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

static int coll_teardown(void **state)
{
	char cmd[256];

	(void)state;
	if (running > 0) {
		kill(running, SIGKILL);
		waitpid(running, NULL, 0);
		running = 0;
		snprintf(cmd, sizeof cmd, "cat '%s/collector.log'", C->dir);
		if (system(cmd) != 0)
			printf("no collector log\n");
	}
	return 0;
}

static void coll_stop(struct coll_proc *p)
{
	int st;

	running = 0;
	kill(p->pid, SIGTERM);
	assert_int_equal(waitpid(p->pid, &st, 0), p->pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Counts lines of the collector's log holding text. */
static int log_count(const struct coll_proc *p, const char *text)
{
	char line[1024];
	FILE *f = fopen(p->log, "r");
	int n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f))
		if (strstr(line, text))
			n++;
	fclose(f);
	return n;
}

static void log_has(const struct coll_proc *p, const char *text)
{
	if (log_count(p, text) == 0)
		fail_msg("collector log lacks '%s'", text);
	printf("log: ...%s...\n", text);
}

/* SIGHUP, then waits for the collector to say it reloaded. */
static void coll_reload(struct coll_proc *p)
{
	int before = log_count(p, "reload:"), i;

	kill(p->pid, SIGHUP);
	for (i = 0; i < 250 && log_count(p, "reload:") == before; i++)
		usleep(20000);
	log_has(p, "reload: certificates and ACL reloaded");
}

/* ---- a TLS client ---- */

struct client {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	char host_id[64];
	struct proto_framer fr;
	kagent_v1_Envelope *in;
	bool got;
};

/* Connects with the certificate NAME.crt (NULL: none), trusting ca1. The
 * client's side of a TLS 1.3 handshake ends before the server has judged
 * the client's certificate: a refusal shows on the first read. */
static void client_open(struct client *k, int port, const char *name,
			const char *host_id)
{
	char ca[128], cert[128], key[128];

	memset(k, 0, sizeof *k);
	snprintf(k->host_id, sizeof k->host_id, "%s", host_id);
	proto_framer_init(&k->fr, 0);
	k->in = calloc(1, sizeof *k->in);
	k->ctx = SSL_CTX_new(TLS_client_method());
	assert_non_null(k->ctx);
	path_of(ca, sizeof ca, "ca1", "crt");
	assert_int_equal(SSL_CTX_load_verify_locations(k->ctx, ca, NULL), 1);
	SSL_CTX_set_verify(k->ctx, SSL_VERIFY_PEER, NULL);
	if (name != NULL) {
		path_of(cert, sizeof cert, name, "crt");
		path_of(key, sizeof key, name, "key");
		assert_int_equal(SSL_CTX_use_certificate_file(k->ctx, cert,
							      SSL_FILETYPE_PEM),
				 1);
		assert_int_equal(
		    SSL_CTX_use_PrivateKey_file(k->ctx, key, SSL_FILETYPE_PEM),
		    1);
	}
	k->fd = tcp_connect(port);
	assert_true(k->fd >= 0);
	k->ssl = SSL_new(k->ctx);
	SSL_set_fd(k->ssl, k->fd);
	SSL_set1_host(k->ssl, "localhost");
	SSL_set_tlsext_host_name(k->ssl, "localhost");
	if (SSL_connect(k->ssl) != 1)
		fail_msg("TLS handshake with the collector failed");
}

static void client_close(struct client *k)
{
	SSL_free(k->ssl);
	SSL_CTX_free(k->ctx);
	close(k->fd);
	proto_framer_free(&k->fr);
	free(k->in);
	ERR_clear_error();
}

static int client_frame(void *arg, const uint8_t *p, size_t n)
{
	struct client *k = arg;

	assert_int_equal(proto_envelope_decode(p, n, k->in, NULL, NULL), 0);
	k->got = true;
	return 0;
}

/* One frame; false when the collector closed (or 5 s passed). */
static bool client_recv(struct client *k)
{
	uint8_t buf[4096];
	int n;

	k->got = false;
	while (!k->got) {
		n = SSL_read(k->ssl, buf, sizeof buf);
		if (n <= 0)
			return false;
		assert_int_equal(
		    proto_framer_feed(&k->fr, buf, (size_t)n, client_frame, k),
		    0);
	}
	return true;
}

/* True once the collector has closed the connection, after any error
 * frame it sent. */
static bool client_refused(struct client *k)
{
	uint8_t buf[4096];
	int n, e;

	for (;;) {
		n = SSL_read(k->ssl, buf, sizeof buf);
		if (n > 0)
			continue;
		e = SSL_get_error(k->ssl, n);
		ERR_clear_error();
		/* A timeout (EAGAIN) is no refusal. */
		return !(e == SSL_ERROR_SYSCALL &&
			 (errno == EAGAIN || errno == EWOULDBLOCK));
	}
}

static void client_send(struct client *k, const kagent_v1_Envelope *e)
{
	static uint8_t buf[PROTO_FRAME_MAX + PROTO_FRAME_HDR];
	size_t len;

	assert_int_equal(proto_envelope_encode(e, buf, sizeof buf, &len, NULL),
			 0);
	/* Writing to a collector that has already refused may fail. */
	SSL_write(k->ssl, buf, (int)len);
	ERR_clear_error();
}

static void client_send_hello(struct client *k)
{
	kagent_v1_Envelope *e = calloc(1, sizeof *e);

	e->which_msg = kagent_v1_Envelope_hello_tag;
	e->msg.hello.protocol_version = PROTO_VERSION;
	strcpy(e->msg.hello.host_id, k->host_id);
	strcpy(e->msg.hello.agent_version, "0.1.0");
	client_send(k, e);
	free(e);
}

/* Hello; the collector's ack (its last stored seq). */
static uint64_t client_hello(struct client *k)
{
	client_send_hello(k);
	if (!client_recv(k))
		fail_msg("%s: no ack of the hello", k->host_id);
	assert_int_equal(k->in->which_msg, kagent_v1_Envelope_ack_tag);
	return k->in->msg.ack.seq;
}

static void client_send_report(struct client *k, const char *host_id,
			       const char *cluster, uint64_t seq)
{
	kagent_v1_Envelope *e = calloc(1, sizeof *e);
	kagent_v1_Report *r = &e->msg.report;

	e->which_msg = kagent_v1_Envelope_report_tag;
	strcpy(r->host_id, host_id);
	strcpy(r->hostname, host_id);
	strcpy(r->cluster, cluster);
	strcpy(r->rack, "r1");
	r->roles_count = 1;
	r->roles[0] = kagent_v1_Role_ROLE_KAFKA;
	r->seq = seq;
	r->timestamp_ms = 1717171717000LL;
	r->report_interval_s = 60;
	r->verdict = kagent_v1_Severity_SEVERITY_PASS;
	client_send(k, e);
	free(e);
}

static uint64_t client_report(struct client *k, const char *cluster,
			      uint64_t seq)
{
	client_send_report(k, k->host_id, cluster, seq);
	if (!client_recv(k))
		fail_msg("%s: no ack of report %llu", k->host_id,
			 (unsigned long long)seq);
	assert_int_equal(k->in->which_msg, kagent_v1_Envelope_ack_tag);
	return k->in->msg.ack.seq;
}

static void report_next(struct client *k, uint64_t *seq)
{
	*seq += 1;
	assert_int_equal(client_report(k, "payments", *seq), *seq);
}

/* ---- HTTP ---- */

/* GET path over TLS with NAME's certificate, or plaintext for NULL; the
 * body, *status the status code. */
static char *http_get(int port, const char *name, const char *path, int *status)
{
	char req[256], *buf = NULL, *body;
	size_t len = 0, cap = 0;
	struct client k;
	ssize_t n;
	int fd = -1;

	if (name != NULL)
		client_open(&k, port, name, "-");
	else
		fd = tcp_connect(port);
	n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: t\r\n\r\n",
		     path);
	if (name != NULL)
		assert_int_equal(SSL_write(k.ssl, req, (int)n), n);
	else
		assert_int_equal(write(fd, req, (size_t)n), n);
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 131072;
			buf = realloc(buf, cap);
		}
		n = name != NULL
			? SSL_read(k.ssl, buf + len, (int)(cap - len - 1))
			: read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (name != NULL)
		client_close(&k);
	else
		close(fd);
	buf[len] = '\0';
	assert_int_equal(sscanf(buf, "HTTP/1.1 %d", status), 1);
	body = strstr(buf, "\r\n\r\n");
	assert_non_null(body);
	body = strdup(body + 4);
	free(buf);
	return body;
}

static void metrics_has(const struct coll_proc *p, const char *line)
{
	char want[256], *m;
	int status;

	m = http_get(p->http_port, "ops-1", "/metrics", &status);
	assert_int_equal(status, 200);
	snprintf(want, sizeof want, "\n%s\n", line);
	if (strstr(m, want) == NULL) {
		printf("%s", m);
		fail_msg("/metrics lacks '%s'", line);
	}
	printf("metrics: %s\n", line);
	free(m);
}

/* ---- the tests ---- */

static void test_tls_valid_agent_reports_and_gets_acks(void **state)
{
	struct coll_proc p;
	struct client k;

	(void)state;
	coll_start(&p);
	client_open(&k, p.agent_port, "kafka-1", "kafka-1");
	assert_int_equal(client_hello(&k), 0);
	assert_int_equal(client_report(&k, "payments", 1), 1);
	assert_int_equal(client_report(&k, "payments", 2), 2);
	client_close(&k);
	metrics_has(&p, "kagent_collector_reports_total 2");
	metrics_has(&p, "kagent_collector_insecure 0");
	coll_stop(&p);
}

/* Each refusal closes its own connection and is counted; the agent that
 * was reporting all along keeps its acks coming. */
static void
test_tls_bad_certificates_refused_others_keep_reporting(void **state)
{
	static const struct {
		const char *cert; /* NULL: none */
		const char *hello;
	} bad[] = {
	    {"foreign", "kafka-1"}, /* signed by another CA */
	    {"expired", "kafka-3"}, /* expired yesterday */
	    {NULL, "kafka-1"},	    /* no certificate */
	    {"kafka-2", "kafka-1"}, /* another host's certificate */
	};
	struct coll_proc p;
	struct client good, k;
	uint64_t seq = 0;
	size_t i;

	(void)state;
	coll_start(&p);
	client_open(&good, p.agent_port, "kafka-1", "kafka-1");
	assert_int_equal(client_hello(&good), 0);
	report_next(&good, &seq);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		client_open(&k, p.agent_port, bad[i].cert, bad[i].hello);
		client_send_hello(&k);
		if (!client_refused(&k))
			fail_msg("%s not refused", bad[i].cert);
		printf("refused: certificate %s, hello %s\n",
		       bad[i].cert ? bad[i].cert : "(none)", bad[i].hello);
		client_close(&k);
		report_next(&good, &seq);
	}
	/* The right hello with the right certificate, then a report of
	 * another host on it. */
	client_open(&k, p.agent_port, "kafka-2", "kafka-2");
	assert_int_equal(client_hello(&k), 0);
	client_send_report(&k, "kafka-1", "payments", 99);
	assert_true(client_refused(&k));
	client_close(&k);
	report_next(&good, &seq);
	client_close(&good);
	metrics_has(&p, "kagent_collector_rejected_total{reason=\"tls\"} 3");
	metrics_has(&p,
		    "kagent_collector_rejected_total{reason=\"identity\"} 2");
	metrics_has(&p, "kagent_collector_reports_total 6");
	log_has(&p, "hello of host 'kafka-1' with the certificate of "
		    "'kafka-2'");
	log_has(&p, "report of host 'kafka-1' on the connection of 'kafka-2'");
	log_has(&p, "tls: certificate has expired");
	assert_int_equal(log_count(&p, "tls: tls:"), 0);
	coll_stop(&p);
}

static void test_tls_agent_outside_its_cluster_acl_refused(void **state)
{
	struct coll_proc p;
	struct client k;

	(void)state;
	coll_start(&p);
	client_open(&k, p.agent_port, "zk-1", "zk-1");
	assert_int_equal(client_hello(&k), 0);
	client_send_report(&k, "zk-1", "payments", 1);
	assert_true(client_refused(&k));
	client_close(&k);
	client_open(&k, p.agent_port, "zk-1", "zk-1");
	assert_int_equal(client_hello(&k), 0);
	assert_int_equal(client_report(&k, "zk", 1), 1);
	client_close(&k);
	metrics_has(&p, "kagent_collector_rejected_total{reason=\"acl\"} 1");
	metrics_has(&p, "kagent_collector_reports_total 1");
	log_has(&p, "the ACL does not let 'zk-1' report into cluster "
		    "'payments'");
	coll_stop(&p);
}

/* A new CA serves the connections that start after SIGHUP; the one
 * already up keeps reporting. */
static void test_tls_sighup_new_ca_for_new_connections(void **state)
{
	struct coll_proc p;
	struct client up, k;
	int i;

	(void)state;
	coll_start(&p);
	client_open(&up, p.agent_port, "kafka-1", "kafka-1");
	assert_int_equal(client_hello(&up), 0);
	assert_int_equal(client_report(&up, "payments", 1), 1);
	/* Before: ca2's host is refused. */
	client_open(&k, p.agent_port, "kafka-5-ca2", "kafka-5");
	client_send_hello(&k);
	assert_true(client_refused(&k));
	client_close(&k);
	file_copy("ca2.crt", "ca.pem");
	coll_reload(&p);
	client_open(&k, p.agent_port, "kafka-5-ca2", "kafka-5");
	assert_int_equal(client_hello(&k), 0);
	assert_int_equal(client_report(&k, "payments", 1), 1);
	client_close(&k);
	client_open(&k, p.agent_port, "kafka-2", "kafka-2");
	client_send_hello(&k);
	assert_true(client_refused(&k));
	client_close(&k);
	assert_int_equal(client_report(&up, "payments", 2), 2);
	client_close(&up);
	/* A CA file that does not load keeps the one in use. */
	file_write("ca.pem", "not a certificate\n");
	kill(p.pid, SIGHUP);
	for (i = 0; i < 250 && log_count(&p, "the running configuration is kept") == 0; i++)
		usleep(20000);
	log_has(&p, "the running configuration is kept");
	client_open(&k, p.agent_port, "kafka-5-ca2", "kafka-5");
	assert_int_equal(client_hello(&k), 1);
	client_close(&k);
	coll_stop(&p);
}

static void test_tls_metrics_need_a_reader_certificate(void **state)
{
	struct coll_proc p;
	char *body;
	int status;

	(void)state;
	coll_start(&p);
	body = http_get(p.http_port, NULL, "/metrics", &status);
	printf("plaintext from loopback, no read loopback rule: %d\n", status);
	assert_int_equal(status, 403);
	free(body);
	body = http_get(p.http_port, "kafka-1", "/metrics", &status);
	printf("a reporting host's certificate: %d\n", status);
	assert_int_equal(status, 403);
	free(body);
	body = http_get(p.http_port, "ops-1", "/api/fleet", &status);
	printf("ops-1's certificate, /api/fleet: %d\n", status);
	assert_int_equal(status, 200);
	free(body);
	metrics_has(&p, "kagent_collector_http_forbidden_total 2");
	coll_stop(&p);
}

/* `read loopback`, added by a reload, lets plaintext loopback clients
 * read. */
static void test_tls_read_loopback_lets_plain_clients_read(void **state)
{
	struct coll_proc p;
	char *body, text[256];
	int status;

	(void)state;
	coll_start(&p);
	snprintf(text, sizeof text, "%sread loopback\n", acl_text);
	file_write("acl", text);
	coll_reload(&p);
	body = http_get(p.http_port, NULL, "/metrics", &status);
	printf("plaintext from loopback after read loopback: %d\n", status);
	assert_int_equal(status, 200);
	assert_non_null(strstr(body, "\nkagent_collector_insecure 0\n"));
	free(body);
	coll_stop(&p);
}

/* `read loopback` is for plain HTTP: a TLS client on loopback is judged
 * by its certificate, and one no read rule names is refused. */
static void test_tls_read_loopback_does_not_admit_certificates(void **state)
{
	struct coll_proc p;
	char *body, text[256];
	int status;

	(void)state;
	coll_start(&p);
	snprintf(text, sizeof text, "%sread loopback\n", acl_text);
	file_write("acl", text);
	coll_reload(&p);
	body = http_get(p.http_port, "kafka-1", "/metrics", &status);
	printf("kafka-1's certificate from loopback, read loopback: %d\n",
	       status);
	assert_int_equal(status, 403);
	free(body);
	body = http_get(p.http_port, "ops-1", "/metrics", &status);
	printf("ops-1's certificate from loopback: %d\n", status);
	assert_int_equal(status, 200);
	free(body);
	metrics_has(&p, "kagent_collector_http_forbidden_total 1");
	coll_stop(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(
		test_tls_valid_agent_reports_and_gets_acks, coll_teardown),
	    cmocka_unit_test_teardown(
		test_tls_bad_certificates_refused_others_keep_reporting,
		coll_teardown),
	    cmocka_unit_test_teardown(
		test_tls_agent_outside_its_cluster_acl_refused, coll_teardown),
	    cmocka_unit_test_teardown(
		test_tls_sighup_new_ca_for_new_connections, coll_teardown),
	    cmocka_unit_test_teardown(
		test_tls_metrics_need_a_reader_certificate, coll_teardown),
	    cmocka_unit_test_teardown(
		test_tls_read_loopback_lets_plain_clients_read, coll_teardown),
	    cmocka_unit_test_teardown(
		test_tls_read_loopback_does_not_admit_certificates,
		coll_teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, certs_setup, certs_teardown);
}
