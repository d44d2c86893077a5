/*
 * lower_ip.c -- the network layer: IPv4/ARP/RARP and IPv6 hosts and
 * networks, `proto N`, and the protocol keywords on their own (`tcp`,
 * `ip6`, `stp`, `isis`...), with libpcap's meaning: `host` without a
 * protocol means IPv4, ARP or RARP; `tcp` means IPv4 or IPv6; an IPv6
 * next header is also looked for behind one fragment header.
 *
 * Keeps true: a qualifier that makes no sense (`tcp host`, `arp proto`) is
 * an error at the primitive's position, never a program.
 */
#include <errno.h>
#include <string.h>

#include "lower.h"

#define ETHERTYPE_IP 0x0800u
#define ETHERTYPE_ARP 0x0806u
#define ETHERTYPE_REVARP 0x8035u
#define ETHERTYPE_IPV6 0x86ddu
#define ETHERTYPE_ATALK 0x809bu
#define ETHERTYPE_AARP 0x80f3u
#define ETHERTYPE_DN 0x6003u
#define ETHERTYPE_LAT 0x6004u
#define ETHERTYPE_SCA 0x6007u
#define ETHERTYPE_MOPDL 0x6001u
#define ETHERTYPE_MOPRC 0x6002u
#define LLCSAP_ISONS 0xfeu
#define LLCSAP_8021D 0x42u
#define LLCSAP_IPX 0xe0u
#define LLCSAP_NETBEUI 0xf0u
#define IPPROTO_FRAGMENT_V 44u
#define ISO8473_CLNP 0x81u
#define ISO9542_ESIS 0x82u
#define ISO10589_ISIS 0x83u

struct host4_arg {
	uint32_t addr, mask, src_off, dst_off;
};

static struct fg_cond host4_side(struct fg_lower *l, bool src, const void *arg)
{
	const struct host4_arg *a = arg;

	return fg_gen_mcmp(l, FG_OR_LINKPL, src ? a->src_off : a->dst_off, BPF_W, a->addr, a->mask);
}

static struct fg_cond host4_one(struct fg_lower *l, uint32_t ethertype, uint32_t src_off,
				uint32_t dst_off, enum fg_dir dir, uint32_t addr, uint32_t mask)
{
	struct host4_arg a = { addr, mask, src_off, dst_off };
	struct fg_cond lt = fg_gen_linktype(l, ethertype);

	return fg_cond_and(l->ir, lt, fg_gen_by_dir(l, dir, host4_side, &a));
}

struct fg_cond fg_gen_host4(struct fg_lower *l, enum fg_proto p, enum fg_dir dir, uint32_t addr,
			    uint32_t mask, struct fg_loc at)
{
	struct fg_cond c;

	if (fg_dir_is_80211(dir))
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "'%s' is only supported on 802.11 with 802.11 headers", fg_dir_name(dir));
	switch (p) {
	case FG_PROTO_DEFAULT:
		c = host4_one(l, ETHERTYPE_IP, 12, 16, dir, addr, mask);
		if (l->label_depth)
			return c;	/* inside MPLS only IPv4 can follow */
		c = fg_cond_or(l->ir, c, host4_one(l, ETHERTYPE_ARP, 14, 24, dir, addr, mask));
		return fg_cond_or(l->ir, c, host4_one(l, ETHERTYPE_REVARP, 14, 24, dir, addr, mask));
	case FG_PROTO_IP:
		return host4_one(l, ETHERTYPE_IP, 12, 16, dir, addr, mask);
	case FG_PROTO_ARP:
		return host4_one(l, ETHERTYPE_ARP, 14, 24, dir, addr, mask);
	case FG_PROTO_RARP:
		return host4_one(l, ETHERTYPE_REVARP, 14, 24, dir, addr, mask);
	default:
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "'%s' modifier applied to an IPv4 address (only ip, arp and rarp have IPv4 addresses)",
				      fg_proto_name(p));
	}
}

/*
 * DECnet Phase IV: the 16-bit address is stored little-endian after a
 * flags byte that says long or short header, and an optional pad byte.
 */
static uint32_t swap16(uint32_t v)
{
	return ((v & 0xff) << 8) | ((v >> 8) & 0xff);
}

static struct fg_cond dn_side(struct fg_lower *l, bool src, const void *arg)
{
	uint32_t addr = swap16(*(const uint32_t *)arg);
	uint32_t lh = src ? 15 : 7, sh = src ? 3 : 1;
	struct fg_cond c, t;

	/* long header with a pad byte, then without */
	c = fg_cond_and(l->ir, fg_gen_mcmp(l, FG_OR_LINKPL, 2, BPF_H, 0x8106, 0xff07),
			fg_gen_eq(l, FG_OR_LINKPL, 2 + 1 + lh, BPF_H, addr));
	t = fg_cond_and(l->ir, fg_gen_mcmp(l, FG_OR_LINKPL, 2, BPF_B, 0x06, 0x07),
			fg_gen_eq(l, FG_OR_LINKPL, 2 + lh, BPF_H, addr));
	c = fg_cond_or(l->ir, c, t);
	/* short header with a pad byte, then without */
	t = fg_cond_and(l->ir, fg_gen_mcmp(l, FG_OR_LINKPL, 2, BPF_H, 0x8102, 0xff07),
			fg_gen_eq(l, FG_OR_LINKPL, 2 + 1 + sh, BPF_H, addr));
	c = fg_cond_or(l->ir, c, t);
	t = fg_cond_and(l->ir, fg_gen_mcmp(l, FG_OR_LINKPL, 2, BPF_B, 0x02, 0x07),
			fg_gen_eq(l, FG_OR_LINKPL, 2 + sh, BPF_H, addr));
	return fg_cond_or(l->ir, c, t);
}

struct fg_cond fg_gen_dnhost(struct fg_lower *l, enum fg_dir dir, uint32_t addr, struct fg_loc at)
{
	struct fg_cond lt;

	if (fg_dir_is_80211(dir))
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "'%s' is only supported on 802.11 with 802.11 headers", fg_dir_name(dir));
	lt = fg_gen_linktype(l, ETHERTYPE_DN);
	return fg_cond_and(l->ir, lt, fg_gen_by_dir(l, dir, dn_side, &addr));
}

struct host6_arg {
	const uint8_t *addr, *mask;
};

static uint32_t word_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Words the mask ignores are not loaded at all. */
static struct fg_cond host6_side(struct fg_lower *l, bool src, const void *arg)
{
	const struct host6_arg *a = arg;
	uint32_t off = src ? 8 : 24;
	struct fg_cond c = fg_cond_const(true);
	int i;

	for (i = 0; i < 4; i++) {
		uint32_t m = word_at(a->mask + 4 * i);

		if (m)
			c = fg_cond_and(l->ir, c, fg_gen_mcmp(l, FG_OR_LINKPL, off + 4u * (uint32_t)i,
							      BPF_W, word_at(a->addr + 4 * i) & m, m));
	}
	return c;
}

struct fg_cond fg_gen_host6(struct fg_lower *l, enum fg_proto p, enum fg_dir dir,
			    const uint8_t addr16[16], const uint8_t mask16[16], struct fg_loc at)
{
	struct host6_arg a = { addr16, mask16 };
	struct fg_cond lt;

	if (fg_dir_is_80211(dir))
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "'%s' is only supported on 802.11 with 802.11 headers", fg_dir_name(dir));
	if (p != FG_PROTO_DEFAULT && p != FG_PROTO_IP6)
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "'%s' modifier applied to an IPv6 address (only ip6 has IPv6 addresses)",
				      fg_proto_name(p));
	lt = fg_gen_linktype(l, ETHERTYPE_IPV6);
	return fg_cond_and(l->ir, lt, fg_gen_by_dir(l, dir, host6_side, &a));
}

/* ip6 and (next header == n, or a fragment header followed by n). */
static struct fg_cond ip6_nexthdr(struct fg_lower *l, uint32_t n)
{
	struct fg_cond lt = fg_gen_linktype(l, ETHERTYPE_IPV6);
	struct fg_cond direct = fg_gen_eq(l, FG_OR_LINKPL, 6, BPF_B, n);
	struct fg_cond frag = fg_gen_eq(l, FG_OR_LINKPL, 6, BPF_B, IPPROTO_FRAGMENT_V);

	frag = fg_cond_and(l->ir, frag, fg_gen_eq(l, FG_OR_LINKPL, 40, BPF_B, n));
	return fg_cond_and(l->ir, lt, fg_cond_or(l->ir, direct, frag));
}

static struct fg_cond ip4_proto(struct fg_lower *l, uint32_t n)
{
	struct fg_cond lt = fg_gen_linktype(l, ETHERTYPE_IP);

	return fg_cond_and(l->ir, lt, fg_gen_eq(l, FG_OR_LINKPL, 9, BPF_B, n));
}

static struct fg_cond iso_proto(struct fg_lower *l, uint32_t n)
{
	struct fg_cond lt;

	if (l->kind == FG_LK_FRELAY)	/* the NLPID is the protocol */
		return fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, 0x0300 | n);
	lt = fg_gen_linktype(l, LLCSAP_ISONS);
	/* the network-layer protocol ID, right after the 802.2 header */
	return fg_cond_and(l->ir, lt, fg_gen_eq(l, FG_OR_LINKPL_NOSNAP, 0, BPF_B, n));
}

static struct fg_cond isis_pdu(struct fg_lower *l, uint32_t n)
{
	struct fg_cond isis = iso_proto(l, ISO10589_ISIS);

	return fg_cond_and(l->ir, isis, fg_gen_eq(l, FG_OR_LINKPL_NOSNAP, 4, BPF_B, n));
}

/* The largest value the field `proto N` compares can hold, and what to call it. */
static uint32_t proto_max(const struct fg_lower *l, enum fg_proto p, uint32_t n, const char **what)
{
	switch (p) {
	case FG_PROTO_ISIS:
		*what = "IS-IS PDU type";
		return 31;
	case FG_PROTO_ISO:
		*what = "ISO protocol";
		return 255;
	case FG_PROTO_LINK:
		if (l->kind == FG_LK_PPP) {
			*what = "PPP protocol";
			return 65535;
		}
		if ((l->kind == FG_LK_ETHER || l->kind == FG_LK_SLL || l->kind == FG_LK_SLL2 ||
		     l->kind == FG_LK_LLC) &&
		    n <= 1500) {
			*what = "LLC DSAP";
			return 255;
		}
		*what = "Ethernet type";
		return 65535;
	default:
		*what = "protocol number";
		return 255;
	}
}

struct fg_cond fg_gen_ipproto(struct fg_lower *l, enum fg_proto p, uint32_t n, struct fg_loc at)
{
	struct fg_cond c;
	const char *what = "";
	uint32_t max = proto_max(l, p, n, &what);

	if (n > max)
		return fg_lower_error(l, at.off, at.len, -EINVAL, "%s %u greater than maximum %u",
				      what, n, max);

	switch (p) {
	case FG_PROTO_DEFAULT:
		c = ip4_proto(l, n);
		return fg_cond_or(l->ir, c, ip6_nexthdr(l, n));
	case FG_PROTO_IP:
		return ip4_proto(l, n);
	case FG_PROTO_IP6:
		return ip6_nexthdr(l, n);
	case FG_PROTO_LINK:
		return fg_gen_linktype(l, n);
	case FG_PROTO_ISO:
		return iso_proto(l, n);
	case FG_PROTO_ISIS:
		return isis_pdu(l, n);
	default:
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "'%s proto' is bogus: %s does not carry a protocol number",
				      fg_proto_name(p), fg_proto_name(p));
	}
}

/* IS-IS PDU types for l1, l2, iih, lsp, snp, csnp, psnp. */
static struct fg_cond isis_abbrev(struct fg_lower *l, enum fg_proto p)
{
	static const struct { enum fg_proto p; uint8_t types[5]; } tab[] = {
		{ FG_PROTO_ISIS_L1, { 15, 17, 18, 24, 26 } },	/* L1 IIH, p2p IIH, LSP, CSNP, PSNP */
		{ FG_PROTO_ISIS_L2, { 16, 17, 20, 25, 27 } },
		{ FG_PROTO_ISIS_IIH, { 15, 16, 17, 0 } },	/* L1, L2, point-to-point hellos */
		{ FG_PROTO_ISIS_LSP, { 18, 20, 0, 0 } },
		{ FG_PROTO_ISIS_SNP, { 24, 25, 26, 27 } },
		{ FG_PROTO_ISIS_CSNP, { 24, 25, 0, 0 } },
		{ FG_PROTO_ISIS_PSNP, { 26, 27, 0, 0 } },
	};
	struct fg_cond c = fg_cond_const(false);
	size_t i, j;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (tab[i].p != p)
			continue;
		for (j = 0; j < 5 && tab[i].types[j]; j++)
			c = fg_cond_or(l->ir, c, isis_pdu(l, tab[i].types[j]));
	}
	return c;
}

struct fg_cond fg_gen_proto_abbrev(struct fg_lower *l, enum fg_proto p, struct fg_loc at)
{
	switch (p) {
	case FG_PROTO_SCTP: return fg_gen_ipproto(l, FG_PROTO_DEFAULT, 132, at);
	case FG_PROTO_TCP: return fg_gen_ipproto(l, FG_PROTO_DEFAULT, 6, at);
	case FG_PROTO_UDP: return fg_gen_ipproto(l, FG_PROTO_DEFAULT, 17, at);
	case FG_PROTO_ICMP: return ip4_proto(l, 1);
	case FG_PROTO_IGMP: return ip4_proto(l, 2);
	case FG_PROTO_IGRP: return ip4_proto(l, 9);
	case FG_PROTO_PIM: return fg_gen_ipproto(l, FG_PROTO_DEFAULT, 103, at);
	case FG_PROTO_VRRP: return ip4_proto(l, 112);
	case FG_PROTO_CARP: return ip4_proto(l, 112);
	case FG_PROTO_IP: return fg_gen_linktype(l, ETHERTYPE_IP);
	case FG_PROTO_ARP: return fg_gen_linktype(l, ETHERTYPE_ARP);
	case FG_PROTO_RARP: return fg_gen_linktype(l, ETHERTYPE_REVARP);
	case FG_PROTO_ATALK: return fg_gen_linktype(l, ETHERTYPE_ATALK);
	case FG_PROTO_AARP: return fg_gen_linktype(l, ETHERTYPE_AARP);
	case FG_PROTO_DECNET: return fg_gen_linktype(l, ETHERTYPE_DN);
	case FG_PROTO_SCA: return fg_gen_linktype(l, ETHERTYPE_SCA);
	case FG_PROTO_LAT: return fg_gen_linktype(l, ETHERTYPE_LAT);
	case FG_PROTO_MOPDL: return fg_gen_linktype(l, ETHERTYPE_MOPDL);
	case FG_PROTO_MOPRC: return fg_gen_linktype(l, ETHERTYPE_MOPRC);
	case FG_PROTO_IP6: return fg_gen_linktype(l, ETHERTYPE_IPV6);
	case FG_PROTO_ICMP6: return ip6_nexthdr(l, 58);
	case FG_PROTO_AH: return fg_gen_ipproto(l, FG_PROTO_DEFAULT, 51, at);
	case FG_PROTO_ESP: return fg_gen_ipproto(l, FG_PROTO_DEFAULT, 50, at);
	case FG_PROTO_ISO: return fg_gen_linktype(l, LLCSAP_ISONS);
	case FG_PROTO_ESIS: return iso_proto(l, ISO9542_ESIS);
	case FG_PROTO_ISIS: return iso_proto(l, ISO10589_ISIS);
	case FG_PROTO_CLNP: return iso_proto(l, ISO8473_CLNP);
	case FG_PROTO_STP: return fg_gen_linktype(l, LLCSAP_8021D);
	case FG_PROTO_IPX: return fg_gen_linktype(l, LLCSAP_IPX);
	case FG_PROTO_NETBEUI: return fg_gen_linktype(l, LLCSAP_NETBEUI);
	case FG_PROTO_ISIS_L1: case FG_PROTO_ISIS_L2: case FG_PROTO_ISIS_IIH: case FG_PROTO_ISIS_LSP:
	case FG_PROTO_ISIS_SNP: case FG_PROTO_ISIS_CSNP: case FG_PROTO_ISIS_PSNP:
		return isis_abbrev(l, p);
	default:
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "'%s' cannot be used on its own here", fg_proto_name(p));
	}
}
