/* SPDX-License-Identifier: Apache-2.0 */
/* [kafka] client_config: librdkafka's property syntax, parsed as bytes.
 * Whether librdkafka knows a key is its own answer (kafka_live_new passes
 * each pair to rd_kafka_conf_set); here the file's shape is held to its
 * bounds, so that a wrong file is named by its line before any client
 * starts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "kafka_live.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void trim(char **s, char **e)
{
	while (*s < *e && is_blank(**s))
		(*s)++;
	while (*e > *s && is_blank((*e)[-1]))
		(*e)--;
}

static bool utf8_ok(const char *s, size_t n, size_t *bad)
{
	size_t i = 0, k;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80) {
			if (c == 0 || (c < 0x20 && c != '\t' && c != '\r' &&
				       c != '\n'))
				goto bad;
			i++;
			continue;
		}
		k = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
		if (k == 0 || i + k > n)
			goto bad;
		for (size_t j = 1; j < k; j++)
			if (((unsigned char)s[i + j] & 0xc0) != 0x80)
				goto bad;
		i += k;
	}
	return true;
bad:
	*bad = i;
	return false;
}

static int add_pair(struct kafka_client_conf *out, const char *name,
		    unsigned line, char *k, char *ke, char *v, char *ve,
		    struct hw_err *err)
{
	struct kafka_client_pair *p;
	size_t i;

	if (ke == k) {
		core_err_set(err, "%s:%u: a key is missing before '='", name,
			     line);
		return -EINVAL;
	}
	if ((size_t)(ke - k) >= KAFKA_CLIENT_KEY_MAX ||
	    (size_t)(ve - v) >= KAFKA_CLIENT_VALUE_MAX) {
		core_err_set(err, "%s:%u: key or value above its bound "
				  "(%d, %d bytes)",
			     name, line, KAFKA_CLIENT_KEY_MAX - 1,
			     KAFKA_CLIENT_VALUE_MAX - 1);
		return -E2BIG;
	}
	for (i = 0; i < out->n; i++)
		if (strlen(out->v[i].key) == (size_t)(ke - k) &&
		    !memcmp(out->v[i].key, k, (size_t)(ke - k))) {
			core_err_set(err, "%s:%u: '%s' repeats line %u", name,
				     line, out->v[i].key, out->v[i].line);
			return -EINVAL;
		}
	if (out->n == KAFKA_CLIENT_PAIRS_MAX) {
		core_err_set(err, "%s:%u: more than %d settings", name, line,
			     KAFKA_CLIENT_PAIRS_MAX);
		return -E2BIG;
	}
	p = &out->v[out->n];
	p->value = strndup(v, (size_t)(ve - v));
	if (p->value == NULL)
		return -ENOMEM;
	memcpy(p->key, k, (size_t)(ke - k));
	p->key[ke - k] = '\0';
	p->line = line;
	out->n++;
	return 0;
}

int kafka_client_conf_parse(const char *buf, size_t len, const char *name,
			    struct kafka_client_conf *out, struct hw_err *err)
{
	char *copy, *s, *nl, *eq, *e;
	unsigned line = 0;
	size_t bad;
	int rc = 0;

	memset(out, 0, sizeof *out);
	snprintf(out->path, sizeof out->path, "%s", name);
	if (len >= KAFKA_CLIENT_CONF_MAX) {
		core_err_set(err, "%s: above %d bytes", name,
			     KAFKA_CLIENT_CONF_MAX - 1);
		return -E2BIG;
	}
	if (!utf8_ok(buf, len, &bad)) {
		core_err_set(err, "%s: not UTF-8 text at byte %zu", name, bad);
		return -EILSEQ;
	}
	copy = strndup(buf, len);
	if (copy == NULL)
		return -ENOMEM;
	for (s = copy; rc == 0 && *s; s = nl ? nl + 1 : s + strlen(s)) {
		line++;
		nl = strchr(s, '\n');
		e = nl ? nl : s + strlen(s);
		trim(&s, &e);
		if (s == e || *s == '#' || *s == '!')
			continue;
		eq = memchr(s, '=', (size_t)(e - s));
		if (eq == NULL) {
			core_err_set(err, "%s:%u: not a key=value line", name,
				     line);
			rc = -EINVAL;
			break;
		}
		{
			char *k = s, *ke = eq, *v = eq + 1, *ve = e;

			trim(&k, &ke);
			trim(&v, &ve);
			rc = add_pair(out, name, line, k, ke, v, ve, err);
		}
	}
	free(copy);
	if (rc < 0)
		kafka_client_conf_free(out);
	return rc;
}

int kafka_client_conf_load(const char *path, struct kafka_client_conf *out,
			   struct hw_err *err)
{
	char *buf;
	ssize_t n;
	int rc;

	memset(out, 0, sizeof *out);
	buf = malloc(KAFKA_CLIENT_CONF_MAX + 1);
	if (buf == NULL)
		return -ENOMEM;
	n = core_read_file(path, buf, KAFKA_CLIENT_CONF_MAX + 1);
	if (n < 0) {
		core_err_file(err, path, (int)n);
		free(buf);
		return (int)n;
	}
	rc = kafka_client_conf_parse(buf, (size_t)n, path, out, err);
	free(buf);
	return rc;
}

void kafka_client_conf_free(struct kafka_client_conf *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].value);
	c->n = 0;
}
