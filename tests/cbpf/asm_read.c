/*
 * asm_read.c -- test tool: assemble a file with cbpf_asm() and print the
 * result the way tcpdump -dd (and bpfc -f C) print programs.
 *
 * usage: asm_read [-s auto|asm|d|dd|ddd] [-D] [FILE|-]
 * -D prints the detected syntax name instead of the program.  On an error
 * prints "FILE:LINE:COL:LEN: error: MSG" on stderr and exits 1.  Kept
 * independent of the disassembler so the assembler's tests stand alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cbpf.h"

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap);

	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	*len = n;
	return buf;
}

static int parse_syntax(const char *s, enum cbpf_syntax *syn)
{
	int i;

	for (i = CBPF_SYNTAX_AUTO; i <= CBPF_SYNTAX_DDD; i++)
		if (strcmp(s, cbpf_syntax_name((enum cbpf_syntax)i)) == 0) {
			*syn = (enum cbpf_syntax)i;
			return 0;
		}
	return -1;
}

int main(int argc, char **argv)
{
	enum cbpf_syntax syn = CBPF_SYNTAX_AUTO, detected = CBPF_SYNTAX_AUTO;
	const char *name = "-";
	struct cbpf_insn *prog;
	struct cbpf_diag diag;
	int opt, show_detect = 0, rc;
	size_t len, n, i;
	FILE *f = stdin;
	char *src;

	while ((opt = getopt(argc, argv, "s:D")) != -1) {
		if (opt == 's' && parse_syntax(optarg, &syn) == 0)
			continue;
		if (opt == 'D') {
			show_detect = 1;
			continue;
		}
		fprintf(stderr, "usage: asm_read [-s auto|asm|d|dd|ddd] [-D] [FILE|-]\n");
		return 2;
	}
	if (optind < argc && strcmp(argv[optind], "-") != 0) {
		name = argv[optind];
		f = fopen(name, "rb");
		if (!f) {
			perror(name);
			return 2;
		}
	}
	src = read_all(f, &len);
	if (f != stdin)
		fclose(f);
	if (!src)
		return 2;
	rc = cbpf_asm(src, len, syn, &prog, &n, &detected, &diag);
	free(src);
	if (rc) {
		fprintf(stderr, "%s:%u:%u:%u: error: %s\n", name, diag.line, diag.col,
			diag.len, diag.msg);
		return 1;
	}
	if (show_detect)
		printf("%s\n", cbpf_syntax_name(detected));
	else
		for (i = 0; i < n; i++)
			printf("{ 0x%x, %u, %u, 0x%08x },\n", prog[i].code, prog[i].jt,
			       prog[i].jf, prog[i].k);
	cbpf_free(prog);
	return 0;
}
