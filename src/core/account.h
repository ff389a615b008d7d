/* Rules for staff accounts: login names and passwords. */
#ifndef ASSIST_ACCOUNT_H
#define ASSIST_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>

#define ACCOUNT_LOGIN_MAX 64
#define ACCOUNT_PASSWORD_MIN 8     /* code points */
#define ACCOUNT_PASSWORD_MAX 256   /* bytes */
#define ACCOUNT_NAME_MAX 200       /* characters (code points) of a full name */

/* Normalise a login into out[ACCOUNT_LOGIN_MAX + 1]: ASCII letters are lowered.
 * A login is 2..64 of [a-z0-9._@-] starting with a letter or digit.
 * Returns NULL when valid, else a static English reason. */
const char *account_login_normalize(const char *s, size_t n, char out[ACCOUNT_LOGIN_MAX + 1]);
/* Returns NULL when the password is acceptable, else a static reason.
 * The input must be valid UTF-8. */
const char *account_password_check(const char *s, size_t n);
/* UI languages. */
bool account_language_valid(const char *s, size_t n);

#endif
