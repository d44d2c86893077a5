/*
 * conformance_t.c -- the filter compiler against libpcap's own test suite
 * (../shared/conformance), for the link types pfc describes.
 *
 *  accept.tsv: every row compiles; where the installed libpcap compiles the
 *              row too, both programs give the same verdict (conformance
 *              rule: a difference counts unless one of the two stopped at an
 *              out-of-range load) on every packet of the captures of that
 *              link type in ../shared/pcaps, and on truncated and mutated
 *              copies of them;
 *  apply.tsv:  every row gives exactly the listed value on each packet;
 *  reject.tsv: every row ends in an error.
 * One TAP line per row.  A row whose feature pfc reports as not supported
 * yet (-EOPNOTSUPP) is a TODO with the message, never a pass.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "filtergen.h"
#include "corpus.h"
#include "refvm.h"
#include "tap.h"

#define MAXCOL 16

static int split(char *line, char **col)
{
	int n = 0;
	char *p = line, *t;

	while (n < MAXCOL) {
		col[n++] = p;
		t = strchr(p, '\t');
		if (!t)
			break;
		*t = '\0';
		p = t + 1;
	}
	p = strchr(col[n - 1], '\n');
	if (p)
		*p = '\0';
	return n;
}

/*
 * The DLT a row names, as libpcap spells it: every link type, not only
 * those pfc knows (those are TODO rows), and pfc's names first for the
 * link types libpcap master has and the installed 1.10.3 does not.
 */
static int row_dlt(const char *name, int *dlt)
{
	if (fg_linktype_lookup(name, dlt) == 0)
		return 1;
	*dlt = pcap_datalink_name_to_val(name);
	return *dlt >= 0;
}

static void opts_for(struct fg_compile_opts *o, int dlt, const char *snaplen, const char *netmask)
{
	struct in_addr a;

	fg_compile_opts_init(o);
	o->linktype = dlt;
	if (snaplen && *snaplen)
		o->snaplen = (uint32_t)strtoul(snaplen, NULL, 10);
	if (netmask && *netmask && inet_pton(AF_INET, netmask, &a) == 1) {
		o->netmask = ntohl(a.s_addr);
		o->netmask_known = 1;
	}
}

/* ---- accept -------------------------------------------------------------- */

static struct { long rows, ours, theirs; } sizes;

/*
 * A pcap handle as libpcap compiles for it: pcap_open_dead(), or for rows
 * about capture files (offline_swapped / offline_unswapped) a real
 * pcap_open_offline() on a header-only file of that byte order.
 */
static pcap_t *reference_handle(int dlt, uint32_t snaplen, int savefile, int swapped)
{
	char err[PCAP_ERRBUF_SIZE];
	uint32_t hdr[6] = { 0xa1b2c3d4u, 2u | 4u << 16, 0, 0, snaplen, (uint32_t)dlt };
	FILE *f;
	pcap_t *p;
	int i;

	if (!savefile)
		return pcap_open_dead(dlt, (int)snaplen);
	for (i = 0; swapped && i < 6; i++)
		hdr[i] = i == 1 ? (uint32_t)(__builtin_bswap16(2) | __builtin_bswap16(4) << 16)
				: __builtin_bswap32(hdr[i]);
	f = tmpfile();
	if (!f)
		return NULL;
	fwrite(hdr, sizeof(hdr), 1, f);
	rewind(f);
	p = pcap_fopen_offline(f, err);	/* takes f */
	if (!p)
		fclose(f);
	return p;
}

static int row_savefile(const char *flags, int *swapped)
{
	*swapped = strstr(flags, "offline_swapped") != NULL;
	return strstr(flags, "offline_") != NULL;
}

/* libpcap 1.10.3's unoptimized program for the same row, or 0 if it refuses. */
static int libpcap_compile(int dlt, uint32_t snaplen, const char *expr, const char *netmask,
			   const char *flags, struct bpf_program *bp)
{
	int swapped, savefile = row_savefile(flags, &swapped);
	pcap_t *p = reference_handle(dlt, snaplen, savefile, swapped);
	bpf_u_int32 mask = PCAP_NETMASK_UNKNOWN;
	struct in_addr a;
	int rc;

	if (!p)
		return 0;
	if (netmask && *netmask && inet_pton(AF_INET, netmask, &a) == 1)
		mask = ntohl(a.s_addr);
	rc = pcap_compile(p, bp, expr, 0, mask);
	pcap_close(p);
	return rc == 0;
}

/*
 * Rows where libpcap 1.10.3 (the installed reference) is known to be wrong
 * and libpcap master, whose results the tables hold, is right: verdicts are
 * not compared with 1.10.3 there (the row must still compile).
 */
static const char *known_divergence(const char *name)
{
	static const struct { const char *name, *why; } rows[] = {
		{ "byte_or", "libpcap 1.10.3's gen_byteop does not load the byte for '|' (fixed in master)" },
		{ "byte_and", "libpcap 1.10.3's gen_byteop does not load the byte for '&' (fixed in master)" },
		/* 1.10.3 sets X = (len + 2) * 4 after an AH header instead of adding it to X;
		 * master adds it, and the apply.tsv rows over AH captures check that. */
		{ "ip6_protochain", "libpcap 1.10.3 skips AH headers wrongly in protochain (master is right)" },
		{ "protochain", "libpcap 1.10.3 skips AH headers wrongly in protochain (master is right)" },
		/* master reads SLIP's direction byte (0 in, 1 out); apply.tsv checks it over a capture */
		/* 1.10.3 reads the IS-IS PDU type one byte early on C_HDLC; apply.tsv checks master's */
		{ "isis_lsp_C_HDLC", "libpcap 1.10.3 misplaces the IS-IS PDU type on C_HDLC (master is right)" },
		/* 1.10.3 compiles `!=` of an SS7 or ATM field as `==`; apply.tsv checks master's for SS7 */
		{ "mtp[23]_*_ne", "libpcap 1.10.3 tests SS7 fields for != as for == (master is right)" },
		{ "atm_v[pc]i_ne", "libpcap 1.10.3 tests ATM fields for != as for == (master is right)" },
		/* master drops RFC 1051's IDs on Linux ARCnet; apply.tsv's rfc1051_* rows check it */
		{ "link_proto_ip_ARCNET_LINUX", "libpcap 1.10.3 takes RFC 1051 IDs on Linux ARCnet (master does not)" },
		{ "link_proto_arp_ARCNET_LINUX", "libpcap 1.10.3 takes RFC 1051 IDs on Linux ARCnet (master does not)" },
		{ "slip_inbound", "libpcap 1.10.3 has no SLIP direction test of its own (master has)" },
		{ "slip_outbound", "libpcap 1.10.3 has no SLIP direction test of its own (master has)" },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (fnmatch(rows[i].name, name, 0) == 0)
			return rows[i].why;
	return NULL;
}

static void accept_row(char **col)
{
	struct fg_compile_opts o;
	struct cbpf_insn *prog = NULL;
	struct bpf_program bp;
	struct fg_diag d;
	size_t n = 0, bad, first = 0;
	int dlt, rc;

	if (!row_dlt(col[2], &dlt) || strcmp(col[10], "1") != 0 || col[4][0] == '_')
		return;
	opts_for(&o, dlt, col[3], col[5]);
	/* libpcap compiles opt_rejects rows only without its optimizer; linuxext rows for a live socket */
	o.optimize = strstr(col[8], "opt_rejects") == NULL;
	o.linux_ext = strstr(col[8], "linuxext") != NULL;
	o.savefile = row_savefile(col[8], &o.swapped);
	rc = fg_compile(col[4], strlen(col[4]), &o, &prog, &n, &d);
	if (rc == -EOPNOTSUPP) {
		printf("not ok %d - accept %s %s [%s] # TODO %s\n", ++tap_count, col[0], col[2], col[4], d.msg);
		return;
	}
	if (!tap_ok(rc == 0, "accept %s %s [%s]", col[0], col[2], col[4])) {
		tap_diag("  error %d: %s (at %zu)", rc, d.msg, d.offset);
		return;
	}
	if (known_divergence(col[0]))
		tap_skip("verdicts %s [%s]: %s", col[0], col[4], known_divergence(col[0]));
	else if (libpcap_compile(dlt, o.snaplen, col[4], col[5], col[8], &bp)) {
		const struct corpus *c = corpus_for(dlt);

		sizes.rows++;
		sizes.ours += (long)n;
		sizes.theirs += bp.bf_len;
		bad = compare_verdicts(prog, n, &bp, c, &first);
		if (!tap_ok(bad == 0, "verdicts %s %s [%s] over %zu packets", col[0], col[2], col[4], c->n))
			tap_diag("  %zu packets differ, first #%zu", bad, first);
		pcap_freecode(&bp);
	}
	cbpf_free(prog);
}

/* ---- apply --------------------------------------------------------------- */

static void apply_row(char **col)
{
	struct fg_compile_opts o;
	struct cbpf_insn *prog = NULL;
	struct cbpf_vm *vm = NULL;
	struct fg_diag d;
	char path[4096], err[PCAP_ERRBUF_SIZE], got[8192] = "";
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	size_t n = 0;
	int dlt, rc;

	if (!row_dlt(col[2], &dlt) || strcmp(col[8], "1") != 0)
		return;
	opts_for(&o, dlt, col[3], col[5]);
	rc = fg_compile(col[4], strlen(col[4]), &o, &prog, &n, &d);
	if (rc == -EOPNOTSUPP) {
		printf("not ok %d - apply %s %s [%s] # TODO %s\n", ++tap_count, col[0], col[2], col[4],
		       d.msg);
		return;
	}
	snprintf(path, sizeof(path), "%s/pcaps/libpcap/%s", shared_dir(), col[1]);
	p = rc == 0 ? pcap_open_offline(path, err) : NULL;
	if (p && cbpf_vm_new(prog, n, 0, &vm) == 0) {
		while (pcap_next_ex(p, &h, &data) == 1) {
			size_t len = strlen(got);

			snprintf(got + len, sizeof(got) - len, "%s%u", len ? "," : "",
				 cbpf_vm_run(vm, data, h->len, h->caplen, NULL));
		}
	}
	if (!tap_ok(rc == 0 && strcmp(got, col[6]) == 0, "apply %s %s [%s] on %s", col[0], col[2],
		    col[4], col[1]))
		tap_diag("  rc %d (%s); got %s, want %s", rc, rc ? d.msg : "", got, col[6]);
	if (p)
		pcap_close(p);
	cbpf_vm_free(vm);
	cbpf_free(prog);
}

/* ---- reject -------------------------------------------------------------- */

static void reject_row(char **col)
{
	struct fg_compile_opts o;
	struct cbpf_insn *prog = NULL;
	struct fg_diag d;
	size_t n = 0;
	int dlt, rc;

	if (!row_dlt(col[1], &dlt) || strcmp(col[8], "1") != 0)
		return;
	opts_for(&o, dlt, NULL, col[4]);
	rc = fg_compile(col[2], strlen(col[2]), &o, &prog, &n, &d);
	if (!tap_ok(rc < 0, "reject %s %s [%s]", col[0], col[1], col[2]))
		tap_diag("  compiled to %zu instructions; libpcap says: %s", n, col[3]);
	cbpf_free(prog);
}

static int each_row(const char *file, void (*fn)(char **))
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	FILE *f;
	int first = 1;

	snprintf(path, sizeof(path), "%s/conformance/%s", shared_dir(), file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		char *col[MAXCOL] = { 0 };

		if (first) {
			first = 0;
			continue;
		}
		if (split(line, col) >= 9)
			fn(col);
	}
	free(line);
	fclose(f);
	return 0;
}

int main(void)
{
	if (each_row("accept.tsv", accept_row) < 0) {
		tap_skip("%s/conformance not found: the conformance tables are not here", shared_dir());
		return tap_done();
	}
	each_row("apply.tsv", apply_row);
	each_row("reject.tsv", reject_row);
	tap_diag("instructions over %ld accept rows both compile: pfc %ld, libpcap 1.10.3 unoptimized %ld",
		 sizes.rows, sizes.ours, sizes.theirs);
	return tap_done();
}
