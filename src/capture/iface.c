/*
 * iface.c -- the interfaces a live capture can open: index, flags and the
 * link type a filter must be compiled for (pfc -D, pfc -i).
 *
 * The link type follows libpcap's mapping of the device's ARPHRD_* type:
 * Ethernet-like devices (and the loopback) are EN10MB, devices without a
 * link header are RAW, anything else and the "any" pseudo-interface are
 * captured cooked, with a LINUX_SLL2 header built by ring.c.  Keeps true:
 * only ioctls that need no privileges; nothing is changed.
 */
#include <errno.h>
#include <net/if.h>
#include <linux/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture_int.h"

/* DLT and LINKTYPE values (capture does not depend on filtergen's table). */
enum { DLT_EN10MB_ = 1, DLT_RAW_ = 12, LINKTYPE_RAW_ = 101, DLT_LINUX_SLL2_ = 276 };

static void set_cooked(struct cap_ifinfo *out)
{
	out->dlt = DLT_LINUX_SLL2_;
	out->linktype = DLT_LINUX_SLL2_;
}

/* libpcap's map_arphrd_to_dlt() for the types a Linux box commonly has. */
static void set_linktype(struct cap_ifinfo *out)
{
	switch (out->arphrd) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:
	case ARPHRD_IEEE802:
		out->dlt = DLT_EN10MB_;
		out->linktype = DLT_EN10MB_;
		break;
	case ARPHRD_NONE:	/* tun, wireguard: IP without a link header */
	case ARPHRD_IPGRE:
	case ARPHRD_TUNNEL:
	case ARPHRD_SIT:
		out->dlt = DLT_RAW_;
		out->linktype = LINKTYPE_RAW_;
		break;
	default:
		set_cooked(out);
		break;
	}
}

static int query(int fd, const char *name, struct cap_ifinfo *out)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		return -errno;
	out->ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	out->up = !!(ifr.ifr_flags & IFF_UP);
	out->running = !!(ifr.ifr_flags & IFF_RUNNING);
	out->loopback = !!(ifr.ifr_flags & IFF_LOOPBACK);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	out->arphrd = ifr.ifr_hwaddr.sa_family;
	set_linktype(out);
	return 0;
}

int cap_iface_info(const char *name, struct cap_ifinfo *out)
{
	int fd, rc;

	memset(out, 0, sizeof(*out));
	if (strlen(name) >= IFNAMSIZ)
		return -ENODEV;
	snprintf(out->name, sizeof(out->name), "%s", name);
	if (strcmp(name, "any") == 0) {
		out->up = out->running = 1;
		set_cooked(out);
		return 0;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = query(fd, name, out);
	close(fd);
	return rc;
}

int cap_iface_list(struct cap_ifinfo **list, size_t *n)
{
	struct if_nameindex *names = if_nameindex(), *p;
	struct cap_ifinfo *v;
	size_t k = 0, count = 1;

	if (!names)
		return -errno;
	for (p = names; p->if_index; p++)
		count++;
	v = calloc(count, sizeof(*v));
	if (!v) {
		if_freenameindex(names);
		return -ENOMEM;
	}
	/* an interface that vanishes meanwhile is left out */
	for (p = names; p->if_index; p++)
		if (cap_iface_info(p->if_name, &v[k]) == 0)
			k++;
	if_freenameindex(names);
	cap_iface_info("any", &v[k++]);
	*list = v;
	*n = k;
	return 0;
}
