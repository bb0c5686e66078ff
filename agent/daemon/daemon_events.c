/* SPDX-License-Identifier: Apache-2.0 */
/* kagentd's kernel event sources, started and stopped together
 * (daemon_int.h). */
#include "daemon_int.h"
#include "root.h"

void daemon_events_init(struct agent *a)
{
	events_link_init(&a->links);
	events_mounts_init(&a->mounts);
}

void daemon_events_start(struct agent *a, const struct conf *conf)
{
	/* A captured tree has no events: unwatched, every job reads it. */
	if (!hw_root_is_live(conf->agent.root))
		return;
	if (events_link_start(&a->loop, &a->links) == 0)
		report_job_watch_links(a->job, &a->links);
	/* The job reads root's mountinfo: the loop's is the same table only
	 * on the live host. */
	if (events_mounts_start(&a->loop, &a->mounts,
				"/proc/self/mountinfo") == 0)
		report_job_watch_mounts(a->job, &a->mounts);
}

void daemon_events_stop(struct agent *a)
{
	events_link_stop(&a->links);
	events_mounts_stop(&a->mounts);
}
