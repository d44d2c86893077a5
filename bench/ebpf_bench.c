/*
 * ebpf_bench.c -- pfc's eBPF translation against the kernel's own classic
 * converter, on the expressions of a file (EN10MB, optimized):
 *   size   eBPF instructions as the kernel reports them after verification
 *          (BPF_OBJ_GET_INFO_BY_FD xlated_prog_len) for the socket, tc and
 *          XDP translations, against the converter's expansion of the same
 *          classic program (bench/kconv.h);
 *   speed  ns per run under BPF_PROG_TEST_RUN (repeat 10^6, minus the same
 *          for a program that only returns, median of 3) on a TCP/IPv4
 *          frame.  The converter's own speed cannot be measured that way
 *          (classic programs cannot be test-run), and a filter's ~10 ns are
 *          lost in the noise of a 2 us AF_UNIX send on this shared machine.
 * usage: ebpf_bench [-v] EXPRESSIONS-FILE  (one per line; "DLT<TAB>expression" picks
 *        the link type, default EN10MB; '#' comments)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ebpf_translate.h"
#include "filtergen.h"
#include "kconv.h"

#ifndef REPEAT
#define REPEAT 1000000u
#endif
#define ROUNDS 3

static const uint8_t frame[74] = {
	0x02, 0, 0x5e, 0x10, 0, 1, 0x02, 0, 0x5e, 0x10, 0, 2, 0x08, 0x00,
	0x45, 0, 0, 60, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2,
	0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0xa0, 0x02, 0xfa, 0xf0, 0, 0, 0, 0,
	2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
};

struct sums {
	double kconv, xl[3], ns[3];
	size_t n, smaller;
};

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return v[n / 2];
}

static int load(const struct cbpf_insn *p, size_t n, enum ebt_target t, uint32_t *xlated)
{
	struct ebt_opts o = { sizeof(o), t, EBT_ACTION_NONE };
	struct ebt_insn *e = NULL;
	size_t ne = 0;
	int fd;

	if (ebt_translate(p, n, &o, &e, &ne, NULL, NULL) < 0)
		return -1;
	fd = ebt_prog_load(e, ne, t, NULL, 0);
	ebt_free(e);
	if (fd >= 0 && xlated && ebt_prog_xlated_count(fd, xlated) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Median ns per run of test-run, repeat 10^6. */
static double run_ns(int fd, enum ebt_target t)
{
	double v[ROUNDS];
	uint32_t ret, d = 0;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		if (ebt_test_run(fd, frame, sizeof(frame), REPEAT, &ret, &d) < 0)
			return -1;
		v[r] = d;
	}
	(void)t;
	return median(v, ROUNDS);
}

static const struct cbpf_insn ret_only[] = { { BPF_RET | BPF_K, 0, 0, 262144 } };

static void one(const char *line, struct sums *s, const double base[3], int verbose)
{
	const char *tab = strchr(line, '\t'), *expr = tab ? tab + 1 : line;
	char dlt_name[64] = "EN10MB";
	struct fg_compile_opts o;
	struct cbpf_insn *p = NULL;
	struct fg_diag d;
	uint32_t xl[3] = { 0, 0, 0 };
	double ns[3] = { 0, 0, 0 };
	size_t n = 0, kc;
	int t, fd[3];

	fg_compile_opts_init(&o);
	if (tab && (size_t)(tab - line) < sizeof(dlt_name)) {
		memcpy(dlt_name, line, (size_t)(tab - line));
		dlt_name[tab - line] = '\0';
	}
	if (fg_linktype_lookup(dlt_name, &o.linktype) < 0 ||
	    fg_compile(expr, strlen(expr), &o, &p, &n, &d) < 0)
		return;
	kc = kconv_count(p, n);
	for (t = 0; t < 3; t++) {
		fd[t] = load(p, n, (enum ebt_target)t, &xl[t]);
		if (fd[t] >= 0)
			ns[t] = run_ns(fd[t], (enum ebt_target)t) - base[t];
	}
	if (fd[0] >= 0 && fd[1] >= 0 && fd[2] >= 0) {
		s->kconv += (double)kc;
		for (t = 0; t < 3; t++)
			s->xl[t] += xl[t], s->ns[t] += ns[t];
		s->smaller += xl[0] < kc;
		s->n++;
	}
	if (verbose)
		printf("%-40.40s cbpf %3zu kernel %4zu | socket %4u tc %4u xdp %4u | ns %5.1f %5.1f %5.1f\n",
		       expr, n, kc, xl[0], xl[1], xl[2], ns[0], ns[1], ns[2]);
	for (t = 0; t < 3; t++)
		if (fd[t] >= 0)
			close(fd[t]);
	cbpf_free(p);
}

static int baselines(double base[3])
{
	int t, fd;

	for (t = 0; t < 3; t++) {
		fd = load(ret_only, 1, (enum ebt_target)t, NULL);
		if (fd < 0)
			return -1;
		base[t] = run_ns(fd, (enum ebt_target)t);
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sums s;
	double base[3];
	char line[4096];
	int verbose = argc > 2 && strcmp(argv[1], "-v") == 0;
	FILE *f = argc > 1 ? fopen(argv[argc - 1], "r") : NULL;

	if (!f) {
		fprintf(stderr, "usage: ebpf_bench [-v] EXPRESSIONS-FILE\n");
		return 2;
	}
	if (baselines(base) < 0) {
		printf("cannot load eBPF here (needs CAP_BPF): skipped\n");
		return 0;
	}
	memset(&s, 0, sizeof(s));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] && line[0] != '#')
			one(line, &s, base, verbose);
	}
	fclose(f);
	if (!s.n)
		return 1;
	printf("%zu expressions; eBPF instructions after the verifier (xlated), total:\n", s.n);
	printf("  kernel converter %.0f | pfc socket %.0f (%.2fx) tc %.0f (%.2fx) xdp %.0f (%.2fx); socket smaller on %zu/%zu\n",
	       s.kconv, s.xl[0], s.xl[0] / s.kconv, s.xl[1], s.xl[1] / s.kconv, s.xl[2],
	       s.xl[2] / s.kconv, s.smaller, s.n);
	printf("BPF_PROG_TEST_RUN ns per run (repeat 10^6, minus an empty program, median of %d), mean per expression:\n",
	       ROUNDS);
	printf("  socket %.1f  tc %.1f  xdp %.1f   (baselines %.1f %.1f %.1f)\n", s.ns[0] / s.n,
	       s.ns[1] / s.n, s.ns[2] / s.n, base[0], base[1], base[2]);
	return 0;
}
