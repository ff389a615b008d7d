/* Composing a message for the outbox (compose.h). */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "core/cases.h"
#include "core/sms.h"
#include "jobs/compose.h"
#include "jobs/outbox.h"

#define SUBJECT_MAX 300
#define VARS_MAX 80

static enum res render(const struct template_row *t, const struct compose_in *in,
		       struct arena *a, const char **text, const char **subject, struct err *e)
{
	struct tpl_var vars[VARS_MAX];
	size_t nv = 0;
	for (size_t i = 0; i < in->nvars && nv < VARS_MAX - 3; i++)
		vars[nv++] = in->vars[i];
	/* what the context knows; a value given in vars wins (first of a name) */
	const struct person *p = in->person;
	if (p) {
		vars[nv++] = (struct tpl_var){"first_name", p->first_name};
		vars[nv++] = (struct tpl_var){"last_name", p->last_name};
	}
	if (in->case_id) {
		const char *id = arena_printf(a, "%lld", (long long)in->case_id);
		if (!id)
			return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
		vars[nv++] = (struct tpl_var){"case_id", id};
	}
	struct buf body, subj;
	struct tpl_error te;
	buf_init(&body, COMPOSE_TEXT_MAX);
	buf_init(&subj, SUBJECT_MAX);
	enum res res = tpl_render(t->body, strlen(t->body), vars, nv, TPL_ESCAPE_NONE, &body, &te);
	if (!res && t->subject && !in->subject)
		res = tpl_render(t->subject, strlen(t->subject), vars, nv, TPL_ESCAPE_NONE, &subj,
				 &te);
	bool nomem = false;
	if (!res) {
		*text = arena_strndup(a, body.data ? body.data : "", body.len);
		if (subj.len)
			*subject = arena_strndup(a, subj.data, subj.len);
		nomem = !*text || (subj.len && !*subject);
	}
	buf_free(&body);
	buf_free(&subj);
	if (res == RES_UNPROCESSABLE)
		return err_set(e, RES_INVALID, "missing_variable", "vars", "the template needs vars.%s",
			       te.name);
	if (res == RES_TOO_LARGE)
		return err_set(e, RES_INVALID, "text_too_long", "vars",
			       "the template with these values is too long");
	if (res)
		return err_set(e, res == RES_NOMEM ? RES_NOMEM : RES_INVALID, "invalid_field", "vars",
			       "the template or a value is not usable: %s", tpl_fault_text(te.fault));
	if (nomem)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	return RES_OK;
}

enum res outbox_compose(struct db *db, struct arena *a, const struct compose_in *in,
			struct message *m, struct err *e)
{
	enum res res;
	const char *text = in->text, *subject = in->subject;
	memset(m, 0, sizeof *m);
	m->channel = in->channel;
	m->recipient = in->recipient;
	m->person_id = in->person ? in->person->id : 0;
	m->case_id = in->case_id;
	m->class_ = in->class_;
	m->urgent = in->urgent;
	m->language = in->language;
	/* the text: as given, or the template in the recipient's language */
	if (in->template_) {
		struct template_row t;
		bool found;
		if ((res = store_template_get(db, in->template_, in->channel, in->language, a, &t,
					      &found, e)))
			return res;
		if (!found)
			return err_set(e, RES_INVALID, "unknown_template", "template", "no %s template %s",
				       in->channel, in->template_);
		if ((res = render(&t, in, a, &text, &subject, e)))
			return res;
		m->template_ = in->template_;
		m->language = t.language;
	}
	if (!text || text_blank(text))
		return err_set(e, RES_INVALID, "invalid_field", "text", "text must not be empty");
	if (strcmp(in->channel, "sms") == 0) {
		enum sms_coding coding;
		size_t parts, units;
		if (!sms_measure(text, strlen(text), &coding, &parts, &units) ||
		    parts > OUTBOX_SMS_MAX_PARTS)
			return err_set(e, RES_INVALID, "text_too_long", "text",
				       "an SMS may take at most %d parts", OUTBOX_SMS_MAX_PARTS);
		m->parts = (int64_t)parts;
	} else if (!subject || text_blank(subject)) {
		return err_set(e, RES_INVALID, "invalid_field", "subject", "an email needs a subject");
	}
	m->body = text;
	m->subject = subject;
	/* when: now for urgent messages, else the class's next sending window
	 * in the recipient's time zone */
	m->not_before = in->now;
	if (!in->urgent) {
		const char *rules;
		if ((res = store_window_rules(db, in->class_, a, &rules, e)))
			return res;
		const char *zone = in->zone ? in->zone
			: in->person && in->person->time_zone ? in->person->time_zone
							       : "Europe/Moscow";
		if (rules && (res = outbox_window_start(rules, zone, in->now, &m->not_before, e)))
			return res;
	}
	m->expires_at = m->not_before + (in->urgent ? OUTBOX_URGENT_MAX_AGE_US : OUTBOX_MAX_AGE_US);
	m->status = "queued";
	m->idempotency_key = in->idempotency_key;
	m->created_by = in->created_by;
	m->created_at = m->updated_at = in->now;
	return RES_OK;
}
