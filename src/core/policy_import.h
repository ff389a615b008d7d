/* Policy lists (issue 3, "Policy list import"): the column template, and the
 * decoding of one row into a checked policy with its insured person. Pure;
 * the readers (CSV, XLSX) give rows of text, the importer (api/imports.c)
 * applies them to the database. docs/imports.md is the user's page. */
#ifndef ASSIST_POLICY_IMPORT_H
#define ASSIST_POLICY_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/str.h"
#include "core/date.h"
#include "core/phone.h"

enum pcol {
	PCOL_POLICY_NUMBER, PCOL_PROGRAM, PCOL_PACKAGES, PCOL_START_DATE, PCOL_END_DATE,
	PCOL_STATUS, PCOL_SUM_INSURED, PCOL_PREVIOUS_POLICY, PCOL_LAST_NAME, PCOL_FIRST_NAME,
	PCOL_MIDDLE_NAME, PCOL_BIRTH_DATE, PCOL_SEX, PCOL_PHONE, PCOL_EMAIL, PCOL_DOCUMENT,
	PCOL_ADDRESS, PCOL_CITY, PCOL_LANGUAGE, PCOL_TIME_ZONE,
	PCOL__COUNT
};
const char *pcol_name(enum pcol c);
bool pcol_required(enum pcol c);

/* Where each template column is in the file (-1 = absent). */
struct pcol_map {
	int at[PCOL__COUNT];
	size_t nfile; /* columns in the header */
};

/* One problem with the file: row (1 = the header), column name, why. */
struct import_issue {
	size_t row;
	const char *column; /* static, or NULL for the whole row */
	const char *code;   /* static: what is wrong, for a translated message
			     * ("not_date", "no_program", … see import_issue_code) */
	char value[160];    /* the name or value the message is about ("" = none) */
	char message[160];  /* in English */
};
/* The code of an issue message format ("%s is empty" → "empty"); "other"
 * for a format not in the table. */
const char *import_issue_code(const char *fmt);

/* Map a header row. Names are matched case-insensitively, spaces and '-'
 * taken as '_'. Unknown, repeated or missing required columns are issues
 * (returns how many were added to out[cap]). */
size_t pcol_map_header(const struct slice *f, size_t n, struct pcol_map *map,
		       struct import_issue *out, size_t cap);

struct policy_input {
	size_t row;
	const char *number, *program;
	const char **packages; /* NULL = all */
	size_t npackages;
	cdate start, end;
	const char *status;
	long long sum_insured; /* -1 = the program's */
	const char *previous;  /* NULL = none */
	const char *last_name, *first_name, *middle_name;
	cdate birth_date;
	char sex[2];
	char phone[PHONE_E164_MAX + 1]; /* "" = none */
	const char *email, *document, *address, *city, *language, *time_zone; /* NULL = none */
};

/* Decode one data row (strings copied into a). Date cells may be
 * YYYY-MM-DD, DD.MM.YYYY, or spreadsheet serial numbers when
 * date_serials is set (date1904 for workbooks in the 1904 system).
 * Returns the number of issues added to out[cap]; 0 means *p is valid. */
size_t policy_input_decode(const struct pcol_map *map, size_t row, const struct slice *f,
			   size_t n, bool date_serials, bool date1904, struct arena *a,
			   struct policy_input *p, struct import_issue *out, size_t cap);

/* A date cell: "YYYY-MM-DD", "DD.MM.YYYY", or (serials) a day number of the
 * 1900 (Excel, with its 29 Feb 1900) or 1904 system. */
bool import_date_parse(const char *s, size_t n, bool serials, bool date1904, cdate *out);

#endif
