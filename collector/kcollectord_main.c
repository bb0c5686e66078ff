/* kcollectord — receives the agents' reports, keeps the fleet's state in
 * SQLite and serves it over HTTP (/api/fleet, /api/hosts/{id}, /metrics).
 * TLS with client certificates on both listeners unless --insecure. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "collector.h"
#include "core_log.h"
#include "core_opt.h"
#include "hostport.h"
#include "sandbox.h"

static const char synopsis[] =
    "usage: kcollectord [--config FILE] [--listen HOST:PORT] "
    "[--http HOST:PORT]\n"
    "                   [--db PATH] [--tls-ca FILE --tls-cert FILE "
    "--tls-key FILE\n"
    "                   --acl FILE | --insecure] [--user NAME] "
    "[LIMIT OPTIONS]\n"
    "       kcollectord -t [OPTIONS]\n";

static const char about[] =
    "Receives the agents' reports, keeps the fleet in SQLite and serves "
    "it over HTTP.\n";

static const char footer[] =
    "SIGHUP reads the configuration again: limits, timeouts, certificates\n"
    "and ACL take effect; listen, http, db, user and insecure need a\n"
    "restart.  A file that does not load changes nothing.\n";

/* The limits (key OPT_LIMIT) go to coll_config_limit_set under their
 * configuration key: --max-pending sets max_pending. */
enum {
	OPT_CONFIG = 'c',
	OPT_LISTEN = 'l',
	OPT_HTTP = 'H',
	OPT_DB = 'd',
	OPT_TLS_CA = 'a',
	OPT_TLS_CERT = 'C',
	OPT_TLS_KEY = 'k',
	OPT_ACL = 'A',
	OPT_INSECURE = 'I',
	OPT_NO_SECCOMP = 'S',
	OPT_TEST = 't',
	OPT_LIMIT = 'L',
};

static const struct core_opt opts[] = {
    {"config", 0, OPT_CONFIG, "FILE",
     "INI file with a [collector] section of the same\n"
     "keys (listen, http, db, tls_ca, tls_cert,\n"
     "tls_key, acl, insecure, and the limits below);\n"
     "flags override it"},
    {"listen", 0, OPT_LISTEN, "HOST:PORT",
     "agents' reports (default 0.0.0.0:7070)"},
    {"http", 0, OPT_HTTP, "HOST:PORT",
     "/api/fleet, /api/hosts/ID, /metrics (default\n"
     "127.0.0.1:8080)"},
    {"db", 0, OPT_DB, "PATH",
     "SQLite database, created when missing (default\n"
     "/var/lib/kagent/collector.db)"},
    {"tls-ca", 0, OPT_TLS_CA, "FILE",
     "CA that signs every agent's and reader's\ncertificate"},
    {"tls-cert", 0, OPT_TLS_CERT, "FILE", "the collector's certificate (PEM)"},
    {"tls-key", 0, OPT_TLS_KEY, "FILE", "its private key (PEM)"},
    {"acl", 0, OPT_ACL, "FILE",
     "who may report into which cluster and who may\nread"},
    {"insecure", 0, OPT_INSECURE, NULL, "plaintext, no authentication"},
    {"user", 0, OPT_LIMIT, "NAME",
     "started as root, become NAME once ports and\n"
     "files are open (default kagent-collector)"},
    {"handshake-timeout", 0, OPT_LIMIT, "S",
     "an agent's TLS handshake and hello (default 5)"},
    {"http-timeout", 0, OPT_LIMIT, "S",
     "a whole HTTP request and answer (default 10)"},
    {"max-pending", 0, OPT_LIMIT, "N",
     "connections not yet authenticated, per port\n(256)"},
    {"max-pending-per-address", 0, OPT_LIMIT, "N",
     "of them from one address, per port (32)"},
    {"max-partial-bytes", 0, OPT_LIMIT, "SIZE",
     "partial frames held in all (64MiB)"},
    {"max-partial-bytes-per-identity", 0, OPT_LIMIT, "SIZE",
     "for one certificate or address (4MiB)"},
    {"no-seccomp", 0, OPT_NO_SECCOMP, NULL,
     "no system call filter (debugging; by default any\n"
     "call outside kcollectord's list kills it with\n"
     "SIGSYS)"},
    {"test", 't', OPT_TEST, NULL,
     "check the configuration, the certificates and the\n"
     "ACL, then exit"},
    {NULL, 0, 0, NULL, NULL},
};

/* A flag given on the command line wins over the configuration file,
 * which is read once every flag is known. */
struct flag {
	int ch;
	const char *value;
	const char *name; /* the long option's, for a limit */
};

/* --max-pending sets the key max_pending. */
static int flag_limit(struct coll_config *cfg, const struct flag *f)
{
	char key[64], msg[512];
	size_t i;

	for (i = 0; f->name[i] && i + 1 < sizeof key; i++)
		key[i] = f->name[i] == '-' ? '_' : f->name[i];
	key[i] = '\0';
	if (coll_config_limit_set(cfg, key, f->value, msg, sizeof msg) == 1)
		return 0;
	fprintf(stderr, "kcollectord: --%s: %s\n", f->name, msg);
	return -1;
}

static int flag_apply(struct coll_config *cfg, const struct flag *f)
{
	char *dst;
	size_t len;

	switch (f->ch) {
	case 'l':
		dst = cfg->listen, len = sizeof cfg->listen;
		break;
	case 'H':
		dst = cfg->http, len = sizeof cfg->http;
		break;
	case 'd':
		dst = cfg->db, len = sizeof cfg->db;
		break;
	case 'a':
		dst = cfg->tls_ca, len = sizeof cfg->tls_ca;
		break;
	case 'C':
		dst = cfg->tls_cert, len = sizeof cfg->tls_cert;
		break;
	case 'k':
		dst = cfg->tls_key, len = sizeof cfg->tls_key;
		break;
	case 'A':
		dst = cfg->acl, len = sizeof cfg->acl;
		break;
	case 'I':
		cfg->insecure = true;
		return 0;
	case 'L':
		return flag_limit(cfg, f);
	default:
		return -1;
	}
	if (strlen(f->value) >= len)
		return -1;
	memcpy(dst, f->value, strlen(f->value) + 1);
	return 0;
}

/* "--max-pending=3" → "max-pending": the limit's name for flag_limit. */
static const char *limit_name(const char *written, char *buf, size_t len)
{
	size_t n = strcspn(written + 2, "=");

	snprintf(buf, len, "%.*s", (int)n, written + 2);
	return buf;
}

/* What a reload reads: the file, then the same flags over it, as main
 * did at start. */
struct config_source {
	const char *path;
	const struct flag *flags;
	size_t n;
};

static int config_read(void *arg, struct coll_config *cfg, char *err,
		       size_t errlen)
{
	const struct config_source *src = arg;
	size_t i;

	coll_config_defaults(cfg);
	if (src->path && coll_config_load(src->path, cfg, err, errlen) < 0)
		return -EINVAL;
	/* Each was applied once at start: none fails now. */
	for (i = 0; i < src->n; i++)
		if (flag_apply(cfg, &src->flags[i]) < 0) {
			snprintf(err, errlen, "a command line flag: bad value");
			return -EINVAL;
		}
	return 0;
}

int main(int argc, char **argv)
{
	struct core_opt_parser p = {
	    .program = "kcollectord",
	    .name = "kcollectord",
	    .synopsis = synopsis,
	    .about = about,
	    .footer = footer,
	    .opts = opts,
	    .usage_exit = 2,
	};
	struct coll_config cfg;
	struct flag flags[32];
	char names[32][40];
	size_t n_flags = 0, i;
	const char *config = NULL;
	bool no_seccomp = false, test = false;
	struct sockaddr_storage ss;
	struct coll_store *store = NULL;
	struct collector c;
	struct config_source src;
	char err[1100], shown[COLL_CONF_STR_MAX];
	bool pg;
	uint64_t nofile = 0, nofile_max = 0;
	int ch, rc = 0;

	core_log_init("kcollectord");
	core_opt_init(&p, argc, argv);
	while ((ch = core_opt_next(&p)) > 0) {
		switch (ch) {
		case OPT_CONFIG:
			config = p.arg;
			break;
		case OPT_NO_SECCOMP:
			no_seccomp = true;
			break;
		case OPT_TEST:
			test = true;
			break;
		default:
			if (n_flags == sizeof flags / sizeof flags[0]) {
				fprintf(stderr, "kcollectord: too many "
						"options\n");
				return 2;
			}
			flags[n_flags] =
			    (struct flag){ch, p.arg,
					  limit_name(p.opt, names[n_flags],
						     sizeof names[n_flags])};
			n_flags++;
		}
	}
	if (ch == CORE_OPT_EXIT)
		return p.exit;
	coll_config_defaults(&cfg);
	if (config != NULL &&
	    coll_config_load(config, &cfg, err, sizeof err) < 0) {
		core_log(LOG_ERR, "%s", err);
		return 2;
	}
	/* Every user can read a command line (ps, /proc): a database's
	 * password goes in a passfile or the configuration file. */
	for (i = 0; i < n_flags; i++)
		if (flags[i].ch == 'd' &&
		    coll_db_has_password(flags[i].value)) {
			core_log(LOG_ERR,
				 "--db: a password on the command line is "
				 "refused: put it in a passfile (passfile= in "
				 "the URL or PGPASSFILE) or in db = of the "
				 "configuration file");
			return 2;
		}
	for (i = 0; i < n_flags; i++)
		if (flag_apply(&cfg, &flags[i]) < 0) {
			if (flags[i].ch != 'L')
				core_log(LOG_ERR, "value too long: '%s'",
					 flags[i].value);
			return 2;
		}
	if (proto_hostport_sockaddr(cfg.listen, &ss, err, sizeof err) < 0) {
		core_log(LOG_ERR, "--listen: %s", err);
		return 2;
	}
	if (proto_hostport_sockaddr(cfg.http, &ss, err, sizeof err) < 0) {
		core_log(LOG_ERR, "--http: %s", err);
		return 2;
	}
	if (coll_config_check(&cfg, err, sizeof err) < 0) {
		core_log(LOG_ERR, "%s", err);
		return 2;
	}
	if (test)
		return coll_config_test(&cfg, config);
	/* A peer that vanishes mid-write must not kill the collector. */
	signal(SIGPIPE, SIG_IGN);
	/* Every connection is a descriptor: take all the hard limit allows
	 * before the first one. */
	if (coll_nofile_raise(&nofile, &nofile_max) < 0)
		core_log(LOG_WARNING,
			 "cannot raise the descriptor limit from "
			 "%llu to %llu: %s",
			 (unsigned long long)nofile,
			 (unsigned long long)nofile_max, strerror(errno));
	if (2 * (uint64_t)cfg.max_pending >= nofile / 2)
		core_log(LOG_WARNING,
			 "WARNING: max_pending %u on each of two "
			 "ports may hold half of the %llu descriptors allowed; "
			 "raise LimitNOFILE or lower max_pending",
			 cfg.max_pending, (unsigned long long)nofile);
	coll_db_display(cfg.db, shown, sizeof shown);
	/* A SQLite file is opened (created) before the privileges go and
	 * handed to the user; PostgreSQL is reached as that user, whose
	 * identity a unix socket's peer authentication sees. */
	pg = coll_db_is_url(cfg.db);
	if (!pg && coll_store_open(cfg.db, &store, err, sizeof err) < 0) {
		core_log(LOG_ERR, "--db %s", err);
		return 1;
	}
	if (coll_init(&c, uv_default_loop(), store, &cfg, err, sizeof err) <
	    0) {
		core_log(LOG_ERR, "%s", err);
		coll_stop(&c);
		rc = 1;
	} else if (coll_privdrop(cfg.user, pg ? NULL : cfg.db, err,
				 sizeof err) < 0) {
		core_log(LOG_ERR, "%s", err);
		coll_stop(&c);
		rc = 1;
	} else if (pg &&
		   coll_store_open(cfg.db, &c.store, err, sizeof err) < 0) {
		core_log(LOG_ERR, "--db %s", err);
		coll_stop(&c);
		rc = 1;
	} else if (sandbox_start("kcollectord", SANDBOX_COLLECTOR, no_seccomp) <
		   0) {
		coll_stop(&c);
		rc = 1;
	} else {
		if (cfg.insecure)
			core_log(LOG_WARNING,
				 "WARNING: --insecure: plaintext "
				 "without authentication; any host can "
				 "report as any other");
		core_log(LOG_INFO,
			 "agents on %s, http on %s, db %s, %s, "
			 "uid %u, %llu descriptors",
			 cfg.listen, cfg.http, shown,
			 cfg.insecure ? "plaintext" : "TLS", (unsigned)getuid(),
			 (unsigned long long)nofile);
		coll_notify_ready(&c);
	}
	src.path = config;
	src.flags = flags;
	src.n = n_flags;
	c.config_read = config_read;
	c.config_arg = &src;
	uv_run(uv_default_loop(), UV_RUN_DEFAULT);
	coll_free(&c);
	coll_store_close(c.store);
	uv_loop_close(uv_default_loop());
	return rc;
}
