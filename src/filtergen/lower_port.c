/*
 * lower_port.c -- `port` and `portrange` for tcp, udp and sctp over IPv4
 * and IPv6 (libpcap's gen_port/gen_port6 and their range forms).
 *
 * IPv4: the protocol field names the transport, the packet is not a later
 * fragment (offset bits 0x1fff clear), both tested on one masked word, and
 * the port sits behind a header of variable length.  IPv6: the next-header field names the transport and the
 * port sits 40 bytes in.  Keeps true: a port over 65535 or a qualifier that
 * has no ports is an error at the primitive.
 */
#include <errno.h>

#include "lower.h"

#define ETHERTYPE_IP 0x0800u
#define ETHERTYPE_IPV6 0x86ddu

struct range_arg {
	uint32_t lo, hi;
	enum fg_offrel rel;
};

/* lo <= port <= hi, or port == lo for a single port. */
static struct fg_cond port_side(struct fg_lower *l, bool src, const void *arg)
{
	const struct range_arg *a = arg;
	uint32_t off = src ? 0 : 2;
	struct fg_cond ge, le;

	if (a->lo == a->hi)
		return fg_gen_eq(l, a->rel, off, BPF_H, a->lo);
	ge = fg_gen_cmp(l, a->rel, off, BPF_H, 0xffffffffu, BPF_JGE, false, a->lo);
	le = fg_gen_cmp(l, a->rel, off, BPF_H, 0xffffffffu, BPF_JGT, true, a->hi);
	return fg_cond_and(l->ir, ge, le);
}

/* Which transport numbers a qualifier stands for. */
static size_t transports(enum fg_proto p, uint32_t out[3])
{
	switch (p) {
	case FG_PROTO_TCP: out[0] = 6; return 1;
	case FG_PROTO_UDP: out[0] = 17; return 1;
	case FG_PROTO_SCTP: out[0] = 132; return 1;
	default: out[0] = 6; out[1] = 17; out[2] = 132; return 3;
	}
}

static struct fg_cond proto_in(struct fg_lower *l, uint32_t field, const uint32_t *t, size_t n)
{
	struct fg_cond c = fg_cond_const(false);
	size_t i;

	for (i = 0; i < n; i++)
		c = fg_cond_or(l->ir, c, fg_gen_eq(l, FG_OR_LINKPL, field, BPF_B, t[i]));
	return c;
}

/*
 * IPv4: "a transport of t[] and not a later fragment" in one masked word:
 * bytes 6..9 of the header hold the fragment offset (low 13 bits of the
 * first half), the TTL and the protocol, so with the offset and the
 * protocol kept the word equals the protocol number exactly when the
 * offset is 0.  With set_x, X gets the header length on the way.
 */
struct fg_cond fg_gen_ipv4_transport(struct fg_lower *l, const uint32_t *t, size_t n, bool set_x)
{
	struct fg_block *b = fg_block_new(l->ir);
	struct fg_cond c;
	size_t i;

	if (!b || fg_gen_load(l, b, FG_OR_LINKPL, 6, BPF_W) < 0 ||
	    fg_block_add(l->ir, b, BPF_ALU | BPF_AND | BPF_K, 0x1fff00ffu) < 0 ||
	    (set_x && fg_gen_load_ihl(l, b) < 0))
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	c = fg_gen_branch(l, b, BPF_JEQ, false, t[0]);
	for (i = 1; i < n; i++) {
		struct fg_block *e = fg_block_new(l->ir);

		if (!e)
			return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
		c = fg_cond_or(l->ir, c, fg_gen_branch(l, e, BPF_JEQ, false, t[i]));
	}
	return c;
}

/*
 * The guard with X set for ld [x + nl + off] on the way: IPv4's header length
 * in the fragment test (whose load already covers byte 0), IPv6's 40 before
 * its next-header test.  Only for a constant payload offset.
 */
struct fg_cond fg_gen_port_guard_x(struct fg_lower *l, bool v6, enum fg_proto p)
{
	uint32_t t[3];
	size_t n = transports(p, t), i;
	struct fg_cond c = fg_gen_linktype(l, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP), first;
	struct fg_block *b = v6 ? fg_block_new(l->ir) : NULL;
	int rc = b || !v6 ? 0 : -ENOMEM;

	if (v6) {
		rc |= b ? fg_block_add(l->ir, b, BPF_LDX | BPF_IMM, 40) : -ENOMEM;
		rc |= fg_gen_load(l, b, FG_OR_LINKPL, 6, BPF_B);
		if (rc)
			return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
		first = fg_gen_branch(l, b, BPF_JEQ, false, t[0]);
		for (i = 1; i < n; i++)
			first = fg_cond_or(l->ir, first, fg_gen_eq(l, FG_OR_LINKPL, 6, BPF_B, t[i]));
		return fg_cond_and(l->ir, c, first);
	}
	if (rc)
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	return fg_cond_and(l->ir, c, fg_gen_ipv4_transport(l, t, n, true));
}

struct fg_cond fg_gen_port_guard(struct fg_lower *l, bool v6, enum fg_proto p)
{
	uint32_t t[3];
	size_t n = transports(p, t);
	struct fg_cond c = fg_gen_linktype(l, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP);

	if (v6)
		return fg_cond_and(l->ir, c, proto_in(l, 6, t, n));
	return fg_cond_and(l->ir, c, fg_gen_ipv4_transport(l, t, n, false));
}

static struct fg_cond ports_v4(struct fg_lower *l, enum fg_proto p, enum fg_dir dir,
			       struct range_arg *a)
{
	struct fg_cond c = fg_gen_port_guard(l, false, p);

	a->rel = FG_OR_TRAN_IPV4;
	return fg_cond_and(l->ir, c, fg_gen_by_dir(l, dir, port_side, a));
}

static struct fg_cond ports_v6(struct fg_lower *l, enum fg_proto p, enum fg_dir dir,
			       struct range_arg *a)
{
	struct fg_cond c = fg_gen_port_guard(l, true, p);

	a->rel = FG_OR_TRAN_IPV6;
	return fg_cond_and(l->ir, c, fg_gen_by_dir(l, dir, port_side, a));
}

struct fg_cond fg_gen_port_af(struct fg_lower *l, bool v6, enum fg_proto p, enum fg_dir dir,
			      uint32_t port)
{
	struct range_arg a = { port, port, FG_OR_PACKET };

	return v6 ? ports_v6(l, p, dir, &a) : ports_v4(l, p, dir, &a);
}

struct fg_cond fg_gen_portrange(struct fg_lower *l, enum fg_proto p, enum fg_dir dir,
				uint32_t lo, uint32_t hi, struct fg_loc at)
{
	struct range_arg a;
	struct fg_cond v4;
	const char *what = lo == hi ? "port" : "portrange";

	if (p != FG_PROTO_DEFAULT && p != FG_PROTO_TCP && p != FG_PROTO_UDP && p != FG_PROTO_SCTP)
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "'%s' is not a valid qualifier for '%s' (only tcp, udp and sctp have ports)",
				      fg_proto_name(p), what);
	if (fg_dir_is_80211(dir))
		return fg_lower_error(l, at.off, at.len, -EINVAL,
				      "'%s' is not a valid qualifier for '%s'", fg_dir_name(dir), what);
	if (lo > 65535 || hi > 65535)
		return fg_lower_error(l, at.off, at.len, -EINVAL, "illegal port number %u > 65535",
				      lo > 65535 ? lo : hi);
	a.lo = lo < hi ? lo : hi;
	a.hi = lo < hi ? hi : lo;
	v4 = ports_v4(l, p, dir, &a);
	return fg_cond_or(l->ir, v4, ports_v6(l, p, dir, &a));
}
