/* The prober's allow-list.  The check runs twice: on the path asked for,
 * and on the path the kernel says the descriptor has (/proc/self/fd),
 * which is where every symlink on the way led. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "prober_allow.h"

/* Below root: what the probes read, and where packages and tarballs put
 * Kafka and ZooKeeper (facts.c's search places). */
static const char *const fixed[] = {
    "sys",
    "proc",
    "etc",
    "opt/kafka",
    "usr/share/kafka",
    "usr/local/kafka",
    "opt/zookeeper",
    "usr/share/zookeeper",
};

static int add_dir(struct prober_allow *al, const char *root, const char *rel)
{
	char p[PATH_MAX];
	size_t n;

	if (al->n >= PROBER_ALLOW_MAX)
		return -ENOSPC;
	if (core_path(p, sizeof p, root, "%s", rel) < 0)
		return -ENAMETOOLONG;
	n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	if (snprintf(al->dir[al->n], PATH_MAX, "%s/", p) >= PATH_MAX)
		return -ENAMETOOLONG;
	al->n++;
	return 0;
}

/* A configured file's directory, a configured directory itself. */
static int add_conf(struct prober_allow *al, const char *root, const char *path,
		    bool is_file)
{
	char d[PATH_MAX];
	char *slash;

	if (path[0] != '/')
		return 0;
	snprintf(d, sizeof d, "%s", path);
	if (is_file && (slash = strrchr(d, '/')) != NULL)
		slash[1] = '\0';
	if (strcmp(d, "/") == 0)
		return 0; /* never the whole root */
	return add_dir(al, root, d);
}

int prober_allow_init(struct prober_allow *al, const struct conf *conf)
{
	const char *root = conf->agent.root;
	size_t i;
	int r = 0;

	memset(al, 0, sizeof *al);
	for (i = 0; r == 0 && i < sizeof fixed / sizeof fixed[0]; i++)
		r = add_dir(al, root, fixed[i]);
	if (r == 0)
		r = add_conf(al, root, conf->kafka_config, true);
	if (r == 0)
		r = add_conf(al, root, conf->kafka_home, false);
	if (r == 0)
		r = add_conf(al, root, conf->kafka_jaas, true);
	if (r == 0)
		r = add_conf(al, root, conf->zk_config, true);
	if (r == 0 && core_path(al->dev, sizeof al->dev, root, "dev/") < 0)
		r = -ENAMETOOLONG;
	return r;
}

static bool has_dot_component(const char *p)
{
	const char *c = p;

	while (*c) {
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);

		if ((n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return true;
		c += n;
		while (*c == '/')
			c++;
	}
	return false;
}

static bool utf8_ok(const char *s)
{
	uint32_t cp;
	size_t n;

	for (; *s; s += n)
		if ((n = core_utf8_decode((const unsigned char *)s, &cp)) == 0)
			return false;
	return true;
}

/* dir ends with '/': path is below it, or is it. */
static bool below(const char *path, const char *dir)
{
	size_t n = strlen(dir) - 1;

	return strncmp(path, dir, n) == 0 &&
	       (path[n] == '/' || path[n] == '\0');
}

int prober_allow_path(const struct prober_allow *al, const char *path)
{
	size_t len = strnlen(path, PATH_MAX), i;

	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	if (path[0] != '/' || !utf8_ok(path) || has_dot_component(path))
		return -EINVAL;
	if (below(path, al->dev))
		return 0;
	for (i = 0; i < al->n; i++)
		if (below(path, al->dir[i]))
			return 0;
	return -EACCES;
}

int prober_allow_open(const struct prober_allow *al, const char *path,
		      int flags, int *fd)
{
	char self[64], real[PATH_MAX];
	struct stat st;
	ssize_t n;
	int r;

	*fd = -1;
	if (flags & ~O_DIRECTORY)
		return -EINVAL;
	r = prober_allow_path(al, path);
	if (r < 0)
		return r;
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
			     O_NOFOLLOW | flags);
	if (*fd < 0)
		return -errno;
	snprintf(self, sizeof self, "/proc/self/fd/%d", *fd);
	n = readlink(self, real, sizeof real - 1);
	if (n < 0 || fstat(*fd, &st) < 0) {
		r = -errno;
		goto out_close;
	}
	real[n] = '\0';
	r = prober_allow_path(al, real);
	if (r == 0 && below(real, al->dev) && !S_ISBLK(st.st_mode) &&
	    !S_ISDIR(st.st_mode))
		r = -EACCES;
	if (r == 0)
		return 0;
	if (r != -EACCES)
		r = -EACCES; /* resolved somewhere odd: refused all the same */
out_close:
	close(*fd);
	*fd = -1;
	return r;
}
