/*
 * tc_tap_t.c -- the TC capture point (src/capture/tc_tap.c), in a network
 * namespace of its own (unshare): frames sent into a veth pair t0/t1 reach
 * t1's ingress hook, frames sent out of t1 its egress hook; the matching
 * ones, and only those, must show up on the capture device; close must
 * leave neither devices nor filters nor a qdisc it created; errors leave
 * nothing either.  Skips when namespaces cannot be made (not root).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture.h"
#include "filtergen.h"
#include "tap.h"

static int sh(const char *cmd)
{
	return system(cmd);
}

/* An Ethernet/IPv4/UDP frame to port. */
static size_t frame(uint8_t *f, unsigned port)
{
	static const uint8_t head[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 36, 0, 0, 0, 0, 64, 17, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2,
		0x30, 0x39, 0, 0, 0, 16, 0, 0,
	};

	memcpy(f, head, sizeof(head));
	f[36] = (uint8_t)(port >> 8);
	f[37] = (uint8_t)port;
	memset(f + sizeof(head), 0x5a, 8);
	return sizeof(head) + 8;
}

static int packet_socket(const char *dev)
{
	struct sockaddr_ll sll;
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(dev);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void send_frames(const char *dev, unsigned port, int count)
{
	int fd = packet_socket(dev);
	uint8_t f[64];
	size_t n = frame(f, port);

	while (fd >= 0 && count-- > 0)
		if (send(fd, f, n, 0) < 0)
			break;
	if (fd >= 0)
		close(fd);
}

/* Frames the capture socket received (not its own outgoing ones) per port, for 300 ms of quiet. */
static void count(int fd, long *to5001, long *to5002)
{
	struct pollfd p = { fd, POLLIN, 0 };
	uint8_t b[2048];
	struct sockaddr_ll from;
	socklen_t fl;
	ssize_t len;

	*to5001 = *to5002 = 0;
	while (poll(&p, 1, 300) > 0) {
		fl = sizeof(from);
		while ((len = recvfrom(fd, b, sizeof(b), 0, (struct sockaddr *)&from, &fl)) >= 0) {
			if (from.sll_pkttype == PACKET_OUTGOING || len < 38)
				continue;
			*to5001 += b[36] == 0x13 && b[37] == 0x89;
			*to5002 += b[36] == 0x13 && b[37] == 0x8a;
			fl = sizeof(from);
		}
	}
}

/* The drop count of dev's clsact qdisc (tc -s), or -1. */
static long clsact_drops(const char *dev)
{
	char cmd[256], line[256];
	long v = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "tc -s qdisc show dev %s | sed -n '/clsact/,$s/.*(dropped \\([0-9]*\\),.*/\\1/p'",
		 dev);
	p = popen(cmd, "r");
	if (p && fgets(line, sizeof(line), p))
		v = atol(line);
	if (p)
		pclose(p);
	return v;
}

static int qdisc_of(const char *dev, char *kind, size_t *nfilters)
{
	struct cap_tc_list l;
	int rc = cap_tc_list(dev, &l, NULL, 0);

	if (rc == 0) {
		strcpy(kind, l.qdisc);
		*nfilters = l.n;
		cap_tc_list_free(&l);
	}
	return rc;
}

static void test_capture(const struct cbpf_insn *prog, size_t n)
{
	struct cap_tc_tap_opts o;
	struct cap_tc_tap *tap = NULL;
	struct cap_tc_list l;
	char err[256] = "", kind[16] = "?";
	long c1 = -1, c2 = -1;
	size_t nf = 99;
	int fd = -1, rc;

	cap_tc_tap_opts_init(&o);
	o.name = "pt";
	rc = cap_tc_tap_open("t1", prog, n, &o, &tap, err, sizeof(err));
	if (!tap_ok(rc == 0, "open a capture point on t1")) {
		tap_diag("%s", err);
		return;
	}
	tap_is_str(cap_tc_tap_device(tap), "ptr", "capture device");
	tap_ok(if_nametoindex("ptt") && if_nametoindex("ptr"), "the veth pair exists");
	rc = cap_tc_list("t1", &l, NULL, 0);
	tap_ok(rc == 0 && l.n == 2 && l.filters[0].pfc && l.filters[1].pfc &&
	       l.filters[0].hook == CAP_TC_INGRESS && l.filters[1].hook == CAP_TC_EGRESS &&
	       strcmp(l.filters[0].actions, "mirred egress mirror dev ptt") == 0 &&
	       strcmp(l.filters[1].actions, "mirred egress mirror dev ptt") == 0,
	       "a mirror filter at each hook of t1");
	if (rc == 0)
		cap_tc_list_free(&l);
	fd = packet_socket("ptr");
	tap_ok(fd >= 0, "a packet socket on the capture device");
	send_frames("t0", 5001, 5);	/* t0 -> t1: t1's ingress */
	send_frames("t0", 5002, 3);
	send_frames("t1", 5001, 2);	/* out of t1: its egress */
	send_frames("t1", 5002, 4);
	count(fd, &c1, &c2);
	tap_is_int(c1, 7, "the 7 matching frames (5 in, 2 out) reach the capture device");
	tap_is_int(c2, 0, "no other frame does");
	tap_is_int(clsact_drops("ptr"), 7, "the copies are dropped at the capture device's TC ingress, "
		   "after the packet socket got them");
	close(fd);
	tap_is_int(cap_tc_tap_close(tap, err, sizeof(err)), 0, "close");
	tap_ok(!if_nametoindex("ptt") && !if_nametoindex("ptr"), "close: the veth pair is gone");
	tap_ok(qdisc_of("t1", kind, &nf) == 0 && kind[0] == '\0' && nf == 0,
	       "close: no filter and no qdisc left on t1");
}

static void test_existing_qdisc(const struct cbpf_insn *prog, size_t n)
{
	struct cap_tc_tap *tap = NULL;
	char kind[16] = "?";
	size_t nf = 99;

	sh("tc qdisc add dev t1 clsact");
	tap_is_int(cap_tc_tap_open("t1", prog, n, NULL, &tap, NULL, 0), 0,
		   "open on a device with a clsact qdisc (default name)");
	tap_is_int(cap_tc_tap_close(tap, NULL, 0), 0, "close");
	tap_ok(qdisc_of("t1", kind, &nf) == 0 && strcmp(kind, "clsact") == 0 && nf == 0,
	       "close: the qdisc that was there stays, without filters");
	sh("tc qdisc del dev t1 clsact");
}

/* A tun device: the copies start at the IP header (what its TC hook sees). */
static void test_raw(void)
{
	struct fg_compile_opts fo;
	struct cap_tc_tap_opts o;
	struct cap_tc_tap *tap = NULL;
	struct cbpf_insn *prog = NULL;
	struct pollfd pfd;
	struct fg_diag diag;
	uint8_t b[256];
	size_t n = 0;
	ssize_t len = -1;
	int fd, dlt = -1;

	if (sh("ip tuntap add dev tun0 mode tun 2>/dev/null && ip link set tun0 up && "
	       "ip addr add 198.18.2.1/24 dev tun0") != 0) {
		tap_skip("no tun devices here");
		return;
	}
	tap_ok(cap_tc_linktype("tun0", &dlt, NULL, 0) == 0 && dlt == 12, "tun0: DLT_RAW");
	fg_compile_opts_init(&fo);
	fo.linktype = dlt;
	fo.linux_ext = 1;
	cap_tc_tap_opts_init(&o);
	o.name = "pu";
	o.ingress = 0;
	if (!tap_ok(fg_compile("udp dst port 5001", 17, &fo, &prog, &n, &diag) == 0 &&
		    cap_tc_tap_open("tun0", prog, n, &o, &tap, NULL, 0) == 0, "tap tun0 egress"))
		return;
	fd = packet_socket("pur");
	{
		struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(5001) };
		int u = socket(AF_INET, SOCK_DGRAM, 0);

		inet_pton(AF_INET, "198.18.2.9", &to.sin_addr);
		if (u >= 0) {
			sendto(u, "x", 1, 0, (struct sockaddr *)&to, sizeof(to));
			close(u);
		}
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (fd >= 0 && poll(&pfd, 1, 1000) > 0)
		len = recv(fd, b, sizeof(b), 0);
	tap_ok(len == 29 && b[0] == 0x45 && b[9] == 17 && b[22] == 0x13 && b[23] == 0x89,
	       "the copy is the IP datagram itself (%zd bytes)", len);
	if (fd >= 0)
		close(fd);
	tap_is_int(cap_tc_tap_close(tap, NULL, 0), 0, "close");
	cbpf_free(prog);
	sh("ip link del tun0");
}

static void test_errors(const struct cbpf_insn *prog, size_t n)
{
	struct cap_tc_tap_opts o;
	struct cap_tc_tap *tap = NULL;
	char err[256] = "", kind[16] = "?";
	size_t nf = 99;

	cap_tc_tap_opts_init(&o);
	tap_is_int(cap_tc_tap_open("nosuch0", prog, n, &o, &tap, err, sizeof(err)), -ENODEV,
		   "unknown device");
	tap_is_str(err, "nosuch0: no such device", "unknown device: message");
	o.ingress = o.egress = 0;
	tap_is_int(cap_tc_tap_open("t1", prog, n, &o, &tap, err, sizeof(err)), -EINVAL, "no hook");
	cap_tc_tap_opts_init(&o);
	o.name = "px";
	sh("ip link add pxt type veth peer name pxq");
	tap_is_int(cap_tc_tap_open("t1", prog, n, &o, &tap, err, sizeof(err)), -EEXIST,
		   "a capture device name that is taken");
	tap_ok(if_nametoindex("pxt") && !if_nametoindex("pxr") &&
	       qdisc_of("t1", kind, &nf) == 0 && kind[0] == '\0',
	       "the failed open left nothing (and the other pair alone)");
	sh("ip link del pxt");
}

int main(void)
{
	struct fg_compile_opts fo;
	struct cbpf_insn *prog = NULL;
	struct fg_diag diag;
	size_t n = 0;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		tap_skip("cannot make a network namespace (not root?)");
		return tap_done();
	}
	if (sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 "
	       ">/dev/null 2>&1; ip link add t0 type veth peer name t1 && ip link set t0 up && "
	       "ip link set t1 up") != 0) {
		tap_skip("cannot create a veth pair (ip(8) missing?)");
		return tap_done();
	}
	fg_compile_opts_init(&fo);
	fo.linux_ext = 1;
	if (!tap_ok(fg_compile("udp dst port 5001", 17, &fo, &prog, &n, &diag) == 0, "compile"))
		return tap_done();
	test_capture(prog, n);
	test_existing_qdisc(prog, n);
	test_raw();
	test_errors(prog, n);
	cbpf_free(prog);
	return tap_done();
}
