/* Addresses and the default route from proc/net, so that a captured tree
 * answers like the live host (netlink would only see the live one).
 *
 * IPv6 is exact: proc/net/if_inet6 lists every address with its device.
 * IPv4 has no such file.  proc/net/fib_trie lists the host's own addresses
 * as "/32 host LOCAL" leaves but without a device; proc/net/route lists the
 * main table's routes with their device.  An address belongs to the device
 * whose directly connected route (no gateway) contains it, the most
 * specific one first; the prefix length is that route's mask.  This is what
 * the kernel itself installs for every address it is given (fib_add_ifaddr
 * adds the prefix route of the address's subnet on its device).  Loopback
 * prefixes are the exception: the kernel puts them in the local table as a
 * "host LOCAL" leaf shorter than /32 (127.0.0.0/8 host LOCAL), so an
 * address inside such a leaf belongs to the loopback device.  What this
 * cannot see: addresses of an interface that is down (the kernel removes
 * their routes), and addresses added with noprefixroute or as /32 on a
 * non-loopback device (no connected route names their device). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <net/route.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nic.h"

/* Bounds on what we keep from tables a router could make huge; a Kafka or
 * ZooKeeper host has a handful of each.  Beyond them entries are ignored:
 * later addresses stay unattributed, later routes are not considered. */
#define NIC_ROUTES_MAX	 4096
#define NIC_LOCALS_MAX	 4096
#define NIC_LOOPNETS_MAX 16
#define NIC_LINE_MAX	 512

struct nic_route4 {
	char ifname[HW_IFNAME_MAX];
	uint32_t dst, mask, flags; /* dst and mask in network order */
	int64_t metric;
};

struct nic_loopnet {
	uint32_t net, mask; /* network order */
	unsigned plen;
};

/* Opens proc/net/<name> below root: *fp NULL when the tree has no such file
 * (a capture without procfs), an error naming it when it exists but cannot
 * be opened. */
static int nic_proc_open(const char *root, const char *name, char *path,
			 size_t plen, FILE **fp, struct hw_err *err)
{
	int fd, r;

	*fp = NULL;
	r = core_path(path, plen, root, "proc/net/%s", name);
	if (r < 0) {
		core_err_set(err, "%s/proc/net/%s: path too long", root, name);
		return r;
	}
	r = core_file_open(path, 0, &fd);
	if (r == -ENOENT)
		return 0;
	if (r == 0 && (*fp = fdopen(fd, "r")) == NULL) {
		r = -errno;
		close(fd);
	}
	if (r < 0)
		core_err_file(err, path, r);
	return r;
}

/* 1 with a line (newline stripped), 0 at the end, -EINVAL when a line does
 * not fit: no procfs table we read has lines that long. */
static int nic_getline(FILE *fp, char *buf, size_t len, const char *path,
		       unsigned *lineno, struct hw_err *err)
{
	size_t n;

	if (fgets(buf, (int)len, fp) == NULL)
		return 0;
	++*lineno;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n') {
		buf[n - 1] = '\0';
	} else if (!feof(fp)) {
		core_err_set(err, "%s:%u: line longer than %zu bytes", path,
			   *lineno, len - 1);
		return -EINVAL;
	}
	return 1;
}

/* proc/net/route: "Iface Destination Gateway Flags RefCnt Use Metric Mask
 * MTU Window IRTT", addresses as the kernel's %08X of a __be32, which read
 * back with %x give the in-memory (network order) value on this host. */
static int nic_routes4_read(const char *root, struct nic_route4 **out,
			    size_t *n, struct hw_err *err)
{
	char path[PATH_MAX], line[NIC_LINE_MAX];
	struct nic_route4 *v = NULL;
	unsigned lineno = 0;
	size_t cap = 0;
	FILE *fp;
	int r;

	*out = NULL;
	*n = 0;
	r = nic_proc_open(root, "route", path, sizeof path, &fp, err);
	if (r < 0 || fp == NULL)
		return r;
	while ((r = nic_getline(fp, line, sizeof line, path, &lineno, err)) >
	       0) {
		struct nic_route4 *rt;
		unsigned dst, gw, flags, mask;
		int metric;

		if (lineno == 1 && strncmp(line, "Iface", 5) == 0)
			continue;
		if (*n == NIC_ROUTES_MAX)
			break;
		/* Grown as lines come: a host has a handful of routes, and
		 * zeroing room for the most a router could have cost more than
		 * the parse when the daemon reads this every second. */
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct nic_route4 *nv = realloc(v, ncap * sizeof *v);

			if (nv == NULL) {
				r = -ENOMEM;
				core_err_set(err, "%s: out of memory", path);
				break;
			}
			v = nv;
			cap = ncap;
		}
		rt = &v[*n];
		memset(rt, 0, sizeof *rt);
		if (sscanf(line, "%15s %x %x %x %*d %*d %d %x", rt->ifname,
			   &dst, &gw, &flags, &metric, &mask) != 6) {
			core_err_set(err, "%s:%u: not a route line: '%.80s'",
				   path, lineno, line);
			r = -EINVAL;
			break;
		}
		rt->dst = dst;
		rt->mask = mask;
		rt->flags = flags;
		rt->metric = metric;
		++*n;
	}
	if (r < 0)
		goto out_free;
	*out = v;
	v = NULL;
	r = 0;
out_free:
	free(v);
	fclose(fp);
	return r;
}

static int nic_u32_cmp(const void *a, const void *b)
{
	uint32_t x = ntohl(*(const uint32_t *)a);
	uint32_t y = ntohl(*(const uint32_t *)b);

	return x < y ? -1 : x > y;
}

static uint32_t nic_plen_mask(unsigned plen)
{
	return plen == 0 ? 0 : htonl(UINT32_MAX << (32 - plen));
}

/* Collects the LOCAL leaves of proc/net/fib_trie:
 *        |-- 10.20.30.41
 *           /32 host LOCAL
 * The same leaf shows in the Main and the Local section when the two
 * tables are merged, so the result is sorted and made unique. */
static int nic_fib_locals(const char *root, uint32_t *locals, size_t *nl,
			  struct nic_loopnet *loops, size_t *nlo,
			  struct hw_err *err)
{
	char path[PATH_MAX], line[NIC_LINE_MAX], scope[16], type[16];
	struct in_addr leaf;
	bool have_leaf = false;
	unsigned lineno = 0, plen;
	size_t i, j;
	FILE *fp;
	int r;

	*nl = *nlo = 0;
	r = nic_proc_open(root, "fib_trie", path, sizeof path, &fp, err);
	if (r < 0 || fp == NULL)
		return r;
	while ((r = nic_getline(fp, line, sizeof line, path, &lineno, err)) >
	       0) {
		char *p = line + strspn(line, " \t");

		if (strncmp(p, "|-- ", 4) == 0) {
			have_leaf = inet_pton(AF_INET, p + 4, &leaf) == 1;
			continue;
		}
		if (*p != '/' || !have_leaf)
			continue;
		if (sscanf(p, "/%u %15s %15s", &plen, scope, type) != 3 ||
		    plen > 32) {
			core_err_set(err, "%s:%u: not a leaf line: '%.80s'", path,
				   lineno, p);
			r = -EINVAL;
			break;
		}
		if (strcmp(scope, "host") != 0 || strcmp(type, "LOCAL") != 0)
			continue;
		if (plen == 32 && *nl < NIC_LOCALS_MAX) {
			locals[(*nl)++] = leaf.s_addr;
		} else if (plen < 32 && *nlo < NIC_LOOPNETS_MAX) {
			loops[*nlo].mask = nic_plen_mask(plen);
			loops[*nlo].net = leaf.s_addr & loops[*nlo].mask;
			loops[(*nlo)++].plen = plen;
		}
	}
	fclose(fp);
	if (r < 0)
		return r;
	qsort(locals, *nl, sizeof *locals, nic_u32_cmp);
	for (i = j = 0; i < *nl; i++)
		if (j == 0 || locals[j - 1] != locals[i])
			locals[j++] = locals[i];
	*nl = j;
	return 0;
}

/* Addresses beyond HW_NIC_ADDRS_MAX on one interface are left out: the
 * inventory sizes hosts, it is not an address map. */
static void nic_addr_add(struct hw_nic *n, const char *addr, unsigned plen)
{
	if (n->n_addrs == HW_NIC_ADDRS_MAX)
		return;
	snprintf(n->addrs[n->n_addrs++], HW_ADDR_MAX, "%s/%u", addr, plen);
}

static bool nic_is_loopback(const char *root, const struct hw_nic *n)
{
	char path[PATH_MAX], buf[32], *end;
	unsigned long flags;

	if (core_path(path, sizeof path, root, "sys/class/net/%s/flags",
		    n->name) < 0 ||
	    core_read_line(path, buf, sizeof buf) < 0)
		return false;
	errno = 0;
	flags = strtoul(buf, &end, 16);
	return errno == 0 && end != buf && *end == '\0' &&
	       (flags & IFF_LOOPBACK);
}

static struct hw_nic *nic_find_mut(struct hw_nics *nics, const char *name)
{
	return (struct hw_nic *)hw_nics_find(nics, name);
}

static void nic_attribute4(const char *root, struct hw_nics *nics, uint32_t a,
			   const struct nic_route4 *rt, size_t nrt,
			   const struct nic_loopnet *loops, size_t nlo)
{
	const struct nic_route4 *best = NULL;
	char text[INET_ADDRSTRLEN];
	struct in_addr in = {a};
	size_t i;

	for (i = 0; i < nrt; i++) {
		const struct nic_route4 *c = &rt[i];

		if (!(c->flags & RTF_UP) || (c->flags & RTF_GATEWAY) ||
		    c->mask == 0 || (a & c->mask) != c->dst)
			continue;
		if (best == NULL ||
		    __builtin_popcount(c->mask) >
			__builtin_popcount(best->mask) ||
		    (c->mask == best->mask && c->metric < best->metric))
			best = c;
	}
	inet_ntop(AF_INET, &in, text, sizeof text);
	if (best) {
		struct hw_nic *n = nic_find_mut(nics, best->ifname);

		if (n)
			nic_addr_add(n, text,
				     (unsigned)__builtin_popcount(best->mask));
		return;
	}
	for (i = 0; i < nlo; i++) {
		if ((a & loops[i].mask) != loops[i].net)
			continue;
		for (size_t k = 0; k < nics->n; k++)
			if (nic_is_loopback(root, &nics->v[k])) {
				nic_addr_add(&nics->v[k], text, loops[i].plen);
				return;
			}
	}
}

static int nic_addrs4(const char *root, struct hw_nics *nics,
		      struct hw_err *err)
{
	struct nic_loopnet loops[NIC_LOOPNETS_MAX];
	struct nic_route4 *rt = NULL;
	uint32_t *locals;
	size_t nl, nlo, nrt, i;
	int r;

	locals = calloc(NIC_LOCALS_MAX, sizeof *locals);
	if (locals == NULL) {
		core_err_set(err, "proc/net/fib_trie: out of memory");
		return -ENOMEM;
	}
	r = nic_fib_locals(root, locals, &nl, loops, &nlo, err);
	if (r < 0)
		goto out_free;
	r = nic_routes4_read(root, &rt, &nrt, err);
	if (r < 0)
		goto out_free;
	for (i = 0; i < nl; i++)
		nic_attribute4(root, nics, locals[i], rt, nrt, loops, nlo);
out_free:
	free(rt);
	free(locals);
	return r;
}

/* 32 hex digits as the kernel prints an in6_addr (%pi6: no colons). */
static int nic_hex_in6(const char *hex, struct in6_addr *a)
{
	size_t i;

	if (strlen(hex) != 32 || strspn(hex, "0123456789abcdef") != 32)
		return -EINVAL;
	for (i = 0; i < 16; i++) {
		char byte[3] = {hex[2 * i], hex[2 * i + 1], '\0'};

		a->s6_addr[i] = (uint8_t)strtoul(byte, NULL, 16);
	}
	return 0;
}

/* proc/net/if_inet6: "address ifindex prefixlen scope flags name", all hex
 * but the name.  An address whose duplicate detection failed is not in
 * use (IFA_F_DADFAILED). */
static int nic_addrs6(const char *root, struct hw_nics *nics,
		      struct hw_err *err)
{
	char path[PATH_MAX], line[NIC_LINE_MAX], hex[33], name[HW_IFNAME_MAX];
	char text[INET6_ADDRSTRLEN];
	unsigned lineno = 0, ifindex, plen, scope, flags;
	struct in6_addr a;
	FILE *fp;
	int r;

	r = nic_proc_open(root, "if_inet6", path, sizeof path, &fp, err);
	if (r < 0 || fp == NULL)
		return r;
	while ((r = nic_getline(fp, line, sizeof line, path, &lineno, err)) >
	       0) {
		struct hw_nic *n;

		if (sscanf(line, "%32s %x %x %x %x %15s", hex, &ifindex, &plen,
			   &scope, &flags, name) != 6 ||
		    plen > 128 || nic_hex_in6(hex, &a) < 0) {
			core_err_set(err, "%s:%u: not an address line: '%.80s'",
				   path, lineno, line);
			r = -EINVAL;
			break;
		}
		if (flags & 0x08 /* IFA_F_DADFAILED */)
			continue;
		n = nic_find_mut(nics, name);
		if (n && inet_ntop(AF_INET6, &a, text, sizeof text))
			nic_addr_add(n, text, plen);
	}
	fclose(fp);
	return r;
}

int hw_nic_addrs_probe(const char *root, struct hw_nics *nics,
		       struct hw_err *err)
{
	int r;

	r = nic_addrs4(root, nics, err);
	if (r < 0)
		return r;
	return nic_addrs6(root, nics, err);
}

/* proc/net/ipv6_route: "dest dest_plen src src_plen nexthop metric refcnt
 * use flags device"; ::/0 is the default, the kernel's unreachable ::/0 on
 * lo carries RTF_REJECT and no RTF_UP. */
static int nic_default6(const char *root, char *ifname, size_t len,
			struct hw_err *err)
{
	char path[PATH_MAX], line[NIC_LINE_MAX], dst[33], src[33], via[33];
	char name[HW_IFNAME_MAX];
	unsigned lineno = 0, dplen, splen, metric, flags;
	uint64_t best = UINT64_MAX;
	FILE *fp;
	int r;

	r = nic_proc_open(root, "ipv6_route", path, sizeof path, &fp, err);
	if (r < 0 || fp == NULL)
		return r;
	while ((r = nic_getline(fp, line, sizeof line, path, &lineno, err)) >
	       0) {
		if (sscanf(line, "%32s %x %32s %x %32s %x %*x %*x %x %15s", dst,
			   &dplen, src, &splen, via, &metric, &flags,
			   name) != 8) {
			core_err_set(err, "%s:%u: not a route line: '%.80s'",
				   path, lineno, line);
			r = -EINVAL;
			break;
		}
		if (dplen != 0 || strspn(dst, "0") != 32 || !(flags & RTF_UP) ||
		    (flags & RTF_REJECT) || metric >= best ||
		    strlen(name) >= len)
			continue;
		best = metric;
		strcpy(ifname, name);
	}
	fclose(fp);
	return r;
}

int hw_nic_default_route(const char *root, char *ifname, size_t len,
			 struct hw_err *err)
{
	struct nic_route4 *rt;
	int64_t best = INT64_MAX;
	size_t n, i;
	int r;

	ifname[0] = '\0';
	r = nic_routes4_read(root, &rt, &n, err);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		if (rt[i].dst != 0 || rt[i].mask != 0 ||
		    !(rt[i].flags & RTF_UP) || (rt[i].flags & RTF_REJECT) ||
		    rt[i].metric >= best || strlen(rt[i].ifname) >= len)
			continue;
		best = rt[i].metric;
		strcpy(ifname, rt[i].ifname);
	}
	free(rt);
	if (ifname[0] != '\0')
		return 0;
	return nic_default6(root, ifname, len, err);
}
