/* kagentd -t: what a start would read, read and thrown away, as nginx -t
 * and sshd -t do: the configuration (already parsed by main), the
 * collector's address, the certificates and key, and the folders of the
 * spool and the control socket.  Nothing is bound, forked or written. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_log.h"
#include "daemon.h"
#include "hostport.h"
#include "privsep.h"
#include "tls.h"

static int is_dir(const char *what, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s %s is not a folder", what, path);
		return -1;
	}
	return 0;
}

/* rack = lldp reads lldpd's socket as the [agent] user with the groups
 * the drop keeps: a socket that user may not write is said now, with the
 * group to add it to.  An absent socket is lldpd not started yet. */
static int lldp_test(const struct conf *conf, char *err, size_t errlen)
{
	const char *sock =
	    conf->lldp_socket[0] ? conf->lldp_socket : "/run/lldpd.socket";
	struct hw_err herr = {{0}};
	struct privsep ps;
	char why[512];

	if (!conf->rack_lldp)
		return 0;
	if (privsep_init(&ps, conf->agent.user, &herr) < 0) {
		snprintf(err, errlen, "%s", herr.msg);
		return -1;
	}
	if (privsep_socket_access(&ps, sock, why, sizeof why) == -EACCES) {
		snprintf(err, errlen, "rack = lldp: %s", why);
		return -1;
	}
	return 0;
}

static int test_all(const struct conf *conf, char *err, size_t errlen)
{
	const struct conf_agent *ca = &conf->agent;
	struct proto_hostport hp;
	struct proto_tls_config tc;
	struct proto_tls tls;
	char dir[PATH_MAX], why[512];
	int r;

	if (conf_agent_check(conf, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < ca->n_collectors; i++)
		if (proto_hostport_parse(ca->collectors[i], &hp, why,
					 sizeof why) < 0) {
			snprintf(err, errlen, "collector: %s", why);
			return -1;
		}
	if (ca->collector[0] && !ca->insecure) {
		memset(&tc, 0, sizeof tc);
		tc.ca = ca->tls_ca;
		tc.cert = ca->tls_cert;
		tc.key = ca->tls_key;
		memset(&tls, 0, sizeof tls);
		r = proto_tls_init(&tls, &tc, why, sizeof why);
		proto_tls_free(&tls);
		if (r < 0) {
			snprintf(err, errlen, "tls: %s", why);
			return -1;
		}
	}
	/* The spool folder is created by the package (StateDirectory);
	 * the socket's folder too (RuntimeDirectory). */
	if (is_dir("spool", ca->spool, err, errlen) < 0)
		return -1;
	if (lldp_test(conf, err, errlen) < 0)
		return -1;
	snprintf(dir, sizeof dir, "%s", ca->socket);
	return is_dir("socket folder", dirname(dir), err, errlen);
}

int agent_config_test(const struct conf *conf, const char *path)
{
	char err[1024], host[CONF_HOST_ID_MAX] = "";

	if (test_all(conf, err, sizeof err) < 0) {
		core_log(LOG_ERR, "%s: %s", path, err);
		return 1;
	}
	if (conf->agent.host_id[0])
		snprintf(host, sizeof host, "%s", conf->agent.host_id);
	else if (gethostname(host, sizeof host - 1) < 0 || host[0] == '\0') {
		core_log(LOG_ERR, "%s: no host_id in [agent] and no hostname",
			 path);
		return 1;
	}
	printf("kagentd: %s: ok: host %s, collector %s (%s), spool %s\n", path,
	       host, conf->agent.collector[0] ? conf->agent.collector : "none",
	       !conf->agent.collector[0] ? "spool only"
	       : conf->agent.insecure	 ? "plaintext"
					 : "TLS certificates load",
	       conf->agent.spool);
	return 0;
}
