/*
 * seccomp.c -- the seccomp front end's driver: policy in, seccomp filter
 * (or an explanation of it) out.
 *
 * read (seccomp_policy.c or seccomp_oci.c) -> struct sc_policy -> checks
 * (shadowed rules) -> lower (seccomp_lower.c) -> IR -> the shared
 * optimizer -> emit -> cbpf_validate(CBPF_FLAVOR_SECCOMP).
 * Keeps true: nothing leaves fg_seccomp_compile that seccomp(2) would
 * refuse; the library prints nothing, warnings go to the caller's hook.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "opt.h"
#include "seccomp_int.h"

void fg_seccomp_opts_init(struct fg_seccomp_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	opts->optimize = 1;
}

struct sc_rule *sc_rule_add(struct sc_ctx *c)
{
	struct sc_policy *p = &c->pol;

	if (fg_arena_grow(c->arena, (void **)&p->rules, &p->cap, p->nrules + 1, sizeof(*p->rules)))
		return NULL;
	memset(&p->rules[p->nrules], 0, sizeof(p->rules[0]));
	return &p->rules[p->nrules++];
}

void sc_warn(struct sc_ctx *c, size_t off, size_t len, const char *fmt, ...)
{
	struct fg_diag d;
	va_list ap;

	if (!c->opts->warn)
		return;
	d.offset = off;
	d.length = len;
	va_start(ap, fmt);
	vsnprintf(d.msg, sizeof(d.msg), fmt, ap);
	va_end(ap);
	c->opts->warn(c->opts->warn_ud, &d);
}

static unsigned line_of(const struct sc_ctx *c, size_t off)
{
	unsigned line = 1;
	size_t i;

	for (i = 0; i < off && i < c->len; i++)
		line += c->src[i] == '\n';
	return line;
}

/* First match wins: a rule after an unconditional one for the same syscall never applies to it. */
static void warn_shadowed(struct sc_ctx *c)
{
	const struct sc_policy *p = &c->pol;
	size_t i, j, k, m;

	for (i = 1; i < p->nrules; i++) {
		for (k = 0; k < p->rules[i].nnames; k++) {
			const struct sc_name *n = &p->rules[i].names[k];

			for (j = 0; j < i; j++) {
				if (p->rules[j].cond)
					continue;
				for (m = 0; m < p->rules[j].nnames; m++)
					if (strcmp(p->rules[j].names[m].name, n->name) == 0)
						break;
				if (m < p->rules[j].nnames)
					break;
			}
			if (j < i)
				sc_warn(c, n->off, n->len, "this rule never applies to '%s': the rule on "
					"line %u matches it unconditionally first", n->name,
					line_of(c, p->rules[j].off));
		}
	}
}

/* opts->arches replaces the policy's; no architecture at all: the native one. */
static int arches_override(struct sc_ctx *c)
{
	const struct fg_seccomp_opts *o = c->opts;
	struct sc_policy *p = &c->pol;
	size_t i, k;

	if (o->narches > 0) {
		p->narches = 0;
		for (i = 0; i < o->narches; i++) {
			int a = sc_arch_lookup(o->arches[i], strlen(o->arches[i]));

			if (a < 0 || p->narches >= SC_NARCH) {
				fg_diag_set(c->diag, 0, 0, "unknown or repeated architecture '%s' "
					    "(x86_64, i386, x32, aarch64)", o->arches[i]);
				return -EINVAL;
			}
			for (k = 0; k < p->narches && p->arches[k] != (enum sc_arch)a; k++)
				;
			if (k == p->narches)
				p->arches[p->narches++] = (enum sc_arch)a;
		}
	}
	if (p->narches == 0) {
#if defined(__aarch64__)
		p->arches[p->narches++] = SC_ARCH_AARCH64;
#elif defined(__i386__)
		p->arches[p->narches++] = SC_ARCH_I386;
#else
		p->arches[p->narches++] = SC_ARCH_X86_64;
#endif
	}
	return 0;
}

int sc_read(struct sc_ctx *c, struct fg_arena *a, const char *src, size_t len,
	    const struct fg_seccomp_opts *o, struct fg_diag *diag)
{
	memset(c, 0, sizeof(*c));
	c->arena = a;
	c->src = src;
	c->len = len;
	c->diag = diag;
	c->opts = o;
	c->pol.def_action = SC_RET_KILL_PROCESS;
	c->pol.badarch_action = SC_RET_KILL_PROCESS;
	return o->oci ? sc_oci_parse(c) : sc_policy_parse(c);
}

/* Read the policy into c (a fresh arena); 0 or a negative errno. */
static int read_policy(struct sc_ctx *c, struct fg_arena *a, const char *src, size_t len,
		       const struct fg_seccomp_opts *opts, struct fg_seccomp_opts *o,
		       struct fg_diag *diag)
{
	int rc;

	fg_seccomp_opts_init(o);
	if (opts)
		memcpy(o, opts, opts->sz < sizeof(*o) ? opts->sz : sizeof(*o));
	o->sz = sizeof(*o);
	fg_arena_init(a, o->alloc, o->alloc_ud);
	rc = sc_read(c, a, src, len, o, diag);
	if (rc == 0 && !o->oci)
		warn_shadowed(c);
	if (rc == 0)
		rc = arches_override(c);
	return rc;
}

static int emit_seccomp(struct fg_ir *ir, struct cbpf_insn **out, size_t *n, struct fg_diag *diag)
{
	struct cbpf_diag vd;
	int rc = fg_emit(ir, out, n, diag);

	if (rc)
		return rc;
	if (cbpf_validate(*out, *n, CBPF_FLAVOR_SECCOMP, &vd) == 0)
		return 0;
	cbpf_free(*out);
	*out = NULL;
	fg_diag_set(diag, 0, 0, "internal error: the filter breaks a seccomp rule at %d: %s",
		    vd.insn, vd.msg);
	return -EINVAL;
}

int fg_seccomp_compile(const char *src, size_t len, const struct fg_seccomp_opts *opts,
		       struct cbpf_insn **out, size_t *n, struct fg_diag *diag)
{
	struct fg_seccomp_opts o;
	struct fg_arena a;
	struct sc_ctx c;
	struct fg_ir ir;
	int rc = read_policy(&c, &a, src, len, opts, &o, diag);

	if (rc == 0) {
		fg_ir_init(&ir, &a);
		ir.word_loads = true;
		rc = sc_lower(&c, &ir);
	}
	if (rc == 0 && o.optimize)
		rc = fg_optimize(&ir, diag);
	if (rc == 0 && a.failed)
		rc = -ENOMEM;
	if (rc == 0)
		rc = emit_seccomp(&ir, out, n, diag);
	if (rc == -ENOMEM)
		fg_diag_set(diag, 0, 0, "out of memory");
	fg_arena_destroy(&a);
	return rc;
}

/* ---- explain ---- */

struct sbuf {
	char *s;
	size_t len, cap;
	bool failed;
};

__attribute__((format(printf, 2, 3)))
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || b->len + (size_t)n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *s;

		while (n >= 0 && cap < b->len + (size_t)n + 1)
			cap *= 2;
		s = n < 0 ? NULL : realloc(b->s, cap);
		if (!s) {
			b->failed = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static const char *const op_text[] = { "==", "!=", "<", "<=", ">", ">=" };

static void expr_text(struct sbuf *b, const struct sc_expr *e, int prec)
{
	switch (e->kind) {
	case SC_E_OR:
	case SC_E_AND: {
		int p = e->kind == SC_E_OR ? 1 : 2;

		sb_add(b, "%s", prec > p ? "(" : "");
		expr_text(b, e->l, p);
		sb_add(b, " %s ", p == 1 ? "||" : "&&");
		expr_text(b, e->r, p);	/* both operators are associative */
		sb_add(b, "%s", prec > p ? ")" : "");
		break;
	}
	case SC_E_NOT:
		sb_add(b, "!");
		expr_text(b, e->l, 3);
		break;
	default:
		if (e->op == SC_MASKED_EQ)
			sb_add(b, "arg%u & 0x%llx == 0x%llx", e->arg, (unsigned long long)e->a,
			       (unsigned long long)e->b);
		else if (e->op == SC_RANGE)
			sb_add(b, "arg%u in 0x%llx..0x%llx", e->arg, (unsigned long long)e->a,
			       (unsigned long long)e->b);
		else
			sb_add(b, "arg%u %s %s%llu", e->arg, op_text[e->op], e->a > 9 ? "" : "",
			       (unsigned long long)e->a);
		break;
	}
}

/* "name(nr)": x32 numbers (with the x32 bit) in hexadecimal. */
static const char *nr_fmt(uint32_t nr, bool head)
{
	if (nr >= 0x40000000u)
		return head ? "  %s(0x%x):" : " %s(0x%x)";
	return head ? "  %s(%u):" : " %s(%u)";
}

/* One line per action for the unconditional syscalls; one per conditional syscall. */
static int explain_arch(struct sc_ctx *c, enum sc_arch arch, struct sbuf *b)
{
	const struct sc_policy *p = &c->pol;
	char act[32], act2[32];
	struct sc_hit *h;
	size_t n, i, j, k;
	uint32_t *decided, *seen;
	bool *cond;
	size_t nseen = 0;
	uint32_t last;
	int rc = sc_arch_hits(c, arch, &h, &n);

	if (rc)
		return rc;
	decided = fg_arena_alloc(c->arena, (n + 1) * sizeof(*decided));
	seen = fg_arena_alloc(c->arena, (n + 1) * sizeof(*seen));
	cond = fg_arena_alloc(c->arena, (n + 1) * sizeof(*cond));
	if (!decided || !cond || !seen)
		return -ENOMEM;
	sc_action_format(p->def_action, act, sizeof(act));
	sb_add(b, "arch %s (AUDIT_ARCH 0x%08x):\n  default: %s\n", sc_arch_name(arch),
	       sc_arch_audit(arch), act);
	last = sc_enosys_last(c, arch);
	if (last)
		sb_add(b, last >= 0x40000000u ?
		       "  errno(38) above 0x%x: newer than the profile (runc's ENOSYS stub)\n" :
		       "  errno(38) above %u: newer than the profile (runc's ENOSYS stub)\n", last);
	/* the first hit of each number decides, unless it has a condition */
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && h[j].nr == h[i].nr; j++)
			;
		cond[i] = p->rules[h[i].rule].cond != NULL;
		decided[i] = p->rules[h[i].rule].action;
		if (!cond[i]) {
			for (k = 0; k < nseen && seen[k] != decided[i]; k++)
				;
			if (k == nseen)
				seen[nseen++] = decided[i];
		}
	}
	for (k = 0; k < nseen; k++) {
		sc_action_format(seen[k], act, sizeof(act));
		sb_add(b, "  %s:", act);
		for (i = 0; i < n; i = j) {
			for (j = i; j < n && h[j].nr == h[i].nr; j++)
				;
			if (!cond[i] && decided[i] == seen[k])
				sb_add(b, nr_fmt(h[i].nr, false), h[i].name, h[i].nr);
		}
		sb_add(b, "\n");
	}
	for (i = 0; i < n; i = j) {
		uint32_t final = p->def_action;

		for (j = i; j < n && h[j].nr == h[i].nr; j++)
			;
		if (!cond[i])
			continue;
		sb_add(b, nr_fmt(h[i].nr, true), h[i].name, h[i].nr);
		for (k = i; k < j; k++) {
			const struct sc_rule *r = &p->rules[h[k].rule];

			sc_action_format(r->action, act2, sizeof(act2));
			if (!r->cond) {
				final = r->action;
				break;
			}
			sb_add(b, " %s if ", act2);
			expr_text(b, r->cond, 0);
			sb_add(b, ";");
		}
		sc_action_format(final, act, sizeof(act));
		sb_add(b, " else %s\n", act);
	}
	return 0;
}

int sc_explain(struct sc_ctx *c, char **out)
{
	struct sbuf b = { NULL, 0, 0, false };
	char act[32];
	size_t i;
	int rc = 0;

	for (i = 0; i < c->pol.narches && rc == 0; i++)
		rc = explain_arch(c, c->pol.arches[i], &b);
	sc_action_format(c->pol.badarch_action, act, sizeof(act));
	sb_add(&b, "other architectures: %s\n", act);
	if (rc == 0 && b.failed)
		rc = -ENOMEM;
	if (rc) {
		free(b.s);
		return rc;
	}
	*out = b.s;
	return 0;
}

int fg_seccomp_explain(const char *src, size_t len, const struct fg_seccomp_opts *opts,
		       char **out, struct fg_diag *diag)
{
	struct fg_seccomp_opts o;
	struct fg_arena a;
	struct sc_ctx c;
	int rc = read_policy(&c, &a, src, len, opts, &o, diag);

	if (rc == 0)
		rc = sc_explain(&c, out);
	fg_arena_destroy(&a);
	return rc;
}
