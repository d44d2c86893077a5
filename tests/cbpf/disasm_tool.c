/*
 * disasm_tool.c -- test helper: read a tcpdump -ddd listing on stdin and
 * print it with cbpf_disasm() in the format named by argv[1] (d, dd, ddd or
 * asm), so shell tests can hold our output against tcpdump's and bpfc's
 * without the assembler or the CLI.  Exit status 2 on bad input, 1 when
 * cbpf_disasm() fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbpf.h"

static int parse_format(const char *s, enum cbpf_format *fmt)
{
	static const char *const names[] = { "d", "dd", "ddd", "asm" };
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*fmt = (enum cbpf_format)i;
			return 0;
		}
	return -1;
}

/* A -ddd listing: the count, then code jt jf k per instruction. */
static struct cbpf_insn *read_ddd(FILE *f, size_t *len)
{
	struct cbpf_insn *p;
	unsigned long n, i;

	if (fscanf(f, "%lu", &n) != 1 || n > 65536)
		return NULL;
	p = calloc(n ? n : 1, sizeof(*p));
	for (i = 0; p && i < n; i++) {
		unsigned code, jt, jf, k;

		if (fscanf(f, "%u %u %u %u", &code, &jt, &jf, &k) != 4) {
			free(p);
			return NULL;
		}
		p[i] = (struct cbpf_insn){ (uint16_t)code, (uint8_t)jt, (uint8_t)jf, k };
	}
	*len = n;
	return p;
}

int main(int argc, char **argv)
{
	enum cbpf_format fmt;
	struct cbpf_insn *p;
	size_t len = 0;
	char *out = NULL;
	int err;

	if (argc != 2 || parse_format(argv[1], &fmt)) {
		fprintf(stderr, "usage: disasm_tool d|dd|ddd|asm < program.ddd\n");
		return 2;
	}
	p = read_ddd(stdin, &len);
	if (!p) {
		fprintf(stderr, "disasm_tool: bad -ddd input\n");
		return 2;
	}
	err = cbpf_disasm(p, len, fmt, &out);
	free(p);
	if (err) {
		fprintf(stderr, "disasm_tool: cbpf_disasm: %s\n", strerror(-err));
		return 1;
	}
	fputs(out, stdout);
	cbpf_free(out);
	return 0;
}
