/* The ZooKeeper client: ruok, srvr, mntr on a libuv loop, one TCP connection
 * per word because the server closes after each reply.  Every way out goes
 * through probe_finish(), which closes what is open; the user's callback
 * runs from the last close callback, so the caller may free the probe
 * there. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zk_probe.h"

typedef int (*zk_parse_fn)(const char *buf, size_t len, struct zk_status *st);

static const char *const words[] = {"ruok", "srvr", "mntr"};
static const zk_parse_fn parsers[] = {zk_parse_ruok, zk_parse_srvr,
				      zk_parse_mntr};
#define N_WORDS (sizeof words / sizeof words[0])

static void probe_connect(struct zk_probe *p);

/* "host:port", brackets around an IPv6 literal, short enough for a reason. */
static void probe_hostport(const struct zk_probe *p, char *buf, size_t cap)
{
	if (strchr(p->host, ':') != NULL)
		snprintf(buf, cap, "[%.100s]:%d", p->host, p->port);
	else
		snprintf(buf, cap, "%.100s:%d", p->host, p->port);
}

static void probe_maybe_done(struct zk_probe *p)
{
	struct zk_status st;

	if (!p->done || p->pending > 0)
		return;
	free(p->reply);
	p->reply = NULL;
	/* a copy: the callback may free p, and with it p->status */
	st = p->status;
	p->cb(p, &st, p->data);
}

static void probe_closed(uv_handle_t *h)
{
	struct zk_probe *p = h->data;

	p->pending--;
	if (p->done)
		probe_maybe_done(p);
	else if (h == (uv_handle_t *)&p->tcp)
		probe_connect(p); /* the next word or the next address */
}

static void probe_close_tcp(struct zk_probe *p)
{
	if (!p->tcp_open)
		return;
	p->tcp_open = false;
	uv_close((uv_handle_t *)&p->tcp, probe_closed);
}

static void probe_finish(struct zk_probe *p)
{
	if (p->done)
		return;
	p->done = true;
	if (p->resolving)
		uv_cancel((uv_req_t *)&p->gai);
	probe_close_tcp(p);
	uv_close((uv_handle_t *)&p->timer, probe_closed);
	probe_maybe_done(p);
}

static void probe_fail(struct zk_probe *p, enum zk_state state, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));

static void probe_fail(struct zk_probe *p, enum zk_state state, const char *fmt,
		       ...)
{
	char reason[sizeof p->status.reason];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	zk_status_set(&p->status, state, "%s", reason);
	probe_finish(p);
}

static void probe_timeout(uv_timer_t *t)
{
	struct zk_probe *p = t->data;
	char hp[128];

	probe_hostport(p, hp, sizeof hp);
	if (p->resolving)
		probe_fail(p, ZK_ERROR, "cannot resolve %.100s within %u ms",
			   p->host, p->timeout_ms);
	else
		probe_fail(p, ZK_ERROR, "no reply from %s within %u ms (%s)",
			   hp, p->timeout_ms, words[p->word]);
}

/* One word's reply is complete: fold it into the status and go on. */
static void probe_word_done(struct zk_probe *p)
{
	char hp[128];

	if (p->reply_len == 0) {
		probe_hostport(p, hp, sizeof hp);
		probe_fail(p, ZK_ERROR,
			   "%s closed the connection without "
			   "answering %s",
			   hp, words[p->word]);
		return;
	}
	parsers[p->word](p->reply, p->reply_len, &p->status);
	/* garbage or "not serving": the later words would say no more */
	if (p->status.state == ZK_ERROR || ++p->word == N_WORDS) {
		probe_finish(p);
		return;
	}
	probe_close_tcp(p);
}

static void probe_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct zk_probe *p = h->data;

	(void)hint;
	*buf = uv_buf_init(p->reply + p->reply_len,
			   (unsigned)(ZK_REPLY_MAX - p->reply_len));
}

static void probe_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct zk_probe *p = s->data;
	char hp[128];

	(void)buf;
	if (nread == 0 || p->done)
		return;
	if (nread == UV_EOF) {
		probe_word_done(p);
		return;
	}
	if (nread < 0) {
		probe_hostport(p, hp, sizeof hp);
		probe_fail(p, ZK_ERROR, "reading the %s reply from %s: %s",
			   words[p->word], hp, uv_strerror((int)nread));
		return;
	}
	p->reply_len += (size_t)nread;
	if (p->reply_len < ZK_REPLY_MAX)
		return;
	/* Parse what fits: the parsers drop the cut last line, and the keys
	 * that matter come first. */
	uv_read_stop(s);
	probe_word_done(p);
}

static void probe_written(uv_write_t *w, int status)
{
	struct zk_probe *p = w->data;
	char hp[128];

	if (status == 0 || p->done)
		return;
	probe_hostport(p, hp, sizeof hp);
	probe_fail(p, ZK_ERROR, "sending %s to %s: %s", words[p->word], hp,
		   uv_strerror(status));
}

static void probe_connect_failed(struct zk_probe *p, int status)
{
	char hp[128];

	/* "localhost" may give ::1 first to a server bound to 127.0.0.1 */
	if (status == UV_ECONNREFUSED && p->word == 0 &&
	    p->addr + 1 < p->n_addrs) {
		p->addr++;
		probe_close_tcp(p);
		return;
	}
	probe_hostport(p, hp, sizeof hp);
	if (status == UV_ECONNREFUSED)
		probe_fail(p, ZK_NOT_RUNNING, "nothing listens on %s", hp);
	else
		probe_fail(p, ZK_ERROR, "cannot connect to %s: %s", hp,
			   uv_strerror(status));
}

static void probe_connected(uv_connect_t *c, int status)
{
	struct zk_probe *p = c->data;
	uv_buf_t b;
	int r;

	if (p->done)
		return;
	if (status < 0) {
		probe_connect_failed(p, status);
		return;
	}
	b = uv_buf_init((char *)words[p->word], 4);
	r = uv_write(&p->write, (uv_stream_t *)&p->tcp, &b, 1, probe_written);
	if (r == 0)
		r = uv_read_start((uv_stream_t *)&p->tcp, probe_alloc,
				  probe_read);
	if (r < 0)
		probe_written(&p->write, r);
}

static void probe_connect(struct zk_probe *p)
{
	int r;

	r = uv_tcp_init(p->loop, &p->tcp);
	if (r < 0) {
		probe_fail(p, ZK_ERROR, "tcp: %s", uv_strerror(r));
		return;
	}
	p->tcp.data = p;
	p->tcp_open = true;
	p->pending++;
	p->reply_len = 0;
	p->connect.data = p;
	p->write.data = p;
	r = uv_tcp_connect(&p->connect, &p->tcp,
			   (const struct sockaddr *)&p->addrs[p->addr],
			   probe_connected);
	if (r < 0)
		probe_connect_failed(p, r);
}

static void probe_resolved(uv_getaddrinfo_t *req, int status,
			   struct addrinfo *res)
{
	struct zk_probe *p = req->data;
	struct addrinfo *ai;

	p->resolving = false;
	p->pending--;
	if (p->done) {
		uv_freeaddrinfo(res);
		probe_maybe_done(p);
		return;
	}
	if (status < 0) {
		probe_fail(p, ZK_ERROR, "cannot resolve %.100s: %s", p->host,
			   uv_strerror(status));
		return;
	}
	for (ai = res; ai && p->n_addrs < ZK_ADDRS_MAX; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (ai->ai_addrlen > sizeof p->addrs[0])
			continue;
		memcpy(&p->addrs[p->n_addrs++], ai->ai_addr, ai->ai_addrlen);
	}
	uv_freeaddrinfo(res);
	if (p->n_addrs == 0) {
		probe_fail(p, ZK_ERROR, "%.100s has no IPv4 or IPv6 address",
			   p->host);
		return;
	}
	probe_connect(p);
}

int zk_probe_start(uv_loop_t *loop, struct zk_probe *p, const char *host,
		   int port, unsigned timeout_ms, zk_probe_cb cb, void *data)
{
	struct addrinfo hints;
	char portstr[8];
	int r;

	if (loop == NULL || p == NULL || host == NULL || cb == NULL ||
	    host[0] == '\0' || strlen(host) >= sizeof p->host || port <= 0 ||
	    port > 65535 || timeout_ms == 0)
		return -EINVAL;
	memset(p, 0, sizeof *p);
	p->reply = malloc(ZK_REPLY_MAX);
	if (p->reply == NULL)
		return -ENOMEM;
	p->loop = loop;
	snprintf(p->host, sizeof p->host, "%s", host);
	p->port = port;
	p->timeout_ms = timeout_ms;
	p->cb = cb;
	p->data = data;
	zk_status_init(&p->status);
	r = uv_timer_init(loop, &p->timer);
	if (r < 0) {
		free(p->reply);
		p->reply = NULL;
		return r;
	}
	/* From here on every outcome goes through cb. */
	p->timer.data = p;
	p->pending = 1;
	uv_timer_start(&p->timer, probe_timeout, timeout_ms, 0);

	if (uv_ip4_addr(host, port, (struct sockaddr_in *)&p->addrs[0]) == 0 ||
	    uv_ip6_addr(host, port, (struct sockaddr_in6 *)&p->addrs[0]) == 0) {
		p->n_addrs = 1;
		probe_connect(p);
		return 0;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof portstr, "%d", port);
	p->gai.data = p;
	r = uv_getaddrinfo(loop, &p->gai, probe_resolved, host, portstr,
			   &hints);
	if (r < 0) {
		probe_fail(p, ZK_ERROR, "cannot resolve %.100s: %s", host,
			   uv_strerror(r));
		return 0;
	}
	p->resolving = true;
	p->pending++;
	return 0;
}

static void probe_run_done(struct zk_probe *p, const struct zk_status *st,
			   void *data)
{
	(void)p;
	*(struct zk_status *)data = *st;
}

int zk_probe_run(const char *host, int port, unsigned timeout_ms,
		 struct zk_status *out)
{
	struct zk_probe p;
	uv_loop_t loop;
	int r;

	if (out == NULL)
		return -EINVAL;
	r = uv_loop_init(&loop);
	if (r < 0)
		return r;
	r = zk_probe_start(&loop, &p, host, port, timeout_ms, probe_run_done,
			   out);
	if (r == 0)
		uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	return r;
}
