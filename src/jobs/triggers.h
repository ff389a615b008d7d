/* Triggers (docs/internals/outbox.md "Triggers"): an event sends a
 * template to an audience, as data in the triggers table (migration 0009).
 *
 * Case events (case_opened, case_closed) fire in the transaction of the
 * case change that causes them. Scheduled events (renewal_due,
 * lapse_warning, policy_lapsed, maturity, birthday, holiday) run from
 * housekeeping once a day (trigger_runs makes it once even with several
 * servers); the sending window of each message's class in the recipient's
 * time zone decides when it goes (not_before).
 *
 * Each message has the idempotency key trigger:ID:SUBJECT (SUBJECT names
 * what it is about: case:42, policy:7:2026-12-29, person:5:2026), so a
 * repeat never sends twice. Persons who opted out of the channel (unless
 * the trigger is urgent) or have no phone or address for it are skipped,
 * and so is a message whose template cannot be rendered (logged). */
#ifndef ASSIST_TRIGGERS_H
#define ASSIST_TRIGGERS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "store/store.h"

struct trigger_ctx {
	int64_t case_id, person_id, manager_id;    /* 0 = none */
	const char *policy_number, *end_date;       /* NULL = none */
	const char *subject;                        /* idempotency: "case:42" */
	int64_t created_by;                         /* 0 = the system */
	int64_t now;                                /* microseconds; 0 = the clock */
};

/* Is this an event code triggers may name? scheduled: it runs daily. */
bool trigger_event_known(const char *event, bool *scheduled);
/* The variables templates of an event may use (for tpl_validate); NULL
 * with *n = 0 for a code that is no event. */
const char *const *trigger_event_vars(const char *event, size_t *n);

/* In the caller's transaction: every enabled trigger of event queues its
 * messages; *queued (may be NULL) counts them. */
enum res triggers_fire(struct db *db, struct arena *a, const char *event,
		       const struct trigger_ctx *ctx, int64_t *queued, struct err *e) WUR;

/* Housekeeping: the scheduled events of today (UTC) not yet run, each in
 * a transaction of its own. Logs failures. */
void triggers_daily(struct db *db);

#endif
