/*
 * lower_arcnet.c -- links with 1-byte station addresses (`link host $c0`):
 * ARCnet (DLT_ARCNET, and Linux's DLT_ARCNET_LINUX with its 2 bytes of
 * padding; source first, destination second, broadcast is destination 0),
 * BACnet MS/TP (destination, then source; broadcast 0xff), and ARCnet's
 * 1-byte protocol IDs of RFC 1201 and the older RFC 1051 (which libpcap
 * master no longer matches in Linux's ARCnet captures: 1.10.3 still does).
 *
 * Keeps true: an ARCnet address goes only with the `link` qualifier and a
 * host (or no) address qualifier; everything else is an error that says so.
 */
#include <errno.h>

#include "lower.h"

#define ETHERTYPE_IP 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define ETHERTYPE_ARP 0x0806u
#define ETHERTYPE_REVARP 0x8035u
#define ETHERTYPE_ATALK 0x809bu

/* RFC 1201 IDs and their RFC 1051 predecessors (0 where there is none). */
static const struct { uint32_t ethertype; uint8_t id, old_id; } arc_ids[] = {
	{ ETHERTYPE_IP, 0xd4, 0xf0 },
	{ ETHERTYPE_ARP, 0xd5, 0xf1 },
	{ ETHERTYPE_REVARP, 0xd6, 0 },
	{ ETHERTYPE_ATALK, 0xdd, 0 },
	{ ETHERTYPE_IPV6, 0xc4, 0 },
};

struct fg_cond fg_arcnet_linktype(struct fg_lower *l, uint32_t proto)
{
	size_t i;
	struct fg_cond c;

	for (i = 0; i < sizeof(arc_ids) / sizeof(arc_ids[0]); i++) {
		if (arc_ids[i].ethertype != proto)
			continue;
		c = fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_B, arc_ids[i].id);
		if (arc_ids[i].old_id && !(l->link->quirks & FG_LQ_ARC_RFC1201))
			c = fg_cond_or(l->ir, c, fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_B, arc_ids[i].old_id));
		return c;
	}
	return fg_cond_const(false);
}

static struct fg_cond arc_side(struct fg_lower *l, bool src, const void *arg)
{
	return fg_gen_eq(l, FG_OR_LINKHDR, src ? l->link->off_mac_src : l->link->off_mac_dst, BPF_B,
			 *(const uint8_t *)arg);
}

/* `link [src|dst] [host] $XX` */
struct fg_cond fg_gen_arcnet_host(struct fg_lower *l, const struct fg_node *n)
{
	const struct fg_qual *q = &n->u.id.q;

	if (!(l->link->features & FG_LF_LINK_HOST_MAC8))
		return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
				      "ARCnet addresses are only valid on ARCnet link types, not %s",
				      l->link->name);
	if (q->addr != FG_ADDR_DEFAULT && q->addr != FG_ADDR_HOST)
		return fg_lower_error(l, q->addr_at.off, q->addr_at.len, -EINVAL,
				      "'%s' is not a valid qualifier for '$XX'", fg_addr_name(q->addr));
	if (q->proto != FG_PROTO_LINK)
		return fg_lower_error(l, q->proto_at.off, q->proto_at.len, -EINVAL,
				      "'link' is the only valid proto qualifier for 'host $XX'");
	if (fg_dir_is_80211(q->dir))
		return fg_lower_error(l, q->dir_at.off, q->dir_at.len, -EINVAL,
				      "'%s' is only supported on 802.11", fg_dir_name(q->dir));
	return fg_gen_by_dir(l, q->dir, arc_side, &n->u.id.v.arcnet);
}

/* ARCnet's broadcast and multicast alike: the destination 0 (BACnet: 0xff). */
struct fg_cond fg_gen_arcnet_broadcast(struct fg_lower *l)
{
	return fg_gen_eq(l, FG_OR_LINKHDR, l->link->off_mac_dst, BPF_B,
			 (l->link->quirks & FG_LQ_BCAST_FF) ? 0xff : 0);
}
