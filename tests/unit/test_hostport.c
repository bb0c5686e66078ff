/* proto_hostport_parse: the one HOST:PORT of kagent.conf's collector and
 * kcollectord's listen and http, one test per rule with exact values. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hostport.h"

static struct proto_hostport hp;
static char err[256];

static int parse(const char *s)
{
	err[0] = '\0';
	return proto_hostport_parse(s, &hp, err, sizeof err);
}

static void test_ipv4_address(void **state)
{
	(void)state;
	assert_int_equal(parse("127.0.0.1:7000"), 0);
	assert_string_equal(hp.host, "127.0.0.1");
	assert_int_equal(hp.port, 7000);
	assert_int_equal(hp.family, AF_INET);
	assert_string_equal(err, "");
}

static void test_ipv6_address_in_brackets(void **state)
{
	(void)state;
	assert_int_equal(parse("[::1]:7000"), 0);
	assert_string_equal(hp.host, "::1");
	assert_int_equal(hp.port, 7000);
	assert_int_equal(hp.family, AF_INET6);
	assert_int_equal(parse("[2001:db8::10]:65535"), 0);
	assert_string_equal(hp.host, "2001:db8::10");
	assert_int_equal(hp.port, 65535);
}

static void test_ipv6_without_brackets_is_refused(void **state)
{
	(void)state;
	assert_int_equal(parse("::1:7000"), -EINVAL);
	assert_string_equal(err,
			    "'::1:7000': an IPv6 address goes in brackets: "
			    "[ADDRESS]:PORT");
	assert_int_equal(parse("2001:db8::10:7000"), -EINVAL);
}

static void test_brackets_hold_an_ipv6_address_only(void **state)
{
	(void)state;
	assert_int_equal(parse("[127.0.0.1]:7000"), -EINVAL);
	assert_string_equal(
	    err, "'[127.0.0.1]:7000': not an IPv6 address in the brackets");
	assert_int_equal(parse("[collector]:7000"), -EINVAL);
	assert_int_equal(parse("[::1:7000"), -EINVAL);
	assert_string_equal(err, "'[::1:7000': no ']' closes the IPv6 address");
	assert_int_equal(parse("[::1]7000"), -EINVAL);
	assert_string_equal(err,
			    "'[::1]7000': no ':PORT' after the IPv6 address");
	assert_int_equal(parse("[]:7000"), -EINVAL);
	assert_string_equal(err, "'[]:7000': no host before ':PORT'");
}

static void test_host_name(void **state)
{
	(void)state;
	assert_int_equal(parse("collector.example.net:7000"), 0);
	assert_string_equal(hp.host, "collector.example.net");
	assert_int_equal(hp.family, AF_UNSPEC);
	assert_int_equal(parse("localhost:1"), 0);
	assert_string_equal(hp.host, "localhost");
	assert_int_equal(hp.port, 1);
	assert_int_equal(parse("kc-1.dc2:7000"), 0);
	/* Not names: a label starting or ending with '-', an empty label,
	 * characters outside letters, digits and '-'. */
	assert_int_equal(parse("-kc:7000"), -EINVAL);
	assert_string_equal(err, "'-kc:7000': host is not a name (letters, "
				 "digits, '-', '_', '.') nor an address");
	assert_int_equal(parse("kc-.dc2:7000"), -EINVAL);
	assert_int_equal(parse("kc..dc2:7000"), -EINVAL);
	assert_int_equal(parse("kc_1:7000"), 0);
	assert_string_equal(hp.host, "kc_1");
	assert_int_equal(parse("kc 1:7000"), -EINVAL);
}

static void test_name_and_label_lengths(void **state)
{
	char s[300], label[70];

	(void)state;
	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(s, sizeof s, "%s:7000", label);
	assert_int_equal(parse(s), 0);
	memset(label, 'a', 64);
	label[64] = '\0';
	snprintf(s, sizeof s, "%s:7000", label);
	assert_int_equal(parse(s), -EINVAL);
	/* 4 labels of 63 and dots: 255 bytes, over 253. */
	snprintf(s, sizeof s, "%.63s.%.63s.%.63s.%.63s:7000", label, label,
		 label, label);
	assert_int_equal(parse(s), -EINVAL);
	assert_non_null(strstr(err, "host longer than 253 bytes"));
}

static void test_digits_and_dots_must_be_an_ipv4_address(void **state)
{
	(void)state;
	assert_int_equal(parse("10.0.0.300:7000"), -EINVAL);
	assert_string_equal(err,
			    "'10.0.0.300:7000': host is not an IPv4 address");
	assert_int_equal(parse("1234:7000"), -EINVAL);
}

static void test_port_is_1_to_65535_in_digits(void **state)
{
	static const char *const bad[] = {
	    "h:0",     "h:65536", "h:-1", "h:+7000",  "h: 7000",
	    "h:7000 ", "h:0x10",  "h:",	  "h:123456", "h:7000a",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(parse(bad[i]), -EINVAL);
		assert_non_null(
		    strstr(err, "port is not a number from 1 to 65535"));
	}
	assert_int_equal(parse("h:0"), -EINVAL);
	assert_string_equal(err, "'h:0': port is not a number from 1 to 65535");
	assert_int_equal(parse("h:65535"), 0);
	assert_int_equal(hp.port, 65535);
	assert_int_equal(parse("h:00080"), 0);
	assert_int_equal(hp.port, 80);
}

static void test_no_colon_or_no_host(void **state)
{
	(void)state;
	assert_int_equal(parse("collector"), -EINVAL);
	assert_string_equal(err, "'collector': not HOST:PORT (no ':')");
	assert_int_equal(parse(":7000"), -EINVAL);
	assert_string_equal(err, "':7000': no host before ':PORT'");
	assert_int_equal(parse(""), -EINVAL);
	/* A failed parse leaves nothing behind. */
	assert_string_equal(hp.host, "");
	assert_int_equal(hp.port, 0);
}

static void test_sockaddr_needs_an_address(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	char buf[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(
	    proto_hostport_sockaddr("127.0.0.1:7171", &ss, err, sizeof err), 0);
	assert_int_equal(a4->sin_family, AF_INET);
	assert_int_equal(ntohs(a4->sin_port), 7171);
	assert_int_equal(ntohl(a4->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(
	    proto_hostport_sockaddr("[::1]:7172", &ss, err, sizeof err), 0);
	assert_int_equal(a6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(a6->sin6_port), 7172);
	assert_string_equal(
	    inet_ntop(AF_INET6, &a6->sin6_addr, buf, sizeof buf), "::1");
	assert_int_equal(
	    proto_hostport_sockaddr("localhost:7171", &ss, err, sizeof err),
	    -EINVAL);
	assert_string_equal(
	    err, "'localhost:7171': host is a name; an address is needed here");
	assert_int_equal(
	    proto_hostport_sockaddr("0.0.0.0:0", &ss, err, sizeof err),
	    -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv4_address),
	    cmocka_unit_test(test_ipv6_address_in_brackets),
	    cmocka_unit_test(test_ipv6_without_brackets_is_refused),
	    cmocka_unit_test(test_brackets_hold_an_ipv6_address_only),
	    cmocka_unit_test(test_host_name),
	    cmocka_unit_test(test_name_and_label_lengths),
	    cmocka_unit_test(test_digits_and_dots_must_be_an_ipv4_address),
	    cmocka_unit_test(test_port_is_1_to_65535_in_digits),
	    cmocka_unit_test(test_no_colon_or_no_host),
	    cmocka_unit_test(test_sockaddr_needs_an_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
