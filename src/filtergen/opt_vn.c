/*
 * opt_vn.c -- value numbering and fact propagation over the DAG, with
 * jump threading.
 *
 * Blocks are visited in reverse postorder.  A state says which value
 * (a number: the same number is the same value on every packet) A, X and
 * each M[k] hold, and which facts earlier branches established about
 * values ("v == k", "v > k", "v & k == 0", ...).  A block's entry state is
 * the meet of the states on all its incoming edges: a location keeps its
 * number only if every edge agrees, a fact survives only if every edge
 * has it.  With that, the pass
 *  - deletes instructions that put into a location the value it holds,
 *    and runs of A-only instructions that end with A as it was;
 *    and turns computations with a known constant result into `ld #k`;
 *  - turns a branch whose outcome the facts decide into a jump;
 *  - threads edges: when the state on an edge decides the branch of the
 *    block it enters, and that block only changes locations the chosen
 *    successor does not read, the edge goes to that successor directly.
 * Keeps true: every state describes the machine on every path of the
 * program as it is being rewritten (an edge is final when its source is
 * visited, and all the edges into a block are visited before it), so no
 * rewrite relies on a fact that holds on one path only.  Loads that are
 * deleted or skipped could only have stopped the program at an
 * out-of-range load, which the conformance rule excuses; divisions by X
 * are never skipped.
 */
#include <errno.h>
#include <string.h>

#include "opt.h"

#define NREGS 18		/* A, X, M[0..15] */
#define R_A 0
#define R_X 1
#define MAX_FACTS 256
#define MAX_DEPTH 6	/* undecided branches looked through, nested */
#define MAX_VISITS 48	/* blocks simulated per edge */
#define RUN_MAX 8	/* instructions in a run that recomputes A (redundant_run) */
#define SPECIAL_K 0x80000000u	/* ancillary and negative-offset loads from here on */

enum vn_op { VN_UNKNOWN, VN_CONST, VN_ABS, VN_IND, VN_MSH, VN_LEN, VN_ALU };

struct vn_node {
	uint32_t op, a, b, c;	/* a key; see vn_load and vn_alu */
};

struct fact {
	uint32_t vn;
	uint32_t k;
	uint16_t op;		/* BPF_JEQ, BPF_JGT, BPF_JGE or BPF_JSET, against k */
	uint16_t taken;		/* the branch went to jt */
};

struct vstate {
	uint32_t r[NREGS];	/* 0: an M[k] not written on some path */
	struct fact *f;
	size_t nf;
	bool set;		/* some edge reached this block */
};

struct vn_ctx {
	struct fg_ir *ir;
	struct vn_node *nodes;	/* by value number; 0 is unused */
	size_t nnodes, ncap;
	uint32_t *hash;		/* open addressing, value numbers; 0 empty */
	size_t hcap, hused;
	struct vstate *in;	/* by block id */
	uint32_t *live;		/* live-in by block id, at the start of the pass */
	struct vstate stack[MAX_DEPTH];	/* states for land(), one per depth */
	int changed;
};

/* ---- value numbers ------------------------------------------------------ */

static uint32_t node_new(struct vn_ctx *c, uint32_t op, uint32_t a, uint32_t b, uint32_t cc)
{
	if (fg_arena_grow(c->ir->arena, (void **)&c->nodes, &c->ncap, c->nnodes + 1,
			  sizeof(*c->nodes)) < 0)
		return 0;
	c->nodes[c->nnodes] = (struct vn_node){ op, a, b, cc };
	return (uint32_t)c->nnodes++;
}

static uint32_t fresh(struct vn_ctx *c)
{
	return node_new(c, VN_UNKNOWN, 0, 0, 0);
}

static size_t key_hash(uint32_t op, uint32_t a, uint32_t b, uint32_t cc)
{
	uint64_t h = op * 0x9e3779b97f4a7c15ull;

	h = (h ^ a) * 0xff51afd7ed558ccdull;
	h = (h ^ b) * 0xc4ceb9fe1a85ec53ull;
	h = (h ^ cc) * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 17);
}

static int rehash(struct vn_ctx *c)
{
	size_t ncap = c->hcap ? c->hcap * 2 : 256, i;
	uint32_t *h = fg_arena_alloc(c->ir->arena, ncap * sizeof(*h));

	if (!h)
		return -ENOMEM;
	for (i = 0; i < c->hcap; i++) {
		const struct vn_node *n;
		size_t j;

		if (!c->hash[i])
			continue;
		n = &c->nodes[c->hash[i]];
		for (j = key_hash(n->op, n->a, n->b, n->c) & (ncap - 1); h[j]; j = (j + 1) & (ncap - 1))
			;
		h[j] = c->hash[i];
	}
	c->hash = h;
	c->hcap = ncap;
	return 0;
}

/* The value number of an expression (the same key gives the same number); 0 when out of memory. */
static uint32_t vn_get(struct vn_ctx *c, uint32_t op, uint32_t a, uint32_t b, uint32_t cc)
{
	size_t j;

	if (2 * (c->hused + 1) > c->hcap && rehash(c) < 0)
		return 0;
	for (j = key_hash(op, a, b, cc) & (c->hcap - 1); c->hash[j]; j = (j + 1) & (c->hcap - 1)) {
		const struct vn_node *n = &c->nodes[c->hash[j]];

		if (n->op == op && n->a == a && n->b == b && n->c == cc)
			return c->hash[j];
	}
	c->hash[j] = node_new(c, op, a, b, cc);
	if (c->hash[j])
		c->hused++;
	return c->hash[j];
}

static uint32_t vn_const(struct vn_ctx *c, uint32_t k)
{
	return vn_get(c, VN_CONST, 0, k, 0);
}

static bool is_const(const struct vn_ctx *c, uint32_t v, uint32_t *k)
{
	if (v == 0 || c->nodes[v].op != VN_CONST)
		return false;
	*k = c->nodes[v].b;
	return true;
}

/* Fold a op b for constants; false when the result is not plainly defined. */
static bool fold(uint16_t op, uint32_t a, uint32_t b, uint32_t *r)
{
	switch (op) {
	case BPF_ADD: *r = a + b; return true;
	case BPF_SUB: *r = a - b; return true;
	case BPF_MUL: *r = a * b; return true;
	case BPF_DIV: if (!b) return false; *r = a / b; return true;
	case BPF_MOD: if (!b) return false; *r = a % b; return true;
	case BPF_AND: *r = a & b; return true;
	case BPF_OR: *r = a | b; return true;
	case BPF_XOR: *r = a ^ b; return true;
	case BPF_LSH: if (b >= 32) return false; *r = a << b; return true;
	case BPF_RSH: if (b >= 32) return false; *r = a >> b; return true;
	case BPF_NEG: *r = -a; return true;
	default: return false;
	}
}

/* b is a constant that leaves a unchanged under op. */
static bool identity(uint16_t op, uint32_t b)
{
	switch (op) {
	case BPF_ADD: case BPF_SUB: case BPF_OR: case BPF_XOR: case BPF_LSH: case BPF_RSH:
		return b == 0;
	case BPF_MUL: case BPF_DIV:
		return b == 1;
	case BPF_AND:
		return b == 0xffffffffu;
	default:
		return false;
	}
}

static uint32_t vn_alu(struct vn_ctx *c, uint16_t op, uint32_t a, uint32_t b)
{
	uint32_t ka, kb, r;

	if (op == BPF_NEG)
		b = 0;
	if (is_const(c, a, &ka) && (op == BPF_NEG || is_const(c, b, &kb)) &&
	    fold(op, ka, op == BPF_NEG ? 0 : kb, &r))
		return vn_const(c, r);
	if (op != BPF_NEG && is_const(c, b, &kb) && identity(op, kb))
		return a;
	if ((op == BPF_ADD || op == BPF_MUL || op == BPF_AND || op == BPF_OR || op == BPF_XOR) &&
	    a > b) {
		uint32_t t = a;

		a = b;
		b = t;
	}
	return vn_get(c, VN_ALU, op, a, b);
}

/* ---- facts ---------------------------------------------------------------- */

static int fact_cmp(const struct fact *x, const struct fact *y)
{
	if (x->vn != y->vn)
		return x->vn < y->vn ? -1 : 1;
	if (x->op != y->op)
		return x->op < y->op ? -1 : 1;
	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	if (x->taken != y->taken)
		return x->taken < y->taken ? -1 : 1;
	return 0;
}

/* First fact about vn or later (facts are sorted). */
static size_t fact_lower(const struct vstate *s, uint32_t vn)
{
	size_t lo = 0, hi = s->nf;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->f[mid].vn < vn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Add a fact to s, whose array holds MAX_FACTS + 1; a full state just forgets it. */
static void fact_add(struct vstate *s, struct fact f)
{
	size_t i = fact_lower(s, f.vn);

	while (i < s->nf && fact_cmp(&s->f[i], &f) < 0)
		i++;
	if (i < s->nf && fact_cmp(&s->f[i], &f) == 0)
		return;
	if (s->nf >= MAX_FACTS)
		return;
	memmove(&s->f[i + 1], &s->f[i], (s->nf - i) * sizeof(*s->f));
	s->f[i] = f;
	s->nf++;
}

struct range {
	uint32_t lo, hi;	/* lo <= v <= hi */
	uint32_t zero;		/* bits known to be 0 */
};

/* The constant operand of a commutative ALU node (vn_alu orders operands by number). */
static bool alu_const(const struct vn_ctx *c, const struct vn_node *n, uint32_t *k)
{
	return n->op == VN_ALU && (is_const(c, n->c, k) || is_const(c, n->b, k));
}

/* What the value's own shape says (a byte load is < 256, ...). */
static struct range shape_range(const struct vn_ctx *c, uint32_t v)
{
	struct range r = { 0, 0xffffffffu, 0 };
	const struct vn_node *n = &c->nodes[v];
	uint32_t k;

	if ((n->op == VN_ABS || n->op == VN_IND) && n->a != BPF_W)
		r.hi = n->a == BPF_H ? 0xffff : 0xff;
	else if (n->op == VN_MSH)
		r.hi = 60;
	else if (n->op == VN_ALU && n->a == BPF_AND && alu_const(c, n, &k))
		r.hi = k;
	else if (n->op == VN_ALU && n->a == BPF_RSH && is_const(c, n->c, &k) && k < 32)
		r.hi = 0xffffffffu >> k;
	else if (n->op == VN_ALU && n->a == BPF_OR && alu_const(c, n, &k))
		r.lo = k;	/* x | k >= k */
	if (n->op == VN_MSH)
		r.zero = ~0x3cu;
	else if (n->op == VN_ALU && n->a == BPF_AND && alu_const(c, n, &k))
		r.zero = ~k;
	else if (r.hi != 0xffffffffu)
		r.zero = ~r.hi;
	return r;
}

static int eval_const(uint16_t op, uint32_t a, uint32_t k)
{
	switch (op) {
	case BPF_JEQ: return a == k;
	case BPF_JGT: return a > k;
	case BPF_JGE: return a >= k;
	default: return (a & k) != 0;
	}
}

/* Narrow r by one fact; returns 1 or 0 when the fact pins v to a constant (*k), else -1. */
static int narrow(struct range *r, const struct fact *f, uint32_t *k)
{
	switch (f->op) {
	case BPF_JEQ:
		if (f->taken) {
			*k = f->k;
			return 1;
		}
		break;
	case BPF_JGT:
		if (f->taken && f->k + 1 > r->lo)
			r->lo = f->k + 1;
		else if (!f->taken && f->k < r->hi)
			r->hi = f->k;
		break;
	case BPF_JGE:
		if (f->taken && f->k > r->lo)
			r->lo = f->k;
		else if (!f->taken && f->k > 0 && f->k - 1 < r->hi)
			r->hi = f->k - 1;
		break;
	default:
		if (!f->taken)
			r->zero |= f->k;
		break;
	}
	return -1;
}

/* The outcome of "v op k" given s: 1, 0, or -1 when unknown. */
static int decide(const struct vn_ctx *c, const struct vstate *s, uint32_t v, uint16_t op, uint32_t k)
{
	struct range r = shape_range(c, v);
	size_t i, first = fact_lower(s, v);
	uint32_t kv;

	if (is_const(c, v, &kv))
		return eval_const(op, kv, k);
	for (i = first; i < s->nf && s->f[i].vn == v; i++) {
		if (s->f[i].op == op && s->f[i].k == k)
			return s->f[i].taken;
		if (narrow(&r, &s->f[i], &kv) >= 0)
			return eval_const(op, kv, k);
	}
	if (r.lo == r.hi)
		return eval_const(op, r.lo, k);
	switch (op) {
	case BPF_JEQ:
		if (k < r.lo || k > r.hi || (k & r.zero))
			return 0;
		for (i = first; i < s->nf && s->f[i].vn == v; i++)
			if (s->f[i].op == BPF_JSET && s->f[i].taken && !(s->f[i].k & k))
				return 0;	/* v has a bit of the set that k lacks */
		return -1;
	case BPF_JGT:
		return r.lo > k ? 1 : r.hi <= k ? 0 : -1;
	case BPF_JGE:
		return r.lo >= k ? 1 : r.hi < k ? 0 : -1;
	default:
		if (!(k & ~r.zero) || r.hi < (k & -k))
			return 0;
		if (r.lo > 0 && k == 0xffffffffu)
			return 1;
		for (i = first; i < s->nf && s->f[i].vn == v; i++)
			if (s->f[i].op == BPF_JSET && s->f[i].taken && !(s->f[i].k & ~(k | r.zero)))
				return 1;	/* v has a bit of a set whose bits outside k are 0 */
		return -1;
	}
}

/* ---- stepping through instructions ----------------------------------- */

static uint32_t vn_load(struct vn_ctx *c, struct vstate *s, const struct fg_insn *in)
{
	uint32_t size = BPF_SIZE(in->code), kx, *m;

	switch (BPF_MODE(in->code)) {
	case BPF_IMM:
		return vn_const(c, in->k);
	case BPF_LEN:
		return vn_get(c, VN_LEN, 0, 0, 0);
	case BPF_MSH:
		return vn_get(c, VN_MSH, 0, in->k, 0);
	case BPF_MEM:
		/* a word not written on every path gets no lasting number: M[k] stays "unwritten" */
		m = &s->r[2 + (in->k & 15)];
		return *m ? *m : fresh(c);
	case BPF_ABS:
		if (in->k >= SPECIAL_K)
			return fresh(c);	/* ancillary data; `ld rand` differs every time */
		return vn_get(c, VN_ABS, size, in->k, 0);
	case BPF_IND:
		if (is_const(c, s->r[R_X], &kx) && kx + in->k >= kx && kx + in->k < SPECIAL_K)
			return vn_get(c, VN_ABS, size, kx + in->k, 0);
		return vn_get(c, VN_IND, size, in->k, s->r[R_X]);
	default:
		return fresh(c);
	}
}

/* The value in of sets, and which location it sets (-1: none). */
static int step_value(struct vn_ctx *c, struct vstate *s, const struct fg_insn *in, uint32_t *v)
{
	uint32_t kx;

	switch (BPF_CLASS(in->code)) {
	case BPF_LD:
		*v = vn_load(c, s, in);
		return R_A;
	case BPF_LDX:
		*v = vn_load(c, s, in);
		return R_X;
	case BPF_ST:
		*v = s->r[R_A];
		return 2 + (int)(in->k & 15);
	case BPF_STX:
		*v = s->r[R_X];
		return 2 + (int)(in->k & 15);
	case BPF_ALU:
		if (BPF_OP(in->code) == BPF_NEG)
			*v = vn_alu(c, BPF_NEG, s->r[R_A], 0);
		else if (BPF_SRC(in->code) == BPF_X)
			*v = (BPF_OP(in->code) == BPF_DIV || BPF_OP(in->code) == BPF_MOD) &&
			     (!is_const(c, s->r[R_X], &kx) || kx == 0) ?
			     vn_get(c, VN_ALU, BPF_OP(in->code), s->r[R_A], s->r[R_X]) :
			     vn_alu(c, BPF_OP(in->code), s->r[R_A], s->r[R_X]);
		else
			*v = vn_alu(c, BPF_OP(in->code), s->r[R_A], vn_const(c, in->k));
		return R_A;
	case BPF_MISC:
		*v = BPF_MISCOP(in->code) == BPF_TAX ? s->r[R_A] : s->r[R_X];
		return BPF_MISCOP(in->code) == BPF_TAX ? R_X : R_A;
	default:
		return -1;
	}
}

/*
 * Rewrite instruction i of b given state s: drop it when its location
 * already holds its value, make a computation with a known constant result
 * a load of that constant, use a known constant X as an immediate.  Then
 * apply it to s.  Returns true if the instruction was deleted.
 */
static bool rewrite_insn(struct vn_ctx *c, struct vstate *s, struct fg_block *b, size_t i)
{
	struct fg_insn *in = &b->insns[i];
	uint32_t v, k, kx;
	int loc = step_value(c, s, in, &v);

	if (loc < 0 || !v)
		return false;
	if (s->r[loc] == v && !opt_insn_must_run(in)) {
		opt_insn_delete(b, i);
		c->changed++;
		return true;
	}
	if (loc <= R_X && is_const(c, v, &k) && !opt_insn_must_run(in) &&
	    !((BPF_CLASS(in->code) == BPF_LD || BPF_CLASS(in->code) == BPF_LDX) &&
	      BPF_MODE(in->code) == BPF_IMM)) {
		in->code = loc == R_A ? (BPF_LD | BPF_IMM) : (BPF_LDX | BPF_IMM);
		in->k = k;
		c->changed++;
	} else if (BPF_CLASS(in->code) == BPF_ALU && BPF_SRC(in->code) == BPF_X &&
		   BPF_OP(in->code) != BPF_NEG && is_const(c, s->r[R_X], &kx) &&
		   !((BPF_OP(in->code) == BPF_DIV || BPF_OP(in->code) == BPF_MOD) && kx == 0)) {
		in->code = (uint16_t)(BPF_ALU | BPF_OP(in->code) | BPF_K);
		in->k = kx;
		c->changed++;
	} else if (BPF_CLASS(in->code) == BPF_LD && BPF_MODE(in->code) == BPF_IND &&
		   is_const(c, s->r[R_X], &kx) && kx + in->k >= kx && kx + in->k < SPECIAL_K) {
		in->code = (uint16_t)(BPF_LD | BPF_SIZE(in->code) | BPF_ABS);
		in->k += kx;
		c->changed++;
	}
	s->r[loc] = v;
	return false;
}

/* The outcome of b's branch in state s (after b's instructions): 1, 0 or -1. */
static int decide_branch(struct vn_ctx *c, const struct vstate *s, const struct fg_block *b)
{
	uint32_t k = b->k, kx;

	if (b->term != FG_TERM_BRANCH)
		return -1;
	if (BPF_SRC(b->jcode) == BPF_X) {
		if (s->r[R_A] == s->r[R_X] && BPF_OP(b->jcode) != BPF_JSET)
			return BPF_OP(b->jcode) != BPF_JGT;
		if (!is_const(c, s->r[R_X], &kx))
			return -1;
		k = kx;
	}
	return decide(c, s, s->r[R_A], BPF_OP(b->jcode), k);
}

/* ---- states along edges --------------------------------------------- */

static void state_copy(struct vstate *dst, const struct vstate *src)
{
	memcpy(dst->r, src->r, sizeof(dst->r));
	memcpy(dst->f, src->f, src->nf * sizeof(*src->f));
	dst->nf = src->nf;
	dst->set = true;
}

/* Meet e into the entry state of t. */
static int push(struct vn_ctx *c, const struct vstate *e, const struct fg_block *t)
{
	struct vstate *in = &c->in[t->id];
	size_t i, j, w;
	int r;

	if (!in->set) {
		in->f = fg_arena_alloc(c->ir->arena, (e->nf + 1) * sizeof(*in->f));
		if (!in->f)
			return -ENOMEM;
		state_copy(in, e);
		return 0;
	}
	for (r = 0; r < NREGS; r++)
		if (in->r[r] != e->r[r])
			in->r[r] = r >= 2 && (!in->r[r] || !e->r[r]) ? 0 : fresh(c);
	for (i = j = w = 0; i < in->nf && j < e->nf;) {
		int d = fact_cmp(&in->f[i], &e->f[j]);

		if (d == 0) {
			in->f[w++] = in->f[i];
			i++;
			j++;
		} else if (d < 0) {
			i++;
		} else {
			j++;
		}
	}
	in->nf = w;
	return 0;
}

/* The fact a K-branch of b (A holding a) establishes on its jt (taken) or jf edge. */
static bool branch_fact(struct vn_ctx *c, const struct vstate *s, const struct fg_block *b,
			bool taken, struct fact *f)
{
	uint32_t k = b->k;

	if (b->term != FG_TERM_BRANCH || b->jt == b->jf)
		return false;
	if (BPF_SRC(b->jcode) == BPF_X && !is_const(c, s->r[R_X], &k))
		return false;
	*f = (struct fact){ s->r[R_A], k, (uint16_t)BPF_OP(b->jcode), taken };
	return true;
}

/* Run b's instructions on sim (a copy of e's locations); false if one must not be skipped. */
static bool simulate(struct vn_ctx *c, const struct fg_block *b, const struct vstate *e,
		     struct vstate *sim)
{
	uint32_t v;
	size_t i;
	int r;

	memcpy(sim->r, e->r, sizeof(sim->r));
	sim->f = e->f;
	sim->nf = e->nf;
	for (i = 0; i < b->ninsns; i++) {
		if (opt_insn_must_run(&b->insns[i]))
			return false;
		r = step_value(c, sim, &b->insns[i], &v);
		if (r >= 0 && !v)
			return false;	/* out of memory; the caller sees arena->failed */
		if (r >= 0)
			sim->r[r] = v;
	}
	return true;
}

/* The locations whose numbers differ between a and b. */
static uint32_t diff_locs(const struct vstate *a, const struct vstate *b)
{
	uint32_t diff = 0;
	int r;

	for (r = 0; r < NREGS; r++)
		if (a->r[r] != b->r[r])
			diff |= r == R_A ? OPT_A : r == R_X ? OPT_X : OPT_M(r - 2);
	return diff;
}

/*
 * Where control entering block s in state e certainly arrives, with every
 * location that block reads holding what it holds in e: s itself when no
 * block can be skipped.  A block is skipped when e decides its branch, or,
 * undecided, when both of its successors arrive at the same block (so the
 * branch does not matter on this path); either way only if the locations
 * it changes are dead where control arrives.
 */
static struct fg_block *land(struct vn_ctx *c, struct fg_block *s, const struct vstate *e,
			     int depth, int *budget)
{
	struct vstate sim;
	int d;

	while ((s->term == FG_TERM_BRANCH || s->term == FG_TERM_JUMP) && --*budget >= 0) {
		struct fg_block *t;

		if (!simulate(c, s, e, &sim))
			break;
		d = s->term == FG_TERM_JUMP ? 1 : decide_branch(c, &sim, s);
		if (d >= 0) {
			t = d ? s->jt : s->jf;
		} else if (depth < MAX_DEPTH) {
			struct vstate *st = &c->stack[depth];
			struct fg_block *t1;
			struct fact f;

			state_copy(st, &sim);
			if (branch_fact(c, &sim, s, true, &f))
				fact_add(st, f);
			t1 = land(c, s->jt, st, depth + 1, budget);
			state_copy(st, &sim);
			if (branch_fact(c, &sim, s, false, &f))
				fact_add(st, f);
			t = land(c, s->jf, st, depth + 1, budget);
			if (t != t1)
				break;
		} else {
			break;
		}
		if (diff_locs(&sim, e) & c->live[t->id])
			break;
		s = t;
	}
	return s;
}

/* Finish the edge *slot out of a block whose exit state is out. */
static int do_edge(struct vn_ctx *c, const struct vstate *out, const struct fg_block *b,
		   bool taken, struct fg_block **slot, struct vstate *e)
{
	struct fg_block *t;
	struct fact f;
	int budget = MAX_VISITS;

	state_copy(e, out);
	if (branch_fact(c, out, b, taken, &f))
		fact_add(e, f);
	/* skipping blocks leaves the machine as it is on this edge: e */
	t = land(c, *slot, e, 0, &budget);
	if (t != *slot) {
		*slot = t;
		c->changed++;
	}
	return push(c, e, *slot);
}

/*
 * How many instructions from i on only write A and end with A holding
 * what it holds before i (`ldb [0]; and #0xf0` again after a branch on
 * it): none of them is needed.  0 when there is no such run.
 */
static size_t redundant_run(struct vn_ctx *c, const struct vstate *s, const struct fg_block *b,
			    size_t i)
{
	struct vstate sim;
	uint32_t use, def, v;
	size_t j;

	memcpy(sim.r, s->r, sizeof(sim.r));
	for (j = i; j < b->ninsns && j < i + RUN_MAX; j++) {
		opt_use_def(&b->insns[j], &use, &def);
		if (def != OPT_A || opt_insn_must_run(&b->insns[j]) ||
		    step_value(c, &sim, &b->insns[j], &v) != R_A || !v)
			return 0;
		if (v == s->r[R_A])
			return j - i + 1;
		sim.r[R_A] = v;
	}
	return 0;
}

static int visit(struct vn_ctx *c, struct fg_block *b, struct vstate *s, struct vstate *e)
{
	size_t i = 0, run;
	int d, rc;

	state_copy(s, &c->in[b->id]);
	while (i < b->ninsns) {
		run = redundant_run(c, s, b, i);
		if (run > 1) {
			while (run--)
				opt_insn_delete(b, i);
			c->changed++;
		} else if (!rewrite_insn(c, s, b, i)) {
			i++;
		}
	}
	if (c->ir->arena->failed)
		return -ENOMEM;
	d = decide_branch(c, s, b);
	if (d >= 0) {
		fg_block_jump(b, d ? b->jt : b->jf);
		c->changed++;
	}
	if (b->term == FG_TERM_BRANCH) {
		rc = do_edge(c, s, b, true, &b->jt, e);
		if (rc == 0)
			rc = do_edge(c, s, b, false, &b->jf, e);
		return rc;
	}
	if (b->term == FG_TERM_JUMP)
		return do_edge(c, s, b, true, &b->jt, e);
	return 0;
}

static int scratch_state(struct vn_ctx *c, struct vstate *s)
{
	s->f = fg_arena_alloc(c->ir->arena, (MAX_FACTS + 1) * sizeof(*s->f));
	return s->f ? 0 : -ENOMEM;
}

/* requires: a checked IR; keeps: every verdict, the checker's invariants; breaks: nothing (leaves unreachable blocks, dead loads and empty blocks to opt_dce) */
int opt_vn(struct fg_ir *ir)
{
	struct vn_ctx c;
	struct fg_block **order;
	struct vstate s, e;
	size_t n, i;
	int rc = fg_ir_rpo(ir, &order, &n);

	if (rc < 0 || n == 0)
		return rc;
	memset(&c, 0, sizeof(c));
	c.ir = ir;
	c.in = fg_arena_alloc(ir->arena, (ir->nblocks + 1) * sizeof(*c.in));
	c.live = opt_live_in(ir, order, n);
	node_new(&c, VN_UNKNOWN, 0, 0, 0);	/* number 0 means "none" */
	for (i = 0; i < MAX_DEPTH; i++)
		scratch_state(&c, &c.stack[i]);
	if (!c.in || !c.live || scratch_state(&c, &s) < 0 || scratch_state(&c, &e) < 0 ||
	    ir->arena->failed)
		return -ENOMEM;
	/* The machine starts with A = X = 0 and no scratch word written. */
	c.in[order[0]->id].f = fg_arena_alloc(ir->arena, sizeof(struct fact));
	c.in[order[0]->id].set = true;
	c.in[order[0]->id].r[R_A] = c.in[order[0]->id].r[R_X] = vn_const(&c, 0);
	for (i = 0; i < n && rc == 0; i++)
		if (c.in[order[i]->id].set)
			rc = visit(&c, order[i], &s, &e);
	if (rc == 0 && ir->arena->failed)
		rc = -ENOMEM;
	return rc < 0 ? rc : c.changed;
}
