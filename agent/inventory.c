/* The whole host inventory: each probe once, in a fixed order. */
#include <string.h>

#include "agent.h"

int inventory_probe(const char *root, struct inventory *inv,
		    struct hw_err *err)
{
	int r;

	memset(inv, 0, sizeof *inv);
	r = hw_root_check(root, err);
	if (r < 0)
		return r;
	r = hw_cpu_probe(root, &inv->cpu, err);
	if (r < 0)
		goto out_fail;
	r = hw_memory_probe(root, &inv->memory, err);
	if (r < 0)
		goto out_fail;
	r = hw_nics_probe(root, &inv->nics, err);
	if (r < 0)
		goto out_fail;
	r = hw_disks_probe(root, &inv->disks, err);
	if (r < 0)
		goto out_fail;
	return 0;

out_fail:
	inventory_free(inv);
	return r;
}

void inventory_free(struct inventory *inv)
{
	hw_nics_free(&inv->nics);
	hw_disks_free(&inv->disks);
}
