/*
 * fuzz_ata_blob.c — a SMART blob as `skdump --save` writes it, through
 * hw_ata_smart_load_blob (libatasmart's sk_disk_set_blob and parsers, and
 * our reading of what they derive).
 *
 * Checked: at most HW_ATA_ATTRS_MAX attributes, terminated identity
 * strings, an overall verdict inside the enum, and an explained error.
 */
#include <errno.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "smart_ata.h"

#define H "fuzz_ata_blob"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hw_err err = {{0}};
	struct hw_ata_smart s;
	size_t i;
	int r;

	r = hw_ata_smart_load_blob(data, size, "blob", &s, &err);
	fuzz_require(s.n_attrs <= HW_ATA_ATTRS_MAX, H,
		     "attributes above bound");
	fuzz_require(fuzz_terminated(s.model, sizeof s.model) &&
			 fuzz_terminated(s.serial, sizeof s.serial) &&
			 fuzz_terminated(s.firmware, sizeof s.firmware),
		     H, "identity string not terminated");
	fuzz_require((unsigned)s.overall <= HW_ATA_OVERALL_UNKNOWN, H,
		     "overall outside the enum");
	for (i = 0; i < s.n_attrs; i++)
		fuzz_require(
		    fuzz_terminated(s.attrs[i].name, sizeof s.attrs[i].name), H,
		    "attribute name not terminated");
	if (r < 0)
		fuzz_require(err.msg[0] != '\0', H, "error unexplained");
	return 0;
}
