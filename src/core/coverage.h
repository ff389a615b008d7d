/* The coverage engine (DESIGN.md A, issue 3): what an insured person is
 * entitled to, line by line, to the last minor unit. Pure: the caller gives
 * the program, the policy, the stored consumption and the lines; the engine
 * gives per line what is covered, what the insured pays, why, and what it
 * consumed. No I/O, no globals; all memory from the caller's arena.
 *
 * Rules (issue 3, "The engine"), in the order applied to each line:
 *  R1 refusals, first that applies: no_active_policy, not_in_program,
 *     excluded, waiting_period, condition_not_met. A refused line covers 0.
 *  R2 count limits cut the covered quantity to what remains; a days limit
 *     counts distinct dates in its window (a date already counted is free).
 *  R3 deductibles on the covered base (covered quantity x unit price):
 *     per_line min(value, base); percent of the base rounded half up and
 *     clamped by min/max; per_visit once per provider and date, carried over
 *     to the next line of the same visit; per_case once per case.
 *  R4 amount limits on the chain service -> category -> package -> program,
 *     and the policy's sum insured (per term), cut what the insurer pays;
 *     every limit on the chain consumes.
 *  R5 windows: see core/date.h period_window; PERIOD_CASE is the case.
 * Lines are evaluated in order; each sees what earlier lines consumed. */
#ifndef ASSIST_COVERAGE_H
#define ASSIST_COVERAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "core/date.h"

enum cov_scope_kind { COV_SCOPE_SERVICE, COV_SCOPE_CATEGORY, COV_SCOPE_PACKAGE, COV_SCOPE_PROGRAM };
struct cov_scope {
	enum cov_scope_kind kind;
	const char *code; /* NULL for COV_SCOPE_PROGRAM */
};

enum cov_measure { COV_AMOUNT, COV_COUNT, COV_DAYS };
enum cov_ded_kind { COV_DED_PER_LINE, COV_DED_PER_VISIT, COV_DED_PER_CASE, COV_DED_PERCENT };
enum cov_excl_level { COV_EXCL_GENERAL, COV_EXCL_CONTRACT, COV_EXCL_PACKAGE };
enum cov_match_kind { COV_MATCH_SERVICE, COV_MATCH_CATEGORY, COV_MATCH_PROVIDER, COV_MATCH_DIAGNOSIS };

struct cov_service {
	const char *code, *category;
};
struct cov_package {
	const char *code;
	const char *const *categories;
	size_t ncategories;
	const char *const *services;
	size_t nservices;
};
struct cov_limit {
	int64_t id; /* stable id for the ledger (> 0) */
	struct cov_scope scope;
	enum cov_measure measure;
	enum period period;
	int64_t value; /* minor units, a count, or days */
};
struct cov_deductible {
	int64_t id; /* > 0 */
	struct cov_scope scope;
	enum cov_ded_kind kind;
	int64_t value; /* minor units; for percent, hundredths of a percent (2000 = 20 %) */
	int64_t min, max; /* percent only; 0 = none */
};
struct cov_exclusion {
	enum cov_excl_level level;
	const char *package; /* COV_EXCL_PACKAGE: the package it belongs to */
	enum cov_match_kind match;
	const char *code;    /* service, category or provider code */
	const char *diag_from, *diag_to; /* ICD-10, inclusive, subcodes included */
};
struct cov_waiting {
	struct cov_scope scope;
	int days;
};
struct cov_condition {
	struct cov_scope scope;
	char sex;    /* 'F', 'M' or 0 for either */
	int min_age; /* 0 = none */
	int max_age; /* 0 = none */
};

struct cov_program {
	const struct cov_service *services;
	size_t nservices;
	const struct cov_package *packages;
	size_t npackages;
	const struct cov_limit *limits;
	size_t nlimits;
	const struct cov_deductible *deductibles;
	size_t ndeductibles;
	const struct cov_exclusion *exclusions;
	size_t nexclusions;
	const struct cov_waiting *waiting;
	size_t nwaiting;
	const struct cov_condition *conditions;
	size_t nconditions;
};

struct cov_policy {
	bool active;          /* status allows cover at all */
	cdate start, end;     /* both included */
	const char *const *packages; /* held package codes; NULL/0 = all */
	size_t npackages;
	int64_t sum_insured;  /* per term, minor units; 0 = no cap */
	cdate birth_date;
	char sex;             /* 'F' or 'M' */
};

/* The id of the sum insured in usage records and touches. */
#define COV_SUM_INSURED_ID 0

/* Stored consumption of one limit in one window. */
struct cov_usage {
	int64_t limit_id;     /* or COV_SUM_INSURED_ID */
	cdate window_first;   /* date windows */
	int64_t case_id;      /* PERIOD_CASE windows (else 0) */
	int64_t used;         /* amount or count; days: ndates */
	const cdate *dates;   /* COV_DAYS: the distinct dates counted */
	size_t ndates;
};
/* Deductible already taken for a visit (per_visit) or case (per_case). */
struct cov_ded_usage {
	int64_t deductible_id;
	const char *provider; /* per_visit */
	cdate date;           /* per_visit */
	int64_t case_id;      /* per_case */
	int64_t taken;
};

struct cov_line_in {
	const char *service;
	int64_t quantity;   /* >= 1 */
	int64_t unit_price; /* minor units, >= 0 */
	cdate date;
};

enum cov_reason {
	COV_R_NO_ACTIVE_POLICY = 1 << 0,
	COV_R_NOT_IN_PROGRAM = 1 << 1,
	COV_R_EXCLUDED = 1 << 2,
	COV_R_WAITING_PERIOD = 1 << 3,
	COV_R_CONDITION_NOT_MET = 1 << 4,
	COV_R_DEDUCTIBLE = 1 << 5,
	COV_R_LIMIT_EXHAUSTED = 1 << 6,
};
const char *cov_reason_code(enum cov_reason r);

/* One limit a line touched. For COV_DAYS before/after count days. */
struct cov_touch {
	int64_t limit_id; /* or COV_SUM_INSURED_ID */
	enum cov_measure measure;
	enum period period;
	struct window window; /* date windows */
	int64_t case_id;
	int64_t limit;        /* its value */
	int64_t remaining_before, remaining_after;
};

/* What a line took of a per_visit or per_case deductible: the ledger keeps
 * it so that a later request of the same visit or case does not take it
 * again. per_visit: provider and date, case_id 0; per_case: case_id. */
struct cov_ded_take {
	int64_t deductible_id;
	enum cov_ded_kind kind;
	const char *provider; /* per_visit; NULL when the request named none */
	cdate date;           /* per_visit */
	int64_t case_id;      /* per_case */
	int64_t taken;        /* > 0 */
};
struct cov_line_out {
	int64_t amount;            /* quantity x unit price */
	int64_t covered_quantity;
	int64_t covered_amount;    /* what the insurer pays */
	int64_t insured_pays;      /* amount - covered_amount */
	int64_t deductible;        /* part of the covered base the insured pays */
	unsigned reasons;          /* enum cov_reason bits */
	int exclusion;             /* index of the exclusion that refused it, or -1 */
	int package;               /* index of the covering package, or -1 */
	struct cov_touch *touches;
	size_t ntouches;
	struct cov_ded_take *ded_takes;
	size_t nded_takes;
};

struct cov_request {
	int64_t case_id;       /* 0 = none: per_case deductibles and case windows apply to this request only */
	const char *provider;  /* NULL = unknown */
	const char *diagnosis; /* ICD-10, NULL = unknown */
	const struct cov_line_in *lines;
	size_t nlines;
	const struct cov_usage *usage;
	size_t nusage;
	const struct cov_ded_usage *ded_usage;
	size_t nded_usage;
};

/* A program compiled for one policy: service lookup and, per service, the
 * limits, deductibles and rules on its chain. Build once, evaluate many. */
struct cov_plan;
enum res cov_plan_build(const struct cov_program *prog, const struct cov_policy *pol,
			struct arena *a, struct cov_plan **out, struct err *e) WUR;

/* Evaluate the lines; out[nlines] is filled. Memory from a. */
enum res cov_evaluate(const struct cov_plan *plan, const struct cov_request *req,
		      struct arena *a, struct cov_line_out *out, struct err *e) WUR;

/* ICD-10 range test: code within [from, to], comparing each bound on its own
 * length, so "J00"-"J06" holds "J06.9" and "J00.1". Case-insensitive, the dot
 * ignored. */
bool cov_icd10_in_range(const char *code, const char *from, const char *to);

#endif
