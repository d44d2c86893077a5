/*
 * main.c -- pfc's entry point: pick the command mode from argv and hand over.
 *
 * `pfc SUBCOMMAND ...` runs a mode (asm, ...); everything else is tcpdump's
 * command line.  A filter expression whose first word is a subcommand name is
 * given after `--`.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"

static void usage(FILE *out)
{
	fputs("usage: pfc [-y LINKTYPE] [-s SNAPLEN] [-O] [--netmask MASK] [-F FILE]\n"
	      "           (-d | -dd | -ddd | --dump-ir) [EXPRESSION ...]\n"
	      "       pfc -r FILE [-w OUT] [-c COUNT] [-s SNAPLEN] [--nano | --micro]\n"
	      "           [-neqvS] [-t...] [-x | -xx | -X | -XX | -A] [EXPRESSION ...]\n"
	      "       pfc -r FILE [-w OUT] [-c COUNT] [-s SNAPLEN] [--nano | --micro] [EXPRESSION ...]\n"
	      "       pfc -i IFACE [-w OUT] [-c COUNT] [-s SNAPLEN] [-B KiB] [-p] [-Q in|out|inout]\n"
	      "           [-U] [-l] [--lock] [--fanout N] [--attach socket|tc|ebpf] [--ebpf]\n"
	      "           [EXPRESSION ...]    (pfc -D lists IFACEs)\n"
	      "       pfc asm [-d | -dd | -ddd | --format asm] [--seccomp] [-r CAPTURE] [FILE | -]\n"
	      "       pfc tc attach|detach|show IFACE ...  (see pfc tc --help)\n"
	      "       pfc seccomp [--oci] POLICY [--arch A ...] [--format raw|c|dd|ddd|disasm|explain]\n"
	      "                   [-o FILE]\n"
	      "       pfc seccomp run [--oci] POLICY -- CMD [ARGS ...]\n"
	      "       pfc ebpf [--target socket|tc|xdp] [-o FILE.o] [-d] (EXPRESSION | --asm PROG)\n"
	      "       pfc trace -r FILE [-p N | --nomatch] (EXPRESSION | --asm PROG)\n"
	      "       pfc --help | --version\n"
	      "\n"
	      "pfc compiles pcap-filter expressions into classic BPF and runs them.\n"
	      "  (no command) compile an expression and print it as tcpdump -d/-dd/-ddd do,\n"
	      "             or with -r filter a capture file (print, or -w write a pcap),\n"
	      "             or with -i capture live, the filter in the kernel\n"
	      "  asm        read, validate and print a classic BPF program (bpf_asm syntax,\n"
	      "             tcpdump -d/-dd/-ddd output); see pfc asm --help\n"
	      "  tc         attach a filter to a device's TC ingress or egress hook (drop,\n"
	      "             pass or mirror what matches), detach it, show the filters\n"
	      "  seccomp    compile a seccomp policy or OCI profile into a filter, or run a\n"
	      "             command under it; see pfc-seccomp(1)\n"
	      "  ebpf       translate a filter into eBPF (socket, tc, xdp); see pfc ebpf --help\n"
	      "  trace      run a filter on one packet of a capture, instruction by instruction\n"
	      "An expression whose first word is a command name goes after `--`.\n"
	      "See pfc(1).\n", out);
}

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{ "asm", cmd_asm },
	{ "tc", cmd_tc },
	{ "seccomp", cmd_seccomp },
	{ "ebpf", cmd_ebpf },
	{ "trace", cmd_trace },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	/* Options first (pfc -d ...): the compile mode. */
	if (argv[1][0] == '-' && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0 &&
	    strcmp(argv[1], "--version") != 0 && strcmp(argv[1], "--") != 0)
		return cmd_compile(argc, argv);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("pfc %s\n", PACKAGE_VERSION);
		return CLI_EXIT_OK;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	if (strcmp(argv[1], "--") == 0) {
		argv[1] = argv[0];
		return cmd_compile(argc - 1, argv + 1);
	}
	return cmd_compile(argc, argv);
}
