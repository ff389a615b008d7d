/* Programs: the insurer, contract and services they name are upserted; the
 * program keeps its whole definition as canonical JSON, with every version. */
#include <string.h>

#include "store/store_impl.h"

static const char sql_insurer_upsert[] =
	"INSERT INTO insurers (code, name, created_at) VALUES (?, ?, ?) "
	"ON CONFLICT (code) DO UPDATE SET name = excluded.name RETURNING id";
static const char sql_contract_upsert[] =
	"INSERT INTO contracts (insurer_id, number, currency, starts, ends, created_at, updated_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (insurer_id, number) DO UPDATE SET "
	"currency = excluded.currency, starts = excluded.starts, ends = excluded.ends, "
	"updated_at = excluded.updated_at RETURNING id";
static const char sql_service_upsert[] =
	"INSERT INTO services (code, category, name_en, name_ru, name_zh, unit, updated_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET category = excluded.category, "
	"name_en = excluded.name_en, name_ru = excluded.name_ru, name_zh = excluded.name_zh, "
	"unit = excluded.unit, updated_at = excluded.updated_at";
static const char sql_program_find[] =
	"SELECT id, version, definition FROM programs WHERE code = ?";
static const char sql_program_insert[] =
	"INSERT INTO programs (code, contract_id, name_en, name_ru, name_zh, currency, sum_insured, "
	"version, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) "
	"RETURNING id";
static const char sql_program_update[] =
	"UPDATE programs SET contract_id = ?, name_en = ?, name_ru = ?, name_zh = ?, currency = ?, "
	"sum_insured = ?, version = ?, definition = ?, updated_at = ? WHERE id = ?";
static const char sql_version_insert[] =
	"INSERT INTO program_versions (program_id, version, definition, created_at, created_by) "
	"VALUES (?, ?, ?, ?, ?)";

#define PROGRAM_COLS                                                                              \
	"p.id, p.code, p.version, p.name_en, p.name_ru, p.name_zh, p.currency, p.sum_insured, "   \
	"i.code, i.name, c.number, p.created_at, p.updated_at, c.starts, c.ends"
static const char sql_program_get[] =
	"SELECT " PROGRAM_COLS ", p.definition FROM programs p JOIN contracts c ON c.id = "
	"p.contract_id JOIN insurers i ON i.id = c.insurer_id WHERE p.code = ?";
static const char sql_program_list[] =
	"SELECT " PROGRAM_COLS " FROM programs p JOIN contracts c ON c.id = p.contract_id JOIN "
	"insurers i ON i.id = c.insurer_id ORDER BY p.code";

static enum res returning_id(struct db_stmt *st, int64_t *id, struct err *e)
{
	enum res r;
	if (store_step(st, &r, e) == DB_ROW)
		*id = db_col_i64(st, 0);
	else if (!r)
		r = err_set(e, RES_INTERNAL, NULL, NULL, "no id returned");
	db_reset(st);
	return r;
}

static enum res upsert_refs(struct db *db, const struct program_def *p, int64_t now,
			    int64_t *contract_id, struct err *e)
{
	struct db_stmt *st;
	int64_t insurer_id;
	char starts[11], ends[11];
	enum res r;
	if ((r = db_prepare(db, sql_insurer_upsert, &st, e)))
		return r;
	db_bind_text(st, 1, p->insurer_code);
	db_bind_text(st, 2, p->insurer_name);
	db_bind_i64(st, 3, now);
	if ((r = returning_id(st, &insurer_id, e)))
		return r;
	date_format(p->contract_starts, starts);
	date_format(p->contract_ends, ends);
	if ((r = db_prepare(db, sql_contract_upsert, &st, e)))
		return r;
	db_bind_i64(st, 1, insurer_id);
	db_bind_text(st, 2, p->contract_number);
	db_bind_text(st, 3, p->currency);
	db_bind_text(st, 4, starts);
	db_bind_text(st, 5, ends);
	db_bind_i64(st, 6, now);
	db_bind_i64(st, 7, now);
	if ((r = returning_id(st, contract_id, e)))
		return r;
	for (size_t i = 0; i < p->nservices; i++) {
		const struct program_service *s = &p->services[i];
		if ((r = db_prepare(db, sql_service_upsert, &st, e)))
			return r;
		db_bind_text(st, 1, s->code);
		db_bind_text(st, 2, s->category);
		db_bind_text(st, 3, s->name.en);
		db_bind_text(st, 4, s->name.ru);
		db_bind_text(st, 5, s->name.zh);
		db_bind_text(st, 6, s->unit);
		db_bind_i64(st, 7, now);
		if ((r = store_exec(st, e)))
			return r;
	}
	return RES_OK;
}

enum res store_program_save(struct db *db, const struct program_def *p, const char *definition,
			    const char *actor, int64_t now, struct arena *a,
			    struct program_saved *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_program_find, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, p->code);
	int rc = store_step(st, &r, e);
	if (rc == DB_ROW) {
		out->id = db_col_i64(st, 0);
		out->version = db_col_i64(st, 1);
		out->before = store_col_dup(st, 2, a);
		if (!out->before)
			r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	}
	db_reset(st);
	if (r)
		return r;
	if (out->id && strcmp(out->before, definition) == 0) {
		out->outcome = PROGRAM_UNCHANGED;
		return RES_OK;
	}
	int64_t contract_id;
	if ((r = upsert_refs(db, p, now, &contract_id, e)))
		return r;
	if (!out->id) {
		if ((r = db_prepare(db, sql_program_insert, &st, e)))
			return r;
		db_bind_text(st, 1, p->code);
		db_bind_i64(st, 2, contract_id);
		db_bind_text(st, 3, p->name.en);
		db_bind_text(st, 4, p->name.ru);
		db_bind_text(st, 5, p->name.zh);
		db_bind_text(st, 6, p->currency);
		db_bind_i64(st, 7, p->sum_insured);
		db_bind_text(st, 8, definition);
		db_bind_i64(st, 9, now);
		db_bind_i64(st, 10, now);
		if ((r = returning_id(st, &out->id, e)))
			return r;
		out->version = 1;
		out->outcome = PROGRAM_CREATED;
	} else {
		out->version++;
		if ((r = db_prepare(db, sql_program_update, &st, e)))
			return r;
		db_bind_i64(st, 1, contract_id);
		db_bind_text(st, 2, p->name.en);
		db_bind_text(st, 3, p->name.ru);
		db_bind_text(st, 4, p->name.zh);
		db_bind_text(st, 5, p->currency);
		db_bind_i64(st, 6, p->sum_insured);
		db_bind_i64(st, 7, out->version);
		db_bind_text(st, 8, definition);
		db_bind_i64(st, 9, now);
		db_bind_i64(st, 10, out->id);
		if ((r = store_exec(st, e)))
			return r;
		out->outcome = PROGRAM_UPDATED;
	}
	if ((r = db_prepare(db, sql_version_insert, &st, e)))
		return r;
	db_bind_i64(st, 1, out->id);
	db_bind_i64(st, 2, out->version);
	db_bind_text(st, 3, definition);
	db_bind_i64(st, 4, now);
	db_bind_text(st, 5, actor ? actor : "");
	return store_exec(st, e);
}

static enum res read_row(struct db_stmt *st, struct arena *a, struct program_row *p, bool def,
			 struct err *e)
{
	memset(p, 0, sizeof *p);
	p->id = db_col_i64(st, 0);
	p->code = store_col_dup(st, 1, a);
	p->version = db_col_i64(st, 2);
	p->name_en = store_col_dup(st, 3, a);
	p->name_ru = db_col_null(st, 4) ? NULL : store_col_dup(st, 4, a);
	p->name_zh = db_col_null(st, 5) ? NULL : store_col_dup(st, 5, a);
	p->currency = store_col_dup(st, 6, a);
	p->sum_insured = db_col_i64(st, 7);
	p->insurer_code = store_col_dup(st, 8, a);
	p->insurer_name = store_col_dup(st, 9, a);
	p->contract_number = store_col_dup(st, 10, a);
	p->created_at = db_col_i64(st, 11);
	p->updated_at = db_col_i64(st, 12);
	p->contract_starts = store_col_dup(st, 13, a);
	p->contract_ends = store_col_dup(st, 14, a);
	if (def)
		p->definition = store_col_dup(st, 15, a);
	if (!p->code || !p->name_en || !p->currency || !p->insurer_code || !p->insurer_name ||
	    !p->contract_number || !p->contract_starts || !p->contract_ends ||
	    (def && !p->definition))
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	return RES_OK;
}

enum res store_program_get(struct db *db, const char *code, struct arena *a,
			   struct program_row *out, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_program_get, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, code);
	int rc = store_step(st, &r, e);
	if (rc == DB_ROW)
		r = read_row(st, a, out, true, e);
	else if (rc == DB_DONE)
		r = err_set(e, RES_NOT_FOUND, "not_found", NULL, "no program with this code");
	db_reset(st);
	return r;
}

enum res store_program_list(struct db *db, struct arena *a, struct program_row **items, size_t *n,
			    struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_program_list, &st, e);
	if (r)
		return r;
	size_t cap = 0;
	*items = NULL;
	*n = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
			break;
		}
		if ((r = read_row(st, a, &(*items)[*n], false, e)))
			break;
		(*n)++;
	}
	db_reset(st);
	return r;
}
