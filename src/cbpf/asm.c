/* asm.c -- placeholder until the assembler lands. */
#include <errno.h>
#include "cbpf_int.h"
int cbpf_asm(const char *src, size_t len, enum cbpf_syntax syntax, struct cbpf_insn **out, size_t *nout, enum cbpf_syntax *detected, struct cbpf_diag *diag) { return -ENOSYS; }
const char *cbpf_syntax_name(enum cbpf_syntax syntax) { return "?"; }
