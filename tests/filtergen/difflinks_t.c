/*
 * difflinks_t.c -- the filter compiler against libpcap on every link type
 * libpcap 1.10.3 compiles for, beyond the nine that diff_t.c covers.
 *
 * For each link type: the packets of its captures in ../shared/pcaps (when
 * there are any), plus packets synthesized for it (synth.h: zeros and
 * random bytes steered until libpcap's program for a seed expression
 * accepts them, with truncated and bit-flipped copies), so that even a
 * link type nobody captured is exercised past its link header.  Then
 * random and/or/not combinations of the primitives libpcap accepts on that
 * link type: pfc must accept them too, and give the same verdict as
 * libpcap's unoptimized program on every packet, optimized or not (the
 * conformance rule: a difference counts unless one program stopped at an
 * out-of-range load).  Where libpcap 1.10.3 and libpcap master (whose
 * semantics pfc follows and ../shared/conformance checks) are known to
 * differ, the expression is left out and the reason printed.
 * One TAP line per expression and mode; deterministic (fixed seeds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "filtergen.h"
#include "synth.h"
#include "tap.h"

/* Everything the language has, across link types; each link type keeps those libpcap takes. */
static const char *const prims[] = {
	"ip", "ip6", "arp", "rarp", "tcp", "udp", "icmp", "icmp6", "sctp", "igmp", "pim", "vrrp",
	"ah", "esp", "stp", "ipx", "atalk", "aarp", "decnet", "iso", "isis", "clnp", "esis", "l1",
	"l2", "iih", "lsp", "csnp", "psnp", "netbeui", "llc", "llc u", "llc i", "llc rr",
	"host 198.18.0.1", "src host 198.18.0.2", "dst net 198.18.0.0/15", "ip6 host 2001:2::1",
	"ip6 net 2001:2::/32", "arp host 198.18.0.2", "port 53", "tcp port 80", "udp dst port 53",
	"portrange 1-1024", "ip proto 17", "ip6 proto 58", "proto 6", "ip[9] = 6",
	"tcp[13] & 2 != 0", "icmp[0] = 8", "ip6[6] == 17", "len > 100", "less 100", "greater 60",
	"ip multicast", "ip6 multicast", "link[0] & 1 = 1", "link[2:2] > 100", "byte 3 = 4",
	"link proto 0x800", "link proto 0x86dd", "iso proto 0x83",
	"ether host 02:00:5e:10:00:01", "ether src 02:00:5e:10:00:02", "broadcast", "multicast",
	"vlan", "vlan 100", "mpls", "pppoes", "pppoed", "geneve", "inbound", "outbound",
	"type mgt", "type data", "type ctl subtype ack", "subtype beacon", "subtype qos-data",
	"dir tods", "dir 3", "wlan src 02:00:5e:10:00:01", "wlan dst 02:00:5e:10:00:02",
	"wlan ra 02:00:5e:10:00:01", "wlan ta 02:00:5e:10:00:01", "wlan addr3 02:00:5e:10:00:03",
	"wlan addr4 02:00:5e:10:00:04", "radio[0] = 0", "radio[2:2] > 20",
	"fisu", "lssu", "msu", "hfisu", "hlssu", "hmsu", "sio = 3", "opc = 5", "dpc > 2",
	"sls < 4", "hsio = 3", "hdpc = 7",
	"vpi = 0", "vci > 30", "lane", "lane and ip", "oam", "oamf4sc", "metac", "bcc", "sc",
	"ilmic", "connectmsg", "metaconnect",
	"on em0", "rset main", "rnr 5", "srnr 2", "reason match", "action pass", "action block",
};

/* Seeds that steer synthesized packets into each link type's layers. */
static const char *const seeds[] = {
	"ip", "ip6", "arp", "tcp port 80", "udp port 53", "icmp", "tcp[13] & 2 != 0",
	"host 198.18.0.1", "ip6 host 2001:2::1", "ip6 and tcp", "vlan 100 and ip", "mpls and ip",
	"llc", "stp", "ipx", "iso", "isis", "atalk", "decnet", "broadcast", "multicast",
	"type data", "type mgt subtype beacon", "type ctl subtype ack", "dir 3 and ip",
	"subtype qos-data and tcp", "fisu", "lssu", "msu and sio = 3 and opc = 5",
	"hmsu and hdpc = 7", "lane and ip", "lane and arp", "oamf4sc", "connectmsg",
	"metaconnect", "ilmic", "inbound", "outbound", "on em0 and action pass", "reason match",
	"link[0] = 1", "len > 100",
};

/*
 * libpcap 1.10.3 and master (which pfc follows) differ for these: 1.10.3
 * has a type test on BACnet MS/TP (master has none), and reads Linux
 * ARCnet's RFC 1051 IDs, SLIP's direction and C_HDLC's IS-IS PDU type differently
 * (its `!=` on ATM and SS7 fields is wrong too: no primitive here uses
 * it), and lets arithmetic overwrite the scratch words that hold a radio
 * header's length or 802.11's payload offset; apply.tsv and accept.tsv
 * check master's behaviour for each.  1.10.3 also compiles
 * loads the kernel refuses (odd_load()): Linux ancillary data for
 * inbound/outbound on capture files, offsets before the packet on some
 * Juniper link types; master and pfc refuse those.
 */
/* pfc refuses prim on its own on this link type. */
static bool refused_alone(const char *link, const char *prim)
{
	struct fg_compile_opts o;
	struct cbpf_insn *prog = NULL;
	struct fg_diag d;
	size_t n = 0;
	int dlt, rc;

	if (fg_linktype_lookup(link, &dlt) < 0)
		return true;
	fg_compile_opts_init(&o);
	o.linktype = dlt;
	o.optimize = 0;
	rc = fg_compile(prim, strlen(prim), &o, &prog, &n, &d);
	cbpf_free(prog);
	return rc != 0;
}

static const char *differs(const char *link, const char *prim)
{
	static const char *const isis[] = { "isis", "l1", "l2", "iih", "lsp", "csnp", "psnp" };
	static const char *const llc[] = { "ipx", "stp", "iso", "isis", "clnp", "esis", "l1", "l2",
					   "iih", "lsp", "csnp", "psnp", "netbeui", "iso proto 0x83" };
	size_t i;

	for (i = 0; strcmp(link, "LINUX_SLL2") == 0 && i < sizeof(llc) / sizeof(llc[0]); i++)
		if (strcmp(prim, llc[i]) == 0)	/* only with PFC_DIFF_ALL */
			return "libpcap 1.10.3 compares LINUX_SLL2's protocol with an LLC SAP (master "
			       "reads the 802.2 header, as for LINUX_SLL)";
	if (strcmp(link, "BACNET_MS_TP") == 0 && !refused_alone(link, prim))
		return NULL;
	if (strcmp(link, "BACNET_MS_TP") == 0)
		return "libpcap 1.10.3 reads BACnet MS/TP frames as if they had a type field (master does not)";
	if (strcmp(link, "ARCNET_LINUX") == 0 && (!strcmp(prim, "ip") || !strcmp(prim, "arp")))
		return "libpcap 1.10.3 takes RFC 1051 IDs on Linux ARCnet (master does not)";
	if ((strchr(prim, '[') || strncmp(prim, "len ", 4) == 0) && (strstr(link, "802_11") || strcmp(link, "PRISM_HEADER") == 0 ||
				  strcmp(link, "PPI") == 0 || strcmp(link, "PFLOG") == 0))
		return "libpcap 1.10.3 reuses its variable offsets' scratch words for arithmetic";
	if (strncmp(link, "SLIP", 4) == 0 && strstr(prim, "bound"))
		return "libpcap 1.10.3 has no SLIP direction test of its own (master has)";
	for (i = 0; strcmp(link, "C_HDLC") == 0 && i < sizeof(isis) / sizeof(isis[0]); i++)
		if (strcmp(prim, isis[i]) == 0)
			return "libpcap 1.10.3 misplaces the IS-IS PDU type on C_HDLC (master is right)";
	return NULL;
}

/* A load outside the packet proper: Linux ancillary data, or an offset that wrapped around. */
static bool odd_load(const struct bpf_program *bp)
{
	u_int i;

	for (i = 0; i < bp->bf_len; i++)
		if ((BPF_CLASS(bp->bf_insns[i].code) == BPF_LD ||
		     BPF_CLASS(bp->bf_insns[i].code) == BPF_LDX) &&
		    (BPF_MODE(bp->bf_insns[i].code) == BPF_ABS ||
		     BPF_MODE(bp->bf_insns[i].code) == BPF_IND) && bp->bf_insns[i].k >= 0xfffff000u)
			return true;
	return false;
}

static int libpcap_compile(int dlt, const char *expr, struct bpf_program *bp)
{
	pcap_t *p = pcap_open_dead(dlt, 262144);
	int rc = pcap_compile(p, bp, expr, 0, PCAP_NETMASK_UNKNOWN);

	pcap_close(p);
	return rc == 0;
}

static uint64_t rnd64(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* A steered packet and its truncated and bit-flipped copies. */
static void add_family(struct corpus *c, uint8_t *p, uint32_t len, uint64_t *s)
{
	corpus_add(c, p, len, len);
	if (len > 1)
		corpus_add(c, p, (uint32_t)(rnd64(s) % len), len);
	p[rnd64(s) % len] ^= (uint8_t)(1u << (rnd64(s) & 7));
	corpus_add(c, p, len, len);
}

/* Synthesized packets for dlt, added to its corpus (captures, if any, are there already). */
static void synthesize(int dlt, struct corpus *c)
{
	uint64_t s = (uint64_t)dlt * 7919 + 1;
	size_t i, j;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		struct bpf_program bp;

		if (!libpcap_compile(dlt, seeds[i], &bp))
			continue;
		for (j = 0; j < 3; j++) {
			uint8_t p[SYNTH_MAX];
			uint32_t len = 64 + (uint32_t)(rnd64(&s) % 64), k;

			for (k = 0; k < len; k++)
				p[k] = j == 0 ? 0 : (uint8_t)rnd64(&s);
			if (synth_steer((const struct cbpf_insn *)bp.bf_insns, bp.bf_len, p, &len, 200))
				add_family(c, p, len, &s);
			else if (j == 1)
				corpus_add(c, p, len, len);
		}
		pcap_freecode(&bp);
	}
}

/* The first packet where the verdicts differ, for the log. */
static void show(const struct cbpf_insn *prog, size_t n, const struct bpf_program *bp,
		 const struct pkt *p, size_t bad, size_t first)
{
	struct refvm_result a = refvm_run(prog, n, p->data, p->wirelen, p->caplen);
	struct refvm_result b = refvm_run((const struct cbpf_insn *)bp->bf_insns, bp->bf_len,
					  p->data, p->wirelen, p->caplen);
	char hex[3 * 48 + 1] = "";
	uint32_t i;

	for (i = 0; i < p->caplen && i < 48; i++)
		snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", p->data[i]);
	tap_diag("  %zu packets differ, first #%zu (%u bytes: %s): pfc %u, libpcap %u", bad, first,
		 p->caplen, hex, a.ret, b.ret);
}

static bool compare(const char *name, const char *expr, int dlt, int optimize,
		    const struct bpf_program *bp, const struct corpus *c)
{
	struct fg_compile_opts o;
	struct cbpf_insn *prog = NULL;
	struct fg_diag d;
	size_t n = 0, bad, first = 0;
	int rc;

	fg_compile_opts_init(&o);
	o.linktype = dlt;
	o.optimize = optimize;
	rc = fg_compile(expr, strlen(expr), &o, &prog, &n, &d);
	if (rc != 0 && optimize && strcmp(d.msg, "expression rejects all packets") == 0)
		return tap_ok(1, "%s [%s]: optimized, refused as rejecting everything", name, expr);
	if (!tap_ok(rc == 0, "%s [%s]: %s, pfc accepts it as libpcap does", name, expr,
		    optimize ? "optimized" : "unoptimized")) {
		tap_diag("  error %d: %s", rc, d.msg);
		return false;
	}
	bad = compare_verdicts(prog, n, bp, c, &first);
	if (!tap_ok(bad == 0, "%s [%s]: %s, same verdicts on %zu packets", name, expr,
		    optimize ? "optimized" : "unoptimized", c->n))
		show(prog, n, bp, &c->p[first], bad, first);
	cbpf_free(prog);
	return bad == 0;
}

/* expr := prim | not expr | ( expr op expr ) over the primitives in use[0..n). */
static void gen_expr(uint64_t *s, const char **use, size_t n, char *buf, size_t size, int depth)
{
	uint32_t r = depth > 0 ? (uint32_t)(rnd64(s) % 10) : 9;

	if (r < 4) {
		strncat(buf, "(", size - strlen(buf) - 1);
		gen_expr(s, use, n, buf, size, depth - 1);
		strncat(buf, r < 2 ? " and " : " or ", size - strlen(buf) - 1);
		gen_expr(s, use, n, buf, size, depth - 1);
		strncat(buf, ")", size - strlen(buf) - 1);
	} else if (r == 4) {
		strncat(buf, "not ", size - strlen(buf) - 1);
		gen_expr(s, use, n, buf, size, depth - 1);
	} else {
		strncat(buf, use[rnd64(s) % n], size - strlen(buf) - 1);
	}
}

/* Linux ARCnet packets with RFC 1051 IDs: libpcap 1.10.3 and master disagree on them. */
static void drop_rfc1051(const char *name, struct corpus *c)
{
	size_t i, j = 0;

	for (i = 0; i < c->n; i++) {
		bool old = c->p[i].caplen > 4 && (c->p[i].data[4] == 0xf0 || c->p[i].data[4] == 0xf1);

		if (strcmp(name, "ARCNET_LINUX") == 0 && old)
			free(c->p[i].data);
		else
			c->p[j++] = c->p[i];
	}
	c->n = j;
}

static void run_link(int dlt, const char *name, int count, uint64_t seed)
{
	const char *use[sizeof(prims) / sizeof(prims[0])];
	struct corpus *c = corpus_for(dlt);
	size_t nuse = 0, i, skipped = 0;
	uint64_t s = (uint64_t)dlt + 99 + seed * 1000003u;

	synthesize(dlt, c);
	drop_rfc1051(name, c);
	for (i = 0; i < sizeof(prims) / sizeof(prims[0]); i++) {
		struct bpf_program bp;

		if (!libpcap_compile(dlt, prims[i], &bp))
			continue;
		if (differs(name, prims[i]) || odd_load(&bp))
			skipped++;
		else
			use[nuse++] = prims[i];
		pcap_freecode(&bp);
	}
	if (skipped)
		tap_diag("%s: %zu primitives left out where libpcap 1.10.3 and master differ", name,
			 skipped);
	if (!tap_ok(nuse > 0 && c->n > 0, "%s: %zu primitives, %zu packets", name, nuse, c->n))
		return;
	for (i = 0; i < (size_t)count; i++) {
		char expr[1024] = "";
		struct bpf_program bp;

		gen_expr(&s, use, nuse, expr, sizeof(expr), 2);
		if (!libpcap_compile(dlt, expr, &bp))
			continue;	/* e.g. more than libpcap's scratch words */
		if (compare(name, expr, dlt, 0, &bp, c))
			compare(name, expr, dlt, 1, &bp, c);
		pcap_freecode(&bp);
	}
}

static bool core(const char *name)
{
	static const char *const done[] = { "EN10MB", "LINUX_SLL", "LINUX_SLL2", "RAW", "IPV4",
					    "IPV6", "NULL", "LOOP", "PPP" };
	size_t i;

	for (i = 0; i < sizeof(done) / sizeof(done[0]); i++)
		if (strcmp(done[i], name) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	/* difflinks_t [COUNT [SEED]]: more expressions, or other ones, for a longer search */
	int dlt, count = argc > 1 ? atoi(argv[1]) : 60, links = 0;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 0;

	for (dlt = 0; dlt < 300; dlt++) {
		const char *name = pcap_datalink_val_to_name(dlt);
		struct bpf_program bp;

		if (!name || (core(name) && !getenv("PFC_DIFF_ALL")) ||
		    !libpcap_compile(dlt, "len > 0", &bp))
			continue;	/* diff_t.c covers the core ones (PFC_DIFF_ALL=1: here too) */
		pcap_freecode(&bp);
		links++;
		run_link(dlt, name, count, seed);
	}
	tap_diag("%d link types compared with libpcap 1.10.3", links);
	return tap_done();
}
