/*
 * coll_limits.h — what keeps kcollectord serving under a flood of connections:
 * its own accept loop with a reserve descriptor, caps on connections not
 * yet authenticated (in all and per source address) with a deadline, and
 * caps on the bytes of partial frames held (in all and per identity).
 *
 * One section per file: tally.c, listener.c, held.c, process.c; the
 * settings are read by config_limits.c.
 */
#ifndef KAGENT_COLL_LIMITS_H
#define KAGENT_COLL_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/types.h>

#include <uv.h>

/* ---- tally.c: amounts by key (an address, an identity) ---- */

struct coll_tally_entry;
LIST_HEAD(coll_tally_bucket, coll_tally_entry);

/* Only keys with a non-zero amount are kept: memory follows what is
 * held, not every key ever seen. */
struct coll_tally {
	struct coll_tally_bucket *b;
	size_t n_buckets;
	size_t n; /* keys held */
};

#define COLL_TALLY_KEY_MAX 256

int coll_tally_init(struct coll_tally *t, size_t n_buckets);
void coll_tally_free(struct coll_tally *t);
/* 0 for a key not held. */
uint64_t coll_tally_get(const struct coll_tally *t, const void *key,
			size_t len);
/* Adds delta (negative to release) to key's amount; *now (may be NULL)
 * is the new amount.  -ENOMEM, -EINVAL for a key above
 * COLL_TALLY_KEY_MAX or an amount that would go below 0. */
int coll_tally_add(struct coll_tally *t, const void *key, size_t len,
		   int64_t delta, uint64_t *now);

/* ---- listener.c: accept, refuse, time out ---- */

enum coll_port {
	COLL_PORT_AGENTS,
	COLL_PORT_HTTP,
	COLL_PORT_N,
};

/* Why a connection was accepted and closed at once. */
enum coll_refuse {
	COLL_REFUSE_PENDING,	  /* max_pending not yet authenticated */
	COLL_REFUSE_PENDING_ADDR, /* max_pending_per_address from its
				     address */
	COLL_REFUSE_DESCRIPTORS,  /* no descriptor left (EMFILE, ENFILE) */
	COLL_REFUSE_N,
};

struct coll_listen_counters {
	uint64_t refused[COLL_REFUSE_N];
	uint64_t timeouts; /* closed for not authenticating in time */
	uint64_t fd_episodes; /* times the descriptor limit was reached */
	uint64_t pending;     /* gauge: accepted, not yet authenticated */
};

/* A connection not yet authenticated, embedded in the owner's struct:
 * the listener counts it against the caps and closes it through
 * on_expire at its deadline. */
struct coll_pending {
	TAILQ_ENTRY(coll_pending) link;
	int64_t deadline_ms;
	uint8_t addr[16]; /* IPv6, IPv4 mapped */
	bool active;
	bool addr_counted; /* in by_addr (not when that had no memory) */
};
TAILQ_HEAD(coll_pending_q, coll_pending);

struct coll_listener;
/* A connection passed the caps: fd is the accepted socket (non-blocking,
 * close-on-exec) from addr; the owner counts it with coll_pending_add,
 * and closes fd itself when it cannot take it. */
typedef void (*coll_accept_cb)(struct coll_listener *l, int fd,
			       const uint8_t addr[16]);
/* The deadline of p passed: close its connection (p is already out of
 * the count). */
typedef void (*coll_expire_cb)(struct coll_listener *l,
			       struct coll_pending *p);

struct coll_listener {
	uv_poll_t poll;
	uv_timer_t sweep;
	int fd;		/* listening socket */
	int reserve_fd; /* /dev/null, given up to accept one at EMFILE */
	void *data;	/* the owner's */
	const char *name; /* "agents", "http": logs */
	coll_accept_cb on_accept;
	coll_expire_cb on_expire;
	unsigned max_pending;
	unsigned max_pending_addr;
	unsigned timeout_ms;
	struct coll_pending_q pending;
	struct coll_tally by_addr;
	/* An episode is logged when it starts and when it ends, with how
	 * many connections it refused, not once per connection. */
	bool in_episode[COLL_REFUSE_N];
	uint64_t episode_refused[COLL_REFUSE_N];
	uint64_t last_refused_ms[COLL_REFUSE_N];
	struct coll_listen_counters ctr;
	bool inited;
	bool paused; /* out of descriptors and of the reserve */
	bool closed;
};

/* Binds addr, listens and starts accepting on loop; set data, name,
 * on_accept, on_expire and the three limits first.  -errno. */
int coll_listener_start(struct coll_listener *l, uv_loop_t *loop,
			const struct sockaddr *addr, int backlog);
/* Once the loop has closed its handles: the sockets and the tally. */
void coll_listener_free(struct coll_listener *l);
/* Counts a connection just accepted from addr as pending; its deadline
 * starts now. */
void coll_pending_add(struct coll_listener *l, struct coll_pending *p,
		      const uint8_t addr[16]);
/* Authenticated (or closing): out of the count.  Idempotent. */
void coll_pending_done(struct coll_listener *l, struct coll_pending *p);
/* An address key as text: IPv4 for a mapped one. */
void coll_addr_name(const uint8_t a[16], char *buf, size_t len);
/* Names for logs and /metrics. */
const char *coll_refuse_name(enum coll_refuse r);
const char *coll_port_name(enum coll_port p);

/* ---- held.c: bytes of partial frames ---- */

struct coll_held {
	struct coll_tally by_id;
	uint64_t total;
	uint64_t max_total;
	uint64_t max_per_id;
};

int coll_held_init(struct coll_held *h, uint64_t max_total,
		   uint64_t max_per_id);
void coll_held_free(struct coll_held *h);
/* The connection of identity id now holds now_bytes (was *mine, which is
 * updated).  -ENOSPC when the total is then above max_total, -EDQUOT
 * when id's is above max_per_id: the caller closes that connection and
 * sets 0.  Releasing (0) always succeeds. */
int coll_held_set(struct coll_held *h, const char *id, uint64_t *mine,
		  uint64_t now_bytes);

/* ---- process.c: descriptors and privileges of the process ---- */

/* Started as root: the database's files (db, NULL for none: PostgreSQL)
 * go to user, then the process
 * becomes user with no capability and no_new_privs.  Started as anyone
 * else it only drops the capabilities it has.  err names the user or the
 * file. */
int coll_privdrop(const char *user, const char *db, char *err, size_t errlen);
/* privdrop.c: as root (change_id), becomes uid/gid with its primary group
 * only; in any case empties every capability set (the bounding one when
 * it may), sets no_new_privs, and checks that all of it holds. */
int coll_drop_to(bool change_id, uid_t uid, gid_t gid, char *err,
		 size_t errlen);

/* Raises the soft descriptor limit to the hard one; *soft is the limit in
 * force afterwards. */
int coll_nofile_raise(uint64_t *soft, uint64_t *hard);

#endif
