/* Sign-in sessions, API tokens and the failed-login record used to throttle
 * guessing. Tokens are stored only as hashes. */
#include <string.h>

#include "store/store_impl.h"

#define USER_COLS_U STORE_USER_COLS_U

static const char sql_s_create[] =
	"INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) "
	"VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_s_lookup[] =
	"SELECT " USER_COLS_U ", s.csrf_token, s.last_seen_at FROM sessions s JOIN users u ON "
	"u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0";
static const char sql_s_touch[] =
	"UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?";
static const char sql_s_delete[] = "DELETE FROM sessions WHERE token_hash = ?";
static const char sql_s_delete_user[] = "DELETE FROM sessions WHERE user_id = ?";
static const char sql_s_purge[] = "DELETE FROM sessions WHERE expires_at <= ?";

static const char sql_t_insert[] =
	"INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id";
static const char sql_t_lookup[] =
	"SELECT " USER_COLS_U ", t.id, COALESCE(t.last_used_at, 0) FROM api_tokens t JOIN users u ON "
	"u.id = t.user_id WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled = 0";
static const char sql_t_used[] = "UPDATE api_tokens SET last_used_at = ? WHERE id = ?";
static const char sql_t_list[] =
	"SELECT id, user_id, name, created_at, COALESCE(last_used_at, 0) FROM api_tokens "
	"WHERE user_id = ? AND revoked_at IS NULL ORDER BY id";
static const char sql_t_revoke[] =
	"UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL";
static const char sql_t_revoke_user[] =
	"UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL";

static const char sql_f_add[] = "INSERT INTO login_failures (login, ip, at) VALUES (?, ?, ?)";
static const char sql_f_count_login[] =
	"SELECT COUNT(*), COALESCE(MIN(at), 0) FROM login_failures WHERE login = ? AND at >= ?";
static const char sql_f_count_ip[] = "SELECT COUNT(*) FROM login_failures WHERE ip = ? AND at >= ?";
static const char sql_f_count_pair[] =
	"SELECT COUNT(*), COALESCE(MIN(at), 0) FROM login_failures WHERE login = ? AND ip = ? AND at >= ?";
static const char sql_f_clear[] = "DELETE FROM login_failures WHERE login = ?";
static const char sql_f_purge[] = "DELETE FROM login_failures WHERE at < ?";

enum res store_session_create(struct db *db, const char *token_hash, int64_t user_id,
			      const char *csrf, int64_t now, int64_t expires, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_s_create, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, token_hash);
	db_bind_i64(st, 2, user_id);
	db_bind_text(st, 3, csrf);
	db_bind_i64(st, 4, now);
	db_bind_i64(st, 5, now);
	db_bind_i64(st, 6, expires);
	return store_exec(st, e);
}

enum res store_session_lookup(struct db *db, const char *token_hash, int64_t now,
			      struct arena *a, struct user *u, const char **csrf,
			      int64_t *last_seen, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_s_lookup, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, token_hash);
	db_bind_i64(st, 2, now);
	int rc = store_step(st, &r, e);
	if (rc == DB_ROW) {
		r = store_user_read(st, a, u, e);
		*csrf = store_col_dup(st, STORE_USER_NCOLS, a);
		*last_seen = db_col_i64(st, STORE_USER_NCOLS + 1);
		if (!r && !*csrf)
			r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	} else if (rc == DB_DONE) {
		r = err_set(e, RES_UNAUTHORIZED, "unauthorized", NULL, "sign in first");
	}
	db_reset(st);
	return r;
}

enum res store_session_touch(struct db *db, const char *token_hash, int64_t now,
			     int64_t expires, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_s_touch, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, now);
	db_bind_i64(st, 2, expires);
	db_bind_text(st, 3, token_hash);
	return store_exec(st, e);
}

static enum res exec_text(struct db *db, const char *sql, const char *s, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, s);
	return store_exec(st, e);
}

static enum res exec_i64(struct db *db, const char *sql, int64_t v, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, v);
	return store_exec(st, e);
}

enum res store_session_delete(struct db *db, const char *token_hash, struct err *e)
{
	return exec_text(db, sql_s_delete, token_hash, e);
}

enum res store_session_delete_user(struct db *db, int64_t user_id, struct err *e)
{
	return exec_i64(db, sql_s_delete_user, user_id, e);
}

enum res store_session_purge(struct db *db, int64_t now, struct err *e)
{
	enum res r = exec_i64(db, sql_s_purge, now, e);
	if (!r) /* failures older than a day no longer matter to throttling */
		r = exec_i64(db, sql_f_purge, now - 86400LL * 1000000, e);
	return r;
}

enum res store_token_insert(struct db *db, int64_t user_id, const char *name,
			    const char *token_hash, int64_t now, int64_t *id, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_t_insert, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, user_id);
	db_bind_text(st, 2, name);
	db_bind_text(st, 3, token_hash);
	db_bind_i64(st, 4, now);
	if (store_step(st, &r, e) == DB_ROW)
		*id = db_col_i64(st, 0);
	db_reset(st);
	return r;
}

enum res store_token_lookup(struct db *db, const char *token_hash, struct arena *a,
			    struct user *u, int64_t *token_id, int64_t *last_used, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_t_lookup, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, token_hash);
	int rc = store_step(st, &r, e);
	if (rc == DB_ROW) {
		r = store_user_read(st, a, u, e);
		*token_id = db_col_i64(st, STORE_USER_NCOLS);
		*last_used = db_col_i64(st, STORE_USER_NCOLS + 1);
	} else if (rc == DB_DONE) {
		r = err_set(e, RES_UNAUTHORIZED, "unauthorized", NULL, "the API token is not valid");
	}
	db_reset(st);
	return r;
}

enum res store_token_used(struct db *db, int64_t token_id, int64_t now, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_t_used, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, now);
	db_bind_i64(st, 2, token_id);
	return store_exec(st, e);
}

enum res store_token_list(struct db *db, int64_t user_id, struct arena *a,
			  struct api_token **items, size_t *n, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_t_list, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, user_id);
	size_t cap = 0;
	*items = NULL;
	*n = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
			break;
		}
		struct api_token *t = &(*items)[(*n)++];
		t->id = db_col_i64(st, 0);
		t->user_id = db_col_i64(st, 1);
		t->name = store_col_dup(st, 2, a);
		t->created_at = db_col_i64(st, 3);
		t->last_used_at = db_col_i64(st, 4);
	}
	db_reset(st);
	return r;
}

enum res store_token_revoke(struct db *db, int64_t user_id, int64_t id, int64_t now,
			    struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_t_revoke, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, now);
	db_bind_i64(st, 2, id);
	db_bind_i64(st, 3, user_id);
	int rc = store_step(st, &r, e);
	int64_t changed = rc == DB_DONE ? db_changes(st) : 0;
	db_reset(st);
	if (!r && changed == 0)
		r = err_set(e, RES_NOT_FOUND, "not_found", NULL, "no such token");
	return r;
}

enum res store_token_revoke_user(struct db *db, int64_t user_id, int64_t now, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_t_revoke_user, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, now);
	db_bind_i64(st, 2, user_id);
	return store_exec(st, e);
}

enum res store_login_failure_add(struct db *db, const char *login, const char *ip, int64_t now,
				 struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_f_add, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, login);
	db_bind_text(st, 2, ip);
	db_bind_i64(st, 3, now);
	return store_exec(st, e);
}

enum res store_login_failure_count(struct db *db, const char *login, const char *ip,
				   int64_t since, struct login_failures *out, struct err *e)
{
	struct db_stmt *st;
	memset(out, 0, sizeof *out);
	enum res r = db_prepare(db, sql_f_count_login, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, login);
	db_bind_i64(st, 2, since);
	if (store_step(st, &r, e) == DB_ROW) {
		out->by_login = db_col_i64(st, 0);
		out->oldest_login = db_col_i64(st, 1);
	}
	db_reset(st);
	if (r || (r = db_prepare(db, sql_f_count_ip, &st, e)))
		return r;
	db_bind_text(st, 1, ip);
	db_bind_i64(st, 2, since);
	if (store_step(st, &r, e) == DB_ROW)
		out->by_ip = db_col_i64(st, 0);
	db_reset(st);
	if (r || (r = db_prepare(db, sql_f_count_pair, &st, e)))
		return r;
	db_bind_text(st, 1, login);
	db_bind_text(st, 2, ip);
	db_bind_i64(st, 3, since);
	if (store_step(st, &r, e) == DB_ROW) {
		out->by_pair = db_col_i64(st, 0);
		out->oldest_pair = db_col_i64(st, 1);
	}
	db_reset(st);
	return r;
}

enum res store_login_failure_clear(struct db *db, const char *login, struct err *e)
{
	return exec_text(db, sql_f_clear, login, e);
}
