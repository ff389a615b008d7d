/* Benchmark of the coverage engine (issue 3): lines evaluated per second on
 * one core, for a program with ~50 limits over 40 services in 4 packages and
 * a person with a year of stored consumption. Prints one line per run:
 *   coverage: N lines in S s = R lines/s (plan build X us)
 * Usage: bench_coverage [SECONDS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/coverage.h"

#define NSVC 40
#define NLINES 64

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = 3.0;
	if (argc > 1) {
		char *end;
		seconds = strtod(argv[1], &end);
		if (end == argv[1] || *end || !(seconds > 0 && seconds <= 3600)) {
			fprintf(stderr, "usage: bench_coverage [SECONDS (0..3600]]\n");
			return 2;
		}
	}
	static char codes[NSVC][8];
	static struct cov_service svcs[NSVC];
	static const char *cats[] = {"consult", "diagnostics", "dental", "rehab"};
	for (int i = 0; i < NSVC; i++) {
		snprintf(codes[i], sizeof codes[i], "S%02d", i);
		svcs[i] = (struct cov_service){codes[i], cats[i % 4]};
	}
	static const char *pk_cats[4][1] = {{"consult"}, {"diagnostics"}, {"dental"}, {"rehab"}};
	struct cov_package pks[4];
	static const char *pk_codes[] = {"P0", "P1", "P2", "P3"};
	for (int i = 0; i < 4; i++)
		pks[i] = (struct cov_package){pk_codes[i], pk_cats[i], 1, NULL, 0};

	/* 50 limits: one per service (count or amount, various periods), one per
	 * category, one per package, and the program */
	static struct cov_limit limits[64];
	size_t nl = 0;
	static const enum period periods[] = {PERIOD_MONTH, PERIOD_QUARTER, PERIOD_CALENDAR_YEAR,
					      PERIOD_POLICY_YEAR, PERIOD_TERM, PERIOD_DAY};
	for (int i = 0; i < NSVC; i++)
		limits[nl] = (struct cov_limit){(int64_t)nl + 1, {COV_SCOPE_SERVICE, codes[i]},
						  i % 3 == 0 ? COV_AMOUNT : (i % 3 == 1 ? COV_COUNT : COV_DAYS),
						  periods[i % 6], i % 3 == 0 ? 50000000 : 400}, nl++;
	for (int i = 0; i < 4; i++)
		limits[nl] = (struct cov_limit){(int64_t)nl + 1, {COV_SCOPE_CATEGORY, cats[i]}, COV_AMOUNT,
						  PERIOD_POLICY_YEAR, 200000000}, nl++;
	for (int i = 0; i < 4; i++)
		limits[nl] = (struct cov_limit){(int64_t)nl + 1, {COV_SCOPE_PACKAGE, pk_codes[i]}, COV_COUNT,
						  PERIOD_TERM, 100000}, nl++;
	limits[nl] = (struct cov_limit){(int64_t)nl + 1, {COV_SCOPE_PROGRAM, NULL}, COV_AMOUNT, PERIOD_TERM,
					  900000000}, nl++;
	limits[nl] = (struct cov_limit){(int64_t)nl + 1, {COV_SCOPE_PROGRAM, NULL}, COV_COUNT, PERIOD_MONTH,
					  100000}, nl++;
	struct cov_deductible deds[] = {
		{1, {COV_SCOPE_CATEGORY, "consult"}, COV_DED_PER_VISIT, 50000, 0, 0},
		{2, {COV_SCOPE_CATEGORY, "diagnostics"}, COV_DED_PERCENT, 1000, 10000, 500000},
		{3, {COV_SCOPE_PACKAGE, "P2"}, COV_DED_PER_LINE, 20000, 0, 0},
	};
	struct cov_exclusion excl[] = {
		{COV_EXCL_GENERAL, NULL, COV_MATCH_DIAGNOSIS, NULL, "F10", "F19"},
		{COV_EXCL_CONTRACT, NULL, COV_MATCH_PROVIDER, "BAD", NULL, NULL},
	};
	struct cov_program prog = {svcs, NSVC, pks, 4, limits, nl, deds, 3, excl, 2, NULL, 0, NULL, 0};
	cdate start, end;
	date_parse("2026-01-01", 10, &start);
	date_parse("2026-12-31", 10, &end);
	struct cov_policy pol = {.active = true, .start = start, .end = end, .sum_insured = 1000000000,
				 .birth_date = start - 365 * 40, .sex = 'F'};

	/* a year of history: one usage record per limit per window */
	static struct cov_usage usage[4096];
	static cdate days[NSVC][400];
	size_t nu = 0;
	for (size_t li = 0; li < nl; li++) {
		const struct cov_limit *l = &limits[li];
		for (int m = 0; m < 12 && nu < 4000; m++) {
			struct window w;
			if (!period_window(l->period, start, end, date_from_ymd(2026, m + 1, 1), &w))
				continue;
			if (m > 0) {
				struct window prev;
				period_window(l->period, start, end, date_from_ymd(2026, m, 1), &prev);
				if (prev.first == w.first)
					continue;
			}
			struct cov_usage *u = &usage[nu++];
			*u = (struct cov_usage){.limit_id = l->id, .window_first = w.first, .used = 3};
			if (l->measure == COV_DAYS && li < NSVC) {
				u->dates = days[li] + m * 3;
				for (int k = 0; k < 3; k++)
					days[li][m * 3 + k] = w.first + k;
				u->ndates = 3;
			}
		}
	}

	struct cov_line_in lines[NLINES];
	for (int i = 0; i < NLINES; i++)
		lines[i] = (struct cov_line_in){codes[(i * 7) % NSVC], 1 + i % 3, 150000 + i * 100,
						start + 30 + (i * 5) % 300};
	struct cov_request req = {.case_id = 9, .provider = "CLINIC", .diagnosis = "J06.9",
				  .lines = lines, .nlines = NLINES, .usage = usage, .nusage = nu};
	struct cov_line_out out[NLINES];

	struct arena a;
	arena_init(&a, 1 << 20, 0);
	struct err e;
	struct cov_plan *plan;
	double t0 = now_s();
	if (cov_plan_build(&prog, &pol, &a, &plan, &e)) {
		fprintf(stderr, "plan: %s\n", e.message);
		return 1;
	}
	double plan_us = (now_s() - t0) * 1e6;

	/* each request reloads the year of history, as a real evaluation does */
	long evaluated = 0;
	int64_t checksum = 0;
	struct arena run;
	arena_init(&run, 1 << 20, 0);
	t0 = now_s();
	double t;
	do {
		for (int k = 0; k < 64; k++) {
			if (cov_evaluate(plan, &req, &run, out, &e)) {
				fprintf(stderr, "evaluate: %s\n", e.message);
				return 1;
			}
			checksum += out[k % NLINES].covered_amount;
			evaluated += NLINES;
			arena_free(&run);
		}
		t = now_s() - t0;
	} while (t < seconds);
	printf("coverage: %d limits, %zu usage records, %ld lines in %.2f s = %.0f lines/s "
	       "(plan build %.0f us, checksum %lld)\n",
	       (int)nl, nu, evaluated, t, (double)evaluated / t, plan_us, (long long)checksum);
	arena_free(&a);
	return 0;
}
