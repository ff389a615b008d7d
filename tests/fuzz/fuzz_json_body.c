/* libFuzzer target: decoding of JSON request bodies, the way every handler
 * does it (parse with limits, then the typed field readers and the
 * unknown-field check on what came out). */
#include <stddef.h>
#include <stdint.h>

#include "http/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	json_t *j = NULL;
	if (json_parse_body((const char *)data, size, &j, &e))
		return 0;
	static const char *const allowed[] = {"login", "password", "role", "disabled", "n", NULL};
	(void)jd_object(j, "", allowed, &e);
	(void)jd_object(j, "person", allowed, &e);
	const char *s;
	bool b, present;
	int64_t n;
	(void)jd_str(j, "login", true, 64, &s, &present, &e);
	(void)jd_str(j, "password", false, 1024, &s, &present, &e);
	(void)jd_bool(j, "disabled", false, &b, &present, &e);
	(void)jd_i64(j, "n", false, INT64_MIN, INT64_MAX, &n, &present, &e);
	(void)jd_i64(j, "n", false, 0, 10, &n, &present, &e);
	json_decref(j);
	return 0;
}
