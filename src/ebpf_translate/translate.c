/*
 * translate.c -- cBPF to eBPF: the analyses that decide what to emit.
 *
 * Classic jumps only go forward, so every dataflow problem is one pass in
 * program order (forward problems) or in reverse order (backward ones):
 *   reachability    unreachable instructions are never emitted (the
 *                   verifier rejects dead code);
 *   liveness of A/X a pure instruction whose result nobody reads is dropped,
 *                   A and X are zeroed at entry only if read before written,
 *                   A is saved around a load that clobbers r0 only if live;
 *   M[] init        slots read before a store on some path start at 0;
 *   X constant      an operation on X known to hold k (after `ldx #k` on
 *                   every path) uses k as an immediate: no guard, and no
 *                   division fix-up by the verifier;
 *   X non-zero      a division by X after an earlier guarded one needs no
 *                   guard;
 *   bounds checks   (tc, xdp) a check at the first load of a region covers
 *                   every direct load that all paths from there execute
 *                   (anticipated need), and is skipped where every path in
 *                   already checked as much (available range); a path
 *                   ending in ret #0 anticipates any extent;
 *   byte order      a 16/32-bit direct load only compared (jeq, jset) with
 *                   constants keeps network order; the constants are swapped.
 * Keeps true: the eBPF program returns what the cBPF program returns on every
 * packet; a failing check only fires where cBPF would return 0 anyway (the
 * load it covers is executed on every path, and every early exit returns 0).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebt_int.h"

/* The linear data a direct load may reach: LDX's signed 16-bit offset. */
#define DIRECT_MAX 0x7fffu

static int fail(struct ebt_ctx *c, int rc, int insn, const char *msg)
{
	if (c->diag) {
		c->diag->insn = insn;
		snprintf(c->diag->msg, sizeof(c->diag->msg), "%s", msg);
	}
	return rc;
}

uint32_t ebt_load_size(uint16_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_W: return 4;
	case BPF_H: return 2;
	default: return 1;
	}
}

static int is_anc(uint32_t k)
{
	return (int32_t)k >= SKF_AD_OFF && (int32_t)k < 0 &&
	       (int32_t)k < SKF_AD_OFF + SKF_AD_MAX;
}

/* How an absolute packet load of size bytes at k is done (not ancillary). */
static enum ebt_load abs_kind(const struct ebt_ctx *c, int32_t k, uint32_t size, uint32_t *off)
{
	if (c->target == EBT_TARGET_SOCKET && c->kern) {
		if (k < 0 || (uint32_t)k + size > EBT_WINDOW_LEN)
			return LD_NATIVE;
		*off = (uint32_t)k;
		return LD_DIRECT;
	}
	if (c->target == EBT_TARGET_SOCKET) {
		int aligned = size == 1 || (size == 2 && !(k & 1)) || (size == 4 && (k & 3) == 2);

		if (!c->window || k < 0 || (uint32_t)k + size > EBT_WINDOW_LEN || !aligned)
			return LD_NATIVE;
		*off = (uint32_t)k;
		return LD_DIRECT;
	}
	if (c->target == EBT_TARGET_XDP && k < 0 && k >= SKF_LL_OFF && k < SKF_NET_OFF)
		k -= SKF_LL_OFF;	/* XDP data starts at the link-layer header */
	if (k >= 0 && (uint32_t)k + size <= DIRECT_MAX) {
		*off = (uint32_t)k;
		return LD_DIRECT;
	}
	if (c->target == EBT_TARGET_TC)
		return LD_NATIVE;
	if (k < 0 && k >= SKF_NET_OFF)
		return LD_ERR;	/* network-header offsets: unknown on XDP */
	return LD_FAIL;
}

/*
 * How the packet load i is done on this target; *off and *size give the
 * byte range of a direct load.  LDX MSH counts as a byte load.  An indirect
 * load where X is a known constant is an absolute one if that is direct.
 */
enum ebt_load ebt_load_kind(const struct ebt_ctx *c, const struct cbpf_insn *i,
			    uint32_t *off, uint32_t *size)
{
	uint16_t cls = BPF_CLASS(i->code), mode = BPF_MODE(i->code);
	int32_t k = (int32_t)i->k;
	size_t pc = (size_t)(i - c->in);

	*off = 0;
	*size = cls == BPF_LDX ? 1 : ebt_load_size(i->code);
	if (!((cls == BPF_LD && (mode == BPF_ABS || mode == BPF_IND)) ||
	      (cls == BPF_LDX && mode == BPF_MSH)))
		return LD_NONE;
	if (mode == BPF_ABS && cls == BPF_LD && is_anc(i->k))
		return LD_ANC;
	if (mode != BPF_IND)
		return abs_kind(c, k, *size, off);
	if (c->xk_known && pc < c->n && c->xk_known[pc] &&
	    (uint64_t)c->xk[pc] + i->k < 0x80000000u &&
	    abs_kind(c, (int32_t)(c->xk[pc] + i->k), *size, off) == LD_DIRECT)
		return LD_DIRECT;
	*off = 0;
	if (c->target == EBT_TARGET_XDP)
		return LD_XDP_IND;
	if (c->kern && k >= 0 && (uint32_t)k + *size <= DIRECT_MAX)
		return LD_PTR_IND;
	return LD_NATIVE;
}

/* Successors of pc: up to two; returns how many. */
static int succs(const struct ebt_ctx *c, size_t pc, size_t s[2])
{
	const struct cbpf_insn *i = &c->in[pc];
	uint32_t off, size;

	switch (BPF_CLASS(i->code)) {
	case BPF_RET:
		return 0;
	case BPF_JMP:
		if (BPF_OP(i->code) == BPF_JA) {
			s[0] = pc + 1 + i->k;
			return 1;
		}
		s[0] = pc + 1 + i->jt;
		s[1] = pc + 1 + i->jf;
		return s[0] == s[1] ? 1 : 2;
	default:
		if (ebt_load_kind(c, i, &off, &size) == LD_FAIL)
			return 0;
		s[0] = pc + 1;
		return 1;
	}
}

static void reachability(struct ebt_ctx *c)
{
	size_t pc, s[2];
	int k, ns;

	c->reach[0] = 1;
	for (pc = 0; pc < c->n; pc++) {
		if (!c->reach[pc])
			continue;
		ns = succs(c, pc, s);
		for (k = 0; k < ns; k++)
			c->reach[s[k]] = 1;
	}
}

/* Register uses and definitions; *pure when it has no effect but its def. */
static void use_def(const struct cbpf_insn *i, int *use, int *def, int *pure)
{
	uint16_t code = i->code;

	*use = *def = 0;
	*pure = 0;
	switch (BPF_CLASS(code)) {
	case BPF_LD:
		*def = 1;
		*pure = BPF_MODE(code) == BPF_IMM || BPF_MODE(code) == BPF_MEM ||
			BPF_MODE(code) == BPF_LEN;
		if (BPF_MODE(code) == BPF_IND)
			*use = 2;
		if (BPF_MODE(code) == BPF_ABS && i->k == (uint32_t)(SKF_AD_OFF + SKF_AD_ALU_XOR_X))
			*use = 3, *pure = 1;
		break;
	case BPF_LDX:
		*def = 2;
		*pure = BPF_MODE(code) != BPF_MSH;
		break;
	case BPF_ST: *use = 1; break;
	case BPF_STX: *use = 2; break;
	case BPF_ALU:
		*use = BPF_OP(code) == BPF_NEG || BPF_SRC(code) == BPF_K ? 1 : 3;
		*def = 1;
		*pure = !(BPF_SRC(code) == BPF_X &&
			  (BPF_OP(code) == BPF_DIV || BPF_OP(code) == BPF_MOD));
		break;
	case BPF_JMP:
		if (BPF_OP(code) != BPF_JA)
			*use = BPF_SRC(code) == BPF_X ? 3 : 1;
		break;
	case BPF_RET:
		*use = BPF_RVAL(code) == BPF_A ? 1 : 0;
		break;
	case BPF_MISC:
		*use = BPF_MISCOP(code) == BPF_TAX ? 1 : 2;
		*def = BPF_MISCOP(code) == BPF_TAX ? 2 : 1;
		*pure = 1;
		break;
	}
}

/* Backward liveness of A (bit 1) and X (bit 2), dropping dead pure defs. */
static void liveness(struct ebt_ctx *c)
{
	uint8_t *in = calloc(c->n + 1, 1);
	size_t pc, s[2];
	int k, ns, use, def, pure, out;

	if (!in) {
		c->err = -ENOMEM;
		return;
	}
	for (pc = c->n; pc-- > 0;) {
		if (!c->reach[pc])
			continue;
		ns = succs(c, pc, s);
		for (out = 0, k = 0; k < ns; k++)
			out |= in[s[k]];
		use_def(&c->in[pc], &use, &def, &pure);
		if (BPF_CLASS(c->in[pc].code) == BPF_ALU && BPF_SRC(c->in[pc].code) == BPF_X &&
		    c->xk_known[pc] && c->xk[pc] != 0) {
			int op = BPF_OP(c->in[pc].code);

			use &= ~2;	/* X is an immediate here */
			pure = 1;
			if ((op == BPF_LSH || op == BPF_RSH) && c->xk[pc] >= 32)
				use = 0;	/* A = 0 */
		}
		if (BPF_CLASS(c->in[pc].code) == BPF_JMP && BPF_SRC(c->in[pc].code) == BPF_X &&
		    BPF_OP(c->in[pc].code) != BPF_JA && c->xk_known[pc])
			use &= ~2;
		c->a_live_out[pc] = out & 1;
		if (pure && def && !(out & def)) {
			c->dead[pc] = 1;
			c->st.dead++;
			in[pc] = (uint8_t)out;
			continue;
		}
		in[pc] = (uint8_t)((out & ~def) | use);
	}
	c->a_live_in = in[0] & 1;
	c->x_live_in = (in[0] >> 1) & 1;
	free(in);
}

/* Forward: M[] slots stored on every path, X known non-zero. */
static int forward(struct ebt_ctx *c)
{
	uint16_t *minit = malloc((c->n + 1) * sizeof(*minit));
	uint8_t *seen = calloc(c->n + 1, 1);
	size_t pc, s[2];
	int k, ns;

	if (!minit || !seen) {
		free(minit);
		free(seen);
		return -ENOMEM;
	}
	memset(c->xnz, 1, c->n);
	memset(c->xmax, 0, (c->n + 1) * sizeof(*c->xmax));
	minit[0] = 0;
	c->xnz[0] = 0;
	c->xk_known[0] = 1;	/* X starts at 0 */
	c->xk[0] = 0;
	seen[0] = 1;
	for (pc = 0; pc < c->n; pc++) {
		const struct cbpf_insn *i = &c->in[pc];
		uint16_t m = minit[pc];
		uint8_t x = c->xnz[pc], xkn = c->xk_known[pc];
		uint32_t xk = c->xk[pc], xm = c->xmax[pc];

		if (!c->reach[pc])
			continue;
		if (BPF_CLASS(i->code) == BPF_ST || BPF_CLASS(i->code) == BPF_STX) {
			m |= (uint16_t)(1u << i->k);
			c->m_used |= (uint16_t)(1u << i->k);
		} else if ((BPF_CLASS(i->code) == BPF_LD || BPF_CLASS(i->code) == BPF_LDX) &&
			   BPF_MODE(i->code) == BPF_MEM && !c->dead[pc]) {
			c->m_used |= (uint16_t)(1u << i->k);
			if (!(m & (1u << i->k)))
				c->m_uninit |= (uint16_t)(1u << i->k);
		}
		if (BPF_CLASS(i->code) == BPF_LDX) {
			x = BPF_MODE(i->code) == BPF_IMM && i->k != 0;
			xkn = BPF_MODE(i->code) == BPF_IMM;
			xk = i->k;
			xm = BPF_MODE(i->code) == BPF_IMM ? i->k :
			     BPF_MODE(i->code) == BPF_MSH ? 60 : UINT32_MAX;
		} else if (i->code == (BPF_MISC | BPF_TAX)) {
			x = 0;
			xkn = 0;
			xm = UINT32_MAX;
		}
		else if (i->code == (BPF_ALU | BPF_DIV | BPF_X) || i->code == (BPF_ALU | BPF_MOD | BPF_X))
			x = 1;	/* the guard returned otherwise */
		ns = succs(c, pc, s);
		for (k = 0; k < ns; k++) {
			minit[s[k]] = seen[s[k]] ? (uint16_t)(minit[s[k]] & m) : m;
			c->xnz[s[k]] = seen[s[k]] ? (uint8_t)(c->xnz[s[k]] & x) : x;
			if (!seen[s[k]] || c->xmax[s[k]] < xm)
				c->xmax[s[k]] = xm;
			if (!seen[s[k]]) {
				c->xk_known[s[k]] = xkn;
				c->xk[s[k]] = xk;
			} else if (!xkn || c->xk[s[k]] != xk) {
				c->xk_known[s[k]] = 0;
			}
			seen[s[k]] = 1;
		}
	}
	free(minit);
	free(seen);
	return 0;
}

/* Does the end of a path at pc (no successors) return 0? */
static int ret0(const struct ebt_ctx *c, size_t pc)
{
	const struct cbpf_insn *i = &c->in[pc];

	if (BPF_CLASS(i->code) == BPF_RET)
		return BPF_RVAL(i->code) == BPF_K && i->k == 0;
	return 1;	/* LD_FAIL */
}

/*
 * Anticipated direct need (backward) and where checks go (forward).  A path
 * that ends in a zero return anticipates everything: a check failing early
 * returns 0 there too, so checks grow to cover the loads of the other paths.
 */
static int bounds(struct ebt_ctx *c)
{
	uint32_t *avail = calloc(c->n + 1, sizeof(*avail));
	uint8_t *seen = calloc(c->n + 1, 1);
	size_t pc, s[2];
	int k, ns;

	if (!avail || !seen) {
		free(avail);
		free(seen);
		return -ENOMEM;
	}
	for (pc = c->n; pc-- > 0;) {
		uint32_t off, size, need = 0, out = UINT32_MAX;

		if (!c->reach[pc])
			continue;
		switch (ebt_load_kind(c, &c->in[pc], &off, &size)) {
		case LD_DIRECT: need = off + size; break;
		case LD_XDP_IND: case LD_PTR_IND: c->direct = 1; break;
		default: break;
		}
		ns = succs(c, pc, s);
		for (k = 0; k < ns; k++)
			out = c->ant[s[k]] < out ? c->ant[s[k]] : out;
		if (ns == 0)	/* ret #0 and a failing load: any check may fail there */
			out = ret0(c, pc) ? UINT32_MAX : 0;
		c->ant[pc] = need > out ? need : out;
		if (need > c->max_need)
			c->max_need = need;
		if (need)
			c->direct = 1, c->st.direct_loads++;
	}
	for (pc = 0; pc < c->n; pc++)	/* "only zero returns ahead": the largest check */
		if (c->ant[pc] > c->max_need)
			c->ant[pc] = c->max_need;
	seen[0] = 1;
	for (pc = 0; pc < c->n; pc++) {
		uint32_t off, size, a = avail[pc];

		if (!c->reach[pc])
			continue;
		if (ebt_load_kind(c, &c->in[pc], &off, &size) == LD_DIRECT && off + size > a) {
			c->check[pc] = 1;
			c->st.checks++;
			a = c->ant[pc];
		}
		ns = succs(c, pc, s);
		for (k = 0; k < ns; k++) {
			avail[s[k]] = seen[s[k]] && avail[s[k]] < a ? avail[s[k]] : a;
			seen[s[k]] = 1;
		}
	}
	free(avail);
	free(seen);
	return 0;
}

/*
 * Byte order: a 16- or 32-bit direct load whose value is only ever compared
 * for equality with, or tested against, constants skips its byte swap; the
 * constants are swapped instead.  The instructions it reaches before A is
 * redefined must be entered only from it (so every use sees one kind of A).
 */
/* Is A read at pc or later, before a redefinition? */
static int a_live_in(const struct ebt_ctx *c, size_t pc)
{
	int use, def, pure;

	use_def(&c->in[pc], &use, &def, &pure);
	return (use & 1) || (c->a_live_out[pc] && !(def & 1));
}

static int swap_region(struct ebt_ctx *c, size_t l, uint32_t size, uint8_t *mark)
{
	size_t pc, s[2];
	int k, ns, use, def, pure, ok = 1;

	memset(mark, 0, c->n + 1);
	mark[l] = 1;
	for (pc = l; pc < c->n && ok; pc++) {	/* forward jumps only: one pass */
		const struct cbpf_insn *i = &c->in[pc];

		if (!mark[pc] || !c->reach[pc])
			continue;
		if (pc != l) {
			use_def(i, &use, &def, &pure);
			if (use & 1) {
				if (BPF_CLASS(i->code) != BPF_JMP || BPF_SRC(i->code) != BPF_K ||
				    (BPF_OP(i->code) != BPF_JEQ && BPF_OP(i->code) != BPF_JSET) ||
				    (BPF_OP(i->code) == BPF_JEQ && size == 2 && i->k > 0xffff))
					ok = 0;
			} else if (def & 1) {
				mark[pc] = 0;	/* A redefined: outside the region */
				continue;
			}
		}
		ns = succs(c, pc, s);
		for (k = 0; k < ns; k++)
			mark[s[k]] = 2;
	}
	/* single entry: every reachable predecessor of a member reading A is in it */
	for (pc = 0; pc < c->n && ok; pc++) {
		if (!c->reach[pc])
			continue;
		ns = succs(c, pc, s);
		for (k = 0; k < ns; k++)
			if (mark[s[k]] == 2 && !mark[pc] && a_live_in(c, s[k]))
				ok = 0;
	}
	return ok;
}

static int byte_order(struct ebt_ctx *c)
{
	uint8_t *mark = malloc(c->n + 1);
	size_t pc, q;

	if (!mark)
		return -ENOMEM;
	for (pc = 0; pc < c->n; pc++) {
		uint32_t off, size;

		if (!c->reach[pc] || c->dead[pc] || BPF_CLASS(c->in[pc].code) != BPF_LD ||
		    ebt_load_kind(c, &c->in[pc], &off, &size) != LD_DIRECT || size == 1 ||
		    !swap_region(c, pc, size, mark))
			continue;
		c->aswap[pc] |= EBT_SWAP_SKIP;
		for (q = pc + 1; q < c->n; q++)
			if (mark[q] == 2)
				c->aswap[q] = (uint8_t)(c->aswap[q] | size);
	}
	free(mark);
	return 0;
}

/* Loads with no eBPF equivalent on this target. */
static int check_supported(struct ebt_ctx *c)
{
	size_t pc;

	for (pc = 0; pc < c->n; pc++) {
		const struct cbpf_insn *i = &c->in[pc];
		uint32_t off, size;
		enum ebt_load lk;
		int32_t a;

		if (!c->reach[pc])
			continue;
		lk = ebt_load_kind(c, i, &off, &size);
		if (lk == LD_ERR)
			return fail(c, -EOPNOTSUPP, (int)pc,
				    "XDP has no network header offset (SKF_NET_OFF load)");
		if (lk != LD_ANC)
			continue;
		a = (int32_t)i->k - SKF_AD_OFF;
		if (a == SKF_AD_PAY_OFFSET || a == SKF_AD_NLATTR || a == SKF_AD_NLATTR_NEST ||
		    a == SKF_AD_HATYPE)
			return fail(c, -EOPNOTSUPP, (int)pc,
				    a == SKF_AD_PAY_OFFSET ? "ld #poff has no eBPF equivalent" :
				    a == SKF_AD_HATYPE ? "ld #hatype has no eBPF equivalent" :
				    "ld #nla/#nlan has no eBPF equivalent");
		if (c->target == EBT_TARGET_XDP && a != SKF_AD_IFINDEX && a != SKF_AD_CPU &&
		    a != SKF_AD_RANDOM && a != SKF_AD_ALU_XOR_X)
			return fail(c, -EOPNOTSUPP, (int)pc,
				    "this ancillary load needs an sk_buff, which XDP does not have");
	}
	return 0;
}

/* Socket filters have r8 and r9 free: the first two M[] slots live there. */
static void place_memory(struct ebt_ctx *c)
{
	int i, reg = R_DATA, last = R_END;

	if (c->direct)	/* r8, r9: data, data_end; socket: r9 counts the window */
		last = c->target == EBT_TARGET_SOCKET && !c->kern ? R_DATA : R_DATA - 1;
	for (i = 0; i < 16; i++) {
		c->m_reg[i] = 0;
		if (!(c->m_used & (1u << i)) || reg > last)
			continue;
		c->m_reg[i] = reg++;
	}
}

static int alloc_ctx(struct ebt_ctx *c)
{
	size_t n = c->n + 1;

	c->reach = calloc(n, 1);
	c->dead = calloc(n, 1);
	c->a_live_out = calloc(n, 1);
	c->xnz = calloc(n, 1);
	c->xk_known = calloc(n, 1);
	c->xk = calloc(n, sizeof(*c->xk));
	c->xmax = calloc(n, sizeof(*c->xmax));
	c->check = calloc(n, 1);
	c->ant = calloc(n, sizeof(*c->ant));
	c->aswap = calloc(n, 1);
	c->addr = calloc(n, sizeof(*c->addr));
	if (!c->reach || !c->dead || !c->a_live_out || !c->xnz || !c->xk_known || !c->xk || !c->xmax || !c->check || !c->ant || !c->aswap || !c->addr)
		return -ENOMEM;
	return 0;
}

static void free_ctx(struct ebt_ctx *c)
{
	free(c->reach);
	free(c->dead);
	free(c->a_live_out);
	free(c->xnz);
	free(c->xk_known);
	free(c->xk);
	free(c->xmax);
	free(c->stub);
	free(c->check);
	free(c->ant);
	free(c->aswap);
	free(c->addr);
	free(c->fix);
}

static int translate(const struct cbpf_insn *insns, size_t n, const struct ebt_opts *opts,
		     int force_ctx, struct ebt_insn **out, size_t *nout, struct ebt_diag *diag,
		     struct ebt_stats *stats);

/* One translation of the whole program; c->in, n, target, action set. */
static int run(struct ebt_ctx *c)
{
	int rc = alloc_ctx(c);

	if (rc == 0) {
		reachability(c);
		rc = check_supported(c);
	}
	if (rc == 0)
		rc = forward(c);	/* X constants, for liveness */
	if (rc == 0) {
		liveness(c);
		rc = c->err;
	}
	if (rc == 0) {
		c->m_used = c->m_uninit = 0;
		rc = forward(c);	/* M[] again, without the dead loads */
	}
	if (rc == 0 && (c->target != EBT_TARGET_SOCKET || c->window || c->kern))
		rc = bounds(c);
	if (rc == 0)
		rc = byte_order(c);
	if (rc == 0) {
		place_memory(c);
		rc = ebt_emit_program(c);
	}
	return rc;
}

/* What the kernel will hold: LD_ABS/LD_IND expand to 6 or 7 instructions. */
static size_t xlated_estimate(const struct ebt_ctx *c)
{
	size_t k, n = 0;

	for (k = 0; k < c->nout; k++) {
		uint8_t code = c->out[k].code;

		if (BPF_CLASS(code) == BPF_LD && (BPF_MODE(code) == BPF_ABS || BPF_MODE(code) == BPF_IND))
			n += BPF_MODE(code) == BPF_IND && c->out[k].imm ? 7 : 6;
		else
			n++;
	}
	return n;
}

static void init_ctx(struct ebt_ctx *c, const struct cbpf_insn *insns, size_t n,
		     const struct ebt_opts *opts, struct ebt_diag *diag, int window)
{
	memset(c, 0, sizeof(*c));
	c->in = insns;
	c->n = n;
	c->diag = diag;
	c->target = opts->target;
	c->action = opts->action;
	c->window = window;
	if (opts->target == EBT_TARGET_SOCKET && opts->sz >= offsetof(struct ebt_opts, kernel) +
	    sizeof(opts->kernel) && opts->kernel && opts->kernel->cast_ctx_id > 0)
		c->kern = opts->kernel;
}

int ebt_translate(const struct cbpf_insn *insns, size_t n, const struct ebt_opts *opts,
		  struct ebt_insn **out, size_t *nout, struct ebt_diag *diag,
		  struct ebt_stats *stats)
{
	return translate(insns, n, opts, 0, out, nout, diag, stats);
}

int ebt_translate_ctx(const struct cbpf_insn *insns, size_t n, const struct ebt_opts *opts,
		      int force_ctx, struct ebt_insn **out, size_t *nout, struct ebt_diag *diag)
{
	return translate(insns, n, opts, force_ctx, out, nout, diag, NULL);
}

static int translate(const struct cbpf_insn *insns, size_t n, const struct ebt_opts *opts,
		     int force_ctx, struct ebt_insn **out, size_t *nout, struct ebt_diag *diag,
		     struct ebt_stats *stats)
{
	struct ebt_ctx c, w;
	struct cbpf_diag cd;
	int rc;

	memset(&c, 0, sizeof(c));
	c.diag = diag;
	if (diag) {
		diag->insn = -1;
		diag->msg[0] = '\0';
	}
	if (!opts || opts->sz < offsetof(struct ebt_opts, kernel) || !out || !nout || opts->target > EBT_TARGET_XDP)
		return fail(&c, -EINVAL, -1, "bad arguments");
	rc = cbpf_validate(insns, n, CBPF_FLAVOR_SOCKET, &cd);
	if (rc < 0)
		return fail(&c, rc, cd.insn, cd.msg);
	init_ctx(&c, insns, n, opts, diag, 0);
	c.force_ctx = force_ctx;
	rc = run(&c);
	if (rc == 0 && opts->target == EBT_TARGET_SOCKET && !c.kern) {
		/* socket filters: LD_ABS everywhere, or the stack window: the smaller */
		init_ctx(&w, insns, n, opts, diag, 1);
		w.force_ctx = force_ctx;
		if (run(&w) == 0 && xlated_estimate(&w) < xlated_estimate(&c)) {
			free(c.out);
			free_ctx(&c);
			c = w;
		} else {
			free(w.out);
			free_ctx(&w);
		}
	}
	if (rc == -E2BIG)
		fail(&c, rc, -1, "the program is too large for eBPF jump offsets");
	else if (rc == -ENOMEM)
		fail(&c, rc, -1, "out of memory");
	if (rc == 0) {
		*out = (struct ebt_insn *)c.out;
		*nout = c.nout;
		c.out = NULL;
		if (stats)
			*stats = c.st;
	}
	free(c.out);
	free_ctx(&c);
	return rc;
}

void ebt_free(void *p)
{
	free(p);
}

const char *ebt_target_name(enum ebt_target t)
{
	switch (t) {
	case EBT_TARGET_SOCKET: return "socket";
	case EBT_TARGET_TC: return "tc";
	case EBT_TARGET_XDP: return "xdp";
	}
	return "?";
}

int ebt_target_parse(const char *s, enum ebt_target *t)
{
	int i;

	for (i = EBT_TARGET_SOCKET; i <= EBT_TARGET_XDP; i++)
		if (strcmp(s, ebt_target_name((enum ebt_target)i)) == 0) {
			*t = (enum ebt_target)i;
			return 0;
		}
	return -EINVAL;
}
