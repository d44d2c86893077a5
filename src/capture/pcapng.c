/*
 * pcapng.c -- the pcapng format: section headers (byte order per section,
 * any number of sections), interface descriptions (link type, snap length,
 * if_tsresol, if_tsoffset), enhanced, simple and obsolete packet blocks;
 * every other block is skipped.
 *
 * Keeps true: a block is used only when both its length fields agree and it
 * lies wholly in the file; a packet names an interface of its own section;
 * timestamps are converted from the interface's units exactly as libpcap
 * converts them (integer division, no rounding).
 */
#include <errno.h>
#include <string.h>

#include "capture_int.h"

enum {
	BT_OPB = 0x00000002,	/* obsolete packet block */
	BT_IDB = 0x00000001,
	BT_SPB = 0x00000003,
	BT_EPB = 0x00000006,
	BT_SHB = 0x0a0d0d0a,
	BYTE_ORDER_MAGIC = 0x1a2b3c4d,
	OPT_ENDOFOPT = 0,
	OPT_IF_TSRESOL = 9,
	OPT_IF_TSOFFSET = 14,
};

static uint64_t rd64(const struct cap_file *f, const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return f->swapped ? __builtin_bswap64(v) : v;
}

/* Section header: the byte order comes from its own magic; interfaces restart. */
static int ng_shb(struct cap_file *f, const uint8_t *b, uint32_t len, uint64_t off)
{
	unsigned major, minor;

	if (len < 28)
		return cap_fail(f, off, "section header block of %u bytes, shorter than 28", len);
	major = cap_rd16(f, b + 12);
	minor = cap_rd16(f, b + 14);
	/* libpcap reads 1.0 and 1.2 (written by some old tools), nothing else */
	if (major != 1 || (minor != 0 && minor != 2))
		return cap_fail(f, off + 12, "unsupported pcapng version %u.%u", major, minor);
	f->in_section = 1;
	f->section_base = f->nifs;
	return 0;
}

static int ng_tsresol(struct cap_file *f, uint8_t v, uint64_t *units, uint64_t off)
{
	unsigned e = v & 0x7f, i;

	if (v & 0x80) {
		if (e > 63)
			return cap_fail(f, off, "if_tsresol 2^-%u is too fine", e);
		*units = 1ull << e;
		return 0;
	}
	if (e > 19)
		return cap_fail(f, off, "if_tsresol 10^-%u is too fine", e);
	for (*units = 1, i = 0; i < e; i++)
		*units *= 10;
	return 0;
}

/* Options of an IDB: b[pos, end) of a block starting at file offset off. */
static int ng_idb_options(struct cap_file *f, const uint8_t *b, size_t pos, size_t end,
			  struct cap_if *ifc, uint64_t off)
{
	while (end - pos >= 4) {
		unsigned code = cap_rd16(f, b + pos), olen = cap_rd16(f, b + pos + 2);
		size_t padded = ((size_t)olen + 3) & ~(size_t)3;

		if (code == OPT_ENDOFOPT)
			break;
		if (padded > end - pos - 4)
			return cap_fail(f, off + pos, "option %u of %u bytes overruns its block",
					code, olen);
		if (code == OPT_IF_TSRESOL && olen == 1 &&
		    ng_tsresol(f, b[pos + 4], &ifc->units, off + pos) < 0)
			return -EINVAL;
		if (code == OPT_IF_TSOFFSET && olen == 8)
			ifc->tsoffset = (int64_t)rd64(f, b + pos + 4);
		pos += 4 + padded;
	}
	return 0;
}

static int ng_idb(struct cap_file *f, const uint8_t *b, uint32_t len, uint64_t off)
{
	struct cap_if ifc;
	int rc;

	if (len < 20)
		return cap_fail(f, off, "interface description block of %u bytes, shorter than 20",
				len);
	memset(&ifc, 0, sizeof(ifc));
	ifc.units = 1000000;
	ifc.pub.linktype = cap_rd16(f, b + 8);
	ifc.pub.dlt = cap_linktype_to_dlt(ifc.pub.linktype);
	ifc.pub.snaplen = cap_adjust_snaplen(ifc.pub.dlt, cap_rd32(f, b + 12));
	if (ng_idb_options(f, b, 16, len - 4, &ifc, off) < 0)
		return -EINVAL;
	ifc.pub.precision = ifc.units > 1000000 ? CAP_PRECISION_NANO : CAP_PRECISION_MICRO;
	ifc.pub.swapped = f->swapped;
	rc = cap_add_if(f, &ifc);
	if (rc == -EINVAL)
		return cap_fail(f, off, "too many interfaces");
	return rc;
}

static void ng_stamp(const struct cap_if *ifc, uint64_t t, struct cap_pkt *pkt)
{
	uint64_t frac = t % ifc->units;

	pkt->ts_sec = (int64_t)(t / ifc->units) + ifc->tsoffset;
	pkt->ts_usec = (uint32_t)((unsigned __int128)frac * 1000000u / ifc->units);
	pkt->ts_nsec = (uint32_t)((unsigned __int128)frac * 1000000000u / ifc->units);
}

/* An interface id of the current section: its global index, or an error. */
static int ng_iface(struct cap_file *f, uint32_t id, uint64_t off, uint32_t *idx)
{
	if (id >= f->nifs - f->section_base)
		return cap_fail(f, off, "packet of interface %u, but the section describes %u",
				id, f->nifs - f->section_base);
	*idx = f->section_base + id;
	return 0;
}

static void ng_deliver(struct cap_file *f, uint32_t idx, const uint8_t *data, uint32_t caplen,
		       uint32_t len, struct cap_pkt *pkt)
{
	const struct cap_if *ifc = &f->ifs[idx];

	pkt->data = data;
	pkt->caplen = caplen < ifc->pub.snaplen ? caplen : ifc->pub.snaplen;
	pkt->wirelen = len;
	pkt->linktype = ifc->pub.dlt;
	pkt->iface = idx;
}

/* Enhanced (fixed 20 bytes) and obsolete (ifid 16 bits) packet blocks. */
static int ng_epb(struct cap_file *f, const uint8_t *b, uint32_t len, uint64_t off,
		  int obsolete, struct cap_pkt *pkt)
{
	uint32_t id, caplen, idx = 0;

	if (len < 32)
		return cap_fail(f, off, "packet block of %u bytes, shorter than 32", len);
	id = obsolete ? cap_rd16(f, b + 8) : cap_rd32(f, b + 8);
	caplen = cap_rd32(f, b + 20);
	if (ng_iface(f, id, off + 8, &idx) < 0)
		return -EINVAL;
	if (caplen > len - 32)
		return cap_fail(f, off + 20, "captured length %u larger than its block (%u bytes)",
				caplen, len - 32);
	ng_deliver(f, idx, b + 28, caplen, cap_rd32(f, b + 24), pkt);
	ng_stamp(&f->ifs[idx], (uint64_t)cap_rd32(f, b + 12) << 32 | cap_rd32(f, b + 16), pkt);
	return 1;
}

static int ng_spb(struct cap_file *f, const uint8_t *b, uint32_t len, uint64_t off,
		  struct cap_pkt *pkt)
{
	uint32_t wire, caplen, idx = 0;

	if (len < 16)
		return cap_fail(f, off, "simple packet block of %u bytes, shorter than 16", len);
	if (ng_iface(f, 0, off, &idx) < 0)
		return -EINVAL;
	wire = cap_rd32(f, b + 8);
	caplen = wire < len - 16 ? wire : len - 16;
	ng_deliver(f, idx, b + 12, caplen, wire, pkt);
	pkt->ts_sec = 0;
	pkt->ts_usec = pkt->ts_nsec = 0;
	return 1;
}

/*
 * Check the block at f->pos and make it wholly available: 1 with its type
 * and length, 0 at the end of the file, or an error.
 */
static int ng_block(struct cap_file *f, uint32_t *type, uint32_t *len)
{
	uint64_t off = f->base + f->pos;
	const uint8_t *b;
	int rc = cap_fill(f, 12);

	if (rc < 0)
		return rc;
	if (rc == 0 && f->end - f->pos == 0)
		return 0;
	if (rc == 0)
		return cap_fail(f, off, "truncated block header (%zu bytes)", f->end - f->pos);
	b = f->buf + f->pos;
	memcpy(type, b, 4);
	if (*type == BT_SHB) {
		uint32_t bom;

		memcpy(&bom, b + 8, 4);
		if (bom != BYTE_ORDER_MAGIC && __builtin_bswap32(bom) != BYTE_ORDER_MAGIC)
			return cap_fail(f, off + 8, "section header with a bad byte-order magic 0x%08x",
					bom);
		f->swapped = bom != BYTE_ORDER_MAGIC;
	} else if (!f->in_section) {
		return cap_fail(f, off, "block before the first section header");
	}
	*type = cap_rd32(f, b);
	*len = cap_rd32(f, b + 4);
	if (*len < 12 || *len % 4 || *len > CAP_MAX_BLOCK)
		return cap_fail(f, off, "block of type 0x%x with an invalid length %u", *type, *len);
	rc = cap_fill(f, *len);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return cap_fail(f, off, "truncated block: %u bytes announced, %zu in the file",
				*len, f->end - f->pos);
	b = f->buf + f->pos;
	if (cap_rd32(f, b + *len - 4) != *len)
		return cap_fail(f, off, "block length %u at the start, %u at the end", *len,
				cap_rd32(f, b + *len - 4));
	return 1;
}

/* The next block; packet blocks are parsed only when pkt is set (else left in place: 2). */
static int ng_step(struct cap_file *f, struct cap_pkt *pkt)
{
	uint64_t off = f->base + f->pos;
	uint32_t type = 0, len = 0;
	const uint8_t *b;
	int rc = ng_block(f, &type, &len);

	if (rc <= 0)
		return rc;
	b = f->buf + f->pos;
	if (!pkt && (type == BT_EPB || type == BT_SPB || type == BT_OPB))
		return 2;
	switch (type) {
	case BT_SHB: rc = ng_shb(f, b, len, off); break;
	case BT_IDB: rc = ng_idb(f, b, len, off); break;
	case BT_EPB: rc = ng_epb(f, b, len, off, 0, pkt); break;
	case BT_OPB: rc = ng_epb(f, b, len, off, 1, pkt); break;
	case BT_SPB: rc = ng_spb(f, b, len, off, pkt); break;
	default: rc = 0; break;
	}
	if (rc >= 0)
		f->pos += len;
	return rc < 0 ? rc : rc == 1 ? 1 : 3;
}

int cap_ng_open(struct cap_file *f)
{
	int rc;

	f->fmt = CAP_FMT_PCAPNG;
	/* Read ahead to the first interface, so the file's link type is known. */
	do
		rc = ng_step(f, NULL);
	while (rc == 3 && f->nifs == 0);
	if (rc < 0)
		return rc;
	/* As libpcap: a pcapng file describes an interface before anything else. */
	if (f->nifs == 0)
		return cap_fail(f, f->base + f->pos, "no interface description block %s",
				rc == 2 ? "before the first packet" : "in the file");
	return 0;
}

int cap_ng_next(struct cap_file *f, struct cap_pkt *pkt)
{
	int rc;

	do
		rc = ng_step(f, pkt);
	while (rc == 3);
	return rc;
}
