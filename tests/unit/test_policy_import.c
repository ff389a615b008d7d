/* Unit tests for src/core/policy_import.c: the header, every check of a row
 * with the code the UI translates, dates in every accepted form (ISO,
 * DD.MM.YYYY, spreadsheet serials in the 1900 system with its 29 Feb 1900
 * and in the 1904 system), sexes in three scripts, packages, phones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy_import.h"

#define HEADER                                                                                  \
	"policy_number|program|packages|start_date|end_date|status|sum_insured|previous_policy|" \
	"last_name|first_name|middle_name|birth_date|sex|phone|email|document|address|city|"     \
	"language|time_zone"

/* Split s on '|' into f (pointers into a static copy). */
static size_t split(const char *s, struct slice *f, size_t cap)
{
	static char copy[2][2048];
	static int which;
	char *c = copy[which ^= 1];
	snprintf(c, sizeof copy[0], "%s", s);
	size_t n = 0;
	for (char *p = c;; p++) {
		char *end = strchr(p, '|');
		if (n < cap)
			f[n++] = (struct slice){p, end ? (size_t)(end - p) : strlen(p)};
		if (!end)
			break;
		p = end;
	}
	return n;
}

static struct pcol_map map;

static void setup_map(void)
{
	struct slice f[32];
	struct import_issue out[8];
	size_t n = split(HEADER, f, 32);
	assert_int_equal(pcol_map_header(f, n, &map, out, 8), 0);
}

static const char good[] =
	"P-1|NORD-DMS|OUT DENT|2026-01-01|31.12.2026|active|150000000||Иванова|Анна|Сергеевна|"
	"1990-03-01|Ж|8 (916) 123-45-67|anna@example.com|4510 123456|Москва, ул. Тверская, 1|Москва|"
	"ru|Europe/Moscow";

static void t_header(void **state)
{
	(void)state;
	struct slice f[32];
	struct import_issue out[16];
	size_t n = split("Policy Number|PROGRAM|start-date|end_date|last_name|first_name|birth_date|sex", f, 32);
	assert_int_equal(pcol_map_header(f, n, &map, out, 16), 0); /* case, spaces and '-' forgiven */
	assert_int_equal(map.at[PCOL_START_DATE], 2);
	assert_int_equal(map.at[PCOL_PHONE], -1);
	n = split("policy_number|program|colour|program||end_date", f, 32);
	size_t k = pcol_map_header(f, n, &map, out, 16);
	const char *want[] = {"unknown_column", "column_twice", "header_unnamed", "missing_column"};
	assert_true(k >= 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(out[i].code, want[i]);
	assert_string_equal(out[0].value, "colour");
	assert_string_equal(out[1].column, "program");
	assert_int_equal(out[0].row, 1);
}

static void t_good_row(void **state)
{
	(void)state;
	setup_map();
	struct slice f[32];
	struct import_issue out[8];
	struct policy_input p;
	struct arena a;
	arena_init(&a, 4096, 0);
	size_t n = split(good, f, 32);
	assert_int_equal(policy_input_decode(&map, 2, f, n, false, false, &a, &p, out, 8), 0);
	assert_string_equal(p.number, "P-1");
	assert_int_equal(p.npackages, 2);
	assert_string_equal(p.packages[1], "DENT");
	char d[11];
	date_format(p.end, d);
	assert_string_equal(d, "2026-12-31");
	assert_string_equal(p.sex, "F");
	assert_string_equal(p.phone, "+79161234567");
	assert_int_equal(p.sum_insured, 150000000);
	assert_null(p.previous);
	assert_string_equal(p.status, "active");
	arena_free(&a);
}

/* Replace field i of the good row by v and expect the one issue code. */
static void expect(int field, const char *v, const char *code, const char *column)
{
	struct slice f[32];
	struct import_issue out[8];
	struct policy_input p;
	struct arena a;
	arena_init(&a, 4096, 0);
	size_t n = split(good, f, 32);
	f[field] = (struct slice){v, strlen(v)};
	size_t k = policy_input_decode(&map, 7, f, n, false, false, &a, &p, out, 8);
	if (k != 1)
		fail_msg("field %d = \"%s\": %zu issues (first: %s)", field, v, k, k ? out[0].message : "");
	assert_string_equal(out[0].code, code);
	assert_int_equal(out[0].row, 7);
	if (column)
		assert_string_equal(out[0].column, column);
	arena_free(&a);
}

static void t_bad_cells(void **state)
{
	(void)state;
	setup_map();
	expect(0, "", "empty", "policy_number");
	expect(0, "P 1", "code", "policy_number");
	expect(2, "OUT DE/NT", "package_code", "packages");
	expect(3, "2026-02-30", "not_date", "start_date");
	expect(4, "2025-12-31", "end_before_start", "end_date");
	expect(5, "lapsed", "status", "status");
	expect(6, "1.5", "sum_insured", "sum_insured");
	expect(6, "-1", "sum_insured", "sum_insured");
	expect(11, "01/03/1990", "not_date", "birth_date");
	expect(12, "X", "sex", "sex");
	expect(13, "12", "phone", "phone");
	expect(14, "anna.example.com", "email", "email");
	expect(18, "de", "language", "language");
	expect(8, "\xff\xfe", "utf8", "last_name");
	char big[400];
	memset(big, 'x', 300);
	big[300] = '\0';
	expect(8, big, "too_long", "last_name");
	assert_string_equal(import_issue_code("no program %s"), "no_program");
	assert_string_equal(import_issue_code("something new"), "other");
}

static void t_sexes_and_more_cells(void **state)
{
	(void)state;
	setup_map();
	static const struct { const char *v; char want; } sexes[] = {
		{"F", 'F'}, {"m", 'M'}, {"Ж", 'F'}, {"М", 'M'}, {"女", 'F'}, {"男", 'M'},
	};
	for (size_t i = 0; i < sizeof sexes / sizeof sexes[0]; i++) {
		struct slice f[32];
		struct import_issue out[8];
		struct policy_input p;
		struct arena a;
		arena_init(&a, 4096, 0);
		size_t n = split(good, f, 32);
		f[12] = (struct slice){sexes[i].v, strlen(sexes[i].v)};
		assert_int_equal(policy_input_decode(&map, 2, f, n, false, false, &a, &p, out, 8), 0);
		assert_int_equal(p.sex[0], sexes[i].want);
		arena_free(&a);
	}
	char longer[sizeof good + 8];
	snprintf(longer, sizeof longer, "%s|extra", good);
	struct slice f[32];
	struct import_issue out[8];
	struct policy_input p;
	struct arena a;
	arena_init(&a, 4096, 0);
	size_t n = split(longer, f, 32);
	assert_int_equal(policy_input_decode(&map, 3, f, n, false, false, &a, &p, out, 8), 1);
	assert_string_equal(out[0].code, "more_cells");
	arena_free(&a);
}

static void t_dates(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		bool serials, d1904;
		const char *want; /* NULL = refused */
	} cases[] = {
		{"2026-01-31", false, false, "2026-01-31"},
		{"31.01.2026", false, false, "2026-01-31"},
		{"29.02.2024", false, false, "2024-02-29"},
		{"29.02.2025", false, false, NULL},
		{"46053", false, false, NULL},          /* a serial only from a workbook */
		{"46053", true, false, "2026-01-31"},
		{"1", true, false, "1900-01-01"},
		{"59", true, false, "1900-02-28"},
		{"61", true, false, "1900-03-01"},      /* 60 is Excel's 29 Feb 1900 */
		{"0", true, true, "1904-01-01"},
		{"44591", true, true, "2026-01-31"},    /* 1904 system: 1462 days less */
		{"2026-1-31", false, false, NULL},
		{"", false, false, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cdate d;
		bool ok = import_date_parse(cases[i].s, strlen(cases[i].s), cases[i].serials, cases[i].d1904, &d);
		if (!cases[i].want) {
			if (ok)
				fail_msg("%s: accepted", cases[i].s);
			continue;
		}
		if (!ok)
			fail_msg("%s: refused", cases[i].s);
		char out[11];
		date_format(d, out);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("%s (serials %d, 1904 %d): %s, wanted %s", cases[i].s, cases[i].serials,
				 cases[i].d1904, out, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_header),
		cmocka_unit_test(t_good_row),
		cmocka_unit_test(t_bad_cells),
		cmocka_unit_test(t_sexes_and_more_cells),
		cmocka_unit_test(t_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
