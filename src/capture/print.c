/*
 * print.c -- one-line packet summaries in the style of tcpdump -n -q:
 *   12:34:56.789012 IP 198.18.0.1.1234 > 198.18.0.2.80: tcp 0
 *
 * Decodes the link layers pfc compiles for (Ethernet with 802.1Q tags,
 * Linux cooked v1/v2, raw IP, NULL/LOOP, PPP), then IPv4/IPv6 (IPv6
 * extension headers skipped), TCP, UDP, ICMP/ICMPv6 and ARP.  Keeps true:
 * nothing is read past caplen; what cannot be decoded is named with the
 * packet's length instead.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "capture_int.h"

struct out {
	char *buf;
	size_t size, len;	/* len: what the full line needs */
};

__attribute__((format(printf, 2, 3)))
static void say(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = o->len < o->size ? o->size - o->len : 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static unsigned be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

/* ICMP and ICMPv6: echo by name (tcpdump's words), the rest by type. */
static void icmp(struct out *o, int v6, const uint8_t *p, size_t n, size_t iplen)
{
	unsigned req = v6 ? 128 : 8, rep = v6 ? 129 : 0;

	say(o, v6 ? "ICMP6, " : "ICMP ");
	if (n >= 8 && (p[0] == req || p[0] == rep))
		say(o, "echo %s, id %u, seq %u, length %zu", p[0] == req ? "request" : "reply",
		    be16(p + 4), be16(p + 6), iplen);
	else if (n >= 1)
		say(o, "type %u, length %zu", p[0], iplen);
	else
		say(o, "length %zu", iplen);
}

static void l4(struct out *o, unsigned proto, const uint8_t *p, size_t n, size_t iplen,
	       const char *src, const char *dst)
{
	if ((proto == 6 && n >= 20) || (proto == 17 && n >= 8)) {
		size_t hl = proto == 6 ? (size_t)(p[12] >> 4) * 4 : 8;

		say(o, "%s.%u > %s.%u: ", src, be16(p), dst, be16(p + 2));
		if (proto == 6)
			say(o, "tcp %zu", iplen >= hl ? iplen - hl : 0);
		else
			say(o, "UDP, length %zu", iplen >= 8 ? iplen - 8 : 0);
		return;
	}
	if ((proto == 6 || proto == 17) && n >= 4) {
		say(o, "%s.%u > %s.%u:  [|%s]", src, be16(p), dst, be16(p + 2),
		    proto == 6 ? "tcp" : "udp");
		return;
	}
	say(o, "%s > %s: ", src, dst);
	if (proto == 1 || proto == 58)
		icmp(o, proto == 58, p, n, iplen);
	else
		say(o, "ip-proto-%u %zu", proto, iplen);
}

static void ipv4(struct out *o, const uint8_t *p, size_t n)
{
	char src[16], dst[16];
	size_t hl, tot;

	if (n < 20 || (hl = (size_t)(p[0] & 15) * 4) < 20 || hl > n) {
		say(o, " [|ip]");
		return;
	}
	tot = be16(p + 2);
	inet_ntop(AF_INET, p + 12, src, sizeof(src));
	inet_ntop(AF_INET, p + 16, dst, sizeof(dst));
	say(o, "IP ");
	if (be16(p + 6) & 0x1fff) {	/* a later fragment: no transport header */
		say(o, "%s > %s: ip-proto-%u", src, dst, p[9]);
		return;
	}
	l4(o, p[9], p + hl, n - hl, tot > hl ? tot - hl : 0, src, dst);
}

static void ipv6(struct out *o, const uint8_t *p, size_t n)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	unsigned nh;
	size_t off = 40, plen;

	if (n < 40) {
		say(o, " [|ip6]");
		return;
	}
	inet_ntop(AF_INET6, p + 8, src, sizeof(src));
	inet_ntop(AF_INET6, p + 24, dst, sizeof(dst));
	nh = p[6];
	plen = be16(p + 4);
	/* hop-by-hop, routing, destination options: skip to the transport header */
	while ((nh == 0 || nh == 43 || nh == 60) && off + 8 <= n) {
		size_t el = ((size_t)p[off + 1] + 1) * 8;

		nh = p[off];
		plen = plen > el ? plen - el : 0;
		off += el;
	}
	say(o, "IP6 ");
	l4(o, nh, p + (off < n ? off : n), off < n ? n - off : 0, plen, src, dst);
}

static void arp(struct out *o, const uint8_t *p, size_t n, size_t wire)
{
	char a[16], b[16];

	if (n < 28 || be16(p) != 1 || be16(p + 2) != 0x0800 || p[4] != 6 || p[5] != 4) {
		say(o, "ARP, length %zu", wire);
		return;
	}
	inet_ntop(AF_INET, p + 24, a, sizeof(a));
	inet_ntop(AF_INET, p + 14, b, sizeof(b));
	if (be16(p + 6) == 1)
		say(o, "ARP, Request who-has %s tell %s, length %zu", a, b, wire);
	else if (be16(p + 6) == 2)
		say(o, "ARP, Reply %s is-at %02x:%02x:%02x:%02x:%02x:%02x, length %zu", b,
		    p[8], p[9], p[10], p[11], p[12], p[13], wire);
	else
		say(o, "ARP, opcode %u, length %zu", be16(p + 6), wire);
}

/* The network layer by ethertype. */
static void net(struct out *o, unsigned type, const uint8_t *p, size_t n, size_t wire)
{
	switch (type) {
	case 0x0800: ipv4(o, p, n); break;
	case 0x86dd: ipv6(o, p, n); break;
	case 0x0806: arp(o, p, n, wire); break;
	default: say(o, "ethertype 0x%04x, length %zu", type, wire); break;
	}
}

static void ether(struct out *o, const uint8_t *p, size_t n, size_t wire)
{
	size_t off = 12;
	unsigned type;

	if (n < 14) {
		say(o, "[|ether]");
		return;
	}
	type = be16(p + off);
	while ((type == 0x8100 || type == 0x88a8) && off + 6 <= n) {
		off += 4;
		type = be16(p + off);
	}
	if (type <= 1500)
		say(o, "802.3, length %zu", wire);
	else
		net(o, type, p + off + 2, n - off - 2, wire - (off + 2 < wire ? off + 2 : wire));
}

/* The raw IP layer: version from the first nibble. */
static void rawip(struct out *o, const uint8_t *p, size_t n, size_t wire)
{
	if (n >= 1 && p[0] >> 4 == 4)
		ipv4(o, p, n);
	else if (n >= 1 && p[0] >> 4 == 6)
		ipv6(o, p, n);
	else
		say(o, "raw, length %zu", wire);
}

static void link_layer(struct out *o, int dlt, const uint8_t *p, size_t n, size_t wire)
{
	switch (dlt) {
	case 1: ether(o, p, n, wire); return;
	case 12: case 14: rawip(o, p, n, wire); return;	/* RAW */
	case 228: ipv4(o, p, n); return;
	case 229: ipv6(o, p, n); return;
	case 113:	/* LINUX_SLL: 16-byte header, protocol at 14 */
		if (n >= 16) { net(o, be16(p + 14), p + 16, n - 16, wire); return; }
		break;
	case 276:	/* LINUX_SLL2: 20-byte header, protocol at 0 */
		if (n >= 20) { net(o, be16(p), p + 20, n - 20, wire); return; }
		break;
	case 0: case 108:	/* NULL (host order), LOOP (network order): AF then IP */
		if (n >= 4) { rawip(o, p + 4, n - 4, wire); return; }
		break;
	case 9:	/* PPP: address/control optional, 16-bit protocol */
		if (n >= 4 && p[0] == 0xff && p[1] == 0x03)
			p += 2, n -= 2;
		if (n >= 2 && be16(p) == 0x0021) { ipv4(o, p + 2, n - 2); return; }
		if (n >= 2 && be16(p) == 0x0057) { ipv6(o, p + 2, n - 2); return; }
		break;
	default:
		say(o, "link type %d, length %zu", dlt, wire);
		return;
	}
	say(o, "[|link type %d], length %zu", dlt, wire);
}

int cap_pkt_summary(const struct cap_pkt *pkt, enum cap_precision precision, char *buf,
		    size_t size)
{
	struct out o = { buf, size, 0 };
	time_t t = (time_t)pkt->ts_sec;
	struct tm tm;

	if (size)
		buf[0] = '\0';
	if (localtime_r(&t, &tm))
		say(&o, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (precision == CAP_PRECISION_NANO)
		say(&o, ".%09u ", pkt->ts_nsec);
	else
		say(&o, ".%06u ", pkt->ts_usec);
	link_layer(&o, pkt->linktype, pkt->data, pkt->caplen, pkt->wirelen);
	return (int)o.len;
}
