/*
 * corpus.h -- packets for the compiler's differential tests (header-only,
 * test code): every packet of the captures of one link type in
 * ../shared/pcaps and tests/pcaps, plus a truncated and a bit-flipped copy
 * of each, and the verdict comparison of two programs over them.
 */
#ifndef PFC_TEST_CORPUS_H
#define PFC_TEST_CORPUS_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "refvm.h"

struct pkt {
	uint8_t *data;
	uint32_t caplen, wirelen;
};

struct corpus {
	struct pkt *p;
	size_t n, cap;
};

__attribute__((unused)) static const char *shared_dir(void)
{
	const char *s = getenv("PFC_SHARED");

	return s && *s ? s : "../shared";
}

static void corpus_add(struct corpus *c, const uint8_t *d, uint32_t caplen, uint32_t wirelen)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->p = realloc(c->p, c->cap * sizeof(*c->p));
	}
	c->p[c->n].data = malloc(caplen ? caplen : 1);
	memcpy(c->p[c->n].data, d, caplen);
	c->p[c->n].caplen = caplen;
	c->p[c->n].wirelen = wirelen;
	c->n++;
}

/* Every packet of a capture of this link type, plus truncated and bit-flipped copies. */
static void corpus_load_file(struct corpus *c, const char *path, int dlt, uint64_t *seed)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline(path, err);

	if (!p)
		return;
	if (pcap_datalink(p) != dlt) {
		pcap_close(p);
		return;
	}
	while (pcap_next_ex(p, &h, &d) == 1 && c->n < 20000) {
		uint8_t buf[2048];
		uint32_t len = h->caplen < sizeof(buf) ? h->caplen : sizeof(buf);

		corpus_add(c, d, len, h->len);
		memcpy(buf, d, len);
		*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
		if (len > 1)
			corpus_add(c, buf, (uint32_t)(*seed >> 33) % len, h->len);
		if (len) {
			buf[(*seed >> 20) % len] ^= (uint8_t)(1u << ((*seed >> 8) & 7));
			corpus_add(c, buf, len, h->len);
		}
	}
	pcap_close(p);
}

static void corpus_load_dir(struct corpus *c, const char *dir, int dlt, uint64_t *seed)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[4096];

		if (e->d_name[0] == '.' || (!strstr(e->d_name, ".pcap") && !strstr(e->d_name, ".pcapng")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		corpus_load_file(c, path, dlt, seed);
	}
	closedir(d);
}

static struct corpus *corpus_for(int dlt)
{
	static struct corpus cache[300];
	static int loaded[300];
	char dir[4096];
	uint64_t seed = 42;

	if (dlt < 0 || dlt >= 300)
		return NULL;
	if (!loaded[dlt]) {
		loaded[dlt] = 1;
		snprintf(dir, sizeof(dir), "%s/pcaps/libpcap", shared_dir());
		corpus_load_dir(&cache[dlt], dir, dlt, &seed);
		snprintf(dir, sizeof(dir), "%s/pcaps/tcpdump", shared_dir());
		corpus_load_dir(&cache[dlt], dir, dlt, &seed);
		if (getenv("top_builddir")) {
			snprintf(dir, sizeof(dir), "%s/tests/pcaps", getenv("top_builddir"));
			corpus_load_dir(&cache[dlt], dir, dlt, &seed);
		}
	}
	return &cache[dlt];
}

/* Returns the number of packets where the verdicts differ. */
__attribute__((unused)) static size_t compare_verdicts(const struct cbpf_insn *ours, size_t n, const struct bpf_program *bp,
			       const struct corpus *c, size_t *first_bad)
{
	size_t i, bad = 0;

	for (i = 0; i < c->n; i++) {
		struct refvm_result a = refvm_run(ours, n, c->p[i].data, c->p[i].wirelen, c->p[i].caplen);
		struct refvm_result b = refvm_run((const struct cbpf_insn *)bp->bf_insns, bp->bf_len,
						  c->p[i].data, c->p[i].wirelen, c->p[i].caplen);

		if (!refvm_same_verdict(a, b) && bad++ == 0)
			*first_bad = i;
	}
	return bad;
}

#endif /* PFC_TEST_CORPUS_H */
