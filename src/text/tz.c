/* Time zones with ICU's ucal (see tz.h). */
#include "text/tz.h"

#include <math.h>
#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "core/date.h"

#define TZ_MAX_STEPS 64 /* window_next_instant: each step moves forward; a week has few */

/* Open a Gregorian calendar in zone, refusing names ICU does not know as a
 * system zone (ucal_open alone falls back to GMT without a word). */
static enum res tz_open(const char *zone, UCalendar **out, struct err *e)
{
	UChar id[TZ_NAME_MAX + 1], canon[TZ_NAME_MAX + 1];
	size_t n = zone ? strlen(zone) : 0;
	if (n == 0 || n > TZ_NAME_MAX)
		return err_set(e, RES_INVALID, "invalid_field", "time_zone",
			       "time zone must be an IANA zone name such as Europe/Moscow");
	for (size_t i = 0; i < n; i++) /* zone names are ASCII */
		if ((unsigned char)zone[i] < 0x21 || (unsigned char)zone[i] > 0x7e)
			return err_set(e, RES_INVALID, "invalid_field", "time_zone",
				       "time zone must be an IANA zone name such as Europe/Moscow");
	u_charsToUChars(zone, id, (int32_t)n);
	id[n] = 0;
	UErrorCode st = U_ZERO_ERROR;
	UBool system = false;
	ucal_getCanonicalTimeZoneID(id, (int32_t)n, canon, TZ_NAME_MAX + 1, &system, &st);
	if (U_FAILURE(st) || !system)
		return err_set(e, RES_INVALID, "invalid_field", "time_zone", "unknown time zone %s",
			       zone);
	st = U_ZERO_ERROR;
	UCalendar *cal = ucal_open(id, (int32_t)n, "en_US_POSIX", UCAL_GREGORIAN, &st);
	if (U_FAILURE(st) || !cal) {
		if (cal)
			ucal_close(cal);
		return err_set(e, RES_INTERNAL, NULL, "time_zone", "cannot open an ICU calendar: %s",
			       u_errorName(st));
	}
	/* proleptic Gregorian, like core/date.h; a change date before year 1 */
	ucal_setGregorianChange(cal, -1e17, &st);
	/* Lenient so that skipped wall times resolve instead of failing; the
	 * fields are range-checked before they reach ICU, so nothing rolls over. */
	ucal_setAttribute(cal, UCAL_LENIENT, 1);
	ucal_setAttribute(cal, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_NEXT_VALID);
	ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME, UCAL_WALLTIME_FIRST);
	if (U_FAILURE(st)) {
		ucal_close(cal);
		return err_set(e, RES_INTERNAL, NULL, "time_zone", "cannot set up an ICU calendar: %s",
			       u_errorName(st));
	}
	*out = cal;
	return RES_OK;
}

enum res tz_check(const char *zone, struct err *e)
{
	UCalendar *cal;
	enum res r = tz_open(zone, &cal, e);
	if (!r)
		ucal_close(cal);
	return r;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static enum res cal_to_local(UCalendar *cal, int64_t utc_us, struct tz_local *out, struct err *e)
{
	int64_t ms = floor_div(utc_us, 1000);
	UErrorCode st = U_ZERO_ERROR;
	ucal_setMillis(cal, (UDate)ms, &st);
	struct tz_local l = {0};
	l.y = ucal_get(cal, UCAL_EXTENDED_YEAR, &st);
	l.m = ucal_get(cal, UCAL_MONTH, &st) + 1;
	l.d = ucal_get(cal, UCAL_DATE, &st);
	l.hh = ucal_get(cal, UCAL_HOUR_OF_DAY, &st);
	l.mm = ucal_get(cal, UCAL_MINUTE, &st);
	l.ss = ucal_get(cal, UCAL_SECOND, &st);
	l.us = ucal_get(cal, UCAL_MILLISECOND, &st) * 1000 + (int32_t)(utc_us - ms * 1000);
	int32_t zone = ucal_get(cal, UCAL_ZONE_OFFSET, &st), dst = ucal_get(cal, UCAL_DST_OFFSET, &st);
	int dow = ucal_get(cal, UCAL_DAY_OF_WEEK, &st); /* 1 = Sunday */
	if (U_FAILURE(st))
		return err_set(e, RES_INTERNAL, NULL, NULL, "ICU calendar failure: %s", u_errorName(st));
	if (l.y < DATE_MIN_YEAR || l.y > DATE_MAX_YEAR)
		return err_set(e, RES_INVALID, "invalid_field", "time", "the instant is out of range");
	l.weekday = (dow + 5) % 7;
	l.offset_s = (zone + dst) / 1000;
	l.dst = dst != 0;
	*out = l;
	return RES_OK;
}

static bool local_valid(const struct tz_local *l)
{
	return date_valid_ymd(l->y, l->m, l->d) && l->hh >= 0 && l->hh < 24 && l->mm >= 0 &&
	       l->mm < 60 && l->ss >= 0 && l->ss < 60 && l->us >= 0 && l->us < 1000000;
}

/* first: the earlier of two occurrences in an overlap, else the later. */
static enum res cal_from_local(UCalendar *cal, const struct tz_local *l, bool first,
			       int64_t *utc_us, struct err *e)
{
	if (!local_valid(l))
		return err_set(e, RES_INVALID, "invalid_field", "time",
			       "not a valid local date and time");
	UErrorCode st = U_ZERO_ERROR;
	ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME, first ? UCAL_WALLTIME_FIRST : UCAL_WALLTIME_LAST);
	ucal_clear(cal);
	ucal_set(cal, UCAL_EXTENDED_YEAR, l->y);
	ucal_set(cal, UCAL_MONTH, l->m - 1);
	ucal_set(cal, UCAL_DATE, l->d);
	ucal_set(cal, UCAL_HOUR_OF_DAY, l->hh);
	ucal_set(cal, UCAL_MINUTE, l->mm);
	ucal_set(cal, UCAL_SECOND, l->ss);
	ucal_set(cal, UCAL_MILLISECOND, l->us / 1000);
	UDate ms = ucal_getMillis(cal, &st);
	ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME, UCAL_WALLTIME_FIRST);
	if (U_FAILURE(st) || !isfinite(ms))
		return err_set(e, RES_INTERNAL, NULL, NULL, "ICU calendar failure: %s", u_errorName(st));
	*utc_us = (int64_t)ms * 1000 + l->us % 1000;
	return RES_OK;
}

enum res tz_utc_to_local(const char *zone, int64_t utc_us, struct tz_local *out, struct err *e)
{
	UCalendar *cal;
	enum res r = tz_open(zone, &cal, e);
	if (r)
		return r;
	r = cal_to_local(cal, utc_us, out, e);
	ucal_close(cal);
	return r;
}

enum res tz_local_to_utc(const char *zone, const struct tz_local *in, int64_t *utc_us,
			 struct err *e)
{
	UCalendar *cal;
	enum res r = tz_open(zone, &cal, e);
	if (r)
		return r;
	r = cal_from_local(cal, in, true, utc_us, e);
	ucal_close(cal);
	return r;
}

/* Walk forward: take the wall-clock time of t; if a window is open, t is
 * the answer; else ask core/window for the next open minute and convert it
 * back. The conversion can land outside a window (a window start inside a
 * gap resolves to the gap's end, which may be past the window's end), so
 * the result is checked again in the next step rather than trusted. In an
 * overlap the first occurrence of the minute may lie before t (t is in the
 * second pass of the hour): then the second occurrence is the one ahead. */
enum res window_next_instant(const struct window_rules *s, const char *zone, int64_t now_us,
			     int64_t *next_us, struct err *e)
{
	enum res r;
	if ((r = window_rules_check(s, e)))
		return r;
	UCalendar *cal;
	if ((r = tz_open(zone, &cal, e)))
		return r;
	int64_t t = now_us;
	for (int step = 0; step < TZ_MAX_STEPS; step++) {
		struct tz_local l;
		if ((r = cal_to_local(cal, t, &l, e)))
			goto done;
		struct window_time wt = {l.y, l.m, l.d, l.hh, l.mm}, next;
		enum window_answer a = window_check(s, &wt, &next);
		if (a == WINDOW_OPEN) {
			*next_us = t;
			goto done;
		}
		if (a == WINDOW_NEVER) {
			r = err_set(e, RES_INVALID, "invalid_field", "windows",
				    "the sending windows never open");
			goto done;
		}
		struct tz_local nl = {.y = next.y, .m = next.m, .d = next.d, .hh = next.hh, .mm = next.mm};
		int64_t c;
		if ((r = cal_from_local(cal, &nl, true, &c, e)))
			goto done;
		if (c <= t && (r = cal_from_local(cal, &nl, false, &c, e)))
			goto done;
		if (c <= t) {
			r = err_set(e, RES_INTERNAL, NULL, "time_zone",
				    "the time zone %s does not move forward", zone);
			goto done;
		}
		t = c;
	}
	r = err_set(e, RES_INTERNAL, NULL, "time_zone", "no open window found in %d steps",
		    TZ_MAX_STEPS);
done:
	ucal_close(cal);
	return r;
}
