/*
 * lower_protochain.c -- `[ip|ip6] protochain N`: is N in the chain of
 * headers after the IP header, following IPv6 extension headers (hop-by-hop,
 * destination options, routing, fragment) and AH?
 *
 * libpcap walks the chain with a loop, a backward jump that the kernel
 * refuses to load.  pfc unrolls the walk instead (128 steps after IPv6, 64
 * after IPv4: a kilobyte of IPv6 extension headers), so the program loads
 * anywhere; a packet with more headers before N than that is not matched.
 * Each step: A = next-header value, X = its header's offset in the network
 * layer.  Keeps true: every exit is either "found" (true) or not.
 */
#include <errno.h>

#include "lower.h"

/* Headers followed: enough for ~1 KB of IPv6 extension headers, the program under 4,096. */
#define FG_PROTOCHAIN_STEPS_V6 128
#define FG_PROTOCHAIN_STEPS_V4 64
#define ETHERTYPE_IP 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define IPPROTO_NONE_V 59u
#define IPPROTO_AH_V 51u

static const uint32_t v6_ext[] = { 0, 60, 43, 44 };	/* hop-by-hop, dstopts, routing, fragment */

struct chain {
	struct fg_lower *l;
	struct fg_cond c;	/* t: found; f: not found */
	int reg;
};

static struct fg_block *test_block(struct chain *ch, struct fg_block **slot, uint32_t k)
{
	struct fg_block *b = fg_block_new(ch->l->ir);

	if (!b)
		return NULL;
	*slot = b;
	fg_block_branch(b, BPF_JMP | BPF_JEQ | BPF_K, k);
	return b;
}

static void add_exit(struct chain *ch, struct fg_block **slot, bool found)
{
	fg_cond_add_exit(ch->l->ir, &ch->c, found, slot);	/* failure shows in arena->failed */
}

/* X + (length byte << shift): the length of an extension header (3) or AH (2), less 8. */
static struct fg_block *len_block(struct chain *ch, uint32_t shift, struct fg_block *join)
{
	struct fg_lower *l = ch->l;
	struct fg_block *b = fg_block_new(l->ir);

	if (!b || fg_block_add(l->ir, b, BPF_LD | BPF_B | BPF_IND, l->off_linkpl.k + l->off_nl + 1) < 0 ||
	    fg_block_add(l->ir, b, BPF_ALU | BPF_LSH | BPF_K, shift) < 0)
		return NULL;
	fg_block_jump(b, join);
	return b;
}

/* A = the header's next-header byte, X = X + A_in + 8 (the next header's offset). */
static struct fg_block *advance_block(struct chain *ch)
{
	struct fg_lower *l = ch->l;
	struct fg_block *b = fg_block_new(l->ir);
	int rc = 0;

	if (!b)
		return NULL;
	rc |= fg_block_add(l->ir, b, BPF_ALU | BPF_ADD | BPF_K, 8);
	rc |= fg_block_add(l->ir, b, BPF_ALU | BPF_ADD | BPF_X, 0);
	rc |= fg_block_add(l->ir, b, BPF_ST, (uint32_t)ch->reg);
	rc |= fg_block_add(l->ir, b, BPF_LD | BPF_B | BPF_IND, l->off_linkpl.k + l->off_nl);
	rc |= fg_block_add(l->ir, b, BPF_LDX | BPF_MEM, (uint32_t)ch->reg);
	b->term = FG_TERM_JUMP;
	return rc ? NULL : b;
}

/*
 * One step of the walk, entered through *slot.  Returns the slot the next
 * step is entered through (NULL on allocation failure).
 */
static struct fg_block **step(struct chain *ch, struct fg_block **slot, uint32_t proto, bool v6)
{
	struct fg_block *t, *adv = advance_block(ch), *ext, *ah;
	size_t i;

	if (!adv || !(t = test_block(ch, slot, proto)))
		return NULL;
	add_exit(ch, &t->jt, true);
	if (!(t = test_block(ch, &t->jf, IPPROTO_NONE_V)))
		return NULL;
	add_exit(ch, &t->jt, false);
	if (v6) {
		if (!(ext = len_block(ch, 3, adv)))
			return NULL;
		for (i = 0; i < sizeof(v6_ext) / sizeof(v6_ext[0]); i++) {
			if (!(t = test_block(ch, &t->jf, v6_ext[i])))
				return NULL;
			t->jt = ext;
		}
	}
	if (!(t = test_block(ch, &t->jf, IPPROTO_AH_V)) || !(ah = len_block(ch, 2, adv)))
		return NULL;
	t->jt = ah;
	add_exit(ch, &t->jf, false);
	return &adv->jt;
}

/* The whole walk for one IP version, after its link-type test. */
static struct fg_cond walk(struct fg_lower *l, uint32_t proto, bool v6)
{
	struct chain ch = { l, { FG_COND_CODE, NULL, NULL, NULL, NULL, NULL }, -1 };
	struct fg_block *start = fg_block_new(l->ir), **slot;
	int rc = 0, i;

	ch.reg = fg_lower_alloc_reg(l);
	if (!start || ch.reg < 0)
		return fg_lower_error(l, 0, 0, start ? -E2BIG : -ENOMEM, "cannot lower protochain");
	/* A = the IP header's protocol field; X = where the next header starts */
	rc |= fg_gen_load(l, start, FG_OR_LINKPL, v6 ? 6 : 9, BPF_B);
	if (v6)
		rc |= fg_block_add(l->ir, start, BPF_LDX | BPF_IMM, 40);
	else
		rc |= fg_gen_load_ihl(l, start);
	start->term = FG_TERM_JUMP;
	slot = &start->jt;
	for (i = 0; slot && i < (v6 ? FG_PROTOCHAIN_STEPS_V6 : FG_PROTOCHAIN_STEPS_V4); i++)
		slot = step(&ch, slot, proto, v6);
	l->regs_used &= ~(1u << ch.reg);
	if (rc || !slot || l->arena->failed)
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	add_exit(&ch, slot, false);	/* more headers than the walk follows */
	ch.c.entry = start;
	return fg_cond_and(l->ir, fg_gen_linktype(l, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP), ch.c);
}

struct fg_cond fg_gen_protochain(struct fg_lower *l, enum fg_proto p, uint32_t proto,
				 struct fg_loc at)
{
	struct fg_cond v4;

	if (proto > 255)
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "protocol number %u greater than maximum 255", proto);
	/* libpcap refuses it too: its walk cannot start from an offset known only at run time */
	if (l->off_linkpl.reg >= 0)
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "'protochain' not supported with variable length headers");
	switch (p) {
	case FG_PROTO_DEFAULT:
		v4 = walk(l, proto, false);
		return fg_cond_or(l->ir, v4, walk(l, proto, true));
	case FG_PROTO_IP:
		return walk(l, proto, false);
	case FG_PROTO_IP6:
		return walk(l, proto, true);
	default:
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "bad protocol applied for 'protochain': only ip and ip6 have header chains");
	}
}
