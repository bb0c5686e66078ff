/*
 * tls_conn_mem — what one idle TLS connection costs the collector, and
 * where OpenSSL keeps it.
 *
 *   tls_conn_mem --ca CA.pem --cert SERVER.pem --key SERVER.key
 *                --client-cert C.pem --client-key C.key [--conns N]
 *
 * The parent plays the collector: it accepts N connections through
 * proto_stream_tls_start with the contexts proto_tls_init builds (the
 * collector's settings), reads one small frame from each, and then counts
 * the heap it holds.  A child process plays N agents through the same
 * proto_stream code and stays connected until the parent has counted, so
 * none of the clients' memory is in the parent's figures.
 *
 * OpenSSL's allocations are routed through CRYPTO_set_mem_functions and
 * counted per allocation site (file:line inside OpenSSL), live bytes only;
 * malloc_usable_size would include allocator slack, which mallinfo2's
 * total below does.  Printed: the heap per connection (mallinfo2
 * uordblks, after minus before, over N), OpenSSL's share of it, and the
 * ten sites holding the most.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <uv.h>

#include "stream.h"
#include "tls.h"

#define SITES_MAX 2048
#define CONNS_MAX 20000

struct site {
	const char *file;
	int line;
	long bytes;
	long allocs;
	long base_bytes; /* at the baseline, before any connection */
	long base_allocs;
};

struct hdr {
	size_t size;
	const char *file;
	int line;
	int counted;
	long pad; /* keeps the payload 16-byte aligned */
};

/* OpenSSL calls these from anywhere; one process, one thread, so plain
 * statics are the allocator's own bookkeeping, not program state. */
static struct site sites[SITES_MAX];
static size_t n_sites;
static long live_bytes;
static long live_allocs;

static void site_add(const char *file, int line, long bytes, long allocs)
{
	size_t i;

	for (i = 0; i < n_sites; i++)
		if (sites[i].line == line && sites[i].file == file)
			break;
	if (i == n_sites) {
		if (n_sites == SITES_MAX)
			return;
		sites[n_sites++] = (struct site){ file, line, 0, 0, 0, 0 };
	}
	sites[i].bytes += bytes;
	sites[i].allocs += allocs;
	live_bytes += bytes;
	live_allocs += allocs;
}

static void *mem_alloc(size_t n, const char *file, int line)
{
	struct hdr *h = malloc(sizeof *h + n);

	if (h == NULL)
		return NULL;
	*h = (struct hdr){ .size = n, .file = file, .line = line, .counted = 1 };
	site_add(file, line, (long)n, 1);
	return h + 1;
}

static void mem_free(void *p, const char *file, int line)
{
	struct hdr *h;

	(void)file;
	(void)line;
	if (p == NULL)
		return;
	h = (struct hdr *)p - 1;
	site_add(h->file, h->line, -(long)h->size, -1);
	free(h);
}

static void *mem_realloc(void *p, size_t n, const char *file, int line)
{
	struct hdr *h;
	void *q;

	if (p == NULL)
		return mem_alloc(n, file, line);
	if (n == 0) {
		mem_free(p, file, line);
		return NULL;
	}
	h = (struct hdr *)p - 1;
	q = mem_alloc(n, file, line);
	if (q == NULL)
		return NULL;
	memcpy(q, p, h->size < n ? h->size : n);
	mem_free(p, file, line);
	return q;
}

struct side {
	uv_loop_t *loop;
	struct proto_tls tls;
	struct proto_stream *st;
	bool *got; /* the server read this stream's hello */
	unsigned n, want, done, closed;
	uint8_t rbuf[65536];
	bool server;
};

static void on_read(struct proto_stream *s, const uint8_t *buf, size_t len)
{
	struct side *sd = s->data;

	size_t i = (size_t)(s - sd->st);

	(void)buf;
	/* The server counts a connection once its first bytes arrived:
	 * handshake done and the record layer used once, as after a hello. */
	if (!sd->server || len == 0 || sd->got[i])
		return;
	sd->got[i] = true;
	if (++sd->done == sd->want)
		uv_stop(sd->loop);
}

static void on_close(struct proto_stream *s, const char *why)
{
	struct side *sd = s->data;

	if (why[0] && sd->done < sd->want)
		fprintf(stderr, "tls_conn_mem: connection closed: %s\n", why);
	sd->closed++;
}

static void on_handshake(struct proto_stream *s, const char *identity)
{
	struct side *sd = s->data;
	static const uint8_t hello[] = "hello";

	(void)identity;
	if (!sd->server && proto_stream_write(s, hello, sizeof hello) < 0)
		proto_stream_close(s, "write failed");
}

static void on_wait_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	static char c[16];

	(void)h;
	(void)hint;
	*buf = uv_buf_init(c, sizeof c);
}

/* The parent closed its end: it has counted. */
static void on_wait_read(uv_stream_t *p, ssize_t n, const uv_buf_t *buf)
{
	(void)buf;
	if (n < 0)
		uv_stop(p->loop);
}

static struct proto_stream *stream_new(struct side *sd)
{
	struct proto_stream *s;

	if (sd->n == sd->want)
		return NULL;
	s = &sd->st[sd->n++];
	if (proto_stream_init(sd->loop, s, sd, sd->rbuf, sizeof sd->rbuf,
			      1u << 20, on_read, on_close) < 0)
		return NULL;
	s->on_handshake = on_handshake;
	return s;
}

static void on_conn(uv_stream_t *l, int status)
{
	struct side *sd = l->data;
	struct proto_stream *s;

	if (status < 0 || (s = stream_new(sd)) == NULL) {
		fprintf(stderr, "tls_conn_mem: accept: %s\n",
			status < 0 ? uv_strerror(status) : "too many");
		return;
	}
	if (uv_accept(l, (uv_stream_t *)&s->tcp) < 0 ||
	    proto_stream_tls_start(s, &sd->tls, true, NULL) < 0)
		proto_stream_close(s, "accept failed");
}

static void on_connected(uv_connect_t *req, int status)
{
	struct proto_stream *s = req->handle->data;
	struct side *sd = s->data;

	free(req);
	if (status < 0 || proto_stream_tls_start(s, &sd->tls, false, NULL) < 0) {
		fprintf(stderr, "tls_conn_mem: connect: %s\n",
			status < 0 ? uv_strerror(status) : "tls start");
		exit(1);
	}
}

/* The agents: connect every one, handshake, say hello, then wait for the
 * parent to finish counting (it closes the pipe). */
static int run_clients(const struct proto_tls_config *cfg,
		       const struct sockaddr_in *addr, unsigned n, int wait_fd)
{
	struct side *sd = calloc(1, sizeof *sd);
	uv_pipe_t wait_pipe;
	char err[256];
	unsigned i;

	if (sd == NULL || (sd->st = calloc(n, sizeof *sd->st)) == NULL)
		return 1;
	sd->loop = uv_default_loop();
	sd->want = n;
	if (proto_tls_init(&sd->tls, cfg, err, sizeof err) < 0) {
		fprintf(stderr, "tls_conn_mem: client: %s\n", err);
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct proto_stream *s = stream_new(sd);
		uv_connect_t *req = malloc(sizeof *req);

		if (s == NULL || req == NULL ||
		    uv_tcp_connect(req, &s->tcp, (const struct sockaddr *)addr,
				   on_connected) < 0)
			return 1;
	}
	/* Every connection stays open until the parent has counted. */
	if (uv_pipe_init(sd->loop, &wait_pipe, 0) < 0 ||
	    uv_pipe_open(&wait_pipe, wait_fd) < 0 ||
	    uv_read_start((uv_stream_t *)&wait_pipe, on_wait_alloc,
			  on_wait_read) < 0)
		return 1;
	uv_run(sd->loop, UV_RUN_DEFAULT);
	return 0;
}

static int cmp_sites(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ca", required_argument, NULL, 'a' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "client-cert", required_argument, NULL, 'C' },
		{ "client-key", required_argument, NULL, 'K' },
		{ "conns", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct proto_tls_config scfg = { 0 }, ccfg = { 0 };
	struct sockaddr_in addr;
	struct mallinfo2 m0, m1;
	struct side *sd;
	uv_tcp_t lis;
	long n = 1000, os0, oa0;
	int ch, len = sizeof addr, pfd[2], status;
	char err[256];
	pid_t child;
	size_t i;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'a': scfg.ca = ccfg.ca = optarg; break;
		case 'c': scfg.cert = optarg; break;
		case 'k': scfg.key = optarg; break;
		case 'C': ccfg.cert = optarg; break;
		case 'K': ccfg.key = optarg; break;
		case 'n':
			n = strtol(optarg, NULL, 10);
			if (n < 1 || n > CONNS_MAX) {
				fprintf(stderr, "tls_conn_mem: --conns: 1 to %d\n",
					CONNS_MAX);
				return 2;
			}
			break;
		default: return 2;
		}
	}
	if (!scfg.ca || !scfg.cert || !scfg.key || !ccfg.cert || !ccfg.key) {
		fprintf(stderr, "usage: tls_conn_mem --ca F --cert F --key F "
				"--client-cert F --client-key F [--conns N]\n");
		return 2;
	}
	if (!CRYPTO_set_mem_functions(mem_alloc, mem_realloc, mem_free)) {
		fprintf(stderr, "tls_conn_mem: OpenSSL allocated before main\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	sd = calloc(1, sizeof *sd);
	if (sd == NULL || (sd->st = calloc((size_t)n, sizeof *sd->st)) == NULL ||
	    (sd->got = calloc((size_t)n, sizeof *sd->got)) == NULL)
		return 1;
	sd->loop = uv_default_loop();
	sd->want = (unsigned)n;
	sd->server = true;
	if (proto_tls_init(&sd->tls, &scfg, err, sizeof err) < 0) {
		fprintf(stderr, "tls_conn_mem: %s\n", err);
		return 1;
	}
	uv_ip4_addr("127.0.0.1", 0, &addr);
	lis.data = sd;
	if (uv_tcp_init(sd->loop, &lis) < 0 ||
	    uv_tcp_bind(&lis, (const struct sockaddr *)&addr, 0) < 0 ||
	    uv_listen((uv_stream_t *)&lis, 1024, on_conn) < 0 ||
	    uv_tcp_getsockname(&lis, (struct sockaddr *)&addr, &len) < 0) {
		fprintf(stderr, "tls_conn_mem: listen failed\n");
		return 1;
	}
	if (pipe(pfd) < 0)
		return 1;
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		close(pfd[1]);
		/* The child inherits the listener; left open it would
		 * accept some of its own connections. */
		uv_loop_fork(sd->loop);
		uv_close((uv_handle_t *)&lis, NULL);
		_exit(run_clients(&ccfg, &addr, (unsigned)n, pfd[0]));
	}
	close(pfd[0]);
	/* Before: the context built, the listener up, nothing accepted. */
	malloc_trim(0);
	m0 = mallinfo2();
	os0 = live_bytes;
	oa0 = live_allocs;
	for (i = 0; i < n_sites; i++) {
		sites[i].base_bytes = sites[i].bytes;
		sites[i].base_allocs = sites[i].allocs;
	}
	uv_run(sd->loop, UV_RUN_DEFAULT);
	malloc_trim(0);
	m1 = mallinfo2();
	printf("connections: %u handshaken, TLS 1.3 (%s)\n", sd->done,
	       sd->n ? proto_stream_tls_version(&sd->st[0]) : "");
	/* Less the counting headers this program adds to every OpenSSL
	 * allocation, which the collector does not have. */
	printf("heap per connection: %.0f bytes (malloc'd by the whole "
	       "process; the proto_stream itself is %zu)\n",
	       ((double)(m1.uordblks - m0.uordblks) -
		(double)(live_allocs - oa0) * sizeof(struct hdr)) / n,
	       sizeof(struct proto_stream));
	printf("of which OpenSSL: %.0f bytes\n",
	       (double)(live_bytes - os0) / n);
	for (i = 0; i < n_sites; i++) {
		sites[i].bytes -= sites[i].base_bytes;
		sites[i].allocs -= sites[i].base_allocs;
	}
	qsort(sites, n_sites, sizeof sites[0], cmp_sites);
	for (i = 0; i < 10 && i < n_sites; i++)
		printf("  %6.0f B %5.1f allocs  %s:%d\n",
		       (double)sites[i].bytes / n, (double)sites[i].allocs / n,
		       sites[i].file, sites[i].line);
	close(pfd[1]);
	waitpid(child, &status, 0);
	if (sd->done != (unsigned)n) {
		fprintf(stderr, "tls_conn_mem: %u of %ld connections counted\n",
			sd->done, n);
		return 1;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
