/* Best link mode both ends support, from bitmaps laid out as the kernel's
 * ethtool_link_mode_bit_indices (include/uapi/linux/ethtool.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

#include "nic.h"

#define BIT(map, b) ((map)[(b) / 32] |= UINT32_C(1) << ((b) % 32))

enum {
	MODE_1000baseT_Full = 5,
	MODE_Autoneg = 6,
	MODE_TP = 7,
	MODE_10000baseT_Full = 12,
	MODE_Pause = 13,
	MODE_100000baseCR4_Full = 38,
	MODE_2500baseT_Full = 47,
	MODE_25000baseSR_Full = 33,
};

/* A 10GBASE-T card on a switch port that only offers 1G: the link can do
 * no better than 1000, whatever the card supports. */
static void test_linkmodes_max_is_best_common_mode(void **state)
{
	uint32_t sup[3] = {0}, lp[3] = {0};
	int64_t mbps = -1;

	(void)state;
	BIT(sup, MODE_1000baseT_Full);
	BIT(sup, MODE_10000baseT_Full);
	BIT(sup, MODE_Autoneg);
	BIT(sup, MODE_TP);
	BIT(lp, MODE_1000baseT_Full);
	BIT(lp, MODE_Autoneg);
	BIT(lp, MODE_Pause);
	assert_int_equal(hw_nic_linkmodes_max_speed(sup, lp, 3, &mbps), 0);
	assert_int_equal(mbps, 1000);
	BIT(lp, MODE_10000baseT_Full);
	assert_int_equal(hw_nic_linkmodes_max_speed(sup, lp, 3, &mbps), 0);
	assert_int_equal(mbps, 10000);
}

/* Modes past the first word (bit 38, 100G) count. */
static void test_linkmodes_reads_every_word(void **state)
{
	uint32_t sup[3] = {0}, lp[3] = {0};
	int64_t mbps = -1;

	(void)state;
	BIT(sup, MODE_1000baseT_Full);
	BIT(sup, MODE_25000baseSR_Full);
	BIT(sup, MODE_100000baseCR4_Full);
	BIT(sup, MODE_2500baseT_Full);
	BIT(lp, MODE_1000baseT_Full);
	BIT(lp, MODE_25000baseSR_Full);
	BIT(lp, MODE_100000baseCR4_Full);
	assert_int_equal(hw_nic_linkmodes_max_speed(sup, lp, 3, &mbps), 0);
	assert_int_equal(mbps, 100000);
	/* With one word bits 33 and 38 are not there: 1000baseT_Full is. */
	assert_int_equal(hw_nic_linkmodes_max_speed(sup, lp, 1, &mbps), 0);
	assert_int_equal(mbps, 1000);
}

/* veth and virtio: the partner advertises nothing, so no common mode. */
static void test_linkmodes_unknown_without_partner(void **state)
{
	uint32_t sup[3] = {0}, lp[3] = {0};
	int64_t mbps = -1;

	(void)state;
	BIT(sup, MODE_10000baseT_Full);
	assert_int_equal(hw_nic_linkmodes_max_speed(sup, lp, 3, &mbps),
			 -ENOENT);
	assert_int_equal(mbps, -1);
	/* Autoneg, TP and Pause shared carry no speed. */
	BIT(sup, MODE_Autoneg);
	BIT(lp, MODE_Autoneg);
	BIT(sup, MODE_TP);
	BIT(lp, MODE_TP);
	assert_int_equal(hw_nic_linkmodes_max_speed(sup, lp, 3, &mbps),
			 -ENOENT);
	assert_int_equal(mbps, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_linkmodes_max_is_best_common_mode),
	    cmocka_unit_test(test_linkmodes_reads_every_word),
	    cmocka_unit_test(test_linkmodes_unknown_without_partner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
