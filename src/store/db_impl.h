/* Private to the db backends: the vtable and the statement cache. */
#ifndef ASSIST_DB_IMPL_H
#define ASSIST_DB_IMPL_H

#include "store/db.h"

struct db_ops {
	void (*close)(struct db *db);
	enum res (*exec_script)(struct db *db, const char *sql, struct err *e);
	enum res (*prepare)(struct db *db, const char *sql, struct db_stmt **out, struct err *e);
	void (*stmt_free)(struct db_stmt *st);
	void (*bind_i64)(struct db_stmt *st, int idx, int64_t v);
	void (*bind_textn)(struct db_stmt *st, int idx, const char *s, size_t n);
	void (*bind_null)(struct db_stmt *st, int idx);
	void (*bind_blob)(struct db_stmt *st, int idx, const void *p, size_t n);
	int (*step)(struct db_stmt *st, struct err *e);
	void (*reset)(struct db_stmt *st);
	int (*col_count)(struct db_stmt *st);
	bool (*col_null)(struct db_stmt *st, int col);
	int64_t (*col_i64)(struct db_stmt *st, int col);
	const char *(*col_text)(struct db_stmt *st, int col, size_t *len);
	const void *(*col_blob)(struct db_stmt *st, int col, size_t *len);
	int64_t (*changes)(struct db_stmt *st);
};

struct stmt_slot {
	const char *sql; /* key: the address of the static SQL text */
	struct db_stmt *st;
};

struct db {
	const struct db_ops *ops;
	enum db_kind kind;
	bool in_tx;
	struct stmt_slot *slots; /* open addressing, power-of-two size */
	size_t nslots, used;
};

/* Every backend statement starts with this. */
struct db_stmt {
	struct db *db;
	const char *sql;
};

enum res db_sqlite_open(const char *path, struct db **out, struct err *e);
enum res db_pg_open(const char *url, struct db **out, struct err *e);

#endif
