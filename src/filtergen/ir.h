/*
 * ir.h -- the intermediate representation every front end lowers into and
 * every optimizer pass works on: a control-flow graph of basic blocks.
 *
 * A block holds straight-line cBPF instructions (loads, ALU, st/stx,
 * tax/txa) and ends in exactly one terminator: a conditional branch on A
 * (jeq/jgt/jge/jset against K or X) with a true and a false successor, an
 * unconditional jump, or a return.  Edges only go forward: the graph is a
 * DAG, as cBPF requires.  Booleans are built with patch lists (Lua's
 * luaK_concat / luaK_patchtohere): a condition under construction has
 * dangling true and false exits that are patched when their target exists.
 */
#ifndef PFC_FG_IR_H
#define PFC_FG_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fg_int.h"

/* A straight-line instruction: any cBPF instruction that is neither a jump nor a return. */
struct fg_insn {
	uint16_t code;
	uint32_t k;
};

enum fg_term {
	FG_TERM_NONE = 0,	/* under construction */
	FG_TERM_BRANCH,		/* jcode (BPF_JMP | JEQ/JGT/JGE/JSET | BPF_K/BPF_X) with k: jt / jf */
	FG_TERM_JUMP,		/* unconditional to jt */
	FG_TERM_RET		/* jcode BPF_RET | BPF_K (k) or BPF_RET | BPF_A */
};

struct fg_block {
	unsigned id;
	struct fg_insn *insns;
	size_t ninsns;
	size_t cap;
	enum fg_term term;
	uint16_t jcode;
	uint32_t k;
	struct fg_block *jt;
	struct fg_block *jf;
	/* Scratch for passes and layout; meaningless between passes. */
	int pos;
	unsigned mark;
};

struct fg_ir {
	struct fg_arena *arena;
	struct fg_block **blocks;	/* every block ever made, by id */
	size_t nblocks;
	size_t cap;
	struct fg_block *entry;
	unsigned epoch;			/* for fg_block.mark walks */
	bool word_loads;		/* only 32-bit absolute loads are legal (seccomp) */
};

/* A dangling edge: the successor slot of a block, to be patched. */
struct fg_patch {
	struct fg_block **slot;
	struct fg_patch *next;
};

/*
 * A condition under construction.  kind FG_COND_CODE: control enters at
 * entry and leaves through the t (true) or f (false) patch lists.
 * FG_COND_TRUE / FG_COND_FALSE: known at compile time, no code.
 */
enum fg_cond_kind { FG_COND_CODE, FG_COND_TRUE, FG_COND_FALSE };

struct fg_cond {
	enum fg_cond_kind kind;
	struct fg_block *entry;
	struct fg_patch *t, *t_last;	/* true exits, and the last of them (O(1) concatenation) */
	struct fg_patch *f, *f_last;	/* false exits */
};

void fg_ir_init(struct fg_ir *ir, struct fg_arena *arena);
/* A new empty block (term FG_TERM_NONE), or NULL when out of memory. */
struct fg_block *fg_block_new(struct fg_ir *ir);
/* Append a straight-line instruction; returns 0 or -ENOMEM. */
int fg_block_add(struct fg_ir *ir, struct fg_block *b, uint16_t code, uint32_t k);
void fg_block_branch(struct fg_block *b, uint16_t jcode, uint32_t k);
void fg_block_ret(struct fg_block *b, uint16_t rcode, uint32_t k);
void fg_block_jump(struct fg_block *b, struct fg_block *to);

/* Conditions. */
struct fg_cond fg_cond_const(bool value);
/* A condition that is one block ending in a branch: t is its jt, f its jf. */
struct fg_cond fg_cond_block(struct fg_ir *ir, struct fg_block *b);
/* A block that always goes on (set-up code): it ends in a jump, its one exit is true. */
struct fg_cond fg_cond_always(struct fg_ir *ir, struct fg_block *b);
struct fg_cond fg_cond_and(struct fg_ir *ir, struct fg_cond a, struct fg_cond b);
struct fg_cond fg_cond_or(struct fg_ir *ir, struct fg_cond a, struct fg_cond b);
struct fg_cond fg_cond_not(struct fg_cond a);
/* Add a dangling edge to the true (or false) exits of c; 0 or -ENOMEM. */
int fg_cond_add_exit(struct fg_ir *ir, struct fg_cond *c, bool true_exit, struct fg_block **slot);
/* Point every slot of list at target. */
void fg_patch_to(struct fg_patch *list, struct fg_block *target);
/* Close a condition into a whole program: true -> ret #accept, false -> ret #0. */
int fg_ir_finish(struct fg_ir *ir, struct fg_cond c, uint32_t accept);

/* Start a new walk: blocks with mark != ir->epoch are unvisited. */
unsigned fg_ir_new_epoch(struct fg_ir *ir);
/*
 * Blocks reachable from the entry in reverse postorder (a topological order
 * of the DAG); stored in *out (arena memory), count in *n.  -ENOMEM, or
 * -ELOOP if the graph has a cycle.
 */
int fg_ir_rpo(struct fg_ir *ir, struct fg_block ***out, size_t *n);

/*
 * Store every scratch word that some path may read before storing it, at
 * the entry (where A is still 0), so the kernel's check that M[k] is
 * written before it is read holds on every path.  Returns 0 or -ENOMEM.
 */
int fg_ir_init_scratch(struct fg_ir *ir);
/*
 * Store, at the entry, every scratch word the program reads.  For layouts
 * where the kernel's check (which walks the program in order and does not
 * start afresh after a return) cannot see a store that every path makes.
 */
int fg_ir_init_scratch_all(struct fg_ir *ir);

/*
 * Check the IR's invariants: every reachable block terminated, successors
 * set, only straight-line codes inside blocks, scratch indexes < 16, no
 * cycle.  Returns 0 or -EINVAL with a message in diag (offset 0).
 */
int fg_ir_check(struct fg_ir *ir, struct fg_diag *diag);

/* Text form for --dump-ir and tests; returns 0 or -ENOMEM. *out is malloc'd. */
int fg_ir_dump(struct fg_ir *ir, char **out);

/*
 * Lay the blocks out and emit cBPF: conditional offsets over 255 and
 * unconditional jumps get `ja` instructions where needed.  *out is malloc'd.
 * Returns 0, -ENOMEM, -E2BIG (more than 4096 instructions; diag says so),
 * -EINVAL (the IR breaks an invariant).
 */
int fg_emit(struct fg_ir *ir, struct cbpf_insn **out, size_t *n, struct fg_diag *diag);

#endif /* PFC_FG_IR_H */
