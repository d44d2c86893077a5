/*
 * lower_atm.c -- ATM as SunATM captures it (DLT_SUNATM): a 4-byte
 * pseudo-header (payload type in the low nibble of byte 0, VPI in byte 1,
 * VCI in bytes 2-3), then an LLC-encapsulated packet or, for LAN
 * emulation, a 2-byte LANE header and an Ethernet frame.
 *
 * `vpi`/`vci` compare the header's fields; `oamf4`, `metac`, `bcc`, `sc`,
 * `ilmic` name the well-known circuits of VPI 0; `connectmsg` and
 * `metaconnect` add the Q.2931 message type of signalling.  `lane` tests
 * for LAN emulation and, like `vlan`, makes what follows it look at the
 * emulated Ethernet frame.
 * VPI, VCI and the message type are read from where the link header is
 * now, so after `lane` they land in the emulated Ethernet frame, as in
 * libpcap.  Keeps true: VPI and VCI values over their widths are errors.
 */
#include <errno.h>

#include "lower.h"

#define PT_LANE 0x01u
#define PT_LLC 0x02u
#define OFF_VPI 1u
#define OFF_VCI 2u
#define OFF_PKT 4u		/* the payload */
#define OFF_MSGTYPE (OFF_PKT + 5)	/* Q.2931 message type */
#define LANE_HDR 2u
#define LE_CONTROL 0xff00u

/* The payload type in the pseudo-header (where the link header now starts). */
static struct fg_cond pt(struct fg_lower *l, uint32_t type)
{
	return fg_gen_mcmp(l, FG_OR_LINKHDR, 0, BPF_B, type, 0x0f);
}

/* Not SunATM: everything here is an error. */
static bool not_atm(struct fg_lower *l, struct fg_loc at, const char *what)
{
	if (l->link->features & FG_LF_ATM)
		return false;
	fg_lower_error(l, at.off, at.len, -EINVAL, "'%s' is only supported on SunATM, not %s", what,
		       l->link->name);
	return true;
}

/* SunATM's type test: an LLC payload carrying proto; inside LANE, an Ethernet one. */
struct fg_cond fg_sunatm_linktype(struct fg_lower *l, uint32_t proto)
{
	return fg_cond_and(l->ir, pt(l, PT_LLC), fg_gen_llc_linktype(l, proto));
}

/* Inside LANE: not an LE control frame (whose "destination" starts with 0xff00). */
struct fg_cond fg_lane_data(struct fg_lower *l)
{
	return fg_cond_not(fg_gen_eq(l, FG_OR_PACKET, OFF_PKT, BPF_H, LE_CONTROL));
}

/* `llc` on SunATM: an LLC payload. */
struct fg_cond fg_sunatm_llc(struct fg_lower *l)
{
	return pt(l, PT_LLC);
}

static struct fg_cond lane(struct fg_lower *l, struct fg_loc at)
{
	struct fg_cond c;

	if (not_atm(l, at, "lane"))
		return fg_cond_const(false);
	c = pt(l, PT_LANE);
	/* what follows is an Ethernet frame after the LANE header */
	l->kind = FG_LK_ETHER;
	l->lane = true;
	l->mac48 = true;
	l->off_mac_dst = 0;
	l->off_mac_src = 6;
	l->off_linkhdr.k = OFF_PKT + LANE_HDR;
	l->off_linktype.k = OFF_PKT + LANE_HDR + 12;
	l->off_linkpl.k = OFF_PKT + LANE_HDR + 14;
	l->off_nl = 0;
	l->off_nl_nosnap = 3;
	return c;
}

static struct fg_cond vc(struct fg_lower *l, uint32_t vci)
{
	return fg_cond_and(l->ir, fg_gen_eq(l, FG_OR_LINKHDR, OFF_VPI, BPF_B, 0),
			   fg_gen_eq(l, FG_OR_LINKHDR, OFF_VCI, BPF_H, vci));
}

/* Signalling on VCI vci whose message type is one of types[0..n). */
static struct fg_cond msgtypes(struct fg_lower *l, uint32_t vci, const uint8_t *types, size_t n)
{
	struct fg_cond c = fg_cond_const(false);
	size_t i;

	for (i = 0; i < n; i++)
		c = fg_cond_or(l->ir, c, fg_gen_eq(l, FG_OR_LINKHDR, OFF_MSGTYPE, BPF_B, types[i]));
	return fg_cond_and(l->ir, vc(l, vci), c);
}

struct fg_cond fg_gen_atm(struct fg_lower *l, const struct fg_node *n)
{
	/* CALL_PROCEED, CONNECT, CONNECT_ACK, RELEASE, RELEASE_DONE, SETUP */
	static const uint8_t connect[] = { 0x5a, 0x4d, 0x0f, 0x07, 0x05, 0x02 };
	static const uint8_t meta[] = { 0x5a, 0x4d, 0x07, 0x05, 0x02 };

	if (n->u.atm == FG_ATM_LANE)
		return lane(l, n->loc);
	if (not_atm(l, n->loc, "ATM circuit types"))
		return fg_cond_const(false);
	switch (n->u.atm) {
	case FG_ATM_METAC: return vc(l, 1);
	case FG_ATM_BCC: return vc(l, 2);
	case FG_ATM_OAMF4SC: return vc(l, 3);
	case FG_ATM_OAMF4EC: return vc(l, 4);
	case FG_ATM_SC: return vc(l, 5);
	case FG_ATM_ILMIC: return vc(l, 16);
	case FG_ATM_CONNECTMSG: return msgtypes(l, 5, connect, sizeof(connect));
	case FG_ATM_METACONNECT: return msgtypes(l, 1, meta, sizeof(meta));
	default:	/* oam, oamf4: either OAM F4 circuit */
		return fg_cond_and(l->ir, fg_gen_eq(l, FG_OR_LINKHDR, OFF_VPI, BPF_B, 0),
				   fg_cond_or(l->ir, fg_gen_eq(l, FG_OR_LINKHDR, OFF_VCI, BPF_H, 3),
					      fg_gen_eq(l, FG_OR_LINKHDR, OFF_VCI, BPF_H, 4)));
	}
}

/* vpi/vci relop N */
struct fg_cond fg_gen_atm_field(struct fg_lower *l, const struct fg_node *n)
{
	bool vpi = n->u.field.field == FG_FIELD_VPI;
	uint32_t max = vpi ? 255 : 65535;
	uint16_t jop;
	bool rev;

	if (not_atm(l, n->loc, vpi ? "vpi" : "vci"))
		return fg_cond_const(false);
	if (n->u.field.value > max)
		return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL, "%s %u greater than maximum %u",
				      vpi ? "VPI" : "VCI", n->u.field.value, max);
	fg_relop_jump(n->u.field.op, &jop, &rev);
	return fg_gen_cmp(l, FG_OR_LINKHDR, vpi ? OFF_VPI : OFF_VCI, vpi ? BPF_B : BPF_H, 0xffffffffu,
			  jop, rev, n->u.field.value);
}
