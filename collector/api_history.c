/* /api/hosts/{id}/history: the changes of one host's check severities
 * as the store keeps them (check_history), newest last, bounded so that
 * a host flapping for a year cannot make one answer unbounded. */
#include <errno.h>

#include "collector.h"

struct history_walk {
	json_t *a;
	int rc;
};

static int history_row(void *arg, const struct coll_history_row *r)
{
	struct history_walk *w = arg;
	char when[40];
	json_t *row;

	coll_fmt_time(when, sizeof when, r->ts_ms);
	row = json_pack(
	    "{s:s s:s s:s s:s}", "check_id", r->check_id, "instance",
	    r->instance, "severity",
	    check_severity_name(r->severity < 0 || r->severity > SEV_FAIL
				    ? SEV_UNKNOWN
				    : (enum check_severity)r->severity),
	    "time", when);
	if (row == NULL || json_array_append_new(w->a, row) < 0) {
		w->rc = -ENOMEM;
		return -ENOMEM;
	}
	return 0;
}

json_t *coll_api_history(struct coll_store *s, const char *host_id,
			 int64_t limit, int *rc)
{
	struct history_walk w = {json_array(), 0};

	*rc = 0;
	if (w.a == NULL)
		return NULL;
	*rc = coll_store_history(s, "host", host_id, limit, history_row, &w);
	if (*rc < 0) {
		json_decref(w.a);
		if (w.rc < 0)
			*rc = 0;
		return NULL;
	}
	return json_pack("{s:s s:I s:o}", "host_id", host_id, "limit",
			 (json_int_t)limit, "history", w.a);
}
