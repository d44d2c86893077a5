/*
 * kconv_t.c -- bench/kconv_gen.h, the kernel converter's program rebuilt for
 * timing, against its references, so that make bench compares equivalent
 * programs:
 *   length   the generator's account of the converter's length equals
 *            bench/kconv.h's count, for every program;
 *   verdict  loaded as a tc program, BPF_PROG_TEST_RUN returns on every test
 *            packet (from L2) what cbpf_vm_run returns;
 * over the expressions of tests/cli/exprs.txt (EN10MB) and valid random
 * programs (tests/cbpf/randprog.h).  Random programs that shift by X (the
 * kernel masks the count, libpcap gives 0 for counts >= 32), load at a
 * negative offset (the kernel's SKF_NET_OFF/SKF_LL_OFF helpers) or hold
 * unreachable code (the verifier refuses it, the converter never runs one)
 * are left out of the verdict check: the rebuilt program follows the kernel.
 * Needs CAP_BPF (root): without it the verdict cases are skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corpus.h"
#include "ebpf_translate.h"
#include "filtergen.h"
#include "kconv.h"
#include "kconv_gen.h"
#include "randprog.h"
#include "tap.h"

#define MAXPKTS 200

struct pkts {
	const uint8_t *data[MAXPKTS];
	uint32_t len[MAXPKTS];
	size_t n;
};

/* The skb test-run refuses an IPv4 (IPv6) frame without a whole IPv4 (IPv6) header. */
static int skb_takes(const uint8_t *d, uint32_t len)
{
	uint16_t type = (uint16_t)(d[12] << 8 | d[13]);

	return !((type == 0x0800 && len < 14 + 20) || (type == 0x86dd && len < 14 + 40));
}

static void add_pkt(struct pkts *p, const uint8_t *d, uint32_t len)
{
	if (p->n < MAXPKTS && len >= 14 && skb_takes(d, len)) {
		p->data[p->n] = d;
		p->len[p->n++] = len;
	}
}

static void pick_packets(struct pkts *p, struct rp_rng *r)
{
	static uint8_t made[60][128];
	const struct corpus *c = corpus_for(1);
	size_t i, j, step = c && c->n ? c->n / (MAXPKTS - 60) + 1 : 1;

	for (i = 0; c && i < c->n; i += step)
		add_pkt(p, c->p[i].data, c->p[i].caplen);
	for (i = 0; i < 60; i++) {
		for (j = 0; j < sizeof(made[i]); j++)
			made[i][j] = (uint8_t)rp_below(r, 256);
		made[i][12] = i % 3 ? 0x08 : 0x86;
		made[i][13] = i % 3 == 1 ? 0x00 : i % 3 == 2 ? 0x06 : 0xdd;
		made[i][14] = i % 3 == 1 ? 0x45 : 0x60;
		add_pkt(p, made[i], 14 + 40 + (uint32_t)(i * 7 % 75));
	}
}

/* Programs whose verdict the kernel and libpcap define differently. */
static int shifts_by_x(const struct cbpf_insn *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (BPF_CLASS(p[i].code) == BPF_ALU && BPF_SRC(p[i].code) == BPF_X &&
		    (BPF_OP(p[i].code) == BPF_LSH || BPF_OP(p[i].code) == BPF_RSH))
			return 1;
	return 0;
}

/*
 * Programs the verifier or the kernel see differently from the interpreter:
 * unreachable instructions (the verifier refuses them; the converter does
 * not run it) and packet loads at negative offsets (SKF_NET_OFF and
 * SKF_LL_OFF ranges, which the kernel's helpers serve and libpcap refuses).
 */
static int kernel_only(const struct cbpf_insn *p, size_t n)
{
	uint8_t seen[64] = { 1 };
	size_t i;

	for (i = 0; i < n && i < sizeof(seen); i++) {
		uint16_t c = p[i].code;

		if (!seen[i] || (BPF_CLASS(c) == BPF_LD && BPF_MODE(c) == BPF_ABS &&
				 (int32_t)p[i].k < 0))
			return 1;
		if (BPF_CLASS(c) == BPF_RET)
			continue;
		if (BPF_CLASS(c) != BPF_JMP) {
			seen[i + 1] = 1;
		} else if (BPF_OP(c) == BPF_JA) {
			if (i + 1 + p[i].k < sizeof(seen))
				seen[i + 1 + p[i].k] = 1;
		} else {
			seen[i + 1 + p[i].jt] = seen[i + 1 + p[i].jf] = 1;
		}
	}
	return 0;
}

/* Returns the packets where the rebuilt converter and the interpreter differ, or -1. */
static int run_all(const struct ebt_insn *e, size_t ne, const struct cbpf_insn *p, size_t n,
		   const struct pkts *pk, char *log, size_t logsz)
{
	struct cbpf_vm *vm = NULL;
	int fd = ebt_prog_load(e, ne, EBT_TARGET_TC, log, logsz), bad = 0;
	size_t i;

	if (fd < 0 || cbpf_vm_new(p, n, 0, &vm) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (i = 0; i < pk->n; i++) {
		uint32_t got = 0, want = cbpf_vm_run(vm, pk->data[i], pk->len[i], pk->len[i], NULL);

		if (ebt_test_run(fd, pk->data[i], pk->len[i], 0, &got, NULL) < 0 || got != want) {
			if (!bad++)
				tap_diag("  packet %zu (%u bytes): got %u, want %u", i, pk->len[i], got, want);
		}
	}
	cbpf_vm_free(vm);
	close(fd);
	return bad;
}

/* Random programs the checks pass by, counted instead of one SKIP line each. */
struct tally {
	int not_rebuilt, length_only, verdicts;
};

/*
 * Generate the converter's program for p, check its length and (verdicts)
 * its verdicts.  With t, the cases left out are counted there, not skipped.
 */
static void one(const char *what, const struct cbpf_insn *p, size_t n, const struct pkts *pk,
		int can_bpf, int verdicts, struct tally *t)
{
	static char log[1 << 16];
	struct ebt_insn *e = NULL;
	size_t ne = 0, kernel = 0;
	int rc = kconv_gen(p, n, &e, &ne, &kernel), bad;

	if (rc == -EOPNOTSUPP) {
		if (t)
			t->not_rebuilt++;
		else
			tap_skip("%s: not rebuilt (ancillary load or offset over 0xfff0)", what);
		return;
	}
	if (!tap_ok(rc == 0, "%s: generated", what))
		return;
	tap_is_int(kernel, kconv_count(p, n), "%s: converter length %zu = kconv_count", what, kernel);
	if (!verdicts && t) {
		t->length_only++;
	} else if (!verdicts) {
		tap_skip("%s: kernel and libpcap differ (shift by X, unreachable code or ld [-k])",
			 what);
	} else if (!can_bpf) {
		tap_skip("%s: no CAP_BPF", what);
	} else {
		log[0] = '\0';
		bad = run_all(e, ne, p, n, pk, log, sizeof(log));
		if (!tap_ok(bad == 0, "%s: same verdict as cbpf_vm_run on %zu packets", what, pk->n))
			tap_diag("  %d differ%s%.2000s", bad, bad < 0 ? ": load failed\n" : "", log);
		if (t)
			t->verdicts++;
	}
	free(e);
}

static void exprs(const struct pkts *pk, int can_bpf)
{
	const char *top = getenv("top_srcdir");
	char path[4096], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/cli/exprs.txt", top ? top : ".");
	f = fopen(path, "r");
	if (!f) {
		tap_skip("%s: not found", path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		struct fg_compile_opts o;
		struct cbpf_insn *p = NULL;
		struct fg_diag d;
		size_t n = 0;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		fg_compile_opts_init(&o);
		if (fg_linktype_lookup("EN10MB", &o.linktype) < 0 ||
		    fg_compile(line, strlen(line), &o, &p, &n, &d) < 0)
			continue;
		one(line, p, n, pk, can_bpf, 1, NULL);
		cbpf_free(p);
	}
	fclose(f);
}

int main(void)
{
	static const struct cbpf_insn ret0[] = { { BPF_RET | BPF_K, 0, 0, 0 } };
	struct cbpf_insn prog[64];
	struct ebt_insn *e = NULL;
	struct rp_rng r;
	struct pkts pk;
	struct tally t = { 0, 0, 0 };
	size_t ne = 0, kernel = 0;
	int i, fd, can_bpf;

	memset(&pk, 0, sizeof(pk));
	rp_seed(&r, 4242);
	pick_packets(&pk, &r);
	tap_ok(pk.n >= 60, "%zu test packets", pk.n);
	tap_is_int(kconv_gen(ret0, 1, &e, &ne, &kernel), 0, "ret #0 generated");
	tap_is_int(ne, 5, "ret #0: xor, xor, mov ctx, mov, exit");
	fd = ebt_prog_load(e, ne, EBT_TARGET_TC, NULL, 0);
	can_bpf = fd >= 0;
	if (fd >= 0)
		close(fd);
	free(e);
	exprs(&pk, can_bpf);
	for (i = 0; i < 500; i++) {
		size_t n = rp_program(&r, prog, 64, RP_VALID);
		char what[64];

		snprintf(what, sizeof(what), "random program %d (%zu insns)", i, n);
		one(what, prog, n, &pk, can_bpf, !shifts_by_x(prog, n) && !kernel_only(prog, n), &t);
	}
	/* seed 4242: 39 programs are verdict-checked; far fewer means the checks lost their reach */
	tap_ok(!can_bpf || t.verdicts >= 30,
	       "random programs: %d verdict-checked, %d length only (kernel and libpcap differ: "
	       "shift by X, unreachable code or ld [-k]), %d not rebuilt (ancillary loads)",
	       t.verdicts, t.length_only, t.not_rebuilt);
	return tap_done();
}
