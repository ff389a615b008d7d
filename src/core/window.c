/* Sending windows (see window.h). */
#include "core/window.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"

static const char day_names[7][4] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

int window_weekday(int y, int m, int d)
{
	/* 1970-01-01, day 0, was a Thursday (3) */
	int w = (int)(date_from_ymd(y, m, d) % 7);
	return (w + 7 + 3) % 7;
}

const char *window_day_name(int day)
{
	return day >= 0 && day < 7 ? day_names[day] : "";
}

bool window_day_parse(const char *s, size_t n, int *day)
{
	if (n != 3)
		return false;
	char low[3];
	for (int i = 0; i < 3; i++)
		low[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	for (int i = 0; i < 7; i++)
		if (memcmp(low, day_names[i], 3) == 0) {
			*day = i;
			return true;
		}
	return false;
}

static bool digit2(const char *s, int *v)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return false;
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	return true;
}

bool window_hhmm_parse(const char *s, size_t n, bool end, uint16_t *minutes)
{
	int h, m;
	if (n != 5 || s[2] != ':' || !digit2(s, &h) || !digit2(s + 3, &m) || m > 59)
		return false;
	if (h > 24 || (h == 24 && (m != 0 || !end)))
		return false;
	*minutes = (uint16_t)(h * 60 + m);
	return true;
}

void window_hhmm_format(uint16_t minutes, char out[6])
{
	unsigned h = minutes / 60u % 100u, m = minutes % 60u;
	out[0] = (char)('0' + h / 10);
	out[1] = (char)('0' + h % 10);
	out[2] = ':';
	out[3] = (char)('0' + m / 10);
	out[4] = (char)('0' + m % 10);
	out[5] = '\0';
}

static bool rule_ok(const struct window_rule *r, const char **what)
{
	if (!r->days || (r->days & ~WINDOW_EVERY_DAY)) {
		*what = "days";
		return false;
	}
	if (r->from >= WINDOW_DAY_MINUTES) {
		*what = "from";
		return false;
	}
	if (r->to == 0 || r->to > WINDOW_DAY_MINUTES || r->to == r->from) {
		*what = "to";
		return false;
	}
	return true;
}

enum res window_rules_check(const struct window_rules *s, struct err *e)
{
	if (s->n == 0)
		return err_set(e, RES_INVALID, "invalid_field", "windows", "no sending windows given");
	if (s->n > WINDOW_RULES_MAX)
		return err_set(e, RES_INVALID, "invalid_field", "windows",
			       "more than %d sending windows", WINDOW_RULES_MAX);
	for (size_t i = 0; i < s->n; i++) {
		const char *what;
		if (!rule_ok(&s->rules[i], &what)) {
			char field[48];
			snprintf(field, sizeof field, "windows[%zu].%s", i, what);
			return err_set(e, RES_INVALID, "invalid_field", field,
				       what[0] == 'd'   ? "must name at least one day of the week"
				       : what[0] == 'f' ? "must be a time from 00:00 to 23:59"
							: "must be a time from 00:01 to 24:00, not equal to from");
		}
	}
	return RES_OK;
}

/* ---- the text form ---- */

struct parser {
	const char *s;
	size_t n, i;
	struct err *e;
};

static void p_ws(struct parser *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
		p->i++;
}

static enum res p_fail(struct parser *p, const char *what)
{
	/* character (code point) position, 1-based, so it matches what the admin sees */
	size_t col = 1;
	for (size_t k = 0; k < p->i && k < p->n; k++)
		col += ((unsigned char)p->s[k] & 0xc0) != 0x80;
	return err_set(p->e, RES_INVALID, "invalid_field", "windows", "at character %zu: %s", col,
		       what);
}

static size_t p_alpha(struct parser *p)
{
	size_t k = p->i;
	while (k < p->n && ((p->s[k] >= 'a' && p->s[k] <= 'z') || (p->s[k] >= 'A' && p->s[k] <= 'Z')))
		k++;
	return k - p->i;
}

static enum res p_day(struct parser *p, int *day)
{
	size_t k = p_alpha(p);
	if (!window_day_parse(p->s + p->i, k, day))
		return p_fail(p, "expected a day: mon, tue, wed, thu, fri, sat or sun");
	p->i += k;
	return RES_OK;
}

/* days := item (',' item)* ; item := day | day '-' day */
static enum res p_days(struct parser *p, uint8_t *mask)
{
	enum res r;
	*mask = 0;
	for (;;) {
		int a, b;
		if ((r = p_day(p, &a)))
			return r;
		b = a;
		if (p->i < p->n && p->s[p->i] == '-') {
			p->i++;
			if ((r = p_day(p, &b)))
				return r;
		}
		for (int d = a;; d = (d + 1) % 7) { /* a range may wrap past Sunday */
			*mask |= (uint8_t)(1u << d);
			if (d == b)
				break;
		}
		size_t save = p->i;
		p_ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			p_ws(p);
			continue;
		}
		p->i = save;
		return RES_OK;
	}
}

static enum res p_time(struct parser *p, bool end, uint16_t *min)
{
	/* an end of 00:00 would be an empty or whole-day range in disguise:
	 * midnight as an end is written 24:00 */
	if (p->n - p->i < 5 || !window_hhmm_parse(p->s + p->i, 5, end, min) || (end && *min == 0))
		return p_fail(p, end ? "expected a time HH:MM from 00:01 to 24:00 (midnight is 24:00)"
				     : "expected a time HH:MM from 00:00 to 23:59");
	p->i += 5;
	return RES_OK;
}

enum res window_parse(const char *s, size_t n, struct window_rules *out, struct err *e)
{
	struct parser p = {.s = s, .n = n, .e = e};
	enum res r;
	out->n = 0;
	if (n > WINDOW_TEXT_MAX)
		return err_set(e, RES_INVALID, "invalid_field", "windows",
			       "the sending windows text is longer than %d bytes", WINDOW_TEXT_MAX);
	p_ws(&p);
	if (p.i == n)
		return err_set(e, RES_INVALID, "invalid_field", "windows", "no sending windows given");
	for (;;) {
		uint8_t days;
		p_ws(&p);
		if ((r = p_days(&p, &days)))
			return r;
		size_t before = p.i;
		p_ws(&p);
		if (p.i == before)
			return p_fail(&p, "expected a space and then a time range HH:MM-HH:MM");
		for (;;) {
			struct window_rule rule = {.days = days};
			size_t at = p.i;
			if ((r = p_time(&p, false, &rule.from)))
				return r;
			if (p.i >= n || s[p.i] != '-')
				return p_fail(&p, "expected '-' between the two times");
			p.i++;
			if ((r = p_time(&p, true, &rule.to)))
				return r;
			if (rule.to == rule.from) {
				p.i = at;
				return p_fail(&p, "the range is empty (from equals to)");
			}
			if (out->n == WINDOW_RULES_MAX) {
				p.i = at;
				return p_fail(&p, "too many time ranges (at most 32)");
			}
			out->rules[out->n++] = rule;
			p_ws(&p);
			if (p.i < n && s[p.i] == ',') {
				p.i++;
				p_ws(&p);
				continue;
			}
			break;
		}
		if (p.i == n)
			return RES_OK;
		if (s[p.i] != ';')
			return p_fail(&p, "expected ',' and another time range, or ';' and another segment");
		p.i++;
		p_ws(&p);
		if (p.i == n)
			return p_fail(&p, "expected days after ';'");
	}
}

/* Append to out[cap] at *len; false when it does not fit. */
static bool put(char *out, size_t cap, size_t *len, const char *s)
{
	size_t k = strlen(s);
	if (*len + k >= cap) {
		size_t room = cap - 1 - *len;
		memcpy(out + *len, s, room);
		*len = cap - 1;
		out[*len] = '\0';
		return false;
	}
	memcpy(out + *len, s, k + 1);
	*len += k;
	return true;
}

static bool put_days(char *out, size_t cap, size_t *len, uint8_t mask)
{
	bool first = true;
	for (int d = 0; d < 7;) {
		if (!(mask & (1u << d))) {
			d++;
			continue;
		}
		int end = d;
		while (end + 1 < 7 && (mask & (1u << (end + 1))))
			end++;
		if (!first && !put(out, cap, len, ","))
			return false;
		first = false;
		if (end - d >= 2) {
			if (!put(out, cap, len, day_names[d]) || !put(out, cap, len, "-") ||
			    !put(out, cap, len, day_names[end]))
				return false;
		} else {
			for (int k = d; k <= end; k++)
				if ((k > d && !put(out, cap, len, ",")) || !put(out, cap, len, day_names[k]))
					return false;
		}
		d = end + 1;
	}
	return true;
}

enum res window_format(const struct window_rules *s, char *out, size_t cap)
{
	if (cap == 0)
		return RES_TOO_LARGE;
	out[0] = '\0';
	if (window_rules_check(s, NULL))
		return RES_INVALID;
	size_t len = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct window_rule *r = &s->rules[i];
		bool same = i > 0 && s->rules[i - 1].days == r->days;
		char a[6], b[6];
		window_hhmm_format(r->from, a);
		window_hhmm_format(r->to, b);
		bool ok = same ? put(out, cap, &len, ",")
			       : (i == 0 || put(out, cap, &len, "; ")) && put_days(out, cap, &len, r->days) &&
					 put(out, cap, &len, " ");
		if (!ok || !put(out, cap, &len, a) || !put(out, cap, &len, "-") || !put(out, cap, &len, b))
			return RES_TOO_LARGE;
	}
	return RES_OK;
}

/* ---- checking a time ---- */

/* The open interval of rule r that starts on a day of weekday w and is the
 * earliest to start at or after minute `after` that day, as its start
 * minute; -1 when none. A rule crossing midnight has two pieces per day:
 * its evening [from, 1440) on its own days and its morning [0, to) on the
 * day after. */
static int rule_next_start(const struct window_rule *r, int w, int after)
{
	int best = -1;
	bool opens_today = r->days & (1u << w);
	bool opened_yesterday = r->days & (1u << ((w + 6) % 7));
	if (r->from < r->to) {
		if (opens_today && r->from >= after)
			best = r->from;
	} else {
		if (opened_yesterday && after == 0)
			best = 0;
		else if (opens_today && r->from >= after)
			best = r->from;
	}
	return best;
}

static bool rule_contains(const struct window_rule *r, int w, int minute)
{
	bool opens_today = r->days & (1u << w);
	if (r->from < r->to)
		return opens_today && minute >= r->from && minute < r->to;
	bool opened_yesterday = r->days & (1u << ((w + 6) % 7));
	return (opens_today && minute >= r->from) || (opened_yesterday && minute < r->to);
}

static bool time_valid(const struct window_time *t)
{
	return date_valid_ymd(t->y, t->m, t->d) && t->hh >= 0 && t->hh < 24 && t->mm >= 0 &&
	       t->mm < 60;
}

enum window_answer window_check(const struct window_rules *s, const struct window_time *t,
				struct window_time *next)
{
	if (!s->n || !time_valid(t))
		return WINDOW_NEVER;
	int w = window_weekday(t->y, t->m, t->d), minute = t->hh * 60 + t->mm;
	for (size_t i = 0; i < s->n; i++)
		if (rule_contains(&s->rules[i], w, minute)) {
			if (next)
				*next = *t;
			return WINDOW_OPEN;
		}
	cdate today = date_from_ymd(t->y, t->m, t->d);
	/* today after now, then the next seven days: a weekly rule recurs within them */
	for (int k = 0; k <= 7; k++) {
		int best = -1, wd = (w + k) % 7;
		for (size_t i = 0; i < s->n; i++) {
			int st = rule_next_start(&s->rules[i], wd, k == 0 ? minute + 1 : 0);
			if (st >= 0 && (best < 0 || st < best))
				best = st;
		}
		if (best < 0)
			continue;
		if (today + k > date_from_ymd(DATE_MAX_YEAR, 12, 31))
			return WINDOW_NEVER;
		struct window_time n = {.hh = best / 60, .mm = best % 60};
		date_to_ymd(today + k, &n.y, &n.m, &n.d);
		if (next)
			*next = n;
		return WINDOW_LATER;
	}
	return WINDOW_NEVER; /* not reached for a set that passes window_rules_check */
}
