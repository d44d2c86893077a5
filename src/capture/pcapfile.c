/*
 * pcapfile.c -- read pcap and pcapng files record by record.
 *
 * File parsing is libpcap's (pcap_open_offline and pcap_next_ex; the product
 * uses libpcap for file I/O only, never its compiler or filter engine).
 * Keeps true: a record handed out is never longer than its captured length,
 * and timestamps are in microseconds whatever the file's precision.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "capture.h"

struct cap_file {
	pcap_t *p;
	char err[PCAP_ERRBUF_SIZE];
};

int cap_file_open(const char *path, struct cap_file **out, char *errbuf, size_t errlen)
{
	struct cap_file *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->p = pcap_open_offline(path, f->err);
	if (!f->p) {
		if (errbuf)
			snprintf(errbuf, errlen, "%s", f->err);
		free(f);
		return -EINVAL;
	}
	*out = f;
	return 0;
}

int cap_file_next(struct cap_file *f, struct cap_pkt *pkt)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(f->p, &h, &data);

	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		snprintf(f->err, sizeof(f->err), "%s", pcap_geterr(f->p));
		return -EINVAL;
	}
	pkt->data = data;
	pkt->caplen = h->caplen;
	pkt->wirelen = h->len;
	pkt->ts_sec = h->ts.tv_sec;
	pkt->ts_usec = (uint32_t)h->ts.tv_usec;
	pkt->linktype = pcap_datalink(f->p);
	return 1;
}

int cap_file_linktype(const struct cap_file *f)
{
	return pcap_datalink(f->p);
}

const char *cap_file_error(const struct cap_file *f)
{
	return f->err;
}

void cap_file_close(struct cap_file *f)
{
	if (!f)
		return;
	pcap_close(f->p);
	free(f);
}
