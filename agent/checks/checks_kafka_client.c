/* SPDX-License-Identifier: Apache-2.0 */
/* kafka.security.client_config — the file of `[kafka] client_config`,
 * kagentd's own librdkafka settings for reaching its broker.  It holds
 * what the broker's clients hold: SASL user names and passwords, the
 * paths of private keys and their passwords.  Only the agent's user (or
 * root, who may own it and still let the agent read it through the
 * prober) should read it, so the check holds the file's owner and mode
 * below the root directory, as every probe reads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checks.h"

#define CLIENT_CONFIG "kafka.security.client_config"
#define REQ	      "owner only (no group/other bits)"
#define PASSWD_MAX    (256 * 1024)

/* The uid of `user` in ROOT/etc/passwd: 0 and *uid, -ESRCH when no line
 * names it, or the read's negative errno (-ENOENT: no such file).  The
 * host's name service is not asked: the root directory is the host
 * judged, as for every probe. */
static int passwd_uid(const char *root, const char *user, long *uid)
{
	char path[PATH_MAX], *buf, *line, *save = NULL;
	size_t ulen = strlen(user);
	ssize_t n;
	int r = -ESRCH;

	if (core_path(path, sizeof path, root, "etc/passwd") < 0)
		return -ENAMETOOLONG;
	buf = malloc(PASSWD_MAX);
	if (buf == NULL)
		return -ENOMEM;
	n = core_read_file(path, buf, PASSWD_MAX);
	if (n < 0) {
		r = (int)n;
		goto out_free_buf;
	}
	/* name:password:uid:gid:gecos:home:shell */
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p, *end;

		if (strncmp(line, user, ulen) != 0 || line[ulen] != ':')
			continue;
		p = strchr(line + ulen + 1, ':');
		if (p == NULL)
			continue;
		errno = 0;
		*uid = strtol(p + 1, &end, 10);
		if (errno == 0 && end != p + 1 && *end == ':' && *uid >= 0) {
			r = 0;
			break;
		}
	}
out_free_buf:
	free(buf);
	return r;
}

/* The owner against the agent's user: 0 when it may own the file, 1 when
 * it may not, -1 (with why) when that cannot be told. */
static int owner_wrong(const struct facts *f, uid_t owner, char *why,
		       size_t len)
{
	const char *user = f->conf.agent.user;
	long uid = -1;
	int r;

	if (owner == 0)
		return 0;
	r = passwd_uid(f->root, user, &uid);
	if (r == -ESRCH) {
		snprintf(why, len,
			 "owned by uid %u, and the agent's user '%s' is not "
			 "in /etc/passwd",
			 (unsigned)owner, user);
		return -1;
	}
	if (r < 0) {
		snprintf(why, len, "owned by uid %u; /etc/passwd: %s",
			 (unsigned)owner, strerror(-r));
		return -1;
	}
	return (uid_t)uid == owner ? 0 : 1;
}

static void check_client_config(const struct facts *f,
				struct check_results *out)
{
	const char *file = f->conf.kafka_client_config;
	char path[PATH_MAX], m[32], why[320];
	struct stat st;
	unsigned mode;
	int e, own;

	/* Nothing configured, nothing secret: a pass, as kafka.security.
	 * secret_files passes a configuration that names no key file.  An
	 * unknown here would stand on every PLAINTEXT cluster's status line;
	 * a broker that wants credentials is reported by the metadata's own
	 * unknown, with librdkafka's error. */
	if (file[0] == '\0') {
		check_add(out, CLIENT_CONFIG, NULL, SEV_PASS, "not set", REQ,
			  "no [kafka] client_config: kagentd reaches its "
			  "broker without security settings and holds no "
			  "secret");
		return;
	}
	if (core_path(path, sizeof path, f->root, "%s", file) < 0) {
		check_add(out, CLIENT_CONFIG, file, SEV_UNKNOWN, "", REQ,
			  "%s: path too long", file);
		return;
	}
	if (stat(path, &st) < 0) {
		e = errno;
		check_add(out, CLIENT_CONFIG, file, SEV_UNKNOWN, "", REQ,
			  "%s named by [kafka] client_config: %s", file,
			  strerror(e));
		return;
	}
	mode = (unsigned)(st.st_mode & 07777);
	snprintf(m, sizeof m, "mode %04o", mode);
	if (!S_ISREG(st.st_mode)) {
		check_add(out, CLIENT_CONFIG, file, SEV_FAIL, m, REQ,
			  "%s named by [kafka] client_config is not a regular "
			  "file",
			  file);
		return;
	}
	if (mode & (S_IRGRP | S_IROTH)) {
		check_add(out, CLIENT_CONFIG, file, SEV_FAIL, m, REQ,
			  "%s is mode %04o: %s can read the SASL passwords "
			  "and key paths it holds; chmod 0600 it",
			  file, mode,
			  (mode & S_IROTH) ? "every user of this host"
					   : "its group");
		return;
	}
	if (mode & (S_IRWXG | S_IRWXO)) {
		check_add(out, CLIENT_CONFIG, file, SEV_WARN, m, REQ,
			  "%s is mode %04o: others may change the settings "
			  "kagentd connects with; chmod 0600 it",
			  file, mode);
		return;
	}
	own = owner_wrong(f, st.st_uid, why, sizeof why);
	if (own < 0)
		check_add(out, CLIENT_CONFIG, file, SEV_UNKNOWN, m, REQ,
			  "%s is mode %04o, %s", file, mode, why);
	else if (own > 0)
		check_add(out, CLIENT_CONFIG, file, SEV_WARN, m, REQ,
			  "%s is owned by uid %u, neither the agent's user "
			  "'%s' nor root: that user holds the secrets",
			  file, (unsigned)st.st_uid, f->conf.agent.user);
	else
		check_add(out, CLIENT_CONFIG, file, SEV_PASS, m, REQ,
			  "%s is readable by its owner only", file);
}

const struct check_def checks_kafka_client[] = {
    {CLIENT_CONFIG, CORE_ROLE_KAFKA, check_client_config,
     "fail if the file of [kafka] client_config is readable by its group or "
     "others; warn if owned by neither the agent's user nor root"},
};
const size_t checks_kafka_client_len =
    sizeof checks_kafka_client / sizeof checks_kafka_client[0];
