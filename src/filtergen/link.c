/*
 * link.c -- the table of link layers pfc compiles for (see link.h).
 *
 * Offsets are those of the link-layer headers as captured: Ethernet's type
 * at 12 and payload at 14, Linux cooked v1's protocol at 14 and payload at
 * 16, v2's protocol at 0 and payload at 20, and so on.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "link.h"

#define NONE UINT32_MAX
#define MAC48 (FG_LF_LINK_BROADCAST | FG_LF_LINK_HOST_MAC48 | FG_LF_LINK_MULTICAST | FG_LF_LINK_PROTO)
#define WLAN (MAC48 | FG_LF_LLC | FG_LF_VAR_OFF_LINKPL | FG_LF_VLAN | FG_LF_WLAN)

static const struct fg_link links[] = {
	{ 1, "EN10MB", FG_LK_ETHER, 12, 14, 0, 3, 0, 6, NONE,
	  FG_LF_LINK_BROADCAST | FG_LF_LINK_HOST_MAC48 | FG_LF_LINK_MULTICAST |
	  FG_LF_LINK_PROTO | FG_LF_LLC | FG_LF_MPLS | FG_LF_VLAN, FG_VH_NONE },
	{ 113, "LINUX_SLL", FG_LK_SLL, 14, 16, 0, 0, NONE, NONE, 0,
	  FG_LF_INOUT | FG_LF_LINK_PROTO, FG_VH_NONE },
	{ 276, "LINUX_SLL2", FG_LK_SLL2, 0, 20, 0, 0, NONE, NONE, 10,
	  FG_LF_IFINDEX | FG_LF_INOUT | FG_LF_LINK_PROTO, FG_VH_NONE },
	{ 12, "RAW", FG_LK_RAW, NONE, 0, 0, 0, NONE, NONE, NONE, FG_LF_LINK_PROTO, FG_VH_NONE },
	{ 228, "IPV4", FG_LK_IPV4, NONE, 0, 0, 0, NONE, NONE, NONE, FG_LF_LINK_PROTO, FG_VH_NONE },
	{ 229, "IPV6", FG_LK_IPV6, NONE, 0, 0, 0, NONE, NONE, NONE, FG_LF_LINK_PROTO, FG_VH_NONE },
	{ 0, "NULL", FG_LK_NULL, 0, 4, 0, 0, NONE, NONE, NONE, FG_LF_LINK_PROTO, FG_VH_NONE },
	{ 108, "LOOP", FG_LK_LOOP, 0, 4, 0, 0, NONE, NONE, NONE, FG_LF_LINK_PROTO, FG_VH_NONE },
	{ 9, "PPP", FG_LK_PPP, 2, 4, 0, 0, NONE, NONE, NONE, FG_LF_LINK_PROTO | FG_LF_MPLS, FG_VH_NONE },
	/* 802.2 LLC after a MAC header: type at the SNAP header's end, network header after SNAP */
	{ 10, "FDDI", FG_LK_LLC, 19, 13, 8, 3, 1, 7, NONE, MAC48 | FG_LF_LLC, FG_VH_NONE },
	{ 6, "IEEE802", FG_LK_LLC, 20, 14, 8, 3, 2, 8, NONE, MAC48 | FG_LF_LLC, FG_VH_NONE },
	{ 122, "IP_OVER_FC", FG_LK_LLC, 22, 16, 8, 3, 2, 10, NONE, MAC48, FG_VH_NONE },
	/* 802.11: the payload's offset depends on the frame (lower_wlan.c) */
	{ 105, "IEEE802_11", FG_LK_LLC, NONE, 0, 8, 3, NONE, NONE, NONE, WLAN, FG_VH_NONE },
	{ 127, "IEEE802_11_RADIO", FG_LK_LLC, NONE, 0, 8, 3, NONE, NONE, NONE, WLAN, FG_VH_RADIOTAP },
	{ 119, "PRISM_HEADER", FG_LK_LLC, NONE, 0, 8, 3, NONE, NONE, NONE, WLAN, FG_VH_PRISM },
	{ 163, "IEEE802_11_RADIO_AVS", FG_LK_LLC, NONE, 0, 8, 3, NONE, NONE, NONE, WLAN, FG_VH_AVS },
	{ 192, "PPI", FG_LK_LLC, NONE, 0, 8, 3, NONE, NONE, NONE, WLAN & ~FG_LF_VLAN, FG_VH_PPI },
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
