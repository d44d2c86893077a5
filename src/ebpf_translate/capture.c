/*
 * capture.c -- capture through eBPF at the TC hook: the program and the
 * user-space side of its BPF ring buffer.
 *
 * The program is the filter translated for tc with every `exit` turned into
 * a jump to an epilogue: on a non-zero verdict it reserves a ring-buffer
 * record (header + snaplen bytes), fills the header (wire length, bytes
 * kept = min(verdict, snaplen, len), ifindex, direction, CLOCK_MONOTONIC
 * time), copies the bytes
 * with bpf_skb_load_bytes and submits it; it always returns TC_ACT_UNSPEC,
 * so capturing never changes what happens to the packet; a record the ring
 * has no room for is counted in an array map, when one is given.  The reader walks
 * the ring as the kernel's ringbuf layout defines it (8-byte record headers,
 * busy and discard bits, records 8-aligned) and advances the consumer.
 * Keeps true: every reserved record is submitted on every path (the
 * verifier checks it); the reader never reads past the producer position.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/pkt_cls.h>

#include "ebt_int.h"

#define HDR ((int32_t)sizeof(struct ebt_cap_hdr))
#define SKB_OFF(f) ((int16_t)offsetof(struct __sk_buff, f))

struct ebt_ring {
	int map_fd;
	size_t size, page;
	void *cons;		/* consumer page (read-write) */
	void *prod;		/* producer page followed by the data, mapped twice */
};

struct gen {
	struct bpf_insn *p;
	size_t n, cap;
	int err;
};

static void put(struct gen *g, struct bpf_insn i)
{
	if (g->err)
		return;
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 64;
		struct bpf_insn *q = realloc(g->p, cap * sizeof(*q));

		if (!q) {
			g->err = -ENOMEM;
			return;
		}
		g->p = q;
		g->cap = cap;
	}
	g->p[g->n++] = i;
}

/* The epilogue; the filter's verdict is in r0, the context in r6. */
/*
 * With drops_fd >= 0, a record the ring has no room for adds 1 to the
 * 64-bit counter at key 0 of that array map (lookup, then an atomic add).
 */
static void count_drop(struct gen *g, int drops_fd)
{
	put(g, ebt_raw(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, drops_fd));
	put(g, ebt_raw(0, 0, 0, 0, 0));
	put(g, ebt_raw(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 0));		/* key 0 */
	put(g, ebt_raw(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0));
	put(g, ebt_raw(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4));
	put(g, ebt_raw(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem));
	put(g, ebt_raw(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2, 0));
	put(g, ebt_raw(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 1));
	put(g, ebt_raw(BPF_STX | BPF_ATOMIC | BPF_DW, 0, 1, 0, BPF_ADD));
}

static void epilogue(struct gen *g, uint32_t snaplen, int map_fd, int drops_fd, int direction)
{
	size_t skip_out, skip_res, skip_copy, fix[3], over = 0;

	fix[0] = g->n;
	put(g, ebt_raw(BPF_JMP32 | BPF_JEQ | BPF_K, 0, 0, 0, 0));		/* no match */
	put(g, ebt_raw(BPF_ALU | BPF_MOV | BPF_X, 7, 0, 0, 0));			/* w7 = verdict */
	put(g, ebt_raw(BPF_JMP32 | BPF_JLE | BPF_K, 7, 0, 1, (int32_t)snaplen));
	put(g, ebt_raw(BPF_ALU | BPF_MOV | BPF_K, 7, 0, 0, (int32_t)snaplen));
	put(g, ebt_raw(BPF_LDX | BPF_MEM | BPF_W, 9, 6, SKB_OFF(len), 0));	/* r9 = len */
	put(g, ebt_raw(BPF_JMP32 | BPF_JLE | BPF_X, 7, 9, 1, 0));
	put(g, ebt_raw(BPF_ALU | BPF_MOV | BPF_X, 7, 9, 0, 0));
	put(g, ebt_raw(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, map_fd));
	put(g, ebt_raw(0, 0, 0, 0, 0));
	put(g, ebt_raw(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, HDR + (int32_t)snaplen));
	put(g, ebt_raw(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 0));
	put(g, ebt_raw(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_reserve));
	fix[1] = g->n;
	put(g, ebt_raw(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0, 0));			/* no room */
	put(g, ebt_raw(BPF_ALU64 | BPF_MOV | BPF_X, 8, 0, 0, 0));
	put(g, ebt_raw(BPF_STX | BPF_MEM | BPF_W, 8, 9, 0, 0));
	put(g, ebt_raw(BPF_STX | BPF_MEM | BPF_W, 8, 7, 4, 0));
	put(g, ebt_raw(BPF_LDX | BPF_MEM | BPF_W, 2, 6, SKB_OFF(ifindex), 0));
	put(g, ebt_raw(BPF_STX | BPF_MEM | BPF_W, 8, 2, 8, 0));
	put(g, ebt_raw(BPF_ST | BPF_MEM | BPF_W, 8, 0, 12, direction));
	put(g, ebt_raw(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ktime_get_ns));
	put(g, ebt_raw(BPF_STX | BPF_MEM | BPF_DW, 8, 0, 16, 0));
	fix[2] = g->n;
	put(g, ebt_raw(BPF_JMP32 | BPF_JEQ | BPF_K, 7, 0, 0, 0));		/* nothing to copy */
	put(g, ebt_raw(BPF_ALU64 | BPF_MOV | BPF_X, 1, 6, 0, 0));
	put(g, ebt_raw(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 0));
	put(g, ebt_raw(BPF_ALU64 | BPF_MOV | BPF_X, 3, 8, 0, 0));
	put(g, ebt_raw(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, HDR));
	put(g, ebt_raw(BPF_ALU64 | BPF_MOV | BPF_X, 4, 7, 0, 0));
	put(g, ebt_raw(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_skb_load_bytes));
	skip_copy = g->n;
	put(g, ebt_raw(BPF_ALU64 | BPF_MOV | BPF_X, 1, 8, 0, 0));
	put(g, ebt_raw(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 0));
	put(g, ebt_raw(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_submit));
	skip_res = skip_out = g->n;
	if (drops_fd >= 0) {
		over = g->n;
		put(g, ebt_raw(BPF_JMP | BPF_JA, 0, 0, 0, 0));			/* over the count */
		skip_res = g->n;
		count_drop(g, drops_fd);
		skip_out = g->n;
	}
	put(g, ebt_raw(BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, TC_ACT_UNSPEC));
	put(g, ebt_raw(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	if (g->err)
		return;
	g->p[fix[0]].off = (int16_t)(skip_out - fix[0] - 1);
	g->p[fix[1]].off = (int16_t)(skip_res - fix[1] - 1);
	g->p[fix[2]].off = (int16_t)(skip_copy - fix[2] - 1);
	if (drops_fd >= 0)
		g->p[over].off = (int16_t)(skip_out - over - 1);
}

int ebt_capture_program(const struct cbpf_insn *insns, size_t n, uint32_t snaplen,
			int ringbuf_fd, int drops_fd, int direction, struct ebt_insn **out,
			size_t *nout, struct ebt_diag *diag)
{
	struct ebt_opts o = { sizeof(o), EBT_TARGET_TC, EBT_ACTION_NONE, NULL };
	struct ebt_insn *f = NULL;
	struct gen g = { NULL, 0, 0, 0 };
	size_t nf = 0, k, epi;
	int rc;

	if (!snaplen || snaplen > 65535 || ringbuf_fd < 0 || !out || !nout)
		return -EINVAL;
	rc = ebt_translate_ctx(insns, n, &o, 1, &f, &nf, diag);
	if (rc < 0)
		return rc;
	epi = nf;
	for (k = 0; k < nf; k++) {
		struct bpf_insn i;

		memcpy(&i, &f[k], sizeof(i));
		if (i.code == (BPF_JMP | BPF_EXIT))	/* the verdict goes to the epilogue */
			i = ebt_raw(BPF_JMP | BPF_JA, 0, 0, (int16_t)(epi - k - 1), 0);
		put(&g, i);
	}
	ebt_free(f);
	epilogue(&g, snaplen, ringbuf_fd, drops_fd, direction);
	if (g.err || g.n > 32767) {
		free(g.p);
		return g.err ? g.err : -E2BIG;
	}
	*out = (struct ebt_insn *)g.p;
	*nout = g.n;
	return 0;
}

int ebt_ringbuf_create(uint32_t size)
{
	union bpf_attr a;
	long rc;

	if (size < 4096 || (size & (size - 1)))
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_RINGBUF;
	a.max_entries = size;
	memcpy(a.map_name, "pfc_ring", sizeof("pfc_ring"));
	rc = syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	return rc < 0 ? -errno : (int)rc;
}

int ebt_counter_create(void)
{
	union bpf_attr a;
	long rc;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = sizeof(uint32_t);
	a.value_size = sizeof(uint64_t);
	a.max_entries = 1;
	memcpy(a.map_name, "pfc_drops", sizeof("pfc_drops"));
	rc = syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	return rc < 0 ? -errno : (int)rc;
}

int ebt_counter_read(int map_fd, uint64_t *value)
{
	union bpf_attr a;
	uint32_t key = 0;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)map_fd;
	a.key = (uint64_t)(uintptr_t)&key;
	a.value = (uint64_t)(uintptr_t)value;
	return syscall(__NR_bpf, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) < 0 ? -errno : 0;
}

int ebt_ring_open(int map_fd, uint32_t size, struct ebt_ring **out)
{
	struct ebt_ring *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->map_fd = map_fd;
	r->size = size;
	r->page = (size_t)sysconf(_SC_PAGESIZE);
	r->cons = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	r->prod = r->cons == MAP_FAILED ? MAP_FAILED :
		  mmap(NULL, r->page + 2 * size, PROT_READ, MAP_SHARED, map_fd, (off_t)r->page);
	if (r->cons == MAP_FAILED || r->prod == MAP_FAILED) {
		int err = -errno;

		if (r->cons != MAP_FAILED)
			munmap(r->cons, r->page);
		free(r);
		return err;
	}
	*out = r;
	return 0;
}

int ebt_ring_consume(struct ebt_ring *r,
		     int (*cb)(void *ud, const struct ebt_cap_hdr *h, const uint8_t *data),
		     void *ud)
{
	unsigned long *consp = r->cons, cons, prod;
	const uint8_t *data = (const uint8_t *)r->prod + r->page;
	int count = 0, rc;

	cons = __atomic_load_n(consp, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n((unsigned long *)r->prod, __ATOMIC_ACQUIRE);
	while (cons < prod) {
		const uint32_t *rec = (const uint32_t *)(data + (cons & (r->size - 1)));
		uint32_t len = __atomic_load_n(rec, __ATOMIC_ACQUIRE);

		if (len & BPF_RINGBUF_BUSY_BIT)
			break;
		cons += ((len & ~(uint32_t)BPF_RINGBUF_DISCARD_BIT) + BPF_RINGBUF_HDR_SZ + 7) & ~7ul;
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			const struct ebt_cap_hdr *h = (const void *)((const uint8_t *)rec + BPF_RINGBUF_HDR_SZ);

			count++;
			rc = cb(ud, h, (const uint8_t *)(h + 1));
			if (rc < 0) {
				__atomic_store_n(consp, cons, __ATOMIC_RELEASE);
				return rc;
			}
		}
		__atomic_store_n(consp, cons, __ATOMIC_RELEASE);
	}
	return count;
}

int ebt_ring_fd(const struct ebt_ring *r)
{
	return r->map_fd;
}

void ebt_ring_close(struct ebt_ring *r)
{
	if (!r)
		return;
	munmap(r->prod, r->page + 2 * r->size);
	munmap(r->cons, r->page);
	free(r);
}
