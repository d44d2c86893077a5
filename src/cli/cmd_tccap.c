/*
 * cmd_tccap.c -- pfc -i IFACE --attach tc --ebpf: capture at the TC hooks
 * through a BPF ring buffer.
 *
 * The expression, compiled for the link type the hooks see, becomes one
 * eBPF capture program per hook (ebt_capture_program: filter, then copy
 * the header and up to the snap length into the ring, always
 * TC_ACT_UNSPEC), attached direct-action on the clsact qdisc with pfc's
 * handle tag.  Records are read from the mapped ring and written with the
 * pcap writer or printed, time stamps moved from CLOCK_MONOTONIC to the
 * real-time clock by the offset measured at start.
 * Keeps true: SIGINT and SIGTERM arrive through a signalfd (no global
 * state); on every exit the filters and the qdisc pfc created are removed
 * and the statistics come last.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_attach.h"
#include "ebpf_translate.h"

struct tccap {
	const struct capture_opts *c;
	const struct replay_opts *o;
	int dlt;
	int map, drops, sigfd;	/* ring buffer, drop counter (maps), signals */
	struct ebt_ring *ring;
	uint32_t ring_size;
	struct cap_tc_filter filters[2];
	int nfilters;
	struct cap_writer *w;
	struct cap_print_opts po;
	char *line;
	size_t line_size;
	int64_t offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	unsigned long long captured, received;
	int stop, status;
};

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The ring buffer's size: -B KiB rounded up to a power of two, 4 MiB by default. */
static uint32_t ring_size(const struct capture_opts *c)
{
	uint64_t want = c->buffer_kib ? (uint64_t)c->buffer_kib << 10 : 4u << 20;
	uint32_t sz = 1u << 16;

	while (sz < want && sz < (1u << 30))
		sz <<= 1;
	return sz;
}

/* One hook: the capture program, loaded and attached by fd. */
static int attach_hook(struct tccap *t, const struct cbpf_insn *prog, size_t n,
		       enum cap_tc_hook hook)
{
	struct cap_tc_opts to;
	struct ebt_insn *ins = NULL;
	struct ebt_diag diag;
	uint32_t snap = t->o->fg.snaplen < 65535 ? t->o->fg.snaplen : 65535;
	char *log = calloc(1, 65536), err[512] = "";
	size_t ni = 0;
	int rc, fd = -1;

	memset(&diag, 0, sizeof(diag));
	rc = log ? ebt_capture_program(prog, n, snap, t->map, t->drops, hook == CAP_TC_INGRESS ?
				       EBT_CAP_INGRESS : EBT_CAP_EGRESS, &ins, &ni, &diag) : -ENOMEM;
	if (rc < 0)
		cli_error("the eBPF capture program: %s", diag.msg[0] ? diag.msg : strerror(-rc));
	if (rc == 0 && (fd = ebt_prog_load(ins, ni, EBT_TARGET_TC, log, 65536)) < 0) {
		cli_error("BPF_PROG_LOAD of the capture program (%zu eBPF instructions): %s%s", ni,
			  strerror(-fd), log[0] ? "; the verifier's log:" : "");
		fputs(log, stderr);
		rc = fd;
	}
	if (rc == 0) {
		cap_tc_opts_init(&to);
		to.action = CAP_TC_PASS;	/* direct-action; the program returns TC_ACT_UNSPEC */
		to.prog_fd = fd;
		to.prog_name = "pfc_capture";
		rc = cap_tc_attach(t->c->iface, hook, NULL, 0, &to, &t->filters[t->nfilters],
				   err, sizeof(err));
		if (rc < 0)
			cli_error("%s: cannot capture at the TC hook: %s", t->c->iface, err);
		else
			t->nfilters++;
	}
	if (fd >= 0)
		close(fd);
	ebt_free(ins);
	free(log);
	return rc < 0 ? CLI_EXIT_FAIL : 0;
}

static int open_output(struct tccap *t)
{
	/* DLT_RAW's file link type is LINKTYPE_RAW; the ring buffer keeps at most 65535 bytes */
	return cli_capture_output(t->c, t->o, (uint32_t)(t->dlt == 12 ? 101 : t->dlt),
				  t->o->fg.snaplen < 65535 ? t->o->fg.snaplen : 65535,
				  t->o->precision == 1 ? CAP_PRECISION_NANO : CAP_PRECISION_MICRO,
				  &t->po, &t->w);
}

static int set_up(struct tccap *t, const char *expr, size_t len, const char *name)
{
	struct cbpf_insn *prog = NULL;
	size_t n = 0;
	int rc = cli_tap_linktype(t->c->iface, &t->dlt);

	if (rc == 0)
		rc = cli_capture_compile(t->o, t->dlt, expr, len, name, &prog, &n);
	t->ring_size = ring_size(t->c);
	if (rc == 0 && (t->map = ebt_ringbuf_create(t->ring_size)) < 0) {
		cli_error("cannot create the BPF ring buffer (%u bytes): %s", t->ring_size,
			  strerror(-t->map));
		rc = CLI_EXIT_FAIL;
	}
	if (rc == 0 && (t->drops = ebt_counter_create()) < 0) {
		cli_error("cannot create the BPF drop counter: %s", strerror(-t->drops));
		rc = CLI_EXIT_FAIL;
	}
	if (rc == 0 && (rc = ebt_ring_open(t->map, t->ring_size, &t->ring)) < 0) {
		cli_error("cannot map the BPF ring buffer: %s", strerror(-rc));
		t->ring = NULL;
		rc = CLI_EXIT_FAIL;
	}
	if (rc == 0 && t->c->direction != CAP_DIR_OUT)
		rc = attach_hook(t, prog, n, CAP_TC_INGRESS);
	if (rc == 0 && t->c->direction != CAP_DIR_IN)
		rc = attach_hook(t, prog, n, CAP_TC_EGRESS);
	cbpf_free(prog);
	return rc ? rc : open_output(t);
}

/* ---- reading -------------------------------------------------------------- */

static int print_pkt(struct tccap *t, const struct cap_pkt *pkt)
{
	size_t need = CAP_PRINT_BUFSIZE(pkt->caplen);
	int n;

	if (need > t->line_size) {
		char *l = realloc(t->line, need);

		if (!l)
			return -ENOMEM;
		t->line = l;
		t->line_size = need;
	}
	n = cap_print_pkt(&t->po, pkt, t->dlt, t->line, t->line_size);
	if (n > 0 && (fwrite(t->line, 1, (size_t)n, stdout) != (size_t)n || ferror(stdout)))
		return -errno;
	return 0;
}

static int take(void *ud, const struct ebt_cap_hdr *h, const uint8_t *data)
{
	struct tccap *t = ud;
	struct cap_pkt pkt;
	int64_t ns = (int64_t)h->tstamp_ns + t->offset_ns;
	int rc;

	t->received++;
	if (t->stop)
		return 0;
	memset(&pkt, 0, sizeof(pkt));
	pkt.data = data;
	pkt.caplen = h->caplen;
	pkt.wirelen = h->wirelen;
	pkt.ts_sec = ns / 1000000000;
	pkt.ts_nsec = (uint32_t)(ns % 1000000000);
	pkt.ts_usec = pkt.ts_nsec / 1000;
	pkt.linktype = t->dlt;
	rc = t->w ? cap_writer_write(t->w, &pkt, pkt.caplen) : print_pkt(t, &pkt);
	if (rc < 0) {
		if (rc != -EPIPE || t->w)
			cli_error("%s: %s", t->w ? t->o->output : "standard output",
				  t->w ? cap_writer_error(t->w) : strerror(-rc));
		t->status = rc == -EPIPE && !t->w ? t->status : CLI_EXIT_FAIL;
		t->stop = 1;
		return 0;
	}
	if (++t->captured == t->o->count)
		t->stop = 1;
	return 0;
}

static void flush(struct tccap *t)
{
	if (t->w && cap_writer_flush(t->w) < 0 && t->status == CLI_EXIT_OK) {
		cli_error("%s: %s", t->o->output, cap_writer_error(t->w));
		t->status = CLI_EXIT_FAIL;
		t->stop = 1;
	} else if (!t->w && fflush(stdout) != 0 && errno != EPIPE && t->status == CLI_EXIT_OK) {
		cli_error("standard output: %s", strerror(errno));
		t->status = CLI_EXIT_FAIL;
		t->stop = 1;
	} else if (!t->w && ferror(stdout)) {
		t->stop = 1;	/* the reader went away */
	}
}

static void run(struct tccap *t)
{
	struct pollfd p[2] = { { ebt_ring_fd(t->ring), POLLIN, 0 }, { t->sigfd, POLLIN, 0 } };

	while (!t->stop) {
		if (ebt_ring_consume(t->ring, take, t) > 0 || t->stop) {
			if (t->c->unbuffered || t->stop)
				flush(t);
			continue;
		}
		flush(t);	/* the ring is dry: what was read reaches the file now */
		if (poll(p, 2, -1) < 0 && errno != EINTR) {
			cli_error("poll: %s", strerror(errno));
			t->status = CLI_EXIT_FAIL;
			break;
		}
		if (p[1].revents & POLLIN)
			break;
	}
}

/*
 * tcpdump's three lines: records read from the ring, plus those the ring
 * had no room for (counted by the programs), are what the filter accepted.
 */
static void print_stats(const struct tccap *t)
{
	uint64_t dropped = 0;
	unsigned long long received;

	if (t->drops >= 0 && ebt_counter_read(t->drops, &dropped) < 0)
		dropped = 0;
	received = t->received + dropped;
	fprintf(stderr, "%llu packet%s captured\n", t->captured, t->captured == 1 ? "" : "s");
	fprintf(stderr, "%llu packet%s received by filter\n", received, received == 1 ? "" : "s");
	fprintf(stderr, "%llu packet%s dropped by kernel\n", (unsigned long long)dropped,
		dropped == 1 ? "" : "s");
}

static int finish(struct tccap *t, int status, int stats)
{
	char err[512] = "";

	while (t->nfilters > 0) {
		t->nfilters--;
		if (cap_tc_detach_filter(t->c->iface, &t->filters[t->nfilters], err,
					 sizeof(err)) < 0) {
			cli_error("removing the capture filter: %s", err);
			status = CLI_EXIT_FAIL;
		}
	}
	if (t->w && cap_writer_close(t->w, err, sizeof(err)) < 0) {
		cli_error("%s: %s", t->o->output, err);
		status = CLI_EXIT_FAIL;
	}
	if (!t->w && fflush(stdout) != 0 && errno != EPIPE && status == CLI_EXIT_OK) {
		cli_error("standard output: %s", strerror(errno));
		status = CLI_EXIT_FAIL;
	}
	if (stats)
		print_stats(t);
	if (t->ring)
		ebt_ring_close(t->ring);
	if (t->map >= 0)
		close(t->map);
	if (t->drops >= 0)
		close(t->drops);
	if (t->sigfd >= 0)
		close(t->sigfd);
	cap_print_state_free(t->po.state);
	free(t->line);
	return status;
}

int cli_capture_tc_ebpf(const struct capture_opts *c, const struct replay_opts *o,
			const char *expr, size_t len, const char *name)
{
	struct tccap t;
	sigset_t set;
	int rc;

	memset(&t, 0, sizeof(t));
	t.c = c;
	t.o = o;
	t.map = -1;
	t.drops = -1;
	/* SIGINT and SIGTERM are read from a descriptor from now on: set-up is never cut short */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	t.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (t.sigfd < 0) {
		cli_error("signalfd: %s", strerror(errno));
		return finish(&t, CLI_EXIT_FAIL, 0);
	}
	rc = set_up(&t, expr, len, name);
	if (rc)
		return finish(&t, rc, 0);
	t.offset_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	fprintf(stderr, "pfc: listening on %s (TC hook, eBPF ring buffer), link-type %s (%s), "
		"snapshot length %u bytes\n", c->iface,
		fg_linktype_name(t.dlt) ? fg_linktype_name(t.dlt) : "?",
		t.dlt == 12 ? "Raw IP" : "Ethernet", o->fg.snaplen < 65535 ? o->fg.snaplen : 65535);
	run(&t);
	return finish(&t, t.status, 1);
}
