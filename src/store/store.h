/* The store: a pool of database connections and every query assist makes,
 * written once for SQLite and PostgreSQL (see db.h). Functions take the
 * connection the caller holds, so one request's queries share one
 * transaction. Strings returned in structs are allocated from the arena the
 * caller passes and live as long as it does. */
#ifndef ASSIST_STORE_H
#define ASSIST_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "core/role.h"
#include "store/db.h"

/* ---- pool ---- */
struct store;
enum res store_open(const char *url, int pool_size, struct store **out, struct err *e) WUR;
void store_close(struct store *s);
enum db_kind store_kind(const struct store *s);
struct db *store_acquire(struct store *s); /* waits for a free connection */
void store_release(struct store *s, struct db *db);

/* ---- schema ---- */
int store_schema_latest(enum db_kind kind);
/* Current version of an opened database (0 when empty). */
enum res store_schema_version(struct db *db, int *version, struct err *e) WUR;
/* Apply pending migrations, all in one transaction. Refuses a database
 * newer than this binary (RES_UNPROCESSABLE). */
enum res store_migrate(struct db *db, int *from, int *to, struct err *e) WUR;

/* ---- users ---- */
struct user {
	int64_t id;
	const char *login;
	const char *full_name;
	enum role role;
	const char *language;
	bool disabled;
	int64_t created_at, updated_at;
	const char *department;    /* NULL = none */
	const char *email, *phone; /* staff notices (triggers); NULL = none; phone in E.164 */
	const char *password_hash; /* filled only by store_user_get_by_login */
};

enum res store_user_insert(struct db *db, const struct user *u, int64_t now, int64_t *id,
			   struct err *e) WUR;
enum res store_user_get(struct db *db, int64_t id, struct arena *a, struct user *out,
			struct err *e) WUR;
enum res store_user_get_by_login(struct db *db, const char *login, struct arena *a,
				 struct user *out, struct err *e) WUR;
/* Writes full_name, role, language, disabled, department, email and phone of u. */
enum res store_user_update(struct db *db, const struct user *u, int64_t now, struct err *e) WUR;
/* Only the fields a user may change about themselves: full_name, language,
 * email and phone of u. */
enum res store_user_update_profile(struct db *db, const struct user *u, int64_t now,
				   struct err *e) WUR;
/* Serialise changes to users within the transaction (PostgreSQL). */
enum res store_users_lock(struct db *db, struct err *e) WUR;
enum res store_user_set_password(struct db *db, int64_t id, const char *hash, int64_t now,
				 struct err *e) WUR;
enum res store_user_list(struct db *db, int64_t limit, int64_t offset, struct arena *a,
			 struct user **items, size_t *n, int64_t *total, struct err *e) WUR;
enum res store_user_count(struct db *db, int64_t *n, struct err *e) WUR;
/* Enabled users, of one department or (NULL) all, by name: the directory
 * every role may read to pick an assignee or a manager. */
enum res store_staff_list(struct db *db, const char *department, struct arena *a,
			  struct user **items, size_t *n, struct err *e) WUR;

/* ---- sessions ---- */
enum res store_session_create(struct db *db, const char *token_hash, int64_t user_id,
			      const char *csrf, int64_t now, int64_t expires, struct err *e) WUR;
/* Finds a live session of an enabled user. RES_UNAUTHORIZED when none. */
enum res store_session_lookup(struct db *db, const char *token_hash, int64_t now,
			      struct arena *a, struct user *u, const char **csrf,
			      int64_t *last_seen, struct err *e) WUR;
enum res store_session_touch(struct db *db, const char *token_hash, int64_t now,
			     int64_t expires, struct err *e) WUR;
enum res store_session_delete(struct db *db, const char *token_hash, struct err *e) WUR;
enum res store_session_delete_user(struct db *db, int64_t user_id, struct err *e) WUR;
enum res store_session_purge(struct db *db, int64_t now, struct err *e) WUR;

/* ---- API tokens ---- */
struct api_token {
	int64_t id, user_id;
	const char *name;
	int64_t created_at, last_used_at; /* 0 = never */
};
enum res store_token_insert(struct db *db, int64_t user_id, const char *name,
			    const char *token_hash, int64_t now, int64_t *id, struct err *e) WUR;
enum res store_token_lookup(struct db *db, const char *token_hash, struct arena *a,
			    struct user *u, int64_t *token_id, int64_t *last_used,
			    struct err *e) WUR;
enum res store_token_used(struct db *db, int64_t token_id, int64_t now, struct err *e) WUR;
enum res store_token_list(struct db *db, int64_t user_id, struct arena *a,
			  struct api_token **items, size_t *n, struct err *e) WUR;
/* RES_NOT_FOUND when the token is not the user's or already revoked. */
enum res store_token_revoke(struct db *db, int64_t user_id, int64_t id, int64_t now,
			    struct err *e) WUR;
enum res store_token_revoke_user(struct db *db, int64_t user_id, int64_t now, struct err *e) WUR;

/* ---- sign-in throttling ---- */
enum res store_login_failure_add(struct db *db, const char *login, const char *ip, int64_t now,
				 struct err *e) WUR;
struct login_failures {
	int64_t by_pair, by_login, by_ip; /* failures since the given instant */
	int64_t oldest_pair, oldest_login; /* earliest of them (0 when none) */
};
enum res store_login_failure_count(struct db *db, const char *login, const char *ip,
				   int64_t since, struct login_failures *out, struct err *e) WUR;
enum res store_login_failure_clear(struct db *db, const char *login, struct err *e) WUR;

/* ---- audit ---- */
struct audit_rec {
	int64_t id, at;
	int64_t actor_id; /* 0 = the system (CLI, jobs) */
	const char *actor_login;
	const char *action;   /* create, update, delete, login, logout, ... */
	const char *entity;   /* user, session, api_token, ... */
	const char *entity_id;
	const char *before_json; /* NULL when none */
	const char *after_json;  /* NULL when none */
	const char *request_id;
};
enum res store_audit_add(struct db *db, const struct audit_rec *r, struct err *e) WUR;
/* entity/entity_id may be NULL to list everything, newest first. */
enum res store_audit_list(struct db *db, const char *entity, const char *entity_id,
			  int64_t limit, int64_t offset, struct arena *a, struct audit_rec **items,
			  size_t *n, int64_t *total, struct err *e) WUR;

/* ---- programs ---- */
#include "core/program.h"
enum program_outcome { PROGRAM_UNCHANGED, PROGRAM_CREATED, PROGRAM_UPDATED };
struct program_saved {
	int64_t id, version;
	enum program_outcome outcome;
	const char *before; /* the previous definition, NULL when created */
};
/* Create or replace a program from its validated definition and canonical
 * JSON text; upserts its insurer, contract and services. Saving the same
 * definition again changes nothing (PROGRAM_UNCHANGED). */
enum res store_program_save(struct db *db, const struct program_def *p, const char *definition,
			    const char *actor, int64_t now, struct arena *a,
			    struct program_saved *out, struct err *e) WUR;
struct program_row {
	int64_t id, version;
	const char *code, *name_en, *name_ru, *name_zh, *currency;
	int64_t sum_insured;
	const char *insurer_code, *insurer_name, *contract_number;
	int64_t created_at, updated_at;
	const char *contract_starts, *contract_ends; /* YYYY-MM-DD */
	const char *definition; /* store_program_get only */
};
enum res store_program_get(struct db *db, const char *code, struct arena *a,
			   struct program_row *out, struct err *e) WUR;
enum res store_program_list(struct db *db, struct arena *a, struct program_row **items,
			    size_t *n, struct err *e) WUR;

/* ---- insured persons and policies ---- */
struct person {
	int64_t id;
	const char *last_name, *first_name, *middle_name; /* middle_name may be NULL */
	const char *birth_date, *sex;                     /* YYYY-MM-DD, F|M */
	const char *phone, *email, *document, *address, *city; /* may be NULL */
	const char *language, *time_zone;
	int64_t created_at, updated_at;
	int64_t import_id;                                /* 0 = not created by an import */
};
/* Inserts p, filling in its id, times and the defaults it lacked
 * (language ru, time zone Europe/Moscow). */
enum res store_person_insert(struct db *db, struct person *p, int64_t now, struct err *e) WUR;
enum res store_person_get(struct db *db, int64_t id, struct arena *a, struct person *out,
			  struct err *e) WUR;
/* The person a new policy belongs to: the same document number, else the
 * same last, first and middle name and birth date (and no other document). */
enum res store_person_match(struct db *db, const struct person *p, struct arena *a,
			    struct person *out, bool *found, struct err *e) WUR;

struct policy {
	int64_t id;
	const char *number;
	int64_t program_id;
	const char *program_code, *currency;
	int64_t person_id;
	const char *packages_json;   /* JSON array of held package codes; NULL = all */
	const char *start_date, *end_date, *status;
	int64_t sum_insured;
	int64_t previous_id;         /* 0 = none */
	const char *previous_number; /* "" = none */
	int64_t version, created_at, updated_at;
	int64_t import_id;           /* the import that created it; 0 = none */
};
enum res store_policy_insert(struct db *db, const struct policy *p, int64_t now, int64_t *id,
			     struct err *e) WUR;
/* Writes every field but number; bumps the version. */
enum res store_policy_update(struct db *db, const struct policy *p, int64_t now,
			     struct err *e) WUR;
enum res store_policy_get(struct db *db, const char *number, struct arena *a, struct policy *out,
			  struct err *e) WUR;
enum res store_policy_list_person(struct db *db, int64_t person_id, struct arena *a,
				  struct policy **items, size_t *n, struct err *e) WUR;
/* The active policy of a person on a date (YYYY-MM-DD): status active, the
 * date within the term; when several overlap, the latest start, then the
 * newest. */
enum res store_policy_active(struct db *db, int64_t person_id, const char *date, struct arena *a,
			     struct policy *out, bool *found, struct err *e) WUR;

/* ---- the coverage ledger ---- */
struct usage_row {
	const char *limit_key;    /* program_limit_key(), or "sum_insured" */
	const char *window_first; /* YYYY-MM-DD, "" for case windows */
	int64_t case_id;
	int64_t used;
	const char **days;        /* days limits: the counted dates */
	size_t ndays, cap_days;
};
enum res store_usage_load(struct db *db, int64_t policy_id, struct arena *a,
			  struct usage_row **rows, size_t *n, struct err *e) WUR;

/* ---- imports (store/imports.c) ---- */
struct import_rec {
	int64_t id;
	const char *kind, *file_name, *format, *sha256;
	int64_t bytes, rows, created, updated, unchanged;
	int64_t actor_id; /* 0 = the command line */
	const char *actor_login, *request_id;
	int64_t started_at, finished_at;
};
/* Insert x (its counts so far) and fill in its id. */
enum res store_import_begin(struct db *db, struct import_rec *x, struct err *e) WUR;
/* Write the final counts, time, size and hash. */
enum res store_import_finish(struct db *db, const struct import_rec *x, struct err *e) WUR;
enum res store_import_get(struct db *db, int64_t id, struct arena *a, struct import_rec *out,
			  struct err *e) WUR;
enum res store_imports_list(struct db *db, int64_t limit, int64_t offset, struct arena *a,
			    struct import_rec **items, size_t *n, int64_t *total,
			    struct err *e) WUR;

/* ---- reservations against the ledger (store/ledger.c) ---- */

/* Take the policy's row lock until the end of the transaction, so that two
 * requests reserving on one policy run one after the other (PostgreSQL:
 * SELECT ... FOR UPDATE; SQLite writers are already serialised by BEGIN
 * IMMEDIATE). Call before reading the usage the reservation builds on. */
enum res store_policy_lock(struct db *db, int64_t policy_id, struct err *e) WUR;

struct reservation {
	int64_t id, policy_id, case_id;
	const char *reference;    /* NULL = none */
	const char *status;       /* held, committed, released */
	const char *request_json, *result_json;
	int64_t covered_amount;
	int64_t created_by;       /* 0 = the system */
	int64_t created_at, expires_at, updated_at;
	const char *policy_number; /* filled by the getters */
};
enum res store_reservation_insert(struct db *db, struct reservation *r, struct err *e) WUR;
enum res store_reservation_get(struct db *db, int64_t id, struct arena *a, struct reservation *out,
			       struct err *e) WUR;
/* found = false when no reservation has this reference. */
enum res store_reservation_by_reference(struct db *db, const char *reference, struct arena *a,
					struct reservation *out, bool *found, struct err *e) WUR;
enum res store_reservation_set_status(struct db *db, int64_t id, const char *status, int64_t now,
				      struct err *e) WUR;
/* Held reservations of any policy whose time is up, the oldest first (at
 * most limit): ids[i] with its policy in policy_ids[i]. */
enum res store_reservations_due(struct db *db, int64_t now, int64_t limit, struct arena *a,
				int64_t **ids, int64_t **policy_ids, size_t *n, struct err *e) WUR;
/* Held reservations of a policy whose time is up. */
enum res store_reservations_expired(struct db *db, int64_t policy_id, int64_t now,
				    struct arena *a, int64_t **ids, size_t *n, struct err *e) WUR;

/* One thing a reservation consumed. kind 'l' (a limit: used is the amount
 * or count; a days limit has day set and used 0) or 'd' (a per_visit or
 * per_case deductible: provider and day, or case_id; used is what it took). */
struct ledger_entry {
	char kind;
	const char *key;          /* program_limit_key / "sum_insured" / program_deductible_key */
	const char *window_first; /* limits: "" for case windows; deductibles: "" */
	int64_t case_id;
	const char *provider;     /* "" = none */
	const char *day;          /* "" = none */
	int64_t used;
};
/* Record an entry of a reservation and add it to the running totals. */
enum res store_ledger_add(struct db *db, int64_t reservation_id, int64_t policy_id,
			  const struct ledger_entry *x, int64_t now, struct err *e) WUR;
/* Take a reservation's entries out of the totals and delete them. */
enum res store_ledger_remove(struct db *db, int64_t reservation_id, int64_t policy_id,
			     int64_t now, struct err *e) WUR;

struct deduction_row {
	const char *deductible_key, *provider, *day; /* "" = none */
	int64_t case_id, taken;
};
enum res store_deductions_load(struct db *db, int64_t policy_id, struct arena *a,
			       struct deduction_row **rows, size_t *n, struct err *e) WUR;

/* ---- assistance cases, contacts, tasks, quality (store/cases.c) ---- */
struct case_row {
	int64_t id, person_id;
	int64_t policy_id, insurer_id, manager_id, created_by; /* 0 = none */
	const char *type, *description, *status;
	const char *event_date; /* YYYY-MM-DD */
	int64_t created_at, updated_at, closed_at, version; /* closed_at 0 = not closed */
	/* filled by the getters */
	const char *policy_number, *insurer_code, *insurer_name; /* "" = none */
	const char *last_name, *first_name, *middle_name, *birth_date;
	const char *manager_login, *manager_name; /* "" = none */
	int64_t open_tasks, overdue_tasks;       /* unfinished tasks, of them past due */
};
/* Fills c->id and c->version (1); created_at/updated_at taken from c. */
enum res store_case_insert(struct db *db, struct case_row *c, struct err *e) WUR;
/* now: for the count of overdue tasks. */
enum res store_case_get(struct db *db, int64_t id, int64_t now, struct arena *a,
			struct case_row *out, struct err *e) WUR;
/* Mark the case as touched now (a contact, a task or an answer was added):
 * the active case offered to continue is the one touched last. */
enum res store_case_touch(struct db *db, int64_t id, int64_t now, struct err *e) WUR;
/* Writes type, description, status, manager, policy, insurer, event date
 * and closed_at; bumps the version. RES_CONFLICT when version is not the
 * stored one any more. */
enum res store_case_update(struct db *db, const struct case_row *c, int64_t now,
			   struct err *e) WUR;
struct case_filter {
	const char *status;    /* NULL = any */
	bool active;           /* only open, in_progress and waiting */
	int64_t manager_id;    /* 0 = any */
	const char *insurer;   /* insurer code, NULL = any */
	int64_t person_id;     /* 0 = any */
	const char *type;      /* NULL = any */
	int64_t from, to;      /* created_at in [from, to), 0 = open-ended */
};
/* Newest first. */
enum res store_case_list(struct db *db, const struct case_filter *f, int64_t now, int64_t limit,
			 int64_t offset, struct arena *a, struct case_row **items, size_t *n,
			 int64_t *total, struct err *e) WUR;
/* The insurer whose contract the policy's program belongs to. */
enum res store_policy_insurer(struct db *db, int64_t policy_id, int64_t *insurer_id,
			      struct err *e) WUR;

struct contact_row {
	int64_t id, case_id, user_id, at, created_at;
	const char *direction, *channel, *summary;
	const char *user_login, *user_name; /* "" = the system */
};
enum res store_contact_insert(struct db *db, struct contact_row *c, struct err *e) WUR;
/* A case's contacts, oldest first; or (case_id 0) a person's, newest first. */
enum res store_contact_list(struct db *db, int64_t case_id, int64_t person_id, int64_t limit,
			    struct arena *a, struct contact_row **items, size_t *n,
			    struct err *e) WUR;

struct task_row {
	int64_t id, case_id, assignee_id, created_by; /* 0 = none */
	const char *department, *urgency, *text, *status;
	int64_t due_at, created_at, updated_at, done_at, reminded_at, version; /* 0 = none */
	/* filled by the getters */
	const char *assignee_login, *assignee_name, *creator_login; /* "" = none */
	int64_t person_id;
	const char *case_type, *case_status, *last_name, *first_name;
};
enum res store_task_insert(struct db *db, struct task_row *t, struct err *e) WUR;
enum res store_task_get(struct db *db, int64_t id, struct arena *a, struct task_row *out,
			struct err *e) WUR;
/* Writes department, assignee, due time, urgency, text, status, done_at and
 * reminded_at; bumps the version. */
enum res store_task_update(struct db *db, const struct task_row *t, int64_t now,
			   struct err *e) WUR;
struct task_filter {
	const char *department; /* NULL = any */
	int64_t assignee_id;    /* 0 = any; -1 = unassigned */
	int64_t case_id;        /* 0 = any */
	bool unfinished;        /* only open and in_progress */
	const char *status;     /* NULL = any (after unfinished) */
	bool overdue;           /* only those past due (with now) */
};
/* Soonest due first, so what is overdue comes first; then the most urgent. */
enum res store_task_list(struct db *db, const struct task_filter *f, int64_t now, int64_t limit,
			 int64_t offset, struct arena *a, struct task_row **items, size_t *n,
			 int64_t *total, struct err *e) WUR;
/* Claim unfinished tasks that are due and not yet reminded: marks them
 * reminded (a task is claimed by one server only) and returns them. */
enum res store_tasks_claim_due(struct db *db, int64_t now, int64_t limit, struct arena *a,
			       struct task_row **items, size_t *n, struct err *e) WUR;

struct department_row {
	const char *code, *name_en, *name_ru, *name_zh;
};
/* The known departments and every code users or tasks use. */
enum res store_department_list(struct db *db, struct arena *a, struct department_row **items,
			       size_t *n, struct err *e) WUR;

struct quality_row {
	int64_t id, case_id, user_id, at;
	int score;
	const char *question, *comment, *source; /* question/comment may be NULL */
	const char *user_login, *user_name;      /* "" = none */
	/* filled by store_quality_period */
	int64_t manager_id;
	const char *manager_login, *manager_name, *insurer_code, *insurer_name; /* "" = none */
};
enum res store_quality_insert(struct db *db, struct quality_row *q, struct err *e) WUR;
enum res store_quality_list(struct db *db, int64_t case_id, struct arena *a,
			    struct quality_row **items, size_t *n, struct err *e) WUR;
/* Every answer with at in [from, to), oldest first, with its case's manager
 * and insurer (for the NPS report). */
enum res store_quality_period(struct db *db, int64_t from, int64_t to, struct arena *a,
			      struct quality_row **items, size_t *n, struct err *e) WUR;

/* ---- the outbox (store/messages.c) ---- */
struct message {
	int64_t id;
	const char *channel, *recipient;  /* sms: E.164; email: an address */
	int64_t person_id, case_id;       /* 0 = none */
	const char *class_;               /* service, marketing, greeting, ... (sending windows) */
	bool urgent;                      /* bypasses the windows */
	const char *template_, *language; /* NULL for an ad-hoc text */
	const char *subject, *body;       /* rendered */
	const char *idempotency_key;      /* NULL = none */
	const char *status;               /* queued, sending, sent, delivered, failed, expired */
	const char *reason, *detail;      /* why it failed (invalid_number, busy, ...) */
	const char *connection;           /* the gateway it went to */
	int64_t parts, attempts;
	int64_t not_before, expires_at;   /* microseconds */
	int64_t lease_until, handed_at;   /* 0 = none */
	int64_t cost;                     /* minor units of currency, 0 = unknown */
	const char *currency;
	int64_t created_by, created_at, updated_at, sent_at, delivered_at; /* 0 = none */
};
struct message_event {
	int64_t at;
	const char *status, *reason, *detail;
};
struct message_part {
	int seq;
	const char *provider_id, *status, *reason;
	int64_t updated_at;
};
/* Insert m (its first state recorded as an event) and fill in its id. */
enum res store_message_insert(struct db *db, struct message *m, struct err *e) WUR;
enum res store_message_get(struct db *db, int64_t id, struct arena *a, struct message *out,
			   struct err *e) WUR;
enum res store_message_by_key(struct db *db, const char *key, struct arena *a,
			      struct message *out, bool *found, struct err *e) WUR;
enum res store_message_history(struct db *db, int64_t id, struct arena *a,
			       struct message_event **ev, size_t *nev, struct message_part **parts,
			       size_t *nparts, struct err *e) WUR;
enum res store_message_event(struct db *db, int64_t id, int64_t at, const char *status,
			     const char *reason, const char *detail, struct err *e) WUR;
/* Claim up to limit due messages of a channel for this connection: queued
 * and due, or sending with a lapsed lease; each gets a lease of lease_us.
 * route: only the SMS routed to that SMSC connection (NULL = any). */
enum res store_messages_claim(struct db *db, const char *channel, const char *route,
			      const char *connection, int64_t now, int64_t lease_us, int64_t limit,
			      struct arena *a, struct message **items, size_t *n,
			      struct err *e) WUR;
/* SMS not yet routed to an SMSC connection (queued, or sending with a
 * lapsed lease), oldest first: ids and recipients. */
enum res store_messages_unrouted(struct db *db, int64_t now, int64_t limit, struct arena *a,
				 int64_t **ids, const char ***recipients, size_t *n,
				 struct err *e) WUR;
enum res store_message_route(struct db *db, int64_t id, const char *route, struct err *e) WUR;
/* SMS to recipient whose gateway id was never recorded because the server
 * stopped between handing it over and recording the answer: one part,
 * handed since `since`, still sending without a part or failed as in
 * doubt; newest first, at most 10. For receipts no id matches. */
enum res store_receipt_orphans(struct db *db, const char *recipient, int64_t since,
			       struct arena *a, int64_t **ids, const char ***bodies, size_t *n,
			       struct err *e) WUR;
/* Forget the routes of SMS still waiting (queued, or sending with a lapsed
 * lease), when the connections or their prefixes changed. */
enum res store_messages_unroute(struct db *db, int64_t now, struct err *e) WUR;

/* ---- gateways: SMSC and SMTP connections an admin configured
 * (store/gateways.c) ---- */
struct gateway_row {
	int64_t id;
	const char *kind;      /* smpp, smtp */
	const char *name, *host;
	int64_t port;
	const char *username, *password; /* "" = none */
	const char *tls;       /* smtp: none, starttls, tls; smpp: none */
	const char *prefixes;  /* smpp: normalised (core/route.h); "" = default */
	int64_t window, rate;  /* smpp: outstanding submits; submit_sm a second, 0 = no limit */
	const char *mail_from; /* smtp: NULL = the server's --mail-from */
	bool enabled;
	int64_t version, created_at, updated_at;
};
enum res store_gateways_list(struct db *db, struct arena *a, struct gateway_row **items,
			     size_t *n, struct err *e) WUR;
enum res store_gateway_get(struct db *db, int64_t id, struct arena *a, struct gateway_row *out,
			   struct err *e) WUR; /* RES_NOT_FOUND */
/* 0 when no gateway has that name. */
enum res store_gateway_by_name(struct db *db, const char *name, int64_t *id, struct err *e) WUR;
enum res store_gateway_insert(struct db *db, struct gateway_row *g, struct err *e) WUR;
/* Everything but id and created_at; version goes up by one. */
enum res store_gateway_update(struct db *db, struct gateway_row *g, struct err *e) WUR;
enum res store_gateway_delete(struct db *db, int64_t id, struct err *e) WUR;
/* A new state (and its event). not_before: when status is queued again. */
enum res store_message_set_status(struct db *db, int64_t id, const char *status,
				  const char *reason, const char *detail, int64_t not_before,
				  int64_t now, struct err *e) WUR;
/* The message is being handed to the gateway in parts (recorded before it
 * is, so that after a crash a claimed message that never reached the
 * gateway is sent, and one that may have is not sent twice). */
enum res store_message_handed(struct db *db, int64_t id, int64_t parts, int64_t cost,
			      const char *currency, int64_t now, struct err *e) WUR;
/* A part the gateway took (provider_id) with the keys a receipt may name it by. */
enum res store_message_part(struct db *db, int64_t id, int seq, const char *connection,
			    const char *provider_id, const char *const *keys, size_t nkeys,
			    const char *status, const char *reason, int64_t now, struct err *e) WUR;
/* The part a receipt names (id 0 when none). */
enum res store_receipt_find(struct db *db, const char *connection, const char *const *keys,
			    size_t nkeys, int64_t *id, int *seq, struct err *e) WUR;
struct part_tally {
	int64_t parts, delivered, failed;
	char reason[64]; /* of a failed part */
};
/* A part's final state; t tells how the message's parts stand. */
enum res store_part_final(struct db *db, int64_t id, int seq, const char *status,
			  const char *reason, int64_t now, struct part_tally *t, struct err *e) WUR;
enum res store_opted_out(struct db *db, int64_t person_id, const char *channel, bool *out,
			 struct err *e) WUR;
/* The sending window rules of a class (NULL when it has none: any time). */
enum res store_window_rules(struct db *db, const char *class_, struct arena *a,
			    const char **rules, struct err *e) WUR;
struct template_row {
	const char *code, *channel, *language, *subject, *body;
	int64_t version;
};
/* The template in this language, else in English. */
enum res store_template_get(struct db *db, const char *code, const char *channel,
			    const char *language, struct arena *a, struct template_row *out,
			    bool *found, struct err *e) WUR;

/* ---- triggers and templates (store/triggers.c, migration 0009) ---- */
struct trigger_row {
	int64_t id;
	const char *event, *channel, *template_, *audience, *class_;
	bool urgent, enabled;
	int64_t offset_days, created_at, updated_at;
};
/* Every trigger (event NULL), or the enabled ones of an event, by id. */
enum res store_triggers_list(struct db *db, const char *event, struct arena *a,
			     struct trigger_row **items, size_t *n, struct err *e) WUR;
enum res store_trigger_get(struct db *db, int64_t id, struct arena *a, struct trigger_row *out,
			   struct err *e) WUR; /* RES_NOT_FOUND */
enum res store_trigger_insert(struct db *db, struct trigger_row *t, struct err *e) WUR;
enum res store_trigger_update(struct db *db, const struct trigger_row *t, struct err *e) WUR;
/* Every template (the body too), by code, channel, language. */
enum res store_templates_list(struct db *db, struct arena *a, struct template_row **items,
			      size_t *n, struct err *e) WUR;
/* Exactly this language (no fallback). */
enum res store_template_exact(struct db *db, const char *code, const char *channel,
			      const char *language, struct arena *a, struct template_row *out,
			      bool *found, struct err *e) WUR;
/* Insert or replace, version = old + 1 (1 when new); out: the new version. */
enum res store_template_put(struct db *db, const char *code, const char *channel,
			    const char *language, const char *subject, const char *body,
			    const char *by, int64_t now, int64_t *version, struct err *e) WUR;
/* Claim the run of a scheduled event for a day: *first is false when it
 * was claimed already (by this or another server). */
enum res store_trigger_run_claim(struct db *db, const char *event, const char *day, int64_t now,
				 bool *first, struct err *e) WUR;
enum res store_trigger_run_done(struct db *db, const char *event, const char *day,
				int64_t queued, struct err *e) WUR;
/* Who a scheduled event concerns on a day. */
struct trigger_target {
	int64_t person_id, policy_id;      /* policy_id 0 for birthday/holiday */
	const char *policy_number, *end_date; /* NULL for birthday/holiday */
};
/* Active policies ending on end_date; unrenewed (no policy continues them)
 * when unrenewed is set. */
enum res store_policies_ending(struct db *db, const char *end_date, bool unrenewed,
			       struct arena *a, struct trigger_target **items, size_t *n,
			       struct err *e) WUR;
/* Persons with an active policy on day; born on month_day ("MM-DD") when
 * it is not NULL. */
enum res store_persons_insured(struct db *db, const char *day, const char *month_day,
			       struct arena *a, struct trigger_target **items, size_t *n,
			       struct err *e) WUR;
/* Whether month_day ("MM-DD") is a holiday. */
enum res store_holiday(struct db *db, const char *month_day, bool *out, struct err *e) WUR;
/* The holidays, by month_day; one's name (NULL when none); insert or
 * rename; delete (RES_NOT_FOUND when none). */
struct holiday_row {
	const char *month_day, *name;
};
enum res store_holidays_list(struct db *db, struct arena *a, struct holiday_row **items,
			     size_t *n, struct err *e) WUR;
enum res store_holiday_get(struct db *db, const char *month_day, struct arena *a,
			   const char **name, struct err *e) WUR;
enum res store_holiday_put(struct db *db, const char *month_day, const char *name,
			   struct err *e) WUR;
enum res store_holiday_delete(struct db *db, const char *month_day, struct err *e) WUR;
/* A staff member's contact for notices. */
struct staff_contact {
	int64_t id;
	const char *full_name, *language, *email, *phone; /* email, phone may be NULL */
};
/* The enabled users of a department, or the one user (id > 0). */
enum res store_staff_contacts(struct db *db, const char *department, int64_t user_id,
			      struct arena *a, struct staff_contact **items, size_t *n,
			      struct err *e) WUR;

/* Inbound SMS (store/messages.c). The newest person with this phone (0 = none). */
enum res store_person_by_phone(struct db *db, const char *phone, int64_t *id, struct err *e) WUR;
/* The case whose NPS survey (template case_closed) went to the person since
 * then and has no SMS answer yet (0 = none). */
enum res store_survey_open(struct db *db, int64_t person_id, int64_t since, int64_t *case_id,
			   struct err *e) WUR;
/* outcome: survey_answer, contact, new_case, unknown_sender. */
enum res store_inbound_insert(struct db *db, const char *connection, const char *sender,
			      const char *recipient, const char *text, int64_t at,
			      int64_t person_id, int64_t case_id, const char *outcome,
			      struct err *e) WUR;

/* ---- delivery feedback (store/feedback.c) ---- */
struct message_tally {
	int64_t day;                           /* UTC day number of created_at */
	const char *channel, *status, *reason; /* reason "" when none */
	int64_t count, parts, billed_parts;    /* billed: parts handed to the gateway */
};
/* Messages created in [from, to) counted by day, channel, status, reason. */
enum res store_message_tallies(struct db *db, int64_t from, int64_t to, struct arena *a,
			       struct message_tally **items, size_t *n, struct err *e) WUR;
struct message_price {
	const char *channel, *currency;
	int64_t per_part; /* minor units */
};
enum res store_message_prices(struct db *db, struct arena *a, struct message_price **items,
			      size_t *n, struct err *e) WUR;
/* A case's messages, newest first (at most limit). */
enum res store_case_messages(struct db *db, int64_t case_id, int64_t limit, struct arena *a,
			     struct message **items, size_t *n, struct err *e) WUR;
/* Opt a person out of a channel (on) or back in; *changed tells whether it did. */
enum res store_opt_out_set(struct db *db, int64_t person_id, const char *channel, bool on,
			   int64_t at, bool *changed, struct err *e) WUR;
enum res store_opt_outs(struct db *db, int64_t person_id, struct arena *a,
			const char ***channels, size_t *n, struct err *e) WUR;
enum contact_rows {
	CONTACT_NO_PHONE,      /* persons without a phone */
	CONTACT_ALL_PHONES,    /* persons with one (keep() picks the invalid ones) */
	CONTACT_FAILED_INVALID /* numbers whose last SMS failed as invalid_number */
};
struct contact_row_x {
	int64_t person_id; /* 0 = nobody known */
	const char *last_name, *first_name, *phone;
	int64_t at; /* the person's updated_at, or the failure's time */
};
/* The rows of a kind that keep (NULL = all) accepts, copied into a. */
enum res store_contact_rows(struct db *db, enum contact_rows which, struct arena *a,
			    bool (*keep)(const struct contact_row_x *x, void *ctx), void *ctx,
			    struct contact_row_x **items, size_t *n, struct err *e) WUR;

/* ---- live events across servers (store/notify.c, PostgreSQL only) ---- */
/* NOTIFY assist_events with payload, in db's transaction. */
enum res store_notify(struct db *db, const char *payload, struct err *e) WUR;
/* A thread that LISTENs on assist_events on its own connection to url and
 * calls fn with each payload; it reconnects when the connection breaks. */
struct notify_listener;
struct notify_listener *notify_listen(const char *url, void (*fn)(void *ctx, const char *payload),
				      void *ctx);
void notify_stop(struct notify_listener *l);

/* ---- identification search (store/search.c, docs/internals/search.md) ---- */
struct search_parsed;
struct tl_word;
/* Index a person's names and document for the search box, in the caller's
 * transaction. Every insert of a person calls it (store_person_insert,
 * store_demo_person); a change of names or document calls it with replace
 * set, which first takes out the words the person had. */
enum res store_search_person(struct db *db, int64_t person_id, const char *last_name,
			     const char *first_name, const char *middle_name,
			     const char *document, bool replace, struct err *e) WUR;
/* Bulk loading (assist demo, imports): while in force, this thread
 * remembers the ids of index words between persons of db. End it before
 * the transaction's writes could be rolled back and the connection used
 * again (the words it added would be gone). */
void store_search_bulk_begin(struct db *db);
void store_search_bulk_end(void);
/* Index every person that has no entry yet, or one made by another
 * TRANSLIT_VERSION: the backfill SQL cannot do (`assist init`, the start of
 * `assist serve`). Runs its own transactions of 10 000 persons; call it
 * outside one, on a connection of its own (it enlarges SQLite's page cache). */
enum res store_search_reindex(struct db *db, int64_t *indexed, struct err *e) WUR;
/* After a bulk load: merge the SQLite trigram index into one segment (a
 * fuzzy lookup reads a few times less); its own transaction. */
enum res store_search_optimize(struct db *db, struct err *e) WUR;

/* Why a person was found; exact matches rank first, in this order. */
enum search_match { SEARCH_POLICY_NUMBER, SEARCH_PHONE, SEARCH_DOCUMENT, SEARCH_BIRTH_DATE,
		    SEARCH_NAME };
struct search_hit {
	int64_t person_id;
	enum search_match match;
	int score; /* 0..100: 100 for an exact match, else how well the names match */
};
/* The persons a parsed query finds, best first, at most limit: exact
 * matches of policy number, phone and document, then (birth date and) name
 * matches by score, then id. words are the query's name words
 * (translit_words of q->names). The array is allocated from a. */
enum res store_search(struct db *db, const struct search_parsed *q, const struct tl_word *words,
		      size_t nwords, int64_t limit, struct arena *a, struct search_hit **out,
		      size_t *n, struct err *e) WUR;
/* out[i] is the person ids[i] (one query for all). */
enum res store_persons_get_many(struct db *db, const int64_t *ids, size_t n, struct arena *a,
				struct person *out, struct err *e) WUR;
/* The policies of these persons (one query), by person, the latest start first. */
struct hit_policy {
	int64_t person_id;
	const char *number, *status, *start_date, *end_date, *program;
};
enum res store_hit_policies(struct db *db, const int64_t *ids, size_t n, struct arena *a,
			    struct hit_policy **items, size_t *nitems, struct err *e) WUR;

/* ---- reference data of the demo set ---- */
#include "core/demo.h"
enum res store_demo_insurer(struct db *db, const struct demo_insurer *x, int64_t now,
			    struct err *e) WUR;
enum res store_demo_person(struct db *db, const struct demo_person *p, int64_t now,
			   int64_t *id, struct err *e) WUR;
enum res store_demo_provider(struct db *db, const struct demo_provider *x, int64_t now,
			     struct err *e) WUR;

/* Run one statement to completion, mapping errors; resets it after. */
enum res store_exec(struct db_stmt *st, struct err *e) WUR;
/* db_step wrapper: DB_ROW / DB_DONE, or stores the error in *r and returns 0. */
int store_step(struct db_stmt *st, enum res *r, struct err *e);

#endif
