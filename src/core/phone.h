/* Phone numbers to E.164 ("+79161234567"), as typed by people and written in
 * spreadsheets: spaces, dashes, dots and brackets are dropped; "00" becomes
 * "+"; a Russian national number "8 916 ..." (11 digits starting with 8) or
 * a bare 10-digit number starting with 9 becomes +7. Anything else must
 * already carry its country code. Pure. */
#ifndef ASSIST_PHONE_H
#define ASSIST_PHONE_H

#include <stdbool.h>
#include <stddef.h>

#define PHONE_E164_MAX 16 /* '+' and at most 15 digits */

/* Returns true and writes "+<digits>" into out[PHONE_E164_MAX + 1] when s is
 * a plausible number; false (out = "") when it is not. */
bool phone_normalize(const char *s, size_t n, char out[PHONE_E164_MAX + 1]);

#endif
