/*
 * cmd_attach.c -- the other places pfc -i can put its filter.
 *
 * --attach tc: the expression runs at IFACE's TC hooks (compiled for the
 * link type the hook sees), where mirror filters copy matches into a veth
 * pair the capture module creates (cap_tc_tap_open); the ordinary ring
 * reads its far end, labelling frames with the tapped device's link type.
 * --attach ebpf: the classic program the ring would attach, prefix
 * included, is translated to an eBPF socket filter and attached with
 * SO_ATTACH_BPF instead, before bind as the classic one is.
 * Keeps true: the library/CLI boundary (the capture module never compiles
 * or translates); nothing of a tap outlives cli_tap_close.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_attach.h"
#include "ebpf_translate.h"

#define LINKTYPE_RAW 101
#define DLT_RAW_ 12

int cli_attach_parse(struct capture_opts *c, const char *arg)
{
	if (strcmp(arg, "tc") == 0)
		c->attach = CLI_ATTACH_TC;
	else if (strcmp(arg, "ebpf") == 0)
		c->attach = CLI_ATTACH_EBPF;
	else if (strcmp(arg, "socket") == 0)
		c->attach = CLI_ATTACH_SOCKET;
	else {
		cli_error("invalid --attach '%s' (socket, tc or ebpf)", arg);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

int cli_ebpf_sock_attach(void *ud, int sock, const struct cbpf_insn *prog, size_t n,
			 char *msg, size_t msglen)
{
	struct cli_ebpf_sock *e = ud;
	struct ebt_opts o = { sizeof(o), EBT_TARGET_SOCKET, EBT_ACTION_NONE, NULL };
	struct ebt_kernel kern;
	struct ebt_insn *ins = NULL;
	struct ebt_diag diag;
	size_t ni = 0;
	int fd, rc;

	memset(&diag, 0, sizeof(diag));
	e->log[0] = '\0';
	if (ebt_kernel_probe(&kern) == 0)	/* direct packet reads where the kernel allows */
		o.kernel = &kern;
	rc = ebt_translate(prog, n, &o, &ins, &ni, &diag, NULL);
	if (rc < 0) {
		snprintf(msg, msglen, "translation to eBPF: %s",
			 diag.msg[0] ? diag.msg : strerror(-rc));
		return rc;
	}
	e->insns = ni;
	fd = ebt_prog_load(ins, ni, EBT_TARGET_SOCKET, e->log, sizeof(e->log));
	ebt_free(ins);
	if (fd < 0) {
		snprintf(msg, msglen, "BPF_PROG_LOAD (%zu eBPF instructions): %s", ni,
			 strerror(-fd));
		return fd;
	}
	rc = ebt_attach_socket(sock, fd);
	close(fd);	/* the socket holds the program now */
	if (rc < 0)
		snprintf(msg, msglen, "SO_ATTACH_BPF: %s", strerror(-rc));
	return rc;
}

int cli_tap_linktype(const char *iface, int *dlt)
{
	char err[256] = "";
	int rc = cap_tc_linktype(iface, dlt, err, sizeof(err));

	if (rc < 0) {
		cli_error("%s: cannot capture at the TC hook: %s", iface, err);
		return CLI_EXIT_FAIL;
	}
	return 0;
}

int cli_tap_open(const char *iface, int dlt, int direction, const struct cbpf_insn *prog,
		 size_t n, struct cap_tc_tap **tap, struct cap_ifinfo *rx)
{
	struct cap_tc_tap_opts to;
	char err[256] = "";
	int rc;

	cap_tc_tap_opts_init(&to);
	to.ingress = direction != CAP_DIR_OUT;
	to.egress = direction != CAP_DIR_IN;
	*tap = NULL;
	rc = cap_tc_tap_open(iface, prog, n, &to, tap, err, sizeof(err));
	if (rc == 0 && (rc = cap_iface_info(cap_tc_tap_device(*tap), rx)) < 0)
		snprintf(err, sizeof(err), "%s: %s", cap_tc_tap_device(*tap), strerror(-rc));
	if (rc < 0) {
		cli_error("%s: cannot capture at the TC hook: %s", iface, err);
		if (rc == -EPERM)
			fputs("pfc: attaching at TC needs CAP_NET_ADMIN: run as root\n", stderr);
		cli_tap_close(*tap);
		*tap = NULL;
		return CLI_EXIT_FAIL;
	}
	rx->dlt = dlt;
	rx->linktype = dlt == DLT_RAW_ ? LINKTYPE_RAW : (uint32_t)dlt;
	return 0;
}

int cli_tap_close(struct cap_tc_tap *tap)
{
	char err[256] = "";

	if (!tap)
		return 0;
	if (cap_tc_tap_close(tap, err, sizeof(err)) < 0) {
		cli_error("removing the TC capture point: %s", err);
		return CLI_EXIT_FAIL;
	}
	return 0;
}

int cli_tc_ebpf_load(const struct cbpf_insn *prog, size_t n, enum cap_tc_action action,
		     int *fd)
{
	struct ebt_opts o = { sizeof(o), EBT_TARGET_TC, EBT_ACTION_NONE, NULL };
	struct ebt_insn *ins = NULL;
	struct ebt_diag diag;
	char *log = calloc(1, 65536);
	size_t ni = 0;
	int rc;

	/* mirror: cls_bpf's classic contract, non-zero (the class id) runs the mirred action */
	if (action != CAP_TC_MIRROR)
		o.action = action == CAP_TC_DROP ? EBT_ACTION_DROP : EBT_ACTION_PASS;
	memset(&diag, 0, sizeof(diag));
	rc = ebt_translate(prog, n, &o, &ins, &ni, &diag, NULL);
	if (rc < 0 || !log) {
		cli_error("translation to eBPF failed: %s", !log ? "out of memory" :
			  diag.msg[0] ? diag.msg : strerror(-rc));
		ebt_free(ins);
		free(log);
		return CLI_EXIT_FAIL;
	}
	*fd = ebt_prog_load(ins, ni, EBT_TARGET_TC, log, 65536);
	ebt_free(ins);
	if (*fd < 0) {
		cli_error("BPF_PROG_LOAD of the tc program (%zu eBPF instructions): %s%s", ni,
			  strerror(-*fd), log[0] ? "; the verifier's log:" : "");
		fputs(log, stderr);
	}
	free(log);
	return *fd < 0 ? CLI_EXIT_FAIL : 0;
}
