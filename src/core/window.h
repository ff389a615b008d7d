/* Sending windows (DESIGN.md E): when a class of message may reach a
 * person, in the person's local time, e.g. weekdays 18:30-20:30 and weekends
 * 09:00-12:00 and 15:00-21:00. Pure: it works on local civil date-times; the
 * time zone side (UTC instants, DST) is text/tz.h's window_next_instant.
 *
 * A rule set is a union of rules; each rule opens on some days of the week
 * for one range of minutes [from, to). A rule whose from is later than its
 * to crosses midnight: "fri 22:00-02:00" is open from Friday 22:00 to
 * Saturday 02:00, and its days name the day it opens on. "24:00" may end a
 * range (the end of the day), never start one.
 *
 * Compact text form (what admins type, and what window_format writes):
 *   mon-fri 18:30-20:30; sat,sun 09:00-12:00,15:00-21:00
 * Segments are separated by ';'. A segment is a list of days and day ranges
 * (mon tue wed thu fri sat sun, ASCII case ignored; a range may wrap:
 * "fri-mon"), spaces, then a list of HH:MM-HH:MM ranges. Each (days, range)
 * pair is one rule. Spaces around ';' and ',' are allowed.
 *
 * Urgent service messages bypass windows: that is the caller's decision
 * (it simply does not ask). Minutes are the resolution; seconds are the tz
 * layer's business. */
#ifndef ASSIST_WINDOW_H
#define ASSIST_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define WINDOW_RULES_MAX 32  /* rules in one set */
#define WINDOW_TEXT_MAX 1024 /* bytes of the compact text form, and of format's output */

#define WINDOW_MON (1u << 0)
#define WINDOW_TUE (1u << 1)
#define WINDOW_WED (1u << 2)
#define WINDOW_THU (1u << 3)
#define WINDOW_FRI (1u << 4)
#define WINDOW_SAT (1u << 5)
#define WINDOW_SUN (1u << 6)
#define WINDOW_WEEKDAYS 0x1fu
#define WINDOW_WEEKEND 0x60u
#define WINDOW_EVERY_DAY 0x7fu
#define WINDOW_DAY_MINUTES 1440

/* One rule, the JSON-friendly form an API handler fills from
 * {"days":["mon","tue"],"from":"18:30","to":"20:30"} with window_day_parse
 * and window_hhmm_parse, then checks with window_rules_check. */
struct window_rule {
	uint8_t days;      /* WINDOW_MON..WINDOW_SUN: the days it opens on; not 0 */
	uint16_t from, to; /* minutes after local midnight: from 0..1439, to 1..1440, from != to */
};

struct window_rules {
	struct window_rule rules[WINDOW_RULES_MAX];
	size_t n; /* 1..WINDOW_RULES_MAX for a valid set */
};

/* A local civil date-time to the minute. */
struct window_time {
	int y, m, d; /* a valid date (core/date.h range) */
	int hh, mm;  /* 0..23, 0..59 */
};

enum window_answer {
	WINDOW_OPEN,  /* allowed now */
	WINDOW_LATER, /* not now; *next is the first allowed minute */
	WINDOW_NEVER, /* the set has no rules (or t is not a valid time) */
};

/* Parse the compact text form. RES_INVALID with e->field "windows" and a
 * message giving the character position ("at character 9: expected HH:MM")
 * on any error: unknown day, bad time, empty range (from == to), 24:00 as a
 * start, no rules, more than WINDOW_RULES_MAX, longer than WINDOW_TEXT_MAX. */
enum res window_parse(const char *s, size_t n, struct window_rules *out, struct err *e) WUR;

/* Write the compact text form into out[cap] (NUL-terminated): consecutive
 * rules with the same days share a segment; three or more consecutive days
 * are written as a range. window_parse of the result gives the same
 * rules in the same order. RES_TOO_LARGE when cap is too small (out is then
 * cut short), RES_INVALID when the set does not pass window_rules_check. */
enum res window_format(const struct window_rules *s, char *out, size_t cap) WUR;

/* Check a set built from structs: RES_INVALID naming the first bad rule in
 * e->field ("windows[2].to"). */
enum res window_rules_check(const struct window_rules *s, struct err *e) WUR;

/* Is t inside a window; when not, the first minute after t that is
 * (*next, may be NULL). Windows repeat weekly, so a valid set always has an
 * answer within eight days. */
enum window_answer window_check(const struct window_rules *s, const struct window_time *t,
				struct window_time *next);

/* 0 = Monday .. 6 = Sunday, for a valid date. */
int window_weekday(int y, int m, int d);
/* "mon".."sun" (ASCII case ignored) to 0..6. */
bool window_day_parse(const char *s, size_t n, int *day);
/* "mon".."sun"; "" when out of range. */
const char *window_day_name(int day);
/* Strict "HH:MM", 00:00..23:59, or 24:00 when end is set. */
bool window_hhmm_parse(const char *s, size_t n, bool end, uint16_t *minutes);
/* "HH:MM" (24:00 for 1440) into out[6]. */
void window_hhmm_format(uint16_t minutes, char out[6]);

#endif
