#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static enum res buf_reserve(struct buf *b, size_t n)
{
	if (n > b->max || b->len > b->max - n)
		return RES_TOO_LARGE;
	size_t need = b->len + n + 1;
	if (need <= b->cap)
		return RES_OK;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	char *p = mem_alloc(cap);
	if (!p)
		return RES_NOMEM;
	if (b->data) {
		memcpy(p, b->data, b->len + 1);
		free(b->data);
	}
	b->data = p;
	b->cap = cap;
	return RES_OK;
}

enum res buf_append(struct buf *b, const void *p, size_t n)
{
	enum res r = buf_reserve(b, n);
	if (r)
		return r;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return RES_OK;
}

enum res buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

enum res buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return RES_INTERNAL;
	enum res r = buf_reserve(b, (size_t)n);
	if (r)
		return r;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return RES_OK;
}

enum res buf_json_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		const char *out = NULL;
		size_t outn = 2;
		switch (c) {
		case '"': out = "\\\""; break;
		case '\\': out = "\\\\"; break;
		case '\n': out = "\\n"; break;
		case '\r': out = "\\r"; break;
		case '\t': out = "\\t"; break;
		default:
			if (c < 0x20 || c == 0x7f) {
				esc[0] = '\\'; esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
				esc[4] = hex[c >> 4]; esc[5] = hex[c & 15]; esc[6] = 0;
				out = esc;
				outn = 6;
			}
		}
		enum res r = out ? buf_append(b, out, outn) : buf_append(b, &s[i], 1);
		if (r)
			return r;
	}
	return RES_OK;
}
