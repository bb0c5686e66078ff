/* kcollectord — receives the agents' reports, keeps the fleet's state in
 * SQLite and serves it over HTTP (/api/fleet, /api/hosts/{id}, /metrics).
 * TLS with client certificates on both listeners unless --insecure. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "collector.h"
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
		     "  --no-seccomp  no system call filter (debugging; by "
		     "default any call\n"
		     "              outside kcollectord's list kills it with "
		     "SIGSYS)\n"
		     "SIGHUP re-reads the certificates and the ACL.\n");
}

/* A flag given on the command line wins over the configuration file,
 * which is read once every flag is known. */
struct flag {
	int ch;
	const char *value;
};

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
	    {"no-seccomp", no_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct coll_config cfg;
	struct flag flags[32];
	size_t n_flags = 0, i;
	const char *config = NULL;
	bool no_seccomp = false;
	struct sockaddr_storage ss;
	struct coll_store *store = NULL;
	struct collector c;
	char err[1100];
	int ch, rc = 0;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'S':
			no_seccomp = true;
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
					"--tls-key, --acl, --insecure, "
					"--no-seccomp)\n",
					argv[optind - 1]);
			return 2;
		default:
			if (n_flags == sizeof flags / sizeof flags[0]) {
				fprintf(stderr, "kcollectord: too many "
						"options\n");
				return 2;
			}
			flags[n_flags++] = (struct flag){ch, optarg};
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
		fprintf(stderr, "kcollectord: %s\n", err);
		return 2;
	}
	for (i = 0; i < n_flags; i++)
		if (flag_apply(&cfg, &flags[i]) < 0) {
			fprintf(stderr, "kcollectord: value too long: '%s'\n",
				flags[i].value);
			return 2;
		}
	if (coll_parse_hostport(cfg.listen, &ss) < 0 ||
	    coll_parse_hostport(cfg.http, &ss) < 0) {
		fprintf(stderr, "kcollectord: %s: '%s' is not HOST:PORT\n",
			coll_parse_hostport(cfg.listen, &ss) < 0 ? "--listen"
								 : "--http",
			coll_parse_hostport(cfg.listen, &ss) < 0 ? cfg.listen
								 : cfg.http);
		return 2;
	}
	if (coll_config_check(&cfg, err, sizeof err) < 0) {
		fprintf(stderr, "kcollectord: %s\n", err);
		return 2;
	}
	/* A peer that vanishes mid-write must not kill the collector. */
	signal(SIGPIPE, SIG_IGN);
	if (coll_store_open(cfg.db, &store, err, sizeof err) < 0) {
		fprintf(stderr, "kcollectord: --db %s\n", err);
		return 1;
	}
	if (coll_init(&c, uv_default_loop(), store, &cfg, err, sizeof err) <
	    0) {
		fprintf(stderr, "kcollectord: %s\n", err);
		coll_stop(&c);
		rc = 1;
	} else if (sandbox_start("kcollectord", SANDBOX_COLLECTOR,
				 no_seccomp) < 0) {
		coll_stop(&c);
		rc = 1;
	} else {
		if (cfg.insecure)
			fprintf(stderr,
				"kcollectord: WARNING: --insecure: plaintext "
				"without authentication; any host can "
				"report as any other\n");
		fprintf(stderr,
			"kcollectord: agents on %s, http on %s, db %s, %s\n",
			cfg.listen, cfg.http, cfg.db,
			cfg.insecure ? "plaintext" : "TLS");
	}
	uv_run(uv_default_loop(), UV_RUN_DEFAULT);
	coll_free(&c);
	coll_store_close(store);
	uv_loop_close(uv_default_loop());
	return rc;
}
