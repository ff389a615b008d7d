/* Unit tests for the program format: core/program.c validation and
 * api/program_json.c decoding/encoding (round trip, errors naming fields). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/program_json.h"
#include "base/embed.h"
#include "http/json.h"

extern const struct embedded demo_programs[];

static json_t *load(const char *name)
{
	for (const struct embedded *p = demo_programs; p->name; p++)
		if (strcmp(p->name, name) == 0) {
			json_t *j = json_loadb(p->data, p->len, 0, NULL);
			assert_non_null(j);
			return j;
		}
	fail_msg("no demo program %s", name);
	return NULL;
}

static void t_demo_programs_valid_and_round_trip(void **state)
{
	(void)state;
	for (const struct embedded *p = demo_programs; p->name; p++) {
		json_t *j = json_loadb(p->data, p->len, 0, NULL);
		assert_non_null(j);
		struct arena a;
		arena_init(&a, 8192, 0);
		struct program_def def;
		struct err e;
		if (program_from_json(j, &a, &def, &e))
			fail_msg("%s: %s (%s)", p->name, e.message, e.field);
		/* encode, decode again, encode again: the same text */
		json_t *enc = program_to_json(&def);
		char *t1 = json_dumps(enc, JSON_COMPACT);
		struct program_def def2;
		assert_int_equal(program_from_json(enc, &a, &def2, &e), RES_OK);
		json_t *enc2 = program_to_json(&def2);
		char *t2 = json_dumps(enc2, JSON_COMPACT);
		assert_string_equal(t1, t2);
		assert_int_equal(def2.cov.nlimits, def.cov.nlimits);
		free(t1);
		free(t2);
		json_decref(enc2);
		json_decref(enc);
		json_decref(j);
		arena_free(&a);
	}
}

/* Apply a change to NORD-DMS-STD and expect a failure naming field. */
static void expect(const char *what, void (*change)(json_t *j), const char *field)
{
	json_t *j = load("nord-dms-std.json");
	change(j);
	struct arena a;
	arena_init(&a, 8192, 0);
	struct program_def def;
	struct err e;
	err_clear(&e);
	enum res r = program_from_json(j, &a, &def, &e);
	if (r != RES_INVALID)
		fail_msg("%s: expected an error, got %d", what, r);
	if (strcmp(e.field, field) != 0)
		fail_msg("%s: expected field %s, got %s (%s)", what, field, e.field, e.message);
	arena_free(&a);
	json_decref(j);
}

static json_t *at(json_t *j, const char *arr, size_t i)
{
	return json_array_get(json_object_get(j, arr), i);
}

static void c_unknown_top(json_t *j) { json_object_set_new(j, "colour", json_string("red")); }
static void c_no_insurer(json_t *j) { json_object_del(j, "insurer"); }
static void c_bad_currency(json_t *j) { json_object_set_new(json_object_get(j, "contract"), "currency", json_string("rub")); }
static void c_bad_date(json_t *j) { json_object_set_new(json_object_get(j, "contract"), "ends", json_string("2026-02-30")); }
static void c_ends_before(json_t *j) { json_object_set_new(json_object_get(j, "contract"), "ends", json_string("2025-01-01")); }
static void c_neg_sum(json_t *j) { json_object_set_new(j, "sum_insured", json_integer(-1)); }
static void c_sum_string(json_t *j) { json_object_set_new(j, "sum_insured", json_string("100")); }
static void c_dup_service(json_t *j) { json_array_append(json_object_get(j, "services"), at(j, "services", 0)); }
static void c_pkg_unknown_cat(json_t *j) { json_array_append_new(json_object_get(at(j, "packages", 0), "categories"), json_string("spa")); }
static void c_limit_scope(json_t *j) { json_object_set_new(at(j, "limits", 1), "scope", json_pack("{s:s}", "service", "NOPE")); }
static void c_limit_two_keys(json_t *j) { json_object_set_new(at(j, "limits", 1), "scope", json_pack("{s:s,s:s}", "service", "MRI", "category", "lab")); }
static void c_limit_measure(json_t *j) { json_object_set_new(at(j, "limits", 0), "measure", json_string("weight")); }
static void c_limit_period(json_t *j) { json_object_set_new(at(j, "limits", 0), "period", json_string("year")); }
static void c_limit_dup(json_t *j) { json_array_append(json_object_get(j, "limits"), at(j, "limits", 1)); }
static void c_ded_dup(json_t *j) { json_array_append(json_object_get(j, "deductibles"), at(j, "deductibles", 0)); }
static void c_limit_unknown(json_t *j) { json_object_set_new(at(j, "limits", 2), "note", json_string("x")); }
static void c_percent_big(json_t *j) { json_object_set_new(at(j, "deductibles", 0), "value", json_integer(10001)); }
static void c_min_max(json_t *j) { json_object_set_new(at(j, "deductibles", 0), "min", json_integer(900000)); }
static void c_minmax_fixed(json_t *j) { json_object_set_new(at(j, "deductibles", 1), "max", json_integer(5)); }
static void c_excl_pkg(json_t *j) { json_object_set_new(at(j, "exclusions", 2), "package", json_string("NOPE")); }
static void c_excl_diag(json_t *j) { json_object_set_new(at(j, "exclusions", 0), "match", json_pack("{s:[s]}", "diagnosis", "F10")); }
static void c_excl_reason(json_t *j) { json_object_del(at(j, "exclusions", 1), "reason"); }
static void c_wait_days(json_t *j) { json_object_set_new(at(j, "waiting_periods", 0), "days", json_integer(-1)); }
static void c_cond_sex(json_t *j) { json_object_set_new(at(j, "conditions", 0), "sex", json_string("X")); }
static void c_cond_ages(json_t *j) { json_object_set_new(at(j, "conditions", 0), "min_age", json_integer(60)); }
static void c_name_en(json_t *j) { json_object_del(json_object_get(j, "name"), "en"); }
static void c_name_lang(json_t *j) { json_object_set_new(json_object_get(j, "name"), "de", json_string("x")); }
static void c_code(json_t *j) { json_object_set_new(j, "code", json_string("has space")); }

static void t_errors_name_fields(void **state)
{
	(void)state;
	expect("unknown top field", c_unknown_top, "colour");
	expect("no insurer", c_no_insurer, "insurer");
	expect("currency", c_bad_currency, "contract.currency");
	expect("date", c_bad_date, "contract.ends");
	expect("ends before starts", c_ends_before, "contract.ends");
	expect("negative sum", c_neg_sum, "sum_insured");
	expect("sum as string", c_sum_string, "sum_insured");
	expect("duplicate service", c_dup_service, "services[13].code");
	expect("package category", c_pkg_unknown_cat, "packages[0].categories[3]");
	expect("limit scope", c_limit_scope, "limits[1].scope");
	expect("scope with two keys", c_limit_two_keys, "limits[1].scope");
	expect("measure", c_limit_measure, "limits[0].measure");
	expect("period", c_limit_period, "limits[0].period");
	expect("duplicate limit", c_limit_dup, "limits[7]");
	expect("unknown limit field", c_limit_unknown, "limits[2].note");
	expect("duplicate deductible", c_ded_dup, "deductibles[2]");
	expect("percent over 100", c_percent_big, "deductibles[0].value");
	expect("min above max", c_min_max, "deductibles[0].max");
	expect("min/max on a fixed deductible", c_minmax_fixed, "deductibles[1].min");
	expect("exclusion package", c_excl_pkg, "exclusions[2].package");
	expect("diagnosis range", c_excl_diag, "exclusions[0].match");
	expect("exclusion reason", c_excl_reason, "exclusions[1].reason");
	expect("waiting days", c_wait_days, "waiting_periods[0].days");
	expect("condition sex", c_cond_sex, "conditions[0].sex");
	expect("condition ages", c_cond_ages, "conditions[0].max_age");
	expect("name.en", c_name_en, "name.en");
	expect("name language", c_name_lang, "name.de");
	expect("code", c_code, "code");
}

static void t_limit_keys(void **state)
{
	(void)state;
	char k[160];
	struct cov_limit l = {1, {COV_SCOPE_SERVICE, "GP"}, COV_COUNT, PERIOD_MONTH, 3};
	program_limit_key(&l, k);
	assert_string_equal(k, "service:GP|count|month");
	l.scope = (struct cov_scope){COV_SCOPE_PROGRAM, NULL};
	l.measure = COV_AMOUNT;
	l.period = PERIOD_TERM;
	program_limit_key(&l, k);
	assert_string_equal(k, "program|amount|term");
	struct i18n_text t = {"Visit", "Приём", NULL};
	assert_string_equal(i18n_pick(&t, "ru"), "Приём");
	assert_string_equal(i18n_pick(&t, "zh"), "Visit");
	assert_true(program_code_valid("NORD-DMS.2026_a"));
	assert_false(program_code_valid(""));
	assert_false(program_code_valid("a/b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_demo_programs_valid_and_round_trip),
		cmocka_unit_test(t_errors_name_fields),
		cmocka_unit_test(t_limit_keys),
	};
	return cmocka_run_group_tests_name("program", tests, NULL, NULL);
}
