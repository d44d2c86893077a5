/*
 * lower_util.c -- the code-generation helpers every lowering file uses:
 * loads relative to a protocol layer, compares, byte-string compares, the
 * link-layer type test, scratch allocation and error recording.
 *
 * Keeps true: every condition made here is a fresh set of blocks (nothing
 * is shared between conditions), loads never leave X holding anything a
 * caller relies on, and after the first error no further code is made (the
 * helpers return constant conditions so callers need no error checks of
 * their own).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lower.h"

struct fg_cond fg_lower_error(struct fg_lower *l, size_t off, size_t len, int err,
			      const char *fmt, ...)
{
	va_list ap;

	if (!l->err) {
		l->err = err;
		if (off == 0 && len == 0) {
			off = l->cur.off;
			len = l->cur.len;
		}
		if (l->diag) {
			l->diag->offset = off;
			l->diag->length = len;
			va_start(ap, fmt);
			vsnprintf(l->diag->msg, sizeof(l->diag->msg), fmt, ap);
			va_end(ap);
		}
	}
	return fg_cond_const(false);
}

int fg_lower_alloc_reg(struct fg_lower *l)
{
	int r;

	for (r = 0; r < CBPF_MEMWORDS; r++)
		if (!(l->regs_used & (1u << r))) {
			l->regs_used |= 1u << r;
			return r;
		}
	fg_lower_error(l, 0, 0, -E2BIG, "expression too complex: all 16 scratch words are in use");
	return -1;
}

/* The offset of a layer, as constant + optional scratch word. */
static struct fg_off layer_base(const struct fg_lower *l, enum fg_offrel rel)
{
	struct fg_off o = { 0, -1 };

	switch (rel) {
	case FG_OR_PACKET:
		break;
	case FG_OR_LINKHDR:
		o = l->off_linkhdr;
		break;
	case FG_OR_LINKTYPE:
		o = l->off_linktype;
		break;
	case FG_OR_LINKPL_NOSNAP:
		o = l->off_linkpl;
		o.k += l->off_nl_nosnap;
		break;
	case FG_OR_LLC:
		o = l->off_linkpl;
		break;
	case FG_OR_PREV_MPLS:
		o = l->off_linkpl;
		o.k += l->off_nl - 4;
		break;
	case FG_OR_LINKPL:
	case FG_OR_TRAN_IPV4:
	case FG_OR_TRAN_IPV6:
		o = l->off_linkpl;
		o.k += l->off_nl;
		if (rel == FG_OR_TRAN_IPV6)
			o.k += 40;
		break;
	}
	return o;
}

/* X = 4 * (low nibble of the IPv4 header's first byte) + the variable part of base. */
static int load_ipv4_hlen(struct fg_lower *l, struct fg_block *b, struct fg_off base)
{
	int rc = 0;

	if (base.reg < 0)
		return fg_block_add(l->ir, b, BPF_LDX | BPF_B | BPF_MSH, base.k);
	rc |= fg_block_add(l->ir, b, BPF_LDX | BPF_MEM, (uint32_t)base.reg);
	rc |= fg_block_add(l->ir, b, BPF_LD | BPF_B | BPF_IND, base.k);
	rc |= fg_block_add(l->ir, b, BPF_ALU | BPF_AND | BPF_K, 0xf);
	rc |= fg_block_add(l->ir, b, BPF_ALU | BPF_LSH | BPF_K, 2);
	rc |= fg_block_add(l->ir, b, BPF_ALU | BPF_ADD | BPF_X, 0);
	rc |= fg_block_add(l->ir, b, BPF_MISC | BPF_TAX, 0);
	return rc ? -ENOMEM : 0;
}

int fg_gen_load(struct fg_lower *l, struct fg_block *b, enum fg_offrel rel,
		uint32_t off, uint16_t size)
{
	struct fg_off base = layer_base(l, rel);
	int rc;

	if (rel >= FG_OR_LINKPL && l->off_linkpl.k == FG_OFF_NONE && l->off_linkpl.reg < 0) {
		fg_lower_error(l, 0, 0, -EINVAL, "link type %s has its network layer at no known offset",
			       l->link->name);
		return -EINVAL;
	}
	if (rel != FG_OR_PACKET && base.reg < 0 && base.k + off >= (uint32_t)SKF_AD_OFF) {
		fg_lower_error(l, 0, 0, -EINVAL, "a field of this expression lies before the packet "
			       "on link type %s", l->link->name);
		return -EINVAL;
	}
	if (rel == FG_OR_TRAN_IPV4) {
		rc = load_ipv4_hlen(l, b, base);
		if (rc < 0)
			return rc;
		return fg_block_add(l->ir, b, BPF_LD | size | BPF_IND, base.k + off);
	}
	if (base.reg < 0)
		return fg_block_add(l->ir, b, BPF_LD | size | BPF_ABS, base.k + off);
	rc = fg_block_add(l->ir, b, BPF_LDX | BPF_MEM, (uint32_t)base.reg);
	if (rc < 0)
		return rc;
	return fg_block_add(l->ir, b, BPF_LD | size | BPF_IND, base.k + off);
}

int fg_gen_load_ihl(struct fg_lower *l, struct fg_block *b)
{
	return load_ipv4_hlen(l, b, layer_base(l, FG_OR_LINKPL));
}

int fg_gen_load_ind(struct fg_lower *l, struct fg_block *b, enum fg_offrel rel, uint16_t size)
{
	struct fg_off base = layer_base(l, rel);
	int rc = 0, t;

	if (rel == FG_OR_TRAN_IPV4) {
		/* A = index + IPv4 header length (+ the variable part of the base) */
		t = fg_lower_alloc_reg(l);
		if (t < 0)
			return -E2BIG;
		rc |= fg_block_add(l->ir, b, BPF_ST, (uint32_t)t);
		rc |= load_ipv4_hlen(l, b, base);
		rc |= fg_block_add(l->ir, b, BPF_LD | BPF_MEM, (uint32_t)t);
		rc |= fg_block_add(l->ir, b, BPF_ALU | BPF_ADD | BPF_X, 0);
		l->regs_used &= ~(1u << t);
	} else if (base.reg >= 0) {
		rc |= fg_block_add(l->ir, b, BPF_LDX | BPF_MEM, (uint32_t)base.reg);
		rc |= fg_block_add(l->ir, b, BPF_ALU | BPF_ADD | BPF_X, 0);
	}
	rc |= fg_block_add(l->ir, b, BPF_MISC | BPF_TAX, 0);
	rc |= fg_block_add(l->ir, b, BPF_LD | size | BPF_IND, base.k);
	return rc ? -ENOMEM : 0;
}

struct fg_cond fg_gen_branch(struct fg_lower *l, struct fg_block *b, uint16_t jop, bool reverse,
			     uint32_t v)
{
	struct fg_cond c;

	fg_block_branch(b, BPF_JMP | jop | BPF_K, v);
	c = fg_cond_block(l->ir, b);
	return reverse ? fg_cond_not(c) : c;
}

struct fg_cond fg_gen_cmp(struct fg_lower *l, enum fg_offrel rel, uint32_t off, uint16_t size,
			  uint32_t mask, uint16_t jop, bool reverse, uint32_t v)
{
	struct fg_block *b;

	if (l->err)
		return fg_cond_const(false);
	b = fg_block_new(l->ir);
	if (!b || fg_gen_load(l, b, rel, off, size) < 0 ||
	    (mask != 0xffffffffu && fg_block_add(l->ir, b, BPF_ALU | BPF_AND | BPF_K, mask) < 0))
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	return fg_gen_branch(l, b, jop, reverse, v);
}

struct fg_cond fg_gen_eq(struct fg_lower *l, enum fg_offrel rel, uint32_t off, uint16_t size,
			 uint32_t v)
{
	return fg_gen_cmp(l, rel, off, size, 0xffffffffu, BPF_JEQ, false, v);
}

struct fg_cond fg_gen_mcmp(struct fg_lower *l, enum fg_offrel rel, uint32_t off, uint16_t size,
			   uint32_t v, uint32_t mask)
{
	return fg_gen_cmp(l, rel, off, size, mask, BPF_JEQ, false, v);
}

/*
 * libpcap compares byte strings from the end backwards, 4 then 2 then 1
 * bytes at a time; the order does not change the verdict, only which load
 * may stop a truncated packet first, so we do the same.
 */
struct fg_cond fg_gen_bcmp(struct fg_lower *l, enum fg_offrel rel, uint32_t off,
			   const uint8_t *p, size_t n)
{
	struct fg_cond c = fg_cond_const(true);

	while (n >= 4) {
		uint32_t w = (uint32_t)p[n - 4] << 24 | (uint32_t)p[n - 3] << 16 |
			     (uint32_t)p[n - 2] << 8 | p[n - 1];

		c = fg_cond_and(l->ir, c, fg_gen_eq(l, rel, off + (uint32_t)n - 4, BPF_W, w));
		n -= 4;
	}
	while (n >= 2) {
		uint32_t h = (uint32_t)p[n - 2] << 8 | p[n - 1];

		c = fg_cond_and(l->ir, c, fg_gen_eq(l, rel, off + (uint32_t)n - 2, BPF_H, h));
		n -= 2;
	}
	if (n)
		c = fg_cond_and(l->ir, c, fg_gen_eq(l, rel, off, BPF_B, p[0]));
	return c;
}

/* A relation's jump and whether it is negated (<, <= and != are the negations). */
void fg_relop_jump(enum fg_relop op, uint16_t *jop, bool *reverse)
{
	static const uint16_t j[] = { BPF_JGT, BPF_JGE, BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JEQ };

	*jop = j[op];
	*reverse = op >= FG_REL_LE;
}

bool fg_dir_is_80211(enum fg_dir d)
{
	return d >= FG_DIR_ADDR1 && d < FG_DIR_COUNT;
}

struct fg_cond fg_gen_by_dir(struct fg_lower *l, enum fg_dir dir, fg_side_fn side, const void *arg)
{
	struct fg_cond s, d;

	switch (dir) {
	case FG_DIR_SRC:
		return side(l, true, arg);
	case FG_DIR_DST:
		return side(l, false, arg);
	case FG_DIR_SRC_AND_DST:
		s = side(l, true, arg);
		d = side(l, false, arg);
		return fg_cond_and(l->ir, s, d);
	default:
		s = side(l, true, arg);
		d = side(l, false, arg);
		return fg_cond_or(l->ir, s, d);
	}
}
