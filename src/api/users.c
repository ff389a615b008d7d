/* User administration (admin): /api/v1/users and /api/v1/users/{id}.
 * Users are never deleted, since the audit trail names them: DELETE disables. */
#include <string.h>

#include "api/api.h"
#include "base/clock.h"
#include "core/account.h"
#include "core/cases.h"
#include "http/auth.h"

enum res api_users_list(struct req *r)
{
	int64_t limit, offset, total = 0;
	enum res res;
	if ((res = req_paging(r, 50, 500, &limit, &offset)))
		return res;
	struct user *items;
	size_t n;
	if ((res = store_user_list(r->db, limit, offset, &r->arena, &items, &n, &total, &r->err)))
		return res;
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, api_user_json(&items[i]))) {
			json_decref(arr);
			arr = NULL;
		}
	if (!arr)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	return req_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", arr, "total",
					  (json_int_t)total, "limit", (json_int_t)limit, "offset",
					  (json_int_t)offset));
}

static enum res check_role(struct req *r, const char *s, enum role *out)
{
	if (!role_parse(s, strlen(s), out))
		return err_set(&r->err, RES_INVALID, "invalid_field", "role",
			       "role must be one of operator, case_manager, reviewer, finance, "
			       "supervisor, admin");
	return RES_OK;
}

static enum res check_language(struct req *r, const char *s)
{
	if (!account_language_valid(s, strlen(s)))
		return err_set(&r->err, RES_INVALID, "invalid_field", "language",
			       "language must be one of en, ru, zh");
	return RES_OK;
}

static enum res check_password(struct req *r, const char *field, const char *pw)
{
	const char *why = account_password_check(pw, strlen(pw));
	if (why)
		return err_set(&r->err, RES_INVALID, "weak_password", field, "%s %s", field, why);
	return RES_OK;
}

/* "department": a code (a-z, 0-9, _ and -) or null for none. *present
 * tells it was given at all. */
static enum res read_department(struct req *r, const char **out, bool *present)
{
	json_t *j = json_object_get(r->json, "department");
	*present = j != NULL;
	*out = NULL;
	if (!j || json_is_null(j))
		return RES_OK;
	enum res res = jd_str(r->json, "department", false, 64, out, NULL, &r->err);
	if (res)
		return res;
	if (!case_code_valid(*out, strlen(*out), 64))
		return err_set(&r->err, RES_INVALID, "invalid_field", "department",
			       "department must be a code of a-z, 0-9, _ and -");
	return RES_OK;
}

enum res api_users_create(struct req *r)
{
	static const char *const allowed[] = {"login", "full_name", "role", "password", "language",
					      "department", "email", "phone", NULL};
	const char *login_in, *full_name = "", *role_s, *password, *language = "en";
	enum res res;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", allowed, &r->err)) ||
	    (res = jd_str(r->json, "login", true, 256, &login_in, NULL, &r->err)) ||
	    (res = jd_str(r->json, "full_name", false, ACCOUNT_NAME_MAX, &full_name, NULL, &r->err)) ||
	    (res = jd_str(r->json, "role", true, 32, &role_s, NULL, &r->err)) ||
	    (res = jd_str(r->json, "password", true, 1024, &password, NULL, &r->err)) ||
	    (res = jd_str(r->json, "language", false, 2, &language, NULL, &r->err)))
		return res;
	char login[ACCOUNT_LOGIN_MAX + 1];
	const char *why = account_login_normalize(login_in, strlen(login_in), login);
	if (why)
		return err_set(&r->err, RES_INVALID, "invalid_field", "login", "login %s", why);
	struct user u = {.login = login, .full_name = full_name, .language = language};
	bool has_dept;
	if ((res = read_department(r, &u.department, &has_dept)) ||
	    (res = api_user_contacts_read(r, &u.email, NULL, &u.phone, NULL)) ||
	    (res = check_role(r, role_s, &u.role)) || (res = check_language(r, language)) ||
	    (res = check_password(r, "password", password)))
		return res;
	char hash[AUTH_PWHASH_MAX];
	if ((res = auth_password_hash(password, strlen(password), hash, &r->err)))
		return res;
	u.password_hash = hash;
	int64_t now = clock_now_us();
	if ((res = api_begin(r, true)) ||
	    (res = store_user_insert(r->db, &u, now, &u.id, &r->err)))
		return res;
	u.created_at = u.updated_at = now;
	json_t *after = api_user_json(&u);
	res = req_audit(r, "create", "user", u.id, NULL, after);
	if (res) {
		json_decref(after);
		return res;
	}
	return req_json(r, 201, after);
}

enum res api_users_get(struct req *r)
{
	int64_t id;
	struct user u;
	enum res res;
	if ((res = req_param_id(r, 0, &id)) ||
	    (res = store_user_get(r->db, id, &r->arena, &u, &r->err)))
		return res;
	return req_json(r, 200, api_user_json(&u));
}

static const char sql_enabled_admins[] =
	"SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id <> ?";

/* An admin may not lock everybody out: the last enabled admin cannot be
 * disabled or given another role. */
static enum res keep_an_admin(struct req *r, const struct user *before, const struct user *after)
{
	bool was = before->role == ROLE_ADMIN && !before->disabled;
	bool is = after->role == ROLE_ADMIN && !after->disabled;
	if (!was || is)
		return RES_OK;
	struct db_stmt *st;
	enum res res = db_prepare(r->db, sql_enabled_admins, &st, &r->err);
	if (res)
		return res;
	db_bind_i64(st, 1, before->id);
	int64_t others = 0;
	if (store_step(st, &res, &r->err) == DB_ROW)
		others = db_col_i64(st, 0);
	db_reset(st);
	if (res)
		return res;
	if (others == 0)
		return err_set(&r->err, RES_UNPROCESSABLE, "last_admin", after->disabled ? "disabled" : "role",
			       "this is the last enabled admin: make another admin first");
	return RES_OK;
}

/* What a PATCH (or a DELETE) changes; NULL = leave as it is. The email,
 * phone and department are set only when their has_ flag is. */
struct user_change {
	const char *full_name, *role_s, *language;
	const bool *disabled;
	bool has_department, has_email, has_phone;
	const char *department, *email, *phone; /* NULL clears */
	const char *hash;                       /* a new password's hash */
};

static bool str_differs(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") != 0;
}

/* Apply a change to user id inside the open transaction and audit it. */
static enum res apply_change(struct req *r, int64_t id, const struct user_change *c, json_t **out)
{
	const char *hash = c->hash;
	struct user before, after;
	enum res res;
	if ((res = store_users_lock(r->db, &r->err)) ||
	    (res = store_user_get(r->db, id, &r->arena, &before, &r->err)))
		return res;
	after = before;
	if (c->full_name)
		after.full_name = c->full_name;
	if (c->role_s && (res = check_role(r, c->role_s, &after.role)))
		return res;
	if (c->language)
		after.language = c->language;
	if (c->disabled)
		after.disabled = *c->disabled;
	if (c->has_department)
		after.department = c->department;
	if (c->has_email)
		after.email = c->email;
	if (c->has_phone)
		after.phone = c->phone;
	if ((res = keep_an_admin(r, &before, &after)))
		return res;
	bool changed = strcmp(before.full_name, after.full_name) != 0 || before.role != after.role ||
		       strcmp(before.language, after.language) != 0 || before.disabled != after.disabled ||
		       str_differs(before.department, after.department) ||
		       str_differs(before.email, after.email) ||
		       str_differs(before.phone, after.phone);
	if (!changed && !hash) { /* nothing to write, nothing to audit */
		*out = api_user_json(&before);
		return *out ? RES_OK : err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	}
	int64_t now = clock_now_us();
	after.updated_at = now;
	if ((res = store_user_update(r->db, &after, now, &r->err)))
		return res;
	if (hash && (res = store_user_set_password(r->db, id, hash, now, &r->err)))
		return res;
	/* a disabled user, or one whose password an admin reset, is signed out
	 * everywhere; a reset also revokes the user's API tokens, since a reset
	 * usually means the account was exposed */
	if ((after.disabled && !before.disabled) || hash)
		if ((res = store_session_delete_user(r->db, id, &r->err)))
			return res;
	if (hash && (res = store_token_revoke_user(r->db, id, now, &r->err)))
		return res;
	json_t *bj = api_user_json(&before), *aj = api_user_json(&after);
	if (aj && hash)
		json_object_set_new(aj, "password_reset", json_true());
	res = req_audit(r, after.disabled && !before.disabled ? "disable" : "update", "user", id, bj,
			aj);
	json_decref(bj);
	if (aj)
		json_object_del(aj, "password_reset");
	if (res) {
		json_decref(aj);
		return res;
	}
	*out = aj;
	return RES_OK;
}

enum res api_users_patch(struct req *r)
{
	static const char *const allowed[] = {"full_name", "role", "language", "disabled",
					      "password", "department", "email", "phone", NULL};
	const char *full_name = NULL, *role_s = NULL, *language = NULL, *password = NULL;
	bool disabled = false, has_disabled = false;
	struct user_change c = {0};
	int64_t id;
	enum res res;
	if ((res = req_param_id(r, 0, &id)) || (res = api_need_body(r)) ||
	    (res = jd_object(r->json, "", allowed, &r->err)) ||
	    (res = jd_str(r->json, "full_name", false, ACCOUNT_NAME_MAX, &full_name, NULL, &r->err)) ||
	    (res = jd_str(r->json, "role", false, 32, &role_s, NULL, &r->err)) ||
	    (res = jd_str(r->json, "language", false, 2, &language, NULL, &r->err)) ||
	    (res = jd_bool(r->json, "disabled", false, &disabled, &has_disabled, &r->err)) ||
	    (res = jd_str(r->json, "password", false, 1024, &password, NULL, &r->err)))
		return res;
	if ((res = read_department(r, &c.department, &c.has_department)))
		return res;
	if ((res = api_user_contacts_read(r, &c.email, &c.has_email, &c.phone, &c.has_phone)))
		return res;
	enum role dummy;
	if ((role_s && (res = check_role(r, role_s, &dummy))) ||
	    (language && (res = check_language(r, language))) ||
	    (password && (res = check_password(r, "password", password))))
		return res;
	char hash[AUTH_PWHASH_MAX];
	if (password && (res = auth_password_hash(password, strlen(password), hash, &r->err)))
		return res;
	c.full_name = full_name;
	c.role_s = role_s;
	c.language = language;
	c.disabled = has_disabled ? &disabled : NULL;
	c.hash = password ? hash : NULL;
	json_t *out = NULL;
	if ((res = api_begin(r, true)) || (res = apply_change(r, id, &c, &out)))
		return res;
	return req_json(r, 200, out);
}

enum res api_users_delete(struct req *r)
{
	int64_t id;
	enum res res;
	bool yes = true;
	struct user_change c = {.disabled = &yes};
	json_t *out = NULL;
	if ((res = req_param_id(r, 0, &id)) || (res = apply_change(r, id, &c, &out)))
		return res;
	return req_json(r, 200, out);
}

/* GET /api/v1/staff: who works here, for everyone (no roles' secrets: id,
 * login, name, role, department). */
enum res api_staff_list(struct req *r)
{
	const char *dept = req_query(r, "department");
	if (dept && !case_code_valid(dept, strlen(dept), 64))
		return err_set(&r->err, RES_INVALID, "invalid_field", "department",
			       "department must be a code of a-z, 0-9, _ and -");
	struct user *items;
	size_t n;
	enum res res = store_staff_list(r->db, dept, &r->arena, &items, &n, &r->err);
	if (res)
		return res;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
			arr, json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)items[i].id,
				       "login", items[i].login, "full_name", items[i].full_name, "role",
				       role_name(items[i].role), "department",
				       json_str_or_null(items[i].department)));
	return req_json(r, 200, json_pack("{s:o}", "items", arr));
}
