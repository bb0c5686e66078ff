/* The unprivileged side asks the prober for what it may not read itself:
 * a root-only file opened and passed back, a disk's raw SMART bytes,
 * smartctl's JSON.  Every answer is checked against its request (code,
 * bounded length, a descriptor only with a successful OPEN) before a byte
 * of it is used. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw_raw.h"
#include "prober_client.h"
#include "prober_io.h"

int prober_client_init(struct prober_client *pc, int fd, int64_t timeout_ms)
{
	memset(pc, 0, sizeof *pc);
	pc->fd = fd;
	pc->timeout_ms = timeout_ms;
	pc->buf = malloc(HW_SMARTCTL_OUT_MAX + 1);
	return pc->buf ? 0 : -ENOMEM;
}

void prober_client_free(struct prober_client *pc)
{
	free(pc->buf);
	pc->buf = NULL;
}

static int fail(struct prober_client *pc, int r, int pass)
{
	if (pass >= 0)
		close(pass);
	pc->dead = r;
	return r;
}

int prober_call(struct prober_client *pc, uint32_t code, const void *body,
		uint32_t len, int *fd, char *msg, size_t msglen)
{
	struct prober_req_hdr q = {.code = code, .job = pc->job, .len = len};
	struct prober_reply_hdr h;
	int64_t deadline;
	int r, pass = -1;

	if (fd)
		*fd = -1;
	if (msglen)
		msg[0] = '\0';
	pc->len = 0;
	if (pc->dead)
		return pc->dead;
	if (len > PROBER_REQ_MAX)
		return -EMSGSIZE;
	deadline = prober_mono_ms() + pc->timeout_ms;
	r = prober_io_full(pc->fd, &q, sizeof q, true, deadline);
	if (r == 0 && len)
		r = prober_io_full(pc->fd, (void *)body, len, true, deadline);
	if (r == 0)
		r = prober_recv_hdr(pc->fd, &h, deadline, &pass);
	if (r < 0)
		return fail(pc, r, pass);
	if (h.code != code ||
	    (pass >= 0 && (code != PROBER_OPEN || h.status != 0)))
		return fail(pc, -EPROTO, pass);
	if (h.len > prober_reply_max(code, h.status))
		return fail(pc, -EMSGSIZE, pass);
	r = prober_io_full(pc->fd, pc->buf, h.len, false, deadline);
	if (r < 0)
		return fail(pc, r, pass);
	pc->len = h.len;
	pc->buf[h.len] = '\0';
	if (h.status < 0) {
		if (msglen)
			snprintf(msg, msglen, "%.*s", (int)h.len,
				 (const char *)pc->buf);
		if (h.status == -PROBER_RESTARTED) {
			pc->restarts++;
			snprintf(pc->last_error, sizeof pc->last_error, "%.*s",
				 (int)h.len, (const char *)pc->buf);
		}
		return h.status > -4096 ? h.status : -EPROTO;
	}
	if (code == PROBER_OPEN && pass < 0)
		return fail(pc, -EPROTO, pass);
	if (fd)
		*fd = pass;
	return 0;
}

/* ---- the hooks: one channel, used by the thread running a job ---- */

/* Set while this thread runs a job: any other thread (the loop reading a
 * certificate) gets the answer open() gave it, never a turn on the
 * channel in the middle of the job's request. */
static _Thread_local struct prober_client *the_pc;

void prober_client_bind(struct prober_client *pc)
{
	the_pc = pc;
}

static int open_via_prober(const char *path, int flags, int *fd)
{
	struct prober_open_req q;
	size_t n = strlen(path);
	char msg[PROBER_MSG_MAX];

	if (the_pc == NULL)
		return -EACCES;
	if (n >= sizeof q.path)
		return -ENAMETOOLONG;
	q.flags = (uint32_t)(flags & O_DIRECTORY);
	memcpy(q.path, path, n + 1);
	return prober_call(the_pc, PROBER_OPEN, &q,
			   (uint32_t)(sizeof q.flags + n + 1), fd, msg,
			   sizeof msg);
}

static int device_call(uint32_t code, const char *dev, struct hw_err *err)
{
	size_t n = strlen(dev);
	int r;

	if (n >= PROBER_REQ_MAX) {
		core_err_set(err, "%s: path too long", dev);
		return -ENAMETOOLONG;
	}
	r = prober_call(the_pc, code, dev, (uint32_t)n + 1, NULL,
			err ? err->msg : NULL, err ? sizeof err->msg : 0);
	if (r < 0 && err && err->msg[0] == '\0')
		core_err_set(err, "%s: prober: %s", dev, strerror(-r));
	return r;
}

/* Outside a job this process does not try: its filter would kill it at
 * the ioctl or the exec. */
static int unbound(const char *dev, struct hw_err *err)
{
	core_err_set(err, "%s: read by the prober, within a job only", dev);
	return -EACCES;
}

static int ata_via_prober(const char *dev, struct hw_ata_raw *raw,
			  struct hw_err *err)
{
	int r;

	if (the_pc == NULL)
		return unbound(dev, err);
	r = device_call(PROBER_ATA, dev, err);

	if (r == 0 && the_pc->len != sizeof *raw) {
		core_err_set(err, "%s: prober: %zu bytes of raw SMART", dev,
			     the_pc->len);
		return -EPROTO;
	}
	if (r == 0)
		memcpy(raw, the_pc->buf, sizeof *raw);
	return r;
}

static int nvme_via_prober(const char *ctrl, uint8_t log[HW_NVME_LOG_LEN],
			   struct hw_err *err)
{
	int r;

	if (the_pc == NULL)
		return unbound(ctrl, err);
	r = device_call(PROBER_NVME, ctrl, err);

	if (r == 0 && the_pc->len != HW_NVME_LOG_LEN) {
		core_err_set(err, "%s: prober: %zu bytes of health log", ctrl,
			     the_pc->len);
		return -EPROTO;
	}
	if (r == 0)
		memcpy(log, the_pc->buf, HW_NVME_LOG_LEN);
	return r;
}

/* The channel's last answer (NUL-terminated in its buffer), copied out
 * for the caller to free. */
static int answer_copy(char **json, size_t *len)
{
	*json = malloc(the_pc->len + 1);
	if (*json == NULL)
		return -ENOMEM;
	memcpy(*json, the_pc->buf, the_pc->len + 1);
	*len = the_pc->len;
	return 0;
}

static int smartctl_via_prober(const char *dev, int timeout_ms, char **json,
			       size_t *len, struct hw_err *err)
{
	int r;

	(void)timeout_ms; /* the prober's own, within its deadline */
	*json = NULL;
	*len = 0;
	if (the_pc == NULL)
		return unbound(dev, err);
	r = device_call(PROBER_SMARTCTL, dev, err);
	if (r < 0)
		return r;
	return answer_copy(json, len);
}

/* The answer of a RAID request, copied out of the channel's buffer. */
static int raid_call(uint32_t code, const char *body, uint32_t blen,
		     const char *what, char **json, size_t *len,
		     struct hw_err *err)
{
	int r;

	*json = NULL;
	*len = 0;
	if (the_pc == NULL)
		return unbound(what, err);
	r = prober_call(the_pc, code, body, blen, NULL, err->msg,
			sizeof err->msg);
	if (r < 0 && err->msg[0] == '\0')
		core_err_set(err, "%s: prober: %s", what, strerror(-r));
	if (r < 0)
		return r;
	return answer_copy(json, len);
}

static int scan_via_prober(int timeout_ms, char **json, size_t *len,
			   struct hw_err *err)
{
	(void)timeout_ms; /* [smart] timeout, the prober's */
	return raid_call(PROBER_SMARTCTL_SCAN, NULL, 0, "smartctl scan", json,
			 len, err);
}

static int typed_via_prober(const char *node, const char *type,
			    int timeout_ms, char **json, size_t *len,
			    struct hw_err *err)
{
	char body[HW_SCAN_TYPE_MAX + HW_SCAN_NAME_MAX];
	size_t t = strlen(type), n = strlen(node);

	(void)timeout_ms;
	if (t >= HW_SCAN_TYPE_MAX || n >= HW_SCAN_NAME_MAX) {
		core_err_set(err, "smartctl: device or type too long");
		return -ENAMETOOLONG;
	}
	memcpy(body, type, t + 1);
	memcpy(body + t + 1, node, n + 1);
	return raid_call(PROBER_SMARTCTL_TYPED, body, (uint32_t)(t + n + 2),
			 node, json, len, err);
}

static const struct hw_raw_ops via_prober = {
    .ata = ata_via_prober,
    .nvme = nvme_via_prober,
    .smartctl = smartctl_via_prober,
    .smartctl_scan = scan_via_prober,
    .smartctl_typed = typed_via_prober,
};

void prober_client_install(bool on)
{
	core_file_set_opener(on ? open_via_prober : NULL);
	hw_raw_set(on ? &via_prober : NULL);
}
