/* The collector's accounting for its flood limits: amounts by key that
 * vanish at zero, and the partial-frame caps in all and per identity. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "coll_limits.h"

#define MiB (UINT64_C(1) << 20)

static void test_tally_key_vanishes_at_zero(void **state)
{
	struct coll_tally t;
	const uint8_t a[16] = {[10] = 0xff, [11] = 0xff, 127, 0, 0, 2};
	uint64_t now = 99;

	(void)state;
	assert_int_equal(coll_tally_init(&t, 4), 0);
	assert_int_equal(coll_tally_add(&t, a, 16, 1, &now), 0);
	assert_int_equal(coll_tally_add(&t, a, 16, 1, &now), 0);
	assert_int_equal(now, 2);
	assert_int_equal(coll_tally_add(&t, "zk3-a", 5, 7, NULL), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(coll_tally_get(&t, a, 16), 2);
	assert_int_equal(coll_tally_add(&t, a, 16, -2, &now), 0);
	assert_int_equal(now, 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(coll_tally_get(&t, a, 16), 0);
	/* Below zero is a bookkeeping error, refused, nothing changed. */
	assert_int_equal(coll_tally_add(&t, "zk3-a", 5, -8, NULL), -EINVAL);
	assert_int_equal(coll_tally_get(&t, "zk3-a", 5), 7);
	coll_tally_free(&t);
}

/* 4 MiB for one identity, 6 MiB in all: a fifth MiB of zk3-a is over its
 * own cap, zk3-b's third over the total; releasing gives room back. */
static void test_held_caps_per_identity_then_total(void **state)
{
	struct coll_held h;
	uint64_t a[5] = {0}, b[3] = {0};
	int i;

	(void)state;
	assert_int_equal(coll_held_init(&h, 6 * MiB, 4 * MiB), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(coll_held_set(&h, "zk3-a", &a[i], MiB), 0);
	assert_int_equal(coll_held_set(&h, "zk3-a", &a[4], MiB), -EDQUOT);
	assert_int_equal(coll_held_set(&h, "zk3-a", &a[4], 0), 0);
	assert_int_equal(h.total, 4 * MiB);
	assert_int_equal(coll_held_set(&h, "zk3-b", &b[0], MiB), 0);
	assert_int_equal(coll_held_set(&h, "zk3-b", &b[1], MiB), 0);
	assert_int_equal(coll_held_set(&h, "zk3-b", &b[2], MiB), -ENOSPC);
	assert_int_equal(coll_held_set(&h, "zk3-b", &b[2], 0), 0);
	assert_int_equal(h.total, 6 * MiB);
	/* A frame that completes frees its bytes for the next. */
	assert_int_equal(coll_held_set(&h, "zk3-a", &a[0], 0), 0);
	assert_int_equal(coll_held_set(&h, "zk3-b", &b[2], MiB), 0);
	assert_int_equal(h.total, 6 * MiB);
	assert_int_equal(coll_tally_get(&h.by_id, "zk3-a", 5), 3 * MiB);
	assert_int_equal(coll_tally_get(&h.by_id, "zk3-b", 5), 3 * MiB);
	coll_held_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tally_key_vanishes_at_zero),
	    cmocka_unit_test(test_held_caps_per_identity_then_total),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
