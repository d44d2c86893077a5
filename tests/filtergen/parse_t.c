/*
 * parse_t.c -- unit tests of the front end (scanner.l, grammar.y, parse.c,
 * ast.c): golden AST dumps for every construct of the language, qualifier
 * inheritance and precedence, exact source positions, exact diagnostics
 * (offset, length, message), nesting limits and out-of-memory handling.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "tap.h"
#include "budget_alloc.h"

struct golden {
	const char *expr;
	const char *dump;
};

static const struct golden goldens[] = {
	{ "host 1.2.3.4",
	  "(id host ipv4:1.2.3.4[4])" },
	{ "tcp port 80 or 443",
	  "(or (id tcp port 80) (id^ tcp port 443))" },
	{ "host a or b and not c",
	  "(and (or (id host name:a) (id^ host name:b)) (not (id^ host name:c)))" },
	{ "src host 1.2.3.4 and not 1.2.3.5",
	  "(and (id src host ipv4:1.2.3.4[4]) (not (id^ src host ipv4:1.2.3.5[4])))" },
	{ "host 1.2.3.4 and (1.2.3.5 or 1.2.3.6)",
	  "(and (id host ipv4:1.2.3.4[4]) (or (id^ host ipv4:1.2.3.5[4]) (id^ host ipv4:1.2.3.6[4])))" },
	{ "host 1.2.3.4 or (not 1.2.3.5 or 1.2.3.6)",
	  "(or (id host ipv4:1.2.3.4[4]) (or (not (id^ host ipv4:1.2.3.5[4])) (id^ host ipv4:1.2.3.6[4])))" },
	{ "tcp dst port 80 and 443 or src 22",
	  "(or (and (id tcp dst port 80) (id^ tcp dst port 443)) (id src 22))" },
	{ "udp port 53 and not 54",
	  "(and (id udp port 53) (not (id^ udp port 54)))" },
	{ "(host a) or host b and c",
	  "(and (or (id host name:a) (id host name:b)) (id^ host name:c))" },
	{ "tcp or udp and icmp",
	  "(and (or (proto tcp) (proto udp)) (proto icmp))" },
	{ "tcp or (udp and icmp)",
	  "(or (proto tcp) (and (proto udp) (proto icmp)))" },
	{ "not not tcp",
	  "(not (not (proto tcp)))" },
	{ "! tcp && ! udp || ip",
	  "(or (and (not (proto tcp)) (not (proto udp))) (proto ip))" },
	{ "ether src 1:2:3:4:5:6 or 1-2-3-4-5-7",
	  "(or (id link src mac:01:02:03:04:05:06) (id^ link src mac:01:02:03:04:05:07))" },
	{ "ether host 0102.0304.0506",
	  "(id link host mac:01:02:03:04:05:06)" },
	{ "ether host 010203040506",
	  "(id link host mac:01:02:03:04:05:06)" },
	{ "ether host a.b.c.d.e.f",
	  "(id link host mac:0a:0b:0c:0d:0e:0f)" },
	{ "link host $c0",
	  "(id link host arcnet:$c0)" },
	{ "ip6 host ::1",
	  "(id ip6 host ipv6:0000:0000:0000:0000:0000:0000:0000:0001)" },
	{ "ip6 net fe80::/10",
	  "(id ip6 net ipv6:fe80:0000:0000:0000:0000:0000:0000:0000/10)" },
	{ "ip6 host ::ffff:1.2.3.4",
	  "(id ip6 host ipv6:0000:0000:0000:0000:0000:ffff:0102:0304)" },
	{ "net 10.0.0.0/8",
	  "(id net ipv4:10.0.0.0[4]/8)" },
	{ "net 10.0 or 10",
	  "(or (id net ipv4:10.0[2]) (id^ net 10))" },
	{ "net 192.168 mask 255.255.0.0",
	  "(id net ipv4:192.168[2] mask 255.255.0.0[4])" },
	{ "dst net 10.1.2 mask 255.255.255.0",
	  "(id dst net ipv4:10.1.2[3] mask 255.255.255.0[4])" },
	{ "src or dst host h",
	  "(id src-or-dst host name:h)" },
	{ "dst and src net n",
	  "(id src-and-dst net name:n)" },
	{ "wlan addr1 1:2:3:4:5:6",
	  "(id link addr1 mac:01:02:03:04:05:06)" },
	{ "wlan ra host r or ta t",
	  "(or (id link ra host name:r) (id ta name:t))" },
	{ "gateway gw",
	  "(id gateway name:gw)" },
	{ "ip proto \\tcp",
	  "(id ip proto \\tcp)" },
	{ "ip6 protochain 6",
	  "(id ip6 protochain 6)" },
	{ "ether proto \\ip or \\arp",
	  "(or (id link proto \\ip) (id^ link proto \\arp))" },
	{ "proto 17",
	  "(id proto 17)" },
	{ "portrange 1000-2000",
	  "(id portrange name:1000-2000)" },
	{ "tcp portrange ftp-data-ssh",
	  "(id tcp portrange name:ftp-data-ssh)" },
	{ "port 0x50 or 010",
	  "(or (id port 80) (id^ port 8))" },
	{ "host \\tcp",
	  "(id host \\tcp)" },
	{ "ip and ip6",
	  "(and (proto ip) (proto ip6))" },
	{ "ip[0] & 0xf != 5",
	  "(!= (& (ip[0]:1) 15) 5)" },
	{ "tcp[tcpflags] & (tcp-syn|tcp-ack) != 0",
	  "(!= (& (tcp[tcpflags=13]:1) (| tcp-syn=2 tcp-ack=16)) 0)" },
	{ "icmp[icmptype] == icmp-echo",
	  "(= (icmp[icmptype=0]:1) icmp-echo=8)" },
	{ "icmp6[icmp6type] = icmp6-echoreply",
	  "(= (icmp6[icmp6type=0]:1) icmp6-echoreply=129)" },
	{ "ether[12:2] = 0x800",
	  "(= (link[12]:2) 2048)" },
	{ "ip[2:4] > 1",
	  "(> (ip[2]:4) 1)" },
	{ "len - 1 > 5",
	  "(> (- len 1) 5)" },
	{ "- 1 > 5",
	  "(> (neg 1) 5)" },
	{ "1 + 2 * 3 = 7",
	  "(= (+ 1 (* 2 3)) 7)" },
	{ "1 + 2 % 3 = 3",
	  "(= (+ 1 (% 2 3)) 3)" },
	{ "2 % 3 + 1 = 3",
	  "(= (% 2 (+ 3 1)) 3)" },
	{ "2 ^ 3 | 4 <= 5",
	  "(<= (^ 2 (| 3 4)) 5)" },
	{ "1 << 2 >> 1 >= len",
	  "(>= (>> (<< 1 2) 1) len)" },
	{ "(1) = 1",
	  "(= 1 1)" },
	{ "((1)+2) = 3",
	  "(= (+ 1 2) 3)" },
	{ "radio[0] = 1",
	  "(= (radio[0]:1) 1)" },
	{ "less 100",
	  "(less 100)" },
	{ "greater 10",
	  "(greater 10)" },
	{ "byte 1 = 2",
	  "(byte 1 = 2)" },
	{ "byte 3 & 4",
	  "(byte 3 & 4)" },
	{ "inbound or outbound",
	  "(or (inbound) (outbound))" },
	{ "ifindex 7",
	  "(ifindex 7)" },
	{ "vlan 100 and vlan",
	  "(and (vlan 100) (vlan))" },
	{ "vlan (100)",
	  "(vlan 100)" },
	{ "mpls 5 or mpls",
	  "(or (mpls 5) (mpls))" },
	{ "pppoed or pppoes or pppoes 12",
	  "(or (pppoed) (pppoes) (pppoes 12))" },
	{ "geneve and geneve 12345",
	  "(and (geneve) (geneve 12345))" },
	{ "vxlan 12",
	  "(vxlan 12)" },
	{ "batadv",
	  "(batadv)" },
	{ "batadv 15 3",
	  "(batadv 15 3)" },
	{ "broadcast or ether multicast",
	  "(or (broadcast) (multicast link))" },
	{ "ip broadcast and ip6 multicast",
	  "(and (broadcast ip) (multicast ip6))" },
	{ "llc",
	  "(llc)" },
	{ "llc i or llc s or llc u",
	  "(or (llc i) (llc s) (llc u))" },
	{ "llc rnr or llc rr or llc xid",
	  "(or (llc s rnr=0x05) (llc s rr=0x01) (llc u xid=0xaf))" },
	{ "on eth0 and rset rs and rnr 1 and srnr 2",
	  "(and (ifname eth0) (rset rs) (rnr 1) (srnr 2))" },
	{ "reason match or reason 3",
	  "(or (reason match=0) (reason 3))" },
	{ "action pass or action block",
	  "(or (action pass=0) (action block=1))" },
	{ "action defer",
	  "(action defer=11)" },
	{ "wlan type mgt",
	  "(wlan-type link mgt 0x00/0x0c)" },
	{ "type data subtype qos-data",
	  "(wlan-type data qos-data 0x88/0xfc)" },
	{ "subtype beacon",
	  "(wlan-type beacon 0x80/0xfc)" },
	{ "wlan subtype assoc-req",
	  "(wlan-type link assoc-req 0x00/0xfc)" },
	{ "type 8 subtype 0x80",
	  "(wlan-type 0x88/0xfc)" },
	{ "dir tods or dir 3",
	  "(or (wlan-dir tods 0x01/0x03) (wlan-dir 0x03/0x03))" },
	{ "lane or oam or oamf4ec or connectmsg",
	  "(or (atm lane) (atm oam) (atm oamf4ec) (atm connectmsg))" },
	{ "vpi 1 and vci > 32",
	  "(and (field vpi = 1) (field vci > 32))" },
	{ "vpi (1 or 2 or 3)",
	  "(or (field vpi = 1) (field vpi = 2) (field vpi = 3))" },
	{ "fisu or hmsu",
	  "(or (mtp2 fisu) (mtp2 hmsu))" },
	{ "sio = 3 or opc != 2 or dpc (1 or 2) or hsls < 4",
	  "(or (field sio = 3) (field opc != 2) (or (field dpc = 1) (field dpc = 2)) (field hsls < 4))" },
};

struct bad {
	const char *expr;
	int rc;
	size_t off, len;
	const char *msg;
};

static const struct bad bads[] = {
	{ "tcp port", -EINVAL, 8, 0, "expected a port number or name after 'port'" },
	{ "host", -EINVAL, 4, 0, "expected a host name or address after 'host'" },
	{ "ip proto tcp", -EINVAL, 9, 3,
	  "expected a protocol name or number after 'proto' ('tcp' is a keyword: write '\\tcp' for the name)" },
	{ "src", -EINVAL, 3, 0, "expected 'host', 'net', 'port', 'portrange' or an address after 'src'" },
	{ "src proto 1", -EINVAL, 4, 5,
	  "expected 'host', 'net', 'port', 'portrange' or an address after 'src'" },
	{ "tcpp", -EINVAL, 0, 4, "unknown keyword 'tcpp' (did you mean 'tcp'?)" },
	{ "localhost", -EINVAL, 0, 9,
	  "'localhost' is not a keyword; a name needs a qualifier, e.g. 'host localhost'" },
	{ "ether host ab:cd:ef:0g:00:00", -EINVAL, 11, 17,
	  "invalid Ethernet address 'ab:cd:ef:0g:00:00'" },
	{ "ether host 1:2:3:4:5:6:7", -EINVAL, 11, 13, "invalid Ethernet address '1:2:3:4:5:6:7'" },
	{ "ip6 host fe80::10.20.256.40", -EINVAL, 9, 18, "invalid IPv6 address fe80::10.20.256.40" },
	{ "ip6 host fe80:0:0:0:0:0:0:0:0", -EINVAL, 27, 1,
	  "unexpected ':'; expected the end of the expression, 'and', 'or' or '/'" },
	{ "host a b", -EINVAL, 7, 1,
	  "unexpected name 'b'; expected the end of the expression, 'and' or 'or'" },
	{ "net 10 mask 255.0.0.0", -EINVAL, 7, 4,
	  "unexpected 'mask'; expected the end of the expression, 'and' or 'or'" },
	{ "net 10/8", -EINVAL, 6, 1,
	  "unexpected '/'; expected the end of the expression, 'and' or 'or'" },
	{ "ip and", -EINVAL, 6, 0, "expected an expression after 'and'" },
	{ "not", -EINVAL, 3, 0, "expected an expression after 'not'" },
	{ "( tcp", -EINVAL, 5, 0, "expected ')': a '(' is not closed" },
	{ "tcp )", -EINVAL, 4, 1, "unmatched ')'" },
	{ "()", -EINVAL, 1, 1, "unexpected ')'; expected an expression" },
	{ "pppoed 1234", -EINVAL, 7, 4,
	  "unexpected number '1234'; expected the end of the expression, 'and' or 'or'" },
	{ "vlan any", -EINVAL, 5, 3,
	  "unexpected name 'any'; expected the end of the expression, a number, 'and', 'or' or '('" },
	{ "byte 1 != 2", -EINVAL, 7, 2, "unexpected '!='; expected '|', '&', '>', '=' or '<'" },
	{ "link[0:-1] != 0", -EINVAL, 7, 1, "unexpected '-'; expected a number" },
	{ "ip[1", -EINVAL, 4, 0, "unexpected end of expression; expected ']', ':' or an arithmetic operator" },
	{ "len >", -EINVAL, 5, 0, "unexpected end of expression; expected a number or arithmetic expression" },
	{ "wlan subtype 0", -EINVAL, 13, 1, "unexpected number '0'; expected a name" },
	{ "tcp portrange 23-", -EINVAL, 16, 1,
	  "unexpected '-'; expected the end of the expression, 'and' or 'or'" },
	{ "host #", -EINVAL, 5, 1, "unexpected character '#'" },
	{ "host \x01", -EINVAL, 5, 1, "unexpected byte 0x01" },
	{ "08", -EINVAL, 0, 2, "number 08 contains non-octal digit" },
	{ "port 4294967296", -EINVAL, 5, 10, "decimal number 4294967296 overflows 32 bits" },
	{ "port 0x100000000", -EINVAL, 5, 11, "hexadecimal number 0x100000000 overflows 32 bits" },
	{ "port 0040000000000", -EINVAL, 5, 13, "octal number 0040000000000 overflows 32 bits" },
	{ "link[0:3] != 0", -EINVAL, 7, 1, "data size must be 1, 2, or 4" },
	{ "(host a) and b", -EINVAL, 13, 1,
	  "'b' has no qualifier and nothing before it to inherit one from (write e.g. 'host b')" },
	{ "tcp and 80", -EINVAL, 8, 2,
	  "'80' has no qualifier and nothing before it to inherit one from (write e.g. 'port 80')" },
	{ "port 80 and (tcp or 443)", -EINVAL, 20, 3,
	  "'443' has no qualifier and nothing before it to inherit one from (write e.g. 'port 443')" },
	{ "port 1.2.3.4", -EINVAL, 5, 7, "'port' qualifier applied to IPv4 address" },
	{ "tcp port 80 or 10.0.0.0/8", -EINVAL, 15, 10,
	  "'port' qualifier applied to IPv4 address and prefix length" },
	{ "proto 10.0.0.0 mask 255.0.0.0", -EINVAL, 6, 23,
	  "'proto' qualifier applied to IPv4 address and netmask" },
	{ "portrange fe80::1", -EINVAL, 10, 7, "'portrange' qualifier applied to IPv6 address" },
	{ "protochain ::/0", -EINVAL, 11, 4,
	  "'protochain' qualifier applied to IPv6 address and prefix length" },
	{ "wlan type 16", -EINVAL, 10, 2, "invalid 802.11 type value 0x10" },
	{ "wlan type 0 subtype 0xff", -EINVAL, 20, 4, "invalid 802.11 subtype value 0xff" },
	{ "wlan type foo", -EINVAL, 10, 3, "unknown 802.11 type name \"foo\"" },
	{ "type ctl subtype beacon", -EINVAL, 17, 6, "unknown 802.11 subtype name \"beacon\"" },
	{ "subtype nosuch", -EINVAL, 8, 6, "unknown 802.11 subtype name \"nosuch\"" },
	{ "wlan dir abc", -EINVAL, 9, 3, "unknown 802.11 direction \"abc\"" },
	{ "wlan dir 4", -EINVAL, 9, 1, "invalid 802.11 direction 4 (0 to 3)" },
	{ "llc foo", -EINVAL, 4, 3, "unknown LLC type name \"foo\"" },
	{ "reason invalid", -EINVAL, 7, 7, "unknown PF reason \"invalid\"" },
	{ "action invalid", -EINVAL, 7, 7, "unknown PF action \"invalid\"" },
	{ "batadv 13 foo", -EINVAL, 10, 3, "batman-adv compatibility version number 13 unsupported" },
};

static int parse(struct fg_arena *a, const char *s, struct fg_node **n, struct fg_diag *d)
{
	memset(d, 0, sizeof(*d));
	return fg_parse(a, s, strlen(s), n, d);
}

static void test_goldens(void)
{
	for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		struct fg_arena a;
		struct fg_node *n = NULL;
		struct fg_diag d;
		char buf[2048];
		int rc;

		fg_arena_init(&a, NULL, NULL);
		rc = parse(&a, goldens[i].expr, &n, &d);
		if (rc != 0) {
			tap_ok(0, "parse '%s'", goldens[i].expr);
			tap_diag("  rc %d at %zu+%zu: %s", rc, d.offset, d.length, d.msg);
		} else {
			fg_ast_dump(n, buf, sizeof(buf));
			tap_is_str(buf, goldens[i].dump, "ast '%s'", goldens[i].expr);
		}
		fg_arena_destroy(&a);
	}
}

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		struct fg_arena a;
		struct fg_node *n = NULL;
		struct fg_diag d;
		int rc;

		fg_arena_init(&a, NULL, NULL);
		rc = parse(&a, b->expr, &n, &d);
		if (!tap_ok(rc == b->rc && d.offset == b->off && d.length == b->len &&
			    strcmp(d.msg, b->msg) == 0 && n == NULL, "error '%s'", b->expr))
			tap_diag("  got rc %d at %zu+%zu: %s", rc, d.offset, d.length, d.msg);
		fg_arena_destroy(&a);
	}
}

static int loc_is(struct fg_loc l, size_t off, size_t len)
{
	return l.off == off && l.len == len;
}

/* Positions of nodes, qualifier keywords and values. */
static void test_positions(void)
{
	struct fg_arena a;
	struct fg_node *n, *k0, *k1;
	struct fg_diag d;

	fg_arena_init(&a, NULL, NULL);
	tap_is_int(parse(&a, "tcp port 80 or  443", &n, &d), 0, "parse for positions");
	k0 = n->u.list.kids[0];
	k1 = n->u.list.kids[1];
	tap_ok(loc_is(n->loc, 0, 19), "or spans the whole expression");
	tap_ok(loc_is(k0->loc, 0, 11), "'tcp port 80' spans its head and value");
	tap_ok(loc_is(k0->u.id.v.at, 9, 2), "value 80 at 9+2");
	tap_ok(loc_is(k0->u.id.q.proto_at, 0, 3) && loc_is(k0->u.id.q.addr_at, 4, 4) &&
	       loc_is(k0->u.id.q.dir_at, 0, 0), "qualifier keywords positioned, dir absent");
	tap_ok(loc_is(k0->u.id.q.head_at, 0, 8), "head 'tcp port' at 0+8");
	tap_is_int(k0->u.id.q.written, FG_QW_PROTO | FG_QW_ADDR, "proto and type written");
	tap_ok(!k0->u.id.q.inherited && k1->u.id.q.inherited, "443 inherits, 80 does not");
	tap_ok(loc_is(k1->loc, 16, 3), "inherited id spans only its value");
	tap_ok(loc_is(k1->u.id.q.head_at, 0, 8), "inherited qualifiers point at their head");
	fg_arena_destroy(&a);

	fg_arena_init(&a, NULL, NULL);
	parse(&a, "not  src net 10.0/16", &n, &d);
	tap_ok(n->kind == FG_N_NOT && loc_is(n->loc, 0, 20), "not spans 0+20");
	k0 = n->u.list.kids[0];
	tap_ok(loc_is(k0->loc, 5, 15) && loc_is(k0->u.id.v.at, 13, 7), "id 5+15, value 13+7");
	tap_ok(k0->u.id.v.kind == FG_ID_IPV4_PREFIX && k0->u.id.v.v4.nparts == 2 &&
	       k0->u.id.v.v4.part[0] == 10 && k0->u.id.v.v4.part[1] == 0 &&
	       k0->u.id.v.prefix == 16 && loc_is(k0->u.id.v.prefix_at, 18, 2),
	       "10.0/16: 2 parts given, prefix 16 at 18+2");
	fg_arena_destroy(&a);

	fg_arena_init(&a, NULL, NULL);
	parse(&a, "ip[1:2] = 3", &n, &d);
	tap_ok(n->kind == FG_N_REL && loc_is(n->loc, 0, 11) &&
	       loc_is(n->u.rel.lhs->loc, 0, 7) && loc_is(n->u.rel.rhs->loc, 10, 1),
	       "relation 0+11, load 0+7, number 10+1");
	fg_arena_destroy(&a);

	fg_arena_init(&a, NULL, NULL);
	parse(&a, "  vlan 100 and ether multicast", &n, &d);
	tap_ok(loc_is(n->u.list.kids[0]->loc, 2, 8) && loc_is(n->u.list.kids[1]->loc, 15, 15),
	       "vlan 100 at 2+8, ether multicast at 15+15");
	fg_arena_destroy(&a);
}

static void test_empty(void)
{
	const char *blank[] = { "", " ", " \t\r\n " };

	for (size_t i = 0; i < 3; i++) {
		struct fg_arena a;
		struct fg_node *n = (struct fg_node *)&a;
		struct fg_diag d;

		fg_arena_init(&a, NULL, NULL);
		tap_ok(parse(&a, blank[i], &n, &d) == 0 && n == NULL, "blank expression %zu: NULL tree", i);
		fg_arena_destroy(&a);
	}
}

static char *repeat(const char *pre, size_t n, const char *mid, const char *post)
{
	size_t lp = strlen(pre), lm = strlen(mid), lq = strlen(post);
	char *s = malloc(n * (lp + lq) + lm + 1), *p = s;

	for (size_t i = 0; i < n; i++, p += lp)
		memcpy(p, pre, lp);
	memcpy(p, mid, lm);
	p += lm;
	for (size_t i = 0; i < n; i++, p += lq)
		memcpy(p, post, lq);
	*p = '\0';
	return s;
}

static int parse_big(const char *s, struct fg_node **n, struct fg_diag *d)
{
	struct fg_arena a;
	int rc;

	fg_arena_init(&a, NULL, NULL);
	rc = fg_parse(&a, s, strlen(s), n, d);
	if (rc == 0)
		rc = (int)(*n)->depth;
	fg_arena_destroy(&a);
	return rc;
}

static void test_limits(void)
{
	struct fg_node *n;
	struct fg_diag d;
	char *s;
	int rc;

	s = repeat("(", FG_AST_MAX_DEPTH, "tcp", ")");
	tap_is_int(parse_big(s, &n, &d), 1, "%d parentheses parse (no paren nodes)", FG_AST_MAX_DEPTH);
	free(s);
	s = repeat("(", FG_AST_MAX_DEPTH + 1, "tcp", ")");
	rc = parse_big(s, &n, &d);
	tap_ok(rc == -E2BIG && d.offset == FG_AST_MAX_DEPTH && d.length == 1,
	       "one more '(' is -E2BIG at that '('");
	tap_diag("  %s", d.msg);
	free(s);
	s = repeat("not ", 5000, "tcp", "");
	rc = parse_big(s, &n, &d);
	tap_ok(rc == -E2BIG && strstr(d.msg, "nested"), "5000 x 'not' is -E2BIG");
	free(s);
	s = repeat("not ", 50000, "tcp", "");
	tap_is_int(parse_big(s, &n, &d), -E2BIG, "50000 x 'not' (parser stack) is -E2BIG");
	free(s);
	s = repeat("- ", 5000, "1 = 1", "");
	n = NULL;
	tap_is_int(parse_big(s, &n, &d) == -E2BIG, 1, "5000 x unary minus is -E2BIG");
	free(s);
	s = repeat("port 1 or ", 20000, "2", "");
	tap_is_int(parse_big(s, &n, &d), 2, "a 20001-term 'or' chain is one flat node of depth 2");
	free(s);
	s = repeat("1+", 3000, "1 = 1", "");
	tap_is_int(parse_big(s, &n, &d), -E2BIG, "an arithmetic chain deeper than the limit is -E2BIG");
	free(s);
}


static void test_enomem(void)
{
	const char *expr = "tcp port 80 or 443 and not host a.example and ip[2:2] > len - 20";
	int fails = 0, wrong = 0;
	long i;

	for (i = 0; i < 100; i++) {
		struct fg_arena a;
		struct fg_node *n;
		struct fg_diag d;
		long budget = i;
		int rc;

		fg_arena_init(&a, budget_alloc, &budget);
		rc = fg_parse(&a, expr, strlen(expr), &n, &d);
		fg_arena_destroy(&a);
		if (rc == 0)
			break;
		fails++;
		if (rc != -ENOMEM) {
			wrong++;
			tap_diag("  budget %ld: %d %s", i, rc, d.msg);
		}
	}
	tap_ok(fails > 0 && wrong == 0 && i < 100,
	       "every allocation failure gives -ENOMEM (%d budgets failed, then success)", fails);
}

static void test_api(void)
{
	struct fg_arena a;
	struct fg_node *n;
	struct fg_diag d;
	char small[8];

	fg_arena_init(&a, NULL, NULL);
	tap_is_int(fg_parse(&a, NULL, 3, &n, &d), -EINVAL, "NULL source with a length is -EINVAL");
	tap_is_int(fg_parse(&a, "tcp", 3, NULL, &d), -EINVAL, "NULL out is -EINVAL");
	tap_is_int(fg_parse(&a, "tcp or", 6, &n, NULL), -EINVAL, "diag may be NULL");
	tap_is_int(fg_parse(&a, "tcp or udp", 3, &n, NULL), 0, "only len bytes are read");
	tap_ok(n && n->kind == FG_N_PROTO, "... giving 'tcp'");
	tap_is_int(fg_parse(&a, "host a\0b", 8, &n, &d), -EINVAL, "a NUL byte is an error");
	tap_is_str(d.msg, "unexpected byte 0x00", "... saying so");
	parse(&a, "tcp port 80 or 443", &n, &d);
	tap_is_int(fg_ast_dump(n, small, sizeof(small)), -ENOSPC, "dump into a small buffer: -ENOSPC");
	tap_is_str(small, "(or (id", "... truncated, NUL-terminated");
	tap_is_int(fg_ast_dump(NULL, small, sizeof(small)), 7, "dump of NULL");
	tap_is_str(small, "(empty)", "... is (empty)");
	tap_is_int(fg_ast_dump(n, NULL, 0), -EINVAL, "dump without a buffer: -EINVAL");
	fg_arena_destroy(&a);
}

int main(void)
{
	test_goldens();
	test_errors();
	test_positions();
	test_empty();
	test_limits();
	test_enomem();
	test_api();
	return tap_done();
}
