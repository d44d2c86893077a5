/*
 * udpio.c -- real UDP traffic for the live TC tests.
 *
 * usage: udpio send ADDR PORT COUNT
 *          COUNT datagrams of 16 bytes to ADDR:PORT, one socket, in order.
 *        udpio recv [-r READY] [-x STOP] [-t MS] ADDR PORT...
 *          bind ADDR:PORT for each PORT, create the file READY once bound,
 *          count datagrams per port until a datagram arrives on port STOP
 *          (bound too) or MS milliseconds (default 5000) pass; print
 *          "PORT COUNT" per PORT.
 *        udpio sniff [-r READY] [-t MS] IFACE PORT...
 *          count IPv4 UDP frames to each PORT seen on IFACE (packet
 *          socket) until MS milliseconds (default 3000) pass or, once one
 *          came, 300 ms pass without another; print "PORT COUNT" per PORT.
 *        udpio raw IFACE COUNT HEX
 *          send the frame HEX (hex digits, link header included) COUNT
 *          times out of IFACE through a packet socket.
 * The sender writes the stop datagram after its data, so on one path the
 * receiver has seen everything that was let through when it stops.
 * IPv4 only; the tests use addresses in 198.18.0.0/15.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXPORTS 16

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int die(const char *what)
{
	fprintf(stderr, "udpio: %s: %s\n", what, strerror(errno));
	return 1;
}

static int parse_addr(const char *s, unsigned port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, s, &sa->sin_addr) != 1) {
		fprintf(stderr, "udpio: bad address %s\n", s);
		return -1;
	}
	return 0;
}

static int do_send(int argc, char **argv)
{
	struct sockaddr_in sa;
	char buf[16] = "pfc-udpio-test.";
	int fd, i, n;

	if (argc != 4 || parse_addr(argv[1], (unsigned)atoi(argv[2]), &sa) < 0)
		return 2;
	n = atoi(argv[3]);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return die("socket");
	for (i = 0; i < n; i++)
		if (sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return die("sendto");
	close(fd);
	return 0;
}

static void touch(const char *path)
{
	int fd;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);
}

/* Options shared by recv and sniff; returns the index of the first operand. */
static int parse_opts(int argc, char **argv, const char **ready, long *ms, unsigned *stop)
{
	int i;

	for (i = 1; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "-r") == 0)
			*ready = argv[i + 1];
		else if (strcmp(argv[i], "-t") == 0)
			*ms = atol(argv[i + 1]);
		else if (strcmp(argv[i], "-x") == 0 && stop)
			*stop = (unsigned)atoi(argv[i + 1]);
		else
			return -1;
	}
	return i;
}

static int bind_udp(const char *addr, unsigned port)
{
	struct sockaddr_in sa;
	int fd;

	if (parse_addr(addr, port, &sa) < 0)
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		die("bind");
		return -1;
	}
	return fd;
}

static int do_recv(int argc, char **argv)
{
	struct pollfd pfd[MAXPORTS + 1];
	unsigned port[MAXPORTS + 1], stop = 0;
	long count[MAXPORTS + 1] = { 0 }, ms = 5000, end;
	const char *ready = NULL;
	int first = parse_opts(argc, argv, &ready, &ms, &stop), n = 0, i, done = 0;
	char buf[2048];

	if (first < 0 || argc - first < 2 || argc - first - 1 > MAXPORTS)
		return 2;
	for (i = first + 1; i < argc; i++)
		port[n++] = (unsigned)atoi(argv[i]);
	if (stop)
		port[n++] = stop;
	for (i = 0; i < n; i++) {
		pfd[i].fd = bind_udp(argv[first], port[i]);
		pfd[i].events = POLLIN;
		if (pfd[i].fd < 0)
			return 1;
	}
	touch(ready);
	end = now_ms() + ms;
	while (!done && now_ms() < end) {
		if (poll(pfd, (nfds_t)n, (int)(end - now_ms())) <= 0)
			continue;
		for (i = 0; i < n; i++)
			while (recv(pfd[i].fd, buf, sizeof(buf), 0) >= 0) {
				count[i]++;
				if (stop && i == n - 1)
					done = 1;
			}
	}
	for (i = 0; i < n - (stop ? 1 : 0); i++)
		printf("%u %ld\n", port[i], count[i]);
	return 0;
}

/* The destination port of an IPv4 UDP frame (Ethernet), or -1. */
static long udp_port(const uint8_t *f, ssize_t len)
{
	size_t ihl;

	if (len < 14 + 20 + 8 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4 || f[23] != 17)
		return -1;
	ihl = (size_t)(f[14] & 0x0f) * 4;
	if ((ssize_t)(14 + ihl + 4) > len)
		return -1;
	return (long)((unsigned)f[14 + ihl + 2] << 8 | f[14 + ihl + 3]);
}

static int do_sniff(int argc, char **argv)
{
	const char *ready = NULL;
	long ms = 3000, end, limit, count[MAXPORTS] = { 0 }, port[MAXPORTS];
	int first = parse_opts(argc, argv, &ready, &ms, NULL), fd, i, n = 0;
	struct sockaddr_ll sll;
	struct pollfd pfd;
	uint8_t buf[4096];

	if (first < 0 || argc - first < 2 || argc - first - 1 > MAXPORTS)
		return 2;
	for (i = first + 1; i < argc; i++)
		port[n++] = atol(argv[i]);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	if (fd < 0)
		return die("socket");
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(argv[first]);
	if (sll.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return die(argv[first]);
	touch(ready);
	end = limit = now_ms() + ms;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (now_ms() < end) {
		ssize_t len;

		if (poll(&pfd, 1, (int)(end - now_ms())) <= 0)
			continue;
		while ((len = recv(fd, buf, sizeof(buf), 0)) >= 0)
			for (i = 0; i < n; i++)
				if (udp_port(buf, len) == port[i]) {
					count[i]++;
					end = now_ms() + 300 < limit ? now_ms() + 300 : limit;
				}
	}
	for (i = 0; i < n; i++)
		printf("%ld %ld\n", port[i], count[i]);
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int do_raw(int argc, char **argv)
{
	uint8_t frame[1514];
	struct sockaddr_ll sll;
	size_t n = 0, i;
	int fd, count;

	if (argc != 4)
		return 2;
	count = atoi(argv[2]);
	for (i = 0; argv[3][i] && argv[3][i + 1] && n < sizeof(frame); i += 2) {
		if (hexval(argv[3][i]) < 0 || hexval(argv[3][i + 1]) < 0)
			return 2;
		frame[n++] = (uint8_t)(hexval(argv[3][i]) << 4 | hexval(argv[3][i + 1]));
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		return die("socket");
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, frame, 6);
	if (sll.sll_ifindex == 0)
		return die(argv[1]);
	while (count-- > 0)
		if (sendto(fd, frame, n, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
			return die("sendto");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "send") == 0)
		return do_send(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "recv") == 0)
		return do_recv(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "sniff") == 0)
		return do_sniff(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "raw") == 0)
		return do_raw(argc - 1, argv + 1);
	fprintf(stderr, "usage: udpio send ADDR PORT COUNT\n"
		"       udpio recv [-r READY] [-x STOP] [-t MS] ADDR PORT...\n"
		"       udpio sniff [-r READY] [-t MS] IFACE PORT...\n"
		"       udpio raw IFACE COUNT HEX\n");
	return 2;
}
