/*
 * seccomp_disasm.c -- a tcpdump -d listing of a seccomp filter with
 * comments: which field of struct seccomp_data a load reads, which
 * architecture or syscall a jump compares with, which action a return is.
 *
 * A forward pass over the program (jumps only go forward) tracks what A
 * holds and which AUDIT_ARCH value is known on every path into each
 * instruction; where paths disagree the fact is dropped.
 * Keeps true: comments are only printed for facts every path agrees on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp_int.h"

enum a_is { A_UNSET = 0, A_UNKNOWN, A_NR, A_ARCH, A_ARG_LO, A_ARG_HI, A_IP };

struct st {
	enum a_is a;
	unsigned arg;
	uint32_t arch;		/* AUDIT_ARCH value, 0 unknown */
	bool reached;
};

static void merge(struct st *into, const struct st *from)
{
	if (!into->reached) {
		*into = *from;
		into->reached = true;
		return;
	}
	if (into->a != from->a || into->arg != from->arg)
		into->a = A_UNKNOWN;
	if (into->arch != from->arch)
		into->arch = 0;
}

static const char *arch_name_of(uint32_t audit, uint32_t nr)
{
	int a;

	if (audit == sc_arch_audit(SC_ARCH_X86_64))
		return nr >= 0x40000000u && nr != 0xffffffffu ? "x32" : "x86_64";
	for (a = 0; a < SC_NARCH; a++)
		if (sc_arch_audit((enum sc_arch)a) == audit)
			return sc_arch_name((enum sc_arch)a);
	return NULL;
}

static const char *sys_of(uint32_t audit, uint32_t nr)
{
	const char *an = arch_name_of(audit, nr);
	int a = an ? sc_arch_lookup(an, strlen(an)) : -1;

	return a < 0 ? NULL : sc_sys_name((enum sc_arch)a, nr);
}

static void load_comment(const struct cbpf_insn *in, struct st *s, char *c, size_t size)
{
	uint32_t k = in->k;

	if (in->code != (BPF_LD | BPF_W | BPF_ABS)) {
		if (BPF_CLASS(in->code) == BPF_LD || BPF_CLASS(in->code) == BPF_ALU ||
		    BPF_CLASS(in->code) == BPF_MISC)
			s->a = A_UNKNOWN;
		return;
	}
	if (k == 0) {
		s->a = A_NR;
		snprintf(c, size, "syscall number");
	} else if (k == 4) {
		s->a = A_ARCH;
		snprintf(c, size, "arch");
	} else if (k == 8 || k == 12) {
		s->a = A_IP;
		snprintf(c, size, "instruction pointer, %s word", k == 8 ? "low" : "high");
	} else if (k >= 16 && k < 64) {
		s->a = (k & 4) ? A_ARG_HI : A_ARG_LO;
		s->arg = (k - 16) / 8;
		snprintf(c, size, "arg%u, %s word", s->arg, (k & 4) ? "high" : "low");
	}
}

static void jump_comment(const struct cbpf_insn *in, const struct st *s, char *c, size_t size)
{
	const char *name;

	if (BPF_SRC(in->code) != BPF_K)
		return;
	if (s->a == A_ARCH) {
		int a;

		for (a = 0; a < SC_NARCH; a++)
			if (sc_arch_audit((enum sc_arch)a) == in->k) {
				snprintf(c, size, "%s", a == SC_ARCH_X32 ? "x86_64" :
					 sc_arch_name((enum sc_arch)a));
				break;
			}
	} else if (s->a == A_NR && s->arch) {
		const char *rel = BPF_OP(in->code) == BPF_JGE ? ">= " :
				  BPF_OP(in->code) == BPF_JGT ? "> " : "";
		bool x86 = s->arch == sc_arch_audit(SC_ARCH_X86_64);

		if (BPF_OP(in->code) == BPF_JSET)
			return;
		if (x86 && in->k == 0x40000000u) {
			snprintf(c, size, "%sx32 bit", rel);
			return;
		}
		if (in->k == 0xffffffffu) {
			snprintf(c, size, "%snr -1", rel);
			return;
		}
		name = sys_of(s->arch, in->k);
		if (name)
			snprintf(c, size, "%s%s%s", rel, name,
				 x86 && in->k > 0x40000000u ? " (x32)" : "");
	}
}

static void flow(const struct cbpf_insn *in, size_t pc, size_t n, const struct st *s, struct st *st)
{
	struct st t = *s, f = *s;

	if (BPF_CLASS(in->code) == BPF_RET)
		return;
	if (BPF_CLASS(in->code) != BPF_JMP) {
		if (pc + 1 < n)
			merge(&st[pc + 1], s);
		return;
	}
	if (BPF_OP(in->code) == BPF_JA) {
		if (pc + 1 + in->k < n)
			merge(&st[pc + 1 + in->k], s);
		return;
	}
	if (s->a == A_ARCH && BPF_OP(in->code) == BPF_JEQ && BPF_SRC(in->code) == BPF_K)
		t.arch = in->k;
	if (pc + 1 + in->jt < n)
		merge(&st[pc + 1 + in->jt], &t);
	if (pc + 1 + in->jf < n)
		merge(&st[pc + 1 + in->jf], &f);
}

int fg_seccomp_disasm(const struct cbpf_insn *insns, size_t n, char **out)
{
	struct st *st = calloc(n ? n : 1, sizeof(*st));
	size_t pc, cap = 256 * (n + 1), len = 0;
	char *buf = malloc(cap);

	if (!st || !buf) {
		free(st);
		free(buf);
		return -ENOMEM;
	}
	buf[0] = '\0';
	if (n)
		st[0].reached = true;
	for (pc = 0; pc < n; pc++) {
		char img[96], c[96] = "";
		struct st s = st[pc];
		int w;

		cbpf_insn_image(&insns[pc], pc, img, sizeof(img));
		if (BPF_CLASS(insns[pc].code) == BPF_RET && BPF_RVAL(insns[pc].code) == BPF_K)
			sc_action_format(insns[pc].k, c, sizeof(c));
		else if (BPF_CLASS(insns[pc].code) == BPF_JMP)
			jump_comment(&insns[pc], &s, c, sizeof(c));
		else
			load_comment(&insns[pc], &s, c, sizeof(c));
		flow(&insns[pc], pc, n, &s, st);
		w = c[0] ? snprintf(buf + len, cap - len, "%-40s ; %s\n", img, c)
			 : snprintf(buf + len, cap - len, "%s\n", img);
		if (w < 0 || (size_t)w >= cap - len) {
			free(st);
			free(buf);
			return -ENOMEM;
		}
		len += (size_t)w;
	}
	free(st);
	*out = buf;
	return 0;
}
