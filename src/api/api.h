/* Handlers: one file per resource. Each declares its handlers here; the
 * route table in routes.c ties them to paths and roles. */
#ifndef ASSIST_API_H
#define ASSIST_API_H

#include "http/events.h"
#include "http/http.h"
#include "http/json.h"

/* common.c */
json_t *api_user_json(const struct user *u);
/* The body's "email" and "phone" of a user (the staff notices' addresses).
 * *has_email / *has_phone (either may be NULL) tell the field was in the
 * body at all; an absent one leaves *email or *phone as it is; null or ""
 * clears it (NULL); else the email must be an address an SMTP relay takes
 * and the phone becomes E.164 in the request's arena. 400 invalid_field
 * naming the field otherwise. */
enum res api_user_contacts_read(struct req *r, const char **email, bool *has_email,
				const char **phone, bool *has_phone) WUR;
/* Begin the request's transaction (for ROUTE_OWN_TX handlers). */
enum res api_begin(struct req *r, bool write) WUR;
/* 400 when a body was required but none came. */
enum res api_need_body(struct req *r) WUR;
/* req_event with one or two topics ("policy:DEMO-1", "person:7"); data is
 * stolen (ids only, never personal data). */
enum res api_event(struct req *r, const char *type, json_t *data, const char *topic1,
		   const char *topic2) WUR;
/* The same with up to four topics (empty or NULL ones skipped). */
enum res api_eventv(struct req *r, const char *type, json_t *data, const char *const topics[],
		    size_t n) WUR;
/* Today's date (UTC) as YYYY-MM-DD. */
void api_today(char out[11]);

/* health.c, openapi.c */
enum res api_health(struct req *r);
enum res api_openapi(struct req *r);

/* session.c */
enum res api_session_create(struct req *r);
enum res api_session_delete(struct req *r);

/* Sign-in throttling (session.c), shared with the password change:
 * 429 with Retry-After while too many failures are on record; and record one. */
enum res api_signin_throttle(struct req *r, const char *login, int64_t now) WUR;
enum res api_signin_failed(struct req *r, const char *login, int64_t now) WUR;

/* me.c */
enum res api_me_get(struct req *r);
enum res api_me_patch(struct req *r);
enum res api_me_password(struct req *r);

/* users.c */
enum res api_users_list(struct req *r);
enum res api_users_create(struct req *r);
enum res api_users_get(struct req *r);
enum res api_users_patch(struct req *r);
enum res api_users_delete(struct req *r);
enum res api_staff_list(struct req *r);

/* tokens.c */
enum res api_tokens_list(struct req *r);
enum res api_tokens_create(struct req *r);
enum res api_tokens_delete(struct req *r);

/* programs.c */
#include "core/program.h"
/* Decode, validate and store a program body (API and CLI); *canonical is the
 * stored JSON text (malloc'd, the caller frees). */
enum res programs_save(struct db *db, json_t *body, const char *actor, struct arena *a,
		       struct program_def *def, struct program_saved *saved, char **canonical,
		       struct err *e) WUR;
enum res api_programs_list(struct req *r);
enum res api_programs_get(struct req *r);
enum res api_programs_create(struct req *r);
enum res api_programs_put(struct req *r);

/* policies.c */
json_t *api_person_json(const struct person *p);
json_t *api_policy_json(const struct policy *p);
/* A policy with its person, program, compiled plan and stored ledger. */
struct loaded {
	struct policy pol;
	struct person person;
	struct program_def def;
	struct cov_policy cp;
	struct cov_plan *plan;
	struct cov_usage *usage;
	size_t nusage;
	struct cov_ded_usage *ded; /* per_visit and per_case deductibles taken */
	size_t nded;
};
enum res api_policy_load(struct req *r, const struct policy *pol, struct loaded *L) WUR;
enum res api_policies_create(struct req *r);
enum res api_policies_get(struct req *r);
enum res api_policies_patch(struct req *r);
enum res api_policies_history(struct req *r);
enum res api_persons_get(struct req *r);
enum res api_persons_active_policy(struct req *r);

/* search.c */
enum res api_search(struct req *r);

/* imports_api.c */
enum res api_imports_policies(struct req *r);
enum res api_imports_template(struct req *r);
enum res api_imports_list(struct req *r);

/* coverage.c */
enum res api_coverage_evaluate(struct req *r);
enum res api_policy_coverage(struct req *r);
enum res api_reservations_create(struct req *r);
enum res api_reservations_get(struct req *r);
enum res api_reservations_commit(struct req *r);
enum res api_reservations_release(struct req *r);
/* Housekeeping (assist serve, once a minute): give back held reservations
 * whose time is up, each in its own transaction, audited as "expire" by
 * the system. */
void api_housekeep(struct db *db, struct event_bus *bus);

/* cases.c */
json_t *api_case_json(const struct case_row *c);
enum res api_cases_create(struct req *r);
enum res api_cases_list(struct req *r);
enum res api_cases_get(struct req *r);
enum res api_cases_patch(struct req *r);
enum res api_contacts_create(struct req *r);
enum res api_contacts_list(struct req *r);
enum res api_quality_create(struct req *r);
enum res api_case_questionnaire(struct req *r);
/* The questionnaire of case c as a PDF in language lang (en, ru, zh): *pdf
 * is malloc'd (*len bytes) and the caller's to free. Also used to attach it
 * to an email (messages.c). */
enum res api_case_questionnaire_pdf(struct req *r, const struct case_row *c, const char *lang,
				    char **pdf, size_t *len) WUR;
enum res api_persons_active_case(struct req *r);
enum res api_reports_nps(struct req *r);
enum res api_departments_list(struct req *r);
/* The person card's cases and latest contacts, added to out. */
enum res api_person_card(struct req *r, int64_t person_id, json_t *out) WUR;

/* tasks.c */
enum res api_tasks_create(struct req *r);
enum res api_tasks_list(struct req *r);
enum res api_tasks_get(struct req *r);
enum res api_tasks_patch(struct req *r);
/* Cancel the unfinished tasks of a case that is being closed (audited as
 * cancel, announced as task.updated). */
enum res api_tasks_cancel_for_case(struct req *r, int64_t case_id, int64_t now) WUR;
/* Housekeeping: announce tasks that have come due (task.due to the
 * assignee, the department and the task), each once across servers. */
struct event_bus;
void api_tasks_remind(struct db *db, struct event_bus *bus);

/* messages.c */
enum res api_messages_create(struct req *r);
enum res api_messages_get(struct req *r);
/* templates.c */
enum res api_templates_list(struct req *r);
enum res api_templates_get(struct req *r);
enum res api_templates_put(struct req *r);
enum res api_templates_preview(struct req *r);
enum res api_triggers_list(struct req *r);
enum res api_triggers_create(struct req *r);
enum res api_triggers_patch(struct req *r);
/* holidays.c */
enum res api_holidays_list(struct req *r);
enum res api_holidays_put(struct req *r);
enum res api_holidays_delete(struct req *r);
/* gateways.c */
enum res api_gateways_list(struct req *r);
enum res api_gateways_get(struct req *r);
enum res api_gateways_create(struct req *r);
enum res api_gateways_put(struct req *r);
enum res api_gateways_delete(struct req *r);
/* A message as the API shows it (messages.c). */
json_t *api_message_json(const struct message *m);

/* feedback.c: delivery feedback, costs, opt-outs, contact data */
enum res api_case_messages(struct req *r);
enum res api_reports_messages(struct req *r);
enum res api_reports_costs(struct req *r);
enum res api_reports_contact_data(struct req *r);
enum res api_opt_out_put(struct req *r);
enum res api_opt_out_delete(struct req *r);
/* The person's opt-outs as ["sms", ...] for the card. */
enum res api_person_opt_outs(struct req *r, int64_t person_id, json_t *out) WUR;

/* events.c */
enum res api_events_stream(struct req *r);

/* audit.c */
enum res api_audit_list(struct req *r);

#endif
