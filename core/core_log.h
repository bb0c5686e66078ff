/*
 * core_log.h — the daemons' log lines on stderr, with the syslog priority
 * journald reads when stderr is its stream.
 *
 * journald takes a leading "<N>" (N a syslog priority, 0-7) as the line's
 * priority; on a terminal or in a file the prefix would be noise.  systemd
 * says which by $JOURNAL_STREAM ("DEVICE:INODE" of the stream it gave
 * us): only when stderr is that stream are lines prefixed.
 */
#ifndef KAGENT_CORE_LOG_H
#define KAGENT_CORE_LOG_H

#include <syslog.h>

/* The longest line written; longer messages are cut, the newline kept. */
#define CORE_LOG_LINE_MAX 4096

/* prog starts every line ("kcollectord: ..."); it is not copied. */
void core_log_init(const char *prog);
/* One line, written with one write(2) so that lines of two processes on
 * one stream never interleave.  prio is LOG_ERR, LOG_WARNING, LOG_INFO... */
void core_log(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The same line under another name: the prober and its watchdog log as
 * "kagentd prober", a filter names the process it is installed in. */
void core_log_as(const char *prog, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Whether lines carry the "<N>" prefix (stderr is journald's stream). */
int core_log_journal(void);

#endif
