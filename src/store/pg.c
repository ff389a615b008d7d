/* PostgreSQL backend of store/db.h, on libpq. Statements are prepared on the
 * server the first time a connection uses them (named "s<n>"); '?'
 * placeholders are rewritten to $n. Values travel in text format. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/str.h"
#include "store/db_impl.h"

#define PG_MAX_PARAMS 64

struct pg_db {
	struct db base;
	PGconn *h;
	unsigned next_id;
	unsigned generation; /* bumped when the connection is reset: statements re-prepare */
};

struct pg_stmt {
	struct db_stmt base;
	char name[16];
	char *sql;         /* rewritten with $n */
	int nparams;
	unsigned prepared_gen; /* generation it was prepared in, 0 = never */
	char *vals[PG_MAX_PARAMS];
	int lens[PG_MAX_PARAMS];
	char numbuf[PG_MAX_PARAMS][24];
	bool owned[PG_MAX_PARAMS];
	int formats[PG_MAX_PARAMS]; /* 1: binary (bytea), 0: text */
	unsigned char *blob;        /* the last db_col_blob, decoded; PQfreemem */
	PGresult *res;
	int row, nrows;
	int64_t changes;
};

static struct pg_db *D(struct db *db) { return (struct pg_db *)db; }
static struct pg_stmt *S(struct db_stmt *st) { return (struct pg_stmt *)st; }

static enum res pg_result_error(struct pg_db *db, const PGresult *res, struct err *e)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state && (strcmp(state, "23505") == 0))
		return err_set(e, RES_CONFLICT, "conflict", NULL, "already exists");
	if (state && strcmp(state, "23503") == 0)
		return err_set(e, RES_CONFLICT, "conflict", NULL,
			       "refers to a record that does not exist or is still referenced");
	if (state && strncmp(state, "23", 2) == 0)
		return err_set(e, RES_UNPROCESSABLE, "constraint", NULL, "breaks a data rule");
	if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
		      strcmp(state, "55P03") == 0))
		return err_set(e, RES_BUSY, "busy", NULL, "the database is busy, try again");
	if (log_enabled(LOG_ERROR)) {
		struct logb lb;
		logb_begin(&lb, LOG_ERROR, "pg_error");
		logb_str(&lb, "sqlstate", state ? state : "");
		logb_str(&lb, "msg", res ? PQresultErrorMessage(res) : PQerrorMessage(db->h));
		logb_end(&lb);
	}
	if (PQstatus(db->h) == CONNECTION_BAD) {
		PQreset(db->h);
		db->generation++;
		db->base.in_tx = false;
	}
	return err_set(e, RES_DB, "database_error", NULL, "database error");
}

static void pg_close(struct db *db)
{
	PQfinish(D(db)->h);
	free(db);
}

static enum res pg_exec_script(struct db *db, const char *sql, struct err *e)
{
	PGresult *res = PQexec(D(db)->h, sql);
	ExecStatusType s = PQresultStatus(res);
	enum res r = RES_OK;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY)
		r = pg_result_error(D(db), res, e);
	PQclear(res);
	return r;
}

/* Rewrite '?' outside quotes and comments to $1, $2 ... */
static char *rewrite(const char *sql, int *nparams)
{
	size_t n = strlen(sql);
	char *out = malloc(n * 4 + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	int count = 0;
	char quote = 0;
	for (size_t i = 0; i < n; i++) {
		char c = sql[i];
		if (quote) {
			if (c == quote)
				quote = 0;
			out[o++] = c;
		} else if (c == '\'' || c == '"') {
			quote = c;
			out[o++] = c;
		} else if (c == '-' && sql[i + 1] == '-') {
			while (i < n && sql[i] != '\n')
				out[o++] = sql[i++];
			if (i < n)
				out[o++] = '\n';
		} else if (c == '?') {
			o += (size_t)snprintf(out + o, 8, "$%d", ++count);
		} else {
			out[o++] = c;
		}
	}
	out[o] = '\0';
	*nparams = count;
	return out;
}

static enum res pg_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e)
{
	struct pg_stmt *st = calloc(1, sizeof *st);
	if (!st)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	st->sql = rewrite(sql, &st->nparams);
	if (!st->sql || st->nparams > PG_MAX_PARAMS) {
		free(st->sql);
		free(st);
		return err_set(e, RES_INTERNAL, NULL, NULL, "statement has too many parameters");
	}
	snprintf(st->name, sizeof st->name, "s%u", ++D(db)->next_id);
	*out = &st->base;
	return RES_OK;
}

static void clear_params(struct pg_stmt *st)
{
	for (int i = 0; i < PG_MAX_PARAMS; i++) {
		if (st->owned[i])
			free(st->vals[i]);
		st->vals[i] = NULL;
		st->owned[i] = false;
		st->lens[i] = 0;
		st->formats[i] = 0;
	}
}

static void blob_free(struct pg_stmt *st)
{
	if (st->blob)
		PQfreemem(st->blob);
	st->blob = NULL;
}

static void pg_reset(struct db_stmt *bst)
{
	struct pg_stmt *st = S(bst);
	if (st->res)
		PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->nrows = 0;
	blob_free(st);
	clear_params(st);
}

static void pg_stmt_free(struct db_stmt *bst)
{
	pg_reset(bst);
	free(S(bst)->sql);
	free(bst);
}

static void pg_bind_i64(struct db_stmt *bst, int idx, int64_t v)
{
	struct pg_stmt *st = S(bst);
	if (idx < 1 || idx > PG_MAX_PARAMS)
		return;
	int i = idx - 1;
	if (st->owned[i])
		free(st->vals[i]);
	st->owned[i] = false;
	st->formats[i] = 0;
	snprintf(st->numbuf[i], sizeof st->numbuf[i], "%" PRId64, v);
	st->vals[i] = st->numbuf[i];
}

static void pg_bind_textn(struct db_stmt *bst, int idx, const char *s, size_t n)
{
	struct pg_stmt *st = S(bst);
	if (idx < 1 || idx > PG_MAX_PARAMS)
		return;
	int i = idx - 1;
	if (st->owned[i])
		free(st->vals[i]);
	st->formats[i] = 0;
	st->vals[i] = malloc(n + 1);
	st->owned[i] = st->vals[i] != NULL;
	if (st->vals[i]) {
		memcpy(st->vals[i], s, n);
		st->vals[i][n] = '\0';
	}
}

/* bytea goes in binary format: the bytes as they are, with their length
 * (the text format would need escaping and double the size). */
static void pg_bind_blob(struct db_stmt *bst, int idx, const void *p, size_t n)
{
	struct pg_stmt *st = S(bst);
	if (idx < 1 || idx > PG_MAX_PARAMS || n > INT32_MAX)
		return;
	int i = idx - 1;
	if (st->owned[i])
		free(st->vals[i]);
	st->vals[i] = malloc(n ? n : 1);
	st->owned[i] = st->vals[i] != NULL;
	st->lens[i] = (int)n;
	st->formats[i] = 1;
	if (st->vals[i] && n)
		memcpy(st->vals[i], p, n);
}

static void pg_bind_null(struct db_stmt *bst, int idx)
{
	struct pg_stmt *st = S(bst);
	if (idx < 1 || idx > PG_MAX_PARAMS)
		return;
	int i = idx - 1;
	if (st->owned[i])
		free(st->vals[i]);
	st->owned[i] = false;
	st->formats[i] = 0;
	st->vals[i] = NULL;
}

static int pg_step(struct db_stmt *bst, struct err *e)
{
	struct pg_stmt *st = S(bst);
	struct pg_db *db = D(bst->db);
	blob_free(st);
	if (!st->res) {
		if (st->prepared_gen != db->generation + 1) {
			PGresult *p = PQprepare(db->h, st->name, st->sql, st->nparams, NULL);
			if (PQresultStatus(p) != PGRES_COMMAND_OK) {
				enum res r = pg_result_error(db, p, e);
				PQclear(p);
				return -(int)r;
			}
			PQclear(p);
			st->prepared_gen = db->generation + 1;
		}
		st->res = PQexecPrepared(db->h, st->name, st->nparams,
					 (const char *const *)st->vals, st->lens, st->formats, 0);
		ExecStatusType s = PQresultStatus(st->res);
		if (s == PGRES_COMMAND_OK) {
			const char *t = PQcmdTuples(st->res);
			int64_t ch = 0;
			st->changes = (t && *t && !str_to_i64(t, strlen(t), &ch)) ? ch : 0;
			st->nrows = 0;
		} else if (s == PGRES_TUPLES_OK) {
			st->nrows = PQntuples(st->res);
			const char *t = PQcmdTuples(st->res);
			int64_t ch = 0;
			st->changes = (t && *t && !str_to_i64(t, strlen(t), &ch)) ? ch : 0;
		} else {
			enum res r = pg_result_error(db, st->res, e);
			PQclear(st->res);
			st->res = NULL;
			return -(int)r;
		}
		st->row = -1;
	}
	st->row++;
	return st->row < st->nrows ? DB_ROW : DB_DONE;
}

static int pg_col_count(struct db_stmt *bst)
{
	return S(bst)->res ? PQnfields(S(bst)->res) : 0;
}

static bool pg_col_null(struct db_stmt *bst, int col)
{
	struct pg_stmt *st = S(bst);
	return !st->res || st->row < 0 || st->row >= st->nrows || PQgetisnull(st->res, st->row, col);
}

static const char *pg_col_text(struct db_stmt *bst, int col, size_t *len)
{
	struct pg_stmt *st = S(bst);
	if (pg_col_null(bst, col)) {
		if (len)
			*len = 0;
		return "";
	}
	if (len)
		*len = (size_t)PQgetlength(st->res, st->row, col);
	return PQgetvalue(st->res, st->row, col);
}

static int64_t pg_col_i64(struct db_stmt *bst, int col)
{
	size_t n;
	const char *t = pg_col_text(bst, col, &n);
	if (n == 1 && (t[0] == 't' || t[0] == 'f'))
		return t[0] == 't';
	int64_t v = 0;
	if (n && str_to_i64(t, n, &v))
		return 0;
	return v;
}

/* Results come in text format, where bytea is "\\x" and hex digits:
 * PQunescapeBytea gives the bytes back. */
static const void *pg_col_blob(struct db_stmt *bst, int col, size_t *len)
{
	struct pg_stmt *st = S(bst);
	blob_free(st);
	*len = 0;
	if (pg_col_null(bst, col))
		return "";
	size_t n = 0;
	st->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, col), &n);
	if (!st->blob)
		return NULL;
	*len = n;
	return st->blob;
}

static int64_t pg_changes(struct db_stmt *bst) { return S(bst)->changes; }

static const struct db_ops pg_ops = {
	.close = pg_close,
	.exec_script = pg_exec_script,
	.prepare = pg_prepare,
	.stmt_free = pg_stmt_free,
	.bind_i64 = pg_bind_i64,
	.bind_textn = pg_bind_textn,
	.bind_null = pg_bind_null,
	.bind_blob = pg_bind_blob,
	.step = pg_step,
	.reset = pg_reset,
	.col_count = pg_col_count,
	.col_null = pg_col_null,
	.col_i64 = pg_col_i64,
	.col_text = pg_col_text,
	.col_blob = pg_col_blob,
	.changes = pg_changes,
};

static void pg_notice_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg; /* NOTICEs (e.g. "relation already exists, skipping") are not errors */
}

enum res db_pg_open(const char *url, struct db **out, struct err *e)
{
	struct pg_db *db = calloc(1, sizeof *db);
	if (!db)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	db->base.ops = &pg_ops;
	db->base.kind = DB_PG;
	db->h = PQconnectdb(url);
	if (PQstatus(db->h) != CONNECTION_OK) {
		/* libpq's message may repeat the URL with its password: do not pass it on */
		err_set(e, RES_IO, "database_open", NULL, "cannot connect to PostgreSQL: %s",
			strstr(PQerrorMessage(db->h), "password") ? "authentication failed"
								  : PQerrorMessage(db->h));
		PQfinish(db->h);
		free(db);
		return RES_IO;
	}
	PQsetNoticeProcessor(db->h, pg_notice_quiet, NULL);
	PGresult *r = PQexec(db->h, "SET client_encoding = 'UTF8'; SET TimeZone = 'UTC'");
	PQclear(r);
	*out = &db->base;
	return RES_OK;
}
