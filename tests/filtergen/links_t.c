/*
 * links_t.c -- the link-type table and the per-family lowerings, checked
 * on their own: every link type libpcap compiles for is known to pfc by the
 * same name and number; errors on the new families carry the exact message
 * and position; hand-built packets get the exact verdicts their headers
 * call for (802.11 with and without QoS and radiotap padding, PRISM, PPI,
 * PFLOG's padded header, MTP2's routing label, ARCnet and BACnet addresses,
 * SunATM circuits and LANE, Juniper cookies, DSA tags).
 */
#include <errno.h>
#include <string.h>

#include <pcap/pcap.h>

#include "filtergen.h"
#include "tap.h"

static int compile(const char *link, const char *expr, struct cbpf_insn **prog, size_t *n,
		   struct fg_diag *d)
{
	struct fg_compile_opts o;
	int dlt = -1;

	fg_compile_opts_init(&o);
	if (fg_linktype_lookup(link, &dlt) < 0)
		return -EOPNOTSUPP;
	o.linktype = dlt;
	memset(d, 0, sizeof(*d));
	return fg_compile(expr, strlen(expr), &o, prog, n, d);
}

/* Every DLT libpcap 1.10.3 compiles for has the same name in pfc. */
static void test_table(void)
{
	int dlt, known = 0;

	for (dlt = 0; dlt < 300; dlt++) {
		const char *name = pcap_datalink_val_to_name(dlt), *ours = fg_linktype_name(dlt);
		struct bpf_program bp;
		pcap_t *p;
		int ok;

		if (!name)
			continue;
		p = pcap_open_dead(dlt, 65535);
		ok = pcap_compile(p, &bp, "len > 0", 0, PCAP_NETMASK_UNKNOWN) == 0;
		if (ok)
			pcap_freecode(&bp);
		pcap_close(p);
		if (!ok)
			continue;
		known++;
		tap_ok(ours && strcmp(ours, name) == 0, "DLT %d is %s in pfc too (got %s)", dlt, name,
		       ours ? ours : "nothing");
	}
	tap_ok(known >= 150, "libpcap compiles for %d link types", known);
	tap_ok(fg_linktype_lookup("ZWAVE_TAP", &dlt) == 0 && dlt == 297,
	       "link types libpcap master added are known by name");
	tap_ok(fg_linktype_lookup("I2C_LINUX", &dlt) == 0 && dlt == 209 &&
	       strcmp(fg_linktype_name(209), "IPMB_LINUX") == 0, "I2C_LINUX is IPMB_LINUX renamed");
}

struct err_case {
	const char *link, *expr;
	size_t off, len;
	const char *msg;
};

static void test_errors(void)
{
	static const struct err_case cases[] = {
		{ "PFLOG", "on abcdefghijklmnop", 0, 19, "ifname interface names can only be 15 characters" },
		{ "EN10MB", "rnr 5", 0, 5, "PF log fields (ifname, rnr, reason, action...) are only on PFLOG, not EN10MB" },
		{ "MTP2", "sio 256", 0, 7, "sio 256 greater than maximum 255" },
		{ "MTP2", "hdpc > 16384", 0, 12, "hdpc 16384 greater than maximum 16383" },
		{ "MTP2", "ip", 0, 2, "link-layer type filtering not implemented for link type MTP2" },
		{ "RAW", "fisu", 0, 4, "MTP2 signal-unit types are only on MTP2 link types, not RAW" },
		{ "SUNATM", "vpi 256", 0, 7, "VPI 256 greater than maximum 255" },
		{ "EN10MB", "lane", 0, 4, "'lane' is only supported on SunATM, not EN10MB" },
		{ "ARCNET", "ip host $fe", 0, 2, "'link' is the only valid proto qualifier for 'host $XX'" },
		{ "ARCNET", "link net $fe", 5, 3, "'net' is not a valid qualifier for '$XX'" },
		{ "EN10MB", "link host $fe", 0, 13, "ARCnet addresses are only valid on ARCnet link types, not EN10MB" },
		{ "FDDI", "type data", 0, 9, "802.11 frame types and directions are only on 802.11 link types, not FDDI" },
		{ "EN10MB", "radio[0] = 1", 0, 8, "radio information not present in link type EN10MB" },
		{ "PPI", "vlan", 0, 4, "no VLAN support for link type PPI" },
		{ "JUNIPER_ES", "ip[0] = 1", 0, 9, "a field of this expression lies before the packet on link type JUNIPER_ES" },
		{ "CAN_SOCKETCAN", "tcp", 0, 3, "link-layer type filtering not implemented for link type CAN_SOCKETCAN" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct err_case *c = &cases[i];
		struct cbpf_insn *prog = NULL;
		struct fg_diag d;
		size_t n = 0;
		int rc = compile(c->link, c->expr, &prog, &n, &d);

		tap_is_int(rc, -EINVAL, "%s [%s] fails", c->link, c->expr);
		tap_is_str(d.msg, c->msg, "%s [%s] message", c->link, c->expr);
		tap_ok(d.offset == c->off && d.length == c->len, "%s [%s] at %zu+%zu (got %zu+%zu)",
		       c->link, c->expr, c->off, c->len, d.offset, d.length);
		cbpf_free(prog);
	}
}

struct pkt_case {
	const char *link, *expr;
	const char *hex;	/* the packet, two hex digits a byte, spaces ignored */
	unsigned want;		/* 0 or 1 (the accept value) */
};

static size_t unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned v;

	while (*s && n < max) {
		if (*s == ' ') {
			s++;
			continue;
		}
		if (sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* 802.11 data header pieces: frame control, duration, three addresses, sequence. */
#define W_DATA "08 00 0000 020000000001 020000000002 020000000003 0000"
#define W_QOS "88 00 0000 020000000001 020000000002 020000000003 0000 0000"
#define SNAP_IP "aaaa03 000000 0800"
#define IPV4 "45000028 00000000 4006 0000 c6120001 c6120002"

static void test_packets(void)
{
	static const struct pkt_case cases[] = {
		{ "IEEE802_11", "ip", W_DATA SNAP_IP IPV4, 1 },
		{ "IEEE802_11", "ip", W_QOS SNAP_IP IPV4, 1 },
		{ "IEEE802_11", "ip and host 198.18.0.1", W_QOS SNAP_IP IPV4, 1 },
		{ "IEEE802_11", "wlan src 02:00:00:00:00:02", W_DATA SNAP_IP IPV4, 1 },
		{ "IEEE802_11", "wlan dst 02:00:00:00:00:01 and wlan addr3 02:00:00:00:00:03", W_DATA, 1 },
		{ "IEEE802_11", "type data and subtype qos-data", W_QOS, 1 },
		{ "IEEE802_11", "type mgt", W_DATA, 0 },
		/* radiotap: 10 bytes, flags present (0x02), at 8 (no TSFT) DATAPAD (0x20): the
		 * 802.11 header from 10 to 34, its payload padded to 36 */
		{ "IEEE802_11_RADIO", "ip and src host 198.18.0.1",
		  "00 00 0a00 02000000 20 00" W_DATA "0000" SNAP_IP IPV4, 1 },
		{ "IEEE802_11_RADIO", "ip", "00 00 0a00 02000000 20 00" W_DATA SNAP_IP IPV4, 0 },
		{ "IEEE802_11_RADIO", "ip", "00 00 0a00 02000000 00 00" W_DATA SNAP_IP IPV4, 1 },
		/* PPI: the DLT at 4 must be 802.11 (105 little-endian) */
		{ "PPI", "len > 0", "00 00 0800 69000000" W_DATA, 1 },
		{ "PPI", "len > 0", "00 00 0800 01000000" W_DATA, 0 },
		/* PFLOG: length 61 padded to 64, AF_INET, action 1 (block), ifname "em0", rulenr 5 */
		{ "PFLOG", "ip and host 198.18.0.2 and action block and on em0 and rnr 5",
		  "3d 02 01 00 656d3000000000000000000000000000 00000000000000000000000000000000"
		  "00000005 00000000 00000000 00000000 00000000 00000000 01 000000" IPV4, 1 },
		/* MTP2: li 3 (msu), SIO 3, label DPC 5 OPC 9 SLS 2 little-endian */
		{ "MTP2", "msu and sio = 3 and dpc = 5 and opc = 9 and sls = 2", "0000 03 03 05 40 02 20", 1 },
		{ "MTP2", "lssu", "0000 03 03 05 40 02 20", 0 },
		{ "ARCNET_LINUX", "link src $c0 and link dst $0e and ip", "c0 0e 0000 d4 00 0000" IPV4, 1 },
		{ "ARCNET", "broadcast", "c0 00 d4", 1 },
		{ "BACNET_MS_TP", "link broadcast and link src $7e", "55ff 00 ff 7e 0000 00", 1 },
		/* SunATM: LLC on VPI 0 / VCI 5, then LANE: Ethernet after a 2-byte header */
		{ "SUNATM", "sc and ip", "02 00 0005 aaaa0300000008 00" IPV4, 1 },
		{ "SUNATM", "lane and ip and ether src 02:00:00:00:00:02",
		  "01 00 0020 0001 020000000001 020000000002 0800" IPV4, 1 },
		{ "SUNATM", "lane and ip", "01 00 0020 ff00 020000000001 020000000002 0800" IPV4, 0 },
		{ "JUNIPER_ETHER", "inbound", "4d474301", 1 },
		{ "JUNIPER_ETHER", "outbound", "4d474301", 0 },
		/* Broadcom tag between the source address and the type; opcode 1: from the CPU */
		{ "DSA_TAG_BRCM", "outbound and ip and host 198.18.0.1",
		  "020000000001 020000000002 20000000 0800" IPV4, 1 },
		{ "DSA_TAG_DSA", "inbound", "020000000001 020000000002 40000000 0800", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pkt_case *c = &cases[i];
		struct cbpf_insn *prog = NULL;
		struct cbpf_vm *vm = NULL;
		struct fg_diag d;
		uint8_t pkt[512];
		size_t n = 0, len = unhex(c->hex, pkt, sizeof(pkt));
		int rc = compile(c->link, c->expr, &prog, &n, &d);
		unsigned got = 2;

		if (rc == 0 && cbpf_vm_new(prog, n, 0, &vm) == 0)
			got = cbpf_vm_run(vm, pkt, (uint32_t)len, (uint32_t)len, NULL) != 0;
		if (!tap_ok(got == c->want, "%s [%s] on %zu bytes: %u", c->link, c->expr, len, c->want))
			tap_diag("  rc %d (%s), got %u", rc, rc ? d.msg : "", got);
		cbpf_vm_free(vm);
		cbpf_free(prog);
	}
}

int main(void)
{
	test_table();
	test_errors();
	test_packets();
	return tap_done();
}
