/* The grammar of java.util.Properties.load, one rule per test.  Expected
 * values are what Java's Properties.load returns for the same bytes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "props.h"

/* Parses a NUL-terminated literal that must parse. */
static void parse_ok(const char *text, struct props *p)
{
	struct props_err err = {0};

	assert_int_equal(props_parse(text, strlen(text), p, &err), 0);
}

static void test_equals_colon_and_blank_separate_key_from_value(void **s)
{
	struct props p;

	(void)s;
	parse_ok("a=1\nb:2\nc 3\nd\t4\ne\f5\n", &p);
	assert_int_equal(p.n, 5);
	assert_string_equal(props_get(&p, "a"), "1");
	assert_string_equal(props_get(&p, "b"), "2");
	assert_string_equal(props_get(&p, "c"), "3");
	assert_string_equal(props_get(&p, "d"), "4");
	assert_string_equal(props_get(&p, "e"), "5");
	props_free(&p);
}

static void test_blanks_around_separator_skipped_trailing_kept(void **s)
{
	struct props p;

	(void)s;
	parse_ok("  key  =  value  \n", &p);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].key, "key");
	assert_string_equal(p.v[0].value, "value  ");
	props_free(&p);
}

static void test_only_first_separator_counts(void **s)
{
	struct props p;

	(void)s;
	/* "key value=x": the blank ends the key; '=' after it is skipped
	 * once, a second one is data. */
	parse_ok("k1 = = v\nk2 : x=y:z\nk3   v3 = w\n", &p);
	assert_string_equal(props_get(&p, "k1"), "= v");
	assert_string_equal(props_get(&p, "k2"), "x=y:z");
	assert_string_equal(props_get(&p, "k3"), "v3 = w");
	props_free(&p);
}

static void test_escaped_space_is_part_of_key(void **s)
{
	struct props p;

	(void)s;
	parse_ok("key\\ with\\ space = v\na\\=b\\:c=d\n", &p);
	assert_string_equal(props_get(&p, "key with space"), "v");
	assert_string_equal(props_get(&p, "a=b:c"), "d");
	props_free(&p);
}

static void test_unicode_escape_becomes_utf8(void **s)
{
	struct props p;

	(void)s;
	parse_ok("k=\\u0041\\u00e9\\u20AC\\uD83D\\uDE00\n\\u006b2=x\n", &p);
	assert_string_equal(props_get(&p, "k"),
			    "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
	assert_string_equal(props_get(&p, "k2"), "x");
	props_free(&p);
}

static void test_lone_surrogate_becomes_replacement_char(void **s)
{
	struct props p;

	(void)s;
	parse_ok("k=\\uD800x\n", &p);
	assert_string_equal(props_get(&p, "k"), "\xEF\xBF\xBDx");
	props_free(&p);
}

static void test_bytes_are_latin1_as_load_inputstream(void **s)
{
	struct props p;

	(void)s;
	/* 0xE9 is é in ISO-8859-1; UTF-8 é (C3 A9) is two Latin-1 chars. */
	parse_ok("a=\xE9\nb=\xC3\xA9\n", &p);
	assert_string_equal(props_get(&p, "a"), "\xC3\xA9");
	assert_string_equal(props_get(&p, "b"), "\xC3\x83\xC2\xA9");
	props_free(&p);
}

static void test_control_escapes_and_other_escaped_chars(void **s)
{
	struct props p;

	(void)s;
	parse_ok("k=a\\tb\\nc\\rd\\fe\\qf\\\\g\\#h\n", &p);
	assert_string_equal(props_get(&p, "k"), "a\tb\nc\rd\fe"
						"qf\\g#h");
	props_free(&p);
}

static void test_malformed_unicode_escape_names_line(void **s)
{
	const char *text = "a=1\nb=2\nc=\\u00G1\n";
	struct props_err err = {0};
	struct props p;

	(void)s;
	assert_int_equal(props_parse(text, strlen(text), &p, &err), -EINVAL);
	assert_int_equal(err.line, 3);
	assert_string_equal(err.msg, "line 3: malformed \\uXXXX escape");
	assert_int_equal(p.n, 0);
	assert_null(p.v);
}

static void test_short_unicode_escape_at_end_is_malformed(void **s)
{
	const char *text = "k=\\u41";
	struct props_err err = {0};
	struct props p;

	(void)s;
	assert_int_equal(props_parse(text, strlen(text), &p, &err), -EINVAL);
	assert_int_equal(err.line, 1);
}

static void test_continuation_odd_backslashes_joins(void **s)
{
	struct props p;

	(void)s;
	/* one backslash: continued, leading blanks of the next line dropped;
	 * three: one escaped backslash, then a continuation. */
	parse_ok("a=one \\\n    two\nb=x\\\\\\\n  y\n", &p);
	assert_string_equal(props_get(&p, "a"), "one two");
	assert_string_equal(props_get(&p, "b"), "x\\y");
	assert_int_equal(p.n, 2);
	props_free(&p);
}

static void test_even_backslashes_do_not_continue(void **s)
{
	struct props p;

	(void)s;
	parse_ok("a=x\\\\\n  b=y\n", &p);
	assert_string_equal(props_get(&p, "a"), "x\\");
	assert_string_equal(props_get(&p, "b"), "y");
	props_free(&p);
}

static void test_comment_after_continuation_is_not_a_comment(void **s)
{
	struct props p;

	(void)s;
	parse_ok("a=1,\\\n  # two\nb=2\n", &p);
	assert_string_equal(props_get(&p, "a"), "1,# two");
	assert_string_equal(props_get(&p, "b"), "2");
	props_free(&p);
}

static void test_comment_lines_hash_and_bang_ignore_backslash(void **s)
{
	struct props p;

	(void)s;
	/* A comment ending in '\' does not swallow the next line. */
	parse_ok("# c1 \\\na=1\n   ! c2\nb=2 # not a comment\n", &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(props_get(&p, "a"), "1");
	assert_string_equal(props_get(&p, "b"), "2 # not a comment");
	props_free(&p);
}

static void test_line_with_only_value_has_empty_key(void **s)
{
	struct props p;

	(void)s;
	parse_ok("=value\n:other\n", &p);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].key, "");
	assert_string_equal(p.v[0].value, "other");
	assert_int_equal(p.v[0].line, 2);
	props_free(&p);
}

static void test_key_without_value_is_empty_value(void **s)
{
	struct props p;

	(void)s;
	parse_ok("lonely\nalso=\n", &p);
	assert_string_equal(props_get(&p, "lonely"), "");
	assert_string_equal(props_get(&p, "also"), "");
	props_free(&p);
}

static void test_cr_lf_crlf_line_ends_and_line_numbers(void **s)
{
	struct props p;

	(void)s;
	parse_ok("a=1\rb=2\r\nc=3\n\r\nd=4\\\r\n  5\re=6", &p);
	assert_int_equal(p.n, 5);
	assert_string_equal(props_get(&p, "a"), "1");
	assert_string_equal(props_get(&p, "b"), "2");
	assert_string_equal(props_get(&p, "c"), "3");
	assert_string_equal(props_get(&p, "d"), "45");
	assert_string_equal(props_get(&p, "e"), "6");
	assert_int_equal(props_find(&p, "c")->line, 3);
	assert_int_equal(props_find(&p, "d")->line, 5);
	assert_int_equal(props_find(&p, "e")->line, 7);
	props_free(&p);
}

static void test_last_duplicate_wins_with_its_line(void **s)
{
	struct props p;

	(void)s;
	parse_ok("k=1\nother=x\nk=2\n", &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(props_get(&p, "k"), "2");
	assert_int_equal(props_find(&p, "k")->line, 3);
	props_free(&p);
}

static void test_continuation_at_eof_drops_backslash(void **s)
{
	struct props p;

	(void)s;
	parse_ok("k=v\\", &p);
	assert_string_equal(props_get(&p, "k"), "v");
	props_free(&p);
}

static void test_blank_line_after_continuation_ends_entry(void **s)
{
	struct props p;

	(void)s;
	parse_ok("k=v\\\n   \nnext=n\n", &p);
	assert_string_equal(props_get(&p, "k"), "v");
	assert_string_equal(props_get(&p, "next"), "n");
	assert_int_equal(props_find(&p, "next")->line, 3);
	props_free(&p);
}

static void test_nul_escape_rejected(void **s)
{
	const char *text = "k=\\u0000\n";
	struct props_err err = {0};
	struct props p;

	(void)s;
	assert_int_equal(props_parse(text, strlen(text), &p, &err), -EINVAL);
	assert_string_equal(err.msg,
			    "line 1: \\u0000 cannot be held in a C string");
}

static void test_oversize_input_rejected(void **s)
{
	size_t len = PROPS_FILE_MAX + 1;
	char *buf = malloc(len);
	struct props_err err = {0};
	struct props p;

	(void)s;
	assert_non_null(buf);
	memset(buf, '#', len);
	assert_int_equal(props_parse(buf, len, &p, &err), -EFBIG);
	assert_string_equal(err.msg, "larger than 1048576 bytes");
	free(buf);
}

static void test_too_many_entries_rejected(void **s)
{
	size_t cap = (PROPS_ENTRIES_MAX + 1) * 16, len = 0;
	char *buf = malloc(cap);
	struct props_err err = {0};
	struct props p;

	(void)s;
	assert_non_null(buf);
	for (int i = 0; i <= PROPS_ENTRIES_MAX; i++)
		len += (size_t)snprintf(buf + len, cap - len, "k%d=v\n", i);
	assert_int_equal(props_parse(buf, len, &p, &err), -E2BIG);
	assert_int_equal(err.line, PROPS_ENTRIES_MAX + 1);
	free(buf);
}

static void test_long_key_rejected(void **s)
{
	char buf[PROPS_KEY_MAX + 8];
	struct props_err err = {0};
	struct props p;

	(void)s;
	memset(buf, 'k', PROPS_KEY_MAX + 1);
	memcpy(buf + PROPS_KEY_MAX + 1, "=v\n", 3);
	assert_int_equal(props_parse(buf, PROPS_KEY_MAX + 4, &p, &err), -E2BIG);
	assert_string_equal(err.msg, "line 1: key longer than 1024 bytes");
}

static void test_load_names_file_in_errors(void **s)
{
	struct props_err err = {0};
	struct props p;

	(void)s;
	assert_int_equal(props_load(FIXTURES
				    "/kafka-props-bad/bad-escape.properties",
				    &p, &err),
			 -EINVAL);
	assert_string_equal(err.msg, FIXTURES
			    "/kafka-props-bad/bad-escape.properties:3: "
			    "malformed \\uXXXX escape");
	assert_int_equal(
	    props_load(FIXTURES "/kafka-props-bad/missing", &p, &err), -ENOENT);
	assert_string_equal(err.msg, FIXTURES "/kafka-props-bad/missing: "
					      "No such file or directory");
}

static void test_load_corpus_jaas_continuation(void **s)
{
	struct props_err err = {0};
	struct props p;

	(void)s;
	assert_int_equal(
	    props_load(CORPUS "/kafka-config/kraft-scram-server.properties", &p,
		       &err),
	    0);
	assert_string_equal(
	    props_get(&p, "listener.name.controller.plain.sasl.jaas.config"),
	    "org.apache.kafka.common.security.plain.PlainLoginModule "
	    "required username=\"admin\" password=\"admin\" "
	    "user_admin=\"admin\";");
	assert_int_equal(
	    props_find(&p, "listener.name.controller.plain.sasl.jaas.config")
		->line,
	    75);
	assert_string_equal(props_get(&p, "log.dirs"),
			    "/tmp/kraft-scram-combined-logs");
	props_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
		test_equals_colon_and_blank_separate_key_from_value),
	    cmocka_unit_test(
		test_blanks_around_separator_skipped_trailing_kept),
	    cmocka_unit_test(test_only_first_separator_counts),
	    cmocka_unit_test(test_escaped_space_is_part_of_key),
	    cmocka_unit_test(test_unicode_escape_becomes_utf8),
	    cmocka_unit_test(test_lone_surrogate_becomes_replacement_char),
	    cmocka_unit_test(test_bytes_are_latin1_as_load_inputstream),
	    cmocka_unit_test(test_control_escapes_and_other_escaped_chars),
	    cmocka_unit_test(test_malformed_unicode_escape_names_line),
	    cmocka_unit_test(test_short_unicode_escape_at_end_is_malformed),
	    cmocka_unit_test(test_continuation_odd_backslashes_joins),
	    cmocka_unit_test(test_even_backslashes_do_not_continue),
	    cmocka_unit_test(test_comment_after_continuation_is_not_a_comment),
	    cmocka_unit_test(test_comment_lines_hash_and_bang_ignore_backslash),
	    cmocka_unit_test(test_line_with_only_value_has_empty_key),
	    cmocka_unit_test(test_key_without_value_is_empty_value),
	    cmocka_unit_test(test_cr_lf_crlf_line_ends_and_line_numbers),
	    cmocka_unit_test(test_last_duplicate_wins_with_its_line),
	    cmocka_unit_test(test_continuation_at_eof_drops_backslash),
	    cmocka_unit_test(test_blank_line_after_continuation_ends_entry),
	    cmocka_unit_test(test_nul_escape_rejected),
	    cmocka_unit_test(test_oversize_input_rejected),
	    cmocka_unit_test(test_too_many_entries_rejected),
	    cmocka_unit_test(test_long_key_rejected),
	    cmocka_unit_test(test_load_names_file_in_errors),
	    cmocka_unit_test(test_load_corpus_jaas_continuation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
