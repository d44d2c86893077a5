/*
 * validate_t.c -- unit tests of cbpf_validate(): one or more programs per
 * kernel rule, in both flavors, checking the return value, the instruction
 * the diagnostic names and the rule in its message; accepted boundary cases;
 * which rule wins when several are broken (the kernel's order); and the
 * random generator's promises (RP_VALID programs pass, unrestricted ones
 * fail about half the time).
 */
#include <errno.h>
#include <stdlib.h>

#include "cbpf.h"
#include "randprog.h"
#include "tap.h"

#define SOCK CBPF_FLAVOR_SOCKET
#define SECC CBPF_FLAVOR_SECCOMP
#define I(c, t, f, k) ((struct cbpf_insn){ (c), (t), (f), (k) })
#define RET_A I(BPF_RET | BPF_A, 0, 0, 0)
#define RET_K(k) I(BPF_RET | BPF_K, 0, 0, (k))
#define N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * One TAP line: validating p gives want, names insn and says msg (a
 * substring; NULL on success, when the message must be empty).
 */
static void expect(const char *name, const struct cbpf_insn *p, size_t len,
		   enum cbpf_flavor fl, int want, int insn, const char *msg)
{
	struct cbpf_diag d;
	int rc = cbpf_validate(p, len, fl, &d);
	int ok = rc == want && d.insn == insn &&
		 (msg ? strstr(d.msg, msg) != NULL : d.msg[0] == '\0');

	if (!tap_ok(ok, "%s %s", fl == SECC ? "seccomp:" : "socket:", name))
		tap_diag("  got %d, insn %d, '%s'; want %d, insn %d, '%s'", rc,
			 d.insn, d.msg, want, insn, msg ? msg : "");
}

#define REJECT(name, fl, insn, msg, ...) do {				\
	const struct cbpf_insn p_[] = { __VA_ARGS__ };			\
	expect(name, p_, N(p_), fl, -EINVAL, insn, msg);		\
} while (0)

#define ACCEPT(name, fl, ...) do {					\
	const struct cbpf_insn p_[] = { __VA_ARGS__ };			\
	expect(name, p_, N(p_), fl, 0, -1, NULL);			\
} while (0)

/* Both flavors reject the same way. */
#define REJECT2(name, insn, msg, ...) do {				\
	REJECT(name, SOCK, insn, msg, __VA_ARGS__);			\
	REJECT(name, SECC, insn, msg, __VA_ARGS__);			\
} while (0)

#define ACCEPT2(name, ...) do {						\
	ACCEPT(name, SOCK, __VA_ARGS__);				\
	ACCEPT(name, SECC, __VA_ARGS__);				\
} while (0)

static void test_length(void)
{
	struct cbpf_insn *big = calloc(CBPF_MAXINSNS + 1, sizeof(*big));
	struct cbpf_insn one = RET_K(0);
	size_t i;

	expect("empty program", &one, 0, SOCK, -EINVAL, -1, "empty");
	expect("empty program", &one, 0, SECC, -EINVAL, -1, "empty");
	expect("NULL instructions", NULL, 1, SOCK, -EINVAL, -1, "no instructions");
	expect("unknown flavor", &one, 1, (enum cbpf_flavor)7, -EINVAL, -1, "flavor");
	if (!big) {
		tap_skip("out of memory for the 4096-instruction cases");
		return;
	}
	for (i = 0; i <= CBPF_MAXINSNS; i++)
		big[i] = RET_K((uint32_t)i);
	expect("4096 instructions", big, CBPF_MAXINSNS, SOCK, 0, -1, NULL);
	expect("4096 instructions", big, CBPF_MAXINSNS, SECC, 0, -1, NULL);
	expect("4097 instructions", big, CBPF_MAXINSNS + 1, SOCK, -E2BIG, -1, "4096");
	expect("4097 instructions", big, CBPF_MAXINSNS + 1, SECC, -E2BIG, -1, "4096");
	/* Over the limit wins over anything else being wrong. */
	big[0] = I(BPF_RET | BPF_X, 0, 0, 0);
	expect("4097 with a bad opcode", big, CBPF_MAXINSNS + 1, SOCK, -E2BIG, -1, "limit");
	/* A ja to the last of 4096 instructions. */
	big[0] = I(BPF_JMP | BPF_JA, 0, 0, CBPF_MAXINSNS - 2);
	expect("ja over 4094 to the last insn", big, CBPF_MAXINSNS, SOCK, 0, -1, NULL);
	big[0].k++;
	expect("ja one further", big, CBPF_MAXINSNS, SOCK, -EINVAL, 0,
	       "jump target 4096 is past the end of the program (4096 instructions)");
	free(big);
}

static void test_opcodes(void)
{
	REJECT2("ret x (0x0e)", 0, "opcode 0x0e (ret x) is not allowed", I(BPF_RET | BPF_X, 0, 0, 0));
	REJECT2("ret 0x1e", 1, "opcode 0x1e is not allowed", RET_A, I(BPF_RET | 0x18, 0, 0, 0));
	REJECT2("code above the low byte", 0, "opcode 0x8006 is not allowed: bits above",
		I(0x8006, 0, 0, 0));
	REJECT2("neg with the X bit (0x8c)", 0, "opcode 0x8c is not allowed: no such alu",
		I(BPF_ALU | BPF_NEG | BPF_X, 0, 0, 0), RET_A);
	REJECT2("ldx abs (0x21)", 0, "opcode 0x21 is not allowed: no such ldx",
		I(BPF_LDX | BPF_W | BPF_ABS, 0, 0, 0), RET_A);
	REJECT2("st with a size (0x0a)", 0, "no such st instruction",
		I(BPF_ST | BPF_H, 0, 0, 0), RET_A);
	REJECT2("ja with the X bit (0x0d)", 0, "no such jmp instruction",
		I(BPF_JMP | BPF_JA | BPF_X, 0, 0, 0), RET_A);
	REJECT2("txa with a spare bit (0x8f)", 0, "no such misc instruction",
		I(BPF_MISC | BPF_TXA | 0x08, 0, 0, 0), RET_A);
	REJECT2("ld dw abs (0x38)", 0, "no such ld instruction",
		I(BPF_LD | 0x18 | BPF_ABS, 0, 0, 0), RET_A);
	REJECT2("first bad opcode wins", 1, "opcode 0x47 is not allowed: no such misc",
		RET_A, I(BPF_MISC | 0x40, 0, 0, 0), I(BPF_RET | BPF_X, 0, 0, 0));
}

static void test_alu(void)
{
	REJECT2("div #0", 0, "division by constant zero",
		I(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0), RET_A);
	REJECT("mod #0", SOCK, 1, "modulo by constant zero",
	       I(BPF_LD | BPF_IMM, 0, 0, 7), I(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 0), RET_A);
	ACCEPT2("div x, k 0 (checked at run time)", I(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0), RET_A);
	ACCEPT("mod x", SOCK, I(BPF_ALU | BPF_MOD | BPF_X, 0, 0, 0), RET_A);
	ACCEPT2("div #1", I(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 1), RET_A);
	REJECT2("lsh #32", 0, "shift by constant 32",
		I(BPF_ALU | BPF_LSH | BPF_K, 0, 0, 32), RET_A);
	REJECT2("rsh #0xffffffff", 0, "shift by constant 4294967295",
		I(BPF_ALU | BPF_RSH | BPF_K, 0, 0, 0xffffffff), RET_A);
	ACCEPT2("lsh #31, rsh #31",
		I(BPF_ALU | BPF_LSH | BPF_K, 0, 0, 31), I(BPF_ALU | BPF_RSH | BPF_K, 0, 0, 31), RET_A);
	ACCEPT2("lsh x with k 99 (checked at run time)", I(BPF_ALU | BPF_LSH | BPF_X, 0, 0, 99), RET_A);
	ACCEPT2("add #0xffffffff, neg, and, or, xor",
		I(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 0xffffffff), I(BPF_ALU | BPF_NEG, 0, 0, 0),
		I(BPF_ALU | BPF_AND | BPF_X, 0, 0, 0), I(BPF_ALU | BPF_OR | BPF_K, 0, 0, 1),
		I(BPF_ALU | BPF_XOR | BPF_X, 0, 0, 0), RET_A);
}

static void test_mem_index(void)
{
	REJECT2("ld M[16]", 0, "M[16] is out of range", I(BPF_LD | BPF_MEM, 0, 0, 16), RET_A);
	REJECT2("ldx M[16]", 0, "M[16] is out of range", I(BPF_LDX | BPF_MEM, 0, 0, 16), RET_A);
	REJECT2("st M[16]", 0, "M[16] is out of range", I(BPF_ST, 0, 0, 16), RET_A);
	REJECT2("stx M[0xffffffff]", 0, "M[4294967295] is out of range",
		I(BPF_STX, 0, 0, 0xffffffff), RET_A);
	ACCEPT2("st M[15], ld M[15]", I(BPF_ST, 0, 0, 15), I(BPF_LD | BPF_MEM, 0, 0, 15), RET_A);
	ACCEPT2("stx M[0], ldx M[0]", I(BPF_STX, 0, 0, 0), I(BPF_LDX | BPF_MEM, 0, 0, 0), RET_A);
}

static void test_jumps(void)
{
	ACCEPT2("ja to the last insn", I(BPF_JMP | BPF_JA, 0, 0, 1), RET_K(1), RET_K(2));
	REJECT2("ja one past the end", 0,
		"jump target 3 is past the end of the program (3 instructions)",
		I(BPF_JMP | BPF_JA, 0, 0, 2), RET_K(1), RET_K(2));
	REJECT2("ja 0xffffffff", 0, "jump target 4294967296 is past the end",
		I(BPF_JMP | BPF_JA, 0, 0, 0xffffffff), RET_A);
	/* bpf_check_classic checks the ja before it looks at the last insn. */
	REJECT2("ja 0 as the last insn", 1, "jump target 2 is past the end",
		I(BPF_LD | BPF_IMM, 0, 0, 0), I(BPF_JMP | BPF_JA, 0, 0, 0));
	ACCEPT2("jeq, both targets the last insn",
		I(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 0), RET_K(1), RET_K(2));
	ACCEPT2("jgt, jt 0 jf 0", I(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 0), RET_K(1));
	REJECT2("jeq jt past the end", 0,
		"jump target 3 (jt) is past the end of the program (3 instructions)",
		I(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 0), RET_K(1), RET_K(2));
	REJECT2("jset jf past the end", 0, "jump target 256 (jf) is past the end",
		I(BPF_JMP | BPF_JSET | BPF_X, 0, 255, 0), RET_K(1), RET_K(2));
	REJECT2("jge as the last insn", 1, "jump target 2 (jt) is past the end",
		RET_A, I(BPF_JMP | BPF_JGE | BPF_K, 0, 0, 0));
}

static void test_ancillary(void)
{
	static const uint16_t sz[] = { BPF_W, BPF_H, BPF_B };
	static const char *const name[] = { "ld", "ldh", "ldb" };
	struct cbpf_insn p[2] = { RET_A, RET_A };
	char what[64];
	uint32_t off;
	size_t s;

	for (s = 0; s < 3; s++) {
		for (off = 0; off < SKF_AD_MAX; off += 4) {
			p[0] = I(BPF_LD | sz[s] | BPF_ABS, 0, 0, (uint32_t)SKF_AD_OFF + off);
			snprintf(what, sizeof(what), "%s [SKF_AD_OFF + %u]", name[s], off);
			expect(what, p, 2, SOCK, 0, -1, NULL);
		}
	}
	REJECT("ld [SKF_AD_OFF + 64]", SOCK, 0, "unknown ancillary load offset SKF_AD_OFF + 64",
	       I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0xfffff040), RET_A);
	REJECT("ldb [SKF_AD_OFF + 2]", SOCK, 1, "unknown ancillary load offset SKF_AD_OFF + 2",
	       RET_A, I(BPF_LD | BPF_B | BPF_ABS, 0, 0, 0xfffff002), RET_A);
	REJECT("ldh [0xffffffff]", SOCK, 0, "SKF_AD_OFF + 4095",
	       I(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0xffffffff), RET_A);
	ACCEPT("ld [SKF_AD_OFF - 1]", SOCK, I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0xffffefff), RET_A);
	ACCEPT("ldb [SKF_NET_OFF + 9], ldh [SKF_LL_OFF + 12]", SOCK,
	       I(BPF_LD | BPF_B | BPF_ABS, 0, 0, 0xfff00009),
	       I(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0xffe0000c), RET_A);
	/* Only absolute loads are checked. */
	ACCEPT("ld [x + SKF_AD_OFF + 64]", SOCK, I(BPF_LD | BPF_W | BPF_IND, 0, 0, 0xfffff040), RET_A);
	ACCEPT("ldxb 4*([0xffffffff]&0xf)", SOCK, I(BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0xffffffff), RET_A);
	/* Unknown offsets fail the classic check even under seccomp. */
	REJECT("ld [SKF_AD_OFF + 64]", SECC, 0, "unknown ancillary",
	       I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0xfffff040), RET_A);
}

static void test_last_ret(void)
{
	REJECT2("single ld", 0, "the last instruction must be a return", I(BPF_LD | BPF_IMM, 0, 0, 0));
	REJECT2("ends in tax", 2, "the last instruction must be a return",
		RET_A, I(BPF_LD | BPF_IMM, 0, 0, 0), I(BPF_MISC | BPF_TAX, 0, 0, 0));
	ACCEPT2("ends in ret a", I(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0), RET_A);
	/* Per-instruction rules are checked first, then the last insn. */
	REJECT2("div #0 and no ret", 0, "division by constant zero",
		I(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0), I(BPF_LD | BPF_IMM, 0, 0, 0));
	/* The last insn is checked before the memory walk. */
	REJECT2("unstored read and no ret", 1, "the last instruction must be a return",
		I(BPF_LD | BPF_MEM, 0, 0, 0), I(BPF_LD | BPF_IMM, 0, 0, 0));
}

static void test_mem_walk(void)
{
	REJECT2("ld M[3] never stored", 1, "M[3] may be read before it is stored",
		I(BPF_LD | BPF_IMM, 0, 0, 0), I(BPF_LD | BPF_MEM, 0, 0, 3), RET_A);
	REJECT2("ldx M[5] never stored", 0, "M[5] may be read before it is stored",
		I(BPF_LDX | BPF_MEM, 0, 0, 5), RET_A);
	REJECT2("stored on one path only", 2, "M[3] may be read before it is stored",
		I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 1), I(BPF_ST, 0, 0, 3),
		I(BPF_LD | BPF_MEM, 0, 0, 3), RET_A);
	ACCEPT2("stored on both paths",
		I(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 1), I(BPF_ST, 0, 0, 3),
		I(BPF_JMP | BPF_JA, 0, 0, 1), I(BPF_STX, 0, 0, 3),
		I(BPF_LD | BPF_MEM, 0, 0, 3), RET_A);
	ACCEPT2("stored before the branch",
		I(BPF_STX, 0, 0, 3), I(BPF_JMP | BPF_JSET | BPF_X, 0, 1, 1),
		I(BPF_LDX | BPF_MEM, 0, 0, 3), RET_A);
	REJECT2("wrong cell stored", 1, "M[1] may be read",
		I(BPF_ST, 0, 0, 0), I(BPF_LD | BPF_MEM, 0, 0, 1), RET_A);
	/* After a jump the next insn counts only what jumps into it bring. */
	ACCEPT2("unreachable read after a ja",
		I(BPF_JMP | BPF_JA, 0, 0, 1), I(BPF_LDX | BPF_MEM, 0, 0, 7), RET_A);
	/* Quirk: a ret does not end the walk.  An unreachable read after a ret
	 * sees the state before the ret... */
	REJECT2("quirk: unreachable read after a ret", 1, "M[0] may be read",
		RET_K(0), I(BPF_LD | BPF_MEM, 0, 0, 0), RET_A);
	/* ...and so does a read reached only by a jump that had stored it:
	 * pc 4 is the ja's target (M[0] stored) but the ret at pc 3 (nothing
	 * stored on its path) is ANDed in. */
	REJECT2("quirk: state flows out of a ret", 4, "M[0] may be read",
		I(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 1), I(BPF_ST, 0, 0, 0),
		I(BPF_JMP | BPF_JA, 0, 0, 1), RET_K(0),
		I(BPF_LD | BPF_MEM, 0, 0, 0), RET_A);
	ACCEPT2("same with the ret's path storing too",
		I(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 1), I(BPF_ST, 0, 0, 0),
		I(BPF_JMP | BPF_JA, 0, 0, 2), I(BPF_STX, 0, 0, 0), RET_K(0),
		I(BPF_LD | BPF_MEM, 0, 0, 0), RET_A);
}

static void test_seccomp(void)
{
	ACCEPT("ld [0], ld [60]", SECC, I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0),
	       I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 60), RET_A);
	REJECT("ld [64]", SECC, 0, "seccomp: ld [64] is outside struct seccomp_data (64 bytes)",
	       I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 64), RET_A);
	REJECT("ld [2]", SECC, 1, "seccomp: ld [2] is not 4-byte aligned",
	       I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0), I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 2), RET_A);
	ACCEPT("ld [2] in a socket filter", SOCK, I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 2), RET_A);
	REJECT("ld #proto", SECC, 0, "outside struct seccomp_data",
	       I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0xfffff000), RET_A);
	REJECT("ldh [0]", SECC, 0, "seccomp: opcode 0x28 (ldh [k]) is not allowed",
	       I(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0), RET_A);
	REJECT("ldb [4]", SECC, 0, "opcode 0x30 (ldb [k])", I(BPF_LD | BPF_B | BPF_ABS, 0, 0, 4), RET_A);
	REJECT("ld [x + 0]", SECC, 0, "opcode 0x40 (ld [x + k])",
	       I(BPF_LD | BPF_W | BPF_IND, 0, 0, 0), RET_A);
	REJECT("ldh [x + 0]", SECC, 0, "opcode 0x48", I(BPF_LD | BPF_H | BPF_IND, 0, 0, 0), RET_A);
	REJECT("ldb [x + 0]", SECC, 0, "opcode 0x50", I(BPF_LD | BPF_B | BPF_IND, 0, 0, 0), RET_A);
	REJECT("ldxb msh", SECC, 0, "opcode 0xb1 (ldxb 4*([k]&0xf))",
	       I(BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0), RET_A);
	REJECT("mod #3", SECC, 0, "opcode 0x94 (mod #k)", I(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 3), RET_A);
	REJECT("mod x", SECC, 0, "opcode 0x9c (mod x)", I(BPF_ALU | BPF_MOD | BPF_X, 0, 0, 0), RET_A);
	ACCEPT("ld len, ldx len, ld #k, ldx #k, tax, txa", SECC,
	       I(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0), I(BPF_LDX | BPF_W | BPF_LEN, 0, 0, 0),
	       I(BPF_LD | BPF_IMM, 0, 0, 1), I(BPF_LDX | BPF_IMM, 0, 0, 2),
	       I(BPF_MISC | BPF_TAX, 0, 0, 0), I(BPF_MISC | BPF_TXA, 0, 0, 0), RET_A);
	/* seccomp_check_filter runs after the whole classic check. */
	REJECT("ldh, then an unstored read", SECC, 1, "M[2] may be read",
	       I(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0), I(BPF_LD | BPF_MEM, 0, 0, 2), RET_A);
	REJECT("ldh, then a bad jump", SECC, 1, "past the end",
	       I(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0), I(BPF_JMP | BPF_JA, 0, 0, 1), RET_A);
	REJECT("ld [64], then ldh [0]", SECC, 0, "ld [64]",
	       I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 64), I(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0), RET_A);
}

static void test_diag(void)
{
	const struct cbpf_insn bad[] = { I(BPF_RET | BPF_X, 0, 0, 0) };
	const struct cbpf_insn good[] = { RET_K(0) };
	struct cbpf_diag d;

	tap_is_int(cbpf_validate(bad, 1, SOCK, NULL), -EINVAL, "diag may be NULL (rejected)");
	tap_is_int(cbpf_validate(good, 1, SOCK, NULL), 0, "diag may be NULL (accepted)");
	cbpf_validate(bad, 1, SOCK, &d);
	cbpf_validate(good, 1, SOCK, &d);
	tap_ok(d.insn == -1 && d.msg[0] == '\0' && d.line == 0,
	       "success leaves a cleared diag (insn %d, '%s')", d.insn, d.msg);
}

/* The generator's promises, which the other tests rely on. */
static void test_randprog(void)
{
	static const unsigned flags[] = { RP_VALID, RP_VALID | RP_ANC, RP_VALID | RP_SECCOMP,
					  0, RP_ANC, RP_SECCOMP };
	struct cbpf_insn prog[64];
	struct cbpf_diag d;
	struct rp_rng r;
	size_t f;
	int i;

	for (f = 0; f < N(flags); f++) {
		enum cbpf_flavor fl = flags[f] & RP_SECCOMP ? SECC : SOCK;
		int bad = 0, first_bad = -1;

		rp_seed(&r, 1000 + f);
		for (i = 0; i < 1000; i++) {
			size_t len = rp_program(&r, prog, 64, flags[f]);

			if (cbpf_validate(prog, len, fl, &d) != 0 && bad++ == 0)
				first_bad = i;
		}
		if (flags[f] & RP_VALID) {
			tap_ok(bad == 0, "randprog flags %#x: 1000 programs all valid", flags[f]);
			if (bad)
				tap_diag("  %d invalid, first #%d: insn %d: %s", bad, first_bad,
					 d.insn, d.msg);
		} else {
			tap_ok(bad >= 350 && bad <= 650, "randprog flags %#x: %d of 1000 "
			       "programs invalid (want about half)", flags[f], bad);
		}
	}
}

/* Distinct opcodes in 2000 programs of flags, the allowed ones among them. */
static void opcode_coverage(unsigned flags, int *distinct, int *allowed)
{
	static unsigned char seen[0x10000];
	struct cbpf_insn prog[64];
	struct rp_rng r;
	size_t i, len;
	int n;

	memset(seen, 0, sizeof(seen));
	rp_seed(&r, 77);
	for (n = 0; n < 2000; n++) {
		len = rp_program(&r, prog, 64, flags);
		for (i = 0; i < len; i++)
			seen[prog[i].code] = 1;
	}
	*distinct = *allowed = 0;
	for (i = 0; i < 0x10000; i++) {
		*distinct += seen[i];
		*allowed += seen[i] && cbpf_opcode_allowed((uint16_t)i);
	}
}

static void test_randprog_coverage(void)
{
	int distinct, allowed, total = 0;
	unsigned c;

	for (c = 0; c < 0x10000; c++)
		total += cbpf_opcode_allowed((uint16_t)c);
	tap_is_int(total, 49, "the kernel allows 49 opcodes");
	opcode_coverage(RP_VALID | RP_ANC, &distinct, &allowed);
	tap_ok(distinct == total && allowed == total,
	       "randprog RP_VALID uses every allowed opcode (%d of %d)", allowed, total);
	/* 49 less ldh/ldb [k], three [x + k] loads, ldxb msh, mod #k, mod x. */
	opcode_coverage(RP_VALID | RP_SECCOMP, &distinct, &allowed);
	tap_ok(distinct == 41 && allowed == 41,
	       "randprog RP_VALID|RP_SECCOMP uses every seccomp opcode (%d of 41)", distinct);
	opcode_coverage(0, &distinct, &allowed);
	tap_ok(allowed == total && distinct > total + 20,
	       "randprog without RP_VALID also uses disallowed opcodes (%d)", distinct - allowed);
}

int main(void)
{
	test_length();
	test_opcodes();
	test_alu();
	test_mem_index();
	test_jumps();
	test_ancillary();
	test_last_ret();
	test_mem_walk();
	test_seccomp();
	test_diag();
	test_randprog();
	test_randprog_coverage();
	return tap_done();
}
