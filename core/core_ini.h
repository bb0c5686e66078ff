/*
 * core_ini.h — INI files through libinih, the way every kagent configuration
 * reads them: a bounded file without NUL bytes, a line too long for
 * inih's buffer refused (inih would split it in two), and the first error
 * reported with its own line (inih runs on after an error).
 */
#ifndef KAGENT_CORE_INI_H
#define KAGENT_CORE_INI_H

#include <stddef.h>

/* One key: 1 when taken; 0 when wrong, with msg saying why. */
typedef int (*core_ini_key_fn)(void *user, const char *section,
			       const char *key, const char *value, char *msg,
			       size_t msglen);

/* err: "PATH:LINE: why".  -EINVAL on the first wrong line. */
int core_ini_parse(const char *text, const char *path, core_ini_key_fn fn,
		   void *user, char *err, size_t errlen);
/* Reads at most max - 1 bytes of path first: -EFBIG beyond, -EINVAL for a
 * NUL byte, -errno when unreadable; err names the file. */
int core_ini_load(const char *path, size_t max, core_ini_key_fn fn,
		  void *user, char *err, size_t errlen);

#endif
