#include "api/program_json.h"

#include <stdio.h>
#include <string.h>

#include "http/json.h"

#define P(buf, ...) snprintf(buf, sizeof buf, __VA_ARGS__)

static enum res need_array(json_t *j, const char *key, bool required, json_t **out, struct err *e)
{
	json_t *v = json_object_get(j, key);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return err_set(e, RES_INVALID, "missing_field", key, "%s is required", key);
		return RES_OK;
	}
	if (!json_is_array(v))
		return err_set(e, RES_INVALID, "invalid_field", key, "%s must be an array", key);
	if (json_array_size(v) > PROGRAM_MAX_ITEMS)
		return err_set(e, RES_INVALID, "too_many", key, "%s has more than %d items", key,
			       PROGRAM_MAX_ITEMS);
	*out = v;
	return RES_OK;
}

static enum res i18n(json_t *obj, const char *path, const char *key, bool required,
		     struct i18n_text *out, struct err *e)
{
	char f[96];
	P(f, "%s%s%s", path, *path ? "." : "", key);
	memset(out, 0, sizeof *out);
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			return err_set(e, RES_INVALID, "missing_field", f, "%s is required", f);
		return RES_OK;
	}
	static const char *const langs[] = {"en", "ru", "zh", NULL};
	enum res r;
	if ((r = jd_object(v, f, langs, e)) ||
	    (r = jdp_str(v, f, "en", required, PROGRAM_NAME_MAX, &out->en, NULL, e)) ||
	    (r = jdp_str(v, f, "ru", false, PROGRAM_NAME_MAX, &out->ru, NULL, e)) ||
	    (r = jdp_str(v, f, "zh", false, PROGRAM_NAME_MAX, &out->zh, NULL, e)))
		return r;
	return RES_OK;
}

static enum res scope(json_t *obj, const char *path, struct cov_scope *out, struct err *e)
{
	char f[96];
	P(f, "%s.scope", path);
	json_t *v = json_object_get(obj, "scope");
	if (!v)
		return err_set(e, RES_INVALID, "missing_field", f, "%s is required", f);
	if (!json_is_object(v) || json_object_size(v) != 1)
		return err_set(e, RES_INVALID, "invalid_field", f,
			       "%s must be one of {\"service\": CODE}, {\"category\": CODE}, "
			       "{\"package\": CODE} or {\"program\": true}", f);
	static const struct { const char *key; enum cov_scope_kind kind; } kinds[] = {
		{"service", COV_SCOPE_SERVICE}, {"category", COV_SCOPE_CATEGORY},
		{"package", COV_SCOPE_PACKAGE}, {"program", COV_SCOPE_PROGRAM},
	};
	for (size_t i = 0; i < 4; i++) {
		json_t *c = json_object_get(v, kinds[i].key);
		if (!c)
			continue;
		out->kind = kinds[i].kind;
		out->code = NULL;
		if (kinds[i].kind == COV_SCOPE_PROGRAM) {
			if (!json_is_true(c))
				return err_set(e, RES_INVALID, "invalid_field", f,
					       "%s.program must be true", f);
			return RES_OK;
		}
		if (!json_is_string(c) || !program_code_valid(json_string_value(c)))
			return err_set(e, RES_INVALID, "invalid_field", f, "%s.%s must be a code", f,
				       kinds[i].key);
		out->code = json_string_value(c);
		return RES_OK;
	}
	return err_set(e, RES_INVALID, "invalid_field", f,
		       "%s must be one of service, category, package or program", f);
}

static enum res enum_field(json_t *obj, const char *path, const char *key, const char *const names[],
			   int n, int *out, struct err *e)
{
	const char *s;
	enum res r = jdp_str(obj, path, key, true, 32, &s, NULL, e);
	if (r)
		return r;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0) {
			*out = i;
			return RES_OK;
		}
	char f[96], list[160] = "";
	P(f, "%s.%s", path, key);
	for (int i = 0; i < n; i++) {
		strncat(list, names[i], sizeof list - strlen(list) - 1);
		if (i + 1 < n)
			strncat(list, ", ", sizeof list - strlen(list) - 1);
	}
	return err_set(e, RES_INVALID, "invalid_field", f, "%s must be one of %s", f, list);
}

static enum res code_list(json_t *obj, const char *path, const char *key, struct arena *a,
			  const char *const **out, size_t *n, struct err *e)
{
	char f[96];
	P(f, "%s.%s", path, key);
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	*n = 0;
	if (!v || json_is_null(v))
		return RES_OK;
	if (!json_is_array(v) || json_array_size(v) > PROGRAM_MAX_ITEMS)
		return err_set(e, RES_INVALID, "invalid_field", f, "%s must be an array of codes", f);
	const char **list = arena_alloc(a, (json_array_size(v) + 1) * sizeof *list);
	if (!list)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	size_t i;
	json_t *c;
	json_array_foreach(v, i, c) {
		if (!json_is_string(c) || !program_code_valid(json_string_value(c))) {
			P(f, "%s.%s[%zu]", path, key, i);
			return err_set(e, RES_INVALID, "invalid_field", f, "%s must be a code", f);
		}
		list[i] = json_string_value(c);
	}
	*out = list;
	*n = json_array_size(v);
	return RES_OK;
}

static void *alloc_n(struct arena *a, size_t n, size_t size)
{
	return arena_zalloc(a, (n ? n : 1) * size);
}

enum res program_from_json(json_t *j, struct arena *a, struct program_def *p, struct err *e)
{
	static const char *const top[] = {"insurer", "contract", "code", "name", "sum_insured",
					  "services", "packages", "limits", "deductibles",
					  "exclusions", "waiting_periods", "conditions", NULL};
	enum res r;
	char f[96];
	memset(p, 0, sizeof *p);
	if ((r = jd_object(j, "", top, e)))
		return r;

	json_t *ins = json_object_get(j, "insurer");
	static const char *const ins_keys[] = {"code", "name", NULL};
	if (!ins)
		return err_set(e, RES_INVALID, "missing_field", "insurer", "insurer is required");
	if ((r = jd_object(ins, "insurer", ins_keys, e)) ||
	    (r = jdp_str(ins, "insurer", "code", true, PROGRAM_CODE_MAX, &p->insurer_code, NULL, e)) ||
	    (r = jdp_str(ins, "insurer", "name", true, PROGRAM_NAME_MAX, &p->insurer_name, NULL, e)))
		return r;

	json_t *con = json_object_get(j, "contract");
	static const char *const con_keys[] = {"number", "currency", "starts", "ends", NULL};
	const char *cur, *starts, *ends;
	if (!con)
		return err_set(e, RES_INVALID, "missing_field", "contract", "contract is required");
	if ((r = jd_object(con, "contract", con_keys, e)) ||
	    (r = jdp_str(con, "contract", "number", true, PROGRAM_CODE_MAX, &p->contract_number, NULL, e)) ||
	    (r = jdp_str(con, "contract", "currency", true, 3, &cur, NULL, e)) ||
	    (r = jdp_str(con, "contract", "starts", true, 10, &starts, NULL, e)) ||
	    (r = jdp_str(con, "contract", "ends", true, 10, &ends, NULL, e)))
		return r;
	snprintf(p->currency, sizeof p->currency, "%s", cur);
	if (strlen(cur) != 3)
		return err_set(e, RES_INVALID, "invalid_field", "contract.currency",
			       "contract.currency must be an ISO 4217 code such as RUB");
	if (!date_parse(starts, strlen(starts), &p->contract_starts))
		return err_set(e, RES_INVALID, "invalid_field", "contract.starts",
			       "contract.starts must be a date YYYY-MM-DD");
	if (!date_parse(ends, strlen(ends), &p->contract_ends))
		return err_set(e, RES_INVALID, "invalid_field", "contract.ends",
			       "contract.ends must be a date YYYY-MM-DD");

	if ((r = jd_str(j, "code", true, PROGRAM_CODE_MAX, &p->code, NULL, e)) ||
	    (r = i18n(j, "", "name", true, &p->name, e)) ||
	    (r = jd_i64(j, "sum_insured", true, 0, INT64_MAX / 4, &p->sum_insured, NULL, e)))
		return r;

	json_t *arr, *it;
	size_t i;
	/* services */
	if ((r = need_array(j, "services", true, &arr, e)))
		return r;
	p->nservices = json_array_size(arr);
	p->services = alloc_n(a, p->nservices, sizeof *p->services);
	struct cov_service *cs = alloc_n(a, p->nservices, sizeof *cs);
	if (!p->services || !cs)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	static const char *const svc_keys[] = {"code", "category", "name", "unit", NULL};
	json_array_foreach(arr, i, it) {
		struct program_service *s = &p->services[i];
		P(f, "services[%zu]", i);
		if ((r = jd_object(it, f, svc_keys, e)) ||
		    (r = jdp_str(it, f, "code", true, PROGRAM_CODE_MAX, &s->code, NULL, e)) ||
		    (r = jdp_str(it, f, "category", true, PROGRAM_CODE_MAX, &s->category, NULL, e)) ||
		    (r = i18n(it, f, "name", true, &s->name, e)) ||
		    (r = jdp_str(it, f, "unit", false, 32, &s->unit, NULL, e)))
			return r;
		cs[i] = (struct cov_service){s->code, s->category};
	}
	p->cov.services = cs;
	p->cov.nservices = p->nservices;

	/* packages */
	if ((r = need_array(j, "packages", true, &arr, e)))
		return r;
	struct cov_package *pks = alloc_n(a, json_array_size(arr), sizeof *pks);
	p->package_names = alloc_n(a, json_array_size(arr), sizeof *p->package_names);
	if (!pks || !p->package_names)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	static const char *const pkg_keys[] = {"code", "name", "categories", "services", NULL};
	json_array_foreach(arr, i, it) {
		P(f, "packages[%zu]", i);
		if ((r = jd_object(it, f, pkg_keys, e)) ||
		    (r = jdp_str(it, f, "code", true, PROGRAM_CODE_MAX, &pks[i].code, NULL, e)) ||
		    (r = i18n(it, f, "name", false, &p->package_names[i], e)) ||
		    (r = code_list(it, f, "categories", a, &pks[i].categories, &pks[i].ncategories, e)) ||
		    (r = code_list(it, f, "services", a, &pks[i].services, &pks[i].nservices, e)))
			return r;
		if (!pks[i].ncategories && !pks[i].nservices)
			return err_set(e, RES_INVALID, "invalid_field", f,
				       "%s needs categories or services", f);
	}
	p->cov.packages = pks;
	p->cov.npackages = json_array_size(arr);

	/* limits */
	static const char *const measures[] = {"amount", "count", "days"};
	static const char *const periods[] = {"term", "policy_year", "calendar_year", "quarter",
					      "month", "day", "case"};
	if ((r = need_array(j, "limits", false, &arr, e)))
		return r;
	struct cov_limit *lims = alloc_n(a, json_array_size(arr), sizeof *lims);
	if (!lims)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	static const char *const lim_keys[] = {"scope", "measure", "period", "value", NULL};
	json_array_foreach(arr, i, it) {
		int m, per;
		P(f, "limits[%zu]", i);
		if ((r = jd_object(it, f, lim_keys, e)) || (r = scope(it, f, &lims[i].scope, e)) ||
		    (r = enum_field(it, f, "measure", measures, 3, &m, e)) ||
		    (r = enum_field(it, f, "period", periods, 7, &per, e)) ||
		    (r = jdp_i64(it, f, "value", true, 0, INT64_MAX / 4, &lims[i].value, NULL, e)))
			return r;
		lims[i].id = (int64_t)i + 1;
		lims[i].measure = (enum cov_measure)m;
		lims[i].period = (enum period)per;
	}
	p->cov.limits = lims;
	p->cov.nlimits = arr ? json_array_size(arr) : 0;

	/* deductibles */
	static const char *const kinds[] = {"per_line", "per_visit", "per_case", "percent"};
	if ((r = need_array(j, "deductibles", false, &arr, e)))
		return r;
	struct cov_deductible *deds = alloc_n(a, arr ? json_array_size(arr) : 0, sizeof *deds);
	if (!deds)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	static const char *const ded_keys[] = {"scope", "kind", "value", "min", "max", NULL};
	json_array_foreach(arr, i, it) {
		int k;
		P(f, "deductibles[%zu]", i);
		if ((r = jd_object(it, f, ded_keys, e)) || (r = scope(it, f, &deds[i].scope, e)) ||
		    (r = enum_field(it, f, "kind", kinds, 4, &k, e)) ||
		    (r = jdp_i64(it, f, "value", true, 0, INT64_MAX / 4, &deds[i].value, NULL, e)) ||
		    (r = jdp_i64(it, f, "min", false, 0, INT64_MAX / 4, &deds[i].min, NULL, e)) ||
		    (r = jdp_i64(it, f, "max", false, 0, INT64_MAX / 4, &deds[i].max, NULL, e)))
			return r;
		deds[i].id = (int64_t)i + 1;
		deds[i].kind = (enum cov_ded_kind)k;
	}
	p->cov.deductibles = deds;
	p->cov.ndeductibles = arr ? json_array_size(arr) : 0;

	/* exclusions */
	static const char *const levels[] = {"general", "contract", "package"};
	if ((r = need_array(j, "exclusions", false, &arr, e)))
		return r;
	size_t nx = arr ? json_array_size(arr) : 0;
	struct cov_exclusion *xs = alloc_n(a, nx, sizeof *xs);
	p->exclusion_reasons = alloc_n(a, nx, sizeof *p->exclusion_reasons);
	if (!xs || !p->exclusion_reasons)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	static const char *const ex_keys[] = {"level", "package", "match", "reason", NULL};
	json_array_foreach(arr, i, it) {
		int lv;
		P(f, "exclusions[%zu]", i);
		if ((r = jd_object(it, f, ex_keys, e)) ||
		    (r = enum_field(it, f, "level", levels, 3, &lv, e)) ||
		    (r = jdp_str(it, f, "package", false, PROGRAM_CODE_MAX, &xs[i].package, NULL, e)) ||
		    (r = i18n(it, f, "reason", true, &p->exclusion_reasons[i], e)))
			return r;
		xs[i].level = (enum cov_excl_level)lv;
		char mf[96];
		P(mf, "exclusions[%zu].match", i);
		json_t *m = json_object_get(it, "match");
		if (!json_is_object(m) || json_object_size(m) != 1)
			return err_set(e, RES_INVALID, "invalid_field", mf,
				       "%s must be one of {\"service\"|\"category\"|\"provider\": CODE} or "
				       "{\"diagnosis\": [FROM, TO]}", mf);
		json_t *mv;
		if ((mv = json_object_get(m, "diagnosis"))) {
			xs[i].match = COV_MATCH_DIAGNOSIS;
			if (!json_is_array(mv) || json_array_size(mv) != 2 ||
			    !json_is_string(json_array_get(mv, 0)) || !json_is_string(json_array_get(mv, 1)) ||
			    json_string_length(json_array_get(mv, 0)) > 8 ||
			    json_string_length(json_array_get(mv, 1)) > 8)
				return err_set(e, RES_INVALID, "invalid_field", mf,
					       "%s.diagnosis must be [FROM, TO] ICD-10 codes", mf);
			xs[i].diag_from = json_string_value(json_array_get(mv, 0));
			xs[i].diag_to = json_string_value(json_array_get(mv, 1));
		} else {
			static const struct { const char *k; enum cov_match_kind m; } ms[] = {
				{"service", COV_MATCH_SERVICE}, {"category", COV_MATCH_CATEGORY},
				{"provider", COV_MATCH_PROVIDER}};
			bool found = false;
			for (size_t k = 0; k < 3 && !found; k++)
				if ((mv = json_object_get(m, ms[k].k))) {
					found = true;
					xs[i].match = ms[k].m;
					if (!json_is_string(mv))
						return err_set(e, RES_INVALID, "invalid_field", mf,
							       "%s.%s must be a code", mf, ms[k].k);
					xs[i].code = json_string_value(mv);
				}
			if (!found)
				return err_set(e, RES_INVALID, "invalid_field", mf,
					       "%s must be service, category, provider or diagnosis", mf);
		}
	}
	p->cov.exclusions = xs;
	p->cov.nexclusions = nx;

	/* waiting periods */
	if ((r = need_array(j, "waiting_periods", false, &arr, e)))
		return r;
	struct cov_waiting *ws = alloc_n(a, arr ? json_array_size(arr) : 0, sizeof *ws);
	if (!ws)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	static const char *const w_keys[] = {"scope", "days", NULL};
	json_array_foreach(arr, i, it) {
		int64_t days;
		P(f, "waiting_periods[%zu]", i);
		if ((r = jd_object(it, f, w_keys, e)) || (r = scope(it, f, &ws[i].scope, e)) ||
		    (r = jdp_i64(it, f, "days", true, 0, 3660, &days, NULL, e)))
			return r;
		ws[i].days = (int)days;
	}
	p->cov.waiting = ws;
	p->cov.nwaiting = arr ? json_array_size(arr) : 0;

	/* conditions */
	if ((r = need_array(j, "conditions", false, &arr, e)))
		return r;
	struct cov_condition *cs2 = alloc_n(a, arr ? json_array_size(arr) : 0, sizeof *cs2);
	if (!cs2)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	static const char *const c_keys[] = {"scope", "sex", "min_age", "max_age", NULL};
	json_array_foreach(arr, i, it) {
		const char *sex = NULL;
		int64_t mn = 0, mx = 0;
		P(f, "conditions[%zu]", i);
		if ((r = jd_object(it, f, c_keys, e)) || (r = scope(it, f, &cs2[i].scope, e)) ||
		    (r = jdp_str(it, f, "sex", false, 1, &sex, NULL, e)) ||
		    (r = jdp_i64(it, f, "min_age", false, 0, 150, &mn, NULL, e)) ||
		    (r = jdp_i64(it, f, "max_age", false, 0, 150, &mx, NULL, e)))
			return r;
		if (sex && strcmp(sex, "F") != 0 && strcmp(sex, "M") != 0) {
			P(f, "conditions[%zu].sex", i);
			return err_set(e, RES_INVALID, "invalid_field", f, "%s must be F or M", f);
		}
		cs2[i].sex = sex ? sex[0] : 0;
		cs2[i].min_age = (int)mn;
		cs2[i].max_age = (int)mx;
	}
	p->cov.conditions = cs2;
	p->cov.nconditions = arr ? json_array_size(arr) : 0;

	return program_validate(p, e);
}

/* ---- encoding ---- */

static json_t *i18n_json(const struct i18n_text *t)
{
	json_t *o = json_object();
	if (t->en)
		json_object_set_new(o, "en", json_string(t->en));
	if (t->ru)
		json_object_set_new(o, "ru", json_string(t->ru));
	if (t->zh)
		json_object_set_new(o, "zh", json_string(t->zh));
	return o;
}

static json_t *scope_json(const struct cov_scope *s)
{
	switch (s->kind) {
	case COV_SCOPE_SERVICE: return json_pack("{s:s}", "service", s->code);
	case COV_SCOPE_CATEGORY: return json_pack("{s:s}", "category", s->code);
	case COV_SCOPE_PACKAGE: return json_pack("{s:s}", "package", s->code);
	case COV_SCOPE_PROGRAM: return json_pack("{s:b}", "program", 1);
	}
	return json_null();
}

static json_t *codes_json(const char *const *list, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

json_t *program_to_json(const struct program_def *p)
{
	static const char *const measures[] = {"amount", "count", "days"};
	static const char *const kinds[] = {"per_line", "per_visit", "per_case", "percent"};
	static const char *const levels[] = {"general", "contract", "package"};
	char starts[11], ends[11];
	date_format(p->contract_starts, starts);
	date_format(p->contract_ends, ends);
	json_t *j = json_pack("{s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s}, s:s, s:o, s:I}", "insurer",
			      "code", p->insurer_code, "name", p->insurer_name, "contract", "number",
			      p->contract_number, "currency", p->currency, "starts", starts, "ends",
			      ends, "code", p->code, "name", i18n_json(&p->name), "sum_insured",
			      (json_int_t)p->sum_insured);
	if (!j)
		return NULL;
	json_t *a = json_array();
	for (size_t i = 0; i < p->nservices; i++) {
		const struct program_service *s = &p->services[i];
		json_t *o = json_pack("{s:s, s:s, s:o}", "code", s->code, "category", s->category,
				      "name", i18n_json(&s->name));
		if (s->unit)
			json_object_set_new(o, "unit", json_string(s->unit));
		json_array_append_new(a, o);
	}
	json_object_set_new(j, "services", a);
	a = json_array();
	for (size_t i = 0; i < p->cov.npackages; i++) {
		const struct cov_package *pk = &p->cov.packages[i];
		json_t *o = json_pack("{s:s, s:o, s:o}", "code", pk->code, "categories",
				      codes_json(pk->categories, pk->ncategories), "services",
				      codes_json(pk->services, pk->nservices));
		if (p->package_names && p->package_names[i].en)
			json_object_set_new(o, "name", i18n_json(&p->package_names[i]));
		json_array_append_new(a, o);
	}
	json_object_set_new(j, "packages", a);
	a = json_array();
	for (size_t i = 0; i < p->cov.nlimits; i++) {
		const struct cov_limit *l = &p->cov.limits[i];
		json_array_append_new(a, json_pack("{s:o, s:s, s:s, s:I}", "scope", scope_json(&l->scope),
						   "measure", measures[l->measure], "period",
						   period_name(l->period), "value", (json_int_t)l->value));
	}
	json_object_set_new(j, "limits", a);
	a = json_array();
	for (size_t i = 0; i < p->cov.ndeductibles; i++) {
		const struct cov_deductible *d = &p->cov.deductibles[i];
		json_t *o = json_pack("{s:o, s:s, s:I}", "scope", scope_json(&d->scope), "kind",
				      kinds[d->kind], "value", (json_int_t)d->value);
		if (d->kind == COV_DED_PERCENT) {
			json_object_set_new(o, "min", json_integer(d->min));
			json_object_set_new(o, "max", json_integer(d->max));
		}
		json_array_append_new(a, o);
	}
	json_object_set_new(j, "deductibles", a);
	a = json_array();
	for (size_t i = 0; i < p->cov.nexclusions; i++) {
		const struct cov_exclusion *x = &p->cov.exclusions[i];
		json_t *m;
		switch (x->match) {
		case COV_MATCH_SERVICE: m = json_pack("{s:s}", "service", x->code); break;
		case COV_MATCH_CATEGORY: m = json_pack("{s:s}", "category", x->code); break;
		case COV_MATCH_PROVIDER: m = json_pack("{s:s}", "provider", x->code); break;
		default: m = json_pack("{s:[s,s]}", "diagnosis", x->diag_from, x->diag_to); break;
		}
		json_t *o = json_pack("{s:s, s:o, s:o}", "level", levels[x->level], "match", m, "reason",
				      i18n_json(&p->exclusion_reasons[i]));
		if (x->package)
			json_object_set_new(o, "package", json_string(x->package));
		json_array_append_new(a, o);
	}
	json_object_set_new(j, "exclusions", a);
	a = json_array();
	for (size_t i = 0; i < p->cov.nwaiting; i++)
		json_array_append_new(a, json_pack("{s:o, s:i}", "scope",
						   scope_json(&p->cov.waiting[i].scope), "days",
						   p->cov.waiting[i].days));
	json_object_set_new(j, "waiting_periods", a);
	a = json_array();
	for (size_t i = 0; i < p->cov.nconditions; i++) {
		const struct cov_condition *c = &p->cov.conditions[i];
		json_t *o = json_pack("{s:o}", "scope", scope_json(&c->scope));
		if (c->sex)
			json_object_set_new(o, "sex", json_stringn(&c->sex, 1));
		if (c->min_age)
			json_object_set_new(o, "min_age", json_integer(c->min_age));
		if (c->max_age)
			json_object_set_new(o, "max_age", json_integer(c->max_age));
		json_array_append_new(a, o);
	}
	json_object_set_new(j, "conditions", a);
	return j;
}
