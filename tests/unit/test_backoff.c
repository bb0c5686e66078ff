/* The uplink's reconnection delay: exponential from 1 s to 60 s with full
 * jitter between half and all of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "daemon.h"

static void test_backoff_lowest_jitter_is_half_of_the_step(void **state)
{
	static const uint64_t want[] = { 500, 1000, 2000, 4000, 8000, 16000,
					 30000, 30000, 30000 };
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_int_equal(uplink_backoff_ms(i, 0), want[i]);
}

static void test_backoff_highest_jitter_is_the_whole_step(void **state)
{
	static const uint64_t step[] = { 1000, 2000, 4000, 8000, 16000, 32000,
					 60000, 60000 };
	unsigned i;

	(void)state;
	/* rnd % (half + 1) == half picks the top of the range. */
	for (i = 0; i < sizeof step / sizeof step[0]; i++)
		assert_int_equal(uplink_backoff_ms(i, (uint32_t)(step[i] / 2)),
				 step[i]);
}

static void test_backoff_never_leaves_its_range(void **state)
{
	uint32_t x = 2463534242u;
	unsigned attempt, k;

	(void)state;
	for (attempt = 0; attempt < 40; attempt++) {
		uint64_t full = attempt >= 6 ? 60000 : 1000u << attempt;

		if (full > 60000)
			full = 60000;
		for (k = 0; k < 1000; k++) {
			uint64_t d;

			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			d = uplink_backoff_ms(attempt, x);
			assert_true(d >= full / 2);
			assert_true(d <= full);
		}
	}
}

static void test_backoff_huge_attempt_stays_at_sixty_seconds(void **state)
{
	(void)state;
	assert_int_equal(uplink_backoff_ms(1000000, 0), 30000);
	assert_int_equal(uplink_backoff_ms(UINT32_MAX, 30000), 60000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_lowest_jitter_is_half_of_the_step),
		cmocka_unit_test(test_backoff_highest_jitter_is_the_whole_step),
		cmocka_unit_test(test_backoff_never_leaves_its_range),
		cmocka_unit_test(test_backoff_huge_attempt_stays_at_sixty_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
