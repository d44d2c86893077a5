/*
 * cbpf.h -- the classic BPF toolkit: public API of libpfc's cbpf module.
 *
 * Instruction model (the <linux/filter.h> encoding), a validator with the
 * Linux kernel's rules (socket filters and seccomp), a disassembler writing
 * tcpdump's -d/-dd/-ddd formats and bpf_asm syntax, an assembler reading all
 * of those back, and an interpreter with libpcap's packet semantics plus the
 * Linux ancillary loads.  The module depends on nothing but libc.
 *
 * Conventions: functions returning int return 0 on success or a negative
 * errno; nothing here prints, exits or keeps global state.  Results handed to
 * the caller are plain allocations released with cbpf_free().
 */
#ifndef PFC_CBPF_H
#define PFC_CBPF_H

#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef PFC_API
#define PFC_API __attribute__((visibility("default")))
#endif

/* Limits shared with the kernel (BPF_MAXINSNS, BPF_MEMWORDS). */
#define CBPF_MAXINSNS 4096
#define CBPF_MEMWORDS 16
/* Size of struct seccomp_data: what a seccomp filter's packet is. */
#define CBPF_SECCOMP_DATA_LEN 64

/* One instruction; same layout as struct sock_filter and libpcap's bpf_insn. */
struct cbpf_insn {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};

/*
 * A diagnostic.  Validator errors set insn; assembler errors set line, col
 * and len (1-based line and column of the offending token in the source,
 * len >= 1 its length) and insn to the instruction being built, if any.
 * Unused position fields are -1 (insn) or 0 (line, col, len).
 */
struct cbpf_diag {
	int insn;
	unsigned line;
	unsigned col;
	unsigned len;
	char msg[256];
};

/* ---- validator ---------------------------------------------------------- */

enum cbpf_flavor {
	CBPF_FLAVOR_SOCKET = 0,	/* net/core/filter.c bpf_check_classic */
	CBPF_FLAVOR_SECCOMP = 1	/* bpf_check_classic, then kernel/seccomp.c seccomp_check_filter */
};

/*
 * Check a program exactly as the kernel does when it is attached
 * (SO_ATTACH_FILTER for CBPF_FLAVOR_SOCKET, seccomp(2) for
 * CBPF_FLAVOR_SECCOMP).  diag may be NULL; when set it names the first
 * offending instruction and the rule broken.
 * Returns 0 when the kernel would accept the program, -E2BIG when len > 4096,
 * -EINVAL for any other rule broken (including len == 0).
 */
PFC_API int cbpf_validate(const struct cbpf_insn *insns, size_t len,
			  enum cbpf_flavor flavor, struct cbpf_diag *diag);

/*
 * True (1) when code is an opcode the kernel accepts in a socket filter
 * (its chk_code_allowed() table: exact codes, no spare bits), else 0.
 */
PFC_API int cbpf_opcode_allowed(uint16_t code);

/* ---- disassembler ------------------------------------------------------- */

enum cbpf_format {
	CBPF_FORMAT_D = 0,	/* tcpdump -d:   "(000) ldh      [12]" */
	CBPF_FORMAT_DD = 1,	/* tcpdump -dd:  "{ 0x28, 0, 0, 0x0000000c }," */
	CBPF_FORMAT_DDD = 2,	/* tcpdump -ddd: count line, then "40 0 0 12" */
	CBPF_FORMAT_ASM = 3	/* bpf_asm syntax with labels, read back by cbpf_asm */
};

/*
 * Render a program in fmt into a NUL-terminated string (every line ends in
 * '\n'), stored in *out and released with cbpf_free().
 * Returns 0, -ENOMEM, or -EINVAL when fmt is CBPF_FORMAT_ASM and an
 * instruction has no bpf_asm spelling (unknown opcode, or a jump that leaves
 * the program).
 */
PFC_API int cbpf_disasm(const struct cbpf_insn *insns, size_t len,
			enum cbpf_format fmt, char **out);

/*
 * One instruction as tcpdump -d prints it (pc is its index), without the
 * newline, into buf of size bytes (truncated, always NUL-terminated).
 * Returns the length the full line has, like snprintf.
 */
PFC_API int cbpf_insn_image(const struct cbpf_insn *insn, size_t pc,
			    char *buf, size_t size);

/* ---- assembler ---------------------------------------------------------- */

enum cbpf_syntax {
	CBPF_SYNTAX_AUTO = 0,	/* detect among the four below */
	CBPF_SYNTAX_ASM = 1,	/* the kernel's bpf_asm (and netsniff-ng bpfc) syntax */
	CBPF_SYNTAX_D = 2,	/* a tcpdump -d listing */
	CBPF_SYNTAX_DD = 3,	/* tcpdump -dd C initialisers */
	CBPF_SYNTAX_DDD = 4	/* tcpdump -ddd decimal numbers */
};

/*
 * Assemble src (len bytes, need not be NUL-terminated) into a new array
 * stored in *out (release with cbpf_free()) with *nout instructions.
 * When detected is not NULL it receives the syntax that was read.
 * The result is not validated: call cbpf_validate().  Structural errors
 * (unknown mnemonic, bad operand, undefined or backward label, jump offset
 * over 255, a -ddd count that does not match) fail with a position in diag.
 * Returns 0, -EINVAL (syntax error, diag set), -E2BIG (more than 65535
 * instructions), -ENOMEM.
 */
PFC_API int cbpf_asm(const char *src, size_t len, enum cbpf_syntax syntax,
		     struct cbpf_insn **out, size_t *nout,
		     enum cbpf_syntax *detected, struct cbpf_diag *diag);

/* Name of a syntax: "auto", "asm", "d", "dd", "ddd". */
PFC_API const char *cbpf_syntax_name(enum cbpf_syntax syntax);

/* Release what this module allocated for the caller. */
PFC_API void cbpf_free(void *p);

/* ---- interpreter -------------------------------------------------------- */

/*
 * Per-packet metadata for the Linux ancillary loads (ld #proto etc.).
 * Values are what the kernel's load yields: protocol is the ethertype in
 * host order (0x0800), vlan_present is 0 or 1.  nh_off is where the network
 * header starts in the packet, for SKF_NET_OFF loads (SKF_LL_OFF loads are
 * relative to the start of the packet).  poff is the payload offset the
 * kernel's flow dissector would report (ld #poff).
 */
struct cbpf_meta {
	uint32_t protocol;
	uint32_t pkttype;
	uint32_t ifindex;
	uint32_t mark;
	uint32_t queue;
	uint32_t hatype;
	uint32_t rxhash;
	uint32_t cpu;
	uint32_t vlan_tci;
	uint32_t vlan_present;
	uint32_t vlan_tpid;
	uint32_t rand;
	uint32_t poff;
	uint32_t nh_off;
};

/* Flags for cbpf_vm_new(). */
#define CBPF_VM_SECCOMP 0x1u	/* the packet is a struct seccomp_data: loads are in host order */

struct cbpf_vm;

/*
 * Decode a program once for repeated runs.  The program must be structurally
 * safe: known opcodes, every jump landing inside the program, scratch
 * indexes < 16, no way to run off the end; cbpf_validate() implies it.  A
 * backward `ja` is accepted, as libpcap's bpf_filter function accepts it (libpcap's
 * protochain code has one); a run that takes more than 64 + caplen / 8
 * backward jumps returns 0, so every run ends.
 * Returns 0 and sets *out, -EINVAL for a program the interpreter cannot run
 * safely (unknown opcode, jump out of range, ...), -E2BIG, -ENOMEM.
 */
PFC_API int cbpf_vm_new(const struct cbpf_insn *insns, size_t len,
			unsigned flags, struct cbpf_vm **out);

/*
 * Run the program on one packet: caplen bytes at pkt were captured of a
 * packet wirelen bytes long.  Returns the filter's verdict (0 = drop, else
 * the number of bytes to keep), with libpcap's semantics: a load outside the
 * captured bytes and a division or modulo by X == 0 end the run returning 0;
 * a shift by X >= 32 gives 0.  Ancillary loads read meta; with meta NULL they
 * behave as in libpcap's interpreter (the load is out of range: return 0).
 */
PFC_API uint32_t cbpf_vm_run(const struct cbpf_vm *vm, const uint8_t *pkt,
			     uint32_t wirelen, uint32_t caplen,
			     const struct cbpf_meta *meta);

PFC_API void cbpf_vm_free(struct cbpf_vm *vm);

/* ---- tracer ------------------------------------------------------------- */

/* One executed instruction, as cbpf_trace() reports it. */
struct cbpf_step {
	uint32_t pc;		/* index of the instruction */
	struct cbpf_insn insn;
	uint32_t a, x;		/* the registers after it */
	int mem;		/* scratch word it wrote (M[mem] = mem_value), or -1 */
	uint32_t mem_value;
	int load;		/* it read the packet: load_len bytes at load_off */
	uint32_t load_off, load_len;
	int done;		/* the run ends here with verdict */
	uint32_t verdict;
	uint32_t next;		/* the next pc, when not done */
	const char *why;	/* why a run ended before a return ("load past the
				   captured bytes", ...), else NULL */
};

typedef void (*cbpf_trace_fn)(void *ctx, const struct cbpf_step *step);

/*
 * Run a program on one packet as cbpf_vm_run() does (same flags, same
 * verdict, same checks on the program), calling fn with each instruction
 * executed, in order; the last step has done set.  The verdict goes to
 * *verdict.  Returns 0, or what cbpf_vm_new() returns for a program it
 * refuses (-EINVAL, -E2BIG, -ENOMEM), before any step.
 */
PFC_API int cbpf_trace(const struct cbpf_insn *insns, size_t len, unsigned flags,
		       const uint8_t *pkt, uint32_t wirelen, uint32_t caplen,
		       const struct cbpf_meta *meta, cbpf_trace_fn fn, void *ctx,
		       uint32_t *verdict);

#ifdef __cplusplus
}
#endif

#endif /* PFC_CBPF_H */
