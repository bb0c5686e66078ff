/*
 * fuzz_mountinfo.c — /proc/PID/mountinfo text through hw_mounts_parse.
 *
 * The parser takes a C string, so the input is cut at its first NUL.
 * Checked: every mount's fields are terminated, paths are absolute, and
 * an error explains itself without leaving a list behind.
 */
#include <errno.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "hw.h"

#define H "fuzz_mountinfo"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	struct hw_err err = {{0}};
	struct hw_mount *m = NULL;
	size_t n = 0, skipped = 0, i;
	int r;

	r = hw_mounts_parse(text, "mountinfo", &m, &n, &skipped, &err);
	if (r < 0) {
		fuzz_require(err.msg[0] != '\0', H, "error unexplained");
		goto out_free_text;
	}
	fuzz_require(n == 0 || m != NULL, H, "mounts counted but no list");
	for (i = 0; i < n; i++) {
		fuzz_require(
		    fuzz_terminated(m[i].path, sizeof m[i].path) &&
			fuzz_terminated(m[i].fstype, sizeof m[i].fstype) &&
			fuzz_terminated(m[i].source, sizeof m[i].source) &&
			fuzz_terminated(m[i].options, sizeof m[i].options) &&
			fuzz_terminated(m[i].super_options,
					sizeof m[i].super_options),
		    H, "mount field not terminated");
		fuzz_require(m[i].path[0] == '/', H,
			     "mount point not absolute");
	}
	hw_mounts_free(m);
out_free_text:
	free(text);
	return 0;
}
