/*
 * synth.h -- packets for link types with no capture at hand (header-only,
 * test code): start from zeros or random bytes and steer them until a
 * reference program (libpcap's, for a seed expression such as "tcp port 80"
 * or "type data") accepts them, then keep mutated and truncated copies.
 *
 * Steering runs the program while remembering where A's value came from
 * (an absolute packet offset and size, possibly masked); when the program
 * rejects, the last comparison on such a value is made to go the other
 * way by rewriting those bytes, and the run starts again.  Loads past the
 * end grow the packet.  Greedy and bounded: a seed the search cannot
 * satisfy just gives fewer packets; what the test needs is packets that
 * reach deep into each link type's code, not every path.
 */
#ifndef PFC_SYNTH_H
#define PFC_SYNTH_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cbpf.h"
#include "refvm.h"

#define SYNTH_MAX 512

struct synth_prov {
	bool valid;
	uint32_t off, size, mask;
};

struct synth_flip {
	bool found;
	struct synth_prov at;
	uint32_t want;		/* the value (under mask) that takes the other branch */
};

static inline uint32_t synth_get(const uint8_t *p, uint32_t off, uint32_t size)
{
	uint32_t v = 0, i;

	for (i = 0; i < size; i++)
		v = v << 8 | p[off + i];
	return v;
}

static inline void synth_put(uint8_t *p, struct synth_prov at, uint32_t v)
{
	uint32_t old = synth_get(p, at.off, at.size), i;

	v = (old & ~at.mask) | (v & at.mask);
	for (i = 0; i < at.size; i++)
		p[at.off + i] = (uint8_t)(v >> (8 * (at.size - 1 - i)));
}

/* The value (under mask) that makes `a op k` come out the other way than it did. */
static inline uint32_t synth_other(uint16_t code, uint32_t k, bool taken, uint32_t mask)
{
	switch (BPF_OP(code)) {
	case BPF_JEQ: return taken ? (k + 1) & mask : k;
	case BPF_JGT: return taken ? k : k + 1;
	case BPF_JGE: return taken ? (k ? k - 1 : 0) : k;
	default: return taken ? 0 : k;	/* JSET */
	}
}

/*
 * One run of prog over p[0, *len): returns the verdict and, in *flip, the
 * last comparison on packet bytes and how to invert it.  A load past *len
 * (below SYNTH_MAX) grows the packet with zeros and runs again.
 */
static inline uint32_t synth_trace(const struct cbpf_insn *prog, size_t n, uint8_t *p,
				   uint32_t *len, struct synth_flip *flip)
{
	struct synth_prov prov = { false, 0, 0, 0 };
	uint32_t a = 0, x = 0, m[16] = { 0 }, v, off, size;
	size_t pc;

	flip->found = false;
	for (pc = 0; pc < n; pc++) {
		const struct cbpf_insn *i = &prog[pc];

		switch (BPF_CLASS(i->code)) {
		case BPF_RET:
			return BPF_RVAL(i->code) == BPF_A ? a : i->k;
		case BPF_LD: case BPF_LDX:
			size = refvm_size(i->code);
			switch (BPF_MODE(i->code)) {
			case BPF_IMM: v = i->k; off = UINT32_MAX; break;
			case BPF_LEN: v = *len; off = UINT32_MAX; break;
			case BPF_MEM: v = m[i->k & 15]; off = UINT32_MAX; break;
			default:
				off = BPF_MODE(i->code) == BPF_IND ? x + i->k : i->k;
				if (BPF_MODE(i->code) == BPF_MSH)
					size = 1;
				if (off >= SYNTH_MAX || size > SYNTH_MAX - off)
					return 0;
				if (off + size > *len) {
					memset(p + *len, 0, off + size - *len);
					*len = off + size;
				}
				v = synth_get(p, off, size);
				if (BPF_MODE(i->code) == BPF_MSH)
					v = (v & 0xf) << 2;
			}
			if (BPF_CLASS(i->code) == BPF_LD) {
				a = v;
				prov.valid = off != UINT32_MAX;
				prov.off = off;
				prov.size = size;
				prov.mask = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
			} else {
				x = v;
			}
			break;
		case BPF_ST: m[i->k & 15] = a; break;
		case BPF_STX: m[i->k & 15] = x; break;
		case BPF_ALU:
			if (BPF_OP(i->code) == BPF_AND && BPF_SRC(i->code) == BPF_K)
				prov.mask &= i->k;
			else
				prov.valid = false;
			if (BPF_SRC(i->code) == BPF_X && !x && (BPF_OP(i->code) == BPF_DIV ||
								BPF_OP(i->code) == BPF_MOD))
				return 0;
			{
				struct refvm_result r = { 0, false, false, false, 0 };

				refvm_alu(i->code, &a, BPF_SRC(i->code) == BPF_X ? x : i->k, &r);
			}
			break;
		case BPF_JMP:
			if (BPF_OP(i->code) == BPF_JA) {
				pc += i->k;
				break;
			}
			{
				bool taken = refvm_jump(i->code, a, BPF_SRC(i->code) == BPF_X ? x : i->k);

				if (prov.valid && BPF_SRC(i->code) == BPF_K) {
					flip->found = true;
					flip->at = prov;
					flip->want = synth_other(i->code, i->k, taken, prov.mask);
				}
				pc += taken ? i->jt : i->jf;
			}
			break;
		case BPF_MISC:
			if (BPF_MISCOP(i->code) == BPF_TAX) {
				x = a;
			} else {
				a = x;
				prov.valid = false;
			}
			break;
		}
	}
	return 0;
}

/* Rewrite p (length *len) until prog accepts it; true if it does within `tries` flips. */
static inline bool synth_steer(const struct cbpf_insn *prog, size_t n, uint8_t *p, uint32_t *len,
			       int tries)
{
	struct synth_flip f = { false, { false, 0, 0, 0 }, 0 };

	while (tries-- > 0) {
		if (synth_trace(prog, n, p, len, &f))
			return true;
		if (!f.found)
			return false;
		synth_put(p, f.at, f.want);
	}
	return false;
}

#endif /* PFC_SYNTH_H */
