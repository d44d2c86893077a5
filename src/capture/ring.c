/*
 * ring.c -- live capture: an AF_PACKET socket with a TPACKET_V3 receive
 * ring, the filter running in the kernel.
 *
 * Order of the set-up is the point: the socket is created with protocol 0,
 * so it is hooked to no interface and receives nothing; the filter is
 * attached (and locked with SO_LOCK_FILTER on request), the ring is
 * configured and mapped, and only then bind() with ETH_P_ALL starts the
 * flow.  No packet ever reaches the ring without passing the filter, and no
 * stale unfiltered packet waits in a queue.
 *
 * The kernel fills blocks of many packets and hands a block over when it is
 * full or its retire timeout (a few ms) expires; the reader walks a block
 * with no system call per packet and gives it back at its end.  Cooked
 * captures (SOCK_DGRAM: "any" and devices without a usable link header)
 * get a LINUX_SLL2 header built in the reserved room before each packet;
 * VLAN tags the driver stripped are put back, as libpcap does.
 *
 * Keeps true: an error leaves nothing open; statistics accumulate across
 * reads of PACKET_STATISTICS (which resets the kernel's counters).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture_int.h"
#include "cbpf.h"

#ifndef SO_LOCK_FILTER
#define SO_LOCK_FILTER 44
#endif

#define SLL2_LEN 20
#define VLAN_LEN 4
#define MAX_INSNS 4096

struct cap_ring {
	int fd;
	int cooked;
	int dlt;
	uint32_t snaplen;
	uint8_t *map;
	size_t map_len;
	uint32_t block_size, block_nr, cur;
	struct tpacket_block_desc *held;	/* the block being read, NULL if none */
	uint32_t left;			/* packets of held not yet returned */
	uint8_t *pos;			/* the next one */
	struct cap_ring_stats total;
};

void cap_ring_opts_init(struct cap_ring_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	opts->snaplen = CAP_MAX_SNAPLEN;
	opts->buffer_size = 32u << 20;
	opts->block_size = 256u << 10;
	opts->retire_ms = 4;
	opts->promisc = 1;
}

__attribute__((format(printf, 4, 5)))
static int fail(struct cap_ring_err *err, enum cap_ring_step step, int rc, const char *fmt, ...)
{
	va_list ap;

	err->step = step;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- the program the kernel gets ------------------------------------------ */

/*
 * A cooked socket's packets start at the network header: loads past the
 * LINUX_SLL2 header move back by its length, loads of its fields become
 * ancillary loads (libpcap's fix_offset).  -EOPNOTSUPP for a field the
 * kernel cannot supply (the link-layer address, the reserved bytes).
 */
static int fix_cooked(struct cbpf_insn *p, size_t n, struct cap_ring_err *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint16_t cls = BPF_CLASS(p[i].code), mode = BPF_MODE(p[i].code);
		uint16_t size = BPF_SIZE(p[i].code);

		if ((cls != BPF_LD && cls != BPF_LDX) ||
		    (mode != BPF_ABS && mode != BPF_IND && mode != BPF_MSH))
			continue;
		if ((int32_t)p[i].k < 0)
			continue;	/* already ancillary (SKF_AD_OFF, SKF_NET_OFF...) */
		if (p[i].k >= SLL2_LEN) {
			p[i].k -= SLL2_LEN;
			continue;
		}
		if (mode == BPF_ABS && cls == BPF_LD && p[i].k == 0 && size == BPF_H)
			p[i].k = (uint32_t)(SKF_AD_OFF + SKF_AD_PROTOCOL);
		else if (mode == BPF_ABS && cls == BPF_LD && p[i].k == 4 && size == BPF_W)
			p[i].k = (uint32_t)(SKF_AD_OFF + SKF_AD_IFINDEX);
		else if (mode == BPF_ABS && cls == BPF_LD && p[i].k == 8 && size == BPF_H)
			p[i].k = (uint32_t)(SKF_AD_OFF + SKF_AD_HATYPE);
		else if (mode == BPF_ABS && cls == BPF_LD && p[i].k == 10 && size == BPF_B)
			p[i].k = (uint32_t)(SKF_AD_OFF + SKF_AD_PKTTYPE);
		else
			return fail(err, CAP_STEP_FILTER, -EOPNOTSUPP,
				    "instruction %zu loads byte %u of the LINUX_SLL2 header, which a "
				    "cooked socket cannot supply", i, p[i].k);
	}
	return 0;
}

enum { T_REJECT = -1, T_CONT = -2 };

struct prefix {
	struct cbpf_insn insn[8];
	int jt[8], jf[8];	/* absolute targets, T_REJECT or T_CONT */
	size_t n;
};

static void pre_ld(struct prefix *x, int anc)
{
	x->insn[x->n] = (struct cbpf_insn){ BPF_LD | BPF_W | BPF_ABS, 0, 0,
					   (uint32_t)(SKF_AD_OFF + anc) };
	x->jt[x->n] = x->jf[x->n] = 0;
	x->n++;
}

static void pre_jeq(struct prefix *x, uint32_t k, int jt, int jf)
{
	x->insn[x->n] = (struct cbpf_insn){ BPF_JMP | BPF_JEQ | BPF_K, 0, 0, k };
	x->jt[x->n] = jt;
	x->jf[x->n] = jf;
	x->n++;
}

/*
 * Tests before the compiled program: -Q in / out by packet type, and the
 * loopback's outgoing copies (each packet sent on lo is seen twice), which
 * libpcap drops too.  Empty when nothing is to be rejected.
 */
static void build_prefix(const struct cap_ifinfo *ifc, enum cap_direction dir, struct prefix *x)
{
	int lo = ifc->ifindex == 0 ? (int)if_nametoindex("lo") : 0;	/* "any" */
	int need_lo = lo > 0 && dir != CAP_DIR_IN && !ifc->loopback;
	int check_lo = need_lo ? 2 : T_CONT;	/* after the pkttype load and test */

	x->n = 0;
	if (dir == CAP_DIR_INOUT && !ifc->loopback && !need_lo)
		return;
	pre_ld(x, SKF_AD_PKTTYPE);
	if (dir == CAP_DIR_IN || ifc->loopback)
		pre_jeq(x, PACKET_OUTGOING, T_REJECT, T_CONT);
	else if (dir == CAP_DIR_OUT)
		pre_jeq(x, PACKET_OUTGOING, check_lo, T_REJECT);
	else
		pre_jeq(x, PACKET_OUTGOING, check_lo, T_CONT);
	if (need_lo) {
		pre_ld(x, SKF_AD_IFINDEX);
		pre_jeq(x, (uint32_t)lo, T_REJECT, T_CONT);
	}
}

/* Lay out prefix, `ret #0`, `ld #0` (A as the program expects it), program. */
static int with_prefix(const struct prefix *x, const struct cbpf_insn *prog, size_t n,
		       struct cbpf_insn **out, size_t *outn)
{
	size_t total = x->n ? x->n + 2 + n : n, i;
	int rej = (int)x->n, cont = (int)x->n + 1;
	struct cbpf_insn *p;

	if (total > MAX_INSNS)
		return -E2BIG;
	p = malloc((total ? total : 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (i = 0; i < x->n; i++) {
		int jt = x->jt[i] == T_REJECT ? rej : x->jt[i] == T_CONT ? cont : x->jt[i];
		int jf = x->jf[i] == T_REJECT ? rej : x->jf[i] == T_CONT ? cont : x->jf[i];

		p[i] = x->insn[i];
		if (BPF_CLASS(p[i].code) == BPF_JMP) {
			p[i].jt = (uint8_t)(jt - (int)i - 1);
			p[i].jf = (uint8_t)(jf - (int)i - 1);
		}
	}
	if (x->n) {
		p[rej] = (struct cbpf_insn){ BPF_RET | BPF_K, 0, 0, 0 };
		p[cont] = (struct cbpf_insn){ BPF_LD | BPF_IMM, 0, 0, 0 };
	}
	memcpy(p + (x->n ? x->n + 2 : 0), prog, n * sizeof(*p));
	*out = p;
	*outn = total;
	return 0;
}

static int attach(struct cap_ring *r, const struct cap_ifinfo *ifc, const struct cbpf_insn *prog,
		  size_t n, const struct cap_ring_opts *o, struct cap_ring_err *err)
{
	struct sock_fprog fp;
	struct cbpf_insn *p = NULL;
	struct prefix x;
	size_t total = 0;
	int rc;

	build_prefix(ifc, o->direction, &x);
	rc = with_prefix(&x, prog, n, &p, &total);
	if (rc < 0)
		return fail(err, CAP_STEP_FILTER, rc, "%s", rc == -E2BIG ?
			    "the program and the direction test exceed 4096 instructions" :
			    strerror(-rc));
	err->insns = total;
	if (r->cooked && (rc = fix_cooked(p + (total - n), n, err)) < 0)
		goto out;
	fp.len = (unsigned short)total;
	fp.filter = (struct sock_filter *)p;
	if (o->attach) {
		char msg[200] = "";

		rc = o->attach(o->attach_ud, r->fd, p, total, msg, sizeof(msg));
		if (rc < 0) {
			rc = fail(err, CAP_STEP_FILTER, rc, "%s", msg[0] ? msg : strerror(-rc));
			goto out;
		}
	} else if (setsockopt(r->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) < 0) {
		rc = fail(err, CAP_STEP_FILTER, -errno, "SO_ATTACH_FILTER: %s", strerror(errno));
		goto out;
	}
	if (o->lock && setsockopt(r->fd, SOL_SOCKET, SO_LOCK_FILTER, &(int){ 1 }, sizeof(int)) < 0)
		rc = fail(err, CAP_STEP_LOCK, -errno, "SO_LOCK_FILTER: %s", strerror(errno));
out:
	free(p);
	return rc;
}

/* ---- the ring ------------------------------------------------------------- */

static int setup_ring(struct cap_ring *r, const struct cap_ring_opts *o, struct cap_ring_err *err)
{
	struct tpacket_req3 req;
	int v = TPACKET_V3, reserve = r->cooked ? SLL2_LEN : VLAN_LEN;
	long page = sysconf(_SC_PAGESIZE);

	if (o->block_size < (uint32_t)page || o->block_size % (uint32_t)page)
		return fail(err, CAP_STEP_RING, -EINVAL, "block size %u is not a multiple of the "
			    "page size", o->block_size);
	if (setsockopt(r->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) < 0 ||
	    setsockopt(r->fd, SOL_PACKET, PACKET_RESERVE, &reserve, sizeof(reserve)) < 0)
		return fail(err, CAP_STEP_RING, -errno, "TPACKET_V3: %s", strerror(errno));
	memset(&req, 0, sizeof(req));
	req.tp_block_size = o->block_size;
	req.tp_block_nr = (unsigned)(o->buffer_size / o->block_size);
	if (req.tp_block_nr < 2)
		req.tp_block_nr = 2;
	req.tp_frame_size = TPACKET_ALIGNMENT << 7;	/* 2048: unused by V3 but checked */
	req.tp_frame_nr = req.tp_block_size / req.tp_frame_size * req.tp_block_nr;
	req.tp_retire_blk_tov = o->retire_ms ? o->retire_ms : 1;
	if (setsockopt(r->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
		return fail(err, CAP_STEP_RING, -errno, "PACKET_RX_RING (%u blocks of %u bytes): %s",
			    req.tp_block_nr, req.tp_block_size, strerror(errno));
	r->block_size = req.tp_block_size;
	r->block_nr = req.tp_block_nr;
	r->map_len = (size_t)r->block_size * r->block_nr;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		      r->fd, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return fail(err, CAP_STEP_MMAP, -errno, "mmap of the ring: %s", strerror(errno));
	}
	return 0;
}

static int start(struct cap_ring *r, const struct cap_ifinfo *ifc, const struct cap_ring_opts *o,
		 struct cap_ring_err *err)
{
	struct sockaddr_ll sll;

	if (o->promisc && ifc->ifindex) {
		struct packet_mreq mr = { .mr_ifindex = ifc->ifindex, .mr_type = PACKET_MR_PROMISC };

		if (setsockopt(r->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
			return fail(err, CAP_STEP_PROMISC, -errno, "promiscuous mode: %s",
				    strerror(errno));
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifc->ifindex;
	if (bind(r->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return fail(err, CAP_STEP_BIND, -errno, "bind: %s", strerror(errno));
	if (o->fanout_group) {
		uint32_t v = o->fanout_group |
			     (uint32_t)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16;

		if (setsockopt(r->fd, SOL_PACKET, PACKET_FANOUT, &v, sizeof(v)) < 0)
			return fail(err, CAP_STEP_FANOUT, -errno, "PACKET_FANOUT: %s",
				    strerror(errno));
	}
	return 0;
}

int cap_ring_open(const struct cap_ifinfo *ifc, const struct cbpf_insn *prog, size_t n,
		  const struct cap_ring_opts *o, struct cap_ring **out, struct cap_ring_err *err)
{
	struct cap_ring *r;
	int rc;

	memset(err, 0, sizeof(*err));
	if (!o || o->sz < sizeof(*o) || !n || o->snaplen == 0 || o->block_size == 0)
		return fail(err, CAP_STEP_NONE, -EINVAL, "invalid ring options");
	if (!ifc->up)
		return fail(err, CAP_STEP_IFACE, -ENETDOWN, "%s is down", ifc->name);
	r = calloc(1, sizeof(*r));
	if (!r)
		return fail(err, CAP_STEP_NONE, -ENOMEM, "out of memory");
	r->cooked = ifc->dlt == 276;
	r->dlt = ifc->dlt;
	r->snaplen = o->snaplen;
	/* protocol 0: no packet is queued before bind() */
	r->fd = socket(AF_PACKET, (r->cooked ? SOCK_DGRAM : SOCK_RAW) | SOCK_CLOEXEC, 0);
	if (r->fd < 0) {
		rc = fail(err, CAP_STEP_SOCKET, errno == EACCES ? -EPERM : -errno,
			  "socket(AF_PACKET): %s", strerror(errno));
		free(r);
		return rc;
	}
	rc = attach(r, ifc, prog, n, o, err);
	if (rc == 0)
		rc = setup_ring(r, o, err);
	if (rc == 0)
		rc = start(r, ifc, o, err);
	if (rc < 0) {
		cap_ring_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

int cap_ring_fd(const struct cap_ring *r)
{
	return r->fd;
}

int cap_ring_wait(struct cap_ring *r, int stopfd, int timeout_ms)
{
	struct pollfd p[2] = { { r->fd, POLLIN, 0 }, { stopfd, POLLIN, 0 } };
	int n = poll(p, stopfd >= 0 ? 2 : 1, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
		int e = 0;
		socklen_t len = sizeof(e);

		if (getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
			return -errno;
		return e ? -e : -EIO;
	}
	return (p[0].revents & POLLIN) ? 1 : 0;
}

/* ---- reading blocks ------------------------------------------------------- */

static struct tpacket_block_desc *block_at(struct cap_ring *r, uint32_t i)
{
	return (struct tpacket_block_desc *)(r->map + (size_t)i * r->block_size);
}

static void release(struct cap_ring *r)
{
	if (!r->held)
		return;
	__atomic_store_n(&r->held->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
	r->held = NULL;
	r->left = 0;
	r->cur = r->cur + 1 == r->block_nr ? 0 : r->cur + 1;
}

int cap_ring_block(struct cap_ring *r)
{
	struct tpacket_block_desc *b;

	release(r);
	b = block_at(r, r->cur);
	if (!(__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
		return 0;
	r->held = b;
	r->left = b->hdr.bh1.num_pkts;
	r->pos = (uint8_t *)b + b->hdr.bh1.offset_to_first_pkt;
	return 1;
}

/* Build the LINUX_SLL2 header in the reserved room before a cooked packet. */
static uint8_t *sll2_header(const struct tpacket3_hdr *h, uint8_t *data)
{
	const struct sockaddr_ll *sll = (const void *)((const uint8_t *)h +
		TPACKET_ALIGN(sizeof(struct tpacket3_hdr)));
	uint8_t *s = data - SLL2_LEN;
	uint32_t ifindex = htonl((uint32_t)sll->sll_ifindex);
	uint16_t hatype = htons(sll->sll_hatype), proto = sll->sll_protocol;
	uint8_t type = sll->sll_pkttype, halen = sll->sll_halen, addr[8];

	memcpy(addr, sll->sll_addr, 8);	/* read before the header may overwrite it */
	memcpy(s, &proto, 2);
	memset(s + 2, 0, 2);
	memcpy(s + 4, &ifindex, 4);
	memcpy(s + 8, &hatype, 2);
	s[10] = type;
	s[11] = halen;
	memcpy(s + 12, addr, 8);
	return s;
}

/* Put back the 802.1Q tag the driver took off (libpcap does the same). */
static uint8_t *vlan_tag(const struct tpacket3_hdr *h, uint8_t *data)
{
	uint16_t tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ? h->hv1.tp_vlan_tpid : ETH_P_8021Q;
	uint16_t tag[2] = { htons(tpid), htons((uint16_t)h->hv1.tp_vlan_tci) };
	uint8_t *s = data - VLAN_LEN;

	memmove(s, data, 2 * ETH_ALEN);
	memcpy(s + 2 * ETH_ALEN, tag, sizeof(tag));
	return s;
}

int cap_ring_next(struct cap_ring *r, struct cap_pkt *pkt)
{
	struct tpacket3_hdr *h;
	uint8_t *data;
	uint32_t caplen, len;

	if (!r->left) {
		release(r);
		return 0;
	}
	h = (struct tpacket3_hdr *)r->pos;
	r->pos += h->tp_next_offset;
	r->left--;
	/* the next header and the start of its packet: written by another CPU, not in our cache */
	__builtin_prefetch(r->pos);
	__builtin_prefetch(r->pos + 64);
	caplen = h->tp_snaplen;
	len = h->tp_len;
	if (r->cooked) {
		data = sll2_header(h, (uint8_t *)h + h->tp_net);
		caplen += SLL2_LEN;
		len += SLL2_LEN;
	} else {
		data = (uint8_t *)h + h->tp_mac;
		if (((h->tp_status & TP_STATUS_VLAN_VALID) || h->hv1.tp_vlan_tci) &&
		    caplen >= 2 * ETH_ALEN) {
			data = vlan_tag(h, data);
			caplen += VLAN_LEN;
			len += VLAN_LEN;
		}
	}
	pkt->data = data;
	pkt->caplen = caplen < r->snaplen ? caplen : r->snaplen;
	pkt->wirelen = len;
	pkt->ts_sec = h->tp_sec;
	pkt->ts_nsec = h->tp_nsec;
	pkt->ts_usec = h->tp_nsec / 1000;
	pkt->linktype = r->dlt;
	pkt->iface = 0;
	return 1;
}

int cap_ring_stats(struct cap_ring *r, struct cap_ring_stats *st)
{
	struct tpacket_stats_v3 s;
	socklen_t len = sizeof(s);

	memset(&s, 0, sizeof(s));
	if (getsockopt(r->fd, SOL_PACKET, PACKET_STATISTICS, &s, &len) < 0)
		return -errno;
	r->total.received += s.tp_packets;	/* the kernel counts the drops in too */
	r->total.dropped += s.tp_drops;
	*st = r->total;
	return 0;
}

void cap_ring_close(struct cap_ring *r)
{
	if (!r)
		return;
	if (r->map)
		munmap(r->map, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}
