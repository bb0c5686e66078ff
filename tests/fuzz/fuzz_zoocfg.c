/*
 * fuzz_zoocfg.c — zoo.cfg as ZooKeeper reads it: props_parse, then
 * zk_config_parse over the entries.
 *
 * Checked: the servers and 4lw lists stay within their bounds, every
 * string field is terminated, a server the parser calls valid has a host
 * and both quorum ports, the client ports are 1-65535 or unknown, and an
 * error explains itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "props.h"
#include "zk_facts.h"

#define H "fuzz_zoocfg"

/* lo: a client port of 0 means "not set" and must be unknown; a quorum
 * port of 0 is one the server would bind (an ephemeral one). */
static bool port_ok(struct hw_num n, int64_t lo)
{
	return !n.known || (n.v >= lo && n.v <= 65535);
}

static void check_server(const struct zk_server *s)
{
	fuzz_require(
	    fuzz_terminated(s->text, sizeof s->text) &&
		fuzz_terminated(s->host, sizeof s->host) &&
		fuzz_terminated(s->client_address, sizeof s->client_address),
	    H, "server string not terminated");
	if (!s->valid)
		return;
	fuzz_require(s->host[0] != '\0', H, "valid server without a host");
	fuzz_require(s->peer_port.known && s->election_port.known, H,
		     "valid server without quorum ports");
	fuzz_require(port_ok(s->peer_port, 0) && port_ok(s->election_port, 0) &&
			 port_ok(s->client_port, 0),
		     H, "server port out of range");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct props_err perr = {0, {0}};
	struct hw_err err = {{0}};
	struct zk_config *cfg;
	struct props p;
	size_t i;
	int r;

	if (props_parse((const char *)data, size, &p, &perr) < 0)
		return 0;
	cfg = malloc(sizeof *cfg);
	if (!cfg)
		abort();
	r = zk_config_parse(&p, "zoo.cfg", cfg, &err);
	if (r < 0) {
		fuzz_require(err.msg[0] != '\0', H, "error unexplained");
		goto out_free_cfg;
	}
	fuzz_require(cfg->n_servers <= ZK_SERVERS_MAX, H,
		     "servers above bound");
	fuzz_require(cfg->n_four_lw <= ZK_4LW_MAX, H, "4lw above bound");
	fuzz_require(
	    fuzz_terminated(cfg->data_dir, sizeof cfg->data_dir) &&
		fuzz_terminated(cfg->data_log_dir, sizeof cfg->data_log_dir) &&
		fuzz_terminated(cfg->client_port_address,
				sizeof cfg->client_port_address) &&
		fuzz_terminated(cfg->dynamic_config_file,
				sizeof cfg->dynamic_config_file) &&
		fuzz_terminated(cfg->invalid, sizeof cfg->invalid),
	    H, "config string not terminated");
	fuzz_require(port_ok(cfg->client_port, 1) &&
			 port_ok(cfg->secure_client_port, 1),
		     H, "client port out of range");
	fuzz_require((cfg->n_invalid == 0) == (cfg->invalid[0] == '\0'), H,
		     "invalid count and description disagree");
	for (i = 0; i < cfg->n_four_lw; i++)
		fuzz_require(
		    fuzz_terminated(cfg->four_lw[i], sizeof cfg->four_lw[i]), H,
		    "4lw word not terminated");
	for (i = 0; i < cfg->n_servers; i++)
		check_server(&cfg->servers[i]);
out_free_cfg:
	free(cfg);
	props_free(&p);
	return 0;
}
