/* Credentials: password hashing (argon2id via libsodium), random tokens and
 * their stored hashes, and working out who sent a request. */
#ifndef ASSIST_AUTH_H
#define ASSIST_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct req;

#define AUTH_TOKEN_LEN 43   /* base64url of 32 random bytes, no padding */
#define AUTH_HASH_HEX 64
#define AUTH_PWHASH_MAX 128 /* crypto_pwhash_STRBYTES */
#define AUTH_COOKIE "assist_session"
#define AUTH_SESSION_IDLE_US (12LL * 3600 * 1000000)  /* signed out after 12 h idle */
#define AUTH_SESSION_TOUCH_US (60LL * 1000000)        /* refresh last-seen at most once a minute */

enum res auth_init(void) WUR; /* libsodium and the hashing semaphore */

/* argon2id hash in libsodium's string form. At most two hashes run at once:
 * each takes 64 MiB. */
enum res auth_password_hash(const char *pw, size_t n, char out[AUTH_PWHASH_MAX],
			    struct err *e) WUR;
/* Constant-time verify; hash NULL still spends the same work (for unknown logins). */
bool auth_password_verify(const char *hash, const char *pw, size_t n);

void auth_token_new(char out[AUTH_TOKEN_LEN + 1]);
void auth_token_hash(const char *token, size_t n, char out[AUTH_HASH_HEX + 1]);

/* Fill r->auth and r->user from the session cookie or a Bearer token.
 * RES_OK with AUTH_NONE when the request carries no credentials;
 * RES_UNAUTHORIZED when it carries bad ones. */
enum res auth_resolve(struct req *r) WUR;

#endif
