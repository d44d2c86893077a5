/* disasm.c -- placeholder until the disassembler lands. */
#include <errno.h>
#include "cbpf_int.h"
int cbpf_disasm(const struct cbpf_insn *insns, size_t len, enum cbpf_format fmt, char **out) { return -ENOSYS; }
int cbpf_insn_image(const struct cbpf_insn *insn, size_t pc, char *buf, size_t size) { return -ENOSYS; }
