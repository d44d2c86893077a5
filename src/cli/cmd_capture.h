/*
 * cmd_capture.h -- live capture (`pfc -i IFACE [-w FILE] [-c N] ... [EXPRESSION]`)
 * and the interface list (`pfc -D`), entered from the tcpdump-compatible
 * command line of cmd_compile.c.
 */
#ifndef PFC_CMD_CAPTURE_H
#define PFC_CMD_CAPTURE_H

#include <stddef.h>

#include "cmd_replay.h"
#include "filtergen.h"

/* Long options of the capture (getopt codes past cmd_compile.c's). */
enum { CAP_OPT_LOCK = 320, CAP_OPT_FANOUT, CAP_OPT_ATTACH, CAP_OPT_EBPF };

/* The capture's own options; the rest (-w -c -s --nano) are in struct replay_opts. */
struct capture_opts {
	const char *iface;		/* -i: an interface, its number in -D, or "any" */
	int list;			/* -D */
	unsigned long buffer_kib;	/* -B: ring size in KiB, 0 the default */
	int no_promisc;			/* -p */
	int direction;			/* -Q: enum cap_direction */
	int unbuffered;			/* -U: flush the output after every block */
	int line_buffered;		/* -l: line-buffered standard output */
	int lock;			/* --lock: SO_LOCK_FILTER */
	unsigned fanout;		/* --fanout N: N threads in a PACKET_FANOUT group */
	int attach;			/* --attach socket|tc|ebpf: CLI_ATTACH_* (cmd_attach.h) */
	int ebpf;			/* --ebpf (with --attach tc): a BPF ring buffer */
};

/* Take one capture option (c is getopt's code): 0 or CLI_EXIT_USAGE (message printed). */
int cli_capture_opt(struct capture_opts *c, int opt, const char *arg);

/* pfc -D: the interfaces, numbered as -i accepts them.  Returns a CLI_EXIT_* status. */
int cli_list_ifaces(void);

/*
 * Set fg->linktype (and the live-capture options) for compiling on iface,
 * as tcpdump -d -i IFACE does.  Returns 0 or a CLI_EXIT_* status (message printed).
 */
int cli_capture_compile_opts(const char *iface, struct fg_compile_opts *fg);

/*
 * Compile the expression for a live capture on link type dlt (Linux
 * extensions on, o->fg otherwise); errors printed with a caret.  Returns 0
 * or CLI_EXIT_FAIL.
 */
int cli_capture_compile(const struct replay_opts *o, int dlt, const char *expr, size_t len,
			const char *name, struct cbpf_insn **prog, size_t *n);

/*
 * The output of a live capture: with o->output a pcap file of linktype
 * (LINKTYPE_*) and snaplen (*w), else printing with tcpdump's flags of
 * o->print (*po, a fresh state; -l line-buffers stdout).  Returns 0 or
 * CLI_EXIT_FAIL (message printed).
 */
int cli_capture_output(const struct capture_opts *c, const struct replay_opts *o,
		       uint32_t linktype, uint32_t snaplen, enum cap_precision prec,
		       struct cap_print_opts *po, struct cap_writer **w);

/*
 * Capture on c->iface with the expression (compiled for the interface's
 * link type), write (o->output) or print the packets until o->count, SIGINT
 * or SIGTERM, then print tcpdump's three statistics lines on stderr.
 * Returns a CLI_EXIT_* status.
 */
int cli_capture(const struct capture_opts *c, const struct replay_opts *o, const char *expr,
		size_t len, const char *name);

#endif /* PFC_CMD_CAPTURE_H */
