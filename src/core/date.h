/* Civil dates (dates of cover, birth dates) and the windows that limits are
 * counted in. A date is a day number: days since 1970-01-01 in the proleptic
 * Gregorian calendar. Pure. */
#ifndef ASSIST_DATE_H
#define ASSIST_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int32_t cdate;

#define DATE_MIN_YEAR 1
#define DATE_MAX_YEAR 9999

bool date_valid_ymd(int y, int m, int d);
/* The date of y-m-d; the caller guarantees date_valid_ymd. */
cdate date_from_ymd(int y, int m, int d);
void date_to_ymd(cdate date, int *y, int *m, int *d);
/* Strict "YYYY-MM-DD" (exactly 10 bytes, a real calendar date). */
bool date_parse(const char *s, size_t n, cdate *out);
/* out holds 11 bytes: "YYYY-MM-DD". */
void date_format(cdate date, char out[11]);
bool date_is_leap(int y);
int date_days_in_month(int y, int m);
/* A spreadsheet day number (Excel, LibreOffice). The 1900 system counts
 * 1900-01-01 as day 1 and keeps Lotus 1-2-3's 29 February 1900, a day that
 * never was, as day 60, so days from 61 on are one ahead of the true count;
 * the 1904 system (old Mac workbooks) counts 1904-01-01 as day 0. False for
 * day 60 and days before the first (1 or 0), and after 9999-12-31. */
bool date_from_serial(int64_t serial, bool date1904, cdate *out);
/* Same day n years later; 29 February becomes 28 February in a common year. */
cdate date_add_years(cdate date, int n);
/* Same day n months later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb). */
cdate date_add_months(cdate date, int n);
/* Full years of age on a date. Someone born on 29 February comes of a new
 * age on 1 March in common years (the day after 28 February). */
int date_age(cdate birth, cdate on);

/* Limit periods (DESIGN.md A; issue 3 rule 5). */
enum period {
	PERIOD_TERM,          /* the whole policy term */
	PERIOD_POLICY_YEAR,   /* anniversary years from the policy start */
	PERIOD_CALENDAR_YEAR,
	PERIOD_QUARTER,
	PERIOD_MONTH,
	PERIOD_DAY,
	PERIOD_CASE,          /* per assistance case: not a date window */
};
const char *period_name(enum period p);
bool period_parse(const char *s, size_t n, enum period *out);

/* A window of dates: first and last day, both included. */
struct window {
	cdate first, last;
};

/* The window of period p that contains date on, for a policy running from
 * start to end (both included). term and policy_year windows never reach past
 * the policy end; the calendar windows are the calendar's. PERIOD_CASE has no
 * date window: returns false. */
bool period_window(enum period p, cdate start, cdate end, cdate on, struct window *out);

#endif
