/* core's severity on the wire and back: the wire's numbers are its own
 * (SEVERITY_UNSPECIFIED = 0 comes first), core's are stored by the
 * collector, so neither is the other plus a constant by accident. */
#include <errno.h>

#include "proto.h"

kagent_v1_Severity proto_sev_to_wire(enum check_severity s)
{
	switch (s) {
	case SEV_PASS:
		return kagent_v1_Severity_SEVERITY_PASS;
	case SEV_INFO:
		return kagent_v1_Severity_SEVERITY_INFO;
	case SEV_WARN:
		return kagent_v1_Severity_SEVERITY_WARN;
	case SEV_FAIL:
		return kagent_v1_Severity_SEVERITY_FAIL;
	case SEV_UNKNOWN:
		break;
	}
	return kagent_v1_Severity_SEVERITY_UNKNOWN;
}

int proto_sev_from_wire(int wire, enum check_severity *out)
{
	switch (wire) {
	case kagent_v1_Severity_SEVERITY_PASS:
		*out = SEV_PASS;
		return 0;
	case kagent_v1_Severity_SEVERITY_INFO:
		*out = SEV_INFO;
		return 0;
	case kagent_v1_Severity_SEVERITY_UNKNOWN:
		*out = SEV_UNKNOWN;
		return 0;
	case kagent_v1_Severity_SEVERITY_WARN:
		*out = SEV_WARN;
		return 0;
	case kagent_v1_Severity_SEVERITY_FAIL:
		*out = SEV_FAIL;
		return 0;
	default:
		return -EINVAL;
	}
}
