/* kagent.conf through libinih; every key is known, every value checked.
 * The value setters every section uses are shared through conf_int.h;
 * [agent], the longest section, is parsed in conf_agent.c. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <regex.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_int.h"
#include "hostport.h"
#include "core_ini.h"
#include "hw.h"

#define GiB (INT64_C(1) << 30)
#define GB INT64_C(1000000000)
#define TB (INT64_C(1000) * GB)
#define TH(field) offsetof(struct thresholds, field)

/* Memory in binary units (DIMMs are sized so), disk capacity in decimal
 * ones (as vendors label a "240 GB" SSD or a "4 TB" HDD). */
const struct conf_threshold_def conf_threshold_defs[] = {
	{ "zookeeper.memory.warn_below", "zookeeper", TH(zk_memory_warn_below), true, 4 * GiB, "ZooKeeper host memory below which it warns" },
	{ "zookeeper.memory.fail_below", "zookeeper", TH(zk_memory_fail_below), true, 2 * GiB, "ZooKeeper host memory below which it fails" },
	{ "zookeeper.memory.info_above", "zookeeper", TH(zk_memory_info_above), true, 8 * GiB, "memory above which ZooKeeper cannot use more" },
	{ "zookeeper.disk.warn_below", "zookeeper", TH(zk_disk_warn_below), true, 240 * GB, "capacity of the data dir's device" },
	{ "zookeeper.nic.speed.fail_below", "zookeeper", TH(zk_nic_fail_below), false, 1000, "Mb/s of the ZooKeeper interface" },
	{ "zookeeper.disk.fsync.warn_above", "zookeeper", TH(zk_fsync_warn_above_ms), false, 20, "ms of average flush latency under dataLogDir above which it warns" },
	{ "zookeeper.disk.fsync.fail_above", "zookeeper", TH(zk_fsync_fail_above_ms), false, 0, "ms above which it fails; 0: zoo.cfg's fsync.warningthresholdms, else 1000" },
	{ "zookeeper.disk.fsync.sample_ms", "zookeeper", TH(zk_fsync_sample_ms), false, 1000, "ms kagent check waits between its two readings of the flush counters" },
	{ "kafka.cpu.cores.warn_below", "kafka", TH(kafka_cores_warn_below), false, 8, "physical cores of a broker" },
	{ "kafka.memory.warn_below", "kafka", TH(kafka_memory_warn_below), true, 32 * GiB, "broker memory below which it warns" },
	{ "kafka.memory.fail_below", "kafka", TH(kafka_memory_fail_below), true, 8 * GiB, "broker memory below which it fails" },
	{ "kafka.memory.heap", "kafka", TH(kafka_heap), true, 6 * GiB, "JVM heap; the rest is page cache" },
	{ "kafka.logdirs.capacity.warn_below", "kafka", TH(kafka_logdirs_warn_below), true, 4 * TB, "total capacity under log.dirs" },
	{ "kafka.nic.speed.fail_below", "kafka", TH(kafka_nic_fail_below), false, 10000, "Mb/s of the Kafka interface" },
	{ "memory.tolerance_pct", "host", TH(memory_tolerance_pct), false, 5, "MemTotal may be this much below a memory threshold" },
	{ "os.swappiness.warn_above", "host", TH(os_swappiness_warn_above), false, 1, "vm.swappiness" },
	{ "os.nofile.warn_below", "host", TH(os_nofile_warn_below), false, 100000, "open-file limit of Kafka" },
	{ "os.max_map_count.warn_below", "host", TH(os_max_map_count_warn_below), false, 262144, "vm.max_map_count" },
	{ "agent.tls.expiry.warn_days", "agent", TH(agent_tls_expiry_warn_days), false, 14, "days before the agent's certificate expires that it warns" },
};
const size_t conf_threshold_count =
	sizeof conf_threshold_defs / sizeof conf_threshold_defs[0];

void conf_defaults(struct conf *c)
{
	size_t i;

	memset(c, 0, sizeof *c);
	for (i = 0; i < conf_threshold_count; i++)
		*(int64_t *)((char *)&c->th + conf_threshold_defs[i].offset) =
			conf_threshold_defs[i].def;
	snprintf(c->rack_pattern, sizeof c->rack_pattern, "%s",
		 CONF_RACK_PATTERN_DEFAULT);
	c->agent.interval_s = 60;
	c->kafka_metadata_interval_s = 30;
	c->agent.health_interval_s = 10;
	c->agent.smart_interval_s = 600;
	c->smart.raid_cache_s = CONF_SMART_RAID_CACHE_DEFAULT;
	c->smart.timeout_s = CONF_SMART_TIMEOUT_DEFAULT;
	/* Two default intervals: a SMART refresh reads the disks one after
	 * the other, smartctl up to 10 s each, and a big JBOD's must fit. */
	c->agent.prober_timeout_s = 120;
	c->agent.failback_interval_s = CONF_FAILBACK_DEFAULT_S;
	c->agent.spool_max = 10 << 20;
	snprintf(c->agent.spool, sizeof c->agent.spool, "%s",
		 CONF_AGENT_SPOOL_DEFAULT);
	snprintf(c->agent.socket, sizeof c->agent.socket, "%s",
		 CONF_AGENT_SOCKET_DEFAULT);
	snprintf(c->agent.root, sizeof c->agent.root, "/");
	snprintf(c->agent.user, sizeof c->agent.user, "%s",
		 CONF_AGENT_USER_DEFAULT);
}

int conf_roles_parse(const char *s, unsigned *roles)
{
	char buf[128], *tok, *save = NULL;
	unsigned r = 0;

	if (strlen(s) >= sizeof buf)
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		if (strcmp(tok, "zookeeper") == 0)
			r |= CORE_ROLE_ZOOKEEPER;
		else if (strcmp(tok, "kafka") == 0)
			r |= CORE_ROLE_KAFKA;
		else
			return -EINVAL;
	}
	if (r == 0)
		return -EINVAL;
	*roles = r;
	return 0;
}

const char *conf_roles_name(unsigned roles)
{
	switch (roles) {
	case CORE_ROLE_ZOOKEEPER:
		return "zookeeper";
	case CORE_ROLE_KAFKA:
		return "kafka";
	case CORE_ROLE_ZOOKEEPER | CORE_ROLE_KAFKA:
		return "zookeeper,kafka";
	default:
		return "none";
	}
}

int conf_set_str(char *dst, size_t len, const char *v, struct parse_state *st,
		 const char *key)
{
	if (strlen(v) >= len) {
		snprintf(st->msg, sizeof st->msg, "value of '%s' longer than %zu bytes",
			 key, len - 1);
		return 0;
	}
	strcpy(dst, v);
	return 1;
}

int conf_set_bool(bool *dst, const char *v, struct parse_state *st,
		  const char *key)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1")) {
		*dst = true;
		return 1;
	}
	if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0")) {
		*dst = false;
		return 1;
	}
	snprintf(st->msg, sizeof st->msg, "'%s' must be yes or no, not '%s'", key, v);
	return 0;
}

static int set_threshold(struct parse_state *st, const char *section,
			 const char *key, const char *v, int *found)
{
	size_t i;
	int64_t n;
	int r;

	for (i = 0; i < conf_threshold_count; i++) {
		const struct conf_threshold_def *d = &conf_threshold_defs[i];

		if (strcmp(d->section, section) != 0 || strcmp(d->key, key) != 0)
			continue;
		*found = 1;
		r = d->is_size ? core_parse_size(v, &n) : core_parse_i64(v, &n);
		if (r < 0 || n < 0) {
			snprintf(st->msg, sizeof st->msg, "bad value '%s' for '%s' (%s)",
				 v, key, d->is_size ? "a size such as 32GiB or 4TB" :
				 "a non-negative integer");
			return 0;
		}
		*(int64_t *)((char *)&st->c->th + d->offset) = n;
		return 1;
	}
	return 0;
}

/* Compiled once here so a bad pattern is an error naming its line, not a
 * rack that silently never matches. */
static int set_rack_pattern(struct conf *c, const char *v,
			    struct parse_state *st)
{
	char why[128];
	regex_t re;
	int r;

	r = regcomp(&re, v, REG_EXTENDED);
	if (r != 0) {
		regerror(r, &re, why, sizeof why);
		snprintf(st->msg, sizeof st->msg,
			 "bad regular expression for 'rack_pattern': %s", why);
		return 0;
	}
	r = re.re_nsub == 1;
	regfree(&re);
	if (!r) {
		snprintf(st->msg, sizeof st->msg,
			 "'rack_pattern' needs exactly one capture group ( ), "
			 "the rack");
		return 0;
	}
	return conf_set_str(c->rack_pattern, sizeof c->rack_pattern, v, st,
			    "rack_pattern");
}

static int handle_host(struct parse_state *st, const char *k, const char *v)
{
	struct conf *c = st->c;

	if (!strcmp(k, "roles")) {
		if (conf_roles_parse(v, &c->roles) == 0)
			return 1;
		snprintf(st->msg, sizeof st->msg,
			 "bad roles '%s' (zookeeper, kafka, or both)", v);
		return 0;
	}
	if (!strcmp(k, "cluster"))
		return conf_set_str(c->cluster, sizeof c->cluster, v, st, k);
	if (!strcmp(k, "rack")) {
		/* "lldp" is the keyword, not a rack's name. */
		c->rack_lldp = !strcmp(v, "lldp");
		return c->rack_lldp ? (c->rack[0] = '\0', 1)
				    : conf_set_str(c->rack, sizeof c->rack, v, st, k);
	}
	if (!strcmp(k, "rack_pattern"))
		return set_rack_pattern(c, v, st);
	if (!strcmp(k, "lldp_socket")) {
		if (v[0] != '/') {
			snprintf(st->msg, sizeof st->msg,
				 "'lldp_socket' must be an absolute path");
			return 0;
		}
		return conf_set_str(c->lldp_socket, sizeof c->lldp_socket, v, st, k);
	}
	if (!strcmp(k, "zone"))
		return conf_set_str(c->zone, sizeof c->zone, v, st, k);
	if (!strcmp(k, "critical"))
		return conf_set_bool(&c->critical, v, st, k);
	return -1;
}

static int set_bootstrap(struct conf *c, const char *v, struct parse_state *st,
			 const char *key)
{
	struct proto_hostport hp;
	char why[200];

	if (proto_hostport_parse(v, &hp, why, sizeof why) < 0) {
		snprintf(st->msg, sizeof st->msg, "'%s': %s", key, why);
		return 0;
	}
	return conf_set_str(c->kafka_bootstrap, sizeof c->kafka_bootstrap, v,
			    st, key);
}

static int handle_kafka(struct parse_state *st, const char *k, const char *v)
{
	struct conf *c = st->c;

	if (!strcmp(k, "config"))
		return conf_set_str(c->kafka_config, sizeof c->kafka_config, v, st, k);
	if (!strcmp(k, "home"))
		return conf_set_str(c->kafka_home, sizeof c->kafka_home, v, st, k);
	if (!strcmp(k, "jaas"))
		return conf_set_str(c->kafka_jaas, sizeof c->kafka_jaas, v, st, k);
	if (!strcmp(k, "bootstrap"))
		return set_bootstrap(c, v, st, k);
	if (!strcmp(k, "client_config"))
		return conf_set_str(c->kafka_client_config,
				    sizeof c->kafka_client_config, v, st, k);
	if (!strcmp(k, "metadata_interval"))
		return conf_set_seconds(&c->kafka_metadata_interval_s, v, st, k);
	return -1;
}

static int handle_zookeeper(struct parse_state *st, const char *k, const char *v)
{
	if (!strcmp(k, "config"))
		return conf_set_str(st->c->zk_config, sizeof st->c->zk_config, v,
				    st, k);
	return -1;
}

int conf_set_seconds(int64_t *dst, const char *v, struct parse_state *st,
		     const char *key)
{
	int64_t n;

	/* A day bounds every interval: a larger one is a typo. */
	if (core_parse_i64(v, &n) < 0 || n < 1 || n > 86400) {
		snprintf(st->msg, sizeof st->msg,
			 "'%s' must be seconds from 1 to 86400, not '%s'", key, v);
		return 0;
	}
	*dst = n;
	return 1;
}

/* skip = id1, id2: a list, so a second skip line adds to the first. */
static int handle_check(struct parse_state *st, const char *k, const char *v)
{
	struct conf_check *c = &st->c->check;
	char buf[CONF_SKIP_MAX * CONF_CHECK_ID_MAX], *tok, *save = NULL;
	int r;

	if (!strcmp(k, "unknown")) {
		if (conf_unknown_parse(v, &c->unknown) == 0)
			return 1;
		snprintf(st->msg, sizeof st->msg,
			 "bad unknown '%s' (ok, warning or unknown)", v);
		return 0;
	}
	if (strcmp(k, "skip") != 0)
		return -1;
	if (strlen(v) >= sizeof buf) {
		snprintf(st->msg, sizeof st->msg,
			 "value of 'skip' longer than %zu bytes", sizeof buf - 1);
		return 0;
	}
	strcpy(buf, v);
	for (tok = strtok_r(buf, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		r = conf_check_skip_add(c, tok);
		if (r == -E2BIG) {
			snprintf(st->msg, sizeof st->msg,
				 "'skip' names more than %d checks",
				 CONF_SKIP_MAX);
			return 0;
		}
		if (r < 0) {
			snprintf(st->msg, sizeof st->msg,
				 "bad check id '%.60s' in 'skip' (ids such as "
				 "os.clock, see kagent check --list)",
				 tok);
			return 0;
		}
	}
	return 1;
}

static int handle_smart(struct parse_state *st, const char *k, const char *v)
{
	return conf_smart_key(&st->c->smart, k, v, st->msg, sizeof st->msg);
}

static const struct {
	const char *name;
	int (*fn)(struct parse_state *, const char *, const char *);
	const char *keys;
} sections[] = {
	{ "host", handle_host, "roles, cluster, rack, rack_pattern, lldp_socket, zone, critical" },
	{ "kafka", handle_kafka, "config, home, jaas, bootstrap, client_config, metadata_interval" },
	{ "zookeeper", handle_zookeeper, "config" },
	{ "check", handle_check, "skip, unknown" },
	{ "smart", handle_smart, "raid_cache, timeout" },
	{ "agent", conf_handle_agent, "collector, failback_interval, interval, health_interval, smart_interval, prober_timeout, spool, spool_max, socket, host_id, root, user, tls_ca, tls_cert, tls_key, insecure, agent.tls.expiry.warn_days" },
};

/* One key: 1 when taken, 0 with st->msg set when wrong. */
static int handle(struct parse_state *st, const char *section,
		  const char *key, const char *value)
{
	int found = 0, r;
	size_t i;

	for (i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		if (strcmp(section, sections[i].name) != 0)
			continue;
		r = sections[i].fn(st, key, value);
		if (r >= 0)
			return r;
		r = set_threshold(st, section, key, value, &found);
		if (found)
			return r;
		if (!strcmp(section, "agent") || !strcmp(section, "check") ||
		    !strcmp(section, "smart")) {
			snprintf(st->msg, sizeof st->msg,
				 "unknown key '%s' in [%s] (valid: %s)", key,
				 section,
				 sections[i].keys);
			return 0;
		}
		snprintf(st->msg, sizeof st->msg,
			 "unknown key '%s' in [%s] (valid: %s, or a threshold such as %s)",
			 key, section, sections[i].keys,
			 i == 0 ? "os.swappiness.warn_above" :
			 i == 1 ? "kafka.memory.warn_below" :
				  "zookeeper.memory.warn_below");
		return 0;
	}
	snprintf(st->msg, sizeof st->msg,
		 "unknown section [%s] (valid: host, kafka, zookeeper, check, smart, agent)", section);
	return 0;
}

/* conf_ini's callback: handle() with its message handed over. */
static int on_key(void *user, const char *section, const char *key,
		  const char *value, char *msg, size_t msglen)
{
	struct parse_state *st = user;
	int r = handle(st, section, key, value);

	if (r == 0)
		snprintf(msg, msglen, "%s", st->msg);
	return r;
}

int conf_parse(const char *text, const char *path, struct conf *c, char *err,
	       size_t errlen)
{
	struct parse_state st = { .c = c, .msg = "" };
	int r;

	r = core_ini_parse(text, path, on_key, &st, err, errlen);
	if (r == 0)
		snprintf(c->path, sizeof c->path, "%s", path);
	return r;
}

int conf_load(const char *path, struct conf *c, char *err, size_t errlen)
{
	struct parse_state st = { .c = c, .msg = "" };
	int r;

	/* A configuration file larger than this is not a configuration file. */
	r = core_ini_load(path, 64 * 1024, on_key, &st, err, errlen);
	if (r == 0)
		snprintf(c->path, sizeof c->path, "%s", path);
	return r;
}

int conf_agent_check(const struct conf *c, char *err, size_t errlen)
{
	const struct conf_agent *a = &c->agent;
	char missing[64] = "";

	if (!a->collector[0] || a->insecure)
		return 0;
	if (!a->tls_ca[0])
		strcat(missing, " tls_ca");
	if (!a->tls_cert[0])
		strcat(missing, " tls_cert");
	if (!a->tls_key[0])
		strcat(missing, " tls_key");
	if (!missing[0])
		return 0;
	snprintf(err, errlen,
		 "%s: [agent] collector is reached over TLS: set%s (or "
		 "insecure = yes for plaintext)",
		 c->path[0] ? c->path : "(defaults)", missing);
	return -EINVAL;
}
