/*
 * emit.c -- lay the IR out and write classic BPF.
 *
 * Blocks are placed in reverse postorder (a topological order of the DAG, so
 * every jump goes forward).  A conditional jump whose target is more than
 * 255 instructions away needs help.  When the target is a return, a copy of
 * it (an "island") is placed after the branch block, and every later branch
 * within reach of it uses it too: far branches to `ret #0` share islands.
 * Otherwise the island is a `ja` to the target, shared the same way (the
 * many leaves of a set's search tree that go on to its second tree share a
 * few).  A trampoline right after a branch remains for what islands cannot
 * serve.  Both move later code, so the layout is recomputed until nothing
 * more is needed; islands and trampolines are only ever added, so this ends.  An
 * unconditional jump to the block laid out next costs nothing.
 * Keeps true: the output has every IR edge exactly, all offsets in range,
 * and at most CBPF_MAXINSNS instructions (else -E2BIG).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

struct slot {
	struct fg_block *b;
	size_t start;		/* index of the block's first instruction */
	size_t term;		/* index of its terminator (if it emits one) */
	bool tramp_t;		/* jt goes through a ja after the branch */
	bool tramp_f;
};

struct layout {
	struct slot *s;
	size_t n, cap;
	size_t total;
};

/* A branch whose targets coincide is an unconditional jump. */
static bool is_jump(const struct fg_block *b)
{
	return b->term == FG_TERM_JUMP || (b->term == FG_TERM_BRANCH && b->jt == b->jf);
}

/* How many instructions the terminator of slot i takes. */
static size_t term_size(const struct layout *l, size_t i)
{
	const struct fg_block *b = l->s[i].b;

	if (b->term == FG_TERM_RET)
		return 1;
	if (is_jump(b))
		return (i + 1 < l->n && l->s[i + 1].b == b->jt) ? 0 : 1;
	return 1 + l->s[i].tramp_t + l->s[i].tramp_f;
}

static void place(struct layout *l)
{
	size_t i, pos = 0;

	for (i = 0; i < l->n; i++) {
		l->s[i].start = pos;
		pos += l->s[i].b->ninsns;
		l->s[i].term = pos;
		pos += term_size(l, i);
	}
	l->total = pos;
}

static size_t target_start(const struct layout *l, const struct fg_block *t)
{
	return l->s[t->pos].start;
}

static bool too_far(const struct layout *l, const struct slot *s, const struct fg_block *t)
{
	return target_start(l, t) - (s->term + 1) > 255;
}

/* Does island c stand for target r: a copy of return r, or a bare jump to r? */
static bool island_for(const struct fg_block *c, const struct fg_block *r)
{
	if (c->ninsns)
		return false;
	if (r->term == FG_TERM_RET && r->ninsns == 0)
		return c->term == FG_TERM_RET && c->jcode == r->jcode && c->k == r->k;
	return c->term == FG_TERM_JUMP && c->jt == r;
}

/* An island for r laid out after slot i and within reach of its branch. */
static struct fg_block *find_island(const struct layout *l, size_t i, const struct fg_block *r)
{
	size_t j;

	for (j = i + 1; j < l->n && l->s[j].start - (l->s[i].term + 1) <= 255; j++)
		if (island_for(l->s[j].b, r))
			return l->s[j].b;
	return NULL;
}

/* May code be inserted after slot j without breaking a fall-through? */
static bool can_follow(const struct layout *l, size_t j)
{
	const struct fg_block *b = l->s[j].b;

	if (b->term == FG_TERM_RET || (b->term == FG_TERM_BRANCH && !is_jump(b)))
		return true;
	return j + 1 >= l->n || l->s[j + 1].b != b->jt;
}

/*
 * Where to put a new island for slot i's branch: after the farthest slot
 * it still reaches, so the branches after it can share the island.  One
 * instruction is kept in hand: the branch's other edge may need an island
 * too, inserted before this one.
 */
static size_t island_place(const struct layout *l, size_t i)
{
	size_t j, best = i;

	for (j = i; j + 1 < l->n && l->s[j + 1].start - (l->s[i].term + 1) <= 254; j++)
		if (can_follow(l, j))
			best = j;
	return best;
}

/* Insert an island for r (a copy of a return, else a jump to r) as slot i + 1; -ENOMEM. */
static int add_island(struct fg_ir *ir, struct layout *l, size_t i, struct fg_block *r)
{
	struct fg_block *c = fg_block_new(ir);
	size_t j;

	if (!c || fg_arena_grow(ir->arena, (void **)&l->s, &l->cap, l->n + 1, sizeof(*l->s)) < 0)
		return -ENOMEM;
	if (r->term == FG_TERM_RET && r->ninsns == 0)
		fg_block_ret(c, r->jcode, r->k);
	else
		fg_block_jump(c, r);
	memmove(&l->s[i + 2], &l->s[i + 1], (l->n - i - 1) * sizeof(*l->s));
	memset(&l->s[i + 1], 0, sizeof(*l->s));
	l->s[i + 1].b = c;
	l->n++;
	for (j = 0; j < l->n; j++)
		l->s[j].b->pos = (int)j;
	return 0;
}

/*
 * Send far branches to an island within reach: a copy of the return they
 * go to, or a `ja` to their target that other far branches to it share;
 * add one after the branch block when there is none.  Scans from slot *from and records where
 * it stopped, so each island costs one relayout, not a rescan.  Returns 1 if
 * the layout changed, 0 if not, -ENOMEM.
 */
static int add_islands(struct fg_ir *ir, struct layout *l, size_t *from)
{
	size_t i;
	int k;

	for (i = *from; i < l->n; i++) {
		*from = i;
		struct fg_block *b = l->s[i].b;

		if (b->term != FG_TERM_BRANCH || is_jump(b))
			continue;
		for (k = 0; k < 2; k++) {
			struct fg_block **edge = k ? &b->jf : &b->jt, *isl;

			if (!too_far(l, &l->s[i], *edge))
				continue;
			isl = find_island(l, i, *edge);
			if (isl) {
				*edge = isl;
				continue;
			}
			return add_island(ir, l, island_place(l, i), *edge) < 0 ? -ENOMEM : 1;
		}
	}
	return 0;
}

/* Mark branches whose offsets do not fit in 8 bits; true if any changed. */
static bool add_trampolines(struct layout *l)
{
	bool changed = false;
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct slot *s = &l->s[i];
		const struct fg_block *b = s->b;

		if (b->term != FG_TERM_BRANCH || is_jump(b))
			continue;
		if (!s->tramp_t && target_start(l, b->jt) - (s->term + 1) > 255) {
			s->tramp_t = true;
			changed = true;
		}
		if (!s->tramp_f && target_start(l, b->jf) - (s->term + 1) > 255) {
			s->tramp_f = true;
			changed = true;
		}
	}
	return changed;
}

static void put(struct cbpf_insn *out, size_t at, uint16_t code, size_t jt, size_t jf, uint32_t k)
{
	out[at].code = code;
	out[at].jt = (uint8_t)jt;
	out[at].jf = (uint8_t)jf;
	out[at].k = k;
}

static void write_branch(const struct layout *l, const struct slot *s, struct cbpf_insn *out)
{
	const struct fg_block *b = s->b;
	size_t at = s->term, next = at + 1, jt, jf;

	if (s->tramp_t) {
		put(out, next, BPF_JMP | BPF_JA, 0, 0,
		    (uint32_t)(target_start(l, b->jt) - (next + 1)));
		jt = next++ - (at + 1);
	} else {
		jt = target_start(l, b->jt) - (at + 1);
	}
	if (s->tramp_f) {
		put(out, next, BPF_JMP | BPF_JA, 0, 0,
		    (uint32_t)(target_start(l, b->jf) - (next + 1)));
		jf = next - (at + 1);
	} else {
		jf = target_start(l, b->jf) - (at + 1);
	}
	put(out, at, b->jcode, jt, jf, b->k);
}

static void write_slot(const struct layout *l, size_t i, struct cbpf_insn *out)
{
	const struct slot *s = &l->s[i];
	const struct fg_block *b = s->b;
	size_t j;

	for (j = 0; j < b->ninsns; j++)
		put(out, s->start + j, b->insns[j].code, 0, 0, b->insns[j].k);
	if (b->term == FG_TERM_RET)
		put(out, s->term, b->jcode, 0, 0, b->k);
	else if (is_jump(b)) {
		if (term_size(l, i))
			put(out, s->term, BPF_JMP | BPF_JA, 0, 0,
			    (uint32_t)(target_start(l, b->jt) - (s->term + 1)));
	} else
		write_branch(l, s, out);
}

int fg_emit(struct fg_ir *ir, struct cbpf_insn **out, size_t *n, struct fg_diag *diag)
{
	struct fg_block **order;
	struct layout l;
	struct cbpf_insn *prog;
	size_t i;
	int rc = fg_ir_check(ir, diag);

	if (rc < 0)
		return rc;
	rc = fg_ir_rpo(ir, &order, &l.n);
	if (rc < 0)
		return rc;
	l.cap = l.n + 1;
	l.s = fg_arena_alloc(ir->arena, l.cap * sizeof(*l.s));
	if (!l.s)
		return -ENOMEM;
	for (i = 0; i < l.n; i++) {
		l.s[i].b = order[i];
		order[i]->pos = (int)i;
	}
	for (i = 0;;) {
		place(&l);
		if (l.total > CBPF_MAXINSNS)
			break;	/* too large whatever the layout: say so now */
		rc = add_islands(ir, &l, &i);
		if (rc < 0)
			return rc;
		if (rc > 0)
			continue;
		if (!add_trampolines(&l))
			break;
		i = 0;	/* trampolines moved code: look at every branch again */
	}
	if (l.total > CBPF_MAXINSNS) {
		fg_diag_set(diag, 0, 0, "the program needs %zu instructions; the kernel takes at most %d",
			    l.total, CBPF_MAXINSNS);
		return -E2BIG;
	}
	prog = calloc(l.total, sizeof(*prog));
	if (!prog)
		return -ENOMEM;
	for (i = 0; i < l.n; i++)
		write_slot(&l, i, prog);
	*out = prog;
	*n = l.total;
	return 0;
}
