/* sd_notify(3)'s protocol in a few lines, so that neither daemon links
 * libsystemd: a connected SOCK_DGRAM unix socket, one datagram a state. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "core_notify.h"

/* systemd's own bound for WatchdogSec is far below this; anything larger
 * is a typo, not a setting. */
#define NOTIFY_WATCHDOG_MAX_USEC (UINT64_C(24) * 3600 * 1000000)

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

/* The watchdog is ours when $WATCHDOG_USEC is set and $WATCHDOG_PID, if
 * present, names this process (it names the main PID only). */
static int watchdog_of(struct core_notify *n, char *err, size_t errlen)
{
	const char *us = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	uint64_t v, p;

	if (us == NULL)
		return 0;
	if (parse_u64(us, &v) < 0 || v == 0 || v > NOTIFY_WATCHDOG_MAX_USEC) {
		snprintf(err, errlen,
			 "WATCHDOG_USEC '%.32s' is not a number "
			 "of microseconds from 1 to 24 h",
			 us);
		return -EINVAL;
	}
	if (pid != NULL) {
		if (parse_u64(pid, &p) < 0 || p == 0) {
			snprintf(err, errlen,
				 "WATCHDOG_PID '%.32s' is not a process id",
				 pid);
			return -EINVAL;
		}
		if (p != (uint64_t)getpid())
			return 0;
	}
	n->watchdog_usec = v;
	return 0;
}

int core_notify_open(struct core_notify *n, char *err, size_t errlen)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t salen;
	size_t len;
	int r, fd;

	n->fd = -1;
	n->watchdog_usec = 0;
	err[0] = '\0';
	r = watchdog_of(n, err, errlen);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (path == NULL)
		return r;
	len = strlen(path);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if ((path[0] != '/' && path[0] != '@') || len < 2 ||
	    len >= sizeof sa.sun_path) {
		snprintf(err, errlen,
			 "NOTIFY_SOCKET '%.64s' is neither an absolute path "
			 "nor an abstract name of 1 to %zu bytes",
			 path, sizeof sa.sun_path - 2);
		unsetenv("NOTIFY_SOCKET");
		n->watchdog_usec = 0;
		return -EINVAL;
	}
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
			    (path[0] == '/'));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, salen) < 0) {
		r = -errno;
		snprintf(err, errlen, "NOTIFY_SOCKET %s: %s", path,
			 strerror(-r));
		if (fd >= 0)
			close(fd);
		n->watchdog_usec = 0;
	} else {
		n->fd = fd;
	}
	unsetenv("NOTIFY_SOCKET");
	return r;
}

int core_notify_send(const struct core_notify *n, const char *fmt, ...)
{
	char msg[CORE_NOTIFY_MAX];
	va_list ap;
	int len;

	if (n->fd < 0)
		return 0;
	va_start(ap, fmt);
	len = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (len < 0)
		return -EINVAL;
	if ((size_t)len >= sizeof msg)
		len = sizeof msg - 1; /* a long STATUS= is cut, not lost */
	/* MSG_DONTWAIT: a manager that does not read must not stop the
	 * loop; MSG_NOSIGNAL: nor kill it when gone. */
	if (send(n->fd, msg, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

int core_notify_reloading(const struct core_notify *n)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return core_notify_send(n, "RELOADING=1\nMONOTONIC_USEC=%llu",
				(unsigned long long)ts.tv_sec * 1000000 +
				    (unsigned long long)ts.tv_nsec / 1000);
}

int core_notify_watchdog(const struct core_notify *n)
{
	return n->watchdog_usec ? core_notify_send(n, "WATCHDOG=1") : 0;
}

uint64_t core_notify_tick_ms(const struct core_notify *n)
{
	uint64_t tick = CORE_NOTIFY_STATUS_MS;

	if (n->watchdog_usec && n->watchdog_usec / 2000 < tick)
		tick = n->watchdog_usec / 2000;
	return tick ? tick : 1;
}

void core_notify_close(struct core_notify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}
