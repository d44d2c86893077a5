/*
 * fuzz_parse.c -- libFuzzer target for the front end: parse the input as a
 * filter expression, dump the tree, and check what fg_parse() promises.
 *
 * Keeps true (abort() otherwise): the result is 0, -EINVAL, -ENOMEM or
 * -E2BIG; an error has a diagnostic inside the source and a message, and
 * no tree; a tree has every node inside the source and no deeper than
 * FG_AST_MAX_DEPTH, and dumps without error.  When the first byte is odd,
 * allocation fails after a budget taken from the second byte, so the
 * out-of-memory paths are fuzzed too (ASan reports any leak).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "budget_alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void check_tree(const struct fg_node *n, size_t len, unsigned level)
{
	if (!n || n->loc.off + n->loc.len > len || n->depth == 0 || level > FG_AST_MAX_DEPTH)
		abort();
	switch (n->kind) {
	case FG_N_AND:
	case FG_N_OR:
	case FG_N_NOT:
	case FG_N_NEG:
		if (n->u.list.nkids == 0 || (n->kind != FG_N_NOT && n->kind != FG_N_NEG &&
					     n->u.list.nkids < 2))
			abort();
		for (size_t i = 0; i < n->u.list.nkids; i++)
			check_tree(n->u.list.kids[i], len, level + 1);
		break;
	case FG_N_REL:
		check_tree(n->u.rel.lhs, len, level + 1);
		check_tree(n->u.rel.rhs, len, level + 1);
		break;
	case FG_N_BINOP:
		check_tree(n->u.bin.lhs, len, level + 1);
		check_tree(n->u.bin.rhs, len, level + 1);
		break;
	case FG_N_LOAD:
		check_tree(n->u.load.index, len, level + 1);
		break;
	case FG_N_ID:
		if (n->u.id.v.at.off + n->u.id.v.at.len > len || !n->u.id.v.text)
			abort();
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[1 << 16];
	struct fg_arena a;
	struct fg_node *n = NULL;
	struct fg_diag d;
	long budget = 0;
	int rc;

	if (size >= 2 && (data[0] & 1)) {
		budget = data[1];
		fg_arena_init(&a, budget_alloc, &budget);
		data += 2, size -= 2;
	} else {
		fg_arena_init(&a, NULL, NULL);
	}
	memset(&d, 0, sizeof(d));
	rc = fg_parse(&a, (const char *)data, size, &n, &d);
	if (rc == 0) {
		if (n) {
			check_tree(n, size, 1);
			rc = fg_ast_dump(n, buf, sizeof(buf));
			if (rc < 0 && rc != -ENOSPC)
				abort();
		}
	} else if (rc == -EINVAL || rc == -E2BIG || rc == -ENOMEM) {
		if (n || (rc != -ENOMEM && (d.offset + d.length > size || !d.msg[0])))
			abort();
	} else {
		abort();
	}
	fg_arena_destroy(&a);
	return 0;
}
