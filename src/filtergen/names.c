/*
 * names.c -- name resolution for the filter language, the way libpcap does
 * it on Linux: host names through getaddrinfo() (every IPv4 and IPv6
 * address), services through getservbyname_r(), protocols through
 * getprotobyname_r(), Ethernet hosts through /etc/ethers (ether_hostton),
 * networks through getnetbyname_r(), plus libpcap's own tables of Ethernet
 * type and LLC SAP names.
 *
 * Keeps true: only reentrant resolver calls; results go into the caller's
 * arena; "not found" is -ENOENT so the lowering can say which name failed.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/ether.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "names.h"

int fg_resolve_host(struct fg_arena *a, const char *name, struct fg_addrs *out)
{
	struct addrinfo hints, *res = NULL, *ai;
	int rc;

	memset(&hints, 0, sizeof(hints));
	memset(out, 0, sizeof(*out));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_RAW;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc != 0)
		return rc == EAI_MEMORY ? -ENOMEM : -ENOENT;
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET && out->n4 < FG_MAX_ADDRS) {
			const struct sockaddr_in *s = (const void *)ai->ai_addr;

			out->v4[out->n4++] = ntohl(s->sin_addr.s_addr);
		} else if (ai->ai_family == AF_INET6 && out->n6 < FG_MAX_ADDRS) {
			const struct sockaddr_in6 *s = (const void *)ai->ai_addr;

			memcpy(out->v6[out->n6++], &s->sin6_addr, 16);
		}
	}
	freeaddrinfo(res);
	(void)a;
	return out->n4 + out->n6 ? 0 : -ENOENT;
}

int fg_resolve_service(const char *name, const char *proto, uint32_t *port)
{
	struct servent se, *r = NULL;
	char buf[4096];

	if (getservbyname_r(name, proto, &se, buf, sizeof(buf), &r) != 0 || !r)
		return -ENOENT;
	*port = ntohs((uint16_t)r->s_port);
	return 0;
}

int fg_resolve_protocol(const char *name, uint32_t *num)
{
	struct protoent pe, *r = NULL;
	char buf[4096];

	if (getprotobyname_r(name, &pe, buf, sizeof(buf), &r) != 0 || !r)
		return -ENOENT;
	*num = (uint32_t)r->p_proto;
	return 0;
}

int fg_resolve_ether(const char *name, uint8_t mac[6])
{
	struct ether_addr e;

	if (ether_hostton(name, &e) != 0)
		return -ENOENT;
	memcpy(mac, e.ether_addr_octet, 6);
	return 0;
}

int fg_resolve_net(const char *name, uint32_t *net)
{
	struct netent ne, *r = NULL;
	char buf[4096];
	int herr = 0;

	if (getnetbyname_r(name, &ne, buf, sizeof(buf), &r, &herr) != 0 || !r ||
	    r->n_addrtype != AF_INET)
		return -ENOENT;
	*net = r->n_net;
	return 0;
}

struct name_num {
	const char *name;
	uint32_t num;
};

/* libpcap's names for Ethernet types (`ether proto \ip`). */
static const struct name_num eproto_names[] = {
	{ "aarp", 0x80f3 }, { "arp", 0x0806 }, { "atalk", 0x809b }, { "decnet", 0x6003 },
	{ "ip", 0x0800 }, { "ip6", 0x86dd }, { "lat", 0x6004 }, { "loopback", 0x9000 },
	{ "mopdl", 0x6001 }, { "moprc", 0x6002 }, { "rarp", 0x8035 }, { "sca", 0x6007 },
	{ "pup", 0x0200 }, { "xns", 0x0600 }, { "sprite", 0x0500 }, { "lanbridge", 0x8038 },
	{ "vexp", 0x805b }, { "vprod", 0x805c }, { "atalkarp", 0x80f3 }, { "decdts", 0x803e },
	{ "decdns", 0x803c }, { "lldp", 0x88cc }, { "slow", 0x8809 },
};

/* OSI network-layer protocol IDs (iso proto clnp). */
static const struct name_num osi_names[] = {
	{ "clnp", 0x81 }, { "esis", 0x82 }, { "isis", 0x83 },
};

/* libpcap's names for LLC SAPs. */
static const struct name_num llc_names[] = {
	{ "iso", 0xfe }, { "stp", 0x42 }, { "ipx", 0xe0 }, { "netbeui", 0xf0 },
};

static int table_lookup(const struct name_num *t, size_t n, const char *name, uint32_t *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0) {
			*out = t[i].num;
			return 0;
		}
	return -ENOENT;
}

int fg_resolve_ethertype(const char *name, uint32_t *out)
{
	return table_lookup(eproto_names, sizeof(eproto_names) / sizeof(eproto_names[0]), name, out);
}

int fg_resolve_llc(const char *name, uint32_t *out)
{
	return table_lookup(llc_names, sizeof(llc_names) / sizeof(llc_names[0]), name, out);
}

int fg_resolve_osi(const char *name, uint32_t *out)
{
	return table_lookup(osi_names, sizeof(osi_names) / sizeof(osi_names[0]), name, out);
}
