/* Insured persons, policies and the coverage ledger. */
#include <string.h>

#include "store/store_impl.h"

#define PERSON_COLS STORE_PERSON_COLS

static const char sql_person_insert[] =
	"INSERT INTO persons (last_name, first_name, middle_name, birth_date, sex, phone, email, "
	"document, address, city, language, time_zone, created_at, updated_at, import_id) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_person_get[] = "SELECT " PERSON_COLS " FROM persons WHERE id = ?";
static const char sql_person_by_document[] =
	"SELECT " PERSON_COLS " FROM persons WHERE document = ? ORDER BY id LIMIT 1";
static const char sql_person_by_identity[] =
	"SELECT " PERSON_COLS " FROM persons WHERE last_name = ? AND first_name = ? AND "
	"COALESCE(middle_name, '') = ? AND birth_date = ? ORDER BY id LIMIT 1";

#define POLICY_COLS                                                                               \
	"p.id, p.number, p.program_id, g.code, p.person_id, p.packages, p.start_date, p.end_date, "  \
	"p.status, p.sum_insured, COALESCE(p.previous_id, 0), COALESCE(q.number, ''), p.version, "   \
	"p.created_at, p.updated_at, g.currency, COALESCE(p.import_id, 0)"
#define POLICY_FROM                                                                               \
	" FROM policies p JOIN programs g ON g.id = p.program_id LEFT JOIN policies q ON q.id = "    \
	"p.previous_id "

static const char sql_policy_insert[] =
	"INSERT INTO policies (number, program_id, person_id, packages, start_date, end_date, status, "
	"sum_insured, previous_id, version, created_at, updated_at, import_id) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id";
static const char sql_policy_update[] =
	"UPDATE policies SET program_id = ?, person_id = ?, packages = ?, start_date = ?, end_date = ?, "
	"status = ?, sum_insured = ?, previous_id = ?, version = version + 1, updated_at = ? WHERE id = ?";
static const char sql_policy_by_number[] = "SELECT " POLICY_COLS POLICY_FROM "WHERE p.number = ?";
static const char sql_policy_of_person[] =
	"SELECT " POLICY_COLS POLICY_FROM "WHERE p.person_id = ? ORDER BY p.start_date DESC, p.id DESC";
/* The active policy rule (docs/programs.md): active status, the date within
 * the term; of overlapping ones the latest start wins, then the newest. */
static const char sql_policy_active[] =
	"SELECT " POLICY_COLS POLICY_FROM "WHERE p.person_id = ? AND p.status = 'active' AND "
	"p.start_date <= ? AND p.end_date >= ? ORDER BY p.start_date DESC, p.id DESC LIMIT 1";

static const char sql_usage_of_policy[] =
	"SELECT limit_key, window_first, case_id, used FROM coverage_usage WHERE policy_id = ?";
static const char sql_days_of_policy[] =
	"SELECT limit_key, window_first, case_id, day FROM coverage_days WHERE policy_id = ? "
	"ORDER BY limit_key, window_first, case_id, day";

static const char *dup_or_null(struct db_stmt *st, int col, struct arena *a)
{
	return db_col_null(st, col) ? NULL : store_col_dup(st, col, a);
}

static enum res read_person(struct db_stmt *st, struct arena *a, struct person *p, struct err *e)
{
	memset(p, 0, sizeof *p);
	p->id = db_col_i64(st, 0);
	p->last_name = store_col_dup(st, 1, a);
	p->first_name = store_col_dup(st, 2, a);
	p->middle_name = dup_or_null(st, 3, a);
	p->birth_date = store_col_dup(st, 4, a);
	p->sex = store_col_dup(st, 5, a);
	p->phone = dup_or_null(st, 6, a);
	p->email = dup_or_null(st, 7, a);
	p->document = dup_or_null(st, 8, a);
	p->address = dup_or_null(st, 9, a);
	p->city = dup_or_null(st, 10, a);
	p->language = store_col_dup(st, 11, a);
	p->time_zone = store_col_dup(st, 12, a);
	p->created_at = db_col_i64(st, 13);
	p->updated_at = db_col_i64(st, 14);
	if (!p->last_name || !p->first_name || !p->birth_date || !p->sex || !p->language ||
	    !p->time_zone)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	return RES_OK;
}

enum res store_person_read(struct db_stmt *st, struct arena *a, struct person *p, struct err *e)
{
	return read_person(st, a, p, e);
}

enum res store_person_insert(struct db *db, struct person *p, int64_t now, struct err *e)
{
	if (!p->language)
		p->language = "ru";
	if (!p->time_zone)
		p->time_zone = "Europe/Moscow";
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_person_insert, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, p->last_name);
	db_bind_text(st, 2, p->first_name);
	db_bind_text(st, 3, p->middle_name);
	db_bind_text(st, 4, p->birth_date);
	db_bind_text(st, 5, p->sex);
	db_bind_text(st, 6, p->phone);
	db_bind_text(st, 7, p->email);
	db_bind_text(st, 8, p->document);
	db_bind_text(st, 9, p->address);
	db_bind_text(st, 10, p->city);
	db_bind_text(st, 11, p->language);
	db_bind_text(st, 12, p->time_zone);
	db_bind_i64(st, 13, now);
	db_bind_i64(st, 14, now);
	if (p->import_id)
		db_bind_i64(st, 15, p->import_id);
	else
		db_bind_null(st, 15);
	if (store_step(st, &r, e) == DB_ROW)
		p->id = db_col_i64(st, 0);
	else if (!r)
		r = err_set(e, RES_INTERNAL, NULL, NULL, "no id returned");
	db_reset(st);
	p->created_at = p->updated_at = now;
	if (!r)
		r = store_search_person(db, p->id, p->last_name, p->first_name, p->middle_name,
					p->document, false, e);
	return r;
}

static enum res person_one(struct db *db, const char *sql, struct db_stmt **stp, struct arena *a,
			   struct person *out, bool *found, struct err *e)
{
	enum res r;
	struct db_stmt *st = *stp;
	int rc = store_step(st, &r, e);
	*found = rc == DB_ROW;
	if (rc == DB_ROW)
		r = read_person(st, a, out, e);
	db_reset(st);
	(void)db;
	(void)sql;
	return r;
}

enum res store_person_get(struct db *db, int64_t id, struct arena *a, struct person *out,
			  struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_person_get, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, id);
	bool found;
	if ((r = person_one(db, sql_person_get, &st, a, out, &found, e)))
		return r;
	return found ? RES_OK : err_set(e, RES_NOT_FOUND, "not_found", NULL, "no such person");
}

enum res store_person_match(struct db *db, const struct person *p, struct arena *a,
			    struct person *out, bool *found, struct err *e)
{
	struct db_stmt *st;
	enum res r;
	*found = false;
	if (p->document && *p->document) {
		if ((r = db_prepare(db, sql_person_by_document, &st, e)))
			return r;
		db_bind_text(st, 1, p->document);
		if ((r = person_one(db, sql_person_by_document, &st, a, out, found, e)) || *found)
			return r;
	}
	if ((r = db_prepare(db, sql_person_by_identity, &st, e)))
		return r;
	db_bind_text(st, 1, p->last_name);
	db_bind_text(st, 2, p->first_name);
	db_bind_text(st, 3, p->middle_name ? p->middle_name : "");
	db_bind_text(st, 4, p->birth_date);
	r = person_one(db, sql_person_by_identity, &st, a, out, found, e);
	/* a different document on record means a different person of the same name */
	if (!r && *found && p->document && *p->document && out->document &&
	    strcmp(out->document, p->document) != 0)
		*found = false;
	return r;
}

static enum res read_policy(struct db_stmt *st, struct arena *a, struct policy *p, struct err *e)
{
	memset(p, 0, sizeof *p);
	p->id = db_col_i64(st, 0);
	p->number = store_col_dup(st, 1, a);
	p->program_id = db_col_i64(st, 2);
	p->program_code = store_col_dup(st, 3, a);
	p->person_id = db_col_i64(st, 4);
	p->packages_json = dup_or_null(st, 5, a);
	p->start_date = store_col_dup(st, 6, a);
	p->end_date = store_col_dup(st, 7, a);
	p->status = store_col_dup(st, 8, a);
	p->sum_insured = db_col_i64(st, 9);
	p->previous_id = db_col_i64(st, 10);
	p->previous_number = store_col_dup(st, 11, a);
	p->version = db_col_i64(st, 12);
	p->created_at = db_col_i64(st, 13);
	p->updated_at = db_col_i64(st, 14);
	p->currency = store_col_dup(st, 15, a);
	p->import_id = db_col_i64(st, 16);
	if (!p->number || !p->program_code || !p->start_date || !p->end_date || !p->status ||
	    !p->previous_number || !p->currency)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	return RES_OK;
}

static void bind_policy(struct db_stmt *st, int i, const struct policy *p)
{
	db_bind_i64(st, i++, p->program_id);
	db_bind_i64(st, i++, p->person_id);
	db_bind_text(st, i++, p->packages_json);
	db_bind_text(st, i++, p->start_date);
	db_bind_text(st, i++, p->end_date);
	db_bind_text(st, i++, p->status);
	db_bind_i64(st, i++, p->sum_insured);
	if (p->previous_id)
		db_bind_i64(st, i, p->previous_id);
	else
		db_bind_null(st, i);
}

enum res store_policy_insert(struct db *db, const struct policy *p, int64_t now, int64_t *id,
			     struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_policy_insert, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, p->number);
	bind_policy(st, 2, p);
	db_bind_i64(st, 10, now);
	db_bind_i64(st, 11, now);
	if (p->import_id)
		db_bind_i64(st, 12, p->import_id);
	else
		db_bind_null(st, 12);
	if (store_step(st, &r, e) == DB_ROW)
		*id = db_col_i64(st, 0);
	else if (!r)
		r = err_set(e, RES_INTERNAL, NULL, NULL, "no id returned");
	db_reset(st);
	if (r == RES_CONFLICT)
		err_set(e, RES_CONFLICT, "policy_exists", "number", "a policy with this number exists");
	return r;
}

enum res store_policy_update(struct db *db, const struct policy *p, int64_t now, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_policy_update, &st, e);
	if (r)
		return r;
	bind_policy(st, 1, p);
	db_bind_i64(st, 9, now);
	db_bind_i64(st, 10, p->id);
	return store_exec(st, e);
}

enum res store_policy_get(struct db *db, const char *number, struct arena *a, struct policy *out,
			  struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_policy_by_number, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, number);
	int rc = store_step(st, &r, e);
	if (rc == DB_ROW)
		r = read_policy(st, a, out, e);
	else if (rc == DB_DONE)
		r = err_set(e, RES_NOT_FOUND, "not_found", NULL, "no policy with this number");
	db_reset(st);
	return r;
}

enum res store_policy_active(struct db *db, int64_t person_id, const char *date, struct arena *a,
			     struct policy *out, bool *found, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_policy_active, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, person_id);
	db_bind_text(st, 2, date);
	db_bind_text(st, 3, date);
	int rc = store_step(st, &r, e);
	*found = rc == DB_ROW;
	if (rc == DB_ROW)
		r = read_policy(st, a, out, e);
	db_reset(st);
	return r;
}

enum res store_policy_list_person(struct db *db, int64_t person_id, struct arena *a,
				  struct policy **items, size_t *n, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_policy_of_person, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, person_id);
	size_t cap = 0;
	*items = NULL;
	*n = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
			break;
		}
		if ((r = read_policy(st, a, &(*items)[*n], e)))
			break;
		(*n)++;
	}
	db_reset(st);
	return r;
}

enum res store_usage_load(struct db *db, int64_t policy_id, struct arena *a,
			  struct usage_row **rows, size_t *n, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_usage_of_policy, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, policy_id);
	size_t cap = 0;
	*rows = NULL;
	*n = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, rows, &cap, *n, sizeof **rows)) {
			r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
			break;
		}
		struct usage_row *u = &(*rows)[(*n)++];
		memset(u, 0, sizeof *u);
		u->limit_key = store_col_dup(st, 0, a);
		u->window_first = store_col_dup(st, 1, a);
		u->case_id = db_col_i64(st, 2);
		u->used = db_col_i64(st, 3);
		if (!u->limit_key || !u->window_first) {
			r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
			break;
		}
	}
	db_reset(st);
	if (r || (r = db_prepare(db, sql_days_of_policy, &st, e)))
		return r;
	db_bind_i64(st, 1, policy_id);
	/* attach each day to its usage row (both sorted the same way is not
	 * guaranteed for usage; days are few, a linear match is fine) */
	while (store_step(st, &r, e) == DB_ROW) {
		size_t kn, wn, dn;
		const char *key = db_col_text(st, 0, &kn);
		const char *wf = db_col_text(st, 1, &wn);
		int64_t case_id = db_col_i64(st, 2);
		const char *day = db_col_text(st, 3, &dn);
		for (size_t i = 0; i < *n; i++) {
			struct usage_row *u = &(*rows)[i];
			if (u->case_id != case_id || strlen(u->limit_key) != kn ||
			    memcmp(u->limit_key, key, kn) != 0 || strlen(u->window_first) != wn ||
			    memcmp(u->window_first, wf, wn) != 0)
				continue;
			if (u->ndays == u->cap_days) {
				size_t ncap = u->cap_days ? u->cap_days * 2 : 8;
				const char **d = arena_alloc(a, ncap * sizeof *d);
				if (!d)
					return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
				if (u->ndays)
					memcpy(d, u->days, u->ndays * sizeof *d);
				u->days = d;
				u->cap_days = ncap;
			}
			if (!(u->days[u->ndays++] = arena_strndup(a, day, dn)))
				return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
			break;
		}
	}
	db_reset(st);
	return r;
}
