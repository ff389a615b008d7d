#include "core/phone.h"

#include <string.h>

bool phone_normalize(const char *s, size_t n, char out[PHONE_E164_MAX + 1])
{
	char d[32];
	size_t nd = 0;
	bool plus = false;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			if (nd >= sizeof d)
				return false;
			d[nd++] = c;
		} else if (c == '+' && nd == 0 && !plus) {
			plus = true;
		} else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' || c == '\t') {
			continue;
		} else {
			return false;
		}
	}
	size_t start = 0;
	if (!plus && nd > 2 && d[0] == '0' && d[1] == '0') {
		plus = true;
		start = 2;
	}
	char buf[32];
	size_t nb = 0;
	if (!plus) {
		if (nd == 11 && d[0] == '8') { /* Russian trunk prefix */
			buf[nb++] = '7';
			start = 1;
		} else if (nd == 10 && d[0] == '9') { /* Russian mobile without a prefix */
			buf[nb++] = '7';
		} else if (nd == 11 && d[0] == '7') {
			/* already 7 + national number */
		} else {
			return false;
		}
	}
	for (size_t i = start; i < nd && nb < sizeof buf; i++)
		buf[nb++] = d[i];
	if (nb < 8 || nb > 15 || buf[0] == '0')
		return false;
	out[0] = '+';
	memcpy(out + 1, buf, nb);
	out[nb + 1] = '\0';
	return true;
}
