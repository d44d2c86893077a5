/*
 * kconv.h -- the length of the eBPF program the Linux kernel's own classic
 * converter (net/core/filter.c, bpf_convert_filter) makes of a cBPF program
 * attached with SO_ATTACH_FILTER, counted instruction by instruction as that
 * function expands them on x86-64 (efficient unaligned access).  The kernel
 * runs that expansion without the verifier, so it is also what it executes
 * from (its "xlated" form); it is not reachable from user space (classic
 * programs are not in the BPF IDR), hence this count, written from reading
 * the converter, not copied from it.  Header-only, bench/test code.
 */
#ifndef PFC_BENCH_KCONV_H
#define PFC_BENCH_KCONV_H

#include <stddef.h>
#include <stdint.h>

#include "cbpf.h"

/* A packet load: fast path (headlen check, ldx, bswap, ja) for k >= 0, then the helper call. */
static size_t kconv_ld(uint16_t code, uint32_t k)
{
	int ind = BPF_MODE(code) == BPF_IND, endian = BPF_SIZE(code) != BPF_B;
	size_t n = 0;

	if (!ind && (int32_t)k >= 0)
		n += 1 + (k != 0) + 1 + ((int32_t)k <= 32767 ? 1 : 3) + (size_t)endian + 1;
	n += 3 + (ind ? 1 + (k != 0) : 1) + 1 + 3;	/* args, call, jsge/xor/exit */
	return n;
}

/* Ancillary loads (convert_bpf_extensions); 0 for an ordinary load. */
static size_t kconv_anc(uint32_t k)
{
	int32_t a = (int32_t)k - SKF_AD_OFF;

	if ((int32_t)k >= 0 || (int32_t)k < SKF_AD_OFF)
		return 0;
	switch (a) {
	case SKF_AD_PROTOCOL: case SKF_AD_VLAN_TPID: case SKF_AD_PKTTYPE: return 2;
	case SKF_AD_IFINDEX: case SKF_AD_HATYPE: return 4;
	case SKF_AD_VLAN_TAG_PRESENT: return 3;
	case SKF_AD_PAY_OFFSET: case SKF_AD_NLATTR: case SKF_AD_NLATTR_NEST:
	case SKF_AD_CPU: case SKF_AD_RANDOM: return 4;
	default: return 1;	/* mark, queue, rxhash, vlan tag, xor x */
	}
}

static size_t kconv_jmp(const struct cbpf_insn *i)
{
	int op = BPF_OP(i->code);
	size_t n = BPF_SRC(i->code) == BPF_K && (int32_t)i->k < 0;	/* k in a temporary */

	if (op == BPF_JA)
		return 1;
	if (i->jf == 0)
		return n + 1;
	if (i->jt == 0 && (op == BPF_JEQ || op == BPF_JGT || op == BPF_JGE))
		return n + 1;
	return n + 2;
}

static size_t kconv_count(const struct cbpf_insn *p, size_t len)
{
	size_t i, n = 3;	/* A = 0, X = 0, ctx to r6 */
	int seen_ld = 0;

	for (i = 0; i < len; i++) {
		uint16_t c = p[i].code;

		switch (BPF_CLASS(c)) {
		case BPF_LD:
			if (BPF_MODE(c) == BPF_ABS && kconv_anc(p[i].k)) {
				n += kconv_anc(p[i].k);
			} else if (BPF_MODE(c) == BPF_ABS || BPF_MODE(c) == BPF_IND) {
				n += kconv_ld(c, p[i].k);
				seen_ld = 1;
			} else {
				n += 1;
			}
			break;
		case BPF_LDX:
			if (BPF_MODE(c) == BPF_MSH) {
				n += 1 + kconv_ld(BPF_LD | BPF_ABS | BPF_B, p[i].k) + 5;
				seen_ld = 1;
			} else {
				n += 1;
			}
			break;
		case BPF_ALU:
			n += BPF_SRC(c) == BPF_X && (BPF_OP(c) == BPF_DIV || BPF_OP(c) == BPF_MOD) ? 5 : 1;	/* w7 = w7, jne, A = 0, exit, op */
			break;
		case BPF_JMP: n += kconv_jmp(&p[i]); break;
		case BPF_RET: n += BPF_RVAL(c) == BPF_K ? 2 : 1; break;
		default: n += 1; break;	/* st, stx, tax, txa */
		}
	}
	return n + (seen_ld ? 4 : 0);	/* skb->data and headlen cached */
}

#endif /* PFC_BENCH_KCONV_H */
