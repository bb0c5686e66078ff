/*
 * loadgen — N simulated agents in one libuv loop against a kcollectord.
 *
 *   loadgen --connect HOST:PORT [--agents N] [--seconds T] [--pid PID]
 *           [--root DIR]
 *
 * Phase 1 connects every agent and says hello, then idles a second: the
 * collector's RSS (from /proc/PID/status) before and after gives its memory
 * per idle connection.  Phase 2 has every agent send a report, wait for its
 * ack and send the next, for T seconds: reports/s and the ack latency
 * p50/p99.
 *
 * The report is this host's real inventory (or that below --root),
 * encoded once.  Host ids have one width and seqs start at 2^35 so that
 * both keep their encoded length, and each send patches them in place.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "proto.h"
#include "stream.h"

#define SEQ_BASE    (1ull << 35)
#define SAMPLES_MAX (4u << 20)
#define ID_FMT	    "loadgen-%06u"

struct lg;

struct sim {
	struct proto_stream st;
	uv_connect_t conn;
	struct proto_framer fr;
	struct lg *lg;
	unsigned idx;
	uint64_t seq;
	uint64_t sent_ns;
	bool ready; /* hello acked */
	bool busy;  /* a report awaits its ack */
};

struct lg {
	uv_loop_t *loop;
	struct sim *sims;
	unsigned n;
	unsigned ready;
	unsigned failed;
	bool running;
	uint8_t rbuf[65536];
	uint8_t *frame;
	size_t frame_len;
	size_t id_off, seq_off;
	kagent_v1_Envelope *env;
	uint64_t acks;
	uint32_t *lat_us;
	size_t n_lat;
	uv_timer_t timer;
};

static void sim_send_report(struct sim *s)
{
	struct lg *lg = s->lg;
	char id[16];
	uint64_t v = s->seq;
	size_t i;

	snprintf(id, sizeof id, ID_FMT, s->idx);
	memcpy(lg->frame + lg->id_off, id, strlen(id));
	for (i = 0; i < 6; i++, v >>= 7)
		lg->frame[lg->seq_off + i] =
		    (uint8_t)((v & 0x7f) | (i < 5 ? 0x80 : 0));
	s->sent_ns = uv_hrtime();
	s->busy = true;
	if (proto_stream_write(&s->st, lg->frame, lg->frame_len) < 0)
		proto_stream_close(&s->st, "write queue full");
}

static int sim_frame(void *arg, const uint8_t *p, size_t n)
{
	struct sim *s = arg;
	struct lg *lg = s->lg;

	if (proto_envelope_decode(p, n, lg->env, NULL, NULL) < 0 ||
	    lg->env->which_msg != kagent_v1_Envelope_ack_tag)
		return -EPROTO;
	if (!s->ready) {
		s->ready = true;
		lg->ready++;
		if (lg->env->msg.ack.seq >= SEQ_BASE)
			s->seq = lg->env->msg.ack.seq + 1;
		return 0;
	}
	if (!s->busy || lg->env->msg.ack.seq != s->seq)
		return -EPROTO;
	s->busy = false;
	if (lg->n_lat < SAMPLES_MAX)
		lg->lat_us[lg->n_lat++] =
		    (uint32_t)((uv_hrtime() - s->sent_ns) / 1000);
	lg->acks++;
	s->seq++;
	if (lg->running)
		sim_send_report(s);
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

	if (why[0] && s->lg->failed++ < 5)
		fprintf(stderr, "loadgen: agent %u: %s\n", s->idx, why);
	proto_framer_free(&s->fr);
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
	proto_stream_start(&s->st);
	memset(e, 0, sizeof *e);
	e->which_msg = kagent_v1_Envelope_hello_tag;
	e->msg.hello.protocol_version = PROTO_VERSION;
	snprintf(e->msg.hello.host_id, sizeof e->msg.hello.host_id, ID_FMT,
		 s->idx);
	snprintf(e->msg.hello.agent_version, sizeof e->msg.hello.agent_version,
		 "%s", KAGENT_VERSION);
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
	snprintf(id, sizeof id, ID_FMT, 0u);
	snprintf(r->host_id, sizeof r->host_id, "%s", id);
	snprintf(r->cluster, sizeof r->cluster, "loadgen");
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

static void on_stop(uv_timer_t *t)
{
	struct lg *lg = t->data;

	lg->running = false;
	uv_stop(lg->loop);
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
	    {NULL, 0, NULL, 0},
	};
	const char *connect_to = "127.0.0.1:7070", *root = "/";
	struct sockaddr_in addr;
	struct lg lg = {0};
	char host[64], *colon;
	long rss0, rss1, seconds = 10, pid = 0, n = 1000;
	uint64_t t0, t1;
	unsigned i;
	int ch;

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
		default:
			fprintf(stderr,
				"usage: loadgen --connect HOST:PORT "
				"[--agents N] [--seconds T] [--pid PID] "
				"[--root DIR]\n");
			return 2;
		}
	}
	snprintf(host, sizeof host, "%s", connect_to);
	colon = strrchr(host, ':');
	if (n < 1 || n > 100000 || seconds < 1 || colon == NULL) {
		fprintf(stderr, "loadgen: bad --agents, --seconds or "
				"--connect\n");
		return 2;
	}
	*colon = '\0';
	if (uv_ip4_addr(host, atoi(colon + 1), &addr) < 0) {
		fprintf(stderr, "loadgen: --connect %s: not IPv4:PORT\n",
			connect_to);
		return 2;
	}
	lg.loop = uv_default_loop();
	lg.n = (unsigned)n;
	lg.env = malloc(sizeof *lg.env);
	lg.sims = calloc(lg.n, sizeof *lg.sims);
	lg.lat_us = malloc(SAMPLES_MAX * sizeof *lg.lat_us);
	if (!lg.env || !lg.sims || !lg.lat_us || build_frame(&lg, root) < 0)
		return 1;
	printf("report: %zu bytes a frame\n", lg.frame_len);
	rss0 = rss_kib((int)pid);
	for (i = 0; i < lg.n; i++) {
		struct sim *s = &lg.sims[i];

		s->lg = &lg;
		s->idx = i;
		s->seq = SEQ_BASE;
		proto_framer_init(&s->fr, 0);
		proto_stream_init(lg.loop, &s->st, s, lg.rbuf, sizeof lg.rbuf,
				  4 * lg.frame_len, sim_read, sim_closed);
		s->conn.data = s;
		uv_tcp_connect(&s->conn, &s->st.tcp,
			       (const struct sockaddr *)&addr, sim_connected);
	}
	while (lg.ready + lg.failed < lg.n)
		uv_run(lg.loop, UV_RUN_ONCE);
	uv_timer_init(lg.loop, &lg.timer);
	lg.timer.data = &lg;
	uv_timer_start(&lg.timer, on_stop, 1000, 0);
	uv_run(lg.loop, UV_RUN_DEFAULT);
	rss1 = rss_kib((int)pid);
	printf("agents: %u connected, %u failed\n", lg.ready, lg.failed);
	if (rss0 > 0 && rss1 > 0)
		printf("collector RSS: %ld KiB before, %ld KiB with %u idle "
		       "agents: %.2f KiB per idle connection\n",
		       rss0, rss1, lg.ready,
		       (double)(rss1 - rss0) / (lg.ready ? lg.ready : 1));

	lg.running = true;
	t0 = uv_hrtime();
	for (i = 0; i < lg.n; i++)
		if (lg.sims[i].ready && !lg.sims[i].st.closing)
			sim_send_report(&lg.sims[i]);
	uv_timer_start(&lg.timer, on_stop, (uint64_t)seconds * 1000, 0);
	uv_run(lg.loop, UV_RUN_DEFAULT);
	t1 = uv_hrtime();
	qsort(lg.lat_us, lg.n_lat, sizeof *lg.lat_us, cmp_u32);
	printf("reports: %llu acked in %.2f s: %.0f reports/s\n",
	       (unsigned long long)lg.acks, (double)(t1 - t0) / 1e9,
	       (double)lg.acks / ((double)(t1 - t0) / 1e9));
	if (lg.n_lat)
		printf("ack latency: p50 %.3f ms, p99 %.3f ms\n",
		       lg.lat_us[lg.n_lat / 2] / 1000.0,
		       lg.lat_us[lg.n_lat * 99 / 100] / 1000.0);
	rss1 = rss_kib((int)pid);
	if (rss1 > 0)
		printf("collector RSS after the run: %ld KiB\n", rss1);
	uv_walk(lg.loop, close_all, NULL);
	uv_run(lg.loop, UV_RUN_DEFAULT);
	free(lg.sims);
	free(lg.lat_us);
	free(lg.frame);
	free(lg.env);
	return lg.failed ? 1 : 0;
}
