/* hw_disks_probe("/") against lsblk on this machine: the same devices, and
 * for each the same size, rotational flag and sector sizes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>
#include <jansson.h>

#include "hw.h"

#define LSBLK                                                                  \
	"lsblk -b -J -o "                                                      \
	"NAME,SIZE,ROTA,TYPE,MODEL,SERIAL,TRAN,LOG-SEC,PHY-SEC 2>/dev/null"

struct live {
	struct hw_disks d;
	json_t *doc;
	json_t *flat; /* name -> lsblk object, partitions left out */
};

static json_t *read_lsblk(void)
{
	json_error_t jerr;
	json_t *doc;
	FILE *p;

	p = popen(LSBLK, "r");
	if (p == NULL)
		return NULL;
	doc = json_loadf(p, 0, &jerr);
	if (pclose(p) != 0) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* md and dm devices appear below each of their members: keep one. */
static void flatten(json_t *devs, json_t *flat)
{
	json_t *dev;
	size_t i;

	json_array_foreach(devs, i, dev)
	{
		const char *name =
		    json_string_value(json_object_get(dev, "name"));
		const char *type =
		    json_string_value(json_object_get(dev, "type"));

		if (name && type && strcmp(type, "part") != 0 &&
		    strncmp(name, "loop", 4) != 0 &&
		    strncmp(name, "zram", 4) != 0 &&
		    strncmp(name, "ram", 3) != 0)
			json_object_set(flat, name, dev);
		flatten(json_object_get(dev, "children"), flat);
	}
}

static int live_setup(void **state)
{
	static struct live l;
	struct hw_err err = {{0}};

	if (hw_disks_probe("/", &l.d, &err) != 0) {
		print_error("probe: %s\n", err.msg);
		return -1;
	}
	l.doc = read_lsblk();
	if (l.doc == NULL) {
		print_error("cannot run or parse: %s\n", LSBLK);
		return -1;
	}
	l.flat = json_object();
	flatten(json_object_get(l.doc, "blockdevices"), l.flat);
	*state = &l;
	return 0;
}

static int live_teardown(void **state)
{
	struct live *l = *state;

	json_decref(l->flat);
	json_decref(l->doc);
	hw_disks_free(&l->d);
	return 0;
}

static void test_same_devices_as_lsblk(void **state)
{
	struct live *l = *state;
	size_t i;

	print_message("probe: %zu devices, lsblk: %zu\n", l->d.n,
		      json_object_size(l->flat));
	for (i = 0; i < l->d.n; i++) {
		print_message("  %s\n", l->d.v[i].name);
		assert_non_null(json_object_get(l->flat, l->d.v[i].name));
	}
	assert_int_equal(l->d.n, json_object_size(l->flat));
	assert_true(l->d.n > 0);
}

/* lsblk prints numbers as JSON numbers, or as strings in older versions */
static int64_t jnum(json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	fail_msg("not a number in lsblk output");
	return -1;
}

static int64_t jbool(json_t *v)
{
	if (json_is_boolean(v))
		return json_is_true(v);
	return jnum(v);
}

static void test_sizes_rotational_and_sectors_match_lsblk(void **state)
{
	struct live *l = *state;
	size_t i;

	for (i = 0; i < l->d.n; i++) {
		const struct hw_disk *d = &l->d.v[i];
		json_t *o = json_object_get(l->flat, d->name);

		assert_non_null(o);
		assert_true(d->size_bytes.known && d->rotational.known &&
			    d->logical_sector.known &&
			    d->physical_sector.known);
		print_message("  %s size %lld/%lld rota %lld/%lld log-sec "
			      "%lld/%lld phy-sec %lld/%lld\n",
			      d->name, (long long)d->size_bytes.v,
			      (long long)jnum(json_object_get(o, "size")),
			      (long long)d->rotational.v,
			      (long long)jbool(json_object_get(o, "rota")),
			      (long long)d->logical_sector.v,
			      (long long)jnum(json_object_get(o, "log-sec")),
			      (long long)d->physical_sector.v,
			      (long long)jnum(json_object_get(o, "phy-sec")));
		assert_int_equal(d->size_bytes.v,
				 jnum(json_object_get(o, "size")));
		assert_int_equal(d->rotational.v,
				 jbool(json_object_get(o, "rota")));
		assert_int_equal(d->logical_sector.v,
				 jnum(json_object_get(o, "log-sec")));
		assert_int_equal(d->physical_sector.v,
				 jnum(json_object_get(o, "phy-sec")));
	}
}

static void test_root_mount_is_on_a_listed_disk(void **state)
{
	struct live *l = *state;
	const struct hw_mount *m;
	const struct hw_disk *on[16];
	size_t n;

	assert_int_equal(
	    hw_disks_find_mount_for_path(&l->d, "/", &m, on, 16, &n), 0);
	print_message("  / is %s on %s (%s), %zu disk(s)\n", m->fstype,
		      m->source, m->device, n);
	assert_string_equal(m->path, "/");
	if (m->major != 0) {
		assert_true(n > 0);
		assert_string_not_equal(m->device, "");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_devices_as_lsblk),
	    cmocka_unit_test(test_sizes_rotational_and_sectors_match_lsblk),
	    cmocka_unit_test(test_root_mount_is_on_a_listed_disk),
	};

	return cmocka_run_group_tests(tests, live_setup, live_teardown);
}
