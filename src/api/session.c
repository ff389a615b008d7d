/* POST /api/v1/session (sign in) and DELETE /api/v1/session (sign out).
 *
 * A failed sign-in never says whether the login or the password was wrong.
 * Failures are recorded in the database (so several servers share them).
 * Within 15 minutes, 5 failures for one login from one address, 20 for one
 * login from anywhere, or 30 from one address make further attempts answer
 * 429 until the window passes. Counting per login and address first means a
 * stranger cannot lock a colleague out with five wrong guesses from their
 * own machine. A wrong current password on POST /api/v1/me/password counts
 * the same way. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "base/clock.h"
#include "base/log.h"
#include "core/account.h"
#include "core/mask.h"
#include "http/auth.h"

#define THROTTLE_WINDOW_US (15LL * 60 * 1000000)
#define THROTTLE_PER_PAIR 5   /* one login from one address */
#define THROTTLE_PER_LOGIN 20 /* one login from anywhere: guessing spread over addresses */
#define THROTTLE_PER_IP 30    /* one address, any logins */

static void log_signin(struct req *r, const char *event, const char *login)
{
	if (!log_enabled(LOG_INFO))
		return;
	char masked[96];
	mask_name(login, strlen(login), masked, sizeof masked);
	struct logb lb;
	logb_begin(&lb, LOG_INFO, event);
	logb_str(&lb, "req", r->id);
	logb_str(&lb, "login", masked);
	logb_end(&lb);
}

static enum res bad_credentials(struct req *r)
{
	return err_set(&r->err, RES_UNAUTHORIZED, "invalid_credentials", NULL,
		       "the login or the password is wrong");
}

enum res api_signin_throttle(struct req *r, const char *login, int64_t now)
{
	struct login_failures f;
	enum res res = store_login_failure_count(r->db, login, r->client_ip,
						 now - THROTTLE_WINDOW_US, &f, &r->err);
	if (res)
		return res;
	int64_t wait_s;
	if (f.by_pair >= THROTTLE_PER_PAIR)
		wait_s = (f.oldest_pair + THROTTLE_WINDOW_US - now) / 1000000 + 1;
	else if (f.by_login >= THROTTLE_PER_LOGIN)
		wait_s = (f.oldest_login + THROTTLE_WINDOW_US - now) / 1000000 + 1;
	else if (f.by_ip >= THROTTLE_PER_IP)
		wait_s = THROTTLE_WINDOW_US / 1000000;
	else
		return RES_OK;
	if (wait_s < 1)
		wait_s = 1;
	char *ra = arena_printf(&r->arena, "%" PRId64, wait_s);
	if (ra)
		req_add_header(r, "Retry-After", ra);
	log_signin(r, "signin_throttled", login);
	return err_set(&r->err, RES_TOO_MANY, "too_many_attempts", NULL,
		       "too many failed sign-ins; try again in %" PRId64 " seconds", wait_s);
}

enum res api_signin_failed(struct req *r, const char *login, int64_t now)
{
	enum res res = store_login_failure_add(r->db, login, r->client_ip, now, &r->err);
	if (!res)
		log_signin(r, "signin_failed", login);
	return res;
}

enum res api_session_create(struct req *r)
{
	static const char *const allowed[] = {"login", "password", NULL};
	const char *login_in, *password;
	enum res res;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", allowed, &r->err)) ||
	    (res = jd_str(r->json, "login", true, 256, &login_in, NULL, &r->err)) ||
	    (res = jd_str(r->json, "password", true, 1024, &password, NULL, &r->err)))
		return res;
	size_t pw_len = strlen(password);

	char login[ACCOUNT_LOGIN_MAX + 1];
	if (account_login_normalize(login_in, strlen(login_in), login)) {
		/* cannot be anybody's login: spend the same time as a real check */
		auth_password_verify(NULL, password, pw_len);
		return bad_credentials(r);
	}

	int64_t now = clock_now_us();
	if ((res = api_signin_throttle(r, login, now)))
		return res;

	struct user u;
	res = store_user_get_by_login(r->db, login, &r->arena, &u, &r->err);
	if (res && res != RES_NOT_FOUND)
		return res;
	bool found = res == RES_OK;
	/* argon2id takes ~0.1 s: verify outside any transaction */
	bool ok = auth_password_verify(found ? u.password_hash : NULL, password, pw_len);
	if (!ok || (found && u.disabled)) {
		err_clear(&r->err);
		if ((res = api_signin_failed(r, login, now)))
			return res;
		return bad_credentials(r);
	}

	char token[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_HEX + 1], csrf[AUTH_TOKEN_LEN + 1];
	auth_token_new(token);
	auth_token_new(csrf);
	auth_token_hash(token, AUTH_TOKEN_LEN, hash);
	if ((res = api_begin(r, true)) ||
	    (res = store_login_failure_clear(r->db, login, &r->err)) ||
	    (res = store_session_create(r->db, hash, u.id, csrf, now, now + AUTH_SESSION_IDLE_US,
					&r->err)))
		return res;
	r->auth = AUTH_SESSION; /* so the audit names the user */
	r->user = u;
	if ((res = req_audit(r, "login", "user", u.id, NULL, NULL)))
		return res;

	char *cookie = arena_printf(&r->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s",
				    AUTH_COOKIE, token, r->tls ? "; Secure" : "");
	if (!cookie)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	req_add_header(r, "Set-Cookie", cookie);
	log_signin(r, "signin", login);
	return req_json(r, 200, json_pack("{s:s, s:o}", "csrf_token", csrf, "user", api_user_json(&u)));
}

enum res api_session_delete(struct req *r)
{
	enum res res;
	if (r->auth == AUTH_SESSION &&
	    (res = store_session_delete(r->db, r->session_hash, &r->err)))
		return res;
	if ((res = req_audit(r, "logout", "user", r->user.id, NULL, NULL)))
		return res;
	char *cookie = arena_printf(&r->arena, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
				    AUTH_COOKIE, r->tls ? "; Secure" : "");
	if (cookie)
		req_add_header(r, "Set-Cookie", cookie);
	return req_empty(r, 204);
}
