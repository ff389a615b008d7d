/* Unit tests for src/core/date.c: civil dates, ages and limit windows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/date.h"

static cdate D(const char *s)
{
	cdate d = 0;
	assert_true(date_parse(s, strlen(s), &d));
	return d;
}

static void assert_date(cdate d, const char *want)
{
	char out[11];
	date_format(d, out);
	assert_string_equal(out, want);
}

static void t_parse_format(void **state)
{
	(void)state;
	assert_int_equal(D("1970-01-01"), 0);
	assert_int_equal(D("1970-01-02"), 1);
	assert_int_equal(D("1969-12-31"), -1);
	assert_date(D("2024-02-29"), "2024-02-29");
	assert_date(D("0001-01-01"), "0001-01-01");
	assert_date(D("9999-12-31"), "9999-12-31");
	cdate d;
	assert_false(date_parse("2023-02-29", 10, &d));
	assert_false(date_parse("1900-02-29", 10, &d)); /* century, not leap */
	assert_true(date_parse("2000-02-29", 10, &d));  /* 400-year, leap */
	assert_false(date_parse("2024-04-31", 10, &d));
	assert_false(date_parse("2024-00-10", 10, &d));
	assert_false(date_parse("2024-13-10", 10, &d));
	assert_false(date_parse("2024-1-10", 9, &d));
	assert_false(date_parse("2024/01/10", 10, &d));
	assert_false(date_parse("0000-01-01", 10, &d));
	assert_false(date_parse("2024-01-10T", 11, &d));
	/* every day of 1900..2100 round-trips */
	for (cdate x = D("1900-01-01"); x <= D("2100-12-31"); x++) {
		int y, m, dd;
		date_to_ymd(x, &y, &m, &dd);
		assert_true(date_valid_ymd(y, m, dd));
		assert_int_equal(date_from_ymd(y, m, dd), x);
	}
}

static void t_add(void **state)
{
	(void)state;
	assert_date(date_add_years(D("2024-02-29"), 1), "2025-02-28");
	assert_date(date_add_years(D("2024-02-29"), 4), "2028-02-29");
	assert_date(date_add_years(D("2023-03-01"), 1), "2024-03-01");
	assert_date(date_add_months(D("2024-01-31"), 1), "2024-02-29");
	assert_date(date_add_months(D("2023-01-31"), 1), "2023-02-28");
	assert_date(date_add_months(D("2024-12-15"), 1), "2025-01-15");
	assert_date(date_add_months(D("2024-03-31"), -1), "2024-02-29");
	assert_date(date_add_months(D("2024-01-15"), -13), "2022-12-15");
}

static void t_age(void **state)
{
	(void)state;
	assert_int_equal(date_age(D("1990-05-10"), D("2024-05-09")), 33);
	assert_int_equal(date_age(D("1990-05-10"), D("2024-05-10")), 34);
	assert_int_equal(date_age(D("2000-02-29"), D("2023-02-28")), 22);
	assert_int_equal(date_age(D("2000-02-29"), D("2023-03-01")), 23);
	assert_int_equal(date_age(D("2000-02-29"), D("2024-02-28")), 23);
	assert_int_equal(date_age(D("2000-02-29"), D("2024-02-29")), 24);
	assert_int_equal(date_age(D("2024-01-01"), D("2024-01-01")), 0);
	assert_int_equal(date_age(D("2024-12-31"), D("2025-12-30")), 0);
}

static void W(enum period p, const char *start, const char *end, const char *on, const char *first,
	      const char *last)
{
	struct window w;
	assert_true(period_window(p, D(start), D(end), D(on), &w));
	assert_date(w.first, first);
	assert_date(w.last, last);
}

static void t_windows(void **state)
{
	(void)state;
	W(PERIOD_TERM, "2026-03-15", "2027-03-14", "2026-07-01", "2026-03-15", "2027-03-14");
	/* policy years: anniversaries from the start, the last one cut at the end */
	W(PERIOD_POLICY_YEAR, "2026-03-15", "2028-06-30", "2026-03-15", "2026-03-15", "2027-03-14");
	W(PERIOD_POLICY_YEAR, "2026-03-15", "2028-06-30", "2027-03-14", "2026-03-15", "2027-03-14");
	W(PERIOD_POLICY_YEAR, "2026-03-15", "2028-06-30", "2027-03-15", "2027-03-15", "2028-03-14");
	W(PERIOD_POLICY_YEAR, "2026-03-15", "2028-06-30", "2028-06-30", "2028-03-15", "2028-06-30");
	/* a policy that starts on 29 February: its anniversaries are 28 February */
	W(PERIOD_POLICY_YEAR, "2024-02-29", "2027-12-31", "2025-02-27", "2024-02-29", "2025-02-27");
	W(PERIOD_POLICY_YEAR, "2024-02-29", "2027-12-31", "2025-02-28", "2025-02-28", "2026-02-27");
	W(PERIOD_CALENDAR_YEAR, "2026-03-15", "2027-03-14", "2026-12-31", "2026-01-01", "2026-12-31");
	W(PERIOD_QUARTER, "2026-01-01", "2026-12-31", "2026-01-01", "2026-01-01", "2026-03-31");
	W(PERIOD_QUARTER, "2026-01-01", "2026-12-31", "2026-06-30", "2026-04-01", "2026-06-30");
	W(PERIOD_QUARTER, "2026-01-01", "2026-12-31", "2026-07-01", "2026-07-01", "2026-09-30");
	W(PERIOD_QUARTER, "2026-01-01", "2026-12-31", "2026-12-31", "2026-10-01", "2026-12-31");
	W(PERIOD_MONTH, "2024-01-01", "2024-12-31", "2024-02-10", "2024-02-01", "2024-02-29");
	W(PERIOD_MONTH, "2023-01-01", "2023-12-31", "2023-02-28", "2023-02-01", "2023-02-28");
	W(PERIOD_MONTH, "2023-01-01", "2023-12-31", "2023-12-31", "2023-12-01", "2023-12-31");
	W(PERIOD_DAY, "2023-01-01", "2023-12-31", "2023-06-05", "2023-06-05", "2023-06-05");
	struct window w;
	assert_false(period_window(PERIOD_CASE, D("2023-01-01"), D("2023-12-31"), D("2023-06-05"), &w));
}

static void t_period_names(void **state)
{
	(void)state;
	enum period p;
	for (int i = 0; i <= PERIOD_CASE; i++) {
		const char *n = period_name((enum period)i);
		assert_true(period_parse(n, strlen(n), &p));
		assert_int_equal(p, i);
	}
	assert_false(period_parse("year", 4, &p));
	assert_string_equal(period_name((enum period)42), "");
}

/* Spreadsheet serials: the 1900 system with its phantom 29 February, and 1904. */
static void t_serial(void **state)
{
	(void)state;
	static const struct {
		int64_t serial;
		bool date1904;
		const char *want; /* NULL = not a date */
	} cases[] = {
		{1, false, "1900-01-01"},     {59, false, "1900-02-28"}, {60, false, NULL},
		{61, false, "1900-03-01"},    {0, false, NULL},          {-1, false, NULL},
		{46023, false, "2026-01-01"}, {2958465, false, "9999-12-31"}, {2958466, false, NULL},
		{0, true, "1904-01-01"},      {44561, true, "2026-01-01"}, {60, true, "1904-03-01"},
		{-1, true, NULL},             {2957003, true, "9999-12-31"}, {2957004, true, NULL},
		{INT64_MAX, false, NULL},     {INT64_MIN, true, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cdate d = 0;
		bool ok = date_from_serial(cases[i].serial, cases[i].date1904, &d);
		if (!cases[i].want) {
			if (ok)
				fail_msg("serial %lld (%s) should not be a date", (long long)cases[i].serial,
					 cases[i].date1904 ? "1904" : "1900");
			continue;
		}
		assert_true(ok);
		assert_date(d, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_parse_format), cmocka_unit_test(t_add), cmocka_unit_test(t_age),
		cmocka_unit_test(t_windows), cmocka_unit_test(t_period_names), cmocka_unit_test(t_serial),
	};
	return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
