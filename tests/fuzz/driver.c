/*
 * driver.c — runs a harness without libFuzzer: every file named on the
 * command line, or found directly in a directory named there, is read and
 * passed to LLVMFuzzerTestOneInput once.  Built with the normal toolchain
 * so that the seeds and the inputs that once crashed run in every
 * `make check` (and under ASan/UBSan in `make check-sanitize`).
 *
 * A harness aborts on a broken invariant, so exit 0 means every input
 * passed; the count printed shows the inputs were found.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_util.h"

/* Seeds are whole real files, larger than libFuzzer's -max_len. */
#define DRIVER_INPUT_MAX (4u << 20)

static int run_file(const char *path, unsigned *count)
{
	struct stat stb;
	uint8_t *buf;
	size_t n;
	FILE *f;
	int r = 0;

	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &stb) < 0) {
		r = -errno;
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		goto out_close;
	}
	if (stb.st_size > DRIVER_INPUT_MAX) {
		fprintf(stderr, "%s: above %u bytes\n", path, DRIVER_INPUT_MAX);
		r = -EFBIG;
		goto out_close;
	}
	/* Exactly the input's size, so ASan sees a read past its end. */
	n = (size_t)stb.st_size;
	buf = malloc(n ? n : 1);
	if (!buf) {
		r = -ENOMEM;
		goto out_close;
	}
	if (fread(buf, 1, n, f) != n) {
		fprintf(stderr, "%s: short read\n", path);
		r = -EIO;
		goto out_free_buf;
	}
	printf("%s (%zu bytes)\n", path, n);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, n);
	(*count)++;
out_free_buf:
	free(buf);
out_close:
	if (f)
		fclose(f);
	return r;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of dir in name order, so a failure reproduces in the same order. */
static int run_dir(const char *dir, unsigned *count)
{
	struct dirent **ents = NULL;
	char path[4096];
	struct stat stb;
	int n, i, r = 0;

	n = scandir(dir, &ents, NULL, NULL);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -errno;
	}
	qsort(ents, (size_t)n, sizeof *ents, cmp_names);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, ents[i]->d_name);
		if (r == 0 && ents[i]->d_name[0] != '.' &&
		    stat(path, &stb) == 0 && S_ISREG(stb.st_mode))
			r = run_file(path, count);
		free(ents[i]);
	}
	free(ents);
	return r;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	struct stat stb;
	int i, r = 0;

	for (i = 1; i < argc && r == 0; i++) {
		if (stat(argv[i], &stb) < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		r = S_ISDIR(stb.st_mode) ? run_dir(argv[i], &count)
					 : run_file(argv[i], &count);
	}
	printf("%u inputs passed\n", count);
	if (r < 0 || count == 0) {
		fprintf(stderr, "no inputs, or one unreadable\n");
		return 1;
	}
	return 0;
}
