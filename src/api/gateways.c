/* Gateways (admin): the SMSC and SMTP connections of the outbox.
 * GET/POST /api/v1/gateways, GET/PUT/DELETE /api/v1/gateways/{id}.
 * Those of the command line and the config file are listed (source
 * command_line / config) but are not edited here. Passwords are
 * write-only: a reply says password_set, an audit entry neither. Every
 * server re-reads the table within seconds (jobs/outbox.h). */
#include <string.h>

#include "api/api.h"
#include "base/clock.h"
#include "base/str.h"
#include "http/server.h"
#include "jobs/outbox.h"

static json_t *prefixes_json(const char *p)
{
	json_t *a = json_array();
	while (p && *p) {
		const char *sp = strchr(p, ' ');
		size_t n = sp ? (size_t)(sp - p) : strlen(p);
		json_array_append_new(a, json_stringn(p, n));
		p += n;
		while (*p == ' ')
			p++;
	}
	return a;
}

/* A gateway as the API shows it; row is NULL for a static one. */
static json_t *gateway_json(const struct outbox_gateway *g, const struct gateway_row *row,
			    bool enabled, const char *state)
{
	bool smpp = strcmp(g->kind, "smpp") == 0;
	json_t *j = json_pack("{s:o, s:s, s:s, s:s, s:i, s:s, s:b, s:s, s:b, s:s}", "id",
			      row ? json_integer(row->id) : json_null(), "kind", g->kind, "name",
			      g->name, "host", g->host, "port", g->port, "username", g->username,
			      "password_set", g->password[0] != '\0', "source", g->source, "enabled",
			      enabled, "state", state);
	json_object_set_new(j, "tls", smpp ? json_null() : json_string(g->tls));
	json_object_set_new(j, "prefixes", prefixes_json(smpp ? g->prefixes : ""));
	json_object_set_new(j, "window", smpp ? json_integer(g->window) : json_null());
	json_object_set_new(j, "rate", smpp ? json_integer(g->rate) : json_null());
	json_object_set_new(j, "mail_from", smpp || !g->mail_from[0] ? json_null()
								     : json_string(g->mail_from));
	if (row) {
		json_object_set_new(j, "version", json_integer(row->version));
		json_object_set_new(j, "created_at", json_time(row->created_at));
		json_object_set_new(j, "updated_at", json_time(row->updated_at));
	}
	return j;
}

/* What this server does with a row: off when disabled or shadowed by a
 * static gateway of the same name. */
static json_t *row_json(struct req *r, const struct gateway_row *row)
{
	struct outbox_gateway g;
	outbox_gateway_from_row(row, &g);
	return gateway_json(&g, row, row->enabled,
			    row->enabled ? outbox_gateway_state(r->app->jobs, row->kind, row->name)
					 : "off");
}

/* For the audit trail: everything but the password. */
static json_t *audit_json_of(const struct gateway_row *row)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:b, s:s, s:s, s:I, s:I, s:o, s:b}", "kind",
			 row->kind, "name", row->name, "host", row->host, "port", (json_int_t)row->port,
			 "username", row->username, "password_set", row->password[0] != '\0',
			 "tls", row->tls, "prefixes", row->prefixes, "window",
			 (json_int_t)row->window, "rate", (json_int_t)row->rate, "mail_from",
			 json_str_or_null(row->mail_from), "enabled", row->enabled);
}

/* One audit entry: the gateway before and after, without its password. */
static enum res audit_gateway(struct req *r, const char *action, int64_t id,
			      const struct gateway_row *before, const struct gateway_row *after)
{
	json_t *b = before ? audit_json_of(before) : NULL, *a = after ? audit_json_of(after) : NULL;
	enum res res = req_audit(r, action, "gateway", id, b, a);
	json_decref(b);
	json_decref(a);
	return res;
}

enum res api_gateways_list(struct req *r)
{
	json_t *items = json_array();
	size_t ns;
	const struct outbox_gateway *s = outbox_static_gateways(r->app->jobs, &ns);
	for (size_t i = 0; i < ns; i++)
		json_array_append_new(items,
				      gateway_json(&s[i], NULL, true,
						   outbox_gateway_state(r->app->jobs, s[i].kind,
									s[i].name)));
	struct gateway_row *rows;
	size_t n;
	enum res res = store_gateways_list(r->db, &r->arena, &rows, &n, &r->err);
	if (res) {
		json_decref(items);
		return res;
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, row_json(r, &rows[i]));
	return req_json(r, 200, json_pack("{s:o}", "items", items));
}

enum res api_gateways_get(struct req *r)
{
	int64_t id;
	struct gateway_row row;
	enum res res;
	if ((res = req_param_id(r, 0, &id)) ||
	    (res = store_gateway_get(r->db, id, &r->arena, &row, &r->err)))
		return res;
	return req_json(r, 200, row_json(r, &row));
}

/* Read the body into row (create: from defaults; update: over the stored
 * row), then check it as the dispatchers will. */
static enum res gateway_fields(struct req *r, struct gateway_row *row, bool create)
{
	static const char *const keys[] = {"kind",   "name",     "host",   "port",      "username",
					   "password", "tls",    "prefixes", "window", "rate",
					   "mail_from", "enabled", "version", NULL};
	enum res res;
	const char *kind = row->kind;
	bool has_pw = false, has_port = false, has_from = false;
	int64_t version = 0;
	bool has_version = false;
	if ((res = api_need_body(r)) || (res = jd_object(r->json, "", keys, &r->err)) ||
	    (res = jd_str(r->json, "kind", create, 8, &kind, NULL, &r->err)) ||
	    (res = jd_str(r->json, "name", create, OUTBOX_NAME_MAX, &row->name, NULL, &r->err)) ||
	    (res = jd_str(r->json, "host", create, 255, &row->host, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "port", false, 1, 65535, &row->port, &has_port, &r->err)) ||
	    (res = jd_str(r->json, "username", false, 255, &row->username, NULL, &r->err)) ||
	    (res = jd_str(r->json, "password", false, 255, &row->password, &has_pw, &r->err)) ||
	    (res = jd_str(r->json, "tls", false, 10, &row->tls, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "window", false, 1, 500, &row->window, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "rate", false, 0, 100000, &row->rate, NULL, &r->err)) ||
	    (res = jd_str(r->json, "mail_from", false, 255, &row->mail_from, &has_from, &r->err)) ||
	    (res = jd_bool(r->json, "enabled", false, &row->enabled, NULL, &r->err)) ||
	    (res = jd_i64(r->json, "version", false, 1, INT64_MAX, &version, &has_version,
			  &r->err)))
		return res;
	(void)has_pw; /* absent on update: the stored one stays */
	if (!create && strcmp(kind, row->kind) != 0)
		return err_set(&r->err, RES_INVALID, "invalid_field", "kind",
			       "a gateway's kind cannot change: make a new one");
	if (has_version && version != row->version)
		return err_set(&r->err, RES_CONFLICT, "version_conflict", "version",
			       "someone changed this gateway meanwhile (version %lld now)",
			       (long long)row->version);
	row->kind = kind;
	if (strcmp(kind, "smpp") && strcmp(kind, "smtp"))
		return err_set(&r->err, RES_INVALID, "invalid_field", "kind",
			       "kind must be smpp or smtp");
	bool smpp = strcmp(kind, "smpp") == 0;
	if (create && !has_port)
		row->port = smpp ? 2775 : 587;
	if (has_from && row->mail_from && !*row->mail_from)
		row->mail_from = NULL;
	/* prefixes: a list, or one string */
	json_t *p = json_object_get(r->json, "prefixes");
	if (p && !json_is_null(p)) {
		char buf[ROUTE_PREFIXES_TEXT_MAX * 2];
		size_t at = 0;
		buf[0] = '\0';
		if (json_is_string(p)) {
			if (!str_copy(buf, sizeof buf, json_string_value(p)))
				return err_set(&r->err, RES_INVALID, "invalid_field", "prefixes",
					       "the prefixes are too long");
		} else if (json_is_array(p)) {
			size_t i;
			json_t *v;
			json_array_foreach(p, i, v) {
				if (!json_is_string(v) ||
				    at + json_string_length(v) + 2 >= sizeof buf) {
					char f[32];
					snprintf(f, sizeof f, "prefixes[%zu]", i);
					return err_set(&r->err, RES_INVALID, "invalid_field", f,
						       "each prefix is a text such as +7");
				}
				at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%s",
						       at ? " " : "", json_string_value(v));
			}
		} else {
			return err_set(&r->err, RES_INVALID, "invalid_field", "prefixes",
				       "prefixes must be a list such as [\"+7\", \"+375\"]");
		}
		row->prefixes = arena_strdup(&r->arena, buf);
	}
	if (smpp && create && !json_object_get(r->json, "username"))
		return err_set(&r->err, RES_INVALID, "missing_field", "username",
			       "username (the SMPP system_id) is required");
	if (!smpp && !row->mail_from)
		return err_set(&r->err, RES_INVALID, "missing_field", "mail_from",
			       "mail_from (the From address of email) is required");
	/* the same checks the dispatchers make */
	struct outbox_gateway g;
	outbox_gateway_from_row(row, &g);
	if (!row->prefixes || !row->host || !row->name || !row->username || !row->password ||
	    !row->tls)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	if (strlen(row->prefixes) >= sizeof g.prefixes)
		return err_set(&r->err, RES_INVALID, "invalid_field", "prefixes",
			       "the prefixes are too long");
	if ((res = outbox_gateway_check(&g, NULL, &r->err)))
		return res;
	row->prefixes = arena_strdup(&r->arena, g.prefixes);
	row->tls = arena_strdup(&r->arena, g.tls);
	row->window = g.window;
	row->rate = g.rate;
	/* names are unique, the static gateways' too */
	size_t ns;
	const struct outbox_gateway *s = outbox_static_gateways(r->app->jobs, &ns);
	for (size_t i = 0; i < ns; i++)
		if (strcmp(s[i].name, row->name) == 0)
			return err_set(&r->err, RES_CONFLICT, "name_taken", "name",
				       "the server's %s gateway is named %s",
				       strcmp(s[i].source, "config") == 0 ? "config file's"
									   : "command line's",
				       row->name);
	int64_t other;
	if ((res = store_gateway_by_name(r->db, row->name, &other, &r->err)))
		return res;
	if (other && other != row->id)
		return err_set(&r->err, RES_CONFLICT, "name_taken", "name",
			       "another gateway is named %s", row->name);
	return RES_OK;
}

enum res api_gateways_create(struct req *r)
{
	struct gateway_row row = {.kind = "", .username = "", .password = "", .tls = "none",
				  .prefixes = "", .window = 50, .rate = 0, .enabled = true};
	enum res res;
	if ((res = gateway_fields(r, &row, true)))
		return res;
	if (strcmp(row.kind, "smpp") != 0)
		row.window = row.rate = 0;
	row.created_at = row.updated_at = clock_now_us();
	if ((res = store_gateway_insert(r->db, &row, &r->err)) ||
	    (res = audit_gateway(r, "create", row.id, NULL, &row)))
		return res;
	return req_json(r, 201, row_json(r, &row));
}

enum res api_gateways_put(struct req *r)
{
	int64_t id;
	struct gateway_row old, row;
	enum res res;
	if ((res = req_param_id(r, 0, &id)) ||
	    (res = store_gateway_get(r->db, id, &r->arena, &old, &r->err)))
		return res;
	row = old;
	if ((res = gateway_fields(r, &row, false)))
		return res;
	row.updated_at = clock_now_us();
	if ((res = store_gateway_update(r->db, &row, &r->err)) ||
	    (res = audit_gateway(r, "update", row.id, &old, &row)))
		return res;
	return req_json(r, 200, row_json(r, &row));
}

enum res api_gateways_delete(struct req *r)
{
	int64_t id;
	struct gateway_row old;
	enum res res;
	if ((res = req_param_id(r, 0, &id)) ||
	    (res = store_gateway_get(r->db, id, &r->arena, &old, &r->err)) ||
	    (res = store_gateway_delete(r->db, id, &r->err)) ||
	    (res = audit_gateway(r, "delete", id, &old, NULL)))
		return res;
	return req_empty(r, 204);
}
