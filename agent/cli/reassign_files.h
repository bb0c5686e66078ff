/* SPDX-License-Identifier: Apache-2.0 */
/* reassign_files.h — writing a reassignment plan's step files. */
#ifndef KAGENT_REASSIGN_FILES_H
#define KAGENT_REASSIGN_FILES_H

#include <stdbool.h>
#include <stddef.h>

/* A name of a plan's files: NN-TOPIC.json or NN-TOPIC.rollback.json, NN
 * two digits or more. */
bool ra_files_is_plan(const char *name);
/* Creates dir (and its parents) when missing; -EEXIST when it holds plan
 * files and not force; with force, removes them.  err says why. */
int ra_files_prepare(const char *dir, bool force, char *err, size_t len);
/* dir/name holds text, atomically (temporary name, fsync, rename). */
int ra_files_write(const char *dir, const char *name, const char *text,
		   char *err, size_t len);
/* Makes the renames durable. */
int ra_files_sync(const char *dir);

#endif
