/*
 * diff_t.c -- pfc's seccomp filters against libseccomp's (a test oracle
 * only), both run in our interpreter (CBPF_VM_SECCOMP) on constructed
 * struct seccomp_data: every syscall number of each ABI's range and a set
 * of argument values, per architecture (x86_64, x32, i386, aarch64).
 *
 * The one intended difference: pfc compares arguments the kernel declares
 * int on their low word only (the kernel truncates them), libseccomp all
 * 64 bits.  So pfc's verdict on an input must equal libseccomp's on the
 * same input with those arguments truncated to 32 bits; and the case that
 * matters, socket(0xffffffff00000028, ...) under Docker's profile, is
 * asserted on its own: libseccomp lets it through, pfc does not.
 * Docker's profile is compared twice: as libseccomp alone builds it
 * (--no-enosys-stub) and as runc loads it, with runc's -ENOSYS stub in
 * front (modelled here from runc's jumps).
 */
#define _GNU_SOURCE 1
#include "sc_test.h"
#include "tap.h"

static const uint64_t vals[] = {
	0, 1, 2, 4, 8, 38, 39, 40, 41, 0x20000, 0x20008, 0x7e020000, 0x80000000, 0xffffffff,
	0x100000000ull, 0x100000028ull, 0xffffffff00000028ull, 0x8000000000000000ull,
	0xffffffffffffffffull,
};

/* libseccomp's view of the input: int arguments truncated, as the kernel does. */
static void truncate_args(struct seccomp_data *d, enum sc_arch a, const char *name)
{
	unsigned m = name ? sc_arg32_mask(name) : 0, i;

	for (i = 0; i < 6; i++)
		if (sc_arch_is32(a) || a == SC_ARCH_X32 || ((m >> i) & 1))
			d->args[i] &= 0xffffffffu;
}

struct pair {
	struct cbpf_vm *pfc, *ls;
	enum sc_arch arch;
	unsigned mismatches;
	unsigned runs;
	unsigned skipped;	/* numbers the two syscall tables name differently */
	uint32_t stub_last;	/* runc's stub: the largest number the profile names; 0: none */
	unsigned enosys;	/* inputs the stub answered */
};

/*
 * runc's -ENOSYS stub (libcontainer/seccomp/patchbpf), written from its
 * jumps: on x86_64's AUDIT_ARCH value it tests bit 30 only, x86_64's
 * section taking the numbers with it clear, x32's those with it set.
 */
static bool runc_enosys(const struct pair *p, uint32_t nr)
{
	bool x32half = (nr & 0x40000000u) != 0;

	if (!p->stub_last || (p->arch == SC_ARCH_X86_64 && x32half) ||
	    (p->arch == SC_ARCH_X32 && !x32half))
		return false;
	return nr > p->stub_last;
}

/* The largest number the policy's rules name on arch (the stub's bound, from the rules alone). */
static uint32_t rules_last(const struct sc_policy *pol, enum sc_arch arch)
{
	uint32_t last = 0;
	size_t i, j;

	for (i = 0; i < pol->nrules; i++)
		for (j = 0; j < pol->rules[i].nnames; j++) {
			int64_t nr = sc_sys_lookup(arch, pol->rules[i].names[j].name);

			if (nr > (int64_t)last)
				last = (uint32_t)nr;
		}
	return last;
}

/*
 * On i386 libseccomp filters these through socketcall(2) / ipc(2)
 * multiplexing instead of (or as well as) their own numbers.
 */
static bool multiplexed_i386(const char *name)
{
	static const char *const names[] = {
		"socket", "socketpair", "bind", "connect", "listen", "accept", "accept4",
		"getsockname", "getpeername", "sendto", "recvfrom", "shutdown", "setsockopt",
		"getsockopt", "sendmsg", "recvmsg", "recvmmsg", "sendmmsg", "semop", "semget",
		"semctl", "semtimedop", "msgsnd", "msgrcv", "msgget", "msgctl", "shmat", "shmdt",
		"shmget", "shmctl", "socketcall", "ipc",
	};
	size_t i;

	for (i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* Do pfc's table and libseccomp's give nr the same name (or none)? */
static bool same_name(enum sc_arch a, uint32_t nr)
{
	const char *ours = sc_sys_name(a, nr);
	char *theirs = seccomp_syscall_resolve_num_arch(sc_scmp_arch(a), (int)nr);
	bool same = (!ours && !theirs) || (ours && theirs && strcmp(ours, theirs) == 0);

	if (a == SC_ARCH_I386 && multiplexed_i386(ours))
		same = false;

	free(theirs);
	return same;
}

static void one(struct pair *p, uint32_t nr, const uint64_t *args)
{
	struct seccomp_data d, t;
	uint32_t a, b;

	memset(&d, 0, sizeof(d));
	d.nr = (int)nr;
	d.arch = sc_arch_audit(p->arch);
	memcpy(d.args, args, sizeof(d.args));
	if (p->arch == SC_ARCH_I386 || p->arch == SC_ARCH_X32)
		for (int i = 0; i < 6; i++)
			d.args[i] &= 0xffffffffu;	/* what those ABIs can pass */
	t = d;
	truncate_args(&t, p->arch, sc_sys_name(p->arch, nr));
	a = sc_vm_verdict(p->pfc, &d);
	b = sc_vm_verdict(p->ls, &t);
	if (runc_enosys(p, nr)) {
		b = SC_RET_ERRNO | ENOSYS;
		p->enosys++;
	}
	p->runs++;
	if (a != b && p->mismatches++ < 5)
		tap_diag("%s nr %u args %llx %llx: pfc 0x%08x libseccomp 0x%08x", sc_arch_name(p->arch),
			 nr, (unsigned long long)args[0], (unsigned long long)args[1], a, b);
}

/* Every number of the ABI's range, each value in each argument position and in all of them. */
static void sweep(struct pair *p)
{
	uint32_t base = p->arch == SC_ARCH_X32 ? 0x40000000u : 0, nr;
	size_t v, i;

	for (nr = base; nr <= base + 560 || (nr >= 0xfffffff0u && nr != 0); nr++) {
		uint64_t args[6] = { 0 };

		if (nr == base + 561) {
			/* then the other ABI's first numbers, and the top (-1: a skipped syscall) */
			static const uint32_t extra[] = { 0x40000000u, 0x40000001u, 0x4000002au, 0,
							  0x3fffffffu, 0x7fffffffu, 0x80000000u,
							  0xbfffffffu, 0xc0000000u };
			static const uint32_t extra32[] = { 0, 1, 41, 0x3fffffffu, 0x7fffffffu,
							    0x80000000u, 0xbfffffffu, 0xc0000000u,
							    0x40000000u + 0x3ffu };

			for (size_t e = 0; e < sizeof(extra) / sizeof(extra[0]); e++) {
				uint64_t z[6] = { 0 };

				one(p, base ? extra32[e] : extra[e], z);
			}
			nr = 0xfffffff0u;
		}

		if (!same_name(p->arch, nr)) {
			p->skipped++;
			continue;
		}
		one(p, nr, args);
		for (v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
			for (i = 0; i < 6; i++) {
				memset(args, 0, sizeof(args));
				args[i] = vals[v];
				one(p, nr, args);
			}
			for (i = 0; i < 6; i++)
				args[i] = vals[v];
			one(p, nr, args);
		}
	}
}

/* Compile src for one arch both ways and compare; returns the pair's vms (caller frees). */
static int compare(const char *what, const char *src, size_t len, int oci, int stub,
		   enum sc_arch arch, struct pair *p)
{
	const char *arches[1] = { sc_arch_name(arch) };
	struct fg_seccomp_opts o;
	struct cbpf_insn *ours = NULL, *theirs = NULL;
	size_t n = 0, m = 0;
	struct fg_diag d;
	struct sc_ctx c;
	struct fg_arena a;
	int rc;

	fg_seccomp_opts_init(&o);
	o.oci = oci;
	o.arches = arches;
	o.narches = 1;
	o.no_enosys_stub = !stub;
	memset(p, 0, sizeof(*p));
	rc = fg_seccomp_compile(src, len, &o, &ours, &n, &d);
	tap_ok(rc == 0, "%s, %s: pfc compiles it", what, arches[0]);
	if (rc)
		tap_diag("%s", d.msg);
	rc = rc ? rc : sc_test_read(&c, &a, src, len, &o, &d);
	if (rc == 0) {
		c.pol.narches = 1;
		c.pol.arches[0] = arch;
		rc = sc_libseccomp_build(&c.pol, arch, 2, &theirs, &m);
		p->stub_last = stub ? rules_last(&c.pol, arch) : 0;
		fg_arena_destroy(&a);
	}
	tap_ok(rc == 0, "%s, %s: libseccomp builds it", what, arches[0]);
	p->arch = arch;
	rc = rc ? rc : cbpf_vm_new(ours, n, CBPF_VM_SECCOMP, &p->pfc);
	rc = rc ? rc : cbpf_vm_new(theirs, m, CBPF_VM_SECCOMP, &p->ls);
	cbpf_free(ours);
	free(theirs);
	if (rc)
		return rc;
	sweep(p);
	if (stub)
		tap_ok(p->mismatches == 0 && p->enosys > 0,
		       "%s, %s: libseccomp's verdict behind runc's stub (ENOSYS above %#x) on %u "
		       "inputs, %u of them the stub's (%u differ)", what, arches[0], p->stub_last,
		       p->runs, p->enosys, p->mismatches);
	else
		tap_ok(p->mismatches == 0, "%s, %s: same verdict as libseccomp on %u inputs (%u differ)",
		       what, arches[0], p->runs, p->mismatches);
	tap_ok(p->skipped < 50, "%s, %s: the syscall tables agree on all but %u numbers",
	       what, arches[0], p->skipped);
	return 0;
}

static void pair_free(struct pair *p)
{
	cbpf_vm_free(p->pfc);
	cbpf_vm_free(p->ls);
}

/*
 * The test policy; W(a, b): a in the 64-bit version, b in the one for
 * 32-bit compares (x32, i386), where libseccomp cuts wider constants.
 */
#define POLICY(W) \
	"arch x86_64\n" \
	"default errno(EPERM)\n" \
	"badarch kill_process\n" \
	"allow read, write, close, exit_group, exit, rt_sigreturn\n" \
	"allow socket if arg0 < 38\n" \
	"allow socket if arg0 == 39\n" \
	"errno(97) socket if arg0 == 40\n" \
	"trap ptrace\n" \
	"kill_process reboot\n" \
	"allow mmap if arg2 & 4 == 0\n" \
	"allow mprotect if arg2 & " W("0x100000004", "0x10000004") " == 4\n" \
	"allow lseek if arg1 <= " W("0x100000000", "0x10000000") " && arg2 != 1\n" \
	"allow ioctl if arg1 == 0x5401\n" \
	"allow ioctl if arg1 > 0x80000000\n" \
	"allow madvise if arg0 >= " W("0x100000028", "0x10000028") "\n" \
	"allow kill if arg1 != 9\n" \
	"allow personality if arg0 == 0xffffffff\n" \
	"errno(ENOSYS) clone3\n" \
	"allow clone if arg0 & 0x7e020000 == 0\n"
#define W64(a, b) a
#define W32(a, b) b
static const char policy64[] = POLICY(W64);
static const char policy32[] = POLICY(W32);

/* The AF_VSOCK socket with the high word set: the kernel truncates it to 40. */
static void vsock_case(const char *src, size_t len)
{
	const char *arches[1] = { "x86_64" };
	struct fg_seccomp_opts o;
	struct cbpf_insn *ours = NULL, *theirs = NULL;
	struct cbpf_vm *vo = NULL, *vt = NULL;
	size_t n = 0, m = 0;
	struct seccomp_data d;
	struct fg_diag dg;
	struct sc_ctx c;
	struct fg_arena a;
	int rc;

	fg_seccomp_opts_init(&o);
	o.oci = 1;
	o.arches = arches;
	o.narches = 1;
	rc = fg_seccomp_compile(src, len, &o, &ours, &n, &dg);
	if (rc == 0 && sc_test_read(&c, &a, src, len, &o, &dg) == 0) {
		c.pol.narches = 1;
		c.pol.arches[0] = SC_ARCH_X86_64;
		rc = sc_libseccomp_build(&c.pol, SC_ARCH_X86_64, 2, &theirs, &m);
		fg_arena_destroy(&a);
	}
	rc = rc ? rc : cbpf_vm_new(ours, n, CBPF_VM_SECCOMP, &vo);
	rc = rc ? rc : cbpf_vm_new(theirs, m, CBPF_VM_SECCOMP, &vt);
	tap_ok(rc == 0, "docker profile: both filters built");
	if (rc == 0) {
		memset(&d, 0, sizeof(d));
		d.nr = 41;	/* socket */
		d.arch = sc_arch_audit(SC_ARCH_X86_64);
		d.args[0] = 0xffffffff00000028ull;
		d.args[1] = 1;
		tap_is_int(sc_vm_verdict(vt, &d), SC_RET_ALLOW,
			   "libseccomp allows socket(0xffffffff00000028, ...) (compares 64 bits)");
		tap_is_int(sc_vm_verdict(vo, &d), SC_RET_ERRNO | 1,
			   "pfc blocks it with EPERM, as the kernel truncates the int to 40 (AF_VSOCK)");
		d.args[0] = 40;
		tap_is_int(sc_vm_verdict(vo, &d), SC_RET_ERRNO | 1, "pfc blocks socket(AF_VSOCK)");
		d.args[0] = 0xffffffff00000002ull;
		tap_is_int(sc_vm_verdict(vo, &d), SC_RET_ALLOW, "pfc allows socket(AF_INET | high bits)");
	}
	cbpf_vm_free(vo);
	cbpf_vm_free(vt);
	cbpf_free(ours);
	free(theirs);
}

int main(void)
{
	static const enum sc_arch arches[] = { SC_ARCH_X86_64, SC_ARCH_X32, SC_ARCH_I386,
					       SC_ARCH_AARCH64 };
	const char *shared = getenv("PFC_SHARED");
	char path[4096];
	struct pair p;
	size_t i, len = 0;
	char *docker = NULL;

	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		bool w32 = arches[i] == SC_ARCH_X32 || arches[i] == SC_ARCH_I386;

		if (compare("policy", w32 ? policy32 : policy64,
			    (w32 ? sizeof(policy32) : sizeof(policy64)) - 1, 0, 0, arches[i], &p) == 0)
			pair_free(&p);
	}
	snprintf(path, sizeof(path), "%s/seccomp/docker-default.json", shared ? shared : "../shared");
	docker = sc_test_slurp(path, &len);
	if (!docker) {
		for (i = 0; i < 2 * 4 * 4 + 1; i++)
			tap_skip("%s not found", path);
		return tap_done();
	}
	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		if (compare("docker profile, --no-enosys-stub", docker, len, 1, 0, arches[i], &p) == 0)
			pair_free(&p);
		if (compare("docker profile", docker, len, 1, 1, arches[i], &p) == 0)
			pair_free(&p);
	}
	vsock_case(docker, len);
	free(docker);
	return tap_done();
}
