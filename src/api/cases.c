/* Assistance cases (/api/v1/cases), their contact log and quality answers,
 * the active case of a person, the NPS report and the departments list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/clock.h"
#include "base/str.h"
#include "core/cases.h"
#include "core/date.h"
#include "formats/pdfdoc.h"
#include "jobs/triggers.h"

#define CASE_TEXT_MAX 8000
#define CONTACT_TEXT_MAX 4000

static json_t *user_ref(int64_t id, const char *login, const char *name)
{
	if (!id)
		return json_null();
	return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "login", login, "full_name", name);
}

json_t *api_case_json(const struct case_row *c)
{
	json_t *j = json_pack(
		"{s:I, s:I, s:{s:I, s:s, s:s, s:s, s:s}, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, "
		"s:o, s:o, s:o, s:o, s:I, s:I, s:I}",
		"id", (json_int_t)c->id, "person_id", (json_int_t)c->person_id, "person", "id",
		(json_int_t)c->person_id, "last_name", c->last_name, "first_name", c->first_name,
		"middle_name", c->middle_name, "birth_date", c->birth_date, "type", c->type,
		"description", c->description, "status", c->status, "event_date", c->event_date,
		"policy_number", json_str_or_null(*c->policy_number ? c->policy_number : NULL),
		"insurer",
		*c->insurer_code ? json_pack("{s:s, s:s}", "code", c->insurer_code, "name",
					     c->insurer_name)
				 : json_null(),
		"manager_id", c->manager_id ? json_integer(c->manager_id) : json_null(), "manager",
		user_ref(c->manager_id, c->manager_login, c->manager_name), "created_by",
		c->created_by ? json_integer(c->created_by) : json_null(), "created_at",
		json_time(c->created_at), "updated_at", json_time(c->updated_at), "closed_at",
		json_time(c->closed_at), "version", (json_int_t)c->version, "open_tasks",
		(json_int_t)c->open_tasks, "overdue_tasks", (json_int_t)c->overdue_tasks);
	return j;
}

/* The audit picture of a case: what it is, without the joined names. */
static json_t *case_audit_json(const struct case_row *c)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:I}", "person_id",
			 (json_int_t)c->person_id, "type", c->type, "description", c->description,
			 "status", c->status, "event_date", c->event_date, "policy_id",
			 c->policy_id ? json_integer(c->policy_id) : json_null(), "manager_id",
			 c->manager_id ? json_integer(c->manager_id) : json_null(), "version",
			 (json_int_t)c->version);
}

static enum res case_events(struct req *r, const char *type, const struct case_row *c)
{
	char t1[32], t2[32];
	snprintf(t1, sizeof t1, "case:%lld", (long long)c->id);
	snprintf(t2, sizeof t2, "person:%lld", (long long)c->person_id);
	const char *const topics[] = {t1, t2, "cases:all"};
	return api_eventv(r, type,
			  json_pack("{s:I, s:I, s:s, s:I}", "id", (json_int_t)c->id, "person_id",
				    (json_int_t)c->person_id, "status", c->status, "version",
				    (json_int_t)c->version),
			  topics, 3);
}

static enum res check_type(struct req *r, const char *type)
{
	if (!case_code_valid(type, strlen(type), 64))
		return err_set(&r->err, RES_INVALID, "invalid_field", "type",
			       "type must be a code of a-z, 0-9, _ and - (medical, travel, auto, ...)");
	return RES_OK;
}

static enum res check_date(struct req *r, const char *field, const char *s)
{
	cdate d;
	if (strlen(s) != 10 || !date_parse(s, 10, &d))
		return err_set(&r->err, RES_INVALID, "invalid_field", field,
			       "%s must be a date YYYY-MM-DD", field);
	return RES_OK;
}

/* A manager must be an enabled user. */
static enum res check_manager(struct req *r, int64_t id)
{
	struct user u;
	enum res res = store_user_get(r->db, id, &r->arena, &u, &r->err);
	if (res == RES_NOT_FOUND || (!res && u.disabled))
		return err_set(&r->err, RES_INVALID, "unknown_user", "manager_id",
			       "no enabled user %lld", (long long)id);
	return res;
}

/* Link the case to policy number (which must be the person's), or, when
 * number is NULL, to the person's active policy on the event date (none
 * when there is none). */
static enum res link_policy(struct req *r, struct case_row *c, const char *number)
{
	struct policy pol;
	enum res res;
	c->policy_id = c->insurer_id = 0;
	if (number) {
		res = store_policy_get(r->db, number, &r->arena, &pol, &r->err);
		if (res == RES_NOT_FOUND)
			return err_set(&r->err, RES_INVALID, "unknown_policy", "policy_number",
				       "no policy %s", number);
		if (res)
			return res;
		if (pol.person_id != c->person_id)
			return err_set(&r->err, RES_INVALID, "policy_not_of_person", "policy_number",
				       "policy %s is not this person's", number);
	} else {
		bool found = false;
		if ((res = store_policy_active(r->db, c->person_id, c->event_date, &r->arena, &pol,
					       &found, &r->err)))
			return res;
		if (!found)
			return RES_OK;
	}
	c->policy_id = pol.id;
	return store_policy_insurer(r->db, pol.id, &c->insurer_id, &r->err);
}

enum res api_cases_create(struct req *r)
{
	static const char *const keys[] = {"person_id", "type", "description", "policy_number",
					   "event_date", "manager_id", NULL};
	struct case_row c = {0};
	const char *number = NULL;
	char today[11];
	api_today(today);
	c.event_date = today;
	c.description = "";
	enum res res;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = jd_i64(r->json, "person_id", true, 1, INT64_MAX, &c.person_id, NULL, &r->err)) ||
	    (res = jd_str(r->json, "type", true, 64, &c.type, NULL, &r->err)) ||
	    (res = jd_str(r->json, "description", false, CASE_TEXT_MAX, &c.description, NULL,
			  &r->err)) ||
	    (res = jd_str(r->json, "policy_number", false, 64, &number, NULL, &r->err)) ||
	    (res = jd_str(r->json, "event_date", false, 10, &c.event_date, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "manager_id", false, 1, INT64_MAX, &c.manager_id, NULL,
			  &r->err)) ||
	    (res = check_type(r, c.type)) || (res = check_date(r, "event_date", c.event_date)))
		return res;
	struct person p;
	res = store_person_get(r->db, c.person_id, &r->arena, &p, &r->err);
	if (res == RES_NOT_FOUND)
		return err_set(&r->err, RES_INVALID, "unknown_person", "person_id",
			       "no insured person %lld", (long long)c.person_id);
	if (res)
		return res;
	if (!c.manager_id)
		c.manager_id = r->user.id; /* who opens the case answers for it until handed on */
	else if ((res = check_manager(r, c.manager_id)))
		return res;
	if ((res = link_policy(r, &c, number)))
		return res;
	int64_t now = clock_now_us();
	c.status = case_status_name(CASE_OPEN);
	c.created_by = r->user.id;
	c.created_at = c.updated_at = now;
	struct case_row stored;
	if ((res = store_case_insert(r->db, &c, &r->err)) ||
	    (res = store_case_get(r->db, c.id, now, &r->arena, &stored, &r->err)))
		return res;
	json_t *after = case_audit_json(&stored);
	res = req_audit(r, "create", "case", stored.id, NULL, after);
	json_decref(after);
	if (res || (res = case_events(r, "case.created", &stored)))
		return res;
	/* the messages the opening sends (triggers), in this transaction */
	struct trigger_ctx tc = {.case_id = stored.id, .person_id = stored.person_id,
				 .manager_id = stored.manager_id, .created_by = r->user.id,
				 .now = now};
	if (!(tc.subject = arena_printf(&r->arena, "case:%lld", (long long)stored.id)))
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	if ((res = triggers_fire(r->db, &r->arena, "case_opened", &tc, NULL, &r->err)))
		return res;
	return req_json(r, 201, api_case_json(&stored));
}

static enum res load_case(struct req *r, struct case_row *c)
{
	int64_t id;
	enum res res = req_param_id(r, 0, &id);
	return res ? res : store_case_get(r->db, id, clock_now_us(), &r->arena, c, &r->err);
}

static json_t *contact_json(const struct contact_row *k)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:o}", "id", (json_int_t)k->id, "case_id",
			 (json_int_t)k->case_id, "direction", k->direction, "channel", k->channel,
			 "summary", k->summary, "at", json_time(k->at), "user",
			 user_ref(k->user_id, k->user_login, k->user_name));
}

static json_t *quality_json(const struct quality_row *q)
{
	return json_pack("{s:I, s:I, s:i, s:o, s:o, s:s, s:o, s:o}", "id", (json_int_t)q->id,
			 "case_id", (json_int_t)q->case_id, "score", q->score, "question",
			 json_str_or_null(q->question), "comment", json_str_or_null(q->comment),
			 "source", q->source, "user",
			 user_ref(q->user_id, q->user_login, q->user_name ? q->user_name : ""),
			 "at", json_time(q->at));
}

enum res api_cases_get(struct req *r)
{
	struct case_row c;
	struct quality_row *q;
	size_t nq;
	enum res res;
	if ((res = load_case(r, &c)) ||
	    (res = store_quality_list(r->db, c.id, &r->arena, &q, &nq, &r->err)))
		return res;
	json_t *out = api_case_json(&c), *arr = json_array();
	for (size_t i = 0; i < nq; i++)
		json_array_append_new(arr, quality_json(&q[i]));
	json_object_set_new(out, "quality", arr);
	return req_json(r, 200, out);
}

/* ?name=id or "me" */
static enum res query_user(struct req *r, const char *key, int64_t *out)
{
	const char *s = req_query(r, key);
	*out = 0;
	if (!s)
		return RES_OK;
	if (strcmp(s, "me") == 0) {
		*out = r->user.id;
		return RES_OK;
	}
	if (str_to_i64(s, strlen(s), out) || *out <= 0)
		return err_set(&r->err, RES_INVALID, "invalid_field", key,
			       "%s must be a user id or me", key);
	return RES_OK;
}

/* ?key=YYYY-MM-DD as the instant its day starts (UTC); plus days. */
static enum res query_day(struct req *r, const char *key, int plus, int64_t *out)
{
	const char *s = req_query(r, key);
	*out = 0;
	if (!s)
		return RES_OK;
	cdate d;
	if (strlen(s) != 10 || !date_parse(s, 10, &d))
		return err_set(&r->err, RES_INVALID, "invalid_field", key,
			       "%s must be a date YYYY-MM-DD", key);
	*out = ((int64_t)d + plus) * 86400LL * 1000000LL;
	if (*out == 0)
		*out = 1; /* 1970-01-01 is a bound too, not "none" */
	return RES_OK;
}

enum res api_cases_list(struct req *r)
{
	struct case_filter f = {0};
	int64_t limit, offset, total;
	enum res res;
	const char *status = req_query(r, "status");
	if (status && strcmp(status, "active") == 0) {
		f.active = true;
	} else if (status && strcmp(status, "all") != 0) {
		enum case_status s;
		if (!case_status_parse(status, strlen(status), &s))
			return err_set(&r->err, RES_INVALID, "invalid_field", "status",
				       "status must be open, in_progress, waiting, resolved, closed, "
				       "active or all");
		f.status = status;
	}
	f.insurer = req_query(r, "insurer");
	f.type = req_query(r, "type");
	const char *person = req_query(r, "person_id");
	if (person && (str_to_i64(person, strlen(person), &f.person_id) || f.person_id <= 0))
		return err_set(&r->err, RES_INVALID, "invalid_field", "person_id",
			       "person_id must be an id");
	if ((res = req_paging(r, 50, 500, &limit, &offset)) ||
	    (res = query_user(r, "manager", &f.manager_id)) ||
	    (res = query_day(r, "from", 0, &f.from)) || (res = query_day(r, "to", 1, &f.to)))
		return res;
	struct case_row *items;
	size_t n;
	if ((res = store_case_list(r->db, &f, clock_now_us(), limit, offset, &r->arena, &items, &n,
				   &total, &r->err)))
		return res;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_case_json(&items[i]));
	return req_json(r, 200,
			json_pack("{s:o, s:I, s:I, s:I}", "items", arr, "total", (json_int_t)total,
				  "limit", (json_int_t)limit, "offset", (json_int_t)offset));
}

enum res api_cases_patch(struct req *r)
{
	static const char *const keys[] = {"type",	 "description", "status",  "manager_id",
					   "policy_number", "event_date",  "version", NULL};
	struct case_row old, c;
	enum res res;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = load_case(r, &old)))
		return res;
	c = old;
	int64_t version = 0;
	const char *status = old.status;
	if ((res = jd_str(r->json, "type", false, 64, &c.type, NULL, &r->err)) ||
	    (res = jd_str(r->json, "description", false, CASE_TEXT_MAX, &c.description, NULL,
			  &r->err)) ||
	    (res = jd_str(r->json, "status", false, 16, &status, NULL, &r->err)) ||
	    (res = jd_str(r->json, "event_date", false, 10, &c.event_date, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "version", false, 1, INT64_MAX, &version, NULL, &r->err)) ||
	    (res = check_type(r, c.type)) || (res = check_date(r, "event_date", c.event_date)))
		return res;
	if (version && version != old.version)
		return err_set(&r->err, RES_CONFLICT, "version_conflict", "version",
			       "the case was changed meanwhile (now version %lld)",
			       (long long)old.version);
	/* the life cycle */
	enum case_status from, to;
	if (!case_status_parse(old.status, strlen(old.status), &from))
		return err_set(&r->err, RES_INTERNAL, NULL, NULL, "stored case status is unknown");
	if (!case_status_parse(status, strlen(status), &to))
		return err_set(&r->err, RES_INVALID, "invalid_field", "status",
			       "status must be open, in_progress, waiting, resolved or closed");
	enum case_move move = case_transition(from, to);
	if (move == CASE_MOVE_REFUSED)
		return err_set(&r->err, RES_UNPROCESSABLE, "invalid_transition", "status",
			       "a %s case cannot become %s: reopen it first", old.status, status);
	c.status = case_status_name(to);
	if (to == CASE_CLOSED && from != CASE_CLOSED)
		c.closed_at = clock_now_us();
	else if (to != CASE_CLOSED)
		c.closed_at = 0;
	/* the manager */
	json_t *mj = json_object_get(r->json, "manager_id");
	if (mj && json_is_null(mj)) {
		c.manager_id = 0;
	} else if (mj) {
		if ((res = jd_i64(r->json, "manager_id", false, 1, INT64_MAX, &c.manager_id, NULL,
				  &r->err)))
			return res;
		if (c.manager_id != old.manager_id && (res = check_manager(r, c.manager_id)))
			return res;
	}
	/* the policy: as given, or picked again when the event date moved */
	json_t *pj = json_object_get(r->json, "policy_number");
	if (pj && json_is_null(pj)) {
		c.policy_id = c.insurer_id = 0;
	} else if (pj) {
		const char *number;
		if ((res = jd_str(r->json, "policy_number", false, 64, &number, NULL, &r->err)) ||
		    (res = link_policy(r, &c, number)))
			return res;
	} else if (strcmp(c.event_date, old.event_date) != 0 &&
		   (res = link_policy(r, &c, NULL))) {
		return res;
	}
	bool same = strcmp(c.type, old.type) == 0 && strcmp(c.description, old.description) == 0 &&
		    strcmp(c.status, old.status) == 0 && c.manager_id == old.manager_id &&
		    c.policy_id == old.policy_id && strcmp(c.event_date, old.event_date) == 0;
	if (same)
		return req_json(r, 200, api_case_json(&old));
	int64_t now = clock_now_us();
	struct case_row stored;
	if ((res = store_case_update(r->db, &c, now, &r->err)) ||
	    (res = store_case_get(r->db, c.id, now, &r->arena, &stored, &r->err)))
		return res;
	json_t *before = case_audit_json(&old), *after = case_audit_json(&stored);
	res = req_audit(r, move == CASE_MOVE_REOPEN ? "reopen" : "update", "case", c.id, before,
			after);
	json_decref(before);
	json_decref(after);
	if (res || (res = case_events(r, "case.updated", &stored)))
		return res;
	/* the messages closing sends (triggers: the survey), in this transaction */
	if (to == CASE_CLOSED && from != CASE_CLOSED) {
		struct trigger_ctx tc = {.case_id = stored.id, .person_id = stored.person_id,
					 .manager_id = stored.manager_id,
					 .created_by = r->user.id, .now = now};
		if (!(tc.subject = arena_printf(&r->arena, "case:%lld", (long long)stored.id)))
			return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
		if ((res = triggers_fire(r->db, &r->arena, "case_closed", &tc, NULL, &r->err)))
			return res;
	}
	/* a closed case leaves no work behind: its unfinished tasks are cancelled */
	if (to == CASE_CLOSED && from != CASE_CLOSED && stored.open_tasks > 0 &&
	    ((res = api_tasks_cancel_for_case(r, c.id, now)) ||
	     (res = store_case_get(r->db, c.id, now, &r->arena, &stored, &r->err))))
		return res;
	return req_json(r, 200, api_case_json(&stored));
}

/* ---- contacts ---- */

enum res api_contacts_create(struct req *r)
{
	static const char *const keys[] = {"direction", "channel", "summary", "at", NULL};
	struct case_row c;
	struct contact_row k = {0};
	const char *dir, *chan, *at = NULL;
	enum res res;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = jd_str(r->json, "direction", true, 16, &dir, NULL, &r->err)) ||
	    (res = jd_str(r->json, "channel", true, 16, &chan, NULL, &r->err)) ||
	    (res = jd_str(r->json, "summary", true, CONTACT_TEXT_MAX, &k.summary, NULL, &r->err)) ||
	    (res = jd_str(r->json, "at", false, 40, &at, NULL, &r->err)))
		return res;
	if (!contact_direction_parse(dir, strlen(dir), &k.direction))
		return err_set(&r->err, RES_INVALID, "invalid_field", "direction",
			       "direction must be in or out");
	if (!contact_channel_parse(chan, strlen(chan), &k.channel))
		return err_set(&r->err, RES_INVALID, "invalid_field", "channel",
			       "channel must be phone, email, meeting, fax, sms or web");
	if (text_blank(k.summary))
		return err_set(&r->err, RES_INVALID, "invalid_field", "summary",
			       "summary must not be empty");
	int64_t now = clock_now_us();
	k.at = now;
	if (at && (!clock_parse_rfc3339(at, strlen(at), &k.at) || k.at > now + 300LL * 1000000))
		return err_set(&r->err, RES_INVALID, "invalid_field", "at",
			       "at must be an RFC 3339 date-time, not in the future");
	if ((res = load_case(r, &c)))
		return res;
	k.case_id = c.id;
	k.user_id = r->user.id;
	k.user_login = r->user.login;
	k.user_name = r->user.full_name;
	k.created_at = now;
	if ((res = store_contact_insert(r->db, &k, &r->err)) ||
	    (res = store_case_touch(r->db, c.id, now, &r->err)))
		return res;
	json_t *after = contact_json(&k);
	res = req_audit(r, "create", "case_contact", k.id, NULL, after);
	char t1[32], t2[32];
	snprintf(t1, sizeof t1, "case:%lld", (long long)c.id);
	snprintf(t2, sizeof t2, "person:%lld", (long long)c.person_id);
	if (res || (res = api_event(r, "case.contact_added",
				     json_pack("{s:I, s:I}", "case_id", (json_int_t)c.id, "id",
					       (json_int_t)k.id),
				     t1, t2))) {
		json_decref(after);
		return res;
	}
	return req_json(r, 201, after);
}

enum res api_contacts_list(struct req *r)
{
	struct case_row c;
	struct contact_row *items;
	size_t n;
	enum res res;
	if ((res = load_case(r, &c)) ||
	    (res = store_contact_list(r->db, c.id, 0, 5000, &r->arena, &items, &n, &r->err)))
		return res;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, contact_json(&items[i]));
	return req_json(r, 200, json_pack("{s:o, s:I}", "items", arr, "total", (json_int_t)n));
}

/* ---- quality ---- */

enum res api_quality_create(struct req *r)
{
	static const char *const keys[] = {"score", "comment", "question", NULL};
	struct case_row c;
	struct quality_row q = {0};
	int64_t score;
	enum res res;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = jd_i64(r->json, "score", true, 0, 10, &score, NULL, &r->err)) ||
	    (res = jd_str(r->json, "comment", false, CONTACT_TEXT_MAX, &q.comment, NULL, &r->err)) ||
	    (res = jd_str(r->json, "question", false, 1000, &q.question, NULL, &r->err)) ||
	    (res = load_case(r, &c)))
		return res;
	q.case_id = c.id;
	q.score = (int)score;
	q.source = "operator";
	q.user_id = r->user.id;
	q.user_login = r->user.login;
	q.user_name = r->user.full_name;
	q.at = clock_now_us();
	if ((res = store_quality_insert(r->db, &q, &r->err)) ||
	    (res = store_case_touch(r->db, c.id, q.at, &r->err)))
		return res;
	json_t *after = quality_json(&q);
	res = req_audit(r, "create", "case_quality", q.id, NULL, after);
	char t1[32];
	snprintf(t1, sizeof t1, "case:%lld", (long long)c.id);
	if (res || (res = api_event(r, "case.quality_added",
				     json_pack("{s:I, s:I}", "case_id", (json_int_t)c.id, "id",
					       (json_int_t)q.id),
				     t1, NULL))) {
		json_decref(after);
		return res;
	}
	return req_json(r, 201, after);
}

/* ---- a person's cases ---- */

enum res api_persons_active_case(struct req *r)
{
	int64_t id;
	struct person p;
	enum res res;
	if ((res = req_param_id(r, 0, &id)) ||
	    (res = store_person_get(r->db, id, &r->arena, &p, &r->err)))
		return res;
	struct case_filter f = {.active = true, .person_id = id};
	struct case_row *items;
	size_t n;
	int64_t total;
	if ((res = store_case_list(r->db, &f, clock_now_us(), 20, 0, &r->arena, &items, &n, &total,
				   &r->err)))
		return res;
	/* the one to continue: the most recently touched */
	size_t best = 0;
	for (size_t i = 1; i < n; i++)
		if (items[i].updated_at > items[best].updated_at)
			best = i;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_case_json(&items[i]));
	return req_json(r, 200,
			json_pack("{s:o, s:o, s:I}", "case", n ? api_case_json(&items[best]) : json_null(),
				  "open_cases", arr, "total", (json_int_t)total));
}

enum res api_person_card(struct req *r, int64_t person_id, json_t *out)
{
	struct case_filter f = {.person_id = person_id};
	struct case_row *cases;
	struct contact_row *contacts;
	size_t nc, nk;
	int64_t total;
	enum res res;
	if ((res = store_case_list(r->db, &f, clock_now_us(), 100, 0, &r->arena, &cases, &nc,
				   &total, &r->err)) ||
	    (res = store_contact_list(r->db, 0, person_id, 50, &r->arena, &contacts, &nk, &r->err)))
		return res;
	json_t *ca = json_array(), *ka = json_array();
	for (size_t i = 0; i < nc; i++)
		json_array_append_new(ca, api_case_json(&cases[i]));
	for (size_t i = 0; i < nk; i++)
		json_array_append_new(ka, contact_json(&contacts[i]));
	json_object_set_new(out, "cases", ca);
	json_object_set_new(out, "cases_total", json_integer(total));
	json_object_set_new(out, "contacts", ka);
	return RES_OK;
}

/* ---- the NPS report ---- */

struct nps_group {
	char key[96];
	const char *label;
	struct nps_tally t;
};

static json_t *tally_json(const struct nps_tally *t)
{
	int mean = nps_mean_x10(t);
	char m[16];
	snprintf(m, sizeof m, "%d.%d", mean / 10, mean % 10);
	return json_pack("{s:I, s:I, s:I, s:I, s:i, s:s}", "responses", (json_int_t)t->responses,
			 "promoters", (json_int_t)t->promoters, "passives", (json_int_t)t->passives,
			 "detractors", (json_int_t)t->detractors, "nps", nps_value(t), "mean_score",
			 t->responses ? m : "");
}

enum res api_reports_nps(struct req *r)
{
	const char *by = req_query(r, "by");
	if (!by)
		by = "month";
	if (strcmp(by, "month") && strcmp(by, "manager") && strcmp(by, "insurer"))
		return err_set(&r->err, RES_INVALID, "invalid_field", "by",
			       "by must be month, manager or insurer");
	int64_t from, to;
	enum res res;
	if ((res = query_day(r, "from", 0, &from)) || (res = query_day(r, "to", 1, &to)))
		return res;
	char today[11];
	api_today(today);
	cdate td;
	if (!date_parse(today, 10, &td))
		return err_set(&r->err, RES_INTERNAL, NULL, NULL, "clock");
	if (!to)
		to = ((int64_t)td + 1) * 86400LL * 1000000LL;
	if (!from) { /* a year back, from the first of that month */
		int y, m, d;
		date_to_ymd(td, &y, &m, &d);
		from = (int64_t)date_from_ymd(y - 1, m, 1) * 86400LL * 1000000LL;
	}
	if (to <= from)
		return err_set(&r->err, RES_INVALID, "invalid_field", "to", "to must not be before from");
	struct quality_row *q;
	size_t n;
	if ((res = store_quality_period(r->db, from, to, &r->arena, &q, &n, &r->err)))
		return res;
	struct nps_group *g = NULL;
	size_t ng = 0, cap = 0;
	struct nps_tally all = {0};
	for (size_t i = 0; i < n; i++) {
		char key[96];
		const char *label;
		if (by[0] == 'm' && by[1] == 'o') {
			cdate day = (cdate)(q[i].at / (86400LL * 1000000LL));
			int y, m, d;
			date_to_ymd(day, &y, &m, &d);
			snprintf(key, sizeof key, "%04d-%02d", y, m);
			label = NULL;
		} else if (by[0] == 'm') {
			snprintf(key, sizeof key, "%s", q[i].manager_login);
			label = q[i].manager_name;
		} else {
			snprintf(key, sizeof key, "%s", q[i].insurer_code);
			label = q[i].insurer_name;
		}
		size_t k = 0;
		while (k < ng && strcmp(g[k].key, key) != 0)
			k++;
		if (k == ng) {
			if (ng == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct nps_group *ng2 = arena_alloc(&r->arena, ncap * sizeof *g);
				if (!ng2)
					return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
				if (ng)
					memcpy(ng2, g, ng * sizeof *g);
				g = ng2;
				cap = ncap;
			}
			memset(&g[k], 0, sizeof g[k]);
			memcpy(g[k].key, key, sizeof key);
			g[k].label = label;
			ng++;
		}
		nps_add(&g[k].t, q[i].score);
		nps_add(&all, q[i].score);
	}
	/* months in order; managers and insurers by their key */
	for (size_t i = 1; i < ng; i++)
		for (size_t j = i; j > 0 && strcmp(g[j - 1].key, g[j].key) > 0; j--) {
			struct nps_group t = g[j];
			g[j] = g[j - 1];
			g[j - 1] = t;
		}
	json_t *arr = json_array();
	for (size_t i = 0; i < ng; i++) {
		json_t *o = tally_json(&g[i].t);
		json_object_set_new(o, "key", json_str_or_null(*g[i].key ? g[i].key : NULL));
		json_object_set_new(o, "label", json_str_or_null(g[i].label && *g[i].label
									? g[i].label
									: NULL));
		json_array_append_new(arr, o);
	}
	char f[11], t[11];
	date_format((cdate)(from / (86400LL * 1000000LL)), f);
	date_format((cdate)((to - 1) / (86400LL * 1000000LL)), t);
	return req_json(r, 200,
			json_pack("{s:s, s:s, s:s, s:o, s:o}", "from", f, "to", t, "by", by, "groups",
				  arr, "total", tally_json(&all)));
}

/* ---- departments ---- */

enum res api_departments_list(struct req *r)
{
	struct department_row *d;
	size_t n;
	enum res res = store_department_list(r->db, &r->arena, &d, &n, &r->err);
	if (res)
		return res;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:{s:s, s:s, s:s}}", "code", d[i].code,
						     "name", "en", d[i].name_en, "ru", d[i].name_ru,
						     "zh", d[i].name_zh));
	return req_json(r, 200, json_pack("{s:o}", "items", arr));
}

/* ---- the case questionnaire (PDF) ---- */

enum q_label {
	QL_TITLE, QL_PERSON, QL_NAME, QL_BIRTH, QL_SEX, QL_PHONE, QL_EMAIL, QL_DOCUMENT, QL_POLICY,
	QL_NUMBER, QL_PROGRAM, QL_TERM, QL_STATUS, QL_INSURER, QL_NO_POLICY, QL_CASE, QL_TYPE,
	QL_EVENT_DATE, QL_OPENED, QL_MANAGER, QL_DESCRIPTION, QL_CONTACTS, QL_WHEN, QL_DIRECTION,
	QL_CHANNEL, QL_WHO, QL_SUMMARY, QL_TASKS, QL_DUE, QL_DEPARTMENT, QL_URGENCY, QL_TEXT,
	QL_QUALITY, QL_SCORE, QL_COMMENT, QL_NONE, QL_PRINTED, QL__COUNT
};
static const char *const q_labels[QL__COUNT][3] = {
	[QL_TITLE] = {"Case questionnaire", "Анкета ассистанского дела", "救援案件调查表"},
	[QL_PERSON] = {"Insured person", "Застрахованное лицо", "被保险人"},
	[QL_NAME] = {"Name", "ФИО", "姓名"},
	[QL_BIRTH] = {"Date of birth", "Дата рождения", "出生日期"},
	[QL_SEX] = {"Sex", "Пол", "性别"},
	[QL_PHONE] = {"Phone", "Телефон", "电话"},
	[QL_EMAIL] = {"Email", "Эл. почта", "电子邮件"},
	[QL_DOCUMENT] = {"Document", "Документ", "证件"},
	[QL_POLICY] = {"Policy", "Полис", "保单"},
	[QL_NUMBER] = {"Number", "Номер", "编号"},
	[QL_PROGRAM] = {"Program", "Программа", "保险方案"},
	[QL_TERM] = {"Term", "Срок действия", "保险期间"},
	[QL_STATUS] = {"Status", "Статус", "状态"},
	[QL_INSURER] = {"Insurer", "Страховщик", "保险公司"},
	[QL_NO_POLICY] = {"No active policy on the event date", "Нет действующего полиса на дату события",
			  "事故日期无有效保单"},
	[QL_CASE] = {"Case", "Дело", "案件"},
	[QL_TYPE] = {"Type", "Тип", "类型"},
	[QL_EVENT_DATE] = {"Event date", "Дата события", "事故日期"},
	[QL_OPENED] = {"Opened", "Открыто", "立案时间"},
	[QL_MANAGER] = {"Manager", "Менеджер", "负责人"},
	[QL_DESCRIPTION] = {"Description", "Описание", "描述"},
	[QL_CONTACTS] = {"Contacts", "Контакты", "联络记录"},
	[QL_WHEN] = {"When", "Когда", "时间"},
	[QL_DIRECTION] = {"Direction", "Направление", "方向"},
	[QL_CHANNEL] = {"Channel", "Канал", "渠道"},
	[QL_WHO] = {"Who", "Кто", "经办人"},
	[QL_SUMMARY] = {"Summary", "Содержание", "摘要"},
	[QL_TASKS] = {"Tasks", "Задачи", "任务"},
	[QL_DUE] = {"Due", "Срок", "截止时间"},
	[QL_DEPARTMENT] = {"Department", "Отдел", "部门"},
	[QL_URGENCY] = {"Urgency", "Срочность", "紧急程度"},
	[QL_TEXT] = {"Task", "Задача", "任务内容"},
	[QL_QUALITY] = {"Quality", "Качество", "服务质量"},
	[QL_SCORE] = {"NPS score", "Оценка NPS", "NPS 评分"},
	[QL_COMMENT] = {"Comment", "Комментарий", "评论"},
	[QL_NONE] = {"None", "Нет", "无"},
	[QL_PRINTED] = {"Printed", "Напечатано", "打印时间"},
};

/* The words stored as codes, as the questionnaire prints them. */
static const char *const q_words[][4] = {
	{"open", "Open", "Открыто", "已立案"},
	{"in_progress", "In progress", "В работе", "处理中"},
	{"waiting", "Waiting", "Ожидание", "等待中"},
	{"resolved", "Resolved", "Решено", "已解决"},
	{"closed", "Closed", "Закрыто", "已结案"},
	{"done", "Done", "Выполнена", "已完成"},
	{"cancelled", "Cancelled", "Отменена", "已取消"},
	{"active", "Active", "Действует", "有效"},
	{"suspended", "Suspended", "Приостановлен", "已暂停"},
	{"in", "Incoming", "Входящий", "来电/来函"},
	{"out", "Outgoing", "Исходящий", "去电/去函"},
	{"phone", "Phone", "Телефон", "电话"},
	{"email", "Email", "Эл. почта", "电子邮件"},
	{"meeting", "Meeting", "Встреча", "会面"},
	{"fax", "Fax", "Факс", "传真"},
	{"sms", "SMS", "SMS", "短信"},
	{"web", "Web", "Сайт", "网站"},
	{"normal", "Normal", "Обычная", "普通"},
	{"urgent", "Urgent", "Срочная", "紧急"},
	{"critical", "Critical", "Критическая", "特急"},
	{"F", "Female", "Женский", "女"},
	{"M", "Male", "Мужской", "男"},
	{"medical", "Medical", "Медицинская помощь", "医疗救援"},
	{"dental", "Dental", "Стоматология", "牙科"},
	{"ambulance", "Ambulance", "Скорая помощь", "急救车"},
	{"hospitalization", "Hospitalization", "Госпитализация", "住院"},
	{"repatriation", "Repatriation", "Репатриация", "遣返"},
	{"travel", "Travel", "Путешествие", "旅行"},
	{"auto", "Motor", "Автомобиль", "车辆"},
	{"property", "Property", "Имущество", "财产"},
	{"legal", "Legal", "Юридическая помощь", "法律援助"},
	{"consultation", "Consultation", "Консультация", "咨询"},
	{"complaint", "Complaint", "Жалоба", "投诉"},
	{"other", "Other", "Другое", "其他"},
};

static const char *q_word(const char *code, int lang)
{
	for (size_t i = 0; i < sizeof q_words / sizeof q_words[0]; i++)
		if (strcmp(q_words[i][0], code) == 0)
			return q_words[i][1 + lang];
	return code; /* an installation's own code */
}

static int q_lang(const char *lang)
{
	return lang && strcmp(lang, "ru") == 0 ? 1 : lang && strcmp(lang, "zh") == 0 ? 2 : 0;
}

/* "2026-11-22 15:04 UTC" */
static const char *q_time(struct arena *a, int64_t us)
{
	char ts[32];
	clock_format_rfc3339(us, false, ts);
	ts[10] = ' ';
	ts[16] = '\0';
	return arena_printf(a, "%s UTC", ts);
}

enum res api_case_questionnaire_pdf(struct req *r, const struct case_row *c, const char *lang,
				   char **out, size_t *out_len)
{
	struct person p;
	struct contact_row *k;
	struct task_row *t;
	struct quality_row *q;
	size_t nk, nt, nq;
	int64_t total;
	enum res res;
	*out = NULL;
	*out_len = 0;
	int L = q_lang(lang);
#define T(x) q_labels[x][L]
	struct task_filter tf = {0};
	if ((res = store_person_get(r->db, c->person_id, &r->arena, &p, &r->err)) ||
	    (res = store_contact_list(r->db, c->id, 0, 5000, &r->arena, &k, &nk, &r->err)) ||
	    (res = store_quality_list(r->db, c->id, &r->arena, &q, &nq, &r->err)))
		return res;
	tf.case_id = c->id;
	if ((res = store_task_list(r->db, &tf, clock_now_us(), 1000, 0, &r->arena, &t, &nt, &total,
				   &r->err)))
		return res;
	struct arena *a = &r->arena;
	const char *title = arena_printf(a, "%s № %lld", T(QL_TITLE), (long long)c->id);
	const char *sub = arena_printf(a, "%s %s %s%s%s", p.last_name, p.first_name,
				       p.middle_name ? p.middle_name : "", c->policy_number[0] ? " · " : "",
				       c->policy_number);
	const char *foot = arena_printf(a, "assist · %s %s", T(QL_PRINTED), q_time(a, clock_now_us()));
	struct policy pol;
	bool have_pol = c->policy_number[0] != '\0';
	if (have_pol && (res = store_policy_get(r->db, c->policy_number, &r->arena, &pol, &r->err)))
		return res;
	struct pdfdoc *d = pdfdoc_new(title, sub, foot);
	if (!d || !title || !sub || !foot) {
		if (d) {
			char *o;
			size_t ol;
			if (!pdfdoc_finish(d, &o, &ol, &r->err))
				free(o);
		}
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	}
	pdfdoc_section(d, T(QL_PERSON));
	pdfdoc_field(d, T(QL_NAME),
		     arena_printf(a, "%s %s %s", p.last_name, p.first_name,
				  p.middle_name ? p.middle_name : ""));
	pdfdoc_field(d, T(QL_BIRTH), p.birth_date);
	pdfdoc_field(d, T(QL_SEX), q_word(p.sex, L));
	pdfdoc_field(d, T(QL_PHONE), p.phone ? p.phone : "—");
	pdfdoc_field(d, T(QL_EMAIL), p.email ? p.email : "—");
	pdfdoc_field(d, T(QL_DOCUMENT), p.document ? p.document : "—");

	pdfdoc_section(d, T(QL_POLICY));
	if (have_pol) {
		pdfdoc_field(d, T(QL_NUMBER), pol.number);
		pdfdoc_field(d, T(QL_PROGRAM), pol.program_code);
		pdfdoc_field(d, T(QL_TERM), arena_printf(a, "%s — %s", pol.start_date, pol.end_date));
		pdfdoc_field(d, T(QL_STATUS), q_word(pol.status, L));
		pdfdoc_field(d, T(QL_INSURER), c->insurer_name);
	} else {
		pdfdoc_paragraph(d, T(QL_NO_POLICY));
	}

	pdfdoc_section(d, T(QL_CASE));
	pdfdoc_field(d, T(QL_TYPE), q_word(c->type, L));
	pdfdoc_field(d, T(QL_STATUS), q_word(c->status, L));
	pdfdoc_field(d, T(QL_EVENT_DATE), c->event_date);
	pdfdoc_field(d, T(QL_OPENED), q_time(a, c->created_at));
	pdfdoc_field(d, T(QL_MANAGER), c->manager_name[0] ? c->manager_name : "—");
	pdfdoc_field(d, T(QL_DESCRIPTION), c->description[0] ? c->description : "—");

	pdfdoc_section(d, T(QL_CONTACTS));
	if (nk) {
		const char *h[5] = {T(QL_WHEN), T(QL_DIRECTION), T(QL_CHANNEL), T(QL_WHO),
				    T(QL_SUMMARY)};
		static const double w[5] = {0.17, 0.16, 0.12, 0.16, 0.39};
		const char **cells = arena_alloc(a, nk * 5 * sizeof *cells);
		if (cells) {
			for (size_t i = 0; i < nk; i++) {
				cells[i * 5] = q_time(a, k[i].at);
				cells[i * 5 + 1] = q_word(k[i].direction, L);
				cells[i * 5 + 2] = q_word(k[i].channel, L);
				cells[i * 5 + 3] = k[i].user_name[0] ? k[i].user_name : k[i].user_login;
				cells[i * 5 + 4] = k[i].summary;
			}
			pdfdoc_table(d, 5, h, w, cells, nk);
		}
	} else {
		pdfdoc_paragraph(d, T(QL_NONE));
	}

	pdfdoc_section(d, T(QL_TASKS));
	if (nt) {
		const char *h[5] = {T(QL_DUE), T(QL_DEPARTMENT), T(QL_URGENCY), T(QL_STATUS),
				    T(QL_TEXT)};
		static const double w[5] = {0.17, 0.14, 0.14, 0.13, 0.42};
		const char **cells = arena_alloc(a, nt * 5 * sizeof *cells);
		if (cells) {
			for (size_t i = 0; i < nt; i++) {
				cells[i * 5] = q_time(a, t[i].due_at);
				cells[i * 5 + 1] = t[i].department;
				cells[i * 5 + 2] = q_word(t[i].urgency, L);
				cells[i * 5 + 3] = q_word(t[i].status, L);
				cells[i * 5 + 4] = t[i].text;
			}
			pdfdoc_table(d, 5, h, w, cells, nt);
		}
	} else {
		pdfdoc_paragraph(d, T(QL_NONE));
	}

	pdfdoc_section(d, T(QL_QUALITY));
	if (!nq)
		pdfdoc_paragraph(d, T(QL_NONE));
	for (size_t i = 0; i < nq; i++) {
		pdfdoc_field(d, T(QL_SCORE), arena_printf(a, "%d / 10 · %s", q[i].score,
							  q_time(a, q[i].at)));
		if (q[i].comment)
			pdfdoc_field(d, T(QL_COMMENT), q[i].comment);
	}
#undef T
	return pdfdoc_finish(d, out, out_len, &r->err);
}

enum res api_case_questionnaire(struct req *r)
{
	struct case_row c;
	enum res res;
	const char *lang = req_query(r, "lang");
	if (!lang)
		lang = r->user.language;
	if (strcmp(lang, "en") && strcmp(lang, "ru") && strcmp(lang, "zh"))
		return err_set(&r->err, RES_INVALID, "invalid_field", "lang",
			       "lang must be en, ru or zh");
	char *pdf;
	size_t len;
	if ((res = load_case(r, &c)) || (res = api_case_questionnaire_pdf(r, &c, lang, &pdf, &len)))
		return res;
	struct arena *a = &r->arena;
	free(r->resp);
	r->resp = pdf;
	r->resp_len = len;
	r->status = 200;
	r->content_type = "application/pdf";
	const char *disp = arena_printf(a, "inline; filename=\"case-%lld.pdf\"", (long long)c.id);
	req_add_header(r, "Content-Disposition", disp ? disp : "inline");
	return RES_OK;
}
