/* Messages (/api/v1/messages): an SMS or an email queued in the outbox,
 * ad hoc or from a template, sent by the dispatchers (jobs/outbox.c) within
 * the recipient's sending window; its states as they happen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/buf.h"
#include "base/clock.h"
#include "core/cases.h"
#include "core/mask.h"
#include "core/phone.h"
#include "core/sms.h"
#include "core/template.h"
#include "jobs/compose.h"
#include "jobs/outbox.h"

#define TEXT_MAX 4000
#define HOUR_US (3600LL * 1000000LL)

static json_t *message_json(const struct message *m)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:s, s:b, s:o, s:o, s:o, s:s, s:s, s:o, s:o, "
			 "s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "id", (json_int_t)m->id, "channel", m->channel, "to", m->recipient,
			 "person_id", m->person_id ? json_integer(m->person_id) : json_null(),
			 "case_id", m->case_id ? json_integer(m->case_id) : json_null(), "class",
			 m->class_, "urgent", m->urgent, "template", json_str_or_null(m->template_),
			 "language", json_str_or_null(m->language), "subject",
			 json_str_or_null(m->subject), "text", m->body, "status", m->status,
			 "reason", json_str_or_null(m->reason), "detail", json_str_or_null(m->detail),
			 "connection", json_str_or_null(m->connection), "parts", (json_int_t)m->parts,
			 "attempts", (json_int_t)m->attempts, "not_before", json_time(m->not_before),
			 "expires_at", json_time(m->expires_at), "created_at",
			 json_time(m->created_at), "sent_at", json_time(m->sent_at), "delivered_at",
			 json_time(m->delivered_at), "cost",
			 m->cost ? json_integer(m->cost) : json_null(), "currency",
			 json_str_or_null(m->currency));
}

json_t *api_message_json(const struct message *m)
{
	return message_json(m);
}

static enum res message_reply(struct req *r, int status, int64_t id)
{
	struct message m;
	struct message_event *ev;
	struct message_part *parts;
	size_t nev, np;
	enum res res;
	if ((res = store_message_get(r->db, id, &r->arena, &m, &r->err)) ||
	    (res = store_message_history(r->db, id, &r->arena, &ev, &nev, &parts, &np, &r->err)))
		return res;
	json_t *out = message_json(&m), *h = json_array(), *pa = json_array();
	for (size_t i = 0; i < nev; i++)
		json_array_append_new(h, json_pack("{s:o, s:s, s:o, s:o}", "at", json_time(ev[i].at),
						   "status", ev[i].status, "reason",
						   json_str_or_null(ev[i].reason), "detail",
						   json_str_or_null(ev[i].detail)));
	for (size_t i = 0; i < np; i++)
		json_array_append_new(pa, json_pack("{s:i, s:s, s:s, s:o, s:o}", "seq", parts[i].seq,
						    "provider_id", parts[i].provider_id, "status",
						    parts[i].status, "reason",
						    json_str_or_null(parts[i].reason), "updated_at",
						    json_time(parts[i].updated_at)));
	json_object_set_new(out, "history", h);
	json_object_set_new(out, "gateway_parts", pa);
	return req_json(r, status, out);
}

enum res api_messages_get(struct req *r)
{
	int64_t id;
	enum res res = req_param_id(r, 0, &id);
	return res ? res : message_reply(r, 200, id);
}

/* An address good enough to hand to a relay: local@domain, no spaces. */
static bool email_ok(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);
	if (!at || at == s || !at[1] || strchr(at + 1, '@') || n > 254 || !strchr(at + 1, '.'))
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == ',' || *p == ';')
			return false;
	return true;
}

/* The template's variables given in the body's "vars" (strings and
 * numbers); outbox_compose adds what the context knows. */
static enum res collect_vars(struct req *r, struct tpl_var *vars, size_t *n, size_t cap)
{
	json_t *vj = json_object_get(r->json, "vars");
	*n = 0;
	if (vj && !json_is_object(vj))
		return err_set(&r->err, RES_INVALID, "invalid_field", "vars",
			       "vars must be an object of names and values");
	const char *k;
	json_t *v;
	json_object_foreach(vj, k, v)
	{
		if (*n >= cap)
			return err_set(&r->err, RES_INVALID, "invalid_field", "vars",
				       "vars may hold at most %zu values", cap);
		const char *val;
		if (json_is_string(v))
			val = json_string_value(v);
		else if (json_is_integer(v))
			val = arena_printf(&r->arena, "%lld", (long long)json_integer_value(v));
		else
			return err_set(&r->err, RES_INVALID, "invalid_field", "vars",
				       "vars.%s must be a string or an integer", k);
		vars[(*n)++] = (struct tpl_var){k, val};
	}
	return RES_OK;
}

enum res api_messages_create(struct req *r)
{
	static const char *const keys[] = {"channel", "to",	  "text",    "template",
					   "vars",    "subject", "case_id", "person_id",
					   "urgent",  "class",	  "language", "idempotency_key",
					   NULL};
	struct message m = {0};
	const char *channel, *to, *text = NULL, *tpl = NULL, *subject = NULL, *language = NULL;
	const char *key = req_header(r, "Idempotency-Key");
	bool urgent = false;
	m.class_ = "service";
	enum res res;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = jd_str(r->json, "channel", true, 8, &channel, NULL, &r->err)) ||
	    (res = jd_str(r->json, "to", true, 254, &to, NULL, &r->err)) ||
	    (res = jd_str(r->json, "text", false, TEXT_MAX, &text, NULL, &r->err)) ||
	    (res = jd_str(r->json, "template", false, 64, &tpl, NULL, &r->err)) ||
	    (res = jd_str(r->json, "subject", false, 300, &subject, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "case_id", false, 1, INT64_MAX, &m.case_id, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "person_id", false, 1, INT64_MAX, &m.person_id, NULL,
			  &r->err)) ||
	    (res = jd_bool(r->json, "urgent", false, &urgent, NULL, &r->err)) ||
	    (res = jd_str(r->json, "class", false, 32, &m.class_, NULL, &r->err)) ||
	    (res = jd_str(r->json, "language", false, 2, &language, NULL, &r->err)) ||
	    (!key && (res = jd_str(r->json, "idempotency_key", false, 200, &key, NULL, &r->err))))
		return res;
	m.urgent = urgent;
	/* the same key again: the message made the first time */
	if (key) {
		bool found;
		struct message old;
		if ((res = store_message_by_key(r->db, key, &r->arena, &old, &found, &r->err)))
			return res;
		if (found)
			return message_reply(r, 202, old.id);
	}
	char phone[PHONE_E164_MAX + 1];
	if (strcmp(channel, "sms") == 0) {
		if (!phone_normalize(to, strlen(to), phone))
			return err_set(&r->err, RES_INVALID, "invalid_phone", "to",
				       "to must be a phone number with its country code");
		m.recipient = phone;
	} else if (strcmp(channel, "email") == 0) {
		if (!email_ok(to))
			return err_set(&r->err, RES_INVALID, "invalid_email", "to",
				       "to must be an email address");
		m.recipient = to;
	} else {
		return err_set(&r->err, RES_INVALID, "invalid_field", "channel",
			       "channel must be sms or email");
	}
	m.channel = channel;
	if (!case_code_valid(m.class_, strlen(m.class_), 32))
		return err_set(&r->err, RES_INVALID, "invalid_field", "class",
			       "class must be a code such as service, marketing or greeting");
	if (!text == !tpl)
		return err_set(&r->err, RES_INVALID, "invalid_field", text ? "template" : "text",
			       "give either text or template (with vars)");
	/* who it is for: the case's person, or the one named */
	struct case_row c;
	if (m.case_id) {
		res = store_case_get(r->db, m.case_id, 0, &r->arena, &c, &r->err);
		if (res == RES_NOT_FOUND)
			return err_set(&r->err, RES_INVALID, "unknown_case", "case_id", "no case %lld",
				       (long long)m.case_id);
		if (res)
			return res;
		if (!m.person_id)
			m.person_id = c.person_id;
	}
	struct person p, *pp = NULL;
	if (m.person_id) {
		res = store_person_get(r->db, m.person_id, &r->arena, &p, &r->err);
		if (res == RES_NOT_FOUND)
			return err_set(&r->err, RES_INVALID, "unknown_person", "person_id",
				       "no insured person %lld", (long long)m.person_id);
		if (res)
			return res;
		pp = &p;
		bool out;
		if ((res = store_opted_out(r->db, p.id, channel, &out, &r->err)))
			return res;
		if (out && !urgent)
			return err_set(&r->err, RES_UNPROCESSABLE, "opted_out", "to",
				       "the person has opted out of %s (only urgent service messages "
				       "go)",
				       channel);
	}
	m.language = language ? language : pp ? pp->language : "ru";
	if (strcmp(m.language, "en") && strcmp(m.language, "ru") && strcmp(m.language, "zh"))
		return err_set(&r->err, RES_INVALID, "invalid_field", "language",
			       "language must be en, ru or zh");
	struct tpl_var vars[61];
	size_t nv = 0;
	if (tpl && (res = collect_vars(r, vars, &nv, 61)))
		return res;
	struct compose_in in = {.channel = channel, .recipient = m.recipient, .template_ = tpl,
				.text = text, .subject = subject, .language = m.language,
				.person = pp, .case_id = m.case_id, .vars = vars, .nvars = nv,
				.class_ = m.class_, .urgent = urgent, .idempotency_key = key,
				.created_by = r->user.id, .now = clock_now_us()};
	if ((res = outbox_compose(r->db, &r->arena, &in, &m, &r->err)))
		return res;
	text = m.body;
	subject = m.subject;
	int64_t now = m.created_at;
	if ((res = store_message_insert(r->db, &m, &r->err)))
		return res;
	/* the audit keeps no text and a masked recipient */
	char masked[300];
	if (strcmp(channel, "sms") == 0)
		mask_phone(m.recipient, strlen(m.recipient), masked, sizeof masked);
	else
		mask_email(m.recipient, strlen(m.recipient), masked, sizeof masked);
	json_t *after = json_pack("{s:s, s:s, s:o, s:o, s:s, s:b, s:o}", "channel", channel, "to",
				  masked, "case_id", m.case_id ? json_integer(m.case_id) : json_null(),
				  "template", json_str_or_null(m.template_), "class", m.class_,
				  "urgent", urgent, "not_before", json_time(m.not_before));
	res = req_audit(r, "create", "message", m.id, NULL, after);
	json_decref(after);
	if (res)
		return res;
	/* sent from a case: it is a contact of the case too */
	if (m.case_id) {
		struct contact_row k = {.case_id = m.case_id, .direction = "out", .channel = channel,
					.at = now, .user_id = r->user.id, .created_at = now};
		k.summary = strcmp(channel, "sms") == 0
				    ? text
				    : arena_printf(&r->arena, "%s\n\n%s", subject, text);
		if (!k.summary || (res = store_contact_insert(r->db, &k, &r->err)) ||
		    (res = store_case_touch(r->db, m.case_id, now, &r->err)))
			return res ? res : err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
		char t1[32];
		snprintf(t1, sizeof t1, "case:%lld", (long long)m.case_id);
		if ((res = api_event(r, "case.contact_added",
				     json_pack("{s:I, s:I}", "case_id", (json_int_t)m.case_id, "id",
					       (json_int_t)k.id),
				     t1, NULL)))
			return res;
	}
	return message_reply(r, 202, m.id);
}
