/* Static files of the web UI, with ETags (revalidated on every load). */
#ifndef ASSIST_STATIC_H
#define ASSIST_STATIC_H

#include <stddef.h>

struct MHD_Response;
struct MHD_Connection;

struct static_reply {
	struct MHD_Response *resp; /* NULL only when out of memory */
	int status;
	size_t size;
};

/* Serve GET/HEAD url from dir ("/" is index.html). Paths with a segment that
 * starts with '.' and anything outside [A-Za-z0-9._/-] are refused (404). */
void static_serve(const char *dir, struct MHD_Connection *c, const char *method, const char *url,
		  struct static_reply *out);
/* Content type for a file name by its extension. */
const char *static_content_type(const char *name);

#endif
