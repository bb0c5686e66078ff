/* The strings and seq a receiver checks in a decoded Report: the error
 * names the field, the walk reaches every string nanopb's descriptors
 * know of, and the repair leaves only well-formed UTF-8. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pb_common.h>

#include "proto.h"

struct fix {
	kagent_v1_Report *r;
	struct proto_lists l;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);
	void *item;
	int i;

	f->r = calloc(1, sizeof *f->r);
	proto_lists_init(&f->l);
	for (i = 0; i < 2; i++) {
		assert_int_equal(proto_list_add(&f->l.nics, &item), 0);
		assert_int_equal(proto_list_add(&f->l.disks, &item), 0);
		assert_int_equal(proto_list_add(&f->l.sensors, &item), 0);
		assert_int_equal(proto_list_add(&f->l.checks, &item), 0);
		assert_int_equal(proto_list_add(&f->l.kbrokers, &item), 0);
		assert_int_equal(proto_list_add(&f->l.ktopics, &item), 0);
	}
	strcpy(f->r->host_id, "broker-1");
	strcpy(f->r->rack, "r1");
	f->r->seq = 1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	proto_lists_free(&f->l);
	free(f->r);
	free(f);
	return 0;
}

static kagent_v1_CheckResult *check(struct fix *f, size_t i)
{
	return (kagent_v1_CheckResult *)f->l.checks.v + i;
}

static void check_fails(struct fix *f, int rc, const char *msg)
{
	struct hw_err err = {{0}};

	assert_int_equal(proto_report_check(f->r, &f->l, &err), rc);
	assert_string_equal(err.msg, msg);
}

static void test_report_rack_not_utf8_is_named_with_its_offset(void **state)
{
	struct fix *f = *state;
	struct hw_err err = {{0}};

	assert_int_equal(proto_report_check(f->r, &f->l, &err), 0);
	strcpy(f->r->rack, "r1\xff");
	check_fails(f, -EILSEQ, "report.rack: invalid UTF-8 at byte 2");
}

static void test_nested_and_repeated_fields_are_named(void **state)
{
	struct fix *f = *state;
	kagent_v1_Disk *d = (kagent_v1_Disk *)f->l.disks.v + 1;
	kagent_v1_Nic *n = (kagent_v1_Nic *)f->l.nics.v;

	strcpy(check(f, 1)->instance, "sd\xc3(");
	check_fails(f, -EILSEQ,
		    "report.checks[1].instance: invalid UTF-8 at byte 2");
	check(f, 1)->instance[0] = '\0';

	d->mounts_count = 2;
	strcpy(d->mounts[1].path, "/var/\xe0\x80\x80");
	check_fails(f, -EILSEQ,
		    "report.inventory.disks[1].mounts[1].path: invalid UTF-8 "
		    "at byte 5");
	d->mounts[1].path[0] = '\0';
	strcpy(d->health.firmware, "\xed\xa0\x80");
	check_fails(f, -EILSEQ,
		    "report.inventory.disks[1].health.firmware: invalid UTF-8 "
		    "at byte 0");
	d->health.firmware[0] = '\0';

	n->addresses_count = 3;
	strcpy(n->addresses[2], "10.0.0.1/\xf4\x90\x80\x80");
	check_fails(f, -EILSEQ,
		    "report.inventory.nics[0].addresses[2]: invalid UTF-8 at "
		    "byte 9");
	n->addresses[2][0] = '\0';

	f->r->kafka.log_dirs_count = 1;
	strcpy(f->r->kafka.log_dirs[0].path, "\xc0\xaf");
	check_fails(f, -EILSEQ,
		    "report.kafka.log_dirs[0].path: invalid UTF-8 at byte 0");
	f->r->kafka.log_dirs[0].path[0] = '\0';
	f->r->zookeeper.ensemble_count = 2;
	strcpy(f->r->zookeeper.ensemble[1].host, "zk\x80");
	check_fails(f, -EILSEQ,
		    "report.zookeeper.ensemble[1].host: invalid UTF-8 at byte "
		    "2");
}

static void test_well_formed_utf8_and_controls_pass(void **state)
{
	struct fix *f = *state;
	struct hw_err err = {{0}};

	/* Two, three and four bytes, and a control character: proto3 wants
	 * UTF-8, not printable text (the views escape what they must). */
	strcpy(f->r->rack, "Z\xc3\xbcrich \xe2\x9c\x93 \xf0\x9d\x84\x9e");
	strcpy(check(f, 0)->message, "a\tb\r\n");
	assert_int_equal(proto_report_check(f->r, &f->l, &err), 0);
}

static void test_seq_above_int64_max_is_refused(void **state)
{
	struct fix *f = *state;
	struct hw_err err = {{0}};

	f->r->seq = INT64_MAX;
	assert_int_equal(proto_report_check(f->r, &f->l, &err), 0);
	f->r->seq = (uint64_t)INT64_MAX + 1;
	check_fails(f, -ERANGE,
		    "report.seq: 9223372036854775808 is above "
		    "9223372036854775807");
	f->r->seq = UINT64_MAX;
	check_fails(f, -ERANGE,
		    "report.seq: 18446744073709551615 is above "
		    "9223372036854775807");
}

static void test_hello_agent_version_is_checked(void **state)
{
	kagent_v1_Hello h = {0};
	struct hw_err err = {{0}};

	(void)state;
	strcpy(h.host_id, "broker-1");
	strcpy(h.agent_version, "0.1\xff");
	assert_int_equal(proto_hello_check(&h, &err), -EILSEQ);
	assert_string_equal(err.msg,
			    "hello.agent_version: invalid UTF-8 at byte 3");
}

/* ---- every string, by nanopb's own descriptors ---- */

/* Writes "\xff" into every string of msg that desc describes, with every
 * repeated field at its bound and every optional submessage present;
 * callback fields (the four lists) are left to the caller.  Returns the
 * number of strings written. */
static unsigned poison(const pb_msgdesc_t *desc, void *msg)
{
	pb_field_iter_t it;
	unsigned n = 0;
	pb_size_t i, count;

	if (!pb_field_iter_begin(&it, desc, msg))
		return 0;
	do {
		if (PB_ATYPE(it.type) != PB_ATYPE_STATIC)
			continue;
		count = 1;
		if (PB_HTYPE(it.type) == PB_HTYPE_REPEATED) {
			*(pb_size_t *)it.pSize = it.array_size;
			count = it.array_size;
		} else if (PB_HTYPE(it.type) == PB_HTYPE_OPTIONAL &&
			   it.pSize != NULL) {
			*(bool *)it.pSize = true;
		}
		for (i = 0; i < count; i++) {
			char *p = (char *)it.pData + (size_t)i * it.data_size;

			if (PB_LTYPE(it.type) == PB_LTYPE_STRING) {
				strcpy(p, "\xff");
				n++;
			} else if (PB_LTYPE_IS_SUBMSG(it.type)) {
				n += poison(it.submsg_desc, p);
			}
		}
	} while (pb_field_iter_next(&it));
	return n;
}

static unsigned poison_list(struct proto_list *l)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < l->n; i++)
		n += poison(l->fields, (char *)l->v + i * l->size);
	return n;
}

static int count_bad(struct proto_str_walk *w, const char *leaf, int idx,
		     char *s, size_t cap)
{
	size_t bad;

	(void)leaf;
	(void)idx;
	(void)cap;
	if (proto_utf8_check(s, &bad) < 0)
		(*(unsigned *)w->arg)++;
	return 0;
}

static void test_walk_reaches_every_string_of_a_full_report(void **state)
{
	struct fix *f = *state;
	struct proto_str_walk w = {.fn = count_bad};
	unsigned n, seen = 0;

	n = poison(kagent_v1_Report_fields, f->r);
	n += poison_list(&f->l.nics) + poison_list(&f->l.disks) +
	     poison_list(&f->l.sensors) + poison_list(&f->l.checks) +
	     poison_list(&f->l.kbrokers) + poison_list(&f->l.ktopics);
	/* 10 of Report, 1 + 1 of Inventory and Cpu, 2 nics of 5 + 16 + 16 + 6,
	 * 2 disks of 7 + 16 + 8 * 3 + 3 + 1 (flush_why) + 16 RAID members
	 * of 4 + 3 (their Health), 11 + 11 of Board,
	 * 2 sensors of 2, 2 checks of 5, Kafka 4 + 4 + 32 + 2 (its traffic
	 * NIC and why), ZooKeeper 2 + 16, KafkaLive 4 (error, cluster id,
	 * configs error, traffic NIC) and its 2 brokers and 2 topics of 2. */
	assert_int_equal(n, 10 + 2 + 2 * 43 + 2 * (51 + 16 * 7) + 22 + 4 + 10 +
				42 + 18 + 4 + 2 * 2 + 2 * 2);
	w.arg = &seen;
	assert_int_equal(proto_report_strings(f->r, &f->l, &w), 0);
	assert_int_equal(seen, n);
	assert_int_equal(proto_report_repair(f->r, &f->l), n);
	seen = 0;
	assert_int_equal(proto_report_strings(f->r, &f->l, &w), 0);
	assert_int_equal(seen, 0);
	assert_string_equal(f->r->rack, "?");
	assert_string_equal(check(f, 1)->instance, "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_report_rack_not_utf8_is_named_with_its_offset, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_nested_and_repeated_fields_are_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_well_formed_utf8_and_controls_pass, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_seq_above_int64_max_is_refused,
					    setup, teardown),
	    cmocka_unit_test(test_hello_agent_version_is_checked),
	    cmocka_unit_test_setup_teardown(
		test_walk_reaches_every_string_of_a_full_report, setup,
		teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
