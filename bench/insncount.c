/*
 * insncount.c -- instructions executed per packet: pfc's programs against
 * libpcap 1.10.3's optimized ones, counted by the same reference
 * interpreter (tests/filtergen/refvm.h) over every packet of the captures
 * in ../shared/pcaps of each link type (with truncated and mutated copies).
 *
 * usage: insncount EXPRESSIONS-FILE    (one expression per line, '#' comments;
 *        lines "DLT<TAB>expression" pick a link type, default EN10MB)
 * Prints per-expression means when -v is given, and the totals with ratios.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "filtergen.h"

struct totals {
	double ours, theirs;	/* sum over expressions of mean steps per packet */
	size_t size_ours, size_theirs, n, worse;
};

static double mean_steps(const struct cbpf_insn *p, size_t n, const struct corpus *c)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < c->n; i++)
		sum += refvm_run(p, n, c->p[i].data, c->p[i].wirelen, c->p[i].caplen).steps;
	return c->n ? sum / (double)c->n : 0;
}

static void one(const char *dlt_name, const char *expr, struct totals *t, int verbose)
{
	struct fg_compile_opts o;
	struct cbpf_insn *prog = NULL;
	struct bpf_program bp;
	struct fg_diag d;
	size_t n;
	int dlt;
	pcap_t *p;
	const struct corpus *c;
	double a, b;

	if (fg_linktype_lookup(dlt_name, &dlt) < 0)
		return;
	c = corpus_for(dlt);
	if (!c || c->n == 0)
		return;
	fg_compile_opts_init(&o);
	o.linktype = dlt;
	if (fg_compile(expr, strlen(expr), &o, &prog, &n, &d) < 0)
		return;
	p = pcap_open_dead(dlt, 262144);
	if (pcap_compile(p, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		pcap_close(p);
		cbpf_free(prog);
		return;
	}
	a = mean_steps(prog, n, c);
	b = mean_steps((const struct cbpf_insn *)bp.bf_insns, bp.bf_len, c);
	t->ours += a;
	t->theirs += b;
	t->size_ours += n;
	t->size_theirs += bp.bf_len;
	t->n++;
	t->worse += a > b + 1e-9;
	if (verbose)
		printf("%8.2f %8.2f  %-10s %s\n", a, b, dlt_name, expr);
	pcap_freecode(&bp);
	pcap_close(p);
	cbpf_free(prog);
}

int main(int argc, char **argv)
{
	struct totals t = { 0, 0, 0, 0, 0, 0 };
	int verbose = argc > 2 && strcmp(argv[1], "-v") == 0;
	const char *file = argv[argc - 1];
	char line[8192];
	FILE *f;

	if (argc < 2 || !(f = fopen(file, "r"))) {
		fprintf(stderr, "usage: insncount [-v] EXPRESSIONS-FILE\n");
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		char *tab, *expr = line, *dlt = "EN10MB";

		line[strcspn(line, "\n")] = '\0';
		if (!*line || *line == '#')
			continue;
		tab = strchr(line, '\t');
		if (tab) {
			*tab = '\0';
			dlt = line;
			expr = tab + 1;
		}
		one(dlt, expr, &t, verbose);
	}
	fclose(f);
	if (!t.n) {
		printf("no expression compiled by both with captures of its link type\n");
		return 0;
	}
	printf("%zu expressions: mean instructions executed per packet, summed: pfc %.1f, libpcap %.1f (%.2fx); "
	       "pfc executes more on %zu\n", t.n, t.ours, t.theirs, t.ours / t.theirs, t.worse);
	printf("program size, summed: pfc %zu, libpcap optimized %zu (%.2fx)\n", t.size_ours,
	       t.size_theirs, (double)t.size_ours / (double)t.size_theirs);
	return 0;
}
