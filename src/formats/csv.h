/* A streaming CSV reader (RFC 4180 as spreadsheets write it): fields may be
 * quoted, quotes inside doubled, line breaks inside quotes kept; rows end
 * with LF or CRLF; a UTF-8 byte order mark at the start is skipped. The
 * delimiter is ',' or ';' (Excel in Russian locales writes ';'), chosen from
 * the first line when not given. Feed it any chunks; it calls back once per
 * row. Every limit is explicit. */
#ifndef ASSIST_CSV_H
#define ASSIST_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/str.h"

#define CSV_MAX_FIELD (64 * 1024)
#define CSV_MAX_FIELDS 256

struct csv;
/* Called for each row: fields[nfields] valid only during the call. Return
 * non-zero to stop (that value is returned by csv_feed/csv_finish). */
typedef int (*csv_row_fn)(void *ctx, size_t row, const struct slice *fields, size_t nfields);

struct csv *csv_new(char delimiter /* 0 = detect */, csv_row_fn fn, void *ctx);
void csv_free(struct csv *c);
/* Returns 0, the callback's non-zero value, or -1 on malformed input (then
 * csv_error says what and where). */
int csv_feed(struct csv *c, const char *p, size_t n);
int csv_finish(struct csv *c);
const char *csv_error(const struct csv *c); /* "row 12: ..." */
size_t csv_rows(const struct csv *c);

#endif
