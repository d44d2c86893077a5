/*
 * pcapc.c -- the reference: compile an expression with libpcap (tests and
 * benchmarks only; the product never calls pcap_compile).
 *
 * usage: pcapc [-O] [-y LINKTYPE] [-s SNAPLEN] [-m NETMASK] [-F FILE] [-d|-dd|-ddd] EXPRESSION...
 * Compiles on a pcap_open_dead() handle, optimized unless -O, and prints the
 * program as tcpdump would (-d by default).  Exit 1 with libpcap's message
 * on stderr when it refuses the expression.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

int main(int argc, char **argv)
{
	int optimize = 1, dlt = DLT_EN10MB, snaplen = 262144, dflag = 1, c;
	bpf_u_int32 netmask = PCAP_NETMASK_UNKNOWN;
	struct bpf_program prog;
	static char expr[1 << 22] = "";
	pcap_t *p;

	while ((c = getopt(argc, argv, "Oy:s:m:dF:")) != -1) {
		switch (c) {
		case 'O': optimize = 0; break;
		case 'y':
			dlt = pcap_datalink_name_to_val(optarg);
			if (dlt < 0)
				dlt = atoi(optarg);
			break;
		case 's': snaplen = atoi(optarg); break;
		case 'm': {
			struct in_addr a;

			if (inet_pton(AF_INET, optarg, &a) != 1) {
				fprintf(stderr, "bad netmask\n");
				return 2;
			}
			netmask = ntohl(a.s_addr);
			break;
		}
		case 'd': dflag++; break;
		case 'F': {
			FILE *f = fopen(optarg, "r");
			size_t n;

			if (!f) {
				perror(optarg);
				return 2;
			}
			n = fread(expr, 1, sizeof(expr) - 1, f);
			expr[n] = '\0';
			fclose(f);
			break;
		}
		default:
			fprintf(stderr, "usage: pcapc [-O] [-y DLT] [-s SNAPLEN] [-m MASK] [-d...] EXPR\n");
			return 2;
		}
	}
	for (; optind < argc && !*expr; optind++) {
		if (*expr)
			strncat(expr, " ", sizeof(expr) - strlen(expr) - 1);
		strncat(expr, argv[optind], sizeof(expr) - strlen(expr) - 1);
	}
	p = pcap_open_dead(dlt, snaplen);
	if (!p)
		return 2;
	if (pcap_compile(p, &prog, expr, optimize, netmask) < 0) {
		fprintf(stderr, "%s\n", pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	bpf_dump(&prog, dflag > 1 ? dflag - 1 : 1);
	pcap_freecode(&prog);
	pcap_close(p);
	return 0;
}
