/* Delivery feedback (issue 5): a case's messages, the messages report by
 * day, channel or reason with the delivery rate, costs per channel from the
 * unit prices (integer minor units), opt-outs per person and channel, and
 * the contact data to cleanse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/clock.h"
#include "core/date.h"
#include "core/phone.h"
#include "store/attachments.h"

#define DAY_US (86400LL * 1000000LL)
#define CASE_MESSAGES_MAX 500

enum res api_case_messages(struct req *r)
{
	int64_t id;
	struct case_row c;
	struct message *m;
	struct message_attachment *att = NULL;
	size_t n, natt = 0;
	enum res res;
	if ((res = req_param_id(r, 0, &id)) ||
	    (res = store_case_get(r->db, id, 0, &r->arena, &c, &r->err)) ||
	    (res = store_case_messages(r->db, id, CASE_MESSAGES_MAX, &r->arena, &m, &n, &r->err)))
		return res;
	int64_t oldest = INT64_MAX; /* the list is by time: its smallest id bounds the files read */
	for (size_t i = 0; i < n; i++)
		oldest = m[i].id < oldest ? m[i].id : oldest;
	if (n && (res = store_case_attachments(r->db, id, oldest, &r->arena, &att, &natt, &r->err)))
		return res;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		/* the files of each message (names and sizes), as GET
		 * /api/v1/messages/{id} shows them */
		json_t *mj = api_message_json(&m[i]), *aa = json_array();
		for (size_t j = 0; j < natt; j++)
			if (att[j].message_id == m[i].id)
				json_array_append_new(aa, json_pack("{s:s, s:s, s:I}", "name", att[j].name,
								    "content_type", att[j].content_type,
								    "size", (json_int_t)att[j].size));
		json_object_set_new(mj, "attachments", aa);
		json_array_append_new(arr, mj);
	}
	return req_json(r, 200, json_pack("{s:o}", "items", arr));
}

/* ---- the messages report and costs ---- */

/* ?key=YYYY-MM-DD as the instant its day starts (UTC), plus days; 0 = none. */
static enum res query_day(struct req *r, const char *key, int plus, int64_t *out)
{
	const char *s = req_query(r, key);
	*out = 0;
	if (!s)
		return RES_OK;
	cdate d;
	if (strlen(s) != 10 || !date_parse(s, 10, &d))
		return err_set(&r->err, RES_INVALID, "invalid_field", key,
			       "%s must be a date YYYY-MM-DD", key);
	*out = ((int64_t)d + plus) * DAY_US;
	if (*out == 0)
		*out = 1;
	return RES_OK;
}

/* from and to (inclusive days): the last 30 days by default. */
static enum res period(struct req *r, int64_t *from, int64_t *to)
{
	enum res res;
	if ((res = query_day(r, "from", 0, from)) || (res = query_day(r, "to", 1, to)))
		return res;
	char today[11];
	api_today(today);
	cdate td;
	if (!date_parse(today, 10, &td))
		return err_set(&r->err, RES_INTERNAL, NULL, NULL, "clock");
	if (!*to)
		*to = ((int64_t)td + 1) * DAY_US;
	if (!*from)
		*from = *to - 30 * DAY_US;
	if (*to <= *from)
		return err_set(&r->err, RES_INVALID, "invalid_field", "to", "to must not be before from");
	if (*to - *from > 3660 * DAY_US)
		return err_set(&r->err, RES_INVALID, "invalid_field", "from",
			       "the period may be at most ten years");
	return RES_OK;
}

static const char *const STATES[] = {"queued", "sending", "sent", "delivered", "failed", "expired"};
#define NSTATES (sizeof STATES / sizeof STATES[0])

struct msg_group {
	char key[80];
	int64_t total, by_state[NSTATES];
	json_t *reasons; /* reason -> count, of failed and expired messages */
};

static struct msg_group *group_of(struct req *r, struct msg_group **g, size_t *ng, size_t *cap,
				  const char *key)
{
	for (size_t i = 0; i < *ng; i++)
		if (strcmp((*g)[i].key, key) == 0)
			return &(*g)[i];
	if (*ng == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct msg_group *n2 = arena_alloc(&r->arena, nc * sizeof **g);
		if (!n2)
			return NULL;
		if (*ng)
			memcpy(n2, *g, *ng * sizeof **g);
		*g = n2;
		*cap = nc;
	}
	struct msg_group *x = &(*g)[(*ng)++];
	memset(x, 0, sizeof *x);
	snprintf(x->key, sizeof x->key, "%s", key);
	x->reasons = json_object();
	return x;
}

static void group_add(struct msg_group *x, const struct message_tally *t)
{
	x->total += t->count;
	for (size_t s = 0; s < NSTATES; s++)
		if (strcmp(STATES[s], t->status) == 0)
			x->by_state[s] += t->count;
	if (strcmp(t->status, "failed") == 0 || strcmp(t->status, "expired") == 0) {
		const char *why = *t->reason ? t->reason : t->status;
		json_t *v = json_object_get(x->reasons, why);
		json_object_set_new(x->reasons, why,
				    json_integer((v ? json_integer_value(v) : 0) + t->count));
	}
}

/* Delivered of those that ended (delivered, failed, expired), in tenths of
 * a percent as "93.3"; null while none ended. */
static json_t *rate_json(const struct msg_group *x)
{
	int64_t ended = x->by_state[3] + x->by_state[4] + x->by_state[5];
	if (!ended)
		return json_null();
	int64_t permille = (x->by_state[3] * 1000 + ended / 2) / ended;
	char s[48];
	snprintf(s, sizeof s, "%lld.%lld", (long long)(permille / 10), (long long)(permille % 10));
	return json_string(s);
}

static json_t *group_json(struct msg_group *x, bool with_key)
{
	json_t *o = json_pack("{s:I}", "total", (json_int_t)x->total);
	if (with_key)
		json_object_set_new(o, "key", json_string(x->key));
	for (size_t s = 0; s < NSTATES; s++)
		json_object_set_new(o, STATES[s], json_integer(x->by_state[s]));
	json_object_set_new(o, "reasons", x->reasons);
	json_object_set_new(o, "delivery_rate", rate_json(x));
	x->reasons = NULL;
	return o;
}

/* Costs per channel: parts handed to the gateway × the channel's unit
 * price, in minor units; totals per currency. */
static enum res costs_json(struct req *r, const struct message_tally *t, size_t n, json_t **out)
{
	struct message_price *p;
	size_t np;
	enum res res = store_message_prices(r->db, &r->arena, &p, &np, &r->err);
	if (res)
		return res;
	json_t *chans = json_array(), *totals = json_object();
	/* every priced channel, and any channel that has messages but no price */
	const char *names[32];
	size_t nn = 0;
	for (size_t i = 0; i < np && nn < 32; i++)
		names[nn++] = p[i].channel;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < nn && strcmp(names[k], t[i].channel) != 0)
			k++;
		if (k == nn && nn < 32)
			names[nn++] = t[i].channel;
	}
	for (size_t k = 0; k < nn; k++) {
		int64_t msgs = 0, billed_msgs = 0, parts = 0;
		for (size_t i = 0; i < n; i++)
			if (strcmp(t[i].channel, names[k]) == 0) {
				msgs += t[i].count;
				parts += t[i].billed_parts;
				if (t[i].billed_parts)
					billed_msgs += t[i].count;
			}
		const struct message_price *pr = NULL;
		for (size_t i = 0; i < np; i++)
			if (strcmp(p[i].channel, names[k]) == 0)
				pr = &p[i];
		json_t *o = json_pack("{s:s, s:I, s:I, s:I}", "channel", names[k], "messages",
				      (json_int_t)msgs, "billed_messages", (json_int_t)billed_msgs,
				      "parts", (json_int_t)parts);
		if (pr) {
			int64_t cost = parts * pr->per_part;
			json_object_set_new(o, "currency", json_string(pr->currency));
			json_object_set_new(o, "per_part", json_integer(pr->per_part));
			json_object_set_new(o, "cost", json_integer(cost));
			json_t *v = json_object_get(totals, pr->currency);
			json_object_set_new(totals, pr->currency,
					    json_integer((v ? json_integer_value(v) : 0) + cost));
		} else {
			json_object_set_new(o, "currency", json_null());
			json_object_set_new(o, "per_part", json_null());
			json_object_set_new(o, "cost", json_null());
		}
		json_array_append_new(chans, o);
	}
	json_t *tot = json_array();
	const char *cur;
	json_t *v;
	json_object_foreach(totals, cur, v)
		json_array_append_new(tot, json_pack("{s:s, s:O}", "currency", cur, "cost", v));
	json_decref(totals);
	*out = json_pack("{s:o, s:o}", "channels", chans, "totals", tot);
	return RES_OK;
}

static json_t *period_json(int64_t from, int64_t to)
{
	char f[11], t[11];
	date_format((cdate)(from / DAY_US), f);
	date_format((cdate)((to - 1) / DAY_US), t);
	return json_pack("{s:s, s:s}", "from", f, "to", t);
}

enum res api_reports_messages(struct req *r)
{
	const char *by = req_query(r, "by");
	if (!by)
		by = "day";
	if (strcmp(by, "day") && strcmp(by, "channel") && strcmp(by, "reason"))
		return err_set(&r->err, RES_INVALID, "invalid_field", "by",
			       "by must be day, channel or reason");
	int64_t from, to;
	struct message_tally *t;
	size_t n;
	enum res res;
	if ((res = period(r, &from, &to)) ||
	    (res = store_message_tallies(r->db, from, to, &r->arena, &t, &n, &r->err)))
		return res;
	struct msg_group *g = NULL, all;
	size_t ng = 0, cap = 0;
	memset(&all, 0, sizeof all);
	all.reasons = json_object();
	for (size_t i = 0; i < n; i++) {
		char key[80];
		if (by[0] == 'd')
			date_format((cdate)t[i].day, key);
		else if (by[0] == 'c')
			snprintf(key, sizeof key, "%s", t[i].channel);
		else if (strcmp(t[i].status, "failed") == 0 && *t[i].reason)
			snprintf(key, sizeof key, "%s", t[i].reason);
		else
			snprintf(key, sizeof key, "%s", t[i].status); /* delivered, expired, ... */
		struct msg_group *x = group_of(r, &g, &ng, &cap, key);
		if (!x) {
			json_decref(all.reasons);
			for (size_t k = 0; k < ng; k++)
				json_decref(g[k].reasons);
			return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
		}
		group_add(x, &t[i]);
		group_add(&all, &t[i]);
	}
	/* days in order; channels and reasons by their count, then name */
	for (size_t i = 1; i < ng; i++)
		for (size_t j = i; j > 0; j--) {
			bool swap = by[0] == 'd' ? strcmp(g[j - 1].key, g[j].key) > 0
						 : g[j - 1].total < g[j].total ||
							   (g[j - 1].total == g[j].total &&
							    strcmp(g[j - 1].key, g[j].key) > 0);
			if (!swap)
				break;
			struct msg_group x = g[j];
			g[j] = g[j - 1];
			g[j - 1] = x;
		}
	json_t *arr = json_array();
	for (size_t i = 0; i < ng; i++)
		json_array_append_new(arr, group_json(&g[i], true));
	json_t *costs;
	if ((res = costs_json(r, t, n, &costs))) {
		json_decref(arr);
		json_decref(all.reasons);
		return res;
	}
	json_t *out = period_json(from, to);
	json_object_set_new(out, "by", json_string(by));
	json_object_set_new(out, "groups", arr);
	json_object_set_new(out, "total", group_json(&all, false));
	json_object_set_new(out, "costs", costs);
	return req_json(r, 200, out);
}

enum res api_reports_costs(struct req *r)
{
	int64_t from, to;
	struct message_tally *t;
	size_t n;
	json_t *costs;
	enum res res;
	if ((res = period(r, &from, &to)) ||
	    (res = store_message_tallies(r->db, from, to, &r->arena, &t, &n, &r->err)) ||
	    (res = costs_json(r, t, n, &costs)))
		return res;
	json_t *out = period_json(from, to);
	json_object_update(out, costs);
	json_decref(costs);
	return req_json(r, 200, out);
}

/* ---- opt-outs ---- */

static enum res opt_out(struct req *r, bool on)
{
	int64_t id;
	struct person p;
	enum res res;
	if ((res = req_param_id(r, 0, &id)) ||
	    (res = store_person_get(r->db, id, &r->arena, &p, &r->err)))
		return res;
	const char *channel = r->params[1];
	if (!channel || (strcmp(channel, "sms") && strcmp(channel, "email")))
		return err_set(&r->err, RES_INVALID, "invalid_field", "channel",
			       "channel must be sms or email");
	bool changed;
	if ((res = store_opt_out_set(r->db, id, channel, on, clock_now_us(), &changed, &r->err)))
		return res;
	if (changed) {
		json_t *before = json_pack("{s:s, s:b}", "channel", channel, "opted_out", !on);
		json_t *after = json_pack("{s:s, s:b}", "channel", channel, "opted_out", on);
		res = req_audit(r, on ? "opt_out" : "opt_in", "person", id, before, after);
		json_decref(before);
		json_decref(after);
		char t1[32];
		snprintf(t1, sizeof t1, "person:%lld", (long long)id);
		if (res || (res = api_event(r, "person.opt_outs",
					    json_pack("{s:I}", "id", (json_int_t)id), t1, NULL)))
			return res;
	}
	json_t *out = json_pack("{s:I}", "person_id", (json_int_t)id);
	if ((res = api_person_opt_outs(r, id, out))) {
		json_decref(out);
		return res;
	}
	return req_json(r, 200, out);
}

enum res api_opt_out_put(struct req *r)
{
	return opt_out(r, true);
}

enum res api_opt_out_delete(struct req *r)
{
	return opt_out(r, false);
}

enum res api_person_opt_outs(struct req *r, int64_t person_id, json_t *out)
{
	const char **ch;
	size_t n;
	enum res res = store_opt_outs(r->db, person_id, &r->arena, &ch, &n, &r->err);
	if (res)
		return res;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_string(ch[i]));
	json_object_set_new(out, "opt_outs", arr);
	return RES_OK;
}

/* ---- contact data ---- */

static bool phone_invalid(const struct contact_row_x *x, void *ctx)
{
	(void)ctx;
	char norm[PHONE_E164_MAX + 1];
	return !phone_normalize(x->phone, strlen(x->phone), norm) || strcmp(norm, x->phone) != 0;
}

enum res api_reports_contact_data(struct req *r)
{
	static const char *const KINDS[] = {"missing_phone", "invalid_phone", "failed_invalid"};
	const char *kind = req_query(r, "kind");
	int want = -1;
	if (kind) {
		for (int k = 0; k < 3; k++)
			if (strcmp(kind, KINDS[k]) == 0)
				want = k;
		if (want < 0)
			return err_set(&r->err, RES_INVALID, "invalid_field", "kind",
				       "kind must be missing_phone, invalid_phone or failed_invalid");
	}
	int64_t limit, offset;
	enum res res;
	if ((res = req_paging(r, 50, 500, &limit, &offset)))
		return res;
	struct contact_row_x *rows[3];
	size_t nrows[3];
	if ((res = store_contact_rows(r->db, CONTACT_NO_PHONE, &r->arena, NULL, NULL, &rows[0],
				      &nrows[0], &r->err)) ||
	    (res = store_contact_rows(r->db, CONTACT_ALL_PHONES, &r->arena, phone_invalid, NULL,
				      &rows[1], &nrows[1], &r->err)) ||
	    (res = store_contact_rows(r->db, CONTACT_FAILED_INVALID, &r->arena, NULL, NULL,
				      &rows[2], &nrows[2], &r->err)))
		return res;
	json_t *items = json_array();
	int64_t total = 0;
	for (int k = 0; k < 3; k++) {
		if (want >= 0 && k != want)
			continue;
		for (size_t i = 0; i < nrows[k]; i++, total++) {
			if (total < offset || total >= offset + limit)
				continue;
			const struct contact_row_x *x = &rows[k][i];
			json_array_append_new(
				items,
				json_pack("{s:s, s:o, s:s, s:s, s:o, s:o}", "kind", KINDS[k], "person_id",
					  x->person_id ? json_integer(x->person_id) : json_null(),
					  "last_name", x->last_name, "first_name", x->first_name, "phone",
					  json_str_or_null(*x->phone ? x->phone : NULL), k == 2 ? "failed_at" : "updated_at",
					  json_time(x->at)));
		}
	}
	return req_json(r, 200,
			json_pack("{s:o, s:I, s:I, s:I, s:{s:I, s:I, s:I}}", "items", items, "total",
				  (json_int_t)total, "limit", (json_int_t)limit, "offset",
				  (json_int_t)offset, "totals", KINDS[0], (json_int_t)nrows[0],
				  KINDS[1], (json_int_t)nrows[1], KINDS[2], (json_int_t)nrows[2]));
}
