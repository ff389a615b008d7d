/* libmicrohttpd front end. Each request runs: route match -> body (bounded)
 * -> credentials -> role check (from the route table, here and nowhere else)
 * -> CSRF check -> one transaction around the handler -> reply. */
#include "http/server.h"
#include "http/events.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/str.h"
#include "http/auth.h"
#include "http/http.h"
#include "http/json.h"
#include "http/static.h"

#define MAX_HEADERS 64
#define DEFAULT_BODY_LIMIT (1u << 20)

struct ctx {
	struct req r;
	struct buf body;
	size_t limit;
	bool too_large;
	const struct route *route;
	bool method_mismatch;
	int64_t t0;
	int status;
	size_t sent;
};

static atomic_int inflight;
static atomic_uint_fast64_t req_counter;
static unsigned req_prefix;

/* ---- route matching ---- */

bool http_route_match(const char *pattern, const char *path, struct req *r)
{
	int np = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			const char *se = strchr(s, '/');
			if (!se)
				se = s + strlen(s);
			if (se == s || !pe || np >= REQ_MAX_PARAMS)
				return false;
			if (r)
				r->params[np] = arena_strndup(&r->arena, s, (size_t)(se - s));
			np++;
			p = pe + 1;
			s = se;
		} else if (*p == *s) {
			p++;
			s++;
		} else {
			return false;
		}
	}
	if (*p || *s)
		return false;
	if (r)
		r->nparams = np;
	return true;
}

const struct route *http_route_find(const char *method, const char *path, bool *mismatch,
				    struct buf *allow)
{
	*mismatch = false;
	const struct route *found = NULL;
	for (size_t i = 0; i < api_routes_count; i++) {
		const struct route *rt = &api_routes[i];
		if (!http_route_match(rt->pattern, path, NULL))
			continue;
		if (strcmp(rt->method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0)) {
			if (!found)
				found = rt;
		} else {
			*mismatch = true;
			if (allow) {
				if (allow->len && buf_puts(allow, ", "))
					break;
				if (buf_puts(allow, rt->method))
					break;
			}
		}
	}
	if (found)
		*mismatch = false;
	return found;
}

/* ---- replies ---- */

enum res req_json(struct req *r, int status, json_t *body)
{
	if (!body)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	char *s = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!s)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	free(r->resp);
	r->resp = s;
	r->resp_len = strlen(s);
	r->status = status;
	r->content_type = "application/json; charset=utf-8";
	return RES_OK;
}

enum res req_keep_json(struct req *r, json_t *j)
{
	if (!r->kept && !(r->kept = json_array())) {
		json_decref(j);
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	}
	if (json_array_append_new(r->kept, j))
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	return RES_OK;
}

enum res req_empty(struct req *r, int status)
{
	free(r->resp);
	r->resp = NULL;
	r->resp_len = 0;
	r->status = status;
	r->content_type = NULL;
	return RES_OK;
}

void req_add_header(struct req *r, const char *name, const char *value)
{
	if (r->nhdr < REQ_MAX_HEADERS) {
		r->hdr_name[r->nhdr] = name;
		r->hdr_value[r->nhdr] = value;
		r->nhdr++;
	}
}

const char *req_query(struct req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

enum res req_param_id(struct req *r, int i, int64_t *id)
{
	const char *s = i < r->nparams ? r->params[i] : NULL;
	if (!s || str_to_i64(s, strlen(s), id) || *id <= 0)
		return err_set(&r->err, RES_NOT_FOUND, "not_found", NULL, "no such record");
	return RES_OK;
}

static enum res query_i64(struct req *r, const char *key, int64_t min, int64_t max, int64_t *out)
{
	const char *s = req_query(r, key);
	if (!s)
		return RES_OK;
	int64_t v;
	if (str_to_i64(s, strlen(s), &v) || v < min || v > max)
		return err_set(&r->err, RES_INVALID, "invalid_field", key,
			       "%s must be an integer between %" PRId64 " and %" PRId64, key, min, max);
	*out = v;
	return RES_OK;
}

enum res req_paging(struct req *r, int64_t def, int64_t max, int64_t *limit, int64_t *offset)
{
	*limit = def;
	*offset = 0;
	enum res res = query_i64(r, "limit", 1, max, limit);
	if (!res)
		res = query_i64(r, "offset", 0, INT64_MAX / 2, offset);
	return res;
}

enum res audit_json(struct db *db, int64_t actor_id, const char *actor_login,
		    const char *request_id, const char *action, const char *entity,
		    int64_t entity_id, json_t *before, json_t *after, struct err *e)
{
	char idbuf[24];
	snprintf(idbuf, sizeof idbuf, "%" PRId64, entity_id);
	char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	struct audit_rec rec = {
		.at = clock_now_us(),
		.actor_id = actor_id,
		.actor_login = actor_login ? actor_login : "",
		.action = action,
		.entity = entity,
		.entity_id = idbuf,
		.before_json = b,
		.after_json = a,
		.request_id = request_id ? request_id : "",
	};
	enum res res = ((before && !b) || (after && !a))
			       ? err_set(e, RES_NOMEM, NULL, NULL, "out of memory")
			       : store_audit_add(db, &rec, e);
	free(b);
	free(a);
	return res;
}

enum res req_audit(struct req *r, const char *action, const char *entity, int64_t entity_id,
		   json_t *before, json_t *after)
{
	bool who = r->auth != AUTH_NONE;
	return audit_json(r->db, who ? r->user.id : 0, who ? r->user.login : "", r->id, action,
			  entity, entity_id, before, after, &r->err);
}

static size_t topics_len(const char *topics)
{
	size_t n = 0;
	while (topics[n])
		n += strlen(topics + n) + 1;
	return n + 1;
}

enum res req_event(struct req *r, const char *type, const char *topics, json_t *data)
{
	char *text = data ? json_dumps(data, JSON_COMPACT) : strdup("{}");
	if (!text)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	enum res res = RES_OK;
	if (r->db && db_kind(r->db) == DB_PG) {
		/* NOTIFY travels with the transaction: every server hears it on commit */
		char *payload = events_payload(type, topics, text);
		res = payload ? store_notify(r->db, payload, &r->err)
			      : err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
		free(payload);
		free(text);
		return res;
	}
	struct req_ev *ev = arena_alloc(&r->arena, sizeof *ev);
	size_t tl = topics_len(topics);
	char *t = arena_alloc(&r->arena, tl);
	if (!ev || !t || !(ev->type = arena_strdup(&r->arena, type)) ||
	    !(ev->data = arena_strdup(&r->arena, text)))
		res = err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	free(text);
	if (res)
		return res;
	memcpy(t, topics, tl);
	ev->topics = t;
	/* kept in order: appended at the end */
	struct req_ev **at = &r->events;
	while (*at)
		at = &(*at)->next;
	ev->next = NULL;
	*at = ev;
	return RES_OK;
}

enum res req_stream(struct req *r, const char *topics)
{
	size_t tl = topics_len(topics);
	char *t = arena_alloc(&r->arena, tl);
	if (!t)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	memcpy(t, topics, tl);
	r->stream_topics = t;
	r->status = 200;
	return RES_OK;
}

static void reply_error(struct req *r)
{
	struct err *e = &r->err;
	if (e->res == RES_OK)
		err_set(e, RES_INTERNAL, NULL, NULL, "the handler failed without saying why");
	if (!e->code)
		e->code = err_default_code(e->res);
	if (!e->message[0])
		snprintf(e->message, sizeof e->message, "%s", e->code);
	json_t *body = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", e->code, "message",
				 e->message, "field", e->field[0] ? json_string(e->field) : json_null());
	int status = err_http_status(e->res);
	if (req_json(r, status, body)) {
		/* out of memory even for the error: a bare status */
		req_empty(r, 500);
	}
	r->status = status;
}

/* ---- request handling ---- */

static const char *client_ip(struct req *r, struct app *app)
{
	if (app->cfg.trust_proxy) {
		/* the rightmost entry is the one our proxy added; entries to its left
		 * come from the client and may be forged */
		const char *xff = req_header(r, "X-Forwarded-For");
		if (xff && *xff) {
			const char *start = strrchr(xff, ',');
			start = start ? start + 1 : xff;
			while (*start == ' ')
				start++;
			size_t n = strlen(start);
			while (n && start[n - 1] == ' ')
				n--;
			if (n && n < 64)
				return arena_strndup(&r->arena, start, n);
		}
	}
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char buf[INET6_ADDRSTRLEN] = "";
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, sizeof buf);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, sizeof buf);
	}
	return arena_strdup(&r->arena, buf);
}

static bool is_write(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static bool has_body(const char *method)
{
	return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
	       strcmp(method, "PATCH") == 0;
}

struct bad_arg {
	const char *key;
	bool bad;
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	(void)kind;
	struct bad_arg *b = cls;
	if ((key && !str_utf8_valid(key, strlen(key))) || (value && !str_utf8_valid(value, strlen(value)))) {
		b->bad = true;
		b->key = key && str_utf8_valid(key, strlen(key)) && strlen(key) < 64 ? key : NULL;
		return MHD_NO;
	}
	return MHD_YES;
}

static enum res dispatch(struct app *app, struct ctx *x)
{
	struct req *r = &x->r;
	const struct route *rt = x->route;
	enum res res;

	if (x->too_large)
		return err_set(&r->err, RES_TOO_LARGE, "too_large", NULL,
			       "the body is larger than %zu bytes", x->limit);
	r->body = x->body.data ? x->body.data : "";
	r->body_len = x->body.len;
	/* text from the URL must be UTF-8 before it reaches a database */
	for (int i = 0; i < r->nparams; i++)
		if (!r->params[i] || !str_utf8_valid(r->params[i], strlen(r->params[i])))
			return err_set(&r->err, RES_NOT_FOUND, "not_found", NULL, "no such record");
	struct bad_arg ba = {0};
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_arg, &ba);
	if (ba.bad)
		return err_set(&r->err, RES_INVALID, "invalid_field", ba.key,
			       "%s must be UTF-8 text", ba.key ? ba.key : "a query parameter");

	if (!(rt->flags & ROUTE_NO_DB))
		r->db = store_acquire(app->store);
	if (r->db) {
		res = auth_resolve(r);
		if (res && !(rt->flags & ROUTE_PUBLIC))
			goto out;
		if (res) { /* bad credentials do not stop a public route */
			err_clear(&r->err);
			r->auth = AUTH_NONE;
		}
	}
	if (!(rt->flags & ROUTE_PUBLIC)) {
		if (r->auth == AUTH_NONE) {
			res = err_set(&r->err, RES_UNAUTHORIZED, "unauthorized", NULL, "sign in first");
			goto out;
		}
		if (!role_in(rt->roles, r->user.role)) {
			res = err_set(&r->err, RES_FORBIDDEN, "forbidden", NULL,
				      "your role (%s) may not do this", role_name(r->user.role));
			goto out;
		}
	}
	if (r->auth == AUTH_SESSION && is_write(r->method)) {
		const char *t = req_header(r, "X-CSRF-Token");
		size_t n = t ? strlen(t) : 0;
		if (!t || n != strlen(r->csrf) || !str_ct_eq(t, r->csrf, n)) {
			res = err_set(&r->err, RES_FORBIDDEN, "csrf_failed", NULL,
				      "the X-CSRF-Token header is missing or wrong");
			goto out;
		}
	}
	/* the body is parsed only for a caller who may call the route */
	if (has_body(r->method) && r->body_len && !(rt->flags & ROUTE_RAW_BODY) &&
	    (res = json_parse_body(r->body, r->body_len, &r->json, &r->err)))
		goto out;
	if (r->db && !(rt->flags & ROUTE_OWN_TX) &&
	    (res = db_begin(r->db, is_write(r->method) && !(rt->flags & ROUTE_READS), &r->err)))
		goto out;
	res = rt->handler(r);
	if (!res && !r->status)
		res = err_set(&r->err, RES_INTERNAL, NULL, NULL, "the handler gave no reply");
	if (r->db && db_in_tx(r->db)) {
		if (!res || r->commit_on_error) {
			struct err ce;
			err_clear(&ce);
			enum res cres = db_commit(r->db, &ce);
			if (cres && !res) {
				res = cres;
				r->err = ce;
			}
			/* committed: announce what it did (PostgreSQL sent NOTIFY instead) */
			for (struct req_ev *ev = r->events; !cres && ev; ev = ev->next)
				events_publish(app->events, ev->type, ev->topics, ev->data);
		} else {
			db_rollback(r->db);
		}
	}
out:
	if (r->db) {
		store_release(app->store, r->db);
		r->db = NULL;
	}
	return res;
}

static const char csp[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
	"form-action 'self'; frame-ancestors 'none'";

static void add_common_headers(struct MHD_Response *resp, struct req *r, bool api)
{
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Request-Id", r->id);
	if (r->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	if (api)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
}

static enum MHD_Result send_req(struct MHD_Connection *c, struct ctx *x, bool api)
{
	struct req *r = &x->r;
	struct MHD_Response *resp;
	if (r->resp) {
		resp = MHD_create_response_from_buffer(r->resp_len, r->resp, MHD_RESPMEM_MUST_FREE);
		if (resp)
			r->resp = NULL; /* MHD owns it now */
	} else {
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	}
	if (!resp)
		return MHD_NO;
	add_common_headers(resp, r, api);
	if (r->content_type)
		MHD_add_response_header(resp, "Content-Type", r->content_type);
	for (int i = 0; i < r->nhdr; i++)
		MHD_add_response_header(resp, r->hdr_name[i], r->hdr_value[i]);
	x->status = r->status;
	x->sent = r->resp_len;
	enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ok;
}

static enum MHD_Result send_error(struct MHD_Connection *c, struct ctx *x)
{
	reply_error(&x->r);
	return send_req(c, x, true);
}

static void begin_req(struct app *app, struct ctx *x, struct MHD_Connection *c, const char *url,
		      const char *method)
{
	struct req *r = &x->r;
	r->app = app;
	r->conn = c;
	r->method = method;
	r->path = url;
	snprintf(r->id, sizeof r->id, "%08x%08" PRIxFAST64, req_prefix,
		 atomic_fetch_add(&req_counter, 1) + 1);
	r->client_ip = client_ip(r, app);
	if (app->cfg.trust_proxy) {
		const char *proto = req_header(r, "X-Forwarded-Proto");
		r->tls = proto && strcmp(proto, "https") == 0;
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct app *app = cls;
	struct ctx *x = *con_cls;
	if (!x) {
		x = calloc(1, sizeof *x);
		if (!x)
			return MHD_NO;
		*con_cls = x;
		atomic_fetch_add(&inflight, 1);
		x->t0 = clock_mono_us();
		arena_init(&x->r.arena, 4096, 64u << 20);
		begin_req(app, x, c, url, method);
		x->route = http_route_find(method, url, &x->method_mismatch, NULL);
		x->limit = x->route && x->route->body_limit ? x->route->body_limit
							    : app->cfg.body_limit;
		buf_init(&x->body, x->limit);
		int nh = MHD_get_connection_values(c, MHD_HEADER_KIND, NULL, NULL);
		if (nh > MAX_HEADERS) {
			err_set(&x->r.err, RES_TOO_LARGE, "too_many_headers", NULL,
				"more than %d request headers", MAX_HEADERS);
			reply_error(&x->r);
			x->r.status = 431;
			return send_req(c, x, true);
		}
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		int64_t len;
		if (cl && !str_to_i64(cl, strlen(cl), &len) && len > (int64_t)x->limit) {
			/* answer before reading a byte of it; MHD closes the connection after */
			x->too_large = true;
			err_set(&x->r.err, RES_TOO_LARGE, "too_large", NULL,
				"the body is larger than %zu bytes", x->limit);
			return send_error(c, x);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!x->too_large && buf_append(&x->body, upload, *upload_size)) {
			x->too_large = true;
			buf_free(&x->body);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (x->status) /* already answered (431/413 above) */
		return MHD_YES;

	struct req *r = &x->r;
	bool api = strncmp(url, "/api/", 5) == 0 || strcmp(url, "/healthz") == 0;
	if (!x->route) {
		if (x->method_mismatch) {
			struct buf allow;
			buf_init(&allow, 256);
			bool mm;
			http_route_find(method, url, &mm, &allow);
			char *a = arena_strdup(&r->arena, allow.data ? allow.data : "");
			buf_free(&allow);
			if (a)
				req_add_header(r, "Allow", a);
			err_set(&r->err, RES_METHOD, "method_not_allowed", NULL,
				"%s is not allowed here", method);
			return send_error(c, x);
		}
		if (api) {
			err_set(&r->err, RES_NOT_FOUND, "not_found", NULL, "no such API endpoint");
			return send_error(c, x);
		}
		struct static_reply sr;
		static_serve(app->cfg.web_dir, c, method, url, &sr);
		x->status = sr.status;
		x->sent = sr.size;
		if (!sr.resp)
			return MHD_NO;
		add_common_headers(sr.resp, r, false);
		enum MHD_Result ok = MHD_queue_response(c, (unsigned)sr.status, sr.resp);
		MHD_destroy_response(sr.resp);
		return ok;
	}
	if (!http_route_match(x->route->pattern, url, r))
		return MHD_NO; /* cannot happen: find_route matched it */
	enum res res = dispatch(app, x);
	if (res)
		return send_error(c, x);
	if (r->stream_topics) {
		struct MHD_Response *resp = events_stream(app->events, c, r->stream_topics,
							  r->user.id);
		if (!resp) {
			err_set(&r->err, RES_BUSY, "unavailable", NULL, "the server is stopping");
			return send_error(c, x);
		}
		add_common_headers(resp, r, true);
		MHD_add_response_header(resp, "Content-Type", "text/event-stream; charset=utf-8");
		MHD_add_response_header(resp, "X-Accel-Buffering", "no");
		x->status = 200;
		enum MHD_Result ok = MHD_queue_response(c, 200, resp);
		MHD_destroy_response(resp);
		return ok;
	}
	return send_req(c, x, true);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)c;
	struct ctx *x = *con_cls;
	if (!x)
		return;
	struct app *app = cls;
	if (app->cfg.access_log && log_enabled(LOG_INFO)) {
		struct logb lb;
		logb_begin(&lb, LOG_INFO, "http");
		logb_str(&lb, "req", x->r.id);
		logb_str(&lb, "method", x->r.method);
		/* the path only: query strings may carry personal data (search terms) */
		logb_str(&lb, "path", x->r.path);
		logb_int(&lb, "status", x->status);
		logb_int(&lb, "bytes", (int64_t)x->sent);
		logb_int(&lb, "us", clock_mono_us() - x->t0);
		if (x->r.auth != AUTH_NONE)
			logb_int(&lb, "user", x->r.user.id);
		if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
			logb_int(&lb, "aborted", (int64_t)toe);
		logb_end(&lb);
	}
	if (x->r.json)
		json_decref(x->r.json);
	if (x->r.kept)
		json_decref(x->r.kept);
	free(x->r.resp);
	buf_free(&x->body);
	arena_free(&x->r.arena);
	free(x);
	*con_cls = NULL;
	atomic_fetch_sub(&inflight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	LOG_MSG(LOG_WARN, "mhd", msg);
}

static enum res parse_listen(const char *listen, struct sockaddr_storage *ss, struct err *e)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen || strlen(colon + 1) == 0 ||
	    (size_t)(colon - listen) >= sizeof host)
		return err_set(e, RES_INVALID, "invalid_listen", "listen",
			       "--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	int64_t port;
	if (str_to_i64(colon + 1, strlen(colon + 1), &port) || port < 0 || port > 65535)
		return err_set(e, RES_INVALID, "invalid_listen", "listen", "the port must be 0..65535");
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_PASSIVE, .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai;
	if (getaddrinfo(host, colon + 1, &hints, &ai) || !ai)
		return err_set(e, RES_INVALID, "invalid_listen", "listen",
			       "--listen needs a numeric IP address, e.g. 127.0.0.1:8080");
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	return RES_OK;
}

static void publish_notified(void *ctx, const char *payload)
{
	events_publish_text(ctx, payload);
}

enum res server_run(struct app *app, struct err *e)
{
	struct sockaddr_storage ss;
	enum res r = parse_listen(app->cfg.listen, &ss, e);
	if (r)
		return r;
	if ((r = auth_init()))
		return err_set(e, r, NULL, NULL, "cannot initialise libsodium");
	unsigned char rnd[4];
	FILE *f = fopen("/dev/urandom", "rb");
	if (f && fread(rnd, 1, 4, f) == 4)
		req_prefix = (unsigned)rnd[0] << 24 | (unsigned)rnd[1] << 16 | (unsigned)rnd[2] << 8 | rnd[3];
	if (f)
		fclose(f);
	if (!app->cfg.body_limit)
		app->cfg.body_limit = DEFAULT_BODY_LIMIT;

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	/* heartbeats well inside the idle timeout, so quiet streams stay open */
	unsigned hb = app->cfg.timeout_s / 2 ? app->cfg.timeout_s / 2 : 1;
	app->events = events_new(hb < 15 ? hb : 15);
	if (!app->events)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	struct notify_listener *listener = NULL;
	if (store_kind(app->store) == DB_PG && app->db_url &&
	    !(listener = notify_listen(app->db_url, publish_notified, app->events))) {
		events_free(app->events);
		app->events = NULL;
		return err_set(e, RES_NOMEM, NULL, NULL, "cannot start the event listener");
	}
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
			MHD_ALLOW_SUSPEND_RESUME |
			(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
		0, NULL, NULL, on_request, app,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)app->cfg.threads,
		MHD_OPTION_CONNECTION_TIMEOUT, app->cfg.timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
		MHD_OPTION_CONNECTION_LIMIT, 4096u,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
		MHD_OPTION_NOTIFY_COMPLETED, on_done, app,
		MHD_OPTION_END);
	if (!d) {
		int err = errno;
		notify_stop(listener);
		events_free(app->events);
		app->events = NULL;
		return err_set(e, RES_IO, "listen_failed", "listen", "cannot listen on %s: %s",
			       app->cfg.listen, strerror(err));
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (log_enabled(LOG_INFO)) {
		struct logb lb;
		logb_begin(&lb, LOG_INFO, "listening");
		logb_str(&lb, "listen", app->cfg.listen);
		logb_int(&lb, "port", di ? di->port : 0);
		logb_int(&lb, "threads", app->cfg.threads);
		logb_str(&lb, "db", store_kind(app->store) == DB_PG ? "postgresql" : "sqlite");
		logb_end(&lb);
	}

	if (app->jobs_start && app->jobs_start(app, e)) {
		MHD_stop_daemon(d);
		notify_stop(listener);
		events_free(app->events);
		app->events = NULL;
		return e->res ? e->res : RES_INTERNAL;
	}

	/* Wait for a stop signal; meanwhile, once a minute, purge ended sessions
	 * and run the application's housekeeping. */
	for (;;) {
		struct timespec ts = {.tv_sec = app->cfg.housekeeping_s ? app->cfg.housekeeping_s : 60};
		int sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig < 0 && errno == EAGAIN) {
			struct db *db = store_acquire(app->store);
			struct err pe;
			if (store_session_purge(db, clock_now_us(), &pe))
				LOG_MSG(LOG_WARN, "session_purge_failed", pe.message);
			if (app->housekeep)
				app->housekeep(db, app->events);
			store_release(app->store, db);
		}
	}
	LOG_MSG(LOG_INFO, "stopping", "no new connections; finishing requests in flight");
	MHD_socket ls = MHD_quiesce_daemon(d);
	if (app->jobs_stop)
		app->jobs_stop(app);
	/* event streams never end by themselves: end them first */
	notify_stop(listener);
	events_close_all(app->events);
	int64_t deadline = clock_mono_us() + 30LL * 1000000;
	while (atomic_load(&inflight) > 0 && clock_mono_us() < deadline)
		usleep(10000);
	MHD_stop_daemon(d);
	events_free(app->events);
	app->events = NULL;
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	LOG_MSG(LOG_INFO, "stopped", "bye");
	return RES_OK;
}
