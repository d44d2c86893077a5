/*
 * cmd_trace.c -- `pfc trace -r FILE [-p N | --nomatch] (EXPRESSION | --asm PROG)`:
 * the debugger bpf_dbg meant to be.
 *
 * Picks one packet of a capture file (number N, or the first the filter
 * matches, or with --nomatch the first it rejects), prints it as tcpdump
 * does, then every instruction the filter executes on it: the listing line
 * (tcpdump -d), A and X after it, the packet bytes it loaded, the scratch
 * word it wrote, where a jump went, and the verdict.  Expressions are
 * compiled for the packet's own link type, as pfc -r compiles them.
 * Keeps true: the verdict printed is cbpf_vm_run's (the two are compared,
 * a difference is reported as an internal error); exit status 0 only when
 * a packet was traced.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "filtergen.h"

struct trace_opts {
	const char *input, *asm_file;
	unsigned long long pkt_no;	/* -p: 1-based; 0 = search */
	int nomatch;
	uint32_t snaplen;
	int snaplen_set;
	char *expr;
	size_t len;
};

/* The program for one link type (compiled on first use) or the --asm one. */
struct trace_prog {
	struct cbpf_insn *insns;
	size_t n;
	struct cbpf_vm *vm;
	int dlt;
};

struct trace_run {
	const struct trace_opts *o;
	struct trace_prog progs[8];
	size_t nprogs;
	const uint8_t *pkt;
	unsigned long steps;
};

static void trace_usage(FILE *out)
{
	fputs("usage: pfc trace -r FILE [-p N | --nomatch] [-s SNAPLEN] (EXPRESSION ... | --asm PROG)\n"
	      "Run a filter on one packet of FILE (pcap or pcapng) and print every\n"
	      "instruction executed: the instruction, A and X after it, the packet bytes\n"
	      "loaded, the scratch word written, the jump taken, and the verdict.\n"
	      "  -p N        packet number N (1 is the first)\n"
	      "  (default)   the first packet the filter matches\n"
	      "  --nomatch   the first packet the filter rejects\n"
	      "  --asm PROG  a program file (bpf_asm syntax or tcpdump -d/-dd/-ddd output)\n"
	      "              instead of an expression (- is standard input)\n", out);
}

static int load_asm(const char *path, struct trace_prog *p)
{
	struct cbpf_diag diag;
	char *src;
	size_t len;
	int rc = cli_read_file(path, &src, &len);

	if (rc < 0) {
		cli_error("%s: %s", path, strerror(-rc));
		return -1;
	}
	memset(&diag, 0, sizeof(diag));
	rc = cbpf_asm(src, len, CBPF_SYNTAX_AUTO, &p->insns, &p->n, NULL, &diag);
	if (rc < 0) {
		if (rc == -EINVAL)
			cli_print_source_diag(stderr, path, src, len, &diag);
		else
			cli_error("%s: %s", path, strerror(-rc));
		free(src);
		return -1;
	}
	free(src);
	rc = cbpf_vm_new(p->insns, p->n, 0, &p->vm);
	if (rc < 0) {
		cli_error("%s: the program cannot run: %s (check it with pfc asm)", path,
			  strerror(-rc));
		return -1;
	}
	return 0;
}

static struct trace_prog *compile_for(struct trace_run *t, const struct cap_iface *ifc)
{
	struct fg_compile_opts fg;
	struct trace_prog *p;
	struct fg_diag diag;
	size_t i;
	int rc;

	for (i = 0; i < t->nprogs; i++)
		if (t->progs[i].dlt == ifc->dlt)
			return &t->progs[i];
	if (t->nprogs == sizeof(t->progs) / sizeof(t->progs[0])) {
		cli_error("too many link types in the file");
		return NULL;
	}
	p = &t->progs[t->nprogs];
	fg_compile_opts_init(&fg);
	fg.linktype = ifc->dlt;
	fg.savefile = 1;
	fg.swapped = ifc->swapped;
	fg.snaplen = t->o->snaplen_set ? t->o->snaplen : ifc->snaplen;
	memset(&diag, 0, sizeof(diag));
	rc = fg_compile(t->o->expr, t->o->len, &fg, &p->insns, &p->n, &diag);
	if (rc < 0) {
		if (rc == -ENOMEM)
			cli_error("out of memory");
		else
			cli_print_expr_diag(stderr, "expression", t->o->expr, t->o->len, &diag);
		return NULL;
	}
	if ((rc = cbpf_vm_new(p->insns, p->n, 0, &p->vm)) < 0) {
		cli_error("cannot run the program: %s", strerror(-rc));
		cbpf_free(p->insns);
		return NULL;
	}
	p->dlt = ifc->dlt;
	t->nprogs++;
	return p;
}

static void print_step(void *ctx, const struct cbpf_step *s)
{
	struct trace_run *t = ctx;
	char img[96], col[128];
	uint32_t i;
	size_t n = 0;

	cbpf_insn_image(&s->insn, s->pc, img, sizeof(img));
	for (i = 0; img[i] && n < sizeof(col) - 9; i++) {	/* tabs to stops of 8 */
		if (img[i] != '\t')
			col[n++] = img[i];
		else
			do col[n++] = ' '; while (n % 8);
	}
	col[n] = '\0';
	printf("%-48s A=0x%08x X=0x%08x", col, s->a, s->x);
	if (s->load) {
		printf("  pkt[%u:%u]=", s->load_off, s->load_len);
		for (i = 0; i < s->load_len; i++)
			printf("%02x", t->pkt[s->load_off + i]);
	}
	if (s->mem >= 0)
		printf("  M[%d]=0x%08x", s->mem, s->mem_value);
	if (s->done)
		printf("  => %u%s%s", s->verdict, s->why ? ": " : "", s->why ? s->why : "");
	else if (BPF_CLASS(s->insn.code) == BPF_JMP)
		printf("  -> %03u", s->next);
	putchar('\n');
	t->steps++;
}

static int trace_packet(struct trace_run *t, const struct trace_prog *p, const struct cap_pkt *pkt,
			unsigned long long no, uint32_t want)
{
	struct cap_print_opts po;
	char *line = malloc(CAP_PRINT_BUFSIZE(pkt->caplen));
	uint32_t verdict = 0;

	if (!line) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	cap_print_opts_init(&po);
	cap_print_pkt(&po, pkt, pkt->linktype, line, CAP_PRINT_BUFSIZE(pkt->caplen));
	printf("packet %llu of %s: %u of %u bytes captured, link type %d\n%s", no, t->o->input,
	       pkt->caplen, pkt->wirelen, pkt->linktype, line);
	free(line);
	t->pkt = pkt->data;
	cbpf_trace(p->insns, p->n, 0, pkt->data, pkt->wirelen, pkt->caplen, NULL, print_step, t,
		   &verdict);
	if (verdict != want) {
		cli_error("internal error: the tracer says %u, the interpreter %u", verdict, want);
		return CLI_EXIT_FAIL;
	}
	if (verdict)
		printf("verdict: %u (match: keep %u of %u bytes) after %lu instructions\n", verdict,
		       verdict < pkt->caplen ? verdict : pkt->caplen, pkt->caplen, t->steps);
	else
		printf("verdict: 0 (no match) after %lu instructions\n", t->steps);
	return CLI_EXIT_OK;
}

static int run_trace(struct trace_run *t, struct cap_file *f)
{
	unsigned long long no = 0;
	struct cap_pkt pkt;
	int rc;

	while ((rc = cap_file_next(f, &pkt)) == 1) {
		struct trace_prog *p = t->o->asm_file ? &t->progs[0] : NULL;
		struct cap_iface ifc;
		uint32_t v;

		no++;
		if (t->o->pkt_no && no != t->o->pkt_no)
			continue;
		if (!p) {
			if (cap_file_iface(f, pkt.iface, &ifc) < 0 || !(p = compile_for(t, &ifc)))
				return CLI_EXIT_FAIL;
		}
		v = cbpf_vm_run(p->vm, pkt.data, pkt.wirelen, pkt.caplen, NULL);
		if (t->o->pkt_no || (v != 0) != t->o->nomatch)
			return trace_packet(t, p, &pkt, no, v);
	}
	if (rc < 0) {
		cli_error("%s: %s", t->o->input, cap_file_error(f));
		return CLI_EXIT_FAIL;
	}
	if (t->o->pkt_no)
		cli_error("%s has %llu packets, not %llu", t->o->input, no, t->o->pkt_no);
	else
		cli_error("%s: none of the %llu packets %s", t->o->input, no,
			  t->o->nomatch ? "is rejected by the filter" : "matches the filter");
	return CLI_EXIT_FAIL;
}

static int parse_trace_args(int argc, char **argv, struct trace_opts *o)
{
	static const struct option longopts[] = {
		{ "asm", required_argument, NULL, 'a' },
		{ "nomatch", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+r:p:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->input = optarg; break;
		case 'a': o->asm_file = optarg; break;
		case 'N': o->nomatch = 1; break;
		case 'p':
			o->pkt_no = strtoull(optarg, &end, 10);
			if (*optarg == '-' || *end || o->pkt_no == 0) {
				cli_error("invalid packet number '%s' (1 is the first)", optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 's':
			o->snaplen = (uint32_t)strtoul(optarg, &end, 0);
			if (*end || !*optarg) {
				cli_error("invalid snap length '%s'", optarg);
				return CLI_EXIT_USAGE;
			}
			o->snaplen_set = 1;
			break;
		case 'h': trace_usage(stdout); return -1;
		default: trace_usage(stderr); return CLI_EXIT_USAGE;
		}
	}
	if (!o->input || (o->pkt_no && o->nomatch) || (o->asm_file && optind < argc)) {
		trace_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* Join the expression words with spaces, as tcpdump does. */
static int join_expr(int argc, char **argv, struct trace_opts *o)
{
	size_t len = 1;
	int i;

	for (i = optind; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (!(o->expr = malloc(len)))
		return -1;
	o->expr[0] = '\0';
	for (i = optind; i < argc; i++) {
		if (i > optind)
			strcat(o->expr, " ");
		strcat(o->expr, argv[i]);
	}
	o->len = strlen(o->expr);
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	struct trace_opts o;
	struct trace_run t;
	struct cap_file *f = NULL;
	char err[512] = "";
	size_t i;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&t, 0, sizeof(t));
	t.o = &o;
	rc = parse_trace_args(argc, argv, &o);
	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (join_expr(argc, argv, &o) < 0) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	rc = CLI_EXIT_FAIL;
	if (o.asm_file) {
		if (load_asm(o.asm_file, &t.progs[0]) < 0)
			goto out;
		t.nprogs = 1;
	}
	if (cap_file_open(o.input, &f, err, sizeof(err)) < 0) {
		cli_error("%s: %s", o.input, err[0] ? err : "out of memory");
		goto out;
	}
	rc = run_trace(&t, f);
out:
	if (fflush(stdout) != 0 && rc == CLI_EXIT_OK) {
		cli_error("standard output: %s", strerror(errno));
		rc = CLI_EXIT_FAIL;
	}
	for (i = 0; i < sizeof(t.progs) / sizeof(t.progs[0]); i++) {
		cbpf_vm_free(t.progs[i].vm);
		cbpf_free(t.progs[i].insns);
	}
	cap_file_close(f);
	free(o.expr);
	return rc;
}
