/*
 * parse_conformance_t.c -- the front end against libpcap's own test suite
 * ($PFC_SHARED/conformance): every expression libpcap compiles
 * (accept.tsv) must parse, and no expression libpcap rejects with a syntax
 * error (reject.tsv, errstr "syntax error", "illegal token", bad numbers or
 * addresses) may parse.  Rows are asserted one by one but reported one TAP
 * line per 50 rows, with each failing row as a '#' diagnostic.  How many
 * of reject.tsv's other rows already fail here is printed for information.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "tap.h"

#define BATCH 50

struct table {
	char **rows;		/* lines, header first, tabs split later */
	size_t n;
};

static int read_table(const char *path, struct table *t)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	t->rows = NULL;
	t->n = 0;
	if (!f)
		return -errno;
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		t->rows = realloc(t->rows, (t->n + 1) * sizeof(*t->rows));
		t->rows[t->n++] = strdup(line);
	}
	free(line);
	fclose(f);
	return 0;
}

static void free_table(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->rows[i]);
	free(t->rows);
}

/* Column col (0-based) of a tab-separated row, copied into buf. */
static const char *field(const char *row, int col, char *buf, size_t size)
{
	const char *p = row;
	size_t n;

	for (int i = 0; i < col && p; i++) {
		p = strchr(p, '\t');
		if (p)
			p++;
	}
	if (!p)
		return NULL;
	n = strcspn(p, "\t");
	if (n >= size)
		n = size - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

static int column(const char *header, const char *name)
{
	char buf[64];

	for (int i = 0; field(header, i, buf, sizeof(buf)); i++)
		if (strcmp(buf, name) == 0)
			return i;
	return -1;
}

static int parse(const char *expr, struct fg_diag *d)
{
	struct fg_arena a;
	struct fg_node *n;
	int rc;

	fg_arena_init(&a, NULL, NULL);
	memset(d, 0, sizeof(*d));
	rc = fg_parse(&a, expr, strlen(expr), &n, d);
	fg_arena_destroy(&a);
	return rc;
}

static void check_accept(const char *dir)
{
	char path[4200], expr[8192], name[256];
	struct table t;
	size_t ok = 0, total = 0, batch_fail = 0, first = 1;
	int ce, cn;

	snprintf(path, sizeof(path), "%s/accept.tsv", dir);
	if (read_table(path, &t) < 0 || t.n == 0) {
		tap_skip("no %s", path);
		return;
	}
	ce = column(t.rows[0], "expression");
	cn = column(t.rows[0], "name");
	for (size_t i = 1; i < t.n; i++) {
		struct fg_diag d;
		int rc;

		if (!field(t.rows[i], ce, expr, sizeof(expr)) || expr[0] == '_')
			continue;	/* special rows, e.g. _enumerate_bpf_image */
		total++;
		rc = parse(expr, &d);
		if (rc == 0) {
			ok++;
		} else {
			batch_fail++;
			tap_diag("accept.tsv line %zu (%s): '%s' -> %d at %zu+%zu: %s", i + 1,
				 field(t.rows[i], cn, name, sizeof(name)), expr, rc, d.offset,
				 d.length, d.msg);
		}
		if (total % BATCH == 0 || i == t.n - 1) {
			tap_ok(batch_fail == 0, "accept.tsv rows %zu-%zu parse", first, total);
			first = total + 1;
			batch_fail = 0;
		}
	}
	tap_ok(ok == total && total > 0, "accept.tsv: %zu of %zu expressions parse", ok, total);
	free_table(&t);
}

/* errstr values that libpcap's scanner or grammar produce. */
static int is_syntax_error(const char *errstr)
{
	static const char *const pats[] = {
		"syntax error", "illegal token", "invalid Ethernet address",
		"contains non-octal digit", "overflows 32 bits", "invalid IPv6 address",
		"data size must be", "invalid 802.11", "unknown 802.11", "unknown PF ",
		"qualifier applied to IPv", NULL,
	};

	for (int i = 0; pats[i]; i++)
		if (strstr(errstr, pats[i]))
			return 1;
	return 0;
}

static void check_reject(const char *dir)
{
	char path[4200], expr[8192], err[1024];
	struct table t;
	size_t syn = 0, syn_ok = 0, other = 0, other_fail = 0, batch_fail = 0, first = 1;
	int ce, cerr;

	snprintf(path, sizeof(path), "%s/reject.tsv", dir);
	if (read_table(path, &t) < 0 || t.n == 0) {
		tap_skip("no %s", path);
		return;
	}
	ce = column(t.rows[0], "expression");
	cerr = column(t.rows[0], "errstr");
	for (size_t i = 1; i < t.n; i++) {
		struct fg_diag d;
		int rc;

		if (!field(t.rows[i], ce, expr, sizeof(expr)) ||
		    !field(t.rows[i], cerr, err, sizeof(err)))
			continue;
		rc = parse(expr, &d);
		if (!is_syntax_error(err)) {
			other++;
			other_fail += rc != 0;
			continue;
		}
		syn++;
		if (rc != 0) {
			syn_ok++;
		} else {
			batch_fail++;
			tap_diag("reject.tsv line %zu: '%s' parses, libpcap says: %s", i + 1, expr, err);
		}
		if (syn % BATCH == 0) {
			tap_ok(batch_fail == 0, "reject.tsv syntax-error rows %zu-%zu do not parse",
			       first, syn);
			first = syn + 1;
			batch_fail = 0;
		}
	}
	if (syn % BATCH)
		tap_ok(batch_fail == 0, "reject.tsv syntax-error rows %zu-%zu do not parse", first, syn);
	tap_ok(syn_ok == syn && syn > 0, "reject.tsv: all %zu syntax-error rows fail to parse", syn);
	tap_diag("reject.tsv: %zu of the %zu other rows (semantic errors) already fail at the parse stage",
		 other_fail, other);
	free_table(&t);
}

int main(void)
{
	const char *shared = getenv("PFC_SHARED");
	char dir[4096];

	if (!shared || !*shared) {
		tap_skip("PFC_SHARED is not set");
		return tap_done();
	}
	snprintf(dir, sizeof(dir), "%s/conformance", shared);
	check_accept(dir);
	check_reject(dir);
	return tap_done();
}
