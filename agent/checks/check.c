/* The engine around the check table: runs the checks a host's roles ask
 * for; the results themselves are core's (core_check.h). */
#include <string.h>

#include "check.h"

int check_applies(const struct check_def *d, unsigned roles)
{
	return d->roles == 0 || (d->roles & roles) != 0;
}

static int skipped(const char *id, const char *const *skip, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(skip[i], id) == 0)
			return 1;
	return 0;
}

int check_run_skip(const struct facts *f, unsigned roles,
		   const char *const *skip, size_t n_skip,
		   struct check_results *out)
{
	size_t i;

	for (i = 0; i < check_table_count(); i++) {
		const struct check_def *d = check_table_get(i);

		if (!check_applies(d, roles) || skipped(d->id, skip, n_skip))
			continue;
		d->run(f, out);
	}
	return 0;
}

int check_run(const struct facts *f, unsigned roles, struct check_results *out)
{
	return check_run_skip(f, roles, NULL, 0, out);
}
