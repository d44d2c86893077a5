/*
 * trace_t.c -- cbpf_trace() against cbpf_vm_run().
 *
 * Random programs (randprog: kernel-valid ones with ancillary loads,
 * seccomp ones, and arbitrary ones the interpreter may refuse) run on random
 * packets, with and without metadata: the tracer must accept and refuse the
 * same programs with the same error, give the same verdict, and report a
 * consistent walk (each step's next is the following step's pc, the last
 * step and only it is done).  Then the content of the steps on small
 * programs: registers, the scratch word written, the bytes loaded, why a
 * run ended early.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cbpf.h"
#include "randprog.h"
#include "tap.h"

#define PROGRAMS 6000
#define PACKETS 8

struct walk {
	struct cbpf_step steps[512];
	size_t n, total;
	int bad;		/* an inconsistency in the walk */
};

static void record(void *ctx, const struct cbpf_step *s)
{
	struct walk *w = ctx;

	if (w->n && (w->steps[(w->n - 1) % 512].done || w->steps[(w->n - 1) % 512].next != s->pc))
		w->bad = 1;
	w->steps[w->n % 512] = *s;
	w->n++;
	w->total++;
}

static void random_meta(struct rp_rng *r, struct cbpf_meta *m, uint32_t caplen)
{
	uint32_t *f = (uint32_t *)m;
	size_t i;

	for (i = 0; i < sizeof(*m) / sizeof(uint32_t); i++)
		f[i] = rp_below(r, 4) ? rp_next(r) & 0xffff : rp_next(r);
	m->nh_off = caplen ? rp_below(r, caplen) : 0;
}

/* One program on PACKETS packets; counts into *runs, failures into *fails. */
static void check_program(struct rp_rng *r, const struct cbpf_insn *p, size_t n, unsigned flags,
			  unsigned long *runs, unsigned long *fails, unsigned long *steps)
{
	struct cbpf_vm *vm = NULL;
	uint8_t pkt[160];
	int rc_vm = cbpf_vm_new(p, n, flags, &vm), k;

	for (k = 0; k < PACKETS; k++) {
		uint32_t caplen = rp_below(r, sizeof(pkt)), wirelen = caplen + rp_below(r, 3) * 100;
		struct cbpf_meta meta, *mp = k & 1 ? &meta : NULL;
		struct walk w;
		uint32_t verdict = 0xdeadbeef, want;
		uint32_t i;
		int rc;

		for (i = 0; i < caplen; i++)
			pkt[i] = (uint8_t)(rp_below(r, 3) ? rp_below(r, 16) : rp_next(r));
		random_meta(r, &meta, caplen);
		memset(&w, 0, sizeof(w));
		rc = cbpf_trace(p, n, flags, pkt, wirelen, caplen, mp, record, &w, &verdict);
		++*runs;
		if (rc != (rc_vm < 0 ? rc_vm : 0)) {
			++*fails;
			continue;
		}
		if (rc_vm < 0) {
			if (w.n != 0)
				++*fails;
			continue;
		}
		want = cbpf_vm_run(vm, pkt, wirelen, caplen, mp);
		*steps += w.total;
		if (verdict != want || w.bad || w.n == 0 || !w.steps[(w.n - 1) % 512].done ||
		    w.steps[(w.n - 1) % 512].verdict != want)
			++*fails;
	}
	cbpf_vm_free(vm);
}

static void random_programs(unsigned flags, const char *what, uint64_t seed)
{
	struct rp_rng r;
	struct cbpf_insn p[64];
	unsigned long runs = 0, fails = 0, steps = 0;
	int i;

	rp_seed(&r, seed);
	for (i = 0; i < PROGRAMS; i++) {
		size_t n = rp_program(&r, p, 64, flags);
		unsigned vmflags = (flags & RP_SECCOMP) ? CBPF_VM_SECCOMP : 0;

		check_program(&r, p, n, vmflags, &runs, &fails, &steps);
	}
	tap_ok(fails == 0, "%s: %lu runs, %lu steps traced, %lu differ from cbpf_vm_run", what, runs,
	       steps, fails);
}

/* ---- the steps themselves ---- */

static const uint8_t frame[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, 0x45, 0 };

static void small_programs(void)
{
	static const struct cbpf_insn prog[] = {
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 12 },		/* 0: ldh [12] */
		{ BPF_ST, 0, 0, 3 },				/* 1: st M[3] */
		{ BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0x800 },	/* 2: jeq #0x800, 4, 3 */
		{ BPF_RET | BPF_K, 0, 0, 0 },			/* 3 */
		{ BPF_LDX | BPF_B | BPF_MSH, 0, 0, 14 },	/* 4: ldxb 4*([14]&0xf) */
		{ BPF_MISC | BPF_TXA, 0, 0, 0 },		/* 5: txa */
		{ BPF_RET | BPF_A, 0, 0, 0 },			/* 6: ret a */
	};
	static const struct cbpf_insn div0[] = {
		{ BPF_LDX | BPF_W | BPF_IMM, 0, 0, 0 },
		{ BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0 },
		{ BPF_RET | BPF_K, 0, 0, 1 },
	};
	struct walk w;
	uint32_t v = 1;

	memset(&w, 0, sizeof(w));
	tap_is_int(cbpf_trace(prog, 7, 0, frame, 60, sizeof(frame), NULL, record, &w, &v), 0,
		   "trace: runs");
	tap_is_int(w.n, 6, "trace: 6 steps (0 1 2 4 5 6)");
	tap_ok(w.steps[0].load && w.steps[0].load_off == 12 && w.steps[0].load_len == 2 &&
	       w.steps[0].a == 0x800, "trace: ldh [12] loads 2 bytes at 12, A = 0x800");
	tap_ok(w.steps[1].mem == 3 && w.steps[1].mem_value == 0x800 && !w.steps[1].load,
	       "trace: st M[3] reports the scratch word");
	tap_is_int(w.steps[2].next, 4, "trace: jeq taken goes to 4");
	tap_ok(w.steps[3].x == 20 && w.steps[3].load_off == 14, "trace: ldxb msh: X = 20");
	tap_ok(w.steps[5].done && w.steps[5].verdict == 20 && v == 20 && !w.steps[5].why,
	       "trace: ret a: verdict 20");
	memset(&w, 0, sizeof(w));
	cbpf_trace(prog, 7, 0, frame, 60, 13, NULL, record, &w, &v);
	tap_ok(w.n == 1 && w.steps[0].done && v == 0 &&
	       strcmp(w.steps[0].why, "load past the captured bytes") == 0,
	       "trace: a load past caplen ends the run: %s", w.n ? w.steps[0].why : "");
	memset(&w, 0, sizeof(w));
	cbpf_trace(div0, 3, 0, frame, 60, 16, NULL, record, &w, &v);
	tap_ok(w.n == 2 && v == 0 && strcmp(w.steps[1].why, "division by zero") == 0,
	       "trace: division by zero ends the run");
	tap_is_int(cbpf_trace(prog, 3, 0, frame, 60, 16, NULL, record, &w, &v), -EINVAL,
		   "trace: a program running off its end is refused as cbpf_vm_new refuses it");
}

int main(void)
{
	small_programs();
	random_programs(RP_VALID | RP_ANC, "kernel-valid programs with ancillary loads", 1);
	random_programs(RP_VALID | RP_SECCOMP, "seccomp programs", 2);
	random_programs(RP_ANC, "arbitrary programs (some refused)", 3);
	random_programs(0, "arbitrary programs without ancillary loads", 4);
	return tap_done();
}
