/*
 * compile_t.c -- the filter compiler's API: golden programs, diagnostics
 * (exact message, offset and length), options, out-of-memory at every
 * allocation, and compilations running in several threads at once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "budget_alloc.h"
#include "filtergen.h"
#include "tap.h"

static char *compile_ddd(const char *expr, const struct fg_compile_opts *o, int *rc,
			 struct fg_diag *d)
{
	struct cbpf_insn *prog = NULL;
	char *text = NULL;
	size_t n = 0;

	memset(d, 0, sizeof(*d));
	*rc = fg_compile(expr, strlen(expr), o, &prog, &n, d);
	if (*rc == 0)
		cbpf_disasm(prog, n, CBPF_FORMAT_DDD, &text);
	cbpf_free(prog);
	return text;
}

static void golden(const char *expr, const char *want)
{
	struct fg_diag d;
	int rc;
	char *got = compile_ddd(expr, NULL, &rc, &d);

	tap_is_str(got, want, "golden [%s]", expr);
	free(got);
}

static void test_golden(void)
{
	golden("", "1\n6 0 0 262144\n");
	golden("ip", "4\n40 0 0 12\n21 0 1 2048\n6 0 0 262144\n6 0 0 0\n");
	/* the optimizer drops the second `ldh [12]`: A still holds it on the only path there */
	golden("arp or rarp", "5\n40 0 0 12\n21 1 0 2054\n21 0 1 32821\n6 0 0 262144\n6 0 0 0\n");
	golden("not ip6", "4\n40 0 0 12\n21 0 1 34525\n6 0 0 0\n6 0 0 262144\n");
	golden("less 100", "4\n128 0 0 0\n37 0 1 100\n6 0 0 0\n6 0 0 262144\n");
	golden("ether multicast", "4\n48 0 0 0\n69 0 1 1\n6 0 0 262144\n6 0 0 0\n");
	golden("ip[0] & 0xf > 5",
	       "7\n40 0 0 12\n21 0 4 2048\n48 0 0 14\n84 0 0 15\n37 0 1 5\n6 0 0 262144\n6 0 0 0\n");
}

/* Goldens that show what the optimizer does, next to the unoptimized program. */
static void golden_opt(const char *expr, int optimize, const char *want, const char *what)
{
	struct fg_compile_opts o;
	struct fg_diag d;
	int rc;
	char *got;

	fg_compile_opts_init(&o);
	o.optimize = optimize;
	got = compile_ddd(expr, &o, &rc, &d);
	tap_is_str(got, want, "golden%s [%s]: %s", optimize ? "" : " -O", expr, what);
	free(got);
}

static void test_optimized(void)
{
	golden_opt("arp or rarp", 0,
		   "6\n40 0 0 12\n21 2 0 2054\n40 0 0 12\n21 0 1 32821\n6 0 0 262144\n6 0 0 0\n",
		   "as lowered, each test loads the ethertype");
	golden_opt("ip and ip", 1, "4\n40 0 0 12\n21 0 1 2048\n6 0 0 262144\n6 0 0 0\n",
		   "a test whose outcome is known is dropped");
	golden_opt("not (ip and ip6)", 1, "1\n6 0 0 262144\n",
		   "an ethertype cannot be two things: always accept");
	golden_opt("tcp[13] & 2 != 0", 1,
		   "10\n40 0 0 12\n21 0 7 2048\n32 0 0 20\n84 0 0 536805631\n21 0 4 6\n"
		   "177 0 0 14\n80 0 0 27\n69 0 1 2\n6 0 0 262144\n6 0 0 0\n",
		   "IPv4 only; protocol and fragment offset in one masked word; the flag mask becomes jset");
	golden_opt("tcp port 80", 1,
		   "16\n40 0 0 12\n21 0 4 2048\n32 0 0 20\n84 0 0 536805631\n177 0 0 14\n"
		   "21 4 9 6\n21 0 8 34525\n1 0 0 40\n48 0 0 20\n21 0 5 6\n"
		   "72 0 0 14\n21 2 0 80\n72 0 0 16\n21 0 1 80\n6 0 0 262144\n6 0 0 0\n",
		   "ethertype loaded once; IPv4 protocol and fragment offset in one masked word; "
		   "each guard sets X (IPv4 header length, IPv6 40), one shared port test");
}

struct err_case {
	const char *expr;
	int rc;
	size_t off, len;
	const char *msg;
};

static void test_errors(void)
{
	static const struct err_case cases[] = {
		{ "tcp port", -EINVAL, 8, 0, "expected a port number or name after 'port'" },
		{ "vlan 4096", -EINVAL, 0, 9, "VLAN tag 4096 greater than maximum 4095" },
		{ "port 70000", -EINVAL, 0, 10, "illegal port number 70000 > 65535" },
		{ "host 198.18.0.1 and ip proto 256", -EINVAL, 20, 12, "protocol number 256 greater than maximum 255" },
		{ "ip host 2001:2::1", -EINVAL, 0, 17, "'ip' modifier applied to an IPv6 address (only ip6 has IPv6 addresses)" },
		{ "tcp host 198.18.0.1", -EINVAL, 0, 19, "'tcp' modifier applied to an IPv4 address (only ip, arp and rarp have IPv4 addresses)" },
		{ "net 198.18.0.1/15", -EINVAL, 4, 13, "non-network bits set in \"198.18.0.1\"" },
		{ "ip broadcast", -EINVAL, 0, 12, "netmask not known, so 'ip broadcast' not supported (give --netmask)" },
		{ "ip[1] / 0 = 1", -EINVAL, 0, 9, "division by zero" },
		{ "len << 32 = 1", -EINVAL, 0, 9, "shift by more than 31 bits" },
		{ "decnet host 64.1", -EINVAL, 12, 4, "invalid DECnet address '64.1' (AREA.NODE, area 0-63, node 0-1023)" },
		{ "host nosuch.invalid", -EINVAL, 5, 14, "unknown host 'nosuch.invalid'" },
		{ "geneve and protochain 4", -EINVAL, 11, 12, "'protochain' not supported with variable length headers" },
		{ "type mgt", -EINVAL, 0, 8, "802.11 frame types and directions are only on 802.11 link types, not EN10MB" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct err_case *c = &cases[i];
		struct fg_diag d;
		int rc;
		char *text = compile_ddd(c->expr, NULL, &rc, &d);

		tap_is_int(rc, c->rc, "[%s] fails", c->expr);
		tap_is_str(d.msg, c->msg, "[%s] message", c->expr);
		tap_ok(d.offset == c->off && d.length == c->len, "[%s] at %zu+%zu (got %zu+%zu)",
		       c->expr, c->off, c->len, d.offset, d.length);
		free(text);
	}
}

static void test_options(void)
{
	struct fg_compile_opts o;
	struct fg_diag d;
	char *t;
	int rc, dlt = -1;

	fg_compile_opts_init(&o);
	tap_ok(o.sz == sizeof(o) && o.linktype == 1 && o.snaplen == 262144 && o.optimize == 1,
	       "defaults: EN10MB, 262144, optimize");
	o.snaplen = 96;
	t = compile_ddd("", &o, &rc, &d);
	tap_is_str(t, "1\n6 0 0 96\n", "snaplen is what an accepted packet returns");
	free(t);
	o.optimize = 0;
	t = compile_ddd("ip and ip6", &o, &rc, &d);
	tap_ok(rc == 0 && t != NULL, "without optimizing, a filter that rejects everything compiles");
	free(t);
	fg_compile_opts_init(&o);
	o.netmask = 0xffff0000u;
	o.netmask_known = 1;
	t = compile_ddd("ip broadcast", &o, &rc, &d);
	/* host part all zeros or all ones: its low half-word, loaded once for both tests */
	tap_is_str(t, "7\n40 0 0 12\n21 0 4 2048\n40 0 0 32\n21 1 0 0\n"
		   "21 0 1 65535\n6 0 0 262144\n6 0 0 0\n", "ip broadcast with a netmask");
	free(t);
	fg_compile_opts_init(&o);
	o.linktype = 12;	/* DLT_RAW */
	t = compile_ddd("ip6", &o, &rc, &d);
	tap_is_str(t, "5\n48 0 0 0\n84 0 0 240\n21 0 1 96\n6 0 0 262144\n6 0 0 0\n", "RAW: ip6 is the version nibble");
	free(t);
	t = compile_ddd("arp", &o, &rc, &d);
	tap_ok(rc == -EINVAL && strcmp(d.msg, "expression rejects all packets") == 0,
	       "RAW: arp can never match: expression rejects all packets");
	free(t);
	o.linktype = 0;		/* DLT_NULL: the AF in the writer's byte order */
	t = compile_ddd("ip6", &o, &rc, &d);
	tap_ok(t && strstr(t, "21 0 1 167772160\n"), "NULL, live: ip6 is this system's AF_INET6 (10)");
	free(t);
	o.savefile = 1;
	t = compile_ddd("ip6", &o, &rc, &d);
	tap_ok(t && strstr(t, " 402653184\n") && strstr(t, " 469762048\n") && strstr(t, " 503316480\n"),
	       "NULL, capture file: ip6 is any BSD's AF_INET6 (24, 28, 30)");
	free(t);
	o.swapped = 1;
	t = compile_ddd("ip", &o, &rc, &d);
	tap_ok(t && strstr(t, "21 0 1 2\n"), "NULL, file from a big-endian writer: AF_INET read as 2");
	free(t);
	o.savefile = o.swapped = 0;
	o.linktype = 147;	/* DLT_USER0: not described */
	t = compile_ddd("ip", &o, &rc, &d);
	tap_is_int(rc, -EOPNOTSUPP, "an unknown link type is -EOPNOTSUPP");
	free(t);
	tap_ok(fg_linktype_lookup("dlt_linux_sll2", &dlt) == 0 && dlt == 276, "link type names ignore case and DLT_");
	tap_ok(fg_linktype_lookup("113", &dlt) == 0 && dlt == 113, "link types by number");
	tap_is_int(fg_linktype_lookup("1000", &dlt), -EOPNOTSUPP, "an undescribed link type is refused");
	tap_ok(fg_linktype_lookup("IEEE802_11_RADIO", &dlt) == 0 && dlt == 127, "radiotap is known");
	tap_is_str(fg_linktype_name(229), "IPV6", "names by DLT");
}

/* Every allocation of a compilation fails in turn: -ENOMEM, never a crash or a leak. */
static void test_enomem(void)
{
	const char *expr = "ip6 protochain 17 or (vlan 100 and tcp port 80) or (geneve and host 198.18.0.1)";
	struct fg_compile_opts o;
	struct cbpf_insn *prog = NULL;
	struct fg_diag d;
	size_t n;
	long budget, i;
	int rc = -ENOMEM, bad = 0;

	fg_compile_opts_init(&o);
	o.alloc = budget_alloc;
	o.alloc_ud = &budget;
	for (i = 0; i < 1000 && rc == -ENOMEM; i++) {
		budget = i;
		rc = fg_compile(expr, strlen(expr), &o, &prog, &n, &d);
		if (rc != 0 && rc != -ENOMEM)
			bad++;
	}
	tap_ok(rc == 0 && bad == 0, "out of memory at each of %ld allocation points: -ENOMEM, then success", i - 1);
	cbpf_free(prog);
}

struct job {
	const char *expr;
	char *out;
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	struct fg_diag d;
	int rc, k;

	for (k = 0; k < 50; k++) {
		free(j->out);
		j->out = compile_ddd(j->expr, NULL, &rc, &d);
	}
	return NULL;
}

static void test_threads(void)
{
	static const char *const exprs[] = {
		"tcp port 80 or udp port 53", "vlan and ip6 net 2001:2::/32",
		"ip[2:2] - 20 > len / 4", "geneve 10 and ether src 02:00:5e:10:00:02",
	};
	struct job jobs[8];
	pthread_t t[8];
	int i, same = 1;

	for (i = 0; i < 8; i++) {
		jobs[i].expr = exprs[i % 4];
		jobs[i].out = NULL;
		pthread_create(&t[i], NULL, run_job, &jobs[i]);
	}
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 4; i++)
		same &= jobs[i].out && jobs[i + 4].out && strcmp(jobs[i].out, jobs[i + 4].out) == 0;
	tap_ok(same, "8 threads compiling at once get the same programs");
	for (i = 0; i < 8; i++)
		free(jobs[i].out);
}

int main(void)
{
	test_golden();
	test_optimized();
	test_errors();
	test_options();
	test_enomem();
	test_threads();
	return tap_done();
}
