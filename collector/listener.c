/* A listening socket that stays in the collector's hands under a flood.
 *
 * libuv's uv_listen accepts inside the library and, at EMFILE, closes the
 * excess itself without telling the owner, so a collector out of
 * descriptors refused everyone silently.  Here the collector accepts:
 *  - at EMFILE or ENFILE it gives up a reserve descriptor (kept open on
 *    /dev/null), accepts the waiting connection, closes it and reopens
 *    the reserve, so the backlog drains instead of waking the loop for
 *    ever, and logs the episode once, when it starts and when it ends;
 *  - a connection is refused (accepted and closed at once) when the
 *    connections not yet authenticated, in all or from its address, are
 *    at their caps, so a flood from a few addresses leaves descriptors to
 *    the agents and readers already admitted;
 *  - a connection not authenticated within the timeout is closed; the
 *    pending list is in accept order and all share one timeout, so the
 *    sweep looks at its head only.
 * Episodes of refusals for the caps end after a quiet second. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "coll_limits.h"
#include "core_log.h"

#define SWEEP_MS	  100
#define ACCEPTS_PER_WAKE  256
#define EPISODE_QUIET_MS  1000
#define ADDR_BUCKETS	  256

static const char *const refuse_names[COLL_REFUSE_N] = {
    [COLL_REFUSE_PENDING] = "pending",
    [COLL_REFUSE_PENDING_ADDR] = "pending_per_address",
    [COLL_REFUSE_DESCRIPTORS] = "descriptors",
};

static const char *const port_names[COLL_PORT_N] = {
    [COLL_PORT_AGENTS] = "agents",
    [COLL_PORT_HTTP] = "http",
};

const char *coll_refuse_name(enum coll_refuse r)
{
	return (unsigned)r < COLL_REFUSE_N ? refuse_names[r] : "unknown";
}

const char *coll_port_name(enum coll_port p)
{
	return (unsigned)p < COLL_PORT_N ? port_names[p] : "unknown";
}

void coll_addr_name(const uint8_t a[16], char *buf, size_t len)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
					   0, 0, 0, 0, 0xff, 0xff};

	if (memcmp(a, mapped, 12) == 0)
		inet_ntop(AF_INET, a + 12, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, a, buf, (socklen_t)len);
}

static void addr_key(const struct sockaddr_storage *ss, uint8_t out[16])
{
	memset(out, 0, 16);
	if (ss->ss_family == AF_INET) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12,
		       &((const struct sockaddr_in *)ss)->sin_addr.s_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		memcpy(out, ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr,
		       16);
	}
}

static const char *refuse_why(enum coll_refuse r)
{
	switch (r) {
	case COLL_REFUSE_PENDING:
		return "the connections not yet authenticated are at "
		       "max_pending";
	case COLL_REFUSE_PENDING_ADDR:
		return "the connections not yet authenticated from one "
		       "address are at max_pending_per_address";
	default:
		return "no file descriptor left (RLIMIT_NOFILE)";
	}
}

static void episode_count(struct coll_listener *l, enum coll_refuse r,
			  const uint8_t *addr)
{
	char a[INET6_ADDRSTRLEN] = "?";

	l->ctr.refused[r]++;
	l->episode_refused[r]++;
	l->last_refused_ms[r] = uv_now(l->poll.loop);
	if (l->in_episode[r])
		return;
	l->in_episode[r] = true;
	if (r == COLL_REFUSE_DESCRIPTORS)
		l->ctr.fd_episodes++;
	if (addr != NULL)
		coll_addr_name(addr, a, sizeof a);
	core_log(LOG_WARNING, "%s port: refusing new connections (first from "
		"%s): %s",
		l->name, addr ? a : "an unknown address", refuse_why(r));
}

static void episode_end(struct coll_listener *l, enum coll_refuse r)
{
	if (!l->in_episode[r])
		return;
	l->in_episode[r] = false;
	core_log(LOG_NOTICE, "%s port: accepting again; %llu connection%s "
		"refused (%s)",
		l->name, (unsigned long long)l->episode_refused[r],
		l->episode_refused[r] == 1 ? "" : "s", refuse_names[r]);
	l->episode_refused[r] = 0;
}

static void reserve_open(struct coll_listener *l)
{
	if (l->reserve_fd < 0)
		l->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* Out of descriptors: one waiting connection accepted on the reserve's
 * number and closed.  false when nothing more can be done now. */
static bool refuse_without_fd(struct coll_listener *l)
{
	int fd;

	if (l->reserve_fd < 0) {
		/* Nothing to give up: wait for the sweep to retry rather
		 * than wake on the same backlog for ever. */
		uv_poll_stop(&l->poll);
		l->paused = true;
		return false;
	}
	close(l->reserve_fd);
	l->reserve_fd = -1;
	fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		episode_count(l, COLL_REFUSE_DESCRIPTORS, NULL);
	}
	reserve_open(l);
	return fd >= 0;
}

static void on_listen(uv_poll_t *h, int status, int events)
{
	struct coll_listener *l = h->data;
	struct sockaddr_storage ss;
	socklen_t sl;
	uint8_t addr[16];
	int i, fd;

	(void)events;
	if (status < 0)
		return;
	for (i = 0; i < ACCEPTS_PER_WAKE && !l->closed; i++) {
		sl = sizeof ss;
		fd = accept4(l->fd, (struct sockaddr *)&ss, &sl,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				if (!refuse_without_fd(l))
					return;
				continue;
			}
			/* EAGAIN: drained; ECONNABORTED and the like concern
			 * one connection only. */
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			continue;
		}
		episode_end(l, COLL_REFUSE_DESCRIPTORS);
		addr_key(&ss, addr);
		if (l->ctr.pending >= l->max_pending) {
			close(fd);
			episode_count(l, COLL_REFUSE_PENDING, addr);
			continue;
		}
		if (coll_tally_get(&l->by_addr, addr, 16) >=
		    l->max_pending_addr) {
			close(fd);
			episode_count(l, COLL_REFUSE_PENDING_ADDR, addr);
			continue;
		}
		l->on_accept(l, fd, addr);
	}
}

static void log_expired(struct coll_listener *l, unsigned n,
			const uint8_t *first)
{
	char a[INET6_ADDRSTRLEN];

	coll_addr_name(first, a, sizeof a);
	core_log(LOG_WARNING, "%s port: %u connection%s closed, not "
		"authenticated within %u ms (first from %s)",
		l->name, n, n == 1 ? "" : "s", l->timeout_ms, a);
}

static void on_sweep(uv_timer_t *t)
{
	struct coll_listener *l = t->data;
	uint64_t now = uv_now(t->loop);
	struct coll_pending *p;
	uint8_t first[16];
	unsigned n = 0;
	int r;

	while ((p = TAILQ_FIRST(&l->pending)) != NULL &&
	       (uint64_t)p->deadline_ms <= now) {
		if (n++ == 0)
			memcpy(first, p->addr, 16);
		coll_pending_done(l, p);
		l->ctr.timeouts++;
		l->on_expire(l, p);
	}
	if (n > 0)
		log_expired(l, n, first);
	for (r = 0; r < COLL_REFUSE_N; r++)
		if (r != COLL_REFUSE_DESCRIPTORS && l->in_episode[r] &&
		    now - l->last_refused_ms[r] >= EPISODE_QUIET_MS)
			episode_end(l, r);
	if (l->paused) {
		reserve_open(l);
		if (l->reserve_fd >= 0 &&
		    uv_poll_start(&l->poll, UV_READABLE, on_listen) == 0)
			l->paused = false;
	}
}

void coll_pending_add(struct coll_listener *l, struct coll_pending *p,
		      const uint8_t addr[16])
{
	if (p->active)
		return;
	memcpy(p->addr, addr, 16);
	p->deadline_ms = (int64_t)(uv_now(l->poll.loop) + l->timeout_ms);
	p->addr_counted =
	    coll_tally_add(&l->by_addr, p->addr, 16, 1, NULL) == 0;
	p->active = true;
	TAILQ_INSERT_TAIL(&l->pending, p, link);
	l->ctr.pending++;
}

void coll_pending_done(struct coll_listener *l, struct coll_pending *p)
{
	if (!p->active)
		return;
	p->active = false;
	TAILQ_REMOVE(&l->pending, p, link);
	if (p->addr_counted)
		coll_tally_add(&l->by_addr, p->addr, 16, -1, NULL);
	l->ctr.pending--;
}

static int listen_socket(const struct sockaddr *addr, int backlog, int *out)
{
	socklen_t len = addr->sa_family == AF_INET6
			    ? sizeof(struct sockaddr_in6)
			    : sizeof(struct sockaddr_in);
	int fd, on = 1, r = 0;

	fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	/* As uv_tcp_bind: a restart must not wait for TIME_WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 ||
	    bind(fd, addr, len) < 0 || listen(fd, backlog) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	*out = fd;
	return 0;
}

int coll_listener_start(struct coll_listener *l, uv_loop_t *loop,
			const struct sockaddr *addr, int backlog)
{
	int r;

	l->fd = -1;
	l->reserve_fd = -1;
	TAILQ_INIT(&l->pending);
	l->inited = true;
	r = coll_tally_init(&l->by_addr, ADDR_BUCKETS);
	if (r < 0)
		return r;
	r = listen_socket(addr, backlog, &l->fd);
	if (r < 0)
		return r;
	reserve_open(l);
	r = uv_poll_init_socket(loop, &l->poll, l->fd);
	if (r < 0)
		return r;
	l->poll.data = l;
	uv_timer_init(loop, &l->sweep);
	l->sweep.data = l;
	uv_timer_start(&l->sweep, on_sweep, SWEEP_MS, SWEEP_MS);
	return uv_poll_start(&l->poll, UV_READABLE, on_listen);
}

/* After the loop has closed the handles (coll_stop walks them all). */
void coll_listener_free(struct coll_listener *l)
{
	if (!l->inited)
		return;
	l->closed = true;
	if (l->fd >= 0)
		close(l->fd);
	if (l->reserve_fd >= 0)
		close(l->reserve_fd);
	l->fd = l->reserve_fd = -1;
	coll_tally_free(&l->by_addr);
}
