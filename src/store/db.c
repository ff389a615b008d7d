/* The backend-neutral half of store/db.h: dispatch, transactions and the
 * per-connection statement cache. */
#include "store/db_impl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum db_kind db_kind_of_url(const char *url)
{
	if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
		return DB_PG;
	return DB_SQLITE;
}

enum res db_open(const char *url, struct db **out, struct err *e)
{
	*out = NULL;
	if (db_kind_of_url(url) == DB_PG)
		return db_pg_open(url, out, e);
	return db_sqlite_open(url, out, e);
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->nslots; i++)
		if (db->slots[i].st)
			db->ops->stmt_free(db->slots[i].st);
	free(db->slots);
	db->ops->close(db);
}

enum db_kind db_kind(const struct db *db) { return db->kind; }
bool db_in_tx(const struct db *db) { return db->in_tx; }

enum res db_exec_script(struct db *db, const char *sql, struct err *e)
{
	return db->ops->exec_script(db, sql, e);
}

/* Transaction control. On SQLite these are cached prepared statements like
 * any other (parsing "BEGIN" on every request showed up in profiles); on
 * PostgreSQL they go as simple queries. */
static const char sql_begin[] = "BEGIN";
static const char sql_begin_immediate[] = "BEGIN IMMEDIATE";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";

static enum res tx_exec(struct db *db, const char *sql, struct err *e)
{
	if (db->kind != DB_SQLITE)
		return db->ops->exec_script(db, sql, e);
	struct db_stmt *st;
	enum res r = db_prepare(db, sql, &st, e);
	if (r)
		return r;
	int rc = db->ops->step(st, e);
	db->ops->reset(st);
	return rc < 0 ? (enum res)-rc : RES_OK;
}

enum res db_begin(struct db *db, bool write, struct err *e)
{
	const char *sql = db->kind == DB_SQLITE && write ? sql_begin_immediate : sql_begin;
	enum res r = tx_exec(db, sql, e);
	if (!r)
		db->in_tx = true;
	return r;
}

enum res db_commit(struct db *db, struct err *e)
{
	enum res r = tx_exec(db, sql_commit, e);
	if (r)
		db_rollback(db);
	db->in_tx = false;
	return r;
}

void db_rollback(struct db *db)
{
	if (!db->in_tx)
		return;
	struct err ignored;
	if (tx_exec(db, sql_rollback, &ignored))
		db->ops->exec_script(db, sql_rollback, NULL);
	db->in_tx = false;
}

static size_t slot_hash(const char *p, size_t mask)
{
	uintptr_t h = (uintptr_t)p;
	h ^= h >> 17;
	h *= (uintptr_t)0x9e3779b97f4a7c15ull;
	h ^= h >> 29;
	return (size_t)h & mask;
}

static enum res cache_grow(struct db *db)
{
	size_t n = db->nslots ? db->nslots * 2 : 256;
	struct stmt_slot *s = calloc(n, sizeof *s);
	if (!s)
		return RES_NOMEM;
	for (size_t i = 0; i < db->nslots; i++) {
		if (!db->slots[i].sql)
			continue;
		size_t j = slot_hash(db->slots[i].sql, n - 1);
		while (s[j].sql)
			j = (j + 1) & (n - 1);
		s[j] = db->slots[i];
	}
	free(db->slots);
	db->slots = s;
	db->nslots = n;
	return RES_OK;
}

enum res db_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e)
{
	if (db->used * 2 >= db->nslots && cache_grow(db))
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	size_t mask = db->nslots - 1;
	size_t j = slot_hash(sql, mask);
	while (db->slots[j].sql && db->slots[j].sql != sql)
		j = (j + 1) & mask;
	if (db->slots[j].sql) {
		*out = db->slots[j].st;
		db->ops->reset(*out);
		return RES_OK;
	}
	struct db_stmt *st;
	enum res r = db->ops->prepare(db, sql, &st, e);
	if (r)
		return r;
	st->db = db;
	st->sql = sql;
	db->slots[j].sql = sql;
	db->slots[j].st = st;
	db->used++;
	*out = st;
	return RES_OK;
}

void db_bind_i64(struct db_stmt *st, int idx, int64_t v) { st->db->ops->bind_i64(st, idx, v); }
void db_bind_textn(struct db_stmt *st, int idx, const char *s, size_t n)
{
	if (!s)
		st->db->ops->bind_null(st, idx);
	else
		st->db->ops->bind_textn(st, idx, s, n);
}
void db_bind_text(struct db_stmt *st, int idx, const char *s)
{
	db_bind_textn(st, idx, s, s ? strlen(s) : 0);
}
void db_bind_null(struct db_stmt *st, int idx) { st->db->ops->bind_null(st, idx); }
void db_bind_bool(struct db_stmt *st, int idx, bool v) { st->db->ops->bind_i64(st, idx, v ? 1 : 0); }
void db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t n)
{
	st->db->ops->bind_blob(st, idx, n ? p : "", n);
}
int db_step(struct db_stmt *st, struct err *e) { return st->db->ops->step(st, e); }
void db_reset(struct db_stmt *st) { st->db->ops->reset(st); }
int db_col_count(struct db_stmt *st) { return st->db->ops->col_count(st); }
bool db_col_null(struct db_stmt *st, int col) { return st->db->ops->col_null(st, col); }
int64_t db_col_i64(struct db_stmt *st, int col) { return st->db->ops->col_i64(st, col); }
bool db_col_bool(struct db_stmt *st, int col) { return st->db->ops->col_i64(st, col) != 0; }
const char *db_col_text(struct db_stmt *st, int col, size_t *len)
{
	return st->db->ops->col_text(st, col, len);
}
const void *db_col_blob(struct db_stmt *st, int col, size_t *len)
{
	return st->db->ops->col_blob(st, col, len);
}
int64_t db_changes(struct db_stmt *st) { return st->db->ops->changes(st); }
