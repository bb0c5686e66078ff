/*
 * facts_cache.h — facts_gather for a daemon that reports every second.
 *
 * Most facts do not change between two reports: CPU topology, DMI, the
 * disk list and SMART, the Kafka and ZooKeeper configuration, the pid of
 * the Java process.  The cache keeps the last whole gather and, while a
 * cheap test says nothing it depends on changed, re-reads only what moves
 * (memory, links and addresses, sensor values, log dir sizes).  When
 * nothing changed the facts are exactly those a fresh gather would give,
 * but for the flush latency, which only the cache measures: every call
 * reads each disk's flush counters and reports the interval since the
 * call before (flush.h).
 *
 * A whole gather happens when:
 *   - FACTS_CACHE_REFRESH_MS passed since the last one (a negative lookup,
 *     such as no zoo.cfg or no Java process, and the sysctl settings, are
 *     looked at again only then);
 *   - a configuration file found (server.properties, zoo.cfg, the JAAS
 *     file, the agent's certificate) changed device, inode, size or
 *     modification time;
 *   - the names in sys/block or the bytes of proc/self/mountinfo changed
 *     (mountinfo is not read at all while mounts_ev, when set, says the
 *     table did not change: events_mounts.h);
 *   - the Kafka or ZooKeeper process found is gone (its pid's comm is no
 *     longer java);
 *   - facts_cache_invalidate was called (a SMART refresh).
 */
#ifndef KAGENT_FACTS_CACHE_H
#define KAGENT_FACTS_CACHE_H

#include <stdint.h>
#include <sys/types.h>

#include "events_mounts.h"
#include "facts.h"

#define FACTS_CACHE_REFRESH_MS 60000
#define FACTS_CACHE_FILES      4

/* A file as stat saw it; exists false when stat failed. */
struct facts_file_key {
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	int64_t mtime_ns;
};

struct facts_cache {
	struct facts f;
	bool have;
	int64_t gathered_ms;  /* monotonic, of the last whole gather */
	unsigned roles;
	/* server.properties, zoo.cfg, the JAAS file (below root) and the
	 * agent certificate (the host's path) as the gather found them. */
	struct facts_file_key files[FACTS_CACHE_FILES];
	uint64_t block_digest;
	uint64_t mounts_digest;
	/* The loop's mount events (the live host's table only; NULL: the
	 * digest is taken every call), and their generation when the table
	 * was last known to match mounts_digest. */
	const struct events_mounts *mounts_ev;
	uint64_t mounts_gen;
	uint64_t whole_gathers; /* counted, for tests and the curious */
	/* The flush counters of every physical disk at the last call: the
	 * next one reports the average over the time between.  Kept across
	 * whole gathers, and read again on every call, unlike the rest. */
	struct flush_samples flush_prev;
	bool flush_have;
};

/* stat of root/path ("" or a failed stat: exists false). */
void facts_file_key_take(const char *root, const char *path,
			 struct facts_file_key *k);
bool facts_file_key_same(const struct facts_file_key *a,
			 const struct facts_file_key *b);

void facts_cache_init(struct facts_cache *c);
void facts_cache_free(struct facts_cache *c);
/* The next facts_cache_gather gathers everything again. */
void facts_cache_invalidate(struct facts_cache *c);
/* facts_gather's contract, the result owned by the cache and valid until
 * the next call: *out points into c, and what the caller changes in it
 * (zk_live) is reset at the next call.  opts->live_zk gathers everything
 * every time.  now_ms is monotonic.  nics, when
 * not NULL, is a probe of the links made a moment ago (the health check's)
 * that the cache takes over instead of probing them again. */
int facts_cache_gather(struct facts_cache *c, const char *root,
		       const struct conf *conf, unsigned roles,
		       const struct facts_opts *opts, int64_t now_ms,
		       struct hw_nics *nics, struct facts **out,
		       struct hw_err *err);


#endif
