/* Attachments of outbox messages (store/attachments.h, migration 0012). */
#include "store/attachments.h"

#include <assert.h>
#include <string.h>

#include "store/store_impl.h"

static const char sql_insert[] =
	"INSERT INTO message_attachments (message_id, seq, name, content_type, size, data) "
	"VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_list[] =
	"SELECT message_id, seq, name, content_type, size FROM message_attachments "
	"WHERE message_id = ? ORDER BY seq";
static const char sql_list_data[] =
	"SELECT message_id, seq, name, content_type, size, data FROM message_attachments "
	"WHERE message_id = ? ORDER BY seq";
static const char sql_case[] =
	"SELECT a.message_id, a.seq, a.name, a.content_type, a.size FROM message_attachments a "
	"JOIN messages m ON m.id = a.message_id WHERE m.case_id = ? AND a.message_id >= ? "
	"ORDER BY a.message_id, a.seq";

enum res store_attachment_insert(struct db *db, int64_t message_id,
				 const struct message_attachment *x, struct err *e)
{
	assert(x->name && x->content_type && (x->data || !x->size));
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_insert, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, message_id);
	db_bind_i64(st, 2, x->seq);
	db_bind_text(st, 3, x->name);
	db_bind_text(st, 4, x->content_type);
	db_bind_i64(st, 5, (int64_t)x->size);
	db_bind_blob(st, 6, x->data, x->size);
	return store_exec(st, e);
}

/* Step a bound listing statement (the columns of sql_list, then data when
 * with_data) into an arena array; resets the statement. */
static enum res read_rows(struct db_stmt *st, bool with_data, struct arena *a,
			  struct message_attachment **out, size_t *n, struct err *e)
{
	enum res r = RES_OK;
	*out = NULL;
	*n = 0;
	struct message_attachment *items = NULL;
	size_t cap = 0;
	int rc;
	while ((rc = store_step(st, &r, e)) == DB_ROW) {
		if (!store_grow(a, &items, &cap, *n, sizeof *items))
			goto oom;
		struct message_attachment *x = &items[*n];
		memset(x, 0, sizeof *x);
		x->message_id = db_col_i64(st, 0);
		x->seq = (int)db_col_i64(st, 1);
		x->name = store_col_dup(st, 2, a);
		x->content_type = store_col_dup(st, 3, a);
		x->size = (size_t)db_col_i64(st, 4);
		if (!x->name || !x->content_type)
			goto oom;
		if (with_data) {
			size_t len;
			const void *p = db_col_blob(st, 5, &len);
			if (!p)
				goto oom;
			if (len != x->size) {
				db_reset(st);
				*n = 0;
				return err_set(e, RES_INTERNAL, NULL, NULL,
					       "attachment %d of message %lld holds %zu bytes, not %zu",
					       x->seq, (long long)x->message_id, len, x->size);
			}
			void *copy = arena_alloc(a, len ? len : 1);
			if (!copy)
				goto oom;
			memcpy(copy, p, len);
			x->data = copy;
		}
		(*n)++;
	}
	db_reset(st);
	if (!rc) {
		*n = 0;
		return r;
	}
	*out = items;
	return RES_OK;
oom:
	db_reset(st);
	*n = 0;
	return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
}

enum res store_message_attachments(struct db *db, int64_t message_id, bool with_data,
				   struct arena *a, struct message_attachment **out, size_t *n,
				   struct err *e)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *st;
	enum res r = db_prepare(db, with_data ? sql_list_data : sql_list, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, message_id);
	return read_rows(st, with_data, a, out, n, e);
}

enum res store_case_attachments(struct db *db, int64_t case_id, int64_t min_message_id,
				struct arena *a, struct message_attachment **out, size_t *n,
				struct err *e)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_case, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, case_id);
	db_bind_i64(st, 2, min_message_id);
	return read_rows(st, false, a, out, n, e);
}
