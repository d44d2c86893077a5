/*
 * tc_prog.c -- turn a capture filter into a cls_bpf program, and tell which
 * link type the TC hook of a device shows its programs.
 *
 * A capture filter returns 0 for "no match" and a snap length for "match".
 * cls_bpf reads a classic program's return value differently: in
 * direct-action mode it is the TC verdict itself (TC_ACT_UNSPEC -1 = go on
 * to the next filter), otherwise 0 means "no match" and -1 "match: run the
 * filter's actions".  The returns change; `ret a` becomes `jeq #0` and two
 * returns.  And where a failed load would return 0 in direct-action mode
 * (TC_ACT_OK, not "no match"), a guard checks the packet's length first (see
 * enum guard); a forward pass over the program skips guards that an earlier
 * one on every path already implies, and the scratch word a guard needs to
 * keep A is one the program leaves alone.  Every jump over inserted code is
 * stretched.
 * Keeps true: the rewritten program decides exactly as the original on
 * every packet, a failed load or division counting as "no match"; it is
 * validated with the kernel's rules before it is used.
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

/*
 * What goes before an instruction.  A classic program that loads past the
 * end of the packet, or divides by X == 0, stops and returns 0; in
 * direct-action mode 0 is TC_ACT_OK (accept, skip the later filters), not
 * "no match".  So in that mode every load that may fail gets a guard that
 * returns the no-match verdict first.
 */
enum guard {
	G_NONE = 0,
	G_RET_A,	/* ret a: jeq #0, ret nomatch, ret match (replaces it) */
	G_ABS,		/* ld len; jge #need; ret nomatch */
	G_MSH,		/* st M[t]; ld len; jge #need; ret nomatch; ld M[t] */
	G_IND,		/* ld len; jge #need; sub #need; jge x; ret nomatch */
	G_IND_X,	/* ld len; sub #need; jge x; ret nomatch (len >= need is known) */
	G_DIVX		/* st M[t]; txa; jeq #0; ret nomatch; ld M[t] */
};

/*
 * Sizes with the `ret nomatch` inline.  When one of the program's own
 * `ret #0` (now `ret nomatch`) follows within reach, a guard jumps there
 * instead and is one instruction shorter; fail_at is where its first
 * failing jump sits.
 */
static const size_t guard_size[] = { 0, 2, 3, 5, 5, 4, 5 };
static const size_t fail_at[] = { 0, 0, 1, 2, 1, 2, 2 };

#define NO_EXIT ((size_t)-1)

struct plan {
	enum guard *g;
	uint32_t *need;		/* bytes the packet must have (G_ABS, G_MSH, G_IND) */
	size_t *exit;		/* old index of the `ret #0` a guard jumps to, NO_EXIT: inline */
	size_t *map;		/* old index -> new index of its first instruction */
	int slot;		/* a scratch word the program leaves alone, -1 if none */
};

static int uses_slot(const struct cbpf_insn *i)
{
	uint16_t c = i->code;

	return c == BPF_ST || c == BPF_STX || c == (BPF_LD | BPF_MEM) || c == (BPF_LDX | BPF_MEM);
}

static int free_slot(const struct cbpf_insn *in, size_t n)
{
	unsigned used = 0;
	size_t i;
	int s;

	for (i = 0; i < n; i++)
		if (uses_slot(&in[i]) && in[i].k < CBPF_MEMWORDS)
			used |= 1u << in[i].k;
	for (s = CBPF_MEMWORDS - 1; s >= 0; s--)
		if (!(used & (1u << s)))
			return s;
	return -1;
}

static uint32_t load_size(uint16_t code)
{
	return BPF_SIZE(code) == BPF_W ? 4 : BPF_SIZE(code) == BPF_H ? 2 : 1;
}

/* Record that j is reached with at least len bytes proven. */
static void reach(uint32_t *minlen, uint8_t *reached, size_t j, uint32_t len)
{
	if (!reached[j] || len < minlen[j])
		minlen[j] = len;
	reached[j] = 1;
}

/*
 * The guard of instruction i, given len bytes proven on every path to it;
 * returns the bytes proven after it.
 */
static uint32_t choose(const struct cbpf_insn *x, int da, enum guard *g, uint32_t *need,
		       uint32_t len)
{
	uint16_t c = x->code;

	*g = G_NONE;
	if (c == (BPF_RET | BPF_A))
		*g = G_RET_A;
	if (!da)
		return len;
	if (BPF_CLASS(c) == BPF_LD && BPF_MODE(c) == BPF_ABS && x->k < 0x80000000u) {
		*need = x->k + load_size(c);
		*g = *need > len ? G_ABS : G_NONE;
		return *need > len ? *need : len;
	}
	if (c == (BPF_LDX | BPF_B | BPF_MSH) && x->k < 0x80000000u) {
		*need = x->k + 1;
		*g = *need > len ? G_MSH : G_NONE;
		return *need > len ? *need : len;
	}
	if (BPF_CLASS(c) == BPF_LD && BPF_MODE(c) == BPF_IND) {
		/* len - need >= X, never computing X + need (no overflow) */
		*need = x->k + load_size(c);
		*g = *need > len ? G_IND : G_IND_X;
		return *need > len ? *need : len;
	}
	if (c == (BPF_ALU | BPF_DIV | BPF_X) || c == (BPF_ALU | BPF_MOD | BPF_X))
		*g = G_DIVX;
	return len;
}

/* Which guards go where (a forward pass: classic jumps only go forward). */
static int plan_guards(const struct cbpf_insn *in, size_t n, int da, struct plan *p)
{
	uint32_t *minlen = calloc(n, sizeof(*minlen));
	uint8_t *reached = calloc(n, 1);
	size_t i;
	int rc = 0;

	if (!minlen || !reached)
		rc = -ENOMEM;
	if (rc == 0)
		reached[0] = 1;
	for (i = 0; rc == 0 && i < n; i++) {
		const struct cbpf_insn *x = &in[i];
		uint32_t len = minlen[i];

		p->g[i] = x->code == (BPF_RET | BPF_A) ? G_RET_A : G_NONE;
		if (reached[i])	/* dead code needs no guard */
			len = choose(x, da, &p->g[i], &p->need[i], len);
		if ((p->g[i] == G_ABS || p->g[i] == G_MSH || p->g[i] == G_IND ||
		     p->g[i] == G_IND_X) && p->need[i] < x->k)
			rc = -EOPNOTSUPP;	/* an offset near 4 GiB: no packet is that long */
		if ((p->g[i] == G_MSH || p->g[i] == G_DIVX) && p->slot < 0)
			rc = -EOPNOTSUPP;	/* every scratch word is the program's */
		if (!reached[i] || BPF_CLASS(x->code) == BPF_RET)
			continue;
		if (x->code == (BPF_JMP | BPF_JA))
			reach(minlen, reached, i + 1 + x->k, len);
		else if (BPF_CLASS(x->code) == BPF_JMP) {
			reach(minlen, reached, i + 1 + x->jt, len);
			reach(minlen, reached, i + 1 + x->jf, len);
		} else
			reach(minlen, reached, i + 1, len);
	}
	free(minlen);
	free(reached);
	return rc;
}

static size_t insn_size(const struct plan *p, size_t i)
{
	return 1 + guard_size[p->g[i]] - (p->exit[i] != NO_EXIT);
}

/*
 * Place the guards: each jumps to the next `ret #0` of the program when
 * one follows within 255 instructions, else keeps its own return.  Taking
 * an exit back only grows the program, so the loop ends.
 */
static void layout(const struct cbpf_insn *in, size_t n, struct plan *p)
{
	size_t i, at, next = NO_EXIT;
	int again = 1;

	for (i = n; i-- > 0;) {
		p->exit[i] = p->g[i] > G_RET_A ? next : NO_EXIT;
		if (in[i].code == (BPF_RET | BPF_K) && in[i].k == 0)
			next = i;
	}
	while (again) {
		again = 0;
		for (i = 0, at = 0; i <= n; i++) {
			p->map[i] = at;
			at += i < n ? insn_size(p, i) : 0;
		}
		for (i = 0; i < n; i++)
			if (p->exit[i] != NO_EXIT &&
			    p->map[p->exit[i]] - (p->map[i] + fail_at[p->g[i]]) - 1 > 255) {
				p->exit[i] = NO_EXIT;
				again = 1;
			}
	}
}

#define STMT(c, k) ((struct cbpf_insn){ (uint16_t)(c), 0, 0, (uint32_t)(k) })
#define JUMP(c, k, t, f) ((struct cbpf_insn){ (uint16_t)(c), (t), (f), (uint32_t)(k) })

/*
 * Write the guard of instruction i (without the instruction) at o = out +
 * at; returns its length.  F(k): the offset from the guard's k-th
 * instruction to its shared exit.
 */
static size_t emit_guard(struct cbpf_insn *o, size_t at, const struct plan *p, size_t i,
			 uint32_t match, uint32_t nomatch)
{
	uint32_t t = (uint32_t)p->slot, need = p->need[i];
	int sh = p->exit[i] != NO_EXIT;
#define F(k) ((uint8_t)(p->map[p->exit[i]] - (at + (k)) - 1))

	switch (p->g[i]) {
	case G_RET_A:
		o[0] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1);
		o[1] = STMT(BPF_RET | BPF_K, nomatch);
		o[2] = STMT(BPF_RET | BPF_K, match);	/* replaces the ret a */
		return 2;
	case G_ABS:
		o[0] = STMT(BPF_LD | BPF_W | BPF_LEN, 0);
		if (sh) {
			o[1] = JUMP(BPF_JMP | BPF_JGE | BPF_K, need, 0, F(1));
			return 2;
		}
		o[1] = JUMP(BPF_JMP | BPF_JGE | BPF_K, need, 1, 0);
		o[2] = STMT(BPF_RET | BPF_K, nomatch);
		return 3;
	case G_MSH:
		o[0] = STMT(BPF_ST, t);
		o[1] = STMT(BPF_LD | BPF_W | BPF_LEN, 0);
		if (sh) {
			o[2] = JUMP(BPF_JMP | BPF_JGE | BPF_K, need, 0, F(2));
			o[3] = STMT(BPF_LD | BPF_MEM, t);
			return 4;
		}
		o[2] = JUMP(BPF_JMP | BPF_JGE | BPF_K, need, 1, 0);
		o[3] = STMT(BPF_RET | BPF_K, nomatch);
		o[4] = STMT(BPF_LD | BPF_MEM, t);
		return 5;
	case G_IND:
		o[0] = STMT(BPF_LD | BPF_W | BPF_LEN, 0);
		o[2] = STMT(BPF_ALU | BPF_SUB | BPF_K, need);
		if (sh) {
			o[1] = JUMP(BPF_JMP | BPF_JGE | BPF_K, need, 0, F(1));
			o[3] = JUMP(BPF_JMP | BPF_JGE | BPF_X, 0, 0, F(3));
			return 4;
		}
		o[1] = JUMP(BPF_JMP | BPF_JGE | BPF_K, need, 0, 2);
		o[3] = JUMP(BPF_JMP | BPF_JGE | BPF_X, 0, 1, 0);
		o[4] = STMT(BPF_RET | BPF_K, nomatch);
		return 5;
	case G_IND_X:
		o[0] = STMT(BPF_LD | BPF_W | BPF_LEN, 0);
		o[1] = STMT(BPF_ALU | BPF_SUB | BPF_K, need);
		if (sh) {
			o[2] = JUMP(BPF_JMP | BPF_JGE | BPF_X, 0, 0, F(2));
			return 3;
		}
		o[2] = JUMP(BPF_JMP | BPF_JGE | BPF_X, 0, 1, 0);
		o[3] = STMT(BPF_RET | BPF_K, nomatch);
		return 4;
	case G_DIVX:
		o[0] = STMT(BPF_ST, t);
		o[1] = STMT(BPF_MISC | BPF_TXA, 0);
		if (sh) {
			o[2] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, F(2), 0);
			o[3] = STMT(BPF_LD | BPF_MEM, t);
			return 4;
		}
		o[2] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1);
		o[3] = STMT(BPF_RET | BPF_K, nomatch);
		o[4] = STMT(BPF_LD | BPF_MEM, t);
		return 5;
	default:
		return 0;
	}
#undef F
}

/* Retarget the jump now at index at (old index pc) through the map old -> new. */
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

static int emit(const struct cbpf_insn *in, size_t n, const struct plan *p, uint32_t match,
		uint32_t nomatch, struct cbpf_insn *o)
{
	size_t i, at;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		at = p->map[i] + emit_guard(o + p->map[i], p->map[i], p, i, match, nomatch);
		if (p->g[i] == G_RET_A)
			continue;
		o[at] = in[i];
		if (in[i].code == (BPF_RET | BPF_K))
			o[at].k = in[i].k ? match : nomatch;
		else
			rc = fix_jump(&o[at], i, at, p->map);
	}
	return rc;
}

int tc_prog_rewrite(const struct cbpf_insn *in, size_t n, enum cap_tc_action action,
		    struct cbpf_insn **out, size_t *nout)
{
	struct plan p = { NULL, NULL, NULL, NULL, free_slot(in, n) };
	struct cbpf_insn *o = NULL;
	uint32_t match, nomatch;
	int rc = -ENOMEM;

	verdicts(action, &match, &nomatch);
	p.g = calloc(n + 1, sizeof(*p.g));
	p.need = calloc(n + 1, sizeof(*p.need));
	p.exit = calloc(n + 1, sizeof(*p.exit));
	p.map = calloc(n + 1, sizeof(*p.map));
	if (p.g && p.need && p.exit && p.map)
		rc = plan_guards(in, n, action != CAP_TC_MIRROR, &p);
	if (rc == 0)
		layout(in, n, &p);
	if (rc == 0 && p.map[n] > CBPF_MAXINSNS)
		rc = -E2BIG;
	if (rc == 0 && !(o = calloc(p.map[n], sizeof(*o))))
		rc = -ENOMEM;
	if (rc == 0)
		rc = emit(in, n, &p, match, nomatch, o);
	if (rc == 0) {
		*out = o;
		*nout = p.map[n];
		o = NULL;
	}
	free(o);
	free(p.g);
	free(p.need);
	free(p.exit);
	free(p.map);
	return rc;
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
	opts->prog_fd = -1;
}
