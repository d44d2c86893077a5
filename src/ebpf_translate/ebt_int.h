/*
 * ebt_int.h -- private declarations of the ebpf_translate module: the
 * translation context shared by the analysis (translate.c) and the code
 * generator (emit.c), and eBPF instruction builders.
 */
#ifndef PFC_EBT_INT_H
#define PFC_EBT_INT_H

#include <stdint.h>
#include <stddef.h>

#include <linux/bpf.h>

#include "ebpf_translate.h"

_Static_assert(sizeof(struct ebt_insn) == sizeof(struct bpf_insn), "ebt_insn is bpf_insn");

/* Register roles: A is r0 (helpers and LD_ABS return there), X r7, ctx r6. */
enum { R_A = 0, R_CTX = 6, R_X = 7, R_DATA = 8, R_END = 9, R_FP = 10 };
/* Stack slot where A survives a clobbering load of X (below M[0..15]). */
#define EBT_SWAP_SKIP 0x80
#define EBT_SAVE_A_OFF (-68)
/*
 * Socket filters have no direct packet access: bpf_skb_load_bytes copies
 * the first bytes of the packet (up to 256) to a stack window once instead.  The verifier
 * wants aligned stack loads, so the window starts 2 mod 4 from the frame
 * pointer: the 32-bit fields of IP headers behind Ethernet (offsets 2 mod 4)
 * are aligned there; other word loads stay LD_ABS.
 */
#define EBT_WINDOW_OFF (-326)
#define EBT_WINDOW_LEN 256u
/* Where bpf_skb_load_bytes puts one load's bytes when a failed load must not end the program. */
#define EBT_SCRATCH_OFF (-336)
/*
 * A socket filter translated with kernel facts (struct ebt_kernel) reads
 * skb->data as untrusted memory in r8, r9 holding how many bytes it may
 * read there: the linear part.  When that is shorter than the program
 * reaches but the packet is not, the bytes are copied to the stack window
 * once and r8 points there instead: direct loads stay within the window's
 * length.
 */

/* How a packet load is carried out on the target. */
enum ebt_load {
	LD_NONE = 0,	/* not a packet load */
	LD_DIRECT,	/* through data/data_end at a constant offset */
	LD_NATIVE,	/* eBPF LD_ABS / LD_IND */
	LD_XDP_IND,	/* XDP: X + k checked against data_end at run time */
	LD_PTR_IND,	/* X + k checked at run time, read directly, else LD_IND out of line */
	LD_ANC,		/* an ancillary value */
	LD_FAIL,	/* always out of range: returns 0 */
	LD_ERR		/* no equivalent on the target */
};

/* Jump targets patched after emission. */
enum ebt_fix_kind { FIX_PC, FIX_EXIT0, FIX_MATCH };

struct ebt_fix {
	size_t at;		/* index of the jump */
	enum ebt_fix_kind kind;
	size_t pc;		/* cBPF target for FIX_PC */
};

/* An out-of-line LD_IND for a direct indirect load that failed its check. */
struct ebt_stub {
	size_t from[2];		/* the jumps into it */
	int nfrom;
	size_t back;		/* where it returns: after the direct load */
	uint8_t code;		/* BPF_LD | BPF_IND | size */
	int32_t k;
};

struct ebt_ctx {
	const struct cbpf_insn *in;
	size_t n;
	enum ebt_target target;
	enum ebt_action action;
	int window;		/* socket: loads through the stack window */
	const struct ebt_kernel *kern;	/* socket: reads skb->data directly (btf.c) */
	int force_ctx;		/* r6 = ctx even if the filter reads none (capture) */
	int ctx;		/* register with the context: r6, or r1 when nothing calls */
	struct ebt_diag *diag;
	/* per cBPF instruction */
	uint8_t *reach;		/* reachable from the entry */
	uint8_t *dead;		/* pure and its result unused: emit nothing */
	uint8_t *a_live_out;	/* A read later on some path */
	uint8_t *xnz;		/* X known non-zero on entry */
	uint8_t *xk_known;	/* X holds xk[pc] on entry, on every path */
	uint32_t *xk;
	uint32_t *xmax;		/* X <= xmax[pc] on entry, on every path */
	uint8_t *check;		/* a bounds check precedes it */
	uint32_t *ant;		/* bytes every path from here surely loads (direct) */
	uint8_t *aswap;		/* A byte-swapped on entry: its size; EBT_SWAP_SKIP: load without swap */
	size_t *addr;		/* its first eBPF instruction */
	/* whole program */
	int a_live_in, x_live_in;
	uint16_t m_used, m_uninit;	/* M[] slots used; read before any store */
	int m_reg[16];		/* register holding M[i], or 0 for the stack */
	int direct;		/* some load goes through data/data_end */
	uint32_t max_need;	/* largest direct end offset */
	int need_ctx;
	/* output */
	struct bpf_insn *out;
	size_t nout, cap;
	struct ebt_fix *fix;
	size_t nfix, capfix;
	struct ebt_stub *stub;
	size_t nstub, capstub;
	int have_exit0;		/* a "return 0" already emitted at exit0 */
	size_t exit0;
	int err;
	struct ebt_stats st;
};

/* Analysis helpers (translate.c) used by the code generator. */
enum ebt_load ebt_load_kind(const struct ebt_ctx *c, const struct cbpf_insn *i,
			    uint32_t *off, uint32_t *size);
uint32_t ebt_load_size(uint16_t code);

/* ebt_translate() with the context always in r6 (capture.c). */
int ebt_translate_ctx(const struct cbpf_insn *insns, size_t n, const struct ebt_opts *opts,
		      int force_ctx, struct ebt_insn **out, size_t *nout, struct ebt_diag *diag);

/* Code generation (emit.c). */
int ebt_emit_program(struct ebt_ctx *c);

static inline struct bpf_insn ebt_raw(uint8_t code, int dst, int src, int16_t off, int32_t imm)
{
	struct bpf_insn i;

	i.code = code;
	i.dst_reg = (uint8_t)dst;
	i.src_reg = (uint8_t)src;
	i.off = off;
	i.imm = imm;
	return i;
}

#endif /* PFC_EBT_INT_H */
