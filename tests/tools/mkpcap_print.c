/*
 * mkpcap_print.c -- the printer's sample set (mkpcap -p OUT.pcap), included
 * by mkpcap.c (it shares its frame builders).
 *
 * One Ethernet packet per case the one-line printer distinguishes, with
 * correct transport checksums (for -v), addresses in 198.18.0.0/15 and
 * 2001:2::/48, and ports no tcpdump payload decoder claims (so that the
 * lines are those of the transport layer alone).
 */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static unsigned csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/*
 * Set the checksum of the transport header at l4 (field at offset at) over
 * the rest of the frame, with the pseudo-header of the IP header at ip
 * (none for ICMP: pseudo 0).
 */
static void l4_csum(struct frame *f, size_t ip, size_t l4, size_t at, int pseudo)
{
	uint8_t *p = f->b;
	size_t len = f->n - l4;
	uint32_t sum = 0;
	unsigned v;

	p[l4 + at] = p[l4 + at + 1] = 0;
	if (pseudo && p[ip] >> 4 == 4) {
		sum = csum_add(0, p + ip + 12, 8);
		sum += p[ip + 9] + (uint32_t)len;
	} else if (pseudo) {
		sum = csum_add(0, p + ip + 8, 32);
		sum += (uint32_t)pseudo + (uint32_t)len;
	}
	v = csum_fold(csum_add(sum, p + l4, len));
	p[l4 + at] = (uint8_t)(v >> 8);
	p[l4 + at + 1] = (uint8_t)v;
}

/* A TCP header with options (padded with NOPs to 4 bytes) and payload bytes. */
static size_t tcp_opts(struct frame *f, unsigned sport, unsigned dport, uint32_t seq,
		       uint32_t ack, unsigned flags, const uint8_t *opt, size_t optlen,
		       size_t payload, unsigned urp)
{
	size_t start = f->n, pad = (4 - optlen % 4) % 4, i;

	put16(f, sport);
	put16(f, dport);
	put32(f, seq);
	put32(f, ack);
	put8(f, (unsigned)((20 + optlen + pad) / 4) << 4);
	put8(f, flags);
	put16(f, 64240);
	put16(f, 0);
	put16(f, urp);
	putn(f, opt, optlen);
	for (i = 0; i < pad; i++)
		put8(f, 1);
	for (i = 0; i < payload; i++)
		put8(f, 'a' + (unsigned)(i % 26));
	return start;
}

#define OPTS(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

/* TCP over IPv4 (v6 == 0) or IPv6 between host 1 (client) and 2. */
static void tcp4(struct frame *f, int v6, int from_server, uint32_t seq, uint32_t ack,
		 unsigned flags, const uint8_t *opt, size_t optlen, size_t payload)
{
	size_t hl = 20 + optlen + (4 - optlen % 4) % 4, ip, l4;
	unsigned a = from_server ? 2 : 1, b = from_server ? 1 : 2;
	unsigned pa = from_server ? 43210 : 40000, pb = from_server ? 40000 : 43210;

	eth(f, from_server ? mac_a : mac_b, from_server ? mac_b : mac_a, v6 ? 0x86dd : 0x0800);
	ip = f->n;
	if (v6)
		ipv6(f, 6, a, b, hl + payload);
	else
		ipv4(f, 6, a, b, hl + payload, 0, 0x4000);
	l4 = tcp_opts(f, pa, pb, seq, ack, flags, opt, optlen, payload, 0);
	l4_csum(f, ip, l4, 16, 6);
}

static void udp_pkt(struct frame *f, int v6, unsigned sport, unsigned dport, size_t payload)
{
	size_t ip, l4;

	eth(f, mac_b, mac_a, v6 ? 0x86dd : 0x0800);
	ip = f->n;
	if (v6)
		ipv6(f, 17, 1, 2, 8 + payload);
	else
		ipv4(f, 17, 1, 2, 8 + payload, 0, 0);
	l4 = f->n;
	udp(f, sport, dport, payload);
	l4_csum(f, ip, l4, 6, 17);
}

/* ICMP: type, code, the 4-byte rest of the header, payload bytes. */
static void icmp4(struct frame *f, unsigned type, unsigned code, uint32_t rest, size_t payload)
{
	size_t ip, l4, i;

	eth(f, mac_b, mac_a, 0x0800);
	ip = f->n;
	ipv4(f, 1, 1, 2, 8 + payload, 0, 0);
	l4 = f->n;
	put8(f, type); put8(f, code); put16(f, 0); put32(f, rest);
	for (i = 0; i < payload; i++)
		put8(f, (unsigned)i);
	l4_csum(f, ip, l4, 2, 0);
}

/* ICMP error quoting an IPv4/UDP header 198.18.0.2:40001 -> 198.18.0.9:40002. */
static void icmp4_error(struct frame *f, unsigned type, unsigned code)
{
	size_t ip, l4;

	eth(f, mac_b, mac_a, 0x0800);
	ip = f->n;
	ipv4(f, 1, 1, 2, 8 + 28, 0, 0);
	l4 = f->n;
	put8(f, type); put8(f, code); put16(f, 0); put32(f, 0);
	ipv4(f, 17, 2, 9, 8 + 20, 0, 0);
	put16(f, 40001); put16(f, 40002); put16(f, 28); put16(f, 0);
	l4_csum(f, ip, l4, 2, 0);
}

/* ICMPv6: type, code, the 4-byte rest, then body bytes. */
static void icmp6(struct frame *f, unsigned type, unsigned code, uint32_t rest,
		  const uint8_t *body, size_t n)
{
	size_t ip, l4;

	eth(f, mac_b, mac_a, 0x86dd);
	ip = f->n;
	ipv6(f, 58, 1, 2, 8 + n);
	f->b[ip + 7] = 255;
	l4 = f->n;
	put8(f, type); put8(f, code); put16(f, 0); put32(f, rest);
	putn(f, body, n);
	l4_csum(f, ip, l4, 2, 58);
}

#define V6(last) 0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last

/* SCTP common header and chunks (the checksum is left 0: tcpdump ignores it). */
static void sctp(struct frame *f, const uint8_t *chunks, size_t n)
{
	eth(f, mac_b, mac_a, 0x0800);
	ipv4(f, 132, 1, 2, 12 + n, 0, 0x4000);
	put16(f, 40000); put16(f, 9899); put32(f, 0x01020304); put32(f, 0);
	putn(f, chunks, n);
}

static void arp_pkt(struct frame *f, unsigned op)
{
	eth(f, op == 1 ? mac_bc : mac_a, mac_b, 0x0806);
	put16(f, 1); put16(f, 0x0800); put8(f, 6); put8(f, 4); put16(f, op);
	putn(f, mac_b, 6); put32(f, 0xc6120002u);
	putn(f, op == 1 ? (const uint8_t[6]){ 0 } : mac_a, 6); put32(f, 0xc6120001u);
	while (f->n < 60)
		put8(f, 0);
}

static void print_build_tcp(unsigned i, struct frame *f)
{
	switch (i) {
	case 0: tcp4(f, 0, 0, 1000, 0, 0x02, OPTS(2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 100,
		     0, 0, 0, 0, 1, 3, 3, 7), 0); break;
	case 1: tcp4(f, 0, 1, 5000, 1001, 0x12, OPTS(2, 4, 5, 180, 1, 1, 4, 2, 1, 3, 3, 7), 0); break;
	case 2: tcp4(f, 0, 0, 1001, 5001, 0x10, NULL, 0, 0); break;
	case 3: tcp4(f, 0, 0, 1001, 5001, 0x18, OPTS(1, 1, 8, 10, 0, 0, 0, 101, 0, 0, 0, 200), 100); break;
	case 4: tcp4(f, 0, 1, 5001, 1101, 0x10, OPTS(1, 1, 5, 10, 0, 0, 3, 233, 0, 0, 4, 77), 0); break;
	case 5: tcp4(f, 0, 0, 1101, 5001, 0x11, NULL, 0, 0); break;
	case 6: tcp4(f, 0, 1, 5001, 1102, 0x11, NULL, 0, 0); break;
	case 7: tcp4(f, 0, 0, 1102, 0, 0x04, NULL, 0, 0); break;
	case 8: tcp4(f, 0, 0, 7, 9, 0xf0, OPTS(253, 4, 0xbe, 0xef, 0, 0), 10);
		f->b[14 + 20 + 19] = 5;	/* urgent pointer */
		f->b[14 + 20 + 13] |= 0x20; break;
	case 9: tcp4(f, 0, 1, 77, 0, 0x00, NULL, 0, 0); break;
	case 10: tcp4(f, 0, 0, 1, 2, 0x14, OPTS(1, 2, 4, 2, 0, 19, 18, 1, 2, 3, 4, 5, 6,
		      7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0), 0); break;
	case 11: tcp4(f, 1, 0, 3000, 0, 0x02, OPTS(2, 4, 5, 160, 4, 2, 8, 10, 0, 0, 1, 0,
		      0, 0, 0, 0, 1, 3, 3, 7), 0); break;
	case 12: tcp4(f, 1, 1, 9000, 3001, 0x12, OPTS(2, 4, 5, 160), 0); break;
	case 13: tcp4(f, 1, 0, 3001, 9001, 0x18, NULL, 0, 33); break;
	}
}

static void print_build_icmp(unsigned i, struct frame *f)
{
	switch (i) {
	case 0: icmp4(f, 8, 0, 0x00070001, 56); break;
	case 1: icmp4(f, 0, 0, 0x00070001, 56); break;
	case 2: icmp4_error(f, 3, 3); break;
	case 3: icmp4_error(f, 3, 1); break;
	case 4: icmp4_error(f, 11, 0); break;
	case 5: icmp4(f, 13, 0, 0x00010002, 12); break;
	case 6: icmp4(f, 99, 0, 0, 4); break;
	case 7: icmp4_error(f, 3, 4); f->b[14 + 20 + 6] = 0x05; f->b[14 + 20 + 7] = 0xdc; break;
	case 8: icmp4_error(f, 5, 1); f->b[14 + 20 + 4] = 198; f->b[14 + 20 + 5] = 18;
		f->b[14 + 20 + 7] = 254; break;
	case 9: icmp6(f, 128, 0, 0x00070001, OPTS(1, 2, 3, 4, 5, 6, 7, 8)); break;
	case 10: icmp6(f, 129, 0, 0x00070001, OPTS(1, 2, 3, 4, 5, 6, 7, 8)); break;
	case 11: icmp6(f, 135, 0, 0, OPTS(V6(2), 1, 1, 2, 0, 0x5e, 0x10, 0, 1)); break;
	case 12: icmp6(f, 136, 0, 0x60000000, OPTS(V6(2), 2, 1, 2, 0, 0x5e, 0x10, 0, 2)); break;
	case 13: icmp6(f, 133, 0, 0, OPTS(1, 1, 2, 0, 0x5e, 0x10, 0, 1)); break;
	case 14: icmp6(f, 134, 0, 0x40000708, OPTS(0, 0, 0, 0, 0, 0, 0, 0)); break;
	case 15: icmp6(f, 1, 4, 0, OPTS(0x60, 0, 0, 0, 0, 8, 17, 64, V6(2), V6(3),
		      0x9c, 0x41, 0x9c, 0x42, 0, 8, 0, 0)); break;
	case 16: icmp6(f, 2, 0, 1280, OPTS(0x60, 0, 0, 0, 0, 8, 17, 64, V6(1), V6(3))); break;
	case 17: icmp6(f, 3, 0, 0, OPTS(0x60, 0, 0, 0, 0, 8, 17, 64, V6(1), V6(3))); break;
	case 18: icmp6(f, 143, 0, 1, OPTS(4, 0, 0, 0, 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		      0, 0, 0, 0xfb)); break;
	case 19: icmp6(f, 250, 0, 0, NULL, 0); break;
	case 20: icmp6(f, 1, 3, 0, OPTS(0x60, 0, 0, 0, 0, 8, 17, 64, V6(2), V6(3))); break;
	}
}

static void zeros(struct frame *f, size_t n)
{
	memset(f->b + f->n, 0, n);
	f->n += n;
}

static void print_build_other(unsigned i, struct frame *f, size_t *caplen)
{
	size_t ip, l4;

	switch (i) {
	case 0: udp_pkt(f, 0, 40000, 40001, 20); break;
	case 1: udp_pkt(f, 1, 40000, 40001, 20); break;
	case 2: sctp(f, OPTS(1, 0, 0, 20, 0, 0, 0, 9, 0, 1, 0, 0, 0, 10, 0, 10, 0, 0, 0, 42)); break;
	case 3: sctp(f, OPTS(0, 3, 0, 20, 0, 0, 0, 42, 0, 1, 0, 0, 0, 0, 0, 0, 'h', 'i', '!', 0,
		     3, 0, 0, 16, 0, 0, 0, 41, 0, 0, 16, 0, 0, 0, 0, 0)); break;
	case 4: sctp(f, OPTS(6, 0, 0, 4, 7, 0, 0, 4, 14, 0, 0, 4)); break;
	case 5: arp_pkt(f, 1); break;
	case 6: arp_pkt(f, 2); break;
	case 7: eth(f, mac_b, mac_a, 0x8100); put16(f, 0x2064); put16(f, 0x0800);
		ipv4(f, 17, 1, 2, 8 + 4, 0, 0); udp(f, 40000, 40001, 4); break;
	case 8: eth(f, mac_b, mac_a, 0x88a8); put16(f, 0x000a); put16(f, 0x8100); put16(f, 0x0014);
		put16(f, 0x0806); put16(f, 1); put16(f, 0x0800); put8(f, 6); put8(f, 4); put16(f, 1);
		putn(f, mac_a, 6); put32(f, 0xc6120001u); putn(f, (const uint8_t[6]){ 0 }, 6);
		put32(f, 0xc6120002u); break;
	case 9: eth(f, mac_b, mac_a, 0x86dd); ip = f->n; ipv6(f, 0, 1, 2, 8 + 8 + 4);
		put8(f, 17); put8(f, 0); put8(f, 1); put8(f, 4); put32(f, 0);
		l4 = f->n; udp(f, 40000, 40001, 4); l4_csum(f, ip, l4, 6, 17); break;
	case 10: eth(f, mac_b, mac_a, 0x86dd); ipv6(f, 44, 1, 2, 8 + 8 + 8);
		put8(f, 17); put8(f, 0); put16(f, 0x0001); put32(f, 0xabcd);
		udp(f, 40000, 40001, 8); break;
	case 11: eth(f, mac_b, mac_a, 0x86dd); ipv6(f, 44, 1, 2, 8 + 16);
		put8(f, 17); put8(f, 0); put16(f, 0x0008); put32(f, 0xabcd);
		zeros(f, 16); break;
	case 12: eth(f, mac_b, mac_a, 0x0800); ipv4(f, 17, 1, 2, 8 + 16, 0, 0x2000);
		udp(f, 40000, 40001, 16); break;
	case 13: eth(f, mac_b, mac_a, 0x0800); ipv4(f, 17, 1, 2, 24, 0, 0x0003);
		zeros(f, 24); break;
	case 14: eth(f, mac_b, mac_a, 0x0800); ipv4(f, 6, 1, 2, 20, 4, 0x4000);
		tcp(f, 40000, 43210, 0x02); break;
	case 15: eth(f, mac_b, mac_a, 0x88b5); zeros(f, 46); f->b[20] = 0x41; break;
	case 16: eth(f, mac_b, mac_a, 0x0800); ipv4(f, 253, 1, 2, 10, 0, 0);
		zeros(f, 10); break;
	case 17: eth(f, mac_b, mac_a, 0x86dd); ipv6(f, 253, 1, 2, 10);
		zeros(f, 10); break;
	case 18: udp_pkt(f, 0, 40000, 40001, 20); *caplen = 14 + 10; return;
	case 19: udp_pkt(f, 0, 40000, 40001, 20); *caplen = 14 + 20 + 4; return;
	case 20: tcp4(f, 0, 0, 1, 0, 0x02, NULL, 0, 0); *caplen = 14 + 20 + 10; return;
	case 21: icmp4(f, 8, 0, 0x00070001, 56); *caplen = 14 + 20 + 4; return;
	case 22: eth(f, mac_b, mac_a, 0x0800); ipv4(f, 17, 1, 2, 8 + 4, 0, 0);
		udp(f, 40000, 40001, 4); f->b[14 + 3] = 80; break;	/* ip len > frame */
	case 23: eth(f, mac_bc, mac_a, 0x0806); put16(f, 6); put16(f, 0x0800); put8(f, 6);
		put8(f, 4); put16(f, 1); zeros(f, 20); break;
	}
	*caplen = f->n;
}

#define PRINT_TCP 14u
#define PRINT_ICMP 21u
#define PRINT_OTHER 24u

static int write_print_set(const char *path)
{
	FILE *o = fopen(path, "wb");
	unsigned i, n = 0;

	if (!o) {
		perror(path);
		return 1;
	}
	w32(o, 0xa1b2c3d4u);
	fwrite((const uint16_t[2]){ 2, 4 }, 2, 2, o);
	w32(o, 0);
	w32(o, 0);
	w32(o, 262144);
	w32(o, 1);
	for (i = 0; i < PRINT_TCP + PRINT_ICMP + PRINT_OTHER; i++, n++) {
		struct frame f = { .n = 0 };
		size_t caplen = 0;

		if (i < PRINT_TCP)
			print_build_tcp(i, &f);
		else if (i < PRINT_TCP + PRINT_ICMP)
			print_build_icmp(i - PRINT_TCP, &f);
		else
			print_build_other(i - PRINT_TCP - PRINT_ICMP, &f, &caplen);
		if (!caplen)
			caplen = f.n;
		record(o, n * 37u, &f, caplen);
	}
	if (fclose(o) != 0) {
		perror(path);
		return 1;
	}
	return 0;
}
