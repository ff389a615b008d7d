/* Masking of personal data before it goes anywhere but the database
 * (logs, error messages). Each writes a NUL-terminated result into out[cap]
 * and never reveals more than a first character or the last digits. */
#ifndef ASSIST_MASK_H
#define ASSIST_MASK_H

#include <stddef.h>

/* "Иванов" -> "И*****": the first code point, then one '*' per code point (max 8). */
void mask_name(const char *s, size_t n, char *out, size_t cap);
/* "+79161234567" -> "+7********67": leading '+' and first digit, the last two digits. */
void mask_phone(const char *s, size_t n, char *out, size_t cap);
/* "ivan.petrov@mail.ru" -> "i***@mail.ru" */
void mask_email(const char *s, size_t n, char *out, size_t cap);

#endif
