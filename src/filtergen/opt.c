/*
 * opt.c -- the optimizer's pass manager and the analyses its passes share.
 *
 * fg_optimize() runs value numbering (opt_vn), folding (opt_fold), equality
 * chains to intervals (opt_range) and dead code removal (opt_dce) in turn until a round changes nothing, at most
 * OPT_MAX_ROUNDS rounds: each pass only ever shrinks the program or leaves
 * it as it was, so the bound is a safety net, not a tuning knob.  The IR
 * checker runs after every pass (unless NDEBUG), so a pass that breaks an
 * invariant is caught at the pass, not at emission.
 * Keeps true: every pass preserves each packet's verdict, except where the
 * original program stopped at a load past the captured bytes.
 */
#include <errno.h>
#include <string.h>

#include "opt.h"

#define OPT_MAX_ROUNDS 16

void opt_use_def(const struct fg_insn *in, uint32_t *use, uint32_t *def)
{
	uint32_t m = OPT_M(in->k);

	*use = *def = 0;
	switch (BPF_CLASS(in->code)) {
	case BPF_LD:
	case BPF_LDX:
		*def = BPF_CLASS(in->code) == BPF_LD ? OPT_A : OPT_X;
		if (BPF_MODE(in->code) == BPF_IND)
			*use = OPT_X;
		else if (BPF_MODE(in->code) == BPF_MEM)
			*use = m;
		break;
	case BPF_ST:
		*use = OPT_A;
		*def = m;
		break;
	case BPF_STX:
		*use = OPT_X;
		*def = m;
		break;
	case BPF_ALU:
		*use = OPT_A | (BPF_OP(in->code) != BPF_NEG && BPF_SRC(in->code) == BPF_X ? OPT_X : 0);
		*def = OPT_A;
		break;
	case BPF_MISC:
		*use = BPF_MISCOP(in->code) == BPF_TAX ? OPT_A : OPT_X;
		*def = BPF_MISCOP(in->code) == BPF_TAX ? OPT_X : OPT_A;
		break;
	default:
		break;
	}
}

uint32_t opt_term_use(const struct fg_block *b)
{
	switch (b->term) {
	case FG_TERM_BRANCH:
		return OPT_A | (BPF_SRC(b->jcode) == BPF_X ? OPT_X : 0);
	case FG_TERM_RET:
		return b->jcode == (BPF_RET | BPF_A) ? OPT_A : 0;
	default:
		return 0;
	}
}

bool opt_insn_must_run(const struct fg_insn *in)
{
	if (BPF_CLASS(in->code) != BPF_ALU)
		return false;
	if (BPF_OP(in->code) != BPF_DIV && BPF_OP(in->code) != BPF_MOD)
		return false;
	return BPF_SRC(in->code) == BPF_X || in->k == 0;
}

void opt_insn_delete(struct fg_block *b, size_t i)
{
	for (; i + 1 < b->ninsns; i++)
		b->insns[i] = b->insns[i + 1];
	b->ninsns--;
}

static uint32_t succ_live(const struct fg_block *b, const uint32_t *live)
{
	uint32_t out = 0;

	if ((b->term == FG_TERM_BRANCH || b->term == FG_TERM_JUMP) && b->jt)
		out |= live[b->jt->id];
	if (b->term == FG_TERM_BRANCH && b->jf)
		out |= live[b->jf->id];
	return out;
}

uint32_t *opt_live_in(struct fg_ir *ir, struct fg_block **order, size_t n)
{
	uint32_t *live = fg_arena_alloc(ir->arena, (ir->nblocks + 1) * sizeof(*live));
	size_t i, j;

	if (!live)
		return NULL;
	/* Reverse postorder backwards: every successor is done before its block. */
	for (i = n; i-- > 0;) {
		const struct fg_block *b = order[i];
		uint32_t l = succ_live(b, live) | opt_term_use(b), use, def;

		for (j = b->ninsns; j-- > 0;) {
			opt_use_def(&b->insns[j], &use, &def);
			l = (l & ~def) | use;
		}
		live[b->id] = l;
	}
	return live;
}

unsigned *opt_pred_counts(struct fg_ir *ir, struct fg_block **order, size_t n)
{
	unsigned *cnt = fg_arena_alloc(ir->arena, (ir->nblocks + 1) * sizeof(*cnt));
	size_t i;

	if (!cnt)
		return NULL;
	if (ir->entry)
		cnt[ir->entry->id]++;
	for (i = 0; i < n; i++) {
		const struct fg_block *b = order[i];

		if ((b->term == FG_TERM_BRANCH || b->term == FG_TERM_JUMP) && b->jt)
			cnt[b->jt->id]++;
		if (b->term == FG_TERM_BRANCH && b->jf)
			cnt[b->jf->id]++;
	}
	return cnt;
}

static int run_pass(struct fg_ir *ir, int (*pass)(struct fg_ir *), const char *name,
		    struct fg_diag *diag, int *changed)
{
	int rc = pass(ir);

	if (rc < 0)
		return rc;
	*changed += rc;
#ifndef NDEBUG
	{
		int crc = fg_ir_check(ir, diag);

		if (crc < 0) {
			/* keep the checker's words, say which pass broke them */
			if (diag) {
				char why[sizeof(diag->msg)];

				memcpy(why, diag->msg, sizeof(why));
				why[sizeof(why) - 1] = '\0';
				fg_diag_set(diag, 0, 0, "internal error after %s: %.200s", name, why);
			}
			return crc;
		}
	}
#else
	(void)name;
	(void)diag;
#endif
	return 0;
}

int fg_optimize(struct fg_ir *ir, struct fg_diag *diag)
{
	static const struct {
		int (*fn)(struct fg_ir *);
		const char *name;
	} passes[] = {
		{ opt_vn, "opt_vn" }, { opt_fold, "opt_fold" }, { opt_range, "opt_range" },
		{ opt_dce, "opt_dce" },
	};
	int round, changed, rc;
	size_t p;

	for (round = 0; round < OPT_MAX_ROUNDS; round++) {
		changed = 0;
		for (p = 0; p < sizeof(passes) / sizeof(passes[0]); p++) {
			rc = run_pass(ir, passes[p].fn, passes[p].name, diag, &changed);
			if (rc < 0)
				return rc;
		}
		if (!changed)
			break;
	}
	return ir->arena->failed ? -ENOMEM : 0;
}
