/*
 * insn.c -- the instruction model's tables: which opcodes the kernel allows,
 * which ancillary offsets it knows and their bpf_asm names.
 *
 * Every other file of src/cbpf asks here rather than keeping its own list,
 * so a new ancillary load or opcode is added in one place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbpf_int.h"

struct anc_entry {
	uint32_t off;		/* SKF_AD_* */
	const char *name;	/* bpf_asm spelling without '#', NULL if none */
};

static const struct anc_entry anc_table[] = {
	{ SKF_AD_PROTOCOL, "proto" },
	{ SKF_AD_PKTTYPE, "type" },
	{ SKF_AD_IFINDEX, "ifidx" },
	{ SKF_AD_NLATTR, "nla" },
	{ SKF_AD_NLATTR_NEST, "nlan" },
	{ SKF_AD_MARK, "mark" },
	{ SKF_AD_QUEUE, "queue" },
	{ SKF_AD_HATYPE, "hatype" },
	{ SKF_AD_RXHASH, "rxhash" },
	{ SKF_AD_CPU, "cpu" },
	{ SKF_AD_ALU_XOR_X, NULL },
	{ SKF_AD_VLAN_TAG, "vlan_tci" },
	{ SKF_AD_VLAN_TAG_PRESENT, "vlan_avail" },
	{ SKF_AD_PAY_OFFSET, "poff" },
	{ SKF_AD_RANDOM, "rand" },
	{ SKF_AD_VLAN_TPID, "vlan_tpid" },
};

#define ANC_COUNT (sizeof(anc_table) / sizeof(anc_table[0]))

static const struct anc_entry *anc_lookup(uint32_t k)
{
	size_t i;

	if (k < (uint32_t)SKF_AD_OFF)
		return NULL;
	for (i = 0; i < ANC_COUNT; i++)
		if (CBPF_ANC_K(anc_table[i].off) == k)
			return &anc_table[i];
	return NULL;
}

const char *cbpf_anc_name(uint32_t k)
{
	const struct anc_entry *e = anc_lookup(k);

	return e ? e->name : NULL;
}

bool cbpf_anc_known(uint32_t k)
{
	return anc_lookup(k) != NULL;
}

int64_t cbpf_anc_by_name(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ANC_COUNT; i++) {
		const char *n = anc_table[i].name;

		if (n && strlen(n) == len && memcmp(n, name, len) == 0)
			return CBPF_ANC_K(anc_table[i].off);
	}
	return -1;
}

/* The kernel's chk_code_allowed(): exact codes, no spare bits. */
bool cbpf_code_allowed(uint16_t code)
{
	switch (code) {
	case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K: case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_MOD | BPF_K: case BPF_ALU | BPF_MOD | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K: case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_LD | BPF_W | BPF_ABS: case BPF_LD | BPF_H | BPF_ABS:
	case BPF_LD | BPF_B | BPF_ABS: case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LD | BPF_W | BPF_IND: case BPF_LD | BPF_H | BPF_IND:
	case BPF_LD | BPF_B | BPF_IND: case BPF_LD | BPF_IMM:
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_W | BPF_LEN: case BPF_LDX | BPF_B | BPF_MSH:
	case BPF_LDX | BPF_IMM: case BPF_LDX | BPF_MEM:
	case BPF_ST: case BPF_STX:
	case BPF_MISC | BPF_TAX: case BPF_MISC | BPF_TXA:
	case BPF_RET | BPF_K: case BPF_RET | BPF_A:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
		return true;
	default:
		return false;
	}
}

int cbpf_opcode_allowed(uint16_t code)
{
	return cbpf_code_allowed(code) ? 1 : 0;
}

bool cbpf_is_cond_jump(uint16_t code)
{
	if (BPF_CLASS(code) != BPF_JMP || (code & ~(BPF_CLASS(~0) | BPF_OP(~0) | BPF_SRC(~0))))
		return false;
	switch (BPF_OP(code)) {
	case BPF_JEQ: case BPF_JGT: case BPF_JGE: case BPF_JSET:
		return true;
	default:
		return false;
	}
}

void cbpf_diag_set(struct cbpf_diag *diag, int insn, const char *fmt, ...)
{
	va_list ap;

	if (!diag)
		return;
	diag->insn = insn;
	diag->line = 0;
	diag->col = 0;
	diag->len = 0;
	va_start(ap, fmt);
	vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
	va_end(ap);
}

void cbpf_free(void *p)
{
	free(p);
}
