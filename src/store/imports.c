/* Policy list imports: one row per real import (see migration 0005). */
#include <string.h>

#include "store/store_impl.h"

#define IMPORT_COLS                                                                               \
	"id, kind, file_name, format, sha256, bytes, rows_read, created, updated, unchanged, "    \
	"COALESCE(actor_id, 0), actor_login, request_id, started_at, finished_at"

static const char sql_insert[] =
	"INSERT INTO imports (kind, file_name, format, sha256, bytes, rows_read, created, updated, "
	"unchanged, actor_id, actor_login, request_id, started_at, finished_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_finish[] =
	"UPDATE imports SET rows_read = ?, created = ?, updated = ?, unchanged = ?, finished_at = ?, "
	"sha256 = ?, bytes = ? WHERE id = ?";
static const char sql_get[] = "SELECT " IMPORT_COLS " FROM imports WHERE id = ?";
static const char sql_list[] = "SELECT " IMPORT_COLS " FROM imports ORDER BY id DESC LIMIT ? OFFSET ?";
static const char sql_count[] = "SELECT COUNT(*) FROM imports";

enum res store_import_begin(struct db *db, struct import_rec *x, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_insert, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, x->kind);
	db_bind_text(st, 2, x->file_name);
	db_bind_text(st, 3, x->format);
	db_bind_text(st, 4, x->sha256);
	db_bind_i64(st, 5, x->bytes);
	db_bind_i64(st, 6, x->rows);
	db_bind_i64(st, 7, x->created);
	db_bind_i64(st, 8, x->updated);
	db_bind_i64(st, 9, x->unchanged);
	if (x->actor_id)
		db_bind_i64(st, 10, x->actor_id);
	else
		db_bind_null(st, 10);
	db_bind_text(st, 11, x->actor_login ? x->actor_login : "");
	db_bind_text(st, 12, x->request_id ? x->request_id : "");
	db_bind_i64(st, 13, x->started_at);
	db_bind_i64(st, 14, x->finished_at);
	if (store_step(st, &r, e) == DB_ROW)
		x->id = db_col_i64(st, 0);
	else if (!r)
		r = err_set(e, RES_INTERNAL, NULL, NULL, "no id returned");
	db_reset(st);
	return r;
}

enum res store_import_finish(struct db *db, const struct import_rec *x, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_finish, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, x->rows);
	db_bind_i64(st, 2, x->created);
	db_bind_i64(st, 3, x->updated);
	db_bind_i64(st, 4, x->unchanged);
	db_bind_i64(st, 5, x->finished_at);
	db_bind_text(st, 6, x->sha256);
	db_bind_i64(st, 7, x->bytes);
	db_bind_i64(st, 8, x->id);
	return store_exec(st, e);
}

static bool read_import(struct db_stmt *st, struct arena *a, struct import_rec *x)
{
	x->id = db_col_i64(st, 0);
	x->kind = store_col_dup(st, 1, a);
	x->file_name = store_col_dup(st, 2, a);
	x->format = store_col_dup(st, 3, a);
	x->sha256 = store_col_dup(st, 4, a);
	x->bytes = db_col_i64(st, 5);
	x->rows = db_col_i64(st, 6);
	x->created = db_col_i64(st, 7);
	x->updated = db_col_i64(st, 8);
	x->unchanged = db_col_i64(st, 9);
	x->actor_id = db_col_i64(st, 10);
	x->actor_login = store_col_dup(st, 11, a);
	x->request_id = store_col_dup(st, 12, a);
	x->started_at = db_col_i64(st, 13);
	x->finished_at = db_col_i64(st, 14);
	return x->kind && x->file_name && x->format && x->sha256 && x->actor_login && x->request_id;
}

enum res store_import_get(struct db *db, int64_t id, struct arena *a, struct import_rec *out,
			  struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_get, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, id);
	int rc = store_step(st, &r, e);
	if (rc == DB_ROW && !read_import(st, a, out))
		r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	else if (rc == DB_DONE)
		r = err_set(e, RES_NOT_FOUND, "not_found", NULL, "no such import");
	db_reset(st);
	return r;
}

enum res store_imports_list(struct db *db, int64_t limit, int64_t offset, struct arena *a,
			    struct import_rec **items, size_t *n, int64_t *total, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_list, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, limit);
	db_bind_i64(st, 2, offset);
	size_t cap = 0;
	*items = NULL;
	*n = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items) || !read_import(st, a, &(*items)[*n])) {
			r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
			break;
		}
		(*n)++;
	}
	db_reset(st);
	if (r || (r = db_prepare(db, sql_count, &st, e)))
		return r;
	if (store_step(st, &r, e) == DB_ROW)
		*total = db_col_i64(st, 0);
	db_reset(st);
	return r;
}
