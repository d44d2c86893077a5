/*
 * ir.c -- building, walking, checking and printing the IR (see ir.h).
 *
 * Keeps true: a block's successors are only ever set through its
 * terminator or a patch, so every edge is recorded in exactly one place;
 * conditions built with fg_cond_and/or/not never duplicate a block, so the
 * graph stays a DAG as long as patches point forward (lowering builds
 * targets after their sources).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

void fg_ir_init(struct fg_ir *ir, struct fg_arena *arena)
{
	memset(ir, 0, sizeof(*ir));
	ir->arena = arena;
}

struct fg_block *fg_block_new(struct fg_ir *ir)
{
	struct fg_block *b;

	if (fg_arena_grow(ir->arena, (void **)&ir->blocks, &ir->cap, ir->nblocks + 1,
			  sizeof(*ir->blocks)) < 0)
		return NULL;
	b = fg_arena_alloc(ir->arena, sizeof(*b));
	if (!b)
		return NULL;
	b->id = (unsigned)ir->nblocks;
	ir->blocks[ir->nblocks++] = b;
	return b;
}

int fg_block_add(struct fg_ir *ir, struct fg_block *b, uint16_t code, uint32_t k)
{
	if (fg_arena_grow(ir->arena, (void **)&b->insns, &b->cap, b->ninsns + 1,
			  sizeof(*b->insns)) < 0)
		return -ENOMEM;
	b->insns[b->ninsns].code = code;
	b->insns[b->ninsns].k = k;
	b->ninsns++;
	return 0;
}

void fg_block_branch(struct fg_block *b, uint16_t jcode, uint32_t k)
{
	b->term = FG_TERM_BRANCH;
	b->jcode = jcode;
	b->k = k;
}

void fg_block_ret(struct fg_block *b, uint16_t rcode, uint32_t k)
{
	b->term = FG_TERM_RET;
	b->jcode = rcode;
	b->k = k;
	b->jt = b->jf = NULL;
}

void fg_block_jump(struct fg_block *b, struct fg_block *to)
{
	b->term = FG_TERM_JUMP;
	b->jt = to;
	b->jf = NULL;
}

/* ---- conditions and patch lists ---------------------------------------- */

struct fg_cond fg_cond_const(bool value)
{
	struct fg_cond c = { value ? FG_COND_TRUE : FG_COND_FALSE, NULL, NULL, NULL, NULL, NULL };

	return c;
}

static struct fg_patch *patch_new(struct fg_ir *ir, struct fg_block **slot)
{
	struct fg_patch *p = fg_arena_alloc(ir->arena, sizeof(*p));

	if (p)
		p->slot = slot;
	return p;
}

/* Append list b (first, last) to list a in O(1). */
static void plist_concat(struct fg_patch **a, struct fg_patch **a_last,
			 struct fg_patch *b, struct fg_patch *b_last)
{
	if (!b)
		return;
	if (*a)
		(*a_last)->next = b;
	else
		*a = b;
	*a_last = b_last;
}

int fg_cond_add_exit(struct fg_ir *ir, struct fg_cond *c, bool true_exit, struct fg_block **slot)
{
	struct fg_patch *p = patch_new(ir, slot);

	if (!p)
		return -ENOMEM;
	if (true_exit)
		plist_concat(&c->t, &c->t_last, p, p);
	else
		plist_concat(&c->f, &c->f_last, p, p);
	return 0;
}

struct fg_cond fg_cond_block(struct fg_ir *ir, struct fg_block *b)
{
	struct fg_cond c = { FG_COND_CODE, b, NULL, NULL, NULL, NULL };

	fg_cond_add_exit(ir, &c, true, &b->jt);
	fg_cond_add_exit(ir, &c, false, &b->jf);
	return c;
}

struct fg_cond fg_cond_always(struct fg_ir *ir, struct fg_block *b)
{
	struct fg_cond c = { FG_COND_CODE, b, NULL, NULL, NULL, NULL };

	b->term = FG_TERM_JUMP;
	fg_cond_add_exit(ir, &c, true, &b->jt);
	return c;
}

void fg_patch_to(struct fg_patch *list, struct fg_block *target)
{
	for (; list; list = list->next)
		*list->slot = target;
}

struct fg_cond fg_cond_and(struct fg_ir *ir, struct fg_cond a, struct fg_cond b)
{
	(void)ir;
	if (a.kind == FG_COND_FALSE || b.kind == FG_COND_TRUE)
		return a;
	if (a.kind == FG_COND_TRUE)
		return b;
	if (b.kind == FG_COND_FALSE) {
		/* a's code still runs (its loads may stop the program) but the result is false. */
		plist_concat(&a.f, &a.f_last, a.t, a.t_last);
		a.t = a.t_last = NULL;
		return a;
	}
	fg_patch_to(a.t, b.entry);
	a.t = b.t;
	a.t_last = b.t_last;
	plist_concat(&a.f, &a.f_last, b.f, b.f_last);
	return a;
}

struct fg_cond fg_cond_or(struct fg_ir *ir, struct fg_cond a, struct fg_cond b)
{
	(void)ir;
	if (a.kind == FG_COND_TRUE || b.kind == FG_COND_FALSE)
		return a;
	if (a.kind == FG_COND_FALSE)
		return b;
	if (b.kind == FG_COND_TRUE) {
		plist_concat(&a.t, &a.t_last, a.f, a.f_last);
		a.f = a.f_last = NULL;
		return a;
	}
	fg_patch_to(a.f, b.entry);
	a.f = b.f;
	a.f_last = b.f_last;
	plist_concat(&a.t, &a.t_last, b.t, b.t_last);
	return a;
}

struct fg_cond fg_cond_not(struct fg_cond a)
{
	struct fg_patch *t = a.t, *t_last = a.t_last;

	if (a.kind != FG_COND_CODE) {
		a.kind = a.kind == FG_COND_TRUE ? FG_COND_FALSE : FG_COND_TRUE;
		return a;
	}
	a.t = a.f;
	a.t_last = a.f_last;
	a.f = t;
	a.f_last = t_last;
	return a;
}

int fg_ir_finish(struct fg_ir *ir, struct fg_cond c, uint32_t accept)
{
	struct fg_block *yes = fg_block_new(ir), *no = fg_block_new(ir);

	if (!yes || !no)
		return -ENOMEM;
	fg_block_ret(yes, BPF_RET | BPF_K, accept);
	fg_block_ret(no, BPF_RET | BPF_K, 0);
	switch (c.kind) {
	case FG_COND_TRUE:
		ir->entry = yes;
		break;
	case FG_COND_FALSE:
		ir->entry = no;
		break;
	case FG_COND_CODE:
		fg_patch_to(c.t, yes);
		fg_patch_to(c.f, no);
		ir->entry = c.entry;
		break;
	}
	return ir->arena->failed ? -ENOMEM : 0;
}

/* ---- walks --------------------------------------------------------------- */

unsigned fg_ir_new_epoch(struct fg_ir *ir)
{
	size_t i;

	if (++ir->epoch == 0) {
		for (i = 0; i < ir->nblocks; i++)
			ir->blocks[i]->mark = 0;
		ir->epoch = 1;
	}
	return ir->epoch;
}

/*
 * Iterative DFS (no recursion: programs may have thousands of blocks).
 * mark: epoch = on the stack, epoch + 1 = finished.
 */
int fg_ir_rpo(struct fg_ir *ir, struct fg_block ***out, size_t *n)
{
	struct fg_block **order, **stack;
	unsigned char *state;	/* per stack entry: how many successors were pushed */
	size_t sp = 0, cnt = 0;
	unsigned e;

	fg_ir_new_epoch(ir);
	e = fg_ir_new_epoch(ir);	/* e - 1 is free for "finished" */
	order = fg_arena_alloc(ir->arena, (ir->nblocks + 1) * sizeof(*order));
	stack = fg_arena_alloc(ir->arena, (ir->nblocks + 1) * sizeof(*stack));
	state = fg_arena_alloc(ir->arena, ir->nblocks + 1);
	if (!order || !stack || !state)
		return -ENOMEM;
	if (!ir->entry) {
		*out = order;
		*n = 0;
		return 0;
	}
	stack[sp] = ir->entry;
	state[sp++] = 0;
	ir->entry->mark = e;
	while (sp) {
		struct fg_block *b = stack[sp - 1], *s = NULL;

		/* Visit jf before jt so that, reversed, jt tends to follow its branch. */
		if (state[sp - 1] == 0) {
			state[sp - 1] = 1;
			s = b->term == FG_TERM_BRANCH ? b->jf : NULL;
		} else if (state[sp - 1] == 1) {
			state[sp - 1] = 2;
			s = (b->term == FG_TERM_BRANCH || b->term == FG_TERM_JUMP) ? b->jt : NULL;
		} else {
			b->mark = e - 1;
			order[cnt++] = b;
			sp--;
			continue;
		}
		if (!s || s->mark == e - 1)
			continue;
		if (s->mark == e)
			return -ELOOP;
		s->mark = e;
		stack[sp] = s;
		state[sp++] = 0;
	}
	/* Reverse the postorder. */
	for (size_t i = 0; i < cnt / 2; i++) {
		struct fg_block *t = order[i];

		order[i] = order[cnt - 1 - i];
		order[cnt - 1 - i] = t;
	}
	*out = order;
	*n = cnt;
	return 0;
}

/* ---- scratch initialisation ------------------------------------------- */

static bool is_mem_load(uint16_t code)
{
	return code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM);
}

/* Scratch words stored on exit of b, given those stored on entry; *uninit gets reads before stores. */
static uint16_t block_stores(const struct fg_block *b, uint16_t stored, uint16_t *uninit)
{
	size_t i;

	for (i = 0; i < b->ninsns; i++) {
		uint16_t bit = (uint16_t)(1u << (b->insns[i].k & 15));

		if (is_mem_load(b->insns[i].code) && !(stored & bit))
			*uninit |= bit;
		else if (b->insns[i].code == BPF_ST || b->insns[i].code == BPF_STX)
			stored |= bit;
	}
	return stored;
}

/* Prepend `st M[k]` (A is 0 at the start) for every word in mask; 0 or -ENOMEM. */
static int store_at_entry(struct fg_ir *ir, uint16_t mask)
{
	struct fg_block *init;
	int k;

	if (!mask)
		return 0;
	init = fg_block_new(ir);
	if (!init)
		return -ENOMEM;
	for (k = 0; k < CBPF_MEMWORDS; k++)
		if ((mask & (1u << k)) && fg_block_add(ir, init, BPF_ST, (uint32_t)k) < 0)
			return -ENOMEM;
	fg_block_jump(init, ir->entry);
	ir->entry = init;
	return 0;
}

int fg_ir_init_scratch_all(struct fg_ir *ir)
{
	struct fg_block **order;
	uint16_t read = 0;
	size_t n, i, j;
	int rc = fg_ir_rpo(ir, &order, &n);

	if (rc < 0)
		return rc;
	for (i = 0; i < n; i++)
		for (j = 0; j < order[i]->ninsns; j++)
			if (is_mem_load(order[i]->insns[j].code))
				read |= (uint16_t)(1u << (order[i]->insns[j].k & 15));
	return store_at_entry(ir, read);
}

int fg_ir_init_scratch(struct fg_ir *ir)
{
	struct fg_block **order;
	uint16_t *in, uninit = 0;
	size_t n, i;
	int rc = fg_ir_rpo(ir, &order, &n);

	if (rc < 0)
		return rc;
	in = fg_arena_alloc(ir->arena, (ir->nblocks + 1) * sizeof(*in));
	if (!in)
		return -ENOMEM;
	for (i = 0; i < ir->nblocks; i++)
		in[i] = 0xffff;	/* meet over predecessors: intersection */
	if (n)
		in[order[0]->id] = 0;
	for (i = 0; i < n; i++) {
		const struct fg_block *b = order[i];
		uint16_t out = block_stores(b, in[b->id], &uninit);

		if ((b->term == FG_TERM_BRANCH || b->term == FG_TERM_JUMP) && b->jt)
			in[b->jt->id] &= out;
		if (b->term == FG_TERM_BRANCH && b->jf)
			in[b->jf->id] &= out;
	}
	return store_at_entry(ir, uninit);
}

/* ---- checker -------------------------------------------------------------- */

static bool straight_line_code(uint16_t code)
{
	switch (BPF_CLASS(code)) {
	case BPF_LD: case BPF_LDX: case BPF_ALU: case BPF_ST: case BPF_STX: case BPF_MISC:
		return cbpf_opcode_allowed(code);
	default:
		return false;
	}
}

static bool cond_jump_code(uint16_t code)
{
	if (BPF_CLASS(code) != BPF_JMP || BPF_OP(code) == BPF_JA)
		return false;
	return cbpf_opcode_allowed(code);
}

static int check_block(const struct fg_block *b, struct fg_diag *diag)
{
	size_t i;

	for (i = 0; i < b->ninsns; i++) {
		const struct fg_insn *in = &b->insns[i];

		if (!straight_line_code(in->code)) {
			fg_diag_set(diag, 0, 0, "IR: block %u insn %zu: code 0x%x is not straight-line",
				    b->id, i, in->code);
			return -EINVAL;
		}
		if ((in->code == (BPF_LD | BPF_MEM) || in->code == (BPF_LDX | BPF_MEM) ||
		     in->code == BPF_ST || in->code == BPF_STX) && in->k >= CBPF_MEMWORDS) {
			fg_diag_set(diag, 0, 0, "IR: block %u insn %zu: M[%u] out of range",
				    b->id, i, in->k);
			return -EINVAL;
		}
	}
	switch (b->term) {
	case FG_TERM_BRANCH:
		if (!cond_jump_code(b->jcode) || !b->jt || !b->jf)
			break;
		return 0;
	case FG_TERM_JUMP:
		if (!b->jt)
			break;
		return 0;
	case FG_TERM_RET:
		if (b->jcode != (BPF_RET | BPF_K) && b->jcode != (BPF_RET | BPF_A))
			break;
		return 0;
	case FG_TERM_NONE:
		break;
	}
	fg_diag_set(diag, 0, 0, "IR: block %u has a bad terminator", b->id);
	return -EINVAL;
}

int fg_ir_check(struct fg_ir *ir, struct fg_diag *diag)
{
	struct fg_block **order;
	size_t n, i;
	int rc;

	if (!ir->entry) {
		fg_diag_set(diag, 0, 0, "IR: no entry block");
		return -EINVAL;
	}
	rc = fg_ir_rpo(ir, &order, &n);
	if (rc == -ELOOP) {
		fg_diag_set(diag, 0, 0, "IR: the graph has a cycle");
		return -EINVAL;
	}
	if (rc < 0)
		return rc;
	for (i = 0; i < n; i++) {
		rc = check_block(order[i], diag);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- text dump ------------------------------------------------------------ */

struct strbuf {
	char *s;
	size_t len, cap;
	bool failed;
};

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(sb->s ? sb->s + sb->len : NULL, sb->s ? sb->cap - sb->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			sb->failed = true;
			return;
		}
		if (sb->s && (size_t)n < sb->cap - sb->len) {
			sb->len += (size_t)n;
			return;
		}
		{
			size_t ncap = (sb->cap ? sb->cap * 2 : 1024) + (size_t)n;
			char *ns = realloc(sb->s, ncap);

			if (!ns) {
				sb->failed = true;
				return;
			}
			sb->s = ns;
			sb->cap = ncap;
		}
	}
}

static const char *jump_name(uint16_t code)
{
	switch (BPF_OP(code)) {
	case BPF_JEQ: return "jeq";
	case BPF_JGT: return "jgt";
	case BPF_JGE: return "jge";
	case BPF_JSET: return "jset";
	default: return "j?";
	}
}

/* "(000) ldh      [12]" -> "ldh [12]": drop the index, fold the padding. */
static const char *squeeze_image(char *img)
{
	char *r = img, *w = img;
	bool space = false;

	if (strncmp(r, "(", 1) == 0 && (r = strchr(r, ')')) != NULL)
		r += 2;
	else
		r = img;
	for (; *r; r++) {
		if (*r == ' ' || *r == '\t') {
			space = true;
			continue;
		}
		if (space && w != img)
			*w++ = ' ';
		space = false;
		*w++ = *r;
	}
	*w = '\0';
	return img;
}

static void dump_block(struct strbuf *sb, const struct fg_block *b)
{
	char img[128];
	size_t i;

	sb_printf(sb, "b%u:\n", b->id);
	for (i = 0; i < b->ninsns; i++) {
		struct cbpf_insn in = { b->insns[i].code, 0, 0, b->insns[i].k };

		cbpf_insn_image(&in, 0, img, sizeof(img));
		/* Drop the "(000) " index and the padding: "ldh [12]". */
		sb_printf(sb, "\t%s\n", squeeze_image(img));
	}
	switch (b->term) {
	case FG_TERM_BRANCH:
		if (BPF_SRC(b->jcode) == BPF_X)
			sb_printf(sb, "\t%s x -> b%u, b%u\n", jump_name(b->jcode), b->jt->id, b->jf->id);
		else
			sb_printf(sb, "\t%s #0x%x -> b%u, b%u\n", jump_name(b->jcode), b->k,
				  b->jt->id, b->jf->id);
		break;
	case FG_TERM_JUMP:
		sb_printf(sb, "\tja -> b%u\n", b->jt->id);
		break;
	case FG_TERM_RET:
		if (b->jcode == (BPF_RET | BPF_A))
			sb_printf(sb, "\tret a\n");
		else
			sb_printf(sb, "\tret #%u\n", b->k);
		break;
	case FG_TERM_NONE:
		sb_printf(sb, "\t(unterminated)\n");
		break;
	}
}

int fg_ir_dump(struct fg_ir *ir, char **out)
{
	struct strbuf sb = { NULL, 0, 0, false };
	struct fg_block **order;
	size_t n, i;
	int rc = fg_ir_rpo(ir, &order, &n);

	if (rc < 0)
		return rc;
	sb_printf(&sb, "%s", "");
	for (i = 0; i < n; i++)
		dump_block(&sb, order[i]);
	if (sb.failed) {
		free(sb.s);
		return -ENOMEM;
	}
	*out = sb.s;
	return 0;
}
