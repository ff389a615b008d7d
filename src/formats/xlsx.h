/* A streaming XLSX reader: the first worksheet of a workbook held in memory,
 * given row by row as text fields, the way csv.h gives a CSV file, so both
 * feed the same row pipeline.
 *
 * What a field holds: shared and inline strings (rich text runs joined,
 * phonetic runs left out), formula results, TRUE/FALSE, error values as
 * written (#N/A), numbers as plain decimals (4.5658E4 gives 45658, 1E+7
 * gives 10000000; never ".0" or an exponent for a whole number), and
 * numbers whose cell format is a date as "YYYY-MM-DD" in the workbook's
 * date system. Rows are numbered as the spreadsheet shows them (row 1 is
 * the first); empty rows are skipped, empty cells between filled ones are
 * empty fields, and a row ends at its last filled cell.
 *
 * Every limit is explicit and checked against both what the archive
 * declares and what actually inflates. */
#ifndef ASSIST_XLSX_H
#define ASSIST_XLSX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

#define XLSX_MAX_FIELD (64 * 1024)              /* bytes of one cell's text */
#define XLSX_MAX_COLUMNS 256                    /* filled columns A..IV */
#define XLSX_MAX_ENTRIES 10000                  /* files in the archive */
#define XLSX_MAX_PART ((uint64_t)16 << 20)      /* workbook.xml, its rels, styles.xml */
#define XLSX_MAX_SHARED ((uint64_t)256 << 20)   /* sharedStrings.xml, inflated */
#define XLSX_MAX_SHEET ((uint64_t)1 << 30)      /* the worksheet, inflated */
#define XLSX_MAX_STRINGS (1u << 24)             /* shared strings */
#define XLSX_MAX_STYLES 65536                   /* cell formats, and number formats */
#define XLSX_MAX_DEPTH 64                       /* XML elements nested */
#define XLSX_MAX_TOKEN ((uint64_t)4 << 20)      /* XML read without one element or text piece */

/* Called for each row with a filled cell: fields[nfields] valid only during
 * the call. Return non-zero to stop (xlsx_read returns that value). The
 * same shape as csv_row_fn. */
typedef int (*xlsx_row_fn)(void *ctx, size_t row, const struct slice *fields, size_t nfields);

struct xlsx;
/* data[len] is borrowed and must outlive the reader. NULL = out of memory. */
struct xlsx *xlsx_new(const char *data, size_t len);
/* The same over a file of len bytes, read with pread; fd stays the caller's. */
struct xlsx *xlsx_new_fd(int fd, size_t len);
void xlsx_free(struct xlsx *x);
/* Read the workbook around the sheet: which sheet is first, the date system,
 * the cell formats and the shared strings. 0, or -1 with xlsx_error. */
int xlsx_open(struct xlsx *x);
/* After xlsx_open: true for a workbook in the 1904 date system. */
bool xlsx_date1904(const struct xlsx *x);
/* After xlsx_open: stream the first worksheet through fn. Returns 0, fn's
 * non-zero value, or -1 with xlsx_error. */
int xlsx_read(struct xlsx *x, xlsx_row_fn fn, void *ctx);
/* What went wrong, naming the part or row: "row 7: more than 256 columns",
 * "xl/sharedStrings.xml: string 12 is too long". */
const char *xlsx_error(const struct xlsx *x);
/* The sheet row the error is in, 0 when it is about the file as a whole. */
size_t xlsx_error_row(const struct xlsx *x);

#endif
