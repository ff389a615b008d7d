/* The outbox dispatchers (see outbox.h). One thread for SMS, fed by the
 * SMPP engine's callbacks through a queue, and one for email, which sends
 * one message at a time over a kept-alive SMTP connection. Each thread has
 * its own database connection. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "core/phone.h"
#include "core/receipt.h"
#include "core/sms.h"
#include "core/window.h"
#include "http/events.h"
#include "http/http.h"
#include "jobs/outbox.h"
#include "jobs/smpp.h"
#include "jobs/smtp.h"
#include "text/tz.h"

#define IDLE_WAIT_MS 100
#define RETRY_LINK_US (5LL * 1000000)

/* ---- windows ---- */

enum res outbox_window_start(const char *rules, const char *zone, int64_t now, int64_t *out,
			     struct err *e)
{
	struct window_rules w;
	if (window_parse(rules, strlen(rules), &w, e))
		return err_set(e, RES_INTERNAL, NULL, NULL, "stored sending window rules are bad");
	if (window_next_instant(&w, zone, now, out, e))
		return err_set(e, RES_INVALID, "invalid_time_zone", "to",
			       "the recipient's time zone %s is unknown", zone);
	return RES_OK;
}

/* ---- what the SMPP engine tells, queued for the dispatcher ---- */

enum ev_kind { EV_SUBMITTED, EV_RECEIPT, EV_INBOUND };
struct sms_ev {
	struct sms_ev *next;
	enum ev_kind kind;
	uint64_t seq;      /* order of arrival: a waiter knows when it is committed */
	uint64_t token;    /* EV_SUBMITTED: message id << 8 | part */
	uint32_t status;   /* EV_SUBMITTED: 0 = taken */
	int state;         /* EV_RECEIPT */
	unsigned err_code; /* EV_RECEIPT */
	char *id;          /* gateway message id (EV_SUBMITTED, EV_RECEIPT) */
	char *from, *to, *text; /* EV_INBOUND */
	struct sms_concat concat; /* EV_INBOUND: one part of a long message */
	int *result;       /* a waiting callback's: 0 once committed, else a failure */
};

struct outbox {
	struct outbox_config cfg;
	atomic_bool stop;
	pthread_t sms_th, mail_th;
	bool sms_on, mail_on;
	int64_t lease_us;
	/* the SMS side */
	struct smpp_client *smpp;
	char connection[300]; /* host:port, the name receipts are keyed by */
	struct smpp_url url;  /* outlives the engine's configuration */
	struct concat_slot *concat; /* parts of long inbound messages (dispatcher thread only) */
	pthread_mutex_t mu;
	pthread_cond_t cv;      /* the dispatcher waits for events */
	pthread_cond_t flushed; /* engine callbacks wait for their event to be committed */
	struct sms_ev *head, **tail;
	uint64_t next_seq, done_seq;
	int64_t in_flight;      /* parts handed and not yet answered */
	bool bound;
};

static void ev_free(struct sms_ev *ev);

/* Queue what the engine said. With wait, return once the dispatcher has
 * committed it: 0, or SMPP_ESME_RX_T_APPN when it could not (the SMSC then
 * delivers it again later). */
static uint32_t push(struct outbox *o, struct sms_ev *ev, bool wait)
{
	int result = -1;
	pthread_mutex_lock(&o->mu);
	if (wait && atomic_load(&o->stop)) {
		pthread_mutex_unlock(&o->mu);
		ev_free(ev);
		return SMPP_ESME_RX_T_APPN;
	}
	ev->seq = ++o->next_seq;
	ev->next = NULL;
	ev->result = wait ? &result : NULL;
	uint64_t seq = ev->seq;
	*o->tail = ev;
	o->tail = &ev->next;
	pthread_cond_signal(&o->cv);
	/* a receipt or an inbound message is answered to the SMSC only once it
	 * is in the database: wait until the dispatcher committed it */
	while (wait && o->done_seq < seq && !atomic_load(&o->stop))
		pthread_cond_wait(&o->flushed, &o->mu);
	pthread_mutex_unlock(&o->mu);
	return wait && result == 0 ? 0 : SMPP_ESME_RX_T_APPN;
}

static void cb_submitted(void *ctx, uint64_t token, const char *message_id, uint32_t status)
{
	struct outbox *o = ctx;
	struct sms_ev *ev = calloc(1, sizeof *ev);
	if (!ev)
		return; /* the lease lapses and the message is resolved as in doubt */
	ev->kind = EV_SUBMITTED;
	ev->token = token;
	ev->status = status;
	ev->id = message_id ? strdup(message_id) : NULL;
	(void)push(o, ev, false);
}

static uint32_t cb_receipt(void *ctx, const struct smpp_receipt *r)
{
	struct outbox *o = ctx;
	struct sms_ev *ev = calloc(1, sizeof *ev);
	if (!ev || !(ev->id = strdup(r->message_id ? r->message_id : ""))) {
		free(ev);
		return SMPP_ESME_RX_T_APPN;
	}
	ev->kind = EV_RECEIPT;
	ev->state = (int)r->state;
	ev->err_code = (unsigned)r->reason;
	return push(o, ev, true);
}

static uint32_t cb_inbound(void *ctx, const char *from, const char *to, const char *text,
			   const struct sms_concat *c)
{
	struct outbox *o = ctx;
	struct sms_ev *ev = calloc(1, sizeof *ev);
	if (!ev)
		return SMPP_ESME_RX_T_APPN;
	ev->kind = EV_INBOUND;
	ev->from = strdup(from ? from : "");
	ev->to = strdup(to ? to : "");
	ev->text = strdup(text ? text : "");
	if (c)
		ev->concat = *c;
	if (!ev->from || !ev->to || !ev->text) {
		ev_free(ev);
		return SMPP_ESME_RX_T_APPN;
	}
	return push(o, ev, true);
}

static void cb_link(void *ctx, bool bound, const char *why)
{
	struct outbox *o = ctx;
	pthread_mutex_lock(&o->mu);
	o->bound = bound;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
	struct logb lb;
	logb_begin(&lb, bound ? LOG_INFO : LOG_WARN, bound ? "smpp_bound" : "smpp_unbound");
	logb_str(&lb, "connection", o->connection);
	if (why)
		logb_str(&lb, "why", why);
	logb_end(&lb);
}

static void ev_free(struct sms_ev *ev)
{
	free(ev->id);
	free(ev->from);
	free(ev->to);
	free(ev->text);
	free(ev);
}

/* The reason a refusal of submit_sm gives. */
static const char *refusal_reason(uint32_t status)
{
	return status == 0x0B /* ESME_RINVDSTADR */ ? "invalid_number" : "rejected";
}

/* One submit answer: the part is at the gateway (with the forms of its id
 * a receipt may use), or refused. */
static enum res apply_submitted(struct outbox *o, struct db *db, const struct sms_ev *ev,
				int64_t now, struct arena *a, struct err *e)
{
	int64_t id = (int64_t)(ev->token >> 8);
	int seq = (int)(ev->token & 0xFF);
	struct message m;
	enum res r = store_message_get(db, id, a, &m, e);
	if (r == RES_NOT_FOUND)
		return RES_OK;
	if (r)
		return r;
	if (strcmp(m.status, "sending") != 0)
		return RES_OK; /* already decided (a refused part, an expiry) */
	if (ev->status == 0 && ev->id) {
		char keys[RECEIPT_MAX_KEYS][RECEIPT_KEY_MAX];
		size_t nk = receipt_id_keys(ev->id, keys, RECEIPT_MAX_KEYS);
		const char *kp[RECEIPT_MAX_KEYS];
		for (size_t i = 0; i < nk; i++)
			kp[i] = keys[i];
		struct part_tally t;
		if ((r = store_message_part(db, id, seq, o->connection, ev->id, kp, nk, "sent", NULL,
					    now, e)) ||
		    (r = store_part_final(db, id, seq, "sent", NULL, now, &t, e)))
			return r;
		if (t.parts >= m.parts)
			r = store_message_set_status(db, id, "sent", NULL, NULL, 0, now, e);
		return r;
	}
	if (ev->status == SMPP_STATUS_NOT_SENT) {
		/* the SMSC never had it: offered again while it is fresh */
		if (now >= m.expires_at)
			return store_message_set_status(db, id, "expired", "expired",
							"the link to the SMSC was lost before it went",
							0, now, e);
		return store_message_set_status(db, id, "queued", "link_lost",
						"the link to the SMSC was lost before it went; "
						"sent again",
						now + RETRY_LINK_US, now, e);
	}
	if (ev->status == SMPP_STATUS_LINK_LOST)
		/* written to the SMSC, and the link dropped before it answered: it
		 * may have it. Not sent again so as not to send it twice. */
		return store_message_set_status(db, id, "failed", "in_doubt",
						"the link to the SMSC dropped before it answered; "
						"not sent again so as not to send it twice",
						0, now, e);
	char detail[64];
	snprintf(detail, sizeof detail, "submit_sm refused with status 0x%08X", ev->status);
	return store_message_set_status(db, id, "failed", refusal_reason(ev->status), detail, 0,
					now, e);
}

/* A receipt's state as the message's: delivered, failed (with a reason),
 * or NULL while it is not final. */
static const char *receipt_status(int state, unsigned reason_code, const char **reason)
{
	enum receipt_reason rr = (enum receipt_reason)reason_code;
	*reason = rr != RECEIPT_REASON_NONE ? receipt_reason_name(rr) : NULL;
	switch (state) {
	case RECEIPT_DELIVERED:
	case RECEIPT_ACCEPTED:
		*reason = NULL;
		return "delivered";
	case RECEIPT_EXPIRED:
		*reason = *reason ? *reason : "expired";
		return "failed";
	case RECEIPT_UNDELIVERABLE:
		*reason = *reason ? *reason : "undeliverable";
		return "failed";
	case RECEIPT_REJECTED:
		*reason = *reason ? *reason : "rejected";
		return "failed";
	case RECEIPT_DELETED:
		*reason = *reason ? *reason : "deleted";
		return "failed";
	case RECEIPT_UNKNOWN:
		*reason = *reason ? *reason : "unknown";
		return "failed";
	default:
		*reason = NULL;
		return NULL; /* not final (enroute, none) */
	}
}

static enum res apply_receipt(struct outbox *o, struct db *db, const struct sms_ev *ev,
			      int64_t now, struct arena *a, int64_t *touched, struct err *e)
{
	char keys[RECEIPT_MAX_KEYS][RECEIPT_KEY_MAX];
	size_t nk = receipt_id_keys(ev->id, keys, RECEIPT_MAX_KEYS);
	const char *kp[RECEIPT_MAX_KEYS];
	for (size_t i = 0; i < nk; i++)
		kp[i] = keys[i];
	int64_t id;
	int seq;
	enum res r = store_receipt_find(db, o->connection, kp, nk, &id, &seq, e);
	if (r)
		return r;
	if (!id) {
		LOG_MSG(LOG_WARN, "receipt_unmatched", "a delivery receipt names no message sent here");
		return RES_OK;
	}
	*touched = id;
	const char *reason, *status = receipt_status(ev->state, ev->err_code, &reason);
	if (!status)
		return RES_OK;
	struct part_tally t;
	struct message m;
	if ((r = store_part_final(db, id, seq, status, reason, now, &t, e)) ||
	    (r = store_message_get(db, id, a, &m, e)))
		return r;
	if (t.failed > 0 && strcmp(m.status, "failed") != 0)
		return store_message_set_status(db, id, "failed", t.reason[0] ? t.reason : reason,
						"delivery receipt", 0, now, e);
	if (t.delivered >= m.parts && strcmp(m.status, "delivered") != 0)
		return store_message_set_status(db, id, "delivered", NULL, NULL, 0, now, e);
	return RES_OK;
}

/* Events made while recording what the engine said: announced once the
 * transaction commits (SQLite), or sent with it by NOTIFY (PostgreSQL). */
struct pending_ev {
	const char *type, *topics, *data; /* topics NUL-separated, double-NUL ended */
};
#define MAX_PENDING 64

static enum res announce(struct db *db, struct pending_ev *pe, size_t *npe, struct arena *a,
			 const char *type, const char *data, const char *t1, const char *t2,
			 const char *t3, struct err *e)
{
	size_t l1 = strlen(t1), l2 = t2 ? strlen(t2) : 0, l3 = t3 ? strlen(t3) : 0;
	char *topics = arena_alloc(a, l1 + l2 + l3 + 4);
	if (!topics || !data)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	size_t k = 0;
	memcpy(topics, t1, l1 + 1);
	k = l1 + 1;
	if (t2) {
		memcpy(topics + k, t2, l2 + 1);
		k += l2 + 1;
	}
	if (t3) {
		memcpy(topics + k, t3, l3 + 1);
		k += l3 + 1;
	}
	topics[k] = '\0';
	if (db_kind(db) == DB_PG) {
		char *payload = events_payload(type, topics, data);
		enum res r = payload ? store_notify(db, payload, e)
				     : err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
		free(payload);
		return r;
	}
	if (*npe < MAX_PENDING)
		pe[(*npe)++] = (struct pending_ev){type, topics, data};
	return RES_OK;
}

/* message.status on the case's topic when the message of a case changed
 * state in this flush (its updated_at is the flush's now). */
static enum res announce_status(struct db *db, int64_t id, int64_t now, struct arena *a,
				struct pending_ev *pe, size_t *npe, struct err *e)
{
	struct message m;
	enum res r = store_message_get(db, id, a, &m, e);
	if (r == RES_NOT_FOUND)
		return RES_OK;
	if (r || !m.case_id || m.updated_at != now)
		return r;
	char data[160], tc[32];
	snprintf(data, sizeof data, "{\"id\":%lld,\"case_id\":%lld,\"status\":\"%s\"}",
		 (long long)m.id, (long long)m.case_id, m.status);
	snprintf(tc, sizeof tc, "case:%lld", (long long)m.case_id);
	return announce(db, pe, npe, a, "message.status", arena_strdup(a, data),
			arena_strdup(a, tc), NULL, NULL, e);
}

/* "9", " 10 ", "0": an NPS answer. */
static bool parse_score(const char *s, int *score)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	int v = 0, digits = 0;
	while (*s >= '0' && *s <= '9' && digits < 3) {
		v = v * 10 + (*s++ - '0');
		digits++;
	}
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '.' || *s == '!')
		s++;
	if (*s || digits == 0 || digits > 2 || v > 10)
		return false;
	*score = v;
	return true;
}

/* Inbound SMS: an answer to an NPS survey is recorded on its case; anything
 * else becomes a contact on the sender's open case, or a new case with a
 * task for the assistance department, for an operator to handle. A sender
 * nobody knows is kept in inbound_messages only. */
static enum res apply_inbound(struct outbox *o, struct db *db, const struct sms_ev *ev,
			      int64_t now, struct arena *a, struct pending_ev *pe, size_t *npe,
			      struct err *e)
{
	char phone[PHONE_E164_MAX + 1];
	int64_t person = 0, case_id = 0;
	enum res r;
	if (phone_normalize(ev->from, strlen(ev->from), phone) &&
	    (r = store_person_by_phone(db, phone, &person, e)))
		return r;
	if (!person) {
		LOG_MSG(LOG_INFO, "sms_inbound_unknown", "an inbound SMS from a number nobody has");
		return store_inbound_insert(db, o->connection, ev->from, ev->to, ev->text, now, 0, 0,
					    "unknown_sender", e);
	}
	char tc[32], tp[32], data[96];
	snprintf(tp, sizeof tp, "person:%lld", (long long)person);
	int score;
	if (parse_score(ev->text, &score)) {
		if ((r = store_survey_open(db, person, now - 7LL * 86400 * 1000000, &case_id, e)))
			return r;
		if (case_id) {
			struct quality_row q = {.case_id = case_id, .score = score,
						.question = "NPS survey by SMS", .source = "sms",
						.at = now};
			struct contact_row k = {.case_id = case_id, .direction = "in", .channel = "sms",
						.summary = ev->text, .at = now, .created_at = now};
			if ((r = store_quality_insert(db, &q, e)) ||
			    (r = store_contact_insert(db, &k, e)) ||
			    (r = store_case_touch(db, case_id, now, e)) ||
			    (r = store_inbound_insert(db, o->connection, ev->from, ev->to, ev->text,
						      now, person, case_id, "survey_answer", e)))
				return r;
			snprintf(tc, sizeof tc, "case:%lld", (long long)case_id);
			snprintf(data, sizeof data, "{\"case_id\":%lld,\"id\":%lld}", (long long)case_id,
				 (long long)q.id);
			return announce(db, pe, npe, a, "case.quality_added", arena_strdup(a, data), tc,
					tp, NULL, e);
		}
	}
	/* the sender's open case, the one touched last */
	struct case_filter f = {.active = true, .person_id = person};
	struct case_row *cases;
	size_t nc;
	int64_t total;
	if ((r = store_case_list(db, &f, now, 20, 0, a, &cases, &nc, &total, e)))
		return r;
	const char *outcome = "contact";
	if (nc) {
		size_t best = 0;
		for (size_t i = 1; i < nc; i++)
			if (cases[i].updated_at > cases[best].updated_at)
				best = i;
		case_id = cases[best].id;
	} else {
		char today[32];
		clock_format_rfc3339(now, false, today);
		today[10] = '\0';
		struct case_row c = {.person_id = person, .type = "other", .status = "open",
				     .event_date = today, .created_at = now, .updated_at = now};
		c.description = arena_printf(a, "SMS: %s", ev->text);
		struct policy pol;
		bool found = false;
		if (!c.description ||
		    (r = store_policy_active(db, person, today, a, &pol, &found, e)))
			return r ? r : err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
		if (found) {
			c.policy_id = pol.id;
			if ((r = store_policy_insurer(db, pol.id, &c.insurer_id, e)))
				return r;
		}
		struct task_row t = {.department = "assistance", .due_at = now, .urgency = "normal",
				     .text = "Inbound SMS: read it and call the person back",
				     .status = "open", .created_at = now, .updated_at = now};
		if ((r = store_case_insert(db, &c, e)))
			return r;
		t.case_id = c.id;
		if ((r = store_task_insert(db, &t, e)) ||
		    (r = audit_json(db, 0, "system", "", "create", "case", c.id, NULL, NULL, e)))
			return r;
		case_id = c.id;
		outcome = "new_case";
		snprintf(tc, sizeof tc, "case:%lld", (long long)case_id);
		snprintf(data, sizeof data, "{\"id\":%lld,\"person_id\":%lld,\"status\":\"open\"}",
			 (long long)case_id, (long long)person);
		if ((r = announce(db, pe, npe, a, "case.created", arena_strdup(a, data), tc, tp,
				  NULL, e)))
			return r;
		char tt[32];
		snprintf(tt, sizeof tt, "task:%lld", (long long)t.id);
		snprintf(data, sizeof data,
			 "{\"id\":%lld,\"case_id\":%lld,\"department\":\"assistance\"}",
			 (long long)t.id, (long long)case_id);
		if ((r = announce(db, pe, npe, a, "task.created", arena_strdup(a, data), tt, tc,
				  "department:assistance", e)))
			return r;
	}
	struct contact_row k = {.case_id = case_id, .direction = "in", .channel = "sms",
				.summary = ev->text, .at = now, .created_at = now};
	if ((r = store_contact_insert(db, &k, e)) || (r = store_case_touch(db, case_id, now, e)) ||
	    (r = store_inbound_insert(db, o->connection, ev->from, ev->to, ev->text, now, person,
				      case_id, outcome, e)))
		return r;
	snprintf(tc, sizeof tc, "case:%lld", (long long)case_id);
	snprintf(data, sizeof data, "{\"case_id\":%lld,\"id\":%lld}", (long long)case_id,
		 (long long)k.id);
	return announce(db, pe, npe, a, "case.contact_added", arena_strdup(a, data), tc, tp, NULL,
			e);
}

/* Long inbound messages come in parts; a part waits here (by sender,
 * reference and count) until the others come, for at most 10 minutes. Parts
 * are acknowledged as they come, so the parts of an unfinished message are
 * lost if the server stops meanwhile. */
#define CONCAT_MAX_PARTS 16
#define CONCAT_TTL_US (600LL * 1000000)
struct concat_slot {
	struct concat_slot *next;
	char from[32];
	unsigned ref, total, have;
	int64_t first_at;
	char *text[CONCAT_MAX_PARTS];
};

static void concat_free(struct concat_slot *s)
{
	for (unsigned i = 0; i < CONCAT_MAX_PARTS; i++)
		free(s->text[i]);
	free(s);
}

/* Add a part; when the message is whole, *whole is its text (malloc'd). */
static void concat_add(struct outbox *o, const struct sms_ev *ev, int64_t now, char **whole)
{
	*whole = NULL;
	/* drop what waited too long */
	for (struct concat_slot **p = &o->concat; *p;) {
		if (now - (*p)->first_at > CONCAT_TTL_US) {
			struct concat_slot *dead = *p;
			*p = dead->next;
			concat_free(dead);
		} else {
			p = &(*p)->next;
		}
	}
	const struct sms_concat *c = &ev->concat;
	if (c->total == 0 || c->total > CONCAT_MAX_PARTS || c->seq == 0 || c->seq > c->total)
		return;
	struct concat_slot *s = o->concat;
	while (s && !(s->ref == c->ref && s->total == c->total && strcmp(s->from, ev->from) == 0))
		s = s->next;
	if (!s) {
		if (!(s = calloc(1, sizeof *s)))
			return;
		snprintf(s->from, sizeof s->from, "%s", ev->from);
		s->ref = c->ref;
		s->total = c->total;
		s->first_at = now;
		s->next = o->concat;
		o->concat = s;
	}
	if (!s->text[c->seq - 1] && (s->text[c->seq - 1] = strdup(ev->text)))
		s->have++;
	if (s->have < s->total)
		return;
	size_t len = 0;
	for (unsigned i = 0; i < s->total; i++)
		len += strlen(s->text[i]);
	char *t = malloc(len + 1);
	if (t) {
		size_t at = 0;
		for (unsigned i = 0; i < s->total; i++) {
			size_t k = strlen(s->text[i]);
			memcpy(t + at, s->text[i], k);
			at += k;
		}
		t[at] = '\0';
	}
	for (struct concat_slot **p = &o->concat; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	concat_free(s);
	*whole = t;
}

/* Take what the engine said, in one transaction; then let the waiting
 * callbacks go. */
static void flush_events(struct outbox *o, struct db *db)
{
	pthread_mutex_lock(&o->mu);
	struct sms_ev *list = o->head;
	uint64_t last = o->next_seq;
	o->head = NULL;
	o->tail = &o->head;
	pthread_mutex_unlock(&o->mu);
	if (!list)
		return;
	struct arena a;
	arena_init(&a, 16384, 0);
	struct err e;
	err_clear(&e);
	int64_t now = clock_now_us();
	enum res r = db_begin(db, true, &e);
	int64_t answered = 0;
	struct pending_ev pe[MAX_PENDING];
	size_t npe = 0;
	for (struct sms_ev *ev = list; ev; ev = ev->next)
		answered += ev->kind == EV_SUBMITTED;
	for (struct sms_ev *ev = list; !r && ev; ev = ev->next) {
		int64_t touched = 0;
		if (ev->kind == EV_SUBMITTED) {
			r = apply_submitted(o, db, ev, now, &a, &e);
			touched = (int64_t)(ev->token >> 8);
		} else if (ev->kind == EV_RECEIPT) {
			r = apply_receipt(o, db, ev, now, &a, &touched, &e);
		}
		if (ev->kind != EV_INBOUND) {
			if (!r && touched)
				r = announce_status(db, touched, now, &a, pe, &npe, &e);
		} else if (ev->concat.present && ev->concat.total > 1) {
			char *whole;
			concat_add(o, ev, now, &whole);
			if (whole) {
				char *part = ev->text;
				ev->text = whole;
				r = apply_inbound(o, db, ev, now, &a, pe, &npe, &e);
				ev->text = part;
				free(whole);
			}
		} else {
			r = apply_inbound(o, db, ev, now, &a, pe, &npe, &e);
		}
	}
	if (!r)
		r = db_commit(db, &e);
	if (r) {
		db_rollback(db);
		LOG_MSG(LOG_WARN, "outbox_record_failed", e.message);
	} else if (o->cfg.events) {
		for (size_t i = 0; i < npe; i++)
			events_publish(o->cfg.events, pe[i].type, pe[i].topics, pe[i].data);
	}
	arena_free(&a);
	pthread_mutex_lock(&o->mu);
	o->in_flight -= answered;
	/* a receipt or inbound message whose commit failed is answered with a
	 * temporary error, and the SMSC delivers it again */
	for (struct sms_ev *ev = list; ev; ev = ev->next)
		if (ev->result)
			*ev->result = r ? 1 : 0;
	o->done_seq = last;
	pthread_cond_broadcast(&o->flushed);
	pthread_mutex_unlock(&o->mu);
	while (list) {
		struct sms_ev *n = list->next;
		ev_free(list);
		list = n;
	}
}

/* Claim due SMS and hand them to the engine. */
static void dispatch_sms(struct outbox *o, struct db *db)
{
	pthread_mutex_lock(&o->mu);
	int64_t room = (int64_t)o->cfg.smpp_window * 4 - o->in_flight;
	bool bound = o->bound;
	pthread_mutex_unlock(&o->mu);
	if (!bound || room <= 0)
		return;
	struct arena a;
	arena_init(&a, 65536, 0);
	struct err e;
	err_clear(&e);
	int64_t now = clock_now_us();
	struct message *m = NULL;
	size_t n = 0;
	enum res r = db_begin(db, true, &e);
	if (!r)
		r = store_messages_claim(db, "sms", o->connection, now, o->lease_us, room, &a, &m, &n,
					 &e);
	bool *go = n ? arena_alloc(&a, n * sizeof *go) : NULL;
	for (size_t i = 0; !r && i < n; i++) {
		go[i] = false;
		if (now >= m[i].expires_at) {
			r = store_message_set_status(db, m[i].id, "expired", "expired",
						     "not sent before its expiry", 0, now, &e);
		} else if (m[i].handed_at) {
			/* claimed before a crash and perhaps at the gateway: not sent twice */
			r = store_message_set_status(db, m[i].id, "failed", "in_doubt",
						     "the server stopped while handing it to the SMSC; "
						     "not sent again so as not to send it twice",
						     0, now, &e);
		} else {
			r = store_message_handed(db, m[i].id, m[i].parts, 0, NULL, now, &e);
			go[i] = true;
		}
	}
	if (!r)
		r = db_commit(db, &e);
	if (r) {
		db_rollback(db);
		LOG_MSG(LOG_WARN, "outbox_claim_failed", e.message);
		arena_free(&a);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!go[i])
			continue;
		struct sms_part parts[OUTBOX_SMS_MAX_PARTS];
		size_t np = 0;
		enum sms_coding coding;
		if (!sms_split(m[i].body, strlen(m[i].body), (uint8_t)(m[i].id & 0xFF), parts,
			       OUTBOX_SMS_MAX_PARTS, &np, &coding))
			np = 0;
		for (size_t k = 0; k < np; k++) {
			uint64_t token = ((uint64_t)m[i].id << 8) | (uint64_t)(k + 1);
			while (!atomic_load(&o->stop) &&
			       !smpp_submit(o->smpp, token, NULL, m[i].recipient, coding,
					    parts[k].data, parts[k].len, np > 1, true)) {
				/* the engine's queue is full: take in what it said meanwhile
				 * (its thread may be waiting for that) and try again */
				flush_events(o, db);
				struct timespec ts = {0, 2 * 1000000};
				nanosleep(&ts, NULL);
			}
			pthread_mutex_lock(&o->mu);
			o->in_flight++;
			pthread_mutex_unlock(&o->mu);
		}
	}
	arena_free(&a);
}

/* A dispatcher's own connection, tried again each second until it opens
 * or the outbox stops (NULL then). */
static struct db *open_db(struct outbox *o)
{
	struct db *db = NULL;
	struct err e;
	while (!atomic_load(&o->stop) && db_open(o->cfg.db_url, &db, &e)) {
		db = NULL;
		LOG_MSG(LOG_WARN, "outbox_db_failed", e.message);
		sleep(1);
	}
	return db;
}

static void *sms_loop(void *arg)
{
	struct outbox *o = arg;
	struct db *db = open_db(o);
	while (!atomic_load(&o->stop)) {
		flush_events(o, db);
		dispatch_sms(o, db);
		pthread_mutex_lock(&o->mu);
		if (!o->head && !atomic_load(&o->stop)) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += IDLE_WAIT_MS * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&o->cv, &o->mu, &ts);
		}
		pthread_mutex_unlock(&o->mu);
	}
	if (db) {
		flush_events(o, db);
		db_close(db);
	}
	return NULL;
}

/* ---- email ---- */

/* Back off a temporary failure: 1, 5, 15, 30, 60 minutes. */
static int64_t mail_backoff(int64_t attempts)
{
	static const int64_t minutes[] = {1, 5, 15, 30, 60};
	size_t i = attempts <= 1 ? 0 : (size_t)(attempts - 1);
	if (i >= sizeof minutes / sizeof minutes[0])
		i = sizeof minutes / sizeof minutes[0] - 1;
	return minutes[i] * 60LL * 1000000;
}

static void dispatch_mail(struct outbox *o, struct db *db, struct smtp_conn *conn, bool *idle)
{
	struct arena a;
	arena_init(&a, 65536, 0);
	struct err e;
	err_clear(&e);
	int64_t now = clock_now_us();
	struct message *m = NULL;
	size_t n = 0;
	*idle = true;
	enum res r = db_begin(db, true, &e);
	if (!r)
		r = store_messages_claim(db, "email", "smtp", now, o->lease_us, 20, &a, &m, &n, &e);
	bool *go = n ? arena_alloc(&a, n * sizeof *go) : NULL;
	for (size_t i = 0; !r && i < n; i++) {
		go[i] = false;
		if (now >= m[i].expires_at) {
			r = store_message_set_status(db, m[i].id, "expired", "expired",
						     "not sent before its expiry", 0, now, &e);
		} else {
			/* an email the relay may have taken before a crash is sent
			 * again with the same Message-ID: a duplicate is recognisable,
			 * a loss is not */
			r = store_message_handed(db, m[i].id, 1, 0, NULL, now, &e);
			go[i] = true;
		}
	}
	if (!r)
		r = db_commit(db, &e);
	if (r) {
		db_rollback(db);
		LOG_MSG(LOG_WARN, "outbox_claim_failed", e.message);
		arena_free(&a);
		return;
	}
	*idle = n == 0;
	for (size_t i = 0; i < n && !atomic_load(&o->stop); i++) {
		if (!go[i])
			continue;
		char key[64];
		snprintf(key, sizeof key, "message-%lld", (long long)m[i].id);
		const char *to[1] = {m[i].recipient};
		struct mail mail = {.from = o->cfg.mail_from, .to = to, .nto = 1,
				    .subject = m[i].subject ? m[i].subject : "", .text = m[i].body,
				    .text_len = strlen(m[i].body), .message_key = key};
		struct smtp_result res;
		smtp_send(conn, &mail, &res);
		now = clock_now_us();
		r = db_begin(db, true, &e);
		if (!r) {
			char detail[300];
			snprintf(detail, sizeof detail, "%d %s", res.code, res.text);
			if (res.outcome == SMTP_OK)
				r = store_message_set_status(db, m[i].id, "sent", NULL, detail, 0, now,
							     &e);
			else if (res.outcome == SMTP_PERMANENT)
				r = store_message_set_status(db, m[i].id, "failed", "rejected", detail,
							     0, now, &e);
			else if (now + mail_backoff(m[i].attempts) >= m[i].expires_at)
				r = store_message_set_status(db, m[i].id, "expired", "expired", detail,
							     0, now, &e);
			else
				r = store_message_set_status(db, m[i].id, "queued", "temporary_failure",
							     detail, now + mail_backoff(m[i].attempts),
							     now, &e);
		}
		if (!r)
			r = db_commit(db, &e);
		if (r) {
			db_rollback(db);
			LOG_MSG(LOG_WARN, "outbox_record_failed", e.message);
		}
	}
	arena_free(&a);
}

static void *mail_loop(void *arg)
{
	struct outbox *o = arg;
	struct db *db = open_db(o);
	struct smtp_config sc = {.url = o->cfg.smtp_url};
	struct smtp_conn *conn = smtp_open(&sc);
	while (!atomic_load(&o->stop) && conn) {
		bool idle;
		dispatch_mail(o, db, conn, &idle);
		if (idle) {
			struct timespec ts = {0, IDLE_WAIT_MS * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
	smtp_close(conn);
	if (db)
		db_close(db);
	return NULL;
}

/* ---- start and stop ---- */

enum res outbox_start(const struct outbox_config *cfg, struct outbox **out, struct err *e)
{
	*out = NULL;
	if (!cfg->smpp_url && !cfg->smtp_url)
		return RES_OK;
	struct outbox *o = calloc(1, sizeof *o);
	if (!o)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	o->cfg = *cfg;
	if (o->cfg.smpp_window <= 0)
		o->cfg.smpp_window = 50;
	o->lease_us = (int64_t)(o->cfg.lease_s > 0 ? o->cfg.lease_s : 120) * 1000000;
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
	pthread_cond_init(&o->flushed, NULL);
	o->tail = &o->head;
	if (cfg->smpp_url) {
		struct smpp_config sc = {.name = "default", .window = o->cfg.smpp_window,
					 .max_per_second = o->cfg.smpp_rate};
		const char *why = NULL;
		if (!smpp_url_parse(cfg->smpp_url, &o->url, &why)) {
			outbox_stop(o);
			return err_set(e, RES_INVALID, "invalid_field", "smpp", "--smpp: %s",
				       why ? why : "must be smpp://SYSTEM_ID:PASSWORD@HOST:PORT");
		}
		smpp_url_apply(&o->url, &sc);
		snprintf(o->connection, sizeof o->connection, "%s:%d", o->url.host, o->url.port);
		struct smpp_callbacks cb = {.ctx = o, .submitted = cb_submitted, .receipt = cb_receipt,
					    .inbound = cb_inbound, .link = cb_link};
		if (!(o->smpp = smpp_start(&sc, &cb)) ||
		    pthread_create(&o->sms_th, NULL, sms_loop, o)) {
			outbox_stop(o);
			return err_set(e, RES_IO, NULL, NULL, "cannot start the SMS dispatcher");
		}
		o->sms_on = true;
	}
	if (cfg->smtp_url) {
		if (!cfg->mail_from) {
			outbox_stop(o);
			return err_set(e, RES_INVALID, "invalid_field", "mail-from",
				       "--smtp needs --mail-from");
		}
		struct smtp_config sc = {.url = cfg->smtp_url};
		if (smtp_config_check(&sc, e)) {
			outbox_stop(o);
			return e->res ? e->res : RES_INVALID;
		}
		if (pthread_create(&o->mail_th, NULL, mail_loop, o)) {
			outbox_stop(o);
			return err_set(e, RES_IO, NULL, NULL, "cannot start the email dispatcher");
		}
		o->mail_on = true;
	}
	*out = o;
	return RES_OK;
}

void outbox_stop(struct outbox *o)
{
	if (!o)
		return;
	atomic_store(&o->stop, true);
	pthread_mutex_lock(&o->mu);
	pthread_cond_broadcast(&o->cv);
	pthread_cond_broadcast(&o->flushed);
	pthread_mutex_unlock(&o->mu);
	/* the engine first: its callbacks may be waiting on the dispatcher */
	if (o->smpp)
		smpp_stop(o->smpp);
	if (o->sms_on)
		pthread_join(o->sms_th, NULL);
	if (o->mail_on)
		pthread_join(o->mail_th, NULL);
	for (struct sms_ev *ev = o->head; ev;) {
		struct sms_ev *n = ev->next;
		ev_free(ev);
		ev = n;
	}
	while (o->concat) {
		struct concat_slot *n = o->concat->next;
		concat_free(o->concat);
		o->concat = n;
	}
	pthread_cond_destroy(&o->flushed);
	pthread_cond_destroy(&o->cv);
	pthread_mutex_destroy(&o->mu);
	free(o);
}
