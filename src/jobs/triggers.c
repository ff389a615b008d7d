/* Triggers: events -> templates -> audiences (triggers.h). */
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "core/date.h"
#include "core/phone.h"
#include "jobs/compose.h"
#include "jobs/outbox.h"
#include "jobs/triggers.h"
#include "text/tz.h"

#define OOM(e) err_set(e, RES_NOMEM, NULL, NULL, "out of memory")

static const char *const case_vars[] = {"first_name", "last_name", "case_id", "company",
					"event", "person_name", "manager_name"};
static const char *const policy_vars[] = {"first_name", "last_name", "policy_number",
					  "end_date", "company", "event", "person_name"};
static const char *const person_vars[] = {"first_name", "last_name", "company", "event",
					  "person_name"};

static const struct {
	const char *code;
	bool scheduled;
	const char *const *vars;
	size_t nvars;
} events[] = {
	{"case_opened", false, case_vars, 7},	{"case_closed", false, case_vars, 7},
	{"renewal_due", true, policy_vars, 7},	{"lapse_warning", true, policy_vars, 7},
	{"policy_lapsed", true, policy_vars, 7}, {"maturity", true, policy_vars, 7},
	{"birthday", true, person_vars, 5},	{"holiday", true, person_vars, 5},
};
#define NEVENTS (sizeof events / sizeof events[0])

bool trigger_event_known(const char *event, bool *scheduled)
{
	for (size_t i = 0; i < NEVENTS; i++)
		if (strcmp(events[i].code, event) == 0) {
			if (scheduled)
				*scheduled = events[i].scheduled;
			return true;
		}
	return false;
}

const char *const *trigger_event_vars(const char *event, size_t *n)
{
	*n = 0;
	if (strcmp(event, "staff_notice") == 0) {
		*n = 7;
		return case_vars;
	}
	for (size_t i = 0; i < NEVENTS; i++)
		if (strcmp(events[i].code, event) == 0) {
			*n = events[i].nvars;
			return events[i].vars;
		}
	return NULL;
}

/* An address good enough to hand to a relay. */
static bool email_ok(const char *s)
{
	const char *at = s ? strchr(s, '@') : NULL;
	return at && at != s && at[1] && strchr(at + 1, '.') && !strchr(s, ' ');
}

/* The instant local day d begins in zone. */
static enum res day_start(const char *zone, cdate d, int64_t *out, struct err *e)
{
	struct tz_local l = {0};
	date_to_ymd(d, &l.y, &l.m, &l.d);
	return tz_local_to_utc(zone, &l, out, e);
}

/* A greeting of day d (birthday, holiday) goes on that day in the
 * recipient's time zone: the daily run happens at the start of the UTC
 * day, when west of UTC it is still the day before, and its window may be
 * open there. Not before the day begins, never after it ends; *over when
 * it has ended already (the run came too late for this zone). */
static enum res keep_to_day(struct db *db, struct arena *a, const struct trigger_row *t,
			    const struct person *p, cdate d, struct message *m, bool *over,
			    struct err *e)
{
	const char *zone = p && p->time_zone ? p->time_zone : "Europe/Moscow";
	int64_t start, end;
	enum res res;
	*over = false;
	if ((res = day_start(zone, d, &start, e)) || (res = day_start(zone, d + 1, &end, e)))
		return res;
	if (m->not_before < start && !t->urgent) {
		const char *rules;
		if ((res = store_window_rules(db, t->class_, a, &rules, e)))
			return res;
		m->not_before = start;
		if (rules && (res = outbox_window_start(rules, zone, start, &m->not_before, e)))
			return res;
		m->expires_at = m->not_before + OUTBOX_MAX_AGE_US;
	}
	if (m->expires_at > end)
		m->expires_at = end;
	*over = m->not_before >= end;
	return RES_OK;
}

/* One message of trigger t to a recipient; skipped (not an error) when it
 * was queued before or its template does not render. greet_day: the day a
 * greeting is for (NULL for other events). */
static enum res queue_one(struct db *db, struct arena *a, const struct trigger_row *t,
			  const struct trigger_ctx *ctx, const cdate *greet_day,
			  const struct person *p, const char *recipient, const char *language,
			  const char *key, const struct tpl_var *vars, size_t nv, int64_t *queued,
			  struct err *e)
{
	struct message m;
	bool found;
	enum res res = store_message_by_key(db, key, a, &m, &found, e);
	if (res || found)
		return res;
	struct compose_in in = {.channel = t->channel, .recipient = recipient,
				.template_ = t->template_, .language = language, .person = p,
				.case_id = ctx->case_id, .vars = vars, .nvars = nv,
				.class_ = t->class_, .urgent = t->urgent, .idempotency_key = key,
				.created_by = ctx->created_by, .now = ctx->now};
	res = outbox_compose(db, a, &in, &m, e);
	if (res == RES_INVALID) {
		struct logb lb;
		logb_begin(&lb, LOG_WARN, "trigger_skipped");
		logb_int(&lb, "trigger", t->id);
		logb_str(&lb, "key", key);
		logb_str(&lb, "reason", e->message);
		logb_end(&lb);
		err_clear(e);
		return RES_OK;
	}
	if (res)
		return res;
	if (greet_day) {
		bool over;
		if ((res = keep_to_day(db, a, t, p, *greet_day, &m, &over, e)))
			return res;
		if (over) {
			struct logb lb;
			logb_begin(&lb, LOG_WARN, "trigger_skipped");
			logb_int(&lb, "trigger", t->id);
			logb_str(&lb, "key", key);
			logb_str(&lb, "reason", "the day is over in the recipient's time zone");
			logb_end(&lb);
			return RES_OK;
		}
	}
	if ((res = store_message_insert(db, &m, e)))
		return res;
	/* sent to the insured about their case: an outgoing contact of the
	 * case, as a message an operator sends from it is */
	if (ctx->case_id && p && strcmp(t->audience, "person") == 0) {
		struct contact_row k = {.case_id = ctx->case_id, .direction = "out",
					.channel = t->channel, .at = ctx->now,
					.user_id = ctx->created_by, .created_at = ctx->now};
		k.summary = m.subject ? arena_printf(a, "%s\n\n%s", m.subject, m.body) : m.body;
		if (!k.summary)
			return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
		if ((res = store_contact_insert(db, &k, e)))
			return res;
	}
	if (queued)
		(*queued)++;
	return RES_OK;
}

static enum res fire_trigger(struct db *db, struct arena *a, const struct trigger_row *t,
			     const struct trigger_ctx *ctx, const cdate *greet_day, int64_t *queued,
			     struct err *e)
{
	enum res res;
	struct person p, *pp = NULL;
	if (ctx->person_id) {
		res = store_person_get(db, ctx->person_id, a, &p, e);
		if (res == RES_NOT_FOUND) {
			err_clear(e);
			return RES_OK;
		}
		if (res)
			return res;
		pp = &p;
	}
	bool sms = strcmp(t->channel, "sms") == 0;
	struct tpl_var vars[8];
	size_t nv = 0;
	vars[nv++] = (struct tpl_var){"event", t->event};
	if (ctx->policy_number)
		vars[nv++] = (struct tpl_var){"policy_number", ctx->policy_number};
	if (ctx->end_date)
		vars[nv++] = (struct tpl_var){"end_date", ctx->end_date};
	if (pp) {
		const char *name = arena_printf(a, "%s %s", pp->first_name, pp->last_name);
		if (!name)
			return OOM(e);
		vars[nv++] = (struct tpl_var){"person_name", name};
	}
	if (strcmp(t->audience, "person") == 0) {
		if (!pp)
			return RES_OK;
		bool out;
		if ((res = store_opted_out(db, pp->id, t->channel, &out, e)))
			return res;
		if (out && !t->urgent)
			return RES_OK;
		char phone[PHONE_E164_MAX + 1];
		const char *to = NULL;
		if (sms && pp->phone && phone_normalize(pp->phone, strlen(pp->phone), phone))
			to = phone;
		else if (!sms && email_ok(pp->email))
			to = pp->email;
		if (!to)
			return RES_OK;
		const char *key = arena_printf(a, "trigger:%lld:%s", (long long)t->id, ctx->subject);
		if (!key)
			return OOM(e);
		return queue_one(db, a, t, ctx, greet_day, pp, to, pp->language, key, vars, nv,
				 queued, e);
	}
	/* staff: the case manager, or a department's users */
	struct staff_contact *staff;
	size_t n;
	if (strcmp(t->audience, "manager") == 0) {
		if (!ctx->manager_id)
			return RES_OK;
		res = store_staff_contacts(db, NULL, ctx->manager_id, a, &staff, &n, e);
	} else if (strncmp(t->audience, "department:", 11) == 0) {
		res = store_staff_contacts(db, t->audience + 11, 0, a, &staff, &n, e);
	} else {
		return RES_OK;
	}
	if (res)
		return res;
	for (size_t i = 0; i < n; i++) {
		char phone[PHONE_E164_MAX + 1];
		const char *to = NULL;
		if (sms && staff[i].phone &&
		    phone_normalize(staff[i].phone, strlen(staff[i].phone), phone))
			to = phone;
		else if (!sms && email_ok(staff[i].email))
			to = staff[i].email;
		if (!to)
			continue;
		const char *key = arena_printf(a, "trigger:%lld:%s:user:%lld", (long long)t->id,
					       ctx->subject, (long long)staff[i].id);
		if (!key)
			return OOM(e);
		struct tpl_var sv[9];
		memcpy(sv, vars, nv * sizeof *vars);
		sv[nv] = (struct tpl_var){"manager_name", staff[i].full_name};
		/* the message is the staff member's: no person, their language */
		if ((res = queue_one(db, a, t, ctx, greet_day, NULL, to, staff[i].language, key, sv,
				     nv + 1, queued, e)))
			return res;
	}
	return RES_OK;
}

enum res triggers_fire(struct db *db, struct arena *a, const char *event,
		       const struct trigger_ctx *ctx, int64_t *queued, struct err *e)
{
	struct trigger_row *t;
	size_t n;
	struct trigger_ctx c = *ctx;
	if (!c.now)
		c.now = clock_now_us();
	enum res res = store_triggers_list(db, event, a, &t, &n, e);
	for (size_t i = 0; !res && i < n; i++)
		res = fire_trigger(db, a, &t[i], &c, NULL, queued, e);
	return res;
}

/* ---- the daily run ---- */

static enum res run_event(struct db *db, struct arena *a, const char *event, const char *day,
			  cdate today, int64_t now, int64_t *queued, struct err *e)
{
	struct trigger_row *t;
	size_t n;
	enum res res = store_triggers_list(db, event, a, &t, &n, e);
	for (size_t i = 0; !res && i < n; i++) {
		struct trigger_target *tg = NULL;
		size_t ntg = 0;
		char on[11];
		date_format(today + (cdate)t[i].offset_days, on);
		bool policy = strcmp(event, "birthday") && strcmp(event, "holiday");
		if (policy) {
			res = store_policies_ending(db, on, strcmp(event, "maturity") != 0, a, &tg, &ntg,
						    e);
		} else if (strcmp(event, "birthday") == 0) {
			res = store_persons_insured(db, day, day + 5, a, &tg, &ntg, e);
		} else {
			bool holiday;
			res = store_holiday(db, day + 5, &holiday, e);
			if (!res && holiday)
				res = store_persons_insured(db, day, NULL, a, &tg, &ntg, e);
		}
		for (size_t j = 0; !res && j < ntg; j++) {
			struct trigger_ctx c = {.person_id = tg[j].person_id,
						.policy_number = tg[j].policy_number,
						.end_date = tg[j].end_date, .now = now};
			c.subject = policy ? arena_printf(a, "policy:%lld:%s",
							  (long long)tg[j].policy_id, tg[j].end_date)
				    : strcmp(event, "birthday") == 0
					    ? arena_printf(a, "person:%lld:%.4s",
							   (long long)tg[j].person_id, day)
					    : arena_printf(a, "person:%lld:%s",
							   (long long)tg[j].person_id, day);
			if (!c.subject)
				return OOM(e);
			res = fire_trigger(db, a, &t[i], &c, policy ? NULL : &today, queued, e);
		}
	}
	return res;
}

void triggers_daily(struct db *db)
{
	static char done_day[11]; /* housekeeping is one thread */
	int64_t now = clock_now_us();
	char ts[32], day[11];
	clock_format_rfc3339(now, false, ts);
	memcpy(day, ts, 10);
	day[10] = '\0';
	if (strcmp(day, done_day) == 0)
		return;
	cdate today;
	if (!date_parse(day, 10, &today))
		return;
	bool all = true;
	for (size_t i = 0; i < NEVENTS; i++) {
		if (!events[i].scheduled)
			continue;
		struct arena a;
		arena_init(&a, 16384, 0);
		struct err e;
		err_clear(&e);
		bool first = false;
		int64_t queued = 0;
		enum res res = db_begin(db, true, &e);
		if (!res)
			res = store_trigger_run_claim(db, events[i].code, day, now, &first, &e);
		if (!res && first)
			res = run_event(db, &a, events[i].code, day, today, now, &queued, &e);
		if (!res && first)
			res = store_trigger_run_done(db, events[i].code, day, queued, &e);
		if (!res)
			res = db_commit(db, &e);
		if (res) {
			all = false;
			if (db_in_tx(db))
				db_rollback(db);
			LOG_MSG(LOG_WARN, "trigger_run_failed", e.message);
		} else if (first) {
			struct logb lb;
			logb_begin(&lb, LOG_INFO, "trigger_run");
			logb_str(&lb, "event", events[i].code);
			logb_str(&lb, "day", day);
			logb_int(&lb, "queued", queued);
			logb_end(&lb);
		}
		arena_free(&a);
	}
	if (all)
		memcpy(done_day, day, sizeof done_day);
}
