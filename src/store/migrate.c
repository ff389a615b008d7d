/* Versioned schema migrations, compiled in from migrations/{sqlite,pg}.
 * A file NNNN_name.sql brings the schema to version NNNN. */
#include <stdio.h>
#include <string.h>

#include "base/embed.h"
#include "base/log.h"
#include "base/str.h"
#include "store/store.h"

extern const struct embedded migrations_sqlite[];
extern const struct embedded migrations_pg[];

static const struct embedded *list_for(enum db_kind kind)
{
	return kind == DB_PG ? migrations_pg : migrations_sqlite;
}

static int file_version(const struct embedded *m)
{
	int64_t v = 0;
	size_t n = 0;
	while (m->name[n] >= '0' && m->name[n] <= '9')
		n++;
	if (!n || str_to_i64(m->name, n, &v))
		return -1;
	return (int)v;
}

int store_schema_latest(enum db_kind kind)
{
	int latest = 0;
	for (const struct embedded *m = list_for(kind); m->name; m++)
		if (file_version(m) > latest)
			latest = file_version(m);
	return latest;
}

static const char sql_meta_create[] =
	"CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at BIGINT NOT NULL)";
static const char sql_meta_get[] = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
static const char sql_meta_put[] = "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)";
static const char sql_has_meta_sqlite[] =
	"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";
static const char sql_has_meta_pg[] =
	"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
	"AND table_name = 'schema_version'";

enum res store_schema_version(struct db *db, int *version, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, db_kind(db) == DB_PG ? sql_has_meta_pg : sql_has_meta_sqlite,
				&st, e);
	if (r)
		return r;
	int rc = store_step(st, &r, e);
	if (!rc)
		return r;
	int64_t has = db_col_i64(st, 0);
	db_reset(st);
	*version = 0;
	if (!has)
		return RES_OK;
	if ((r = db_prepare(db, sql_meta_get, &st, e)))
		return r;
	if (!(rc = store_step(st, &r, e)))
		return r;
	*version = (int)db_col_i64(st, 0);
	db_reset(st);
	return RES_OK;
}

#include "base/clock.h"

enum res store_migrate(struct db *db, int *from, int *to, struct err *e)
{
	enum res r;
	int cur;
	if ((r = db_begin(db, true, e)))
		return r;
	if (db_kind(db) == DB_PG &&
	    (r = db_exec_script(db, "SELECT pg_advisory_xact_lock(7233001)", e)))
		goto fail;
	if ((r = db_exec_script(db, sql_meta_create, e)))
		goto fail;
	if ((r = store_schema_version(db, &cur, e)))
		goto fail;
	*from = cur;
	int latest = store_schema_latest(db_kind(db));
	if (cur > latest) {
		r = err_set(e, RES_UNPROCESSABLE, "schema_too_new", NULL,
			    "the database is at schema version %d but this assist knows only up to %d: "
			    "use a newer assist",
			    cur, latest);
		goto fail;
	}
	for (int v = cur + 1; v <= latest; v++) {
		const struct embedded *m = list_for(db_kind(db));
		while (m->name && file_version(m) != v)
			m++;
		if (!m->name) {
			r = err_set(e, RES_INTERNAL, NULL, NULL, "migration %d is missing", v);
			goto fail;
		}
		if ((r = db_exec_script(db, m->data, e))) {
			char msg[sizeof e->message];
			snprintf(msg, sizeof msg, "%s", e ? e->message : "");
			err_set(e, r, "migration_failed", NULL, "migration %s failed: %s", m->name, msg);
			goto fail;
		}
		struct db_stmt *st;
		if ((r = db_prepare(db, sql_meta_put, &st, e)))
			goto fail;
		db_bind_i64(st, 1, v);
		db_bind_i64(st, 2, clock_now_us());
		if ((r = store_exec(st, e)))
			goto fail;
		if (log_enabled(LOG_INFO)) {
			struct logb lb;
			logb_begin(&lb, LOG_INFO, "migration_applied");
			logb_str(&lb, "name", m->name);
			logb_end(&lb);
		}
	}
	*to = latest;
	return db_commit(db, e);
fail:
	db_rollback(db);
	return r;
}
