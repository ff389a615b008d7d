/* SMSC and SMTP connections an admin configured (migration 0011). */
#include <string.h>

#include "store/store_impl.h"

#define OOM(e) err_set(e, RES_NOMEM, NULL, NULL, "out of memory")

#define GW_COLS                                                                                   \
	"id, kind, name, host, port, username, password, tls, prefixes, window_size, rate, "      \
	"mail_from, enabled, version, created_at, updated_at"

static const char sql_gw_all[] = "SELECT " GW_COLS " FROM gateways ORDER BY kind, id";
static const char sql_gw_get[] = "SELECT " GW_COLS " FROM gateways WHERE id = ?";
static const char sql_gw_by_name[] = "SELECT id FROM gateways WHERE name = ?";
static const char sql_gw_insert[] =
	"INSERT INTO gateways (kind, name, host, port, username, password, tls, prefixes, "
	"window_size, rate, mail_from, enabled, version, created_at, updated_at) VALUES (?, ?, ?, "
	"?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id";
static const char sql_gw_update[] =
	"UPDATE gateways SET kind = ?, name = ?, host = ?, port = ?, username = ?, password = ?, tls "
	"= ?, prefixes = ?, window_size = ?, rate = ?, mail_from = ?, enabled = ?, version = version "
	"+ 1, updated_at = ? WHERE id = ? RETURNING version";
static const char sql_gw_delete[] = "DELETE FROM gateways WHERE id = ?";

static enum res gw_read(struct db_stmt *st, struct arena *a, struct gateway_row *g,
			struct err *e)
{
	g->id = db_col_i64(st, 0);
	g->kind = store_col_dup(st, 1, a);
	g->name = store_col_dup(st, 2, a);
	g->host = store_col_dup(st, 3, a);
	g->port = db_col_i64(st, 4);
	g->username = store_col_dup(st, 5, a);
	g->password = store_col_dup(st, 6, a);
	g->tls = store_col_dup(st, 7, a);
	g->prefixes = store_col_dup(st, 8, a);
	g->window = db_col_i64(st, 9);
	g->rate = db_col_i64(st, 10);
	g->mail_from = db_col_null(st, 11) ? NULL : store_col_dup(st, 11, a);
	g->enabled = db_col_bool(st, 12);
	g->version = db_col_i64(st, 13);
	g->created_at = db_col_i64(st, 14);
	g->updated_at = db_col_i64(st, 15);
	if (!g->kind || !g->name || !g->host || !g->username || !g->password || !g->tls ||
	    !g->prefixes || (!db_col_null(st, 11) && !g->mail_from))
		return OOM(e);
	return RES_OK;
}

enum res store_gateways_list(struct db *db, struct arena *a, struct gateway_row **items,
			     size_t *n, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_gw_all, &st, e);
	if (r)
		return r;
	size_t cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		if ((r = gw_read(st, a, &(*items)[*n], e)))
			break;
		(*n)++;
	}
	db_reset(st);
	return r;
}

enum res store_gateway_get(struct db *db, int64_t id, struct arena *a, struct gateway_row *out,
			   struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_gw_get, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, id);
	if (store_step(st, &r, e) == DB_ROW)
		r = gw_read(st, a, out, e);
	else if (!r)
		r = err_set(e, RES_NOT_FOUND, "not_found", NULL, "no such gateway");
	db_reset(st);
	return r;
}

enum res store_gateway_by_name(struct db *db, const char *name, int64_t *id, struct err *e)
{
	struct db_stmt *st;
	*id = 0;
	enum res r = db_prepare(db, sql_gw_by_name, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, name);
	if (store_step(st, &r, e) == DB_ROW)
		*id = db_col_i64(st, 0);
	db_reset(st);
	return r;
}

static void gw_bind(struct db_stmt *st, const struct gateway_row *g)
{
	db_bind_text(st, 1, g->kind);
	db_bind_text(st, 2, g->name);
	db_bind_text(st, 3, g->host);
	db_bind_i64(st, 4, g->port);
	db_bind_text(st, 5, g->username);
	db_bind_text(st, 6, g->password);
	db_bind_text(st, 7, g->tls);
	db_bind_text(st, 8, g->prefixes);
	db_bind_i64(st, 9, g->window);
	db_bind_i64(st, 10, g->rate);
	db_bind_text(st, 11, g->mail_from);
	db_bind_bool(st, 12, g->enabled);
}

enum res store_gateway_insert(struct db *db, struct gateway_row *g, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_gw_insert, &st, e);
	if (r)
		return r;
	gw_bind(st, g);
	db_bind_i64(st, 13, g->created_at);
	db_bind_i64(st, 14, g->updated_at);
	if (store_step(st, &r, e) == DB_ROW) {
		g->id = db_col_i64(st, 0);
		g->version = 1;
	} else if (!r) {
		r = err_set(e, RES_INTERNAL, NULL, NULL, "insert returned no id");
	}
	db_reset(st);
	return r;
}

enum res store_gateway_update(struct db *db, struct gateway_row *g, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_gw_update, &st, e);
	if (r)
		return r;
	gw_bind(st, g);
	db_bind_i64(st, 13, g->updated_at);
	db_bind_i64(st, 14, g->id);
	if (store_step(st, &r, e) == DB_ROW)
		g->version = db_col_i64(st, 0);
	else if (!r)
		r = err_set(e, RES_NOT_FOUND, "not_found", NULL, "no such gateway");
	db_reset(st);
	return r;
}

enum res store_gateway_delete(struct db *db, int64_t id, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_gw_delete, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, id);
	int rc = store_step(st, &r, e);
	if (!r && (rc != DB_DONE || db_changes(st) != 1))
		r = err_set(e, RES_NOT_FOUND, "not_found", NULL, "no such gateway");
	db_reset(st);
	return r;
}
