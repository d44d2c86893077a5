/*
 * fuzz_asm.c -- libFuzzer target for cbpf_asm() with syntax detection.
 *
 * Invariants checked on every input (a violation aborts):
 *  - success returns 1..65535 instructions and a concrete syntax, and reading
 *    the input again with that syntax named gives the same program;
 *  - failure returns nothing, -EINVAL/-E2BIG/-ENOMEM only, and a diagnostic
 *    whose line and column lie inside the input (column at most one past the
 *    end of its line) with a length of at least 1 and a message;
 *  - when the disassembler works, each of its formats reads back to the same
 *    program: -dd and -ddd exactly, -d and bpf_asm up to the fields the
 *    opcode does not use (tcpdump -d shows no jt on "ld", no k on "tax").
 * Replayed over tests/fuzz/corpus/asm by make check (fuzz_asm_replay).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbpf.h"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_asm: invariant failed: %s (line %d)\n", \
			#cond, __LINE__);				\
		abort();						\
	}								\
} while (0)

/* Whether the opcode reads k, in the encodings the assembler spells. */
static int uses_k(uint16_t code)
{
	switch (BPF_CLASS(code)) {
	case BPF_LD:
	case BPF_LDX:
		return BPF_MODE(code) != BPF_LEN;
	case BPF_ST:
	case BPF_STX:
		return 1;
	case BPF_ALU:
		return BPF_OP(code) != BPF_NEG && BPF_SRC(code) == BPF_K;
	case BPF_JMP:
		return BPF_OP(code) == BPF_JA || BPF_SRC(code) == BPF_K;
	case BPF_RET:
		return BPF_RVAL(code) == BPF_K;
	default:
		return 0;
	}
}

static int is_cond_jump(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

/* The instruction with the fields its opcode ignores cleared. */
static struct cbpf_insn normalize(struct cbpf_insn in)
{
	if (!is_cond_jump(in.code))
		in.jt = in.jf = 0;
	if (!uses_k(in.code))
		in.k = 0;
	return in;
}

static int same_insn(const struct cbpf_insn *a, const struct cbpf_insn *b, int exact)
{
	struct cbpf_insn x = exact ? *a : normalize(*a), y = exact ? *b : normalize(*b);

	return x.code == y.code && x.jt == y.jt && x.jf == y.jf && x.k == y.k;
}

/* Every jump lands inside the program (so -d's absolute targets are exact). */
static int jumps_inside(const struct cbpf_insn *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint16_t c = p[i].code;

		if (BPF_CLASS(c) != BPF_JMP)
			continue;
		if (BPF_OP(c) == BPF_JA ? (uint64_t)p[i].k >= n - i - 1
		    : (size_t)p[i].jt >= n - i - 1 || (size_t)p[i].jf >= n - i - 1)
			return 0;
	}
	return 1;
}

/* Only opcodes libpcap's bpf_image() spells; others print as "unimp", without k. */
static int d_spelled(const struct cbpf_insn *p, size_t n)
{
	static const uint16_t codes[] = {
		0x00, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x60, 0x80, 0x01, 0x61, 0xb1,
		0x02, 0x03, 0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x94, 0x9c,
		0x44, 0x4c, 0x54, 0x5c, 0xa4, 0xac, 0x64, 0x6c, 0x74, 0x7c, 0x84, 0x05,
		0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x06, 0x16, 0x07, 0x87,
	};
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < sizeof(codes) / sizeof(codes[0]); j++)
			if (p[i].code == codes[j])
				break;
		if (j == sizeof(codes) / sizeof(codes[0]))
			return 0;
	}
	return 1;
}

static void round_trip(const struct cbpf_insn *p, size_t n, enum cbpf_format fmt)
{
	struct cbpf_insn *q = NULL;
	struct cbpf_diag d;
	size_t m = 0, i;
	char *text = NULL;
	int rc = cbpf_disasm(p, n, fmt, &text);
	int exact = fmt == CBPF_FORMAT_DD || fmt == CBPF_FORMAT_DDD;

	if (rc)		/* -ENOSYS (not there yet), -EINVAL (no spelling) */
		return;
	if (fmt == CBPF_FORMAT_D && (!jumps_inside(p, n) || !d_spelled(p, n))) {
		cbpf_free(text);
		return;
	}
	rc = cbpf_asm(text, strlen(text), CBPF_SYNTAX_AUTO, &q, &m, NULL, &d);
	if (rc)
		fprintf(stderr, "fuzz_asm: format %d does not read back: %u:%u: %s\n%s",
			(int)fmt, d.line, d.col, d.msg, text);
	CHECK(rc == 0);
	CHECK(m == n);
	for (i = 0; i < n; i++) {
		if (!same_insn(&p[i], &q[i], exact))
			fprintf(stderr, "fuzz_asm: format %d, insn %zu: {%#x,%u,%u,%#x} -> "
				"{%#x,%u,%u,%#x}\n%s", (int)fmt, i, p[i].code, p[i].jt,
				p[i].jf, p[i].k, q[i].code, q[i].jt, q[i].jf, q[i].k, text);
		CHECK(same_insn(&p[i], &q[i], exact));
	}
	cbpf_free(q);
	cbpf_free(text);
}

/* The diagnostic's position lies inside the source. */
static void check_position(const char *src, size_t len, const struct cbpf_diag *d)
{
	size_t off = 0, line_len;
	unsigned line = 1;

	CHECK(d->line >= 1 && d->col >= 1 && d->len >= 1 && d->msg[0] != '\0');
	while (line < d->line) {
		const char *nl = memchr(src + off, '\n', len - off);

		CHECK(nl != NULL);
		off = (size_t)(nl - src) + 1;
		line++;
	}
	line_len = 0;
	while (off + line_len < len && src[off + line_len] != '\n')
		line_len++;
	CHECK(d->col <= line_len + 1);
}

static void check_result(const char *src, size_t len)
{
	enum cbpf_syntax det = CBPF_SYNTAX_AUTO;
	struct cbpf_insn *p = (struct cbpf_insn *)&det, *q = NULL;
	struct cbpf_diag d;
	size_t n = 7, m = 0, i;
	int rc = cbpf_asm(src, len, CBPF_SYNTAX_AUTO, &p, &n, &det, &d);

	if (rc) {
		CHECK(rc == -EINVAL || rc == -E2BIG || rc == -ENOMEM);
		CHECK(p == NULL && n == 0);
		if (rc != -ENOMEM)
			check_position(src, len, &d);
		return;
	}
	CHECK(p != NULL && n >= 1 && n <= 65535);
	CHECK(det >= CBPF_SYNTAX_ASM && det <= CBPF_SYNTAX_DDD);
	CHECK(cbpf_asm(src, len, det, &q, &m, NULL, &d) == 0 && m == n);
	for (i = 0; i < n; i++)
		CHECK(same_insn(&p[i], &q[i], 1));
	cbpf_free(q);
	round_trip(p, n, CBPF_FORMAT_DD);
	round_trip(p, n, CBPF_FORMAT_DDD);
	round_trip(p, n, CBPF_FORMAT_D);
	round_trip(p, n, CBPF_FORMAT_ASM);
	cbpf_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes, so reading past it is caught by ASan. */
	char *src = malloc(size ? size : 1);

	if (!src)
		return 0;
	if (size)
		memcpy(src, data, size);
	check_result(src, size);
	free(src);
	return 0;
}
