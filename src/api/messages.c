/* Messages (/api/v1/messages): an SMS or an email queued in the outbox,
 * ad hoc or from a template, sent by the dispatchers (jobs/outbox.c) within
 * the recipient's sending window; its states as they happen. */
#include <sodium.h>
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
#include "jobs/smtp.h"
#include "store/attachments.h"

#define TEXT_MAX 4000
#define HOUR_US (3600LL * 1000000LL)
#define ATTACH_MAX 5                 /* files of one email */
#define ATTACH_TOTAL_MAX (10u << 20) /* their decoded bytes together */

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
	struct message_attachment *att;
	size_t nev, np, natt;
	enum res res;
	if ((res = store_message_get(r->db, id, &r->arena, &m, &r->err)) ||
	    (res = store_message_history(r->db, id, &r->arena, &ev, &nev, &parts, &np, &r->err)) ||
	    (res = store_message_attachments(r->db, id, false, &r->arena, &att, &natt, &r->err)))
		return res;
	json_t *out = message_json(&m), *h = json_array(), *pa = json_array(), *aa = json_array();
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
	/* what is attached, never the bytes */
	for (size_t i = 0; i < natt; i++)
		json_array_append_new(aa, json_pack("{s:s, s:s, s:I}", "name", att[i].name,
						    "content_type", att[i].content_type, "size",
						    (json_int_t)att[i].size));
	json_object_set_new(out, "history", h);
	json_object_set_new(out, "gateway_parts", pa);
	json_object_set_new(out, "attachments", aa);
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

/* ---- attachments ---- */

/* An attachment as the request asks for it: bytes it gives (x.data set
 * here), or the case questionnaire, rendered once the case is loaded. */
struct attach_in {
	struct message_attachment x;
	bool questionnaire;
};

/* 422 naming the item's field: "attachments[1].content_base64 is not ..." */
static enum res attach_error(struct req *r, size_t i, const char *key, const char *what)
{
	char f[64];
	snprintf(f, sizeof f, "attachments[%zu].%s", i, key);
	return err_set(&r->err, RES_UNPROCESSABLE, "invalid_field", f, "%s %s", f, what);
}

/* A file name the reader's mail program can show and save as it is: 1 to
 * SMTP_NAME_MAX bytes (UTF-8: the body was checked), no path, no quote, no
 * control character. These are jobs/smtp.c's rules, so the dispatcher never
 * finds the message invalid later. */
static bool attach_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > SMTP_NAME_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f || ch == '/' || ch == '\\' || ch == '"')
			return false;
	}
	return true;
}

/* One {"name", "content_type", "content_base64"} item: the bytes decoded
 * strictly (standard alphabet, padding required, nothing else: no line
 * breaks, no spaces), and a PDF by its first bytes. *total counts the
 * decoded bytes of the message's files so far. */
static enum res attach_file(struct req *r, json_t *it, const char *path, size_t i,
			    struct message_attachment *x, size_t *total)
{
	static const char *const keys[] = {"name", "content_type", "content_base64", NULL};
	const char *b64;
	enum res res;
	if ((res = jd_object(it, path, keys, &r->err)) ||
	    (res = jdp_str(it, path, "name", true, SMTP_NAME_MAX, &x->name, NULL, &r->err)) ||
	    (res = jdp_str(it, path, "content_type", true, 100, &x->content_type, NULL, &r->err)) ||
	    (res = jdp_str(it, path, "content_base64", true, SIZE_MAX, &b64, NULL, &r->err)))
		return res;
	if (!attach_name_ok(x->name, strlen(x->name)))
		return attach_error(r, i, "name",
				    "must be a file name of 1 to 200 bytes without a path, \" or "
				    "control characters");
	if (strcmp(x->content_type, "application/pdf") != 0)
		return attach_error(r, i, "content_type", "must be application/pdf");
	size_t n = json_string_length(json_object_get(it, "content_base64"));
	if (n % 4 != 0 || n / 4 * 3 > ATTACH_TOTAL_MAX + 2)
		return n % 4 ? attach_error(r, i, "content_base64", "is not valid base64")
			     : err_set(&r->err, RES_UNPROCESSABLE, "invalid_field", "attachments",
				       "attachments may hold at most 10 MiB together");
	size_t cap = n / 4 * 3, len = 0;
	unsigned char *bytes = arena_alloc(&r->arena, cap ? cap : 1);
	if (!bytes)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	const char *end = NULL;
	if (sodium_base642bin(bytes, cap, b64, n, NULL, &len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != b64 + n)
		return attach_error(r, i, "content_base64", "is not valid base64");
	if (len < 5 || memcmp(bytes, "%PDF-", 5) != 0)
		return attach_error(r, i, "content_base64", "is not a PDF (it must start with %PDF-)");
	if (len > ATTACH_TOTAL_MAX - *total)
		return err_set(&r->err, RES_UNPROCESSABLE, "invalid_field", "attachments",
			       "attachments may hold at most 10 MiB together");
	*total += len;
	x->data = bytes;
	x->size = len;
	return RES_OK;
}

/* The body's "attachments": files given in base64, or {"kind":
 * "questionnaire"} (the message's case's questionnaire, which needs
 * case_id). Only an email carries them. */
static enum res attachments_parse(struct req *r, const char *channel, int64_t case_id,
				  struct attach_in **out, size_t *n, size_t *total)
{
	json_t *arr = json_object_get(r->json, "attachments");
	*out = NULL;
	*n = 0;
	*total = 0;
	if (!arr || json_is_null(arr))
		return RES_OK;
	if (!json_is_array(arr))
		return err_set(&r->err, RES_INVALID, "invalid_field", "attachments",
			       "attachments must be an array");
	size_t count = json_array_size(arr);
	if (!count)
		return RES_OK;
	if (strcmp(channel, "email") != 0)
		return err_set(&r->err, RES_UNPROCESSABLE, "invalid_field", "attachments",
			       "only an email can carry attachments");
	if (count > ATTACH_MAX)
		return err_set(&r->err, RES_UNPROCESSABLE, "invalid_field", "attachments",
			       "at most %d attachments", ATTACH_MAX);
	struct attach_in *items = arena_zalloc(&r->arena, count * sizeof *items);
	if (!items)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	enum res res;
	for (size_t i = 0; i < count; i++) {
		json_t *it = json_array_get(arr, i);
		char path[32];
		snprintf(path, sizeof path, "attachments[%zu]", i);
		items[i].x.seq = (int)i + 1;
		if (json_is_object(it) && json_object_get(it, "kind")) {
			static const char *const keys[] = {"kind", NULL};
			const char *kind;
			if ((res = jd_object(it, path, keys, &r->err)) ||
			    (res = jdp_str(it, path, "kind", true, 32, &kind, NULL, &r->err)))
				return res;
			if (strcmp(kind, "questionnaire") != 0)
				return attach_error(r, i, "kind", "must be questionnaire");
			if (!case_id)
				return attach_error(r, i, "kind",
						    "questionnaire needs the message's case_id");
			items[i].questionnaire = true;
			items[i].x.content_type = "application/pdf";
			items[i].x.name = arena_printf(&r->arena, "questionnaire-%lld.pdf",
						       (long long)case_id);
			if (!items[i].x.name)
				return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
		} else if ((res = attach_file(r, it, path, i, &items[i].x, total))) {
			return res;
		}
	}
	*out = items;
	*n = count;
	return RES_OK;
}

/* Render the questionnaires asked for, in the message's language, into the
 * request's arena. */
static enum res attachments_render(struct req *r, const struct case_row *c, const char *lang,
				   struct attach_in *items, size_t n, size_t *total)
{
	for (size_t i = 0; i < n; i++) {
		if (!items[i].questionnaire)
			continue;
		char *pdf;
		size_t len;
		enum res res = api_case_questionnaire_pdf(r, c, lang, &pdf, &len);
		if (res)
			return res;
		void *copy = len <= ATTACH_TOTAL_MAX - *total ? arena_alloc(&r->arena, len) : NULL;
		if (copy)
			memcpy(copy, pdf, len);
		free(pdf);
		if (len > ATTACH_TOTAL_MAX - *total)
			return err_set(&r->err, RES_UNPROCESSABLE, "invalid_field", "attachments",
				       "attachments may hold at most 10 MiB together");
		if (!copy)
			return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
		*total += len;
		items[i].x.data = copy;
		items[i].x.size = len;
	}
	return RES_OK;
}

enum res api_messages_create(struct req *r)
{
	static const char *const keys[] = {"channel", "to",	  "text",    "template",
					   "vars",    "subject", "case_id", "person_id",
					   "urgent",  "class",	  "language", "idempotency_key",
					   "attachments", NULL};
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
	struct attach_in *att;
	size_t natt, att_total;
	if ((res = attachments_parse(r, channel, m.case_id, &att, &natt, &att_total)))
		return res;
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
	if ((res = attachments_render(r, &c, m.language, att, natt, &att_total)) ||
	    (res = store_message_insert(r->db, &m, &r->err)))
		return res;
	for (size_t i = 0; i < natt; i++)
		if ((res = store_attachment_insert(r->db, m.id, &att[i].x, &r->err)))
			return res;
	/* the audit keeps no text and a masked recipient */
	char masked[300];
	if (strcmp(channel, "sms") == 0)
		mask_phone(m.recipient, strlen(m.recipient), masked, sizeof masked);
	else
		mask_email(m.recipient, strlen(m.recipient), masked, sizeof masked);
	json_t *after = json_pack("{s:s, s:s, s:o, s:o, s:s, s:b, s:o, s:I}", "channel", channel,
				  "to", masked, "case_id",
				  m.case_id ? json_integer(m.case_id) : json_null(), "template",
				  json_str_or_null(m.template_), "class", m.class_, "urgent", urgent,
				  "not_before", json_time(m.not_before), "attachments",
				  (json_int_t)natt);
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
