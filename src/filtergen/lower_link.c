/*
 * lower_link.c -- the link-layer type test (libpcap's gen_linktype): does
 * this frame carry protocol `proto`?  proto is an Ethernet type (> 1500) or
 * an 802.2 LLC SAP (<= 1500), translated per link kind through the table
 * by_kind[]: PPP protocol numbers, loopback address families, the IP
 * version nibble of raw IP, LLC/SNAP headers, frame relay NLPIDs...
 * Families with a file of their own (lower_arcnet.c, lower_pflog.c,
 * lower_atm.c) supply their entry; a kind with none has no type test.
 *
 * Keeps true: a protocol a link type cannot carry is the constant false, a
 * link type that carries only it is the constant true; no code is made for
 * either.
 */
#include <errno.h>

#include "lower.h"

#define ETHERMTU 1500u
#define ETHERTYPE_IP 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define LLCSAP_IP 0x06u
#define LLCSAP_ISONS 0xfeu
#define LLCSAP_NETBEUI 0xf0u
#define LINUX_SLL_P_802_2 0x0004u
#define LINUX_SLL_P_802_3 0x0001u
#define LLCSAP_IPX 0xe0u
#define LLCSAP_SNAP 0xaau
#define ETHERTYPE_IPX 0x8137u
#define ETHERTYPE_ATALK 0x809bu
#define ETHERTYPE_AARP 0x80f3u

/* Address families as the loopback link types record them (Linux and the BSDs). */
#define AF_INET_V 2u
#define AF_INET6_LINUX 10u

/* An 802.3 frame (type field is a length) whose DSAP (and SSAP) match. */
static struct fg_cond llc_sap(struct fg_lower *l, uint32_t sap)
{
	struct fg_cond is_len = fg_cond_not(fg_gen_cmp(l, FG_OR_LINKTYPE, 0, BPF_H, 0xffffffffu,
						       BPF_JGT, false, ETHERMTU));
	struct fg_cond sapc;

	if (sap == LLCSAP_ISONS || sap == LLCSAP_IP || sap == LLCSAP_NETBEUI)
		sapc = fg_gen_eq(l, FG_OR_LINKTYPE, 2, BPF_H, sap << 8 | sap);
	else
		sapc = fg_gen_eq(l, FG_OR_LINKTYPE, 2, BPF_B, sap);
	return fg_cond_and(l->ir, is_len, sapc);
}

/* An 802.2 SNAP header: AA AA 03, the organisation code, the protocol type. */
static struct fg_cond snap(struct fg_lower *l, uint32_t org, uint32_t ptype)
{
	const uint8_t hdr[8] = { LLCSAP_SNAP, LLCSAP_SNAP, 0x03, (uint8_t)(org >> 16),
				 (uint8_t)(org >> 8), (uint8_t)org, (uint8_t)(ptype >> 8), (uint8_t)ptype };

	return fg_gen_bcmp(l, FG_OR_LLC, 0, hdr, sizeof(hdr));
}

static struct fg_cond is_8023(struct fg_lower *l)
{
	return fg_cond_not(fg_gen_cmp(l, FG_OR_LINKTYPE, 0, BPF_H, 0xffffffffu, BPF_JGT, false,
				      ETHERMTU));
}

/*
 * IPX travels four ways on Ethernet: Ethernet II (type 0x8137), and inside
 * 802.3 frames raw (0xffff), with an 802.2 header (SAP 0xe0) or SNAP.
 */
static struct fg_cond ether_ipx(struct fg_lower *l)
{
	struct fg_cond e2 = fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, ETHERTYPE_IPX);
	struct fg_cond in8023 = is_8023(l), c;

	c = fg_gen_eq(l, FG_OR_LLC, 0, BPF_B, LLCSAP_IPX);
	c = fg_cond_or(l->ir, c, fg_gen_eq(l, FG_OR_LLC, 0, BPF_H, 0xffff));
	c = fg_cond_or(l->ir, c, snap(l, 0x000000, ETHERTYPE_IPX));
	return fg_cond_or(l->ir, e2, fg_cond_and(l->ir, in8023, c));
}

/* AppleTalk and AARP: Ethernet II, or SNAP inside 802.3 (EtherTalk phase 2). */
static struct fg_cond ether_atalk(struct fg_lower *l, uint32_t proto)
{
	struct fg_cond e2 = fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, proto);
	struct fg_cond in8023 = is_8023(l);
	struct fg_cond s = proto == ETHERTYPE_ATALK ? snap(l, 0x080007, ETHERTYPE_ATALK)
						    : snap(l, 0x000000, ETHERTYPE_AARP);

	return fg_cond_or(l->ir, e2, fg_cond_and(l->ir, in8023, s));
}

static struct fg_cond ether_linktype(struct fg_lower *l, uint32_t proto)
{
	if (proto == LLCSAP_IPX)
		return ether_ipx(l);
	if (proto == ETHERTYPE_ATALK || proto == ETHERTYPE_AARP)
		return ether_atalk(l, proto);
	if (proto <= ETHERMTU)
		return llc_sap(l, proto);
	return fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, proto);
}

/* Linux cooked captures say "802.2 frame" with a pseudo-type, then the LLC header follows. */
static struct fg_cond sll_linktype(struct fg_lower *l, uint32_t proto)
{
	struct fg_cond is_llc, sapc, c;

	if (proto == LLCSAP_IPX) {
		c = fg_gen_eq(l, FG_OR_LLC, 0, BPF_B, LLCSAP_IPX);
		c = fg_cond_or(l->ir, c, snap(l, 0x000000, ETHERTYPE_IPX));
		c = fg_cond_and(l->ir, fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, LINUX_SLL_P_802_2), c);
		c = fg_cond_or(l->ir, fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, LINUX_SLL_P_802_3), c);
		return fg_cond_or(l->ir, fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, ETHERTYPE_IPX), c);
	}
	if (proto == ETHERTYPE_ATALK || proto == ETHERTYPE_AARP) {
		c = fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, LINUX_SLL_P_802_2);
		c = fg_cond_and(l->ir, c, proto == ETHERTYPE_ATALK ? snap(l, 0x080007, proto)
								   : snap(l, 0x000000, proto));
		return fg_cond_or(l->ir, fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, proto), c);
	}
	if (proto > ETHERMTU)
		return fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, proto);
	is_llc = fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, LINUX_SLL_P_802_2);
	if (proto == LLCSAP_ISONS || proto == LLCSAP_IP || proto == LLCSAP_NETBEUI)
		sapc = fg_gen_eq(l, FG_OR_LLC, 0, BPF_H, proto << 8 | proto);
	else
		sapc = fg_gen_eq(l, FG_OR_LLC, 0, BPF_B, proto);
	return fg_cond_and(l->ir, is_llc, sapc);
}

static struct fg_cond raw_linktype(struct fg_lower *l, uint32_t proto)
{
	/* libpcap reads SLIP's version nibble at the SLIP header, not at the IP header */
	enum fg_offrel rel = (l->link->quirks & FG_LQ_SLIP_RAW) ? FG_OR_LINKHDR : FG_OR_LINKPL;

	if (proto == ETHERTYPE_IP)
		return fg_gen_mcmp(l, rel, 0, BPF_B, 0x40, 0xf0);
	if (proto == ETHERTYPE_IPV6)
		return fg_gen_mcmp(l, rel, 0, BPF_B, 0x60, 0xf0);
	return fg_cond_const(false);
}

static struct fg_cond ipv4_linktype(struct fg_lower *l, uint32_t proto)
{
	(void)l;
	return fg_cond_const(proto == ETHERTYPE_IP);
}

static struct fg_cond ipv6_linktype(struct fg_lower *l, uint32_t proto)
{
	(void)l;
	return fg_cond_const(proto == ETHERTYPE_IPV6);
}

/* A bare Ethernet type; C_HDLC writes OSI as 0xfefe. */
static struct fg_cond etype_linktype(struct fg_lower *l, uint32_t proto)
{
	if (proto == LLCSAP_ISONS && (l->link->quirks & FG_LQ_ISO_FOLD))
		proto = LLCSAP_ISONS << 8 | LLCSAP_ISONS;
	return fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, proto);
}

/* Solaris ipnet: its own address family numbers. */
static struct fg_cond ipnet_linktype(struct fg_lower *l, uint32_t proto)
{
	if (proto == ETHERTYPE_IP)
		return fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_B, 2);
	if (proto == ETHERTYPE_IPV6)
		return fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_B, 26);
	return fg_cond_const(false);
}

/* Frame relay: the Q.933 NLPID after the address (with the UI control byte). */
static struct fg_cond frelay_linktype(struct fg_lower *l, uint32_t proto)
{
	struct fg_cond c;

	if (proto == ETHERTYPE_IP)
		return fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, 0x03cc);
	if (proto == ETHERTYPE_IPV6)
		return fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, 0x038e);
	if (proto != LLCSAP_ISONS)
		return fg_cond_const(false);
	c = fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, 0x0381);	/* CLNP */
	c = fg_cond_or(l->ir, c, fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, 0x0382));	/* ES-IS */
	return fg_cond_or(l->ir, c, fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, 0x0383));	/* IS-IS */
}

static struct fg_cond ltalk_linktype(struct fg_lower *l, uint32_t proto)
{
	(void)l;
	return fg_cond_const(proto == ETHERTYPE_ATALK);
}

/* Juniper: only the "MGC" cookie is checked, whatever the protocol (as libpcap does). */
static struct fg_cond juniper_linktype(struct fg_lower *l, uint32_t proto)
{
	(void)proto;
	return fg_gen_mcmp(l, FG_OR_LINKHDR, 0, BPF_W, 0x4d474300u, 0xffffff00u);
}

static uint32_t bswap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

/*
 * DLT_NULL records the family in the byte order of the machine that wrote
 * the capture (this one, unless a capture file says it was swapped);
 * DLT_LOOP in network order.  AF_INET6 differs between systems: a capture
 * file may come from any BSD (24, 28 or 30); otherwise it is this system's.
 */
static struct fg_cond af_eq(struct fg_lower *l, uint32_t af, bool host_order)
{
	bool writer_le = (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) != l->swapped;

	if (host_order && writer_le)
		af = bswap32(af);
	return fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_W, af);
}

static struct fg_cond loopback_linktype(struct fg_lower *l, uint32_t proto, bool host_order);

static struct fg_cond null_linktype(struct fg_lower *l, uint32_t proto)
{
	return loopback_linktype(l, proto, true);
}

static struct fg_cond loop_linktype(struct fg_lower *l, uint32_t proto)
{
	return loopback_linktype(l, proto, false);
}

static struct fg_cond loopback_linktype(struct fg_lower *l, uint32_t proto, bool host_order)
{
	static const uint32_t bsd_inet6[] = { 24, 28, 30 };
	struct fg_cond c = fg_cond_const(false);
	size_t i;

	if (proto == ETHERTYPE_IP)
		return af_eq(l, AF_INET_V, host_order);
	if (proto != ETHERTYPE_IPV6)
		return fg_cond_const(false);
	if (!l->savefile)
		return af_eq(l, AF_INET6_LINUX, host_order);
	for (i = 0; i < sizeof(bsd_inet6) / sizeof(bsd_inet6[0]); i++)
		c = fg_cond_or(l->ir, c, af_eq(l, bsd_inet6[i], host_order));
	return c;
}

/* Ethernet types that PPP carries under its own protocol numbers. */
static uint32_t ppp_proto(uint32_t proto)
{
	switch (proto) {
	case ETHERTYPE_IP: return 0x0021;
	case ETHERTYPE_IPV6: return 0x0057;
	case 0x6003: return 0x0027;	/* DECnet */
	case 0x809b: return 0x0029;	/* AppleTalk */
	case 0x0600: return 0x0025;	/* XNS */
	case LLCSAP_IPX: return 0x002b;	/* IPX */
	case 0x42: return 0x0031;	/* spanning tree: bridging PDUs */
	case LLCSAP_ISONS: return 0x0023;	/* OSI */
	default: return proto;
	}
}

/* BSD/OS PPP: IP also as Van Jacobson compressed and uncompressed TCP. */
static struct fg_cond ppp_linktype(struct fg_lower *l, uint32_t proto)
{
	struct fg_cond c = fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, ppp_proto(proto));

	if (proto == ETHERTYPE_IP && (l->link->quirks & FG_LQ_PPP_BSDOS)) {
		c = fg_cond_or(l->ir, c, fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, 0x002d));
		c = fg_cond_or(l->ir, c, fg_gen_eq(l, FG_OR_LINKTYPE, 0, BPF_H, 0x002f));
	}
	return c;
}

/* Under an MPLS stack: the last label is the bottom one and the version nibble matches. */
static struct fg_cond mpls_linktype(struct fg_lower *l, uint32_t proto)
{
	uint32_t version;
	struct fg_cond bos;

	if (proto == ETHERTYPE_IP)
		version = 0x40;
	else if (proto == ETHERTYPE_IPV6)
		version = 0x60;
	else
		return fg_lower_error(l, 0, 0, -EINVAL,
				      "unsupported protocol over MPLS (only IPv4 and IPv6 can be recognised)");
	bos = fg_gen_mcmp(l, FG_OR_PREV_MPLS, 2, BPF_B, 0x01, 0x01);
	return fg_cond_and(l->ir, bos, fg_gen_mcmp(l, FG_OR_LINKPL, 0, BPF_B, version, 0xf0));
}

/* An 802.2 header on its own (libpcap's gen_llc_linktype): SAPs, or SNAP for Ethernet types. */
struct fg_cond fg_gen_llc_linktype(struct fg_lower *l, uint32_t proto)
{
	struct fg_cond c;

	if (proto == LLCSAP_ISONS || proto == LLCSAP_IP || proto == LLCSAP_NETBEUI)
		c = fg_gen_eq(l, FG_OR_LLC, 0, BPF_H, proto << 8 | proto);
	else if (proto == ETHERTYPE_ATALK)
		c = snap(l, 0x080007, ETHERTYPE_ATALK);
	else if (proto <= ETHERMTU)
		c = fg_gen_eq(l, FG_OR_LLC, 0, BPF_B, proto);
	else
		c = fg_gen_eq(l, FG_OR_LLC, 6, BPF_H, proto);
	if (l->link->features & FG_LF_WLAN)	/* only data frames carry a payload */
		c = fg_cond_and(l->ir, fg_wlan_data_frame(l), c);
	return c;
}

typedef struct fg_cond (*linktype_fn)(struct fg_lower *l, uint32_t proto);

/* The type test of each link kind; families with their own files supply theirs (lower.h). */
static const linktype_fn by_kind[FG_LK_COUNT] = {
	[FG_LK_ETHER] = ether_linktype,
	[FG_LK_SLL] = sll_linktype,
	[FG_LK_SLL2] = sll_linktype,
	[FG_LK_RAW] = raw_linktype,
	[FG_LK_IPV4] = ipv4_linktype,
	[FG_LK_IPV6] = ipv6_linktype,
	[FG_LK_NULL] = null_linktype,
	[FG_LK_LOOP] = loop_linktype,
	[FG_LK_PPP] = ppp_linktype,
	[FG_LK_LLC] = fg_gen_llc_linktype,
	[FG_LK_ETYPE] = etype_linktype,
	[FG_LK_IPNET] = ipnet_linktype,
	[FG_LK_FRELAY] = frelay_linktype,
	[FG_LK_LTALK] = ltalk_linktype,
	[FG_LK_PFLOG] = fg_pflog_linktype,
	[FG_LK_ARCNET] = fg_arcnet_linktype,
	[FG_LK_SUNATM] = fg_sunatm_linktype,
	[FG_LK_JUNIPER] = juniper_linktype,
};

struct fg_cond fg_gen_linktype(struct fg_lower *l, uint32_t proto)
{
	if (l->err)
		return fg_cond_const(false);
	if (l->label_depth > 0)
		return mpls_linktype(l, proto);
	if (l->lane)	/* Ethernet inside ATM LANE */
		return fg_cond_and(l->ir, fg_lane_data(l), ether_linktype(l, proto));
	if ((unsigned)l->kind < FG_LK_COUNT && by_kind[l->kind])
		return by_kind[l->kind](l, proto);
	return fg_lower_error(l, 0, 0, -EINVAL,
			      "link-layer type filtering not implemented for link type %s", l->link->name);
}
