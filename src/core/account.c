#include "core/account.h"

#include <string.h>

static bool login_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '@' || c == '-';
}

const char *account_login_normalize(const char *s, size_t n, char out[ACCOUNT_LOGIN_MAX + 1])
{
	if (n < 2)
		return "must be at least 2 characters";
	if (n > ACCOUNT_LOGIN_MAX)
		return "must be at most 64 characters";
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!login_char(c))
			return "may contain only letters a-z, digits and . _ @ -";
		out[i] = c;
	}
	out[n] = '\0';
	if (!((out[0] >= 'a' && out[0] <= 'z') || (out[0] >= '0' && out[0] <= '9')))
		return "must start with a letter or a digit";
	return NULL;
}

const char *account_password_check(const char *s, size_t n)
{
	if (n > ACCOUNT_PASSWORD_MAX)
		return "must be at most 256 bytes";
	size_t cps = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return "must not contain control characters";
		if ((c & 0xc0) != 0x80)
			cps++;
	}
	if (cps < ACCOUNT_PASSWORD_MIN)
		return "must be at least 8 characters";
	return NULL;
}

bool account_language_valid(const char *s, size_t n)
{
	return n == 2 && (memcmp(s, "en", 2) == 0 || memcmp(s, "ru", 2) == 0 ||
			  memcmp(s, "zh", 2) == 0);
}
