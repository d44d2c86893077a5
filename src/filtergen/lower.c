/*
 * lower.c -- walk the syntax tree and lower each node into the IR.
 *
 * The walk goes left to right in source order, because primitives such as
 * `vlan` and `pppoes` change the offsets for everything written after them.
 * and/or/not become patch-list operations; each primitive is handed to the
 * file that knows its protocol, except that a run of `or`ed ids with the
 * same qualifiers becomes one set test (lower_set.c).  Keeps true: the current primitive's span is
 * recorded before it is lowered, so every error points at the source; the
 * recursion is bounded by the parser's depth limit.
 */
#include <errno.h>

#include "lower.h"

/* Set tests take IPv4, ARP and RARP to exclude each other: not so where the type test cannot tell. */
static bool sets_ok(const struct fg_lower *l)
{
	return !(l->link->quirks & FG_LQ_TYPES_OVERLAP);
}

static struct fg_cond lower_list(struct fg_lower *l, const struct fg_node *n, bool is_and)
{
	struct fg_cond c = fg_cond_const(is_and);
	size_t i;

	for (i = 0; i < n->u.list.nkids; i++) {
		struct fg_cond k;
		size_t run = is_and || !sets_ok(l) ? 0 : fg_lower_set_run(l, n->u.list.kids + i,
							     n->u.list.nkids - i, &k);

		if (run)
			i += run - 1;	/* a run of ids tested as one set (lower_set.c) */
		else
			k = fg_lower_node(l, n->u.list.kids[i]);
		c = is_and ? fg_cond_and(l->ir, c, k) : fg_cond_or(l->ir, c, k);
	}
	return c;
}

static struct fg_cond lower_prim(struct fg_lower *l, const struct fg_node *n)
{
	struct fg_cond set;

	switch (n->kind) {
	case FG_N_ID:
		/* a host, net or port alone is a set of one: its shared IPv4/IPv6 tests are smaller */
		if (sets_ok(l) && fg_lower_set_run(l, (struct fg_node *const *)&n, 1, &set))
			return set;
		return fg_lower_id(l, n);
	case FG_N_PROTO:
		return fg_gen_proto_abbrev(l, n->u.proto, n->loc);
	case FG_N_REL:
		return fg_gen_relation(l, n);
	case FG_N_BROADCAST:
		return fg_gen_broadcast(l, n->u.proto, n->loc);
	case FG_N_MULTICAST:
		return fg_gen_multicast(l, n->u.proto, n->loc);
	case FG_N_LESS:
		return fg_gen_len(l, false, n->u.num.value);
	case FG_N_GREATER:
		return fg_gen_len(l, true, n->u.num.value);
	case FG_N_INBOUND:
		return fg_gen_inbound(l, false, n->loc);
	case FG_N_OUTBOUND:
		return fg_gen_inbound(l, true, n->loc);
	case FG_N_IFINDEX:
		return fg_gen_ifindex(l, n->u.num.value, n->loc);
	case FG_N_VLAN:
		return fg_gen_vlan(l, n->u.opt.has, n->u.opt.value, n->loc);
	case FG_N_MPLS:
		return fg_gen_mpls(l, n->u.opt.has, n->u.opt.value, n->loc);
	case FG_N_PPPOED:
		return fg_gen_pppoed(l, n->loc);
	case FG_N_PPPOES:
		return fg_gen_pppoes(l, n->u.opt.has, n->u.opt.value, n->loc);
	case FG_N_GENEVE:
		return fg_gen_geneve(l, n->u.opt.has, n->u.opt.value, n->loc);
	case FG_N_VXLAN:
		return fg_gen_vxlan(l, n->u.opt.has, n->u.opt.value, n->loc);
	case FG_N_LLC:
		return fg_gen_llc(l, n);
	case FG_N_BYTE:
		return fg_gen_byte(l, n);
	case FG_N_PF_IFNAME: case FG_N_PF_RSET: case FG_N_PF_RNR: case FG_N_PF_SRNR:
	case FG_N_PF_REASON: case FG_N_PF_ACTION:
		return fg_gen_pflog(l, n);
	case FG_N_MTP2:
		return fg_gen_mtp2(l, n);
	case FG_N_FIELD:
		if (n->u.field.field >= FG_FIELD_SIO)
			return fg_gen_ss7_field(l, n);
		return fg_gen_atm_field(l, n);
	case FG_N_ATM:
		return fg_gen_atm(l, n);
	case FG_N_WLAN_TYPE:
	case FG_N_WLAN_DIR:
		return fg_gen_wlan_fc(l, n);
	default:	/* batadv */
		return fg_lower_error(l, n->loc.off, n->loc.len, -EOPNOTSUPP,
				      "this primitive is not supported by pfc yet");
	}
}

struct fg_cond fg_lower_node(struct fg_lower *l, const struct fg_node *n)
{
	if (!n)
		return fg_cond_const(true);
	if (l->err)
		return fg_cond_const(false);
	switch (n->kind) {
	case FG_N_AND:
		return lower_list(l, n, true);
	case FG_N_OR:
		return lower_list(l, n, false);
	case FG_N_NOT:
		return fg_cond_not(fg_lower_node(l, n->u.list.kids[0]));
	default:
		l->cur = n->loc;
		return lower_prim(l, n);
	}
}
