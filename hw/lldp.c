/*
 * Each NIC's LLDP neighbour, as lldpd heard it.  kagent does not speak
 * LLDP: lldpd already listens on every port, and a second listener would
 * need raw sockets the prober is not allowed.  Only this file includes
 * <lldpctl.h>.
 *
 * liblldpctl's own synchronous transport blocks without a limit on a
 * daemon that accepts and never answers; this file owns the socket instead
 * (non-blocking, one deadline for the whole exchange) and hands the library
 * send and receive callbacks over it.  The socket's absence and a refused
 * connection are told apart from a daemon that runs but heard nothing on a
 * port, and both from a value that is merely missing.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <lldpctl.h>

#include "hw.h"
#include "root.h"

struct lldp_io {
	int fd;
	int64_t deadline_ms;
	bool timed_out;
};

const char *hw_lldp_state_name(enum hw_lldp_state s)
{
	switch (s) {
	case HW_LLDP_NO_DAEMON:
		return "no_daemon";
	case HW_LLDP_NO_NEIGHBOUR:
		return "no_neighbour";
	case HW_LLDP_NEIGHBOUR:
		return "neighbour";
	default:
		return "unknown";
	}
}

static int64_t lldp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for `events` until the exchange's deadline; false past it. */
static bool lldp_wait(struct lldp_io *io, short events)
{
	struct pollfd p = {.fd = io->fd, .events = events};
	int64_t left;
	int r;

	for (;;) {
		left = io->deadline_ms - lldp_now_ms();
		if (left <= 0)
			break;
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
	}
	io->timed_out = true;
	return false;
}

static ssize_t lldp_send_cb(lldpctl_conn_t *conn, const uint8_t *data,
			    size_t len, void *arg)
{
	struct lldp_io *io = arg;
	ssize_t n;

	(void)conn;
	for (;;) {
		n = write(io->fd, data, len);
		if (n >= 0)
			return n;
		if ((errno != EAGAIN && errno != EINTR) ||
		    !lldp_wait(io, POLLOUT))
			return LLDPCTL_ERR_CALLBACK_FAILURE;
	}
}

static ssize_t lldp_recv_cb(lldpctl_conn_t *conn, const uint8_t *data,
			    size_t len, void *arg)
{
	struct lldp_io *io = arg;
	ssize_t n;

	(void)conn;
	for (;;) {
		n = read(io->fd, (void *)data, len);
		if (n > 0)
			return n;
		if (n == 0)
			return LLDPCTL_ERR_EOF;
		if ((errno != EAGAIN && errno != EINTR) ||
		    !lldp_wait(io, POLLIN))
			return LLDPCTL_ERR_CALLBACK_FAILURE;
	}
}

/* Every NIC the same state and reason. */
static void lldp_set_all(struct hw_nics *nics, enum hw_lldp_state st,
			 const char *reason)
{
	size_t i;

	for (i = 0; i < nics->n; i++) {
		memset(&nics->v[i].lldp, 0, sizeof nics->v[i].lldp);
		nics->v[i].lldp.state = st;
		snprintf(nics->v[i].lldp.reason, sizeof nics->v[i].lldp.reason,
			 "%s", reason);
	}
}

/* Copies what a switch announced when it fits and is text: a System Name
 * cut short or with a broken character would make a rack that does not
 * exist, so such a value is left out instead. */
static void lldp_copy(char *dst, size_t cap, const char *src)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t len, k;
	uint32_t cp;

	dst[0] = '\0';
	if (src == NULL || (len = strnlen(src, cap)) >= cap)
		return;
	while (*p) {
		k = core_utf8_decode(p, &cp);
		if (k == 0 || cp < 0x20 || cp == 0x7f)
			return;
		p += k;
	}
	memcpy(dst, src, len + 1);
}

static void lldp_mgmt(lldpctl_atom_t *chassis, struct hw_lldp *l)
{
	lldpctl_atom_t *list, *m;

	list = lldpctl_atom_get(chassis, lldpctl_k_chassis_mgmt);
	if (list == NULL)
		return;
	lldpctl_atom_foreach(list, m)
	{
		lldp_copy(l->mgmt_addr, sizeof l->mgmt_addr,
			  lldpctl_atom_get_str(m, lldpctl_k_mgmt_ip));
		if (l->mgmt_addr[0]) {
			lldpctl_atom_dec_ref(m);
			break;
		}
	}
	lldpctl_atom_dec_ref(list);
}

/* The first neighbour on the port: a switch port has one; a second would
 * be a hub or a host relaying LLDP, and the first heard is kept. */
static void lldp_neighbour(lldpctl_atom_t *port, struct hw_lldp *l)
{
	lldpctl_atom_t *list, *nb, *chassis;

	l->state = HW_LLDP_NO_NEIGHBOUR;
	snprintf(l->reason, sizeof l->reason,
		 "no neighbour (lldpd heard no LLDP on this port)");
	list = lldpctl_atom_get(port, lldpctl_k_port_neighbors);
	if (list == NULL)
		return;
	lldpctl_atom_foreach(list, nb)
	{
		l->state = HW_LLDP_NEIGHBOUR;
		l->reason[0] = '\0';
		lldp_copy(l->port_id, sizeof l->port_id,
			  lldpctl_atom_get_str(nb, lldpctl_k_port_id));
		lldp_copy(l->port_descr, sizeof l->port_descr,
			  lldpctl_atom_get_str(nb, lldpctl_k_port_descr));
		chassis = lldpctl_atom_get(nb, lldpctl_k_port_chassis);
		if (chassis != NULL) {
			lldp_copy(l->sysname, sizeof l->sysname,
				  lldpctl_atom_get_str(chassis,
						       lldpctl_k_chassis_name));
			lldp_copy(l->chassis_id, sizeof l->chassis_id,
				  lldpctl_atom_get_str(chassis,
						       lldpctl_k_chassis_id));
			lldp_mgmt(chassis, l);
			lldpctl_atom_dec_ref(chassis);
		}
		lldpctl_atom_dec_ref(nb);
		break;
	}
	lldpctl_atom_dec_ref(list);
}

static struct hw_nic *lldp_find(struct hw_nics *nics, const char *name)
{
	size_t i;

	for (i = 0; name && i < nics->n; i++)
		if (strcmp(nics->v[i].name, name) == 0)
			return &nics->v[i];
	return NULL;
}

/* The exchange proper, once connected.  -EIO with a reason when lldpd
 * answers nothing usable. */
static int lldp_ask(lldpctl_conn_t *conn, const struct lldp_io *io,
		    struct hw_nics *nics, char *why, size_t why_len)
{
	lldpctl_atom_t *ifaces, *iface, *port;
	struct hw_nic *n;

	ifaces = lldpctl_get_interfaces(conn);
	if (ifaces == NULL) {
		snprintf(why, why_len, "lldpd did not answer: %s",
			 io->timed_out ? "no reply within the deadline"
				       : lldpctl_last_strerror(conn));
		return -EIO;
	}
	lldpctl_atom_foreach(ifaces, iface)
	{
		n = lldp_find(nics, lldpctl_atom_get_str(
					iface, lldpctl_k_interface_name));
		if (n == NULL)
			continue;
		port = lldpctl_get_port(iface);
		if (port == NULL) {
			snprintf(n->lldp.reason, sizeof n->lldp.reason,
				 "lldpd did not answer for this port: %s",
				 io->timed_out ? "no reply within the deadline"
					       : lldpctl_last_strerror(conn));
			continue;
		}
		lldp_neighbour(port, &n->lldp);
		lldpctl_atom_dec_ref(port);
	}
	lldpctl_atom_dec_ref(ifaces);
	return 0;
}

/* A non-blocking connection to lldpd's socket; -errno, with ENOENT and
 * ECONNREFUSED meaning no daemon. */
static int lldp_connect(const char *path, int *fd)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s, e;

	if (strlen(path) >= sizeof sa.sun_path)
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		e = errno;
		close(s);
		/* A full backlog on a non-blocking socket: the daemon is
		 * there but is not taking connections. */
		return e == EAGAIN ? -ECONNREFUSED : -e;
	}
	*fd = s;
	return 0;
}

void hw_lldp_probe(const char *root, const char *socket_path,
		   struct hw_nics *nics)
{
	const char *path =
	    socket_path ? socket_path : lldpctl_get_default_transport();
	struct lldp_io io = {.fd = -1};
	char why[HW_LLDP_REASON_MAX];
	lldpctl_conn_t *conn;
	size_t i;
	int r;

	if (!hw_root_is_live(root)) {
		lldp_set_all(nics, HW_LLDP_UNKNOWN, "not the live host");
		return;
	}
	r = lldp_connect(path, &io.fd);
	if (r == -ENOENT || r == -ECONNREFUSED) {
		snprintf(why, sizeof why, "no LLDP daemon (%s: %s)", path,
			 r == -ENOENT ? "absent" : "refuses connections");
		lldp_set_all(nics, HW_LLDP_NO_DAEMON, why);
		return;
	}
	if (r == -EACCES) {
		/* lldpd makes its socket root:_lldpd 0660; kagentd keeps the
		 * groups the system gives its user (privsep.c), and the
		 * package adds it to none: joining _lldpd also allows
		 * reconfiguring lldpd, the operator's choice. */
		snprintf(why, sizeof why,
			 "permission denied on %s: add the kagent user to "
			 "group _lldpd",
			 path);
		lldp_set_all(nics, HW_LLDP_NO_DAEMON, why);
		return;
	}
	if (r < 0) {
		snprintf(why, sizeof why, "lldpd's socket %s: %s", path,
			 strerror(-r));
		lldp_set_all(nics, HW_LLDP_UNKNOWN, why);
		return;
	}
	/* lldpd lists the ports it listens on: another NIC (lo, a bond's
	 * master, a bridge) keeps this reason. */
	lldp_set_all(nics, HW_LLDP_UNKNOWN, "not a port lldpd listens on");
	io.deadline_ms = lldp_now_ms() + HW_LLDP_TIMEOUT_MS;
	conn = lldpctl_new_name(path, lldp_send_cb, lldp_recv_cb, &io);
	if (conn == NULL) {
		lldp_set_all(nics, HW_LLDP_UNKNOWN,
			     "liblldpctl: out of memory");
	} else {
		if (lldp_ask(conn, &io, nics, why, sizeof why) < 0)
			lldp_set_all(nics, HW_LLDP_UNKNOWN, why);
		lldpctl_release(conn);
	}
	close(io.fd);
	for (i = 0; i < nics->n; i++)
		if (nics->v[i].lldp.state == HW_LLDP_NEIGHBOUR)
			nics->v[i].lldp.reason[0] = '\0';
}
