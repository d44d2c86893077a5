/*
 * lower_id.c -- qualified ids: `[proto] [dir] [type] value`, the bulk of
 * the language (libpcap's gen_scode, gen_ncode, gen_mcode, gen_mcode6,
 * gen_ecode): numbers, IPv4 addresses (partial ones widened as libpcap
 * widens them), prefixes and masks, IPv6 addresses and prefixes, Ethernet
 * addresses and names resolved through the system's databases.
 *
 * Keeps true: every value is checked before code is made (parts over 255,
 * prefix lengths, host bits set in a network, port numbers), and every
 * qualifier that does not fit the value is an error naming both.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "names.h"

static struct fg_cond bad_qual(struct fg_lower *l, const struct fg_node *n, const char *what)
{
	return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
			      "'%s' qualifier applied to %s", fg_addr_name(n->u.id.q.addr), what);
}

/* A dotted quad as written: every part <= 255; value left-aligned, vlen bits given. */
static int ipv4_value(struct fg_lower *l, const struct fg_ipv4 *a, uint32_t *v, unsigned *vlen)
{
	uint32_t x = 0;
	unsigned i;

	for (i = 0; i < a->nparts; i++) {
		if (a->part[i] > 255) {
			fg_lower_error(l, a->at.off, a->at.len, -EINVAL, "invalid IPv4 address '%s'", a->text);
			return -EINVAL;
		}
		x = x << 8 | a->part[i];
	}
	*v = x;
	*vlen = 8u * a->nparts;
	return 0;
}

static struct fg_cond net4(struct fg_lower *l, const struct fg_node *n, uint32_t v, uint32_t mask)
{
	const struct fg_qual *q = &n->u.id.q;

	if (v & ~mask)
		return fg_lower_error(l, n->u.id.v.at.off, n->u.id.v.at.len, -EINVAL,
				      "non-network bits set in \"%s\"", n->u.id.v.text);
	return fg_gen_host4(l, q->proto, q->dir, v, mask, n->loc);
}

/* host/net/port/... NUM */
static struct fg_cond id_num(struct fg_lower *l, const struct fg_node *n)
{
	const struct fg_qual *q = &n->u.id.q;
	uint32_t v = n->u.id.v.num, mask = 0xffffffffu;

	switch (q->addr) {
	case FG_ADDR_DEFAULT: case FG_ADDR_HOST: case FG_ADDR_NET:
		if (q->proto == FG_PROTO_LINK)
			return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL, "illegal link layer address");
		if (q->proto == FG_PROTO_DECNET)
			return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
					      "invalid DECnet address '%u' (AREA.NODE, area 0-63, node 0-1023)", v);
		if (q->addr == FG_ADDR_NET)
			while (v && !(v & 0xff000000u)) {	/* `net 10`: 10.0.0.0/8 */
				v <<= 8;
				mask <<= 8;
			}
		return fg_gen_host4(l, q->proto, q->dir, v, mask, n->loc);
	case FG_ADDR_PORT:
	case FG_ADDR_PORTRANGE:
		return fg_gen_portrange(l, q->proto, q->dir, v, v, n->loc);
	case FG_ADDR_PROTO:
		return fg_gen_ipproto(l, q->proto, v, n->loc);
	case FG_ADDR_GATEWAY:
		return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL, "'gateway' requires a name");
	default:
		return fg_gen_protochain(l, q->proto, v, n->loc);
	}
}

/* decnet host AREA.NODE: area 0-63, node 0-1023. */
static struct fg_cond id_decnet(struct fg_lower *l, const struct fg_node *n)
{
	const struct fg_ipv4 *a = &n->u.id.v.v4;

	if (n->u.id.q.addr != FG_ADDR_DEFAULT && n->u.id.q.addr != FG_ADDR_HOST)
		return bad_qual(l, n, "a DECnet address");
	if (a->nparts != 2 || a->part[0] > 63 || a->part[1] > 1023)
		return fg_lower_error(l, a->at.off, a->at.len, -EINVAL,
				      "invalid DECnet address '%s' (AREA.NODE, area 0-63, node 0-1023)", a->text);
	return fg_gen_dnhost(l, n->u.id.q.dir, a->part[0] << 10 | a->part[1], n->loc);
}

static struct fg_cond id_ipv4(struct fg_lower *l, const struct fg_node *n)
{
	const struct fg_idval *val = &n->u.id.v;
	uint32_t v, mask, m;
	unsigned vlen, mlen;

	if (val->kind == FG_ID_IPV4 && n->u.id.q.proto == FG_PROTO_DECNET)
		return id_decnet(l, n);
	if (ipv4_value(l, &val->v4, &v, &vlen) < 0)
		return fg_cond_const(false);
	switch (val->kind) {
	case FG_ID_IPV4:
		if (n->u.id.q.addr == FG_ADDR_GATEWAY)
			return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
					      "'gateway' is not a valid qualifier for '%s'", val->text);
		if (n->u.id.q.addr > FG_ADDR_NET)
			return bad_qual(l, n, "an IPv4 address");
		/* `host 10.0` and `net 10.0` both mean 10.0.0.0/16, as in libpcap */
		return fg_gen_host4(l, n->u.id.q.proto, n->u.id.q.dir, v << (32 - vlen),
				    0xffffffffu << (32 - vlen), n->loc);
	case FG_ID_IPV4_PREFIX:
		if (val->prefix > 32)
			return fg_lower_error(l, val->prefix_at.off, val->prefix_at.len, -EINVAL,
					      "netmask length %u greater than maximum 32", val->prefix);
		mask = val->prefix ? 0xffffffffu << (32 - val->prefix) : 0;
		break;
	default:	/* FG_ID_IPV4_MASK */
		if (ipv4_value(l, &val->v4mask, &m, &mlen) < 0)
			return fg_cond_const(false);
		mask = m << (32 - mlen);
		break;
	}
	if (n->u.id.q.addr == FG_ADDR_HOST || n->u.id.q.addr == FG_ADDR_GATEWAY)
		return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
				      "'%s' is not a valid qualifier for '%.*s'", fg_addr_name(n->u.id.q.addr),
				      (int)val->at.len, l->src + val->at.off);
	if (n->u.id.q.addr > FG_ADDR_NET)
		return bad_qual(l, n, val->kind == FG_ID_IPV4_PREFIX ?
				"an IPv4 address and prefix length" : "an IPv4 address and netmask");
	return net4(l, n, v << (32 - vlen), mask);
}

static struct fg_cond id_ipv6(struct fg_lower *l, const struct fg_node *n)
{
	const struct fg_idval *val = &n->u.id.v;
	const struct fg_qual *q = &n->u.id.q;
	uint32_t prefix = val->kind == FG_ID_IPV6_PREFIX ? val->prefix : 128;
	uint8_t mask[16];
	unsigned i;

	if (q->addr == FG_ADDR_GATEWAY ||
	    (q->addr == FG_ADDR_HOST && val->kind == FG_ID_IPV6_PREFIX && prefix != 128))
		return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
				      "'%s' is not a valid qualifier for '%.*s'", fg_addr_name(q->addr),
				      (int)val->at.len, l->src + val->at.off);
	if (q->addr > FG_ADDR_NET)
		return bad_qual(l, n, val->kind == FG_ID_IPV6_PREFIX ?
				"an IPv6 address and prefix length" : "an IPv6 address");
	if (prefix > 128)
		return fg_lower_error(l, val->prefix_at.off, val->prefix_at.len, -EINVAL,
				      "mask length must be <= 128");
	for (i = 0; i < 16; i++) {
		unsigned bits = prefix >= 8 * (i + 1) ? 8 : prefix > 8 * i ? prefix - 8 * i : 0;

		mask[i] = (uint8_t)(0xff00u >> bits);
		if (val->v6[i] & ~mask[i])
			return fg_lower_error(l, val->at.off, val->at.len, -EINVAL,
					      "non-network bits set in \"%.*s\"", (int)val->at.len,
					      l->src + val->at.off);
	}
	return fg_gen_host6(l, q->proto, q->dir, val->v6, mask, n->loc);
}

static struct fg_cond id_mac(struct fg_lower *l, const struct fg_node *n)
{
	const struct fg_qual *q = &n->u.id.q;

	if ((q->addr == FG_ADDR_DEFAULT || q->addr == FG_ADDR_HOST) && q->proto == FG_PROTO_LINK)
		return fg_gen_ether_host(l, q->dir, n->u.id.v.mac, n->loc);
	return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
			      "Ethernet address used in non-ether expression");
}

/* Every address of a host name, under the protocol qualifier. */
static struct fg_cond host_name(struct fg_lower *l, const struct fg_node *n)
{
	const struct fg_qual *q = &n->u.id.q;
	const char *name = n->u.id.v.text;
	static const uint8_t ones[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct fg_addrs *a = fg_arena_alloc(l->arena, sizeof(*a));
	struct fg_cond c = fg_cond_const(false);
	bool want4 = q->proto != FG_PROTO_IP6, want6 = q->proto == FG_PROTO_DEFAULT ||
						       q->proto == FG_PROTO_IP6;
	unsigned i, used = 0;

	if (!a)
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	if (fg_resolve_host(l->arena, name, a) < 0)
		return fg_lower_error(l, n->u.id.v.at.off, n->u.id.v.at.len, -EINVAL,
				      "unknown host '%s'", name);
	for (i = 0; want4 && i < a->n4; i++, used++)
		c = fg_cond_or(l->ir, c, fg_gen_host4(l, q->proto, q->dir, a->v4[i], 0xffffffffu, n->loc));
	for (i = 0; want6 && i < a->n6; i++, used++)
		c = fg_cond_or(l->ir, c, fg_gen_host6(l, q->proto, q->dir, a->v6[i], ones, n->loc));
	if (!used)
		return fg_lower_error(l, n->u.id.v.at.off, n->u.id.v.at.len, -EINVAL,
				      "unknown host '%s' for the %s address family", name,
				      want6 ? "IPv6" : "IPv4");
	return c;
}

/* A service name or number as a port, for a qualifier's transports; -EINVAL, no error recorded. */
static int port_lookup(const struct fg_node *n, const char *s, size_t len, uint32_t *port)
{
	static const char *const protos[] = { "tcp", "udp", "sctp" };
	char name[256];
	char *end;
	unsigned long v;
	size_t i;

	if (len == 0 || len >= sizeof(name))
		return -EINVAL;
	memcpy(name, s, len);
	name[len] = '\0';
	v = strtoul(name, &end, 0);
	if (*end == '\0' && end != name) {
		*port = v > 0xffffffffu ? 0xffffffffu : (uint32_t)v;
		return 0;
	}
	for (i = 0; i < 3; i++) {
		const char *want = fg_proto_name(n->u.id.q.proto);

		if (n->u.id.q.proto != FG_PROTO_DEFAULT && strcmp(want, protos[i]) != 0)
			continue;
		if (fg_resolve_service(name, protos[i], port) == 0)
			return 0;
	}
	return -EINVAL;
}

static int port_value(struct fg_lower *l, const struct fg_node *n, const char *s, size_t len,
		      uint32_t *port)
{
	if (port_lookup(n, s, len, port) == 0)
		return 0;
	fg_lower_error(l, n->u.id.v.at.off, n->u.id.v.at.len, -EINVAL, "unknown port '%.*s'",
		       (int)len, s);
	return -EINVAL;
}

static struct fg_cond port_name(struct fg_lower *l, const struct fg_node *n)
{
	const char *t = n->u.id.v.text, *dash = NULL;
	uint32_t lo, hi;

	if (n->u.id.q.addr == FG_ADDR_PORTRANGE)
		dash = strchr(t, '-');
	if (!dash) {
		if (port_value(l, n, t, strlen(t), &lo) < 0)
			return fg_cond_const(false);
		return fg_gen_portrange(l, n->u.id.q.proto, n->u.id.q.dir, lo, lo, n->loc);
	}
	if (port_value(l, n, t, (size_t)(dash - t), &lo) < 0 ||
	    port_value(l, n, dash + 1, strlen(dash + 1), &hi) < 0)
		return fg_cond_const(false);
	return fg_gen_portrange(l, n->u.id.q.proto, n->u.id.q.dir, lo, hi, n->loc);
}

static struct fg_cond proto_name(struct fg_lower *l, const struct fg_node *n)
{
	const char *name = n->u.id.v.text;
	uint8_t p = n->u.id.q.proto;
	uint32_t v;

	if (p == FG_PROTO_LINK) {
		if (fg_resolve_ethertype(name, &v) == 0 || fg_resolve_llc(name, &v) == 0)
			return fg_gen_ipproto(l, p, v, n->loc);
		return fg_lower_error(l, n->u.id.v.at.off, n->u.id.v.at.len, -EINVAL,
				      "unknown ether proto '%s'", name);
	}
	if (p == FG_PROTO_ISO) {
		if (fg_resolve_osi(name, &v) == 0)
			return fg_gen_ipproto(l, p, v, n->loc);
		return fg_lower_error(l, n->u.id.v.at.off, n->u.id.v.at.len, -EINVAL,
				      "unknown osi proto '%s'", name);
	}
	if (fg_resolve_protocol(name, &v) < 0)
		return fg_lower_error(l, n->u.id.v.at.off, n->u.id.v.at.len, -EINVAL,
				      "unknown ip proto '%s'", name);
	return fg_gen_ipproto(l, p, v, n->loc);
}

static struct fg_cond protochain_name(struct fg_lower *l, const struct fg_node *n)
{
	uint32_t v;

	if (fg_resolve_protocol(n->u.id.v.text, &v) < 0)
		return fg_lower_error(l, n->u.id.v.at.off, n->u.id.v.at.len, -EINVAL,
				      "unknown ip proto '%s'", n->u.id.v.text);
	return fg_gen_protochain(l, n->u.id.q.proto, v, n->loc);
}

static struct fg_cond net_name(struct fg_lower *l, const struct fg_node *n)
{
	uint32_t v, mask = 0xffffffffu;

	if (fg_resolve_net(n->u.id.v.text, &v) < 0 || v == 0)
		return fg_lower_error(l, n->u.id.v.at.off, n->u.id.v.at.len, -EINVAL,
				      "unknown network '%s'", n->u.id.v.text);
	while (v && !(v & 0xff000000u)) {
		v <<= 8;
		mask <<= 8;
	}
	return fg_gen_host4(l, n->u.id.q.proto, n->u.id.q.dir, v, mask, n->loc);
}

/* gateway NAME: the frame goes to or from the host's Ethernet address but not its IP addresses. */
static struct fg_cond gateway_name(struct fg_lower *l, const struct fg_node *n)
{
	const char *name = n->u.id.v.text;
	struct fg_addrs *a = fg_arena_alloc(l->arena, sizeof(*a));
	struct fg_cond eth, ip = fg_cond_const(false);
	uint8_t mac[6];
	unsigned i;

	if (!a)
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	if (fg_resolve_ether(name, mac) < 0)
		return fg_lower_error(l, n->u.id.v.at.off, n->u.id.v.at.len, -EINVAL,
				      "unknown ether host '%s'", name);
	if (fg_resolve_host(l->arena, name, a) < 0 || a->n4 == 0)
		return fg_lower_error(l, n->u.id.v.at.off, n->u.id.v.at.len, -EINVAL,
				      "unknown host '%s'", name);
	eth = fg_gen_ether_host(l, FG_DIR_DEFAULT, mac, n->loc);
	for (i = 0; i < a->n4; i++)
		ip = fg_cond_or(l->ir, ip, fg_gen_host4(l, FG_PROTO_DEFAULT, FG_DIR_DEFAULT, a->v4[i],
							0xffffffffu, n->loc));
	return fg_cond_and(l->ir, eth, fg_cond_not(ip));
}

static struct fg_cond id_name(struct fg_lower *l, const struct fg_node *n)
{
	const struct fg_qual *q = &n->u.id.q;
	uint8_t mac[6];

	switch (q->addr) {
	case FG_ADDR_DEFAULT:
	case FG_ADDR_HOST:
		if (q->proto == FG_PROTO_LINK) {
			if (fg_resolve_ether(n->u.id.v.text, mac) < 0)
				return fg_lower_error(l, n->u.id.v.at.off, n->u.id.v.at.len, -EINVAL,
						      "unknown ether host '%s'", n->u.id.v.text);
			return fg_gen_ether_host(l, q->dir, mac, n->loc);
		}
		if (q->proto == FG_PROTO_DECNET)
			return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
					      "invalid DECnet address '%s'", n->u.id.v.text);
		return host_name(l, n);
	case FG_ADDR_NET:
		return net_name(l, n);
	case FG_ADDR_PORT:
	case FG_ADDR_PORTRANGE:
		return port_name(l, n);
	case FG_ADDR_PROTO:
		return proto_name(l, n);
	case FG_ADDR_GATEWAY:
		return gateway_name(l, n);
	default:
		return protochain_name(l, n);
	}
}

struct fg_cond fg_lower_id(struct fg_lower *l, const struct fg_node *n)
{
	switch (n->u.id.v.kind) {
	case FG_ID_NUM:
		return id_num(l, n);
	case FG_ID_IPV4: case FG_ID_IPV4_PREFIX: case FG_ID_IPV4_MASK:
		return id_ipv4(l, n);
	case FG_ID_IPV6: case FG_ID_IPV6_PREFIX:
		return id_ipv6(l, n);
	case FG_ID_MAC:
		return id_mac(l, n);
	case FG_ID_ARCNET:
		return fg_gen_arcnet_host(l, n);
	default:
		return id_name(l, n);
	}
}

/* ---- ids as set elements (for lower_set.c) ------------------------------ */

/* A dotted quad's value, left-aligned, and the mask of the bits written; false if a part > 255. */
static bool v4_quiet(const struct fg_ipv4 *a, uint32_t *v, uint32_t *mask)
{
	uint32_t x = 0;
	unsigned i;

	if (a->nparts < 1 || a->nparts > 4)
		return false;
	for (i = 0; i < a->nparts; i++) {
		if (a->part[i] > 255)
			return false;
		x = x << 8 | a->part[i];
	}
	*v = a->nparts == 4 ? x : x << (32 - 8 * a->nparts);
	*mask = a->nparts == 4 ? 0xffffffffu : 0xffffffffu << (32 - 8 * a->nparts);
	return true;
}

/* The value and mask id_num, id_ipv4 and net4 would give, when they would give one. */
static bool host4_value(const struct fg_node *n, uint32_t *v, uint32_t *mask)
{
	const struct fg_idval *val = &n->u.id.v;
	uint32_t m, mm;

	switch (val->kind) {
	case FG_ID_NUM:
		*v = val->num;
		*mask = 0xffffffffu;
		if (n->u.id.q.addr == FG_ADDR_NET)
			while (*v && !(*v & 0xff000000u)) {
				*v <<= 8;
				*mask <<= 8;
			}
		return true;
	case FG_ID_IPV4:
		return v4_quiet(&val->v4, v, mask);
	case FG_ID_IPV4_PREFIX:
		if (n->u.id.q.addr == FG_ADDR_HOST || val->prefix > 32 || !v4_quiet(&val->v4, v, &m))
			return false;
		*mask = val->prefix ? 0xffffffffu << (32 - val->prefix) : 0;
		return !(*v & ~*mask);
	case FG_ID_IPV4_MASK:
		if (n->u.id.q.addr == FG_ADDR_HOST || !v4_quiet(&val->v4, v, &m) ||
		    !v4_quiet(&val->v4mask, mask, &mm))
			return false;
		return !(*v & ~*mask);
	default:
		return false;
	}
}

/* A port or port range as port_name/id_num would lower it. */
static bool port_range_value(const struct fg_node *n, uint32_t *lo, uint32_t *hi)
{
	const char *t = n->u.id.v.text, *dash = NULL;

	if (n->u.id.v.kind == FG_ID_NUM) {
		*lo = *hi = n->u.id.v.num;
	} else if (n->u.id.v.kind != FG_ID_NAME) {
		return false;
	} else {
		if (n->u.id.q.addr == FG_ADDR_PORTRANGE)
			dash = strchr(t, '-');
		if (!dash) {
			if (port_lookup(n, t, strlen(t), lo) < 0)
				return false;
			*hi = *lo;
		} else if (port_lookup(n, t, (size_t)(dash - t), lo) < 0 ||
			   port_lookup(n, dash + 1, strlen(dash + 1), hi) < 0) {
			return false;
		}
	}
	if (*lo > 65535 || *hi > 65535)
		return false;
	if (*lo > *hi) {
		uint32_t t2 = *lo;

		*lo = *hi;
		*hi = t2;
	}
	return true;
}

bool fg_id_set_elem(struct fg_lower *l, const struct fg_node *n, struct fg_set_elem *e)
{
	const struct fg_qual *q = &n->u.id.q;
	uint32_t v, mask;

	(void)l;
	if (n->kind != FG_N_ID)
		return false;
	if (q->dir != FG_DIR_DEFAULT && q->dir != FG_DIR_SRC && q->dir != FG_DIR_DST &&
	    q->dir != FG_DIR_SRC_OR_DST)
		return false;	/* "src and dst" is no set membership; 802.11 directions are errors */
	e->proto = q->proto;
	e->dir = q->dir == FG_DIR_SRC_OR_DST ? FG_DIR_DEFAULT : q->dir;
	switch (q->addr) {
	case FG_ADDR_DEFAULT: case FG_ADDR_HOST: case FG_ADDR_NET:
		if (q->proto != FG_PROTO_DEFAULT && q->proto != FG_PROTO_IP &&
		    q->proto != FG_PROTO_ARP && q->proto != FG_PROTO_RARP)
			return false;
		if (!host4_value(n, &v, &mask) || (~mask & (~mask + 1)) != 0)
			return false;	/* a mask with holes is no interval */
		e->kind = FG_SET_HOST4;
		e->lo = v;
		e->hi = v | ~mask;
		return true;
	case FG_ADDR_PORT: case FG_ADDR_PORTRANGE:
		if (q->proto != FG_PROTO_DEFAULT && q->proto != FG_PROTO_TCP &&
		    q->proto != FG_PROTO_UDP && q->proto != FG_PROTO_SCTP)
			return false;
		e->kind = FG_SET_PORT;
		return port_range_value(n, &e->lo, &e->hi);
	default:
		return false;
	}
}
