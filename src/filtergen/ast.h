/*
 * ast.h -- the syntax tree of a pcap-filter(7) expression: what the front
 * end (scanner.l, grammar.y, parse.c) hands to the lowering.
 *
 * The tree is exactly the language as libpcap 1.10/master parses it, with
 * two things already resolved that libpcap resolves in its grammar actions:
 * qualifier inheritance ("host a or b" gives b the qualifiers of a, with a
 * flag saying they were inherited) and the fixed keyword tables (802.11
 * types and directions, LLC frame types, PF reasons and actions, named
 * numbers such as tcp-syn).  Nothing here depends on the link type or on
 * name resolution: host, port, protocol and network names stay names.
 *
 * Every node carries its source position (byte offset and length into the
 * expression) so that later stages can point their diagnostics at it.  All
 * nodes and strings live in the compilation's arena.  The nesting depth of
 * a tree is at most FG_AST_MAX_DEPTH, so stages may recurse over it.
 */
#ifndef PFC_FG_AST_H
#define PFC_FG_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fg_int.h"

/* Deepest tree fg_parse() builds; deeper input fails with -E2BIG. */
#define FG_AST_MAX_DEPTH 1000

/* A span of the source: bytes [off, off + len).  len 0: absent/implicit. */
struct fg_loc {
	size_t off;
	size_t len;
};

/* ---- qualifiers --------------------------------------------------------- */

/* Protocol qualifiers ("pname" in libpcap's grammar). */
enum fg_proto {
	FG_PROTO_DEFAULT = 0,	/* none written */
	FG_PROTO_LINK,		/* link ether ppp slip fddi tr wlan (see loc for the spelling) */
	FG_PROTO_IP, FG_PROTO_ARP, FG_PROTO_RARP, FG_PROTO_SCTP, FG_PROTO_TCP,
	FG_PROTO_UDP, FG_PROTO_ICMP, FG_PROTO_IGMP, FG_PROTO_IGRP, FG_PROTO_PIM,
	FG_PROTO_VRRP, FG_PROTO_CARP, FG_PROTO_ATALK, FG_PROTO_AARP,
	FG_PROTO_DECNET, FG_PROTO_LAT, FG_PROTO_SCA, FG_PROTO_MOPDL,
	FG_PROTO_MOPRC, FG_PROTO_IP6, FG_PROTO_ICMP6, FG_PROTO_AH, FG_PROTO_ESP,
	FG_PROTO_ISO, FG_PROTO_ESIS, FG_PROTO_ISIS, FG_PROTO_ISIS_L1,
	FG_PROTO_ISIS_L2, FG_PROTO_ISIS_IIH, FG_PROTO_ISIS_LSP,
	FG_PROTO_ISIS_SNP, FG_PROTO_ISIS_PSNP, FG_PROTO_ISIS_CSNP,
	FG_PROTO_CLNP, FG_PROTO_STP, FG_PROTO_IPX, FG_PROTO_NETBEUI,
	FG_PROTO_RADIO,
	FG_PROTO_COUNT
};

/* Direction qualifiers. */
enum fg_dir {
	FG_DIR_DEFAULT = 0,	/* none written: "src or dst" for most primitives */
	FG_DIR_SRC, FG_DIR_DST,
	FG_DIR_SRC_OR_DST,	/* "src or dst", "dst or src" */
	FG_DIR_SRC_AND_DST,	/* "src and dst", "dst and src" */
	FG_DIR_ADDR1, FG_DIR_ADDR2, FG_DIR_ADDR3, FG_DIR_ADDR4,	/* 802.11 */
	FG_DIR_RA, FG_DIR_TA,					/* 802.11 */
	FG_DIR_COUNT
};

/* Address-type qualifiers ("aqual", "ndaqual", proto, protochain). */
enum fg_addr {
	FG_ADDR_DEFAULT = 0,	/* none written: libpcap treats the id as a host */
	FG_ADDR_HOST, FG_ADDR_NET, FG_ADDR_PORT, FG_ADDR_PORTRANGE,
	FG_ADDR_GATEWAY, FG_ADDR_PROTO, FG_ADDR_PROTOCHAIN,
	FG_ADDR_COUNT
};

/* Which qualifiers a primitive wrote itself (the others are defaults). */
enum {
	FG_QW_PROTO = 1u << 0,
	FG_QW_DIR = 1u << 1,
	FG_QW_ADDR = 1u << 2,
};

/*
 * The qualifiers of an id.  An id written after a "head" ("tcp dst port 80")
 * has inherited == false and written says which of the three were present.
 * An id after and/or/not/'(' with no head of its own ("... or 443") takes
 * the qualifiers of the primitive before it: inherited == true, written is
 * that primitive's written set, and the *_at spans still point at the
 * keywords where they were written (len 0 for defaults).
 */
struct fg_qual {
	uint8_t proto;		/* enum fg_proto */
	uint8_t dir;		/* enum fg_dir */
	uint8_t addr;		/* enum fg_addr */
	uint8_t written;	/* FG_QW_* */
	bool inherited;
	struct fg_loc proto_at, dir_at, addr_at;
	struct fg_loc head_at;	/* all the qualifier keywords together */
};

/* ---- the value of a qualified id --------------------------------------- */

enum fg_id_kind {
	FG_ID_NAME,		/* host/port/protocol/network name: text (may contain '-', e.g. a port range) */
	FG_ID_NUM,		/* a number (possibly parenthesized): num */
	FG_ID_IPV4,		/* N.N[.N[.N]]: v4 (also a DECnet address for "decnet host") */
	FG_ID_IPV4_PREFIX,	/* v4 '/' prefix */
	FG_ID_IPV4_MASK,	/* v4 "mask" v4mask */
	FG_ID_IPV6,		/* an IPv6 literal: v6 */
	FG_ID_IPV6_PREFIX,	/* v6 '/' prefix */
	FG_ID_MAC,		/* an Ethernet address in any spelling: mac */
	FG_ID_ARCNET,		/* $XX: arcnet */
};

/* A dotted IPv4 literal as written: 2 to 4 parts, each parsed but unchecked. */
struct fg_ipv4 {
	const char *text;	/* as written */
	struct fg_loc at;
	uint8_t nparts;		/* how many parts were given: "10.0" -> 2 */
	uint32_t part[4];	/* decimal (or 0x hex) value of each part, saturated at UINT32_MAX */
};

struct fg_idval {
	enum fg_id_kind kind;
	struct fg_loc at;	/* the whole value: "10.0.0.0 mask 255.0.0.0" */
	const char *text;	/* the (first) token as written, never NULL; names unescaped
				 * ("\tcp" -> "tcp"); a number as written, parentheses included */
	bool escaped;		/* FG_ID_NAME written with a leading backslash */
	uint32_t num;		/* FG_ID_NUM */
	struct fg_ipv4 v4;	/* FG_ID_IPV4* */
	struct fg_ipv4 v4mask;	/* FG_ID_IPV4_MASK */
	uint8_t v6[16];		/* FG_ID_IPV6*, network order */
	uint8_t mac[6];		/* FG_ID_MAC */
	uint8_t arcnet;		/* FG_ID_ARCNET */
	uint32_t prefix;	/* FG_ID_*_PREFIX: the number after '/', unchecked */
	struct fg_loc prefix_at;
};

/* ---- arithmetic (the operands of a relation) ---------------------------- */

enum fg_binop {
	FG_OP_ADD, FG_OP_SUB, FG_OP_MUL, FG_OP_DIV, FG_OP_MOD,
	FG_OP_AND, FG_OP_OR, FG_OP_XOR, FG_OP_LSH, FG_OP_RSH,
};

enum fg_relop {
	FG_REL_GT, FG_REL_GE, FG_REL_EQ,	/* '>' ">=" '=' "==" */
	FG_REL_LE, FG_REL_LT, FG_REL_NE,	/* "<=" '<' "!=" (libpcap: negated jumps) */
};

/* ---- other primitives ---------------------------------------------------- */

enum fg_atm_kind {
	FG_ATM_LANE, FG_ATM_METAC, FG_ATM_BCC, FG_ATM_OAMF4EC, FG_ATM_OAMF4SC,
	FG_ATM_SC, FG_ATM_ILMIC,			/* libpcap's "atmtype" */
	FG_ATM_OAM, FG_ATM_OAMF4, FG_ATM_CONNECTMSG, FG_ATM_METACONNECT,	/* "atmmultitype" */
};

enum fg_mtp2_kind {
	FG_MTP2_FISU, FG_MTP2_LSSU, FG_MTP2_MSU,
	FG_MTP2_HFISU, FG_MTP2_HLSSU, FG_MTP2_HMSU,
};

/* Fields compared with a number: ATM (SunATM) and MTP3 (SS7). */
enum fg_field {
	FG_FIELD_VPI, FG_FIELD_VCI,
	FG_FIELD_SIO, FG_FIELD_OPC, FG_FIELD_DPC, FG_FIELD_SLS,
	FG_FIELD_HSIO, FG_FIELD_HOPC, FG_FIELD_HDPC, FG_FIELD_HSLS,
};

enum fg_llc_kind {
	FG_LLC_ANY,		/* "llc" */
	FG_LLC_I, FG_LLC_S, FG_LLC_U,	/* "llc i|s|u": frame format */
	FG_LLC_S_SUBTYPE,	/* "llc rr|rnr|rej": value */
	FG_LLC_U_SUBTYPE,	/* "llc ui|ua|disc|dm|sabme|test|xid|frmr": value */
};

/* A keyword argument resolved through a fixed table, with its spelling. */
struct fg_named {
	const char *name;	/* NULL when written as a number */
	uint32_t value;
	const char *os;		/* PF values that exist on one OS only ("FreeBSD"...), else NULL */
	struct fg_loc at;
};

/* ---- nodes --------------------------------------------------------------- */

enum fg_node_kind {
	/* Boolean structure.  and/or are n-ary (left-to-right chains of the
	 * same operator are flattened); libpcap gives them equal precedence,
	 * left-associative, so "a or b and c" is (and (or a b) c). */
	FG_N_AND,		/* u.list: every kid matches */
	FG_N_OR,		/* u.list: some kid matches */
	FG_N_NOT,		/* u.list.kids[0] does not match (nkids == 1) */

	FG_N_ID,		/* [proto] [dir] [type] value: u.id */
	FG_N_PROTO,		/* a protocol keyword on its own: "tcp", "ip6": u.proto */
	FG_N_REL,		/* arth relop arth: u.rel */
	FG_N_BROADCAST,		/* [proto] broadcast: u.proto (FG_PROTO_DEFAULT if none) */
	FG_N_MULTICAST,		/* [proto] multicast: u.proto */
	FG_N_LESS,		/* less N: u.num */
	FG_N_GREATER,		/* greater N: u.num */
	FG_N_BYTE,		/* byte N op M: u.byte */
	FG_N_INBOUND, FG_N_OUTBOUND,
	FG_N_IFINDEX,		/* ifindex N: u.num */
	FG_N_VLAN,		/* vlan [N]: u.opt */
	FG_N_MPLS,		/* mpls [N]: u.opt */
	FG_N_PPPOED,
	FG_N_PPPOES,		/* pppoes [N]: u.opt */
	FG_N_GENEVE,		/* geneve [N]: u.opt */
	FG_N_VXLAN,		/* vxlan [N]: u.opt */
	FG_N_BATADV,		/* batadv [version [type]]: u.batadv */
	FG_N_PF_IFNAME,		/* ifname|on NAME: u.text */
	FG_N_PF_RSET,		/* rset|ruleset NAME: u.text */
	FG_N_PF_RNR,		/* rnr|rulenum N: u.num */
	FG_N_PF_SRNR,		/* srnr|subrulenum N: u.num */
	FG_N_PF_REASON,		/* reason NAME|N: u.named */
	FG_N_PF_ACTION,		/* action NAME: u.named */
	FG_N_WLAN_TYPE,		/* [proto] type T [subtype S] | [proto] subtype S: u.wlan */
	FG_N_WLAN_DIR,		/* [proto] dir D: u.wlan (dir) */
	FG_N_LLC,		/* llc [kind]: u.llc */
	FG_N_ATM,		/* lane, oamf4, metaconnect ...: u.atm */
	FG_N_FIELD,		/* vpi|vci|sio|opc|dpc|sls|h* relop N: u.field */
	FG_N_MTP2,		/* fisu, lssu, msu, hfisu ...: u.mtp2 */

	/* Arithmetic, only below FG_N_REL. */
	FG_N_NUM,		/* u.num */
	FG_N_LEN,		/* len, length */
	FG_N_LOAD,		/* proto[expr] / proto[expr : size]: u.load */
	FG_N_BINOP,		/* u.bin */
	FG_N_NEG,		/* unary minus: u.list.kids[0] */
};

struct fg_node {
	enum fg_node_kind kind;
	struct fg_loc loc;	/* the whole construct in the source */
	uint32_t depth;		/* 1 for a leaf */
	union {
		struct {
			struct fg_node **kids;
			size_t nkids;
			size_t cap;		/* internal: allocated length of kids */
		} list;
		struct {
			struct fg_qual q;
			struct fg_idval v;
		} id;
		struct {
			uint32_t value;
			const char *name;	/* named constants ("tcp-syn", "icmptype"), else NULL */
		} num;
		uint8_t proto;			/* enum fg_proto */
		const char *text;
		struct {
			enum fg_relop op;
			struct fg_node *lhs, *rhs;
		} rel;
		struct {
			enum fg_binop op;
			struct fg_node *lhs, *rhs;
		} bin;
		struct {
			uint8_t proto;		/* enum fg_proto, never DEFAULT */
			struct fg_node *index;
			uint32_t size;		/* 1, 2 or 4 */
		} load;
		struct {
			uint32_t offset;
			char op;		/* '&' '|' '<' '>' '=' */
			uint32_t value;
		} byte;
		struct {
			bool has;		/* the number was given */
			uint32_t value;
		} opt;
		struct {
			bool has_version, has_type;
			uint32_t version;	/* 14 or 15 when has_type by name */
			uint32_t type;		/* when has_type and !type_name */
			const char *type_name;	/* "batadv 15 NAME", resolved later */
		} batadv;
		struct fg_named named;
		struct {
			uint8_t proto;		/* the optional qualifier, usually wlan or DEFAULT */
			uint32_t value;		/* frame-control bits: type | subtype, or the direction */
			uint32_t mask;		/* which bits value covers (0x0c, 0xfc; 0x03 for dir) */
			struct fg_named type, subtype;	/* spellings (name NULL if absent/numeric) */
		} wlan;
		struct {
			enum fg_llc_kind kind;
			struct fg_named sub;	/* subtype name and value */
		} llc;
		enum fg_atm_kind atm;
		enum fg_mtp2_kind mtp2;
		struct {
			enum fg_field field;
			enum fg_relop op;
			uint32_t value;
		} field;
	} u;
};

/*
 * Parse src[0, len) into a tree in arena.
 * Returns 0 and *out (NULL for an empty or all-blank expression: "accept
 * everything"); -EINVAL with diag filled (position of the offending token,
 * a message saying what was expected); -ENOMEM when an allocation failed;
 * -E2BIG when the expression nests deeper than FG_AST_MAX_DEPTH or is too
 * long (diag filled).  diag may be NULL.
 */
int fg_parse(struct fg_arena *arena, const char *src, size_t len,
	     struct fg_node **out, struct fg_diag *diag);

/*
 * S-expression text of a tree for tests and --dump-ast, NUL-terminated in
 * buf[size].  Returns the length written, or -ENOSPC (buf holds a truncated
 * dump), -EINVAL if buf is NULL or size 0.
 */
int fg_ast_dump(const struct fg_node *n, char *buf, size_t size);

/* Spellings used by the dump and by diagnostics. */
const char *fg_proto_name(unsigned proto);
const char *fg_dir_name(unsigned dir);
const char *fg_addr_name(unsigned addr);

/* ---- constructors (ast.c), used by the grammar's actions ---------------- */

/* Each returns NULL on allocation failure (the arena's failed flag is set). */
struct fg_node *fg_node_new(struct fg_arena *a, enum fg_node_kind kind, struct fg_loc loc);
/* and/or: appends to l when l is already the same operator (flattening). */
struct fg_node *fg_node_bool(struct fg_arena *a, enum fg_node_kind kind,
			     struct fg_node *l, struct fg_node *r);
struct fg_node *fg_node_unary(struct fg_arena *a, enum fg_node_kind kind,
			      struct fg_loc loc, struct fg_node *kid);
struct fg_node *fg_node_binop(struct fg_arena *a, enum fg_binop op,
			      struct fg_node *l, struct fg_node *r);
struct fg_node *fg_node_rel(struct fg_arena *a, enum fg_relop op,
			    struct fg_node *l, struct fg_node *r);
struct fg_node *fg_node_num(struct fg_arena *a, struct fg_loc loc,
			    uint32_t value, const char *name);
struct fg_node *fg_node_id(struct fg_arena *a, struct fg_loc loc,
			   const struct fg_qual *q, const struct fg_idval *v);

#endif /* PFC_FG_AST_H */
