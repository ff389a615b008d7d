/* Unit tests for src/core/cases.c: the case life cycle, the vocabularies,
 * who may change what in a task, and the NPS arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/cases.h"

#define S(x) x, strlen(x)

static void t_status_names(void **state)
{
	(void)state;
	for (int i = 0; i < CASE__COUNT; i++) {
		enum case_status s;
		const char *n = case_status_name((enum case_status)i);
		assert_true(case_status_parse(n, strlen(n), &s));
		assert_int_equal(s, i);
	}
	enum case_status s;
	assert_false(case_status_parse(S("Open"), &s));
	assert_false(case_status_parse(S(""), &s));
	assert_false(case_status_parse(S("opened"), &s));
	assert_false(case_status_parse("open", 3, &s));
	assert_string_equal(case_status_name(CASE__COUNT), "");
	assert_true(case_status_active(CASE_OPEN));
	assert_true(case_status_active(CASE_WAITING));
	assert_false(case_status_active(CASE_RESOLVED));
	assert_false(case_status_active(CASE_CLOSED));
}

static void t_transitions(void **state)
{
	(void)state;
	/* the life cycle forwards */
	assert_int_equal(case_transition(CASE_OPEN, CASE_IN_PROGRESS), CASE_MOVE_OK);
	assert_int_equal(case_transition(CASE_IN_PROGRESS, CASE_WAITING), CASE_MOVE_OK);
	assert_int_equal(case_transition(CASE_WAITING, CASE_RESOLVED), CASE_MOVE_OK);
	assert_int_equal(case_transition(CASE_RESOLVED, CASE_CLOSED), CASE_MOVE_OK);
	/* between active states both ways, and straight to the end */
	assert_int_equal(case_transition(CASE_WAITING, CASE_IN_PROGRESS), CASE_MOVE_OK);
	assert_int_equal(case_transition(CASE_IN_PROGRESS, CASE_OPEN), CASE_MOVE_OK);
	assert_int_equal(case_transition(CASE_OPEN, CASE_CLOSED), CASE_MOVE_OK);
	assert_int_equal(case_transition(CASE_OPEN, CASE_RESOLVED), CASE_MOVE_OK);
	/* reopening */
	assert_int_equal(case_transition(CASE_RESOLVED, CASE_IN_PROGRESS), CASE_MOVE_REOPEN);
	assert_int_equal(case_transition(CASE_CLOSED, CASE_OPEN), CASE_MOVE_REOPEN);
	assert_int_equal(case_transition(CASE_CLOSED, CASE_WAITING), CASE_MOVE_REOPEN);
	/* refused */
	assert_int_equal(case_transition(CASE_CLOSED, CASE_RESOLVED), CASE_MOVE_REFUSED);
	assert_int_equal(case_transition(CASE__COUNT, CASE_OPEN), CASE_MOVE_REFUSED);
	assert_int_equal(case_transition(CASE_OPEN, (enum case_status)-1), CASE_MOVE_REFUSED);
	/* the same */
	for (int i = 0; i < CASE__COUNT; i++)
		assert_int_equal(case_transition((enum case_status)i, (enum case_status)i),
				 CASE_MOVE_SAME);
}

static void t_vocabularies(void **state)
{
	(void)state;
	assert_true(case_code_valid(S("medical"), 64));
	assert_true(case_code_valid(S("road-side_2"), 64));
	assert_false(case_code_valid(S(""), 64));
	assert_false(case_code_valid(S("Medical"), 64));
	assert_false(case_code_valid(S("a b"), 64));
	assert_false(case_code_valid(S("медицина"), 64));
	assert_false(case_code_valid(S("abcde"), 4));
	assert_true(case_code_valid(S("abcd"), 4));
	for (size_t i = 0; i < case_types_count; i++)
		assert_true(case_code_valid(case_types[i], strlen(case_types[i]), 64));

	const char *d = NULL;
	assert_true(contact_direction_parse(S("in"), &d));
	assert_string_equal(d, "in");
	assert_true(contact_direction_parse(S("outgoing"), &d));
	assert_string_equal(d, "out");
	assert_true(contact_direction_parse(S("IN"), &d));
	assert_string_equal(d, "in");
	assert_true(contact_direction_parse(S("Outgoing"), &d));
	assert_string_equal(d, "out");
	assert_false(contact_direction_parse(S("incomingincoming!"), &d));
	assert_true(text_blank(""));
	assert_true(text_blank(" \t\r\n "));
	assert_false(text_blank(" x "));
	assert_false(text_blank("звонок"));
	assert_false(contact_direction_parse(S(""), &d));
	assert_false(contact_direction_parse(S("inbound"), &d));

	const char *c = NULL;
	assert_true(contact_channel_parse(S("phone"), &c));
	assert_string_equal(c, "phone");
	assert_true(contact_channel_parse(S("SMS"), &c));
	assert_string_equal(c, "sms");
	assert_true(contact_channel_parse(S("Fax"), &c));
	assert_string_equal(c, "fax");
	assert_true(contact_channel_parse(S("web"), &c));
	assert_true(contact_channel_parse(S("meeting"), &c));
	assert_true(contact_channel_parse(S("email"), &c));
	assert_false(contact_channel_parse(S("telegram"), &c));
	assert_false(contact_channel_parse(S(""), &c));
	assert_false(contact_channel_parse(S("phonephonephonephone"), &c));

	enum task_urgency u;
	assert_true(task_urgency_parse(S("critical"), &u));
	assert_int_equal(u, TASK_CRITICAL);
	assert_false(task_urgency_parse(S("high"), &u));
	assert_string_equal(task_urgency_name(TASK_URGENT), "urgent");
	assert_string_equal(task_urgency_name(TASK_URGENCY__COUNT), "");
	enum task_status ts;
	assert_true(task_status_parse(S("in_progress"), &ts));
	assert_true(task_status_unfinished(ts));
	assert_true(task_status_parse(S("cancelled"), &ts));
	assert_false(task_status_unfinished(ts));
	assert_false(task_status_unfinished(TASK_DONE));
	assert_false(task_status_parse(S("canceled"), &ts));
	assert_string_equal(task_status_name(TASK_STATUS__COUNT), "");
}

/* A task of the medical department assigned to user 10, made by user 20. */
static const struct task_facts assigned = {.assignee_id = 10, .created_by = 20,
					   .department = "medical"};
static const struct task_facts unassigned = {.assignee_id = 0, .created_by = 20,
					     .department = "medical"};

static void t_task_rules(void **state)
{
	(void)state;
	struct task_actor holder = {10, ROLE_CASE_MANAGER, "medical"};
	struct task_actor colleague = {11, ROLE_OPERATOR, "medical"};
	struct task_actor outsider = {12, ROLE_OPERATOR, "claims"};
	struct task_actor nodept = {13, ROLE_OPERATOR, NULL};
	struct task_actor author = {20, ROLE_OPERATOR, "assistance"};
	struct task_actor sup = {30, ROLE_SUPERVISOR, NULL};
	struct task_actor admin = {31, ROLE_ADMIN, "finance"};

	struct task_change due = {.due_at = true};
	struct task_change fwd_dept = {.department = true};
	struct task_change fwd_person = {.assignee = true, .new_assignee_id = 11};
	struct task_change unassign = {.assignee = true, .new_assignee_id = 0};
	struct task_change take = {.assignee = true, .new_assignee_id = 11};
	struct task_change done = {.status = true};
	struct task_change text = {.text = true, .urgency = true};

	/* the holder may not move the due time nor forward */
	assert_int_equal(task_may_change(&holder, &assigned, &due), TASK_DENY_DUE);
	assert_int_equal(task_may_change(&holder, &assigned, &fwd_dept), TASK_DENY_FORWARD);
	assert_int_equal(task_may_change(&holder, &assigned, &fwd_person), TASK_DENY_FORWARD);
	assert_int_equal(task_may_change(&holder, &assigned, &unassign), TASK_DENY_FORWARD);
	/* a due time change is refused before anything else it carries */
	struct task_change both = {.due_at = true, .status = true};
	assert_int_equal(task_may_change(&holder, &assigned, &both), TASK_DENY_DUE);
	/* the holder works the task */
	assert_int_equal(task_may_change(&holder, &assigned, &done), TASK_ALLOWED);
	assert_int_equal(task_may_change(&holder, &assigned, &text), TASK_ALLOWED);
	/* naming oneself as the holder again is no change */
	struct task_change same = {.assignee = true, .new_assignee_id = 10, .status = true};
	assert_int_equal(task_may_change(&holder, &assigned, &same), TASK_ALLOWED);
	/* a colleague may not work or take someone else's task */
	assert_int_equal(task_may_change(&colleague, &assigned, &done), TASK_DENY_NOT_YOURS);
	assert_int_equal(task_may_change(&colleague, &assigned, &take), TASK_DENY_FORWARD);
	/* ...but works and takes an unassigned task of the department */
	assert_int_equal(task_may_change(&colleague, &unassigned, &done), TASK_ALLOWED);
	assert_int_equal(task_may_change(&colleague, &unassigned, &take), TASK_ALLOWED);
	/* and may not hand it to someone else */
	struct task_change give = {.assignee = true, .new_assignee_id = 10};
	assert_int_equal(task_may_change(&colleague, &unassigned, &give), TASK_DENY_FORWARD);
	/* outsiders and users without a department */
	assert_int_equal(task_may_change(&outsider, &unassigned, &done), TASK_DENY_NOT_YOURS);
	struct task_change take12 = {.assignee = true, .new_assignee_id = 12};
	assert_int_equal(task_may_change(&outsider, &unassigned, &take12), TASK_DENY_FORWARD);
	assert_int_equal(task_may_change(&nodept, &unassigned, &done), TASK_DENY_NOT_YOURS);
	/* the author may close or reword the task, not reschedule it */
	assert_int_equal(task_may_change(&author, &assigned, &done), TASK_ALLOWED);
	assert_int_equal(task_may_change(&author, &assigned, &text), TASK_ALLOWED);
	assert_int_equal(task_may_change(&author, &assigned, &due), TASK_DENY_DUE);
	/* supervisors and admins may do anything */
	assert_int_equal(task_may_change(&sup, &assigned, &due), TASK_ALLOWED);
	assert_int_equal(task_may_change(&sup, &assigned, &fwd_dept), TASK_ALLOWED);
	assert_int_equal(task_may_change(&sup, &assigned, &unassign), TASK_ALLOWED);
	assert_int_equal(task_may_change(&admin, &unassigned, &fwd_person), TASK_ALLOWED);
	assert_true(task_actor_supervises(&sup));
	assert_false(task_actor_supervises(&holder));
	/* a system-made task has no author */
	struct task_facts sys = {.assignee_id = 0, .created_by = 0, .department = "medical"};
	struct task_actor zero = {0, ROLE_OPERATOR, "claims"};
	assert_int_equal(task_may_change(&zero, &sys, &done), TASK_DENY_NOT_YOURS);
}

static void t_nps(void **state)
{
	(void)state;
	struct nps_tally t = {0};
	assert_int_equal(nps_value(&t), 0);
	assert_int_equal(nps_mean_x10(&t), 0);
	nps_add(&t, 10);
	nps_add(&t, 9);
	nps_add(&t, 8);
	nps_add(&t, 7);
	nps_add(&t, 6);
	nps_add(&t, 0);
	nps_add(&t, 11); /* ignored */
	nps_add(&t, -1); /* ignored */
	assert_int_equal(t.responses, 6);
	assert_int_equal(t.promoters, 2);
	assert_int_equal(t.passives, 2);
	assert_int_equal(t.detractors, 2);
	assert_int_equal(nps_value(&t), 0);
	assert_int_equal(nps_mean_x10(&t), 67); /* 40 / 6 = 6.67 */
	/* 1 promoter of 3: 33.3 -> 33; 2 of 3: 66.7 -> 67; rounding both signs */
	struct nps_tally a = {0};
	nps_add(&a, 10);
	nps_add(&a, 8);
	nps_add(&a, 8);
	assert_int_equal(nps_value(&a), 33);
	struct nps_tally b = {0};
	nps_add(&b, 10);
	nps_add(&b, 10);
	nps_add(&b, 8);
	assert_int_equal(nps_value(&b), 67);
	struct nps_tally c = {0};
	nps_add(&c, 1);
	nps_add(&c, 1);
	nps_add(&c, 8);
	assert_int_equal(nps_value(&c), -67);
	/* a half rounds away from zero: 1 detractor of 8 = -12.5 -> -13 */
	struct nps_tally h = {0};
	nps_add(&h, 3);
	for (int i = 0; i < 7; i++)
		nps_add(&h, 7);
	assert_int_equal(nps_value(&h), -13);
	struct nps_tally all = {0};
	for (int i = 0; i < 5; i++)
		nps_add(&all, 10);
	assert_int_equal(nps_value(&all), 100);
	assert_int_equal(nps_mean_x10(&all), 100);
	struct nps_tally none = {0};
	nps_add(&none, 0);
	assert_int_equal(nps_value(&none), -100);
	/* mean rounds half up: (7 + 8) / 2 = 7.5 -> 75; (6+7+7)/3 = 6.67 -> 67 */
	struct nps_tally m = {0};
	nps_add(&m, 7);
	nps_add(&m, 8);
	assert_int_equal(nps_mean_x10(&m), 75);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_status_names), cmocka_unit_test(t_transitions),
		cmocka_unit_test(t_vocabularies), cmocka_unit_test(t_task_rules),
		cmocka_unit_test(t_nps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
