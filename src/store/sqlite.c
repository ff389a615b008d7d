/* SQLite backend of store/db.h. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "store/db_impl.h"

struct sq_db {
	struct db base;
	sqlite3 *h;
};

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *h;
	int64_t changes;
	/* a plain "INSERT ... RETURNING id" runs without its RETURNING clause and
	 * answers the one row from sqlite3_last_insert_rowid(): SQLite builds an
	 * ephemeral table for RETURNING on every execution, which made up a
	 * fifth of a policy import's time */
	bool rowid;
	int rowid_state; /* 0: not stepped, 1: the row is out, 2: done */
	int64_t last_id;
	char id_text[24];
};

static sqlite3 *handle(struct db *db) { return ((struct sq_db *)db)->h; }
static struct sq_stmt *S(struct db_stmt *st) { return (struct sq_stmt *)st; }

static enum res sq_error(sqlite3 *h, int rc, struct err *e)
{
	int prim = rc & 0xff;
	if (prim == SQLITE_CONSTRAINT) {
		int ext = sqlite3_extended_errcode(h);
		if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
			return err_set(e, RES_CONFLICT, "conflict", NULL, "already exists");
		if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
			return err_set(e, RES_CONFLICT, "conflict", NULL,
				       "refers to a record that does not exist or is still referenced");
		return err_set(e, RES_UNPROCESSABLE, "constraint", NULL, "breaks a data rule");
	}
	if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
		return err_set(e, RES_BUSY, "busy", NULL, "the database is busy, try again");
	if (log_enabled(LOG_ERROR)) {
		struct logb lb;
		logb_begin(&lb, LOG_ERROR, "sqlite_error");
		logb_int(&lb, "rc", rc);
		logb_str(&lb, "msg", sqlite3_errmsg(h));
		logb_end(&lb);
	}
	return err_set(e, RES_DB, "database_error", NULL, "database error");
}

static void sq_close(struct db *db)
{
	sqlite3_close_v2(handle(db));
	free(db);
}

static enum res sq_exec_script(struct db *db, const char *sql, struct err *e)
{
	int rc = sqlite3_exec(handle(db), sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? RES_OK : sq_error(handle(db), rc, e);
}

static enum res sq_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e)
{
	struct sq_stmt *st = calloc(1, sizeof *st);
	if (!st)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	static const char returning[] = " RETURNING id";
	size_t n = strlen(sql), rn = sizeof returning - 1;
	st->rowid = strncmp(sql, "INSERT INTO ", 12) == 0 && n > rn &&
		    strcmp(sql + n - rn, returning) == 0 && !strstr(sql, "ON CONFLICT");
	int rc = sqlite3_prepare_v3(handle(db), sql, st->rowid ? (int)(n - rn) : -1,
				    SQLITE_PREPARE_PERSISTENT, &st->h, NULL);
	if (rc != SQLITE_OK) {
		enum res r = sq_error(handle(db), rc, e);
		free(st);
		return r;
	}
	*out = &st->base;
	return RES_OK;
}

static void sq_stmt_free(struct db_stmt *st)
{
	sqlite3_finalize(S(st)->h);
	free(st);
}

static void sq_bind_i64(struct db_stmt *st, int idx, int64_t v) { sqlite3_bind_int64(S(st)->h, idx, v); }
static void sq_bind_textn(struct db_stmt *st, int idx, const char *s, size_t n)
{
	sqlite3_bind_text64(S(st)->h, idx, s, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}
static void sq_bind_null(struct db_stmt *st, int idx) { sqlite3_bind_null(S(st)->h, idx); }
static void sq_bind_blob(struct db_stmt *st, int idx, const void *p, size_t n)
{
	sqlite3_bind_blob64(S(st)->h, idx, p, n, SQLITE_TRANSIENT);
}

static int sq_step(struct db_stmt *st, struct err *e)
{
	struct sq_stmt *q = S(st);
	if (q->rowid && q->rowid_state) {
		q->rowid_state = 2;
		return DB_DONE;
	}
	int rc = sqlite3_step(q->h);
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE) {
		q->changes = sqlite3_changes64(handle(st->db));
		if (q->rowid) {
			q->last_id = sqlite3_last_insert_rowid(handle(st->db));
			q->rowid_state = 1;
			return DB_ROW;
		}
		return DB_DONE;
	}
	sqlite3 *h = handle(st->db);
	sqlite3_reset(S(st)->h);
	return -(int)sq_error(h, rc, e);
}

static void sq_reset(struct db_stmt *st)
{
	S(st)->rowid_state = 0;
	sqlite3_reset(S(st)->h);
	sqlite3_clear_bindings(S(st)->h);
}

static int sq_col_count(struct db_stmt *st)
{
	return S(st)->rowid ? 1 : sqlite3_column_count(S(st)->h);
}
static bool sq_col_null(struct db_stmt *st, int col)
{
	if (S(st)->rowid)
		return false;
	return sqlite3_column_type(S(st)->h, col) == SQLITE_NULL;
}
static int64_t sq_col_i64(struct db_stmt *st, int col)
{
	if (S(st)->rowid)
		return S(st)->last_id;
	return sqlite3_column_int64(S(st)->h, col);
}
static const char *sq_col_text(struct db_stmt *st, int col, size_t *len)
{
	struct sq_stmt *q = S(st);
	if (q->rowid) {
		int k = snprintf(q->id_text, sizeof q->id_text, "%lld", (long long)q->last_id);
		if (len)
			*len = (size_t)k;
		return q->id_text;
	}
	const unsigned char *t = sqlite3_column_text(S(st)->h, col);
	size_t n = (size_t)sqlite3_column_bytes(S(st)->h, col);
	if (!t) {
		t = (const unsigned char *)"";
		n = 0;
	}
	if (len)
		*len = n;
	return (const char *)t;
}
static const void *sq_col_blob(struct db_stmt *st, int col, size_t *len)
{
	const void *p = S(st)->rowid ? NULL : sqlite3_column_blob(S(st)->h, col);
	size_t n = p ? (size_t)sqlite3_column_bytes(S(st)->h, col) : 0;
	*len = n;
	return p ? p : "";
}
static int64_t sq_changes(struct db_stmt *st) { return S(st)->changes; }

static const struct db_ops sq_ops = {
	.close = sq_close,
	.exec_script = sq_exec_script,
	.prepare = sq_prepare,
	.stmt_free = sq_stmt_free,
	.bind_i64 = sq_bind_i64,
	.bind_textn = sq_bind_textn,
	.bind_null = sq_bind_null,
	.bind_blob = sq_bind_blob,
	.step = sq_step,
	.reset = sq_reset,
	.col_count = sq_col_count,
	.col_null = sq_col_null,
	.col_i64 = sq_col_i64,
	.col_text = sq_col_text,
	.col_blob = sq_col_blob,
	.changes = sq_changes,
};

enum res db_sqlite_open(const char *path, struct db **out, struct err *e)
{
	struct sq_db *db = calloc(1, sizeof *db);
	if (!db)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	db->base.ops = &sq_ops;
	db->base.kind = DB_SQLITE;
	int rc = sqlite3_open_v2(path, &db->h,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		err_set(e, RES_IO, "database_open", NULL, "cannot open SQLite database %s: %s", path,
			db->h ? sqlite3_errmsg(db->h) : "out of memory");
		sqlite3_close_v2(db->h);
		free(db);
		return RES_IO;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, 10000);
	static const char setup[] = "PRAGMA journal_mode=WAL;"
				    "PRAGMA synchronous=NORMAL;"
				    "PRAGMA foreign_keys=ON;"
				    "PRAGMA temp_store=MEMORY;";
	rc = sqlite3_exec(db->h, setup, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		err_set(e, RES_IO, "database_open", NULL, "cannot set up SQLite database %s: %s", path,
			sqlite3_errmsg(db->h));
		sqlite3_close_v2(db->h);
		free(db);
		return RES_IO;
	}
	*out = &db->base;
	return RES_OK;
}
