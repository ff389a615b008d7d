/* API tokens for integrations: a user's own, at /api/v1/tokens. A token is
 * shown once, when created; only its hash is stored. It acts with the role
 * of the user who made it and needs no CSRF header. */
#include <string.h>

#include "api/api.h"
#include "base/clock.h"
#include "http/auth.h"

enum res api_tokens_list(struct req *r)
{
	struct api_token *items;
	size_t n;
	enum res res = store_token_list(r->db, r->user.id, &r->arena, &items, &n, &r->err);
	if (res)
		return res;
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, json_pack("{s:I, s:s, s:o, s:o}", "id",
						     (json_int_t)items[i].id, "name", items[i].name,
						     "created_at", json_time(items[i].created_at),
						     "last_used_at", json_time(items[i].last_used_at)))) {
			json_decref(arr);
			arr = NULL;
		}
	if (!arr)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	return req_json(r, 200, json_pack("{s:o}", "items", arr));
}

enum res api_tokens_create(struct req *r)
{
	static const char *const allowed[] = {"name", NULL};
	const char *name;
	enum res res;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", allowed, &r->err)) ||
	    (res = jd_str(r->json, "name", true, 100, &name, NULL, &r->err)))
		return res;
	if (!*name)
		return err_set(&r->err, RES_INVALID, "invalid_field", "name", "name must not be empty");
	char token[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_HEX + 1];
	auth_token_new(token);
	auth_token_hash(token, AUTH_TOKEN_LEN, hash);
	int64_t now = clock_now_us(), id;
	if ((res = store_token_insert(r->db, r->user.id, name, hash, now, &id, &r->err)))
		return res;
	json_t *audit = json_pack("{s:s}", "name", name);
	res = req_audit(r, "create", "api_token", id, NULL, audit);
	json_decref(audit);
	if (res)
		return res;
	return req_json(r, 201, json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)id, "name", name,
					  "token", token, "created_at", json_time(now)));
}

enum res api_tokens_delete(struct req *r)
{
	int64_t id;
	enum res res;
	if ((res = req_param_id(r, 0, &id)) ||
	    (res = store_token_revoke(r->db, r->user.id, id, clock_now_us(), &r->err)) ||
	    (res = req_audit(r, "revoke", "api_token", id, NULL, NULL)))
		return res;
	return req_empty(r, 204);
}
