/* Time zones with ICU (ucal): UTC instants to local civil time in an IANA
 * zone and back, and the next instant a sending window (core/window.h) is
 * open for a recipient in a zone.
 *
 * Local to UTC is ambiguous twice a year where clocks change:
 *  - a gap (spring forward: 02:30 does not exist in Berlin on 2026-03-29)
 *    resolves to the first valid instant after the gap (03:00 CEST, 01:00Z);
 *  - an overlap (fall back: 01:30 happens twice in New York on 2026-11-01)
 *    resolves to the first occurrence (01:30 EDT, 05:30Z).
 *
 * Thread-safe: each call opens its own calendar (ICU caches the zone data,
 * so opening costs microseconds). Zone names are IANA system IDs
 * ("Europe/Berlin", "Asia/Kolkata", "UTC"; old aliases such as
 * "Europe/Kiev" too); anything else ("Mars/Base", "GMT+3", "") is refused
 * rather than silently treated as GMT, which is what ICU would do. */
#ifndef ASSIST_TZ_H
#define ASSIST_TZ_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "core/window.h"

#define TZ_NAME_MAX 64 /* bytes of a zone name */

struct tz_local {
	int y, m, d;      /* civil date, years 1..9999 */
	int hh, mm, ss;   /* 0..23, 0..59, 0..59 (no leap seconds) */
	int32_t us;       /* microseconds 0..999999 */
	/* filled by tz_utc_to_local, ignored by tz_local_to_utc: */
	int weekday;      /* 0 = Monday .. 6 = Sunday */
	int32_t offset_s; /* local minus UTC in seconds, DST included (+19800 in Kolkata) */
	bool dst;         /* daylight saving time in effect */
};

/* RES_OK when zone is a known IANA zone; RES_INVALID with field "time_zone" otherwise. */
enum res tz_check(const char *zone, struct err *e) WUR;

/* The local civil time of instant utc_us (microseconds since the epoch) in zone. */
enum res tz_utc_to_local(const char *zone, int64_t utc_us, struct tz_local *out,
			 struct err *e) WUR;

/* The instant of a local civil time in zone (gap: first instant after it;
 * overlap: first occurrence). RES_INVALID for an unknown zone or fields out
 * of range (no rolling over: 24:00 or 31 April are refused). */
enum res tz_local_to_utc(const char *zone, const struct tz_local *in, int64_t *utc_us,
			 struct err *e) WUR;

/* The first instant at or after now_us at which the window set s is open
 * in zone: *next_us == now_us when it is open now. Windows are in the
 * recipient's wall-clock time; a window that opens inside a DST gap opens
 * at the end of the gap (when that is still inside the window: a window
 * wholly inside the gap does not open that day); during an overlap the
 * wall clock decides, so a window 01:00-02:00 is open in both passes of
 * that hour. RES_INVALID for an unknown zone or an invalid set. */
enum res window_next_instant(const struct window_rules *s, const char *zone, int64_t now_us,
			     int64_t *next_us, struct err *e) WUR;

#endif
