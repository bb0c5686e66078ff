/*
 * fuzz_smartctl.c — `smartctl --json` output through hw_smartctl_parse.
 *
 * Checked: the attribute and message tables stay within their bounds,
 * every string is terminated, and an error explains itself.
 */
#include <errno.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "smartctl.h"

#define H "fuzz_smartctl"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hw_err err = {{0}};
	struct hw_smartctl *s = malloc(sizeof *s);
	size_t i;
	int r;

	if (!s)
		abort();
	r = hw_smartctl_parse((const char *)data, size, s, &err);
	if (r < 0) {
		fuzz_require(err.msg[0] != '\0', H, "error unexplained");
		goto out_free;
	}
	fuzz_require(s->n_attrs <= HW_SMARTCTL_ATTRS_MAX, H,
		     "attributes above bound");
	fuzz_require(s->n_messages <= HW_SMARTCTL_MSGS_MAX, H,
		     "messages above bound");
	fuzz_require(
	    fuzz_terminated(s->protocol, sizeof s->protocol) &&
		fuzz_terminated(s->device_type, sizeof s->device_type) &&
		fuzz_terminated(s->model, sizeof s->model) &&
		fuzz_terminated(s->serial, sizeof s->serial) &&
		fuzz_terminated(s->scsi_ie_string, sizeof s->scsi_ie_string),
	    H, "string not terminated");
	for (i = 0; i < s->n_attrs; i++)
		fuzz_require(
		    fuzz_terminated(s->attrs[i].name,
				    sizeof s->attrs[i].name) &&
			fuzz_terminated(s->attrs[i].when_failed,
					sizeof s->attrs[i].when_failed),
		    H, "attribute string not terminated");
	for (i = 0; i < s->n_messages; i++)
		fuzz_require(
		    fuzz_terminated(s->messages[i], sizeof s->messages[i]), H,
		    "message not terminated");
	fuzz_require(!s->smart_status.known || s->smart_status.v == 0 ||
			 s->smart_status.v == 1,
		     H, "smart_status not a boolean");
out_free:
	free(s);
	return 0;
}
