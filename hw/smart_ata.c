/* ATA SMART through libatasmart, the only file that includes <atasmart.h>.
 *
 * libatasmart leaves its verdicts in errno, sometimes negated (-ENOTSUP,
 * -ENODATA) and sometimes not at all; every failure goes through
 * ata_errno() before it becomes our return code. */
#include <errno.h>
#include <stddef.h> /* atasmart.h uses size_t without including it */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include <atasmart.h>

#include "hw_raw.h"
#include "smart_ata.h"

static const char *const overall_names[] = {
	[HW_ATA_OVERALL_GOOD] = "GOOD",
	[HW_ATA_OVERALL_BAD_ATTRIBUTE_IN_THE_PAST] = "BAD_ATTRIBUTE_IN_THE_PAST",
	[HW_ATA_OVERALL_BAD_SECTOR] = "BAD_SECTOR",
	[HW_ATA_OVERALL_BAD_ATTRIBUTE_NOW] = "BAD_ATTRIBUTE_NOW",
	[HW_ATA_OVERALL_BAD_SECTOR_MANY] = "BAD_SECTOR_MANY",
	[HW_ATA_OVERALL_BAD_STATUS] = "BAD_STATUS",
	[HW_ATA_OVERALL_UNKNOWN] = "UNKNOWN",
};

const char *hw_ata_overall_name(enum hw_ata_overall o)
{
	if ((unsigned)o >= sizeof overall_names / sizeof overall_names[0])
		return "UNKNOWN";
	return overall_names[o];
}

const struct hw_ata_attr *hw_ata_smart_attr(const struct hw_ata_smart *s,
					    uint8_t id)
{
	size_t i;

	for (i = 0; i < s->n_attrs; i++)
		if (s->attrs[i].id == id)
			return &s->attrs[i];
	return NULL;
}

static int ata_errno(void)
{
	int e = errno;

	if (e < 0)
		e = -e;
	return e ? e : EIO;
}

static struct hw_num num(int64_t v)
{
	return (struct hw_num){ .v = v, .known = true };
}

/* Turns a libatasmart failure into our code.  EACCES/EPERM mean missing
 * privileges; "Operation not supported" (ENOTSUP == EOPNOTSUPP on Linux)
 * is what a disk that does not speak ATA SMART (SCSI, QEMU's AHCI
 * emulation) answers, which tells the caller to try smartctl. */
static int ata_fail(struct hw_err *err, const char *what, const char *step,
		    int e)
{
	if (e == EACCES || e == EPERM) {
		core_err_set(err, "%s: %s: %s (needs CAP_SYS_RAWIO)", what, step,
			   strerror(e));
		return -EACCES;
	}
	if (e == EOPNOTSUPP) {
		core_err_set(err, "%s: %s: no ATA SMART (%s)", what, step,
			   strerror(e));
		return -EOPNOTSUPP;
	}
	core_err_set(err, "%s: %s: %s", what, step, strerror(e));
	return -e;
}

static void attr_cb(SkDisk *d, const SkSmartAttributeParsedData *a, void *u)
{
	struct hw_ata_smart *s = u;
	struct hw_ata_attr *t;
	int i;

	(void)d;
	if (s->n_attrs >= HW_ATA_ATTRS_MAX)
		return;
	t = &s->attrs[s->n_attrs++];
	memset(t, 0, sizeof *t);
	t->id = a->id;
	if (a->name)
		strncpy(t->name, a->name, sizeof t->name - 1);
	if (a->current_value_valid)
		t->current = num(a->current_value);
	if (a->worst_value_valid)
		t->worst = num(a->worst_value);
	if (a->threshold_valid)
		t->threshold = num(a->threshold);
	for (i = 5; i >= 0; i--)
		t->raw = t->raw << 8 | a->raw[i];
	t->prefail = a->prefailure;
	if (a->good_now_valid)
		t->good_now = num(a->good_now ? 1 : 0);
	if (a->good_in_the_past_valid)
		t->good_past = num(a->good_in_the_past ? 1 : 0);
	if (a->pretty_unit == SK_SMART_ATTRIBUTE_UNIT_SECTORS)
		t->sectors = num((int64_t)a->pretty_value);
}

/* skdump prints "%0.1f C" of (mK - 273150) / 1000; whole degrees are what
 * the attributes carry, so round to the nearest one, halves away from 0. */
static int64_t mkelvin_to_c(uint64_t mk)
{
	int64_t d = (int64_t)mk - 273150;

	return d >= 0 ? (d + 500) / 1000 : -((-d + 500) / 1000);
}

/* A getter that fails with ENOENT means the disk has no such attribute:
 * the value stays unknown.  Anything else is an error. */
static int getter_failed(void)
{
	int e = ata_errno();

	return e == ENOENT ? 0 : -e;
}

/* Everything after the data is in libatasmart's hands, identical for a blob
 * and a live disk: SMART data parsed, then the derived values. */
static int ata_collect(SkDisk *d, const char *what, struct hw_ata_smart *out,
		       struct hw_err *err)
{
	const SkSmartParsedData *spd;
	SkSmartOverall overall;
	uint64_t v;
	int r;

	/* ENOENT: a blob saved with IDENTIFY data only */
	if (sk_disk_smart_parse(d, &spd) < 0) {
		r = ata_errno();
		if (r == ENOENT) {
			core_err_set(err, "%s: no SMART data in it", what);
			return -ENOENT;
		}
		return ata_fail(err, what, "SMART data", r);
	}
	if (sk_disk_smart_parse_attributes(d, attr_cb, out) < 0)
		return ata_fail(err, what, "SMART attributes", ata_errno());

	/* Without a SMART status (ENXIO: a blob from an old skdump) there is
	 * no overall verdict either. */
	if (sk_disk_smart_get_overall(d, &overall) < 0) {
		r = ata_errno();
		if (r != ENXIO)
			return ata_fail(err, what, "overall status", r);
	} else if ((unsigned)overall < HW_ATA_OVERALL_UNKNOWN) {
		out->overall = (enum hw_ata_overall)overall;
	}

	if (sk_disk_smart_get_bad(d, &v) == 0)
		out->bad_sectors = num((int64_t)v);
	else if ((r = getter_failed()) < 0)
		return ata_fail(err, what, "bad sectors", -r);
	if (sk_disk_smart_get_temperature(d, &v) == 0)
		out->temperature_c = num(mkelvin_to_c(v));
	else if ((r = getter_failed()) < 0)
		return ata_fail(err, what, "temperature", -r);
	if (sk_disk_smart_get_power_on(d, &v) == 0)
		out->power_on_hours = num((int64_t)(v / 3600000ULL));
	else if ((r = getter_failed()) < 0)
		return ata_fail(err, what, "power-on time", -r);
	if (sk_disk_smart_get_power_cycle(d, &v) == 0)
		out->power_cycles = num((int64_t)v);
	else if ((r = getter_failed()) < 0)
		return ata_fail(err, what, "power cycles", -r);
	return 0;
}

static void ata_identify(SkDisk *d, struct hw_ata_smart *out)
{
	const SkIdentifyParsedData *ipd;

	if (sk_disk_identify_parse(d, &ipd) < 0)
		return;
	/* libatasmart's fields are NUL-terminated arrays one byte larger
	 * than the IDENTIFY strings; ours have the same sizes. */
	snprintf(out->model, sizeof out->model, "%s", ipd->model);
	snprintf(out->serial, sizeof out->serial, "%s", ipd->serial);
	snprintf(out->firmware, sizeof out->firmware, "%s", ipd->firmware);
}

static void ata_init(struct hw_ata_smart *out)
{
	memset(out, 0, sizeof *out);
	out->overall = HW_ATA_OVERALL_UNKNOWN;
}

int hw_ata_smart_load_blob(const uint8_t *b, size_t n, const char *what,
			   struct hw_ata_smart *out, struct hw_err *err)
{
	/* uint32_t: libatasmart walks the blob as 32-bit tags, so the bytes
	 * are copied to an aligned buffer whatever b's alignment. */
	uint32_t blob[HW_ATA_BLOB_MAX / 4];
	SkBool avail = 0;
	SkDisk *d = NULL;
	int r;

	ata_init(out);
	if (n >= HW_ATA_BLOB_MAX) {
		core_err_set(err, "%s: larger than %d bytes, not a SMART blob",
			   what, HW_ATA_BLOB_MAX - 1);
		return -EFBIG;
	}
	if (n == 0) {
		core_err_set(err, "%s: not a SMART blob written by skdump --save",
			   what);
		return -EINVAL;
	}
	memcpy(blob, b, n);
	if (sk_disk_open(NULL, &d) < 0)
		return ata_fail(err, what, "libatasmart", ata_errno());
	if (sk_disk_set_blob(d, blob, n) < 0) {
		core_err_set(err, "%s: not a SMART blob written by skdump --save",
			   what);
		r = -EINVAL;
		goto out_free_disk;
	}
	ata_identify(d, out);
	if (sk_disk_smart_is_available(d, &avail) < 0 || !avail) {
		r = ata_fail(err, what, "identify data", EOPNOTSUPP);
		goto out_free_disk;
	}
	if (sk_disk_smart_read_data(d) < 0) {
		r = ata_fail(err, what, "SMART data", ata_errno());
		goto out_free_disk;
	}
	r = ata_collect(d, what, out, err);
out_free_disk:
	sk_disk_free(d);
	return r;
}

int hw_ata_smart_load(const char *blob_path, struct hw_ata_smart *out,
		      struct hw_err *err)
{
	/* One byte over the limit, so a larger file is seen as one. */
	char buf[HW_ATA_BLOB_MAX + 1];
	ssize_t n;

	ata_init(out);
	n = core_read_file(blob_path, buf, sizeof buf);
	if (n < 0) {
		core_err_file(err, blob_path, (int)n);
		return (int)n;
	}
	return hw_ata_smart_load_blob((const uint8_t *)buf, (size_t)n,
				      blob_path, out, err);
}

/* libatasmart swallows the SG_IO failure of its IDENTIFY probe and reports
 * "not supported" later; without CAP_SYS_RAWIO that is the likely cause. */
static bool have_cap_sys_rawio(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct c[_LINUX_CAPABILITY_U32S_3];

	memset(c, 0, sizeof c);
	if (syscall(SYS_capget, &h, c) < 0)
		return false;
	return (c[CAP_SYS_RAWIO / 32].effective &
		(1u << (CAP_SYS_RAWIO % 32))) != 0;
}

/* The blob libatasmart assembles from what it read; asleep, IDENTIFY
 * alone (sk_disk_get_blob packs only what is valid). */
static int ata_take_blob(SkDisk *d, const char *devnode, struct hw_ata_raw *raw,
			 struct hw_err *err)
{
	const void *blob;
	size_t n;

	if (sk_disk_get_blob(d, &blob, &n) < 0)
		return ata_fail(err, devnode, "blob", ata_errno());
	if (n == 0 || n >= HW_ATA_BLOB_MAX) {
		core_err_set(err, "%s: blob of %zu bytes", devnode, n);
		return -EFBIG;
	}
	memcpy(raw->blob, blob, n);
	raw->n = (uint32_t)n;
	return 0;
}

int hw_ata_smart_read_raw(const char *devnode, struct hw_ata_raw *raw,
			  struct hw_err *err)
{
	SkBool awake = 0, avail = 0, ident = 0;
	SkDisk *d = NULL;
	int r;

	raw->asleep = 0;
	raw->n = 0;
	if (sk_disk_open(devnode, &d) < 0)
		return ata_fail(err, devnode, "open", ata_errno());
	if (sk_disk_identify_is_available(d, &ident) == 0 && !ident &&
	    !have_cap_sys_rawio()) {
		r = ata_fail(err, devnode, "ATA IDENTIFY", EPERM);
		goto out_free_disk;
	}
	/* CHECK POWER MODE does not spin the disk up; anything after it may. */
	if (sk_disk_check_sleep_mode(d, &awake) < 0) {
		r = ata_fail(err, devnode, "power mode", ata_errno());
		goto out_free_disk;
	}
	if (!awake) {
		raw->asleep = 1;
		r = ident ? ata_take_blob(d, devnode, raw, err) : 0;
		goto out_free_disk;
	}
	if (sk_disk_smart_is_available(d, &avail) < 0) {
		r = ata_fail(err, devnode, "SMART", ata_errno());
		goto out_free_disk;
	}
	if (!avail) {
		r = ata_fail(err, devnode, "SMART", EOPNOTSUPP);
		goto out_free_disk;
	}
	if (sk_disk_smart_read_data(d) < 0) {
		r = ata_fail(err, devnode, "SMART data", ata_errno());
		goto out_free_disk;
	}
	r = ata_take_blob(d, devnode, raw, err);
out_free_disk:
	sk_disk_free(d);
	return r;
}

/* A sleeping disk's blob: its IDENTIFY strings, nothing else known. */
static int ata_parse_asleep(const struct hw_ata_raw *raw, const char *what,
			    struct hw_ata_smart *out, struct hw_err *err)
{
	uint32_t blob[HW_ATA_BLOB_MAX / 4];
	SkDisk *d = NULL;

	out->asleep = true;
	if (raw->n == 0)
		return 0;
	memcpy(blob, raw->blob, raw->n);
	if (sk_disk_open(NULL, &d) < 0)
		return ata_fail(err, what, "libatasmart", ata_errno());
	if (sk_disk_set_blob(d, blob, raw->n) == 0)
		ata_identify(d, out);
	sk_disk_free(d);
	return 0;
}

int hw_ata_smart_parse_raw(const struct hw_ata_raw *raw, const char *what,
			   struct hw_ata_smart *out, struct hw_err *err)
{
	ata_init(out);
	if (raw->asleep > 1 || raw->n >= HW_ATA_BLOB_MAX) {
		core_err_set(err, "%s: raw SMART reading out of range "
			     "(asleep %u, %u bytes)", what, raw->asleep, raw->n);
		return -EINVAL;
	}
	if (raw->asleep)
		return ata_parse_asleep(raw, what, out, err);
	return hw_ata_smart_load_blob(raw->blob, raw->n, what, out, err);
}

int hw_ata_smart_read(const char *devnode, struct hw_ata_smart *out,
		      struct hw_err *err)
{
	struct hw_ata_raw *raw = malloc(sizeof *raw);
	int r;

	ata_init(out);
	if (raw == NULL)
		return -ENOMEM;
	r = hw_raw_get()->ata(devnode, raw, err);
	if (r == 0)
		r = hw_ata_smart_parse_raw(raw, devnode, out, err);
	free(raw);
	return r;
}
