/*
 * nic.h — what nic.c, nic_addr.c and nic_ethtool.c share; the public API is
 * in hw.h.
 */
#ifndef KAGENT_NIC_H
#define KAGENT_NIC_H

#include "hw.h"

/* sys/class/net entries a probe accepts: a host with more interfaces than
 * this (thousands of container veths) is refused with an error naming the
 * directory rather than half-reported. */
#define HW_NICS_MAX 1024

/* ---- nic_ethtool.c ---- */

/* Highest speed (Mb/s) of a link mode set in both bitmaps, whose bits are
 * the kernel's ethtool_link_mode_bit_indices; -ENOENT when they share no
 * mode with a speed. */
int hw_nic_linkmodes_max_speed(const uint32_t *supported, const uint32_t *lp,
			       size_t nwords, int64_t *out);
/* ETHTOOL_GLINKSETTINGS on the live host's interface; out stays unknown
 * when the driver or the link partner does not say. */
int hw_nic_ethtool_max_speed(const char *ifname, struct hw_num *out);

/* ---- nic_addr.c ---- */

/* Adds the IPv4 and IPv6 addresses of nics->v from proc/net below root;
 * absent files mean no addresses, malformed lines are errors. */
int hw_nic_addrs_probe(const char *root, struct hw_nics *nics,
		       struct hw_err *err);
/* Interface of the default route with the lowest metric (IPv4, else IPv6);
 * empty when there is none. */
int hw_nic_default_route(const char *root, char *ifname, size_t len,
			 struct hw_err *err);

#endif
