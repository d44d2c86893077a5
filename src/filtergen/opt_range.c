/*
 * opt_range.c -- a chain of equality tests of one value becomes interval
 * tests when that takes fewer branches.
 *
 * A chain is a block ending in `jeq #k1` followed, along its false edges,
 * by blocks with no instructions that end in `jeq #k2`, `jeq #k3`, ...,
 * each reached only from the previous one, all with the same true
 * successor T; the last false edge goes to F.  A is the same value all
 * along, so the chain asks "A in {k1, k2, ...}".  The constants, sorted,
 * form intervals; one of several values costs two branches (`jge #lo`,
 * `jgt #hi`), a lone value one (`jeq`).  When the intervals cost fewer
 * branches than the chain has, the chain's blocks are reused, in
 * ascending order of the intervals:
 *     jge #lo -> (jgt #hi -> next, T), F        a run of values
 *     jeq #k  -> T, next                        a lone value
 * (A below the lowest interval left is below every one: straight to F.)
 * Blocks of the chain that are left over become unreachable.
 * Keeps true: the branch structure answers "A in the set" exactly as the
 * chain did, and no instruction moves, so every verdict is the same.
 */
#include <errno.h>
#include <stdlib.h>

#include "opt.h"

/* Longest chain looked at: a longer one is rare and set lowering's job. */
#define CHAIN_MAX 64

struct chain {
	struct fg_block *b[CHAIN_MAX];
	uint32_t k[CHAIN_MAX];
	size_t n;
	struct fg_block *t, *f;
};

static bool is_jeq_k(const struct fg_block *b)
{
	return b->term == FG_TERM_BRANCH && b->jcode == (BPF_JMP | BPF_JEQ | BPF_K) &&
	       b->jt != b->jf;
}

static void collect(struct fg_block *b, const unsigned *preds, unsigned epoch, struct chain *c)
{
	c->n = 0;
	c->t = b->jt;
	for (;;) {
		c->b[c->n] = b;
		c->k[c->n++] = b->k;
		c->f = b->jf;
		b = b->jf;
		if (c->n == CHAIN_MAX || b->ninsns || !is_jeq_k(b) || b->jt != c->t ||
		    preds[b->id] != 1 || b->mark == epoch)
			return;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort and dedupe k[0..n); returns the branches intervals need, and the count left in *n. */
static size_t interval_cost(uint32_t *k, size_t *n)
{
	size_t i, m = 0, cost = 0;

	qsort(k, *n, sizeof(*k), cmp_u32);
	for (i = 0; i < *n; i++)
		if (!m || k[m - 1] != k[i])
			k[m++] = k[i];
	*n = m;
	for (i = 0; i < m; i++) {
		size_t j = i;

		while (j + 1 < m && k[j + 1] == k[j] + 1)
			j++;
		cost += j == i ? 1 : 2;
		i = j;
	}
	return cost;
}

static void set_branch(struct fg_block *b, uint16_t op, uint32_t k, struct fg_block *jt,
		       struct fg_block *jf)
{
	b->term = FG_TERM_BRANCH;
	b->jcode = (uint16_t)(BPF_JMP | op | BPF_K);
	b->k = k;
	b->jt = jt;
	b->jf = jf;
}

/* Rewrite the chain's first `cost` blocks as interval tests over the sorted k[0..n). */
static void rewrite(struct chain *c, size_t n)
{
	struct { uint32_t lo, hi; } iv[CHAIN_MAX];
	struct fg_block *next = c->f;
	size_t i, j, used = 0, niv = 0;

	for (i = 0; i < n; i = j + 1) {
		j = i;
		while (j + 1 < n && c->k[j + 1] == c->k[j] + 1)
			j++;
		iv[niv].lo = c->k[i];
		iv[niv++].hi = c->k[j];
	}
	for (i = 0; i < niv; i++)
		used += iv[i].lo == iv[i].hi ? 1 : 2;
	/* built back to front, so each test knows its "next" */
	for (i = niv; i-- > 0;) {
		if (iv[i].lo == iv[i].hi) {
			set_branch(c->b[--used], BPF_JEQ, iv[i].lo, c->t, next);
		} else {
			used -= 2;
			set_branch(c->b[used + 1], BPF_JGT, iv[i].hi, next, c->t);
			set_branch(c->b[used], BPF_JGE, iv[i].lo, c->b[used + 1], c->f);
		}
		next = c->b[used];
	}
}

/* requires: a checked IR; keeps: every verdict, the checker's invariants; breaks: nothing (leaves unreachable blocks to the walks) */
int opt_range(struct fg_ir *ir)
{
	struct fg_block **order;
	unsigned *preds;
	struct chain *c;
	size_t n, i, j, m;
	unsigned epoch;
	int changed = 0, rc = fg_ir_rpo(ir, &order, &n);

	if (rc < 0)
		return rc;
	preds = opt_pred_counts(ir, order, n);
	c = fg_arena_alloc(ir->arena, sizeof(*c));
	if (!preds || !c)
		return -ENOMEM;
	/* rewritten blocks are marked: the counts and order no longer describe them */
	epoch = fg_ir_new_epoch(ir);
	for (i = 0; i < n; i++) {
		if (!is_jeq_k(order[i]) || order[i]->mark == epoch)
			continue;
		collect(order[i], preds, epoch, c);
		if (c->n < 3)
			continue;
		m = c->n;
		if (interval_cost(c->k, &m) < c->n) {
			for (j = 0; j < c->n; j++)
				c->b[j]->mark = epoch;
			rewrite(c, m);
			changed++;
		}
	}
	return changed;
}
