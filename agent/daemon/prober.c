/* The prober: kagentd's child that holds the capabilities and only reads.
 * It answers a fixed set of requests over its socketpair, one at a time,
 * blocking: a file or directory on its allow-list opened and passed back
 * (SCM_RIGHTS), the raw bytes of a disk's ATA SMART or NVMe health log,
 * smartctl's JSON, the disks behind a RAID controller (prober_raid.c).
 * It parses none of it, builds nothing, encodes
 * nothing: the unprivileged side does, so a parser bug reachable from a
 * disk or a configuration file never runs with the capabilities.  Any
 * other request, and any path outside the list, is refused and logged. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core_log.h"
#include "daemon.h"
#include "prober_io.h"
#include "disk_health.h"
#include "hw_raw.h"
#include "prober_allow.h"

size_t prober_answer_max(uint32_t code)
{
	switch (code) {
	case PROBER_ATA:
		return sizeof(struct hw_ata_raw);
	case PROBER_NVME:
		return HW_NVME_LOG_LEN;
	case PROBER_SMARTCTL:
	case PROBER_SMARTCTL_SCAN:
	case PROBER_SMARTCTL_TYPED:
		return HW_SMARTCTL_OUT_MAX;
	}
	return 0;
}

size_t prober_reply_max(uint32_t code, int32_t status)
{
	return status < 0 ? PROBER_MSG_MAX : prober_answer_max(code);
}

static int read_full(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return got ? -EPIPE : -ENODATA;
		got += (size_t)r;
	}
	return 0;
}

/* The header carries pass (>= 0) as SCM_RIGHTS: it arrives with the
 * header's first byte, never apart from its reply (prober_io.c, as the
 * watchdog sends it). */
static int reply_fd(int fd, uint32_t code, int status, const void *body,
		    size_t len, int pass)
{
	struct prober_reply_hdr h = {
	    .code = code, .status = status, .len = (uint32_t)len};
	int r = prober_send_hdr(fd, &h, pass);

	if (r < 0 || len == 0)
		return r;
	return prober_io_full(fd, (void *)body, len, true, -1);
}

static int reply(int fd, uint32_t code, int status, const void *body,
		 size_t len)
{
	return reply_fd(fd, code, status, body, len, -1);
}

static int reply_error(int fd, uint32_t code, int status, const char *msg)
{
	size_t n = strnlen(msg, PROBER_MSG_MAX);

	core_log_as("kagentd prober", LOG_WARNING, "request %u: %.*s", code, (int)n,
		msg);
	return reply(fd, code, status < 0 ? status : -EINVAL, msg, n);
}

static const char *refusal(int r)
{
	switch (r) {
	case -ENAMETOOLONG:
		return "path too long";
	case -EINVAL:
		return "not an absolute UTF-8 path without . or ..";
	case -EACCES:
		return "outside the allow-list";
	}
	return strerror(-r);
}

static int do_open(const struct prober_allow *al, int fd,
		   const struct prober_open_req *q)
{
	char msg[PROBER_MSG_MAX];
	int r, ofd;

	r = prober_allow_open(al, q->path, (int)q->flags, &ofd);
	if (r == 0) {
		r = reply_fd(fd, PROBER_OPEN, 0, NULL, 0, ofd);
		close(ofd);
		return r;
	}
	if (r == -EACCES || r == -EINVAL || r == -ENAMETOOLONG) {
		/* A non-UTF-8 path is not printed. */
		snprintf(msg, sizeof msg, "open %s refused: %s",
			 r == -EINVAL ? "of a path" : q->path, refusal(r));
		return reply_error(fd, PROBER_OPEN, r, msg);
	}
	/* The file's own answer (ENOENT, ELOOP on a final symlink) is no
	 * refusal: not logged. */
	snprintf(msg, sizeof msg, "%s: %s", q->path, strerror(-r));
	return reply(fd, PROBER_OPEN, r, msg, strlen(msg));
}

/* A device node below root's dev/, nothing else, for the raw reads. */
static int do_device(const struct prober_allow *al, int fd, uint32_t code,
		     const char *dev, uint8_t *out)
{
	struct hw_err err = {{0}};
	char msg[PROBER_MSG_MAX];
	char *json = NULL;
	size_t len = 0;
	int r;

	r = prober_allow_path(al, dev);
	if (r == 0 && strncmp(dev, al->dev, strlen(al->dev)) != 0)
		r = -EACCES;
	if (r < 0) {
		snprintf(msg, sizeof msg, "device %s refused: %s",
			 r == -EINVAL ? "path" : dev,
			 r == -EACCES ? "not below dev/" : refusal(r));
		return reply_error(fd, code, r, msg);
	}
	switch (code) {
	case PROBER_ATA:
		r = hw_ata_smart_read_raw(dev, (struct hw_ata_raw *)out, &err);
		len = sizeof(struct hw_ata_raw);
		break;
	case PROBER_NVME:
		r = hw_nvme_health_read_raw(dev, out, &err);
		len = HW_NVME_LOG_LEN;
		break;
	default:
		r = hw_smartctl_exec(dev, DISK_SMARTCTL_TIMEOUT_MS, &json, &len,
				     &err);
		if (r == 0 && len > HW_SMARTCTL_OUT_MAX)
			r = -EFBIG;
		if (r == 0)
			r = reply(fd, code, 0, json, len);
		free(json);
		if (r == 0)
			return 0;
		break;
	}
	if (r < 0)
		return reply(fd, code, r, err.msg,
			     strnlen(err.msg, PROBER_MSG_MAX));
	return reply(fd, code, 0, out, len);
}

/* The two RAID requests: a refusal (the grammar) is logged, smartctl's
 * own failure (a timeout) is an answer. */
static int do_raid(struct hw_smartctl_cache *cache, int fd, uint32_t code,
		   const char *body, size_t len)
{
	char msg[PROBER_MSG_MAX];
	char *json = NULL;
	size_t jlen = 0;
	int r;

	r = prober_raid_answer(cache, code, body, len, &json, &jlen, msg,
			       sizeof msg);
	if (r == -EACCES || r == -EINVAL)
		return reply_error(fd, code, r, msg);
	if (r < 0)
		return reply(fd, code, r, msg, strnlen(msg, sizeof msg));
	r = reply(fd, code, 0, json, jlen);
	free(json);
	return r;
}

/* One request: 0 to go on, < 0 to stop serving.  The set is closed;
 * anything else is refused after its body is read, so the stream stays
 * in step; a length beyond the largest request loses the step, and the
 * prober stops. */
static int serve_one(const struct prober_allow *al,
		     struct hw_smartctl_cache *cache, int fd, uint8_t *out)
{
	struct prober_open_req q;
	struct prober_req_hdr h;
	char msg[96];
	size_t plen;
	int r;

	r = read_full(fd, &h, sizeof h);
	if (r < 0)
		return r;
	if (h.len > sizeof q) {
		snprintf(msg, sizeof msg, "body of %u bytes is too large",
			 h.len);
		reply_error(fd, h.code, -EMSGSIZE, msg);
		return -EPROTO;
	}
	memset(&q, 0, sizeof q);
	if (h.len) {
		r = read_full(fd, &q, h.len);
		if (r < 0)
			return r;
	}
	if (h.code == PROBER_PING) {
		if (h.len)
			return reply_error(fd, h.code, -EINVAL,
					   "ping takes no body");
		return reply(fd, h.code, 0, NULL, 0);
	}
	if (h.code < PROBER_OPEN || h.code > PROBER_CODE_MAX) {
		snprintf(msg, sizeof msg, "unknown request code %u", h.code);
		return reply_error(fd, h.code, -EINVAL, msg);
	}
	/* OPEN: flags then the path; the others: the path alone. */
	if (h.code == PROBER_OPEN) {
		if (h.len <= sizeof q.flags)
			return reply_error(fd, h.code, -EINVAL,
					   "open request without a path");
		plen = h.len - sizeof q.flags;
		if (memchr(q.path, '\0', plen) == NULL)
			return reply_error(fd, h.code, -EINVAL,
					   "path without its NUL");
		return do_open(al, fd, &q);
	}
	if (h.code == PROBER_SMARTCTL_SCAN || h.code == PROBER_SMARTCTL_TYPED)
		return do_raid(cache, fd, h.code, (const char *)&q, h.len);
	if (h.len == 0 || memchr(&q, '\0', h.len) == NULL)
		return reply_error(fd, h.code, -EINVAL,
				   "device path without its NUL");
	return do_device(al, fd, h.code, (const char *)&q, out);
}

int prober_serve(int fd, const struct conf *conf)
{
	struct hw_smartctl_cache *cache;
	struct prober_allow al;
	uint8_t *out;
	int r;

	/* A parent that went away must end the prober through read's EOF, not
	 * kill it with SIGPIPE in the middle of a reply. */
	signal(SIGPIPE, SIG_IGN);
	r = prober_allow_init(&al, conf);
	if (r < 0) {
		core_log_as("kagentd prober", LOG_ERR, "allow-list: %s",
			strerror(-r));
		return r;
	}
	out = malloc(sizeof(struct hw_ata_raw) > HW_NVME_LOG_LEN
			 ? sizeof(struct hw_ata_raw)
			 : HW_NVME_LOG_LEN);
	cache = prober_raid_cache_new(conf);
	if (out == NULL || cache == NULL) {
		free(out);
		free(cache);
		return -ENOMEM;
	}
	do
		r = serve_one(&al, cache, fd, out);
	while (r == 0);
	if (r == -ENODATA) /* the parent closed its end */
		r = 0;
	prober_raid_cache_free(cache);
	free(out);
	return r;
}
