/*
 * cmd_asm.c -- `pfc asm`: read a classic BPF program in any syntax the
 * assembler knows, validate it with the kernel's rules and print it in one of
 * tcpdump's formats or as bpf_asm source; with -r, run it over a capture
 * file and print each packet's verdict.
 *
 * Keeps true: an invalid program never reaches the output or a run; the exit
 * status is 0 only when everything asked for was done.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cli.h"

struct asm_opts {
	enum cbpf_format format;
	enum cbpf_syntax syntax;
	enum cbpf_flavor flavor;
	int validate;
	const char *input;
	const char *replay;
};

static void asm_usage(FILE *out)
{
	fputs("usage: pfc asm [-d | -dd | -ddd | --format d|dd|ddd|asm] [--syntax auto|asm|d|dd|ddd]\n"
	      "               [--seccomp] [--no-validate] [-r CAPTURE] [FILE | -]\n"
	      "Read a classic BPF program (bpf_asm syntax, a tcpdump -d listing, or -dd/-ddd\n"
	      "numbers; detected unless --syntax says), check it with the kernel's rules\n"
	      "(seccomp's with --seccomp) and print it (default -d).  With -r, run it over\n"
	      "CAPTURE and print each packet's return value, one per line.\n", out);
}

static int parse_format(const char *s, enum cbpf_format *f)
{
	static const char *const names[] = { "d", "dd", "ddd", "asm" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*f = (enum cbpf_format)i;
			return 0;
		}
	return -EINVAL;
}

static int parse_syntax(const char *s, enum cbpf_syntax *syn)
{
	int i;

	for (i = CBPF_SYNTAX_AUTO; i <= CBPF_SYNTAX_DDD; i++)
		if (strcmp(s, cbpf_syntax_name((enum cbpf_syntax)i)) == 0) {
			*syn = (enum cbpf_syntax)i;
			return 0;
		}
	return -EINVAL;
}

/* Returns 0, or CLI_EXIT_USAGE after printing why; *done set for --help. */
static int parse_args(int argc, char **argv, struct asm_opts *o, int *done)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "syntax", required_argument, NULL, 'S' },
		{ "seccomp", no_argument, NULL, 's' },
		{ "no-validate", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, dcount = 0;

	while ((c = getopt_long(argc, argv, "dr:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': dcount++; break;
		case 'r': o->replay = optarg; break;
		case 's': o->flavor = CBPF_FLAVOR_SECCOMP; break;
		case 'n': o->validate = 0; break;
		case 'h': asm_usage(stdout); *done = 1; return 0;
		case 'f':
			if (parse_format(optarg, &o->format) == 0)
				break;
			cli_error("asm: unknown format '%s' (d, dd, ddd or asm)", optarg);
			return CLI_EXIT_USAGE;
		case 'S':
			if (parse_syntax(optarg, &o->syntax) == 0)
				break;
			cli_error("asm: unknown syntax '%s' (auto, asm, d, dd or ddd)", optarg);
			return CLI_EXIT_USAGE;
		default:
			asm_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (dcount > 3) {
		cli_error("asm: at most -ddd");
		return CLI_EXIT_USAGE;
	}
	if (dcount)
		o->format = (enum cbpf_format)(dcount - 1);
	if (argc - optind > 1) {
		cli_error("asm: one input file at most");
		return CLI_EXIT_USAGE;
	}
	o->input = optind < argc ? argv[optind] : "-";
	return 0;
}

static int print_program(const struct cbpf_insn *insns, size_t n, enum cbpf_format fmt)
{
	char *text = NULL;
	int rc = cbpf_disasm(insns, n, fmt, &text);

	if (rc < 0) {
		cli_error("asm: cannot print the program: %s", strerror(-rc));
		return CLI_EXIT_FAIL;
	}
	fputs(text, stdout);
	cbpf_free(text);
	return CLI_EXIT_OK;
}

/* Run the program over every record of a capture, one verdict per line. */
static int replay(const struct cbpf_insn *insns, size_t n, const char *path)
{
	struct cbpf_vm *vm = NULL;
	struct cap_file *f = NULL;
	struct cap_pkt pkt;
	unsigned long long seen = 0, matched = 0;
	char err[512] = "";
	int rc, status = CLI_EXIT_OK;

	rc = cbpf_vm_new(insns, n, 0, &vm);
	if (rc < 0) {
		cli_error("asm: cannot run the program: %s", strerror(-rc));
		return CLI_EXIT_FAIL;
	}
	if (cap_file_open(path, &f, err, sizeof(err)) < 0) {
		cli_error("%s: %s", path, err);
		cbpf_vm_free(vm);
		return CLI_EXIT_FAIL;
	}
	while ((rc = cap_file_next(f, &pkt)) == 1) {
		uint32_t v = cbpf_vm_run(vm, pkt.data, pkt.wirelen, pkt.caplen, NULL);

		printf("%u\n", v);
		seen++;
		matched += v != 0;
	}
	if (rc < 0) {
		cli_error("%s: %s", path, cap_file_error(f));
		status = CLI_EXIT_FAIL;
	}
	fprintf(stderr, "%llu packets read, %llu matched\n", seen, matched);
	cap_file_close(f);
	cbpf_vm_free(vm);
	return status;
}

int cmd_asm(int argc, char **argv)
{
	struct asm_opts o = { CBPF_FORMAT_D, CBPF_SYNTAX_AUTO, CBPF_FLAVOR_SOCKET, 1, NULL, NULL };
	struct cbpf_diag diag;
	struct cbpf_insn *insns = NULL;
	size_t n = 0, len = 0;
	char *src = NULL;
	const char *name;
	int rc, done = 0;

	rc = parse_args(argc, argv, &o, &done);
	if (rc || done)
		return rc;
	name = strcmp(o.input, "-") == 0 ? "<stdin>" : o.input;
	rc = cli_read_file(o.input, &src, &len);
	if (rc < 0) {
		cli_error("%s: %s", name, strerror(-rc));
		return CLI_EXIT_FAIL;
	}
	rc = cbpf_asm(src, len, o.syntax, &insns, &n, NULL, &diag);
	if (rc < 0) {
		if (rc == -EINVAL || rc == -E2BIG)
			cli_print_source_diag(stderr, name, src, len, &diag);
		else
			cli_error("%s: %s", name, strerror(-rc));
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	if (o.validate && cbpf_validate(insns, n, o.flavor, &diag) < 0) {
		cli_print_insn_diag(stderr, name, insns, n, &diag);
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	rc = o.replay ? replay(insns, n, o.replay) : print_program(insns, n, o.format);
out:
	cbpf_free(insns);
	free(src);
	return rc;
}
