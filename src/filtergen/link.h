/*
 * link.h -- link layers described as data: where each link type keeps its
 * type field and its payload, how its type field is tested, and which
 * feature groups of the language apply to it (libpcap's map is
 * ../shared/conformance/dlt_features.tsv).  Adding a link type is a table
 * entry in link.c and, where truly needed, one small lowering function.
 */
#ifndef PFC_FG_LINK_H
#define PFC_FG_LINK_H

#include <stdbool.h>
#include <stdint.h>

/* How the link layer says what its payload is. */
enum fg_link_kind {
	FG_LK_ETHER,	/* 2-byte Ethernet type, or an 802.3 length followed by LLC */
	FG_LK_SLL,	/* Linux cooked v1: protocol field with LINUX_SLL_P_* pseudo-types */
	FG_LK_SLL2,	/* Linux cooked v2 */
	FG_LK_RAW,	/* no header: the IP version nibble says IPv4 or IPv6 */
	FG_LK_IPV4,	/* always IPv4 */
	FG_LK_IPV6,	/* always IPv6 */
	FG_LK_NULL,	/* 4-byte address family in the capturing host's byte order */
	FG_LK_LOOP,	/* 4-byte address family in network byte order */
	FG_LK_PPP,	/* 2-byte PPP protocol number */
	FG_LK_LLC,	/* an 802.2 LLC header (SNAP for Ethernet types): FDDI, token ring, 802.11 */
	FG_LK_ETYPE,	/* a bare 2-byte Ethernet type, no 802.3 lengths: C_HDLC, netANALYZER... */
	FG_LK_IPNET,	/* 1-byte address family at 1 (Solaris ipnet) */
	FG_LK_FRELAY,	/* Q.933 NLPID at 2 */
	FG_LK_LTALK,	/* LocalTalk: AppleTalk only */
	FG_LK_OPAQUE,	/* nothing but the bytes: link[], len, byte (CAN, USB, Bluetooth...) */
	FG_LK_ARCNET,	/* 1-byte ARCnet protocol ID */
	FG_LK_PFLOG,	/* pfloghdr: address family */
	FG_LK_SUNATM,	/* SunATM pseudo-header, then LLC (or LANE Ethernet) */
	FG_LK_MTP2,	/* SS7 MTP2: no network layer */
	FG_LK_BACNET,	/* BACnet MS/TP: 1-byte addresses, no protocol field */
	FG_LK_JUNIPER,	/* Juniper's "MGC" pseudo-header: any protocol once the cookie is there */
	FG_LK_COUNT
};

/* Link types that bend a family's rules (libpcap's special cases). */
enum {
	FG_LQ_ISO_FOLD = 1u << 0,	/* C_HDLC: OSI is 0xfefe in the type field */
	FG_LQ_PPP_BSDOS = 1u << 1,	/* IP is also VJ compressed / uncompressed (0x2d, 0x2f) */
	FG_LQ_SLIP_RAW = 1u << 2,	/* the IP version nibble is read at the link header */
	FG_LQ_ARC_RFC1201 = 1u << 3,	/* Linux ARCnet: no RFC 1051 protocol IDs */
	FG_LQ_BCAST_FF = 1u << 4,	/* 1-byte broadcast address 0xff (ARCnet's is 0) */
	FG_LQ_TYPES_OVERLAP = 1u << 5,	/* the type test cannot tell protocols apart (Juniper) */
};

/* Where a link type records the direction: in/out are values of (field & mask). */
struct fg_inout {
	uint32_t off;		/* from the link header */
	uint16_t size;		/* BPF_B or BPF_H */
	uint32_t mask;		/* 0: the whole field */
	uint32_t in, out;
	bool in_is_not_out;	/* inbound means "not outbound" (Linux cooked) */
};

/* A header of variable length before the link layer proper (a radio header). */
enum fg_vhdr {
	FG_VH_NONE,
	FG_VH_RADIOTAP,		/* little-endian length at 2 */
	FG_VH_PRISM,		/* 144 bytes, or the length at 4 of a v2 header */
	FG_VH_AVS,		/* big-endian length at 4 */
	FG_VH_PPI,		/* little-endian length at 2; the DLT at 4 must be 802.11 */
	FG_VH_PFLOG		/* not a radio header: pfloghdr's length byte sets the payload offset */
};

/* Feature groups (columns of dlt_features.tsv). */
enum {
	FG_LF_ATM = 1u << 0,
	FG_LF_IFINDEX = 1u << 1,
	FG_LF_INOUT = 1u << 2,
	FG_LF_LINK_BROADCAST = 1u << 3,
	FG_LF_LINK_HOST_MAC48 = 1u << 4,
	FG_LF_LINK_HOST_MAC8 = 1u << 5,
	FG_LF_LINK_MULTICAST = 1u << 6,
	FG_LF_LINK_PROTO = 1u << 7,
	FG_LF_LLC = 1u << 8,
	FG_LF_MPLS = 1u << 9,
	FG_LF_PFLOG = 1u << 10,
	FG_LF_SS7 = 1u << 11,
	FG_LF_VAR_OFF_LINKPL = 1u << 12,
	FG_LF_VLAN = 1u << 13,
	FG_LF_WLAN = 1u << 14
};

struct fg_link {
	int dlt;			/* DLT_* value */
	const char *name;		/* pcap_datalink_val_to_name() spelling */
	enum fg_link_kind kind;
	uint32_t off_linkhdr;		/* the link header after a fixed pseudo-header */
	uint32_t off_linktype;		/* type field, or UINT32_MAX */
	uint32_t off_linkpl;		/* payload (network header) */
	uint32_t off_nl;		/* network header from the payload */
	uint32_t off_nl_nosnap;
	uint32_t off_mac_dst;		/* addresses from the link header (FG_LF_LINK_HOST_MAC48 or MAC8) */
	uint32_t off_mac_src;
	unsigned features;
	enum fg_vhdr vhdr;
	unsigned quirks;		/* FG_LQ_* */
	struct fg_inout inout;		/* when features has FG_LF_INOUT */
};

/* The description of a DLT, or NULL when pfc does not know it. */
const struct fg_link *fg_link_by_dlt(int dlt);
/* By name (case-insensitive, "EN10MB" or "DLT_EN10MB") or decimal number; NULL if unknown. */
const struct fg_link *fg_link_by_name(const char *name);

#endif /* PFC_FG_LINK_H */
