/*
 * seccomp_t.c -- unit tests of the seccomp front end: diagnostics (exact
 * message, offset, length) of the policy language and the JSON reader,
 * every out-of-memory path, the 4096-instruction limit, far jumps, and the
 * compiled filter against a direct evaluation of the policy (first match
 * wins, 32-bit arguments on their low word) over random inputs, with and
 * without the optimizer; runc's -ENOSYS stub on OCI profiles, with exact
 * verdicts at its edges on each ABI.
 */
#define _GNU_SOURCE 1
#include <sys/syscall.h>

#include "budget_alloc.h"
#include "sc_test.h"
#include "tap.h"

#define AUDIT_ARCH_X86_64_V 0xc000003eu

static int compile(const char *src, int oci, int optimize, struct cbpf_insn **p, size_t *n,
		   struct fg_diag *d)
{
	struct fg_seccomp_opts o;

	fg_seccomp_opts_init(&o);
	o.oci = oci;
	o.optimize = optimize;
	memset(d, 0, sizeof(*d));
	return fg_seccomp_compile(src, strlen(src), &o, p, n, d);
}

static void error_case(const char *src, int oci, const char *msg, size_t off, size_t len)
{
	struct cbpf_insn *p = NULL;
	struct fg_diag d;
	size_t n;
	int rc = compile(src, oci, 1, &p, &n, &d);

	tap_ok(rc == -EINVAL && strcmp(d.msg, msg) == 0 && d.offset == off && d.length == len,
	       "error: %s", msg);
	if (rc != -EINVAL || strcmp(d.msg, msg) != 0 || d.offset != off || d.length != len)
		tap_diag("got rc %d '%s' at %zu+%zu", rc, d.msg, d.offset, d.length);
	cbpf_free(p);
}

static void errors(void)
{
	error_case("allow opne", 0, "unknown syscall 'opne'; did you mean 'open'?", 6, 4);
	error_case("allow read if arg6 == 1", 0,
		   "expected an argument (arg0 .. arg5), '!' or '('", 14, 4);
	error_case("allow read if arg0 ~ 1", 0, "unexpected character '~'", 19, 1);
	error_case("allow read if arg0 = 1", 0,
		   "expected a comparison (== != < <= > >= & in) after the argument", 19, 1);
	error_case("errno(70000) read", 0, "errno: the value must be at most 65535", 6, 5);
	error_case("errno(EFOO) read", 0, "unknown name 'EFOO' (not a define or an errno name)", 6, 4);
	error_case("arch sparc", 0, "unknown architecture 'sparc' (x86_64, i386, x32, aarch64)", 5, 5);
	error_case("arch x86_64, x86_64", 0, "architecture 'x86_64' given twice", 13, 6);
	error_case("allow @net", 0, "unknown group 'net'", 7, 3);
	error_case("read", 0, "expected a statement (arch, default, badarch, define, group) or an action",
		   0, 4);
	error_case("allow read if arg0 in 5..1", 0, "empty range", 22, 4);
	error_case("allow read if (arg0 == 1", 0, "expected ')' at the end of the policy", 24, 0);
	error_case("allow read if arg0 == 99999999999999999999", 0,
		   "'99999999999999999999' is not a valid number", 22, 20);
	error_case("{\"defaultAction\": 1}", 1, "expected an action string (SCMP_ACT_...)", 18, 1);
	error_case("{\"syscalls\": []}", 1, "missing \"defaultAction\"", 0, 16);
	error_case("{\"defaultAction\": \"SCMP_ACT_ALLOW\",", 1, "expected a member name in quotes", 35, 1);
	error_case("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], "
		   "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 7, \"value\": 1, "
		   "\"op\": \"SCMP_CMP_EQ\"}]}]}", 1, "expected an argument index from 0 to 5", 116, 1);
	error_case("[1, 2", 1, "expected ',' or ']'", 5, 1);
	error_case("{\"a\": \"\\q\"}", 1, "unknown escape in string", 7, 2);
	error_case("{\"a\": 01}", 1, "numbers must not have leading zeros", 6, 2);
}

/* Every allocation failure ends in -ENOMEM, nothing leaks (the sanitizer build checks). */
static void out_of_memory(void)
{
	static const char src[] =
		"arch x86_64, i386\ndefault errno(1)\ngroup g = read, write\nallow @g\n"
		"allow socket if arg0 in {1, 2..9} && !(arg1 & 0xf0 == 0x10) || arg2 > 0x100000000\n";
	struct fg_seccomp_opts o;
	struct cbpf_insn *p;
	struct fg_diag d;
	long budget, i;
	size_t n;
	int rc = -ENOMEM, bad = 0;

	fg_seccomp_opts_init(&o);
	o.alloc = budget_alloc;
	o.alloc_ud = &budget;
	for (i = 0; i < 100000 && rc == -ENOMEM; i++) {
		budget = i;
		p = NULL;
		rc = fg_seccomp_compile(src, sizeof(src) - 1, &o, &p, &n, &d);
		if (rc != 0 && rc != -ENOMEM)
			bad++;
		cbpf_free(p);
	}
	tap_ok(rc == 0 && bad == 0, "out of memory at each of the first %ld allocations: -ENOMEM", i - 1);
}

static void limits(void)
{
	size_t cap = 200000, len = 0, i, n = 0;
	char *src = malloc(cap);
	struct cbpf_insn *p = NULL;
	struct fg_diag d;
	int rc;

	/* 1500 distinct values on one syscall: a long chain, far jumps to the returns */
	len += (size_t)snprintf(src + len, cap - len, "arch x86_64\ndefault errno(1)\n");
	for (i = 0; i < 1500; i++)
		len += (size_t)snprintf(src + len, cap - len, "errno(%zu) ioctl if arg1 == %zu\n",
					i % 7 + 2, i * 3);
	rc = compile(src, 0, 1, &p, &n, &d);
	tap_ok(rc == 0 && n > 1500 && n <= 4096, "1500 rules on one syscall: %zu instructions", n);
	if (rc == 0) {
		struct cbpf_vm *vm;
		struct seccomp_data sd;

		memset(&sd, 0, sizeof(sd));
		sd.arch = sc_arch_audit(SC_ARCH_X86_64);
		sd.nr = 16;
		sd.args[1] = 3 * 1499;
		tap_ok(cbpf_vm_new(p, n, CBPF_VM_SECCOMP, &vm) == 0 &&
		       sc_vm_verdict(vm, &sd) == (SC_RET_ERRNO | (1499 % 7 + 2)),
		       "... the last one, across far jumps, still decides");
		cbpf_vm_free(vm);
	}
	cbpf_free(p);
	p = NULL;
	for (i = 1500; i < 5000; i++)
		len += (size_t)snprintf(src + len, cap - len, "errno(%zu) ioctl if arg1 == %zu\n",
					i % 7 + 2, i * 3);
	rc = compile(src, 0, 1, &p, &n, &d);
	tap_ok(rc == -E2BIG, "5000 rules: -E2BIG (%s)", d.msg);
	cbpf_free(p);
	free(src);
}

/* ---- the filter against a direct evaluation of the policy ---- */

static bool eval(const struct sc_expr *e, const uint64_t *args, unsigned w32)
{
	uint64_t v, a;
	bool narrow;

	switch (e->kind) {
	case SC_E_AND: return eval(e->l, args, w32) && eval(e->r, args, w32);
	case SC_E_OR: return eval(e->l, args, w32) || eval(e->r, args, w32);
	case SC_E_NOT: return !eval(e->l, args, w32);
	default: break;
	}
	narrow = (w32 >> e->arg) & 1;
	v = narrow ? args[e->arg] & 0xffffffffu : args[e->arg];
	a = e->a;
	if (narrow && (a >> 32) == 0xffffffffu && (a & 0x80000000u))
		a &= 0xffffffffu;	/* a negative int */
	switch (e->op) {
	case SC_EQ: return v == a;
	case SC_NE: return v != a;
	case SC_LT: return v < a;
	case SC_LE: return v <= a;
	case SC_GT: return v > a;
	case SC_GE: return v >= a;
	case SC_MASKED_EQ:
		if (!narrow)
			return (v & e->a) == e->b;
		/* a value wider than 32 bits (not a negative int) never matches */
		if ((e->b >> 32) != 0 && !((e->b >> 32) == 0xffffffffu && (e->b & 0x80000000u)))
			return false;
		return (v & (uint32_t)e->a) == (uint32_t)e->b;
	default: return v >= e->a && v <= e->b;
	}
}

static uint32_t reference(const struct sc_policy *pol, enum sc_arch arch, uint32_t nr,
			  const uint64_t *args)
{
	const char *name = sc_sys_name(arch, nr);
	unsigned w32 = sc_arch_is32(arch) ? 0x3f : name ? sc_arg32_mask(name) : 0;
	size_t i, j;

	for (i = 0; name && i < pol->nrules; i++)
		for (j = 0; j < pol->rules[i].nnames; j++)
			if (strcmp(pol->rules[i].names[j].name, name) == 0 &&
			    (!pol->rules[i].cond || eval(pol->rules[i].cond, args, w32)))
				return pol->rules[i].action;
	return pol->def_action;
}

static uint64_t pick(unsigned *seed)
{
	static const uint64_t v[] = { 0, 1, 2, 3, 5, 7, 8, 9, 10, 0x10, 0x20, 0xff, 0x100, 0xfff0,
				      0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x100000000ull,
				      0x100000005ull, 0xffffffff00000003ull, 0xffffffffffffffffull };
	unsigned r = rand_r(seed);

	return r & 1 ? v[(r >> 1) % (sizeof(v) / sizeof(v[0]))] : ((uint64_t)rand_r(seed) << 33) ^ (uint64_t)rand_r(seed);
}

static void semantics(const char *what, const char *src, enum sc_arch arch, int optimize)
{
	const char *arches[1] = { sc_arch_name(arch) };
	struct fg_seccomp_opts o;
	struct cbpf_insn *p = NULL;
	struct cbpf_vm *vm = NULL;
	struct fg_diag d;
	struct sc_ctx c;
	struct fg_arena a;
	size_t n;
	unsigned seed = 1, bad = 0, runs = 0;
	uint32_t nr, base = arch == SC_ARCH_X32 ? 0x40000000u : 0;
	int rc, k;

	fg_seccomp_opts_init(&o);
	o.arches = arches;
	o.narches = 1;
	o.optimize = optimize;
	rc = fg_seccomp_compile(src, strlen(src), &o, &p, &n, &d);
	if (rc == 0)
		rc = cbpf_vm_new(p, n, CBPF_VM_SECCOMP, &vm);
	if (rc == 0)
		rc = sc_test_read(&c, &a, src, strlen(src), &o, &d);
	if (rc) {
		tap_ok(0, "%s, %s: compiles (%s)", what, arches[0], d.msg);
		return;
	}
	for (nr = base; nr < base + 460; nr++) {
		for (k = 0; k < 60; k++) {
			struct seccomp_data sd;
			uint32_t want, got;
			int i;

			memset(&sd, 0, sizeof(sd));
			sd.nr = (int)nr;
			sd.arch = sc_arch_audit(arch);
			for (i = 0; i < 6; i++)
				sd.args[i] = k == 0 ? 0 : pick(&seed);
			if (arch == SC_ARCH_I386)
				for (i = 0; i < 6; i++)
					sd.args[i] &= 0xffffffffu;
			want = reference(&c.pol, arch, nr, (const uint64_t *)sd.args);
			got = sc_vm_verdict(vm, &sd);
			runs++;
			if (want != got && bad++ < 3)
				tap_diag("nr %u args %llx %llx %llx: filter 0x%x, policy 0x%x", nr,
					 (unsigned long long)sd.args[0], (unsigned long long)sd.args[1],
					 (unsigned long long)sd.args[2], got, want);
		}
	}
	tap_ok(bad == 0, "%s, %s%s: the filter decides as the policy on %u inputs", what,
	       arches[0], optimize ? "" : " (not optimized)", runs);
	fg_arena_destroy(&a);
	cbpf_vm_free(vm);
	cbpf_free(p);
}

static const char rich[] =
	"default errno(EPERM)\n"
	"define AF_VSOCK = 40\n"
	"allow getpid, gettid, exit_group\n"
	"group io = read, write, pread64\n"
	"allow @io if arg0 <= 2 || arg0 in {7, 9..10}\n"
	"errno(5) @io\n"
	"allow socket if !(arg0 == 38 || arg0 == AF_VSOCK) && arg1 & 0xf == 1\n"
	"trap socket if arg0 == AF_VSOCK\n"
	"allow mmap if arg2 & 0x100000004 == 0x100000000 || arg3 == -1\n"
	"allow lseek if arg1 > 0x100000000 && arg2 in 0..1\n"
	"allow lseek if arg1 < 3 && arg2 != 0\n"
	"log ioctl if arg1 >= 0x5401 && arg1 <= 0x5410\n"
	"allow kill if arg1 == -1\n"
	"allow madvise if arg0 != 0x100000005 && arg2 != 0xffffffff\n"
	"errno(9) madvise if arg2 & 0xff == 0x100000001 || arg2 & -1 == -4\n"
	"allow personality if arg0 in {0, 0xffffffff, 0x100000000}\n"
	"kill_thread reboot\n"
	"user_notif mount\n"
	"trace(7) ptrace\n";

/* Is the first rule naming nr (on arch) an unconditional allow? */
static bool allowed_outright(const struct sc_policy *pol, enum sc_arch arch, uint32_t nr)
{
	const char *name = sc_sys_name(arch, nr);
	size_t i, j;

	for (i = 0; name && i < pol->nrules; i++)
		for (j = 0; j < pol->rules[i].nnames; j++)
			if (strcmp(pol->rules[i].names[j].name, name) == 0)
				return !pol->rules[i].cond && pol->rules[i].action == SC_RET_ALLOW;
	return pol->def_action == SC_RET_ALLOW;
}

/* The kernel's action cache holds exactly the syscalls allowed outright. */
static void action_cache(const char *what, const char *src, size_t len, int oci)
{
	static const char *const arches[] = { "x86_64", "i386" };
	struct fg_seccomp_opts o;
	struct cbpf_insn *p = NULL;
	struct fg_diag d;
	struct sc_ctx c;
	struct fg_arena a;
	size_t n;
	unsigned bad = 0, cached = 0;
	uint32_t nr;
	int rc;

	fg_seccomp_opts_init(&o);
	o.oci = oci;
	o.arches = arches;
	o.narches = 2;
	rc = fg_seccomp_compile(src, len, &o, &p, &n, &d);
	if (rc == 0)
		rc = sc_test_read(&c, &a, src, len, &o, &d);
	if (rc) {
		tap_ok(0, "%s: compiles (%s)", what, d.msg);
		return;
	}
	for (nr = 0; nr < 0x40000000u + 600; nr = nr == 600 ? 0x40000000u : nr + 1) {
		bool want = nr < 0x40000000u && allowed_outright(&c.pol, SC_ARCH_X86_64, nr);
		bool got = sc_cache_allows(p, n, AUDIT_ARCH_X86_64_V, nr);

		cached += got;
		if (want != got && bad++ < 3)
			tap_diag("nr %u: cached %d, allowed outright %d", nr, got, want);
	}
	tap_ok(bad == 0, "%s: the kernel's action cache takes exactly the %u syscalls allowed outright",
	       what, cached);
	fg_arena_destroy(&a);
	cbpf_free(p);
}

/* ---- runc's -ENOSYS stub (OCI profiles) ---- */

#define STUB_PROFILE(DEF, ARCHES) \
	"{\"defaultAction\": \"" DEF "\", \"architectures\": [" ARCHES "], \"syscalls\": [" \
	"{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"}," \
	"{\"names\": [\"openat\"], \"action\": \"" DEF "\"}," \
	"{\"names\": [\"nosuchcall\"], \"action\": \"SCMP_ACT_ALLOW\"}]}"
#define ALL3 "\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X32\", \"SCMP_ARCH_X86\""

struct stub_case {
	uint32_t audit, nr, want;
};

/* Compile src (OCI) and check each case's verdict; returns the filter's length. */
static size_t stub_check(const char *what, const char *src, int no_stub,
			 const struct stub_case *cs, size_t ncs)
{
	struct fg_seccomp_opts o;
	struct cbpf_insn *p = NULL;
	struct cbpf_vm *vm = NULL;
	struct seccomp_data sd;
	struct fg_diag d;
	size_t n = 0, i, bad = 0;

	fg_seccomp_opts_init(&o);
	o.oci = 1;
	o.no_enosys_stub = no_stub;
	if (fg_seccomp_compile(src, strlen(src), &o, &p, &n, &d) ||
	    cbpf_vm_new(p, n, CBPF_VM_SECCOMP, &vm)) {
		tap_ok(0, "%s: compiles (%s)", what, d.msg);
		cbpf_free(p);
		return 0;
	}
	for (i = 0; i < ncs; i++) {
		uint32_t got;

		memset(&sd, 0, sizeof(sd));
		sd.arch = cs[i].audit;
		sd.nr = (int)cs[i].nr;
		got = sc_vm_verdict(vm, &sd);
		if (got != cs[i].want && bad++ < 5)
			tap_diag("arch 0x%x nr 0x%x: got 0x%08x, want 0x%08x", cs[i].audit, cs[i].nr,
				 got, cs[i].want);
	}
	tap_ok(bad == 0, "%s: %zu exact verdicts (%zu differ)", what, ncs, bad);
	cbpf_vm_free(vm);
	cbpf_free(p);
	return n;
}

static void enosys_stub(void)
{
	const uint32_t X64 = AUDIT_ARCH_X86_64_V, I386 = 0x40000003u;
	const uint32_t EPERM_ = SC_RET_ERRNO | EPERM, NOSYS = SC_RET_ERRNO | ENOSYS;
	/* x86_64: read 0, write 1, openat 257 (default action: dropped, but runc counts it) */
	const struct stub_case all3[] = {
		{ X64, 0, SC_RET_ALLOW }, { X64, 1, SC_RET_ALLOW }, { X64, 2, EPERM_ },
		{ X64, 257, EPERM_ }, { X64, 258, NOSYS }, { X64, 467, NOSYS },
		{ X64, 0x3fffffffu, NOSYS }, { X64, 0x80000000u, NOSYS }, { X64, 0xbfffffffu, NOSYS },
		/* x32: read 0x40000000 ... openat 0x40000101 */
		{ X64, 0x40000000u, SC_RET_ALLOW }, { X64, 0x40000101u, EPERM_ },
		{ X64, 0x40000102u, NOSYS }, { X64, 0x7fffffffu, NOSYS }, { X64, 0xc0000000u, NOSYS },
		{ X64, 0xffffffffu, NOSYS },
		/* i386: read 3, write 4, open 5, openat 295 */
		{ I386, 3, SC_RET_ALLOW }, { I386, 5, EPERM_ }, { I386, 295, EPERM_ },
		{ I386, 296, NOSYS }, { I386, 0xffffffffu, NOSYS },
		{ 0xc00000b7u, 63, SC_RET_KILL_THREAD },	/* aarch64: not in the profile */
	};
	/* x86_64 alone: bit 30 set skips runc's stub (the bad-arch half, or -1's default) */
	const struct stub_case x64only[] = {
		{ X64, 1, SC_RET_ALLOW }, { X64, 258, NOSYS }, { X64, 0x80000000u, NOSYS },
		{ X64, 0x40000000u, SC_RET_KILL_THREAD }, { X64, 0x7fffffffu, SC_RET_KILL_THREAD },
		{ X64, 0xc0000000u, SC_RET_KILL_THREAD }, { X64, 0xffffffffu, EPERM_ },
	};
	const struct stub_case x32only[] = {
		{ X64, 0x40000001u, SC_RET_ALLOW }, { X64, 0x40000102u, NOSYS },
		{ X64, 0xffffffffu, NOSYS }, { X64, 1, SC_RET_KILL_THREAD },
		{ X64, 0x80000000u, EPERM_ },	/* bit 30 clear: past the stub, x32's half */
	};
	const struct stub_case nostub[] = {
		{ X64, 1, SC_RET_ALLOW }, { X64, 258, EPERM_ }, { X64, 0x40000102u, EPERM_ },
		{ X64, 0x80000000u, EPERM_ }, { X64, 0x7fffffffu, EPERM_ }, { I386, 296, EPERM_ },
	};
	const struct stub_case kill[] = {
		{ X64, 1, SC_RET_ALLOW }, { X64, 257, SC_RET_KILL_PROCESS }, { X64, 258, NOSYS },
	};
	const struct stub_case allow[] = { { X64, 1, SC_RET_ALLOW }, { X64, 258, SC_RET_ALLOW } };
	const struct stub_case log[] = { { X64, 258, SC_RET_LOG } };
	const struct stub_case trace[] = { { X64, 258, SC_RET_TRACE | EPERM } };
	size_t with, without;
	char *text = NULL;
	struct fg_seccomp_opts o;
	struct fg_diag d;
	static const char prof[] = STUB_PROFILE("SCMP_ACT_ERRNO", ALL3);

	with = stub_check("stub, three ABIs", prof, 0, all3, sizeof(all3) / sizeof(all3[0]));
	stub_check("stub, x86_64 alone", STUB_PROFILE("SCMP_ACT_ERRNO", "\"SCMP_ARCH_X86_64\""), 0,
		   x64only, sizeof(x64only) / sizeof(x64only[0]));
	stub_check("stub, x32 alone", STUB_PROFILE("SCMP_ACT_ERRNO", "\"SCMP_ARCH_X32\""), 0,
		   x32only, sizeof(x32only) / sizeof(x32only[0]));
	without = stub_check("--no-enosys-stub", prof, 1, nostub, sizeof(nostub) / sizeof(nostub[0]));
	tap_ok(with > 0 && with <= without + 4, "the stub costs at most 4 instructions (%zu vs %zu)",
	       with, without);
	stub_check("stub, default kill_process", STUB_PROFILE("SCMP_ACT_KILL_PROCESS", ALL3), 0, kill,
		   sizeof(kill) / sizeof(kill[0]));
	stub_check("no stub when the default allows",
		   "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"reboot\"], "
		   "\"action\": \"SCMP_ACT_ERRNO\"}]}", 0, allow, 2);
	stub_check("no stub when the default logs",
		   "{\"defaultAction\": \"SCMP_ACT_LOG\", \"syscalls\": [{\"names\": [\"reboot\"], "
		   "\"action\": \"SCMP_ACT_ERRNO\"}]}", 0, log, 1);
	stub_check("no stub when the default traces",
		   "{\"defaultAction\": \"SCMP_ACT_TRACE\", \"syscalls\": [{\"names\": [\"reboot\"], "
		   "\"action\": \"SCMP_ACT_ERRNO\"}]}", 0, trace, 1);
	fg_seccomp_opts_init(&o);
	o.oci = 1;
	if (fg_seccomp_explain(prof, sizeof(prof) - 1, &o, &text, &d) == 0) {
		tap_ok(strstr(text, "arch x86_64 (AUDIT_ARCH 0xc000003e):\n  default: errno(1)\n"
				    "  errno(38) above 257: newer than the profile (runc's ENOSYS stub)\n") &&
		       strstr(text, "  errno(38) above 0x40000101: newer than the profile") &&
		       strstr(text, "arch i386 (AUDIT_ARCH 0x40000003):\n  default: errno(1)\n"
				    "  errno(38) above 295: "),
		       "explain names the stub's bound per architecture");
		free(text);
	} else {
		tap_ok(0, "explain: %s", d.msg);
	}
}

/* The public lookups against the C library's numbers for this machine. */
static void lookups(void)
{
	static const struct {
		const char *name;
		long nr;
	} sys[] = {
		{ "read", SYS_read }, { "socket", SYS_socket }, { "personality", SYS_personality },
		{ "clone3", SYS_clone3 }, { "exit_group", SYS_exit_group }, { "openat2", SYS_openat2 },
	};
	uint32_t nr = 0, audit = 0;
	size_t i;

	for (i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		tap_ok(fg_seccomp_sys_lookup("x86_64", sys[i].name, &nr) == 0 && nr == (uint32_t)sys[i].nr,
		       "x86_64 %s is %ld", sys[i].name, sys[i].nr);
	tap_ok(fg_seccomp_sys_lookup("x32", "read", &nr) == 0 && nr == 0x40000000u, "x32 read: x32 bit");
	tap_ok(fg_seccomp_sys_lookup("i386", "socket", &nr) == 0 && nr == 359, "i386 socket is 359");
	tap_ok(fg_seccomp_sys_lookup("arm64", "openat", &nr) == 0 && nr == 56, "aarch64 openat is 56");
	tap_ok(fg_seccomp_sys_lookup("aarch64", "open", &nr) == -ENOENT, "aarch64 has no open");
	tap_ok(fg_seccomp_sys_lookup("sparc", "read", &nr) == -ENOENT, "unknown arch: -ENOENT");
	tap_is_str(fg_seccomp_sys_name("x86_64", 41), "socket", "x86_64 41 is socket");
	tap_ok(fg_seccomp_sys_name("x86_64", 100000) == NULL, "no syscall 100000");
	tap_ok(fg_seccomp_arch_audit("SCMP_ARCH_X86", &audit) == 0 && audit == 0x40000003u,
	       "AUDIT_ARCH_I386");
}

int main(void)
{
	static const enum sc_arch arches[] = { SC_ARCH_X86_64, SC_ARCH_X32, SC_ARCH_I386,
					       SC_ARCH_AARCH64 };
	size_t i;

	lookups();
	enosys_stub();
	errors();
	out_of_memory();
	limits();
	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		semantics("rich policy", rich, arches[i], 1);
		semantics("rich policy", rich, arches[i], 0);
	}
	action_cache("rich policy", rich, sizeof(rich) - 1, 0);
	{
		const char *shared = getenv("PFC_SHARED");
		char path[4096];
		size_t len = 0;
		char *docker;

		snprintf(path, sizeof(path), "%s/seccomp/docker-default.json", shared ? shared : "../shared");
		docker = sc_test_slurp(path, &len);
		if (docker)
			action_cache("docker profile", docker, len, 1);
		else
			tap_skip("%s not found", path);
		free(docker);
	}
	return tap_done();
}
