/*
 * pktsend.c -- send crafted 60-byte Ethernet/IPv4/UDP frames on an
 * interface through a raw AF_PACKET socket (for the live capture tests).
 *
 *   pktsend IFACE COUNT DPORT[,DPORT...] [SPORT0]
 *
 * Frame i goes from 198.18.0.1 port SPORT0+i (default 10000, wrapping
 * below 65536) to 198.18.0.2, its destination port taken round-robin from
 * the list; its payload carries i.  COUNT 0 sends until killed.  The MAC
 * addresses are locally administered, the destination is nobody's, so the
 * peer's stack drops the frames without answering.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void frame(uint8_t *f, unsigned long i, unsigned sport, unsigned dport)
{
	static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint16_t c;

	memset(f, 0, 60);
	memcpy(f, mac, 12);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 46;			/* total length: 20 + 8 + 18 */
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, (const uint8_t[]){ 198, 18, 0, 1, 198, 18, 0, 2 }, 8);
	c = csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[2] = (uint8_t)(dport >> 8);
	udp[3] = (uint8_t)dport;
	udp[5] = 26;
	memcpy(udp + 8, &(uint32_t){ htonl((uint32_t)i) }, 4);
}

int main(int argc, char **argv)
{
	unsigned ports[16], nports = 0, sport0;
	unsigned long count, i;
	struct sockaddr_ll sll;
	char *s, *end;
	uint8_t f[60];
	int fd;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: pktsend IFACE COUNT DPORT[,DPORT...] [SPORT0]\n");
		return 2;
	}
	count = strtoul(argv[2], NULL, 10);
	for (s = argv[3]; nports < 16; s = end + 1) {
		ports[nports++] = (unsigned)strtoul(s, &end, 10);
		if (*end != ',')
			break;
	}
	sport0 = argc == 5 ? (unsigned)strtoul(argv[4], NULL, 10) : 10000;
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	sll.sll_halen = 6;
	if (fd < 0 || !sll.sll_ifindex) {
		perror(argv[1]);
		return 1;
	}
	for (i = 0; count == 0 || i < count; i++) {
		frame(f, i, (sport0 + (unsigned)(i % (65536 - sport0))) & 0xffff, ports[i % nports]);
		while (sendto(fd, f, sizeof(f), 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				perror("sendto");
				return 1;
			}
			usleep(100);
		}
	}
	close(fd);
	return 0;
}
