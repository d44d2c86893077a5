/*
 * parse.c -- the front end's driver (fg_parse) and the builders the
 * grammar's actions call.
 *
 * Keeps true: a successful parse returns a tree whose every node has a
 * source position and whose depth is at most FG_AST_MAX_DEPTH; every id
 * has defined qualifiers (libpcap rejects an id that would inherit none,
 * we do it here, at the id); a failed parse returns a negative errno with
 * exactly one diagnostic -- the first error found -- and nothing leaks:
 * nodes live in the arena, the scanner's memory goes through the arena's
 * allocation hook and is released before returning.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "grammar.h"

/* Longest expression accepted (the scanner's lengths are ints). */
#define FG_PARSE_MAX_LEN ((size_t)16 << 20)

typedef void *yyscan_t;
int fg_yylex_init_extra(struct fg_parser *extra, yyscan_t *scanner);
int fg_yylex_destroy(yyscan_t scanner);
int fg_yyparse(void *scanner, struct fg_parser *ps);

/* ---- errors and checks ---------------------------------------------------- */

void *fg_p_fail(struct fg_parser *ps, struct fg_loc at, int err, const char *fmt, ...)
{
	va_list ap;

	if (ps->err)
		return NULL;	/* keep the first error */
	ps->err = err;
	if (ps->diag) {
		ps->diag->offset = at.off;
		ps->diag->length = at.len;
		va_start(ap, fmt);
		vsnprintf(ps->diag->msg, sizeof(ps->diag->msg), fmt, ap);
		va_end(ap);
	}
	return NULL;
}

static void *fail_nomem(struct fg_parser *ps)
{
	return fg_p_fail(ps, (struct fg_loc){ 0, 0 }, -ENOMEM, "out of memory");
}

struct fg_node *fg_p_check(struct fg_parser *ps, struct fg_node *n)
{
	if (!n)
		return fail_nomem(ps);
	if (n->depth > FG_AST_MAX_DEPTH)
		return fg_p_fail(ps, n->loc, -E2BIG,
				 "expression too deeply nested (more than %d levels)", FG_AST_MAX_DEPTH);
	return n;
}

struct fg_loc fg_p_span(const struct fg_loc *rhs, int n)
{
	int first = 0, last = 0;

	for (int i = 1; i <= n; i++) {
		if (rhs[i].len == 0)
			continue;
		if (!first)
			first = i;
		last = i;
	}
	if (!first)
		return (struct fg_loc){ rhs[0].off + rhs[0].len, 0 };
	return (struct fg_loc){ rhs[first].off, rhs[last].off + rhs[last].len - rhs[first].off };
}

/* ---- simple nodes ------------------------------------------------------- */

struct fg_node *fg_p_bool(struct fg_parser *ps, enum fg_node_kind k, struct fg_node *l, struct fg_node *r)
{
	return fg_p_check(ps, fg_node_bool(ps->arena, k, l, r));
}

struct fg_node *fg_p_not(struct fg_parser *ps, struct fg_loc at, struct fg_node *kid)
{
	return fg_p_check(ps, fg_node_unary(ps->arena, FG_N_NOT, at, kid));
}

struct fg_node *fg_p_leaf(struct fg_parser *ps, enum fg_node_kind k, struct fg_loc at)
{
	return fg_p_check(ps, fg_node_new(ps->arena, k, at));
}

struct fg_node *fg_p_numarg(struct fg_parser *ps, enum fg_node_kind k, struct fg_loc at, uint32_t v)
{
	struct fg_node *n = fg_p_leaf(ps, k, at);

	if (n)
		n->u.num.value = v;
	return n;
}

struct fg_node *fg_p_opt(struct fg_parser *ps, enum fg_node_kind k, struct fg_loc at, bool has, uint32_t v)
{
	struct fg_node *n = fg_p_leaf(ps, k, at);

	if (n) {
		n->u.opt.has = has;
		n->u.opt.value = v;
	}
	return n;
}

struct fg_node *fg_p_textarg(struct fg_parser *ps, enum fg_node_kind k, struct fg_loc at, const char *text)
{
	struct fg_node *n = fg_p_leaf(ps, k, at);

	if (n)
		n->u.text = text;
	return n;
}

struct fg_node *fg_p_proto(struct fg_parser *ps, enum fg_node_kind k, struct fg_loc at, int proto)
{
	struct fg_node *n = fg_p_leaf(ps, k, at);

	if (n)
		n->u.proto = (uint8_t)proto;
	return n;
}

struct fg_node *fg_p_load(struct fg_parser *ps, struct fg_loc at, int proto, struct fg_node *index,
			  uint32_t size, struct fg_loc size_at)
{
	struct fg_node *n;

	if (size != 1 && size != 2 && size != 4)
		return fg_p_fail(ps, size_at, -EINVAL, "data size must be 1, 2, or 4");
	n = fg_p_leaf(ps, FG_N_LOAD, at);
	if (n) {
		n->u.load.proto = (uint8_t)proto;
		n->u.load.index = index;
		n->u.load.size = size;
		n->depth = index->depth + 1;
		n = fg_p_check(ps, n);
	}
	return n;
}

struct fg_node *fg_p_byte(struct fg_parser *ps, struct fg_loc at, uint32_t off, int op, uint32_t v)
{
	struct fg_node *n = fg_p_leaf(ps, FG_N_BYTE, at);

	if (n) {
		n->u.byte.offset = off;
		n->u.byte.op = (char)op;
		n->u.byte.value = v;
	}
	return n;
}

struct fg_node *fg_p_batadv(struct fg_parser *ps, struct fg_loc at, int nargs, uint32_t version,
			    uint32_t type, const char *type_name, struct fg_loc type_at)
{
	struct fg_node *n;

	if (type_name && version != 14 && version != 15)
		return fg_p_fail(ps, type_at, -EINVAL,
				 "batman-adv compatibility version number %u unsupported", version);
	n = fg_p_leaf(ps, FG_N_BATADV, at);
	if (n) {
		n->u.batadv.has_version = nargs >= 1;
		n->u.batadv.has_type = nargs >= 2;
		n->u.batadv.version = version;
		n->u.batadv.type = type;
		n->u.batadv.type_name = type_name;
	}
	return n;
}

struct fg_node *fg_p_atm(struct fg_parser *ps, struct fg_loc at, int kind)
{
	struct fg_node *n = fg_p_leaf(ps, FG_N_ATM, at);

	if (n)
		n->u.atm = (enum fg_atm_kind)kind;
	return n;
}

struct fg_node *fg_p_mtp2(struct fg_parser *ps, struct fg_loc at, int kind)
{
	struct fg_node *n = fg_p_leaf(ps, FG_N_MTP2, at);

	if (n)
		n->u.mtp2 = (enum fg_mtp2_kind)kind;
	return n;
}

struct fg_node *fg_p_field(struct fg_parser *ps, struct fg_loc at, int field, int op, uint32_t v)
{
	struct fg_node *n = fg_p_leaf(ps, FG_N_FIELD, at);

	if (n) {
		n->u.field.field = (enum fg_field)field;
		n->u.field.op = (enum fg_relop)op;
		n->u.field.value = v;
	}
	return n;
}

/* ---- qualified ids --------------------------------------------------------- */

void fg_p_head(struct fg_yv *out, int proto, struct fg_loc pat, int dir, struct fg_loc dat,
	       int addr, struct fg_loc aat)
{
	struct fg_qual *q = &out->q;

	memset(q, 0, sizeof(*q));
	q->proto = (uint8_t)proto;
	q->dir = (uint8_t)dir;
	q->addr = (uint8_t)addr;
	q->proto_at = pat;
	q->dir_at = dat;
	q->addr_at = aat;
	q->written = (uint8_t)((pat.len ? FG_QW_PROTO : 0) | (dat.len ? FG_QW_DIR : 0) |
			       (aat.len ? FG_QW_ADDR : 0));
	q->head_at = pat.len ? pat : dat.len ? dat : aat;
	for (const struct fg_loc *l = &aat; l; l = l == &aat ? &dat : l == &dat ? &pat : NULL)
		if (l->len) {
			q->head_at.len = l->off + l->len - q->head_at.off;
			break;
		}
	out->qok = true;
}

/* Give an id the qualifiers in force (ctx = the symbol before it). */
struct fg_node *fg_p_inherit(struct fg_parser *ps, const struct fg_yv *ctx, struct fg_loc at,
			     struct fg_idval *v, struct fg_yv *out)
{
	struct fg_node *n;

	if (!ctx->qok)
		return fg_p_fail(ps, at, -EINVAL,
				 "'%.*s' has no qualifier and nothing before it to inherit one from "
				 "(write e.g. '%s %.*s')", (int)at.len, ps->src + at.off,
				 v->kind == FG_ID_NUM ? "port" : "host", (int)at.len, ps->src + at.off);
	v->at = at;
	n = fg_p_check(ps, fg_node_id(ps->arena, at, &ctx->q, v));
	out->n = n;
	out->q = ctx->q;
	out->qok = true;
	return n;
}

struct fg_node *fg_p_id_name(struct fg_parser *ps, const struct fg_yv *ctx, const struct fg_yv *tok,
			     struct fg_loc at, struct fg_yv *out)
{
	struct fg_idval v = { .kind = FG_ID_NAME, .text = tok->text, .escaped = tok->escaped };

	return fg_p_inherit(ps, ctx, at, &v, out);
}

struct fg_node *fg_p_id_num(struct fg_parser *ps, const struct fg_yv *ctx, uint32_t num,
			    struct fg_loc at, struct fg_yv *out)
{
	struct fg_idval v = { .kind = FG_ID_NUM, .num = num };

	v.text = fg_arena_strndup(ps->arena, ps->src + at.off, at.len);
	if (!v.text)
		return fail_nomem(ps);
	return fg_p_inherit(ps, ctx, at, &v, out);
}

/* libpcap's grammar refuses port/portrange/proto/protochain on address literals. */
static bool addr_qual_ok(struct fg_parser *ps, const struct fg_yv *ctx, struct fg_loc at,
			 const char *what)
{
	unsigned a = ctx->q.addr;

	if (ctx->qok && (a == FG_ADDR_PORT || a == FG_ADDR_PORTRANGE ||
			 a == FG_ADDR_PROTO || a == FG_ADDR_PROTOCHAIN)) {
		fg_p_fail(ps, at, -EINVAL, "'%s' qualifier applied to %s", fg_addr_name(a), what);
		return false;
	}
	return true;
}

static uint32_t part_value(const char *s, size_t n)
{
	uint64_t v = 0;
	unsigned radix = 10;
	size_t i = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		radix = 16, i = 2;
	for (; i < n; i++) {
		unsigned c = (unsigned char)s[i];

		v = v * radix + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
		if (v > UINT32_MAX)
			return UINT32_MAX;
	}
	return (uint32_t)v;
}

/* text is N.N[.N[.N]] (the scanner guarantees it). */
static void ipv4_parse(struct fg_ipv4 *v, const char *text, struct fg_loc at)
{
	const char *s = text;

	memset(v, 0, sizeof(*v));
	v->text = text;
	v->at = at;
	while (v->nparts < 4) {
		size_t n = strcspn(s, ".");

		v->part[v->nparts++] = part_value(s, n);
		if (s[n] != '.')
			break;
		s += n + 1;
	}
}

struct fg_node *fg_p_id_v4(struct fg_parser *ps, const struct fg_yv *ctx, const char *addr,
			   struct fg_loc aat, const char *mask, struct fg_loc mat, int has_prefix,
			   uint32_t prefix, struct fg_loc pat, struct fg_yv *out)
{
	struct fg_idval v = { .kind = FG_ID_IPV4, .text = addr };
	const char *what = "IPv4 address";
	struct fg_loc at = aat;

	if (has_prefix) {
		v.kind = FG_ID_IPV4_PREFIX, what = "IPv4 address and prefix length";
		v.prefix = prefix, v.prefix_at = pat;
		at.len = pat.off + pat.len - aat.off;
	} else if (mask) {
		v.kind = FG_ID_IPV4_MASK, what = "IPv4 address and netmask";
		ipv4_parse(&v.v4mask, mask, mat);
		at.len = mat.off + mat.len - aat.off;
	}
	ipv4_parse(&v.v4, addr, aat);
	if (!addr_qual_ok(ps, ctx, at, what))
		return NULL;
	return fg_p_inherit(ps, ctx, at, &v, out);
}

struct fg_node *fg_p_id_v6(struct fg_parser *ps, const struct fg_yv *ctx, const char *addr,
			   struct fg_loc aat, int has_prefix, uint32_t prefix, struct fg_loc pat,
			   struct fg_yv *out)
{
	struct fg_idval v = { .kind = FG_ID_IPV6, .text = addr };
	const char *what = "IPv6 address";
	struct fg_loc at = aat;

	if (has_prefix) {
		v.kind = FG_ID_IPV6_PREFIX, what = "IPv6 address and prefix length";
		v.prefix = prefix, v.prefix_at = pat;
		at.len = pat.off + pat.len - aat.off;
	}
	if (inet_pton(AF_INET6, addr, v.v6) != 1)	/* the scanner checked it */
		return fg_p_fail(ps, aat, -EINVAL, "invalid IPv6 address %s", addr);
	if (!addr_qual_ok(ps, ctx, at, what))
		return NULL;
	return fg_p_inherit(ps, ctx, at, &v, out);
}

static int hexval(int c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Any spelling the scanner's MAC pattern accepts: 6 groups of 1-2 hex
 * digits (':' '-' '.'), 3 groups of 4 ('.'), or 12 digits in a row. */
static void mac_parse(uint8_t mac[6], const char *s)
{
	size_t len = strlen(s);
	size_t ndig = strspn(s, "0123456789abcdefABCDEF");
	int i = 0;

	if (ndig == len || (len == 14 && ndig == 4)) {	/* xxxxxxxxxxxx, xxxx.xxxx.xxxx */
		for (const char *p = s; *p && i < 12; p++)
			if (*p != '.') {
				mac[i / 2] = (uint8_t)(mac[i / 2] << 4 | hexval(*p));
				i++;
			}
		return;
	}
	for (const char *p = s; *p && i < 6; i++) {
		unsigned v = 0;

		while (*p && !strchr(":-.", *p))
			v = v << 4 | (unsigned)hexval(*p++);
		mac[i] = (uint8_t)v;
		if (*p)
			p++;
	}
}

struct fg_node *fg_p_id_mac(struct fg_parser *ps, const struct fg_yv *ctx, const char *text,
			    struct fg_loc at, struct fg_yv *out)
{
	struct fg_idval v = { .kind = FG_ID_MAC, .text = text };

	mac_parse(v.mac, text);
	return fg_p_inherit(ps, ctx, at, &v, out);
}

struct fg_node *fg_p_id_arcnet(struct fg_parser *ps, const struct fg_yv *ctx, const char *text,
			       struct fg_loc at, struct fg_yv *out)
{
	struct fg_idval v = { .kind = FG_ID_ARCNET, .text = text };

	for (const char *p = text + 1; *p; p++)	/* "$" then 1 or 2 hex digits */
		v.arcnet = (uint8_t)(v.arcnet << 4 | hexval(*p));
	return fg_p_inherit(ps, ctx, at, &v, out);
}

/* ---- keyword tables ---------------------------------------------------------- */

struct kv {
	const char *name;
	uint32_t value;
	const char *os;		/* exists on this OS only */
};

static int ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (*a >= 'A' && *a <= 'Z') ? *a + 32 : *a;
		int cb = (*b >= 'A' && *b <= 'Z') ? *b + 32 : *b;

		if (ca != cb || !ca)
			return ca - cb;
	}
}

static const struct kv *kv_find(const struct kv *t, const char *name)
{
	for (; t->name; t++)
		if (ascii_casecmp(t->name, name) == 0)
			return t;
	return NULL;
}

static const struct kv wlan_types[] = {
	{ "data", 0x08, NULL }, { "mgt", 0x00, NULL }, { "management", 0x00, NULL },
	{ "ctl", 0x04, NULL }, { "control", 0x04, NULL }, { NULL, 0, NULL },
};

static const struct kv wlan_mgt[] = {
	{ "assocreq", 0x00, NULL }, { "assoc-req", 0x00, NULL },
	{ "assocresp", 0x10, NULL }, { "assoc-resp", 0x10, NULL },
	{ "reassocreq", 0x20, NULL }, { "reassoc-req", 0x20, NULL },
	{ "reassocresp", 0x30, NULL }, { "reassoc-resp", 0x30, NULL },
	{ "probereq", 0x40, NULL }, { "probe-req", 0x40, NULL },
	{ "proberesp", 0x50, NULL }, { "probe-resp", 0x50, NULL },
	{ "beacon", 0x80, NULL }, { "atim", 0x90, NULL },
	{ "disassoc", 0xa0, NULL }, { "disassociation", 0xa0, NULL },
	{ "auth", 0xb0, NULL }, { "authentication", 0xb0, NULL },
	{ "deauth", 0xc0, NULL }, { "deauthentication", 0xc0, NULL },
	{ NULL, 0, NULL },
};

static const struct kv wlan_ctl[] = {
	{ "bar", 0x80, NULL }, { "ba", 0x90, NULL }, { "ps-poll", 0xa0, NULL },
	{ "rts", 0xb0, NULL }, { "cts", 0xc0, NULL }, { "ack", 0xd0, NULL },
	{ "cf-end", 0xe0, NULL }, { "cf-end-ack", 0xf0, NULL }, { NULL, 0, NULL },
};

static const struct kv wlan_data[] = {
	{ "data", 0x00, NULL }, { "data-cf-ack", 0x10, NULL }, { "data-cf-poll", 0x20, NULL },
	{ "data-cf-ack-poll", 0x30, NULL }, { "null", 0x40, NULL }, { "cf-ack", 0x50, NULL },
	{ "cf-poll", 0x60, NULL }, { "cf-ack-poll", 0x70, NULL }, { "qos-data", 0x80, NULL },
	{ "qos-data-cf-ack", 0x90, NULL }, { "qos-data-cf-poll", 0xa0, NULL },
	{ "qos-data-cf-ack-poll", 0xb0, NULL }, { "qos", 0xc0, NULL },
	{ "qos-cf-poll", 0xe0, NULL }, { "qos-cf-ack-poll", 0xf0, NULL }, { NULL, 0, NULL },
};

/* Subtype tables by type, in the order a bare "subtype NAME" searches them. */
static const struct { uint32_t type; const char *name; const struct kv *subs; } wlan_subtypes[] = {
	{ 0x00, "mgt", wlan_mgt }, { 0x04, "ctl", wlan_ctl }, { 0x08, "data", wlan_data },
};

static const struct kv wlan_dirs[] = {
	{ "nods", 0, NULL }, { "tods", 1, NULL }, { "fromds", 2, NULL }, { "dstods", 3, NULL },
	{ NULL, 0, NULL },
};

static const struct kv llc_s[] = {
	{ "rr", 0x01, NULL }, { "rnr", 0x05, NULL }, { "rej", 0x09, NULL }, { NULL, 0, NULL },
};

static const struct kv llc_u[] = {
	{ "ui", 0x03, NULL }, { "ua", 0x63, NULL }, { "disc", 0x43, NULL }, { "dm", 0x0f, NULL },
	{ "sabme", 0x6f, NULL }, { "test", 0xe3, NULL }, { "xid", 0xaf, NULL },
	{ "frmr", 0x87, NULL }, { NULL, 0, NULL },
};

static const struct kv pf_reasons[] = {
	{ "match", 0, NULL }, { "bad-offset", 1, NULL }, { "fragment", 2, NULL },
	{ "short", 3, NULL }, { "normalize", 4, NULL }, { "memory", 5, NULL },
	{ "bad-timestamp", 6, NULL }, { "congestion", 7, NULL }, { "ip-option", 8, NULL },
	{ "proto-cksum", 9, NULL }, { "state-mismatch", 10, NULL }, { "state-insert", 11, NULL },
	{ "state-limit", 12, NULL }, { "src-limit", 13, NULL }, { "synproxy", 14, NULL },
	{ "map-failed", 15, "FreeBSD" }, { "state-locked", 15, "NetBSD" },
	{ "translate", 15, "OpenBSD" }, { "no-route", 16, "OpenBSD" },
	{ "dummynet", 15, "macOS" }, { NULL, 0, NULL },
};

static const struct kv pf_actions[] = {
	{ "pass", 0, NULL }, { "accept", 0, NULL }, { "drop", 1, NULL }, { "block", 1, NULL },
	{ "scrub", 2, NULL }, { "noscrub", 3, NULL }, { "nat", 4, NULL }, { "nonat", 5, NULL },
	{ "binat", 6, NULL }, { "nobinat", 7, NULL }, { "rdr", 8, NULL }, { "nordr", 9, NULL },
	{ "synproxy-drop", 10, NULL }, { "defer", 11, "FreeBSD/OpenBSD" },
	{ "match", 12, "OpenBSD" }, { "divert", 13, "OpenBSD" }, { "rt", 14, "OpenBSD" },
	{ "afrt", 15, "OpenBSD" }, { "dummynet", 11, "macOS" }, { "nodummynet", 12, "macOS" },
	{ "nat64", 13, "macOS" }, { "nonat64", 14, "macOS" }, { NULL, 0, NULL },
};

static void named_set(struct fg_named *out, const struct kv *e, const char *name,
		      uint32_t num, struct fg_loc at)
{
	out->name = e ? name : NULL;
	out->value = e ? e->value : num;
	out->os = e ? e->os : NULL;
	out->at = at;
}

/* NUM or ID token -> value through table t; "unknown <what> "name"" otherwise. */
static int named_lookup(struct fg_parser *ps, const struct fg_yv *tok, struct fg_loc at,
			const struct kv *t, const char *what, struct fg_named *out)
{
	const struct kv *e = NULL;

	if (tok->text) {
		e = kv_find(t, tok->text);
		if (!e) {
			fg_p_fail(ps, at, -EINVAL, "unknown %s \"%s\"", what, tok->text);
			return -EINVAL;
		}
	}
	named_set(out, e, tok->text, tok->num, at);
	return 0;
}

int fg_p_pf_reason(struct fg_parser *ps, const struct fg_yv *tok, struct fg_loc at, struct fg_named *out)
{
	return named_lookup(ps, tok, at, pf_reasons, "PF reason", out);
}

int fg_p_pf_action(struct fg_parser *ps, const struct fg_yv *tok, struct fg_loc at, struct fg_named *out)
{
	return named_lookup(ps, tok, at, pf_actions, "PF action", out);
}

int fg_p_wlan_type(struct fg_parser *ps, const struct fg_yv *tok, struct fg_loc at, struct fg_named *out)
{
	if (!tok->text && (tok->num & ~0x0cu)) {
		fg_p_fail(ps, at, -EINVAL, "invalid 802.11 type value 0x%02x", tok->num);
		return -EINVAL;
	}
	return named_lookup(ps, tok, at, wlan_types, "802.11 type name", out);
}

int fg_p_wlan_subtype_num(struct fg_parser *ps, uint32_t v, struct fg_loc at, struct fg_named *out)
{
	if (v & ~0xf0u) {
		fg_p_fail(ps, at, -EINVAL, "invalid 802.11 subtype value 0x%02x", v);
		return -EINVAL;
	}
	named_set(out, NULL, NULL, v, at);
	return 0;
}

int fg_p_wlan_dir(struct fg_parser *ps, const struct fg_yv *tok, struct fg_loc at, struct fg_named *out)
{
	if (tok->text && !kv_find(wlan_dirs, tok->text)) {
		fg_p_fail(ps, at, -EINVAL, "unknown 802.11 direction \"%s\"", tok->text);
		return -EINVAL;
	}
	if (!tok->text && tok->num > 3) {
		fg_p_fail(ps, at, -EINVAL, "invalid 802.11 direction %u (0 to 3)", tok->num);
		return -EINVAL;
	}
	return named_lookup(ps, tok, at, wlan_dirs, "802.11 direction", out);
}

/* Resolve a subtype name against type (or, with no type, any type). */
static int wlan_subtype(struct fg_parser *ps, const struct fg_named *type, const char *name,
			struct fg_loc at, struct fg_named *sub, uint32_t *typev)
{
	for (size_t i = 0; i < sizeof(wlan_subtypes) / sizeof(wlan_subtypes[0]); i++) {
		const struct kv *e;

		if (type && type->value != wlan_subtypes[i].type)
			continue;
		e = kv_find(wlan_subtypes[i].subs, name);
		if (e) {
			named_set(sub, e, name, 0, at);
			*typev = wlan_subtypes[i].type;
			return 0;
		}
		if (type)
			break;
	}
	if (type && type->value != 0x00 && type->value != 0x04 && type->value != 0x08)
		fg_p_fail(ps, type->at, -EINVAL, "unknown 802.11 type 0x%02x: it has no named subtypes",
			  type->value);
	else
		fg_p_fail(ps, at, -EINVAL, "unknown 802.11 subtype name \"%s\"", name);
	return -EINVAL;
}

struct fg_node *fg_p_wlan(struct fg_parser *ps, struct fg_loc at, int proto, const struct fg_named *type,
			  const struct fg_named *sub, const char *sub_name, struct fg_loc sub_at)
{
	struct fg_named s = { 0 };
	uint32_t typev = type ? type->value : 0;
	struct fg_node *n;

	if (sub_name && wlan_subtype(ps, type, sub_name, sub_at, &s, &typev) < 0)
		return NULL;
	if (sub && !sub_name)
		s = *sub;
	n = fg_p_leaf(ps, FG_N_WLAN_TYPE, at);
	if (!n)
		return NULL;
	n->u.wlan.proto = (uint8_t)proto;
	if (type)
		n->u.wlan.type = *type;
	n->u.wlan.subtype = s;
	n->u.wlan.value = typev | s.value;
	n->u.wlan.mask = (sub || sub_name) ? 0xfc : 0x0c;
	return n;
}

struct fg_node *fg_p_wlan_dirnode(struct fg_parser *ps, struct fg_loc at, int proto, const struct fg_named *dir)
{
	struct fg_node *n = fg_p_leaf(ps, FG_N_WLAN_DIR, at);

	if (n) {
		n->u.wlan.proto = (uint8_t)proto;
		n->u.wlan.type = *dir;
		n->u.wlan.value = dir->value;
		n->u.wlan.mask = 0x03;
	}
	return n;
}

struct fg_node *fg_p_llc(struct fg_parser *ps, struct fg_loc at, const char *name, struct fg_loc name_at)
{
	static const char *const formats[] = { "i", "s", "u" };
	enum fg_llc_kind kind = FG_LLC_ANY;
	const struct kv *e = NULL;
	struct fg_node *n;

	for (int i = 0; name && i < 3 && kind == FG_LLC_ANY; i++)
		if (ascii_casecmp(name, formats[i]) == 0)
			kind = (enum fg_llc_kind)(FG_LLC_I + i);
	if (name && kind == FG_LLC_ANY) {
		kind = FG_LLC_S_SUBTYPE;
		e = kv_find(llc_s, name);
		if (!e) {
			kind = FG_LLC_U_SUBTYPE;
			e = kv_find(llc_u, name);
		}
		if (!e)
			return fg_p_fail(ps, name_at, -EINVAL, "unknown LLC type name \"%s\"", name);
	}
	n = fg_p_leaf(ps, FG_N_LLC, at);
	if (n) {
		n->u.llc.kind = kind;
		if (e)
			named_set(&n->u.llc.sub, e, name, 0, name_at);
	}
	return n;
}

/* ---- syntax errors -------------------------------------------------------------- */

/* Words that can start a primitive, for "did you mean" on a stray name. */
static const char *const primitive_words[] = {
	"host", "net", "port", "portrange", "gateway", "proto", "protochain", "src", "dst",
	"ether", "link", "ppp", "slip", "fddi", "tr", "wlan", "ip", "ip6", "arp", "rarp",
	"tcp", "udp", "sctp", "icmp", "icmp6", "igmp", "igrp", "pim", "vrrp", "carp", "ah",
	"esp", "atalk", "aarp", "decnet", "lat", "sca", "moprc", "mopdl", "iso", "esis",
	"isis", "clnp", "stp", "ipx", "netbeui", "radio", "broadcast", "multicast", "less",
	"greater", "len", "inbound", "outbound", "ifindex", "vlan", "mpls", "pppoed",
	"pppoes", "geneve", "vxlan", "batadv", "llc", "type", "subtype", "dir", "not",
	"lane", "oam", "oamf4", "vpi", "vci", "fisu", "lssu", "msu", "sio", "opc", "dpc",
	"sls", "ifname", "rnr", "reason", "action", NULL,
};

/* Edit distance, small strings only (0 .. 3, 3 meaning "far"). */
static unsigned distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b);
	unsigned row[32], prev;

	if (la >= 31 || lb >= 31 || (la > lb ? la - lb : lb - la) > 2)
		return 3;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned ca = (unsigned char)a[i - 1] | 0x20, cb = (unsigned char)b[j - 1] | 0x20;
			unsigned best = prev + (ca != cb);
			unsigned tmp = row[j];

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			prev = tmp;
			row[j] = best;
		}
	}
	return row[lb] < 3 ? row[lb] : 3;
}

static const char *suggest(const char *w, size_t n)
{
	const char *best = NULL;
	unsigned bd = n <= 4 ? 2 : 3;

	for (int i = 0; primitive_words[i]; i++) {
		unsigned d = distance(w, n, primitive_words[i]);

		if (d < bd)
			best = primitive_words[i], bd = d;
	}
	return best;
}

/* What an id after this qualifier keyword is, for "expected ... after 'port'". */
static const char *id_after(int tok)
{
	switch (tok) {
	case HOST: return "a host name or address";
	case NET: return "a network address or name";
	case PORT: return "a port number or name";
	case PORTRANGE: return "a port range (e.g. 1000-2000) or port";
	case GATEWAY: return "a host name";
	case PROTO:
	case PROTOCHAIN: return "a protocol name or number";
	case SRC: case DST: case ADDR1: case ADDR2: case ADDR3: case ADDR4: case RA: case TA:
		return "'host', 'net', 'port', 'portrange' or an address";
	default: return NULL;
	}
}

/* Bison's name of an expected token, as a message phrase. */
static void phrase(char *buf, size_t size, const char *name)
{
	static const char *const articles[][2] = {
		{ "name", "a name" }, { "number", "a number" },
		{ "end of file", "the end of the expression" },
		{ "IPv4 address", "an IPv4 address" }, { "IPv6 address", "an IPv6 address" },
		{ "Ethernet address", "an Ethernet address" },
		{ "ARCnet address", "an ARCnet address" },
	};

	for (size_t i = 0; i < sizeof(articles) / sizeof(articles[0]); i++)
		if (strcmp(name, articles[i][0]) == 0) {
			snprintf(buf, size, "%s", articles[i][1]);
			return;
		}
	if (name[0] == '\'')
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "'%s'", name);
}

static bool expects(const char *const *exp, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(exp[i], name) == 0)
			return true;
	return false;
}

static bool is_operator(const char *name)
{
	static const char *const ops[] = {
		"'+'", "'-'", "'*'", "'/'", "'%'", "'&'", "'|'", "'^'", "<<", ">>", NULL,
	};

	for (int i = 0; ops[i]; i++)
		if (strcmp(name, ops[i]) == 0)
			return true;
	return false;
}

/* "X, Y or Z" from the expected tokens (arithmetic operators as one
 * entry); "" when there are too many to help. */
static void expected_list(char *buf, size_t size, const char *const *exp, int n)
{
	const char *keep[8];
	int k = 0, ops = 0;
	bool arith = expects(exp, n, "'+'");
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (arith && is_operator(exp[i]))
			ops = 1;
		else if (k < 8)
			keep[k++] = exp[i];
		else
			return;
	}
	if (k + ops == 0 || k + ops > 7)
		return;
	for (int i = 0; i < k + ops && len < size; i++) {
		char one[64];

		if (i < k)
			phrase(one, sizeof(one), keep[i]);
		else
			snprintf(one, sizeof(one), "an arithmetic operator");
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					i == 0 ? "" : i == k + ops - 1 ? " or " : ", ", one);
	}
}

static void describe(struct fg_parser *ps, int tok, struct fg_loc at, char *buf, size_t size)
{
	int n = at.len > 40 ? 40 : (int)at.len;

	if (tok == 0 || tok == FG_YYEOF)
		snprintf(buf, size, "end of expression");
	else if (tok == ID)
		snprintf(buf, size, "name '%.*s'", n, ps->src + at.off);
	else if (tok == NUM)
		snprintf(buf, size, "number '%.*s'", n, ps->src + at.off);
	else
		snprintf(buf, size, "'%.*s'", n, ps->src + at.off);
}

static void bare_name_error(struct fg_parser *ps, struct fg_loc at)
{
	const char *w = ps->src + at.off;
	const char *s = suggest(w, at.len);

	if (s)
		fg_p_fail(ps, at, -EINVAL, "unknown keyword '%.*s' (did you mean '%s'?)",
			  (int)at.len, w, s);
	else
		fg_p_fail(ps, at, -EINVAL, "'%.*s' is not a keyword; a name needs a qualifier, "
			  "e.g. 'host %.*s'", (int)at.len, w, (int)at.len, w);
}

static bool is_word(struct fg_parser *ps, struct fg_loc at)
{
	return at.len > 0 && ((ps->src[at.off] | 0x20) >= 'a' && (ps->src[at.off] | 0x20) <= 'z');
}

void fg_p_syntax_error(struct fg_parser *ps, const char *const *exp, int n)
{
	int tok = ps->last_tok, prev = ps->prev_tok;
	struct fg_loc at = ps->last_loc;
	const char *after = id_after(prev);
	char what[96], list[400];

	if (ps->err)
		return;		/* the scanner already said why (LEX_ERROR) */
	describe(ps, tok, at, what, sizeof(what));
	expected_list(list, sizeof(list), exp, n);
	if (after && (expects(exp, n, "name") || expects(exp, n, "host"))) {
		int pl = (int)ps->prev_loc.len;

		if (tok != ID && is_word(ps, at) && tok != 0 && !expects(exp, n, "host"))
			fg_p_fail(ps, at, -EINVAL, "expected %s after '%.*s' ('%.*s' is a keyword: "
				  "write '\\%.*s' for the name)", after, pl, ps->src + ps->prev_loc.off,
				  (int)at.len, ps->src + at.off, (int)at.len, ps->src + at.off);
		else
			fg_p_fail(ps, at, -EINVAL, "expected %s after '%.*s'", after, pl,
				  ps->src + ps->prev_loc.off);
	} else if (tok == 0 && (prev == AND || prev == OR || prev == '!')) {
		fg_p_fail(ps, at, -EINVAL, "expected an expression after '%.*s'",
			  (int)ps->prev_loc.len, ps->src + ps->prev_loc.off);
	} else if (tok == 0 && ps->parens > 0) {
		fg_p_fail(ps, at, -EINVAL, "expected ')': a '(' is not closed");
	} else if (tok == ')' && ps->parens < 0) {
		fg_p_fail(ps, at, -EINVAL, "unmatched ')'");
	} else if (tok == ID && !expects(exp, n, "name") && expects(exp, n, "'!'")) {
		bare_name_error(ps, at);
	} else if (expects(exp, n, "'!'")) {
		fg_p_fail(ps, at, -EINVAL, "unexpected %s; expected an expression", what);
	} else if (expects(exp, n, "len")) {
		fg_p_fail(ps, at, -EINVAL, "unexpected %s; expected a number or arithmetic expression",
			  what);
	} else if (list[0]) {
		fg_p_fail(ps, at, -EINVAL, "unexpected %s; expected %s", what, list);
	} else {
		fg_p_fail(ps, at, -EINVAL, "syntax error: unexpected %s", what);
	}
}

/* ---- the driver ------------------------------------------------------------------ */

static int run(struct fg_parser *ps, yyscan_t sc, char *buf, size_t size)
{
	jmp_buf env;

	ps->fatal = &env;
	if (setjmp(env))	/* the scanner could not allocate (YY_FATAL_ERROR) */
		return -ENOMEM;
	if (fg_scan_start(sc, buf, size) < 0)
		return -ENOMEM;
	return fg_yyparse(sc, ps);
}

int fg_parse(struct fg_arena *arena, const char *src, size_t len,
	     struct fg_node **out, struct fg_diag *diag)
{
	struct fg_parser ps = { .arena = arena, .src = src, .len = len, .diag = diag };
	yyscan_t sc;
	char *buf;
	int rc;

	if (!arena || !out || (!src && len))
		return -EINVAL;
	*out = NULL;
	if (len > FG_PARSE_MAX_LEN) {
		fg_p_fail(&ps, (struct fg_loc){ FG_PARSE_MAX_LEN, 0 }, -E2BIG,
			  "expression too long (more than %zu bytes)", FG_PARSE_MAX_LEN);
		return ps.err;
	}
	buf = fg_arena_alloc(arena, len + 2);	/* flex wants two NULs at the end */
	if (!buf)
		return -ENOMEM;
	if (len)
		memcpy(buf, src, len);
	if (fg_yylex_init_extra(&ps, &sc) != 0)
		return -ENOMEM;
	rc = run(&ps, sc, buf, len + 2);
	fg_yylex_destroy(sc);
	fg_scan_release(&ps);
	if (rc < 0 && !ps.err)
		fail_nomem(&ps);	/* run(): the scanner could not allocate */
	if (arena->failed && (!ps.err || ps.err == -EINVAL))
		ps.err = -ENOMEM;
	if (rc == 0 && !ps.err) {
		*out = ps.root;
		return 0;
	}
	if (!ps.err)
		fg_p_fail(&ps, ps.last_loc, rc == 2 ? -ENOMEM : -EINVAL, "syntax error");
	return ps.err;
}
