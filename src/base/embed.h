/* Files compiled into the binary (migrations, the OpenAPI document). */
#ifndef ASSIST_EMBED_H
#define ASSIST_EMBED_H

#include <stddef.h>

struct embedded {
	const char *name; /* base name, e.g. "0001_foundation.sql"; NULL ends a list */
	const char *data; /* NUL-terminated */
	size_t len;
};

#endif
