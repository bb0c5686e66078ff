/* SPDX-License-Identifier: Apache-2.0 */
/* rtnetlink on kagentd's loop: links, addresses and routes change by
 * events, so they are read again only after one (events_link.h). */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "events_link.h"

int events_link_socket(int *fd)
{
	struct sockaddr_nl sa;
	int s;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	memset(&sa, 0, sizeof sa);
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
		       RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int r = -errno;

		close(s);
		return r;
	}
	*fd = s;
	return 0;
}

static bool is_change(uint16_t type)
{
	switch (type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
	case RTM_NEWADDR:
	case RTM_DELADDR:
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
	case NLMSG_OVERRUN:
		return true;
	default:
		return false;
	}
}

int events_link_drain(int fd, unsigned *changes)
{
	/* The kernel's messages are aligned to 4 bytes. */
	uint32_t buf[8192 / sizeof(uint32_t)];

	*changes = 0;
	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = {buf, sizeof buf};
		struct msghdr mh = {.msg_name = &from,
				    .msg_namelen = sizeof from,
				    .msg_iov = &iov,
				    .msg_iovlen = 1};
		const struct nlmsghdr *h;
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
		int len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0 && errno == ENOBUFS) {
			/* Events were dropped: whatever they said is unknown. */
			(*changes)++;
			continue;
		}
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		/* Only the kernel speaks for the links; a truncated datagram
		 * lost its tail, which may have been a change. */
		if (mh.msg_namelen != sizeof from || from.nl_pid != 0)
			continue;
		if (mh.msg_flags & MSG_TRUNC) {
			(*changes)++;
			continue;
		}
		len = (int)n;
		/* NLMSG_OK spelled out: the macro compares the u32 length
		 * with an int, which clang's -Wsign-compare refuses. */
		for (h = (const struct nlmsghdr *)buf;
		     len >= (int)sizeof *h && h->nlmsg_len >= sizeof *h &&
		     h->nlmsg_len <= (unsigned)len;
		     h = NLMSG_NEXT(h, len))
			if (is_change(h->nlmsg_type))
				(*changes)++;
	}
}

void events_link_init(struct events_link *e)
{
	events_watch_init(&e->w);
}

static void on_readable(uv_poll_t *p, int status, int events)
{
	struct events_link *e = p->data;
	unsigned changes = 0;
	int r;

	(void)events;
	r = status < 0 ? status : events_link_drain(e->w.fd, &changes);
	if (changes > 0 || r < 0)
		events_watch_bump(&e->w);
	if (r < 0) {
		/* Nothing more will be heard: back to reading every time. */
		events_link_stop(e);
	}
}

int events_link_start(uv_loop_t *loop, struct events_link *e)
{
	int fd = -1, r = events_link_socket(&fd);

	if (r < 0)
		return r;
	return events_watch_start(loop, &e->w, fd, UV_READABLE, on_readable, e);
}

void events_link_stop(struct events_link *e)
{
	events_watch_stop(&e->w);
}

uint64_t events_link_gen(const struct events_link *e)
{
	return events_watch_gen(&e->w);
}
