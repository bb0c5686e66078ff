/* SPDX-License-Identifier: Apache-2.0 */
/* The window of reports in flight, as both ends agree it at the hello.
 * Protocol 1 has always stored reports in seq order and acked the highest
 * stored, so a window is only a bound: an agent that does not ask keeps
 * the 64 every agent of protocol 1 kept, and a collector that does not
 * answer is taken to accept those 64. */
#include <errno.h>

#include "proto.h"

int proto_window_accept(const kagent_v1_Hello *h, uint32_t max,
			uint32_t *out)
{
	*out = PROTO_WINDOW_LEGACY < max ? PROTO_WINDOW_LEGACY : max;
	if (!h->has_window)
		return 0;
	if (h->window == 0)
		return -EINVAL;
	*out = h->window < max ? h->window : max;
	return 0;
}

int proto_window_agreed(const kagent_v1_Ack *a, uint32_t asked,
			uint32_t *out)
{
	*out = PROTO_WINDOW_LEGACY < asked ? PROTO_WINDOW_LEGACY : asked;
	if (!a->has_window)
		return 0;
	/* More than asked, or none at all, is a collector out of step. */
	if (a->window == 0 || a->window > asked)
		return -EPROTO;
	*out = a->window;
	return 0;
}

int proto_window_take(struct proto_window *w)
{
	if (w->inflight >= w->size)
		return -EPROTO;
	w->inflight++;
	return 0;
}

void proto_window_acked(struct proto_window *w)
{
	w->inflight = 0;
}
