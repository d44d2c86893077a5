/*
 * asm_parse.c -- the bpf_asm syntax: the kernel's tools/bpf/bpf_asm and
 * netsniff-ng's bpfc.
 *
 * Like the reference grammar (bpf_exp.y) the source is free-form: a
 * statement is an optional "label:" and an instruction, and line breaks
 * matter only for diagnostics.  Jumps name labels; a label is resolved once
 * the whole source is read, and must lie ahead of the jump (cBPF jumps only
 * go forward) within 255 instructions for jt/jf.  jneq/jne, jlt and jle are
 * jeq, jge and jgt with the targets swapped: their one target is jf.
 * Keeps true: a label names exactly one instruction; every fixup is either
 * resolved or reported.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "asm_int.h"

/* ---- label table: open addressing over the label array ------------------- */

static size_t hash_name(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return (size_t)h;
}

/* The slot holding name, or the empty slot where it would go. */
static size_t *hash_slot(const struct asm_ctx *c, const char *name, size_t len)
{
	size_t mask = c->hashcap - 1, i = hash_name(name, len) & mask;

	for (;; i = (i + 1) & mask) {
		size_t *slot = &c->lab_hash[i];
		const struct asm_label *l;

		if (*slot == 0)
			return slot;
		l = &c->labels[*slot - 1];
		if (l->len == len && memcmp(c->src + l->off, name, len) == 0)
			return slot;
	}
}

/* Keep the table at most half full. */
static int hash_grow(struct asm_ctx *c)
{
	size_t cap = c->hashcap ? c->hashcap * 2 : 64, i;
	size_t *old = c->lab_hash;

	if (c->nlabels * 2 < c->hashcap)
		return 0;
	c->lab_hash = calloc(cap, sizeof(*c->lab_hash));
	if (!c->lab_hash) {
		c->lab_hash = old;
		return -ENOMEM;
	}
	c->hashcap = cap;
	for (i = 0; i < c->nlabels; i++)
		*hash_slot(c, c->src + c->labels[i].off, c->labels[i].len) = i + 1;
	free(old);
	return 0;
}

static const struct asm_label *label_find(const struct asm_ctx *c,
					  const struct asm_tok *t)
{
	size_t *slot;

	if (!c->hashcap)
		return NULL;
	slot = hash_slot(c, c->src + t->off, t->len);
	return *slot ? &c->labels[*slot - 1] : NULL;
}

static int label_add(struct asm_ctx *c, const struct asm_tok *t)
{
	struct asm_label *l;

	if (hash_grow(c))
		return -ENOMEM;
	if (c->nlabels == c->labcap) {
		size_t cap = c->labcap ? c->labcap * 2 : 32;

		l = realloc(c->labels, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		c->labels = l;
		c->labcap = cap;
	}
	l = &c->labels[c->nlabels++];
	l->off = t->off;
	l->len = t->len;
	l->insn = c->n;
	l->tok = (size_t)(t - c->toks);
	*hash_slot(c, c->src + t->off, t->len) = c->nlabels;
	return 0;
}

/* ---- statements ---------------------------------------------------------- */

/* label ':' */
static int define_label(struct asm_ctx *c)
{
	const struct asm_tok *t = asm_next(c);
	const struct asm_label *old = label_find(c, t);
	int len = t->len > 40 ? 40 : (int)t->len;

	asm_next(c);	/* ':' */
	if (old)
		return asm_error(c, t, "label '%.*s' is already defined on line %u",
				 len, c->src + t->off, c->toks[old->tok].line);
	return label_add(c, t);
}

static int add_fixup(struct asm_ctx *c, const struct asm_tok *t, enum asm_field field)
{
	if (c->nfixups == c->fixcap) {
		size_t cap = c->fixcap ? c->fixcap * 2 : 64;
		struct asm_fixup *f = realloc(c->fixups, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		c->fixups = f;
		c->fixcap = cap;
	}
	c->fixups[c->nfixups].insn = c->n;
	c->fixups[c->nfixups].tok = (size_t)(t - c->toks);
	c->fixups[c->nfixups].field = field;
	c->nfixups++;
	return 0;
}

/* A jump target: a label, resolved later into field. */
static int parse_target(struct asm_ctx *c, enum asm_field field)
{
	const struct asm_tok *t = asm_peek(c, 0);
	char buf[48];

	if (t->kind == ASM_TOK_IDENT) {
		asm_next(c);
		return add_fixup(c, t, field);
	}
	if (asm_on_new_line(c, t))
		return asm_error_after(c, "expected a label as jump target");
	if (t->kind == ASM_TOK_NUMBER)
		return asm_error(c, t, "expected a label as jump target, got %s "
				 "(bpf_asm jumps name labels)",
				 asm_tok_desc(c, t, buf, sizeof(buf)));
	return asm_error(c, t, "expected a label as jump target, got %s",
			 asm_tok_desc(c, t, buf, sizeof(buf)));
}

/*
 * jcond: #k|x ',' target [',' target]
 * With one target the other falls through to the next instruction.
 */
static int parse_jcond(struct asm_ctx *c, const struct asm_mnem *m,
		       const struct asm_tok *mt, int *ntargets)
{
	bool inv = m->shape == ASM_SHAPE_JCOND_INV;
	uint16_t code;
	uint32_t k;
	int rc;

	rc = asm_parse_jcond_src(c, m, &code, &k);
	rc = rc ? rc : asm_expect(c, ',', "the compared value");
	rc = rc ? rc : parse_target(c, inv ? ASM_FIELD_JF : ASM_FIELD_JT);
	if (rc)
		return rc;
	*ntargets = 1;
	if (asm_is_punct(asm_peek(c, 0), ',')) {
		asm_next(c);
		rc = parse_target(c, inv ? ASM_FIELD_JT : ASM_FIELD_JF);
		*ntargets = 2;
	}
	return rc ? rc : asm_emit(c, mt, code, 0, 0, k);
}

/* Whatever follows an instruction on its line must start the next one. */
static int end_of_statement(struct asm_ctx *c, const struct asm_mnem *m, int ntargets)
{
	const struct asm_tok *t = asm_peek(c, 0);
	char buf[48];

	if (asm_on_new_line(c, t))
		return 0;
	if (t->kind == ASM_TOK_IDENT &&
	    (asm_mnem_find(c, t) || asm_is_punct(asm_peek(c, 1), ':')))
		return 0;
	if (ntargets == 1 && t->kind == ASM_TOK_IDENT)
		return asm_error(c, t, "expected ',' after jump target, got %s",
				 asm_tok_desc(c, t, buf, sizeof(buf)));
	return asm_error(c, t, "unexpected %s after the '%s' instruction",
			 asm_tok_desc(c, t, buf, sizeof(buf)), m->name);
}

/* instr: mnemonic operands */
static int parse_instr(struct asm_ctx *c)
{
	const struct asm_tok *mt = asm_peek(c, 0);
	const struct asm_mnem *m = asm_mnem_find(c, mt);
	struct asm_opnd op;
	uint16_t code;
	int rc, ntargets = 0;

	c->cur_insn = (int)c->n;
	if (!m)
		return asm_unknown_mnem(c, mt);
	asm_next(c);
	switch (m->shape) {
	case ASM_SHAPE_OPERAND:
		rc = asm_parse_operand(c, m, &op, &code);
		rc = rc ? rc : asm_emit(c, mt, code, 0, 0, op.k);
		break;
	case ASM_SHAPE_JA:
		rc = parse_target(c, ASM_FIELD_K);
		rc = rc ? rc : asm_emit(c, mt, m->code, 0, 0, 0);
		break;
	case ASM_SHAPE_JCOND:
	case ASM_SHAPE_JCOND_INV:
		rc = parse_jcond(c, m, mt, &ntargets);
		break;
	default:
		rc = asm_emit(c, mt, m->code, 0, 0, 0);
		break;
	}
	rc = rc ? rc : end_of_statement(c, m, ntargets);
	c->cur_insn = -1;
	return rc;
}

/* ---- label resolution ---------------------------------------------------- */

static int resolve(struct asm_ctx *c, const struct asm_fixup *f)
{
	const struct asm_tok *t = &c->toks[f->tok];
	const struct asm_label *l = label_find(c, t);
	int len = t->len > 40 ? 40 : (int)t->len;
	struct cbpf_insn *in = &c->insns[f->insn];
	long off;

	c->cur_insn = (int)f->insn;
	if (!l)
		return asm_error(c, t, "label '%.*s' is not defined", len, c->src + t->off);
	off = (long)l->insn - (long)f->insn - 1;
	if (off < 0)
		return asm_error(c, t, "backward jump to '%.*s' (cBPF jumps go forward only)",
				 len, c->src + t->off);
	if (f->field != ASM_FIELD_K && off > 255)
		return asm_error(c, t, "jump offset %ld exceeds 255 (jt and jf are 8 bits; "
				 "'ja' reaches further)", off);
	if (f->field == ASM_FIELD_JT)
		in->jt = (uint8_t)off;
	else if (f->field == ASM_FIELD_JF)
		in->jf = (uint8_t)off;
	else
		in->k = (uint32_t)off;
	return 0;
}

/* program: { label ':' | instr } -- then every label reference resolved. */
int asm_parse_bpf_asm(struct asm_ctx *c)
{
	size_t i;
	int rc;

	while (asm_peek(c, 0)->kind != ASM_TOK_EOF) {
		const struct asm_tok *t = asm_peek(c, 0);

		if (t->kind == ASM_TOK_IDENT && asm_is_punct(asm_peek(c, 1), ':'))
			rc = define_label(c);
		else
			rc = parse_instr(c);
		if (rc)
			return rc;
	}
	if (c->nlabels && c->labels[c->nlabels - 1].insn == c->n) {
		const struct asm_tok *t = &c->toks[c->labels[c->nlabels - 1].tok];

		return asm_error(c, t, "label '%.*s' is not followed by an instruction",
				 t->len > 40 ? 40 : (int)t->len, c->src + t->off);
	}
	for (i = 0, rc = 0; i < c->nfixups && !rc; i++)
		rc = resolve(c, &c->fixups[i]);
	c->cur_insn = -1;
	return rc;
}
