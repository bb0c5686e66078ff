/* Paths below a root and bounded reads: every probe goes through these so
 * that a test can point it at a captured tree and no file can make us read
 * without limit. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

int core_path(char *buf, size_t len, const char *root, const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;
	int n;
	size_t rl;

	va_start(ap, fmt);
	n = vsnprintf(rel, sizeof rel, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof rel)
		return -ENAMETOOLONG;
	/* "/" + "proc/x" must give "/proc/x", "t" + "/proc/x" must give "t/proc/x" */
	rl = strlen(root);
	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	while (rel[0] == '/')
		memmove(rel, rel + 1, strlen(rel));
	n = snprintf(buf, len, "%.*s/%s", (int)rl, root, rel);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* Non-blocking, because open() of a fifo without a writer waits for one
 * for ever, and read() of a fifo or a device may too; then fstat, because
 * only a regular file has an end we will reach.  procfs and sysfs files
 * are regular.  O_NONBLOCK means nothing to a regular file's reads. */
static core_opener_fn opener;

void core_file_set_opener(core_opener_fn fn)
{
	opener = fn;
}

/* The direct open first: most files are world-readable, and a round trip
 * to whoever has the privilege is for those that are not. */
static int open_ro(const char *path, int flags, int *fd)
{
	flags |= O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	*fd = open(path, flags);
	if (*fd >= 0)
		return 0;
	if ((errno == EACCES || errno == EPERM) && opener != NULL)
		return opener(path, flags, fd);
	return -errno;
}

int core_dir_open(const char *path, int *fd)
{
	int r = open_ro(path, O_DIRECTORY, fd);

	if (r < 0)
		*fd = -1;
	return r;
}

bool core_path_exists(const char *path)
{
	int fd;

	if (faccessat(AT_FDCWD, path, F_OK, AT_EACCESS) == 0)
		return true;
	if (errno != EACCES || opener == NULL || opener(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, &fd) < 0)
		return false;
	close(fd);
	return true;
}

int core_file_open(const char *path, int flags, int *fd)
{
	struct stat st;
	int r;

	r = open_ro(path, flags, fd);
	/* A socket, or a device without a driver, fails here; a regular
	 * file never gives ENXIO. */
	if (r < 0) {
		*fd = -1;
		return r == -ENXIO ? -CORE_ENOTREG : r;
	}
	if (fstat(*fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -CORE_ENOTREG;
	else
		return 0;
	close(*fd);
	*fd = -1;
	return r;
}

ssize_t core_read_file(const char *path, char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t r;
	int fd;

	if (cap == 0)
		return -EINVAL;
	r = core_file_open(path, 0, &fd);
	if (r < 0)
		return r;
	while (got < cap - 1) {
		r = read(fd, buf + got, cap - 1 - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			return r;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

static const char *file_type_name(mode_t m)
{
	if (S_ISFIFO(m))
		return "a fifo";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISDIR(m))
		return "a directory";
	return "a special file";
}

/* The type is looked up again by name: stat() of a fifo does not wait,
 * and the answer only words a message. */
void core_file_strerror(char *buf, size_t len, const char *path, int r)
{
	struct stat st;

	if (r == -CORE_ENOTREG)
		snprintf(buf, len, "%s is %s, not a regular file", path,
			 stat(path, &st) == 0 ? file_type_name(st.st_mode)
					      : "a special file");
	else
		snprintf(buf, len, "%s: %s", path, strerror(-r));
}

void core_err_file(struct hw_err *err, const char *path, int r)
{
	if (err != NULL)
		core_file_strerror(err->msg, sizeof err->msg, path, r);
}

int core_read_line(const char *path, char *buf, size_t cap)
{
	char tmp[4096];
	ssize_t n;
	size_t len;
	char *nl;

	n = core_read_file(path, tmp, sizeof tmp);
	if (n < 0)
		return (int)n;
	nl = strchr(tmp, '\n');
	if (nl)
		*nl = '\0';
	len = strlen(tmp);
	while (len > 0 && (tmp[len - 1] == ' ' || tmp[len - 1] == '\t' ||
			   tmp[len - 1] == '\r'))
		tmp[--len] = '\0';
	if (len >= cap)
		len = cap - 1;
	memcpy(buf, tmp, len);
	buf[len] = '\0';
	return 0;
}

int core_parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s)
		return -EINVAL;
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	if (*end != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}

int core_read_i64(const char *path, int64_t *out)
{
	char buf[64];
	int r;

	r = core_read_line(path, buf, sizeof buf);
	if (r < 0)
		return r;
	return core_parse_i64(buf, out);
}

void core_err_set(struct hw_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

int core_root_check(const char *root, struct hw_err *err)
{
	struct stat st;

	if (stat(root, &st) < 0) {
		int e = errno;
		core_err_set(err, "%s: %s", root, strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode)) {
		core_err_set(err, "%s: not a directory", root);
		return -ENOTDIR;
	}
	return 0;
}
