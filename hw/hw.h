/*
 * hw.h — facts about the host's components, one probe per component.
 *
 * Every probe reads below a root directory ("/" on a live host, a captured
 * tree in tests), returns 0 or a negative errno-style code, and fills an out
 * parameter.  A value the host does not reveal is marked unknown, never
 * zero: see struct hw_num (core.h).  Strings are empty when unknown.
 *
 * Errors that stop a probe (an unreadable /proc/meminfo, a malformed number
 * in a file that must hold one) are described in struct hw_err, naming the
 * file, so the CLI can print one line and exit 2.  A missing optional
 * attribute is not an error: it makes that one value unknown.
 */
#ifndef KAGENT_HW_H
#define KAGENT_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

/* ---- cpu.c ---- */

struct hw_cpu {
	char model[128];
	struct hw_num sockets;
	struct hw_num cores;            /* physical cores, all sockets */
	struct hw_num threads_per_core;
	struct hw_num logical;          /* present logical CPUs */
	struct hw_num online;
	struct hw_num max_mhz;
};

int hw_cpu_probe(const char *root, struct hw_cpu *out, struct hw_err *err);

/* ---- memory.c, smbios.c ---- */

struct hw_memory {
	struct hw_num total_bytes;      /* MemTotal */
	struct hw_num available_bytes;  /* MemAvailable */
	struct hw_num installed_bytes;  /* sum of SMBIOS type 17 devices */
};

int hw_memory_probe(const char *root, struct hw_memory *out,
		    struct hw_err *err);
/* The kernel's part only (proc/meminfo): total and available, with
 * installed_bytes unknown.  For a caller that keeps installed_bytes from
 * an earlier hw_memory_probe, since the DMI table does not change. */
int hw_meminfo_probe(const char *root, struct hw_memory *out,
		     struct hw_err *err);
/* Sums the sizes of SMBIOS memory devices (type 17) in a raw DMI table
 * (/sys/firmware/dmi/tables/DMI).  -ENOENT when it has no type 17 record,
 * -EINVAL when the table is malformed. */
int hw_smbios_memory_sum(const uint8_t *tbl, size_t len, uint64_t *bytes);

/* ---- nic.c (its struct after lldp.c's) ---- */

#define HW_IFNAME_MAX 16
#define HW_NIC_MEMBERS_MAX 16
#define HW_NIC_ADDRS_MAX 16
#define HW_ADDR_MAX 64          /* "ffff:...:ffff/128" */

/* ---- lldp.c ---- */

/* What lldpd says of the switch port a NIC is plugged into.  Bounds
 * follow LLDP's TLVs (a System Name holds up to 255 bytes); a value longer
 * than its field or not UTF-8 is left out (empty), never cut. */
#define HW_LLDP_NAME_MAX   256
#define HW_LLDP_ID_MAX	   128
#define HW_LLDP_REASON_MAX 128

enum hw_lldp_state {
	HW_LLDP_UNKNOWN = 0,  /* not read: a capture, or lldpd failed */
	HW_LLDP_NO_DAEMON,    /* lldpd's socket absent or refusing */
	HW_LLDP_NO_NEIGHBOUR, /* lldpd runs, nothing announced on the port */
	HW_LLDP_NEIGHBOUR,
};

struct hw_lldp {
	enum hw_lldp_state state;
	char reason[HW_LLDP_REASON_MAX]; /* every state but NEIGHBOUR */
	/* NEIGHBOUR only; empty when the switch did not send the TLV. */
	char sysname[HW_LLDP_NAME_MAX]; /* the switch's System Name */
	char chassis_id[HW_LLDP_ID_MAX];
	char port_id[HW_LLDP_ID_MAX];
	char port_descr[HW_LLDP_NAME_MAX];
	char mgmt_addr[64]; /* first management address */
};

/* "unknown", "no_daemon", "no_neighbour", "neighbour". */
const char *hw_lldp_state_name(enum hw_lldp_state s);

struct hw_nics;
/* Fills nics->v[i].lldp from the lldpd listening on `socket_path` (NULL:
 * lldpd's default, /run/lldpd.socket).  Only on the live host: below any
 * other root every NIC is unknown, "not the live host".  Never fails: what
 * it cannot learn becomes a state with a reason.  Bounded by a deadline of
 * HW_LLDP_TIMEOUT_MS for the whole exchange. */
#define HW_LLDP_TIMEOUT_MS 2000
void hw_lldp_probe(const char *root, const char *socket_path,
		   struct hw_nics *nics);

/* ---- nic.c ---- */

struct hw_nic {
	char name[HW_IFNAME_MAX];
	char mac[18];
	char operstate[16];
	struct hw_num carrier;          /* bool */
	struct hw_num speed_mbps;       /* negotiated; bond: sum of members */
	struct hw_num max_speed_mbps;   /* best mode both ends support */
	char duplex[8];
	struct hw_num mtu;
	char driver[32];
	bool virtual;                   /* no backing device */
	bool bond;
	size_t n_members;
	char members[HW_NIC_MEMBERS_MAX][HW_IFNAME_MAX];
	size_t n_addrs;
	char addrs[HW_NIC_ADDRS_MAX][HW_ADDR_MAX];  /* "10.0.0.1/24" */
	struct hw_lldp lldp; /* the switch port it hangs from */
};

struct hw_nics {
	struct hw_nic *v;
	size_t n;
	char default_route[HW_IFNAME_MAX];  /* empty when no default route */
};

int hw_nics_probe(const char *root, struct hw_nics *out, struct hw_err *err);
/* hw_nics_probe asking the lldpd at lldp_socket (NULL: the default). */
int hw_nics_probe_lldp(const char *root, const char *lldp_socket,
		       struct hw_nics *out, struct hw_err *err);
void hw_nics_free(struct hw_nics *nics);
const struct hw_nic *hw_nics_find(const struct hw_nics *nics,
				  const char *name);

/* ---- block.c ---- */

#define HW_DISKNAME_MAX 32
#define HW_DISK_MEMBERS_MAX 32
#define HW_MOUNTS_MAX 32

struct hw_mount {
	char path[256];
	char fstype[32];
	char source[128];               /* mountinfo's mount source */
	char options[128];              /* per-mount options, e.g. noatime */
	int id;                         /* mountinfo's mount ID, unique */
	int parent_id;
	unsigned int major, minor;      /* st_dev; major 0: no block device */
	char super_options[256];        /* filesystem options, e.g. nfs vers= */
	char device[HW_DISKNAME_MAX];   /* block device it is on: sdb1, dm-0;
					   empty when none of sys/block */
};

enum hw_disk_kind {
	HW_DISK_PHYSICAL = 0,
	HW_DISK_MD,                     /* md RAID */
	HW_DISK_DM,                     /* device-mapper (LVM, crypt, ...) */
};

struct hw_disk {
	char name[HW_DISKNAME_MAX];     /* kernel name: sda, nvme0n1, md0 */
	enum hw_disk_kind kind;
	char dm_name[64];               /* dm/name, e.g. vg0-kafka */
	char level[16];                 /* md/level, e.g. raid1 */
	struct hw_num size_bytes;
	struct hw_num rotational;       /* bool */
	char model[64];
	char vendor[32];
	char serial[64];
	char transport[16];             /* sata sas nvme virtio usb mmc scsi ... */
	struct hw_num logical_sector;
	struct hw_num physical_sector;
	size_t n_members;               /* md/dm: the disks below */
	char members[HW_DISK_MEMBERS_MAX][HW_DISKNAME_MAX];
	size_t n_mounts;                /* on it, its partitions, or above it */
	struct hw_mount mounts[HW_MOUNTS_MAX];
	char dev[16];                   /* "8:0"; empty when unknown */
	/* md/dm: the physical disks at the bottom of the stack, e.g. dm-0 on
	 * md0 on sdc1+sdd1 gives sdc, sdd; members stay what slaves/ says. */
	size_t n_physical_disks;
	char physical_disks[HW_DISK_MEMBERS_MAX][HW_DISKNAME_MAX];
	bool mounts_truncated;          /* more than HW_MOUNTS_MAX mounts */
};

struct hw_disks {
	struct hw_disk *v;              /* physical first, then md and dm */
	size_t n;
	size_t n_mounts;                /* every mount from mountinfo */
	struct hw_mount *mounts;
	size_t n_mounts_skipped;        /* a field longer than hw_mount holds */
};

int hw_disks_probe(const char *root, struct hw_disks *out, struct hw_err *err);
void hw_disks_free(struct hw_disks *disks);

/* ---- mountinfo.c ---- */

/* Parses /proc/PID/mountinfo text.  file names it in errors ("FILE:LINE:
 * ..."); a mount with a field longer than struct hw_mount holds is left out
 * and counted in *skipped.  Free *out with hw_mounts_free. */
int hw_mounts_parse(const char *text, const char *file, struct hw_mount **out,
		    size_t *n, size_t *skipped, struct hw_err *err);
/* Reads proc/self/mountinfo below root, else proc/1/mountinfo. */
int hw_mounts_read(const char *root, struct hw_mount **out, size_t *n,
		   size_t *skipped, struct hw_err *err);
void hw_mounts_free(struct hw_mount *mounts);
/* The mount holding an absolute path (longest mount point that is a whole
 * component prefix; the last mounted wins on a tie) and, in on[], up to cap
 * disks of the list that carry it (physical first, as in disks->v).  Symlinks
 * and ".." are not resolved: pass a realpath.  -ENOENT when no mount holds
 * it, -EINVAL when path is not absolute. */
int hw_disks_find_mount_for_path(const struct hw_disks *disks,
				 const char *path,
				 const struct hw_mount **mount,
				 const struct hw_disk **on, size_t cap,
				 size_t *n_on);

/* ---- block_flush.c ---- */

/* sys/block/NAME/stat's flush counters (Linux 5.5+: fields 16 and 17).
 * Only request-based devices count them; md and dm pass flushes down and
 * count none, so read the physical disks below a stack. */
struct hw_flush {
	char name[HW_DISKNAME_MAX];
	bool known;	   /* false: the kernel has no such field */
	unsigned n_fields; /* 11, 15, 17 or more */
	uint64_t flushes;  /* flush requests completed */
	uint64_t ms;	   /* time spent flushing */
};

/* Reads sys/block/NAME/stat below root.  A file of 11 or 15 fields
 * (kernels before 5.5) gives known = false and returns 0; an unreadable
 * file, a field that is not a number or another count is an error naming
 * the file. */
int hw_flush_read(const char *root, const char *name, struct hw_flush *out,
		  struct hw_err *err);
/* The same on the file's text; file names it in errors.  out->name is left
 * as it is. */
int hw_flush_parse(const char *text, const char *file, struct hw_flush *out,
		   struct hw_err *err);

#endif
