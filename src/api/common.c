#include "api/api.h"
#include "base/clock.h"
#include "core/phone.h"
#include "jobs/smtp.h"

#include <string.h>

json_t *api_user_json(const struct user *u)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:o, s:o}", "id",
			 (json_int_t)u->id, "login", u->login, "full_name", u->full_name, "role",
			 role_name(u->role), "language", u->language, "department",
			 json_str_or_null(u->department), "email", json_str_or_null(u->email),
			 "phone", json_str_or_null(u->phone), "disabled", u->disabled, "created_at",
			 json_time(u->created_at), "updated_at", json_time(u->updated_at));
}

enum res api_user_contacts_read(struct req *r, const char **email, bool *has_email,
				const char **phone, bool *has_phone)
{
	const char *em = "", *ph = "";
	enum res res;
	if ((res = jd_str(r->json, "email", false, SMTP_ADDR_MAX, &em, NULL, &r->err)) ||
	    (res = jd_str(r->json, "phone", false, 32, &ph, NULL, &r->err)))
		return res;
	bool em_in = json_object_get(r->json, "email") != NULL;
	bool ph_in = json_object_get(r->json, "phone") != NULL;
	if (has_email)
		*has_email = em_in;
	if (has_phone)
		*has_phone = ph_in;
	if (em_in && *em && !smtp_address_valid(em))
		return err_set(&r->err, RES_INVALID, "invalid_field", "email",
			       "email is not an e-mail address (name@example.com)");
	if (em_in)
		*email = *em ? em : NULL;
	if (!ph_in)
		return RES_OK;
	if (!*ph) {
		*phone = NULL;
		return RES_OK;
	}
	char *e164 = arena_alloc(&r->arena, PHONE_E164_MAX + 1);
	if (!e164)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	if (!phone_normalize(ph, strlen(ph), e164))
		return err_set(&r->err, RES_INVALID, "invalid_field", "phone",
			       "phone is not a phone number (give it with the country code)");
	*phone = e164;
	return RES_OK;
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

enum res api_eventv(struct req *r, const char *type, json_t *data, const char *const topics[],
		    size_t n)
{
	char list[4 * (EVENTS_TOPIC_MAX + 1) + 1];
	size_t len = 0;
	for (size_t i = 0; i < n && i < 4; i++) {
		size_t k = topics[i] ? strlen(topics[i]) : 0;
		/* a code too long to be a topic: no stream can ask for it */
		if (k == 0 || k >= EVENTS_TOPIC_MAX)
			continue;
		memcpy(list + len, topics[i], k + 1);
		len += k + 1;
	}
	list[len] = '\0';
	enum res res = len ? req_event(r, type, list, data) : RES_OK;
	json_decref(data);
	return res;
}

enum res api_event(struct req *r, const char *type, json_t *data, const char *topic1,
		   const char *topic2)
{
	const char *t[2] = {topic1, topic2};
	return api_eventv(r, type, data, t, topic2 ? 2 : 1);
}

void api_today(char out[11])
{
	char ts[32];
	clock_format_rfc3339(clock_now_us(), false, ts);
	memcpy(out, ts, 10);
	out[10] = '\0';
}
