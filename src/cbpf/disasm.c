/*
 * disasm.c -- the disassembler: a cBPF program as tcpdump's -d, -dd and -ddd
 * listings, or as bpf_asm source.
 *
 * The -d/-dd/-ddd text is byte for byte what libpcap 1.10's bpf_image() and
 * bpf_dump() print (tcpdump 4.99), Linux ancillary names ("[vlan_tci]") and
 * unknown opcodes ("unimp 0x...") included; it never fails on odd input.
 *
 * The bpf_asm text is read back to the same instructions by the kernel's
 * bpf_asm, by netsniff-ng's bpfc and by cbpf_asm().  Its layout:
 *
 *	; 5 instructions
 *		ldh	[12]
 *		jne	#0x800, L4
 *		ldb	[23]
 *		ret	#262144
 *	L4:
 *		ret	#0
 *
 * - a ';' comment line first, then one instruction per line: a tab, the
 *   mnemonic, and when there is an operand a tab and the operand;
 * - a jump target is named "L<pc>" (its index, as in tcpdump -d) on a line of
 *   its own before the instruction; only targets get labels;
 * - a conditional jump leaves out a branch that falls through (offset 0) by
 *   picking jeq/jne, jgt/jle or jge/jlt; jset, which has no negation, names
 *   both targets unless its false branch falls through;
 * - numbers are hex where tcpdump prints hex (ld/ldx immediates, jump
 *   constants, and/or/xor) and decimal elsewhere, hex again above INT32_MAX;
 *   spaces stay around '+' in "[x + k]" (bpf_asm would read "+5" as a number);
 * - ancillary loads use a name ("ld #proto") only when both bpf_asm and
 *   bpfc 0.6.8 know it; vlan_avail, rand, vlan_tpid and the unnamed xor_x
 *   print as the numeric load ("ld [0xfffff030]").
 * Like tcpdump -d, the text leaves out fields an instruction ignores (k of
 * tax or ret a, jt/jf outside conditional jumps), so those read back as 0.
 * An opcode with no bpf_asm spelling, or a branch leaving the program, fails
 * the whole ASM rendering with -EINVAL.
 *
 * Every rendering grows one buffer (doubling), so it is linear in the
 * program's length.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbpf_int.h"

/* ---- opcode table ------------------------------------------------------- */

/* How an instruction's operand is spelled. */
enum opd {
	OPD_NONE,	/* tax, txa, neg */
	OPD_A,		/* ret a ("ret" alone in -d) */
	OPD_X,		/* add x, jeq x, ret x */
	OPD_DEC,	/* #k, decimal in -d */
	OPD_HEX,	/* #0xk */
	OPD_ABS,	/* [k] or an ancillary name */
	OPD_IND,	/* [x + k] */
	OPD_MSH,	/* 4*([k]&0xf) */
	OPD_MEM,	/* M[k] */
	OPD_LEN,	/* #pktlen in -d, #len in bpf_asm */
	OPD_JA		/* the target pc */
};

struct op_desc {
	const char *mn;		/* NULL: unknown opcode */
	unsigned char opd;	/* enum opd */
	bool asm_only;		/* bpf_asm spells it, libpcap's bpf_image does not */
};

#define ALU_OPS(op, name, kfmt)						\
	[BPF_ALU | (op) | BPF_K] = { name, kfmt, false },		\
	[BPF_ALU | (op) | BPF_X] = { name, OPD_X, false }
#define JMP_OPS(op, name)						\
	[BPF_JMP | (op) | BPF_K] = { name, OPD_HEX, false },		\
	[BPF_JMP | (op) | BPF_X] = { name, OPD_X, false }

/* Every code either libpcap or bpf_asm knows; all are below 0x100. */
static const struct op_desc op_table[256] = {
	[BPF_RET | BPF_K] = { "ret", OPD_DEC, false },
	[BPF_RET | BPF_A] = { "ret", OPD_A, false },
	[BPF_RET | BPF_X] = { "ret", OPD_X, true },
	[BPF_LD | BPF_W | BPF_ABS] = { "ld", OPD_ABS, false },
	[BPF_LD | BPF_H | BPF_ABS] = { "ldh", OPD_ABS, false },
	[BPF_LD | BPF_B | BPF_ABS] = { "ldb", OPD_ABS, false },
	[BPF_LD | BPF_W | BPF_LEN] = { "ld", OPD_LEN, false },
	[BPF_LDX | BPF_W | BPF_LEN] = { "ldx", OPD_LEN, true },
	[BPF_LD | BPF_W | BPF_IND] = { "ld", OPD_IND, false },
	[BPF_LD | BPF_H | BPF_IND] = { "ldh", OPD_IND, false },
	[BPF_LD | BPF_B | BPF_IND] = { "ldb", OPD_IND, false },
	[BPF_LD | BPF_IMM] = { "ld", OPD_HEX, false },
	[BPF_LDX | BPF_IMM] = { "ldx", OPD_HEX, false },
	[BPF_LDX | BPF_MSH | BPF_B] = { "ldxb", OPD_MSH, false },
	[BPF_LD | BPF_MEM] = { "ld", OPD_MEM, false },
	[BPF_LDX | BPF_MEM] = { "ldx", OPD_MEM, false },
	[BPF_ST] = { "st", OPD_MEM, false },
	[BPF_STX] = { "stx", OPD_MEM, false },
	[BPF_JMP | BPF_JA] = { "ja", OPD_JA, false },
	JMP_OPS(BPF_JGT, "jgt"),
	JMP_OPS(BPF_JGE, "jge"),
	JMP_OPS(BPF_JEQ, "jeq"),
	JMP_OPS(BPF_JSET, "jset"),
	ALU_OPS(BPF_ADD, "add", OPD_DEC),
	ALU_OPS(BPF_SUB, "sub", OPD_DEC),
	ALU_OPS(BPF_MUL, "mul", OPD_DEC),
	ALU_OPS(BPF_DIV, "div", OPD_DEC),
	ALU_OPS(BPF_MOD, "mod", OPD_DEC),
	ALU_OPS(BPF_AND, "and", OPD_HEX),
	ALU_OPS(BPF_OR, "or", OPD_HEX),
	ALU_OPS(BPF_XOR, "xor", OPD_HEX),
	ALU_OPS(BPF_LSH, "lsh", OPD_DEC),
	ALU_OPS(BPF_RSH, "rsh", OPD_DEC),
	[BPF_ALU | BPF_NEG] = { "neg", OPD_NONE, false },
	[BPF_MISC | BPF_TAX] = { "tax", OPD_NONE, false },
	[BPF_MISC | BPF_TXA] = { "txa", OPD_NONE, false },
};

/* The entry for code; with for_asm false, only what bpf_image() knows. */
static const struct op_desc *op_find(uint16_t code, bool for_asm)
{
	const struct op_desc *d;

	if (code >= sizeof(op_table) / sizeof(op_table[0]))
		return NULL;
	d = &op_table[code];
	if (!d->mn || (d->asm_only && !for_asm))
		return NULL;
	return d;
}

static bool is_cond_layout(uint16_t code)
{
	/* bpf_image's test, which unknown JMP-class codes pass too. */
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

/* ---- tcpdump -d: bpf_image() -------------------------------------------- */

/*
 * libpcap's own names for the ancillary offsets (bpf_image.c's offsets[],
 * sized by the SKF_AD_MAX of its build: 64); they differ from bpf_asm's.
 */
static const char *const pcap_anc_names[64 / 4] = {
	[SKF_AD_PROTOCOL / 4] = "proto",
	[SKF_AD_PKTTYPE / 4] = "type",
	[SKF_AD_IFINDEX / 4] = "ifidx",
	[SKF_AD_NLATTR / 4] = "nla",
	[SKF_AD_NLATTR_NEST / 4] = "nlan",
	[SKF_AD_MARK / 4] = "mark",
	[SKF_AD_QUEUE / 4] = "queue",
	[SKF_AD_HATYPE / 4] = "hatype",
	[SKF_AD_RXHASH / 4] = "rxhash",
	[SKF_AD_CPU / 4] = "cpu",
	[SKF_AD_ALU_XOR_X / 4] = "xor_x",
	[SKF_AD_VLAN_TAG / 4] = "vlan_tci",
	[SKF_AD_VLAN_TAG_PRESENT / 4] = "vlanp",
	[SKF_AD_PAY_OFFSET / 4] = "poff",
	[SKF_AD_RANDOM / 4] = "random",
	[SKF_AD_VLAN_TPID / 4] = "vlan_tpid",
};

static const char *pcap_anc_name(uint32_t k)
{
	uint32_t off = k - (uint32_t)SKF_AD_OFF;

	if (k < (uint32_t)SKF_AD_OFF || off >= 64 || off % 4)
		return NULL;
	return pcap_anc_names[off / 4];
}

/* The operand as bpf_image() prints it; n is the pc as libpcap's int. */
static void pcap_operand(const struct cbpf_insn *in, const struct op_desc *d,
			 uint32_t n, char *buf, size_t size)
{
	int32_t sk = (int32_t)in->k;
	const char *name;

	if (!d) {
		snprintf(buf, size, "0x%x", in->code);
		return;
	}
	switch (d->opd) {
	case OPD_X:
		snprintf(buf, size, "x");
		break;
	case OPD_DEC:
		snprintf(buf, size, "#%d", sk);
		break;
	case OPD_HEX:
		snprintf(buf, size, "#0x%x", in->k);
		break;
	case OPD_ABS:
		name = pcap_anc_name(in->k);
		if (name)
			snprintf(buf, size, "[%s]", name);
		else
			snprintf(buf, size, "[%d]", sk);
		break;
	case OPD_IND:
		snprintf(buf, size, "[x + %d]", sk);
		break;
	case OPD_MSH:
		snprintf(buf, size, "4*([%d]&0xf)", sk);
		break;
	case OPD_MEM:
		snprintf(buf, size, "M[%d]", sk);
		break;
	case OPD_LEN:
		snprintf(buf, size, "#pktlen");
		break;
	case OPD_JA:
		snprintf(buf, size, "%d", (int32_t)(n + 1 + in->k));
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

int cbpf_insn_image(const struct cbpf_insn *insn, size_t pc, char *buf,
		    size_t size)
{
	const struct op_desc *d;
	char operand[64];
	uint32_t n = (uint32_t)pc;	/* libpcap keeps the pc in an int */

	if (!insn || (!buf && size))
		return -EINVAL;
	d = op_find(insn->code, false);
	pcap_operand(insn, d, n, operand, sizeof(operand));
	if (is_cond_layout(insn->code))
		return snprintf(buf, size, "(%03d) %-8s %-16s jt %d\tjf %d",
				(int32_t)n, d ? d->mn : "unimp", operand,
				(int32_t)(n + 1 + insn->jt),
				(int32_t)(n + 1 + insn->jf));
	return snprintf(buf, size, "(%03d) %-8s %s", (int32_t)n,
			d ? d->mn : "unimp", operand);
}

/* ---- the growing output buffer ------------------------------------------ */

struct sbuf {
	char *p;
	size_t len;
	size_t cap;
	int err;	/* first error, sticky */
};

static int sb_reserve(struct sbuf *sb, size_t more)
{
	size_t cap = sb->cap ? sb->cap : 256;
	char *p;

	if (sb->err)
		return sb->err;
	if (sb->len + more < sb->cap)
		return 0;
	while (cap <= sb->len + more) {
		if (cap > SIZE_MAX / 2)
			return sb->err = -ENOMEM;
		cap *= 2;
	}
	p = realloc(sb->p, cap);
	if (!p)
		return sb->err = -ENOMEM;
	sb->p = p;
	sb->cap = cap;
	return 0;
}

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb_reserve(sb, 64))
		return;
	va_start(ap, fmt);
	n = vsnprintf(sb->p + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->err = -EINVAL;
		return;
	}
	if ((size_t)n >= sb->cap - sb->len) {
		if (sb_reserve(sb, (size_t)n + 1))
			return;
		va_start(ap, fmt);
		vsnprintf(sb->p + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
	}
	sb->len += (size_t)n;
}

/* ---- tcpdump -d, -dd, -ddd: bpf_dump() ---------------------------------- */

static void dump_d(struct sbuf *sb, const struct cbpf_insn *insns, size_t len)
{
	size_t i;
	int n;

	for (i = 0; i < len && !sb->err; i++) {
		if (sb_reserve(sb, 160))
			return;
		n = cbpf_insn_image(&insns[i], i, sb->p + sb->len, sb->cap - sb->len);
		if (n < 0 || (size_t)n + 1 >= sb->cap - sb->len) {
			sb->err = -EINVAL;	/* cannot happen: lines are short */
			return;
		}
		sb->len += (size_t)n;
		sb->p[sb->len++] = '\n';
		sb->p[sb->len] = '\0';
	}
}

static void dump_dd(struct sbuf *sb, const struct cbpf_insn *insns, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		sb_printf(sb, "{ 0x%x, %d, %d, 0x%08x },\n", insns[i].code,
			  insns[i].jt, insns[i].jf, insns[i].k);
}

static void dump_ddd(struct sbuf *sb, const struct cbpf_insn *insns, size_t len)
{
	size_t i;

	sb_printf(sb, "%d\n", (int)len);
	for (i = 0; i < len; i++)
		sb_printf(sb, "%u %u %u %u\n", insns[i].code, insns[i].jt,
			  insns[i].jf, insns[i].k);
}

/* ---- bpf_asm ------------------------------------------------------------ */

/* The branches of a conditional jump as written: mn opnd, Lt[, Lf]. */
struct asm_jump {
	const char *mn;
	size_t t;
	size_t f;
	bool has_f;
};

/* The mnemonic that swaps a jump's branches, so jt == 0 can be left out. */
static const char *cond_negation(uint16_t code)
{
	switch (BPF_OP(code)) {
	case BPF_JEQ:
		return "jne";
	case BPF_JGT:
		return "jle";
	case BPF_JGE:
		return "jlt";
	default:
		return NULL;	/* jset */
	}
}

static struct asm_jump asm_jump_form(const struct cbpf_insn *in,
				     const struct op_desc *d, size_t pc)
{
	struct asm_jump j = { d->mn, pc + 1 + in->jt, pc + 1 + in->jf, false };
	const char *neg = cond_negation(in->code);

	if (in->jf == 0)
		return j;
	if (in->jt == 0 && neg) {
		j.mn = neg;
		j.t = j.f;
		return j;
	}
	j.has_f = true;
	return j;
}

/* bpf_asm's ancillary name for k, if bpfc reads it as well. */
static const char *asm_anc_name(uint32_t k)
{
	if (k == CBPF_ANC_K(SKF_AD_VLAN_TAG_PRESENT) ||	/* bpfc: vlanp */
	    k == CBPF_ANC_K(SKF_AD_RANDOM) || k == CBPF_ANC_K(SKF_AD_VLAN_TPID))
		return NULL;
	return cbpf_anc_name(k);
}

/* A number as bpf_asm and bpfc both read it back. */
static void asm_num(struct sbuf *sb, const char *pre, uint32_t k, const char *post)
{
	if (k <= INT32_MAX)
		sb_printf(sb, "%s%u%s", pre, k, post);
	else
		sb_printf(sb, "%s0x%x%s", pre, k, post);
}

static void asm_operand(struct sbuf *sb, const struct cbpf_insn *in,
			const struct op_desc *d, size_t pc)
{
	const char *name;

	switch (d->opd) {
	case OPD_A:
		sb_printf(sb, "\ta");
		break;
	case OPD_X:
		sb_printf(sb, "\tx");
		break;
	case OPD_DEC:
		asm_num(sb, "\t#", in->k, "");
		break;
	case OPD_HEX:
		sb_printf(sb, "\t#0x%x", in->k);
		break;
	case OPD_ABS:
		name = asm_anc_name(in->k);
		if (name)
			sb_printf(sb, "\t#%s", name);
		else
			asm_num(sb, "\t[", in->k, "]");
		break;
	case OPD_IND:
		asm_num(sb, "\t[x + ", in->k, "]");
		break;
	case OPD_MSH:
		asm_num(sb, "\t4*([", in->k, "]&0xf)");
		break;
	case OPD_MEM:
		asm_num(sb, "\tM[", in->k, "]");
		break;
	case OPD_LEN:
		sb_printf(sb, "\t#len");
		break;
	case OPD_JA:
		sb_printf(sb, "\tL%zu", pc + 1 + (size_t)in->k);
		break;
	default:
		break;
	}
}

static void asm_insn(struct sbuf *sb, const struct cbpf_insn *in, size_t pc)
{
	const struct op_desc *d = op_find(in->code, true);
	struct asm_jump j;

	if (!cbpf_is_cond_jump(in->code)) {
		sb_printf(sb, "\t%s", d->mn);
		asm_operand(sb, in, d, pc);
		sb_printf(sb, "\n");
		return;
	}
	j = asm_jump_form(in, d, pc);
	sb_printf(sb, "\t%s", j.mn);
	asm_operand(sb, in, d, pc);
	sb_printf(sb, ", L%zu", j.t);
	if (j.has_f)
		sb_printf(sb, ", L%zu", j.f);
	sb_printf(sb, "\n");
}

/*
 * Check that every instruction has a spelling and every branch lands in the
 * program; mark the instructions that need a label.
 */
static int asm_mark_targets(const struct cbpf_insn *insns, size_t len,
			    bool *label)
{
	size_t i;

	for (i = 0; i < len; i++) {
		const struct cbpf_insn *in = &insns[i];
		const struct op_desc *d = op_find(in->code, true);
		struct asm_jump j;

		if (!d)
			return -EINVAL;
		if (d->opd == OPD_JA) {
			if ((uint64_t)in->k >= len - i - 1)
				return -EINVAL;
			label[i + 1 + in->k] = true;
		} else if (cbpf_is_cond_jump(in->code)) {
			if (i + 1 + in->jt >= len || i + 1 + in->jf >= len)
				return -EINVAL;
			j = asm_jump_form(in, d, i);
			label[j.t] = true;
			if (j.has_f)
				label[j.f] = true;
		}
	}
	return 0;
}

static void dump_asm(struct sbuf *sb, const struct cbpf_insn *insns,
		     size_t len, const bool *label)
{
	size_t i;

	sb_printf(sb, "; %zu instruction%s\n", len, len == 1 ? "" : "s");
	for (i = 0; i < len && !sb->err; i++) {
		if (label[i])
			sb_printf(sb, "L%zu:\n", i);
		asm_insn(sb, &insns[i], i);
	}
}

static int disasm_asm(struct sbuf *sb, const struct cbpf_insn *insns, size_t len)
{
	bool *label = calloc(len ? len : 1, sizeof(*label));
	int err;

	if (!label)
		return -ENOMEM;
	err = asm_mark_targets(insns, len, label);
	if (!err)
		dump_asm(sb, insns, len, label);
	free(label);
	return err ? err : sb->err;
}

int cbpf_disasm(const struct cbpf_insn *insns, size_t len,
		enum cbpf_format fmt, char **out)
{
	struct sbuf sb = { NULL, 0, 0, 0 };
	int err = 0;

	if (!out || (!insns && len))
		return -EINVAL;
	*out = NULL;
	/* A first guess at the size; the buffer still grows as needed. */
	if (sb_reserve(&sb, (len < CBPF_MAXINSNS ? len : CBPF_MAXINSNS) * 40))
		return sb.err;
	sb.p[0] = '\0';
	switch (fmt) {
	case CBPF_FORMAT_D:
		dump_d(&sb, insns, len);
		break;
	case CBPF_FORMAT_DD:
		dump_dd(&sb, insns, len);
		break;
	case CBPF_FORMAT_DDD:
		dump_ddd(&sb, insns, len);
		break;
	case CBPF_FORMAT_ASM:
		err = disasm_asm(&sb, insns, len);
		break;
	default:
		err = -EINVAL;
		break;
	}
	if (!err)
		err = sb.err;
	if (err) {
		free(sb.p);
		return err;
	}
	*out = sb.p;
	return 0;
}
