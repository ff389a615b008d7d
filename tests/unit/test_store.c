/* Unit tests for src/store on a throwaway SQLite file, and on PostgreSQL too
 * when ASSIST_TEST_PG_UNIT names a throwaway database (scripts/check.sh makes
 * one): the schema "public" of that database is dropped and made anew. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/attachments.h"
#include "store/store.h"

struct fx {
	char path[256];
	const char *url;
	struct db *db;
	struct arena a;
};

static int setup_url(void **state, const char *url)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!url) {
		snprintf(f->path, sizeof f->path, "/tmp/assist-unit-%d-%p.db", (int)getpid(), (void *)f);
		f->url = f->path;
	} else {
		f->url = url;
	}
	struct err e;
	if (db_open(f->url, &f->db, &e)) {
		fprintf(stderr, "cannot open %s: %s\n", url ? "PostgreSQL" : f->path, e.message);
		return -1;
	}
	if (url && db_exec_script(f->db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public", &e))
		return -1;
	int from, to;
	if (store_migrate(f->db, &from, &to, &e)) {
		fprintf(stderr, "migrate: %s\n", e.message);
		return -1;
	}
	arena_init(&f->a, 4096, 0);
	*state = f;
	return 0;
}

static int setup_sqlite(void **state) { return setup_url(state, NULL); }
static int setup_pg(void **state) { return setup_url(state, getenv("ASSIST_TEST_PG_UNIT")); }

static int teardown(void **state)
{
	struct fx *f = *state;
	db_close(f->db);
	arena_free(&f->a);
	if (f->path[0]) {
		char p[300];
		unlink(f->path);
		snprintf(p, sizeof p, "%s-wal", f->path);
		unlink(p);
		snprintf(p, sizeof p, "%s-shm", f->path);
		unlink(p);
	}
	free(f);
	return 0;
}

static void t_migrate(void **state)
{
	struct fx *f = *state;
	struct err e;
	int v, from, to;
	assert_int_equal(store_schema_version(f->db, &v, &e), RES_OK);
	assert_int_equal(v, store_schema_latest(db_kind(f->db)));
	/* again: nothing to do */
	assert_int_equal(store_migrate(f->db, &from, &to, &e), RES_OK);
	assert_int_equal(from, to);
	/* a database from the future is refused, and left as it was */
	static const char sql_future[] = "INSERT INTO schema_version (version, applied_at) VALUES (9999, 0)";
	struct db_stmt *st;
	assert_int_equal(db_prepare(f->db, sql_future, &st, &e), RES_OK);
	assert_int_equal(store_exec(st, &e), RES_OK);
	assert_int_equal(store_migrate(f->db, &from, &to, &e), RES_UNPROCESSABLE);
	assert_string_equal(e.code, "schema_too_new");
	assert_int_equal(store_schema_version(f->db, &v, &e), RES_OK);
	assert_int_equal(v, 9999);
}

static int64_t add_user(struct fx *f, const char *login, enum role role)
{
	struct user u = {.login = login, .full_name = "Тест Тестов", .role = role, .language = "ru",
			 .password_hash = "$argon2id$fake"};
	int64_t id = 0;
	struct err e;
	assert_int_equal(store_user_insert(f->db, &u, 1000, &id, &e), RES_OK);
	assert_true(id > 0);
	return id;
}

static void t_users(void **state)
{
	struct fx *f = *state;
	struct err e;
	int64_t id = add_user(f, "ivan", ROLE_OPERATOR);
	add_user(f, "anna", ROLE_ADMIN);
	struct user u = {.login = "ivan", .role = ROLE_ADMIN, .language = "en", .password_hash = "x"};
	int64_t id2;
	assert_int_equal(store_user_insert(f->db, &u, 1, &id2, &e), RES_CONFLICT);
	assert_string_equal(e.field, "login");

	struct user got;
	assert_int_equal(store_user_get(f->db, id, &f->a, &got, &e), RES_OK);
	assert_string_equal(got.login, "ivan");
	assert_string_equal(got.full_name, "Тест Тестов");
	assert_int_equal(got.role, ROLE_OPERATOR);
	assert_null(got.password_hash);
	assert_int_equal(store_user_get_by_login(f->db, "ivan", &f->a, &got, &e), RES_OK);
	assert_string_equal(got.password_hash, "$argon2id$fake");
	assert_int_equal(store_user_get(f->db, 999999, &f->a, &got, &e), RES_NOT_FOUND);

	got.role = ROLE_SUPERVISOR;
	got.disabled = true;
	got.full_name = "Иван";
	assert_int_equal(store_user_update(f->db, &got, 2000, &e), RES_OK);
	assert_int_equal(store_user_get(f->db, id, &f->a, &got, &e), RES_OK);
	assert_int_equal(got.role, ROLE_SUPERVISOR);
	assert_true(got.disabled);
	assert_int_equal(got.updated_at, 2000);

	struct user *items;
	size_t n;
	int64_t total;
	assert_int_equal(store_user_list(f->db, 1, 0, &f->a, &items, &n, &total, &e), RES_OK);
	assert_int_equal(n, 1);
	assert_int_equal(total, 2);
	assert_string_equal(items[0].login, "anna"); /* ordered by login */
	assert_int_equal(store_user_list(f->db, 10, 1, &f->a, &items, &n, &total, &e), RES_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].login, "ivan");
}

static void t_sessions(void **state)
{
	struct fx *f = *state;
	struct err e;
	int64_t id = add_user(f, "olga", ROLE_FINANCE);
	assert_int_equal(store_session_create(f->db, "h1", id, "csrf1", 100, 200, &e), RES_OK);
	struct user u;
	const char *csrf;
	int64_t seen;
	assert_int_equal(store_session_lookup(f->db, "h1", 150, &f->a, &u, &csrf, &seen, &e), RES_OK);
	assert_string_equal(u.login, "olga");
	assert_string_equal(csrf, "csrf1");
	assert_int_equal(seen, 100);
	/* expired */
	assert_int_equal(store_session_lookup(f->db, "h1", 200, &f->a, &u, &csrf, &seen, &e),
			 RES_UNAUTHORIZED);
	assert_int_equal(store_session_touch(f->db, "h1", 190, 500, &e), RES_OK);
	assert_int_equal(store_session_lookup(f->db, "h1", 300, &f->a, &u, &csrf, &seen, &e), RES_OK);
	/* a disabled user's session does not count */
	u.disabled = true;
	assert_int_equal(store_user_update(f->db, &u, 301, &e), RES_OK);
	assert_int_equal(store_session_lookup(f->db, "h1", 302, &f->a, &u, &csrf, &seen, &e),
			 RES_UNAUTHORIZED);
	assert_int_equal(store_session_purge(f->db, 1000, &e), RES_OK);
	assert_int_equal(store_session_create(f->db, "h1", id, "c", 1, 2, &e), RES_OK); /* purged */
	assert_int_equal(store_session_create(f->db, "h1", id, "c", 1, 2, &e), RES_CONFLICT);
	assert_int_equal(store_session_delete_user(f->db, id, &e), RES_OK);
	/* a session for a user that does not exist breaks the foreign key */
	assert_int_equal(store_session_create(f->db, "h2", 999999, "c", 1, 2, &e), RES_CONFLICT);
}

static void t_tokens(void **state)
{
	struct fx *f = *state;
	struct err e;
	int64_t id = add_user(f, "svc", ROLE_OPERATOR);
	int64_t other = add_user(f, "other", ROLE_OPERATOR);
	int64_t tid;
	assert_int_equal(store_token_insert(f->db, id, "crm", "th1", 10, &tid, &e), RES_OK);
	struct user u;
	int64_t got_id, last;
	assert_int_equal(store_token_lookup(f->db, "th1", &f->a, &u, &got_id, &last, &e), RES_OK);
	assert_int_equal(got_id, tid);
	assert_int_equal(last, 0);
	assert_int_equal(store_token_used(f->db, tid, 55, &e), RES_OK);
	struct api_token *items;
	size_t n;
	assert_int_equal(store_token_list(f->db, id, &f->a, &items, &n, &e), RES_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].last_used_at, 55);
	assert_string_equal(items[0].name, "crm");
	/* another user cannot revoke it */
	assert_int_equal(store_token_revoke(f->db, other, tid, 60, &e), RES_NOT_FOUND);
	assert_int_equal(store_token_revoke(f->db, id, tid, 60, &e), RES_OK);
	assert_int_equal(store_token_revoke(f->db, id, tid, 61, &e), RES_NOT_FOUND);
	assert_int_equal(store_token_lookup(f->db, "th1", &f->a, &u, &got_id, &last, &e),
			 RES_UNAUTHORIZED);
}

static void t_throttle(void **state)
{
	struct fx *f = *state;
	struct err e;
	for (int i = 0; i < 3; i++)
		assert_int_equal(store_login_failure_add(f->db, "ivan", "10.0.0.1", 100 + i, &e), RES_OK);
	assert_int_equal(store_login_failure_add(f->db, "anna", "10.0.0.1", 105, &e), RES_OK);
	assert_int_equal(store_login_failure_add(f->db, "ivan", "10.0.0.2", 106, &e), RES_OK);
	struct login_failures lf;
	assert_int_equal(store_login_failure_count(f->db, "ivan", "10.0.0.1", 101, &lf, &e), RES_OK);
	assert_int_equal(lf.by_pair, 2);  /* ivan from .1 since 101 */
	assert_int_equal(lf.by_login, 3); /* ivan from anywhere */
	assert_int_equal(lf.by_ip, 3);    /* anyone from .1 */
	assert_int_equal(lf.oldest_pair, 101);
	assert_int_equal(lf.oldest_login, 101);
	assert_int_equal(store_login_failure_clear(f->db, "ivan", &e), RES_OK);
	assert_int_equal(store_login_failure_count(f->db, "ivan", "10.0.0.1", 0, &lf, &e), RES_OK);
	assert_int_equal(lf.by_login, 0);
	assert_int_equal(lf.by_pair, 0);
	assert_int_equal(lf.oldest_pair, 0);
	assert_int_equal(lf.by_ip, 1);
}

static void t_audit_and_tx(void **state)
{
	struct fx *f = *state;
	struct err e;
	struct audit_rec r = {.at = 1, .actor_login = "cli:root", .action = "create", .entity = "user",
			      .entity_id = "7", .after_json = "{\"login\":\"x\"}", .request_id = "r1"};
	assert_int_equal(store_audit_add(f->db, &r, &e), RES_OK);
	r.entity_id = "8";
	r.before_json = "{}";
	assert_int_equal(store_audit_add(f->db, &r, &e), RES_OK);
	struct audit_rec *items;
	size_t n;
	int64_t total;
	assert_int_equal(store_audit_list(f->db, "user", "7", 10, 0, &f->a, &items, &n, &total, &e), RES_OK);
	assert_int_equal(n, 1);
	assert_int_equal(total, 1);
	assert_null(items[0].before_json);
	assert_string_equal(items[0].after_json, "{\"login\":\"x\"}");
	assert_int_equal(items[0].actor_id, 0);
	assert_int_equal(store_audit_list(f->db, NULL, NULL, 10, 0, &f->a, &items, &n, &total, &e), RES_OK);
	assert_int_equal(total, 2);
	assert_string_equal(items[0].entity_id, "8"); /* newest first */

	/* a rolled-back transaction leaves nothing */
	assert_int_equal(db_begin(f->db, true, &e), RES_OK);
	assert_int_equal(store_audit_add(f->db, &r, &e), RES_OK);
	db_rollback(f->db);
	assert_int_equal(store_audit_list(f->db, NULL, NULL, 10, 0, &f->a, &items, &n, &total, &e), RES_OK);
	assert_int_equal(total, 2);
}

static void t_demo_rows(void **state)
{
	struct fx *f = *state;
	struct err e;
	assert_int_equal(store_demo_insurer(f->db, &demo_insurers[0], 1, &e), RES_OK);
	assert_int_equal(store_demo_provider(f->db, &demo_providers[0], 1, &e), RES_OK);
	struct demo_person p;
	demo_person(0, &p);
	int64_t pid = 0;
	assert_int_equal(store_demo_person(f->db, &p, 1, &pid, &e), RES_OK);
	assert_true(pid > 0);
	assert_int_equal(store_demo_insurer(f->db, &demo_insurers[0], 1, &e), RES_CONFLICT);
}

/* An email's files go in and come back byte for byte (every byte value,
 * NULs and a "\\x" that looks like bytea's text form included), in seq
 * order; a listing without data reads no bytes; a file needs its message. */
static void t_attachments(void **state)
{
	struct fx *f = *state;
	struct err e;
	struct message m = {.channel = "email", .recipient = "a@example.test", .class_ = "service",
			    .subject = "s", .body = "b", .status = "queued", .parts = 1,
			    .not_before = 1, .expires_at = 2, .created_at = 1, .updated_at = 1};
	assert_int_equal(store_message_insert(f->db, &m, &e), RES_OK);
	unsigned char bytes[300];
	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (unsigned char)(i * 7 + 3);
	memcpy(bytes + 10, "\\x00\0'", 6);
	struct message_attachment one = {.seq = 2, .name = "Полис.pdf", .content_type = "application/pdf",
					 .size = sizeof bytes, .data = bytes};
	struct message_attachment two = {.seq = 1, .name = "a.pdf", .content_type = "application/pdf",
					 .size = 1, .data = "%"};
	assert_int_equal(store_attachment_insert(f->db, m.id, &one, &e), RES_OK);
	assert_int_equal(store_attachment_insert(f->db, m.id, &two, &e), RES_OK);
	struct message_attachment *x;
	size_t n;
	assert_int_equal(store_message_attachments(f->db, m.id, true, &f->a, &x, &n, &e), RES_OK);
	assert_int_equal(n, 2);
	assert_int_equal(x[0].seq, 1);
	assert_string_equal(x[0].name, "a.pdf");
	assert_int_equal(x[0].size, 1);
	assert_memory_equal(x[0].data, "%", 1);
	assert_int_equal(x[1].seq, 2);
	assert_string_equal(x[1].name, "Полис.pdf");
	assert_string_equal(x[1].content_type, "application/pdf");
	assert_int_equal(x[1].size, sizeof bytes);
	assert_memory_equal(x[1].data, bytes, sizeof bytes);
	assert_int_equal(x[1].message_id, m.id);
	assert_int_equal(store_message_attachments(f->db, m.id, false, &f->a, &x, &n, &e), RES_OK);
	assert_int_equal(n, 2);
	assert_null(x[1].data);
	assert_int_equal(x[1].size, sizeof bytes);
	assert_int_equal(store_message_attachments(f->db, m.id + 1, true, &f->a, &x, &n, &e), RES_OK);
	assert_int_equal(n, 0);
	assert_null(x);
	assert_int_equal(store_attachment_insert(f->db, m.id, &two, &e), RES_CONFLICT); /* seq taken */
	assert_int_equal(store_attachment_insert(f->db, m.id + 1, &one, &e), RES_CONFLICT);
}

#define FX(t, s) cmocka_unit_test_setup_teardown(t, s, teardown)

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = {
		FX(t_migrate, setup_sqlite), FX(t_users, setup_sqlite),    FX(t_sessions, setup_sqlite),
		FX(t_tokens, setup_sqlite),  FX(t_throttle, setup_sqlite), FX(t_audit_and_tx, setup_sqlite),
		FX(t_demo_rows, setup_sqlite), FX(t_attachments, setup_sqlite),
	};
	int failed = cmocka_run_group_tests_name("store_sqlite", sqlite_tests, NULL, NULL);
	if (getenv("ASSIST_TEST_PG_UNIT")) {
		const struct CMUnitTest pg_tests[] = {
			FX(t_migrate, setup_pg), FX(t_users, setup_pg),    FX(t_sessions, setup_pg),
			FX(t_tokens, setup_pg),  FX(t_throttle, setup_pg), FX(t_audit_and_tx, setup_pg),
			FX(t_demo_rows, setup_pg), FX(t_attachments, setup_pg),
		};
		failed += cmocka_run_group_tests_name("store_postgresql", pg_tests, NULL, NULL);
	}
	return failed;
}
