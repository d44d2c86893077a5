/*
 * lower_wlan.c -- IEEE 802.11, bare or behind a radio header (radiotap,
 * PRISM, AVS, PPI): the offsets that only run-time code can know, the
 * frame-control tests (`type`, `subtype`, `dir`) and the 802.11 address
 * tests (`wlan src/dst/ra/ta/addr1-4`, `host`, `broadcast`, `multicast`).
 *
 * A radio header has a length that only the packet says, and the 802.11
 * payload starts after 24 bytes of header, 26 for QoS data frames; both
 * live in scratch words filled by a prologue that runs before the filter
 * proper (libpcap does the same: the verdict on a truncated packet then
 * matches).  The 4-address form of data frames is not counted in the
 * payload offset, as libpcap does not count it.
 * PFLOG's payload offset (lower_pflog.c) is made here too: this file owns
 * the scratch words of every link type whose offsets are variable.
 * Keeps true: the prologue stores every word it sets on every path, and is
 * made only when the filter reads those words (PPI's check that the packet
 * is 802.11 at all is always made, as libpcap makes it).
 */
#include <errno.h>

#include "lower.h"

#define FC0_DATA 0x08u		/* type bits: data frame (with 0x04 clear) */
#define FC0_CTL 0x04u		/* type bits: control frame */
#define FC0_QOS 0x80u		/* subtype bit: QoS data (26-byte header) */
#define FC1_TODS 0x01u
#define FC1_FROMDS 0x02u
#define ST_CTS 0xc0u
#define ST_ACK 0xd0u
#define PPI_DLT_80211 0x69000000u	/* little-endian 105 read as a big-endian word */
#define PRISM_MAGIC 0x80211000u
#define PRISM_LEN 144u
#define RT_FLAGS_PRESENT 0x02000000u
#define RT_TSFT_PRESENT 0x01000000u
#define RT_EXT_PRESENT 0x80u
#define RT_FLAG_DATAPAD 0x20u

/* Take the scratch words the link type's variable offsets live in. */
void fg_wlan_setup(struct fg_lower *l)
{
	if (l->link->vhdr == FG_VH_PFLOG) {
		l->off_linkpl.k = 0;
		l->off_linkpl.reg = l->vh_pl_reg = fg_lower_alloc_reg(l);
		return;
	}
	if (l->link->vhdr != FG_VH_NONE) {
		l->off_linkhdr.k = 0;
		l->off_linkhdr.reg = fg_lower_alloc_reg(l);
		l->vh_hdr_reg = l->off_linkhdr.reg;
	}
	if (l->link->features & FG_LF_WLAN) {
		l->off_linkpl.k = 0;
		l->off_linkpl.reg = fg_lower_alloc_reg(l);
		l->off_linktype = l->off_linkpl;
		l->off_linktype.k = 6;
		l->vh_pl_reg = l->off_linkpl.reg;
	}
}

static void add(struct fg_lower *l, struct fg_block *b, uint16_t code, uint32_t k)
{
	if (fg_block_add(l->ir, b, code, k) < 0)
		fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
}

static struct fg_block *block(struct fg_lower *l)
{
	struct fg_block *b = fg_block_new(l->ir);

	if (!b && !l->err)
		fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	return b;
}

/* Every exit of c, true or false, goes on as true: c is set-up code with branches inside. */
static struct fg_cond join(struct fg_cond c)
{
	struct fg_cond r = c;

	if (c.kind != FG_COND_CODE)
		return fg_cond_const(true);
	if (!r.t) {
		r.t = c.f;
		r.t_last = c.f_last;
	} else if (c.f) {
		r.t_last->next = c.f;
		r.t_last = c.f_last;
	}
	r.f = r.f_last = NULL;
	return r;
}

/* A block that does its instructions and goes on. */
static struct fg_cond step(struct fg_lower *l, struct fg_block *b)
{
	return b ? fg_cond_always(l->ir, b) : fg_cond_const(false);
}

/* M[hdr] = the radio header's length. */
static struct fg_cond radio_len(struct fg_lower *l)
{
	struct fg_block *b;
	int r = l->vh_hdr_reg;

	if (l->link->vhdr == FG_VH_PRISM) {
		/* PRISM's v2 header says its length; the old one is 144 bytes */
		struct fg_cond v2 = fg_gen_mcmp(l, FG_OR_PACKET, 0, BPF_W, PRISM_MAGIC, 0xfffff000u);
		struct fg_block *y = block(l), *n = block(l);

		if (!y || !n)
			return fg_cond_const(false);
		add(l, y, BPF_LD | BPF_W | BPF_ABS, 4);
		add(l, y, BPF_ST, (uint32_t)r);
		add(l, n, BPF_LD | BPF_IMM, PRISM_LEN);
		add(l, n, BPF_ST, (uint32_t)r);
		return fg_cond_or(l->ir, fg_cond_and(l->ir, v2, step(l, y)), step(l, n));
	}
	b = block(l);
	if (!b)
		return fg_cond_const(false);
	if (l->link->vhdr == FG_VH_AVS) {
		add(l, b, BPF_LD | BPF_W | BPF_ABS, 4);
	} else {	/* radiotap and PPI: a little-endian 16-bit length at 2 */
		add(l, b, BPF_LD | BPF_B | BPF_ABS, 3);
		add(l, b, BPF_ALU | BPF_LSH | BPF_K, 8);
		add(l, b, BPF_MISC | BPF_TAX, 0);
		add(l, b, BPF_LD | BPF_B | BPF_ABS, 2);
		add(l, b, BPF_ALU | BPF_OR | BPF_X, 0);
	}
	add(l, b, BPF_ST, (uint32_t)r);
	add(l, b, BPF_MISC | BPF_TAX, 0);	/* X too: the first header load needs no ldx */
	return step(l, b);
}

/* M[pl] += k (k 2: the QoS field; k 3 then mask: radiotap's padding to 4 bytes). */
static struct fg_cond bump_pl(struct fg_lower *l, uint32_t k, bool align)
{
	struct fg_block *b = block(l);

	if (!b)
		return fg_cond_const(false);
	add(l, b, BPF_LD | BPF_MEM, (uint32_t)l->vh_pl_reg);
	add(l, b, BPF_ALU | BPF_ADD | BPF_K, k);
	if (align)
		add(l, b, BPF_ALU | BPF_AND | BPF_K, 0xfffffffcu);
	add(l, b, BPF_ST, (uint32_t)l->vh_pl_reg);
	return step(l, b);
}

static struct fg_cond fc_bit(struct fg_lower *l, uint32_t off, uint32_t bit)
{
	return fg_gen_cmp(l, FG_OR_LINKHDR, off, BPF_B, 0xffffffffu, BPF_JSET, false, bit);
}

/* M[pl] = header + 24, + 2 for QoS data; radiotap: rounded up to 4 when it says it pads. */
static struct fg_cond wlan_pl(struct fg_lower *l)
{
	struct fg_block *b = block(l);
	struct fg_cond qos, c, pad, flags;

	if (!b)
		return fg_cond_const(false);
	if (l->off_linkhdr.reg >= 0)
		add(l, b, BPF_LD | BPF_MEM, (uint32_t)l->off_linkhdr.reg);
	else
		add(l, b, BPF_LD | BPF_IMM, 0);
	add(l, b, BPF_ALU | BPF_ADD | BPF_K, 24);
	add(l, b, BPF_ST, (uint32_t)l->vh_pl_reg);
	qos = fg_cond_and(l->ir, fc_bit(l, 0, FC0_DATA), fg_cond_not(fc_bit(l, 0, FC0_CTL)));
	qos = fg_cond_and(l->ir, qos, fc_bit(l, 0, FC0_QOS));
	c = join(fg_cond_and(l->ir, qos, bump_pl(l, 2, false)));
	c = fg_cond_and(l->ir, step(l, b), c);
	if (l->link->vhdr != FG_VH_RADIOTAP)
		return c;
	/* the flags field follows the 8-byte TSFT when that is present */
	flags = fg_gen_cmp(l, FG_OR_PACKET, 4, BPF_W, 0xffffffffu, BPF_JSET, false, RT_FLAGS_PRESENT);
	flags = fg_cond_and(l->ir, flags, fg_cond_not(fg_gen_cmp(l, FG_OR_PACKET, 4, BPF_W, 0xffffffffu,
								 BPF_JSET, false, RT_EXT_PRESENT)));
	pad = fg_cond_or(l->ir,
			 fg_cond_and(l->ir, fg_gen_cmp(l, FG_OR_PACKET, 4, BPF_W, 0xffffffffu, BPF_JSET,
						       false, RT_TSFT_PRESENT),
				     fg_gen_cmp(l, FG_OR_PACKET, 16, BPF_B, 0xffffffffu, BPF_JSET,
						false, RT_FLAG_DATAPAD)),
			 fg_cond_and(l->ir, fg_cond_not(fg_gen_cmp(l, FG_OR_PACKET, 4, BPF_W, 0xffffffffu,
								   BPF_JSET, false, RT_TSFT_PRESENT)),
				     fg_gen_cmp(l, FG_OR_PACKET, 8, BPF_B, 0xffffffffu, BPF_JSET,
						false, RT_FLAG_DATAPAD)));
	pad = fg_cond_and(l->ir, fg_cond_and(l->ir, flags, pad), bump_pl(l, 3, true));
	/* libpcap looks for padding only in data frames */
	pad = fg_cond_and(l->ir, fg_cond_and(l->ir, fc_bit(l, 0, FC0_DATA),
					     fg_cond_not(fc_bit(l, 0, FC0_CTL))), pad);
	return fg_cond_and(l->ir, c, join(pad));
}

/* Does any instruction made so far read scratch word r? */
static bool reads(const struct fg_ir *ir, int r)
{
	size_t i, j;

	if (r < 0)
		return false;
	for (i = 0; i < ir->nblocks; i++) {
		const struct fg_block *b = ir->blocks[i];

		for (j = 0; j < b->ninsns; j++)
			if ((b->insns[j].code == (BPF_LD | BPF_MEM) ||
			     b->insns[j].code == (BPF_LDX | BPF_MEM)) && b->insns[j].k == (uint32_t)r)
				return true;
	}
	return false;
}

struct fg_cond fg_wlan_prologue(struct fg_lower *l)
{
	bool pl = reads(l->ir, l->vh_pl_reg), hdr = pl || reads(l->ir, l->vh_hdr_reg);
	struct fg_off saved = l->off_linkhdr;
	struct fg_cond c = fg_cond_const(true);

	if (l->link->vhdr == FG_VH_PFLOG)
		return pl ? fg_pflog_prologue(l) : c;
	/* the expression may have moved the link header (pppoes...): the prologue reads the real one */
	l->off_linkhdr.k = l->link->vhdr != FG_VH_NONE ? 0 : l->link->off_linkhdr;
	l->off_linkhdr.reg = l->vh_hdr_reg;
	if (l->link->vhdr == FG_VH_PPI)	/* libpcap refuses every PPI packet that is not 802.11 */
		c = fg_gen_eq(l, FG_OR_PACKET, 4, BPF_W, PPI_DLT_80211);
	if (hdr && l->vh_hdr_reg >= 0)
		c = fg_cond_and(l->ir, c, radio_len(l));
	if (pl)
		c = fg_cond_and(l->ir, c, wlan_pl(l));
	l->off_linkhdr = saved;
	return c;
}

/* ---- frame control ------------------------------------------------------- */

/* A data frame: type bits 10 (control 01 and the reserved 11 are not). */
struct fg_cond fg_wlan_data_frame(struct fg_lower *l)
{
	return fg_cond_and(l->ir, fg_cond_not(fc_bit(l, 0, FC0_CTL)), fc_bit(l, 0, FC0_DATA));
}

static bool is_wlan(const struct fg_lower *l)
{
	return (l->link->features & FG_LF_WLAN) != 0;
}

/* [wlan] type T [subtype S], [wlan] subtype S, [wlan] dir D. */
struct fg_cond fg_gen_wlan_fc(struct fg_lower *l, const struct fg_node *n)
{
	if (!is_wlan(l))
		return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
				      "802.11 frame types and directions are only on 802.11 link types, not %s",
				      l->link->name);
	if (n->kind == FG_N_WLAN_DIR)
		return fg_gen_mcmp(l, FG_OR_LINKHDR, 1, BPF_B, n->u.wlan.value, n->u.wlan.mask);
	return fg_gen_mcmp(l, FG_OR_LINKHDR, 0, BPF_B, n->u.wlan.value, n->u.wlan.mask);
}

/* ---- addresses ----------------------------------------------------------- */

static struct fg_cond addr_at(struct fg_lower *l, uint32_t off, const uint8_t *mac)
{
	return fg_gen_bcmp(l, FG_OR_LINKHDR, off, mac, 6);
}

/* Neither a CTS nor an ACK (control frames with no transmitter address). */
static struct fg_cond not_cts_ack(struct fg_lower *l)
{
	struct fg_cond ctl = fg_gen_mcmp(l, FG_OR_LINKHDR, 0, BPF_B, FC0_CTL, 0x0c);
	struct fg_cond st = fg_cond_or(l->ir, fg_gen_mcmp(l, FG_OR_LINKHDR, 0, BPF_B, ST_CTS, 0xf0),
				       fg_gen_mcmp(l, FG_OR_LINKHDR, 0, BPF_B, ST_ACK, 0xf0));

	return fg_cond_not(fg_cond_and(l->ir, ctl, st));
}

/* The source: addr2, or in data frames from the DS addr3, or addr4 between two DSes. */
static struct fg_cond wlan_src(struct fg_lower *l, const uint8_t *mac)
{
	struct fg_cond mgt, data, fromds;

	mgt = fg_cond_and(l->ir, fg_cond_not(fc_bit(l, 0, FC0_DATA)), addr_at(l, 10, mac));
	fromds = fg_cond_or(l->ir, fg_cond_and(l->ir, fg_cond_not(fc_bit(l, 1, FC1_TODS)),
					       addr_at(l, 16, mac)),
			    fg_cond_and(l->ir, fc_bit(l, 1, FC1_TODS), addr_at(l, 24, mac)));
	data = fg_cond_or(l->ir, fg_cond_and(l->ir, fg_cond_not(fc_bit(l, 1, FC1_FROMDS)),
					     addr_at(l, 10, mac)),
			  fg_cond_and(l->ir, fc_bit(l, 1, FC1_FROMDS), fromds));
	data = fg_cond_and(l->ir, fc_bit(l, 0, FC0_DATA), data);
	return fg_cond_and(l->ir, fg_cond_not(fc_bit(l, 0, FC0_CTL)), fg_cond_or(l->ir, mgt, data));
}

/* The destination: addr1, or in data frames to the DS addr3. */
static struct fg_cond wlan_dst(struct fg_lower *l, const uint8_t *mac)
{
	struct fg_cond mgt, data;

	mgt = fg_cond_and(l->ir, fg_cond_not(fc_bit(l, 0, FC0_DATA)), addr_at(l, 4, mac));
	data = fg_cond_or(l->ir, fg_cond_and(l->ir, fg_cond_not(fc_bit(l, 1, FC1_TODS)),
					     addr_at(l, 4, mac)),
			  fg_cond_and(l->ir, fc_bit(l, 1, FC1_TODS), addr_at(l, 16, mac)));
	data = fg_cond_and(l->ir, fc_bit(l, 0, FC0_DATA), data);
	return fg_cond_and(l->ir, fg_cond_not(fc_bit(l, 0, FC0_CTL)), fg_cond_or(l->ir, mgt, data));
}

static struct fg_cond wlan_side(struct fg_lower *l, bool src, const void *mac)
{
	return src ? wlan_src(l, mac) : wlan_dst(l, mac);
}

struct fg_cond fg_gen_wlan_host(struct fg_lower *l, enum fg_dir dir, const uint8_t mac[6])
{
	switch (dir) {
	case FG_DIR_ADDR1:
		return addr_at(l, 4, mac);
	case FG_DIR_ADDR2:
		return fg_cond_and(l->ir, not_cts_ack(l), addr_at(l, 10, mac));
	case FG_DIR_ADDR3:
		return fg_cond_and(l->ir, fg_cond_not(fg_gen_mcmp(l, FG_OR_LINKHDR, 0, BPF_B, FC0_CTL,
								  0x0c)), addr_at(l, 16, mac));
	case FG_DIR_ADDR4:
		return fg_cond_and(l->ir, fg_gen_mcmp(l, FG_OR_LINKHDR, 1, BPF_B, 3, 3),
				   addr_at(l, 24, mac));
	case FG_DIR_RA:
		return fg_cond_and(l->ir, fc_bit(l, 0, FC0_DATA), addr_at(l, 4, mac));
	case FG_DIR_TA:
		return fg_cond_and(l->ir, fc_bit(l, 0, FC0_DATA),
				   fg_cond_and(l->ir, not_cts_ack(l), addr_at(l, 10, mac)));
	default:
		return fg_gen_by_dir(l, dir, wlan_side, mac);
	}
}

/* The destination's group bit: addr1, or addr3 in data frames to the DS. */
struct fg_cond fg_gen_wlan_multicast(struct fg_lower *l)
{
	struct fg_cond mgt, data;

	mgt = fg_cond_and(l->ir, fg_cond_not(fc_bit(l, 0, FC0_DATA)), fc_bit(l, 4, 1));
	data = fg_cond_or(l->ir, fg_cond_and(l->ir, fg_cond_not(fc_bit(l, 1, FC1_TODS)),
					     fc_bit(l, 4, 1)),
			  fg_cond_and(l->ir, fc_bit(l, 1, FC1_TODS), fc_bit(l, 16, 1)));
	data = fg_cond_and(l->ir, fc_bit(l, 0, FC0_DATA), data);
	return fg_cond_and(l->ir, fg_cond_not(fc_bit(l, 0, FC0_CTL)), fg_cond_or(l->ir, mgt, data));
}
