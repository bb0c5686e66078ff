/* text_escape: what reaches the terminal of every text printer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text_esc.h"

static const char *esc(const char *s)
{
	static char buf[256];

	return text_escape(buf, sizeof buf, s);
}

static void test_printable_ascii_and_utf8_pass_unchanged(void **state)
{
	(void)state;
	assert_string_equal(esc("broker-1 r1/a\\b"), "broker-1 r1/a\\b");
	assert_string_equal(esc("Zürich 東京 \xf0\x9f\x92\xbe"),
			    "Zürich 東京 \xf0\x9f\x92\xbe");
	assert_string_equal(esc(""), "");
	assert_string_equal(esc(NULL), "");
}

static void test_c0_controls_and_del_are_escaped(void **state)
{
	(void)state;
	assert_string_equal(esc("a\nb\rc\td"), "a\\nb\\rc\\td");
	assert_string_equal(esc("\x1b[2J\x1b]0;title\x07"),
			    "\\x1b[2J\\x1b]0;title\\x07");
	assert_string_equal(esc("\x01\x1f\x7f"), "\\x01\\x1f\\x7f");
}

static void test_c1_controls_are_escaped(void **state)
{
	(void)state;
	/* U+009B (CSI) and U+0080 as UTF-8; U+00A0 is printable. */
	assert_string_equal(esc("\xc2\x9b" "31m\xc2\x80\xc2\xa0"),
			    "\\u009b31m\\u0080\xc2\xa0");
	/* A bare 0x9b byte is invalid UTF-8. */
	assert_string_equal(esc("\x9b" "31m"), "\\x9b31m");
}

static void test_invalid_utf8_is_escaped_byte_by_byte(void **state)
{
	(void)state;
	/* Overlong '/', a surrogate, above U+10FFFF, a cut sequence. */
	assert_string_equal(esc("\xc0\xaf"), "\\xc0\\xaf");
	assert_string_equal(esc("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	assert_string_equal(esc("\xf4\x90\x80\x80"),
			    "\\xf4\\x90\\x80\\x80");
	assert_string_equal(esc("ab\xe6\x9d"), "ab\\xe6\\x9d");
	assert_string_equal(esc("\xff" "x"), "\\xffx");
}

static void test_short_buffer_cuts_at_an_escape_boundary(void **state)
{
	char b[8];

	(void)state;
	/* "ab\x1b" would be 6 bytes + NUL; "ab" + "..." fits, not half an
	 * escape. */
	assert_string_equal(text_escape(b, sizeof b, "ab\x1b" "cdef"),
			    "ab...");
	assert_string_equal(text_escape(b, sizeof b, "abcdefg"), "abcdefg");
	assert_string_equal(text_escape(b, sizeof b, "abcdefgh"), "abcd...");
	assert_string_equal(text_escape(b, 3, "abcdef"), "ab");
}

static void test_slots_keep_one_line_of_arguments_apart(void **state)
{
	struct text_esc *e = calloc(1, sizeof *e);
	const char *a = text_esc(e, "\x1b"), *b = text_esc(e, "\x07");

	(void)state;
	assert_string_equal(a, "\\x1b");
	assert_string_equal(b, "\\x07");
	free(e);
}

static void test_json_del_is_escaped(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(text_json_fputs("{\"a\":\"x\x7fy\"}", f), 0);
	fclose(f);
	assert_string_equal(buf, "{\"a\":\"x\\u007fy\"}");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printable_ascii_and_utf8_pass_unchanged),
		cmocka_unit_test(test_c0_controls_and_del_are_escaped),
		cmocka_unit_test(test_c1_controls_are_escaped),
		cmocka_unit_test(test_invalid_utf8_is_escaped_byte_by_byte),
		cmocka_unit_test(test_short_buffer_cuts_at_an_escape_boundary),
		cmocka_unit_test(test_slots_keep_one_line_of_arguments_apart),
		cmocka_unit_test(test_json_del_is_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
