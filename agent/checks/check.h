/*
 * check.h — the check engine: one small function per check id of
 * ROLES.md, from facts to results, registered in one table (check_table.c)
 * so that `kagent check --list`, the README and the code cannot drift.
 */
#ifndef KAGENT_CHECK_H
#define KAGENT_CHECK_H

#include <stddef.h>

#include "core_check.h"

struct facts;

struct check_def {
	const char *id;
	unsigned roles;                 /* CORE_ROLE_* mask; 0: every host */
	void (*run)(const struct facts *f, struct check_results *out);
	const char *rule;               /* one line, for --list and the README */
};

/* check_table.c: every check, in display order. */
size_t check_table_count(void);
const struct check_def *check_table_get(size_t idx);

/* The table's entry for id, or NULL. */
const struct check_def *check_table_find(const char *id);

/* Runs every check whose roles intersect `roles`. */
int check_run(const struct facts *f, unsigned roles, struct check_results *out);
/* The same but for the n_skip ids of skip, which do not run. */
int check_run_skip(const struct facts *f, unsigned roles,
		   const char *const *skip, size_t n_skip,
		   struct check_results *out);
/* Does a check of def run for roles? */
int check_applies(const struct check_def *d, unsigned roles);

#endif
