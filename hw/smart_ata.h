/*
 * smart_ata.h — ATA SMART of one disk, read through libatasmart.
 *
 * Two sources give the same facts: a live disk (needs CAP_SYS_RAWIO, and
 * never wakes a sleeping disk) and a blob written by `skdump --save`, which
 * is how tests and bug reports carry a disk's SMART data around.  Values are
 * the ones libatasmart derives, so that `skdump --load` is the oracle.
 */
#ifndef KAGENT_HW_SMART_ATA_H
#define KAGENT_HW_SMART_ATA_H

#include <stdbool.h>
#include <stdint.h>

#include "hw.h"

/* The SMART data sector has room for 30 attribute entries. */
#define HW_ATA_ATTRS_MAX 30
/* Larger than any blob skdump writes (1572 bytes); skdump's own limit. */
#define HW_ATA_BLOB_MAX 4096

/* Mirrors libatasmart's SkSmartOverall, worst last. */
enum hw_ata_overall {
	HW_ATA_OVERALL_GOOD = 0,
	HW_ATA_OVERALL_BAD_ATTRIBUTE_IN_THE_PAST,
	HW_ATA_OVERALL_BAD_SECTOR,
	HW_ATA_OVERALL_BAD_ATTRIBUTE_NOW,
	HW_ATA_OVERALL_BAD_SECTOR_MANY,
	HW_ATA_OVERALL_BAD_STATUS,
	HW_ATA_OVERALL_UNKNOWN,         /* no SMART status (old blobs, asleep) */
};

struct hw_ata_attr {
	uint8_t id;
	char name[32];                  /* libatasmart's name, "attribute-N" */
	struct hw_num current;          /* normalised value; unknown: 0, 254, 255 */
	struct hw_num worst;
	struct hw_num threshold;        /* unknown when not in the threshold sector */
	uint64_t raw;                   /* the 6 raw bytes, little endian */
	bool prefail;
	struct hw_num good_now;         /* bool: above threshold now */
	struct hw_num good_past;        /* bool: worst value above threshold */
	/* Sectors counted by this attribute as libatasmart reads it (low 32
	 * bits for 5 and 197); unknown when it does not count sectors or a
	 * drive quirk says its raw value means something else. */
	struct hw_num sectors;
};

struct hw_ata_smart {
	char model[41];
	char serial[21];
	char firmware[9];
	bool asleep;                    /* nothing below is known then */
	enum hw_ata_overall overall;
	struct hw_num bad_sectors;      /* reallocated + pending */
	struct hw_num temperature_c;    /* rounded to the nearest degree */
	struct hw_num power_on_hours;   /* whole hours */
	struct hw_num power_cycles;
	size_t n_attrs;
	struct hw_ata_attr attrs[HW_ATA_ATTRS_MAX];
};

/* "GOOD", "BAD_SECTOR", ... exactly as libatasmart spells them; "UNKNOWN". */
const char *hw_ata_overall_name(enum hw_ata_overall o);

/* Reads a blob saved by `skdump --save` as `skdump --load` does.
 * -EINVAL (not a blob), -EFBIG, -EOPNOTSUPP (disk without SMART) or the
 * errno of the read; err names the file. */
int hw_ata_smart_load(const char *blob_path, struct hw_ata_smart *out,
		      struct hw_err *err);

/* The same over bytes already in memory (a fuzzer, a blob received over
 * the network); what names them in err. */
int hw_ata_smart_load_blob(const uint8_t *b, size_t n, const char *what,
			   struct hw_ata_smart *out, struct hw_err *err);

/* What a live disk gives, before any parsing: its power state, and when
 * awake libatasmart's blob of IDENTIFY, SMART status, data and thresholds
 * (the format `skdump --save` writes).  Asleep, the blob holds IDENTIFY
 * only.  This is what crosses from kagentd's prober to the side that
 * parses. */
struct hw_ata_raw {
	uint32_t asleep; /* 0 or 1 */
	uint32_t n;      /* bytes of blob, < HW_ATA_BLOB_MAX */
	uint8_t blob[HW_ATA_BLOB_MAX];
};

/* The ioctls only (SG_IO through libatasmart): needs CAP_SYS_RAWIO, never
 * wakes a sleeping disk.  Errors as hw_ata_smart_read's. */
int hw_ata_smart_read_raw(const char *devnode, struct hw_ata_raw *raw,
			  struct hw_err *err);
/* Parses what hw_ata_smart_read_raw read, wherever it was read: -EINVAL
 * when asleep or n is out of range, or the blob's own errors. */
int hw_ata_smart_parse_raw(const struct hw_ata_raw *raw, const char *what,
			   struct hw_ata_smart *out, struct hw_err *err);

/* Reads a live disk (/dev/sdX): the raw read (hw_raw.h says who makes
 * it), then hw_ata_smart_parse_raw.  A sleeping disk is not woken: out->asleep
 * is set and 0 returned.  -EACCES when privileges are missing ("needs
 * CAP_SYS_RAWIO"), -EOPNOTSUPP when the device does not answer ATA SMART
 * commands (SCSI, NVMe, some virtual disks: try smartctl instead). */
int hw_ata_smart_read(const char *devnode, struct hw_ata_smart *out,
		      struct hw_err *err);

/* The attribute with that id, or NULL. */
const struct hw_ata_attr *hw_ata_smart_attr(const struct hw_ata_smart *s,
					    uint8_t id);

#endif
