/* The control socket: `kagent status` sends one line, "status", and reads
 * one JSON document back, then the connection closes.  Every client has
 * CONTROL_CLIENT_MS for that; at CONTROL_CLIENTS_MAX the oldest silent
 * one is closed for the newcomer, so idle connections never lock the
 * operators out.  The socket is mode
 * 0660 so that the group of operators may ask without root. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"

#define CONTROL_LINE_MAX 64

/* One connection: its pipe and its deadline timer, freed once both are
 * closed.  answering: the request is read and the reply on its way, so
 * it is not idle and never evicted. */
struct control_client {
	uv_pipe_t pipe;
	uv_timer_t timer;
	struct control *c;
	TAILQ_ENTRY(control_client) link;
	char line[CONTROL_LINE_MAX];
	size_t len;
	int open_handles;
	bool closing;
	bool answering;
};

struct control_write {
	uv_write_t req;
	uv_shutdown_t shut;
	char *text;
};

static void on_handle_closed(uv_handle_t *h)
{
	struct control_client *cl = h->data;

	if (--cl->open_handles > 0)
		return;
	cl->c->clients--;
	free(cl);
}

static void client_close(struct control_client *cl)
{
	if (cl->closing)
		return;
	cl->closing = true;
	TAILQ_REMOVE(&cl->c->list, cl, link);
	uv_close((uv_handle_t *)&cl->timer, on_handle_closed);
	uv_close((uv_handle_t *)&cl->pipe, on_handle_closed);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
	struct control_write *w = req->data;

	(void)status;
	free(w->text);
	free(w);
}

/* The reply is out: the write side is shut, and the connection closes
 * when the client closes its end (or at the deadline).  Closing at once
 * would, with request bytes still unread, reset the connection and lose
 * the reply on the client's side. */
static void on_written(uv_write_t *req, int status)
{
	struct control_write *w = (struct control_write *)req;
	struct control_client *cl = req->data;

	w->shut.data = w;
	if (status < 0 || cl->closing ||
	    uv_shutdown(&w->shut, (uv_stream_t *)&cl->pipe, on_shutdown) < 0) {
		free(w->text);
		free(w);
		client_close(cl);
	}
}

/* The one reply of a connection, which then closes. */
static void answer(struct control_client *cl, const char *text)
{
	struct control_write *w = malloc(sizeof *w);
	uv_buf_t b;

	cl->answering = true;
	if (w == NULL || (w->text = strdup(text)) == NULL) {
		free(w);
		client_close(cl);
		return;
	}
	w->req.data = cl;
	b = uv_buf_init(w->text, (unsigned)strlen(w->text));
	if (uv_write(&w->req, (uv_stream_t *)&cl->pipe, &b, 1, on_written) < 0) {
		free(w->text);
		free(w);
		client_close(cl);
	}
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct control_client *cl = h->data;

	(void)hint;
	if (cl->answering) /* what follows the request is read and dropped */
		cl->len = 0;
	buf->base = cl->line + cl->len;
	buf->len = sizeof cl->line - 1 - cl->len;
}

/* A request is "status" and a newline; anything else gets an error
 * reply, never silence: a NUL, a line too long, an unknown word. */
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct control_client *cl = s->data;
	char *nl, *json;

	(void)buf;
	if (n < 0) {
		client_close(cl);
		return;
	}
	if (n == 0 || cl->answering)
		return;
	cl->len += (size_t)n;
	if (memchr(cl->line, '\0', cl->len) != NULL) {
		answer(cl, "{\"error\":\"request holds a NUL byte (valid: "
			   "status)\"}\n");
		return;
	}
	cl->line[cl->len] = '\0';
	nl = strchr(cl->line, '\n');
	if (nl == NULL) {
		if (cl->len == sizeof cl->line - 1)
			answer(cl, "{\"error\":\"request too long (valid: "
				   "status)\"}\n");
		return;
	}
	*nl = '\0';
	if (strcmp(cl->line, "status") != 0) {
		answer(cl, "{\"error\":\"unknown request (valid: status)\"}\n");
		return;
	}
	json = cl->c->status(cl->c->arg);
	answer(cl, json ? json : "{\"error\":\"out of memory\"}\n");
	free(json);
}

static void on_deadline(uv_timer_t *t)
{
	struct control_client *cl = t->data;

	cl->c->timed_out++;
	client_close(cl);
}

/* At the cap, the oldest client still silent makes room: a client that
 * connects and never writes must not lock operators out. */
static bool make_room(struct control *c)
{
	struct control_client *cl;

	if (c->clients < CONTROL_CLIENTS_MAX)
		return true;
	TAILQ_FOREACH(cl, &c->list, link) {
		if (!cl->answering && !cl->closing) {
			c->evicted++;
			client_close(cl);
			return true;
		}
	}
	return false;
}

static void on_connection(uv_stream_t *server, int status)
{
	struct control *c = server->data;
	struct control_client *cl;
	bool room;

	if (status < 0)
		return;
	room = make_room(c);
	cl = calloc(1, sizeof *cl);
	if (cl == NULL)
		return;
	if (uv_pipe_init(server->loop, &cl->pipe, 0) < 0) {
		free(cl);
		return;
	}
	uv_timer_init(server->loop, &cl->timer);
	cl->c = c;
	cl->pipe.data = cl;
	cl->timer.data = cl;
	cl->open_handles = 2;
	c->clients++;
	TAILQ_INSERT_TAIL(&c->list, cl, link);
	if (uv_accept(server, (uv_stream_t *)&cl->pipe) < 0) {
		client_close(cl);
		return;
	}
	uv_timer_start(&cl->timer, on_deadline, CONTROL_CLIENT_MS, 0);
	if (!room) {
		answer(cl, "{\"error\":\"too many clients, try again\"}\n");
		return;
	}
	if (uv_read_start((uv_stream_t *)&cl->pipe, on_alloc, on_read) < 0)
		client_close(cl);
}

/* Someone listening there is another kagentd: never steal its socket. */
static bool socket_alive(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	close(fd);
	return r == 0;
}

int control_start(uv_loop_t *loop, struct control *c, const char *path,
		  control_status_fn status, void *arg, char *why, size_t whylen)
{
	struct stat st;
	int r;

	memset(c, 0, sizeof *c);
	TAILQ_INIT(&c->list);
	if (snprintf(c->path, sizeof c->path, "%s", path) >= (int)sizeof c->path) {
		snprintf(why, whylen, "%s: path too long for a unix socket", path);
		return -ENAMETOOLONG;
	}
	c->status = status;
	c->arg = arg;
	if (socket_alive(path)) {
		snprintf(why, whylen, "%s: another kagentd answers there", path);
		return -EADDRINUSE;
	}
	/* Only a stale socket is removed, never a file of another kind. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(why, whylen, "%s: exists and is not a socket", path);
			return -EEXIST;
		}
		unlink(path);
	}
	r = uv_pipe_init(loop, &c->server, 0);
	if (r < 0) {
		snprintf(why, whylen, "%s: %s", path, uv_strerror(r));
		return r;
	}
	c->server.data = c;
	r = uv_pipe_bind(&c->server, path);
	if (r == 0 && chmod(path, 0660) < 0)
		r = -errno;
	if (r == 0)
		r = uv_listen((uv_stream_t *)&c->server, 8, on_connection);
	if (r < 0) {
		snprintf(why, whylen, "%s: %s", path, uv_strerror(r));
		uv_close((uv_handle_t *)&c->server, NULL);
		return r;
	}
	c->listening = true;
	return 0;
}

void control_stop(struct control *c)
{
	if (!c->listening)
		return;
	c->listening = false;
	uv_close((uv_handle_t *)&c->server, NULL);
	unlink(c->path);
	while (!TAILQ_EMPTY(&c->list))
		client_close(TAILQ_FIRST(&c->list));
}

json_t *control_tls_json(const struct conf_agent *ca, int64_t warn_days,
			 const struct facts_tls_cert *cert)
{
	struct proto_tls_expiry ex;
	char id[PROTO_TLS_ID_MAX], warn[160];
	json_t *o;

	if (!ca->collector[0] || ca->insecure)
		return json_pack("{s:s}", "mode",
				 ca->collector[0] ? "plaintext" : "none");
	o = json_pack("{s:s s:s}", "mode", "tls", "cert", ca->tls_cert);
	if (o == NULL)
		return NULL;
	if (proto_tls_file_identity(ca->tls_cert, id, sizeof id) == 0)
		json_object_set_new(o, "identity", json_string(id));
	else
		json_object_set_new(o, "identity", json_null());
	if (!cert->read) {
		json_object_set_new(o, "error", json_string("not read yet"));
		return o;
	}
	if (cert->rc < 0) {
		json_object_set_new(o, "error", json_string(
			cert->rc == -EINVAL ? "not a PEM certificate"
					    : strerror(-cert->rc)));
		return o;
	}
	/* The moment and the value agent.tls.expiry was judged with. */
	proto_tls_expiry_at(cert->not_after, cert->now, &ex);
	warn[0] = '\0';
	if (ex.expired)
		snprintf(warn, sizeof warn,
			 "the certificate has expired: the collector refuses "
			 "it");
	else if (ex.days_left < warn_days)
		snprintf(warn, sizeof warn,
			 "the certificate expires in %lld day(s): renew it",
			 (long long)ex.days_left);
	json_object_set_new(o, "not_after", json_integer(ex.not_after));
	json_object_set_new(o, "days_left", json_integer(ex.days_left));
	json_object_set_new(o, "expired", json_boolean(ex.expired));
	json_object_set_new(o, "warning",
			    warn[0] ? json_string(warn) : json_null());
	return o;
}
