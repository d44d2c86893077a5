/*
 * tc_prog.c -- turn a capture filter into a cls_bpf program, and tell which
 * link type the TC hook of a device shows its programs.
 *
 * A capture filter returns 0 for "no match" and a snap length for "match".
 * cls_bpf reads a classic program's return value differently: in
 * direct-action mode it is the TC verdict itself (TC_ACT_UNSPEC -1 = go on
 * to the next filter), otherwise 0 means "no match" and -1 "match: run the
 * filter's actions".  Only the return instructions change; `ret a` becomes
 * `jeq #0` and two returns, and every jump over it is stretched.
 * Keeps true: the rewritten program decides exactly as the original on
 * every packet; it is validated with the kernel's rules before it is used.
 */
#include <errno.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tc_int.h"

/* <net/if_arp.h> may predate these (linux/if_arp.h clashes with <net/if.h>) */
#ifndef ARPHRD_RAWIP
#define ARPHRD_RAWIP 519
#endif
#ifndef ARPHRD_IP6GRE
#define ARPHRD_IP6GRE 823
#endif

/* libpcap's DLT values (capture.h speaks DLT_* without including pcap.h). */
#define TC_DLT_EN10MB 1
#define TC_DLT_RAW 12

int tc_err(char *errbuf, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (errbuf && errlen) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* The returns of a mode: what a match and a non-match give back. */
static void verdicts(enum cap_tc_action action, uint32_t *match, uint32_t *nomatch)
{
	switch (action) {
	case CAP_TC_DROP:
		*match = TC_ACT_SHOT;
		*nomatch = (uint32_t)TC_ACT_UNSPEC;
		break;
	case CAP_TC_PASS:
		*match = TC_ACT_OK;
		*nomatch = (uint32_t)TC_ACT_UNSPEC;
		break;
	default:
		*match = 0xffffffffu;	/* cls_bpf: the filter's own result, then its actions */
		*nomatch = 0;
		break;
	}
}

static int is_ret_a(const struct cbpf_insn *i)
{
	return i->code == (BPF_RET | BPF_A);
}

/* Retarget the jump at new index at (old index pc) through the map old -> new. */
static int fix_jump(struct cbpf_insn *j, size_t pc, size_t at, const size_t *map)
{
	size_t t;

	if (BPF_CLASS(j->code) != BPF_JMP)
		return 0;
	if (BPF_OP(j->code) == BPF_JA) {
		j->k = (uint32_t)(map[pc + 1 + j->k] - at - 1);
		return 0;
	}
	t = map[pc + 1 + j->jt] - at - 1;
	if (t > 255)
		return -E2BIG;
	j->jt = (uint8_t)t;
	t = map[pc + 1 + j->jf] - at - 1;
	if (t > 255)
		return -E2BIG;
	j->jf = (uint8_t)t;
	return 0;
}

int tc_prog_rewrite(const struct cbpf_insn *in, size_t n, enum cap_tc_action action,
		    struct cbpf_insn **out, size_t *nout)
{
	uint32_t match, nomatch;
	struct cbpf_insn *p;
	size_t *map, i, at, len = n;
	int rc = 0;

	verdicts(action, &match, &nomatch);
	for (i = 0; i < n; i++)
		len += is_ret_a(&in[i]) ? 2 : 0;
	if (len > CBPF_MAXINSNS)
		return -E2BIG;
	p = calloc(len, sizeof(*p));
	map = calloc(n + 1, sizeof(*map));
	if (!p || !map) {
		free(p);
		free(map);
		return -ENOMEM;
	}
	for (i = 0, at = 0; i <= n; i++) {
		map[i] = at;
		at += i < n && is_ret_a(&in[i]) ? 3 : 1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		at = map[i];
		if (is_ret_a(&in[i])) {
			/* jeq #0 -> ret nomatch, else ret match */
			p[at] = (struct cbpf_insn){ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0 };
			p[at + 1] = (struct cbpf_insn){ BPF_RET | BPF_K, 0, 0, nomatch };
			p[at + 2] = (struct cbpf_insn){ BPF_RET | BPF_K, 0, 0, match };
			continue;
		}
		p[at] = in[i];
		if (in[i].code == (BPF_RET | BPF_K))
			p[at].k = in[i].k ? match : nomatch;
		else
			rc = fix_jump(&p[at], i, at, map);
	}
	free(map);
	if (rc < 0) {
		free(p);
		return rc;
	}
	*out = p;
	*nout = len;
	return 0;
}

int cap_tc_linktype(const char *ifname, int *dlt, char *errbuf, size_t errlen)
{
	struct ifreq ifr;
	int fd, rc = 0;

	if (!ifname || strlen(ifname) >= IFNAMSIZ || !if_nametoindex(ifname))
		return tc_err(errbuf, errlen, -ENODEV, "%s: no such device", ifname ? ifname : "");
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return tc_err(errbuf, errlen, -errno, "socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		rc = tc_err(errbuf, errlen, -errno, "%s: %s", ifname, strerror(errno));
	close(fd);
	if (rc < 0)
		return rc;
	switch (ifr.ifr_hwaddr.sa_family) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:
		*dlt = TC_DLT_EN10MB;
		return 0;
	case ARPHRD_NONE:
	case ARPHRD_PPP:
	case ARPHRD_TUNNEL:
	case ARPHRD_TUNNEL6:
	case ARPHRD_SIT:
	case ARPHRD_IPGRE:
	case ARPHRD_IP6GRE:
	case ARPHRD_RAWIP:
		*dlt = TC_DLT_RAW;	/* no link-layer header: the program starts at the IP header */
		return 0;
	}
	return tc_err(errbuf, errlen, -EOPNOTSUPP,
		      "%s: hardware type %u: pfc does not know what its TC programs see",
		      ifname, (unsigned)ifr.ifr_hwaddr.sa_family);
}

const char *cap_tc_hook_name(enum cap_tc_hook hook)
{
	return hook == CAP_TC_EGRESS ? "egress" : "ingress";
}

void cap_tc_opts_init(struct cap_tc_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	opts->action = CAP_TC_DROP;
}
