/*
 * opt.h -- private to the optimizer: the passes (one per opt_<name>.c) and
 * the helpers they share (register use/def sets, liveness, predecessor
 * counts).  The pass manager, fg_optimize(), runs them to a fixpoint.
 */
#ifndef PFC_FG_OPT_H
#define PFC_FG_OPT_H

#include <stdbool.h>
#include <stdint.h>

#include "ir.h"

/*
 * Machine locations as bits of a uint32_t: A, X and the sixteen scratch
 * words M[0..15].
 */
#define OPT_A		1u
#define OPT_X		2u
#define OPT_M(k)	(4u << ((k) & 15))
#define OPT_ALL		0x3ffffu

/*
 * Each pass returns how many changes it made (0: nothing to do) or a
 * negative errno (-ENOMEM).  A pass leaves the IR valid for fg_ir_check.
 */
int opt_vn(struct fg_ir *ir);
int opt_dce(struct fg_ir *ir);
int opt_fold(struct fg_ir *ir);
int opt_range(struct fg_ir *ir);

/* Run every pass until none changes anything (bounded); 0 or a negative errno. */
int fg_optimize(struct fg_ir *ir, struct fg_diag *diag);

/* The locations an instruction reads and writes. */
void opt_use_def(const struct fg_insn *in, uint32_t *use, uint32_t *def);
/* The locations a block's terminator reads. */
uint32_t opt_term_use(const struct fg_block *b);
/*
 * True if the instruction may stop the program in a way the conformance
 * rule does not excuse (a division or modulo by X, which may be zero), so
 * it must run even when its result is never used.
 */
bool opt_insn_must_run(const struct fg_insn *in);
/* Remove instruction i of b (keeps the order of the others). */
void opt_insn_delete(struct fg_block *b, size_t i);

/*
 * Live locations on entry to every reachable block, indexed by block id,
 * from order (reverse postorder, as fg_ir_rpo makes it).  Arena memory;
 * NULL when out of memory.
 */
uint32_t *opt_live_in(struct fg_ir *ir, struct fg_block **order, size_t n);
/* Number of edges into every block (the entry counts one extra), by id; NULL when out of memory. */
unsigned *opt_pred_counts(struct fg_ir *ir, struct fg_block **order, size_t n);

#endif /* PFC_FG_OPT_H */
