/*
 * asm_lex.c -- the assembler's lexer and its error reporting.
 *
 * The source is cut into identifiers, numbers and single punctuation
 * characters once, before parsing; comments (bpf_asm's ";" to the end of the
 * line, C block comments, and "#" in the first column) and white space
 * vanish.  Numbers are kept as text: which radixes apply depends on where
 * they appear (tcpdump -d's "(008)" is decimal, bpf_asm's "010" octal).
 * Lexing stops at the first bad character with an ERROR token; the parser
 * reports that error only if it gets that far, so the error reported is
 * always the first one in the source.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm_int.h"

struct lex_state {
	size_t p;
	unsigned line;
	size_t line_start;
};

static bool is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool is_alnum(int ch)
{
	return is_alpha(ch) || (ch >= '0' && ch <= '9');
}

static int push_tok(struct asm_ctx *c, const struct lex_state *s,
		    enum asm_tok_kind kind, size_t off, size_t len)
{
	struct asm_tok *t;

	if (c->ntoks == c->tokcap) {
		size_t cap = c->tokcap ? c->tokcap * 2 : 256;
		struct asm_tok *nt = realloc(c->toks, cap * sizeof(*nt));

		if (!nt)
			return -ENOMEM;
		c->toks = nt;
		c->tokcap = cap;
	}
	t = &c->toks[c->ntoks++];
	t->kind = kind;
	t->punct = kind == ASM_TOK_PUNCT ? c->src[off] : 0;
	t->line = s->line;
	t->col = (unsigned)(off - s->line_start) + 1;
	t->off = off;
	t->len = len ? len : 1;
	return 0;
}

/* Skip a block comment at s->p; false (s->p unchanged) if it never ends. */
static bool skip_block_comment(const struct asm_ctx *c, struct lex_state *s)
{
	struct lex_state t = *s;

	for (t.p += 2; t.p + 1 < c->len; t.p++) {
		if (c->src[t.p] == '*' && c->src[t.p + 1] == '/') {
			t.p += 2;
			*s = t;
			return true;
		}
		if (c->src[t.p] == '\n') {
			t.line++;
			t.line_start = t.p + 1;
		}
	}
	return false;
}

/* Skip white space and comments; false at an unterminated comment. */
static bool skip_blank(const struct asm_ctx *c, struct lex_state *s)
{
	const char *src = c->src;

	while (s->p < c->len) {
		char ch = src[s->p];

		if (ch == '\n') {
			s->line++;
			s->line_start = ++s->p;
		} else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f') {
			s->p++;
		} else if (ch == ';' || (ch == '#' && s->p == s->line_start)) {
			while (s->p < c->len && src[s->p] != '\n')
				s->p++;
		} else if (ch == '/' && s->p + 1 < c->len && src[s->p + 1] == '*') {
			if (!skip_block_comment(c, s))
				return false;
		} else {
			break;
		}
	}
	return true;
}

static int lex_fail(struct asm_ctx *c, const struct lex_state *s, size_t len,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int lex_fail(struct asm_ctx *c, const struct lex_state *s, size_t len,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->lex_msg, sizeof(c->lex_msg), fmt, ap);
	va_end(ap);
	return push_tok(c, s, ASM_TOK_ERROR, s->p, len);
}

static int lex_bad_char(struct asm_ctx *c, const struct lex_state *s)
{
	unsigned char ch = (unsigned char)c->src[s->p];

	if (ch == '/' && s->p + 1 < c->len && c->src[s->p + 1] == '*')
		return lex_fail(c, s, 2, "unterminated comment");
	if (ch >= 0x21 && ch < 0x7f)
		return lex_fail(c, s, 1, "unexpected character '%c'", ch);
	return lex_fail(c, s, 1, "unexpected byte 0x%02x", ch);
}

/* Where the EOF token goes: just past the last token, or 1:1. */
static int push_eof(struct asm_ctx *c)
{
	struct lex_state s = { 0, 1, 0 };

	if (c->ntoks) {
		const struct asm_tok *t = &c->toks[c->ntoks - 1];

		s.line = t->line;
		s.line_start = t->off - (t->col - 1);
		s.p = t->off + t->len;
	}
	return push_tok(c, &s, ASM_TOK_EOF, s.p, 1);
}

int asm_lex(struct asm_ctx *c)
{
	struct lex_state s = { 0, 1, 0 };
	const char *punct = ":,#%[]()+-*&{}";
	int rc;

	for (;;) {
		size_t start;
		char ch;

		if (!skip_blank(c, &s))
			return lex_bad_char(c, &s);
		if (s.p >= c->len)
			return push_eof(c);
		start = s.p;
		ch = c->src[s.p];
		if (is_alnum(ch)) {
			while (s.p < c->len && is_alnum(c->src[s.p]))
				s.p++;
			rc = push_tok(c, &s, is_alpha(ch) ? ASM_TOK_IDENT : ASM_TOK_NUMBER,
				      start, s.p - start);
		} else if (ch && strchr(punct, ch)) {
			s.p++;
			rc = push_tok(c, &s, ASM_TOK_PUNCT, start, 1);
		} else {
			return lex_bad_char(c, &s);
		}
		if (rc)
			return rc;
	}
}

/* ---- token access -------------------------------------------------------- */

const struct asm_tok *asm_peek(const struct asm_ctx *c, size_t ahead)
{
	size_t i = c->pos + ahead;

	return &c->toks[i < c->ntoks ? i : c->ntoks - 1];
}

const struct asm_tok *asm_next(struct asm_ctx *c)
{
	const struct asm_tok *t = asm_peek(c, 0);

	if (c->pos + 1 < c->ntoks)
		c->pos++;
	return t;
}

const struct asm_tok *asm_prev(const struct asm_ctx *c)
{
	return c->pos ? &c->toks[c->pos - 1] : NULL;
}

bool asm_is_punct(const struct asm_tok *t, char ch)
{
	return t->kind == ASM_TOK_PUNCT && t->punct == ch;
}

bool asm_is_word(const struct asm_ctx *c, const struct asm_tok *t, const char *word)
{
	size_t i, n = strlen(word);

	if (t->kind != ASM_TOK_IDENT || t->len != n)
		return false;
	for (i = 0; i < n; i++) {
		char ch = c->src[t->off + i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != word[i])
			return false;
	}
	return true;
}

bool asm_on_new_line(const struct asm_ctx *c, const struct asm_tok *t)
{
	const struct asm_tok *p = asm_prev(c);

	return t->kind == ASM_TOK_EOF || !p || t->line > p->line;
}

const char *asm_tok_desc(const struct asm_ctx *c, const struct asm_tok *t,
			 char *buf, size_t size)
{
	if (t->kind == ASM_TOK_EOF)
		snprintf(buf, size, "end of input");
	else if (t->len > 32)
		snprintf(buf, size, "'%.29s...'", c->src + t->off);
	else
		snprintf(buf, size, "'%.*s'", (int)t->len, c->src + t->off);
	return buf;
}

/* ---- numbers ------------------------------------------------------------- */

static int digit_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A' + 10;
	return 99;
}

/* Accumulate digits of base; -EINVAL on a bad digit, -ERANGE past 32 bits. */
static int convert(const char *s, size_t n, unsigned base, uint32_t *v)
{
	uint64_t acc = 0;
	size_t i;

	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		int d = digit_value(s[i]);

		if (d >= (int)base)
			return -EINVAL;
		acc = acc * base + (unsigned)d;
		if (acc > UINT32_MAX)
			return -ERANGE;
	}
	*v = (uint32_t)acc;
	return 0;
}

int asm_tok_number(struct asm_ctx *c, const struct asm_tok *t, bool decimal,
		   uint32_t *v)
{
	const char *s = c->src + t->off;
	size_t n = t->len;
	unsigned base = 10;
	const char *what = "decimal ";
	char buf[48];
	int rc;

	if (t->kind != ASM_TOK_NUMBER)
		return asm_error(c, t, "expected a number, got %s",
				 asm_tok_desc(c, t, buf, sizeof(buf)));
	if (!decimal && n >= 2 && s[0] == '0') {
		char p = s[1];

		if (p == 'x' || p == 'X')
			base = 16, s += 2, n -= 2, what = "hexadecimal ";
		else if (p == 'b' || p == 'B')
			base = 2, s += 2, n -= 2, what = "binary ";
		else
			base = 8, s += 1, n -= 1, what = "octal ";
	}
	rc = convert(s, n, base, v);
	if (rc == -ERANGE)
		return asm_error(c, t, "number %s does not fit in 32 bits",
				 asm_tok_desc(c, t, buf, sizeof(buf)));
	if (rc)
		return asm_error(c, t, "invalid %snumber %s", what,
				 asm_tok_desc(c, t, buf, sizeof(buf)));
	return 0;
}

/* ---- errors -------------------------------------------------------------- */

static int verror(struct asm_ctx *c, unsigned line, unsigned col, size_t len,
		  const char *fmt, va_list ap)
{
	struct cbpf_diag *d = c->diag;

	if (!d)
		return -EINVAL;
	d->insn = c->cur_insn;
	d->line = line;
	d->col = col;
	d->len = len == 0 ? 1 : len > UINT_MAX ? UINT_MAX : (unsigned)len;
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	return -EINVAL;
}

int asm_error(struct asm_ctx *c, const struct asm_tok *t, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (t->kind == ASM_TOK_ERROR) {
		if (c->diag) {
			c->diag->insn = c->cur_insn;
			c->diag->line = t->line;
			c->diag->col = t->col;
			c->diag->len = (unsigned)t->len;
			snprintf(c->diag->msg, sizeof(c->diag->msg), "%s", c->lex_msg);
		}
		return -EINVAL;
	}
	va_start(ap, fmt);
	rc = verror(c, t->line, t->col, t->len, fmt, ap);
	va_end(ap);
	return rc;
}

int asm_error_after(struct asm_ctx *c, const char *fmt, ...)
{
	const struct asm_tok *p = asm_prev(c);
	va_list ap;
	int rc;

	va_start(ap, fmt);
	if (!p) {
		const struct asm_tok *t = asm_peek(c, 0);

		rc = verror(c, t->line, t->col, 1, fmt, ap);
		va_end(ap);
		return rc;
	}
	rc = verror(c, p->line, p->col + (unsigned)p->len, 1, fmt, ap);
	va_end(ap);
	return rc;
}
