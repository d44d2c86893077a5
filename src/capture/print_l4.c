/*
 * print_l4.c -- TCP, UDP and SCTP as tcpdump 4.99 -n prints them, and the
 * Internet checksums -v reports.
 *
 * TCP: flags, sequence numbers relative to the first ACK-bearing segment
 * of each conversation (tcpdump's table, kept in cap_print_state, both
 * directions in one entry), window, urgent pointer, options, length.
 * Payloads are not decoded (tcpdump's port-based application printers
 * are not part of pfc): the line ends at the transport layer.
 * Keeps true: reads stay inside the captured bytes; a field the capture
 * cut prints " [|tcp]" (udp, sctp) as tcpdump does.
 */
#include <string.h>

#include "print_int.h"

/* ---- checksums ------------------------------------------------------------- */

static uint32_t sum_words(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static unsigned fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (unsigned)sum;
}

static uint64_t pseudo(const uint8_t *ip, unsigned proto, size_t len)
{
	if (!ip)
		return 0;
	if (ip[0] >> 4 == 4)
		return sum_words(0, ip + 12, 8) + proto + (uint64_t)len;
	return sum_words(0, ip + 8, 32) + proto + (uint64_t)len;
}

int pr_cksum_ok(const uint8_t *ip, unsigned proto, const uint8_t *p, size_t len)
{
	return fold(pseudo(ip, proto, len) + sum_words(0, p, len)) == 0xffff;
}

unsigned pr_cksum_want(const uint8_t *ip, unsigned proto, const uint8_t *p, size_t len,
		       size_t at)
{
	uint64_t sum = pseudo(ip, proto, len) + sum_words(0, p, at < len ? at : len);

	if (len > at + 2)	/* the bytes after the field, if any */
		sum += sum_words(0, p + at + 2, len - at - 2);

	return ~fold(sum) & 0xffff;
}

/* ---- addresses ------------------------------------------------------------- */

static void pr_addr(struct pjob *j, const uint8_t *ip, int dst)
{
	if (ip[0] >> 4 == 4)
		pr_ip4(j, ip + (dst ? 16 : 12));
	else
		pr_ip6(j, ip + (dst ? 24 : 8));
}

/* "src.sport > dst.dport: ", or "sport > dport: " when addrs is 0. */
static void pr_ends(struct pjob *j, const uint8_t *ip, unsigned sport, unsigned dport, int addrs)
{
	if (addrs) {
		pr_addr(j, ip, 0);
		pr_str(j, ".");
	}
	pr_u(j, sport);
	pr_str(j, " > ");
	if (addrs) {
		pr_addr(j, ip, 1);
		pr_str(j, ".");
	}
	pr_u(j, dport);
	pr_str(j, ": ");
}

/* ---- TCP ------------------------------------------------------------------- */

struct tcp_seq {
	uint32_t seq, ack;	/* as printed */
	uint32_t thseq, thack;	/* the conversation's bases (for SACK blocks) */
	int rev;
};

/* tcpdump's relative sequence numbers: the conversation table lookup. */
static void tcp_relative(struct pjob *j, const uint8_t *ip, const uint8_t *p, struct tcp_seq *s)
{
	unsigned sport = rd16(p), dport = rd16(p + 2);
	int v6 = ip[0] >> 4 == 6;
	size_t alen = v6 ? 16 : 4;
	const uint8_t *src = ip + (v6 ? 8 : 12), *dst = src + alen;
	uint8_t key[40];
	struct pr_conv *c;
	uint32_t port;

	s->rev = sport > dport || (sport == dport && memcmp(src, dst, alen) > 0);
	memset(key, 0, sizeof(key));
	key[0] = (uint8_t)v6;
	memcpy(key + 1, s->rev ? dst : src, alen);
	memcpy(key + 17, s->rev ? src : dst, alen);
	port = s->rev ? dport << 16 | sport : sport << 16 | dport;
	memcpy(key + 33, &port, 4);
	c = pr_conv_find(j->st, key, 0);
	if (!c || (p[13] & 0x02)) {
		if (!c && !(c = pr_conv_find(j->st, key, 1)))
			return;	/* out of memory: absolute numbers */
		if (s->rev)
			c->ack = s->seq, c->seq = s->ack - 1;
		else
			c->seq = s->seq, c->ack = s->ack - 1;
	} else if (s->rev) {
		s->seq -= c->ack, s->ack -= c->seq;
	} else {
		s->seq -= c->seq, s->ack -= c->ack;
	}
	s->thseq = c->seq;
	s->thack = c->ack;
}

static const char *tcp_opt_name(unsigned t)
{
	switch (t) {
	case 0: return "eol";
	case 1: return "nop";
	case 2: return "mss";
	case 3: return "wscale";
	case 4: return "sackOK";
	case 5: return "sack";
	case 6: return "echo";
	case 7: return "echoreply";
	case 8: return "TS";
	case 11: return "cc";
	case 12: return "ccnew";
	case 13: return "";
	case 19: return "md5";
	case 20: return "scps";
	case 28: return "uto";
	case 29: return "tcp-ao";
	case 30: return "mptcp";
	case 34: return "tfo";
	case 254: return "exp";
	default: return NULL;
	}
}

/* One option's data (len bytes at d, data only); -1 when its length is wrong. */
static int tcp_opt_data(struct pjob *j, unsigned t, const uint8_t *d, unsigned dlen,
			const struct tcp_seq *s, unsigned *used)
{
	unsigned i;

	*used = 0;
	switch (t) {
	case 2: if (dlen < 2) return -1; pr_fmt(j, " %u", rd16(d)); *used = 2; return 0;
	case 3: if (dlen < 1) return -1; pr_fmt(j, " %u", d[0]); *used = 1; return 0;
	case 5:
		*used = dlen;
		if (dlen % 8) {
			pr_str(j, " invalid sack");
			return 0;
		}
		pr_fmt(j, " %u ", dlen / 8);
		for (i = 0; i < dlen; i += 8) {
			uint32_t a = rd32(d + i), b = rd32(d + i + 4);
			uint32_t base = s->rev ? s->thseq : s->thack;

			pr_fmt(j, "{%u:%u}", a - base, b - base);
		}
		return 0;
	case 6: case 7: case 11: case 12: case 13:
		if (dlen < 4) return -1;
		pr_fmt(j, " %u", rd32(d));
		*used = 4;
		return 0;
	case 8:
		if (dlen < 8) return -1;
		pr_fmt(j, " val %u ecr %u", rd32(d), rd32(d + 4));
		*used = 8;
		return 0;
	case 254:
		if (dlen < 2) return -1;
		pr_fmt(j, "-%04x", rd16(d));
		*used = dlen;
		return 0;
	case 19:
		if (dlen < 16) return -1;
		pr_str(j, " shared secret not supplied with -M, can't check - ");
		for (i = 0; i < 16; i++)
			pr_fmt(j, "%02x", d[i]);
		*used = 16;
		return 0;
	default:
		if (dlen)
			pr_str(j, " 0x");
		for (i = 0; i < dlen; i++)
			pr_fmt(j, "%02x", d[i]);
		*used = dlen;
		return 0;
	}
}

/* ", options [...]": 0, or -1 after "[bad opt]" / a truncation (the line ends there). */
static int tcp_options(struct pjob *j, const uint8_t *o, size_t olen, size_t cap,
		       const struct tcp_seq *s)
{
	size_t i = 0;
	int any = 0;

	pr_str(j, ", options [");
	while (i < olen) {
		unsigned t, len, used;
		const char *name;

		if (any)
			pr_str(j, ",");
		if (i >= cap)
			goto trunc;
		t = o[i];
		len = t <= 1 ? 1 : 0;
		if (!len) {
			if (i + 1 >= cap)
				goto trunc;
			len = o[i + 1];
			if (len < 2 || len > olen - i)
				goto bad;
		}
		name = tcp_opt_name(t);
		if (name)
			pr_str(j, name);
		else
			pr_fmt(j, "unknown-%u", t);
		if (len > 1) {
			if (i + len > cap)
				goto trunc;
			if (tcp_opt_data(j, t, o + i + 2, len - 2, s, &used) < 0)
				goto bad;
			if (used + 2 != len)
				pr_fmt(j, "[len %u]", len);
		}
		i += len;
		any = 1;
		if (t == 0)
			break;
	}
	pr_str(j, "]");
	return 0;
bad:
	pr_str(j, "[bad opt]");
	if (any)
		pr_str(j, "]");
	return -1;
trunc:
	pr_trunc(j, "tcp");
	if (any)
		pr_str(j, "]");
	return -1;
}

static void tcp_flags(struct pjob *j, unsigned f)
{
	static const char letters[] = "FSRP.UEW";
	char s[9];
	size_t n = 0;
	unsigned i;

	for (i = 0; i < 8; i++)
		if (f & (1u << i))
			s[n++] = letters[i];
	s[n] = '\0';
	pr_fmt(j, "Flags [%s]", n ? s : "none");
}

void pr_tcp(struct pjob *j, const uint8_t *ip, const uint8_t *p, size_t n, size_t len,
	    int addrs, int fragmented)
{
	struct tcp_seq s = { 0, 0, 0, 0, 0 };
	size_t hl;
	unsigned flags;

	addrs = addrs && (ip[0] >> 4 == 4 ? ip[9] == 6 : ip[6] == 6);
	if (n < 4) {
		pr_addr(j, ip, 0);
		pr_str(j, " > ");
		pr_addr(j, ip, 1);
		pr_str(j, ":");
		pr_trunc(j, "tcp");
		return;
	}
	pr_ends(j, ip, rd16(p), rd16(p + 2), addrs);
	if (n < 20) {
		pr_trunc(j, "tcp");
		return;
	}
	hl = (size_t)(p[12] >> 4) * 4;
	if (hl < 20) {
		pr_fmt(j, " tcp %zu [bad hdr length %zu - too short, < 20]", len - hl, hl);
		return;
	}
	if (j->o->quiet) {
		pr_fmt(j, "tcp %zu", len - hl);
		if (hl > len)
			pr_fmt(j, " [bad hdr length %zu - too long, > %zu]", hl, len);
		return;
	}
	flags = p[13];
	tcp_flags(j, flags);
	s.seq = rd32(p + 4);
	s.ack = rd32(p + 8);
	if (j->st && !j->o->absolute_seq && (flags & 0x10))
		tcp_relative(j, ip, p, &s);
	if (hl > len) {
		pr_fmt(j, " [bad hdr length %zu - too long, > %zu]", hl, len);
		return;
	}
	if (j->o->verbose && !fragmented && n >= len && (ip[0] >> 4 == 4 || rd16(ip + 4))) {
		pr_fmt(j, ", cksum 0x%04x", rd16(p + 16));
		if (pr_cksum_ok(ip, 6, p, len))
			pr_str(j, " (correct)");
		else
			pr_fmt(j, " (incorrect -> 0x%04x)", pr_cksum_want(ip, 6, p, len, 16));
	}
	len -= hl;
	if (j->o->verbose > 1 || len > 0 || (flags & 0x07)) {
		pr_fmt(j, ", seq %u", s.seq);
		if (len > 0)
			pr_fmt(j, ":%u", s.seq + (uint32_t)len);
	}
	if (flags & 0x10)
		pr_fmt(j, ", ack %u", s.ack);
	pr_fmt(j, ", win %u", rd16(p + 14));
	if (flags & 0x20)
		pr_fmt(j, ", urg %u", rd16(p + 18));
	if (hl > 20 && tcp_options(j, p + 20, hl - 20, n - 20, &s) < 0)
		return;
	pr_fmt(j, ", length %zu", len);
}

/* ---- UDP ------------------------------------------------------------------- */

static void udp_cksum(struct pjob *j, const uint8_t *ip, const uint8_t *p, size_t n, size_t len)
{
	if (ip[0] >> 4 == 4) {
		if (j->o->verbose < 2)
			return;
		if (rd16(p + 6) == 0) {
			pr_str(j, "[no cksum] ");
			return;
		}
	}
	if (n < len)
		return;
	if (pr_cksum_ok(ip, 17, p, len))
		pr_str(j, "[udp sum ok] ");
	else
		pr_fmt(j, "[bad udp cksum 0x%04x -> 0x%04x!] ", rd16(p + 6),
		       pr_cksum_want(ip, 17, p, len, 6));
}

void pr_udp(struct pjob *j, const uint8_t *ip, const uint8_t *p, size_t n, size_t len,
	    int addrs, int fragmented)
{
	size_t ulen;

	addrs = addrs && (ip[0] >> 4 == 4 ? ip[9] == 17 : ip[6] == 17);
	if (n < 4) {
		if (addrs) {
			pr_addr(j, ip, 0);
			pr_str(j, " > ");
			pr_addr(j, ip, 1);
			pr_str(j, ": ");
		}
		pr_trunc(j, "udp");
		return;
	}
	if (len < 8) {
		pr_ends(j, ip, rd16(p), rd16(p + 2), addrs);
		pr_fmt(j, " truncated-udp %zu", len);
		return;
	}
	pr_ends(j, ip, rd16(p), rd16(p + 2), addrs);
	if (n < 6) {
		pr_trunc(j, "udp");
		return;
	}
	ulen = rd16(p + 4);
	if (ulen == 0 && len > 65535)
		ulen = len;
	if (ulen < 8) {
		pr_fmt(j, " truncated-udplength %zu", ulen);
		return;
	}
	if (n < 8) {
		pr_trunc(j, "udp");
		return;
	}
	if (j->o->verbose && !fragmented && ulen <= len)
		udp_cksum(j, ip, p, n, ulen);
	ulen -= 8;
	len -= 8;
	if (ulen > len && !fragmented)
		pr_fmt(j, "UDP, bad length %zu > %zu", ulen, len);
	else
		pr_fmt(j, "UDP, length %zu", ulen);
}

/* ---- SCTP ------------------------------------------------------------------ */

static const char *sctp_chunk_name(unsigned t)
{
	static const char *const names[] = {
		"DATA", "INIT", "INIT ACK", "SACK", "HB REQ", "HB ACK", "ABORT", "SHUTDOWN",
		"SHUTDOWN ACK", "OP ERR", "COOKIE ECHO", "COOKIE ACK", "ECN ECHO", "ECN CWR",
		"SHUTDOWN COMPLETE",
	};

	if (t < sizeof(names) / sizeof(names[0]))
		return names[t];
	if (t == 0xc0)
		return "FOR CUM TSN";
	return NULL;
}

static const char *sctp_ppid_name(uint32_t v)
{
	static const char *const names[] = {
		NULL, "IUA", "M2UA", "M3UA", "SUA", "M2PA", "V5UA", "H.248", "BICC", "TALI", "DUA",
		"ASAP", "ENRP", "H.323", "Q.IPC", "SIMCO", "DDP Segment", "DDP Stream", "S1AP",
		"RUA", "HNBAP", "ForCES-HP", "ForCES-MP", "ForCES-LP", "SBc-AP", "NBAP",
	};

	return v < sizeof(names) / sizeof(names[0]) ? names[v] : NULL;
}

/* A chunk's body (c: after its 4-byte descriptor, clen bytes); -1 ends the packet. */
static int sctp_chunk(struct pjob *j, unsigned type, unsigned flags, const uint8_t *c,
		      size_t clen)
{
	const char *ppid;
	unsigned i, gaps, dups;

	switch (type) {
	case 0:
		if (flags & 4) pr_str(j, "(U)");
		if (flags & 2) pr_str(j, "(B)");
		if (flags & 1) pr_str(j, "(E)");
		if (flags & 7) pr_str(j, " ");
		if (clen < 12) {
			pr_fmt(j, "bogus chunk length %zu]", clen + 4);
			return -1;
		}
		pr_fmt(j, "[TSN: %u] [SID: %u] [SSEQ %u] ", rd32(c), rd16(c + 4), rd16(c + 6));
		ppid = sctp_ppid_name(rd32(c + 8));
		if (ppid)
			pr_fmt(j, "[PPID %s] ", ppid);
		else
			pr_fmt(j, "[PPID 0x%x] ", rd32(c + 8));
		if (clen == 12) {
			pr_str(j, " empty data chunk");
			return -1;
		}
		return 0;
	case 1: case 2:
		if (clen < 16)
			return 0;
		pr_fmt(j, "[init tag: %u] [rwnd: %u] [OS: %u] [MIS: %u] [init TSN: %u] ", rd32(c),
		       rd32(c + 4), rd16(c + 8), rd16(c + 10), rd32(c + 12));
		return 0;
	case 3:
		if (clen < 12)
			return 0;
		gaps = rd16(c + 8), dups = rd16(c + 10);
		pr_fmt(j, "[cum ack %u] [a_rwnd %u] [#gap acks %u] ", rd32(c), rd32(c + 4), gaps);
		for (i = 0; i < gaps && 12 + 4 * (size_t)i + 4 <= clen; i++)
			pr_fmt(j, "\n\t\t[gap ack block #%u: start = %u, end = %u] ", i + 1,
			       rd32(c) + rd16(c + 12 + 4 * i), rd32(c) + rd16(c + 14 + 4 * i));
		pr_fmt(j, "[#dup tsns %u] ", dups);
		for (i = 0; i < dups && 12 + 4 * ((size_t)gaps + i) + 4 <= clen; i++)
			pr_fmt(j, "\n\t\t[dup TSN #%u: %u] ", i + 1, rd32(c + 12 + 4 * (gaps + i)));
		return 0;
	default:
		return 0;
	}
}

void pr_sctp(struct pjob *j, const uint8_t *ip, const uint8_t *p, size_t n, size_t len)
{
	const char *sep = j->o->verbose >= 2 ? "\n\t" : " (";
	size_t off = 12, rem;
	unsigned count;

	if (n < 12) {
		pr_trunc(j, "sctp");
		return;
	}
	if (len < 12) {
		pr_fmt(j, "truncated-sctp - %zu bytes missing!", 12 - len);
		return;
	}
	pr_addr(j, ip, 0);
	pr_fmt(j, ".%u > ", rd16(p));
	pr_addr(j, ip, 1);
	pr_fmt(j, ".%u: sctp", rd16(p + 2));
	rem = len - 12;
	for (count = 1; rem > 0; count++) {
		size_t clen, align;
		const char *name;

		if (off + 4 > n) {
			pr_trunc(j, "sctp");
			return;
		}
		clen = rd16(p + off + 2);
		if (clen < 4) {
			pr_fmt(j, "%s%u) [Bad chunk length %zu, < size of chunk descriptor]", sep, count,
			       clen);
			return;
		}
		align = (4 - clen % 4) % 4;
		if (rem < clen + align && rem < clen) {
			pr_fmt(j, "%s%u) [Bad chunk length %zu, > remaining data in packet]", sep,
			       count, clen);
			return;
		}
		if (off + clen > n) {
			pr_trunc(j, "sctp");
			return;
		}
		pr_fmt(j, "%s%u) ", sep, count);
		name = sctp_chunk_name(p[off]);
		if (name)
			pr_fmt(j, "[%s] ", name);
		else
			pr_fmt(j, "[Unknown chunk type: 0x%x] ", p[off]);
		if (sctp_chunk(j, p[off], p[off + 1], p + off + 4, clen - 4) < 0)
			return;
		if (j->o->verbose < 2)
			sep = ", (";
		off += clen + align;
		rem = rem > clen + align ? rem - clen - align : 0;
	}
}
