/* The kept result of an asynchronous probe and its age. */
#include <stdio.h>
#include <string.h>

#include "async_probe.h"

void async_probe_init(struct async_probe *p)
{
	memset(p, 0, sizeof *p);
	snprintf(p->meta.why, sizeof p->meta.why, "not probed yet");
}

void async_probe_done(struct async_probe *p, int64_t now_ms)
{
	p->running = false;
	p->meta.have = 1;
	p->meta.at_ms = now_ms;
	p->meta.why[0] = '\0';
}

void async_probe_start_failed(struct async_probe *p, const char *why)
{
	p->running = false;
	p->for_report = false;
	if (!p->meta.have)
		snprintf(p->meta.why, sizeof p->meta.why, "not probed yet: %s",
			 why);
}

void async_seen_from_meta(const struct async_meta *m, int64_t request_ms,
			  struct async_seen *out)
{
	memset(out, 0, sizeof *out);
	out->have = m->have == 1;
	out->in_flight = m->in_flight == 1;
	if (out->have) {
		out->age_known = true;
		out->age_ms = request_ms > m->at_ms ? request_ms - m->at_ms : 0;
	}
	snprintf(out->why, sizeof out->why, "%s", m->why);
}
