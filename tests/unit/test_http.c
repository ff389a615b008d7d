/* Unit tests for src/http: JSON body decoding and route matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/buf.h"
#include "http/http.h"
#include "http/json.h"

static json_t *parse(const char *s, enum res *r, struct err *e)
{
	json_t *j = NULL;
	*r = json_parse_body(s, strlen(s), &j, e);
	return j;
}

static void t_parse(void **state)
{
	(void)state;
	struct err e;
	enum res r;
	json_t *j = parse("{\"a\":1}", &r, &e);
	assert_int_equal(r, RES_OK);
	json_decref(j);
	assert_null(parse("{\"a\":", &r, &e));
	assert_int_equal(r, RES_BAD_JSON);
	assert_null(parse("{\"a\":1,\"a\":2}", &r, &e)); /* duplicate keys */
	assert_int_equal(r, RES_BAD_JSON);
	assert_null(parse("{\"a\":\"\xff\"}", &r, &e)); /* invalid UTF-8 */
	assert_int_equal(r, RES_BAD_JSON);
	assert_string_equal(e.code, "bad_json");
	assert_null(parse("{\"a\":\"\\u0000\"}", &r, &e)); /* NUL */
	assert_int_equal(r, RES_BAD_JSON);

	char deep[200] = "";
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		strcat(deep, "[");
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		strcat(deep, "]");
	j = parse(deep, &r, &e);
	assert_int_equal(r, RES_OK);
	json_decref(j);
	char deeper[200] = "[";
	strcat(deeper, deep);
	strcat(deeper, "]");
	assert_null(parse(deeper, &r, &e));
	assert_int_equal(r, RES_BAD_JSON);
	/* brackets inside strings do not count */
	j = parse("{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[\"}", &r, &e);
	assert_int_equal(r, RES_OK);
	json_decref(j);
}

static void t_fields(void **state)
{
	(void)state;
	struct err e;
	enum res r;
	json_t *j = parse("{\"login\":\"ivan\",\"n\":5,\"b\":true,\"s\":\"Иванов\",\"x\":null}", &r, &e);
	assert_non_null(j);
	static const char *const allowed[] = {"login", "n", "b", "s", "x", NULL};
	static const char *const fewer[] = {"login", NULL};
	assert_int_equal(jd_object(j, "", allowed, &e), RES_OK);
	assert_int_equal(jd_object(j, "", fewer, &e), RES_INVALID);
	assert_string_equal(e.code, "unknown_field");
	assert_string_equal(e.field, "n");
	assert_int_equal(jd_object(j, "person", fewer, &e), RES_INVALID);
	assert_string_equal(e.field, "person.n");

	const char *s = NULL;
	bool present;
	assert_int_equal(jd_str(j, "login", true, 10, &s, &present, &e), RES_OK);
	assert_string_equal(s, "ivan");
	assert_true(present);
	assert_int_equal(jd_str(j, "s", true, 6, &s, NULL, &e), RES_OK); /* 6 characters, 12 bytes */
	assert_int_equal(jd_str(j, "s", true, 5, &s, NULL, &e), RES_INVALID);
	assert_int_equal(jd_str(j, "n", true, 10, &s, NULL, &e), RES_INVALID);
	assert_string_equal(e.field, "n");
	assert_int_equal(jd_str(j, "missing", true, 10, &s, NULL, &e), RES_INVALID);
	assert_string_equal(e.code, "missing_field");
	assert_int_equal(jd_str(j, "missing", false, 10, &s, &present, &e), RES_OK);
	assert_false(present);
	assert_int_equal(jd_str(j, "x", false, 10, &s, &present, &e), RES_OK); /* null = absent */
	assert_false(present);

	int64_t n;
	assert_int_equal(jd_i64(j, "n", true, 0, 10, &n, NULL, &e), RES_OK);
	assert_int_equal(n, 5);
	assert_int_equal(jd_i64(j, "n", true, 6, 10, &n, NULL, &e), RES_INVALID);
	assert_int_equal(jd_i64(j, "login", true, 0, 10, &n, NULL, &e), RES_INVALID);
	bool b;
	assert_int_equal(jd_bool(j, "b", true, &b, NULL, &e), RES_OK);
	assert_true(b);
	assert_int_equal(jd_bool(j, "n", true, &b, NULL, &e), RES_INVALID);
	json_decref(j);

	j = parse("[1]", &r, &e);
	assert_int_equal(jd_object(j, "", allowed, &e), RES_INVALID);
	json_decref(j);
}

static void t_routes(void **state)
{
	(void)state;
	struct req r;
	memset(&r, 0, sizeof r);
	arena_init(&r.arena, 1024, 0);
	assert_true(http_route_match("/api/v1/users/{id}", "/api/v1/users/42", &r));
	assert_int_equal(r.nparams, 1);
	assert_string_equal(r.params[0], "42");
	assert_false(http_route_match("/api/v1/users/{id}", "/api/v1/users/", NULL));
	assert_false(http_route_match("/api/v1/users/{id}", "/api/v1/users/4/x", NULL));
	assert_false(http_route_match("/api/v1/users", "/api/v1/users/", NULL));
	assert_true(http_route_match("/api/v1/users", "/api/v1/users", NULL));
	arena_free(&r.arena);

	bool mismatch;
	struct buf allow;
	buf_init(&allow, 256);
	const struct route *rt = http_route_find("GET", "/api/v1/users/7", &mismatch, NULL);
	assert_non_null(rt);
	assert_string_equal(rt->pattern, "/api/v1/users/{id}");
	assert_null(http_route_find("PUT", "/api/v1/users/7", &mismatch, &allow));
	assert_true(mismatch);
	assert_non_null(strstr(allow.data, "PATCH"));
	assert_non_null(strstr(allow.data, "DELETE"));
	assert_null(http_route_find("GET", "/api/v1/nope", &mismatch, NULL));
	assert_false(mismatch);
	/* HEAD is served by GET routes */
	assert_non_null(http_route_find("HEAD", "/healthz", &mismatch, NULL));
	buf_free(&allow);

	/* every route: a known method, a pattern under /api/v1 (or /healthz), a handler,
	 * and either public or allowed to at least one role */
	for (size_t i = 0; i < api_routes_count; i++) {
		const struct route *x = &api_routes[i];
		assert_non_null(x->handler);
		assert_true(strncmp(x->pattern, "/api/v1/", 8) == 0 || strcmp(x->pattern, "/healthz") == 0);
		assert_true((x->flags & ROUTE_PUBLIC) || x->roles != 0);
		for (size_t k = 0; k < i; k++)
			assert_false(strcmp(api_routes[k].method, x->method) == 0 &&
				     strcmp(api_routes[k].pattern, x->pattern) == 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_parse),
		cmocka_unit_test(t_fields),
		cmocka_unit_test(t_routes),
	};
	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
