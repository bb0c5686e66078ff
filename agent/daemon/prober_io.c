/* Blocking I/O on the prober's sockets with a deadline, shared by the
 * watchdog and the unprivileged side's client: whole buffers, and reply
 * headers that may carry a descriptor (SCM_RIGHTS). */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "prober_io.h"

int64_t prober_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* All of n bytes, or -ETIMEDOUT at deadline (monotonic ms; -1: none),
 * -EPIPE when the peer closes. */
int prober_io_full(int fd, void *buf, size_t n, bool wr, int64_t deadline)
{
	uint8_t *p = buf;
	size_t done = 0;

	while (done < n) {
		struct pollfd pfd = {.fd = fd, .events = wr ? POLLOUT : POLLIN};
		int64_t left = deadline < 0 ? -1 : deadline - prober_mono_ms();
		ssize_t r;

		if (deadline >= 0 && left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		r = wr ? write(fd, p + done, n - done)
		       : read(fd, p + done, n - done);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		if (r == 0)
			return -EPIPE;
		done += (size_t)r;
	}
	return 0;
}

/* The reply header from the worker, and the descriptor an OPEN passes
 * with it (*pass, -1 when none): SCM_RIGHTS rides the first byte. */
int prober_recv_hdr(int fd, struct prober_reply_hdr *h, int64_t deadline,
		    int *pass)
{
	uint8_t *p = (uint8_t *)h;
	size_t done = 0;

	*pass = -1;
	while (done < sizeof *h) {
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = {.iov_base = p + done,
				    .iov_len = sizeof *h - done};
		struct msghdr m = {.msg_iov = &iov,
				   .msg_iovlen = 1,
				   .msg_control = u.buf,
				   .msg_controllen = sizeof u.buf};
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left = deadline - prober_mono_ms();
		struct cmsghdr *c;
		ssize_t r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (r <= 0) {
			if (r < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		r = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		if (r == 0)
			return -EPIPE;
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_RIGHTS &&
			    c->cmsg_len == CMSG_LEN(sizeof(int)) && *pass < 0)
				memcpy(pass, CMSG_DATA(c), sizeof *pass);
		done += (size_t)r;
	}
	return 0;
}

/* The header with pass as SCM_RIGHTS (>= 0), then the rest blocking. */
int prober_send_hdr(int fd, const struct prober_reply_hdr *h, int pass)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)h, .iov_len = sizeof *h};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;
	ssize_t r;

	if (pass < 0)
		return prober_io_full(fd, (void *)h, sizeof *h, true, -1);
	memset(&u, 0, sizeof u);
	m.msg_control = u.buf;
	m.msg_controllen = sizeof u.buf;
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &pass, sizeof pass);
	do
		r = sendmsg(fd, &m, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if ((size_t)r < sizeof *h)
		return prober_io_full(fd, (uint8_t *)h + r,
				      sizeof *h - (size_t)r, true, -1);
	return 0;
}
