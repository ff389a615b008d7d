#include "core/mask.h"

#include <string.h>

static size_t cp_len(unsigned char c)
{
	if (c < 0x80) return 1;
	if ((c & 0xe0) == 0xc0) return 2;
	if ((c & 0xf0) == 0xe0) return 3;
	if ((c & 0xf8) == 0xf0) return 4;
	return 1;
}

static void out_put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
	if (*o + n + 1 > cap)
		return;
	memcpy(out + *o, s, n);
	*o += n;
	out[*o] = '\0';
}

void mask_name(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	if (!cap)
		return;
	out[0] = '\0';
	if (!n)
		return;
	size_t first = cp_len((unsigned char)s[0]);
	if (first > n)
		first = n;
	out_put(out, cap, &o, s, first);
	size_t stars = 0;
	for (size_t i = first; i < n; i += cp_len((unsigned char)s[i]))
		stars++;
	if (stars > 8)
		stars = 8;
	while (stars--)
		out_put(out, cap, &o, "*", 1);
}

void mask_phone(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	if (!cap)
		return;
	out[0] = '\0';
	char digits[32];
	size_t nd = 0;
	for (size_t i = 0; i < n && nd < sizeof digits; i++)
		if (s[i] >= '0' && s[i] <= '9')
			digits[nd++] = s[i];
	if (n && s[0] == '+')
		out_put(out, cap, &o, "+", 1);
	if (nd < 4) {
		for (size_t i = 0; i < nd; i++)
			out_put(out, cap, &o, "*", 1);
		return;
	}
	out_put(out, cap, &o, digits, 1);
	for (size_t i = 1; i < nd - 2; i++)
		out_put(out, cap, &o, "*", 1);
	out_put(out, cap, &o, digits + nd - 2, 2);
}

void mask_email(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	if (!cap)
		return;
	out[0] = '\0';
	const char *at = memchr(s, '@', n);
	if (!at) {
		mask_name(s, n, out, cap);
		return;
	}
	if (at > s)
		out_put(out, cap, &o, s, cp_len((unsigned char)s[0]) <= (size_t)(at - s) ? cp_len((unsigned char)s[0]) : 1);
	out_put(out, cap, &o, "***", 3);
	out_put(out, cap, &o, at, n - (size_t)(at - s));
}
