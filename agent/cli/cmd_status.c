/* kagent status [--socket PATH] [--config FILE] [--json]
 *
 * Asks the running kagentd over its unix socket and exits as a plugin
 * would on its verdict: 0 pass, 1 warn, 2 fail, 3 unknown.  When nothing
 * answers it says so, judges the host once itself as `kagent check` does,
 * and exits 3 (UNKNOWN): the daemon's view is missing whatever the checks
 * say.  --json is JSON in every case. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"
#include "check_plugin.h"
#include "conf.h"
#include "text_esc.h"

#define EXIT_NOT_RUNNING PLUGIN_UNKNOWN
/* The one-shot check when kagentd does not answer: kagent check's. */
#define STATUS_CHECK_TIMEOUT_S 10
#define STATUS_REPLY_MAX (1 << 20)
#define STATUS_TIMEOUT_S 5

static const char usage_text[] =
	"usage: kagent status [--socket PATH] [--config FILE] [--json]\n";

/* One request, one reply until EOF, each bounded in time and size. */
static int ask(const char *path, char **reply, char *why, size_t whylen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = STATUS_TIMEOUT_S };
	size_t len = 0;
	char *buf;
	int fd, r = 0;

	if (strlen(path) >= sizeof sa.sun_path) {
		snprintf(why, whylen, "path too long");
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -errno;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	buf = malloc(STATUS_REPLY_MAX);
	if (buf == NULL) {
		r = -ENOMEM;
		goto out_close;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    write(fd, "status\n", 7) != 7) {
		r = -errno;
		goto out_free;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, STATUS_REPLY_MAX - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto out_free;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == STATUS_REPLY_MAX - 1) {
			r = -EFBIG;
			goto out_free;
		}
	}
	buf[len] = '\0';
	*reply = buf;
	close(fd);
	return 0;

out_free:
	free(buf);
out_close:
	snprintf(why, whylen, "%s", strerror(-r));
	close(fd);
	return r;
}

/* A string member, escaped for the terminal: the host id, the checks'
 * instances and messages come from files and peers of the host. */
static const char *str(struct text_esc *e, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return text_esc(e, s ? s : "-");
}

static json_int_t integer(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void num(FILE *out, const char *label, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		fprintf(out, "%-16s %" JSON_INTEGER_FORMAT "\n", label,
			json_integer_value(v));
	else
		fprintf(out, "%-16s -\n", label);
}

/* The certificate the collector knows this host by, and its days left. */
static void print_tls(json_t *tls, FILE *out)
{
	struct text_esc e = { .next = 0 };
	json_t *days = json_object_get(tls, "days_left");

	if (tls == NULL)
		return;
	if (strcmp(str(&e, tls, "mode"), "tls") != 0) {
		fprintf(out, "%-16s %s\n", "tls", str(&e, tls, "mode"));
		return;
	}
	if (json_object_get(tls, "error") != NULL) {
		fprintf(out, "%-16s %s: %s\n", "tls", str(&e, tls, "cert"),
			str(&e, tls, "error"));
		return;
	}
	fprintf(out, "%-16s %s, identity %s, %" JSON_INTEGER_FORMAT
		" day(s) left\n", "tls", str(&e, tls, "cert"),
		str(&e, tls, "identity"), json_integer_value(days));
	if (json_is_string(json_object_get(tls, "warning")))
		fprintf(out, "%-16s %s\n", "WARNING", str(&e, tls, "warning"));
}

/* What would stop or lose reports, from the uplink and the spool. */
static void print_uplink(json_t *doc, FILE *out)
{
	struct text_esc e = { .next = 0 };
	json_t *up = json_object_get(doc, "uplink"), *r, *w;
	json_t *spool = json_object_get(doc, "spool");
	size_t i;

	if (json_is_object(up)) {
		fprintf(out, "%-16s %" JSON_INTEGER_FORMAT " in flight%s, %"
			JSON_INTEGER_FORMAT " ack timeout(s), %"
			JSON_INTEGER_FORMAT " hello timeout(s)\n", "acks",
			integer(up, "inflight"),
			json_is_true(json_object_get(up, "window_full"))
				? " (window full)" : "",
			integer(up, "ack_timeouts"),
			integer(up, "hello_timeouts"));
		r = json_object_get(up, "seq_reset");
		fprintf(out, "%-16s %" JSON_INTEGER_FORMAT, "seq resets",
			integer(up, "seq_resets"));
		if (json_is_object(r))
			fprintf(out, ", last: collector had %" JSON_INTEGER_FORMAT
				", spool ended at %" JSON_INTEGER_FORMAT
				", %" JSON_INTEGER_FORMAT " renumbered",
				integer(r, "collector_seq"),
				integer(r, "agent_seq"), integer(r, "renumbered"));
		fputc('\n', out);
	}
	if (json_is_object(spool) && json_object_get(spool, "lost"))
		fprintf(out, "%-16s %" JSON_INTEGER_FORMAT " lost unwritten, %"
			JSON_INTEGER_FORMAT " corrupt skipped%s%s\n",
			"spool damage", integer(spool, "lost"),
			integer(spool, "corrupt"),
			json_is_string(json_object_get(spool, "error")) ? ", now: " : "",
			json_is_string(json_object_get(spool, "error"))
				? str(&e, spool, "error") : "");
	json_array_foreach(json_object_get(doc, "warnings"), i, w)
		fprintf(out, "%-16s %s\n", "WARNING",
			text_esc(&e, json_string_value(w)));
}

/* With a list of collectors: the one in use, why, and each one's last
 * failure, so that a fail-over is explained where it is seen. */
static void print_collectors(json_t *doc, FILE *out)
{
	struct text_esc e = { .next = 0 };
	json_t *list = json_object_get(doc, "collectors"), *c;
	size_t i;

	if (json_array_size(list) < 2)
		return;
	fprintf(out, "%-16s %" JSON_INTEGER_FORMAT " of %zu: %s\n", "in use",
		integer(doc, "collector_position"), json_array_size(list),
		str(&e, doc, "collector_reason"));
	json_array_foreach(list, i, c) {
		fprintf(out, "%-16s %" JSON_INTEGER_FORMAT " %s%s: ",
			i == 0 ? "collectors" : "",
			integer(c, "position"), str(&e, c, "addr"),
			json_is_true(json_object_get(c, "in_use")) ? " (in use)"
								   : "");
		if (json_is_string(json_object_get(c, "last_error")))
			fprintf(out, "%" JSON_INTEGER_FORMAT " failure(s), last "
				"%" JSON_INTEGER_FORMAT " s ago: %s\n",
				integer(c, "failures"),
				integer(c, "last_error_age_s"),
				str(&e, c, "last_error"));
		else
			fprintf(out, "no failure\n");
	}
}

static void print_text(json_t *doc, FILE *out)
{
	struct text_esc e = { .next = 0 };
	json_t *spool = json_object_get(doc, "spool"), *c;
	const char *le;
	size_t i;

	fprintf(out, "%-16s %s\n", "kagentd", str(&e, doc, "version"));
	fprintf(out, "%-16s %s\n", "host id", str(&e, doc, "host_id"));
	num(out, "uptime (s)", doc, "uptime_s");
	fprintf(out, "%-16s %s (%s)\n", "collector", str(&e, doc, "collector"),
		str(&e, doc, "connection"));
	print_collectors(doc, out);
	le = str(&e, doc, "last_error");
	if (le[0] && strcmp(le, "-"))
		fprintf(out, "%-16s %s\n", "last error", le);
	num(out, "last report seq", doc, "last_report_seq");
	num(out, "last sent seq", doc, "last_sent_seq");
	num(out, "last acked seq", doc, "last_acked_seq");
	fprintf(out, "%-16s %" JSON_INTEGER_FORMAT " reports, %" JSON_INTEGER_FORMAT
		" bytes, %" JSON_INTEGER_FORMAT " dropped\n", "spool",
		integer(spool, "reports"), integer(spool, "bytes"),
		integer(spool, "dropped"));
	print_uplink(doc, out);
	print_tls(json_object_get(doc, "tls"), out);
	/* Shown only once the watchdog had to replace a worker. */
	if (json_is_string(json_object_get(json_object_get(doc, "prober"),
					   "last_error")))
		fprintf(out, "%-16s %" JSON_INTEGER_FORMAT " restart(s), last: %s\n",
			"prober",
			json_integer_value(json_object_get(
				json_object_get(doc, "prober"), "restarts")),
			str(&e, json_object_get(doc, "prober"), "last_error"));
	fprintf(out, "%-16s %s\n", "verdict", str(&e, doc, "verdict"));
	/* The text shows what needs attention; --json lists every check. */
	json_array_foreach(json_object_get(doc, "checks"), i, c) {
		const char *inst;

		if (strcmp(json_string_value(json_object_get(c, "severity"))
				   ? json_string_value(json_object_get(c, "severity"))
				   : "", "pass") == 0)
			continue;
		inst = str(&e, c, "instance");
		fprintf(out, "  %-8s %-28s %s%s%s\n", str(&e, c, "severity"),
			str(&e, c, "id"), strcmp(inst, "-") ? inst : "",
			strcmp(inst, "-") && inst[0] ? ": " : "",
			str(&e, c, "message"));
	}
}

/* The daemon's verdict as a plugin's exit status. */
static int verdict_exit(json_t *doc)
{
	const char *v = json_string_value(json_object_get(doc, "verdict"));

	if (v == NULL)
		return PLUGIN_UNKNOWN;
	if (!strcmp(v, "pass") || !strcmp(v, "info"))
		return PLUGIN_OK;
	if (!strcmp(v, "warn"))
		return PLUGIN_WARNING;
	if (!strcmp(v, "fail"))
		return PLUGIN_CRITICAL;
	return PLUGIN_UNKNOWN;
}

static void json_out(json_t *doc)
{
	char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII)
			 : NULL;

	text_json_fputs(text ? text : "null", stdout);
	fputc('\n', stdout);
	free(text);
}

/* No kagentd: what failed, and the host judged once as kagent check
 * --json would, under "check". */
static void not_running_json(const char *path, const char *why,
			     const char *root, const char *config)
{
	json_t *check = NULL, *doc;

	cmd_check_doc(root, config, STATUS_CHECK_TIMEOUT_S, &check);
	doc = json_pack("{s:b s:s s:s s:s s:o}", "running", 0, "socket", path,
			"error", why, "verdict", "unknown", "check",
			check ? check : json_null());
	json_out(doc);
	json_decref(doc);
}

/* The socket named in the configuration, when it can be read. */
static void socket_from_conf(const char *config, char *path, size_t len,
			     char *root, size_t rlen)
{
	struct conf c;
	char err[768];

	conf_defaults(&c);
	if (access(config, R_OK) == 0 && conf_load(config, &c, err, sizeof err) == 0)
		snprintf(path, len, "%s", c.agent.socket);
	snprintf(root, rlen, "%s", c.agent.root);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = CONF_DEFAULT_PATH, *sock = NULL;
	char path[108] = CONF_AGENT_SOCKET_DEFAULT, why[128], root[PATH_MAX];
	char *reply = NULL;
	json_error_t jerr;
	json_t *doc;
	int json = 0, c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fprintf(stderr, "kagent status: unknown or incomplete option '%s'\n%s",
				argv[optind - 1], usage_text);
			return PLUGIN_UNKNOWN;
		}
	}
	socket_from_conf(config, path, sizeof path, root, sizeof root);
	if (sock)
		snprintf(path, sizeof path, "%s", sock);
	if (ask(path, &reply, why, sizeof why) < 0 && json) {
		not_running_json(path, why, root, config);
		return EXIT_NOT_RUNNING;
	}
	if (reply == NULL) {
		char *check_argv[] = { "check", "--root", root, "--config",
				       (char *)config, NULL };

		printf("kagentd is not running (%s: %s)\n", path, why);
		printf("checks of this host, run once by kagent:\n");
		fflush(stdout);
		cmd_check(access(config, R_OK) == 0 ? 5 : 3, check_argv);
		return EXIT_NOT_RUNNING;
	}
	doc = json_loads(reply, 0, &jerr);
	if (doc == NULL) {
		fprintf(stderr, "kagent status: %s: not JSON: %s\n", path, jerr.text);
		free(reply);
		return EXIT_NOT_RUNNING;
	}
	/* Re-encoded with \u escapes for all but ASCII: no C1 control of
	 * a check message reaches a terminal even from the JSON. */
	if (json)
		json_out(doc);
	else
		print_text(doc, stdout);
	rc = verdict_exit(doc);
	json_decref(doc);
	free(reply);
	return rc;
}
