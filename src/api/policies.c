/* Policies, insured persons, the active policy, and coverage:
 *   POST /api/v1/policies, GET /api/v1/policies/{number},
 *   GET /api/v1/persons/{id}, GET /api/v1/persons/{id}/active-policy?date=,
 *   POST /api/v1/coverage/evaluate, GET /api/v1/policies/{number}/coverage?date= */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/program_json.h"
#include "base/clock.h"
#include "core/phone.h"

/* ---- JSON of persons and policies ---- */

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

json_t *api_person_json(const struct person *p)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:s, s:o, s:o}",
			 "id", (json_int_t)p->id, "last_name", p->last_name, "first_name",
			 p->first_name, "middle_name", str_or_null(p->middle_name), "birth_date",
			 p->birth_date, "sex", p->sex, "phone", str_or_null(p->phone), "email",
			 str_or_null(p->email), "document", str_or_null(p->document), "address",
			 str_or_null(p->address), "city", str_or_null(p->city), "language",
			 p->language, "time_zone", p->time_zone, "created_at",
			 json_time(p->created_at), "updated_at", json_time(p->updated_at));
}

json_t *api_policy_json(const struct policy *p)
{
	json_t *pk = p->packages_json ? json_loads(p->packages_json, 0, NULL) : NULL;
	return json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:I, s:s, s:o, s:I, s:I, s:o, s:o}", "number",
			 p->number, "program", p->program_code, "packages", pk ? pk : json_null(),
			 "start_date", p->start_date, "end_date", p->end_date, "status", p->status,
			 "sum_insured", (json_int_t)p->sum_insured, "currency", p->currency,
			 "previous", *p->previous_number ? json_string(p->previous_number) : json_null(),
			 "version", (json_int_t)p->version, "person_id", (json_int_t)p->person_id,
			 "created_at", json_time(p->created_at), "updated_at", json_time(p->updated_at));
}

/* ---- loading a policy's program, plan and ledger ---- */


enum res api_policy_load(struct req *r, const struct policy *pol, struct loaded *L)
{
	enum res res;
	memset(L, 0, sizeof *L);
	L->pol = *pol;
	struct program_row row;
	if ((res = store_person_get(r->db, pol->person_id, &r->arena, &L->person, &r->err)) ||
	    (res = store_program_get(r->db, pol->program_code, &r->arena, &row, &r->err)))
		return res;
	json_t *j = json_loads(row.definition, 0, NULL);
	if (!j)
		return err_set(&r->err, RES_INTERNAL, NULL, NULL, "stored program is not JSON");
	/* the decoded strings point into j: keep it alive as long as the request */
	res = program_from_json(j, &r->arena, &L->def, &r->err);
	if (res) {
		json_decref(j);
		return err_set(&r->err, RES_INTERNAL, NULL, NULL, "stored program does not decode");
	}
	if ((res = req_keep_json(r, j)))
		return res;

	memset(&L->cp, 0, sizeof L->cp);
	L->cp.active = strcmp(pol->status, "active") == 0;
	if (!date_parse(pol->start_date, strlen(pol->start_date), &L->cp.start) ||
	    !date_parse(pol->end_date, strlen(pol->end_date), &L->cp.end) ||
	    !date_parse(L->person.birth_date, strlen(L->person.birth_date), &L->cp.birth_date))
		return err_set(&r->err, RES_INTERNAL, NULL, NULL, "stored dates do not parse");
	L->cp.sum_insured = pol->sum_insured;
	L->cp.sex = L->person.sex[0];
	if (pol->packages_json) {
		json_t *pk = json_loads(pol->packages_json, 0, NULL);
		size_t n = json_array_size(pk);
		const char **codes = arena_alloc(&r->arena, (n + 1) * sizeof *codes);
		if (!pk || !codes) {
			json_decref(pk);
			return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
		}
		for (size_t i = 0; i < n; i++)
			codes[i] = arena_strdup(&r->arena, json_string_value(json_array_get(pk, i)));
		json_decref(pk);
		L->cp.packages = codes;
		L->cp.npackages = n;
	}
	if ((res = cov_plan_build(&L->def.cov, &L->cp, &r->arena, &L->plan, &r->err)))
		return res;

	struct usage_row *rows;
	size_t n;
	if ((res = store_usage_load(r->db, pol->id, &r->arena, &rows, &n, &r->err)))
		return res;
	L->usage = arena_zalloc(&r->arena, (n + 1) * sizeof *L->usage);
	if (!L->usage)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		int64_t id = -1;
		if (strcmp(rows[i].limit_key, "sum_insured") == 0) {
			id = COV_SUM_INSURED_ID;
		} else {
			char key[160];
			for (size_t k = 0; k < L->def.cov.nlimits && id < 0; k++) {
				program_limit_key(&L->def.cov.limits[k], key);
				if (strcmp(key, rows[i].limit_key) == 0)
					id = L->def.cov.limits[k].id;
			}
		}
		if (id < 0)
			continue; /* the program no longer has this limit */
		struct cov_usage *u = &L->usage[L->nusage++];
		u->limit_id = id;
		u->case_id = rows[i].case_id;
		u->used = rows[i].used;
		if (*rows[i].window_first &&
		    !date_parse(rows[i].window_first, strlen(rows[i].window_first), &u->window_first))
			return err_set(&r->err, RES_INTERNAL, NULL, NULL, "stored window does not parse");
		if (rows[i].ndays) {
			cdate *d = arena_alloc(&r->arena, rows[i].ndays * sizeof *d);
			if (!d)
				return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
			for (size_t k = 0; k < rows[i].ndays; k++)
				if (!date_parse(rows[i].days[k], 10, &d[k]))
					return err_set(&r->err, RES_INTERNAL, NULL, NULL, "stored day");
			u->dates = d;
			u->ndates = rows[i].ndays;
		}
	}

	struct deduction_row *drows;
	if ((res = store_deductions_load(r->db, pol->id, &r->arena, &drows, &n, &r->err)))
		return res;
	if (!(L->ded = arena_zalloc(&r->arena, (n + 1) * sizeof *L->ded)))
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct cov_deductible *d = NULL;
		char key[160];
		for (size_t k = 0; k < L->def.cov.ndeductibles && !d; k++) {
			program_deductible_key(&L->def.cov.deductibles[k], key);
			if (strcmp(key, drows[i].deductible_key) == 0)
				d = &L->def.cov.deductibles[k];
		}
		if (!d)
			continue; /* the program no longer has this deductible */
		struct cov_ded_usage *u = &L->ded[L->nded++];
		u->deductible_id = d->id;
		u->provider = *drows[i].provider ? drows[i].provider : NULL;
		u->case_id = drows[i].case_id;
		u->taken = drows[i].taken;
		if (*drows[i].day && !date_parse(drows[i].day, strlen(drows[i].day), &u->date))
			return err_set(&r->err, RES_INTERNAL, NULL, NULL, "stored day");
	}
	return RES_OK;
}

/* ---- POST /api/v1/policies ---- */

static enum res decode_person(struct req *r, json_t *pj, struct person *p, int64_t *id)
{
	static const char *const keys[] = {"id", "last_name", "first_name", "middle_name",
					   "birth_date", "sex", "phone", "email", "document",
					   "address", "city", "language", "time_zone", NULL};
	enum res res;
	memset(p, 0, sizeof *p);
	*id = 0;
	if (!pj)
		return err_set(&r->err, RES_INVALID, "missing_field", "person", "person is required");
	if ((res = jd_object(pj, "person", keys, &r->err)) ||
	    (res = jdp_i64(pj, "person", "id", false, 1, INT64_MAX, id, NULL, &r->err)))
		return res;
	if (*id)
		return RES_OK;
	const char *phone = NULL;
	if ((res = jdp_str(pj, "person", "last_name", true, 100, &p->last_name, NULL, &r->err)) ||
	    (res = jdp_str(pj, "person", "first_name", true, 100, &p->first_name, NULL, &r->err)) ||
	    (res = jdp_str(pj, "person", "middle_name", false, 100, &p->middle_name, NULL, &r->err)) ||
	    (res = jdp_str(pj, "person", "birth_date", true, 10, &p->birth_date, NULL, &r->err)) ||
	    (res = jdp_str(pj, "person", "sex", true, 1, &p->sex, NULL, &r->err)) ||
	    (res = jdp_str(pj, "person", "phone", false, 32, &phone, NULL, &r->err)) ||
	    (res = jdp_str(pj, "person", "email", false, 254, &p->email, NULL, &r->err)) ||
	    (res = jdp_str(pj, "person", "document", false, 64, &p->document, NULL, &r->err)) ||
	    (res = jdp_str(pj, "person", "address", false, 500, &p->address, NULL, &r->err)) ||
	    (res = jdp_str(pj, "person", "city", false, 100, &p->city, NULL, &r->err)) ||
	    (res = jdp_str(pj, "person", "language", false, 2, &p->language, NULL, &r->err)) ||
	    (res = jdp_str(pj, "person", "time_zone", false, 64, &p->time_zone, NULL, &r->err)))
		return res;
	if (!*p->last_name || !*p->first_name)
		return err_set(&r->err, RES_INVALID, "invalid_field",
			       *p->last_name ? "person.first_name" : "person.last_name",
			       "names must not be empty");
	cdate bd;
	if (!date_parse(p->birth_date, strlen(p->birth_date), &bd))
		return err_set(&r->err, RES_INVALID, "invalid_field", "person.birth_date",
			       "person.birth_date must be a date YYYY-MM-DD");
	if (strcmp(p->sex, "F") != 0 && strcmp(p->sex, "M") != 0)
		return err_set(&r->err, RES_INVALID, "invalid_field", "person.sex",
			       "person.sex must be F or M");
	if (phone) {
		char *e164 = arena_alloc(&r->arena, PHONE_E164_MAX + 1);
		if (!e164)
			return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
		if (!phone_normalize(phone, strlen(phone), e164))
			return err_set(&r->err, RES_INVALID, "invalid_phone", "person.phone",
				       "person.phone is not a phone number (give it with the country code)");
		p->phone = e164;
	}
	if (p->email && (!strchr(p->email, '@') || strchr(p->email, ' ')))
		return err_set(&r->err, RES_INVALID, "invalid_field", "person.email",
			       "person.email is not an e-mail address");
	if (p->language && strcmp(p->language, "en") && strcmp(p->language, "ru") &&
	    strcmp(p->language, "zh"))
		return err_set(&r->err, RES_INVALID, "invalid_field", "person.language",
			       "person.language must be en, ru or zh");
	return RES_OK;
}

/* "packages": null or absent = all the program's; else a non-empty array of
 * its package codes, kept as compact JSON text in the request's arena. */
static enum res decode_packages(struct req *r, json_t *pk, const struct program_row *prow,
				const char *program, const char **out)
{
	*out = NULL;
	if (!pk || json_is_null(pk))
		return RES_OK;
	if (!json_is_array(pk) || json_array_size(pk) == 0)
		return err_set(&r->err, RES_INVALID, "invalid_field", "packages",
			       "packages must be a non-empty array of package codes");
	json_t *def = json_loads(prow->definition, 0, NULL);
	json_t *pkgs = json_object_get(def, "packages");
	size_t i, k;
	json_t *c, *d;
	json_array_foreach(pk, i, c) {
		bool ok = false;
		json_array_foreach(pkgs, k, d) if (json_is_string(c) &&
						   json_equal(json_object_get(d, "code"), c)) ok = true;
		if (!ok) {
			json_decref(def);
			char f[32];
			snprintf(f, sizeof f, "packages[%zu]", i);
			return err_set(&r->err, RES_INVALID, "unknown_package", f,
				       "%s is not a package of program %s", f, program);
		}
	}
	json_decref(def);
	char *text = json_dumps(pk, JSON_COMPACT);
	*out = text ? arena_strdup(&r->arena, text) : NULL;
	free(text);
	return *out ? RES_OK : err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
}

enum res api_policies_create(struct req *r)
{
	static const char *const keys[] = {"number", "program", "packages", "start_date", "end_date",
					   "status", "sum_insured", "previous", "person", NULL};
	const char *number, *program, *start, *end, *status = "active", *previous = NULL;
	int64_t sum_insured = -1;
	enum res res;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = jd_str(r->json, "number", true, 64, &number, NULL, &r->err)) ||
	    (res = jd_str(r->json, "program", true, 64, &program, NULL, &r->err)) ||
	    (res = jd_str(r->json, "start_date", true, 10, &start, NULL, &r->err)) ||
	    (res = jd_str(r->json, "end_date", true, 10, &end, NULL, &r->err)) ||
	    (res = jd_str(r->json, "status", false, 16, &status, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "sum_insured", false, 0, INT64_MAX / 4, &sum_insured, NULL, &r->err)) ||
	    (res = jd_str(r->json, "previous", false, 64, &previous, NULL, &r->err)))
		return res;
	if (!program_code_valid(number))
		return err_set(&r->err, RES_INVALID, "invalid_field", "number",
			       "number must be 1..64 of letters, digits, '.', '_' and '-'");
	cdate s, e;
	if (!date_parse(start, strlen(start), &s))
		return err_set(&r->err, RES_INVALID, "invalid_field", "start_date",
			       "start_date must be a date YYYY-MM-DD");
	if (!date_parse(end, strlen(end), &e) || e < s)
		return err_set(&r->err, RES_INVALID, "invalid_field", "end_date",
			       "end_date must be a date YYYY-MM-DD, not before start_date");
	if (strcmp(status, "active") && strcmp(status, "suspended") && strcmp(status, "cancelled"))
		return err_set(&r->err, RES_INVALID, "invalid_field", "status",
			       "status must be active, suspended or cancelled");
	struct person person;
	int64_t person_id;
	if ((res = decode_person(r, json_object_get(r->json, "person"), &person, &person_id)))
		return res;

	struct program_row prow;
	res = store_program_get(r->db, program, &r->arena, &prow, &r->err);
	if (res == RES_NOT_FOUND)
		return err_set(&r->err, RES_INVALID, "unknown_program", "program", "no program %s",
			       program);
	if (res)
		return res;
	struct policy pol = {.number = number, .program_id = prow.id, .start_date = start,
			     .end_date = end, .status = status,
			     .sum_insured = sum_insured >= 0 ? sum_insured : prow.sum_insured};

	/* held packages: all when not given; else each must be the program's */
	if ((res = decode_packages(r, json_object_get(r->json, "packages"), &prow, program,
				   &pol.packages_json)))
		return res;
	if (previous) {
		struct policy prev;
		res = store_policy_get(r->db, previous, &r->arena, &prev, &r->err);
		if (res == RES_NOT_FOUND)
			return err_set(&r->err, RES_INVALID, "unknown_policy", "previous",
				       "no policy %s to renew", previous);
		if (res)
			return res;
		pol.previous_id = prev.id;
	}
	int64_t now = clock_now_us();
	if (person_id) {
		res = store_person_get(r->db, person_id, &r->arena, &person, &r->err);
		if (res == RES_NOT_FOUND)
			return err_set(&r->err, RES_INVALID, "unknown_person", "person.id",
				       "no person with this id");
		if (res)
			return res;
	} else {
		struct person found;
		bool have;
		if ((res = store_person_match(r->db, &person, &r->arena, &found, &have, &r->err)))
			return res;
		if (have) {
			person = found;
		} else {
			if ((res = store_person_insert(r->db, &person, now, &r->err)))
				return res;
			json_t *pj = api_person_json(&person);
			res = req_audit(r, "create", "person", person.id, NULL, pj);
			json_decref(pj);
			if (res)
				return res;
		}
	}
	pol.person_id = person.id;
	if ((res = store_policy_insert(r->db, &pol, now, &pol.id, &r->err)))
		return res;
	struct policy stored;
	if ((res = store_policy_get(r->db, number, &r->arena, &stored, &r->err)))
		return res;
	json_t *out = api_policy_json(&stored);
	if ((res = req_audit(r, "create", "policy", stored.id, NULL, out))) {
		json_decref(out);
		return res;
	}
	json_object_set_new(out, "person", api_person_json(&person));
	return req_json(r, 201, out);
}

enum res api_policies_get(struct req *r)
{
	struct policy pol;
	struct person person;
	enum res res;
	if ((res = store_policy_get(r->db, r->params[0], &r->arena, &pol, &r->err)) ||
	    (res = store_person_get(r->db, pol.person_id, &r->arena, &person, &r->err)))
		return res;
	json_t *out = api_policy_json(&pol);
	if (out)
		json_object_set_new(out, "person", api_person_json(&person));
	return req_json(r, 200, out);
}

enum res api_persons_get(struct req *r)
{
	int64_t id;
	struct person p;
	struct policy *items;
	size_t n;
	enum res res;
	if ((res = req_param_id(r, 0, &id)) ||
	    (res = store_person_get(r->db, id, &r->arena, &p, &r->err)) ||
	    (res = store_policy_list_person(r->db, id, &r->arena, &items, &n, &r->err)))
		return res;
	json_t *out = api_person_json(&p);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_policy_json(&items[i]));
	json_object_set_new(out, "policies", arr);
	/* the card: the active policy today (NULL = the banner), cases, contacts */
	char today[11];
	api_today(today);
	struct policy act;
	bool found = false;
	if ((res = store_policy_active(r->db, id, today, &r->arena, &act, &found, &r->err)) ||
	    (res = api_person_card(r, id, out)) || (res = api_person_opt_outs(r, id, out))) {
		json_decref(out);
		return res;
	}
	json_object_set_new(out, "active_policy", found ? json_string(act.number) : json_null());
	return req_json(r, 200, out);
}

/* ?date=YYYY-MM-DD, today (UTC) when absent */
static enum res query_date(struct req *r, const char *key, char out[11], cdate *d)
{
	const char *s = req_query(r, key);
	if (!s) {
		char ts[32];
		clock_format_rfc3339(clock_now_us(), false, ts);
		memcpy(out, ts, 10);
		out[10] = '\0';
	} else if (strlen(s) != 10) {
		return err_set(&r->err, RES_INVALID, "invalid_field", key, "%s must be a date YYYY-MM-DD", key);
	} else {
		memcpy(out, s, 11);
	}
	if (!date_parse(out, 10, d))
		return err_set(&r->err, RES_INVALID, "invalid_field", key, "%s must be a date YYYY-MM-DD", key);
	return RES_OK;
}

enum res api_persons_active_policy(struct req *r)
{
	int64_t id;
	char date[11];
	cdate d;
	struct person p;
	struct policy pol;
	bool found;
	enum res res;
	if ((res = req_param_id(r, 0, &id)) || (res = query_date(r, "date", date, &d)) ||
	    (res = store_person_get(r->db, id, &r->arena, &p, &r->err)) ||
	    (res = store_policy_active(r->db, id, date, &r->arena, &pol, &found, &r->err)))
		return res;
	if (!found)
		return err_set(&r->err, RES_NOT_FOUND, "no_active_policy", NULL,
			       "the person has no active policy on %s", date);
	return req_json(r, 200, api_policy_json(&pol));
}

/* ---- PATCH /api/v1/policies/{number} ---- */

enum res api_policies_patch(struct req *r)
{
	static const char *const keys[] = {"status", "start_date", "end_date", "packages",
					   "sum_insured", "previous", "version", NULL};
	struct policy old, pol;
	enum res res;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = store_policy_get(r->db, r->params[0], &r->arena, &old, &r->err)))
		return res;
	pol = old;
	int64_t version = 0, sum = -1;
	const char *previous = NULL;
	if ((res = jd_str(r->json, "status", false, 16, &pol.status, NULL, &r->err)) ||
	    (res = jd_str(r->json, "start_date", false, 10, &pol.start_date, NULL, &r->err)) ||
	    (res = jd_str(r->json, "end_date", false, 10, &pol.end_date, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "sum_insured", false, 0, INT64_MAX / 4, &sum, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "version", false, 1, INT64_MAX, &version, NULL, &r->err)))
		return res;
	/* optimistic locking: a client that read version N may say so */
	if (version && version != old.version)
		return err_set(&r->err, RES_CONFLICT, "version_conflict", "version",
			       "the policy was changed meanwhile (now version %lld)",
			       (long long)old.version);
	if (sum >= 0)
		pol.sum_insured = sum;
	cdate s, e;
	if (!date_parse(pol.start_date, strlen(pol.start_date), &s))
		return err_set(&r->err, RES_INVALID, "invalid_field", "start_date",
			       "start_date must be a date YYYY-MM-DD");
	if (!date_parse(pol.end_date, strlen(pol.end_date), &e) || e < s)
		return err_set(&r->err, RES_INVALID, "invalid_field", "end_date",
			       "end_date must be a date YYYY-MM-DD, not before start_date");
	if (strcmp(pol.status, "active") && strcmp(pol.status, "suspended") &&
	    strcmp(pol.status, "cancelled"))
		return err_set(&r->err, RES_INVALID, "invalid_field", "status",
			       "status must be active, suspended or cancelled");
	json_t *pk = json_object_get(r->json, "packages");
	if (pk) {
		struct program_row prow;
		if ((res = store_program_get(r->db, old.program_code, &r->arena, &prow, &r->err)) ||
		    (res = decode_packages(r, pk, &prow, old.program_code, &pol.packages_json)))
			return res;
	}
	json_t *pv = json_object_get(r->json, "previous");
	if (pv && json_is_null(pv)) {
		pol.previous_id = 0;
	} else if (pv) {
		if ((res = jd_str(r->json, "previous", false, 64, &previous, NULL, &r->err)))
			return res;
		struct policy prev;
		res = store_policy_get(r->db, previous, &r->arena, &prev, &r->err);
		if (res == RES_NOT_FOUND)
			return err_set(&r->err, RES_INVALID, "unknown_policy", "previous",
				       "no policy %s to renew", previous);
		if (res)
			return res;
		if (prev.id == old.id)
			return err_set(&r->err, RES_INVALID, "invalid_field", "previous",
				       "a policy cannot renew itself");
		pol.previous_id = prev.id;
	}
	json_t *before = api_policy_json(&old);
	bool same = old.previous_id == pol.previous_id && old.sum_insured == pol.sum_insured &&
		    strcmp(old.status, pol.status) == 0 && strcmp(old.start_date, pol.start_date) == 0 &&
		    strcmp(old.end_date, pol.end_date) == 0 &&
		    (old.packages_json && pol.packages_json
			     ? strcmp(old.packages_json, pol.packages_json) == 0
			     : old.packages_json == pol.packages_json);
	if (same) /* nothing changed: no new version, no audit entry */
		return req_json(r, 200, before);
	struct policy stored;
	if ((res = store_policy_update(r->db, &pol, clock_now_us(), &r->err)) ||
	    (res = store_policy_get(r->db, old.number, &r->arena, &stored, &r->err))) {
		json_decref(before);
		return res;
	}
	json_t *after = api_policy_json(&stored);
	res = req_audit(r, "update", "policy", stored.id, before, after);
	json_decref(before);
	char t1[EVENTS_TOPIC_MAX + 8], t2[40];
	snprintf(t1, sizeof t1, "policy:%s", stored.number);
	snprintf(t2, sizeof t2, "person:%lld", (long long)stored.person_id);
	if (res || (res = api_event(r, "policy.updated",
				     json_pack("{s:s, s:I}", "number", stored.number, "version",
					       (json_int_t)stored.version),
				     t1, t2))) {
		json_decref(after);
		return res;
	}
	return req_json(r, 200, after);
}

/* ---- GET /api/v1/policies/{number}/history ---- */

/* What differs between two versions, field by field; the bookkeeping
 * fields every update touches are left out. */
static json_t *changes_json(json_t *before, json_t *after)
{
	static const char *const skip[] = {"version", "created_at", "updated_at", "person", NULL};
	json_t *out = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(after, k, v) {
		bool skipped = false;
		for (size_t i = 0; skip[i] && !skipped; i++)
			skipped = strcmp(skip[i], k) == 0;
		json_t *old = before ? json_object_get(before, k) : NULL;
		if (skipped || (old && json_equal(old, v)) || (!old && json_is_null(v)))
			continue;
		json_array_append_new(out, json_pack("{s:s, s:O, s:O}", "field", k, "old",
						     old ? old : json_null(), "new", v));
	}
	return out;
}

enum res api_policies_history(struct req *r)
{
	struct policy pol;
	enum res res;
	int64_t limit, offset, total = 0;
	if ((res = req_paging(r, 100, 500, &limit, &offset)) ||
	    (res = store_policy_get(r->db, r->params[0], &r->arena, &pol, &r->err)))
		return res;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)pol.id);
	struct audit_rec *items;
	size_t n;
	if ((res = store_audit_list(r->db, "policy", id, limit, offset, &r->arena, &items, &n, &total,
				    &r->err)))
		return res;
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		struct audit_rec *a = &items[i];
		json_t *before = a->before_json ? json_loads(a->before_json, 0, NULL) : NULL;
		json_t *after = a->after_json ? json_loads(a->after_json, 0, NULL) : NULL;
		json_t *ver = after ? json_object_get(after, "version") : NULL;
		json_array_append_new(
			arr, json_pack("{s:o, s:s, s:s, s:O, s:o, s:s}", "at", json_time(a->at), "actor",
				       a->actor_login ? a->actor_login : "", "action", a->action,
				       "version", ver ? ver : json_null(), "changes",
				       after ? changes_json(before, after) : json_array(),
				       "request_id", a->request_id ? a->request_id : ""));
		json_decref(before);
		json_decref(after);
	}
	/* a policy an import created has no entry of its own: the import's is
	 * its first one, with version 1 as the oldest change's "before" (or the
	 * policy as it is, when it never changed) */
	if (pol.import_id) {
		int64_t audit_total = total++;
		if ((int64_t)n < limit && offset + (int64_t)n == audit_total) {
			struct import_rec imp;
			json_t *v1 = NULL;
			if ((res = store_import_get(r->db, pol.import_id, &r->arena, &imp, &r->err))) {
				json_decref(arr);
				return res;
			}
			if (audit_total > 0) {
				struct audit_rec *oldest;
				size_t k;
				int64_t t2;
				if ((res = store_audit_list(r->db, "policy", id, 1, audit_total - 1,
							    &r->arena, &oldest, &k, &t2, &r->err))) {
					json_decref(arr);
					return res;
				}
				if (k && oldest->before_json)
					v1 = json_loads(oldest->before_json, 0, NULL);
			}
			if (!v1)
				v1 = api_policy_json(&pol);
			json_array_append_new(
				arr, json_pack("{s:o, s:s, s:s, s:i, s:o, s:s, s:I}", "at",
					       json_time(imp.finished_at), "actor", imp.actor_login,
					       "action", "create", "version", 1, "changes",
					       changes_json(NULL, v1), "request_id", imp.request_id,
					       "import_id", (json_int_t)imp.id));
			json_decref(v1);
		}
	}
	return req_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", arr, "total",
					  (json_int_t)total, "limit", (json_int_t)limit, "offset",
					  (json_int_t)offset));
}
