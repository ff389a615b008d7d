/* Composing a message for the outbox: the text as given or a template in
 * the recipient's language rendered with its variables, measured, and
 * placed in the recipient's sending window. Shared by POST /api/v1/messages
 * and the triggers (jobs/triggers.h). It writes nothing: the caller inserts
 * the message (store_message_insert) in its own transaction. */
#ifndef ASSIST_COMPOSE_H
#define ASSIST_COMPOSE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "core/template.h"
#include "store/store.h"

#define COMPOSE_TEXT_MAX 4000

struct compose_in {
	const char *channel;              /* sms, email */
	const char *recipient;            /* already checked: E.164 or an address */
	const char *template_;            /* NULL: text is the text */
	const char *text, *subject;       /* subject given wins over the template's */
	const char *language;             /* en, ru, zh: picks the template */
	const struct person *person;      /* may be NULL: first_name, last_name, time zone */
	int64_t case_id;                  /* 0 = none: case_id */
	const struct tpl_var *vars;       /* more variables; the first of a name wins */
	size_t nvars;
	const char *class_;
	bool urgent;
	const char *zone;                 /* NULL: the person's, else Europe/Moscow */
	const char *idempotency_key;      /* may be NULL */
	int64_t created_by, now;
};

/* Fill m (not inserted). Errors name the field as POST /api/v1/messages
 * does: unknown_template (template), missing_variable (vars), text_too_long
 * (vars or text), invalid_field (text, subject). */
enum res outbox_compose(struct db *db, struct arena *a, const struct compose_in *in,
			struct message *m, struct err *e) WUR;

#endif
