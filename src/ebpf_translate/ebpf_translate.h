/*
 * ebpf_translate.h -- classic BPF lifted into verifier-clean eBPF: public API
 * of libpfc's ebpf_translate module.
 *
 * A valid cBPF program (cbpf_validate, socket flavor) becomes an eBPF program
 * for one of three hooks: a socket filter (BPF_PROG_TYPE_SOCKET_FILTER),
 * a TC classifier (SCHED_CLS) or an XDP program.  The result keeps the
 * classic semantics exactly: 32-bit ALU and comparisons, A and X start at 0,
 * a load out of range or a division by X == 0 returns 0, ancillary loads read
 * the matching __sk_buff field or helper.  Around it: a disassembler in the
 * kernel verifier's syntax, an ELF object writer (loadable by libbpf,
 * bpftool, tc) and a thin bpf(2) loader.
 *
 * Conventions: functions return 0 (or a file descriptor) on success, a
 * negative errno on failure; nothing here prints, exits or keeps global
 * state.  Results are plain allocations released with ebt_free().
 */
#ifndef PFC_EBPF_TRANSLATE_H
#define PFC_EBPF_TRANSLATE_H

#include <stddef.h>
#include <stdint.h>

#include "cbpf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One eBPF instruction: the layout of <linux/bpf.h>'s struct ebt_insn. */
struct ebt_insn {
	uint8_t code;
	uint8_t dst_reg:4;
	uint8_t src_reg:4;
	int16_t off;
	int32_t imm;
};

enum ebt_target {
	EBT_TARGET_SOCKET = 0,	/* BPF_PROG_TYPE_SOCKET_FILTER: LD_ABS/LD_IND */
	EBT_TARGET_TC = 1,	/* BPF_PROG_TYPE_SCHED_CLS: direct packet access */
	EBT_TARGET_XDP = 2	/* BPF_PROG_TYPE_XDP: direct packet access, no sk_buff */
};

/*
 * What the program returns.  EBT_ACTION_NONE: the cBPF value unchanged
 * (a socket filter's snap length, classic cls_bpf's class id).  PASS and
 * DROP map a match (non-zero) and a non-match (zero) to the hook's verdicts:
 *   tc:  match -> TC_ACT_OK (pass) or TC_ACT_SHOT (drop), else TC_ACT_UNSPEC
 *   xdp: match -> XDP_PASS (pass) or XDP_DROP (drop), else the other one
 *   socket: match -> 0xffffffff (whole packet) for pass, 0 for drop; else
 *           the opposite.
 */
enum ebt_action { EBT_ACTION_NONE = 0, EBT_ACTION_PASS = 1, EBT_ACTION_DROP = 2 };

/*
 * What the running kernel offers a socket filter for reading packet bytes
 * without a helper call (ebt_kernel_probe): the BTF ids of the kfuncs
 * bpf_cast_to_kern_ctx and bpf_rdonly_cast, and where struct sk_buff keeps
 * data, len and data_len.  Through them the filter reads skb->data as
 * read-only untrusted memory (Linux 6.16 and later, CAP_PERFMON, a JIT),
 * checking each read against the linear length itself.  The ids belong to
 * one kernel build: such a program is for loading here, not for an object file.
 */
struct ebt_kernel {
	int32_t cast_ctx_id;	/* kfunc bpf_cast_to_kern_ctx */
	int32_t rdonly_cast_id;	/* kfunc bpf_rdonly_cast */
	int16_t skb_data, skb_len, skb_data_len;	/* offsetof(struct sk_buff, ...) */
};

struct ebt_opts {
	size_t sz;		/* sizeof(struct ebt_opts) */
	enum ebt_target target;
	enum ebt_action action;
	/*
	 * socket target: read the packet directly through these kernel facts
	 * (NULL: LD_ABS/LD_IND and bpf_skb_load_bytes only, loadable anywhere).
	 */
	const struct ebt_kernel *kernel;
};

/* A translation error: insn is the cBPF instruction (or -1), msg says why. */
struct ebt_diag {
	int insn;
	char msg[256];
};

/* Statistics of one translation, for -d comments and benchmarks. */
struct ebt_stats {
	unsigned checks;	/* bounds checks emitted (tc, xdp) */
	unsigned direct_loads;	/* packet loads through data/data_end */
	unsigned dead;		/* cBPF instructions dropped (unreachable or dead) */
};

/*
 * Translate insns[0..n) into eBPF for opts->target; *out (ebt_free) holds
 * *nout instructions.  stats may be NULL.
 * Returns 0; -EINVAL the program is not valid cBPF (diag says why);
 * -EOPNOTSUPP an instruction has no equivalent on the target (ld #poff,
 * ld #nla, ld #hatype; on XDP every load that needs an sk_buff); -E2BIG the
 * result does not fit eBPF jump offsets; -ENOMEM.
 */
PFC_API int ebt_translate(const struct cbpf_insn *insns, size_t n, const struct ebt_opts *opts,
			  struct ebt_insn **out, size_t *nout, struct ebt_diag *diag,
			  struct ebt_stats *stats);

/*
 * Render eBPF in the syntax of the kernel verifier log and bpftool
 * ("   0: (bf) r6 = r1"), one line per instruction, into *out (ebt_free).
 * Returns 0 or -ENOMEM.
 */
PFC_API int ebt_disasm(const struct ebt_insn *insns, size_t n, char **out);

/* "socket", "tc", "xdp" (also the ELF section names); parse returns -EINVAL. */
PFC_API const char *ebt_target_name(enum ebt_target t);
PFC_API int ebt_target_parse(const char *s, enum ebt_target *t);

/*
 * An ELF64 relocatable object (EM_BPF, host byte order) holding the program
 * in section ebt_target_name(target) under the global function symbol name,
 * and a "license" section "GPL".  *buf (ebt_free) has *len bytes.
 * Returns 0, -EINVAL (empty program or name), -ENOMEM.
 */
PFC_API int ebt_elf_write(const struct ebt_insn *insns, size_t n, enum ebt_target target,
			  const char *name, void **buf, size_t *len);

/*
 * BPF_PROG_LOAD the program for target's program type (license GPL).
 * On a verifier rejection the load is retried with a log, copied into log
 * (log_size bytes, may be NULL/0).  Returns the program fd or -errno.
 */
PFC_API int ebt_prog_load(const struct ebt_insn *insns, size_t n, enum ebt_target target,
			  char *log, size_t log_size);

/*
 * BPF_PROG_TEST_RUN on data (len bytes, a frame from L2), repeat times
 * (0 = once).  *retval gets the program's value, *duration (may be NULL)
 * the mean ns per run the kernel reports.  Returns 0 or -errno.
 */
PFC_API int ebt_test_run(int prog_fd, const void *data, size_t len, uint32_t repeat,
			 uint32_t *retval, uint32_t *duration);

/*
 * Fill *k from the running kernel's BTF (/sys/kernel/btf/vmlinux) and check
 * that a socket filter reading the packet through it loads.  Returns 0;
 * -ENOENT no BTF or a name missing from it; -EOPNOTSUPP the kernel refuses
 * such a filter (older than 6.16, no JIT, no CAP_PERFMON); other -errno.
 */
PFC_API int ebt_kernel_probe(struct ebt_kernel *k);

/* The number of instructions the kernel holds after verification (xlated). */
PFC_API int ebt_prog_xlated_count(int prog_fd, uint32_t *count);

/* BPF_PROG_GET_FD_BY_ID: a new fd of the loaded program id (close it), or -errno. */
PFC_API int ebt_prog_get_fd_by_id(uint32_t id);

/* BPF_OBJ_PIN a program or map at path (on a bpffs): for `tc ... bpf object-pinned`. */
PFC_API int ebt_obj_pin(int fd, const char *path);

/* SO_ATTACH_BPF the program to a socket; SO_DETACH_BPF with prog_fd < 0. */
PFC_API int ebt_attach_socket(int sock, int prog_fd);

/* ---- capture at the TC hook through a BPF ring buffer -------------------- */

/* One captured packet in the ring: this header, then caplen bytes. */
struct ebt_cap_hdr {
	uint32_t wirelen;	/* skb->len */
	uint32_t caplen;	/* bytes that follow: min(verdict, snaplen, wirelen) */
	uint32_t ifindex;
	uint32_t direction;	/* as given to ebt_capture_program() */
	uint64_t tstamp_ns;	/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
};
#define EBT_CAP_INGRESS 0
#define EBT_CAP_EGRESS 1

/* A BPF_MAP_TYPE_RINGBUF of size bytes (a power of 2, >= 4096): its fd or -errno. */
PFC_API int ebt_ringbuf_create(uint32_t size);

/*
 * A tc (SCHED_CLS, direct-action) program that runs the filter and, when it
 * accepts a packet, writes a struct ebt_cap_hdr and the packet's first bytes
 * (up to snaplen <= 65535) to the ring buffer ringbuf_fd; when the ring has
 * no room, it adds 1 to the counter drops_fd (from ebt_counter_create(); -1:
 * not counted).  It always returns TC_ACT_UNSPEC.  Returns 0, the errors of
 * ebt_translate(), -EINVAL.
 */
PFC_API int ebt_capture_program(const struct cbpf_insn *insns, size_t n, uint32_t snaplen,
				int ringbuf_fd, int drops_fd, int direction,
				struct ebt_insn **out, size_t *nout, struct ebt_diag *diag);

/* A one-entry array map holding a 64-bit counter (0): its fd or -errno. */
PFC_API int ebt_counter_create(void);

/* The counter's value: 0 or -errno. */
PFC_API int ebt_counter_read(int map_fd, uint64_t *value);

struct ebt_ring;

/* Map the ring buffer map_fd (of size bytes) for reading. */
PFC_API int ebt_ring_open(int map_fd, uint32_t size, struct ebt_ring **out);

/*
 * Hand every record ready in the ring to cb (data: caplen bytes), oldest
 * first, and release it.  Returns how many, or cb's negative value.
 * Wait for data with poll(2) on ebt_ring_fd() (POLLIN).
 */
PFC_API int ebt_ring_consume(struct ebt_ring *r,
			     int (*cb)(void *ud, const struct ebt_cap_hdr *h, const uint8_t *data),
			     void *ud);
PFC_API int ebt_ring_fd(const struct ebt_ring *r);
PFC_API void ebt_ring_close(struct ebt_ring *r);

PFC_API void ebt_free(void *p);

#ifdef __cplusplus
}
#endif

#endif /* PFC_EBPF_TRANSLATE_H */
