/* Assistance cases, their contact log, tasks and quality answers. */
#include <string.h>

#include "store/store_impl.h"

#define OOM(e) err_set(e, RES_NOMEM, NULL, NULL, "out of memory")

static int64_t col_id(struct db_stmt *st, int col)
{
	return db_col_null(st, col) ? 0 : db_col_i64(st, col);
}

static void bind_id(struct db_stmt *st, int idx, int64_t id)
{
	if (id)
		db_bind_i64(st, idx, id);
	else
		db_bind_null(st, idx);
}

static void bind_time(struct db_stmt *st, int idx, int64_t us)
{
	bind_id(st, idx, us);
}

/* ---- cases ---- */

/* The first bound parameter is now (for the overdue count). */
#define CASE_COLS                                                                                 \
	"c.id, c.person_id, c.policy_id, c.insurer_id, c.manager_id, c.created_by, c.type, "      \
	"c.description, c.status, c.event_date, c.created_at, c.updated_at, c.closed_at, "        \
	"c.version, COALESCE(po.number, ''), COALESCE(i.code, ''), COALESCE(i.name, ''), "        \
	"p.last_name, p.first_name, COALESCE(p.middle_name, ''), p.birth_date, "                  \
	"COALESCE(m.login, ''), COALESCE(m.full_name, ''), "                                      \
	"(SELECT COUNT(*) FROM tasks t WHERE t.case_id = c.id AND t.status IN ('open', "          \
	"'in_progress')), "                                                                       \
	"(SELECT COUNT(*) FROM tasks t WHERE t.case_id = c.id AND t.status IN ('open', "          \
	"'in_progress') AND t.due_at <= CAST(? AS BIGINT))"
#define CASE_FROM                                                                                 \
	" FROM cases c JOIN persons p ON p.id = c.person_id LEFT JOIN policies po ON po.id = "    \
	"c.policy_id LEFT JOIN insurers i ON i.id = c.insurer_id LEFT JOIN users m ON m.id = "    \
	"c.manager_id"

static const char sql_case_insert[] =
	"INSERT INTO cases (person_id, policy_id, insurer_id, type, description, status, "
	"manager_id, event_date, created_by, created_at, updated_at, closed_at, version) VALUES "
	"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id";
static const char sql_case_get[] = "SELECT " CASE_COLS CASE_FROM " WHERE c.id = ?";
static const char sql_case_update[] =
	"UPDATE cases SET type = ?, description = ?, status = ?, manager_id = ?, policy_id = ?, "
	"insurer_id = ?, event_date = ?, closed_at = ?, updated_at = ?, version = version + 1 "
	"WHERE id = ? AND version = ?";
#define CASE_WHERE                                                                                \
	" WHERE (CAST(? AS TEXT) IS NULL OR c.status = ?)"                                        \
	" AND (CAST(? AS BIGINT) = 0 OR c.status IN ('open', 'in_progress', 'waiting'))"          \
	" AND (CAST(? AS BIGINT) = 0 OR c.manager_id = ?)"                                        \
	" AND (CAST(? AS TEXT) IS NULL OR i.code = ?)"                                            \
	" AND (CAST(? AS BIGINT) = 0 OR c.person_id = ?)"                                         \
	" AND (CAST(? AS TEXT) IS NULL OR c.type = ?)"                                            \
	" AND (CAST(? AS BIGINT) = 0 OR c.created_at >= ?)"                                       \
	" AND (CAST(? AS BIGINT) = 0 OR c.created_at < ?)"
static const char sql_case_count[] =
	"SELECT COUNT(*) FROM cases c LEFT JOIN insurers i ON i.id = c.insurer_id" CASE_WHERE;
static const char sql_case_list[] = "SELECT " CASE_COLS CASE_FROM CASE_WHERE
				    " ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?";
static const char sql_policy_insurer[] =
	"SELECT k.insurer_id FROM policies po JOIN programs g ON g.id = po.program_id JOIN "
	"contracts k ON k.id = g.contract_id WHERE po.id = ?";

static const char sql_case_touch[] = "UPDATE cases SET updated_at = ? WHERE id = ?";

enum res store_case_touch(struct db *db, int64_t id, int64_t now, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_case_touch, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, now);
	db_bind_i64(st, 2, id);
	return store_exec(st, e);
}

static enum res case_read(struct db_stmt *st, struct arena *a, struct case_row *c, struct err *e)
{
	memset(c, 0, sizeof *c);
	c->id = db_col_i64(st, 0);
	c->person_id = db_col_i64(st, 1);
	c->policy_id = col_id(st, 2);
	c->insurer_id = col_id(st, 3);
	c->manager_id = col_id(st, 4);
	c->created_by = col_id(st, 5);
	c->type = store_col_dup(st, 6, a);
	c->description = store_col_dup(st, 7, a);
	c->status = store_col_dup(st, 8, a);
	c->event_date = store_col_dup(st, 9, a);
	c->created_at = db_col_i64(st, 10);
	c->updated_at = db_col_i64(st, 11);
	c->closed_at = col_id(st, 12);
	c->version = db_col_i64(st, 13);
	c->policy_number = store_col_dup(st, 14, a);
	c->insurer_code = store_col_dup(st, 15, a);
	c->insurer_name = store_col_dup(st, 16, a);
	c->last_name = store_col_dup(st, 17, a);
	c->first_name = store_col_dup(st, 18, a);
	c->middle_name = store_col_dup(st, 19, a);
	c->birth_date = store_col_dup(st, 20, a);
	c->manager_login = store_col_dup(st, 21, a);
	c->manager_name = store_col_dup(st, 22, a);
	c->open_tasks = db_col_i64(st, 23);
	c->overdue_tasks = db_col_i64(st, 24);
	if (!c->type || !c->description || !c->status || !c->event_date || !c->policy_number ||
	    !c->insurer_code || !c->insurer_name || !c->last_name || !c->first_name ||
	    !c->middle_name || !c->birth_date || !c->manager_login || !c->manager_name)
		return OOM(e);
	return RES_OK;
}

enum res store_case_insert(struct db *db, struct case_row *c, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_case_insert, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, c->person_id);
	bind_id(st, 2, c->policy_id);
	bind_id(st, 3, c->insurer_id);
	db_bind_text(st, 4, c->type);
	db_bind_text(st, 5, c->description);
	db_bind_text(st, 6, c->status);
	bind_id(st, 7, c->manager_id);
	db_bind_text(st, 8, c->event_date);
	bind_id(st, 9, c->created_by);
	db_bind_i64(st, 10, c->created_at);
	db_bind_i64(st, 11, c->updated_at);
	bind_time(st, 12, c->closed_at);
	if (store_step(st, &r, e) == DB_ROW)
		c->id = db_col_i64(st, 0);
	else if (!r)
		r = err_set(e, RES_INTERNAL, NULL, NULL, "insert returned no id");
	db_reset(st);
	c->version = 1;
	return r;
}

enum res store_case_get(struct db *db, int64_t id, int64_t now, struct arena *a,
			struct case_row *out, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_case_get, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, now);
	db_bind_i64(st, 2, id);
	int rc = store_step(st, &r, e);
	if (rc == DB_ROW)
		r = case_read(st, a, out, e);
	else if (rc == DB_DONE)
		r = err_set(e, RES_NOT_FOUND, "not_found", NULL, "no such case");
	db_reset(st);
	return r;
}

enum res store_case_update(struct db *db, const struct case_row *c, int64_t now, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_case_update, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, c->type);
	db_bind_text(st, 2, c->description);
	db_bind_text(st, 3, c->status);
	bind_id(st, 4, c->manager_id);
	bind_id(st, 5, c->policy_id);
	bind_id(st, 6, c->insurer_id);
	db_bind_text(st, 7, c->event_date);
	bind_time(st, 8, c->closed_at);
	db_bind_i64(st, 9, now);
	db_bind_i64(st, 10, c->id);
	db_bind_i64(st, 11, c->version);
	int rc = store_step(st, &r, e);
	int64_t changed = rc == DB_DONE ? db_changes(st) : 0;
	db_reset(st);
	if (!r && changed != 1)
		r = err_set(e, RES_CONFLICT, "version_conflict", "version",
			    "the case was changed meanwhile");
	return r;
}

static int bind_case_filter(struct db_stmt *st, int i, const struct case_filter *f)
{
	db_bind_text(st, i++, f->status);
	db_bind_text(st, i++, f->status);
	db_bind_i64(st, i++, f->active);
	db_bind_i64(st, i++, f->manager_id != 0);
	db_bind_i64(st, i++, f->manager_id);
	db_bind_text(st, i++, f->insurer);
	db_bind_text(st, i++, f->insurer);
	db_bind_i64(st, i++, f->person_id != 0);
	db_bind_i64(st, i++, f->person_id);
	db_bind_text(st, i++, f->type);
	db_bind_text(st, i++, f->type);
	db_bind_i64(st, i++, f->from != 0);
	db_bind_i64(st, i++, f->from);
	db_bind_i64(st, i++, f->to != 0);
	db_bind_i64(st, i++, f->to);
	return i;
}

enum res store_case_list(struct db *db, const struct case_filter *f, int64_t now, int64_t limit,
			 int64_t offset, struct arena *a, struct case_row **items, size_t *n,
			 int64_t *total, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	*total = 0;
	enum res r = db_prepare(db, sql_case_count, &st, e);
	if (r)
		return r;
	bind_case_filter(st, 1, f);
	if (store_step(st, &r, e) == DB_ROW)
		*total = db_col_i64(st, 0);
	db_reset(st);
	if (r || (r = db_prepare(db, sql_case_list, &st, e)))
		return r;
	db_bind_i64(st, 1, now);
	int i = bind_case_filter(st, 2, f);
	db_bind_i64(st, i++, limit);
	db_bind_i64(st, i, offset);
	size_t cap = 0;
	int rc;
	while ((rc = store_step(st, &r, e)) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		if ((r = case_read(st, a, &(*items)[*n], e)))
			break;
		(*n)++;
	}
	db_reset(st);
	return r;
}

enum res store_policy_insurer(struct db *db, int64_t policy_id, int64_t *insurer_id, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_policy_insurer, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, policy_id);
	int rc = store_step(st, &r, e);
	*insurer_id = rc == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	return r;
}

/* ---- contacts ---- */

#define CONTACT_COLS                                                                              \
	"k.id, k.case_id, k.user_id, k.at, k.created_at, k.direction, k.channel, k.summary, "     \
	"COALESCE(u.login, ''), COALESCE(u.full_name, '')"
static const char sql_contact_insert[] =
	"INSERT INTO case_contacts (case_id, direction, channel, summary, at, user_id, created_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_contact_case[] =
	"SELECT " CONTACT_COLS " FROM case_contacts k LEFT JOIN users u ON u.id = k.user_id "
	"WHERE k.case_id = ? ORDER BY k.at, k.id LIMIT ?";
static const char sql_contact_person[] =
	"SELECT " CONTACT_COLS " FROM case_contacts k JOIN cases c ON c.id = k.case_id LEFT JOIN "
	"users u ON u.id = k.user_id WHERE c.person_id = ? ORDER BY k.at DESC, k.id DESC LIMIT ?";

enum res store_contact_insert(struct db *db, struct contact_row *c, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_contact_insert, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, c->case_id);
	db_bind_text(st, 2, c->direction);
	db_bind_text(st, 3, c->channel);
	db_bind_text(st, 4, c->summary);
	db_bind_i64(st, 5, c->at);
	bind_id(st, 6, c->user_id);
	db_bind_i64(st, 7, c->created_at);
	if (store_step(st, &r, e) == DB_ROW)
		c->id = db_col_i64(st, 0);
	else if (!r)
		r = err_set(e, RES_INTERNAL, NULL, NULL, "insert returned no id");
	db_reset(st);
	return r;
}

enum res store_contact_list(struct db *db, int64_t case_id, int64_t person_id, int64_t limit,
			    struct arena *a, struct contact_row **items, size_t *n, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	enum res r = db_prepare(db, case_id ? sql_contact_case : sql_contact_person, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, case_id ? case_id : person_id);
	db_bind_i64(st, 2, limit);
	size_t cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		struct contact_row *c = &(*items)[*n];
		c->id = db_col_i64(st, 0);
		c->case_id = db_col_i64(st, 1);
		c->user_id = col_id(st, 2);
		c->at = db_col_i64(st, 3);
		c->created_at = db_col_i64(st, 4);
		c->direction = store_col_dup(st, 5, a);
		c->channel = store_col_dup(st, 6, a);
		c->summary = store_col_dup(st, 7, a);
		c->user_login = store_col_dup(st, 8, a);
		c->user_name = store_col_dup(st, 9, a);
		if (!c->direction || !c->channel || !c->summary || !c->user_login || !c->user_name) {
			r = OOM(e);
			break;
		}
		(*n)++;
	}
	db_reset(st);
	return r;
}

/* ---- tasks ---- */

#define TASK_COLS                                                                                 \
	"t.id, t.case_id, t.assignee_id, t.created_by, t.department, t.urgency, t.text, "         \
	"t.status, t.due_at, t.created_at, t.updated_at, t.done_at, t.reminded_at, t.version, "   \
	"COALESCE(a.login, ''), COALESCE(a.full_name, ''), COALESCE(b.login, ''), c.person_id, "  \
	"c.type, c.status, p.last_name, p.first_name"
#define TASK_FROM                                                                                 \
	" FROM tasks t JOIN cases c ON c.id = t.case_id JOIN persons p ON p.id = c.person_id "    \
	"LEFT JOIN users a ON a.id = t.assignee_id LEFT JOIN users b ON b.id = t.created_by"
static const char sql_task_insert[] =
	"INSERT INTO tasks (case_id, department, assignee_id, due_at, urgency, text, status, "
	"created_by, created_at, updated_at, done_at, reminded_at, version) VALUES (?, ?, ?, ?, ?, "
	"?, ?, ?, ?, ?, ?, ?, 1) RETURNING id";
static const char sql_task_get[] = "SELECT " TASK_COLS TASK_FROM " WHERE t.id = ?";
static const char sql_task_update[] =
	"UPDATE tasks SET department = ?, assignee_id = ?, due_at = ?, urgency = ?, text = ?, "
	"status = ?, done_at = ?, reminded_at = ?, updated_at = ?, version = version + 1 WHERE id "
	"= ? AND version = ?";
#define TASK_WHERE                                                                                \
	" WHERE (CAST(? AS TEXT) IS NULL OR t.department = ?)"                                    \
	" AND (CAST(? AS BIGINT) = 0 OR t.assignee_id = ?)"                                       \
	" AND (CAST(? AS BIGINT) = 0 OR t.assignee_id IS NULL)"                                   \
	" AND (CAST(? AS BIGINT) = 0 OR t.case_id = ?)"                                           \
	" AND (CAST(? AS BIGINT) = 0 OR t.status IN ('open', 'in_progress'))"                     \
	" AND (CAST(? AS TEXT) IS NULL OR t.status = ?)"                                          \
	" AND (CAST(? AS BIGINT) = 0 OR t.due_at <= ?)"
static const char sql_task_count[] = "SELECT COUNT(*) FROM tasks t" TASK_WHERE;
static const char sql_task_list[] =
	"SELECT " TASK_COLS TASK_FROM TASK_WHERE
	" ORDER BY t.due_at, CASE t.urgency WHEN 'critical' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 "
	"END, t.id LIMIT ? OFFSET ?";
static const char sql_task_due[] =
	"SELECT t.id FROM tasks t JOIN cases c ON c.id = t.case_id WHERE t.reminded_at IS NULL AND "
	"t.due_at <= ? AND t.status IN ('open', 'in_progress') AND c.status <> 'closed' ORDER BY "
	"t.due_at LIMIT ?";
static const char sql_task_remind[] =
	"UPDATE tasks SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL";

static enum res task_read(struct db_stmt *st, struct arena *a, struct task_row *t, struct err *e)
{
	memset(t, 0, sizeof *t);
	t->id = db_col_i64(st, 0);
	t->case_id = db_col_i64(st, 1);
	t->assignee_id = col_id(st, 2);
	t->created_by = col_id(st, 3);
	t->department = store_col_dup(st, 4, a);
	t->urgency = store_col_dup(st, 5, a);
	t->text = store_col_dup(st, 6, a);
	t->status = store_col_dup(st, 7, a);
	t->due_at = db_col_i64(st, 8);
	t->created_at = db_col_i64(st, 9);
	t->updated_at = db_col_i64(st, 10);
	t->done_at = col_id(st, 11);
	t->reminded_at = col_id(st, 12);
	t->version = db_col_i64(st, 13);
	t->assignee_login = store_col_dup(st, 14, a);
	t->assignee_name = store_col_dup(st, 15, a);
	t->creator_login = store_col_dup(st, 16, a);
	t->person_id = db_col_i64(st, 17);
	t->case_type = store_col_dup(st, 18, a);
	t->case_status = store_col_dup(st, 19, a);
	t->last_name = store_col_dup(st, 20, a);
	t->first_name = store_col_dup(st, 21, a);
	if (!t->department || !t->urgency || !t->text || !t->status || !t->assignee_login ||
	    !t->assignee_name || !t->creator_login || !t->case_type || !t->case_status ||
	    !t->last_name || !t->first_name)
		return OOM(e);
	return RES_OK;
}

enum res store_task_insert(struct db *db, struct task_row *t, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_task_insert, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, t->case_id);
	db_bind_text(st, 2, t->department);
	bind_id(st, 3, t->assignee_id);
	db_bind_i64(st, 4, t->due_at);
	db_bind_text(st, 5, t->urgency);
	db_bind_text(st, 6, t->text);
	db_bind_text(st, 7, t->status);
	bind_id(st, 8, t->created_by);
	db_bind_i64(st, 9, t->created_at);
	db_bind_i64(st, 10, t->updated_at);
	bind_time(st, 11, t->done_at);
	bind_time(st, 12, t->reminded_at);
	if (store_step(st, &r, e) == DB_ROW)
		t->id = db_col_i64(st, 0);
	else if (!r)
		r = err_set(e, RES_INTERNAL, NULL, NULL, "insert returned no id");
	db_reset(st);
	t->version = 1;
	return r;
}

enum res store_task_get(struct db *db, int64_t id, struct arena *a, struct task_row *out,
			struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_task_get, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, id);
	int rc = store_step(st, &r, e);
	if (rc == DB_ROW)
		r = task_read(st, a, out, e);
	else if (rc == DB_DONE)
		r = err_set(e, RES_NOT_FOUND, "not_found", NULL, "no such task");
	db_reset(st);
	return r;
}

enum res store_task_update(struct db *db, const struct task_row *t, int64_t now, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_task_update, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, t->department);
	bind_id(st, 2, t->assignee_id);
	db_bind_i64(st, 3, t->due_at);
	db_bind_text(st, 4, t->urgency);
	db_bind_text(st, 5, t->text);
	db_bind_text(st, 6, t->status);
	bind_time(st, 7, t->done_at);
	bind_time(st, 8, t->reminded_at);
	db_bind_i64(st, 9, now);
	db_bind_i64(st, 10, t->id);
	db_bind_i64(st, 11, t->version);
	int rc = store_step(st, &r, e);
	int64_t changed = rc == DB_DONE ? db_changes(st) : 0;
	db_reset(st);
	if (!r && changed != 1)
		r = err_set(e, RES_CONFLICT, "version_conflict", "version",
			    "the task was changed meanwhile");
	return r;
}

static int bind_task_filter(struct db_stmt *st, int i, const struct task_filter *f, int64_t now)
{
	db_bind_text(st, i++, f->department);
	db_bind_text(st, i++, f->department);
	db_bind_i64(st, i++, f->assignee_id > 0);
	db_bind_i64(st, i++, f->assignee_id);
	db_bind_i64(st, i++, f->assignee_id < 0);
	db_bind_i64(st, i++, f->case_id != 0);
	db_bind_i64(st, i++, f->case_id);
	db_bind_i64(st, i++, f->unfinished);
	db_bind_text(st, i++, f->status);
	db_bind_text(st, i++, f->status);
	db_bind_i64(st, i++, f->overdue);
	db_bind_i64(st, i++, now);
	return i;
}

enum res store_task_list(struct db *db, const struct task_filter *f, int64_t now, int64_t limit,
			 int64_t offset, struct arena *a, struct task_row **items, size_t *n,
			 int64_t *total, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	*total = 0;
	enum res r = db_prepare(db, sql_task_count, &st, e);
	if (r)
		return r;
	bind_task_filter(st, 1, f, now);
	if (store_step(st, &r, e) == DB_ROW)
		*total = db_col_i64(st, 0);
	db_reset(st);
	if (r || (r = db_prepare(db, sql_task_list, &st, e)))
		return r;
	int i = bind_task_filter(st, 1, f, now);
	db_bind_i64(st, i++, limit);
	db_bind_i64(st, i, offset);
	size_t cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		if ((r = task_read(st, a, &(*items)[*n], e)))
			break;
		(*n)++;
	}
	db_reset(st);
	return r;
}

enum res store_tasks_claim_due(struct db *db, int64_t now, int64_t limit, struct arena *a,
			       struct task_row **items, size_t *n, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_task_due, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, now);
	db_bind_i64(st, 2, limit);
	int64_t *ids;
	size_t nids;
	r = store_collect_ids(st, a, &ids, &nids, e);
	size_t cap = 0;
	for (size_t i = 0; !r && i < nids; i++) {
		/* the conditional update claims it: another server that got
		 * there first changed the row, and this one changes nothing */
		if ((r = db_prepare(db, sql_task_remind, &st, e)))
			break;
		db_bind_i64(st, 1, now);
		db_bind_i64(st, 2, ids[i]);
		int rc = store_step(st, &r, e);
		int64_t changed = rc == DB_DONE ? db_changes(st) : 0;
		db_reset(st);
		if (r || changed != 1)
			continue;
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		if (!(r = store_task_get(db, ids[i], a, &(*items)[*n], e)))
			(*n)++;
	}
	return r;
}

static const char sql_departments[] =
	"SELECT code, name_en, name_ru, name_zh FROM departments UNION SELECT DISTINCT "
	"department, department, department, department FROM users WHERE department IS NOT NULL "
	"AND department NOT IN (SELECT code FROM departments) UNION SELECT DISTINCT department, "
	"department, department, department FROM tasks WHERE department NOT IN (SELECT code FROM "
	"departments) ORDER BY 1";

enum res store_department_list(struct db *db, struct arena *a, struct department_row **items,
			       size_t *n, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_departments, &st, e);
	if (r)
		return r;
	size_t cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		struct department_row *d = &(*items)[(*n)++];
		d->code = store_col_dup(st, 0, a);
		d->name_en = store_col_dup(st, 1, a);
		d->name_ru = store_col_dup(st, 2, a);
		d->name_zh = store_col_dup(st, 3, a);
		if (!d->code || !d->name_en || !d->name_ru || !d->name_zh) {
			r = OOM(e);
			break;
		}
	}
	db_reset(st);
	return r;
}

/* ---- quality ---- */

static const char sql_quality_insert[] =
	"INSERT INTO case_quality (case_id, score, question, comment, source, user_id, at) VALUES "
	"(?, ?, ?, ?, ?, ?, ?) RETURNING id";
#define QUALITY_COLS                                                                              \
	"q.id, q.case_id, q.user_id, q.at, q.score, q.question, q.comment, q.source, "            \
	"COALESCE(u.login, ''), COALESCE(u.full_name, '')"
static const char sql_quality_case[] =
	"SELECT " QUALITY_COLS ", 0, '', '', '', '' FROM case_quality q LEFT JOIN users u ON u.id "
	"= q.user_id WHERE q.case_id = ? ORDER BY q.at, q.id";
static const char sql_quality_period[] =
	"SELECT " QUALITY_COLS ", c.manager_id, COALESCE(m.login, ''), COALESCE(m.full_name, ''), "
	"COALESCE(i.code, ''), COALESCE(i.name, '') FROM case_quality q JOIN cases c ON c.id = "
	"q.case_id LEFT JOIN users u ON u.id = q.user_id LEFT JOIN users m ON m.id = c.manager_id "
	"LEFT JOIN insurers i ON i.id = c.insurer_id WHERE q.at >= ? AND q.at < ? ORDER BY q.at, "
	"q.id";

enum res store_quality_insert(struct db *db, struct quality_row *q, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_quality_insert, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, q->case_id);
	db_bind_i64(st, 2, q->score);
	db_bind_text(st, 3, q->question);
	db_bind_text(st, 4, q->comment);
	db_bind_text(st, 5, q->source);
	bind_id(st, 6, q->user_id);
	db_bind_i64(st, 7, q->at);
	if (store_step(st, &r, e) == DB_ROW)
		q->id = db_col_i64(st, 0);
	else if (!r)
		r = err_set(e, RES_INTERNAL, NULL, NULL, "insert returned no id");
	db_reset(st);
	return r;
}

static enum res quality_rows(struct db_stmt *st, struct arena *a, struct quality_row **items,
			     size_t *n, struct err *e)
{
	enum res r;
	size_t cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		struct quality_row *q = &(*items)[*n];
		q->id = db_col_i64(st, 0);
		q->case_id = db_col_i64(st, 1);
		q->user_id = col_id(st, 2);
		q->at = db_col_i64(st, 3);
		q->score = (int)db_col_i64(st, 4);
		q->question = db_col_null(st, 5) ? NULL : store_col_dup(st, 5, a);
		q->comment = db_col_null(st, 6) ? NULL : store_col_dup(st, 6, a);
		q->source = store_col_dup(st, 7, a);
		q->user_login = store_col_dup(st, 8, a);
		q->user_name = store_col_dup(st, 9, a);
		q->manager_id = col_id(st, 10);
		q->manager_login = store_col_dup(st, 11, a);
		q->manager_name = store_col_dup(st, 12, a);
		q->insurer_code = store_col_dup(st, 13, a);
		q->insurer_name = store_col_dup(st, 14, a);
		if (!q->source || !q->user_login || !q->user_name || !q->manager_login || !q->manager_name ||
		    !q->insurer_code || !q->insurer_name) {
			r = OOM(e);
			break;
		}
		(*n)++;
	}
	db_reset(st);
	return r;
}

enum res store_quality_list(struct db *db, int64_t case_id, struct arena *a,
			    struct quality_row **items, size_t *n, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_quality_case, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, case_id);
	return quality_rows(st, a, items, n, e);
}

enum res store_quality_period(struct db *db, int64_t from, int64_t to, struct arena *a,
			      struct quality_row **items, size_t *n, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_quality_period, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, from);
	db_bind_i64(st, 2, to);
	return quality_rows(st, a, items, n, e);
}
