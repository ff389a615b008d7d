/* Unit tests for src/base. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"

static void t_str_to_i64(void **state)
{
	(void)state;
	int64_t v;
	assert_int_equal(str_to_i64("0", 1, &v), RES_OK);
	assert_int_equal(v, 0);
	assert_int_equal(str_to_i64("-42", 3, &v), RES_OK);
	assert_int_equal(v, -42);
	assert_int_equal(str_to_i64("9223372036854775807", 19, &v), RES_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(str_to_i64("-9223372036854775808", 20, &v), RES_OK);
	assert_true(v == INT64_MIN);
	assert_int_equal(str_to_i64("9223372036854775808", 19, &v), RES_INVALID);
	assert_int_equal(str_to_i64("", 0, &v), RES_INVALID);
	assert_int_equal(str_to_i64("-", 1, &v), RES_INVALID);
	assert_int_equal(str_to_i64("+1", 2, &v), RES_INVALID);
	assert_int_equal(str_to_i64(" 1", 2, &v), RES_INVALID);
	assert_int_equal(str_to_i64("12a", 3, &v), RES_INVALID);
	/* only the given range is read */
	assert_int_equal(str_to_i64("123456", 3, &v), RES_OK);
	assert_int_equal(v, 123);
}

static void t_utf8(void **state)
{
	(void)state;
	assert_true(str_utf8_valid("abc", 3));
	assert_true(str_utf8_valid("Иванов", strlen("Иванов")));
	assert_true(str_utf8_valid("张伟", strlen("张伟")));
	assert_true(str_utf8_valid("\xf0\x9f\x98\x80", 4));        /* emoji */
	assert_false(str_utf8_valid("\xc0\xaf", 2));                /* overlong */
	assert_false(str_utf8_valid("\xed\xa0\x80", 3));            /* surrogate */
	assert_false(str_utf8_valid("\xf4\x90\x80\x80", 4));        /* > U+10FFFF */
	assert_false(str_utf8_valid("\xd0", 1));                    /* truncated */
	assert_false(str_utf8_valid("\xff", 1));
	assert_int_equal(str_utf8_len("Иванов", strlen("Иванов")), 6);
	assert_int_equal(str_utf8_len("张伟", strlen("张伟")), 2);
}

static void t_copy_ct(void **state)
{
	(void)state;
	char b[4];
	assert_true(str_copy(b, sizeof b, "abc"));
	assert_false(str_copy(b, sizeof b, "abcd"));
	assert_string_equal(b, "abc");
	assert_true(str_ct_eq("abc", "abc", 3));
	assert_false(str_ct_eq("abc", "abd", 3));
	assert_true(slice_eq_str(SLICE_LIT("x"), "x"));
	assert_false(slice_eq_str(SLICE_LIT("x"), "xy"));
}

static void t_arena(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 64, 0);
	char *p = arena_alloc(&a, 10);
	assert_non_null(p);
	assert_true(((uintptr_t)p & 15) == 0);
	char *big = arena_alloc(&a, 1000); /* larger than a block */
	assert_non_null(big);
	memset(big, 1, 1000);
	char *q = arena_alloc(&a, 10); /* still from the first block */
	assert_non_null(q);
	assert_true(q > p && q < p + 64);
	assert_string_equal(arena_strndup(&a, "hello", 4), "hell");
	assert_string_equal(arena_printf(&a, "%d-%s", 7, "x"), "7-x");
	arena_free(&a);

	/* a limit is an error, not an abort */
	arena_init(&a, 64, 128);
	assert_non_null(arena_alloc(&a, 60));
	assert_non_null(arena_alloc(&a, 60));
	assert_null(arena_alloc(&a, 60));
	arena_free(&a);

	/* fault injection: the 2nd allocation fails */
	arena_init(&a, 64, 0);
	mem_fail_after(2);
	assert_non_null(arena_alloc(&a, 64));
	assert_null(arena_alloc(&a, 64));
	assert_non_null(arena_alloc(&a, 64));
	mem_fail_after(0);
	arena_free(&a);
}

static void t_buf(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 10);
	assert_int_equal(buf_puts(&b, "hello"), RES_OK);
	assert_int_equal(buf_printf(&b, "%d", 1234), RES_OK);
	assert_string_equal(b.data, "hello1234");
	assert_int_equal(buf_puts(&b, "xx"), RES_TOO_LARGE);
	assert_string_equal(b.data, "hello1234"); /* unchanged on failure */
	assert_int_equal(buf_puts(&b, "x"), RES_OK);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_json_str(&b, "a\"\n\x01", 4), RES_TOO_LARGE); /* 11 bytes escaped */
	buf_free(&b);
	buf_init(&b, 100);
	assert_int_equal(buf_json_str(&b, "a\"\n\x01", 4), RES_OK);
	assert_string_equal(b.data, "a\\\"\\n\\u0001");
	buf_free(&b);

	buf_init(&b, 1000);
	mem_fail_after(1);
	assert_int_equal(buf_puts(&b, "x"), RES_NOMEM);
	mem_fail_after(0);
	buf_free(&b);
}

static void t_clock(void **state)
{
	(void)state;
	char out[32];
	clock_format_rfc3339(0, false, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	clock_format_rfc3339(1709164800123456LL, true, out); /* 2024-02-29 */
	assert_string_equal(out, "2024-02-29T00:00:00.123Z");
	int64_t us;
	assert_true(clock_parse_rfc3339("2024-02-29T00:00:00.123456Z", 27, &us));
	assert_true(us == 1709164800123456LL);
	assert_true(clock_parse_rfc3339("2024-02-29T03:00:00+03:00", 25, &us));
	assert_true(us == 1709164800000000LL);
	assert_true(clock_parse_rfc3339("1969-12-31T23:59:59Z", 20, &us));
	assert_true(us == -1000000);
	clock_format_rfc3339(-1, true, out);
	assert_string_equal(out, "1969-12-31T23:59:59.999Z");
	assert_false(clock_parse_rfc3339("2023-02-29T00:00:00Z", 20, &us)); /* not a leap year */
	assert_false(clock_parse_rfc3339("2024-13-01T00:00:00Z", 20, &us));
	assert_false(clock_parse_rfc3339("2024-01-01 00:00:00Z", 20, &us));
	assert_false(clock_parse_rfc3339("2024-01-01T00:00:00", 19, &us));
	assert_false(clock_parse_rfc3339("2024-01-01T00:00:00Zjunk", 24, &us));
	assert_false(clock_parse_rfc3339("2024-01-01T24:00:00Z", 20, &us));
}

static void t_err(void **state)
{
	(void)state;
	struct err e;
	err_clear(&e);
	assert_int_equal(err_set(&e, RES_INVALID, NULL, "login", "login %s", "bad"), RES_INVALID);
	assert_string_equal(e.code, "invalid_field");
	assert_string_equal(e.field, "login");
	assert_string_equal(e.message, "login bad");
	assert_int_equal(err_http_status(RES_INVALID), 400);
	assert_int_equal(err_http_status(RES_BAD_JSON), 400);
	assert_int_equal(err_http_status(RES_UNAUTHORIZED), 401);
	assert_int_equal(err_http_status(RES_FORBIDDEN), 403);
	assert_int_equal(err_http_status(RES_NOT_FOUND), 404);
	assert_int_equal(err_http_status(RES_CONFLICT), 409);
	assert_int_equal(err_http_status(RES_TOO_LARGE), 413);
	assert_int_equal(err_http_status(RES_UNPROCESSABLE), 422);
	assert_int_equal(err_http_status(RES_TOO_MANY), 429);
	assert_int_equal(err_http_status(RES_DB), 500);
	assert_int_equal(err_set(NULL, RES_DB, NULL, NULL, "x"), RES_DB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_str_to_i64), cmocka_unit_test(t_utf8), cmocka_unit_test(t_copy_ct),
		cmocka_unit_test(t_arena),      cmocka_unit_test(t_buf),  cmocka_unit_test(t_clock),
		cmocka_unit_test(t_err),
	};
	return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}
