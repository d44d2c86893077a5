/*
 * tccap_t.c -- capture at the TC hook through a BPF ring buffer, live: in a
 * private network and mount namespace, a veth pair pfca <-> pfcb; the capture
 * program for `udp dst port 9` (ebt_capture_program) is pinned on a private
 * bpffs and attached with `tc filter add ... bpf da object-pinned` at a's
 * egress and b's ingress; frames sent on a through AF_PACKET must come out
 * of the ring buffer twice each when they match (egress on a, ingress on b),
 * with their bytes, lengths, ifindex and direction, and never otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ebpf_translate.h"
#include "tap.h"

#define SNAP 96
#define RING (1u << 16)

/* Ethernet + IPv4 + UDP to port dport, 60 + extra bytes. */
static size_t frame(uint8_t *f, uint16_t dport, size_t extra)
{
	static const uint8_t hdr[42] = {
		0x02, 0, 0x5e, 0x10, 0, 2, 0x02, 0, 0x5e, 0x10, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2,
		0x30, 0x39, 0, 0, 0, 0, 0, 0,
	};
	size_t len = 60 + extra, i;

	memcpy(f, hdr, sizeof(hdr));
	f[16] = (uint8_t)((len - 14) >> 8);
	f[17] = (uint8_t)(len - 14);
	f[36] = (uint8_t)(dport >> 8);
	f[37] = (uint8_t)dport;
	f[38] = (uint8_t)((len - 34) >> 8);
	f[39] = (uint8_t)(len - 34);
	for (i = sizeof(hdr); i < len; i++)
		f[i] = (uint8_t)(i * 7);
	return len;
}

struct seen {
	int n;
	struct ebt_cap_hdr h[8];
	uint8_t d[8][SNAP];
};

static int take(void *ud, const struct ebt_cap_hdr *h, const uint8_t *data)
{
	struct seen *s = ud;

	if (s->n < 8) {
		s->h[s->n] = *h;
		memcpy(s->d[s->n], data, h->caplen < SNAP ? h->caplen : SNAP);
	}
	s->n++;
	return 0;
}

/* Load the capture program for one direction, pin it, attach it with tc. */
static int attach(const char *dir, const char *dev, const char *hook, int map, int direction)
{
	static const struct cbpf_insn udp9[] = {	/* udp dst port 9 (IPv4, no fragments) */
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 12 }, { BPF_JMP | BPF_JEQ | BPF_K, 0, 6, 0x0800 },
		{ BPF_LD | BPF_B | BPF_ABS, 0, 0, 23 }, { BPF_JMP | BPF_JEQ | BPF_K, 0, 4, 17 },
		{ BPF_LDX | BPF_B | BPF_MSH, 0, 0, 14 }, { BPF_LD | BPF_H | BPF_IND, 0, 0, 16 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 9 }, { BPF_RET | BPF_K, 0, 0, 262144 },
		{ BPF_RET | BPF_K, 0, 0, 0 },
	};
	static char log[1 << 16];
	struct ebt_insn *e = NULL;
	char path[512], cmd[1024];
	size_t ne = 0;
	int fd, rc;

	rc = ebt_capture_program(udp9, sizeof(udp9) / sizeof(udp9[0]), SNAP, map, -1, direction, &e,
				 &ne, NULL);
	if (rc < 0)
		return rc;
	fd = ebt_prog_load(e, ne, EBT_TARGET_TC, log, sizeof(log));
	ebt_free(e);
	if (fd < 0) {
		tap_diag("%s", log);
		return fd;
	}
	snprintf(path, sizeof(path), "%s/%s_%s", dir, dev, hook);
	rc = ebt_obj_pin(fd, path);
	close(fd);
	if (rc < 0)
		return rc;
	snprintf(cmd, sizeof(cmd), "tc qdisc add dev %s clsact 2>/dev/null; "
		 "tc filter add dev %s %s bpf da object-pinned %s", dev, dev, hook, path);
	return system(cmd) == 0 ? 0 : -EIO;
}

static int setup(char *dir)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
		return -errno;
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || !mkdtemp(dir) ||
	    mount("bpf", dir, "bpf", 0, NULL) < 0)
		return -errno;
	if (system("ip link add name pfca type veth peer name pfcb && ip link set pfca up && ip link set pfcb up") != 0)
		return -EIO;
	return 0;
}

int main(void)
{
	char dir[] = "/tmp/pfc-tccap.XXXXXX";
	struct sockaddr_ll to;
	struct ebt_ring *ring = NULL;
	struct seen s;
	uint8_t f[3][200];
	size_t len[3];
	int map, sock, rc, i, count[2][2] = { { 0, 0 }, { 0, 0 } };

	memset(&s, 0, sizeof(s));
	if (geteuid() != 0) {
		tap_skip("needs root: network namespaces, bpffs, tc");
		return tap_done();
	}
	rc = setup(dir);
	if (rc == -EPERM) {
		tap_skip("cannot make namespaces here (%s)", strerror(-rc));
		return tap_done();
	}
	if (!tap_ok(rc == 0, "a network namespace with a veth pair and a bpffs (%s)", strerror(-rc)))
		return tap_done();
	map = ebt_ringbuf_create(RING);
	tap_ok(map >= 0, "ring buffer created");
	tap_is_int(attach(dir, "pfca", "egress", map, EBT_CAP_EGRESS), 0, "attached at a egress");
	tap_is_int(attach(dir, "pfcb", "ingress", map, EBT_CAP_INGRESS), 0, "attached at b ingress");
	tap_is_int(ebt_ring_open(map, RING, &ring), 0, "ring mapped");
	len[0] = frame(f[0], 9, 0);
	len[1] = frame(f[1], 53, 20);
	len[2] = frame(f[2], 9, 100);
	sock = socket(AF_PACKET, SOCK_RAW, 0);
	memset(&to, 0, sizeof(to));
	to.sll_family = AF_PACKET;
	to.sll_ifindex = (int)if_nametoindex("pfca");
	to.sll_halen = 6;
	for (i = 0; i < 3; i++)
		tap_is_int(sendto(sock, f[i], len[i], 0, (struct sockaddr *)&to, sizeof(to)),
			   (long long)len[i], "frame %d sent on a", i);
	usleep(100000);
	if (ring)
		tap_is_int(ebt_ring_consume(ring, take, &s), 4, "4 records: 2 matching frames x 2 hooks");
	/* The hooks may interleave (b's ingress runs from the backlog): match by length. */
	for (i = 0; i < s.n && i < 4; i++) {
		int k = s.h[i].wirelen == len[2] ? 2 : 0, in = s.h[i].direction == EBT_CAP_INGRESS;
		uint32_t cap = len[k] < SNAP ? (uint32_t)len[k] : SNAP;

		tap_ok(s.h[i].wirelen == len[0] || s.h[i].wirelen == len[2],
		       "record %d: the wire length of a matching frame (%u)", i, s.h[i].wirelen);
		tap_is_int(s.h[i].caplen, cap, "record %d: bytes kept (snaplen %d)", i, SNAP);
		tap_ok(s.h[i].direction <= EBT_CAP_EGRESS, "record %d: a direction", i);
		tap_is_int(s.h[i].ifindex, if_nametoindex(in ? "pfcb" : "pfca"), "record %d: ifindex", i);
		tap_ok(memcmp(s.d[i], f[k], cap) == 0, "record %d: the bytes", i);
		count[k / 2][in]++;
	}
	tap_ok(count[0][0] == 1 && count[0][1] == 1 && count[1][0] == 1 && count[1][1] == 1,
	       "each matching frame once at a's egress and once at b's ingress");
	ebt_ring_close(ring);
	close(sock);
	close(map);
	(void)!system("ip link del pfca 2>/dev/null");
	umount(dir);
	rmdir(dir);
	return tap_done();
}
