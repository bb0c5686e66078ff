/* The Report's long lists, and the two doors every value goes through.
 *
 * The C structs of the probes and the nanopb structs differ in bounds and
 * in how unknown is spelled (struct hw_num vs has_ flags), so every value
 * goes through one of two doors: proto_str_set for strings and
 * proto_num_set for numbers.  Anything that does not fit is counted, never
 * silently dropped: the count travels as Report.clipped. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pb_decode.h>
#include <pb_encode.h>

#include "proto.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void list_init(struct proto_list *l, size_t max, size_t size,
		      const pb_msgdesc_t *fields)
{
	memset(l, 0, sizeof *l);
	l->max = max;
	l->size = size;
	l->fields = fields;
}

void proto_lists_init(struct proto_lists *l)
{
	list_init(&l->nics, PROTO_NICS_MAX, sizeof(kagent_v1_Nic),
		  kagent_v1_Nic_fields);
	list_init(&l->disks, PROTO_DISKS_MAX, sizeof(kagent_v1_Disk),
		  kagent_v1_Disk_fields);
	list_init(&l->sensors, PROTO_SENSORS_MAX, sizeof(kagent_v1_Sensor),
		  kagent_v1_Sensor_fields);
	list_init(&l->checks, PROTO_CHECKS_MAX, sizeof(kagent_v1_CheckResult),
		  kagent_v1_CheckResult_fields);
	list_init(&l->kbrokers, PROTO_KBROKERS_MAX,
		  sizeof(kagent_v1_KafkaBroker), kagent_v1_KafkaBroker_fields);
	list_init(&l->ktopics, PROTO_KTOPICS_MAX, sizeof(kagent_v1_KafkaTopic),
		  kagent_v1_KafkaTopic_fields);
	list_init(&l->kparts, PROTO_KPARTS_MAX,
		  sizeof(kagent_v1_KafkaPartition),
		  kagent_v1_KafkaPartition_fields);
}

void proto_lists_clear(struct proto_lists *l)
{
	l->nics.n = l->disks.n = l->sensors.n = l->checks.n = 0;
	l->kbrokers.n = l->ktopics.n = l->kparts.n = 0;
}

void proto_lists_free(struct proto_lists *l)
{
	free(l->nics.v);
	free(l->disks.v);
	free(l->sensors.v);
	free(l->checks.v);
	free(l->kbrokers.v);
	free(l->ktopics.v);
	free(l->kparts.v);
	proto_lists_init(l);
}

int proto_list_add(struct proto_list *l, void **item)
{
	size_t cap;
	void *nv;

	if (l->n >= l->max)
		return -ENOSPC;
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 8;
		if (cap > l->max)
			cap = l->max;
		nv = reallocarray(l->v, cap, l->size);
		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	*item = (char *)l->v + l->n * l->size;
	memset(*item, 0, l->size);
	l->n++;
	return 0;
}

static bool list_encode(pb_ostream_t *s, const pb_field_t *field,
			void *const *arg)
{
	const struct proto_list *l = *arg;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!pb_encode_tag_for_field(s, field) ||
		    !pb_encode_submessage(s, l->fields,
					  (const char *)l->v + i * l->size))
			return false;
	return true;
}

/* Called once per item on the wire. */
static bool list_decode(pb_istream_t *s, const pb_field_t *field, void **arg)
{
	struct proto_list *l = *arg;
	void *item;

	(void)field;
	if (proto_list_add(l, &item) < 0)
		PB_RETURN_ERROR(s, "list above its bound");
	/* proto_list_add zeroed the item, and in proto3 zero is every
	 * field's default: nanopb's own pass setting them again was a tenth
	 * of the decode. */
	if (!pb_decode_ex(s, l->fields, item, PB_DECODE_NOINIT)) {
		l->n--;
		return false;
	}
	return true;
}

void proto_report_bind(kagent_v1_Report *r, const struct proto_lists *l)
{
	r->has_inventory = true;
	r->inventory.nics.funcs.encode = list_encode;
	r->inventory.nics.arg = (void *)&l->nics;
	r->inventory.disks.funcs.encode = list_encode;
	r->inventory.disks.arg = (void *)&l->disks;
	r->sensors.funcs.encode = list_encode;
	r->sensors.arg = (void *)&l->sensors;
	r->checks.funcs.encode = list_encode;
	r->checks.arg = (void *)&l->checks;
	r->kafka_live.brokers.funcs.encode = list_encode;
	r->kafka_live.brokers.arg = (void *)&l->kbrokers;
	r->kafka_live.topics.funcs.encode = list_encode;
	r->kafka_live.topics.arg = (void *)&l->ktopics;
	r->kafka_live.partitions.funcs.encode = list_encode;
	r->kafka_live.partitions.arg = (void *)&l->kparts;
}

void proto_report_bind_decode(kagent_v1_Report *r, struct proto_lists *l)
{
	r->inventory.nics.funcs.decode = list_decode;
	r->inventory.nics.arg = &l->nics;
	r->inventory.disks.funcs.decode = list_decode;
	r->inventory.disks.arg = &l->disks;
	r->sensors.funcs.decode = list_decode;
	r->sensors.arg = &l->sensors;
	r->checks.funcs.decode = list_decode;
	r->checks.arg = &l->checks;
	r->kafka_live.brokers.funcs.decode = list_decode;
	r->kafka_live.brokers.arg = &l->kbrokers;
	r->kafka_live.topics.funcs.decode = list_decode;
	r->kafka_live.topics.arg = &l->ktopics;
	r->kafka_live.partitions.funcs.decode = list_decode;
	r->kafka_live.partitions.arg = &l->kparts;
}

void proto_report_unbind(kagent_v1_Report *r)
{
	memset(&r->inventory.nics, 0, sizeof r->inventory.nics);
	memset(&r->inventory.disks, 0, sizeof r->inventory.disks);
	memset(&r->sensors, 0, sizeof r->sensors);
	memset(&r->checks, 0, sizeof r->checks);
	memset(&r->kafka_live.brokers, 0, sizeof r->kafka_live.brokers);
	memset(&r->kafka_live.topics, 0, sizeof r->kafka_live.topics);
	memset(&r->kafka_live.partitions, 0, sizeof r->kafka_live.partitions);
}

unsigned proto_str_set(char *dst, size_t cap, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, k;

	if (cap == 0)
		return src[0] != '\0';
	while (*s) {
		k = proto_utf8_char_len(s);
		if (o + (k ? k : 1) > cap - 1) {
			dst[o] = '\0';
			return 1;
		}
		if (k == 0) {
			dst[o++] = '?';
			s++;
		} else {
			memcpy(dst + o, s, k);
			o += k;
			s += k;
		}
	}
	dst[o] = '\0';
	return 0;
}

void proto_num_set(struct hw_num n, bool *has, int64_t *v)
{
	*has = n.known;
	*v = n.known ? n.v : 0;
}
