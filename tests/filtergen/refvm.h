/*
 * refvm.h -- a plain reference interpreter for the compiler's differential
 * tests (header-only, test code).
 *
 * It runs a program with libpcap's packet semantics and also says why it
 * stopped, because the conformance rule (../shared/conformance/README.md)
 * excuses a verdict difference only where one of the two programs stopped
 * at a load outside the captured bytes.  It also notes a read of a scratch
 * word that was never written on the path taken: libpcap's programs do
 * that after `geneve` in an `or` (its inner offsets are only stored when
 * the tunnel matched), so their verdict then depends on whatever an
 * earlier computation left in that word, and the kernel would refuse to
 * load them; such a verdict is undefined and excused too.  Deliberately simple and separate
 * from src/cbpf/interp.c, which is what it checks.
 */
#ifndef PFC_REFVM_H
#define PFC_REFVM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cbpf.h"

struct refvm_result {
	uint32_t ret;
	bool oob;		/* stopped at an out-of-range load */
	bool divzero;		/* stopped at a division/modulo by X == 0 */
	bool uninit;		/* read a scratch word never written on this path */
	uint32_t steps;		/* instructions executed */
};

static inline bool refvm_fetch(const uint8_t *p, uint32_t caplen, uint32_t off, uint32_t size,
			       uint32_t *v)
{
	uint32_t i, x = 0;

	if (off > caplen || size > caplen - off)
		return false;
	for (i = 0; i < size; i++)
		x = x << 8 | p[off + i];
	*v = x;
	return true;
}

static inline uint32_t refvm_size(uint16_t code)
{
	return BPF_SIZE(code) == BPF_W ? 4 : BPF_SIZE(code) == BPF_H ? 2 : 1;
}

static inline bool refvm_alu(uint16_t code, uint32_t *a, uint32_t v, struct refvm_result *r)
{
	switch (BPF_OP(code)) {
	case BPF_ADD: *a += v; break;
	case BPF_SUB: *a -= v; break;
	case BPF_MUL: *a *= v; break;
	case BPF_DIV: if (!v) { r->divzero = true; return false; } *a /= v; break;
	case BPF_MOD: if (!v) { r->divzero = true; return false; } *a %= v; break;
	case BPF_AND: *a &= v; break;
	case BPF_OR: *a |= v; break;
	case BPF_XOR: *a ^= v; break;
	case BPF_LSH: *a = v < 32 ? *a << v : 0; break;
	case BPF_RSH: *a = v < 32 ? *a >> v : 0; break;
	case BPF_NEG: *a = -*a; break;
	}
	return true;
}

static inline bool refvm_jump(uint16_t code, uint32_t a, uint32_t v)
{
	switch (BPF_OP(code)) {
	case BPF_JEQ: return a == v;
	case BPF_JGT: return a > v;
	case BPF_JGE: return a >= v;
	default: return (a & v) != 0;	/* BPF_JSET */
	}
}

/* Run a valid program (no ancillary loads) on one packet. */
static inline struct refvm_result refvm_run(const struct cbpf_insn *prog, size_t n,
					    const uint8_t *p, uint32_t wirelen, uint32_t caplen)
{
	struct refvm_result r = { 0, false, false, false, 0 };
	uint32_t a = 0, x = 0, m[16], v, written = 0;
	size_t pc;

	memset(m, 0, sizeof(m));
	for (pc = 0; pc < n; pc++) {
		const struct cbpf_insn *i = &prog[pc];

		r.steps++;
		switch (BPF_CLASS(i->code)) {
		case BPF_RET:
			r.ret = BPF_RVAL(i->code) == BPF_A ? a : i->k;
			return r;
		case BPF_LD:
		case BPF_LDX:
			switch (BPF_MODE(i->code)) {
			case BPF_IMM: v = i->k; break;
			case BPF_LEN: v = wirelen; break;
			case BPF_MEM:
				v = m[i->k & 15];
				if (!(written & (1u << (i->k & 15))))
					r.uninit = true;
				break;
			case BPF_MSH:
				if (!refvm_fetch(p, caplen, i->k, 1, &v)) { r.oob = true; return r; }
				v = (v & 0xf) << 2;
				break;
			default:	/* ABS, IND */
				if (!refvm_fetch(p, caplen, BPF_MODE(i->code) == BPF_IND ? x + i->k : i->k,
						 refvm_size(i->code), &v) ||
				    (BPF_MODE(i->code) == BPF_IND && x + i->k < x)) {
					r.oob = true;
					return r;
				}
			}
			if (BPF_CLASS(i->code) == BPF_LD) a = v; else x = v;
			break;
		case BPF_ST: m[i->k & 15] = a; written |= 1u << (i->k & 15); break;
		case BPF_STX: m[i->k & 15] = x; written |= 1u << (i->k & 15); break;
		case BPF_ALU:
			if (!refvm_alu(i->code, &a, BPF_SRC(i->code) == BPF_X ? x : i->k, &r))
				return r;
			break;
		case BPF_JMP:
			if (BPF_OP(i->code) == BPF_JA)
				pc += i->k;
			else
				pc += refvm_jump(i->code, a, BPF_SRC(i->code) == BPF_X ? x : i->k) ? i->jt : i->jf;
			break;
		case BPF_MISC:
			if (BPF_MISCOP(i->code) == BPF_TAX) x = a; else a = x;
			break;
		}
	}
	return r;
}

/*
 * Same verdict, by the conformance rule: equal results, or one of the two
 * stopped at an out-of-range load, or read a scratch word never written.
 */
static inline bool refvm_same_verdict(struct refvm_result a, struct refvm_result b)
{
	return a.ret == b.ret || a.oob || b.oob || a.uninit || b.uninit;
}

#endif /* PFC_REFVM_H */
