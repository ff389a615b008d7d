/* Unit tests for src/core/window.c: the text form (parse, format, errors),
 * checks of structs, and "open now / next open minute" in local time,
 * crossing midnight and the week's end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/window.h"

static struct window_rules parse_ok(const char *s)
{
	struct window_rules w;
	struct err e;
	err_clear(&e);
	if (window_parse(s, strlen(s), &w, &e))
		fail_msg("\"%s\" did not parse: %s", s, e.message);
	return w;
}

static void parse_bad(const char *s, const char *message)
{
	struct window_rules w;
	struct err e;
	err_clear(&e);
	assert_int_equal(window_parse(s, strlen(s), &w, &e), RES_INVALID);
	assert_string_equal(e.field, "windows");
	if (message && strcmp(e.message, message) != 0)
		fail_msg("\"%s\": got \"%s\", want \"%s\"", s, e.message, message);
}

static void assert_format(const struct window_rules *w, const char *want)
{
	char out[WINDOW_TEXT_MAX];
	assert_int_equal(window_format(w, out, sizeof out), RES_OK);
	assert_string_equal(out, want);
	/* and it parses back to the same rules */
	struct window_rules back = parse_ok(out);
	assert_int_equal(back.n, w->n);
	for (size_t i = 0; i < w->n; i++) { /* field by field: the struct has padding */
		assert_int_equal(back.rules[i].days, w->rules[i].days);
		assert_int_equal(back.rules[i].from, w->rules[i].from);
		assert_int_equal(back.rules[i].to, w->rules[i].to);
	}
}

static void t_parse_format(void **state)
{
	(void)state;
	struct window_rules w = parse_ok("mon-fri 18:30-20:30; sat,sun 09:00-12:00,15:00-21:00");
	assert_int_equal(w.n, 3);
	assert_int_equal(w.rules[0].days, WINDOW_WEEKDAYS);
	assert_int_equal(w.rules[0].from, 18 * 60 + 30);
	assert_int_equal(w.rules[0].to, 20 * 60 + 30);
	assert_int_equal(w.rules[1].days, WINDOW_WEEKEND);
	assert_int_equal(w.rules[1].from, 9 * 60);
	assert_int_equal(w.rules[2].to, 21 * 60);
	assert_format(&w, "mon-fri 18:30-20:30; sat,sun 09:00-12:00,15:00-21:00");
}

static void t_parse_forms(void **state)
{
	(void)state;
	/* spaces, case, a wrapping range, 24:00 as an end */
	struct window_rules w = parse_ok("  Sat-SUN 10:00-24:00 ;fri-mon  00:00-01:00 , 23:00-24:00 ");
	assert_int_equal(w.n, 3);
	assert_int_equal(w.rules[0].days, WINDOW_WEEKEND);
	assert_int_equal(w.rules[0].to, 1440);
	assert_int_equal(w.rules[1].days, WINDOW_FRI | WINDOW_SAT | WINDOW_SUN | WINDOW_MON);
	assert_format(&w, "sat,sun 10:00-24:00; mon,fri-sun 00:00-01:00,23:00-24:00");
	w = parse_ok("mon,wed,fri 08:00-09:00");
	assert_format(&w, "mon,wed,fri 08:00-09:00");
	w = parse_ok("mon-sun 00:00-24:00");
	assert_int_equal(w.rules[0].days, WINDOW_EVERY_DAY);
	assert_format(&w, "mon-sun 00:00-24:00");
	w = parse_ok("mon,tue 08:00-09:00");
	assert_format(&w, "mon,tue 08:00-09:00");
	/* crossing midnight */
	w = parse_ok("fri,sat 22:00-02:00");
	assert_int_equal(w.rules[0].from, 1320);
	assert_int_equal(w.rules[0].to, 120);
	assert_format(&w, "fri,sat 22:00-02:00");
	/* the same days apart are two segments, kept in order */
	w = parse_ok("mon 08:00-09:00; tue 08:00-09:00; mon 10:00-11:00");
	assert_format(&w, "mon 08:00-09:00; tue 08:00-09:00; mon 10:00-11:00");
}

static void t_parse_errors(void **state)
{
	(void)state;
	parse_bad("", "no sending windows given");
	parse_bad("   ", "no sending windows given");
	parse_bad("mon", "at character 4: expected a space and then a time range HH:MM-HH:MM");
	parse_bad("monday 10:00-11:00", "at character 1: expected a day: mon, tue, wed, thu, fri, sat or sun");
	parse_bad("пн 10:00-11:00", "at character 1: expected a day: mon, tue, wed, thu, fri, sat or sun");
	parse_bad("mon 10:00", "at character 10: expected '-' between the two times");
	parse_bad("mon 9:00-10:00", "at character 5: expected a time HH:MM from 00:00 to 23:59");
	parse_bad("mon 10:00-10:00", "at character 5: the range is empty (from equals to)");
	parse_bad("mon 24:00-10:00", "at character 5: expected a time HH:MM from 00:00 to 23:59");
	parse_bad("mon 10:00-24:01", "at character 11: expected a time HH:MM from 00:01 to 24:00 (midnight is 24:00)");
	parse_bad("fri 20:00-00:00", "at character 11: expected a time HH:MM from 00:01 to 24:00 (midnight is 24:00)");
	parse_bad("mon 10:60-11:00", NULL);
	parse_bad("mon 10:00-11:00;", "at character 17: expected days after ';'");
	parse_bad("mon 10:00-11:00 tue 10:00-11:00",
		  "at character 17: expected ',' and another time range, or ';' and another segment");
	parse_bad("mon- 10:00-11:00", NULL);
	parse_bad("mon,,tue 10:00-11:00", NULL);
	parse_bad("Sat - sun 10:00-11:00", NULL);
	/* too many ranges */
	char s[WINDOW_TEXT_MAX + 8] = "mon ";
	for (int i = 0; i <= WINDOW_RULES_MAX; i++)
		snprintf(s + strlen(s), sizeof s - strlen(s), "%s%02d:00-%02d:30", i ? "," : "", i % 24,
			 i % 24);
	parse_bad(s, NULL);
	/* too long */
	memset(s, ' ', WINDOW_TEXT_MAX + 1);
	s[WINDOW_TEXT_MAX + 1] = '\0';
	parse_bad(s, "the sending windows text is longer than 1024 bytes");
}

static void t_check_structs(void **state)
{
	(void)state;
	struct err e;
	struct window_rules w = {.n = 2, .rules = {{WINDOW_WEEKDAYS, 600, 660}, {0, 600, 660}}};
	err_clear(&e);
	assert_int_equal(window_rules_check(&w, &e), RES_INVALID);
	assert_string_equal(e.field, "windows[1].days");
	w.rules[1] = (struct window_rule){WINDOW_MON, 1440, 10};
	assert_int_equal(window_rules_check(&w, &e), RES_INVALID);
	assert_string_equal(e.field, "windows[1].from");
	w.rules[1] = (struct window_rule){WINDOW_MON, 10, 10};
	assert_int_equal(window_rules_check(&w, &e), RES_INVALID);
	assert_string_equal(e.field, "windows[1].to");
	w.rules[1] = (struct window_rule){WINDOW_MON, 10, 1441};
	assert_int_equal(window_rules_check(&w, &e), RES_INVALID);
	w.rules[1] = (struct window_rule){0x80, 10, 20};
	assert_int_equal(window_rules_check(&w, &e), RES_INVALID);
	w.rules[1] = (struct window_rule){WINDOW_MON, 10, 20};
	assert_int_equal(window_rules_check(&w, &e), RES_OK);
	w.n = 0;
	assert_int_equal(window_rules_check(&w, &e), RES_INVALID);
	char out[8];
	assert_int_equal(window_format(&w, out, sizeof out), RES_INVALID);
	w.n = 1;
	assert_int_equal(window_format(&w, out, sizeof out), RES_TOO_LARGE); /* "mon-fri 10:00-11:00" */
	assert_string_equal(out, "mon-fri");

	/* the helpers an API handler uses for the JSON form */
	int d;
	uint16_t m;
	assert_true(window_day_parse("Wed", 3, &d));
	assert_int_equal(d, 2);
	assert_false(window_day_parse("wednesday", 9, &d));
	assert_string_equal(window_day_name(6), "sun");
	assert_string_equal(window_day_name(7), "");
	assert_true(window_hhmm_parse("24:00", 5, true, &m));
	assert_int_equal(m, 1440);
	assert_false(window_hhmm_parse("24:00", 5, false, &m));
	assert_false(window_hhmm_parse("7:00", 4, false, &m));
	char hm[6];
	window_hhmm_format(1439, hm);
	assert_string_equal(hm, "23:59");
}

static struct window_time T(int y, int m, int d, int hh, int mm)
{
	return (struct window_time){y, m, d, hh, mm};
}

static void assert_next(const struct window_rules *w, struct window_time t, enum window_answer want,
			const char *next)
{
	struct window_time n;
	enum window_answer a = window_check(w, &t, &n);
	assert_int_equal(a, want);
	char got[20];
	snprintf(got, sizeof got, "%04d-%02d-%02d %02d:%02d", n.y, n.m, n.d, n.hh, n.mm);
	if (strcmp(got, next) != 0)
		fail_msg("from %04d-%02d-%02d %02d:%02d: got %s, want %s", t.y, t.m, t.d, t.hh, t.mm,
			 got, next);
}

static void t_check(void **state)
{
	(void)state;
	/* 2026-03-23 is a Monday */
	assert_int_equal(window_weekday(2026, 3, 23), 0);
	assert_int_equal(window_weekday(2026, 3, 29), 6);
	assert_int_equal(window_weekday(1970, 1, 1), 3);
	assert_int_equal(window_weekday(1969, 12, 29), 0);
	struct window_rules w = parse_ok("mon-fri 18:30-20:30; sat,sun 09:00-12:00,15:00-21:00");
	assert_next(&w, T(2026, 3, 23, 18, 29), WINDOW_LATER, "2026-03-23 18:30");
	assert_next(&w, T(2026, 3, 23, 18, 30), WINDOW_OPEN, "2026-03-23 18:30");
	assert_next(&w, T(2026, 3, 23, 20, 29), WINDOW_OPEN, "2026-03-23 20:29");
	assert_next(&w, T(2026, 3, 23, 20, 30), WINDOW_LATER, "2026-03-24 18:30"); /* end excluded */
	assert_next(&w, T(2026, 3, 23, 3, 0), WINDOW_LATER, "2026-03-23 18:30");
	assert_next(&w, T(2026, 3, 27, 21, 0), WINDOW_LATER, "2026-03-28 09:00"); /* Friday night */
	assert_next(&w, T(2026, 3, 28, 12, 0), WINDOW_LATER, "2026-03-28 15:00");
	assert_next(&w, T(2026, 3, 28, 11, 59), WINDOW_OPEN, "2026-03-28 11:59");
	assert_next(&w, T(2026, 3, 29, 21, 0), WINDOW_LATER, "2026-03-30 18:30"); /* Sunday night */
	/* across a month and a year end */
	assert_next(&w, T(2026, 12, 31, 23, 59), WINDOW_LATER, "2027-01-01 18:30"); /* a Friday */
	assert_next(&w, T(2024, 2, 28, 21, 0), WINDOW_LATER, "2024-02-29 18:30");

	/* one day a week: the same weekday a week on */
	w = parse_ok("wed 10:00-11:00");
	assert_next(&w, T(2026, 3, 25, 11, 0), WINDOW_LATER, "2026-04-01 10:00");
	assert_next(&w, T(2026, 3, 25, 9, 59), WINDOW_LATER, "2026-03-25 10:00");

	/* crossing midnight: Friday 22:00 to Saturday 02:00 */
	w = parse_ok("fri 22:00-02:00");
	assert_next(&w, T(2026, 3, 27, 21, 59), WINDOW_LATER, "2026-03-27 22:00");
	assert_next(&w, T(2026, 3, 27, 23, 30), WINDOW_OPEN, "2026-03-27 23:30");
	assert_next(&w, T(2026, 3, 28, 1, 59), WINDOW_OPEN, "2026-03-28 01:59");
	assert_next(&w, T(2026, 3, 28, 2, 0), WINDOW_LATER, "2026-04-03 22:00");
	assert_next(&w, T(2026, 3, 27, 1, 0), WINDOW_LATER, "2026-03-27 22:00"); /* Thursday's night is not open */
	/* Sunday night into Monday */
	w = parse_ok("sun 23:00-01:00");
	assert_next(&w, T(2026, 3, 30, 0, 30), WINDOW_OPEN, "2026-03-30 00:30");
	assert_next(&w, T(2026, 3, 30, 1, 0), WINDOW_LATER, "2026-04-05 23:00");

	/* whole days */
	w = parse_ok("sat 00:00-24:00");
	assert_next(&w, T(2026, 3, 27, 23, 59), WINDOW_LATER, "2026-03-28 00:00");
	assert_next(&w, T(2026, 3, 28, 23, 59), WINDOW_OPEN, "2026-03-28 23:59");
	assert_next(&w, T(2026, 3, 29, 0, 0), WINDOW_LATER, "2026-04-04 00:00");

	/* invalid input */
	struct window_rules none = {.n = 0};
	struct window_time t = T(2026, 3, 23, 10, 0), n;
	assert_int_equal(window_check(&none, &t, &n), WINDOW_NEVER);
	t = T(2026, 2, 30, 10, 0);
	assert_int_equal(window_check(&w, &t, &n), WINDOW_NEVER);
	t = T(2026, 2, 3, 24, 0);
	assert_int_equal(window_check(&w, &t, &n), WINDOW_NEVER);
	/* the end of the calendar */
	t = T(9999, 12, 31, 23, 0);
	w = parse_ok("mon 10:00-11:00");
	assert_int_equal(window_check(&w, &t, &n), WINDOW_NEVER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_parse_format),  cmocka_unit_test(t_parse_forms),
		cmocka_unit_test(t_parse_errors),
		cmocka_unit_test(t_check_structs), cmocka_unit_test(t_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
