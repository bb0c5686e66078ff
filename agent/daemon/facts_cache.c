/* The facts cache: one whole facts_gather, then per call only the tests
 * that say whether it still holds and the re-reads of what moves.  See
 * facts_cache.h for when everything is gathered again. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "facts_cache.h"

void facts_file_key_take(const char *root, const char *path,
			 struct facts_file_key *k)
{
	char full[PATH_MAX];
	struct stat st;

	memset(k, 0, sizeof *k);
	if (path[0] == '\0' ||
	    core_path(full, sizeof full, root, "%s", path) < 0 ||
	    stat(full, &st) < 0)
		return;
	k->exists = true;
	k->dev = st.st_dev;
	k->ino = st.st_ino;
	k->size = st.st_size;
	k->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
		      st.st_mtim.tv_nsec;
}

bool facts_file_key_same(const struct facts_file_key *a,
			 const struct facts_file_key *b)
{
	return a->exists == b->exists && a->dev == b->dev &&
	       a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns;
}

/* The names below sys/block, in directory order: a disk that comes or
 * goes changes it.  0 when the directory cannot be read. */
static uint64_t block_digest(const char *root)
{
	char path[PATH_MAX];
	struct dirent *de;
	uint64_t h = CORE_FNV_START;
	DIR *d;

	if (core_path(path, sizeof path, root, "sys/block") < 0)
		return 0;
	d = opendir(path);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		h = core_fnv(h, de->d_name, strlen(de->d_name) + 1);
	closedir(d);
	return h;
}

/* A mount, an unmount or a remount changes mountinfo's text.  Hashed as
 * it is read, in small pieces: no buffer of the whole file to allocate
 * every second. */
static uint64_t mounts_digest(const char *root)
{
	char path[PATH_MAX], buf[4096];
	uint64_t h = CORE_FNV_START;
	ssize_t n;
	int fd;

	if (core_path(path, sizeof path, root, "proc/self/mountinfo") < 0)
		return 0;
	if (core_file_open(path, 0, &fd) < 0)
		return 0;
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			h = 0;
			break;
		}
		h = core_fnv(h, buf, (size_t)n);
	}
	close(fd);
	return h;
}

/* The process found at the last gather still runs as java. */
static bool pid_still_java(const char *root, pid_t pid)
{
	char path[PATH_MAX], comm[32];

	if (pid == 0)
		return true;
	return core_path(path, sizeof path, root, "proc/%d/comm", (int)pid) == 0 &&
	       core_read_line(path, comm, sizeof comm) == 0 &&
	       strcmp(comm, "java") == 0;
}

/* The files the gather read, as they are now (paths from f, which the
 * gather filled in). */
static void keys_take(const struct facts *f, const char *root,
		      const struct conf *conf,
		      struct facts_file_key k[FACTS_CACHE_FILES])
{
	facts_file_key_take(root, f->kafka ? f->kafka_path : "", &k[0]);
	facts_file_key_take(root, f->zk ? f->zk_path : "", &k[1]);
	facts_file_key_take(root, conf->kafka_jaas, &k[2]);
	facts_file_key_take("/", conf->agent.tls_cert, &k[3]);
}

/* The mount table as the gather saw it: no read while the kernel said
 * no change since (mounts_gen), otherwise the digest decides. */
static bool mounts_same(const struct facts_cache *c, const char *root,
			uint64_t gen)
{
	if (gen != 0 && gen == c->mounts_gen)
		return true;
	return mounts_digest(root) == c->mounts_digest;
}

static bool still_valid(const struct facts_cache *c, const char *root,
			const struct conf *conf, unsigned roles,
			const struct facts_opts *opts, int64_t now_ms,
			uint64_t mounts_gen)
{
	const struct facts *f = &c->f;
	struct facts_file_key k[FACTS_CACHE_FILES];
	size_t i;

	if (!c->have || (opts && opts->live_zk) || roles != c->roles ||
	    now_ms - c->gathered_ms >= FACTS_CACHE_REFRESH_MS ||
	    now_ms < c->gathered_ms || strcmp(root, f->root) != 0)
		return false;
	keys_take(f, root, conf, k);
	for (i = 0; i < FACTS_CACHE_FILES; i++)
		if (!facts_file_key_same(&k[i], &c->files[i]))
			return false;
	if (!pid_still_java(root, f->os.kafka_pid) ||
	    !pid_still_java(root, f->os.zookeeper_pid))
		return false;
	return block_digest(root) == c->block_digest &&
	       mounts_same(c, root, mounts_gen);
}

/* What moves between two reports, read again into the kept facts. */
static void refresh_moving(struct facts_cache *c, const struct facts_opts *opts,
			   struct hw_nics *nics)
{
	struct facts *f = &c->f;
	struct hw_err err = { { 0 } };
	struct hw_memory mem;
	struct hw_nics fresh = { 0 };

	/* The DMI table's installed memory stays as the whole gather read
	 * it: firmware tables do not change while the host runs. */
	if (hw_meminfo_probe(f->root, &mem, &err) == 0) {
		mem.installed_bytes = f->inv.memory.installed_bytes;
		f->inv.memory = mem;
	}
	if (nics != NULL)
		facts_nics_replace(f, nics);
	else if (hw_nics_probe_lldp(f->root,
				    f->conf.lldp_socket[0] ? f->conf.lldp_socket
							   : NULL,
				    &fresh, &err) == 0)
		facts_nics_replace(f, &fresh);
	inventory_sensors_probe(f->root, opts ? opts->sensors_lib : NULL,
				&f->inv);
	facts_logdirs_restat(f);
	memset(&f->zk_live, 0, sizeof f->zk_live);
	f->zk_live_probed = false;
	memset(&f->zk_live_seen, 0, sizeof f->zk_live_seen);
}

void facts_cache_init(struct facts_cache *c)
{
	memset(c, 0, sizeof *c);
}

void facts_cache_free(struct facts_cache *c)
{
	if (c->have)
		facts_free(&c->f);
	c->have = false;
}

void facts_cache_invalidate(struct facts_cache *c)
{
	facts_cache_free(c);
}

/* The interval since the last call, and this reading kept for the next. */
static void flush_step(struct facts_cache *c, int64_t now_ms)
{
	struct flush_samples *cur = malloc(sizeof *cur);

	if (cur == NULL) {
		c->f.flush.sampled = false;
		snprintf(c->f.flush.why, sizeof c->f.flush.why,
			 "out of memory");
		return;
	}
	flush_sample_disks(c->f.root, &c->f.inv.disks, now_ms, cur);
	flush_facts_from(c->flush_have ? &c->flush_prev : NULL, cur,
			 &c->f.flush);
	c->flush_prev = *cur;
	c->flush_have = true;
	free(cur);
}

int facts_cache_gather(struct facts_cache *c, const char *root,
		       const struct conf *conf, unsigned roles,
		       const struct facts_opts *opts, int64_t now_ms,
		       struct hw_nics *nics, struct facts **out,
		       struct hw_err *err)
{
	/* Taken before any read: a change after it moves it again. */
	uint64_t mounts_gen = c->mounts_ev ? events_mounts_gen(c->mounts_ev) : 0;
	int r;

	if (still_valid(c, root, conf, roles, opts, now_ms, mounts_gen)) {
		c->mounts_gen = mounts_gen;
		/* The conf may be a new copy with the same content. */
		c->f.conf = *conf;
		refresh_moving(c, opts, nics);
		flush_step(c, now_ms);
		*out = &c->f;
		return 0;
	}
	if (nics != NULL)
		hw_nics_free(nics);
	facts_cache_free(c);
	/* Before the gather: a disk or mount that changes during it is seen
	 * at the next call. */
	c->block_digest = block_digest(root);
	c->mounts_digest = mounts_digest(root);
	c->mounts_gen = mounts_gen;
	r = facts_gather(root, conf, roles, opts, &c->f, err);
	if (r < 0)
		return r;
	c->have = true;
	c->roles = roles;
	c->gathered_ms = now_ms;
	c->whole_gathers++;
	/* A file rewritten between the gather's read and this stat is seen
	 * at the next refresh period. */
	keys_take(&c->f, root, conf, c->files);
	if (!(opts && opts->live_zk))
		flush_step(c, now_ms);
	*out = &c->f;
	return 0;
}
