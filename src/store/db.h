/* One database connection, SQLite or PostgreSQL, behind a small interface.
 *
 * SQL is written once with '?' placeholders (the PostgreSQL backend rewrites
 * them to $1, $2 ... when it prepares). Statements are static const strings;
 * each connection prepares a statement the first time it is used and keeps it,
 * keyed by the string's address. Values cross as int64, text, bytes or NULL; both
 * backends store instants as int64 microseconds and booleans as 0/1.
 *
 * A connection is used by one thread at a time (the pool in store.h hands it
 * out). Nothing here is thread-safe by itself. */
#ifndef ASSIST_DB_H
#define ASSIST_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum db_kind { DB_SQLITE, DB_PG };

struct db;
struct db_stmt;

/* url: a file path for SQLite, "postgresql://..." or "postgres://..." for PostgreSQL. */
enum db_kind db_kind_of_url(const char *url);
enum res db_open(const char *url, struct db **out, struct err *e) WUR;
void db_close(struct db *db);
enum db_kind db_kind(const struct db *db);

/* Run a script of several statements without parameters (migrations). */
enum res db_exec_script(struct db *db, const char *sql, struct err *e) WUR;

/* Transactions. write=true takes the write lock at once on SQLite
 * (BEGIN IMMEDIATE), so a read-then-write never fails half way. */
enum res db_begin(struct db *db, bool write, struct err *e) WUR;
enum res db_commit(struct db *db, struct err *e) WUR;
void db_rollback(struct db *db);
bool db_in_tx(const struct db *db);

/* Statements. sql must live for the program's lifetime (a static string). */
enum res db_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e) WUR;
void db_bind_i64(struct db_stmt *st, int idx, int64_t v);     /* idx from 1 */
void db_bind_text(struct db_stmt *st, int idx, const char *s); /* NULL binds NULL */
void db_bind_textn(struct db_stmt *st, int idx, const char *s, size_t n);
void db_bind_null(struct db_stmt *st, int idx);
void db_bind_bool(struct db_stmt *st, int idx, bool v);
/* Bytes for a BLOB (SQLite) or bytea (PostgreSQL, sent in binary format);
 * copied, so p need not outlive the call. */
void db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t n);

enum db_step { DB_ROW = 1, DB_DONE = 2 };
/* Returns DB_ROW, DB_DONE, or a negative value on error (e filled:
 * RES_CONFLICT for a unique or foreign-key violation, RES_BUSY, RES_DB). */
int db_step(struct db_stmt *st, struct err *e);
/* Resets bindings and results so the statement can be used again. Called
 * automatically by db_prepare, so callers need not. */
void db_reset(struct db_stmt *st);

int db_col_count(struct db_stmt *st);
bool db_col_null(struct db_stmt *st, int col); /* col from 0 */
int64_t db_col_i64(struct db_stmt *st, int col);
bool db_col_bool(struct db_stmt *st, int col);
/* Valid until the next step or reset; never NULL ("" for NULL). */
const char *db_col_text(struct db_stmt *st, int col, size_t *len);
/* The bytes of a BLOB / bytea column, *len of them; valid until the next
 * step, reset or db_col_blob call. An empty or NULL column gives *len 0 and
 * a non-NULL pointer; NULL only when out of memory (PostgreSQL decodes the
 * column's hex text form). */
const void *db_col_blob(struct db_stmt *st, int col, size_t *len);

/* Number of rows changed by the last DONE of an INSERT/UPDATE/DELETE. */
int64_t db_changes(struct db_stmt *st);

/* Convenience: run a statement expected to return at most one row. After
 * DB_ROW the caller reads columns; then must call db_reset. */

#endif
