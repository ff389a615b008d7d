#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(struct err *e)
{
	if (!e)
		return;
	e->res = RES_OK;
	e->code = NULL;
	e->field[0] = '\0';
	e->message[0] = '\0';
}

enum res err_set(struct err *e, enum res res, const char *code, const char *field,
		 const char *fmt, ...)
{
	if (!e)
		return res;
	e->res = res;
	e->code = code ? code : err_default_code(res);
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
	return res;
}

int err_http_status(enum res res)
{
	switch (res) {
	case RES_OK: return 200;
	case RES_BAD_JSON: return 400;
	case RES_INVALID: return 400;
	case RES_UNAUTHORIZED: return 401;
	case RES_FORBIDDEN: return 403;
	case RES_NOT_FOUND: return 404;
	case RES_METHOD: return 405;
	case RES_CONFLICT: return 409;
	case RES_TOO_LARGE: return 413;
	case RES_UNPROCESSABLE: return 422;
	case RES_TOO_MANY: return 429;
	case RES_BUSY: return 503;
	case RES_NOMEM:
	case RES_DB:
	case RES_IO:
	case RES_INTERNAL: return 500;
	}
	return 500;
}

const char *err_default_code(enum res res)
{
	switch (res) {
	case RES_OK: return "ok";
	case RES_NOMEM: return "out_of_memory";
	case RES_BAD_JSON: return "bad_json";
	case RES_INVALID: return "invalid_field";
	case RES_UNAUTHORIZED: return "unauthorized";
	case RES_FORBIDDEN: return "forbidden";
	case RES_NOT_FOUND: return "not_found";
	case RES_METHOD: return "method_not_allowed";
	case RES_CONFLICT: return "conflict";
	case RES_TOO_LARGE: return "too_large";
	case RES_UNPROCESSABLE: return "unprocessable";
	case RES_TOO_MANY: return "too_many_requests";
	case RES_DB: return "database_error";
	case RES_IO: return "io_error";
	case RES_BUSY: return "busy";
	case RES_INTERNAL: return "internal";
	}
	return "internal";
}
