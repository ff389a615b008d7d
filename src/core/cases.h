/* The rules of assistance cases, their contact log and tasks: the status
 * life cycle, the vocabularies, who may change what in a task, and the NPS
 * arithmetic. Pure: the API applies these to what the store holds. */
#ifndef ASSIST_CASES_H
#define ASSIST_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/role.h"

/* ---- case status: open -> in_progress -> waiting -> resolved -> closed ---- */
enum case_status {
	CASE_OPEN = 0,
	CASE_IN_PROGRESS,
	CASE_WAITING,
	CASE_RESOLVED,
	CASE_CLOSED,
	CASE__COUNT
};
const char *case_status_name(enum case_status s);
bool case_status_parse(const char *s, size_t n, enum case_status *out);
/* open, in_progress and waiting: the case is still being worked. */
bool case_status_active(enum case_status s);

enum case_move {
	CASE_MOVE_SAME,    /* no change */
	CASE_MOVE_OK,      /* a step of the life cycle */
	CASE_MOVE_REOPEN,  /* resolved or closed back to work: allowed, audited as reopen */
	CASE_MOVE_REFUSED, /* e.g. closed -> resolved */
};
/* Any active status may go to any other active one, to resolved or to
 * closed; resolved may be closed; resolved and closed may only be reopened
 * (back to an active status). */
enum case_move case_transition(enum case_status from, enum case_status to);

/* The case types the UI offers; the API accepts any code of 1..64 of
 * [a-z0-9_-] (an installation may have its own). */
extern const char *const case_types[];
extern const size_t case_types_count;
/* A code: 1..max bytes of [a-z0-9_-]. */
bool case_code_valid(const char *s, size_t n, size_t max);

/* Nothing but spaces, tabs and line breaks (or nothing at all). */
bool text_blank(const char *s);

/* ---- contacts ---- */
/* "in" / "out" (also "incoming" / "outgoing", any case); *out is the short form. */
bool contact_direction_parse(const char *s, size_t n, const char **out);
/* phone, email, meeting, fax, sms, web (any case); *out is the lower-case name. */
bool contact_channel_parse(const char *s, size_t n, const char **out);

/* ---- tasks ---- */
enum task_urgency { TASK_NORMAL = 0, TASK_URGENT, TASK_CRITICAL, TASK_URGENCY__COUNT };
const char *task_urgency_name(enum task_urgency u);
bool task_urgency_parse(const char *s, size_t n, enum task_urgency *out);

enum task_status { TASK_OPEN = 0, TASK_IN_PROGRESS, TASK_DONE, TASK_CANCELLED, TASK_STATUS__COUNT };
const char *task_status_name(enum task_status s);
bool task_status_parse(const char *s, size_t n, enum task_status *out);
/* open and in_progress. */
bool task_status_unfinished(enum task_status s);

/* Who acts on a task, and the task as stored. */
struct task_actor {
	int64_t user_id;
	enum role role;
	const char *department; /* NULL = none */
};
struct task_facts {
	int64_t assignee_id;    /* 0 = the department as a whole */
	int64_t created_by;     /* 0 = the system */
	const char *department;
};
/* What a change asks for (only the fields it changes are set). */
struct task_change {
	bool due_at, department, assignee, status, urgency, text;
	int64_t new_assignee_id; /* when assignee: 0 = nobody */
};
enum task_verdict {
	TASK_ALLOWED,
	TASK_DENY_DUE,       /* only a supervisor moves a due time */
	TASK_DENY_FORWARD,   /* only a supervisor forwards (department or assignee) */
	TASK_DENY_NOT_YOURS, /* not the holder, the department, the author or a supervisor */
};
/* Supervisors and admins may change anything, and it is audited. Others may
 * not move the due time nor forward the task to another department or
 * person; a member of the task's department may take an unassigned task
 * (assign it to themselves). Status, urgency and text may be changed by the
 * assignee, a member of the department when it is unassigned, or its
 * author. */
enum task_verdict task_may_change(const struct task_actor *who, const struct task_facts *t,
				  const struct task_change *c);
bool task_actor_supervises(const struct task_actor *who);

/* ---- quality ---- */
struct nps_tally {
	int64_t responses, promoters, passives, detractors; /* 9-10, 7-8, 0-6 */
	int64_t score_sum;
};
void nps_add(struct nps_tally *t, int score);
/* The net promoter score, % promoters - % detractors, rounded half away
 * from zero to a whole number in -100..100; 0 when no responses. */
int nps_value(const struct nps_tally *t);
/* The mean score times 10, rounded half up (73 = 7.3); 0 when none. */
int nps_mean_x10(const struct nps_tally *t);

#endif
