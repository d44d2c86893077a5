/*
 * lower_llc.c -- 802.2 LLC frames (`llc`, `llc i|s|u`, `llc rr`, `llc ui`
 * ...) and the `byte N op M` primitive.
 *
 * On Ethernet an LLC frame is an 802.3 frame (its type field is a length)
 * that is not Novell's raw 802.3 (whose payload starts 0xffff); the frame
 * format and command sit in the LLC control byte.  `byte` compares one
 * byte at an offset from the link header (where pppoes or a pseudo-header
 * put it), with libpcap master's meaning (1.10.3 forgets to load the byte
 * for `&` and `|`).
 * Keeps true: llc on a link type without 802.2 frames is an error.
 */
#include <errno.h>

#include "lower.h"

#define ETHERMTU 1500u

/* 802.3 frame, not Novell raw 802.3. */
static struct fg_cond ether_llc(struct fg_lower *l)
{
	struct fg_cond len = fg_cond_not(fg_gen_cmp(l, FG_OR_LINKTYPE, 0, BPF_H, 0xffffffffu,
						    BPF_JGT, false, ETHERMTU));

	return fg_cond_and(l->ir, len, fg_cond_not(fg_gen_eq(l, FG_OR_LLC, 0, BPF_H, 0xffff)));
}

struct fg_cond fg_gen_llc(struct fg_lower *l, const struct fg_node *n)
{
	struct fg_cond c;
	uint32_t value, mask;

	if (!(l->link->features & FG_LF_LLC) ||
	    (l->kind != FG_LK_ETHER && l->kind != FG_LK_LLC && l->kind != FG_LK_SUNATM))
		return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
				      "'llc' not supported on link type %s", l->link->name);
	if (l->kind == FG_LK_ETHER)
		c = ether_llc(l);
	else if (l->kind == FG_LK_SUNATM)
		c = fg_sunatm_llc(l);
	else if (l->link->features & FG_LF_WLAN)	/* data frames carry an LLC header */
		c = fg_wlan_data_frame(l);
	else						/* every FDDI and token ring frame does */
		c = fg_cond_const(true);
	switch (n->u.llc.kind) {
	case FG_LLC_ANY:
		return c;
	case FG_LLC_I:	/* information frames: low bit of the control byte clear */
		return fg_cond_and(l->ir, c, fg_cond_not(fg_gen_cmp(l, FG_OR_LLC, 2, BPF_B, 0xffffffffu,
								    BPF_JSET, false, 0x01)));
	case FG_LLC_S: value = 0x01; mask = 0x03; break;
	case FG_LLC_U: value = 0x03; mask = 0x03; break;
	case FG_LLC_S_SUBTYPE: value = n->u.llc.sub.value; mask = 0x0f; break;
	default: value = n->u.llc.sub.value; mask = 0xef; break;	/* U subtypes, poll/final bit ignored */
	}
	return fg_cond_and(l->ir, c, fg_gen_mcmp(l, FG_OR_LLC, 2, BPF_B, value, mask));
}

struct fg_cond fg_gen_byte(struct fg_lower *l, const struct fg_node *n)
{
	uint32_t idx = n->u.byte.offset, v = n->u.byte.value;
	struct fg_block *b;

	if (v > 255)
		return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
				      "byte argument %u greater than maximum 255", v);
	/* libpcap measures `byte` from the link header: after a pseudo-header, after pppoes... */
	switch (n->u.byte.op) {
	case '=':
		return fg_gen_eq(l, FG_OR_LINKHDR, idx, BPF_B, v);
	case '<':
		return fg_gen_cmp(l, FG_OR_LINKHDR, idx, BPF_B, 0xffffffffu, BPF_JGE, true, v);
	case '>':
		return fg_gen_cmp(l, FG_OR_LINKHDR, idx, BPF_B, 0xffffffffu, BPF_JGT, false, v);
	default:	/* '&' and '|': the result is not zero */
		if (l->err)
			return fg_cond_const(false);
		b = fg_block_new(l->ir);
		if (!b || fg_gen_load(l, b, FG_OR_LINKHDR, idx, BPF_B) < 0 ||
		    fg_block_add(l->ir, b, BPF_ALU | (n->u.byte.op == '&' ? BPF_AND : BPF_OR) | BPF_K, v) < 0)
			return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
		return fg_gen_branch(l, b, BPF_JEQ, true, 0);
	}
}
