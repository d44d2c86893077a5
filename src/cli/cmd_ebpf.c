/*
 * cmd_ebpf.c -- `pfc ebpf`: compile an expression (or assemble a classic
 * program with --asm), translate it to eBPF for a socket filter, a TC
 * classifier or XDP, and print it (-d, the default) in the verifier's
 * syntax, write it as an ELF object (-o) and/or load it into the kernel
 * (--load) to check it passes the verifier, whose log is shown otherwise.
 *
 * Keeps true: nothing is written unless translation succeeded; the exit
 * status is 0 only when everything asked for was done.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ebpf_translate.h"
#include "filtergen.h"

struct ebpf_opts {
	struct ebt_opts ebt;
	struct fg_compile_opts fg;
	const char *out;
	const char *asm_file;
	int dump, load;
	int reads;		/* socket: READS_AUTO, READS_DIRECT (--direct), READS_HELPERS (--portable) */
	struct ebt_kernel kern;
};

enum { READS_AUTO = 0, READS_DIRECT, READS_HELPERS };

static void ebpf_usage(FILE *out)
{
	fputs("usage: pfc ebpf [--target socket|tc|xdp] [--action pass|drop] [-o FILE.o] [-d]\n"
	      "                [--load] [--direct | --portable] [-y LINKTYPE] [-s SNAPLEN]\n"
	      "                (EXPRESSION | --asm PROG)\n"
	      "Translate a filter expression (or, with --asm, a classic BPF program in any\n"
	      "syntax pfc asm reads) into eBPF for a socket filter (default), a TC classifier\n"
	      "or XDP.  -d prints it as the kernel verifier does (the default without -o);\n"
	      "-o writes an ELF object (section socket, tc or xdp, license GPL) for bpftool,\n"
	      "tc and libbpf; --load loads it into the kernel and reports the verifier's\n"
	      "instruction count, or its log when it refuses.  --action maps a match to\n"
	      "pass or drop (tc: TC_ACT_OK/TC_ACT_SHOT else TC_ACT_UNSPEC; xdp: XDP_PASS/\n"
	      "XDP_DROP else the other); without it the classic value is returned as is.\n"
	      "Socket filters: --direct reads the packet in place (kfuncs of this kernel,\n"
	      "Linux 6.16+, not for -o), --portable through LD_ABS/LD_IND helpers only;\n"
	      "by default --load without -o reads directly where the kernel allows it.\n", out);
}

static int parse_action(const char *s, enum ebt_action *a)
{
	if (strcmp(s, "pass") == 0)
		*a = EBT_ACTION_PASS;
	else if (strcmp(s, "drop") == 0)
		*a = EBT_ACTION_DROP;
	else if (strcmp(s, "none") == 0)
		*a = EBT_ACTION_NONE;
	else
		return -EINVAL;
	return 0;
}

static int parse_opt(int c, struct ebpf_opts *o)
{
	char *end;
	unsigned long v;

	switch (c) {
	case 't':
		if (ebt_target_parse(optarg, &o->ebt.target) == 0)
			return 0;
		cli_error("ebpf: unknown target '%s' (socket, tc or xdp)", optarg);
		return CLI_EXIT_USAGE;
	case 'a':
		if (parse_action(optarg, &o->ebt.action) == 0)
			return 0;
		cli_error("ebpf: unknown action '%s' (pass or drop)", optarg);
		return CLI_EXIT_USAGE;
	case 'y':
		if (fg_linktype_lookup(optarg, &o->fg.linktype) == 0)
			return 0;
		cli_error("ebpf: unknown or unsupported link type '%s'", optarg);
		return CLI_EXIT_USAGE;
	case 's':
		v = strtoul(optarg, &end, 0);
		if (*optarg && !*end && v <= UINT32_MAX) {
			o->fg.snaplen = v ? (uint32_t)v : 262144u;
			return 0;
		}
		cli_error("ebpf: invalid snap length '%s'", optarg);
		return CLI_EXIT_USAGE;
	case 'o': o->out = optarg; return 0;
	case 'd': o->dump = 1; return 0;
	case 'A': o->asm_file = optarg; return 0;
	case 'L': o->load = 1; return 0;
	case 'D': o->reads = READS_DIRECT; return 0;
	case 'P': o->reads = READS_HELPERS; return 0;
	default:
		ebpf_usage(stderr);
		return CLI_EXIT_USAGE;
	}
}

static int parse_args(int argc, char **argv, struct ebpf_opts *o, int *done)
{
	static const struct option longopts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "action", required_argument, NULL, 'a' },
		{ "asm", required_argument, NULL, 'A' },
		{ "load", no_argument, NULL, 'L' },
		{ "direct", no_argument, NULL, 'D' },
		{ "portable", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	while ((c = getopt_long(argc, argv, "+o:dy:s:h", longopts, NULL)) != -1) {
		if (c == 'h') {
			ebpf_usage(stdout);
			*done = 1;
			return 0;
		}
		rc = parse_opt(c, o);
		if (rc)
			return rc;
	}
	if (o->asm_file && optind < argc) {
		cli_error("ebpf: an expression and --asm exclude each other");
		return CLI_EXIT_USAGE;
	}
	if (!o->out && !o->load)
		o->dump = 1;
	if (o->reads != READS_AUTO && o->ebt.target != EBT_TARGET_SOCKET) {
		cli_error("ebpf: --direct and --portable choose how a socket filter reads the packet; %s programs always read it directly",
			  ebt_target_name(o->ebt.target));
		return CLI_EXIT_USAGE;
	}
	if (o->reads == READS_DIRECT && o->out) {
		cli_error("ebpf: --direct uses this kernel's BTF ids, which an object file (-o) cannot carry");
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/*
 * Socket filters: read the packet directly when asked to (--direct, an
 * error where the kernel refuses) or, by default, when loading here only.
 */
static int pick_reads(struct ebpf_opts *o)
{
	int rc;

	if (o->ebt.target != EBT_TARGET_SOCKET || o->reads == READS_HELPERS ||
	    (o->reads == READS_AUTO && (!o->load || o->out)))
		return 0;
	rc = ebt_kernel_probe(&o->kern);
	if (rc == 0) {
		o->ebt.kernel = &o->kern;
		return 0;
	}
	if (o->reads == READS_AUTO)
		return 0;
	cli_error("ebpf: --direct: this kernel does not let a socket filter read the packet directly (%s); it needs Linux 6.16 or later with BTF, a JIT and CAP_PERFMON",
		  rc == -ENOENT ? "no BTF or kfuncs" : strerror(-rc));
	return CLI_EXIT_FAIL;
}

/* The classic program: assembled from --asm or compiled from the words left. */
static int classic(struct ebpf_opts *o, int argc, char **argv, struct cbpf_insn **prog,
		   size_t *n)
{
	struct cbpf_diag cd;
	struct fg_diag fd;
	size_t len = 0;
	char *src = NULL;
	int rc;

	if (o->asm_file) {
		const char *name = strcmp(o->asm_file, "-") == 0 ? "<stdin>" : o->asm_file;

		rc = cli_read_file(o->asm_file, &src, &len);
		if (rc < 0) {
			cli_error("%s: %s", name, strerror(-rc));
			return CLI_EXIT_FAIL;
		}
		rc = cbpf_asm(src, len, CBPF_SYNTAX_AUTO, prog, n, NULL, &cd);
		if (rc < 0)
			cli_print_source_diag(stderr, name, src, len, &cd);
		free(src);
		return rc < 0 ? CLI_EXIT_FAIL : 0;
	}
	src = cli_join_words(argv + optind, argc - optind);
	if (!src) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	rc = fg_compile(src, strlen(src), &o->fg, prog, n, &fd);
	if (rc < 0)
		cli_print_expr_diag(stderr, "expression", src, strlen(src), &fd);
	free(src);
	return rc < 0 ? CLI_EXIT_FAIL : 0;
}

static int write_object(const struct ebpf_opts *o, const struct ebt_insn *e, size_t n)
{
	void *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc = ebt_elf_write(e, n, o->ebt.target, "pfc_filter", &buf, &len);

	if (rc < 0) {
		cli_error("ebpf: cannot build the object: %s", strerror(-rc));
		return CLI_EXIT_FAIL;
	}
	f = fopen(o->out, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		cli_error("%s: %s", o->out, strerror(errno));
		ebt_free(buf);
		return CLI_EXIT_FAIL;
	}
	ebt_free(buf);
	return CLI_EXIT_OK;
}

static int load_check(const struct ebpf_opts *o, const struct ebt_insn *e, size_t n)
{
	size_t logsz = 1 << 20;
	char *log = malloc(logsz);
	uint32_t count = 0;
	int fd = ebt_prog_load(e, n, o->ebt.target, log, log ? logsz : 0);

	if (fd < 0) {
		cli_error("ebpf: the kernel refused the program: %s", strerror(-fd));
		if (log && *log)
			fputs(log, stderr);
		free(log);
		return CLI_EXIT_FAIL;
	}
	free(log);
	if (ebt_prog_xlated_count(fd, &count) == 0)
		fprintf(stderr, "loaded: %zu instructions, %u after the verifier (xlated)\n", n,
			count);
	if (o->ebt.target == EBT_TARGET_SOCKET)
		fprintf(stderr, "packet reads: %s\n", o->ebt.kernel ?
			"direct (skb->data through kfuncs of this kernel)" :
			"LD_ABS/LD_IND and bpf_skb_load_bytes (portable)");
	close(fd);
	return CLI_EXIT_OK;
}

static int translate(const struct ebpf_opts *o, const struct cbpf_insn *prog, size_t n)
{
	struct ebt_insn *e = NULL;
	struct ebt_diag d;
	size_t ne = 0;
	char *text = NULL;
	int rc = ebt_translate(prog, n, &o->ebt, &e, &ne, &d, NULL);

	if (rc < 0) {
		if (d.insn >= 0)
			cli_error("ebpf: instruction %d: %s", d.insn, d.msg);
		else
			cli_error("ebpf: %s", d.msg[0] ? d.msg : strerror(-rc));
		return CLI_EXIT_FAIL;
	}
	rc = CLI_EXIT_OK;
	if (o->dump) {
		if (ebt_disasm(e, ne, &text) < 0) {
			cli_error("out of memory");
			rc = CLI_EXIT_FAIL;
		} else {
			fputs(text, stdout);
			ebt_free(text);
		}
	}
	if (rc == CLI_EXIT_OK && o->out)
		rc = write_object(o, e, ne);
	if (rc == CLI_EXIT_OK && o->load)
		rc = load_check(o, e, ne);
	ebt_free(e);
	return rc;
}

int cmd_ebpf(int argc, char **argv)
{
	struct ebpf_opts o;
	struct cbpf_insn *prog = NULL;
	size_t n = 0;
	int rc, done = 0;

	memset(&o, 0, sizeof(o));
	o.ebt.sz = sizeof(o.ebt);
	fg_compile_opts_init(&o.fg);
	rc = parse_args(argc, argv, &o, &done);
	if (rc || done)
		return rc;
	rc = pick_reads(&o);
	if (rc)
		return rc;
	rc = classic(&o, argc, argv, &prog, &n);
	if (rc == 0)
		rc = translate(&o, prog, n);
	cbpf_free(prog);
	return rc;
}
