/*
 * fuzz_nic.c — the proc/net tables hw/nic_addr.c reads: fib_trie and
 * route (IPv4 addresses and the default route), if_inet6 and ipv6_route
 * (IPv6), through hw_nic_addrs_probe and hw_nic_default_route.
 *
 * The probes read files below a root, so the input is written into a
 * tree made once per process: up to four parts separated by NUL bytes,
 * fib_trie, route, if_inet6, ipv6_route, in that order (a missing part is
 * a missing file, as in a capture without it).  The tree's interfaces
 * are those of the fixture hosts, lo being the loopback one.
 *
 * Checked: an error explains itself; no interface gets more than
 * HW_NIC_ADDRS_MAX addresses; every address is terminated, reads back
 * with inet_pton and carries a prefix no longer than its family's; the
 * default route's interface is terminated and shorter than the buffer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "hw.h"
#include "nic.h"

#define H "fuzz_nic"

static const char *const files[] = {"fib_trie", "route", "if_inet6",
				    "ipv6_route"};
#define N_FILES (sizeof files / sizeof files[0])
static const char *const ifnames[] = {"lo", "eno1", "eno2", "eno3", "bond0",
				      "eth0"};
#define N_IFS (sizeof ifnames / sizeof ifnames[0])

static void write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n) || close(fd) < 0)
		abort();
}

/* The tree, made once: /dev/shm when there is one, so that the writes of
 * every input stay in memory. */
static const char *tree_get(void)
{
	static char root[64];
	char path[PATH_MAX];
	size_t i;

	if (root[0])
		return root;
	snprintf(root, sizeof root, "%s/kagent-fuzz-nic-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(root))
		abort();
	snprintf(path, sizeof path, "%s/proc", root);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/proc/net", root);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/sys", root);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/sys/class", root);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/sys/class/net", root);
	mkdir(path, 0700);
	for (i = 0; i < N_IFS; i++) {
		snprintf(path, sizeof path, "%s/sys/class/net/%s", root,
			 ifnames[i]);
		mkdir(path, 0700);
		snprintf(path, sizeof path, "%s/sys/class/net/%s/flags", root,
			 ifnames[i]);
		write_file(path, i == 0 ? "0x9\n" : "0x1003\n",
			   i == 0 ? 4 : 7);
	}
	return root;
}

static void check_addr(const char *a)
{
	char host[HW_ADDR_MAX], *slash, *end;
	unsigned char buf[16];
	unsigned long plen;
	bool v6;

	fuzz_require(fuzz_terminated(a, HW_ADDR_MAX), H,
		     "address not terminated");
	snprintf(host, sizeof host, "%s", a);
	slash = strchr(host, '/');
	fuzz_require(slash != NULL, H, "address without a prefix");
	*slash = '\0';
	v6 = strchr(host, ':') != NULL;
	fuzz_require(inet_pton(v6 ? AF_INET6 : AF_INET, host, buf) == 1, H,
		     "address does not read back");
	plen = strtoul(slash + 1, &end, 10);
	fuzz_require(*end == '\0' && slash[1] != '\0' &&
			 plen <= (v6 ? 128u : 32u),
		     H, "prefix length out of range");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *root = tree_get();
	struct hw_nic nics_v[N_IFS];
	struct hw_nics nics = {nics_v, N_IFS, ""};
	struct hw_err err = {{0}};
	char path[PATH_MAX], ifname[HW_IFNAME_MAX];
	const uint8_t *p = data, *nul;
	size_t i, j, left = size;
	int r;

	for (i = 0; i < N_FILES; i++) {
		snprintf(path, sizeof path, "%s/proc/net/%s", root, files[i]);
		if (p == NULL) {
			unlink(path);
			continue;
		}
		nul = memchr(p, '\0', left);
		write_file(path, p, nul ? (size_t)(nul - p) : left);
		if (nul) {
			left -= (size_t)(nul - p) + 1;
			p = nul + 1;
		} else {
			p = NULL;
		}
	}
	memset(nics_v, 0, sizeof nics_v);
	for (i = 0; i < N_IFS; i++)
		snprintf(nics_v[i].name, sizeof nics_v[i].name, "%s",
			 ifnames[i]);
	r = hw_nic_addrs_probe(root, &nics, &err);
	if (r < 0)
		fuzz_require(err.msg[0] != '\0', H, "addrs error unexplained");
	for (i = 0; i < N_IFS; i++) {
		fuzz_require(nics_v[i].n_addrs <= HW_NIC_ADDRS_MAX, H,
			     "addresses above the bound");
		for (j = 0; j < nics_v[i].n_addrs; j++)
			check_addr(nics_v[i].addrs[j]);
	}
	memset(&err, 0, sizeof err);
	memset(ifname, 'x', sizeof ifname);
	r = hw_nic_default_route(root, ifname, sizeof ifname, &err);
	if (r < 0)
		fuzz_require(err.msg[0] != '\0', H, "route error unexplained");
	else
		fuzz_require(fuzz_terminated(ifname, sizeof ifname), H,
			     "default route not terminated");
	return 0;
}
