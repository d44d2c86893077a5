/*
 * randprog.h -- a seeded generator of random classic BPF programs, shared by
 * the tests (validator, kernel differential test, interpreter, disassembler
 * round trips).
 *
 * Link: tests/cbpf/librandprog.la src/cbpf/libcbpf.la (in that order).
 *
 * The same seed always yields the same programs.  Program length is 1..max:
 * max itself about one time in eight, otherwise uniform, so a caller that
 * needs exactly max instructions retries a few times.
 */
#ifndef PFC_TESTS_RANDPROG_H
#define PFC_TESTS_RANDPROG_H

#include <stddef.h>
#include <stdint.h>

#include "cbpf.h"

struct rp_rng {
	uint64_t s;
};

/* Start the generator's stream at seed. */
void rp_seed(struct rp_rng *r, uint64_t seed);

/* Next 32 random bits (splitmix64, upper half). */
uint32_t rp_next(struct rp_rng *r);

/* Uniform in 0..n-1; 0 when n is 0. */
uint32_t rp_below(struct rp_rng *r, uint32_t n);

/* The result always passes cbpf_validate(CBPF_FLAVOR_SOCKET). */
#define RP_VALID   0x1u
/* May use ancillary loads (SKF_AD_OFF + n), incl. unknown ones when !RP_VALID. */
#define RP_ANC     0x2u
/* Only seccomp's opcode subset; ld [k] word-sized, k<64, 4-aligned (with RP_VALID). */
#define RP_SECCOMP 0x4u

/*
 * Write a random program of 1..max instructions to out and return its
 * length (0 only when max is 0).
 *
 * With RP_VALID the program obeys every rule of the kernel's classic
 * checker: allowed opcodes, no division or modulo by a constant 0, constant
 * shifts below 32, M[] indexes below 16, jumps inside the program, known
 * ancillary offsets, every M[k] read stored first on each path (following
 * the kernel's own walk, quirks included) and a return at the end.  With
 * RP_VALID | RP_SECCOMP it also passes CBPF_FLAVOR_SECCOMP.
 *
 * Without RP_VALID about half the programs break one or more of those rules
 * (and, with RP_SECCOMP, seccomp's opcode subset); the others are valid.
 */
size_t rp_program(struct rp_rng *r, struct cbpf_insn *out, size_t max,
		  unsigned flags);

#endif /* PFC_TESTS_RANDPROG_H */
