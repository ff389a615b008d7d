/* Coverage for operators:
 *   POST /api/v1/coverage/evaluate: a what-if, stores nothing;
 *   GET /api/v1/policies/{number}/coverage?date=: every limit with what is
 *   used and what remains in its current window (the whole picture). */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "base/clock.h"

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

enum res api_coverage_evaluate(struct req *r)
{
	static const char *const keys[] = {"policy_number", "person_id", "date", "case_id",
					   "provider", "diagnosis", "lines", NULL};
	static const char *const line_keys[] = {"service", "quantity", "unit_price", "date", NULL};
	const char *number = NULL, *date_s, *provider = NULL, *diagnosis = NULL;
	int64_t person_id = 0, case_id = 0;
	enum res res;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = jd_str(r->json, "policy_number", false, 64, &number, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "person_id", false, 1, INT64_MAX, &person_id, NULL, &r->err)) ||
	    (res = jd_str(r->json, "date", true, 10, &date_s, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "case_id", false, 1, INT64_MAX, &case_id, NULL, &r->err)) ||
	    (res = jd_str(r->json, "provider", false, 64, &provider, NULL, &r->err)) ||
	    (res = jd_str(r->json, "diagnosis", false, 8, &diagnosis, NULL, &r->err)))
		return res;
	if (!number == !person_id)
		return err_set(&r->err, RES_INVALID, number ? "invalid_field" : "missing_field",
			       "policy_number", "give policy_number or person_id, not both");
	cdate date;
	if (!date_parse(date_s, strlen(date_s), &date))
		return err_set(&r->err, RES_INVALID, "invalid_field", "date", "date must be a date YYYY-MM-DD");
	json_t *lines = json_object_get(r->json, "lines");
	if (!json_is_array(lines) || json_array_size(lines) == 0 || json_array_size(lines) > MAX_LINES)
		return err_set(&r->err, RES_INVALID, lines ? "invalid_field" : "missing_field", "lines",
			       "lines must be an array of 1..%d lines", MAX_LINES);
	size_t nl = json_array_size(lines);
	struct cov_line_in *in = arena_zalloc(&r->arena, nl * sizeof *in);
	struct cov_line_out *out = arena_zalloc(&r->arena, nl * sizeof *out);
	if (!in || !out)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	size_t i;
	json_t *lj;
	json_array_foreach(lines, i, lj) {
		char f[48];
		snprintf(f, sizeof f, "lines[%zu]", i);
		const char *ld = NULL;
		if ((res = jd_object(lj, f, line_keys, &r->err)) ||
		    (res = jdp_str(lj, f, "service", true, 64, &in[i].service, NULL, &r->err)) ||
		    (res = jdp_i64(lj, f, "quantity", true, 1, 1000000, &in[i].quantity, NULL, &r->err)) ||
		    (res = jdp_i64(lj, f, "unit_price", true, 0, 1000000000000000LL, &in[i].unit_price,
				   NULL, &r->err)) ||
		    (res = jdp_str(lj, f, "date", false, 10, &ld, NULL, &r->err)))
			return res;
		in[i].date = date;
		if (ld && !date_parse(ld, strlen(ld), &in[i].date)) {
			snprintf(f, sizeof f, "lines[%zu].date", i);
			return err_set(&r->err, RES_INVALID, "invalid_field", f, "%s must be a date YYYY-MM-DD", f);
		}
	}

	struct policy pol;
	bool found = true;
	if (number) {
		res = store_policy_get(r->db, number, &r->arena, &pol, &r->err);
		if (res == RES_NOT_FOUND)
			return err_set(&r->err, RES_NOT_FOUND, "not_found", "policy_number",
				       "no policy with this number");
		if (res)
			return res;
	} else {
		struct person p;
		char ds[11];
		date_format(date, ds);
		res = store_person_get(r->db, person_id, &r->arena, &p, &r->err);
		if (res == RES_NOT_FOUND)
			return err_set(&r->err, RES_NOT_FOUND, "not_found", "person_id", "no such person");
		if (res || (res = store_policy_active(r->db, person_id, ds, &r->arena, &pol, &found,
						      &r->err)))
			return res;
	}
	const char *lang = r->user.language;
	json_t *arr = json_array();
	int64_t tot_amount = 0, tot_covered = 0, tot_pays = 0;
	struct loaded L;
	if (found) {
		if ((res = api_policy_load(r, &pol, &L)))
			return res;
		struct cov_request cr = {.case_id = case_id, .provider = provider, .diagnosis = diagnosis,
					 .lines = in, .nlines = nl, .usage = L.usage,
					 .nusage = L.nusage};
		if ((res = cov_evaluate(L.plan, &cr, &r->arena, out, &r->err)))
			return res;
	} else {
		/* no active policy: every line is refused, and says so */
		for (i = 0; i < nl; i++) {
			out[i].exclusion = out[i].package = -1;
			if (__builtin_mul_overflow(in[i].quantity, in[i].unit_price, &out[i].amount))
				return err_set(&r->err, RES_INVALID, "invalid_field", "lines",
					       "quantity x unit_price is too large");
			out[i].insured_pays = out[i].amount;
			out[i].reasons = COV_R_NO_ACTIVE_POLICY;
		}
	}
	for (i = 0; i < nl; i++) {
		json_array_append_new(arr, line_json(found ? &L : NULL, lang, &in[i], &out[i]));
		tot_amount += out[i].amount;
		tot_covered += out[i].covered_amount;
		tot_pays += out[i].insured_pays;
	}
	return req_json(r, 200,
			json_pack("{s:o, s:o, s:o, s:{s:I, s:I, s:I}}", "policy_number",
				  found ? json_string(pol.number) : json_null(), "currency",
				  found ? json_string(pol.currency) : json_null(), "lines", arr, "totals",
				  "amount", (json_int_t)tot_amount, "covered_amount",
				  (json_int_t)tot_covered, "insured_pays", (json_int_t)tot_pays));
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
	json_t *arr = json_array();
	for (size_t i = 0; i < L.def.cov.nlimits; i++) {
		const struct cov_limit *l = &L.def.cov.limits[i];
		char key[160];
		program_limit_key(l, key);
		json_t *lj = json_pack("{s:s, s:o, s:s, s:s, s:I}", "key", key, "scope",
				       scope_json(&l->scope), "measure", measure_name(l->measure),
				       "period", period_name(l->period), "limit", (json_int_t)l->value);
		struct window w;
		if (period_window(l->period, L.cp.start, L.cp.end, date, &w)) {
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
