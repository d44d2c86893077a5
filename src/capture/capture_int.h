/*
 * capture_int.h -- private declarations shared by the capture module's files.
 *
 * The reader keeps the input in one large buffer (or the caller's memory)
 * and hands out records that point into it; the pcap and pcapng parsers
 * share the buffer helpers and the interface table declared here.
 */
#ifndef PFC_CAPTURE_INT_H
#define PFC_CAPTURE_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"

/* Bytes read per refill; a record larger than this grows the buffer. */
#define CAP_READ_CHUNK (4u << 20)
/* libpcap's MAXIMUM_SNAPLEN: the largest snap length of most link types. */
#define CAP_MAX_SNAPLEN 262144u
/* The largest pcapng block we accept (DBUS packets are up to 128 MiB). */
#define CAP_MAX_BLOCK ((128u << 20) + 4096u)

enum cap_format { CAP_FMT_PCAP = 1, CAP_FMT_PCAPNG = 2 };

/* One interface: what a pcap header or a pcapng IDB says. */
struct cap_if {
	struct cap_iface pub;
	uint64_t units;		/* timestamp units per second */
	int64_t tsoffset;	/* seconds added to every timestamp (if_tsoffset) */
};

struct cap_file {
	int fd;			/* -1 for an in-memory file */
	int close_fd;
	uint8_t *buf;		/* the input window: buf[pos, end) not yet parsed */
	size_t cap, pos, end;
	uint64_t base;		/* file offset of buf[0] */
	int eof;
	int owned;		/* buf is ours to read into (not mapped, not the caller's) */
	size_t map_len;		/* buf is the file mapped, this long */
	size_t released;	/* the mapping's first bytes, unmapped by the helper */
	pthread_t helper;	/* maps pages ahead of the parser, unmaps them behind */
	int helping;
	_Atomic int stop_helper;
	_Atomic size_t parsed;	/* where the parser is: bytes before are free */
	enum cap_format fmt;
	int swapped;		/* the (current section of the) file is in the other byte order */
	/* pcap */
	size_t rechdr;		/* record header size: 16, 24 for the modified (Kuznetzov) format */
	int nano;		/* pcap: nanosecond magic */
	int len_swap;		/* caplen and len exchanged: 0 never, 1 always, 2 when caplen > len */
	/* pcapng: interfaces of every section so far; section_base is this section's first */
	struct cap_if *ifs;
	uint32_t nifs, ifs_cap, section_base;
	int in_section;
	int failed;		/* the error is sticky */
	char err[256];
};

/* Make n bytes available at buf + pos: 1, 0 when the input ends first, -errno. */
int cap_fill_slow(struct cap_file *f, size_t n);

/* cap_fill_slow, with the common case (the bytes are there) inline. */
static inline int cap_fill(struct cap_file *f, size_t n)
{
	return f->end - f->pos >= n ? 1 : cap_fill_slow(f, n);
}
/* Record a message (prefixed with the byte offset off) and return -EINVAL. */
int cap_fail(struct cap_file *f, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Append an interface; -ENOMEM or -EINVAL (too many). */
int cap_add_if(struct cap_file *f, const struct cap_if *ifc);

uint32_t cap_rd32(const struct cap_file *f, const uint8_t *p);
uint16_t cap_rd16(const struct cap_file *f, const uint8_t *p);
/* libpcap's linktype_to_dlt() and max_snaplen_for_dlt(). */
int cap_linktype_to_dlt(uint32_t linktype);
uint32_t cap_max_snaplen(int dlt);
uint32_t cap_adjust_snaplen(int dlt, uint32_t snaplen);

/* pcapng: parse the first section header (f->pos at its start). */
int cap_ng_open(struct cap_file *f);
/* pcapng: the next packet (1), the end (0), or an error. */
int cap_ng_next(struct cap_file *f, struct cap_pkt *pkt);

#endif /* PFC_CAPTURE_INT_H */
