/*
 * load.c -- the kernel side: BPF_PROG_LOAD (with the verifier's log when it
 * refuses), BPF_PROG_TEST_RUN, BPF_OBJ_GET_INFO_BY_FD for the instruction
 * count the kernel keeps, and SO_ATTACH_BPF.  Plain bpf(2), no libbpf: the
 * module needs four commands and no object loading.
 * Keeps true: every fd this file opens is returned or closed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ebt_int.h"

#ifndef SO_ATTACH_BPF
#define SO_ATTACH_BPF 50
#endif
#ifndef SO_DETACH_BPF
#define SO_DETACH_BPF 27
#endif

static int sys_bpf(int cmd, union bpf_attr *attr, unsigned size)
{
	long rc = syscall(__NR_bpf, cmd, attr, size);

	return rc < 0 ? -errno : (int)rc;
}

static uint32_t prog_type(enum ebt_target t)
{
	switch (t) {
	case EBT_TARGET_TC: return BPF_PROG_TYPE_SCHED_CLS;
	case EBT_TARGET_XDP: return BPF_PROG_TYPE_XDP;
	default: return BPF_PROG_TYPE_SOCKET_FILTER;
	}
}

static int load(const struct ebt_insn *insns, size_t n, enum ebt_target target, char *log,
		size_t log_size)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = prog_type(target);
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	if (log && log_size) {
		log[0] = '\0';
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = (uint32_t)(log_size > UINT32_MAX ? UINT32_MAX : log_size);
		a.log_level = 1;
	}
	memcpy(a.prog_name, "pfc_filter", sizeof("pfc_filter"));
	return sys_bpf(BPF_PROG_LOAD, &a, sizeof(a));
}

int ebt_prog_load(const struct ebt_insn *insns, size_t n, enum ebt_target target,
		  char *log, size_t log_size)
{
	int fd, again;

	if (!insns || !n || n > UINT32_MAX)
		return -EINVAL;
	fd = load(insns, n, target, NULL, 0);
	if (fd >= 0 || !log || !log_size)
		return fd;
	again = load(insns, n, target, log, log_size);
	return again >= 0 ? again : fd;
}

int ebt_test_run(int prog_fd, const void *data, size_t len, uint32_t repeat,
		 uint32_t *retval, uint32_t *duration)
{
	union bpf_attr a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)prog_fd;
	a.test.data_in = (uint64_t)(uintptr_t)data;
	a.test.data_size_in = (uint32_t)len;
	a.test.repeat = repeat;
	rc = sys_bpf(BPF_PROG_TEST_RUN, &a, sizeof(a));
	if (rc < 0)
		return rc;
	*retval = a.test.retval;
	if (duration)
		*duration = a.test.duration;
	return 0;
}

int ebt_prog_xlated_count(int prog_fd, uint32_t *count)
{
	struct bpf_prog_info info;
	union bpf_attr a;
	int rc;

	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)prog_fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	rc = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a));
	if (rc < 0)
		return rc;
	*count = info.xlated_prog_len / (uint32_t)sizeof(struct bpf_insn);
	return 0;
}

int ebt_prog_get_fd_by_id(uint32_t id)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	return sys_bpf(BPF_PROG_GET_FD_BY_ID, &a, sizeof(a));
}

int ebt_attach_socket(int sock, int prog_fd)
{
	int rc;

	if (prog_fd < 0)
		rc = setsockopt(sock, SOL_SOCKET, SO_DETACH_BPF, &prog_fd, sizeof(prog_fd));
	else
		rc = setsockopt(sock, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof(prog_fd));
	return rc < 0 ? -errno : 0;
}

int ebt_obj_pin(int fd, const char *path)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.pathname = (uint64_t)(uintptr_t)path;
	a.bpf_fd = (uint32_t)fd;
	return sys_bpf(BPF_OBJ_PIN, &a, sizeof(a));
}
