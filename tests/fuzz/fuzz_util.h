/*
 * fuzz_util.h — what every harness shares: the libFuzzer entry point, a
 * NUL-terminated copy of the input for parsers that take C strings, and
 * the invariant checks that turn a wrong result into a crash libFuzzer
 * records (a harness that only calls the parser finds memory errors, not
 * wrong answers).
 */
#ifndef KAGENT_FUZZ_UTIL_H
#define KAGENT_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data and a NUL after it; abort() when out of memory, free() it. */
char *fuzz_strndup(const uint8_t *data, size_t size);
/* Aborts with what on stderr when ok is false. */
void fuzz_require(bool ok, const char *harness, const char *what);
/* Well-formed UTF-8 (no overlongs, surrogates or code points above
 * U+10FFFF), as protobuf strings and JSON must be. */
bool fuzz_utf8_valid(const char *s);
/* s ends with a NUL within cap bytes. */
bool fuzz_terminated(const char *s, size_t cap);

#endif
