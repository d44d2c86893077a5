/*
 * tc_prog_t.c -- the capture-filter -> cls_bpf rewrite (src/capture/tc_prog.c)
 * and cap_tc_linktype().
 *
 * Exact rewrites of small programs for each action; the length and divisor
 * guards of direct-action mode; `ret a` expanded with the jumps over it
 * stretched; the limits (-E2BIG, -EOPNOTSUPP); and a differential check:
 * for compiled expressions over every prefix of every packet of the sample
 * capture (as the kernel sees an skb: all of it there), the rewritten
 * program returns the match verdict exactly where the original returns
 * non-zero and the no-match verdict everywhere else, in each mode.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "filtergen.h"
#include "tap.h"
#include "tc_int.h"

#define RETK(k) { BPF_RET | BPF_K, 0, 0, (k) }
#define UNSPEC 0xffffffffu

static const char *action_name[] = { "drop", "pass", "mirror" };
static const uint32_t want_match[] = { 2, 0, UNSPEC };
static const uint32_t want_nomatch[] = { UNSPEC, UNSPEC, 0 };

static int same(const struct cbpf_insn *a, const struct cbpf_insn *b, size_t n)
{
	return memcmp(a, b, n * sizeof(*a)) == 0;
}

static void test_simple(void)
{
	static const struct cbpf_insn prog[] = {
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 12 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0x800 },
		RETK(262144),
		RETK(0),
	};
	struct cbpf_insn *out = NULL;
	size_t n = 0;
	int a, rc;

	/* mirror (not direct-action): a failed load returns 0, "no match" already */
	rc = tc_prog_rewrite(prog, 4, CAP_TC_MIRROR, &out, &n);
	tap_ok(rc == 0 && n == 4 && same(out, prog, 2) && out[2].k == UNSPEC && out[3].k == 0,
	       "mirror: only the returns change");
	free(out);
	for (a = CAP_TC_DROP; a <= CAP_TC_PASS; a++) {
		const struct cbpf_insn want[] = {
			{ BPF_LD | BPF_W | BPF_LEN, 0, 0, 0 },
			{ BPF_JMP | BPF_JGE | BPF_K, 0, 3, 14 },	/* to the program's own ret */
			{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 12 },
			{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0x800 },
			RETK(want_match[a]),
			RETK(UNSPEC),
		};

		out = NULL;
		rc = tc_prog_rewrite(prog, 4, (enum cap_tc_action)a, &out, &n);
		tap_ok(rc == 0 && n == 6 && same(out, want, 6),
		       "%s: a length guard before the load, the returns rewritten", action_name[a]);
		free(out);
	}
}

/* A guard whose nearest `ret #0` is out of a jump's reach keeps its own return. */
static void test_far_exit(void)
{
	struct cbpf_insn p[302], *out = NULL;
	size_t i, n = 0;
	int rc;

	p[0] = (struct cbpf_insn){ BPF_LD | BPF_H | BPF_ABS, 0, 0, 12 };
	for (i = 1; i < 300; i++)
		p[i] = (struct cbpf_insn){ BPF_LD | BPF_IMM, 0, 0, 0 };
	p[300] = (struct cbpf_insn)RETK(1);
	p[301] = (struct cbpf_insn)RETK(0);
	rc = tc_prog_rewrite(p, 302, CAP_TC_DROP, &out, &n);
	tap_ok(rc == 0 && n == 305 && out[1].code == (BPF_JMP | BPF_JGE | BPF_K) && out[1].jt == 1 &&
	       out[1].jf == 0 && out[2].code == (BPF_RET | BPF_K) && out[2].k == UNSPEC,
	       "a ret #0 301 instructions on: the guard returns by itself");
	tap_is_int(rc == 0 ? cbpf_validate(out, n, CBPF_FLAVOR_SOCKET, NULL) : -1, 0,
		   "... and the program is valid");
	free(out);
}

/* Direct-action guards: one per load the earlier ones do not imply. */
static void test_guards(void)
{
	static const struct cbpf_insn prog[] = {
		{ BPF_LD | BPF_B | BPF_ABS, 0, 0, 23 },		/* 0: guard 24 */
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 20 },		/* 1: implied */
		{ BPF_LDX | BPF_B | BPF_MSH, 0, 0, 14 },	/* 2: implied */
		{ BPF_LD | BPF_H | BPF_IND, 0, 0, 16 },		/* 3: len - 18 >= X (18 <= 24 known) */
		{ BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0 },		/* 4: X may be 0 */
		{ BPF_LDX | BPF_B | BPF_MSH, 0, 0, 30 },	/* 5: guard 31 (A live) */
		RETK(1),
	};
	static const struct cbpf_insn want[] = {
		{ BPF_LD | BPF_W | BPF_LEN, 0, 0, 0 },
		{ BPF_JMP | BPF_JGE | BPF_K, 1, 0, 24 },
		RETK(UNSPEC),
		{ BPF_LD | BPF_B | BPF_ABS, 0, 0, 23 },
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 20 },
		{ BPF_LDX | BPF_B | BPF_MSH, 0, 0, 14 },
		{ BPF_LD | BPF_W | BPF_LEN, 0, 0, 0 },
		{ BPF_ALU | BPF_SUB | BPF_K, 0, 0, 18 },
		{ BPF_JMP | BPF_JGE | BPF_X, 1, 0, 0 },
		RETK(UNSPEC),
		{ BPF_LD | BPF_H | BPF_IND, 0, 0, 16 },
		{ BPF_ST, 0, 0, 15 },
		{ BPF_MISC | BPF_TXA, 0, 0, 0 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0 },
		RETK(UNSPEC),
		{ BPF_LD | BPF_MEM, 0, 0, 15 },
		{ BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0 },
		{ BPF_ST, 0, 0, 15 },
		{ BPF_LD | BPF_W | BPF_LEN, 0, 0, 0 },
		{ BPF_JMP | BPF_JGE | BPF_K, 1, 0, 31 },
		RETK(UNSPEC),
		{ BPF_LD | BPF_MEM, 0, 0, 15 },
		{ BPF_LDX | BPF_B | BPF_MSH, 0, 0, 30 },
		RETK(2),
	};
	size_t nw = sizeof(want) / sizeof(want[0]), n = 0;
	struct cbpf_insn *out = NULL, full[CBPF_MEMWORDS + 2];
	int rc = tc_prog_rewrite(prog, sizeof(prog) / sizeof(prog[0]), CAP_TC_DROP, &out, &n);
	unsigned i;

	tap_ok(rc == 0 && n == nw && same(out, want, nw),
	       "guards: ABS once per length, MSH with A saved, IND against len - k, DIV by X");
	tap_is_int(rc == 0 ? cbpf_validate(out, n, CBPF_FLAVOR_SOCKET, NULL) : -1, 0,
		   "guards: the result is a valid socket filter");
	free(out);
	{
		static const struct cbpf_insn ind[] = {
			{ BPF_LDX | BPF_IMM, 0, 0, 4 },
			{ BPF_LD | BPF_W | BPF_IND, 0, 0, 2 },
			RETK(1),
		};
		static const struct cbpf_insn want_ind[] = {
			{ BPF_LDX | BPF_IMM, 0, 0, 4 },
			{ BPF_LD | BPF_W | BPF_LEN, 0, 0, 0 },
			{ BPF_JMP | BPF_JGE | BPF_K, 0, 2, 6 },
			{ BPF_ALU | BPF_SUB | BPF_K, 0, 0, 6 },
			{ BPF_JMP | BPF_JGE | BPF_X, 1, 0, 0 },
			RETK(UNSPEC),
			{ BPF_LD | BPF_W | BPF_IND, 0, 0, 2 },
			RETK(0),
		};

		out = NULL;
		rc = tc_prog_rewrite(ind, 3, CAP_TC_PASS, &out, &n);
		tap_ok(rc == 0 && n == 8 && same(out, want_ind, 8),
		       "IND with nothing known: len >= k + size first, then len - (k + size) >= X");
		free(out);
	}
	/* a program using all 16 scratch words leaves none for a guard that needs one */
	for (i = 0; i < CBPF_MEMWORDS; i++)
		full[i] = (struct cbpf_insn){ BPF_ST, 0, 0, i };
	full[16] = (struct cbpf_insn){ BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0 };
	full[17] = (struct cbpf_insn)RETK(1);
	tap_is_int(tc_prog_rewrite(full, 18, CAP_TC_DROP, &out, &n), -EOPNOTSUPP,
		   "no free scratch word for a guard: -EOPNOTSUPP");
	out = NULL;
	tap_is_int(tc_prog_rewrite(full, 18, CAP_TC_MIRROR, &out, &n), 0,
		   "... mirror mode needs no guard");
	free(out);
}

/* A program returning A on two paths, with jumps (conditional and ja) over them. */
static void test_ret_a(void)
{
	static const struct cbpf_insn prog[] = {
		{ BPF_LD | BPF_W | BPF_LEN, 0, 0, 0 },		/* 0 */
		{ BPF_JMP | BPF_JGT | BPF_K, 0, 2, 60 },	/* 1: jt 2, jf 4 */
		{ BPF_LD | BPF_B | BPF_ABS, 0, 0, 0 },		/* 2 */
		{ BPF_RET | BPF_A, 0, 0, 0 },			/* 3 */
		{ BPF_JMP | BPF_JA, 0, 0, 2 },			/* 4: to 7 */
		{ BPF_RET | BPF_A, 0, 0, 0 },			/* 5 */
		RETK(0),					/* 6 */
		{ BPF_LD | BPF_IMM, 0, 0, 0 },			/* 7 */
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0 },		/* 8: jt 9, jf 10 */
		RETK(0),					/* 9 */
		{ BPF_RET | BPF_A, 0, 0, 0 },			/* 10 */
	};
	/* mirror mode: match -1, no match 0 */
	static const struct cbpf_insn want[] = {
		{ BPF_LD | BPF_W | BPF_LEN, 0, 0, 0 },
		{ BPF_JMP | BPF_JGT | BPF_K, 0, 4, 60 },	/* jf over the expansion */
		{ BPF_LD | BPF_B | BPF_ABS, 0, 0, 0 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0 },
		RETK(0),
		RETK(UNSPEC),
		{ BPF_JMP | BPF_JA, 0, 0, 4 },			/* over 3 + 1 */
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0 },
		RETK(0),
		RETK(UNSPEC),
		RETK(0),
		{ BPF_LD | BPF_IMM, 0, 0, 0 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0 },
		RETK(0),
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0 },
		RETK(0),
		RETK(UNSPEC),
	};
	struct cbpf_insn *out = NULL;
	size_t n = 0;
	int rc = tc_prog_rewrite(prog, sizeof(prog) / sizeof(prog[0]), CAP_TC_MIRROR, &out, &n);

	tap_is_int(rc, 0, "ret a: rewritten");
	tap_is_int(n, sizeof(want) / sizeof(want[0]), "ret a: two instructions more per ret a");
	tap_ok(rc == 0 && n == sizeof(want) / sizeof(want[0]) && same(out, want, n),
	       "ret a: jeq #0 and two returns, jumps stretched");
	tap_is_int(rc == 0 ? cbpf_validate(out, n, CBPF_FLAVOR_SOCKET, NULL) : -1, 0,
		   "ret a: the result is a valid socket filter");
	free(out);
}

static void test_limits(void)
{
	struct cbpf_insn *p = calloc(CBPF_MAXINSNS, sizeof(*p)), *out = NULL;
	size_t i, n = 0;

	/* a jeq over 100 `ret a`: 300 instructions once expanded */
	p[0] = (struct cbpf_insn){ BPF_JMP | BPF_JEQ | BPF_K, 100, 0, 1 };
	for (i = 1; i <= 100; i++)
		p[i] = (struct cbpf_insn){ BPF_RET | BPF_A, 0, 0, 0 };
	p[101] = (struct cbpf_insn)RETK(0);
	tap_is_int(tc_prog_rewrite(p, 102, CAP_TC_PASS, &out, &n), -E2BIG,
		   "a conditional jump stretched over 255: -E2BIG");
	for (i = 0; i < CBPF_MAXINSNS; i++)
		p[i] = (struct cbpf_insn)RETK(1);
	tap_is_int(tc_prog_rewrite(p, CBPF_MAXINSNS, CAP_TC_PASS, &out, &n), 0,
		   "4096 instructions without ret a: fine");
	free(out);
	out = NULL;
	p[7] = (struct cbpf_insn){ BPF_RET | BPF_A, 0, 0, 0 };
	tap_is_int(tc_prog_rewrite(p, CBPF_MAXINSNS, CAP_TC_PASS, &out, &n), -E2BIG,
		   "4096 instructions with a ret a: -E2BIG");
	free(p);
}

/* Every packet of path: the rewrite of expr decides as expr, in every mode. */
static void test_diff(const char *path, const char *expr)
{
	struct fg_compile_opts fo;
	struct cbpf_insn *prog = NULL, *tc[3] = { NULL, NULL, NULL };
	struct cbpf_vm *vm = NULL, *tvm[3] = { NULL, NULL, NULL };
	size_t n = 0, tn[3] = { 0, 0, 0 }, pkts = 0, matches = 0, bad = 0;
	struct cap_file *f = NULL;
	struct fg_diag diag;
	struct cap_pkt pkt;
	int a, rc;

	fg_compile_opts_init(&fo);
	rc = fg_compile(expr, strlen(expr), &fo, &prog, &n, &diag);
	if (rc < 0) {
		tap_skip("'%s': %s", expr, diag.msg);
		return;
	}
	rc = cbpf_vm_new(prog, n, 0, &vm);
	for (a = 0; a < 3 && rc == 0; a++) {
		rc = tc_prog_rewrite(prog, n, (enum cap_tc_action)a, &tc[a], &tn[a]);
		if (rc == 0)
			rc = cbpf_vm_new(tc[a], tn[a], 0, &tvm[a]);
	}
	if (rc == 0)
		rc = cap_file_open(path, &f, NULL, 0);
	/* as the kernel sees an skb: every byte there (caplen = len), cut at every length */
	while (rc == 0 && cap_file_next(f, &pkt) == 1) {
		uint32_t len, v;

		for (len = 0; len <= pkt.caplen; len++) {
			v = cbpf_vm_run(vm, pkt.data, len, len, NULL);
			pkts++;
			matches += v != 0;
			for (a = 0; a < 3; a++)
				bad += cbpf_vm_run(tvm[a], pkt.data, len, len, NULL) !=
				       (v ? want_match[a] : want_nomatch[a]);
		}
	}
	tap_ok(rc == 0 && pkts > 0 && bad == 0, "'%s': %zu packets (every prefix), %zu matches, "
	       "same verdicts in the three modes", expr, pkts, matches);
	if (bad)
		tap_diag("  %zu wrong verdicts", bad);
	if (f)
		cap_file_close(f);
	for (a = 0; a < 3; a++) {
		cbpf_vm_free(tvm[a]);
		free(tc[a]);
	}
	cbpf_vm_free(vm);
	cbpf_free(prog);
}

/* test_diff for every expression of a file of the source tree (one a line, # comments). */
static void diff_file(const char *pcap, const char *name)
{
	const char *src = getenv("top_srcdir");
	char path[4096], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", src ? src : ".", name);
	f = fopen(path, "r");
	if (!f) {
		tap_skip("%s: not found", path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] && line[0] != '#')
			test_diff(pcap, line);
	}
	fclose(f);
}

static void test_linktype(void)
{
	char err[256] = "";
	int dlt = -1;

	tap_is_int(cap_tc_linktype("lo", &dlt, err, sizeof(err)), 0, "lo: a link type");
	tap_is_int(dlt, 1, "lo: EN10MB (the loopback device has an Ethernet header)");
	tap_is_int(cap_tc_linktype("pfc-no-such0", &dlt, err, sizeof(err)), -ENODEV, "unknown device");
	tap_is_str(err, "pfc-no-such0: no such device", "unknown device: the message");
}

int main(void)
{
	static const char *const exprs[] = {
		"", "udp", "tcp port 80", "ip host 198.18.0.1", "not ip", "arp or icmp6",
		"udp dst port 53 or tcp src port 443", "vlan", "ip[6:2] & 0x1fff != 0",
		"len > 100", "ether broadcast", "ip6 and udp", "tcp and udp",
		"tcp[13] & 2 != 0", "ip[2] / (ip[8] & 1) > 0", "udp[8:4] = 0 or ip6[40] = 1",
	};
	const char *top = getenv("top_builddir");
	char path[4096];
	size_t i;

	test_simple();
	test_guards();
	test_far_exit();
	test_ret_a();
	test_limits();
	snprintf(path, sizeof(path), "%s/tests/pcaps/sample.pcap", top ? top : ".");
	for (i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++)
		test_diff(path, exprs[i]);
	diff_file(path, "tests/cli/exprs.txt");
	test_linktype();
	return tap_done();
}
