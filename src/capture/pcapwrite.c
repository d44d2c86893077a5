/*
 * pcapwrite.c -- write pcap files as libpcap's pcap_dump does: host byte
 * order, version 2.4, zone and sigfigs 0, the magic of the timestamp
 * precision, records cut to what the filter kept.
 *
 * Records are batched in one large buffer and written with write(2) when it
 * fills.  Keeps true: every failed or short write is an error that sticks
 * and is returned by cap_writer_close(), so a short file never goes unnoticed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture_int.h"

#define WBUF_SIZE (1u << 20)

struct cap_writer {
	int fd;
	int close_fd;
	enum cap_precision precision;
	uint8_t *buf;
	size_t len;
	int failed;
	char err[256];
};

void cap_writer_opts_init(struct cap_writer_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	opts->linktype = 1;
	opts->snaplen = CAP_MAX_SNAPLEN;
}

static int write_all(struct cap_writer *w, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = write(w->fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			w->failed = r < 0 ? -errno : -EIO;
			snprintf(w->err, sizeof(w->err), "write failed: %s", strerror(-w->failed));
			return w->failed;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int flush(struct cap_writer *w)
{
	int rc;

	if (w->failed)
		return w->failed;
	rc = write_all(w, w->buf, w->len);
	w->len = 0;
	return rc;
}

static int put(struct cap_writer *w, const void *p, size_t n)
{
	if (w->len + n > WBUF_SIZE) {
		if (flush(w) < 0)
			return w->failed;
		if (n > WBUF_SIZE)
			return write_all(w, p, n);
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
	return 0;
}

int cap_writer_open(const char *path, const struct cap_writer_opts *opts,
		    struct cap_writer **out, char *errbuf, size_t errlen)
{
	struct cap_writer *w;
	uint32_t hdr[6];
	int rc;

	if (!opts || opts->sz < sizeof(*opts))
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w || !(w->buf = malloc(WBUF_SIZE))) {
		free(w);
		return -ENOMEM;
	}
	w->fd = strcmp(path, "-") == 0 ? 1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	w->close_fd = w->fd != 1;
	if (w->fd < 0) {
		rc = -errno;
		if (errbuf)
			snprintf(errbuf, errlen, "%s", strerror(-rc));
		free(w->buf);
		free(w);
		return rc;
	}
	w->precision = opts->precision;
	hdr[0] = opts->precision == CAP_PRECISION_NANO ? 0xa1b23c4du : 0xa1b2c3d4u;
	memcpy(&hdr[1], (const uint16_t[]){ 2, 4 }, 4);	/* version 2.4 */
	hdr[2] = 0;
	hdr[3] = 0;
	hdr[4] = opts->snaplen;
	hdr[5] = opts->linktype;
	put(w, hdr, sizeof(hdr));
	*out = w;
	return 0;
}

int cap_writer_write(struct cap_writer *w, const struct cap_pkt *pkt, uint32_t keep)
{
	uint32_t h[4];
	uint32_t n = pkt->caplen < keep ? pkt->caplen : keep;

	if (w->failed)
		return w->failed;
	h[0] = (uint32_t)pkt->ts_sec;
	h[1] = w->precision == CAP_PRECISION_NANO ? pkt->ts_nsec : pkt->ts_usec;
	h[2] = n;
	h[3] = pkt->wirelen;
	if (w->len + sizeof(h) + n <= WBUF_SIZE) {
		memcpy(w->buf + w->len, h, sizeof(h));
		memcpy(w->buf + w->len + sizeof(h), pkt->data, n);
		w->len += sizeof(h) + n;
		return 0;
	}
	if (put(w, h, sizeof(h)) < 0)
		return w->failed;
	return put(w, pkt->data, n);
}

int cap_writer_close(struct cap_writer *w, char *errbuf, size_t errlen)
{
	int rc;

	if (!w)
		return 0;
	rc = flush(w);
	if (w->close_fd && close(w->fd) < 0 && rc == 0) {
		rc = -errno;
		snprintf(w->err, sizeof(w->err), "close failed: %s", strerror(-rc));
	}
	if (rc && errbuf)
		snprintf(errbuf, errlen, "%s", w->err);
	free(w->buf);
	free(w);
	return rc;
}

const char *cap_writer_error(const struct cap_writer *w)
{
	return w->err;
}

int cap_writer_flush(struct cap_writer *w)
{
	return flush(w);
}
