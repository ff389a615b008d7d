/* The route table: every endpoint, who may call it, and its body limit.
 * Role checks happen in one place (http/server.c) from this table, and
 * tests/unit/test_openapi.c keeps docs/openapi.json equal to it. */
#include "api/api.h"

#define ALL ROLES_ALL
#define ADMIN ROLE_BIT(ROLE_ADMIN)
#define SUPERVISION (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_SUPERVISOR))
/* who orders services and settles claims: everyone but finance */
#define OPERATIONS (ROLES_ALL & ~ROLE_BIT(ROLE_FINANCE))

const struct route api_routes[] = {
	{"GET", "/healthz", api_health, 0, ROUTE_PUBLIC | ROUTE_OWN_TX, 0, "Liveness and database check"},
	{"GET", "/api/v1/openapi.json", api_openapi, 0, ROUTE_PUBLIC | ROUTE_NO_DB, 0, "This API's OpenAPI document"},

	{"POST", "/api/v1/session", api_session_create, 0, ROUTE_PUBLIC | ROUTE_OWN_TX, 4096, "Sign in"},
	{"DELETE", "/api/v1/session", api_session_delete, ALL, 0, 0, "Sign out"},

	{"GET", "/api/v1/me", api_me_get, ALL, ROUTE_OWN_TX, 0, "The signed-in user"},
	{"PATCH", "/api/v1/me", api_me_patch, ALL, 0, 4096, "Change own name, language, phone or email"},
	{"POST", "/api/v1/me/password", api_me_password, ALL, ROUTE_OWN_TX, 4096, "Change own password"},

	{"GET", "/api/v1/users", api_users_list, ADMIN, 0, 0, "List users"},
	{"POST", "/api/v1/users", api_users_create, ADMIN, ROUTE_OWN_TX, 8192, "Create a user"},
	{"GET", "/api/v1/users/{id}", api_users_get, ADMIN, 0, 0, "One user"},
	{"PATCH", "/api/v1/users/{id}", api_users_patch, ADMIN, ROUTE_OWN_TX, 8192, "Change a user"},
	{"DELETE", "/api/v1/users/{id}", api_users_delete, ADMIN, 0, 0, "Disable a user"},

	{"GET", "/api/v1/staff", api_staff_list, ALL, 0, 0, "Enabled users (id, login, name, role, department), to pick an assignee"},

	{"GET", "/api/v1/tokens", api_tokens_list, ALL, 0, 0, "Own API tokens"},
	{"POST", "/api/v1/tokens", api_tokens_create, ALL, 0, 4096, "Create an API token"},
	{"DELETE", "/api/v1/tokens/{id}", api_tokens_delete, ALL, 0, 0, "Revoke an API token"},

	{"GET", "/api/v1/events/stream", api_events_stream, ALL, 0, 0, "Live events (server-sent events) for topics"},
	{"GET", "/api/v1/audit", api_audit_list, SUPERVISION, 0, 0, "Audit trail"},

	{"GET", "/api/v1/programs", api_programs_list, ALL, 0, 0, "List programs"},
	{"POST", "/api/v1/programs", api_programs_create, ADMIN, 0, 1u << 20, "Create a program"},
	{"GET", "/api/v1/programs/{code}", api_programs_get, ALL, 0, 0, "One program, whole"},
	{"PUT", "/api/v1/programs/{code}", api_programs_put, ADMIN, 0, 1u << 20, "Create or replace a program"},

	{"POST", "/api/v1/policies", api_policies_create, SUPERVISION, 0, 16384, "Register a policy"},
	{"GET", "/api/v1/policies/{number}", api_policies_get, ALL, 0, 0, "One policy with its person"},
	{"PATCH", "/api/v1/policies/{number}", api_policies_patch, SUPERVISION, 0, 16384, "Change a policy (a new version)"},
	{"GET", "/api/v1/policies/{number}/history", api_policies_history, ALL, 0, 0, "Every version of a policy: who, when, old and new"},
	{"GET", "/api/v1/policies/{number}/coverage", api_policy_coverage, ALL, 0, 0, "Every limit: used and remaining"},
	{"GET", "/api/v1/search", api_search, ALL, 0, 0, "Find insured persons by policy number, phone, document, birth date or name"},
	{"GET", "/api/v1/persons/{id}", api_persons_get, ALL, 0, 0, "An insured person with all policies"},
	{"GET", "/api/v1/persons/{id}/active-policy", api_persons_active_policy, ALL, 0, 0, "The active policy on a date"},
	{"GET", "/api/v1/persons/{id}/active-case", api_persons_active_case, ALL, 0, 0, "The person's case to continue, and all their open cases"},
	{"POST", "/api/v1/imports/policies", api_imports_policies, SUPERVISION, ROUTE_RAW_BODY, 256u << 20, "Import a policy list (CSV or XLSX)"},
	{"GET", "/api/v1/imports", api_imports_list, SUPERVISION, 0, 0, "Applied imports, newest first"},
	{"GET", "/api/v1/imports/policies/template.csv", api_imports_template, ALL, 0, 0, "The policy list template"},
	{"POST", "/api/v1/coverage/evaluate", api_coverage_evaluate, ALL, ROUTE_READS, 262144, "What-if coverage of service lines"},
	{"POST", "/api/v1/coverage/reservations", api_reservations_create, OPERATIONS, 0, 262144, "Reserve coverage for service lines"},
	{"GET", "/api/v1/coverage/reservations/{id}", api_reservations_get, ALL, 0, 0, "One reservation"},
	{"POST", "/api/v1/coverage/reservations/{id}/commit", api_reservations_commit, ALL, 0, 0, "Commit a held reservation"},
	{"POST", "/api/v1/coverage/reservations/{id}/release", api_reservations_release, OPERATIONS, 0, 0, "Give a reservation's coverage back"},

	{"POST", "/api/v1/cases", api_cases_create, OPERATIONS, 0, 65536, "Open an assistance case"},
	{"GET", "/api/v1/cases", api_cases_list, ALL, 0, 0, "Cases, filtered and paged, newest first"},
	{"GET", "/api/v1/cases/{id}", api_cases_get, ALL, 0, 0, "One case with its quality answers"},
	{"PATCH", "/api/v1/cases/{id}", api_cases_patch, OPERATIONS, 0, 65536, "Change a case (status, manager, policy...)"},
	{"GET", "/api/v1/cases/{id}/contacts", api_contacts_list, ALL, 0, 0, "The case's contact log, oldest first"},
	{"POST", "/api/v1/cases/{id}/contacts", api_contacts_create, OPERATIONS, 0, 32768, "Log a contact on a case"},
	{"POST", "/api/v1/cases/{id}/quality", api_quality_create, OPERATIONS, 0, 16384, "Record a quality answer and NPS score"},
	{"GET", "/api/v1/cases/{id}/questionnaire.pdf", api_case_questionnaire, ALL, 0, 0, "The case questionnaire as PDF"},
	{"GET", "/api/v1/reports/nps", api_reports_nps, SUPERVISION, 0, 0, "NPS by month, manager or insurer"},
	{"GET", "/api/v1/cases/{id}/messages", api_case_messages, ALL, 0, 0, "The case's messages with their states, newest first"},
	{"GET", "/api/v1/reports/messages", api_reports_messages, SUPERVISION, 0, 0, "Messages by day, channel or reason, with the delivery rate and costs"},
	{"GET", "/api/v1/reports/costs", api_reports_costs, SUPERVISION, 0, 0, "Message costs per channel from the unit prices"},
	{"GET", "/api/v1/reports/contact-data", api_reports_contact_data, SUPERVISION, 0, 0, "Persons with a missing or invalid phone, and numbers that failed as invalid"},
	{"PUT", "/api/v1/persons/{id}/opt-outs/{channel}", api_opt_out_put, OPERATIONS, 0, 0, "Opt a person out of a channel (sms, email)"},
	{"DELETE", "/api/v1/persons/{id}/opt-outs/{channel}", api_opt_out_delete, OPERATIONS, 0, 0, "Opt a person back in to a channel"},
	{"GET", "/api/v1/departments", api_departments_list, ALL, 0, 0, "Departments tasks go to"},

	{"POST", "/api/v1/messages", api_messages_create, OPERATIONS, 0, 16u << 20, "Queue an SMS or an email (ad hoc or from a template)"},
	{"GET", "/api/v1/messages/{id}", api_messages_get, ALL, 0, 0, "A message: its state and the history of its states"},
	{"GET", "/api/v1/templates", api_templates_list, ADMIN, 0, 0, "Message templates (every code, channel and language)"},
	{"GET", "/api/v1/templates/{code}/{channel}/{language}", api_templates_get, ADMIN, 0, 0, "One message template"},
	{"PUT", "/api/v1/templates/{code}/{channel}/{language}", api_templates_put, ADMIN, 0, 131072, "Create or change a message template (validated, versioned)"},
	{"POST", "/api/v1/templates/preview", api_templates_preview, ADMIN, ROUTE_READS, 131072, "Render a template text with values: the text, SMS parts and coding, or the fault"},
	{"GET", "/api/v1/triggers", api_triggers_list, ADMIN, 0, 0, "Triggers: event, template, audience"},
	{"POST", "/api/v1/triggers", api_triggers_create, ADMIN, 0, 8192, "Add a trigger"},
	{"PATCH", "/api/v1/triggers/{id}", api_triggers_patch, ADMIN, 0, 8192, "Change a trigger (enable, disable, template, audience, offset)"},
	{"GET", "/api/v1/holidays", api_holidays_list, ADMIN, 0, 0, "Holidays the holiday trigger greets on (MM-DD, every year)"},
	{"PUT", "/api/v1/holidays/{month_day}", api_holidays_put, ADMIN, 0, 4096, "Add or rename a holiday"},
	{"DELETE", "/api/v1/holidays/{month_day}", api_holidays_delete, ADMIN, 0, 0, "Remove a holiday"},
	{"GET", "/api/v1/gateways", api_gateways_list, ADMIN, 0, 0, "SMSC and SMTP connections, with what this server does with each"},
	{"POST", "/api/v1/gateways", api_gateways_create, ADMIN, 0, 8192, "Add an SMSC or SMTP connection"},
	{"GET", "/api/v1/gateways/{id}", api_gateways_get, ADMIN, 0, 0, "One SMSC or SMTP connection"},
	{"PUT", "/api/v1/gateways/{id}", api_gateways_put, ADMIN, 0, 8192, "Change an SMSC or SMTP connection (an absent password is kept)"},
	{"DELETE", "/api/v1/gateways/{id}", api_gateways_delete, ADMIN, 0, 0, "Remove an SMSC or SMTP connection"},

	{"POST", "/api/v1/tasks", api_tasks_create, ALL, 0, 32768, "Create a task on a case"},
	{"GET", "/api/v1/tasks", api_tasks_list, ALL, 0, 0, "Tasks; by default my department's unfinished ones, soonest due first"},
	{"GET", "/api/v1/tasks/{id}", api_tasks_get, ALL, 0, 0, "One task"},
	{"PATCH", "/api/v1/tasks/{id}", api_tasks_patch, ALL, 0, 32768, "Change a task (due time and forwarding: supervisors)"},
};

const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];
