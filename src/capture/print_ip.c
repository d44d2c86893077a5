/*
 * print_ip.c -- IPv4 (with -v's header line), IPv6 (hop-by-hop,
 * destination options and fragment headers), ICMP and ICMPv6 as
 * tcpdump 4.99 -n prints them; TCP, UDP and SCTP are handed to
 * print_l4.c, other protocols print as " ip-proto-N LENGTH".
 *
 * Keeps true: reads stay inside the captured bytes (n), which are first cut
 * to the datagram's own length as tcpdump cuts its snapshot end; lengths
 * printed are the header fields', as tcpdump prints them.
 */
#include <stdio.h>
#include <string.h>

#include "print_int.h"

static const char *proto_name(unsigned p)
{
	switch (p) {
	case 0: return "Options";
	case 1: return "ICMP";
	case 2: return "IGMP";
	case 4: return "IPIP";
	case 6: return "TCP";
	case 8: return "EGP";
	case 17: return "UDP";
	case 41: return "IPv6";
	case 43: return "Routing";
	case 44: return "Fragment";
	case 46: return "RSVP";
	case 47: return "GRE";
	case 50: return "ESP";
	case 51: return "AH";
	case 58: return "ICMPv6";
	case 59: return "NONE";
	case 60: return "DSTOPTS";
	case 89: return "OSPF";
	case 103: return "PIM";
	case 112: return "VRRP";
	case 132: return "SCTP";
	default: return "unknown";
	}
}

/* ---- ICMP ------------------------------------------------------------------ */

static const char *const unreach_fmt[] = {
	"net %s unreachable", "host %s unreachable", NULL, NULL, NULL,
	"%s unreachable - source route failed", "net %s unreachable - unknown",
	"host %s unreachable - unknown", "%s unreachable - source host isolated",
	"net %s unreachable - admin prohibited", "host %s unreachable - admin prohibited",
	"net %s unreachable - tos prohibited", "host %s unreachable - tos prohibited",
	"host %s unreachable - admin prohibited filter",
	"host %s unreachable - host precedence violation",
	"host %s unreachable - precedence cutoff",
};

/* The text of an ICMP message into msg; 0, or -1 when the capture ends first. */
static int icmp_msg(const uint8_t *p, size_t n, char *msg, size_t size)
{
	const uint8_t *ip = p + 8;
	char dst[16] = "", gw[16];
	unsigned type = p[0], code = p[1];
	int err = type == 3 || type == 5;

	/* what the message needs of the header and the quoted datagram */
	if ((err && n < 8 + 20) || ((type == 0 || type == 8 || type == 12 || type == 13 ||
				    type == 14) && n < 8) || (type == 18 && n < 12))
		return -1;
	if (err)
		snprintf(dst, sizeof(dst), "%u.%u.%u.%u", ip[16], ip[17], ip[18], ip[19]);
	switch (type) {
	case 0: case 8:
		snprintf(msg, size, "echo %s, id %u, seq %u", type ? "request" : "reply", rd16(p + 4),
			 rd16(p + 6));
		return 0;
	case 3:
		if (code == 2) {
			snprintf(msg, size, "%s protocol %u unreachable", dst, ip[9]);
		} else if (code == 3) {
			size_t hl = (size_t)(ip[0] & 15) * 4;

			if (n < 8 + hl + 4)
				return -1;
			if (ip[9] == 6 || ip[9] == 17)
				snprintf(msg, size, "%s %s port %u unreachable", dst,
					 ip[9] == 6 ? "tcp" : "udp", rd16(ip + hl + 2));
			else
				snprintf(msg, size, "%s protocol %u port %u unreachable", dst, ip[9],
					 rd16(ip + hl + 2));
		} else if (code == 4) {
			if (rd16(p + 6))
				snprintf(msg, size, "%s unreachable - need to frag (mtu %u)", dst,
					 rd16(p + 6));
			else
				snprintf(msg, size, "%s unreachable - need to frag", dst);
		} else if (code < sizeof(unreach_fmt) / sizeof(unreach_fmt[0])) {
			snprintf(msg, size, unreach_fmt[code], dst);
		} else {
			snprintf(msg, size, "%s unreachable - #%u", dst, code);
		}
		return 0;
	case 5:
		snprintf(gw, sizeof(gw), "%u.%u.%u.%u", p[4], p[5], p[6], p[7]);
		if (code < 4)
			snprintf(msg, size, "redirect%s %s to %s %s", code >= 2 ? "-tos" : "", dst,
				 code & 1 ? "host" : "net", gw);
		else
			snprintf(msg, size, "redirect-#%u %s to %s", code, dst, gw);
		return 0;
	case 11:
		if (code == 0)
			snprintf(msg, size, "time exceeded in-transit");
		else if (code == 1)
			snprintf(msg, size, "ip reassembly time exceeded");
		else
			snprintf(msg, size, "time exceeded-#%u", code);
		return 0;
	case 12:
		if (code)
			snprintf(msg, size, "parameter problem - code %u", code);
		else
			snprintf(msg, size, "parameter problem - octet %u", p[4]);
		return 0;
	case 13: case 14:
		snprintf(msg, size, "time stamp %s id %u seq %u", type == 13 ? "query" : "reply",
			 rd16(p + 4), rd16(p + 6));
		return 0;
	case 18:
		if (n < 12)
			return -1;
		snprintf(msg, size, "address mask is 0x%08x", rd32(p + 8));
		return 0;
	case 4: snprintf(msg, size, "source quench"); return 0;
	case 9: snprintf(msg, size, "router advertisement"); return 0;
	case 10: snprintf(msg, size, "router solicitation"); return 0;
	case 15: snprintf(msg, size, "information request"); return 0;
	case 16: snprintf(msg, size, "information reply"); return 0;
	case 17: snprintf(msg, size, "address mask request"); return 0;
	default: snprintf(msg, size, "type-#%u", type); return 0;
	}
}

static void pr_icmp(struct pjob *j, const uint8_t *p, size_t n, size_t len, int fragmented)
{
	char msg[160];
	unsigned type;

	if (n < 2 || icmp_msg(p, n, msg, sizeof(msg)) < 0) {
		pr_trunc(j, "icmp");
		j->ended = 1;
		return;
	}
	type = p[0];
	pr_fmt(j, "ICMP %s, length %zu", msg, len);
	if (j->o->verbose && !fragmented && n >= len && len >= 4 && !pr_cksum_ok(NULL, 0, p, len))
		pr_fmt(j, " (wrong icmp cksum %x (->%x)!)", rd16(p + 2),
		       pr_cksum_want(NULL, 0, p, len, 2));
	if (j->o->verbose && (type == 3 || type == 4 || type == 5 || type == 11 || type == 12) &&
	    n >= 8 + 4 && j->depth < 4) {	/* quotes within quotes: a few levels, not 9000 */
		size_t ilen = rd16(p + 8 + 2);	/* the quoted datagram's own length */

		pr_str(j, "\n\t");
		j->depth++;
		pr_ipv4(j, p + 8, n - 8 < ilen ? n - 8 : ilen, ilen);
		j->depth--;
	}
}

/* ---- ICMPv6 ---------------------------------------------------------------- */

static const char *icmp6_name(unsigned t)
{
	static const struct { unsigned t; const char *s; } names[] = {
		{ 1, "destination unreachable" }, { 2, "packet too big" },
		{ 3, "time exceeded in-transit" }, { 4, "parameter problem" },
		{ 128, "echo request" }, { 129, "echo reply" },
		{ 130, "multicast listener query" }, { 131, "multicast listener report" },
		{ 132, "multicast listener done" }, { 133, "router solicitation" },
		{ 134, "router advertisement" }, { 135, "neighbor solicitation" },
		{ 136, "neighbor advertisement" }, { 137, "redirect" },
		{ 138, "router renumbering" }, { 139, "node information query" },
		{ 140, "node information reply" }, { 141, "inverse neighbor solicitation" },
		{ 142, "inverse neighbor advertisement" }, { 143, "multicast listener report v2" },
		{ 144, "ha discovery request" }, { 145, "ha discovery reply" },
		{ 146, "mobile router solicitation" }, { 147, "mobile router advertisement" },
		{ 148, "certification path solicitation" },
		{ 149, "certification path advertisement" },
		{ 151, "multicast router advertisement" }, { 152, "multicast router solicitation" },
		{ 153, "multicast router termination" }, { 200, "mtrace response" },
		{ 201, "mtrace message" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == t)
			return names[i].s;
	return NULL;
}

static const char *const unreach6[] = {
	"unreachable route", "unreachable prohibited", "beyond scope", "unreachable address",
	"unreachable port",
};

/* Destination unreachable: the quoted packet's destination (at p + 8). */
static int icmp6_unreach(struct pjob *j, const uint8_t *p, size_t n)
{
	const uint8_t *ip = p + 8;
	unsigned code = p[1];

	if (code < 5)
		pr_fmt(j, ", %s", unreach6[code]);
	else
		pr_fmt(j, ", unknown unreach code (%u)", code);
	if (code > 4) {
		pr_fmt(j, ", length %zu", n);	/* replaced by the caller's dump */
		return 1;
	}
	if (n < 8 + 40)
		return -1;
	if (code == 4) {
		unsigned nh = ip[6];

		if (n < 8 + 40 + 4)
			return -1;
		pr_str(j, ", ");
		pr_ip6(j, ip + 24);
		if (nh == 6 || nh == 17)
			pr_fmt(j, " %s port %u", nh == 6 ? "tcp" : "udp", rd16(ip + 42));
		else
			pr_fmt(j, " protocol %u port %u unreachable", nh, rd16(ip + 42));
		return 0;
	}
	pr_str(j, " ");
	pr_ip6(j, ip + 24);
	if (code == 2) {
		pr_str(j, ", source address ");
		pr_ip6(j, ip + 8);
	}
	return 0;
}

/* -v: the neighbor discovery options from off to len ("\n\t  source link-address ..."). */
static void nd_options(struct pjob *j, const uint8_t *p, size_t n, size_t off, size_t len)
{
	static const char *const names[] = {
		NULL, "source link-address", "destination link-address", "prefix info",
		"redirected header", "mtu",
	};

	while (off + 2 <= len && off + 2 <= n) {
		unsigned t = p[off], l = p[off + 1];
		size_t i, ol = (size_t)l * 8;

		if (l == 0 || off + ol > n || off + ol > len)
			return;
		if (t < 6 && names[t])
			pr_fmt(j, "\n\t  %s option (%u), length %zu (%u): ", names[t], t, ol, l);
		else
			pr_fmt(j, "\n\t  unknown option (%u), length %zu (%u): ", t, ol, l);
		if (t == 1 || t == 2) {
			for (i = 2; i < ol && !(ol == 8 && i == 8); i++)
				pr_fmt(j, i > 2 ? ":%02x" : "%02x", p[off + i]);
		} else if (t == 5 && ol == 8) {
			pr_fmt(j, " %u", rd32(p + off + 4));
		}
		off += ol;
	}
}

static void nd_verbose(struct pjob *j, const uint8_t *p, size_t n, size_t len)
{
	static const char *const pref[] = { "medium", "high", "reserved", "low" };
	uint32_t f;

	pr_fmt(j, ", length %zu", len);
	switch (p[0]) {
	case 133: nd_options(j, p, n, 8, len); return;
	case 134:
		if (n < 16)
			return;
		pr_fmt(j, "\n\thop limit %u, Flags [%s%s%s%s], pref %s, router lifetime %us, "
		       "reachable time %ums, retrans timer %ums", p[4],
		       p[5] & 0x80 ? "managed" : "", p[5] & 0xc0 ? (p[5] & 0x40 ? (p[5] & 0x80 ?
		       ", other stateful" : "other stateful") : "") : "",
		       p[5] & 0x20 ? (p[5] & 0xc0 ? ", home agent" : "home agent") : "",
		       p[5] & 0xe0 ? "" : "none", pref[(p[5] >> 3) & 3], rd16(p + 6), rd32(p + 8),
		       rd32(p + 12));
		nd_options(j, p, n, 16, len);
		return;
	case 135:
		pr_str(j, ", who has ");
		pr_ip6(j, p + 8);
		nd_options(j, p, n, 24, len);
		return;
	case 136:
		f = rd32(p + 4);
		pr_str(j, ", tgt is ");
		pr_ip6(j, p + 8);
		pr_fmt(j, ", Flags [%s%s%s%s%s%s]", f & 0x80000000u ? "router" : "",
		       (f & 0x80000000u) && (f & 0x40000000u) ? ", " : "",
		       f & 0x40000000u ? "solicited" : "",
		       (f & 0xc0000000u) && (f & 0x20000000u) ? ", " : "",
		       f & 0x20000000u ? "override" : "", f & 0xe0000000u ? "" : "none");
		nd_options(j, p, n, 24, len);
		return;
	}
}

/* -v: MLDv2 report records " [gaddr ff02::fb to_ex, 0 source(s)]". */
static void mldv2_records(struct pjob *j, const uint8_t *p, size_t n)
{
	static const char *const types[] = { NULL, "is_in", "is_ex", "to_in", "to_ex", "allow",
					     "block" };
	unsigned i, count = rd16(p + 6);
	size_t off = 8;

	for (i = 0; i < count; i++) {
		unsigned t, srcs;

		if (off + 20 > n) {
			pr_trunc(j, "icmp6");
			return;
		}
		t = p[off], srcs = rd16(p + off + 2);
		pr_str(j, " [gaddr ");
		pr_ip6(j, p + off + 4);
		if (t >= 1 && t <= 6)
			pr_fmt(j, " %s", types[t]);
		else
			pr_fmt(j, " [invalid number %u]", t);
		pr_fmt(j, ", %u source(s)]", srcs);
		off += 20 + (size_t)p[off + 1] * 4 + (size_t)srcs * 16;
	}
}

/* The body after "ICMP6, NAME": 0, 1 printed all (length and dump), -1 truncated. */
static int icmp6_body(struct pjob *j, const uint8_t *p, size_t n, size_t len)
{
	switch (p[0]) {
	case 1:
		if (p[1] > 4) {
			pr_fmt(j, ", unknown unreach code (%u)", p[1]);
			if (j->o->verbose <= 1)
				pr_hex(j, p, n < len ? n : len, 0);
			return 1;
		}
		return icmp6_unreach(j, p, n);
	case 2: pr_fmt(j, ", mtu %u", rd32(p + 4)); return 0;
	case 3:
		if (p[1] == 0) {
			if (n < 8 + 40)
				return -1;
			pr_str(j, " for ");
			pr_ip6(j, p + 8 + 24);
		} else if (p[1] == 1) {
			pr_str(j, " (reassembly)");
		} else {
			pr_fmt(j, ", unknown code (%u)", p[1]);
		}
		return 0;
	case 4:
		if (p[1] < 4)
			pr_fmt(j, ", %s - octet %u", p[1] == 0 ? "erroneous" : p[1] == 1 ?
			       "next header" : p[1] == 2 ? "option" : "incomplete header chain",
			       rd32(p + 4));
		else
			pr_fmt(j, ", code-#%u", p[1]);
		return 0;
	case 128: case 129: pr_fmt(j, ", id %u, seq %u", rd16(p + 4), rd16(p + 6)); return 0;
	case 130: case 131: case 132:
		if (n < 24)
			return -1;
		if (p[0] == 130 && len >= 28 && len != 24) {
			pr_str(j, " v2");
			return 0;
		}
		pr_fmt(j, " max resp delay: %u addr: ", rd16(p + 4));
		pr_ip6(j, p + 8);
		return 0;
	case 135: case 136:
		if (n < 24)
			return -1;
		if (j->o->verbose) {
			nd_verbose(j, p, n, len);
			return 0;
		}
		pr_str(j, p[0] == 135 ? ", who has " : ", tgt is ");
		pr_ip6(j, p + 8);
		return 0;
	case 137:
		if (n < 40)
			return -1;
		pr_str(j, ", ");
		pr_ip6(j, p + 8);
		pr_str(j, " to ");
		pr_ip6(j, p + 24);
		return 0;
	case 143:
		pr_fmt(j, ", %u group record(s)", rd16(p + 6));
		if (j->o->verbose)
			mldv2_records(j, p, n);
		return 0;
	case 133: case 134:
		if (j->o->verbose)
			nd_verbose(j, p, n, len);
		return 0;
	case 141: case 142: return 0;
	default:
		pr_fmt(j, ", length %zu", len);
		if (j->o->verbose <= 1)
			pr_hex(j, p, n < len ? n : len, 0);
		return 1;
	}
}

static void pr_icmp6(struct pjob *j, const uint8_t *ip, const uint8_t *p, size_t n, size_t len,
		     int fragmented)
{
	const char *name;
	int rc;

	if (n < 8) {
		pr_trunc(j, "icmp6");
		j->ended = 1;
		return;
	}
	if (j->o->verbose && !fragmented && n >= len) {
		if (pr_cksum_ok(ip, 58, p, len))
			pr_str(j, "[icmp6 sum ok] ");
		else
			pr_fmt(j, "[bad icmp6 cksum 0x%04x -> 0x%04x!] ", rd16(p + 2),
			       pr_cksum_want(ip, 58, p, len, 2));
	}
	name = icmp6_name(p[0]);
	if (name)
		pr_fmt(j, "ICMP6, %s", name);
	else
		pr_fmt(j, "ICMP6, unknown icmp6 type (%u)", p[0]);
	rc = icmp6_body(j, p, n, len);
	if (rc < 0) {
		pr_trunc(j, "icmp6");
		j->ended = 1;
	}
	else if (rc == 0 && !j->o->verbose)
		pr_fmt(j, ", length %zu", len);
}

/* ---- the transport layer --------------------------------------------------- */

/*
 * What follows an IP header: ip is that header, nh the protocol, ver 4 or
 * 6; addrs: the IP layer printed no addresses (TCP, UDP, SCTP print them).
 */
static void pr_demux(struct pjob *j, const uint8_t *ip, unsigned nh, const uint8_t *p,
		     size_t n, size_t len, int fragmented, int addrs)
{
	switch (nh) {
	case 6: pr_tcp(j, ip, p, n, len, addrs, fragmented); return;
	case 17: pr_udp(j, ip, p, n, len, addrs, fragmented); return;
	case 132: pr_sctp(j, ip, p, n, len); return;
	case 1:
		if (ip[0] >> 4 == 4)
			pr_icmp(j, p, n, len, fragmented);
		else
			pr_str(j, "[ICMP requires IPv4]");
		return;
	case 58:
		if (ip[0] >> 4 == 6)
			pr_icmp6(j, ip, p, n, len, fragmented);
		else
			pr_str(j, "[ICMPv6 requires IPv6]");
		return;
	case 59: pr_str(j, "no next header"); return;
	default: pr_fmt(j, " ip-proto-%u %zu", nh, len); return;
	}
}

static int has_ports(unsigned nh) { return nh == 6 || nh == 17 || nh == 132 || nh == 33; }

/* ---- IPv4 ------------------------------------------------------------------ */

static void ip4_options(struct pjob *j, const uint8_t *p, size_t n)
{
	size_t i = 0;
	int first = 1;

	pr_str(j, ", options (");
	while (i < n) {
		unsigned t = p[i], l = t <= 1 ? 1 : (i + 1 < n ? p[i + 1] : 0);

		if (!first)
			pr_str(j, ",");
		first = 0;
		if (t == 0) {
			pr_str(j, "EOL");
			i++;
			continue;
		}
		if (t == 1) {
			pr_str(j, "NOP");
			i++;
			continue;
		}
		if (l < 2 || i + l > n) {
			pr_fmt(j, "unknown %u [bad length %u]", t, l);
			break;
		}
		switch (t) {
		case 7: pr_str(j, "RR"); break;
		case 68: pr_str(j, "TS"); break;
		case 130: pr_str(j, "security"); break;
		case 131: pr_str(j, "LSRR"); break;
		case 137: pr_str(j, "SSRR"); break;
		case 148: pr_str(j, "RA"); break;
		default: pr_fmt(j, "unknown %u", t); break;
		}
		i += l;
	}
	pr_str(j, ")");
}

static void ip4_verbose(struct pjob *j, const uint8_t *p, size_t hl, unsigned off, size_t n)
{
	static const char *const ecn[] = { "", ",ECT(1)", ",ECT(0)", ",CE" };
	char flags[16] = "";

	if (off & 0x2000)
		strcat(flags, "+");
	if (off & 0x4000)
		strcat(flags, flags[0] ? ", DF" : "DF");
	if (off & 0x8000)
		strcat(flags, flags[0] ? ", rsvd" : "rsvd");
	pr_fmt(j, "(tos 0x%x%s", p[1], ecn[p[1] & 3]);
	if (p[8] >= 1)
		pr_fmt(j, ", ttl %u", p[8]);
	pr_fmt(j, ", id %u, offset %u, flags [%s], proto %s (%u), length %u", rd16(p + 4),
	       (off & 0x1fff) * 8, flags[0] ? flags : "none", proto_name(p[9]), p[9], rd16(p + 2));
	if (hl > 20)
		ip4_options(j, p + 20, hl - 20 <= n - 20 ? hl - 20 : n - 20);
	if (hl <= n && !pr_cksum_ok(NULL, 0, p, hl))
		pr_fmt(j, ", bad cksum %x (->%x)!", rd16(p + 10), pr_cksum_want(NULL, 0, p, hl, 10));
	pr_str(j, ")\n    ");
}

void pr_ipv4(struct pjob *j, const uint8_t *p, size_t n, size_t len)
{
	size_t hl, tot;
	unsigned off;

	if (!j->o->link)
		pr_str(j, "IP ");
	if (n < 20) {
		pr_trunc(j, "ip");
		return;
	}
	if (p[0] >> 4 != 4) {
		pr_fmt(j, "IP%u ", p[0] >> 4);
		return;
	}
	hl = (size_t)(p[0] & 15) * 4;
	if (hl < 20) {
		pr_fmt(j, "bad-hlen %zu", hl);
		return;
	}
	tot = rd16(p + 2);
	if (len < tot)
		pr_fmt(j, "truncated-ip - %zu bytes missing! ", tot - len);
	if (tot < hl) {
		pr_fmt(j, "bad-len %zu", tot);
		return;
	}
	if (n > tot)
		n = tot;	/* tcpdump cuts its snapshot at the datagram's end */
	off = rd16(p + 6);
	if (j->o->verbose)
		ip4_verbose(j, p, hl, off, n);
	if (hl > n) {
		pr_trunc(j, "ip");
		return;
	}
	if ((off & 0x1fff) == 0) {
		if (!has_ports(p[9])) {
			pr_ip4(j, p + 12);
			pr_str(j, " > ");
			pr_ip4(j, p + 16);
			pr_str(j, ": ");
		}
		pr_demux(j, p, p[9], p + hl, n - hl, tot - hl, !!(off & 0x2000), 1);
		return;
	}
	if (j->o->quiet > 1)
		return;
	pr_ip4(j, p + 12);
	pr_str(j, " > ");
	pr_ip4(j, p + 16);
	pr_fmt(j, ": ip-proto-%u", p[9]);
}

/* ---- IPv6 ------------------------------------------------------------------ */

/* -v: hop-by-hop and destination options "(padn)(rtalert: 0x0000) ". */
static void ip6_options(struct pjob *j, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned t = p[i], l;

		if (t == 0) {
			pr_str(j, "(pad1)");
			i++;
			continue;
		}
		if (i + 2 > n || i + 2 + p[i + 1] > n) {
			pr_str(j, "[trunc]");
			break;
		}
		l = p[i + 1];
		if (t == 1)
			pr_str(j, "(padn)");
		else if (t == 5 && l == 2)
			pr_fmt(j, "(rtalert: 0x%04x) ", rd16(p + i + 2));
		else if (t == 0xc2 && l == 4)
			pr_fmt(j, "(jumbo: %u) ", rd32(p + i + 2));
		else
			pr_fmt(j, "(opt_type 0x%02x: len=%u)", t, l);
		i += 2 + l;
	}
	pr_str(j, " ");
}

void pr_ipv6(struct pjob *j, const uint8_t *p, size_t n, size_t len)
{
	size_t plen, total, off = 40;
	unsigned nh;
	int fragmented = 0;

	if (n < 40) {
		pr_trunc(j, "ip6");
		return;
	}
	if (!j->o->link)
		pr_str(j, "IP6 ");
	if (p[0] >> 4 != 6) {
		pr_fmt(j, "version error: %u != 6", p[0] >> 4);
		return;
	}
	plen = rd16(p + 4);
	total = plen ? plen + 40 : len;
	if (total > len)
		pr_fmt(j, "truncated-ip6 - %zu bytes missing!", total - len);
	if (n > total)
		n = total;
	nh = p[6];
	if (j->o->verbose) {
		uint32_t flow = rd32(p);

		pr_str(j, "(");
		if (flow & 0x0ff00000)
			pr_fmt(j, "class 0x%02x, ", (flow & 0x0ff00000) >> 20);
		if (flow & 0x000fffff)
			pr_fmt(j, "flowlabel 0x%05x, ", flow & 0x000fffff);
		pr_fmt(j, "hlim %u, next-header %s (%u) payload length: %zu) ", p[7], proto_name(nh), nh,
		       plen);
	}
	if (!has_ports(nh)) {
		pr_ip6(j, p + 8);
		pr_str(j, " > ");
		pr_ip6(j, p + 24);
		pr_str(j, ": ");
	}
	for (;;) {
		size_t ext;

		if (nh == 0 || nh == 60) {
			if (off + 2 > n) {
				pr_trunc(j, "ip6");
				return;
			}
			ext = ((size_t)p[off + 1] + 1) * 8;
			pr_str(j, nh == 0 ? "HBH " : "DSTOPT ");
			if (j->o->verbose && off + ext <= n)
				ip6_options(j, p + off + 2, ext - 2);
		} else if (nh == 44) {
			unsigned fo;

			if (off + 8 > n) {
				pr_trunc(j, "frag");
				return;
			}
			fo = rd16(p + off + 2);
			if (j->o->verbose)
				pr_fmt(j, "frag (0x%08x:%u|%zu)", rd32(p + off + 4), fo & 0xfff8,
				       total - off - 8);
			else
				pr_fmt(j, "frag (%u|%zu)", fo & 0xfff8, total - off - 8);
			fragmented = 1;
			if (fo & 0xfff8)
				return;
			pr_str(j, " ");
			ext = 8;
		} else {
			break;
		}
		nh = p[off];
		off += ext;
		if (off > n || off > total) {
			return;
		}
	}
	pr_demux(j, p, nh, p + off, n - off, total - off, fragmented, p[6] == nh);
}
