/*
 * ebpf_bench.c -- pfc's eBPF translation against the kernel's own classic
 * converter, on the expressions of a file (EN10MB, optimized):
 *   size   eBPF instructions as the kernel reports them after verification
 *          (BPF_OBJ_GET_INFO_BY_FD xlated_prog_len) for the socket, tc and
 *          XDP translations, against the converter's expansion of the same
 *          classic program (bench/kconv.h);
 *   speed  ns per run under BPF_PROG_TEST_RUN (repeat 10^6, minus the same
 *          for a program that only returns, median of ROUNDS rounds, the
 *          programs alternating within each round) on a TCP/IPv4 frame, for
 *          the converter's program rebuilt by bench/kconv_gen.h (loaded as
 *          a tc program, see there for what it substitutes) and for ours.
 *          Every program sees the frame from L2: a socket filter under
 *          test-run sees the data after a 14-byte header, so it is given the
 *          frame behind a dummy header (EtherType 0x88b5, which the test-run
 *          does not parse).
 *          Socket filters are timed in both forms: portable (LD_ABS/LD_IND)
 *          and, where ebt_kernel_probe() allows, direct (skb->data read in
 *          place through kfuncs: "socket-k").
 *          The programs must return the same value on the frame; the
 *          expressions where they do not are counted and left out.
 * usage: ebpf_bench [-v | -q] [-n REPEAT] EXPRESSIONS-FILE  (one per line;
 *        "DLT<TAB>expression" picks the link type, default EN10MB; '#'
 *        comments); -q prints the totals only, -n sets the repeat count.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ebpf_translate.h"
#include "filtergen.h"
#include "kconv.h"
#include "kconv_gen.h"

#define ROUNDS 5
#define NPROG 5	/* socket, tc, xdp (enum ebt_target), the kernel converter, socket reading directly */
#define KCONV 3
#define SOCKK 4

/* The running kernel's facts for socket filters that read the packet directly. */
static struct ebt_kernel kern;
static int have_kern;

static const uint8_t frame[74] = {
	0x02, 0, 0x5e, 0x10, 0, 1, 0x02, 0, 0x5e, 0x10, 0, 2, 0x08, 0x00,
	0x45, 0, 0, 60, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2,
	0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0xa0, 0x02, 0xfa, 0xf0, 0, 0, 0, 0,
	2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
};

/* The frame behind a dummy link header, for the socket filter's test-run. */
static uint8_t shifted[14 + sizeof(frame)];

struct sums {
	double kconv, xl[4], ns[NPROG], ratio[4096], kratio[4096];
	size_t n, smaller, nratio, faster, disagree, nkratio, kfaster, ksmaller;
	uint32_t repeat;
	int verbose, quiet;
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

static int load(const struct cbpf_insn *p, size_t n, enum ebt_target t, uint32_t *xlated,
		const struct ebt_kernel *k)
{
	struct ebt_opts o = { sizeof(o), t, EBT_ACTION_NONE, k };
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

/* The kernel converter's program (bench/kconv_gen.h), as a tc program. */
static int load_kconv(const struct cbpf_insn *p, size_t n)
{
	struct ebt_insn *e = NULL;
	size_t ne = 0, kernel = 0;
	int fd;

	if (kconv_gen(p, n, &e, &ne, &kernel) < 0)
		return -1;
	fd = ebt_prog_load(e, ne, EBT_TARGET_TC, NULL, 0);
	free(e);
	return fd;
}

/* ns per run of one test-run; prog is 0..NPROG-1; its return value to *ret. */
static double run_once(int fd, int prog, uint32_t repeat, uint32_t *ret)
{
	uint32_t d = 0;
	int sock = prog == EBT_TARGET_SOCKET || prog == SOCKK;

	if (ebt_test_run(fd, sock ? shifted : frame, sock ? sizeof(shifted) : sizeof(frame), repeat,
			 ret, &d) < 0)
		return -1;
	return d;
}

/*
 * Median ns per run of each loaded program, the programs alternating in
 * every round.  Returns whether they all return the same value.
 */
static int run_all(const int fd[NPROG], double ns[NPROG], uint32_t repeat)
{
	double v[NPROG][ROUNDS];
	uint32_t ret[NPROG] = { 0 };
	int r, t, same = 1;

	for (r = 0; r < ROUNDS; r++)
		for (t = 0; t < NPROG; t++)
			v[t][r] = fd[t] >= 0 ? run_once(fd[t], t, repeat, &ret[t]) : -1;
	for (t = 0; t < NPROG; t++) {
		ns[t] = median(v[t], ROUNDS);
		same &= ret[t] == ret[0];
	}
	return same;
}

/* "3.50x", or "-" when the kernel's time is within the 1 ns resolution of zero. */
static const char *ratio_str(double ours, double kernel, char *buf, size_t size)
{
	if (kernel > 0.5)
		snprintf(buf, size, "%.2fx", ours / kernel);
	else
		snprintf(buf, size, "-");
	return buf;
}

static const struct cbpf_insn ret_only[] = { { BPF_RET | BPF_K, 0, 0, 262144 } };

static void one(const char *line, struct sums *s, const double base[NPROG])
{
	const char *tab = strchr(line, '\t'), *expr = tab ? tab + 1 : line;
	char dlt_name[64] = "EN10MB";
	struct fg_compile_opts o;
	struct cbpf_insn *p = NULL;
	struct fg_diag d;
	uint32_t xl[4] = { 0, 0, 0, 0 };
	double ns[NPROG];
	size_t n = 0, kc;
	char rs[32];
	int t, fd[NPROG], ok = 1, same;

	fg_compile_opts_init(&o);
	if (tab && (size_t)(tab - line) < sizeof(dlt_name)) {
		memcpy(dlt_name, line, (size_t)(tab - line));
		dlt_name[tab - line] = '\0';
	}
	if (fg_linktype_lookup(dlt_name, &o.linktype) < 0 ||
	    fg_compile(expr, strlen(expr), &o, &p, &n, &d) < 0)
		return;
	kc = kconv_count(p, n);
	for (t = 0; t < 3; t++)
		fd[t] = load(p, n, (enum ebt_target)t, &xl[t], NULL);
	fd[KCONV] = load_kconv(p, n);
	fd[SOCKK] = have_kern ? load(p, n, EBT_TARGET_SOCKET, &xl[3], &kern) : -1;
	same = run_all(fd, ns, s->repeat);
	for (t = 0; t < NPROG; t++) {
		if (t != SOCKK || have_kern)
			ok &= fd[t] >= 0 && ns[t] >= 0;
		ns[t] -= base[t];
	}
	s->disagree += ok && !same;
	ok &= same;
	if (ok) {
		s->kconv += (double)kc;
		for (t = 0; t < 4; t++)
			s->xl[t] += xl[t];
		for (t = 0; t < NPROG; t++)
			s->ns[t] += ns[t];
		s->smaller += xl[0] < kc;
		if (s->nratio < sizeof(s->ratio) / sizeof(s->ratio[0]) && ns[KCONV] > 0.5)
			s->ratio[s->nratio++] = ns[0] / ns[KCONV];
		s->faster += ns[0] < ns[KCONV];
		if (have_kern && s->nkratio < sizeof(s->kratio) / sizeof(s->kratio[0]) &&
		    ns[KCONV] > 0.5)
			s->kratio[s->nkratio++] = ns[SOCKK] / ns[KCONV];
		s->kfaster += ns[SOCKK] <= ns[KCONV];
		s->ksmaller += xl[3] < kc;
		s->n++;
	}
	if (s->verbose)
		printf("%-40.40s cbpf %3zu kernel %4zu | socket %4u tc %4u xdp %4u socket-k %4u\n",
		       expr, n, kc, xl[0], xl[1], xl[2], xl[3]);
	if (s->quiet)
		;
	else if (ok)
		printf("  %-40.40s ns: kernel %5.1f  pfc socket %5.1f (%s) tc %5.1f xdp %5.1f socket-k %5.1f\n",
		       expr, ns[KCONV], ns[0], ratio_str(ns[0], ns[KCONV], rs, sizeof(rs)), ns[1],
		       ns[2], ns[SOCKK]);
	else
		printf("  %-40.40s (not measured: %s)\n", expr,
		       same ? "a program did not load" : "the programs return different values");
	for (t = 0; t < NPROG; t++)
		if (fd[t] >= 0)
			close(fd[t]);
	cbpf_free(p);
}

static int baselines(double base[NPROG], uint32_t repeat)
{
	int t, fd[NPROG];

	for (t = 0; t < 3; t++)
		fd[t] = load(ret_only, 1, (enum ebt_target)t, NULL, NULL);
	fd[KCONV] = load_kconv(ret_only, 1);
	fd[SOCKK] = load(ret_only, 1, EBT_TARGET_SOCKET, NULL, NULL);
	run_all(fd, base, repeat);
	for (t = 0; t < NPROG; t++) {
		if (fd[t] < 0 || base[t] < 0)
			return -1;
		close(fd[t]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sums s;
	double base[NPROG];
	char line[4096];
	FILE *f = NULL;
	int i;

	memset(&s, 0, sizeof(s));
	s.repeat = 1000000u;
	for (i = 1; i < argc - 1; i++) {
		if (strcmp(argv[i], "-v") == 0)
			s.verbose = 1;
		else if (strcmp(argv[i], "-q") == 0)
			s.quiet = 1;
		else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc - 1)
			s.repeat = (uint32_t)strtoul(argv[++i], NULL, 10);
	}
	if (argc > 1)
		f = fopen(argv[argc - 1], "r");
	if (!f || !s.repeat) {
		fprintf(stderr, "usage: ebpf_bench [-v | -q] [-n REPEAT] EXPRESSIONS-FILE\n");
		return 2;
	}
	shifted[12] = 0x88, shifted[13] = 0xb5;
	memcpy(shifted + 14, frame, sizeof(frame));
	have_kern = ebt_kernel_probe(&kern) == 0;
	if (baselines(base, s.repeat) < 0) {
		printf("cannot load eBPF here (needs CAP_BPF): skipped\n");
		fclose(f);
		return 0;
	}
	if (!s.quiet)
		printf("BPF_PROG_TEST_RUN ns per run on a TCP/IPv4 frame (repeat %u, minus an empty program, median of %d, alternating):\n",
		       s.repeat, ROUNDS);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] && line[0] != '#')
			one(line, &s, base);
	}
	fclose(f);
	if (!s.n)
		return 1;
	printf("%zu expressions measured (%zu left out: the programs disagree on the frame); eBPF instructions after the verifier (xlated), total:\n",
	       s.n, s.disagree);
	printf("  kernel converter %.0f | pfc socket %.0f (%.2fx) tc %.0f (%.2fx) xdp %.0f (%.2fx); socket smaller on %zu/%zu\n",
	       s.kconv, s.xl[0], s.xl[0] / s.kconv, s.xl[1], s.xl[1] / s.kconv, s.xl[2],
	       s.xl[2] / s.kconv, s.smaller, s.n);
	printf("ns per run (repeat %u, median of %d), mean per expression: kernel converter %.1f | pfc socket %.1f (%.2fx) tc %.1f (%.2fx) xdp %.1f\n",
	       s.repeat, ROUNDS, s.ns[KCONV] / s.n, s.ns[0] / s.n, s.ns[0] / s.ns[KCONV],
	       s.ns[1] / s.n, s.ns[1] / s.ns[KCONV], s.ns[2] / s.n);
	if (have_kern)
		printf("socket reading the packet directly (kfuncs, this kernel): xlated %.0f (%.2fx), smaller on %zu/%zu; %.1f ns (%.2fx), median ratio %.2fx, not slower on %zu/%zu\n",
		       s.xl[3], s.xl[3] / s.kconv, s.ksmaller, s.n, s.ns[SOCKK] / s.n,
		       s.ns[SOCKK] / s.ns[KCONV], s.nkratio ? median(s.kratio, (int)s.nkratio) : 0.0,
		       s.kfaster, s.n);
	else
		printf("socket reading the packet directly: not available on this kernel (needs 6.16+ BTF, kfuncs, CAP_PERFMON)\n");
	if (s.nratio)
		printf("  pfc socket / kernel converter: median ratio %.2fx, socket faster on %zu/%zu   (baselines socket %.1f tc %.1f xdp %.1f kernel %.1f)\n",
		       median(s.ratio, (int)s.nratio), s.faster, s.n, base[0], base[1], base[2],
		       base[KCONV]);
	return 0;
}
