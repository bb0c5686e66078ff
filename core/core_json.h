/*
 * core_json.h — how every program writes JSON: unknown is null, never a
 * zero or an empty string.
 */
#ifndef KAGENT_CORE_JSON_H
#define KAGENT_CORE_JSON_H

#include <jansson.h>
#include <stdio.h>

#include "core.h"

/* One JSON document on out, indented, with a newline; -EIO when the
 * document could not be built (doc NULL) or written. */
int core_json_print(json_t *doc, FILE *out);
json_t *core_json_num(struct hw_num n);
json_t *core_json_bool(struct hw_num n);
json_t *core_json_str(const char *s);

#endif
