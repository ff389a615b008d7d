/* GET /healthz: the server is up and its database answers. */
#include "api/api.h"
#include "version.h"

static const char sql_ping[] = "SELECT 1";

enum res api_health(struct req *r)
{
	struct db_stmt *st;
	enum res res = db_prepare(r->db, sql_ping, &st, &r->err);
	if (res)
		return res;
	res = store_exec(st, &r->err);
	if (res)
		return res;
	return req_json(r, 200,
			json_pack("{s:s, s:s, s:s}", "status", "ok", "version", ASSIST_VERSION,
				  "database", db_kind(r->db) == DB_PG ? "postgresql" : "sqlite"));
}
