/* Printable documents (the case questionnaire and later forms): a title,
 * sections of label-value fields, tables and paragraphs, laid out on A4
 * pages with page numbers and rendered to PDF with cairo and pango. Text
 * may be in any script: the Noto fonts cover Latin, Cyrillic and Chinese
 * (fonts-noto-core, fonts-noto-cjk). Blocks are laid out as they are added;
 * one that does not fit goes to the next page (a table repeats its header
 * row there). */
#ifndef ASSIST_PDFDOC_H
#define ASSIST_PDFDOC_H

#include <stddef.h>

#include "base/err.h"

#define PDFDOC_MAX_BYTES (32u << 20)
#define PDFDOC_MAX_COLS 8

struct pdfdoc;

/* footer: printed on every page before the page number (may be NULL). */
struct pdfdoc *pdfdoc_new(const char *title, const char *subtitle, const char *footer);
void pdfdoc_section(struct pdfdoc *d, const char *heading);
void pdfdoc_field(struct pdfdoc *d, const char *label, const char *value);
void pdfdoc_paragraph(struct pdfdoc *d, const char *text);
/* ncols columns whose widths are the given shares of the line (summing to
 * 1); cells holds nrows * ncols texts, row by row (NULL = empty). */
void pdfdoc_table(struct pdfdoc *d, size_t ncols, const char *const *headers, const double *widths,
		  const char *const *cells, size_t nrows);
/* Finish the document: *out (malloc'd, *len bytes) is the PDF. d is freed
 * in every case. */
enum res pdfdoc_finish(struct pdfdoc *d, char **out, size_t *len, struct err *e) WUR;

#endif
