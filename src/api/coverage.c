/* Coverage for operators:
 *   POST /api/v1/coverage/evaluate: a what-if, stores nothing;
 *   GET /api/v1/policies/{number}/coverage?date=: every limit with what is
 *   used and what remains in its current window (the whole picture). */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "base/clock.h"
#include "base/log.h"
#include "jobs/triggers.h"

/* Reason texts in the user's language (issue 3, rule 6). */
static const struct {
	enum cov_reason r;
	const char *en, *ru, *zh;
} reason_texts[] = {
	{COV_R_NO_ACTIVE_POLICY, "No active policy on this date", "Нет действующего полиса на эту дату", "该日期无有效保单"},
	{COV_R_NOT_IN_PROGRAM, "The service is not in the insured's program", "Услуга не входит в программу застрахованного", "该服务不在被保险人的保险方案内"},
	{COV_R_EXCLUDED, "Excluded by the program", "Исключение программы", "属于保险方案除外责任"},
	{COV_R_WAITING_PERIOD, "The waiting period has not ended", "Не истёк период ожидания", "等待期尚未结束"},
	{COV_R_CONDITION_NOT_MET, "The insured does not meet the age or sex condition", "Застрахованный не соответствует условию по возрасту или полу", "被保险人不符合年龄或性别条件"},
	{COV_R_DEDUCTIBLE, "A deductible applies", "Применена франшиза", "适用免赔额"},
	{COV_R_LIMIT_EXHAUSTED, "A limit is exhausted", "Исчерпан лимит", "限额已用尽"},
};

static const char *lang_text(const char *lang, const char *en, const char *ru, const char *zh)
{
	if (lang && strcmp(lang, "ru") == 0)
		return ru;
	if (lang && strcmp(lang, "zh") == 0)
		return zh;
	return en;
}

static json_t *scope_json(const struct cov_scope *s)
{
	static const char *const kinds[] = {"service", "category", "package", "program"};
	if (s->kind == COV_SCOPE_PROGRAM)
		return json_pack("{s:b}", "program", 1);
	return json_pack("{s:s}", kinds[s->kind], s->code);
}

static const char *measure_name(enum cov_measure m)
{
	return m == COV_AMOUNT ? "amount" : m == COV_COUNT ? "count" : "days";
}

static json_t *window_json(enum period p, const struct window *w, int64_t case_id)
{
	if (p == PERIOD_CASE)
		return json_pack("{s:I}", "case_id", (json_int_t)case_id);
	char f[11], l[11];
	date_format(w->first, f);
	date_format(w->last, l);
	return json_pack("{s:s, s:s}", "first", f, "last", l);
}

static const struct cov_limit *limit_by_id(const struct loaded *L, int64_t id)
{
	for (size_t i = 0; i < L->def.cov.nlimits; i++)
		if (L->def.cov.limits[i].id == id)
			return &L->def.cov.limits[i];
	return NULL;
}

static json_t *line_json(const struct loaded *L, const char *lang, const struct cov_line_in *in,
			 const struct cov_line_out *o)
{
	char date[11];
	date_format(in->date, date);
	json_t *reasons = json_array();
	for (size_t k = 0; k < sizeof reason_texts / sizeof reason_texts[0]; k++) {
		if (!(o->reasons & reason_texts[k].r))
			continue;
		const char *text = lang_text(lang, reason_texts[k].en, reason_texts[k].ru,
					     reason_texts[k].zh);
		if (reason_texts[k].r == COV_R_EXCLUDED && L && o->exclusion >= 0)
			text = i18n_pick(&L->def.exclusion_reasons[o->exclusion], lang);
		json_array_append_new(reasons, json_pack("{s:s, s:s}", "code",
							 cov_reason_code(reason_texts[k].r), "text", text));
	}
	json_t *limits = json_array();
	for (size_t k = 0; k < o->ntouches; k++) {
		const struct cov_touch *t = &o->touches[k];
		json_t *lj;
		if (t->limit_id == COV_SUM_INSURED_ID) {
			lj = json_pack("{s:s, s:s}", "key", "sum_insured", "measure", "amount");
		} else {
			const struct cov_limit *l = limit_by_id(L, t->limit_id);
			char key[160];
			program_limit_key(l, key);
			lj = json_pack("{s:s, s:o, s:s}", "key", key, "scope", scope_json(&l->scope),
				       "measure", measure_name(l->measure));
		}
		json_object_set_new(lj, "period", json_string(period_name(t->period)));
		json_object_set_new(lj, "window", window_json(t->period, &t->window, t->case_id));
		json_object_set_new(lj, "limit", json_integer(t->limit));
		json_object_set_new(lj, "remaining_before", json_integer(t->remaining_before));
		json_object_set_new(lj, "remaining_after", json_integer(t->remaining_after));
		json_array_append_new(limits, lj);
	}
	const char *pkg = L && o->package >= 0 ? L->def.cov.packages[o->package].code : NULL;
	return json_pack("{s:s, s:I, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "service",
			 in->service, "quantity", (json_int_t)in->quantity, "unit_price",
			 (json_int_t)in->unit_price, "date", date, "amount", (json_int_t)o->amount,
			 "covered_quantity", (json_int_t)o->covered_quantity, "covered_amount",
			 (json_int_t)o->covered_amount, "insured_pays", (json_int_t)o->insured_pays,
			 "deductible", (json_int_t)o->deductible, "package",
			 pkg ? json_string(pkg) : json_null(), "reasons", reasons, "limits", limits);
}

#define MAX_LINES 500

/* A coverage request, as evaluate and reservations take it. */
struct eval_in {
	const char *number;
	int64_t person_id, case_id;
	cdate date;
	const char *provider, *diagnosis;
	struct cov_line_in *lines;
	size_t nlines;
};

/* The body of evaluate, plus what reservations add (extra keys, read by
 * the caller). */
static enum res eval_parse(struct req *r, const char *const keys[], struct eval_in *x)
{
	static const char *const line_keys[] = {"service", "quantity", "unit_price", "date", NULL};
	const char *date_s;
	enum res res;
	memset(x, 0, sizeof *x);
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = jd_str(r->json, "policy_number", false, 64, &x->number, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "person_id", false, 1, INT64_MAX, &x->person_id, NULL, &r->err)) ||
	    (res = jd_str(r->json, "date", true, 10, &date_s, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "case_id", false, 1, INT64_MAX, &x->case_id, NULL, &r->err)) ||
	    (res = jd_str(r->json, "provider", false, 64, &x->provider, NULL, &r->err)) ||
	    (res = jd_str(r->json, "diagnosis", false, 8, &x->diagnosis, NULL, &r->err)))
		return res;
	if (!x->number == !x->person_id)
		return err_set(&r->err, RES_INVALID, x->number ? "invalid_field" : "missing_field",
			       "policy_number", "give policy_number or person_id, not both");
	if (!date_parse(date_s, strlen(date_s), &x->date))
		return err_set(&r->err, RES_INVALID, "invalid_field", "date", "date must be a date YYYY-MM-DD");
	json_t *lines = json_object_get(r->json, "lines");
	if (!json_is_array(lines) || json_array_size(lines) == 0 || json_array_size(lines) > MAX_LINES)
		return err_set(&r->err, RES_INVALID, lines ? "invalid_field" : "missing_field", "lines",
			       "lines must be an array of 1..%d lines", MAX_LINES);
	x->nlines = json_array_size(lines);
	if (!(x->lines = arena_zalloc(&r->arena, x->nlines * sizeof *x->lines)))
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	size_t i;
	json_t *lj;
	json_array_foreach(lines, i, lj) {
		struct cov_line_in *in = &x->lines[i];
		char f[48];
		snprintf(f, sizeof f, "lines[%zu]", i);
		const char *ld = NULL;
		if ((res = jd_object(lj, f, line_keys, &r->err)) ||
		    (res = jdp_str(lj, f, "service", true, 64, &in->service, NULL, &r->err)) ||
		    (res = jdp_i64(lj, f, "quantity", true, 1, 1000000, &in->quantity, NULL, &r->err)) ||
		    (res = jdp_i64(lj, f, "unit_price", true, 0, 1000000000000000LL, &in->unit_price,
				   NULL, &r->err)) ||
		    (res = jdp_str(lj, f, "date", false, 10, &ld, NULL, &r->err)))
			return res;
		in->date = x->date;
		if (ld && !date_parse(ld, strlen(ld), &in->date)) {
			snprintf(f, sizeof f, "lines[%zu].date", i);
			return err_set(&r->err, RES_INVALID, "invalid_field", f, "%s must be a date YYYY-MM-DD", f);
		}
	}
	return RES_OK;
}

/* The policy the request is about: by number, or the person's active one on
 * the date (found = false when there is none). */
static enum res eval_policy(struct req *r, const struct eval_in *x, struct policy *pol, bool *found)
{
	enum res res;
	*found = true;
	if (x->number) {
		res = store_policy_get(r->db, x->number, &r->arena, pol, &r->err);
		if (res == RES_NOT_FOUND)
			return err_set(&r->err, RES_NOT_FOUND, "not_found", "policy_number",
				       "no policy with this number");
		return res;
	}
	struct person p;
	char ds[11];
	date_format(x->date, ds);
	res = store_person_get(r->db, x->person_id, &r->arena, &p, &r->err);
	if (res == RES_NOT_FOUND)
		return err_set(&r->err, RES_NOT_FOUND, "not_found", "person_id", "no such person");
	if (res)
		return res;
	return store_policy_active(r->db, x->person_id, ds, &r->arena, pol, found, &r->err);
}

static enum res eval_run(struct req *r, const struct eval_in *x, const struct loaded *L,
			 struct cov_line_out **out)
{
	if (!(*out = arena_zalloc(&r->arena, x->nlines * sizeof **out)))
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	if (L) {
		struct cov_request cr = {.case_id = x->case_id, .provider = x->provider,
					 .diagnosis = x->diagnosis, .lines = x->lines,
					 .nlines = x->nlines, .usage = L->usage, .nusage = L->nusage,
					 .ded_usage = L->ded, .nded_usage = L->nded};
		return cov_evaluate(L->plan, &cr, &r->arena, *out, &r->err);
	}
	/* no active policy: every line is refused, and says so */
	for (size_t i = 0; i < x->nlines; i++) {
		struct cov_line_out *o = &(*out)[i];
		o->exclusion = o->package = -1;
		if (__builtin_mul_overflow(x->lines[i].quantity, x->lines[i].unit_price, &o->amount))
			return err_set(&r->err, RES_INVALID, "invalid_field", "lines",
				       "quantity x unit_price is too large");
		o->insured_pays = o->amount;
		o->reasons = COV_R_NO_ACTIVE_POLICY;
	}
	return RES_OK;
}

/* {"policy_number", "currency", "lines", "totals"} */
static json_t *eval_json(struct req *r, const struct eval_in *x, const struct loaded *L,
			 const struct cov_line_out *out, int64_t *covered)
{
	json_t *arr = json_array();
	int64_t tot_amount = 0, tot_covered = 0, tot_pays = 0;
	for (size_t i = 0; i < x->nlines; i++) {
		json_array_append_new(arr, line_json(L, r->user.language, &x->lines[i], &out[i]));
		tot_amount += out[i].amount;
		tot_covered += out[i].covered_amount;
		tot_pays += out[i].insured_pays;
	}
	if (covered)
		*covered = tot_covered;
	return json_pack("{s:o, s:o, s:o, s:{s:I, s:I, s:I}}", "policy_number",
			 L ? json_string(L->pol.number) : json_null(), "currency",
			 L ? json_string(L->pol.currency) : json_null(), "lines", arr, "totals",
			 "amount", (json_int_t)tot_amount, "covered_amount", (json_int_t)tot_covered,
			 "insured_pays", (json_int_t)tot_pays);
}

enum res api_coverage_evaluate(struct req *r)
{
	static const char *const keys[] = {"policy_number", "person_id", "date", "case_id",
					   "provider", "diagnosis", "lines", NULL};
	struct eval_in x;
	struct policy pol;
	struct loaded L;
	struct cov_line_out *out;
	bool found;
	enum res res;
	if ((res = eval_parse(r, keys, &x)) || (res = eval_policy(r, &x, &pol, &found)) ||
	    (found && (res = api_policy_load(r, &pol, &L))) ||
	    (res = eval_run(r, &x, found ? &L : NULL, &out)))
		return res;
	return req_json(r, 200, eval_json(r, &x, found ? &L : NULL, out, NULL));
}

static int64_t used_of(const struct loaded *L, int64_t id, cdate wfirst, bool days)
{
	for (size_t i = 0; i < L->nusage; i++)
		if (L->usage[i].limit_id == id && L->usage[i].window_first == wfirst &&
		    L->usage[i].case_id == 0)
			return days ? (int64_t)L->usage[i].ndates : L->usage[i].used;
	return 0;
}

enum res api_policy_coverage(struct req *r)
{
	struct policy pol;
	struct loaded L;
	enum res res;
	const char *ds = req_query(r, "date");
	char today[32];
	if (!ds) {
		clock_format_rfc3339(clock_now_us(), false, today);
		today[10] = '\0';
		ds = today;
	}
	cdate date;
	if (strlen(ds) != 10 || !date_parse(ds, 10, &date))
		return err_set(&r->err, RES_INVALID, "invalid_field", "date", "date must be a date YYYY-MM-DD");
	if ((res = store_policy_get(r->db, r->params[0], &r->arena, &pol, &r->err)) ||
	    (res = api_policy_load(r, &pol, &L)))
		return res;
	/* outside the term, the windows of its nearest day: an ended policy
	 * shows what it had left at its end, a future one what it will start with */
	cdate wdate = date < L.cp.start ? L.cp.start : date > L.cp.end ? L.cp.end : date;
	json_t *arr = json_array();
	for (size_t i = 0; i < L.def.cov.nlimits; i++) {
		const struct cov_limit *l = &L.def.cov.limits[i];
		char key[160];
		program_limit_key(l, key);
		json_t *lj = json_pack("{s:s, s:o, s:s, s:s, s:I}", "key", key, "scope",
				       scope_json(&l->scope), "measure", measure_name(l->measure),
				       "period", period_name(l->period), "limit", (json_int_t)l->value);
		struct window w;
		if (period_window(l->period, L.cp.start, L.cp.end, wdate, &w)) {
			int64_t used = used_of(&L, l->id, w.first, l->measure == COV_DAYS);
			json_object_set_new(lj, "window", window_json(l->period, &w, 0));
			json_object_set_new(lj, "used", json_integer(used));
			json_object_set_new(lj, "remaining", json_integer(l->value > used ? l->value - used : 0));
		} else {
			/* per case: the remaining depends on the case; the full value is per case */
			json_object_set_new(lj, "window", json_null());
			json_object_set_new(lj, "used", json_null());
			json_object_set_new(lj, "remaining", json_null());
		}
		json_array_append_new(arr, lj);
	}
	int64_t si_used = used_of(&L, COV_SUM_INSURED_ID, L.cp.start, false);
	char s[11], e[11];
	date_format(L.cp.start, s);
	date_format(L.cp.end, e);
	bool active = L.cp.active && date >= L.cp.start && date <= L.cp.end;
	return req_json(r, 200,
			json_pack("{s:s, s:s, s:s, s:s, s:b, s:{s:I, s:I, s:I, s:{s:s, s:s}}, s:o}",
				  "policy_number", pol.number, "program", pol.program_code, "date", ds,
				  "currency", pol.currency, "active", active, "sum_insured", "limit",
				  (json_int_t)pol.sum_insured, "used", (json_int_t)si_used, "remaining",
				  (json_int_t)(pol.sum_insured > si_used ? pol.sum_insured - si_used : 0),
				  "window", "first", s, "last", e, "limits", arr));
}

/* ---- reservations: POST /api/v1/coverage/reservations, GET …/{id},
 * POST …/{id}/commit, POST …/{id}/release ----
 *
 * A reservation is an evaluation that holds what it covers: its
 * consumption is in the ledger from the moment it is made, so a second
 * request on the same policy sees it, and two requests can never overdraw
 * (the policy's row is locked on PostgreSQL; SQLite writers are serialised).
 * Held reservations expire after hold_days unless committed; an expired
 * hold is given back the next time the policy is reserved on. */

#define HOLD_DAYS_DEFAULT 30
#define HOLD_DAYS_MAX 365

static json_t *reservation_json(const struct reservation *x)
{
	json_t *j = json_loads(x->result_json, 0, NULL);
	if (!j)
		return NULL;
	json_object_set_new(j, "id", json_integer(x->id));
	json_object_set_new(j, "status", json_string(x->status));
	json_object_set_new(j, "reference", x->reference ? json_string(x->reference) : json_null());
	json_object_set_new(j, "policy_number", json_string(x->policy_number));
	json_object_set_new(j, "case_id", x->case_id ? json_integer(x->case_id) : json_null());
	json_object_set_new(j, "created_at", json_time(x->created_at));
	json_object_set_new(j, "expires_at", json_time(x->expires_at));
	json_object_set_new(j, "updated_at", json_time(x->updated_at));
	return j;
}

/* Audited, and announced to the streams watching the policy: its
 * remaining coverage changed. */
static enum res res_audit(struct req *r, const char *action, const struct reservation *before,
			  const struct reservation *after)
{
	const struct reservation *x = after ? after : before;
	json_t *b = before ? reservation_json(before) : NULL;
	json_t *a = after ? reservation_json(after) : NULL;
	enum res res = req_audit(r, action, "coverage_reservation", x->id, b, a);
	json_decref(b);
	json_decref(a);
	char topic[EVENTS_TOPIC_MAX + 8];
	snprintf(topic, sizeof topic, "policy:%s", x->policy_number);
	return res ? res
		   : api_event(r, "coverage.changed",
			       json_pack("{s:s, s:I, s:s}", "policy_number", x->policy_number,
					 "reservation_id", (json_int_t)x->id, "status",
					 after ? after->status : before->status),
			       topic, NULL);
}

/* Give a reservation's consumption back and mark it released. */
static enum res res_release(struct req *r, const struct reservation *x, const char *action,
			    int64_t now)
{
	enum res res;
	struct reservation after;
	if ((res = store_ledger_remove(r->db, x->id, x->policy_id, now, &r->err)) ||
	    (res = store_reservation_set_status(r->db, x->id, "released", now, &r->err)) ||
	    (res = store_reservation_get(r->db, x->id, &r->arena, &after, &r->err)))
		return res;
	return res_audit(r, action, x, &after);
}

/* What the evaluated lines consume, into the ledger. */
static enum res res_write_entries(struct req *r, const struct loaded *L, const struct eval_in *x,
				  const struct cov_line_out *out, int64_t rid, int64_t now)
{
	enum res res;
	for (size_t i = 0; i < x->nlines; i++) {
		const struct cov_line_out *o = &out[i];
		char day[11];
		date_format(x->lines[i].date, day);
		for (size_t k = 0; k < o->ntouches; k++) {
			const struct cov_touch *t = &o->touches[k];
			char key[160], wf[11] = "";
			struct ledger_entry e = {.kind = 'l', .key = key, .window_first = wf,
						 .provider = "", .day = ""};
			if (t->measure == COV_COUNT)
				e.used = o->covered_quantity;
			else if (t->measure == COV_AMOUNT)
				e.used = o->covered_amount;
			else if (o->covered_quantity > 0)
				e.day = day;
			if (e.used == 0 && !*e.day)
				continue;
			if (t->period == PERIOD_CASE) {
				if (!t->case_id)
					continue; /* no case: the window was this request only */
				e.case_id = t->case_id;
			} else {
				date_format(t->window.first, wf);
			}
			if (t->limit_id == COV_SUM_INSURED_ID)
				snprintf(key, sizeof key, "sum_insured");
			else
				program_limit_key(limit_by_id(L, t->limit_id), key);
			if ((res = store_ledger_add(r->db, rid, L->pol.id, &e, now, &r->err)))
				return res;
		}
		for (size_t k = 0; k < o->nded_takes; k++) {
			const struct cov_ded_take *t = &o->ded_takes[k];
			const struct cov_deductible *d = NULL;
			for (size_t j = 0; j < L->def.cov.ndeductibles && !d; j++)
				if (L->def.cov.deductibles[j].id == t->deductible_id)
					d = &L->def.cov.deductibles[j];
			char key[160], tday[11] = "";
			struct ledger_entry e = {.kind = 'd', .key = key, .window_first = "",
						 .provider = "", .day = tday, .used = t->taken};
			if (!d || (t->kind == COV_DED_PER_VISIT && !t->provider) ||
			    (t->kind == COV_DED_PER_CASE && !t->case_id))
				continue; /* an unnamed visit or no case: nothing to remember */
			program_deductible_key(d, key);
			if (t->kind == COV_DED_PER_VISIT) {
				e.provider = t->provider;
				date_format(t->date, tday);
			} else {
				e.case_id = t->case_id;
			}
			if ((res = store_ledger_add(r->db, rid, L->pol.id, &e, now, &r->err)))
				return res;
		}
	}
	return RES_OK;
}

enum res api_reservations_create(struct req *r)
{
	static const char *const keys[] = {"policy_number", "person_id", "date", "case_id",
					   "provider", "diagnosis", "lines", "reference",
					   "hold_days", NULL};
	struct eval_in x;
	struct policy pol;
	struct loaded L;
	struct cov_line_out *out;
	const char *reference = NULL;
	int64_t hold_days = HOLD_DAYS_DEFAULT;
	bool found;
	enum res res;
	if ((res = eval_parse(r, keys, &x)) ||
	    (res = jd_str(r->json, "reference", false, 128, &reference, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "hold_days", false, 1, HOLD_DAYS_MAX, &hold_days, NULL, &r->err)) ||
	    (res = eval_policy(r, &x, &pol, &found)))
		return res;
	if (!found)
		return err_set(&r->err, RES_UNPROCESSABLE, "no_active_policy", "date",
			       "the person has no active policy on this date");
	if (reference && !*reference)
		return err_set(&r->err, RES_INVALID, "invalid_field", "reference",
			       "reference must not be empty");
	/* from here on, one request per policy at a time */
	if ((res = store_policy_lock(r->db, pol.id, &r->err)))
		return res;
	char *request = json_dumps(r->json, JSON_COMPACT | JSON_SORT_KEYS);
	const char *req_text = request ? arena_strdup(&r->arena, request) : NULL;
	free(request);
	if (!req_text)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	if (reference) {
		/* a retry with the same reference gets the same reservation */
		struct reservation old;
		if ((res = store_reservation_by_reference(r->db, reference, &r->arena, &old, &found,
							  &r->err)))
			return res;
		if (found && strcmp(old.request_json, req_text) != 0)
			return err_set(&r->err, RES_CONFLICT, "reference_conflict", "reference",
				       "reservation %lld has this reference with another request",
				       (long long)old.id);
		if (found)
			return req_json(r, 200, reservation_json(&old));
	}
	int64_t now = clock_now_us();
	int64_t *expired;
	size_t nexp;
	if ((res = store_reservations_expired(r->db, pol.id, now, &r->arena, &expired, &nexp,
					      &r->err)))
		return res;
	for (size_t i = 0; i < nexp; i++) {
		struct reservation old;
		if ((res = store_reservation_get(r->db, expired[i], &r->arena, &old, &r->err)) ||
		    (res = res_release(r, &old, "expire", now)))
			return res;
	}
	if ((res = api_policy_load(r, &pol, &L)) || (res = eval_run(r, &x, &L, &out)))
		return res;
	struct reservation rv = {.policy_id = pol.id, .case_id = x.case_id, .reference = reference,
				 .status = "held", .request_json = req_text,
				 .created_by = r->user.id, .created_at = now,
				 .expires_at = now + hold_days * 86400LL * 1000000LL, .updated_at = now};
	json_t *result = eval_json(r, &x, &L, out, &rv.covered_amount);
	char *text = result ? json_dumps(result, JSON_COMPACT) : NULL;
	json_decref(result);
	rv.result_json = text ? arena_strdup(&r->arena, text) : NULL;
	free(text);
	if (!rv.result_json)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	struct reservation stored;
	if ((res = store_reservation_insert(r->db, &rv, &r->err)) ||
	    (res = res_write_entries(r, &L, &x, out, rv.id, now)) ||
	    (res = store_reservation_get(r->db, rv.id, &r->arena, &stored, &r->err)) ||
	    (res = res_audit(r, "create", NULL, &stored)))
		return res;
	return req_json(r, 201, reservation_json(&stored));
}

enum res api_reservations_get(struct req *r)
{
	int64_t id;
	struct reservation x;
	enum res res;
	if ((res = req_param_id(r, 0, &id)) ||
	    (res = store_reservation_get(r->db, id, &r->arena, &x, &r->err)))
		return res;
	return req_json(r, 200, reservation_json(&x));
}

/* commit: held → committed; release: held or committed → released. Asking
 * for the state a reservation is already in changes nothing. */
static enum res res_transition(struct req *r, bool commit)
{
	int64_t id;
	struct reservation x;
	enum res res;
	if ((res = req_param_id(r, 0, &id)) ||
	    (res = store_reservation_get(r->db, id, &r->arena, &x, &r->err)) ||
	    (res = store_policy_lock(r->db, x.policy_id, &r->err)) ||
	    /* read again under the lock: another request may have just moved it */
	    (res = store_reservation_get(r->db, id, &r->arena, &x, &r->err)))
		return res;
	int64_t now = clock_now_us();
	const char *want = commit ? "committed" : "released";
	if (strcmp(x.status, want) == 0)
		return req_json(r, 200, reservation_json(&x));
	if (commit && strcmp(x.status, "held") != 0)
		return err_set(&r->err, RES_CONFLICT, "invalid_state", "status",
			       "a %s reservation cannot be committed", x.status);
	if (commit && x.expires_at <= now)
		return err_set(&r->err, RES_CONFLICT, "reservation_expired", "expires_at",
			       "the hold has expired: reserve again");
	if (!commit) {
		if ((res = res_release(r, &x, "release", now)))
			return res;
	} else {
		struct reservation after;
		if ((res = store_reservation_set_status(r->db, id, want, now, &r->err)) ||
		    (res = store_reservation_get(r->db, id, &r->arena, &after, &r->err)) ||
		    (res = res_audit(r, "commit", &x, &after)))
			return res;
	}
	if ((res = store_reservation_get(r->db, id, &r->arena, &x, &r->err)))
		return res;
	return req_json(r, 200, reservation_json(&x));
}

enum res api_reservations_commit(struct req *r) { return res_transition(r, true); }
enum res api_reservations_release(struct req *r) { return res_transition(r, false); }

/* ---- housekeeping: overdue holds ---- */

#define EXPIRE_BATCH 500

/* One overdue hold, in its own transaction: locked, read again, and given
 * back only if it is still held and still overdue. */
static enum res expire_one(struct db *db, int64_t id, int64_t policy_id, int64_t now,
			   bool *expired, struct err *e)
{
	struct arena a;
	arena_init(&a, 8192, 0);
	struct reservation before, after;
	enum res r;
	*expired = false;
	if ((r = db_begin(db, true, e)))
		goto out;
	if ((r = store_policy_lock(db, policy_id, e)) ||
	    (r = store_reservation_get(db, id, &a, &before, e)))
		goto fail;
	if (strcmp(before.status, "held") != 0 || before.expires_at > now) {
		db_rollback(db);
		goto out;
	}
	if ((r = store_ledger_remove(db, id, policy_id, now, e)) ||
	    (r = store_reservation_set_status(db, id, "released", now, e)) ||
	    (r = store_reservation_get(db, id, &a, &after, e)))
		goto fail;
	json_t *bj = reservation_json(&before), *aj = reservation_json(&after);
	r = audit_json(db, 0, "system", "", "expire", "coverage_reservation", id, bj, aj, e);
	json_decref(bj);
	json_decref(aj);
	if (r || (r = db_commit(db, e)))
		goto fail;
	*expired = true;
	goto out;
fail:
	db_rollback(db);
out:
	arena_free(&a);
	return r;
}

void api_housekeep(struct db *db, struct event_bus *bus)
{
	api_tasks_remind(db, bus);
	triggers_daily(db);
	struct arena a;
	arena_init(&a, 16384, 0);
	struct err e;
	err_clear(&e);
	int64_t now = clock_now_us(), *ids, *policies;
	size_t n = 0, done = 0;
	if (db_begin(db, false, &e) ||
	    store_reservations_due(db, now, EXPIRE_BATCH, &a, &ids, &policies, &n, &e)) {
		if (db_in_tx(db))
			db_rollback(db);
		LOG_MSG(LOG_WARN, "reservation_expiry_failed", e.message);
		arena_free(&a);
		return;
	}
	db_rollback(db); /* a read: nothing to keep */
	for (size_t i = 0; i < n; i++) {
		bool expired;
		if (expire_one(db, ids[i], policies[i], now, &expired, &e)) {
			LOG_MSG(LOG_WARN, "reservation_expiry_failed", e.message);
			break;
		}
		done += expired;
	}
	if (done) {
		struct logb lb;
		logb_begin(&lb, LOG_INFO, "reservations_expired");
		logb_int(&lb, "count", (int64_t)done);
		logb_end(&lb);
	}
	arena_free(&a);
}
