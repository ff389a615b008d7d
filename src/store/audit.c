/* The audit trail: who changed what, when, before -> after. */
#include <string.h>

#include "store/store.h"

static const char sql_add[] =
	"INSERT INTO audit (at, actor_id, actor_login, action, entity, entity_id, before_json, "
	"after_json, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_list_all[] =
	"SELECT id, at, COALESCE(actor_id, 0), actor_login, action, entity, entity_id, before_json, "
	"after_json, request_id FROM audit ORDER BY id DESC LIMIT ? OFFSET ?";
static const char sql_count_all[] = "SELECT COUNT(*) FROM audit";
static const char sql_list_entity[] =
	"SELECT id, at, COALESCE(actor_id, 0), actor_login, action, entity, entity_id, before_json, "
	"after_json, request_id FROM audit WHERE entity = ? ORDER BY id DESC LIMIT ? OFFSET ?";
static const char sql_count_entity[] = "SELECT COUNT(*) FROM audit WHERE entity = ?";
static const char sql_list_one[] =
	"SELECT id, at, COALESCE(actor_id, 0), actor_login, action, entity, entity_id, before_json, "
	"after_json, request_id FROM audit WHERE entity = ? AND entity_id = ? ORDER BY id DESC "
	"LIMIT ? OFFSET ?";
static const char sql_count_one[] = "SELECT COUNT(*) FROM audit WHERE entity = ? AND entity_id = ?";

enum res store_audit_add(struct db *db, const struct audit_rec *a, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_add, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, a->at);
	if (a->actor_id)
		db_bind_i64(st, 2, a->actor_id);
	else
		db_bind_null(st, 2);
	db_bind_text(st, 3, a->actor_login ? a->actor_login : "");
	db_bind_text(st, 4, a->action);
	db_bind_text(st, 5, a->entity);
	db_bind_text(st, 6, a->entity_id);
	db_bind_text(st, 7, a->before_json);
	db_bind_text(st, 8, a->after_json);
	db_bind_text(st, 9, a->request_id ? a->request_id : "");
	return store_exec(st, e);
}

static const char *col_dup_or_null(struct db_stmt *st, int col, struct arena *a)
{
	if (db_col_null(st, col))
		return NULL;
	size_t n;
	const char *t = db_col_text(st, col, &n);
	return arena_strndup(a, t, n);
}

enum res store_audit_list(struct db *db, const char *entity, const char *entity_id,
			  int64_t limit, int64_t offset, struct arena *a, struct audit_rec **items,
			  size_t *n, int64_t *total, struct err *e)
{
	struct db_stmt *st;
	const char *count_sql = entity ? (entity_id ? sql_count_one : sql_count_entity) : sql_count_all;
	const char *list_sql = entity ? (entity_id ? sql_list_one : sql_list_entity) : sql_list_all;
	enum res r = db_prepare(db, count_sql, &st, e);
	if (r)
		return r;
	int i = 1;
	if (entity)
		db_bind_text(st, i++, entity);
	if (entity && entity_id)
		db_bind_text(st, i++, entity_id);
	if (store_step(st, &r, e) == DB_ROW)
		*total = db_col_i64(st, 0);
	db_reset(st);
	if (r || (r = db_prepare(db, list_sql, &st, e)))
		return r;
	i = 1;
	if (entity)
		db_bind_text(st, i++, entity);
	if (entity && entity_id)
		db_bind_text(st, i++, entity_id);
	db_bind_i64(st, i++, limit);
	db_bind_i64(st, i++, offset);
	size_t cap = (size_t)(limit > 0 ? limit : 1);
	*items = arena_alloc(a, cap * sizeof **items);
	*n = 0;
	if (!*items)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	while (*n < cap && store_step(st, &r, e) == DB_ROW) {
		struct audit_rec *x = &(*items)[(*n)++];
		x->id = db_col_i64(st, 0);
		x->at = db_col_i64(st, 1);
		x->actor_id = db_col_i64(st, 2);
		x->actor_login = col_dup_or_null(st, 3, a);
		x->action = col_dup_or_null(st, 4, a);
		x->entity = col_dup_or_null(st, 5, a);
		x->entity_id = col_dup_or_null(st, 6, a);
		x->before_json = col_dup_or_null(st, 7, a);
		x->after_json = col_dup_or_null(st, 8, a);
		x->request_id = col_dup_or_null(st, 9, a);
	}
	db_reset(st);
	return r;
}
