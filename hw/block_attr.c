/* One block device's sysfs attributes, as hw/block.c reads them: numbers
 * and padded strings, the serial from the VPD page or udev's database, and
 * the transport from where the device sits in the device tree. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block_attr.h"

#define VPD_MAX 256

/* A number attribute: absent means unknown; present but not a number is
 * an error naming the file. */
int blk_attr_num(const char *root, const char *name, const char *attr,
		 struct hw_num *out, struct hw_err *err)
{
	char p[4096];
	int64_t v;
	int r;

	out->known = false;
	if (core_path(p, sizeof p, root, "sys/block/%s/%s", name, attr) < 0)
		return 0;
	r = core_read_i64(p, &v);
	if (r == -EINVAL || r == -ERANGE || (r == 0 && v < 0)) {
		core_err_set(err, "%s: not a non-negative number", p);
		return -EINVAL;
	}
	if (r < 0)
		return 0;
	out->v = v;
	out->known = true;
	return 0;
}

/* A text attribute with the padding SCSI and NVMe put on both sides
 * ("ATA     ", "Samsung SSD 970 PRO 512GB               "). */
void blk_attr_str(const char *root, const char *name, const char *attr,
		  char *buf, size_t cap)
{
	char p[4096], tmp[256];
	size_t s = 0;

	buf[0] = '\0';
	if (core_path(p, sizeof p, root, "sys/block/%s/%s", name, attr) < 0 ||
	    core_read_line(p, tmp, sizeof tmp) < 0)
		return;
	while (tmp[s] == ' ' || tmp[s] == '\t')
		s++;
	snprintf(buf, cap, "%s", tmp + s);
}

/* Unit serial number VPD page (SPC-4 7.8.15): byte 1 is the page code
 * 0x80, bytes 2-3 the length, the serial follows from byte 4, padded with
 * spaces.  Anything not printable means the page is not what we think. */
void blk_serial_vpd80(const char *root, const char *name, char *buf,
		      size_t cap)
{
	unsigned char page[VPD_MAX + 1];
	char p[4096];
	ssize_t n;
	size_t len, s, e, i;

	buf[0] = '\0';
	if (core_path(p, sizeof p, root, "sys/block/%s/device/vpd_pg80", name) <
	    0)
		return;
	n = core_read_file(p, (char *)page, sizeof page);
	if (n < 4 || page[1] != 0x80)
		return;
	len = ((size_t)page[2] << 8) | page[3];
	if (len > (size_t)n - 4)
		return;
	s = 4;
	e = 4 + len;
	while (e > s && (page[e - 1] == ' ' || page[e - 1] == '\0'))
		e--;
	while (s < e && page[s] == ' ')
		s++;
	for (i = s; i < e; i++)
		if (page[i] < 0x21 || page[i] > 0x7e)
			return;
	if (e - s >= cap)
		return;
	memcpy(buf, page + s, e - s);
	buf[e - s] = '\0';
}

/* udev's database (run/udev/data/bMAJ:MIN) holds the serial udev read
 * with ATA IDENTIFY or SCSI inquiry, for disks whose sysfs shows none. */
void blk_serial_udev(const char *root, const char *dev, char *buf,
		     size_t cap)
{
	static const char key[] = "E:ID_SERIAL_SHORT=";
	char p[4096], data[16384];
	const char *l, *e;

	buf[0] = '\0';
	if (dev[0] == '\0' ||
	    core_path(p, sizeof p, root, "run/udev/data/b%s", dev) < 0 ||
	    core_read_file(p, data, sizeof data) < 0)
		return;
	for (l = data; l != NULL && *l != '\0'; l = strchr(l, '\n')) {
		if (*l == '\n')
			l++;
		if (strncmp(l, key, sizeof key - 1) != 0)
			continue;
		l += sizeof key - 1;
		e = strchr(l, '\n');
		if (e == NULL)
			e = l + strlen(l);
		if ((size_t)(e - l) < cap) {
			memcpy(buf, l, (size_t)(e - l));
			buf[e - l] = '\0';
		}
		return;
	}
}

/* Some component of a sysfs device path starts with prefix (and, when
 * digit is set, a digit follows: "ata3" but not "ata_port"). */
static int path_has(const char *path, const char *prefix, int digit)
{
	size_t l = strlen(prefix);
	const char *c = path;

	while (c != NULL) {
		if (*c == '/')
			c++;
		if (strncmp(c, prefix, l) == 0 &&
		    (!digit || (c[l] >= '0' && c[l] <= '9')))
			return 1;
		c = strchr(c, '/');
	}
	return 0;
}

static int blk_attr_exists(const char *root, const char *name,
			   const char *attr)
{
	char p[4096];

	return core_path(p, sizeof p, root, "sys/block/%s/%s", name, attr) == 0 &&
	       access(p, F_OK) == 0;
}

/* From where the device sits in the device tree, like lsblk's TRAN:
 * lsblk asks the SCSI host (sas_host, proc_name ahci) where we read the
 * path; both give sas for a SATA disk behind a SAS HBA.  lsblk 2.38 leaves
 * virtio and mmc empty; newer ones name them as we do.  A sys/block entry
 * that is not a link (a flattened capture) leaves only the name to go by. */
void blk_transport(const char *root, const char *name, char *buf, size_t cap)
{
	char p[4096], link[4096];
	const char *t = "";
	ssize_t n;

	link[0] = '\0';
	if (core_path(p, sizeof p, root, "sys/block/%s", name) == 0) {
		n = readlink(p, link, sizeof link - 1);
		link[n > 0 ? n : 0] = '\0';
	}
	if (strncmp(name, "nvme", 4) == 0 || path_has(link, "nvme", 0))
		t = "nvme";
	else if (path_has(link, "usb", 1))
		t = "usb";
	else if (path_has(link, "end_device-", 0) ||
		 blk_attr_exists(root, name, "device/sas_address"))
		t = "sas";
	else if (path_has(link, "ata", 1))
		t = "sata";
	else if (path_has(link, "virtio", 1) || strncmp(name, "vd", 2) == 0)
		t = "virtio";
	else if (path_has(link, "mmc_host", 0) ||
		 strncmp(name, "mmcblk", 6) == 0)
		t = "mmc";
	else if (blk_attr_exists(root, name, "device/scsi_device"))
		t = "scsi";
	snprintf(buf, cap, "%s", t);
}

