/*
 * disasm_t.c -- the disassembler against its references.
 *
 * libpcap is the oracle for the tcpdump formats: cbpf_insn_image() must equal
 * bpf_image() for every 16-bit opcode, and cbpf_disasm()'s -d/-dd/-ddd text
 * must equal bpf_dump()'s stdout, for random programs and for what
 * pcap_compile() makes of real expressions.  The bpf_asm text is checked
 * against golden strings and assembled back by netsniff-ng's bpfc ($BPFC;
 * skipped when absent) and by cbpf_asm() (skipped while it is not built).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "cbpf_int.h"
#include "tap.h"

/* ---- a small random source and program generators ----------------------- */

static uint64_t rng_state = 0x5eed0d15a5eedull;

static uint32_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(((uint64_t)rnd() * n) >> 32);
}

/* Every code bpf_asm can spell: the kernel's set plus ret x. */
static bool asm_code(uint16_t code)
{
	return cbpf_code_allowed(code) || code == (BPF_RET | BPF_X);
}

static uint16_t asm_codes[64];
static size_t n_asm_codes;

static void init_asm_codes(void)
{
	unsigned c;

	for (c = 0; c < 256; c++)
		if (asm_code((uint16_t)c))
			asm_codes[n_asm_codes++] = (uint16_t)c;
}

/* A k worth printing: small, offsets, extremes, ancillary, anything. */
static uint32_t rand_k(void)
{
	switch (below(8)) {
	case 0:
		return below(16);
	case 1:
		return below(1600);
	case 2:
		return (uint32_t)SKF_AD_OFF + below(68);
	case 3:
		return CBPF_ANC_K(4 * below(16));
	case 4:
		return 0u - below(4);
	case 5:
		return 0x7fffffffu + below(3);
	case 6:
		return (uint32_t)SKF_NET_OFF + below(64);
	default:
		return rnd();
	}
}

/* Any instruction at all: known codes, nearly known ones, noise. */
static struct cbpf_insn rand_any_insn(void)
{
	struct cbpf_insn in;

	switch (below(4)) {
	case 0:
		in.code = (uint16_t)below(256);
		break;
	case 1:
		in.code = (uint16_t)rnd();
		break;
	default:
		in.code = asm_codes[below((uint32_t)n_asm_codes)];
		break;
	}
	in.jt = (uint8_t)rnd();
	in.jf = (uint8_t)rnd();
	in.k = rand_k();
	return in;
}

/* Whether the text of code shows k (else k must be 0 to read back). */
static bool uses_k(uint16_t code)
{
	switch (BPF_CLASS(code)) {
	case BPF_LD:
	case BPF_LDX:
		return BPF_MODE(code) != BPF_LEN;
	case BPF_ALU:
		return BPF_OP(code) != BPF_NEG && BPF_SRC(code) == BPF_K;
	case BPF_JMP:
		return BPF_OP(code) == BPF_JA || BPF_SRC(code) == BPF_K;
	case BPF_RET:
		return BPF_RVAL(code) == BPF_K;
	case BPF_MISC:
		return false;
	default:
		return true;	/* st, stx */
	}
}

static uint8_t rand_off(size_t room)
{
	size_t max = room < 255 ? room : 255;

	return (uint8_t)(below(4) ? below((uint32_t)(max < 4 ? max : 4) + 1)
			 : below((uint32_t)max + 1));
}

/* A program bpf_asm can spell: known codes, every branch inside. */
static void rand_asm_prog(struct cbpf_insn *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		size_t room = len - i - 2;	/* furthest offset from i */

		p[i].code = asm_codes[below((uint32_t)n_asm_codes)];
		p[i].jt = p[i].jf = 0;
		p[i].k = rand_k();
		if (i == len - 1) {
			p[i].code = BPF_RET | BPF_K;
		} else if (p[i].code == (BPF_JMP | BPF_JA)) {
			p[i].k = below(4) ? below((uint32_t)(room < 8 ? room : 8) + 1)
					  : below((uint32_t)room + 1);
		} else if (cbpf_is_cond_jump(p[i].code)) {
			p[i].jt = rand_off(room);
			p[i].jf = rand_off(room);
		}
		if (!uses_k(p[i].code))
			p[i].k = 0;
	}
}

/* ---- helpers ------------------------------------------------------------- */

static struct bpf_program as_pcap(struct cbpf_insn *p, size_t len)
{
	struct bpf_program bp;

	bp.bf_len = (u_int)len;
	bp.bf_insns = (struct bpf_insn *)p;	/* same layout */
	return bp;
}

/* What bpf_dump(bp, option) writes to stdout. */
static char *capture_dump(struct bpf_program *bp, int option)
{
	FILE *tmp = tmpfile();
	int saved;
	off_t size;
	char *s = NULL;

	if (!tmp)
		return NULL;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fileno(tmp), STDOUT_FILENO);
	bpf_dump(bp, option);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	size = lseek(fileno(tmp), 0, SEEK_END);
	if (size >= 0)
		s = calloc((size_t)size + 1, 1);
	if (s && pread(fileno(tmp), s, (size_t)size, 0) != size) {
		free(s);
		s = NULL;
	}
	fclose(tmp);
	return s;
}

/* First line where a and b differ, for the diagnostics. */
static void diag_first_diff(const char *got, const char *want)
{
	size_t line = 1, i;
	const char *g0 = got, *w0 = want;

	for (i = 0; got[i] && got[i] == want[i]; i++)
		if (got[i] == '\n') {
			line++;
			g0 = got + i + 1;
			w0 = want + i + 1;
		}
	tap_diag("  first difference on line %zu:", line);
	tap_diag("  got  '%.*s'", (int)strcspn(g0, "\n"), g0);
	tap_diag("  want '%.*s'", (int)strcspn(w0, "\n"), w0);
}

static const char *fmt_name(enum cbpf_format fmt)
{
	static const char *const names[] = { "-d", "-dd", "-ddd", "asm" };

	return names[fmt];
}

/* cbpf_disasm(fmt) == bpf_dump(option fmt + 1); one TAP line. */
static int check_dump(struct cbpf_insn *p, size_t len, enum cbpf_format fmt,
		      const char *what)
{
	struct bpf_program bp = as_pcap(p, len);
	char *want = capture_dump(&bp, (int)fmt + 1), *got = NULL;
	int err = cbpf_disasm(p, len, fmt, &got);
	int ok = !err && want && strcmp(got, want) == 0;

	if (!tap_ok(ok, "%s %s matches bpf_dump", what, fmt_name(fmt))) {
		if (err || !want)
			tap_diag("  cbpf_disasm: %d, capture: %s", err, want ? "ok" : "failed");
		else
			diag_first_diff(got, want);
	}
	free(want);
	cbpf_free(got);
	return ok;
}

/* ---- cbpf_insn_image against bpf_image ---------------------------------- */

static uint32_t image_ks[96];
static size_t n_image_ks;

static void init_image_ks(void)
{
	static const uint32_t fixed[] = {
		0, 1, 12, 255, 4096, 0x7fffffff, 0x80000000, 0xffffffff,
		0xfffffffe, (uint32_t)SKF_NET_OFF, (uint32_t)SKF_LL_OFF,
		(uint32_t)SKF_AD_OFF - 1,
	};
	size_t i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		image_ks[n_image_ks++] = fixed[i];
	for (i = 0; i <= 68; i++)	/* every ancillary slot and just past */
		image_ks[n_image_ks++] = (uint32_t)SKF_AD_OFF + (uint32_t)i;
}

/*
 * Compare one code over nk values of k, several jt/jf and pc (fewer when
 * quick); 0, or 1 with got and *want holding the first mismatch.
 */
static int image_code(uint16_t code, size_t nk, bool quick, char *got,
		      size_t gsz, const char **want)
{
	static const uint8_t jts[][2] = { { 1, 255 }, { 0, 0 }, { 255, 7 } };
	static const int pcs[] = { 0, 1000, 7, 999, 65535 };
	size_t k, j, p, nj = quick ? 2 : 3, np = quick ? 2 : 5;

	for (k = 0; k < nk; k++)
		for (j = 0; j < nj; j++)
			for (p = 0; p < np; p++) {
				struct cbpf_insn in = { code, jts[j][0], jts[j][1], image_ks[k] };
				int n = cbpf_insn_image(&in, (size_t)pcs[p], got, gsz);

				*want = bpf_image((const struct bpf_insn *)&in, pcs[p]);
				if (strcmp(got, *want) || n != (int)strlen(*want))
					return 1;
			}
	return 0;
}

/* Every code in [lo, hi) with step; one TAP line. */
static void image_range(unsigned lo, unsigned hi, unsigned step, bool quick,
			const char *name)
{
	char got[256];
	const char *want = "";
	size_t nk = quick ? 3 : n_image_ks;
	unsigned c;

	for (c = lo; c < hi; c += step)
		if (image_code((uint16_t)c, nk, quick, got, sizeof(got), &want))
			break;
	if (!tap_ok(c >= hi, "bpf_image: %s", name))
		tap_diag("  code 0x%x: got '%s', want '%s'", c, got, want);
}

static void test_image_all_codes(void)
{
	static const char *const classes[] = {
		"ld", "ldx", "st", "stx", "alu", "jmp", "ret", "misc"
	};
	char name[64];
	unsigned cls, blk;

	init_image_ks();
	for (cls = 0; cls < 8; cls++) {	/* the first 256 codes, class by class */
		snprintf(name, sizeof(name), "codes 0x00-0xff of class %s", classes[cls]);
		image_range(cls, 0x100, 8, false, name);
	}
	for (blk = 1; blk < 256; blk++) {	/* all unknown: fewer k */
		snprintf(name, sizeof(name), "codes 0x%04x-0x%04x", blk << 8,
			 (blk << 8) | 0xff);
		image_range(blk << 8, (blk + 1) << 8, 1, true, name);
	}
}

static void test_image_api(void)
{
	struct cbpf_insn in = { BPF_JMP | BPF_JEQ | BPF_K, 1, 2, 0x800 };
	const char *line = "(003) jeq      #0x800           jt 5\tjf 6";
	char buf[64];

	tap_is_int(cbpf_insn_image(&in, 3, NULL, 0), (long long)strlen(line),
		   "image: size 0 returns the full length");
	memset(buf, 'x', sizeof(buf));
	tap_is_int(cbpf_insn_image(&in, 3, buf, 7), (long long)strlen(line),
		   "image: truncated call returns the full length");
	tap_is_str(buf, "(003) ", "image: truncated text is NUL-terminated");
	cbpf_insn_image(&in, 3, buf, sizeof(buf));
	tap_is_str(buf, line, "image: jeq layout");
	tap_is_int(cbpf_insn_image(NULL, 0, buf, sizeof(buf)), -EINVAL,
		   "image: NULL insn is -EINVAL");
}

/* ---- cbpf_disasm against bpf_dump --------------------------------------- */

static void test_dump_random(void)
{
	static struct cbpf_insn p[5000];
	size_t lens[24], t, i;
	int fmt;

	lens[0] = 1;
	lens[1] = 5000;		/* past (999): pc widens to four digits */
	for (t = 2; t < 24; t++)
		lens[t] = 1 + below(t < 12 ? 40 : 1500);
	for (t = 0; t < 24; t++) {
		char what[48];

		for (i = 0; i < lens[t]; i++)
			p[i] = rand_any_insn();
		snprintf(what, sizeof(what), "random program %zu (%zu insns)", t, lens[t]);
		for (fmt = CBPF_FORMAT_D; fmt <= CBPF_FORMAT_DDD; fmt++)
			check_dump(p, lens[t], (enum cbpf_format)fmt, what);
	}
}

static void test_dump_empty(void)
{
	char *s = NULL;
	int fmt;

	for (fmt = CBPF_FORMAT_D; fmt <= CBPF_FORMAT_DDD; fmt++)
		check_dump(NULL, 0, (enum cbpf_format)fmt, "empty program");
	tap_is_int(cbpf_disasm(NULL, 1, CBPF_FORMAT_D, &s), -EINVAL,
		   "disasm: NULL insns with len 1 is -EINVAL");
	tap_is_int(cbpf_disasm(NULL, 0, (enum cbpf_format)9, &s), -EINVAL,
		   "disasm: unknown format is -EINVAL");
}

/* Expressions libpcap 1.10 compiles for Ethernet. */
static const char *const exprs[] = {
	"ip", "ip6", "arp", "tcp", "udp", "icmp", "tcp port 80",
	"udp port 53", "host 192.168.1.1", "net 10.0.0.0/8",
	"src host 10.1.2.3 and dst port 443", "ether host 02:00:5e:10:00:01",
	"ether broadcast", "ether multicast", "vlan", "vlan and udp",
	"vlan 100 and tcp", "mpls", "ip6 and tcp",
	"tcp[tcpflags] & tcp-syn != 0",
	"tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
	"icmp[icmptype] == icmp-echo", "ip[2:2] > 576", "greater 100",
	"less 64", "portrange 1000-2000", "ip proto 47", "ip6 proto 58",
	"not ip", "tcp and (port 22 or port 80) and not host 10.0.0.1",
	"ip[6:2] & 0x1fff = 0", "ip host 1.2.3.4 or ip6 host ::1",
	"pppoes and ip", "geneve", "tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420",
	"len % 3 = 1 or len ^ 5 = 2", "ether proto 0x88cc", "decnet host 1.2",
	"stp", "ip6 multicast", "udp[8] * 2 + 1 / 3 - 4 = 7 and ip[0] << 1 = 2",
};

#define N_EXPRS (sizeof(exprs) / sizeof(exprs[0]))

static pcap_t *dead;

static int compile(const char *expr, int optimize, struct bpf_program *bp)
{
	return pcap_compile(dead, bp, expr, optimize, PCAP_NETMASK_UNKNOWN);
}

static void test_dump_exprs(void)
{
	struct bpf_program bp;
	size_t e;
	int fmt, opt;

	for (e = 0; e < N_EXPRS; e++)
		for (opt = 1; opt >= 0; opt--) {
			char what[128];

			snprintf(what, sizeof(what), "'%s'%s", exprs[e],
				 opt ? "" : " unoptimized");
			if (!tap_ok(compile(exprs[e], opt, &bp) == 0, "pcap_compile %s", what)) {
				tap_diag("  %s", pcap_geterr(dead));
				continue;
			}
			for (fmt = CBPF_FORMAT_D; fmt <= CBPF_FORMAT_DDD; fmt++)
				check_dump((struct cbpf_insn *)bp.bf_insns, bp.bf_len,
					   (enum cbpf_format)fmt, what);
			pcap_freecode(&bp);
		}
}

/* ---- bpf_asm: golden text and errors ------------------------------------ */

#define I(c, t, f, k) { (uint16_t)(c), t, f, (uint32_t)(k) }

static void check_asm(const struct cbpf_insn *p, size_t len, const char *want,
		      const char *name)
{
	char *got = NULL;
	int err = cbpf_disasm(p, len, CBPF_FORMAT_ASM, &got);

	if (!tap_ok(!err && got && strcmp(got, want) == 0, "asm: %s", name)) {
		if (err)
			tap_diag("  cbpf_disasm: %d", err);
		else
			diag_first_diff(got, want);
	}
	cbpf_free(got);
}

static void test_asm_golden(void)
{
	static const struct cbpf_insn ipv4[] = {
		I(BPF_LD | BPF_H | BPF_ABS, 0, 0, 12),
		I(BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 0x800),
		I(BPF_LDX | BPF_B | BPF_MSH, 0, 0, 14),
		I(BPF_LD | BPF_H | BPF_IND, 0, 0, 16),
		I(BPF_RET | BPF_K, 0, 0, 262144),
		I(BPF_RET | BPF_K, 0, 0, 0),
	};
	static const char ipv4_text[] =
		"; 6 instructions\n"
		"\tldh\t[12]\n"
		"\tjne\t#0x800, L5\n"
		"\tldxb\t4*([14]&0xf)\n"
		"\tldh\t[x + 16]\n"
		"\tret\t#262144\n"
		"L5:\n"
		"\tret\t#0\n";
	static const struct cbpf_insn jumps[] = {
		I(BPF_JMP | BPF_JGT | BPF_X, 1, 2, 0),
		I(BPF_JMP | BPF_JGE | BPF_K, 0, 1, 5),
		I(BPF_JMP | BPF_JSET | BPF_K, 0, 1, 0xf0),
		I(BPF_JMP | BPF_JSET | BPF_X, 1, 0, 0),
		I(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0xffffffff),
		I(BPF_JMP | BPF_JA, 0, 0, 1),
		I(BPF_RET | BPF_A, 0, 0, 0),
		I(BPF_RET | BPF_X, 0, 0, 0),
	};
	static const char jumps_text[] =
		"; 8 instructions\n"
		"\tjgt\tx, L2, L3\n"
		"\tjlt\t#0x5, L3\n"
		"L2:\n"
		"\tjset\t#0xf0, L3, L4\n"
		"L3:\n"
		"\tjset\tx, L5\n"
		"L4:\n"
		"\tjeq\t#0xffffffff, L5\n"
		"L5:\n"
		"\tja\tL7\n"
		"\tret\ta\n"
		"L7:\n"
		"\tret\tx\n";
	static const struct cbpf_insn loads[] = {
		I(BPF_LD | BPF_W | BPF_ABS, 0, 0, CBPF_ANC_K(SKF_AD_PROTOCOL)),
		I(BPF_LD | BPF_H | BPF_ABS, 0, 0, CBPF_ANC_K(SKF_AD_VLAN_TAG)),
		I(BPF_LD | BPF_B | BPF_ABS, 0, 0, CBPF_ANC_K(SKF_AD_VLAN_TAG_PRESENT)),
		I(BPF_LD | BPF_W | BPF_ABS, 0, 0, CBPF_ANC_K(SKF_AD_ALU_XOR_X)),
		I(BPF_LD | BPF_W | BPF_ABS, 0, 0, CBPF_ANC_K(SKF_AD_RANDOM)),
		I(BPF_LD | BPF_W | BPF_ABS, 0, 0, SKF_NET_OFF + 9),
		I(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0),
		I(BPF_LDX | BPF_W | BPF_LEN, 0, 0, 0),
		I(BPF_LD | BPF_IMM, 0, 0, 0),
		I(BPF_LDX | BPF_IMM, 0, 0, 0xffffffff),
		I(BPF_LD | BPF_MEM, 0, 0, 15),
		I(BPF_LDX | BPF_MEM, 0, 0, 0),
		I(BPF_ST, 0, 0, 3),
		I(BPF_STX, 0, 0, 4),
		I(BPF_LD | BPF_B | BPF_IND, 0, 0, 0x80000000),
		I(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 0xffffffff),
		I(BPF_ALU | BPF_MOD | BPF_X, 0, 0, 0),
		I(BPF_ALU | BPF_XOR | BPF_K, 0, 0, 0x1f),
		I(BPF_ALU | BPF_NEG, 0, 0, 0),
		I(BPF_MISC | BPF_TAX, 0, 0, 0),
		I(BPF_MISC | BPF_TXA, 0, 0, 0),
		I(BPF_RET | BPF_K, 0, 0, 0xffffffff),
	};
	static const char loads_text[] =
		"; 22 instructions\n"
		"\tld\t#proto\n"
		"\tldh\t#vlan_tci\n"
		"\tldb\t[0xfffff030]\n"
		"\tld\t[0xfffff028]\n"
		"\tld\t[0xfffff038]\n"
		"\tld\t[0xfff00009]\n"
		"\tld\t#len\n"
		"\tldx\t#len\n"
		"\tld\t#0x0\n"
		"\tldx\t#0xffffffff\n"
		"\tld\tM[15]\n"
		"\tldx\tM[0]\n"
		"\tst\tM[3]\n"
		"\tstx\tM[4]\n"
		"\tldb\t[x + 0x80000000]\n"
		"\tadd\t#0xffffffff\n"
		"\tmod\tx\n"
		"\txor\t#0x1f\n"
		"\tneg\n"
		"\ttax\n"
		"\ttxa\n"
		"\tret\t#0xffffffff\n";
	static const struct cbpf_insn one[] = { I(BPF_RET | BPF_K, 0, 0, 1) };

	check_asm(ipv4, 6, ipv4_text, "ip header program");
	check_asm(jumps, 8, jumps_text, "jump forms");
	check_asm(loads, 22, loads_text, "loads, stores, alu");
	check_asm(one, 1, "; 1 instruction\n\tret\t#1\n", "one instruction");
	check_asm(NULL, 0, "; 0 instructions\n", "empty program");
}

static int asm_err(const struct cbpf_insn *p, size_t len)
{
	char *s = (char *)"untouched";
	int err = cbpf_disasm(p, len, CBPF_FORMAT_ASM, &s);

	if (!err)
		cbpf_free(s);
	else if (s)
		return 1;	/* *out must be NULL on failure */
	return err;
}

static void test_asm_errors(void)
{
	static const struct cbpf_insn unknown[] = {
		I(0xff, 0, 0, 0), I(BPF_RET | BPF_K, 0, 0, 0) };
	static const struct cbpf_insn big_code[] = {
		I(0x106, 0, 0, 0), I(BPF_RET | BPF_K, 0, 0, 0) };
	static const struct cbpf_insn ja_out[] = {
		I(BPF_JMP | BPF_JA, 0, 0, 1), I(BPF_RET | BPF_K, 0, 0, 0) };
	static const struct cbpf_insn ja_back[] = {
		I(BPF_JMP | BPF_JA, 0, 0, 0xffffffff), I(BPF_RET | BPF_K, 0, 0, 0) };
	static const struct cbpf_insn jt_out[] = {
		I(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0), I(BPF_RET | BPF_K, 0, 0, 0) };
	static const struct cbpf_insn jf_out[] = {
		I(BPF_JMP | BPF_JSET | BPF_X, 0, 200, 0), I(BPF_RET | BPF_K, 0, 0, 0) };
	static const struct cbpf_insn cond_last[] = {
		I(BPF_RET | BPF_K, 0, 0, 0), I(BPF_JMP | BPF_JGT | BPF_K, 0, 0, 0) };
	unsigned c, bad = 0;

	tap_is_int(asm_err(unknown, 2), -EINVAL, "asm: unknown opcode is -EINVAL");
	tap_is_int(asm_err(big_code, 2), -EINVAL, "asm: opcode above 0xff is -EINVAL");
	tap_is_int(asm_err(ja_out, 2), -EINVAL, "asm: ja past the end is -EINVAL");
	tap_is_int(asm_err(ja_back, 2), -EINVAL, "asm: ja wrapping around is -EINVAL");
	tap_is_int(asm_err(jt_out, 2), -EINVAL, "asm: jt past the end is -EINVAL");
	tap_is_int(asm_err(jf_out, 2), -EINVAL, "asm: jf past the end is -EINVAL");
	tap_is_int(asm_err(cond_last, 2), -EINVAL,
		   "asm: conditional jump falling off the end is -EINVAL");
	for (c = 0; c < 0x10000; c++) {
		struct cbpf_insn p[2] = { I(c, 0, 0, 0), I(BPF_RET | BPF_K, 0, 0, 0) };
		int err = asm_err(p, 2);

		if (err != (asm_code((uint16_t)c) ? 0 : -EINVAL)) {
			if (!bad++)
				tap_diag("  code 0x%x: %d", c, err);
		}
	}
	tap_ok(!bad, "asm: exactly the kernel's codes and ret x are spelled");
}

/* ---- bpf_asm read back by bpfc and cbpf_asm ----------------------------- */

/* Parse bpfc's "{ 0x28, 0, 0, 0x0000000c }," lines; count or -1. */
static long parse_c_lines(FILE *f, struct cbpf_insn *p, size_t max)
{
	char line[256];
	long n = 0;

	while (fgets(line, sizeof(line), f)) {
		unsigned code, jt, jf, k;

		if (sscanf(line, " { 0x%x, %u, %u, 0x%x },", &code, &jt, &jf, &k) != 4)
			return -1;
		if ((size_t)n == max)
			return -1;
		p[n++] = (struct cbpf_insn){ (uint16_t)code, (uint8_t)jt, (uint8_t)jf, k };
	}
	return n;
}

static const char *bpfc_path(void)
{
	const char *b = getenv("BPFC");

	if (!b)
		b = access("/usr/sbin/bpfc", X_OK) == 0 ? "/usr/sbin/bpfc" : "";
	return b;
}

/* Assemble text with bpfc; the number of instructions, -1 on failure. */
static long bpfc_assemble(const char *bpfc, const char *text,
			  struct cbpf_insn *p, size_t max)
{
	char path[] = "/tmp/pfc-disasm-XXXXXX";
	char cmd[512];
	int fd = mkstemp(path);
	FILE *f;
	long n = -1;

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) == (ssize_t)strlen(text)) {
		snprintf(cmd, sizeof(cmd), "'%s' -b -i '%s' 2>&1", bpfc, path);
		f = popen(cmd, "r");
		if (f) {
			n = parse_c_lines(f, p, max);
			if (pclose(f) != 0)
				n = -1;
		}
	}
	close(fd);
	unlink(path);
	return n;
}

static bool same_prog(const struct cbpf_insn *a, size_t na,
		      const struct cbpf_insn *b, long nb)
{
	return nb >= 0 && (size_t)nb == na && memcmp(a, b, na * sizeof(*a)) == 0;
}

static void diag_prog_diff(const struct cbpf_insn *a, size_t na,
			   const struct cbpf_insn *b, long nb)
{
	size_t i;

	if (nb < 0 || (size_t)nb != na) {
		tap_diag("  %ld instructions back, want %zu", nb, na);
		return;
	}
	for (i = 0; i < na; i++)
		if (memcmp(&a[i], &b[i], sizeof(*a))) {
			tap_diag("  insn %zu: got {0x%x,%u,%u,0x%x} want {0x%x,%u,%u,0x%x}",
				 i, b[i].code, b[i].jt, b[i].jf, b[i].k,
				 a[i].code, a[i].jt, a[i].jf, a[i].k);
			return;
		}
}

static struct cbpf_insn back[CBPF_MAXINSNS];

/* One TAP line: our bpf_asm text of p, assembled by bpfc, gives p. */
static void bpfc_round_trip(const char *bpfc, const struct cbpf_insn *p,
			    size_t len, const char *what)
{
	char *text = NULL;
	long n = -1;
	int err = cbpf_disasm(p, len, CBPF_FORMAT_ASM, &text);

	if (!err)
		n = bpfc_assemble(bpfc, text, back, CBPF_MAXINSNS);
	if (!tap_ok(!err && same_prog(p, len, back, n), "bpfc reads back %s", what)) {
		if (err)
			tap_diag("  cbpf_disasm: %d", err);
		else
			diag_prog_diff(p, len, back, n);
	}
	cbpf_free(text);
}

static void test_bpfc(void)
{
	static struct cbpf_insn p[CBPF_MAXINSNS];
	const char *bpfc = bpfc_path();
	struct bpf_program bp;
	size_t t, e, len;

	if (!*bpfc) {
		tap_skip("bpfc (netsniff-ng) not found: no bpf_asm round trips");
		return;
	}
	for (t = 0; t < 40; t++) {
		char what[64];

		len = t == 0 ? CBPF_MAXINSNS : 1 + below(t < 20 ? 30 : 600);
		rand_asm_prog(p, len);
		snprintf(what, sizeof(what), "random program %zu (%zu insns)", t, len);
		bpfc_round_trip(bpfc, p, len, what);
	}
	for (e = 0; e < N_EXPRS; e++) {
		char what[128];

		if (compile(exprs[e], e % 2, &bp))
			continue;
		snprintf(what, sizeof(what), "'%s'", exprs[e]);
		bpfc_round_trip(bpfc, (struct cbpf_insn *)bp.bf_insns, bp.bf_len, what);
		pcap_freecode(&bp);
	}
}

/* cbpf_asm(cbpf_disasm(p, fmt)) == p for random programs; one TAP line. */
static void cbpf_asm_round_trip(enum cbpf_format fmt)
{
	static struct cbpf_insn p[600];
	size_t t, len = 0;
	int bad = 0;

	for (t = 0; t < 200 && !bad; t++) {
		char *text = NULL;
		struct cbpf_insn *got = NULL;
		size_t n = 0;
		struct cbpf_diag diag = { -1, 0, 0, 0, "" };
		int err;

		len = 1 + below(t < 100 ? 20 : 600);
		rand_asm_prog(p, len);
		err = cbpf_disasm(p, len, fmt, &text);
		if (!err)
			err = cbpf_asm(text, strlen(text), CBPF_SYNTAX_AUTO, &got, &n,
				       NULL, &diag);
		if (err || !same_prog(p, len, got, (long)n)) {
			bad = 1;
			tap_diag("  program %zu: %d %s", t, err, err ? diag.msg : "");
			if (!err)
				diag_prog_diff(p, len, got, (long)n);
		}
		cbpf_free(text);
		cbpf_free(got);
	}
	tap_ok(!bad, "cbpf_asm reads back %s text of 200 random programs",
	       fmt_name(fmt));
}

static void test_cbpf_asm(void)
{
	struct cbpf_insn *got = NULL;
	struct cbpf_diag diag;
	size_t n = 0;
	int fmt, err;

	err = cbpf_asm("ret #0\n", 7, CBPF_SYNTAX_ASM, &got, &n, NULL, &diag);
	cbpf_free(got);
	if (err == -ENOSYS) {
		tap_skip("cbpf_asm not built yet: no cbpf_asm round trips");
		return;
	}
	for (fmt = CBPF_FORMAT_D; fmt <= CBPF_FORMAT_ASM; fmt++)
		cbpf_asm_round_trip((enum cbpf_format)fmt);
}

/* ---- efficiency --------------------------------------------------------- */

static void test_large(void)
{
	static struct cbpf_insn p[CBPF_MAXINSNS];
	char *s = NULL;
	int fmt, ok = 1;

	rand_asm_prog(p, CBPF_MAXINSNS);
	for (fmt = CBPF_FORMAT_D; fmt <= CBPF_FORMAT_ASM; fmt++) {
		size_t nl = 0;
		char *c;

		if (cbpf_disasm(p, CBPF_MAXINSNS, (enum cbpf_format)fmt, &s)) {
			ok = 0;
			continue;
		}
		for (c = s; *c; c++)
			nl += *c == '\n';
		ok &= fmt == CBPF_FORMAT_ASM ? nl > CBPF_MAXINSNS
					     : nl >= CBPF_MAXINSNS;
		cbpf_free(s);
	}
	tap_ok(ok, "4096 instructions render in every format");
}

int main(void)
{
	dead = pcap_open_dead(DLT_EN10MB, 262144);
	if (!dead) {
		printf("Bail out! pcap_open_dead failed\n");
		return 1;
	}
	init_asm_codes();
	test_image_api();
	test_image_all_codes();
	test_dump_empty();
	test_dump_random();
	test_dump_exprs();
	test_asm_golden();
	test_asm_errors();
	test_large();
	test_bpfc();
	test_cbpf_asm();
	pcap_close(dead);
	return tap_done();
}
