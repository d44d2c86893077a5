/*
 * cmd_replay.c -- offline replay: run a filter compiled by pfc's own
 * compiler over a capture file, as `tcpdump -r FILE [-w OUT] [-c N] EXPR`.
 *
 * One program per (link type, snap length) of the file's interfaces,
 * compiled when its first packet arrives.  A matching record is cut to the
 * filter's return value, as the kernel cuts it live, and written to a pcap
 * file or printed on standard output as tcpdump -n prints it (the text is
 * formatted by the capture library into a buffer, written through one
 * large stdio buffer).  On a terminal, a long file shows its progress on
 * stderr.  Keeps true: records before a bad
 * one in the input are processed; any input, compile or write error makes
 * the exit status non-zero and names the problem; the counts line comes last.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "cli.h"
#include "cmd_replay.h"

/* A compiled program and the (link type, snap length) it was compiled for. */
struct prog {
	int dlt;
	uint32_t snaplen;
	int swapped;
	struct cbpf_vm *vm;
};

struct replay {
	const struct replay_opts *o;
	const char *expr, *name;
	size_t len;
	struct cap_file *f;
	struct cap_writer *w;
	uint32_t out_linktype;
	struct prog *progs;	/* distinct programs */
	size_t nprogs;
	struct cbpf_vm **by_if;	/* per interface index, NULL until its first packet */
	uint32_t nby_if;
	struct cap_print_opts po;
	char *line;		/* the printed text of one packet */
	size_t line_size;
	/* progress: shown when total > 0 */
	uint64_t total;
	struct timespec start, last;
	int shown;
};

static int compile_for(struct replay *r, const struct cap_iface *ifc, struct cbpf_vm **out)
{
	struct fg_compile_opts fg = r->o->fg;
	struct cbpf_insn *insns = NULL;
	struct fg_diag diag;
	struct prog *p;
	size_t n = 0, i;
	int rc;

	fg.linktype = ifc->dlt;
	fg.savefile = 1;	/* libpcap compiles for a pcap_open_offline handle */
	fg.swapped = ifc->swapped;
	if (!r->o->snaplen_set)
		fg.snaplen = ifc->snaplen;	/* what tcpdump's pcap_compile gets for a file */
	for (i = 0; i < r->nprogs; i++)
		if (r->progs[i].dlt == fg.linktype && r->progs[i].snaplen == fg.snaplen &&
		    r->progs[i].swapped == fg.swapped) {
			*out = r->progs[i].vm;
			return 0;
		}
	memset(&diag, 0, sizeof(diag));
	rc = fg_compile(r->expr, r->len, &fg, &insns, &n, &diag);
	if (rc < 0) {
		if (rc == -ENOMEM)
			cli_error("out of memory");
		else
			cli_print_expr_diag(stderr, r->name, r->expr, r->len, &diag);
		return -1;
	}
	p = realloc(r->progs, (r->nprogs + 1) * sizeof(*p));
	if (p)
		r->progs = p;
	rc = p ? cbpf_vm_new(insns, n, 0, out) : -ENOMEM;
	cbpf_free(insns);
	if (rc < 0) {
		cli_error("cannot run the program: %s", strerror(-rc));
		return -1;
	}
	r->progs[r->nprogs++] = (struct prog){ fg.linktype, fg.snaplen, fg.swapped, *out };
	return 0;
}

/* The program for a packet's interface (compiled on first use). */
static struct cbpf_vm *vm_for(struct replay *r, uint32_t idx)
{
	struct cap_iface ifc;

	if (idx >= r->nby_if) {
		uint32_t n = idx + 16;
		struct cbpf_vm **v = realloc(r->by_if, n * sizeof(*v));

		if (!v) {
			cli_error("out of memory");
			return NULL;
		}
		memset(v + r->nby_if, 0, (n - r->nby_if) * sizeof(*v));
		r->by_if = v;
		r->nby_if = n;
	}
	if (r->by_if[idx])
		return r->by_if[idx];
	if (cap_file_iface(r->f, idx, &ifc) < 0)
		return NULL;
	if (r->w && ifc.linktype != r->out_linktype) {
		cli_error("%s: interface %u has link type %u, the output file %u: a pcap file holds "
			  "one link type (tcpdump -w fails the same way)", r->o->input, idx,
			  ifc.linktype, r->out_linktype);
		return NULL;
	}
	if (compile_for(r, &ifc, &r->by_if[idx]) < 0)
		return NULL;
	return r->by_if[idx];
}

/* The output file, described by the input's first interface. */
static int open_writer(struct replay *r)
{
	struct cap_writer_opts wo;
	struct cap_iface ifc;
	char err[256] = "";
	int rc;

	cap_writer_opts_init(&wo);
	if (cap_file_iface(r->f, 0, &ifc) < 0) {
		cli_error("%s: no interface in the file", r->o->input);
		return -1;
	}
	wo.linktype = r->out_linktype = ifc.linktype;
	wo.snaplen = r->o->snaplen_set ? r->o->fg.snaplen : ifc.snaplen;
	wo.precision = r->o->precision >= 0 ? (enum cap_precision)r->o->precision : ifc.precision;
	rc = cap_writer_open(r->o->output, &wo, &r->w, err, sizeof(err));
	if (rc < 0) {
		cli_error("%s: %s", r->o->output, rc == -ENOMEM ? "out of memory" : err);
		return -1;
	}
	return 0;
}

static int print_pkt(struct replay *r, const struct cap_pkt *pkt, uint32_t keep)
{
	struct cap_pkt cut = *pkt;
	size_t need;
	int n;

	if (cut.caplen > keep)
		cut.caplen = keep;
	need = CAP_PRINT_BUFSIZE(cut.caplen);
	if (need > r->line_size) {
		char *l = realloc(r->line, need);

		if (!l) {
			cli_error("out of memory");
			return -1;
		}
		r->line = l;
		r->line_size = need;
	}
	n = cap_print_pkt(&r->po, &cut, pkt->linktype, r->line, r->line_size);
	if (n <= 0)
		return 0;
	if ((size_t)n >= r->line_size) {	/* cannot happen: the size covers any text */
		n = (int)r->line_size - 1;
		r->line[n - 1] = '\n';
	}
	if (fwrite(r->line, 1, (size_t)n, stdout) != (size_t)n) {
		cli_error("standard output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int emit(struct replay *r, const struct cap_pkt *pkt, uint32_t keep)
{
	if (r->w) {
		if (cap_writer_write(r->w, pkt, keep) == 0)
			return 0;
		cli_error("%s: %s", r->o->output, cap_writer_error(r->w));
		return -1;
	}
	return print_pkt(r, pkt, keep);
}

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* "pfc: 42% of 812 MB, 1530 MB/s" on stderr, rewritten in place 4 times a second. */
static void progress(struct replay *r, int done)
{
	struct timespec now;
	uint64_t off = cap_file_offset(r->f);
	double t;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!done && since(&r->last, &now) < 0.25)
		return;
	r->last = now;
	if (done) {
		if (r->shown)
			fputs("\r\033[K", stderr);
		return;
	}
	t = since(&r->start, &now);
	fprintf(stderr, "\rpfc: %3.0f%% of %.0f MB, %.0f MB/s\033[K",
		100.0 * (double)off / (double)r->total, (double)r->total / 1e6,
		t > 0 ? (double)off / 1e6 / t : 0.0);
	r->shown = 1;
}

/* Progress is shown on a terminal for a regular file of 64 MB or more. */
static void progress_init(struct replay *r)
{
	struct stat st;
	int on = r->o->progress;

	if (on < 0)
		on = isatty(STDERR_FILENO) && (r->w || !isatty(STDOUT_FILENO));
	if (!on || strcmp(r->o->input, "-") == 0 || stat(r->o->input, &st) != 0 ||
	    !S_ISREG(st.st_mode) || (r->o->progress < 0 && st.st_size < (64 << 20)))
		return;
	r->total = (uint64_t)st.st_size;
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	r->last = r->start;
}

static int run(struct replay *r, unsigned long long *seen, unsigned long long *matched)
{
	struct cap_pkt pkt;
	int rc;

	while ((rc = cap_file_next(r->f, &pkt)) == 1) {
		struct cbpf_vm *vm = pkt.iface < r->nby_if && r->by_if[pkt.iface] ?
				     r->by_if[pkt.iface] : vm_for(r, pkt.iface);
		uint32_t keep;

		if (!vm)
			return CLI_EXIT_FAIL;
		++*seen;
		keep = cbpf_vm_run(vm, pkt.data, pkt.wirelen, pkt.caplen, NULL);
		if (!keep)
			continue;
		++*matched;
		if (emit(r, &pkt, keep) < 0)
			return CLI_EXIT_FAIL;
		if (r->o->count && *matched == r->o->count)
			return CLI_EXIT_OK;
		if (r->total && (*seen & 4095) == 0)
			progress(r, 0);
	}
	if (r->total)
		progress(r, 1);
	if (rc < 0) {
		fflush(stdout);	/* the packets before the error come first */
		cli_error("%s: %s", r->o->input, cap_file_error(r->f));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

static int setup_printing(struct replay *r)
{
	static char obuf[1 << 18];

	r->po = r->o->print;
	r->po.precision = r->o->precision == 1 ? CAP_PRECISION_NANO : CAP_PRECISION_MICRO;
	r->po.state = cap_print_state_new();
	if (!r->po.state) {
		cli_error("out of memory");
		return -1;
	}
	/* batched writes; a terminal keeps line buffering, as tcpdump's output does */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	return 0;
}

static int finish(struct replay *r, int status)
{
	char err[256] = "";
	size_t i;

	if (r->w && cap_writer_close(r->w, err, sizeof(err)) < 0) {
		cli_error("%s: %s", r->o->output, err);
		status = CLI_EXIT_FAIL;
	}
	if (!r->w && fflush(stdout) != 0) {
		cli_error("standard output: %s", strerror(errno));
		status = CLI_EXIT_FAIL;
	}
	for (i = 0; i < r->nprogs; i++)
		cbpf_vm_free(r->progs[i].vm);
	free(r->progs);
	free(r->by_if);
	free(r->line);
	cap_print_state_free(r->po.state);
	cap_file_close(r->f);
	return status;
}

int cli_replay(const struct replay_opts *o, const char *expr, size_t len, const char *name)
{
	struct replay r;
	unsigned long long seen = 0, matched = 0;
	char err[512] = "";
	int status;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.expr = expr;
	r.len = len;
	r.name = name;
	if (cap_file_open(o->input, &r.f, err, sizeof(err)) < 0) {
		cli_error("%s: %s", o->input, err[0] ? err : "out of memory");
		return CLI_EXIT_FAIL;
	}
	/* tcpdump rejects a bad expression before reading a packet */
	if (!vm_for(&r, 0))
		return finish(&r, CLI_EXIT_FAIL);
	if (o->output && open_writer(&r) < 0)
		return finish(&r, CLI_EXIT_FAIL);
	if (!o->output && setup_printing(&r) < 0)
		return finish(&r, CLI_EXIT_FAIL);
	progress_init(&r);
	status = run(&r, &seen, &matched);
	status = finish(&r, status);
	fprintf(stderr, "%llu packets read, %llu matched\n", seen, matched);
	return status;
}
