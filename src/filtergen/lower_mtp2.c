/*
 * lower_mtp2.c -- SS7 signalling over MTP2 (DLT_MTP2, with its pseudo-header,
 * and over ERF): the signal-unit types (`fisu`, `lssu`, `msu` and the
 * high-speed-link forms `hfisu`...) and the MTP3 fields `sio`, `opc`, `dpc`,
 * `sls` (`hsio`... on high-speed links, whose header is 3 bytes longer).
 *
 * MTP3's routing label is a little-endian word: DPC in its low 14 bits, OPC
 * in the next 14, SLS in the top 4.  libpcap loads it as a big-endian word
 * and compares it, masked, with the value's bits moved to where the bytes
 * put them; relations other than equality then order those moved bits, and
 * we keep that meaning (it is what users of libpcap get).
 * Keeps true: a value over the field's width is an error, never truncated.
 */
#include <errno.h>

#include "lower.h"

/* Offsets from the MTP2 header (the link payload: after a pseudo-header or ERF record,
 * while link[] still counts from the first byte); high-speed-link forms 3 bytes further. */
#define OFF_LI 2u
#define OFF_SIO 3u
#define OFF_LABEL 4u
#define OFF_SLS 7u
#define HSL_EXTRA 3u

static bool is_mtp2(const struct fg_lower *l)
{
	return (l->link->features & FG_LF_SS7) != 0;
}

/* fisu: length indicator 0; lssu: 1 or 2; msu: more (6 bits; 9 of a 16-bit word on HSL). */
struct fg_cond fg_gen_mtp2(struct fg_lower *l, const struct fg_node *n)
{
	enum fg_mtp2_kind k = n->u.mtp2;
	bool hsl = k >= FG_MTP2_HFISU;
	uint16_t size = hsl ? BPF_H : BPF_B;
	uint32_t off = hsl ? OFF_LI + 2 : OFF_LI, mask = hsl ? 0xff80u : 0x3fu;
	uint32_t two = hsl ? 0x100u : 2u;
	struct fg_cond c;

	if (!is_mtp2(l))
		return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
				      "MTP2 signal-unit types are only on MTP2 link types, not %s",
				      l->link->name);
	switch (hsl ? k - FG_MTP2_HFISU : k) {
	case FG_MTP2_FISU:
		return fg_gen_mcmp(l, FG_OR_LINKPL, off, size, 0, mask);
	case FG_MTP2_LSSU:
		c = fg_gen_cmp(l, FG_OR_LINKPL, off, size, mask, BPF_JGT, false, 0);
		return fg_cond_and(l->ir, c, fg_gen_cmp(l, FG_OR_LINKPL, off, size, mask, BPF_JGT,
							true, two));
	default:
		return fg_gen_cmp(l, FG_OR_LINKPL, off, size, mask, BPF_JGT, false, two);
	}
}

struct ss7_field {
	const char *name;
	uint32_t off, max, mask;
	uint16_t size;
};

/* The value's bits where the little-endian label puts them in a big-endian load. */
static uint32_t place(enum fg_field f, uint32_t v)
{
	switch (f) {
	case FG_FIELD_OPC: case FG_FIELD_HOPC:
		return (v & 3u) << 22 | ((v >> 2) & 0xffu) << 8 | ((v >> 10) & 0xfu);
	case FG_FIELD_DPC: case FG_FIELD_HDPC:
		return (v & 0xffu) << 24 | ((v >> 8) & 0x3fu) << 16;
	case FG_FIELD_SLS: case FG_FIELD_HSLS:
		return v << 4;
	default:
		return v;
	}
}

static void field_of(enum fg_field f, struct ss7_field *d)
{
	static const struct ss7_field t[] = {
		{ "sio", OFF_SIO, 255, 0xffffffffu, BPF_B },
		{ "opc", OFF_LABEL, 16383, 0x00c0ff0fu, BPF_W },
		{ "dpc", OFF_LABEL, 16383, 0xff3f0000u, BPF_W },
		{ "sls", OFF_SLS, 15, 0xf0u, BPF_B },
	};
	bool hsl = f >= FG_FIELD_HSIO;

	*d = t[f - (hsl ? FG_FIELD_HSIO : FG_FIELD_SIO)];
	if (hsl)
		d->off += HSL_EXTRA;
}

struct fg_cond fg_gen_ss7_field(struct fg_lower *l, const struct fg_node *n)
{
	enum fg_field f = n->u.field.field;
	struct ss7_field d;
	uint16_t jop;
	bool rev;

	field_of(f, &d);
	if (!is_mtp2(l))
		return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
				      "'%s%s' is only on SS7 (MTP2) link types, not %s",
				      f >= FG_FIELD_HSIO ? "h" : "", d.name, l->link->name);
	if (n->u.field.value > d.max)
		return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
				      "%s%s %u greater than maximum %u", f >= FG_FIELD_HSIO ? "h" : "",
				      d.name, n->u.field.value, d.max);
	fg_relop_jump(n->u.field.op, &jop, &rev);
	return fg_gen_cmp(l, FG_OR_LINKPL, d.off, d.size, d.mask, jop, rev,
			  place(f, n->u.field.value));
}
