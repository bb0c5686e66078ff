/* kcollectord — receives the agents' reports, keeps the fleet's state in
 * SQLite and serves it over HTTP (/api/fleet, /api/hosts/{id}, /metrics).
 * TLS with client certificates on both listeners unless --insecure. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "collector.h"
#include "core_log.h"
#include "hostport.h"
#include "sandbox.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: kcollectord [--config FILE] [--listen HOST:PORT] "
		     "[--http HOST:PORT] [--db PATH]\n"
		     "                   [--tls-ca FILE --tls-cert FILE "
		     "--tls-key FILE --acl FILE | --insecure]\n"
		     "  --config    INI file with a [collector] section of the "
		     "same keys (listen, http, db,\n"
		     "              tls_ca, tls_cert, tls_key, acl, insecure); "
		     "flags override it\n"
		     "  --listen    agents' reports (default 0.0.0.0:7070)\n"
		     "  --http      /api/fleet, /api/hosts/ID, /metrics "
		     "(default 127.0.0.1:8080)\n"
		     "  --db        SQLite database, created when missing "
		     "(default /var/lib/kagent/collector.db)\n"
		     "  --tls-ca    CA that signs every agent's and reader's "
		     "certificate\n"
		     "  --tls-cert  the collector's certificate (PEM)\n"
		     "  --tls-key   its private key (PEM)\n"
		     "  --acl       who may report into which cluster and who "
		     "may read\n"
		     "  --insecure  plaintext, no authentication\n"
		     "  --user NAME                 started as root, become "
		     "NAME once ports and files\n"
		     "                              are open (default "
		     "kagent-collector)\n"
		     "  --handshake-timeout S       an agent's TLS handshake "
		     "and hello (default 5)\n"
		     "  --http-timeout S            a whole HTTP request and "
		     "answer (default 10)\n"
		     "  --max-pending N             connections not yet "
		     "authenticated, per port (256)\n"
		     "  --max-pending-per-address N of them from one address, "
		     "per port (32)\n"
		     "  --max-partial-bytes SIZE    partial frames held in all "
		     "(64MiB)\n"
		     "  --max-partial-bytes-per-identity SIZE  for one "
		     "certificate or address (4MiB)\n"
		     "  --no-seccomp  no system call filter (debugging; by "
		     "default any call\n"
		     "              outside kcollectord's list kills it with "
		     "SIGSYS)\n"
		     "  -t, --test    check the configuration, the "
		     "certificates and the ACL, then exit\n"
		     "SIGHUP re-reads the certificates and the ACL.\n");
}

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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"listen", required_argument, NULL, 'l'},
	    {"http", required_argument, NULL, 'H'},
	    {"db", required_argument, NULL, 'd'},
	    {"tls-ca", required_argument, NULL, 'a'},
	    {"tls-cert", required_argument, NULL, 'C'},
	    {"tls-key", required_argument, NULL, 'k'},
	    {"acl", required_argument, NULL, 'A'},
	    {"insecure", no_argument, NULL, 'I'},
	    {"user", required_argument, NULL, 'L'},
	    {"handshake-timeout", required_argument, NULL, 'L'},
	    {"http-timeout", required_argument, NULL, 'L'},
	    {"max-pending", required_argument, NULL, 'L'},
	    {"max-pending-per-address", required_argument, NULL, 'L'},
	    {"max-partial-bytes", required_argument, NULL, 'L'},
	    {"max-partial-bytes-per-identity", required_argument, NULL, 'L'},
	    {"no-seccomp", no_argument, NULL, 'S'},
	    {"test", no_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct coll_config cfg;
	struct flag flags[32];
	size_t n_flags = 0, i;
	const char *config = NULL;
	bool no_seccomp = false, test = false;
	struct sockaddr_storage ss;
	struct coll_store *store = NULL;
	struct collector c;
	char err[1100], shown[COLL_CONF_STR_MAX];
	bool pg;
	uint64_t nofile = 0, nofile_max = 0;
	int ch, li, rc = 0;

	core_log_init("kcollectord");
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "th", opts, &li)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'S':
			no_seccomp = true;
			break;
		case 't':
			test = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("kcollectord %s\n", KAGENT_VERSION);
			return 0;
		case '?':
		case ':':
			if (optopt)
				fprintf(stderr,
					"kcollectord: %s needs a value\n",
					argv[optind - 1]);
			else
				fprintf(stderr,
					"kcollectord: unknown option '%s' "
					"(valid: --config, --listen, --http, "
					"--db, --tls-ca, --tls-cert, "
					"--tls-key, --acl, --insecure, --user, "
					"--handshake-timeout, --http-timeout, "
					"--max-pending[-per-address], "
					"--max-partial-bytes[-per-identity], "
					"--no-seccomp, --test)\n",
					argv[optind - 1]);
			return 2;
		default:
			if (n_flags == sizeof flags / sizeof flags[0]) {
				fprintf(stderr, "kcollectord: too many "
						"options\n");
				return 2;
			}
			flags[n_flags++] =
			    (struct flag){ch, optarg, opts[li].name};
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kcollectord: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
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
	uv_run(uv_default_loop(), UV_RUN_DEFAULT);
	coll_free(&c);
	coll_store_close(c.store);
	uv_loop_close(uv_default_loop());
	return rc;
}
