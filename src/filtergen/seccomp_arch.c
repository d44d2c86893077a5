/*
 * seccomp_arch.c -- architectures, syscall names and argument widths for
 * the seccomp front end.
 *
 * Numbers come from seccomp_systab.c (generated from the kernel's tables).
 * Argument widths: the kernel declares some arguments int or unsigned int
 * (SYSCALL_DEFINE signatures) and truncates the 64-bit register to 32
 * bits before using them, so a filter must compare only their low word,
 * else a caller sets the high word to slip past a check.  The table below
 * lists, from the kernel's SYSCALL_DEFINE signatures, the arguments
 * declared int, unsigned int, pid_t, uid_t, gid_t, umode_t, clockid_t,
 * key_serial_t, qid_t, rwf_t or u32; every other argument (long, size_t,
 * pointers, off_t) is 64 bits.  32-bit ABIs (i386) have only 32-bit
 * arguments.
 * Keeps true: tables are read-only; lookups never allocate.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "seccomp_int.h"

static const struct {
	const char *name;
	uint32_t audit;
	bool is32;
} arch_info[SC_NARCH] = {
	[SC_ARCH_X86_64] = { "x86_64", 0xc000003eu, false },
	[SC_ARCH_I386] = { "i386", 0x40000003u, true },
	[SC_ARCH_X32] = { "x32", 0xc000003eu, false },
	[SC_ARCH_AARCH64] = { "aarch64", 0xc00000b7u, false },
};

static const struct {
	const char *alias;
	enum sc_arch arch;
} arch_alias[] = {
	{ "x86_64", SC_ARCH_X86_64 }, { "amd64", SC_ARCH_X86_64 }, { "SCMP_ARCH_X86_64", SC_ARCH_X86_64 },
	{ "i386", SC_ARCH_I386 }, { "x86", SC_ARCH_I386 }, { "386", SC_ARCH_I386 },
	{ "i686", SC_ARCH_I386 }, { "SCMP_ARCH_X86", SC_ARCH_I386 },
	{ "x32", SC_ARCH_X32 }, { "SCMP_ARCH_X32", SC_ARCH_X32 },
	{ "aarch64", SC_ARCH_AARCH64 }, { "arm64", SC_ARCH_AARCH64 },
	{ "SCMP_ARCH_AARCH64", SC_ARCH_AARCH64 },
};

uint32_t sc_arch_audit(enum sc_arch a)
{
	return arch_info[a].audit;
}

const char *sc_arch_name(enum sc_arch a)
{
	return arch_info[a].name;
}

bool sc_arch_is32(enum sc_arch a)
{
	return arch_info[a].is32;
}

int sc_arch_lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(arch_alias) / sizeof(arch_alias[0]); i++)
		if (strlen(arch_alias[i].alias) == len && strncasecmp(arch_alias[i].alias, name, len) == 0)
			return (int)arch_alias[i].arch;
	return -1;
}

static int cmp_sysent(const void *key, const void *elem)
{
	return strcmp(key, ((const struct sc_sysent *)elem)->name);
}

int64_t sc_sys_lookup(enum sc_arch a, const char *name)
{
	const struct sc_sysent *e = bsearch(name, sc_systabs[a].e, sc_systabs[a].n,
					    sizeof(*e), cmp_sysent);

	return e ? (int64_t)e->nr : -1;
}

const char *sc_sys_name(enum sc_arch a, uint32_t nr)
{
	size_t i;

	for (i = 0; i < sc_systabs[a].n; i++)
		if (sc_systabs[a].e[i].nr == nr)
			return sc_systabs[a].e[i].name;
	return NULL;
}

bool sc_sys_known(const char *name)
{
	int a;

	for (a = 0; a < SC_NARCH; a++)
		if (sc_sys_lookup((enum sc_arch)a, name) >= 0)
			return true;
	return false;
}

/* Bit i: argument i is 32 bits wide (syscalls with none are not listed). */
static const struct arg32_ent {
	const char *name;
	unsigned mask;
} arg32[] = {
	{ "accept", 0x1 }, { "accept4", 0x9 }, { "bind", 0x5 }, { "bpf", 0x5 },
	{ "chmod", 0x2 }, { "chown", 0x6 }, { "clock_adjtime", 0x1 },
	{ "clock_getres", 0x1 }, { "clock_gettime", 0x1 }, { "clock_nanosleep", 0x3 },
	{ "clock_settime", 0x1 }, { "close", 0x1 }, { "close_range", 0x7 }, { "connect", 0x5 },
	{ "copy_file_range", 0x25 }, { "dup", 0x1 }, { "dup2", 0x3 }, { "dup3", 0x7 },
	{ "epoll_create", 0x1 }, { "epoll_create1", 0x1 }, { "epoll_ctl", 0x7 },
	{ "epoll_pwait", 0xd }, { "epoll_wait", 0xd }, { "eventfd", 0x1 }, { "eventfd2", 0x3 },
	{ "execveat", 0x11 }, { "exit", 0x1 }, { "exit_group", 0x1 }, { "faccessat", 0x5 },
	{ "faccessat2", 0xd }, { "fadvise64", 0x9 }, { "fallocate", 0x3 },
	{ "fanotify_init", 0x3 }, { "fanotify_mark", 0xb }, { "fchdir", 0x1 },
	{ "fchmod", 0x3 }, { "fchmodat", 0x5 }, { "fchown", 0x7 }, { "fchownat", 0x1d },
	{ "fcntl", 0x3 }, { "fdatasync", 0x1 }, { "flock", 0x3 }, { "fstat", 0x1 },
	{ "fstatfs", 0x1 }, { "fsync", 0x1 }, { "ftruncate", 0x1 }, { "futex", 0x26 },
	{ "getdents", 0x5 }, { "getdents64", 0x5 }, { "getpgid", 0x1 }, { "getpriority", 0x3 },
	{ "getrandom", 0x4 }, { "getsid", 0x1 }, { "getsockname", 0x1 },
	{ "getpeername", 0x1 }, { "getsockopt", 0x7 }, { "inotify_add_watch", 0x5 },
	{ "inotify_init1", 0x1 }, { "inotify_rm_watch", 0x3 }, { "ioctl", 0x3 },
	{ "ioprio_get", 0x3 }, { "ioprio_set", 0x7 }, { "kcmp", 0x7 }, { "keyctl", 0x1 },
	{ "kill", 0x3 }, { "lchown", 0x6 }, { "linkat", 0x15 }, { "listen", 0x3 },
	{ "lseek", 0x5 }, { "madvise", 0x4 }, { "memfd_create", 0x2 }, { "mkdir", 0x2 },
	{ "mkdirat", 0x5 }, { "mknod", 0x6 }, { "mknodat", 0xd }, { "mlock2", 0x4 },
	{ "mq_open", 0x6 }, { "name_to_handle_at", 0x11 }, { "open", 0x6 },
	{ "open_by_handle_at", 0x5 }, { "openat", 0xd }, { "openat2", 0x1 },
	{ "perf_event_open", 0xe }, { "personality", 0x1 }, { "pidfd_getfd", 0x7 },
	{ "pidfd_open", 0x3 }, { "pidfd_send_signal", 0xb }, { "pipe2", 0x2 },
	{ "poll", 0x6 }, { "prctl", 0x1 }, { "pread64", 0x1 },
	{ "preadv", 0x0 }, { "preadv2", 0x20 }, { "prlimit64", 0x3 }, { "pwrite64", 0x1 },
	{ "pwritev", 0x0 }, { "pwritev2", 0x20 }, { "quotactl", 0x5 }, { "read", 0x1 },
	{ "readlinkat", 0x9 }, { "readv", 0x0 }, { "reboot", 0x7 }, { "recvfrom", 0x9 },
	{ "recvmmsg", 0xd }, { "recvmsg", 0x5 }, { "renameat", 0x5 }, { "renameat2", 0x15 },
	{ "rt_sigaction", 0x1 }, { "rt_sigprocmask", 0x1 }, { "rt_sigqueueinfo", 0x3 },
	{ "rt_tgsigqueueinfo", 0x7 }, { "sched_getaffinity", 0x3 }, { "sched_getattr", 0xd },
	{ "sched_getparam", 0x1 }, { "sched_getscheduler", 0x1 },
	{ "sched_get_priority_max", 0x1 }, { "sched_get_priority_min", 0x1 },
	{ "sched_setaffinity", 0x3 }, { "sched_setattr", 0x5 }, { "sched_setparam", 0x1 },
	{ "sched_setscheduler", 0x3 }, { "seccomp", 0x3 }, { "sendfile", 0x3 },
	{ "sendmmsg", 0xd }, { "sendmsg", 0x5 }, { "sendto", 0x29 }, { "setfsgid", 0x1 },
	{ "setfsuid", 0x1 }, { "setgid", 0x1 }, { "setns", 0x3 }, { "setpgid", 0x3 },
	{ "setpriority", 0x7 }, { "setregid", 0x3 }, { "setresgid", 0x7 },
	{ "setresuid", 0x7 }, { "setreuid", 0x3 }, { "setsockopt", 0x17 }, { "setuid", 0x1 },
	{ "shutdown", 0x3 }, { "signalfd", 0x1 }, { "signalfd4", 0x9 }, { "socket", 0x7 },
	{ "socketpair", 0x7 }, { "splice", 0x25 }, { "statx", 0xd }, { "symlinkat", 0x2 },
	{ "sync_file_range", 0x9 }, { "syncfs", 0x1 }, { "syslog", 0x5 }, { "tee", 0xb },
	{ "tgkill", 0x7 }, { "timer_create", 0x1 }, { "timerfd_create", 0x3 },
	{ "timerfd_gettime", 0x1 }, { "timerfd_settime", 0x3 }, { "tkill", 0x3 },
	{ "umask", 0x1 }, { "umount2", 0x2 }, { "unlinkat", 0x5 }, { "utimensat", 0x9 },
	{ "vmsplice", 0x9 }, { "wait4", 0x5 }, { "waitid", 0xb }, { "write", 0x1 },
	{ "writev", 0x0 },
};

unsigned sc_arg32_mask(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(arg32) / sizeof(arg32[0]); i++)
		if (strcmp(arg32[i].name, name) == 0)
			return arg32[i].mask;
	return 0;
}

void sc_action_format(uint32_t action, char *buf, size_t size)
{
	uint32_t data = action & SC_RET_DATA;

	switch (action & SC_RET_ACTION_FULL) {
	case SC_RET_KILL_PROCESS: snprintf(buf, size, "kill_process"); break;
	case SC_RET_KILL_THREAD: snprintf(buf, size, "kill_thread"); break;
	case SC_RET_TRAP: snprintf(buf, size, "trap"); break;
	case SC_RET_ERRNO: snprintf(buf, size, "errno(%u)", data); break;
	case SC_RET_USER_NOTIF: snprintf(buf, size, "user_notif"); break;
	case SC_RET_TRACE: snprintf(buf, size, "trace(%u)", data); break;
	case SC_RET_LOG: snprintf(buf, size, "log"); break;
	case SC_RET_ALLOW: snprintf(buf, size, "allow"); break;
	default: snprintf(buf, size, "ret(0x%08x)", action); break;
	}
}

/* ---- public lookups ---- */

int fg_seccomp_sys_lookup(const char *arch, const char *name, uint32_t *nr)
{
	int a = sc_arch_lookup(arch, strlen(arch));
	int64_t v;

	if (a < 0)
		return -ENOENT;
	v = sc_sys_lookup((enum sc_arch)a, name);
	if (v < 0)
		return -ENOENT;
	*nr = (uint32_t)v;
	return 0;
}

const char *fg_seccomp_sys_name(const char *arch, uint32_t nr)
{
	int a = sc_arch_lookup(arch, strlen(arch));

	return a < 0 ? NULL : sc_sys_name((enum sc_arch)a, nr);
}

int fg_seccomp_arch_audit(const char *arch, uint32_t *audit)
{
	int a = sc_arch_lookup(arch, strlen(arch));

	if (a < 0)
		return -ENOENT;
	*audit = sc_arch_audit((enum sc_arch)a);
	return 0;
}
