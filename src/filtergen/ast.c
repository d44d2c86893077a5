/*
 * ast.c -- node constructors and the text dump of the syntax tree.
 *
 * Constructors allocate from the compilation's arena and keep two things
 * true for every node they return: loc covers the node's children, and
 * depth is one more than the deepest child (so the parser can refuse trees
 * deeper than FG_AST_MAX_DEPTH before anything recurses over them).  and/or
 * chains are flattened into one n-ary node, so a long "a or b or c ..."
 * stays shallow.  The dump is a deterministic S-expression used by tests.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ast.h"

/* ---- names ---------------------------------------------------------------- */

static const char *const proto_names[FG_PROTO_COUNT] = {
	[FG_PROTO_DEFAULT] = "-", [FG_PROTO_LINK] = "link", [FG_PROTO_IP] = "ip",
	[FG_PROTO_ARP] = "arp", [FG_PROTO_RARP] = "rarp", [FG_PROTO_SCTP] = "sctp",
	[FG_PROTO_TCP] = "tcp", [FG_PROTO_UDP] = "udp", [FG_PROTO_ICMP] = "icmp",
	[FG_PROTO_IGMP] = "igmp", [FG_PROTO_IGRP] = "igrp", [FG_PROTO_PIM] = "pim",
	[FG_PROTO_VRRP] = "vrrp", [FG_PROTO_CARP] = "carp", [FG_PROTO_ATALK] = "atalk",
	[FG_PROTO_AARP] = "aarp", [FG_PROTO_DECNET] = "decnet", [FG_PROTO_LAT] = "lat",
	[FG_PROTO_SCA] = "sca", [FG_PROTO_MOPDL] = "mopdl", [FG_PROTO_MOPRC] = "moprc",
	[FG_PROTO_IP6] = "ip6", [FG_PROTO_ICMP6] = "icmp6", [FG_PROTO_AH] = "ah",
	[FG_PROTO_ESP] = "esp", [FG_PROTO_ISO] = "iso", [FG_PROTO_ESIS] = "esis",
	[FG_PROTO_ISIS] = "isis", [FG_PROTO_ISIS_L1] = "l1", [FG_PROTO_ISIS_L2] = "l2",
	[FG_PROTO_ISIS_IIH] = "iih", [FG_PROTO_ISIS_LSP] = "lsp",
	[FG_PROTO_ISIS_SNP] = "snp", [FG_PROTO_ISIS_PSNP] = "psnp",
	[FG_PROTO_ISIS_CSNP] = "csnp", [FG_PROTO_CLNP] = "clnp", [FG_PROTO_STP] = "stp",
	[FG_PROTO_IPX] = "ipx", [FG_PROTO_NETBEUI] = "netbeui", [FG_PROTO_RADIO] = "radio",
};

static const char *const dir_names[FG_DIR_COUNT] = {
	[FG_DIR_DEFAULT] = "-", [FG_DIR_SRC] = "src", [FG_DIR_DST] = "dst",
	[FG_DIR_SRC_OR_DST] = "src-or-dst", [FG_DIR_SRC_AND_DST] = "src-and-dst",
	[FG_DIR_ADDR1] = "addr1", [FG_DIR_ADDR2] = "addr2", [FG_DIR_ADDR3] = "addr3",
	[FG_DIR_ADDR4] = "addr4", [FG_DIR_RA] = "ra", [FG_DIR_TA] = "ta",
};

static const char *const addr_names[FG_ADDR_COUNT] = {
	[FG_ADDR_DEFAULT] = "-", [FG_ADDR_HOST] = "host", [FG_ADDR_NET] = "net",
	[FG_ADDR_PORT] = "port", [FG_ADDR_PORTRANGE] = "portrange",
	[FG_ADDR_GATEWAY] = "gateway", [FG_ADDR_PROTO] = "proto",
	[FG_ADDR_PROTOCHAIN] = "protochain",
};

const char *fg_proto_name(unsigned proto)
{
	return proto < FG_PROTO_COUNT ? proto_names[proto] : "?";
}

const char *fg_dir_name(unsigned dir)
{
	return dir < FG_DIR_COUNT ? dir_names[dir] : "?";
}

const char *fg_addr_name(unsigned addr)
{
	return addr < FG_ADDR_COUNT ? addr_names[addr] : "?";
}

/* ---- constructors --------------------------------------------------------- */

static struct fg_loc loc_join(struct fg_loc a, struct fg_loc b)
{
	size_t end = b.off + b.len > a.off + a.len ? b.off + b.len : a.off + a.len;
	size_t off = a.off < b.off ? a.off : b.off;

	return (struct fg_loc){ off, end - off };
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

struct fg_node *fg_node_new(struct fg_arena *a, enum fg_node_kind kind, struct fg_loc loc)
{
	struct fg_node *n = fg_arena_alloc(a, sizeof(*n));

	if (n) {
		n->kind = kind;
		n->loc = loc;
		n->depth = 1;
	}
	return n;
}

static int list_push(struct fg_arena *a, struct fg_node *n, struct fg_node *kid)
{
	void *kids = n->u.list.kids;

	if (fg_arena_grow(a, &kids, &n->u.list.cap, n->u.list.nkids + 1, sizeof(kid)) < 0) {
		a->failed = true;
		return -ENOMEM;
	}
	n->u.list.kids = kids;
	n->u.list.kids[n->u.list.nkids++] = kid;
	n->depth = max_u32(n->depth, kid->depth + 1);
	n->loc = loc_join(n->loc, kid->loc);
	return 0;
}

struct fg_node *fg_node_unary(struct fg_arena *a, enum fg_node_kind kind,
			      struct fg_loc loc, struct fg_node *kid)
{
	struct fg_node *n;

	if (!kid)
		return NULL;
	n = fg_node_new(a, kind, loc);
	if (n && list_push(a, n, kid) < 0)
		return NULL;
	return n;
}

struct fg_node *fg_node_bool(struct fg_arena *a, enum fg_node_kind kind,
			     struct fg_node *l, struct fg_node *r)
{
	struct fg_node *n;

	if (!l || !r)
		return NULL;
	if (l->kind == kind)
		return list_push(a, l, r) < 0 ? NULL : l;
	n = fg_node_new(a, kind, l->loc);
	if (!n || list_push(a, n, l) < 0 || list_push(a, n, r) < 0)
		return NULL;
	return n;
}

struct fg_node *fg_node_binop(struct fg_arena *a, enum fg_binop op,
			      struct fg_node *l, struct fg_node *r)
{
	struct fg_node *n;

	if (!l || !r)
		return NULL;
	n = fg_node_new(a, FG_N_BINOP, loc_join(l->loc, r->loc));
	if (n) {
		n->u.bin.op = op;
		n->u.bin.lhs = l;
		n->u.bin.rhs = r;
		n->depth = max_u32(l->depth, r->depth) + 1;
	}
	return n;
}

struct fg_node *fg_node_rel(struct fg_arena *a, enum fg_relop op,
			    struct fg_node *l, struct fg_node *r)
{
	struct fg_node *n;

	if (!l || !r)
		return NULL;
	n = fg_node_new(a, FG_N_REL, loc_join(l->loc, r->loc));
	if (n) {
		n->u.rel.op = op;
		n->u.rel.lhs = l;
		n->u.rel.rhs = r;
		n->depth = max_u32(l->depth, r->depth) + 1;
	}
	return n;
}

struct fg_node *fg_node_num(struct fg_arena *a, struct fg_loc loc,
			    uint32_t value, const char *name)
{
	struct fg_node *n = fg_node_new(a, FG_N_NUM, loc);

	if (n) {
		n->u.num.value = value;
		n->u.num.name = name;
	}
	return n;
}

struct fg_node *fg_node_id(struct fg_arena *a, struct fg_loc loc,
			   const struct fg_qual *q, const struct fg_idval *v)
{
	struct fg_node *n = fg_node_new(a, FG_N_ID, loc);

	if (n) {
		n->u.id.q = *q;
		n->u.id.v = *v;
	}
	return n;
}

/* ---- dump ------------------------------------------------------------------ */

struct out {
	char *buf;
	size_t size;
	size_t len;
	bool trunc;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = o->size - o->len;
	int n;

	if (o->trunc)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		o->trunc = true;
		o->len = o->size - 1;
		o->buf[o->len] = '\0';
		return;
	}
	o->len += (size_t)n;
}

static void dump(struct out *o, const struct fg_node *n);

static const char *relop_text(enum fg_relop op)
{
	static const char *const t[] = { ">", ">=", "=", "<=", "<", "!=" };

	return (unsigned)op < 6 ? t[op] : "?";
}

static const char *binop_text(enum fg_binop op)
{
	static const char *const t[] = { "+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>" };

	return (unsigned)op < 10 ? t[op] : "?";
}

static void dump_ipv4(struct out *o, const struct fg_ipv4 *v)
{
	put(o, "%s[%u]", v->text ? v->text : "?", v->nparts);
}

static void dump_idval(struct out *o, const struct fg_idval *v)
{
	switch (v->kind) {
	case FG_ID_NAME:
		put(o, "%s%s", v->escaped ? "\\" : "name:", v->text);
		break;
	case FG_ID_NUM:
		put(o, "%" PRIu32, v->num);
		break;
	case FG_ID_IPV4:
		put(o, "ipv4:");
		dump_ipv4(o, &v->v4);
		break;
	case FG_ID_IPV4_PREFIX:
		put(o, "ipv4:");
		dump_ipv4(o, &v->v4);
		put(o, "/%" PRIu32, v->prefix);
		break;
	case FG_ID_IPV4_MASK:
		put(o, "ipv4:");
		dump_ipv4(o, &v->v4);
		put(o, " mask ");
		dump_ipv4(o, &v->v4mask);
		break;
	case FG_ID_IPV6:
	case FG_ID_IPV6_PREFIX:
		put(o, "ipv6:");
		for (int i = 0; i < 16; i += 2)
			put(o, "%s%02x%02x", i ? ":" : "", v->v6[i], v->v6[i + 1]);
		if (v->kind == FG_ID_IPV6_PREFIX)
			put(o, "/%" PRIu32, v->prefix);
		break;
	case FG_ID_MAC:
		put(o, "mac:%02x:%02x:%02x:%02x:%02x:%02x", v->mac[0], v->mac[1],
		    v->mac[2], v->mac[3], v->mac[4], v->mac[5]);
		break;
	case FG_ID_ARCNET:
		put(o, "arcnet:$%02x", v->arcnet);
		break;
	}
}

static void dump_id(struct out *o, const struct fg_node *n)
{
	const struct fg_qual *q = &n->u.id.q;

	put(o, "(id%s", q->inherited ? "^" : "");
	if (q->proto)
		put(o, " %s", fg_proto_name(q->proto));
	if (q->dir)
		put(o, " %s", fg_dir_name(q->dir));
	if (q->addr)
		put(o, " %s", fg_addr_name(q->addr));
	put(o, " ");
	dump_idval(o, &n->u.id.v);
	put(o, ")");
}

static void dump_named(struct out *o, const struct fg_named *v)
{
	if (v->name)
		put(o, " %s=%" PRIu32, v->name, v->value);
	else
		put(o, " %" PRIu32, v->value);
}

static void dump_list(struct out *o, const char *op, const struct fg_node *n)
{
	put(o, "(%s", op);
	for (size_t i = 0; i < n->u.list.nkids; i++) {
		put(o, " ");
		dump(o, n->u.list.kids[i]);
	}
	put(o, ")");
}

static void dump_opt(struct out *o, const char *what, const struct fg_node *n)
{
	if (n->u.opt.has)
		put(o, "(%s %" PRIu32 ")", what, n->u.opt.value);
	else
		put(o, "(%s)", what);
}

static void dump_proto_opt(struct out *o, const char *what, unsigned proto)
{
	if (proto)
		put(o, "(%s %s)", what, fg_proto_name(proto));
	else
		put(o, "(%s)", what);
}

static void dump_batadv(struct out *o, const struct fg_node *n)
{
	put(o, "(batadv");
	if (n->u.batadv.has_version)
		put(o, " %" PRIu32, n->u.batadv.version);
	if (n->u.batadv.type_name)
		put(o, " name:%s", n->u.batadv.type_name);
	else if (n->u.batadv.has_type)
		put(o, " %" PRIu32, n->u.batadv.type);
	put(o, ")");
}

static void dump_wlan(struct out *o, const struct fg_node *n)
{
	put(o, "(%s", n->kind == FG_N_WLAN_DIR ? "wlan-dir" : "wlan-type");
	if (n->u.wlan.proto)
		put(o, " %s", fg_proto_name(n->u.wlan.proto));
	if (n->u.wlan.type.name)
		put(o, " %s", n->u.wlan.type.name);
	if (n->u.wlan.subtype.name)
		put(o, " %s", n->u.wlan.subtype.name);
	put(o, " 0x%02" PRIx32 "/0x%02" PRIx32 ")", n->u.wlan.value, n->u.wlan.mask);
}

static void dump_llc(struct out *o, const struct fg_node *n)
{
	static const char *const kinds[] = { "", " i", " s", " u", " s", " u" };

	put(o, "(llc%s", kinds[n->u.llc.kind]);
	if (n->u.llc.kind >= FG_LLC_S_SUBTYPE)
		put(o, " %s=0x%02" PRIx32, n->u.llc.sub.name, n->u.llc.sub.value);
	put(o, ")");
}

static void dump_misc(struct out *o, const struct fg_node *n)
{
	static const char *const atm[] = {
		"lane", "metac", "bcc", "oamf4ec", "oamf4sc", "sc", "ilmic",
		"oam", "oamf4", "connectmsg", "metaconnect",
	};
	static const char *const mtp2[] = { "fisu", "lssu", "msu", "hfisu", "hlssu", "hmsu" };
	static const char *const field[] = {
		"vpi", "vci", "sio", "opc", "dpc", "sls", "hsio", "hopc", "hdpc", "hsls",
	};

	switch (n->kind) {
	case FG_N_ATM:
		put(o, "(atm %s)", atm[n->u.atm]);
		break;
	case FG_N_MTP2:
		put(o, "(mtp2 %s)", mtp2[n->u.mtp2]);
		break;
	case FG_N_FIELD:
		put(o, "(field %s %s %" PRIu32 ")", field[n->u.field.field],
		    relop_text(n->u.field.op), n->u.field.value);
		break;
	case FG_N_PF_REASON:
	case FG_N_PF_ACTION:
		put(o, "(%s", n->kind == FG_N_PF_REASON ? "reason" : "action");
		dump_named(o, &n->u.named);
		put(o, ")");
		break;
	case FG_N_BYTE:
		put(o, "(byte %" PRIu32 " %c %" PRIu32 ")", n->u.byte.offset,
		    n->u.byte.op, n->u.byte.value);
		break;
	default:
		put(o, "(?%d)", (int)n->kind);
		break;
	}
}

static void dump_arith(struct out *o, const struct fg_node *n)
{
	switch (n->kind) {
	case FG_N_NUM:
		if (n->u.num.name)
			put(o, "%s=%" PRIu32, n->u.num.name, n->u.num.value);
		else
			put(o, "%" PRIu32, n->u.num.value);
		break;
	case FG_N_LEN:
		put(o, "len");
		break;
	case FG_N_LOAD:
		put(o, "(%s[", fg_proto_name(n->u.load.proto));
		dump(o, n->u.load.index);
		put(o, "]:%" PRIu32 ")", n->u.load.size);
		break;
	case FG_N_BINOP:
		put(o, "(%s ", binop_text(n->u.bin.op));
		dump(o, n->u.bin.lhs);
		put(o, " ");
		dump(o, n->u.bin.rhs);
		put(o, ")");
		break;
	default:
		dump_list(o, "neg", n);
		break;
	}
}

static void dump_simple(struct out *o, const struct fg_node *n)
{
	switch (n->kind) {
	case FG_N_PROTO:
		put(o, "(proto %s)", fg_proto_name(n->u.proto));
		break;
	case FG_N_BROADCAST:
		dump_proto_opt(o, "broadcast", n->u.proto);
		break;
	case FG_N_MULTICAST:
		dump_proto_opt(o, "multicast", n->u.proto);
		break;
	case FG_N_LESS:
		put(o, "(less %" PRIu32 ")", n->u.num.value);
		break;
	case FG_N_GREATER:
		put(o, "(greater %" PRIu32 ")", n->u.num.value);
		break;
	case FG_N_IFINDEX:
		put(o, "(ifindex %" PRIu32 ")", n->u.num.value);
		break;
	case FG_N_PF_RNR:
		put(o, "(rnr %" PRIu32 ")", n->u.num.value);
		break;
	case FG_N_PF_SRNR:
		put(o, "(srnr %" PRIu32 ")", n->u.num.value);
		break;
	case FG_N_PF_IFNAME:
		put(o, "(ifname %s)", n->u.text);
		break;
	case FG_N_PF_RSET:
		put(o, "(rset %s)", n->u.text);
		break;
	case FG_N_INBOUND:
		put(o, "(inbound)");
		break;
	case FG_N_OUTBOUND:
		put(o, "(outbound)");
		break;
	case FG_N_PPPOED:
		put(o, "(pppoed)");
		break;
	default:
		dump_misc(o, n);
		break;
	}
}

static void dump(struct out *o, const struct fg_node *n)
{
	switch (n->kind) {
	case FG_N_AND: dump_list(o, "and", n); break;
	case FG_N_OR: dump_list(o, "or", n); break;
	case FG_N_NOT: dump_list(o, "not", n); break;
	case FG_N_ID: dump_id(o, n); break;
	case FG_N_REL:
		put(o, "(%s ", relop_text(n->u.rel.op));
		dump(o, n->u.rel.lhs);
		put(o, " ");
		dump(o, n->u.rel.rhs);
		put(o, ")");
		break;
	case FG_N_VLAN: dump_opt(o, "vlan", n); break;
	case FG_N_MPLS: dump_opt(o, "mpls", n); break;
	case FG_N_PPPOES: dump_opt(o, "pppoes", n); break;
	case FG_N_GENEVE: dump_opt(o, "geneve", n); break;
	case FG_N_VXLAN: dump_opt(o, "vxlan", n); break;
	case FG_N_BATADV: dump_batadv(o, n); break;
	case FG_N_WLAN_TYPE:
	case FG_N_WLAN_DIR: dump_wlan(o, n); break;
	case FG_N_LLC: dump_llc(o, n); break;
	case FG_N_NUM:
	case FG_N_LEN:
	case FG_N_LOAD:
	case FG_N_BINOP:
	case FG_N_NEG: dump_arith(o, n); break;
	default: dump_simple(o, n); break;
	}
}

int fg_ast_dump(const struct fg_node *n, char *buf, size_t size)
{
	struct out o = { buf, size, 0, false };

	if (!buf || size == 0)
		return -EINVAL;
	buf[0] = '\0';
	if (!n)
		put(&o, "(empty)");
	else
		dump(&o, n);
	if (o.trunc)
		return -ENOSPC;
	return o.len > INT32_MAX ? -ENOSPC : (int)o.len;
}
