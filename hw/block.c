/* Block devices: every disk of sys/block, its md/dm stack, and the mounts
 * that live on it.
 *
 * Which devices: all of sys/block but loop, ram and zram devices, as lsblk
 * lists them (util-linux 2.38 hides only loop devices without a backing
 * file).  So an optical drive without a disc is listed with size 0: the
 * kernel reports no medium, and 0 bytes is what it holds. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block_attr.h"
#include "hw.h"

/* Deepest md/dm stack we follow: LV on crypt on md on partition is 4. */
#define STACK_DEPTH_MAX 8

/* Every block device seen, whole disks and their partitions, so that a
 * mount's major:minor or a slaves/ entry leads back to a disk of the list. */
struct blk_dev {
	char name[HW_DISKNAME_MAX];
	unsigned int major, minor;
	bool dev_known;
	size_t disk; /* index in hw_disks.v */
};

struct blk_index {
	struct blk_dev *v;
	size_t n, cap;
};

static int name_has_prefix_digit(const char *name, const char *prefix)
{
	size_t l = strlen(prefix);

	return strncmp(name, prefix, l) == 0 && name[l] >= '0' &&
	       name[l] <= '9';
}

static int name_excluded(const char *name)
{
	return name_has_prefix_digit(name, "loop") ||
	       name_has_prefix_digit(name, "ram") ||
	       name_has_prefix_digit(name, "zram");
}

/* sd, vd, hd and xvd disks count in letters: sdz comes before sdaa. */
static size_t letter_family(const char *s, size_t *run)
{
	static const char *const fam[] = {"sd", "vd", "hd", "xvd"};
	size_t i, l, r;

	for (i = 0; i < sizeof fam / sizeof fam[0]; i++) {
		l = strlen(fam[i]);
		if (strncmp(s, fam[i], l) != 0)
			continue;
		for (r = 0; s[l + r] >= 'a' && s[l + r] <= 'z'; r++)
			;
		if (r == 0)
			continue;
		*run = r;
		return l;
	}
	return 0;
}

static int name_cmp(const char *a, const char *b)
{
	size_t fa, fb, ra = 0, rb = 0;
	int c;

	fa = letter_family(a, &ra);
	fb = letter_family(b, &rb);
	if (fa > 0 && fa == fb && strncmp(a, b, fa) == 0) {
		if (ra != rb)
			return ra < rb ? -1 : 1;
		c = strncmp(a + fa, b + fb, ra);
		if (c != 0)
			return c;
		return strverscmp(a + fa + ra, b + fb + rb);
	}
	return strverscmp(a, b);
}

static enum hw_disk_kind disk_kind(const char *root, const char *name)
{
	char p[4096];

	if (strncmp(name, "dm-", 3) == 0 ||
	    (core_path(p, sizeof p, root, "sys/block/%s/dm", name) == 0 &&
	     access(p, F_OK) == 0))
		return HW_DISK_DM;
	if (name_has_prefix_digit(name, "md") ||
	    (core_path(p, sizeof p, root, "sys/block/%s/md", name) == 0 &&
	     access(p, F_OK) == 0))
		return HW_DISK_MD;
	return HW_DISK_PHYSICAL;
}

static int disk_order(const void *pa, const void *pb)
{
	const struct hw_disk *a = pa, *b = pb;

	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	return name_cmp(a->name, b->name);
}

static int names_order(const void *pa, const void *pb)
{
	return name_cmp(pa, pb);
}

/* Names in a directory, sorted; strip removes a prefix and skips entries
 * without it (md/dev-sdc1 -> sdc1).  Beyond cap the rest is dropped. */
static size_t list_names(const char *path, const char *strip,
			 char (*out)[HW_DISKNAME_MAX], size_t cap)
{
	struct dirent *de;
	size_t n = 0, sl = strip ? strlen(strip) : 0;
	DIR *d;

	d = opendir(path);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < cap) {
		const char *s = de->d_name;

		if (s[0] == '.')
			continue;
		if (strip) {
			if (strncmp(s, strip, sl) != 0)
				continue;
			s += sl;
		}
		if (strlen(s) >= HW_DISKNAME_MAX)
			continue;
		strcpy(out[n++], s);
	}
	closedir(d);
	qsort(out, n, sizeof out[0], names_order);
	return n;
}

static int index_add(struct blk_index *ix, const char *root, const char *rel,
		     const char *name, size_t disk)
{
	struct blk_dev *b, *nv;
	char p[4096], dev[32];

	if (ix->n == ix->cap) {
		ix->cap = ix->cap ? ix->cap * 2 : 64;
		nv = realloc(ix->v, ix->cap * sizeof *nv);
		if (nv == NULL)
			return -ENOMEM;
		ix->v = nv;
	}
	b = &ix->v[ix->n++];
	memset(b, 0, sizeof *b);
	snprintf(b->name, sizeof b->name, "%s", name);
	b->disk = disk;
	if (core_path(p, sizeof p, root, "sys/block/%s/dev", rel) == 0 &&
	    core_read_line(p, dev, sizeof dev) == 0 &&
	    sscanf(dev, "%u:%u", &b->major, &b->minor) == 2)
		b->dev_known = true;
	return 0;
}

/* The disk itself and its partitions (subdirectories with a partition
 * file), so sdc1 in a slaves/ directory or 259:2 in mountinfo find them. */
static int index_disk(struct blk_index *ix, const char *root, struct hw_disk *d,
		      size_t disk)
{
	char p[4096], rel[2 * HW_DISKNAME_MAX + 2];
	struct dirent *de;
	DIR *dir;
	int r;

	r = index_add(ix, root, d->name, d->name, disk);
	if (r < 0)
		return r;
	if (ix->v[ix->n - 1].dev_known)
		snprintf(d->dev, sizeof d->dev, "%u:%u", ix->v[ix->n - 1].major,
			 ix->v[ix->n - 1].minor);
	if (core_path(p, sizeof p, root, "sys/block/%s", d->name) < 0)
		return 0;
	dir = opendir(p);
	if (dir == NULL)
		return 0;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.' ||
		    strlen(de->d_name) >= HW_DISKNAME_MAX)
			continue;
		if (core_path(p, sizeof p, root, "sys/block/%s/%s/partition",
			    d->name, de->d_name) < 0 ||
		    access(p, F_OK) != 0)
			continue;
		snprintf(rel, sizeof rel, "%.*s/%.*s", HW_DISKNAME_MAX - 1,
			 d->name, HW_DISKNAME_MAX - 1, de->d_name);
		r = index_add(ix, root, rel, de->d_name, disk);
		if (r < 0)
			break;
	}
	closedir(dir);
	return r;
}

static int disk_read(const char *root, struct hw_disk *d, struct hw_err *err)
{
	char p[4096];
	int r;

	r = blk_attr_num(root, d->name, "size", &d->size_bytes, err);
	if (r < 0)
		return r;
	if (d->size_bytes.known) {
		if (d->size_bytes.v > INT64_MAX / 512) {
			core_path(p, sizeof p, root, "sys/block/%s/size",
				d->name);
			core_err_set(err, "%s: %lld sectors is out of range", p,
				   (long long)d->size_bytes.v);
			return -EINVAL;
		}
		d->size_bytes.v *= 512;
	}
	if ((r = blk_attr_num(root, d->name, "queue/rotational", &d->rotational,
			  err)) < 0 ||
	    (r = blk_attr_num(root, d->name, "queue/logical_block_size",
			  &d->logical_sector, err)) < 0 ||
	    (r = blk_attr_num(root, d->name, "queue/physical_block_size",
			  &d->physical_sector, err)) < 0)
		return r;
	if (d->kind == HW_DISK_DM)
		blk_attr_str(root, d->name, "dm/name", d->dm_name,
			 sizeof d->dm_name);
	if (d->kind == HW_DISK_MD)
		blk_attr_str(root, d->name, "md/level", d->level, sizeof d->level);
	if (d->kind != HW_DISK_PHYSICAL) {
		/* slaves/ is what the kernel stacks on; a capture without
		 * it still names md members as md/dev-NAME. */
		core_path(p, sizeof p, root, "sys/block/%s/slaves", d->name);
		d->n_members =
		    list_names(p, NULL, d->members, HW_DISK_MEMBERS_MAX);
		if (d->n_members == 0 && d->kind == HW_DISK_MD) {
			core_path(p, sizeof p, root, "sys/block/%s/md", d->name);
			d->n_members = list_names(p, "dev-", d->members,
						  HW_DISK_MEMBERS_MAX);
		}
		return 0;
	}
	blk_attr_str(root, d->name, "device/model", d->model, sizeof d->model);
	blk_attr_str(root, d->name, "device/vendor", d->vendor, sizeof d->vendor);
	blk_attr_str(root, d->name, "device/serial", d->serial, sizeof d->serial);
	if (d->serial[0] == '\0')
		blk_serial_vpd80(root, d->name, d->serial, sizeof d->serial);
	blk_transport(root, d->name, d->transport, sizeof d->transport);
	return 0;
}

static const struct blk_dev *index_by_name(const struct blk_index *ix,
					   const char *name)
{
	size_t i;

	for (i = 0; i < ix->n; i++)
		if (strcmp(ix->v[i].name, name) == 0)
			return &ix->v[i];
	return NULL;
}

/* The disks below disk through slaves/, transitively, each once: dm-0 on
 * md0 on sdc1+sdd1 gives md0, sdc, sdd.  Members that are not in the list
 * (a capture with only some of the devices) end the walk there. */
static size_t stack_below(const struct hw_disks *ds, const struct blk_index *ix,
			  size_t disk, size_t *out, size_t cap)
{
	size_t n = 0, head = 0, i, k, depth_end, depth = 0;

	out[n++] = disk;
	depth_end = n;
	while (head < n && depth < STACK_DEPTH_MAX) {
		const struct hw_disk *d = &ds->v[out[head]];

		for (i = 0; i < d->n_members; i++) {
			const struct blk_dev *b =
			    index_by_name(ix, d->members[i]);

			if (b == NULL)
				continue;
			for (k = 0; k < n && out[k] != b->disk; k++)
				;
			if (k == n && n < cap)
				out[n++] = b->disk;
		}
		if (++head == depth_end) {
			depth++;
			depth_end = n;
		}
	}
	/* out[0] is disk itself: callers want only what is below. */
	memmove(out, out + 1, (n - 1) * sizeof *out);
	return n - 1;
}

static void mount_attach(struct hw_disk *d, const struct hw_mount *m)
{
	size_t i;

	for (i = 0; i < d->n_mounts; i++)
		if (d->mounts[i].id == m->id)
			return;
	if (d->n_mounts == HW_MOUNTS_MAX) {
		d->mounts_truncated = true;
		return;
	}
	d->mounts[d->n_mounts++] = *m;
}

static void stacks_and_mounts(struct hw_disks *ds, const struct blk_index *ix,
			      size_t *below)
{
	size_t i, j, k, nb;

	for (i = 0; i < ds->n; i++) {
		struct hw_disk *d = &ds->v[i];

		if (d->kind == HW_DISK_PHYSICAL)
			continue;
		nb = stack_below(ds, ix, i, below, ds->n + 1);
		for (j = 0; j < nb && d->n_physical_disks < HW_DISK_MEMBERS_MAX;
		     j++)
			if (ds->v[below[j]].kind == HW_DISK_PHYSICAL)
				strcpy(d->physical_disks[d->n_physical_disks++],
				       ds->v[below[j]].name);
		qsort(d->physical_disks, d->n_physical_disks,
		      sizeof d->physical_disks[0], names_order);
	}
	/* Major 0 is an anonymous device (nfs, tmpfs, btrfs subvolumes): it
	 * names no block device, so such a mount stays on no disk. */
	for (i = 0; i < ds->n_mounts; i++) {
		struct hw_mount *m = &ds->mounts[i];
		const struct blk_dev *b = NULL;

		for (k = 0; m->major != 0 && k < ix->n; k++)
			if (ix->v[k].dev_known && ix->v[k].major == m->major &&
			    ix->v[k].minor == m->minor) {
				b = &ix->v[k];
				break;
			}
		if (b == NULL)
			continue;
		snprintf(m->device, sizeof m->device, "%s", b->name);
		mount_attach(&ds->v[b->disk], m);
		nb = stack_below(ds, ix, b->disk, below, ds->n + 1);
		for (j = 0; j < nb; j++)
			mount_attach(&ds->v[below[j]], m);
	}
}

/* Names of sys/block, minus the excluded ones, as a zeroed disk array. */
static int disks_list(const char *root, struct hw_disks *out,
		      struct hw_err *err)
{
	char p[4096];
	struct dirent *de;
	struct hw_disk *nv;
	size_t cap = 0;
	DIR *d;
	int r = 0;

	if (core_path(p, sizeof p, root, "sys/block") < 0) {
		core_err_set(err, "%s/sys/block: path too long", root);
		return -ENAMETOOLONG;
	}
	d = opendir(p);
	if (d == NULL) {
		r = -errno;
		core_err_set(err, "%s: %s", p, strerror(-r));
		return r;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || name_excluded(de->d_name) ||
		    strlen(de->d_name) >= HW_DISKNAME_MAX)
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(out->v, cap * sizeof *nv);
			if (nv == NULL) {
				core_err_set(err, "%s: out of memory", p);
				r = -ENOMEM;
				break;
			}
			out->v = nv;
		}
		memset(&out->v[out->n], 0, sizeof out->v[0]);
		strcpy(out->v[out->n].name, de->d_name);
		out->v[out->n].kind = disk_kind(root, de->d_name);
		out->n++;
	}
	closedir(d);
	if (r == 0 && out->n > 0)
		qsort(out->v, out->n, sizeof out->v[0], disk_order);
	return r;
}

int hw_disks_probe(const char *root, struct hw_disks *out, struct hw_err *err)
{
	struct blk_index ix = {NULL, 0, 0};
	size_t *below = NULL;
	size_t i;
	int r;

	memset(out, 0, sizeof *out);
	r = core_root_check(root, err);
	if (r < 0)
		return r;
	r = disks_list(root, out, err);
	if (r < 0)
		goto out_free_disks;
	for (i = 0; i < out->n; i++) {
		r = disk_read(root, &out->v[i], err);
		if (r < 0)
			goto out_free_disks;
		r = index_disk(&ix, root, &out->v[i], i);
		if (r < 0) {
			core_err_set(err, "sys/block: out of memory");
			goto out_free_disks;
		}
		if (out->v[i].kind == HW_DISK_PHYSICAL &&
		    out->v[i].serial[0] == '\0')
			blk_serial_udev(root, out->v[i].dev, out->v[i].serial,
				    sizeof out->v[i].serial);
	}
	r = hw_mounts_read(root, &out->mounts, &out->n_mounts,
			   &out->n_mounts_skipped, err);
	if (r < 0)
		goto out_free_disks;
	below = calloc(out->n + 1, sizeof *below);
	if (below == NULL) {
		core_err_set(err, "sys/block: out of memory");
		r = -ENOMEM;
		goto out_free_disks;
	}
	stacks_and_mounts(out, &ix, below);
	free(below);
	free(ix.v);
	return 0;

out_free_disks:
	free(ix.v);
	hw_disks_free(out);
	return r;
}

void hw_disks_free(struct hw_disks *disks)
{
	free(disks->v);
	hw_mounts_free(disks->mounts);
	memset(disks, 0, sizeof *disks);
}
