/*
 * fuzz_zk_reply.c — a ZooKeeper server's answer to the four-letter words
 * through zk_parse_ruok, zk_parse_srvr and zk_parse_mntr.
 *
 * Each parser reads the reply alone, then all three fold it into one
 * status as a probe does.  Checked: the documented return codes, a state
 * inside the enum, terminated strings, a mode from the documented set,
 * and -EINVAL always leaving the state ERROR with a reason.
 */
#include <errno.h>
#include <string.h>

#include "fuzz_util.h"
#include "zk_probe.h"

#define H "fuzz_zk_reply"

static const char *const modes[] = {"",		  "leader",   "follower",
				    "standalone", "observer", "read-only"};

static void check_status(const struct zk_status *st, int r)
{
	size_t i;
	bool mode_ok = false;

	fuzz_require(r == 0 || r == -EINVAL, H, "error other than EINVAL");
	fuzz_require((unsigned)st->state <= ZK_ERROR, H,
		     "state outside the enum");
	fuzz_require(fuzz_terminated(st->reason, sizeof st->reason) &&
			 fuzz_terminated(st->mode, sizeof st->mode) &&
			 fuzz_terminated(st->version, sizeof st->version),
		     H, "string not terminated");
	for (i = 0; i < sizeof modes / sizeof modes[0]; i++)
		mode_ok |= strcmp(st->mode, modes[i]) == 0;
	fuzz_require(mode_ok, H, "mode outside the documented set");
	if (r == -EINVAL)
		fuzz_require(st->state == ZK_ERROR && st->reason[0] != '\0', H,
			     "EINVAL without ERROR state and reason");
	if (st->state != ZK_RUNNING && st->state != ZK_UNKNOWN)
		fuzz_require(st->reason[0] != '\0', H,
			     "state other than RUNNING without a reason");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct zk_status st, all;
	int r;

	zk_status_init(&all);
	zk_status_init(&st);
	r = zk_parse_ruok(buf, size, &st);
	check_status(&st, r);
	check_status(&all, zk_parse_ruok(buf, size, &all));

	zk_status_init(&st);
	r = zk_parse_srvr(buf, size, &st);
	check_status(&st, r);
	check_status(&all, zk_parse_srvr(buf, size, &all));

	zk_status_init(&st);
	r = zk_parse_mntr(buf, size, &st);
	check_status(&st, r);
	check_status(&all, zk_parse_mntr(buf, size, &all));
	return 0;
}
