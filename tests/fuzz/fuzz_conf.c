/*
 * fuzz_conf.c — /etc/kagent/kagent.conf through conf_parse.
 *
 * conf_parse takes a C string (inih reads lines of it), so the input is
 * cut at its first NUL.  An error must be -EINVAL and name the file; a
 * success leaves every string field terminated and the roles a known mask.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz_util.h"

#define H "fuzz_conf"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	char err[512] = "";
	struct conf c;
	int r;

	conf_defaults(&c);
	r = conf_parse(text, "kagent.conf", &c, err, sizeof err);
	if (r < 0) {
		fuzz_require(r == -EINVAL, H, "error other than EINVAL");
		fuzz_require(strncmp(err, "kagent.conf", 11) == 0, H,
			     "error does not name the file");
	} else {
		fuzz_require(r == 0, H, "positive return");
		fuzz_require(
		    (c.roles & ~(CORE_ROLE_ZOOKEEPER | CORE_ROLE_KAFKA)) == 0,
		    H, "unknown role bit");
		fuzz_require(
		    fuzz_terminated(c.cluster, sizeof c.cluster) &&
			fuzz_terminated(c.rack, sizeof c.rack) &&
			fuzz_terminated(c.zone, sizeof c.zone) &&
			fuzz_terminated(c.kafka_config,
					sizeof c.kafka_config) &&
			fuzz_terminated(c.kafka_home, sizeof c.kafka_home) &&
			fuzz_terminated(c.kafka_jaas, sizeof c.kafka_jaas) &&
			fuzz_terminated(c.zk_config, sizeof c.zk_config),
		    H, "string field not terminated");
	}
	free(text);
	return 0;
}
