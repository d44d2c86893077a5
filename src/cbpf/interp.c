/* interp.c -- placeholder until the interpreter lands. */
#include <errno.h>
#include "cbpf_int.h"
int cbpf_vm_new(const struct cbpf_insn *insns, size_t len, unsigned flags, struct cbpf_vm **out) { return -ENOSYS; }
uint32_t cbpf_vm_run(const struct cbpf_vm *vm, const uint8_t *pkt, uint32_t wirelen, uint32_t caplen, const struct cbpf_meta *meta) { return 0; }
void cbpf_vm_free(struct cbpf_vm *vm) { }
