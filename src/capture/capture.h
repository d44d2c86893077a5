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

/* Bytes of the file consumed so far (for progress reports). */
PFC_API uint64_t cap_file_offset(const struct cap_file *f);

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

/* ---- printing ------------------------------------------------------------ */

/* What tcpdump's -x, -xx, -X, -XX and -A add after each packet's line. */
enum cap_print_dump {
	CAP_DUMP_NONE = 0,
	CAP_DUMP_HEX,		/* -x: hex of the bytes after the link-layer header */
	CAP_DUMP_HEX_LINK,	/* -xx: hex of the whole packet */
	CAP_DUMP_HEX_ASCII,	/* -X */
	CAP_DUMP_HEX_ASCII_LINK,	/* -XX */
	CAP_DUMP_ASCII,		/* -A */
	CAP_DUMP_ASCII_LINK	/* -AA */
};

/*
 * Conversation and clock state kept between packets: relative TCP
 * sequence numbers (tcpdump without -S) and the -ttt / -ttttt deltas.
 */
struct cap_print_state;

/* Options of cap_print_pkt(); initialise with cap_print_opts_init(). */
struct cap_print_opts {
	size_t sz;		/* sizeof(struct cap_print_opts) */
	int tstamp;		/* how many -t: 0 local time of day, 1 none, 2 seconds since
				   the epoch, 3 delta from the previous packet, 4 local date
				   and time, 5 delta from the first packet */
	int link;		/* -e: print the link-layer header */
	int quiet;		/* -q: less protocol detail */
	int verbose;		/* how many -v */
	int absolute_seq;	/* -S: TCP sequence numbers as they are */
	enum cap_print_dump dump;
	enum cap_precision precision;	/* digits of the time stamp fraction */
	struct cap_print_state *state;	/* NULL: absolute sequence numbers, deltas from 0 */
};

PFC_API void cap_print_opts_init(struct cap_print_opts *opts);

/* A new, empty state (NULL when out of memory); released with cap_print_state_free(). */
PFC_API struct cap_print_state *cap_print_state_new(void);
PFC_API void cap_print_state_free(struct cap_print_state *st);

/*
 * Format a packet of link type dlt (DLT_*) as `tcpdump -n` does with the
 * same options: one line, or more with -x/-X/-A or a raw dump, each ending
 * in '\n'.  Names are never resolved (tcpdump -n).  Covers Ethernet
 * (802.1Q/802.1ad tags), Linux cooked v1/v2, raw IP, NULL/LOOP, ARP, IPv4,
 * IPv6 (extension headers, fragments), TCP, UDP, ICMP, ICMPv6, SCTP; other
 * protocols get a tcpdump-like fallback (protocol number and length).
 * Returns the length of the whole text like snprintf (truncated when it
 * is >= len; buf always NUL-terminated), or -EINVAL for a bad opts.
 */
/* A buffer of this size always holds the text of a packet of caplen bytes. */
#define CAP_PRINT_BUFSIZE(caplen) (32 * (size_t)(caplen) + 4096)

PFC_API int cap_print_pkt(const struct cap_print_opts *opts, const struct cap_pkt *pkt,
			  int dlt, char *buf, size_t len);

/* ---- summaries ----------------------------------------------------------- */

/*
 * One line about a packet as tcpdump -n -q prints it, without the newline:
 * local time of day, then "IP 198.18.0.1.80 > 198.18.0.2.1234: tcp 0".
 * dlt is the packet's link type.  Returns the length of the full line
 * (like snprintf); buf is always NUL-terminated.
 */
PFC_API int cap_pkt_summary(const struct cap_pkt *pkt, enum cap_precision precision,
			    char *buf, size_t size);

/* ---- TC: classic filters on the clsact qdisc (cls_bpf, via libnl-3) ------ */

struct cbpf_insn;

/*
 * Where a TC program runs.  At both hooks of an Ethernet device the program
 * sees the frame from its MAC header (cls_bpf pushes it back at ingress),
 * so it is compiled for cap_tc_linktype()'s link type.
 */
enum cap_tc_hook { CAP_TC_INGRESS = 0, CAP_TC_EGRESS = 1 };

/* What a matching packet gets.  Non-matching packets go on to the next filter. */
enum cap_tc_action {
	CAP_TC_DROP = 0,	/* direct-action: a match returns TC_ACT_SHOT */
	CAP_TC_PASS = 1,	/* direct-action: a match returns TC_ACT_OK (later filters skipped) */
	CAP_TC_MIRROR = 2	/* a mirred action copies a match out of mirror_dev; the
				 * original goes on to the next filter (TC_ACT_UNSPEC) */
};

/* Options of cap_tc_attach() and cap_tc_detach(); initialise with cap_tc_opts_init(). */
struct cap_tc_opts {
	size_t sz;		/* sizeof(struct cap_tc_opts) */
	enum cap_tc_action action;	/* default CAP_TC_DROP */
	const char *mirror_dev;	/* CAP_TC_MIRROR: the device matches are copied to */
	uint32_t prio;		/* 1..65535; 0 (default): attach lets the kernel pick
				 * one as tc(8) does without a pref (49152 on an empty
				 * hook, lower ones, which run first, later); detach
				 * removes pfc's filters at every prio */
	int prog_fd;		/* attach: >= 0, a loaded eBPF SCHED_CLS program to attach
				 * (TCA_BPF_FD) instead of prog, n (then ignored): for
				 * drop and pass it must return TC_ACT_SHOT / TC_ACT_OK
				 * on a match and TC_ACT_UNSPEC otherwise (direct-action);
				 * for mirror non-zero on a match (cls_bpf's class id:
				 * the mirred action runs) and 0 otherwise.  Default -1 */
	const char *prog_name;	/* with prog_fd: TCA_BPF_NAME (default "pfc") */
};

PFC_API void cap_tc_opts_init(struct cap_tc_opts *opts);

/* One filter on a hook, as cap_tc_list() reports it. */
struct cap_tc_filter {
	enum cap_tc_hook hook;
	uint32_t prio;
	uint32_t handle;
	char kind[16];		/* classifier: "bpf", "u32", "flower"... */
	int pfc;		/* added by pfc (its handle carries pfc's tag) */
	int owns_qdisc;		/* pfc's, and pfc created the clsact qdisc it sits on */
	int direct_action;	/* bpf: TCA_BPF_FLAG_ACT_DIRECT */
	char name[64];		/* bpf: the eBPF program's name, "" when none */
	uint32_t prog_id;	/* bpf: eBPF program id, 0 for a classic program */
	char actions[128];	/* the attached actions, "mirred egress mirror dev eth1", or "" */
	struct cbpf_insn *insns;	/* bpf: the classic program as the kernel keeps it */
	size_t ninsns;
};

/* Both hooks of a device. */
struct cap_tc_list {
	char qdisc[16];		/* "clsact", "ingress", or "" when neither is there */
	struct cap_tc_filter *filters;	/* ingress first, then egress, each in run order */
	size_t n;
};

/*
 * The link type (DLT_*) a TC program on ifname sees: DLT_EN10MB for
 * Ethernet and loopback devices, DLT_RAW for devices without a link-layer
 * header (tun, ppp, ip tunnels).  Returns 0, -ENODEV, -EOPNOTSUPP for other
 * hardware types; errbuf gets a message.
 */
PFC_API int cap_tc_linktype(const char *ifname, int *dlt, char *errbuf, size_t errlen);

/*
 * Attach a classic filter (pcap semantics: non-zero = match) to a hook of
 * ifname, creating the clsact qdisc when the device has none.  The program
 * is rewritten for cls_bpf first: for drop and pass it runs in direct-action
 * mode, a match returning TC_ACT_SHOT or TC_ACT_OK and a non-match
 * TC_ACT_UNSPEC; for mirror a match returns -1 (run the filter's mirred
 * action) and a non-match 0.  pfc's filters carry pfc's tag in their handle
 * (CAP_TC_HANDLE_TAG); when pfc created the qdisc, or it holds a filter of
 * pfc's that says so, the new handle says so too (CAP_TC_HANDLE_OWNER).
 * When out is not NULL it receives the filter (insns NULL).  Returns 0;
 * -EINVAL bad opts or program; -ENODEV no such device (ifname or
 * mirror_dev); -EOPNOTSUPP egress on a device with an `ingress` qdisc;
 * -E2BIG the rewritten program is too long; -ENOSPC no free pfc handle;
 * -EPERM; other -errno from the kernel.  errbuf gets a message.  On failure
 * nothing is left behind (a qdisc created for it is removed).
 */
PFC_API int cap_tc_attach(const char *ifname, enum cap_tc_hook hook,
			  const struct cbpf_insn *prog, size_t n,
			  const struct cap_tc_opts *opts, struct cap_tc_filter *out,
			  char *errbuf, size_t errlen);

/*
 * Remove pfc's filters from a hook of ifname (only those at opts->prio when
 * it is not 0; opts may be NULL), then the clsact qdisc when pfc created it
 * and no filter at all is left on either hook.  *removed (may be NULL)
 * gets the number of filters removed, *qdisc_removed (may be NULL) 1 when
 * the qdisc went too.  Returns 0, -ENODEV, -ENOENT (no filter of pfc's
 * there), other -errno; errbuf gets a message.
 */
PFC_API int cap_tc_detach(const char *ifname, enum cap_tc_hook hook,
			  const struct cap_tc_opts *opts, unsigned *removed,
			  int *qdisc_removed, char *errbuf, size_t errlen);

/*
 * Remove exactly the filter f of pfc's (as cap_tc_attach() reported it:
 * hook, prio, handle) from ifname, then the clsact qdisc as cap_tc_detach()
 * would.  Returns 0, -ENOENT, other -errno; errbuf gets a message.
 */
PFC_API int cap_tc_detach_filter(const char *ifname, const struct cap_tc_filter *f,
				 char *errbuf, size_t errlen);

/*
 * Every filter on both hooks of ifname, pfc's or not.  Release with
 * cap_tc_list_free().  Returns 0, -ENODEV, -ENOMEM, other -errno; errbuf
 * gets a message.
 */
PFC_API int cap_tc_list(const char *ifname, struct cap_tc_list *out, char *errbuf, size_t errlen);

PFC_API void cap_tc_list_free(struct cap_tc_list *list);

/* "ingress" or "egress". */
PFC_API const char *cap_tc_hook_name(enum cap_tc_hook hook);

/* ---- TC capture point: a veth pair that receives mirrored matches -------- */

/*
 * What `pfc -i IFACE --attach tc` reads: matching packets at the TC hooks of
 * IFACE are copied (mirror filters, see CAP_TC_MIRROR) into one end of a
 * veth pair pfc creates, NAME"t"; they arrive on the other end, NAME"r",
 * where a packet socket (the AF_PACKET ring) reads them, and where a
 * drop-everything filter at its TC ingress keeps them out of the stack
 * (packet sockets see a frame before TC ingress does).  Both ends have no
 * ARP and no IPv6, so nothing but the copies flows.  The copies are the
 * packets as the hook sees them: Ethernet frames from an Ethernet device,
 * but from a device without a link-layer header (cap_tc_linktype() says
 * DLT_RAW) they start at the IP header, though the pair is Ethernet: label
 * them with the tapped device's link type.
 */
struct cap_tc_tap;

struct cap_tc_tap_opts {
	size_t sz;		/* sizeof(struct cap_tc_tap_opts) */
	int ingress;		/* capture at the ingress hook (default 1) */
	int egress;		/* capture at the egress hook (default 1) */
	const char *name;	/* veth names' stem (at most 13 bytes); default "pfc<pid>" */
};

PFC_API void cap_tc_tap_opts_init(struct cap_tc_tap_opts *opts);

/*
 * Set up the capture point for filter prog (pcap semantics) on ifname.
 * Returns 0 and *out; -EINVAL (no hook, bad name or program), -ENODEV,
 * -EEXIST (a device of that name exists), -ENOMEM, other -errno; errbuf
 * gets a message.  On failure nothing is left behind.
 */
PFC_API int cap_tc_tap_open(const char *ifname, const struct cbpf_insn *prog, size_t n,
			    const struct cap_tc_tap_opts *opts, struct cap_tc_tap **out,
			    char *errbuf, size_t errlen);

/* The device to capture on (the receiving end of the pair). */
PFC_API const char *cap_tc_tap_device(const struct cap_tc_tap *tap);

/*
 * Remove the mirror filters (and the clsact qdisc when the tap created it
 * and nothing else is left), then the veth pair, and free tap.  Safe to
 * call from the clean-up path after SIGINT (not from a signal handler).
 * Returns 0 or the first error (-errno, message in errbuf); it removes
 * all it can either way.
 */
PFC_API int cap_tc_tap_close(struct cap_tc_tap *tap, char *errbuf, size_t errlen);

/* pfc's filter handles: TAG | OWNER (pfc created the qdisc) | a number 1..65535. */
#define CAP_TC_HANDLE_TAG 0x9fc00000u
#define CAP_TC_HANDLE_TAG_MASK 0xfffe0000u
#define CAP_TC_HANDLE_OWNER 0x00010000u
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
	/*
	 * NULL: the program goes in with SO_ATTACH_FILTER.  Otherwise the final
	 * classic program (prog with the -Q / loopback prefix, cooked loads
	 * rewritten) is handed to this hook, which attaches it to sock its own
	 * way (pfc -i --attach ebpf: translated to eBPF, SO_ATTACH_BPF), still
	 * before bind.  It returns 0 or -errno, with a message in msg.
	 */
	int (*attach)(void *ud, int sock, const struct cbpf_insn *prog, size_t n,
		      char *msg, size_t msglen);
	void *attach_ud;
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
