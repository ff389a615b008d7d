/* docs/openapi.json (as compiled into the binary and served) describes
 * exactly the route table: same paths and methods, same roles (x-roles),
 * and public routes, and only they, have "security": []. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "base/embed.h"
#include "http/http.h"

extern const struct embedded openapi_doc[];

static void lower(const char *in, char *out, size_t cap)
{
	size_t i = 0;
	for (; in[i] && i + 1 < cap; i++)
		out[i] = (char)(in[i] >= 'A' && in[i] <= 'Z' ? in[i] - 'A' + 'a' : in[i]);
	out[i] = 0;
}

static void t_routes_documented(void **state)
{
	(void)state;
	json_error_t je;
	json_t *doc = json_loadb(openapi_doc[0].data, openapi_doc[0].len, 0, &je);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
	json_t *paths = json_object_get(doc, "paths");
	assert_non_null(paths);
	size_t documented = 0;
	const char *p;
	json_t *item;
	json_object_foreach(paths, p, item) {
		const char *m;
		json_t *opv;
		json_object_foreach(item, m, opv) {
			if (strcmp(m, "parameters") == 0)
				continue;
			documented++;
			bool found = false;
			for (size_t i = 0; i < api_routes_count; i++) {
				char lm[16];
				lower(api_routes[i].method, lm, sizeof lm);
				if (strcmp(api_routes[i].pattern, p) == 0 && strcmp(lm, m) == 0)
					found = true;
			}
			if (!found)
				fail_msg("documented but not routed: %s %s", m, p);
		}
	}
	for (size_t i = 0; i < api_routes_count; i++) {
		const struct route *rt = &api_routes[i];
		char lm[16];
		lower(rt->method, lm, sizeof lm);
		json_t *opv = json_object_get(json_object_get(paths, rt->pattern), lm);
		if (!opv)
			fail_msg("routed but not documented: %s %s", rt->method, rt->pattern);
		json_t *roles = json_object_get(opv, "x-roles");
		assert_true(json_is_array(roles));
		role_set documented_roles = 0;
		size_t k;
		json_t *rv;
		json_array_foreach(roles, k, rv) {
			enum role r;
			const char *s = json_string_value(rv);
			assert_non_null(s);
			assert_true(role_parse(s, strlen(s), &r));
			documented_roles |= ROLE_BIT(r);
		}
		role_set routed = (rt->flags & ROUTE_PUBLIC) ? 0 : rt->roles;
		if (documented_roles != routed)
			fail_msg("x-roles differ for %s %s", rt->method, rt->pattern);
		json_t *sec = json_object_get(opv, "security");
		bool public_doc = json_is_array(sec) && json_array_size(sec) == 0;
		if (public_doc != ((rt->flags & ROUTE_PUBLIC) != 0))
			fail_msg("security differs for %s %s", rt->method, rt->pattern);
		assert_non_null(json_object_get(opv, "responses"));
	}
	assert_int_equal(documented, api_routes_count);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_routes_documented),
	};
	return cmocka_run_group_tests_name("openapi", tests, NULL, NULL);
}
