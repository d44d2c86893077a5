/*
 * print.c -- packets as `tcpdump -n` prints them: the entry point
 * (cap_print_pkt), time stamps, hex and ASCII dumps, the link layers
 * (Ethernet with 802.1Q/802.1ad tags, Linux cooked v1 and v2, raw IP,
 * NULL/LOOP) and ARP.  The network and transport layers are in
 * print_ip.c and print_l4.c.
 *
 * Keeps true: nothing is read past the captured bytes; the text goes into
 * the caller's buffer only (no stdio), each packet's text ends in '\n';
 * formats follow tcpdump 4.99 byte for byte for the protocols covered, and
 * a tcpdump-like fallback (names and lengths) for the others.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "print_int.h"

/* ---- output ---------------------------------------------------------------- */

static void pr_mem(struct pjob *j, const char *s, size_t n)
{
	struct pout *o = &j->out;

	if (o->len < o->size) {
		size_t room = o->size - o->len - 1;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

void pr_str(struct pjob *j, const char *s)
{
	pr_mem(j, s, strlen(s));
}

void pr_fmt(struct pjob *j, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		pr_mem(j, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Decimal digits of v at the end of buf (11 bytes): returns where they start. */
static char *utoa_end(char *end, uint32_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void pr_u(struct pjob *j, uint32_t v)
{
	char b[11], *p = utoa_end(b + sizeof(b), v);

	pr_mem(j, p, (size_t)(b + sizeof(b) - p));
}

void pr_ip4(struct pjob *j, const uint8_t *a)
{
	char b[16], *e = b + sizeof(b), *p = e;
	int i;

	for (i = 3; i >= 0; i--) {
		p = utoa_end(p, a[i]);
		if (i)
			*--p = '.';
	}
	pr_mem(j, p, (size_t)(e - p));
}

void pr_ip6(struct pjob *j, const uint8_t *a)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, s, sizeof(s));
	pr_str(j, s);
}

static const char hexdig[] = "0123456789abcdef";

void pr_mac(struct pjob *j, const uint8_t *a)
{
	char b[17];
	int i;

	for (i = 0; i < 6; i++) {
		b[3 * i] = hexdig[a[i] >> 4];
		b[3 * i + 1] = hexdig[a[i] & 15];
		if (i < 5)
			b[3 * i + 2] = ':';
	}
	pr_mem(j, b, sizeof(b));
}

void pr_trunc(struct pjob *j, const char *proto)
{
	pr_fmt(j, " [|%s]", proto);
}

static int graph(uint8_t c) { return c > 0x20 && c < 0x7f; }

/* tcpdump's hex_print ("\n\t0x0000:  4500 0028") and hex_and_ascii_print. */
void pr_hex(struct pjob *j, const uint8_t *p, size_t n, int ascii)
{
	size_t off, i;

	for (off = 0; off < n; off += 16) {
		size_t m = n - off < 16 ? n - off : 16;
		char line[96];	/* "\n\t0x0000: " 10, hex 40, 2 spaces, ascii 16 */
		size_t h, hstart;

		memcpy(line, "\n\t0x", 4);
		line[4] = hexdig[(off >> 12) & 15];
		line[5] = hexdig[(off >> 8) & 15];
		line[6] = hexdig[(off >> 4) & 15];
		line[7] = hexdig[off & 15];
		line[8] = ':';
		line[9] = ' ';
		h = 10;
		if (off > 0xffff)	/* tcpdump's %04x grows past 4 digits */
			h = (size_t)snprintf(line, sizeof(line), "\n\t0x%04zx: ", off);
		hstart = h;
		for (i = 0; i < m; i++) {
			if (!(i & 1))
				line[h++] = ' ';
			line[h++] = hexdig[p[off + i] >> 4];
			line[h++] = hexdig[p[off + i] & 15];
		}
		if (ascii) {
			while (h < hstart + 40 + 2)	/* the hex column is 40 wide */
				line[h++] = ' ';
			for (i = 0; i < m; i++)
				line[h++] = graph(p[off + i]) ? (char)p[off + i] : '.';
		}
		pr_mem(j, line, h);
	}
}

/* tcpdump's ascii_print (-A). */
static void pr_ascii(struct pjob *j, const uint8_t *p, size_t n)
{
	size_t i;

	pr_str(j, "\n");
	for (i = 0; i < n; i++) {
		char c = (char)p[i];

		if (p[i] == '\r') {
			if (n - i - 1 > 1 && p[i + 1] != '\n')
				pr_str(j, ".");
			continue;
		}
		if (!graph(p[i]) && c != '\t' && c != ' ' && c != '\n')
			c = '.';
		pr_mem(j, &c, 1);
	}
}

/* ---- time stamps ----------------------------------------------------------- */

/* The fraction: v is in nanoseconds with nano, else in microseconds. */
static void pr_frac(struct pjob *j, uint32_t v)
{
	int nano = j->o->precision == CAP_PRECISION_NANO, i;
	char b[10];

	if (v >= (nano ? 1000000000u : 1000000u)) {	/* a bad fraction: all its digits */
		pr_fmt(j, ".%0*u", nano ? 9 : 6, v);
		return;
	}
	b[0] = '.';
	for (i = nano ? 9 : 6; i > 0; i--) {
		b[i] = (char)('0' + v % 10);
		v /= 10;
	}
	pr_mem(j, b, nano ? 10 : 7);
}

/* Local time of day (or date and time), cached per second. */
static void pr_local(struct pjob *j, int64_t sec, int date)
{
	struct cap_print_state *st = j->st;
	char text[32] = "";
	time_t t = (time_t)sec;
	struct tm tm;

	if (st && st->day_valid && st->day_sec == sec && st->day_date == date) {
		pr_str(j, st->day_text);
		return;
	}
	if (localtime_r(&t, &tm))
		strftime(text, sizeof(text), date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
	if (st) {
		memcpy(st->day_text, text, sizeof(text));
		st->day_sec = sec;
		st->day_date = date;
		st->day_valid = 1;
	}
	pr_str(j, text);
}

/* A delta as tcpdump's -ttt prints it: " 00:00:01.000000". */
static void pr_delta(struct pjob *j, int64_t sec, uint32_t ns, int64_t bsec, uint32_t bns)
{
	int64_t d = (sec - bsec) * 1000000000 + ((int64_t)ns - (int64_t)bns);
	const char *sign = d < 0 ? "-" : " ";
	uint64_t a = (uint64_t)(d < 0 ? -d : d), s = a / 1000000000u;

	pr_fmt(j, "%s%02llu:%02llu:%02llu", sign, (unsigned long long)(s / 3600),
	       (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
	a %= 1000000000u;
	pr_frac(j, (uint32_t)(j->o->precision == CAP_PRECISION_NANO ? a : a / 1000));
}

static void pr_time(struct pjob *j, const struct cap_pkt *pkt)
{
	struct cap_print_state *st = j->st;
	int64_t sec = pkt->ts_sec;
	uint32_t ns = pkt->ts_nsec;
	/* the file's own field, even when out of range (tcpdump prints it as it is) */
	uint32_t frac = j->o->precision == CAP_PRECISION_NANO ? pkt->ts_nsec : pkt->ts_usec;

	switch (j->o->tstamp) {
	case 1:
		return;
	case 2:
		pr_fmt(j, "%lld", (long long)sec);
		pr_frac(j, frac);
		break;
	case 3:
	case 5: {
		int first = j->o->tstamp == 5;
		int have = st && (first ? st->have_first : st->have_prev);
		int64_t bsec = have ? (first ? st->first_sec : st->prev_sec) : sec;
		uint32_t bns = have ? (first ? st->first_ns : st->prev_ns) : ns;

		pr_delta(j, sec, ns, bsec, bns);
		break;
	}
	default:
		pr_local(j, sec, j->o->tstamp == 4);
		pr_frac(j, frac);
		break;
	}
	pr_str(j, " ");
	if (st) {
		st->prev_sec = sec;
		st->prev_ns = ns;
		st->have_prev = 1;
		if (!st->have_first) {
			st->first_sec = sec;
			st->first_ns = ns;
			st->have_first = 1;
		}
	}
}

/* ---- ARP ------------------------------------------------------------------- */

static void pr_hwaddr(struct pjob *j, const uint8_t *a, unsigned n)
{
	unsigned i;

	if (n == 6) {
		pr_mac(j, a);
		return;
	}
	for (i = 0; i < n; i++)
		pr_fmt(j, i ? ":%02x" : "%02x", a[i]);
}

static void pr_paddr(struct pjob *j, const uint8_t *a, unsigned pro, unsigned n)
{
	if ((pro == 0x0800 || pro == 0x1000) && n == 4)
		pr_ip4(j, a);
	else
		pr_str(j, "<wrong proto type>");
}

static int nonzero(const uint8_t *p, unsigned n)
{
	while (n--)
		if (*p++)
			return 1;
	return 0;
}

static const char *arp_op_name(unsigned op)
{
	static const char *const names[] = {
		[1] = "Request", [2] = "Reply", [3] = "Reverse Request", [4] = "Reverse Reply",
		[8] = "Inverse Request", [9] = "Inverse Reply", [10] = "NACK Reply",
	};

	return op < sizeof(names) / sizeof(names[0]) ? names[op] : NULL;
}

static const char *ethertype_name(unsigned t);

static const char *hrd_name(unsigned hrd)
{
	switch (hrd) {
	case 1: return "Ethernet";
	case 6: return "TokenRing";
	case 7: return "ArcNet";
	case 15: return "Frame Relay";
	case 16: return "ATM";
	case 24: return "IEEE1394";
	default: return NULL;
	}
}

static void pr_arp(struct pjob *j, const uint8_t *p, size_t n, size_t len)
{
	unsigned hrd, pro, hln, pln, op;
	const uint8_t *sha, *spa, *tha, *tpa;
	const char *opname;

	if (n < 8 || n < 8 + 2 * ((size_t)p[4] + p[5])) {
		pr_trunc(j, "ARP");
		return;
	}
	hrd = rd16(p), pro = rd16(p + 2), hln = p[4], pln = p[5], op = rd16(p + 6);
	sha = p + 8, spa = sha + hln, tha = spa + pln, tpa = tha + hln;
	if (!j->o->link)
		pr_str(j, "ARP, ");
	if ((pro != 0x0800 && pro != 0x1000) || pln != 4 || hln == 0 || j->o->verbose) {
		if (hrd_name(hrd))
			pr_fmt(j, "%s (len %u), ", hrd_name(hrd), hln);
		else
			pr_fmt(j, "Unknown Hardware (%u) (len %u), ", hrd, hln);
		if (strcmp(ethertype_name(pro), "Unknown") != 0)
			pr_fmt(j, "%s (len %u)", ethertype_name(pro), pln);
		else
			pr_fmt(j, "Unknown Protocol (0x%04x) (len %u)", pro, pln);
		if (!j->o->verbose)
			goto out;
	}
	opname = arp_op_name(op);
	if (opname)
		pr_fmt(j, "%s%s ", j->o->verbose ? ", " : "", opname);
	else
		pr_fmt(j, "%sUnknown (%u) ", j->o->verbose ? ", " : "", op);
	switch (op) {
	case 1:
		pr_str(j, "who-has ");
		pr_paddr(j, tpa, pro, pln);
		if (nonzero(tha, hln)) {
			pr_str(j, " (");
			pr_hwaddr(j, tha, hln);
			pr_str(j, ")");
		}
		pr_str(j, " tell ");
		pr_paddr(j, spa, pro, pln);
		break;
	case 2:
		pr_paddr(j, spa, pro, pln);
		pr_str(j, " is-at ");
		pr_hwaddr(j, sha, hln);
		break;
	case 3: case 8:
		pr_str(j, "who-is ");
		pr_hwaddr(j, tha, hln);
		pr_str(j, " tell ");
		pr_hwaddr(j, sha, hln);
		break;
	case 4: case 9:
		pr_hwaddr(j, op == 4 ? tha : sha, hln);
		pr_str(j, " at ");
		pr_paddr(j, op == 4 ? tpa : spa, pro, pln);
		break;
	default:
		if (!j->suppress_default)
			pr_hex(j, p, n, 1);
		return;
	}
out:
	pr_fmt(j, ", length %zu", len);
}

/* ---- link layers ----------------------------------------------------------- */

static const char *ethertype_name(unsigned t)
{
	switch (t) {
	case 0x0800: return "IPv4";
	case 0x86dd: return "IPv6";
	case 0x0806: return "ARP";
	case 0x8035: return "Reverse ARP";
	case 0x8100: return "802.1Q";
	case 0x88a8: return "802.1Q-QinQ";
	case 0x9100: return "802.1Q-9100";
	case 0x9200: return "802.1Q-9200";
	case 0x8847: return "MPLS unicast";
	case 0x8848: return "MPLS multicast";
	case 0x88cc: return "LLDP";
	case 0x888e: return "EAPOL";
	case 0x8863: return "PPPoE D";
	case 0x8864: return "PPPoE S";
	case 0x9000: return "Loopback";
	case 0x8137: return "IPX";
	default: return "Unknown";
	}
}

static int is_vlan(unsigned t) { return t == 0x8100 || t == 0x88a8 || t == 0x9100 || t == 0x9200; }

/* The network layer by ethertype: 1 printed, 0 unknown (nothing printed). */
static int pr_ethertype(struct pjob *j, unsigned type, const uint8_t *p, size_t n, size_t len)
{
	switch (type) {
	case 0x0800: pr_ipv4(j, p, n, len); return 1;
	case 0x86dd: pr_ipv6(j, p, n, len); return 1;
	case 0x0806: case 0x8035: pr_arp(j, p, n, len); return 1;
	default: return 0;
	}
}

/* -q names the ethertype only. */
static void pr_type(struct pjob *j, unsigned type)
{
	const char *name = ethertype_name(type);

	if (!j->o->quiet)
		pr_fmt(j, "ethertype %s (0x%04x)", name, type);
	else if (strcmp(name, "Unknown") != 0)
		pr_str(j, name);
	else
		pr_fmt(j, "Unknown Ethertype (0x%04x)", type);
}

static void pr_type_and_len(struct pjob *j, unsigned type, size_t wire)
{
	pr_type(j, type);
	pr_fmt(j, ", length %zu: ", wire);
}

/* IEEE 802.3 with an LLC header: what tcpdump's LLC printer says first. */
static void pr_llc(struct pjob *j, const uint8_t *p, size_t n, size_t len)
{
	if (n < 3) {
		pr_trunc(j, "llc");
		return;
	}
	pr_fmt(j, "LLC, dsap 0x%02x, ssap 0x%02x, ctrl 0x%02x, length %zu", p[0], p[1] & 0xfe, p[2],
	       len);
	if (!j->suppress_default)
		pr_hex(j, p, n, 1);
}

static void pr_ether(struct pjob *j, const uint8_t *p, size_t n, size_t wire)
{
	size_t off = 12;
	unsigned type;

	if (n < 14) {
		pr_trunc(j, "ether");
		return;
	}
	if (j->o->link) {
		pr_mac(j, p + 6);
		pr_str(j, " > ");
		pr_mac(j, p);
		pr_str(j, ", ");
	}
	type = rd16(p + 12);
	if (type <= 1500) {
		if (!j->o->link) {
			pr_mac(j, p + 6);
			pr_str(j, " > ");
			pr_mac(j, p);
			pr_str(j, ", ");
		}
		pr_fmt(j, "802.3, length %zu: ", wire);
		j->link_hdr = 14;
		pr_llc(j, p + 14, n - 14, type < wire - 14 ? type : wire - 14);
		return;
	}
	if (j->o->link)
		pr_type_and_len(j, type, wire);
	while (is_vlan(type)) {
		unsigned tci;

		if (n < off + 6) {
			j->link_hdr = n;
			pr_trunc(j, "vlan");
			return;
		}
		tci = rd16(p + off + 2);
		type = rd16(p + off + 4);
		off += 4;
		if (j->o->link) {
			pr_fmt(j, "vlan %u, p %u%s, ", tci & 0xfff, tci >> 13, tci & 0x1000 ? ", DEI" : "");
			pr_type(j, type);
			pr_str(j, ", ");
		}
	}
	j->link_hdr = off + 2;
	if (pr_ethertype(j, type, p + off + 2, n - off - 2, wire > off + 2 ? wire - off - 2 : 0))
		return;
	if (!j->o->link) {
		pr_mac(j, p + 6);
		pr_str(j, " > ");
		pr_mac(j, p);
		pr_str(j, ", ");
		pr_type_and_len(j, type, wire);
	}
	if (!j->suppress_default)
		pr_hex(j, p + off + 2, n - off - 2, 1);
}

static const char *sll_type(unsigned t)
{
	static const char *const names[] = { "In", "B", "M", "P", "Out" };

	return t < 5 ? names[t] : "?";
}

/* if_indextoname(), "?" when unknown; remembered in the state (no system call per packet). */
static const char *if_name(struct pjob *j, uint32_t idx)
{
	struct cap_print_state *st = j->st;
	static const char unknown[] = "?";
	size_t i;

	if (!st)
		return if_indextoname(idx, j->ifname) ? j->ifname : unknown;
	for (i = 0; i < st->nifnames; i++)
		if (st->ifnames[i].idx == idx)
			return st->ifnames[i].name;
	i = st->nifnames < PR_IFNAMES ? st->nifnames++ : idx % PR_IFNAMES;
	st->ifnames[i].idx = idx;
	if (!if_indextoname(idx, st->ifnames[i].name))
		strcpy(st->ifnames[i].name, unknown);
	return st->ifnames[i].name;
}

/* Linux cooked v1 (16 bytes) and v2 (20 bytes). */
static void pr_sll(struct pjob *j, const uint8_t *p, size_t n, size_t wire, int v2)
{
	size_t hl = v2 ? 20 : 16;
	unsigned type, pkttype, halen;
	const uint8_t *addr;

	if (n < hl) {
		pr_trunc(j, v2 ? "sll2" : "sll");
		return;
	}
	type = rd16(p + (v2 ? 0 : 14));
	pkttype = v2 ? p[10] : rd16(p);
	halen = v2 ? p[11] : rd16(p + 4);
	addr = p + (v2 ? 12 : 6);
	j->link_hdr = hl;
	if (v2)	/* tcpdump names the interface as this machine knows its index */
		pr_fmt(j, "%-5s %-3s ", if_name(j, rd32(p + 4)), sll_type(pkttype));
	if (j->o->link) {
		if (v2)
			pr_fmt(j, "ifindex %u ", rd32(p + 4));
		else
			pr_fmt(j, "%3s ", sll_type(pkttype));
		if (halen == 6) {
			pr_mac(j, addr);
			pr_str(j, " ");
		}
		if (!j->o->quiet)
			pr_fmt(j, "ethertype %s (0x%04x), ", ethertype_name(type), type);
		pr_fmt(j, "length %zu: ", wire);
	}
	if (pr_ethertype(j, type, p + hl, n - hl, wire > hl ? wire - hl : 0))
		return;
	if (!j->o->link && !v2)
		pr_fmt(j, "%3s ethertype %s (0x%04x), length %zu: ", sll_type(pkttype),
		       ethertype_name(type), type, wire);
	else if (!j->o->link)
		pr_fmt(j, "ethertype %s (0x%04x), length %zu: ", ethertype_name(type), type, wire);
	if (!j->suppress_default)
		pr_hex(j, p + hl, n - hl, 1);
}

/* Raw IP: the version in the first nibble. */
static void pr_raw(struct pjob *j, const uint8_t *p, size_t n, size_t wire)
{
	if (n < 1) {
		pr_trunc(j, "ip");
		return;
	}
	if (p[0] >> 4 == 4)
		pr_ipv4(j, p, n, wire);
	else if (p[0] >> 4 == 6)
		pr_ipv6(j, p, n, wire);
	else
		pr_fmt(j, "IP%u", p[0] >> 4);
}

/* NULL (host byte order family) and LOOP (network order). */
static void pr_null(struct pjob *j, const uint8_t *p, size_t n, size_t wire, int loop)
{
	uint32_t fam;

	if (n < 4) {
		pr_trunc(j, "null");
		return;
	}
	fam = loop ? rd32(p) : (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			       (uint32_t)p[3] << 24;
	if (!loop && (fam & 0xffff) == 0)
		fam = rd32(p);	/* written by a big-endian machine */
	j->link_hdr = 4;
	if (j->o->link)
		pr_fmt(j, "AF %s (%u), length %zu: ", fam == 2 ? "IPv4" :
		       (fam == 24 || fam == 28 || fam == 30) ? "IPv6" : "Unknown", fam, wire);
	if (fam == 2)
		pr_ipv4(j, p + 4, n - 4, wire - 4);
	else if (fam == 24 || fam == 28 || fam == 30)
		pr_ipv6(j, p + 4, n - 4, wire - 4);
	else if (!j->o->link)
		pr_fmt(j, "AF Unknown (%u), length %zu: ", fam, wire);
}

static void pr_link(struct pjob *j, int dlt, const uint8_t *p, size_t n, size_t wire)
{
	switch (dlt) {
	case 1: pr_ether(j, p, n, wire); return;
	case 12: case 14: case 228: case 229:
		if (j->o->link)
			pr_str(j, "ip: ");
		pr_raw(j, p, n, wire);
		return;
	case 113: pr_sll(j, p, n, wire, 0); return;
	case 276: pr_sll(j, p, n, wire, 1); return;
	case 0: pr_null(j, p, n, wire, 0); return;
	case 108: pr_null(j, p, n, wire, 1); return;
	default:
		pr_fmt(j, "link type %d, length %zu", dlt, wire);
		if (!j->suppress_default)
			pr_hex(j, p, n, 1);
		return;
	}
}

static void pr_dump(struct pjob *j, const uint8_t *p, size_t n)
{
	/* a printer that stopped at the capture's end leaves the header unknown (0) */
	size_t hl = j->ended ? 0 : j->link_hdr < n ? j->link_hdr : n;

	switch (j->o->dump) {
	case CAP_DUMP_HEX: pr_hex(j, p + hl, n - hl, 0); break;
	case CAP_DUMP_HEX_LINK: pr_hex(j, p, n, 0); break;
	case CAP_DUMP_HEX_ASCII: pr_hex(j, p + hl, n - hl, 1); break;
	case CAP_DUMP_HEX_ASCII_LINK: pr_hex(j, p, n, 1); break;
	case CAP_DUMP_ASCII: if (n > hl) pr_ascii(j, p + hl, n - hl); break;
	case CAP_DUMP_ASCII_LINK: pr_ascii(j, p, n); break;
	default: break;
	}
}

/* ---- API ------------------------------------------------------------------- */

void cap_print_opts_init(struct cap_print_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
}

struct cap_print_state *cap_print_state_new(void)
{
	return calloc(1, sizeof(struct cap_print_state));
}

void cap_print_state_free(struct cap_print_state *st)
{
	if (!st)
		return;
	free(st->conv);
	free(st);
}

static size_t conv_hash(const uint8_t *key)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < sizeof(((struct pr_conv *)0)->key); i++)
		h = (h ^ key[i]) * 1099511628211ull;
	return (size_t)h;
}

static int conv_grow(struct cap_print_state *st)
{
	size_t cap = st->cap ? st->cap * 2 : 256, i;
	struct pr_conv *c = calloc(cap, sizeof(*c));

	if (!c)
		return -ENOMEM;
	for (i = 0; i < st->cap; i++) {
		size_t h;

		if (!st->conv[i].used)
			continue;
		for (h = conv_hash(st->conv[i].key) & (cap - 1); c[h].used; h = (h + 1) & (cap - 1))
			;
		c[h] = st->conv[i];
	}
	free(st->conv);
	st->conv = c;
	st->cap = cap;
	return 0;
}

struct pr_conv *pr_conv_find(struct cap_print_state *st, const uint8_t *key, int create)
{
	size_t h;

	if ((st->nconv + 1) * 2 > st->cap && conv_grow(st) < 0)
		return NULL;
	for (h = conv_hash(key) & (st->cap - 1); st->conv[h].used; h = (h + 1) & (st->cap - 1))
		if (memcmp(st->conv[h].key, key, sizeof(st->conv[h].key)) == 0)
			return &st->conv[h];
	if (!create)
		return NULL;
	st->conv[h].used = 1;
	memcpy(st->conv[h].key, key, sizeof(st->conv[h].key));
	st->nconv++;
	return &st->conv[h];
}

int cap_print_pkt(const struct cap_print_opts *opts, const struct cap_pkt *pkt, int dlt,
		  char *buf, size_t len)
{
	struct pjob j;

	if (!opts || opts->sz < sizeof(*opts) || !pkt || (len && !buf))
		return -EINVAL;
	memset(&j, 0, sizeof(j));
	j.o = opts;
	j.st = opts->state;
	j.out.buf = buf;
	j.out.size = len;
	j.suppress_default = (opts->dump != CAP_DUMP_NONE && opts->dump < CAP_DUMP_ASCII) ||
			     opts->quiet;
	pr_time(&j, pkt);
	pr_link(&j, dlt, pkt->data, pkt->caplen, pkt->wirelen);
	pr_dump(&j, pkt->data, pkt->caplen);
	pr_str(&j, "\n");
	if (len)
		buf[j.out.len < len ? j.out.len : len - 1] = '\0';
	return (int)j.out.len;
}

int cap_pkt_summary(const struct cap_pkt *pkt, enum cap_precision precision, char *buf,
		    size_t size)
{
	struct cap_print_opts o;
	int n;

	cap_print_opts_init(&o);
	o.quiet = 1;
	o.precision = precision;
	n = cap_print_pkt(&o, pkt, pkt->linktype, buf, size);
	if (n > 0) {
		n--;	/* without the newline */
		if ((size_t)n < size)
			buf[n] = '\0';
	}
	return n;
}
