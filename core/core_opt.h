/*
 * core_opt.h — the one option parser of every kagent program and
 * subcommand: long and short options from one table, -h/--help and
 * --version built in, and one wording for a bad command line.
 *
 * Each program used to carry its own getopt_long loop, and they drifted:
 * one answered -h with "-h needs a value", another said "bad option", a
 * third printed no usage.  Here the table is also the help: --help lists
 * what the table holds, so the two cannot differ.
 */
#ifndef KAGENT_CORE_OPT_H
#define KAGENT_CORE_OPT_H

#include <stdbool.h>
#include <stdio.h>

/* One option.  A table ends with an entry whose name is NULL. */
struct core_opt {
	const char *name;  /* the long name, without "--" */
	char short_name;   /* 'c' for -c; 0 for none */
	int key;	   /* what core_opt_next returns for it; > 0 */
	const char *value; /* the value's name in the help ("FILE"); NULL
			      for a flag that takes none */
	const char *help;  /* one line or more ("\n" between them) */
};

/* What core_opt_next returns besides a key. */
#define CORE_OPT_DONE 0 /* every argument parsed */
#define CORE_OPT_EXIT                                                          \
	(-1) /* help, version or an error printed: exit with                   \
		p->exit */

struct core_opt_parser {
	/* Set by the caller. */
	const char *program;  /* --version prints "PROGRAM VERSION" */
	const char *name;     /* errors start "NAME: " ("kagent check") */
	const char *synopsis; /* "usage: ..." lines, ending in "\n"; printed
				 by --help and after an error */
	const char *about;    /* printed by --help before the options, or
				 NULL */
	const char *footer;   /* printed by --help after them, or NULL */
	const struct core_opt *opts;
	int usage_exit; /* the exit status of a bad command line */
	/* When set, a bad command line is told here, as one line without
	 * the synopsis, instead of on stderr: a monitoring plugin says
	 * everything on stdout, in its own format. */
	void (*error)(void *arg, const char *msg);
	void *error_arg;
	bool operands;	/* takes arguments that are no option ("HOST...") */

	/* Set by core_opt_next. */
	const char *arg; /* the value of the option just returned */
	const char *opt; /* that option as written ("--role", "-c") */
	int exit;	 /* after CORE_OPT_EXIT */
	/* After CORE_OPT_DONE, with operands: the arguments that are no
	 * option, in their order (argv is reordered in place, as GNU getopt
	 * does), and how many. */
	char **operand;
	int n_operands;

	/* Private. */
	int argc;
	char **argv;
	int i;
	const char *cluster; /* the rest of "-jx" after "-j" */
	char short_buf[3];
};

/* Starts at argv[1]: argv[0] is the program or the subcommand. */
void core_opt_init(struct core_opt_parser *p, int argc, char **argv);
/* The next option's key (its value in p->arg), CORE_OPT_DONE, or
 * CORE_OPT_EXIT once --help or --version was answered on stdout (exit 0)
 * or an unknown option, a missing value or an argument was reported on
 * stderr (exit usage_exit).  An argument that is no option is an error
 * unless p->operands; "--" ends the options. */
int core_opt_next(struct core_opt_parser *p);
/* The whole help: synopsis, about, the option list from the table with
 * -h/--help and --version, footer. */
void core_opt_help(const struct core_opt_parser *p, FILE *out);

#endif
