#include "core/date.h"

#include <string.h>

bool date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && date_is_leap(y) ? 29 : dim[m - 1];
}

bool date_valid_ymd(int y, int m, int d)
{
	return y >= DATE_MIN_YEAR && y <= DATE_MAX_YEAR && m >= 1 && m <= 12 && d >= 1 &&
	       d <= date_days_in_month(y, m);
}

/* H. Hinnant's days_from_civil / civil_from_days. */
cdate date_from_ymd(int y, int m, int d)
{
	y -= m <= 2;
	const int era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153u * (unsigned)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (unsigned)d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (cdate)(era * 146097 + (int)doe - 719468);
}

void date_to_ymd(cdate date, int *y, int *m, int *d)
{
	int z = date + 719468;
	const int era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)yoe + era * 400 + (*m <= 2);
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool date_from_serial(int64_t serial, bool date1904, cdate *out)
{
	cdate base;
	if (date1904) {
		if (serial < 0)
			return false;
		base = date_from_ymd(1904, 1, 1);
	} else {
		if (serial == 60 || serial < 1)
			return false;
		base = date_from_ymd(1899, 12, 31);
		if (serial > 60)
			serial--;
	}
	if (serial > date_from_ymd(9999, 12, 31) - base)
		return false;
	*out = base + (cdate)serial;
	return true;
}

bool date_parse(const char *s, size_t n, cdate *out)
{
	int y, m, d;
	if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
	    !digits(s + 8, 2, &d) || !date_valid_ymd(y, m, d))
		return false;
	*out = date_from_ymd(y, m, d);
	return true;
}

void date_format(cdate date, char out[11])
{
	int y, m, d;
	date_to_ymd(date, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;
	unsigned v[3] = {(unsigned)y, (unsigned)m, (unsigned)d};
	int w[3] = {4, 2, 2};
	char *p = out;
	for (int k = 0; k < 3; k++) {
		for (int i = w[k] - 1; i >= 0; i--) {
			p[i] = (char)('0' + v[k] % 10);
			v[k] /= 10;
		}
		p += w[k];
		if (k < 2)
			*p++ = '-';
	}
	*p = '\0';
}

cdate date_add_years(cdate date, int n)
{
	int y, m, d;
	date_to_ymd(date, &y, &m, &d);
	y += n;
	if (m == 2 && d == 29 && !date_is_leap(y))
		d = 28;
	return date_from_ymd(y, m, d);
}

cdate date_add_months(cdate date, int n)
{
	int y, m, d;
	date_to_ymd(date, &y, &m, &d);
	int total = y * 12 + (m - 1) + n;
	y = total / 12;
	m = total % 12 + 1;
	int dim = date_days_in_month(y, m);
	if (d > dim)
		d = dim;
	return date_from_ymd(y, m, d);
}

int date_age(cdate birth, cdate on)
{
	int by, bm, bd, y, m, d;
	date_to_ymd(birth, &by, &bm, &bd);
	date_to_ymd(on, &y, &m, &d);
	int age = y - by;
	/* birthday this year not reached yet? (29 Feb counts as 1 Mar in common years) */
	int bmm = bm, bdd = bd;
	if (bm == 2 && bd == 29 && !date_is_leap(y)) {
		bmm = 3;
		bdd = 1;
	}
	if (m < bmm || (m == bmm && d < bdd))
		age--;
	return age;
}

static const char *const period_names[] = {
	[PERIOD_TERM] = "term",       [PERIOD_POLICY_YEAR] = "policy_year",
	[PERIOD_CALENDAR_YEAR] = "calendar_year", [PERIOD_QUARTER] = "quarter",
	[PERIOD_MONTH] = "month",     [PERIOD_DAY] = "day",
	[PERIOD_CASE] = "case",
};

const char *period_name(enum period p)
{
	return (unsigned)p <= PERIOD_CASE ? period_names[p] : "";
}

bool period_parse(const char *s, size_t n, enum period *out)
{
	for (int i = 0; i <= PERIOD_CASE; i++)
		if (strlen(period_names[i]) == n && memcmp(period_names[i], s, n) == 0) {
			*out = (enum period)i;
			return true;
		}
	return false;
}

bool period_window(enum period p, cdate start, cdate end, cdate on, struct window *out)
{
	int y, m, d;
	date_to_ymd(on, &y, &m, &d);
	switch (p) {
	case PERIOD_TERM:
		out->first = start;
		out->last = end;
		return true;
	case PERIOD_POLICY_YEAR: {
		int sy, sm, sd;
		date_to_ymd(start, &sy, &sm, &sd);
		int k = y - sy;
		if (k < 0)
			k = 0;
		/* the anniversary on or before `on` */
		while (k > 0 && date_add_years(start, k) > on)
			k--;
		while (date_add_years(start, k + 1) <= on)
			k++;
		out->first = date_add_years(start, k);
		out->last = date_add_years(start, k + 1) - 1;
		if (out->last > end)
			out->last = end;
		return true;
	}
	case PERIOD_CALENDAR_YEAR:
		out->first = date_from_ymd(y, 1, 1);
		out->last = date_from_ymd(y, 12, 31);
		return true;
	case PERIOD_QUARTER: {
		int qm = (m - 1) / 3 * 3 + 1;
		out->first = date_from_ymd(y, qm, 1);
		out->last = date_from_ymd(y, qm + 2, date_days_in_month(y, qm + 2));
		return true;
	}
	case PERIOD_MONTH:
		out->first = date_from_ymd(y, m, 1);
		out->last = date_from_ymd(y, m, date_days_in_month(y, m));
		return true;
	case PERIOD_DAY:
		out->first = out->last = on;
		return true;
	case PERIOD_CASE:
		return false;
	}
	return false;
}
