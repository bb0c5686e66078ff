/* disk.health from libatasmart's facts: the verdict and reason for every
 * real blob of the corpus, then each rule of ROLES.md on a real blob whose
 * one fact under test is set by the test (the corpus has no failing disk,
 * and a blob cannot say that the disk was asleep). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "health.h"
#include "smart_ata.h"

#define BLOBS CORPUS "/libatasmart"

struct expect {
	const char *blob;
	enum check_severity verdict;
	const char *reason;
};

/* What skdump --load shows for each blob, judged by ROLES.md disk.health. */
static const struct expect corpus[] = {
	{ "FUJITSU_MHY2120BH--0084000D", SEV_PASS, "GOOD" },
	/* quirk: 197/198 are no sector counts on this firmware */
	{ "FUJITSU_MHY2120BH--0085000B", SEV_PASS, "GOOD" },
	{ "FUJITSU_MHZ2160BH_G1--0084000A", SEV_PASS, "GOOD" },
	{ "INTEL_SSDSA2MH080G1GC--045C8820", SEV_PASS, "GOOD" },
	/* attribute 5 is a quirk too: raw 0x005024000000 counts nothing */
	{ "MCCOE64GEMPP--2.9.09", SEV_PASS, "GOOD" },
	{ "Maxtor_96147H8--BAC51KJ0", SEV_WARN,
	  "BAD_SECTOR: bad sectors 71; reallocated-sector-count (5) = 69, "
	  "current-pending-sector (197) = 2" },
	{ "SAMSUNG_HD501LJ--CR100-12", SEV_WARN,
	  "BAD_SECTOR: bad sectors 2; reallocated-sector-count (5) = 1, "
	  "current-pending-sector (197) = 1" },
	{ "SAMSUNG_MMCQE28G8MUP--0VA_VAM08L1Q", SEV_PASS, "GOOD" },
	{ "ST320410A--3.39", SEV_WARN,
	  "BAD_SECTOR: bad sectors 5; reallocated-sector-count (5) = 5" },
	{ "ST9100821AS--3.CME", SEV_PASS, "GOOD" },
	{ "ST9160821AS--3.CLH", SEV_WARN,
	  "BAD_SECTOR: bad sectors 1; current-pending-sector (197) = 1, "
	  "offline-uncorrectable (198) = 1" },
	{ "TOSHIBA_MK1651GSY--38IGT0G5T", SEV_WARN,
	  "BAD_SECTOR: bad sectors 1; reallocated-sector-count (5) = 1" },
	{ "WDC_WD2500JS-75NCB3--10.02E04", SEV_PASS, "GOOD" },
};

static void load(const char *blob, struct hw_ata_smart *s)
{
	struct hw_err err = { { 0 } };
	char path[512];

	snprintf(path, sizeof path, "%s/%s", BLOBS, blob);
	if (hw_ata_smart_load(path, s, &err) != 0)
		fail_msg("%s", err.msg);
}

static void expect_health(const struct hw_ata_smart *s,
			  enum check_severity verdict, const char *reason)
{
	struct disk_health h;

	health_from_ata(s, &h);
	assert_string_equal(check_severity_name(h.verdict),
			    check_severity_name(verdict));
	assert_string_equal(h.reason, reason);
	assert_string_equal(h.source, "atasmart");
}

static void test_every_corpus_blob_has_its_verdict(void **state)
{
	struct hw_ata_smart s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
		load(corpus[i].blob, &s);
		printf("# %s: %s, %s\n", corpus[i].blob,
		       check_severity_name(corpus[i].verdict), corpus[i].reason);
		expect_health(&s, corpus[i].verdict, corpus[i].reason);
	}
	assert_int_equal(i, 13);
}

static void test_asleep_disk_is_unknown_not_woken(void **state)
{
	struct hw_ata_smart s;

	(void)state;
	memset(&s, 0, sizeof s);
	s.asleep = true;
	s.overall = HW_ATA_OVERALL_UNKNOWN;
	expect_health(&s, SEV_UNKNOWN, "disk asleep, not woken");
}

static void test_missing_smart_status_is_unknown(void **state)
{
	struct hw_ata_smart s;

	(void)state;
	load("WDC_WD2500JS-75NCB3--10.02E04", &s);
	s.overall = HW_ATA_OVERALL_UNKNOWN;
	expect_health(&s, SEV_UNKNOWN, "no SMART status in the data");
}

static void test_bad_status_fails(void **state)
{
	struct hw_ata_smart s;

	(void)state;
	load("ST9160821AS--3.CLH", &s);
	s.overall = HW_ATA_OVERALL_BAD_STATUS;
	expect_health(&s, SEV_FAIL,
		      "BAD_STATUS: the disk's self-assessment says failing; "
		      "current-pending-sector (197) = 1, "
		      "offline-uncorrectable (198) = 1");
}

static void test_bad_sector_many_fails(void **state)
{
	struct hw_ata_smart s;

	(void)state;
	load("Maxtor_96147H8--BAC51KJ0", &s);
	s.overall = HW_ATA_OVERALL_BAD_SECTOR_MANY;
	expect_health(&s, SEV_FAIL,
		      "BAD_SECTOR_MANY: bad sectors 71; "
		      "reallocated-sector-count (5) = 69, "
		      "current-pending-sector (197) = 2");
}

/* The reason names the pre-failure attribute at its threshold. */
static void test_bad_attribute_now_fails_naming_it(void **state)
{
	struct hw_ata_smart s;
	struct hw_ata_attr *a;

	(void)state;
	load("WDC_WD2500JS-75NCB3--10.02E04", &s);
	a = (struct hw_ata_attr *)hw_ata_smart_attr(&s, 1);
	assert_non_null(a);
	assert_true(a->prefail);
	assert_true(a->good_now.known);
	a->good_now.v = 0;
	s.overall = HW_ATA_OVERALL_BAD_ATTRIBUTE_NOW;
	expect_health(&s, SEV_FAIL,
		      "BAD_ATTRIBUTE_NOW: raw-read-error-rate (1)");
}

static void test_bad_attribute_in_the_past_warns_naming_it(void **state)
{
	struct hw_ata_smart s;
	struct hw_ata_attr *a;

	(void)state;
	load("WDC_WD2500JS-75NCB3--10.02E04", &s);
	a = (struct hw_ata_attr *)hw_ata_smart_attr(&s, 5);
	assert_non_null(a);
	assert_true(a->good_past.known);
	a->good_past.v = 0;
	s.overall = HW_ATA_OVERALL_BAD_ATTRIBUTE_IN_THE_PAST;
	expect_health(&s, SEV_WARN,
		      "BAD_ATTRIBUTE_IN_THE_PAST: reallocated-sector-count (5)");
}

/* Pending or uncorrectable sectors warn even when libatasmart's overall
 * status (which counts only 5 and 197 against a size threshold) is GOOD. */
static void test_uncorrectable_sectors_warn_on_good_disk(void **state)
{
	struct hw_ata_smart s;

	(void)state;
	load("ST9160821AS--3.CLH", &s);
	s.overall = HW_ATA_OVERALL_GOOD;
	expect_health(&s, SEV_WARN,
		      "current-pending-sector (197) = 1, "
		      "offline-uncorrectable (198) = 1");
}

static void test_verdict_names(void **state)
{
	(void)state;
	assert_string_equal(check_severity_name(SEV_UNKNOWN), "unknown");
	assert_string_equal(check_severity_name(SEV_PASS), "pass");
	assert_string_equal(check_severity_name(SEV_WARN), "warn");
	assert_string_equal(check_severity_name(SEV_FAIL), "fail");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_corpus_blob_has_its_verdict),
		cmocka_unit_test(test_asleep_disk_is_unknown_not_woken),
		cmocka_unit_test(test_missing_smart_status_is_unknown),
		cmocka_unit_test(test_bad_status_fails),
		cmocka_unit_test(test_bad_sector_many_fails),
		cmocka_unit_test(test_bad_attribute_now_fails_naming_it),
		cmocka_unit_test(test_bad_attribute_in_the_past_warns_naming_it),
		cmocka_unit_test(test_uncorrectable_sectors_warn_on_good_disk),
		cmocka_unit_test(test_verdict_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
