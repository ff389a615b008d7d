/* GET /api/v1/openapi.json: the OpenAPI 3.1 document compiled into the binary
 * from docs/openapi.json (tests/unit/test_openapi.c keeps it equal to the
 * route table). */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/embed.h"

extern const struct embedded openapi_doc[];

enum res api_openapi(struct req *r)
{
	char *copy = malloc(openapi_doc[0].len + 1);
	if (!copy)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	memcpy(copy, openapi_doc[0].data, openapi_doc[0].len + 1);
	free(r->resp);
	r->resp = copy;
	r->resp_len = openapi_doc[0].len;
	r->status = 200;
	r->content_type = "application/json; charset=utf-8";
	return RES_OK;
}
