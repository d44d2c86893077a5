/*
 * kernel_t.c -- the kernel's verdict on pfc's seccomp filters.
 *
 * For every syscall number, a forked child installs a guard filter first,
 * which turns that one number into ERRNO(249), then the filter under test,
 * and makes the call.  The kernel runs every filter and keeps the most
 * restrictive action, so the call under test never executes: an allow
 * (or log, trace, user_notif) shows as errno 249, ERRNO(n) as errno n
 * (the newer filter wins among equal actions), TRAP as the child's SIGSYS
 * handler exiting 250, KILL as death by SIGSYS.  The observation must
 * match what our interpreter says the filter returns for the same
 * struct seccomp_data.  Numbers: x86_64 0..450 (and a few beyond), x32
 * numbers (the kernel runs the filter before it looks at the x32 bit),
 * and i386 numbers through int $0x80 where the kernel has IA32 emulation.
 */
#define _GNU_SOURCE 1
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/filter.h>

#include "sc_test.h"
#include "tap.h"

#define GUARD_ERRNO 249
#define TRAP_EXIT 250
#define OK_EXIT 251
#define SETUP_FAIL 252
#define KILLED 1000

static void on_sigsys(int sig)
{
	(void)sig;
	syscall(SYS_exit_group, TRAP_EXIT);
	syscall(SYS_exit, TRAP_EXIT);
}

static long int80(long nr, long a, long b, long c)
{
	long ret = nr;

	__asm__ volatile("int $0x80" : "+a"(ret) : "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

/* Install with seccomp(2), or prctl(2) when seccomp(2) is the number the guard blocks. */
static int install(const struct sock_filter *p, size_t n, bool by_prctl)
{
	struct sock_fprog prog = { (unsigned short)n, (struct sock_filter *)p };

	if (by_prctl)
		return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* In the child: guard, filter, the call; never returns. */
static void child(const struct cbpf_insn *p, size_t n, uint32_t audit, uint32_t nr,
		  const uint64_t *args)
{
	struct sock_filter guard[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, audit, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | GUARD_ERRNO),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sigaction sa;
	long r;
	int code;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigsys;
	if (sigaction(SIGSYS, &sa, NULL) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    install(guard, sizeof(guard) / sizeof(guard[0]), false) ||
	    install((const struct sock_filter *)p, n, audit != AUDIT_ARCH_I386 && nr == SYS_seccomp))
		_exit(SETUP_FAIL);
	if (audit == AUDIT_ARCH_I386) {
		r = int80((long)nr, (long)args[0], (long)args[1], (long)args[2]);
		code = r < 0 && r > -4096 ? (int)-r : OK_EXIT;
	} else {
		r = syscall((long)nr, args[0], args[1], args[2], args[3], args[4], args[5]);
		code = r == -1 ? errno : OK_EXIT;
	}
	syscall(SYS_exit_group, code);
	syscall(SYS_exit, code);
	_exit(code);
}

/* What the kernel did: an exit code, or KILLED. */
static int observe(const struct cbpf_insn *p, size_t n, uint32_t audit, uint32_t nr,
		   const uint64_t *args)
{
	int st;
	pid_t pid = fork();

	if (pid == 0)
		child(p, n, audit, nr, args);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFSIGNALED(st))
		return WTERMSIG(st) == SIGSYS ? KILLED : -WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* What the observation should be for a filter's return value. */
static int expect(uint32_t ret)
{
	switch (ret & SC_RET_ACTION_FULL) {
	case SC_RET_KILL_PROCESS:
	case SC_RET_KILL_THREAD: return KILLED;
	case SC_RET_TRAP: return TRAP_EXIT;
	case SC_RET_ERRNO: return (int)(ret & SC_RET_DATA);
	default: return GUARD_ERRNO;
	}
}

struct run {
	const struct cbpf_insn *p;
	size_t n;
	struct cbpf_vm *vm;
	unsigned bad, total, seen[4];
};

static int check(struct run *r, uint32_t audit, uint32_t nr, const uint64_t *args)
{
	struct seccomp_data d;
	int want, got;

	memset(&d, 0, sizeof(d));
	d.nr = (int)nr;
	d.arch = audit;
	memcpy(d.args, args, sizeof(d.args));
	want = expect(sc_vm_verdict(r->vm, &d));
	got = observe(r->p, r->n, audit, nr, args);
	r->total++;
	r->seen[want == KILLED ? 0 : want == TRAP_EXIT ? 1 : want == GUARD_ERRNO ? 2 : 3]++;
	if (got != want && r->bad++ < 5)
		tap_diag("arch 0x%x nr %u arg0 0x%llx: kernel %d, interpreter %d", audit, nr,
			 (unsigned long long)args[0], got, want);
	return got;
}

static int compile(const char *src, size_t len, int oci, const char *const *arches, size_t na,
		   struct run *r)
{
	struct fg_seccomp_opts o;
	struct cbpf_insn *p = NULL;
	struct fg_diag d;
	size_t n = 0;

	fg_seccomp_opts_init(&o);
	o.oci = oci;
	o.arches = arches;
	o.narches = na;
	memset(r, 0, sizeof(*r));
	if (fg_seccomp_compile(src, len, &o, &p, &n, &d) || cbpf_vm_new(p, n, CBPF_VM_SECCOMP, &r->vm)) {
		tap_diag("compile: %s", d.msg);
		cbpf_free(p);
		return -1;
	}
	r->p = p;
	r->n = n;
	return 0;
}

static void sweep(const char *what, struct run *r, uint32_t audit, uint32_t from, uint32_t to)
{
	static const uint64_t zero[6] = { 0 };
	uint32_t nr;

	unsigned passthrough = 0;

	r->bad = r->total = 0;
	memset(r->seen, 0, sizeof(r->seen));
	for (nr = from; nr <= to; nr++) {
		/* uretprobe and uprobe: the kernel runs them without consulting seccomp */
		if (audit == AUDIT_ARCH_X86_64 && (nr == 335 || nr == 336)) {
			passthrough++;
			continue;
		}
		check(r, audit, nr, zero);
	}
	tap_ok(r->bad == 0 && r->total + passthrough == to - from + 1,
	       "%s: kernel and interpreter agree on numbers %u..%u (%u killed, %u trapped, "
	       "%u allowed, %u errno; %u differ)", what, from, to, r->seen[0], r->seen[1],
	       r->seen[2], r->seen[3], r->bad);
}

/* x86_64 numbers 0..top, x32's first 561 and, where the kernel has it, i386's 0..top. */
static void sweep_abis(const char *what, struct run *r, bool ia32, uint32_t top)
{
	char name[64];

	snprintf(name, sizeof(name), "%s, x86_64", what);
	sweep(name, r, AUDIT_ARCH_X86_64, 0, top);
	snprintf(name, sizeof(name), "%s, x32", what);
	sweep(name, r, AUDIT_ARCH_X86_64, 0x40000000u, 0x40000000u + 560);
	snprintf(name, sizeof(name), "%s, i386 (int $0x80)", what);
	if (ia32)
		sweep(name, r, AUDIT_ARCH_I386, 0, top);
	else
		tap_skip("the kernel has no IA32 emulation (int $0x80)");
}

static const char policy[] =
	"default errno(EPERM)\n"
	"badarch kill_process\n"
	"allow read, write, close, exit_group, exit, rt_sigreturn, getpid\n"
	"allow socket if arg0 < 38 || arg0 == 39\n"
	"errno(97) socket if arg0 == 40\n"
	"trap ptrace\n"
	"kill_process reboot\n"
	"errno(ENOSYS) clone3\n"
	"allow personality if arg0 in {0, 8, 0xffffffff}\n"
	"allow mmap if arg2 & 4 == 0\n";

static void policy_tests(bool ia32)
{
	static const char *const a64[] = { "x86_64", "x32", "i386" };
	struct run r;
	uint64_t args[6] = { 0 };

	if (compile(policy, sizeof(policy) - 1, 0, a64, 3, &r)) {
		tap_ok(0, "policy compiles");
		return;
	}
	sweep_abis("policy", &r, ia32, 460);
	/* exact verdicts the policy spells out */
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_ptrace, args), TRAP_EXIT, "ptrace traps");
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_reboot, args), KILLED, "reboot kills");
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_clone3, args), ENOSYS, "clone3 gets ENOSYS");
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_getpid, args), GUARD_ERRNO, "getpid is allowed");
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_kill, args), EPERM, "kill gets the default EPERM");
	args[0] = 40;
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_socket, args), 97, "socket(40) gets errno 97");
	args[0] = 0xffffffff00000028ull;
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_socket, args), 97,
		   "socket(0xffffffff00000028) is socket(40) to the kernel: errno 97");
	args[0] = 0xffffffff00000002ull;
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_socket, args), GUARD_ERRNO,
		   "socket(0xffffffff00000002) is socket(AF_INET): allowed");
	args[0] = 0xffffffffull;
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_personality, args), GUARD_ERRNO,
		   "personality(0xffffffff) allowed");
	args[0] = 4;
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_personality, args), EPERM, "personality(4): EPERM");
	args[0] = 0;
	args[2] = 4;
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_mmap, args), EPERM, "mmap(PROT_EXEC): EPERM");
	args[2] = 0x100000003ull;
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_mmap, args), GUARD_ERRNO,
		   "mmap(prot 0x100000003): allowed (bit 2 clear)");
	cbpf_vm_free(r.vm);
	cbpf_free((void *)r.p);
}

static void docker_tests(const char *src, size_t len, bool ia32)
{
	struct run r;
	uint64_t args[6] = { 0 };

	if (compile(src, len, 1, NULL, 0, &r)) {
		tap_ok(0, "docker profile compiles");
		return;
	}
	sweep_abis("docker profile", &r, ia32, 560);
	/* runc's -ENOSYS stub: numbers above the largest the profile names */
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, 1000, args), ENOSYS,
		   "docker profile: x86_64 syscall 1000 (newer than the profile) fails with ENOSYS");
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, 0x40000000u + 1000, args), ENOSYS,
		   "docker profile: x32 syscall 1000 fails with ENOSYS");
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_getpid, args), GUARD_ERRNO,
		   "docker profile: getpid allowed");
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_vhangup, args), EPERM,
		   "docker profile: vhangup (not in the profile, below its last) gets EPERM");
	if (ia32)
		tap_is_int(check(&r, AUDIT_ARCH_I386, 1000, args), ENOSYS,
			   "docker profile: i386 syscall 1000 fails with ENOSYS");
	else
		tap_skip("the kernel has no IA32 emulation (int $0x80)");
	args[0] = 0xffffffff00000028ull;
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_socket, args), EPERM,
		   "docker profile: socket(0xffffffff00000028) blocked (EPERM), as the kernel "
		   "sees AF_VSOCK");
	args[0] = 38;
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_socket, args), EPERM,
		   "docker profile: socket(AF_ALG) blocked");
	args[0] = 2;
	tap_is_int(check(&r, AUDIT_ARCH_X86_64, SYS_socket, args), GUARD_ERRNO,
		   "docker profile: socket(AF_INET) allowed");
	cbpf_vm_free(r.vm);
	cbpf_free((void *)r.p);
}

/* Does int $0x80 reach the kernel's 32-bit syscalls (getpid is 20)? */
static bool have_ia32(void)
{
	int st;
	pid_t pid = fork();

	if (pid == 0)
		_exit(int80(20, 0, 0, 0) == (long)getpid() ? 0 : 1);
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(void)
{
	const char *shared = getenv("PFC_SHARED");
	char path[4096];
	size_t len = 0;
	char *docker;
	bool ia32 = have_ia32();

	policy_tests(ia32);
	snprintf(path, sizeof(path), "%s/seccomp/docker-default.json", shared ? shared : "../shared");
	docker = sc_test_slurp(path, &len);
	if (docker) {
		docker_tests(docker, len, ia32);
		free(docker);
	} else {
		for (int i = 0; i < 11; i++)
			tap_skip("%s not found", path);
	}
	return tap_done();
}
