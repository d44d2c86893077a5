/*
 * kernel_attach_t.c -- differential test of cbpf_validate() against the
 * running kernel.
 *
 * Socket flavor: each program is attached with setsockopt(SO_ATTACH_FILTER)
 * to an AF_INET datagram socket (and, when we may open one, an AF_PACKET
 * socket), detaching the previous program first so that optmem accounting
 * sees one filter at a time; one socket serves a whole batch (closing an
 * AF_PACKET socket waits for an RCU grace period).
 * Seccomp flavor: a forked child sets no_new_privs and calls
 * seccomp(SECCOMP_SET_MODE_FILTER); it reports EINVAL through a distinctive
 * exit status, and any other end (a clean exit, or being killed by the
 * filter it just installed) means the kernel took the program.
 * Each program is one TAP line: cbpf_validate() must accept exactly the
 * programs the kernel accepts (and say -E2BIG exactly when len > 4096).
 * ENOMEM from the kernel is reported as its own outcome: it comes after the
 * checks passed (optmem charging), so it agrees with an accepting validator.
 *
 * PFC_KERNEL_SEED=n in the environment changes the random programs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/seccomp.h>
#include <netinet/in.h>

#include "cbpf.h"
#include "randprog.h"
#include "tap.h"

#define MAXLEN 64
#define N_INET 300
#define N_PACKET 80
#define N_SECCOMP 220

/* Exit statuses of the seccomp child that mean "seccomp() itself failed". */
#define CHILD_EINVAL 86
#define CHILD_ENOMEM 87
#define CHILD_OTHER 88
#define CHILD_SETUP 89

enum outcome { K_ACCEPT, K_REJECT, K_NOMEM, K_ERROR };

static const char *const outcome_name[] = {
	"accepts", "rejects (EINVAL)", "ENOMEM after its checks", "fails"
};

struct target {
	const char *name;
	enum cbpf_flavor flavor;
	int domain, type;	/* socket targets */
	int fd;			/* the open socket, -1 if none */
};

static struct target t_inet = { "inet", CBPF_FLAVOR_SOCKET, AF_INET, SOCK_DGRAM, -1 };
static struct target t_packet = { "packet", CBPF_FLAVOR_SOCKET, AF_PACKET, SOCK_RAW, -1 };
static struct target t_seccomp = { "seccomp", CBPF_FLAVOR_SECCOMP, 0, 0, -1 };

static struct sock_fprog fprog(const struct cbpf_insn *p, size_t len)
{
	struct sock_fprog f;

	f.len = (unsigned short)len;
	f.filter = (struct sock_filter *)p;
	return f;
}

static enum outcome errno_outcome(int err)
{
	if (err == EINVAL)
		return K_REJECT;
	return err == ENOMEM ? K_NOMEM : K_ERROR;
}

static enum outcome sock_attach(const struct target *t, const struct cbpf_insn *p,
				size_t len, int *err)
{
	struct sock_fprog f = fprog(p, len);
	int unused = 0;

	*err = 0;
	if (setsockopt(t->fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof(unused)) != 0 &&
	    errno != ENOENT) {
		*err = errno;
		return K_ERROR;
	}
	if (setsockopt(t->fd, SOL_SOCKET, SO_ATTACH_FILTER, &f, sizeof(f)) == 0)
		return K_ACCEPT;
	*err = errno;
	return errno_outcome(*err);
}

/* In the child: install p, or exit saying why not.  Never returns. */
static void seccomp_child(const struct cbpf_insn *p, size_t len)
{
	static const int deadly[] = { SIGSEGV, SIGILL, SIGSYS, SIGBUS };
	struct sock_fprog f = fprog(p, len);
	struct rlimit no_core = { 0, 0 };
	size_t i;

	/* What the filter does to later syscalls must end us quietly. */
	setrlimit(RLIMIT_CORE, &no_core);
	for (i = 0; i < sizeof(deadly) / sizeof(deadly[0]); i++)
		signal(deadly[i], SIG_DFL);
	alarm(10);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(CHILD_SETUP);
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &f) == 0) {
		syscall(SYS_exit_group, 0);
		__builtin_trap();	/* the filter denied exit_group */
	}
	if (errno == EINVAL)
		_exit(CHILD_EINVAL);
	_exit(errno == ENOMEM ? CHILD_ENOMEM : CHILD_OTHER);
}

static enum outcome seccomp_attach(const struct cbpf_insn *p, size_t len, int *err)
{
	int status;
	pid_t pid;

	*err = 0;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		*err = errno;
		return K_ERROR;
	}
	if (pid == 0)
		seccomp_child(p, len);
	if (waitpid(pid, &status, 0) != pid) {
		*err = errno;
		return K_ERROR;
	}
	if (!WIFEXITED(status))
		return K_ACCEPT;	/* killed by the filter it installed */
	switch (WEXITSTATUS(status)) {
	case CHILD_EINVAL:
		return K_REJECT;
	case CHILD_ENOMEM:
		return K_NOMEM;
	case CHILD_OTHER:
	case CHILD_SETUP:
		*err = WEXITSTATUS(status);
		return K_ERROR;
	default:
		return K_ACCEPT;
	}
}

static enum outcome kernel_attach(const struct target *t, const struct cbpf_insn *p,
				  size_t len, int *err)
{
	if (t->flavor == CBPF_FLAVOR_SECCOMP)
		return seccomp_attach(p, len, err);
	return sock_attach(t, p, len, err);
}

static void print_program(const struct cbpf_insn *p, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 80; i++)
		tap_diag("  /* %3zu */ { 0x%02x, %u, %u, 0x%08x },", i, p[i].code,
			 p[i].jt, p[i].jf, p[i].k);
	if (len > 80)
		tap_diag("  ... (%zu instructions)", len);
}

/* One TAP line: does cbpf_validate() agree with the kernel on p? */
static void compare(const struct target *t, const char *what,
		    const struct cbpf_insn *p, size_t len)
{
	struct cbpf_diag d;
	int err, rc = cbpf_validate(p, len, t->flavor, &d);
	enum outcome k = kernel_attach(t, p, len, &err);
	int agree;

	if (k == K_ACCEPT || k == K_NOMEM)
		agree = rc == 0;
	else if (k == K_REJECT)
		agree = rc == (len > CBPF_MAXINSNS ? -E2BIG : -EINVAL);
	else
		agree = 0;
	if (rc == 0)
		tap_ok(agree, "%s %s len %zu: kernel %s, cbpf_validate accepts",
		       t->name, what, len, outcome_name[k]);
	else
		tap_ok(agree, "%s %s len %zu: kernel %s, cbpf_validate %d (insn %d: %s)",
		       t->name, what, len, outcome_name[k], rc, d.insn, d.msg);
	if (k == K_ERROR)
		tap_diag("  kernel error: %s (%d)", strerror(err), err);
	if (!agree)
		print_program(p, len);
}

static void random_batch(const struct target *t, uint64_t seed, int count,
			 const unsigned *flag_mix, size_t n_mix)
{
	struct cbpf_insn prog[MAXLEN];
	struct rp_rng r;
	char what[64];
	int i;

	for (i = 0; i < count; i++) {
		unsigned flags = flag_mix[(size_t)i % n_mix];
		size_t len;

		rp_seed(&r, seed + (uint64_t)i);
		len = rp_program(&r, prog, MAXLEN, flags);
		snprintf(what, sizeof(what), "random #%d (seed %llu, flags %#x)", i,
			 (unsigned long long)(seed + (uint64_t)i), flags);
		compare(t, what, prog, len);
	}
}

/* A random program of exactly len instructions (len <= CBPF_MAXINSNS). */
static void exact_len(struct rp_rng *r, struct cbpf_insn *out, size_t len,
		      unsigned flags)
{
	while (rp_program(r, out, len, flags) != len)
		;
}

/* Length limits: 0, 4096 (random valid, simple, random), 4097. */
static void length_cases(const struct target *t, uint64_t seed)
{
	struct cbpf_insn *big = calloc(CBPF_MAXINSNS + 1, sizeof(*big));
	unsigned sc = t->flavor == CBPF_FLAVOR_SECCOMP ? RP_SECCOMP : 0;
	struct rp_rng r;
	size_t i;

	if (!big) {
		tap_skip("%s length cases: out of memory", t->name);
		return;
	}
	compare(t, "empty", big, 0);
	rp_seed(&r, seed);
	exact_len(&r, big, CBPF_MAXINSNS, RP_VALID | sc);
	compare(t, "random valid", big, CBPF_MAXINSNS);
	big[CBPF_MAXINSNS] = (struct cbpf_insn){ BPF_RET | BPF_K, 0, 0, 0 };
	compare(t, "random valid plus one", big, CBPF_MAXINSNS + 1);
	exact_len(&r, big, CBPF_MAXINSNS, sc);
	compare(t, "random", big, CBPF_MAXINSNS);
	for (i = 0; i < CBPF_MAXINSNS; i++)
		big[i] = (struct cbpf_insn){ BPF_LD | BPF_IMM, 0, 0, (uint32_t)i };
	big[CBPF_MAXINSNS - 1] = (struct cbpf_insn){ BPF_RET | BPF_A, 0, 0, 0 };
	compare(t, "ld #i ... ret a", big, CBPF_MAXINSNS);
	free(big);
}

#define I(c, t, f, k) { (c), (t), (f), (k) }
#define P(...) { __VA_ARGS__ }

struct fixed {
	const char *name;
	size_t len;
	struct cbpf_insn p[8];
};

/* Hand-written programs around the kernel's less obvious rules. */
static const struct fixed fixed_cases[] = {
	{ "ret k", 1, P(I(BPF_RET | BPF_K, 0, 0, 0xffff)) },
	{ "ret x (0x0e)", 1, P(I(BPF_RET | BPF_X, 0, 0, 0)) },
	{ "ret 0x1e", 1, P(I(BPF_RET | 0x18, 0, 0, 0)) },
	{ "ja as last insn", 2, P(I(BPF_LD | BPF_IMM, 0, 0, 0), I(BPF_JMP | BPF_JA, 0, 0, 0)) },
	{ "ja to last insn", 3, P(I(BPF_JMP | BPF_JA, 0, 0, 1), I(BPF_RET | BPF_K, 0, 0, 1),
				  I(BPF_RET | BPF_K, 0, 0, 2)) },
	{ "ja one past", 3, P(I(BPF_JMP | BPF_JA, 0, 0, 2), I(BPF_RET | BPF_K, 0, 0, 1),
			      I(BPF_RET | BPF_K, 0, 0, 2)) },
	{ "jeq to last insn", 3, P(I(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0),
				   I(BPF_RET | BPF_K, 0, 0, 1), I(BPF_RET | BPF_K, 0, 0, 2)) },
	{ "jgt jt one past", 3, P(I(BPF_JMP | BPF_JGT | BPF_X, 2, 0, 0),
				  I(BPF_RET | BPF_K, 0, 0, 1), I(BPF_RET | BPF_K, 0, 0, 2)) },
	{ "jeq jf one past", 3, P(I(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0),
				  I(BPF_RET | BPF_K, 0, 0, 1), I(BPF_RET | BPF_K, 0, 0, 2)) },
	{ "shift 31", 2, P(I(BPF_ALU | BPF_LSH | BPF_K, 0, 0, 31), I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "shift 32", 2, P(I(BPF_ALU | BPF_RSH | BPF_K, 0, 0, 32), I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "div x, k 0", 2, P(I(BPF_ALU | BPF_DIV | BPF_X, 0, 0, 0), I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "mod #0", 2, P(I(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 0), I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "st M[15] ld M[15]", 3, P(I(BPF_ST, 0, 0, 15), I(BPF_LD | BPF_MEM, 0, 0, 15),
				    I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "stx M[16]", 2, P(I(BPF_STX, 0, 0, 16), I(BPF_RET | BPF_A, 0, 0, 0)) },
	/* The kernel walk is not reset by a ret: pc 4 is reached only by the
	 * ja at pc 2, which stored M[0], yet the state falling out of the
	 * ret at pc 3 (nothing stored) is ANDed in and the read is refused. */
	{ "quirk: state flows out of a ret", 6,
	  P(I(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 1), I(BPF_ST, 0, 0, 0),
	    I(BPF_JMP | BPF_JA, 0, 0, 1), I(BPF_RET | BPF_K, 0, 0, 0),
	    I(BPF_LD | BPF_MEM, 0, 0, 0), I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "quirk: unreachable read after a ret", 3,
	  P(I(BPF_RET | BPF_K, 0, 0, 0), I(BPF_LD | BPF_MEM, 0, 0, 0),
	    I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "unreachable read after a ja", 3,
	  P(I(BPF_JMP | BPF_JA, 0, 0, 1), I(BPF_LDX | BPF_MEM, 0, 0, 7),
	    I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "store on one path only", 4,
	  P(I(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 1), I(BPF_ST, 0, 0, 3),
	    I(BPF_LD | BPF_MEM, 0, 0, 3), I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "store before the branch", 4,
	  P(I(BPF_STX, 0, 0, 3), I(BPF_JMP | BPF_JSET | BPF_X, 0, 1, 1),
	    I(BPF_LDX | BPF_MEM, 0, 0, 3), I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "ld [60]", 2, P(I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 60), I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "ld [64]", 2, P(I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 64), I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "ld [2]", 2, P(I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 2), I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "ldh [0]", 2, P(I(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0), I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "ld len, ldx len", 3, P(I(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0),
				  I(BPF_LDX | BPF_W | BPF_LEN, 0, 0, 0),
				  I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "ld [x + 0]", 2, P(I(BPF_LD | BPF_W | BPF_IND, 0, 0, 0), I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "ldxb msh", 2, P(I(BPF_LDX | BPF_B | BPF_MSH, 0, 0, 14), I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "ld [x + SKF_AD_OFF+64]", 2, P(I(BPF_LD | BPF_W | BPF_IND, 0, 0, 0xfffff040),
					 I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "ld [SKF_NET_OFF]", 2, P(I(BPF_LD | BPF_B | BPF_ABS, 0, 0, 0xfff00000),
				   I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "ld [SKF_LL_OFF]", 2, P(I(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0xffe00000),
				  I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "ld [SKF_AD_OFF - 1]", 2, P(I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0xffffefff),
				      I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "ld [0xffffffff]", 2, P(I(BPF_LD | BPF_B | BPF_ABS, 0, 0, 0xffffffff),
				  I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "ld #proto", 2, P(I(BPF_LD | BPF_H | BPF_ABS, 0, 0, 0xfffff000),
			    I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "ld #(SKF_AD_OFF+2)", 2, P(I(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0xfffff002),
				     I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "opcode 0x8006", 1, P(I(0x8006, 0, 0, 0)) },
	{ "neg with X bit (0x8c)", 2, P(I(BPF_ALU | BPF_NEG | BPF_X, 0, 0, 0),
					I(BPF_RET | BPF_A, 0, 0, 0)) },
	{ "last insn not ret", 1, P(I(BPF_LD | BPF_IMM, 0, 0, 0)) },
};

/* Every ancillary offset the kernel knows, and a few it does not, at each size. */
static void anc_cases(const struct target *t)
{
	static const uint16_t sz[] = { BPF_W, BPF_H, BPF_B };
	static const char *const szn[] = { "ld", "ldh", "ldb" };
	struct cbpf_insn p[2] = { { 0, 0, 0, 0 }, { BPF_RET | BPF_A, 0, 0, 0 } };
	char what[64];
	uint32_t off;
	size_t s;

	for (s = 0; s < 3; s++) {
		for (off = 0; off <= SKF_AD_MAX; off += 4) {
			p[0] = (struct cbpf_insn){ BPF_LD | sz[s] | BPF_ABS, 0, 0,
						   (uint32_t)SKF_AD_OFF + off };
			snprintf(what, sizeof(what), "%s [SKF_AD_OFF + %u]", szn[s], off);
			compare(t, what, p, 2);
		}
	}
}

static void fixed_batch(const struct target *t)
{
	size_t i;

	for (i = 0; i < sizeof(fixed_cases) / sizeof(fixed_cases[0]); i++)
		compare(t, fixed_cases[i].name, fixed_cases[i].p, fixed_cases[i].len);
	if (t->flavor == CBPF_FLAVOR_SOCKET)
		anc_cases(t);
}

static int socket_open(struct target *t, char *why, size_t size)
{
	t->fd = socket(t->domain, t->type, 0);
	if (t->fd >= 0)
		return 1;
	snprintf(why, size, "socket(%s): %s", t->name, strerror(errno));
	return 0;
}

static int seccomp_available(char *why, size_t size)
{
	static const struct cbpf_insn allow[] = { { BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW } };
	int err;
	enum outcome k = seccomp_attach(allow, 1, &err);

	if (k == K_ACCEPT)
		return 1;
	snprintf(why, size, "seccomp(SECCOMP_SET_MODE_FILTER) unusable: %s",
		 k == K_REJECT ? "EINVAL" : k == K_NOMEM ? "ENOMEM" : "setup failed");
	return 0;
}

static void run_socket(struct target *t, uint64_t seed, int count)
{
	static const unsigned mix[] = { RP_VALID | RP_ANC, RP_ANC, 0, RP_VALID, RP_ANC };
	char why[160];

	if (!socket_open(t, why, sizeof(why))) {
		tap_skip("%s", why);
		return;
	}
	fixed_batch(t);
	length_cases(t, seed);
	random_batch(t, seed, count, mix, sizeof(mix) / sizeof(mix[0]));
	close(t->fd);
	t->fd = -1;
}

static void run_seccomp(uint64_t seed)
{
	static const unsigned mix[] = {
		RP_SECCOMP | RP_VALID, RP_SECCOMP, RP_SECCOMP | RP_ANC, RP_SECCOMP,
		RP_ANC,	/* socket programs: ldh, ld ind, msh, mod, ancillary loads */
	};
	char why[160];

	if (!seccomp_available(why, sizeof(why))) {
		tap_skip("%s", why);
		return;
	}
	fixed_batch(&t_seccomp);
	length_cases(&t_seccomp, seed);
	random_batch(&t_seccomp, seed, N_SECCOMP, mix, sizeof(mix) / sizeof(mix[0]));
}

int main(void)
{
	const char *env = getenv("PFC_KERNEL_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : 20240601;

	tap_diag("seed %llu (set PFC_KERNEL_SEED to change)", (unsigned long long)seed);
	run_socket(&t_inet, seed, N_INET);
	if (geteuid() == 0)
		run_socket(&t_packet, seed + 1000000, N_PACKET);
	else
		tap_skip("AF_PACKET needs root");
	run_seccomp(seed + 2000000);
	return tap_done();
}
