/*
 * asm.c -- cbpf_asm(): read a classic BPF program in any of four syntaxes.
 *
 * The source is lexed once (asm_lex.c); the syntax is the one asked for or,
 * with CBPF_SYNTAX_AUTO, guessed from the first token: '(' starts a
 * tcpdump -d listing (asm_listing.c), '{' tcpdump -dd initialisers, a number
 * the -ddd count line, anything else bpf_asm source (asm_parse.c).  The -dd
 * and -ddd readers live here.  Keeps true: on success the caller gets at
 * least one and at most 65535 instructions; on failure nothing is returned
 * and, for syntax errors, diag points at the first offending token.  The
 * program is not validated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm_int.h"

static const char *const syntax_names[] = {
	[CBPF_SYNTAX_AUTO] = "auto", [CBPF_SYNTAX_ASM] = "asm",
	[CBPF_SYNTAX_D] = "d", [CBPF_SYNTAX_DD] = "dd", [CBPF_SYNTAX_DDD] = "ddd",
};

const char *cbpf_syntax_name(enum cbpf_syntax syntax)
{
	if ((unsigned)syntax >= sizeof(syntax_names) / sizeof(syntax_names[0]))
		return "unknown";
	return syntax_names[syntax];
}

int asm_emit(struct asm_ctx *c, const struct asm_tok *t, uint16_t code,
	     uint8_t jt, uint8_t jf, uint32_t k)
{
	struct cbpf_insn *in;

	if (c->n >= ASM_MAX_INSNS) {
		asm_error(c, t, "more than %u instructions", ASM_MAX_INSNS);
		return -E2BIG;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;

		in = realloc(c->insns, cap * sizeof(*in));
		if (!in)
			return -ENOMEM;
		c->insns = in;
		c->cap = cap;
	}
	in = &c->insns[c->n++];
	in->code = code;
	in->jt = jt;
	in->jf = jf;
	in->k = k;
	return 0;
}

/* ---- tcpdump -dd --------------------------------------------------------- */

/* One unsigned field of at most max, then the ',' after it (unless last). */
static int dd_field(struct asm_ctx *c, uint32_t max, const char *name,
		    uint32_t *v, bool last)
{
	const struct asm_tok *t = asm_peek(c, 0);
	int rc;

	if (max == UINT32_MAX)
		rc = asm_parse_k(c, v);
	else if (!(rc = asm_tok_number(c, t, false, v)))
		asm_next(c);
	if (rc)
		return rc;
	if (*v > max)
		return asm_error(c, t, "%s %u does not fit in %s", name, *v,
				 max == 0xff ? "8 bits" : "16 bits");
	return last ? 0 : asm_expect(c, ',', name);
}

/* insn: '{' code ',' jt ',' jf ',' k [','] '}' [','] */
static int dd_insn(struct asm_ctx *c)
{
	const struct asm_tok *t = asm_peek(c, 0);
	uint32_t code, jt, jf, k;
	char buf[48];
	int rc;

	if (!asm_is_punct(t, '{'))
		return asm_error(c, t, "expected '{' to start an instruction, got %s",
				 asm_tok_desc(c, t, buf, sizeof(buf)));
	c->cur_insn = (int)c->n;
	asm_next(c);
	rc = dd_field(c, 0xffff, "code", &code, false);
	rc = rc ? rc : dd_field(c, 0xff, "jt", &jt, false);
	rc = rc ? rc : dd_field(c, 0xff, "jf", &jf, false);
	rc = rc ? rc : dd_field(c, UINT32_MAX, "k", &k, true);
	if (rc)
		return rc;
	if (asm_is_punct(asm_peek(c, 0), ','))
		asm_next(c);
	rc = asm_expect(c, '}', "k");
	if (rc)
		return rc;
	if (asm_is_punct(asm_peek(c, 0), ','))
		asm_next(c);
	c->cur_insn = -1;
	return asm_emit(c, t, (uint16_t)code, (uint8_t)jt, (uint8_t)jf, k);
}

static int parse_dd(struct asm_ctx *c)
{
	while (asm_peek(c, 0)->kind != ASM_TOK_EOF) {
		int rc = dd_insn(c);

		if (rc)
			return rc;
	}
	return 0;
}

/* ---- tcpdump -ddd (and bpf_asm's "4,40 0 0 12,..." form) ------------------ */

/*
 * A record: want decimal numbers on one line, ended by the line or by ','.
 * toks[] receives each number's token, for range errors.
 */
static int ddd_record(struct asm_ctx *c, uint32_t *v, const struct asm_tok **toks,
		      size_t want, const char *what)
{
	size_t i;
	char buf[48];
	int rc;

	for (i = 0;; i++) {
		const struct asm_tok *t = asm_peek(c, 0);

		if (i > 0 && (asm_on_new_line(c, t) || asm_is_punct(t, ',')))
			break;
		if (i == want)
			return asm_error(c, t, "unexpected %s: expected %s",
					 asm_tok_desc(c, t, buf, sizeof(buf)), what);
		if (t->kind != ASM_TOK_NUMBER)
			return asm_error(c, t, "expected a decimal number, got %s",
					 asm_tok_desc(c, t, buf, sizeof(buf)));
		rc = asm_tok_number(c, t, true, &v[i]);
		if (rc)
			return rc;
		toks[i] = asm_next(c);
	}
	if (i < want)
		return asm_error_after(c, "expected %s, got %zu number%s", what, i,
				       i == 1 ? "" : "s");
	if (asm_is_punct(asm_peek(c, 0), ','))
		asm_next(c);
	return 0;
}

static int ddd_insn(struct asm_ctx *c)
{
	const struct asm_tok *toks[4];
	uint32_t v[4];
	int rc;

	c->cur_insn = (int)c->n;
	rc = ddd_record(c, v, toks, 4, "4 numbers per instruction (code jt jf k)");
	if (rc)
		return rc;
	if (v[0] > 0xffff)
		return asm_error(c, toks[0], "code %u does not fit in 16 bits", v[0]);
	if (v[1] > 0xff || v[2] > 0xff)
		return asm_error(c, toks[v[1] > 0xff ? 1 : 2], "%s %u does not fit in 8 bits",
				 v[1] > 0xff ? "jt" : "jf", v[1] > 0xff ? v[1] : v[2]);
	c->cur_insn = -1;
	return asm_emit(c, toks[0], (uint16_t)v[0], (uint8_t)v[1], (uint8_t)v[2], v[3]);
}

/* program: count { code jt jf k } -- with exactly count instructions */
static int parse_ddd(struct asm_ctx *c)
{
	const struct asm_tok *ct;
	uint32_t count;
	int rc = ddd_record(c, &count, &ct, 1, "the instruction count alone on the first line");

	if (rc)
		return rc;
	if (count > ASM_MAX_INSNS) {
		asm_error(c, ct, "instruction count %u exceeds %u", count, ASM_MAX_INSNS);
		return -E2BIG;
	}
	while (asm_peek(c, 0)->kind != ASM_TOK_EOF) {
		rc = ddd_insn(c);
		if (rc)
			return rc;
	}
	if (c->n != count)
		return asm_error(c, ct, "instruction count %u does not match the %zu "
				 "instruction%s that follow", count, c->n, c->n == 1 ? "" : "s");
	return 0;
}

/* ---- entry point --------------------------------------------------------- */

static enum cbpf_syntax detect(const struct asm_ctx *c)
{
	const struct asm_tok *t = &c->toks[0];

	if (asm_is_punct(t, '('))
		return CBPF_SYNTAX_D;
	if (asm_is_punct(t, '{'))
		return CBPF_SYNTAX_DD;
	if (t->kind == ASM_TOK_NUMBER)
		return CBPF_SYNTAX_DDD;
	return CBPF_SYNTAX_ASM;
}

static int parse(struct asm_ctx *c)
{
	switch (c->syntax) {
	case CBPF_SYNTAX_D:
		return asm_parse_listing(c);
	case CBPF_SYNTAX_DD:
		return parse_dd(c);
	case CBPF_SYNTAX_DDD:
		return parse_ddd(c);
	default:
		return asm_parse_bpf_asm(c);
	}
}

static void diag_reset(struct cbpf_diag *diag, const char *msg)
{
	if (!diag)
		return;
	diag->insn = -1;
	diag->line = 0;
	diag->col = 0;
	diag->len = 0;
	snprintf(diag->msg, sizeof(diag->msg), "%s", msg);
}

static void ctx_free(struct asm_ctx *c)
{
	free(c->toks);
	free(c->insns);
	free(c->labels);
	free(c->lab_hash);
	free(c->fixups);
}

int cbpf_asm(const char *src, size_t len, enum cbpf_syntax syntax,
	     struct cbpf_insn **out, size_t *nout,
	     enum cbpf_syntax *detected, struct cbpf_diag *diag)
{
	struct asm_ctx c;
	int rc;

	diag_reset(diag, "");
	if (out)
		*out = NULL;
	if (nout)
		*nout = 0;
	if (!out || !nout || (!src && len) || (unsigned)syntax > CBPF_SYNTAX_DDD) {
		diag_reset(diag, "invalid arguments");
		return -EINVAL;
	}
	memset(&c, 0, sizeof(c));
	c.src = src ? src : "";
	c.len = len;
	c.diag = diag;
	c.cur_insn = -1;
	rc = asm_lex(&c);
	if (rc)
		goto out;
	c.syntax = syntax == CBPF_SYNTAX_AUTO ? detect(&c) : syntax;
	if (detected)
		*detected = c.syntax;
	rc = parse(&c);
	if (!rc && c.n == 0)
		rc = asm_error(&c, asm_peek(&c, 0), "no instructions");
	if (rc)
		goto out;
	*out = c.insns;
	*nout = c.n;
	c.insns = NULL;
out:
	if (rc == -ENOMEM)
		diag_reset(diag, "out of memory");
	ctx_free(&c);
	return rc;
}
