/*
 * fuzz_interp.c -- libFuzzer target for the interpreter.
 *
 * Input: byte 0 is the number of instructions n, byte 1 the mode bits
 * (bit 0: CBPF_VM_SECCOMP; bits 1-7: wirelen - caplen in units of 8), then
 * n 8-byte instructions in host order (struct cbpf_insn; fewer if the input
 * ends), and the rest is the packet.  The packet is the tail of the input,
 * so a read past it is caught by ASan.
 *
 * cbpf_vm_new must never crash; when it accepts, runs with and without meta
 * must not either.  In socket mode, when the kernel's checker
 * (cbpf_validate) accepts the program, the verdict without meta must equal
 * libpcap's bpf_filter(); a difference aborts.
 */
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "cbpf.h"

#define MAX_INSNS 255

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct cbpf_meta fuzz_meta = {
	.protocol = 0x0800, .pkttype = 0, .ifindex = 2, .mark = 0x1234,
	.queue = 1, .hatype = 1, .rxhash = 0xabcdef01, .cpu = 3,
	.vlan_tci = 0x0064, .vlan_present = 1, .vlan_tpid = 0x8100,
	.rand = 0x5eed, .poff = 34, .nh_off = 14,
};

/* The verdict libpcap gives, when the kernel would accept the program. */
static void check_reference(const struct cbpf_insn *insns, size_t n, const uint8_t *pkt,
			    uint32_t wirelen, uint32_t caplen, uint32_t got)
{
	uint32_t want;

	if (cbpf_validate(insns, n, CBPF_FLAVOR_SOCKET, NULL) != 0)
		return;
	want = bpf_filter((const struct bpf_insn *)insns, pkt, wirelen, caplen);
	if (want != got)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cbpf_insn insns[MAX_INSNS];
	struct cbpf_vm *vm;
	size_t n, avail, i;
	unsigned mode, flags;
	const uint8_t *pkt;
	uint32_t caplen, wirelen, got;

	if (size < 2)
		return 0;
	n = data[0];
	mode = data[1];
	avail = (size - 2) / sizeof(struct cbpf_insn);
	if (n > avail)
		n = avail;
	for (i = 0; i < n; i++)
		memcpy(&insns[i], data + 2 + i * sizeof(struct cbpf_insn), sizeof(struct cbpf_insn));
	pkt = data + 2 + n * sizeof(struct cbpf_insn);
	caplen = (uint32_t)(size - 2 - n * sizeof(struct cbpf_insn));
	wirelen = caplen + (mode >> 1) * 8;
	flags = mode & 1 ? CBPF_VM_SECCOMP : 0;
	if (cbpf_vm_new(insns, n, flags, &vm) != 0)
		return 0;
	got = cbpf_vm_run(vm, pkt, wirelen, caplen, NULL);
	(void)cbpf_vm_run(vm, pkt, wirelen, caplen, &fuzz_meta);
	cbpf_vm_free(vm);
	if (!flags)
		check_reference(insns, n, pkt, wirelen, caplen, got);
	return 0;
}
