/* kcollectord — receives the agents' reports, keeps the fleet's state in
 * SQLite and serves it over HTTP (/api/fleet, /api/hosts/{id}, /metrics). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "collector.h"

#define COLL_DEFAULT_LISTEN "0.0.0.0:7070"
#define COLL_DEFAULT_HTTP   "127.0.0.1:8080"
#define COLL_DEFAULT_DB	    "/var/lib/kagent/collector.db"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: kcollectord [--listen HOST:PORT] [--http HOST:PORT] "
		"[--db PATH]\n"
		"  --listen  agents' reports (default " COLL_DEFAULT_LISTEN
		")\n"
		"  --http    /api/fleet, /api/hosts/ID, /metrics "
		"(default " COLL_DEFAULT_HTTP ")\n"
		"  --db      SQLite database, created when missing "
		"(default " COLL_DEFAULT_DB ")\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"http", required_argument, NULL, 'H'},
	    {"db", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *listen = COLL_DEFAULT_LISTEN, *http = COLL_DEFAULT_HTTP;
	const char *db = COLL_DEFAULT_DB;
	struct sockaddr_storage ss;
	struct coll_store *store = NULL;
	struct collector c;
	char err[512];
	int ch, rc = 0;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			listen = optarg;
			break;
		case 'H':
			http = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("kcollectord %s\n", KAGENT_VERSION);
			return 0;
		default:
			if (optopt)
				fprintf(stderr,
					"kcollectord: %s needs a value\n",
					argv[optind - 1]);
			else
				fprintf(stderr,
					"kcollectord: unknown option '%s' "
					"(valid: --listen, --http, --db)\n",
					argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kcollectord: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (coll_parse_hostport(listen, &ss) < 0 ||
	    coll_parse_hostport(http, &ss) < 0) {
		fprintf(stderr, "kcollectord: %s: '%s' is not HOST:PORT\n",
			coll_parse_hostport(listen, &ss) < 0 ? "--listen"
							     : "--http",
			coll_parse_hostport(listen, &ss) < 0 ? listen : http);
		return 2;
	}
	/* A peer that vanishes mid-write must not kill the collector. */
	signal(SIGPIPE, SIG_IGN);
	if (coll_store_open(db, &store, err, sizeof err) < 0) {
		fprintf(stderr, "kcollectord: --db %s\n", err);
		return 1;
	}
	if (coll_init(&c, uv_default_loop(), store, listen, http, err,
		      sizeof err) < 0) {
		fprintf(stderr, "kcollectord: %s\n", err);
		coll_stop(&c);
		rc = 1;
	} else {
		fprintf(stderr,
			"kcollectord: agents on %s, http on %s, db %s\n",
			listen, http, db);
	}
	uv_run(uv_default_loop(), UV_RUN_DEFAULT);
	coll_free(&c);
	coll_store_close(store);
	uv_loop_close(uv_default_loop());
	return rc;
}
