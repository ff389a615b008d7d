/* Importing policy lists, CSV or XLSX through one row pipeline:
 * every row checked and reported (row, column, why); a real run applies
 * rows in the caller's transaction, which the caller commits only when no
 * row failed, so an import is all or nothing. A row equal to what is stored
 * changes nothing; a changed row makes a new version of the policy, with
 * its before and after in the audit trail. Shared by `assist import
 * policies` and POST /api/v1/imports/policies. */
#ifndef ASSIST_IMPORTS_H
#define ASSIST_IMPORTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/policy_import.h"
#include "store/store.h"

#define IMPORT_MAX_ISSUES 1000      /* reported; all are counted */
#define IMPORT_MAX_ROWS 5000000

struct import_report {
	size_t rows;       /* data rows read */
	size_t created, updated, unchanged;
	size_t errors;     /* issues found, all of them */
	struct import_issue issues[IMPORT_MAX_ISSUES];
	size_t nissues;    /* issues kept (the first IMPORT_MAX_ISSUES) */
	int64_t import_id; /* a real run that was applied: its imports row */
};

struct importer;
struct importer *importer_new(struct db *db, bool dry_run, int64_t actor_id, const char *actor_login,
			      const char *request_id, struct import_report *report);
void importer_free(struct importer *im);
/* How date cells are read: spreadsheet serial numbers accepted (XLSX), in
 * the 1904 date system. Both false unless set (CSV). */
void importer_set_dates(struct importer *im, bool serials, bool date1904);
/* For csv_new and xlsx_read: the header, then each data row. */
int importer_row(void *im, size_t row, const struct slice *f, size_t n);
/* A fatal problem (unreadable file, database error): stops the import. */
bool importer_failed(const struct importer *im, struct err *e);

/* Check (dry_run) or apply a whole file held in memory (an XLSX workbook
 * when it starts as a ZIP archive does, else CSV), inside the caller's
 * transaction. RES_OK with rep->errors > 0 means the rows were bad: the
 * caller must not commit. An error return is a failure of the machinery. */
/* Where the file is: in memory (fd < 0), or an open file: a CSV file is
 * read from fd in chunks, an XLSX workbook with pread (len is then the
 * file's size). */
struct import_source {
	const char *data;
	size_t len;
	int fd;
};
enum res import_policies_source(struct db *db, const char *file_name,
				const struct import_source *src, bool dry_run, int64_t actor_id,
				const char *actor_login, const char *request_id,
				struct import_report *rep, struct err *e) WUR;
enum res import_policies_run(struct db *db, const char *file_name, const char *data, size_t len,
			     bool dry_run, int64_t actor_id, const char *actor_login,
			     const char *request_id, struct import_report *rep, struct err *e) WUR;

#endif
