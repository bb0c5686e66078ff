/*
 * hostport.h — the "HOST:PORT" of the wire's two ends, read by one set of
 * rules: kagent.conf's collector = (where kagentd connects) and
 * kcollectord's listen and http (where it binds).  Both ends must accept
 * the same spellings, or an address the collector listens on could be one
 * the agent refuses to reach.
 *
 * The rules:
 *   - HOST is a DNS name (labels of letters, digits and '-', none starting
 *     or ending with '-', at most 63 bytes each and 253 in all), an IPv4
 *     address in dotted quad, or an IPv6 address in brackets: [::1]:7000;
 *   - an IPv6 address without brackets is refused: its last ':' would be
 *     taken for the port's;
 *   - PORT is 1 to 65535, decimal digits only;
 *   - an error message quotes the input and names the rule it breaks.
 */
#ifndef KAGENT_PROTO_HOSTPORT_H
#define KAGENT_PROTO_HOSTPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define PROTO_HOST_MAX 254 /* a 253-byte DNS name and its NUL */

struct proto_hostport {
	char host[PROTO_HOST_MAX]; /* without the brackets */
	uint16_t port;
	int family; /* AF_INET, AF_INET6, or AF_UNSPEC for a name */
};

/* s into out; -EINVAL with err saying why when s breaks a rule above. */
int proto_hostport_parse(const char *s, struct proto_hostport *out, char *err,
			 size_t errlen);
/* s into a socket address for bind(): the rules above, and HOST must be
 * an address, not a name; -EINVAL with err saying why. */
int proto_hostport_sockaddr(const char *s, struct sockaddr_storage *out,
			    char *err, size_t errlen);

#endif
