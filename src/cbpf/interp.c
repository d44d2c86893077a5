/*
 * interp.c -- the classic BPF interpreter: cbpf_vm_new, cbpf_vm_run,
 * cbpf_vm_free.
 *
 * cbpf_vm_new checks that a program is structurally safe (known opcodes,
 * jumps inside the program, scratch indexes < 16, no falling off the end)
 * and decodes it once into an array of struct vm_insn: one handler per
 * operation with its size and byte order already chosen, absolute jump
 * targets, the end offset of absolute loads precomputed, and a load followed
 * by a conditional jump on a constant fused into one step.  cbpf_vm_run then
 * executes that form with direct-threaded dispatch (GCC's labels as values)
 * or, without them, a plain switch.
 *
 * Kept true: every program cbpf_vm_new accepts runs in bounded time and
 * never reads outside the captured bytes, the scratch memory or the meta
 * struct.  Conditional jumps only go forward; an unconditional jump whose k
 * is negative as an int32 goes backward, as in libpcap (pcap_compile emits
 * one for protochain), and a run that takes more than 64 + caplen / 8 of
 * those returns 0 (a protochain loop moves at least 8 bytes per turn, so it
 * never gets there).  Packet semantics are those of libpcap's interpreter:
 * any load outside [0, caplen) -- offsets computed without wrap-around --
 * and any division or modulo by zero end the run returning 0; loads are
 * big-endian; a shift by 32 or more gives 0 (for a constant shift libpcap
 * 1.10.3 leaves that undefined and the kernel refuses it; newer libpcap
 * gives 0).  Linux ancillary loads (any size, unknown offsets fail) and the
 * negative SKF_NET_OFF / SKF_LL_OFF offsets read meta, and behave as out of
 * range when meta is NULL.  With CBPF_VM_SECCOMP the packet is a struct
 * seccomp_data: word and halfword loads read host byte order and ld #len
 * is 64.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cbpf_int.h"

#if defined(__GNUC__) && !defined(CBPF_VM_SWITCH)
#define VM_THREADED 1
#else
#define VM_THREADED 0
#endif

#if defined(__clang__)
#define VM_NOCLONE		/* clang does not clone functions */
#else
#define VM_NOCLONE noclone,
#endif

/*
 * The rare paths are inlined into vm_exec too: with no calls left in it,
 * the compiler keeps the VM state in caller-saved registers and the
 * per-run entry and exit get cheaper (about 10% on short filters).
 */
#define VM_INLINE inline __attribute__((always_inline))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* The type bits of nla_type (the kernel's NLA_TYPE_MASK). */
#define NLA_TYPE_BITS 0x3fffu
#define NLA_HDR_LEN 4u

/* Backward jumps a run may take: this many, plus one per 8 captured bytes. */
#define BACK_JUMPS_BASE 64u

/* Flags of the generic (slow) load, kept in vm_insn.aux. */
#define LDF_SIZE 0x0fu		/* 1, 2 or 4 */
#define LDF_HOST 0x10u		/* host byte order (seccomp data) */
#define LDF_IND 0x20u		/* offset is k + X */

/*
 * The decoded operations.  FUSED(ld, jcc) steps load into A, then branch
 * on the constant of the following instruction (which stays in place for
 * the jumps that land on it).
 */
#define VM_FUSED_OPS(X, LD) \
	X(LD##_JEQ) X(LD##_JGT) X(LD##_JGE) X(LD##_JSET)

#define VM_OPS(X) \
	X(RET_K) X(RET_A) \
	X(LD_IMM) X(LDX_IMM) X(LD_LEN) X(LDX_LEN) \
	X(LD_MEM) X(LDX_MEM) X(ST) X(STX) \
	X(LDW_ABS) X(LDH_ABS) X(LDB_ABS) X(LDW_ABS_HOST) \
	X(LDW_IND) X(LDH_IND) X(LDB_IND) \
	X(LD_ANY) X(LDX_MSH) X(LDX_MSH_ANY) \
	X(ANC_META) X(ANC_XOR_X) X(ANC_NLA) X(ANC_NLA_NEST) \
	X(ADD_K) X(SUB_K) X(MUL_K) X(DIV_K) X(MOD_K) \
	X(AND_K) X(OR_K) X(XOR_K) X(LSH_K) X(RSH_K) \
	X(ADD_X) X(SUB_X) X(MUL_X) X(DIV_X) X(MOD_X) \
	X(AND_X) X(OR_X) X(XOR_X) X(LSH_X) X(RSH_X) \
	X(NEG) X(TAX) X(TXA) \
	X(JA) X(JA_BACK) X(JEQ_K) X(JGT_K) X(JGE_K) X(JSET_K) \
	X(JEQ_X) X(JGT_X) X(JGE_X) X(JSET_X) \
	VM_FUSED_OPS(X, LDW_ABS) VM_FUSED_OPS(X, LDH_ABS) \
	VM_FUSED_OPS(X, LDB_ABS) VM_FUSED_OPS(X, LDW_ABS_HOST) \
	VM_FUSED_OPS(X, LDW_IND) VM_FUSED_OPS(X, LDH_IND) \
	VM_FUSED_OPS(X, LDB_IND)

enum vm_op {
#define VM_ENUM(name) OP_##name,
	VM_OPS(VM_ENUM)
#undef VM_ENUM
	OP_COUNT
};

/*
 * One decoded instruction (32 bytes).  disp is the handler's address when
 * threaded, the enum vm_op otherwise.  aux holds k + size for absolute
 * loads (the load is in range iff aux <= caplen) and the LDF_* flags for
 * the generic load.
 */
struct vm_insn {
	uintptr_t disp;
	const struct vm_insn *jt;
	const struct vm_insn *jf;
	uint32_t k;
	uint32_t aux;
};

struct cbpf_vm {
	size_t len;
	int zero_mem;		/* the program reads scratch memory */
	struct vm_insn code[];
};

/* ---- loads -------------------------------------------------------------- */

static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define be32(p) __builtin_bswap32(rd32(p))
#define be16(p) __builtin_bswap16(rd16(p))
#else
#define be32(p) rd32(p)
#define be16(p) rd16(p)
#endif

/*
 * Map a negative offset (as the kernel's bpf_internal_load_pointer_neg_helper
 * does) to a packet offset: SKF_NET_OFF + n is n bytes past meta->nh_off,
 * SKF_LL_OFF + n is n bytes past the start of the packet.  off is the
 * unwrapped unsigned offset; false when it is not such an offset.
 */
static VM_INLINE bool neg_offset(const struct cbpf_meta *meta, uint64_t *off)
{
	const uint64_t net = (uint32_t)SKF_NET_OFF, ll = (uint32_t)SKF_LL_OFF;

	if (*off > UINT32_MAX || *off < ll)
		return false;
	if (*off >= net)
		*off = (uint64_t)meta->nh_off + (*off - net);
	else
		*off -= ll;
	return true;
}

static VM_INLINE uint32_t read_sized(const uint8_t *p, unsigned size, bool host)
{
	if (size == 4)
		return host ? rd32(p) : be32(p);
	if (size == 2)
		return host ? rd16(p) : be16(p);
	return p[0];
}

/*
 * The load every fast handler falls back to: libpcap's range check first,
 * then, with meta, the kernel's negative offsets.  Returns the value read,
 * or LOAD_FAIL when the load is out of range (a value rather than an out
 * parameter, so that A and X can stay in registers).
 */
#define LOAD_FAIL UINT64_MAX

static VM_INLINE uint64_t
load_slow(const uint8_t *pkt, uint32_t caplen, const struct cbpf_meta *meta,
	  uint64_t off, unsigned flags)
{
	unsigned size = flags & LDF_SIZE;

	if (off + size > caplen) {
		if (!meta || !neg_offset(meta, &off) || off + size > caplen)
			return LOAD_FAIL;
	}
	return read_sized(pkt + off, size, flags & LDF_HOST);
}

/* ---- netlink attributes (SKF_AD_NLATTR, SKF_AD_NLATTR_NEST) ------------- */

/*
 * The kernel's nla_find() over the rem bytes at pos: the offset of the
 * first attribute whose type is type, or 0.  pos + rem <= caplen holds on
 * entry and through the walk, so every header read is in bounds.
 */
static VM_INLINE uint32_t nla_find_at(const uint8_t *pkt, uint64_t pos, int64_t rem,
			    uint32_t type)
{
	while (rem >= (int64_t)NLA_HDR_LEN) {
		uint16_t len = rd16(pkt + pos);
		uint16_t t = rd16(pkt + pos + 2);
		uint32_t step = (len + 3u) & ~3u;

		if (len < NLA_HDR_LEN || len > rem)
			return 0;
		if ((t & NLA_TYPE_BITS) == type)
			return (uint32_t)pos;
		pos += step;
		rem -= step;
	}
	return 0;
}

/* ld #nla: A = offset of the attribute of type X at or after offset A. */
static VM_INLINE uint32_t anc_nla(const uint8_t *pkt, uint32_t caplen, uint32_t a, uint32_t x)
{
	if (caplen < NLA_HDR_LEN || a > caplen - NLA_HDR_LEN)
		return 0;
	return nla_find_at(pkt, a, (int64_t)caplen - a, x);
}

/* ld #nlan: the same search inside the nested attribute at offset A. */
static VM_INLINE uint32_t anc_nla_nest(const uint8_t *pkt, uint32_t caplen, uint32_t a, uint32_t x)
{
	uint16_t len;

	if (caplen < NLA_HDR_LEN || a > caplen - NLA_HDR_LEN)
		return 0;
	len = rd16(pkt + a);
	if (len > caplen - a)
		return 0;
	return nla_find_at(pkt, (uint64_t)a + NLA_HDR_LEN,
			   (int64_t)len - NLA_HDR_LEN, x);
}

/* ---- the dispatch loop -------------------------------------------------- */

#if VM_THREADED
#define OP(name) L_##name:
#define NEXT() goto *(const void *)pc->disp
#else
#define OP(name) case OP_##name:
#define NEXT() goto dispatch
#endif

#define STEP() do { pc++; NEXT(); } while (0)
/*
 * A real conditional branch, then one dispatch per outcome: each dispatch
 * site then nearly always goes to the same handler, and the branch outcome
 * enters the predictor's history.  (A select then one dispatch runs about
 * twice as slow on mixed traffic.)
 */
#define BRANCH_TO(cond, j) do {						\
	if (cond) {							\
		pc = (j).jt;						\
		NEXT();							\
	}								\
	pc = (j).jf;							\
	NEXT();								\
} while (0)
#define BRANCH(cond) BRANCH_TO(cond, pc[0])
/* The branch of a fused step: the conditional jump is the next instruction. */
#define BRANCH_NEXT(cond) BRANCH_TO(cond, pc[1])

#define LOAD_ABS(read) do {						\
	if (unlikely(caplen < pc->aux))					\
		return 0;						\
	A = read(pkt + pc->k);						\
} while (0)

#define LOAD_IND(read, size) do {					\
	uint64_t off_ = (uint64_t)X + pc->k;				\
	if (likely(off_ + (size) <= caplen)) {				\
		A = read(pkt + off_);					\
	} else {							\
		uint64_t v_;						\
		if (!meta)						\
			return 0;					\
		v_ = load_slow(pkt, caplen, meta, off_, (size));	\
		if (v_ == LOAD_FAIL)					\
			return 0;					\
		A = (uint32_t)v_;					\
	}								\
} while (0)

#define byte_at(p) (*(p))

#define LDW_ABS_DO() LOAD_ABS(be32)
#define LDH_ABS_DO() LOAD_ABS(be16)
#define LDB_ABS_DO() LOAD_ABS(byte_at)
#define LDW_ABS_HOST_DO() LOAD_ABS(rd32)
#define LDW_IND_DO() LOAD_IND(be32, 4)
#define LDH_IND_DO() LOAD_IND(be16, 2)
#define LDB_IND_DO() LOAD_IND(byte_at, 1)

#define FUSED(LD)							\
	OP(LD##_JEQ) { LD##_DO(); BRANCH_NEXT(A == pc[1].k); }		\
	OP(LD##_JGT) { LD##_DO(); BRANCH_NEXT(A > pc[1].k); }		\
	OP(LD##_JGE) { LD##_DO(); BRANCH_NEXT(A >= pc[1].k); }		\
	OP(LD##_JSET) { LD##_DO(); BRANCH_NEXT(A & pc[1].k); }

#define ANC_NEED_META() do { if (unlikely(!meta)) return 0; } while (0)

/*
 * Run code on one packet.  Called once with table != NULL (and nothing
 * else) to fetch the handler addresses for the decoder; noinline and
 * noclone keep those addresses those of the one copy that runs.
 */
static __attribute__((noinline, VM_NOCLONE hot)) uint32_t
vm_exec(const struct cbpf_vm *vm, const uint8_t *pkt, uint32_t wirelen,
	uint32_t caplen, const struct cbpf_meta *meta, const uintptr_t **table)
{
#if VM_THREADED
#define VM_LABEL(name) (uintptr_t)&&L_##name,
	static const uintptr_t labels[OP_COUNT] = { VM_OPS(VM_LABEL) };
#undef VM_LABEL
#endif
	uint32_t mem[CBPF_MEMWORDS];
	uint32_t A = 0, X = 0, back = 0;
	const struct vm_insn *pc;

	if (unlikely(table != NULL)) {
#if VM_THREADED
		*table = labels;
#else
		*table = NULL;
#endif
		return 0;
	}
	if (vm->zero_mem)
		memset(mem, 0, sizeof(mem));
	pc = vm->code;
#if VM_THREADED
	NEXT();
#else
dispatch:
	switch ((enum vm_op)pc->disp) {
#endif
	OP(RET_K) return pc->k;
	OP(RET_A) return A;
	OP(LD_IMM) { A = pc->k; STEP(); }
	OP(LDX_IMM) { X = pc->k; STEP(); }
	OP(LD_LEN) { A = wirelen; STEP(); }
	OP(LDX_LEN) { X = wirelen; STEP(); }
	OP(LD_MEM) { A = mem[pc->k]; STEP(); }
	OP(LDX_MEM) { X = mem[pc->k]; STEP(); }
	OP(ST) { mem[pc->k] = A; STEP(); }
	OP(STX) { mem[pc->k] = X; STEP(); }
	OP(LDW_ABS) { LDW_ABS_DO(); STEP(); }
	OP(LDH_ABS) { LDH_ABS_DO(); STEP(); }
	OP(LDB_ABS) { LDB_ABS_DO(); STEP(); }
	OP(LDW_ABS_HOST) { LDW_ABS_HOST_DO(); STEP(); }
	OP(LDW_IND) { LDW_IND_DO(); STEP(); }
	OP(LDH_IND) { LDH_IND_DO(); STEP(); }
	OP(LDB_IND) { LDB_IND_DO(); STEP(); }
	OP(LD_ANY) {
		uint64_t off = pc->k, v;

		if (pc->aux & LDF_IND)
			off += X;
		v = load_slow(pkt, caplen, meta, off, pc->aux);
		if (v == LOAD_FAIL)
			return 0;
		A = (uint32_t)v;
		STEP();
	}
	OP(LDX_MSH) {
		if (unlikely(caplen < pc->aux))
			goto msh_slow;
		X = (pkt[pc->k] & 0xfu) << 2;
		STEP();
	}
	OP(LDX_MSH_ANY) {
		uint64_t v;
msh_slow:
		v = load_slow(pkt, caplen, meta, pc->k, 1);
		if (v == LOAD_FAIL)
			return 0;
		X = (uint32_t)(v & 0xfu) << 2;
		STEP();
	}
	OP(ANC_META) {
		ANC_NEED_META();
		A = *(const uint32_t *)((const char *)meta + pc->k);
		STEP();
	}
	OP(ANC_XOR_X) { ANC_NEED_META(); A ^= X; STEP(); }
	OP(ANC_NLA) { ANC_NEED_META(); A = anc_nla(pkt, caplen, A, X); STEP(); }
	OP(ANC_NLA_NEST) { ANC_NEED_META(); A = anc_nla_nest(pkt, caplen, A, X); STEP(); }
	OP(ADD_K) { A += pc->k; STEP(); }
	OP(SUB_K) { A -= pc->k; STEP(); }
	OP(MUL_K) { A *= pc->k; STEP(); }
	OP(DIV_K) { A /= pc->k; STEP(); }
	OP(MOD_K) { A %= pc->k; STEP(); }
	OP(AND_K) { A &= pc->k; STEP(); }
	OP(OR_K) { A |= pc->k; STEP(); }
	OP(XOR_K) { A ^= pc->k; STEP(); }
	OP(LSH_K) { A <<= pc->k; STEP(); }
	OP(RSH_K) { A >>= pc->k; STEP(); }
	OP(ADD_X) { A += X; STEP(); }
	OP(SUB_X) { A -= X; STEP(); }
	OP(MUL_X) { A *= X; STEP(); }
	OP(DIV_X) { if (unlikely(X == 0)) return 0; A /= X; STEP(); }
	OP(MOD_X) { if (unlikely(X == 0)) return 0; A %= X; STEP(); }
	OP(AND_X) { A &= X; STEP(); }
	OP(OR_X) { A |= X; STEP(); }
	OP(XOR_X) { A ^= X; STEP(); }
	OP(LSH_X) { A = X < 32 ? A << X : 0; STEP(); }
	OP(RSH_X) { A = X < 32 ? A >> X : 0; STEP(); }
	OP(NEG) { A = 0u - A; STEP(); }
	OP(TAX) { X = A; STEP(); }
	OP(TXA) { A = X; STEP(); }
	OP(JA) { pc = pc->jt; NEXT(); }
	OP(JA_BACK) {
		if (++back > BACK_JUMPS_BASE + caplen / 8)
			return 0;
		pc = pc->jt;
		NEXT();
	}
	OP(JEQ_K) BRANCH(A == pc->k);
	OP(JGT_K) BRANCH(A > pc->k);
	OP(JGE_K) BRANCH(A >= pc->k);
	OP(JSET_K) BRANCH(A & pc->k);
	OP(JEQ_X) BRANCH(A == X);
	OP(JGT_X) BRANCH(A > X);
	OP(JGE_X) BRANCH(A >= X);
	OP(JSET_X) BRANCH(A & X);
	FUSED(LDW_ABS)
	FUSED(LDH_ABS)
	FUSED(LDB_ABS)
	FUSED(LDW_ABS_HOST)
	FUSED(LDW_IND)
	FUSED(LDH_IND)
	FUSED(LDB_IND)
#if !VM_THREADED
	case OP_COUNT:
	default:
		return 0;
	}
#endif
}

/* ---- decoding ----------------------------------------------------------- */

struct decoder {
	const struct cbpf_insn *in;
	size_t len;
	unsigned flags;
	struct cbpf_vm *vm;
};

static void set_op(struct vm_insn *out, enum vm_op op, uint32_t k, uint32_t aux)
{
	out->disp = op;
	out->k = k;
	out->aux = aux;
}

/* A load that always fails: the run returns 0 there. */
static void set_fail(struct vm_insn *out)
{
	set_op(out, OP_RET_K, 0, 0);
}

static int decode_anc(struct vm_insn *out, uint32_t k)
{
	static const struct { uint32_t off; uint32_t field; } fields[] = {
		{ SKF_AD_PROTOCOL, offsetof(struct cbpf_meta, protocol) },
		{ SKF_AD_PKTTYPE, offsetof(struct cbpf_meta, pkttype) },
		{ SKF_AD_IFINDEX, offsetof(struct cbpf_meta, ifindex) },
		{ SKF_AD_MARK, offsetof(struct cbpf_meta, mark) },
		{ SKF_AD_QUEUE, offsetof(struct cbpf_meta, queue) },
		{ SKF_AD_HATYPE, offsetof(struct cbpf_meta, hatype) },
		{ SKF_AD_RXHASH, offsetof(struct cbpf_meta, rxhash) },
		{ SKF_AD_CPU, offsetof(struct cbpf_meta, cpu) },
		{ SKF_AD_VLAN_TAG, offsetof(struct cbpf_meta, vlan_tci) },
		{ SKF_AD_VLAN_TAG_PRESENT, offsetof(struct cbpf_meta, vlan_present) },
		{ SKF_AD_PAY_OFFSET, offsetof(struct cbpf_meta, poff) },
		{ SKF_AD_RANDOM, offsetof(struct cbpf_meta, rand) },
		{ SKF_AD_VLAN_TPID, offsetof(struct cbpf_meta, vlan_tpid) },
	};
	uint32_t n = k - (uint32_t)SKF_AD_OFF;
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (fields[i].off == n) {
			set_op(out, OP_ANC_META, fields[i].field, 0);
			return 0;
		}
	}
	if (n == SKF_AD_ALU_XOR_X)
		set_op(out, OP_ANC_XOR_X, 0, 0);
	else if (n == SKF_AD_NLATTR)
		set_op(out, OP_ANC_NLA, 0, 0);
	else if (n == SKF_AD_NLATTR_NEST)
		set_op(out, OP_ANC_NLA_NEST, 0, 0);
	else
		set_fail(out);	/* unknown: the kernel's neg helper fails too */
	return 0;
}

static int decode_abs(const struct decoder *d, struct vm_insn *out,
		      uint32_t k, unsigned size)
{
	bool host = (d->flags & CBPF_VM_SECCOMP) && size > 1;

	if (k >= (uint32_t)SKF_AD_OFF)
		return decode_anc(out, k);
	if (k >= (uint32_t)SKF_LL_OFF || (host && size == 2))
		set_op(out, OP_LD_ANY, k, size | (host ? LDF_HOST : 0));
	else if (size == 4)
		set_op(out, host ? OP_LDW_ABS_HOST : OP_LDW_ABS, k, k + 4);
	else if (size == 2)
		set_op(out, OP_LDH_ABS, k, k + 2);
	else
		set_op(out, OP_LDB_ABS, k, k + 1);
	return 0;
}

static int decode_ind(const struct decoder *d, struct vm_insn *out,
		      uint32_t k, unsigned size)
{
	static const enum vm_op ops[5] = { 0, OP_LDB_IND, OP_LDH_IND, 0, OP_LDW_IND };

	if ((d->flags & CBPF_VM_SECCOMP) && size > 1)
		set_op(out, OP_LD_ANY, k, size | LDF_HOST | LDF_IND);
	else
		set_op(out, ops[size], k, 0);
	return 0;
}

static unsigned load_size(uint16_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_W: return 4;
	case BPF_H: return 2;
	default: return 1;
	}
}

static int decode_ld(const struct decoder *d, struct vm_insn *out, const struct cbpf_insn *in)
{
	bool ldx = BPF_CLASS(in->code) == BPF_LDX;
	bool seccomp = d->flags & CBPF_VM_SECCOMP;

	switch (BPF_MODE(in->code)) {
	case BPF_IMM:
		set_op(out, ldx ? OP_LDX_IMM : OP_LD_IMM, in->k, 0);
		return 0;
	case BPF_LEN:
		if (seccomp)
			set_op(out, ldx ? OP_LDX_IMM : OP_LD_IMM, CBPF_SECCOMP_DATA_LEN, 0);
		else
			set_op(out, ldx ? OP_LDX_LEN : OP_LD_LEN, 0, 0);
		return 0;
	case BPF_MEM:
		if (in->k >= CBPF_MEMWORDS)
			return -EINVAL;
		d->vm->zero_mem = 1;
		set_op(out, ldx ? OP_LDX_MEM : OP_LD_MEM, in->k, 0);
		return 0;
	case BPF_ABS:
		return decode_abs(d, out, in->k, load_size(in->code));
	case BPF_IND:
		return decode_ind(d, out, in->k, load_size(in->code));
	case BPF_MSH:
		if (in->k >= (uint32_t)SKF_LL_OFF)
			set_op(out, OP_LDX_MSH_ANY, in->k, 0);
		else
			set_op(out, OP_LDX_MSH, in->k, in->k + 1);
		return 0;
	default:
		return -EINVAL;
	}
}

static int decode_alu(struct vm_insn *out, const struct cbpf_insn *in)
{
	static const enum vm_op k_ops[16] = {
		[BPF_ADD >> 4] = OP_ADD_K, [BPF_SUB >> 4] = OP_SUB_K,
		[BPF_MUL >> 4] = OP_MUL_K, [BPF_DIV >> 4] = OP_DIV_K,
		[BPF_OR >> 4] = OP_OR_K, [BPF_AND >> 4] = OP_AND_K,
		[BPF_LSH >> 4] = OP_LSH_K, [BPF_RSH >> 4] = OP_RSH_K,
		[BPF_NEG >> 4] = OP_NEG, [BPF_MOD >> 4] = OP_MOD_K,
		[BPF_XOR >> 4] = OP_XOR_K,
	};
	static const enum vm_op x_ops[16] = {
		[BPF_ADD >> 4] = OP_ADD_X, [BPF_SUB >> 4] = OP_SUB_X,
		[BPF_MUL >> 4] = OP_MUL_X, [BPF_DIV >> 4] = OP_DIV_X,
		[BPF_OR >> 4] = OP_OR_X, [BPF_AND >> 4] = OP_AND_X,
		[BPF_LSH >> 4] = OP_LSH_X, [BPF_RSH >> 4] = OP_RSH_X,
		[BPF_NEG >> 4] = OP_NEG, [BPF_MOD >> 4] = OP_MOD_X,
		[BPF_XOR >> 4] = OP_XOR_X,
	};
	unsigned op = BPF_OP(in->code);

	if (BPF_SRC(in->code) == BPF_X || op == BPF_NEG) {
		set_op(out, x_ops[op >> 4], 0, 0);
		return 0;
	}
	/* Constant cases the kernel rejects, given libpcap's runtime meaning. */
	if ((op == BPF_DIV || op == BPF_MOD) && in->k == 0)
		set_fail(out);
	else if ((op == BPF_LSH || op == BPF_RSH) && in->k >= 32)
		set_op(out, OP_LD_IMM, 0, 0);
	else
		set_op(out, k_ops[op >> 4], in->k, 0);
	return 0;
}

/* Resolve a jump from instruction pc over off instructions; -EINVAL if it leaves. */
static int jump_target(const struct decoder *d, size_t pc, int64_t off,
		       const struct vm_insn **target)
{
	int64_t to = (int64_t)pc + 1 + off;

	if (to < 0 || to >= (int64_t)d->len)
		return -EINVAL;
	*target = &d->vm->code[to];
	return 0;
}

static int decode_jmp(const struct decoder *d, struct vm_insn *out,
		      const struct cbpf_insn *in, size_t pc)
{
	static const enum vm_op k_ops[] = { OP_JA, OP_JEQ_K, OP_JGT_K, OP_JGE_K, OP_JSET_K };
	static const enum vm_op x_ops[] = { OP_JA, OP_JEQ_X, OP_JGT_X, OP_JGE_X, OP_JSET_X };
	unsigned op = BPF_OP(in->code) >> 4;

	if (op == BPF_JA >> 4) {
		/* libpcap reads k as signed: backward jumps exist (protochain). */
		int32_t off = (int32_t)in->k;

		set_op(out, off < 0 ? OP_JA_BACK : OP_JA, in->k, 0);
		return jump_target(d, pc, off, &out->jt);
	}
	set_op(out, BPF_SRC(in->code) == BPF_X ? x_ops[op] : k_ops[op], in->k, 0);
	if (jump_target(d, pc, in->jt, &out->jt) || jump_target(d, pc, in->jf, &out->jf))
		return -EINVAL;
	return 0;
}

static int decode_insn(const struct decoder *d, size_t pc)
{
	const struct cbpf_insn *in = &d->in[pc];
	struct vm_insn *out = &d->vm->code[pc];

	if (!cbpf_code_allowed(in->code))
		return -EINVAL;
	switch (BPF_CLASS(in->code)) {
	case BPF_LD:
	case BPF_LDX:
		return decode_ld(d, out, in);
	case BPF_ST:
	case BPF_STX:
		if (in->k >= CBPF_MEMWORDS)
			return -EINVAL;
		set_op(out, BPF_CLASS(in->code) == BPF_ST ? OP_ST : OP_STX, in->k, 0);
		return 0;
	case BPF_ALU:
		return decode_alu(out, in);
	case BPF_JMP:
		return decode_jmp(d, out, in, pc);
	case BPF_RET:
		set_op(out, BPF_RVAL(in->code) == BPF_A ? OP_RET_A : OP_RET_K, in->k, 0);
		return 0;
	default:	/* BPF_MISC */
		set_op(out, BPF_MISCOP(in->code) == BPF_TAX ? OP_TAX : OP_TXA, 0, 0);
		return 0;
	}
}

/* The fused op for load op ld followed by conditional jump op jcc, or OP_COUNT. */
static enum vm_op fused_op(uintptr_t ld, uintptr_t jcc)
{
	static const enum vm_op loads[] = {
		OP_LDW_ABS, OP_LDH_ABS, OP_LDB_ABS, OP_LDW_ABS_HOST,
		OP_LDW_IND, OP_LDH_IND, OP_LDB_IND,
	};
	static const enum vm_op firsts[] = {
		OP_LDW_ABS_JEQ, OP_LDH_ABS_JEQ, OP_LDB_ABS_JEQ, OP_LDW_ABS_HOST_JEQ,
		OP_LDW_IND_JEQ, OP_LDH_IND_JEQ, OP_LDB_IND_JEQ,
	};
	size_t i;

	if (jcc < OP_JEQ_K || jcc > OP_JSET_K)
		return OP_COUNT;
	for (i = 0; i < sizeof(loads) / sizeof(loads[0]); i++)
		if (loads[i] == ld)
			return firsts[i] + (jcc - OP_JEQ_K);
	return OP_COUNT;
}

/*
 * Fuse each load with the constant compare that follows it; the compare
 * stays as it was for the jumps that target it directly.
 */
static void fuse(struct cbpf_vm *vm)
{
	size_t pc;

	for (pc = 0; pc + 1 < vm->len; pc++) {
		enum vm_op op = fused_op(vm->code[pc].disp, vm->code[pc + 1].disp);

		if (op != OP_COUNT)
			vm->code[pc].disp = op;
	}
}

/* Replace each op number by its handler's address. */
static void thread(struct cbpf_vm *vm)
{
	const uintptr_t *labels;
	size_t pc;

	vm_exec(NULL, NULL, 0, 0, NULL, &labels);
	if (!labels)
		return;
	for (pc = 0; pc < vm->len; pc++)
		vm->code[pc].disp = labels[vm->code[pc].disp];
}

int cbpf_vm_new(const struct cbpf_insn *insns, size_t len, unsigned flags,
		struct cbpf_vm **out)
{
	struct decoder d = { insns, len, flags, NULL };
	size_t pc;
	int err = -EINVAL;

	if (!out || !insns || len == 0 || (flags & ~CBPF_VM_SECCOMP))
		return -EINVAL;
	if (len > CBPF_MAXINSNS)
		return -E2BIG;
	/* Anything but a return or a jump (checked in range) last runs off the end. */
	if (BPF_CLASS(insns[len - 1].code) != BPF_RET && BPF_CLASS(insns[len - 1].code) != BPF_JMP)
		return -EINVAL;
	d.vm = calloc(1, sizeof(*d.vm) + len * sizeof(d.vm->code[0]));
	if (!d.vm)
		return -ENOMEM;
	d.vm->len = len;
	for (pc = 0; pc < len; pc++)
		if ((err = decode_insn(&d, pc)) < 0)
			goto out;
	fuse(d.vm);
	thread(d.vm);
	*out = d.vm;
	return 0;
out:
	free(d.vm);
	return err;
}

uint32_t cbpf_vm_run(const struct cbpf_vm *vm, const uint8_t *pkt,
		     uint32_t wirelen, uint32_t caplen, const struct cbpf_meta *meta)
{
	return vm_exec(vm, pkt, wirelen, caplen, meta, NULL);
}

void cbpf_vm_free(struct cbpf_vm *vm)
{
	free(vm);
}

/* ---- tracing (cbpf_trace) ----------------------------------------------- */

/*
 * The tracer steps through the original instructions one at a time, with
 * the checks and packet semantics of vm_exec spelled out once more in plain
 * code (the decoded, fused and threaded form does not map back to single
 * instructions).  tests/cbpf/trace_t.c holds the two to the same verdicts.
 */
struct tracer {
	const struct cbpf_insn *in;
	size_t len;
	unsigned flags;
	const uint8_t *pkt;
	uint32_t wirelen, caplen;
	const struct cbpf_meta *meta;
	uint32_t a, x, back;
	uint32_t mem[CBPF_MEMWORDS];
};

/* Read size bytes at off (negative offsets through meta): 0, or -1 out of range. */
static int trace_read(const struct tracer *t, struct cbpf_step *s, uint64_t off, unsigned size,
		      bool host, uint32_t *v)
{
	if (off + size > t->caplen) {
		if (!t->meta || !neg_offset(t->meta, &off) || off + size > t->caplen)
			return -1;
	}
	s->load = 1;
	s->load_off = (uint32_t)off;
	s->load_len = size;
	*v = read_sized(t->pkt + off, size, host);
	return 0;
}

/* ld with k at or above SKF_AD_OFF: what decode_anc makes of it. */
static int trace_anc(struct tracer *t, uint32_t k, struct cbpf_step *s)
{
	struct vm_insn op;

	decode_anc(&op, k);
	if (op.disp == OP_RET_K) {
		s->why = "unknown ancillary load";
		return -1;
	}
	if (!t->meta) {
		s->why = "ancillary load without metadata";
		return -1;
	}
	switch (op.disp) {
	case OP_ANC_META: t->a = *(const uint32_t *)((const char *)t->meta + op.k); break;
	case OP_ANC_XOR_X: t->a ^= t->x; break;
	case OP_ANC_NLA: t->a = anc_nla(t->pkt, t->caplen, t->a, t->x); break;
	default: t->a = anc_nla_nest(t->pkt, t->caplen, t->a, t->x); break;
	}
	return 0;
}

static int trace_ld(struct tracer *t, const struct cbpf_insn *in, struct cbpf_step *s)
{
	bool ldx = BPF_CLASS(in->code) == BPF_LDX;
	bool seccomp = t->flags & CBPF_VM_SECCOMP;
	unsigned size = load_size(in->code);
	uint32_t *r = ldx ? &t->x : &t->a, v;

	switch (BPF_MODE(in->code)) {
	case BPF_IMM: *r = in->k; return 0;
	case BPF_LEN: *r = seccomp ? CBPF_SECCOMP_DATA_LEN : t->wirelen; return 0;
	case BPF_MEM: *r = t->mem[in->k]; return 0;
	case BPF_ABS:
		if (in->k >= (uint32_t)SKF_AD_OFF)
			return trace_anc(t, in->k, s);
		if (trace_read(t, s, in->k, size, seccomp && size > 1, &v) < 0)
			goto out;
		t->a = v;
		return 0;
	case BPF_IND:
		if (trace_read(t, s, (uint64_t)t->x + in->k, size, seccomp && size > 1, &v) < 0)
			goto out;
		t->a = v;
		return 0;
	default:	/* BPF_MSH */
		if (trace_read(t, s, in->k, 1, false, &v) < 0)
			goto out;
		t->x = (v & 0xfu) << 2;
		return 0;
	}
out:
	s->why = "load past the captured bytes";
	return -1;
}

static int trace_alu(struct tracer *t, const struct cbpf_insn *in, struct cbpf_step *s)
{
	unsigned op = BPF_OP(in->code);
	uint32_t v = BPF_SRC(in->code) == BPF_X ? t->x : in->k;

	switch (op) {
	case BPF_ADD: t->a += v; return 0;
	case BPF_SUB: t->a -= v; return 0;
	case BPF_MUL: t->a *= v; return 0;
	case BPF_OR: t->a |= v; return 0;
	case BPF_AND: t->a &= v; return 0;
	case BPF_XOR: t->a ^= v; return 0;
	case BPF_LSH: t->a = v < 32 ? t->a << v : 0; return 0;
	case BPF_RSH: t->a = v < 32 ? t->a >> v : 0; return 0;
	case BPF_NEG: t->a = 0u - t->a; return 0;
	default:	/* BPF_DIV, BPF_MOD */
		if (v == 0) {
			s->why = "division by zero";
			return -1;
		}
		t->a = op == BPF_DIV ? t->a / v : t->a % v;
		return 0;
	}
}

static bool trace_cond(const struct tracer *t, const struct cbpf_insn *in)
{
	uint32_t v = BPF_SRC(in->code) == BPF_X ? t->x : in->k;

	switch (BPF_OP(in->code)) {
	case BPF_JEQ: return t->a == v;
	case BPF_JGT: return t->a > v;
	case BPF_JGE: return t->a >= v;
	default: return (t->a & v) != 0;
	}
}

/* Execute instruction pc: fills s (next or done and verdict). */
static void trace_one(struct tracer *t, uint32_t pc, struct cbpf_step *s)
{
	const struct cbpf_insn *in = &t->in[pc];
	int rc = 0;

	memset(s, 0, sizeof(*s));
	s->pc = pc;
	s->insn = *in;
	s->mem = -1;
	s->next = pc + 1;
	switch (BPF_CLASS(in->code)) {
	case BPF_LD: case BPF_LDX: rc = trace_ld(t, in, s); break;
	case BPF_ST: case BPF_STX:
		t->mem[in->k] = BPF_CLASS(in->code) == BPF_ST ? t->a : t->x;
		s->mem = (int)in->k;
		s->mem_value = t->mem[in->k];
		break;
	case BPF_ALU: rc = trace_alu(t, in, s); break;
	case BPF_JMP:
		if (BPF_OP(in->code) == BPF_JA) {
			if ((int32_t)in->k < 0 && ++t->back > BACK_JUMPS_BASE + t->caplen / 8) {
				s->why = "too many backward jumps";
				rc = -1;
			}
			s->next = (uint32_t)((int64_t)pc + 1 + (int32_t)in->k);
		} else {
			s->next = pc + 1 + (trace_cond(t, in) ? in->jt : in->jf);
		}
		break;
	case BPF_RET:
		s->done = 1;
		s->verdict = BPF_RVAL(in->code) == BPF_A ? t->a : in->k;
		break;
	default:	/* BPF_MISC */
		if (BPF_MISCOP(in->code) == BPF_TAX)
			t->x = t->a;
		else
			t->a = t->x;
		break;
	}
	if (rc < 0) {
		s->done = 1;
		s->verdict = 0;
	}
	s->a = t->a;
	s->x = t->x;
}

int cbpf_trace(const struct cbpf_insn *insns, size_t len, unsigned flags,
	       const uint8_t *pkt, uint32_t wirelen, uint32_t caplen,
	       const struct cbpf_meta *meta, cbpf_trace_fn fn, void *ctx, uint32_t *verdict)
{
	struct tracer t;
	struct cbpf_vm *vm;
	struct cbpf_step s;
	uint32_t pc = 0;
	int rc = cbpf_vm_new(insns, len, flags, &vm);

	if (rc < 0)
		return rc;
	cbpf_vm_free(vm);	/* the same acceptance as the interpreter's, nothing more */
	memset(&t, 0, sizeof(t));
	t.in = insns;
	t.len = len;
	t.flags = flags;
	t.pkt = pkt;
	t.wirelen = wirelen;
	t.caplen = caplen;
	t.meta = meta;
	for (;;) {
		trace_one(&t, pc, &s);
		if (fn)
			fn(ctx, &s);
		if (s.done)
			break;
		pc = s.next;
	}
	if (verdict)
		*verdict = s.verdict;
	return 0;
}
