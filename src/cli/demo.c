/* assist demo: a database with a deterministic demo data set. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/embed.h"
#include "base/str.h"
#include "cli/cli.h"
#include "core/demo.h"
#include "http/auth.h"

extern const struct embedded demo_programs[];

static void demo_usage(FILE *f)
{
	fputs("usage: assist demo [--db DB] [--persons N]\n"
	      "\n"
	      "Create the schema and fill an empty database with demo data: insurers,\n"
	      "programs, providers in several cities, insured persons with Russian,\n"
	      "Chinese and English names (default 2000; the same N always gives the same\n"
	      "data) and a user for each role. Refuses a database that already has users.\n",
	      f);
}

int cli_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},
		{"persons", required_argument, 0, 'p'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *db_url = cli_default_db();
	int64_t persons = 2000;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db_url = optarg; break;
		case 'p':
			if (str_to_i64(optarg, strlen(optarg), &persons) || persons < 0 ||
			    persons > 100000000) {
				fprintf(stderr, "assist: --persons must be 0..100000000\n");
				return 2;
			}
			break;
		case 'h': demo_usage(stdout); return 0;
		default: demo_usage(stderr); return 2;
		}
	}
	if (auth_init()) {
		fprintf(stderr, "assist: cannot initialise libsodium\n");
		return 1;
	}
	struct db *db;
	if (cli_open_db(db_url, true, &db))
		return 1;
	struct arena pa; /* the demo programs' rows */
	arena_init(&pa, 4096, 0);
	struct err e;
	err_clear(&e);
	int64_t users = 0;
	if (store_user_count(db, &users, &e)) {
		cli_error(&e);
		db_close(db);
		return 1;
	}
	if (users > 0) {
		fprintf(stderr, "assist: %s already has users; demo data goes only into an empty database\n",
			db_url);
		db_close(db);
		return 1;
	}
	/* a large demo writes persons, policies and the search index's postings
	 * all at once: a 64 MiB page cache (the default is 2 MiB) keeps their
	 * index pages from being spilled to the WAL and read back */
	if (db_kind(db) == DB_SQLITE && db_exec_script(db, "PRAGMA cache_size = -65536", &e)) {
		cli_error(&e);
		db_close(db);
		return 1;
	}
	int64_t t0 = clock_mono_us(), now = clock_now_us();
	char hash[AUTH_PWHASH_MAX];
	if (auth_password_hash(DEMO_PASSWORD, strlen(DEMO_PASSWORD), hash, &e)) {
		cli_error(&e);
		db_close(db);
		return 1;
	}
	enum res r;
	if ((r = db_begin(db, true, &e)))
		goto fail;
	for (size_t i = 0; i < demo_staff_count; i++) {
		const struct demo_staff *s = &demo_staff[i];
		struct user u = {.login = s->login, .full_name = s->full_name, .language = s->language,
				 .department = s->department, .password_hash = hash};
		int64_t id;
		if (!role_parse(s->role, strlen(s->role), &u.role)) {
			r = err_set(&e, RES_INTERNAL, NULL, NULL, "demo role %s unknown", s->role);
			goto fail;
		}
		if ((r = store_user_insert(db, &u, now, &id, &e)) ||
		    (r = cli_audit(db, "create", "user", id, NULL, "{\"source\":\"demo\"}", &e)))
			goto fail;
	}
	for (size_t i = 0; i < demo_insurers_count; i++)
		if ((r = store_demo_insurer(db, &demo_insurers[i], now, &e)))
			goto fail;
	size_t nprograms = 0;
	for (const struct embedded *p = demo_programs; p->name; p++, nprograms++) {
		enum program_outcome outcome;
		const char *code;
		if (cli_program_save_text(db, p->data, p->len, p->name, &outcome, &code)) {
			db_rollback(db);
			db_close(db);
			return 1;
		}
	}
	for (size_t i = 0; i < demo_providers_count; i++)
		if ((r = store_demo_provider(db, &demo_providers[i], now, &e)))
			goto fail;
	/* every person holds a policy of the program of their country for 2026;
	 * every third one renewed a 2025 policy, so cards show history */
	struct program_row progs[3];
	static const char *const prog_codes[3] = {"NORD-DMS-STD", "HXM-MED", "ALB-TRAVEL"};
	for (int k = 0; k < 3; k++)
		if ((r = store_program_get(db, prog_codes[k], &pa, &progs[k], &e)))
			goto fail;
	/* the policies are recorded as one import, as a policy list would be, so
	 * every card's history starts with where the policy came from */
	struct import_rec imp = {.kind = "demo", .file_name = "assist demo", .format = "generated",
				 .sha256 = "", .actor_login = "cli", .request_id = "",
				 .started_at = now, .finished_at = now};
	if ((r = store_import_begin(db, &imp, &e)))
		goto fail;
	store_search_bulk_begin(db); /* ended before any rollback (fail:) */
	for (int64_t i = 0; i < persons; i++) {
		struct demo_person p;
		int64_t person_id;
		demo_person((uint64_t)i, &p);
		if ((r = store_demo_person(db, &p, now, &person_id, &e)))
			goto fail;
		const struct program_row *pr =
			&progs[strcmp(p.language, "zh") == 0 ? 1 : strcmp(p.language, "en") == 0 ? 2 : 0];
		char number[32], prev_number[32];
		int64_t prev_id = 0;
		if (i % 3 == 0) {
			snprintf(prev_number, sizeof prev_number, "DEMO-25-%07lld", (long long)i + 1);
			struct policy old = {.number = prev_number, .program_id = pr->id, .person_id = person_id,
					     .start_date = "2025-01-01", .end_date = "2025-12-31",
					     .status = "active", .sum_insured = pr->sum_insured,
					     .import_id = imp.id};
			if ((r = store_policy_insert(db, &old, now, &prev_id, &e)))
				goto fail;
			imp.created++;
		}
		snprintf(number, sizeof number, "DEMO-26-%07lld", (long long)i + 1);
		struct policy pol = {.number = number, .program_id = pr->id, .person_id = person_id,
				     .start_date = "2026-01-01", .end_date = "2026-12-31",
				     .status = "active", .sum_insured = pr->sum_insured,
				     .previous_id = prev_id, .import_id = imp.id};
		int64_t pol_id;
		if ((r = store_policy_insert(db, &pol, now, &pol_id, &e)))
			goto fail;
		imp.created++;
		imp.rows++;
		/* commit in batches so a very large demo does not hold one huge transaction */
		if (i % 100000 == 99999 && ((r = db_commit(db, &e)) || (r = db_begin(db, true, &e))))
			goto fail;
	}
	imp.finished_at = clock_now_us();
	char summary[160];
	snprintf(summary, sizeof summary,
		 "{\"kind\":\"demo\",\"persons\":%lld,\"created\":%lld}", (long long)persons,
		 (long long)imp.created);
	if ((r = store_import_finish(db, &imp, &e)) ||
	    (r = cli_audit(db, "import", "import", imp.id, NULL, summary, &e)) ||
	    (r = db_commit(db, &e)))
		goto fail;
	store_search_bulk_end();
	if ((r = store_search_optimize(db, &e)))
		goto fail;
	arena_free(&pa);
	db_close(db);
	printf("assist: demo data written to %s in %.1f s\n"
	       "  %zu insurers, %zu programs, %zu providers, %lld insured persons with policies\n"
	       "  (numbers DEMO-26-0000001 ..., and DEMO-25-... for renewed ones)\n"
	       "\n"
	       "Sign in with any of these logins; the password of each is %s\n",
	       db_url, (double)(clock_mono_us() - t0) / 1e6, demo_insurers_count, nprograms,
	       demo_providers_count, (long long)persons, DEMO_PASSWORD);
	for (size_t i = 0; i < demo_staff_count; i++)
		printf("  %-12s %s\n", demo_staff[i].login, demo_staff[i].role);
	return 0;
fail:
	store_search_bulk_end();
	arena_free(&pa);
	db_rollback(db);
	cli_error(&e);
	db_close(db);
	return 1;
}
