/* The engine around the check table: runs the checks a host's roles ask
 * for; the results themselves are core's (core_check.h). */
#include "check.h"

int check_run(const struct facts *f, unsigned roles, struct check_results *out)
{
	size_t i;

	for (i = 0; i < check_table_count(); i++) {
		const struct check_def *d = check_table_get(i);

		if (d->roles && !(d->roles & roles))
			continue;
		d->run(f, out);
	}
	return 0;
}
