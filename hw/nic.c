/* Network interfaces from sys/class/net: one entry per interface, lo and
 * virtual ones included, so a check can tell "no such NIC" from "NIC down".
 * Attributes the kernel refuses to read (speed, duplex and carrier answer
 * EINVAL while an interface is down) are unknown, not errors; an attribute
 * that reads but does not parse is an error naming the file. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nic.h"
#include "root.h"

/* Reads one attribute of an interface.  Returns 1 with text in buf, 0 when
 * it cannot be read or is empty (a copy of an unreadable sysfs file is
 * empty; the kernel never prints an empty value), -errno on a path error. */
static int nic_attr(const char *root, const char *ifname, const char *attr,
		    char *buf, size_t len, char *path, size_t plen,
		    struct hw_err *err)
{
	int r;

	r = core_path(path, plen, root, "sys/class/net/%s/%s", ifname, attr);
	if (r < 0) {
		core_err_set(err, "%s/sys/class/net/%s/%s: path too long", root,
			   ifname, attr);
		return r;
	}
	if (core_read_line(path, buf, len) < 0 || buf[0] == '\0')
		return 0;
	return 1;
}

static int nic_attr_str(const char *root, const char *ifname, const char *attr,
			char *out, size_t len, struct hw_err *err)
{
	char path[PATH_MAX];
	int r;

	r = nic_attr(root, ifname, attr, out, len, path, sizeof path, err);
	if (r == 0)
		out[0] = '\0';
	return r < 0 ? r : 0;
}

/* An integer attribute in [min, max]; unknown when unreadable, -EINVAL
 * naming the file when it holds anything else. */
static int nic_attr_i64(const char *root, const char *ifname, const char *attr,
			int64_t min, int64_t max, struct hw_num *out,
			struct hw_err *err)
{
	char path[PATH_MAX], buf[64];
	int r;

	out->known = false;
	r = nic_attr(root, ifname, attr, buf, sizeof buf, path, sizeof path,
		     err);
	if (r <= 0)
		return r;
	if (core_parse_i64(buf, &out->v) < 0) {
		core_err_set(err, "%s: not a number: '%s'", path, buf);
		return -EINVAL;
	}
	if (out->v < min || out->v > max) {
		core_err_set(err, "%s: %lld is outside [%lld, %lld]", path,
			   (long long)out->v, (long long)min, (long long)max);
		return -EINVAL;
	}
	out->known = true;
	return 0;
}

/* The kernel prints SPEED_UNKNOWN as -1 (%d) or, before 4.x, as 4294967295
 * (%u).  0 is unknown too: include/uapi/linux/ethtool.h (comment above
 * struct ethtool_link_settings) says that with autonegotiation on and the
 * link down "the speed is 0, SPEED_UNKNOWN or the highest enabled speed". */
static int nic_speed(const char *root, struct hw_nic *n, struct hw_err *err)
{
	int r;

	r = nic_attr_i64(root, n->name, "speed", -1, UINT32_MAX, &n->speed_mbps,
			 err);
	if (r < 0)
		return r;
	if (n->speed_mbps.v == -1 || n->speed_mbps.v == UINT32_MAX ||
	    n->speed_mbps.v == 0)
		n->speed_mbps.known = false;
	return 0;
}

/* Basename of a link below the interface directory, e.g. device/driver ->
 * ../../../../bus/pci/drivers/ixgbe gives "ixgbe"; empty when absent. */
static void nic_link_base(const char *root, const char *ifname,
			  const char *link, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	out[0] = '\0';
	if (core_path(path, sizeof path, root, "sys/class/net/%s/%s", ifname,
		    link) < 0)
		return;
	n = readlink(path, target, sizeof target - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	while (n > 1 && target[n - 1] == '/')
		target[--n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) < len)
		strcpy(out, base);
}

static bool nic_has(const char *root, const char *ifname, const char *entry,
		    bool want_dir)
{
	char path[PATH_MAX];
	struct stat st;

	if (core_path(path, sizeof path, root, "sys/class/net/%s/%s", ifname,
		    entry) < 0)
		return false;
	if (want_dir)
		return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	return lstat(path, &st) == 0;
}

/* bonding/slaves: "eno1 eno2\n". */
static int nic_members(const char *root, struct hw_nic *n, struct hw_err *err)
{
	char path[PATH_MAX], buf[4096], *tok, *save = NULL;
	int r;

	r = nic_attr(root, n->name, "bonding/slaves", buf, sizeof buf, path,
		     sizeof path, err);
	if (r <= 0)
		return r;
	for (tok = strtok_r(buf, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (strlen(tok) >= HW_IFNAME_MAX) {
			core_err_set(err, "%s: interface name too long: '%s'",
				   path, tok);
			return -EINVAL;
		}
		if (n->n_members == HW_NIC_MEMBERS_MAX) {
			core_err_set(err, "%s: more than %d members", path,
				   HW_NIC_MEMBERS_MAX);
			return -E2BIG;
		}
		strcpy(n->members[n->n_members++], tok);
	}
	return 0;
}

static int nic_probe_one(const char *root, bool live, struct hw_nic *n,
			 struct hw_err *err)
{
	char mac[64];
	int r;

	n->carrier.known = n->speed_mbps.known = false;
	n->max_speed_mbps.known = n->mtu.known = false;
	/* A MAC longer than 17 characters (InfiniBand's 20-byte address) is
	 * not an Ethernet MAC: leave it unknown rather than cut it. */
	r = nic_attr_str(root, n->name, "address", mac, sizeof mac, err);
	if (r < 0)
		return r;
	if (strlen(mac) < sizeof n->mac)
		strcpy(n->mac, mac);
	if ((r = nic_attr_str(root, n->name, "operstate", n->operstate,
			      sizeof n->operstate, err)) < 0 ||
	    (r = nic_attr_str(root, n->name, "duplex", n->duplex,
			      sizeof n->duplex, err)) < 0)
		return r;
	if (strcmp(n->duplex, "unknown") == 0)
		n->duplex[0] = '\0';
	if ((r = nic_attr_i64(root, n->name, "carrier", 0, 1, &n->carrier,
			      err)) < 0 ||
	    (r = nic_speed(root, n, err)) < 0 ||
	    (r = nic_attr_i64(root, n->name, "mtu", 0, INT32_MAX, &n->mtu,
			      err)) < 0)
		return r;
	/* A captured tree may hold `device` as a copied file rather than a
	 * link: its presence, not its type, says a device backs the NIC. */
	n->virtual = !nic_has(root, n->name, "device", false);
	nic_link_base(root, n->name, "device/driver", n->driver,
		      sizeof n->driver);
	n->bond = nic_has(root, n->name, "bonding", true);
	if (n->bond && (r = nic_members(root, n, err)) < 0)
		return r;
	if (live)
		hw_nic_ethtool_max_speed(n->name, &n->max_speed_mbps);
	return 0;
}

/* The bond's own speed file counts only members that can transmit (one in
 * active-backup); the capacity the host has is what all members offer. */
static void nic_bond_speeds(struct hw_nics *nics)
{
	size_t i, j;

	for (i = 0; i < nics->n; i++) {
		struct hw_nic *b = &nics->v[i];
		struct hw_num sum = {0, false};

		if (!b->bond)
			continue;
		for (j = 0; j < b->n_members; j++) {
			const struct hw_nic *m =
			    hw_nics_find(nics, b->members[j]);

			if (m && m->speed_mbps.known) {
				sum.v += m->speed_mbps.v;
				sum.known = true;
			}
		}
		b->speed_mbps = sum;
	}
}

static int nic_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct hw_nic *)a)->name,
		      ((const struct hw_nic *)b)->name);
}

static int nic_grow(struct hw_nics *nics, size_t *cap)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	struct hw_nic *v;

	if (*cap == HW_NICS_MAX)
		return -E2BIG;
	if (ncap > HW_NICS_MAX)
		ncap = HW_NICS_MAX;
	v = realloc(nics->v, ncap * sizeof *v);
	if (v == NULL)
		return -ENOMEM;
	memset(v + *cap, 0, (ncap - *cap) * sizeof *v);
	nics->v = v;
	*cap = ncap;
	return 0;
}

/* sys/class/net holds one link per interface and, with bonding loaded, the
 * file bonding_masters: keep the entries that lead to a directory. */
static int nic_list(const char *root, struct hw_nics *out, struct hw_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	size_t cap = 0;
	DIR *d;
	int r = 0;

	r = core_path(dir, sizeof dir, root, "sys/class/net");
	if (r < 0) {
		core_err_set(err, "%s/sys/class/net: path too long", root);
		return r;
	}
	d = opendir(dir);
	if (d == NULL) {
		r = -errno;
		core_err_set(err, "%s: %s", dir, strerror(-r));
		return r;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (core_path(path, sizeof path, root, "sys/class/net/%s",
			    de->d_name) < 0 ||
		    stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (strlen(de->d_name) >= HW_IFNAME_MAX) {
			r = -ENAMETOOLONG;
			core_err_set(err, "%s: interface name too long", path);
			goto out_closedir;
		}
		if (out->n == cap) {
			r = nic_grow(out, &cap);
			if (r == -E2BIG)
				core_err_set(err, "%s: more than %d interfaces",
					   dir, HW_NICS_MAX);
			else if (r < 0)
				core_err_set(err, "%s: out of memory", dir);
			if (r < 0)
				goto out_closedir;
		}
		strcpy(out->v[out->n++].name, de->d_name);
	}
	qsort(out->v, out->n, sizeof *out->v, nic_name_cmp);
out_closedir:
	closedir(d);
	return r;
}

int hw_nics_probe(const char *root, struct hw_nics *out, struct hw_err *err)
{
	return hw_nics_probe_lldp(root, NULL, out, err);
}

int hw_nics_probe_lldp(const char *root, const char *lldp_socket,
		       struct hw_nics *out, struct hw_err *err)
{
	/* The ioctl reaches the interfaces of this host only: a tree below
	 * any other root is a capture, where link modes are unknown. */
	bool live = hw_root_is_live(root);
	size_t i;
	int r;

	memset(out, 0, sizeof *out);
	r = nic_list(root, out, err);
	if (r < 0)
		goto out_free;
	for (i = 0; i < out->n; i++) {
		r = nic_probe_one(root, live, &out->v[i], err);
		if (r < 0)
			goto out_free;
	}
	nic_bond_speeds(out);
	r = hw_nic_addrs_probe(root, out, err);
	if (r < 0)
		goto out_free;
	r = hw_nic_default_route(root, out->default_route,
				 sizeof out->default_route, err);
	if (r < 0)
		goto out_free;
	hw_lldp_probe(root, lldp_socket, out);
	return 0;
out_free:
	hw_nics_free(out);
	return r;
}

void hw_nics_free(struct hw_nics *nics)
{
	free(nics->v);
	nics->v = NULL;
	nics->n = 0;
	nics->default_route[0] = '\0';
}

const struct hw_nic *hw_nics_find(const struct hw_nics *nics, const char *name)
{
	size_t i;

	for (i = 0; i < nics->n; i++)
		if (strcmp(nics->v[i].name, name) == 0)
			return &nics->v[i];
	return NULL;
}
