/*
 * opt_t.c -- the optimizer's passes on hand-built IRs: what each pass
 * rewrites (exact IR text after the pass) and, as important, what it must
 * leave alone: a fact that holds on only one path into a merge, a load
 * after an instruction that changed A, a jset fact that says nothing
 * about the bit tested next.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "opt.h"
#include "tap.h"

struct t {
	struct fg_arena a;
	struct fg_ir ir;
	struct fg_block *b[16];
	struct fg_block *yes, *no;
};

static void t_init(struct t *t, int nblocks)
{
	int i;

	fg_arena_init(&t->a, NULL, NULL);
	fg_ir_init(&t->ir, &t->a);
	for (i = 0; i < nblocks; i++)
		t->b[i] = fg_block_new(&t->ir);
	t->yes = fg_block_new(&t->ir);
	t->no = fg_block_new(&t->ir);
	fg_block_ret(t->yes, BPF_RET | BPF_K, 262144);
	fg_block_ret(t->no, BPF_RET | BPF_K, 0);
	t->ir.entry = t->b[0];
}

static void add(struct t *t, int b, uint16_t code, uint32_t k)
{
	fg_block_add(&t->ir, t->b[b], code, k);
}

static void br(struct t *t, int b, uint16_t op, uint32_t k, struct fg_block *jt,
	       struct fg_block *jf)
{
	fg_block_branch(t->b[b], BPF_JMP | op | BPF_K, k);
	t->b[b]->jt = jt;
	t->b[b]->jf = jf;
}

/* Run pass on t's IR, check it, compare the dump with want; frees t. */
static void expect(struct t *t, int (*pass)(struct fg_ir *), const char *want, const char *what)
{
	char *dump = NULL;
	int rc = pass(&t->ir);

	tap_ok(rc >= 0 && fg_ir_check(&t->ir, NULL) == 0, "%s: pass ran, IR checks", what);
	fg_ir_dump(&t->ir, &dump);
	tap_is_str(dump, want, "%s", what);
	free(dump);
	fg_arena_destroy(&t->a);
}

#define LDH(k) (BPF_LD | BPF_H | BPF_ABS), (k)
#define LDB(k) (BPF_LD | BPF_B | BPF_ABS), (k)

static void test_vn(void)
{
	struct t t;

	/* b1 is entered only from b0's false edge, where A still holds [12] */
	t_init(&t, 2);
	add(&t, 0, LDH(12));
	br(&t, 0, BPF_JEQ, 0x800, t.yes, t.b[1]);
	add(&t, 1, LDH(12));
	br(&t, 1, BPF_JEQ, 0x86dd, t.yes, t.no);
	expect(&t, opt_vn,
	       "b0:\n\tldh [12]\n\tjeq #0x800 -> b2, b1\n"
	       "b1:\n\tjeq #0x86dd -> b2, b3\nb2:\n\tret #262144\nb3:\n\tret #0\n",
	       "vn: a load of what A holds on every incoming path is deleted");

	/* ethertype tested again after another load: decided, the edge threads past it */
	t_init(&t, 3);
	add(&t, 0, LDH(12));
	br(&t, 0, BPF_JEQ, 0x800, t.b[1], t.no);
	add(&t, 1, LDB(23));
	br(&t, 1, BPF_JEQ, 6, t.yes, t.b[2]);
	add(&t, 2, LDH(12));
	br(&t, 2, BPF_JEQ, 0x86dd, t.yes, t.no);
	expect(&t, opt_vn,
	       "b0:\n\tldh [12]\n\tjeq #0x800 -> b1, b4\n"
	       "b1:\n\tldb [23]\n\tjeq #0x6 -> b3, b4\nb3:\n\tret #262144\nb4:\n\tret #0\n",
	       "vn: a branch decided by an earlier test is threaded past");

	/* must not: b2 merges b0's false edge (A = [23]) and b1's (A = [20]), neither decides it */
	t_init(&t, 3);
	add(&t, 0, LDB(23));
	br(&t, 0, BPF_JEQ, 6, t.b[1], t.b[2]);
	add(&t, 1, LDH(20));
	br(&t, 1, BPF_JEQ, 1, t.yes, t.b[2]);
	add(&t, 2, LDH(20));
	br(&t, 2, BPF_JEQ, 5, t.yes, t.no);
	expect(&t, opt_vn,
	       "b0:\n\tldb [23]\n\tjeq #0x6 -> b1, b2\nb1:\n\tldh [20]\n\tjeq #0x1 -> b3, b2\n"
	       "b2:\n\tldh [20]\n\tjeq #0x5 -> b3, b4\nb3:\n\tret #262144\nb4:\n\tret #0\n",
	       "vn: a value A holds on one path into a merge only is loaded again");

	/* must not: A was changed by add after the load */
	t_init(&t, 2);
	add(&t, 0, LDH(12));
	add(&t, 0, BPF_ALU | BPF_ADD | BPF_K, 1);
	br(&t, 0, BPF_JEQ, 5, t.yes, t.b[1]);
	add(&t, 1, LDH(12));
	br(&t, 1, BPF_JEQ, 5, t.yes, t.no);
	expect(&t, opt_vn,
	       "b0:\n\tldh [12]\n\tadd #1\n\tjeq #0x5 -> b2, b1\n"
	       "b1:\n\tldh [12]\n\tjeq #0x5 -> b2, b3\nb2:\n\tret #262144\nb3:\n\tret #0\n",
	       "vn: a load after an instruction that changed A stays; its test is not decided");

	/* jset: bit 1 set decides jset #0x6 true; bit 1 clear says nothing about #0x4 */
	t_init(&t, 3);
	add(&t, 0, LDB(14));
	br(&t, 0, BPF_JSET, 2, t.b[1], t.b[2]);
	add(&t, 1, LDB(14));
	br(&t, 1, BPF_JSET, 6, t.yes, t.no);
	add(&t, 2, LDB(14));
	br(&t, 2, BPF_JSET, 4, t.yes, t.no);
	expect(&t, opt_vn,
	       "b0:\n\tldb [14]\n\tjset #0x2 -> b3, b2\n"
	       "b2:\n\tjset #0x4 -> b3, b4\nb3:\n\tret #262144\nb4:\n\tret #0\n",
	       "vn: jset facts decide a jset over a superset, not over other bits");

	/* ranges: a byte is never above 0xff; known constants fold */
	t_init(&t, 2);
	add(&t, 0, LDB(14));
	br(&t, 0, BPF_JGT, 0xff, t.no, t.b[1]);
	add(&t, 1, BPF_LD | BPF_IMM, 3);
	add(&t, 1, BPF_ALU | BPF_ADD | BPF_K, 4);
	fg_block_ret(t.b[1], BPF_RET | BPF_A, 0);
	expect(&t, opt_vn, "b0:\n\tldb [14]\n\tja -> b1\nb1:\n\tld #0x3\n\tld #0x7\n\tret a\n",
	       "vn: a byte compared with 0xff is decided; ld #3, add #4 is ld #7");
}

static void test_vn_runs(void)
{
	struct t t;

	/* ldb [0]; and #0xf0 again on the false edge: A already holds that value */
	t_init(&t, 2);
	add(&t, 0, LDB(0));
	add(&t, 0, BPF_ALU | BPF_AND | BPF_K, 0xf0);
	br(&t, 0, BPF_JEQ, 0x40, t.yes, t.b[1]);
	add(&t, 1, LDB(0));
	add(&t, 1, BPF_ALU | BPF_AND | BPF_K, 0xf0);
	br(&t, 1, BPF_JEQ, 0x60, t.yes, t.no);
	expect(&t, opt_vn,
	       "b0:\n\tldb [0]\n\tand #0xf0\n\tjeq #0x40 -> b2, b1\n"
	       "b1:\n\tjeq #0x60 -> b2, b3\nb2:\n\tret #262144\nb3:\n\tret #0\n",
	       "vn: a run of instructions that recomputes A's value is deleted");

	/* must not: the run ends with another mask, so A differs */
	t_init(&t, 2);
	add(&t, 0, LDB(0));
	add(&t, 0, BPF_ALU | BPF_AND | BPF_K, 0xf0);
	br(&t, 0, BPF_JEQ, 0x40, t.yes, t.b[1]);
	add(&t, 1, LDB(0));
	add(&t, 1, BPF_ALU | BPF_AND | BPF_K, 0x0f);
	br(&t, 1, BPF_JEQ, 0x5, t.yes, t.no);
	expect(&t, opt_vn,
	       "b0:\n\tldb [0]\n\tand #0xf0\n\tjeq #0x40 -> b2, b1\n"
	       "b1:\n\tldb [0]\n\tand #0xf\n\tjeq #0x5 -> b2, b3\nb2:\n\tret #262144\nb3:\n\tret #0\n",
	       "vn: a run ending in another value stays");

	/* x | 5 is never 0; x | 4 may have bit 0 clear */
	t_init(&t, 2);
	add(&t, 0, LDB(8));
	add(&t, 0, BPF_ALU | BPF_OR | BPF_K, 5);
	br(&t, 0, BPF_JEQ, 0, t.no, t.b[1]);
	add(&t, 1, BPF_ALU | BPF_OR | BPF_K, 4);
	br(&t, 1, BPF_JSET, 1, t.yes, t.no);
	expect(&t, opt_vn,
	       "b0:\n\tldb [8]\n\tor #0x5\n\tja -> b1\nb1:\n\tor #0x4\n\tjset #0x1 -> b2, b3\n"
	       "b2:\n\tret #262144\nb3:\n\tret #0\n",
	       "vn: x | k with k != 0 is not 0; other bits stay unknown");
}

static void test_range(void)
{
	struct t t;

	/* 0x1b, 0x19, 0x1a, 0x18, 0x30: [0x18, 0x1b] and 0x30, 3 branches instead of 5 */
	t_init(&t, 5);
	add(&t, 0, LDB(21));
	br(&t, 0, BPF_JEQ, 0x1b, t.yes, t.b[1]);
	br(&t, 1, BPF_JEQ, 0x19, t.yes, t.b[2]);
	br(&t, 2, BPF_JEQ, 0x1a, t.yes, t.b[3]);
	br(&t, 3, BPF_JEQ, 0x18, t.yes, t.b[4]);
	br(&t, 4, BPF_JEQ, 0x30, t.yes, t.no);
	expect(&t, opt_range,
	       "b0:\n\tldb [21]\n\tjge #0x18 -> b1, b6\nb1:\n\tjgt #0x1b -> b2, b5\n"
	       "b2:\n\tjeq #0x30 -> b5, b6\nb5:\n\tret #262144\nb6:\n\tret #0\n",
	       "range: an equality chain becomes interval tests");

	/* must not: b2 has another predecessor, so the chain stops at b1 (too short) */
	t_init(&t, 4);
	add(&t, 0, LDB(21));
	br(&t, 0, BPF_JEQ, 1, t.yes, t.b[1]);
	br(&t, 1, BPF_JEQ, 2, t.yes, t.b[2]);
	br(&t, 2, BPF_JEQ, 3, t.yes, t.no);
	add(&t, 3, LDB(22));
	br(&t, 3, BPF_JEQ, 9, t.b[0], t.b[2]);
	t.ir.entry = t.b[3];
	expect(&t, opt_range,
	       "b3:\n\tldb [22]\n\tjeq #0x9 -> b0, b2\nb0:\n\tldb [21]\n\tjeq #0x1 -> b4, b1\n"
	       "b1:\n\tjeq #0x2 -> b4, b2\nb2:\n\tjeq #0x3 -> b4, b5\nb4:\n\tret #262144\nb5:\n\tret #0\n",
	       "range: a test entered from elsewhere is not folded into a chain");

	/* must not: 1, 3, 5 are three intervals, no fewer branches */
	t_init(&t, 3);
	add(&t, 0, LDB(21));
	br(&t, 0, BPF_JEQ, 1, t.yes, t.b[1]);
	br(&t, 1, BPF_JEQ, 3, t.yes, t.b[2]);
	br(&t, 2, BPF_JEQ, 5, t.yes, t.no);
	expect(&t, opt_range,
	       "b0:\n\tldb [21]\n\tjeq #0x1 -> b3, b1\nb1:\n\tjeq #0x3 -> b3, b2\n"
	       "b2:\n\tjeq #0x5 -> b3, b4\nb3:\n\tret #262144\nb4:\n\tret #0\n",
	       "range: scattered values stay equality tests");
}

static void test_dce(void)
{
	struct t t;
	struct fg_block *no2;

	/* two `ret #0` merge; the dead ld #3 goes; b1 joins b0 (its only predecessor jumps) */
	t_init(&t, 3);
	no2 = fg_block_new(&t.ir);
	fg_block_ret(no2, BPF_RET | BPF_K, 0);
	add(&t, 0, BPF_LD | BPF_IMM, 3);
	add(&t, 0, LDH(12));
	fg_block_jump(t.b[0], t.b[1]);
	br(&t, 1, BPF_JEQ, 0x800, t.b[2], t.no);
	add(&t, 2, LDB(23));
	br(&t, 2, BPF_JEQ, 6, t.yes, no2);
	expect(&t, opt_dce,
	       "b0:\n\tldh [12]\n\tjeq #0x800 -> b2, b4\n"
	       "b2:\n\tldb [23]\n\tjeq #0x6 -> b3, b4\nb3:\n\tret #262144\nb4:\n\tret #0\n",
	       "dce: dead load removed, jump merged, identical returns shared");

	/* must not: a division by X runs even when its result is dead; a branch with equal targets is a jump */
	t_init(&t, 2);
	add(&t, 0, BPF_LDX | BPF_B | BPF_MSH, 14);
	add(&t, 0, BPF_LD | BPF_LEN, 0);
	add(&t, 0, BPF_ALU | BPF_DIV | BPF_X, 0);
	br(&t, 0, BPF_JEQ, 1, t.b[1], t.b[1]);
	fg_block_ret(t.b[1], BPF_RET | BPF_K, 7);
	expect(&t, opt_dce, "b0:\n\tldxb 4*([14]&0xf)\n\tld #pktlen\n\tdiv x\n\tret #7\n",
	       "dce: div x kept, equal-target branch becomes a jump and absorbs its target");
}

static void test_fold(void)
{
	struct t t;

	t_init(&t, 1);
	add(&t, 0, LDH(20));
	add(&t, 0, BPF_ALU | BPF_ADD | BPF_K, 1);
	add(&t, 0, BPF_ALU | BPF_ADD | BPF_K, 2);
	add(&t, 0, BPF_ALU | BPF_AND | BPF_K, 0xffffffffu);
	add(&t, 0, BPF_ALU | BPF_AND | BPF_K, 0x1fff);
	br(&t, 0, BPF_JEQ, 0, t.yes, t.no);
	expect(&t, opt_fold, "b0:\n\tldh [20]\n\tadd #3\n\tjset #0x1fff -> b2, b1\n"
	       "b2:\n\tret #0\nb1:\n\tret #262144\n",
	       "fold: add chains combine, and #-1 goes, and+jeq #0 is a swapped jset");

	/* must not: the masked value is returned afterwards, so the and stays */
	t_init(&t, 2);
	add(&t, 0, LDH(20));
	add(&t, 0, BPF_ALU | BPF_AND | BPF_K, 0x1fff);
	br(&t, 0, BPF_JEQ, 0, t.yes, t.b[1]);
	fg_block_ret(t.b[1], BPF_RET | BPF_A, 0);
	expect(&t, opt_fold, "b0:\n\tldh [20]\n\tand #0x1fff\n\tjeq #0x0 -> b2, b1\n"
	       "b2:\n\tret #262144\nb1:\n\tret a\n",
	       "fold: and kept when A is read after the branch");
}

static void test_narrow(void)
{
	struct t t;

	/* low bytes: the same value from a narrower load, wherever A is read */
	t_init(&t, 1);
	add(&t, 0, BPF_LD | BPF_W | BPF_ABS, 30);
	add(&t, 0, BPF_ALU | BPF_AND | BPF_K, 0xffff);
	fg_block_ret(t.b[0], BPF_RET | BPF_A, 0);
	expect(&t, opt_fold, "b0:\n\tldh [32]\n\tret a\n",
	       "fold: ld [30]; and #0xffff is ldh [32]");

	/* high bytes: the value shifted, so only when the branch is its one reader */
	t_init(&t, 1);
	add(&t, 0, BPF_LD | BPF_W | BPF_ABS, 24);
	add(&t, 0, BPF_ALU | BPF_AND | BPF_K, 0xfff00000u);
	br(&t, 0, BPF_JEQ, 0xac100000u, t.yes, t.no);
	expect(&t, opt_fold, "b0:\n\tldh [24]\n\tand #0xfff0\n\tjeq #0xac10 -> b1, b2\n"
	       "b1:\n\tret #262144\nb2:\n\tret #0\n",
	       "fold: a mask of the high half-word loads that half-word");

	/* must not: A is returned after the branch */
	t_init(&t, 2);
	add(&t, 0, BPF_LD | BPF_W | BPF_ABS, 24);
	add(&t, 0, BPF_ALU | BPF_AND | BPF_K, 0xff000000u);
	br(&t, 0, BPF_JEQ, 0xff000000u, t.yes, t.b[1]);
	fg_block_ret(t.b[1], BPF_RET | BPF_A, 0);
	expect(&t, opt_fold, "b0:\n\tld [24]\n\tand #0xff000000\n\tjeq #0xff000000 -> b2, b1\n"
	       "b2:\n\tret #262144\nb1:\n\tret a\n",
	       "fold: high bytes stay a word load when A is read later");

	/* must not: a mask wider than a byte load is not a narrower field */
	t_init(&t, 1);
	add(&t, 0, BPF_LD | BPF_B | BPF_ABS, 0);
	add(&t, 0, BPF_ALU | BPF_AND | BPF_K, 0xffffff00u);
	br(&t, 0, BPF_JEQ, 0, t.yes, t.no);
	expect(&t, opt_fold, "b0:\n\tldb [0]\n\tjset #0xffffff00 -> b2, b1\n"
	       "b2:\n\tret #0\nb1:\n\tret #262144\n",
	       "fold: a byte load masked beyond its width stays a byte load");
}

static void test_pipeline(void)
{
	struct t t;
	char *dump = NULL;

	/* ip or ip6 lowered naively, then the whole pipeline */
	t_init(&t, 2);
	add(&t, 0, LDH(12));
	br(&t, 0, BPF_JEQ, 0x800, t.yes, t.b[1]);
	add(&t, 1, LDH(12));
	br(&t, 1, BPF_JEQ, 0x800, t.yes, t.no);
	tap_is_int(fg_optimize(&t.ir, NULL), 0, "pipeline runs");
	fg_ir_dump(&t.ir, &dump);
	tap_is_str(dump, "b0:\n\tldh [12]\n\tjeq #0x800 -> b2, b3\nb2:\n\tret #262144\nb3:\n\tret #0\n",
		   "pipeline: a repeated test disappears");
	free(dump);
	fg_arena_destroy(&t.a);
}

int main(void)
{
	test_vn();
	test_vn_runs();
	test_range();
	test_dce();
	test_fold();
	test_narrow();
	test_pipeline();
	return tap_done();
}
