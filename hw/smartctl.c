/* smartctl's JSON report, parsed with jansson, and smartctl itself, run
 * without a shell under a deadline. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "hw_raw.h"
#include "smartctl.h"

/* ---- parsing ---- */

/*
 * smartctl prints 64- and 128-bit counters as bare integers, which jansson
 * refuses past INT64_MAX.  The document is then decoded again with every
 * number as a double: integers a double holds exactly (below 2^53) stay
 * known, larger ones become unknown rather than rounded.
 */
static struct hw_num jnum(const json_t *v)
{
	struct hw_num n = {0, false};
	double d;

	if (json_is_integer(v)) {
		n.v = (int64_t)json_integer_value(v);
		n.known = true;
	} else if (json_is_real(v)) {
		d = json_real_value(v);
		if (d >= -9007199254740992.0 && d <= 9007199254740992.0 &&
		    d == (double)(int64_t)d) {
			n.v = (int64_t)d;
			n.known = true;
		}
	}
	return n;
}

static struct hw_num jbool(const json_t *v)
{
	struct hw_num n = {0, false};

	if (json_is_boolean(v)) {
		n.v = json_is_true(v) ? 1 : 0;
		n.known = true;
	}
	return n;
}

static void jstr(const json_t *v, char *buf, size_t cap)
{
	const char *s = json_string_value(v);

	if (s == NULL)
		return;
	snprintf(buf, cap, "%s", s);
}

/* obj.a.b... with NULL for any missing step. */
static json_t *jget(const json_t *obj, const char *a, const char *b)
{
	json_t *v = json_object_get(obj, a);

	if (v != NULL && b != NULL)
		v = json_object_get(v, b);
	return v;
}

static void parse_model(const json_t *root, struct hw_smartctl *out)
{
	const char *vendor, *product;

	jstr(json_object_get(root, "model_name"), out->model,
	     sizeof out->model);
	if (out->model[0] == '\0')
		jstr(json_object_get(root, "scsi_model_name"), out->model,
		     sizeof out->model);
	if (out->model[0] != '\0')
		return;
	/* smartctl before 7.3 names SCSI disks only by vendor and product */
	vendor = json_string_value(json_object_get(root, "scsi_vendor"));
	product = json_string_value(json_object_get(root, "scsi_product"));
	if (vendor == NULL)
		vendor = json_string_value(json_object_get(root, "vendor"));
	if (product == NULL)
		product = json_string_value(json_object_get(root, "product"));
	if (vendor != NULL && product != NULL)
		snprintf(out->model, sizeof out->model, "%s %s", vendor,
			 product);
}

static void parse_attrs(const json_t *root, struct hw_smartctl *out)
{
	const json_t *table = jget(root, "ata_smart_attributes", "table");
	const json_t *a;
	size_t i;

	json_array_foreach(table, i, a)
	{
		struct hw_smartctl_attr *t;
		struct hw_num id = jnum(json_object_get(a, "id"));

		if (out->n_attrs == HW_SMARTCTL_ATTRS_MAX)
			break;
		if (!id.known || id.v < 1 || id.v > 255)
			continue;
		t = &out->attrs[out->n_attrs++];
		t->id = (int)id.v;
		jstr(json_object_get(a, "name"), t->name, sizeof t->name);
		t->value = jnum(json_object_get(a, "value"));
		t->worst = jnum(json_object_get(a, "worst"));
		t->thresh = jnum(json_object_get(a, "thresh"));
		t->raw = jnum(jget(a, "raw", "value"));
		t->prefail = json_is_true(jget(a, "flags", "prefailure"));
		jstr(json_object_get(a, "when_failed"), t->when_failed,
		     sizeof t->when_failed);
	}
}

static void parse_nvme(const json_t *root, struct hw_smartctl *out)
{
	const json_t *log =
	    json_object_get(root, "nvme_smart_health_information_log");
	struct hw_nvme_health *h = &out->nvme;
	struct hw_num cw;

	if (!json_is_object(log))
		return;
	/* Without the warning byte the log cannot be judged: not present. */
	cw = jnum(json_object_get(log, "critical_warning"));
	if (!cw.known || cw.v < 0 || cw.v > 255)
		return;
	out->has_nvme = true;
	h->critical_warning = (uint8_t)cw.v;
	h->temperature_c = jnum(json_object_get(log, "temperature"));
	h->available_spare = jnum(json_object_get(log, "available_spare"));
	h->spare_threshold =
	    jnum(json_object_get(log, "available_spare_threshold"));
	h->percentage_used = jnum(json_object_get(log, "percentage_used"));
	h->media_errors = jnum(json_object_get(log, "media_errors"));
	h->error_log_entries =
	    jnum(json_object_get(log, "num_err_log_entries"));
	h->unsafe_shutdowns = jnum(json_object_get(log, "unsafe_shutdowns"));
	h->power_on_hours = jnum(json_object_get(log, "power_on_hours"));
	h->power_cycles = jnum(json_object_get(log, "power_cycles"));
	h->data_units_read = jnum(json_object_get(log, "data_units_read"));
	h->data_units_written =
	    jnum(json_object_get(log, "data_units_written"));
}

static void parse_smartctl_section(const json_t *root, struct hw_smartctl *out)
{
	const json_t *sc = json_object_get(root, "smartctl");
	const json_t *m;
	size_t i;

	out->exit_status = jnum(json_object_get(sc, "exit_status"));
	json_array_foreach(json_object_get(sc, "messages"), i, m)
	{
		const char *s = json_string_value(json_object_get(m, "string"));

		if (out->n_messages == HW_SMARTCTL_MSGS_MAX)
			break;
		if (s == NULL)
			continue;
		snprintf(out->messages[out->n_messages++], HW_SMARTCTL_MSG_LEN,
			 "%s", s);
	}
}

int hw_smartctl_parse(const char *json, size_t len, struct hw_smartctl *out,
		      struct hw_err *err)
{
	json_error_t jerr;
	json_t *root;
	const json_t *ss;

	memset(out, 0, sizeof *out);
	root = json_loadb(json, len, 0, &jerr);
	if (root == NULL &&
	    json_error_code(&jerr) == json_error_numeric_overflow)
		root = json_loadb(json, len, JSON_DECODE_INT_AS_REAL, &jerr);
	if (root == NULL) {
		core_err_set(err, "smartctl JSON: line %d column %d: %s",
			   jerr.line, jerr.column, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		core_err_set(err, "smartctl JSON: top level is not an object");
		json_decref(root);
		return -EINVAL;
	}

	jstr(jget(root, "device", "protocol"), out->protocol,
	     sizeof out->protocol);
	jstr(jget(root, "device", "type"), out->device_type,
	     sizeof out->device_type);
	parse_model(root, out);
	jstr(json_object_get(root, "serial_number"), out->serial,
	     sizeof out->serial);

	ss = json_object_get(root, "smart_status");
	out->smart_status = jbool(json_object_get(ss, "passed"));
	jstr(jget(ss, "scsi", "ie_string"), out->scsi_ie_string,
	     sizeof out->scsi_ie_string);
	out->scsi_asc = jnum(jget(ss, "scsi", "asc"));
	out->scsi_ascq = jnum(jget(ss, "scsi", "ascq"));
	out->scsi_grown_defects =
	    jnum(json_object_get(root, "scsi_grown_defect_list"));

	out->temperature_c = jnum(jget(root, "temperature", "current"));
	out->power_on_hours = jnum(jget(root, "power_on_time", "hours"));
	out->power_cycles = jnum(json_object_get(root, "power_cycle_count"));

	parse_attrs(root, out);
	parse_nvme(root, out);
	parse_smartctl_section(root, out);
	json_decref(root);
	return 0;
}

const struct hw_smartctl_attr *
hw_smartctl_attr_find(const struct hw_smartctl *s, int id)
{
	size_t i;

	for (i = 0; i < s->n_attrs; i++)
		if (s->attrs[i].id == id)
			return &s->attrs[i];
	return NULL;
}

/* ---- running ---- */

/* smartctl lives in sbin, which an unprivileged PATH often lacks. */
static int find_smartctl(char *buf, size_t cap)
{
	const char *path = getenv("PATH");
	const char *p, *end;
	int n;

	for (p = path; p != NULL && *p != '\0'; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		if (end == p)
			continue;
		n = snprintf(buf, cap, "%.*s/smartctl", (int)(end - p), p);
		if (n > 0 && (size_t)n < cap && access(buf, X_OK) == 0)
			return 0;
	}
	if (access("/usr/sbin/smartctl", X_OK) == 0) {
		snprintf(buf, cap, "/usr/sbin/smartctl");
		return 0;
	}
	if (access("/sbin/smartctl", X_OK) == 0) {
		snprintf(buf, cap, "/sbin/smartctl");
		return 0;
	}
	return -ENOENT;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child gets /dev/null for stdin and stderr, the pipe for stdout,
 * default signal dispositions and an empty mask whatever the caller has
 * set up, and a fixed environment. */
static int spawn(const char *exe, char *const argv[], int out_fd, pid_t *pid)
{
	char *const envp[] = {"LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
			      NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	int r;

	sigfillset(&all);
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF |
					    POSIX_SPAWN_SETSIGMASK);
	r = posix_spawn(pid, exe, &fa, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

/* Reads the child's stdout until EOF; 1 when the deadline passed first. */
static int drain(int fd, int64_t deadline, char **buf, size_t *len)
{
	size_t cap = 0;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	ssize_t n;
	char *nb;
	int left, r;

	for (;;) {
		left = (int)(deadline - now_ms());
		if (left <= 0)
			return 1;
		r = poll(&pfd, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return 1;
		if (*len + 1 >= cap) {
			if (cap >= HW_SMARTCTL_OUT_MAX)
				return -EFBIG;
			cap = cap ? cap * 2 : 64 * 1024;
			nb = realloc(*buf, cap);
			if (nb == NULL)
				return -ENOMEM;
			*buf = nb;
		}
		n = read(fd, *buf + *len, cap - 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		*len += (size_t)n;
	}
}

/* Output ends before the process does: give it the rest of the deadline
 * to exit.  1 when it is still running at the deadline. */
static int wait_exit(pid_t pid, int64_t deadline, int *status)
{
	const struct timespec tick = {0, 5 * 1000 * 1000};
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline)
			return 1;
		nanosleep(&tick, NULL);
	}
}

/*
 * After SIGKILL the wait blocks: a smartctl inside a SCSI/ATA passthrough
 * ioctl dies only when the kernel returns from it (bounded by the
 * command's own timeout), and it must be reaped, not left a zombie.
 */
static void kill_reap(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

int hw_smartctl_exec_argv(const char *exe_in, char *const argv[],
			  const char *what, int timeout_ms, char **json,
			  size_t *len, struct hw_err *err)
{
	char exe[PATH_MAX];
	int64_t deadline;
	char *buf = NULL;
	size_t n = 0;
	int pfd[2], status = 0, r;
	pid_t pid;

	*json = NULL;
	*len = 0;
	if (timeout_ms <= 0) {
		core_err_set(err, "smartctl: invalid timeout");
		return -EINVAL;
	}
	if (exe_in != NULL)
		snprintf(exe, sizeof exe, "%s", exe_in);
	else if (find_smartctl(exe, sizeof exe) < 0) {
		core_err_set(err,
			   "smartctl: not installed (package smartmontools)");
		return -ENOENT;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		r = -errno;
		core_err_set(err, "smartctl: pipe: %s", strerror(-r));
		return r;
	}
	deadline = now_ms() + timeout_ms;
	r = spawn(exe, argv, pfd[1], &pid);
	close(pfd[1]);
	if (r < 0) {
		core_err_set(err, "%s: %s", exe, strerror(-r));
		goto out_close;
	}

	r = drain(pfd[0], deadline, &buf, &n);
	if (r == 0)
		r = wait_exit(pid, deadline, &status);
	if (r != 0) {
		kill_reap(pid);
		if (r == 1) {
			core_err_set(err, "smartctl %s: timed out after %d s, killed",
				   what, (timeout_ms + 999) / 1000);
			r = -ETIMEDOUT;
		} else if (r == -EFBIG) {
			core_err_set(err, "%s %s: output larger than %d bytes",
				   exe, what, HW_SMARTCTL_OUT_MAX);
		} else {
			core_err_set(err, "%s %s: %s", exe, what,
				   strerror(-r));
		}
		goto out_free;
	}
	if (!WIFEXITED(status)) {
		core_err_set(err, "%s %s: killed by signal %d", exe, what,
			   WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		r = -EIO;
		goto out_free;
	}
	if (n == 0) {
		core_err_set(err, "%s %s: exit status %d and no output", exe,
			   what, WEXITSTATUS(status));
		r = -EIO;
		goto out_free;
	}
	buf[n] = '\0';
	*json = buf;
	*len = n;
	buf = NULL;
	r = 0;
out_free:
	free(buf);
out_close:
	close(pfd[0]);
	return r;
}

int hw_smartctl_exec(const char *devnode, int timeout_ms, char **json,
		     size_t *len, struct hw_err *err)
{
	char *const argv[] = {"smartctl", "--json=c",	   "-a", "-n",
			      "standby",  (char *)devnode, NULL};

	*json = NULL;
	*len = 0;
	if (devnode == NULL || devnode[0] == '\0') {
		core_err_set(err, "smartctl: invalid device or timeout");
		return -EINVAL;
	}
	return hw_smartctl_exec_argv(NULL, argv, devnode, timeout_ms, json,
				     len, err);
}

int hw_smartctl_run(const char *devnode, int timeout_ms, char **json,
		    size_t *len, struct hw_err *err)
{
	return hw_raw_get()->smartctl(devnode, timeout_ms, json, len, err);
}
