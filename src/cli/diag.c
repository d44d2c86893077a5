/*
 * diag.c -- render library diagnostics the way clang does: a location,
 * "error:", the message, then the offending source line with a caret and
 * tildes under the token.  Validator errors show the instruction instead.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "filtergen.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pfc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Find the start and length of 1-based line `line` in src. */
static const char *find_line(const char *src, size_t len, unsigned line, size_t *llen)
{
	const char *p = src, *end = src + len;
	unsigned cur = 1;

	while (cur < line && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			return NULL;
		p = nl + 1;
		cur++;
	}
	if (cur != line)
		return NULL;
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		*llen = nl ? (size_t)(nl - p) : (size_t)(end - p);
	}
	return p;
}

void cli_print_source_diag(FILE *out, const char *name, const char *src, size_t len,
			   const struct cbpf_diag *d)
{
	const char *line;
	size_t llen = 0, i;

	if (d->line == 0) {
		fprintf(out, "%s: error: %s\n", name, d->msg);
		return;
	}
	fprintf(out, "%s:%u:%u: error: %s\n", name, d->line, d->col, d->msg);
	line = find_line(src, len, d->line, &llen);
	if (!line)
		return;
	if (llen && line[llen - 1] == '\r')
		llen--;
	fprintf(out, "%.*s\n", (int)llen, line);
	/* Keep tabs so the caret lines up under tabbed source. */
	for (i = 0; i + 1 < d->col && i < llen; i++)
		fputc(line[i] == '\t' ? '\t' : ' ', out);
	fputc('^', out);
	for (i = 1; i < d->len; i++)
		fputc('~', out);
	fputc('\n', out);
}

void cli_print_insn_diag(FILE *out, const char *name, const struct cbpf_insn *insns,
			 size_t n, const struct cbpf_diag *d)
{
	char img[256];

	if (d->insn < 0 || (size_t)d->insn >= n) {
		fprintf(out, "%s: error: %s\n", name, d->msg);
		return;
	}
	fprintf(out, "%s: error: instruction %d: %s\n", name, d->insn, d->msg);
	cbpf_insn_image(&insns[d->insn], (size_t)d->insn, img, sizeof(img));
	fprintf(out, "  %s\n", img);
}

void cli_print_expr_diag(FILE *out, const char *name, const char *src, size_t len,
			 const struct fg_diag *d)
{
	struct cbpf_diag cd;
	size_t i, off = d->offset < len ? d->offset : len;
	unsigned line = 1, col = 1;

	for (i = 0; i < off; i++) {
		if (src[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	cd.insn = -1;
	cd.line = line;
	cd.col = col;
	cd.len = d->length ? (unsigned)d->length : 1;
	snprintf(cd.msg, sizeof(cd.msg), "%s", d->msg);
	cli_print_source_diag(out, name, src, len, &cd);
}
