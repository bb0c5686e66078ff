/* ATA SMART blobs of real disks (libatasmart's blob-examples) read through
 * hw_ata_smart_load() must agree with `skdump --load` on each of them: the
 * FILE.skdump.txt beside every blob is parsed here, so a blob added to the
 * corpus is covered without touching this file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <dirent.h>
#include <errno.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "smart_ata.h"

#define BLOBS CORPUS "/libatasmart"
#define REF_SUFFIX ".skdump.txt"
/* Blobs in the corpus when this test was written: a vanished one fails. */
#define BLOBS_EXPECTED 13

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	assert_non_null(f);
	buf = calloc(1, 65536);
	assert_non_null(buf);
	n = fread(buf, 1, 65535, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* skdump highlights bad values with ESC [ 1 m ... ESC [ 0 m. */
static void strip_ansi(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\x1b' && s[1] == '[') {
			s += 2;
			while (*s && *s != 'm')
				s++;
			if (*s)
				s++;
			continue;
		}
		*w++ = *s++;
	}
	*w = '\0';
}

/* The value after "key: " on its line, copied into out. */
static void ref_field(const char *text, const char *key, char *out,
		      size_t cap)
{
	char pat[128];
	const char *p, *e;
	size_t n;

	snprintf(pat, sizeof pat, "\n%s: ", key);
	p = strstr(text, pat);
	if (p == NULL)
		fail_msg("reference has no '%s' line", key);
	p += strlen(pat);
	e = strchr(p, '\n');
	n = e ? (size_t)(e - p) : strlen(p);
	assert_true(n < cap);
	memcpy(out, p, n);
	out[n] = '\0';
}

/* skdump's print_value() for milliseconds. */
static void skdump_ms(char *s, size_t len, uint64_t ms)
{
	const double m = (double)ms;

	if (ms >= 1000ULL * 60 * 60 * 24 * 365)
		snprintf(s, len, "%0.1f years", m / (1000.0 * 60 * 60 * 24 * 365));
	else if (ms >= 1000ULL * 60 * 60 * 24 * 30)
		snprintf(s, len, "%0.1f months", m / (1000.0 * 60 * 60 * 24 * 30));
	else if (ms >= 1000ULL * 60 * 60 * 24)
		snprintf(s, len, "%0.1f days", m / (1000.0 * 60 * 60 * 24));
	else if (ms >= 1000ULL * 60 * 60)
		snprintf(s, len, "%0.1f h", m / (1000.0 * 60 * 60));
	else if (ms >= 1000ULL * 60)
		snprintf(s, len, "%0.1f min", m / (1000.0 * 60));
	else if (ms >= 1000ULL)
		snprintf(s, len, "%0.1f s", m / 1000.0);
	else
		snprintf(s, len, "%llu ms", (unsigned long long)ms);
}

static const char enoent_text[] = "No such file or directory";

static void expect_num(const char *blob, const char *what, struct hw_num got,
		       const char *ref_value, const char *formatted)
{
	if (strcmp(ref_value, enoent_text) == 0) {
		if (got.known)
			fail_msg("%s: %s known (%lld), skdump says '%s'", blob,
				 what, (long long)got.v, ref_value);
		return;
	}
	if (!got.known)
		fail_msg("%s: %s unknown, skdump says '%s'", blob, what,
			 ref_value);
	if (strcmp(formatted, ref_value) != 0)
		fail_msg("%s: %s '%s', skdump says '%s'", blob, what, formatted,
			 ref_value);
}

static void expect_ref_num(const char *blob, const char *what,
			   struct hw_num n, const char *ref)
{
	if (strcmp(ref, "n/a") == 0) {
		if (n.known)
			fail_msg("%s: %s %lld, skdump says n/a", blob, what,
				 (long long)n.v);
		return;
	}
	if (!n.known || n.v != strtoll(ref, NULL, 10))
		fail_msg("%s: %s %s%lld, skdump says %s", blob, what,
			 n.known ? "" : "unknown ", (long long)n.v, ref);
}

/* One line of skdump's attribute table:
 *   "  5 reallocated-sector-count    100   100    36   0 sectors   0x000000000000 prefail online  yes  yes"
 * The pretty column may hold a space, so the raw column is found by its
 * "0x" and 14 characters. */
static void compare_attr_line(const char *blob, char *line,
			      const struct hw_ata_attr *a)
{
	char *tok[24];
	int nt = 0, i, raw_at = -1;
	char rawhex[16];
	char *save = NULL, *t;

	for (t = strtok_r(line, " ", &save); t && nt < 24;
	     t = strtok_r(NULL, " ", &save))
		tok[nt++] = t;
	assert_true(nt >= 8);
	for (i = 5; i < nt; i++)
		if (strncmp(tok[i], "0x", 2) == 0 && strlen(tok[i]) == 14) {
			raw_at = i;
			break;
		}
	assert_true(raw_at > 0 && raw_at + 1 < nt);

	if (a->id != strtoul(tok[0], NULL, 10))
		fail_msg("%s: attribute id %u, skdump says %s", blob, a->id,
			 tok[0]);
	if (strcmp(a->name, tok[1]) != 0)
		fail_msg("%s: attribute %u name '%s', skdump says '%s'", blob,
			 a->id, a->name, tok[1]);
	expect_ref_num(blob, "current", a->current, tok[2]);
	expect_ref_num(blob, "worst", a->worst, tok[3]);
	expect_ref_num(blob, "threshold", a->threshold, tok[4]);
	/* skdump prints the raw bytes in order: byte 0 first. */
	snprintf(rawhex, sizeof rawhex, "0x%02x%02x%02x%02x%02x%02x",
		 (unsigned)(a->raw & 0xff), (unsigned)(a->raw >> 8 & 0xff),
		 (unsigned)(a->raw >> 16 & 0xff),
		 (unsigned)(a->raw >> 24 & 0xff),
		 (unsigned)(a->raw >> 32 & 0xff),
		 (unsigned)(a->raw >> 40 & 0xff));
	if (strcmp(rawhex, tok[raw_at]) != 0)
		fail_msg("%s: attribute %u raw %s, skdump says %s", blob, a->id,
			 rawhex, tok[raw_at]);
	if (strcmp(a->prefail ? "prefail" : "old-age", tok[raw_at + 1]) != 0)
		fail_msg("%s: attribute %u type, skdump says %s", blob, a->id,
			 tok[raw_at + 1]);
}

static void compare_attrs(const char *blob, char *text,
			  const struct hw_ata_smart *s)
{
	char *p = strstr(text, "\nID# Name");
	char *line, *save = NULL;
	size_t n = 0;

	assert_non_null(p);
	p = strchr(p + 1, '\n');
	assert_non_null(p);
	for (line = strtok_r(p + 1, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (n >= s->n_attrs)
			fail_msg("%s: skdump lists more than our %zu attributes",
				 blob, s->n_attrs);
		compare_attr_line(blob, line, &s->attrs[n]);
		n++;
	}
	if (n != s->n_attrs)
		fail_msg("%s: %zu attributes, skdump lists %zu", blob,
			 s->n_attrs, n);
}

static void compare_blob(const char *blob, const char *blob_path,
			 const char *ref_path)
{
	struct hw_ata_smart s;
	struct hw_err err = { { 0 } };
	char *text = read_text(ref_path);
	char ref[128], mine[128];
	int r;

	strip_ansi(text);
	r = hw_ata_smart_load(blob_path, &s, &err);
	if (r != 0)
		fail_msg("%s: load failed (%d): %s", blob, r, err.msg);
	assert_false(s.asleep);

	snprintf(mine, sizeof mine, "[%s]", s.model);
	ref_field(text, "Model", ref, sizeof ref);
	assert_string_equal(mine, ref);
	snprintf(mine, sizeof mine, "[%s]", s.firmware);
	ref_field(text, "Firmware", ref, sizeof ref);
	assert_string_equal(mine, ref);

	ref_field(text, "Overall Status", ref, sizeof ref);
	if (strcmp(hw_ata_overall_name(s.overall), ref) != 0)
		fail_msg("%s: overall %s, skdump says %s", blob,
			 hw_ata_overall_name(s.overall), ref);

	ref_field(text, "Bad Sectors", ref, sizeof ref);
	snprintf(mine, sizeof mine, "%lld sectors", (long long)s.bad_sectors.v);
	expect_num(blob, "bad sectors", s.bad_sectors, ref, mine);

	ref_field(text, "Temperature", ref, sizeof ref);
	snprintf(mine, sizeof mine, "%0.1f C", (double)s.temperature_c.v);
	expect_num(blob, "temperature", s.temperature_c, ref, mine);

	ref_field(text, "Powered On", ref, sizeof ref);
	skdump_ms(mine, sizeof mine,
		  (uint64_t)s.power_on_hours.v * 3600000ULL);
	expect_num(blob, "power-on time", s.power_on_hours, ref, mine);

	ref_field(text, "Power Cycles", ref, sizeof ref);
	snprintf(mine, sizeof mine, "%lld", (long long)s.power_cycles.v);
	expect_num(blob, "power cycles", s.power_cycles, ref, mine);

	compare_attrs(blob, text, &s);
	free(text);
}

static void test_every_blob_agrees_with_skdump(void **state)
{
	DIR *dir = opendir(BLOBS);
	struct dirent *de;
	size_t tested = 0;

	(void)state;
	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name), sl = strlen(REF_SUFFIX);
		char blob[256], blob_path[512], ref_path[512];

		if (len <= sl || strcmp(de->d_name + len - sl, REF_SUFFIX))
			continue;
		assert_true(len - sl < sizeof blob);
		memcpy(blob, de->d_name, len - sl);
		blob[len - sl] = '\0';
		snprintf(blob_path, sizeof blob_path, "%s/%s", BLOBS, blob);
		snprintf(ref_path, sizeof ref_path, "%s/%s", BLOBS, de->d_name);
		compare_blob(blob, blob_path, ref_path);
		printf("# %s: agrees with skdump --load\n", blob);
		tested++;
	}
	closedir(dir);
	assert_int_equal(tested, BLOBS_EXPECTED);
}

/* The exact values libatasmart's getters give (summary-exact.tsv): power-on
 * hours are truncated, not rounded; temperature comes from millikelvin. */
static void test_exact_values_of_one_fujitsu(void **state)
{
	struct hw_ata_smart s;
	struct hw_err err = { { 0 } };

	(void)state;
	assert_int_equal(hw_ata_smart_load(BLOBS "/FUJITSU_MHY2120BH--0085000B",
					   &s, &err), 0);
	assert_int_equal(s.overall, HW_ATA_OVERALL_GOOD);
	assert_true(s.power_on_hours.known);
	assert_int_equal(s.power_on_hours.v, 2161); /* 7781460000 ms */
	assert_true(s.temperature_c.known);
	assert_int_equal(s.temperature_c.v, 34);    /* 307150 mK */
	assert_int_equal(s.power_cycles.v, 493);
	assert_int_equal(s.bad_sectors.v, 0);
	assert_string_equal(s.model, "FUJITSU MHY2120BH");
}

/* A drive quirk turns 197 and 198 into "attribute-197/198" whose raw bytes
 * are no sector count: the count stays unknown. */
static void test_quirked_attribute_counts_no_sectors(void **state)
{
	struct hw_ata_smart s;
	struct hw_err err = { { 0 } };
	const struct hw_ata_attr *a;

	(void)state;
	assert_int_equal(hw_ata_smart_load(BLOBS "/FUJITSU_MHY2120BH--0085000B",
					   &s, &err), 0);
	a = hw_ata_smart_attr(&s, 197);
	assert_non_null(a);
	assert_string_equal(a->name, "attribute-197");
	assert_true(a->raw == 0x6d4bfd220002ULL);
	assert_false(a->sectors.known);
	a = hw_ata_smart_attr(&s, 5);
	assert_non_null(a);
	assert_true(a->raw == 0x07d000000000ULL);
	assert_true(a->sectors.known);
	assert_int_equal(a->sectors.v, 0);
}

static void test_missing_blob_names_the_file(void **state)
{
	struct hw_ata_smart s;
	struct hw_err err = { { 0 } };

	(void)state;
	assert_int_equal(hw_ata_smart_load(BLOBS "/no-such-disk", &s, &err),
			 -ENOENT);
	assert_string_equal(err.msg, BLOBS "/no-such-disk: No such file or directory");
}

/* A text file is no blob: libatasmart's tag walk rejects it. */
static void test_text_file_is_not_a_blob(void **state)
{
	struct hw_ata_smart s;
	struct hw_err err = { { 0 } };

	(void)state;
	assert_int_equal(hw_ata_smart_load(BLOBS "/PROVENANCE.md", &s, &err),
			 -EINVAL);
	assert_string_equal(err.msg, BLOBS "/PROVENANCE.md: not a SMART blob "
				     "written by skdump --save");
}

/* The first 520 bytes of a real blob are its IDENTIFY section alone: a
 * valid blob that carries no SMART data. */
static void test_blob_without_smart_data_is_enoent(void **state)
{
	char buf[520], path[] = "/tmp/kagent-test-idfy-XXXXXX";
	struct hw_ata_smart s;
	struct hw_err err = { { 0 } };
	FILE *f = fopen(BLOBS "/WDC_WD2500JS-75NCB3--10.02E04", "rb");
	int fd;

	(void)state;
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof buf, f), sizeof buf);
	fclose(f);
	assert_memory_equal(buf, "IDFY", 4);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, sizeof buf), (ssize_t)sizeof buf);
	close(fd);
	assert_int_equal(hw_ata_smart_load(path, &s, &err), -ENOENT);
	unlink(path);
	assert_string_equal(s.model, "WDC WD2500JS-75NCB3");
	assert_true(strstr(err.msg, ": no SMART data in it") != NULL);
}

/* A regular file is no block device; libatasmart says ENODEV. */
static void test_live_read_of_regular_file_is_enodev(void **state)
{
	struct hw_ata_smart s;
	struct hw_err err = { { 0 } };

	(void)state;
	assert_int_equal(hw_ata_smart_read(BLOBS "/ST320410A--3.39", &s, &err),
			 -ENODEV);
	assert_string_equal(err.msg, BLOBS "/ST320410A--3.39: open: No such device");
}

static void test_overall_names_are_libatasmart_spellings(void **state)
{
	(void)state;
	assert_string_equal(hw_ata_overall_name(HW_ATA_OVERALL_GOOD), "GOOD");
	assert_string_equal(hw_ata_overall_name(HW_ATA_OVERALL_BAD_ATTRIBUTE_IN_THE_PAST),
			    "BAD_ATTRIBUTE_IN_THE_PAST");
	assert_string_equal(hw_ata_overall_name(HW_ATA_OVERALL_BAD_SECTOR),
			    "BAD_SECTOR");
	assert_string_equal(hw_ata_overall_name(HW_ATA_OVERALL_BAD_ATTRIBUTE_NOW),
			    "BAD_ATTRIBUTE_NOW");
	assert_string_equal(hw_ata_overall_name(HW_ATA_OVERALL_BAD_SECTOR_MANY),
			    "BAD_SECTOR_MANY");
	assert_string_equal(hw_ata_overall_name(HW_ATA_OVERALL_BAD_STATUS),
			    "BAD_STATUS");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_blob_agrees_with_skdump),
		cmocka_unit_test(test_exact_values_of_one_fujitsu),
		cmocka_unit_test(test_quirked_attribute_counts_no_sectors),
		cmocka_unit_test(test_missing_blob_names_the_file),
		cmocka_unit_test(test_text_file_is_not_a_blob),
		cmocka_unit_test(test_blob_without_smart_data_is_enoent),
		cmocka_unit_test(test_live_read_of_regular_file_is_enodev),
		cmocka_unit_test(test_overall_names_are_libatasmart_spellings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
