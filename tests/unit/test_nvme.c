/* The NVMe SMART / Health Information log (Log Identifier 02h), built byte
 * by byte at the NVMe Base Specification's offsets, and the verdicts
 * ROLES.md disk.health gives it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "health.h"
#include "nvme.h"


static void put_le(uint8_t *log, size_t off, uint64_t v, size_t width)
{
	size_t i;

	for (i = 0; i < width; i++)
		log[off + i] = (uint8_t)(v >> (8 * i));
}

static void put_le128(uint8_t *log, size_t off, uint64_t lo, uint64_t hi)
{
	put_le(log, off, lo, 8);
	put_le(log, off + 8, hi, 8);
}

/* A healthy drive's page: every field a different value, and the fields
 * between the ones we read (host commands, busy time, thermal times) set
 * too, so a parser reading one slot off would see the wrong number. */
static void healthy_log(uint8_t *log)
{
	memset(log, 0, HW_NVME_LOG_LEN);
	log[0] = 0x00;			  /* critical warning */
	put_le(log, 1, 310, 2);		  /* 310 K = 37 C */
	log[3] = 97;			  /* available spare */
	log[4] = 10;			  /* threshold */
	log[5] = 4;			  /* percentage used */
	log[6] = 0xee;			  /* endurance group summary */
	put_le128(log, 32, 9511859, 0);	  /* data units read */
	put_le128(log, 48, 7773431, 0);	  /* data units written */
	put_le128(log, 64, 111303174, 0); /* host read commands */
	put_le128(log, 80, 83170961, 0);  /* host write commands */
	put_le128(log, 96, 3060, 0);	  /* controller busy time */
	put_le128(log, 112, 266, 0);	  /* power cycles */
	put_le128(log, 128, 2401, 0);	  /* power on hours */
	put_le128(log, 144, 43, 0);	  /* unsafe shutdowns */
	put_le128(log, 160, 0, 0);	  /* media errors */
	put_le128(log, 176, 7, 0);	  /* error log entries */
	put_le(log, 192, 11, 4);	  /* warning temperature time */
	put_le(log, 196, 12, 4);	  /* critical temperature time */
	put_le(log, 200, 305, 2);	  /* temperature sensor 1 */
}

static void assert_num(struct hw_num n, int64_t v)
{
	assert_true(n.known);
	assert_int_equal(n.v, v);
}

static void test_health_log_fields_at_spec_offsets(void **state)
{
	uint8_t log[HW_NVME_LOG_LEN];
	struct hw_nvme_health h;

	(void)state;
	healthy_log(log);
	assert_int_equal(hw_nvme_parse_health_log(log, sizeof log, &h), 0);
	assert_int_equal(h.critical_warning, 0);
	assert_num(h.temperature_c, 37);
	assert_num(h.available_spare, 97);
	assert_num(h.spare_threshold, 10);
	assert_num(h.percentage_used, 4);
	assert_num(h.data_units_read, 9511859);
	assert_num(h.data_units_written, 7773431);
	assert_num(h.power_cycles, 266);
	assert_num(h.power_on_hours, 2401);
	assert_num(h.unsafe_shutdowns, 43);
	assert_num(h.media_errors, 0);
	assert_num(h.error_log_entries, 7);
}

static void test_counters_are_little_endian_across_bytes(void **state)
{
	uint8_t log[HW_NVME_LOG_LEN];
	struct hw_nvme_health h;

	(void)state;
	healthy_log(log);
	put_le128(log, 160, 0x0102030405060708ull, 0);
	put_le(log, 1, 0x0101, 2); /* 257 K */
	assert_int_equal(hw_nvme_parse_health_log(log, sizeof log, &h), 0);
	assert_num(h.media_errors, 0x0102030405060708ll);
	assert_num(h.temperature_c, -16);
}

static void test_counter_with_high_half_set_is_unknown(void **state)
{
	uint8_t log[HW_NVME_LOG_LEN];
	struct hw_nvme_health h;

	(void)state;
	healthy_log(log);
	put_le128(log, 48, 5, 1); /* 2^64 + 5 */
	assert_int_equal(hw_nvme_parse_health_log(log, sizeof log, &h), 0);
	assert_false(h.data_units_written.known);
	assert_num(h.data_units_read, 9511859);
	assert_num(h.power_cycles, 266);
}

static void test_counter_past_int64_is_unknown(void **state)
{
	uint8_t log[HW_NVME_LOG_LEN];
	struct hw_nvme_health h;

	(void)state;
	healthy_log(log);
	put_le128(log, 128, 0x8000000000000000ull, 0);
	put_le128(log, 144, 0x7fffffffffffffffull, 0);
	assert_int_equal(hw_nvme_parse_health_log(log, sizeof log, &h), 0);
	assert_false(h.power_on_hours.known);
	assert_num(h.unsafe_shutdowns, INT64_MAX);
}

static void test_zero_kelvin_is_unknown_temperature(void **state)
{
	uint8_t log[HW_NVME_LOG_LEN];
	struct hw_nvme_health h;

	(void)state;
	healthy_log(log);
	put_le(log, 1, 0, 2);
	assert_int_equal(hw_nvme_parse_health_log(log, sizeof log, &h), 0);
	assert_false(h.temperature_c.known);
}

static void test_short_log_is_einval(void **state)
{
	uint8_t log[HW_NVME_LOG_LEN];
	struct hw_nvme_health h;

	(void)state;
	healthy_log(log);
	assert_int_equal(hw_nvme_parse_health_log(log, 511, &h), -EINVAL);
	assert_int_equal(hw_nvme_parse_health_log(log, 0, &h), -EINVAL);
	assert_int_equal(hw_nvme_parse_health_log(NULL, 512, &h), -EINVAL);
}

static void test_warning_bit_names(void **state)
{
	(void)state;
	assert_string_equal(hw_nvme_critical_warning_name(0),
			    "spare below threshold");
	assert_string_equal(hw_nvme_critical_warning_name(1),
			    "temperature threshold");
	assert_string_equal(hw_nvme_critical_warning_name(2),
			    "reliability degraded");
	assert_string_equal(hw_nvme_critical_warning_name(3), "read-only");
	assert_string_equal(hw_nvme_critical_warning_name(4),
			    "volatile memory backup failed");
	assert_string_equal(hw_nvme_critical_warning_name(5),
			    "persistent memory region read-only");
	assert_string_equal(hw_nvme_critical_warning_name(6), "reserved");
	assert_string_equal(hw_nvme_critical_warning_name(99), "reserved");
}

static void verdict_of(uint8_t *log, struct disk_health *d)
{
	struct hw_nvme_health h;

	assert_int_equal(hw_nvme_parse_health_log(log, HW_NVME_LOG_LEN, &h), 0);
	health_from_nvme(&h, d);
	assert_string_equal(d->source, "nvme");
}

static void test_healthy_log_passes(void **state)
{
	uint8_t log[HW_NVME_LOG_LEN];
	struct disk_health d;

	(void)state;
	healthy_log(log);
	verdict_of(log, &d);
	assert_int_equal(d.verdict, SEV_PASS);
	assert_string_equal(d.reason, "critical_warning=0x00");
}

static void test_each_critical_warning_bit_fails(void **state)
{
	static const char *const want[] = {
	    "critical_warning=0x01 (spare below threshold)",
	    "critical_warning=0x02 (temperature threshold)",
	    "critical_warning=0x04 (reliability degraded)",
	    "critical_warning=0x08 (read-only)",
	    "critical_warning=0x10 (volatile memory backup failed)",
	    "critical_warning=0x20 (persistent memory region read-only)",
	};
	uint8_t log[HW_NVME_LOG_LEN];
	struct disk_health d;
	unsigned bit;

	(void)state;
	for (bit = 0; bit < 6; bit++) {
		healthy_log(log);
		log[0] = (uint8_t)(1u << bit);
		verdict_of(log, &d);
		assert_int_equal(d.verdict, SEV_FAIL);
		assert_string_equal(d.reason, want[bit]);
	}
}

static void test_several_warning_bits_are_all_named(void **state)
{
	uint8_t log[HW_NVME_LOG_LEN];
	struct disk_health d;

	(void)state;
	healthy_log(log);
	log[0] = 0x0c;
	put_le128(log, 160, 12, 0); /* a warn finding too */
	verdict_of(log, &d);
	assert_int_equal(d.verdict, SEV_FAIL);
	assert_string_equal(
	    d.reason,
	    "critical_warning=0x0c (reliability degraded, read-only)");
}

static void test_spare_below_threshold_fails_without_warning_bit(void **state)
{
	uint8_t log[HW_NVME_LOG_LEN];
	struct disk_health d;

	(void)state;
	healthy_log(log);
	log[3] = 9;
	verdict_of(log, &d);
	assert_int_equal(d.verdict, SEV_FAIL);
	assert_string_equal(d.reason, "available_spare=9 below threshold 10");

	log[3] = 10; /* at the threshold: not below */
	verdict_of(log, &d);
	assert_int_equal(d.verdict, SEV_PASS);
}

static void test_media_errors_warn(void **state)
{
	uint8_t log[HW_NVME_LOG_LEN];
	struct disk_health d;

	(void)state;
	healthy_log(log);
	put_le128(log, 160, 1, 0);
	verdict_of(log, &d);
	assert_int_equal(d.verdict, SEV_WARN);
	assert_string_equal(d.reason, "media_errors=1");
}

static void test_percentage_used_warns_from_90(void **state)
{
	uint8_t log[HW_NVME_LOG_LEN];
	struct disk_health d;

	(void)state;
	healthy_log(log);
	log[5] = 89;
	verdict_of(log, &d);
	assert_int_equal(d.verdict, SEV_PASS);
	log[5] = 90;
	verdict_of(log, &d);
	assert_int_equal(d.verdict, SEV_WARN);
	assert_string_equal(d.reason, "percentage_used=90");
	log[5] = 255;
	put_le128(log, 160, 3, 0);
	verdict_of(log, &d);
	assert_int_equal(d.verdict, SEV_WARN);
	assert_string_equal(d.reason, "media_errors=3; percentage_used=255");
}

static void test_missing_log_is_unknown(void **state)
{
	struct disk_health d;

	(void)state;
	health_from_nvme(NULL, &d);
	assert_int_equal(d.verdict, SEV_UNKNOWN);
	assert_string_equal(d.reason, "no NVMe health log");
}

static void test_read_of_missing_node_is_enoent(void **state)
{
	struct hw_nvme_health h;
	struct hw_err err = {""};

	(void)state;
	assert_int_equal(
	    hw_nvme_health_read("/dev/kagent-no-such-nvme", &h, &err), -ENOENT);
	assert_string_equal(
	    err.msg, "/dev/kagent-no-such-nvme: No such file or directory");
}

/* /dev/null exists everywhere and is no NVMe controller: the Identify
 * ioctl reaches a driver that does not know it. */
static void test_read_of_non_nvme_node_is_enotty(void **state)
{
	struct hw_nvme_health h;
	struct hw_err err = {""};

	(void)state;
	assert_int_equal(hw_nvme_health_read("/dev/null", &h, &err), -ENOTTY);
	assert_string_equal(err.msg, "/dev/null: Identify Controller: "
				     "Inappropriate ioctl for device");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_health_log_fields_at_spec_offsets),
	    cmocka_unit_test(test_counters_are_little_endian_across_bytes),
	    cmocka_unit_test(test_counter_with_high_half_set_is_unknown),
	    cmocka_unit_test(test_counter_past_int64_is_unknown),
	    cmocka_unit_test(test_zero_kelvin_is_unknown_temperature),
	    cmocka_unit_test(test_short_log_is_einval),
	    cmocka_unit_test(test_warning_bit_names),
	    cmocka_unit_test(test_healthy_log_passes),
	    cmocka_unit_test(test_each_critical_warning_bit_fails),
	    cmocka_unit_test(test_several_warning_bits_are_all_named),
	    cmocka_unit_test(
		test_spare_below_threshold_fails_without_warning_bit),
	    cmocka_unit_test(test_media_errors_warn),
	    cmocka_unit_test(test_percentage_used_warns_from_90),
	    cmocka_unit_test(test_missing_log_is_unknown),
	    cmocka_unit_test(test_read_of_missing_node_is_enoent),
	    cmocka_unit_test(test_read_of_non_nvme_node_is_enotty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
