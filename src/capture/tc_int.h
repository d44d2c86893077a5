/*
 * tc_int.h -- private declarations of the capture module's TC files
 * (tc.c: netlink, tc_prog.c: programs and link types).
 */
#ifndef PFC_TC_INT_H
#define PFC_TC_INT_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "cbpf.h"

/* Format a message into errbuf (when not NULL) and return rc. */
int tc_err(char *errbuf, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * The capture filter in[0..n) rewritten for cls_bpf in the given mode
 * (see tc_prog.c), in *out (free()) of *nout instructions.  Returns 0,
 * -E2BIG (too long, or a stretched jump over 255), -ENOMEM.
 */
int tc_prog_rewrite(const struct cbpf_insn *in, size_t n, enum cap_tc_action action,
		    struct cbpf_insn **out, size_t *nout);

/*
 * Remove the one filter of pfc's f describes (hook, prio, handle) from
 * ifname, and the qdisc as cap_tc_detach() would.  0, -ENOENT, -errno.
 */
int tc_detach_filter(const char *ifname, const struct cap_tc_filter *f, char *errbuf,
		     size_t errlen);

#endif /* PFC_TC_INT_H */
