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
 * for the jset forms and loads of a field's high bytes, the branch goes the
 * same way and A is dead after it.  A narrower load ends where the wide
 * one did, or before: only packets too short for the wide load can change
 * verdict, which the conformance rule excuses.  Seccomp programs
 * (ir->word_loads) may only load whole words, so they keep theirs.
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

/* The widest byte-aligned field inside [0, width) bytes that holds every bit of m, by its shift. */
static bool window(uint32_t m, unsigned width, unsigned *shift, unsigned *bytes)
{
	unsigned lo = 0, hi = width * 8;

	if (!m || (width < 4 && m >> (width * 8)))
		return false;
	while (!(m & (0xffu << lo)))
		lo += 8;
	while (hi > lo + 8 && !(m >> (hi - 8) & 0xff))
		hi -= 8;
	*shift = lo;
	*bytes = (hi - lo) / 8;
	if (*bytes == 3)	/* no 3-byte load: take the half-word the mask is in, if one */
		return false;
	return *bytes < width;
}

/*
 * An absolute load whose value is masked at once, `ld [k]; and #m`, reads
 * only the bytes m covers: load just those.  When they are the field's low
 * bytes A gets the same value; when they are higher, A gets it shifted
 * right, which is fine when a branch of this block is the only reader and
 * its constant has no bits below the window (`ld [24]; and #0xff000000;
 * jeq #0xff000000` -> `ldb [24]; jeq #0xff`).  Returns 1 if rewritten.
 */
static int narrow_load(struct fg_block *b, size_t i, const uint32_t *live)
{
	struct fg_insn *ld = &b->insns[i], *and = &b->insns[i + 1];
	unsigned width = BPF_SIZE(ld->code) == BPF_W ? 4 : BPF_SIZE(ld->code) == BPF_H ? 2 : 1;
	unsigned shift, bytes;
	uint32_t full;

	if (BPF_CLASS(ld->code) != BPF_LD || BPF_MODE(ld->code) != BPF_ABS || ld->k >= 0x10000000u ||
	    and->code != (BPF_ALU | BPF_AND | BPF_K) || !window(and->k, width, &shift, &bytes))
		return 0;
	if (shift && (i + 2 != b->ninsns || b->term != FG_TERM_BRANCH ||
		      BPF_SRC(b->jcode) != BPF_K || (b->k & ((1u << shift) - 1)) ||
		      ((live[b->jt->id] | live[b->jf->id]) & OPT_A)))
		return 0;
	ld->code = (uint16_t)(BPF_LD | BPF_ABS | (bytes == 1 ? BPF_B : BPF_H));
	ld->k += width - bytes - shift / 8;
	and->k >>= shift;
	b->k >>= shift;
	full = bytes == 1 ? 0xffu : 0xffffu;
	if (and->k == full)
		opt_insn_delete(b, i + 1);
	return 1;
}

static int narrow_loads(struct fg_block *b, const uint32_t *live)
{
	size_t i;
	int n = 0;

	for (i = 0; i + 1 < b->ninsns; i++)
		n += narrow_load(b, i, live);
	return n;
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
		if (!ir->word_loads)
			changed += narrow_loads(order[i], live);
		changed += mask_to_jset(order[i], live);
	}
	return changed;
}
