/* Bounded string helpers: parsing numbers from a {ptr,len} range with every
 * error reported, copying with truncation detection, UTF-8 validation. */
#ifndef ASSIST_STR_H
#define ASSIST_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct slice {
	const char *p;
	size_t n;
};

#define SLICE_LIT(s) ((struct slice){(s), sizeof(s) - 1})
struct slice slice_of(const char *s);
bool slice_eq(struct slice a, struct slice b);
bool slice_eq_str(struct slice a, const char *s);

/* Parse a whole range as a decimal int64 (optional leading '-'); no spaces,
 * no '+', no empty input, overflow is an error. */
enum res str_to_i64(const char *p, size_t n, int64_t *out) WUR;
/* Copy src into dst[cap]; returns false (and still terminates) if truncated. */
bool str_copy(char *dst, size_t cap, const char *src);
/* True when p[0..n) is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool str_utf8_valid(const char *p, size_t n);
/* Number of code points in valid UTF-8. */
size_t str_utf8_len(const char *p, size_t n);
/* Constant-time comparison of two equal-length byte strings. */
bool str_ct_eq(const char *a, const char *b, size_t n);

#endif
