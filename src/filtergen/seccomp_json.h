/*
 * seccomp_json.h -- a small JSON reader (RFC 8259) for OCI seccomp
 * profiles: the whole document becomes a tree in the compilation's arena,
 * every value keeping its position in the source for diagnostics.
 */
#ifndef PFC_FG_SECCOMP_JSON_H
#define PFC_FG_SECCOMP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fg_int.h"

enum sc_jkind { SC_J_NULL, SC_J_BOOL, SC_J_NUM, SC_J_STR, SC_J_ARR, SC_J_OBJ };

struct sc_json {
	enum sc_jkind kind;
	size_t off, len;		/* the value's text */
	bool b;
	bool neg;			/* a number below zero */
	bool integer;			/* a number without fraction or exponent that fits 64 bits */
	uint64_t u;			/* the integer's magnitude */
	const char *s;			/* SC_J_STR: decoded, NUL-terminated */
	size_t slen;
	const char *key;		/* member of an object: its name */
	size_t key_off, key_len;
	struct sc_json *child;		/* first element or member */
	struct sc_json *next;		/* next sibling */
};

/* Parse len bytes; 0 and *root, or -EINVAL (diag: position) / -ENOMEM. */
int sc_json_parse(struct fg_arena *a, const char *src, size_t len, struct sc_json **root,
		  struct fg_diag *diag);
/* A member of an object by name, or NULL. */
const struct sc_json *sc_json_get(const struct sc_json *obj, const char *key);

#endif /* PFC_FG_SECCOMP_JSON_H */
