/* The reads that need a capability, made here unless hw_raw_set said
 * otherwise. */
#include "hw_raw.h"

static int scan_direct(int timeout_ms, char **json, size_t *len,
		       struct hw_err *err)
{
	return hw_smartctl_scan_exec(NULL, timeout_ms, json, len, err);
}

static int typed_direct(const char *node, const char *type, int timeout_ms,
			char **json, size_t *len, struct hw_err *err)
{
	return hw_smartctl_typed_exec(NULL, node, type, timeout_ms, json, len,
				      err);
}

static const struct hw_raw_ops direct = {
    .ata = hw_ata_smart_read_raw,
    .nvme = hw_nvme_health_read_raw,
    .smartctl = hw_smartctl_exec,
    .smartctl_scan = scan_direct,
    .smartctl_typed = typed_direct,
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
