/* The program JSON format (docs/programs.md), the same for the API body and
 * `assist import program FILE.json`: decoding into struct program_def with
 * errors that name the field, and encoding back. */
#ifndef ASSIST_PROGRAM_JSON_H
#define ASSIST_PROGRAM_JSON_H

#include <jansson.h>

#include "base/arena.h"
#include "core/program.h"

/* Decode and validate. Strings point into j (keep it alive) or into a. */
enum res program_from_json(json_t *j, struct arena *a, struct program_def *out,
			   struct err *e) WUR;
/* A new reference to the program in the documented format. */
json_t *program_to_json(const struct program_def *p);

#endif
