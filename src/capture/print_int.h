/*
 * print_int.h -- private declarations of the packet printer (print*.c).
 *
 * The printer appends text to a struct pout, which counts what the whole
 * text needs even past the buffer's end (as snprintf does).  Each protocol
 * function gets the bytes captured from its header on (p, n) and the length
 * the layer below says it has (len); it never reads past n and prints
 * tcpdump's " [|proto]" where the capture ends too early.
 */
#ifndef PFC_PRINT_INT_H
#define PFC_PRINT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"

struct pout {
	char *buf;
	size_t size, len;	/* len: what the whole text needs */
};

/* A TCP conversation: the initial sequence numbers tcpdump subtracts. */
struct pr_conv {
	uint8_t key[40];	/* version, addresses and ports in tcpdump's order */
	uint32_t seq, ack;
	int used;
};

#define PR_IFNAMES 16

struct cap_print_state {
	struct { uint32_t idx; char name[16]; } ifnames[PR_IFNAMES];	/* SLL2 interfaces */
	size_t nifnames;
	struct pr_conv *conv;	/* open addressing, a power of two slots */
	size_t nconv, cap;
	int have_prev, have_first;
	int64_t prev_sec, first_sec;
	uint32_t prev_ns, first_ns;
	int64_t day_sec;	/* the second whose local time is cached in day_text */
	char day_text[32];
	int day_valid, day_date;
};

/* The conversation of key (created when create and absent), or NULL. */
struct pr_conv *pr_conv_find(struct cap_print_state *st, const uint8_t *key, int create);

/* One printing job: options, conversation state, output. */
struct pjob {
	const struct cap_print_opts *o;
	struct cap_print_state *st;
	struct pout out;
	size_t link_hdr;	/* bytes of link-layer header (for -x, -X, -A) */
	int suppress_default;	/* a hex dump follows: no raw dump of unknown payloads */
	int depth;		/* ICMP errors quoting ICMP errors: how deep */
	char ifname[16];	/* an interface name, without a state to keep it */
	int ended;		/* printing ended at the capture's end (tcpdump's longjmp):
				   -x and -A then dump from the link-layer header on */
};

void pr_str(struct pjob *j, const char *s);
void pr_fmt(struct pjob *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pr_u(struct pjob *j, uint32_t v);
void pr_ip4(struct pjob *j, const uint8_t *a);
void pr_ip6(struct pjob *j, const uint8_t *a);
void pr_mac(struct pjob *j, const uint8_t *a);
void pr_trunc(struct pjob *j, const char *proto);
/* tcpdump's hex dumps: ident before each line; with ascii the -X form. */
void pr_hex(struct pjob *j, const uint8_t *p, size_t n, int ascii);

static inline unsigned rd16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }
static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Network layers (print_ip.c). */
void pr_ipv4(struct pjob *j, const uint8_t *p, size_t n, size_t len);
void pr_ipv6(struct pjob *j, const uint8_t *p, size_t n, size_t len);

/*
 * Transport layers (print_l4.c).  ip is the IP header (version in its
 * first nibble); addrs: the IP layer printed no addresses, print them
 * with the ports.  len is the transport length the IP layer gives.
 */
void pr_tcp(struct pjob *j, const uint8_t *ip, const uint8_t *p, size_t n, size_t len,
	    int addrs, int fragmented);
void pr_udp(struct pjob *j, const uint8_t *ip, const uint8_t *p, size_t n, size_t len,
	    int addrs, int fragmented);
void pr_sctp(struct pjob *j, const uint8_t *ip, const uint8_t *p, size_t n, size_t len);

/*
 * Internet checksums of len bytes at p, with the pseudo-header of the IP
 * header ip for protocol proto (ip NULL: none, as ICMP and IPv4 headers):
 * whether the checksum in the data is right, and what the 16-bit field at
 * offset at should hold.
 */
int pr_cksum_ok(const uint8_t *ip, unsigned proto, const uint8_t *p, size_t len);
unsigned pr_cksum_want(const uint8_t *ip, unsigned proto, const uint8_t *p, size_t len,
		       size_t at);

#endif /* PFC_PRINT_INT_H */
