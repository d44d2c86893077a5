/*
 * lower_ether.c -- the link layer's own primitives: Ethernet hosts,
 * broadcast and multicast (link, IPv4, IPv6), packet length (`less`,
 * `greater`), direction (`inbound`, `outbound`) and `ifindex` on Linux
 * cooked captures.
 *
 * Keeps true: a primitive the link type cannot express (an Ethernet
 * address on raw IP, a direction on Ethernet) is an error naming the link
 * type, as libpcap's map in dlt_features.tsv says.
 */
#include <errno.h>

#include "lower.h"

#define ETHERTYPE_IP 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define PACKET_OUTGOING 4u

static const uint8_t ether_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static struct fg_cond ehost_side(struct fg_lower *l, bool src, const void *arg)
{
	return fg_gen_bcmp(l, FG_OR_LINKHDR, src ? l->off_mac_src : l->off_mac_dst,
			   arg, 6);
}

static bool has_mac48(const struct fg_lower *l)
{
	return l->mac48 && (l->kind == FG_LK_ETHER || l->kind == FG_LK_LLC);
}

struct fg_cond fg_gen_ether_host(struct fg_lower *l, enum fg_dir dir, const uint8_t mac[6],
				 struct fg_loc at)
{
	if (!has_mac48(l))
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "Ethernet addresses are not supported on link type %s", l->link->name);
	if (l->link->features & FG_LF_WLAN)
		return fg_gen_wlan_host(l, dir, mac);
	if (fg_dir_is_80211(dir))
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "'%s' is only supported on 802.11 with 802.11 headers", fg_dir_name(dir));
	return fg_gen_by_dir(l, dir, ehost_side, mac);
}

/* `ip broadcast`: the destination's host part all zeros or all ones. */
static struct fg_cond ip_broadcast(struct fg_lower *l, struct fg_loc at)
{
	uint32_t hostmask = ~l->netmask;
	struct fg_cond lt, zeros, ones;

	if (!l->netmask_known)
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "netmask not known, so 'ip broadcast' not supported (give --netmask)");
	lt = fg_gen_linktype(l, ETHERTYPE_IP);
	zeros = fg_gen_mcmp(l, FG_OR_LINKPL, 16, BPF_W, 0, hostmask);
	ones = fg_gen_mcmp(l, FG_OR_LINKPL, 16, BPF_W, hostmask, hostmask);
	return fg_cond_and(l->ir, lt, fg_cond_or(l->ir, zeros, ones));
}

struct fg_cond fg_gen_broadcast(struct fg_lower *l, enum fg_proto p, struct fg_loc at)
{
	switch (p) {
	case FG_PROTO_DEFAULT:
	case FG_PROTO_LINK:
		if ((l->link->features & FG_LF_LINK_HOST_MAC8) && (l->link->features & FG_LF_LINK_BROADCAST))
			return fg_gen_arcnet_broadcast(l);
		if (!((l->link->features & FG_LF_LINK_BROADCAST) || l->lane) || !has_mac48(l))
			return fg_lower_error(l, at.off, at.len, -EINVAL,
					      "not a broadcast link (link type %s)", l->link->name);
		if (l->link->features & FG_LF_WLAN)
			return fg_gen_wlan_host(l, FG_DIR_DST, ether_bcast);
		return fg_gen_bcmp(l, FG_OR_LINKHDR, l->off_mac_dst, ether_bcast, 6);
	case FG_PROTO_IP:
		return ip_broadcast(l, at);
	default:
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "only link-layer and IPv4 broadcast are supported, not '%s broadcast'",
				      fg_proto_name(p));
	}
}

struct fg_cond fg_gen_multicast(struct fg_lower *l, enum fg_proto p, struct fg_loc at)
{
	struct fg_cond lt;

	switch (p) {
	case FG_PROTO_DEFAULT:
	case FG_PROTO_LINK:
		if ((l->link->features & FG_LF_LINK_HOST_MAC8) && (l->link->features & FG_LF_LINK_MULTICAST))
			return fg_gen_arcnet_broadcast(l);
		if (!((l->link->features & FG_LF_LINK_MULTICAST) || l->lane) || !has_mac48(l))
			return fg_lower_error(l, at.off, at.len, -EINVAL,
					      "link-layer multicast filters supported only on Ethernet-like links, not %s",
					      l->link->name);
		if (l->link->features & FG_LF_WLAN)
			return fg_gen_wlan_multicast(l);
		/* the group bit of the destination's first byte */
		return fg_gen_cmp(l, FG_OR_LINKHDR, l->off_mac_dst, BPF_B, 0xffffffffu,
				  BPF_JSET, false, 1);
	case FG_PROTO_IP:
		lt = fg_gen_linktype(l, ETHERTYPE_IP);
		return fg_cond_and(l->ir, lt, fg_gen_cmp(l, FG_OR_LINKPL, 16, BPF_B, 0xffffffffu,
							 BPF_JGE, false, 224));
	case FG_PROTO_IP6:
		lt = fg_gen_linktype(l, ETHERTYPE_IPV6);
		return fg_cond_and(l->ir, lt, fg_gen_eq(l, FG_OR_LINKPL, 24, BPF_B, 255));
	default:
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "only link-layer, IPv4 and IPv6 multicast are supported, not '%s multicast'",
				      fg_proto_name(p));
	}
}

/* less N: len <= N;  greater N: len >= N. */
struct fg_cond fg_gen_len(struct fg_lower *l, bool greater, uint32_t n)
{
	struct fg_block *b;

	if (l->err)
		return fg_cond_const(false);
	b = fg_block_new(l->ir);
	if (!b || fg_block_add(l->ir, b, BPF_LD | BPF_W | BPF_LEN, 0) < 0)
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	return greater ? fg_gen_branch(l, b, BPF_JGE, false, n) : fg_gen_branch(l, b, BPF_JGT, true, n);
}

/* A Linux ancillary value (SKF_AD_OFF + off) compared with v. */
static struct fg_cond anc_eq(struct fg_lower *l, uint32_t off, uint16_t size, uint32_t v)
{
	return fg_gen_eq(l, FG_OR_PACKET, (uint32_t)SKF_AD_OFF + off, size, v);
}

/* The link header's direction field (Linux cooked: PACKET_OUTGOING or not; SLIP, PFLOG...: values). */
static struct fg_cond inout_field(struct fg_lower *l, const struct fg_inout *io, bool outbound)
{
	uint32_t mask = io->mask ? io->mask : 0xffffffffu;
	struct fg_cond out;

	if (io->in_is_not_out) {
		out = fg_gen_mcmp(l, FG_OR_LINKHDR, io->off, io->size, io->out, mask);
		return outbound ? out : fg_cond_not(out);
	}
	return fg_gen_mcmp(l, FG_OR_LINKHDR, io->off, io->size, outbound ? io->out : io->in, mask);
}

struct fg_cond fg_gen_inbound(struct fg_lower *l, bool outbound, struct fg_loc at)
{
	struct fg_cond out;

	if (l->linux_ext) {
		out = anc_eq(l, SKF_AD_PKTTYPE, BPF_H, PACKET_OUTGOING);
		return outbound ? out : fg_cond_not(out);
	}
	if (!(l->link->features & FG_LF_INOUT))
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "inbound/outbound not supported on link type %s", l->link->name);
	return inout_field(l, &l->link->inout, outbound);
}

struct fg_cond fg_gen_ifindex(struct fg_lower *l, uint32_t ifindex, struct fg_loc at)
{
	if (l->linux_ext)
		return anc_eq(l, SKF_AD_IFINDEX, BPF_W, ifindex);
	if (!(l->link->features & FG_LF_IFINDEX))
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "ifindex not supported on link type %s", l->link->name);
	return fg_gen_eq(l, FG_OR_LINKHDR, 4, BPF_W, ifindex);
}
