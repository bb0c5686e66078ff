/* The split of the privileged reads (hw_raw.h): what the ioctls give is
 * parsed by the same code wherever it was read.  The raw ATA reading is
 * a blob of the corpus, as libatasmart's sk_disk_get_blob assembles it on
 * a live disk; the parsed values must equal skdump's (test_smart_ata
 * checks hw_ata_smart_load against skdump for every blob). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hw_raw.h"

#define BLOB CORPUS "/libatasmart/FUJITSU_MHY2120BH--0085000B"

static void raw_from_blob(struct hw_ata_raw *raw, uint32_t asleep)
{
	char buf[HW_ATA_BLOB_MAX + 1];
	ssize_t n = core_read_file(BLOB, buf, sizeof buf);

	assert_true(n > 0 && n < HW_ATA_BLOB_MAX);
	memset(raw, 0, sizeof *raw);
	memcpy(raw->blob, buf, (size_t)n);
	raw->n = (uint32_t)n;
	raw->asleep = asleep;
}

static void test_parse_raw_equals_blob_load(void **state)
{
	struct hw_ata_smart a, b;
	struct hw_err err = {{0}};
	struct hw_ata_raw raw;

	(void)state;
	raw_from_blob(&raw, 0);
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	assert_int_equal(hw_ata_smart_parse_raw(&raw, "sda", &a, &err), 0);
	assert_int_equal(hw_ata_smart_load(BLOB, &b, &err), 0);
	assert_memory_equal(&a, &b, sizeof a);
	assert_int_equal(a.power_on_hours.v, 2161);
	assert_int_equal(a.temperature_c.v, 34);
	assert_int_equal(a.power_cycles.v, 493);
	assert_string_equal(a.model, "FUJITSU MHY2120BH");
	assert_false(a.asleep);
}

/* Asleep: the IDENTIFY strings, nothing of SMART known. */
static void test_asleep_raw_keeps_identify_only(void **state)
{
	struct hw_err err = {{0}};
	struct hw_ata_smart s;
	struct hw_ata_raw raw;

	(void)state;
	raw_from_blob(&raw, 1);
	assert_int_equal(hw_ata_smart_parse_raw(&raw, "sda", &s, &err), 0);
	assert_true(s.asleep);
	assert_string_equal(s.model, "FUJITSU MHY2120BH");
	assert_false(s.temperature_c.known);
	assert_false(s.power_on_hours.known);
	assert_int_equal(s.n_attrs, 0);
	assert_int_equal(s.overall, HW_ATA_OVERALL_UNKNOWN);
}

static void test_raw_out_of_range_is_refused(void **state)
{
	struct hw_err err = {{0}};
	struct hw_ata_smart s;
	struct hw_ata_raw raw;

	(void)state;
	raw_from_blob(&raw, 2);
	assert_int_equal(hw_ata_smart_parse_raw(&raw, "sda", &s, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "sda: raw SMART reading out of range "
				     "(asleep 2, 1572 bytes)");
	raw.asleep = 0;
	raw.n = HW_ATA_BLOB_MAX;
	assert_int_equal(hw_ata_smart_parse_raw(&raw, "sda", &s, &err),
			 -EINVAL);
	raw.n = 0;
	assert_int_equal(hw_ata_smart_parse_raw(&raw, "sda", &s, &err),
			 -EINVAL);
}

/* Set reads: hw_ata_smart_read and hw_nvme_health_read take their bytes
 * from them and parse; the devnode reaches them unchanged. */
static char seen[64];

static int ata_from_corpus(const char *devnode, struct hw_ata_raw *raw,
			   struct hw_err *err)
{
	(void)err;
	snprintf(seen, sizeof seen, "%s", devnode);
	raw_from_blob(raw, 0);
	return 0;
}

static int nvme_log(const char *ctrl, uint8_t log[HW_NVME_LOG_LEN],
		    struct hw_err *err)
{
	(void)err;
	snprintf(seen, sizeof seen, "%s", ctrl);
	memset(log, 0, HW_NVME_LOG_LEN);
	log[0] = HW_NVME_CW_SPARE;
	log[1] = 0x3c; /* 316 K */
	log[2] = 0x01;
	log[3] = 7;
	log[128] = 0x10; /* power-on hours 0x2710 = 10000 */
	log[129] = 0x27;
	return 0;
}

static int smartctl_refused(const char *devnode, int timeout_ms, char **json,
			    size_t *len, struct hw_err *err)
{
	(void)timeout_ms;
	(void)json;
	(void)len;
	core_err_set(err, "%s: refused", devnode);
	return -EACCES;
}

static const struct hw_raw_ops set_ops = {
    .ata = ata_from_corpus,
    .nvme = nvme_log,
    .smartctl = smartctl_refused,
};

static void test_set_reads_are_parsed_here(void **state)
{
	struct hw_nvme_health h;
	struct hw_err err = {{0}};
	struct hw_ata_smart s;
	char *json = NULL;
	size_t len = 0;

	(void)state;
	hw_raw_set(&set_ops);
	assert_int_equal(hw_ata_smart_read("/dev/sdq", &s, &err), 0);
	assert_string_equal(seen, "/dev/sdq");
	assert_int_equal(s.power_on_hours.v, 2161);
	assert_int_equal(hw_nvme_health_read("/dev/nvme3", &h, &err), 0);
	assert_string_equal(seen, "/dev/nvme3");
	assert_int_equal(h.critical_warning, HW_NVME_CW_SPARE);
	assert_int_equal(h.temperature_c.v, 316 - 273);
	assert_int_equal(h.available_spare.v, 7);
	assert_int_equal(h.power_on_hours.v, 10000);
	assert_int_equal(hw_smartctl_run("/dev/sdr", 1000, &json, &len, &err),
			 -EACCES);
	assert_string_equal(err.msg, "/dev/sdr: refused");
	hw_raw_set(NULL);
	assert_ptr_equal(hw_raw_get()->ata, hw_ata_smart_read_raw);
	assert_ptr_equal(hw_raw_get()->nvme, hw_nvme_health_read_raw);
	assert_ptr_equal(hw_raw_get()->smartctl, hw_smartctl_exec);
}

/* The direct NVMe read of something that is no controller: the ioctl
 * fails, nothing is parsed. */
static void test_direct_nvme_raw_of_a_file_is_enotty(void **state)
{
	uint8_t log[HW_NVME_LOG_LEN];
	struct hw_err err = {{0}};

	(void)state;
	assert_int_equal(hw_nvme_health_read_raw(BLOB, log, &err), -ENOTTY);
	assert_string_equal(err.msg, BLOB ": Identify Controller: "
					  "Inappropriate ioctl for device");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_raw_equals_blob_load),
	    cmocka_unit_test(test_asleep_raw_keeps_identify_only),
	    cmocka_unit_test(test_raw_out_of_range_is_refused),
	    cmocka_unit_test(test_set_reads_are_parsed_here),
	    cmocka_unit_test(test_direct_nvme_raw_of_a_file_is_enotty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
