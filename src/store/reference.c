/* Reference data the demo fills: insurers, persons, providers.
 * (The capability issues build their full models on these tables.) */
#include "store/store_impl.h"

static const char sql_insurer[] =
	"INSERT INTO insurers (code, name, created_at) VALUES (?, ?, ?) RETURNING id";
static const char sql_person[] =
	"INSERT INTO persons (last_name, first_name, middle_name, birth_date, sex, phone, email, city, "
	"language, time_zone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	"RETURNING id";
static const char sql_provider[] =
	"INSERT INTO providers (code, name, kind, city, lat_e6, lon_e6, phone, created_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

enum res store_demo_insurer(struct db *db, const struct demo_insurer *x, int64_t now, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_insurer, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, x->code);
	db_bind_text(st, 2, x->name);
	db_bind_i64(st, 3, now);
	return store_exec(st, e);
}

enum res store_demo_person(struct db *db, const struct demo_person *p, int64_t now, int64_t *id,
			   struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_person, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, p->last_name);
	db_bind_text(st, 2, p->first_name);
	db_bind_text(st, 3, p->middle_name[0] ? p->middle_name : NULL);
	db_bind_text(st, 4, p->birth_date);
	db_bind_text(st, 5, p->sex);
	db_bind_text(st, 6, p->phone[0] ? p->phone : NULL);
	db_bind_text(st, 7, p->email[0] ? p->email : NULL);
	db_bind_text(st, 8, p->city);
	db_bind_text(st, 9, p->language);
	db_bind_text(st, 10, p->time_zone);
	db_bind_i64(st, 11, now);
	db_bind_i64(st, 12, now);
	if (store_step(st, &r, e) == DB_ROW)
		*id = db_col_i64(st, 0);
	else if (!r)
		r = err_set(e, RES_INTERNAL, NULL, NULL, "no id returned");
	db_reset(st);
	if (!r)
		r = store_search_person(db, *id, p->last_name, p->first_name,
					p->middle_name[0] ? p->middle_name : NULL, NULL, false, e);
	return r;
}

enum res store_demo_provider(struct db *db, const struct demo_provider *x, int64_t now,
			     struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_provider, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, x->code);
	db_bind_text(st, 2, x->name);
	db_bind_text(st, 3, x->kind);
	db_bind_text(st, 4, x->city);
	db_bind_i64(st, 5, x->lat_e6);
	db_bind_i64(st, 6, x->lon_e6);
	db_bind_text(st, 7, x->phone);
	db_bind_i64(st, 8, now);
	return store_exec(st, e);
}
