/*
 * fg_int.h -- private declarations shared by the files of src/filtergen:
 * the per-compilation arena and the compile context.
 *
 * Everything a compilation allocates (AST, IR, tables) comes from one arena
 * and is released at once with fg_arena_destroy(); nothing is freed one by
 * one.  The arena's backing allocation goes through a hook so tests can
 * inject out-of-memory.
 */
#ifndef PFC_FG_INT_H
#define PFC_FG_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filtergen.h"

/* Allocation hook: like realloc(ptr, size) with size 0 meaning free. */
typedef void *(*fg_alloc_fn)(void *ud, void *ptr, size_t size);

struct fg_arena_chunk;

struct fg_arena {
	struct fg_arena_chunk *head;
	fg_alloc_fn alloc;
	void *ud;
	bool failed;		/* an allocation failed: the compilation ends with -ENOMEM */
};

/* alloc may be NULL for the C library's allocator. */
void fg_arena_init(struct fg_arena *a, fg_alloc_fn alloc, void *ud);
void fg_arena_destroy(struct fg_arena *a);
/* Zeroed, 16-byte aligned memory, or NULL (and a->failed set). */
void *fg_arena_alloc(struct fg_arena *a, size_t size);
/* Grow an arena array to hold at least want elements; returns 0 or -ENOMEM. */
int fg_arena_grow(struct fg_arena *a, void **arr, size_t *cap, size_t want, size_t elem);
char *fg_arena_strndup(struct fg_arena *a, const char *s, size_t n);

/* Fill diag (when not NULL) with a message about source bytes [off, off+len). */
void fg_diag_set(struct fg_diag *diag, size_t off, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* PFC_FG_INT_H */
