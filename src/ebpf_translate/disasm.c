/*
 * disasm.c -- eBPF in the syntax of the kernel's verifier log and of
 * `bpftool prog dump xlated` (kernel/bpf/disasm.c):
 *     0: (bf) r6 = r1
 *     1: (61) r2 = *(u32 *)(r6 +76)
 *     2: (16) if w0 == 0x800 goto pc+3
 * 32-bit operations name their registers w0..w10; immediates of ALU
 * instructions are decimal, of jumps hexadecimal; offsets are signed.
 * Keeps true: one line per instruction, unknown opcodes printed raw.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebt_int.h"

struct buf {
	char *s;
	size_t len, cap;
	int err;
};

__attribute__((format(printf, 2, 3)))
static void bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	if (b->err)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)(n > 0 ? n : 0) + 256;
		p = realloc(b->s, b->cap);

		if (!p) {
			b->err = -ENOMEM;
			return;
		}
		b->s = p;
	}
}

static const char *const alu_ops[16] = {
	"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=",
	"endian", "?", "?",
};

static const char *const jmp_ops[16] = {
	"jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<",
	"s<=", "?", "?",
};

static const char *size_name(int code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return "u8";
	case BPF_H: return "u16";
	case BPF_W: return "u32";
	default: return "u64";
	}
}

static const char *helper_name(int id)
{
	switch (id) {
	case BPF_FUNC_get_prandom_u32: return "bpf_get_prandom_u32";
	case BPF_FUNC_get_smp_processor_id: return "bpf_get_smp_processor_id";
	case BPF_FUNC_skb_load_bytes: return "bpf_skb_load_bytes";
	case BPF_FUNC_skb_pull_data: return "bpf_skb_pull_data";
	case BPF_FUNC_xdp_get_buff_len: return "bpf_xdp_get_buff_len";
	case BPF_FUNC_ringbuf_output: return "bpf_ringbuf_output";
	default: return "unknown";
	}
}

static void alu(struct buf *b, const struct bpf_insn *i)
{
	char r = BPF_CLASS(i->code) == BPF_ALU64 ? 'r' : 'w';
	int op = BPF_OP(i->code) >> 4;

	if (BPF_OP(i->code) == BPF_END) {
		bprintf(b, "(%02x) r%d = %s%d r%d\n", i->code,
			i->dst_reg, BPF_SRC(i->code) == BPF_TO_BE ? "be" : "le", i->imm, i->dst_reg);
	} else if (BPF_OP(i->code) == BPF_NEG) {
		bprintf(b, "(%02x) %c%d = -%c%d\n", i->code, r, i->dst_reg, r, i->dst_reg);
	} else if (BPF_SRC(i->code) == BPF_X) {
		bprintf(b, "(%02x) %c%d %s %c%d\n", i->code, r, i->dst_reg, alu_ops[op], r,
			i->src_reg);
	} else {
		bprintf(b, "(%02x) %c%d %s %d\n", i->code, r, i->dst_reg, alu_ops[op], i->imm);
	}
}

static void jmp(struct buf *b, const struct bpf_insn *i)
{
	char r = BPF_CLASS(i->code) == BPF_JMP32 ? 'w' : 'r';
	int op = BPF_OP(i->code);

	if (op == BPF_JA)
		bprintf(b, "(%02x) goto pc%+d\n", i->code, i->off);
	else if (op == BPF_EXIT)
		bprintf(b, "(%02x) exit\n", i->code);
	else if (op == BPF_CALL && i->src_reg == BPF_PSEUDO_KFUNC_CALL)
		bprintf(b, "(%02x) call kernel-function#%d\n", i->code, i->imm);	/* as the kernel's */
	else if (op == BPF_CALL)
		bprintf(b, "(%02x) call %s#%d\n", i->code, helper_name(i->imm), i->imm);
	else if (BPF_SRC(i->code) == BPF_X)
		bprintf(b, "(%02x) if %c%d %s %c%d goto pc%+d\n", i->code, r, i->dst_reg,
			jmp_ops[op >> 4], r, i->src_reg, i->off);
	else
		bprintf(b, "(%02x) if %c%d %s 0x%x goto pc%+d\n", i->code, r, i->dst_reg,
			jmp_ops[op >> 4], (unsigned)i->imm, i->off);
}

static void mem(struct buf *b, const struct bpf_insn *i)
{
	switch (BPF_CLASS(i->code)) {
	case BPF_LDX:
		bprintf(b, "(%02x) r%d = *(%s *)(r%d %+d)\n", i->code, i->dst_reg,
			size_name(i->code), i->src_reg, i->off);
		break;
	case BPF_STX:
		bprintf(b, "(%02x) *(%s *)(r%d %+d) = r%d\n", i->code, size_name(i->code),
			i->dst_reg, i->off, i->src_reg);
		break;
	case BPF_ST:
		bprintf(b, "(%02x) *(%s *)(r%d %+d) = %d\n", i->code, size_name(i->code),
			i->dst_reg, i->off, i->imm);
		break;
	default:	/* BPF_LD: LD_ABS, LD_IND */
		if (BPF_MODE(i->code) == BPF_ABS)
			bprintf(b, "(%02x) r0 = *(%s *)skb[%d]\n", i->code, size_name(i->code), i->imm);
		else if (BPF_MODE(i->code) == BPF_IND)
			bprintf(b, "(%02x) r0 = *(%s *)skb[r%d + %d]\n", i->code,
				size_name(i->code), i->src_reg, i->imm);
		else
			bprintf(b, "(%02x) BUG_ld_%02x\n", i->code, i->code);
	}
}

int ebt_disasm(const struct ebt_insn *api, size_t n, char **out)
{
	const struct bpf_insn *insns = (const struct bpf_insn *)api;
	struct buf b = { NULL, 0, 0, 0 };
	size_t k;

	b.cap = 256 + n * 48;
	b.s = malloc(b.cap);
	if (!b.s)
		return -ENOMEM;
	b.s[0] = '\0';
	for (k = 0; k < n && !b.err; k++) {
		const struct bpf_insn *i = &insns[k];

		bprintf(&b, "%4zu: ", k);
		switch (BPF_CLASS(i->code)) {
		case BPF_ALU:
		case BPF_ALU64:
			alu(&b, i);
			break;
		case BPF_JMP:
		case BPF_JMP32:
			jmp(&b, i);
			break;
		default:
			mem(&b, i);
			break;
		}
	}
	if (b.err) {
		free(b.s);
		return b.err;
	}
	*out = b.s;
	return 0;
}
