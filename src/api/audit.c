/* GET /api/v1/audit?entity=&id=: the audit trail (admin, supervisor). */
#include <string.h>

#include "api/api.h"

static json_t *parse_or_null(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_loads(s, 0, NULL);
	return j ? j : json_string(s);
}

enum res api_audit_list(struct req *r)
{
	const char *entity = req_query(r, "entity");
	const char *id = req_query(r, "id");
	int64_t limit, offset, total = 0;
	enum res res;
	if ((res = req_paging(r, 50, 500, &limit, &offset)))
		return res;
	if (entity && (strlen(entity) == 0 || strlen(entity) > 64))
		return err_set(&r->err, RES_INVALID, "invalid_field", "entity",
			       "entity must be 1..64 characters");
	if (id && !entity)
		return err_set(&r->err, RES_INVALID, "missing_field", "entity",
			       "entity is required when id is given");
	if (id && (strlen(id) == 0 || strlen(id) > 64))
		return err_set(&r->err, RES_INVALID, "invalid_field", "id", "id must be 1..64 characters");
	struct audit_rec *items;
	size_t n;
	if ((res = store_audit_list(r->db, entity, id, limit, offset, &r->arena, &items, &n, &total,
				    &r->err)))
		return res;
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		struct audit_rec *a = &items[i];
		json_array_append_new(
			arr, json_pack("{s:I, s:o, s:{s:o, s:s}, s:s, s:s, s:s, s:o, s:o, s:s}", "id",
				       (json_int_t)a->id, "at", json_time(a->at), "actor", "id",
				       a->actor_id ? json_integer(a->actor_id) : json_null(), "login",
				       a->actor_login ? a->actor_login : "", "action", a->action,
				       "entity", a->entity, "entity_id", a->entity_id, "before",
				       parse_or_null(a->before_json), "after",
				       parse_or_null(a->after_json), "request_id",
				       a->request_id ? a->request_id : ""));
	}
	return req_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", arr, "total",
					  (json_int_t)total, "limit", (json_int_t)limit, "offset",
					  (json_int_t)offset));
}
