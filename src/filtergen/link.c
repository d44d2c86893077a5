/*
 * link.c -- the table of link layers pfc compiles for (see link.h): every
 * link type libpcap 1.10.3 compiles for, grouped by family.
 *
 * Offsets are those of the link-layer headers as captured: Ethernet's type
 * at 12 and payload at 14, Linux cooked v1's protocol at 14 and payload at
 * 16, v2's protocol at 0 and payload at 20, and so on; MAC addresses and
 * direction fields count from the link header.  A family whose type test
 * or fields need code names its kind; the code is in lower_<family>.c.
 * Keeps true: names and numbers are those of pcap_datalink_val_to_name().
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/filter.h>

#include "link.h"

#define NONE UINT32_MAX
#define MAC48 (FG_LF_LINK_BROADCAST | FG_LF_LINK_HOST_MAC48 | FG_LF_LINK_MULTICAST | FG_LF_LINK_PROTO)
#define ARC (FG_LF_LINK_BROADCAST | FG_LF_LINK_HOST_MAC8 | FG_LF_LINK_MULTICAST | FG_LF_LINK_PROTO)
#define WLAN (MAC48 | FG_LF_LLC | FG_LF_VAR_OFF_LINKPL | FG_LF_VLAN | FG_LF_WLAN)


/* Fields not given are 0: check features before reading the MAC offsets or inout. */
#define L(d, n, k) .dlt = (d), .name = (n), .kind = (k)
#define ETH_MACS .off_mac_dst = 0, .off_mac_src = 6
#define NO_TYPE .off_linktype = NONE

static const struct fg_link links[] = {
	{ L(1, "EN10MB", FG_LK_ETHER), .off_linktype = 12, .off_linkpl = 14, .off_nl_nosnap = 3,
	  ETH_MACS, .features = MAC48 | FG_LF_LLC | FG_LF_MPLS | FG_LF_VLAN },
	{ L(113, "LINUX_SLL", FG_LK_SLL), .off_linktype = 14, .off_linkpl = 16,
	  .features = FG_LF_INOUT | FG_LF_LINK_PROTO,
	  .inout = { .off = 0, .size = BPF_H, .out = 4, .in_is_not_out = true } },
	{ L(276, "LINUX_SLL2", FG_LK_SLL2), .off_linktype = 0, .off_linkpl = 20,
	  .features = FG_LF_IFINDEX | FG_LF_INOUT | FG_LF_LINK_PROTO,
	  .inout = { .off = 10, .size = BPF_B, .out = 4, .in_is_not_out = true } },
	{ L(12, "RAW", FG_LK_RAW), NO_TYPE, .features = FG_LF_LINK_PROTO },
	{ L(228, "IPV4", FG_LK_IPV4), NO_TYPE, .features = FG_LF_LINK_PROTO },
	{ L(229, "IPV6", FG_LK_IPV6), NO_TYPE, .features = FG_LF_LINK_PROTO },
	{ L(0, "NULL", FG_LK_NULL), .off_linkpl = 4, .features = FG_LF_LINK_PROTO },
	{ L(108, "LOOP", FG_LK_LOOP), .off_linkpl = 4, .features = FG_LF_LINK_PROTO },
	{ L(9, "PPP", FG_LK_PPP), .off_linktype = 2, .off_linkpl = 4,
	  .features = FG_LF_LINK_PROTO | FG_LF_MPLS },

	/* 802.2 LLC after a MAC header: type at the SNAP header's end, network header after SNAP */
	{ L(10, "FDDI", FG_LK_LLC), .off_linktype = 19, .off_linkpl = 13, .off_nl = 8,
	  .off_nl_nosnap = 3, .off_mac_dst = 1, .off_mac_src = 7, .features = MAC48 | FG_LF_LLC },
	{ L(6, "IEEE802", FG_LK_LLC), .off_linktype = 20, .off_linkpl = 14, .off_nl = 8,
	  .off_nl_nosnap = 3, .off_mac_dst = 2, .off_mac_src = 8, .features = MAC48 | FG_LF_LLC },
	{ L(122, "IP_OVER_FC", FG_LK_LLC), .off_linktype = 22, .off_linkpl = 16, .off_nl = 8,
	  .off_nl_nosnap = 3, .off_mac_dst = 2, .off_mac_src = 10, .features = MAC48 },
	{ L(11, "ATM_RFC1483", FG_LK_LLC), .off_linktype = 6, .off_linkpl = 0, .off_nl = 8,
	  .off_nl_nosnap = 3, .features = FG_LF_LINK_PROTO | FG_LF_LLC },
	{ L(19, "ATM_CLIP", FG_LK_LLC), .off_linktype = 6, .off_linkpl = 0, .off_nl = 8,
	  .off_nl_nosnap = 3, .features = FG_LF_LINK_PROTO },
	/* 802.11: the payload's offset depends on the frame (lower_wlan.c) */
	{ L(105, "IEEE802_11", FG_LK_LLC), NO_TYPE, .off_nl = 8, .off_nl_nosnap = 3, .features = WLAN },
	{ L(127, "IEEE802_11_RADIO", FG_LK_LLC), NO_TYPE, .off_nl = 8, .off_nl_nosnap = 3,
	  .features = WLAN, .vhdr = FG_VH_RADIOTAP },
	{ L(119, "PRISM_HEADER", FG_LK_LLC), NO_TYPE, .off_nl = 8, .off_nl_nosnap = 3,
	  .features = WLAN, .vhdr = FG_VH_PRISM },
	{ L(163, "IEEE802_11_RADIO_AVS", FG_LK_LLC), NO_TYPE, .off_nl = 8, .off_nl_nosnap = 3,
	  .features = WLAN, .vhdr = FG_VH_AVS },
	{ L(192, "PPI", FG_LK_LLC), NO_TYPE, .off_nl = 8, .off_nl_nosnap = 3,
	  .features = WLAN & ~FG_LF_VLAN, .vhdr = FG_VH_PPI },

	/* Ethernet behind a pseudo-header or with a switch tag before the type */
	{ L(240, "NETANALYZER", FG_LK_ETHER), .off_linkhdr = 4, .off_linktype = 16, .off_linkpl = 18,
	  .off_nl_nosnap = 3, ETH_MACS,
	  .features = MAC48 | FG_LF_MPLS | FG_LF_VLAN },
	{ L(241, "NETANALYZER_TRANSPARENT", FG_LK_ETHER), .off_linkhdr = 12, .off_linktype = 24,
	  .off_linkpl = 26, .off_nl_nosnap = 3, ETH_MACS,
	  .features = MAC48 | FG_LF_MPLS | FG_LF_VLAN },
	/* Broadcom: opcode 0 (to the CPU) in the tag's top 3 bits is inbound, 1 outbound */
	{ L(281, "DSA_TAG_BRCM", FG_LK_ETHER), .off_linktype = 16, .off_linkpl = 18,
	  .off_nl_nosnap = 3, ETH_MACS,
	  .features = MAC48 | FG_LF_INOUT | FG_LF_LLC | FG_LF_MPLS | FG_LF_VLAN,
	  .inout = { .off = 12, .size = BPF_B, .mask = 0xe0, .in = 0x00, .out = 0x20 } },
	/* Marvell DSA: mode TO_CPU (0) in the tag's top 2 bits is inbound, FROM_CPU (1) outbound */
	{ L(284, "DSA_TAG_DSA", FG_LK_ETHER), .off_linktype = 16, .off_linkpl = 18,
	  .off_nl_nosnap = 3, ETH_MACS,
	  .features = MAC48 | FG_LF_INOUT | FG_LF_LLC | FG_LF_MPLS | FG_LF_VLAN,
	  .inout = { .off = 12, .size = BPF_B, .mask = 0xc0, .in = 0x00, .out = 0x40 } },

	/* a bare Ethernet type */
	{ L(104, "C_HDLC", FG_LK_ETYPE), .off_linktype = 2, .off_linkpl = 4, .off_nl_nosnap = 1,
	  .features = FG_LF_LINK_PROTO | FG_LF_MPLS, .quirks = FG_LQ_ISO_FOLD },
	{ L(99, "SYMANTEC_FIREWALL", FG_LK_ETYPE), .off_linktype = 6, .off_linkpl = 44,
	  .features = FG_LF_LINK_PROTO },
	{ L(138, "APPLE_IP_OVER_IEEE1394", FG_LK_ETYPE), .off_linktype = 16, .off_linkpl = 18,
	  .features = FG_LF_LINK_PROTO },

	/* PPP protocol numbers behind other headers */
	{ L(16, "PPP_BSDOS", FG_LK_PPP), .off_linktype = 5, .off_linkpl = 24,
	  .features = FG_LF_LINK_PROTO, .quirks = FG_LQ_PPP_BSDOS },
	{ L(166, "PPP_PPPD", FG_LK_PPP), .off_linktype = 2, .off_linkpl = 4,
	  .features = FG_LF_INOUT | FG_LF_LINK_PROTO,
	  .inout = { .off = 0, .size = BPF_B, .in = 0, .out = 1 } },
	{ L(50, "PPP_SERIAL", FG_LK_PPP), .off_linktype = 2, .off_linkpl = 4,
	  .features = FG_LF_LINK_PROTO },
	{ L(51, "PPP_ETHER", FG_LK_PPP), .off_linktype = 6, .off_linkpl = 8,
	  .features = FG_LF_LINK_PROTO },

	/* IP only, the version nibble at the start of the SLIP header */
	{ L(8, "SLIP", FG_LK_RAW), NO_TYPE, .off_linkpl = 16, .features = FG_LF_INOUT | FG_LF_LINK_PROTO,
	  .quirks = FG_LQ_SLIP_RAW, .inout = { .off = 0, .size = BPF_B, .in = 0, .out = 1 } },
	{ L(15, "SLIP_BSDOS", FG_LK_RAW), NO_TYPE, .off_linkpl = 24, .features = FG_LF_LINK_PROTO,
	  .quirks = FG_LQ_SLIP_RAW },
	/* address families */
	{ L(109, "ENC", FG_LK_NULL), .off_linktype = 0, .off_linkpl = 12, .features = FG_LF_LINK_PROTO },
	{ L(226, "IPNET", FG_LK_IPNET), .off_linktype = 1, .off_linkpl = 24,
	  .features = FG_LF_INOUT | FG_LF_LINK_PROTO,
	  .inout = { .off = 2, .size = BPF_H, .in = 2, .out = 1 } },
	{ L(107, "FRELAY", FG_LK_FRELAY), .off_linktype = 2, .off_linkpl = 0,
	  .features = FG_LF_LINK_PROTO },
	{ L(117, "PFLOG", FG_LK_PFLOG), NO_TYPE, .features = FG_LF_INOUT | FG_LF_LINK_PROTO | FG_LF_PFLOG,
	  .vhdr = FG_VH_PFLOG, .inout = { .off = 60, .size = BPF_B, .in = 1, .out = 2 } },
	/* ARCnet: source, destination, (Linux: 2 bytes of padding), protocol ID */
	/* SunATM: type, VPI, VCI, then LLC, or a LANE header and Ethernet (lower_atm.c) */
	{ L(123, "SUNATM", FG_LK_SUNATM), .off_linktype = 4 + 6, .off_linkpl = 4, .off_nl = 8,
	  .off_nl_nosnap = 3, .features = FG_LF_ATM | FG_LF_LINK_PROTO | FG_LF_LLC },
	{ L(7, "ARCNET", FG_LK_ARCNET), .off_linktype = 2, .off_linkpl = 6, .off_mac_dst = 1,
	  .off_mac_src = 0, .features = ARC },
	{ L(129, "ARCNET_LINUX", FG_LK_ARCNET), .off_linktype = 4, .off_linkpl = 8, .off_mac_dst = 1,
	  .off_mac_src = 0, .features = ARC,
	  .quirks = FG_LQ_ARC_RFC1201 },
	/* BACnet MS/TP: preamble, frame type, destination, source */
	{ L(165, "BACNET_MS_TP", FG_LK_BACNET), NO_TYPE, .off_mac_dst = 3, .off_mac_src = 4,
	  .features = FG_LF_LINK_BROADCAST | FG_LF_LINK_HOST_MAC8, .quirks = FG_LQ_BCAST_FF },
	/* Juniper: a cookie, flags (bit 0: inbound), then the payload at a per-type offset; the
	 * network header of an 802.2 frame at nosnap from it (libpcap's values, -1 included) */
#define JNPR(d, n, pl, nosnap) { L(d, n, FG_LK_JUNIPER), .off_linktype = 0, .off_linkpl = (pl), \
	.off_nl_nosnap = (nosnap), .features = FG_LF_INOUT | FG_LF_LINK_PROTO, \
	.quirks = FG_LQ_TYPES_OVERLAP, \
	.inout = { .off = 3, .size = BPF_B, .mask = 0x01, .in = 1, .out = 0 } }
	JNPR(134, "JUNIPER_MFR", 4, -1u), JNPR(131, "JUNIPER_MLFR", 4, -1u),
	JNPR(130, "JUNIPER_MLPPP", 4, -1u), JNPR(179, "JUNIPER_PPP", 4, -1u),
	JNPR(181, "JUNIPER_CHDLC", 4, -1u), JNPR(180, "JUNIPER_FRELAY", 4, -1u),
	JNPR(137, "JUNIPER_ATM1", 4, 10), JNPR(135, "JUNIPER_ATM2", 8, 10),
	JNPR(178, "JUNIPER_ETHER", 32, 3), JNPR(167, "JUNIPER_PPPOE", 32, 3),
	JNPR(168, "JUNIPER_PPPOE_ATM", 6, -1u), JNPR(133, "JUNIPER_GGSN", 12, -1u),
	JNPR(164, "JUNIPER_MONITOR", 12, -1u),
	/* libpcap 1.10.3 puts these payloads 2 bytes before the packet (offsets wrap around
	 * modulo 2^32 as ours do); a load that ends up before the packet is an error */
	JNPR(238, "JUNIPER_ATM_CEMIC", -2u, 0), JNPR(132, "JUNIPER_ES", -2u, 0),
	JNPR(234, "JUNIPER_FIBRECHANNEL", -2u, 0), JNPR(194, "JUNIPER_ISM", -2u, 0),
	JNPR(136, "JUNIPER_SERVICES", -2u, 0), JNPR(233, "JUNIPER_SRX_E2E", -2u, 0),
	JNPR(200, "JUNIPER_ST", -2u, 0), JNPR(183, "JUNIPER_VP", -2u, 0),
	JNPR(232, "JUNIPER_VS", -2u, 0),
	/* SS7: MTP2, bare, behind a 4-byte pseudo-header or in an ERF record (the payload) */
	{ L(140, "MTP2", FG_LK_MTP2), NO_TYPE, .off_linkpl = 0, .features = FG_LF_SS7 },
	{ L(139, "MTP2_WITH_PHDR", FG_LK_MTP2), NO_TYPE, .off_linkpl = 4, .features = FG_LF_SS7 },
	{ L(197, "ERF", FG_LK_MTP2), NO_TYPE, .off_linkpl = 20, .features = FG_LF_SS7 },
	{ L(114, "LTALK", FG_LK_LTALK), NO_TYPE, .off_linkpl = 0, .features = FG_LF_LINK_PROTO },

	/* Link types the language knows only as bytes: link[], len, byte, less, greater */
#define OPAQUE(d, n) { L(d, n, FG_LK_OPAQUE), NO_TYPE, .off_linkpl = NONE }
	OPAQUE(141, "MTP3"), OPAQUE(142, "SCCP"), OPAQUE(143, "DOCSIS"),
	OPAQUE(144, "LINUX_IRDA"), OPAQUE(169, "GPRS_LLC"), OPAQUE(170, "GPF_T"),
	OPAQUE(171, "GPF_F"), OPAQUE(174, "JUNIPER_PIC_PEER"), OPAQUE(175, "ERF_ETH"),
	OPAQUE(176, "ERF_POS"), OPAQUE(177, "LINUX_LAPD"), OPAQUE(182, "MFR"),
	OPAQUE(184, "A429"), OPAQUE(185, "A653_ICM"), OPAQUE(186, "USB_FREEBSD"),
	OPAQUE(187, "BLUETOOTH_HCI_H4"), OPAQUE(188, "IEEE802_16_MAC_CPS"),
	OPAQUE(189, "USB_LINUX"), OPAQUE(190, "CAN20B"), OPAQUE(191, "IEEE802_15_4_LINUX"),
	OPAQUE(193, "IEEE802_16_MAC_CPS_RADIO"), OPAQUE(195, "IEEE802_15_4"),
	OPAQUE(196, "SITA"), OPAQUE(198, "RAIF1"), OPAQUE(199, "IPMB_KONTRON"),
	OPAQUE(201, "BLUETOOTH_HCI_H4_WITH_PHDR"), OPAQUE(202, "AX25_KISS"),
	OPAQUE(209, "IPMB_LINUX"), OPAQUE(215, "IEEE802_15_4_NONASK_PHY"),
	OPAQUE(216, "LINUX_EVDEV"), OPAQUE(219, "MPLS"), OPAQUE(220, "USB_LINUX_MMAPPED"),
	OPAQUE(221, "DECT"), OPAQUE(222, "AOS"), OPAQUE(223, "WIHART"), OPAQUE(224, "FC_2"),
	OPAQUE(225, "FC_2_WITH_FRAME_DELIMS"), OPAQUE(227, "CAN_SOCKETCAN"),
	OPAQUE(230, "IEEE802_15_4_NOFCS"), OPAQUE(231, "DBUS"), OPAQUE(235, "DVB_CI"),
	OPAQUE(236, "MUX27010"), OPAQUE(237, "STANAG_5066_D_PDU"), OPAQUE(239, "NFLOG"),
	OPAQUE(242, "IPOIB"), OPAQUE(243, "MPEG_2_TS"), OPAQUE(244, "NG40"),
	OPAQUE(245, "NFC_LLCP"), OPAQUE(246, "PFSYNC"), OPAQUE(247, "INFINIBAND"),
	OPAQUE(248, "SCTP"), OPAQUE(249, "USBPCAP"), OPAQUE(250, "RTAC_SERIAL"),
	OPAQUE(251, "BLUETOOTH_LE_LL"), OPAQUE(253, "NETLINK"),
	OPAQUE(254, "BLUETOOTH_LINUX_MONITOR"), OPAQUE(255, "BLUETOOTH_BREDR_BB"),
	OPAQUE(256, "BLUETOOTH_LE_LL_WITH_PHDR"), OPAQUE(257, "PROFIBUS_DL"),
	OPAQUE(258, "PKTAP"), OPAQUE(259, "EPON"), OPAQUE(260, "IPMI_HPM_2"),
	OPAQUE(261, "ZWAVE_R1_R2"), OPAQUE(262, "ZWAVE_R3"), OPAQUE(263, "WATTSTOPPER_DLM"),
	OPAQUE(264, "ISO_14443"), OPAQUE(265, "RDS"), OPAQUE(266, "USB_DARWIN"),
	OPAQUE(267, "OPENFLOW"), OPAQUE(268, "SDLC"), OPAQUE(269, "TI_LLN_SNIFFER"),
	OPAQUE(271, "VSOCK"), OPAQUE(272, "NORDIC_BLE"), OPAQUE(273, "DOCSIS31_XRA31"),
	OPAQUE(274, "ETHERNET_MPACKET"), OPAQUE(275, "DISPLAYPORT_AUX"),
	OPAQUE(278, "OPENVIZSLA"), OPAQUE(279, "EBHSCR"), OPAQUE(280, "VPP_DISPATCH"),
	OPAQUE(282, "DSA_TAG_BRCM_PREPEND"), OPAQUE(283, "IEEE802_15_4_TAP"),
	OPAQUE(285, "DSA_TAG_EDSA"), OPAQUE(286, "ELEE"), OPAQUE(287, "Z_WAVE_SERIAL"),
	OPAQUE(288, "USB_2_0"), OPAQUE(289, "ATSC_ALP"),
	/* link types libpcap master names that 1.10.3 does not (I2C_LINUX is IPMB_LINUX renamed) */
	OPAQUE(2, "EN3MB"), OPAQUE(3, "AX25"), OPAQUE(4, "PRONET"), OPAQUE(5, "CHAOS"),
	OPAQUE(32, "REDBACK_SMARTEDGE"), OPAQUE(209, "I2C_LINUX"), OPAQUE(290, "ETW"),
	OPAQUE(291, "NETANALYZER_NG"), OPAQUE(292, "ZBOSS_NCP"), OPAQUE(293, "USB_2_0_LOW_SPEED"),
	OPAQUE(294, "USB_2_0_FULL_SPEED"), OPAQUE(295, "USB_2_0_HIGH_SPEED"),
	OPAQUE(296, "AUERSWALD_LOG"), OPAQUE(297, "ZWAVE_TAP"), OPAQUE(298, "SILABS_DEBUG_CHANNEL"),
	OPAQUE(299, "FIRA_UCI"), OPAQUE(300, "MDB"), OPAQUE(301, "DECT_NR"),
};

#define NLINKS (sizeof(links) / sizeof(links[0]))

const struct fg_link *fg_link_by_dlt(int dlt)
{
	size_t i;

	for (i = 0; i < NLINKS; i++)
		if (links[i].dlt == dlt)
			return &links[i];
	return NULL;
}

const struct fg_link *fg_link_by_name(const char *name)
{
	char *end;
	long v;
	size_t i;

	if (strncasecmp(name, "DLT_", 4) == 0)
		name += 4;
	for (i = 0; i < NLINKS; i++)
		if (strcasecmp(links[i].name, name) == 0)
			return &links[i];
	v = strtol(name, &end, 10);
	if (*name && !*end && v >= 0 && v <= 0xffff)
		return fg_link_by_dlt((int)v);
	return NULL;
}
