/*
 * seccomp_oci.c -- the reader of OCI runtime-spec seccomp sections and
 * Docker (moby) seccomp profiles: JSON in, struct sc_policy out.
 *
 * What it follows, from runc and moby:
 *  - architectures (SCMP_ARCH_*) or, in Docker profiles, archMap: the
 *    entry of the native architecture with its subArchitectures;
 *  - includes / excludes of Docker profiles, judged as moby does: arches
 *    against the native architecture only, caps against the container's
 *    capabilities (all included ones needed, any excluded one rules out),
 *    minKernel against the running kernel;
 *  - errnoRet / defaultErrnoRet (EPERM when absent), SCMP_ACT_KILL being
 *    SCMP_ACT_KILL_THREAD;
 *  - args: all conditions of an entry must hold, except that when an
 *    argument index repeats, each condition is a rule of its own (runc);
 *  - an entry whose action is the default action is dropped (libseccomp
 *    refuses it and runc skips it); unknown syscall names are ignored;
 *  - runc's -ENOSYS stub: unless the default action is allow, log or
 *    trace, numbers above the largest one the applied entries name (all
 *    of them, dropped ones too) fail with ENOSYS, so that programs fall
 *    back from syscalls newer than the profile (seccomp_lower.c).
 * Keeps true: every error names the JSON value at fault by position.
 */
#include <errno.h>
#include <string.h>

#include "seccomp_int.h"
#include "seccomp_json.h"

struct oci {
	struct sc_ctx *c;
	enum sc_arch native;
	int err;
};

static int bad(struct oci *o, const struct sc_json *v, const char *fmt, const char *what)
{
	if (!o->err) {
		fg_diag_set(o->c->diag, v->off, v->len, fmt, what);
		o->err = -EINVAL;
	}
	return o->err;
}

static const struct {
	const char *name;
	uint32_t ret;
} oci_actions[] = {
	{ "SCMP_ACT_KILL", SC_RET_KILL_THREAD }, { "SCMP_ACT_KILL_THREAD", SC_RET_KILL_THREAD },
	{ "SCMP_ACT_KILL_PROCESS", SC_RET_KILL_PROCESS }, { "SCMP_ACT_TRAP", SC_RET_TRAP },
	{ "SCMP_ACT_ERRNO", SC_RET_ERRNO }, { "SCMP_ACT_TRACE", SC_RET_TRACE },
	{ "SCMP_ACT_ALLOW", SC_RET_ALLOW }, { "SCMP_ACT_LOG", SC_RET_LOG },
	{ "SCMP_ACT_NOTIFY", SC_RET_USER_NOTIF },
};

/* An action string with its errno/trace value (errnoRet, default EPERM). */
static int oci_action(struct oci *o, const struct sc_json *owner, const char *key,
		      const struct sc_json *ret, uint32_t *out)
{
	const struct sc_json *v = sc_json_get(owner, key);
	size_t i;

	if (!v)
		return bad(o, owner, "missing \"%s\"", key);
	if (v->kind != SC_J_STR)
		return bad(o, v, "expected an action string (SCMP_ACT_...)%s", "");
	for (i = 0; i < sizeof(oci_actions) / sizeof(oci_actions[0]); i++)
		if (strcmp(v->s, oci_actions[i].name) == 0)
			break;
	if (i == sizeof(oci_actions) / sizeof(oci_actions[0]))
		return bad(o, v, "unknown action '%s'", v->s);
	*out = oci_actions[i].ret;
	if (*out != SC_RET_ERRNO && *out != SC_RET_TRACE)
		return 0;
	if (!ret) {
		*out |= EPERM;
		return 0;
	}
	if (ret->kind != SC_J_NUM || !ret->integer || ret->neg || ret->u > SC_RET_DATA)
		return bad(o, ret, "expected an errno value from 0 to 65535%s", "");
	*out |= (uint32_t)ret->u;
	return 0;
}

/* Does arr (Go or libseccomp arch names) name the native architecture? */
static bool arch_in(const struct oci *o, const struct sc_json *arr)
{
	const struct sc_json *e;

	for (e = arr ? arr->child : NULL; e; e = e->next)
		if (e->kind == SC_J_STR && sc_arch_lookup(e->s, e->slen) == (int)o->native)
			return true;
	return false;
}

/* Docker's default capability set (moby's oci/caps/defaults.go). */
static const char *const docker_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
};

static bool has_cap(const struct oci *o, const char *cap)
{
	const struct fg_seccomp_opts *op = o->c->opts;
	const char *const *caps = op->caps_set ? op->caps : docker_caps;
	size_t i, n = op->caps_set ? op->ncaps : sizeof(docker_caps) / sizeof(docker_caps[0]);

	for (i = 0; i < n; i++)
		if (strcmp(caps[i], cap) == 0)
			return true;
	return false;
}

/* "4.8" -> 4008; 0 if unreadable. */
static unsigned kernel_of(const char *s)
{
	unsigned major = 0, minor = 0;

	while (*s >= '0' && *s <= '9')
		major = major * 10 + (unsigned)(*s++ - '0');
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			minor = minor * 10 + (unsigned)(*s - '0');
	return major * 1000 + minor;
}

/* moby's filter: does the entry apply to this container? */
static bool applies(const struct oci *o, const struct sc_json *sys)
{
	const struct sc_json *inc = sc_json_get(sys, "includes"), *exc = sc_json_get(sys, "excludes");
	const struct sc_json *e, *mk;

	if (exc) {
		e = sc_json_get(exc, "arches");
		if (e && e->child && arch_in(o, e))
			return false;
		for (e = sc_json_get(exc, "caps"), e = e ? e->child : NULL; e; e = e->next)
			if (e->kind == SC_J_STR && has_cap(o, e->s))
				return false;
	}
	if (inc) {
		e = sc_json_get(inc, "arches");
		if (e && e->child && !arch_in(o, e))
			return false;
		for (e = sc_json_get(inc, "caps"), e = e ? e->child : NULL; e; e = e->next)
			if (e->kind == SC_J_STR && !has_cap(o, e->s))
				return false;
		mk = sc_json_get(inc, "minKernel");
		if (mk && mk->kind == SC_J_STR && o->c->opts->kernel &&
		    o->c->opts->kernel < kernel_of(mk->s))
			return false;
	}
	return true;
}

static const struct {
	const char *name;
	enum sc_op op;
} oci_ops[] = {
	{ "SCMP_CMP_NE", SC_NE }, { "SCMP_CMP_LT", SC_LT }, { "SCMP_CMP_LE", SC_LE },
	{ "SCMP_CMP_EQ", SC_EQ }, { "SCMP_CMP_GE", SC_GE }, { "SCMP_CMP_GT", SC_GT },
	{ "SCMP_CMP_MASKED_EQ", SC_MASKED_EQ },
};

static int u64_of(struct oci *o, const struct sc_json *v, uint64_t *out)
{
	if (!v) {
		*out = 0;
		return 0;
	}
	if (v->kind != SC_J_NUM || !v->integer || v->neg)
		return bad(o, v, "expected an unsigned 64-bit integer%s", "");
	*out = v->u;
	return 0;
}

/* One element of args: {index, value, valueTwo, op}. */
static struct sc_expr *arg_cond(struct oci *o, const struct sc_json *a)
{
	const struct sc_json *idx = sc_json_get(a, "index"), *op = sc_json_get(a, "op");
	struct sc_expr *e = fg_arena_alloc(o->c->arena, sizeof(*e));
	size_t i;

	if (!e) {
		o->err = -ENOMEM;
		return NULL;
	}
	e->kind = SC_E_CMP;
	e->depth = 1;
	e->off = a->off;
	e->len = a->len;
	if (!idx || idx->kind != SC_J_NUM || !idx->integer || idx->neg || idx->u > 5) {
		bad(o, idx ? idx : a, "expected an argument index from 0 to 5%s", "");
		return NULL;
	}
	e->arg = (unsigned)idx->u;
	for (i = 0; op && op->kind == SC_J_STR && i < sizeof(oci_ops) / sizeof(oci_ops[0]); i++)
		if (strcmp(op->s, oci_ops[i].name) == 0)
			break;
	if (!op || op->kind != SC_J_STR || i == sizeof(oci_ops) / sizeof(oci_ops[0])) {
		bad(o, op ? op : a, "expected an operator (SCMP_CMP_EQ, ..., SCMP_CMP_MASKED_EQ)%s", "");
		return NULL;
	}
	e->op = oci_ops[i].op;
	/* MASKED_EQ: (arg & value) == valueTwo */
	if (u64_of(o, sc_json_get(a, "value"), &e->a) || u64_of(o, sc_json_get(a, "valueTwo"), &e->b))
		return NULL;
	return e;
}

static struct sc_rule *rule_new(struct oci *o, const struct sc_json *sys, struct sc_name *names,
				size_t n, uint32_t act, struct sc_expr *cond)
{
	struct sc_rule *r = sc_rule_add(o->c);

	if (!r) {
		o->err = -ENOMEM;
		return NULL;
	}
	r->names = names;
	r->nnames = n;
	r->action = act;
	r->cond = cond;
	r->off = sys->off;
	r->len = sys->len;
	return r;
}

/* The rules of one entry of "syscalls". */
static int oci_args(struct oci *o, const struct sc_json *sys, struct sc_name *names, size_t n,
		    uint32_t act)
{
	const struct sc_json *args = sc_json_get(sys, "args"), *a;
	struct sc_expr *all = NULL, *e;
	unsigned seen = 0;
	bool repeat = false;

	for (a = args && args->kind == SC_J_ARR ? args->child : NULL; a; a = a->next) {
		const struct sc_json *idx = sc_json_get(a, "index");

		if (idx && idx->kind == SC_J_NUM && idx->u < 6) {
			repeat |= (seen >> idx->u) & 1;
			seen |= 1u << idx->u;
		}
	}
	for (a = args && args->kind == SC_J_ARR ? args->child : NULL; a; a = a->next) {
		if (!(e = arg_cond(o, a)))
			return o->err ? o->err : -ENOMEM;
		if (repeat) {
			if (!rule_new(o, sys, names, n, act, e))
				return o->err;
			continue;
		}
		if (all) {
			struct sc_expr *and = fg_arena_alloc(o->c->arena, sizeof(*and));

			if (!and)
				return o->err = -ENOMEM;
			and->kind = SC_E_AND;
			and->depth = 1 + all->depth;	/* at most 6 arguments deep */
			and->l = all;
			and->r = e;
			and->off = all->off;
			and->len = e->off + e->len - all->off;
			e = and;
		}
		all = e;
	}
	if (repeat)
		return 0;
	return rule_new(o, sys, names, n, act, all) ? 0 : o->err;
}

/* runc's stub counts every name of the applied entries, whatever their action. */
static int stub_names_add(struct oci *o, const struct sc_name *names, size_t n)
{
	struct sc_policy *pol = &o->c->pol;

	if (fg_arena_grow(o->c->arena, (void **)&pol->stub_names, &pol->stubcap, pol->nstub + n,
			  sizeof(*pol->stub_names)))
		return o->err = -ENOMEM;
	memcpy(pol->stub_names + pol->nstub, names, n * sizeof(*names));
	pol->nstub += n;
	return 0;
}

/* runc leaves the stub out when the default action lets syscalls run (or reach a tracer). */
static bool stub_wanted(const struct sc_ctx *c)
{
	uint32_t full = c->pol.def_action & SC_RET_ACTION_FULL;

	return !c->opts->no_enosys_stub && full != SC_RET_ALLOW && full != SC_RET_LOG &&
	       full != SC_RET_TRACE;
}

static int oci_syscall(struct oci *o, const struct sc_json *sys)
{
	const struct sc_json *names = sc_json_get(sys, "names"), *one = sc_json_get(sys, "name"), *e;
	struct sc_name *arr = NULL;
	size_t n = 0, cap = 0;
	uint32_t act;

	if (sys->kind != SC_J_OBJ)
		return bad(o, sys, "expected a syscall object%s", "");
	if (!applies(o, sys))
		return 0;
	if (oci_action(o, sys, "action", sc_json_get(sys, "errnoRet"), &act))
		return o->err;
	for (e = names && names->kind == SC_J_ARR ? names->child : one; e; e = names ? e->next : NULL) {
		if (e->kind != SC_J_STR)
			return bad(o, e, "expected a syscall name%s", "");
		if (fg_arena_grow(o->c->arena, (void **)&arr, &cap, n + 1, sizeof(*arr)))
			return o->err = -ENOMEM;
		arr[n].name = e->s;
		arr[n].off = e->off;
		arr[n++].len = e->len;
	}
	if (n == 0)
		return bad(o, sys, "a syscall entry needs \"names\"%s", "");
	if (stub_names_add(o, arr, n))
		return o->err;
	if (act == o->c->pol.def_action)
		return 0;
	return oci_args(o, sys, arr, n, act);
}

static int add_arch(struct oci *o, const struct sc_json *v)
{
	struct sc_policy *pol = &o->c->pol;
	size_t i;
	int a;

	if (v->kind != SC_J_STR)
		return bad(o, v, "expected an architecture name%s", "");
	a = sc_arch_lookup(v->s, v->slen);
	if (a < 0) {
		/* pfc has no tables for it: syscalls through that ABI get the bad-arch action */
		sc_warn(o->c, v->off, v->len, "architecture '%s' is not supported by pfc; its "
			"syscalls get the action for unknown architectures", v->s);
		return 0;
	}
	for (i = 0; i < pol->narches; i++)
		if (pol->arches[i] == (enum sc_arch)a)
			return 0;
	pol->arches[pol->narches++] = (enum sc_arch)a;
	return 0;
}

/* architectures, or archMap's entry for the native architecture. */
static int oci_arches(struct oci *o, const struct sc_json *root)
{
	const struct sc_json *arches = sc_json_get(root, "architectures");
	const struct sc_json *map = sc_json_get(root, "archMap"), *e, *s;

	for (e = arches && arches->kind == SC_J_ARR ? arches->child : NULL; e; e = e->next)
		if (add_arch(o, e))
			return o->err;
	for (e = map && map->kind == SC_J_ARR ? map->child : NULL; e; e = e->next) {
		const struct sc_json *an = sc_json_get(e, "architecture");

		if (!an || an->kind != SC_J_STR || sc_arch_lookup(an->s, an->slen) != (int)o->native)
			continue;
		if (add_arch(o, an))
			return o->err;
		s = sc_json_get(e, "subArchitectures");
		for (s = s && s->kind == SC_J_ARR ? s->child : NULL; s; s = s->next)
			if (add_arch(o, s))
				return o->err;
	}
	return 0;
}

static enum sc_arch native_arch(const struct sc_ctx *c)
{
	int a;

	if (c->opts->narches > 0) {
		a = sc_arch_lookup(c->opts->arches[0], strlen(c->opts->arches[0]));
		if (a >= 0)
			return (enum sc_arch)a;
	}
#if defined(__aarch64__)
	return SC_ARCH_AARCH64;
#elif defined(__i386__)
	return SC_ARCH_I386;
#else
	return SC_ARCH_X86_64;
#endif
}

int sc_oci_parse(struct sc_ctx *c)
{
	struct oci o = { c, native_arch(c), 0 };
	const struct sc_json *root, *sys, *e;
	int rc = sc_json_parse(c->arena, c->src, c->len, (struct sc_json **)&root, c->diag);

	if (rc)
		return rc;
	if (root->kind != SC_J_OBJ)
		return bad(&o, root, "expected a JSON object (an OCI seccomp profile)%s", "");
	if (oci_action(&o, root, "defaultAction", sc_json_get(root, "defaultErrnoRet"),
		       &c->pol.def_action))
		return o.err;
	c->pol.badarch_action = SC_RET_KILL_THREAD;	/* libseccomp's default, as runc leaves it */
	if (oci_arches(&o, root))
		return o.err;
	sys = sc_json_get(root, "syscalls");
	if (sys && sys->kind != SC_J_ARR && sys->kind != SC_J_NULL)
		return bad(&o, sys, "\"syscalls\" must be an array%s", "");
	for (e = sys && sys->kind == SC_J_ARR ? sys->child : NULL; e; e = e->next)
		if (oci_syscall(&o, e))
			return o.err;
	c->pol.enosys_stub = stub_wanted(c);
	return c->arena->failed ? -ENOMEM : 0;
}
