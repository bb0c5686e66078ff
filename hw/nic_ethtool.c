/* Link modes through the ETHTOOL_GLINKSETTINGS ioctl: what the NIC and the
 * switch port could agree on, as opposed to what they negotiated (sysfs
 * speed).  The two differ on a downshifted link (ROLES.md nic.downshift).
 * Only meaningful on the live host: a captured tree has no ioctl. */
#include <errno.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nic.h"

/* Speed of every link mode bit in the uapi header the build sees
 * (ethtool_link_mode_bit_indices); the remaining bits are ports, pause and
 * FEC, which carry no speed.  Modes added by newer kernels than the header
 * are ignored rather than guessed. */
static const struct {
	unsigned bit;
	int64_t mbps;
} nic_mode_speeds[] = {
    {ETHTOOL_LINK_MODE_10baseT1L_Full_BIT, 10},
    {ETHTOOL_LINK_MODE_10baseT_Full_BIT, 10},
    {ETHTOOL_LINK_MODE_10baseT_Half_BIT, 10},
    {ETHTOOL_LINK_MODE_100baseFX_Full_BIT, 100},
    {ETHTOOL_LINK_MODE_100baseFX_Half_BIT, 100},
    {ETHTOOL_LINK_MODE_100baseT1_Full_BIT, 100},
    {ETHTOOL_LINK_MODE_100baseT_Full_BIT, 100},
    {ETHTOOL_LINK_MODE_100baseT_Half_BIT, 100},
    {ETHTOOL_LINK_MODE_1000baseKX_Full_BIT, 1000},
    {ETHTOOL_LINK_MODE_1000baseT1_Full_BIT, 1000},
    {ETHTOOL_LINK_MODE_1000baseT_Full_BIT, 1000},
    {ETHTOOL_LINK_MODE_1000baseT_Half_BIT, 1000},
    {ETHTOOL_LINK_MODE_1000baseX_Full_BIT, 1000},
    {ETHTOOL_LINK_MODE_2500baseT_Full_BIT, 2500},
    {ETHTOOL_LINK_MODE_2500baseX_Full_BIT, 2500},
    {ETHTOOL_LINK_MODE_5000baseT_Full_BIT, 5000},
    {ETHTOOL_LINK_MODE_10000baseCR_Full_BIT, 10000},
    {ETHTOOL_LINK_MODE_10000baseER_Full_BIT, 10000},
    {ETHTOOL_LINK_MODE_10000baseKR_Full_BIT, 10000},
    {ETHTOOL_LINK_MODE_10000baseKX4_Full_BIT, 10000},
    {ETHTOOL_LINK_MODE_10000baseLRM_Full_BIT, 10000},
    {ETHTOOL_LINK_MODE_10000baseLR_Full_BIT, 10000},
    {ETHTOOL_LINK_MODE_10000baseR_FEC_BIT, 10000},
    {ETHTOOL_LINK_MODE_10000baseSR_Full_BIT, 10000},
    {ETHTOOL_LINK_MODE_10000baseT_Full_BIT, 10000},
    {ETHTOOL_LINK_MODE_20000baseKR2_Full_BIT, 20000},
    {ETHTOOL_LINK_MODE_20000baseMLD2_Full_BIT, 20000},
    {ETHTOOL_LINK_MODE_25000baseCR_Full_BIT, 25000},
    {ETHTOOL_LINK_MODE_25000baseKR_Full_BIT, 25000},
    {ETHTOOL_LINK_MODE_25000baseSR_Full_BIT, 25000},
    {ETHTOOL_LINK_MODE_40000baseCR4_Full_BIT, 40000},
    {ETHTOOL_LINK_MODE_40000baseKR4_Full_BIT, 40000},
    {ETHTOOL_LINK_MODE_40000baseLR4_Full_BIT, 40000},
    {ETHTOOL_LINK_MODE_40000baseSR4_Full_BIT, 40000},
    {ETHTOOL_LINK_MODE_50000baseCR2_Full_BIT, 50000},
    {ETHTOOL_LINK_MODE_50000baseCR_Full_BIT, 50000},
    {ETHTOOL_LINK_MODE_50000baseDR_Full_BIT, 50000},
    {ETHTOOL_LINK_MODE_50000baseKR2_Full_BIT, 50000},
    {ETHTOOL_LINK_MODE_50000baseKR_Full_BIT, 50000},
    {ETHTOOL_LINK_MODE_50000baseLR_ER_FR_Full_BIT, 50000},
    {ETHTOOL_LINK_MODE_50000baseSR2_Full_BIT, 50000},
    {ETHTOOL_LINK_MODE_50000baseSR_Full_BIT, 50000},
    {ETHTOOL_LINK_MODE_56000baseCR4_Full_BIT, 56000},
    {ETHTOOL_LINK_MODE_56000baseKR4_Full_BIT, 56000},
    {ETHTOOL_LINK_MODE_56000baseLR4_Full_BIT, 56000},
    {ETHTOOL_LINK_MODE_56000baseSR4_Full_BIT, 56000},
    {ETHTOOL_LINK_MODE_100000baseCR2_Full_BIT, 100000},
    {ETHTOOL_LINK_MODE_100000baseCR4_Full_BIT, 100000},
    {ETHTOOL_LINK_MODE_100000baseCR_Full_BIT, 100000},
    {ETHTOOL_LINK_MODE_100000baseDR2_Full_BIT, 100000},
    {ETHTOOL_LINK_MODE_100000baseDR_Full_BIT, 100000},
    {ETHTOOL_LINK_MODE_100000baseKR2_Full_BIT, 100000},
    {ETHTOOL_LINK_MODE_100000baseKR4_Full_BIT, 100000},
    {ETHTOOL_LINK_MODE_100000baseKR_Full_BIT, 100000},
    {ETHTOOL_LINK_MODE_100000baseLR2_ER2_FR2_Full_BIT, 100000},
    {ETHTOOL_LINK_MODE_100000baseLR4_ER4_Full_BIT, 100000},
    {ETHTOOL_LINK_MODE_100000baseLR_ER_FR_Full_BIT, 100000},
    {ETHTOOL_LINK_MODE_100000baseSR2_Full_BIT, 100000},
    {ETHTOOL_LINK_MODE_100000baseSR4_Full_BIT, 100000},
    {ETHTOOL_LINK_MODE_100000baseSR_Full_BIT, 100000},
    {ETHTOOL_LINK_MODE_200000baseCR2_Full_BIT, 200000},
    {ETHTOOL_LINK_MODE_200000baseCR4_Full_BIT, 200000},
    {ETHTOOL_LINK_MODE_200000baseDR2_Full_BIT, 200000},
    {ETHTOOL_LINK_MODE_200000baseDR4_Full_BIT, 200000},
    {ETHTOOL_LINK_MODE_200000baseKR2_Full_BIT, 200000},
    {ETHTOOL_LINK_MODE_200000baseKR4_Full_BIT, 200000},
    {ETHTOOL_LINK_MODE_200000baseLR2_ER2_FR2_Full_BIT, 200000},
    {ETHTOOL_LINK_MODE_200000baseLR4_ER4_FR4_Full_BIT, 200000},
    {ETHTOOL_LINK_MODE_200000baseSR2_Full_BIT, 200000},
    {ETHTOOL_LINK_MODE_200000baseSR4_Full_BIT, 200000},
    {ETHTOOL_LINK_MODE_400000baseCR4_Full_BIT, 400000},
    {ETHTOOL_LINK_MODE_400000baseCR8_Full_BIT, 400000},
    {ETHTOOL_LINK_MODE_400000baseDR4_Full_BIT, 400000},
    {ETHTOOL_LINK_MODE_400000baseDR8_Full_BIT, 400000},
    {ETHTOOL_LINK_MODE_400000baseKR4_Full_BIT, 400000},
    {ETHTOOL_LINK_MODE_400000baseKR8_Full_BIT, 400000},
    {ETHTOOL_LINK_MODE_400000baseLR4_ER4_FR4_Full_BIT, 400000},
    {ETHTOOL_LINK_MODE_400000baseLR8_ER8_FR8_Full_BIT, 400000},
    {ETHTOOL_LINK_MODE_400000baseSR4_Full_BIT, 400000},
    {ETHTOOL_LINK_MODE_400000baseSR8_Full_BIT, 400000},
};

int hw_nic_linkmodes_max_speed(const uint32_t *supported, const uint32_t *lp,
			       size_t nwords, int64_t *out)
{
	int64_t best = -1;
	size_t i;

	for (i = 0; i < sizeof nic_mode_speeds / sizeof nic_mode_speeds[0];
	     i++) {
		unsigned bit = nic_mode_speeds[i].bit;
		size_t w = bit / 32;
		uint32_t m = UINT32_C(1) << (bit % 32);

		if (w >= nwords || !(supported[w] & m) || !(lp[w] & m))
			continue;
		if (nic_mode_speeds[i].mbps > best)
			best = nic_mode_speeds[i].mbps;
	}
	if (best < 0)
		return -ENOENT;
	*out = best;
	return 0;
}

/* The kernel's bitmap length is not fixed: ask with nwords = 0, it answers
 * with -nwords, then ask again with that length (see the comment above
 * struct ethtool_link_settings in the uapi header). */
static int nic_glinksettings(int fd, const char *ifname, uint32_t *buf,
			     struct ethtool_link_settings **lsp)
{
	struct ethtool_link_settings *ls = (struct ethtool_link_settings *)buf;
	struct ifreq ifr;
	int8_t nwords;

	memset(&ifr, 0, sizeof ifr);
	if (strlen(ifname) >= sizeof ifr.ifr_name)
		return -ENAMETOOLONG;
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = (char *)ls;

	memset(ls, 0, sizeof *ls);
	ls->cmd = ETHTOOL_GLINKSETTINGS;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	nwords = ls->link_mode_masks_nwords;
	if (nwords >= 0 || ls->cmd != ETHTOOL_GLINKSETTINGS)
		return -EPROTO;

	memset(ls, 0, sizeof *ls);
	ls->cmd = ETHTOOL_GLINKSETTINGS;
	ls->link_mode_masks_nwords = (int8_t)-nwords;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	if (ls->link_mode_masks_nwords != -nwords ||
	    ls->cmd != ETHTOOL_GLINKSETTINGS)
		return -EPROTO;
	*lsp = ls;
	return 0;
}

int hw_nic_ethtool_max_speed(const char *ifname, struct hw_num *out)
{
	/* Header, then supported, advertising and lp_advertising, each at most
	 * SCHAR_MAX words since nwords is an int8_t. */
	uint32_t buf[sizeof(struct ethtool_link_settings) / 4 + 3 * SCHAR_MAX];
	struct ethtool_link_settings *ls;
	const uint32_t *supported, *lp;
	size_t n;
	int fd, r;

	out->known = false;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = nic_glinksettings(fd, ifname, buf, &ls);
	if (r < 0)
		goto out_close;
	n = (size_t)ls->link_mode_masks_nwords;
	supported = ls->link_mode_masks;
	lp = ls->link_mode_masks + 2 * n;
	/* veth, virtio and a partner that does not autonegotiate leave
	 * lp_advertising empty: the best common mode is then unknown. */
	if (hw_nic_linkmodes_max_speed(supported, lp, n, &out->v) == 0)
		out->known = true;
out_close:
	close(fd);
	return r;
}
