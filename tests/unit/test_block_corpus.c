/* hw_disks_probe on the corpus captures: what they really hold.
 *
 * Both captures were copied with their symlinks flattened into plain files
 * holding the link target (sys/class/block/dm-1..dm-5, proc/self).  sys/block
 * entries are plain directories there, so no transport can be read from a
 * device path and no dev file maps mounts to disks.  The dangling
 * sys/class/block/dm-1..dm-5 of the procfs capture are not read at all:
 * sys/block is the list.  The "rebuilt" tests put the upstream proc/self link
 * back in a temporary root (sys linked to the capture) to reach the
 * mountinfo that proc/self named. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

#include "hw.h"

#define PROCFS CORPUS "/sysfs-procfs"
#define NODE   CORPUS "/sysfs-node-exporter"

struct rebuilt {
	char root[64];
	char path[3][128];
	struct hw_disks d;
};

/* root/sys -> CAPTURE/sys, root/proc/self -> CAPTURE/proc/PID */
static int rebuild(struct rebuilt *r, const char *capture, const char *pid)
{
	char target[512];
	struct hw_err err = {{0}};

	snprintf(r->root, sizeof r->root, "/tmp/kagent-block-XXXXXX");
	if (mkdtemp(r->root) == NULL)
		return -1;
	snprintf(r->path[0], sizeof r->path[0], "%s/sys", r->root);
	snprintf(r->path[1], sizeof r->path[1], "%s/proc/self", r->root);
	snprintf(r->path[2], sizeof r->path[2], "%s/proc", r->root);
	snprintf(target, sizeof target, "%s/sys", capture);
	if (symlink(target, r->path[0]) < 0 || mkdir(r->path[2], 0755) < 0)
		return -1;
	snprintf(target, sizeof target, "%s/proc/%s", capture, pid);
	if (symlink(target, r->path[1]) < 0)
		return -1;
	if (hw_disks_probe(r->root, &r->d, &err) != 0) {
		print_error("probe: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int unbuild(void **state)
{
	struct rebuilt *r = *state;

	hw_disks_free(&r->d);
	unlink(r->path[1]);
	rmdir(r->path[2]);
	unlink(r->path[0]);
	rmdir(r->root);
	free(r);
	return 0;
}

static int procfs_setup(void **state)
{
	struct rebuilt *r = calloc(1, sizeof *r);

	*state = r;
	return r == NULL ? -1 : rebuild(r, PROCFS, "26231");
}

static int node_setup(void **state)
{
	struct rebuilt *r = calloc(1, sizeof *r);

	*state = r;
	return r == NULL ? -1 : rebuild(r, NODE, "10");
}

static void assert_names(const struct hw_disks *d, const char *const *names,
			 size_t n)
{
	size_t i;

	assert_int_equal(d->n, n);
	for (i = 0; i < n; i++)
		assert_string_equal(d->v[i].name, names[i]);
}

static void assert_strv(char (*v)[HW_DISKNAME_MAX], size_t n,
			const char *const *want, size_t wn)
{
	size_t i;

	assert_int_equal(n, wn);
	for (i = 0; i < n; i++)
		assert_string_equal(v[i], want[i]);
}

#define STRV(...)                                                              \
	(const char *const[]){__VA_ARGS__},                                    \
	    sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)

static void test_procfs_disks_md_and_dm_in_order(void **state)
{
	struct rebuilt *r = *state;

	assert_names(&r->d, STRV("sda", "sdb", "sdc", "sdd", "sde", "md0",
				 "md1", "md4", "md5", "md6", "md7", "md8",
				 "md10", "dm-0", "dm-1", "dm-2"));
}

static void test_procfs_sda_size_rotational_and_sectors(void **state)
{
	struct rebuilt *r = *state;
	const struct hw_disk *d = &r->d.v[0];

	assert_true(d->size_bytes.known);
	assert_int_equal(d->size_bytes.v, 3750748848LL * 512);
	assert_true(d->rotational.known);
	assert_int_equal(d->rotational.v, 1);
	assert_int_equal(d->logical_sector.v, 512);
	assert_int_equal(d->physical_sector.v, 512);
	/* a plain directory and no device/: nothing says how it is attached */
	assert_string_equal(d->transport, "");
	assert_string_equal(d->model, "");
	assert_string_equal(d->serial, "");
	assert_string_equal(d->dev, "");
}

static void test_procfs_disk_with_only_device_state_is_unknown(void **state)
{
	struct rebuilt *r = *state;
	const struct hw_disk *d = &r->d.v[1];

	assert_string_equal(d->name, "sdb");
	assert_false(d->size_bytes.known);
	assert_false(d->rotational.known);
	assert_false(d->logical_sector.known);
	assert_false(d->physical_sector.known);
}

static void test_procfs_md_members_from_md_dev_entries(void **state)
{
	struct rebuilt *r = *state;
	const struct hw_disk *md0 = &r->d.v[5], *md5 = &r->d.v[8],
			     *md7 = &r->d.v[10];

	assert_string_equal(md0->level, "raid0");
	assert_int_equal(md0->kind, HW_DISK_MD);
	assert_strv((char(*)[HW_DISKNAME_MAX])md0->members, md0->n_members,
		    STRV("sdg", "sdh"));
	/* sdg and sdh are not in this sys/block */
	assert_int_equal(md0->n_physical_disks, 0);
	assert_false(md0->size_bytes.known);
	assert_string_equal(md5->level, "raid5");
	assert_strv((char(*)[HW_DISKNAME_MAX])md5->members, md5->n_members,
		    STRV("sdn", "sdo", "sdp", "sdaa"));
	/* an IMSM/DDF container has no md/dev-* of its own */
	assert_string_equal(md7->name, "md7");
	assert_string_equal(md7->level, "container");
	assert_int_equal(md7->n_members, 0);
}

static void test_procfs_dm_names_slaves_and_physical_disks(void **state)
{
	struct rebuilt *r = *state;
	const struct hw_disk *dm0 = &r->d.v[13], *dm1 = &r->d.v[14],
			     *dm2 = &r->d.v[15];

	assert_int_equal(dm0->kind, HW_DISK_DM);
	assert_string_equal(dm0->dm_name, "vg0--lv_root");
	assert_false(dm0->size_bytes.known);
	assert_strv((char(*)[HW_DISKNAME_MAX])dm0->members, dm0->n_members,
		    STRV("sda"));
	assert_strv((char(*)[HW_DISKNAME_MAX])dm0->physical_disks,
		    dm0->n_physical_disks, STRV("sda"));
	assert_string_equal(dm1->dm_name, "mpathA");
	assert_int_equal(dm1->size_bytes.v, 104857600LL * 512);
	assert_strv((char(*)[HW_DISKNAME_MAX])dm1->physical_disks,
		    dm1->n_physical_disks, STRV("sdb", "sdc"));
	assert_string_equal(dm2->dm_name, "mpathB");
	assert_strv((char(*)[HW_DISKNAME_MAX])dm2->members, dm2->n_members,
		    STRV("sdd", "sde"));
}

static void test_procfs_mounts_with_nfs_and_no_dev_files(void **state)
{
	struct rebuilt *r = *state;
	size_t i;

	assert_int_equal(r->d.n_mounts, 8);
	assert_string_equal(r->d.mounts[0].path, "/root");
	assert_string_equal(r->d.mounts[3].path, "/");
	assert_int_equal(r->d.mounts[3].major, 8);
	assert_int_equal(r->d.mounts[3].minor, 1);
	assert_string_equal(r->d.mounts[4].fstype, "nfs4");
	assert_string_equal(r->d.mounts[4].source, "192.168.1.1:/srv/test");
	assert_string_equal(r->d.mounts[6].fstype, "nfs");
	/* no sys/block/X/dev in the capture: 8:1 leads to no disk */
	for (i = 0; i < r->d.n; i++)
		assert_int_equal(r->d.v[i].n_mounts, 0);
	assert_string_equal(r->d.mounts[3].device, "");
}

static void test_node_exporter_md_members_found_in_sys_block(void **state)
{
	struct rebuilt *r = *state;
	const struct hw_disk *md1 = &r->d.v[8], *md5 = &r->d.v[10];

	assert_names(&r->d, STRV("sda", "sdi", "sdj", "sdk", "sdl", "sdm",
				 "sdn", "md0", "md1", "md4", "md5", "md6",
				 "md10", "dm-5", "dm-6", "dm-7"));
	assert_string_equal(md1->level, "raid1");
	assert_strv((char(*)[HW_DISKNAME_MAX])md1->physical_disks,
		    md1->n_physical_disks, STRV("sdi", "sdj"));
	assert_strv((char(*)[HW_DISKNAME_MAX])md5->members, md5->n_members,
		    STRV("sdn", "sdo", "sdp", "sdaa"));
	assert_strv((char(*)[HW_DISKNAME_MAX])md5->physical_disks,
		    md5->n_physical_disks, STRV("sdn"));
}

static void test_node_exporter_dm_without_slaves(void **state)
{
	struct rebuilt *r = *state;
	const struct hw_disk *dm7 = &r->d.v[15];

	assert_string_equal(dm7->name, "dm-7");
	assert_string_equal(dm7->dm_name, "vg0-root");
	assert_int_equal(dm7->size_bytes.v, 41943040LL * 512);
	assert_int_equal(dm7->n_members, 0);
	assert_false(dm7->rotational.known);
}

static void test_node_exporter_proc_self_mountinfo_has_nfs(void **state)
{
	struct rebuilt *r = *state;

	assert_int_equal(r->d.n_mounts, 7);
	assert_string_equal(r->d.mounts[4].path, "/mnt/nfs/test");
	assert_string_equal(r->d.mounts[4].fstype, "nfs4");
	assert_string_equal(r->d.mounts[5].path, "/mnt/nfs/test-dupe");
	assert_string_equal(r->d.mounts[5].fstype, "nfs4");
	assert_string_equal(r->d.mounts[6].path, "/mnt/nfs/test-dupe");
	assert_string_equal(r->d.mounts[6].fstype, "nfs");
	assert_int_equal(r->d.mounts[6].id, 1398);
	assert_int_equal(r->d.mounts[6].parent_id, 798);
}

/* As stored, proc/self is a plain file: the probe falls back to proc/1. */
static void test_node_exporter_falls_back_to_pid_1_mountinfo(void **state)
{
	struct hw_disks d;
	struct hw_err err = {{0}};
	size_t i, escaped = 0;

	(void)state;
	assert_int_equal(hw_disks_probe(NODE, &d, &err), 0);
	assert_int_equal(d.n, 16);
	assert_int_equal(d.n_mounts, 32);
	assert_string_equal(d.mounts[5].path, "/");
	assert_string_equal(d.mounts[5].source, "/dev/dm-2");
	for (i = 0; i < d.n_mounts; i++)
		if (strstr(d.mounts[i].path, "[vsanDatastore] bafb") ||
		    strstr(d.mounts[i].path, "[vsanDatastore]\tbafb"))
			escaped++;
	assert_int_equal(escaped, 2);
	hw_disks_free(&d);
}

int main(void)
{
	const struct CMUnitTest procfs[] = {
	    cmocka_unit_test(test_procfs_disks_md_and_dm_in_order),
	    cmocka_unit_test(test_procfs_sda_size_rotational_and_sectors),
	    cmocka_unit_test(
		test_procfs_disk_with_only_device_state_is_unknown),
	    cmocka_unit_test(test_procfs_md_members_from_md_dev_entries),
	    cmocka_unit_test(test_procfs_dm_names_slaves_and_physical_disks),
	    cmocka_unit_test(test_procfs_mounts_with_nfs_and_no_dev_files),
	};
	const struct CMUnitTest node[] = {
	    cmocka_unit_test(test_node_exporter_md_members_found_in_sys_block),
	    cmocka_unit_test(test_node_exporter_dm_without_slaves),
	    cmocka_unit_test(test_node_exporter_proc_self_mountinfo_has_nfs),
	    cmocka_unit_test(test_node_exporter_falls_back_to_pid_1_mountinfo),
	};
	int failed;

	failed = cmocka_run_group_tests_name("sysfs-procfs", procfs,
					     procfs_setup, unbuild);
	failed += cmocka_run_group_tests_name("sysfs-node-exporter", node,
					      node_setup, unbuild);
	return failed;
}
