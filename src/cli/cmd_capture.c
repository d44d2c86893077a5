/*
 * cmd_capture.c -- live capture as tcpdump does it:
 *   pfc -i IFACE [-w FILE] [-c N] [-s SNAPLEN] [-B KiB] [-p] [-Q in|out|inout]
 *       [-U] [-l] [--lock] [--fanout N] [EXPRESSION]
 *   pfc -D
 *
 * The expression is compiled by pfc for the interface's link type (cooked
 * LINUX_SLL2 for "any") and handed to the capture module, which attaches it
 * before the socket sees a packet.  Packets are written to a pcap file
 * (batched, flushed whenever the ring runs dry, so within a few ms) or
 * printed one line each.  --fanout N runs N threads, one ring each, in a
 * PACKET_FANOUT group; they share the output under one lock taken per block.
 *
 * Keeps true: on -c, SIGINT or SIGTERM everything read is written, the file
 * is closed whole, and the statistics come last on stderr in tcpdump's
 * words; any failure makes the exit status non-zero and says what to do.
 * A filter the kernel refuses is an error: pfc never captures unfiltered.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "capture.h"
#include "cli.h"
#include "cmd_attach.h"
#include "cmd_capture.h"

#define MAX_FANOUT 64

/*
 * The only mutable globals of pfc: a signal handler reaches nothing else.
 * It raises the flag and wakes every ring's poll through the eventfd.
 */
static int sig_fd = -1;
static volatile sig_atomic_t sig_seen;

static void on_signal(int sig)
{
	uint64_t one = 1;
	ssize_t r;

	(void)sig;
	sig_seen = 1;
	r = write(sig_fd, &one, sizeof(one));
	(void)r;
}

struct session {
	const struct capture_opts *c;
	const struct replay_opts *o;
	struct cap_ifinfo ifc;
	struct cap_ring *rings[MAX_FANOUT];
	unsigned nrings;
	struct cap_writer *w;
	pthread_mutex_t lock;		/* the output and the counters */
	unsigned long long captured;
	int stop;			/* count reached or an error: every worker ends */
	int status;
	int stopfd;
	enum cap_precision prec;
	struct cap_print_opts po;	/* printing (no -w): tcpdump's flags, the TCP/delta state */
	char *pline;			/* its line buffer (under the lock), CAP_PRINT_BUFSIZE */
	size_t pline_size;
	struct cap_tc_tap *tap;		/* --attach tc: the capture point, removed at the end */
	const char *shown;		/* the interface named in messages (the tapped one) */
	struct cli_ebpf_sock *eb;	/* --attach ebpf: the socket filter's verifier log */
};

struct worker {
	struct session *s;
	struct cap_ring *r;
	pthread_t tid;
};

/* ---- options ------------------------------------------------------------- */

static int parse_ulong(const char *s, unsigned long max, const char *what, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	if (*s == '\0' || *s == '-' || *end != '\0' || errno || *v == 0 || *v > max) {
		cli_error("invalid %s '%s'", what, s);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

int cli_capture_opt(struct capture_opts *c, int opt, const char *arg)
{
	unsigned long v;
	int rc;

	switch (opt) {
	case 'i': c->iface = arg; return 0;
	case 'D': c->list = 1; return 0;
	case 'p': c->no_promisc = 1; return 0;
	case 'U': c->unbuffered = 1; return 0;
	case 'l': c->line_buffered = 1; return 0;
	case CAP_OPT_LOCK: c->lock = 1; return 0;
	case CAP_OPT_ATTACH: return cli_attach_parse(c, arg);
	case CAP_OPT_EBPF: c->ebpf = 1; return 0;
	case 'B':
		rc = parse_ulong(arg, 1ul << 24, "buffer size (KiB)", &v);
		c->buffer_kib = v;
		return rc;
	case CAP_OPT_FANOUT:
		rc = parse_ulong(arg, MAX_FANOUT, "fanout thread count (1 to 64)", &v);
		c->fanout = (unsigned)v;
		return rc;
	case 'Q':
		if (strcmp(arg, "in") == 0 || strcmp(arg, "out") == 0 || strcmp(arg, "inout") == 0) {
			c->direction = arg[0] == 'o' ? CAP_DIR_OUT : arg[2] ? CAP_DIR_INOUT : CAP_DIR_IN;
			return 0;
		}
		cli_error("invalid direction '%s' (in, out or inout)", arg);
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_USAGE;
}

/* ---- interfaces ----------------------------------------------------------- */

static const char *dlt_description(int dlt)
{
	switch (dlt) {
	case 1: return "Ethernet";
	case 12: return "Raw IP";
	case 276: return "Linux cooked v2";
	default: return "?";
	}
}

int cli_list_ifaces(void)
{
	struct cap_ifinfo *v;
	size_t n, i;
	int rc = cap_iface_list(&v, &n);

	if (rc < 0) {
		cli_error("cannot list the interfaces: %s", strerror(-rc));
		return CLI_EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		int any = v[i].ifindex == 0;

		printf("%zu.%s%s [%s%s%s]\n", i + 1, v[i].name,
		       any ? " (Pseudo-device that captures on all interfaces)" : "",
		       v[i].loopback ? "Loopback, " : "", v[i].up ? "Up" : "Down",
		       v[i].running ? ", Running" : "");
	}
	free(v);
	return CLI_EXIT_OK;
}

/* A number given to -i is a position in pfc -D's list (as tcpdump takes it). */
static int by_number(const char *s, struct cap_ifinfo *out)
{
	struct cap_ifinfo *v;
	size_t n;
	char *end;
	unsigned long k = strtoul(s, &end, 10);

	if (*s < '1' || *s > '9' || *end != '\0' || cap_iface_list(&v, &n) < 0)
		return -ENODEV;
	if (k > n) {
		free(v);
		return -ENODEV;
	}
	*out = v[k - 1];
	free(v);
	return 0;
}

static int find_iface(const char *name, struct cap_ifinfo *ifc)
{
	int rc = cap_iface_info(name, ifc);

	if (rc == -ENODEV && by_number(name, ifc) == 0)
		rc = 0;
	if (rc == -ENODEV)
		cli_error("%s: no such interface (pfc -D lists them)", name);
	else if (rc < 0)
		cli_error("%s: %s", name, strerror(-rc));
	return rc < 0 ? CLI_EXIT_FAIL : 0;
}

int cli_capture_compile_opts(const char *iface, struct fg_compile_opts *fg)
{
	struct cap_ifinfo ifc;
	int rc = find_iface(iface, &ifc);

	if (rc)
		return rc;
	fg->linktype = ifc.dlt;
	fg->linux_ext = 1;	/* a live Linux socket: ancillary loads, as libpcap compiles */
	fg->savefile = 0;
	return 0;
}

/* ---- errors -------------------------------------------------------------- */

static long read_optmem_max(void)
{
	FILE *f = fopen("/proc/sys/net/core/optmem_max", "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* The kernel charges the translated program (several eBPF words per instruction). */
static void explain_optmem(size_t insns)
{
	long cur = read_optmem_max();
	long want = (long)insns * 64 + 65536;

	if (cur > 0 && want <= cur)
		want = 2 * cur;
	want = (want + 65535) / 65536 * 65536;
	cli_error("the kernel could not charge the filter (%zu instructions) to the socket: its "
		  "option memory limit net.core.optmem_max is %ld bytes", insns, cur);
	fprintf(stderr, "pfc: raise it, for instance: sysctl -w net.core.optmem_max=%ld\n", want);
}

static void explain(const struct session *s, int rc, const struct cap_ring_err *e)
{
	const char *name = s->shown;

	if (e->step == CAP_STEP_FILTER && s->eb && s->eb->log[0]) {
		cli_error("the kernel's verifier refused the eBPF socket filter (%s); its log:",
			  e->msg);
		fputs(s->eb->log, stderr);
		return;
	}
	if (rc == -EPERM || rc == -EACCES) {
		cli_error("%s: you don't have permission to capture on that device (%s)", name, e->msg);
		fputs("pfc: capturing needs CAP_NET_RAW: run as root, or grant it with\n"
		      "pfc:   setcap cap_net_raw,cap_net_admin=eip \"$(command -v pfc)\"\n", stderr);
	} else if (rc == -ENETDOWN) {
		cli_error("%s: the interface is down (bring it up: ip link set %s up)", name, name);
	} else if (rc == -ENODEV || rc == -ENXIO) {
		cli_error("%s: no such interface (pfc -D lists them)", name);
	} else if (e->step == CAP_STEP_FILTER && rc == -ENOMEM) {
		explain_optmem(e->insns);
	} else if (e->step == CAP_STEP_FILTER && rc == -EINVAL) {
		cli_error("the kernel refused the filter (%zu instructions; at most 4096): %s",
			  e->insns, e->msg);
	} else if (e->step == CAP_STEP_RING && rc == -ENOMEM) {
		cli_error("%s: cannot allocate the capture ring (%s); try a smaller -B", name, e->msg);
	} else {
		cli_error("%s: %s", name, e->msg[0] ? e->msg : strerror(-rc));
	}
}

/* ---- setting up ---------------------------------------------------------- */

int cli_capture_compile(const struct replay_opts *o, int dlt, const char *expr, size_t len,
			const char *name, struct cbpf_insn **prog, size_t *n)
{
	struct fg_compile_opts fg = o->fg;
	struct fg_diag diag;
	int rc;

	fg.linktype = dlt;
	fg.linux_ext = 1;
	fg.savefile = 0;
	memset(&diag, 0, sizeof(diag));
	rc = fg_compile(expr, len, &fg, prog, n, &diag);
	if (rc == -ENOMEM)
		cli_error("out of memory");
	else if (rc < 0)
		cli_print_expr_diag(stderr, name, expr, len, &diag);
	return rc < 0 ? CLI_EXIT_FAIL : 0;
}

static int open_rings(struct session *s, const struct cbpf_insn *prog, size_t n)
{
	struct cap_ring_opts ro;
	struct cap_ring_err e;
	unsigned i, want = s->c->fanout ? s->c->fanout : 1;
	int rc;

	cap_ring_opts_init(&ro);
	ro.snaplen = s->o->fg.snaplen;
	if (s->c->buffer_kib)
		ro.buffer_size = (size_t)s->c->buffer_kib << 10;
	if (ro.buffer_size < 2 * (size_t)ro.block_size)
		ro.block_size = 1u << 16;	/* small -B: smaller blocks, still at least two */
	ro.promisc = !s->c->no_promisc;
	/* on a tap every frame is a match, whichever way it went on the tapped device */
	ro.direction = s->tap ? CAP_DIR_INOUT : (enum cap_direction)s->c->direction;
	ro.lock = s->c->lock;
	if (s->eb) {
		ro.attach = cli_ebpf_sock_attach;
		ro.attach_ud = s->eb;
	}
	if (s->c->fanout)
		ro.fanout_group = (uint16_t)(getpid() & 0xffff) | 1;
	for (i = 0; i < want; i++) {
		rc = cap_ring_open(&s->ifc, prog, n, &ro, &s->rings[i], &e);
		if (rc < 0) {
			explain(s, rc, &e);
			return CLI_EXIT_FAIL;
		}
		s->nrings++;
	}
	return 0;
}

int cli_capture_output(const struct capture_opts *c, const struct replay_opts *o,
		       uint32_t linktype, uint32_t snaplen, enum cap_precision prec,
		       struct cap_print_opts *po, struct cap_writer **w)
{
	struct cap_writer_opts wo;
	char err[256] = "";
	int rc;

	*po = o->print;
	po->precision = prec;
	if (!o->output) {
		po->state = cap_print_state_new();
		if (!po->state) {
			cli_error("out of memory");
			return CLI_EXIT_FAIL;
		}
		if (c->line_buffered)
			setvbuf(stdout, NULL, _IOLBF, 0);
		return 0;
	}
	cap_writer_opts_init(&wo);
	wo.linktype = linktype;
	wo.snaplen = snaplen;
	wo.precision = prec;
	rc = cap_writer_open(o->output, &wo, w, err, sizeof(err));
	if (rc < 0) {
		cli_error("%s: %s", o->output, rc == -ENOMEM ? "out of memory" : err);
		return CLI_EXIT_FAIL;
	}
	return 0;
}

static int open_output(struct session *s)
{
	return cli_capture_output(s->c, s->o, s->ifc.linktype, s->o->fg.snaplen, s->prec,
				  &s->po, &s->w);
}

static int install_signals(struct session *s)
{
	struct sigaction sa;

	s->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->stopfd < 0) {
		cli_error("eventfd: %s", strerror(errno));
		return CLI_EXIT_FAIL;
	}
	sig_fd = s->stopfd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a reader that went away (pfc ... | head) ends the capture as tcpdump's does: EPIPE */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

/*
 * The filter where --attach puts it: on the socket (classic, or eBPF), or
 * at IFACE's TC hooks, the ring then reading the tap, where all is a match.
 */
static int set_up(struct session *s, const char *expr, size_t len, const char *name)
{
	static const struct cbpf_insn all = { BPF_RET | BPF_K, 0, 0, 0 };
	struct cbpf_insn *prog = NULL, ret_all = all;
	size_t n = 0;
	int rc, dlt;

	if (s->c->attach == CLI_ATTACH_TC) {
		rc = cli_tap_linktype(s->c->iface, &dlt);
		if (rc == 0)
			rc = cli_capture_compile(s->o, dlt, expr, len, name, &prog, &n);
		if (rc == 0)
			rc = cli_tap_open(s->c->iface, dlt, s->c->direction, prog, n, &s->tap,
					  &s->ifc);
		cbpf_free(prog);
		ret_all.k = s->o->fg.snaplen;
		return rc ? rc : open_rings(s, &ret_all, 1);
	}
	rc = find_iface(s->c->iface, &s->ifc);
	s->shown = s->ifc.name;
	if (rc == 0 && s->c->attach == CLI_ATTACH_EBPF && !(s->eb = calloc(1, sizeof(*s->eb)))) {
		cli_error("out of memory");
		rc = CLI_EXIT_FAIL;
	}
	if (rc == 0)
		rc = cli_capture_compile(s->o, s->ifc.dlt, expr, len, name, &prog, &n);
	if (rc == 0)
		rc = open_rings(s, prog, n);
	cbpf_free(prog);
	return rc;
}

/* ---- the capture loop ------------------------------------------------------- */

static void request_stop(struct session *s)
{
	uint64_t one = 1;
	ssize_t r;

	__atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
	r = write(s->stopfd, &one, sizeof(one));
	(void)r;
}

static int stopping(struct session *s)
{
	return sig_seen || __atomic_load_n(&s->stop, __ATOMIC_RELAXED);
}

static void output_failed(struct session *s, const char *what)
{
	if (errno == EPIPE && !s->w) {	/* the reader is gone: stop, as at SIGINT */
		request_stop(s);
		return;
	}
	if (s->status == CLI_EXIT_OK)
		cli_error("%s: %s", s->o->output ? s->o->output : "standard output", what);
	s->status = CLI_EXIT_FAIL;
	request_stop(s);
}

/*
 * Print one packet on standard output: the capture's one call of the
 * capture module's printer (the same as pfc -r uses).  0, or -1 with errno.
 */
static int print_pkt(struct session *s, const struct cap_pkt *pkt)
{
	size_t need = CAP_PRINT_BUFSIZE(pkt->caplen);
	int n;

	if (need > s->pline_size) {
		char *l = realloc(s->pline, need);

		if (!l) {
			errno = ENOMEM;
			return -1;
		}
		s->pline = l;
		s->pline_size = need;
	}
	n = cap_print_pkt(&s->po, pkt, pkt->linktype, s->pline, s->pline_size);
	if (n <= 0)
		return 0;
	/* a failed flush of a line-buffered stdout (EPIPE) shows only in ferror */
	return fwrite(s->pline, 1, (size_t)n, stdout) == (size_t)n && !ferror(stdout) ? 0 : -1;
}

/* One packet (the lock held): 0, or 1 to stop reading. */
static int take(struct session *s, const struct cap_pkt *pkt)
{
	if (s->stop || (s->o->count && s->captured >= s->o->count))
		return 1;
	if (s->w) {
		if (cap_writer_write(s->w, pkt, pkt->caplen) < 0) {
			output_failed(s, cap_writer_error(s->w));
			return 1;
		}
	} else if (print_pkt(s, pkt) < 0) {
		output_failed(s, strerror(errno));
		return 1;
	}
	if (++s->captured == s->o->count) {
		request_stop(s);
		return 1;
	}
	return 0;
}

static void flush_output(struct session *s)
{
	if (s->w) {
		if (cap_writer_flush(s->w) < 0 && s->status == CLI_EXIT_OK)
			output_failed(s, cap_writer_error(s->w));
	} else if (fflush(stdout) != 0 && s->status == CLI_EXIT_OK) {
		output_failed(s, strerror(errno));
	}
}

/* Read blocks as the kernel hands them over; the lock is taken per block. */
static void drain(struct worker *k)
{
	struct session *s = k->s;
	struct cap_pkt pkt;

	while (!stopping(s) && cap_ring_block(k->r) == 1) {
		pthread_mutex_lock(&s->lock);
		while (cap_ring_next(k->r, &pkt) == 1)
			if (take(s, &pkt))
				break;
		if (s->c->unbuffered)
			flush_output(s);
		pthread_mutex_unlock(&s->lock);
	}
}

static void *run_worker(void *arg)
{
	struct worker *k = arg;
	struct session *s = k->s;
	int rc;

	for (;;) {
		drain(k);
		pthread_mutex_lock(&s->lock);
		flush_output(s);	/* the ring is dry: what was read reaches the file now */
		pthread_mutex_unlock(&s->lock);
		if (stopping(s))
			return NULL;
		rc = cap_ring_wait(k->r, s->stopfd, -1);
		if (rc < 0) {
			pthread_mutex_lock(&s->lock);
			if (s->status == CLI_EXIT_OK)
				cli_error("%s: %s", s->ifc.name, rc == -ENETDOWN ?
					  "the interface went down" : rc == -ENODEV || rc == -ENXIO ?
					  "the interface went away" : strerror(-rc));
			s->status = CLI_EXIT_FAIL;
			request_stop(s);
			pthread_mutex_unlock(&s->lock);
			return NULL;
		}
	}
}

/* Worker 0 runs on the main thread (which takes the signals); the others are threads. */
static void run_all(struct session *s, struct worker *k)
{
	sigset_t block, old;
	unsigned i, started = 1;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (i = 0; i < s->nrings; i++) {
		k[i].s = s;
		k[i].r = s->rings[i];
	}
	for (i = 1; i < s->nrings; i++, started++)
		if (pthread_create(&k[i].tid, NULL, run_worker, &k[i]) != 0) {
			cli_error("cannot start thread %u of --fanout", i + 1);
			s->status = CLI_EXIT_FAIL;
			request_stop(s);
			break;
		}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	run_worker(&k[0]);
	for (i = 1; i < started; i++)
		pthread_join(k[i].tid, NULL);
}

static void print_stats(struct session *s)
{
	struct cap_ring_stats st, sum = { 0, 0 };
	unsigned i;

	for (i = 0; i < s->nrings; i++)
		if (cap_ring_stats(s->rings[i], &st) == 0) {
			sum.received += st.received;
			sum.dropped += st.dropped;
		}
	fprintf(stderr, "%llu packet%s captured\n", s->captured, s->captured == 1 ? "" : "s");
	fprintf(stderr, "%llu packet%s received by filter\n", (unsigned long long)sum.received,
		sum.received == 1 ? "" : "s");
	fprintf(stderr, "%llu packet%s dropped by kernel\n", (unsigned long long)sum.dropped,
		sum.dropped == 1 ? "" : "s");
}

static int finish(struct session *s, int status, int stats)
{
	char err[256] = "";
	unsigned i;

	if (s->w && cap_writer_close(s->w, err, sizeof(err)) < 0) {
		cli_error("%s: %s", s->o->output, err);
		status = CLI_EXIT_FAIL;
	}
	if (!s->w && fflush(stdout) != 0 && status == CLI_EXIT_OK && errno != EPIPE) {
		cli_error("standard output: %s", strerror(errno));
		status = CLI_EXIT_FAIL;
	}
	if (stats)
		print_stats(s);
	for (i = 0; i < s->nrings; i++)
		cap_ring_close(s->rings[i]);
	if (cli_tap_close(s->tap) != 0)
		status = CLI_EXIT_FAIL;
	free(s->eb);
	if (s->stopfd >= 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		close(s->stopfd);
		sig_fd = -1;
	}
	cap_print_state_free(s->po.state);
	free(s->pline);
	pthread_mutex_destroy(&s->lock);
	return status;
}

int cli_capture(const struct capture_opts *c, const struct replay_opts *o, const char *expr,
		size_t len, const char *name)
{
	struct session s;
	struct worker *k;
	int rc;

	if (c->ebpf && c->attach != CLI_ATTACH_TC) {
		cli_error("--ebpf captures at the TC hook: give it with --attach tc");
		return CLI_EXIT_USAGE;
	}
	if (c->ebpf)
		return cli_capture_tc_ebpf(c, o, expr, len, name);
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.o = o;
	s.stopfd = -1;
	s.prec = o->precision == 1 ? CAP_PRECISION_NANO : CAP_PRECISION_MICRO;
	pthread_mutex_init(&s.lock, NULL);
	s.shown = c->iface;
	/* first: a SIGINT or SIGTERM during set-up still reaches the clean-up */
	rc = install_signals(&s);
	if (rc == 0)
		rc = set_up(&s, expr, len, name);
	if (rc == 0)
		rc = open_output(&s);
	k = rc == 0 ? calloc(s.nrings, sizeof(*k)) : NULL;
	if (rc == 0 && !k) {
		cli_error("out of memory");
		rc = CLI_EXIT_FAIL;
	}
	if (rc)
		return finish(&s, rc, 0);
	fprintf(stderr, "pfc: listening on %s%s, link-type %s (%s), snapshot length %u bytes\n",
		s.shown, s.tap ? " (TC hook)" : s.eb ? " (eBPF socket filter)" : "",
		fg_linktype_name(s.ifc.dlt) ? fg_linktype_name(s.ifc.dlt) : "?",
		dlt_description(s.ifc.dlt), o->fg.snaplen);
	run_all(&s, k);
	free(k);
	return finish(&s, s.status, 1);
}
