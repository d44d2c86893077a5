/*
 * asm_operand.c -- the mnemonic table and the operand parser that bpf_asm
 * source and tcpdump -d listings share.
 *
 * An operand is parsed into one of a few kinds (#k, [k], [x + k], M[k],
 * 4*([k]&0xf), an ancillary name, x, a, ...) whatever the mnemonic; the
 * mnemonic's form list then says which kinds it takes and with which opcode.
 * So every spelling is accepted wherever its meaning makes sense, and an
 * operand a mnemonic does not take is an error that lists what it does take.
 * Encodings follow the kernel's tools/bpf/bpf_exp.y.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "asm_int.h"

#define F(kind, code) { ASM_OPND_##kind, (code) }
#define ALU(name, op) { name, ASM_SHAPE_OPERAND, 0, \
	{ F(IMM, BPF_ALU | (op) | BPF_K), F(X, BPF_ALU | (op) | BPF_X) }, false }

static const struct asm_mnem mnems[] = {
	{ "ld", ASM_SHAPE_OPERAND, 0, {
		F(IMM, BPF_LD | BPF_IMM), F(LEN, BPF_LD | BPF_W | BPF_LEN),
		F(ANC, BPF_LD | BPF_W | BPF_ABS), F(ABS, BPF_LD | BPF_W | BPF_ABS),
		F(IND, BPF_LD | BPF_W | BPF_IND), F(MEM, BPF_LD | BPF_MEM) }, false },
	{ "ldh", ASM_SHAPE_OPERAND, 0, {
		F(ABS, BPF_LD | BPF_H | BPF_ABS), F(IND, BPF_LD | BPF_H | BPF_IND),
		F(ANC, BPF_LD | BPF_H | BPF_ABS) }, false },
	{ "ldb", ASM_SHAPE_OPERAND, 0, {
		F(ABS, BPF_LD | BPF_B | BPF_ABS), F(IND, BPF_LD | BPF_B | BPF_IND),
		F(ANC, BPF_LD | BPF_B | BPF_ABS) }, false },
	{ "ldi", ASM_SHAPE_OPERAND, 0, {
		F(IMM, BPF_LD | BPF_IMM), F(NUM, BPF_LD | BPF_IMM) }, false },
	{ "ldx", ASM_SHAPE_OPERAND, 0, {
		F(IMM, BPF_LDX | BPF_IMM), F(LEN, BPF_LDX | BPF_W | BPF_LEN),
		F(MEM, BPF_LDX | BPF_MEM), F(MSH, BPF_LDX | BPF_B | BPF_MSH) }, false },
	{ "ldxi", ASM_SHAPE_OPERAND, 0, {
		F(IMM, BPF_LDX | BPF_IMM), F(NUM, BPF_LDX | BPF_IMM) }, false },
	{ "ldxb", ASM_SHAPE_OPERAND, 0, { F(MSH, BPF_LDX | BPF_B | BPF_MSH) }, false },
	{ "st", ASM_SHAPE_OPERAND, 0, { F(MEM, BPF_ST) }, false },
	{ "stx", ASM_SHAPE_OPERAND, 0, { F(MEM, BPF_STX) }, false },
	{ "jmp", ASM_SHAPE_JA, BPF_JMP | BPF_JA, { F(END, 0) }, false },
	{ "ja", ASM_SHAPE_JA, BPF_JMP | BPF_JA, { F(END, 0) }, false },
	{ "jeq", ASM_SHAPE_JCOND, BPF_JMP | BPF_JEQ, { F(END, 0) }, false },
	{ "jneq", ASM_SHAPE_JCOND_INV, BPF_JMP | BPF_JEQ, { F(END, 0) }, false },
	{ "jne", ASM_SHAPE_JCOND_INV, BPF_JMP | BPF_JEQ, { F(END, 0) }, false },
	{ "jlt", ASM_SHAPE_JCOND_INV, BPF_JMP | BPF_JGE, { F(END, 0) }, false },
	{ "jle", ASM_SHAPE_JCOND_INV, BPF_JMP | BPF_JGT, { F(END, 0) }, false },
	{ "jgt", ASM_SHAPE_JCOND, BPF_JMP | BPF_JGT, { F(END, 0) }, false },
	{ "jge", ASM_SHAPE_JCOND, BPF_JMP | BPF_JGE, { F(END, 0) }, false },
	{ "jset", ASM_SHAPE_JCOND, BPF_JMP | BPF_JSET, { F(END, 0) }, false },
	ALU("add", BPF_ADD), ALU("sub", BPF_SUB), ALU("mul", BPF_MUL),
	ALU("div", BPF_DIV), ALU("mod", BPF_MOD),
	{ "neg", ASM_SHAPE_NONE, BPF_ALU | BPF_NEG, { F(END, 0) }, false },
	ALU("and", BPF_AND), ALU("or", BPF_OR), ALU("xor", BPF_XOR),
	ALU("lsh", BPF_LSH), ALU("rsh", BPF_RSH),
	/* NONE only arises in listings, where libpcap prints RET|A as "ret". */
	{ "ret", ASM_SHAPE_OPERAND, 0, {
		F(IMM, BPF_RET | BPF_K), F(A, BPF_RET | BPF_A),
		F(X, BPF_RET | BPF_X), F(NONE, BPF_RET | BPF_A) }, false },
	{ "tax", ASM_SHAPE_NONE, BPF_MISC | BPF_TAX, { F(END, 0) }, false },
	{ "txa", ASM_SHAPE_NONE, BPF_MISC | BPF_TXA, { F(END, 0) }, false },
	{ "unimp", ASM_SHAPE_UNIMP, 0, { F(END, 0) }, true },
};

#define MNEM_COUNT (sizeof(mnems) / sizeof(mnems[0]))

/* How each operand kind is spelled in "expected ..." lists. */
static const char *const kind_names[ASM_OPND_KINDS] = {
	[ASM_OPND_IMM] = "#k", [ASM_OPND_LEN] = "len",
	[ASM_OPND_ANC] = "an ancillary name", [ASM_OPND_ABS] = "[k]",
	[ASM_OPND_IND] = "[x + k]", [ASM_OPND_MEM] = "M[k]",
	[ASM_OPND_MSH] = "4*([k]&0xf)", [ASM_OPND_X] = "x", [ASM_OPND_A] = "a",
	[ASM_OPND_NUM] = "k",
};

/*
 * Spellings beyond insn.c's bpf_asm names: the kernel lexer's alias, those
 * libpcap's bpf_image() prints, and netsniff-ng bpfc's short names.
 */
static const struct { const char *name; uint32_t off; } anc_aliases[] = {
	{ "vlan_pr", SKF_AD_VLAN_TAG_PRESENT },	/* bpf_exp.l */
	{ "vlanp", SKF_AD_VLAN_TAG_PRESENT },	/* libpcap, bpfc */
	{ "random", SKF_AD_RANDOM },		/* libpcap */
	{ "xor_x", SKF_AD_ALU_XOR_X },		/* libpcap */
	{ "pto", SKF_AD_PROTOCOL },		/* bpfc from here on */
	{ "ifx", SKF_AD_IFINDEX },
	{ "que", SKF_AD_QUEUE },
	{ "q", SKF_AD_QUEUE },
	{ "hat", SKF_AD_HATYPE },
	{ "rxh", SKF_AD_RXHASH },
	{ "vlant", SKF_AD_VLAN_TAG },
	{ "vlana", SKF_AD_VLAN_TAG_PRESENT },
	{ "vlan_acc", SKF_AD_VLAN_TAG_PRESENT },
};

/* ---- names and suggestions ----------------------------------------------- */

/* Levenshtein distance (strings of up to 31 bytes; longer ones are "far"). */
static unsigned edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned row[32], i, j;

	if (alen > 31 || blen > 31)
		return 99;
	for (j = 0; j <= blen; j++)
		row[j] = j;
	for (i = 1; i <= alen; i++) {
		unsigned diag = row[0], best;

		row[0] = i;
		for (j = 1; j <= blen; j++) {
			unsigned up = row[j];

			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[blen];
}

/* Lower-case t into buf; false when it does not fit. */
static bool lower_word(const struct asm_ctx *c, const struct asm_tok *t,
		       char *buf, size_t size)
{
	size_t i;

	if (t->len >= size)
		return false;
	for (i = 0; i < t->len; i++) {
		char ch = c->src[t->off + i];

		buf[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	buf[t->len] = '\0';
	return true;
}

struct suggestion {
	const char *word;
	size_t len;
	const char *best;
	unsigned dist;
};

/* Keep cand if it is closer (ties: same length as the word, then first seen). */
static void consider(struct suggestion *s, const char *cand)
{
	size_t clen = strlen(cand);
	unsigned d = edit_distance(s->word, s->len, cand, clen);
	unsigned limit = s->len <= 3 ? 1 : 2;

	if (d == 0 || d > limit || d >= s->len)
		return;
	if (!s->best || d < s->dist ||
	    (d == s->dist && clen == s->len && strlen(s->best) != s->len)) {
		s->best = cand;
		s->dist = d;
	}
}

const struct asm_mnem *asm_mnem_find(const struct asm_ctx *c, const struct asm_tok *t)
{
	size_t i;

	for (i = 0; i < MNEM_COUNT; i++) {
		if (mnems[i].listing_only && c->syntax != CBPF_SYNTAX_D)
			continue;
		if (asm_is_word(c, t, mnems[i].name))
			return &mnems[i];
	}
	return NULL;
}

int asm_unknown_mnem(struct asm_ctx *c, const struct asm_tok *t)
{
	char word[32], buf[48];
	struct suggestion s = { word, 0, NULL, 0 };
	size_t i;

	if (t->kind != ASM_TOK_IDENT)
		return asm_error(c, t, "expected a mnemonic%s, got %s",
				 c->syntax == CBPF_SYNTAX_D ? "" : " or a label",
				 asm_tok_desc(c, t, buf, sizeof(buf)));
	if (lower_word(c, t, word, sizeof(word))) {
		s.len = t->len;
		for (i = 0; i < MNEM_COUNT; i++)
			if (!mnems[i].listing_only || c->syntax == CBPF_SYNTAX_D)
				consider(&s, mnems[i].name);
	}
	if (s.best)
		return asm_error(c, t, "unknown mnemonic %s, did you mean '%s'?",
				 asm_tok_desc(c, t, buf, sizeof(buf)), s.best);
	return asm_error(c, t, "unknown mnemonic %s",
			 asm_tok_desc(c, t, buf, sizeof(buf)));
}

/* SKF_AD_OFF + n for an ancillary name (any case, any known spelling), or -1. */
static int64_t anc_lookup(const struct asm_ctx *c, const struct asm_tok *t)
{
	char word[32];
	size_t i;

	if (!lower_word(c, t, word, sizeof(word)))
		return -1;
	for (i = 0; i < sizeof(anc_aliases) / sizeof(anc_aliases[0]); i++)
		if (strcmp(word, anc_aliases[i].name) == 0)
			return CBPF_ANC_K(anc_aliases[i].off);
	return cbpf_anc_by_name(word, t->len);
}

static bool is_len_word(const struct asm_ctx *c, const struct asm_tok *t)
{
	return asm_is_word(c, t, "len") || asm_is_word(c, t, "pktlen");
}

/* "unknown operand 'protoo'" (after '#': "unknown ancillary load '#protoo'"). */
static int unknown_anc(struct asm_ctx *c, const struct asm_tok *t, bool hash)
{
	char word[32];
	struct suggestion s = { word, 0, NULL, 0 };
	const char *what = hash ? "ancillary load" : "operand", *h = hash ? "#" : "";
	int len = t->len > 32 ? 32 : (int)t->len;
	struct asm_tok span = *t;
	uint32_t off;

	if (lower_word(c, t, word, sizeof(word))) {
		s.len = t->len;
		consider(&s, "len");
		for (off = 0; off < SKF_AD_MAX; off += 4) {
			const char *name = cbpf_anc_name(CBPF_ANC_K(off));

			if (name)
				consider(&s, name);
		}
	}
	if (hash && t > c->toks && t[-1].line == t->line) {
		span = t[-1];
		span.len = t->off + t->len - span.off;
	}
	if (s.best)
		return asm_error(c, &span, "unknown %s '%s%.*s', did you mean '%s%s'?",
				 what, h, len, c->src + t->off, h, s.best);
	return asm_error(c, &span, "unknown %s '%s%.*s'", what, h, len, c->src + t->off);
}

/* ---- operands ------------------------------------------------------------ */

int asm_expect(struct asm_ctx *c, char ch, const char *after)
{
	const struct asm_tok *t = asm_peek(c, 0);
	char buf[48];

	if (asm_is_punct(t, ch)) {
		asm_next(c);
		return 0;
	}
	if (asm_on_new_line(c, t))
		return asm_error_after(c, "expected '%c' after %s", ch, after);
	return asm_error(c, t, "expected '%c' after %s, got %s", ch, after,
			 asm_tok_desc(c, t, buf, sizeof(buf)));
}

int asm_parse_k(struct asm_ctx *c, uint32_t *k)
{
	const struct asm_tok *t = asm_peek(c, 0);
	bool neg = false;
	uint32_t v;
	int rc;

	if (asm_is_punct(t, '-') || asm_is_punct(t, '+')) {
		neg = t->punct == '-';
		asm_next(c);
	}
	t = asm_peek(c, 0);
	if (t->kind != ASM_TOK_NUMBER) {
		char buf[48];

		if (asm_on_new_line(c, t))
			return asm_error_after(c, "expected a number");
		return asm_error(c, t, "expected a number, got %s",
				 asm_tok_desc(c, t, buf, sizeof(buf)));
	}
	rc = asm_tok_number(c, t, false, &v);
	if (rc)
		return rc;
	asm_next(c);
	if (neg && v > 0x80000000u)
		return asm_error(c, t, "number -%u is below -2147483648", v);
	*k = neg ? (uint32_t)(0u - v) : v;
	return 0;
}

/* hash: '#' (k | 'len' | 'pktlen' | ancillary) -- after the '#' */
static int parse_hash(struct asm_ctx *c, struct asm_opnd *op)
{
	const struct asm_tok *t = asm_peek(c, 0);
	int64_t anc;

	if (t->kind != ASM_TOK_IDENT) {
		op->kind = ASM_OPND_IMM;
		return asm_parse_k(c, &op->k);
	}
	asm_next(c);
	if (is_len_word(c, t)) {
		op->kind = ASM_OPND_LEN;
		return 0;
	}
	anc = anc_lookup(c, t);
	if (anc < 0)
		return unknown_anc(c, t, true);
	op->kind = ASM_OPND_ANC;
	op->k = (uint32_t)anc;
	return 0;
}

/* reg: '%' ('x' | 'a') -- after the '%' */
static int parse_reg(struct asm_ctx *c, struct asm_opnd *op)
{
	const struct asm_tok *t = asm_peek(c, 0);
	char buf[48];

	if (asm_is_word(c, t, "x") || asm_is_word(c, t, "a")) {
		asm_next(c);
		op->kind = asm_is_word(c, t, "x") ? ASM_OPND_X : ASM_OPND_A;
		return 0;
	}
	return asm_error(c, t, "expected 'x' or 'a' after '%%', got %s",
			 asm_tok_desc(c, t, buf, sizeof(buf)));
}

/* bracket: '[' (k | ancillary | ['%'] 'x' '+' k) ']' -- after the '[' */
static int parse_bracket(struct asm_ctx *c, struct asm_opnd *op)
{
	const struct asm_tok *t = asm_peek(c, 0);
	bool pct = asm_is_punct(t, '%');
	char buf[48];
	int rc;

	if (pct) {
		asm_next(c);
		t = asm_peek(c, 0);
		if (!asm_is_word(c, t, "x"))
			return asm_error(c, t, "expected 'x' after '[%%', got %s",
					 asm_tok_desc(c, t, buf, sizeof(buf)));
	}
	if (asm_is_word(c, t, "x")) {
		asm_next(c);
		op->kind = ASM_OPND_IND;
		rc = asm_expect(c, '+', "'[x'");
		rc = rc ? rc : asm_parse_k(c, &op->k);
		return rc ? rc : asm_expect(c, ']', "'[x + k'");
	}
	if (t->kind == ASM_TOK_IDENT) {
		int64_t anc = anc_lookup(c, t);

		if (anc < 0)
			return unknown_anc(c, t, false);
		asm_next(c);
		op->kind = ASM_OPND_ANC;
		op->k = (uint32_t)anc;
		return asm_expect(c, ']', "the ancillary name");
	}
	op->kind = ASM_OPND_ABS;
	rc = asm_parse_k(c, &op->k);
	return rc ? rc : asm_expect(c, ']', "the offset");
}

/* Expect a number token of value want (the fixed parts of 4*([k]&0xf)). */
static int msh_constant(struct asm_ctx *c, uint32_t want)
{
	const struct asm_tok *t = asm_peek(c, 0);
	uint32_t v;
	int rc = asm_tok_number(c, t, false, &v);

	if (rc)
		return rc;
	if (v != want)
		return asm_error(c, t, "only 4*([k]&0xf) is supported");
	asm_next(c);
	return 0;
}

/* msh: '4' '*' '(' '[' k ']' '&' '0xf' ')' */
static int parse_msh(struct asm_ctx *c, struct asm_opnd *op)
{
	int rc = msh_constant(c, 4);

	rc = rc ? rc : asm_expect(c, '*', "'4'");
	rc = rc ? rc : asm_expect(c, '(', "'4*'");
	rc = rc ? rc : asm_expect(c, '[', "'4*('");
	rc = rc ? rc : asm_parse_k(c, &op->k);
	rc = rc ? rc : asm_expect(c, ']', "the offset");
	rc = rc ? rc : asm_expect(c, '&', "'4*([k]'");
	rc = rc ? rc : msh_constant(c, 0xf);
	rc = rc ? rc : asm_expect(c, ')', "'4*([k]&0xf'");
	op->kind = ASM_OPND_MSH;
	return rc;
}

/* word: 'x' | 'a' | 'M' '[' k ']' | 'len' | 'pktlen' | ancillary */
static int parse_word(struct asm_ctx *c, struct asm_opnd *op)
{
	const struct asm_tok *t = asm_next(c);
	int64_t anc;

	if (asm_is_word(c, t, "x") || asm_is_word(c, t, "a")) {
		op->kind = asm_is_word(c, t, "x") ? ASM_OPND_X : ASM_OPND_A;
		return 0;
	}
	if (asm_is_word(c, t, "m") && asm_is_punct(asm_peek(c, 0), '[')) {
		int rc;

		asm_next(c);
		op->kind = ASM_OPND_MEM;
		rc = asm_parse_k(c, &op->k);
		return rc ? rc : asm_expect(c, ']', "the scratch index");
	}
	if (is_len_word(c, t)) {
		op->kind = ASM_OPND_LEN;
		return 0;
	}
	anc = anc_lookup(c, t);
	if (anc < 0)
		return unknown_anc(c, t, false);
	op->kind = ASM_OPND_ANC;
	op->k = (uint32_t)anc;
	return 0;
}

/*
 * operand: '#' (k | 'len' | ancillary) | '%' ('x' | 'a') | '[' bracket
 *        | 'x' | 'a' | 'M' '[' k ']' | 'len' | ancillary | 4*([k]&0xf) | k
 */
static int parse_opnd(struct asm_ctx *c, struct asm_opnd *op)
{
	const struct asm_tok *t = asm_peek(c, 0), *next = asm_peek(c, 1);
	char buf[48];

	if (asm_is_punct(t, '#') || asm_is_punct(t, '%') || asm_is_punct(t, '[')) {
		asm_next(c);
		if (t->punct == '#')
			return parse_hash(c, op);
		return t->punct == '%' ? parse_reg(c, op) : parse_bracket(c, op);
	}
	if (t->kind == ASM_TOK_IDENT)
		return parse_word(c, op);
	if (t->kind == ASM_TOK_NUMBER && asm_is_punct(next, '*'))
		return parse_msh(c, op);
	if (t->kind == ASM_TOK_NUMBER || asm_is_punct(t, '-') || asm_is_punct(t, '+')) {
		op->kind = ASM_OPND_NUM;
		return asm_parse_k(c, &op->k);
	}
	return asm_error(c, t, "expected an operand, got %s",
			 asm_tok_desc(c, t, buf, sizeof(buf)));
}

/* "#k, [k] or M[k]" from a form list (NONE left out). */
static void expected_list(const struct asm_form *forms, char *buf, size_t size)
{
	size_t i, n = 0, used = 0;

	for (i = 0; i < ASM_MAX_FORMS && forms[i].kind != ASM_OPND_END; i++)
		if (forms[i].kind != ASM_OPND_NONE)
			n++;
	buf[0] = '\0';
	for (i = 0; i < ASM_MAX_FORMS && forms[i].kind != ASM_OPND_END; i++) {
		const char *sep = used == 0 ? "" : used + 1 == n ? " or " : ", ";

		if (forms[i].kind == ASM_OPND_NONE)
			continue;
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", sep,
			 kind_names[forms[i].kind]);
		used++;
	}
}

/* Error spanning the operand from first to the token consumed last. */
static int operand_error(struct asm_ctx *c, const struct asm_opnd *op,
			 const struct asm_mnem *m)
{
	const struct asm_tok *last = asm_prev(c);
	struct asm_tok span = *op->first;
	char list[160];

	if (last && last->line == span.line && last->off >= span.off)
		span.len = last->off + last->len - span.off;
	expected_list(m->forms, list, sizeof(list));
	return asm_error(c, &span, "'%s' does not take %s; expected %s", m->name,
			 kind_names[op->kind], list);
}

/* True when t, on a line of its own, starts the next statement. */
static bool starts_statement(const struct asm_ctx *c, const struct asm_tok *t)
{
	if (c->syntax == CBPF_SYNTAX_D || t->kind == ASM_TOK_EOF)
		return true;
	if (t->kind != ASM_TOK_IDENT)
		return false;
	return asm_mnem_find(c, t) || asm_is_punct(asm_peek(c, 1), ':');
}

int asm_parse_operand(struct asm_ctx *c, const struct asm_mnem *m,
		      struct asm_opnd *op, uint16_t *code)
{
	const struct asm_tok *t = asm_peek(c, 0);
	char list[160];
	size_t i;
	int rc;

	op->first = t;
	op->k = 0;
	op->kind = ASM_OPND_NONE;
	if (!asm_on_new_line(c, t) || !starts_statement(c, t)) {
		rc = parse_opnd(c, op);
		if (rc)
			return rc;
	}
	for (i = 0; i < ASM_MAX_FORMS && m->forms[i].kind != ASM_OPND_END; i++) {
		if (op->kind == ASM_OPND_NONE && c->syntax != CBPF_SYNTAX_D)
			break;	/* only listings leave operands out */
		if (m->forms[i].kind == op->kind) {
			*code = m->forms[i].code;
			return 0;
		}
	}
	if (op->kind != ASM_OPND_NONE)
		return operand_error(c, op, m);
	expected_list(m->forms, list, sizeof(list));
	return asm_error_after(c, "missing operand for '%s': expected %s", m->name, list);
}

int asm_parse_jcond_src(struct asm_ctx *c, const struct asm_mnem *m,
			uint16_t *code, uint32_t *k)
{
	static const struct asm_mnem jcond = { "", ASM_SHAPE_OPERAND, 0, {
		F(IMM, BPF_K), F(X, BPF_X) }, false };
	struct asm_mnem named = jcond;
	struct asm_opnd op;
	uint16_t src;
	int rc;

	named.name = m->name;
	rc = asm_parse_operand(c, &named, &op, &src);
	if (rc)
		return rc;
	*code = (uint16_t)(m->code | src);
	*k = op.k;
	return 0;
}
