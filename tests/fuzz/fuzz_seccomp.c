/*
 * fuzz_seccomp.c -- libFuzzer target for the seccomp front end: the input
 * after the first byte is a policy (pfc-seccomp(5)) or, when bit 0 of the
 * first byte is set, an OCI JSON profile; it is compiled and explained.
 *
 * Keeps true (abort() otherwise): the result is 0, -EINVAL, -E2BIG or
 * -ENOMEM; an error's diagnostic lies inside the source and has a
 * message; a filter passes the kernel's seccomp rules and disassembles.
 * With bit 1 set, allocation fails after a budget taken from the second
 * byte, so the out-of-memory paths are fuzzed too (ASan reports leaks).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "budget_alloc.h"
#include "filtergen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_diag(int rc, const struct fg_diag *d, size_t len)
{
	if (rc != -EINVAL && rc != -E2BIG && rc != -ENOMEM)
		abort();
	if (d->offset + d->length > len || d->msg[0] == '\0')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_seccomp_opts o;
	struct cbpf_insn *p = NULL;
	struct fg_diag d;
	char *text = NULL, *src;
	size_t n = 0, len;
	long budget = 0;
	int rc;

	if (size < 2)
		return 0;
	fg_seccomp_opts_init(&o);
	o.oci = data[0] & 1;
	if (data[0] & 2) {
		budget = data[1] * 4;
		o.alloc = budget_alloc;
		o.alloc_ud = &budget;
	}
	len = size - 2;
	src = malloc(len + 1);
	if (!src)
		return 0;
	memcpy(src, data + 2, len);
	src[len] = '\0';
	memset(&d, 0, sizeof(d));
	rc = fg_seccomp_compile(src, len, &o, &p, &n, &d);
	if (rc == 0) {
		if (cbpf_validate(p, n, CBPF_FLAVOR_SECCOMP, NULL) != 0)
			abort();
		if (fg_seccomp_disasm(p, n, &text) != 0 && !(data[0] & 2))
			abort();
		cbpf_free(text);
		text = NULL;
	} else {
		check_diag(rc, &d, len);
	}
	cbpf_free(p);
	if (data[0] & 2)
		budget = data[1] * 4;
	memset(&d, 0, sizeof(d));
	rc = fg_seccomp_explain(src, len, &o, &text, &d);
	if (rc != 0)
		check_diag(rc, &d, len);
	cbpf_free(text);
	free(src);
	return 0;
}
