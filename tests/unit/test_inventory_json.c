/* `kagent inventory --json --root TREE` run as a program on node_exporter's
 * captured sysfs/procfs (shared corpus): disk health, board identity and
 * sensors where only a captured tree is available, and the exit code and
 * output of bad invocations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#define TREE	    CORPUS "/sysfs-node-exporter"
#define ROOT_REASON "SMART is read from live devices only (--root given)"

struct run {
	int status; /* exit code, or -1 when killed */
	char *out;  /* stdout, NUL-terminated */
	size_t len;
};

/* Runs KAGENT_BIN with argv (NULL-terminated, without argv[0]), stdout
 * captured, stderr to /dev/null. */
static void run_kagent(const char *const *args, struct run *r)
{
	const char *argv[16];
	int fd[2], st;
	size_t n = 0, cap = 1 << 16;
	ssize_t got;
	pid_t pid;

	argv[n++] = KAGENT_BIN;
	while (*args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(127);
		execv(KAGENT_BIN, (char *const *)argv);
		_exit(127);
	}
	close(fd[1]);
	r->out = malloc(cap);
	assert_non_null(r->out);
	r->len = 0;
	while ((got = read(fd[0], r->out + r->len, cap - 1 - r->len)) > 0) {
		r->len += (size_t)got;
		if (r->len + 1 == cap) {
			cap *= 2;
			r->out = realloc(r->out, cap);
			assert_non_null(r->out);
		}
	}
	r->out[r->len] = '\0';
	close(fd[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static json_t *inventory_json(const char *extra)
{
	const char *args[] = {"inventory", "--json", "--root",
			      TREE,	   extra,    NULL};
	json_error_t e;
	struct run r;
	json_t *doc;

	run_kagent(args, &r);
	assert_int_equal(r.status, 0);
	doc = json_loads(r.out, 0, &e);
	if (doc == NULL)
		fail_msg("kagent output is not JSON: %s (line %d)", e.text,
			 e.line);
	free(r.out);
	return doc;
}

static const char *str_at(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_non_null(v);
	return json_is_null(v) ? NULL : json_string_value(v);
}

static void test_every_disk_of_a_captured_tree_is_unknown(void **state)
{
	static const char *const names[] = {"sda", "sdi", "sdj", "sdk",
					    "sdl", "sdm", "sdn"};
	json_t *doc = inventory_json(NULL), *disks, *d, *h;
	size_t i;

	(void)state;
	disks = json_object_get(doc, "disks");
	assert_int_equal(json_array_size(disks), 7);
	json_array_foreach(disks, i, d)
	{
		assert_string_equal(str_at(d, "name"), names[i]);
		h = json_object_get(d, "health");
		assert_non_null(h);
		assert_string_equal(str_at(h, "verdict"), "unknown");
		assert_string_equal(str_at(h, "reason"), ROOT_REASON);
		assert_null(str_at(h, "source"));
		assert_true(json_is_null(json_object_get(d, "smart")));
	}
	json_decref(doc);
}

/* md and dm volumes carry no health: their member disks do. */
static void test_volumes_have_no_health_key(void **state)
{
	json_t *doc = inventory_json(NULL), *vols, *v;
	size_t i;

	(void)state;
	vols = json_object_get(doc, "volumes");
	assert_int_equal(json_array_size(vols), 9);
	json_array_foreach(vols, i, v)
	{
		assert_null(json_object_get(v, "health"));
		assert_null(json_object_get(v, "smart"));
	}
	json_decref(doc);
}

static void test_no_smart_flag_says_so_per_disk(void **state)
{
	json_t *doc = inventory_json("--no-smart"), *d;
	size_t i;

	(void)state;
	json_array_foreach(json_object_get(doc, "disks"), i, d)
	{
		json_t *h = json_object_get(d, "health");

		assert_string_equal(str_at(h, "verdict"), "unknown");
		assert_string_equal(str_at(h, "reason"),
				    "SMART not read (--no-smart)");
	}
	json_decref(doc);
}

/* The values of sys/class/dmi/id in the tree; chassis_asset_tag is empty
 * there, so unknown. */
static void test_board_comes_from_the_tree(void **state)
{
	json_t *doc = inventory_json(NULL), *b;

	(void)state;
	b = json_object_get(doc, "board");
	assert_string_equal(str_at(b, "vendor"), "Dell Inc.");
	assert_string_equal(str_at(b, "product"), "PowerEdge R6515");
	assert_string_equal(str_at(b, "serial"), "7N62AI2");
	assert_string_equal(str_at(b, "bios_version"), "2.2.4");
	assert_string_equal(str_at(b, "bios_date"), "04/12/2021");
	assert_null(str_at(b, "asset_tag"));
	json_decref(doc);
}

/* libsensors reads only the live /sys: with --root the sensors are
 * unknown (null), not an empty list, and the reason says why. */
static void test_sensors_of_a_captured_tree_are_null_with_reason(void **state)
{
	json_t *doc = inventory_json(NULL);

	(void)state;
	assert_true(json_is_null(json_object_get(doc, "sensors")));
	assert_string_equal(
	    str_at(doc, "sensors_error"),
	    "sensors are read from the live /sys only (--root given)");
	json_decref(doc);
}

static void test_text_lists_health_board_and_sensors(void **state)
{
	const char *args[] = {"inventory", "--root", TREE, NULL};
	struct run r;

	(void)state;
	run_kagent(args, &r);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "health of sdn: unknown: " ROOT_REASON
				      " (no source)\n"));
	assert_non_null(strstr(r.out,
			       "\nBOARD   Dell Inc. PowerEdge R6515, "
			       "serial 7N62AI2, bios 2.2.4, asset tag -\n"));
	assert_non_null(strstr(r.out, "sensors: sensors are read from the live "
				      "/sys only (--root given)\n"));
	free(r.out);
}

static void test_bad_root_exits_2_with_empty_stdout(void **state)
{
	const char *args[] = {"inventory", "--json", "--root",
			      FIXTURES "/no-such-tree", NULL};
	struct run r;

	(void)state;
	run_kagent(args, &r);
	assert_int_equal(r.status, 2);
	assert_int_equal(r.len, 0);
	free(r.out);
}

static void test_unknown_flag_exits_2_with_empty_stdout(void **state)
{
	const char *args[] = {"inventory", "--json", "--bogus", NULL};
	struct run r;

	(void)state;
	run_kagent(args, &r);
	assert_int_equal(r.status, 2);
	assert_int_equal(r.len, 0);
	free(r.out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_disk_of_a_captured_tree_is_unknown),
	    cmocka_unit_test(test_volumes_have_no_health_key),
	    cmocka_unit_test(test_no_smart_flag_says_so_per_disk),
	    cmocka_unit_test(test_board_comes_from_the_tree),
	    cmocka_unit_test(
		test_sensors_of_a_captured_tree_are_null_with_reason),
	    cmocka_unit_test(test_text_lists_health_board_and_sensors),
	    cmocka_unit_test(test_bad_root_exits_2_with_empty_stdout),
	    cmocka_unit_test(test_unknown_flag_exits_2_with_empty_stdout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
