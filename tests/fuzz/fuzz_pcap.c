/*
 * fuzz_pcap.c -- libFuzzer target for the capture file reader.
 *
 * Input: a whole file, pcap or pcapng, read in place (cap_file_open_mem).
 * The reader must never crash or read outside the input: every record it
 * hands out lies within the input and is no longer than its interface's
 * snap length; every error has a message starting with its byte offset.
 * Each record is also printed (print*.c) plainly, with -e -v and with
 * -vv -XX, with conversation state, into a buffer of CAP_PRINT_BUFSIZE
 * bytes, which must hold the whole text; a violation aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char text[CAP_PRINT_BUFSIZE(262144)];

/* The printers see a copy of exactly caplen bytes, so that ASan catches any over-read. */
static void print_all(const struct cap_pkt *in, struct cap_print_state *st)
{
	struct cap_print_opts o;
	struct cap_pkt copy = *in, *pkt = &copy;
	uint8_t *data = malloc(in->caplen ? in->caplen : 1);
	int n;

	if (!data)
		abort();
	if (in->caplen)
		memcpy(data, in->data, in->caplen);
	copy.data = data;
	cap_print_opts_init(&o);
	o.state = st;
	for (n = 0; n < 3; n++) {
		o.link = n == 1;
		o.verbose = n;
		o.dump = n == 2 ? CAP_DUMP_HEX_ASCII_LINK : CAP_DUMP_NONE;
		if (cap_print_pkt(&o, pkt, pkt->linktype, text, CAP_PRINT_BUFSIZE(pkt->caplen)) >=
		    (int)CAP_PRINT_BUFSIZE(pkt->caplen))
			abort();
	}
	free(data);
}

static void check_record(const uint8_t *data, size_t size, const struct cap_file *f,
			 const struct cap_pkt *pkt, struct cap_print_state *st)
{
	struct cap_iface ifc;
	char line[512];

	if (pkt->caplen && (pkt->data < data || pkt->data + pkt->caplen > data + size))
		abort();
	if (cap_file_iface(f, pkt->iface, &ifc) != 0 || pkt->caplen > ifc.snaplen ||
	    pkt->linktype != ifc.dlt)
		abort();
	if (cap_pkt_summary(pkt, CAP_PRECISION_NANO, line, sizeof(line)) < 0)
		abort();
	print_all(pkt, st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cap_file *f = NULL;
	struct cap_print_state *st = cap_print_state_new();
	struct cap_pkt pkt;
	char err[256];
	unsigned long n = 0;
	int rc;

	if (cap_file_open_mem(data, size, &f, err, sizeof(err)) != 0) {
		if (strncmp(err, "offset ", 7) != 0)
			abort();
		cap_print_state_free(st);
		return 0;
	}
	while ((rc = cap_file_next(f, &pkt)) == 1 && n++ < 100000)
		check_record(data, size, f, &pkt, st);
	if (rc < 0 && (strncmp(cap_file_error(f), "offset ", 7) != 0 || cap_file_next(f, &pkt) != rc))
		abort();
	cap_file_close(f);
	cap_print_state_free(st);
	return 0;
}
