/*
 * cli.h -- shared declarations of the command-line front end (src/cli).
 *
 * src/cli is the only place that parses argv, prints to a terminal or exits;
 * the libraries return errors and the CLI renders them.
 */
#ifndef PFC_CLI_H
#define PFC_CLI_H

#include <stdio.h>
#include <stddef.h>

#include "cbpf.h"

/* Exit statuses: 0 success, 1 an error in the input (invalid program...), 2 a usage error. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2 };

/* Read a whole file ("-" is standard input) into a NUL-terminated buffer. */
int cli_read_file(const char *path, char **buf, size_t *len);

/* Join argv words with single spaces, as tcpdump's copy_argv does (malloc'd; NULL: no memory). */
char *cli_join_words(char **words, int n);

/* Print "name:line:col: error: msg", the source line and a caret (clang style). */
void cli_print_source_diag(FILE *out, const char *name, const char *src, size_t len,
			   const struct cbpf_diag *diag);

/* Print a validator diagnostic naming the instruction, with its -d listing line. */
void cli_print_insn_diag(FILE *out, const char *name, const struct cbpf_insn *insns,
			 size_t n, const struct cbpf_diag *diag);

/*
 * Print an expression diagnostic: "name:line:col: error: msg", the line of
 * the expression and a caret under the offending bytes.
 */
struct fg_diag;
void cli_print_expr_diag(FILE *out, const char *name, const char *src, size_t len,
			 const struct fg_diag *diag);

/* Print "pfc: " and the message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_asm(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_tc(int argc, char **argv);
int cmd_seccomp(int argc, char **argv);
int cmd_ebpf(int argc, char **argv);
int cmd_trace(int argc, char **argv);

#endif /* PFC_CLI_H */
