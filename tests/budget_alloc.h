/*
 * budget_alloc.h -- an allocation hook for tests (header-only): it behaves
 * like realloc (size 0 frees) until a budget of allocations runs out, then
 * fails, so tests can drive every out-of-memory path of a compilation.
 * ud points to a long holding the budget.
 */
#ifndef PFC_BUDGET_ALLOC_H
#define PFC_BUDGET_ALLOC_H

#include <stdlib.h>

__attribute__((unused))
static void *budget_alloc(void *ud, void *ptr, size_t size)
{
	long *budget = ud;

	if (size == 0) {
		free(ptr);
		return NULL;
	}
	if ((*budget)-- <= 0)
		return NULL;
	return realloc(ptr, size);
}

#endif /* PFC_BUDGET_ALLOC_H */
