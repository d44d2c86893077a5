/*
 * interp_bench.c -- the interpreter's speed against libpcap's bpf_filter().
 *
 * usage: interp_bench [FILE.pcap [ROUNDS]]   (default tests/pcaps/sample.pcap, 5)
 * Loads every packet of the capture into memory, compiles a few realistic
 * filters with pcap_compile() for its link type, runs each many times over
 * all packets in both interpreters and prints the median ns per packet of
 * ROUNDS rounds and the ratio.  The verdicts of both are summed and must
 * agree, which also keeps the compiler from dropping the runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pcap/pcap.h>

#include "cbpf.h"

#define MAX_ROUNDS 31
/* Packet runs per round and interpreter: enough for ~0.1 s of work. */
#define RUNS_PER_ROUND 4000000UL

struct capture {
	uint8_t **data;
	uint32_t *caplen, *wirelen;
	size_t n;
	int linktype;
};

static const char *const filters[] = {
	"tcp port 80", "ip and udp", "ip6 or vlan", "host 198.18.0.1 and tcp",
};

static int load(const char *path, struct capture *c)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t cap = 0;

	if (!p) {
		fprintf(stderr, "interp_bench: %s\n", err);
		return -1;
	}
	c->linktype = pcap_datalink(p);
	while (pcap_next_ex(p, &h, &d) == 1) {
		if (c->n == cap) {
			cap = cap ? 2 * cap : 1024;
			c->data = realloc(c->data, cap * sizeof(*c->data));
			c->caplen = realloc(c->caplen, cap * sizeof(*c->caplen));
			c->wirelen = realloc(c->wirelen, cap * sizeof(*c->wirelen));
		}
		c->data[c->n] = malloc(h->caplen ? h->caplen : 1);
		memcpy(c->data[c->n], d, h->caplen);
		c->caplen[c->n] = h->caplen;
		c->wirelen[c->n] = h->len;
		c->n++;
	}
	pcap_close(p);
	return c->n ? 0 : -1;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* One round: loops passes over the capture; ns per packet, verdicts summed into *sum. */
static double round_vm(const struct cbpf_vm *vm, const struct capture *c, size_t loops,
		       uint64_t *sum)
{
	double t0 = now_ns();
	uint64_t s = 0;
	size_t l, i;

	for (l = 0; l < loops; l++)
		for (i = 0; i < c->n; i++)
			s += cbpf_vm_run(vm, c->data[i], c->wirelen[i], c->caplen[i], NULL);
	*sum = s;
	return (now_ns() - t0) / ((double)loops * c->n);
}

static double round_pcap(const struct bpf_insn *prog, const struct capture *c, size_t loops,
			 uint64_t *sum)
{
	double t0 = now_ns();
	uint64_t s = 0;
	size_t l, i;

	for (l = 0; l < loops; l++)
		for (i = 0; i < c->n; i++)
			s += bpf_filter(prog, c->data[i], c->wirelen[i], c->caplen[i]);
	*sum = s;
	return (now_ns() - t0) / ((double)loops * c->n);
}

static int bench_filter(const char *expr, const struct capture *c, int rounds)
{
	pcap_t *dead = pcap_open_dead(c->linktype, 262144);
	struct bpf_program bp;
	struct cbpf_vm *vm;
	double tv[MAX_ROUNDS], tp[MAX_ROUNDS], mv, mp;
	uint64_t sv = 0, sp = 0;
	size_t loops = RUNS_PER_ROUND / c->n + 1;
	int r, rc = 0;

	if (pcap_compile(dead, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		fprintf(stderr, "interp_bench: %s: %s\n", expr, pcap_geterr(dead));
		pcap_close(dead);
		return -1;
	}
	if (cbpf_vm_new((const struct cbpf_insn *)bp.bf_insns, bp.bf_len, 0, &vm) != 0) {
		fprintf(stderr, "interp_bench: %s: cbpf_vm_new refused the program\n", expr);
		rc = -1;
		goto out;
	}
	for (r = 0; r < rounds; r++) {
		tv[r] = round_vm(vm, c, loops, &sv);
		tp[r] = round_pcap(bp.bf_insns, c, loops, &sp);
	}
	mv = median(tv, rounds);
	mp = median(tp, rounds);
	printf("%-28s %6u %12.2f %12.2f %8.2fx%s\n", expr, bp.bf_len, mv, mp, mp / mv,
	       sv == sp ? "" : "  VERDICTS DIFFER");
	rc = sv == sp ? 0 : -1;
	cbpf_vm_free(vm);
out:
	pcap_freecode(&bp);
	pcap_close(dead);
	return rc;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "tests/pcaps/sample.pcap";
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	struct capture c = { 0 };
	size_t i;
	int rc = 0;

	if (rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: interp_bench [FILE.pcap [ROUNDS (1..%d)]]\n", MAX_ROUNDS);
		return 2;
	}
	if (load(path, &c) < 0)
		return 1;
	printf("%s: %zu packets, median of %d rounds of %lu runs each\n",
	       path, c.n, rounds, (RUNS_PER_ROUND / c.n + 1) * c.n);
	printf("%-28s %6s %12s %12s %9s\n", "filter", "insns", "cbpf ns/pkt", "pcap ns/pkt", "speedup");
	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		if (bench_filter(filters[i], &c, rounds) < 0)
			rc = 1;
	for (i = 0; i < c.n; i++)
		free(c.data[i]);
	free(c.data);
	free(c.caplen);
	free(c.wirelen);
	return rc;
}
