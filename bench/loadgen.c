/*
 * loadgen — N simulated agents in one libuv loop against a kcollectord.
 *
 *   loadgen --connect HOST:PORT (--tls-ca CA.pem --tls-ca-key CA.key |
 *           --insecure) [--tls-name NAME] [--cluster NAME] [--agents N]
 *           [--window N] [--seconds T] [--pid PID] [--root DIR] [--sample]
 *           [--verify] [--first N] [--inflight N] [--rate R]
 *           [--sources N] [--acked FILE]
 *
 * TLS is the default, as for kagentd: every agent presents its own client
 * certificate naming it (SAN URI kagent://host/loadgen-NNNNNN), issued
 * here at start by the CA the collector trusts, and checks the
 * collector's certificate against that CA and --tls-name (default the
 * --connect host, as kagentd does).  Each agent's TLS runs through
 * proto_stream_tls_start, kagentd's own byte path.  --insecure speaks
 * plaintext to a `kcollectord --insecure`, for comparison.
 *
 * Phase 1 connects every agent (at most --window connecting at once, so
 * handshakes do not pile up in either loop) and says hello, and prints how
 * long until all were ready; then it idles a second: the collector's RSS
 * (from /proc/PID/status) before and after gives its memory per idle
 * connection.  Phase 2 has every agent send a report, wait for its
 * ack and send the next, for T seconds: reports/s and the ack latency
 * p50/p99.  --inflight N keeps up to N reports unacknowledged per agent
 * (the hello then asks for a window of N and the agent keeps what the
 * collector grants; without --inflight the hello asks for none, as an
 * agent of before the window, and one report is in flight).  --rate R
 * offers R reports/s in all, spread over the agents with room in their
 * window, instead of sending as fast as acks come back.  --sources N
 * connects agent i from 127.0.0.(1 + i % N): one source address has
 * about 28 000 ephemeral ports towards one collector.  --acked FILE
 * writes each agent's host id, last acked seq and last sent seq at the
 * end, also when the collector went away during the run.
 *
 * Phase 2 ends by draining: no new report, every one in flight acked.
 * --sample prints the collector's RSS every second of phase 2 and its
 * minimum and maximum after a warm-up (the first tenth, at least 5 s).
 * --verify then reconnects every agent: the collector's answer to the
 * hello (its stored seq for the host) must equal the agent's last acked
 * seq, and each ack during the run had to be above the last and at most
 * the seq last sent, so a report lost, stored twice or out of order fails
 * the run (exit 1).
 *
 * The report is this host's real inventory (or that below --root),
 * encoded once.  Host ids have one width and seqs start at 2^35 so that
 * both keep their encoded length, and each send patches them in place.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "agent.h"
#include "proto.h"
#include "proto_fill.h"
#include "stream.h"
#include "tls.h"

#define SEQ_BASE    (1ull << 35)
#define SAMPLES_MAX (4u << 20)
#define ID_FMT	    "loadgen-%06u"
/* --first: the number of the first agent, so that two loadgens (one per
 * collector sharing a database) simulate different hosts. */
static unsigned id_first;
/* Agents connecting (TCP and TLS handshake, hello) at once by default. */
#define WINDOW_DEFAULT 100

struct lg;

struct sim {
	struct proto_stream st;
	uv_connect_t conn;
	struct proto_framer fr;
	struct lg *lg;
	unsigned idx;
	uint64_t seq;	/* the next to send */
	uint64_t acked; /* the highest acked */
	uint32_t window;
	bool ready; /* hello acked */
	bool verified;
};

struct lg {
	uv_loop_t *loop;
	struct sim *sims;
	unsigned n;
	unsigned started; /* agents connected or connecting this phase */
	unsigned target;  /* agents to start this phase */
	unsigned window;  /* at most this many connecting at once */
	unsigned ready;
	unsigned failed;
	struct sockaddr_in addr;
	/* TLS: ctx NULL for plaintext */
	struct proto_tls tls;
	const char *tls_name; /* the collector's certificate must name it */
	EVP_PKEY *key;	      /* every agent's */
	X509 **certs;	      /* one per agent */
	unsigned tls_ok;      /* handshakes that ended in TLS 1.3 */
	char server_id[PROTO_TLS_ID_MAX];
	char cluster[64];
	bool running;
	uint8_t rbuf[65536];
	uint8_t *frame;
	size_t frame_len;
	size_t id_off, seq_off;
	kagent_v1_Envelope *env;
	uint64_t acks;
	uint32_t inflight;   /* --inflight, 1 without */
	bool ask_window;     /* the hello carries inflight as its window */
	uint64_t *sent_ns;   /* inflight per agent, by seq % inflight */
	unsigned sources;    /* --sources: 127.0.0.1 .. 127.0.0.N */
	double rate;	     /* --rate: reports/s offered, 0 closed loop */
	uint64_t paced;	     /* reports sent by the pacer */
	uint64_t pace_t0;
	unsigned pace_next;  /* the agent the pacer tries first */
	uv_timer_t pacer;
	uint32_t *lat_us;
	size_t n_lat;
	uv_timer_t timer;
	uv_timer_t sampler;
	int pid;
	bool draining, verifying;
	uint64_t busy; /* reports in flight, all agents */
	unsigned mismatched;
	long *rss;
	size_t n_rss, rss_cap;
};

static void lg_connect_more(struct lg *lg);

static void sim_send_report(struct sim *s)
{
	struct lg *lg = s->lg;
	char id[16];
	uint64_t v = s->seq;
	size_t i;

	snprintf(id, sizeof id, ID_FMT, id_first + s->idx);
	memcpy(lg->frame + lg->id_off, id, strlen(id));
	for (i = 0; i < 6; i++, v >>= 7)
		lg->frame[lg->seq_off + i] =
		    (uint8_t)((v & 0x7f) | (i < 5 ? 0x80 : 0));
	lg->sent_ns[(size_t)s->idx * lg->inflight + s->seq % lg->inflight] =
	    uv_hrtime();
	s->seq++;
	lg->busy++;
	if (proto_stream_write(&s->st, lg->frame, lg->frame_len) < 0)
		proto_stream_close(&s->st, "write queue full");
}

static uint64_t sim_inflight(const struct sim *s)
{
	return s->seq - 1 - s->acked;
}

static bool sim_room(const struct sim *s)
{
	return s->ready && !s->st.closing && sim_inflight(s) < s->window;
}

/* Closed loop: every ack makes room for as many reports. */
static void sim_fill(struct sim *s)
{
	while (sim_room(s))
		sim_send_report(s);
}

static int sim_frame(void *arg, const uint8_t *p, size_t n)
{
	struct sim *s = arg;
	struct lg *lg = s->lg;
	uint64_t a, q, now;

	if (proto_envelope_decode(p, n, lg->env, NULL, NULL) < 0 ||
	    lg->env->which_msg != kagent_v1_Envelope_ack_tag)
		return -EPROTO;
	if (!s->ready) {
		s->window = lg->inflight;
		if (lg->ask_window &&
		    proto_window_agreed(&lg->env->msg.ack, lg->inflight,
					&s->window) < 0)
			return -EPROTO;
		s->ready = true;
		lg->ready++;
		lg_connect_more(lg);
		if (lg->verifying) {
			s->verified = lg->env->msg.ack.seq == s->acked;
			if (!s->verified && lg->mismatched++ < 5)
				fprintf(
				    stderr,
				    "loadgen: agent %u: collector holds "
				    "seq %llu, last acked %llu\n",
				    s->idx,
				    (unsigned long long)lg->env->msg.ack.seq,
				    (unsigned long long)s->acked);
			return 0;
		}
		if (lg->env->msg.ack.seq >= SEQ_BASE)
			s->seq = lg->env->msg.ack.seq + 1;
		s->acked = s->seq - 1;
		return 0;
	}
	/* Cumulative: above the last ack, at most the last sent. */
	a = lg->env->msg.ack.seq;
	if (a <= s->acked || a >= s->seq)
		return -EPROTO;
	now = uv_hrtime();
	for (q = s->acked + 1; q <= a; q++)
		if (lg->n_lat < SAMPLES_MAX)
			lg->lat_us[lg->n_lat++] = (uint32_t)(
			    (now - lg->sent_ns[(size_t)s->idx * lg->inflight +
					       q % lg->inflight]) /
			    1000);
	lg->busy -= a - s->acked;
	lg->acks += a - s->acked;
	s->acked = a;
	if (lg->draining && lg->busy == 0)
		uv_stop(lg->loop);
	if (lg->running && lg->rate == 0)
		sim_fill(s);
	return 0;
}

static void sim_read(struct proto_stream *st, const uint8_t *buf, size_t len)
{
	struct sim *s = st->data;

	if (proto_framer_feed(&s->fr, buf, len, sim_frame, s) < 0)
		proto_stream_close(st, "bad answer");
}

static void sim_closed(struct proto_stream *st, const char *why)
{
	struct sim *s = st->data;

	struct lg *lg = s->lg;

	if (why[0] && lg->failed++ < 5)
		fprintf(stderr, "loadgen: agent %u: %s\n", s->idx, why);
	/* What it had in flight will never be acked on this connection. */
	if (s->ready) {
		lg->busy -= sim_inflight(s);
		s->ready = false;
		if (lg->draining && lg->busy == 0)
			uv_stop(lg->loop);
	}
	proto_framer_free(&s->fr);
	lg_connect_more(s->lg);
}

/* ---- TLS ---- */

/* A silent fallback to anything below TLS 1.3 would measure something
 * else: such an agent is closed, and counted failed. */
static void sim_handshake(struct proto_stream *st, const char *identity)
{
	struct sim *s = st->data;
	struct lg *lg = s->lg;

	if (strcmp(proto_stream_tls_version(st), "TLSv1.3") != 0) {
		proto_stream_close(st, "tls: not TLS 1.3");
		return;
	}
	lg->tls_ok++;
	if (lg->server_id[0] == '\0')
		snprintf(lg->server_id, sizeof lg->server_id, "%s", identity);
}

/* The agent's certificate goes on its own SSL, not the shared context:
 * one context serves every agent, yet each presents its own identity.
 * proto_stream_tls_start has only sent the ClientHello; the client
 * certificate is chosen when the collector's CertificateRequest arrives,
 * in a later turn of the loop. */
static int sim_tls_start(struct sim *s)
{
	struct lg *lg = s->lg;
	int r;

	s->st.on_handshake = sim_handshake;
	r = proto_stream_tls_start(&s->st, &lg->tls, false, lg->tls_name);
	if (r < 0 || s->st.closing)
		return r;
	if (SSL_use_certificate(s->st.ssl, lg->certs[s->idx]) != 1 ||
	    SSL_use_PrivateKey(s->st.ssl, lg->key) != 1) {
		ERR_clear_error();
		return -EINVAL;
	}
	return 0;
}

static void tls_die(const char *what, const char *path)
{
	char reason[160] = "unknown error";
	unsigned long e = ERR_get_error();

	if (e != 0)
		ERR_error_string_n(e, reason, sizeof reason);
	fprintf(stderr, "loadgen: %s %s: %s\n", what, path, reason);
	ERR_clear_error();
}

static int tls_read_pem(const char *path, X509 **cert, EVP_PKEY **key)
{
	FILE *f = fopen(path, "re");

	if (f == NULL) {
		fprintf(stderr, "loadgen: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (cert != NULL)
		*cert = PEM_read_X509(f, NULL, NULL, NULL);
	else
		*key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (cert != NULL ? *cert == NULL : *key == NULL) {
		tls_die(cert ? "certificate" : "key", path);
		return -EINVAL;
	}
	return 0;
}

static int tls_add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, v3, nid, value);
	int r;

	if (ext == NULL)
		return -EINVAL;
	r = X509_add_ext(x, ext, -1) == 1 ? 0 : -EINVAL;
	X509_EXTENSION_free(ext);
	return r;
}

/* What kagent-ca issues to a host, with the SAN the collector takes the
 * identity from; valid from an hour ago (clock skew) for a day. */
static X509 *tls_issue(X509 *ca, EVP_PKEY *ca_key, EVP_PKEY *key,
		       uint64_t serial, const char *id)
{
	X509 *x = X509_new();
	X509V3_CTX v3;
	char san[128];

	if (x == NULL)
		return NULL;
	snprintf(san, sizeof san, "URI:" PROTO_TLS_URI_PREFIX "%s", id);
	if (X509_set_version(x, X509_VERSION_3) != 1 ||
	    ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 86400) == NULL ||
	    X509_set_pubkey(x, key) != 1 ||
	    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
				       MBSTRING_ASC, (const unsigned char *)id,
				       -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(ca)) != 1)
		goto out_free;
	X509V3_set_ctx(&v3, ca, x, NULL, NULL, 0);
	if (tls_add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") <
		0 ||
	    tls_add_ext(x, &v3, NID_key_usage, "critical,digitalSignature") <
		0 ||
	    tls_add_ext(x, &v3, NID_ext_key_usage, "clientAuth") < 0 ||
	    tls_add_ext(x, &v3, NID_subject_alt_name, san) < 0 ||
	    X509_sign(x, ca_key, EVP_sha256()) == 0)
		goto out_free;
	return x;

out_free:
	X509_free(x);
	return NULL;
}

/* The client context the agents share (proto/tls.c's, verifying the
 * collector against the CA), one key, and one certificate per agent. */
static int tls_setup(struct lg *lg, const char *ca_path, const char *key_path)
{
	X509 *ca = NULL;
	EVP_PKEY *ca_key = NULL;
	uint64_t t0 = uv_hrtime(), serial = 0;
	unsigned i;
	char id[16], err[256];
	int r;

	if ((r = tls_read_pem(ca_path, &ca, NULL)) < 0 ||
	    (r = tls_read_pem(key_path, NULL, &ca_key)) < 0)
		goto out_free;
	r = -EINVAL;
	if (X509_check_private_key(ca, ca_key) != 1) {
		tls_die("key does not match the CA", key_path);
		goto out_free;
	}
	if (proto_tls_init_peers_only(&lg->tls, ca_path, err, sizeof err) < 0) {
		fprintf(stderr, "loadgen: %s\n", err);
		goto out_free;
	}
	/* One key for all agents: a simulation shortcut.  The collector
	 * checks each certificate's chain, identity and proof of the key,
	 * never whether two hosts share one. */
	lg->key = EVP_EC_gen("P-256");
	lg->certs = calloc(lg->n, sizeof *lg->certs);
	if (lg->key == NULL || lg->certs == NULL ||
	    RAND_bytes((unsigned char *)&serial, 4) != 1)
		goto out_free;
	for (i = 0; i < lg->n; i++) {
		snprintf(id, sizeof id, ID_FMT, id_first + i);
		lg->certs[i] = tls_issue(ca, ca_key, lg->key,
					 (serial << 24) | (i + 1), id);
		if (lg->certs[i] == NULL) {
			tls_die("cannot issue a certificate with", key_path);
			goto out_free;
		}
	}
	printf("tls: %u client certificates issued by %s in %.0f ms\n", lg->n,
	       ca_path, (double)(uv_hrtime() - t0) / 1e6);
	r = 0;
out_free:
	X509_free(ca);
	EVP_PKEY_free(ca_key);
	return r;
}

static void tls_teardown(struct lg *lg)
{
	unsigned i;

	for (i = 0; lg->certs != NULL && i < lg->n; i++)
		X509_free(lg->certs[i]);
	free(lg->certs);
	EVP_PKEY_free(lg->key);
	proto_tls_free(&lg->tls);
}

static void sim_connected(uv_connect_t *req, int status)
{
	struct sim *s = req->data;
	kagent_v1_Envelope *e = s->lg->env;
	uint8_t buf[256];
	size_t len;

	if (status < 0) {
		proto_stream_close(&s->st, uv_strerror(status));
		return;
	}
	if ((s->lg->tls.ctx ? sim_tls_start(s) : proto_stream_start(&s->st)) <
	    0) {
		proto_stream_close(&s->st, "cannot start the stream");
		return;
	}
	if (s->st.closing)
		return;
	memset(e, 0, sizeof *e);
	e->which_msg = kagent_v1_Envelope_hello_tag;
	e->msg.hello.protocol_version = PROTO_VERSION;
	snprintf(e->msg.hello.host_id, sizeof e->msg.hello.host_id, ID_FMT,
		 id_first + s->idx);
	snprintf(e->msg.hello.agent_version, sizeof e->msg.hello.agent_version,
		 "%s", KAGENT_VERSION);
	e->msg.hello.has_window = s->lg->ask_window;
	e->msg.hello.window = s->lg->inflight;
	if (proto_envelope_encode(e, buf, sizeof buf, &len, NULL) < 0 ||
	    proto_stream_write(&s->st, buf, len) < 0)
		proto_stream_close(&s->st, "cannot send hello");
}

/* The template frame: this host's inventory as a report. */
static int build_frame(struct lg *lg, const char *root)
{
	static const uint8_t seq_tag = (10 << 3) | 0;
	struct inventory inv;
	struct proto_lists l;
	kagent_v1_Report *r = &lg->env->msg.report;
	struct hw_err err;
	unsigned clipped = 0;
	uint8_t *p, *end;
	char id[16];
	int rc;

	rc = inventory_probe(root, &inv, &err);
	if (rc < 0) {
		fprintf(stderr, "loadgen: %s\n", err.msg);
		return rc;
	}
	proto_lists_init(&l);
	memset(lg->env, 0, sizeof *lg->env);
	lg->env->which_msg = kagent_v1_Envelope_report_tag;
	snprintf(id, sizeof id, ID_FMT, id_first);
	snprintf(r->host_id, sizeof r->host_id, "%s", id);
	snprintf(r->cluster, sizeof r->cluster, "%s", lg->cluster);
	snprintf(r->rack, sizeof r->rack, "r1");
	r->roles_count = 1;
	r->roles[0] = kagent_v1_Role_ROLE_KAFKA;
	r->seq = SEQ_BASE;
	r->report_interval_s = 60;
	r->verdict = kagent_v1_Severity_SEVERITY_PASS;
	proto_report_bind(r, &l);
	rc = proto_fill_inventory(&inv.cpu, &inv.memory, &inv.nics, &inv.disks,
				  &r->inventory, &l, &clipped);
	lg->frame = malloc(PROTO_FRAME_MAX + PROTO_FRAME_HDR);
	if (rc == 0 && lg->frame)
		rc = proto_envelope_encode(lg->env, lg->frame,
					   PROTO_FRAME_MAX + PROTO_FRAME_HDR,
					   &lg->frame_len, &err);
	proto_lists_free(&l);
	inventory_free(&inv);
	if (rc < 0)
		return rc;
	end = lg->frame + lg->frame_len;
	p = memmem(lg->frame, lg->frame_len, id, strlen(id));
	if (p == NULL)
		return -EINVAL;
	lg->id_off = (size_t)(p - lg->frame);
	/* The seq's tag followed by the 6-byte varint of 2^35. */
	for (p = lg->frame; p + 7 <= end; p++)
		if (p[0] == seq_tag && p[1] == 0x80 && p[2] == 0x80 &&
		    p[3] == 0x80 && p[4] == 0x80 && p[5] == 0x80 &&
		    p[6] == 0x01)
			break;
	if (p + 7 > end)
		return -EINVAL;
	lg->seq_off = (size_t)(p + 1 - lg->frame);
	return 0;
}

/* utime + stime of pid in seconds (fields 14 and 15 of its stat): the
 * time it ran, not the time it waited for a core.  -1 unknown. */
static double cpu_s(int pid)
{
	unsigned long ut, st;
	char path[64], buf[1024], *p;
	size_t n;
	FILE *f;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
				       "%*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long rss_kib(int pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Open loop: every millisecond, the reports due since the start of the
 * phase go to the next agents with room in their window, round robin.
 * Reports no agent has room for are not sent: "offered" below counts
 * what went out. */
static void on_pace(uv_timer_t *t)
{
	struct lg *lg = t->data;
	double due = lg->rate * (double)(uv_hrtime() - lg->pace_t0) / 1e9;
	unsigned tried = 0;
	struct sim *s;

	while ((double)lg->paced < due && tried < lg->n) {
		s = &lg->sims[lg->pace_next];
		lg->pace_next = (lg->pace_next + 1) % lg->n;
		if (!sim_room(s)) {
			tried++;
			continue;
		}
		tried = 0;
		sim_send_report(s);
		lg->paced++;
	}
	if ((double)lg->paced < due)
		lg->paced = (uint64_t)due; /* no room: not owed later */
}

static void on_stop(uv_timer_t *t)
{
	struct lg *lg = t->data;

	lg->running = false;
	uv_stop(lg->loop);
}

static void on_sample(uv_timer_t *t)
{
	struct lg *lg = t->data;
	long kib = rss_kib(lg->pid);

	if (kib < 0 || lg->n_rss == lg->rss_cap)
		return;
	lg->rss[lg->n_rss++] = kib;
	printf("rss %zu s: %ld KiB, %llu reports acked\n", lg->n_rss, kib,
	       (unsigned long long)lg->acks);
	fflush(stdout);
}

/* Phase 2 is over: no new reports; the ones in flight get 10 s. */
static void drain(struct lg *lg)
{
	lg->draining = true;
	if (lg->busy == 0)
		return;
	uv_timer_start(&lg->timer, on_stop, 10000, 0);
	uv_run(lg->loop, UV_RUN_DEFAULT);
	uv_timer_stop(&lg->timer);
}

static void sim_start(struct lg *lg, struct sim *s)
{
	int r;

	proto_framer_init(&s->fr, 0);
	proto_stream_init(lg->loop, &s->st, s, lg->rbuf, sizeof lg->rbuf,
			  (lg->inflight + 4) * lg->frame_len, sim_read,
			  sim_closed);
	s->conn.data = s;
	r = 0;
	if (lg->sources > 0) {
		struct sockaddr_in src = {.sin_family = AF_INET};

		src.sin_addr.s_addr =
		    htonl(INADDR_LOOPBACK + s->idx % lg->sources);
		r = uv_tcp_bind(&s->st.tcp, (const struct sockaddr *)&src, 0);
	}
	if (r == 0)
		r = uv_tcp_connect(&s->conn, &s->st.tcp,
				   (const struct sockaddr *)&lg->addr,
				   sim_connected);
	if (r < 0)
		proto_stream_close(&s->st, uv_strerror(r));
}

/* Keeps at most lg->window agents between connect and the hello's ack. */
static void lg_connect_more(struct lg *lg)
{
	/* An agent that failed after its hello counts in both. */
	while (lg->started < lg->target &&
	       (lg->ready + lg->failed >= lg->started ||
		lg->started - lg->ready - lg->failed < lg->window))
		sim_start(lg, &lg->sims[lg->started++]);
}

/* Phase 1 (and the reconnect of --verify): every agent connected and its
 * hello acked, or failed.  The first agent goes alone, and rss_first (if
 * not NULL) takes the collector's RSS once it is in: what the first
 * connection costs once (OpenSSL's tables, the store's first host) stays
 * out of the cost per connection. */
static double lg_connect_all(struct lg *lg, long *rss_first)
{
	uint64_t t0 = uv_hrtime();
	unsigned i;

	lg->started = lg->ready = lg->failed = 0;
	for (i = 0; i < lg->n; i++)
		lg->sims[i].ready = false;
	lg->target = 1;
	lg_connect_more(lg);
	while (lg->ready + lg->failed < 1)
		uv_run(lg->loop, UV_RUN_ONCE);
	if (rss_first != NULL)
		*rss_first = rss_kib(lg->pid);
	lg->target = lg->n;
	lg_connect_more(lg);
	while (lg->ready + lg->failed < lg->n)
		uv_run(lg->loop, UV_RUN_ONCE);
	return (double)(uv_hrtime() - t0) / 1e9;
}

static long rss_max(const long *v, size_t n)
{
	long hi = v[0];
	size_t k;

	for (k = 1; k < n; k++)
		if (v[k] > hi)
			hi = v[k];
	return hi;
}

/* Flat memory after warm-up (the first tenth, at least 5 s): min and max,
 * the peak of each half (a leak keeps raising the second's), and the
 * least-squares slope per minute. */
static void rss_summary(const struct lg *lg)
{
	size_t warm = lg->n_rss / 10 > 5 ? lg->n_rss / 10 : 5, k, n, half;
	const long *v = lg->rss + warm;
	double sx = 0, sy = 0, sxx = 0, sxy = 0, den;
	long lo;

	if (warm + 2 > lg->n_rss)
		return;
	n = lg->n_rss - warm;
	half = n / 2;
	lo = v[0];
	for (k = 0; k < n; k++) {
		if (v[k] < lo)
			lo = v[k];
		sx += (double)k;
		sy += (double)v[k];
		sxx += (double)k * (double)k;
		sxy += (double)k * (double)v[k];
	}
	den = (double)n * sxx - sx * sx;
	printf("collector RSS after %zu s of warm-up: min %ld KiB, max %ld "
	       "KiB over %zu samples; peak %ld KiB in the first half, %ld "
	       "KiB in the second; trend %+.1f KiB/min\n",
	       warm, lo, rss_max(v, n), n, rss_max(v, half),
	       rss_max(v + half, n - half),
	       den > 0 ? 60.0 * ((double)n * sxy - sx * sy) / den : 0.0);
}

/* One line an agent: host id, last acked seq, last sent seq. */
static int write_acked(const struct lg *lg, const char *path)
{
	FILE *f = fopen(path, "w");
	unsigned i;

	if (f == NULL) {
		fprintf(stderr, "loadgen: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	for (i = 0; i < lg->n; i++)
		fprintf(f, ID_FMT " %llu %llu\n", id_first + i,
			(unsigned long long)lg->sims[i].acked,
			(unsigned long long)(lg->sims[i].seq - 1));
	if (fclose(f) != 0) {
		fprintf(stderr, "loadgen: %s: %s\n", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void close_all(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (uv_is_closing(h))
		return;
	if (h->type == UV_TCP)
		proto_stream_close(h->data, "");
	else
		uv_close(h, NULL);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"connect", required_argument, NULL, 'c'},
	    {"agents", required_argument, NULL, 'n'},
	    {"seconds", required_argument, NULL, 't'},
	    {"pid", required_argument, NULL, 'p'},
	    {"root", required_argument, NULL, 'r'},
	    {"sample", no_argument, NULL, 's'},
	    {"verify", no_argument, NULL, 'v'},
	    {"tls-ca", required_argument, NULL, 'A'},
	    {"tls-ca-key", required_argument, NULL, 'K'},
	    {"tls-name", required_argument, NULL, 'N'},
	    {"insecure", no_argument, NULL, 'I'},
	    {"cluster", required_argument, NULL, 'C'},
	    {"window", required_argument, NULL, 'w'},
	    {"first", required_argument, NULL, 'f'},
	    {"inflight", required_argument, NULL, 'i'},
	    {"rate", required_argument, NULL, 'R'},
	    {"sources", required_argument, NULL, 'S'},
	    {"acked", required_argument, NULL, 'a'},
	    {NULL, 0, NULL, 0},
	};
	const char *connect_to = "127.0.0.1:7070", *root = "/";
	const char *tls_ca = NULL, *tls_ca_key = NULL, *tls_name = NULL;
	const char *cluster = "loadgen", *acked_path = NULL;
	long inflight = 1, sources = 0;
	double rate = 0;
	uint64_t offered = 0;
	struct lg lg = {0};
	char host[64], *colon;
	long rss0, rss_first = -1, rss1, seconds = 10, pid = 0, n = 1000;
	long window = WINDOW_DEFAULT;
	uint64_t t0, t1;
	unsigned i, failed, tls_phase1;
	double took, cpu0, cpu1;
	bool sample = false, verify = false, insecure = false, failed_io = false;
	int ch, rc = 1;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			connect_to = optarg;
			break;
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 't':
			seconds = strtol(optarg, NULL, 10);
			break;
		case 'p':
			pid = strtol(optarg, NULL, 10);
			break;
		case 'r':
			root = optarg;
			break;
		case 's':
			sample = true;
			break;
		case 'v':
			verify = true;
			break;
		case 'A':
			tls_ca = optarg;
			break;
		case 'K':
			tls_ca_key = optarg;
			break;
		case 'N':
			tls_name = optarg;
			break;
		case 'I':
			insecure = true;
			break;
		case 'C':
			cluster = optarg;
			break;
		case 'w':
			window = strtol(optarg, NULL, 10);
			break;
		case 'f':
			id_first = (unsigned)strtoul(optarg, NULL, 10) % 500000;
			break;
		case 'i':
			inflight = strtol(optarg, NULL, 10);
			lg.ask_window = true;
			break;
		case 'R':
			rate = strtod(optarg, NULL);
			break;
		case 'S':
			sources = strtol(optarg, NULL, 10);
			break;
		case 'a':
			acked_path = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: loadgen --connect HOST:PORT "
				"(--tls-ca CA.pem --tls-ca-key CA.key "
				"[--tls-name NAME] | --insecure) "
				"[--cluster NAME] [--agents N] [--window N] "
				"[--seconds T] [--pid PID] [--root DIR] "
				"[--sample] [--verify] [--first N] "
				"[--inflight N] [--rate R] [--sources N] "
				"[--acked FILE]\n");
			return 2;
		}
	}
	/* A collector that closes a connection is an agent's failure,
	 * counted, not the end of the run; and what was printed stays. */
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(host, sizeof host, "%s", connect_to);
	colon = strrchr(host, ':');
	if (n < 1 || n > 100000 || seconds < 1 || window < 1 || colon == NULL ||
	    strlen(cluster) >= sizeof lg.cluster || inflight < 1 ||
	    inflight > 4096 || !(rate >= 0 && rate <= 1e7) || sources < 0 ||
	    sources > 250) {
		fprintf(stderr, "loadgen: bad --agents, --window, --seconds, "
				"--cluster, --connect, --inflight (1-4096), "
				"--rate or --sources (0-250)\n");
		return 2;
	}
	if (insecure == (tls_ca != NULL && tls_ca_key != NULL) ||
	    (insecure && (tls_ca || tls_ca_key || tls_name))) {
		fprintf(stderr, "loadgen: either --tls-ca and --tls-ca-key, "
				"or --insecure\n");
		return 2;
	}
	*colon = '\0';
	if (uv_ip4_addr(host, atoi(colon + 1), &lg.addr) < 0) {
		fprintf(stderr, "loadgen: --connect %s: not IPv4:PORT\n",
			connect_to);
		return 2;
	}
	lg.loop = uv_default_loop();
	lg.n = (unsigned)n;
	lg.window = (unsigned)window;
	lg.inflight = (uint32_t)inflight;
	lg.rate = rate;
	lg.sources = (unsigned)sources;
	lg.tls_name = tls_name ? tls_name : host;
	snprintf(lg.cluster, sizeof lg.cluster, "%s", cluster);
	lg.env = malloc(sizeof *lg.env);
	lg.sims = calloc(lg.n, sizeof *lg.sims);
	lg.lat_us = malloc(SAMPLES_MAX * sizeof *lg.lat_us);
	lg.sent_ns = calloc((size_t)lg.n * lg.inflight, sizeof *lg.sent_ns);
	if (!lg.env || !lg.sims || !lg.lat_us || !lg.sent_ns ||
	    build_frame(&lg, root) < 0)
		goto out_free;
	if (!insecure && tls_setup(&lg, tls_ca, tls_ca_key) < 0)
		goto out_free;
	printf("report: %zu bytes a frame, cluster %s, %s\n", lg.frame_len,
	       lg.cluster, insecure ? "plaintext" : "TLS 1.3");
	lg.pid = (int)pid;
	rss0 = rss_kib(lg.pid);
	for (i = 0; i < lg.n; i++) {
		struct sim *s = &lg.sims[i];

		s->lg = &lg;
		s->idx = i;
		s->seq = SEQ_BASE;
		s->acked = SEQ_BASE - 1;
	}
	took = lg_connect_all(&lg, &rss_first);
	printf("connect: %u agents ready in %.3f s (%u connecting at "
	       "once)\n",
	       lg.ready, took, lg.window);
	if (!insecure)
		printf("tls: %u agents handshaken over TLS 1.3, collector "
		       "identity '%s'\n",
		       lg.tls_ok, lg.server_id);
	tls_phase1 = lg.tls_ok;
	uv_timer_init(lg.loop, &lg.timer);
	lg.timer.data = &lg;
	uv_timer_init(lg.loop, &lg.sampler);
	lg.sampler.data = &lg;
	lg.rss_cap = (size_t)seconds + 16;
	lg.rss = calloc(lg.rss_cap, sizeof *lg.rss);
	if (lg.rss == NULL)
		goto out_free;
	uv_timer_start(&lg.timer, on_stop, 1000, 0);
	uv_run(lg.loop, UV_RUN_DEFAULT);
	rss1 = rss_kib((int)pid);
	printf("agents: %u connected, %u failed\n", lg.ready, lg.failed);
	if (rss0 > 0 && rss_first > 0 && rss1 > 0 && lg.ready > 1)
		printf("collector RSS: %ld KiB before, %ld KiB with one agent, "
		       "%ld KiB with %u idle agents: %.2f KiB per idle "
		       "connection after the first\n",
		       rss0, rss_first, rss1, lg.ready,
		       (double)(rss1 - rss_first) / (lg.ready - 1));

	lg.running = true;
	cpu0 = cpu_s(lg.pid);
	t0 = uv_hrtime();
	if (lg.rate > 0) {
		uv_timer_init(lg.loop, &lg.pacer);
		lg.pacer.data = &lg;
		lg.pace_t0 = t0;
		uv_timer_start(&lg.pacer, on_pace, 1, 1);
	} else {
		for (i = 0; i < lg.n; i++)
			sim_fill(&lg.sims[i]);
	}
	uv_timer_start(&lg.timer, on_stop, (uint64_t)seconds * 1000, 0);
	if (sample)
		uv_timer_start(&lg.sampler, on_sample, 1000, 1000);
	uv_run(lg.loop, UV_RUN_DEFAULT);
	t1 = uv_hrtime();
	cpu1 = cpu_s(lg.pid);
	uv_timer_stop(&lg.sampler);
	if (lg.rate > 0) {
		uv_timer_stop(&lg.pacer);
		offered = lg.acks + lg.busy;
	}
	drain(&lg);
	printf("unacked after the drain: %llu\n", (unsigned long long)lg.busy);
	if (lg.rate > 0)
		printf("offered: %.0f reports/s asked, %.0f reports/s sent\n",
		       lg.rate, (double)offered / ((double)(t1 - t0) / 1e9));
	printf("window: %u reports in flight per agent%s\n", lg.inflight,
	       lg.ask_window ? ", asked in the hello" : ", hello without one");
	qsort(lg.lat_us, lg.n_lat, sizeof *lg.lat_us, cmp_u32);
	printf("reports: %llu acked in %.2f s: %.0f reports/s\n",
	       (unsigned long long)lg.acks, (double)(t1 - t0) / 1e9,
	       (double)lg.acks / ((double)(t1 - t0) / 1e9));
	if (cpu0 >= 0 && cpu1 > cpu0)
		printf("collector CPU while reporting: %.2f s: %.0f reports "
		       "per CPU second\n",
		       cpu1 - cpu0, (double)lg.acks / (cpu1 - cpu0));
	if (lg.n_lat)
		printf("ack latency: p50 %.3f ms, p99 %.3f ms\n",
		       lg.lat_us[lg.n_lat / 2] / 1000.0,
		       lg.lat_us[lg.n_lat * 99 / 100] / 1000.0);
	rss1 = rss_kib((int)pid);
	if (rss1 > 0)
		printf("collector RSS after the run: %ld KiB\n", rss1);
	rss_summary(&lg);
	if (acked_path != NULL && write_acked(&lg, acked_path) < 0)
		failed_io = true;
	uv_walk(lg.loop, close_all, NULL);
	uv_run(lg.loop, UV_RUN_DEFAULT);
	failed = lg.failed;
	if (verify) {
		lg.verifying = true;
		took = lg_connect_all(&lg, NULL);
		printf("verify: %u agents reconnected in %.3f s, %u failed; "
		       "stored seq == last acked seq for %u, %u mismatched\n",
		       lg.ready, took, lg.failed, lg.ready - lg.mismatched,
		       lg.mismatched);
		if (!insecure)
			printf("verify: %u agents handshaken over TLS 1.3\n",
			       lg.tls_ok - tls_phase1);
		failed += lg.failed;
		uv_walk(lg.loop, close_all, NULL);
		uv_run(lg.loop, UV_RUN_DEFAULT);
	}
	/* Every agent must have spoken TLS in every phase it connected. */
	if (!insecure && lg.tls_ok != (verify ? 2u : 1u) * lg.n) {
		fprintf(stderr, "loadgen: %u TLS handshakes, %u expected\n",
			lg.tls_ok, (verify ? 2u : 1u) * lg.n);
		failed++;
	}
	rc = failed || lg.busy || lg.mismatched || failed_io ? 1 : 0;
out_free:
	tls_teardown(&lg);
	free(lg.rss);
	free(lg.sims);
	free(lg.lat_us);
	free(lg.sent_ns);
	free(lg.frame);
	free(lg.env);
	return rc;
}
