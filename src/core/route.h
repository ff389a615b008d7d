/* Routing SMS among several SMSC connections by number prefix (DESIGN.md E).
 * Pure.
 *
 * Each connection lists the E.164 prefixes it takes ("+7 +375"); a
 * connection with none is a default and takes what no prefix claims. A
 * number goes to the connection with the longest prefix it starts with;
 * between equal prefixes (and between defaults), the one listed first wins,
 * so the order of the list is the priority. A number nothing takes has no
 * route. */
#ifndef ASSIST_ROUTE_H
#define ASSIST_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define ROUTE_PREFIXES_MAX 32 /* prefixes of one connection */
#define ROUTE_PREFIX_DIGITS 15 /* E.164 has at most 15 digits */
/* the normalised text: up to 32 x "+" 15 digits, separated by one space */
#define ROUTE_PREFIXES_TEXT_MAX (ROUTE_PREFIXES_MAX * (ROUTE_PREFIX_DIGITS + 2))

struct route_link {
	const char *name;
	const char *prefixes; /* normalised (route_prefixes_normalize); "" = default */
};

/* Normalise what an admin typed: prefixes separated by spaces, commas or
 * semicolons, each an optional "+" then 1..15 digits ("7", "+7", "+375");
 * out becomes "+7 +375" (in the order given, duplicates dropped). Errors
 * name the field `prefixes` and say which prefix is wrong. */
enum res route_prefixes_normalize(const char *in, char *out, size_t cap, struct err *e) WUR;

/* The index of the link that takes number (E.164, "+" and digits), or -1. */
int route_pick(const struct route_link *links, size_t n, const char *number);

#endif
