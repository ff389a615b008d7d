#include "http/auth.h"

#include <microhttpd.h>
#include <semaphore.h>
#include <sodium.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "http/http.h"

static sem_t hashing;
static char dummy_hash[crypto_pwhash_STRBYTES];

enum res auth_init(void)
{
	if (sodium_init() < 0)
		return RES_INTERNAL;
	if (sem_init(&hashing, 0, 2))
		return RES_INTERNAL;
	char pw[AUTH_TOKEN_LEN + 1];
	auth_token_new(pw); /* overwritten below; any value will do */
	if (crypto_pwhash_str(dummy_hash, pw, 16, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return RES_NOMEM;
	return RES_OK;
}

enum res auth_password_hash(const char *pw, size_t n, char out[AUTH_PWHASH_MAX], struct err *e)
{
	_Static_assert(AUTH_PWHASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer too small");
	sem_wait(&hashing);
	int rc = crypto_pwhash_str(out, pw, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
				   crypto_pwhash_MEMLIMIT_INTERACTIVE);
	sem_post(&hashing);
	if (rc)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory while hashing");
	return RES_OK;
}

bool auth_password_verify(const char *hash, const char *pw, size_t n)
{
	sem_wait(&hashing);
	int rc = crypto_pwhash_str_verify(hash ? hash : dummy_hash, pw, n);
	sem_post(&hashing);
	return hash && rc == 0;
}

void auth_token_new(char out[AUTH_TOKEN_LEN + 1])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, AUTH_TOKEN_LEN + 1, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void auth_token_hash(const char *token, size_t n, char out[AUTH_HASH_HEX + 1])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, n, NULL, 0);
	sodium_bin2hex(out, AUTH_HASH_HEX + 1, h, sizeof h);
}

static bool token_shape_ok(const char *t, size_t n)
{
	if (n != AUTH_TOKEN_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

enum res auth_resolve(struct req *r)
{
	struct MHD_Connection *c = r->conn;
	const char *bearer = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, AUTH_COOKIE);
	char hash[AUTH_HASH_HEX + 1];
	int64_t now = clock_now_us();
	enum res res;
	r->auth = AUTH_NONE;

	if (bearer) {
		if (strncmp(bearer, "Bearer ", 7) != 0 || !token_shape_ok(bearer + 7, strlen(bearer + 7)))
			return err_set(&r->err, RES_UNAUTHORIZED, "unauthorized", NULL,
				       "the Authorization header must be \"Bearer <token>\"");
		auth_token_hash(bearer + 7, AUTH_TOKEN_LEN, hash);
		int64_t token_id, last_used;
		if ((res = store_token_lookup(r->db, hash, &r->arena, &r->user, &token_id, &last_used,
					      &r->err)))
			return res;
		r->auth = AUTH_TOKEN;
		/* Last use is informative: refresh it at most once a minute, outside the
		 * request's transaction, and never fail the request over it. */
		if (now - last_used > AUTH_SESSION_TOUCH_US) {
			struct err ignored;
			if (store_token_used(r->db, token_id, now, &ignored))
				LOG_MSG(LOG_DEBUG, "token_touch_failed", ignored.message);
		}
		return RES_OK;
	}
	if (!cookie)
		return RES_OK;
	if (!token_shape_ok(cookie, strlen(cookie)))
		return err_set(&r->err, RES_UNAUTHORIZED, "unauthorized", NULL,
			       "the session has ended, sign in again");
	auth_token_hash(cookie, AUTH_TOKEN_LEN, hash);
	int64_t last_seen;
	const char *csrf;
	if ((res = store_session_lookup(r->db, hash, now, &r->arena, &r->user, &csrf, &last_seen,
					&r->err))) {
		if (res == RES_UNAUTHORIZED)
			err_set(&r->err, RES_UNAUTHORIZED, "unauthorized", NULL,
				"the session has ended, sign in again");
		return res;
	}
	r->auth = AUTH_SESSION;
	r->session_hash = arena_strdup(&r->arena, hash);
	r->csrf = csrf;
	if (!r->session_hash)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	if (now - last_seen > AUTH_SESSION_TOUCH_US) {
		struct err ignored;
		if (store_session_touch(r->db, hash, now, now + AUTH_SESSION_IDLE_US, &ignored))
			LOG_MSG(LOG_DEBUG, "session_touch_failed", ignored.message);
	}
	return RES_OK;
}
