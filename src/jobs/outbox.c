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

#include "base/buf.h"
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

/* Wait on cv (mu held) for at most IDLE_WAIT_MS. */
static void idle_wait(pthread_cond_t *cv, pthread_mutex_t *mu)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += IDLE_WAIT_MS * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(cv, mu, &ts);
}

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

/* One SMSC connection: its engine, and the dispatcher thread that claims
 * the SMS routed to it and records what the engine says. */
struct link {
	struct link *next;
	struct outbox *ob;
	struct outbox_gateway g;
	atomic_bool stop;
	pthread_t th;
	bool th_on;
	struct smpp_client *smpp;
	struct concat_slot *concat; /* parts of long inbound messages (dispatcher thread only) */
	pthread_mutex_t mu;
	pthread_cond_t cv;      /* the dispatcher waits for events */
	pthread_cond_t flushed; /* engine callbacks wait for their event to be committed */
	struct sms_ev *head, **tail;
	uint64_t next_seq, done_seq;
	int64_t in_flight;      /* parts handed and not yet answered */
	bool bound;
};

struct outbox {
	struct outbox_config cfg;
	const char *default_from; /* --mail-from */
	atomic_bool stop;
	int64_t lease_us, reload_us;
	struct outbox_gateway *statics; /* command line, then config file */
	size_t nstatics;
	pthread_t sup_th;
	bool sup_on;
	pthread_mutex_t mu;       /* links and smtp, read by API threads */
	pthread_cond_t wake;      /* the supervisor sleeps on it */
	struct link *links;       /* in routing order */
	struct route_link *routes; /* the supervisor's */
	size_t nroutes;
	char *plan;               /* names and prefixes the routes were made for */
	/* email */
	struct outbox_gateway smtp; /* what the mail thread runs; kind "" = none */
	atomic_bool mail_stop;
	pthread_t mail_th;
	bool mail_on;
};

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

static void ev_free(struct sms_ev *ev);

/* Queue what the engine said. With wait, return once the dispatcher has
 * committed it: 0, or SMPP_ESME_RX_T_APPN when it could not (the SMSC then
 * delivers it again later). */
static uint32_t push(struct link *l, struct sms_ev *ev, bool wait)
{
	int result = -1;
	pthread_mutex_lock(&l->mu);
	if (wait && atomic_load(&l->stop)) {
		pthread_mutex_unlock(&l->mu);
		ev_free(ev);
		return SMPP_ESME_RX_T_APPN;
	}
	ev->seq = ++l->next_seq;
	ev->next = NULL;
	ev->result = wait ? &result : NULL;
	uint64_t seq = ev->seq;
	*l->tail = ev;
	l->tail = &ev->next;
	pthread_cond_signal(&l->cv);
	/* a receipt or an inbound message is answered to the SMSC only once it
	 * is in the database: wait until the dispatcher committed it */
	while (wait && l->done_seq < seq && !atomic_load(&l->stop))
		pthread_cond_wait(&l->flushed, &l->mu);
	pthread_mutex_unlock(&l->mu);
	return wait && result == 0 ? 0 : SMPP_ESME_RX_T_APPN;
}

static void cb_submitted(void *ctx, uint64_t token, const char *message_id, uint32_t status)
{
	struct link *l = ctx;
	struct sms_ev *ev = calloc(1, sizeof *ev);
	if (!ev)
		return; /* the lease lapses and the message is resolved as in doubt */
	ev->kind = EV_SUBMITTED;
	ev->token = token;
	ev->status = status;
	ev->id = message_id ? strdup(message_id) : NULL;
	(void)push(l, ev, false);
}

static uint32_t cb_receipt(void *ctx, const struct smpp_receipt *r)
{
	struct link *l = ctx;
	struct sms_ev *ev = calloc(1, sizeof *ev);
	if (!ev || !(ev->id = strdup(r->message_id ? r->message_id : ""))) {
		free(ev);
		return SMPP_ESME_RX_T_APPN;
	}
	ev->kind = EV_RECEIPT;
	ev->state = (int)r->state;
	ev->err_code = (unsigned)r->reason;
	/* the handset and the text's first characters: to match a receipt
	 * whose id was never recorded (match_orphan) */
	struct receipt_text rt;
	bool parsed = r->text && receipt_text_parse(r->text, strlen(r->text), &rt);
	ev->from = strdup(r->from ? r->from : "");
	ev->text = strdup(parsed ? rt.text : "");
	if (!ev->from || !ev->text) {
		ev_free(ev);
		return SMPP_ESME_RX_T_APPN;
	}
	return push(l, ev, true);
}

static uint32_t cb_inbound(void *ctx, const char *from, const char *to, const char *text,
			   const struct sms_concat *c)
{
	struct link *l = ctx;
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
	return push(l, ev, true);
}

static void cb_link(void *ctx, bool bound, const char *why)
{
	struct link *l = ctx;
	pthread_mutex_lock(&l->mu);
	l->bound = bound;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	struct logb lb;
	logb_begin(&lb, bound ? LOG_INFO : LOG_WARN, bound ? "smpp_bound" : "smpp_unbound");
	logb_str(&lb, "connection", l->g.name);
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
static enum res apply_submitted(struct link *l, struct db *db, const struct sms_ev *ev,
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
		if ((r = store_message_part(db, id, seq, l->g.name, ev->id, kp, nk, "sent", NULL,
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

/* How far back a receipt may confirm an SMS whose gateway id was never
 * recorded: SMSCs keep receipts for a bind a day or two. */
#define ORPHAN_WINDOW_US (48LL * 3600 * 1000000)

/* A receipt whose id names no message sent here may be for an SMS the SMSC
 * took while this server (or another) stopped before recording the answer:
 * such an SMS is failed as in doubt, or still sending until its lease
 * lapses. The one such SMS to the receipt's number whose text the
 * receipt's excerpt matches (or the only one, when the receipt has no
 * excerpt) takes the receipt; its gateway id is recorded, so that a later
 * receipt for it matches by id. *id is 0 when nothing matches for sure. */
static enum res match_orphan(struct link *l, struct db *db, const struct sms_ev *ev,
			     const char keys[][RECEIPT_KEY_MAX], size_t nk, int64_t now,
			     struct arena *a, int64_t *id, struct err *e)
{
	*id = 0;
	char phone[PHONE_E164_MAX + 1];
	if (!ev->from || !ev->from[0] || !phone_normalize(ev->from, strlen(ev->from), phone))
		return RES_OK;
	int64_t *ids;
	const char **bodies;
	size_t n;
	enum res r = store_receipt_orphans(db, phone, now - ORPHAN_WINDOW_US, a, &ids, &bodies, &n,
					   e);
	if (r)
		return r;
	int64_t pick = 0;
	size_t matches = 0;
	for (size_t i = 0; i < n; i++)
		if (ev->text[0] ? receipt_excerpt_matches(ev->text, bodies[i]) : n == 1) {
			pick = ids[i];
			matches++;
		}
	if (matches != 1)
		return RES_OK;
	const char *kp[RECEIPT_MAX_KEYS];
	for (size_t i = 0; i < nk; i++)
		kp[i] = keys[i];
	if ((r = store_message_part(db, pick, 1, l->g.name, ev->id, kp, nk, "sent", NULL, now, e)))
		return r;
	*id = pick;
	return RES_OK;
}

static enum res apply_receipt(struct link *l, struct db *db, const struct sms_ev *ev,
			      int64_t now, struct arena *a, int64_t *touched, struct err *e)
{
	char keys[RECEIPT_MAX_KEYS][RECEIPT_KEY_MAX];
	size_t nk = receipt_id_keys(ev->id, keys, RECEIPT_MAX_KEYS);
	const char *kp[RECEIPT_MAX_KEYS];
	for (size_t i = 0; i < nk; i++)
		kp[i] = keys[i];
	int64_t id;
	int seq;
	enum res r = store_receipt_find(db, l->g.name, kp, nk, &id, &seq, e);
	if (r)
		return r;
	const char *reason, *status = receipt_status(ev->state, ev->err_code, &reason);
	struct part_tally t;
	if (!id && status) {
		if ((r = match_orphan(l, db, ev, keys, nk, now, a, &id, e)))
			return r;
		if (id) {
			*touched = id;
			if ((r = store_part_final(db, id, 1, status, reason, now, &t, e)))
				return r;
			return store_message_set_status(db, id, status,
							strcmp(status, "failed") == 0 ? reason : NULL,
							"delivery receipt matched by number and text: the "
							"SMSC's answer to the submit was never recorded",
							0, now, e);
		}
	}
	if (!id) {
		LOG_MSG(LOG_WARN, "receipt_unmatched", "a delivery receipt names no message sent here");
		return RES_OK;
	}
	*touched = id;
	if (!status)
		return RES_OK;
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
#define MAX_PENDING 256 /* at least a claim's worth (4 x the window) */

/* After the commit (SQLite: PostgreSQL sent them with it). */
static void publish_pending(struct outbox *o, const struct pending_ev *pe, size_t npe)
{
	for (size_t i = 0; o->cfg.events && i < npe; i++)
		events_publish(o->cfg.events, pe[i].type, pe[i].topics, pe[i].data);
}

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
static enum res apply_inbound(struct link *l, struct db *db, const struct sms_ev *ev,
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
		return store_inbound_insert(db, l->g.name, ev->from, ev->to, ev->text, now, 0, 0,
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
			    (r = store_inbound_insert(db, l->g.name, ev->from, ev->to, ev->text,
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
				  "cases:all", e)))
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
	    (r = store_inbound_insert(db, l->g.name, ev->from, ev->to, ev->text, now, person,
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
static void concat_add(struct link *l, const struct sms_ev *ev, int64_t now, char **whole)
{
	*whole = NULL;
	/* drop what waited too long */
	for (struct concat_slot **p = &l->concat; *p;) {
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
	struct concat_slot *s = l->concat;
	while (s && !(s->ref == c->ref && s->total == c->total && strcmp(s->from, ev->from) == 0))
		s = s->next;
	if (!s) {
		if (!(s = calloc(1, sizeof *s)))
			return;
		snprintf(s->from, sizeof s->from, "%s", ev->from);
		s->ref = c->ref;
		s->total = c->total;
		s->first_at = now;
		s->next = l->concat;
		l->concat = s;
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
	for (struct concat_slot **p = &l->concat; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	concat_free(s);
	*whole = t;
}

/* Take what the engine said, in one transaction; then let the waiting
 * callbacks go. */
static void flush_events(struct link *l, struct db *db)
{
	pthread_mutex_lock(&l->mu);
	struct sms_ev *list = l->head;
	uint64_t last = l->next_seq;
	l->head = NULL;
	l->tail = &l->head;
	pthread_mutex_unlock(&l->mu);
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
			r = apply_submitted(l, db, ev, now, &a, &e);
			touched = (int64_t)(ev->token >> 8);
		} else if (ev->kind == EV_RECEIPT) {
			r = apply_receipt(l, db, ev, now, &a, &touched, &e);
		}
		if (ev->kind != EV_INBOUND) {
			if (!r && touched)
				r = announce_status(db, touched, now, &a, pe, &npe, &e);
		} else if (ev->concat.present && ev->concat.total > 1) {
			char *whole;
			concat_add(l, ev, now, &whole);
			if (whole) {
				char *part = ev->text;
				ev->text = whole;
				r = apply_inbound(l, db, ev, now, &a, pe, &npe, &e);
				ev->text = part;
				free(whole);
			}
		} else {
			r = apply_inbound(l, db, ev, now, &a, pe, &npe, &e);
		}
	}
	if (!r)
		r = db_commit(db, &e);
	if (r) {
		db_rollback(db);
		LOG_MSG(LOG_WARN, "outbox_record_failed", e.message);
	} else {
		publish_pending(l->ob, pe, npe);
	}
	arena_free(&a);
	pthread_mutex_lock(&l->mu);
	l->in_flight -= answered;
	/* a receipt or inbound message whose commit failed is answered with a
	 * temporary error, and the SMSC delivers it again */
	for (struct sms_ev *ev = list; ev; ev = ev->next)
		if (ev->result)
			*ev->result = r ? 1 : 0;
	l->done_seq = last;
	pthread_cond_broadcast(&l->flushed);
	pthread_mutex_unlock(&l->mu);
	while (list) {
		struct sms_ev *n = list->next;
		ev_free(list);
		list = n;
	}
}

/* Claim due SMS and hand them to the engine. */
static void dispatch_sms(struct link *l, struct db *db)
{
	pthread_mutex_lock(&l->mu);
	int64_t room = (int64_t)l->g.window * 4 - l->in_flight;
	bool bound = l->bound;
	pthread_mutex_unlock(&l->mu);
	if (!bound || room <= 0)
		return;
	if (room > MAX_PENDING)
		room = MAX_PENDING;
	struct arena a;
	arena_init(&a, 65536, 0);
	struct err e;
	err_clear(&e);
	int64_t now = clock_now_us();
	struct message *m = NULL;
	size_t n = 0;
	enum res r = db_begin(db, true, &e);
	if (!r)
		r = store_messages_claim(db, "sms", l->g.name, l->g.name, now, l->ob->lease_us, room,
					 &a, &m, &n, &e);
	struct pending_ev pe[MAX_PENDING];
	size_t npe = 0;
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
		if (!r && m[i].case_id)
			r = announce_status(db, m[i].id, now, &a, pe, &npe, &e);
	}
	if (!r)
		r = db_commit(db, &e);
	if (r) {
		db_rollback(db);
		LOG_MSG(LOG_WARN, "outbox_claim_failed", e.message);
		arena_free(&a);
		return;
	}
	publish_pending(l->ob, pe, npe);
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
			while (!atomic_load(&l->stop) &&
			       !smpp_submit(l->smpp, token, NULL, m[i].recipient, coding,
					    parts[k].data, parts[k].len, np > 1, true)) {
				/* the engine's queue is full: take in what it said meanwhile
				 * (its thread may be waiting for that) and try again */
				flush_events(l, db);
				struct timespec ts = {0, 2 * 1000000};
				nanosleep(&ts, NULL);
			}
			pthread_mutex_lock(&l->mu);
			l->in_flight++;
			pthread_mutex_unlock(&l->mu);
		}
	}
	arena_free(&a);
}

static void *sms_loop(void *arg)
{
	struct link *l = arg;
	struct db *db = open_db(l->ob);
	while (!atomic_load(&l->stop)) {
		flush_events(l, db);
		dispatch_sms(l, db);
		pthread_mutex_lock(&l->mu);
		if (!l->head && !atomic_load(&l->stop))
			idle_wait(&l->cv, &l->mu);
		pthread_mutex_unlock(&l->mu);
	}
	if (db) {
		flush_events(l, db);
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

#include "store/attachments.h"

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
		r = store_messages_claim(db, "email", NULL, "smtp", now, o->lease_us, 20, &a, &m, &n, &e);
	struct pending_ev pe[MAX_PENDING];
	size_t npe = 0;
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
		if (!r && m[i].case_id)
			r = announce_status(db, m[i].id, now, &a, pe, &npe, &e);
	}
	if (!r)
		r = db_commit(db, &e);
	if (r) {
		db_rollback(db);
		LOG_MSG(LOG_WARN, "outbox_claim_failed", e.message);
		arena_free(&a);
		return;
	}
	publish_pending(o, pe, npe);
	*idle = n == 0;
	for (size_t i = 0; i < n && !atomic_load(&o->stop) && !atomic_load(&o->mail_stop); i++) {
		if (!go[i])
			continue;
		char key[64];
		snprintf(key, sizeof key, "message-%lld", (long long)m[i].id);
		const char *to[1] = {m[i].recipient};
		struct mail mail = {.from = o->cfg.mail_from, .to = to, .nto = 1,
				    .subject = m[i].subject ? m[i].subject : "", .text = m[i].body,
				    .text_len = strlen(m[i].body), .message_key = key};
		struct smtp_result res;
		/* its files (up to 10 MiB), read for this message only; a failure
		 * to read them is temporary like a relay that does not answer */
		struct arena fa;
		arena_init(&fa, 65536, 0);
		struct message_attachment *att;
		size_t natt;
		struct mail_attachment *ma = NULL;
		r = store_message_attachments(db, m[i].id, true, &fa, &att, &natt, &e);
		if (!r && natt && !(ma = arena_alloc(&fa, natt * sizeof *ma)))
			r = err_set(&e, RES_NOMEM, NULL, NULL, "out of memory");
		for (size_t j = 0; !r && j < natt; j++)
			ma[j] = (struct mail_attachment){.name = att[j].name, .len = att[j].size,
							 .content_type = att[j].content_type,
							 .data = att[j].data};
		mail.attachments = ma;
		mail.nattachments = r ? 0 : natt;
		if (r) {
			memset(&res, 0, sizeof res);
			res.outcome = SMTP_TEMPORARY;
			snprintf(res.text, sizeof res.text, "attachments not read: %.200s",
				 e.message);
		} else {
			smtp_send(conn, &mail, &res);
		}
		arena_free(&fa);
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
		npe = 0;
		if (!r && m[i].case_id)
			r = announce_status(db, m[i].id, now, &a, pe, &npe, &e);
		if (!r)
			r = db_commit(db, &e);
		if (r) {
			db_rollback(db);
			LOG_MSG(LOG_WARN, "outbox_record_failed", e.message);
		} else {
			publish_pending(o, pe, npe);
		}
	}
	arena_free(&a);
}

static void *mail_loop(void *arg)
{
	struct outbox *o = arg;
	struct db *db = open_db(o);
	char url[700];
	struct smtp_config sc;
	outbox_smtp_config(&o->smtp, url, sizeof url, &sc);
	struct smtp_conn *conn = smtp_open(&sc);
	if (!conn)
		LOG_MSG(LOG_WARN, "smtp_not_started", o->smtp.name);
	while (!atomic_load(&o->stop) && !atomic_load(&o->mail_stop) && conn && db) {
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

/* ---- the supervisor: gateways, links, routes ---- */

static void link_free(struct link *l)
{
	for (struct sms_ev *ev = l->head; ev;) {
		struct sms_ev *n = ev->next;
		ev_free(ev);
		ev = n;
	}
	while (l->concat) {
		struct concat_slot *n = l->concat->next;
		concat_free(l->concat);
		l->concat = n;
	}
	pthread_cond_destroy(&l->flushed);
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

/* Stop a link: its engine first (its callbacks may be waiting on the
 * dispatcher), then the dispatcher, which records what is left. */
static void link_stop(struct link *l)
{
	atomic_store(&l->stop, true);
	pthread_mutex_lock(&l->mu);
	pthread_cond_broadcast(&l->cv);
	pthread_cond_broadcast(&l->flushed);
	pthread_mutex_unlock(&l->mu);
	if (l->smpp)
		smpp_stop(l->smpp);
	if (l->th_on)
		pthread_join(l->th, NULL);
	link_free(l);
}

static struct link *link_start(struct outbox *o, const struct outbox_gateway *g)
{
	struct link *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->ob = o;
	l->g = *g;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	pthread_cond_init(&l->flushed, NULL);
	l->tail = &l->head;
	struct smpp_config sc = {.name = l->g.name, .host = l->g.host, .port = l->g.port,
				 .system_id = l->g.username, .password = l->g.password,
				 .window = l->g.window, .max_per_second = l->g.rate};
	struct smpp_callbacks cb = {.ctx = l, .submitted = cb_submitted, .receipt = cb_receipt,
				    .inbound = cb_inbound, .link = cb_link};
	if (!(l->smpp = smpp_start(&sc, &cb))) {
		link_free(l);
		return NULL;
	}
	if (pthread_create(&l->th, NULL, sms_loop, l)) {
		smpp_stop(l->smpp);
		l->smpp = NULL;
		link_free(l);
		return NULL;
	}
	l->th_on = true;
	return l;
}

static void mail_stop(struct outbox *o)
{
	if (!o->mail_on)
		return;
	atomic_store(&o->mail_stop, true);
	pthread_join(o->mail_th, NULL);
	o->mail_on = false;
}

static void mail_start(struct outbox *o)
{
	o->cfg.mail_from = o->smtp.mail_from[0] ? o->smtp.mail_from : o->default_from;
	if (!o->cfg.mail_from) {
		LOG_MSG(LOG_WARN, "smtp_no_mail_from", o->smtp.name);
		return;
	}
	atomic_store(&o->mail_stop, false);
	if (pthread_create(&o->mail_th, NULL, mail_loop, o))
		LOG_MSG(LOG_WARN, "smtp_not_started", o->smtp.name);
	else
		o->mail_on = true;
}

static bool name_taken(const struct outbox_gateway *g, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(g[i].name, name) == 0)
			return true;
	return false;
}

/* The gateways to run: the static ones, then the enabled rows of the
 * table whose name is free. NULL when the table could not be read (then
 * nothing changes). */
static struct outbox_gateway *wanted_gateways(struct outbox *o, struct db *db, size_t *n)
{
	struct arena a;
	arena_init(&a, 16384, 0);
	struct err e;
	err_clear(&e);
	struct gateway_row *rows = NULL;
	size_t nrows = 0;
	enum res r = db_begin(db, false, &e);
	if (!r)
		r = store_gateways_list(db, &a, &rows, &nrows, &e);
	db_rollback(db);
	struct outbox_gateway *g = NULL;
	if (r) {
		LOG_MSG(LOG_WARN, "gateways_unread", e.message);
	} else if ((g = calloc(o->nstatics + nrows + 1, sizeof *g))) {
		*n = o->nstatics;
		if (o->nstatics)
			memcpy(g, o->statics, o->nstatics * sizeof *g);
		for (size_t i = 0; i < nrows; i++) {
			if (!rows[i].enabled || name_taken(g, *n, rows[i].name))
				continue;
			struct outbox_gateway *x = &g[*n];
			outbox_gateway_from_row(&rows[i], x);
			if (outbox_gateway_check(x, NULL, &e)) {
				LOG_MSG(LOG_WARN, "gateway_invalid", rows[i].name);
				memset(x, 0, sizeof *x);
				continue;
			}
			(*n)++;
		}
	}
	arena_free(&a);
	return g;
}

/* Names and prefixes in routing order, as one text. */
static char *plan_text(const struct outbox_gateway *g, size_t n)
{
	struct buf b;
	buf_init(&b, 1u << 20);
	if (buf_puts(&b, "routes:")) {
		buf_free(&b);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(g[i].kind, "smpp") == 0 && buf_printf(&b, "%s=%s\n", g[i].name, g[i].prefixes)) {
			buf_free(&b);
			return NULL;
		}
	return b.data; /* the caller frees it */
}

/* Bring the running links and the mail thread in line with the gateways. */
static void reload(struct outbox *o, struct db *db)
{
	size_t n = 0;
	struct outbox_gateway *want = wanted_gateways(o, db, &n);
	if (!want)
		return;
	/* links: keep those unchanged, stop the others, start the new. Only
	 * this thread changes the list; API threads read it under o->mu, and
	 * see the unchanged links all along. */
	struct link *gone = NULL;
	pthread_mutex_lock(&o->mu);
	for (struct link **pp = &o->links; *pp;) {
		struct link *l = *pp;
		bool same = false;
		for (size_t i = 0; i < n && !same; i++)
			same = memcmp(&want[i], &l->g, sizeof l->g) == 0;
		if (same) {
			pp = &l->next;
		} else {
			*pp = l->next;
			l->next = gone;
			gone = l;
		}
	}
	pthread_mutex_unlock(&o->mu);
	while (gone) {
		struct link *next = gone->next;
		struct logb lb;
		logb_begin(&lb, LOG_INFO, "smpp_link_stopped");
		logb_str(&lb, "connection", gone->g.name);
		logb_end(&lb);
		link_stop(gone);
		gone = next;
	}
	/* the list in routing order: kept links and new ones */
	struct link **order = calloc(n + 1, sizeof *order);
	size_t norder = 0;
	free(o->routes);
	o->routes = calloc(n + 1, sizeof *o->routes);
	o->nroutes = 0;
	for (size_t i = 0; order && i < n; i++) {
		if (strcmp(want[i].kind, "smpp") != 0)
			continue;
		struct link *found = o->links;
		while (found && memcmp(&found->g, &want[i], sizeof want[i]) != 0)
			found = found->next;
		if (!found && !(found = link_start(o, &want[i]))) {
			LOG_MSG(LOG_WARN, "smpp_not_started", want[i].name);
			continue;
		}
		order[norder++] = found;
		if (o->routes)
			o->routes[o->nroutes++] = (struct route_link){found->g.name, found->g.prefixes};
	}
	if (order) {
		pthread_mutex_lock(&o->mu);
		for (size_t i = 0; i < norder; i++)
			order[i]->next = i + 1 < norder ? order[i + 1] : NULL;
		o->links = norder ? order[0] : NULL;
		pthread_mutex_unlock(&o->mu);
		free(order);
	}
	/* routes: made again when the names or prefixes changed */
	char *plan = plan_text(want, n);
	if (plan && (!o->plan || strcmp(plan, o->plan) != 0)) {
		struct err e;
		err_clear(&e);
		enum res r = db_begin(db, true, &e);
		if (!r)
			r = store_messages_unroute(db, clock_now_us(), &e);
		if (!r)
			r = db_commit(db, &e);
		if (r) {
			db_rollback(db);
			LOG_MSG(LOG_WARN, "routes_not_reset", e.message);
			free(plan);
		} else {
			free(o->plan);
			o->plan = plan;
		}
	} else {
		free(plan);
	}
	/* email: the first SMTP gateway */
	const struct outbox_gateway *smtp = NULL;
	for (size_t i = 0; i < n && !smtp; i++)
		if (strcmp(want[i].kind, "smtp") == 0)
			smtp = &want[i];
	if (!smtp ? o->smtp.kind[0] != '\0' : memcmp(smtp, &o->smtp, sizeof *smtp) != 0) {
		mail_stop(o);
		pthread_mutex_lock(&o->mu);
		if (smtp)
			o->smtp = *smtp;
		else
			memset(&o->smtp, 0, sizeof o->smtp);
		pthread_mutex_unlock(&o->mu);
		if (smtp)
			mail_start(o);
	}
	free(want);
}

#define ROUTE_BATCH 1000

/* Give SMS that have no route yet the connection their number goes to;
 * fail those no connection takes. Returns how many it routed. */
static size_t route_messages(struct outbox *o, struct db *db)
{
	if (!o->nroutes)
		return 0; /* no SMSC here: another server may have one */
	struct arena a;
	arena_init(&a, 65536, 0);
	struct err e;
	err_clear(&e);
	int64_t now = clock_now_us();
	int64_t *ids;
	const char **to;
	size_t n = 0;
	enum res r = db_begin(db, false, &e);
	if (!r)
		r = store_messages_unrouted(db, now, ROUTE_BATCH, &a, &ids, &to, &n, &e);
	db_rollback(db);
	if (!r && n) {
		struct pending_ev pe[MAX_PENDING];
		size_t npe = 0;
		r = db_begin(db, true, &e);
		for (size_t i = 0; !r && i < n; i++) {
			int k = route_pick(o->routes, o->nroutes, to[i]);
			if (k >= 0) {
				r = store_message_route(db, ids[i], o->routes[k].name, &e);
				continue;
			}
			r = store_message_set_status(db, ids[i], "failed", "no_route",
						     "no SMS connection takes numbers like this one",
						     0, now, &e);
			if (!r && npe < MAX_PENDING)
				r = announce_status(db, ids[i], now, &a, pe, &npe, &e);
		}
		if (!r)
			r = db_commit(db, &e);
		if (r) {
			db_rollback(db);
		} else {
			publish_pending(o, pe, npe);
			/* the links need not wait for their next look */
			pthread_mutex_lock(&o->mu);
			for (struct link *l = o->links; l; l = l->next) {
				pthread_mutex_lock(&l->mu);
				pthread_cond_signal(&l->cv);
				pthread_mutex_unlock(&l->mu);
			}
			pthread_mutex_unlock(&o->mu);
		}
	}
	if (r)
		LOG_MSG(LOG_WARN, "routing_failed", e.message);
	arena_free(&a);
	return r ? 0 : n;
}

static void *supervise(void *arg)
{
	struct outbox *o = arg;
	struct db *db = open_db(o);
	int64_t next_reload = 0;
	while (db && !atomic_load(&o->stop)) {
		int64_t now = clock_now_us();
		if (now >= next_reload) {
			reload(o, db);
			next_reload = clock_now_us() + o->reload_us;
		}
		size_t routed = route_messages(o, db);
		pthread_mutex_lock(&o->mu);
		if (!atomic_load(&o->stop) && routed < ROUTE_BATCH)
			idle_wait(&o->wake, &o->mu);
		pthread_mutex_unlock(&o->mu);
	}
	/* stop everything this thread started */
	mail_stop(o);
	pthread_mutex_lock(&o->mu);
	struct link *l = o->links;
	o->links = NULL;
	pthread_mutex_unlock(&o->mu);
	while (l) {
		struct link *next = l->next;
		link_stop(l);
		l = next;
	}
	if (db)
		db_close(db);
	return NULL;
}

/* ---- start and stop ---- */

enum res outbox_start(const struct outbox_config *cfg, struct outbox **out, struct err *e)
{
	*out = NULL;
	struct outbox *o = calloc(1, sizeof *o);
	if (!o)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	o->cfg = *cfg;
	o->default_from = cfg->mail_from;
	o->lease_us = (int64_t)(cfg->lease_s > 0 ? cfg->lease_s : 120) * 1000000;
	o->reload_us = (int64_t)(cfg->reload_ms > 0 ? cfg->reload_ms : 2000) * 1000;
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->wake, NULL);
	o->statics = calloc(cfg->ngateways + 2, sizeof *o->statics);
	if (!o->statics) {
		outbox_stop(o);
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	}
	enum res r = RES_OK;
	if (cfg->smpp_url) {
		struct outbox_gateway *g = &o->statics[o->nstatics];
		if (!(r = outbox_gateway_from_smpp_url(cfg->smpp_url, g, e))) {
			g->window = cfg->smpp_window > 0 ? cfg->smpp_window : 50;
			g->rate = cfg->smpp_rate;
			if (!(r = outbox_gateway_check(g, "smpp.", e)))
				o->nstatics++;
		}
	}
	if (!r && cfg->smtp_url) {
		struct outbox_gateway *g = &o->statics[o->nstatics];
		if (!cfg->mail_from)
			r = err_set(e, RES_INVALID, "invalid_field", "mail-from",
				    "--smtp needs --mail-from");
		else if (!(r = outbox_gateway_from_smtp_url(cfg->smtp_url, g, e)))
			o->nstatics++;
	}
	for (size_t i = 0; !r && i < cfg->ngateways; i++) {
		if (name_taken(o->statics, o->nstatics, cfg->gateways[i].name))
			r = err_set(e, RES_INVALID, "invalid_field", "name",
				    "two gateways are named %s", cfg->gateways[i].name);
		else
			o->statics[o->nstatics++] = cfg->gateways[i];
	}
	if (r) {
		outbox_stop(o);
		return r;
	}
	o->cfg.gateways = NULL; /* copied */
	o->cfg.ngateways = 0;
	if (pthread_create(&o->sup_th, NULL, supervise, o)) {
		outbox_stop(o);
		return err_set(e, RES_IO, NULL, NULL, "cannot start the outbox");
	}
	o->sup_on = true;
	*out = o;
	return RES_OK;
}

void outbox_stop(struct outbox *o)
{
	if (!o)
		return;
	atomic_store(&o->stop, true);
	pthread_mutex_lock(&o->mu);
	pthread_cond_broadcast(&o->wake);
	pthread_mutex_unlock(&o->mu);
	if (o->sup_on)
		pthread_join(o->sup_th, NULL);
	free(o->routes);
	free(o->plan);
	free(o->statics);
	pthread_cond_destroy(&o->wake);
	pthread_mutex_destroy(&o->mu);
	free(o);
}

const struct outbox_gateway *outbox_static_gateways(const struct outbox *o, size_t *n)
{
	*n = o ? o->nstatics : 0;
	return o ? o->statics : NULL;
}

const char *outbox_gateway_state(struct outbox *o, const char *kind, const char *name)
{
	if (!o)
		return "off";
	const char *state = "off";
	pthread_mutex_lock(&o->mu);
	if (strcmp(kind, "smpp") == 0) {
		for (struct link *l = o->links; l; l = l->next)
			if (strcmp(l->g.name, name) == 0) {
				pthread_mutex_lock(&l->mu);
				state = l->bound ? "bound" : "connecting";
				pthread_mutex_unlock(&l->mu);
				break;
			}
	} else if (strcmp(kind, "smtp") == 0 && o->smtp.kind[0]) {
		state = strcmp(o->smtp.name, name) == 0 ? (o->mail_on ? "active" : "off")
							 : "standby";
	}
	pthread_mutex_unlock(&o->mu);
	return state;
}
