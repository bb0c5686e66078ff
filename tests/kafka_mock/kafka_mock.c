/* SPDX-License-Identifier: Apache-2.0 */
/* librdkafka's mock cluster for the live tests: a real implementation of
 * the Kafka protocol on loopback TCP.
 *
 *   kafka_mock BROKERS TOPIC:PARTITIONS:RF...
 *
 * prints its bootstrap list on the first line of stdout, then obeys lines
 * on stdin until EOF:
 *   leader TOPIC PARTITION BROKER     the partition's leader
 *   follower TOPIC PARTITION BROKER   the broker a consumer fetches from
 *   down BROKER / up BROKER           a broker's listener closed, reopened
 * answering each with "ok" or "error: why" on stdout.  Debian's 2.0.2
 * mock reports ISR equal to the replicas and broker 1 as controller, and
 * does not answer DescribeConfigs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static void drop_log(const rd_kafka_t *rk, int level, const char *fac,
		     const char *buf)
{
	(void)rk;
	(void)level;
	(void)fac;
	(void)buf;
}

static int obey(rd_kafka_mock_cluster_t *mc, const char *line)
{
	char verb[16], topic[256];
	int part, id;

	if (sscanf(line, "leader %255s %d %d", topic, &part, &id) == 3)
		return rd_kafka_mock_partition_set_leader(mc, topic, part, id);
	if (sscanf(line, "follower %255s %d %d", topic, &part, &id) == 3)
		return rd_kafka_mock_partition_set_follower(mc, topic, part,
							    id);
	if (sscanf(line, "%15s %d", verb, &id) == 2) {
		if (!strcmp(verb, "down"))
			return rd_kafka_mock_broker_set_down(mc, id);
		if (!strcmp(verb, "up"))
			return rd_kafka_mock_broker_set_up(mc, id);
	}
	return RD_KAFKA_RESP_ERR__INVALID_ARG;
}

int main(int argc, char **argv)
{
	rd_kafka_mock_cluster_t *mc;
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;
	char err[256], line[512];
	int i, n;

	if (argc < 2 || (n = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: kafka_mock BROKERS TOPIC:PARTS:RF...\n");
		return 2;
	}
	conf = rd_kafka_conf_new();
	rd_kafka_conf_set_log_cb(conf, drop_log);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (rk == NULL) {
		fprintf(stderr, "kafka_mock: %s\n", err);
		return 1;
	}
	mc = rd_kafka_mock_cluster_new(rk, n);
	if (mc == NULL) {
		fprintf(stderr, "kafka_mock: no mock cluster\n");
		return 1;
	}
	for (i = 2; i < argc; i++) {
		char name[256];
		int parts, rf;

		if (sscanf(argv[i], "%255[^:]:%d:%d", name, &parts, &rf) != 3 ||
		    rd_kafka_mock_topic_create(mc, name, parts, rf)) {
			fprintf(stderr, "kafka_mock: bad topic '%s'\n", argv[i]);
			return 2;
		}
	}
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);
	while (fgets(line, sizeof line, stdin)) {
		int r = obey(mc, line);

		if (r)
			printf("error: %s\n", rd_kafka_err2str(r));
		else
			printf("ok\n");
		fflush(stdout);
	}
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return 0;
}
