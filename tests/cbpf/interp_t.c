/*
 * interp_t.c -- unit tests of the interpreter (cbpf_vm_new / cbpf_vm_run).
 *
 * Every opcode, every load size at the exact edge of the captured bytes,
 * offset wrap-around, division by zero, shifts by 31/32/33, the Linux
 * ancillary loads with and without meta, the netlink attribute search,
 * negative SKF_NET_OFF / SKF_LL_OFF offsets, seccomp mode, and the programs
 * cbpf_vm_new must refuse.  Each packet is copied into a buffer of exactly
 * caplen bytes, so a sanitizer build catches any read past it.
 * Built twice: threaded dispatch, and the switch fallback (CBPF_VM_SWITCH).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/seccomp.h>

#include "cbpf.h"
#include "tap.h"

#define I(c, t, f, k) { (uint16_t)(c), (uint8_t)(t), (uint8_t)(f), (uint32_t)(k) }
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NOT_RUN 0xdeadbeefu

#define LD_ABS(sz) (BPF_LD | (sz) | BPF_ABS)
#define LD_IND(sz) (BPF_LD | (sz) | BPF_IND)
#define RET_A I(BPF_RET | BPF_A, 0, 0, 0)
#define RET_K(k) I(BPF_RET | BPF_K, 0, 0, k)
#define ANC(n) ((uint32_t)SKF_AD_OFF + (n))

static uint32_t run_flags(const struct cbpf_insn *p, size_t n, const uint8_t *pkt,
			  uint32_t wirelen, uint32_t caplen,
			  const struct cbpf_meta *meta, unsigned flags)
{
	struct cbpf_vm *vm;
	uint8_t *copy = caplen ? malloc(caplen) : NULL;
	uint32_t r;
	int rc = cbpf_vm_new(p, n, flags, &vm);

	if (rc) {
		tap_diag("cbpf_vm_new failed: %d", rc);
		free(copy);
		return NOT_RUN;
	}
	if (caplen)
		memcpy(copy, pkt, caplen);
	r = cbpf_vm_run(vm, copy, wirelen, caplen, meta);
	cbpf_vm_free(vm);
	free(copy);
	return r;
}

#define RUN(p, pkt, caplen, meta) run_flags(p, N(p), pkt, 1000, caplen, meta, 0)

static uint8_t pkt[2048];

static void fill_pkt(void)
{
	size_t i;

	for (i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)(0x11 + i * 7);
}

/* Big-endian value of size bytes at off in pkt. */
static uint32_t be_at(uint32_t off, unsigned size)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		v = v << 8 | pkt[off + i];
	return v;
}

static void test_ret_and_regs(void)
{
	struct cbpf_insn rk[] = { RET_K(0x12345678) };
	struct cbpf_insn ra[] = { RET_A };
	struct cbpf_insn rx[] = { I(BPF_MISC | BPF_TXA, 0, 0, 0), RET_A };
	struct cbpf_insn imm[] = { I(BPF_LD | BPF_IMM, 0, 0, 0xcafe), RET_A };
	struct cbpf_insn immx[] = { I(BPF_LDX | BPF_IMM, 0, 0, 0xbeef), I(BPF_MISC | BPF_TXA, 0, 0, 0), RET_A };
	struct cbpf_insn tax[] = { I(BPF_LD | BPF_IMM, 0, 0, 77), I(BPF_MISC | BPF_TAX, 0, 0, 0),
				   I(BPF_LD | BPF_IMM, 0, 0, 1), I(BPF_MISC | BPF_TXA, 0, 0, 0), RET_A };
	struct cbpf_insn len[] = { I(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0), RET_A };
	struct cbpf_insn lenx[] = { I(BPF_LDX | BPF_W | BPF_LEN, 0, 0, 0), I(BPF_MISC | BPF_TXA, 0, 0, 0), RET_A };

	tap_is_int(RUN(rk, pkt, 10, NULL), 0x12345678, "ret #k");
	tap_is_int(RUN(ra, pkt, 10, NULL), 0, "A starts at 0");
	tap_is_int(RUN(rx, pkt, 10, NULL), 0, "X starts at 0");
	tap_is_int(RUN(imm, pkt, 10, NULL), 0xcafe, "ld #k");
	tap_is_int(RUN(immx, pkt, 10, NULL), 0xbeef, "ldx #k, txa");
	tap_is_int(RUN(tax, pkt, 10, NULL), 77, "tax");
	tap_is_int(run_flags(len, N(len), pkt, 1514, 60, NULL, 0), 1514, "ld #len is wirelen");
	tap_is_int(run_flags(lenx, N(lenx), pkt, 1514, 60, NULL, 0), 1514, "ldx #len is wirelen");
	tap_is_int(run_flags(rk, N(rk), NULL, 0, 0, NULL, 0), 0x12345678, "empty packet, no load");
}

static void test_mem(void)
{
	struct cbpf_insn zero[] = { I(BPF_LD | BPF_MEM, 0, 0, 15), RET_A };
	struct cbpf_insn ldx0[] = { I(BPF_LDX | BPF_MEM, 0, 0, 0), I(BPF_MISC | BPF_TXA, 0, 0, 0), RET_A };
	struct cbpf_insn stx[] = { I(BPF_LDX | BPF_IMM, 0, 0, 99), I(BPF_STX, 0, 0, 3),
				   I(BPF_LDX | BPF_MEM, 0, 0, 3), I(BPF_MISC | BPF_TXA, 0, 0, 0), RET_A };
	struct cbpf_insn all[CBPF_MEMWORDS * 4 + 2];
	size_t i, n = 0;

	tap_is_int(RUN(zero, pkt, 10, NULL), 0, "M[15] starts at 0");
	tap_is_int(RUN(ldx0, pkt, 10, NULL), 0, "ldx M[0] starts at 0");
	/* Store i + 1 in each M[i], then add them all up: 136. */
	for (i = 0; i < CBPF_MEMWORDS; i++) {
		all[n++] = (struct cbpf_insn)I(BPF_LD | BPF_IMM, 0, 0, i + 1);
		all[n++] = (struct cbpf_insn)I(BPF_ST, 0, 0, i);
	}
	all[n++] = (struct cbpf_insn)I(BPF_LD | BPF_IMM, 0, 0, 0);
	for (i = 0; i < CBPF_MEMWORDS; i++) {
		all[n++] = (struct cbpf_insn)I(BPF_LDX | BPF_MEM, 0, 0, i);
		all[n++] = (struct cbpf_insn)I(BPF_ALU | BPF_ADD | BPF_X, 0, 0, 0);
	}
	all[n++] = (struct cbpf_insn)RET_A;
	tap_is_int(run_flags(all, n, pkt, 10, 10, NULL, 0), 136, "st / ldx over all 16 words");
	tap_is_int(RUN(stx, pkt, 10, NULL), 99, "stx / ldx M[]");
}

/* ld[size] [k]; ret A  and  ld[size] [k]; jeq #v, 1, 2 (the fused step). */
static void check_abs(unsigned sz, unsigned size, uint32_t caplen, uint32_t k)
{
	int in = (uint64_t)k + size <= caplen;
	uint32_t want = in ? be_at(k, size) : 0;
	struct cbpf_insn plain[] = { I(LD_ABS(sz), 0, 0, k), RET_A };
	struct cbpf_insn fused[] = { I(LD_ABS(sz), 0, 0, k), I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, want),
				     RET_K(1), RET_K(2) };

	tap_is_int(RUN(plain, pkt, caplen, NULL), want,
		   "ld%u [%u] with caplen %u", size, k, caplen);
	tap_is_int(RUN(fused, pkt, caplen, NULL), in ? 1 : 0,
		   "ld%u [%u]; jeq with caplen %u", size, k, caplen);
}

static void check_ind(unsigned sz, unsigned size, uint32_t caplen, uint32_t x, uint32_t k)
{
	uint64_t off = (uint64_t)x + k;
	uint32_t want = off + size <= caplen ? be_at((uint32_t)off, size) : 0;
	struct cbpf_insn plain[] = { I(BPF_LDX | BPF_IMM, 0, 0, x), I(LD_IND(sz), 0, 0, k), RET_A };
	struct cbpf_insn fused[] = { I(BPF_LDX | BPF_IMM, 0, 0, x), I(LD_IND(sz), 0, 0, k),
				     I(BPF_JMP | BPF_JGE | BPF_K, 0, 1, want), RET_K(1), RET_K(2) };

	tap_is_int(RUN(plain, pkt, caplen, NULL), want,
		   "ld%u [x + %u] with x %u, caplen %u", size, k, x, caplen);
	tap_is_int(RUN(fused, pkt, caplen, NULL), off + size <= caplen ? 1 : 0,
		   "ld%u [x + %u]; jge with x %u, caplen %u", size, k, x, caplen);
}

static void test_loads(void)
{
	static const unsigned sizes[3][2] = { { BPF_W, 4 }, { BPF_H, 2 }, { BPF_B, 1 } };
	static const uint32_t caplens[] = { 60, 5, 4 };
	size_t s, c;

	for (s = 0; s < 3; s++) {
		for (c = 0; c < N(caplens); c++) {
			unsigned sz = sizes[s][0], size = sizes[s][1];
			uint32_t cl = caplens[c];

			if (cl >= size)
				check_abs(sz, size, cl, cl - size);
			check_abs(sz, size, cl, cl - size + 1);
			check_ind(sz, size, cl, 3, cl - size - 3);
			check_ind(sz, size, cl, cl - size, 0);
			check_ind(sz, size, cl, 0, cl - size + 1);
			check_ind(sz, size, cl, cl - size + 1, 0);
		}
		/* k + X wraps in 32 bits: libpcap treats it as out of range. */
		check_ind(sizes[s][0], sizes[s][1], 60, 1, 0xffffffffu);
		check_ind(sizes[s][0], sizes[s][1], 60, 0xffffffffu, 2);
		check_ind(sizes[s][0], sizes[s][1], 60, 0x80000000u, 0x80000000u);
		check_abs(sizes[s][0], sizes[s][1], 60, 0xfffffffcu + 3);
		check_abs(sizes[s][0], sizes[s][1], 60, 0x7fffffffu);
	}
	{
		struct cbpf_insn be[] = { I(LD_ABS(BPF_W), 0, 0, 0), RET_A };
		const uint8_t bytes[4] = { 0x12, 0x34, 0x56, 0x78 };

		tap_is_int(RUN(be, bytes, 4, NULL), 0x12345678, "word loads are big-endian");
	}
	{
		struct cbpf_insn nul[] = { I(LD_ABS(BPF_B), 0, 0, 0), RET_K(5) };

		tap_is_int(run_flags(nul, N(nul), NULL, 100, 0, NULL, 0), 0, "ldb [0] with caplen 0");
	}
}

/* Expected branch of cond on a against k: 1 taken, 2 not. */
static uint32_t cond_want(uint16_t op, uint32_t a, uint32_t k)
{
	switch (op) {
	case BPF_JEQ: return a == k ? 1 : 2;
	case BPF_JGT: return a > k ? 1 : 2;
	case BPF_JGE: return a >= k ? 1 : 2;
	default: return a & k ? 1 : 2;
	}
}

/* Every load the decoder fuses, with every conditional jump on a constant. */
static void test_fused(void)
{
	static const struct { uint16_t code; unsigned size; const char *name; } loads[] = {
		{ LD_ABS(BPF_W), 4, "ld" }, { LD_ABS(BPF_H), 2, "ldh" }, { LD_ABS(BPF_B), 1, "ldb" },
		{ LD_IND(BPF_W), 4, "ld x+" }, { LD_IND(BPF_H), 2, "ldh x+" }, { LD_IND(BPF_B), 1, "ldb x+" },
	};
	static const struct { uint16_t op; const char *name; } conds[] = {
		{ BPF_JEQ, "jeq" }, { BPF_JGT, "jgt" }, { BPF_JGE, "jge" }, { BPF_JSET, "jset" },
	};
	size_t l, c, d;

	for (l = 0; l < N(loads); l++) {
		uint32_t v = be_at(10, loads[l].size);
		uint32_t ks[3] = { v, v + 1, v - 1 };

		for (c = 0; c < N(conds); c++) {
			for (d = 0; d < 3; d++) {
				uint32_t k = conds[c].op == BPF_JSET ? (d == 0 ? v : d == 1 ? ~v : 1) : ks[d];
				struct cbpf_insn p[] = {
					I(BPF_LDX | BPF_IMM, 0, 0, 4),
					I(loads[l].code, 0, 0, BPF_MODE(loads[l].code) == BPF_IND ? 6 : 10),
					I(BPF_JMP | conds[c].op | BPF_K, 0, 1, k), RET_K(1), RET_K(2) };

				tap_is_int(RUN(p, pkt, 20, NULL), cond_want(conds[c].op, v, k),
					   "%s [10]; %s #%#x", loads[l].name, conds[c].name, k);
			}
		}
	}
}

static void test_msh(void)
{
	struct cbpf_insn msh[] = { I(BPF_LDX | BPF_B | BPF_MSH, 0, 0, 14), I(BPF_MISC | BPF_TXA, 0, 0, 0), RET_A };
	struct cbpf_insn out[] = { I(BPF_LDX | BPF_B | BPF_MSH, 0, 0, 14), RET_K(9) };
	struct cbpf_insn far[] = { I(BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0xffffffffu), RET_K(9) };
	const uint8_t ip[15] = { [14] = 0x4b };

	tap_is_int(RUN(msh, ip, 15, NULL), 44, "ldx 4*([14]&0xf)");
	tap_is_int(RUN(out, pkt, 14, NULL), 0, "ldx msh at caplen returns 0");
	tap_is_int(RUN(out, pkt, 15, NULL), 9, "ldx msh at caplen - 1 goes on");
	tap_is_int(RUN(far, pkt, 60, NULL), 0, "ldx msh [0xffffffff] returns 0");
}

static uint32_t alu_k(uint16_t op, uint32_t a, uint32_t k)
{
	struct cbpf_insn p[] = { I(BPF_LD | BPF_IMM, 0, 0, a), I(BPF_ALU | op | BPF_K, 0, 0, k), RET_A };

	return RUN(p, pkt, 10, NULL);
}

static uint32_t alu_x(uint16_t op, uint32_t a, uint32_t x)
{
	struct cbpf_insn p[] = { I(BPF_LD | BPF_IMM, 0, 0, a), I(BPF_LDX | BPF_IMM, 0, 0, x),
				 I(BPF_ALU | op | BPF_X, 0, 0, 0), RET_A };

	return RUN(p, pkt, 10, NULL);
}

static void test_alu(void)
{
	static const struct {
		uint16_t op;
		const char *name;
		uint32_t a, b, want;
	} cases[] = {
		{ BPF_ADD, "add", 0xfffffff0u, 0x20, 0x10 },
		{ BPF_SUB, "sub", 5, 7, 0xfffffffeu },
		{ BPF_MUL, "mul", 0x10000, 0x10001, 0x10000 },
		{ BPF_DIV, "div", 100, 7, 14 },
		{ BPF_DIV, "div", 0xffffffffu, 2, 0x7fffffff },
		{ BPF_MOD, "mod", 100, 7, 2 },
		{ BPF_AND, "and", 0xf0f0, 0xff00, 0xf000 },
		{ BPF_OR, "or", 0xf0f0, 0xff00, 0xfff0 },
		{ BPF_XOR, "xor", 0xf0f0, 0xff00, 0x0ff0 },
		{ BPF_LSH, "lsh", 0x80000001u, 1, 2 },
		{ BPF_LSH, "lsh", 0x80000001u, 31, 0x80000000u },
		{ BPF_LSH, "lsh", 0x80000001u, 32, 0 },
		{ BPF_LSH, "lsh", 0x80000001u, 33, 0 },
		{ BPF_RSH, "rsh", 0x80000001u, 31, 1 },
		{ BPF_RSH, "rsh", 0x80000001u, 32, 0 },
		{ BPF_RSH, "rsh", 0x80000001u, 33, 0 },
		{ BPF_LSH, "lsh", 1, 0xffffffffu, 0 },
	};
	struct cbpf_insn neg[] = { I(BPF_LD | BPF_IMM, 0, 0, 1), I(BPF_ALU | BPF_NEG, 0, 0, 0), RET_A };
	struct cbpf_insn neg2[] = { I(BPF_LD | BPF_IMM, 0, 0, 0x80000000u), I(BPF_ALU | BPF_NEG, 0, 0, 0), RET_A };
	size_t i;

	for (i = 0; i < N(cases); i++) {
		tap_is_int(alu_k(cases[i].op, cases[i].a, cases[i].b), cases[i].want,
			   "%s %#x, #%u", cases[i].name, cases[i].a, cases[i].b);
		tap_is_int(alu_x(cases[i].op, cases[i].a, cases[i].b), cases[i].want,
			   "%s %#x, x = %u", cases[i].name, cases[i].a, cases[i].b);
	}
	tap_is_int(RUN(neg, pkt, 10, NULL), 0xffffffffu, "neg 1");
	tap_is_int(RUN(neg2, pkt, 10, NULL), 0x80000000u, "neg 0x80000000");
	{
		struct cbpf_insn div0[] = { I(BPF_LD | BPF_IMM, 0, 0, 5), I(BPF_LDX | BPF_IMM, 0, 0, 0),
					    I(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0), RET_K(7) };
		struct cbpf_insn mod0[] = { I(BPF_LD | BPF_IMM, 0, 0, 5), I(BPF_LDX | BPF_IMM, 0, 0, 0),
					    I(BPF_ALU | BPF_MOD | BPF_X, 0, 0, 0), RET_K(7) };
		struct cbpf_insn divk0[] = { I(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0), RET_K(7) };
		struct cbpf_insn modk0[] = { I(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 0), RET_K(7) };

		tap_is_int(RUN(div0, pkt, 10, NULL), 0, "div by X == 0 returns 0");
		tap_is_int(RUN(mod0, pkt, 10, NULL), 0, "mod by X == 0 returns 0");
		tap_is_int(RUN(divk0, pkt, 10, NULL), 0, "div by #0 returns 0");
		tap_is_int(RUN(modk0, pkt, 10, NULL), 0, "mod by #0 returns 0");
	}
}

/* Count X up to n with a backward ja: n - 1 backward jumps. */
static uint32_t count_loop(uint32_t n, uint32_t caplen)
{
	struct cbpf_insn p[] = {
		I(BPF_LDX | BPF_IMM, 0, 0, 0), I(BPF_MISC | BPF_TXA, 0, 0, 0),
		I(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 1), I(BPF_MISC | BPF_TAX, 0, 0, 0),
		I(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, n), I(BPF_JMP | BPF_JA, 0, 0, (uint32_t)-5),
		RET_A };

	return RUN(p, pkt, caplen, NULL);
}

static void test_backward(void)
{
	struct cbpf_insn self[] = { I(BPF_LD | BPF_IMM, 0, 0, 1), I(BPF_JMP | BPF_JA, 0, 0, (uint32_t)-1), RET_A };
	struct cbpf_insn first[] = { I(BPF_JMP | BPF_JA, 0, 0, 1), RET_K(5), I(BPF_JMP | BPF_JA, 0, 0, (uint32_t)-2) };

	tap_is_int(count_loop(10, 16), 10, "backward ja: a 10-turn loop");
	tap_is_int(count_loop(64 + 2 + 1, 16), 64 + 2 + 1, "backward ja: 64 + caplen/8 jumps allowed");
	tap_is_int(count_loop(64 + 2 + 2, 16), 0, "backward ja: one more returns 0");
	tap_is_int(count_loop(64 + 200 + 1, 1600), 64 + 200 + 1, "backward ja: limit grows with caplen");
	tap_is_int(RUN(self, pkt, 10, NULL), 0, "ja -1 (a loop onto itself) returns 0");
	tap_is_int(RUN(first, pkt, 10, NULL), 5, "backward ja onto an earlier return");
}

/* A jump taken or not: returns 1 for jt, 2 for jf. */
static uint32_t jmp(uint16_t op, uint16_t src, uint32_t a, uint32_t b)
{
	struct cbpf_insn p[] = { I(BPF_LD | BPF_IMM, 0, 0, a), I(BPF_LDX | BPF_IMM, 0, 0, b),
				 I(BPF_JMP | op | src, 1, 2, b), RET_K(0), RET_K(1), RET_K(2) };

	return RUN(p, pkt, 10, NULL);
}

static void test_jumps(void)
{
	static const struct {
		uint16_t op;
		const char *name;
		uint32_t a, b, want;
	} cases[] = {
		{ BPF_JEQ, "jeq", 5, 5, 1 }, { BPF_JEQ, "jeq", 5, 6, 2 },
		{ BPF_JGT, "jgt", 6, 5, 1 }, { BPF_JGT, "jgt", 5, 5, 2 },
		{ BPF_JGT, "jgt", 0xffffffffu, 1, 1 }, { BPF_JGT, "jgt", 1, 0x80000000u, 2 },
		{ BPF_JGE, "jge", 5, 5, 1 }, { BPF_JGE, "jge", 4, 5, 2 },
		{ BPF_JGE, "jge", 0x80000000u, 0x7fffffffu, 1 },
		{ BPF_JSET, "jset", 6, 2, 1 }, { BPF_JSET, "jset", 6, 1, 2 },
	};
	struct cbpf_insn ja[] = { I(BPF_JMP | BPF_JA, 0, 0, 2), RET_K(1), RET_K(2), RET_K(3) };
	/* The fused ldh;jeq pair, also entered at the jeq with A from ld #. */
	struct cbpf_insn entry[] = {
		I(BPF_LD | BPF_IMM, 0, 0, 0x800), I(BPF_JMP | BPF_JA, 0, 0, 1),
		I(LD_ABS(BPF_H), 0, 0, 12), I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0x800),
		RET_K(1), RET_K(2) };
	size_t i;

	for (i = 0; i < N(cases); i++) {
		tap_is_int(jmp(cases[i].op, BPF_K, cases[i].a, cases[i].b), cases[i].want,
			   "%s %#x, #%#x", cases[i].name, cases[i].a, cases[i].b);
		tap_is_int(jmp(cases[i].op, BPF_X, cases[i].a, cases[i].b), cases[i].want,
			   "%s %#x, x = %#x", cases[i].name, cases[i].a, cases[i].b);
	}
	tap_is_int(RUN(ja, pkt, 10, NULL), 3, "ja skips k instructions");
	test_backward();
	tap_is_int(RUN(entry, pkt, 10, NULL), 1, "jump onto the compare of a fused load");
}

static const struct cbpf_meta meta = {
	.protocol = 0x86dd, .pkttype = 3, .ifindex = 0x10203, .mark = 0xdeadbeef,
	.queue = 5, .hatype = 772, .rxhash = 0x9abcdef0, .cpu = 7,
	.vlan_tci = 0x1064, .vlan_present = 1, .vlan_tpid = 0x88a8, .rand = 0x13572468,
	.poff = 54, .nh_off = 14,
};

static void test_ancillary(void)
{
	static const struct {
		uint32_t off, want;
		const char *name;
	} fields[] = {
		{ SKF_AD_PROTOCOL, 0x86dd, "proto" }, { SKF_AD_PKTTYPE, 3, "type" },
		{ SKF_AD_IFINDEX, 0x10203, "ifidx" }, { SKF_AD_MARK, 0xdeadbeef, "mark" },
		{ SKF_AD_QUEUE, 5, "queue" }, { SKF_AD_HATYPE, 772, "hatype" },
		{ SKF_AD_RXHASH, 0x9abcdef0, "rxhash" }, { SKF_AD_CPU, 7, "cpu" },
		{ SKF_AD_VLAN_TAG, 0x1064, "vlan_tci" }, { SKF_AD_VLAN_TAG_PRESENT, 1, "vlan_avail" },
		{ SKF_AD_VLAN_TPID, 0x88a8, "vlan_tpid" }, { SKF_AD_RANDOM, 0x13572468, "rand" },
		{ SKF_AD_PAY_OFFSET, 54, "poff" },
	};
	static const uint16_t sizes[] = { BPF_W, BPF_H, BPF_B };
	size_t i, s;

	for (i = 0; i < N(fields); i++) {
		for (s = 0; s < N(sizes); s++) {
			struct cbpf_insn p[] = { I(LD_ABS(sizes[s]), 0, 0, ANC(fields[i].off)), RET_A };
			struct cbpf_insn j[] = { I(LD_ABS(sizes[s]), 0, 0, ANC(fields[i].off)),
						 I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, fields[i].want),
						 RET_K(1), RET_K(2) };

			tap_is_int(RUN(p, pkt, 60, &meta), fields[i].want, "ld%s #%s with meta",
				   s == 0 ? "" : s == 1 ? "h" : "b", fields[i].name);
			tap_is_int(RUN(j, pkt, 60, &meta), 1, "ld%s #%s; jeq with meta",
				   s == 0 ? "" : s == 1 ? "h" : "b", fields[i].name);
			tap_is_int(RUN(p, pkt, 60, NULL), 0, "ld%s #%s without meta returns 0",
				   s == 0 ? "" : s == 1 ? "h" : "b", fields[i].name);
		}
	}
	{
		struct cbpf_insn xor[] = { I(BPF_LD | BPF_IMM, 0, 0, 0xff00), I(BPF_LDX | BPF_IMM, 0, 0, 0x0ff0),
					   I(LD_ABS(BPF_W), 0, 0, ANC(SKF_AD_ALU_XOR_X)), RET_A };
		struct cbpf_insn unk[] = { I(LD_ABS(BPF_W), 0, 0, ANC(2)), RET_K(4) };
		struct cbpf_insn unk2[] = { I(LD_ABS(BPF_B), 0, 0, ANC(SKF_AD_MAX)), RET_K(4) };

		tap_is_int(RUN(xor, pkt, 60, &meta), 0xf0f0, "SKF_AD_ALU_XOR_X does A ^= X");
		tap_is_int(RUN(xor, pkt, 60, NULL), 0, "SKF_AD_ALU_XOR_X without meta returns 0");
		tap_is_int(RUN(unk, pkt, 60, &meta), 0, "unknown ancillary offset returns 0");
		tap_is_int(RUN(unk2, pkt, 60, &meta), 0, "SKF_AD_MAX returns 0");
	}
}

/* Append a netlink attribute header (host order) at off. */
static void put_nla(uint8_t *b, size_t off, uint16_t len, uint16_t type)
{
	memcpy(b + off, &len, 2);
	memcpy(b + off + 2, &type, 2);
}

static uint32_t nla_run(uint32_t which, const uint8_t *b, uint32_t caplen, uint32_t a, uint32_t x,
			const struct cbpf_meta *m)
{
	struct cbpf_insn p[] = { I(BPF_LD | BPF_IMM, 0, 0, a), I(BPF_LDX | BPF_IMM, 0, 0, x),
				 I(LD_ABS(BPF_W), 0, 0, ANC(which)), RET_A };

	return RUN(p, b, caplen, m);
}

static void test_nla(void)
{
	uint8_t b[64];
	const uint32_t NLA = SKF_AD_NLATTR, NEST = SKF_AD_NLATTR_NEST;

	/*
	 * A 16-byte nlmsghdr (ignored by the search), then at 16: attr type 1
	 * (len 8); at 24: nested attr type 2 with NLA_F_NESTED (len 20)
	 * holding type 5 (len 8) at 28 and type 6 (len 6, padded to 8) at 36;
	 * at 44: attr type 3 (len 5, padded); at 52: attr type 4 (len 12) that
	 * runs past a 60-byte capture.
	 */
	memset(b, 0xee, sizeof(b));
	put_nla(b, 16, 8, 1);
	put_nla(b, 24, 20, 2 | 0x8000);
	put_nla(b, 28, 8, 5);
	put_nla(b, 36, 6, 6 | 0x4000);
	put_nla(b, 44, 5, 3);
	put_nla(b, 52, 12, 4);

	tap_is_int(nla_run(NLA, b, 60, 16, 1, &meta), 16, "nla: first attribute");
	tap_is_int(nla_run(NLA, b, 60, 16, 2, &meta), 24, "nla: type bits ignore NLA_F_NESTED");
	tap_is_int(nla_run(NLA, b, 60, 16, 3, &meta), 44, "nla: after a nested attribute");
	tap_is_int(nla_run(NLA, b, 60, 16, 2 | 0x8000, &meta), 0, "nla: flag bits never match");
	tap_is_int(nla_run(NLA, b, 60, 16, 5, &meta), 0, "nla: no descent into nests");
	tap_is_int(nla_run(NLA, b, 60, 16, 4, &meta), 0, "nla: attribute past the capture");
	tap_is_int(nla_run(NLA, b, 64, 16, 4, &meta), 52, "nla: same attribute inside the capture");
	tap_is_int(nla_run(NLA, b, 60, 24, 3, &meta), 44, "nla: search starts at A");
	tap_is_int(nla_run(NLA, b, 60, 56, 1, &meta), 0, "nla: A = caplen - 4");
	tap_is_int(nla_run(NLA, b, 60, 57, 1, &meta), 0, "nla: A past caplen - 4");
	tap_is_int(nla_run(NLA, b, 60, 0xfffffffeu, 1, &meta), 0, "nla: huge A");
	tap_is_int(nla_run(NLA, b, 3, 0, 1, &meta), 0, "nla: capture shorter than a header");
	tap_is_int(nla_run(NLA, b, 60, 16, 1, NULL), 0, "nla without meta returns 0");
	tap_is_int(nla_run(NEST, b, 60, 24, 5, &meta), 28, "nlan: first nested attribute");
	tap_is_int(nla_run(NEST, b, 60, 24, 6, &meta), 36, "nlan: second nested attribute");
	tap_is_int(nla_run(NEST, b, 60, 24, 3, &meta), 0, "nlan: stays inside the nest");
	tap_is_int(nla_run(NEST, b, 60, 52, 4, &meta), 0, "nlan: nest longer than the capture");
	tap_is_int(nla_run(NEST, b, 60, 24, 5, NULL), 0, "nlan without meta returns 0");
	put_nla(b, 16, 3, 1);
	tap_is_int(nla_run(NLA, b, 60, 16, 1, &meta), 0, "nla: a length below 4 ends the walk");
	put_nla(b, 16, 0, 1);
	tap_is_int(nla_run(NLA, b, 60, 16, 2, &meta), 0, "nla: a zero length ends the walk");
	put_nla(b, 24, 2, 2);
	tap_is_int(nla_run(NEST, b, 60, 24, 5, &meta), 0, "nlan: nest length below 4");
}

static void test_neg_offsets(void)
{
	uint32_t net = (uint32_t)SKF_NET_OFF, ll = (uint32_t)SKF_LL_OFF;
	struct cbpf_insn netb[] = { I(LD_ABS(BPF_B), 0, 0, net + 9), RET_A };
	struct cbpf_insn llh[] = { I(LD_ABS(BPF_H), 0, 0, ll + 12), RET_A };
	struct cbpf_insn netw_end[] = { I(LD_ABS(BPF_W), 0, 0, net + 60 - 14 - 4), RET_A };
	struct cbpf_insn netw_out[] = { I(LD_ABS(BPF_W), 0, 0, net + 60 - 14 - 3), RET_K(1) };
	struct cbpf_insn indb[] = { I(BPF_LDX | BPF_IMM, 0, 0, 9), I(LD_IND(BPF_B), 0, 0, net), RET_A };
	struct cbpf_insn indh[] = { I(BPF_LDX | BPF_IMM, 0, 0, 12), I(LD_IND(BPF_H), 0, 0, ll),
				    I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, be_at(12, 2)), RET_K(1), RET_K(2) };
	struct cbpf_insn msh[] = { I(BPF_LDX | BPF_B | BPF_MSH, 0, 0, net), I(BPF_MISC | BPF_TXA, 0, 0, 0), RET_A };
	struct cbpf_insn below[] = { I(LD_ABS(BPF_B), 0, 0, ll - 1), RET_K(1) };
	struct cbpf_insn adrange[] = { I(BPF_LDX | BPF_IMM, 0, 0, 0xff000), I(LD_IND(BPF_B), 0, 0, net), RET_K(1) };

	tap_is_int(RUN(netb, pkt, 60, &meta), pkt[23], "ldb [SKF_NET_OFF + 9] is nh_off + 9");
	tap_is_int(RUN(netb, pkt, 60, NULL), 0, "ldb [SKF_NET_OFF + 9] without meta returns 0");
	tap_is_int(RUN(llh, pkt, 60, &meta), be_at(12, 2), "ldh [SKF_LL_OFF + 12]");
	tap_is_int(RUN(llh, pkt, 60, NULL), 0, "ldh [SKF_LL_OFF + 12] without meta returns 0");
	tap_is_int(RUN(netw_end, pkt, 60, &meta), be_at(56, 4), "ld [SKF_NET_OFF + n] at the end of the capture");
	tap_is_int(RUN(netw_out, pkt, 60, &meta), 0, "ld [SKF_NET_OFF + n] one past the capture");
	tap_is_int(RUN(indb, pkt, 60, &meta), pkt[23], "ldb [x + SKF_NET_OFF]");
	tap_is_int(RUN(indb, pkt, 60, NULL), 0, "ldb [x + SKF_NET_OFF] without meta returns 0");
	tap_is_int(RUN(indh, pkt, 60, &meta), 1, "ldh [x + SKF_LL_OFF]; jeq");
	tap_is_int(RUN(indh, pkt, 60, NULL), 0, "ldh [x + SKF_LL_OFF]; jeq without meta");
	tap_is_int(RUN(msh, pkt, 60, &meta), (pkt[14] & 0xf) * 4, "ldx msh [SKF_NET_OFF]");
	tap_is_int(RUN(msh, pkt, 60, NULL), 0, "ldx msh [SKF_NET_OFF] without meta");
	tap_is_int(RUN(below, pkt, 60, &meta), 0, "offset below SKF_LL_OFF returns 0");
	tap_is_int(RUN(adrange, pkt, 60, &meta), 0, "indirect offset in the ancillary range returns 0");
}

static void test_seccomp(void)
{
	struct seccomp_data sd;
	struct cbpf_insn nr[] = { I(LD_ABS(BPF_W), 0, 0, 0), RET_A };
	struct cbpf_insn arch[] = { I(LD_ABS(BPF_W), 0, 0, 4), I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0xc000003eu),
				    RET_K(1), RET_K(2) };
	struct cbpf_insn last[] = { I(LD_ABS(BPF_W), 0, 0, 60), RET_A };
	struct cbpf_insn past[] = { I(LD_ABS(BPF_W), 0, 0, 61), RET_K(1) };
	struct cbpf_insn len[] = { I(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0), RET_A };
	struct cbpf_insn lenx[] = { I(BPF_LDX | BPF_W | BPF_LEN, 0, 0, 0), I(BPF_MISC | BPF_TXA, 0, 0, 0), RET_A };
	struct cbpf_insn half[] = { I(LD_ABS(BPF_H), 0, 0, 0), RET_A };
	struct cbpf_insn ind[] = { I(BPF_LDX | BPF_IMM, 0, 0, 16), I(LD_IND(BPF_W), 0, 0, 0), RET_A };
	uint32_t hi;
	uint16_t h;
	const uint8_t *raw = (const uint8_t *)&sd;

	memset(&sd, 0, sizeof(sd));
	sd.nr = 59;
	sd.arch = 0xc000003eu;
	sd.instruction_pointer = 0x7f0012345678ull;
	sd.args[0] = 0x1122334455667788ull;
	sd.args[5] = 0xa1b2c3d4e5f60718ull;
	memcpy(&hi, raw + 60, 4);
	memcpy(&h, raw, 2);
	tap_is_int(run_flags(nr, N(nr), raw, 64, 64, NULL, CBPF_VM_SECCOMP), 59, "seccomp: ld [0] is nr in host order");
	tap_is_int(run_flags(arch, N(arch), raw, 64, 64, NULL, CBPF_VM_SECCOMP), 1, "seccomp: ld [4]; jeq arch");
	tap_is_int(run_flags(last, N(last), raw, 64, 64, NULL, CBPF_VM_SECCOMP), hi, "seccomp: ld [60]");
	tap_is_int(run_flags(past, N(past), raw, 64, 64, NULL, CBPF_VM_SECCOMP), 0, "seccomp: ld [61] returns 0");
	tap_is_int(run_flags(len, N(len), raw, 1000, 64, NULL, CBPF_VM_SECCOMP), 64, "seccomp: ld #len is 64");
	tap_is_int(run_flags(lenx, N(lenx), raw, 1000, 64, NULL, CBPF_VM_SECCOMP), 64, "seccomp: ldx #len is 64");
	tap_is_int(run_flags(half, N(half), raw, 64, 64, NULL, CBPF_VM_SECCOMP), h, "seccomp: ldh in host order");
	tap_is_int(run_flags(ind, N(ind), raw, 64, 64, NULL, CBPF_VM_SECCOMP), (uint32_t)sd.args[0],
		   "seccomp: ld [x + 0] in host order");
	tap_is_int(run_flags(nr, N(nr), raw, 64, 64, NULL, 0),
		   (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3],
		   "socket mode: the same load is big-endian");
}

static int vm_new_rc(const struct cbpf_insn *p, size_t n, unsigned flags)
{
	struct cbpf_vm *vm = NULL;
	int rc = cbpf_vm_new(p, n, flags, &vm);

	cbpf_vm_free(vm);
	return rc;
}

static void test_reject(void)
{
	static const uint16_t bad_codes[] = {
		0xffff, BPF_LD | BPF_H | BPF_IMM, BPF_RET | BPF_X, BPF_LDX | BPF_W | BPF_ABS,
		BPF_ALU | BPF_NEG | BPF_X, BPF_JMP | BPF_JA | BPF_X, BPF_MISC | 0x08, 0x0100 | BPF_RET,
		BPF_ALU | 0xe0, BPF_LD | BPF_B | BPF_MSH,
	};
	struct cbpf_insn ok1[] = { RET_K(1) };
	struct cbpf_insn jt[] = { I(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0), RET_K(1) };
	struct cbpf_insn jf[] = { I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), RET_K(1) };
	struct cbpf_insn ja[] = { I(BPF_JMP | BPF_JA, 0, 0, 1), RET_K(1) };
	struct cbpf_insn ja_before[] = { I(BPF_JMP | BPF_JA, 0, 0, 0xfffffffeu), RET_K(1) };
	struct cbpf_insn ja_far[] = { RET_K(1), I(BPF_JMP | BPF_JA, 0, 0, 0x80000000u), RET_K(1) };
	struct cbpf_insn fall[] = { RET_K(1), I(BPF_LD | BPF_IMM, 0, 0, 0) };
	struct cbpf_insn fall_jmp[] = { RET_K(1), I(BPF_JMP | BPF_JA, 0, 0, 0) };
	static const uint16_t mem_codes[] = { BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM, BPF_ST, BPF_STX };
	struct cbpf_insn *big;
	struct cbpf_vm *vm = (struct cbpf_vm *)&vm;
	size_t i;

	tap_is_int(vm_new_rc(ok1, 1, 0), 0, "ret #1 is accepted");
	tap_is_int(vm_new_rc(ok1, 0, 0), -EINVAL, "empty program");
	tap_is_int(vm_new_rc(NULL, 1, 0), -EINVAL, "NULL program");
	tap_is_int(cbpf_vm_new(ok1, 1, 0, NULL), -EINVAL, "NULL out");
	tap_is_int(vm_new_rc(ok1, 1, 0x2), -EINVAL, "unknown flag");
	for (i = 0; i < N(bad_codes); i++) {
		struct cbpf_insn p[] = { I(bad_codes[i], 0, 0, 0), RET_K(1) };

		tap_is_int(vm_new_rc(p, N(p), 0), -EINVAL, "unknown opcode %#x", bad_codes[i]);
	}
	tap_is_int(vm_new_rc(jt, N(jt), 0), -EINVAL, "jt out of the program");
	tap_is_int(vm_new_rc(jf, N(jf), 0), -EINVAL, "jf out of the program");
	tap_is_int(vm_new_rc(ja, N(ja), 0), -EINVAL, "ja out of the program");
	tap_is_int(vm_new_rc(ja_before, N(ja_before), 0), -EINVAL, "ja -2 before the start");
	tap_is_int(vm_new_rc(ja_far, N(ja_far), 0), -EINVAL, "ja -2^31");
	tap_is_int(vm_new_rc(fall, N(fall), 0), -EINVAL, "last instruction falls off the end");
	tap_is_int(vm_new_rc(fall_jmp, N(fall_jmp), 0), -EINVAL, "last instruction a jump");
	for (i = 0; i < N(mem_codes); i++) {
		struct cbpf_insn p[] = { I(mem_codes[i], 0, 0, CBPF_MEMWORDS), RET_K(1) };
		struct cbpf_insn q[] = { I(mem_codes[i], 0, 0, CBPF_MEMWORDS - 1), RET_K(1) };

		tap_is_int(vm_new_rc(p, N(p), 0), -EINVAL, "scratch index 16 (code %#x)", mem_codes[i]);
		tap_is_int(vm_new_rc(q, N(q), 0), 0, "scratch index 15 (code %#x)", mem_codes[i]);
	}
	big = calloc(CBPF_MAXINSNS + 1, sizeof(*big));
	for (i = 0; i <= CBPF_MAXINSNS; i++)
		big[i] = (struct cbpf_insn)I(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 1);
	big[CBPF_MAXINSNS - 1] = (struct cbpf_insn)RET_A;
	big[CBPF_MAXINSNS] = (struct cbpf_insn)RET_A;
	tap_is_int(vm_new_rc(big, CBPF_MAXINSNS, 0), 0, "4096 instructions are accepted");
	tap_is_int(run_flags(big, CBPF_MAXINSNS, pkt, 10, 10, NULL, 0), CBPF_MAXINSNS - 1,
		   "4096 instructions run to the end");
	tap_is_int(vm_new_rc(big, CBPF_MAXINSNS + 1, 0), -E2BIG, "4097 instructions: -E2BIG");
	free(big);
	tap_is_int(cbpf_vm_new(jt, N(jt), 0, &vm), -EINVAL, "a rejected program...");
	tap_ok(vm == (struct cbpf_vm *)&vm, "...leaves *out alone");
	cbpf_vm_free(NULL);
	tap_ok(1, "cbpf_vm_free(NULL)");
}

int main(void)
{
	fill_pkt();
	test_ret_and_regs();
	test_mem();
	test_loads();
	test_fused();
	test_msh();
	test_alu();
	test_jumps();
	test_ancillary();
	test_nla();
	test_neg_offsets();
	test_seccomp();
	test_reject();
	return tap_done();
}
