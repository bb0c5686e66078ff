/* One parser for HOST:PORT (the rules are in hostport.h).  Pure: it asks
 * no resolver, so a name is checked for its form only; connecting to it
 * is when it resolves or not. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hostport.h"

#define HOST_NAME_LEN 253
#define LABEL_LEN     63

static int fail(char *err, size_t errlen, const char *s, const char *why)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "'%.200s': %s", s, why);
	return -EINVAL;
}

/* RFC 1123 host name, the form only, no lookup; '_' is taken too, as
 * glibc's resolver and /etc/hosts take it: sites name hosts kc_1, and a
 * collector address an earlier kagent accepted must stay valid. */
static bool name_ok(const char *h, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > HOST_NAME_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c == '.') {
			if (label == 0 || h[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_')
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > LABEL_LEN)
			return false;
	}
	/* A trailing '.' (the root) is allowed; a trailing '-' is not. */
	return h[n - 1] != '-';
}

/* Digits only: strtol would take " 7000", "+7000" and "7000 ". */
static bool port_ok(const char *p, uint16_t *out)
{
	unsigned long v = 0;
	size_t n = strlen(p);

	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v < 1 || v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

static bool all_digits_and_dots(const char *h)
{
	return h[strspn(h, "0123456789.")] == '\0';
}

int proto_hostport_parse(const char *s, struct proto_hostport *out, char *err,
			 size_t errlen)
{
	struct in6_addr a6;
	struct in_addr a4;
	const char *h = s, *colon;
	size_t hl;

	memset(out, 0, sizeof *out);
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL)
			return fail(err, errlen, s,
				    "no ']' closes the IPv6 address");
		if (close[1] != ':')
			return fail(err, errlen, s,
				    "no ':PORT' after the IPv6 address");
		h = s + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strchr(s, ':');
		if (colon == NULL)
			return fail(err, errlen, s, "not HOST:PORT (no ':')");
		if (strchr(colon + 1, ':') != NULL)
			return fail(err, errlen, s,
				    "an IPv6 address goes in brackets: "
				    "[ADDRESS]:PORT");
		hl = (size_t)(colon - s);
	}
	if (hl == 0)
		return fail(err, errlen, s, "no host before ':PORT'");
	if (hl >= sizeof out->host)
		return fail(err, errlen, s, "host longer than 253 bytes");
	if (!port_ok(colon + 1, &out->port))
		return fail(err, errlen, s,
			    "port is not a number from 1 to 65535");
	memcpy(out->host, h, hl);
	out->host[hl] = '\0';
	if (s[0] == '[') {
		if (inet_pton(AF_INET6, out->host, &a6) != 1)
			goto out_bad_v6;
		out->family = AF_INET6;
	} else if (inet_pton(AF_INET, out->host, &a4) == 1) {
		out->family = AF_INET;
	} else if (all_digits_and_dots(out->host)) {
		/* "10.0.0.300" is a bad address, not a name to look up. */
		memset(out, 0, sizeof *out);
		return fail(err, errlen, s, "host is not an IPv4 address");
	} else if (name_ok(out->host, hl)) {
		out->family = AF_UNSPEC;
	} else {
		memset(out, 0, sizeof *out);
		return fail(err, errlen, s,
			    "host is not a name (letters, digits, '-', '_', '.') "
			    "nor an address");
	}
	return 0;

out_bad_v6:
	memset(out, 0, sizeof *out);
	return fail(err, errlen, s, "not an IPv6 address in the brackets");
}

int proto_hostport_sockaddr(const char *s, struct sockaddr_storage *out,
			    char *err, size_t errlen)
{
	struct proto_hostport hp;
	int r;

	memset(out, 0, sizeof *out);
	r = proto_hostport_parse(s, &hp, err, errlen);
	if (r < 0)
		return r;
	if (hp.family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)out;

		a->sin_family = AF_INET;
		a->sin_port = htons(hp.port);
		inet_pton(AF_INET, hp.host, &a->sin_addr);
		return 0;
	}
	if (hp.family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(hp.port);
		inet_pton(AF_INET6, hp.host, &a->sin6_addr);
		return 0;
	}
	return fail(err, errlen, s,
		    "host is a name; an address is needed here");
}
