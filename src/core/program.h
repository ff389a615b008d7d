/* An insurance program as the administration defines it (issue 3, "Data and
 * administration"): who insures, under which contract, the service
 * catalogue it uses, its packages and every rule. The coverage engine's view
 * of it is `cov` (core/coverage.h). Pure: validated here, decoded from and
 * encoded to JSON by src/api/program_json.c. Strings are borrowed from
 * whoever built the struct (an arena or the parsed JSON). */
#ifndef ASSIST_PROGRAM_H
#define ASSIST_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "core/coverage.h"
#include "core/date.h"

#define PROGRAM_CODE_MAX 64
#define PROGRAM_NAME_MAX 300
#define PROGRAM_MAX_ITEMS 2000 /* services, packages, limits, ... each */

/* A text in the three UI languages; en is required, ru/zh may be NULL. */
struct i18n_text {
	const char *en, *ru, *zh;
};
const char *i18n_pick(const struct i18n_text *t, const char *lang); /* falls back to en */

struct program_service {
	const char *code, *category, *unit; /* unit may be NULL */
	struct i18n_text name;
};

struct program_def {
	const char *insurer_code, *insurer_name;
	const char *contract_number;
	char currency[4];          /* ISO 4217 */
	cdate contract_starts, contract_ends;
	const char *code;
	struct i18n_text name;
	int64_t sum_insured;       /* minor units of currency, per policy term */
	struct program_service *services;
	size_t nservices;
	struct i18n_text *package_names;     /* one per cov.packages (en may be NULL) */
	struct i18n_text *exclusion_reasons; /* one per cov.exclusions */
	struct cov_program cov;    /* the rules; cov.services points into a copy of services */
};

/* Check everything that does not need the database: codes well formed and
 * unique, every reference resolves (package services and categories, rule
 * scopes, exclusion packages), one limit per scope+measure+period, values in
 * range, dates in order. The error names the field ("limits[3].scope"). */
enum res program_validate(const struct program_def *p, struct err *e) WUR;

/* The stable key of a limit, used by the consumption ledger:
 * "service:GP|count|month", "program|amount|term". out holds 160 bytes. */
void program_limit_key(const struct cov_limit *l, char out[160]);
/* The same for a deductible: "package:DENT|per_visit", "program|per_case". */
void program_deductible_key(const struct cov_deductible *d, char out[160]);

/* A code: 1..64 of [A-Za-z0-9._-]. */
bool program_code_valid(const char *s);

#endif
