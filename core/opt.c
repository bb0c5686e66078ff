/* One option parser for every program (core_opt.h).  getopt_long is not
 * used: its state is global (kagent status runs kagent check's parser
 * inside its own), it needs a second table in its own format, and its
 * errors cannot name the option as written in every case. */
#include <string.h>

#include "core_opt.h"

#define KEY_HELP    (-2)
#define KEY_VERSION (-3)
/* Wider left columns put the help on the next line. */
#define HELP_COLUMN_MAX 32

static const struct core_opt builtin[] = {
    {"help", 'h', KEY_HELP, NULL, "this help"},
    {"version", 0, KEY_VERSION, NULL, "the program's version"},
    {NULL, 0, 0, NULL, NULL},
};

void core_opt_init(struct core_opt_parser *p, int argc, char **argv)
{
	p->argc = argc;
	p->argv = argv;
	p->i = 1;
	p->cluster = NULL;
	p->arg = NULL;
	p->opt = NULL;
	p->exit = 0;
	p->operand = argv + 1;
	p->n_operands = 0;
}

/* Keeps an operand at the front of argv: every word before index i has
 * been read, so the slot is free. */
static void keep_operand(struct core_opt_parser *p, char *a)
{
	p->operand[p->n_operands++] = a;
}

static const struct core_opt *find_long(const struct core_opt *t,
					const char *name, size_t len)
{
	for (; t->name; t++)
		if (strlen(t->name) == len && strncmp(t->name, name, len) == 0)
			return t;
	return NULL;
}

static const struct core_opt *find_short(const struct core_opt *t, char c)
{
	for (; t->name; t++)
		if (t->short_name && t->short_name == c)
			return t;
	return NULL;
}

static int usage_error(struct core_opt_parser *p, const char *fmt,
		       const char *what)
{
	char msg[512];
	size_t n;

	if (p->error) {
		snprintf(msg, sizeof msg, fmt, what);
		n = strlen(msg);
		if (n > 0 && msg[n - 1] == '\n')
			msg[n - 1] = '\0';
		p->error(p->error_arg, msg);
		p->exit = p->usage_exit;
		return CORE_OPT_EXIT;
	}
	fprintf(stderr, "%s: ", p->name);
	fprintf(stderr, fmt, what);
	fputs(p->synopsis, stderr);
	p->exit = p->usage_exit;
	return CORE_OPT_EXIT;
}

/* The key of o, with --help and --version answered here. */
static int found(struct core_opt_parser *p, const struct core_opt *o)
{
	if (o->key == KEY_HELP) {
		core_opt_help(p, stdout);
		p->exit = 0;
		return CORE_OPT_EXIT;
	}
	if (o->key == KEY_VERSION) {
		printf("%s %s\n", p->program, KAGENT_VERSION);
		p->exit = 0;
		return CORE_OPT_EXIT;
	}
	return o->key;
}

/* The value of o: the rest of the word ("--db=x", "-cFILE") or the next
 * argument, whatever it looks like, as getopt does. */
static int take_value(struct core_opt_parser *p, const struct core_opt *o,
		      const char *inline_value)
{
	if (o->value == NULL)
		return found(p, o);
	if (inline_value != NULL) {
		p->arg = inline_value;
		return o->key;
	}
	if (p->i >= p->argc)
		return usage_error(p, "%s needs a value\n", p->opt);
	p->arg = p->argv[p->i++];
	return o->key;
}

static int next_short(struct core_opt_parser *p)
{
	const struct core_opt *o;
	char c = *p->cluster++;

	p->short_buf[0] = '-';
	p->short_buf[1] = c;
	p->short_buf[2] = '\0';
	p->opt = p->short_buf;
	o = find_short(p->opts, c);
	if (o == NULL)
		o = find_short(builtin, c);
	if (o == NULL) {
		p->cluster = NULL;
		return usage_error(p, "unknown or incomplete option '%s'\n",
				   p->opt);
	}
	if (o->value != NULL) {
		const char *rest = *p->cluster ? p->cluster : NULL;

		p->cluster = NULL;
		return take_value(p, o, rest);
	}
	return found(p, o);
}

static int next_long(struct core_opt_parser *p, const char *word)
{
	const char *name = word + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct core_opt *o = find_long(p->opts, name, len);

	if (o == NULL)
		o = find_long(builtin, name, len);
	p->opt = word;
	if (o == NULL)
		return usage_error(p, "unknown or incomplete option '%s'\n",
				   word);
	if (eq != NULL && o->value == NULL)
		return usage_error(p, "'%s': the option takes no value\n",
				   word);
	return take_value(p, o, eq ? eq + 1 : NULL);
}

int core_opt_next(struct core_opt_parser *p)
{
	const char *a;

	p->arg = NULL;
	if (p->cluster != NULL && *p->cluster)
		return next_short(p);
	p->cluster = NULL;
	if (p->i >= p->argc)
		return CORE_OPT_DONE;
	a = p->argv[p->i++];
	if (strcmp(a, "--") == 0) {
		if (p->i < p->argc && !p->operands)
			return usage_error(p, "unexpected argument '%s'\n",
					   p->argv[p->i]);
		while (p->i < p->argc)
			keep_operand(p, p->argv[p->i++]);
		return CORE_OPT_DONE;
	}
	if (a[0] == '-' && a[1] == '-')
		return next_long(p, a);
	if (a[0] == '-' && a[1] != '\0') {
		p->cluster = a + 1;
		return next_short(p);
	}
	if (!p->operands)
		return usage_error(p, "unexpected argument '%s'\n", a);
	keep_operand(p, p->argv[p->i - 1]);
	return core_opt_next(p);
}

/* "  -c, --config FILE" or "      --json": the left column of the help. */
static int left_column(const struct core_opt *o, char *buf, size_t len)
{
	char sh[8] = "    ";

	if (o->short_name)
		snprintf(sh, sizeof sh, "-%c, ", o->short_name);
	return snprintf(buf, len, "  %s--%s%s%s", sh, o->name,
			o->value ? " " : "", o->value ? o->value : "");
}

static void help_lines(FILE *out, const struct core_opt *t, int col)
{
	char left[128];
	const char *h, *nl;
	int w;

	for (; t->name; t++) {
		w = left_column(t, left, sizeof left);
		fputs(left, out);
		if (w + 2 > col) {
			fputc('\n', out);
			w = 0;
		}
		if (t->help == NULL)
			fputc('\n', out);
		for (h = t->help; h; h = nl ? nl + 1 : NULL) {
			nl = strchr(h, '\n');
			fprintf(out, "%*s%.*s\n", col - w, "",
				nl ? (int)(nl - h) : (int)strlen(h), h);
			w = 0;
		}
	}
}

void core_opt_help(const struct core_opt_parser *p, FILE *out)
{
	const struct core_opt *t;
	char left[128];
	int col = 0, w;

	for (t = p->opts; t->name; t++) {
		w = left_column(t, left, sizeof left) + 2;
		if (w > col && w <= HELP_COLUMN_MAX)
			col = w;
	}
	for (t = builtin; t->name; t++) {
		w = left_column(t, left, sizeof left) + 2;
		if (w > col)
			col = w;
	}
	fputs(p->synopsis, out);
	if (p->about)
		fprintf(out, "\n%s", p->about);
	fputs("\noptions:\n", out);
	help_lines(out, p->opts, col);
	help_lines(out, builtin, col);
	if (p->footer)
		fprintf(out, "\n%s", p->footer);
}
