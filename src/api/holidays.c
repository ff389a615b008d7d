/* Holidays the `holiday` trigger greets on (admin): GET /api/v1/holidays,
 * PUT and DELETE /api/v1/holidays/{month_day}. A holiday is a month and day
 * (MM-DD, every year) with a name; changes are audited (entity holiday,
 * the month and day in before/after). */
#include <string.h>

#include "api/api.h"
#include "core/cases.h"

#define HOLIDAY_NAME_MAX 100

static json_t *holiday_json(const char *month_day, const char *name)
{
	return json_pack("{s:s, s:s}", "month_day", month_day, "name", name);
}

/* "MM-DD" of a day that exists in some year: 02-29 is one (a leap year's
 * holiday is greeted only in leap years), 02-30 and 13-01 are not. */
static bool month_day_valid(const char *s)
{
	static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (strlen(s) != 5 || s[2] != '-')
		return false;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return false;
	int m = (s[0] - '0') * 10 + (s[1] - '0'), d = (s[3] - '0') * 10 + (s[4] - '0');
	return m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1];
}

static enum res holiday_key(struct req *r, const char **month_day)
{
	*month_day = r->params[0];
	if (!month_day_valid(*month_day))
		return err_set(&r->err, RES_INVALID, "invalid_field", "month_day",
			       "month_day must be a day of the year as MM-DD, such as 01-01");
	return RES_OK;
}

enum res api_holidays_list(struct req *r)
{
	struct holiday_row *h;
	size_t n;
	enum res res = store_holidays_list(r->db, &r->arena, &h, &n, &r->err);
	if (res)
		return res;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, holiday_json(h[i].month_day, h[i].name));
	return req_json(r, 200, json_pack("{s:o}", "items", items));
}

enum res api_holidays_put(struct req *r)
{
	static const char *const keys[] = {"name", NULL};
	const char *month_day, *name, *old;
	enum res res;
	if ((res = holiday_key(r, &month_day)) || (res = api_need_body(r)) ||
	    (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = jd_str(r->json, "name", true, HOLIDAY_NAME_MAX, &name, NULL, &r->err)))
		return res;
	if (text_blank(name))
		return err_set(&r->err, RES_INVALID, "invalid_field", "name",
			       "name must not be empty");
	if ((res = store_holiday_get(r->db, month_day, &r->arena, &old, &r->err)) ||
	    (res = store_holiday_put(r->db, month_day, name, &r->err)))
		return res;
	json_t *before = old ? holiday_json(month_day, old) : NULL,
	       *after = holiday_json(month_day, name);
	res = req_audit(r, old ? "update" : "create", "holiday", 0, before, after);
	json_decref(before);
	if (res) {
		json_decref(after);
		return res;
	}
	return req_json(r, old ? 200 : 201, after);
}

enum res api_holidays_delete(struct req *r)
{
	const char *month_day, *old;
	enum res res;
	if ((res = holiday_key(r, &month_day)) ||
	    (res = store_holiday_get(r->db, month_day, &r->arena, &old, &r->err)))
		return res;
	if (!old)
		return err_set(&r->err, RES_NOT_FOUND, "not_found", NULL, "no such holiday");
	if ((res = store_holiday_delete(r->db, month_day, &r->err)))
		return res;
	json_t *before = holiday_json(month_day, old);
	res = req_audit(r, "delete", "holiday", 0, before, NULL);
	json_decref(before);
	if (res)
		return res;
	return req_empty(r, 204);
}
