/* Delivery feedback (issue 5): messages by day, channel and state, unit
 * prices per channel (migration 0010), opt-outs per person and channel,
 * and the contact data that needs cleansing. */
#include <string.h>

#include "store/store_impl.h"

#define OOM(e) err_set(e, RES_NOMEM, NULL, NULL, "out of memory")

static const char sql_tallies[] =
	"SELECT created_at / 86400000000, channel, status, COALESCE(reason, ''), COUNT(*), "
	"CAST(SUM(parts) AS BIGINT), CAST(SUM(CASE WHEN handed_at IS NOT NULL THEN parts ELSE 0 "
	"END) AS BIGINT) FROM messages WHERE created_at >= ? AND created_at < ? GROUP BY "
	"created_at / 86400000000, channel, status, COALESCE(reason, '') ORDER BY 1, 2, 3, 4";
static const char sql_prices[] =
	"SELECT channel, currency, per_part FROM message_prices ORDER BY channel";
static const char sql_case_messages[] =
	"SELECT id FROM messages WHERE case_id = ? ORDER BY created_at DESC, id DESC LIMIT ?";
static const char sql_optout_add[] =
	"INSERT INTO opt_outs (person_id, channel, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
static const char sql_optout_del[] = "DELETE FROM opt_outs WHERE person_id = ? AND channel = ?";
static const char sql_optouts[] =
	"SELECT channel FROM opt_outs WHERE person_id = ? ORDER BY channel";
static const char sql_no_phone[] =
	"SELECT id, last_name, first_name, '' , updated_at FROM persons WHERE phone IS NULL OR "
	"phone = '' ORDER BY id";
static const char sql_phones[] =
	"SELECT id, last_name, first_name, phone, updated_at FROM persons WHERE phone IS NOT NULL "
	"AND phone <> '' ORDER BY id";
/* A number whose last SMS that went anywhere failed as invalid_number; the
 * person it was for, else the newest person with that number. */
static const char sql_failed_invalid[] =
	"SELECT COALESCE(p.id, 0), COALESCE(p.last_name, ''), COALESCE(p.first_name, ''), "
	"f.recipient, f.updated_at FROM (SELECT m.id, m.recipient, m.updated_at, "
	"COALESCE(m.person_id, (SELECT MAX(q.id) FROM persons q WHERE q.phone = m.recipient)) AS "
	"pid FROM messages m WHERE m.channel = 'sms' AND m.status = 'failed' AND m.reason = "
	"'invalid_number' AND m.id = (SELECT MAX(x.id) FROM messages x WHERE x.channel = 'sms' AND "
	"x.recipient = m.recipient AND x.status IN ('sent', 'delivered', 'failed', 'expired'))) f "
	"LEFT JOIN persons p ON p.id = f.pid ORDER BY f.id DESC";

enum res store_message_tallies(struct db *db, int64_t from, int64_t to, struct arena *a,
			       struct message_tally **items, size_t *n, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_tallies, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, from);
	db_bind_i64(st, 2, to);
	size_t cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		struct message_tally *t = &(*items)[(*n)++];
		t->day = db_col_i64(st, 0);
		t->channel = store_col_dup(st, 1, a);
		t->status = store_col_dup(st, 2, a);
		t->reason = store_col_dup(st, 3, a);
		t->count = db_col_i64(st, 4);
		t->parts = db_col_null(st, 5) ? 0 : db_col_i64(st, 5);
		t->billed_parts = db_col_null(st, 6) ? 0 : db_col_i64(st, 6);
		if (!t->channel || !t->status || !t->reason) {
			r = OOM(e);
			break;
		}
	}
	db_reset(st);
	return r;
}

enum res store_message_prices(struct db *db, struct arena *a, struct message_price **items,
			      size_t *n, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_prices, &st, e);
	if (r)
		return r;
	size_t cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		struct message_price *p = &(*items)[(*n)++];
		p->channel = store_col_dup(st, 0, a);
		p->currency = store_col_dup(st, 1, a);
		p->per_part = db_col_i64(st, 2);
		if (!p->channel || !p->currency) {
			r = OOM(e);
			break;
		}
	}
	db_reset(st);
	return r;
}

enum res store_case_messages(struct db *db, int64_t case_id, int64_t limit, struct arena *a,
			     struct message **items, size_t *n, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_case_messages, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, case_id);
	db_bind_i64(st, 2, limit);
	int64_t *ids;
	size_t nids;
	r = store_collect_ids(st, a, &ids, &nids, e);
	if (r || !nids)
		return r;
	if (!(*items = arena_alloc(a, nids * sizeof **items)))
		return OOM(e);
	for (size_t i = 0; i < nids && !r; i++)
		if (!(r = store_message_get(db, ids[i], a, &(*items)[*n], e)))
			(*n)++;
	return r;
}

enum res store_opt_out_set(struct db *db, int64_t person_id, const char *channel, bool on,
			   int64_t at, bool *changed, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, on ? sql_optout_add : sql_optout_del, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, person_id);
	db_bind_text(st, 2, channel);
	if (on)
		db_bind_i64(st, 3, at);
	int rc = store_step(st, &r, e);
	*changed = rc == DB_DONE && db_changes(st) > 0;
	db_reset(st);
	return r;
}

enum res store_opt_outs(struct db *db, int64_t person_id, struct arena *a,
			const char ***channels, size_t *n, struct err *e)
{
	struct db_stmt *st;
	*channels = NULL;
	*n = 0;
	enum res r = db_prepare(db, sql_optouts, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, person_id);
	size_t cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, channels, &cap, *n, sizeof **channels)) {
			r = OOM(e);
			break;
		}
		if (!((*channels)[(*n)++] = store_col_dup(st, 0, a))) {
			r = OOM(e);
			break;
		}
	}
	db_reset(st);
	return r;
}

enum res store_contact_rows(struct db *db, enum contact_rows which, struct arena *a,
			    bool (*keep)(const struct contact_row_x *x, void *ctx), void *ctx,
			    struct contact_row_x **items, size_t *n, struct err *e)
{
	struct db_stmt *st;
	*items = NULL;
	*n = 0;
	const char *sql = which == CONTACT_NO_PHONE	 ? sql_no_phone
			  : which == CONTACT_ALL_PHONES ? sql_phones
							 : sql_failed_invalid;
	enum res r = db_prepare(db, sql, &st, e);
	if (r)
		return r;
	size_t cap = 0;
	while (store_step(st, &r, e) == DB_ROW) {
		struct contact_row_x x;
		size_t len;
		x.person_id = db_col_i64(st, 0);
		x.last_name = db_col_text(st, 1, &len);
		x.first_name = db_col_text(st, 2, &len);
		x.phone = db_col_text(st, 3, &len);
		x.at = db_col_i64(st, 4);
		if (keep && !keep(&x, ctx))
			continue;
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		struct contact_row_x *y = &(*items)[(*n)++];
		y->person_id = x.person_id;
		y->at = x.at;
		y->last_name = store_col_dup(st, 1, a);
		y->first_name = store_col_dup(st, 2, a);
		y->phone = store_col_dup(st, 3, a);
		if (!y->last_name || !y->first_name || !y->phone) {
			r = OOM(e);
			break;
		}
	}
	db_reset(st);
	return r;
}
