/*
 * asm_listing.c -- read a tcpdump -d listing back (libpcap's bpf_image()).
 *
 * One instruction per line: "(NNN) mnemonic operand [jt N jf N]", numbered
 * consecutively from 0.  Jump targets are absolute line numbers and become
 * the relative offsets of the encoding; they must lie ahead of the jump.
 * Operands use the shared parser, so libpcap's spellings (#pktlen,
 * [x + -4096], [vlan_tci], bare "ret" for RET|A) and bpf_asm's both read.
 * "unimp 0xNN", which libpcap prints for opcodes it does not know, reads
 * back as that opcode with k = 0: the listing does not show k.
 */
#include <errno.h>

#include "asm_int.h"

/* '(' NNN ')' with NNN the index of the instruction that follows. */
static int line_number(struct asm_ctx *c)
{
	const struct asm_tok *t = asm_peek(c, 0);
	uint32_t v;
	char buf[48];
	int rc;

	if (!asm_is_punct(t, '('))
		return asm_error(c, t, "expected a '(NNN)' line number, got %s",
				 asm_tok_desc(c, t, buf, sizeof(buf)));
	asm_next(c);
	t = asm_peek(c, 0);
	rc = asm_tok_number(c, t, true, &v);
	if (rc)
		return rc;
	if (v != c->n)
		return asm_error(c, t, "line number %u is out of sequence, expected %zu "
				 "(lines are numbered from 0 consecutively)", v, c->n);
	asm_next(c);
	return asm_expect(c, ')', "the line number");
}

/* An absolute target line, as an offset from the instruction after pc. */
static int abs_target(struct asm_ctx *c, uint32_t max, uint32_t *rel)
{
	const struct asm_tok *t = asm_peek(c, 0);
	uint32_t v;
	int rc;

	if (t->kind != ASM_TOK_NUMBER && asm_on_new_line(c, t))
		return asm_error_after(c, "expected a target line number");
	rc = asm_tok_number(c, t, true, &v);
	if (rc)
		return rc;
	if (v <= c->n)
		return asm_error(c, t, "backward jump to line %u (cBPF jumps go forward only)", v);
	if (v - c->n - 1 > max)
		return asm_error(c, t, "jump offset %u exceeds 255 (jt and jf are 8 bits)",
				 v - (uint32_t)c->n - 1);
	asm_next(c);
	*rel = v - (uint32_t)c->n - 1;
	return 0;
}

/* word N, for "jt N" and "jf N". */
static int branch(struct asm_ctx *c, const char *word, const char *after, uint32_t *rel)
{
	const struct asm_tok *t = asm_peek(c, 0);
	char buf[48];

	if (!asm_is_word(c, t, word)) {
		if (asm_on_new_line(c, t))
			return asm_error_after(c, "expected '%s' after %s", word, after);
		return asm_error(c, t, "expected '%s' after %s, got %s", word, after,
				 asm_tok_desc(c, t, buf, sizeof(buf)));
	}
	asm_next(c);
	return abs_target(c, 255, rel);
}

/* "jt N jf N"; swapped for jneq/jlt/jle, which test the inverse. */
static int branches(struct asm_ctx *c, bool inv, uint8_t *jt, uint8_t *jf)
{
	uint32_t t = 0, f = 0;
	int rc = branch(c, "jt", "the compared value", &t);

	rc = rc ? rc : branch(c, "jf", "the jt target", &f);
	*jt = (uint8_t)(inv ? f : t);
	*jf = (uint8_t)(inv ? t : f);
	return rc;
}

/* unimp CODE [jt N jf N] */
static int parse_unimp(struct asm_ctx *c, const struct asm_tok *mt)
{
	const struct asm_tok *t = asm_peek(c, 0);
	uint8_t jt = 0, jf = 0;
	uint32_t code;
	int rc = asm_tok_number(c, t, false, &code);

	if (rc)
		return rc;
	if (code > 0xffff)
		return asm_error(c, t, "opcode %#x does not fit in 16 bits", code);
	asm_next(c);
	if (!asm_on_new_line(c, asm_peek(c, 0)) && asm_is_word(c, asm_peek(c, 0), "jt"))
		rc = branches(c, false, &jt, &jf);
	return rc ? rc : asm_emit(c, mt, (uint16_t)code, jt, jf, 0);
}

static int parse_body(struct asm_ctx *c, const struct asm_mnem *m,
		      const struct asm_tok *mt)
{
	struct asm_opnd op;
	uint8_t jt = 0, jf = 0;
	uint16_t code;
	uint32_t k = 0;
	int rc;

	switch (m->shape) {
	case ASM_SHAPE_OPERAND:
		rc = asm_parse_operand(c, m, &op, &code);
		return rc ? rc : asm_emit(c, mt, code, 0, 0, op.k);
	case ASM_SHAPE_JA:
		rc = abs_target(c, UINT32_MAX, &k);
		return rc ? rc : asm_emit(c, mt, m->code, 0, 0, k);
	case ASM_SHAPE_JCOND:
	case ASM_SHAPE_JCOND_INV:
		rc = asm_parse_jcond_src(c, m, &code, &k);
		rc = rc ? rc : branches(c, m->shape == ASM_SHAPE_JCOND_INV, &jt, &jf);
		return rc ? rc : asm_emit(c, mt, code, jt, jf, k);
	case ASM_SHAPE_UNIMP:
		return parse_unimp(c, mt);
	default:
		return asm_emit(c, mt, m->code, 0, 0, 0);
	}
}

/* line: '(' NNN ')' mnemonic operands, alone on its line */
static int parse_line(struct asm_ctx *c)
{
	const struct asm_tok *mt, *t;
	const struct asm_mnem *m;
	char buf[48];
	int rc;

	c->cur_insn = (int)c->n;
	rc = line_number(c);
	if (rc)
		return rc;
	mt = asm_peek(c, 0);
	m = asm_mnem_find(c, mt);
	if (!m)
		return asm_unknown_mnem(c, mt);
	asm_next(c);
	rc = parse_body(c, m, mt);
	if (rc)
		return rc;
	t = asm_peek(c, 0);
	if (!asm_on_new_line(c, t))
		return asm_error(c, t, "unexpected %s at the end of the '%s' line",
				 asm_tok_desc(c, t, buf, sizeof(buf)), m->name);
	c->cur_insn = -1;
	return 0;
}

int asm_parse_listing(struct asm_ctx *c)
{
	while (asm_peek(c, 0)->kind != ASM_TOK_EOF) {
		int rc = parse_line(c);

		if (rc)
			return rc;
	}
	return 0;
}
