/*
 * capture.h -- packet sources and sinks: public API of libpfc's capture module.
 *
 * Reads capture files (pcap and pcapng) record by record.  The capture
 * module receives programs, it never compiles one; it depends on cbpf only.
 * Functions return 0 (or a count) on success and a negative errno on error;
 * nothing here prints or exits.
 */
#ifndef PFC_CAPTURE_H
#define PFC_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef PFC_API
#define PFC_API __attribute__((visibility("default")))
#endif

/* One packet record; data stays valid until the next cap_file_next(). */
struct cap_pkt {
	const uint8_t *data;
	uint32_t caplen;	/* bytes captured (at data) */
	uint32_t wirelen;	/* bytes the packet had on the wire */
	int64_t ts_sec;
	uint32_t ts_usec;	/* microseconds */
	int linktype;		/* LINKTYPE_* / DLT_* of the record's interface */
};

struct cap_file;

/*
 * Open a capture file ("-" is standard input).  On failure returns a
 * negative errno and, when errbuf is not NULL, a message in errbuf.
 */
PFC_API int cap_file_open(const char *path, struct cap_file **out,
			  char *errbuf, size_t errlen);

/* Next record: 1 and *pkt filled, 0 at the end, negative errno on a bad file (see cap_file_error). */
PFC_API int cap_file_next(struct cap_file *f, struct cap_pkt *pkt);

/* The file's link type (of its first interface for pcapng). */
PFC_API int cap_file_linktype(const struct cap_file *f);

/* The message of the last error, or "". */
PFC_API const char *cap_file_error(const struct cap_file *f);

PFC_API void cap_file_close(struct cap_file *f);

#ifdef __cplusplus
}
#endif

#endif /* PFC_CAPTURE_H */
