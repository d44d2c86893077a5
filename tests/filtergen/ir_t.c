/*
 * ir_t.c -- the IR and the emitter: conditions built with patch lists,
 * constant folding of and/or/not, the text dump, the checker, layout and
 * `ja` trampolines for offsets over 255.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "budget_alloc.h"
#include "tap.h"

/* A block: ldh [off]; jeq #k. */
static struct fg_cond test_eq(struct fg_ir *ir, uint32_t off, uint32_t k)
{
	struct fg_block *b = fg_block_new(ir);

	fg_block_add(ir, b, BPF_LD | BPF_H | BPF_ABS, off);
	fg_block_branch(b, BPF_JMP | BPF_JEQ | BPF_K, k);
	return fg_cond_block(ir, b);
}

static char *emit_dd(struct fg_ir *ir, size_t *n)
{
	struct cbpf_insn *prog = NULL;
	struct fg_diag d;
	char *text = NULL;

	if (fg_emit(ir, &prog, n, &d) < 0)
		return NULL;
	cbpf_disasm(prog, *n, CBPF_FORMAT_DDD, &text);
	free(prog);
	return text;
}

static void test_and_or(void)
{
	struct fg_arena a;
	struct fg_ir ir;
	struct fg_cond c, c1, c2, c3;
	char *dump = NULL, *ddd;
	size_t n;

	fg_arena_init(&a, NULL, NULL);
	fg_ir_init(&ir, &a);
	/* (h12 == 0x800 and h20 == 1) or not h12 == 0x86dd */
	c1 = test_eq(&ir, 12, 0x800);
	c2 = test_eq(&ir, 20, 1);
	c3 = test_eq(&ir, 12, 0x86dd);
	c = fg_cond_and(&ir, c1, c2);
	c = fg_cond_or(&ir, c, fg_cond_not(c3));
	tap_is_int(fg_ir_finish(&ir, c, 262144), 0, "finish");
	tap_is_int(fg_ir_check(&ir, NULL), 0, "checker accepts");
	tap_is_int(fg_ir_dump(&ir, &dump), 0, "dump");
	tap_is_str(dump,
		   "b0:\n\tldh [12]\n\tjeq #0x800 -> b1, b2\n"
		   "b1:\n\tldh [20]\n\tjeq #0x1 -> b3, b2\n"
		   "b2:\n\tldh [12]\n\tjeq #0x86dd -> b4, b3\n"
		   "b4:\n\tret #0\n"
		   "b3:\n\tret #262144\n", "IR text dump (reverse postorder)");
	free(dump);
	ddd = emit_dd(&ir, &n);
	tap_is_str(ddd, "8\n40 0 0 12\n21 0 2 2048\n40 0 0 20\n21 3 0 1\n40 0 0 12\n21 0 1 34525\n"
		   "6 0 0 0\n6 0 0 262144\n", "emitted program");
	free(ddd);
	fg_arena_destroy(&a);
}

static void test_constants(void)
{
	struct fg_arena a;
	struct fg_ir ir;
	struct fg_cond t = fg_cond_const(true), f = fg_cond_const(false), c;
	char *ddd;
	size_t n;

	fg_arena_init(&a, NULL, NULL);
	fg_ir_init(&ir, &a);
	tap_is_int(fg_cond_and(&ir, t, f).kind, FG_COND_FALSE, "true and false = false");
	tap_is_int(fg_cond_or(&ir, f, t).kind, FG_COND_TRUE, "false or true = true");
	tap_is_int(fg_cond_not(f).kind, FG_COND_TRUE, "not false = true");
	/* x and false: x's code stays (its loads may end the run) but both exits go false. */
	c = fg_cond_and(&ir, test_eq(&ir, 12, 0x800), f);
	tap_is_int(c.kind, FG_COND_CODE, "code and false keeps the code");
	tap_ok(c.t == NULL && c.f != NULL, "code and false: no true exit");
	fg_ir_finish(&ir, c, 96);
	ddd = emit_dd(&ir, &n);
	tap_is_str(ddd, "2\n40 0 0 12\n6 0 0 0\n",
		   "code and false keeps the load; the branch with equal targets falls through to ret #0");
	free(ddd);
	fg_arena_destroy(&a);

	fg_arena_init(&a, NULL, NULL);
	fg_ir_init(&ir, &a);
	fg_ir_finish(&ir, fg_cond_const(true), 65535);
	ddd = emit_dd(&ir, &n);
	tap_is_str(ddd, "1\n6 0 0 65535\n", "constant true is one ret");
	free(ddd);
	fg_arena_destroy(&a);
}

/* A chain of 300 tests that each jump to a far `ret #0` needs trampolines. */
static void test_trampolines(void)
{
	struct fg_arena a;
	struct fg_ir ir;
	struct fg_cond c = fg_cond_const(true);
	struct cbpf_insn *prog = NULL;
	struct fg_diag d;
	size_t n, i, ja = 0;
	int ok = 1;

	fg_arena_init(&a, NULL, NULL);
	fg_ir_init(&ir, &a);
	for (i = 0; i < 300; i++)
		c = fg_cond_and(&ir, c, test_eq(&ir, (uint32_t)(i % 60), (uint32_t)i));
	fg_ir_finish(&ir, c, 1);
	tap_is_int(fg_emit(&ir, &prog, &n, &d), 0, "300-test chain emits");
	for (i = 0; i < n; i++) {
		if (prog[i].code == (BPF_JMP | BPF_JA)) {
			ja++;
			if (i + 1 + prog[i].k >= n)
				ok = 0;
		} else if (BPF_CLASS(prog[i].code) == BPF_JMP &&
			   (i + 1 + prog[i].jt >= n || i + 1 + prog[i].jf >= n))
			ok = 0;
	}
	tap_ok(ok, "every jump lands inside the program");
	tap_is_int(ja, 0, "far branches to ret #0 use shared copies of it, no trampolines");
	tap_ok(n <= 600 + 2 + 6, "%zu instructions: 600 tests, 2 returns and a few copies", n);
	tap_is_int(cbpf_validate(prog, n, CBPF_FLAVOR_SOCKET, NULL), 0, "the kernel's rules accept it");
	/* Run it: the chain accepts only when every test holds; packet bytes make test 0 fail. */
	{
		struct cbpf_vm *vm = NULL;
		uint8_t pkt[128] = { 0 };

		tap_is_int(cbpf_vm_new(prog, n, 0, &vm), 0, "decodes");
		tap_is_int(cbpf_vm_run(vm, pkt, 128, 128, NULL), 0, "rejects (first test needs h0 == 0, second h1 == 1)");
		cbpf_vm_free(vm);
	}
	free(prog);
	fg_arena_destroy(&a);
}

static void test_checker(void)
{
	struct fg_arena a;
	struct fg_ir ir;
	struct fg_block *b, *c2;
	struct fg_diag d;

	fg_arena_init(&a, NULL, NULL);
	fg_ir_init(&ir, &a);
	b = fg_block_new(&ir);
	c2 = fg_block_new(&ir);
	fg_block_branch(b, BPF_JMP | BPF_JEQ | BPF_K, 1);
	b->jt = c2;
	b->jf = c2;
	fg_block_jump(c2, b);
	ir.entry = b;
	tap_is_int(fg_ir_check(&ir, &d), -EINVAL, "a cycle is refused");
	tap_ok(strstr(d.msg, "cycle") != NULL, "message says cycle: %s", d.msg);
	fg_block_ret(c2, BPF_RET | BPF_K, 0);
	fg_block_add(&ir, c2, BPF_JMP | BPF_JA, 0);
	tap_is_int(fg_ir_check(&ir, &d), -EINVAL, "a jump inside a block is refused");
	c2->ninsns = 0;
	fg_block_add(&ir, c2, BPF_ST, 16);
	tap_is_int(fg_ir_check(&ir, &d), -EINVAL, "M[16] is refused");
	c2->ninsns = 0;
	tap_is_int(fg_ir_check(&ir, &d), 0, "fixed graph passes");
	fg_arena_destroy(&a);
}

static void test_enomem(void)
{
	struct fg_arena a;
	long budget = 0;

	fg_arena_init(&a, budget_alloc, &budget);
	tap_ok(fg_arena_alloc(&a, 16) == NULL && a.failed, "allocation hook failure sets failed");
	tap_ok(fg_arena_alloc(&a, 16) == NULL, "a failed arena stays failed");
	fg_arena_destroy(&a);
}

int main(void)
{
	test_and_or();
	test_constants();
	test_trampolines();
	test_checker();
	test_enomem();
	return tap_done();
}
