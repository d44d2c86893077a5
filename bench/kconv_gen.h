/*
 * kconv_gen.h -- rebuild, as a loadable program, the eBPF the Linux kernel's
 * classic converter (net/core/filter.c, bpf_convert_filter) makes of a cBPF
 * program attached with SO_ATTACH_FILTER, so that the converter's code can be
 * timed under BPF_PROG_TEST_RUN next to ours.  Written from reading the
 * converter, not copied from it; header-only, bench and test code.
 *
 * Same registers (A = r0, X = r7, temporary r2, ctx r6, packet data r8,
 * M[k] at r10 - 4k - 4), same instruction per classic instruction, same jump
 * shapes (jf == 0: one jump; jt == 0 and jeq/jgt/jge: the inverted jump; else
 * jump + ja; k < 0 goes through r2), same 64-bit compares, same inline fast
 * path for ld [k] with k >= 0 (bounds check, load, bswap, ja over the slow
 * path).  What a user-loaded program cannot have is substituted, the
 * machine code of the executed fast path staying the same kind and size:
 *   - the prologue caches skb->data in r8 and the end of the linear data in
 *     r9 from __sk_buff (2 loads) where the kernel computes the head length
 *     from sk_buff (3 loads and a sub): kernel width 4, ours 2;
 *   - the fast-path check compares a pointer (r2 = r8 + k + size; jgt r2, r9)
 *     where the kernel compares a length (r2 = r9 - k; jslt r2, size), as the
 *     verifier only trusts the former: the same 3 ALU/jump instructions, one
 *     more (the add) when k == 0;
 *   - the slow path (ld [x + k] always, ld [k] out of the linear data) is an
 *     eBPF ld_abs/ld_ind, which the verifier expands into a call of the
 *     kernel's bpf_skb_load_helper_{8,16,32}_no_cache and the same
 *     "jsge r0, 0; A = 0; exit" tail, where the kernel calls the cached
 *     helper bpf_skb_load_helper_{8,16,32} (2 more argument moves, 2 fewer
 *     loads in the helper): kernel width 8 or 9, ours 1 before the verifier
 *     and 6 or 7 after it (checked: the verifier adds nothing else, e.g.
 *     "tcp port 80": 52 instructions loaded, 6 ld_abs/ind, 84 xlated);
 *   - A and X start as "w0 = 0", "w7 = 0" where the kernel xors them with
 *     themselves (the verifier refuses reading an unset register; x86's JIT
 *     emits the same xor for both);
 *   - ALU with k gets src_reg 0 and ALU with x imm 0 (the converter leaves
 *     the other field set; the verifier refuses that, the JIT ignores it).
 * The program is a BPF_PROG_TYPE_SCHED_CLS one (direct packet reads need it;
 * the JIT emits the same code as for a socket filter) and sees the frame from
 * L2, as a socket filter on a packet socket does.  Ancillary loads (ld #proto
 * and friends), seccomp's ld [k] and packet offsets above 0xfff0 are not
 * rebuilt: kconv_gen() returns -EOPNOTSUPP for them.
 */
#ifndef PFC_BENCH_KCONV_GEN_H
#define PFC_BENCH_KCONV_GEN_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cbpf.h"
#include "ebpf_translate.h"

/*
 * eBPF opcodes and struct __sk_buff offsets (uapi, fixed) spelled out here:
 * <linux/bpf.h> clashes with libpcap's struct bpf_insn in the tests.
 */
#ifndef BPF_ALU64
#define BPF_ALU64 0x07
#endif
#ifndef BPF_MOV
#define BPF_MOV 0xb0
#endif
#ifndef BPF_END
#define BPF_END 0xd0
#endif
#ifndef BPF_TO_BE
#define BPF_TO_BE 0x08
#endif
#ifndef BPF_JNE
#define BPF_JNE 0x50
#endif
#ifndef BPF_JLT
#define BPF_JLT 0xa0
#endif
#ifndef BPF_JLE
#define BPF_JLE 0xb0
#endif
#ifndef BPF_EXIT
#define BPF_EXIT 0x90
#endif
#define KG_SKB_LEN 0		/* KG_SKB_LEN */
#define KG_SKB_DATA 76		/* KG_SKB_DATA */
#define KG_SKB_DATA_END 80	/* KG_SKB_DATA_END */

#define KG_A 0
#define KG_X 7
#define KG_TMP 2
#define KG_CTX 6
#define KG_D 8
#define KG_H 9
#define KG_FP 10

struct kconv_gen {
	const struct cbpf_insn *p;
	size_t len;
	const size_t *addrs;	/* first eBPF index of each classic insn; NULL in the sizing pass */
	struct ebt_insn *out;	/* NULL in the sizing pass */
	size_t n;		/* instructions emitted */
	size_t kernel;		/* what the kernel's converter emits for the same */
	int err;
};

static void kg_put(struct kconv_gen *g, uint8_t code, int dst, int src, int16_t off, int32_t imm)
{
	if (g->out) {
		struct ebt_insn *i = &g->out[g->n];

		i->code = code;
		i->dst_reg = (uint8_t)dst & 0xf;
		i->src_reg = (uint8_t)src & 0xf;
		i->off = off;
		i->imm = imm;
	}
	g->n++;
}

/* A jump at the current position to classic instruction target. */
static void kg_jmp(struct kconv_gen *g, uint8_t code, int dst, int src, int32_t imm, size_t target)
{
	long off = 0;

	if (target >= g->len) {
		g->err = -EINVAL;
		return;
	}
	if (g->addrs)
		off = (long)g->addrs[target] - (long)g->n - 1;
	if (off < INT16_MIN || off > INT16_MAX)
		g->err = -E2BIG;
	kg_put(g, code, dst, src, (int16_t)off, imm);
}

static int kg_size_bytes(uint16_t code)
{
	return BPF_SIZE(code) == BPF_B ? 1 : BPF_SIZE(code) == BPF_H ? 2 : 4;
}

/* ld [k], ld [x + k]: the converter's fast path and our slow path. */
static void kg_ld(struct kconv_gen *g, uint16_t code, uint32_t k)
{
	int ind = BPF_MODE(code) == BPF_IND, size = kg_size_bytes(code);
	int endian = size > 1, far = (int32_t)k > INT16_MAX;

	if (!ind && (int32_t)k >= 0) {
		if ((int64_t)k + size > 0xfff0) {
			g->err = -EOPNOTSUPP;
			return;
		}
		kg_put(g, BPF_ALU64 | BPF_MOV | BPF_X, KG_TMP, KG_D, 0, 0);
		kg_put(g, BPF_ALU64 | BPF_ADD | BPF_K, KG_TMP, 0, 0, (int32_t)k + size);
		kg_put(g, BPF_JMP | BPF_JGT | BPF_X, KG_TMP, KG_H, (int16_t)(2 + endian + 2 * far), 0);
		if (far) {
			kg_put(g, BPF_ALU64 | BPF_MOV | BPF_X, KG_TMP, KG_D, 0, 0);
			kg_put(g, BPF_ALU64 | BPF_ADD | BPF_K, KG_TMP, 0, 0, (int32_t)k);
			kg_put(g, BPF_LDX | BPF_SIZE(code) | BPF_MEM, KG_A, KG_TMP, 0, 0);
		} else {
			kg_put(g, BPF_LDX | BPF_SIZE(code) | BPF_MEM, KG_A, KG_D, (int16_t)k, 0);
		}
		if (endian)
			kg_put(g, BPF_ALU | BPF_END | BPF_TO_BE, KG_A, 0, 0, size * 8);
		kg_put(g, BPF_JMP | BPF_JA, 0, 0, 1, 0);
		g->kernel += 1 + (k != 0) + 1 + (far ? 3 : 1) + (size_t)endian + 1;
	}
	kg_put(g, (uint8_t)(BPF_LD | BPF_MODE(code) | BPF_SIZE(code)), 0, ind ? KG_X : 0, 0,
	       (int32_t)k);
	g->kernel += 3 + (ind ? 1 + (k != 0) : 1) + 1 + 3;
}

static void kg_alu(struct kconv_gen *g, const struct cbpf_insn *i)
{
	int op = BPF_OP(i->code), x = BPF_SRC(i->code) == BPF_X;

	if (x && (op == BPF_DIV || op == BPF_MOD)) {
		kg_put(g, BPF_ALU | BPF_MOV | BPF_X, KG_X, KG_X, 0, 0);
		kg_put(g, BPF_JMP | BPF_JNE | BPF_K, KG_X, 0, 2, 0);
		kg_put(g, BPF_ALU | BPF_XOR | BPF_X, KG_A, KG_A, 0, 0);
		kg_put(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		g->kernel += 4;
	}
	if (op == BPF_NEG)
		kg_put(g, BPF_ALU | BPF_NEG, KG_A, 0, 0, 0);
	else
		kg_put(g, (uint8_t)i->code, KG_A, x ? KG_X : 0, 0, x ? 0 : (int32_t)i->k);
	g->kernel += 1;
}

static void kg_cond(struct kconv_gen *g, size_t pc, const struct cbpf_insn *i)
{
	int op = BPF_OP(i->code), src = KG_X, bsrc = BPF_SRC(i->code);
	int32_t imm = 0;
	size_t before = g->n;

	if (bsrc == BPF_K && (int32_t)i->k < 0) {
		kg_put(g, BPF_ALU | BPF_MOV | BPF_K, KG_TMP, 0, 0, (int32_t)i->k);
		src = KG_TMP, bsrc = BPF_X;
	} else if (bsrc == BPF_K) {
		src = 0, imm = (int32_t)i->k;
	}
	if (i->jf == 0) {
		kg_jmp(g, (uint8_t)(BPF_JMP | op | bsrc), KG_A, src, imm, pc + 1 + i->jt);
	} else if (i->jt == 0 && (op == BPF_JEQ || op == BPF_JGT || op == BPF_JGE)) {
		op = op == BPF_JEQ ? BPF_JNE : op == BPF_JGT ? BPF_JLE : BPF_JLT;
		kg_jmp(g, (uint8_t)(BPF_JMP | op | bsrc), KG_A, src, imm, pc + 1 + i->jf);
	} else {
		kg_jmp(g, (uint8_t)(BPF_JMP | op | bsrc), KG_A, src, imm, pc + 1 + i->jt);
		kg_jmp(g, BPF_JMP | BPF_JA, 0, 0, 0, pc + 1 + i->jf);
	}
	g->kernel += g->n - before;
}

/* Classic M[k] lives at r10 - 4k - 4. */
static int16_t kg_slot(uint32_t k)
{
	return (int16_t)(-(int32_t)(k * 4 + 4));
}

static void kg_one(struct kconv_gen *g, size_t pc)
{
	const struct cbpf_insn *i = &g->p[pc];
	uint16_t c = i->code;
	int r = BPF_CLASS(c) == BPF_LD || BPF_CLASS(c) == BPF_ST ? KG_A : KG_X;
	size_t before = g->n;

	switch (BPF_CLASS(c)) {
	case BPF_LD:
	case BPF_LDX:
		if (c == (BPF_LDX | BPF_MSH | BPF_B)) {
			kg_put(g, BPF_ALU64 | BPF_MOV | BPF_X, KG_X, KG_A, 0, 0);
			kg_ld(g, BPF_LD | BPF_ABS | BPF_B, i->k);
			kg_put(g, BPF_ALU | BPF_AND | BPF_K, KG_A, 0, 0, 0xf);
			kg_put(g, BPF_ALU | BPF_LSH | BPF_K, KG_A, 0, 0, 2);
			kg_put(g, BPF_ALU64 | BPF_MOV | BPF_X, KG_TMP, KG_X, 0, 0);
			kg_put(g, BPF_ALU64 | BPF_MOV | BPF_X, KG_X, KG_A, 0, 0);
			kg_put(g, BPF_ALU64 | BPF_MOV | BPF_X, KG_A, KG_TMP, 0, 0);
			g->kernel += 6;
			return;
		}
		switch (BPF_MODE(c)) {
		case BPF_ABS:
		case BPF_IND:
			if (BPF_CLASS(c) == BPF_LDX ||
			    (BPF_MODE(c) == BPF_ABS && (int32_t)i->k < 0 && (int32_t)i->k >= SKF_AD_OFF)) {
				g->err = -EOPNOTSUPP;	/* seccomp's ld [k], ancillary loads */
				return;
			}
			kg_ld(g, c, i->k);
			return;
		case BPF_IMM: kg_put(g, BPF_ALU | BPF_MOV | BPF_K, r, 0, 0, (int32_t)i->k); break;
		case BPF_MEM: kg_put(g, BPF_LDX | BPF_W | BPF_MEM, r, KG_FP, kg_slot(i->k), 0); break;
		case BPF_LEN:
			kg_put(g, BPF_LDX | BPF_W | BPF_MEM, r, KG_CTX, KG_SKB_LEN, 0);
			break;
		default: g->err = -EINVAL; return;
		}
		break;
	case BPF_ST:
	case BPF_STX:
		kg_put(g, BPF_STX | BPF_W | BPF_MEM, KG_FP, r, kg_slot(i->k), 0);
		break;
	case BPF_ALU: kg_alu(g, i); return;
	case BPF_JMP:
		if (BPF_OP(c) != BPF_JA) {
			kg_cond(g, pc, i);
			return;
		}
		kg_jmp(g, BPF_JMP | BPF_JA, 0, 0, 0, pc + 1 + i->k);
		break;
	case BPF_RET:
		if (BPF_RVAL(c) == BPF_K)
			kg_put(g, BPF_ALU | BPF_MOV | BPF_K, KG_A, 0, 0, (int32_t)i->k);
		kg_put(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		break;
	default:	/* misc: tax, txa */
		if (BPF_MISCOP(c) == BPF_TAX)
			kg_put(g, BPF_ALU64 | BPF_MOV | BPF_X, KG_X, KG_A, 0, 0);
		else
			kg_put(g, BPF_ALU64 | BPF_MOV | BPF_X, KG_A, KG_X, 0, 0);
		break;
	}
	g->kernel += g->n - before;
}

static int kg_seen_ld(const struct cbpf_insn *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint16_t c = p[i].code;

		if (c == (BPF_LDX | BPF_MSH | BPF_B) ||
		    (BPF_CLASS(c) == BPF_LD && (BPF_MODE(c) == BPF_IND ||
		     (BPF_MODE(c) == BPF_ABS && ((int32_t)p[i].k >= 0 || (int32_t)p[i].k < SKF_AD_OFF)))))
			return 1;
	}
	return 0;
}

static void kg_pass(struct kconv_gen *g, size_t *addrs)
{
	size_t pc;

	g->n = g->kernel = 0;
	kg_put(g, BPF_ALU | BPF_MOV | BPF_K, KG_A, 0, 0, 0);
	kg_put(g, BPF_ALU | BPF_MOV | BPF_K, KG_X, 0, 0, 0);
	kg_put(g, BPF_ALU64 | BPF_MOV | BPF_X, KG_CTX, 1, 0, 0);
	g->kernel = 3;
	if (kg_seen_ld(g->p, g->len)) {
		kg_put(g, BPF_LDX | BPF_W | BPF_MEM, KG_D, KG_CTX, KG_SKB_DATA, 0);
		kg_put(g, BPF_LDX | BPF_W | BPF_MEM, KG_H, KG_CTX,
		       KG_SKB_DATA_END, 0);
		g->kernel += 4;
	}
	for (pc = 0; pc < g->len && !g->err; pc++) {
		if (addrs)
			addrs[pc] = g->n;
		kg_one(g, pc);
	}
}

/*
 * The converter's program for p[0..len) (a valid socket-flavor program) into
 * *out (free()), *n instructions; *kernel gets the length the kernel's
 * converter gives the same program (to check against kconv_count()).
 * Returns 0, -EOPNOTSUPP (see above), -E2BIG, -EINVAL, -ENOMEM.
 */
static int kconv_gen(const struct cbpf_insn *p, size_t len, struct ebt_insn **out, size_t *n,
		     size_t *kernel)
{
	struct kconv_gen g = { p, len, NULL, NULL, 0, 0, 0 };
	size_t *addrs = calloc(len ? len : 1, sizeof(*addrs));

	if (!addrs)
		return -ENOMEM;
	kg_pass(&g, addrs);	/* sizes and addresses */
	if (!g.err) {
		g.out = calloc(g.n, sizeof(*g.out));
		g.addrs = addrs;
		if (!g.out)
			g.err = -ENOMEM;
		else
			kg_pass(&g, NULL);
	}
	free(addrs);
	if (g.err) {
		free(g.out);
		return g.err;
	}
	*out = g.out;
	*n = g.n;
	*kernel = g.kernel;
	return 0;
}

#endif /* PFC_BENCH_KCONV_GEN_H */
