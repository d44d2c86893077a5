/*
 * grammar.y -- the pcap-filter(7) grammar: tokens from scanner.l -> the
 * syntax tree of ast.h.
 *
 * The productions follow libpcap's grammar.y (1.10/master) rule for rule,
 * because which expressions parse -- and how "and"/"or" (equal precedence,
 * left-associative), '%' and '^' (no precedence: the parser shifts) and
 * qualifier inheritance behave -- is defined by that grammar's shape and
 * its conflict resolution.  The actions are ours: each calls one small
 * builder in parse.c or ast.c and carries its production as a comment.
 *
 * Qualifier inheritance works as in libpcap: the value of and/or/not/'('
 * is a copy of the value to its left ($0), so an id without a head of its
 * own finds the qualifiers in force in $0.  Every grammar symbol has the
 * same value type (struct fg_yv) so $0 is always well defined.
 *
 * %expect 38: the shift/reduce conflicts libpcap's grammar has and resolves
 * by shifting -- 'and'/'or' after a parenthesized id list, '(' starting
 * either a term or an id list, and the binary operators '%' and '^' that
 * have no declared precedence.  Changing the count changes the language.
 */
%define api.pure full
%define api.prefix {fg_yy}
%define api.value.type {struct fg_yv}
%define api.location.type {struct fg_loc}
%define parse.error custom
%define parse.lac full
%locations
%expect 38
%param {void *scanner}
%parse-param {struct fg_parser *ps}

%code requires {
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "ast.h"

/* The state of one parse, shared by the scanner, the grammar and parse.c. */
struct fg_parser {
	struct fg_arena *arena;
	const char *src;
	size_t len;
	struct fg_diag *diag;
	int err;		/* 0, or the negative errno of the first error */
	struct fg_node *root;
	/* scanner state */
	size_t pos;		/* offset of the next byte to scan */
	int last_tok, prev_tok;	/* the two most recent tokens, for messages */
	struct fg_loc last_loc, prev_loc;
	int parens;		/* '(' not yet closed */
	jmp_buf *fatal;		/* where the scanner's YY_FATAL_ERROR returns to */
	void *flex_mem[8];	/* the scanner's live allocations, freed even after a fatal error */
};

/* The value of every grammar symbol. */
struct fg_yv {
	struct fg_node *n;	/* expr, term, id, arth ... */
	struct fg_qual q;	/* qualifiers in force (head, and, or, not, '(' ...) */
	bool qok;		/* q is defined (libpcap: not "qerr") */
	int op;			/* pname/dqual/aqual enum, relop, byteop, atm kind ... */
	int field;		/* ATM/MTP3 field in force */
	uint32_t num;		/* NUM */
	const char *text;	/* ID, HID, HID6, EID, AID text (arena copy) */
	const char *name;	/* spelling of a named NUM, e.g. "tcp-syn" */
	bool escaped;		/* ID written \name */
	struct fg_named named;	/* 802.11 type/subtype/dir, PF reason/action */
};
}

%code provides {
int fg_yylex(FG_YYSTYPE *lval, FG_YYLTYPE *lloc, void *scanner);
void fg_yyerror(FG_YYLTYPE *lloc, void *scanner, struct fg_parser *ps, const char *msg);

/* Location of a rule: from its first to its last non-empty symbol. */
struct fg_loc fg_p_span(const struct fg_loc *rhs, int n);

/* Builders (parse.c).  NULL means: error recorded in ps, abort the parse. */
void *fg_p_fail(struct fg_parser *ps, struct fg_loc at, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
struct fg_node *fg_p_check(struct fg_parser *ps, struct fg_node *n);
struct fg_node *fg_p_bool(struct fg_parser *ps, enum fg_node_kind k, struct fg_node *l, struct fg_node *r);
struct fg_node *fg_p_not(struct fg_parser *ps, struct fg_loc at, struct fg_node *kid);
struct fg_node *fg_p_leaf(struct fg_parser *ps, enum fg_node_kind k, struct fg_loc at);
struct fg_node *fg_p_numarg(struct fg_parser *ps, enum fg_node_kind k, struct fg_loc at, uint32_t v);
struct fg_node *fg_p_opt(struct fg_parser *ps, enum fg_node_kind k, struct fg_loc at, bool has, uint32_t v);
struct fg_node *fg_p_textarg(struct fg_parser *ps, enum fg_node_kind k, struct fg_loc at, const char *text);
void fg_p_head(struct fg_yv *out, int proto, struct fg_loc pat, int dir, struct fg_loc dat,
	       int addr, struct fg_loc aat);
struct fg_node *fg_p_inherit(struct fg_parser *ps, const struct fg_yv *ctx, struct fg_loc at,
			     struct fg_idval *v, struct fg_yv *out);
struct fg_node *fg_p_id_name(struct fg_parser *ps, const struct fg_yv *ctx, const struct fg_yv *tok,
			     struct fg_loc at, struct fg_yv *out);
struct fg_node *fg_p_id_num(struct fg_parser *ps, const struct fg_yv *ctx, uint32_t num,
			    struct fg_loc at, struct fg_yv *out);
struct fg_node *fg_p_id_v4(struct fg_parser *ps, const struct fg_yv *ctx, const char *addr,
			   struct fg_loc aat, const char *mask, struct fg_loc mat, int has_prefix,
			   uint32_t prefix, struct fg_loc pat, struct fg_yv *out);
struct fg_node *fg_p_id_v6(struct fg_parser *ps, const struct fg_yv *ctx, const char *addr,
			   struct fg_loc aat, int has_prefix, uint32_t prefix, struct fg_loc pat,
			   struct fg_yv *out);
struct fg_node *fg_p_id_mac(struct fg_parser *ps, const struct fg_yv *ctx, const char *text,
			    struct fg_loc at, struct fg_yv *out);
struct fg_node *fg_p_id_arcnet(struct fg_parser *ps, const struct fg_yv *ctx, const char *text,
			       struct fg_loc at, struct fg_yv *out);
struct fg_node *fg_p_proto(struct fg_parser *ps, enum fg_node_kind k, struct fg_loc at, int proto);
struct fg_node *fg_p_load(struct fg_parser *ps, struct fg_loc at, int proto, struct fg_node *index,
			  uint32_t size, struct fg_loc size_at);
struct fg_node *fg_p_byte(struct fg_parser *ps, struct fg_loc at, uint32_t off, int op, uint32_t v);
struct fg_node *fg_p_batadv(struct fg_parser *ps, struct fg_loc at, int nargs, uint32_t version,
			    uint32_t type, const char *type_name, struct fg_loc type_at);
int fg_p_pf_reason(struct fg_parser *ps, const struct fg_yv *tok, struct fg_loc at, struct fg_named *out);
int fg_p_pf_action(struct fg_parser *ps, const struct fg_yv *tok, struct fg_loc at, struct fg_named *out);
int fg_p_wlan_type(struct fg_parser *ps, const struct fg_yv *tok, struct fg_loc at, struct fg_named *out);
int fg_p_wlan_subtype_num(struct fg_parser *ps, uint32_t v, struct fg_loc at, struct fg_named *out);
int fg_p_wlan_dir(struct fg_parser *ps, const struct fg_yv *tok, struct fg_loc at, struct fg_named *out);
struct fg_node *fg_p_wlan(struct fg_parser *ps, struct fg_loc at, int proto, const struct fg_named *type,
			  const struct fg_named *sub, const char *sub_name, struct fg_loc sub_at);
struct fg_node *fg_p_wlan_dirnode(struct fg_parser *ps, struct fg_loc at, int proto, const struct fg_named *dir);
struct fg_node *fg_p_llc(struct fg_parser *ps, struct fg_loc at, const char *name, struct fg_loc name_at);
struct fg_node *fg_p_atm(struct fg_parser *ps, struct fg_loc at, int kind);
struct fg_node *fg_p_mtp2(struct fg_parser *ps, struct fg_loc at, int kind);
struct fg_node *fg_p_field(struct fg_parser *ps, struct fg_loc at, int field, int op, uint32_t v);
void fg_p_syntax_error(struct fg_parser *ps, const char *const *expected, int nexpected);

/* scanner.l: scan buf[0, size), the source followed by two NUL bytes. */
int fg_scan_start(void *scanner, char *buf, size_t size);
/* scanner.l: free what the scanner still holds (after fg_yylex_destroy). */
void fg_scan_release(struct fg_parser *ps);
}

%code {
#include <errno.h>
#include <string.h>

#define YYLLOC_DEFAULT(cur, rhs, n) ((cur) = fg_p_span(&YYRHSLOC(rhs, 0), (n)))
#define YYLOCATION_PRINT(file, loc) ((void)0)

/* Build the node of $$ or abort the parse (the builder recorded why). */
#define NODE(expr) do { if (!(yyval.n = (expr))) YYABORT; } while (0)
#define CHECK(expr) do { if ((expr) < 0) YYABORT; } while (0)
}

%initial-action { @$ = (struct fg_loc){ 0, 0 }; }

%token DST "dst" SRC "src" HOST "host" GATEWAY "gateway"
%token NET "net" NETMASK "mask" PORT "port" PORTRANGE "portrange"
%token LESS "less" GREATER "greater" PROTO "proto" PROTOCHAIN "protochain" CBYTE "byte"
%token ARP "arp" RARP "rarp" IP "ip" SCTP "sctp" TCP "tcp" UDP "udp" ICMP "icmp"
%token IGMP "igmp" IGRP "igrp" PIM "pim" VRRP "vrrp" CARP "carp"
%token ATALK "atalk" AARP "aarp" DECNET "decnet" LAT "lat" SCA "sca" MOPRC "moprc" MOPDL "mopdl"
%token TK_BROADCAST "broadcast" TK_MULTICAST "multicast"
%token NUM "number" INBOUND "inbound" OUTBOUND "outbound" IFINDEX "ifindex"
%token PF_IFNAME "ifname" PF_RSET "rset" PF_RNR "rnr" PF_SRNR "srnr"
%token PF_REASON "reason" PF_ACTION "action"
%token TYPE "type" SUBTYPE "subtype" DIR "dir" ADDR1 "addr1" ADDR2 "addr2"
%token ADDR3 "addr3" ADDR4 "addr4" RA "ra" TA "ta"
%token LINK "link"
%token GEQ ">=" LEQ "<=" NEQ "!="
%token ID "name" EID "Ethernet address" HID "IPv4 address" HID6 "IPv6 address"
%token AID "ARCnet address"
%token LSH "<<" RSH ">>"
%token LEN "len"
%token IPV6 "ip6" ICMPV6 "icmp6" AH "ah" ESP "esp"
%token VLAN "vlan" MPLS "mpls"
%token PPPOED "pppoed" PPPOES "pppoes" GENEVE "geneve" VXLAN "vxlan" BATADV "batadv"
%token ISO "iso" ESIS "esis" CLNP "clnp" ISIS "isis" L1 "l1" L2 "l2" IIH "iih"
%token LSP "lsp" SNP "snp" CSNP "csnp" PSNP "psnp"
%token STP "stp" IPX "ipx" NETBEUI "netbeui"
%token LANE "lane" LLC "llc" METAC "metac" BCC "bcc" SC "sc" ILMIC "ilmic"
%token OAMF4EC "oamf4ec" OAMF4SC "oamf4sc" OAM "oam" OAMF4 "oamf4"
%token CONNECTMSG "connectmsg" METACONNECT "metaconnect"
%token VPI "vpi" VCI "vci"
%token RADIO "radio"
%token FISU "fisu" LSSU "lssu" MSU "msu" HFISU "hfisu" HLSSU "hlssu" HMSU "hmsu"
%token SIO "sio" OPC "opc" DPC "dpc" SLS "sls" HSIO "hsio" HOPC "hopc" HDPC "hdpc" HSLS "hsls"
%token LEX_ERROR "scanner error"
%token AND "and" OR "or"

/* libpcap also declares "%left OR AND" and "%nonassoc '!'"; no conflict
 * uses them (bison -Wprecedence), so they are left out. */
%left '|'
%left '&'
%left LSH RSH
%left '+' '-'
%left '*' '/'
%precedence UMINUS

%%

/* prog: null expr | null */
prog:	  null expr		{ ps->root = $2.n; }
	| null			{ ps->root = NULL; }
	;
/* null: (empty) -- the undefined qualifiers a leading id would inherit */
null:	  %empty		{ memset(&$$, 0, sizeof($$)); $$.qok = false; }
	;
/* expr: term | expr and term | expr and id | expr or term | expr or id */
expr:	  term
	| expr and term		{ $$ = $3; NODE(fg_p_bool(ps, FG_N_AND, $1.n, $3.n)); }
	| expr and id		{ $$ = $3; NODE(fg_p_bool(ps, FG_N_AND, $1.n, $3.n)); }
	| expr or term		{ $$ = $3; NODE(fg_p_bool(ps, FG_N_OR, $1.n, $3.n)); }
	| expr or id		{ $$ = $3; NODE(fg_p_bool(ps, FG_N_OR, $1.n, $3.n)); }
	;
/* and: AND -- passes the qualifiers to its left on to an id after it */
and:	  AND			{ $$ = $0; $$.q.inherited = true; }
	;
/* or: OR */
or:	  OR			{ $$ = $0; $$.q.inherited = true; }
	;
/* id: nid | pnum | paren pid ')' */
id:	  nid
	| pnum			{ NODE(fg_p_id_num(ps, &$0, $1.num, @1, &$$)); }
	| paren pid ')'		{ $$ = $2; }
	;
/* nid: ID | HID '/' NUM | HID NETMASK HID | HID | HID6 '/' NUM | HID6 | EID | AID | not id */
nid:	  ID			{ NODE(fg_p_id_name(ps, &$0, &$1, @1, &$$)); }
	| HID '/' NUM		{ NODE(fg_p_id_v4(ps, &$0, $1.text, @1, NULL, @1, 1, $3.num, @3, &$$)); }
	| HID NETMASK HID	{ NODE(fg_p_id_v4(ps, &$0, $1.text, @1, $3.text, @3, 0, 0, @3, &$$)); }
	| HID			{ NODE(fg_p_id_v4(ps, &$0, $1.text, @1, NULL, @1, 0, 0, @1, &$$)); }
	| HID6 '/' NUM		{ NODE(fg_p_id_v6(ps, &$0, $1.text, @1, 1, $3.num, @3, &$$)); }
	| HID6			{ NODE(fg_p_id_v6(ps, &$0, $1.text, @1, 0, 0, @1, &$$)); }
	| EID			{ NODE(fg_p_id_mac(ps, &$0, $1.text, @1, &$$)); }
	| AID			{ NODE(fg_p_id_arcnet(ps, &$0, $1.text, @1, &$$)); }
	| not id		{ $$ = $2; NODE(fg_p_not(ps, @$, $2.n)); }
	;
/* not: '!' */
not:	  '!'			{ $$ = $0; }
	;
/* paren: '(' */
paren:	  '('			{ $$ = $0; }
	;
/* pid: nid | qid and id | qid or id */
pid:	  nid
	| qid and id		{ $$ = $3; NODE(fg_p_bool(ps, FG_N_AND, $1.n, $3.n)); }
	| qid or id		{ $$ = $3; NODE(fg_p_bool(ps, FG_N_OR, $1.n, $3.n)); }
	;
/* qid: pnum | pid */
qid:	  pnum			{ NODE(fg_p_id_num(ps, &$0, $1.num, @1, &$$)); }
	| pid
	;
/* term: rterm | not term */
term:	  rterm
	| not term		{ $$ = $2; NODE(fg_p_not(ps, @$, $2.n)); }
	;
/* head: pqual dqual aqual | pqual dqual | pqual aqual | pqual PROTO | pqual PROTOCHAIN | pqual ndaqual */
head:	  pqual dqual aqual	{ fg_p_head(&$$, $1.op, @1, $2.op, @2, $3.op, @3); }
	| pqual dqual		{ fg_p_head(&$$, $1.op, @1, $2.op, @2, 0, (struct fg_loc){ 0, 0 }); }
	| pqual aqual		{ fg_p_head(&$$, $1.op, @1, 0, (struct fg_loc){ 0, 0 }, $2.op, @2); }
	| pqual PROTO		{ fg_p_head(&$$, $1.op, @1, 0, (struct fg_loc){ 0, 0 }, FG_ADDR_PROTO, @2); }
	| pqual PROTOCHAIN	{ fg_p_head(&$$, $1.op, @1, 0, (struct fg_loc){ 0, 0 }, FG_ADDR_PROTOCHAIN, @2); }
	| pqual ndaqual		{ fg_p_head(&$$, $1.op, @1, 0, (struct fg_loc){ 0, 0 }, $2.op, @2); }
	;
/* rterm: head id | paren expr ')' | pname | arth relop arth | arth irelop arth | other
 *      | atmtype | atmmultitype | atmfield atmvalue | mtp2type | mtp3field mtp3value */
rterm:	  head id		{ $$ = $2; $$.n->loc = @$; }
	| paren expr ')'	{ $$ = $1; $$.n = $2.n; }
	| pname			{ $$.qok = false; NODE(fg_p_proto(ps, FG_N_PROTO, @1, $1.op)); }
	| arth relop arth	{ $$.qok = false; NODE(fg_p_check(ps, fg_node_rel(ps->arena, $2.op, $1.n, $3.n))); }
	| arth irelop arth	{ $$.qok = false; NODE(fg_p_check(ps, fg_node_rel(ps->arena, $2.op, $1.n, $3.n))); }
	| other			{ $$.qok = false; }
	| atmtype		{ $$.qok = false; NODE(fg_p_atm(ps, @1, $1.op)); }
	| atmmultitype		{ $$.qok = false; NODE(fg_p_atm(ps, @1, $1.op)); }
	| atmfield atmvalue	{ $$ = $2; $$.qok = false; $$.n->loc = @$; }
	| mtp2type		{ $$.qok = false; NODE(fg_p_mtp2(ps, @1, $1.op)); }
	| mtp3field mtp3value	{ $$ = $2; $$.qok = false; $$.n->loc = @$; }
	;
/* pqual: pname | (empty) -- protocol qualifier */
pqual:	  pname
	| %empty		{ memset(&$$, 0, sizeof($$)); $$.op = FG_PROTO_DEFAULT; }
	;
/* dqual: SRC | DST | SRC OR DST | DST OR SRC | SRC AND DST | DST AND SRC
 *      | ADDR1 | ADDR2 | ADDR3 | ADDR4 | RA | TA -- direction qualifier */
dqual:	  SRC			{ $$.op = FG_DIR_SRC; }
	| DST			{ $$.op = FG_DIR_DST; }
	| SRC OR DST		{ $$.op = FG_DIR_SRC_OR_DST; }
	| DST OR SRC		{ $$.op = FG_DIR_SRC_OR_DST; }
	| SRC AND DST		{ $$.op = FG_DIR_SRC_AND_DST; }
	| DST AND SRC		{ $$.op = FG_DIR_SRC_AND_DST; }
	| ADDR1			{ $$.op = FG_DIR_ADDR1; }
	| ADDR2			{ $$.op = FG_DIR_ADDR2; }
	| ADDR3			{ $$.op = FG_DIR_ADDR3; }
	| ADDR4			{ $$.op = FG_DIR_ADDR4; }
	| RA			{ $$.op = FG_DIR_RA; }
	| TA			{ $$.op = FG_DIR_TA; }
	;
/* aqual: HOST | NET | PORT | PORTRANGE -- address type qualifier */
aqual:	  HOST			{ $$.op = FG_ADDR_HOST; }
	| NET			{ $$.op = FG_ADDR_NET; }
	| PORT			{ $$.op = FG_ADDR_PORT; }
	| PORTRANGE		{ $$.op = FG_ADDR_PORTRANGE; }
	;
/* ndaqual: GATEWAY -- address type that takes no direction */
ndaqual:  GATEWAY		{ $$.op = FG_ADDR_GATEWAY; }
	;
/* pname: LINK | IP | ARP | ... | RADIO */
pname:	  LINK			{ $$.op = FG_PROTO_LINK; }
	| IP			{ $$.op = FG_PROTO_IP; }
	| ARP			{ $$.op = FG_PROTO_ARP; }
	| RARP			{ $$.op = FG_PROTO_RARP; }
	| SCTP			{ $$.op = FG_PROTO_SCTP; }
	| TCP			{ $$.op = FG_PROTO_TCP; }
	| UDP			{ $$.op = FG_PROTO_UDP; }
	| ICMP			{ $$.op = FG_PROTO_ICMP; }
	| IGMP			{ $$.op = FG_PROTO_IGMP; }
	| IGRP			{ $$.op = FG_PROTO_IGRP; }
	| PIM			{ $$.op = FG_PROTO_PIM; }
	| VRRP			{ $$.op = FG_PROTO_VRRP; }
	| CARP			{ $$.op = FG_PROTO_CARP; }
	| ATALK			{ $$.op = FG_PROTO_ATALK; }
	| AARP			{ $$.op = FG_PROTO_AARP; }
	| DECNET		{ $$.op = FG_PROTO_DECNET; }
	| LAT			{ $$.op = FG_PROTO_LAT; }
	| SCA			{ $$.op = FG_PROTO_SCA; }
	| MOPDL			{ $$.op = FG_PROTO_MOPDL; }
	| MOPRC			{ $$.op = FG_PROTO_MOPRC; }
	| IPV6			{ $$.op = FG_PROTO_IP6; }
	| ICMPV6		{ $$.op = FG_PROTO_ICMP6; }
	| AH			{ $$.op = FG_PROTO_AH; }
	| ESP			{ $$.op = FG_PROTO_ESP; }
	| ISO			{ $$.op = FG_PROTO_ISO; }
	| ESIS			{ $$.op = FG_PROTO_ESIS; }
	| ISIS			{ $$.op = FG_PROTO_ISIS; }
	| L1			{ $$.op = FG_PROTO_ISIS_L1; }
	| L2			{ $$.op = FG_PROTO_ISIS_L2; }
	| IIH			{ $$.op = FG_PROTO_ISIS_IIH; }
	| LSP			{ $$.op = FG_PROTO_ISIS_LSP; }
	| SNP			{ $$.op = FG_PROTO_ISIS_SNP; }
	| PSNP			{ $$.op = FG_PROTO_ISIS_PSNP; }
	| CSNP			{ $$.op = FG_PROTO_ISIS_CSNP; }
	| CLNP			{ $$.op = FG_PROTO_CLNP; }
	| STP			{ $$.op = FG_PROTO_STP; }
	| IPX			{ $$.op = FG_PROTO_IPX; }
	| NETBEUI		{ $$.op = FG_PROTO_NETBEUI; }
	| RADIO			{ $$.op = FG_PROTO_RADIO; }
	;
/* other: pqual TK_BROADCAST | pqual TK_MULTICAST | LESS NUM | GREATER NUM | CBYTE NUM byteop NUM
 *      | INBOUND | OUTBOUND | IFINDEX NUM | VLAN pnum | VLAN | MPLS pnum | MPLS | PPPOED
 *      | PPPOES pnum | PPPOES | GENEVE pnum | GENEVE | VXLAN pnum | VXLAN | BATADV pbatadv
 *      | pfvar | pqual p80211 | pllc */
other:	  pqual TK_BROADCAST	{ NODE(fg_p_proto(ps, FG_N_BROADCAST, @$, $1.op)); }
	| pqual TK_MULTICAST	{ NODE(fg_p_proto(ps, FG_N_MULTICAST, @$, $1.op)); }
	| LESS NUM		{ NODE(fg_p_numarg(ps, FG_N_LESS, @$, $2.num)); }
	| GREATER NUM		{ NODE(fg_p_numarg(ps, FG_N_GREATER, @$, $2.num)); }
	| CBYTE NUM byteop NUM	{ NODE(fg_p_byte(ps, @$, $2.num, $3.op, $4.num)); }
	| INBOUND		{ NODE(fg_p_leaf(ps, FG_N_INBOUND, @$)); }
	| OUTBOUND		{ NODE(fg_p_leaf(ps, FG_N_OUTBOUND, @$)); }
	| IFINDEX NUM		{ NODE(fg_p_numarg(ps, FG_N_IFINDEX, @$, $2.num)); }
	| VLAN pnum		{ NODE(fg_p_opt(ps, FG_N_VLAN, @$, true, $2.num)); }
	| VLAN			{ NODE(fg_p_opt(ps, FG_N_VLAN, @$, false, 0)); }
	| MPLS pnum		{ NODE(fg_p_opt(ps, FG_N_MPLS, @$, true, $2.num)); }
	| MPLS			{ NODE(fg_p_opt(ps, FG_N_MPLS, @$, false, 0)); }
	| PPPOED		{ NODE(fg_p_leaf(ps, FG_N_PPPOED, @$)); }
	| PPPOES pnum		{ NODE(fg_p_opt(ps, FG_N_PPPOES, @$, true, $2.num)); }
	| PPPOES		{ NODE(fg_p_opt(ps, FG_N_PPPOES, @$, false, 0)); }
	| GENEVE pnum		{ NODE(fg_p_opt(ps, FG_N_GENEVE, @$, true, $2.num)); }
	| GENEVE		{ NODE(fg_p_opt(ps, FG_N_GENEVE, @$, false, 0)); }
	| VXLAN pnum		{ NODE(fg_p_opt(ps, FG_N_VXLAN, @$, true, $2.num)); }
	| VXLAN			{ NODE(fg_p_opt(ps, FG_N_VXLAN, @$, false, 0)); }
	| BATADV pbatadv	{ $$ = $2; $$.n->loc = @$; }
	| pfvar
	| pqual p80211		{ $$ = $2; $$.n->loc = @$; $$.n->u.wlan.proto = (uint8_t)$1.op; }
	| pllc
	;
/* pbatadv: (empty) | pnum | pnum pnum | pnum ID */
pbatadv:  %empty		{ memset(&$$, 0, sizeof($$)); NODE(fg_p_batadv(ps, @$, 0, 0, 0, NULL, @$)); }
	| pnum			{ NODE(fg_p_batadv(ps, @$, 1, $1.num, 0, NULL, @$)); }
	| pnum pnum		{ NODE(fg_p_batadv(ps, @$, 2, $1.num, $2.num, NULL, @2)); }
	| pnum ID		{ NODE(fg_p_batadv(ps, @$, 2, $1.num, 0, $2.text, @2)); }
	;
/* pfvar: PF_IFNAME ID | PF_RSET ID | PF_RNR NUM | PF_SRNR NUM | PF_REASON reason | PF_ACTION action */
pfvar:	  PF_IFNAME ID		{ NODE(fg_p_textarg(ps, FG_N_PF_IFNAME, @$, $2.text)); }
	| PF_RSET ID		{ NODE(fg_p_textarg(ps, FG_N_PF_RSET, @$, $2.text)); }
	| PF_RNR NUM		{ NODE(fg_p_numarg(ps, FG_N_PF_RNR, @$, $2.num)); }
	| PF_SRNR NUM		{ NODE(fg_p_numarg(ps, FG_N_PF_SRNR, @$, $2.num)); }
	| PF_REASON reason	{ NODE(fg_p_leaf(ps, FG_N_PF_REASON, @$)); $$.n->u.named = $2.named; }
	| PF_ACTION action	{ NODE(fg_p_leaf(ps, FG_N_PF_ACTION, @$)); $$.n->u.named = $2.named; }
	;
/* p80211: TYPE type SUBTYPE subtype | TYPE type | SUBTYPE type_subtype | DIR dir */
p80211:	  TYPE type SUBTYPE subtype
				{ NODE(fg_p_wlan(ps, @$, 0, &$2.named, &$4.named, $4.text, @4)); }
	| TYPE type		{ NODE(fg_p_wlan(ps, @$, 0, &$2.named, NULL, NULL, @$)); }
	| SUBTYPE type_subtype	{ NODE(fg_p_wlan(ps, @$, 0, NULL, NULL, $2.text, @2)); }
	| DIR dir		{ NODE(fg_p_wlan_dirnode(ps, @$, 0, &$2.named)); }
	;
/* type: NUM | ID -- 802.11 frame type */
type:	  NUM			{ CHECK(fg_p_wlan_type(ps, &$1, @1, &$$.named)); }
	| ID			{ CHECK(fg_p_wlan_type(ps, &$1, @1, &$$.named)); }
	;
/* subtype: NUM | ID -- 802.11 subtype of the type before it (names resolved in p80211) */
subtype:  NUM			{ CHECK(fg_p_wlan_subtype_num(ps, $1.num, @1, &$$.named)); $$.text = NULL; }
	| ID			{ memset(&$$.named, 0, sizeof($$.named)); $$.text = $1.text; }
	;
/* type_subtype: ID -- a subtype name of any type */
type_subtype: ID		{ $$.text = $1.text; }
	;
/* pllc: LLC | LLC ID | LLC PF_RNR ("rnr" is a PF keyword) */
pllc:	  LLC			{ NODE(fg_p_llc(ps, @$, NULL, @$)); }
	| LLC ID		{ NODE(fg_p_llc(ps, @$, $2.text, @2)); }
	| LLC PF_RNR		{ NODE(fg_p_llc(ps, @$, "rnr", @2)); }
	;
/* dir: NUM | ID -- 802.11 direction */
dir:	  NUM			{ CHECK(fg_p_wlan_dir(ps, &$1, @1, &$$.named)); }
	| ID			{ CHECK(fg_p_wlan_dir(ps, &$1, @1, &$$.named)); }
	;
/* reason: NUM | ID */
reason:	  NUM			{ CHECK(fg_p_pf_reason(ps, &$1, @1, &$$.named)); }
	| ID			{ CHECK(fg_p_pf_reason(ps, &$1, @1, &$$.named)); }
	;
/* action: ID */
action:	  ID			{ CHECK(fg_p_pf_action(ps, &$1, @1, &$$.named)); }
	;
/* relop: '>' | GEQ | '=' */
relop:	  '>'			{ $$.op = FG_REL_GT; }
	| GEQ			{ $$.op = FG_REL_GE; }
	| '='			{ $$.op = FG_REL_EQ; }
	;
/* irelop: LEQ | '<' | NEQ */
irelop:	  LEQ			{ $$.op = FG_REL_LE; }
	| '<'			{ $$.op = FG_REL_LT; }
	| NEQ			{ $$.op = FG_REL_NE; }
	;
/* arth: pnum | narth */
arth:	  pnum			{ NODE(fg_p_check(ps, fg_node_num(ps->arena, @1, $1.num, $1.name))); }
	| narth
	;
/* narth: pname '[' arth ']' | pname '[' arth ':' NUM ']' | arth OP arth | '-' arth | paren narth ')' | LEN */
narth:	  pname '[' arth ']'	{ NODE(fg_p_load(ps, @$, $1.op, $3.n, 1, @$)); }
	| pname '[' arth ':' NUM ']'
				{ NODE(fg_p_load(ps, @$, $1.op, $3.n, $5.num, @5)); }
	| arth '+' arth		{ NODE(fg_p_check(ps, fg_node_binop(ps->arena, FG_OP_ADD, $1.n, $3.n))); }
	| arth '-' arth		{ NODE(fg_p_check(ps, fg_node_binop(ps->arena, FG_OP_SUB, $1.n, $3.n))); }
	| arth '*' arth		{ NODE(fg_p_check(ps, fg_node_binop(ps->arena, FG_OP_MUL, $1.n, $3.n))); }
	| arth '/' arth		{ NODE(fg_p_check(ps, fg_node_binop(ps->arena, FG_OP_DIV, $1.n, $3.n))); }
	| arth '%' arth		{ NODE(fg_p_check(ps, fg_node_binop(ps->arena, FG_OP_MOD, $1.n, $3.n))); }
	| arth '&' arth		{ NODE(fg_p_check(ps, fg_node_binop(ps->arena, FG_OP_AND, $1.n, $3.n))); }
	| arth '|' arth		{ NODE(fg_p_check(ps, fg_node_binop(ps->arena, FG_OP_OR, $1.n, $3.n))); }
	| arth '^' arth		{ NODE(fg_p_check(ps, fg_node_binop(ps->arena, FG_OP_XOR, $1.n, $3.n))); }
	| arth LSH arth		{ NODE(fg_p_check(ps, fg_node_binop(ps->arena, FG_OP_LSH, $1.n, $3.n))); }
	| arth RSH arth		{ NODE(fg_p_check(ps, fg_node_binop(ps->arena, FG_OP_RSH, $1.n, $3.n))); }
	| '-' arth %prec UMINUS	{ NODE(fg_p_check(ps, fg_node_unary(ps->arena, FG_N_NEG, @$, $2.n))); }
	| paren narth ')'	{ $$ = $2; }
	| LEN			{ NODE(fg_p_leaf(ps, FG_N_LEN, @$)); }
	;
/* byteop: '&' | '|' | '<' | '>' | '=' */
byteop:	  '&'			{ $$.op = '&'; }
	| '|'			{ $$.op = '|'; }
	| '<'			{ $$.op = '<'; }
	| '>'			{ $$.op = '>'; }
	| '='			{ $$.op = '='; }
	;
/* pnum: NUM | paren pnum ')' */
pnum:	  NUM
	| paren pnum ')'	{ $$ = $2; }
	;
/* atmtype: LANE | METAC | BCC | OAMF4EC | OAMF4SC | SC | ILMIC */
atmtype:  LANE			{ $$.op = FG_ATM_LANE; }
	| METAC			{ $$.op = FG_ATM_METAC; }
	| BCC			{ $$.op = FG_ATM_BCC; }
	| OAMF4EC		{ $$.op = FG_ATM_OAMF4EC; }
	| OAMF4SC		{ $$.op = FG_ATM_OAMF4SC; }
	| SC			{ $$.op = FG_ATM_SC; }
	| ILMIC			{ $$.op = FG_ATM_ILMIC; }
	;
/* atmmultitype: OAM | OAMF4 | CONNECTMSG | METACONNECT */
atmmultitype: OAM		{ $$.op = FG_ATM_OAM; }
	| OAMF4			{ $$.op = FG_ATM_OAMF4; }
	| CONNECTMSG		{ $$.op = FG_ATM_CONNECTMSG; }
	| METACONNECT		{ $$.op = FG_ATM_METACONNECT; }
	;
/* atmfield: VPI | VCI */
atmfield: VPI			{ $$.field = FG_FIELD_VPI; }
	| VCI			{ $$.field = FG_FIELD_VCI; }
	;
/* atmvalue: atmfieldvalue | relop NUM | irelop NUM | paren atmlistvalue ')' */
atmvalue: atmfieldvalue
	| relop NUM		{ NODE(fg_p_field(ps, @$, $0.field, $1.op, $2.num)); }
	| irelop NUM		{ NODE(fg_p_field(ps, @$, $0.field, $1.op, $2.num)); }
	| paren atmlistvalue ')' { $$ = $2; }
	;
/* atmfieldvalue: NUM -- compared with the field in force ($0) */
atmfieldvalue: NUM		{ $$.field = $0.field; NODE(fg_p_field(ps, @$, $0.field, FG_REL_EQ, $1.num)); }
	;
/* atmlistvalue: atmfieldvalue | atmlistvalue or atmfieldvalue */
atmlistvalue: atmfieldvalue
	| atmlistvalue or atmfieldvalue { $$ = $3; NODE(fg_p_bool(ps, FG_N_OR, $1.n, $3.n)); }
	;
/* mtp2type: FISU | LSSU | MSU | HFISU | HLSSU | HMSU */
mtp2type: FISU			{ $$.op = FG_MTP2_FISU; }
	| LSSU			{ $$.op = FG_MTP2_LSSU; }
	| MSU			{ $$.op = FG_MTP2_MSU; }
	| HFISU			{ $$.op = FG_MTP2_HFISU; }
	| HLSSU			{ $$.op = FG_MTP2_HLSSU; }
	| HMSU			{ $$.op = FG_MTP2_HMSU; }
	;
/* mtp3field: SIO | OPC | DPC | SLS | HSIO | HOPC | HDPC | HSLS */
mtp3field: SIO			{ $$.field = FG_FIELD_SIO; }
	| OPC			{ $$.field = FG_FIELD_OPC; }
	| DPC			{ $$.field = FG_FIELD_DPC; }
	| SLS			{ $$.field = FG_FIELD_SLS; }
	| HSIO			{ $$.field = FG_FIELD_HSIO; }
	| HOPC			{ $$.field = FG_FIELD_HOPC; }
	| HDPC			{ $$.field = FG_FIELD_HDPC; }
	| HSLS			{ $$.field = FG_FIELD_HSLS; }
	;
/* mtp3value: mtp3fieldvalue | relop NUM | irelop NUM | paren mtp3listvalue ')' */
mtp3value: mtp3fieldvalue
	| relop NUM		{ NODE(fg_p_field(ps, @$, $0.field, $1.op, $2.num)); }
	| irelop NUM		{ NODE(fg_p_field(ps, @$, $0.field, $1.op, $2.num)); }
	| paren mtp3listvalue ')' { $$ = $2; }
	;
/* mtp3fieldvalue: NUM */
mtp3fieldvalue: NUM		{ $$.field = $0.field; NODE(fg_p_field(ps, @$, $0.field, FG_REL_EQ, $1.num)); }
	;
/* mtp3listvalue: mtp3fieldvalue | mtp3listvalue or mtp3fieldvalue */
mtp3listvalue: mtp3fieldvalue
	| mtp3listvalue or mtp3fieldvalue { $$ = $3; NODE(fg_p_bool(ps, FG_N_OR, $1.n, $3.n)); }
	;
%%

void fg_yyerror(FG_YYLTYPE *lloc, void *scanner, struct fg_parser *ps, const char *msg)
{
	(void)scanner;
	/* Only "memory exhausted" gets here: the parser stack hit YYMAXDEPTH. */
	fg_p_fail(ps, *lloc, -E2BIG, "expression too deeply nested (%s)", msg);
}

/* Hand the names of the expected tokens to parse.c's message builder. */
static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, struct fg_parser *ps)
{
	yysymbol_kind_t kinds[YYNTOKENS];
	const char *names[YYNTOKENS];
	int n = yypcontext_expected_tokens(ctx, kinds, YYNTOKENS);

	(void)scanner;
	for (int i = 0; i < n; i++)
		names[i] = yysymbol_name(kinds[i]);
	fg_p_syntax_error(ps, names, n < 0 ? 0 : n);
	return 0;
}
