/*
 * capture.h -- packet sources and sinks: public API of libpfc's capture module.
 *
 * Reads capture files (pcap and pcapng) record by record with its own
 * parser, writes pcap files, and renders one-line packet summaries.  The
 * capture module receives programs, it never compiles one; it depends on
 * cbpf only (and on no libpcap).
 * Functions return 0 (or a count) on success and a negative errno on error;
 * nothing here prints or exits.
 */
#ifndef PFC_CAPTURE_H
#define PFC_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct cbpf_insn;

#ifdef __cplusplus
extern "C" {
#endif

#ifndef PFC_API
#define PFC_API __attribute__((visibility("default")))
#endif

enum cap_precision { CAP_PRECISION_MICRO = 0, CAP_PRECISION_NANO = 1 };

/*
 * One packet record; data points into the reader's buffer and stays valid
 * until the next cap_file_next().  caplen is already cut to the interface's
 * snap length as libpcap cuts it.
 */
struct cap_pkt {
	const uint8_t *data;
	uint32_t caplen;	/* bytes captured (at data) */
	uint32_t wirelen;	/* bytes the packet had on the wire */
	int64_t ts_sec;
	uint32_t ts_usec;	/* fraction in microseconds (as libpcap's micro precision) */
	int linktype;		/* DLT_* of the record's interface */
	uint32_t ts_nsec;	/* fraction in nanoseconds (as libpcap's nano precision) */
	uint32_t iface;		/* index of the interface (cap_file_iface); 0 for pcap */
};

/* An interface of a capture file (the pcap header, or a pcapng IDB). */
struct cap_iface {
	uint32_t linktype;	/* LINKTYPE_* as in the file, pcap FCS bits included */
	int dlt;		/* DLT_* (what compilers take) */
	uint32_t snaplen;	/* adjusted as libpcap does (0 or over INT_MAX: the link type's maximum) */
	enum cap_precision precision;	/* NANO when the file's resolution is finer than 1 us */
	int swapped;		/* written by a machine of the other byte order (for DLT_NULL's host-order header) */
};

struct cap_file;

/*
 * Open a capture file, pcap or pcapng ("-" is standard input).  The file
 * is read in large blocks; no system call or allocation per record.
 * On failure returns a negative errno and, when errbuf is not NULL, a
 * message in errbuf: -ENOENT etc. from open(2), -EINVAL not a capture
 * file (bad magic, unsupported version, truncated header), -ENOMEM.
 */
PFC_API int cap_file_open(const char *path, struct cap_file **out,
			  char *errbuf, size_t errlen);

/* Like cap_file_open() on len bytes at data (not copied; must outlive the handle). */
PFC_API int cap_file_open_mem(const void *data, size_t len, struct cap_file **out,
			      char *errbuf, size_t errlen);

/*
 * Next record: 1 and *pkt filled, 0 at the end, negative errno on a bad
 * file: -EINVAL (cap_file_error names the byte offset and what is wrong;
 * the error repeats on later calls), or a read error.  Records before the
 * bad one are delivered normally.
 */
PFC_API int cap_file_next(struct cap_file *f, struct cap_pkt *pkt);

/* The file's link type as a DLT (of its first interface for pcapng; -1 if none yet). */
PFC_API int cap_file_linktype(const struct cap_file *f);

/* Interface idx of the file (seen so far): 0 and *out, or -ENOENT. */
PFC_API int cap_file_iface(const struct cap_file *f, uint32_t idx, struct cap_iface *out);

/* Number of interfaces seen so far (1 for pcap). */
PFC_API uint32_t cap_file_nifaces(const struct cap_file *f);

/* The message of the last error, or "". */
PFC_API const char *cap_file_error(const struct cap_file *f);

PFC_API void cap_file_close(struct cap_file *f);

/* ---- pcap writer --------------------------------------------------------- */

struct cap_writer;

/* What the file header says; initialise with cap_writer_opts_init(). */
struct cap_writer_opts {
	size_t sz;		/* sizeof(struct cap_writer_opts) */
	uint32_t linktype;	/* LINKTYPE_* written in the header (FCS bits kept) */
	uint32_t snaplen;
	enum cap_precision precision;	/* micro: magic a1b2c3d4, nano: a1b23c4d */
};

PFC_API void cap_writer_opts_init(struct cap_writer_opts *opts);

/*
 * Create (truncate) a pcap file, "-" is standard output, in host byte order
 * as libpcap's pcap_dump writes it.  Output is batched in a large buffer.
 * Returns 0, -errno from open(2), -EINVAL (bad opts), -ENOMEM; errbuf gets
 * a message.
 */
PFC_API int cap_writer_open(const char *path, const struct cap_writer_opts *opts,
			    struct cap_writer **out, char *errbuf, size_t errlen);

/*
 * Append a record of pkt with at most keep captured bytes (the filter's
 * return value).  Returns 0 or -errno of a failed write (the error is
 * sticky; cap_writer_error says what).
 */
PFC_API int cap_writer_write(struct cap_writer *w, const struct cap_pkt *pkt, uint32_t keep);

/*
 * Flush and close (the handle is released either way): 0, or -errno of the
 * first failed write, flush or close, with its message in errbuf.
 */
PFC_API int cap_writer_close(struct cap_writer *w, char *errbuf, size_t errlen);

PFC_API const char *cap_writer_error(const struct cap_writer *w);

/* ---- summaries ----------------------------------------------------------- */

/*
 * One line about a packet in tcpdump -q's style, without the newline:
 * local time of day, then "IP 198.18.0.1.80 > 198.18.0.2.1234: tcp 0".
 * dlt is the packet's link type.  Returns the length of the full line
 * (like snprintf); buf is always NUL-terminated.
 */
PFC_API int cap_pkt_summary(const struct cap_pkt *pkt, enum cap_precision precision,
			    char *buf, size_t size);

/*
 * Flush what the writer has batched (one write(2)); 0 or the sticky -errno.
 * Live capture calls it whenever the ring runs dry, so packets reach the
 * file within a block retire timeout.
 */
PFC_API int cap_writer_flush(struct cap_writer *w);

/* ---- live capture: AF_PACKET with a TPACKET_V3 ring ------------------------ */

/* An interface as the capture sees it. */
struct cap_ifinfo {
	char name[64];		/* "any" for the pseudo-interface of every interface */
	int ifindex;		/* 0 for "any" */
	int dlt;		/* DLT_* to compile for (EN10MB, RAW, LINUX_SLL2 when cooked) */
	uint32_t linktype;	/* LINKTYPE_* for the pcap header */
	int up;			/* IFF_UP */
	int running;		/* IFF_RUNNING */
	int loopback;		/* IFF_LOOPBACK */
	unsigned short arphrd;	/* ARPHRD_* of the device; 0 for "any" */
};

/*
 * What interface name is: 0 and *out, -ENODEV (no such interface), or
 * another -errno of the ioctls.  "any" is every interface, cooked
 * (LINUX_SLL2).  Does not need privileges.
 */
PFC_API int cap_iface_info(const char *name, struct cap_ifinfo *out);

/*
 * Every interface (up or not) and then "any", in ifindex order: 0 with
 * *list (release with free()) and *n, or -errno.
 */
PFC_API int cap_iface_list(struct cap_ifinfo **list, size_t *n);

enum cap_direction { CAP_DIR_INOUT = 0, CAP_DIR_IN = 1, CAP_DIR_OUT = 2 };

/* Ring options; initialise with cap_ring_opts_init(). */
struct cap_ring_opts {
	size_t sz;		/* sizeof(struct cap_ring_opts) */
	uint32_t snaplen;	/* bytes kept per packet (the filter's return value cuts too) */
	size_t buffer_size;	/* bytes of ring (default 32 MiB; libpcap's is 2 MiB) */
	uint32_t block_size;	/* bytes per block (default 256 KiB, a power of two >= page) */
	unsigned retire_ms;	/* the kernel hands over a partly filled block after this (default 4) */
	int promisc;		/* put the interface in promiscuous mode while open (not for "any") */
	enum cap_direction direction;	/* -Q: decided in the kernel's filter */
	int lock;		/* SO_LOCK_FILTER: the filter cannot be replaced or removed */
	uint16_t fanout_group;	/* nonzero: join this PACKET_FANOUT group (hash by flow) */
};

PFC_API void cap_ring_opts_init(struct cap_ring_opts *opts);

/* Which step of cap_ring_open() failed (the CLI explains each differently). */
enum cap_ring_step {
	CAP_STEP_NONE = 0, CAP_STEP_IFACE, CAP_STEP_SOCKET, CAP_STEP_FILTER, CAP_STEP_LOCK,
	CAP_STEP_RING, CAP_STEP_MMAP, CAP_STEP_PROMISC, CAP_STEP_BIND, CAP_STEP_FANOUT,
};

struct cap_ring_err {
	enum cap_ring_step step;
	size_t insns;		/* CAP_STEP_FILTER: instructions handed to the kernel */
	char msg[256];		/* "SO_ATTACH_FILTER: Cannot allocate memory" */
};

struct cap_ring;

/*
 * Open a capture on ifc with the program prog (compiled for ifc->dlt and
 * opts->snaplen).  The socket receives nothing until the filter is attached
 * and the ring mapped: it is created with protocol 0 and bound to ETH_P_ALL
 * last, so no packet ever bypasses the filter.  For a cooked capture the
 * program's LINUX_SLL2 header loads are rewritten into the kernel's
 * ancillary loads (as libpcap does); -Q and the loopback's duplicate
 * outgoing copies are rejected by a short prefix in the same program.
 * Returns 0, or -errno with err filled: -EPERM (no CAP_NET_RAW), -ENODEV,
 * -ENETDOWN, -ENOMEM (CAP_STEP_FILTER: net.core.optmem_max; CAP_STEP_RING:
 * the ring), -EINVAL (the kernel refused the program, or bad options),
 * -E2BIG (the program with its prefix exceeds 4096 instructions),
 * -EOPNOTSUPP (a cooked program loads a header field the kernel cannot give).
 */
PFC_API int cap_ring_open(const struct cap_ifinfo *ifc, const struct cbpf_insn *prog, size_t n,
			  const struct cap_ring_opts *opts, struct cap_ring **out,
			  struct cap_ring_err *err);

/* The socket, for poll(2) (POLLIN: a block is ready). */
PFC_API int cap_ring_fd(const struct cap_ring *r);

/*
 * Wait until a block is ready (1), stopfd (if >= 0) is readable or
 * timeout_ms passed (0), or the interface failed (-ENETDOWN, -ENXIO when it
 * went away, another -errno).  EINTR returns 0.
 */
PFC_API int cap_ring_wait(struct cap_ring *r, int stopfd, int timeout_ms);

/*
 * Take the next block the kernel handed over: 1 (its packets come from
 * cap_ring_next), 0 none is ready.  The previous block is released first.
 */
PFC_API int cap_ring_block(struct cap_ring *r);

/*
 * The next packet of the current block: 1 and *pkt (data valid until the
 * next call), 0 when the block is done (it is then given back to the
 * kernel).  No system call.
 */
PFC_API int cap_ring_next(struct cap_ring *r, struct cap_pkt *pkt);

struct cap_ring_stats {
	uint64_t received;	/* packets the filter accepted (tcpdump's "received by filter") */
	uint64_t dropped;	/* of those, lost because the ring was full */
};

/* Totals since the ring opened (PACKET_STATISTICS, accumulated): 0 or -errno. */
PFC_API int cap_ring_stats(struct cap_ring *r, struct cap_ring_stats *st);

/* Unmap and close (the interface leaves promiscuous mode). */
PFC_API void cap_ring_close(struct cap_ring *r);

#ifdef __cplusplus
}
#endif

#endif /* PFC_CAPTURE_H */
