/* Reservations against the coverage ledger. Each reservation keeps its own
 * entries (what it consumed), and the totals the engine reads
 * (coverage_usage, coverage_days, coverage_deductions) are kept equal to the
 * sum of the entries of held and committed reservations: adding adds,
 * releasing subtracts, and a day of a days limit stays counted while any
 * entry still names it. */
#include <string.h>

#include "store/store_impl.h"

static const char sql_lock_policy_pg[] = "SELECT id FROM policies WHERE id = ? FOR UPDATE";

#define RES_COLS                                                                                  \
	"r.id, r.policy_id, r.case_id, r.reference, r.status, r.request, r.result, "             \
	"r.covered_amount, COALESCE(r.created_by, 0), r.created_at, r.expires_at, r.updated_at, " \
	"p.number"
static const char sql_res_insert[] =
	"INSERT INTO coverage_reservations (policy_id, case_id, reference, status, request, result, "
	"covered_amount, created_by, created_at, expires_at, updated_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_res_get[] = "SELECT " RES_COLS " FROM coverage_reservations r JOIN policies p "
				  "ON p.id = r.policy_id WHERE r.id = ?";
static const char sql_res_by_ref[] = "SELECT " RES_COLS " FROM coverage_reservations r JOIN "
				     "policies p ON p.id = r.policy_id WHERE r.reference = ?";
static const char sql_res_status[] =
	"UPDATE coverage_reservations SET status = ?, updated_at = ? WHERE id = ?";
static const char sql_res_expired[] =
	"SELECT id FROM coverage_reservations WHERE policy_id = ? AND status = 'held' AND "
	"expires_at <= ? ORDER BY id";

static const char sql_res_due[] =
	"SELECT id, policy_id FROM coverage_reservations WHERE status = 'held' AND expires_at <= ? "
	"ORDER BY expires_at, id LIMIT ?";

static const char sql_entry_insert[] =
	"INSERT INTO coverage_entries (reservation_id, policy_id, kind, entry_key, window_first, "
	"case_id, provider, day, used) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_entries_of[] =
	"SELECT kind, entry_key, window_first, case_id, provider, day, used FROM coverage_entries "
	"WHERE reservation_id = ?";
static const char sql_entries_delete[] = "DELETE FROM coverage_entries WHERE reservation_id = ?";

static const char sql_usage_add[] =
	"INSERT INTO coverage_usage (policy_id, limit_key, window_first, case_id, used, updated_at) "
	"VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (policy_id, limit_key, window_first, case_id) DO "
	"UPDATE SET used = coverage_usage.used + excluded.used, updated_at = excluded.updated_at";
static const char sql_day_add[] =
	"INSERT INTO coverage_days (policy_id, limit_key, window_first, case_id, day) "
	"VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
/* a day leaves the totals when no entry names it any more */
static const char sql_day_drop[] =
	"DELETE FROM coverage_days WHERE policy_id = ? AND limit_key = ? AND window_first = ? AND "
	"case_id = ? AND day = ? AND NOT EXISTS (SELECT 1 FROM coverage_entries e WHERE "
	"e.policy_id = ? AND e.kind = 'l' AND e.entry_key = ? AND e.window_first = ? AND "
	"e.case_id = ? AND e.day = ?)";
/* a days limit's used is the number of its distinct days */
static const char sql_days_recount[] =
	"UPDATE coverage_usage SET used = (SELECT COUNT(*) FROM coverage_days d WHERE "
	"d.policy_id = ? AND d.limit_key = ? AND d.window_first = ? AND d.case_id = ?), "
	"updated_at = ? WHERE policy_id = ? AND limit_key = ? AND window_first = ? AND case_id = ?";
static const char sql_deduction_add[] =
	"INSERT INTO coverage_deductions (policy_id, deductible_key, provider, day, case_id, taken) "
	"VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (policy_id, deductible_key, provider, day, case_id) "
	"DO UPDATE SET taken = coverage_deductions.taken + excluded.taken";
static const char sql_deductions_of[] =
	"SELECT deductible_key, provider, day, case_id, taken FROM coverage_deductions WHERE "
	"policy_id = ? AND taken > 0";

enum res store_policy_lock(struct db *db, int64_t policy_id, struct err *e)
{
	if (db_kind(db) != DB_PG)
		return RES_OK;
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_lock_policy_pg, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, policy_id);
	return store_exec(st, e);
}

enum res store_reservation_insert(struct db *db, struct reservation *x, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_res_insert, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, x->policy_id);
	db_bind_i64(st, 2, x->case_id);
	db_bind_text(st, 3, x->reference);
	db_bind_text(st, 4, x->status);
	db_bind_text(st, 5, x->request_json);
	db_bind_text(st, 6, x->result_json);
	db_bind_i64(st, 7, x->covered_amount);
	if (x->created_by)
		db_bind_i64(st, 8, x->created_by);
	else
		db_bind_null(st, 8);
	db_bind_i64(st, 9, x->created_at);
	db_bind_i64(st, 10, x->expires_at);
	db_bind_i64(st, 11, x->updated_at);
	if (store_step(st, &r, e) == DB_ROW)
		x->id = db_col_i64(st, 0);
	db_reset(st);
	return r;
}

static enum res read_one(struct db_stmt *st, struct arena *a, struct reservation *out, bool *found,
			 struct err *e)
{
	enum res r = RES_OK;
	*found = false;
	if (store_step(st, &r, e) == DB_ROW) {
		*found = true;
		memset(out, 0, sizeof *out);
		out->id = db_col_i64(st, 0);
		out->policy_id = db_col_i64(st, 1);
		out->case_id = db_col_i64(st, 2);
		out->reference = db_col_null(st, 3) ? NULL : store_col_dup(st, 3, a);
		out->status = store_col_dup(st, 4, a);
		out->request_json = store_col_dup(st, 5, a);
		out->result_json = store_col_dup(st, 6, a);
		out->covered_amount = db_col_i64(st, 7);
		out->created_by = db_col_i64(st, 8);
		out->created_at = db_col_i64(st, 9);
		out->expires_at = db_col_i64(st, 10);
		out->updated_at = db_col_i64(st, 11);
		out->policy_number = store_col_dup(st, 12, a);
		if (!out->status || !out->request_json || !out->result_json || !out->policy_number)
			r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	}
	db_reset(st);
	return r;
}

enum res store_reservation_get(struct db *db, int64_t id, struct arena *a, struct reservation *out,
			       struct err *e)
{
	struct db_stmt *st;
	bool found;
	enum res r = db_prepare(db, sql_res_get, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, id);
	if ((r = read_one(st, a, out, &found, e)))
		return r;
	return found ? RES_OK : err_set(e, RES_NOT_FOUND, "not_found", NULL, "no such reservation");
}

enum res store_reservation_by_reference(struct db *db, const char *reference, struct arena *a,
					struct reservation *out, bool *found, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_res_by_ref, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, reference);
	return read_one(st, a, out, found, e);
}

enum res store_reservation_set_status(struct db *db, int64_t id, const char *status, int64_t now,
				      struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_res_status, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, status);
	db_bind_i64(st, 2, now);
	db_bind_i64(st, 3, id);
	return store_exec(st, e);
}

enum res store_reservations_expired(struct db *db, int64_t policy_id, int64_t now,
				    struct arena *a, int64_t **ids, size_t *n, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_res_expired, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, policy_id);
	db_bind_i64(st, 2, now);
	size_t cap = 0;
	*ids = NULL;
	*n = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, ids, &cap, *n, sizeof **ids)) {
			r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
			break;
		}
		(*ids)[(*n)++] = db_col_i64(st, 0);
	}
	db_reset(st);
	return r;
}

enum res store_reservations_due(struct db *db, int64_t now, int64_t limit, struct arena *a,
				int64_t **ids, int64_t **policy_ids, size_t *n, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_res_due, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, now);
	db_bind_i64(st, 2, limit);
	*n = 0;
	*ids = arena_alloc(a, (size_t)limit * sizeof **ids);
	*policy_ids = arena_alloc(a, (size_t)limit * sizeof **policy_ids);
	if (!*ids || !*policy_ids) {
		db_reset(st);
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	}
	while (store_step(st, &r, e) == DB_ROW && *n < (size_t)limit) {
		(*ids)[*n] = db_col_i64(st, 0);
		(*policy_ids)[(*n)++] = db_col_i64(st, 1);
	}
	db_reset(st);
	return r;
}

/* Bind (policy, key, window, case) at idx..idx+3. */
static void bind_slot(struct db_stmt *st, int idx, int64_t policy_id, const struct ledger_entry *x)
{
	db_bind_i64(st, idx, policy_id);
	db_bind_text(st, idx + 1, x->key);
	db_bind_text(st, idx + 2, x->window_first);
	db_bind_i64(st, idx + 3, x->case_id);
}

static enum res days_recount(struct db *db, int64_t policy_id, const struct ledger_entry *x,
			     int64_t now, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_days_recount, &st, e);
	if (r)
		return r;
	bind_slot(st, 1, policy_id, x);
	db_bind_i64(st, 5, now);
	bind_slot(st, 6, policy_id, x);
	return store_exec(st, e);
}

enum res store_ledger_add(struct db *db, int64_t reservation_id, int64_t policy_id,
			  const struct ledger_entry *x, int64_t now, struct err *e)
{
	struct db_stmt *st;
	char kind[2] = {x->kind, '\0'};
	enum res r = db_prepare(db, sql_entry_insert, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, reservation_id);
	db_bind_i64(st, 2, policy_id);
	db_bind_text(st, 3, kind);
	db_bind_text(st, 4, x->key);
	db_bind_text(st, 5, x->window_first);
	db_bind_i64(st, 6, x->case_id);
	db_bind_text(st, 7, x->provider);
	db_bind_text(st, 8, x->day);
	db_bind_i64(st, 9, x->used);
	if ((r = store_exec(st, e)))
		return r;
	if (x->kind == 'd') {
		if ((r = db_prepare(db, sql_deduction_add, &st, e)))
			return r;
		db_bind_i64(st, 1, policy_id);
		db_bind_text(st, 2, x->key);
		db_bind_text(st, 3, x->provider);
		db_bind_text(st, 4, x->day);
		db_bind_i64(st, 5, x->case_id);
		db_bind_i64(st, 6, x->used);
		return store_exec(st, e);
	}
	if ((r = db_prepare(db, sql_usage_add, &st, e)))
		return r;
	bind_slot(st, 1, policy_id, x);
	db_bind_i64(st, 5, *x->day ? 0 : x->used);
	db_bind_i64(st, 6, now);
	if ((r = store_exec(st, e)) || !*x->day)
		return r;
	if ((r = db_prepare(db, sql_day_add, &st, e)))
		return r;
	bind_slot(st, 1, policy_id, x);
	db_bind_text(st, 5, x->day);
	if ((r = store_exec(st, e)))
		return r;
	return days_recount(db, policy_id, x, now, e);
}

enum res store_ledger_remove(struct db *db, int64_t reservation_id, int64_t policy_id,
			     int64_t now, struct err *e)
{
	struct arena a;
	arena_init(&a, 4096, 0);
	struct ledger_entry *xs = NULL;
	size_t n = 0, cap = 0;
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_entries_of, &st, e);
	if (r)
		goto out;
	db_bind_i64(st, 1, reservation_id);
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(&a, &xs, &cap, n, sizeof *xs)) {
			r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
			break;
		}
		struct ledger_entry *x = &xs[n++];
		size_t kn;
		x->kind = *db_col_text(st, 0, &kn);
		x->key = store_col_dup(st, 1, &a);
		x->window_first = store_col_dup(st, 2, &a);
		x->case_id = db_col_i64(st, 3);
		x->provider = store_col_dup(st, 4, &a);
		x->day = store_col_dup(st, 5, &a);
		x->used = db_col_i64(st, 6);
		if (!x->key || !x->window_first || !x->provider || !x->day) {
			r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
			break;
		}
	}
	db_reset(st);
	if (r || (r = db_prepare(db, sql_entries_delete, &st, e)))
		goto out;
	db_bind_i64(st, 1, reservation_id);
	if ((r = store_exec(st, e)))
		goto out;
	/* adding a negative amount subtracts: the same upserts as store_ledger_add */
	for (size_t i = 0; i < n && !r; i++) {
		const struct ledger_entry *x = &xs[i];
		if (x->kind == 'd') {
			if ((r = db_prepare(db, sql_deduction_add, &st, e)))
				break;
			db_bind_i64(st, 1, policy_id);
			db_bind_text(st, 2, x->key);
			db_bind_text(st, 3, x->provider);
			db_bind_text(st, 4, x->day);
			db_bind_i64(st, 5, x->case_id);
			db_bind_i64(st, 6, -x->used);
			r = store_exec(st, e);
		} else if (!*x->day) {
			if ((r = db_prepare(db, sql_usage_add, &st, e)))
				break;
			bind_slot(st, 1, policy_id, x);
			db_bind_i64(st, 5, -x->used);
			db_bind_i64(st, 6, now);
			r = store_exec(st, e);
		} else {
			if ((r = db_prepare(db, sql_day_drop, &st, e)))
				break;
			bind_slot(st, 1, policy_id, x);
			db_bind_text(st, 5, x->day);
			bind_slot(st, 6, policy_id, x);
			db_bind_text(st, 10, x->day);
			if (!(r = store_exec(st, e)))
				r = days_recount(db, policy_id, x, now, e);
		}
	}
out:
	arena_free(&a);
	return r;
}

enum res store_deductions_load(struct db *db, int64_t policy_id, struct arena *a,
			       struct deduction_row **rows, size_t *n, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_deductions_of, &st, e);
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
		struct deduction_row *d = &(*rows)[(*n)++];
		d->deductible_key = store_col_dup(st, 0, a);
		d->provider = store_col_dup(st, 1, a);
		d->day = store_col_dup(st, 2, a);
		d->case_id = db_col_i64(st, 3);
		d->taken = db_col_i64(st, 4);
		if (!d->deductible_key || !d->provider || !d->day) {
			r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
			break;
		}
	}
	db_reset(st);
	return r;
}
