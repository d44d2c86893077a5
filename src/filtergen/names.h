/*
 * names.h -- name resolution for the filter compiler (names.c): host,
 * service, protocol, Ethernet host and network names, and libpcap's tables
 * of Ethernet type and LLC SAP names.  Every function returns 0 or
 * -ENOENT (not found) / -ENOMEM.
 */
#ifndef PFC_FG_NAMES_H
#define PFC_FG_NAMES_H

#include <stdint.h>

#include "fg_int.h"

#define FG_MAX_ADDRS 64

/* Every address of a host name (host byte order for IPv4). */
struct fg_addrs {
	uint32_t v4[FG_MAX_ADDRS];
	uint8_t v6[FG_MAX_ADDRS][16];
	unsigned n4, n6;
};

int fg_resolve_host(struct fg_arena *a, const char *name, struct fg_addrs *out);
/* proto: "tcp", "udp" or "sctp". */
int fg_resolve_service(const char *name, const char *proto, uint32_t *port);
int fg_resolve_protocol(const char *name, uint32_t *num);
int fg_resolve_ether(const char *name, uint8_t mac[6]);
/* An IPv4 network number, right-aligned as getnetbyname gives it. */
int fg_resolve_net(const char *name, uint32_t *net);
int fg_resolve_ethertype(const char *name, uint32_t *out);
int fg_resolve_llc(const char *name, uint32_t *out);
int fg_resolve_osi(const char *name, uint32_t *out);

#endif /* PFC_FG_NAMES_H */
