/*
 * lower.h -- lowering the AST into the IR: the compile context, the offset
 * model and the code-generation helpers the per-protocol lowering files
 * (lower_<proto>.c) share.
 *
 * Offsets follow the packet's layers.  The link-layer header starts at
 * off_linkhdr, its type field is at off_linktype, and its payload (the
 * network-layer header) at off_linkpl.  Each is a constant plus, after a
 * variable-length header (geneve, radiotap...), a value kept in a scratch
 * word.  Primitives such as `vlan` and `mpls` move the offsets for what
 * follows them in the expression, as libpcap does.
 */
#ifndef PFC_FG_LOWER_H
#define PFC_FG_LOWER_H

#include "ast.h"
#include "ir.h"
#include "link.h"

/* Where an offset is measured from. */
enum fg_offrel {
	FG_OR_PACKET,		/* the first captured byte */
	FG_OR_LINKHDR,		/* the link-layer header */
	FG_OR_LINKTYPE,		/* the link layer's type field */
	FG_OR_LINKPL,		/* the link-layer payload: the network header */
	FG_OR_LINKPL_NOSNAP,	/* the network header of an 802.2 frame without SNAP */
	FG_OR_LLC,		/* the 802.2 LLC header (the link-layer payload as is) */
	FG_OR_PREV_MPLS,	/* the last MPLS label before the network header */
	FG_OR_TRAN_IPV4,	/* the header after an IPv4 header of variable length */
	FG_OR_TRAN_IPV6		/* the header after a fixed IPv6 header */
};

/* A constant offset plus, when reg >= 0, the value of scratch word M[reg]. */
struct fg_off {
	uint32_t k;
	int reg;
};

struct fg_lower {
	const char *src;		/* the expression, for messages quoting it */
	struct fg_ir *ir;
	struct fg_arena *arena;
	struct fg_diag *diag;
	const struct fg_link *link;
	uint32_t snaplen;
	uint32_t netmask;
	bool netmask_known;
	bool linux_ext;			/* Linux ancillary loads allowed (live socket filters) */
	bool savefile;			/* packets from a capture file (DLT_NULL: any BSD's AF_INET6) */
	bool swapped;			/* ... written in the other byte order */
	struct fg_off off_linkhdr;
	struct fg_off off_linktype;	/* k == FG_OFF_NONE: no type field */
	struct fg_off off_linkpl;
	uint32_t off_nl;		/* network header, from the link-layer payload */
	uint32_t off_nl_nosnap;		/* the same for 802.2 frames without SNAP */
	enum fg_link_kind kind;		/* how the type field reads now (PPP after pppoes...) */
	bool mac48;			/* 6-byte link addresses (Ethernet after SunATM's `lane`...) */
	uint32_t off_mac_dst, off_mac_src;	/* from the link header */
	bool lane;			/* Ethernet inside ATM LANE: LE control frames carry nothing */
	unsigned vlan_depth;
	unsigned label_depth;		/* MPLS labels seen */
	unsigned regs_used;		/* bitmap of scratch words in use */
	int vh_hdr_reg, vh_pl_reg;	/* scratch words of the link's variable offsets, or -1 */
	int err;			/* first error; lowering stops making code after it */
	struct fg_loc cur;		/* the primitive being lowered, for errors without a position */
};

#define FG_OFF_NONE UINT32_MAX

/*
 * Record an error at source bytes [off, off + len) (the current primitive
 * when both are 0) unless one is recorded already; returns constant false.
 */
struct fg_cond fg_lower_error(struct fg_lower *l, size_t off, size_t len, int err,
			      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A new scratch word, or -1 (error recorded) when all 16 are taken. */
int fg_lower_alloc_reg(struct fg_lower *l);

/*
 * Append to b the instructions that load `size` bytes (BPF_B/H/W) at
 * offset `off` from `rel` into A.  May clobber X.  Returns 0 or -ENOMEM.
 */
int fg_gen_load(struct fg_lower *l, struct fg_block *b, enum fg_offrel rel,
		uint32_t off, uint16_t size);

/*
 * A condition: load as fg_gen_load, AND with mask when mask != 0xffffffff,
 * then compare with jop (BPF_JEQ/JGT/JGE/JSET) against v.  reverse swaps
 * the outcome (for <, <=, !=).
 */
/* X = the IPv4 header length (+ the variable part of the payload offset). */
int fg_gen_load_ihl(struct fg_lower *l, struct fg_block *b);

/* Load `size` bytes at rel + A (A holds an index computed at run time). May clobber X and A. */
int fg_gen_load_ind(struct fg_lower *l, struct fg_block *b, enum fg_offrel rel, uint16_t size);

struct fg_cond fg_gen_cmp(struct fg_lower *l, enum fg_offrel rel, uint32_t off, uint16_t size,
			  uint32_t mask, uint16_t jop, bool reverse, uint32_t v);

/* Shorthands for fg_gen_cmp with BPF_JEQ. */
struct fg_cond fg_gen_eq(struct fg_lower *l, enum fg_offrel rel, uint32_t off, uint16_t size,
			 uint32_t v);
struct fg_cond fg_gen_mcmp(struct fg_lower *l, enum fg_offrel rel, uint32_t off, uint16_t size,
			   uint32_t v, uint32_t mask);

/* A block that branches on A (already loaded by the caller's instructions in b). */
struct fg_cond fg_gen_branch(struct fg_lower *l, struct fg_block *b, uint16_t jop, bool reverse,
			     uint32_t v);

/*
 * The link-layer type test for an Ethernet type, an LLC SAP (<= 1500) or a
 * PPP/loopback value as the link type defines (libpcap's gen_linktype).
 */
struct fg_cond fg_gen_linktype(struct fg_lower *l, uint32_t proto);

/* True for the 802.11 directions (ra, ta, addr1-4). */
bool fg_dir_is_80211(enum fg_dir d);

/* One side of a src/dst test: src true for the source. */
typedef struct fg_cond (*fg_side_fn)(struct fg_lower *l, bool src, const void *arg);
/* src, dst, src and dst, or src or dst (the default) of side(). */
struct fg_cond fg_gen_by_dir(struct fg_lower *l, enum fg_dir dir, fg_side_fn side, const void *arg);

/* ---- per-protocol generators (lower_ip.c, lower_port.c, lower_ether.c) ---- */

/* IPv4 host or network: addr/mask against the addresses `dir` selects, for ip, arp, rarp or all three. */
struct fg_cond fg_gen_host4(struct fg_lower *l, enum fg_proto p, enum fg_dir dir, uint32_t addr,
			    uint32_t mask, struct fg_loc at);
/* IPv6 host or network (mask16 all ones for a host). */
struct fg_cond fg_gen_host6(struct fg_lower *l, enum fg_proto p, enum fg_dir dir,
			    const uint8_t addr16[16], const uint8_t mask16[16], struct fg_loc at);
/* [ip|ip6] protochain N (lower_protochain.c). */
struct fg_cond fg_gen_protochain(struct fg_lower *l, enum fg_proto p, uint32_t proto,
				 struct fg_loc at);
/* A DECnet Phase IV address (area << 10 | node). */
struct fg_cond fg_gen_dnhost(struct fg_lower *l, enum fg_dir dir, uint32_t addr, struct fg_loc at);
/* `proto N` under protocol qualifier p (ip, ip6, or both for the default). */
struct fg_cond fg_gen_ipproto(struct fg_lower *l, enum fg_proto p, uint32_t n, struct fg_loc at);
/* A protocol keyword on its own: `tcp`, `ip6`, `arp`, `stp`... */
struct fg_cond fg_gen_proto_abbrev(struct fg_lower *l, enum fg_proto p, struct fg_loc at);
/* Ports and port ranges for tcp, udp, sctp or all three (p FG_PROTO_DEFAULT); lo == hi for a port. */
struct fg_cond fg_gen_portrange(struct fg_lower *l, enum fg_proto p, enum fg_dir dir,
				uint32_t lo, uint32_t hi, struct fg_loc at);

/* ether host / src / dst, by direction. */
struct fg_cond fg_gen_ether_host(struct fg_lower *l, enum fg_dir dir, const uint8_t mac[6],
				 struct fg_loc at);
struct fg_cond fg_gen_broadcast(struct fg_lower *l, enum fg_proto p, struct fg_loc at);
struct fg_cond fg_gen_multicast(struct fg_lower *l, enum fg_proto p, struct fg_loc at);
/* less N (greater false) / greater N. */
struct fg_cond fg_gen_len(struct fg_lower *l, bool greater, uint32_t n);
struct fg_cond fg_gen_inbound(struct fg_lower *l, bool outbound, struct fg_loc at);
struct fg_cond fg_gen_ifindex(struct fg_lower *l, uint32_t ifindex, struct fg_loc at);

/* Encapsulations (lower_encap.c): they move the offsets for what follows. */
struct fg_cond fg_gen_vlan(struct fg_lower *l, bool has_id, uint32_t id, struct fg_loc at);
struct fg_cond fg_gen_mpls(struct fg_lower *l, bool has_label, uint32_t label, struct fg_loc at);
struct fg_cond fg_gen_pppoed(struct fg_lower *l, struct fg_loc at);
struct fg_cond fg_gen_pppoes(struct fg_lower *l, bool has_id, uint32_t id, struct fg_loc at);

/* llc [kind] and byte N op M (lower_llc.c). */
struct fg_cond fg_gen_llc(struct fg_lower *l, const struct fg_node *n);
struct fg_cond fg_gen_byte(struct fg_lower *l, const struct fg_node *n);

/* A relation node (FG_N_REL) of arithmetic expressions. */
struct fg_cond fg_gen_relation(struct fg_lower *l, const struct fg_node *n);

/* A qualified id (FG_N_ID): lower_id.c. */
struct fg_cond fg_lower_id(struct fg_lower *l, const struct fg_node *n);
/* A whole tree (NULL: accept everything): lower.c. */
struct fg_cond fg_lower_node(struct fg_lower *l, const struct fg_node *n);

/* One port over IPv4 only (v6 false) or IPv6 only, no checks on the number. */
struct fg_cond fg_gen_port_af(struct fg_lower *l, bool v6, enum fg_proto p, enum fg_dir dir,
			      uint32_t port);
/* UDP tunnels (lower_tunnel.c): what follows is matched against the inner packet. */
struct fg_cond fg_gen_geneve(struct fg_lower *l, bool has_vni, uint32_t vni, struct fg_loc at);
struct fg_cond fg_gen_vxlan(struct fg_lower *l, bool has_vni, uint32_t vni, struct fg_loc at);

/* Compare a byte string (an address) at an offset, 4/2/1 bytes at a time. */
struct fg_cond fg_gen_bcmp(struct fg_lower *l, enum fg_offrel rel, uint32_t off,
			   const uint8_t *bytes, size_t n);

/* 802.11 and radio headers (lower_wlan.c). */
/* Take the scratch words of the link type's variable offsets (at the start). */
void fg_wlan_setup(struct fg_lower *l);
/* The set-up code that fills them, for the words the lowered filter reads (at the end). */
struct fg_cond fg_wlan_prologue(struct fg_lower *l);
struct fg_cond fg_wlan_data_frame(struct fg_lower *l);
/* FG_N_WLAN_TYPE and FG_N_WLAN_DIR. */
struct fg_cond fg_gen_wlan_fc(struct fg_lower *l, const struct fg_node *n);
struct fg_cond fg_gen_wlan_host(struct fg_lower *l, enum fg_dir dir, const uint8_t mac[6]);
struct fg_cond fg_gen_wlan_multicast(struct fg_lower *l);

/* PFLOG (lower_pflog.c): the type test, the payload offset's set-up, the pfloghdr fields. */
struct fg_cond fg_pflog_linktype(struct fg_lower *l, uint32_t proto);
struct fg_cond fg_pflog_prologue(struct fg_lower *l);
struct fg_cond fg_gen_pflog(struct fg_lower *l, const struct fg_node *n);

/* SS7 over MTP2 (lower_mtp2.c): fisu, lssu, msu (h*), and sio, opc, dpc, sls (h*). */
struct fg_cond fg_gen_mtp2(struct fg_lower *l, const struct fg_node *n);
struct fg_cond fg_gen_ss7_field(struct fg_lower *l, const struct fg_node *n);
/* The jump for a relation, and whether its outcome is reversed (<, <=, !=). */
void fg_relop_jump(enum fg_relop op, uint16_t *jop, bool *reverse);

/* ARCnet (lower_arcnet.c). */
struct fg_cond fg_arcnet_linktype(struct fg_lower *l, uint32_t proto);
struct fg_cond fg_gen_arcnet_host(struct fg_lower *l, const struct fg_node *n);
struct fg_cond fg_gen_arcnet_broadcast(struct fg_lower *l);

/* SunATM (lower_atm.c). */
struct fg_cond fg_sunatm_linktype(struct fg_lower *l, uint32_t proto);
struct fg_cond fg_lane_data(struct fg_lower *l);
struct fg_cond fg_sunatm_llc(struct fg_lower *l);
struct fg_cond fg_gen_atm(struct fg_lower *l, const struct fg_node *n);
struct fg_cond fg_gen_atm_field(struct fg_lower *l, const struct fg_node *n);
/* lower_link.c: the type test of a bare 802.2 header at the link payload. */
struct fg_cond fg_gen_llc_linktype(struct fg_lower *l, uint32_t proto);

/* ---- set tests (lower_set.c): runs of `or`ed ids as one membership test ---- */

/* What a set element tests: IPv4 addresses (host4 semantics) or transport ports. */
enum fg_set_kind { FG_SET_NONE, FG_SET_HOST4, FG_SET_PORT };

/* One id as an interval of a set: kind, qualifiers (dir DEFAULT means src or dst), [lo, hi]. */
struct fg_set_elem {
	enum fg_set_kind kind;
	uint8_t proto;		/* enum fg_proto */
	uint8_t dir;		/* enum fg_dir: DEFAULT, SRC or DST */
	uint32_t lo, hi;
};

/*
 * lower_id.c: describe id node n as one interval of a set test, without
 * making code or recording errors.  Returns false (the id must be lowered
 * on its own) unless n means exactly "some address/port it selects lies in
 * [lo, hi]" with a single direction or "src or dst".
 */
bool fg_id_set_elem(struct fg_lower *l, const struct fg_node *n, struct fg_set_elem *e);

/* lower_port.c: the guard of a port test (IPv4: not a later fragment) for tcp, udp, sctp or all. */
struct fg_cond fg_gen_port_guard_x(struct fg_lower *l, bool v6, enum fg_proto p);
struct fg_cond fg_gen_port_guard(struct fg_lower *l, bool v6, enum fg_proto p);
/*
 * lower_port.c: IPv4 (the ethertype tested by the caller) carrying one of
 * the n protocols t[] and not a later fragment, on one masked word; with
 * set_x, X gets the IPv4 header length on the way.
 */
struct fg_cond fg_gen_ipv4_transport(struct fg_lower *l, const uint32_t *t, size_t n, bool set_x);

/*
 * lower_set.c: if kids[0..n) starts with a run of at least FG_SET_MIN_RUN
 * ids of one set kind and qualifiers, lower the run as one set test into
 * *out and return its length; otherwise return 0 (nothing made).
 */
#define FG_SET_MIN_RUN 1
size_t fg_lower_set_run(struct fg_lower *l, struct fg_node *const *kids, size_t n,
			struct fg_cond *out);

#endif /* PFC_FG_LOWER_H */
