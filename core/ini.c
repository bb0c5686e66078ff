/* The one INI reader of kagent.conf and kcollectord's configuration. */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "core_ini.h"

struct ini_run {
	core_ini_key_fn fn;
	void *user;
	const char *next;       /* the rest of the text */
	int line;               /* the line being parsed */
	int err_line;           /* first error's line, 0: none */
	char msg[256];
};

/* inih calls this per key; returning 0 makes ini_parse_stream return
 * that line as an error.  Keys after the first error are not taken. */
static int on_key(void *user, const char *section, const char *key,
		  const char *value)
{
	struct ini_run *run = user;
	int r;

	if (run->err_line)
		return 0;
	r = run->fn(run->user, section, key, value, run->msg, sizeof run->msg);
	if (r == 0)
		run->err_line = run->line;
	return r;
}

/* The ini_reader for ini_parse_stream: one line per call, as fgets would,
 * except that a line too long for inih's buffer is an error here, not two
 * lines. */
static char *read_line(char *str, int num, void *stream)
{
	struct ini_run *run = stream;
	const char *nl;
	size_t len;

	if (*run->next == '\0')
		return NULL;
	nl = strchr(run->next, '\n');
	len = nl ? (size_t)(nl - run->next) + 1 : strlen(run->next);
	run->line++;
	if (len >= (size_t)num) {
		if (run->err_line == 0) {
			run->err_line = run->line;
			snprintf(run->msg, sizeof run->msg,
				 "line longer than %d bytes", num - 2);
		}
		snprintf(str, (size_t)num, "\n");
	} else {
		memcpy(str, run->next, len);
		str[len] = '\0';
	}
	run->next += len;
	return str;
}

int core_ini_parse(const char *text, const char *path, core_ini_key_fn fn,
		   void *user, char *err, size_t errlen)
{
	struct ini_run run = { .fn = fn, .user = user, .next = text, .msg = "" };
	int line;

	line = ini_parse_stream(read_line, &run, on_key, &run);
	if (run.err_line && (line == 0 || run.err_line <= line)) {
		snprintf(err, errlen, "%s:%d: %s", path, run.err_line, run.msg);
		return -EINVAL;
	}
	if (line != 0) {
		snprintf(err, errlen, "%s:%d: syntax error", path, line);
		return -EINVAL;
	}
	return 0;
}

int core_ini_load(const char *path, size_t max, core_ini_key_fn fn,
		  void *user, char *err, size_t errlen)
{
	char *buf = malloc(max);
	ssize_t n;
	int r;

	if (buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	n = core_read_file(path, buf, max);
	if (n < 0) {
		core_file_strerror(err, errlen, path, (int)n);
		r = (int)n;
	} else if ((size_t)n == max - 1) {
		snprintf(err, errlen, "%s: larger than %zu bytes", path, max - 1);
		r = -EFBIG;
	} else if (memchr(buf, '\0', (size_t)n)) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		r = -EINVAL;
	} else {
		r = core_ini_parse(buf, path, fn, user, err, errlen);
	}
	free(buf);
	return r;
}
