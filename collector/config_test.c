/* kcollectord -t: what a start would load, loaded and thrown away, as
 * nginx -t and sshd -t do, so an operator (or ExecReload) learns of a bad
 * certificate or ACL before the collector is restarted on it. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "collector.h"
#include "core_log.h"

/* The database itself may not exist yet (the collector creates it); its
 * folder must. */
static int db_dir_ok(const char *db, char *err, size_t errlen)
{
	char dir[COLL_CONF_STR_MAX];
	struct stat st;

	snprintf(dir, sizeof dir, "%s", db);
	if (stat(dirname(dir), &st) < 0) {
		snprintf(err, errlen, "db %s: folder %s: %s", db, dir,
			 strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "db %s: %s is not a folder", db, dir);
		return -1;
	}
	if (stat(db, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "db %s is not a regular file", db);
		return -1;
	}
	return 0;
}

int coll_config_test(const struct coll_config *cfg, const char *config)
{
	static struct collector c; /* large; never on the stack */
	char err[1100], shown[COLL_CONF_STR_MAX];
	int r;

	memset(&c, 0, sizeof c);
	c.notify.fd = -1;
	c.cfg = *cfg;
	r = coll_security_init(&c, err, sizeof err);
	/* A PostgreSQL database is not reached by -t: only a start
	 * connects, as the user it runs as. */
	if (r == 0 && !coll_db_is_url(cfg->db))
		r = db_dir_ok(cfg->db, err, sizeof err);
	coll_db_display(cfg->db, shown, sizeof shown);
	if (r < 0)
		core_log(LOG_ERR, "%s%s%s", config ? config : "",
			 config ? ": " : "", err);
	else
		printf("kcollectord: %s: ok: agents on %s, http on %s, db %s, "
		       "%s, %s\n",
		       config ? config : "(no configuration file)", cfg->listen,
		       cfg->http, shown,
		       cfg->insecure ? "plaintext" : "TLS certificates load",
		       c.have_acl ? "ACL loads" : "no ACL");
	proto_tls_free(&c.tls);
	acl_free(&c.acl);
	return r < 0 ? 1 : 0;
}
