/* Unit tests for src/text/tz.c: UTC to local and back in IANA zones, the
 * DST gap and overlap rules (Berlin, New York), zones without DST (Moscow,
 * Shanghai), a half-hour offset (Kolkata), unknown zones, and the next
 * instant a sending window opens across clock changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "text/tz.h"

static int64_t U(const char *rfc3339)
{
	int64_t us = 0;
	assert_true(clock_parse_rfc3339(rfc3339, strlen(rfc3339), &us));
	return us;
}

static const char *fmt(int64_t us, char out[32])
{
	clock_format_rfc3339(us, false, out);
	return out;
}

/* Local fields of an instant, as "YYYY-MM-DD hh:mm:ss +offset_s dst weekday". */
static void assert_local(const char *zone, const char *utc, const char *want)
{
	struct tz_local l;
	struct err e;
	err_clear(&e);
	if (tz_utc_to_local(zone, U(utc), &l, &e))
		fail_msg("%s %s: %s", zone, utc, e.message);
	char got[80];
	snprintf(got, sizeof got, "%04d-%02d-%02d %02d:%02d:%02d %+d %s %d", l.y, l.m, l.d, l.hh, l.mm,
		 l.ss, l.offset_s, l.dst ? "dst" : "std", l.weekday);
	if (strcmp(got, want) != 0)
		fail_msg("%s %s: got \"%s\", want \"%s\"", zone, utc, got, want);
}

static void assert_utc(const char *zone, int y, int m, int d, int hh, int mm, const char *want)
{
	struct tz_local l = {.y = y, .m = m, .d = d, .hh = hh, .mm = mm};
	int64_t us;
	struct err e;
	err_clear(&e);
	if (tz_local_to_utc(zone, &l, &us, &e))
		fail_msg("%s: %s", zone, e.message);
	char got[32];
	if (strcmp(fmt(us, got), want) != 0)
		fail_msg("%s %04d-%02d-%02d %02d:%02d: got %s, want %s", zone, y, m, d, hh, mm, got, want);
}

static void t_berlin(void **state)
{
	(void)state;
	/* spring forward 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00Z */
	assert_local("Europe/Berlin", "2026-03-29T00:59:59Z", "2026-03-29 01:59:59 +3600 std 6");
	assert_local("Europe/Berlin", "2026-03-29T01:00:00Z", "2026-03-29 03:00:00 +7200 dst 6");
	assert_utc("Europe/Berlin", 2026, 3, 29, 1, 59, "2026-03-29T00:59:00Z");
	assert_utc("Europe/Berlin", 2026, 3, 29, 2, 0, "2026-03-29T01:00:00Z");  /* in the gap */
	assert_utc("Europe/Berlin", 2026, 3, 29, 2, 30, "2026-03-29T01:00:00Z"); /* in the gap */
	assert_utc("Europe/Berlin", 2026, 3, 29, 3, 0, "2026-03-29T01:00:00Z");
	assert_utc("Europe/Berlin", 2026, 3, 29, 3, 30, "2026-03-29T01:30:00Z");
	/* fall back 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00Z; 02:30 twice */
	assert_local("Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-25 02:30:00 +7200 dst 6");
	assert_local("Europe/Berlin", "2026-10-25T01:30:00Z", "2026-10-25 02:30:00 +3600 std 6");
	assert_utc("Europe/Berlin", 2026, 10, 25, 2, 30, "2026-10-25T00:30:00Z"); /* the first */
	assert_utc("Europe/Berlin", 2026, 10, 25, 1, 59, "2026-10-24T23:59:00Z");
	assert_utc("Europe/Berlin", 2026, 10, 25, 3, 0, "2026-10-25T02:00:00Z");
}

static void t_new_york(void **state)
{
	(void)state;
	/* 2026-03-08: 02:00 EST becomes 03:00 EDT at 07:00Z */
	assert_local("America/New_York", "2026-03-08T06:59:00Z", "2026-03-08 01:59:00 -18000 std 6");
	assert_local("America/New_York", "2026-03-08T07:00:00Z", "2026-03-08 03:00:00 -14400 dst 6");
	assert_utc("America/New_York", 2026, 3, 8, 2, 30, "2026-03-08T07:00:00Z");
	/* 2026-11-01: 02:00 EDT becomes 01:00 EST at 06:00Z; 01:30 twice */
	assert_local("America/New_York", "2026-11-01T05:30:00Z", "2026-11-01 01:30:00 -14400 dst 6");
	assert_local("America/New_York", "2026-11-01T06:30:00Z", "2026-11-01 01:30:00 -18000 std 6");
	assert_utc("America/New_York", 2026, 11, 1, 1, 30, "2026-11-01T05:30:00Z");
	assert_utc("America/New_York", 2026, 11, 1, 2, 0, "2026-11-01T07:00:00Z");
}

static void t_fixed_offsets(void **state)
{
	(void)state;
	assert_local("Europe/Moscow", "2026-03-29T00:30:00Z", "2026-03-29 03:30:00 +10800 std 6");
	assert_local("Europe/Moscow", "2026-07-01T21:00:00Z", "2026-07-02 00:00:00 +10800 std 3");
	assert_utc("Europe/Moscow", 2026, 3, 29, 2, 30, "2026-03-28T23:30:00Z");
	assert_local("Asia/Shanghai", "2026-11-01T06:30:00Z", "2026-11-01 14:30:00 +28800 std 6");
	assert_utc("Asia/Shanghai", 2026, 1, 1, 0, 0, "2025-12-31T16:00:00Z");
	assert_local("Asia/Kolkata", "2026-01-01T00:00:00Z", "2026-01-01 05:30:00 +19800 std 3");
	assert_utc("Asia/Kolkata", 2026, 1, 1, 0, 0, "2025-12-31T18:30:00Z");
	assert_local("UTC", "2026-01-01T00:00:00Z", "2026-01-01 00:00:00 +0 std 3");
	/* a zone's history is known: Moscow was +04 all year in 2013 */
	assert_local("Europe/Moscow", "2013-01-01T00:00:00Z", "2013-01-01 04:00:00 +14400 std 1");
	/* an old alias is still a zone */
	assert_local("Europe/Kiev", "2026-01-01T00:00:00Z", "2026-01-01 02:00:00 +7200 std 3");
}

static void t_precision_and_errors(void **state)
{
	(void)state;
	struct tz_local l;
	struct err e;
	err_clear(&e);
	/* microseconds survive both ways, before 1970 too */
	int64_t t = U("1969-12-31T23:59:59.123Z") + 456;
	assert_int_equal(tz_utc_to_local("Asia/Kolkata", t, &l, &e), RES_OK);
	assert_int_equal(l.ss, 59);
	assert_int_equal(l.us, 123456);
	assert_int_equal(l.hh, 5);
	int64_t back;
	assert_int_equal(tz_local_to_utc("Asia/Kolkata", &l, &back, &e), RES_OK);
	assert_int_equal(back, t);

	const char *bad[] = {"Mars/Olympus_Mons", "", "GMT+3", "Europe/Berlin ", "europe/berlin!",
			     "Europe/Berlin\n", "../../etc/passwd"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		assert_int_equal(tz_utc_to_local(bad[i], 0, &l, &e), RES_INVALID);
		assert_string_equal(e.field, "time_zone");
		assert_int_equal(tz_check(bad[i], &e), RES_INVALID);
	}
	assert_int_equal(tz_utc_to_local(NULL, 0, &l, &e), RES_INVALID);
	assert_int_equal(tz_check("Asia/Shanghai", &e), RES_OK);
	assert_int_equal(tz_check("UTC", &e), RES_OK);
	/* fields out of range are refused, not rolled over */
	struct tz_local odd[] = {{.y = 2026, .m = 4, .d = 31}, {.y = 2026, .m = 1, .d = 1, .hh = 24},
				 {.y = 2026, .m = 1, .d = 1, .mm = 60}, {.y = 2026, .m = 13, .d = 1},
				 {.y = 2026, .m = 1, .d = 1, .us = 1000000}, {.y = 0, .m = 1, .d = 1}};
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
		assert_int_equal(tz_local_to_utc("Europe/Berlin", &odd[i], &back, &e), RES_INVALID);
	struct tz_local ok = {.y = 2026, .m = 1, .d = 1};
	assert_int_equal(tz_local_to_utc("Mars/Base", &ok, &back, &e), RES_INVALID);
}

static struct window_rules W(const char *s)
{
	struct window_rules w;
	struct err e;
	err_clear(&e);
	if (window_parse(s, strlen(s), &w, &e))
		fail_msg("%s: %s", s, e.message);
	return w;
}

static void assert_next(const char *rules, const char *zone, const char *now, const char *want)
{
	struct window_rules w = W(rules);
	int64_t next = 0;
	struct err e;
	err_clear(&e);
	if (window_next_instant(&w, zone, U(now), &next, &e))
		fail_msg("%s in %s from %s: %s", rules, zone, now, e.message);
	char got[32];
	if (strcmp(fmt(next, got), want) != 0)
		fail_msg("%s in %s from %s: got %s, want %s", rules, zone, now, got, want);
}

static void t_window_next_instant(void **state)
{
	(void)state;
	const char *std = "mon-fri 18:30-20:30; sat,sun 09:00-12:00,15:00-21:00";
	/* open now: the same instant back, to the microsecond */
	assert_next(std, "Europe/Moscow", "2026-03-23T15:45:00.5Z", "2026-03-23T15:45:00Z");
	/* Friday 21:00 in Moscow: Saturday 09:00 MSK */
	assert_next(std, "Europe/Moscow", "2026-03-27T18:00:00Z", "2026-03-28T06:00:00Z");
	/* seconds: 18:29:30 waits for 18:30:00 */
	assert_next(std, "Europe/Moscow", "2026-03-23T15:29:30Z", "2026-03-23T15:30:00Z");
	/* the same moment is a different local time elsewhere */
	assert_next(std, "Asia/Shanghai", "2026-03-27T13:00:00Z", "2026-03-28T01:00:00Z");
	assert_next("mon-fri 09:00-18:00", "Asia/Kolkata", "2026-03-23T03:00:00Z", "2026-03-23T03:30:00Z");
	/* Berlin over the spring-forward weekend: Friday night CET, Monday 18:30 CEST */
	assert_next(std, "Europe/Berlin", "2026-03-27T20:00:00Z", "2026-03-28T08:00:00Z");
	assert_next("mon-fri 18:30-20:30", "Europe/Berlin", "2026-03-27T20:00:00Z", "2026-03-30T16:30:00Z");
	/* a window that starts inside the gap opens at its end (03:00 CEST) */
	assert_next("sun 02:30-04:00", "Europe/Berlin", "2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z");
	/* a window wholly inside the gap does not open that day: next Sunday */
	assert_next("sun 02:00-02:45", "Europe/Berlin", "2026-03-29T00:30:00Z", "2026-04-05T00:00:00Z");
	/* a window around the gap is open before it */
	assert_next("sun 01:00-03:30", "Europe/Berlin", "2026-03-29T00:30:00Z", "2026-03-29T00:30:00Z");
	/* fall back in New York: 01:30 comes twice */
	assert_next("sun 01:30-03:00", "America/New_York", "2026-11-01T05:10:00Z", "2026-11-01T05:30:00Z");
	/* in the second pass of 01:xx the first 01:30 is already past: the second one */
	assert_next("sun 01:30-03:00", "America/New_York", "2026-11-01T06:10:00Z", "2026-11-01T06:30:00Z");
	/* and 01:40 EST is open by the wall clock */
	assert_next("sun 01:30-03:00", "America/New_York", "2026-11-01T06:40:00Z", "2026-11-01T06:40:00Z");
	/* a window that is only the repeated hour is open in both passes */
	assert_next("sun 01:00-02:00", "America/New_York", "2026-11-01T06:59:00Z", "2026-11-01T06:59:00Z");
	assert_next("sun 01:00-02:00", "America/New_York", "2026-11-01T07:00:00Z", "2026-11-08T06:00:00Z");
	/* New York spring forward: "sun 02:00-02:30" never exists that day */
	assert_next("sun 02:00-02:30", "America/New_York", "2026-03-08T06:00:00Z", "2026-03-15T06:00:00Z");
	/* over the fall-back weekend: Friday 21:00 EDT, Monday 18:30 EST */
	assert_next("mon-fri 18:30-20:30", "America/New_York", "2026-10-31T01:00:00Z", "2026-11-02T23:30:00Z");
	/* crossing midnight in a zone: Saturday 23:00 to Sunday 01:00 Berlin */
	assert_next("sat 23:00-01:00", "Europe/Berlin", "2026-03-28T23:30:00Z", "2026-03-28T23:30:00Z");
	assert_next("sat 23:00-01:00", "Europe/Berlin", "2026-03-29T00:00:00Z", "2026-04-04T21:00:00Z");

	struct window_rules w = W(std);
	int64_t next;
	struct err e;
	err_clear(&e);
	assert_int_equal(window_next_instant(&w, "Mars/Base", 0, &next, &e), RES_INVALID);
	assert_string_equal(e.field, "time_zone");
	w.n = 0;
	assert_int_equal(window_next_instant(&w, "UTC", 0, &next, &e), RES_INVALID);
	assert_string_equal(e.field, "windows");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_berlin),        cmocka_unit_test(t_new_york),
		cmocka_unit_test(t_fixed_offsets), cmocka_unit_test(t_precision_and_errors),
		cmocka_unit_test(t_window_next_instant),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
