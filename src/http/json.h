/* Decoding JSON request bodies into typed values. Every failure names the
 * field ("person.birth_date", "lines[2].quantity") and never echoes the value. */
#ifndef ASSIST_JSON_H
#define ASSIST_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define JSON_MAX_DEPTH 32

/* Parse a body: well-formed UTF-8 JSON, no duplicate keys, nesting at most
 * JSON_MAX_DEPTH. On failure returns RES_BAD_JSON with a message that says
 * where (line/column). *out is a new reference. */
enum res json_parse_body(const char *p, size_t n, json_t **out, struct err *e) WUR;

/* The body must be an object whose keys are all in allowed (NULL-terminated). */
enum res jd_object(json_t *j, const char *path, const char *const allowed[], struct err *e) WUR;

/* Field readers: absent (or null when allow_null) leaves *out untouched and
 * *present false. required=true makes absence an error. */
enum res jd_str(json_t *obj, const char *key, bool required, size_t max_chars, const char **out,
		bool *present, struct err *e) WUR;
enum res jd_bool(json_t *obj, const char *key, bool required, bool *out, bool *present,
		 struct err *e) WUR;
enum res jd_i64(json_t *obj, const char *key, bool required, int64_t min, int64_t max,
		int64_t *out, bool *present, struct err *e) WUR;

/* The same, for a field inside a nested object: errors name "path.key"
 * (path like "person" or "limits[2].scope"). */
enum res jdp_str(json_t *obj, const char *path, const char *key, bool required, size_t max_chars,
		 const char **out, bool *present, struct err *e) WUR;
enum res jdp_bool(json_t *obj, const char *path, const char *key, bool required, bool *out,
		  bool *present, struct err *e) WUR;
enum res jdp_i64(json_t *obj, const char *path, const char *key, bool required, int64_t min,
		 int64_t max, int64_t *out, bool *present, struct err *e) WUR;

/* JSON helpers for replies. */
json_t *json_time(int64_t us);   /* RFC 3339 string, or null for 0 */
json_t *json_str_or_null(const char *s);

#endif
