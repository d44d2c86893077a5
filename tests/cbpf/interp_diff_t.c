/*
 * interp_diff_t.c -- the interpreter against libpcap's bpf_filter().
 *
 * Programs: filters compiled by pcap_compile() (optimised and not) and
 * random programs the kernel would accept (randprog's RP_VALID, with
 * ancillary loads, which both must treat as out of range without meta).
 * Packets: every packet of every $PFC_SHARED/pcaps/ ** / *.pcap and of
 * tests/pcaps/sample.pcap, each also truncated at a random length and with
 * a few bytes changed.  Every program runs on every packet in both
 * interpreters and the verdicts must be equal.  One TAP line per compiled
 * filter and per capture file; the total number of comparisons is printed.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <pcap/pcap.h>

#include "cbpf.h"
#include "randprog.h"
#include "tap.h"

#ifndef DIFF_RANDOM_PROGRAMS
#define DIFF_RANDOM_PROGRAMS 3000
#endif
#define RANDOM_MAX_LEN 48
#define SNAPLEN 262144

struct prog {
	struct bpf_insn *insns;		/* libpcap's copy */
	size_t len;
	struct cbpf_vm *vm;
	char name[96];
};

struct packet {
	uint8_t *data;			/* exactly caplen bytes, so ASan sees over-reads */
	uint32_t caplen, wirelen;
};

struct pkts {
	struct packet *v;
	size_t n, cap;
};

static const char *const exprs[] = {
	"tcp port 80", "ip and udp", "ip6 or vlan", "host 198.18.0.1 and tcp",
	"icmp", "arp", "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0",
	"ip[6:2] & 0x1fff = 0", "udp portrange 1-1024", "vlan and tcp",
	"ip6 and tcp port 443", "ip6 protochain 6", "ip protochain 17",
	"ether broadcast", "not ip", "len > 100", "less 64", "greater 1000",
	"ether[0] & 1 = 1", "ip[0] & 0xf != 5", "tcp[13] = 2",
	"udp and (port 53 or port 67)", "ip host 198.18.0.1 and not port 22",
	"net 198.18.0.0/15", "ip6 net 2001:2::/48", "ip proto 47", "mpls",
	"pppoes and ip", "ip multicast", "ether proto 0x88cc", "geneve", "icmp6",
	"ip6[40] = 135", "tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420",
	"ip[2:2] / 4 > 100", "ip[2:2] % 7 = 3", "(ip[2:2] * 3) - 1 > 200",
	"ip[8] << 2 > 10", "ip[8] >> 1 = 32", "ip[2:2] & ip[4:2] != 0",
	"ip[2:2] ^ 0xff = 0", "ip[1] - ip[2] < 5", "ip[8] / ip[9] > 0",
	"ip[8] % ip[9] > 1", "-ip[8] = 0", "ip[0] | 1 = 0x45",
	"ip[9] << ip[0] > 1000", "ip[9] >> ip[1] = 0", "tcp dst port 443 and len < 200",
	"vlan 100 and ip", "udp[8:4] = 0x12345678 or tcp[20:2] = 0x1603",
	"ip[ip[0] & 0xf] = 0", "ether[len - 1] = 0", "ip6 and ip6[6] = 58",
};

static void pkts_add(struct pkts *p, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct packet *k;

	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 1024;
		p->v = realloc(p->v, p->cap * sizeof(*p->v));
	}
	k = &p->v[p->n++];
	k->data = malloc(caplen ? caplen : 1);
	memcpy(k->data, data, caplen);
	k->caplen = caplen;
	k->wirelen = wirelen;
}

static void pkts_clear(struct pkts *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i].data);
	p->n = 0;
}

/* Every packet of path, each also truncated and with a few bytes changed. */
static int read_file(const char *path, struct pkts *p, struct rp_rng *rng, char *err)
{
	pcap_t *pc = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *d;

	if (!pc)
		return -1;
	while (pcap_next_ex(pc, &h, &d) == 1) {
		static uint8_t buf[SNAPLEN];
		uint32_t cl = h->caplen < SNAPLEN ? h->caplen : SNAPLEN, i, n;

		pkts_add(p, d, cl, h->len);
		pkts_add(p, d, cl ? rp_below(rng, cl) : 0, h->len);
		memcpy(buf, d, cl);
		for (n = 0; cl && n < 4; n++) {
			i = rp_below(rng, cl < 80 ? cl : 80);
			buf[i] ^= (uint8_t)(1u << rp_below(rng, 8));
		}
		pkts_add(p, buf, cl, rp_below(rng, 4) ? h->len : cl);
	}
	pcap_close(pc);
	return 0;
}

static int prog_make(struct prog *pr, const struct bpf_insn *insns, size_t len, const char *name)
{
	pr->insns = malloc(len * sizeof(*insns));
	memcpy(pr->insns, insns, len * sizeof(*insns));
	pr->len = len;
	snprintf(pr->name, sizeof(pr->name), "%s", name);
	return cbpf_vm_new((const struct cbpf_insn *)insns, len, 0, &pr->vm);
}

static void prog_dump(const struct prog *pr)
{
	size_t i;

	tap_diag("  program %s (%zu insns):", pr->name, pr->len);
	for (i = 0; i < pr->len; i++)
		tap_diag("    { 0x%02x, %u, %u, 0x%08x },", pr->insns[i].code, pr->insns[i].jt,
			 pr->insns[i].jf, pr->insns[i].k);
}

static size_t add_compiled(struct prog *progs)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, SNAPLEN);
	size_t n = 0, e;
	int opt;

	for (e = 0; e < sizeof(exprs) / sizeof(exprs[0]); e++) {
		for (opt = 1; opt >= 0; opt--) {
			struct bpf_program bp;
			char name[96];
			int rc;

			snprintf(name, sizeof(name), "'%s'%s", exprs[e], opt ? "" : " -O0");
			if (pcap_compile(dead, &bp, exprs[e], opt, PCAP_NETMASK_UNKNOWN) != 0) {
				tap_ok(0, "compile %s: %s", name, pcap_geterr(dead));
				continue;
			}
			rc = prog_make(&progs[n], bp.bf_insns, bp.bf_len, name);
			tap_ok(rc == 0, "cbpf_vm_new accepts %s (%u insns)", name, bp.bf_len);
			pcap_freecode(&bp);
			if (rc == 0)
				n++;
			else
				free(progs[n].insns);
		}
	}
	pcap_close(dead);
	return n;
}

static size_t add_random(struct prog *progs, size_t n, struct rp_rng *rng)
{
	struct cbpf_insn buf[RANDOM_MAX_LEN];
	size_t i, made = 0, refused = 0;

	for (i = 0; i < DIFF_RANDOM_PROGRAMS; i++) {
		size_t len = rp_program(rng, buf, RANDOM_MAX_LEN, RP_VALID | RP_ANC);
		char name[32];

		snprintf(name, sizeof(name), "random #%zu", i);
		if (prog_make(&progs[n + made], (const struct bpf_insn *)buf, len, name) == 0) {
			made++;
		} else {
			if (refused++ == 0)
				prog_dump(&progs[n + made]);
			free(progs[n + made].insns);
		}
	}
	tap_ok(refused == 0, "cbpf_vm_new accepts all %d random valid programs (%zu refused)",
	       DIFF_RANDOM_PROGRAMS, refused);
	return made;
}

static unsigned long long comparisons;

/* Run every program over every packet; one TAP line for the file. */
static void compare_file(const char *path, const struct pkts *p, const struct prog *progs, size_t np)
{
	size_t i, j, bad = 0;

	for (i = 0; i < np; i++) {
		for (j = 0; j < p->n; j++) {
			const struct packet *k = &p->v[j];
			uint32_t want = bpf_filter(progs[i].insns, k->data, k->wirelen, k->caplen);
			uint32_t got = cbpf_vm_run(progs[i].vm, k->data, k->wirelen, k->caplen, NULL);

			comparisons++;
			if (got == want)
				continue;
			if (bad++ == 0) {
				tap_diag("  packet %zu (caplen %u, wirelen %u): cbpf %u, libpcap %u",
					 j, k->caplen, k->wirelen, got, want);
				prog_dump(&progs[i]);
			}
		}
	}
	tap_ok(bad == 0, "%s: %zu programs x %zu packets agree (%zu differ)", path, np, p->n, bad);
}

static void run_path(const char *path, const struct prog *progs, size_t np, struct rp_rng *rng)
{
	struct pkts p = { 0 };
	char err[PCAP_ERRBUF_SIZE];

	if (read_file(path, &p, rng, err) < 0) {
		tap_skip("%s: %s", path, err);
		return;
	}
	compare_file(path, &p, progs, np);
	pkts_clear(&p);
	free(p.v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* All *.pcap under dir, in name order, appended to *list. */
static void find_pcaps(const char *dir, char ***list, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		size_t l = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			find_pcaps(path, list, n);
		} else if (l > 5 && strcmp(e->d_name + l - 5, ".pcap") == 0) {
			*list = realloc(*list, (*n + 1) * sizeof(**list));
			(*list)[(*n)++] = strdup(path);
		}
	}
	closedir(d);
}

static void run_shared(const struct prog *progs, size_t np, struct rp_rng *rng)
{
	const char *shared = getenv("PFC_SHARED");
	const char *srcdir = getenv("top_srcdir");
	char dir[4096];
	char **list = NULL;
	size_t n = 0, i;
	struct stat st;

	if (shared && *shared)
		snprintf(dir, sizeof(dir), "%s/pcaps", shared);
	else
		snprintf(dir, sizeof(dir), "%s/../shared/pcaps", srcdir ? srcdir : ".");
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		tap_skip("no shared captures in %s", dir);
		return;
	}
	find_pcaps(dir, &list, &n);
	qsort(list, n, sizeof(*list), cmp_str);
	for (i = 0; i < n; i++) {
		run_path(list[i], progs, np, rng);
		free(list[i]);
	}
	free(list);
}

int main(void)
{
	const char *builddir = getenv("top_builddir");
	struct prog *progs = calloc(sizeof(exprs) / sizeof(exprs[0]) * 2 + DIFF_RANDOM_PROGRAMS,
				    sizeof(*progs));
	struct rp_rng rng;
	char sample[4096];
	size_t np, i;
	clock_t t0 = clock();

	rp_seed(&rng, 0x1e7c0ffee);
	np = add_compiled(progs);
	np += add_random(progs, np, &rng);
	snprintf(sample, sizeof(sample), "%s/tests/pcaps/sample.pcap", builddir ? builddir : ".");
	run_path(sample, progs, np, &rng);
	run_shared(progs, np, &rng);
	tap_diag("%llu program x packet comparisons in %.1f s", comparisons,
		 (double)(clock() - t0) / CLOCKS_PER_SEC);
	for (i = 0; i < np; i++) {
		cbpf_vm_free(progs[i].vm);
		free(progs[i].insns);
	}
	free(progs);
	return tap_done();
}
