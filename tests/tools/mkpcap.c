/*
 * mkpcap.c -- write the project's own sample capture, deterministically.
 *
 * usage: mkpcap OUT.pcap [REPEAT]
 * An Ethernet pcap (microsecond, host byte order) with a mix of what filters
 * meet: IPv4 TCP/UDP/ICMP (with and without IP options, a fragment), IPv6
 * TCP/UDP/ICMPv6, ARP, an 802.1Q-tagged frame, and truncated records
 * (caplen < len).  Addresses are in 198.18.0.0/15 and 2001:2::/48 only.
 * REPEAT (default 1) writes the set that many times, for larger files.
 *
 * usage: mkpcap -p OUT.pcap
 * The printer's set instead (mkpcap_print.c): a packet for each case of
 * the one-line printer (TCP flags, options and conversations, UDP, ICMP and
 * ICMPv6 types, SCTP chunks, ARP, VLAN, IPv6 extension headers, fragments,
 * unknown ethertypes and protocols, truncation), with correct checksums.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct frame {
	uint8_t b[2048];
	size_t n;
};

static void put8(struct frame *f, unsigned v) { f->b[f->n++] = (uint8_t)v; }
static void put16(struct frame *f, unsigned v) { put8(f, v >> 8); put8(f, v & 0xff); }
static void put32(struct frame *f, uint32_t v) { put16(f, v >> 16); put16(f, v & 0xffff); }
static void putn(struct frame *f, const uint8_t *p, size_t n) { if (n) memcpy(f->b + f->n, p, n); f->n += n; }

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x02 };
static const uint8_t mac_bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void eth(struct frame *f, const uint8_t *dst, const uint8_t *src, unsigned type)
{
	putn(f, dst, 6);
	putn(f, src, 6);
	put16(f, type);
}

static void fix_ipv4_csum(uint8_t *ip, size_t hl)
{
	uint32_t sum = 0;
	size_t i;

	ip[10] = ip[11] = 0;
	for (i = 0; i < hl; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)(~sum & 0xff);
}

/* IPv4 header: 198.18.0.src -> 198.18.0.dst, optlen bytes of NOP options. */
static size_t ipv4(struct frame *f, unsigned proto, unsigned src, unsigned dst,
		   size_t payload, size_t optlen, unsigned frag)
{
	size_t start = f->n, hl = 20 + optlen, i;

	put8(f, 0x40 | (unsigned)(hl / 4));
	put8(f, 0);
	put16(f, (unsigned)(hl + payload));
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put32(f, 0xc6120000u | src);
	put32(f, 0xc6120000u | dst);
	for (i = 0; i < optlen; i++)
		put8(f, 1);
	fix_ipv4_csum(f->b + start, hl);
	return start;
}

static void ipv6(struct frame *f, unsigned next, unsigned src, unsigned dst, size_t payload)
{
	static const uint8_t pfx[6] = { 0x20, 0x01, 0x00, 0x02, 0x00, 0x00 };
	int i;

	put32(f, 0x60000000u);
	put16(f, (unsigned)payload);
	put8(f, next);
	put8(f, 64);
	putn(f, pfx, 6);
	for (i = 0; i < 9; i++)
		put8(f, 0);
	put8(f, src);
	putn(f, pfx, 6);
	for (i = 0; i < 9; i++)
		put8(f, 0);
	put8(f, dst);
}

static void tcp(struct frame *f, unsigned sport, unsigned dport, unsigned flags)
{
	put16(f, sport);
	put16(f, dport);
	put32(f, 1000);
	put32(f, 0);
	put8(f, 0x50);
	put8(f, flags);
	put16(f, 65535);
	put16(f, 0);
	put16(f, 0);
}

static void udp(struct frame *f, unsigned sport, unsigned dport, size_t payload)
{
	size_t i;

	put16(f, sport);
	put16(f, dport);
	put16(f, (unsigned)(8 + payload));
	put16(f, 0);
	for (i = 0; i < payload; i++)
		put8(f, (unsigned)i);
}

static void w32(FILE *o, uint32_t v) { fwrite(&v, 4, 1, o); }

static void record(FILE *o, unsigned idx, const struct frame *f, size_t caplen)
{
	w32(o, 1700000000u + idx);
	w32(o, (idx * 1013u) % 1000000u);
	w32(o, (uint32_t)caplen);
	w32(o, (uint32_t)f->n);
	fwrite(f->b, 1, caplen, o);
}

/* Build frame number i of the set; *caplen gets how much of it is captured. */
static void build(unsigned i, struct frame *f, size_t *caplen)
{
	f->n = 0;
	switch (i) {
	case 0: eth(f, mac_b, mac_a, 0x0800); ipv4(f, 6, 1, 2, 20, 0, 0); tcp(f, 40000, 80, 0x02); break;
	case 1: eth(f, mac_a, mac_b, 0x0800); ipv4(f, 6, 2, 1, 20, 0, 0); tcp(f, 80, 40000, 0x12); break;
	case 2: eth(f, mac_b, mac_a, 0x0800); ipv4(f, 17, 1, 3, 20, 0, 0); udp(f, 5353, 53, 12); break;
	case 3: eth(f, mac_b, mac_a, 0x0800); ipv4(f, 1, 1, 2, 8, 0, 0);
		put8(f, 8); put8(f, 0); put16(f, 0); put32(f, 0x00010001); break;
	case 4: eth(f, mac_b, mac_a, 0x0800); ipv4(f, 6, 1, 2, 20, 8, 0); tcp(f, 40001, 443, 0x18); break;
	case 5: eth(f, mac_b, mac_a, 0x0800); ipv4(f, 17, 1, 2, 16, 0, 0x2001); udp(f, 7, 7, 8); break;
	case 6: eth(f, mac_b, mac_a, 0x86dd); ipv6(f, 6, 1, 2, 20); tcp(f, 40002, 22, 0x02); break;
	case 7: eth(f, mac_b, mac_a, 0x86dd); ipv6(f, 17, 1, 3, 20); udp(f, 5353, 53, 12); break;
	case 8: eth(f, mac_b, mac_a, 0x86dd); ipv6(f, 58, 1, 2, 8);
		put8(f, 128); put8(f, 0); put16(f, 0); put32(f, 0x00010001); break;
	case 9: eth(f, mac_bc, mac_a, 0x0806);
		put16(f, 1); put16(f, 0x0800); put8(f, 6); put8(f, 4); put16(f, 1);
		putn(f, mac_a, 6); put32(f, 0xc6120001u); putn(f, (const uint8_t[6]){0}, 6);
		put32(f, 0xc6120002u); break;
	case 10: eth(f, mac_b, mac_a, 0x8100); put16(f, 0x0064); put16(f, 0x0800);
		ipv4(f, 17, 1, 2, 20, 0, 0); udp(f, 40003, 53, 12); break;
	case 11: eth(f, mac_b, mac_a, 0x0800); ipv4(f, 6, 1, 2, 20, 0, 0); tcp(f, 40004, 80, 0x10);
		*caplen = 40; return;	/* truncated inside the TCP header */
	case 12: eth(f, mac_b, mac_a, 0x86dd); ipv6(f, 6, 1, 2, 20); tcp(f, 40005, 80, 0x02);
		*caplen = 20; return;	/* truncated inside the IPv6 header */
	default: eth(f, mac_b, mac_a, 0x0800); ipv4(f, 17, 2, 1, 20, 0, 0); udp(f, 53, 5353, 12); break;
	}
	*caplen = f->n;
}

#define SET_SIZE 14u

#include "mkpcap_print.c"

int main(int argc, char **argv)
{
	unsigned long repeat = argc > 2 ? strtoul(argv[2], NULL, 10) : 1;
	FILE *o;
	unsigned long r;
	unsigned i;

	if (argc == 3 && strcmp(argv[1], "-p") == 0)
		return write_print_set(argv[2]);
	if (argc < 2 || repeat == 0) {
		fprintf(stderr, "usage: mkpcap OUT.pcap [REPEAT]\n");
		return 2;
	}
	o = fopen(argv[1], "wb");
	if (!o) {
		perror(argv[1]);
		return 1;
	}
	w32(o, 0xa1b2c3d4u);
	fwrite((const uint16_t[2]){ 2, 4 }, 2, 2, o);
	w32(o, 0);
	w32(o, 0);
	w32(o, 262144);
	w32(o, 1);
	for (r = 0; r < repeat; r++)
		for (i = 0; i < SET_SIZE; i++) {
			struct frame f;
			size_t caplen;

			build(i, &f, &caplen);
			record(o, (unsigned)(r * SET_SIZE + i), &f, caplen);
		}
	if (fclose(o) != 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
