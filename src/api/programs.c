/* Programs (capability A): POST /api/v1/programs, GET /api/v1/programs,
 * GET/PUT /api/v1/programs/{code}. The body is the program format of
 * docs/programs.md, the same file `assist import program` reads. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/program_json.h"
#include "base/clock.h"

enum res programs_save(struct db *db, json_t *body, const char *actor, struct arena *a,
		       struct program_def *def, struct program_saved *saved, char **canonical,
		       struct err *e)
{
	enum res r = program_from_json(body, a, def, e);
	if (r)
		return r;
	json_t *j = program_to_json(def);
	*canonical = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!*canonical)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	r = store_program_save(db, def, *canonical, actor, clock_now_us(), a, saved, e);
	if (r) {
		free(*canonical);
		*canonical = NULL;
	}
	return r;
}

static json_t *summary_json(const struct program_row *p)
{
	json_t *name = json_pack("{s:s}", "en", p->name_en);
	if (p->name_ru)
		json_object_set_new(name, "ru", json_string(p->name_ru));
	if (p->name_zh)
		json_object_set_new(name, "zh", json_string(p->name_zh));
	return json_pack("{s:s, s:o, s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:o}", "code",
			 p->code, "name", name, "insurer", "code", p->insurer_code, "name",
			 p->insurer_name, "contract_number", p->contract_number, "contract_starts",
			 p->contract_starts, "contract_ends", p->contract_ends, "currency", p->currency,
			 "sum_insured", (json_int_t)p->sum_insured, "version", (json_int_t)p->version,
			 "created_at", json_time(p->created_at), "updated_at", json_time(p->updated_at));
}

enum res api_programs_list(struct req *r)
{
	struct program_row *items;
	size_t n;
	enum res res = store_program_list(r->db, &r->arena, &items, &n, &r->err);
	if (res)
		return res;
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, summary_json(&items[i]))) {
			json_decref(arr);
			arr = NULL;
		}
	if (!arr)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	return req_json(r, 200, json_pack("{s:o}", "items", arr));
}

/* The stored definition with the version and times added. */
static enum res reply_program(struct req *r, int status, const char *code)
{
	struct program_row row;
	enum res res = store_program_get(r->db, code, &r->arena, &row, &r->err);
	if (res)
		return res;
	json_t *j = json_loads(row.definition, 0, NULL);
	if (!j)
		return err_set(&r->err, RES_INTERNAL, NULL, NULL, "stored program is not JSON");
	json_object_set_new(j, "version", json_integer(row.version));
	json_object_set_new(j, "created_at", json_time(row.created_at));
	json_object_set_new(j, "updated_at", json_time(row.updated_at));
	return req_json(r, status, j);
}

enum res api_programs_get(struct req *r)
{
	return reply_program(r, 200, r->params[0]);
}

static enum res save(struct req *r, bool create)
{
	enum res res;
	if ((res = api_need_body(r)))
		return res;
	if (!create) {
		/* the code in the path names the program; the body may repeat it */
		json_t *code = json_object_get(r->json, "code");
		if (!code)
			json_object_set_new(r->json, "code", json_string(r->params[0]));
		else if (!json_is_string(code) || strcmp(json_string_value(code), r->params[0]) != 0)
			return err_set(&r->err, RES_INVALID, "invalid_field", "code",
				       "code differs from the program in the path");
	}
	struct program_def def;
	struct program_saved saved;
	char *canonical = NULL;
	if (create && json_is_object(r->json) && json_is_string(json_object_get(r->json, "code"))) {
		struct program_row existing;
		res = store_program_get(r->db, json_string_value(json_object_get(r->json, "code")),
					&r->arena, &existing, &r->err);
		if (!res)
			return err_set(&r->err, RES_CONFLICT, "program_exists", "code",
				       "a program with this code exists: change it with PUT");
		if (res != RES_NOT_FOUND)
			return res;
		err_clear(&r->err);
	}
	if ((res = programs_save(r->db, r->json, r->user.login, &r->arena, &def, &saved, &canonical,
				 &r->err)))
		return res;
	if (saved.outcome != PROGRAM_UNCHANGED) {
		json_t *before = saved.before ? json_loads(saved.before, 0, NULL) : NULL;
		json_t *after = json_loads(canonical, 0, NULL);
		res = req_audit(r, saved.outcome == PROGRAM_CREATED ? "create" : "update", "program",
				saved.id, before, after);
		json_decref(before);
		json_decref(after);
	}
	free(canonical);
	if (res)
		return res;
	return reply_program(r, saved.outcome == PROGRAM_CREATED ? 201 : 200, def.code);
}

enum res api_programs_create(struct req *r) { return save(r, true); }
enum res api_programs_put(struct req *r) { return save(r, false); }
