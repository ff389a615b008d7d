/* Tasks on cases (/api/v1/tasks): made for a department, perhaps for one
 * person in it, due at a time, with an urgency. Who may change what is
 * core/cases.h's task_may_change; moving a due time and forwarding are a
 * supervisor's, and audited. Reminders go out from the housekeeping loop
 * when a task comes due. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/clock.h"
#include "base/str.h"
#include "base/log.h"
#include "core/cases.h"

#define TASK_TEXT_MAX 4000
#define REMIND_BATCH 200

static json_t *task_json(const struct task_row *t, int64_t now)
{
	enum task_status s;
	bool unfinished = task_status_parse(t->status, strlen(t->status), &s) &&
			  task_status_unfinished(s);
	return json_pack(
		"{s:I, s:I, s:s, s:o, s:o, s:o, s:s, s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:I, "
		"s:{s:I, s:s, s:s, s:I, s:s, s:s}}",
		"id", (json_int_t)t->id, "case_id", (json_int_t)t->case_id, "department",
		t->department, "assignee_id",
		t->assignee_id ? json_integer(t->assignee_id) : json_null(), "assignee",
		t->assignee_id ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)t->assignee_id,
					   "login", t->assignee_login, "full_name",
					   t->assignee_name)
			       : json_null(),
		"due_at", json_time(t->due_at), "urgency", t->urgency, "text", t->text, "status",
		t->status, "overdue", unfinished && t->due_at <= now, "created_by",
		t->created_by ? json_pack("{s:I, s:s}", "id", (json_int_t)t->created_by, "login",
					  t->creator_login)
			      : json_null(),
		"created_at", json_time(t->created_at), "updated_at", json_time(t->updated_at),
		"done_at", json_time(t->done_at), "reminded_at", json_time(t->reminded_at),
		"version", (json_int_t)t->version, "case", "id", (json_int_t)t->case_id, "type",
		t->case_type, "status", t->case_status, "person_id", (json_int_t)t->person_id,
		"last_name", t->last_name, "first_name", t->first_name);
}

/* What the audit keeps of a task. */
static json_t *task_audit_json(const struct task_row *t)
{
	return json_pack("{s:I, s:s, s:o, s:o, s:s, s:s, s:s, s:I}", "case_id",
			 (json_int_t)t->case_id, "department", t->department, "assignee_id",
			 t->assignee_id ? json_integer(t->assignee_id) : json_null(), "due_at",
			 json_time(t->due_at), "urgency", t->urgency, "text", t->text, "status",
			 t->status, "version", (json_int_t)t->version);
}

/* task:ID, case:ID, department:D and the assignee's user:ID (and the old
 * department or assignee when it was forwarded). */
static enum res task_events(struct req *r, const char *type, const struct task_row *t,
			    const struct task_row *old)
{
	char tt[32], tc[32], td[EVENTS_TOPIC_MAX + 16], tu[32];
	snprintf(tt, sizeof tt, "task:%lld", (long long)t->id);
	snprintf(tc, sizeof tc, "case:%lld", (long long)t->case_id);
	snprintf(td, sizeof td, "department:%s", t->department);
	snprintf(tu, sizeof tu, "user:%lld", (long long)t->assignee_id);
	const char *topics[4] = {tt, tc, td, t->assignee_id ? tu : NULL};
	json_t *data = json_pack("{s:I, s:I, s:s, s:s, s:I}", "id", (json_int_t)t->id, "case_id",
				 (json_int_t)t->case_id, "department", t->department, "status",
				 t->status, "version", (json_int_t)t->version);
	enum res res = api_eventv(r, type, data, topics, 4);
	if (res || !old)
		return res;
	char od[EVENTS_TOPIC_MAX + 16], ou[32];
	snprintf(od, sizeof od, "department:%s", old->department);
	snprintf(ou, sizeof ou, "user:%lld", (long long)old->assignee_id);
	const char *gone[2] = {strcmp(old->department, t->department) ? od : NULL,
			       old->assignee_id && old->assignee_id != t->assignee_id ? ou : NULL};
	if (!gone[0] && !gone[1])
		return RES_OK;
	return api_eventv(r, type,
			  json_pack("{s:I, s:I, s:s, s:s, s:I}", "id", (json_int_t)t->id,
				    "case_id", (json_int_t)t->case_id, "department", t->department,
				    "status", t->status, "version", (json_int_t)t->version),
			  gone, 2);
}

static enum res check_department(struct req *r, const char *d)
{
	if (!case_code_valid(d, strlen(d), 64))
		return err_set(&r->err, RES_INVALID, "invalid_field", "department",
			       "department must be a code of a-z, 0-9, _ and -");
	return RES_OK;
}

static enum res check_assignee(struct req *r, int64_t id)
{
	struct user u;
	enum res res = store_user_get(r->db, id, &r->arena, &u, &r->err);
	if (res == RES_NOT_FOUND || (!res && u.disabled))
		return err_set(&r->err, RES_INVALID, "unknown_user", "assignee",
			       "no enabled user %lld", (long long)id);
	return res;
}

/* Kept to the whole second, as the API shows it: a client that sends back
 * the due time it read sends the same time. */
static enum res read_due(struct req *r, const char *s, int64_t *out)
{
	if (!clock_parse_rfc3339(s, strlen(s), out))
		return err_set(&r->err, RES_INVALID, "invalid_field", "due_at",
			       "due_at must be an RFC 3339 date-time (2026-11-22T15:00:00+03:00)");
	*out -= (*out % 1000000 + 1000000) % 1000000;
	return RES_OK;
}

/* "assignee": a user id, or null. */
static enum res read_assignee(struct req *r, int64_t *out, bool *present)
{
	json_t *j = json_object_get(r->json, "assignee");
	*present = j != NULL;
	*out = 0;
	if (!j || json_is_null(j))
		return RES_OK;
	return jd_i64(r->json, "assignee", false, 1, INT64_MAX, out, NULL, &r->err);
}

enum res api_tasks_create(struct req *r)
{
	static const char *const keys[] = {"case_id", "department", "assignee", "due_at",
					   "urgency", "text", NULL};
	struct task_row t = {0};
	const char *due, *urgency = "normal";
	bool has_assignee;
	t.department = r->user.department;
	enum res res;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = jd_i64(r->json, "case_id", true, 1, INT64_MAX, &t.case_id, NULL, &r->err)) ||
	    (res = jd_str(r->json, "department", !t.department, 64, &t.department, NULL,
			  &r->err)) ||
	    (res = read_assignee(r, &t.assignee_id, &has_assignee)) ||
	    (res = jd_str(r->json, "due_at", true, 40, &due, NULL, &r->err)) ||
	    (res = jd_str(r->json, "urgency", false, 16, &urgency, NULL, &r->err)) ||
	    (res = jd_str(r->json, "text", true, TASK_TEXT_MAX, &t.text, NULL, &r->err)) ||
	    (res = check_department(r, t.department)) || (res = read_due(r, due, &t.due_at)))
		return res;
	enum task_urgency u;
	if (!task_urgency_parse(urgency, strlen(urgency), &u))
		return err_set(&r->err, RES_INVALID, "invalid_field", "urgency",
			       "urgency must be normal, urgent or critical");
	if (text_blank(t.text))
		return err_set(&r->err, RES_INVALID, "invalid_field", "text", "text must not be empty");
	t.urgency = task_urgency_name(u);
	struct case_row c;
	res = store_case_get(r->db, t.case_id, 0, &r->arena, &c, &r->err);
	if (res == RES_NOT_FOUND)
		return err_set(&r->err, RES_INVALID, "unknown_case", "case_id", "no case %lld",
			       (long long)t.case_id);
	if (res)
		return res;
	if (strcmp(c.status, "closed") == 0)
		return err_set(&r->err, RES_UNPROCESSABLE, "case_closed", "case_id",
			       "case %lld is closed: reopen it to add tasks", (long long)c.id);
	if (t.assignee_id && (res = check_assignee(r, t.assignee_id)))
		return res;
	int64_t now = clock_now_us();
	t.status = task_status_name(TASK_OPEN);
	t.created_by = r->user.id;
	t.created_at = t.updated_at = now;
	struct task_row stored;
	if ((res = store_task_insert(r->db, &t, &r->err)) ||
	    (res = store_case_touch(r->db, c.id, now, &r->err)) ||
	    (res = store_task_get(r->db, t.id, &r->arena, &stored, &r->err)))
		return res;
	json_t *after = task_audit_json(&stored);
	res = req_audit(r, "create", "task", stored.id, NULL, after);
	json_decref(after);
	if (res || (res = task_events(r, "task.created", &stored, NULL)))
		return res;
	return req_json(r, 201, task_json(&stored, now));
}

enum res api_tasks_get(struct req *r)
{
	int64_t id;
	struct task_row t;
	enum res res;
	if ((res = req_param_id(r, 0, &id)) ||
	    (res = store_task_get(r->db, id, &r->arena, &t, &r->err)))
		return res;
	return req_json(r, 200, task_json(&t, clock_now_us()));
}

enum res api_tasks_list(struct req *r)
{
	struct task_filter f = {0};
	int64_t limit, offset, total;
	enum res res;
	if ((res = req_paging(r, 100, 500, &limit, &offset)))
		return res;
	f.department = req_query(r, "department");
	if (f.department && (strcmp(f.department, "all") == 0 || !*f.department))
		f.department = NULL;
	else if (f.department && (res = check_department(r, f.department)))
		return res;
	const char *as = req_query(r, "assignee");
	if (as && strcmp(as, "me") == 0) {
		f.assignee_id = r->user.id;
	} else if (as && strcmp(as, "none") == 0) {
		f.assignee_id = -1;
	} else if (as && (str_to_i64(as, strlen(as), &f.assignee_id) || f.assignee_id <= 0)) {
		return err_set(&r->err, RES_INVALID, "invalid_field", "assignee",
			       "assignee must be a user id, me or none");
	}
	const char *cs = req_query(r, "case_id");
	if (cs && (str_to_i64(cs, strlen(cs), &f.case_id) || f.case_id <= 0))
		return err_set(&r->err, RES_INVALID, "invalid_field", "case_id",
			       "case_id must be an id");
	/* by default: every unfinished task of my department (all
	 * departments' for a user who has none) */
	if (!req_query(r, "department") && !as && !cs)
		f.department = r->user.department;
	const char *st = req_query(r, "status");
	if (!st || strcmp(st, "unfinished") == 0) {
		f.unfinished = true;
	} else if (strcmp(st, "all") != 0) {
		enum task_status s;
		if (!task_status_parse(st, strlen(st), &s))
			return err_set(&r->err, RES_INVALID, "invalid_field", "status",
				       "status must be open, in_progress, done, cancelled, "
				       "unfinished or all");
		f.status = st;
	}
	const char *ov = req_query(r, "overdue");
	if (ov && strcmp(ov, "true") && strcmp(ov, "false"))
		return err_set(&r->err, RES_INVALID, "invalid_field", "overdue",
			       "overdue must be true or false");
	f.overdue = ov && strcmp(ov, "true") == 0;
	int64_t now = clock_now_us();
	struct task_row *items;
	size_t n;
	if ((res = store_task_list(r->db, &f, now, limit, offset, &r->arena, &items, &n, &total,
				   &r->err)))
		return res;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, task_json(&items[i], now));
	return req_json(r, 200,
			json_pack("{s:o, s:I, s:I, s:I, s:o}", "items", arr, "total",
				  (json_int_t)total, "limit", (json_int_t)limit, "offset",
				  (json_int_t)offset, "department", json_str_or_null(f.department)));
}

enum res api_tasks_patch(struct req *r)
{
	static const char *const keys[] = {"status", "urgency", "text", "due_at", "department",
					   "assignee", "version", NULL};
	int64_t id, version = 0;
	struct task_row old, t;
	enum res res;
	if ((res = req_param_id(r, 0, &id)) || (res = api_need_body(r)) ||
	    (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = store_task_get(r->db, id, &r->arena, &old, &r->err)))
		return res;
	t = old;
	const char *status = old.status, *urgency = old.urgency, *due = NULL;
	bool has_assignee;
	int64_t assignee;
	if ((res = jd_str(r->json, "status", false, 16, &status, NULL, &r->err)) ||
	    (res = jd_str(r->json, "urgency", false, 16, &urgency, NULL, &r->err)) ||
	    (res = jd_str(r->json, "text", false, TASK_TEXT_MAX, &t.text, NULL, &r->err)) ||
	    (res = jd_str(r->json, "due_at", false, 40, &due, NULL, &r->err)) ||
	    (res = jd_str(r->json, "department", false, 64, &t.department, NULL, &r->err)) ||
	    (res = read_assignee(r, &assignee, &has_assignee)) ||
	    (res = jd_i64(r->json, "version", false, 1, INT64_MAX, &version, NULL, &r->err)) ||
	    (res = check_department(r, t.department)) ||
	    (due && (res = read_due(r, due, &t.due_at))))
		return res;
	enum task_status from, to;
	enum task_urgency u;
	if (!task_status_parse(status, strlen(status), &to))
		return err_set(&r->err, RES_INVALID, "invalid_field", "status",
			       "status must be open, in_progress, done or cancelled");
	if (!task_urgency_parse(urgency, strlen(urgency), &u))
		return err_set(&r->err, RES_INVALID, "invalid_field", "urgency",
			       "urgency must be normal, urgent or critical");
	if (text_blank(t.text))
		return err_set(&r->err, RES_INVALID, "invalid_field", "text", "text must not be empty");
	if (!task_status_parse(old.status, strlen(old.status), &from))
		return err_set(&r->err, RES_INTERNAL, NULL, NULL, "stored task status is unknown");
	t.status = task_status_name(to);
	t.urgency = task_urgency_name(u);
	if (has_assignee)
		t.assignee_id = assignee;
	if (version && version != old.version)
		return err_set(&r->err, RES_CONFLICT, "version_conflict", "version",
			       "the task was changed meanwhile (now version %lld)",
			       (long long)old.version);
	struct task_change c = {
		.due_at = t.due_at != old.due_at,
		.department = strcmp(t.department, old.department) != 0,
		.assignee = t.assignee_id != old.assignee_id,
		.status = to != from,
		.urgency = strcmp(t.urgency, old.urgency) != 0,
		.text = strcmp(t.text, old.text) != 0,
		.new_assignee_id = t.assignee_id,
	};
	struct task_actor who = {r->user.id, r->user.role, r->user.department};
	struct task_facts facts = {old.assignee_id, old.created_by, old.department};
	switch (task_may_change(&who, &facts, &c)) {
	case TASK_ALLOWED:
		break;
	case TASK_DENY_DUE:
		return err_set(&r->err, RES_FORBIDDEN, "forbidden", "due_at",
			       "only a supervisor may move a task's due time");
	case TASK_DENY_FORWARD:
		return err_set(&r->err, RES_FORBIDDEN, "forbidden",
			       c.department ? "department" : "assignee",
			       "only a supervisor may forward a task");
	case TASK_DENY_NOT_YOURS:
		return err_set(&r->err, RES_FORBIDDEN, "forbidden", NULL,
			       "this task is neither yours nor your department's");
	}
	if (!(c.due_at || c.department || c.assignee || c.status || c.urgency || c.text))
		return req_json(r, 200, task_json(&old, clock_now_us()));
	if (c.assignee && t.assignee_id && (res = check_assignee(r, t.assignee_id)))
		return res;
	int64_t now = clock_now_us();
	if (c.status)
		t.done_at = task_status_unfinished(to) ? 0 : now;
	if (c.due_at && t.due_at > now)
		t.reminded_at = 0; /* remind again at the new time */
	struct task_row stored;
	if ((res = store_task_update(r->db, &t, now, &r->err)) ||
	    (res = store_task_get(r->db, id, &r->arena, &stored, &r->err)))
		return res;
	json_t *before = task_audit_json(&old), *after = task_audit_json(&stored);
	/* taking is an unassigned task assigned to oneself; to anyone else it is forwarding */
	bool take = c.assignee && !old.assignee_id && t.assignee_id == r->user.id;
	const char *action = c.due_at ? "reschedule"
			     : c.department || (c.assignee && !take) ? "forward"
			     : take ? "take"
				    : "update";
	res = req_audit(r, action, "task", id, before, after);
	json_decref(before);
	json_decref(after);
	if (res || (res = task_events(r, "task.updated", &stored, &old)))
		return res;
	return req_json(r, 200, task_json(&stored, now));
}

enum res api_tasks_cancel_for_case(struct req *r, int64_t case_id, int64_t now)
{
	struct task_filter f = {.case_id = case_id, .unfinished = true};
	struct task_row *items;
	size_t n;
	int64_t total;
	enum res res = store_task_list(r->db, &f, now, 10000, 0, &r->arena, &items, &n, &total,
				       &r->err);
	for (size_t i = 0; !res && i < n; i++) {
		struct task_row t = items[i], stored;
		t.status = task_status_name(TASK_CANCELLED);
		t.done_at = now;
		if ((res = store_task_update(r->db, &t, now, &r->err)) ||
		    (res = store_task_get(r->db, t.id, &r->arena, &stored, &r->err)))
			break;
		json_t *before = task_audit_json(&items[i]), *after = task_audit_json(&stored);
		res = req_audit(r, "cancel", "task", t.id, before, after);
		json_decref(before);
		json_decref(after);
		if (!res)
			res = task_events(r, "task.updated", &stored, NULL);
	}
	return res;
}

/* ---- reminders ---- */

static void remind_publish(struct db *db, struct event_bus *bus, const struct task_row *t,
			   bool *ok, struct err *e)
{
	char topics[3 * EVENTS_TOPIC_MAX + 64];
	int n1 = snprintf(topics, sizeof topics, "task:%lld", (long long)t->id) + 1;
	int n2 = snprintf(topics + n1, sizeof topics - (size_t)n1, "department:%s",
			  t->department) + 1;
	int n3 = 0;
	if (t->assignee_id)
		n3 = snprintf(topics + n1 + n2, sizeof topics - (size_t)(n1 + n2), "user:%lld",
			      (long long)t->assignee_id) + 1;
	topics[n1 + n2 + n3] = '\0';
	char data[200];
	if (t->assignee_id)
		snprintf(data, sizeof data,
			 "{\"id\":%lld,\"case_id\":%lld,\"department\":\"%s\",\"assignee_id\":%lld}",
			 (long long)t->id, (long long)t->case_id, t->department,
			 (long long)t->assignee_id);
	else
		snprintf(data, sizeof data,
			 "{\"id\":%lld,\"case_id\":%lld,\"department\":\"%s\",\"assignee_id\":null}",
			 (long long)t->id, (long long)t->case_id, t->department);
	if (db_kind(db) == DB_PG) { /* delivered to every server on commit */
		char *payload = events_payload("task.due", topics, data);
		*ok = payload && !store_notify(db, payload, e);
		free(payload);
	} else if (bus) {
		events_publish(bus, "task.due", topics, data);
	}
}

void api_tasks_remind(struct db *db, struct event_bus *bus)
{
	struct arena a;
	arena_init(&a, 16384, 0);
	struct err e;
	err_clear(&e);
	struct task_row *items = NULL;
	size_t n = 0;
	bool ok = true;
	if (db_begin(db, true, &e) ||
	    store_tasks_claim_due(db, clock_now_us(), REMIND_BATCH, &a, &items, &n, &e)) {
		ok = false;
	} else {
		for (size_t i = 0; ok && i < n && db_kind(db) == DB_PG; i++)
			remind_publish(db, bus, &items[i], &ok, &e);
		ok = ok && !db_commit(db, &e);
	}
	if (!ok) {
		if (db_in_tx(db))
			db_rollback(db);
		LOG_MSG(LOG_WARN, "task_reminders_failed", e.message);
		arena_free(&a);
		return;
	}
	/* SQLite: announced in this process once the claim is committed */
	for (size_t i = 0; i < n && db_kind(db) != DB_PG; i++)
		remind_publish(db, bus, &items[i], &ok, &e);
	if (n) {
		struct logb lb;
		logb_begin(&lb, LOG_INFO, "task_reminders");
		logb_int(&lb, "count", (int64_t)n);
		logb_end(&lb);
	}
	arena_free(&a);
}
