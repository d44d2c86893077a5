/*
 * compile.c -- the filter compiler's driver: expression in, cBPF out.
 *
 * parse (grammar.y) -> AST -> lower (lower*.c) -> IR -> emit -> cBPF,
 * all in one arena freed at the end.  Keeps true: nothing leaves this file
 * that the kernel's validator would refuse; a failure anywhere is one
 * negative errno with the diagnostic of the stage that failed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "ir.h"
#include "link.h"
#include "lower.h"
#include "opt.h"

#define DLT_EN10MB_V 1
#define DEFAULT_SNAPLEN 262144u

void fg_compile_opts_init(struct fg_compile_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	opts->linktype = DLT_EN10MB_V;
	opts->snaplen = DEFAULT_SNAPLEN;
	opts->optimize = 1;
}

static void lower_init(struct fg_lower *l, const char *src, struct fg_ir *ir,
		       const struct fg_link *link, const struct fg_compile_opts *o,
		       struct fg_diag *diag)
{
	memset(l, 0, sizeof(*l));
	l->src = src;
	l->ir = ir;
	l->arena = ir->arena;
	l->diag = diag;
	l->link = link;
	l->snaplen = o->snaplen;
	l->linux_ext = o->linux_ext != 0;
	l->savefile = o->savefile != 0;
	l->swapped = o->swapped != 0;
	l->netmask = o->netmask;
	/* libpcap's PCAP_NETMASK_UNKNOWN is all ones */
	l->netmask_known = o->netmask_known != 0 && o->netmask != 0xffffffffu;
	l->off_linkhdr.reg = l->off_linktype.reg = l->off_linkpl.reg = -1;
	l->off_linkhdr.k = link->off_linkhdr;
	l->off_linktype.k = link->off_linktype;
	l->off_linkpl.k = link->off_linkpl;
	l->off_nl = link->off_nl;
	l->off_nl_nosnap = link->off_nl_nosnap;
	l->kind = link->kind;
	l->vh_hdr_reg = l->vh_pl_reg = -1;
	l->mac48 = (link->features & FG_LF_LINK_HOST_MAC48) != 0;
	l->off_mac_dst = link->off_mac_dst;
	l->off_mac_src = link->off_mac_src;
	fg_wlan_setup(l);
}

/* Parse and lower into ir; 0 or a negative errno with diag set. */
static int build_ir(struct fg_arena *a, const char *expr, size_t len,
		    const struct fg_compile_opts *o, struct fg_ir *ir, struct fg_diag *diag)
{
	const struct fg_link *link = fg_link_by_dlt(o->linktype);
	struct fg_node *root = NULL;
	struct fg_lower l;
	struct fg_cond c;
	int rc;

	if (!link) {
		fg_diag_set(diag, 0, 0, "link type %d is not supported by pfc", o->linktype);
		return -EOPNOTSUPP;
	}
	rc = fg_parse(a, expr, len, &root, diag);
	if (rc < 0)
		return rc;
	fg_ir_init(ir, a);
	lower_init(&l, expr, ir, link, o, diag);
	c = fg_lower_node(&l, root);
	if (c.kind == FG_COND_CODE)	/* the radio header's length, 802.11's payload offset */
		c = fg_cond_and(ir, fg_wlan_prologue(&l), c);
	if (l.err)
		return l.err;
	if (c.kind == FG_COND_FALSE && o->optimize) {
		/* what tcpdump reports too: a filter that can never match is a mistake */
		fg_diag_set(diag, 0, len, "expression rejects all packets");
		return -EINVAL;
	}
	rc = fg_ir_finish(ir, c, o->snaplen);
	if (rc == 0)
		rc = fg_ir_init_scratch(ir);
	if (rc == 0 && o->optimize)
		rc = fg_optimize(ir, diag);
	if (rc == 0 && a->failed)
		rc = -ENOMEM;
	return rc;
}

static void opts_or_default(const struct fg_compile_opts *in, struct fg_compile_opts *out)
{
	fg_compile_opts_init(out);
	if (in)
		memcpy(out, in, in->sz < sizeof(*out) ? in->sz : sizeof(*out));
	out->sz = sizeof(*out);
}

/* The IR of an expression in a new arena (destroy it whatever the result). */
static int start(const char *expr, size_t len, const struct fg_compile_opts *opts,
		 struct fg_arena *a, struct fg_ir *ir, struct fg_diag *diag)
{
	struct fg_compile_opts o;

	opts_or_default(opts, &o);
	fg_arena_init(a, o.alloc, o.alloc_ud);
	return build_ir(a, expr, len, &o, ir, diag);
}

/*
 * Emit, then check the program with the kernel's rules.  The kernel checks
 * scratch words walking the program in order, carrying its state past a
 * return; when a layout defeats that walk, every scratch word read is
 * stored at the entry and the program emitted again.
 */
static int emit_checked(struct fg_ir *ir, struct cbpf_insn **out, size_t *n, struct fg_diag *diag)
{
	struct cbpf_diag vd;
	int rc = fg_emit(ir, out, n, diag), again;

	for (again = 1; rc == 0; again--) {
		if (cbpf_validate(*out, *n, CBPF_FLAVOR_SOCKET, &vd) == 0)
			return 0;
		cbpf_free(*out);
		*out = NULL;
		if (!again || !strstr(vd.msg, "before it is stored")) {
			fg_diag_set(diag, 0, 0, "internal error: the program breaks a kernel rule at %d: %s",
				    vd.insn, vd.msg);
			return -EINVAL;
		}
		rc = fg_ir_init_scratch_all(ir);
		if (rc == 0)
			rc = fg_emit(ir, out, n, diag);
	}
	return rc;
}

int fg_compile(const char *expr, size_t len, const struct fg_compile_opts *opts,
	       struct cbpf_insn **out, size_t *n, struct fg_diag *diag)
{
	struct fg_arena a;
	struct fg_ir ir;
	int rc = start(expr, len, opts, &a, &ir, diag);

	if (rc == 0)
		rc = emit_checked(&ir, out, n, diag);
	fg_arena_destroy(&a);
	return rc;
}

int fg_compile_ir(const char *expr, size_t len, const struct fg_compile_opts *opts,
		  char **out, struct fg_diag *diag)
{
	struct fg_arena a;
	struct fg_ir ir;
	int rc = start(expr, len, opts, &a, &ir, diag);

	if (rc == 0)
		rc = fg_ir_dump(&ir, out);
	fg_arena_destroy(&a);
	return rc;
}

int fg_linktype_lookup(const char *name, int *dlt)
{
	const struct fg_link *link = fg_link_by_name(name);

	if (!link)
		return -EOPNOTSUPP;
	*dlt = link->dlt;
	return 0;
}

const char *fg_linktype_name(int dlt)
{
	const struct fg_link *link = fg_link_by_dlt(dlt);

	return link ? link->name : NULL;
}
