/* The signed-in user's own account: GET/PATCH /api/v1/me and
 * POST /api/v1/me/password. */
#include <string.h>

#include "api/api.h"
#include "base/clock.h"
#include "core/account.h"
#include "http/auth.h"

enum res api_me_get(struct req *r)
{
	json_t *j = api_user_json(&r->user);
	if (j && r->auth == AUTH_SESSION)
		json_object_set_new(j, "csrf_token", json_string(r->csrf));
	if (j)
		json_object_set_new(j, "auth", json_string(r->auth == AUTH_SESSION ? "session" : "token"));
	return req_json(r, 200, j);
}

enum res api_me_patch(struct req *r)
{
	static const char *const allowed[] = {"language", "full_name", "email", "phone", NULL};
	const char *language = NULL, *full_name = NULL;
	enum res res;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", allowed, &r->err)) ||
	    (res = jd_str(r->json, "language", false, 2, &language, NULL, &r->err)) ||
	    (res = jd_str(r->json, "full_name", false, ACCOUNT_NAME_MAX, &full_name, NULL, &r->err)))
		return res;
	if (language && !account_language_valid(language, strlen(language)))
		return err_set(&r->err, RES_INVALID, "invalid_field", "language",
			       "language must be one of en, ru, zh");
	const char *email = NULL, *phone = NULL;
	bool has_email, has_phone;
	if ((res = api_user_contacts_read(r, &email, &has_email, &phone, &has_phone)))
		return res;
	/* read the user again inside the transaction, under the users lock: the
	 * credentials were read before it began, and an admin may be changing
	 * this user right now */
	struct user before;
	if ((res = store_users_lock(r->db, &r->err)) ||
	    (res = store_user_get(r->db, r->user.id, &r->arena, &before, &r->err)))
		return res;
	struct user after = before;
	if (language)
		after.language = language;
	if (full_name)
		after.full_name = full_name;
	if (has_email)
		after.email = email;
	if (has_phone)
		after.phone = phone;
	int64_t now = clock_now_us();
	after.updated_at = now;
	json_t *bj = api_user_json(&before), *aj = api_user_json(&after);
	res = store_user_update_profile(r->db, &after, now, &r->err);
	if (!res)
		res = req_audit(r, "update", "user", after.id, bj, aj);
	json_decref(bj);
	if (res) {
		json_decref(aj);
		return res;
	}
	return req_json(r, 200, aj);
}

enum res api_me_password(struct req *r)
{
	static const char *const allowed[] = {"current_password", "new_password", NULL};
	const char *cur, *next;
	enum res res;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", allowed, &r->err)) ||
	    (res = jd_str(r->json, "current_password", true, 1024, &cur, NULL, &r->err)) ||
	    (res = jd_str(r->json, "new_password", true, 1024, &next, NULL, &r->err)))
		return res;
	const char *why = account_password_check(next, strlen(next));
	if (why)
		return err_set(&r->err, RES_INVALID, "weak_password", "new_password",
			       "new_password %s", why);
	struct user u;
	int64_t started = clock_now_us();
	if ((res = api_signin_throttle(r, r->user.login, started)) ||
	    (res = store_user_get_by_login(r->db, r->user.login, &r->arena, &u, &r->err)))
		return res;
	if (!auth_password_verify(u.password_hash, cur, strlen(cur))) {
		/* a stolen session must not become a way to guess the password */
		if ((res = api_signin_failed(r, u.login, started)))
			return res;
		return err_set(&r->err, RES_UNPROCESSABLE, "wrong_password", "current_password",
			       "the current password is wrong");
	}
	char hash[AUTH_PWHASH_MAX];
	if ((res = auth_password_hash(next, strlen(next), hash, &r->err)))
		return res;
	int64_t now = clock_now_us();
	if ((res = api_begin(r, true)) ||
	    (res = store_user_set_password(r->db, u.id, hash, now, &r->err)) ||
	    (res = store_session_delete_user(r->db, u.id, &r->err)))
		return res;
	/* every other session ends; this one goes on */
	if (r->auth == AUTH_SESSION &&
	    (res = store_session_create(r->db, r->session_hash, u.id, r->csrf, now,
					now + AUTH_SESSION_IDLE_US, &r->err)))
		return res;
	json_t *after = json_pack("{s:b}", "password_changed", 1);
	res = req_audit(r, "password", "user", u.id, NULL, after);
	json_decref(after);
	if (res)
		return res;
	return req_empty(r, 204);
}
