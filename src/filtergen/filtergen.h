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

#ifdef __cplusplus
}
#endif

#endif /* PFC_FILTERGEN_H */
