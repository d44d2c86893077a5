/*
 * arena.c -- the per-compilation bump allocator.
 *
 * Keeps true: every pointer handed out is 16-byte aligned, zeroed, and lives
 * until fg_arena_destroy(); a failed allocation sets the arena's failed flag
 * (so callers deep in a parse may return NULL and the driver reports
 * -ENOMEM once).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fg_int.h"

#define CHUNK_MIN (64u * 1024u)

struct fg_arena_chunk {
	struct fg_arena_chunk *next;
	size_t used;
	size_t size;
	_Alignas(16) unsigned char data[];
};

static void *libc_alloc(void *ud, void *ptr, size_t size)
{
	(void)ud;
	if (size == 0) {
		free(ptr);
		return NULL;
	}
	return realloc(ptr, size);
}

void fg_arena_init(struct fg_arena *a, fg_alloc_fn alloc, void *ud)
{
	a->head = NULL;
	a->alloc = alloc ? alloc : libc_alloc;
	a->ud = ud;
	a->failed = false;
}

void fg_arena_destroy(struct fg_arena *a)
{
	struct fg_arena_chunk *c = a->head;

	while (c) {
		struct fg_arena_chunk *next = c->next;

		a->alloc(a->ud, c, 0);
		c = next;
	}
	a->head = NULL;
}

static struct fg_arena_chunk *new_chunk(struct fg_arena *a, size_t need)
{
	size_t size = need > CHUNK_MIN ? need : CHUNK_MIN;
	struct fg_arena_chunk *c;

	if (size > SIZE_MAX - sizeof(*c))
		return NULL;
	c = a->alloc(a->ud, NULL, sizeof(*c) + size);
	if (!c)
		return NULL;
	c->next = a->head;
	c->used = 0;
	c->size = size;
	a->head = c;
	return c;
}

void *fg_arena_alloc(struct fg_arena *a, size_t size)
{
	struct fg_arena_chunk *c = a->head;
	size_t rounded = (size + 15u) & ~(size_t)15u;
	void *p;

	if (rounded < size || a->failed) {
		a->failed = true;
		return NULL;
	}
	if (!c || c->size - c->used < rounded) {
		c = new_chunk(a, rounded);
		if (!c) {
			a->failed = true;
			return NULL;
		}
	}
	p = c->data + c->used;
	c->used += rounded;
	memset(p, 0, size);
	return p;
}

int fg_arena_grow(struct fg_arena *a, void **arr, size_t *cap, size_t want, size_t elem)
{
	size_t ncap = *cap ? *cap : 8;
	void *n;

	if (want <= *cap)
		return 0;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2 / elem)
			return -ENOMEM;
		ncap *= 2;
	}
	n = fg_arena_alloc(a, ncap * elem);
	if (!n)
		return -ENOMEM;
	if (*cap)
		memcpy(n, *arr, *cap * elem);
	*arr = n;
	*cap = ncap;
	return 0;
}

char *fg_arena_strndup(struct fg_arena *a, const char *s, size_t n)
{
	char *d = fg_arena_alloc(a, n + 1);

	if (d)
		memcpy(d, s, n);
	return d;
}

void fg_diag_set(struct fg_diag *diag, size_t off, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!diag)
		return;
	diag->offset = off;
	diag->length = len;
	va_start(ap, fmt);
	vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
	va_end(ap);
}
