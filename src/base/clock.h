/* Instants: microseconds since the Unix epoch, UTC. */
#ifndef ASSIST_CLOCK_H
#define ASSIST_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int64_t clock_now_us(void);   /* wall clock */
int64_t clock_mono_us(void);  /* monotonic, for durations */
/* "2026-11-22T04:19:15Z" (seconds) or with ".123" milliseconds when ms is set.
 * out must hold 32 bytes. */
void clock_format_rfc3339(int64_t us, bool ms, char out[32]);
/* Parse RFC 3339 date-time ("2026-11-22T04:19:15Z", fraction and ±HH:MM
 * offsets accepted) into microseconds. Returns false on anything else. */
bool clock_parse_rfc3339(const char *s, size_t n, int64_t *us);

#endif
