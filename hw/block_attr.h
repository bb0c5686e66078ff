/* block_attr.h — hw/block.c's readers of one block device's sysfs
 * attributes (sys/block/NAME/...), below a root; not for other callers. */
#ifndef KAGENT_BLOCK_ATTR_H
#define KAGENT_BLOCK_ATTR_H

#include <stddef.h>

#include "hw.h"

/* A number attribute: absent leaves out unknown (0); present but not a
 * number is an error naming the file. */
int blk_attr_num(const char *root, const char *name, const char *attr,
		 struct hw_num *out, struct hw_err *err);
/* A text attribute, the padding SCSI and NVMe put around it trimmed; ""
 * when absent. */
void blk_attr_str(const char *root, const char *name, const char *attr,
		  char *buf, size_t cap);
/* The unit serial number from VPD page 0x80; "" when there is none. */
void blk_serial_vpd80(const char *root, const char *name, char *buf,
		      size_t cap);
/* The serial udev's database recorded for device MAJ:MIN; "" when none. */
void blk_serial_udev(const char *root, const char *dev, char *buf,
		     size_t cap);
/* sata, sas, nvme, virtio, usb, mmc, scsi or "", as lsblk's TRAN. */
void blk_transport(const char *root, const char *name, char *buf, size_t cap);

#endif
