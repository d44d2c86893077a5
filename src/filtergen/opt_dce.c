/*
 * opt_dce.c -- dead code removal and control-flow cleanup.
 *
 * In order: instructions whose result no path reads are deleted (by
 * liveness of A, X and each M[k]); a branch whose two successors are the
 * same block becomes a jump; edges into empty blocks that only jump are
 * sent to the final target; a block that jumps to a block with no other
 * predecessor absorbs it, and one that jumps to an empty return becomes
 * that return; finally identical blocks (same instructions, terminator
 * and successors) are merged, bottom-up, so shared tails such as every
 * `ret #0` exist once.  Unreachable blocks simply drop out of the walks.
 * Keeps true: the graph stays a DAG (edges only ever move to a block the
 * old target reached, or to an identical copy of the old target); a
 * deleted instruction is a load or computation nobody reads, never a
 * division by X, so only programs that would have stopped at an
 * out-of-range load can change their verdict.
 */
#include <errno.h>
#include <string.h>

#include "opt.h"

/* Delete the instructions of b whose results are dead given live_out; returns how many. */
static int dead_insns(struct fg_block *b, uint32_t live_out)
{
	uint32_t l = live_out | opt_term_use(b), use, def;
	size_t j;
	int n = 0;

	for (j = b->ninsns; j-- > 0;) {
		opt_use_def(&b->insns[j], &use, &def);
		if (def && !(def & l) && !opt_insn_must_run(&b->insns[j])) {
			opt_insn_delete(b, j);
			n++;
			continue;
		}
		l = (l & ~def) | use;
	}
	return n;
}

static int remove_dead(struct fg_ir *ir, struct fg_block **order, size_t n)
{
	uint32_t *live = opt_live_in(ir, order, n);
	size_t i;
	int changed = 0;

	if (!live)
		return -ENOMEM;
	/* Backwards, so each block sees its successors' final live-in sets. */
	for (i = n; i-- > 0;) {
		struct fg_block *b = order[i];
		uint32_t out = 0, use, def, l;
		size_t j;

		if ((b->term == FG_TERM_BRANCH || b->term == FG_TERM_JUMP) && b->jt)
			out |= live[b->jt->id];
		if (b->term == FG_TERM_BRANCH && b->jf)
			out |= live[b->jf->id];
		changed += dead_insns(b, out);
		l = out | opt_term_use(b);
		for (j = b->ninsns; j-- > 0;) {
			opt_use_def(&b->insns[j], &use, &def);
			l = (l & ~def) | use;
		}
		live[b->id] = l;
	}
	return changed;
}

static bool empty_jump(const struct fg_block *b)
{
	return b->ninsns == 0 &&
	       (b->term == FG_TERM_JUMP || (b->term == FG_TERM_BRANCH && b->jt == b->jf));
}

/* Send *slot past empty blocks that only jump. */
static int skip_empty(struct fg_block **slot)
{
	int n = 0;

	while (*slot && empty_jump(*slot)) {
		*slot = (*slot)->jt;
		n++;
	}
	return n;
}

static int simplify_edges(struct fg_ir *ir, struct fg_block **order, size_t n)
{
	size_t i;
	int changed = skip_empty(&ir->entry);

	for (i = 0; i < n; i++) {
		struct fg_block *b = order[i];

		if (b->term == FG_TERM_BRANCH && b->jt == b->jf) {
			fg_block_jump(b, b->jt);
			changed++;
		}
		if (b->term == FG_TERM_BRANCH)
			changed += skip_empty(&b->jf);
		if (b->term == FG_TERM_BRANCH || b->term == FG_TERM_JUMP)
			changed += skip_empty(&b->jt);
	}
	return changed;
}

/* Append the instructions of s to b and give b s's terminator. */
static int absorb(struct fg_ir *ir, struct fg_block *b, const struct fg_block *s)
{
	size_t j;

	for (j = 0; j < s->ninsns; j++)
		if (fg_block_add(ir, b, s->insns[j].code, s->insns[j].k) < 0)
			return -ENOMEM;
	b->term = s->term;
	b->jcode = s->jcode;
	b->k = s->k;
	b->jt = s->jt;
	b->jf = s->jf;
	return 0;
}

static int merge_chains(struct fg_ir *ir, struct fg_block **order, size_t n)
{
	unsigned *preds = opt_pred_counts(ir, order, n);
	size_t i;
	int changed = 0;

	if (!preds)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct fg_block *b = order[i];

		while (b->term == FG_TERM_JUMP && b->jt != b &&
		       (preds[b->jt->id] == 1 || (b->jt->term == FG_TERM_RET && !b->jt->ninsns))) {
			struct fg_block *s = b->jt;

			if (absorb(ir, b, s) < 0)
				return -ENOMEM;
			/* s's successors keep their counts: b took s's place */
			preds[s->id]--;
			changed++;
		}
	}
	return changed;
}

/* ---- identical blocks ------------------------------------------------------ */

static size_t block_hash(const struct fg_block *b)
{
	uint64_t h = 0x9e3779b97f4a7c15ull * (b->term + 1);
	size_t j;

	h = (h ^ b->jcode ^ ((uint64_t)b->k << 16)) * 0xff51afd7ed558ccdull;
	h = (h ^ (b->jt ? b->jt->id + 1 : 0)) * 0xc4ceb9fe1a85ec53ull;
	h = (h ^ (b->jf ? b->jf->id + 1 : 0)) * 0x9e3779b97f4a7c15ull;
	for (j = 0; j < b->ninsns; j++)
		h = (h ^ b->insns[j].code ^ ((uint64_t)b->insns[j].k << 16)) * 0xff51afd7ed558ccdull;
	return (size_t)(h >> 13);
}

static bool same_block(const struct fg_block *a, const struct fg_block *b)
{
	size_t j;

	if (a->term != b->term || a->ninsns != b->ninsns || a->jcode != b->jcode)
		return false;
	if (a->term == FG_TERM_RET && a->jcode == (BPF_RET | BPF_A))
		;	/* k unused */
	else if (a->term != FG_TERM_JUMP && a->k != b->k)
		return false;
	if (a->term != FG_TERM_RET && a->jt != b->jt)
		return false;
	if (a->term == FG_TERM_BRANCH && a->jf != b->jf)
		return false;
	for (j = 0; j < a->ninsns; j++)
		if (a->insns[j].code != b->insns[j].code || a->insns[j].k != b->insns[j].k)
			return false;
	return true;
}

/* Clear the fields a terminator does not use, so hashing and comparing see only what matters. */
static void normalize(struct fg_block *b)
{
	if (b->term == FG_TERM_RET) {
		b->jt = b->jf = NULL;
		if (b->jcode == (BPF_RET | BPF_A))
			b->k = 0;
	} else if (b->term == FG_TERM_JUMP) {
		b->jf = NULL;
		b->jcode = 0;
		b->k = 0;
	}
}

static int merge_identical(struct fg_ir *ir, struct fg_block **order, size_t n)
{
	struct fg_block **canon = fg_arena_alloc(ir->arena, (ir->nblocks + 1) * sizeof(*canon));
	struct fg_block **table;
	size_t cap = 16, i, j;
	int changed = 0;

	while (cap < 2 * n)
		cap *= 2;
	table = fg_arena_alloc(ir->arena, cap * sizeof(*table));
	if (!canon || !table)
		return -ENOMEM;
	for (i = n; i-- > 0;) {
		struct fg_block *b = order[i];

		/* successors come later in the order: they are already canonical */
		if (b->term == FG_TERM_BRANCH || b->term == FG_TERM_JUMP) {
			if (canon[b->jt->id] != b->jt) {
				b->jt = canon[b->jt->id];
				changed++;
			}
			if (b->term == FG_TERM_BRANCH && canon[b->jf->id] != b->jf) {
				b->jf = canon[b->jf->id];
				changed++;
			}
		}
		normalize(b);
		for (j = block_hash(b) & (cap - 1); table[j]; j = (j + 1) & (cap - 1))
			if (same_block(table[j], b))
				break;
		if (!table[j])
			table[j] = b;
		canon[b->id] = table[j];
	}
	if (ir->entry && canon[ir->entry->id] != ir->entry)
		ir->entry = canon[ir->entry->id];
	return changed;
}

typedef int (*dce_step)(struct fg_ir *, struct fg_block **, size_t);

/* requires: a checked IR; keeps: every verdict, the checker's invariants; breaks: nothing */
int opt_dce(struct fg_ir *ir)
{
	static const dce_step steps[] = {
		remove_dead, simplify_edges, merge_chains, merge_identical,
	};
	struct fg_block **order;
	size_t n, s;
	int changed = 0, rc;

	for (s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		rc = fg_ir_rpo(ir, &order, &n);
		if (rc < 0)
			return rc;
		rc = steps[s](ir, order, n);
		if (rc < 0)
			return rc;
		changed += rc;
	}
	return changed;
}
