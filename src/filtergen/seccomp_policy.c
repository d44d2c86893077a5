/*
 * seccomp_policy.c -- the reader of pfc's seccomp policy language
 * (pfc-seccomp(5)): a scanner and a recursive-descent parser that fill in
 * struct sc_policy.
 *
 * Statements need no terminator (an optional ';' is allowed): each starts
 * with a keyword (arch, default, badarch, define, group) or an action, and
 * syscall lists and conditions end where their continuation tokens (',',
 * '&&', '||', an operator) stop.  Newlines are plain white space.
 * Keeps true: every error has the position of the offending token and says
 * what was expected; names used in conditions and lists are resolved
 * (defines, groups) here, syscall names per architecture only at lowering.
 */
#define _GNU_SOURCE 1	/* strerrorname_np */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp_int.h"

enum tok { T_EOF, T_NAME, T_NUM, T_PUNCT };

struct define {
	const char *name;
	uint64_t value;
	struct define *next;
};

struct group {
	const char *name;
	struct sc_name *names;
	size_t n;
	struct group *next;
};

struct parser {
	struct sc_ctx *c;
	size_t pos;		/* scanner position */
	enum tok t;		/* current token */
	size_t off, len;	/* its text */
	size_t prev_end;	/* end of the token before it */
	uint64_t num;
	struct define *defines;
	struct group *groups;
	unsigned nest;		/* '(' and '!' being parsed, for the stack's sake */
	int err;
};

/* ---- scanner ---- */

static const char *const puncts[] = { "&&", "||", "==", "!=", "<=", ">=", "..",
				      "<", ">", "!", "&", "(", ")", "{", "}", ",", ";",
				      "=", "@", "-" };

static void skip_space(struct parser *p)
{
	const char *s = p->c->src;

	while (p->pos < p->c->len) {
		if (isspace((unsigned char)s[p->pos])) {
			p->pos++;
		} else if (s[p->pos] == '#') {
			while (p->pos < p->c->len && s[p->pos] != '\n')
				p->pos++;
		} else {
			break;
		}
	}
}

static int error(struct parser *p, size_t off, size_t len, const char *fmt, const char *what)
{
	if (!p->err) {
		fg_diag_set(p->c->diag, off, len, fmt, what);
		p->err = -EINVAL;
	}
	return p->err;
}

static int scan_number(struct parser *p)
{
	const char *s = p->c->src, *start = s + p->pos;
	char buf[40];
	size_t n = 0;
	char *end;

	while (p->pos + n < p->c->len && isalnum((unsigned char)start[n]) && n < sizeof(buf) - 1)
		n++;
	memcpy(buf, start, n);
	buf[n] = '\0';
	errno = 0;
	p->num = strtoull(buf, &end, 0);
	p->t = T_NUM;
	p->off = p->pos;
	p->len = n;
	p->pos += n;
	if (*end || errno)
		return error(p, p->off, n, "'%s' is not a valid number", buf);
	return 0;
}

static int next(struct parser *p)
{
	const char *s = p->c->src;
	size_t i;

	p->prev_end = p->off + p->len;
	skip_space(p);
	p->off = p->pos;
	if (p->pos >= p->c->len) {
		p->t = T_EOF;
		p->len = 0;
		return 0;
	}
	if (isdigit((unsigned char)s[p->pos]))
		return scan_number(p);
	if (isalpha((unsigned char)s[p->pos]) || s[p->pos] == '_') {
		while (p->pos < p->c->len && (isalnum((unsigned char)s[p->pos]) || s[p->pos] == '_'))
			p->pos++;
		p->t = T_NAME;
		p->len = p->pos - p->off;
		return 0;
	}
	for (i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++) {
		size_t l = strlen(puncts[i]);

		if (p->pos + l <= p->c->len && memcmp(s + p->pos, puncts[i], l) == 0) {
			p->t = T_PUNCT;
			p->len = l;
			p->pos += l;
			return 0;
		}
	}
	p->len = 1;
	return error(p, p->off, 1, "unexpected character '%s'",
		     (char[]){ s[p->off], '\0' });
}

static bool is(const struct parser *p, const char *text)
{
	return (p->t == T_PUNCT || p->t == T_NAME) && p->len == strlen(text) &&
	       memcmp(p->c->src + p->off, text, p->len) == 0;
}

static const char *tok_text(struct parser *p)
{
	return fg_arena_strndup(p->c->arena, p->c->src + p->off, p->len);
}

/* Expect the punctuation or keyword text, then move on. */
static int expect(struct parser *p, const char *text)
{
	if (!is(p, text)) {
		if (p->t == T_EOF)
			return error(p, p->off, 0, "expected '%s' at the end of the policy", text);
		return error(p, p->off, p->len, "expected '%s' here", text);
	}
	return next(p);
}

/* ---- values ---- */

static const struct define *define_find(const struct parser *p, const char *name, size_t len)
{
	const struct define *d;

	for (d = p->defines; d; d = d->next)
		if (strlen(d->name) == len && memcmp(d->name, name, len) == 0)
			return d;
	return NULL;
}

/* An errno name (EPERM) as its number, or -1. */
static int errno_by_name(const char *name, size_t len)
{
	int e;

	for (e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);

		if (n && strlen(n) == len && memcmp(n, name, len) == 0)
			return e;
	}
	return -1;
}

/* value := NUMBER | '-' NUMBER | NAME (a define, or an errno name) */
static int value(struct parser *p, uint64_t *v)
{
	bool neg = false;
	int e;

	if (is(p, "-")) {
		neg = true;
		if (next(p))
			return p->err;
	}
	if (p->t == T_NUM) {
		*v = neg ? (uint64_t)0 - p->num : p->num;
		return next(p);
	}
	if (p->t == T_NAME && !neg) {
		const struct define *d = define_find(p, p->c->src + p->off, p->len);

		if (d) {
			*v = d->value;
			return next(p);
		}
		e = errno_by_name(p->c->src + p->off, p->len);
		if (e > 0) {
			*v = (uint64_t)e;
			return next(p);
		}
		return error(p, p->off, p->len, "unknown name '%s' (not a define or an errno name)",
			     tok_text(p));
	}
	if (p->t == T_EOF)
		return error(p, p->prev_end, 0, "expected a number at the end of the policy%s", "");
	return error(p, p->off, p->len, "expected a number%s", "");
}

/* ---- actions ---- */

static const struct {
	const char *name;
	uint32_t ret;
	bool data;		/* takes (n) */
} actions[] = {
	{ "allow", SC_RET_ALLOW, false }, { "log", SC_RET_LOG, false },
	{ "kill", SC_RET_KILL_PROCESS, false }, { "kill_process", SC_RET_KILL_PROCESS, false },
	{ "kill_thread", SC_RET_KILL_THREAD, false }, { "trap", SC_RET_TRAP, false },
	{ "user_notif", SC_RET_USER_NOTIF, false }, { "notify", SC_RET_USER_NOTIF, false },
	{ "errno", SC_RET_ERRNO, true }, { "trace", SC_RET_TRACE, true },
};

static int action_index(const struct parser *p)
{
	size_t i;

	if (p->t != T_NAME)
		return -1;
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (is(p, actions[i].name))
			return (int)i;
	return -1;
}

/* action := 'allow' | ... | 'errno' '(' value ')' | 'trace' '(' value ')' */
static int action(struct parser *p, uint32_t *ret)
{
	int i = action_index(p);
	uint64_t v;
	size_t off;

	if (i < 0)
		return error(p, p->off, p->len, "expected an action (allow, errno(N), kill_process, "
			     "kill_thread, trap, trace(N), log, user_notif)%s", "");
	*ret = actions[i].ret;
	if (next(p) || !actions[i].data)
		return p->err;
	if (expect(p, "("))
		return p->err;
	off = p->off;
	if (value(p, &v))
		return p->err;
	if (v > SC_RET_DATA)
		return error(p, off, p->off - off, "%s: the value must be at most 65535",
			     actions[i].name);
	*ret |= (uint32_t)v;
	return expect(p, ")");
}

/* ---- conditions ---- */

static struct sc_expr *expr_new(struct parser *p, enum sc_ekind kind, size_t off)
{
	struct sc_expr *e = fg_arena_alloc(p->c->arena, sizeof(*e));

	if (!e) {
		p->err = -ENOMEM;
		return NULL;
	}
	e->kind = kind;
	e->off = off;
	e->depth = 1;
	return e;
}

/* Give e (with operands l and r, r may be NULL) its depth; NULL when too deep. */
static struct sc_expr *deepen(struct parser *p, struct sc_expr *e, const struct sc_expr *l,
			      const struct sc_expr *r)
{
	e->depth = 1 + (r && r->depth > l->depth ? r->depth : l->depth);
	if (e->depth <= SC_EXPR_MAX_DEPTH)
		return e;
	error(p, e->off, e->len, "condition too deep (more than %s levels of operators)", "1000");
	return NULL;
}

static struct sc_expr *binary(struct parser *p, enum sc_ekind kind, struct sc_expr *l,
			      struct sc_expr *r)
{
	struct sc_expr *e = expr_new(p, kind, l->off);

	if (e) {
		e->l = l;
		e->r = r;
		e->len = r->off + r->len - l->off;
		e = deepen(p, e, l, r);
	}
	return e;
}

static struct sc_expr *cond_or(struct parser *p);

/* An argument name: arg0 .. arg5; -1 if the token is not one. */
static int arg_index(const struct parser *p)
{
	const char *s = p->c->src + p->off;

	if (p->t == T_NAME && p->len == 4 && memcmp(s, "arg", 3) == 0 && s[3] >= '0' && s[3] <= '5')
		return s[3] - '0';
	return -1;
}

static struct sc_expr *cmp_new(struct parser *p, unsigned arg, enum sc_op op, uint64_t a,
			       uint64_t b, size_t off)
{
	struct sc_expr *e = expr_new(p, SC_E_CMP, off);

	if (e) {
		e->arg = arg;
		e->op = op;
		e->a = a;
		e->b = b;
		e->len = p->off > off ? p->off - off : 0;
	}
	return e;
}

/* item := value ['..' value], as an equality or a range test */
static struct sc_expr *set_item(struct parser *p, unsigned arg, size_t off)
{
	uint64_t lo, hi;
	size_t ioff = p->off;

	if (value(p, &lo))
		return NULL;
	if (!is(p, ".."))
		return cmp_new(p, arg, SC_EQ, lo, 0, ioff);
	if (next(p) || value(p, &hi))
		return NULL;
	if (hi < lo) {
		error(p, ioff, p->off - ioff, "empty range%s", "");
		return NULL;
	}
	(void)off;
	return cmp_new(p, arg, SC_RANGE, lo, hi, ioff);
}

/* items[i..j) as a balanced '||' tree: a set of any size stays shallow */
static struct sc_expr *set_tree(struct parser *p, struct sc_expr **items, size_t i, size_t j)
{
	struct sc_expr *l, *r;

	if (j - i == 1)
		return items[i];
	l = set_tree(p, items, i, i + (j - i) / 2);
	r = l ? set_tree(p, items, i + (j - i) / 2, j) : NULL;
	return r ? binary(p, SC_E_OR, l, r) : NULL;
}

/* set := '{' item (',' item)* '}' | item */
static struct sc_expr *in_set(struct parser *p, unsigned arg, size_t off)
{
	struct sc_expr **items = NULL, *e;
	size_t n = 0, cap = 0;

	if (!is(p, "{"))
		return set_item(p, arg, off);
	do {
		if (next(p) || !(e = set_item(p, arg, off)))
			return NULL;
		if (fg_arena_grow(p->c->arena, (void **)&items, &cap, n + 1, sizeof(*items))) {
			p->err = -ENOMEM;
			return NULL;
		}
		items[n++] = e;
	} while (is(p, ","));
	if (expect(p, "}"))
		return NULL;
	e = set_tree(p, items, 0, n);
	if (e) {
		e->off = off;
		e->len = p->off - off;
	}
	return e;
}

static const struct {
	const char *text;
	enum sc_op op;
} cmp_ops[] = {
	{ "==", SC_EQ }, { "!=", SC_NE }, { "<", SC_LT }, { "<=", SC_LE },
	{ ">", SC_GT }, { ">=", SC_GE },
};

/* cmp := ARG op value | ARG '&' value '==' value | ARG 'in' set */
static struct sc_expr *cmp(struct parser *p)
{
	int arg = arg_index(p);
	size_t off = p->off, i;
	uint64_t v, m;

	if (arg < 0) {
		error(p, p->off, p->len, "expected an argument (arg0 .. arg5), '!' or '('%s", "");
		return NULL;
	}
	if (next(p))
		return NULL;
	if (is(p, "in")) {
		if (next(p))
			return NULL;
		return in_set(p, (unsigned)arg, off);
	}
	if (is(p, "&")) {
		if (next(p) || value(p, &m) || expect(p, "==") || value(p, &v))
			return NULL;
		return cmp_new(p, (unsigned)arg, SC_MASKED_EQ, m, v, off);
	}
	for (i = 0; i < sizeof(cmp_ops) / sizeof(cmp_ops[0]); i++) {
		if (is(p, cmp_ops[i].text)) {
			if (next(p) || value(p, &v))
				return NULL;
			return cmp_new(p, (unsigned)arg, cmp_ops[i].op, v, 0, off);
		}
	}
	error(p, p->off, p->len, "expected a comparison (== != < <= > >= & in) after the argument%s",
	      "");
	return NULL;
}

static struct sc_expr *unary_(struct parser *p);

/* unary := '!' unary | '(' cond ')' | cmp */
static struct sc_expr *unary(struct parser *p)
{
	struct sc_expr *e;

	if (++p->nest > SC_EXPR_MAX_DEPTH) {
		error(p, p->off, p->len, "condition too deep (more than %s levels of operators)", "1000");
		return NULL;
	}
	e = unary_(p);
	p->nest--;
	return e;
}

static struct sc_expr *unary_(struct parser *p)
{
	size_t off = p->off;
	struct sc_expr *e;

	if (is(p, "!")) {
		struct sc_expr *n;

		if (next(p) || !(e = unary(p)))
			return NULL;
		n = expr_new(p, SC_E_NOT, off);
		if (n) {
			n->l = e;
			n->len = e->off + e->len - off;
			n = deepen(p, n, e, NULL);
		}
		return n;
	}
	if (is(p, "(")) {
		if (next(p) || !(e = cond_or(p)) || expect(p, ")"))
			return NULL;
		return e;
	}
	return cmp(p);
}

/* and := unary ('&&' unary)* */
static struct sc_expr *cond_and(struct parser *p)
{
	struct sc_expr *l = unary(p), *r;

	while (l && is(p, "&&")) {
		if (next(p) || !(r = unary(p)))
			return NULL;
		l = binary(p, SC_E_AND, l, r);
	}
	return l;
}

/* cond := and ('||' and)* */
static struct sc_expr *cond_or(struct parser *p)
{
	struct sc_expr *l = cond_and(p), *r;

	while (l && is(p, "||")) {
		if (next(p) || !(r = cond_and(p)))
			return NULL;
		l = binary(p, SC_E_OR, l, r);
	}
	return l;
}

/* ---- statements ---- */

static const struct group *group_find(const struct parser *p, const char *name, size_t len)
{
	const struct group *g;

	for (g = p->groups; g; g = g->next)
		if (strlen(g->name) == len && memcmp(g->name, name, len) == 0)
			return g;
	return NULL;
}

static int names_push(struct parser *p, struct sc_name **arr, size_t *n, size_t *cap,
		      const struct sc_name *nm)
{
	if (fg_arena_grow(p->c->arena, (void **)arr, cap, *n + 1, sizeof(**arr)))
		return p->err = -ENOMEM;
	(*arr)[(*n)++] = *nm;
	return 0;
}

/* Edit distance of a and b, capped: enough to suggest a name. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, row[64], prev, tmp;

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = a[i - 1] == b[j - 1] ? prev : 1 + (prev < row[j - 1] ?
				(prev < row[j] ? prev : row[j]) : (row[j - 1] < row[j] ? row[j - 1] : row[j]));
			prev = tmp;
		}
	}
	return row[lb];
}

static int unknown_syscall(struct parser *p, const char *name)
{
	const char *best = NULL;
	size_t bd = 3, i, d;
	int a;

	for (a = 0; a < SC_NARCH; a++)
		for (i = 0; i < sc_systabs[a].n; i++) {
			d = distance(name, sc_systabs[a].e[i].name);
			if (d < bd) {
				bd = d;
				best = sc_systabs[a].e[i].name;
			}
		}
	if (!p->err) {
		if (best)
			fg_diag_set(p->c->diag, p->off, p->len, "unknown syscall '%s'; did you mean '%s'?",
				    name, best);
		else
			fg_diag_set(p->c->diag, p->off, p->len, "unknown syscall '%s'", name);
		p->err = -EINVAL;
	}
	return p->err;
}

/* sysitem := NAME | '@' NAME, appended to arr */
static int sys_item(struct parser *p, struct sc_name **arr, size_t *n, size_t *cap)
{
	struct sc_name nm;
	size_t i;

	if (is(p, "@")) {
		const struct group *g;

		if (next(p))
			return p->err;
		g = p->t == T_NAME ? group_find(p, p->c->src + p->off, p->len) : NULL;
		if (!g)
			return error(p, p->off, p->len, "unknown group '%s'", tok_text(p));
		for (i = 0; i < g->n; i++)
			if (names_push(p, arr, n, cap, &g->names[i]))
				return p->err;
		return next(p);
	}
	if (p->t != T_NAME)
		return error(p, p->off, p->len, "expected a syscall name or @group%s", "");
	nm.name = tok_text(p);
	nm.off = p->off;
	nm.len = p->len;
	if (!nm.name)
		return p->err = -ENOMEM;
	if (!sc_sys_known(nm.name))
		return unknown_syscall(p, nm.name);
	if (names_push(p, arr, n, cap, &nm))
		return p->err;
	return next(p);
}

/* syslist := sysitem (',' sysitem)* */
static int sys_list(struct parser *p, struct sc_name **arr, size_t *n)
{
	size_t cap = 0;

	*arr = NULL;
	*n = 0;
	if (sys_item(p, arr, n, &cap))
		return p->err;
	while (is(p, ",")) {
		if (next(p) || sys_item(p, arr, n, &cap))
			return p->err;
	}
	return 0;
}

/* rule := action syslist ['if' cond] */
static int rule(struct parser *p)
{
	size_t off = p->off;
	struct sc_rule *r;
	uint32_t act;

	if (action(p, &act))
		return p->err;
	r = sc_rule_add(p->c);
	if (!r)
		return p->err = -ENOMEM;
	r->action = act;
	r->off = off;
	if (sys_list(p, &r->names, &r->nnames))
		return p->err;
	if (is(p, "if")) {
		if (next(p))
			return p->err;
		r->cond = cond_or(p);
		if (!r->cond)
			return p->err ? p->err : -ENOMEM;
	}
	r->len = p->off > off ? p->off - off : 0;
	return 0;
}

/* 'arch' archname (',' archname)* */
static int stmt_arch(struct parser *p)
{
	struct sc_policy *pol = &p->c->pol;
	size_t i;
	int a;

	pol->narches = 0;
	do {
		if (next(p))
			return p->err;
		a = p->t == T_NAME ? sc_arch_lookup(p->c->src + p->off, p->len) : -1;
		if (a < 0)
			return error(p, p->off, p->len, "unknown architecture '%s' (x86_64, i386, x32, "
				     "aarch64)", tok_text(p));
		for (i = 0; i < pol->narches; i++)
			if (pol->arches[i] == (enum sc_arch)a)
				return error(p, p->off, p->len, "architecture '%s' given twice",
					     tok_text(p));
		pol->arches[pol->narches++] = (enum sc_arch)a;
		if (next(p))
			return p->err;
	} while (is(p, ","));
	return 0;
}

/* 'define' NAME '=' value */
static int stmt_define(struct parser *p)
{
	struct define *d = fg_arena_alloc(p->c->arena, sizeof(*d));

	if (!d)
		return p->err = -ENOMEM;
	if (next(p))
		return p->err;
	if (p->t != T_NAME || arg_index(p) >= 0 || action_index(p) >= 0)
		return error(p, p->off, p->len, "expected a name to define%s", "");
	d->name = tok_text(p);
	if (next(p) || expect(p, "=") || value(p, &d->value))
		return p->err;
	d->next = p->defines;
	p->defines = d;
	return 0;
}

/* 'group' NAME '=' syslist */
static int stmt_group(struct parser *p)
{
	struct group *g = fg_arena_alloc(p->c->arena, sizeof(*g));

	if (!g)
		return p->err = -ENOMEM;
	if (next(p))
		return p->err;
	if (p->t != T_NAME)
		return error(p, p->off, p->len, "expected a group name%s", "");
	g->name = tok_text(p);
	if (group_find(p, p->c->src + p->off, p->len))
		return error(p, p->off, p->len, "group '%s' is already defined", g->name);
	if (next(p) || expect(p, "=") || sys_list(p, &g->names, &g->n))
		return p->err;
	g->next = p->groups;
	p->groups = g;
	return 0;
}

static int statement(struct parser *p)
{
	if (is(p, "arch"))
		return stmt_arch(p);
	if (is(p, "default")) {
		if (next(p))
			return p->err;
		return action(p, &p->c->pol.def_action);
	}
	if (is(p, "badarch")) {
		if (next(p))
			return p->err;
		return action(p, &p->c->pol.badarch_action);
	}
	if (is(p, "define"))
		return stmt_define(p);
	if (is(p, "group"))
		return stmt_group(p);
	if (action_index(p) >= 0)
		return rule(p);
	return error(p, p->off, p->len, "expected a statement (arch, default, badarch, define, "
		     "group) or an action%s", "");
}

int sc_policy_parse(struct sc_ctx *c)
{
	struct parser p;

	memset(&p, 0, sizeof(p));
	p.c = c;
	if (next(&p))
		return p.err;
	while (p.t != T_EOF) {
		if (statement(&p))
			return p.err;
		while (is(&p, ";"))
			if (next(&p))
				return p.err;
		if (c->arena->failed)
			return -ENOMEM;
	}
	return c->arena->failed ? -ENOMEM : 0;
}
