/* Growable byte buffer with a hard maximum (after curl's dynbuf). Always
 * NUL-terminated so it can be handed to C string functions. */
#ifndef ASSIST_BUF_H
#define ASSIST_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct buf {
	char *data;   /* owned, malloc'd; NULL until the first append */
	size_t len, cap;
	size_t max;   /* appends that would pass it fail with RES_TOO_LARGE */
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
enum res buf_append(struct buf *b, const void *p, size_t n) WUR;
enum res buf_puts(struct buf *b, const char *s) WUR;
enum res buf_printf(struct buf *b, const char *fmt, ...) WUR __attribute__((format(printf, 2, 3)));
/* Append s as the inside of a JSON string (quotes not included). */
enum res buf_json_str(struct buf *b, const char *s, size_t n) WUR;

#endif
