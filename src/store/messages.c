/* The outbox: messages, their parts at the gateway, receipt keys, state
 * history, opt-outs, sending windows and templates (migration 0008). */
#include <string.h>

#include "store/store_impl.h"

#define OOM(e) err_set(e, RES_NOMEM, NULL, NULL, "out of memory")

static void bind_opt_i64(struct db_stmt *st, int idx, int64_t v)
{
	if (v)
		db_bind_i64(st, idx, v);
	else
		db_bind_null(st, idx);
}

static int64_t col_opt_i64(struct db_stmt *st, int col)
{
	return db_col_null(st, col) ? 0 : db_col_i64(st, col);
}

static const char *col_opt_text(struct db_stmt *st, int col, struct arena *a)
{
	return db_col_null(st, col) ? NULL : store_col_dup(st, col, a);
}

#define MSG_COLS                                                                                  \
	"id, channel, recipient, person_id, case_id, class, urgent, template, language, subject, " \
	"body, idempotency_key, status, reason, detail, connection, parts, attempts, not_before, " \
	"expires_at, lease_until, handed_at, cost, currency, created_by, created_at, updated_at, " \
	"sent_at, delivered_at"

static const char sql_insert[] =
	"INSERT INTO messages (channel, recipient, person_id, case_id, class, urgent, template, "
	"language, subject, body, idempotency_key, status, reason, detail, connection, parts, "
	"attempts, not_before, expires_at, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, "
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_get[] = "SELECT " MSG_COLS " FROM messages WHERE id = ?";
static const char sql_by_key[] = "SELECT " MSG_COLS " FROM messages WHERE idempotency_key = ?";
static const char sql_event[] =
	"INSERT INTO message_events (message_id, at, status, reason, detail) VALUES (?, ?, ?, ?, ?)";
static const char sql_events[] =
	"SELECT at, status, reason, detail FROM message_events WHERE message_id = ? ORDER BY id";
static const char sql_parts[] =
	"SELECT seq, provider_id, status, reason, updated_at FROM message_parts WHERE message_id = "
	"? ORDER BY seq";

static enum res msg_read(struct db_stmt *st, struct arena *a, struct message *m, struct err *e)
{
	memset(m, 0, sizeof *m);
	m->id = db_col_i64(st, 0);
	m->channel = store_col_dup(st, 1, a);
	m->recipient = store_col_dup(st, 2, a);
	m->person_id = col_opt_i64(st, 3);
	m->case_id = col_opt_i64(st, 4);
	m->class_ = store_col_dup(st, 5, a);
	m->urgent = db_col_bool(st, 6);
	m->template_ = col_opt_text(st, 7, a);
	m->language = col_opt_text(st, 8, a);
	m->subject = col_opt_text(st, 9, a);
	m->body = store_col_dup(st, 10, a);
	m->idempotency_key = col_opt_text(st, 11, a);
	m->status = store_col_dup(st, 12, a);
	m->reason = col_opt_text(st, 13, a);
	m->detail = col_opt_text(st, 14, a);
	m->connection = col_opt_text(st, 15, a);
	m->parts = db_col_i64(st, 16);
	m->attempts = db_col_i64(st, 17);
	m->not_before = db_col_i64(st, 18);
	m->expires_at = db_col_i64(st, 19);
	m->lease_until = col_opt_i64(st, 20);
	m->handed_at = col_opt_i64(st, 21);
	m->cost = col_opt_i64(st, 22);
	m->currency = col_opt_text(st, 23, a);
	m->created_by = col_opt_i64(st, 24);
	m->created_at = db_col_i64(st, 25);
	m->updated_at = db_col_i64(st, 26);
	m->sent_at = col_opt_i64(st, 27);
	m->delivered_at = col_opt_i64(st, 28);
	if (!m->channel || !m->recipient || !m->class_ || !m->body || !m->status)
		return OOM(e);
	return RES_OK;
}

enum res store_message_event(struct db *db, int64_t id, int64_t at, const char *status,
			     const char *reason, const char *detail, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_event, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, id);
	db_bind_i64(st, 2, at);
	db_bind_text(st, 3, status);
	db_bind_text(st, 4, reason);
	db_bind_text(st, 5, detail);
	return store_exec(st, e);
}

enum res store_message_insert(struct db *db, struct message *m, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_insert, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, m->channel);
	db_bind_text(st, 2, m->recipient);
	bind_opt_i64(st, 3, m->person_id);
	bind_opt_i64(st, 4, m->case_id);
	db_bind_text(st, 5, m->class_);
	db_bind_bool(st, 6, m->urgent);
	db_bind_text(st, 7, m->template_);
	db_bind_text(st, 8, m->language);
	db_bind_text(st, 9, m->subject);
	db_bind_text(st, 10, m->body);
	db_bind_text(st, 11, m->idempotency_key);
	db_bind_text(st, 12, m->status);
	db_bind_text(st, 13, m->reason);
	db_bind_text(st, 14, m->detail);
	db_bind_text(st, 15, m->connection);
	db_bind_i64(st, 16, m->parts);
	db_bind_i64(st, 17, m->not_before);
	db_bind_i64(st, 18, m->expires_at);
	bind_opt_i64(st, 19, m->created_by);
	db_bind_i64(st, 20, m->created_at);
	db_bind_i64(st, 21, m->updated_at);
	if (store_step(st, &r, e) == DB_ROW)
		m->id = db_col_i64(st, 0);
	else if (!r)
		r = err_set(e, RES_INTERNAL, NULL, NULL, "insert returned no id");
	db_reset(st);
	if (r)
		return r;
	return store_message_event(db, m->id, m->created_at, m->status, m->reason, m->detail, e);
}

static enum res get_one(struct db *db, const char *sql, int64_t id, const char *key,
			struct arena *a, struct message *out, bool *found, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql, &st, e);
	if (r)
		return r;
	if (key)
		db_bind_text(st, 1, key);
	else
		db_bind_i64(st, 1, id);
	int rc = store_step(st, &r, e);
	*found = rc == DB_ROW;
	if (rc == DB_ROW)
		r = msg_read(st, a, out, e);
	db_reset(st);
	return r;
}

enum res store_message_get(struct db *db, int64_t id, struct arena *a, struct message *out,
			   struct err *e)
{
	bool found;
	enum res r = get_one(db, sql_get, id, NULL, a, out, &found, e);
	if (!r && !found)
		r = err_set(e, RES_NOT_FOUND, "not_found", NULL, "no such message");
	return r;
}

enum res store_message_by_key(struct db *db, const char *key, struct arena *a,
			      struct message *out, bool *found, struct err *e)
{
	return get_one(db, sql_by_key, 0, key, a, out, found, e);
}

enum res store_message_history(struct db *db, int64_t id, struct arena *a,
			       struct message_event **ev, size_t *nev, struct message_part **parts,
			       size_t *nparts, struct err *e)
{
	struct db_stmt *st;
	*ev = NULL;
	*parts = NULL;
	*nev = *nparts = 0;
	enum res r = db_prepare(db, sql_events, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, id);
	size_t cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, ev, &cap, *nev, sizeof **ev)) {
			r = OOM(e);
			break;
		}
		struct message_event *x = &(*ev)[(*nev)++];
		x->at = db_col_i64(st, 0);
		x->status = store_col_dup(st, 1, a);
		x->reason = col_opt_text(st, 2, a);
		x->detail = col_opt_text(st, 3, a);
	}
	db_reset(st);
	if (r || (r = db_prepare(db, sql_parts, &st, e)))
		return r;
	db_bind_i64(st, 1, id);
	cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, parts, &cap, *nparts, sizeof **parts)) {
			r = OOM(e);
			break;
		}
		struct message_part *p = &(*parts)[(*nparts)++];
		p->seq = (int)db_col_i64(st, 0);
		p->provider_id = store_col_dup(st, 1, a);
		p->status = store_col_dup(st, 2, a);
		p->reason = col_opt_text(st, 3, a);
		p->updated_at = db_col_i64(st, 4);
	}
	db_reset(st);
	return r;
}

/* ---- dispatch ---- */

/* Due messages of a channel: queued and due, or sending with a lapsed lease
 * (a dispatcher died) — the oldest first. PostgreSQL skips rows another
 * server's dispatcher holds. */
static const char sql_due_sqlite[] =
	"SELECT id FROM messages WHERE channel = ? AND ((status = 'queued' AND not_before <= ?) OR "
	"(status = 'sending' AND lease_until < ?)) ORDER BY not_before, id LIMIT ?";
static const char sql_due_pg[] =
	"SELECT id FROM messages WHERE channel = ? AND ((status = 'queued' AND not_before <= ?) OR "
	"(status = 'sending' AND lease_until < ?)) ORDER BY not_before, id LIMIT ? FOR UPDATE SKIP "
	"LOCKED";
static const char sql_due_route_sqlite[] =
	"SELECT id FROM messages WHERE channel = ? AND route = ? AND ((status = 'queued' AND "
	"not_before <= ?) OR (status = 'sending' AND lease_until < ?)) ORDER BY not_before, id "
	"LIMIT ?";
static const char sql_due_route_pg[] =
	"SELECT id FROM messages WHERE channel = ? AND route = ? AND ((status = 'queued' AND "
	"not_before <= ?) OR (status = 'sending' AND lease_until < ?)) ORDER BY not_before, id "
	"LIMIT ? FOR UPDATE SKIP LOCKED";
static const char sql_unrouted[] =
	"SELECT id, recipient FROM messages WHERE channel = 'sms' AND route IS NULL AND status IN "
	"('queued', 'sending') AND (status = 'queued' OR lease_until < ?) ORDER BY id LIMIT ?";
static const char sql_orphans[] =
	"SELECT m.id, m.body FROM messages m WHERE m.channel = 'sms' AND m.recipient = ? AND "
	"m.parts = 1 AND m.handed_at >= ? AND ((m.status = 'sending' AND NOT EXISTS (SELECT 1 FROM "
	"message_parts p WHERE p.message_id = m.id)) OR (m.status = 'failed' AND m.reason = "
	"'in_doubt')) ORDER BY m.id DESC LIMIT 10";
static const char sql_route[] = "UPDATE messages SET route = ? WHERE id = ?";
static const char sql_unroute[] =
	"UPDATE messages SET route = NULL WHERE channel = 'sms' AND route IS NOT NULL AND (status "
	"= 'queued' OR (status = 'sending' AND lease_until < ?))";
static const char sql_claim[] =
	"UPDATE messages SET status = 'sending', lease_until = ?, attempts = attempts + 1, "
	"connection = ?, updated_at = ? WHERE id = ? AND (status = 'queued' OR (status = 'sending' "
	"AND lease_until < ?))";
static const char sql_set_status[] =
	"UPDATE messages SET status = ?, reason = ?, detail = ?, updated_at = ?, lease_until = "
	"NULL, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, delivered_at = CASE WHEN ? "
	"= 'delivered' THEN ? ELSE delivered_at END, not_before = CASE WHEN ? = 'queued' THEN ? "
	"ELSE not_before END, handed_at = CASE WHEN ? = 'queued' THEN NULL ELSE handed_at END "
	"WHERE id = ?";
static const char sql_handed[] =
	"UPDATE messages SET handed_at = ?, parts = ?, cost = ?, currency = ? WHERE id = ?";
static const char sql_part_insert[] =
	"INSERT INTO message_parts (message_id, seq, provider_id, status, reason, updated_at) "
	"VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id, seq) DO UPDATE SET provider_id = "
	"excluded.provider_id, status = excluded.status, reason = excluded.reason, updated_at = "
	"excluded.updated_at";
static const char sql_key_insert[] =
	"INSERT INTO message_receipt_keys (connection, key, message_id, seq) VALUES (?, ?, ?, ?) "
	"ON CONFLICT DO NOTHING";
static const char sql_key_find[] =
	"SELECT k.message_id, k.seq FROM message_receipt_keys k JOIN message_parts p ON "
	"p.message_id = k.message_id AND p.seq = k.seq WHERE k.connection = ? AND k.key = ? ORDER "
	"BY k.message_id DESC LIMIT 1";
static const char sql_part_status[] =
	"UPDATE message_parts SET status = ?, reason = ?, updated_at = ? WHERE message_id = ? AND "
	"seq = ?";
static const char sql_part_counts[] =
	"SELECT COUNT(*), SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END), SUM(CASE WHEN "
	"status IN ('failed', 'expired') THEN 1 ELSE 0 END), MAX(CASE WHEN status IN ('failed', "
	"'expired') THEN reason END) FROM message_parts WHERE message_id = ?";

enum res store_messages_claim(struct db *db, const char *channel, const char *route,
			      const char *connection, int64_t now, int64_t lease_us, int64_t limit,
			      struct arena *a, struct message **items, size_t *n, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	bool pg = db_kind(db) == DB_PG;
	enum res r = db_prepare(db, route ? (pg ? sql_due_route_pg : sql_due_route_sqlite)
					  : (pg ? sql_due_pg : sql_due_sqlite),
				&st, e);
	if (r)
		return r;
	int k = 1;
	db_bind_text(st, k++, channel);
	if (route)
		db_bind_text(st, k++, route);
	db_bind_i64(st, k++, now);
	db_bind_i64(st, k++, now);
	db_bind_i64(st, k, limit);
	int64_t *ids;
	size_t nids;
	r = store_collect_ids(st, a, &ids, &nids, e);
	size_t cap = 0;
	for (size_t i = 0; !r && i < nids; i++) {
		if ((r = db_prepare(db, sql_claim, &st, e)))
			break;
		db_bind_i64(st, 1, now + lease_us);
		db_bind_text(st, 2, connection);
		db_bind_i64(st, 3, now);
		db_bind_i64(st, 4, ids[i]);
		db_bind_i64(st, 5, now);
		int rc = store_step(st, &r, e);
		int64_t changed = rc == DB_DONE ? db_changes(st) : 0;
		db_reset(st);
		if (r || changed != 1)
			continue;
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		if (!(r = store_message_get(db, ids[i], a, &(*items)[*n], e)))
			(*n)++;
	}
	return r;
}

/* Step a bound statement of (id, text) rows into two arena arrays; resets it. */
static enum res collect_id_text(struct db_stmt *st, struct arena *a, int64_t **ids,
				const char ***texts, size_t *n, struct err *e)
{
	enum res r = RES_OK;
	size_t cap_i = 0, cap_t = 0;
	*ids = NULL;
	*texts = NULL;
	*n = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, ids, &cap_i, *n, sizeof **ids) ||
		    !store_grow(a, texts, &cap_t, *n, sizeof **texts)) {
			r = OOM(e);
			break;
		}
		(*ids)[*n] = db_col_i64(st, 0);
		if (!((*texts)[*n] = store_col_dup(st, 1, a))) {
			r = OOM(e);
			break;
		}
		(*n)++;
	}
	db_reset(st);
	return r;
}

enum res store_messages_unrouted(struct db *db, int64_t now, int64_t limit, struct arena *a,
				 int64_t **ids, const char ***recipients, size_t *n, struct err *e)
{
	struct db_stmt *st;
	*ids = NULL;
	*recipients = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_unrouted, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, now);
	db_bind_i64(st, 2, limit);
	return collect_id_text(st, a, ids, recipients, n, e);
}

enum res store_receipt_orphans(struct db *db, const char *recipient, int64_t since,
			       struct arena *a, int64_t **ids, const char ***bodies, size_t *n,
			       struct err *e)
{
	struct db_stmt *st;
	*ids = NULL;
	*bodies = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_orphans, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, recipient);
	db_bind_i64(st, 2, since);
	return collect_id_text(st, a, ids, bodies, n, e);
}

enum res store_message_route(struct db *db, int64_t id, const char *route, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_route, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, route);
	db_bind_i64(st, 2, id);
	(void)store_step(st, &r, e);
	db_reset(st);
	return r;
}

enum res store_messages_unroute(struct db *db, int64_t now, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_unroute, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, now);
	(void)store_step(st, &r, e);
	db_reset(st);
	return r;
}

enum res store_message_set_status(struct db *db, int64_t id, const char *status,
				  const char *reason, const char *detail, int64_t not_before,
				  int64_t now, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_set_status, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, status);
	db_bind_text(st, 2, reason);
	db_bind_text(st, 3, detail);
	db_bind_i64(st, 4, now);
	db_bind_text(st, 5, status);
	db_bind_i64(st, 6, now);
	db_bind_text(st, 7, status);
	db_bind_i64(st, 8, now);
	db_bind_text(st, 9, status);
	db_bind_i64(st, 10, not_before);
	db_bind_text(st, 11, status);
	db_bind_i64(st, 12, id);
	if ((r = store_exec(st, e)))
		return r;
	return store_message_event(db, id, now, status, reason, detail, e);
}

enum res store_message_handed(struct db *db, int64_t id, int64_t parts, int64_t cost,
			      const char *currency, int64_t now, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_handed, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, now);
	db_bind_i64(st, 2, parts);
	bind_opt_i64(st, 3, cost);
	db_bind_text(st, 4, currency);
	db_bind_i64(st, 5, id);
	if ((r = store_exec(st, e)))
		return r;
	return store_message_event(db, id, now, "sending", NULL, NULL, e);
}

enum res store_message_part(struct db *db, int64_t id, int seq, const char *connection,
			    const char *provider_id, const char *const *keys, size_t nkeys,
			    const char *status, const char *reason, int64_t now, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_part_insert, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, id);
	db_bind_i64(st, 2, seq);
	db_bind_text(st, 3, provider_id ? provider_id : "");
	db_bind_text(st, 4, status);
	db_bind_text(st, 5, reason);
	db_bind_i64(st, 6, now);
	if ((r = store_exec(st, e)))
		return r;
	for (size_t i = 0; i < nkeys; i++) {
		if ((r = db_prepare(db, sql_key_insert, &st, e)))
			return r;
		db_bind_text(st, 1, connection);
		db_bind_text(st, 2, keys[i]);
		db_bind_i64(st, 3, id);
		db_bind_i64(st, 4, seq);
		if ((r = store_exec(st, e)))
			return r;
	}
	return RES_OK;
}

enum res store_receipt_find(struct db *db, const char *connection, const char *const *keys,
			    size_t nkeys, int64_t *id, int *seq, struct err *e)
{
	*id = 0;
	*seq = 0;
	for (size_t i = 0; i < nkeys && !*id; i++) {
		struct db_stmt *st;
		enum res r = db_prepare(db, sql_key_find, &st, e);
		if (r)
			return r;
		db_bind_text(st, 1, connection);
		db_bind_text(st, 2, keys[i]);
		if (store_step(st, &r, e) == DB_ROW) {
			*id = db_col_i64(st, 0);
			*seq = (int)db_col_i64(st, 1);
		}
		db_reset(st);
		if (r)
			return r;
	}
	return RES_OK;
}

enum res store_part_final(struct db *db, int64_t id, int seq, const char *status,
			  const char *reason, int64_t now, struct part_tally *t, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_part_status, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, status);
	db_bind_text(st, 2, reason);
	db_bind_i64(st, 3, now);
	db_bind_i64(st, 4, id);
	db_bind_i64(st, 5, seq);
	if ((r = store_exec(st, e)) || (r = db_prepare(db, sql_part_counts, &st, e)))
		return r;
	db_bind_i64(st, 1, id);
	memset(t, 0, sizeof *t);
	if (store_step(st, &r, e) == DB_ROW) {
		t->parts = db_col_i64(st, 0);
		t->delivered = col_opt_i64(st, 1);
		t->failed = col_opt_i64(st, 2);
		size_t n;
		const char *why = db_col_text(st, 3, &n);
		if (n < sizeof t->reason) {
			memcpy(t->reason, why, n);
			t->reason[n] = '\0';
		}
	}
	db_reset(st);
	return r;
}

/* ---- opt-outs, windows, templates ---- */

static const char sql_optout_has[] =
	"SELECT 1 FROM opt_outs WHERE person_id = ? AND channel = ?";
static const char sql_window_get[] = "SELECT rules FROM send_windows WHERE class = ?";
static const char sql_template_get[] =
	"SELECT code, channel, language, subject, body, version FROM templates WHERE code = ? AND "
	"channel = ? AND language IN (?, 'en') ORDER BY CASE WHEN language = ? THEN 0 ELSE 1 END "
	"LIMIT 1";

enum res store_opted_out(struct db *db, int64_t person_id, const char *channel, bool *out,
			 struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_optout_has, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, person_id);
	db_bind_text(st, 2, channel);
	*out = store_step(st, &r, e) == DB_ROW;
	db_reset(st);
	return r;
}

enum res store_window_rules(struct db *db, const char *class_, struct arena *a,
			    const char **rules, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_window_get, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, class_);
	*rules = NULL;
	if (store_step(st, &r, e) == DB_ROW && !(*rules = store_col_dup(st, 0, a)))
		r = OOM(e);
	db_reset(st);
	return r;
}

enum res store_template_get(struct db *db, const char *code, const char *channel,
			    const char *language, struct arena *a, struct template_row *out,
			    bool *found, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_template_get, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, code);
	db_bind_text(st, 2, channel);
	db_bind_text(st, 3, language);
	db_bind_text(st, 4, language);
	*found = false;
	if (store_step(st, &r, e) == DB_ROW) {
		*found = true;
		out->code = store_col_dup(st, 0, a);
		out->channel = store_col_dup(st, 1, a);
		out->language = store_col_dup(st, 2, a);
		out->subject = col_opt_text(st, 3, a);
		out->body = store_col_dup(st, 4, a);
		out->version = db_col_i64(st, 5);
		if (!out->code || !out->channel || !out->language || !out->body)
			r = OOM(e);
	}
	db_reset(st);
	return r;
}

/* ---- inbound ---- */

static const char sql_person_by_phone[] =
	"SELECT id FROM persons WHERE phone = ? ORDER BY id DESC LIMIT 1";
/* The survey a reply answers: the newest survey SMS to this person within
 * the period, whose case has no SMS answer recorded after it. */
static const char sql_survey[] =
	"SELECT m.case_id FROM messages m WHERE m.person_id = ? AND m.channel = 'sms' AND "
	"m.template = 'case_closed' AND m.case_id IS NOT NULL AND m.status IN ('sent', "
	"'delivered') AND m.created_at >= ? AND NOT EXISTS (SELECT 1 FROM case_quality q WHERE "
	"q.case_id = m.case_id AND q.source = 'sms' AND q.at >= m.created_at) ORDER BY m.id DESC "
	"LIMIT 1";
static const char sql_inbound_insert[] =
	"INSERT INTO inbound_messages (connection, sender, recipient, text, received_at, person_id, "
	"case_id, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

enum res store_person_by_phone(struct db *db, const char *phone, int64_t *id, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_person_by_phone, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, phone);
	*id = store_step(st, &r, e) == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	return r;
}

enum res store_survey_open(struct db *db, int64_t person_id, int64_t since, int64_t *case_id,
			   struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_survey, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, person_id);
	db_bind_i64(st, 2, since);
	*case_id = store_step(st, &r, e) == DB_ROW ? db_col_i64(st, 0) : 0;
	db_reset(st);
	return r;
}

enum res store_inbound_insert(struct db *db, const char *connection, const char *sender,
			      const char *recipient, const char *text, int64_t at,
			      int64_t person_id, int64_t case_id, const char *outcome,
			      struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_inbound_insert, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, connection);
	db_bind_text(st, 2, sender);
	db_bind_text(st, 3, recipient);
	db_bind_text(st, 4, text);
	db_bind_i64(st, 5, at);
	bind_opt_i64(st, 6, person_id);
	bind_opt_i64(st, 7, case_id);
	db_bind_text(st, 8, outcome);
	return store_exec(st, e);
}
