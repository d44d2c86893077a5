/*
 * lower_pflog.c -- OpenBSD/FreeBSD pf's log link type (DLT_PFLOG): the
 * pfloghdr fields (`ifname`/`on`, `rset`, `rnr`, `srnr`, `reason`,
 * `action`) and the address family that says what the payload is.
 *
 * The header says its own length (its first byte, padded to 4 bytes), so
 * the payload offset is a scratch word the prologue fills (lower_wlan.c
 * makes the prologue of every link type with variable offsets).
 * Keeps true: names longer than the header's 16-byte fields are errors,
 * never a silently shortened compare.
 */
#include <errno.h>
#include <string.h>

#include "lower.h"

#define ETHERTYPE_IP 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define PF_AF_INET 2u
#define PF_AF_INET6 10u		/* Linux's AF_INET6, as libpcap compiles on Linux */
#define PF_OFF_AF 1u
#define PF_OFF_ACTION 2u
#define PF_OFF_REASON 3u
#define PF_OFF_IFNAME 4u
#define PF_OFF_RULESET 20u
#define PF_OFF_RULENR 36u
#define PF_OFF_SUBRULENR 40u
#define PF_NAMESIZE 16u

struct fg_cond fg_pflog_linktype(struct fg_lower *l, uint32_t proto)
{
	if (proto == ETHERTYPE_IP)
		return fg_gen_eq(l, FG_OR_LINKHDR, PF_OFF_AF, BPF_B, PF_AF_INET);
	if (proto == ETHERTYPE_IPV6)
		return fg_gen_eq(l, FG_OR_LINKHDR, PF_OFF_AF, BPF_B, PF_AF_INET6);
	return fg_cond_const(false);
}

/* M[pl] = the header length rounded up to 4. */
struct fg_cond fg_pflog_prologue(struct fg_lower *l)
{
	struct fg_block *b = fg_block_new(l->ir);
	int rc = 0;

	if (!b)
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	rc |= fg_block_add(l->ir, b, BPF_LD | BPF_B | BPF_ABS, 0);
	rc |= fg_block_add(l->ir, b, BPF_ALU | BPF_ADD | BPF_K, 3);
	rc |= fg_block_add(l->ir, b, BPF_ALU | BPF_AND | BPF_K, 0xfffffffcu);
	rc |= fg_block_add(l->ir, b, BPF_ST, (uint32_t)l->vh_pl_reg);
	if (rc)
		return fg_lower_error(l, 0, 0, -ENOMEM, "out of memory");
	return fg_cond_always(l->ir, b);
}

/* A name field: the name's bytes (without the terminating NUL) at off. */
static struct fg_cond name_field(struct fg_lower *l, const struct fg_node *n, uint32_t off,
				 const char *what)
{
	size_t len = strlen(n->u.text);

	if (len >= PF_NAMESIZE)
		return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
				      "%s names can only be %u characters", what, PF_NAMESIZE - 1);
	return fg_gen_bcmp(l, FG_OR_LINKHDR, off, (const uint8_t *)n->u.text, len);
}

struct fg_cond fg_gen_pflog(struct fg_lower *l, const struct fg_node *n)
{
	if (l->link->kind != FG_LK_PFLOG)
		return fg_lower_error(l, n->loc.off, n->loc.len, -EINVAL,
				      "PF log fields (ifname, rnr, reason, action...) are only on PFLOG, not %s",
				      l->link->name);
	switch (n->kind) {
	case FG_N_PF_IFNAME:
		return name_field(l, n, PF_OFF_IFNAME, "ifname interface");
	case FG_N_PF_RSET:
		return name_field(l, n, PF_OFF_RULESET, "ruleset");
	case FG_N_PF_RNR:
		return fg_gen_eq(l, FG_OR_LINKHDR, PF_OFF_RULENR, BPF_W, n->u.num.value);
	case FG_N_PF_SRNR:
		return fg_gen_eq(l, FG_OR_LINKHDR, PF_OFF_SUBRULENR, BPF_W, n->u.num.value);
	case FG_N_PF_REASON:
		return fg_gen_eq(l, FG_OR_LINKHDR, PF_OFF_REASON, BPF_B, n->u.named.value);
	default:
		return fg_gen_eq(l, FG_OR_LINKHDR, PF_OFF_ACTION, BPF_B, n->u.named.value);
	}
}
