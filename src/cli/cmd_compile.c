/*
 * cmd_compile.c -- pfc's tcpdump-compatible command line:
 *   pfc [-y LINKTYPE] [-s SNAPLEN] [-O] [--netmask MASK] [-F FILE]
 *       (-d | -dd | -ddd | --dump-ir) [EXPRESSION ...]
 *   pfc -r FILE [-w OUT] [-c N] [-s SNAPLEN] [--nano | --micro]
 *       [-neqvS] [-t...] [-x | -xx | -X | -XX | -A] [EXPRESSION ...]
 * Words after the options are joined with spaces, as tcpdump joins them.
 * The program is printed in tcpdump's formats (for the link type of FILE
 * when -r is given too), or run over FILE by cmd_replay.c; errors point at
 * the expression with a caret.
 *
 * Keeps true: the exit status is 0 only when a program was printed; a
 * rejected expression prints nothing on standard output.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "cmd_capture.h"
#include "cmd_replay.h"
#include "filtergen.h"

struct compile_opts {
	struct fg_compile_opts fg;
	int dflag;
	int dump_ir;
	const char *file;
	struct replay_opts rp;
	struct capture_opts cap;
};

static void compile_usage(FILE *out)
{
	fputs("usage: pfc [-y LINKTYPE] [-s SNAPLEN] [-O] [--netmask MASK] [-F FILE]\n"
	      "           (-d | -dd | -ddd | --dump-ir) [EXPRESSION ...]\n"
	      "       pfc -r FILE [-w OUT] [-c COUNT] [-s SNAPLEN] [--nano | --micro]\n"
	      "           [-neqvS] [-t...] [-x | -xx | -X | -XX | -A] [EXPRESSION ...]\n"
	      "       pfc -i IFACE [-w OUT] [-c COUNT] [-s SNAPLEN] [-B KiB] [-p] [-Q in|out|inout]\n"
	      "           [-U] [-l] [--lock] [--fanout N] [--attach socket|tc|ebpf] [--ebpf]\n"
	      "           [printing flags] [EXPRESSION ...]\n"
	      "       pfc -D\n"
	      "Compile a pcap-filter(7) expression into classic BPF and print it as\n"
	      "tcpdump -d/-dd/-ddd does.  LINKTYPE is a name (EN10MB, LINUX_SLL2, RAW...)\n"
	      "or a number; defaults EN10MB and snap length 262144.\n"
	      "With -r, filter the packets of a pcap or pcapng FILE (- is standard input):\n"
	      "print each match as tcpdump -n does (names are never resolved), or with -w\n"
	      "write them to a pcap file as tcpdump -w does; -c stops after COUNT matches.\n"
	      "With -i, capture live on IFACE (any: every interface) with the filter in the\n"
	      "kernel; -D lists the interfaces.  See LIVE CAPTURE in pfc(1).\n", out);
}

static int parse_linktype(const char *s, struct compile_opts *o)
{
	if (fg_linktype_lookup(s, &o->fg.linktype) == 0)
		return 0;
	cli_error("unknown or unsupported link type '%s' (try EN10MB, LINUX_SLL, LINUX_SLL2, RAW, "
		  "IPV4, IPV6, NULL, LOOP, PPP)", s);
	return CLI_EXIT_USAGE;
}

static int parse_snaplen(const char *s, struct compile_opts *o)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*s == '\0' || *end != '\0' || v > 0x7fffffffUL) {
		cli_error("invalid snap length '%s'", s);
		return CLI_EXIT_USAGE;
	}
	/* tcpdump: 0 means the default */
	o->fg.snaplen = v == 0 ? 262144u : (uint32_t)v;
	o->rp.snaplen_set = 1;
	return 0;
}

static int parse_netmask(const char *s, struct compile_opts *o)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		cli_error("invalid netmask '%s' (dotted quad, such as 255.255.255.0)", s);
		return CLI_EXIT_USAGE;
	}
	o->fg.netmask = ntohl(a.s_addr);
	o->fg.netmask_known = 1;
	return 0;
}

static int parse_count(const char *s, struct compile_opts *o)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*s == '\0' || *s == '-' || *end != '\0' || v == 0) {
		cli_error("invalid packet count '%s'", s);
		return CLI_EXIT_USAGE;
	}
	o->rp.count = v;
	return 0;
}

static int parse_precision(const char *s, struct compile_opts *o)
{
	if (strcmp(s, "micro") == 0 || strcmp(s, "nano") == 0) {
		o->rp.precision = s[0] == 'n';
		return 0;
	}
	cli_error("invalid time stamp precision '%s' (micro or nano)", s);
	return CLI_EXIT_USAGE;
}

/* tcpdump's printing flags, counted; -x/-X/-A make one dump (X over x over A). */
struct print_flags {
	int t, x, X, A;
};

static int print_setup(const struct print_flags *pf, struct compile_opts *o)
{
	struct cap_print_opts *p = &o->rp.print;

	if (pf->t > 5) {
		cli_error("only -t, -tt, -ttt, -tttt and -ttttt are supported");
		return CLI_EXIT_USAGE;
	}
	p->tstamp = pf->t;
	if (pf->X)
		p->dump = pf->X > 1 ? CAP_DUMP_HEX_ASCII_LINK : CAP_DUMP_HEX_ASCII;
	else if (pf->x)
		p->dump = pf->x > 1 ? CAP_DUMP_HEX_LINK : CAP_DUMP_HEX;
	else if (pf->A)
		p->dump = pf->A > 1 ? CAP_DUMP_ASCII_LINK : CAP_DUMP_ASCII;
	return 0;
}

/* What the options ask for must make one job. */
static int check_mode(const struct compile_opts *o)
{
	if (o->cap.list)
		return 0;
	if (o->rp.input && o->cap.iface) {
		cli_error("-r and -i exclude each other: read a file or capture live");
		return CLI_EXIT_USAGE;
	}
	if (!o->rp.input && !o->cap.iface && (o->rp.output || o->rp.count)) {
		cli_error("-w and -c need -r FILE or -i INTERFACE");
		return CLI_EXIT_USAGE;
	}
	if (!o->dflag && !o->dump_ir && !o->rp.input && !o->cap.iface) {
		cli_error("nothing to do: give -d, -dd, -ddd, --dump-ir, -r FILE or -i INTERFACE "
			  "(pfc -D lists the interfaces)");
		return CLI_EXIT_USAGE;
	}
	if (o->dflag > 3) {
		cli_error("at most -ddd");
		return CLI_EXIT_USAGE;
	}
	return 0;
}

enum { OPT_NANO = 256, OPT_MICRO, OPT_PRECISION };

static int parse_args(int argc, char **argv, struct compile_opts *o, int *done)
{
	static const struct option longopts[] = {
		{ "netmask", required_argument, NULL, 'N' },
		{ "dump-ir", no_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ "nano", no_argument, NULL, OPT_NANO },
		{ "micro", no_argument, NULL, OPT_MICRO },
		{ "time-stamp-precision", required_argument, NULL, OPT_PRECISION },
		{ "lock", no_argument, NULL, CAP_OPT_LOCK },
		{ "fanout", required_argument, NULL, CAP_OPT_FANOUT },
		{ "attach", required_argument, NULL, CAP_OPT_ATTACH },
		{ "ebpf", no_argument, NULL, CAP_OPT_EBPF },
		{ NULL, 0, NULL, 0 },
	};
	struct print_flags pf = { 0, 0, 0, 0 };
	int c, rc = 0;

	while (rc == 0 &&
	       (c = getopt_long(argc, argv, "dy:s:OF:hr:w:c:nqevStxXAi:DB:pQ:Ul", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o->dflag++; break;
		case 'y': rc = parse_linktype(optarg, o); break;
		case 's': rc = parse_snaplen(optarg, o); break;
		case 'O': o->fg.optimize = 0; break;
		case 'F': o->file = optarg; break;
		case 'N': rc = parse_netmask(optarg, o); break;
		case 'I': o->dump_ir = 1; break;
		case 'r': o->rp.input = optarg; break;
		case 'w': o->rp.output = optarg; break;
		case 'c': rc = parse_count(optarg, o); break;
		case 'n': break;	/* tcpdump's; pfc never resolves names */
		case 'q': o->rp.print.quiet++; break;
		case 'e': o->rp.print.link = 1; break;
		case 'v': o->rp.print.verbose++; break;
		case 'S': o->rp.print.absolute_seq = 1; break;
		case 't': pf.t++; break;
		case 'x': pf.x++; break;
		case 'X': pf.X++; break;
		case 'A': pf.A++; break;
		case OPT_NANO: o->rp.precision = 1; break;
		case OPT_MICRO: o->rp.precision = 0; break;
		case OPT_PRECISION: rc = parse_precision(optarg, o); break;
		case 'i': case 'D': case 'B': case 'p': case 'Q': case 'U': case 'l':
		case CAP_OPT_LOCK: case CAP_OPT_FANOUT: case CAP_OPT_ATTACH:
		case CAP_OPT_EBPF:
			rc = cli_capture_opt(&o->cap, c, optarg);
			break;
		case 'h': compile_usage(stdout); *done = 1; return 0;
		default: compile_usage(stderr); return CLI_EXIT_USAGE;
		}
	}
	if (rc == 0)
		rc = print_setup(&pf, o);
	return rc ? rc : check_mode(o);
}

/* tcpdump -F: '#' starts a comment to the end of the line (blanked, so offsets stay). */
static void blank_comments(char *s)
{
	int in_comment = 0;

	for (; *s; s++) {
		if (*s == '#')
			in_comment = 1;
		else if (*s == '\n')
			in_comment = 0;
		if (in_comment)
			*s = ' ';
	}
}

static int load_expression(const struct compile_opts *o, int argc, char **argv, char **expr,
			   size_t *len)
{
	int rc;

	if (o->file) {
		rc = cli_read_file(o->file, expr, len);
		if (rc < 0) {
			cli_error("%s: %s", o->file, strerror(-rc));
			return CLI_EXIT_FAIL;
		}
		blank_comments(*expr);
		return 0;
	}
	*expr = cli_join_words(argv + optind, argc - optind);
	if (!*expr) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	*len = strlen(*expr);
	return 0;
}

static int report(const char *name, const char *expr, size_t len, int rc, const struct fg_diag *d)
{
	if (rc == -ENOMEM) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	cli_print_expr_diag(stderr, name, expr, len, d);
	return CLI_EXIT_FAIL;
}

/* -r with -d: compile for the file's (first interface's) link type, as tcpdump does. */
static int file_linktype(struct compile_opts *o)
{
	struct cap_file *f = NULL;
	struct cap_iface ifc;
	char err[512] = "";

	if (cap_file_open(o->rp.input, &f, err, sizeof(err)) < 0) {
		cli_error("%s: %s", o->rp.input, err[0] ? err : "out of memory");
		return CLI_EXIT_FAIL;
	}
	if (cap_file_iface(f, 0, &ifc) == 0) {
		o->fg.linktype = ifc.dlt;
		if (!o->rp.snaplen_set)
			o->fg.snaplen = ifc.snaplen;
	}
	cap_file_close(f);
	return 0;
}

int cmd_compile(int argc, char **argv)
{
	struct compile_opts o;
	struct cbpf_insn *prog = NULL;
	struct fg_diag diag;
	char *expr = NULL, *text = NULL;
	const char *name;
	size_t len = 0, n = 0;
	int rc, done = 0;

	memset(&o, 0, sizeof(o));
	fg_compile_opts_init(&o.fg);
	cap_print_opts_init(&o.rp.print);
	o.rp.precision = -1;
	o.rp.progress = -1;
	optind = 1;
	rc = parse_args(argc, argv, &o, &done);
	if (rc || done)
		return rc;
	if (o.cap.list)
		return cli_list_ifaces();
	rc = load_expression(&o, argc, argv, &expr, &len);
	if (rc)
		return rc;
	name = o.file ? o.file : "expression";
	if (o.rp.input && !o.dflag && !o.dump_ir) {
		o.rp.fg = o.fg;
		rc = cli_replay(&o.rp, expr, len, name);
		free(expr);
		return rc;
	}
	if (o.cap.iface && !o.dflag && !o.dump_ir) {
		o.rp.fg = o.fg;
		rc = cli_capture(&o.cap, &o.rp, expr, len, name);
		free(expr);
		return rc;
	}
	if (o.cap.iface && (rc = cli_capture_compile_opts(o.cap.iface, &o.fg)) != 0) {
		free(expr);
		return rc;
	}
	if (o.rp.input && (rc = file_linktype(&o)) != 0) {
		free(expr);
		return rc;
	}
	memset(&diag, 0, sizeof(diag));
	if (o.dump_ir) {
		rc = fg_compile_ir(expr, len, &o.fg, &text, &diag);
		if (rc == 0)
			fputs(text, stdout);
	} else {
		rc = fg_compile(expr, len, &o.fg, &prog, &n, &diag);
		if (rc == 0)
			rc = cbpf_disasm(prog, n, (enum cbpf_format)(o.dflag - 1), &text);
		if (rc == 0)
			fputs(text, stdout);
	}
	rc = rc ? report(name, expr, len, rc, &diag) : CLI_EXIT_OK;
	cbpf_free(text);
	cbpf_free(prog);
	free(expr);
	return rc;
}
