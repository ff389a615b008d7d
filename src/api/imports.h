/* Importing policy lists (CSV now; the same row pipeline will take XLSX):
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
};

struct importer;
struct importer *importer_new(struct db *db, bool dry_run, int64_t actor_id, const char *actor_login,
			      const char *request_id, struct import_report *report);
void importer_free(struct importer *im);
/* For csv_new: the header, then each data row. */
int importer_csv_row(void *im, size_t row, const struct slice *f, size_t n);
/* A fatal problem (unreadable file, database error): stops the import. */
bool importer_failed(const struct importer *im, struct err *e);

/* Check (dry_run) or apply a whole file held in memory, inside the caller's
 * transaction. RES_OK with rep->errors > 0 means the rows were bad: the
 * caller must not commit. An error return is a failure of the machinery. */
enum res import_policies_run(struct db *db, const char *data, size_t len, bool dry_run,
			     int64_t actor_id, const char *actor_login, const char *request_id,
			     struct import_report *rep, struct err *e) WUR;

#endif
