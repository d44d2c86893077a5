/*
 * nonlinear_t.c -- socket filters on packets whose bytes are not all in the
 * sk_buff's linear part, live: in a private network namespace, frames are
 * sent on lo through an AF_PACKET socket with PACKET_VNET_HDR, whose hdr_len
 * sets how many bytes land in the linear head (the rest go to page
 * fragments).  Packet sockets on lo receive each frame twice (outgoing and
 * incoming) and each runs one filter:
 *   classic   the cBPF program (SO_ATTACH_FILTER: the kernel's converter)
 *   portable  pfc's eBPF with LD_ABS/LD_IND helpers (SO_ATTACH_BPF)
 *   direct    pfc's eBPF reading skb->data itself (kfuncs), whose short-head
 *             path copies the head to the stack and whose indirect loads
 *             fall back to LD_IND
 *   head      a hand-written program returning the linear length, which
 *             shows the frames were split as asked.
 * Every filter must keep exactly the frames cbpf_vm_run keeps on the whole
 * frame, each twice, at full length.  Needs root (netns, AF_PACKET, bpf()).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cbpf.h"
#include "ebpf_translate.h"
#include "filtergen.h"
#include "tap.h"

#ifndef PACKET_VNET_HDR
#define PACKET_VNET_HDR 15
#endif

#define NFRAMES 24
#define MAXLEN 9000

struct frame {
	uint8_t d[MAXLEN];
	size_t len, head;	/* bytes, and bytes asked for in the linear head */
};

static struct frame frames[NFRAMES];

/* Ethernet + IPv4 + TCP (dport, 20-byte options when opt) + payload, or IPv6 + UDP. */
static void build(struct frame *f, int idx, size_t len, size_t head, int v6, uint16_t dport,
		  int opt, const char *payload)
{
	uint8_t *d = f->d;
	size_t i, l4, pl;

	memset(d, 0, sizeof(f->d));
	for (i = 0; i < len; i++)
		d[i] = (uint8_t)(i * 13 + 5);
	memcpy(d, "\x02\x00\x5e\x10\x00\x02\x02\x00\x5e\x10", 10);
	d[10] = (uint8_t)(idx >> 8), d[11] = (uint8_t)idx;
	if (!v6) {
		d[12] = 0x08, d[13] = 0x00;
		d[14] = 0x45, d[15] = 0;
		d[16] = (uint8_t)((len - 14) >> 8), d[17] = (uint8_t)(len - 14);
		d[20] = 0x40, d[21] = 0;	/* DF, no fragment offset */
		d[22] = 64, d[23] = 6;
		memcpy(d + 26, "\xc6\x12\x00\x01\xc6\x12\x00\x02", 8);	/* 198.18.0.1 -> .2 */
		l4 = 34;
		d[l4] = 0x9c, d[l4 + 1] = 0x40;
		d[l4 + 2] = (uint8_t)(dport >> 8), d[l4 + 3] = (uint8_t)dport;
		d[l4 + 12] = (uint8_t)((opt ? 10 : 5) << 4);
		pl = l4 + (opt ? 40 : 20);
	} else {
		d[12] = 0x86, d[13] = 0xdd;
		d[14] = 0x60, d[15] = d[16] = d[17] = 0;
		d[18] = (uint8_t)((len - 54) >> 8), d[19] = (uint8_t)(len - 54);
		d[20] = 17, d[21] = 64;
		memset(d + 22, 0, 32);
		d[22] = 0x20, d[23] = 0x01, d[24] = 0x02, d[37] = 1;	/* 2001:2::1 -> 2001:2::2 */
		d[38] = 0x20, d[39] = 0x01, d[40] = 0x02, d[53] = 2;
		l4 = 54;
		d[l4] = 0x30, d[l4 + 1] = 0x39;
		d[l4 + 2] = (uint8_t)(dport >> 8), d[l4 + 3] = (uint8_t)dport;
		pl = l4 + 8;
	}
	if (payload)
		memcpy(d + pl, payload, strlen(payload));
	f->len = len;
	f->head = head;
}

/*
 * The frames of round r: ports and payloads move from frame to frame with
 * r, so that bytes left in a reused buffer by an earlier round are wrong.
 */
static void build_all(int r)
{
	static const size_t heads[] = { 14, 20, 34, 40, 54, 60, 80, 120 };
	int i;

	for (i = 0; i < NFRAMES; i++) {
		size_t len = i < 20 ? 4200 + (size_t)i * 211 : (size_t)(60 + i * 40);
		int v6 = i % 5 == 4;

		build(&frames[i], i, len, heads[i % 8], v6, (i + r) % 3 == 0 ? 80 : 53, i % 4 == 1,
		      (i + r) % 2 == 0 ? "GET /" : "HTTP");
	}
	frames[7 + r % 2].d[4100] = 0x5a;
	frames[12].d[4100] = 0x5a;
	frames[18 - r % 2].d[19] = 0x0f;	/* ip[ip[0] & 0xf] reads ip[5]: 252 elsewhere */
}

static int lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0), rc;

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	rc = ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (rc == 0)
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	rc = rc < 0 ? -errno : 0;
	close(s);
	return rc;
}

static int packet_socket(void)
{
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL)), big = 1 << 22;

	if (s >= 0)
		setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	return s;
}

static int bind_lo(int s)
{
	struct sockaddr_ll sll;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex("lo");
	return bind(s, (struct sockaddr *)&sll, sizeof(sll)) < 0 ? -errno : 0;
}

static int send_frames(void)
{
	int s = socket(AF_PACKET, SOCK_RAW, 0), one = 1, i;
	uint8_t buf[sizeof(struct virtio_net_hdr) + MAXLEN];

	if (s < 0 || setsockopt(s, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0 ||
	    bind_lo(s) < 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	for (i = 0; i < NFRAMES; i++) {
		struct virtio_net_hdr h;

		memset(&h, 0, sizeof(h));
		h.hdr_len = (uint16_t)frames[i].head;
		memcpy(buf, &h, sizeof(h));
		memcpy(buf + sizeof(h), frames[i].d, frames[i].len);
		if (send(s, buf, sizeof(h) + frames[i].len, 0) < 0) {
			close(s);
			return -1;
		}
	}
	close(s);
	return 0;
}

/* Per frame: how many copies arrived, and their lengths (all must agree). */
struct tally {
	int copies[NFRAMES];
	long len[NFRAMES];
	int odd;	/* a copy of another length, or an unknown frame */
};

static void drain(int s, struct tally *t)
{
	static uint8_t buf[MAXLEN + 64];
	struct pollfd p = { s, POLLIN, 0 };

	memset(t, 0, sizeof(*t));
	while (poll(&p, 1, 200) > 0) {
		long n = recv(s, buf, sizeof(buf), MSG_TRUNC);
		int idx;

		if (n < 0)
			break;
		idx = n >= 12 ? buf[10] << 8 | buf[11] : -1;
		if (idx < 0 || idx >= NFRAMES || memcmp(buf, frames[0].d, 10) != 0) {
			t->odd++;
			continue;
		}
		if (t->copies[idx]++ && t->len[idx] != n)
			t->odd++;
		t->len[idx] = n;
	}
}

/* A socket filter returning skb->len - skb->data_len: the linear length. */
static int head_program(const struct ebt_kernel *k)
{
	struct ebt_insn p[] = {
		{ BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, k->cast_ctx_id },
		{ BPF_LDX | BPF_MEM | BPF_W, 2, 0, k->skb_len, 0 },
		{ BPF_LDX | BPF_MEM | BPF_W, 3, 0, k->skb_data_len, 0 },
		{ BPF_ALU | BPF_SUB | BPF_X, 2, 3, 0, 0 },
		{ BPF_ALU | BPF_MOV | BPF_X, 0, 2, 0, 0 },
		{ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 },
	};

	return ebt_prog_load(p, sizeof(p) / sizeof(p[0]), EBT_TARGET_SOCKET, NULL, 0);
}

static int ebpf_fd(const struct cbpf_insn *prog, size_t n, const struct ebt_kernel *k)
{
	struct ebt_opts o = { sizeof(o), EBT_TARGET_SOCKET, EBT_ACTION_NONE, k };
	struct ebt_insn *e = NULL;
	size_t ne = 0;
	int fd;

	if (ebt_translate(prog, n, &o, &e, &ne, NULL, NULL) < 0)
		return -1;
	fd = ebt_prog_load(e, ne, EBT_TARGET_SOCKET, NULL, 0);
	ebt_free(e);
	return fd;
}

static const char *const exprs[] = {
	"tcp port 80",
	"tcp dst port 80 and tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420",
	"ip[2:2] > 4400",
	"udp port 53 and ip6",
	"greater 5000",
	"ether[4100] = 0x5a",
	"ip[ip[0] & 0xf] = 0x0f",
	"ip6 and ether[62:4] = 0x48545450",
	"ether[60:4] != 0 and tcp",
};

enum { CLASSIC, PORTABLE, DIRECT, NSOCK };
static const char *const sock_name[NSOCK] = { "classic", "portable", "direct" };

static void check_expr(const char *expr, const struct ebt_kernel *k)
{
	struct fg_compile_opts o;
	struct cbpf_insn *prog = NULL;
	struct cbpf_vm *vm = NULL;
	struct fg_diag d;
	struct tally t[NSOCK];
	uint32_t want[NFRAMES];
	int s[NSOCK], j, i, fd, matches = 0;
	size_t n = 0;

	fg_compile_opts_init(&o);
	if (fg_compile(expr, strlen(expr), &o, &prog, &n, &d) < 0 || cbpf_vm_new(prog, n, 0, &vm) < 0) {
		tap_ok(0, "%s: compiles", expr);
		return;
	}
	for (i = 0; i < NFRAMES; i++) {
		want[i] = cbpf_vm_run(vm, frames[i].d, (uint32_t)frames[i].len, (uint32_t)frames[i].len, NULL);
		matches += want[i] != 0;
	}
	for (j = 0; j < NSOCK; j++) {
		struct sock_fprog fp = { (unsigned short)n, (struct sock_filter *)(uintptr_t)prog };

		s[j] = packet_socket();
		if (j == CLASSIC)
			fd = setsockopt(s[j], SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp));
		else if (j == DIRECT && !k)
			fd = -1;
		else if ((fd = ebpf_fd(prog, n, j == DIRECT ? k : NULL)) >= 0) {
			int prog_fd = fd;

			fd = ebt_attach_socket(s[j], prog_fd);
			close(prog_fd);
		}
		if (s[j] < 0 || fd < 0 || bind_lo(s[j]) < 0) {
			if (j != DIRECT || k)
				tap_ok(0, "%s [%s]: filter attached and bound", expr, sock_name[j]);
			if (s[j] >= 0)
				close(s[j]);
			s[j] = -1;
		}
	}
	if (send_frames() < 0)
		tap_ok(0, "%s: frames sent", expr);
	for (j = 0; j < NSOCK; j++) {
		int bad = 0, first = -1;

		if (s[j] < 0)
			continue;
		drain(s[j], &t[j]);
		close(s[j]);
		for (i = 0; i < NFRAMES; i++) {
			int ok = want[i] ? t[j].copies[i] == 2 && t[j].len[i] == (long)frames[i].len :
					   t[j].copies[i] == 0;

			if (!ok && bad++ == 0)
				first = i;
		}
		if (!tap_ok(bad == 0 && t[j].odd == 0,
			    "%s [%s]: keeps exactly the %d frames of %d the interpreter keeps, twice, whole",
			    expr, sock_name[j], matches, NFRAMES))
			tap_diag("  %d wrong, first frame %d (%zu bytes, head %zu): %d copies of %ld bytes, want %u; %d odd",
				 bad, first, first >= 0 ? frames[first].len : 0,
				 first >= 0 ? frames[first].head : 0, first >= 0 ? t[j].copies[first] : 0,
				 first >= 0 ? t[j].len[first] : 0, first >= 0 ? want[first] : 0, t[j].odd);
	}
	cbpf_vm_free(vm);
	cbpf_free(prog);
}

/* The frames really are split as asked: the linear part is their hdr_len. */
static void check_heads(const struct ebt_kernel *k)
{
	struct tally t;
	int s = packet_socket(), fd = head_program(k), bad = 0, i;

	if (s < 0 || fd < 0 || ebt_attach_socket(s, fd) < 0 || bind_lo(s) < 0) {
		tap_ok(0, "the head-length program attaches");
		return;
	}
	close(fd);
	if (send_frames() < 0)
		tap_ok(0, "frames sent");
	drain(s, &t);
	close(s);
	for (i = 0; i < NFRAMES; i++) {
		long want = frames[i].len >= 4096 ? (long)frames[i].head : (long)frames[i].len;

		if (t.copies[i] != 2 || t.len[i] != want) {
			if (bad++ == 0)
				tap_diag("  frame %d (%zu bytes): %d copies, linear part %ld, want %ld", i,
					 frames[i].len, t.copies[i], t.len[i], want);
		}
	}
	tap_ok(bad == 0 && t.odd == 0,
	       "frames of 4 KB and more arrive with exactly hdr_len bytes linear (14 to 120), small ones whole");
}

int main(void)
{
	struct ebt_kernel kern;
	int rc;
	size_t i;

	if (unshare(CLONE_NEWNET) < 0) {
		tap_skip("cannot make a network namespace (%s): needs root", strerror(errno));
		return tap_done();
	}
	rc = lo_up();
	if (rc == 0) {
		static const struct ebt_insn ret0[] = { { BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0 },
						       { BPF_JMP | BPF_EXIT, 0, 0, 0, 0 } };
		int fd = ebt_prog_load(ret0, 2, EBT_TARGET_SOCKET, NULL, 0);

		if (fd < 0) {
			tap_skip("cannot load eBPF here (%s): needs CAP_BPF", strerror(-fd));
			return tap_done();
		}
		close(fd);
	}
	if (!tap_ok(rc == 0, "lo is up in a private network namespace"))
		return tap_done();
	build_all(0);
	rc = ebt_kernel_probe(&kern);
	if (rc < 0)
		tap_skip("socket filters reading skb->data directly: %s on this kernel", strerror(-rc));
	else
		check_heads(&kern);
	for (i = 0; i < sizeof(exprs) / sizeof(exprs[0]) * 3; i++) {
		build_all((int)i + 1);
		check_expr(exprs[i % (sizeof(exprs) / sizeof(exprs[0]))], rc == 0 ? &kern : NULL);
	}
	return tap_done();
}
