/* Gathering facts for the checks: the inventory, then the role's
 * configuration found where operators put it, then the live probe. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "facts.h"
#include "root.h"
#include "tls.h"

/* Where packages and tarballs put the files, relative to root. */
static const char *const kafka_config_places[] = {
	"etc/kafka/server.properties",
	"etc/kafka/kraft/server.properties",
	"opt/kafka/config/server.properties",
	"opt/kafka/config/kraft/server.properties",
	"usr/share/kafka/config/server.properties",
};
static const char *const kafka_home_places[] = {
	"opt/kafka", "usr/share/kafka", "usr/local/kafka",
};
static const char *const zk_config_places[] = {
	"etc/zookeeper/conf/zoo.cfg",
	"etc/zookeeper/zoo.cfg",
	"opt/zookeeper/conf/zoo.cfg",
	"usr/share/zookeeper/conf/zoo.cfg",
	"opt/kafka/config/zookeeper.properties",
};

static int exists_below(const char *root, const char *rel)
{
	char path[PATH_MAX];

	/* Through the opener: in kagentd a config below a directory only its
	 * service may search (/etc/kafka 0750 kafka:kafka) is found by the
	 * prober. */
	return core_path(path, sizeof path, root, "%s", rel) == 0 &&
	       core_path_exists(path);
}

/* The configured path, else $ENV/config/<name>, else the usual places;
 * out is the path as on the host (absolute, without root). */
static int find_config(const char *root, const char *configured,
		       const char *env, const char *env_rel,
		       const char *const *places, size_t n, char *out,
		       size_t len)
{
	const char *home = env ? getenv(env) : NULL;
	char rel[PATH_MAX];
	size_t i;

	if (configured[0]) {
		snprintf(out, len, "%s", configured);
		return 0;
	}
	if (home && home[0] == '/' &&
	    snprintf(rel, sizeof rel, "%s/%s", home, env_rel) < (int)sizeof rel &&
	    exists_below(root, rel)) {
		snprintf(out, len, "%s", rel);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (exists_below(root, places[i])) {
			snprintf(out, len, "/%s", places[i]);
			return 0;
		}
	}
	return -ENOENT;
}

static void place_dir(const struct facts *f, const char *path,
		      struct facts_dir *d)
{
	const struct hw_disk *on[HW_DISK_MEMBERS_MAX];
	size_t n = 0, i;

	memset(d, 0, sizeof *d);
	snprintf(d->path, sizeof d->path, "%s", path);
	if (hw_disks_find_mount_for_path(&f->inv.disks, path, &d->mount, on,
					 HW_DISK_MEMBERS_MAX, &n) < 0) {
		d->mount = NULL;
		return;
	}
	/* Only whole physical disks count for capacity and spread. */
	for (i = 0; i < n; i++)
		if (on[i]->kind == HW_DISK_PHYSICAL)
			d->disks[d->n_disks++] = on[i];
}

static int is_wildcard(const char *host)
{
	return host[0] == '\0' || strcmp(host, "0.0.0.0") == 0 ||
	       strcmp(host, "::") == 0;
}

const struct hw_nic *facts_nic_for_address(const struct inventory *inv,
					   const char *addr, char *why,
					   size_t whylen)
{
	unsigned char bin[16];
	size_t i, j, alen = strlen(addr);

	if (is_wildcard(addr)) {
		const struct hw_nic *n = inv->nics.default_route[0] ?
			hw_nics_find(&inv->nics, inv->nics.default_route) : NULL;

		snprintf(why, whylen, n ? "binds all addresses: default route's interface %s"
				       : "binds all addresses and there is no default route",
			 inv->nics.default_route);
		return n;
	}
	if (inet_pton(AF_INET, addr, bin) != 1 && inet_pton(AF_INET6, addr, bin) != 1) {
		snprintf(why, whylen, "binds host name '%s', not an address", addr);
		return NULL;
	}
	for (i = 0; i < inv->nics.n; i++) {
		const struct hw_nic *n = &inv->nics.v[i];

		for (j = 0; j < n->n_addrs; j++)
			if (strncmp(n->addrs[j], addr, alen) == 0 &&
			    n->addrs[j][alen] == '/') {
				snprintf(why, whylen, "holds %s", addr);
				return n;
			}
	}
	snprintf(why, whylen, "no interface holds %s", addr);
	return NULL;
}

static bool kafka_endpoint_local(const struct kafka_config *k,
				 const struct kafka_endpoint *ep)
{
	size_t j;

	for (j = 0; j < k->n_controller_listeners; j++)
		if (strcmp(ep->name, k->controller_listeners[j]) == 0)
			return true;
	return strcmp(ep->host, "127.0.0.1") == 0 ||
	       strcmp(ep->host, "::1") == 0 ||
	       strcmp(ep->host, "localhost") == 0;
}

/* The listener other brokers and clients reach: the inter-broker one
 * (inter.broker.listener.name, else the listener named after
 * security.inter.broker.protocol, as the broker resolves it) when it is
 * outside loopback, else the first one not bound to loopback (KRaft
 * controller listeners carry no client traffic). */
static const struct kafka_endpoint *kafka_traffic_endpoint(const struct kafka_config *k)
{
	const char *ib = k->inter_broker_listener[0] ? k->inter_broker_listener
						     : k->inter_broker_protocol;
	size_t i;

	for (i = 0; i < k->n_listeners; i++) {
		const struct kafka_endpoint *ep = &k->listeners[i].ep;

		if (ep->valid && strcmp(ep->name, ib) == 0 &&
		    !kafka_endpoint_local(k, ep))
			return ep;
	}
	for (i = 0; i < k->n_listeners; i++) {
		const struct kafka_endpoint *ep = &k->listeners[i].ep;

		if (ep->valid && !kafka_endpoint_local(k, ep))
			return ep;
	}
	return NULL;
}

/* A listener bound to every address names no interface, but the address
 * it advertises under the same name does when it is a literal one: the
 * traffic arrives there, whatever the default route says. */
static const char *kafka_traffic_address(const struct kafka_config *k,
					 const struct kafka_endpoint *ep)
{
	unsigned char bin[16];
	size_t i;

	if (!is_wildcard(ep->host))
		return ep->host;
	for (i = 0; i < k->n_advertised; i++) {
		const struct kafka_endpoint *a = &k->advertised[i];

		if (a->valid && strcmp(a->name, ep->name) == 0 &&
		    (inet_pton(AF_INET, a->host, bin) == 1 ||
		     inet_pton(AF_INET6, a->host, bin) == 1))
			return a->host;
	}
	return ep->host;
}

static void kafka_nic_place(struct facts *f)
{
	const struct kafka_endpoint *ep = kafka_traffic_endpoint(f->kafka);

	f->kafka_nic = NULL;
	if (ep)
		f->kafka_nic = facts_nic_for_address(
		    &f->inv, kafka_traffic_address(f->kafka, ep),
		    f->kafka_nic_why, sizeof f->kafka_nic_why);
	else
		snprintf(f->kafka_nic_why, sizeof f->kafka_nic_why,
			 "no listener outside loopback");
}

static void gather_kafka(struct facts *f)
{
	struct hw_err err = { { 0 } };
	char home[PATH_MAX] = "";
	size_t i;

	if (find_config(f->root, f->conf.kafka_config, "KAFKA_HOME",
			"config/server.properties", kafka_config_places,
			sizeof kafka_config_places / sizeof kafka_config_places[0],
			f->kafka_path, sizeof f->kafka_path) < 0) {
		snprintf(f->kafka_error, sizeof f->kafka_error,
			 "no server.properties found (set [kafka] config)");
		return;
	}
	f->kafka = calloc(1, sizeof *f->kafka);
	if (f->kafka == NULL) {
		snprintf(f->kafka_error, sizeof f->kafka_error, "out of memory");
		return;
	}
	if (kafka_config_load(f->root, f->kafka_path, f->kafka, &err) < 0) {
		snprintf(f->kafka_error, sizeof f->kafka_error, "%s", err.msg);
		free(f->kafka);
		f->kafka = NULL;
		return;
	}
	if (f->conf.kafka_jaas[0])
		kafka_config_add_secret_file(f->kafka, "[kafka] jaas",
					     f->conf.kafka_jaas);
	for (i = 0; i < f->kafka->n_log_dirs && f->n_logdirs < FACTS_LOGDIRS_MAX; i++)
		place_dir(f, f->kafka->log_dirs[i], &f->logdirs[f->n_logdirs++]);
	facts_logdirs_restat(f);

	/* The installation: [kafka] home, $KAFKA_HOME, the directory above
	 * config/, then the usual places. */
	if (f->conf.kafka_home[0]) {
		snprintf(home, sizeof home, "%s", f->conf.kafka_home);
	} else if (getenv("KAFKA_HOME") && getenv("KAFKA_HOME")[0] == '/') {
		snprintf(home, sizeof home, "%s", getenv("KAFKA_HOME"));
	} else {
		char *slash;

		snprintf(home, sizeof home, "%s", f->kafka_path);
		slash = strrchr(home, '/');
		if (slash)
			*slash = '\0';
		slash = strrchr(home, '/');
		if (slash && strcmp(slash, "/config") == 0 && slash != home) {
			*slash = '\0';
		} else {
			home[0] = '\0';
			for (i = 0; i < sizeof kafka_home_places / sizeof kafka_home_places[0]; i++)
				if (exists_below(f->root, kafka_home_places[i])) {
					snprintf(home, sizeof home, "/%s", kafka_home_places[i]);
					break;
				}
		}
	}
	if (home[0] == '\0')
		snprintf(f->kafka_install_error, sizeof f->kafka_install_error,
			 "no Kafka installation found (set [kafka] home)");
	else if (kafka_install_probe(f->root, home, &f->kafka_install, &err) < 0)
		snprintf(f->kafka_install_error, sizeof f->kafka_install_error,
			 "%s", err.msg);

	kafka_nic_place(f);
}

static void gather_zk(struct facts *f, const struct facts_opts *opts)
{
	struct hw_err err = { { 0 } };
	const char *addr;
	int port;

	if (find_config(f->root, f->conf.zk_config, "ZOOKEEPER_HOME",
			"conf/zoo.cfg", zk_config_places,
			sizeof zk_config_places / sizeof zk_config_places[0],
			f->zk_path, sizeof f->zk_path) < 0) {
		snprintf(f->zk_error, sizeof f->zk_error,
			 "no zoo.cfg found (set [zookeeper] config)");
		return;
	}
	f->zk = calloc(1, sizeof *f->zk);
	if (f->zk == NULL) {
		snprintf(f->zk_error, sizeof f->zk_error, "out of memory");
		return;
	}
	if (zk_config_load(f->root, f->zk_path, f->zk, &err) < 0) {
		snprintf(f->zk_error, sizeof f->zk_error, "%s", err.msg);
		free(f->zk);
		f->zk = NULL;
		return;
	}
	if (f->zk->data_dir[0])
		place_dir(f, f->zk->data_dir, &f->zk_dirs[f->n_zk_dirs++]);
	if (f->zk->data_log_dir[0] && !f->zk->data_log_dir_default &&
	    strcmp(f->zk->data_log_dir, f->zk->data_dir) != 0)
		place_dir(f, f->zk->data_log_dir, &f->zk_dirs[f->n_zk_dirs++]);

	addr = f->zk->client_port_address;
	f->zk_nic = facts_nic_for_address(&f->inv, addr, f->zk_nic_why,
					  sizeof f->zk_nic_why);

	if (!opts || !opts->live_zk)
		return;
	zk_status_init(&f->zk_live);
	port = f->zk->client_port.known ? (int)f->zk->client_port.v : 2181;
	zk_probe_run(is_wildcard(addr) ? "127.0.0.1" : addr, port,
		     opts->zk_timeout_ms ? opts->zk_timeout_ms : 2000, &f->zk_live);
	f->zk_live_probed = true;
	f->zk_live_seen.have = true; /* taken just now: no age */
}

static int64_t mono_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* kagent check has no earlier reading: it takes two.  A captured tree does
 * not move, so it is read once and says so rather than wait for nothing. */
static void gather_flush_once(struct facts *f)
{
	struct flush_samples *a = calloc(2, sizeof *a);
	int64_t wait = f->conf.th.zk_fsync_sample_ms;
	const char *why = NULL;
	size_t i;

	if (a == NULL) {
		snprintf(f->flush.why, sizeof f->flush.why, "out of memory");
		return;
	}
	if (!hw_root_is_live(f->root))
		why = "a captured tree is read once; the average needs two "
		      "readings over time";
	else if (wait <= 0)
		why = "zookeeper.disk.fsync.sample_ms = 0: read once; the "
		      "average needs two readings";
	flush_sample_disks(f->root, &f->inv.disks, mono_now_ms(), &a[0]);
	if (why == NULL) {
		struct timespec ts = {wait / 1000, (wait % 1000) * 1000000};

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		flush_sample_disks(f->root, &f->inv.disks, mono_now_ms(),
				   &a[1]);
		flush_facts_from(&a[0], &a[1], &f->flush);
	} else {
		flush_facts_from(NULL, &a[0], &f->flush);
		for (i = 0; i < f->flush.n; i++)
			if (f->flush.v[i].counters_known)
				snprintf(f->flush.v[i].why,
					 sizeof f->flush.v[i].why, "%s", why);
	}
	free(a);
}

int facts_gather(const char *root, const struct conf *conf, unsigned roles,
		 const struct facts_opts *opts, struct facts *f,
		 struct hw_err *err)
{
	struct inventory_opts inv_opts = {
		.smart = true,
		.lldp_socket = conf->lldp_socket[0] ? conf->lldp_socket : NULL,
	};
	int r;

	memset(f, 0, sizeof *f);
	f->root = root;
	f->conf = *conf;
	f->roles = roles;
	inv_opts.sensors_lib = opts ? opts->sensors_lib : NULL;
	inv_opts.smart = !(opts && opts->no_smart);
	r = inventory_probe_opts(root, &inv_opts, &f->inv, err);
	if (r < 0)
		return r;
	r = hw_os_probe(root, &f->os, err);
	if (r < 0)
		goto out_inventory;
	if (roles & CORE_ROLE_KAFKA)
		gather_kafka(f);
	snprintf(f->flush.why, sizeof f->flush.why,
		 "the flush counters were not read");
	if (roles & CORE_ROLE_ZOOKEEPER) {
		gather_zk(f, opts);
		if (opts && opts->live_zk)
			gather_flush_once(f);
	}
	if (!opts || !opts->tls_cert_given)
		facts_tls_cert_read(&f->conf.agent, &f->tls_cert);
	return 0;

out_inventory:
	inventory_free(&f->inv);
	return r;
}

void facts_free(struct facts *f)
{
	kafka_topic_sizes_free(&f->kafka_topics);
	free(f->kafka);
	free(f->zk);
	inventory_free(&f->inv);
	f->kafka = NULL;
	f->zk = NULL;
}

bool facts_tls_cert_in_use(const struct conf_agent *a)
{
	return a->collector[0] && !a->insecure && a->tls_cert[0];
}

void facts_tls_cert_read(const struct conf_agent *a,
			 struct facts_tls_cert *out)
{
	struct proto_tls_expiry ex;

	memset(out, 0, sizeof *out);
	if (!facts_tls_cert_in_use(a))
		return;
	out->now = (int64_t)time(NULL);
	out->rc = proto_tls_file_expiry(a->tls_cert, out->now, &ex);
	out->not_after = out->rc == 0 ? ex.not_after : 0;
	out->read = true;
}

void facts_nics_replace(struct facts *f, struct hw_nics *nics)
{
	hw_nics_free(&f->inv.nics);
	f->inv.nics = *nics;
	memset(nics, 0, sizeof *nics);
	if (f->kafka)
		kafka_nic_place(f);
	if (f->zk)
		f->zk_nic = facts_nic_for_address(&f->inv,
						  f->zk->client_port_address,
						  f->zk_nic_why,
						  sizeof f->zk_nic_why);
}

void facts_logdirs_restat(struct facts *f)
{
	struct hw_err err = { { 0 } };
	size_t i;

	kafka_topic_sizes_free(&f->kafka_topics);
	f->kafka_topics_known = f->n_logdirs > 0;
	for (i = 0; i < f->n_logdirs; i++) {
		struct facts_dir *d = &f->logdirs[i];

		memset(&d->stats, 0, sizeof d->stats);
		d->stats_known = kafka_logdir_stat_topics(f->root, d->path,
							  &d->stats,
							  &f->kafka_topics,
							  &err) == 0;
		f->kafka_topics_known &= d->stats_known;
	}
	kafka_topic_sizes_finish(&f->kafka_topics);
	if (f->kafka_topics.truncated)
		f->kafka_topics_known = false;
	/* A restarted broker is a new process: its start is read again. */
	f->kafka_started_ms = (struct hw_num){0, false};
	if (f->os.kafka_pid > 0)
		kafka_proc_started_ms(f->root, f->os.kafka_pid,
				      sysconf(_SC_CLK_TCK),
				      &f->kafka_started_ms, &err);
}
