/* POST /api/v1/imports/policies[?dry_run=true]: the body is the file (CSV
 * in UTF-8, or an XLSX workbook). The answer is the report; a real run with
 * any bad row writes nothing and answers 422 with the same report. GET
 * /api/v1/imports/policies/template.csv is the documented template. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/imports.h"

static json_t *report_json(const struct import_report *rep, bool dry_run)
{
	json_t *issues = json_array();
	for (size_t i = 0; i < rep->nissues; i++)
		json_array_append_new(issues, json_pack("{s:I, s:o, s:s, s:s, s:s}", "row", (json_int_t)rep->issues[i].row,
							"column", rep->issues[i].column ? json_string(rep->issues[i].column) : json_null(),
							"code", rep->issues[i].code ? rep->issues[i].code : "other",
							"value", rep->issues[i].value,
							"message", rep->issues[i].message));
	return json_pack("{s:b, s:b, s:o, s:I, s:I, s:I, s:I, s:I, s:o}", "dry_run", dry_run, "applied",
			 !dry_run && rep->errors == 0, "import_id",
			 rep->import_id ? json_integer(rep->import_id) : json_null(), "rows", (json_int_t)rep->rows, "created",
			 (json_int_t)rep->created, "updated", (json_int_t)rep->updated, "unchanged",
			 (json_int_t)rep->unchanged, "errors", (json_int_t)rep->errors, "issues", issues);
}

enum res api_imports_policies(struct req *r)
{
	const char *dr = req_query(r, "dry_run");
	bool dry_run = dr && (strcmp(dr, "true") == 0 || strcmp(dr, "1") == 0);
	if (dr && !dry_run && strcmp(dr, "false") != 0 && strcmp(dr, "0") != 0)
		return err_set(&r->err, RES_INVALID, "invalid_field", "dry_run", "dry_run must be true or false");
	if (r->body_len == 0)
		return err_set(&r->err, RES_INVALID, "missing_field", "file", "the body must be the file to import");
	struct import_report *rep = malloc(sizeof *rep);
	if (!rep)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	const char *name = req_query(r, "file_name");
	if (name && (strlen(name) > 255 || !*name))
		return free(rep), err_set(&r->err, RES_INVALID, "invalid_field", "file_name",
					  "file_name must be 1..255 characters");
	enum res res = import_policies_run(r->db, name ? name : "upload", r->body, r->body_len,
					   dry_run, r->user.id, r->user.login, r->id, rep, &r->err);
	if (!res) {
		json_t *j = report_json(rep, dry_run);
		if (dry_run || rep->errors) {
			/* nothing of it may stay */
			db_rollback(r->db);
			res = req_json(r, dry_run ? 200 : 422, j);
		} else {
			res = req_json(r, 200, j);
		}
	}
	free(rep);
	return res;
}

static const char template_csv[] =
	"policy_number,program,packages,start_date,end_date,status,sum_insured,previous_policy,"
	"last_name,first_name,middle_name,birth_date,sex,phone,email,document,address,city,language,"
	"time_zone\r\n"
	"NORD-2026-000001,NORD-DMS-STD,OUT DENT,2026-01-01,2026-12-31,active,,,Иванова,Анна,"
	"Сергеевна,1990-03-01,F,+7 916 123-45-67,anna@example.com,4510 123456,\"Москва, ул. Тверская, 1\","
	"Москва,ru,Europe/Moscow\r\n"
	"HXM-2026-000002,HXM-MED,,2026-01-01,2026-12-31,,,,张,伟,,1985-07-12,M,+86 138 0013 8000,,,,"
	"北京,zh,Asia/Shanghai\r\n";

enum res api_imports_template(struct req *r)
{
	char *copy = malloc(sizeof template_csv);
	if (!copy)
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	memcpy(copy, template_csv, sizeof template_csv);
	free(r->resp);
	r->resp = copy;
	r->resp_len = sizeof template_csv - 1;
	r->status = 200;
	r->content_type = "text/csv; charset=utf-8";
	req_add_header(r, "Content-Disposition", "attachment; filename=\"policies-template.csv\"");
	return RES_OK;
}

/* GET /api/v1/imports: the applied imports, newest first (who, when, which
 * file, what it did). */
enum res api_imports_list(struct req *r)
{
	int64_t limit, offset, total = 0;
	struct import_rec *items;
	size_t n;
	enum res res;
	if ((res = req_paging(r, 50, 500, &limit, &offset)) ||
	    (res = store_imports_list(r->db, limit, offset, &r->arena, &items, &n, &total, &r->err)))
		return res;
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		const struct import_rec *x = &items[i];
		json_array_append_new(
			arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:o, s:o}",
				       "id", (json_int_t)x->id, "kind", x->kind, "file_name",
				       x->file_name, "format", x->format, "sha256", x->sha256, "bytes",
				       (json_int_t)x->bytes, "rows", (json_int_t)x->rows, "created",
				       (json_int_t)x->created, "updated", (json_int_t)x->updated,
				       "unchanged", (json_int_t)x->unchanged, "actor", x->actor_login,
				       "started_at", json_time(x->started_at), "finished_at",
				       json_time(x->finished_at)));
	}
	return req_json(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", arr, "total",
					  (json_int_t)total, "limit", (json_int_t)limit, "offset",
					  (json_int_t)offset));
}
