/*
 * emit.c -- cBPF to eBPF: the code generator.
 *
 * Walks the reachable cBPF instructions in order, emitting for each the eBPF
 * that the analyses in translate.c allow: A in r0 (LD_ABS, helpers and exit
 * all use r0), X in r7, the context in r6 (left in r1 when nothing calls),
 * data/data_end in r8/r9 on tc and XDP, the byte count of the stack window
 * in r9 on a socket filter that uses one; free ones of r8/r9 hold M[] slots,
 * the others live on the stack.  ALU
 * and comparisons are 32-bit (BPF_ALU, BPF_JMP32), so immediates need no
 * temporary.  A conditional jump whose true branch falls through is
 * inverted; every "return 0" (failed check, division by zero, load out of
 * range) jumps to one shared exit.  Jumps are patched at the end.
 * Keeps true: every emitted instruction is reachable; r1-r5 never carry a
 * value across a helper call or LD_ABS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/pkt_cls.h>

#include "ebt_int.h"

#define SKB_OFF(f) ((int16_t)offsetof(struct __sk_buff, f))

static void put(struct ebt_ctx *c, struct bpf_insn i)
{
	if (c->err)
		return;
	if (c->nout == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct bpf_insn *p = realloc(c->out, cap * sizeof(*p));

		if (!p) {
			c->err = -ENOMEM;
			return;
		}
		c->out = p;
		c->cap = cap;
	}
	c->out[c->nout++] = i;
}

static void jump(struct ebt_ctx *c, struct bpf_insn i, enum ebt_fix_kind kind, size_t pc)
{
	if (c->nfix == c->capfix) {
		size_t cap = c->capfix ? c->capfix * 2 : 64;
		struct ebt_fix *p = realloc(c->fix, cap * sizeof(*p));

		if (!p) {
			c->err = -ENOMEM;
			return;
		}
		c->fix = p;
		c->capfix = cap;
	}
	c->fix[c->nfix].at = c->nout;
	c->fix[c->nfix].kind = kind;
	c->fix[c->nfix].pc = pc;
	c->nfix++;
	put(c, i);
}

static void mov32_imm(struct ebt_ctx *c, int dst, uint32_t k)
{
	put(c, ebt_raw(BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0, (int32_t)k));
}

static void mov32_reg(struct ebt_ctx *c, int dst, int src)
{
	put(c, ebt_raw(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0));
}

static void mov64_reg(struct ebt_ctx *c, int dst, int src)
{
	put(c, ebt_raw(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0));
}

static void ldx(struct ebt_ctx *c, int size, int dst, int src, int16_t off)
{
	put(c, ebt_raw((uint8_t)(BPF_LDX | BPF_MEM | size), dst, src, off, 0));
}

static void call(struct ebt_ctx *c, int helper)
{
	put(c, ebt_raw(BPF_JMP | BPF_CALL, 0, 0, 0, helper));
}

static void exit_insn(struct ebt_ctx *c)
{
	put(c, ebt_raw(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

/* if (w<reg> op imm) goto the shared "return 0". */
static void jmp32_exit0(struct ebt_ctx *c, int op, int reg, int32_t imm)
{
	jump(c, ebt_raw((uint8_t)(BPF_JMP32 | op | BPF_K), reg, 0, 0, imm), FIX_EXIT0, 0);
}

/* The values returned for a match and a non-match under the action. */
static uint32_t verdict(const struct ebt_ctx *c, int match)
{
	int pass = c->action == EBT_ACTION_PASS;

	switch (c->target) {
	case EBT_TARGET_TC:
		return match ? (uint32_t)(pass ? TC_ACT_OK : TC_ACT_SHOT) : (uint32_t)TC_ACT_UNSPEC;
	case EBT_TARGET_XDP:
		return (match == pass) ? XDP_PASS : XDP_DROP;
	default:
		return (match == pass) ? 0xffffffffu : 0;
	}
}

static uint32_t exit0_value(const struct ebt_ctx *c)
{
	return c->action ? verdict(c, 0) : 0;
}

static int16_t m_off(int slot)
{
	return (int16_t)(-4 * (slot + 1));
}

static void load_mem(struct ebt_ctx *c, int dst, int slot)
{
	if (c->m_reg[slot])
		mov32_reg(c, dst, c->m_reg[slot]);
	else
		ldx(c, BPF_W, dst, R_FP, m_off(slot));
}

static void store_mem(struct ebt_ctx *c, int src, int slot)
{
	if (c->m_reg[slot])
		mov32_reg(c, c->m_reg[slot], src);
	else
		put(c, ebt_raw(BPF_STX | BPF_MEM | BPF_W, R_FP, src, m_off(slot), 0));
}

static void bswap(struct ebt_ctx *c, int reg, uint32_t size)
{
	if (size > 1)
		put(c, ebt_raw(BPF_ALU | BPF_END | BPF_TO_BE, reg, 0, 0, (int32_t)(size * 8)));
}

/* Where direct loads read: the packet (tc, XDP) or the stack window (socket). */
static int direct_base(const struct ebt_ctx *c)
{
	return c->target == EBT_TARGET_SOCKET && !c->kern ? R_FP : R_DATA;
}

static int16_t direct_off(const struct ebt_ctx *c, uint32_t off)
{
	return (int16_t)(c->target == EBT_TARGET_SOCKET && !c->kern ? EBT_WINDOW_OFF + (int32_t)off :
			 (int32_t)off);
}

static int bpf_size(uint32_t size)
{
	return size == 4 ? BPF_W : size == 2 ? BPF_H : BPF_B;
}

/* r2 = data + need; if r2 > data_end goto exit0. */
static void bounds_check(struct ebt_ctx *c, uint32_t need)
{
	if (c->target == EBT_TARGET_SOCKET) {	/* r9: bytes r8 or the window holds */
		jmp32_exit0(c, BPF_JLT, R_END, (int32_t)need);
		return;
	}
	mov64_reg(c, 2, R_DATA);
	put(c, ebt_raw(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, (int32_t)need));
	jump(c, ebt_raw(BPF_JMP | BPF_JGT | BPF_X, 2, R_END, 0, 0), FIX_EXIT0, 0);
}

/* XDP: dst = packet[X + k], size bytes, or return 0 when out of range. */
static void xdp_ind(struct ebt_ctx *c, int dst, uint32_t k, uint32_t size)
{
	mov32_reg(c, 2, R_X);
	if (k)
		put(c, ebt_raw(BPF_ALU | BPF_ADD | BPF_K, 2, 0, 0, (int32_t)k));
	jump(c, ebt_raw(BPF_JMP | BPF_JGT | BPF_K, 2, 0, 0, (int32_t)(0x7fff - size)), FIX_EXIT0, 0);
	/* r3 = data + off + size; checked against data_end, read at r3 - size */
	mov64_reg(c, 3, R_DATA);
	put(c, ebt_raw(BPF_ALU64 | BPF_ADD | BPF_X, 3, 2, 0, 0));
	put(c, ebt_raw(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, (int32_t)size));
	jump(c, ebt_raw(BPF_JMP | BPF_JGT | BPF_X, 3, R_END, 0, 0), FIX_EXIT0, 0);
	ldx(c, bpf_size(size), dst, 3, (int16_t)-(int32_t)size);
	bswap(c, dst, size);
}

/*
 * r0 = a packet load done by the kernel (LD_ABS/LD_IND semantics).  The
 * verifier expands those into a helper call and a "return 0" when the load
 * fails; where the program's exits are not the classic value (an action maps
 * it, or the capture epilogue follows), a failed load must take exit0
 * instead, so the bytes are fetched with bpf_skb_load_bytes (offsets below
 * 0, the SKF_*_OFF areas, keep LD_ABS).
 */
static void native_load(struct ebt_ctx *c, uint8_t code, int32_t k)
{
	uint32_t size = ebt_load_size(code);
	int ind = BPF_MODE(code) == BPF_IND;

	if ((c->action == EBT_ACTION_NONE && !c->force_ctx) || (!ind && k < 0)) {
		put(c, ebt_raw(code, 0, ind ? R_X : 0, 0, k));
		return;
	}
	mov64_reg(c, 1, c->ctx);
	if (ind) {
		mov32_reg(c, 2, R_X);
		if (k)
			put(c, ebt_raw(BPF_ALU | BPF_ADD | BPF_K, 2, 0, 0, k));
	} else {
		mov32_imm(c, 2, (uint32_t)k);
	}
	mov64_reg(c, 3, R_FP);
	put(c, ebt_raw(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, EBT_SCRATCH_OFF));
	mov32_imm(c, 4, size);
	call(c, BPF_FUNC_skb_load_bytes);
	jmp32_exit0(c, BPF_JNE, R_A, 0);
	ldx(c, bpf_size(size), R_A, R_FP, EBT_SCRATCH_OFF);
	bswap(c, R_A, size);
}

static struct ebt_stub *new_stub(struct ebt_ctx *c)
{
	if (c->nstub == c->capstub) {
		size_t cap = c->capstub ? c->capstub * 2 : 16;
		struct ebt_stub *p = realloc(c->stub, cap * sizeof(*p));

		if (!p) {
			c->err = -ENOMEM;
			return NULL;
		}
		c->stub = p;
		c->capstub = cap;
	}
	memset(&c->stub[c->nstub], 0, sizeof(c->stub[0]));
	return &c->stub[c->nstub++];
}

/*
 * A = packet[X + k] read directly when X + k + size is within r9 (socket
 * with kernel facts: r8 the bytes, r9 how many); anything else (beyond the
 * linear part, out of range, a negative offset) goes to an out-of-line
 * LD_IND, which does what the kernel does.  An X the analysis cannot bound
 * is tested first, so that the verifier can bound the pointer arithmetic.
 */
static void ptr_ind(struct ebt_ctx *c, size_t pc, uint32_t size)
{
	const struct cbpf_insn *i = &c->in[pc];
	uint64_t reach = (uint64_t)c->xmax[pc] + i->k + size;
	struct ebt_stub *st = new_stub(c);

	if (!st)
		return;
	st->code = (uint8_t)i->code;
	st->k = (int32_t)i->k;
	if (reach > 0xffff) {
		st->from[st->nfrom++] = c->nout;
		put(c, ebt_raw(BPF_JMP32 | BPF_JGT | BPF_K, R_X, 0, 0, 0x7fff));
	}
	mov32_reg(c, 2, R_X);
	put(c, ebt_raw(BPF_ALU | BPF_ADD | BPF_K, 2, 0, 0, (int32_t)(i->k + size)));
	st->from[st->nfrom++] = c->nout;
	put(c, ebt_raw(BPF_JMP32 | BPF_JGT | BPF_X, 2, R_END, 0, 0));
	mov64_reg(c, 2, R_DATA);
	put(c, ebt_raw(BPF_ALU64 | BPF_ADD | BPF_X, 2, R_X, 0, 0));
	ldx(c, bpf_size(size), R_A, 2, (int16_t)i->k);
	bswap(c, R_A, size);
	st->back = c->nout;
}

/* The out-of-line LD_INDs, each jumping back after its direct load. */
static void emit_stubs(struct ebt_ctx *c)
{
	size_t s;
	int j;

	for (s = 0; s < c->nstub && !c->err; s++) {
		struct ebt_stub *st = &c->stub[s];

		if (c->nout - st->back > 32767) {
			c->err = -E2BIG;
			return;
		}
		for (j = 0; j < st->nfrom; j++)
			c->out[st->from[j]].off = (int16_t)(c->nout - st->from[j] - 1);
		native_load(c, st->code, st->k);
		put(c, ebt_raw(BPF_JMP | BPF_JA, 0, 0, (int16_t)((long)st->back - (long)c->nout - 1), 0));
	}
}

static void ancillary(struct ebt_ctx *c, uint32_t k)
{
	int a = (int32_t)k - SKF_AD_OFF;
	int xdp = c->target == EBT_TARGET_XDP;

	switch (a) {
	case SKF_AD_PROTOCOL:
		ldx(c, BPF_W, R_A, c->ctx, SKB_OFF(protocol));
		bswap(c, R_A, 2);
		break;
	case SKF_AD_PKTTYPE: ldx(c, BPF_W, R_A, c->ctx, SKB_OFF(pkt_type)); break;
	case SKF_AD_IFINDEX:
		/* classic returns 0 from the program when the skb has no device */
		ldx(c, BPF_W, R_A, c->ctx, xdp ? (int16_t)offsetof(struct xdp_md, ingress_ifindex) :
						 SKB_OFF(ifindex));
		if (!xdp)
			jmp32_exit0(c, BPF_JEQ, R_A, 0);
		break;
	case SKF_AD_MARK: ldx(c, BPF_W, R_A, c->ctx, SKB_OFF(mark)); break;
	case SKF_AD_QUEUE: ldx(c, BPF_W, R_A, c->ctx, SKB_OFF(queue_mapping)); break;
	case SKF_AD_RXHASH: ldx(c, BPF_W, R_A, c->ctx, SKB_OFF(hash)); break;
	case SKF_AD_VLAN_TAG: ldx(c, BPF_W, R_A, c->ctx, SKB_OFF(vlan_tci)); break;
	case SKF_AD_VLAN_TAG_PRESENT: ldx(c, BPF_W, R_A, c->ctx, SKB_OFF(vlan_present)); break;
	case SKF_AD_VLAN_TPID:
		ldx(c, BPF_W, R_A, c->ctx, SKB_OFF(vlan_proto));
		bswap(c, R_A, 2);
		break;
	case SKF_AD_CPU: call(c, BPF_FUNC_get_smp_processor_id); break;
	case SKF_AD_RANDOM: call(c, BPF_FUNC_get_prandom_u32); break;
	case SKF_AD_ALU_XOR_X: put(c, ebt_raw(BPF_ALU | BPF_XOR | BPF_X, R_A, R_X, 0, 0)); break;
	}
}

/* A = packet load (LD ABS/IND). */
static void load_a(struct ebt_ctx *c, size_t pc)
{
	const struct cbpf_insn *i = &c->in[pc];
	uint32_t off, size;

	switch (ebt_load_kind(c, i, &off, &size)) {
	case LD_DIRECT:
		if (!c->a_live_out[pc])
			break;	/* its bounds check already did all a dead load does */
		ldx(c, bpf_size(size), R_A, direct_base(c), direct_off(c, off));
		if (!(c->aswap[pc] & EBT_SWAP_SKIP))
			bswap(c, R_A, size);
		break;
	case LD_NATIVE: native_load(c, (uint8_t)i->code, (int32_t)i->k); break;
	case LD_XDP_IND: xdp_ind(c, R_A, i->k, size); break;
	case LD_PTR_IND: ptr_ind(c, pc, size); break;
	case LD_ANC: ancillary(c, i->k); break;
	case LD_FAIL: jump(c, ebt_raw(BPF_JMP | BPF_JA, 0, 0, 0, 0), FIX_EXIT0, 0); break;
	default: break;
	}
}

/* X = 4 * (P[k] & 0xf). */
static void load_msh(struct ebt_ctx *c, size_t pc)
{
	const struct cbpf_insn *i = &c->in[pc];
	uint32_t off, size;
	enum ebt_load lk = ebt_load_kind(c, i, &off, &size);

	if (lk == LD_DIRECT) {
		ldx(c, BPF_B, R_X, direct_base(c), direct_off(c, off));
	} else if (lk == LD_FAIL) {
		jump(c, ebt_raw(BPF_JMP | BPF_JA, 0, 0, 0, 0), FIX_EXIT0, 0);
		return;
	} else {
		int save = c->a_live_out[pc];

		if (save)
			put(c, ebt_raw(BPF_STX | BPF_MEM | BPF_W, R_FP, R_A, EBT_SAVE_A_OFF, 0));
		native_load(c, BPF_LD | BPF_ABS | BPF_B, (int32_t)i->k);
		mov32_reg(c, R_X, R_A);
		if (save)
			ldx(c, BPF_W, R_A, R_FP, EBT_SAVE_A_OFF);
	}
	put(c, ebt_raw(BPF_ALU | BPF_AND | BPF_K, R_X, 0, 0, 0xf));
	put(c, ebt_raw(BPF_ALU | BPF_LSH | BPF_K, R_X, 0, 0, 2));
}

/* dst = packet length. */
static void load_len(struct ebt_ctx *c, size_t pc, int dst)
{
	int save;

	if (c->target != EBT_TARGET_XDP) {
		ldx(c, BPF_W, dst, c->ctx, SKB_OFF(len));
		return;
	}
	save = dst != R_A && c->a_live_out[pc];
	if (save)
		put(c, ebt_raw(BPF_STX | BPF_MEM | BPF_W, R_FP, R_A, EBT_SAVE_A_OFF, 0));
	mov64_reg(c, 1, c->ctx);
	call(c, BPF_FUNC_xdp_get_buff_len);
	mov32_reg(c, dst, R_A);
	if (save)
		ldx(c, BPF_W, R_A, R_FP, EBT_SAVE_A_OFF);
}

static void alu(struct ebt_ctx *c, size_t pc)
{
	const struct cbpf_insn *i = &c->in[pc];
	int op = BPF_OP(i->code);

	if (op == BPF_NEG) {
		put(c, ebt_raw(BPF_ALU | BPF_NEG, R_A, 0, 0, 0));
		return;
	}
	if (BPF_SRC(i->code) == BPF_K) {
		put(c, ebt_raw((uint8_t)i->code, R_A, 0, 0, (int32_t)i->k));
		return;
	}
	if (c->xk_known[pc] && (c->xk[pc] != 0 || (op != BPF_DIV && op != BPF_MOD))) {
		if ((op == BPF_LSH || op == BPF_RSH) && c->xk[pc] >= 32)
			mov32_imm(c, R_A, 0);	/* classic: a shift by 32 or more gives 0 */
		else
			put(c, ebt_raw((uint8_t)(BPF_ALU | op | BPF_K), R_A, 0, 0, (int32_t)c->xk[pc]));
		return;
	}
	if ((op == BPF_DIV || op == BPF_MOD) && !c->xnz[pc])
		jmp32_exit0(c, BPF_JEQ, R_X, 0);
	if (op == BPF_LSH || op == BPF_RSH) {
		/* classic (libpcap) semantics: a shift by 32 or more gives 0 */
		put(c, ebt_raw(BPF_JMP32 | BPF_JLT | BPF_K, R_X, 0, 2, 32));
		mov32_imm(c, R_A, 0);
		put(c, ebt_raw(BPF_JMP | BPF_JA, 0, 0, 1, 0));
	}
	put(c, ebt_raw((uint8_t)i->code, R_A, R_X, 0, 0));
}

static size_t next_reach(const struct ebt_ctx *c, size_t pc)
{
	while (++pc < c->n && !c->reach[pc])
		;
	return pc;
}

static int invert(int op)
{
	switch (op) {
	case BPF_JEQ: return BPF_JNE;
	case BPF_JGT: return BPF_JLE;
	case BPF_JGE: return BPF_JLT;
	default: return -1;	/* JSET has no inverse */
	}
}

static void cond_jump(struct ebt_ctx *c, size_t pc)
{
	const struct cbpf_insn *i = &c->in[pc];
	size_t t = pc + 1 + i->jt, f = pc + 1 + i->jf, nx = next_reach(c, pc);
	int op = BPF_OP(i->code), src = BPF_SRC(i->code);
	int32_t imm = src == BPF_K ? (int32_t)i->k : 0;
	int sreg;

	if (src == BPF_X && c->xk_known[pc]) {	/* X is a known constant here */
		src = BPF_K;
		imm = (int32_t)c->xk[pc];
	}
	sreg = src == BPF_X ? R_X : 0;
	if (BPF_SRC(i->code) == BPF_K && (c->aswap[pc] & 6) == 2)	/* A as loaded */
		imm = (int32_t)htons((uint16_t)i->k);
	else if (BPF_SRC(i->code) == BPF_K && (c->aswap[pc] & 6) == 4)
		imm = (int32_t)htonl(i->k);

	if (t == f) {
		if (t != nx)
			jump(c, ebt_raw(BPF_JMP | BPF_JA, 0, 0, 0, 0), FIX_PC, t);
		return;
	}
	if (t == nx && invert(op) >= 0) {
		jump(c, ebt_raw((uint8_t)(BPF_JMP32 | invert(op) | src), R_A, sreg, 0, imm), FIX_PC, f);
		return;
	}
	jump(c, ebt_raw((uint8_t)(BPF_JMP32 | op | src), R_A, sreg, 0, imm), FIX_PC, t);
	if (f != nx)
		jump(c, ebt_raw(BPF_JMP | BPF_JA, 0, 0, 0, 0), FIX_PC, f);
}

static void ret(struct ebt_ctx *c, const struct cbpf_insn *i)
{
	if (BPF_RVAL(i->code) == BPF_K) {
		uint32_t v = c->action ? verdict(c, i->k != 0) : i->k;

		/* the first "return 0" doubles as the shared exit */
		if (v == exit0_value(c) && !c->have_exit0) {
			c->have_exit0 = 1;
			c->exit0 = c->nout;
		}
		mov32_imm(c, R_A, v);
	} else if (c->action) {
		jmp32_exit0(c, BPF_JEQ, R_A, 0);
		mov32_imm(c, R_A, verdict(c, 1));
	}
	exit_insn(c);
}

static void one(struct ebt_ctx *c, size_t pc)
{
	const struct cbpf_insn *i = &c->in[pc];

	if (c->check[pc])
		bounds_check(c, c->ant[pc]);
	switch (BPF_CLASS(i->code)) {
	case BPF_LD:
		switch (BPF_MODE(i->code)) {
		case BPF_IMM: mov32_imm(c, R_A, i->k); break;
		case BPF_MEM: load_mem(c, R_A, (int)i->k); break;
		case BPF_LEN: load_len(c, pc, R_A); break;
		default: load_a(c, pc); break;
		}
		break;
	case BPF_LDX:
		switch (BPF_MODE(i->code)) {
		case BPF_IMM: mov32_imm(c, R_X, i->k); break;
		case BPF_MEM: load_mem(c, R_X, (int)i->k); break;
		case BPF_LEN: load_len(c, pc, R_X); break;
		default: load_msh(c, pc); break;
		}
		break;
	case BPF_ST: store_mem(c, R_A, (int)i->k); break;
	case BPF_STX: store_mem(c, R_X, (int)i->k); break;
	case BPF_ALU: alu(c, pc); break;
	case BPF_JMP:
		if (BPF_OP(i->code) != BPF_JA)
			cond_jump(c, pc);
		else if (pc + 1 + i->k != next_reach(c, pc))
			jump(c, ebt_raw(BPF_JMP | BPF_JA, 0, 0, 0, 0), FIX_PC, pc + 1 + i->k);
		break;
	case BPF_RET: ret(c, i); break;
	case BPF_MISC:
		if (BPF_MISCOP(i->code) == BPF_TAX)
			mov32_reg(c, R_X, R_A);
		else
			mov32_reg(c, R_A, R_X);
		break;
	}
}

/* tc: make the bytes direct loads reach linear (bpf_skb_pull_data) if needed. */
static void tc_pull(struct ebt_ctx *c)
{
	ldx(c, BPF_W, R_DATA, c->ctx, SKB_OFF(data));
	ldx(c, BPF_W, R_END, c->ctx, SKB_OFF(data_end));
	mov64_reg(c, 2, R_DATA);
	put(c, ebt_raw(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, (int32_t)c->max_need));
	put(c, ebt_raw(BPF_JMP | BPF_JLE | BPF_X, 2, R_END, 4, 0));
	/*
	 * Rarely taken: pull the whole packet (one load, where min(len, need)
	 * takes three); the bounds checks still decide what a short one reaches.
	 */
	ldx(c, BPF_W, 2, c->ctx, SKB_OFF(len));
	call(c, BPF_FUNC_skb_pull_data);	/* r1 still holds the context */
	ldx(c, BPF_W, R_DATA, c->ctx, SKB_OFF(data));
	ldx(c, BPF_W, R_END, c->ctx, SKB_OFF(data_end));
}

/* Point the forward jump at index at to the next instruction emitted. */
static void land_here(struct ebt_ctx *c, size_t at)
{
	if (!c->err)
		c->out[at].off = (int16_t)(c->nout - at - 1);
}

/*
 * r9 = min(r9, max_need); when that is not 0, bpf_skb_load_bytes copies as
 * many bytes from the packet's start to the stack window (it cannot fail:
 * 0 < r9 <= len).  The context must be in r1, or in r6 with set_ctx.
 * Returns the index of the jump taken when r9 is 0, for land_here().
 */
static size_t copy_to_window(struct ebt_ctx *c, int set_ctx)
{
	size_t empty;

	put(c, ebt_raw(BPF_JMP32 | BPF_JLE | BPF_K, R_END, 0, 1, (int32_t)c->max_need));
	mov32_imm(c, R_END, c->max_need);
	empty = c->nout;	/* the verifier wants a size above 0 */
	put(c, ebt_raw(BPF_JMP32 | BPF_JEQ | BPF_K, R_END, 0, 0, 0));
	if (set_ctx)
		mov64_reg(c, 1, R_CTX);
	mov32_imm(c, 2, 0);
	mov64_reg(c, 3, R_FP);
	put(c, ebt_raw(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, EBT_WINDOW_OFF));
	mov64_reg(c, 4, R_END);
	call(c, BPF_FUNC_skb_load_bytes);
	return empty;
}

/*
 * Socket: copy min(len, bytes the loads reach) to the stack window once; r9
 * keeps how many.  bpf_skb_load_bytes(skb, 0, to, n) fails only for n > skb->len, which
 * the min excludes, so its result needs no test.
 */
static void window_fill(struct ebt_ctx *c)
{
	ldx(c, BPF_W, R_END, c->ctx, SKB_OFF(len));
	land_here(c, copy_to_window(c, 0));	/* r1 still holds the context */
}

static void kfunc(struct ebt_ctx *c, int32_t btf_id)
{
	put(c, ebt_raw(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, btf_id));
}

/*
 * Socket with kernel facts: r8 = skb->data as read-only untrusted memory,
 * r9 = the linear length.  If that is shorter than the program reaches
 * (max_need) and the packet has more, copy min(len, max_need) bytes to the
 * stack window once and read there.  The verifier inlines both kfuncs as a
 * register move; the common path runs 6 instructions.
 */
static void kern_prologue(struct ebt_ctx *c)
{
	const struct ebt_kernel *k = c->kern;
	size_t linear, head_ok, empty;

	kfunc(c, k->cast_ctx_id);	/* r0 = (struct sk_buff *)ctx; r1 is still ctx */
	ldx(c, BPF_DW, R_DATA, R_A, k->skb_data);
	ldx(c, BPF_W, R_END, R_A, k->skb_len);
	ldx(c, BPF_W, 2, R_A, k->skb_data_len);
	if (c->max_need == 0) {	/* indirect loads only: they fall back on their own */
		put(c, ebt_raw(BPF_ALU | BPF_SUB | BPF_X, R_END, 2, 0, 0));
		return;
	}
	linear = c->nout;	/* linear: len is exact */
	put(c, ebt_raw(BPF_JMP32 | BPF_JEQ | BPF_K, 2, 0, 0, 0));
	put(c, ebt_raw(BPF_ALU | BPF_SUB | BPF_X, R_END, 2, 0, 0));
	head_ok = c->nout;
	put(c, ebt_raw(BPF_JMP32 | BPF_JGE | BPF_K, R_END, 0, 0, (int32_t)c->max_need));
	put(c, ebt_raw(BPF_ALU | BPF_ADD | BPF_X, R_END, 2, 0, 0));	/* the whole length */
	empty = copy_to_window(c, 1);
	mov64_reg(c, 1, R_FP);
	put(c, ebt_raw(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, EBT_WINDOW_OFF));
	mov32_imm(c, 2, 0);		/* btf id 0: void, i.e. untrusted bytes */
	kfunc(c, k->rdonly_cast_id);
	mov64_reg(c, R_DATA, R_A);
	land_here(c, linear);
	land_here(c, head_ok);
	land_here(c, empty);
}

/* Does any emitted instruction read the context (loads, len, ancillaries)? */
static int uses_ctx(const struct ebt_ctx *c)
{
	size_t pc;

	for (pc = 0; pc < c->n; pc++) {
		uint16_t code = c->in[pc].code, cls = BPF_CLASS(code), mode = BPF_MODE(code);

		if (c->reach[pc] && !c->dead[pc] && (cls == BPF_LD || cls == BPF_LDX) &&
		    mode != BPF_IMM && mode != BPF_MEM)
			return 1;
	}
	return 0;
}

/* Does the program call anything (helpers, LD_ABS/LD_IND), clobbering r1? */
static int calls(const struct ebt_ctx *c)
{
	size_t pc;

	if (c->force_ctx || c->kern || (c->direct && c->target != EBT_TARGET_XDP))
		return 1;	/* capture epilogue, bpf_skb_pull_data, bpf_skb_load_bytes */
	for (pc = 0; pc < c->n; pc++) {
		const struct cbpf_insn *i = &c->in[pc];
		int32_t a = (int32_t)i->k - SKF_AD_OFF;
		uint32_t off, size;
		enum ebt_load lk;

		if (!c->reach[pc] || c->dead[pc])
			continue;
		lk = ebt_load_kind(c, i, &off, &size);
		if (lk == LD_NATIVE || lk == LD_PTR_IND || (lk == LD_ANC && (a == SKF_AD_CPU || a == SKF_AD_RANDOM)))
			return 1;
		if (c->target == EBT_TARGET_XDP && BPF_MODE(i->code) == BPF_LEN &&
		    (BPF_CLASS(i->code) == BPF_LD || BPF_CLASS(i->code) == BPF_LDX))
			return 1;	/* bpf_xdp_get_buff_len */
	}
	return 0;
}

static void prologue(struct ebt_ctx *c)
{
	int s;

	c->ctx = 1;
	if (c->force_ctx || (uses_ctx(c) && calls(c))) {
		c->ctx = R_CTX;
		mov64_reg(c, R_CTX, 1);
	}
	if (c->direct && c->target == EBT_TARGET_TC) {
		tc_pull(c);
	} else if (c->direct && c->kern) {
		kern_prologue(c);
	} else if (c->direct && c->target == EBT_TARGET_SOCKET) {
		window_fill(c);
	} else if (c->direct && c->target == EBT_TARGET_XDP) {
		ldx(c, BPF_W, R_DATA, c->ctx, (int16_t)offsetof(struct xdp_md, data));
		ldx(c, BPF_W, R_END, c->ctx, (int16_t)offsetof(struct xdp_md, data_end));
	}
	if (c->a_live_in)
		mov32_imm(c, R_A, 0);
	if (c->x_live_in)
		mov32_imm(c, R_X, 0);
	for (s = 0; s < 16; s++) {
		if (!(c->m_uninit & (1u << s)))
			continue;
		if (c->m_reg[s])
			mov32_imm(c, c->m_reg[s], 0);
		else
			put(c, ebt_raw(BPF_ST | BPF_MEM | BPF_W, R_FP, 0, m_off(s), 0));
	}
}

/* Point every jump at its target; the shared exits go last, if used. */
static int patch(struct ebt_ctx *c)
{
	size_t k, exit0 = c->exit0, match = 0;
	int need0 = 0, needm = 0;

	emit_stubs(c);
	for (k = 0; k < c->nfix; k++) {
		need0 |= c->fix[k].kind == FIX_EXIT0;
		needm |= c->fix[k].kind == FIX_MATCH;
	}
	if (need0 && !c->have_exit0) {
		exit0 = c->nout;
		mov32_imm(c, R_A, exit0_value(c));
		exit_insn(c);
	}
	if (needm) {
		match = c->nout;
		mov32_imm(c, R_A, verdict(c, 1));
		exit_insn(c);
	}
	if (c->err)
		return c->err;
	for (k = 0; k < c->nfix; k++) {
		size_t to = c->fix[k].kind == FIX_PC ? c->addr[c->fix[k].pc] :
			    c->fix[k].kind == FIX_EXIT0 ? exit0 : match;
		long off = (long)to - (long)c->fix[k].at - 1;

		if (off < -32768 || off > 32767)
			return -E2BIG;
		c->out[c->fix[k].at].off = (int16_t)off;
	}
	return 0;
}

int ebt_emit_program(struct ebt_ctx *c)
{
	size_t pc;

	prologue(c);
	for (pc = 0; pc < c->n; pc++) {
		c->addr[pc] = c->nout;
		if (c->reach[pc] && !c->dead[pc])
			one(c, pc);
	}
	c->addr[c->n] = c->nout;
	return patch(c);
}
