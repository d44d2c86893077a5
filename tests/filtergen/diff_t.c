/*
 * diff_t.c -- the filter compiler against libpcap on expressions this test
 * makes up: random and/or/not combinations of primitives, for each link
 * type pfc describes.
 *
 * For every expression both compilers must agree on accepting it, and where
 * both do, pfc's program and libpcap's unoptimized one must give the same
 * verdict on every packet of that link type's corpus (the conformance rule:
 * a difference counts unless one program stopped at an out-of-range load).
 * pfc's optimized program is held to the same rule against that same
 * unoptimized libpcap program, so every optimizer pass is checked here too.
 * One TAP line per expression; deterministic (fixed seed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "filtergen.h"
#include "tap.h"

static const char *const prim_ether[] = {
	"ip", "ip6", "arp", "rarp", "tcp", "udp", "icmp", "icmp6", "sctp", "igmp", "pim",
	"vrrp", "ah", "esp", "stp", "ipx", "atalk", "aarp", "decnet", "iso", "isis", "clnp",
	"l1", "llc", "llc u", "host 198.18.0.1", "src host 198.18.0.2", "dst net 198.18.0.0/15",
	"net 10.0.0.0/8", "ip6 host 2001:2::1", "ip6 net 2001:2::/32", "arp host 198.18.0.2",
	"ether host 02:00:5e:10:00:01", "ether src 02:00:5e:10:00:02", "ether broadcast",
	"ether multicast", "ip multicast", "ip6 multicast", "port 53", "tcp port 80",
	"udp dst port 53", "portrange 1-1024", "sctp port 9", "tcp src portrange 40000-40010",
	"ip proto 17", "ip6 proto 58", "proto 6", "ether proto 0x88cc", "ip[9] = 6",
	"tcp[13] & 2 != 0", "len > 100", "ip[2:2] - 20 < 60", "udp[4:2] >= 16", "icmp[0] = 8",
	"ip6[6] == 17", "ether[0] & 1 = 1", "less 100", "greater 60", "vlan", "vlan 100",
	"mpls", "pppoes", "pppoed", "geneve", "byte 9 = 6", "tcp[tcpflags] & tcp-syn != 0",
	"icmp[icmptype] == icmp-echo", "ip[0] & 0xf > 5", "len * 2 / 3 % 7 = 1",
	"decnet host 1.1", "udp[8:2] ^ 0x1234 << 1 > 3", "-len + 1500 > 0",
	/* whole /8 and /16 blocks, masks of a field's high or low bytes, equality chains */
	"net 198.0.0.0/8 or net 10.1.0.0/16", "ip[12:4] & 0xffff0000 = 0xc6120000",
	"ip[16:4] & 0xffff = 1", "ip6 net 2001::/16", "ip proto 17 or 18 or 19 or 6",
	"ether[12:2] & 0xff00 = 0x0800", "byte 8 | 5",
	/* no protochain (1.10.3 walks AH headers wrongly) nor vxlan (not in 1.10.3): apply.tsv checks both against master */
};

static const char *const prim_l3[] = {
	"ip", "ip6", "tcp", "udp", "icmp", "icmp6", "sctp", "igmp", "pim", "ah", "esp",
	"host 198.18.0.1", "src net 198.18.0.0/15", "ip6 host 2001:2::1", "ip6 net 2001:2::/32",
	"port 53", "tcp port 80", "udp dst port 53", "portrange 1-1024", "ip proto 17",
	"ip6 proto 58", "proto 6", "ip[9] = 6", "tcp[13] & 2 != 0", "len > 100", "icmp[0] = 8",
	"ip6[6] == 17", "less 100", "greater 60", "ip multicast", "ip6 multicast",
	"tcp[tcpflags] & tcp-ack != 0", "ip[0] & 0xf > 5",
	"net 198.18.0.0/16 or net 10.0.0.0/8", "ip[12:4] & 0xff000000 = 0xc6000000",
	"ip proto 17 or 18 or 19 or 6",
};

struct gen {
	uint64_t s;
	const char *const *prims;
	size_t nprims;
};

static uint32_t rnd(struct gen *g, uint32_t n)
{
	g->s = g->s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(g->s >> 33) % n;
}

static void append(char *buf, size_t size, const char *s)
{
	strncat(buf, s, size - strlen(buf) - 1);
}

/* expr := prim | not expr | ( expr op expr ), depth-limited. */
static void gen_expr(struct gen *g, char *buf, size_t size, int depth)
{
	uint32_t r = depth > 0 ? rnd(g, 10) : 9;

	if (r < 4) {
		append(buf, size, "(");
		gen_expr(g, buf, size, depth - 1);
		append(buf, size, r < 2 ? " and " : " or ");
		gen_expr(g, buf, size, depth - 1);
		append(buf, size, ")");
	} else if (r == 4) {
		append(buf, size, "not ");
		gen_expr(g, buf, size, depth - 1);
	} else {
		append(buf, size, g->prims[rnd(g, (uint32_t)g->nprims)]);
	}
}

static int libpcap_ok(int dlt, const char *expr, struct bpf_program *bp)
{
	pcap_t *p = pcap_open_dead(dlt, 262144);
	int rc = pcap_compile(p, bp, expr, 0, PCAP_NETMASK_UNKNOWN);

	pcap_close(p);
	return rc == 0;
}

/* pfc's optimized program against libpcap's unoptimized one: the optimizer keeps every verdict. */
static void optimized(struct fg_compile_opts *o, const char *name, const char *expr,
		      const struct bpf_program *bp, const struct corpus *c)
{
	struct cbpf_insn *prog = NULL;
	struct fg_diag d;
	size_t n = 0, bad, first = 0;
	int rc;

	o->optimize = 1;
	rc = fg_compile(expr, strlen(expr), o, &prog, &n, &d);
	if (rc != 0 && strcmp(d.msg, "expression rejects all packets") == 0) {
		tap_ok(1, "%s [%s]: optimized, refused as rejecting everything", name, expr);
	} else if (!tap_ok(rc == 0, "%s [%s]: optimized, compiles", name, expr)) {
		tap_diag("  error %d: %s", rc, d.msg);
	} else {
		bad = compare_verdicts(prog, n, bp, c, &first);
		if (!tap_ok(bad == 0, "%s [%s]: optimized, same verdicts on %zu packets", name, expr,
			    c->n))
			tap_diag("  %zu packets differ, first #%zu", bad, first);
	}
	cbpf_free(prog);
}

static void one(int dlt, const char *name, const char *expr)
{
	struct fg_compile_opts o;
	struct cbpf_insn *prog = NULL;
	struct bpf_program bp;
	struct fg_diag d;
	size_t n = 0, bad, first = 0;
	int ours, theirs;
	const struct corpus *c = corpus_for(dlt);

	fg_compile_opts_init(&o);
	o.linktype = dlt;
	o.optimize = 0;	/* libpcap's reference is its unoptimized program */
	ours = fg_compile(expr, strlen(expr), &o, &prog, &n, &d) == 0;
	theirs = libpcap_ok(dlt, expr, &bp);
	if (ours != theirs) {
		tap_ok(0, "%s [%s]: both compilers accept or both refuse", name, expr);
		tap_diag("  pfc %s (%s), libpcap %s", ours ? "accepts" : "refuses", ours ? "" : d.msg,
			 theirs ? "accepts" : "refuses");
	} else if (ours) {
		bad = compare_verdicts(prog, n, &bp, c, &first);
		if (!tap_ok(bad == 0, "%s [%s]: same verdicts on %zu packets", name, expr, c->n))
			tap_diag("  %zu packets differ, first #%zu", bad, first);
		optimized(&o, name, expr, &bp, c);
	} else {
		tap_ok(1, "%s [%s]: both refuse", name, expr);
	}
	if (theirs)
		pcap_freecode(&bp);
	cbpf_free(prog);
}

static void run_link(const char *name, const char *const *prims, size_t nprims, int count,
		     uint64_t seed)
{
	struct gen g = { seed, prims, nprims };
	int dlt, i;

	if (fg_linktype_lookup(name, &dlt) < 0) {
		tap_ok(0, "link type %s is known", name);
		return;
	}
	if (corpus_for(dlt)->n == 0) {
		tap_skip("%s: no captures of this link type here (../shared/pcaps missing?)", name);
		return;
	}
	for (i = 0; i < count; i++) {
		char expr[1024] = "";

		gen_expr(&g, expr, sizeof(expr), 3);
		one(dlt, name, expr);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	run_link("EN10MB", prim_ether, N(prim_ether), 500, 1);
	run_link("RAW", prim_l3, N(prim_l3), 100, 2);
	run_link("LINUX_SLL", prim_l3, N(prim_l3), 60, 3);
	run_link("LINUX_SLL2", prim_l3, N(prim_l3), 60, 4);
	run_link("NULL", prim_l3, N(prim_l3), 60, 5);
	run_link("LOOP", prim_l3, N(prim_l3), 60, 6);
	run_link("PPP", prim_l3, N(prim_l3), 60, 7);
	run_link("IPV4", prim_l3, N(prim_l3), 30, 8);
	run_link("IPV6", prim_l3, N(prim_l3), 30, 9);
	return tap_done();
}
