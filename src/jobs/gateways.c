/* Gateways: checking them, and making them from a table row, a command
 * line URL or the config file (see outbox.h). */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/str.h"
#include "jobs/outbox.h"
#include "jobs/smpp.h"
#include "jobs/smtp.h"

#define SMPP_RATE_MAX 100000

static enum res bad(struct err *e, const char *prefix, const char *field, const char *fmt,
		    const char *arg)
{
	char f[96];
	snprintf(f, sizeof f, "%s%s", prefix ? prefix : "", field);
	return err_set(e, RES_INVALID, "invalid_field", f, fmt, arg);
}

static bool name_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= OUTBOX_NAME_MAX || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr(" -_.:", c)))
			return false;
	}
	return true;
}

/* A host name, an IPv4 address, or an IPv6 one (bare or in brackets). */
static bool host_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= OUTBOX_TEXT_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("-.:[]", c)))
			return false;
	}
	return true;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

enum res outbox_gateway_check(struct outbox_gateway *g, const char *prefix, struct err *e)
{
	bool smpp = strcmp(g->kind, "smpp") == 0;
	if (!smpp && strcmp(g->kind, "smtp") != 0)
		return bad(e, prefix, "kind", "kind must be smpp or smtp%s", "");
	if (!name_valid(g->name))
		return bad(e, prefix, "name",
			   "the name must be 1 to 63 letters, digits, spaces and - _ . :%s", "");
	if (!host_valid(g->host))
		return bad(e, prefix, "host", "\"%s\" is not a host name or address", g->host);
	if (g->port < 1 || g->port > 65535)
		return bad(e, prefix, "port", "the port must be 1 to 65535%s", "");
	if (!printable(g->username) || !printable(g->password))
		return bad(e, prefix, g->password[0] && !printable(g->password) ? "password" : "username",
			   "control characters are not allowed%s", "");
	if (!g->tls[0])
		snprintf(g->tls, sizeof g->tls, "none");
	if (smpp) {
		if (!g->username[0] || strlen(g->username) > 15)
			return bad(e, prefix, "username",
				   "the system_id must be 1 to 15 characters (SMPP 3.4)%s", "");
		if (strlen(g->password) > 8)
			return bad(e, prefix, "password",
				   "an SMPP 3.4 password is at most 8 characters%s", "");
		if (strcmp(g->tls, "none") != 0)
			return bad(e, prefix, "tls", "SMPP connections here are plain TCP%s", "");
		if (g->window == 0)
			g->window = 50;
		if (g->window < 1 || g->window > SMPP_WINDOW_MAX)
			return bad(e, prefix, "window", "the window must be 1 to 500 submits%s", "");
		if (g->rate < 0 || g->rate > SMPP_RATE_MAX)
			return bad(e, prefix, "rate",
				   "the rate must be 0 (no limit) to 100000 a second%s", "");
		char norm[ROUTE_PREFIXES_TEXT_MAX];
		struct err pe;
		err_clear(&pe);
		if (route_prefixes_normalize(g->prefixes, norm, sizeof norm, &pe))
			return bad(e, prefix, "prefixes", "%s", pe.message);
		/* gateways are compared whole: no stale bytes after the text */
		memset(g->prefixes, 0, sizeof g->prefixes);
		memcpy(g->prefixes, norm, strlen(norm) + 1);
		if (g->mail_from[0])
			return bad(e, prefix, "mail_from", "an SMSC sends no email%s", "");
		return RES_OK;
	}
	if (strcmp(g->tls, "none") && strcmp(g->tls, "starttls") && strcmp(g->tls, "tls"))
		return bad(e, prefix, "tls", "tls must be none, starttls or tls%s", "");
	if (g->password[0] && !g->username[0])
		return bad(e, prefix, "username", "a password needs a user name%s", "");
	if (g->mail_from[0] && !smtp_address_valid(g->mail_from))
		return bad(e, prefix, "mail_from", "\"%s\" is not an email address", g->mail_from);
	if (g->prefixes[0])
		return bad(e, prefix, "prefixes", "prefixes route SMS, not email%s", "");
	g->window = g->rate = 0;
	/* what libcurl will be given must pass its own check */
	char url[700];
	struct smtp_config sc;
	outbox_smtp_config(g, url, sizeof url, &sc);
	struct err se;
	err_clear(&se);
	if (smtp_config_check(&sc, &se))
		return bad(e, prefix, "host", "%s", se.message);
	return RES_OK;
}

void outbox_gateway_from_row(const struct gateway_row *row, struct outbox_gateway *g)
{
	memset(g, 0, sizeof *g);
	str_copy(g->kind, sizeof g->kind, row->kind);
	str_copy(g->name, sizeof g->name, row->name);
	str_copy(g->host, sizeof g->host, row->host);
	g->port = row->port > 0 && row->port <= 65535 ? (int)row->port : 0;
	str_copy(g->username, sizeof g->username, row->username);
	str_copy(g->password, sizeof g->password, row->password);
	str_copy(g->tls, sizeof g->tls, row->tls);
	str_copy(g->prefixes, sizeof g->prefixes, row->prefixes);
	g->window = row->window > 0 && row->window <= SMPP_WINDOW_MAX ? (int)row->window : -1;
	g->rate = row->rate >= 0 && row->rate <= SMPP_RATE_MAX ? (int)row->rate : -1;
	str_copy(g->mail_from, sizeof g->mail_from, row->mail_from ? row->mail_from : "");
	str_copy(g->source, sizeof g->source, "admin");
	g->id = row->id;
}

enum res outbox_gateway_from_smpp_url(const char *url, struct outbox_gateway *g, struct err *e)
{
	memset(g, 0, sizeof *g);
	struct smpp_url u;
	const char *why = NULL;
	if (!smpp_url_parse(url, &u, &why))
		return err_set(e, RES_INVALID, "invalid_field", "smpp", "the SMPP URL: %s",
			       why ? why : "must be smpp://SYSTEM_ID:PASSWORD@HOST:PORT");
	str_copy(g->kind, sizeof g->kind, "smpp");
	snprintf(g->name, sizeof g->name, "%.50s:%d", u.host, u.port);
	str_copy(g->host, sizeof g->host, u.host);
	g->port = u.port;
	str_copy(g->username, sizeof g->username, u.system_id);
	str_copy(g->password, sizeof g->password, u.password);
	str_copy(g->source, sizeof g->source, "command_line");
	memset(&u, 0, sizeof u);
	return RES_OK;
}

enum res outbox_gateway_from_smtp_url(const char *url, struct outbox_gateway *g, struct err *e)
{
	memset(g, 0, sizeof *g);
	struct smtp_url u;
	enum res r = smtp_url_parse(url, &u, e);
	if (r)
		return r;
	str_copy(g->kind, sizeof g->kind, "smtp");
	snprintf(g->name, sizeof g->name, "%.50s:%d", u.host, u.port);
	str_copy(g->host, sizeof g->host, u.host);
	g->port = u.port;
	str_copy(g->username, sizeof g->username, u.user);
	str_copy(g->password, sizeof g->password, u.password);
	str_copy(g->tls, sizeof g->tls, u.tls ? "tls" : "none");
	str_copy(g->source, sizeof g->source, "command_line");
	memset(&u, 0, sizeof u);
	return RES_OK;
}

void outbox_smtp_config(const struct outbox_gateway *g, char *url, size_t cap,
			struct smtp_config *sc)
{
	bool v6 = strchr(g->host, ':') && g->host[0] != '[';
	snprintf(url, cap, "%s://%s%s%s:%d", strcmp(g->tls, "tls") == 0 ? "smtps" : "smtp",
		 v6 ? "[" : "", g->host, v6 ? "]" : "", g->port);
	memset(sc, 0, sizeof *sc);
	sc->url = url;
	sc->user = g->username[0] ? g->username : NULL;
	sc->password = g->username[0] ? g->password : NULL;
	sc->require_tls = strcmp(g->tls, "starttls") == 0;
}

/* ---- the config file ---- */

static enum res copy_str(json_t *o, const char *key, char *out, size_t cap, const char *path,
			 struct err *e)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return RES_OK;
	char f[96];
	snprintf(f, sizeof f, "%s%s", path, key);
	if (!json_is_string(v))
		return err_set(e, RES_INVALID, "invalid_field", f, "%s must be a string", f);
	if (json_string_length(v) >= cap)
		return err_set(e, RES_INVALID, "invalid_field", f, "%s is too long", f);
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return RES_OK;
}

static enum res copy_int(json_t *o, const char *key, int *out, const char *path, struct err *e)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return RES_OK;
	char f[96];
	snprintf(f, sizeof f, "%s%s", path, key);
	if (!json_is_integer(v) || json_integer_value(v) < -1 || json_integer_value(v) > 1000000)
		return err_set(e, RES_INVALID, "invalid_field", f, "%s must be a whole number", f);
	*out = (int)json_integer_value(v);
	return RES_OK;
}

/* One gateway of the file, at path ("smpp[0]."). */
static enum res file_gateway(json_t *o, const char *kind, const char *path,
			     struct outbox_gateway *g, struct err *e)
{
	static const char *const known[] = {"name", "url", "host", "port", "username", "password",
					    "tls", "prefixes", "window", "rate", "mail_from"};
	if (!json_is_object(o))
		return err_set(e, RES_INVALID, "invalid_field", path, "%s must be an object", path);
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		bool ok = false;
		for (size_t i = 0; i < sizeof known / sizeof known[0] && !ok; i++)
			ok = strcmp(key, known[i]) == 0;
		if (!ok) {
			char f[96];
			snprintf(f, sizeof f, "%s%.40s", path, key);
			return err_set(e, RES_INVALID, "unknown_field", f, "%s is not a gateway setting", f);
		}
	}
	enum res r;
	json_t *url = json_object_get(o, "url");
	memset(g, 0, sizeof *g);
	if (url) {
		char f[96];
		snprintf(f, sizeof f, "%surl", path);
		if (!json_is_string(url))
			return err_set(e, RES_INVALID, "invalid_field", f, "%s must be a string", f);
		if (json_object_get(o, "host") || json_object_get(o, "username") ||
		    json_object_get(o, "password"))
			return err_set(e, RES_INVALID, "invalid_field", f,
				       "give %s or host, port, username and password, not both", f);
		r = strcmp(kind, "smpp") == 0
			    ? outbox_gateway_from_smpp_url(json_string_value(url), g, e)
			    : outbox_gateway_from_smtp_url(json_string_value(url), g, e);
		if (r) {
			str_copy(e->field, sizeof e->field, f);
			return r;
		}
	}
	str_copy(g->kind, sizeof g->kind, kind);
	json_t *pfx = json_object_get(o, "prefixes");
	if (json_is_array(pfx)) { /* ["+7", "+375"] as well as "+7 +375" */
		size_t i;
		json_t *p;
		size_t at = 0;
		json_array_foreach(pfx, i, p) {
			if (!json_is_string(p) || at + json_string_length(p) + 2 >= sizeof g->prefixes) {
				char f[96];
				snprintf(f, sizeof f, "%sprefixes[%zu]", path, i);
				return err_set(e, RES_INVALID, "invalid_field", f,
					       "%s must be a number prefix such as +7", f);
			}
			at += (size_t)snprintf(g->prefixes + at, sizeof g->prefixes - at, "%s%s",
					       at ? " " : "", json_string_value(p));
		}
	} else if ((r = copy_str(o, "prefixes", g->prefixes, sizeof g->prefixes, path, e))) {
		return r;
	}
	if ((r = copy_str(o, "name", g->name, sizeof g->name, path, e)) ||
	    (r = copy_str(o, "host", g->host, sizeof g->host, path, e)) ||
	    (r = copy_str(o, "username", g->username, sizeof g->username, path, e)) ||
	    (r = copy_str(o, "password", g->password, sizeof g->password, path, e)) ||
	    (r = copy_str(o, "tls", g->tls, sizeof g->tls, path, e)) ||
	    (r = copy_str(o, "mail_from", g->mail_from, sizeof g->mail_from, path, e)) ||
	    (r = copy_int(o, "port", &g->port, path, e)) ||
	    (r = copy_int(o, "window", &g->window, path, e)) ||
	    (r = copy_int(o, "rate", &g->rate, path, e)))
		return r;
	str_copy(g->source, sizeof g->source, "config");
	return outbox_gateway_check(g, path, e);
}

enum res outbox_config_file(const char *path, struct outbox_gateway **out, size_t *n,
			    struct err *e)
{
	*out = NULL;
	*n = 0;
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return err_set(e, RES_INVALID, "invalid_json", "config", "%s:%d:%d: %s", path,
			       je.line, je.column, je.text);
	enum res r = RES_OK;
	const char *key;
	json_t *v;
	if (!json_is_object(root))
		r = err_set(e, RES_INVALID, "invalid_field", "config", "%s must hold a JSON object",
			    path);
	json_object_foreach(root, key, v) {
		if (r)
			break;
		if (strcmp(key, "smpp") && strcmp(key, "smtp"))
			r = err_set(e, RES_INVALID, "unknown_field", "config",
				    "%.40s is not a setting of the config file (smpp, smtp)", key);
		else if (!json_is_array(v))
			r = err_set(e, RES_INVALID, "invalid_field", key, "%s must be a list", key);
	}
	size_t total = r ? 0 : json_array_size(json_object_get(root, "smpp")) +
				       json_array_size(json_object_get(root, "smtp"));
	struct outbox_gateway *g = total ? calloc(total, sizeof *g) : NULL;
	if (!r && total && !g)
		r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	static const char *const kinds[] = {"smpp", "smtp"};
	for (size_t k = 0; !r && k < 2; k++) {
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(root, kinds[k]), i, item) {
			char p[40];
			snprintf(p, sizeof p, "%s[%zu].", kinds[k], i);
			if ((r = file_gateway(item, kinds[k], p, &g[*n], e)))
				break;
			for (size_t j = 0; !r && j < *n; j++)
				if (strcmp(g[j].name, g[*n].name) == 0) {
					char f[48];
					snprintf(f, sizeof f, "%sname", p);
					r = err_set(e, RES_INVALID, "invalid_field", f,
						    "two gateways are named %s", g[j].name);
				}
			if (r)
				break;
			(*n)++;
		}
	}
	json_decref(root);
	if (r) {
		free(g);
		*n = 0;
		return r;
	}
	*out = g;
	return RES_OK;
}
