#include "api/api.h"

#include <string.h>

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

enum res api_event(struct req *r, const char *type, json_t *data, const char *topic1,
		   const char *topic2)
{
	char topics[2 * EVENTS_TOPIC_MAX + 3];
	size_t n1 = strlen(topic1), n2 = topic2 ? strlen(topic2) : 0;
	enum res res;
	if (n1 >= EVENTS_TOPIC_MAX || n2 >= EVENTS_TOPIC_MAX) {
		json_decref(data);
		return RES_OK; /* a code too long to be a topic: no stream can ask for it */
	}
	memcpy(topics, topic1, n1 + 1);
	if (topic2)
		memcpy(topics + n1 + 1, topic2, n2 + 1);
	topics[n1 + 1 + (topic2 ? n2 + 1 : 0)] = '\0';
	res = req_event(r, type, topics, data);
	json_decref(data);
	return res;
}
