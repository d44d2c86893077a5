/*
 * btf.c -- what the running kernel's BTF (/sys/kernel/btf/vmlinux) says a
 * socket filter needs to read packet bytes without a helper call: the type
 * ids of the kfuncs bpf_cast_to_kern_ctx and bpf_rdonly_cast, and the offsets
 * of data, len and data_len in struct sk_buff (followed through anonymous
 * structs and unions).  ebt_kernel_probe() then loads a small translated
 * filter that uses them, so "supported" means "the verifier took one".
 * Reads the BTF blob in one go and walks its type section once; it trusts no
 * length in it (every record is checked against the section's end).
 * Keeps true: nothing found means an error, never a guessed offset.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/btf.h>

#include "ebt_int.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

struct btf_view {
	const uint8_t *types, *strs;
	uint32_t types_len, strs_len;
	const struct btf_type **by_id;	/* index 1..n */
	uint32_t n;
};

static int read_all(const char *path, uint8_t **buf, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	uint8_t *b = malloc(cap), *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0 || !b) {
		int e = fd < 0 ? -errno : -ENOMEM;

		free(b);
		if (fd >= 0)
			close(fd);
		return e;
	}
	for (;;) {
		if (n == cap) {
			p = realloc(b, cap *= 2);
			if (!p) {
				free(b);
				close(fd);
				return -ENOMEM;
			}
			b = p;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (r < 0) {
		free(b);
		return -EIO;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* Bytes that follow a struct btf_type of this kind, or -1 if unknown. */
static long extra_len(const struct btf_type *t)
{
	uint32_t vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: return 4;
	case BTF_KIND_ARRAY: return (long)sizeof(struct btf_array);
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: return (long)vlen * (long)sizeof(struct btf_member);
	case BTF_KIND_ENUM: return (long)vlen * (long)sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO: return (long)vlen * (long)sizeof(struct btf_param);
	case BTF_KIND_DATASEC: return (long)vlen * (long)sizeof(struct btf_var_secinfo);
	case BTF_KIND_ENUM64: return (long)vlen * 12;
	case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	default: return -1;
	}
}

static int index_types(struct btf_view *v, const uint8_t *blob, size_t len)
{
	const struct btf_header *h = (const void *)blob;
	size_t off, cap = 0;

	if (len < sizeof(*h) || h->magic != BTF_MAGIC || h->hdr_len > len ||
	    (size_t)h->hdr_len + h->type_off + h->type_len > len ||
	    (size_t)h->hdr_len + h->str_off + h->str_len > len)
		return -ENOENT;
	v->types = blob + h->hdr_len + h->type_off;
	v->types_len = h->type_len;
	v->strs = blob + h->hdr_len + h->str_off;
	v->strs_len = h->str_len;
	v->n = 0;
	for (off = 0; off + sizeof(struct btf_type) <= v->types_len;) {
		const struct btf_type *t = (const void *)(v->types + off);
		long extra = extra_len(t);

		if (extra < 0)
			return -ENOENT;
		if (v->n + 2 > cap) {
			const struct btf_type **p = realloc(v->by_id, (cap = cap ? cap * 2 : 4096) * sizeof(*p));

			if (!p)
				return -ENOMEM;
			v->by_id = p;
		}
		v->by_id[++v->n] = t;
		off += sizeof(*t) + (size_t)extra;
	}
	return off == v->types_len ? 0 : -ENOENT;
}

static const char *name_of(const struct btf_view *v, uint32_t off)
{
	return off < v->strs_len ? (const char *)v->strs + off : "";
}

/* The first type of this kind and name: its id, or 0. */
static uint32_t find(const struct btf_view *v, uint32_t kind, const char *name)
{
	uint32_t id;

	for (id = 1; id <= v->n; id++)
		if (BTF_INFO_KIND(v->by_id[id]->info) == kind &&
		    strcmp(name_of(v, v->by_id[id]->name_off), name) == 0)
			return id;
	return 0;
}

/* Byte offset of member name in struct/union id (through anonymous members), or -1. */
static long member_off(const struct btf_view *v, uint32_t id, const char *name, int depth)
{
	const struct btf_type *t;
	const struct btf_member *m;
	uint32_t k, kind;

	if (id == 0 || id > v->n || depth > 8)
		return -1;
	t = v->by_id[id];
	kind = BTF_INFO_KIND(t->info);
	if (kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION)
		return -1;
	m = (const void *)(t + 1);
	for (k = 0; k < BTF_INFO_VLEN(t->info); k++) {
		uint32_t bits = BTF_INFO_KFLAG(t->info) ? BTF_MEMBER_BIT_OFFSET(m[k].offset) : m[k].offset;
		long sub;

		if (bits % 8)
			continue;	/* a bit-field: never one of ours */
		if (m[k].name_off == 0) {
			sub = member_off(v, m[k].type, name, depth + 1);
			if (sub >= 0)
				return (long)(bits / 8) + sub;
		} else if (strcmp(name_of(v, m[k].name_off), name) == 0) {
			return (long)(bits / 8);
		}
	}
	return -1;
}

static int fill(const struct btf_view *v, struct ebt_kernel *k)
{
	uint32_t skb = find(v, BTF_KIND_STRUCT, "sk_buff");
	uint32_t cast = find(v, BTF_KIND_FUNC, "bpf_cast_to_kern_ctx");
	uint32_t ro = find(v, BTF_KIND_FUNC, "bpf_rdonly_cast");
	long data = member_off(v, skb, "data", 0), len = member_off(v, skb, "len", 0);
	long dlen = member_off(v, skb, "data_len", 0);

	if (!skb || !cast || !ro || data < 0 || len < 0 || dlen < 0 ||
	    data > 0x7fff || len > 0x7fff || dlen > 0x7fff)
		return -ENOENT;
	k->cast_ctx_id = (int32_t)cast;
	k->rdonly_cast_id = (int32_t)ro;
	k->skb_data = (int16_t)data;
	k->skb_len = (int16_t)len;
	k->skb_data_len = (int16_t)dlen;
	return 0;
}

/* ldh [12]; jeq #0x800, ok; ld [x + 20]...: direct, indirect and the window path. */
static int try_load(const struct ebt_kernel *k)
{
	static const struct cbpf_insn probe[] = {
		{ BPF_LDX | BPF_B | BPF_MSH, 0, 0, 14 },
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 12 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0x800 },
		{ BPF_LD | BPF_H | BPF_IND, 0, 0, 16 },
		{ BPF_RET | BPF_A, 0, 0, 0 },
	};
	struct ebt_opts o;
	struct ebt_insn *e;
	size_t ne;
	int fd, rc;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.target = EBT_TARGET_SOCKET;
	o.kernel = k;
	rc = ebt_translate(probe, sizeof(probe) / sizeof(probe[0]), &o, &e, &ne, NULL, NULL);
	if (rc < 0)
		return rc;
	fd = ebt_prog_load(e, ne, EBT_TARGET_SOCKET, NULL, 0);
	ebt_free(e);
	if (fd < 0)
		return fd == -ENOMEM ? fd : -EOPNOTSUPP;
	close(fd);
	return 0;
}

int ebt_kernel_probe(struct ebt_kernel *k)
{
	struct btf_view v;
	uint8_t *blob = NULL;
	size_t len = 0;
	int rc;

	if (!k)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	memset(&v, 0, sizeof(v));
	rc = read_all(VMLINUX_BTF, &blob, &len);
	if (rc < 0)
		return rc == -ENOMEM ? rc : -ENOENT;
	rc = index_types(&v, blob, len);
	if (rc == 0)
		rc = fill(&v, k);
	free(v.by_id);
	free(blob);
	if (rc == 0)
		rc = try_load(k);
	if (rc < 0)
		memset(k, 0, sizeof(*k));
	return rc;
}
