/*
 * tc_tap.c -- a capture point at a device's TC hooks: mirror filters that
 * copy matching packets into a veth pair pfc creates, read on its far end.
 *
 * Order of set-up: the veth pair (no ARP, no IPv6, up), a drop-everything
 * filter at the receiving end's TC ingress (a packet socket there sees the
 * copies first; the stack never does), then one mirror filter per hook on
 * the tapped device.  Tear-down goes the other way.
 * Keeps true: a failed open leaves nothing behind; close removes
 * everything open made, and only that (filters by their exact handle).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "tc_int.h"

struct cap_tc_tap {
	char ifname[IF_NAMESIZE];
	char tx[IF_NAMESIZE];	/* mirror target */
	char rx[IF_NAMESIZE];	/* capture device */
	int veth;		/* the pair exists */
	int nfilters;
	struct cap_tc_filter filters[2];
};

void cap_tc_tap_opts_init(struct cap_tc_tap_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	opts->ingress = 1;
	opts->egress = 1;
}

const char *cap_tc_tap_device(const struct cap_tc_tap *tap)
{
	return tap->rx;
}

/* /proc/sys/net/ipv6/conf/NAME/disable_ipv6 = 1 (absent when IPv6 is off: fine). */
static void no_ipv6(const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, "1\n", 2) < 0) {
		/* best effort: with IPv6 on, the pair may carry router solicitations */
	}
	close(fd);
}

/* Bring name up with IFF_NOARP. */
static int link_up(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *orig = NULL, *chg = rtnl_link_alloc();
	int rc = chg ? rtnl_link_get_kernel(sk, 0, name, &orig) : -NLE_NOMEM;

	if (rc == 0) {
		rtnl_link_set_flags(chg, IFF_UP | IFF_NOARP);
		rc = rtnl_link_change(sk, orig, chg, 0);
	}
	if (orig)
		rtnl_link_put(orig);
	if (chg)
		rtnl_link_put(chg);
	return rc;
}

static int link_del(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *l = rtnl_link_alloc();
	int rc = -NLE_NOMEM;

	if (l) {
		rtnl_link_set_name(l, name);
		rc = rtnl_link_delete(sk, l);
		rtnl_link_put(l);
	}
	return rc;
}

static int make_veth(struct cap_tc_tap *t, char *errbuf, size_t errlen)
{
	struct nl_sock *sk = nl_socket_alloc();
	int rc = sk ? nl_connect(sk, NETLINK_ROUTE) : -NLE_NOMEM;

	if (rc == 0 && (if_nametoindex(t->tx) || if_nametoindex(t->rx)))
		rc = -NLE_EXIST;
	if (rc == 0)
		rc = rtnl_link_veth_add(sk, t->tx, t->rx, getpid());
	t->veth = rc == 0;
	if (rc == 0) {
		no_ipv6(t->tx);
		no_ipv6(t->rx);
		rc = link_up(sk, t->tx);
	}
	if (rc == 0)
		rc = link_up(sk, t->rx);
	if (sk)
		nl_socket_free(sk);
	if (rc < 0)
		return tc_err(errbuf, errlen, rc == -NLE_EXIST ? -EEXIST : rc == -NLE_NOMEM ?
			      -ENOMEM : -EIO, "cannot create the capture devices %s/%s: %s",
			      t->tx, t->rx, nl_geterror(rc));
	return 0;
}

static int drop_veth(struct cap_tc_tap *t, char *errbuf, size_t errlen)
{
	struct nl_sock *sk = nl_socket_alloc();
	int rc = sk ? nl_connect(sk, NETLINK_ROUTE) : -NLE_NOMEM;

	if (rc == 0)
		rc = link_del(sk, t->tx);	/* takes the peer (and its filter) with it */
	if (sk)
		nl_socket_free(sk);
	t->veth = 0;
	if (rc < 0)
		return tc_err(errbuf, errlen, -EIO, "cannot delete the capture devices %s/%s: %s",
			      t->tx, t->rx, nl_geterror(rc));
	return 0;
}

/* Keep the copies out of the stack: drop all at the receiving end's ingress. */
static int sink(struct cap_tc_tap *t, char *errbuf, size_t errlen)
{
	static const struct cbpf_insn all[] = { { BPF_RET | BPF_K, 0, 0, 1 } };

	return cap_tc_attach(t->rx, CAP_TC_INGRESS, all, 1, NULL, NULL, errbuf, errlen);
}

static int mirror(struct cap_tc_tap *t, enum cap_tc_hook hook, const struct cbpf_insn *prog,
		  size_t n, char *errbuf, size_t errlen)
{
	struct cap_tc_opts o;
	int rc;

	cap_tc_opts_init(&o);
	o.action = CAP_TC_MIRROR;
	o.mirror_dev = t->tx;
	rc = cap_tc_attach(t->ifname, hook, prog, n, &o, &t->filters[t->nfilters], errbuf, errlen);
	if (rc == 0)
		t->nfilters++;
	return rc;
}

static int set_names(struct cap_tc_tap *t, const char *ifname, const struct cap_tc_tap_opts *o)
{
	char stem[IF_NAMESIZE];

	if (!ifname || strlen(ifname) >= IF_NAMESIZE)
		return -ENODEV;
	if (o->name && (strlen(o->name) == 0 || strlen(o->name) > IF_NAMESIZE - 3))
		return -EINVAL;
	if (o->name)
		snprintf(stem, sizeof(stem), "%s", o->name);
	else
		snprintf(stem, sizeof(stem), "pfc%ld", (long)getpid());
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifname);
	snprintf(t->tx, sizeof(t->tx), "%.13st", stem);
	snprintf(t->rx, sizeof(t->rx), "%.13sr", stem);
	return 0;
}

int cap_tc_tap_open(const char *ifname, const struct cbpf_insn *prog, size_t n,
		    const struct cap_tc_tap_opts *opts, struct cap_tc_tap **out,
		    char *errbuf, size_t errlen)
{
	struct cap_tc_tap_opts dflt;
	struct cap_tc_tap *t;
	int rc;

	if (!opts) {
		cap_tc_tap_opts_init(&dflt);
		opts = &dflt;
	}
	if (opts->sz < sizeof(*opts) || (!opts->ingress && !opts->egress))
		return tc_err(errbuf, errlen, -EINVAL, "invalid TC capture options");
	if (!ifname || !if_nametoindex(ifname))
		return tc_err(errbuf, errlen, -ENODEV, "%s: no such device", ifname ? ifname : "");
	t = calloc(1, sizeof(*t));
	if (!t)
		return tc_err(errbuf, errlen, -ENOMEM, "out of memory");
	rc = set_names(t, ifname, opts);
	if (rc < 0)
		tc_err(errbuf, errlen, rc, "invalid capture device name '%s'", opts->name);
	if (rc == 0)
		rc = make_veth(t, errbuf, errlen);
	if (rc == 0)
		rc = sink(t, errbuf, errlen);
	if (rc == 0 && opts->ingress)
		rc = mirror(t, CAP_TC_INGRESS, prog, n, errbuf, errlen);
	if (rc == 0 && opts->egress)
		rc = mirror(t, CAP_TC_EGRESS, prog, n, errbuf, errlen);
	if (rc < 0) {
		cap_tc_tap_close(t, NULL, 0);	/* the first error's message stays */
		return rc;
	}
	*out = t;
	return 0;
}

int cap_tc_tap_close(struct cap_tc_tap *tap, char *errbuf, size_t errlen)
{
	int rc = 0, r;

	if (!tap)
		return 0;
	while (tap->nfilters > 0) {
		tap->nfilters--;
		r = tc_detach_filter(tap->ifname, &tap->filters[tap->nfilters],
				     rc ? NULL : errbuf, errlen);
		rc = rc ? rc : r;
	}
	if (tap->veth) {
		r = drop_veth(tap, rc ? NULL : errbuf, errlen);
		rc = rc ? rc : r;
	}
	free(tap);
	return rc;
}
