/*
 * seccomp_int.h -- private to the seccomp front end: the policy model both
 * readers (seccomp_policy.c for pfc's language, seccomp_oci.c for OCI and
 * Docker JSON profiles) fill in, the architecture and syscall tables, and
 * the lowering into the shared IR (seccomp_lower.c).
 *
 * A policy is a list of rules in source order; a rule names syscalls, an
 * optional condition on their arguments and an action.  For a syscall the
 * first rule whose condition holds decides; none: the default action.
 * Syscall names are resolved per architecture only when lowering.
 */
#ifndef PFC_FG_SECCOMP_INT_H
#define PFC_FG_SECCOMP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fg_int.h"

enum sc_arch { SC_ARCH_X86_64, SC_ARCH_I386, SC_ARCH_X32, SC_ARCH_AARCH64, SC_NARCH };

struct sc_sysent {
	const char *name;
	uint32_t nr;
};

struct sc_systab {
	const struct sc_sysent *e;	/* sorted by name (strcmp) */
	size_t n;
};

/* Generated from the kernel's tables: seccomp_systab.c. */
extern const struct sc_systab sc_systabs[SC_NARCH];

/* AUDIT_ARCH_* value of an architecture (x32 shares x86_64's). */
uint32_t sc_arch_audit(enum sc_arch a);
/* pfc's name of an architecture ("x86_64"). */
const char *sc_arch_name(enum sc_arch a);
/* By name: pfc's, libseccomp's (SCMP_ARCH_X86_64), Go's (amd64); -1 if unknown. */
int sc_arch_lookup(const char *name, size_t len);
/* True when the ABI passes 32-bit registers: every argument is 32 bits wide. */
bool sc_arch_is32(enum sc_arch a);
/* A syscall's number on an architecture, or -1. */
int64_t sc_sys_lookup(enum sc_arch a, const char *name);
/* A syscall's name from its number, or NULL. */
const char *sc_sys_name(enum sc_arch a, uint32_t nr);
/* True when some architecture knows the name. */
bool sc_sys_known(const char *name);
/* Bit i set: argument i of the syscall is a 32-bit int on 64-bit ABIs. */
unsigned sc_arg32_mask(const char *name);

/* ---- actions (the SECCOMP_RET_* values) ---- */
#define SC_RET_KILL_PROCESS 0x80000000u
#define SC_RET_KILL_THREAD 0x00000000u
#define SC_RET_TRAP 0x00030000u
#define SC_RET_ERRNO 0x00050000u
#define SC_RET_USER_NOTIF 0x7fc00000u
#define SC_RET_TRACE 0x7ff00000u
#define SC_RET_LOG 0x7ffc0000u
#define SC_RET_ALLOW 0x7fff0000u
#define SC_RET_ACTION_FULL 0xffff0000u
#define SC_RET_DATA 0x0000ffffu

/* Write an action as the policy language spells it ("errno(1)") into buf. */
void sc_action_format(uint32_t action, char *buf, size_t size);

/* ---- argument conditions ---- */
/* Deepest condition tree accepted: lowering and printing recurse over it. */
#define SC_EXPR_MAX_DEPTH 1000

enum sc_op { SC_EQ, SC_NE, SC_LT, SC_LE, SC_GT, SC_GE, SC_MASKED_EQ, SC_RANGE };
enum sc_ekind { SC_E_CMP, SC_E_AND, SC_E_OR, SC_E_NOT };

struct sc_expr {
	enum sc_ekind kind;
	/* SC_E_CMP: arg OP a; SC_MASKED_EQ: (arg & a) == b; SC_RANGE: a <= arg <= b */
	unsigned arg;
	enum sc_op op;
	uint64_t a, b;
	struct sc_expr *l, *r;	/* operands of AND / OR; NOT uses l */
	unsigned depth;		/* levels of the tree below and including this node */
	size_t off, len;
};

struct sc_name {
	const char *name;
	size_t off, len;
};

struct sc_rule {
	struct sc_name *names;
	size_t nnames;
	struct sc_expr *cond;	/* NULL: unconditional */
	uint32_t action;
	size_t off, len;	/* the rule's text, for warnings */
};

struct sc_policy {
	enum sc_arch arches[SC_NARCH];	/* in order; the first is the native one */
	size_t narches;
	uint32_t def_action;
	uint32_t badarch_action;
	struct sc_rule *rules;
	size_t nrules, cap;
	/*
	 * runc's -ENOSYS stub (OCI profiles whose default action is not
	 * allow, log or trace): on each architecture, numbers above the
	 * largest one any applied entry names fail with ENOSYS.  The names
	 * include entries dropped for having the default action.
	 */
	bool enosys_stub;
	struct sc_name *stub_names;
	size_t nstub, stubcap;
};

/* Options carried to the readers and the lowering. */
struct sc_ctx {
	struct fg_arena *arena;
	const char *src;
	size_t len;
	struct fg_diag *diag;
	const struct fg_seccomp_opts *opts;
	struct sc_policy pol;
};

/* Append a rule (arena); returns it or NULL (out of memory). */
struct sc_rule *sc_rule_add(struct sc_ctx *c);

/* Readers: 0 or a negative errno with diag set. */
int sc_policy_parse(struct sc_ctx *c);
int sc_oci_parse(struct sc_ctx *c);
/*
 * Set c up on src (an arena already initialised) and parse it as o says
 * (policy language or OCI JSON); 0 or a negative errno, diag set.
 */
int sc_read(struct sc_ctx *c, struct fg_arena *a, const char *src, size_t len,
	    const struct fg_seccomp_opts *o, struct fg_diag *diag);

/* A syscall number named by a rule. */
struct sc_hit {
	uint32_t nr;
	size_t rule;
	const char *name;
};

/* Every (number, rule) pair of an architecture, sorted by number then rule (arena). */
int sc_arch_hits(struct sc_ctx *c, enum sc_arch arch, struct sc_hit **out, size_t *n);

/* The largest number the stub names on an architecture, 0 for none (no stub there). */
uint32_t sc_enosys_last(const struct sc_ctx *c, enum sc_arch arch);

struct fg_ir;
/* Lower the policy into ir (fg_ir_init done by the caller); 0 or a negative errno. */
int sc_lower(struct sc_ctx *c, struct fg_ir *ir);

/* Report a warning through the options' callback, if any. */
void sc_warn(struct sc_ctx *c, size_t off, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Which syscalls get which action, per architecture (malloc'd text). */
int sc_explain(struct sc_ctx *c, char **out);

#endif /* PFC_FG_SECCOMP_INT_H */
