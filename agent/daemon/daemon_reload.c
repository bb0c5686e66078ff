/* SPDX-License-Identifier: Apache-2.0 */
/* SIGHUP (the unit's ExecReload): kagent.conf read again whole, with the
 * parser and the checks of a start.  Everything that can fail is done
 * first (the file, the collector's TLS settings, the certificates): a
 * failure keeps the running configuration, logs why naming the file and
 * line, and tells the service manager.  A good file takes effect for the
 * next job: the jobs read the configuration on a pool thread, so the
 * swap happens on the loop between two jobs, at once when none is in
 * flight or in the job's after-work callback otherwise, and the old
 * configuration is freed then, when nothing holds it any more.
 * Keys that need a restart keep their running value (conf_restart_keep)
 * and are named in the log and in `kagent status`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_log.h"
#include "daemon_int.h"

/* The reason quotes the file, which may hold any byte: what is not
 * UTF-8 becomes '?' so that the status document stays JSON. */
static void error_keep(struct agent *a, const char *why)
{
	json_t *probe;
	char *p;

	/* Tested after the cut, which may split a character. */
	snprintf(a->reload_error, sizeof a->reload_error, "%s", why);
	probe = json_string(a->reload_error);
	if (probe == NULL)
		for (p = a->reload_error; *p; p++)
			if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20)
				*p = '?';
	json_decref(probe);
}

static void reload_failed(struct agent *a, const char *why)
{
	core_log(LOG_ERR, "reload: %s; the running configuration is kept", why);
	error_keep(a, why);
	a->reload_failures++;
	/* The reload ended: the daemon serves on, as before it. */
	core_notify_send(&a->notify, "READY=1\nSTATUS=reload failed: %s", why);
}

static void pending_free(struct agent *a)
{
	free(a->conf_next);
	a->conf_next = NULL;
	proto_tls_free(&a->tls_next);
}

/* A timer that fires every seconds from now on, when that changed. */
static void timer_period(uv_timer_t *t, int64_t was, int64_t seconds)
{
	if (was == seconds)
		return;
	uv_timer_set_repeat(t, (uint64_t)seconds * 1000);
	uv_timer_again(t);
}

void daemon_reload_apply(struct agent *a)
{
	struct conf *next = a->conf_next, *old_own = a->conf_own;
	const struct conf *old = a->conf;
	const struct conf_agent *na;

	if (next == NULL || a->busy || a->stopping)
		return;
	na = &next->agent;
	a->conf_next = NULL;
	a->conf = next;
	a->conf_own = next;
	report_job_reconf(a->job, next);
	uplink_reconf(&a->up, na, &a->tls_next, a->tls_next_on);
	a->spool.max_bytes = (uint64_t)na->spool_max;
	timer_period(&a->t_full, old->agent.interval_s, na->interval_s);
	timer_period(&a->t_health, old->agent.health_interval_s,
		     na->health_interval_s);
	timer_period(&a->t_smart, old->agent.smart_interval_s,
		     na->smart_interval_s);
	/* The certificate may be another file now: read at the next report. */
	a->cert.read = false;
	a->reloads++;
	if (a->up.tls_on)
		core_log(LOG_INFO, "reload: certificates reloaded");
	core_log(LOG_INFO, "reload: %s in effect: roles %s, cluster %s, "
		 "rack %s, collector %s, interval %lld s",
		 next->path, conf_roles_name(next->roles),
		 next->cluster[0] ? next->cluster : "(none)",
		 next->rack_lldp ? "lldp" : next->rack[0] ? next->rack : "(none)",
		 na->collector[0] ? na->collector : "(none)",
		 (long long)na->interval_s);
	/* Nothing holds the old one: the job in flight (if any) has ended,
	 * and the uplink and the job state point at next.  The start's
	 * configuration is main's, not ours to free. */
	free(old_own);
	core_notify_send(&a->notify, "READY=1");
	daemon_notify_status(a);
}

void daemon_reload(struct agent *a)
{
	struct conf *next = malloc(sizeof *next);
	char err[768], keys[DAEMON_RESTART_KEYS_MAX];
	struct proto_tls tls;
	bool tls_on = false;
	int r, n = 0;

	core_notify_reloading(&a->notify);
	if (next == NULL) {
		reload_failed(a, "out of memory");
		return;
	}
	conf_defaults(next);
	r = conf_load(a->conf->path, next, err, sizeof err);
	if (r == 0) {
		/* A command line flag, not a key: it stays. */
		next->agent.no_seccomp = a->conf->agent.no_seccomp;
		n = conf_restart_keep(a->conf, next, keys, sizeof keys);
		r = conf_agent_check(next, err, sizeof err);
	}
	if (r == 0)
		r = uplink_reconf_prepare(&next->agent, &tls, &tls_on, err,
					  sizeof err);
	if (r < 0) {
		free(next);
		reload_failed(a, err);
		return;
	}
	if (n > 0)
		core_log(LOG_WARNING, "reload: %s: %s changed: needs a restart "
			 "(the running value is kept)", next->path, keys);
	snprintf(a->restart_needed, sizeof a->restart_needed, "%s",
		 n > 0 ? keys : "");
	a->reload_error[0] = '\0';
	/* A reload still waiting for its job is replaced by this one. */
	pending_free(a);
	a->conf_next = next;
	a->tls_next = tls;
	a->tls_next_on = tls_on;
	if (a->busy)
		core_log(LOG_INFO, "reload: %s read; in effect when job %u ends",
			 next->path, a->busy);
	daemon_reload_apply(a);
}

void daemon_reload_free(struct agent *a)
{
	pending_free(a);
	free(a->conf_own);
	a->conf_own = NULL;
}

void daemon_reload_status(const struct agent *a, json_t *doc)
{
	json_t *w = json_object_get(doc, "warnings");
	char line[1024];

	json_object_set_new(
	    doc, "reload",
	    json_pack("{s:I s:I s:o s:o}", "reloads", (json_int_t)a->reloads,
		      "failures", (json_int_t)a->reload_failures, "error",
		      a->reload_error[0] ? json_string(a->reload_error)
					 : json_null(),
		      "restart_needed",
		      a->restart_needed[0] ? json_string(a->restart_needed)
					   : json_null()));
	if (!json_is_array(w))
		return;
	if (a->reload_error[0]) {
		snprintf(line, sizeof line,
			 "reload failed: %s; the configuration loaded before "
			 "is in use",
			 a->reload_error);
		json_array_append_new(w, json_string(line));
	}
	if (a->restart_needed[0]) {
		snprintf(line, sizeof line,
			 "restart needed: %s (changed in %s; the running value "
			 "is kept)",
			 a->restart_needed, a->conf->path);
		json_array_append_new(w, json_string(line));
	}
}
