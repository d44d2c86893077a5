/*
 * seccomp_bench.c -- size and speed of seccomp filters for one profile and
 * architecture: pfc against libseccomp (optimize=1, a linear list, and
 * optimize=2, its binary tree), both built in this run from the same rules.
 *   seccomp_bench [--oci] POLICY [ARCH [FROM TO]]
 * For each filter: instructions, and the instructions executed for syscall
 * numbers FROM..TO (default 0..450, arguments 0): average and maximum,
 * counted by a reference loop whose verdicts are checked against our
 * interpreter's.  One line per filter, then pfc's ratios.  With --oci pfc
 * is measured as runc loads the profile (its -ENOSYS stub laid into the
 * range tree) and with --no-enosys-stub (the rules libseccomp builds).
 */
#define _GNU_SOURCE 1
#include "sc_test.h"

struct stats {
	size_t insns;
	double avg;
	unsigned max;
};

static int measure(const struct cbpf_insn *p, size_t n, uint32_t audit, uint32_t from, uint32_t to,
		   struct stats *s)
{
	struct cbpf_vm *vm;
	unsigned long total = 0;
	uint32_t nr;

	if (cbpf_vm_new(p, n, CBPF_VM_SECCOMP, &vm))
		return -1;
	s->insns = n;
	s->max = 0;
	for (nr = from; nr <= to; nr++) {
		struct seccomp_data d;
		unsigned steps;

		memset(&d, 0, sizeof(d));
		d.nr = (int)nr;
		d.arch = audit;
		if (sc_count_run(p, n, &d, &steps) != sc_vm_verdict(vm, &d)) {
			fprintf(stderr, "seccomp_bench: the counting loop disagrees at nr %u\n", nr);
			cbpf_vm_free(vm);
			return -1;
		}
		total += steps;
		if (steps > s->max)
			s->max = steps;
	}
	s->avg = (double)total / (double)(to - from + 1);
	cbpf_vm_free(vm);
	return 0;
}

static void line(const char *name, const struct stats *s)
{
	printf("  %-30s %5zu insns   %6.2f avg   %3u max executed\n", name, s->insns, s->avg, s->max);
}

int main(int argc, char **argv)
{
	struct fg_seccomp_opts o;
	struct fg_diag d;
	struct stats sp, sn, s1, s2;
	struct cbpf_insn *p = NULL, *pn = NULL, *l1 = NULL, *l2 = NULL;
	size_t n, nn = 0, n1, n2, len = 0;
	const char *arch = "x86_64";
	const char *arches[1];
	uint32_t from = 0, to = 450;
	int ai = 1, a;
	char *src;
	struct sc_ctx c;
	struct fg_arena ar;

	fg_seccomp_opts_init(&o);
	if (ai < argc && strcmp(argv[ai], "--oci") == 0) {
		o.oci = 1;
		ai++;
	}
	if (ai >= argc) {
		fprintf(stderr, "usage: seccomp_bench [--oci] POLICY [ARCH [FROM TO]]\n");
		return 2;
	}
	src = sc_test_slurp(argv[ai], &len);
	if (ai + 1 < argc)
		arch = argv[ai + 1];
	if (ai + 3 < argc) {
		from = (uint32_t)strtoul(argv[ai + 2], NULL, 0);
		to = (uint32_t)strtoul(argv[ai + 3], NULL, 0);
	}
	a = sc_arch_lookup(arch, strlen(arch));
	if (!src || a < 0) {
		fprintf(stderr, "seccomp_bench: cannot read %s or unknown arch %s\n", argv[ai], arch);
		return 1;
	}
	arches[0] = arch;
	o.arches = arches;
	o.narches = 1;
	if (fg_seccomp_compile(src, len, &o, &p, &n, &d)) {
		fprintf(stderr, "seccomp_bench: pfc: %s\n", d.msg);
		return 1;
	}
	o.no_enosys_stub = 1;	/* the rules alone, as libseccomp builds them */
	if (o.oci && fg_seccomp_compile(src, len, &o, &pn, &nn, &d)) {
		fprintf(stderr, "seccomp_bench: pfc: %s\n", d.msg);
		return 1;
	}
	if (sc_test_read(&c, &ar, src, len, &o, &d) ||
	    sc_libseccomp_build(&c.pol, (enum sc_arch)a, 1, &l1, &n1) ||
	    sc_libseccomp_build(&c.pol, (enum sc_arch)a, 2, &l2, &n2)) {
		fprintf(stderr, "seccomp_bench: libseccomp could not build the filter\n");
		return 1;
	}
	if (measure(p, n, sc_arch_audit((enum sc_arch)a), from, to, &sp) ||
	    measure(l1, n1, sc_arch_audit((enum sc_arch)a), from, to, &s1) ||
	    measure(l2, n2, sc_arch_audit((enum sc_arch)a), from, to, &s2))
		return 1;
	if (pn && measure(pn, nn, sc_arch_audit((enum sc_arch)a), from, to, &sn))
		return 1;
	printf("%s, %s, syscall numbers %u..%u:\n", argv[ai], arch, from, to);
	line(pn ? "pfc (with runc's ENOSYS stub)" : "pfc", &sp);
	if (pn)
		line("pfc --no-enosys-stub", &sn);
	line("libseccomp optimize=1", &s1);
	line("libseccomp optimize=2", &s2);
	printf("  pfc / libseccomp optimize=2: %.2fx instructions, %.2fx average executed, "
	       "%.2fx maximum\n", (double)sp.insns / (double)s2.insns, sp.avg / s2.avg,
	       (double)sp.max / (double)s2.max);
	if (a == SC_ARCH_X86_64)
		printf("  targets for x86_64 (at most 120 instructions, 12 average, 16 maximum): %s\n",
		       sp.insns <= 120 && sp.avg <= 12 && sp.max <= 16 ? "met" : "NOT met");
	fg_arena_destroy(&ar);
	cbpf_free(p);
	cbpf_free(pn);
	free(l1);
	free(l2);
	free(src);
	return 0;
}
