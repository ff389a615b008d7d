/* SMS routing by number prefix (see route.h). */
#include <string.h>

#include "core/route.h"

static bool is_sep(char c) { return c == ' ' || c == ',' || c == ';' || c == '\t'; }

/* Whether the normalised list s (of length n) already holds prefix p. */
static bool has_prefix(const char *s, size_t n, const char *p, size_t plen)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && s[j] != ' ')
			j++;
		if (j - i == plen && memcmp(s + i, p, plen) == 0)
			return true;
		i = j + 1;
	}
	return false;
}

enum res route_prefixes_normalize(const char *in, char *out, size_t cap, struct err *e)
{
	if (cap == 0)
		return err_set(e, RES_INTERNAL, NULL, NULL, "no room for prefixes");
	size_t len = 0, count = 0;
	out[0] = '\0';
	for (const char *s = in; *s;) {
		while (is_sep(*s))
			s++;
		if (!*s)
			break;
		const char *start = s;
		while (*s && !is_sep(*s))
			s++;
		size_t tl = (size_t)(s - start);
		const char *d = start;
		if (*d == '+')
			d++;
		size_t nd = (size_t)(s - d);
		bool digits = nd >= 1 && nd <= ROUTE_PREFIX_DIGITS;
		for (size_t i = 0; digits && i < nd; i++)
			digits = d[i] >= '0' && d[i] <= '9';
		if (!digits)
			return err_set(e, RES_INVALID, "invalid_field", "prefixes",
				       "\"%.*s\" is not a number prefix: \"+\" and 1 to 15 digits, "
				       "such as +7 or +375",
				       (int)(tl > 40 ? 40 : tl), start);
		char p[ROUTE_PREFIX_DIGITS + 2];
		p[0] = '+';
		memcpy(p + 1, d, nd);
		size_t plen = nd + 1;
		if (has_prefix(out, len, p, plen))
			continue;
		if (++count > ROUTE_PREFIXES_MAX)
			return err_set(e, RES_INVALID, "invalid_field", "prefixes",
				       "at most %d prefixes per connection", ROUTE_PREFIXES_MAX);
		if (len + (len ? 1 : 0) + plen + 1 > cap)
			return err_set(e, RES_INVALID, "invalid_field", "prefixes",
				       "the prefixes are too long");
		if (len)
			out[len++] = ' ';
		memcpy(out + len, p, plen);
		len += plen;
		out[len] = '\0';
	}
	return RES_OK;
}

/* The length of the longest prefix of list that number starts with: 0 for
 * an empty list (a default), -1 when none matches. */
static int match_len(const char *list, const char *number)
{
	if (!list || !*list)
		return 0;
	int best = -1;
	size_t nl = strlen(number);
	for (const char *s = list; *s;) {
		const char *t = strchr(s, ' ');
		size_t pl = t ? (size_t)(t - s) : strlen(s);
		if (pl > 0 && pl <= nl && memcmp(s, number, pl) == 0 && (int)pl > best)
			best = (int)pl;
		s += pl;
		while (*s == ' ')
			s++;
	}
	return best;
}

int route_pick(const struct route_link *links, size_t n, const char *number)
{
	int pick = -1, best = -1;
	if (!number)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int m = match_len(links[i].prefixes, number);
		if (m > best) {
			best = m;
			pick = (int)i;
		}
	}
	return pick;
}
