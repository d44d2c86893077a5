/*
 * validate.c -- cbpf_validate(): the checks the Linux kernel runs when a
 * classic BPF program is attached, in the kernel's order, so that the first
 * rule reported broken is the one the kernel trips over.
 *
 * Socket filters (net/core/filter.c): bpf_check_basics_ok() (length 1..4096),
 * then bpf_check_classic(): per instruction in index order the exact opcode
 * table, division/modulo by constant 0, constant shifts >= 32, M[] indexes
 * >= 16, jumps past the end, unknown ancillary offsets; then the last
 * instruction must be a return; then check_load_and_stores(), the memvalid
 * walk.  Seccomp filters (kernel/seccomp.c) run all of that and then
 * seccomp_check_filter()'s opcode subset.
 *
 * The memvalid walk is reproduced as the kernel writes it, not as an exact
 * data-flow analysis: the state flows in instruction order, a ret does not
 * end it (the instruction after a ret starts from the state before the ret,
 * ANDed with the jumps into it), and instructions after a jump start from
 * "all stored" ANDed with the jumps into them.  So the kernel, and we,
 * reject some programs no path of which reads an unstored M[k].
 *
 * Not modelled: failures after the checks (out of memory, optmem charging,
 * an eBPF jump offset over 32767 when the converted program is very long).
 */
#include <errno.h>

#include "cbpf_int.h"

#define ALL_MEM 0xffffu

/* An opcode of the table that seccomp does not allow, as a mnemonic. */
static const char *seccomp_banned_name(uint16_t code)
{
	switch (code) {
	case BPF_LD | BPF_H | BPF_ABS: return "ldh [k]";
	case BPF_LD | BPF_B | BPF_ABS: return "ldb [k]";
	case BPF_LD | BPF_W | BPF_IND: return "ld [x + k]";
	case BPF_LD | BPF_H | BPF_IND: return "ldh [x + k]";
	case BPF_LD | BPF_B | BPF_IND: return "ldb [x + k]";
	case BPF_LDX | BPF_B | BPF_MSH: return "ldxb 4*([k]&0xf)";
	case BPF_ALU | BPF_MOD | BPF_K: return "mod #k";
	case BPF_ALU | BPF_MOD | BPF_X: return "mod x";
	default: return "?";
	}
}

static const char *class_name(uint16_t code)
{
	static const char *const names[] = {
		"ld", "ldx", "st", "stx", "alu", "jmp", "ret", "misc"
	};

	return names[BPF_CLASS(code)];
}

static int bad_opcode(uint16_t code, size_t pc, struct cbpf_diag *diag)
{
	if (code == (BPF_RET | BPF_X))
		cbpf_diag_set(diag, (int)pc, "opcode 0x%02x (ret x) is not allowed: "
			      "return a constant or A", code);
	else if (code > 0xff)
		cbpf_diag_set(diag, (int)pc, "opcode 0x%04x is not allowed: "
			      "bits above the low byte are set", code);
	else
		cbpf_diag_set(diag, (int)pc, "opcode 0x%02x is not allowed: "
			      "no such %s instruction", code, class_name(code));
	return -EINVAL;
}

static int past_end(size_t pc, const char *which, uint64_t target, size_t len,
		    struct cbpf_diag *diag)
{
	cbpf_diag_set(diag, (int)pc, "jump target %llu%s is past the end of the "
		      "program (%zu instructions)", (unsigned long long)target,
		      which, len);
	return -EINVAL;
}

static int check_ld_abs(const struct cbpf_insn *in, size_t pc, struct cbpf_diag *diag)
{
	if (in->k < (uint32_t)SKF_AD_OFF || cbpf_anc_known(in->k))
		return 0;
	cbpf_diag_set(diag, (int)pc, "unknown ancillary load offset SKF_AD_OFF + %u "
		      "(k = 0x%08x)", in->k - (uint32_t)SKF_AD_OFF, in->k);
	return -EINVAL;
}

static int check_cond_jump(const struct cbpf_insn *in, size_t pc, size_t len,
			   struct cbpf_diag *diag)
{
	if (pc + in->jt + 1 >= len)
		return past_end(pc, " (jt)", (uint64_t)pc + in->jt + 1, len, diag);
	if (pc + in->jf + 1 >= len)
		return past_end(pc, " (jf)", (uint64_t)pc + in->jf + 1, len, diag);
	return 0;
}

/* The switch of bpf_check_classic() for one instruction whose opcode is allowed. */
static int check_operands(const struct cbpf_insn *in, size_t pc, size_t len,
			  struct cbpf_diag *diag)
{
	switch (in->code) {
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_MOD | BPF_K:
		if (in->k != 0)
			return 0;
		cbpf_diag_set(diag, (int)pc, "%s by constant zero",
			      BPF_OP(in->code) == BPF_DIV ? "division" : "modulo");
		return -EINVAL;
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_K:
		if (in->k < 32)
			return 0;
		cbpf_diag_set(diag, (int)pc, "shift by constant %u: the count must "
			      "be below 32", in->k);
		return -EINVAL;
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
		if (in->k < CBPF_MEMWORDS)
			return 0;
		cbpf_diag_set(diag, (int)pc, "scratch memory index M[%u] is out of "
			      "range (M[0] to M[%d])", in->k, CBPF_MEMWORDS - 1);
		return -EINVAL;
	case BPF_JMP | BPF_JA:
		if (in->k < len - pc - 1)
			return 0;
		return past_end(pc, "", (uint64_t)pc + 1 + in->k, len, diag);
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_H | BPF_ABS:
	case BPF_LD | BPF_B | BPF_ABS:
		return check_ld_abs(in, pc, diag);
	default:
		return cbpf_is_cond_jump(in->code) ? check_cond_jump(in, pc, len, diag) : 0;
	}
}

/* check_load_and_stores(): the memvalid walk, as the kernel does it. */
static int check_mem_init(const struct cbpf_insn *insns, size_t len,
			  struct cbpf_diag *diag)
{
	uint16_t masks[CBPF_MAXINSNS];
	uint16_t memvalid = 0;
	size_t pc;

	for (pc = 0; pc < len; pc++)
		masks[pc] = ALL_MEM;
	for (pc = 0; pc < len; pc++) {
		const struct cbpf_insn *in = &insns[pc];

		memvalid &= masks[pc];
		switch (in->code) {
		case BPF_ST:
		case BPF_STX:
			memvalid |= (uint16_t)(1u << in->k);
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
			if (memvalid & (1u << in->k))
				break;
			cbpf_diag_set(diag, (int)pc, "M[%u] may be read before it is "
				      "stored", in->k);
			return -EINVAL;
		case BPF_JMP | BPF_JA:
			masks[pc + 1 + in->k] &= memvalid;
			memvalid = ALL_MEM;
			break;
		default:
			if (!cbpf_is_cond_jump(in->code))
				break;
			masks[pc + 1 + in->jt] &= memvalid;
			masks[pc + 1 + in->jf] &= memvalid;
			memvalid = ALL_MEM;
		}
	}
	return 0;
}

/* bpf_check_classic(). */
static int check_classic(const struct cbpf_insn *insns, size_t len,
			 struct cbpf_diag *diag)
{
	uint16_t last = insns[len - 1].code;
	size_t pc;
	int err;

	for (pc = 0; pc < len; pc++) {
		if (!cbpf_code_allowed(insns[pc].code))
			return bad_opcode(insns[pc].code, pc, diag);
		err = check_operands(&insns[pc], pc, len, diag);
		if (err)
			return err;
	}
	if (last != (BPF_RET | BPF_K) && last != (BPF_RET | BPF_A)) {
		cbpf_diag_set(diag, (int)len - 1, "the last instruction must be a "
			      "return (ret #k or ret a)");
		return -EINVAL;
	}
	return check_mem_init(insns, len, diag);
}

static int check_seccomp_abs(const struct cbpf_insn *in, size_t pc,
			     struct cbpf_diag *diag)
{
	if (in->k >= CBPF_SECCOMP_DATA_LEN) {
		cbpf_diag_set(diag, (int)pc, "seccomp: ld [%u] is outside struct "
			      "seccomp_data (%d bytes)", in->k, CBPF_SECCOMP_DATA_LEN);
		return -EINVAL;
	}
	if (in->k & 3) {
		cbpf_diag_set(diag, (int)pc, "seccomp: ld [%u] is not 4-byte aligned",
			      in->k);
		return -EINVAL;
	}
	return 0;
}

/* seccomp_check_filter(); runs on programs bpf_check_classic() accepted. */
static int check_seccomp(const struct cbpf_insn *insns, size_t len,
			 struct cbpf_diag *diag)
{
	size_t pc;
	int err;

	for (pc = 0; pc < len; pc++) {
		uint16_t code = insns[pc].code;

		if (code == (BPF_LD | BPF_W | BPF_ABS)) {
			err = check_seccomp_abs(&insns[pc], pc, diag);
			if (err)
				return err;
			continue;
		}
		if (BPF_CLASS(code) == BPF_LDX && BPF_MODE(code) == BPF_MSH)
			goto banned;
		if (BPF_CLASS(code) == BPF_LD &&
		    (BPF_MODE(code) == BPF_ABS || BPF_MODE(code) == BPF_IND))
			goto banned;
		if (BPF_CLASS(code) == BPF_ALU && BPF_OP(code) == BPF_MOD)
			goto banned;
	}
	return 0;
banned:
	cbpf_diag_set(diag, (int)pc, "seccomp: opcode 0x%02x (%s) is not allowed "
		      "in seccomp filters", insns[pc].code,
		      seccomp_banned_name(insns[pc].code));
	return -EINVAL;
}

int cbpf_validate(const struct cbpf_insn *insns, size_t len,
		  enum cbpf_flavor flavor, struct cbpf_diag *diag)
{
	int err;

	cbpf_diag_set(diag, -1, "%s", "");
	if (flavor != CBPF_FLAVOR_SOCKET && flavor != CBPF_FLAVOR_SECCOMP) {
		cbpf_diag_set(diag, -1, "unknown flavor %d", (int)flavor);
		return -EINVAL;
	}
	if (len == 0) {
		cbpf_diag_set(diag, -1, "the program is empty");
		return -EINVAL;
	}
	if (len > CBPF_MAXINSNS) {
		cbpf_diag_set(diag, -1, "the program has %zu instructions, more than "
			      "the kernel's limit of %d", len, CBPF_MAXINSNS);
		return -E2BIG;
	}
	if (!insns) {
		cbpf_diag_set(diag, -1, "no instructions given");
		return -EINVAL;
	}
	err = check_classic(insns, len, diag);
	if (err || flavor != CBPF_FLAVOR_SECCOMP)
		return err;
	return check_seccomp(insns, len, diag);
}
