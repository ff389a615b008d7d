/* Result codes and the user-facing error carried out of a failing call.
 * 0 is success everywhere. A function that can fail returns enum res and
 * fills a struct err (when given one) with what the user must see. */
#ifndef ASSIST_ERR_H
#define ASSIST_ERR_H

#include <stddef.h>

#define WUR __attribute__((warn_unused_result))

enum res {
	RES_OK = 0,
	RES_NOMEM,        /* out of memory: 500 */
	RES_BAD_JSON,     /* body is not JSON: 400 */
	RES_INVALID,      /* a field is wrong: 400 */
	RES_UNAUTHORIZED, /* 401 */
	RES_FORBIDDEN,    /* 403 */
	RES_NOT_FOUND,    /* 404 */
	RES_METHOD,       /* 405 */
	RES_CONFLICT,     /* 409 */
	RES_TOO_LARGE,    /* 413 */
	RES_UNPROCESSABLE,/* 422: well-formed but breaks a rule */
	RES_TOO_MANY,     /* 429 */
	RES_DB,           /* database failure: 500 */
	RES_IO,           /* file or network failure: 500 */
	RES_BUSY,         /* database busy past the timeout: 503 */
	RES_INTERNAL,     /* broken invariant: 500 */
};

struct err {
	enum res res;
	const char *code;  /* stable machine code, e.g. "invalid_field" (static) */
	char field[96];    /* the field at fault, "" when none */
	char message[256]; /* English text for the user, never personal data */
};

/* Fill e (when not NULL) and return res. field may be NULL. */
enum res err_set(struct err *e, enum res res, const char *code, const char *field,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void err_clear(struct err *e);
/* HTTP status for a result code. */
int err_http_status(enum res res);
/* Default machine code for a result ("internal", "not_found", ...). */
const char *err_default_code(enum res res);

#endif
