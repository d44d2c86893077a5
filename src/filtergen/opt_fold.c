/*
 * opt_fold.c -- local simplification inside each block.
 *
 * ALU instructions with an immediate that change nothing (add #0, and
 * #0xffffffff, lsh #0, mul #1, ...) are deleted; two immediate ALU steps
 * of the same associative kind in a row become one (add #a; add #b ->
 * add #(a+b)); and a mask tested against zero, `and #m; jeq #0`, whose
 * masked value nobody reads afterwards, becomes `jset #m` with the
 * successors swapped (`jgt #0` and, for one bit, `jeq #m` keep them).
 * Constant operands are folded by opt_vn, which knows A's value across
 * blocks.
 * Keeps true: A holds the same value after every rewritten sequence, or,
 * for the jset forms, the branch goes the same way and A is dead.
 */
#include <errno.h>

#include "opt.h"

static bool alu_k(const struct fg_insn *in)
{
	return BPF_CLASS(in->code) == BPF_ALU && BPF_SRC(in->code) == BPF_K &&
	       BPF_OP(in->code) != BPF_NEG;
}

static bool is_identity(const struct fg_insn *in)
{
	if (!alu_k(in))
		return false;
	switch (BPF_OP(in->code)) {
	case BPF_ADD: case BPF_SUB: case BPF_OR: case BPF_XOR: case BPF_LSH: case BPF_RSH:
		return in->k == 0;
	case BPF_MUL: case BPF_DIV:
		return in->k == 1;
	case BPF_AND:
		return in->k == 0xffffffffu;
	default:
		return false;
	}
}

/* Combine b into a when both are immediate ALU steps of one associative kind; true if done. */
static bool combine(struct fg_insn *a, const struct fg_insn *b)
{
	if (!alu_k(a) || !alu_k(b) || a->code != b->code)
		return false;
	switch (BPF_OP(a->code)) {
	case BPF_ADD: a->k += b->k; return true;
	case BPF_SUB: a->k += b->k; return true;	/* x - a - b = x - (a + b) mod 2^32 */
	case BPF_MUL: a->k *= b->k; return true;
	case BPF_AND: a->k &= b->k; return true;
	case BPF_OR: a->k |= b->k; return true;
	case BPF_XOR: a->k ^= b->k; return true;
	case BPF_LSH: case BPF_RSH:
		if ((uint64_t)a->k + b->k >= 32)
			return false;
		a->k += b->k;
		return true;
	default:
		return false;
	}
}

static int fold_insns(struct fg_block *b)
{
	size_t i = 0;
	int n = 0;

	while (i < b->ninsns) {
		if (is_identity(&b->insns[i])) {
			opt_insn_delete(b, i);
			n++;
		} else if (i + 1 < b->ninsns && combine(&b->insns[i], &b->insns[i + 1])) {
			opt_insn_delete(b, i + 1);
			n++;
		} else {
			i++;
		}
	}
	return n;
}

/* `and #m` then a test of the masked value against 0 -> jset #m, when A is dead after. */
static int mask_to_jset(struct fg_block *b, const uint32_t *live)
{
	struct fg_insn *last;
	uint32_t m;

	if (b->term != FG_TERM_BRANCH || BPF_SRC(b->jcode) != BPF_K || !b->ninsns)
		return 0;
	last = &b->insns[b->ninsns - 1];
	if (last->code != (BPF_ALU | BPF_AND | BPF_K) || ((live[b->jt->id] | live[b->jf->id]) & OPT_A))
		return 0;
	m = last->k;
	if (BPF_OP(b->jcode) == BPF_JEQ && b->k == 0) {
		struct fg_block *t = b->jt;

		b->jt = b->jf;
		b->jf = t;
	} else if (!((BPF_OP(b->jcode) == BPF_JGT && b->k == 0) ||
		     (BPF_OP(b->jcode) == BPF_JEQ && b->k == m && m && !(m & (m - 1))))) {
		return 0;
	}
	b->jcode = BPF_JMP | BPF_JSET | BPF_K;
	b->k = m;
	b->ninsns--;
	return 1;
}

/* requires: a checked IR; keeps: every verdict, the checker's invariants; breaks: nothing */
int opt_fold(struct fg_ir *ir)
{
	struct fg_block **order;
	uint32_t *live;
	size_t n, i;
	int changed = 0, rc = fg_ir_rpo(ir, &order, &n);

	if (rc < 0)
		return rc;
	live = opt_live_in(ir, order, n);
	if (!live)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		changed += fold_insns(order[i]);
		changed += mask_to_jset(order[i], live);
	}
	return changed;
}
