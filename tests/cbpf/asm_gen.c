/*
 * asm_gen.c -- test tool: write random bpf_asm programs for the differential
 * test against netsniff-ng's bpfc (asm_bpfc.sh).
 *
 * usage: asm_gen SEED COUNT DIR   -- writes DIR/prog_NNN.bpf
 *
 * The programs cover every mnemonic and operand spelling of the reference
 * grammar, in the subset bpfc 0.6 reads too (its lexer has no rand,
 * vlan_avail or vlan_tpid, needs labels of two characters or more, and lexes
 * "+5" as a number, so "[x + 5]" always has a space after '+'), plus bpfc's
 * own short names (pto, que, vlant, ...).  Numbers come
 * in every radix, mnemonics and registers in either case, with comments,
 * blank lines, labels alone on their line and several instructions on one
 * line.  Jumps go forward, conditional ones at most 255 instructions.  The
 * same seed always writes the same files.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gen {
	uint64_t s;
	FILE *f;
};

static uint32_t rnd(struct gen *g)
{
	uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static uint32_t below(struct gen *g, uint32_t n)
{
	return n ? rnd(g) % n : 0;
}

static const char *pick(struct gen *g, const char *const *v, size_t n)
{
	return v[below(g, (uint32_t)n)];
}

#define PICK(g, arr) pick((g), (arr), sizeof(arr) / sizeof((arr)[0]))

static void out(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(g->f, fmt, ap);
	va_end(ap);
}

/* A 32-bit value from a mix of ranges the encodings care about. */
static uint32_t value(struct gen *g)
{
	switch (below(g, 5)) {
	case 0: return below(g, 16);
	case 1: return below(g, 256);
	case 2: return below(g, 65536);
	case 3: return 0xffffffffu - below(g, 8);
	default: return rnd(g);
	}
}

static void put_binary(struct gen *g, uint32_t v)
{
	int i = 31;

	out(g, "0b");
	while (i > 0 && !(v >> i))
		i--;
	for (; i >= 0; i--)
		out(g, "%u", (v >> i) & 1);
}

/* v in decimal, hex, octal, binary, or signed decimal. */
static void put_num(struct gen *g, uint32_t v)
{
	switch (below(g, 7)) {
	case 0: out(g, "0x%x", v); return;
	case 1: out(g, "0X%08X", v); return;
	case 2: out(g, v ? "0%o" : "0", v); return;
	case 3: put_binary(g, v); return;
	case 4:
		if (v >= 0x80000000u) {
			out(g, "%d", (int)(int32_t)v);
			return;
		}
		if (v && v < 0x80000000u) {
			out(g, "+%u", v);
			return;
		}
		break;
	default:
		break;
	}
	out(g, "%u", v);
}

/* Mnemonics and registers in random case, as the caseless lexers allow. */
static void put_word(struct gen *g, const char *w)
{
	int upper = below(g, 6) == 0;

	for (; *w; w++)
		out(g, "%c", upper && *w >= 'a' && *w <= 'z' ? *w - 'a' + 'A' : *w);
}

static void put_sep(struct gen *g)
{
	static const char *const seps[] = { " ", " ", " ", "\t", "   ", " \t" };

	out(g, "%s", PICK(g, seps));
}

static void put_reg(struct gen *g, const char *r)
{
	if (below(g, 2))
		out(g, "%%");
	put_word(g, r);
}

static void put_ind(struct gen *g)
{
	static const char *const pre[] = { "[x + ", "[x+ ", "[ x + ", "[%x + ", "[X + " };

	out(g, "%s", PICK(g, pre));
	put_num(g, value(g));
	out(g, below(g, 3) ? "]" : " ]");
}

static void put_abs(struct gen *g)
{
	out(g, below(g, 4) ? "[" : "[ ");
	put_num(g, value(g));
	out(g, "]");
}

static void put_mem(struct gen *g)
{
	put_word(g, "M");
	out(g, "[");
	put_num(g, below(g, 8) ? below(g, 16) : value(g));
	out(g, "]");
}

static void put_msh(struct gen *g)
{
	static const char *const four[] = { "4", "0x4", "04", "0b100" };
	static const char *const mask[] = { "0xf", "0xF", "15", "017", "0b1111" };
	const char *sp = below(g, 3) ? "" : " ";

	out(g, "%s%s*%s(%s[", PICK(g, four), sp, sp, sp);
	put_num(g, value(g));
	out(g, "]%s&%s%s%s)", sp, sp, PICK(g, mask), sp);
}

static void put_anc(struct gen *g)
{
	static const char *const names[] = {
		"proto", "type", "ifidx", "nla", "nlan", "mark", "queue",
		"hatype", "rxhash", "cpu", "vlan_tci", "poff",
		/* bpfc's own short names */
		"pto", "ifx", "que", "Q", "hat", "rxh", "vlant", "vlana", "vlan_acc",
		"vlanp",
	};

	out(g, "%s", below(g, 2) ? "#" : "");
	put_word(g, PICK(g, names));
}

static void put_imm(struct gen *g)
{
	out(g, "#");
	put_num(g, value(g));
}

/* The operand of a load. */
static void put_load(struct gen *g, const char *m)
{
	put_word(g, m);
	put_sep(g);
	if (strcmp(m, "ld") == 0) {
		switch (below(g, 6)) {
		case 0: put_imm(g); return;
		case 1: out(g, "%s", below(g, 2) ? "#" : "");
			put_word(g, below(g, 4) ? "len" : "pktlen");
			return;
		case 2: put_anc(g); return;
		case 3: put_mem(g); return;
		case 4: put_ind(g); return;
		default: put_abs(g); return;
		}
	}
	switch (below(g, 3)) {	/* ldh, ldb */
	case 0: put_anc(g); return;
	case 1: put_ind(g); return;
	default: put_abs(g); return;
	}
}

static void put_ldx(struct gen *g)
{
	const char *m = PICK(g, ((const char *const[]){ "ldx", "ldxi", "ldxb", "ldi" }));

	put_word(g, m);
	put_sep(g);
	if (strcmp(m, "ldxi") == 0 || strcmp(m, "ldi") == 0) {
		if (below(g, 2))
			out(g, "#");
		put_num(g, value(g));
	} else if (strcmp(m, "ldxb") == 0) {
		put_msh(g);
	} else {
		switch (below(g, 4)) {
		case 0: put_imm(g); break;
		case 1: out(g, "%s", below(g, 2) ? "#" : ""); put_word(g, "len"); break;
		case 2: put_mem(g); break;
		default: put_msh(g); break;
		}
	}
}

static void put_alu(struct gen *g)
{
	static const char *const ops[] = {
		"add", "sub", "mul", "div", "mod", "and", "or", "xor", "lsh", "rsh",
	};

	put_word(g, PICK(g, ops));
	put_sep(g);
	if (below(g, 3))
		put_imm(g);
	else
		put_reg(g, "x");
}

static void put_misc(struct gen *g)
{
	static const char *const plain[] = { "tax", "txa", "neg" };

	switch (below(g, 4)) {
	case 0:
		put_word(g, "st");
		put_sep(g);
		put_mem(g);
		return;
	case 1:
		put_word(g, "stx");
		put_sep(g);
		put_mem(g);
		return;
	default:
		put_word(g, PICK(g, plain));
		return;
	}
}

static void put_ret(struct gen *g)
{
	put_word(g, "ret");
	put_sep(g);
	switch (below(g, 3)) {
	case 0: put_reg(g, "a"); return;
	case 1: put_reg(g, below(g, 4) ? "a" : "x"); return;
	default: put_imm(g); return;
	}
}

/* Label names: two characters or more, never a keyword. */
static void put_label(struct gen *g, unsigned idx)
{
	static const char *const fmt[] = { "L%u", "lab_%u", "_t%u", "Next%u", "l%u_x" };

	out(g, fmt[idx % 5], idx);
}

static void put_comma(struct gen *g)
{
	static const char *const commas[] = { ", ", ",", " , ", ",\t" };

	out(g, "%s", PICK(g, commas));
}

/* A forward target within 255 (or n for ja), as an index. */
static unsigned target(struct gen *g, unsigned i, unsigned n, unsigned max)
{
	unsigned room = n - i - 1;

	return i + 1 + below(g, room < max + 1 ? room : max + 1);
}

static void put_jump(struct gen *g, unsigned i, unsigned n, char *is_target)
{
	static const char *const two[] = { "jeq", "jgt", "jge", "jset" };
	static const char *const one[] = { "jneq", "jne", "jlt", "jle" };
	unsigned t1, t2;
	int kind = (int)below(g, 4);

	if (kind == 0) {
		t1 = target(g, i, n, n);
		put_word(g, below(g, 2) ? "ja" : "jmp");
		put_sep(g);
		put_label(g, t1);
		is_target[t1] = 1;
		return;
	}
	put_word(g, kind == 1 ? PICK(g, one) : PICK(g, two));
	put_sep(g);
	if (below(g, 3))
		put_imm(g);
	else
		put_reg(g, "x");
	t1 = target(g, i, n, 255);
	put_comma(g);
	put_label(g, t1);
	is_target[t1] = 1;
	if (kind == 3) {
		t2 = target(g, i, n, 255);
		put_comma(g);
		put_label(g, t2);
		is_target[t2] = 1;
	}
}

static void put_insn(struct gen *g, unsigned i, unsigned n, char *is_target)
{
	unsigned r = below(g, 20);

	if (i + 1 < n && r < 6)
		put_jump(g, i, n, is_target);
	else if (r < 10)
		put_load(g, PICK(g, ((const char *const[]){ "ld", "ldh", "ldb" })));
	else if (r < 12)
		put_ldx(g);
	else if (r < 15)
		put_alu(g);
	else if (r < 17)
		put_misc(g);
	else
		put_ret(g);
}

/* Text of each instruction goes to a buffer first: labels come before it. */
static void put_program(struct gen *g, FILE *f)
{
	unsigned n = 1 + below(g, below(g, 8) ? 40 : 400), i;
	char *is_target = calloc(n, 1), **text = calloc(n, sizeof(*text));
	size_t *len = calloc(n, sizeof(*len));
	bool joined = false;

	if (!is_target || !text || !len)
		exit(2);
	for (i = 0; i < n; i++) {
		g->f = open_memstream(&text[i], &len[i]);
		put_insn(g, i, n, is_target);
		fclose(g->f);
	}
	g->f = f;
	for (i = 0; i < n; i++) {
		if (!joined && below(g, 12) == 0)
			out(g, below(g, 2) ? "\n" : "# a comment line\n");
		if (is_target[i]) {
			put_label(g, i);
			out(g, below(g, 3) ? ": " : ":\n\t");
		} else if (below(g, 2)) {
			out(g, "\t");
		}
		if (below(g, 10) == 0)
			out(g, "/* c */ ");
		out(g, "%s", text[i]);
		joined = false;
		if (below(g, 8) == 0)
			out(g, "\t; trailing comment\n");
		else if (below(g, 10) == 0 && i + 1 < n)
			out(g, " "), joined = true;
		else
			out(g, "\n");
		free(text[i]);
	}
	free(text);
	free(len);
	free(is_target);
}

int main(int argc, char **argv)
{
	struct gen g;
	unsigned count, i;

	if (argc != 4) {
		fprintf(stderr, "usage: asm_gen SEED COUNT DIR\n");
		return 2;
	}
	g.s = strtoull(argv[1], NULL, 0);
	count = (unsigned)strtoul(argv[2], NULL, 0);
	for (i = 0; i < count; i++) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/prog_%03u.bpf", argv[3], i);
		f = fopen(path, "w");
		if (!f) {
			perror(path);
			return 1;
		}
		put_program(&g, f);
		fclose(f);
	}
	return 0;
}
