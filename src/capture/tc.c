/*
 * tc.c -- classic BPF filters on a device's clsact qdisc, through rtnetlink
 * with libnl-3 / libnl-route-3.
 *
 * libnl has no cls_bpf or clsact module: the qdisc, the classifier and the
 * mirred action are its generic objects, the TCA_BPF_* options are put by
 * hand into the classifier's request, and dumps are parsed here.
 *
 * Which filters are pfc's: their handle carries CAP_TC_HANDLE_TAG (the
 * kernel keeps no name for a classic cls_bpf program, but it keeps the
 * handle, and shows it).  Whether pfc created the clsact qdisc: every
 * filter pfc adds to a qdisc it created carries CAP_TC_HANDLE_OWNER, and a
 * filter added later inherits the bit from any pfc filter on the device,
 * so the fact lives as long as one of pfc's filters does.  Detach removes
 * the qdisc only when a filter it removed had the bit and no filter at all
 * (pfc's or anyone's) is left on either hook.
 * Keeps true: nothing here prints; a failed attach leaves the device as it
 * found it.
 */
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/act/mirred.h>
#include <netlink/route/action.h>
#include <netlink/route/classifier.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>

#include "cbpf.h"
#include "tc_int.h"

#define CLSACT_PARENT TC_H_CLSACT
#define CLSACT_HANDLE TC_H_MAKE(TC_H_CLSACT, 0)

struct tc_ctx {
	struct nl_sock *sk;
	const char *ifname;
	int ifindex;
	char *err;
	size_t errlen;
};

/* libnl's error codes back to errno values (libnl maps the kernel's errno to them). */
static int nl_errno(int nle)
{
	static const struct { int nle, err; } map[] = {
		{ NLE_INTR, EINTR }, { NLE_AGAIN, EAGAIN }, { NLE_NOMEM, ENOMEM },
		{ NLE_EXIST, EEXIST }, { NLE_INVAL, EINVAL }, { NLE_RANGE, ERANGE },
		{ NLE_MSGSIZE, EMSGSIZE }, { NLE_OPNOTSUPP, EOPNOTSUPP },
		{ NLE_AF_NOSUPPORT, EAFNOSUPPORT }, { NLE_OBJ_NOTFOUND, ENOENT },
		{ NLE_BUSY, EBUSY }, { NLE_NOACCESS, EACCES }, { NLE_PERM, EPERM },
		{ NLE_NODEV, ENODEV }, { NLE_NOADDR, EADDRNOTAVAIL },
	};
	size_t i;

	if (nle < 0)
		nle = -nle;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].nle == nle)
			return -map[i].err;
	return -EIO;
}

static int ctx_open(struct tc_ctx *c, const char *ifname, char *errbuf, size_t errlen)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->ifname = ifname ? ifname : "";
	c->err = errbuf;
	c->errlen = errlen;
	if (!ifname || strlen(ifname) >= IFNAMSIZ || (c->ifindex = (int)if_nametoindex(ifname)) == 0)
		return tc_err(errbuf, errlen, -ENODEV, "%s: no such device", c->ifname);
	c->sk = nl_socket_alloc();
	if (!c->sk)
		return tc_err(errbuf, errlen, -ENOMEM, "out of memory");
	rc = nl_connect(c->sk, NETLINK_ROUTE);
	if (rc < 0) {
		nl_socket_free(c->sk);
		c->sk = NULL;
		return tc_err(errbuf, errlen, nl_errno(rc), "rtnetlink: %s", nl_geterror(rc));
	}
	return 0;
}

static void ctx_close(struct tc_ctx *c)
{
	if (c->sk)
		nl_socket_free(c->sk);
	c->sk = NULL;
}

static uint32_t hook_parent(enum cap_tc_hook hook)
{
	return TC_H_MAKE(TC_H_CLSACT, hook == CAP_TC_EGRESS ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS);
}

/* ---- dumps ---------------------------------------------------------------- */

/* Send a dump request (tcmsg t) and feed every answer to cb. */
static int dump(struct tc_ctx *c, int type, const struct tcmsg *t, nl_recvmsg_msg_cb_t cb, void *arg)
{
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_DUMP);
	int rc;

	if (!msg)
		return -ENOMEM;
	rc = nlmsg_append(msg, (void *)t, sizeof(*t), NLMSG_ALIGNTO);
	if (rc == 0)
		rc = nl_send_auto(c->sk, msg);
	nlmsg_free(msg);
	if (rc < 0)
		return nl_errno(rc);
	nl_socket_modify_cb(c->sk, NL_CB_VALID, NL_CB_CUSTOM, cb, arg);
	rc = nl_recvmsgs_default(c->sk);
	nl_socket_modify_cb(c->sk, NL_CB_VALID, NL_CB_DEFAULT, NULL, NULL);
	return rc < 0 ? nl_errno(rc) : 0;
}

struct qdisc_arg {
	int ifindex;
	char kind[16];
};

static int qdisc_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct tcmsg *t = nlmsg_data(h);
	struct qdisc_arg *q = arg;
	struct nlattr *tb[TCA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWQDISC || t->tcm_ifindex != q->ifindex ||
	    t->tcm_parent != CLSACT_PARENT)
		return NL_OK;
	if (nlmsg_parse(h, sizeof(*t), tb, TCA_MAX, NULL) == 0 && tb[TCA_KIND])
		nla_strlcpy(q->kind, tb[TCA_KIND], sizeof(q->kind));
	return NL_OK;
}

/* The kind of the qdisc at ffff:fff1 ("clsact", "ingress") in kind, "" if none. */
static int find_qdisc(struct tc_ctx *c, char kind[16])
{
	struct qdisc_arg q = { c->ifindex, "" };
	struct tcmsg t = { .tcm_family = AF_UNSPEC, .tcm_ifindex = c->ifindex };
	int rc = dump(c, RTM_GETQDISC, &t, qdisc_cb, &q);

	if (rc < 0)
		return tc_err(c->err, c->errlen, rc, "%s: cannot list qdiscs: %s", c->ifname,
			      strerror(-rc));
	memcpy(kind, q.kind, sizeof(q.kind));
	return 0;
}

struct filter_arg {
	enum cap_tc_hook hook;
	struct cap_tc_list *list;
	int failed;
};

static void describe_action(struct nlattr *a, char *buf, size_t size)
{
	struct nlattr *tb[TCA_ACT_MAX + 1], *ob[TCA_MIRRED_MAX + 1];
	static const char *const how[] = { "?", "egress redirect", "egress mirror",
					   "ingress redirect", "ingress mirror" };
	char kind[32] = "?", dev[IF_NAMESIZE] = "?";
	size_t len = strlen(buf);
	struct tc_mirred *m;

	if (nla_parse_nested(tb, TCA_ACT_MAX, a, NULL) < 0)
		return;
	if (tb[TCA_ACT_KIND])
		nla_strlcpy(kind, tb[TCA_ACT_KIND], sizeof(kind));
	if (strcmp(kind, "mirred") != 0 || !tb[TCA_ACT_OPTIONS] ||
	    nla_parse_nested(ob, TCA_MIRRED_MAX, tb[TCA_ACT_OPTIONS], NULL) < 0 ||
	    !ob[TCA_MIRRED_PARMS] || nla_len(ob[TCA_MIRRED_PARMS]) < (int)sizeof(*m)) {
		snprintf(buf + len, size - len, "%s%s", len ? ", " : "", kind);
		return;
	}
	m = nla_data(ob[TCA_MIRRED_PARMS]);
	if (!if_indextoname(m->ifindex, dev))
		snprintf(dev, sizeof(dev), "#%u", m->ifindex);
	snprintf(buf + len, size - len, "%smirred %s dev %s", len ? ", " : "",
		 m->eaction >= 1 && m->eaction <= 4 ? how[m->eaction] : "?", dev);
}

/* The TCA_OPTIONS of a bpf filter into f. */
static int parse_bpf(struct nlattr *opts, struct cap_tc_filter *f)
{
	struct nlattr *ob[TCA_BPF_MAX + 1], *a;
	int rem;

	if (nla_parse_nested(ob, TCA_BPF_MAX, opts, NULL) < 0)
		return 0;
	if (ob[TCA_BPF_FLAGS])
		f->direct_action = (nla_get_u32(ob[TCA_BPF_FLAGS]) & TCA_BPF_FLAG_ACT_DIRECT) != 0;
	if (ob[TCA_BPF_NAME])
		nla_strlcpy(f->name, ob[TCA_BPF_NAME], sizeof(f->name));
	if (ob[TCA_BPF_ID])
		f->prog_id = nla_get_u32(ob[TCA_BPF_ID]);
	if (ob[TCA_BPF_ACT])
		nla_for_each_nested(a, ob[TCA_BPF_ACT], rem)
			describe_action(a, f->actions, sizeof(f->actions));
	if (ob[TCA_BPF_OPS] && nla_len(ob[TCA_BPF_OPS]) >= (int)sizeof(struct cbpf_insn)) {
		f->ninsns = (size_t)nla_len(ob[TCA_BPF_OPS]) / sizeof(struct cbpf_insn);
		f->insns = malloc(f->ninsns * sizeof(struct cbpf_insn));
		if (!f->insns)
			return -ENOMEM;
		memcpy(f->insns, nla_data(ob[TCA_BPF_OPS]), f->ninsns * sizeof(struct cbpf_insn));
	}
	return 0;
}

static int filter_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct tcmsg *t = nlmsg_data(h);
	struct filter_arg *fa = arg;
	struct nlattr *tb[TCA_MAX + 1];
	struct cap_tc_filter *f, *grown;

	/* handle 0: the classifier instance of a prio, not a filter */
	if (h->nlmsg_type != RTM_NEWTFILTER || t->tcm_handle == 0 ||
	    nlmsg_parse(h, sizeof(*t), tb, TCA_MAX, NULL) < 0)
		return NL_OK;
	grown = realloc(fa->list->filters, (fa->list->n + 1) * sizeof(*grown));
	if (!grown) {
		fa->failed = -ENOMEM;
		return NL_STOP;
	}
	fa->list->filters = grown;
	f = &grown[fa->list->n++];
	memset(f, 0, sizeof(*f));
	f->hook = fa->hook;
	f->prio = TC_H_MAJ(t->tcm_info) >> 16;
	f->handle = t->tcm_handle;
	if (tb[TCA_KIND])
		nla_strlcpy(f->kind, tb[TCA_KIND], sizeof(f->kind));
	if (strcmp(f->kind, "bpf") == 0 && tb[TCA_OPTIONS] && parse_bpf(tb[TCA_OPTIONS], f) < 0) {
		fa->failed = -ENOMEM;
		return NL_STOP;
	}
	/* pfc's: a classic program, or an eBPF one (pfc tc attach --ebpf), with pfc's tag */
	f->pfc = strcmp(f->kind, "bpf") == 0 && (f->insns || f->prog_id) &&
		 (f->handle & CAP_TC_HANDLE_TAG_MASK) == CAP_TC_HANDLE_TAG;
	f->owns_qdisc = f->pfc && (f->handle & CAP_TC_HANDLE_OWNER);
	return NL_OK;
}

/* Append the filters of one hook to list (the qdisc must exist). */
static int list_hook(struct tc_ctx *c, enum cap_tc_hook hook, struct cap_tc_list *list)
{
	struct tcmsg t = { .tcm_family = AF_UNSPEC, .tcm_ifindex = c->ifindex,
			   .tcm_parent = hook_parent(hook) };
	struct filter_arg fa = { hook, list, 0 };
	int rc;

	if (hook == CAP_TC_EGRESS && strcmp(list->qdisc, "clsact") != 0)
		return 0;	/* an ingress qdisc has no egress hook */
	rc = dump(c, RTM_GETTFILTER, &t, filter_cb, &fa);
	if (fa.failed)
		rc = fa.failed;
	if (rc < 0)
		return tc_err(c->err, c->errlen, rc, "%s: cannot list the %s filters: %s", c->ifname,
			      cap_tc_hook_name(hook), strerror(-rc));
	return 0;
}

static int list_all(struct tc_ctx *c, struct cap_tc_list *list)
{
	int rc;

	memset(list, 0, sizeof(*list));
	rc = find_qdisc(c, list->qdisc);
	if (rc == 0 && list->qdisc[0])
		rc = list_hook(c, CAP_TC_INGRESS, list);
	if (rc == 0 && list->qdisc[0])
		rc = list_hook(c, CAP_TC_EGRESS, list);
	if (rc < 0)
		cap_tc_list_free(list);
	return rc;
}

void cap_tc_list_free(struct cap_tc_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->n; i++)
		free(list->filters[i].insns);
	free(list->filters);
	list->filters = NULL;
	list->n = 0;
}

int cap_tc_list(const char *ifname, struct cap_tc_list *out, char *errbuf, size_t errlen)
{
	struct tc_ctx c;
	int rc = ctx_open(&c, ifname, errbuf, errlen);

	memset(out, 0, sizeof(*out));
	if (rc == 0)
		rc = list_all(&c, out);
	ctx_close(&c);
	return rc;
}

/* ---- the qdisc -------------------------------------------------------------- */

static struct rtnl_qdisc *clsact_obj(struct tc_ctx *c)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();

	if (!q)
		return NULL;
	rtnl_tc_set_ifindex(TC_CAST(q), c->ifindex);
	rtnl_tc_set_parent(TC_CAST(q), CLSACT_PARENT);
	rtnl_tc_set_handle(TC_CAST(q), CLSACT_HANDLE);
	if (rtnl_tc_set_kind(TC_CAST(q), "clsact") < 0) {
		rtnl_qdisc_put(q);
		return NULL;
	}
	return q;
}

/* Add (add = 1) or delete the clsact qdisc. */
static int clsact(struct tc_ctx *c, int add)
{
	struct rtnl_qdisc *q = clsact_obj(c);
	int rc;

	if (!q)
		return tc_err(c->err, c->errlen, -ENOMEM, "out of memory");
	rc = add ? rtnl_qdisc_add(c->sk, q, NLM_F_CREATE | NLM_F_EXCL) : rtnl_qdisc_delete(c->sk, q);
	rtnl_qdisc_put(q);
	if (rc < 0)
		return tc_err(c->err, c->errlen, nl_errno(rc), "%s: cannot %s the clsact qdisc: %s",
			      c->ifname, add ? "add" : "delete", strerror(-nl_errno(rc)));
	return 0;
}

/* ---- filters ---------------------------------------------------------------- */

static struct rtnl_cls *bpf_obj(struct tc_ctx *c, enum cap_tc_hook hook, uint32_t prio,
				uint32_t handle)
{
	struct rtnl_cls *cls = rtnl_cls_alloc();

	if (!cls)
		return NULL;
	rtnl_tc_set_ifindex(TC_CAST(cls), c->ifindex);
	rtnl_tc_set_parent(TC_CAST(cls), hook_parent(hook));
	rtnl_tc_set_handle(TC_CAST(cls), handle);
	rtnl_cls_set_prio(cls, (uint16_t)prio);
	rtnl_cls_set_protocol(cls, ETH_P_ALL);
	if (rtnl_tc_set_kind(TC_CAST(cls), "bpf") < 0) {
		rtnl_cls_put(cls);
		return NULL;
	}
	return cls;
}

/*
 * The mirred action that copies a packet out of the device ifindex; its
 * verdict TC_ACT_UNSPEC sends the original on to the next filter, so a
 * mirror never changes what the other filters decide.
 */
static int put_mirror(struct nl_msg *msg, int ifindex)
{
	struct rtnl_act *act = rtnl_act_alloc();
	int rc = -NLE_NOMEM;

	if (act && rtnl_tc_set_kind(TC_CAST(act), "mirred") == 0) {
		rtnl_mirred_set_action(act, TCA_EGRESS_MIRROR);
		rtnl_mirred_set_policy(act, TC_ACT_UNSPEC);
		rtnl_mirred_set_ifindex(act, (uint32_t)ifindex);
		rc = rtnl_act_fill(msg, TCA_BPF_ACT, act);
	}
	if (act)
		rtnl_act_put(act);
	return rc;
}

struct new_filter {
	enum cap_tc_hook hook;
	uint32_t prio, handle;
	const struct cbpf_insn *insns;
	size_t n;
	int direct_action;
	int mirror_ifindex;
	int prog_fd;		/* >= 0: an eBPF program instead of insns */
	const char *prog_name;
};

/* The program: classic instructions (TCA_BPF_OPS), or an eBPF program's fd and name. */
static int put_program(struct nl_msg *msg, const struct new_filter *nf)
{
	if (nf->prog_fd >= 0)
		return nla_put_u32(msg, TCA_BPF_FD, (uint32_t)nf->prog_fd) == 0 &&
		       nla_put_string(msg, TCA_BPF_NAME, nf->prog_name) == 0 ? 0 : -NLE_NOMEM;
	return nla_put_u16(msg, TCA_BPF_OPS_LEN, (uint16_t)nf->n) == 0 &&
	       nla_put(msg, TCA_BPF_OPS, (int)(nf->n * sizeof(*nf->insns)), nf->insns) == 0 ?
	       0 : -NLE_NOMEM;
}

static int add_filter(struct tc_ctx *c, const struct new_filter *nf)
{
	struct rtnl_cls *cls = bpf_obj(c, nf->hook, nf->prio, nf->handle);
	struct nl_msg *msg = NULL;
	struct nlattr *opts;
	int rc = -NLE_NOMEM;

	if (cls)
		rc = rtnl_cls_build_add_request(cls, NLM_F_CREATE | NLM_F_EXCL, &msg);
	if (rc == 0) {
		rc = -NLE_NOMEM;
		opts = nla_nest_start(msg, TCA_OPTIONS);
		if (opts && put_program(msg, nf) == 0)
			rc = nf->direct_action ?
				nla_put_u32(msg, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT) :
				put_mirror(msg, nf->mirror_ifindex);
		if (rc == 0) {
			nla_nest_end(msg, opts);
			rc = nl_send_sync(c->sk, msg);	/* frees msg */
			msg = NULL;
		}
	}
	nlmsg_free(msg);
	if (cls)
		rtnl_cls_put(cls);
	return rc < 0 ? nl_errno(rc) : 0;
}

static int del_filter(struct tc_ctx *c, const struct cap_tc_filter *f)
{
	struct rtnl_cls *cls = bpf_obj(c, f->hook, f->prio, f->handle);
	int rc;

	if (!cls)
		return tc_err(c->err, c->errlen, -ENOMEM, "out of memory");
	rc = rtnl_cls_delete(c->sk, cls, 0);
	rtnl_cls_put(cls);
	if (rc < 0)
		return tc_err(c->err, c->errlen, nl_errno(rc),
			      "%s: cannot delete the %s filter prio %u handle 0x%x: %s", c->ifname,
			      cap_tc_hook_name(f->hook), f->prio, f->handle,
			      strerror(-nl_errno(rc)));
	return 0;
}

/* ---- attach ----------------------------------------------------------------- */

static int detach(struct tc_ctx *c, enum cap_tc_hook hook, uint32_t prio, uint32_t handle,
		  unsigned *removed, int *qdisc_removed);

static int check_opts(struct tc_ctx *c, const struct cap_tc_opts *o, int *mirror_ifindex)
{
	if (o->sz < sizeof(*o) || o->prio > 0xffff ||
	    (o->action != CAP_TC_DROP && o->action != CAP_TC_PASS && o->action != CAP_TC_MIRROR))
		return tc_err(c->err, c->errlen, -EINVAL, "invalid TC options");
	if (o->action != CAP_TC_MIRROR)
		return 0;
	if (!o->mirror_dev || strlen(o->mirror_dev) >= IFNAMSIZ ||
	    (*mirror_ifindex = (int)if_nametoindex(o->mirror_dev)) == 0)
		return tc_err(c->err, c->errlen, -ENODEV, "%s: no such device (mirror target)",
			      o->mirror_dev ? o->mirror_dev : "");
	return 0;
}

/* The handle of the next pfc filter on a device whose filters are in l. */
static int next_handle(struct tc_ctx *c, const struct cap_tc_list *l, int created, uint32_t *handle)
{
	uint32_t seq = 0, owner = created ? CAP_TC_HANDLE_OWNER : 0;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (!l->filters[i].pfc)
			continue;
		if ((l->filters[i].handle & 0xffff) > seq)
			seq = l->filters[i].handle & 0xffff;
		if (l->filters[i].owns_qdisc)
			owner = CAP_TC_HANDLE_OWNER;
	}
	if (seq >= 0xffff)
		return tc_err(c->err, c->errlen, -ENOSPC, "%s: no free pfc filter handle", c->ifname);
	*handle = CAP_TC_HANDLE_TAG | owner | (seq + 1);
	return 0;
}

/* A prio taken by a filter that cannot share it (another kind). */
static int check_prio(struct tc_ctx *c, const struct cap_tc_list *l, enum cap_tc_hook hook,
		      uint32_t prio)
{
	size_t i;

	for (i = 0; prio && i < l->n; i++)
		if (l->filters[i].hook == hook && l->filters[i].prio == prio &&
		    strcmp(l->filters[i].kind, "bpf") != 0)
			return tc_err(c->err, c->errlen, -EEXIST,
				      "%s: prio %u of the %s hook holds a %s filter", c->ifname,
				      prio, cap_tc_hook_name(hook), l->filters[i].kind);
	return 0;
}

/* Ensure the qdisc: *created 1 when this call added it. */
static int ensure_qdisc(struct tc_ctx *c, enum cap_tc_hook hook, int *created)
{
	char kind[16];
	int rc = find_qdisc(c, kind);

	*created = 0;
	if (rc < 0)
		return rc;
	if (strcmp(kind, "clsact") == 0 || (strcmp(kind, "ingress") == 0 && hook == CAP_TC_INGRESS))
		return 0;
	if (kind[0])
		return tc_err(c->err, c->errlen, -EOPNOTSUPP,
			      "%s: the device has an %s qdisc, which has no %s hook (replace it "
			      "with clsact)", c->ifname, kind, cap_tc_hook_name(hook));
	rc = clsact(c, 1);
	*created = rc == 0;
	return rc;
}

/* Find the filter just added (its handle is unique on the device) into out. */
static int report(struct tc_ctx *c, const struct new_filter *nf, struct cap_tc_filter *out)
{
	struct cap_tc_list l;
	size_t i;
	int rc = list_all(c, &l);

	if (rc < 0)
		return rc;
	rc = tc_err(c->err, c->errlen, -ENOENT, "%s: the new filter disappeared", c->ifname);
	for (i = 0; i < l.n; i++)
		if (l.filters[i].hook == nf->hook && l.filters[i].handle == nf->handle) {
			*out = l.filters[i];
			out->insns = NULL;
			out->ninsns = 0;
			rc = 0;
			break;
		}
	cap_tc_list_free(&l);
	return rc;
}

static int attach(struct tc_ctx *c, enum cap_tc_hook hook, struct new_filter *nf,
		  const struct cap_tc_opts *o, struct cap_tc_filter *out)
{
	struct cap_tc_list l = { "", NULL, 0 };
	int created = 0, rc;

	rc = ensure_qdisc(c, hook, &created);
	if (rc == 0)
		rc = list_all(c, &l);
	if (rc == 0)
		rc = check_prio(c, &l, hook, o->prio);
	if (rc == 0)
		rc = next_handle(c, &l, created, &nf->handle);
	cap_tc_list_free(&l);
	if (rc == 0) {
		rc = add_filter(c, nf);
		if (rc < 0)
			tc_err(c->err, c->errlen, rc, "%s: cannot add the %s filter: %s", c->ifname,
			       cap_tc_hook_name(hook), strerror(-rc));
	}
	if (rc == 0 && out) {
		rc = report(c, nf, out);
		if (rc < 0) {	/* added but not found again: take it back */
			unsigned removed = 0;
			int qdisc_removed = 0;

			detach(c, hook, 0, nf->handle, &removed, &qdisc_removed);
			created = created && !qdisc_removed;
		}
	}
	if (rc < 0 && created) {
		char keep[256];

		/* keep the first error's message */
		snprintf(keep, sizeof(keep), "%s", c->err ? c->err : "");
		clsact(c, 0);
		if (c->err)
			snprintf(c->err, c->errlen, "%s", keep);
	}
	return rc;
}

int cap_tc_attach(const char *ifname, enum cap_tc_hook hook, const struct cbpf_insn *prog,
		  size_t n, const struct cap_tc_opts *opts, struct cap_tc_filter *out,
		  char *errbuf, size_t errlen)
{
	struct cap_tc_opts dflt;
	struct new_filter nf;
	struct cbpf_insn *p = NULL;
	struct cbpf_diag diag;
	struct tc_ctx c;
	size_t np = 0;
	int rc;

	if (!opts) {
		cap_tc_opts_init(&dflt);
		opts = &dflt;
	}
	memset(&nf, 0, sizeof(nf));
	rc = ctx_open(&c, ifname, errbuf, errlen);
	if (rc == 0)
		rc = check_opts(&c, opts, &nf.mirror_ifindex);
	if (rc == 0 && (hook != CAP_TC_INGRESS && hook != CAP_TC_EGRESS))
		rc = tc_err(errbuf, errlen, -EINVAL, "invalid TC hook %d", (int)hook);
	nf.prog_fd = opts->prog_fd;
	nf.prog_name = opts->prog_name ? opts->prog_name : "pfc";
	if (rc == 0 && nf.prog_fd < 0 && cbpf_validate(prog, n, CBPF_FLAVOR_SOCKET, &diag) < 0)
		rc = tc_err(errbuf, errlen, -EINVAL, "invalid program: %s", diag.msg);
	if (rc == 0 && nf.prog_fd < 0) {
		rc = tc_prog_rewrite(prog, n, opts->action, &p, &np);
		if (rc < 0)
			tc_err(errbuf, errlen, rc, "%s", rc == -ENOMEM ? "out of memory" :
			       "the program is too long for TC once its returns are rewritten");
	}
	if (rc == 0) {
		nf.hook = hook;
		nf.prio = opts->prio;
		nf.insns = p;
		nf.n = np;
		nf.direct_action = opts->action != CAP_TC_MIRROR;
		rc = attach(&c, hook, &nf, opts, out);
	}
	free(p);
	ctx_close(&c);
	return rc;
}

/* ---- detach ----------------------------------------------------------------- */

/* Remove pfc's filters on hook (at prio, with handle, when not 0), then maybe the qdisc. */
static int detach(struct tc_ctx *c, enum cap_tc_hook hook, uint32_t prio, uint32_t handle,
		  unsigned *removed, int *qdisc_removed)
{
	struct cap_tc_list l;
	int owner = 0, rc = list_all(c, &l);
	size_t i;

	for (i = 0; rc == 0 && i < l.n; i++) {
		const struct cap_tc_filter *f = &l.filters[i];

		if (!f->pfc || f->hook != hook || (prio && f->prio != prio) ||
		    (handle && f->handle != handle))
			continue;
		rc = del_filter(c, f);
		if (rc == 0) {
			(*removed)++;
			owner |= f->owns_qdisc;
		}
	}
	cap_tc_list_free(&l);
	if (rc < 0)
		return rc;
	if (*removed == 0) {
		if (prio)
			return tc_err(c->err, c->errlen, -ENOENT, "%s: no filter of pfc's at prio %u "
				      "of the %s hook", c->ifname, prio, cap_tc_hook_name(hook));
		return tc_err(c->err, c->errlen, -ENOENT, "%s: no filter of pfc's on the %s hook",
			      c->ifname, cap_tc_hook_name(hook));
	}
	rc = owner ? list_all(c, &l) : 0;
	if (rc == 0 && owner && l.n == 0 && strcmp(l.qdisc, "clsact") == 0) {
		rc = clsact(c, 0);
		*qdisc_removed = rc == 0;
	}
	if (owner)
		cap_tc_list_free(&l);
	return rc;
}

int cap_tc_detach(const char *ifname, enum cap_tc_hook hook, const struct cap_tc_opts *opts,
		  unsigned *removed, int *qdisc_removed, char *errbuf, size_t errlen)
{
	unsigned nrem = 0;
	int qrem = 0, rc;
	struct tc_ctx c;

	rc = ctx_open(&c, ifname, errbuf, errlen);
	if (rc == 0 && opts && (opts->sz < sizeof(*opts) || opts->prio > 0xffff))
		rc = tc_err(errbuf, errlen, -EINVAL, "invalid TC options");
	if (rc == 0 && (hook != CAP_TC_INGRESS && hook != CAP_TC_EGRESS))
		rc = tc_err(errbuf, errlen, -EINVAL, "invalid TC hook %d", (int)hook);
	if (rc == 0)
		rc = detach(&c, hook, opts ? opts->prio : 0, 0, &nrem, &qrem);
	ctx_close(&c);
	if (removed)
		*removed = nrem;
	if (qdisc_removed)
		*qdisc_removed = qrem;
	return rc;
}

int tc_detach_filter(const char *ifname, const struct cap_tc_filter *f, char *errbuf, size_t errlen)
{
	unsigned nrem = 0;
	int qrem = 0, rc;
	struct tc_ctx c;

	rc = ctx_open(&c, ifname, errbuf, errlen);
	if (rc == 0)
		rc = detach(&c, f->hook, f->prio, f->handle, &nrem, &qrem);
	ctx_close(&c);
	return rc;
}

int cap_tc_detach_filter(const char *ifname, const struct cap_tc_filter *f, char *errbuf,
			 size_t errlen)
{
	return tc_detach_filter(ifname, f, errbuf, errlen);
}
