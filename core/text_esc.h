/*
 * text_esc.h — strings from outside (agents, the collector, disks,
 * configuration files) made safe to print on an operator's terminal.
 *
 * Every text printer of the CLI passes such strings through text_esc:
 * C0 controls, DEL and C1 controls would otherwise reach the terminal as
 * escape sequences (move the cursor, retitle the window, rewrite what was
 * printed before).  JSON output needs none of this: jansson escapes.
 */
#ifndef KAGENT_TEXT_ESC_H
#define KAGENT_TEXT_ESC_H

#include <stddef.h>
#include <stdio.h>
#include <stdio.h>

#define TEXT_ESC_SLOTS 12
#define TEXT_ESC_LEN 1024

/* Room for the escaped strings of one printed line: each call takes the
 * next slot, so up to TEXT_ESC_SLOTS of them may be arguments of one
 * printf.  Lives on the printer's stack. */
struct text_esc {
	char slot[TEXT_ESC_SLOTS][TEXT_ESC_LEN];
	unsigned next;
};

/* src into dst: printable ASCII and valid UTF-8 of printable characters
 * as they are; \n, \r, \t as those two characters; any other byte below
 * 0x20 and DEL as \xNN; a C1 control (U+0080-U+009F) as \u00NN; every byte
 * of an invalid UTF-8 sequence as \xNN.  Cut at an escape's boundary
 * when dst is short, then ending in "...".  src NULL gives "".  Returns
 * dst. */
char *text_escape(char *dst, size_t cap, const char *src);
/* text_escape into e's next slot. */
const char *text_esc(struct text_esc *e, const char *src);
/* A JSON document of jansson's (JSON_ENSURE_ASCII) onto out, with DEL,
 * the one control jansson leaves raw, as \u007f.  -EIO on a write
 * error. */
int text_json_fputs(const char *json, FILE *out);

#endif
