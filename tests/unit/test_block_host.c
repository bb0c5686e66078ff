/* hw_disks_probe on fixtures/host-storage: a Kafka/ZooKeeper host with an
 * NVMe root disk, a SATA HDD, a SATA SSD, an LVM volume on md RAID1 over two
 * SATA SSD partitions, an empty DVD drive, an unused loop device and an NFS
 * mount. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "hw.h"

#define HOST FIXTURES "/host-storage"

struct host {
	struct hw_disks d;
};

static int host_setup(void **state)
{
	static struct host h;
	struct hw_err err = {{0}};

	if (hw_disks_probe(HOST, &h.d, &err) != 0) {
		print_error("probe: %s\n", err.msg);
		return -1;
	}
	*state = &h;
	return 0;
}

static int host_teardown(void **state)
{
	struct host *h = *state;

	hw_disks_free(&h->d);
	return 0;
}

static const struct hw_disk *disk(void **state, size_t i)
{
	struct host *h = *state;

	assert_true(i < h->d.n);
	return &h->d.v[i];
}

static void assert_num(struct hw_num n, int64_t v)
{
	assert_true(n.known);
	assert_int_equal(n.v, v);
}

static void assert_mounts(const struct hw_disk *d, const char *const *paths,
			  size_t n)
{
	size_t i;

	assert_int_equal(d->n_mounts, n);
	for (i = 0; i < n; i++)
		assert_string_equal(d->mounts[i].path, paths[i]);
	assert_false(d->mounts_truncated);
}

static void test_disks_physical_first_then_md_then_dm_without_loop(void **state)
{
	static const char *const names[] = {"nvme0n1", "sda", "sdb", "sdc",
					    "sdd",     "sr0", "md0", "dm-0"};
	struct host *h = *state;
	size_t i;

	assert_int_equal(h->d.n, 8);
	for (i = 0; i < h->d.n; i++)
		assert_string_equal(h->d.v[i].name, names[i]);
}

static void test_nvme_ssd_serial_from_device_serial(void **state)
{
	static const char *const mounts[] = {"/", "/boot/efi"};
	const struct hw_disk *d = disk(state, 0);

	assert_string_equal(d->name, "nvme0n1");
	assert_int_equal(d->kind, HW_DISK_PHYSICAL);
	assert_string_equal(d->dev, "259:0");
	assert_num(d->size_bytes, 512110190592LL);
	assert_num(d->rotational, 0);
	assert_num(d->logical_sector, 512);
	assert_num(d->physical_sector, 512);
	/* the kernel pads the NVMe model with spaces */
	assert_string_equal(d->model, "Samsung SSD 970 PRO 512GB");
	assert_string_equal(d->vendor, "");
	assert_string_equal(d->serial, "S680HF8N190894I");
	assert_string_equal(d->transport, "nvme");
	assert_string_equal(d->dm_name, "");
	assert_string_equal(d->level, "");
	assert_int_equal(d->n_members, 0);
	assert_int_equal(d->n_physical_disks, 0);
	assert_mounts(d, mounts, 2);
	assert_string_equal(d->mounts[0].device, "nvme0n1p2");
	assert_string_equal(d->mounts[0].fstype, "ext4");
	assert_string_equal(d->mounts[1].device, "nvme0n1p1");
	assert_string_equal(d->mounts[1].fstype, "vfat");
}

static void test_sata_hdd_serial_from_vpd_page_80(void **state)
{
	static const char *const mounts[] = {"/srv/cold store"};
	const struct hw_disk *d = disk(state, 1);

	assert_string_equal(d->name, "sda");
	assert_string_equal(d->dev, "8:0");
	assert_num(d->size_bytes, 4000787030016LL);
	assert_num(d->rotational, 1);
	assert_num(d->logical_sector, 512);
	assert_num(d->physical_sector, 4096);
	assert_string_equal(d->model, "TOSHIBA KSDB4U86");
	assert_string_equal(d->vendor, "ATA");
	assert_string_equal(d->serial, "2160A0D5FVGG");
	assert_string_equal(d->transport, "sata");
	assert_int_equal(d->n_members, 0);
	assert_mounts(d, mounts, 1);
	assert_string_equal(d->mounts[0].device, "sda");
}

static void test_sata_ssd_serial_from_udev_database(void **state)
{
	static const char *const mounts[] = {"/var/lib/zookeeper"};
	const struct hw_disk *d = disk(state, 2);

	assert_string_equal(d->name, "sdb");
	assert_string_equal(d->dev, "8:16");
	assert_num(d->size_bytes, 480103981056LL);
	assert_num(d->rotational, 0);
	assert_num(d->logical_sector, 512);
	assert_num(d->physical_sector, 4096);
	assert_string_equal(d->model, "INTEL SSDS9X9SI0");
	assert_string_equal(d->vendor, "ATA");
	assert_string_equal(d->serial, "3EWB5Y25CWQWA7EH1U");
	assert_string_equal(d->transport, "sata");
	assert_mounts(d, mounts, 1);
	assert_string_equal(d->mounts[0].device, "sdb1");
	assert_string_equal(d->mounts[0].options, "rw,noatime");
}

static void test_raid_members_carry_the_lvm_mount_above_them(void **state)
{
	static const char *const mounts[] = {"/var/lib/kafka"};
	const struct hw_disk *c = disk(state, 3), *d = disk(state, 4);

	assert_string_equal(c->name, "sdc");
	assert_string_equal(c->dev, "8:32");
	assert_num(c->size_bytes, 1920383410176LL);
	assert_num(c->rotational, 0);
	assert_num(c->logical_sector, 512);
	assert_num(c->physical_sector, 4096);
	assert_string_equal(c->model, "SuperMicro SSD");
	assert_string_equal(c->vendor, "ATA");
	assert_string_equal(c->serial, "SMC0E1B87ABBB16BD84E");
	assert_string_equal(c->transport, "sata");
	assert_mounts(c, mounts, 1);
	assert_string_equal(c->mounts[0].device, "dm-0");

	assert_string_equal(d->name, "sdd");
	assert_string_equal(d->dev, "8:48");
	assert_num(d->size_bytes, 1920383410176LL);
	assert_string_equal(d->model, "SuperMicro SSD");
	assert_string_equal(d->transport, "sata");
	assert_mounts(d, mounts, 1);
}

static void test_disk_without_any_serial_source_has_empty_serial(void **state)
{
	const struct hw_disk *d = disk(state, 4);

	assert_string_equal(d->name, "sdd");
	assert_string_equal(d->serial, "");
}

static void test_empty_dvd_drive_listed_with_size_zero_like_lsblk(void **state)
{
	const struct hw_disk *d = disk(state, 5);

	assert_string_equal(d->name, "sr0");
	assert_string_equal(d->dev, "11:0");
	assert_num(d->size_bytes, 0);
	assert_num(d->rotational, 1);
	assert_num(d->logical_sector, 2048);
	assert_num(d->physical_sector, 2048);
	assert_string_equal(d->model, "DVDRAM GUD0N");
	assert_string_equal(d->vendor, "HL-DT-ST");
	assert_string_equal(d->serial, "");
	assert_string_equal(d->transport, "sata");
	assert_int_equal(d->n_mounts, 0);
}

static void
test_md_raid1_members_are_partitions_physical_disks_are_whole(void **state)
{
	static const char *const mounts[] = {"/var/lib/kafka"};
	const struct hw_disk *d = disk(state, 6);

	assert_string_equal(d->name, "md0");
	assert_int_equal(d->kind, HW_DISK_MD);
	assert_string_equal(d->dev, "9:0");
	assert_string_equal(d->level, "raid1");
	assert_string_equal(d->dm_name, "");
	assert_num(d->size_bytes, 1920245694464LL);
	assert_num(d->rotational, 0);
	assert_num(d->logical_sector, 512);
	assert_num(d->physical_sector, 4096);
	assert_string_equal(d->model, "");
	assert_string_equal(d->serial, "");
	assert_string_equal(d->transport, "");
	assert_int_equal(d->n_members, 2);
	assert_string_equal(d->members[0], "sdc1");
	assert_string_equal(d->members[1], "sdd1");
	assert_int_equal(d->n_physical_disks, 2);
	assert_string_equal(d->physical_disks[0], "sdc");
	assert_string_equal(d->physical_disks[1], "sdd");
	assert_mounts(d, mounts, 1);
}

static void test_lvm_volume_on_md_reaches_the_sata_disks(void **state)
{
	static const char *const mounts[] = {"/var/lib/kafka"};
	const struct hw_disk *d = disk(state, 7);

	assert_string_equal(d->name, "dm-0");
	assert_int_equal(d->kind, HW_DISK_DM);
	assert_string_equal(d->dev, "253:0");
	assert_string_equal(d->dm_name, "vg0-kafka");
	assert_string_equal(d->level, "");
	assert_num(d->size_bytes, 1920240451584LL);
	assert_num(d->rotational, 0);
	assert_int_equal(d->n_members, 1);
	assert_string_equal(d->members[0], "md0");
	assert_int_equal(d->n_physical_disks, 2);
	assert_string_equal(d->physical_disks[0], "sdc");
	assert_string_equal(d->physical_disks[1], "sdd");
	assert_mounts(d, mounts, 1);
	assert_int_equal(d->mounts[0].id, 47);
	assert_string_equal(d->mounts[0].fstype, "xfs");
	assert_string_equal(d->mounts[0].options, "rw,noatime");
	assert_string_equal(d->mounts[0].source, "/dev/mapper/vg0-kafka");
	assert_string_equal(d->mounts[0].super_options,
			    "rw,attr2,inode64,logbufs=8,logbsize=32k,noquota");
}

static void test_every_mount_kept_including_nfs_and_tmpfs(void **state)
{
	static const char *const paths[] = {
	    "/",
	    "/sys",
	    "/proc",
	    "/dev",
	    "/dev/pts",
	    "/run",
	    "/boot/efi",
	    "/var/lib/kafka",
	    "/var/lib/zookeeper",
	    "/srv/cold store",
	    "/mnt/backup",
	};
	struct host *h = *state;
	const struct hw_mount *nfs;
	size_t i;

	assert_int_equal(h->d.n_mounts, 11);
	assert_int_equal(h->d.n_mounts_skipped, 0);
	for (i = 0; i < h->d.n_mounts; i++)
		assert_string_equal(h->d.mounts[i].path, paths[i]);
	assert_string_equal(h->d.mounts[7].device, "dm-0");
	assert_string_equal(h->d.mounts[5].device, "");
	nfs = &h->d.mounts[10];
	assert_string_equal(nfs->fstype, "nfs4");
	assert_string_equal(nfs->source, "nas01:/export/backup");
	assert_int_equal(nfs->major, 0);
	assert_int_equal(nfs->minor, 48);
	assert_string_equal(nfs->device, "");
}

static void test_kafka_dir_maps_to_lvm_md_and_both_ssds(void **state)
{
	struct host *h = *state;
	const struct hw_mount *m;
	const struct hw_disk *on[8];
	size_t n;

	assert_int_equal(hw_disks_find_mount_for_path(
			     &h->d, "/var/lib/kafka/data-0", &m, on, 8, &n),
			 0);
	assert_string_equal(m->path, "/var/lib/kafka");
	assert_int_equal(n, 4);
	assert_string_equal(on[0]->name, "sdc");
	assert_string_equal(on[1]->name, "sdd");
	assert_string_equal(on[2]->name, "md0");
	assert_string_equal(on[3]->name, "dm-0");
}

static void test_nfs_dir_maps_to_a_mount_on_no_disk(void **state)
{
	struct host *h = *state;
	const struct hw_mount *m;
	const struct hw_disk *on[8];
	size_t n;

	assert_int_equal(hw_disks_find_mount_for_path(
			     &h->d, "/mnt/backup/kafka", &m, on, 8, &n),
			 0);
	assert_string_equal(m->fstype, "nfs4");
	assert_int_equal(n, 0);
}

static void test_unmounted_dir_maps_to_root_on_nvme(void **state)
{
	struct host *h = *state;
	const struct hw_mount *m;
	const struct hw_disk *on[8];
	size_t n;

	assert_int_equal(hw_disks_find_mount_for_path(
			     &h->d, "/var/lib/kafka-old", &m, on, 8, &n),
			 0);
	assert_string_equal(m->path, "/");
	assert_int_equal(n, 1);
	assert_string_equal(on[0]->name, "nvme0n1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
		test_disks_physical_first_then_md_then_dm_without_loop),
	    cmocka_unit_test(test_nvme_ssd_serial_from_device_serial),
	    cmocka_unit_test(test_sata_hdd_serial_from_vpd_page_80),
	    cmocka_unit_test(test_sata_ssd_serial_from_udev_database),
	    cmocka_unit_test(test_raid_members_carry_the_lvm_mount_above_them),
	    cmocka_unit_test(
		test_disk_without_any_serial_source_has_empty_serial),
	    cmocka_unit_test(
		test_empty_dvd_drive_listed_with_size_zero_like_lsblk),
	    cmocka_unit_test(
		test_md_raid1_members_are_partitions_physical_disks_are_whole),
	    cmocka_unit_test(test_lvm_volume_on_md_reaches_the_sata_disks),
	    cmocka_unit_test(test_every_mount_kept_including_nfs_and_tmpfs),
	    cmocka_unit_test(test_kafka_dir_maps_to_lvm_md_and_both_ssds),
	    cmocka_unit_test(test_nfs_dir_maps_to_a_mount_on_no_disk),
	    cmocka_unit_test(test_unmounted_dir_maps_to_root_on_nvme),
	};

	return cmocka_run_group_tests(tests, host_setup, host_teardown);
}
