#include "api/api.h"

json_t *api_user_json(const struct user *u)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:o, s:o}", "id", (json_int_t)u->id,
			 "login", u->login, "full_name", u->full_name, "role", role_name(u->role),
			 "language", u->language, "disabled", u->disabled, "created_at",
			 json_time(u->created_at), "updated_at", json_time(u->updated_at));
}

enum res api_begin(struct req *r, bool write)
{
	return db_begin(r->db, write, &r->err);
}

enum res api_need_body(struct req *r)
{
	if (!r->json)
		return err_set(&r->err, RES_BAD_JSON, "bad_json", NULL, "a JSON body is required");
	return RES_OK;
}
