/*
 * lower_arith.c -- relations between arithmetic expressions:
 * `ip[2:2] > 576`, `tcp[tcpflags] & tcp-syn != 0`, `len - 14 < 100`.
 *
 * A relation lowers in two parts, as libpcap's gen_relation does: first
 * the protocol checks that every `proto[...]` load implies (an IPv4 TCP
 * segment that is not a later fragment, for `tcp[13]`), then one block
 * that computes both sides and compares them.  Values are unsigned 32-bit
 * with wraparound; a division or modulo by an X of zero at run time ends
 * the filter with 0, as in the kernel and libpcap.
 * Keeps true: scratch words taken for intermediate values are given back
 * when the relation is done; a constant divisor of zero or a constant
 * shift over 31 is a compile-time error.
 */
#include <errno.h>

#include "lower.h"

#define ETHERTYPE_IP 0x0800u

/* Where proto[...] loads are measured from, and what the packet must be for them to mean anything. */
static enum fg_offrel load_base(struct fg_lower *l, const struct fg_node *n)
{
	switch (n->u.load.proto) {
	case FG_PROTO_LINK:
		return FG_OR_LINKHDR;
	case FG_PROTO_RADIO:	/* the radio header starts the packet */
		if (l->link->vhdr != FG_VH_NONE)
			return FG_OR_PACKET;
		fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
			       "radio information not present in link type %s", l->link->name);
		return FG_OR_PACKET;
	case FG_PROTO_IP: case FG_PROTO_ARP: case FG_PROTO_RARP: case FG_PROTO_ATALK:
	case FG_PROTO_DECNET: case FG_PROTO_SCA: case FG_PROTO_LAT: case FG_PROTO_MOPRC:
	case FG_PROTO_MOPDL: case FG_PROTO_IP6:
		return FG_OR_LINKPL;
	case FG_PROTO_SCTP: case FG_PROTO_TCP: case FG_PROTO_UDP: case FG_PROTO_ICMP:
	case FG_PROTO_IGMP: case FG_PROTO_IGRP: case FG_PROTO_PIM: case FG_PROTO_VRRP:
	case FG_PROTO_CARP:
		return FG_OR_TRAN_IPV4;
	case FG_PROTO_ICMP6:
		return FG_OR_TRAN_IPV6;
	default:
		fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
			       "'%s[...]' is not supported: no header of that protocol can be indexed here",
			       fg_proto_name(n->u.load.proto));
		return FG_OR_PACKET;
	}
}

/* The IPv4 protocol number a transport header's name stands for; 0 if none. */
static uint32_t ipv4_protocol(enum fg_proto p)
{
	switch (p) {
	case FG_PROTO_TCP: return 6;
	case FG_PROTO_UDP: return 17;
	case FG_PROTO_SCTP: return 132;
	case FG_PROTO_ICMP: return 1;
	case FG_PROTO_IGMP: return 2;
	case FG_PROTO_IGRP: return 9;
	case FG_PROTO_PIM: return 103;
	case FG_PROTO_VRRP: case FG_PROTO_CARP: return 112;
	default: return 0;
	}
}

static struct fg_cond load_check(struct fg_lower *l, const struct fg_node *n)
{
	struct fg_loc at = n->loc;
	struct fg_cond c;
	uint32_t proto;

	switch (load_base(l, n)) {
	case FG_OR_LINKPL:
		return fg_gen_proto_abbrev(l, n->u.load.proto, at);
	case FG_OR_TRAN_IPV4:
		/* IPv4, that protocol, not a later fragment: one masked word */
		proto = ipv4_protocol(n->u.load.proto);
		if (proto)
			return fg_cond_and(l->ir, fg_gen_linktype(l, ETHERTYPE_IP),
					   fg_gen_ipv4_transport(l, &proto, 1, false));
		c = fg_gen_proto_abbrev(l, n->u.load.proto, at);
		c = fg_cond_and(l->ir, c, fg_gen_mcmp(l, FG_OR_LINKPL, 6, BPF_H, 0, 0x1fff));
		return fg_cond_and(l->ir, c, fg_gen_linktype(l, ETHERTYPE_IP));
	case FG_OR_TRAN_IPV6:
		c = fg_gen_proto_abbrev(l, FG_PROTO_IP6, at);
		return fg_cond_and(l->ir, c, fg_gen_eq(l, FG_OR_LINKPL, 6, BPF_B, 58));
	default:
		return fg_cond_const(true);
	}
}

/* Pass 1: the checks of every load in the tree, in source order. */
static struct fg_cond arith_checks(struct fg_lower *l, const struct fg_node *n)
{
	struct fg_cond c;

	switch (n->kind) {
	case FG_N_LOAD:
		c = arith_checks(l, n->u.load.index);
		return fg_cond_and(l->ir, c, load_check(l, n));
	case FG_N_BINOP:
		c = arith_checks(l, n->u.bin.lhs);
		return fg_cond_and(l->ir, c, arith_checks(l, n->u.bin.rhs));
	case FG_N_NEG:
		return arith_checks(l, n->u.list.kids[0]);
	default:
		return fg_cond_const(true);
	}
}

static uint16_t alu_op(enum fg_binop op)
{
	static const uint16_t ops[] = {
		[FG_OP_ADD] = BPF_ADD, [FG_OP_SUB] = BPF_SUB, [FG_OP_MUL] = BPF_MUL,
		[FG_OP_DIV] = BPF_DIV, [FG_OP_MOD] = BPF_MOD, [FG_OP_AND] = BPF_AND,
		[FG_OP_OR] = BPF_OR, [FG_OP_XOR] = BPF_XOR, [FG_OP_LSH] = BPF_LSH,
		[FG_OP_RSH] = BPF_RSH,
	};
	return ops[op];
}

static int arith_code(struct fg_lower *l, struct fg_block *b, const struct fg_node *n);

static void free_reg(struct fg_lower *l, int r)
{
	if (r >= 0)
		l->regs_used &= ~(1u << r);
}

/* Evaluate rhs into a scratch word, then lhs into A and rhs into X. */
static int pair_code(struct fg_lower *l, struct fg_block *b, const struct fg_node *lhs,
		     const struct fg_node *rhs, int *reg)
{
	int rc;

	rc = arith_code(l, b, rhs);
	*reg = fg_lower_alloc_reg(l);
	if (rc < 0 || *reg < 0)
		return rc < 0 ? rc : -E2BIG;
	rc = fg_block_add(l->ir, b, BPF_ST, (uint32_t)*reg);
	if (rc == 0)
		rc = arith_code(l, b, lhs);
	if (rc == 0)
		rc = fg_block_add(l->ir, b, BPF_LDX | BPF_MEM, (uint32_t)*reg);
	return rc;
}

static int const_operand_ok(struct fg_lower *l, const struct fg_node *n, uint32_t k)
{
	enum fg_binop op = n->u.bin.op;

	if (op == FG_OP_DIV && k == 0)
		fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL, "division by zero");
	else if (op == FG_OP_MOD && k == 0)
		fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL, "modulus by zero");
	else if ((op == FG_OP_LSH || op == FG_OP_RSH) && k > 31)
		fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL, "shift by more than 31 bits");
	else
		return 0;
	return -EINVAL;
}

static int binop_code(struct fg_lower *l, struct fg_block *b, const struct fg_node *n)
{
	const struct fg_node *rhs = n->u.bin.rhs;
	uint16_t op = alu_op(n->u.bin.op);
	int rc, reg;

	if (rhs->kind == FG_N_NUM) {
		rc = const_operand_ok(l, n, rhs->u.num.value);
		if (rc == 0)
			rc = arith_code(l, b, n->u.bin.lhs);
		return rc ? rc : fg_block_add(l->ir, b, BPF_ALU | op | BPF_K, rhs->u.num.value);
	}
	rc = pair_code(l, b, n->u.bin.lhs, rhs, &reg);
	if (rc == 0)
		rc = fg_block_add(l->ir, b, BPF_ALU | op | BPF_X, 0);
	free_reg(l, reg);
	return rc;
}

static uint16_t size_code(uint32_t size)
{
	return size == 1 ? BPF_B : size == 2 ? BPF_H : BPF_W;
}

static int load_code(struct fg_lower *l, struct fg_block *b, const struct fg_node *n)
{
	const struct fg_node *idx = n->u.load.index;
	enum fg_offrel rel = load_base(l, n);
	int rc;

	if (l->err)
		return l->err;
	if (idx->kind == FG_N_NUM)
		return fg_gen_load(l, b, rel, idx->u.num.value, size_code(n->u.load.size));
	rc = arith_code(l, b, idx);
	return rc ? rc : fg_gen_load_ind(l, b, rel, size_code(n->u.load.size));
}

/* Pass 2: the value of an arithmetic node in A (X and scratch words may be used). */
static int arith_code(struct fg_lower *l, struct fg_block *b, const struct fg_node *n)
{
	int rc;

	switch (n->kind) {
	case FG_N_NUM:
		return fg_block_add(l->ir, b, BPF_LD | BPF_IMM, n->u.num.value);
	case FG_N_LEN:
		return fg_block_add(l->ir, b, BPF_LD | BPF_W | BPF_LEN, 0);
	case FG_N_LOAD:
		return load_code(l, b, n);
	case FG_N_BINOP:
		return binop_code(l, b, n);
	case FG_N_NEG:
		rc = arith_code(l, b, n->u.list.kids[0]);
		return rc ? rc : fg_block_add(l->ir, b, BPF_ALU | BPF_NEG, 0);
	default:
		fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL, "not an arithmetic expression");
		return -EINVAL;
	}
}

struct fg_cond fg_gen_relation(struct fg_lower *l, const struct fg_node *n)
{
	static const struct { uint16_t jop; bool reverse; } rel[] = {
		[FG_REL_GT] = { BPF_JGT, false }, [FG_REL_GE] = { BPF_JGE, false },
		[FG_REL_EQ] = { BPF_JEQ, false }, [FG_REL_LE] = { BPF_JGT, true },
		[FG_REL_LT] = { BPF_JGE, true }, [FG_REL_NE] = { BPF_JEQ, true },
	};
	const struct fg_node *lhs = n->u.rel.lhs, *rhs = n->u.rel.rhs;
	struct fg_cond checks, cmp;
	struct fg_block *b;
	int rc, reg = -1;

	checks = arith_checks(l, lhs);
	checks = fg_cond_and(l->ir, checks, arith_checks(l, rhs));
	b = fg_block_new(l->ir);
	if (!b)
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	if (rhs->kind == FG_N_NUM) {
		rc = arith_code(l, b, lhs);
		fg_block_branch(b, BPF_JMP | rel[n->u.rel.op].jop | BPF_K, rhs->u.num.value);
	} else {
		rc = pair_code(l, b, lhs, rhs, &reg);
		fg_block_branch(b, BPF_JMP | rel[n->u.rel.op].jop | BPF_X, 0);
		free_reg(l, reg);
	}
	if (rc < 0 || l->err)
		return fg_lower_error(l, n->loc.off, n->loc.len, rc < 0 ? rc : l->err, "out of memory");
	cmp = fg_cond_block(l->ir, b);
	if (rel[n->u.rel.op].reverse)
		cmp = fg_cond_not(cmp);
	return fg_cond_and(l->ir, checks, cmp);
}
