/* SPDX-License-Identifier: Apache-2.0 */
/* kagent fleet --reassign CLUSTER: the glue around the planner.  The
 * metadata comes from the collector (GET /api/clusters/{c}/kafka, through
 * fleet_http.c, TLS and the read ACL as every fleet command) or from a
 * file (--from), so that plans can be made away from the fleet; it is
 * refused unless the collector calls it complete (--partial overrides),
 * since a plan that misses a broker's partitions balances the wrong
 * counts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "core.h"
#include "fleet_capacity.h"
#include "fleet_http.h"
#include "reassign.h"
#include "reassign_files.h"
#include "text_esc.h"

#define RA_EXIT_INPUT 2

static int ra_int_arg(const char *flag, const char *s, long long lo,
		      long long hi, long long *out)
{
	char *end;
	char safe[128];

	errno = 0;
	*out = s[0] ? strtoll(s, &end, 10) : 0;
	if (s[0] == '\0' || *end != '\0' || errno || *out < lo || *out > hi) {
		fprintf(stderr,
			"kagent fleet: %s '%s': not an integer in "
			"%lld..%lld\n",
			flag, text_escape(safe, sizeof safe, s), lo, hi);
		return -EINVAL;
	}
	return 0;
}

/* The file, at most RA_INPUT_MAX bytes, NUL-terminated in *text. */
static int ra_read_from(const char *path, char **text)
{
	size_t cap = RA_INPUT_MAX + 1, len = 0;
	char *buf = malloc(cap + 1), msg[512];
	int fd, rc;

	if (buf == NULL)
		return -ENOMEM;
	rc = core_file_open(path, 0, &fd);
	while (rc == 0 && len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : 0;
			break;
		}
		len += (size_t)n;
	}
	if (rc == 0)
		close(fd);
	if (rc == 0 && len > RA_INPUT_MAX) {
		fprintf(stderr, "kagent fleet: %s: more than %u bytes\n", path,
			RA_INPUT_MAX);
		free(buf);
		return -EFBIG;
	}
	if (rc < 0) {
		core_file_strerror(msg, sizeof msg, path, rc);
		fprintf(stderr, "kagent fleet: %s\n", msg);
		free(buf);
		return rc;
	}
	buf[len] = '\0';
	*text = buf;
	return 0;
}

/* The collector's answer for the cluster, NUL-terminated in *text. */
static int ra_fetch(const struct ra_cmd *cmd, char **text)
{
	struct fleet_get *g = calloc(1, sizeof *g);
	char answer[1024];
	size_t n;
	int rc;

	if (g == NULL)
		return -ENOMEM;
	/* The capacity path with its last segment swapped: one encoder of
	 * cluster names for both. */
	rc = fleet_capacity_path(cmd->cluster, g->path, sizeof g->path);
	if (rc < 0) {
		fprintf(stderr,
			"kagent fleet: --reassign '%s': not a cluster name (1 "
			"to 63 printable ASCII characters, no space)\n",
			text_escape(answer, sizeof answer, cmd->cluster));
		free(g);
		return rc;
	}
	n = strlen(g->path) - strlen("capacity");
	memcpy(g->path + n, "kafka", sizeof "kafka");
	g->method = "GET";
	rc = fleet_fetch(cmd->url, cmd->tls, g);
	if (rc < 0) {
		fprintf(stderr, "kagent fleet: %s: %s\n", cmd->url, g->err);
	} else if (g->status != 200) {
		fprintf(
		    stderr, "kagent fleet: %s: HTTP %d: %s\n", cmd->url,
		    g->status,
		    text_escape(answer, sizeof answer, g->body ? g->body : ""));
		rc = -EIO;
	} else {
		*text = g->body;
		g->body = NULL;
	}
	free(g->body);
	free(g);
	return rc;
}

static int ra_write(const struct ra_cluster *c, const size_t *idx, size_t n,
		    const struct ra_cmd *cmd, int width)
{
	char name[RA_TOPIC_NAME_MAX + 32], err[4200];
	size_t i;
	int rb, rc;

	if ((rc = ra_files_prepare(cmd->out_dir, cmd->force, err, sizeof err)) <
	    0)
		goto out_err;
	for (i = 0; i < n; i++)
		for (rb = 0; rb < 2; rb++) {
			json_t *doc = ra_step_file(&c->topics[idx[i]], rb);
			char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
			size_t len = text ? strlen(text) : 0;

			json_decref(doc);
			if (text == NULL) {
				snprintf(err, sizeof err, "out of memory");
				return -ENOMEM;
			}
			/* One line and a newline, as the tool's own
			 * --generate prints them. */
			char *nl = realloc(text, len + 2);

			if (nl == NULL) {
				free(text);
				snprintf(err, sizeof err, "out of memory");
				return -ENOMEM;
			}
			text = nl;
			memcpy(text + len, "\n", 2);
			ra_step_name(name, sizeof name, width, i + 1,
				     c->topics[idx[i]].name, rb);
			rc = ra_files_write(cmd->out_dir, name, text, err,
					    sizeof err);
			free(text);
			if (rc < 0)
				goto out_err;
		}
	if ((rc = ra_files_sync(cmd->out_dir)) < 0) {
		snprintf(err, sizeof err, "%s: %s", cmd->out_dir,
			 strerror(-rc));
		goto out_err;
	}
	return 0;
out_err:
	fprintf(stderr, "kagent fleet: %s\n", err);
	return rc;
}

static int ra_plan_and_write(struct ra_cluster *c, const struct ra_cmd *cmd,
			     const struct ra_plan_opts *po, int pct)
{
	struct ra_summary_opts so = {
	    .throttle_percent = pct, .json = cmd->json, .name_width = 2};
	struct ra_plan_result r;
	size_t *idx, n, d;
	int rc;

	if (c->state != RA_STATE_COMPLETE && !cmd->partial) {
		fprintf(stderr,
			"kagent fleet: cluster %s: the collector's metadata is "
			"%s (%s): no plan (--partial plans with what is "
			"known)\n",
			c->name,
			c->state == RA_STATE_PARTIAL ? "partial" : "missing",
			c->why[0] ? c->why : "no reason given");
		return RA_EXIT_REFUSED;
	}
	rc = ra_plan(c, po, &r);
	if (rc < 0) {
		fprintf(stderr, "kagent fleet: cluster %s: %s\n", c->name,
			r.err);
		return rc == -EINVAL ? AGENT_EXIT_USAGE : RA_EXIT_REFUSED;
	}
	idx = calloc(c->n_topics + 1, sizeof *idx);
	if (idx == NULL)
		return RA_EXIT_INPUT;
	n = ra_steps(c, idx);
	for (d = n; d >= 100; d /= 10)
		so.name_width++;
	rc = AGENT_EXIT_OK;
	if (n > 0 && cmd->out_dir) {
		if (ra_write(c, idx, n, cmd, so.name_width) < 0)
			rc = RA_EXIT_REFUSED;
		else
			so.out_dir = cmd->out_dir;
	}
	if (rc == AGENT_EXIT_OK)
		ra_summary_print(c, po, &r, idx, n, &so, stdout);
	free(idx);
	return rc;
}

int ra_cmd_run(const struct ra_cmd *cmd)
{
	struct ra_plan_opts po = {0};
	struct ra_cluster c;
	long long v, pct = 50;
	json_error_t jerr;
	char *text = NULL, err[600];
	json_t *doc;
	int rc;

	if (cmd->drain) {
		if (ra_int_arg("--drain", cmd->drain, 0, INT32_MAX, &v) < 0)
			return AGENT_EXIT_USAGE;
		po.drain = true;
		po.drain_id = (int32_t)v;
	}
	if (cmd->throttle &&
	    ra_int_arg("--throttle-percent", cmd->throttle, 1, 100, &pct) < 0)
		return AGENT_EXIT_USAGE;
	rc = cmd->from ? ra_read_from(cmd->from, &text) : ra_fetch(cmd, &text);
	if (rc < 0)
		return RA_EXIT_INPUT;
	/* jansson refuses invalid UTF-8 and NUL bytes. */
	doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (doc == NULL) {
		fprintf(stderr, "kagent fleet: %s:%d: %s\n",
			cmd->from ? cmd->from : cmd->url, jerr.line, jerr.text);
		return RA_EXIT_INPUT;
	}
	rc = ra_cluster_load(doc, cmd->cluster, &c, err, sizeof err);
	json_decref(doc);
	if (rc < 0) {
		fprintf(stderr, "kagent fleet: %s: %s\n",
			cmd->from ? cmd->from : cmd->url, err);
		return RA_EXIT_INPUT;
	}
	rc = ra_plan_and_write(&c, cmd, &po, (int)pct);
	ra_cluster_free(&c);
	return rc;
}
