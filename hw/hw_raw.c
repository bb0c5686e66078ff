/* The reads that need a capability, made here unless hw_raw_set said
 * otherwise. */
#include "hw_raw.h"

static const struct hw_raw_ops direct = {
    .ata = hw_ata_smart_read_raw,
    .nvme = hw_nvme_health_read_raw,
    .smartctl = hw_smartctl_exec,
};

static const struct hw_raw_ops *current = &direct;

void hw_raw_set(const struct hw_raw_ops *ops)
{
	current = ops ? ops : &direct;
}

const struct hw_raw_ops *hw_raw_get(void)
{
	return current;
}
