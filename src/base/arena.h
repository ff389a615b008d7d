/* Region allocator: many small allocations freed in one go. Each HTTP request
 * owns one; everything a handler allocates from it dies when the response has
 * been sent. Allocation returns NULL on out-of-memory (never aborts). */
#ifndef ASSIST_ARENA_H
#define ASSIST_ARENA_H

#include <stddef.h>

struct arena_block;
struct arena {
	struct arena_block *head;
	size_t block_size;  /* size of new ordinary blocks */
	size_t total;       /* bytes taken from malloc, for limits */
	size_t max_total;   /* 0 = unlimited */
};

void arena_init(struct arena *a, size_t block_size, size_t max_total);
void arena_free(struct arena *a);                 /* releases every block */
void *arena_alloc(struct arena *a, size_t n);     /* 16-byte aligned, NULL on OOM */
void *arena_zalloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n); /* NUL-terminated */
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Test hook: the Nth call from now to the checked allocator fails (0 = off).
 * Used by unit tests to walk out-of-memory paths (SQLite-style fault simulation). */
void mem_fail_after(long n);
void *mem_alloc(size_t n); /* malloc that honours mem_fail_after */

#endif
