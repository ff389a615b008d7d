/* Unit tests for src/core/route.c: prefixes as admins type them, and the
 * longest-prefix choice among SMSC connections with defaults and ties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/route.h"

static void norm_ok(const char *in, const char *want)
{
	char out[ROUTE_PREFIXES_TEXT_MAX];
	struct err e;
	err_clear(&e);
	if (route_prefixes_normalize(in, out, sizeof out, &e))
		fail_msg("\"%s\": %s", in, e.message);
	assert_string_equal(out, want);
}

static void norm_bad(const char *in, const char *mention)
{
	char out[ROUTE_PREFIXES_TEXT_MAX];
	struct err e;
	err_clear(&e);
	assert_int_equal(route_prefixes_normalize(in, out, sizeof out, &e), RES_INVALID);
	assert_string_equal(e.field, "prefixes");
	if (mention && !strstr(e.message, mention))
		fail_msg("\"%s\": \"%s\" does not mention \"%s\"", in, e.message, mention);
}

static void normalize(void **state)
{
	(void)state;
	norm_ok("", "");
	norm_ok("   ", "");
	norm_ok("+7", "+7");
	norm_ok("7, 375;+86\t+7", "+7 +375 +86");
	norm_ok("+123456789012345", "+123456789012345");
	norm_bad("+", "\"+\"");
	norm_bad("+7a", "+7a");
	norm_bad("++7", "++7");
	norm_bad("+1234567890123456", NULL);
	norm_bad("7-9", "7-9");
	/* 33 distinct prefixes */
	char many[400];
	size_t at = 0;
	for (int i = 10; i < 43; i++)
		at += (size_t)snprintf(many + at, sizeof many - at, "+%d ", i);
	norm_bad(many, "at most");
	/* a small buffer is an error, never an overflow */
	char small[6];
	struct err e;
	err_clear(&e);
	assert_int_equal(route_prefixes_normalize("+7 +375", small, sizeof small, &e), RES_INVALID);
}

static void pick(void **state)
{
	(void)state;
	struct route_link links[] = {
		{"ru", "+7"},
		{"ru-mts", "+7915 +7916"},
		{"world", ""},
		{"cn", "+86"},
		{"cn-backup", "+86"},
		{"world-2", ""},
	};
	size_t n = sizeof links / sizeof links[0];
	assert_int_equal(route_pick(links, n, "+79001234567"), 0);
	assert_int_equal(route_pick(links, n, "+79151234567"), 1); /* longer wins */
	assert_int_equal(route_pick(links, n, "+79161234567"), 1);
	assert_int_equal(route_pick(links, n, "+8613800138000"), 3); /* first of equals */
	assert_int_equal(route_pick(links, n, "+4915112345678"), 2); /* first default */
	assert_int_equal(route_pick(links, n, NULL), -1);
	/* no default: a number nothing takes has no route */
	assert_int_equal(route_pick(links, 2, "+4915112345678"), -1);
	assert_int_equal(route_pick(links, 0, "+79001234567"), -1);
	/* a prefix longer than the number never matches */
	struct route_link one[] = {{"long", "+791512345678"}};
	assert_int_equal(route_pick(one, 1, "+7915"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalize),
		cmocka_unit_test(pick),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
