/* The HTTP layer as handlers see it: the request, the route table entry, and
 * the reply helpers. One request = one arena, one database connection and
 * one transaction; the server commits when the handler returns RES_OK and
 * rolls back otherwise. */
#ifndef ASSIST_HTTP_H
#define ASSIST_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "core/role.h"
#include "store/store.h"

struct req;
typedef enum res (*handler_fn)(struct req *r);

enum route_flags {
	ROUTE_PUBLIC = 1 << 0,   /* no sign-in needed */
	ROUTE_NO_DB = 1 << 1,    /* handler needs no database connection */
	ROUTE_READS = 1 << 3,
	ROUTE_RAW_BODY = 1 << 4, /* the body is not JSON (an uploaded file): r->body as is */    /* a POST that only reads (a what-if): a read transaction */
	ROUTE_OWN_TX = 1 << 2,   /* no automatic transaction: the handler begins one if it
				  * needs it (to hash passwords outside the write lock,
				  * or because it reads nothing beyond the credentials) */
};

struct route {
	const char *method;   /* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *pattern;  /* "/api/v1/users/{id}" */
	handler_fn handler;
	role_set roles;       /* who may call it (ignored when ROUTE_PUBLIC) */
	unsigned flags;
	size_t body_limit;    /* bytes; 0 = the server default (1 MiB) */
	const char *summary;  /* one line, for the OpenAPI check */
};

extern const struct route api_routes[];
extern const size_t api_routes_count;

enum auth_kind { AUTH_NONE, AUTH_SESSION, AUTH_TOKEN };

#define REQ_MAX_PARAMS 4
#define REQ_MAX_HEADERS 8

struct app; /* server-wide state, see server.h */

struct req {
	struct arena arena;
	struct app *app;
	struct db *db;
	const struct route *route;
	const char *method;
	const char *path;      /* without the query string */
	const char *params[REQ_MAX_PARAMS]; /* decoded {param} values */
	int nparams;
	const char *body;      /* NUL-terminated, body_len bytes */
	size_t body_len;
	json_t *json;          /* parsed body, NULL when none */
	json_t *kept;          /* JSON the request's structs point into (req_keep_json) */
	void *conn;            /* struct MHD_Connection * */
	const char *client_ip;
	bool tls;              /* the client reached us over TLS (per a trusted proxy) */
	char id[20];           /* request id, also in X-Request-Id */

	/* who is calling */
	enum auth_kind auth;
	struct user user;
	const char *session_hash; /* AUTH_SESSION */
	const char *csrf;         /* AUTH_SESSION */

	/* the reply */
	int status;
	char *resp;            /* malloc'd, freed by the server after sending */
	size_t resp_len;
	const char *content_type;
	const char *hdr_name[REQ_MAX_HEADERS];
	const char *hdr_value[REQ_MAX_HEADERS];
	int nhdr;
	bool commit_on_error;  /* keep the handler's writes even though it fails */
	struct err err;

	/* live events (http/events.h) */
	struct req_ev *events;     /* queued by req_event, published after commit (SQLite) */
	const char *stream_topics; /* set by req_stream: answer with an event stream */
};
struct req_ev {
	struct req_ev *next;
	const char *type, *topics, *data;
};

/* Match path against a route pattern; "{x}" matches one non-empty segment.
 * With r, the segments are copied into r->params. */
bool http_route_match(const char *pattern, const char *path, struct req *r);
struct buf;
/* The route for method and path, or NULL; *mismatch tells that the path
 * exists with other methods (listed into allow when given). */
const struct route *http_route_find(const char *method, const char *path, bool *mismatch,
				    struct buf *allow);

/* Query string value, NULL when absent. */
const char *req_query(struct req *r, const char *key);
/* Request header value, NULL when absent. */
const char *req_header(struct req *r, const char *name);
/* Path parameter i as a positive id; RES_NOT_FOUND otherwise. */
enum res req_param_id(struct req *r, int i, int64_t *id) WUR;
/* Paging from ?limit=&offset= (limit 1..max, default def). 400 naming the field. */
enum res req_paging(struct req *r, int64_t def, int64_t max, int64_t *limit, int64_t *offset) WUR;

/* Keep j (stolen) alive until the request ends: for structs decoded from it. */
enum res req_keep_json(struct req *r, json_t *j) WUR;

/* Replies. req_json steals the reference to body. */
enum res req_json(struct req *r, int status, json_t *body) WUR;
enum res req_empty(struct req *r, int status);
void req_add_header(struct req *r, const char *name, const char *value);

/* Announce an event to live streams once the request's transaction
 * commits (nothing is announced when it rolls back). topics: NUL-separated,
 * double-NUL ended ("case:12\0department:medical\0"); data: a JSON object
 * (borrowed) of ids only, never personal data. */
enum res req_event(struct req *r, const char *type, const char *topics, json_t *data) WUR;
/* Answer this request with an event stream for these topics (copied;
 * NUL-separated, double-NUL ended). The handler returns RES_OK after it. */
enum res req_stream(struct req *r, const char *topics) WUR;

/* Record an audit entry with before/after as JSON (borrowed, may be NULL),
 * for callers outside a request too (the importer). */
enum res audit_json(struct db *db, int64_t actor_id, const char *actor_login,
		    const char *request_id, const char *action, const char *entity,
		    int64_t entity_id, json_t *before, json_t *after, struct err *e) WUR;
/* Record an audit entry in the request's transaction. before/after are
 * borrowed (may be NULL). */
enum res req_audit(struct req *r, const char *action, const char *entity, int64_t entity_id,
		   json_t *before, json_t *after) WUR;

#endif
