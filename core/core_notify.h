/*
 * core_notify.h — the service manager's notification protocol (sd_notify),
 * spoken without libsystemd: one datagram per state change on the unix
 * socket named by $NOTIFY_SOCKET.  Both daemons use it for READY=1,
 * RELOADING=1, STOPPING=1, STATUS=... and the watchdog's WATCHDOG=1.
 *
 * The socket is opened and connected once, before the daemon installs its
 * system call filter, so that each notification is one send(2).  Outside
 * systemd (no $NOTIFY_SOCKET) every call does nothing and returns 0.
 */
#ifndef KAGENT_CORE_NOTIFY_H
#define KAGENT_CORE_NOTIFY_H

#include <stdint.h>

/* The longest notification sent; STATUS= lines are cut to fit. */
#define CORE_NOTIFY_MAX 1024

struct core_notify {
	int fd;			/* -1 outside systemd */
	uint64_t watchdog_usec; /* 0: no watchdog for this process */
};

/* Reads $NOTIFY_SOCKET ("/path" or "@abstract"), $WATCHDOG_USEC and
 * $WATCHDOG_PID, and unsets them so that no child speaks for the daemon.
 * A malformed variable is -EINVAL with the reason in err (the daemon logs
 * it and runs without notifications); n is usable in every case. */
int core_notify_open(struct core_notify *n, char *err, size_t errlen);
/* Sends one notification (lines "KEY=value" joined by '\n').  -errno of
 * send(2), or 0; nothing is sent when n->fd is -1. */
int core_notify_send(const struct core_notify *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* RELOADING=1 with MONOTONIC_USEC, which systemd 253 and later require
 * to match a reload to its notification. */
int core_notify_reloading(const struct core_notify *n);
/* WATCHDOG=1 when the manager set a watchdog for this process, else
 * nothing. */
int core_notify_watchdog(const struct core_notify *n);
/* How often a daemon's timer calls core_notify_watchdog and refreshes
 * STATUS=: every CORE_NOTIFY_STATUS_MS, or half the watchdog's period
 * when that is shorter, as sd_watchdog_enabled(3) advises (one late tick
 * must not cost a restart); at least 1 ms. */
#define CORE_NOTIFY_STATUS_MS 10000
uint64_t core_notify_tick_ms(const struct core_notify *n);
void core_notify_close(struct core_notify *n);

#endif
