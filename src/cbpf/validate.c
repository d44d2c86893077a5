/* validate.c -- placeholder until the validator lands. */
#include <errno.h>
#include "cbpf_int.h"
int cbpf_validate(const struct cbpf_insn *insns, size_t len, enum cbpf_flavor flavor, struct cbpf_diag *diag)
{
	cbpf_diag_set(diag, -1, "validator not built");
	return -ENOSYS;
}
