/*
 * seccomp_json.c -- a small JSON reader for OCI seccomp profiles.
 *
 * Recursive descent over RFC 8259: objects, arrays, strings (with \u
 * escapes, surrogate pairs, UTF-8 out), numbers, true/false/null.  Nesting
 * is bounded (JSON_MAX_DEPTH) so a hostile profile cannot exhaust the
 * stack.  Numbers keep their exact integer value when they have one.
 * Keeps true: the tree is arena memory; every error has a position.
 */
#include <errno.h>
#include <string.h>

#include "seccomp_json.h"

#define JSON_MAX_DEPTH 64

struct jp {
	struct fg_arena *a;
	const char *s;
	size_t len, pos;
	struct fg_diag *diag;
	int err;
};

static int jerr(struct jp *p, size_t off, size_t len, const char *msg)
{
	if (!p->err) {
		fg_diag_set(p->diag, off, len, "%s", msg);
		p->err = -EINVAL;
	}
	return p->err;
}

static void ws(struct jp *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
}

static int value(struct jp *p, struct sc_json *v, int depth);

static int hex4(struct jp *p, unsigned *out)
{
	unsigned v = 0, i;

	if (p->pos + 4 > p->len)
		return jerr(p, p->pos, 0, "truncated \\u escape");
	for (i = 0; i < 4; i++) {
		char c = p->s[p->pos + i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return jerr(p, p->pos + i, 1, "bad hex digit in \\u escape");
	}
	p->pos += 4;
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int escape(struct jp *p, char *o, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	unsigned cp, lo;

	if (p->pos >= p->len)
		return jerr(p, p->pos, 0, "unterminated string");
	e = strchr(from, p->s[p->pos]);
	if (e && *e) {
		o[(*n)++] = to[e - from];
		p->pos++;
		return 0;
	}
	if (p->s[p->pos] != 'u')
		return jerr(p, p->pos - 1, 2, "unknown escape in string");
	p->pos++;
	if (hex4(p, &cp))
		return p->err;
	if (cp >= 0xd800 && cp < 0xdc00 && p->pos + 6 <= p->len && p->s[p->pos] == '\\' &&
	    p->s[p->pos + 1] == 'u') {
		p->pos += 2;
		if (hex4(p, &lo))
			return p->err;
		if (lo < 0xdc00 || lo > 0xdfff)
			return jerr(p, p->pos - 6, 6, "bad surrogate pair");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	*n += put_utf8(o + *n, cp);
	return 0;
}

/* A string starting at the opening quote; decoded into arena memory. */
static int string(struct jp *p, const char **out, size_t *outlen)
{
	size_t start = p->pos++, n = 0;
	char *o;

	/* the decoded text is never longer than the source text */
	o = fg_arena_alloc(p->a, p->len - start + 1);
	if (!o)
		return p->err = -ENOMEM;
	for (;;) {
		unsigned char ch;

		if (p->pos >= p->len)
			return jerr(p, start, 1, "unterminated string");
		ch = (unsigned char)p->s[p->pos++];
		if (ch == '"')
			break;
		if (ch < 0x20)
			return jerr(p, p->pos - 1, 1, "control character in string");
		if (ch == '\\') {
			if (escape(p, o, &n))
				return p->err;
		} else {
			o[n++] = (char)ch;
		}
	}
	o[n] = '\0';
	*out = o;
	*outlen = n;
	return 0;
}

static int number(struct jp *p, struct sc_json *v)
{
	const char *s = p->s;
	size_t start = p->pos;
	bool overflow = false;

	v->kind = SC_J_NUM;
	v->integer = true;
	if (s[p->pos] == '-') {
		v->neg = true;
		p->pos++;
	}
	if (p->pos >= p->len || s[p->pos] < '0' || s[p->pos] > '9')
		return jerr(p, start, 1, "bad number");
	if (s[p->pos] == '0' && p->pos + 1 < p->len && s[p->pos + 1] >= '0' && s[p->pos + 1] <= '9')
		return jerr(p, start, 2, "numbers must not have leading zeros");
	for (; p->pos < p->len && s[p->pos] >= '0' && s[p->pos] <= '9'; p->pos++) {
		unsigned d = (unsigned)(s[p->pos] - '0');

		if (v->u > (UINT64_MAX - d) / 10)
			overflow = true;
		v->u = v->u * 10 + d;
	}
	if (p->pos < p->len && (s[p->pos] == '.' || s[p->pos] == 'e' || s[p->pos] == 'E')) {
		v->integer = false;
		p->pos++;
		while (p->pos < p->len && strchr("0123456789+-eE", s[p->pos]) && s[p->pos])
			p->pos++;
	}
	if (overflow)
		v->integer = false;
	return 0;
}

static int literal(struct jp *p, struct sc_json *v, const char *word, enum sc_jkind kind, bool b)
{
	size_t l = strlen(word);

	if (p->pos + l > p->len || memcmp(p->s + p->pos, word, l) != 0)
		return jerr(p, p->pos, 1, "expected a JSON value");
	v->kind = kind;
	v->b = b;
	p->pos += l;
	return 0;
}

/* The elements of an array or the members of an object, after the opener. */
static int members(struct jp *p, struct sc_json *v, int depth, bool obj)
{
	struct sc_json **tail = &v->child;
	char close = obj ? '}' : ']';

	ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		struct sc_json *m = fg_arena_alloc(p->a, sizeof(*m));

		if (!m)
			return p->err = -ENOMEM;
		ws(p);
		if (obj) {
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return jerr(p, p->pos, 1, "expected a member name in quotes");
			m->key_off = p->pos;
			if (string(p, &m->key, &m->key_len))
				return p->err;
			m->key_len = p->pos - m->key_off;
			ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				return jerr(p, p->pos, 1, "expected ':' after the member name");
			p->pos++;
		}
		if (value(p, m, depth + 1))
			return p->err;
		*tail = m;
		tail = &m->next;
		ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			return 0;
		}
		return jerr(p, p->pos, 1, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int value(struct jp *p, struct sc_json *v, int depth)
{
	int rc;

	ws(p);
	if (depth > JSON_MAX_DEPTH)
		return jerr(p, p->pos, 1, "JSON nested too deeply");
	if (p->pos >= p->len)
		return jerr(p, p->pos, 0, "expected a JSON value at the end of the input");
	v->off = p->pos;
	switch (p->s[p->pos]) {
	case '{':
	case '[':
		v->kind = p->s[p->pos] == '{' ? SC_J_OBJ : SC_J_ARR;
		p->pos++;
		rc = members(p, v, depth, v->kind == SC_J_OBJ);
		break;
	case '"':
		v->kind = SC_J_STR;
		rc = string(p, &v->s, &v->slen);
		break;
	case 't':
		rc = literal(p, v, "true", SC_J_BOOL, true);
		break;
	case 'f':
		rc = literal(p, v, "false", SC_J_BOOL, false);
		break;
	case 'n':
		rc = literal(p, v, "null", SC_J_NULL, false);
		break;
	default:
		rc = number(p, v);
		break;
	}
	v->len = p->pos - v->off;
	return rc;
}

int sc_json_parse(struct fg_arena *a, const char *src, size_t len, struct sc_json **root,
		  struct fg_diag *diag)
{
	struct jp p = { a, src, len, 0, diag, 0 };
	struct sc_json *v = fg_arena_alloc(a, sizeof(*v));

	if (!v)
		return -ENOMEM;
	if (value(&p, v, 0))
		return p.err;
	ws(&p);
	if (p.pos < len)
		return jerr(&p, p.pos, 1, "unexpected text after the JSON document");
	*root = v;
	return 0;
}

const struct sc_json *sc_json_get(const struct sc_json *obj, const char *key)
{
	const struct sc_json *m;

	if (!obj || obj->kind != SC_J_OBJ)
		return NULL;
	for (m = obj->child; m; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m;
	return NULL;
}
