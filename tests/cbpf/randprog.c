/*
 * randprog.c -- random classic BPF programs for the tests.
 *
 * A program is built front to back.  Every cBPF jump goes forward, so when
 * instruction pc is emitted the kernel's check_load_and_stores() walk (one
 * memvalid bitmask carried through the instructions in index order, ANDed
 * with what every earlier jump into pc had stored) is already known there;
 * the generator keeps that same walk and reads M[k] only where the kernel
 * will find it stored.  So a valid program is valid by construction, quirks
 * of the kernel walk included.  An invalid program is a valid one with one
 * to three instructions replaced by a rule breaker; each breaker is invalid
 * on its own, whatever else is in the program.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "cbpf.h"
#include "randprog.h"

#define ALL_MEM 0xffffu
#define ANC_K(n) ((uint32_t)SKF_AD_OFF + (uint32_t)(n))

struct gen {
	struct rp_rng *r;
	struct cbpf_insn *out;
	size_t n;
	unsigned flags;
	uint16_t *mask;		/* kernel walk: ANDed state of the jumps into pc */
	uint16_t *state;	/* kernel walk: memvalid on entry to pc */
	uint16_t memvalid;
};

static const uint32_t anc_offsets[] = {
	SKF_AD_PROTOCOL, SKF_AD_PKTTYPE, SKF_AD_IFINDEX, SKF_AD_NLATTR,
	SKF_AD_NLATTR_NEST, SKF_AD_MARK, SKF_AD_QUEUE, SKF_AD_HATYPE,
	SKF_AD_RXHASH, SKF_AD_CPU, SKF_AD_ALU_XOR_X, SKF_AD_VLAN_TAG,
	SKF_AD_VLAN_TAG_PRESENT, SKF_AD_PAY_OFFSET, SKF_AD_RANDOM,
	SKF_AD_VLAN_TPID,
};

#define N_ANC (sizeof(anc_offsets) / sizeof(anc_offsets[0]))

static const uint16_t alu_ops[] = {
	BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD,
	BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH,
};

static const uint16_t cond_ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET };
static const uint16_t sizes[] = { BPF_W, BPF_H, BPF_B };

void rp_seed(struct rp_rng *r, uint64_t seed)
{
	r->s = seed;
}

uint32_t rp_next(struct rp_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

uint32_t rp_below(struct rp_rng *r, uint32_t n)
{
	return (uint32_t)(((uint64_t)rp_next(r) * n) >> 32);
}

static bool chance(struct gen *g, uint32_t num, uint32_t den)
{
	return rp_below(g->r, den) < num;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static struct cbpf_insn mk(uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	struct cbpf_insn in = { code, jt, jf, k };

	return in;
}

/* A constant: small, 16-bit, anything, or a small negative number. */
static uint32_t imm(struct gen *g)
{
	switch (rp_below(g->r, 4)) {
	case 0:
		return rp_below(g->r, 16);
	case 1:
		return rp_below(g->r, 0x10000);
	case 2:
		return rp_next(g->r);
	default:
		return 0u - rp_below(g->r, 16);
	}
}

/*
 * A packet offset for ld [k]: mostly inside real headers, sometimes past
 * them, and now and then in the negative SKF_NET_OFF / SKF_LL_OFF ranges or
 * anywhere below the ancillary area.
 */
static uint32_t pkt_off(struct gen *g)
{
	uint32_t p = rp_below(g->r, 20);

	if (p < 14)
		return rp_below(g->r, 101);
	if (p < 17)
		return 100 + rp_below(g->r, 1500);
	if (p < 18)
		return rp_below(g->r, (uint32_t)SKF_AD_OFF);
	if (p < 19)
		return (uint32_t)SKF_NET_OFF + rp_below(g->r, 64);
	return (uint32_t)SKF_LL_OFF + rp_below(g->r, 64);
}

/* A known ancillary offset as the k of ld [k]. */
static uint32_t anc_known_k(struct gen *g)
{
	return ANC_K(anc_offsets[rp_below(g->r, N_ANC)]);
}

/* An index of a set bit of bits (which must not be 0). */
static uint32_t pick_bit(struct gen *g, uint16_t bits)
{
	uint32_t nth = rp_below(g->r, (uint32_t)__builtin_popcount(bits));
	uint32_t i;

	for (i = 0; i < 16; i++)
		if ((bits >> i) & 1u && nth-- == 0)
			return i;
	return 0;
}

/* A forward offset in 0..room, usually short. */
static uint32_t fwd(struct gen *g, uint32_t room)
{
	if (chance(g, 3, 4))
		return rp_below(g->r, min_u32(room, 8) + 1);
	return rp_below(g->r, room + 1);
}

/* How far a jump at pc may go and still land on an instruction. */
static uint32_t room_at(const struct gen *g, size_t pc)
{
	return (uint32_t)(g->n - pc - 2);
}

static bool seccomp_only(const struct gen *g)
{
	return g->flags & RP_SECCOMP;
}

/* ---- valid instructions --------------------------------------------------- */

static struct cbpf_insn gen_ld_abs(struct gen *g)
{
	uint16_t size = sizes[rp_below(g->r, 3)];

	if (seccomp_only(g))
		return mk(BPF_LD | BPF_W | BPF_ABS, 0, 0, 4 * rp_below(g->r, 16));
	if (g->flags & RP_ANC && chance(g, 1, 4))
		return mk(BPF_LD | size | BPF_ABS, 0, 0, anc_known_k(g));
	return mk(BPF_LD | size | BPF_ABS, 0, 0, pkt_off(g));
}

static struct cbpf_insn gen_ld(struct gen *g)
{
	uint32_t pick = rp_below(g->r, seccomp_only(g) ? 6 : 8);

	if (pick == 5 && g->memvalid)
		return mk(BPF_LD | BPF_MEM, 0, 0, pick_bit(g, g->memvalid));
	if (pick == 4)
		return mk(BPF_LD | BPF_W | BPF_LEN, 0, 0, imm(g));
	if (pick == 3)
		return mk(BPF_LD | BPF_IMM, 0, 0, imm(g));
	if (pick >= 6)
		return mk(BPF_LD | sizes[rp_below(g->r, 3)] | BPF_IND, 0, 0,
			  chance(g, 3, 4) ? rp_below(g->r, 64) : imm(g));
	return gen_ld_abs(g);
}

static struct cbpf_insn gen_ldx(struct gen *g)
{
	uint32_t pick = rp_below(g->r, seccomp_only(g) ? 3 : 4);

	if (pick == 2 && g->memvalid)
		return mk(BPF_LDX | BPF_MEM, 0, 0, pick_bit(g, g->memvalid));
	if (pick == 1)
		return mk(BPF_LDX | BPF_W | BPF_LEN, 0, 0, imm(g));
	if (pick == 3)
		return mk(BPF_LDX | BPF_B | BPF_MSH, 0, 0, pkt_off(g));
	return mk(BPF_LDX | BPF_IMM, 0, 0, imm(g));
}

static struct cbpf_insn gen_st(struct gen *g)
{
	return mk(chance(g, 1, 2) ? BPF_ST : BPF_STX, 0, 0, rp_below(g->r, 16));
}

static uint32_t alu_k(struct gen *g, uint16_t op)
{
	uint32_t k = imm(g);

	if (op == BPF_LSH || op == BPF_RSH)
		return rp_below(g->r, 32);
	if ((op == BPF_DIV || op == BPF_MOD) && k == 0)
		return 1 + rp_below(g->r, 255);
	return k;
}

static struct cbpf_insn gen_alu(struct gen *g)
{
	size_t n_ops = sizeof(alu_ops) / sizeof(alu_ops[0]);
	uint16_t op;

	if (chance(g, 1, 12))
		return mk(BPF_ALU | BPF_NEG, 0, 0, imm(g));
	do
		op = alu_ops[rp_below(g->r, (uint32_t)n_ops)];
	while (op == BPF_MOD && seccomp_only(g));
	if (chance(g, 1, 2))
		return mk(BPF_ALU | op | BPF_X, 0, 0, chance(g, 1, 2) ? 0 : imm(g));
	return mk(BPF_ALU | op | BPF_K, 0, 0, alu_k(g, op));
}

static struct cbpf_insn gen_jmp(struct gen *g, size_t pc)
{
	uint32_t room = room_at(g, pc), croom = min_u32(room, 255);
	uint16_t op = cond_ops[rp_below(g->r, 4)];
	uint16_t src = chance(g, 1, 2) ? BPF_K : BPF_X;

	if (chance(g, 1, 5))
		return mk(BPF_JMP | BPF_JA, 0, 0, fwd(g, room));
	return mk(BPF_JMP | op | src, (uint8_t)fwd(g, croom),
		  (uint8_t)fwd(g, croom), imm(g));
}

static struct cbpf_insn gen_ret(struct gen *g)
{
	static const uint32_t rets[] = { 0, 0xffff, 0xffffffffu, 0x40000, 0x7fff0000 };

	if (chance(g, 1, 3))
		return mk(BPF_RET | BPF_A, 0, 0, chance(g, 1, 2) ? 0 : imm(g));
	if (chance(g, 1, 2))
		return mk(BPF_RET | BPF_K, 0, 0, rets[rp_below(g->r, 5)]);
	return mk(BPF_RET | BPF_K, 0, 0, imm(g));
}

static struct cbpf_insn gen_insn(struct gen *g, size_t pc)
{
	uint32_t pick = rp_below(g->r, 18);

	if (pc == g->n - 1)
		return gen_ret(g);
	if (pick < 5)
		return gen_ld(g);
	if (pick < 7)
		return gen_ldx(g);
	if (pick < 9)
		return gen_st(g);
	if (pick < 13)
		return gen_alu(g);
	if (pick < 14)
		return mk(BPF_MISC | (chance(g, 1, 2) ? BPF_TAX : BPF_TXA), 0, 0,
			  chance(g, 3, 4) ? 0 : imm(g));
	if (pick < 17)
		return gen_jmp(g, pc);
	return gen_ret(g);
}

/* One step of the kernel's check_load_and_stores() walk, after insn pc. */
static void walk_after(struct gen *g, size_t pc)
{
	const struct cbpf_insn *in = &g->out[pc];

	switch (in->code) {
	case BPF_ST:
	case BPF_STX:
		g->memvalid |= (uint16_t)(1u << in->k);
		return;
	case BPF_JMP | BPF_JA:
		g->mask[pc + 1 + in->k] &= g->memvalid;
		g->memvalid = ALL_MEM;
		return;
	}
	if (BPF_CLASS(in->code) == BPF_JMP) {
		g->mask[pc + 1 + in->jt] &= g->memvalid;
		g->mask[pc + 1 + in->jf] &= g->memvalid;
		g->memvalid = ALL_MEM;
	}
}

static void gen_valid(struct gen *g)
{
	size_t pc;

	g->memvalid = 0;
	for (pc = 0; pc < g->n; pc++)
		g->mask[pc] = ALL_MEM;
	for (pc = 0; pc < g->n; pc++) {
		g->memvalid &= g->mask[pc];
		g->state[pc] = g->memvalid;
		g->out[pc] = gen_insn(g, pc);
		walk_after(g, pc);
	}
}

/* ---- rule breakers ---------------------------------------------------------- */

enum breaker {
	BAD_CODE, BAD_DIV0, BAD_SHIFT, BAD_MEMIDX, BAD_JUMP, BAD_JA,
	BAD_LAST, BAD_UNINIT, BAD_ANC,
	/* seccomp's subset */
	BAD_SC_NARROW, BAD_SC_IND, BAD_SC_MOD, BAD_SC_MSH, BAD_SC_RANGE,
	BAD_SC_ALIGN,
	BAD_COUNT
};

/* One of the kernel's allowed opcodes (all of them are below 0x100). */
static uint16_t any_allowed_code(struct gen *g)
{
	uint32_t code, count = 0, nth;

	for (code = 0; code < 0x100; code++)
		count += cbpf_opcode_allowed((uint16_t)code);
	nth = rp_below(g->r, count);
	for (code = 0; code < 0x100; code++)
		if (cbpf_opcode_allowed((uint16_t)code) && nth-- == 0)
			break;
	return (uint16_t)code;
}

/* An opcode the kernel rejects: a bad ret, a valid one with a bit flipped, or noise. */
static uint16_t bad_code(struct gen *g)
{
	uint16_t code;

	switch (rp_below(g->r, 3)) {
	case 0:	/* ret x (0x0e) and the reserved return source 0x1e */
		return chance(g, 1, 2) ? BPF_RET | BPF_X : BPF_RET | 0x18;
	case 1:
		do
			code = (uint16_t)(any_allowed_code(g) ^
					  (1u << rp_below(g->r, 16)));
		while (cbpf_opcode_allowed(code));
		return code;
	default:
		do
			code = (uint16_t)(chance(g, 3, 4) ? rp_below(g->r, 256)
					  : rp_next(g->r));
		while (cbpf_opcode_allowed(code));
		return code;
	}
}

/* A value >= lo (no wrap-around), usually close to it. */
static uint32_t at_least(struct gen *g, uint32_t lo)
{
	if (chance(g, 1, 2))
		return lo + rp_below(g->r, min_u32(4, UINT32_MAX - lo) + 1);
	return lo + rp_below(g->r, UINT32_MAX - lo);
}

static bool break_jump(struct gen *g)
{
	uint32_t span = min_u32((uint32_t)g->n, 256);
	size_t pc = g->n - 1 - rp_below(g->r, span);
	uint32_t over = (uint32_t)(g->n - pc - 1);	/* first offset past the end */
	uint8_t bad = (uint8_t)(chance(g, 1, 2) ? over
				: over + rp_below(g->r, 256 - over));
	uint8_t other = (uint8_t)rp_below(g->r, chance(g, 3, 4) ? over : 256);
	uint16_t code = BPF_JMP | cond_ops[rp_below(g->r, 4)] |
			(chance(g, 1, 2) ? BPF_K : BPF_X);

	if (chance(g, 1, 2))
		g->out[pc] = mk(code, bad, other, imm(g));
	else
		g->out[pc] = mk(code, other, bad, imm(g));
	return true;
}

static bool break_ja(struct gen *g)
{
	size_t pc = rp_below(g->r, (uint32_t)g->n);

	g->out[pc] = mk(BPF_JMP | BPF_JA, 0, 0,
			at_least(g, (uint32_t)(g->n - pc - 1)));
	return true;
}

static bool break_uninit(struct gen *g)
{
	int tries;

	for (tries = 0; tries < 16; tries++) {
		size_t pc = rp_below(g->r, (uint32_t)g->n);
		uint16_t unset = (uint16_t)~g->state[pc];

		if (!unset)
			continue;
		g->out[pc] = mk(chance(g, 1, 2) ? BPF_LD | BPF_MEM : BPF_LDX | BPF_MEM,
				0, 0, pick_bit(g, unset));
		return true;
	}
	return false;
}

static uint32_t unknown_anc_k(struct gen *g)
{
	if (chance(g, 1, 2))	/* inside the known range, between two offsets */
		return (uint32_t)SKF_AD_OFF + 4 * rp_below(g->r, 16) + 1 + rp_below(g->r, 3);
	return (uint32_t)SKF_AD_OFF + SKF_AD_MAX + rp_below(g->r, 4096 - SKF_AD_MAX);
}

static bool break_last(struct gen *g)
{
	static const uint16_t not_ret[] = {
		BPF_LD | BPF_IMM, BPF_MISC | BPF_TAX, BPF_ALU | BPF_ADD | BPF_K,
		BPF_ST, BPF_LDX | BPF_W | BPF_LEN,
	};

	g->out[g->n - 1] = mk(not_ret[rp_below(g->r, 5)], 0, 0, rp_below(g->r, 16));
	return true;
}

static struct cbpf_insn bad_seccomp_load(struct gen *g, enum breaker b)
{
	uint32_t word = 4 * rp_below(g->r, 16);

	switch (b) {
	case BAD_SC_NARROW:
		return mk(BPF_LD | sizes[1 + rp_below(g->r, 2)] | BPF_ABS, 0, 0, word);
	case BAD_SC_IND:
		return mk(BPF_LD | sizes[rp_below(g->r, 3)] | BPF_IND, 0, 0, word);
	case BAD_SC_MSH:
		return mk(BPF_LDX | BPF_B | BPF_MSH, 0, 0, word);
	case BAD_SC_ALIGN:
		return mk(BPF_LD | BPF_W | BPF_ABS, 0, 0, word + 1 + rp_below(g->r, 3));
	default:	/* BAD_SC_RANGE */
		if (g->flags & RP_ANC && chance(g, 1, 2))
			return mk(BPF_LD | BPF_W | BPF_ABS, 0, 0, anc_known_k(g));
		return mk(BPF_LD | BPF_W | BPF_ABS, 0, 0,
			  chance(g, 1, 2) ? 64 + word : at_least(g, 64) & ~3u);
	}
}

static bool break_rule(struct gen *g, enum breaker b)
{
	size_t pc = rp_below(g->r, (uint32_t)g->n);
	struct cbpf_insn *in = &g->out[pc];
	uint16_t op;

	switch (b) {
	case BAD_CODE:
		in->code = bad_code(g);
		return true;
	case BAD_DIV0:
		*in = mk(BPF_ALU | (chance(g, 1, 2) ? BPF_DIV : BPF_MOD) | BPF_K, 0, 0, 0);
		return true;
	case BAD_SHIFT:
		op = chance(g, 1, 2) ? BPF_LSH : BPF_RSH;
		*in = mk(BPF_ALU | op | BPF_K, 0, 0, at_least(g, 32));
		return true;
	case BAD_MEMIDX:
		op = (uint16_t[]){ BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM,
				   BPF_ST, BPF_STX }[rp_below(g->r, 4)];
		*in = mk(op, 0, 0, at_least(g, CBPF_MEMWORDS));
		return true;
	case BAD_JUMP:
		return break_jump(g);
	case BAD_JA:
		return break_ja(g);
	case BAD_LAST:
		return break_last(g);
	case BAD_UNINIT:
		return break_uninit(g);
	case BAD_ANC:
		*in = mk(BPF_LD | sizes[rp_below(g->r, 3)] | BPF_ABS, 0, 0,
			 unknown_anc_k(g));
		return true;
	case BAD_SC_MOD:
		*in = mk(BPF_ALU | BPF_MOD | (chance(g, 1, 2) ? BPF_X : BPF_K), 0, 0,
			 1 + rp_below(g->r, 100));
		return true;
	default:
		*in = bad_seccomp_load(g, b);
		return true;
	}
}

static bool breaker_applies(const struct gen *g, enum breaker b)
{
	if (b == BAD_ANC)
		return g->flags & RP_ANC;
	if (b >= BAD_SC_NARROW)
		return g->flags & RP_SECCOMP;
	return true;
}

static void break_rules(struct gen *g)
{
	int count = chance(g, 3, 4) ? 1 : 2 + (int)rp_below(g->r, 2);

	while (count > 0) {
		enum breaker b = (enum breaker)rp_below(g->r, BAD_COUNT);

		if (breaker_applies(g, b) && break_rule(g, b))
			count--;
	}
}

/* ---- entry point ------------------------------------------------------------ */

static size_t pick_len(struct rp_rng *r, size_t max)
{
	uint32_t cap = max > UINT32_MAX ? UINT32_MAX : (uint32_t)max;

	if (rp_below(r, 8) == 0)
		return cap;
	return 1 + rp_below(r, cap);
}

size_t rp_program(struct rp_rng *r, struct cbpf_insn *out, size_t max,
		  unsigned flags)
{
	struct gen g = { .r = r, .out = out, .flags = flags };

	if (max == 0)
		return 0;
	g.n = pick_len(r, max);
	g.mask = malloc(g.n * sizeof(*g.mask));
	g.state = malloc(g.n * sizeof(*g.state));
	if (!g.mask || !g.state) {
		g.n = 1;
		out[0] = mk(BPF_RET | BPF_K, 0, 0, 0);
		goto out;
	}
	gen_valid(&g);
	if (!(flags & RP_VALID) && chance(&g, 1, 2))
		break_rules(&g);
out:
	free(g.mask);
	free(g.state);
	return g.n;
}
