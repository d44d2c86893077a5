/*
 * cbpf_int.h -- private declarations shared by the files of src/cbpf.
 *
 * Holds the tables every stage needs (ancillary offsets and their bpf_asm
 * names, opcode classification) so that the validator, the disassembler,
 * the assembler and the interpreter agree on one definition.
 */
#ifndef PFC_CBPF_INT_H
#define PFC_CBPF_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include "cbpf.h"

/* Ancillary load offset n (SKF_AD_*) as the k of an absolute load. */
#define CBPF_ANC_K(n) ((uint32_t)SKF_AD_OFF + (uint32_t)(n))

/*
 * The bpf_asm name of ancillary offset SKF_AD_OFF + n ("proto", "type",
 * "ifidx", "nla", "nlan", "mark", "queue", "hatype", "rxhash", "cpu",
 * "vlan_tci", "vlan_avail", "poff", "rand", "vlan_tpid"), or NULL when the
 * kernel knows no such offset or bpf_asm has no name for it (SKF_AD_ALU_XOR_X).
 */
const char *cbpf_anc_name(uint32_t k);

/* The SKF_AD_OFF + n value for a bpf_asm ancillary name (without '#'); -1 if unknown. */
int64_t cbpf_anc_by_name(const char *name, size_t len);

/* True when k is one of the kernel's known ancillary offsets (bpf_anc_helper). */
bool cbpf_anc_known(uint32_t k);

/* True when code is in the kernel's chk_code_allowed() table. */
bool cbpf_code_allowed(uint16_t code);

/* True for the conditional jumps (jeq/jgt/jge/jset with K or X). */
bool cbpf_is_cond_jump(uint16_t code);

/* Fill diag (when not NULL) with an instruction-indexed message. */
void cbpf_diag_set(struct cbpf_diag *diag, int insn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* PFC_CBPF_INT_H */
