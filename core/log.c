/* One log line per write, prefixed with its syslog priority for journald.
 * See core_log.h for when the prefix is written. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_log.h"

static const char *log_prog = "kagent";
static int log_journal;

/* $JOURNAL_STREAM is "DEV:INO" in decimal; it names our stderr only when
 * both match fstat(2): a child that inherited the variable but writes to
 * a file or a pipe gets plain lines. */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char tail;

	if (js == NULL || sscanf(js, "%llu:%llu%c", &dev, &ino, &tail) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void core_log_init(const char *prog)
{
	log_prog = prog;
	log_journal = stderr_is_journal();
}

int core_log_journal(void)
{
	return log_journal;
}

static void log_va(const char *prog, int prio, const char *fmt, va_list ap)
{
	char line[CORE_LOG_LINE_MAX];
	size_t n = 0, left;
	int r;

	if (prio < LOG_EMERG || prio > LOG_DEBUG)
		prio = LOG_ERR;
	if (log_journal)
		n = (size_t)snprintf(line, sizeof line, "<%d>", prio);
	r = snprintf(line + n, sizeof line - n, "%s: ", prog);
	if (r > 0)
		n += (size_t)r < sizeof line - n ? (size_t)r : 0;
	r = vsnprintf(line + n, sizeof line - n, fmt, ap);
	if (r < 0)
		return;
	left = sizeof line - n;
	/* Cut a long message, keep the newline: the next line must start
	 * on its own, with its own priority. */
	n += (size_t)r < left - 1 ? (size_t)r : left - 2;
	line[n++] = '\n';
	while (write(STDERR_FILENO, line, n) < 0 && errno == EINTR)
		;
}

void core_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va(log_prog, prio, fmt, ap);
	va_end(ap);
}

void core_log_as(const char *prog, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va(prog, prio, fmt, ap);
	va_end(ap);
}
