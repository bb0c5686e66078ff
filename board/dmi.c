/* The machine's identity from sys/class/dmi/id, the kernel's decoding of
 * the SMBIOS tables.  Firmware fills many strings with vendor placeholders
 * and sometimes with garbage bytes; both are reported as unknown rather
 * than as an identity a fleet view would then group machines by. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "board.h"

static const struct {
	const char *file; /* attribute in sys/class/dmi/id */
	const char *name; /* JSON key */
	size_t off;
} dmi_fields[BOARD_DMI_NFIELDS] = {
    [BOARD_DMI_VENDOR] = {"sys_vendor", "vendor",
			  offsetof(struct board_dmi, vendor)},
    [BOARD_DMI_PRODUCT] = {"product_name", "product",
			   offsetof(struct board_dmi, product)},
    [BOARD_DMI_PRODUCT_VERSION] = {"product_version", "product_version",
				   offsetof(struct board_dmi, product_version)},
    [BOARD_DMI_SERIAL] = {"product_serial", "serial",
			  offsetof(struct board_dmi, serial)},
    [BOARD_DMI_BOARD_VENDOR] = {"board_vendor", "board_vendor",
				offsetof(struct board_dmi, board_vendor)},
    [BOARD_DMI_BOARD_NAME] = {"board_name", "board_name",
			      offsetof(struct board_dmi, board_name)},
    [BOARD_DMI_BIOS_VENDOR] = {"bios_vendor", "bios_vendor",
			       offsetof(struct board_dmi, bios_vendor)},
    [BOARD_DMI_BIOS_VERSION] = {"bios_version", "bios_version",
				offsetof(struct board_dmi, bios_version)},
    [BOARD_DMI_BIOS_DATE] = {"bios_date", "bios_date",
			     offsetof(struct board_dmi, bios_date)},
    [BOARD_DMI_CHASSIS_ASSET_TAG] = {"chassis_asset_tag", "asset_tag",
				     offsetof(struct board_dmi,
					      chassis_asset_tag)},
    [BOARD_DMI_CHASSIS_SERIAL] = {"chassis_serial", "chassis_serial",
				  offsetof(struct board_dmi, chassis_serial)},
};

/*
 * Strings that firmware ships when the board maker did not fill a field in.
 * They say nothing about the machine, and identical "serials" across a
 * fleet would make distinct hosts look like one.  Compared ignoring case,
 * after trimming.
 */
static const char *const dmi_placeholders[] = {
    "To Be Filled By O.E.M.", /* AMI Aptio default */
    "Default string",	      /* AMI Aptio V default */
    "Not Specified",	      /* SMBIOS "no string" as dmidecode words it */
    "Not Applicable",
    "Not Available",
    "None",
    "N/A",
    "O.E.M.",
    "OEM",
    "System manufacturer", /* ASUS desktop boards */
    "System Product Name",
    "System Version",
    "System Serial Number",
    "Chassis Serial Number",
    "Base Board Serial Number",
    "0123456789", /* Supermicro, Gigabyte */
    "Unknown",
};

static bool dmi_is_placeholder(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof dmi_placeholders / sizeof dmi_placeholders[0];
	     i++)
		if (strcasecmp(s, dmi_placeholders[i]) == 0)
			return true;
	return false;
}

/* SMBIOS strings are ASCII.  Control bytes or high bytes mean a corrupt
 * table (seen in the wild: U+FFFD and 0x1c in product_version), and could
 * not be put into JSON as they are. */
static bool dmi_is_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* Trims in place; leaves s empty when the content is not a real value. */
static void dmi_clean(char *s)
{
	size_t len = strlen(s), lead = 0;

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	while (s[lead] == ' ' || s[lead] == '\t')
		lead++;
	memmove(s, s + lead, len - lead + 1);
	if (!dmi_is_printable(s) || dmi_is_placeholder(s))
		s[0] = '\0';
}

/* Reads one attribute; a missing or unreadable one leaves the field empty
 * and only EACCES is remembered, because only that has a remedy. */
static void dmi_read_field(const char *dir, struct board_dmi *out,
			   enum board_dmi_field f)
{
	char path[4096], buf[256];
	char *dst = (char *)out + dmi_fields[f].off;
	ssize_t n;
	char *nl;

	dst[0] = '\0';
	if (core_path(path, sizeof path, dir, "%s", dmi_fields[f].file) < 0)
		return;
	n = core_read_file(path, buf, sizeof buf);
	if (n == -EACCES || n == -EPERM) {
		out->needs_root |= 1u << f;
		return;
	}
	if (n < 0 || memchr(buf, '\0', (size_t)n) != NULL)
		return; /* unreadable, or NUL bytes: garbage */
	/* one line only: a second line is not part of the value */
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	if (strlen(buf) >= BOARD_DMI_STR_MAX)
		return;
	dmi_clean(buf);
	memcpy(dst, buf, strlen(buf) + 1);
}

int board_dmi_read(const char *root, struct board_dmi *out, struct hw_err *err)
{
	char dir[4096];
	struct stat st;
	int f, r;

	memset(out, 0, sizeof *out);
	r = core_root_check(root, err);
	if (r < 0)
		return r;
	r = core_path(dir, sizeof dir, root, "sys/class/dmi/id");
	if (r < 0) {
		core_err_set(err, "%s: path too long", root);
		return r;
	}
	/* no DMI (a VM without SMBIOS, most ARM boards): all unknown */
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	for (f = 0; f < BOARD_DMI_NFIELDS; f++)
		dmi_read_field(dir, out, (enum board_dmi_field)f);
	return 0;
}

const char *board_dmi_field_name(enum board_dmi_field f)
{
	if ((unsigned)f >= BOARD_DMI_NFIELDS)
		return "";
	return dmi_fields[f].name;
}

const char *board_dmi_field_value(const struct board_dmi *d,
				  enum board_dmi_field f)
{
	if ((unsigned)f >= BOARD_DMI_NFIELDS)
		return "";
	return (const char *)d + dmi_fields[f].off;
}
