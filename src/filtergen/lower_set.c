/*
 * lower_set.c -- a run of `or`ed ids with the same qualifiers ("host a or
 * host b or net c/24 ...", "port 22 or portrange 6000-6063 or ...") lowered
 * as one membership test instead of one primitive each.
 *
 * The ids become a sorted list of disjoint intervals.  The field is loaded
 * once per protocol alternative (ip, arp, rarp; IPv4, IPv6) behind that
 * alternative's guard, and every alternative jumps into one shared binary
 * search tree of jge comparisons on A whose leaves are short chains of
 * jeq/jgt tests.  Executed instructions grow with log N, size with N.
 * Leaves are as short as the program's size allows (see leaf_size()): two
 * intervals while the estimate stays within the kernel's 4096, longer ones
 * for lists so long that only fewer tree nodes make them fit.
 * "src or dst" tests the source in one tree and, on a miss, the destination
 * in a second; X then holds what addresses the destination in every
 * alternative (the transport offset, or a constant), so no scratch word.
 *
 * Keeps true: the verdict is that of the primitives or'ed one by one (the
 * alternatives' guards exclude each other, or'ed tests have no effects),
 * except where a load runs past the captured bytes; only consecutive ids
 * are grouped, so nothing moves across vlan/mpls/pppoes; an id the set
 * cannot express exactly (src and dst, names of hosts, masks with holes,
 * errors) ends the run and is lowered on its own.
 */
#include <errno.h>
#include <stdlib.h>

#include "lower.h"

#define ETHERTYPE_IP 0x0800u
#define ETHERTYPE_ARP 0x0806u
#define ETHERTYPE_REVARP 0x8035u

/*
 * Intervals at a leaf of the search tree, from this ladder (see
 * leaf_size()), keeping the estimated program within SET_BUDGET
 * instructions (a socket filter holds at most 4096).  Short leaves mean
 * fewer instructions executed (a miss walks a whole leaf), long ones
 * fewer tree nodes.
 */
static const size_t set_leaf_ladder[] = { 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256 };
#define SET_BUDGET 4096
/* Instructions a lookup may execute before leaves get shorter than SET_LEAF_MAX. */
#define SET_EXEC 12
#define SET_LEAF_MAX 6

struct iv {
	uint32_t lo, hi;
};

/* A protocol alternative: its guard and where its source/destination fields are. */
struct alt {
	struct fg_cond guard;
	enum fg_offrel rel;
	uint32_t src_off, dst_off;
	uint16_t size;
};

static void plist_add(struct fg_patch **a, struct fg_patch **a_last, struct fg_patch *b,
		      struct fg_patch *b_last)
{
	if (!b)
		return;
	if (*a)
		(*a_last)->next = b;
	else
		*a = b;
	*a_last = b_last;
}

/* Make sub the successor in *slot of c's block (constants become exits of c). */
static void attach(struct fg_lower *l, struct fg_cond *c, struct fg_block **slot,
		   struct fg_cond sub)
{
	if (sub.kind != FG_COND_CODE) {
		if (fg_cond_add_exit(l->ir, c, sub.kind == FG_COND_TRUE, slot) < 0)
			fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
		return;
	}
	*slot = sub.entry;
	plist_add(&c->t, &c->t_last, sub.t, sub.t_last);
	plist_add(&c->f, &c->f_last, sub.f, sub.f_last);
}

/* One branch on A, with no instructions before it. */
static struct fg_cond branch(struct fg_lower *l, uint16_t jop, bool reverse, uint32_t v)
{
	struct fg_block *b = l->err ? NULL : fg_block_new(l->ir);

	if (!b)
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	return fg_gen_branch(l, b, jop, reverse, v);
}

/* Replace the false exit of c, a single branch, by sub. */
static struct fg_cond else_then(struct fg_lower *l, struct fg_cond c, struct fg_cond sub)
{
	struct fg_block **slot;

	if (c.kind != FG_COND_CODE || !c.f)
		return c;
	slot = c.f->slot;
	c.f = c.f_last = NULL;
	attach(l, &c, slot, sub);
	return c;
}

/*
 * A in the union of the ascending intervals v[i..j), knowing A in
 * [klo, khi]: a chain that tests them in order.  An interval is `jgt #hi`
 * (above it: go on to the next) then `jge #lo` (below it: below every
 * later one too, so a miss at once); a lone value is `jeq`.  A miss costs
 * about one test per interval, not two.
 */
static struct fg_cond leaf(struct fg_lower *l, const struct iv *v, size_t i, size_t j,
			   uint32_t klo, uint32_t khi)
{
	struct iv x;
	struct fg_cond c;

	if (l->err || i == j)
		return fg_cond_const(false);
	x = v[i];
	if (x.lo <= klo && x.hi >= khi)
		return fg_cond_const(true);
	if (x.lo == x.hi)	/* jeq: its false exit goes on */
		return else_then(l, branch(l, BPF_JEQ, false, x.lo), leaf(l, v, i + 1, j, klo, khi));
	if (x.hi >= khi)	/* the last one the range allows */
		return branch(l, BPF_JGE, false, x.lo);
	if (x.lo <= klo)	/* A <= hi: in; else go on */
		return else_then(l, branch(l, BPF_JGT, true, x.hi),
				 leaf(l, v, i + 1, j, x.hi + 1, khi));
	c = branch(l, BPF_JGT, false, x.hi);
	if (c.kind != FG_COND_CODE)
		return c;
	c.t = c.t_last = c.f = c.f_last = NULL;
	attach(l, &c, &c.entry->jt, leaf(l, v, i + 1, j, x.hi + 1, khi));
	attach(l, &c, &c.entry->jf, branch(l, BPF_JGE, false, x.lo));
	return c;
}

/* A in the union of v[i..j), knowing A in [klo, khi]; a tree of jge over leaf chains. */
static struct fg_cond tree(struct fg_lower *l, const struct iv *v, size_t i, size_t j,
			   uint32_t klo, uint32_t khi, size_t lsize)
{
	struct fg_cond c;
	size_t mid;

	if (l->err || i == j)
		return fg_cond_const(false);
	if (j - i <= lsize)
		return leaf(l, v, i, j, klo, khi);
	{
		/* split on a leaf boundary so that leaves are full: fewer internal nodes */
		size_t leaves = (j - i + lsize - 1) / lsize;

		mid = i + (j - i) * (leaves / 2) / leaves;
	}
	c = branch(l, BPF_JGE, false, v[mid].lo);
	if (c.kind != FG_COND_CODE)
		return c;
	/* the branch's own exits are replaced by the subtrees' */
	c.t = c.t_last = c.f = c.f_last = NULL;
	attach(l, &c, &c.entry->jt, tree(l, v, mid, j, v[mid].lo, khi, lsize));
	attach(l, &c, &c.entry->jf, tree(l, v, i, mid, klo, v[mid].lo - 1, lsize));
	return c;
}

/* The smallest r with 2^r >= x. */
static unsigned log2_up(size_t x)
{
	unsigned r = 0;

	while (r < 63 && ((size_t)1 << r) < x)
		r++;
	return r;
}

/*
 * The leaf size for n intervals searched by `trees` trees: the longest
 * leaves (fewest tree nodes) with which a lookup still executes about
 * SET_EXEC instructions or fewer (tree levels, a jump per level whose
 * subtree is out of a branch's reach, the leaf), down to the ladder's
 * first; longer ones only when the program would not fit otherwise.
 */
static size_t leaf_size(const struct iv *v, size_t n, size_t trees)
{
	size_t i, k, ranges = 0, cost, est, L, leaves, best = 0, fit = 0;

	for (i = 0; i < n; i++)
		ranges += v[i].lo != v[i].hi;
	cost = n + ranges;
	for (k = 0; k < sizeof(set_leaf_ladder) / sizeof(set_leaf_ladder[0]); k++) {
		L = set_leaf_ladder[k];
		leaves = (n + L - 1) / L;
		/*
		 * A tree node per leaf, a jump to a far subtree per fourth;
		 * a leaf's first interval needs one test (the node above says
		 * A >= lo); guards and shared returns.
		 */
		est = trees * (cost + leaves * 5 / 4 - leaves * ranges / n) + 56;
		if (est > SET_BUDGET)
			continue;
		if (!fit)
			fit = L;
		if (L <= SET_LEAF_MAX &&
		    log2_up(leaves) + L + log2_up((cost + leaves) / 256 + 1) <= SET_EXEC)
			best = L;
	}
	/* too long to fit whatever the shape: keep the fast one (the emitter will say E2BIG) */
	return best ? best : fit ? fit : set_leaf_ladder[0];
}

static int cmp_iv(const void *a, const void *b)
{
	const struct iv *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort and merge overlapping or adjacent intervals in place; returns the new count. */
static size_t normalize(struct iv *v, size_t n)
{
	size_t i, m = 0;

	qsort(v, n, sizeof(*v), cmp_iv);
	for (i = 0; i < n; i++) {
		if (m && (v[m - 1].hi == UINT32_MAX || v[i].lo <= v[m - 1].hi + 1)) {
			if (v[i].hi > v[m - 1].hi)
				v[m - 1].hi = v[i].hi;
		} else {
			v[m++] = v[i];
		}
	}
	return m;
}

/* The protocol alternatives for a set kind and protocol qualifier; returns how many. */
static size_t alternatives(struct fg_lower *l, const struct fg_set_elem *key, struct alt *a)
{
	static const uint32_t host_types[] = { ETHERTYPE_IP, ETHERTYPE_ARP, ETHERTYPE_REVARP };
	size_t n = 0, t;

	if (key->kind == FG_SET_PORT) {
		a[0] = (struct alt){ fg_gen_port_guard(l, false, key->proto), FG_OR_TRAN_IPV4, 0, 2, BPF_H };
		a[1] = (struct alt){ fg_gen_port_guard(l, true, key->proto), FG_OR_TRAN_IPV6, 0, 2, BPF_H };
		return 2;
	}
	for (t = 0; t < 3; t++) {
		bool want = key->proto == FG_PROTO_DEFAULT ? t == 0 || !l->label_depth :
			    key->proto == (t == 0 ? FG_PROTO_IP : t == 1 ? FG_PROTO_ARP : FG_PROTO_RARP);

		if (want)
			a[n++] = (struct alt){ fg_gen_linktype(l, host_types[t]), FG_OR_LINKPL,
					       t ? 14 : 12, t ? 24 : 16, BPF_W };
	}
	return n;
}

/*
 * Behind each alternative's guard: load the source (or the one field) into
 * A and go on (true exit).  With both directions X is left so that
 * ld [x + *k] loads the destination: an indirect load keeps the X it used
 * (the transport offset), an absolute one gets ldx #(offset - *k).
 * Returns false when the alternatives cannot share one *k (nothing made).
 */
static bool select_field(struct fg_lower *l, const struct alt *a, size_t n, enum fg_dir dir,
			 struct fg_cond *sel, uint32_t *k)
{
	struct fg_block *b[3];
	uint32_t kd[3];
	bool ind[3], have_ind = false;
	size_t i;

	*k = UINT32_MAX;
	for (i = 0; i < n; i++) {
		struct fg_insn *ld;

		b[i] = fg_block_new(l->ir);
		if (!b[i] || fg_gen_load(l, b[i], a[i].rel, dir == FG_DIR_DST ? a[i].dst_off :
					 a[i].src_off, a[i].size) < 0) {
			*sel = fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
			return true;
		}
		ld = &b[i]->insns[b[i]->ninsns - 1];
		ind[i] = BPF_MODE(ld->code) == BPF_IND;
		kd[i] = ld->k + (a[i].dst_off - a[i].src_off);
		if (dir != FG_DIR_DEFAULT || a[i].guard.kind == FG_COND_FALSE)
			continue;
		if (ind[i] && have_ind && kd[i] != *k)
			return false;
		if (ind[i] || (!have_ind && kd[i] < *k))
			*k = kd[i];
		have_ind |= ind[i];
	}
	*sel = fg_cond_const(false);
	for (i = 0; i < n && !l->err; i++) {
		if (a[i].guard.kind == FG_COND_FALSE)
			continue;
		if (dir == FG_DIR_DEFAULT && !ind[i]) {
			if (kd[i] < *k)
				return false;
			if (fg_block_add(l->ir, b[i], BPF_LDX | BPF_IMM, kd[i] - *k) < 0)
				*sel = fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
		}
		*sel = fg_cond_or(l->ir, *sel, fg_cond_and(l->ir, a[i].guard,
							  fg_cond_always(l->ir, b[i])));
	}
	return true;
}

/*
 * (guard1 and f1 in S) or (guard2 and f2 in S) or ..., f the field(s) dir
 * selects; false when the alternatives' fields cannot be addressed alike.
 */
/*
 * Ports at a constant payload offset: each guard leaves X at its transport
 * header (IPv4 header length, or 40), so both reach one shared
 * ld [x + nl + off] by their last branch, with no jump to join them.
 */
static void port_select(struct fg_lower *l, const struct fg_set_elem *key, struct fg_cond *sel,
			uint32_t *k)
{
	uint32_t base = l->off_linkpl.k + l->off_nl;
	struct fg_cond g = fg_gen_port_guard_x(l, false, key->proto);
	struct fg_block *b;

	g = fg_cond_or(l->ir, g, fg_gen_port_guard_x(l, true, key->proto));
	b = fg_block_new(l->ir);
	if (!b || fg_block_add(l->ir, b, BPF_LD | BPF_H | BPF_IND,
			       base + (key->dir == FG_DIR_DST ? 2 : 0)) < 0) {
		*sel = fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
		return;
	}
	*sel = fg_cond_and(l->ir, g, fg_cond_always(l->ir, b));
	*k = base + 2;
}

/*
 * A set of whole /8 or /16 blocks of a 32-bit field needs only the
 * field's first byte or half-word (big-endian: at the same offset), and
 * one comparison fewer per interval than a jgt/jge pair: load that
 * narrower field and scale the intervals down to it.
 */
static void narrow_field(struct alt *a, size_t na, struct iv *v, size_t *n)
{
	static const struct { unsigned shift; uint16_t size; } to[] = { { 24, BPF_B }, { 16, BPF_H } };
	size_t t, i;

	if (!na || a[0].size != BPF_W)
		return;
	for (t = 0; t < 2; t++) {
		uint32_t low = (1u << to[t].shift) - 1;

		for (i = 0; i < *n && !(v[i].lo & low) && (v[i].hi & low) == low; i++)
			;
		if (i < *n)
			continue;
		for (i = 0; i < *n; i++) {
			v[i].lo >>= to[t].shift;
			v[i].hi >>= to[t].shift;
		}
		for (i = 0; i < na; i++)
			a[i].size = to[t].size;
		*n = normalize(v, *n);
		return;
	}
}

static bool set_test(struct fg_lower *l, const struct fg_set_elem *key, struct iv *v,
		     size_t n, struct fg_cond *out)
{
	struct alt a[3];
	size_t na, lsize;
	struct fg_cond sel, t1, c;
	struct fg_block *b;
	uint32_t k = 0;

	if (key->kind == FG_SET_PORT && l->off_linkpl.reg < 0) {
		port_select(l, key, &sel, &k);
		a[0].size = BPF_H;
	} else {
		na = alternatives(l, key, a);
		narrow_field(a, na, v, &n);
		if (!select_field(l, a, na, key->dir, &sel, &k))
			return false;
	}
	*out = sel;
	if (sel.kind != FG_COND_CODE || l->err)
		return true;
	lsize = leaf_size(v, n, key->dir == FG_DIR_DEFAULT ? 2 : 1);
	t1 = tree(l, v, 0, n, 0, UINT32_MAX, lsize);
	if (key->dir != FG_DIR_DEFAULT || t1.kind != FG_COND_CODE) {
		*out = fg_cond_and(l->ir, sel, t1);	/* one field, or a set of every value */
		return true;
	}
	/* a source miss tests the destination: only tree misses get there, not guard misses */
	b = fg_block_new(l->ir);
	if (!b || fg_block_add(l->ir, b, BPF_LD | a[0].size | BPF_IND, k) < 0) {
		*out = fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
		return true;
	}
	c = fg_cond_and(l->ir, fg_cond_always(l->ir, b), tree(l, v, 0, n, 0, UINT32_MAX, lsize));
	fg_patch_to(sel.t, t1.entry);
	fg_patch_to(t1.f, b);
	sel.t = t1.t;
	sel.t_last = t1.t_last;
	plist_add(&sel.t, &sel.t_last, c.t, c.t_last);
	plist_add(&sel.f, &sel.f_last, c.f, c.f_last);
	*out = sel;
	return true;
}

static bool same_key(const struct fg_set_elem *a, const struct fg_set_elem *b)
{
	return a->kind == b->kind && a->proto == b->proto && a->dir == b->dir;
}

size_t fg_lower_set_run(struct fg_lower *l, struct fg_node *const *kids, size_t n,
			struct fg_cond *out)
{
	struct fg_set_elem key, e;
	struct iv *v = NULL;
	size_t len = 0, cap = 0;

	if (l->err || n < FG_SET_MIN_RUN || !fg_id_set_elem(l, kids[0], &key))
		return 0;
	e = key;
	do {
		if (fg_arena_grow(l->arena, (void **)&v, &cap, len + 1, sizeof(*v)) < 0) {
			*out = fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
			return 1;
		}
		v[len].lo = e.lo;
		v[len].hi = e.hi;
		len++;
	} while (len < n && fg_id_set_elem(l, kids[len], &e) && same_key(&key, &e));
	if (len < FG_SET_MIN_RUN)
		return 0;
	l->cur = kids[0]->loc;
	return set_test(l, &key, v, normalize(v, len), out) ? len : 0;
}
