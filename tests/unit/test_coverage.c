/* Unit tests for src/core/coverage.c: every refusal, measure, period,
 * deductible kind and exclusion level, boundary dates, nesting, rounding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/coverage.h"

static cdate D(const char *s)
{
	cdate d = 0;
	assert_true(date_parse(s, strlen(s), &d));
	return d;
}

/* A small program: two packages (outpatient with categories, dental with one
 * service), an inpatient service outside every package. */
static const struct cov_service services[] = {
	{"GP", "consult"}, {"SPEC", "consult"}, {"XRAY", "diagnostics"}, {"MRI", "diagnostics"},
	{"FILL", "dental"}, {"ICU", "inpatient"}, {"MASSAGE", "rehab"}, {"PREG", "consult"},
};
static const char *const out_cats[] = {"consult", "diagnostics", "rehab"};
static const char *const dental_svcs[] = {"FILL"};
static const struct cov_package packages[] = {
	{"OUT", out_cats, 3, NULL, 0},
	{"DENT", NULL, 0, dental_svcs, 1},
};

struct fx {
	struct cov_program prog;
	struct cov_policy pol;
	struct cov_limit limits[16];
	struct cov_deductible deds[8];
	struct cov_exclusion excl[8];
	struct cov_waiting waits[4];
	struct cov_condition conds[4];
	struct cov_usage usage[8];
	struct cov_ded_usage dusage[4];
	struct cov_line_in lines[16];
	struct cov_line_out out[16];
	struct cov_request req;
	struct arena a;
};

static struct fx F;

static int setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof F);
	F.prog.services = services;
	F.prog.nservices = sizeof services / sizeof services[0];
	F.prog.packages = packages;
	F.prog.npackages = 2;
	F.prog.limits = F.limits;
	F.prog.deductibles = F.deds;
	F.prog.exclusions = F.excl;
	F.prog.waiting = F.waits;
	F.prog.conditions = F.conds;
	F.pol = (struct cov_policy){.active = true, .start = D("2026-01-01"), .end = D("2026-12-31"),
				    .birth_date = D("1990-06-15"), .sex = 'M'};
	F.req.lines = F.lines;
	F.req.usage = F.usage;
	F.req.ded_usage = F.dusage;
	arena_init(&F.a, 8192, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(&F.a);
	return 0;
}

static void line(const char *svc, int64_t qty, int64_t price, const char *date)
{
	F.lines[F.req.nlines++] = (struct cov_line_in){svc, qty, price, D(date)};
}

static void limit(int64_t id, enum cov_scope_kind k, const char *code, enum cov_measure m,
		  enum period p, int64_t v)
{
	F.limits[F.prog.nlimits++] = (struct cov_limit){id, {k, code}, m, p, v};
}

static void run(void)
{
	struct cov_plan *plan;
	struct err e;
	assert_int_equal(cov_plan_build(&F.prog, &F.pol, &F.a, &plan, &e), RES_OK);
	assert_int_equal(cov_evaluate(plan, &F.req, &F.a, F.out, &e), RES_OK);
	for (size_t i = 0; i < F.req.nlines; i++) {
		struct cov_line_out *o = &F.out[i];
		assert_int_equal(o->amount, F.lines[i].quantity * F.lines[i].unit_price);
		assert_int_equal(o->covered_amount + o->insured_pays, o->amount);
		assert_true(o->covered_amount >= 0 && o->covered_amount <= o->amount);
		assert_true(o->covered_quantity >= 0 && o->covered_quantity <= F.lines[i].quantity);
	}
}

static void t_full_cover(void **state)
{
	(void)state;
	line("GP", 1, 250000, "2026-03-10");
	line("FILL", 2, 100000, "2026-03-10");
	run();
	assert_int_equal(F.out[0].covered_amount, 250000);
	assert_int_equal(F.out[0].insured_pays, 0);
	assert_int_equal(F.out[0].reasons, 0);
	assert_int_equal(F.out[0].package, 0);
	assert_int_equal(F.out[1].covered_quantity, 2);
	assert_int_equal(F.out[1].package, 1);
}

static void t_refusal_order(void **state)
{
	(void)state;
	/* outside the term: no_active_policy wins over everything else */
	line("ICU", 1, 100, "2025-12-31");
	line("GP", 1, 100, "2027-01-01");
	line("ICU", 1, 100, "2026-01-01");   /* in no package */
	line("NOPE", 1, 100, "2026-01-01");  /* not in the catalogue */
	line("GP", 1, 100, "2026-12-31");    /* the last day is covered */
	line("GP", 1, 100, "2026-01-01");    /* the first day too */
	run();
	assert_int_equal(F.out[0].reasons, COV_R_NO_ACTIVE_POLICY);
	assert_int_equal(F.out[1].reasons, COV_R_NO_ACTIVE_POLICY);
	assert_int_equal(F.out[2].reasons, COV_R_NOT_IN_PROGRAM);
	assert_int_equal(F.out[3].reasons, COV_R_NOT_IN_PROGRAM);
	assert_int_equal(F.out[2].insured_pays, 100);
	assert_int_equal(F.out[4].reasons, 0);
	assert_int_equal(F.out[5].reasons, 0);
	assert_string_equal(cov_reason_code(COV_R_NOT_IN_PROGRAM), "not_in_program");
}

static void t_inactive_and_packages(void **state)
{
	(void)state;
	static const char *const only_dent[] = {"DENT"};
	F.pol.packages = only_dent;
	F.pol.npackages = 1;
	line("GP", 1, 100, "2026-02-01");
	line("FILL", 1, 100, "2026-02-01");
	run();
	assert_int_equal(F.out[0].reasons, COV_R_NOT_IN_PROGRAM);
	assert_int_equal(F.out[1].reasons, 0);
	F.pol.active = false;
	F.req.nlines = 0;
	line("FILL", 1, 100, "2026-02-01");
	run();
	assert_int_equal(F.out[0].reasons, COV_R_NO_ACTIVE_POLICY);
}

static void t_exclusions(void **state)
{
	(void)state;
	F.excl[F.prog.nexclusions++] = (struct cov_exclusion){COV_EXCL_GENERAL, NULL, COV_MATCH_SERVICE, "MRI", NULL, NULL};
	F.excl[F.prog.nexclusions++] = (struct cov_exclusion){COV_EXCL_CONTRACT, NULL, COV_MATCH_CATEGORY, "rehab", NULL, NULL};
	F.excl[F.prog.nexclusions++] = (struct cov_exclusion){COV_EXCL_PACKAGE, "OUT", COV_MATCH_SERVICE, "SPEC", NULL, NULL};
	F.excl[F.prog.nexclusions++] = (struct cov_exclusion){COV_EXCL_CONTRACT, NULL, COV_MATCH_DIAGNOSIS, NULL, "F10", "F19"};
	F.excl[F.prog.nexclusions++] = (struct cov_exclusion){COV_EXCL_PACKAGE, "DENT", COV_MATCH_PROVIDER, "BADCLINIC", NULL, NULL};
	line("MRI", 1, 100, "2026-02-01");
	line("MASSAGE", 1, 100, "2026-02-01");
	line("SPEC", 1, 100, "2026-02-01");
	line("GP", 1, 100, "2026-02-01");
	line("FILL", 1, 100, "2026-02-01");
	run();
	assert_int_equal(F.out[0].reasons, COV_R_EXCLUDED);
	assert_int_equal(F.out[0].exclusion, 0);
	assert_int_equal(F.out[1].reasons, COV_R_EXCLUDED);
	assert_int_equal(F.out[1].exclusion, 1);
	assert_int_equal(F.out[2].reasons, COV_R_EXCLUDED);
	assert_int_equal(F.out[2].exclusion, 2);
	assert_int_equal(F.out[3].reasons, 0);
	assert_int_equal(F.out[4].reasons, 0);

	/* diagnosis in the range (a subcode) and the excluded provider */
	F.req.diagnosis = "F10.2";
	F.req.provider = "BADCLINIC";
	run();
	assert_int_equal(F.out[3].reasons, COV_R_EXCLUDED);
	assert_int_equal(F.out[3].exclusion, 3);
	assert_int_equal(F.out[4].reasons, COV_R_EXCLUDED);
	F.req.diagnosis = "F20";
	run();
	assert_int_equal(F.out[3].reasons, 0);
	assert_int_equal(F.out[4].reasons, COV_R_EXCLUDED);
	assert_int_equal(F.out[4].exclusion, 4);
	F.req.provider = "GOODCLINIC";
	run();
	assert_int_equal(F.out[4].reasons, 0);
}

static void t_icd10(void **state)
{
	(void)state;
	assert_true(cov_icd10_in_range("J06.9", "J00", "J06"));
	assert_true(cov_icd10_in_range("J00", "J00", "J06"));
	assert_true(cov_icd10_in_range("j069", "J00", "J06"));
	assert_false(cov_icd10_in_range("J07", "J00", "J06"));
	assert_false(cov_icd10_in_range("I99.9", "J00", "J06"));
	assert_true(cov_icd10_in_range("C50.1", "C50.1", "C50.9"));
	assert_false(cov_icd10_in_range("C50.0", "C50.1", "C50.9"));
	assert_true(cov_icd10_in_range("C50.91", "C50.1", "C50.9"));
	assert_false(cov_icd10_in_range("", "A00", "Z99"));
}

static void t_waiting_and_conditions(void **state)
{
	(void)state;
	F.waits[F.prog.nwaiting++] = (struct cov_waiting){{COV_SCOPE_PACKAGE, "DENT"}, 30};
	F.conds[F.prog.nconditions++] = (struct cov_condition){{COV_SCOPE_SERVICE, "PREG"}, 'F', 18, 45};
	F.conds[F.prog.nconditions++] = (struct cov_condition){{COV_SCOPE_SERVICE, "XRAY"}, 0, 36, 0};
	line("FILL", 1, 100, "2026-01-30"); /* start + 29 days */
	line("FILL", 1, 100, "2026-01-31"); /* start + 30 days: covered */
	line("PREG", 1, 100, "2026-03-01"); /* a man */
	line("XRAY", 1, 100, "2026-06-14"); /* 35 */
	line("XRAY", 1, 100, "2026-06-15"); /* 36 on the birthday */
	run();
	assert_int_equal(F.out[0].reasons, COV_R_WAITING_PERIOD);
	assert_int_equal(F.out[1].reasons, 0);
	assert_int_equal(F.out[2].reasons, COV_R_CONDITION_NOT_MET);
	assert_int_equal(F.out[3].reasons, COV_R_CONDITION_NOT_MET);
	assert_int_equal(F.out[4].reasons, 0);
	F.pol.sex = 'F';
	F.pol.birth_date = D("1981-03-01"); /* 45 on 2026-03-01 */
	F.req.nlines = 0;
	line("PREG", 1, 100, "2026-02-28");
	line("PREG", 1, 100, "2026-03-01");
	run();
	assert_int_equal(F.out[0].reasons, 0);
	assert_int_equal(F.out[1].reasons, 0); /* 45 is still within max_age 45 */
	F.pol.birth_date = D("1980-03-01");    /* 46 */
	run();
	assert_int_equal(F.out[1].reasons, COV_R_CONDITION_NOT_MET);
}

static void t_count_limits(void **state)
{
	(void)state;
	limit(1, COV_SCOPE_SERVICE, "GP", COV_COUNT, PERIOD_MONTH, 3);
	line("GP", 2, 1000, "2026-01-10");
	line("GP", 2, 1000, "2026-01-20"); /* only 1 left this month */
	line("GP", 1, 1000, "2026-01-31");  /* none left */
	line("GP", 3, 1000, "2026-02-01");  /* a new month */
	run();
	assert_int_equal(F.out[0].covered_quantity, 2);
	assert_int_equal(F.out[1].covered_quantity, 1);
	assert_int_equal(F.out[1].covered_amount, 1000);
	assert_int_equal(F.out[1].insured_pays, 1000);
	assert_true(F.out[1].reasons & COV_R_LIMIT_EXHAUSTED);
	assert_int_equal(F.out[2].covered_quantity, 0);
	assert_int_equal(F.out[2].insured_pays, 1000);
	assert_int_equal(F.out[3].covered_quantity, 3);
	assert_int_equal(F.out[3].reasons, 0);
	/* the touch says what remained */
	assert_int_equal(F.out[1].ntouches, 1);
	assert_int_equal(F.out[1].touches[0].remaining_before, 1);
	assert_int_equal(F.out[1].touches[0].remaining_after, 0);
	assert_int_equal(F.out[1].touches[0].window.first, D("2026-01-01"));
	assert_int_equal(F.out[1].touches[0].window.last, D("2026-01-31"));

	/* stored consumption counts too */
	F.usage[F.req.nusage++] = (struct cov_usage){.limit_id = 1, .window_first = D("2026-02-01"), .used = 2};
	run();
	assert_int_equal(F.out[3].covered_quantity, 1);
}

static void t_days_limit(void **state)
{
	(void)state;
	limit(7, COV_SCOPE_SERVICE, "ICU", COV_DAYS, PERIOD_QUARTER, 2);
	/* ICU is in no package: put it into OUT by category */
	static const char *const cats[] = {"consult", "diagnostics", "rehab", "inpatient"};
	static const struct cov_package pk[] = {{"OUT", cats, 4, NULL, 0}};
	F.prog.packages = pk;
	F.prog.npackages = 1;
	cdate stored[] = {D("2026-03-30")};
	F.usage[F.req.nusage++] = (struct cov_usage){.limit_id = 7, .window_first = D("2026-01-01"), .used = 1, .dates = stored, .ndates = 1};
	line("ICU", 1, 5000, "2026-03-30"); /* already counted: free */
	line("ICU", 2, 5000, "2026-03-31"); /* the second day: 2 items on one date */
	line("ICU", 1, 5000, "2026-03-31"); /* same date again: free */
	line("ICU", 1, 5000, "2026-03-29"); /* a third day: refused by the limit */
	line("ICU", 1, 5000, "2026-04-01"); /* next quarter */
	run();
	assert_int_equal(F.out[0].covered_quantity, 1);
	assert_int_equal(F.out[0].touches[0].remaining_before, 1);
	assert_int_equal(F.out[0].touches[0].remaining_after, 1);
	assert_int_equal(F.out[1].covered_quantity, 2);
	assert_int_equal(F.out[1].touches[0].remaining_after, 0);
	assert_int_equal(F.out[2].covered_quantity, 1);
	assert_int_equal(F.out[3].covered_quantity, 0);
	assert_true(F.out[3].reasons & COV_R_LIMIT_EXHAUSTED);
	assert_int_equal(F.out[4].covered_quantity, 1);
}

static void t_amount_chain(void **state)
{
	(void)state;
	limit(1, COV_SCOPE_SERVICE, "XRAY", COV_AMOUNT, PERIOD_CALENDAR_YEAR, 50000);
	limit(2, COV_SCOPE_CATEGORY, "diagnostics", COV_AMOUNT, PERIOD_TERM, 70000);
	limit(3, COV_SCOPE_PACKAGE, "OUT", COV_AMOUNT, PERIOD_POLICY_YEAR, 100000);
	limit(4, COV_SCOPE_PROGRAM, NULL, COV_AMOUNT, PERIOD_TERM, 1000000);
	F.pol.sum_insured = 110000;
	line("XRAY", 1, 40000, "2026-02-01"); /* all of it */
	line("XRAY", 1, 40000, "2026-02-02"); /* service limit leaves 10000 */
	line("MRI", 1, 40000, "2026-02-03");  /* category leaves 70000-50000 = 20000 */
	line("GP", 1, 60000, "2026-02-04");   /* package leaves 100000-70000 = 30000 */
	line("SPEC", 1, 1000, "2026-02-05");  /* package exhausted */
	line("FILL", 1, 50000, "2026-02-06"); /* sum insured leaves 110000-100000 */
	run();
	assert_int_equal(F.out[0].covered_amount, 40000);
	assert_int_equal(F.out[1].covered_amount, 10000);
	assert_true(F.out[1].reasons & COV_R_LIMIT_EXHAUSTED);
	assert_int_equal(F.out[2].covered_amount, 20000);
	assert_int_equal(F.out[3].covered_amount, 30000);
	assert_int_equal(F.out[4].covered_amount, 0);
	assert_int_equal(F.out[4].covered_quantity, 1); /* an amount limit does not cut quantity */
	assert_int_equal(F.out[5].covered_amount, 10000);
	/* XRAY touched 4 limits and the sum insured */
	assert_int_equal(F.out[0].ntouches, 5);
	assert_int_equal(F.out[0].touches[4].limit_id, COV_SUM_INSURED_ID);
	assert_int_equal(F.out[0].touches[4].remaining_before, 110000);
	assert_int_equal(F.out[0].touches[4].remaining_after, 70000);
	/* the FILL line touched only the program limit and the sum insured */
	assert_int_equal(F.out[5].ntouches, 2);
}

static void t_deductibles(void **state)
{
	(void)state;
	F.deds[F.prog.ndeductibles++] = (struct cov_deductible){1, {COV_SCOPE_SERVICE, "GP"}, COV_DED_PER_LINE, 30000, 0, 0};
	F.deds[F.prog.ndeductibles++] = (struct cov_deductible){2, {COV_SCOPE_CATEGORY, "diagnostics"}, COV_DED_PERCENT, 2000, 10000, 50000};
	F.deds[F.prog.ndeductibles++] = (struct cov_deductible){3, {COV_SCOPE_PACKAGE, "DENT"}, COV_DED_PER_VISIT, 150000, 0, 0};
	F.deds[F.prog.ndeductibles++] = (struct cov_deductible){4, {COV_SCOPE_SERVICE, "SPEC"}, COV_DED_PER_CASE, 70000, 0, 0};
	line("GP", 1, 20000, "2026-02-01");   /* per line eats the whole base */
	line("GP", 2, 20000, "2026-02-01");   /* 30000 of 40000 */
	line("XRAY", 1, 100000, "2026-02-01"); /* 20% = 20000 */
	line("XRAY", 1, 20000, "2026-02-01");  /* 20% = 4000, min 10000 */
	line("MRI", 1, 900000, "2026-02-01");  /* 20% = 180000, max 50000 */
	line("XRAY", 1, 2, "2026-02-01");      /* base below the minimum: all of it */
	line("FILL", 1, 100000, "2026-02-01"); /* the visit's 150000 is not absorbed */
	line("FILL", 1, 100000, "2026-02-01"); /* the remaining 50000 carries here */
	line("FILL", 1, 100000, "2026-02-01"); /* visit's deductible done */
	line("FILL", 1, 100000, "2026-02-02"); /* a new date: a new visit */
	line("SPEC", 1, 50000, "2026-02-01");  /* case deductible 70000 */
	line("SPEC", 1, 50000, "2026-03-01");  /* 20000 left of it */
	run();
	assert_int_equal(F.out[0].covered_amount, 0);
	assert_int_equal(F.out[0].deductible, 20000);
	assert_int_equal(F.out[0].reasons, COV_R_DEDUCTIBLE);
	assert_int_equal(F.out[1].covered_amount, 10000);
	assert_int_equal(F.out[2].deductible, 20000);
	assert_int_equal(F.out[3].deductible, 10000);
	assert_int_equal(F.out[4].deductible, 50000);
	assert_int_equal(F.out[5].deductible, 2);
	assert_int_equal(F.out[6].deductible, 100000);
	assert_int_equal(F.out[7].deductible, 50000);
	assert_int_equal(F.out[7].covered_amount, 50000);
	assert_int_equal(F.out[8].deductible, 0);
	assert_int_equal(F.out[8].reasons, 0);
	assert_int_equal(F.out[9].deductible, 100000);
	assert_int_equal(F.out[10].deductible, 50000);
	assert_int_equal(F.out[11].deductible, 20000);
	assert_int_equal(F.out[11].covered_amount, 30000);
	/* what the ledger keeps: only per_visit and per_case takes */
	assert_int_equal(F.out[0].nded_takes, 0);
	assert_int_equal(F.out[2].nded_takes, 0);
	assert_int_equal(F.out[6].nded_takes, 1);
	assert_int_equal(F.out[6].ded_takes[0].deductible_id, 3);
	assert_int_equal(F.out[6].ded_takes[0].kind, COV_DED_PER_VISIT);
	assert_int_equal(F.out[6].ded_takes[0].date, D("2026-02-01"));
	assert_int_equal(F.out[6].ded_takes[0].taken, 100000);
	assert_int_equal(F.out[7].ded_takes[0].taken, 50000);
	assert_int_equal(F.out[8].nded_takes, 0);
	assert_int_equal(F.out[9].ded_takes[0].date, D("2026-02-02"));
	assert_int_equal(F.out[10].ded_takes[0].kind, COV_DED_PER_CASE);
	assert_int_equal(F.out[10].ded_takes[0].deductible_id, 4);
	assert_int_equal(F.out[11].ded_takes[0].taken, 20000);

	/* a per-visit deductible already taken for this visit (stored) */
	F.req.nlines = 0;
	F.req.provider = "CLINIC";
	F.dusage[F.req.nded_usage++] = (struct cov_ded_usage){3, "CLINIC", D("2026-02-01"), 0, 140000};
	line("FILL", 1, 100000, "2026-02-01");
	run();
	assert_int_equal(F.out[0].deductible, 10000);
	assert_int_equal(F.out[0].nded_takes, 1);
	assert_string_equal(F.out[0].ded_takes[0].provider, "CLINIC");
	assert_int_equal(F.out[0].ded_takes[0].taken, 10000);
}

static void t_percent_rounding(void **state)
{
	(void)state;
	F.deds[F.prog.ndeductibles++] = (struct cov_deductible){1, {COV_SCOPE_PROGRAM, NULL}, COV_DED_PERCENT, 1250, 0, 0};
	line("GP", 1, 4, "2026-02-01");   /* 12.5% of 4 = 0.5 -> 1 (half up) */
	line("GP", 1, 3, "2026-02-01");   /* 0.375 -> 0 */
	line("GP", 1, 12, "2026-02-01");  /* 1.5 -> 2 */
	line("GP", 1, 999999999999, "2026-02-01"); /* no overflow */
	run();
	assert_int_equal(F.out[0].deductible, 1);
	assert_int_equal(F.out[1].deductible, 0);
	assert_int_equal(F.out[2].deductible, 2);
	assert_int_equal(F.out[3].deductible, 125000000000);
}

static void t_case_and_day_windows(void **state)
{
	(void)state;
	limit(1, COV_SCOPE_SERVICE, "GP", COV_COUNT, PERIOD_CASE, 2);
	limit(2, COV_SCOPE_SERVICE, "SPEC", COV_COUNT, PERIOD_DAY, 1);
	F.req.case_id = 55;
	F.usage[F.req.nusage++] = (struct cov_usage){.limit_id = 1, .case_id = 55, .used = 1};
	F.usage[F.req.nusage++] = (struct cov_usage){.limit_id = 1, .case_id = 56, .used = 2};
	line("GP", 3, 10, "2026-05-01");
	line("SPEC", 1, 10, "2026-05-01");
	line("SPEC", 1, 10, "2026-05-01");
	line("SPEC", 1, 10, "2026-05-02");
	run();
	assert_int_equal(F.out[0].covered_quantity, 1);
	assert_int_equal(F.out[0].touches[0].case_id, 55);
	assert_int_equal(F.out[1].covered_quantity, 1);
	assert_int_equal(F.out[2].covered_quantity, 0);
	assert_int_equal(F.out[3].covered_quantity, 1);
}

static void t_policy_year_and_leap(void **state)
{
	(void)state;
	F.pol.start = D("2024-02-29");
	F.pol.end = D("2026-02-27");
	limit(1, COV_SCOPE_SERVICE, "GP", COV_COUNT, PERIOD_POLICY_YEAR, 1);
	line("GP", 1, 10, "2025-02-27"); /* first policy year, last day */
	line("GP", 1, 10, "2025-02-27");
	line("GP", 1, 10, "2025-02-28"); /* second policy year starts on 28 Feb */
	line("GP", 1, 10, "2026-02-27"); /* the policy's last day, same year */
	line("GP", 1, 10, "2026-02-28"); /* after the end */
	run();
	assert_int_equal(F.out[0].covered_quantity, 1);
	assert_int_equal(F.out[1].covered_quantity, 0);
	assert_int_equal(F.out[2].covered_quantity, 1);
	assert_int_equal(F.out[2].touches[0].window.first, D("2025-02-28"));
	assert_int_equal(F.out[3].covered_quantity, 0);
	assert_int_equal(F.out[4].reasons, COV_R_NO_ACTIVE_POLICY);
}

static void t_bad_input(void **state)
{
	(void)state;
	struct cov_plan *plan;
	struct err e;
	assert_int_equal(cov_plan_build(&F.prog, &F.pol, &F.a, &plan, &e), RES_OK);
	line("GP", 0, 10, "2026-05-01");
	assert_int_equal(cov_evaluate(plan, &F.req, &F.a, F.out, &e), RES_INVALID);
	F.req.nlines = 0;
	line("GP", INT64_MAX / 2, 10, "2026-05-01");
	assert_int_equal(cov_evaluate(plan, &F.req, &F.a, F.out, &e), RES_INVALID);
	/* a service listed twice is a broken program */
	static const struct cov_service dup[] = {{"A", "x"}, {"A", "y"}};
	F.prog.services = dup;
	F.prog.nservices = 2;
	assert_int_equal(cov_plan_build(&F.prog, &F.pol, &F.a, &plan, &e), RES_INVALID);
}

static void t_out_of_memory(void **state)
{
	(void)state;
	limit(1, COV_SCOPE_PROGRAM, NULL, COV_AMOUNT, PERIOD_MONTH, 1000);
	line("GP", 1, 10, "2026-05-01");
	line("GP", 1, 10, "2026-06-01");
	/* fail each allocation in turn: always a clean RES_NOMEM, never a crash */
	for (long n = 1; n < 40; n++) {
		struct arena a;
		arena_init(&a, 64, 0);
		struct cov_plan *plan;
		struct err e;
		mem_fail_after(n);
		enum res r = cov_plan_build(&F.prog, &F.pol, &a, &plan, &e);
		if (!r)
			r = cov_evaluate(plan, &F.req, &a, F.out, &e);
		mem_fail_after(0);
		assert_true(r == RES_OK || r == RES_NOMEM);
		arena_free(&a);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(t_full_cover),     T(t_refusal_order),   T(t_inactive_and_packages), T(t_exclusions),
		T(t_icd10),          T(t_waiting_and_conditions), T(t_count_limits), T(t_days_limit),
		T(t_amount_chain),   T(t_deductibles),     T(t_percent_rounding),      T(t_case_and_day_windows),
		T(t_policy_year_and_leap), T(t_bad_input), T(t_out_of_memory),
	};
	return cmocka_run_group_tests_name("coverage", tests, NULL, NULL);
}
