/* SPDX-License-Identifier: Apache-2.0 */
/* The plan's files: a directory created when missing, an old plan in it
 * refused (or, with --force, removed first: its stale steps beside the
 * new ones would be applied by mistake), each file written to a
 * temporary name, synced and renamed, so a crash leaves whole files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reassign.h"
#include "reassign_files.h"

static int mkdir_p(const char *dir)
{
	char buf[4096];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof buf)
		return -ENAMETOOLONG;
	memcpy(buf, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		buf[i] = i < n ? '/' : '\0';
	}
	return 0;
}

bool ra_files_is_plan(const char *name)
{
	size_t n = strlen(name), i = 0;

	while (name[i] >= '0' && name[i] <= '9')
		i++;
	if (i < 2 || name[i] != '-' || n < i + 7 ||
	    strcmp(name + n - 5, ".json") != 0)
		return false;
	for (i++; i < n - 5; i++)
		if (!ra_topic_char_ok(name[i]))
			return false;
	return true;
}

int ra_files_prepare(const char *dir, bool force, char *err, size_t len)
{
	char first[256] = "";
	struct dirent *e;
	size_t n = 0;
	DIR *d;
	int rc = mkdir_p(dir);

	if (rc < 0) {
		snprintf(err, len, "%s: %s", dir, strerror(-rc));
		return rc;
	}
	d = opendir(dir);
	if (d == NULL) {
		snprintf(err, len, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	while ((e = readdir(d)) != NULL) {
		if (!ra_files_is_plan(e->d_name))
			continue;
		if (!force) {
			/* Named by the first in order, not readdir's. */
			if (n == 0 || strcmp(e->d_name, first) < 0)
				snprintf(first, sizeof first, "%s", e->d_name);
			n++;
			continue;
		}
		if (unlinkat(dirfd(d), e->d_name, 0) < 0) {
			snprintf(err, len, "%s/%s: %s", dir, e->d_name,
				 strerror(errno));
			rc = -errno;
			break;
		}
	}
	if (n > 0) {
		snprintf(err, len,
			 "%s: a plan is already there (%zu file%s, %s first): "
			 "--force replaces it",
			 dir, n, n == 1 ? "" : "s", first);
		rc = -EEXIST;
	}
	closedir(d);
	return rc;
}

int ra_files_write(const char *dir, const char *name, const char *text,
		   char *err, size_t len)
{
	char tmp[4096], path[4096];
	size_t n = strlen(text), off = 0;
	int fd, rc = 0;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name) >=
		sizeof tmp ||
	    (size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >=
		sizeof path) {
		snprintf(err, len, "%s: path too long", dir);
		return -ENAMETOOLONG;
	}
	(void)unlink(tmp); /* left by a crash */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0644);
	if (fd < 0) {
		snprintf(err, len, "%s: %s", tmp, strerror(errno));
		return -errno;
	}
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		snprintf(err, len, "%s: %s", path, strerror(-rc));
		(void)unlink(tmp);
	}
	return rc;
}

int ra_files_sync(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}
