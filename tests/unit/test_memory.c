/* hw_memory_probe and hw_smbios_memory_sum on fixture trees, the corpus,
 * tables built byte by byte here, and this host. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

#include "hw.h"

#define GIB (UINT64_C(1) << 30)
#define MIB (UINT64_C(1) << 20)

static void assert_num(struct hw_num n, int64_t v)
{
	assert_true(n.known);
	assert_int_equal(n.v, v);
}

static void probe_ok(const char *root, struct hw_memory *m)
{
	struct hw_err err = {""};

	assert_int_equal(hw_memory_probe(root, m, &err), 0);
	assert_string_equal(err.msg, "");
}

static size_t load(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* ---- trees ---- */

static void test_2s48t_installed_counts_extended_size(void **state)
{
	struct hw_memory m;

	(void)state;
	probe_ok(FIXTURES "/host-2s48t", &m);
	assert_num(m.total_bytes, INT64_C(230913860) * 1024);
	assert_num(m.available_bytes, INT64_C(221470164) * 1024);
	/* 10 x 16 GiB + 2 x 32 GiB (Extended Size), 12 empty slots */
	assert_num(m.installed_bytes, (int64_t)(224 * GIB));
}

static void test_meminfo_probe_reads_the_kernel_part_only(void **state)
{
	struct hw_err err = {{0}};
	struct hw_memory m;

	(void)state;
	/* The same tree whose DMI table gives 224 GiB above. */
	assert_int_equal(hw_meminfo_probe(FIXTURES "/host-2s48t", &m, &err), 0);
	assert_num(m.total_bytes, INT64_C(230913860) * 1024);
	assert_num(m.available_bytes, INT64_C(221470164) * 1024);
	assert_false(m.installed_bytes.known);
}

static void test_vm_capture_without_dmi_has_unknown_installed(void **state)
{
	struct hw_memory m;

	(void)state;
	probe_ok(FIXTURES "/host-vm2-cpu", &m);
	assert_num(m.total_bytes, INT64_C(24683620) * 1024);
	assert_num(m.available_bytes, INT64_C(24278804) * 1024);
	assert_false(m.installed_bytes.known);
}

/* Both corpus meminfo files predate MemAvailable in the way upstream
 * trimmed them: it is absent, so unknown, not 0. */
static void test_procfs_corpus_has_no_memavailable(void **state)
{
	struct hw_memory m;

	(void)state;
	probe_ok(CORPUS "/sysfs-procfs", &m);
	assert_num(m.total_bytes, INT64_C(15666184) * 1024);
	assert_false(m.available_bytes.known);
	assert_false(m.installed_bytes.known);
}

static void test_node_exporter_corpus_has_no_memavailable(void **state)
{
	struct hw_memory m;

	(void)state;
	probe_ok(CORPUS "/sysfs-node-exporter", &m);
	assert_num(m.total_bytes, INT64_C(3742148) * 1024);
	assert_false(m.available_bytes.known);
	assert_false(m.installed_bytes.known);
}

static void test_meminfo_without_memtotal_is_einval(void **state)
{
	struct hw_err err = {""};
	struct hw_memory m;

	(void)state;
	assert_int_equal(
	    hw_memory_probe(FIXTURES "/host-nomemtotal-mem", &m, &err),
	    -EINVAL);
	assert_string_equal(
	    err.msg,
	    FIXTURES "/host-nomemtotal-mem/proc/meminfo: no MemTotal line");
}

static void test_missing_meminfo_is_enoent(void **state)
{
	struct hw_err err = {""};
	struct hw_memory m;

	(void)state;
	assert_int_equal(
	    hw_memory_probe(FIXTURES "/host-qemu-pc-mem", &m, &err), -ENOENT);
	assert_string_equal(err.msg, FIXTURES "/host-qemu-pc-mem/proc/meminfo: "
					      "No such file or directory");
}

static void test_truncated_dmi_leaves_installed_unknown(void **state)
{
	uint8_t tbl[1024];
	struct hw_memory m;
	uint64_t sum = 0;
	size_t n;

	(void)state;
	probe_ok(FIXTURES "/host-truncdmi-mem", &m);
	assert_num(m.total_bytes, INT64_C(24683620) * 1024);
	assert_false(m.installed_bytes.known);
	n = load(FIXTURES "/host-truncdmi-mem/sys/firmware/dmi/tables/DMI", tbl,
		 sizeof tbl);
	assert_int_equal(n, 300);
	assert_int_equal(hw_smbios_memory_sum(tbl, n, &sum), -EINVAL);
}

/* ---- captured and generated tables ---- */

static void test_qemu_table_sums_two_dimms(void **state)
{
	uint8_t tbl[1024];
	uint64_t sum = 0;
	size_t n;

	(void)state;
	n = load(FIXTURES "/host-qemu-pc-mem/sys/firmware/dmi/tables/DMI", tbl,
		 sizeof tbl);
	assert_int_equal(n, 474);
	assert_int_equal(hw_smbios_memory_sum(tbl, n, &sum), 0);
	assert_int_equal(sum, 20 * GIB); /* DIMM 0 16 GiB + DIMM 1 4 GiB */
}

/* Every prefix of a real table: either a clean cut between records
 * (a partial sum or no memory device yet) or -EINVAL, never more than
 * the whole table holds and never a read past the end (ASan build). */
static void test_every_truncation_of_qemu_table_is_bounded(void **state)
{
	size_t cuts_ok = 0, cuts_einval = 0, cuts_enoent = 0;
	uint8_t tbl[1024];
	uint64_t sum;
	size_t n;

	(void)state;
	n = load(FIXTURES "/host-qemu-pc-mem/sys/firmware/dmi/tables/DMI", tbl,
		 sizeof tbl);
	for (size_t len = 0; len < n; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		int r;

		memcpy(copy, tbl, len);
		sum = 0;
		r = hw_smbios_memory_sum(copy, len, &sum);
		free(copy);
		if (r == 0) {
			assert_true(sum == 16 * GIB || sum == 20 * GIB);
			cuts_ok++;
		} else if (r == -ENOENT) {
			cuts_enoent++;
		} else {
			assert_int_equal(r, -EINVAL);
			cuts_einval++;
		}
	}
	/* 11 records (types 0 1 3 4 16 17 17 19 19 32 127): length 0 and the
	 * ends of the five records before DIMM 0 give -ENOENT; the ends of
	 * the two type 17, two type 19 and the type 32 records give a sum,
	 * and so do the two cuts between the end record's header and its
	 * two NULs (the walk stops at that header); every other length cuts
	 * a record. */
	assert_int_equal(cuts_enoent, 6);
	assert_int_equal(cuts_ok, 7);
	assert_int_equal(cuts_einval, n - 13);
}

/* ---- tables built here, byte by byte ---- */

struct tbl {
	uint8_t b[512];
	size_t len;
};

/* One structure: header, formatted area of flen bytes (the header's
 * 4 included) with the bytes given, then a string set. */
static void put(struct tbl *t, uint8_t type, uint8_t flen,
		const uint8_t *fields, const char *strings, size_t slen)
{
	uint16_t handle = (uint16_t)(0x100 + t->len);

	assert_true(t->len + flen + slen + 2 <= sizeof t->b);
	t->b[t->len] = type;
	t->b[t->len + 1] = flen;
	t->b[t->len + 2] = (uint8_t)handle;
	t->b[t->len + 3] = (uint8_t)(handle >> 8);
	memset(t->b + t->len + 4, 0, flen - 4u);
	if (fields)
		memcpy(t->b + t->len + 4, fields, flen - 4u);
	t->len += flen;
	if (slen) {
		memcpy(t->b + t->len, strings, slen); /* each ends in NUL */
		t->len += slen;
		t->b[t->len++] = 0;
	} else {
		t->b[t->len++] = 0;
		t->b[t->len++] = 0;
	}
}

/* Type 17 in the SMBIOS 2.7+ layout (0x22 bytes) or shorter: Size at
 * 0x0C, Extended Size at 0x1C, one string "DIMM". */
static void memdev(struct tbl *t, uint8_t flen, uint16_t size, uint32_t ext)
{
	uint8_t f[0x22 - 4] = {0};

	f[0x0C - 4] = (uint8_t)size;
	f[0x0D - 4] = (uint8_t)(size >> 8);
	f[0x10 - 4] = 1; /* Device Locator: string 1 */
	for (int i = 0; i < 4; i++)
		f[0x1C - 4 + i] = (uint8_t)(ext >> (8 * i));
	assert_true(flen <= 0x22);
	put(t, 17, flen, f, "DIMM", 5);
}

static void end(struct tbl *t)
{
	put(t, 127, 4, NULL, NULL, 0);
}

static void bios(struct tbl *t)
{
	static const uint8_t f[0x18 - 4] = {1, 2, 0x00, 0xF0, 3};

	static const char s[] = "Vendor\0"
				"1.0\0"
				"01/01/2020";

	put(t, 0, 0x18, f, s, sizeof s);
}

static int sum_of(struct tbl *t, uint64_t *sum)
{
	*sum = 0;
	return hw_smbios_memory_sum(t->b, t->len, sum);
}

static void test_size_in_mb(void **state)
{
	struct tbl t = {.len = 0};
	uint64_t sum;

	(void)state;
	bios(&t);
	memdev(&t, 0x22, 8192, 0);
	memdev(&t, 0x22, 8192, 0);
	end(&t);
	assert_int_equal(sum_of(&t, &sum), 0);
	assert_int_equal(sum, 16 * GIB);
}

static void test_size_bit15_is_kb(void **state)
{
	struct tbl t = {.len = 0};
	uint64_t sum;

	(void)state;
	memdev(&t, 0x22, 0x8000 | 512, 0); /* 512 KB */
	end(&t);
	assert_int_equal(sum_of(&t, &sum), 0);
	assert_int_equal(sum, 512 * 1024);
}

static void test_size_7fff_uses_extended_size(void **state)
{
	struct tbl t = {.len = 0};
	uint64_t sum;

	(void)state;
	/* bit 31 of Extended Size is reserved and must be ignored */
	memdev(&t, 0x22, 0x7FFF, 0x80000000u | 65536);
	memdev(&t, 0x22, 0x7FFF, 32768);
	end(&t);
	assert_int_equal(sum_of(&t, &sum), 0);
	assert_int_equal(sum, 96 * GIB);
}

static void test_empty_slot_adds_nothing(void **state)
{
	struct tbl t = {.len = 0};
	uint64_t sum;

	(void)state;
	memdev(&t, 0x22, 0, 0);
	memdev(&t, 0x22, 4096, 0);
	memdev(&t, 0x22, 0, 0);
	end(&t);
	assert_int_equal(sum_of(&t, &sum), 0);
	assert_int_equal(sum, 4 * GIB);
}

static void test_unknown_module_size_is_enodata(void **state)
{
	struct tbl t = {.len = 0};
	uint64_t sum;

	(void)state;
	memdev(&t, 0x22, 4096, 0);
	memdev(&t, 0x22, 0xFFFF, 0);
	end(&t);
	assert_int_equal(sum_of(&t, &sum), -ENODATA);
}

static void test_no_memory_device_is_enoent(void **state)
{
	struct tbl t = {.len = 0};
	uint64_t sum;

	(void)state;
	bios(&t);
	end(&t);
	assert_int_equal(sum_of(&t, &sum), -ENOENT);
}

static void test_records_after_end_of_table_are_ignored(void **state)
{
	struct tbl t = {.len = 0};
	uint64_t sum;

	(void)state;
	memdev(&t, 0x22, 2048, 0);
	end(&t);
	memdev(&t, 0x22, 2048, 0);
	t.b[t.len++] = 0xFF; /* padding after the end, as firmware leaves */
	assert_int_equal(sum_of(&t, &sum), 0);
	assert_int_equal(sum, 2 * GIB);
}

static void test_extended_size_beyond_short_record_is_einval(void **state)
{
	struct tbl t = {.len = 0};
	uint64_t sum;

	(void)state;
	memdev(&t, 0x1B, 0x7FFF, 0); /* SMBIOS 2.3 length: no Extended Size */
	end(&t);
	assert_int_equal(sum_of(&t, &sum), -EINVAL);
}

static void test_record_without_size_field_is_einval(void **state)
{
	struct tbl t = {.len = 0};
	uint64_t sum;

	(void)state;
	memdev(&t, 0x0C, 0, 0);
	end(&t);
	assert_int_equal(sum_of(&t, &sum), -EINVAL);
}

static void test_header_length_below_4_is_einval(void **state)
{
	struct tbl t = {.len = 0};
	uint64_t sum;

	(void)state;
	memdev(&t, 0x22, 1024, 0);
	end(&t);
	t.b[1] = 3;
	assert_int_equal(sum_of(&t, &sum), -EINVAL);
}

static void test_truncated_tables_are_einval(void **state)
{
	struct tbl t = {.len = 0};
	uint64_t sum;
	size_t whole;

	(void)state;
	bios(&t);
	memdev(&t, 0x22, 1024, 0);
	whole = t.len;
	end(&t);
	/* cut inside the header of the end record */
	t.len = whole + 2;
	assert_int_equal(sum_of(&t, &sum), -EINVAL);
	/* cut inside the string set: "DIMM\0" without its final NUL */
	t.len = whole - 1;
	assert_int_equal(sum_of(&t, &sum), -EINVAL);
	/* cut inside the formatted area of the type 17 record */
	t.len = whole - 5 - 1 - 0x10;
	assert_int_equal(sum_of(&t, &sum), -EINVAL);
	/* at the boundary: the memory device is complete */
	t.len = whole;
	assert_int_equal(sum_of(&t, &sum), 0);
	assert_int_equal(sum, 1 * GIB);
}

/* ---- this host ---- */

static int64_t meminfo_kb(const char *key)
{
	char line[256];
	int64_t v = -1;
	size_t kl = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	assert_non_null(f);
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, kl) == 0 && line[kl] == ':')
			v = strtoll(line + kl + 1, NULL, 10);
	fclose(f);
	printf("/proc/meminfo %s: %lld kB\n", key, (long long)v);
	return v;
}

static void test_live_matches_proc_meminfo(void **state)
{
	int64_t avail, diff;
	struct hw_memory m;

	(void)state;
	probe_ok("/", &m);
	avail = meminfo_kb("MemAvailable") * 1024;
	assert_num(m.total_bytes, meminfo_kb("MemTotal") * 1024);
	assert_true(m.available_bytes.known);
	diff = m.available_bytes.v - avail;
	printf("MemAvailable moved by %lld bytes between reads\n",
	       (long long)diff);
	assert_true(diff > -(int64_t)(256 * MIB) &&
		    diff < (int64_t)(256 * MIB));
	/* The firmware's list is what the kernel's total is carved from. */
	if (m.installed_bytes.known)
		assert_true(m.installed_bytes.v >= m.total_bytes.v);
	else
		assert_int_not_equal(
		    access("/sys/firmware/dmi/tables/DMI", R_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_2s48t_installed_counts_extended_size),
	    cmocka_unit_test(test_meminfo_probe_reads_the_kernel_part_only),
	    cmocka_unit_test(test_vm_capture_without_dmi_has_unknown_installed),
	    cmocka_unit_test(test_procfs_corpus_has_no_memavailable),
	    cmocka_unit_test(test_node_exporter_corpus_has_no_memavailable),
	    cmocka_unit_test(test_meminfo_without_memtotal_is_einval),
	    cmocka_unit_test(test_missing_meminfo_is_enoent),
	    cmocka_unit_test(test_truncated_dmi_leaves_installed_unknown),
	    cmocka_unit_test(test_qemu_table_sums_two_dimms),
	    cmocka_unit_test(test_every_truncation_of_qemu_table_is_bounded),
	    cmocka_unit_test(test_size_in_mb),
	    cmocka_unit_test(test_size_bit15_is_kb),
	    cmocka_unit_test(test_size_7fff_uses_extended_size),
	    cmocka_unit_test(test_empty_slot_adds_nothing),
	    cmocka_unit_test(test_unknown_module_size_is_enodata),
	    cmocka_unit_test(test_no_memory_device_is_enoent),
	    cmocka_unit_test(test_records_after_end_of_table_are_ignored),
	    cmocka_unit_test(test_extended_size_beyond_short_record_is_einval),
	    cmocka_unit_test(test_record_without_size_field_is_einval),
	    cmocka_unit_test(test_header_length_below_4_is_einval),
	    cmocka_unit_test(test_truncated_tables_are_einval),
	    cmocka_unit_test(test_live_matches_proc_meminfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
