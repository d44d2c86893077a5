/*
 * sc_test.h -- helpers shared by the seccomp tests and benchmark (test
 * code, header-only): read a policy with the front end's own readers, run
 * a filter on a constructed struct seccomp_data (our interpreter, and a
 * step-counting reference loop), and build libseccomp's filter for the
 * same rules (libseccomp is a test oracle only).
 */
#ifndef PFC_SC_TEST_H
#define PFC_SC_TEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/seccomp.h>

#include "cbpf.h"
#include "filtergen.h"
#include "seccomp_int.h"

#ifdef SC_TEST_LIBSECCOMP
#include <seccomp.h>
#endif

/* The verdict of prog on d with our interpreter (CBPF_VM_SECCOMP). */
static inline uint32_t sc_vm_verdict(const struct cbpf_vm *vm, const struct seccomp_data *d)
{
	return cbpf_vm_run(vm, (const uint8_t *)d, sizeof(*d), sizeof(*d), NULL);
}

/*
 * A plain reference loop for the subset seccomp filters use, counting the
 * instructions executed (*steps).  Host byte order; returns the verdict.
 */
static inline uint32_t sc_count_run(const struct cbpf_insn *p, size_t n,
				    const struct seccomp_data *d, unsigned *steps)
{
	const uint8_t *data = (const uint8_t *)d;
	uint32_t a = 0, x = 0, mem[16] = { 0 };
	size_t pc = 0;

	*steps = 0;
	while (pc < n) {
		const struct cbpf_insn *in = &p[pc++];
		uint32_t v = BPF_SRC(in->code) == BPF_X ? x : in->k;

		(*steps)++;
		switch (BPF_CLASS(in->code)) {
		case BPF_LD:
			if (BPF_MODE(in->code) == BPF_ABS)
				memcpy(&a, data + in->k, 4);
			else if (BPF_MODE(in->code) == BPF_MEM)
				a = mem[in->k & 15];
			else if (BPF_MODE(in->code) == BPF_LEN)
				a = sizeof(*d);
			else
				a = in->k;
			break;
		case BPF_LDX:
			x = BPF_MODE(in->code) == BPF_MEM ? mem[in->k & 15] : in->k;
			break;
		case BPF_ST: mem[in->k & 15] = a; break;
		case BPF_STX: mem[in->k & 15] = x; break;
		case BPF_ALU:
			switch (BPF_OP(in->code)) {
			case BPF_ADD: a += v; break;
			case BPF_SUB: a -= v; break;
			case BPF_MUL: a *= v; break;
			case BPF_DIV: if (!v) return 0; a /= v; break;
			case BPF_MOD: if (!v) return 0; a %= v; break;
			case BPF_AND: a &= v; break;
			case BPF_OR: a |= v; break;
			case BPF_XOR: a ^= v; break;
			case BPF_LSH: a = v < 32 ? a << v : 0; break;
			case BPF_RSH: a = v < 32 ? a >> v : 0; break;
			case BPF_NEG: a = -a; break;
			}
			break;
		case BPF_JMP: {
			bool t;

			switch (BPF_OP(in->code)) {
			case BPF_JA: pc += in->k; continue;
			case BPF_JEQ: t = a == v; break;
			case BPF_JGT: t = a > v; break;
			case BPF_JGE: t = a >= v; break;
			default: t = (a & v) != 0; break;
			}
			pc += t ? in->jt : in->jf;
			break;
		}
		case BPF_RET:
			return BPF_RVAL(in->code) == BPF_A ? a : in->k;
		case BPF_MISC:
			if (BPF_MISCOP(in->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		}
	}
	return 0;
}

/*
 * The kernel's action cache (kernel/seccomp.c, seccomp_is_const_allow):
 * the filter is emulated for a number and arch with nothing else known;
 * only loads of nr and arch, `and #k`, K jumps and returns are followed.
 * True when the verdict is ALLOW whatever the arguments: the kernel then
 * skips the filter for that syscall.
 */
static inline bool sc_cache_allows(const struct cbpf_insn *p, size_t n, uint32_t arch, uint32_t nr)
{
	uint32_t a = 0;
	size_t pc;

	for (pc = 0; pc < n; pc++) {
		const struct cbpf_insn *in = &p[pc];
		bool t;

		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (in->k == 0)
				a = nr;
			else if (in->k == 4)
				a = arch;
			else
				return false;
			break;
		case BPF_RET | BPF_K:
			return in->k == SECCOMP_RET_ALLOW;
		case BPF_JMP | BPF_JA:
			pc += in->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_K:
			switch (BPF_OP(in->code)) {
			case BPF_JEQ: t = a == in->k; break;
			case BPF_JGE: t = a >= in->k; break;
			case BPF_JGT: t = a > in->k; break;
			default: t = (a & in->k) != 0; break;
			}
			pc += t ? in->jt : in->jf;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= in->k;
			break;
		default:
			return false;
		}
	}
	return false;
}

/* Read a policy (OCI when oci) with the front end's readers into c, arena a. */
static inline int sc_test_read(struct sc_ctx *c, struct fg_arena *a, const char *src, size_t len,
			       const struct fg_seccomp_opts *o, struct fg_diag *diag)
{
	fg_arena_init(a, NULL, NULL);
	return sc_read(c, a, src, len, o, diag);
}

static inline char *sc_test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

#ifdef SC_TEST_LIBSECCOMP
static inline uint32_t sc_scmp_arch(enum sc_arch a)
{
	switch (a) {
	case SC_ARCH_X86_64: return SCMP_ARCH_X86_64;
	case SC_ARCH_I386: return SCMP_ARCH_X86;
	case SC_ARCH_X32: return SCMP_ARCH_X32;
	default: return SCMP_ARCH_AARCH64;
	}
}

/* Flatten a conjunction of comparisons into libseccomp's conditions; -1 if it is not one. */
static inline int sc_scmp_conds(const struct sc_expr *e, struct scmp_arg_cmp *c, unsigned *n)
{
	static const enum scmp_compare ops[] = { SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT,
						 SCMP_CMP_LE, SCMP_CMP_GT, SCMP_CMP_GE,
						 SCMP_CMP_MASKED_EQ };

	if (!e)
		return 0;
	if (e->kind == SC_E_AND)
		return sc_scmp_conds(e->l, c, n) || sc_scmp_conds(e->r, c, n) ? -1 : 0;
	if (e->kind != SC_E_CMP || e->op == SC_RANGE || *n >= 6)
		return -1;
	c[*n].arg = e->arg;
	c[*n].op = ops[e->op];
	c[*n].datum_a = e->a;
	c[*n].datum_b = e->b;
	(*n)++;
	return 0;
}

/*
 * libseccomp's filter for the policy on one architecture, exported with
 * seccomp_export_bpf through a memfd.  0, or -1 when libseccomp refuses.
 */
static inline int sc_libseccomp_build(const struct sc_policy *pol, enum sc_arch arch, int optimize,
				      struct cbpf_insn **out, size_t *n)
{
	scmp_filter_ctx ctx = seccomp_init(pol->def_action);
	size_t i, j;
	int fd = -1, rc = -1;
	off_t size;

	if (!ctx)
		return -1;
	if (seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE) || seccomp_arch_add(ctx, sc_scmp_arch(arch)) ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, pol->badarch_action) ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, (uint32_t)optimize))
		goto out;
	for (i = 0; i < pol->nrules; i++) {
		struct scmp_arg_cmp c[6];
		unsigned nc = 0;

		if (pol->rules[i].action == pol->def_action)
			continue;
		if (sc_scmp_conds(pol->rules[i].cond, c, &nc))
			goto out;
		for (j = 0; j < pol->rules[i].nnames; j++) {
			/* libseccomp translates the native number (or its pseudo
			 * number for names the native ABI lacks) to the arch's */
			int nr = seccomp_syscall_resolve_name(pol->rules[i].names[j].name);
			int anr = seccomp_syscall_resolve_name_arch(sc_scmp_arch(arch),
								    pol->rules[i].names[j].name);

			if (nr == __NR_SCMP_ERROR || anr < 0)
				continue;
			rc = seccomp_rule_add_array(ctx, pol->rules[i].action, nr, nc, c);
			if (rc) {
				fprintf(stderr, "# libseccomp: %s (%d) on %s: %s\n",
					pol->rules[i].names[j].name, nr, "rule", strerror(-rc));
				rc = -1;
				goto out;
			}
		}
	}
	fd = memfd_create("scmp", 0);
	if (fd < 0 || seccomp_export_bpf(ctx, fd) || (size = lseek(fd, 0, SEEK_END)) <= 0 ||
	    lseek(fd, 0, SEEK_SET) != 0)
		goto out;
	*n = (size_t)size / sizeof(struct cbpf_insn);
	*out = malloc((size_t)size);
	if (*out && read(fd, *out, (size_t)size) == size)
		rc = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return rc;
}
#endif

#endif /* PFC_SC_TEST_H */
