#include "http/json.h"

#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/str.h"

/* jansson's own nesting limit is 2048; ours is far lower, so check it first
 * with a scan that skips strings. */
static bool depth_ok(const char *p, size_t n)
{
	int depth = 0;
	bool in_str = false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > JSON_MAX_DEPTH)
				return false;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return true;
}

enum res json_parse_body(const char *p, size_t n, json_t **out, struct err *e)
{
	*out = NULL;
	if (!str_utf8_valid(p, n))
		return err_set(e, RES_BAD_JSON, "bad_json", NULL, "the body is not valid UTF-8");
	if (!depth_ok(p, n))
		return err_set(e, RES_BAD_JSON, "bad_json", NULL,
			       "the body nests deeper than %d levels", JSON_MAX_DEPTH);
	json_error_t je;
	json_t *j = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return err_set(e, RES_BAD_JSON, "bad_json", NULL,
			       "the body is not valid JSON (line %d, column %d): %s", je.line,
			       je.column, je.text);
	*out = j;
	return RES_OK;
}

static void join(char *dst, size_t cap, const char *path, const char *key)
{
	if (path && *path)
		snprintf(dst, cap, "%s.%s", path, key);
	else
		snprintf(dst, cap, "%s", key);
}

enum res jd_object(json_t *j, const char *path, const char *const allowed[], struct err *e)
{
	if (!json_is_object(j))
		return err_set(e, RES_INVALID, "invalid_field", path && *path ? path : NULL,
			       "%s must be a JSON object", path && *path ? path : "the body");
	const char *key;
	json_t *v;
	json_object_foreach(j, key, v) {
		bool ok = false;
		for (size_t i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], key) == 0) {
				ok = true;
				break;
			}
		if (!ok) {
			char f[96];
			join(f, sizeof f, path, key);
			if (strlen(key) > 64 || !str_utf8_valid(key, strlen(key)))
				snprintf(f, sizeof f, "%s", path && *path ? path : "");
			return err_set(e, RES_INVALID, "unknown_field", f, "unknown field %s", f);
		}
	}
	return RES_OK;
}

static json_t *field(json_t *obj, const char *path, const char *key, bool required, bool *present,
		     enum res *r, char *f, size_t fcap, struct err *e)
{
	join(f, fcap, path, key);
	if (present)
		*present = false;
	*r = RES_OK;
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			*r = err_set(e, RES_INVALID, "missing_field", f, "%s is required", f);
		return NULL;
	}
	if (present)
		*present = true;
	return v;
}

enum res jdp_str(json_t *obj, const char *path, const char *key, bool required, size_t max_chars,
		 const char **out, bool *present, struct err *e)
{
	enum res r;
	char f[96];
	json_t *v = field(obj, path, key, required, present, &r, f, sizeof f, e);
	if (!v)
		return r;
	if (!json_is_string(v))
		return err_set(e, RES_INVALID, "invalid_field", f, "%s must be a string", f);
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (memchr(s, '\0', n))
		return err_set(e, RES_INVALID, "invalid_field", f, "%s must not contain NUL", f);
	if (str_utf8_len(s, n) > max_chars)
		return err_set(e, RES_INVALID, "invalid_field", f, "%s must be at most %zu characters",
			       f, max_chars);
	*out = s;
	return RES_OK;
}

enum res jdp_bool(json_t *obj, const char *path, const char *key, bool required, bool *out,
		  bool *present, struct err *e)
{
	enum res r;
	char f[96];
	json_t *v = field(obj, path, key, required, present, &r, f, sizeof f, e);
	if (!v)
		return r;
	if (!json_is_boolean(v))
		return err_set(e, RES_INVALID, "invalid_field", f, "%s must be true or false", f);
	*out = json_is_true(v);
	return RES_OK;
}

enum res jdp_i64(json_t *obj, const char *path, const char *key, bool required, int64_t min,
		 int64_t max, int64_t *out, bool *present, struct err *e)
{
	enum res r;
	char f[96];
	json_t *v = field(obj, path, key, required, present, &r, f, sizeof f, e);
	if (!v)
		return r;
	if (!json_is_integer(v))
		return err_set(e, RES_INVALID, "invalid_field", f, "%s must be an integer", f);
	json_int_t x = json_integer_value(v);
	if (x < min || x > max)
		return err_set(e, RES_INVALID, "invalid_field", f, "%s must be between %lld and %lld",
			       f, (long long)min, (long long)max);
	*out = x;
	return RES_OK;
}

enum res jd_str(json_t *obj, const char *key, bool required, size_t max_chars, const char **out,
		bool *present, struct err *e)
{
	return jdp_str(obj, "", key, required, max_chars, out, present, e);
}

enum res jd_bool(json_t *obj, const char *key, bool required, bool *out, bool *present,
		 struct err *e)
{
	return jdp_bool(obj, "", key, required, out, present, e);
}

enum res jd_i64(json_t *obj, const char *key, bool required, int64_t min, int64_t max,
		int64_t *out, bool *present, struct err *e)
{
	return jdp_i64(obj, "", key, required, min, max, out, present, e);
}

json_t *json_time(int64_t us)
{
	if (!us)
		return json_null();
	char t[32];
	clock_format_rfc3339(us, false, t);
	return json_string(t);
}

json_t *json_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}
