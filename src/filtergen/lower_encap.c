/*
 * lower_encap.c -- encapsulations that move the offsets of what follows
 * them in the expression: 802.1Q/802.1ad VLAN tags, MPLS label stacks,
 * PPPoE discovery and session frames (libpcap's gen_vlan, gen_mpls,
 * gen_pppoed, gen_pppoes).
 *
 * As in libpcap, the move applies to everything written after the
 * primitive, whatever the and/or/not structure: `vlan and ip` tests the
 * type field behind the tag.  Keeps true: an encapsulation the link type
 * cannot carry, or a number out of its field's range, is an error.
 */
#include <errno.h>

#include "lower.h"

#define ETHERTYPE_8021Q 0x8100u
#define ETHERTYPE_8021AD 0x88a8u
#define ETHERTYPE_8021QINQ 0x9100u
#define ETHERTYPE_MPLS 0x8847u
#define PPP_MPLS_UCAST 0x0281u
#define ETHERTYPE_PPPOED 0x8863u
#define ETHERTYPE_PPPOES 0x8864u

struct fg_cond fg_gen_vlan(struct fg_lower *l, bool has_id, uint32_t id, struct fg_loc at)
{
	struct fg_cond c;

	if (!(l->link->features & FG_LF_VLAN) || (l->kind != FG_LK_ETHER && l->kind != FG_LK_LLC))
		return fg_lower_error(l, at.off, at.len, -EINVAL, "no VLAN support for link type %s",
				      l->link->name);
	if (has_id && id > 4095)
		return fg_lower_error(l, at.off, at.len, -EINVAL, "VLAN tag %u greater than maximum 4095", id);
	c = fg_gen_linktype(l, ETHERTYPE_8021Q);
	c = fg_cond_or(l->ir, c, fg_gen_linktype(l, ETHERTYPE_8021AD));
	c = fg_cond_or(l->ir, c, fg_gen_linktype(l, ETHERTYPE_8021QINQ));
	if (has_id)
		c = fg_cond_and(l->ir, c, fg_gen_mcmp(l, FG_OR_LINKPL, 0, BPF_H, id, 0x0fff));
	l->off_linktype.k += 4;
	l->off_linkpl.k += 4;
	l->vlan_depth++;
	return c;
}

struct fg_cond fg_gen_mpls(struct fg_lower *l, bool has_label, uint32_t label, struct fg_loc at)
{
	struct fg_cond c;

	if (has_label && label > 0xfffff)
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "MPLS label %u greater than maximum 1048575", label);
	if (l->label_depth > 0) {
		/* the label before this one is not the bottom of the stack */
		c = fg_gen_mcmp(l, FG_OR_PREV_MPLS, 2, BPF_B, 0, 0x01);
	} else if ((l->kind == FG_LK_ETHER || l->kind == FG_LK_ETYPE) &&
		   (l->link->features & FG_LF_MPLS)) {
		c = fg_gen_linktype(l, ETHERTYPE_MPLS);
	} else if (l->kind == FG_LK_PPP &&
		   ((l->link->features & FG_LF_MPLS) || l->link->kind != FG_LK_PPP)) {	/* or in PPPoE */
		c = fg_gen_linktype(l, PPP_MPLS_UCAST);
	} else {
		return fg_lower_error(l, at.off, at.len, -EINVAL, "no MPLS support for link type %s",
				      l->link->name);
	}
	if (has_label)
		c = fg_cond_and(l->ir, c, fg_gen_mcmp(l, FG_OR_LINKPL, 0, BPF_W, label << 12, 0xfffff000u));
	l->off_nl += 4;
	l->off_nl_nosnap += 4;
	l->label_depth++;
	return c;
}

/* Any link type with a type test can say "PPPoE" (libpcap's rule): a link that cannot carry it says false. */
struct fg_cond fg_gen_pppoed(struct fg_lower *l, struct fg_loc at)
{
	(void)at;
	return fg_gen_linktype(l, ETHERTYPE_PPPOED);
}

/* After a PPPoE session header, a PPP protocol field and PPP payload follow. */
struct fg_cond fg_gen_pppoes(struct fg_lower *l, bool has_id, uint32_t id, struct fg_loc at)
{
	struct fg_cond c;

	if (has_id && id > 65535)
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "PPPoE session number %u greater than maximum 65535", id);
	c = fg_gen_linktype(l, ETHERTYPE_PPPOES);
	if (has_id)
		c = fg_cond_and(l->ir, c, fg_gen_eq(l, FG_OR_LINKPL, 2, BPF_H, id));
	l->off_linkhdr = l->off_linkpl;
	l->off_linkhdr.k += l->off_nl + 6;	/* after SNAP on LLC link types */
	l->off_linktype = l->off_linkhdr;
	l->off_linkpl = l->off_linkhdr;
	l->off_linkpl.k += 2;
	l->off_nl = 0;
	l->off_nl_nosnap = 0;
	l->kind = FG_LK_PPP;
	return c;
}
