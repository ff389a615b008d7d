/* Staff users. */
#include <string.h>

#include "store/store_impl.h"

enum res store_exec(struct db_stmt *st, struct err *e)
{
	int rc = db_step(st, e);
	db_reset(st);
	return rc < 0 ? (enum res)-rc : RES_OK;
}

int store_step(struct db_stmt *st, enum res *r, struct err *e)
{
	int rc = db_step(st, e);
	if (rc < 0) {
		*r = (enum res)-rc;
		return 0;
	}
	*r = RES_OK;
	return rc;
}

#define USER_COLS STORE_USER_COLS

static const char sql_insert[] =
	"INSERT INTO users (login, full_name, role, language, password_hash, disabled, created_at, "
	"updated_at, department, email, phone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	"RETURNING id";
static const char sql_get[] = "SELECT " USER_COLS " FROM users WHERE id = ?";
static const char sql_get_login[] = "SELECT " USER_COLS ", password_hash FROM users WHERE login = ?";
static const char sql_update[] = "UPDATE users SET full_name = ?, role = ?, language = ?, "
				 "disabled = ?, updated_at = ?, department = ?, email = ?, phone = ? "
				 "WHERE id = ?";
static const char sql_set_pw[] = "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?";
static const char sql_list[] = "SELECT " USER_COLS " FROM users ORDER BY login LIMIT ? OFFSET ?";
static const char sql_count[] = "SELECT COUNT(*) FROM users";
static const char sql_profile[] =
	"UPDATE users SET full_name = ?, language = ?, email = ?, phone = ?, updated_at = ? "
	"WHERE id = ?";
/* PostgreSQL runs READ COMMITTED: changes to users (roles, the last admin,
 * a user's own profile) take this transaction lock, so a check and the write
 * it guards cannot interleave with another one. SQLite writers are already
 * serialised by BEGIN IMMEDIATE. */
static const char sql_lock_users_pg[] = "SELECT pg_advisory_xact_lock(7233002)";

const char *store_col_dup(struct db_stmt *st, int col, struct arena *a)
{
	size_t n;
	const char *t = db_col_text(st, col, &n);
	return arena_strndup(a, t, n);
}

bool store_grow(struct arena *a, void *items, size_t *cap, size_t n, size_t size)
{
	void **p = items;
	if (n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *q = arena_alloc(a, ncap * size);
	if (!q)
		return false;
	if (n)
		memcpy(q, *p, n * size);
	*p = q;
	*cap = ncap;
	return true;
}

enum res store_collect_ids(struct db_stmt *st, struct arena *a, int64_t **ids, size_t *n,
			   struct err *e)
{
	enum res r;
	size_t cap = 0;
	*ids = NULL;
	*n = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, ids, &cap, *n, sizeof **ids)) {
			r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
			break;
		}
		(*ids)[(*n)++] = db_col_i64(st, 0);
	}
	db_reset(st);
	return r;
}

enum res store_user_read(struct db_stmt *st, struct arena *a, struct user *u, struct err *e)
{
	memset(u, 0, sizeof *u);
	u->id = db_col_i64(st, 0);
	u->login = store_col_dup(st, 1, a);
	u->full_name = store_col_dup(st, 2, a);
	size_t n;
	const char *role = db_col_text(st, 3, &n);
	if (!role_parse(role, n, &u->role))
		return err_set(e, RES_INTERNAL, NULL, NULL, "stored role is unknown");
	u->language = store_col_dup(st, 4, a);
	u->disabled = db_col_bool(st, 5);
	u->created_at = db_col_i64(st, 6);
	u->updated_at = db_col_i64(st, 7);
	u->department = db_col_null(st, 8) ? NULL : store_col_dup(st, 8, a);
	u->email = db_col_null(st, 9) ? NULL : store_col_dup(st, 9, a);
	u->phone = db_col_null(st, 10) ? NULL : store_col_dup(st, 10, a);
	if (!u->login || !u->full_name || !u->language || (!db_col_null(st, 8) && !u->department) ||
	    (!db_col_null(st, 9) && !u->email) || (!db_col_null(st, 10) && !u->phone))
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	return RES_OK;
}

enum res store_user_insert(struct db *db, const struct user *u, int64_t now, int64_t *id,
			   struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_insert, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, u->login);
	db_bind_text(st, 2, u->full_name ? u->full_name : "");
	db_bind_text(st, 3, role_name(u->role));
	db_bind_text(st, 4, u->language ? u->language : "en");
	db_bind_text(st, 5, u->password_hash);
	db_bind_bool(st, 6, u->disabled);
	db_bind_i64(st, 7, now);
	db_bind_i64(st, 8, now);
	db_bind_text(st, 9, u->department);
	db_bind_text(st, 10, u->email);
	db_bind_text(st, 11, u->phone);
	if (store_step(st, &r, e) == DB_ROW)
		*id = db_col_i64(st, 0);
	else if (!r)
		r = err_set(e, RES_INTERNAL, NULL, NULL, "insert returned no id");
	db_reset(st);
	if (r == RES_CONFLICT)
		err_set(e, RES_CONFLICT, "login_taken", "login", "a user with this login already exists");
	return r;
}

static enum res get_one(struct db *db, const char *sql, int64_t id, const char *login,
			struct arena *a, struct user *out, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql, &st, e);
	if (r)
		return r;
	if (login)
		db_bind_text(st, 1, login);
	else
		db_bind_i64(st, 1, id);
	int rc = store_step(st, &r, e);
	if (rc == DB_ROW) {
		r = store_user_read(st, a, out, e);
		if (!r && login && !(out->password_hash = store_col_dup(st, STORE_USER_NCOLS, a)))
			r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	} else if (rc == DB_DONE) {
		r = err_set(e, RES_NOT_FOUND, "not_found", NULL, "no such user");
	}
	db_reset(st);
	return r;
}

enum res store_user_get(struct db *db, int64_t id, struct arena *a, struct user *out,
			struct err *e)
{
	return get_one(db, sql_get, id, NULL, a, out, e);
}

enum res store_user_get_by_login(struct db *db, const char *login, struct arena *a,
				 struct user *out, struct err *e)
{
	return get_one(db, sql_get_login, 0, login, a, out, e);
}

enum res store_user_update(struct db *db, const struct user *u, int64_t now, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_update, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, u->full_name);
	db_bind_text(st, 2, role_name(u->role));
	db_bind_text(st, 3, u->language);
	db_bind_bool(st, 4, u->disabled);
	db_bind_i64(st, 5, now);
	db_bind_text(st, 6, u->department);
	db_bind_text(st, 7, u->email);
	db_bind_text(st, 8, u->phone);
	db_bind_i64(st, 9, u->id);
	return store_exec(st, e);
}

enum res store_users_lock(struct db *db, struct err *e)
{
	if (db_kind(db) != DB_PG)
		return RES_OK;
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_lock_users_pg, &st, e);
	if (r)
		return r;
	return store_exec(st, e);
}

enum res store_user_update_profile(struct db *db, const struct user *u, int64_t now,
				   struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_profile, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, u->full_name);
	db_bind_text(st, 2, u->language);
	db_bind_text(st, 3, u->email);
	db_bind_text(st, 4, u->phone);
	db_bind_i64(st, 5, now);
	db_bind_i64(st, 6, u->id);
	return store_exec(st, e);
}

enum res store_user_set_password(struct db *db, int64_t id, const char *hash, int64_t now,
				 struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_set_pw, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, hash);
	db_bind_i64(st, 2, now);
	db_bind_i64(st, 3, id);
	return store_exec(st, e);
}

enum res store_user_count(struct db *db, int64_t *n, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_count, &st, e);
	if (r)
		return r;
	if (store_step(st, &r, e) == DB_ROW)
		*n = db_col_i64(st, 0);
	db_reset(st);
	return r;
}

enum res store_user_list(struct db *db, int64_t limit, int64_t offset, struct arena *a,
			 struct user **items, size_t *n, int64_t *total, struct err *e)
{
	enum res r = store_user_count(db, total, e);
	if (r)
		return r;
	struct db_stmt *st;
	if ((r = db_prepare(db, sql_list, &st, e)))
		return r;
	db_bind_i64(st, 1, limit);
	db_bind_i64(st, 2, offset);
	size_t cap = (size_t)(limit > 0 ? limit : 1);
	*items = arena_alloc(a, cap * sizeof **items);
	*n = 0;
	if (!*items)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	int rc;
	while ((rc = store_step(st, &r, e)) == DB_ROW && *n < cap) {
		if ((r = store_user_read(st, a, &(*items)[*n], e)))
			break;
		(*n)++;
	}
	db_reset(st);
	return r;
}

static const char sql_staff[] =
	"SELECT " USER_COLS " FROM users WHERE disabled = 0 AND (CAST(? AS TEXT) IS NULL OR "
	"department = ?) ORDER BY full_name, login LIMIT 1000";

enum res store_staff_list(struct db *db, const char *department, struct arena *a,
			  struct user **items, size_t *n, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_staff, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, department);
	db_bind_text(st, 2, department);
	size_t cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
			break;
		}
		if ((r = store_user_read(st, a, &(*items)[*n], e)))
			break;
		(*n)++;
	}
	db_reset(st);
	return r;
}
