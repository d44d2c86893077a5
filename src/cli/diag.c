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

/* Longest source line shown whole; longer ones are cut to a window around the caret. */
#define LINE_MAX_SHOWN 120
#define WINDOW_BEFORE 50

void cli_print_source_diag(FILE *out, const char *name, const char *src, size_t len,
			   const struct cbpf_diag *d)
{
	const char *line;
	size_t llen = 0, i, from = 0, to, col0;

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
	col0 = d->col ? d->col - 1 : 0;
	if (llen > LINE_MAX_SHOWN && col0 > WINDOW_BEFORE)
		from = col0 - WINDOW_BEFORE;
	to = llen - from > LINE_MAX_SHOWN ? from + LINE_MAX_SHOWN : llen;
	fprintf(out, "%s%.*s%s\n", from ? "..." : "", (int)(to - from), line + from,
		to < llen ? "..." : "");
	/* Keep tabs so the caret lines up under tabbed source. */
	for (i = from ? from - 3 : 0; i < col0 && i < llen; i++)
		fputc(i >= from && line[i] == '\t' ? '\t' : ' ', out);
	fputc('^', out);
	for (i = 1; i < d->len && col0 + i < to; i++)
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

	if (d->offset == 0 && d->length == 0) {
		/* about the whole expression (a program too large, a link type): no caret */
		fprintf(out, "%s: error: %s\n", name, d->msg);
		return;
	}
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
