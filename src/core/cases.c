#include "core/cases.h"

#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool name_eq(const char *name, const char *s, size_t n)
{
	return strlen(name) == n && memcmp(name, s, n) == 0;
}

static int name_find(const char *const *names, size_t count, const char *s, size_t n)
{
	for (size_t i = 0; i < count; i++)
		if (name_eq(names[i], s, n))
			return (int)i;
	return -1;
}

static const char *const case_status_names[CASE__COUNT] = {
	[CASE_OPEN] = "open",		[CASE_IN_PROGRESS] = "in_progress",
	[CASE_WAITING] = "waiting",	[CASE_RESOLVED] = "resolved",
	[CASE_CLOSED] = "closed",
};

const char *case_status_name(enum case_status s)
{
	return (unsigned)s < CASE__COUNT ? case_status_names[s] : "";
}

bool case_status_parse(const char *s, size_t n, enum case_status *out)
{
	int i = name_find(case_status_names, CASE__COUNT, s, n);
	if (i < 0)
		return false;
	*out = (enum case_status)i;
	return true;
}

bool case_status_active(enum case_status s)
{
	return s == CASE_OPEN || s == CASE_IN_PROGRESS || s == CASE_WAITING;
}

enum case_move case_transition(enum case_status from, enum case_status to)
{
	if ((unsigned)from >= CASE__COUNT || (unsigned)to >= CASE__COUNT)
		return CASE_MOVE_REFUSED;
	if (from == to)
		return CASE_MOVE_SAME;
	if (case_status_active(from))
		return CASE_MOVE_OK;
	if (case_status_active(to))
		return CASE_MOVE_REOPEN;
	return from == CASE_RESOLVED && to == CASE_CLOSED ? CASE_MOVE_OK : CASE_MOVE_REFUSED;
}

const char *const case_types[] = {
	"medical",	"dental",	"ambulance", "hospitalization", "repatriation",
	"travel",	"auto",		"property",  "legal",		"consultation",
	"complaint",	"other",
};
const size_t case_types_count = N(case_types);

bool case_code_valid(const char *s, size_t n, size_t max)
{
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool text_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* s of n bytes in lower case into low (cap bytes); false when too long. */
static bool lower(const char *s, size_t n, char *low, size_t cap)
{
	if (n >= cap)
		return false;
	for (size_t i = 0; i < n; i++)
		low[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
	return true;
}

bool contact_direction_parse(const char *s, size_t n, const char **out)
{
	char low[16];
	if (!lower(s, n, low, sizeof low))
		return false;
	s = low;
	if (name_eq("in", s, n) || name_eq("incoming", s, n)) {
		*out = "in";
		return true;
	}
	if (name_eq("out", s, n) || name_eq("outgoing", s, n)) {
		*out = "out";
		return true;
	}
	return false;
}

static const char *const channels[] = {"phone", "email", "meeting", "fax", "sms", "web"};

bool contact_channel_parse(const char *s, size_t n, const char **out)
{
	char low[16];
	if (n == 0 || !lower(s, n, low, sizeof low))
		return false;
	int i = name_find(channels, N(channels), low, n);
	if (i < 0)
		return false;
	*out = channels[i];
	return true;
}

static const char *const urgency_names[TASK_URGENCY__COUNT] = {"normal", "urgent", "critical"};

const char *task_urgency_name(enum task_urgency u)
{
	return (unsigned)u < TASK_URGENCY__COUNT ? urgency_names[u] : "";
}

bool task_urgency_parse(const char *s, size_t n, enum task_urgency *out)
{
	int i = name_find(urgency_names, TASK_URGENCY__COUNT, s, n);
	if (i < 0)
		return false;
	*out = (enum task_urgency)i;
	return true;
}

static const char *const task_status_names[TASK_STATUS__COUNT] = {"open", "in_progress", "done",
								   "cancelled"};

const char *task_status_name(enum task_status s)
{
	return (unsigned)s < TASK_STATUS__COUNT ? task_status_names[s] : "";
}

bool task_status_parse(const char *s, size_t n, enum task_status *out)
{
	int i = name_find(task_status_names, TASK_STATUS__COUNT, s, n);
	if (i < 0)
		return false;
	*out = (enum task_status)i;
	return true;
}

bool task_status_unfinished(enum task_status s)
{
	return s == TASK_OPEN || s == TASK_IN_PROGRESS;
}

bool task_actor_supervises(const struct task_actor *who)
{
	return who->role == ROLE_SUPERVISOR || who->role == ROLE_ADMIN;
}

static bool in_department(const struct task_actor *who, const struct task_facts *t)
{
	return who->department && t->department && strcmp(who->department, t->department) == 0;
}

enum task_verdict task_may_change(const struct task_actor *who, const struct task_facts *t,
				  const struct task_change *c)
{
	if (task_actor_supervises(who))
		return TASK_ALLOWED;
	if (c->due_at)
		return TASK_DENY_DUE;
	if (c->department)
		return TASK_DENY_FORWARD;
	if (c->assignee) {
		/* taking an unassigned task of one's own department is not forwarding */
		bool take = t->assignee_id == 0 && c->new_assignee_id == who->user_id &&
			    in_department(who, t);
		bool same = c->new_assignee_id == t->assignee_id;
		if (!take && !same)
			return TASK_DENY_FORWARD;
	}
	bool holder = t->assignee_id != 0 && t->assignee_id == who->user_id;
	bool dept = t->assignee_id == 0 && in_department(who, t);
	bool author = t->created_by != 0 && t->created_by == who->user_id;
	bool taking = c->assignee && c->new_assignee_id == who->user_id && in_department(who, t);
	if (holder || dept || author || taking)
		return TASK_ALLOWED;
	return TASK_DENY_NOT_YOURS;
}

void nps_add(struct nps_tally *t, int score)
{
	if (score < 0 || score > 10)
		return;
	t->responses++;
	t->score_sum += score;
	if (score >= 9)
		t->promoters++;
	else if (score >= 7)
		t->passives++;
	else
		t->detractors++;
}

int nps_value(const struct nps_tally *t)
{
	if (t->responses <= 0)
		return 0;
	int64_t num = 100 * (t->promoters - t->detractors), den = t->responses;
	int64_t q = (2 * (num < 0 ? -num : num) + den) / (2 * den);
	return (int)(num < 0 ? -q : q);
}

int nps_mean_x10(const struct nps_tally *t)
{
	if (t->responses <= 0)
		return 0;
	return (int)((20 * t->score_sum + t->responses) / (2 * t->responses));
}
