/*
 * ebpf_t.c -- the cBPF -> eBPF translator against its references.
 *
 *   corpus   expressions made up like tests/filtergen/diff_t.c compile
 *            (optimized and not), translate and load for socket, tc and
 *            XDP; BPF_PROG_TEST_RUN returns what cbpf_vm_run returns on
 *            every test packet (tc and XDP see the frame from L2, a socket
 *            filter under test-run from L3: the interpreter gets pkt + 14);
 *   random   valid random cBPF programs (tests/cbpf/randprog.h) do the same;
 *   live     on AF_UNIX datagram socketpairs, the kernel running the classic
 *            program (SO_ATTACH_FILTER) and ours (SO_ATTACH_BPF) deliver the
 *            same bytes, ancillary loads included;
 *   errors   ld #poff and friends fail with -EOPNOTSUPP and a message.
 * Where the kernel lets a socket filter read skb->data itself (ebt_kernel_probe),
 * every socket case runs a second time in that form ("socket direct").
 * Needs CAP_BPF (root): without it every case is skipped with the reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "corpus.h"
#include "ebpf_translate.h"
#include "filtergen.h"
#include "randprog.h"
#include "tap.h"

#define NTARGETS 3
#define SOCK_DIRECT 3	/* the fourth variant: a socket filter with kernel facts */
#define MAXPKTS 400

static struct ebt_kernel kern;
static int nvariants = NTARGETS;	/* 4 where the kernel allows direct reads */

static enum ebt_target variant_target(int v)
{
	return v == SOCK_DIRECT ? EBT_TARGET_SOCKET : (enum ebt_target)v;
}

static const char *variant_name(int v)
{
	return v == SOCK_DIRECT ? "socket direct" : ebt_target_name((enum ebt_target)v);
}

static const char *const prims[] = {
	"ip", "ip6", "arp", "tcp", "udp", "icmp", "icmp6", "sctp", "igmp", "vrrp", "stp",
	"host 198.18.0.1", "src host 198.18.0.2", "dst net 198.18.0.0/15", "net 10.0.0.0/8",
	"ip6 host 2001:2::1", "ip6 net 2001:2::/32", "ether host 02:00:5e:10:00:01",
	"ether broadcast", "ether multicast", "ip multicast", "port 53", "tcp port 80",
	"udp dst port 53", "portrange 1-1024", "tcp src portrange 40000-40010", "ip proto 17",
	"ip6 proto 58", "ether proto 0x88cc", "ip[9] = 6", "tcp[13] & 2 != 0", "len > 100",
	"ip[2:2] - 20 < 60", "udp[4:2] >= 16", "icmp[0] = 8", "ip6[6] == 17", "less 100",
	"greater 60", "vlan", "vlan 100", "mpls", "pppoes", "geneve", "ip[0] & 0xf > 5",
	"len * 2 / 3 % 7 = 1", "udp[8:2] ^ 0x1234 << 1 > 3", "-len + 1500 > 0",
	"tcp[tcpflags] & tcp-syn != 0", "ip[ip[0] & 0xf] > 3", "tcp[len % 7] = 1",
	"ip[2:2] / (ip[0] & 0xf) > 3", "ether[0] << ip[1] = 0", "len >> ip[8] = 1",
};

struct pkts {
	const uint8_t *data[MAXPKTS];
	uint32_t len[MAXPKTS];
	uint8_t skb_ok[MAXPKTS];	/* the skb test-run takes it */
	size_t n;
};

static uint64_t seed = 7;

static uint32_t rnd(uint32_t n)
{
	seed = seed * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(seed >> 33) % n;
}

static void gen_expr(char *buf, size_t size, int depth)
{
	uint32_t r = depth > 0 ? rnd(10) : 9;

	if (r < 4) {
		strncat(buf, "(", size - strlen(buf) - 1);
		gen_expr(buf, size, depth - 1);
		strncat(buf, r < 2 ? " and " : " or ", size - strlen(buf) - 1);
		gen_expr(buf, size, depth - 1);
		strncat(buf, ")", size - strlen(buf) - 1);
	} else if (r == 4) {
		strncat(buf, "not ", size - strlen(buf) - 1);
		gen_expr(buf, size, depth - 1);
	} else {
		strncat(buf, prims[rnd(sizeof(prims) / sizeof(prims[0]))], size - strlen(buf) - 1);
	}
}

/*
 * The skb test-run (tc, socket) refuses an IPv4 frame without a whole IPv4
 * header and an IPv6 one without a whole IPv6 header (it pulls them); XDP
 * takes every frame of 14 bytes or more.
 */
static int skb_takes(const uint8_t *d, uint32_t len)
{
	uint16_t type = (uint16_t)(d[12] << 8 | d[13]);

	return !((type == 0x0800 && len < 14 + 20) || (type == 0x86dd && len < 14 + 40));
}

/* Test packets: a sample of the Ethernet corpus (at least 14 bytes), plus made-up ones. */
static void pick_packets(struct pkts *p, const struct corpus *c)
{
	static uint8_t made[40][128];
	size_t i, step = c->n / (MAXPKTS - 40) + 1;

	p->n = 0;
	for (i = 0; i < c->n && p->n < MAXPKTS - 40; i += step) {
		if (c->p[i].caplen < 14)
			continue;
		p->data[p->n] = c->p[i].data;
		p->len[p->n] = c->p[i].caplen;
		p->skb_ok[p->n] = skb_takes(c->p[i].data, c->p[i].caplen);
		p->n++;
	}
	for (i = 0; i < 40; i++) {
		size_t j;

		for (j = 0; j < sizeof(made[i]); j++)
			made[i][j] = (uint8_t)rnd(256);
		made[i][12] = 0x08;
		made[i][13] = i & 1 ? 0x00 : 0xdd;
		made[i][14] = i & 1 ? 0x45 : 0x86;
		p->data[p->n] = made[i];
		p->len[p->n] = 14 + (uint32_t)(i * 3 % 114);
		p->skb_ok[p->n] = skb_takes(made[i], p->len[p->n]);
		p->n++;
	}
}

/* Load for the variant (a target, or SOCK_DIRECT); diag on failure. */
static int load_for(const struct cbpf_insn *prog, size_t n, int v, const char *what,
		    size_t *ne_out)
{
	static char log[1 << 16];
	enum ebt_target t = variant_target(v);
	struct ebt_opts o = { sizeof(o), t, EBT_ACTION_NONE, v == SOCK_DIRECT ? &kern : NULL };
	struct ebt_insn *e = NULL;
	struct ebt_diag d;
	size_t ne = 0;
	int fd, rc = ebt_translate(prog, n, &o, &e, &ne, &d, NULL);

	if (rc == -EOPNOTSUPP && t == EBT_TARGET_XDP && strstr(d.msg, "SKF_NET_OFF")) {
		tap_ok(1, "%s [%s]: refused: %s", what, variant_name(v), d.msg);
		return rc;
	}
	if (rc < 0) {
		tap_ok(0, "%s [%s]: translates", what, variant_name(v));
		tap_diag("  %d: insn %d: %s", rc, d.insn, d.msg);
		return rc;
	}
	fd = ebt_prog_load(e, ne, t, log, sizeof(log));
	if (fd < 0) {
		char *text = NULL;

		tap_ok(0, "%s [%s]: loads", what, variant_name(v));
		if (ebt_disasm(e, ne, &text) == 0)
			tap_diag("%s", text);
		tap_diag("%s", log);
		ebt_free(text);
	}
	ebt_free(e);
	if (ne_out)
		*ne_out = ne;
	return fd;
}

/* Test-run every packet; returns how many differ from the interpreter. */
static size_t compare(int fd, enum ebt_target t, const struct cbpf_vm *vm, const struct pkts *p,
		      size_t *first, uint32_t *got, uint32_t *want)
{
	struct cbpf_meta meta;
	size_t i, bad = 0;

	/* the reference program reads the whole frame; the network header follows Ethernet */
	memset(&meta, 0, sizeof(meta));
	meta.nh_off = 14;
	for (i = 0; i < p->n; i++) {
		uint32_t r = 0, w;

		if (t != EBT_TARGET_XDP && !p->skb_ok[i])
			continue;
		if (ebt_test_run(fd, p->data[i], p->len[i], 0, &r, NULL) < 0)
			r = 0xdeadbeef;
		w = cbpf_vm_run(vm, p->data[i], p->len[i], p->len[i], &meta);
		if (r != w && bad++ == 0) {
			*first = i;
			*got = r;
			*want = w;
		}
	}
	return bad;
}

/*
 * The reference program: what the interpreter (libpcap's semantics) must run
 * to give the kernel's answer on the whole frame.
 *  - ld [x + k]: the kernel loads at X + k mod 2^32 (classic and eBPF alike),
 *    libpcap returns 0 when X + k overflows: rewritten as
 *      stx M[t]; txa; add #k; tax; ld [x + shift]; ldx M[t]
 *    with t a scratch slot the program never uses;
 *  - shift = 14 for a socket filter, whose data starts at the network header
 *    under test-run: ld [k] reads frame[k + 14], ld len is 14 less
 *    (ld len; sub #14 -- ldx len: st M[t]; ld len; sub #14; tax; ld M[t]);
 *    SKF_LL_OFF and SKF_NET_OFF loads stay (mac header = frame, nh_off = 14).
 * Returns the new length, 0 when impossible (no free slot, a jump over 255).
 */
static size_t expand(const struct cbpf_insn *x, uint32_t t, uint32_t shift, struct cbpf_insn *o)
{
	int cls = BPF_CLASS(x->code), mode = BPF_MODE(x->code);

	if (cls == BPF_LD && mode == BPF_IND) {
		struct cbpf_insn seq[6] = {
			{ BPF_STX, 0, 0, t }, { BPF_MISC | BPF_TXA, 0, 0, 0 },
			{ BPF_ALU | BPF_ADD | BPF_K, 0, 0, x->k }, { BPF_MISC | BPF_TAX, 0, 0, 0 },
			{ x->code, 0, 0, shift }, { BPF_LDX | BPF_MEM, 0, 0, t },
		};

		if (o)
			memcpy(o, seq, sizeof(seq));
		return 6;
	}
	if (shift && cls == BPF_LD && mode == BPF_LEN) {
		struct cbpf_insn seq[2] = { *x, { BPF_ALU | BPF_SUB | BPF_K, 0, 0, shift } };

		if (o)
			memcpy(o, seq, sizeof(seq));
		return 2;
	}
	if (shift && cls == BPF_LDX && mode == BPF_LEN) {
		struct cbpf_insn seq[5] = {
			{ BPF_ST, 0, 0, t }, { BPF_LD | BPF_W | BPF_LEN, 0, 0, 0 },
			{ BPF_ALU | BPF_SUB | BPF_K, 0, 0, shift }, { BPF_MISC | BPF_TAX, 0, 0, 0 },
			{ BPF_LD | BPF_MEM, 0, 0, t },
		};

		if (o)
			memcpy(o, seq, sizeof(seq));
		return 5;
	}
	if (o) {
		*o = *x;
		if (((cls == BPF_LD && mode == BPF_ABS) || (cls == BPF_LDX && mode == BPF_MSH)) &&
		    (int32_t)x->k >= 0)
			o->k += shift;
	}
	return 1;
}

static size_t reference(const struct cbpf_insn *in, size_t n, uint32_t shift,
			struct cbpf_insn *out, size_t max)
{
	static size_t pos[CBPF_MAXINSNS + 1];
	size_t i, o = 0;
	unsigned used = 0;
	int t;

	for (i = 0; i < n; i++) {
		int cls = BPF_CLASS(in[i].code);

		if (cls == BPF_ST || cls == BPF_STX ||
		    ((cls == BPF_LD || cls == BPF_LDX) && BPF_MODE(in[i].code) == BPF_MEM))
			used |= 1u << (in[i].k & 15);
	}
	for (t = 15; t >= 0 && (used & (1u << t)); t--)
		;
	if (t < 0 || n > CBPF_MAXINSNS)
		return 0;
	for (i = 0; i <= n; i++) {
		pos[i] = o;
		if (i < n)
			o += expand(&in[i], (uint32_t)t, shift, NULL);
	}
	if (o > max)
		return 0;
	for (i = 0, o = 0; i < n; i++) {
		struct cbpf_insn x = in[i];

		if (BPF_CLASS(x.code) == BPF_JMP && BPF_OP(x.code) == BPF_JA) {
			x.k = (uint32_t)(pos[i + 1 + x.k] - pos[i] - 1);
		} else if (BPF_CLASS(x.code) == BPF_JMP) {
			size_t jt = pos[i + 1 + x.jt] - pos[i] - 1, jf = pos[i + 1 + x.jf] - pos[i] - 1;

			if (jt > 255 || jf > 255)
				return 0;
			x.jt = (uint8_t)jt;
			x.jf = (uint8_t)jf;
		}
		o += expand(&x, (uint32_t)t, shift, &out[o]);
	}
	return o;
}

/* Translate, load and test-run on all three targets. */
static void check_program(const struct cbpf_insn *prog, size_t n, const char *what,
			  const struct pkts *p)
{
	static struct cbpf_insn ref[CBPF_MAXINSNS];
	int t;

	for (t = 0; t < nvariants; t++) {
		size_t first = 0, bad, nref;
		uint32_t got = 0, want = 0;
		struct cbpf_vm *vm = NULL;
		int fd;

		nref = reference(prog, n, variant_target(t) == EBT_TARGET_SOCKET ? 14 : 0, ref,
				 CBPF_MAXINSNS);
		if (!nref) {
			tap_skip("%s [%s]: no scratch slot or room for the kernel's reference", what,
				 variant_name(t));
			continue;
		}
		if (cbpf_vm_new(ref, nref, 0, &vm) < 0) {
			tap_ok(0, "%s: the interpreter takes the reference", what);
			continue;
		}
		fd = load_for(prog, n, t, what, NULL);
		if (fd >= 0) {
			bad = compare(fd, variant_target(t), vm, p, &first, &got, &want);
			if (!tap_ok(bad == 0, "%s [%s]: same value as the interpreter on %zu packets",
				    what, variant_name(t), p->n)) {
				char *text = NULL;

				tap_diag("  %zu differ; first #%zu (%u bytes): got %u, want %u", bad,
					 first, p->len[first], got, want);
				if (getenv("EBPF_T_VERBOSE") &&
				    cbpf_disasm(prog, n, CBPF_FORMAT_D, &text) == 0)
					tap_diag("%s", text);
				cbpf_free(text);
			}
			close(fd);
		}
		cbpf_vm_free(vm);
	}
}

static void corpus_cases(const struct pkts *p, int count)
{
	struct fg_compile_opts o;
	int i, opt;

	fg_compile_opts_init(&o);
	for (i = 0; i < count; i++) {
		char expr[512] = "", what[600];
		struct cbpf_insn *prog = NULL;
		size_t n = 0;
		struct fg_diag d;

		gen_expr(expr, sizeof(expr), 3);
		for (opt = 1; opt >= 0; opt--) {
			o.optimize = opt;
			if (fg_compile(expr, strlen(expr), &o, &prog, &n, &d) < 0)
				break;	/* refused (e.g. rejects everything): not ours to test */
			snprintf(what, sizeof(what), "%s%s", opt ? "" : "-O ", expr);
			check_program(prog, n, what, p);
			cbpf_free(prog);
			prog = NULL;
		}
	}
}

static void random_cases(const struct pkts *p, int count)
{
	struct cbpf_insn prog[64];
	struct rp_rng r;
	int i;

	rp_seed(&r, 2024);
	for (i = 0; i < count; i++) {
		char what[64];
		size_t n = rp_program(&r, prog, 64, RP_VALID);

		snprintf(what, sizeof(what), "random program %d (%zu insns)", i, n);
		check_program(prog, n, what, p);
	}
}

/* ---- live: AF_UNIX socketpairs, SO_ATTACH_FILTER against SO_ATTACH_BPF ---- */

/* Ancillary values that differ between two runs, or that have no eBPF form. */
static int live_comparable(const struct cbpf_insn *prog, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int32_t a = (int32_t)prog[i].k - SKF_AD_OFF;

		if (prog[i].code == (BPF_ALU | BPF_LSH | BPF_X) ||
		    prog[i].code == (BPF_ALU | BPF_RSH | BPF_X))
			return 0;	/* the kernel's classic shift by >= 32 is the CPU's */
		if (BPF_CLASS(prog[i].code) == BPF_LD && BPF_MODE(prog[i].code) == BPF_ABS &&
		    (int32_t)prog[i].k < 0 && (a == SKF_AD_RANDOM || a == SKF_AD_CPU ||
					      a == SKF_AD_PAY_OFFSET || a == SKF_AD_NLATTR ||
					      a == SKF_AD_NLATTR_NEST || a == SKF_AD_HATYPE))
			return 0;
	}
	return 1;
}

/* Bytes the receiver got (-1: dropped). */
static long deliver(int tx, int rx, const uint8_t *d, size_t len)
{
	uint8_t buf[4096];
	long got;

	if (send(tx, d, len, 0) < 0)
		return -2;
	got = recv(rx, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	return got < 0 ? -1 : got;
}

static int live_one(const struct cbpf_insn *prog, size_t n, const char *what, int v,
		    const struct pkts *p)
{
	struct sock_fprog fp = { (unsigned short)n, (struct sock_filter *)(uintptr_t)prog };
	int a[2], b[2], fd, ok = 1;
	size_t i, bad = 0, first = 0;
	long ga = 0, gb = 0;

	fd = load_for(prog, n, v, what, NULL);
	if (fd < 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, a) < 0 || socketpair(AF_UNIX, SOCK_DGRAM, 0, b) < 0) {
		close(fd);
		return tap_ok(0, "%s: socketpair", what);
	}
	ok = setsockopt(a[1], SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) == 0 &&
	     ebt_attach_socket(b[1], fd) == 0;
	for (i = 0; ok && i < p->n; i++) {
		long x = deliver(a[0], a[1], p->data[i], p->len[i]);
		long y = deliver(b[0], b[1], p->data[i], p->len[i]);

		if (x != y && bad++ == 0)
			first = i, ga = x, gb = y;
	}
	if (!tap_ok(ok && bad == 0, "%s [%s]: SO_ATTACH_FILTER and SO_ATTACH_BPF deliver the same on %zu sends",
		    what, variant_name(v), p->n))
		tap_diag("  attached %d, %zu differ, first #%zu: classic %ld, ours %ld", ok, bad,
			 first, ga, gb);
	close(a[0]), close(a[1]), close(b[0]), close(b[1]);
	close(fd);
	return 1;
}

static void live_cases(const struct pkts *p, int count)
{
	struct cbpf_insn prog[48];
	struct rp_rng r;
	int i, done = 0;

	rp_seed(&r, 77);
	for (i = 0; done < count && i < count * 20; i++) {
		char what[64];
		size_t n = rp_program(&r, prog, 48, RP_VALID | RP_ANC);

		if (!live_comparable(prog, n))
			continue;
		snprintf(what, sizeof(what), "live random program %d (%zu insns)", i, n);
		done += live_one(prog, n, what, EBT_TARGET_SOCKET, p);
		if (nvariants > SOCK_DIRECT)
			live_one(prog, n, what, SOCK_DIRECT, p);
	}
}

/* ---- capture: the tc program that writes matches to a ring buffer ---- */

struct got {
	int n;
	struct ebt_cap_hdr h;
	uint8_t data[128];
};

static int take(void *ud, const struct ebt_cap_hdr *h, const uint8_t *data)
{
	struct got *g = ud;

	g->n++;
	g->h = *h;
	memcpy(g->data, data, h->caplen < sizeof(g->data) ? h->caplen : sizeof(g->data));
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One program, one frame: the verdict is TC_ACT_UNSPEC and the ring holds want_len bytes. */
static void capture_one(const char *name, const char *src, const uint8_t *frame, uint32_t len,
			uint32_t snap, int want_n, uint32_t want_cap)
{
	static char log[1 << 16];
	struct cbpf_insn *prog = NULL;
	struct ebt_insn *e = NULL;
	struct ebt_ring *ring = NULL;
	struct got g;
	size_t n = 0, ne = 0;
	uint32_t ret = 0;
	uint64_t t0;
	int map, fd = -1;

	memset(&g, 0, sizeof(g));
	map = ebt_ringbuf_create(1 << 16);
	if (!tap_ok(map >= 0 && cbpf_asm(src, strlen(src), CBPF_SYNTAX_AUTO, &prog, &n, NULL, NULL) == 0 &&
		    ebt_capture_program(prog, n, snap, map, -1, EBT_CAP_EGRESS, &e, &ne, NULL) == 0,
		    "capture %s: ring buffer and program", name))
		goto out;
	fd = ebt_prog_load(e, ne, EBT_TARGET_TC, log, sizeof(log));
	if (!tap_ok(fd >= 0, "capture %s: the verifier accepts it", name)) {
		tap_diag("%s", log);
		goto out;
	}
	t0 = mono_ns();
	tap_is_int(ebt_test_run(fd, frame, len, 0, &ret, NULL), 0, "capture %s: runs", name);
	tap_is_int(ret, (uint32_t)-1, "capture %s: returns TC_ACT_UNSPEC", name);
	tap_is_int(ebt_ring_open(map, 1 << 16, &ring), 0, "capture %s: ring mapped", name);
	if (!ring)
		goto out;
	tap_is_int(ebt_ring_consume(ring, take, &g), want_n, "capture %s: %d record(s)", name, want_n);
	if (want_n) {
		tap_is_int(g.h.wirelen, len, "capture %s: wire length", name);
		tap_is_int(g.h.caplen, want_cap, "capture %s: bytes kept", name);
		tap_is_int(g.h.ifindex, 1, "capture %s: ifindex (test-run: lo)", name);
		tap_is_int(g.h.direction, EBT_CAP_EGRESS, "capture %s: direction", name);
		tap_ok(g.h.tstamp_ns >= t0 && g.h.tstamp_ns <= mono_ns(), "capture %s: timestamp", name);
		tap_ok(memcmp(g.data, frame, want_cap) == 0, "capture %s: the bytes", name);
	}
	tap_is_int(ebt_ring_consume(ring, take, &g), 0, "capture %s: ring drained", name);
out:
	ebt_ring_close(ring);
	ebt_free(e);
	cbpf_free(prog);
	if (fd >= 0)
		close(fd);
	if (map >= 0)
		close(map);
}

/* A TCP/IPv4 SYN to port 80 behind Ethernet, 74 bytes. */
static const uint8_t syn80[74] = {
	0x02, 0, 0x5e, 0x10, 0, 1, 0x02, 0, 0x5e, 0x10, 0, 2, 0x08, 0x00,
	0x45, 0, 0, 60, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2,
	0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0xa0, 0x02, 0xfa, 0xf0, 0, 0, 0, 0,
	2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
};

static void capture_cases(void)
{
	static const char tcp80[] =
		"ldh [12]\njeq #0x800, ip, no\nip: ldb [23]\njeq #6, tcp, no\n"
		"tcp: ldxb 4*([14]&0xf)\nldh [x + 16]\njeq #80, yes, no\nyes: ret #262144\nno: ret #0\n";
	static const char tcp81[] =
		"ldh [12]\njeq #0x800, ip, no\nip: ldb [23]\njeq #6, tcp, no\n"
		"tcp: ldxb 4*([14]&0xf)\nldh [x + 16]\njeq #81, yes, no\nyes: ret #262144\nno: ret #0\n";

	capture_one("tcp port 80, snaplen 64", tcp80, syn80, sizeof(syn80), 64, 1, 64);
	capture_one("tcp port 80, snaplen 1500", tcp80, syn80, sizeof(syn80), 1500, 1, sizeof(syn80));
	capture_one("tcp port 81 (no match)", tcp81, syn80, sizeof(syn80), 64, 0, 0);
	capture_one("ret #20", "ret #20\n", syn80, sizeof(syn80), 64, 1, 20);
	capture_one("tcp port 80 on a SYN cut to 37 bytes (ldh [x + 16] out of range)", tcp80,
		    syn80, 37, 64, 0, 0);
	capture_one("snaplen 65535 > ring (no room)", tcp80, syn80, sizeof(syn80), 65535, 0, 0);
}

/* Any program, valid or not: the translator refuses exactly what the validator refuses. */
static void invalid_cases(int count)
{
	struct cbpf_insn prog[48];
	struct rp_rng r;
	int i, bad = 0, refused = 0;

	rp_seed(&r, 99);
	for (i = 0; i < count; i++) {
		size_t n = rp_program(&r, prog, 48, RP_ANC), ne = 0;
		int valid = cbpf_validate(prog, n, CBPF_FLAVOR_SOCKET, NULL) == 0, t;

		for (t = 0; t < NTARGETS; t++) {
			struct ebt_opts o = { sizeof(o), (enum ebt_target)t, EBT_ACTION_NONE, NULL };
			struct ebt_insn *e = NULL;
			struct ebt_diag d;
			int rc = ebt_translate(prog, n, &o, &e, &ne, &d, NULL);

			refused += !valid;
			if (valid ? !(rc == 0 || rc == -EOPNOTSUPP) : rc != -EINVAL) {
				if (bad++ == 0)
					tap_diag("  program %d [%s]: valid %d, rc %d (%s)", i,
						 ebt_target_name((enum ebt_target)t), valid, rc, d.msg);
			}
			ebt_free(e);
		}
	}
	tap_ok(bad == 0 && refused > 0,
	       "%d random programs x 3 targets: -EINVAL exactly for the %d invalid ones", count,
	       refused / NTARGETS);
}

static void error_cases(void)
{
	static const struct {
		uint32_t k;
		enum ebt_target t;
		const char *msg;
	} cases[] = {
		{ SKF_AD_OFF + SKF_AD_PAY_OFFSET, EBT_TARGET_SOCKET, "ld #poff has no eBPF equivalent" },
		{ SKF_AD_OFF + SKF_AD_NLATTR, EBT_TARGET_TC, "ld #nla/#nlan has no eBPF equivalent" },
		{ SKF_AD_OFF + SKF_AD_HATYPE, EBT_TARGET_SOCKET, "ld #hatype has no eBPF equivalent" },
		{ SKF_AD_OFF + SKF_AD_PROTOCOL, EBT_TARGET_XDP,
		  "this ancillary load needs an sk_buff, which XDP does not have" },
		{ (uint32_t)SKF_NET_OFF + 9, EBT_TARGET_XDP,
		  "XDP has no network header offset (SKF_NET_OFF load)" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cbpf_insn prog[2] = { { BPF_LD | BPF_W | BPF_ABS, 0, 0, cases[i].k },
					     { BPF_RET | BPF_A, 0, 0, 0 } };
		struct ebt_opts o = { sizeof(o), cases[i].t, EBT_ACTION_NONE, NULL };
		struct ebt_insn *e = NULL;
		struct ebt_diag d;
		size_t ne = 0;
		int rc = ebt_translate(prog, 2, &o, &e, &ne, &d, NULL);

		tap_is_int(rc, -EOPNOTSUPP, "error case %zu: -EOPNOTSUPP", i);
		tap_is_str(d.msg, cases[i].msg, "error case %zu: message", i);
		tap_is_int(d.insn, 0, "error case %zu: names instruction 0", i);
		ebt_free(e);
	}
}

/*
 * With --action, a load out of range is a non-match like any other: the
 * hook's non-match verdict, never the 0 of the verifier's LD_ABS/LD_IND exit
 * (TC_ACT_OK on tc, "drop" on a socket).  X comes from tax, so the loads stay
 * indirect: LD_IND or, in the direct socket form, its out-of-line fallback.
 */
static void action_cases(void)
{
	static const uint32_t want[NTARGETS + 1][2][2] = {	/* [variant][drop?][match?] */
		[EBT_TARGET_SOCKET] = { { 0, 0xffffffffu }, { 0xffffffffu, 0 } },
		[EBT_TARGET_TC] = { { 0xffffffffu, 0 }, { 0xffffffffu, 2 } },
		[EBT_TARGET_XDP] = { { 1, 2 }, { 2, 1 } },
		[SOCK_DIRECT] = { { 0, 0xffffffffu }, { 0xffffffffu, 0 } },
	};
	int v, drop, match;

	for (v = 0; v < nvariants; v++)
		for (drop = 0; drop < 2; drop++)
			for (match = 0; match < 2; match++) {
				struct cbpf_insn prog[4] = {
					{ BPF_LD | BPF_IMM, 0, 0, match ? 20 : 200 },
					{ BPF_MISC | BPF_TAX, 0, 0, 0 },
					{ BPF_LD | BPF_H | BPF_IND, 0, 0, 0 },
					{ BPF_RET | BPF_K, 0, 0, 1 },
				};
				struct ebt_opts o = { sizeof(o), variant_target(v),
						      drop ? EBT_ACTION_DROP : EBT_ACTION_PASS,
						      v == SOCK_DIRECT ? &kern : NULL };
				struct ebt_insn *e = NULL;
				size_t ne = 0;
				uint32_t ret = 0x12345678;
				int fd = -1;

				if (ebt_translate(prog, 4, &o, &e, &ne, NULL, NULL) == 0)
					fd = ebt_prog_load(e, ne, variant_target(v), NULL, 0);
				if (fd >= 0)
					ebt_test_run(fd, syn80, sizeof(syn80), 0, &ret, NULL);
				tap_is_int(ret, want[v][drop][match],
					   "--action %s [%s]: ldh [x + 0] with x = %d: the %s verdict",
					   drop ? "drop" : "pass", variant_name(v), match ? 20 : 200,
					   match ? "match" : "non-match");
				if (fd >= 0)
					close(fd);
				ebt_free(e);
			}
}

/* A program the verifier refuses: the error and its log come back. */
static void refusal_case(void)
{
	static const struct ebt_insn bad[] = { { 0x95 /* exit */, 0, 0, 0, 0 } };
	static char log[4096];
	int fd = ebt_prog_load(bad, 1, EBT_TARGET_SOCKET, log, sizeof(log));

	tap_is_int(fd, -EACCES, "a program exiting with r0 unset: refused with -EACCES");
	if (!tap_ok(strstr(log, "0: (95) exit") && strstr(log, "R0 !read_ok"),
		    "the refusal's verifier log names the instruction and the reason"))
		tap_diag("%s", log);
}

int main(void)
{
	static const struct cbpf_insn probe[] = { { BPF_RET | BPF_K, 0, 0, 1 } };
	struct pkts p;
	const struct corpus *c = corpus_for(1 /* DLT_EN10MB */);
	int fd;

	error_cases();
	invalid_cases(2000);
	fd = load_for(probe, 1, EBT_TARGET_SOCKET, "probe", NULL);
	if (fd == -EPERM || fd == -EACCES) {
		tap_skip("cannot load eBPF here (%s): needs CAP_BPF", strerror(-fd));
		return tap_done();
	}
	if (fd >= 0)
		close(fd);
	fd = ebt_kernel_probe(&kern);
	if (fd == 0)
		nvariants = NTARGETS + 1;
	else
		tap_skip("socket filters reading skb->data directly: %s on this kernel",
			 strerror(-fd));
	refusal_case();
	action_cases();
	pick_packets(&p, c);
	tap_diag("%zu test packets (%zu in the Ethernet corpus)", p.n, c->n);
	corpus_cases(&p, getenv("EBPF_T_EXPRS") ? atoi(getenv("EBPF_T_EXPRS")) : 120);
	random_cases(&p, 400);
	live_cases(&p, 150);
	capture_cases();
	return tap_done();
}
