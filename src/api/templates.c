/* Templates and triggers (admin): GET /api/v1/templates, GET/PUT
 * /api/v1/templates/{code}/{channel}/{language}, POST
 * /api/v1/templates/preview, GET/POST /api/v1/triggers, PATCH
 * /api/v1/triggers/{id}. Changes are audited. */
#include <string.h>

#include "api/api.h"
#include "base/buf.h"
#include "base/clock.h"
#include "core/cases.h"
#include "core/sms.h"
#include "core/template.h"
#include "jobs/compose.h"
#include "jobs/triggers.h"

#define SUBJECT_MAX 300

static json_t *template_json(const struct template_row *t)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:I}", "code", t->code, "channel", t->channel,
			 "language", t->language, "subject", json_str_or_null(t->subject), "text",
			 t->body, "version", (json_int_t)t->version);
}

static json_t *vars_json(const char *code)
{
	size_t n;
	const char *const *v = trigger_event_vars(code, &n);
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

enum res api_templates_list(struct req *r)
{
	struct template_row *t;
	size_t n;
	enum res res = store_templates_list(r->db, &r->arena, &t, &n, &r->err);
	if (res)
		return res;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *j = template_json(&t[i]);
		json_object_set_new(j, "variables", vars_json(t[i].code));
		json_array_append_new(items, j);
	}
	return req_json(r, 200, json_pack("{s:o}", "items", items));
}

static enum res template_key(struct req *r, const char **code, const char **channel,
			     const char **language)
{
	*code = r->params[0];
	*channel = r->params[1];
	*language = r->params[2];
	if (!case_code_valid(*code, strlen(*code), 64))
		return err_set(&r->err, RES_INVALID, "invalid_field", "code",
			       "code must be a code of a-z, 0-9, _ and -");
	if (strcmp(*channel, "sms") && strcmp(*channel, "email"))
		return err_set(&r->err, RES_INVALID, "invalid_field", "channel",
			       "channel must be sms or email");
	if (strcmp(*language, "en") && strcmp(*language, "ru") && strcmp(*language, "zh"))
		return err_set(&r->err, RES_INVALID, "invalid_field", "language",
			       "language must be en, ru or zh");
	return RES_OK;
}

enum res api_templates_get(struct req *r)
{
	const char *code, *channel, *language;
	struct template_row t;
	bool found;
	enum res res;
	if ((res = template_key(r, &code, &channel, &language)) ||
	    (res = store_template_exact(r->db, code, channel, language, &r->arena, &t, &found,
					&r->err)))
		return res;
	if (!found)
		return err_set(&r->err, RES_NOT_FOUND, "not_found", NULL, "no such template");
	json_t *j = template_json(&t);
	json_object_set_new(j, "variables", vars_json(code));
	return req_json(r, 200, j);
}

/* Syntax and, for an event's template, the names it may use. */
static enum res check_text(struct req *r, const char *code, const char *text, const char *field)
{
	size_t nknown = 0;
	const char *const *known = code ? trigger_event_vars(code, &nknown) : NULL;
	struct tpl_error te;
	if (tpl_validate(text, strlen(text), known, nknown, &te))
		return tpl_error_to_err(&te, field, &r->err);
	return RES_OK;
}

enum res api_templates_put(struct req *r)
{
	static const char *const keys[] = {"text", "subject", "version", NULL};
	const char *code, *channel, *language, *text, *subject = NULL;
	int64_t version = 0;
	enum res res;
	if ((res = template_key(r, &code, &channel, &language)) || (res = api_need_body(r)) ||
	    (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = jd_str(r->json, "text", true, COMPOSE_TEXT_MAX, &text, NULL, &r->err)) ||
	    (res = jd_str(r->json, "subject", false, SUBJECT_MAX, &subject, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "version", false, 1, INT64_MAX, &version, NULL, &r->err)))
		return res;
	if (text_blank(text))
		return err_set(&r->err, RES_INVALID, "invalid_field", "text", "text must not be empty");
	if (subject && text_blank(subject))
		subject = NULL;
	if (strcmp(channel, "email") == 0 && !subject)
		return err_set(&r->err, RES_INVALID, "invalid_field", "subject",
			       "an email template needs a subject");
	if (strcmp(channel, "sms") == 0 && subject)
		return err_set(&r->err, RES_INVALID, "invalid_field", "subject",
			       "an SMS template has no subject");
	if ((res = check_text(r, code, text, "text")) ||
	    (subject && (res = check_text(r, code, subject, "subject"))))
		return res;
	struct template_row old;
	bool found;
	if ((res = store_template_exact(r->db, code, channel, language, &r->arena, &old, &found,
					&r->err)))
		return res;
	if (version && (!found || version != old.version))
		return err_set(&r->err, RES_CONFLICT, "version_conflict", "version",
			       "the template was changed meanwhile (now version %lld)",
			       (long long)(found ? old.version : 0));
	int64_t v;
	if ((res = store_template_put(r->db, code, channel, language, subject, text, r->user.login,
				      clock_now_us(), &v, &r->err)))
		return res;
	struct template_row now = {code, channel, language, subject, text, v};
	json_t *before = found ? template_json(&old) : NULL, *after = template_json(&now);
	res = req_audit(r, found ? "update" : "create", "template", 0, before, after);
	json_decref(before);
	if (res) {
		json_decref(after);
		return res;
	}
	json_object_set_new(after, "variables", vars_json(code));
	return req_json(r, found ? 200 : 201, after);
}

enum res api_templates_preview(struct req *r)
{
	static const char *const keys[] = {"text", "subject", "vars", "code", "channel", NULL};
	const char *text, *subject = NULL, *code = NULL, *channel = "sms";
	enum res res;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = jd_str(r->json, "text", true, COMPOSE_TEXT_MAX, &text, NULL, &r->err)) ||
	    (res = jd_str(r->json, "subject", false, SUBJECT_MAX, &subject, NULL, &r->err)) ||
	    (res = jd_str(r->json, "code", false, 64, &code, NULL, &r->err)) ||
	    (res = jd_str(r->json, "channel", false, 8, &channel, NULL, &r->err)))
		return res;
	if (strcmp(channel, "sms") && strcmp(channel, "email"))
		return err_set(&r->err, RES_INVALID, "invalid_field", "channel",
			       "channel must be sms or email");
	if ((res = check_text(r, code, text, "text")) ||
	    (subject && (res = check_text(r, code, subject, "subject"))))
		return res;
	json_t *vj = json_object_get(r->json, "vars");
	if (vj && !json_is_object(vj))
		return err_set(&r->err, RES_INVALID, "invalid_field", "vars",
			       "vars must be an object of names and values");
	struct tpl_var vars[64];
	size_t nv = 0;
	const char *k;
	json_t *v;
	json_object_foreach(vj, k, v)
	{
		if (nv >= 64)
			return err_set(&r->err, RES_INVALID, "invalid_field", "vars",
				       "vars may hold at most 64 values");
		const char *val;
		if (json_is_string(v))
			val = json_string_value(v);
		else if (json_is_integer(v))
			val = arena_printf(&r->arena, "%lld", (long long)json_integer_value(v));
		else
			return err_set(&r->err, RES_INVALID, "invalid_field", "vars",
				       "vars.%s must be a string or an integer", k);
		vars[nv++] = (struct tpl_var){k, val};
	}
	json_t *out = json_object();
	const char *srcs[2] = {text, subject}, *names[2] = {"text", "subject"};
	for (int i = 0; i < 2; i++) {
		if (!srcs[i]) {
			json_object_set_new(out, names[i], json_null());
			continue;
		}
		struct buf b;
		struct tpl_error te;
		buf_init(&b, i ? SUBJECT_MAX : COMPOSE_TEXT_MAX);
		res = tpl_render(srcs[i], strlen(srcs[i]), vars, nv, TPL_ESCAPE_NONE, &b, &te);
		if (!res)
			json_object_set_new(out, names[i],
					    json_stringn(b.data ? b.data : "", b.len));
		buf_free(&b);
		if (res) {
			json_decref(out);
			if (res == RES_UNPROCESSABLE)
				return err_set(&r->err, RES_INVALID, "missing_variable",
					       arena_printf(&r->arena, "vars.%s", te.name),
					       "line %u, column %u: no value for {{%s}}", te.line,
					       te.column, te.name);
			if (res == RES_TOO_LARGE)
				return err_set(&r->err, RES_INVALID, "text_too_long", names[i],
					       "the text with these values is too long");
			return tpl_error_to_err(&te, names[i], &r->err);
		}
	}
	const char *rendered = json_string_value(json_object_get(out, "text"));
	if (strcmp(channel, "sms") == 0) {
		enum sms_coding coding;
		size_t parts = 0, units = 0;
		bool ok = sms_measure(rendered, strlen(rendered), &coding, &parts, &units);
		json_object_set_new(out, "parts", json_integer((json_int_t)parts));
		json_object_set_new(out, "units", json_integer((json_int_t)units));
		json_object_set_new(out, "coding", json_string(coding == SMS_UCS2 ? "UCS-2" : "GSM-7"));
		json_object_set_new(out, "fits", json_boolean(ok && parts <= 10));
	}
	return req_json(r, 200, out);
}

/* ---- triggers ---- */

static json_t *trigger_json(const struct trigger_row *t)
{
	bool scheduled = false;
	(void)trigger_event_known(t->event, &scheduled);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:b, s:b, s:o, s:o}", "id",
			 (json_int_t)t->id, "event", t->event, "channel", t->channel, "template",
			 t->template_, "audience", t->audience, "class", t->class_, "urgent",
			 t->urgent, "offset_days", (json_int_t)t->offset_days, "enabled", t->enabled,
			 "scheduled", scheduled, "created_at", json_time(t->created_at),
			 "updated_at", json_time(t->updated_at));
}

enum res api_triggers_list(struct req *r)
{
	struct trigger_row *t;
	size_t n;
	enum res res = store_triggers_list(r->db, NULL, &r->arena, &t, &n, &r->err);
	if (res)
		return res;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, trigger_json(&t[i]));
	return req_json(r, 200, json_pack("{s:o}", "items", items));
}

/* Read the fields of a trigger from the body into t (those present). */
static enum res trigger_fields(struct req *r, struct trigger_row *t, bool create)
{
	enum res res;
	if ((res = jd_str(r->json, "event", create, 64, &t->event, NULL, &r->err)) ||
	    (res = jd_str(r->json, "channel", create, 8, &t->channel, NULL, &r->err)) ||
	    (res = jd_str(r->json, "template", create, 64, &t->template_, NULL, &r->err)) ||
	    (res = jd_str(r->json, "audience", create, 80, &t->audience, NULL, &r->err)) ||
	    (res = jd_str(r->json, "class", false, 32, &t->class_, NULL, &r->err)) ||
	    (res = jd_bool(r->json, "urgent", false, &t->urgent, NULL, &r->err)) ||
	    (res = jd_bool(r->json, "enabled", false, &t->enabled, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "offset_days", false, -366, 366, &t->offset_days, NULL,
			  &r->err)))
		return res;
	if (!trigger_event_known(t->event, NULL))
		return err_set(&r->err, RES_INVALID, "invalid_field", "event",
			       "event must be case_opened, case_closed, renewal_due, lapse_warning, "
			       "policy_lapsed, maturity, birthday or holiday");
	if (strcmp(t->channel, "sms") && strcmp(t->channel, "email"))
		return err_set(&r->err, RES_INVALID, "invalid_field", "channel",
			       "channel must be sms or email");
	const char *a = t->audience;
	if (strcmp(a, "person") && strcmp(a, "manager") &&
	    !(strncmp(a, "department:", 11) == 0 && case_code_valid(a + 11, strlen(a + 11), 64)))
		return err_set(&r->err, RES_INVALID, "invalid_field", "audience",
			       "audience must be person, manager or department:CODE");
	if (!case_code_valid(t->class_, strlen(t->class_), 32))
		return err_set(&r->err, RES_INVALID, "invalid_field", "class",
			       "class must be a code such as service, marketing or greeting");
	/* a class without a sending window would send at any hour */
	const char *rules;
	if ((res = store_window_rules(r->db, t->class_, &r->arena, &rules, &r->err)))
		return res;
	if (!rules)
		return err_set(&r->err, RES_INVALID, "invalid_field", "class",
			       "no sending window for class %s", t->class_);
	/* notices to a department nobody knows would go nowhere */
	if (strncmp(a, "department:", 11) == 0) {
		struct department_row *d;
		size_t n;
		bool known = false;
		if ((res = store_department_list(r->db, &r->arena, &d, &n, &r->err)))
			return res;
		for (size_t i = 0; i < n && !known; i++)
			known = strcmp(d[i].code, a + 11) == 0;
		if (!known)
			return err_set(&r->err, RES_INVALID, "invalid_field", "audience",
				       "no department %s", a + 11);
	}
	struct template_row tr;
	bool found;
	if ((res = store_template_get(r->db, t->template_, t->channel, "en", &r->arena, &tr, &found,
				      &r->err)))
		return res;
	if (!found)
		return err_set(&r->err, RES_INVALID, "unknown_template", "template",
			       "no %s template %s", t->channel, t->template_);
	return RES_OK;
}

enum res api_triggers_create(struct req *r)
{
	static const char *const keys[] = {"event",   "channel", "template",    "audience",
					   "class",   "urgent",  "offset_days", "enabled", NULL};
	struct trigger_row t = {.class_ = "service", .enabled = true};
	enum res res;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = trigger_fields(r, &t, true)))
		return res;
	t.created_at = t.updated_at = clock_now_us();
	if ((res = store_trigger_insert(r->db, &t, &r->err)))
		return res;
	json_t *after = trigger_json(&t);
	res = req_audit(r, "create", "trigger", t.id, NULL, after);
	if (res) {
		json_decref(after);
		return res;
	}
	return req_json(r, 201, after);
}

enum res api_triggers_patch(struct req *r)
{
	static const char *const keys[] = {"event",   "channel", "template",    "audience",
					   "class",   "urgent",  "offset_days", "enabled", NULL};
	int64_t id;
	struct trigger_row old, t;
	enum res res;
	if ((res = req_param_id(r, 0, &id)) || (res = api_need_body(r)) ||
	    (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = store_trigger_get(r->db, id, &r->arena, &old, &r->err)))
		return res;
	t = old;
	if ((res = trigger_fields(r, &t, false)))
		return res;
	t.updated_at = clock_now_us();
	if ((res = store_trigger_update(r->db, &t, &r->err)))
		return res;
	json_t *before = trigger_json(&old), *after = trigger_json(&t);
	res = req_audit(r, "update", "trigger", t.id, before, after);
	json_decref(before);
	if (res) {
		json_decref(after);
		return res;
	}
	return req_json(r, 200, after);
}
