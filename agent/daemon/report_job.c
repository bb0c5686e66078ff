/* SPDX-License-Identifier: Apache-2.0 */
/* The loop's jobs, run on libuv's thread pool in the unprivileged
 * process: gather the facts, judge them, build and encode the report, or
 * the health digest, or read SMART again.  What this process may not read
 * itself (a root-only file, a disk's SMART) comes from the prober as raw
 * bytes or an open descriptor (prober_client.c); everything is parsed
 * here.  Each job first pings the prober, so a stuck prober is found and
 * replaced by its watchdog within the job that needed it. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core_log.h"
#include "daemon.h"
#include "events_link.h"
#include "facts_cache.h"
#include "nvme.h"
#include "prober_client.h"
#include "report_job_int.h"

/* Links probed by a health request this long ago serve the full report
 * that follows it (both timers fire together at interval 1 s). */
#define JOB_NICS_REUSE_MS 500
/* Links kept by events are read whole again after this long all the
 * same: a driver that changes a speed without telling rtnetlink is seen
 * as late as the facts cache's own refresh. */
#define JOB_LINKS_KEEP_MS FACTS_CACHE_REFRESH_MS

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Opens libsensors on the live host; a failure is read again (and
 * reported) by each one-shot read instead. */
void report_job_sensors_reopen(struct report_job *p)
{
	struct hw_err err = {{0}};

	board_sensors_close(&p->sensors);
	if (p->live)
		board_sensors_open(&p->sensors, &err);
}

static struct board_sensors_lib *sensors_lib(struct report_job *p)
{
	return p->sensors.open ? &p->sensors : NULL;
}

/* body NULL: already in p->body. */
int report_job_reply(struct report_job *p, uint32_t code, int status,
		 const void *body, size_t len)
{
	p->rh->code = code;
	p->rh->status = status;
	p->rh->len = (uint32_t)len;
	if (body && len)
		memmove(p->body, body, len);
	return 0;
}

int report_job_reply_error(struct report_job *p, uint32_t code, int status,
		       const char *msg)
{
	size_t n = strnlen(msg, PROBER_MSG_MAX);

	core_log(LOG_ERR, "job %u: %.*s", code, (int)n, msg);
	return report_job_reply(p, code, status < 0 ? status : -EINVAL, msg, n);
}

static int nics_copy(const struct hw_nics *from, struct hw_nics *to)
{
	memset(to, 0, sizeof *to);
	if (from->n) {
		to->v = malloc(from->n * sizeof *to->v);
		if (to->v == NULL)
			return -ENOMEM;
		memcpy(to->v, from->v, from->n * sizeof *to->v);
	}
	to->n = from->n;
	memcpy(to->default_route, from->default_route,
	       sizeof to->default_route);
	return 0;
}

/* The links now: the kept ones while the kernel told of no change, with
 * lldpd's neighbours asked again (they change without a kernel event);
 * otherwise read whole, and kept at the generation seen before the read,
 * so that a change during the read is read again next time. */
static int links_read(struct report_job *p, struct hw_nics *out,
		      struct hw_err *err)
{
	const char *lldp = p->conf->lldp_socket[0] ? p->conf->lldp_socket
						   : NULL;
	uint64_t gen = p->links_ev ? events_link_gen(p->links_ev) : 0;
	int64_t now = mono_ms();
	int r;

	if (gen != 0 && gen == p->links_gen &&
	    now - p->links_ms < JOB_LINKS_KEEP_MS && now >= p->links_ms &&
	    nics_copy(&p->links, out) == 0) {
		hw_lldp_probe(p->root, lldp, out);
		return 0;
	}
	r = hw_nics_probe_lldp(p->root, lldp, out, err);
	if (r < 0)
		return r;
	hw_nics_free(&p->links);
	p->links_gen = 0;
	if (gen != 0 && nics_copy(out, &p->links) == 0) {
		p->links_gen = gen;
		p->links_ms = now;
	}
	return 0;
}

static bool is_wildcard(const char *a)
{
	return a[0] == '\0' || !strcmp(a, "0.0.0.0") || !strcmp(a, "::");
}

/* Where ZooKeeper answers, from zoo.cfg as facts_gather finds it. */
static void learn_zk(struct report_job *p, const struct facts *f)
{
	p->zk_known = true;
	p->zk_port = 0;
	if (f->zk == NULL)
		return;
	p->zk_port =
	    f->zk->client_port.known ? (int32_t)f->zk->client_port.v : 2181;
	snprintf(p->zk_host, sizeof p->zk_host, "%s",
		 is_wildcard(f->zk->client_port_address)
		     ? "127.0.0.1"
		     : f->zk->client_port_address);
}

static bool is_loopback(const char *h)
{
	return !strncmp(h, "127.", 4) || !strcmp(h, "::1") ||
	       !strcmp(h, "localhost");
}

/* The broker's own listener for the loop's metadata client: a loopback
 * one first, then one on every interface (asked on loopback), then the
 * first; a controller's listener never, it serves no metadata. */
static void kafka_bootstrap_pick(const struct kafka_config *c, char *out,
				 size_t cap)
{
	const struct kafka_endpoint *pick = NULL, *ep;
	int rank = 0, r;
	size_t i, j;

	out[0] = '\0';
	for (i = 0; i < c->n_listeners; i++) {
		ep = &c->listeners[i].ep;
		if (!ep->valid || !ep->port.known)
			continue;
		for (j = 0; j < c->n_controller_listeners; j++)
			if (!strcmp(ep->name, c->controller_listeners[j]))
				break;
		if (j < c->n_controller_listeners)
			continue;
		r = is_loopback(ep->host) ? 3 : is_wildcard(ep->host) ? 2 : 1;
		if (r > rank) {
			rank = r;
			pick = ep;
		}
	}
	if (pick == NULL)
		return;
	if (rank == 2)
		snprintf(out, cap, "127.0.0.1:%lld", (long long)pick->port.v);
	else if (strchr(pick->host, ':'))
		snprintf(out, cap, "[%s]:%lld", pick->host,
			 (long long)pick->port.v);
	else
		snprintf(out, cap, "%s:%lld", pick->host,
			 (long long)pick->port.v);
}

static int do_full(struct report_job *p, const struct job_full_req *q)
{
	struct facts_opts opts = {.live_zk = false, .tls_cert_given = true};
	struct check_results res = {0};
	struct hw_err err = {{0}};
	struct report_input in = {0};
	struct hw_nics *nics = NULL;
	int64_t now = mono_ms();
	uint64_t gathers = p->facts.whole_gathers;
	struct facts *f;
	size_t len;
	int r;

	opts.sensors_lib = sensors_lib(p);
	if (p->nics_have && now - p->nics_ms < JOB_NICS_REUSE_MS) {
		nics = &p->nics; /* taken over by the cache */
	} else if (p->links_ev && events_link_gen(p->links_ev) != 0) {
		hw_nics_free(&p->nics);
		if (links_read(p, &p->nics, &err) == 0)
			nics = &p->nics;
		err.msg[0] = '\0'; /* the cache reads them itself then */
	}
	p->nics_have = false;
	r = facts_cache_gather(&p->facts, p->root, p->conf, p->conf->roles,
			       &opts, now, nics, &f, &err);
	hw_nics_free(&p->nics);
	if (r < 0)
		return report_job_reply_error(p, JOB_FULL, r, err.msg);
	learn_zk(p, f);
	if (f->kafka && !p->conf->kafka_bootstrap[0])
		kafka_bootstrap_pick(f->kafka, p->kafka_bootstrap,
				     sizeof p->kafka_bootstrap);
	async_seen_from_meta(&q->zk_meta, q->timestamp_ms, &f->zk_live_seen);
	if (f->zk_live_seen.have) {
		f->zk_live = q->zk; /* checked by full_req_invalid */
		f->zk_live_probed = true;
	}
	f->tls_cert.read = q->tls_cert_read != 0;
	f->tls_cert.rc = q->tls_cert_rc;
	f->tls_cert.not_after = q->tls_cert_not_after;
	f->tls_cert.now = q->timestamp_ms / 1000;
	check_run(f, p->conf->roles, &res);

	in.host_id = p->host_id;
	in.facts = f;
	in.checks = &res;
	/* The inventory read DMI and the sensors; a failure left its
	 * reason there. */
	in.dmi = f->inv.dmi_error[0] ? NULL : &f->inv.dmi;
	in.sensors = f->inv.sensors_known ? &f->inv.sensors : NULL;
	in.sensors_why = p->live ? f->inv.sensors_error
				 : "sensors are read on the live host only";
	in.smart = p->smart;
	in.n_smart = p->n_smart;
	in.seq = q->seq;
	in.timestamp_ms = q->timestamp_ms;
	in.interval_s = q->interval_s;
	in.kafka = q->kafka ? &q->kafka->m : NULL;
	async_seen_from_meta(&q->kafka_meta, q->timestamp_ms, &in.kafka_seen);
	in.kafka_delta = q->kafka_delta;
	memset(p->env, 0, sizeof *p->env);
	p->env->which_msg = kagent_v1_Envelope_report_tag;
	r = report_build(&in, &p->env->msg.report, &p->lists);
	if (r == 0)
		r = proto_envelope_encode(p->env, p->body, PROBER_BODY_MAX,
					  &len, &err);
	check_results_free(&res);
	/* A whole gather allocates and frees far more than a cached call
	 * keeps; glibc holds freed heap until asked, so give it back once
	 * here rather than carry the gather's peak as resident memory.  A
	 * cached call frees too little to be worth the walk. */
	if (p->facts.whole_gathers != gathers)
		malloc_trim(0);
	if (r < 0)
		return report_job_reply_error(p, JOB_FULL, r,
				   err.msg[0] ? err.msg : strerror(-r));
	return report_job_reply(p, JOB_FULL, 0, NULL, len);
}

/* Links and sensor alarms, not readings: a temperature that moves a
 * degree is no news, a link that drops or an alarm that fires is. */
static int do_health(struct report_job *p)
{
	struct job_health h;
	struct hw_err err = {{0}};
	struct hw_nics nics = {0};
	uint64_t d = CORE_FNV_START;
	size_t i;

	if (!p->zk_known && (p->conf->roles & CORE_ROLE_ZOOKEEPER)) {
		/* Through the cache: the full report that follows uses it. */
		struct facts_opts opts = {.live_zk = false,
					  .sensors_lib = sensors_lib(p),
					  .tls_cert_given = true};
		struct facts *f;

		if (facts_cache_gather(&p->facts, p->root, p->conf,
				       p->conf->roles, &opts, mono_ms(), NULL,
				       &f, &err) == 0)
			learn_zk(p, f);
	}
	if (links_read(p, &nics, &err) == 0) {
		for (i = 0; i < nics.n; i++) {
			const struct hw_nic *n = &nics.v[i];

			d = core_fnv(d, n->name, strlen(n->name) + 1);
			d = core_fnv(d, n->operstate, strlen(n->operstate) + 1);
			d = core_fnv(d, &n->carrier, sizeof n->carrier);
			d = core_fnv(d, &n->speed_mbps, sizeof n->speed_mbps);
		}
		/* Kept for the full report that usually follows. */
		hw_nics_free(&p->nics);
		p->nics = nics;
		p->nics_have = true;
		p->nics_ms = mono_ms();
	}
	if (p->live) {
		struct board_sensors s = {0};
		int sr = p->sensors.open
			     ? board_sensors_read_open(&p->sensors, &s, &err)
			     : board_sensors_read(&s, &err);

		if (sr == 0)
			for (i = 0; i < s.n; i++) {
				d = core_fnv(d, s.v[i].chip,
					     strlen(s.v[i].chip) + 1);
				d = core_fnv(d, s.v[i].label,
					     strlen(s.v[i].label) + 1);
				d = core_fnv(d, &s.v[i].alarm,
					     sizeof s.v[i].alarm);
				d = core_fnv(d, &s.v[i].fault,
					     sizeof s.v[i].fault);
			}
		board_sensors_free(&s);
	}
	memset(&h, 0, sizeof h);
	h.digest = d;
	snprintf(h.kafka_bootstrap, sizeof h.kafka_bootstrap, "%s",
		 p->kafka_bootstrap);
	if (p->zk_known && p->zk_port) {
		h.zk_port = p->zk_port;
		snprintf(h.zk_host, sizeof h.zk_host, "%s", p->zk_host);
	}
	return report_job_reply(p, JOB_HEALTH, 0, &h, sizeof h);
}

/* The prober answers before anything is read through it: one that is
 * stuck is replaced by its watchdog now, and this job ends with the
 * reason instead of a report made of missing files. */
static int ping(struct report_job *p, uint32_t code)
{
	char msg[PROBER_MSG_MAX];
	int r = prober_call(p->pc, PROBER_PING, NULL, 0, NULL, msg, sizeof msg);

	if (r == 0)
		return 0;
	if (r == -PROBER_RESTARTED)
		report_job_reply(p, code, r, msg, strlen(msg));
	else
		report_job_reply(p, code, r, strerror(-r), strlen(strerror(-r)));
	return r;
}

void report_job_run(struct report_job *p, uint32_t code,
		    const struct job_full_req *q, struct prober_reply_hdr *rh,
		    uint8_t *body)
{
	p->rh = rh;
	p->body = body;
	p->pc->job = code;
	prober_client_bind(p->pc);
	if (ping(p, code) < 0) {
		prober_client_bind(NULL);
		return;
	}
	switch (code) {
	case JOB_FULL:
		do_full(p, q);
		break;
	case JOB_HEALTH:
		do_health(p);
		break;
	default:
		report_job_smart(p);
		break;
	}
	prober_client_bind(NULL);
	/* A channel that failed on the way fails the job: the loop stops. */
	if (p->pc->dead)
		report_job_reply(p, code, p->pc->dead, "the prober does not answer",
		      strlen("the prober does not answer"));
}

struct report_job *report_job_new(const struct conf *conf, const char *host_id,
				  struct prober_client *pc)
{
	struct report_job *p = calloc(1, sizeof *p);

	if (p == NULL)
		return NULL;
	/* Each report allocates and frees the probes' read buffers (up to a
	 * megabyte for the DMI table): with glibc's default thresholds that
	 * grows the heap with brk and trims it back every second.  Keep what
	 * was grown; pages never touched are not resident anyway. */
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
	mallopt(M_MMAP_THRESHOLD, 8 << 20);
	/* The jobs run on a pool thread, which would get an arena of its
	 * own beside the loop's: one heap keeps what both grow in one place. */
	mallopt(M_ARENA_MAX, 1);
	p->conf = conf;
	p->pc = pc;
	p->root = conf->agent.root;
	p->host_id = host_id;
	p->live = strcmp(p->root, "/") == 0;
	facts_cache_init(&p->facts);
	report_job_sensors_reopen(p);
	proto_lists_init(&p->lists);
	p->env = malloc(sizeof *p->env);
	if (p->env == NULL) {
		report_job_free(p);
		return NULL;
	}
	return p;
}

void report_job_reconf(struct report_job *p, const struct conf *conf)
{
	p->conf = conf;
	p->root = conf->agent.root;
	/* Roles may have gained ZooKeeper; thresholds and skip lists are
	 * read at each judgement, the facts gathered under the old roles
	 * are not reused. */
	p->zk_known = false;
	facts_cache_invalidate(&p->facts);
}

void report_job_watch_links(struct report_job *p,
			    const struct events_link *e)
{
	p->links_ev = e;
}

void report_job_watch_mounts(struct report_job *p,
			     const struct events_mounts *e)
{
	p->facts.mounts_ev = e;
}

void report_job_free(struct report_job *p)
{
	if (p == NULL)
		return;
	facts_cache_free(&p->facts);
	board_sensors_close(&p->sensors);
	hw_nics_free(&p->nics);
	hw_nics_free(&p->links);
	proto_lists_free(&p->lists);
	free(p->smart);
	free(p->env);
	free(p);
}
