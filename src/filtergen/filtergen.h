/*
 * filtergen.h -- the filter compiler: public API of libpfc's filtergen module.
 *
 * Compiles pcap-filter(7) expressions into classic BPF, like libpcap's
 * pcap_compile function but reentrant, with positioned errors, and with our own
 * front end, IR and optimizer.  Depends on cbpf only.
 * Functions return 0 or a negative errno; nothing here prints or exits.
 */
#ifndef PFC_FILTERGEN_H
#define PFC_FILTERGEN_H

#include <stddef.h>
#include <stdint.h>

#include "cbpf.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef PFC_API
#define PFC_API __attribute__((visibility("default")))
#endif

/*
 * A diagnostic about the expression: offset and length (bytes) of the
 * offending text in the source, 0-based; length 0 when it is about the whole
 * expression or its end.
 */
struct fg_diag {
	size_t offset;
	size_t length;
	char msg[256];
};

/* Options for fg_compile(); initialise with fg_compile_opts_init(). */
struct fg_compile_opts {
	size_t sz;		/* sizeof(struct fg_compile_opts), for ABI growth */
	int linktype;		/* DLT_* value: what the packets start with (default DLT_EN10MB) */
	uint32_t snaplen;	/* what an accepted packet returns (default 262144) */
	uint32_t netmask;	/* the capture network's mask, host order, for `ip broadcast` */
	int netmask_known;	/* netmask is set */
	int optimize;		/* 1 (default): run the optimizer; 0: as lowered (tcpdump -O) */
	int linux_ext;		/* use Linux ancillary loads (ld #type, #ifidx) as libpcap does on a live socket */
	int savefile;		/* the packets come from a capture file, as libpcap's pcap_open_offline */
	int swapped;		/* ... written by a machine of the other byte order (DLT_NULL) */
	/* Allocation hook for the compilation's memory: like realloc, size 0 frees.  NULL: libc. */
	void *(*alloc)(void *ud, void *ptr, size_t size);
	void *alloc_ud;
};

PFC_API void fg_compile_opts_init(struct fg_compile_opts *opts);

/*
 * Compile len bytes of a pcap-filter(7) expression into classic BPF stored
 * in *out (release with cbpf_free()), *n instructions.  An empty expression
 * accepts every packet.  opts may be NULL for the defaults.  Reentrant: no
 * global state; name resolution uses the system's reentrant resolvers.
 * Returns 0;
 *   -EINVAL      the expression is wrong (diag: position and message);
 *   -EOPNOTSUPP  the link type, or a feature the expression uses, is not
 *                supported by pfc (diag says which);
 *   -E2BIG       the expression nests too deeply or the program would need
 *                more than 4096 instructions (diag);
 *   -ENOMEM.
 */
PFC_API int fg_compile(const char *expr, size_t len, const struct fg_compile_opts *opts,
		       struct cbpf_insn **out, size_t *n, struct fg_diag *diag);

/* Like fg_compile() but stores the IR's text form in *out (release with cbpf_free()). */
PFC_API int fg_compile_ir(const char *expr, size_t len, const struct fg_compile_opts *opts,
			  char **out, struct fg_diag *diag);

/*
 * A link type by name ("EN10MB", "DLT_EN10MB", case-insensitive) or number:
 * its DLT value in *dlt.  Returns 0, or -EOPNOTSUPP when pfc has no
 * description of that link type (or no such name exists).
 */
PFC_API int fg_linktype_lookup(const char *name, int *dlt);

/* The canonical name of a link type pfc supports ("EN10MB"), or NULL. */
PFC_API const char *fg_linktype_name(int dlt);

/* ---- seccomp: filters from a policy (pfc-seccomp(5)) or an OCI profile ---- */

/* Options for fg_seccomp_compile(); initialise with fg_seccomp_opts_init(). */
struct fg_seccomp_opts {
	size_t sz;		/* sizeof(struct fg_seccomp_opts) */
	int oci;		/* the source is an OCI / Docker JSON profile, not pfc-seccomp(5) */
	/* Architectures ("x86_64", "i386", "x32", "aarch64"), replacing the
	 * policy's; the first is the native one.  narches 0: the policy's. */
	const char *const *arches;
	size_t narches;
	/* OCI includes/excludes: the capabilities ("CAP_SYS_ADMIN") the
	 * container has.  caps_set 0: Docker's default set. */
	const char *const *caps;
	size_t ncaps;
	int caps_set;
	/* Running kernel as major * 1000 + minor for minKernel; 0: every minKernel holds. */
	unsigned kernel;
	int optimize;		/* 1 (default): run the optimizer */
	/* Warnings (shadowed rules...), positioned like errors.  NULL: dropped. */
	void (*warn)(void *ud, const struct fg_diag *d);
	void *warn_ud;
	void *(*alloc)(void *ud, void *ptr, size_t size);
	void *alloc_ud;
	/* OCI: leave syscalls newer than the profile to the default action
	 * (libseccomp's own filter) instead of failing them with ENOSYS as
	 * runc's stub does. */
	int no_enosys_stub;
};

PFC_API void fg_seccomp_opts_init(struct fg_seccomp_opts *opts);

/*
 * Compile a seccomp policy (len bytes) into a filter for seccomp(2):
 * *out (release with cbpf_free()), *n instructions, checked with the
 * kernel's seccomp rules.  Returns 0;
 *   -EINVAL  the policy is wrong (diag: position and message);
 *   -E2BIG   the filter would need more than 4096 instructions;
 *   -ENOMEM.
 */
PFC_API int fg_seccomp_compile(const char *src, size_t len, const struct fg_seccomp_opts *opts,
			       struct cbpf_insn **out, size_t *n, struct fg_diag *diag);

/*
 * Which syscalls get which action, per architecture, as text (*out,
 * release with cbpf_free()).  Errors as fg_seccomp_compile().
 */
PFC_API int fg_seccomp_explain(const char *src, size_t len, const struct fg_seccomp_opts *opts,
			       char **out, struct fg_diag *diag);

/*
 * A seccomp filter as a tcpdump -d listing with comments naming the
 * architectures, syscalls, argument words and actions (*out, release with
 * cbpf_free()).  Returns 0 or -ENOMEM.
 */
PFC_API int fg_seccomp_disasm(const struct cbpf_insn *insns, size_t n, char **out);

/* The number of a syscall on an architecture: 0, or -ENOENT (unknown name or arch). */
PFC_API int fg_seccomp_sys_lookup(const char *arch, const char *name, uint32_t *nr);
/* The name of syscall nr on an architecture, or NULL. */
PFC_API const char *fg_seccomp_sys_name(const char *arch, uint32_t nr);
/* AUDIT_ARCH_* of an architecture name: 0, or -ENOENT. */
PFC_API int fg_seccomp_arch_audit(const char *arch, uint32_t *audit);

#ifdef __cplusplus
}
#endif

#endif /* PFC_FILTERGEN_H */
