/* libFuzzer target: the program format (POST/PUT /api/v1/programs and
 * `assist import program`): parse, decode, validate, and for what passes,
 * encode and decode again. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "api/program_json.h"
#include "http/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	json_t *j = NULL;
	if (json_parse_body((const char *)data, size, &j, &e))
		return 0;
	struct arena a;
	arena_init(&a, 4096, 64u << 20);
	struct program_def def;
	if (!program_from_json(j, &a, &def, &e)) {
		json_t *enc = program_to_json(&def);
		struct program_def again;
		if (!enc || program_from_json(enc, &a, &again, &e))
			abort(); /* what we write we must be able to read */
		json_decref(enc);
	}
	arena_free(&a);
	json_decref(j);
	return 0;
}
