/*
 * cmd_attach.h -- where pfc -i attaches its filter (--attach tc|ebpf, --ebpf):
 * the TC capture point (a tap of mirrored matches) and the eBPF socket
 * filter, set up for cmd_capture.c's capture loop.
 */
#ifndef PFC_CMD_ATTACH_H
#define PFC_CMD_ATTACH_H

#include <stddef.h>

#include "capture.h"
#include "cmd_capture.h"

/* --attach values of struct capture_opts. */
enum { CLI_ATTACH_SOCKET = 0, CLI_ATTACH_TC = 1, CLI_ATTACH_EBPF = 2 };

/* Parse --attach's argument into c->attach: 0 or CLI_EXIT_USAGE (message printed). */
int cli_attach_parse(struct capture_opts *c, const char *arg);

/*
 * The eBPF socket filter hook of struct cap_ring_opts (ud: a struct
 * cli_ebpf_sock): translate the final classic program for a socket,
 * BPF_PROG_LOAD it and SO_ATTACH_BPF it.  The verifier log of a refusal
 * is kept in ud->log for the CLI to show.
 */
struct cli_ebpf_sock {
	char log[16384];
	size_t insns;		/* eBPF instructions loaded */
};
int cli_ebpf_sock_attach(void *ud, int sock, const struct cbpf_insn *prog, size_t n,
			 char *msg, size_t msglen);

/* The link type IFACE's TC hooks see: 0 or CLI_EXIT_FAIL (message printed). */
int cli_tap_linktype(const char *iface, int *dlt);

/*
 * pfc -i IFACE --attach tc: set up a TC tap on iface for the classic
 * program prog compiled for dlt (-Q in: ingress only, out: egress only).
 * *tap gets the tap; rx the device to read, its dlt and linktype set to
 * the tapped device's to label the copies.  Returns 0 or CLI_EXIT_FAIL
 * (message printed; nothing left behind).
 */
int cli_tap_open(const char *iface, int dlt, int direction, const struct cbpf_insn *prog,
		 size_t n, struct cap_tc_tap **tap, struct cap_ifinfo *rx);

/* Remove the tap (NULL: nothing): 0 or CLI_EXIT_FAIL (message printed). */
int cli_tap_close(struct cap_tc_tap *tap);

/*
 * pfc tc attach --ebpf: translate prog for the tc hook with action's
 * return codes (see struct cap_tc_opts' prog_fd) and load it: 0 and *fd,
 * or CLI_EXIT_FAIL (message and verifier log printed).
 */
int cli_tc_ebpf_load(const struct cbpf_insn *prog, size_t n, enum cap_tc_action action,
		     int *fd);

/*
 * pfc -i IFACE --attach tc --ebpf: capture at IFACE's TC hooks through a
 * BPF ring buffer (cmd_tccap.c).  Returns a CLI_EXIT_* status.
 */
int cli_capture_tc_ebpf(const struct capture_opts *c, const struct replay_opts *o,
			const char *expr, size_t len, const char *name);

#endif /* PFC_CMD_ATTACH_H */
