/*
 * pcapfile.c -- read capture files: the input buffer, format detection and
 * the pcap format (microsecond and nanosecond magic, both byte orders, the
 * modified "Kuznetzov" variant); pcapng lives in pcapng.c.
 *
 * A regular file is mapped into memory and parsed in place (no copy: the
 * kernel's copy to a read buffer was 70% of a replay's time); a pipe is read
 * in CAP_READ_CHUNK blocks into one buffer; cap_file_open_mem parses the
 * caller's memory.  Records handed out point into the input, so a record
 * costs no system call, allocation or copy.  For a mapped file of 32 MB or
 * more, a helper thread touches each page ahead of the parser, so that the
 * page faults mapping the file are taken on the other core (-23% wall time
 * on 303 MB), then unmaps what the parser has passed; it is stopped and
 * joined on close.  (A mapped file that
 * another process shortens while it is read would fault, as with any mmap
 * reader.)
 * Keeps true, as libpcap does: a record is never longer than its
 * interface's snap length (a longer one is cut), a captured length over the
 * link type's maximum is an error, and every error names the byte offset
 * where the bad data starts; records before it are delivered.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture_int.h"

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_MAGIC_KUZ 0xa1b2cd34u	/* "modified" pcap: 8 more bytes per record header */
#define PCAPNG_SHB 0x0a0d0d0au

/* ---- buffer --------------------------------------------------------------- */

static size_t max_size(size_t a, size_t b) { return a > b ? a : b; }

static int grow(struct cap_file *f, size_t n)
{
	size_t cap = max_size(n, 2 * f->cap);
	uint8_t *b = realloc(f->buf, cap);

	if (!b)
		return -ENOMEM;
	f->buf = b;
	f->cap = cap;
	return 0;
}

int cap_fill_slow(struct cap_file *f, size_t n)
{
	if (f->end - f->pos >= n)
		return 1;
	if (!f->owned || f->eof)
		return 0;
	/* Move the partial record to the front, so the read gets a whole chunk. */
	if (f->pos) {
		memmove(f->buf, f->buf + f->pos, f->end - f->pos);
		f->end -= f->pos;
		f->base += f->pos;
		f->pos = 0;
	}
	if (n > f->cap && grow(f, n) < 0)
		return -ENOMEM;
	while (f->end - f->pos < n) {
		ssize_t r = read(f->fd, f->buf + f->end, f->cap - f->end);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0) {
			f->eof = 1;
			return 0;
		}
		f->end += (size_t)r;
	}
	return 1;
}

int cap_fail(struct cap_file *f, uint64_t off, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(f->err, sizeof(f->err), "offset %llu: ", (unsigned long long)off);

	va_start(ap, fmt);
	vsnprintf(f->err + n, sizeof(f->err) - (size_t)n, fmt, ap);
	va_end(ap);
	f->failed = -EINVAL;
	return -EINVAL;
}

/* ---- helpers shared with pcapng.c ----------------------------------------- */

static uint32_t bswap32(uint32_t v) { return __builtin_bswap32(v); }

uint32_t cap_rd32(const struct cap_file *f, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return f->swapped ? bswap32(v) : v;
}

uint16_t cap_rd16(const struct cap_file *f, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return f->swapped ? __builtin_bswap16(v) : v;
}

/* libpcap's linktype_to_dlt on Linux: the few LINKTYPE_ values that differ from DLT_. */
int cap_linktype_to_dlt(uint32_t linktype)
{
	switch (linktype) {
	case 100: return 11;	/* ATM_RFC1483 */
	case 101: return 12;	/* RAW */
	case 102: return 15;	/* SLIP_BSDOS */
	case 103: return 16;	/* PPP_BSDOS */
	case 106: return 19;	/* ATM_CLIP */
	default: return (int)linktype;
	}
}

uint32_t cap_max_snaplen(int dlt)
{
	switch (dlt) {
	case 231: return 128u << 20;	/* DBUS */
	case 279: return 8u << 20;	/* EBHSCR */
	case 249: return 1u << 20;	/* USBPCAP */
	default: return CAP_MAX_SNAPLEN;
	}
}

/* libpcap 1.10's pcap_adjust_snapshot: only 0 and values over INT_MAX are replaced. */
uint32_t cap_adjust_snaplen(int dlt, uint32_t snaplen)
{
	return snaplen == 0 || snaplen > 0x7fffffffu ? cap_max_snaplen(dlt) : snaplen;
}

int cap_add_if(struct cap_file *f, const struct cap_if *ifc)
{
	if (f->nifs == f->ifs_cap) {
		uint32_t cap = f->ifs_cap ? 2 * f->ifs_cap : 4;
		struct cap_if *n;

		if (cap > (1u << 20))
			return -EINVAL;
		n = realloc(f->ifs, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		f->ifs = n;
		f->ifs_cap = cap;
	}
	f->ifs[f->nifs++] = *ifc;
	return 0;
}

/* ---- pcap ------------------------------------------------------------------ */

static int pcap_open_hdr(struct cap_file *f, uint32_t magic)
{
	const uint8_t *h = f->buf + f->pos;
	struct cap_if ifc;
	unsigned major, minor;
	uint32_t lt;

	f->swapped = magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS && magic != PCAP_MAGIC_KUZ;
	magic = cap_rd32(f, h);
	if (cap_fill(f, 24) != 1)
		return cap_fail(f, 0, "truncated pcap file header (%zu of 24 bytes)", f->end - f->pos);
	h = f->buf + f->pos;
	major = cap_rd16(f, h + 4);
	minor = cap_rd16(f, h + 6);
	if (major < 2)
		return cap_fail(f, 4, "archaic pcap file format (version %u.%u)", major, minor);
	if (!((major == 2 && minor <= 4) || (major == 543 && minor == 0)))
		return cap_fail(f, 4, "unsupported pcap file version %u.%u", major, minor);
	f->fmt = CAP_FMT_PCAP;
	f->len_swap = major == 543 || minor < 3 ? 1 : minor == 3 ? 2 : 0;
	f->nano = magic == PCAP_MAGIC_NS;
	f->rechdr = magic == PCAP_MAGIC_KUZ ? 24 : 16;
	lt = cap_rd32(f, h + 20);
	memset(&ifc, 0, sizeof(ifc));
	ifc.pub.linktype = lt;	/* FCS bits and all: the writer puts them back */
	ifc.pub.dlt = cap_linktype_to_dlt(lt & 0x03ffffffu);
	ifc.pub.snaplen = cap_adjust_snaplen(ifc.pub.dlt, cap_rd32(f, h + 16));
	/* Kuznetzov's cooked-mode captures added a fake Ethernet header after the snap length */
	if (magic == PCAP_MAGIC_KUZ && ifc.pub.dlt == 1)
		ifc.pub.snaplen += 14;
	ifc.pub.precision = f->nano ? CAP_PRECISION_NANO : CAP_PRECISION_MICRO;
	ifc.pub.swapped = f->swapped;
	f->pos += 24;
	return cap_add_if(f, &ifc);
}

static int pcap_next(struct cap_file *f, struct cap_pkt *pkt)
{
	const struct cap_if *ifc = &f->ifs[0];
	uint64_t off = f->base + f->pos;
	const uint8_t *h;
	uint32_t caplen, len, frac;
	int rc = cap_fill(f, f->rechdr);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		if (f->end == f->pos)
			return 0;
		return cap_fail(f, off, "truncated record header (%zu of %zu bytes)",
				f->end - f->pos, f->rechdr);
	}
	h = f->buf + f->pos;
	caplen = cap_rd32(f, h + 8);
	len = cap_rd32(f, h + 12);
	/* Before 2.3 (and in DG/UX 543.0) the lengths are in the other order; 2.3 files are either */
	if (f->len_swap == 1 || (f->len_swap == 2 && caplen > len)) {
		uint32_t t = caplen;

		caplen = len;
		len = t;
	}
	if (caplen > cap_max_snaplen(ifc->pub.dlt))
		return cap_fail(f, off, "invalid captured length %u in a record header, larger than "
				"the link type's maximum %u", caplen, cap_max_snaplen(ifc->pub.dlt));
	rc = cap_fill(f, f->rechdr + caplen);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return cap_fail(f, off, "truncated record: %u captured bytes announced, %zu in the file",
				caplen, f->end - f->pos - f->rechdr);
	h = f->buf + f->pos;	/* the fill may have moved the buffer */
	frac = cap_rd32(f, h + 4);
	pkt->data = h + f->rechdr;
	pkt->caplen = caplen < ifc->pub.snaplen ? caplen : ifc->pub.snaplen;
	pkt->wirelen = len;
	pkt->ts_sec = (int32_t)cap_rd32(f, h);
	/* libpcap scales the field as a signed 32-bit value (an invalid one shows) */
	pkt->ts_usec = f->nano ? (uint32_t)((int32_t)frac / 1000) : frac;
	pkt->ts_nsec = f->nano ? frac : frac * 1000u;
	pkt->linktype = ifc->pub.dlt;
	pkt->iface = 0;
	f->pos += f->rechdr + caplen;
	return 1;
}

/* ---- the handle ------------------------------------------------------------ */

static int detect(struct cap_file *f)
{
	uint32_t magic;
	int rc = cap_fill(f, 4);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return cap_fail(f, 0, "not a capture file: %zu bytes, too short for a header",
				f->end - f->pos);
	memcpy(&magic, f->buf + f->pos, 4);
	if (magic == PCAPNG_SHB)
		return cap_ng_open(f);
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS || magic == PCAP_MAGIC_KUZ ||
	    bswap32(magic) == PCAP_MAGIC_US || bswap32(magic) == PCAP_MAGIC_NS ||
	    bswap32(magic) == PCAP_MAGIC_KUZ)
		return pcap_open_hdr(f, magic);
	return cap_fail(f, 0, "not a pcap or pcapng file (magic 0x%08x)", bswap32(magic));
}

static int finish_open(struct cap_file *f, struct cap_file **out, char *errbuf, size_t errlen)
{
	int rc = detect(f);

	if (rc < 0) {
		if (errbuf)
			snprintf(errbuf, errlen, "%s", rc == -EINVAL ? f->err : strerror(-rc));
		cap_file_close(f);
		return rc;
	}
	f->failed = 0;
	*out = f;
	return 0;
}

#define TOUCH_MIN (32u << 20)	/* smaller files are not worth a thread */
#define RELEASE_STEP (4u << 20)	/* released in steps this large, aligned */

/* Unmap [f->released, to) in RELEASE_STEP steps (to is page-aligned or the end). */
static void release_upto(struct cap_file *f, size_t to)
{
	while (f->released + RELEASE_STEP <= to) {
		munmap(f->buf + f->released, RELEASE_STEP);
		f->released += RELEASE_STEP;
	}
}

/*
 * The helper: a second thread reads one byte of every page ahead of the
 * parser, so that the page faults mapping the file happen on the other
 * core; then it unmaps what the parser has left behind (cap_file_next
 * publishes where it is: the records before are no longer the caller's),
 * so that the mapping's teardown is not the parser's either.
 */
static void *helper(void *arg)
{
	struct timespec nap = { 0, 200000 };
	struct cap_file *f = arg;
	const volatile uint8_t *p = f->buf;
	unsigned sum = 0;
	size_t off;

	for (off = 0; off < f->map_len; off += 4096) {
		if ((off & ((1u << 21) - 1)) == 0 && atomic_load(&f->stop_helper))
			return NULL;
		sum += p[off];
	}
	while (!atomic_load(&f->stop_helper)) {
		size_t done = atomic_load_explicit(&f->parsed, memory_order_acquire);
		size_t before = f->released;

		release_upto(f, done & ~(size_t)(RELEASE_STEP - 1));
		/* a parser that stalls (a blocked output) is polled less and less often */
		if (f->released != before)
			nap.tv_nsec = 200000;
		else if (nap.tv_nsec < 50000000)
			nap.tv_nsec *= 2;
		nanosleep(&nap, NULL);
	}
	return (void *)(uintptr_t)sum;
}

/* Map a regular, non-empty file: 1 mapped (parsed in place), 0 read it instead. */
static int map_file(struct cap_file *f)
{
	struct stat st;
	void *m;

	if (fstat(f->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > SIZE_MAX)
		return 0;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, f->fd, 0);
	if (m == MAP_FAILED)
		return 0;
	/* advice values are not flags: one call each */
	madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	madvise(m, (size_t)st.st_size, MADV_WILLNEED);
	f->buf = m;
	f->cap = f->end = f->map_len = (size_t)st.st_size;
	f->eof = 1;
	f->owned = 0;
	if (f->map_len >= TOUCH_MIN)
		f->helping = pthread_create(&f->helper, NULL, helper, f) == 0;
	return 1;
}

int cap_file_open(const char *path, struct cap_file **out, char *errbuf, size_t errlen)
{
	struct cap_file *f = calloc(1, sizeof(*f));
	int rc;

	if (!f)
		return -ENOMEM;
	f->owned = 1;
	f->fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	f->close_fd = f->fd != 0;
	if (f->fd < 0) {
		rc = -errno;
		if (errbuf)
			snprintf(errbuf, errlen, "%s", strerror(-rc));
		free(f);
		return rc;
	}
	if (f->close_fd)
		posix_fadvise(f->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (map_file(f))
		return finish_open(f, out, errbuf, errlen);
	f->cap = CAP_READ_CHUNK;
	f->buf = malloc(f->cap);
	if (!f->buf) {
		cap_file_close(f);
		return -ENOMEM;
	}
	return finish_open(f, out, errbuf, errlen);
}

int cap_file_open_mem(const void *data, size_t len, struct cap_file **out, char *errbuf,
		      size_t errlen)
{
	struct cap_file *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->fd = -1;
	f->buf = (uint8_t *)(uintptr_t)data;
	f->cap = f->end = len;
	f->eof = 1;
	return finish_open(f, out, errbuf, errlen);
}

int cap_file_next(struct cap_file *f, struct cap_pkt *pkt)
{
	int rc;

	if (f->failed)
		return f->failed;
	if (f->helping)	/* the previous record is released: the helper may unmap it */
		atomic_store_explicit(&f->parsed, f->pos, memory_order_release);
	rc = f->fmt == CAP_FMT_PCAP ? pcap_next(f, pkt) : cap_ng_next(f, pkt);
	if (rc < 0 && rc != -EINVAL)
		snprintf(f->err, sizeof(f->err), "offset %llu: %s",
			 (unsigned long long)(f->base + f->pos), strerror(-rc));
	if (rc < 0)
		f->failed = rc;
	return rc;
}

int cap_file_linktype(const struct cap_file *f)
{
	return f->nifs ? f->ifs[0].pub.dlt : -1;
}

int cap_file_iface(const struct cap_file *f, uint32_t idx, struct cap_iface *out)
{
	if (idx >= f->nifs)
		return -ENOENT;
	*out = f->ifs[idx].pub;
	return 0;
}

uint64_t cap_file_offset(const struct cap_file *f)
{
	return f->base + f->pos;
}

uint32_t cap_file_nifaces(const struct cap_file *f)
{
	return f->nifs;
}

const char *cap_file_error(const struct cap_file *f)
{
	return f->err;
}

void cap_file_close(struct cap_file *f)
{
	if (!f)
		return;
	if (f->close_fd && f->fd >= 0)
		close(f->fd);
	if (f->owned)
		free(f->buf);
	if (f->helping) {
		atomic_store(&f->stop_helper, 1);
		pthread_join(f->helper, NULL);
	}
	if (f->map_len > f->released)
		munmap(f->buf + f->released, f->map_len - f->released);
	free(f->ifs);
	free(f);
}
