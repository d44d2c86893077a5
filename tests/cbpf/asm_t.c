/*
 * asm_t.c -- unit tests of cbpf_asm(): the exact encoding of every bpf_asm
 * mnemonic and operand spelling, the tcpdump -d/-dd/-ddd readers, syntax
 * detection, limits, and every diagnostic with its exact position.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbpf.h"
#include "tap.h"

#define ANC(n) ((uint32_t)SKF_AD_OFF + (uint32_t)(n))

/* src on one line, for test names. */
static const char *show(const char *src)
{
	static char buf[120];
	size_t i, o = 0;

	for (i = 0; src[i] && o + 4 < sizeof(buf); i++) {
		if (src[i] == '\n') {
			buf[o++] = ' ';
			buf[o++] = '|';
			buf[o++] = ' ';
		} else {
			buf[o++] = src[i] == '\t' ? ' ' : src[i];
		}
	}
	buf[o] = '\0';
	return buf;
}

/* ---- encodings: the first instruction of src ------------------------------ */

struct enc {
	const char *src;
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

static const struct enc encs[] = {
	/* ldb / ldh: [x + k], [%x + k], [k], ancillary with and without '#' */
	{ "ldb [x + 14]", 0x50, 0, 0, 14 },
	{ "ldb [%x + 14]", 0x50, 0, 0, 14 },
	{ "ldb [x+14]", 0x50, 0, 0, 14 },
	{ "ldb [23]", 0x30, 0, 0, 23 },
	{ "ldb proto", 0x30, 0, 0, ANC(SKF_AD_PROTOCOL) },
	{ "ldb #type", 0x30, 0, 0, ANC(SKF_AD_PKTTYPE) },
	{ "ldh [x + 14]", 0x48, 0, 0, 14 },
	{ "ldh [%x + 0x10]", 0x48, 0, 0, 16 },
	{ "ldh [12]", 0x28, 0, 0, 12 },
	{ "ldh vlan_tci", 0x28, 0, 0, ANC(SKF_AD_VLAN_TAG) },
	{ "ldh #queue", 0x28, 0, 0, ANC(SKF_AD_QUEUE) },
	{ "ldh [x + -4096]", 0x48, 0, 0, 0xfffff000 },
	/* ld: every form */
	{ "ld #42", 0x00, 0, 0, 42 },
	{ "ld len", 0x80, 0, 0, 0 },
	{ "ld #len", 0x80, 0, 0, 0 },
	{ "ld #pktlen", 0x80, 0, 0, 0 },
	{ "ld M[3]", 0x60, 0, 0, 3 },
	{ "ld m[15]", 0x60, 0, 0, 15 },
	{ "ld [x + 2]", 0x40, 0, 0, 2 },
	{ "ld [%x + 2]", 0x40, 0, 0, 2 },
	{ "ld [ x + 2 ]", 0x40, 0, 0, 2 },
	{ "ld [26]", 0x20, 0, 0, 26 },
	/* every ancillary name, bare and with '#', and [name] as libpcap prints it */
	{ "ld proto", 0x20, 0, 0, ANC(SKF_AD_PROTOCOL) },
	{ "ld #proto", 0x20, 0, 0, ANC(SKF_AD_PROTOCOL) },
	{ "ld type", 0x20, 0, 0, ANC(SKF_AD_PKTTYPE) },
	{ "ld #ifidx", 0x20, 0, 0, ANC(SKF_AD_IFINDEX) },
	{ "ld nla", 0x20, 0, 0, ANC(SKF_AD_NLATTR) },
	{ "ld #nlan", 0x20, 0, 0, ANC(SKF_AD_NLATTR_NEST) },
	{ "ld mark", 0x20, 0, 0, ANC(SKF_AD_MARK) },
	{ "ld #queue", 0x20, 0, 0, ANC(SKF_AD_QUEUE) },
	{ "ld hatype", 0x20, 0, 0, ANC(SKF_AD_HATYPE) },
	{ "ld #rxhash", 0x20, 0, 0, ANC(SKF_AD_RXHASH) },
	{ "ld cpu", 0x20, 0, 0, ANC(SKF_AD_CPU) },
	{ "ld #vlan_tci", 0x20, 0, 0, ANC(SKF_AD_VLAN_TAG) },
	{ "ld vlan_avail", 0x20, 0, 0, ANC(SKF_AD_VLAN_TAG_PRESENT) },
	{ "ld #vlan_pr", 0x20, 0, 0, ANC(SKF_AD_VLAN_TAG_PRESENT) },
	{ "ld vlan_tpid", 0x20, 0, 0, ANC(SKF_AD_VLAN_TPID) },
	{ "ld #poff", 0x20, 0, 0, ANC(SKF_AD_PAY_OFFSET) },
	{ "ld rand", 0x20, 0, 0, ANC(SKF_AD_RANDOM) },
	{ "ld #rand", 0x20, 0, 0, ANC(SKF_AD_RANDOM) },
	{ "ld [vlanp]", 0x20, 0, 0, ANC(SKF_AD_VLAN_TAG_PRESENT) },
	{ "ld [random]", 0x20, 0, 0, ANC(SKF_AD_RANDOM) },
	{ "ld [xor_x]", 0x20, 0, 0, ANC(SKF_AD_ALU_XOR_X) },
	{ "ldb [proto]", 0x30, 0, 0, ANC(SKF_AD_PROTOCOL) },
	/* netsniff-ng bpfc's short names */
	{ "ld pto", 0x20, 0, 0, ANC(SKF_AD_PROTOCOL) },
	{ "ld #ifx", 0x20, 0, 0, ANC(SKF_AD_IFINDEX) },
	{ "ld que", 0x20, 0, 0, ANC(SKF_AD_QUEUE) },
	{ "ld #Q", 0x20, 0, 0, ANC(SKF_AD_QUEUE) },
	{ "ld hat", 0x20, 0, 0, ANC(SKF_AD_HATYPE) },
	{ "ld rxh", 0x20, 0, 0, ANC(SKF_AD_RXHASH) },
	{ "ldh vlant", 0x28, 0, 0, ANC(SKF_AD_VLAN_TAG) },
	{ "ldb vlana", 0x30, 0, 0, ANC(SKF_AD_VLAN_TAG_PRESENT) },
	{ "ldb #vlan_acc", 0x30, 0, 0, ANC(SKF_AD_VLAN_TAG_PRESENT) },
	{ "ld pktlen", 0x80, 0, 0, 0 },
	/* ldi, ldx, ldxi, ldxb */
	{ "ldi #7", 0x00, 0, 0, 7 },
	{ "ldi 7", 0x00, 0, 0, 7 },
	{ "ldx #7", 0x01, 0, 0, 7 },
	{ "ldx len", 0x81, 0, 0, 0 },
	{ "ldx #len", 0x81, 0, 0, 0 },
	{ "ldx M[9]", 0x61, 0, 0, 9 },
	{ "ldx 4*([14]&0xf)", 0xb1, 0, 0, 14 },
	{ "ldxi #8", 0x01, 0, 0, 8 },
	{ "ldxi 8", 0x01, 0, 0, 8 },
	{ "ldxb 4*([14]&0xf)", 0xb1, 0, 0, 14 },
	{ "ldxb 4 * ( [ 0x20 ] & 15 )", 0xb1, 0, 0, 32 },
	/* st, stx */
	{ "st M[1]", 0x02, 0, 0, 1 },
	{ "stx M[15]", 0x03, 0, 0, 15 },
	/* jumps: ja/jmp, then every conditional form */
	{ "ja l1\nld #0\nl1: ret a", 0x05, 0, 0, 1 },
	{ "jmp l1\nl1: ret a", 0x05, 0, 0, 0 },
	{ "jeq #1, l1, l2\nl1: ret a\nl2: ret a", 0x15, 0, 1, 1 },
	{ "jeq x, l1, l2\nret a\nl1: ret a\nl2: ret a", 0x1d, 1, 2, 0 },
	{ "jeq %x, l1, l2\nl1: ret a\nl2: ret a", 0x1d, 0, 1, 0 },
	{ "jeq #1, l1\nret a\nl1: ret a", 0x15, 1, 0, 1 },
	{ "jeq x, l1\nret a\nl1: ret a", 0x1d, 1, 0, 0 },
	{ "jeq %x, l1\nret a\nl1: ret a", 0x1d, 1, 0, 0 },
	{ "jgt #2, l1, l2\nret a\nl1: ret a\nl2: ret a", 0x25, 1, 2, 2 },
	{ "jgt x, l1\nret a\nl1: ret a", 0x2d, 1, 0, 0 },
	{ "jgt %x, l1, l2\nl1: ret a\nl2: ret a", 0x2d, 0, 1, 0 },
	{ "jge #3, l1, l2\nret a\nl1: ret a\nl2: ret a", 0x35, 1, 2, 3 },
	{ "jge x, l1\nret a\nl1: ret a", 0x3d, 1, 0, 0 },
	{ "jge %x, l1\nl1: ret a", 0x3d, 0, 0, 0 },
	{ "jset #4, l1, l2\nret a\nl1: ret a\nl2: ret a", 0x45, 1, 2, 4 },
	{ "jset x, l1\nret a\nl1: ret a", 0x4d, 1, 0, 0 },
	{ "jset %x, l1, l2\nret a\nret a\nl1: ret a\nl2: ret a", 0x4d, 2, 3, 0 },
	/* the inverted ones: one target, taken when the test fails (jf) */
	{ "jneq #5, l1\nret a\nl1: ret a", 0x15, 0, 1, 5 },
	{ "jne #5, l1\nret a\nl1: ret a", 0x15, 0, 1, 5 },
	{ "jneq x, l1\nret a\nl1: ret a", 0x1d, 0, 1, 0 },
	{ "jne %x, l1\nret a\nl1: ret a", 0x1d, 0, 1, 0 },
	{ "jlt #6, l1\nret a\nl1: ret a", 0x35, 0, 1, 6 },
	{ "jlt x, l1\nret a\nl1: ret a", 0x3d, 0, 1, 0 },
	{ "jlt %x, l1\nret a\nl1: ret a", 0x3d, 0, 1, 0 },
	{ "jle #7, l1\nret a\nl1: ret a", 0x25, 0, 1, 7 },
	{ "jle x, l1\nret a\nl1: ret a", 0x2d, 0, 1, 0 },
	{ "jle %x, l1\nret a\nl1: ret a", 0x2d, 0, 1, 0 },
	/* extension: two targets, the first taken when the relation holds */
	{ "jlt #6, l1, l2\nret a\nl1: ret a\nl2: ret a", 0x35, 2, 1, 6 },
	{ "jneq #6, l1, l2\nl1: ret a\nl2: ret a", 0x15, 1, 0, 6 },
	/* ALU */
	{ "add #1", 0x04, 0, 0, 1 }, { "add x", 0x0c, 0, 0, 0 }, { "add %x", 0x0c, 0, 0, 0 },
	{ "sub #1", 0x14, 0, 0, 1 }, { "sub x", 0x1c, 0, 0, 0 }, { "sub %x", 0x1c, 0, 0, 0 },
	{ "mul #1", 0x24, 0, 0, 1 }, { "mul x", 0x2c, 0, 0, 0 }, { "mul %x", 0x2c, 0, 0, 0 },
	{ "div #1", 0x34, 0, 0, 1 }, { "div x", 0x3c, 0, 0, 0 }, { "div %x", 0x3c, 0, 0, 0 },
	{ "mod #1", 0x94, 0, 0, 1 }, { "mod x", 0x9c, 0, 0, 0 }, { "mod %x", 0x9c, 0, 0, 0 },
	{ "and #1", 0x54, 0, 0, 1 }, { "and x", 0x5c, 0, 0, 0 }, { "and %x", 0x5c, 0, 0, 0 },
	{ "or #1", 0x44, 0, 0, 1 }, { "or x", 0x4c, 0, 0, 0 }, { "or %x", 0x4c, 0, 0, 0 },
	{ "xor #1", 0xa4, 0, 0, 1 }, { "xor x", 0xac, 0, 0, 0 }, { "xor %x", 0xac, 0, 0, 0 },
	{ "lsh #1", 0x64, 0, 0, 1 }, { "lsh x", 0x6c, 0, 0, 0 }, { "lsh %x", 0x6c, 0, 0, 0 },
	{ "rsh #1", 0x74, 0, 0, 1 }, { "rsh x", 0x7c, 0, 0, 0 }, { "rsh %x", 0x7c, 0, 0, 0 },
	{ "neg", 0x84, 0, 0, 0 },
	/* ret, tax, txa */
	{ "ret a", 0x16, 0, 0, 0 }, { "ret %a", 0x16, 0, 0, 0 },
	{ "ret x", 0x0e, 0, 0, 0 }, { "ret %x", 0x0e, 0, 0, 0 },
	{ "ret #262144", 0x06, 0, 0, 262144 },
	{ "tax", 0x07, 0, 0, 0 }, { "txa", 0x87, 0, 0, 0 },
	/* number formats */
	{ "ld #0", 0x00, 0, 0, 0 },
	{ "ld #0x1F", 0x00, 0, 0, 0x1f },
	{ "ld #0XfF", 0x00, 0, 0, 0xff },
	{ "ld #017", 0x00, 0, 0, 15 },
	{ "ld #00", 0x00, 0, 0, 0 },
	{ "ld #0b101", 0x00, 0, 0, 5 },
	{ "ld #0B11", 0x00, 0, 0, 3 },
	{ "ld #-1", 0x00, 0, 0, 0xffffffff },
	{ "ld #-2147483648", 0x00, 0, 0, 0x80000000 },
	{ "ld #+5", 0x00, 0, 0, 5 },
	{ "ld #4294967295", 0x00, 0, 0, 0xffffffff },
	{ "ld #0xffffffff", 0x00, 0, 0, 0xffffffff },
	/* case, comments, layout */
	{ "LDH [12]", 0x28, 0, 0, 12 },
	{ "Ret %A", 0x16, 0, 0, 0 },
	{ "ldb [X + 1]", 0x50, 0, 0, 1 },
	{ "ld #PROTO", 0x20, 0, 0, ANC(SKF_AD_PROTOCOL) },
	{ "JEQ %X, L1\nL1: RET A", 0x1d, 0, 0, 0 },
	{ "; comment\n# hash comment\n/* block\n comment */ ld #1", 0x00, 0, 0, 1 },
	{ "ld /* inside */ #2 ; trailing", 0x00, 0, 0, 2 },
	{ "\n\n\t  ld\t#3\r\n", 0x00, 0, 0, 3 },
	{ "start:\n\tld #4", 0x00, 0, 0, 4 },
	{ "ja L_far\nL_near: ld #1\nL_far:\nret a", 0x05, 0, 0, 1 },
};

static void test_encodings(void)
{
	size_t i;

	for (i = 0; i < sizeof(encs) / sizeof(encs[0]); i++) {
		const struct enc *e = &encs[i];
		struct cbpf_insn *p = NULL;
		struct cbpf_diag d;
		size_t n = 0;
		int rc = cbpf_asm(e->src, strlen(e->src), CBPF_SYNTAX_ASM, &p, &n, NULL, &d);
		int ok = rc == 0 && n >= 1 && p[0].code == e->code && p[0].jt == e->jt &&
			 p[0].jf == e->jf && p[0].k == e->k;

		if (!tap_ok(ok, "asm '%s' = {%#x, %u, %u, %#x}", show(e->src), e->code,
			    e->jt, e->jf, e->k)) {
			if (rc)
				tap_diag("  rc %d: %u:%u: %s", rc, d.line, d.col, d.msg);
			else
				tap_diag("  got {%#x, %u, %u, %#x}", p[0].code, p[0].jt,
					 p[0].jf, p[0].k);
		}
		cbpf_free(p);
	}
}

/* ---- whole programs in each syntax ----------------------------------------- */

/* Assemble src and compare every instruction with want[]. */
static void check_prog(const char *name, const char *src, enum cbpf_syntax syn,
		       const struct cbpf_insn *want, size_t nwant, enum cbpf_syntax want_det)
{
	enum cbpf_syntax det = (enum cbpf_syntax)-1;
	struct cbpf_insn *p = NULL;
	struct cbpf_diag d;
	size_t n = 0, i;
	int rc = cbpf_asm(src, strlen(src), syn, &p, &n, &det, &d);
	int same = rc == 0 && n == nwant;

	for (i = 0; same && i < n; i++)
		same = memcmp(&p[i], &want[i], sizeof(*p)) == 0;
	if (!tap_ok(same, "%s: %zu instructions as expected", name, nwant)) {
		if (rc)
			tap_diag("  rc %d: %u:%u: %s", rc, d.line, d.col, d.msg);
		for (i = 0; !rc && i < n; i++)
			tap_diag("  got {%#x, %u, %u, %#x}", p[i].code, p[i].jt, p[i].jf, p[i].k);
	}
	tap_is_int(rc == 0 ? (int)det : -1, (int)want_det, "%s: syntax reported as '%s'",
		   name, cbpf_syntax_name(want_det));
	cbpf_free(p);
}

/* tcpdump -d 'ip and tcp port 80' (head), in each of tcpdump's formats. */
static const struct cbpf_insn tcp80[] = {
	{ 0x28, 0, 0, 12 }, { 0x15, 0, 8, 0x800 }, { 0x30, 0, 0, 23 },
	{ 0x15, 0, 6, 6 }, { 0x28, 0, 0, 20 }, { 0x45, 4, 0, 0x1fff },
	{ 0xb1, 0, 0, 14 }, { 0x48, 0, 0, 14 }, { 0x15, 0, 1, 0x50 },
	{ 0x6, 0, 0, 262144 }, { 0x6, 0, 0, 0 },
};

static const char tcp80_d[] =
	"(000) ldh      [12]\n"
	"(001) jeq      #0x800           jt 2\tjf 10\n"
	"(002) ldb      [23]\n"
	"(003) jeq      #0x6             jt 4\tjf 10\n"
	"(004) ldh      [20]\n"
	"(005) jset     #0x1fff          jt 10\tjf 6\n"
	"(006) ldxb     4*([14]&0xf)\n"
	"(007) ldh      [x + 14]\n"
	"(008) jeq      #0x50            jt 9\tjf 10\n"
	"(009) ret      #262144\n"
	"(010) ret      #0\n";

static const char tcp80_dd[] =
	"{ 0x28, 0, 0, 0x0000000c },\n{ 0x15, 0, 8, 0x00000800 },\n"
	"{ 0x30, 0, 0, 0x00000017 },\n{ 0x15, 0, 6, 0x00000006 },\n"
	"{ 0x28, 0, 0, 0x00000014 },\n{ 0x45, 4, 0, 0x00001fff },\n"
	"{ 0xb1, 0, 0, 0x0000000e },\n{ 0x48, 0, 0, 0x0000000e },\n"
	"{ 0x15, 0, 1, 0x00000050 },\n{ 0x6, 0, 0, 0x00040000 },\n"
	"{ 0x6, 0, 0, 0x00000000 },\n";

static const char tcp80_ddd[] =
	"11\n40 0 0 12\n21 0 8 2048\n48 0 0 23\n21 0 6 6\n40 0 0 20\n69 4 0 8191\n"
	"177 0 0 14\n72 0 0 14\n21 0 1 80\n6 0 0 262144\n6 0 0 0\n";

/* bpf_asm's own output without -c, and the xt_bpf form bpfc writes. */
static const char tcp80_xt[] =
	"11,40 0 0 12,21 0 8 2048,48 0 0 23,21 0 6 6,40 0 0 20,69 4 0 8191,"
	"177 0 0 14,72 0 0 14,21 0 1 80,6 0 0 262144,6 0 0 0,\n";

static const char tcp80_asm[] =
	"; tcp port 80 over IPv4\n"
	"\tldh [12]\n\tjneq #0x800, drop\n\tldb [23]\n\tjneq #6, drop\n"
	"\tldh [20]\n\tjset #0x1fff, drop\n\tldxb 4*([14]&0xf)\n\tldh [x + 14]\n"
	"\tjeq #80, keep, drop\nkeep:\tret #262144\ndrop:\tret #0\n";

/* Every libpcap spelling a -d listing can hold. */
static const char all_d[] =
	"(000) ld       #pktlen\n"
	"(001) ld       [proto]\n"
	"(002) ldh      [vlan_tci]\n"
	"(003) ldb      [vlanp]\n"
	"(004) ld       [x + -4096]\n"
	"(005) ldx      #0x12\n"
	"(006) ld       M[1]\n"
	"(007) ldx      M[2]\n"
	"(008) st       M[3]\n"
	"(009) stx      M[4]\n"
	"(010) add      x\n"
	"(011) and      #0xf\n"
	"(012) lsh      #2\n"
	"(013) neg      \n"
	"(014) tax      \n"
	"(015) txa      \n"
	"(016) ja       19\n"
	"(017) jset     x                jt 18\tjf 19\n"
	"(018) jgt      #0x5             jt 19\tjf 20\n"
	"(019) unimp    0x81\n"
	"(020) ret      \n"
	"(021) ret      #-1\n";

static const struct cbpf_insn all_d_want[] = {
	{ 0x80, 0, 0, 0 }, { 0x20, 0, 0, ANC(SKF_AD_PROTOCOL) },
	{ 0x28, 0, 0, ANC(SKF_AD_VLAN_TAG) }, { 0x30, 0, 0, ANC(SKF_AD_VLAN_TAG_PRESENT) },
	{ 0x40, 0, 0, 0xfffff000 }, { 0x01, 0, 0, 0x12 }, { 0x60, 0, 0, 1 },
	{ 0x61, 0, 0, 2 }, { 0x02, 0, 0, 3 }, { 0x03, 0, 0, 4 }, { 0x0c, 0, 0, 0 },
	{ 0x54, 0, 0, 0xf }, { 0x64, 0, 0, 2 }, { 0x84, 0, 0, 0 }, { 0x07, 0, 0, 0 },
	{ 0x87, 0, 0, 0 }, { 0x05, 0, 0, 2 }, { 0x4d, 0, 1, 0 }, { 0x25, 0, 1, 5 },
	{ 0x81, 0, 0, 0 }, { 0x16, 0, 0, 0 }, { 0x06, 0, 0, 0xffffffff },
};

/* Labels: several on one instruction, on their own line, many instructions a line. */
static const char layout_asm[] =
	"a1: a2:\n ld #1 ld #2 jeq #3, a3, a4 ret #4\na3:\n\n\ta4: ret #5\n";

static const struct cbpf_insn layout_want[] = {
	{ 0x00, 0, 0, 1 }, { 0x00, 0, 0, 2 }, { 0x15, 1, 1, 3 }, { 0x06, 0, 0, 4 },
	{ 0x06, 0, 0, 5 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_programs(void)
{
	check_prog("tcpdump -d", tcp80_d, CBPF_SYNTAX_AUTO, tcp80, N(tcp80), CBPF_SYNTAX_D);
	check_prog("tcpdump -dd", tcp80_dd, CBPF_SYNTAX_AUTO, tcp80, N(tcp80), CBPF_SYNTAX_DD);
	check_prog("tcpdump -ddd", tcp80_ddd, CBPF_SYNTAX_AUTO, tcp80, N(tcp80), CBPF_SYNTAX_DDD);
	check_prog("bpf_asm/xt_bpf numbers", tcp80_xt, CBPF_SYNTAX_AUTO, tcp80, N(tcp80),
		   CBPF_SYNTAX_DDD);
	check_prog("bpf_asm source", tcp80_asm, CBPF_SYNTAX_AUTO, tcp80, N(tcp80),
		   CBPF_SYNTAX_ASM);
	check_prog("-d, forced", tcp80_d, CBPF_SYNTAX_D, tcp80, N(tcp80), CBPF_SYNTAX_D);
	check_prog("-dd, forced", tcp80_dd, CBPF_SYNTAX_DD, tcp80, N(tcp80), CBPF_SYNTAX_DD);
	check_prog("-ddd, forced", tcp80_ddd, CBPF_SYNTAX_DDD, tcp80, N(tcp80), CBPF_SYNTAX_DDD);
	check_prog("asm, forced", tcp80_asm, CBPF_SYNTAX_ASM, tcp80, N(tcp80), CBPF_SYNTAX_ASM);
	check_prog("-d, every libpcap spelling", all_d, CBPF_SYNTAX_AUTO, all_d_want,
		   N(all_d_want), CBPF_SYNTAX_D);
	check_prog("asm layout", layout_asm, CBPF_SYNTAX_AUTO, layout_want, N(layout_want),
		   CBPF_SYNTAX_ASM);
	check_prog("-dd without commas, spaced",
		   "{0x28,0,0,12}\n  {  0x6 , 0 , 0 , 0x0 , }", CBPF_SYNTAX_AUTO,
		   (const struct cbpf_insn[]){ { 0x28, 0, 0, 12 }, { 6, 0, 0, 0 } }, 2,
		   CBPF_SYNTAX_DD);
	check_prog("-dd with %#04x code (bpf_asm -c)", "{ 0x28,  0,  0, 0x0000000c },\n"
		   "{ 0000,  0,  0, 0xffffffff },", CBPF_SYNTAX_AUTO,
		   (const struct cbpf_insn[]){ { 0x28, 0, 0, 12 }, { 0, 0, 0, 0xffffffff } }, 2,
		   CBPF_SYNTAX_DD);
	check_prog("detection after comments", "; x\n/* y */\n{ 6, 0, 0, 1 }",
		   CBPF_SYNTAX_AUTO, (const struct cbpf_insn[]){ { 6, 0, 0, 1 } }, 1,
		   CBPF_SYNTAX_DD);
	check_prog("-dd with negative k", "{ 6, 0, 0, -1 }", CBPF_SYNTAX_AUTO,
		   (const struct cbpf_insn[]){ { 6, 0, 0, 0xffffffff } }, 1, CBPF_SYNTAX_DD);
	check_prog("-d jump to the last line + 256", "(000) ja 256\n", CBPF_SYNTAX_AUTO,
		   (const struct cbpf_insn[]){ { 5, 0, 0, 255 } }, 1, CBPF_SYNTAX_D);
	check_prog("-d jlt reads inverted", "(000) jlt #1 jt 1 jf 2\n", CBPF_SYNTAX_AUTO,
		   (const struct cbpf_insn[]){ { 0x35, 1, 0, 1 } }, 1, CBPF_SYNTAX_D);
}

/* ---- errors ---------------------------------------------------------------- */

struct err {
	const char *src;
	enum cbpf_syntax syn;
	int rc;
	unsigned line, col, len;
	int insn;
	const char *msg;	/* a substring of the message */
};

#define A CBPF_SYNTAX_ASM
#define D CBPF_SYNTAX_D
#define DD CBPF_SYNTAX_DD
#define DDD CBPF_SYNTAX_DDD
#define AUTO CBPF_SYNTAX_AUTO

static const struct err errs[] = {
	/* mnemonics */
	{ "ldw [12]\nret a", A, -EINVAL, 1, 1, 3, 0, "unknown mnemonic 'ldw', did you mean 'ldh'?" },
	{ "ld #1\nrer a", A, -EINVAL, 2, 1, 3, 1, "unknown mnemonic 'rer', did you mean 'ret'?" },
	{ "frobnicate", A, -EINVAL, 1, 1, 10, 0, "unknown mnemonic 'frobnicate'" },
	{ "5", A, -EINVAL, 1, 1, 1, 0, "expected a mnemonic or a label, got '5'" },
	{ "ld #1\n[12]", A, -EINVAL, 2, 1, 1, 1, "expected a mnemonic or a label, got '['" },
	/* labels and jumps */
	{ "ldh [12]\njeq #1, l1 l2\nl1: ret a\nl2: ret a", A, -EINVAL, 2, 12, 2, 1,
	  "expected ',' after jump target, got 'l2'" },
	{ "ja foo\nret a", A, -EINVAL, 1, 4, 3, 0, "label 'foo' is not defined" },
	{ "ld #1\njeq #1, yes, no\nyes: ret a", A, -EINVAL, 2, 14, 2, 1,
	  "label 'no' is not defined" },
	{ "top: ld #1\nja top", A, -EINVAL, 2, 4, 3, 1,
	  "backward jump to 'top' (cBPF jumps go forward only)" },
	{ "self: jeq #1, self", A, -EINVAL, 1, 15, 4, 0, "backward jump to 'self'" },
	{ "a1: ld #1\na1: ret a", A, -EINVAL, 2, 1, 2, -1,
	  "label 'a1' is already defined on line 1" },
	{ "ld #1\nend:", A, -EINVAL, 2, 1, 3, -1, "label 'end' is not followed by an instruction" },
	{ "jeq #1, 5", A, -EINVAL, 1, 9, 1, 0, "expected a label as jump target, got '5'" },
	{ "jeq #1,\n", A, -EINVAL, 1, 8, 1, 0, "expected a label as jump target" },
	{ "jeq #1 foo", A, -EINVAL, 1, 8, 3, 0,
	  "expected ',' after the compared value, got 'foo'" },
	{ "jeq [1], l1\nl1: ret a", A, -EINVAL, 1, 5, 3, 0,
	  "'jeq' does not take [k]; expected #k or x" },
	{ "jeq #1, a, b, c\na: b: c: ret a", A, -EINVAL, 1, 13, 1, 0,
	  "unexpected ',' after the 'jeq' instruction" },
	{ "jmp 3", A, -EINVAL, 1, 5, 1, 0, "expected a label as jump target, got '3'" },
	/* operands */
	{ "ldh M[1]", A, -EINVAL, 1, 5, 4, 0,
	  "'ldh' does not take M[k]; expected [k], [x + k] or an ancillary name" },
	{ "st #1", A, -EINVAL, 1, 4, 2, 0, "'st' does not take #k; expected M[k]" },
	{ "ldx [x + 1]", A, -EINVAL, 1, 5, 7, 0,
	  "'ldx' does not take [x + k]; expected #k, len, M[k] or 4*([k]&0xf)" },
	{ "ld 5", A, -EINVAL, 1, 4, 1, 0, "'ld' does not take k; expected #k, len, an ancillary name" },
	{ "ret", A, -EINVAL, 1, 4, 1, 0, "missing operand for 'ret': expected #k, a or x" },
	{ "ld\nret a", A, -EINVAL, 1, 3, 1, 0, "missing operand for 'ld'" },
	{ "tax x", A, -EINVAL, 1, 5, 1, 0, "unexpected 'x' after the 'tax' instruction" },
	{ "ld protoo", A, -EINVAL, 1, 4, 6, 0, "unknown operand 'protoo', did you mean 'proto'?" },
	{ "ld #protoo", A, -EINVAL, 1, 4, 7, 0,
	  "unknown ancillary load '#protoo', did you mean '#proto'?" },
	{ "ld [vlan_tcp]", A, -EINVAL, 1, 5, 8, 0, "did you mean 'vlan_tci'?" },
	{ "ld #lenn", A, -EINVAL, 1, 4, 5, 0, "did you mean '#len'?" },
	{ "ldxb 5*([14]&0xf)", A, -EINVAL, 1, 6, 1, 0, "only 4*([k]&0xf) is supported" },
	{ "ldx 4*([14]&0xe)", A, -EINVAL, 1, 13, 3, 0, "only 4*([k]&0xf) is supported" },
	{ "ldxb 4*[14]&0xf)", A, -EINVAL, 1, 8, 1, 0, "expected '(' after '4*', got '['" },
	{ "ld [x 5]", A, -EINVAL, 1, 7, 1, 0, "expected '+' after '[x', got '5'" },
	{ "ld [12", A, -EINVAL, 1, 7, 1, 0, "expected ']' after the offset" },
	{ "ld [12\nret a", A, -EINVAL, 1, 7, 1, 0, "expected ']' after the offset" },
	{ "ld [%a + 1]", A, -EINVAL, 1, 6, 1, 0, "expected 'x' after '[%', got 'a'" },
	{ "add %y", A, -EINVAL, 1, 6, 1, 0, "expected 'x' or 'a' after '%', got 'y'" },
	{ "ld #", A, -EINVAL, 1, 5, 1, 0, "expected a number" },
	{ "ld M[1", A, -EINVAL, 1, 7, 1, 0, "expected ']' after the scratch index" },
	/* numbers */
	{ "ld #4294967296", A, -EINVAL, 1, 5, 10, 0, "number '4294967296' does not fit in 32 bits" },
	{ "ld #0x100000000", A, -EINVAL, 1, 5, 11, 0, "does not fit in 32 bits" },
	{ "ld #-2147483649", A, -EINVAL, 1, 6, 10, 0, "number -2147483649 is below -2147483648" },
	{ "ld #09", A, -EINVAL, 1, 5, 2, 0, "invalid octal number '09'" },
	{ "ld #0x", A, -EINVAL, 1, 5, 2, 0, "invalid hexadecimal number '0x'" },
	{ "ld #0b12", A, -EINVAL, 1, 5, 4, 0, "invalid binary number '0b12'" },
	{ "ld #12ab", A, -EINVAL, 1, 5, 4, 0, "invalid decimal number '12ab'" },
	/* lexing: the first error in the source wins */
	{ "ld @", A, -EINVAL, 1, 4, 1, 0, "unexpected character '@'" },
	{ "ld #1\nldw\n@", A, -EINVAL, 2, 1, 3, 1, "unknown mnemonic 'ldw'" },
	{ "ld [12\n@", A, -EINVAL, 1, 7, 1, 0, "expected ']' after the offset" },
	{ "ld [12 @", A, -EINVAL, 1, 8, 1, 0, "unexpected character '@'" },
	{ "ld #1 /* x\nret a", A, -EINVAL, 1, 7, 2, 0, "unterminated comment" },
	{ "ld \x01", A, -EINVAL, 1, 4, 1, 0, "unexpected byte 0x01" },
	{ "ld #1\n  # not a comment here", A, -EINVAL, 2, 3, 1, 1,
	  "expected a mnemonic or a label, got '#'" },
	{ "/* one\n two */ ld #1\n\tldw", A, -EINVAL, 3, 2, 3, 1, "unknown mnemonic 'ldw'" },
	{ "ld #1\r\nldw\r\n", A, -EINVAL, 2, 1, 3, 1, "unknown mnemonic 'ldw'" },
	{ "ld #1 ; ldw\n  ldh #0q", A, -EINVAL, 2, 8, 2, 1, "invalid octal number '0q'" },
	{ "", A, -EINVAL, 1, 1, 1, -1, "no instructions" },
	{ "; nothing\n", AUTO, -EINVAL, 1, 1, 1, -1, "no instructions" },
	/* tcpdump -d */
	{ "(000) ldh [12]\n(002) ret #1", D, -EINVAL, 2, 2, 3, 1,
	  "line number 2 is out of sequence, expected 1" },
	{ "(001) ret #1", AUTO, -EINVAL, 1, 2, 3, 0, "line number 1 is out of sequence, expected 0" },
	{ "(000) jeq #1 jt 0 jf 1\n(001) ret #1", D, -EINVAL, 1, 17, 1, 0,
	  "backward jump to line 0 (cBPF jumps go forward only)" },
	{ "(000) jeq #1 jt 302 jf 1", D, -EINVAL, 1, 17, 3, 0, "jump offset 301 exceeds 255" },
	{ "(000) jeq #1 jt 1\n(001) ret a", D, -EINVAL, 1, 18, 1, 0,
	  "expected 'jf' after the jt target" },
	{ "(000) jeq #1, jt 1 jf 1", D, -EINVAL, 1, 13, 1, 0,
	  "expected 'jt' after the compared value, got ','" },
	{ "(000) ja 0", D, -EINVAL, 1, 10, 1, 0, "backward jump to line 0" },
	{ "(000) ldh [12] foo", D, -EINVAL, 1, 16, 3, 0,
	  "unexpected 'foo' at the end of the 'ldh' line" },
	{ "(000) ldw [12]", D, -EINVAL, 1, 7, 3, 0, "unknown mnemonic 'ldw', did you mean 'ldh'?" },
	{ "ldh [12]", D, -EINVAL, 1, 1, 3, 0, "expected a '(NNN)' line number, got 'ldh'" },
	{ "(000) unimp 0x10000", D, -EINVAL, 1, 13, 7, 0, "opcode 0x10000 does not fit in 16 bits" },
	{ "(000) ld\n(001) ret", D, -EINVAL, 1, 9, 1, 0, "missing operand for 'ld'" },
	{ "(000 ret", D, -EINVAL, 1, 6, 3, 0, "expected ')' after the line number, got 'ret'" },
	{ "(00a) ret", D, -EINVAL, 1, 2, 3, 0, "invalid decimal number '00a'" },
	{ "(000) unimp 1", A, -EINVAL, 1, 1, 1, 0, "expected a mnemonic or a label, got '('" },
	/* tcpdump -dd */
	{ "{ 0x28, 0, 256, 12 }", DD, -EINVAL, 1, 12, 3, 0, "jf 256 does not fit in 8 bits" },
	{ "{ 0x28, 300, 0, 12 }", AUTO, -EINVAL, 1, 9, 3, 0, "jt 300 does not fit in 8 bits" },
	{ "{ 0x10028, 0, 0, 12 }", DD, -EINVAL, 1, 3, 7, 0, "code 65576 does not fit in 16 bits" },
	{ "{ 0x28, 0, 0 }", DD, -EINVAL, 1, 14, 1, 0, "expected ',' after jf, got '}'" },
	{ "{ 0x28, 0, 0, 12\n{ 6, 0, 0, 0 }", DD, -EINVAL, 1, 17, 1, 0, "expected '}' after k" },
	{ "0x28, 0, 0, 12", DD, -EINVAL, 1, 1, 4, -1,
	  "expected '{' to start an instruction, got '0x28'" },
	{ "{ 0x28, 0, 0, 12 } }", DD, -EINVAL, 1, 20, 1, -1,
	  "expected '{' to start an instruction, got '}'" },
	{ "{ -1, 0, 0, 12 }", DD, -EINVAL, 1, 3, 1, 0, "expected a number, got '-'" },
	/* tcpdump -ddd */
	{ "3\n40 0 0 12\n6 0 0 0", DDD, -EINVAL, 1, 1, 1, -1,
	  "instruction count 3 does not match the 2 instructions that follow" },
	{ "2\n40 0 0\n6 0 0 0", AUTO, -EINVAL, 2, 7, 1, 0,
	  "expected 4 numbers per instruction (code jt jf k), got 3 numbers" },
	{ "2\n40 0 0 12 5\n6 0 0 0", DDD, -EINVAL, 2, 11, 1, 0,
	  "unexpected '5': expected 4 numbers per instruction" },
	{ "1\n40 0 0 0x12", DDD, -EINVAL, 2, 8, 4, 0, "invalid decimal number '0x12'" },
	{ "1\n40 0 300 12", DDD, -EINVAL, 2, 6, 3, 0, "jf 300 does not fit in 8 bits" },
	{ "1\n65536 0 0 0", DDD, -EINVAL, 2, 1, 5, 0, "code 65536 does not fit in 16 bits" },
	{ "1 2\n6 0 0 0", DDD, -EINVAL, 1, 3, 1, -1,
	  "expected the instruction count alone on the first line" },
	{ "70000", DDD, -E2BIG, 1, 1, 5, -1, "instruction count 70000 exceeds 65535" },
	{ "1\n6 0 0 -1", DDD, -EINVAL, 2, 7, 1, 0, "expected a decimal number, got '-'" },
	{ "1\n6 0 0 4294967296", DDD, -EINVAL, 2, 7, 10, 0, "does not fit in 32 bits" },
	{ "0", DDD, -EINVAL, 1, 2, 1, -1, "no instructions" },
};

static void test_errors(void)
{
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		const struct err *e = &errs[i];
		struct cbpf_insn *p = (struct cbpf_insn *)&p;
		struct cbpf_diag d;
		size_t n = 99;
		int rc = cbpf_asm(e->src, strlen(e->src), e->syn, &p, &n, NULL, &d);
		int ok = rc == e->rc && d.line == e->line && d.col == e->col &&
			 d.len == e->len && d.insn == e->insn && strstr(d.msg, e->msg) &&
			 p == NULL && n == 0;

		if (!tap_ok(ok, "%s '%s': %u:%u+%u insn %d: %s", cbpf_syntax_name(e->syn),
			    show(e->src), e->line, e->col, e->len, e->insn, e->msg))
			tap_diag("  got rc %d at %u:%u+%u insn %d: %s", rc, d.line, d.col,
				 d.len, d.insn, d.msg);
	}
}

/* first, then gap instructions, then "far: ret a". */
static char *far_jump(const char *first, unsigned gap)
{
	char *s = malloc(strlen(first) + (size_t)gap * 6 + 16), *p = s;
	unsigned i;

	p += sprintf(p, "%s\n", first);
	for (i = 0; i < gap; i++)
		p += sprintf(p, "ld #0\n");
	sprintf(p, "far: ret a\n");
	return s;
}

static void test_jump_range(void)
{
	struct cbpf_insn *p = NULL;
	struct cbpf_diag d;
	size_t n = 0;
	char *s = far_jump("jeq #1, far", 255);
	int rc = cbpf_asm(s, strlen(s), CBPF_SYNTAX_AUTO, &p, &n, NULL, &d);

	tap_ok(rc == 0 && n == 257 && p[0].jt == 255, "jt offset 255 is fine");
	cbpf_free(p);
	free(s);
	s = far_jump("jeq #1, far", 300);
	rc = cbpf_asm(s, strlen(s), CBPF_SYNTAX_AUTO, &p, &n, NULL, &d);
	tap_ok(rc == -EINVAL && d.line == 1 && d.col == 9 && d.len == 3 && d.insn == 0 &&
	       strstr(d.msg, "jump offset 300 exceeds 255"),
	       "jt offset 300: error at 1:9+3 'jump offset 300 exceeds 255' (%s)", d.msg);
	free(s);
	s = far_jump("jlt x, far", 256);
	rc = cbpf_asm(s, strlen(s), CBPF_SYNTAX_AUTO, &p, &n, NULL, &d);
	tap_ok(rc == -EINVAL && d.line == 1 && d.col == 8 && strstr(d.msg, "jump offset 256"),
	       "jf offset 256 of jlt: error at 1:8 (%s)", d.msg);
	free(s);
	s = far_jump("ja far", 70000);
	rc = cbpf_asm(s, strlen(s), CBPF_SYNTAX_AUTO, &p, &n, NULL, &d);
	tap_is_int(rc, -E2BIG, "70002 instructions: -E2BIG");
	free(s);
	s = far_jump("ja far", 300);
	rc = cbpf_asm(s, strlen(s), CBPF_SYNTAX_AUTO, &p, &n, NULL, &d);
	tap_ok(rc == 0 && p[0].code == 0x05 && p[0].k == 300, "ja reaches 300 ahead (k has 32 bits)");
	cbpf_free(p);
	free(s);
}

/* "ret a\n" count times. */
static char *rets(size_t count, size_t *len)
{
	char *s = malloc(count * 6 + 1);
	size_t i;

	for (i = 0; i < count; i++)
		memcpy(s + i * 6, "ret a\n", 6);
	*len = count * 6;
	return s;
}

static void test_limits(void)
{
	struct cbpf_insn *p = NULL;
	struct cbpf_diag d;
	size_t n = 0, len;
	char *s = rets(65535, &len);
	int rc = cbpf_asm(s, len, CBPF_SYNTAX_AUTO, &p, &n, NULL, &d);

	tap_ok(rc == 0 && n == 65535, "65535 instructions are read");
	cbpf_free(p);
	free(s);
	s = rets(65536, &len);
	rc = cbpf_asm(s, len, CBPF_SYNTAX_AUTO, &p, &n, NULL, &d);
	tap_is_int(rc, -E2BIG, "65536 instructions: -E2BIG");
	tap_ok(d.line == 65536 && d.col == 1 && strstr(d.msg, "more than 65535"),
	       "65536 instructions: error at the 65536th (%u:%u %s)", d.line, d.col, d.msg);
	tap_ok(p == NULL && n == 0, "nothing returned on error");
	free(s);
}

static void test_api(void)
{
	struct cbpf_insn *p = NULL;
	struct cbpf_diag d;
	size_t n = 0;
	int rc;

	tap_is_str(cbpf_syntax_name(CBPF_SYNTAX_AUTO), "auto", "syntax name auto");
	tap_is_str(cbpf_syntax_name(CBPF_SYNTAX_ASM), "asm", "syntax name asm");
	tap_is_str(cbpf_syntax_name(CBPF_SYNTAX_D), "d", "syntax name d");
	tap_is_str(cbpf_syntax_name(CBPF_SYNTAX_DD), "dd", "syntax name dd");
	tap_is_str(cbpf_syntax_name(CBPF_SYNTAX_DDD), "ddd", "syntax name ddd");
	tap_is_str(cbpf_syntax_name((enum cbpf_syntax)9), "unknown", "syntax name out of range");
	tap_is_int(cbpf_asm("ret a", 5, CBPF_SYNTAX_AUTO, NULL, &n, NULL, &d), -EINVAL,
		   "out == NULL: -EINVAL");
	tap_is_int(cbpf_asm("ret a", 5, CBPF_SYNTAX_AUTO, &p, NULL, NULL, &d), -EINVAL,
		   "nout == NULL: -EINVAL");
	tap_is_int(cbpf_asm(NULL, 1, CBPF_SYNTAX_AUTO, &p, &n, NULL, &d), -EINVAL,
		   "src == NULL with len 1: -EINVAL");
	tap_is_int(cbpf_asm("ret a", 5, (enum cbpf_syntax)7, &p, &n, NULL, &d), -EINVAL,
		   "bad syntax value: -EINVAL");
	tap_is_int(cbpf_asm("ldw", 3, CBPF_SYNTAX_AUTO, &p, &n, NULL, NULL), -EINVAL,
		   "diag may be NULL");
	/* len bounds the source: "ret a; trailing garbage @" cut before the ';' */
	rc = cbpf_asm("ret #1@@@", 6, CBPF_SYNTAX_AUTO, &p, &n, NULL, &d);
	tap_ok(rc == 0 && n == 1 && p[0].k == 1, "src is read only up to len");
	cbpf_free(p);
	rc = cbpf_asm("ret #1\0ret #2", 13, CBPF_SYNTAX_AUTO, &p, &n, NULL, &d);
	tap_ok(rc == -EINVAL && strstr(d.msg, "unexpected byte 0x00") && d.col == 7,
	       "a NUL byte inside the source is an error (%s)", d.msg);
}

int main(void)
{
	test_encodings();
	test_programs();
	test_errors();
	test_jump_range();
	test_limits();
	test_api();
	return tap_done();
}
