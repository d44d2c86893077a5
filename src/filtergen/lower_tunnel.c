/*
 * lower_tunnel.c -- Geneve (UDP 6081) and VXLAN (UDP 4789): match the
 * tunnel header, then move every offset onto the encapsulated frame, so
 * that `geneve and tcp port 22` looks at the inner TCP segment.
 *
 * The inner frame starts at a place known only at run time (behind an
 * IPv4 header of variable length, and for Geneve behind options of variable
 * length), so its offsets live in scratch words: the link header, the type
 * field and the payload.  Geneve carries an Ethernet type: a whole inner
 * Ethernet frame (0x6558, "transparent Ethernet bridging") or a bare
 * network packet; VXLAN always carries Ethernet.
 * Keeps true: the set-up code runs only on packets the tunnel test
 * accepted, and the three words are written on every path through it.
 */
#include <errno.h>

#include "lower.h"

#define GENEVE_PORT 6081u
#define VXLAN_PORT 4789u
#define ETHERTYPE_TEB 0x6558u
#define UDP_HDR 8u

/* The UDP test and the tunnel header checks, for one IP family. */
static struct fg_cond tunnel_check(struct fg_lower *l, bool v6, uint32_t port, bool geneve,
				   bool has_vni, uint32_t vni)
{
	enum fg_offrel rel = v6 ? FG_OR_TRAN_IPV6 : FG_OR_TRAN_IPV4;
	struct fg_cond c = fg_gen_port_af(l, v6, FG_PROTO_UDP, FG_DIR_DST, port);

	if (geneve)	/* version 0 in the top two bits */
		c = fg_cond_and(l->ir, c, fg_gen_mcmp(l, rel, UDP_HDR, BPF_B, 0, 0xc0));
	else		/* the I flag, nothing else */
		c = fg_cond_and(l->ir, c, fg_gen_eq(l, rel, UDP_HDR, BPF_B, 0x08));
	if (has_vni)	/* the VNI is the top three bytes of the second word */
		c = fg_cond_and(l->ir, c, fg_gen_mcmp(l, rel, UDP_HDR + 4, BPF_W, vni << 8, 0xffffff00u));
	return c;
}

/* A = length of the IP header (+ the variable part of the payload offset). */
static struct fg_cond iphdr_len(struct fg_lower *l, bool v6)
{
	struct fg_block *b = fg_block_new(l->ir);
	int rc = 0;

	if (!b)
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	if (!v6) {
		rc |= fg_gen_load_ihl(l, b);
		rc |= fg_block_add(l->ir, b, BPF_MISC | BPF_TXA, 0);
	} else {
		rc |= fg_block_add(l->ir, b, BPF_LD | BPF_IMM, 40);
		if (l->off_linkpl.reg >= 0) {
			rc |= fg_block_add(l->ir, b, BPF_LDX | BPF_MEM, (uint32_t)l->off_linkpl.reg);
			rc |= fg_block_add(l->ir, b, BPF_ALU | BPF_ADD | BPF_X, 0);
		}
	}
	if (rc)
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	return fg_cond_always(l->ir, b);
}

/* Both families' tests, each followed by its header-length set-up. */
static struct fg_cond tunnel_match(struct fg_lower *l, uint32_t port, bool geneve, bool has_vni,
				   uint32_t vni)
{
	struct fg_cond v4 = tunnel_check(l, false, port, geneve, has_vni, vni);
	struct fg_cond v6;

	v4 = fg_cond_and(l->ir, v4, iphdr_len(l, false));
	v6 = tunnel_check(l, true, port, geneve, has_vni, vni);
	v6 = fg_cond_and(l->ir, v6, iphdr_len(l, true));
	return fg_cond_or(l->ir, v4, v6);
}

struct inner_regs {
	int hdr, type, pl;
};

static int take_regs(struct fg_lower *l, struct inner_regs *r)
{
	r->hdr = fg_lower_alloc_reg(l);
	r->type = fg_lower_alloc_reg(l);
	r->pl = fg_lower_alloc_reg(l);
	return r->hdr < 0 || r->type < 0 || r->pl < 0 ? -E2BIG : 0;
}

/* From now on the expression looks at the inner frame. */
static void enter_inner(struct fg_lower *l, const struct inner_regs *r)
{
	l->off_linkhdr = (struct fg_off){ 0, r->hdr };
	l->off_linktype = (struct fg_off){ 0, r->type };
	l->off_linkpl = (struct fg_off){ 0, r->pl };
	l->off_nl = 0;
	l->off_nl_nosnap = 0;
	l->label_depth = 0;
	l->kind = FG_LK_ETHER;
}

#define ADD(code, k) (rc |= fg_block_add(l->ir, b, (code), (k)))

/*
 * A holds the IP header length.  Geneve: X = start of the Geneve header;
 * type field = X + 2, inner start = X + 8 + 4 * optlen; if the type is
 * 0x6558 an Ethernet header follows (type at +12, payload at +14).
 */
static struct fg_cond geneve_offsets(struct fg_lower *l, const struct inner_regs *r)
{
	struct fg_block *b = fg_block_new(l->ir), *teb = fg_block_new(l->ir), *join = fg_block_new(l->ir);
	struct fg_cond c;
	int rc = 0;

	if (!b || !teb || !join)
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	ADD(BPF_ALU | BPF_ADD | BPF_K, l->off_linkpl.k + l->off_nl + UDP_HDR);
	ADD(BPF_MISC | BPF_TAX, 0);
	ADD(BPF_ALU | BPF_ADD | BPF_K, 2);
	ADD(BPF_ST, (uint32_t)r->type);
	ADD(BPF_LD | BPF_B | BPF_IND, 0);
	ADD(BPF_ALU | BPF_AND | BPF_K, 0x3f);
	ADD(BPF_ALU | BPF_MUL | BPF_K, 4);
	ADD(BPF_ALU | BPF_ADD | BPF_K, 8);
	ADD(BPF_ALU | BPF_ADD | BPF_X, 0);
	ADD(BPF_ST, (uint32_t)r->hdr);
	ADD(BPF_LD | BPF_H | BPF_IND, 2);
	ADD(BPF_LDX | BPF_MEM, (uint32_t)r->hdr);
	fg_block_branch(b, BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_TEB);
	b->jt = teb;
	b->jf = join;
	{
		struct fg_block *save = b;

		b = teb;
		ADD(BPF_MISC | BPF_TXA, 0);
		ADD(BPF_ALU | BPF_ADD | BPF_K, 12);
		ADD(BPF_ST, (uint32_t)r->type);
		ADD(BPF_ALU | BPF_ADD | BPF_K, 2);
		ADD(BPF_MISC | BPF_TAX, 0);
		fg_block_jump(teb, join);
		b = join;
		ADD(BPF_STX, (uint32_t)r->pl);
		b = save;
	}
	if (rc)
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	c = fg_cond_always(l->ir, join);
	c.entry = b;
	return c;
}

/* VXLAN: the inner Ethernet frame starts 8 bytes after the UDP header. */
static struct fg_cond vxlan_offsets(struct fg_lower *l, const struct inner_regs *r)
{
	struct fg_block *b = fg_block_new(l->ir);
	int rc = 0;

	if (!b)
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	ADD(BPF_ALU | BPF_ADD | BPF_K, l->off_linkpl.k + l->off_nl + UDP_HDR + 8);
	ADD(BPF_ST, (uint32_t)r->hdr);
	ADD(BPF_ALU | BPF_ADD | BPF_K, 12);
	ADD(BPF_ST, (uint32_t)r->type);
	ADD(BPF_ALU | BPF_ADD | BPF_K, 2);
	ADD(BPF_ST, (uint32_t)r->pl);
	if (rc)
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	return fg_cond_always(l->ir, b);
}

static struct fg_cond tunnel(struct fg_lower *l, bool geneve, bool has_vni, uint32_t vni,
			     struct fg_loc at)
{
	struct inner_regs r;
	struct fg_cond c;

	if (has_vni && vni > 0xffffff)
		return fg_lower_error(l, at.off, at.len, -EINVAL, "%s VNI %u greater than maximum %u",
				      geneve ? "Geneve" : "VXLAN", vni, 0xffffffu);
	c = tunnel_match(l, geneve ? GENEVE_PORT : VXLAN_PORT, geneve, has_vni, vni);
	if (take_regs(l, &r) < 0)
		return fg_cond_const(false);
	c = fg_cond_and(l->ir, c, geneve ? geneve_offsets(l, &r) : vxlan_offsets(l, &r));
	enter_inner(l, &r);
	return c;
}

struct fg_cond fg_gen_geneve(struct fg_lower *l, bool has_vni, uint32_t vni, struct fg_loc at)
{
	return tunnel(l, true, has_vni, vni, at);
}

struct fg_cond fg_gen_vxlan(struct fg_lower *l, bool has_vni, uint32_t vni, struct fg_loc at)
{
	return tunnel(l, false, has_vni, vni, at);
}
