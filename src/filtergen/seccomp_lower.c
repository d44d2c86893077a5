/*
 * seccomp_lower.c -- lower a seccomp policy into the IR.
 *
 * Shape of the program:
 *   ld [4]; one jeq per AUDIT_ARCH_* value; ret <badarch action>
 *   per architecture value: ld [0]; a range tree over the syscall number
 *   whose leaves are outcomes.
 * The number space of x86_64's AUDIT_ARCH value is shared: numbers below
 * the x32 bit (0x40000000) are x86_64's, numbers with it x32's; the half
 * of an ABI not in the policy gets the bad-arch action (nr -1, a syscall
 * a tracer skipped, gets the default action).  Every syscall number maps
 * to an outcome: the rules that name it, in order, up to the first one
 * without a condition, then that rule's action or the default action.
 * Numbers in a row with the same outcome form one range; the tree splits
 * the ranges with `jge`, balancing the count of syscall numbers (of the
 * known table) on each side, so the common case needs about log2(ranges)
 * tests and no range of unused numbers costs a test per number.
 * OCI profiles get runc's -ENOSYS stub as ranges laid over these
 * (enosys_ranges), so it costs no test where it meets the default's range.
 * Argument tests read struct seccomp_data (little-endian ABIs): the low
 * word of argument i at 16 + 8i, the high word at 20 + 8i.  Arguments the
 * kernel declares int (sc_arg32_mask) and every argument of 32-bit ABIs are
 * compared on their low word alone, as the kernel truncates them; others
 * on both words.
 * Keeps true: a path that allows a syscall with no condition loads only
 * the arch and the number (the kernel's action cache can prove it); only
 * ld [k] (k < 64, aligned), jumps, `and #k` and ret are used.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "seccomp_int.h"

#define X32_BIT 0x40000000u
#define OFF_NR 0
#define OFF_ARCH 4
#define OFF_ARG_LO(i) (16u + 8u * (i))
#define OFF_ARG_HI(i) (20u + 8u * (i))

/* What a syscall number leads to. */
struct outcome {
	const size_t *rules;	/* indexes into pol.rules, conditional ones then maybe the decider */
	size_t nrules;
	uint32_t final;		/* action when no conditional rule matched */
	unsigned w32;		/* 32-bit argument mask (per syscall name) */
	bool is32;		/* 32-bit ABI */
	struct fg_block *blk;	/* lowered, once */
};

struct range {
	uint32_t lo, hi;
	size_t out;		/* index into outcomes */
	double weight;
};

struct lw {
	struct sc_ctx *c;
	struct fg_ir *ir;
	struct outcome *outs;
	size_t nouts, outcap;
	struct range *r;
	size_t nr, rcap;
	struct fg_block *rets[16];
	uint32_t retk[16];
	size_t nrets;
	int err;
};

/* ---- blocks ---- */

static struct fg_block *block(struct lw *l)
{
	struct fg_block *b = fg_block_new(l->ir);

	if (!b)
		l->err = -ENOMEM;
	return b;
}

static struct fg_block *ret_block(struct lw *l, uint32_t action)
{
	struct fg_block *b;
	size_t i;

	for (i = 0; i < l->nrets; i++)
		if (l->retk[i] == action)
			return l->rets[i];
	b = block(l);
	if (!b)
		return NULL;
	fg_block_ret(b, BPF_RET | BPF_K, action);
	if (l->nrets < sizeof(l->rets) / sizeof(l->rets[0])) {
		l->retk[l->nrets] = action;
		l->rets[l->nrets++] = b;
	}
	return b;
}

/* A block `[ld [off];] jcode k` as a condition. */
static struct fg_cond test(struct lw *l, int off, uint16_t op, uint32_t k)
{
	struct fg_block *b = block(l);

	if (!b)
		return fg_cond_const(false);
	if (off >= 0 && fg_block_add(l->ir, b, BPF_LD | BPF_W | BPF_ABS, (uint32_t)off))
		l->err = -ENOMEM;
	fg_block_branch(b, BPF_JMP | op | BPF_K, k);
	return fg_cond_block(l->ir, b);
}

/* (word at off & m) == v */
static struct fg_cond masked(struct lw *l, unsigned off, uint32_t m, uint32_t v)
{
	struct fg_block *b;

	if (v & ~m)
		return fg_cond_const(false);
	if (m == 0)
		return fg_cond_const(true);
	if (m == 0xffffffffu)
		return test(l, (int)off, BPF_JEQ, v);
	b = block(l);
	if (!b)
		return fg_cond_const(false);
	if (fg_block_add(l->ir, b, BPF_LD | BPF_W | BPF_ABS, off) ||
	    fg_block_add(l->ir, b, BPF_ALU | BPF_AND | BPF_K, m))
		l->err = -ENOMEM;
	fg_block_branch(b, BPF_JMP | BPF_JEQ | BPF_K, v);
	return fg_cond_block(l->ir, b);
}

/* ---- argument comparisons ---- */

/* word OP k on one 32-bit word (op: SC_EQ..SC_GE). */
static struct fg_cond cmp32(struct lw *l, unsigned off, enum sc_op op, uint32_t k)
{
	switch (op) {
	case SC_EQ: return test(l, (int)off, BPF_JEQ, k);
	case SC_NE: return fg_cond_not(test(l, (int)off, BPF_JEQ, k));
	case SC_GT: return test(l, (int)off, BPF_JGT, k);
	case SC_GE: return k == 0 ? fg_cond_const(true) : test(l, (int)off, BPF_JGE, k);
	case SC_LT: return k == 0 ? fg_cond_const(false) : fg_cond_not(test(l, (int)off, BPF_JGE, k));
	case SC_LE: return fg_cond_not(test(l, (int)off, BPF_JGT, k));
	default: return fg_cond_const(false);
	}
}

/* arg > k (strict) or arg >= k on 64 bits: hi > kh || (hi == kh && lo OP kl) */
static struct fg_cond order64(struct lw *l, unsigned arg, bool strict, uint64_t k)
{
	uint32_t kh = (uint32_t)(k >> 32), kl = (uint32_t)k;
	struct fg_cond above, same, low;

	if (!strict && k == 0)
		return fg_cond_const(true);
	if (kh == 0xffffffffu) {
		/* nothing is above: hi == kh && lo OP kl */
		same = test(l, (int)OFF_ARG_HI(arg), BPF_JEQ, kh);
		low = test(l, (int)OFF_ARG_LO(arg), strict ? BPF_JGT : BPF_JGE, kl);
		return fg_cond_and(l->ir, same, low);
	}
	above = test(l, (int)OFF_ARG_HI(arg), BPF_JGT, kh);
	same = test(l, -1, BPF_JEQ, kh);	/* A still holds the high word */
	low = test(l, (int)OFF_ARG_LO(arg), strict ? BPF_JGT : BPF_JGE, kl);
	return fg_cond_or(l->ir, above, fg_cond_and(l->ir, same, low));
}

static struct fg_cond cmp64(struct lw *l, unsigned arg, enum sc_op op, uint64_t k)
{
	switch (op) {
	case SC_EQ:
		return fg_cond_and(l->ir, test(l, (int)OFF_ARG_HI(arg), BPF_JEQ, (uint32_t)(k >> 32)),
				   test(l, (int)OFF_ARG_LO(arg), BPF_JEQ, (uint32_t)k));
	case SC_NE: return fg_cond_not(cmp64(l, arg, SC_EQ, k));
	case SC_GT: return k == UINT64_MAX ? fg_cond_const(false) : order64(l, arg, true, k);
	case SC_GE: return order64(l, arg, false, k);
	case SC_LT: return fg_cond_not(order64(l, arg, false, k));
	case SC_LE: return k == UINT64_MAX ? fg_cond_const(true) : fg_cond_not(order64(l, arg, true, k));
	default: return fg_cond_const(false);
	}
}

/*
 * A value compared with a 32-bit argument: its low word when it is a
 * 32-bit number or one sign-extended (-1 for an int); *out_of_range
 * otherwise.
 */
static uint32_t narrow(uint64_t v, bool *out_of_range)
{
	uint32_t hi = (uint32_t)(v >> 32);

	*out_of_range = !(hi == 0 || (hi == 0xffffffffu && (v & 0x80000000u)));
	return (uint32_t)v;
}

/* A comparison of a 32-bit argument with a value it can never hold. */
static struct fg_cond out_of_range32(enum sc_op op)
{
	/* the value is above every 32-bit one */
	switch (op) {
	case SC_NE: case SC_LT: case SC_LE: return fg_cond_const(true);
	default: return fg_cond_const(false);
	}
}

static struct fg_cond cmp_arg(struct lw *l, const struct sc_expr *e, bool w32)
{
	unsigned lo = OFF_ARG_LO(e->arg), hi = OFF_ARG_HI(e->arg);
	bool oor;
	uint32_t a;

	if (e->op == SC_RANGE) {
		struct sc_expr ge = *e, le = *e;

		ge.op = SC_GE;
		le.op = SC_LE;
		le.a = e->b;
		return fg_cond_and(l->ir, cmp_arg(l, &ge, w32), cmp_arg(l, &le, w32));
	}
	if (e->op == SC_MASKED_EQ) {
		if (w32) {
			/* the argument's high word is 0 to the kernel: the value must fit */
			a = narrow(e->b, &oor);
			return oor ? fg_cond_const(false) : masked(l, lo, (uint32_t)e->a, a);
		}
		return fg_cond_and(l->ir, masked(l, hi, (uint32_t)(e->a >> 32), (uint32_t)(e->b >> 32)),
				   masked(l, lo, (uint32_t)e->a, (uint32_t)e->b));
	}
	if (!w32)
		return cmp64(l, e->arg, e->op, e->a);
	a = narrow(e->a, &oor);
	if (oor)
		return out_of_range32(e->op);
	return cmp32(l, lo, e->op, a);
}

static struct fg_cond cond(struct lw *l, const struct sc_expr *e, const struct outcome *o)
{
	switch (e->kind) {
	case SC_E_AND: return fg_cond_and(l->ir, cond(l, e->l, o), cond(l, e->r, o));
	case SC_E_OR: return fg_cond_or(l->ir, cond(l, e->l, o), cond(l, e->r, o));
	case SC_E_NOT: return fg_cond_not(cond(l, e->l, o));
	default: return cmp_arg(l, e, o->is32 || ((o->w32 >> e->arg) & 1));
	}
}

/* The code of an outcome: each rule's test in order, then the final action. */
static struct fg_block *outcome_block(struct lw *l, struct outcome *o)
{
	struct fg_block *next;
	size_t i;

	if (o->blk)
		return o->blk;
	next = ret_block(l, o->final);
	for (i = o->nrules; i-- > 0 && next;) {
		const struct sc_rule *r = &l->c->pol.rules[o->rules[i]];
		struct fg_block *yes = ret_block(l, r->action);
		struct fg_cond c = cond(l, r->cond, o);

		if (!yes)
			return NULL;
		if (c.kind == FG_COND_TRUE) {
			next = yes;
		} else if (c.kind == FG_COND_CODE) {
			fg_patch_to(c.t, yes);
			fg_patch_to(c.f, next);
			next = c.entry;
		}
	}
	o->blk = next;
	return next;
}

/* ---- outcomes of syscall numbers ---- */

static int hit_cmp(const void *a, const void *b)
{
	const struct sc_hit *x = a, *y = b;

	if (x->nr != y->nr)
		return x->nr < y->nr ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static bool same_outcome(const struct outcome *a, const struct outcome *b)
{
	if (a->final != b->final || a->nrules != b->nrules)
		return false;
	if (a->nrules == 0)
		return true;
	return a->w32 == b->w32 && a->is32 == b->is32 &&
	       memcmp(a->rules, b->rules, a->nrules * sizeof(a->rules[0])) == 0;
}

/* The index of an outcome equal to o, adding it if new; -1 when out of memory. */
static long outcome_id(struct lw *l, const struct outcome *o)
{
	size_t i;

	for (i = 0; i < l->nouts; i++)
		if (same_outcome(&l->outs[i], o))
			return (long)i;
	if (fg_arena_grow(l->c->arena, (void **)&l->outs, &l->outcap, l->nouts + 1, sizeof(*o))) {
		l->err = -ENOMEM;
		return -1;
	}
	l->outs[l->nouts] = *o;
	return (long)l->nouts++;
}

static int range_add(struct lw *l, uint32_t lo, uint32_t hi, long out)
{
	if (out < 0)
		return l->err;
	if (l->nr > 0 && l->r[l->nr - 1].out == (size_t)out && l->r[l->nr - 1].hi + 1 == lo) {
		l->r[l->nr - 1].hi = hi;
		return 0;
	}
	if (fg_arena_grow(l->c->arena, (void **)&l->r, &l->rcap, l->nr + 1, sizeof(*l->r)))
		return l->err = -ENOMEM;
	l->r[l->nr].lo = lo;
	l->r[l->nr].hi = hi;
	l->r[l->nr].out = (size_t)out;
	l->r[l->nr].weight = 0;
	l->nr++;
	return 0;
}

/* Every (number, rule) pair of an architecture, sorted by number then rule. */
int sc_arch_hits(struct sc_ctx *c, enum sc_arch arch, struct sc_hit **out, size_t *n)
{
	const struct sc_policy *pol = &c->pol;
	struct sc_hit *h = NULL;
	size_t i, j, cap = 0;

	*n = 0;
	for (i = 0; i < pol->nrules; i++) {
		for (j = 0; j < pol->rules[i].nnames; j++) {
			int64_t nr = sc_sys_lookup(arch, pol->rules[i].names[j].name);

			if (nr < 0)
				continue;
			if (fg_arena_grow(c->arena, (void **)&h, &cap, *n + 1, sizeof(*h)))
				return -ENOMEM;
			h[*n].nr = (uint32_t)nr;
			h[*n].rule = i;
			h[(*n)++].name = pol->rules[i].names[j].name;
		}
	}
	if (*n)
		qsort(h, *n, sizeof(*h), hit_cmp);
	*out = h;
	return 0;
}

/* The outcome of the hits h[0..n) of one number (n > 0). */
static long hits_outcome(struct lw *l, enum sc_arch arch, const struct sc_hit *h, size_t n)
{
	const struct sc_policy *pol = &l->c->pol;
	struct outcome o = { 0 };
	size_t *rules = fg_arena_alloc(l->c->arena, n * sizeof(*rules)), i;

	if (!rules) {
		l->err = -ENOMEM;
		return -1;
	}
	o.final = pol->def_action;
	o.is32 = sc_arch_is32(arch);
	o.w32 = sc_arg32_mask(h[0].name);
	for (i = 0; i < n; i++) {
		if (i > 0 && h[i].rule == h[i - 1].rule)
			continue;	/* a rule naming the syscall twice */
		if (!pol->rules[h[i].rule].cond) {
			o.final = pol->rules[h[i].rule].action;
			break;
		}
		rules[o.nrules++] = h[i].rule;
	}
	o.rules = rules;
	return outcome_id(l, &o);
}

/* The ranges of [lo, hi] for one ABI: its syscalls' outcomes, the default in between. */
static int abi_ranges(struct lw *l, enum sc_arch arch, uint32_t lo, uint32_t hi)
{
	struct outcome def = { 0 };
	struct sc_hit *h;
	size_t n, i, j;
	uint32_t at = lo;
	long d;

	def.final = l->c->pol.def_action;
	d = outcome_id(l, &def);
	if (d < 0 || sc_arch_hits(l->c, arch, &h, &n))
		return l->err ? l->err : -ENOMEM;
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && h[j].nr == h[i].nr; j++)
			;
		if (h[i].nr < at || h[i].nr > hi)
			continue;
		if (h[i].nr > at && range_add(l, at, h[i].nr - 1, d))
			return l->err;
		if (range_add(l, h[i].nr, h[i].nr, hits_outcome(l, arch, h + i, j - i)))
			return l->err;
		if (h[i].nr == hi)
			return 0;
		at = h[i].nr + 1;
	}
	return range_add(l, at, hi, d);
}

static bool has_arch(const struct sc_policy *p, enum sc_arch a)
{
	size_t i;

	for (i = 0; i < p->narches; i++)
		if (p->arches[i] == a)
			return true;
	return false;
}

uint32_t sc_enosys_last(const struct sc_ctx *c, enum sc_arch arch)
{
	const struct sc_policy *pol = &c->pol;
	uint32_t last = 0;
	size_t i;

	if (!pol->enosys_stub || !has_arch(pol, arch))
		return 0;
	for (i = 0; i < pol->nstub; i++) {
		int64_t nr = sc_sys_lookup(arch, pol->stub_names[i].name);

		if (nr > (int64_t)last)
			last = (uint32_t)nr;
	}
	return last;
}

/* Give [lo, hi] the outcome out, splitting the ranges it overlaps. */
static int overlay(struct lw *l, uint32_t lo, uint32_t hi, long out)
{
	struct range *old = l->r;
	size_t n = l->nr, i;

	l->r = NULL;
	l->nr = l->rcap = 0;
	for (i = 0; i < n && !l->err; i++) {
		struct range r = old[i];

		if (r.hi < lo || r.lo > hi) {
			range_add(l, r.lo, r.hi, (long)r.out);
			continue;
		}
		if (r.lo < lo)
			range_add(l, r.lo, lo - 1, (long)r.out);
		range_add(l, r.lo > lo ? r.lo : lo, r.hi < hi ? r.hi : hi, out);
		if (r.hi > hi)
			range_add(l, hi + 1, r.hi, (long)r.out);
	}
	return l->err;
}

/*
 * runc's stub runs before the filter: on x86_64's AUDIT_ARCH value it tests
 * bit 30 alone, so x86_64's numbers above its last are those with the bit
 * clear (up to 0x3fffffff and 0x80000000..0xbfffffff), x32's those with it
 * set (up to 0x7fffffff and from 0xc0000000, -1 included).
 */
static int enosys_ranges(struct lw *l, enum sc_arch a)
{
	struct outcome nosys = { 0 };
	uint32_t last, l32;
	long e = -1;

	nosys.final = SC_RET_ERRNO | ENOSYS;
	if (a != SC_ARCH_X86_64 && a != SC_ARCH_X32) {
		last = sc_enosys_last(l->c, a);
		if (last == 0 || last == 0xffffffffu)
			return 0;
		return (e = outcome_id(l, &nosys)) < 0 ? l->err : overlay(l, last + 1, 0xffffffffu, e);
	}
	last = sc_enosys_last(l->c, SC_ARCH_X86_64);
	l32 = sc_enosys_last(l->c, SC_ARCH_X32);
	if ((last || l32) && (e = outcome_id(l, &nosys)) < 0)
		return l->err;
	if (last && last < X32_BIT - 1 &&
	    (overlay(l, last + 1, X32_BIT - 1, e) || overlay(l, 0x80000000u, 0xbfffffffu, e)))
		return l->err;
	if (l32 >= X32_BIT && l32 < 0x7fffffffu && overlay(l, l32 + 1, 0x7fffffffu, e))
		return l->err;
	if (l32 >= X32_BIT && overlay(l, 0xc0000000u, 0xffffffffu, e))
		return l->err;
	return 0;
}

/* The ranges for one AUDIT_ARCH value, whose first architecture is a. */
static int token_ranges(struct lw *l, enum sc_arch a)
{
	const struct sc_policy *pol = &l->c->pol;
	struct outcome bad = { 0 }, def = { 0 };
	long b, d;

	l->nr = 0;
	if (a != SC_ARCH_X86_64 && a != SC_ARCH_X32)
		return abi_ranges(l, a, 0, 0xffffffffu) || enosys_ranges(l, a);
	bad.final = pol->badarch_action;
	def.final = pol->def_action;
	if ((b = outcome_id(l, &bad)) < 0 || (d = outcome_id(l, &def)) < 0)
		return l->err;
	if (has_arch(pol, SC_ARCH_X86_64) ? abi_ranges(l, SC_ARCH_X86_64, 0, X32_BIT - 1)
					 : range_add(l, 0, X32_BIT - 1, b))
		return l->err;
	if (has_arch(pol, SC_ARCH_X32) ? abi_ranges(l, SC_ARCH_X32, X32_BIT, 0xfffffffeu)
				      : range_add(l, X32_BIT, 0xfffffffeu, b))
		return l->err;
	return range_add(l, 0xffffffffu, 0xffffffffu, d) || enosys_ranges(l, a);
}

/* ---- the range tree ---- */

/* Weight of a range: how many numbers of the ABI's table it covers (at least a little). */
static void weigh(struct lw *l, enum sc_arch a)
{
	uint32_t base = 0, top = 0;
	size_t i;

	for (i = 0; i < sc_systabs[a].n; i++)
		if (sc_systabs[a].e[i].nr + 1 > top)
			top = sc_systabs[a].e[i].nr + 1;
	if (a == SC_ARCH_X32)
		base = X32_BIT;
	for (i = 0; i < l->nr; i++) {
		uint32_t lo = l->r[i].lo > base ? l->r[i].lo : base;
		uint32_t hi = l->r[i].hi < top - 1 ? l->r[i].hi : top - 1;

		l->r[i].weight = 0.25 + (hi >= lo && top > base ? (double)(hi - lo) + 1 : 0);
	}
}

static struct fg_block *tree(struct lw *l, size_t i, size_t j)
{
	double total = 0, left = 0, best = -1;
	struct fg_block *b;
	size_t k, split = i + 1;

	if (j - i == 1)
		return outcome_block(l, &l->outs[l->r[i].out]);
	for (k = i; k < j; k++)
		total += l->r[k].weight;
	for (k = i + 1; k < j; k++) {
		double d;

		left += l->r[k - 1].weight;
		d = left > total - left ? left - (total - left) : (total - left) - left;
		if (best < 0 || d < best) {
			best = d;
			split = k;
		}
	}
	b = block(l);
	if (!b)
		return NULL;
	fg_block_branch(b, BPF_JMP | BPF_JGE | BPF_K, l->r[split].lo);
	b->jt = tree(l, split, j);
	b->jf = tree(l, i, split);
	return b->jt && b->jf ? b : NULL;
}

/* ld [0] and the tree for one AUDIT_ARCH value. */
static struct fg_block *section(struct lw *l, enum sc_arch a)
{
	struct fg_block *b, *t;

	/* the outcome blocks are per section: conditions depend on the ABI */
	l->nouts = 0;
	if (token_ranges(l, a))
		return NULL;
	weigh(l, a == SC_ARCH_X32 && !has_arch(&l->c->pol, SC_ARCH_X86_64) ? SC_ARCH_X32 : a);
	t = tree(l, 0, l->nr);
	b = block(l);
	if (!t || !b)
		return NULL;
	if (fg_block_add(l->ir, b, BPF_LD | BPF_W | BPF_ABS, OFF_NR)) {
		l->err = -ENOMEM;
		return NULL;
	}
	fg_block_jump(b, t);
	return b;
}

int sc_lower(struct sc_ctx *c, struct fg_ir *ir)
{
	struct lw l;
	struct fg_block *entry, *cur, *miss;
	uint32_t done[SC_NARCH];
	size_t i, k, ndone = 0;

	memset(&l, 0, sizeof(l));
	l.c = c;
	l.ir = ir;
	entry = block(&l);
	if (!entry || fg_block_add(ir, entry, BPF_LD | BPF_W | BPF_ABS, OFF_ARCH))
		return -ENOMEM;
	cur = entry;
	for (i = 0; i < c->pol.narches; i++) {
		enum sc_arch a = c->pol.arches[i];
		uint32_t audit = sc_arch_audit(a);
		struct fg_block *s, *next;

		for (k = 0; k < ndone && done[k] != audit; k++)
			;
		if (k < ndone)
			continue;	/* x32 after x86_64: same value, same section */
		done[ndone++] = audit;
		s = section(&l, a);
		next = block(&l);
		if (!s || !next)
			return l.err ? l.err : -ENOMEM;
		fg_block_branch(cur, BPF_JMP | BPF_JEQ | BPF_K, audit);
		cur->jt = s;
		cur->jf = next;
		cur = next;
	}
	miss = ret_block(&l, c->pol.badarch_action);
	if (!miss)
		return -ENOMEM;
	fg_block_jump(cur, miss);
	ir->entry = entry;
	return l.err ? l.err : (c->arena->failed ? -ENOMEM : 0);
}
