/*
 * pcapfile_t.c -- unit tests of the capture file reader and writer on
 * crafted files: pcap in both byte orders, micro- and nanosecond magic, FCS
 * bits, over-long and truncated records, bad magic; pcapng with two
 * interfaces of different link types and resolutions, simple and obsolete
 * packet blocks, unknown blocks, a second section in the other byte order,
 * broken blocks; the writer's header, round trips larger than the read
 * buffer, and a write to /dev/full.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "tap.h"

/* ---- a little file builder ---- */

struct buf {
	uint8_t b[1 << 14];
	size_t n;
	int be;
};

static void p8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void p16(struct buf *b, unsigned v)
{
	if (b->be) { p8(b, v >> 8); p8(b, v); } else { p8(b, v); p8(b, v >> 8); }
}
static void p32(struct buf *b, uint32_t v)
{
	if (b->be) { p16(b, v >> 16); p16(b, v & 0xffff); } else { p16(b, v & 0xffff); p16(b, v >> 16); }
}
static void pbytes(struct buf *b, unsigned n, unsigned seed)
{
	while (n--)
		p8(b, seed++);
}

static void pcap_hdr(struct buf *b, int be, uint32_t magic, uint32_t snaplen, uint32_t lt)
{
	b->n = 0;
	b->be = be;
	p32(b, magic);
	p16(b, 2);
	p16(b, 4);
	p32(b, 0);
	p32(b, 0);
	p32(b, snaplen);
	p32(b, lt);
}

static void pcap_rec(struct buf *b, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len)
{
	p32(b, sec);
	p32(b, frac);
	p32(b, caplen);
	p32(b, len);
	pbytes(b, caplen, caplen);
}

static struct cap_file *open_buf(const struct buf *b, char *err, size_t errlen, int *rc)
{
	struct cap_file *f = NULL;

	err[0] = '\0';
	*rc = cap_file_open_mem(b->b, b->n, &f, err, errlen);
	return f;
}

/* ---- pcap ---- */

static void test_pcap_orders(void)
{
	static const struct { int be; uint32_t magic; int nano; const char *name; } v[] = {
		{ 0, 0xa1b2c3d4, 0, "little-endian microsecond" },
		{ 1, 0xa1b2c3d4, 0, "big-endian microsecond" },
		{ 0, 0xa1b23c4d, 1, "little-endian nanosecond" },
		{ 1, 0xa1b23c4d, 1, "big-endian nanosecond" },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct buf b;
		struct cap_file *f;
		struct cap_pkt pkt;
		struct cap_iface ifc;
		char err[256];
		int rc;

		pcap_hdr(&b, v[i].be, v[i].magic, 65535, 1);
		pcap_rec(&b, 1000, v[i].nano ? 123456789 : 123456, 60, 60);
		pcap_rec(&b, 1001, 5, 42, 1514);
		f = open_buf(&b, err, sizeof(err), &rc);
		tap_is_int(rc, 0, "%s: opens", v[i].name);
		if (!f)
			continue;
		tap_is_int(cap_file_linktype(f), 1, "%s: link type EN10MB", v[i].name);
		cap_file_iface(f, 0, &ifc);
		tap_is_int(ifc.precision, v[i].nano, "%s: precision", v[i].name);
		tap_is_int(ifc.snaplen, 65535, "%s: snap length", v[i].name);
		rc = cap_file_next(f, &pkt);
		tap_ok(rc == 1 && pkt.caplen == 60 && pkt.wirelen == 60 && pkt.ts_sec == 1000,
		       "%s: first record", v[i].name);
		tap_is_int(pkt.ts_usec, 123456, "%s: microseconds", v[i].name);
		tap_is_int(pkt.ts_nsec, v[i].nano ? 123456789 : 123456000, "%s: nanoseconds", v[i].name);
		tap_ok(pkt.data[0] == 60 && pkt.data[59] == 119, "%s: data", v[i].name);
		rc = cap_file_next(f, &pkt);
		tap_ok(rc == 1 && pkt.caplen == 42 && pkt.wirelen == 1514 && pkt.ts_sec == 1001,
		       "%s: second record", v[i].name);
		tap_is_int(cap_file_next(f, &pkt), 0, "%s: end", v[i].name);
		cap_file_close(f);
	}
}

static void test_pcap_fcs_and_snaplen(void)
{
	struct buf b;
	struct cap_file *f;
	struct cap_pkt pkt;
	struct cap_iface ifc;
	char err[256];
	int rc;

	/* FCS present, 4 bytes (libpcap's LT_FCS_DATADLT): the link type is still Ethernet */
	pcap_hdr(&b, 0, 0xa1b2c3d4, 0, 0x14000001u);
	pcap_rec(&b, 1, 0, 100, 100);
	f = open_buf(&b, err, sizeof(err), &rc);
	cap_file_iface(f, 0, &ifc);
	tap_is_int(ifc.dlt, 1, "FCS bits: DLT EN10MB");
	tap_is_int(ifc.linktype, 0x14000001u, "FCS bits kept for the writer");
	tap_is_int(ifc.snaplen, 262144, "snap length 0 means the maximum");
	cap_file_close(f);

	/* caplen over the snap length: cut, as libpcap cuts it */
	pcap_hdr(&b, 0, 0xa1b2c3d4, 64, 1);
	pcap_rec(&b, 1, 0, 100, 200);
	pcap_rec(&b, 2, 0, 10, 10);
	f = open_buf(&b, err, sizeof(err), &rc);
	rc = cap_file_next(f, &pkt);
	tap_ok(rc == 1 && pkt.caplen == 64 && pkt.wirelen == 200, "caplen 100 > snaplen 64: cut to 64");
	rc = cap_file_next(f, &pkt);
	tap_ok(rc == 1 && pkt.caplen == 10 && pkt.ts_sec == 2, "the next record follows the whole one");
	cap_file_close(f);

	/* caplen over the link type's maximum: an error naming the record's offset */
	pcap_hdr(&b, 0, 0xa1b2c3d4, 65535, 1);
	pcap_rec(&b, 1, 0, 10, 10);
	p32(&b, 2); p32(&b, 0); p32(&b, 300000); p32(&b, 300000);
	f = open_buf(&b, err, sizeof(err), &rc);
	tap_is_int(cap_file_next(f, &pkt), 1, "record before an absurd caplen delivered");
	tap_is_int(cap_file_next(f, &pkt), -EINVAL, "caplen 300000: -EINVAL");
	tap_is_str(cap_file_error(f), "offset 50: invalid captured length 300000 in a record "
		   "header, larger than the link type's maximum 262144", "caplen 300000: message");
	tap_is_int(cap_file_next(f, &pkt), -EINVAL, "the error sticks");
	cap_file_close(f);
}

static void test_pcap_errors(void)
{
	struct buf b;
	struct cap_file *f;
	struct cap_pkt pkt;
	char err[256];
	int rc;

	pcap_hdr(&b, 0, 0xa1b2c3d4, 65535, 1);
	pcap_rec(&b, 1, 0, 20, 20);
	pcap_rec(&b, 2, 0, 30, 30);
	b.n -= 5;	/* the second record loses its last 5 bytes */
	f = open_buf(&b, err, sizeof(err), &rc);
	tap_is_int(cap_file_next(f, &pkt), 1, "truncated file: first record delivered");
	tap_is_int(cap_file_next(f, &pkt), -EINVAL, "truncated record: -EINVAL");
	tap_is_str(cap_file_error(f), "offset 60: truncated record: 30 captured bytes announced, "
		   "25 in the file", "truncated record: message with its offset");
	cap_file_close(f);

	pcap_hdr(&b, 0, 0xa1b2c3d4, 65535, 1);
	pcap_rec(&b, 1, 0, 20, 20);
	p32(&b, 7);
	f = open_buf(&b, err, sizeof(err), &rc);
	cap_file_next(f, &pkt);
	tap_is_int(cap_file_next(f, &pkt), -EINVAL, "truncated record header: -EINVAL");
	tap_is_str(cap_file_error(f), "offset 60: truncated record header (4 of 16 bytes)",
		   "truncated record header: message");
	cap_file_close(f);

	b.n = 0;
	b.be = 0;
	p32(&b, 0xdeadbeef);
	pbytes(&b, 40, 0);
	f = open_buf(&b, err, sizeof(err), &rc);
	tap_ok(!f && rc == -EINVAL, "bad magic: not opened");
	tap_is_str(err, "offset 0: not a pcap or pcapng file (magic 0xefbeadde)", "bad magic: message");

	pcap_hdr(&b, 0, 0xa1b2c3d4, 65535, 1);
	b.n = 10;
	f = open_buf(&b, err, sizeof(err), &rc);
	tap_ok(!f && strstr(err, "truncated pcap file header"), "truncated file header: %s", err);

	pcap_hdr(&b, 0, 0xa1b2c3d4, 65535, 1);
	b.b[6] = 2;	/* version 2.2: caplen and len in the other order, as libpcap reads them */
	pcap_rec(&b, 1, 0, 20, 20);
	b.b[24 + 8] = 90;	/* the first length field is the wire length here */
	f = open_buf(&b, err, sizeof(err), &rc);
	rc = cap_file_next(f, &pkt);
	tap_ok(rc == 1 && pkt.caplen == 20 && pkt.wirelen == 90, "version 2.2: lengths exchanged");
	cap_file_close(f);

	/* the modified ("Kuznetzov") format: 8 more bytes in each record header */
	pcap_hdr(&b, 0, 0xa1b2cd34, 65535, 1);
	p32(&b, 5); p32(&b, 6); p32(&b, 10); p32(&b, 10); p32(&b, 0); p32(&b, 0);
	pbytes(&b, 10, 10);
	f = open_buf(&b, err, sizeof(err), &rc);
	rc = f ? cap_file_next(f, &pkt) : rc;
	tap_ok(rc == 1 && pkt.caplen == 10 && pkt.ts_usec == 6 && pkt.data[0] == 10,
	       "modified pcap: 24-byte record headers");
	tap_is_int(f ? cap_file_next(f, &pkt) : -1, 0, "modified pcap: end");
	cap_file_close(f);

	pcap_hdr(&b, 0, 0xa1b2c3d4, 65535, 1);
	b.b[4] = 3;	/* version 3.4 */
	f = open_buf(&b, err, sizeof(err), &rc);
	tap_ok(!f && strstr(err, "unsupported pcap file version 3.4"), "version 3.4: %s", err);
}

/* ---- pcapng ---- */

static size_t blk_start(struct buf *b, uint32_t type)
{
	size_t at = b->n;

	p32(b, type);
	p32(b, 0);	/* length, patched by blk_end */
	return at;
}

static void blk_end(struct buf *b, size_t at)
{
	uint32_t len;
	size_t save = b->n;

	while (b->n % 4)
		p8(b, 0);
	len = (uint32_t)(b->n + 4 - at);
	p32(b, len);
	save = b->n;
	b->n = at + 4;
	p32(b, len);
	b->n = save;
}

static void shb(struct buf *b, int be)
{
	size_t at;

	b->be = be;
	at = blk_start(b, 0x0a0d0d0a);
	p32(b, 0x1a2b3c4d);
	p16(b, 1);
	p16(b, 0);
	p32(b, 0xffffffff);
	p32(b, 0xffffffff);
	blk_end(b, at);
}

/* tsresol < 0: no option; tsoffset != 0: an if_tsoffset option */
static void idb(struct buf *b, unsigned lt, uint32_t snaplen, int tsresol, int64_t tsoffset)
{
	size_t at = blk_start(b, 1);

	p16(b, lt);
	p16(b, 0);
	p32(b, snaplen);
	p16(b, 2);	/* if_name: skipped */
	p16(b, 3);
	p8(b, 'e'); p8(b, 't'); p8(b, 'h'); p8(b, 0);
	if (tsresol >= 0) {
		p16(b, 9);
		p16(b, 1);
		p32(b, 0);
		b->b[b->n - 4] = (uint8_t)tsresol;
	}
	if (tsoffset) {
		p16(b, 14);
		p16(b, 8);
		p32(b, b->be ? (uint32_t)((uint64_t)tsoffset >> 32) : (uint32_t)tsoffset);
		p32(b, b->be ? (uint32_t)tsoffset : (uint32_t)((uint64_t)tsoffset >> 32));
	}
	p16(b, 0);
	p16(b, 0);
	blk_end(b, at);
}

static void epb(struct buf *b, uint32_t ifid, uint64_t ts, uint32_t caplen, uint32_t len)
{
	size_t at = blk_start(b, 6);

	p32(b, ifid);
	p32(b, (uint32_t)(ts >> 32));
	p32(b, (uint32_t)ts);
	p32(b, caplen);
	p32(b, len);
	pbytes(b, caplen, caplen);
	blk_end(b, at);
}

static void test_pcapng(void)
{
	struct buf b;
	struct cap_file *f;
	struct cap_pkt pkt;
	struct cap_iface ifc;
	char err[256];
	size_t at;
	int rc;

	b.n = 0;
	shb(&b, 0);
	idb(&b, 1, 65535, -1, 0);		/* Ethernet, microseconds */
	at = blk_start(&b, 0x0badf00d);		/* unknown block: skipped */
	pbytes(&b, 10, 0);
	blk_end(&b, at);
	idb(&b, 101, 0, 9, 10);			/* raw IP, nanoseconds, +10 s */
	epb(&b, 0, 1500000000123456ull, 60, 60);
	epb(&b, 1, 1500000000123456789ull, 40, 1500);
	at = blk_start(&b, 3);			/* simple packet block: interface 0 */
	p32(&b, 30);
	pbytes(&b, 30, 30);
	blk_end(&b, at);
	at = blk_start(&b, 2);			/* obsolete packet block on interface 1 */
	p16(&b, 1);
	p16(&b, 0);
	p32(&b, 0);
	p32(&b, 2000000000);
	p32(&b, 20);
	p32(&b, 20);
	pbytes(&b, 20, 20);
	blk_end(&b, at);
	shb(&b, 1);				/* a second section, big-endian */
	idb(&b, 113, 96, 0x80 | 20, 0);		/* Linux cooked, 2^-20 s */
	epb(&b, 0, (5ull << 20) | (1u << 19), 100, 100);

	f = open_buf(&b, err, sizeof(err), &rc);
	tap_is_int(rc, 0, "pcapng: opens");
	if (!f) {
		tap_diag("%s", err);
		return;
	}
	tap_is_int(cap_file_linktype(f), 1, "pcapng: first interface's link type");
	rc = cap_file_next(f, &pkt);
	tap_ok(rc == 1 && pkt.iface == 0 && pkt.linktype == 1 && pkt.caplen == 60,
	       "pcapng: EPB on interface 0");
	tap_ok(pkt.ts_sec == 1500000000 && pkt.ts_usec == 123456, "pcapng: microsecond stamp");
	rc = cap_file_next(f, &pkt);
	tap_ok(rc == 1 && pkt.iface == 1 && pkt.linktype == 12 && pkt.caplen == 40 &&
	       pkt.wirelen == 1500, "pcapng: EPB on interface 1 (LINKTYPE_RAW is DLT_RAW 12)");
	tap_ok(pkt.ts_sec == 1500000010 && pkt.ts_nsec == 123456789 && pkt.ts_usec == 123456,
	       "pcapng: nanosecond stamp with if_tsoffset");
	cap_file_iface(f, 1, &ifc);
	tap_ok(ifc.precision == CAP_PRECISION_NANO && ifc.snaplen == 262144 && ifc.linktype == 101,
	       "pcapng: interface 1 described");
	rc = cap_file_next(f, &pkt);
	tap_ok(rc == 1 && pkt.iface == 0 && pkt.caplen == 30 && pkt.data[0] == 30,
	       "pcapng: simple packet block");
	rc = cap_file_next(f, &pkt);
	tap_ok(rc == 1 && pkt.iface == 1 && pkt.caplen == 20 && pkt.ts_sec == 12,
	       "pcapng: obsolete packet block");
	rc = cap_file_next(f, &pkt);
	tap_ok(rc == 1 && pkt.iface == 2 && pkt.linktype == 113 && pkt.caplen == 96 &&
	       pkt.wirelen == 100 && pkt.data[0] == 100, "pcapng: big-endian section, cut to snaplen 96");
	tap_ok(pkt.ts_sec == 5 && pkt.ts_usec == 500000 && pkt.ts_nsec == 500000000,
	       "pcapng: binary resolution 2^-20");
	tap_is_int(cap_file_next(f, &pkt), 0, "pcapng: end");
	tap_is_int(cap_file_nifaces(f), 3, "pcapng: three interfaces in two sections");
	cap_file_close(f);
}

static void test_pcapng_errors(void)
{
	struct buf b;
	struct cap_file *f;
	struct cap_pkt pkt;
	char err[256];
	size_t good;
	int rc;

	b.n = 0;
	shb(&b, 0);
	idb(&b, 1, 0, -1, 0);
	epb(&b, 0, 1, 10, 10);
	good = b.n;
	epb(&b, 5, 1, 10, 10);
	f = open_buf(&b, err, sizeof(err), &rc);
	if (!f) {
		tap_ok(0, "pcapng errors: opens (%s)", err);
		return;
	}
	tap_is_int(cap_file_next(f, &pkt), 1, "pcapng: packet before a bad one delivered");
	tap_is_int(cap_file_next(f, &pkt), -EINVAL, "pcapng: unknown interface: -EINVAL");
	tap_ok(strstr(cap_file_error(f), "packet of interface 5, but the section describes 1") != NULL,
	       "pcapng: unknown interface: %s", cap_file_error(f));
	cap_file_close(f);

	b.n = good;
	epb(&b, 0, 1, 10, 10);
	b.b[b.n - 4] ^= 4;	/* trailer length differs */
	f = open_buf(&b, err, sizeof(err), &rc);
	cap_file_next(f, &pkt);
	tap_is_int(cap_file_next(f, &pkt), -EINVAL, "pcapng: length mismatch: -EINVAL");
	tap_ok(strncmp(cap_file_error(f), "offset ", 7) == 0 &&
	       (size_t)atoi(cap_file_error(f) + 7) == good && strstr(cap_file_error(f), "at the end"),
	       "pcapng: length mismatch at its offset: %s", cap_file_error(f));
	cap_file_close(f);

	b.n = good;
	epb(&b, 0, 1, 10, 10);
	b.n -= 8;
	f = open_buf(&b, err, sizeof(err), &rc);
	cap_file_next(f, &pkt);
	tap_is_int(cap_file_next(f, &pkt), -EINVAL, "pcapng: truncated block: -EINVAL");
	tap_ok(strstr(cap_file_error(f), "truncated block") != NULL, "pcapng: %s", cap_file_error(f));
	cap_file_close(f);

	b.n = good;
	epb(&b, 0, 1, 10, 10);
	b.b[good + 20] = 200;	/* caplen 200 in a block of 10 bytes of data */
	f = open_buf(&b, err, sizeof(err), &rc);
	cap_file_next(f, &pkt);
	tap_is_int(cap_file_next(f, &pkt), -EINVAL, "pcapng: caplen over its block: -EINVAL");
	cap_file_close(f);

	b.n = 0;
	shb(&b, 0);
	epb(&b, 0, 1, 10, 10);
	f = open_buf(&b, err, sizeof(err), &rc);
	tap_ok(!f && strstr(err, "no interface description block before the first packet"),
	       "pcapng: packet before any IDB: %s", err);

	b.n = 0;
	shb(&b, 0);
	b.b[12] = 2;	/* version 2.0 */
	f = open_buf(&b, err, sizeof(err), &rc);
	tap_ok(!f && strstr(err, "unsupported pcapng version 2.0"), "pcapng: version 2.0: %s", err);
}

/* ---- writer ---- */

static void test_writer_header(const char *dir)
{
	struct cap_writer_opts wo;
	struct cap_writer *w = NULL;
	struct cap_pkt pkt;
	char path[512], err[256];
	uint8_t data[100], got[64];
	uint32_t u[4];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/hdr.pcap", dir);
	cap_writer_opts_init(&wo);
	wo.linktype = 0x14000001u;
	wo.snaplen = 1234;
	wo.precision = CAP_PRECISION_NANO;
	tap_is_int(cap_writer_open(path, &wo, &w, err, sizeof(err)), 0, "writer: opens");
	memset(&pkt, 0, sizeof(pkt));
	memset(data, 0xab, sizeof(data));
	pkt.data = data;
	pkt.caplen = 100;
	pkt.wirelen = 150;
	pkt.ts_sec = 7;
	pkt.ts_usec = 8;
	pkt.ts_nsec = 8009;
	cap_writer_write(w, &pkt, 20);
	tap_is_int(cap_writer_close(w, err, sizeof(err)), 0, "writer: closes");
	fp = fopen(path, "rb");
	n = fp ? fread(got, 1, sizeof(got), fp) : 0;
	if (fp)
		fclose(fp);
	tap_is_int(n, 24 + 16 + 20, "writer: header + one record cut to the filter's 20 bytes");
	memcpy(u, got, 4);
	tap_is_int(u[0], 0xa1b23c4du, "writer: nanosecond magic in host order");
	tap_ok(got[4] == 2 && got[6] == 4, "writer: version 2.4");
	memcpy(u, got + 16, 8);
	tap_ok(u[0] == 1234 && u[1] == 0x14000001u, "writer: snap length and link type with FCS bits");
	memcpy(u, got + 24, 16);
	tap_ok(u[0] == 7 && u[1] == 8009 && u[2] == 20 && u[3] == 150, "writer: record header");
}

/* A file bigger than the reader's buffer, with records across its refills. */
static void test_round_trip(const char *dir)
{
	struct cap_writer_opts wo;
	struct cap_writer *w = NULL;
	struct cap_file *f = NULL;
	struct cap_pkt pkt;
	static uint8_t data[2000];
	char path[512], err[256];
	unsigned i, n = 40000, bad = 0, seen = 0;	/* 40 MB: mapped, with the toucher thread */
	uint64_t bytes = 24;
	int rc;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	snprintf(path, sizeof(path), "%s/big.pcap", dir);
	cap_writer_opts_init(&wo);
	cap_writer_open(path, &wo, &w, err, sizeof(err));
	memset(&pkt, 0, sizeof(pkt));
	pkt.data = data;
	for (i = 0; i < n; i++) {
		pkt.caplen = pkt.wirelen = 1 + (i * 997) % 1999;
		pkt.ts_sec = i;
		pkt.ts_usec = i % 1000000;
		cap_writer_write(w, &pkt, ~0u);
		bytes += 16 + pkt.caplen;
	}
	tap_is_int(cap_writer_close(w, err, sizeof(err)), 0, "round trip: %u records written", n);
	rc = cap_file_open(path, &f, err, sizeof(err));
	tap_is_int(rc, 0, "round trip: opened");
	if (rc)
		return;
	while ((rc = cap_file_next(f, &pkt)) == 1) {
		uint32_t want = 1 + (seen * 997) % 1999;

		if (pkt.caplen != want || pkt.ts_sec != seen || memcmp(pkt.data, data, want) != 0)
			bad++;
		seen++;
	}
	tap_ok(rc == 0 && seen == n && bad == 0, "round trip: %u records read back, %u differ", seen,
	       bad);
	tap_ok(cap_file_offset(f) == bytes, "round trip: offset at the end %llu, the file's size %llu",
	       (unsigned long long)cap_file_offset(f), (unsigned long long)bytes);
	cap_file_close(f);
	/* closed early: the thread that maps pages ahead is stopped and joined */
	rc = cap_file_open(path, &f, err, sizeof(err));
	for (seen = 0; rc == 0 && seen < 10 && cap_file_next(f, &pkt) == 1; seen++)
		;
	tap_ok(rc == 0 && seen == 10, "round trip: closed after 10 of %u records", n);
	if (rc == 0)
		cap_file_close(f);
}

static void test_full_disk(void)
{
	struct cap_writer_opts wo;
	struct cap_writer *w = NULL;
	struct cap_pkt pkt;
	uint8_t data[1000] = { 0 };
	char err[256] = "";
	int rc = 0, i;

	if (access("/dev/full", W_OK) != 0) {
		tap_skip("no /dev/full");
		return;
	}
	cap_writer_opts_init(&wo);
	tap_is_int(cap_writer_open("/dev/full", &wo, &w, err, sizeof(err)), 0, "/dev/full: opens");
	memset(&pkt, 0, sizeof(pkt));
	pkt.data = data;
	pkt.caplen = pkt.wirelen = sizeof(data);
	for (i = 0; i < 2000 && rc == 0; i++)
		rc = cap_writer_write(w, &pkt, ~0u);
	tap_is_int(rc, -ENOSPC, "/dev/full: a write fails once the buffer is flushed");
	tap_is_int(cap_writer_close(w, err, sizeof(err)), -ENOSPC, "/dev/full: close reports it");
	tap_is_str(err, "write failed: No space left on device", "/dev/full: message");
}

int main(void)
{
	char dir[] = "/tmp/pfc-pcapfile-XXXXXX";
	char cmd[600];

	test_pcap_orders();
	test_pcap_fcs_and_snaplen();
	test_pcap_errors();
	test_pcapng();
	test_pcapng_errors();
	if (mkdtemp(dir)) {
		test_writer_header(dir);
		test_round_trip(dir);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", dir);
	}
	test_full_disk();
	return tap_done();
}
