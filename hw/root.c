/* The live host is decided on the resolved path, not its spelling: a
 * spelling rule calls "/." a capture and opens no device there while a
 * resolving one reads the host's NICs from the same root, and one report
 * would mix the two. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "root.h"

bool hw_root_is_live(const char *root)
{
	char real[PATH_MAX];

	return realpath(root, real) != NULL && strcmp(real, "/") == 0;
}
