/* Triggers, template editing, daily runs and the people scheduled events
 * concern (migration 0009). */
#include <string.h>

#include "store/store_impl.h"

#define OOM(e) err_set(e, RES_NOMEM, NULL, NULL, "out of memory")

#define TRIG_COLS                                                                                 \
	"id, event, channel, template, audience, class, urgent, enabled, offset_days, created_at, " \
	"updated_at"

static const char sql_trig_all[] = "SELECT " TRIG_COLS " FROM triggers ORDER BY id";
static const char sql_trig_event[] =
	"SELECT " TRIG_COLS " FROM triggers WHERE event = ? AND enabled = 1 ORDER BY id";
static const char sql_trig_get[] = "SELECT " TRIG_COLS " FROM triggers WHERE id = ?";
static const char sql_trig_insert[] =
	"INSERT INTO triggers (event, channel, template, audience, class, urgent, enabled, "
	"offset_days, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_trig_update[] =
	"UPDATE triggers SET event = ?, channel = ?, template = ?, audience = ?, class = ?, urgent = "
	"?, enabled = ?, offset_days = ?, updated_at = ? WHERE id = ?";
static const char sql_tpl_list[] =
	"SELECT code, channel, language, subject, body, version FROM templates ORDER BY code, "
	"channel, language";
static const char sql_tpl_exact[] =
	"SELECT code, channel, language, subject, body, version FROM templates WHERE code = ? AND "
	"channel = ? AND language = ?";
static const char sql_tpl_put[] =
	"INSERT INTO templates (code, channel, language, subject, body, version, updated_at, "
	"updated_by) VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (code, channel, language) DO UPDATE "
	"SET subject = excluded.subject, body = excluded.body, version = templates.version + 1, "
	"updated_at = excluded.updated_at, updated_by = excluded.updated_by RETURNING version";
static const char sql_run_claim[] =
	"INSERT INTO trigger_runs (event, day, at, queued) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING";
static const char sql_run_done[] = "UPDATE trigger_runs SET queued = ? WHERE event = ? AND day = ?";
static const char sql_ending[] =
	"SELECT p.person_id, p.id, p.number, p.end_date FROM policies p WHERE p.end_date = ? AND "
	"p.status = 'active' AND (? = 0 OR NOT EXISTS (SELECT 1 FROM policies n WHERE "
	"n.previous_id = p.id AND n.status <> 'cancelled')) ORDER BY p.id";
static const char sql_insured[] =
	"SELECT s.id FROM persons s WHERE (CAST(? AS TEXT) IS NULL OR substr(s.birth_date, 6, 5) = ?) AND EXISTS "
	"(SELECT 1 FROM policies p WHERE p.person_id = s.id AND p.status = 'active' AND "
	"p.start_date <= ? AND p.end_date >= ?) ORDER BY s.id";
static const char sql_holiday[] = "SELECT 1 FROM holidays WHERE month_day = ?";
static const char sql_hol_list[] = "SELECT month_day, name FROM holidays ORDER BY month_day";
static const char sql_hol_get[] = "SELECT name FROM holidays WHERE month_day = ?";
static const char sql_hol_put[] =
	"INSERT INTO holidays (month_day, name) VALUES (?, ?) ON CONFLICT (month_day) DO UPDATE SET "
	"name = excluded.name";
static const char sql_hol_delete[] = "DELETE FROM holidays WHERE month_day = ?";
static const char sql_staff[] =
	"SELECT id, full_name, language, email, phone FROM users WHERE disabled = 0 AND (id = ? OR "
	"department = ?) ORDER BY id";

static const char *opt_text(struct db_stmt *st, int col, struct arena *a)
{
	return db_col_null(st, col) ? NULL : store_col_dup(st, col, a);
}

static enum res trig_read(struct db_stmt *st, struct arena *a, struct trigger_row *t,
			  struct err *e)
{
	t->id = db_col_i64(st, 0);
	t->event = store_col_dup(st, 1, a);
	t->channel = store_col_dup(st, 2, a);
	t->template_ = store_col_dup(st, 3, a);
	t->audience = store_col_dup(st, 4, a);
	t->class_ = store_col_dup(st, 5, a);
	t->urgent = db_col_bool(st, 6);
	t->enabled = db_col_bool(st, 7);
	t->offset_days = db_col_i64(st, 8);
	t->created_at = db_col_i64(st, 9);
	t->updated_at = db_col_i64(st, 10);
	if (!t->event || !t->channel || !t->template_ || !t->audience || !t->class_)
		return OOM(e);
	return RES_OK;
}

enum res store_triggers_list(struct db *db, const char *event, struct arena *a,
			     struct trigger_row **items, size_t *n, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	enum res r = db_prepare(db, event ? sql_trig_event : sql_trig_all, &st, e);
	if (r)
		return r;
	if (event)
		db_bind_text(st, 1, event);
	size_t cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		if ((r = trig_read(st, a, &(*items)[*n], e)))
			break;
		(*n)++;
	}
	db_reset(st);
	return r;
}

enum res store_trigger_get(struct db *db, int64_t id, struct arena *a, struct trigger_row *out,
			   struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_trig_get, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, id);
	if (store_step(st, &r, e) == DB_ROW)
		r = trig_read(st, a, out, e);
	else if (!r)
		r = err_set(e, RES_NOT_FOUND, "not_found", NULL, "no such trigger");
	db_reset(st);
	return r;
}

static void trig_bind(struct db_stmt *st, const struct trigger_row *t)
{
	db_bind_text(st, 1, t->event);
	db_bind_text(st, 2, t->channel);
	db_bind_text(st, 3, t->template_);
	db_bind_text(st, 4, t->audience);
	db_bind_text(st, 5, t->class_);
	db_bind_bool(st, 6, t->urgent);
	db_bind_bool(st, 7, t->enabled);
	db_bind_i64(st, 8, t->offset_days);
}

enum res store_trigger_insert(struct db *db, struct trigger_row *t, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_trig_insert, &st, e);
	if (r)
		return r;
	trig_bind(st, t);
	db_bind_i64(st, 9, t->created_at);
	db_bind_i64(st, 10, t->updated_at);
	if (store_step(st, &r, e) == DB_ROW)
		t->id = db_col_i64(st, 0);
	else if (!r)
		r = err_set(e, RES_INTERNAL, NULL, NULL, "insert returned no id");
	db_reset(st);
	return r;
}

enum res store_trigger_update(struct db *db, const struct trigger_row *t, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_trig_update, &st, e);
	if (r)
		return r;
	trig_bind(st, t);
	db_bind_i64(st, 9, t->updated_at);
	db_bind_i64(st, 10, t->id);
	return store_exec(st, e);
}

static enum res tpl_read(struct db_stmt *st, struct arena *a, struct template_row *t,
			 struct err *e)
{
	t->code = store_col_dup(st, 0, a);
	t->channel = store_col_dup(st, 1, a);
	t->language = store_col_dup(st, 2, a);
	t->subject = opt_text(st, 3, a);
	t->body = store_col_dup(st, 4, a);
	t->version = db_col_i64(st, 5);
	if (!t->code || !t->channel || !t->language || !t->body)
		return OOM(e);
	return RES_OK;
}

enum res store_templates_list(struct db *db, struct arena *a, struct template_row **items,
			      size_t *n, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_tpl_list, &st, e);
	if (r)
		return r;
	size_t cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		if ((r = tpl_read(st, a, &(*items)[*n], e)))
			break;
		(*n)++;
	}
	db_reset(st);
	return r;
}

enum res store_template_exact(struct db *db, const char *code, const char *channel,
			      const char *language, struct arena *a, struct template_row *out,
			      bool *found, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_tpl_exact, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, code);
	db_bind_text(st, 2, channel);
	db_bind_text(st, 3, language);
	*found = false;
	if (store_step(st, &r, e) == DB_ROW) {
		*found = true;
		r = tpl_read(st, a, out, e);
	}
	db_reset(st);
	return r;
}

enum res store_template_put(struct db *db, const char *code, const char *channel,
			    const char *language, const char *subject, const char *body,
			    const char *by, int64_t now, int64_t *version, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_tpl_put, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, code);
	db_bind_text(st, 2, channel);
	db_bind_text(st, 3, language);
	db_bind_text(st, 4, subject);
	db_bind_text(st, 5, body);
	db_bind_i64(st, 6, now);
	db_bind_text(st, 7, by);
	if (store_step(st, &r, e) == DB_ROW)
		*version = db_col_i64(st, 0);
	else if (!r)
		r = err_set(e, RES_INTERNAL, NULL, NULL, "upsert returned no version");
	db_reset(st);
	return r;
}

enum res store_trigger_run_claim(struct db *db, const char *event, const char *day, int64_t now,
				 bool *first, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_run_claim, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, event);
	db_bind_text(st, 2, day);
	db_bind_i64(st, 3, now);
	int rc = store_step(st, &r, e);
	*first = rc == DB_DONE && db_changes(st) > 0;
	db_reset(st);
	return r;
}

enum res store_trigger_run_done(struct db *db, const char *event, const char *day,
				int64_t queued, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_run_done, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, queued);
	db_bind_text(st, 2, event);
	db_bind_text(st, 3, day);
	return store_exec(st, e);
}

static enum res targets_read(struct db_stmt *st, bool policy, struct arena *a,
			     struct trigger_target **items, size_t *n, struct err *e)
{
	enum res r = RES_OK;
	size_t cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		struct trigger_target *t = &(*items)[*n];
		memset(t, 0, sizeof *t);
		t->person_id = db_col_i64(st, 0);
		if (policy) {
			t->policy_id = db_col_i64(st, 1);
			t->policy_number = store_col_dup(st, 2, a);
			t->end_date = store_col_dup(st, 3, a);
			if (!t->policy_number || !t->end_date) {
				r = OOM(e);
				break;
			}
		}
		(*n)++;
	}
	db_reset(st);
	return r;
}

enum res store_policies_ending(struct db *db, const char *end_date, bool unrenewed,
			       struct arena *a, struct trigger_target **items, size_t *n,
			       struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_ending, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, end_date);
	db_bind_i64(st, 2, unrenewed ? 1 : 0);
	return targets_read(st, true, a, items, n, e);
}

enum res store_persons_insured(struct db *db, const char *day, const char *month_day,
			       struct arena *a, struct trigger_target **items, size_t *n,
			       struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_insured, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, month_day);
	db_bind_text(st, 2, month_day);
	db_bind_text(st, 3, day);
	db_bind_text(st, 4, day);
	return targets_read(st, false, a, items, n, e);
}

enum res store_holiday(struct db *db, const char *month_day, bool *out, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_holiday, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, month_day);
	*out = store_step(st, &r, e) == DB_ROW;
	db_reset(st);
	return r;
}

enum res store_holidays_list(struct db *db, struct arena *a, struct holiday_row **items,
			     size_t *n, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_hol_list, &st, e);
	if (r)
		return r;
	size_t cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		struct holiday_row *h = &(*items)[*n];
		h->month_day = store_col_dup(st, 0, a);
		h->name = store_col_dup(st, 1, a);
		if (!h->month_day || !h->name) {
			r = OOM(e);
			break;
		}
		(*n)++;
	}
	db_reset(st);
	return r;
}

enum res store_holiday_get(struct db *db, const char *month_day, struct arena *a,
			   const char **name, struct err *e)
{
	struct db_stmt *st;
	*name = NULL;
	enum res r = db_prepare(db, sql_hol_get, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, month_day);
	if (store_step(st, &r, e) == DB_ROW && !(*name = store_col_dup(st, 0, a)))
		r = OOM(e);
	db_reset(st);
	return r;
}

enum res store_holiday_put(struct db *db, const char *month_day, const char *name, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_hol_put, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, month_day);
	db_bind_text(st, 2, name);
	return store_exec(st, e);
}

enum res store_holiday_delete(struct db *db, const char *month_day, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_hol_delete, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, month_day);
	int rc = store_step(st, &r, e);
	if (!r && (rc != DB_DONE || db_changes(st) != 1))
		r = err_set(e, RES_NOT_FOUND, "not_found", NULL, "no such holiday");
	db_reset(st);
	return r;
}

enum res store_staff_contacts(struct db *db, const char *department, int64_t user_id,
			      struct arena *a, struct staff_contact **items, size_t *n,
			      struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_staff, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, user_id > 0 ? user_id : -1);
	db_bind_text(st, 2, department ? department : "");
	size_t cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		struct staff_contact *c = &(*items)[*n];
		c->id = db_col_i64(st, 0);
		c->full_name = store_col_dup(st, 1, a);
		c->language = store_col_dup(st, 2, a);
		c->email = opt_text(st, 3, a);
		c->phone = opt_text(st, 4, a);
		if (!c->full_name || !c->language) {
			r = OOM(e);
			break;
		}
		(*n)++;
	}
	db_reset(st);
	return r;
}
