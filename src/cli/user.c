/* assist user add|list|disable|token */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "cli/cli.h"
#include "core/account.h"
#include "core/cases.h"
#include "core/phone.h"
#include "http/auth.h"
#include "jobs/smtp.h"

static void user_usage(FILE *f)
{
	fputs("usage:\n"
	      "  assist user add --login L --role R [--name NAME] [--language en|ru|zh]\n"
	      "                  [--department CODE] [--email ADDR] [--phone NUMBER]\n"
	      "                  --password-stdin [--db DB]\n"
	      "  assist user list [--db DB]\n"
	      "  assist user disable --login L [--db DB]\n"
	      "  assist user token --login L --name NAME [--db DB]   (prints a new API token once)\n"
	      "\n"
	      "Roles: operator, case_manager, reviewer, finance, supervisor, admin.\n"
	      "--password-stdin reads the password from the first line of standard input.\n"
	      "--email and --phone are where staff notices (notification triggers for the\n"
	      "case manager or a department) reach the user; the phone is stored in E.164.\n",
	      f);
}

struct user_opts {
	const char *db, *login, *role, *name, *language, *department, *email, *phone;
	bool password_stdin;
};

static int parse(int argc, char **argv, struct user_opts *o)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},     {"login", required_argument, 0, 'l'},
		{"role", required_argument, 0, 'r'},   {"name", required_argument, 0, 'n'},
		{"language", required_argument, 0, 'g'}, {"password-stdin", no_argument, 0, 'p'},
		{"department", required_argument, 0, 'D'}, {"email", required_argument, 0, 'e'},
		{"phone", required_argument, 0, 'P'},
		{"help", no_argument, 0, 'h'},         {0, 0, 0, 0},
	};
	o->db = cli_default_db();
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'l': o->login = optarg; break;
		case 'r': o->role = optarg; break;
		case 'n': o->name = optarg; break;
		case 'g': o->language = optarg; break;
		case 'D': o->department = optarg; break;
		case 'e': o->email = optarg; break;
		case 'P': o->phone = optarg; break;
		case 'p': o->password_stdin = true; break;
		case 'h': user_usage(stdout); return 0;
		default: user_usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "assist: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return -1;
}

static int read_password(char *out, size_t cap)
{
	if (!fgets(out, (int)cap, stdin)) {
		fprintf(stderr, "assist: no password on standard input\n");
		return 1;
	}
	size_t n = strlen(out);
	if (n && out[n - 1] != '\n' && !feof(stdin)) {
		fprintf(stderr, "assist: the password is longer than %d bytes\n", ACCOUNT_PASSWORD_MAX);
		return 1;
	}
	while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return 0;
}

static int user_add(struct user_opts *o)
{
	char login[ACCOUNT_LOGIN_MAX + 1];
	const char *why;
	enum role role;
	if (!o->login || !o->role || !o->password_stdin) {
		fprintf(stderr, "assist: user add needs --login, --role and --password-stdin\n");
		return 2;
	}
	if ((why = account_login_normalize(o->login, strlen(o->login), login))) {
		fprintf(stderr, "assist: login %s\n", why);
		return 2;
	}
	if (!role_parse(o->role, strlen(o->role), &role)) {
		fprintf(stderr, "assist: --role must be one of operator, case_manager, reviewer, "
				"finance, supervisor, admin\n");
		return 2;
	}
	const char *language = o->language ? o->language : "en";
	if (!account_language_valid(language, strlen(language))) {
		fprintf(stderr, "assist: --language must be en, ru or zh\n");
		return 2;
	}
	if (o->department && !case_code_valid(o->department, strlen(o->department), 64)) {
		fprintf(stderr, "assist: --department must be a code of a-z, 0-9, _ and -\n");
		return 2;
	}
	if (o->email && *o->email && !smtp_address_valid(o->email)) {
		fprintf(stderr, "assist: --email is not an e-mail address (name@example.com)\n");
		return 2;
	}
	char phone[PHONE_E164_MAX + 1] = "";
	if (o->phone && *o->phone && !phone_normalize(o->phone, strlen(o->phone), phone)) {
		fprintf(stderr, "assist: --phone is not a phone number (give it with the country "
				"code)\n");
		return 2;
	}
	const char *email = o->email && *o->email ? o->email : NULL;
	char pw[ACCOUNT_PASSWORD_MAX + 2];
	if (read_password(pw, sizeof pw))
		return 1;
	if ((why = account_password_check(pw, strlen(pw)))) {
		fprintf(stderr, "assist: the password %s\n", why);
		return 2;
	}
	struct err e;
	err_clear(&e);
	char hash[AUTH_PWHASH_MAX];
	if (auth_init() || auth_password_hash(pw, strlen(pw), hash, &e)) {
		fprintf(stderr, "assist: cannot hash the password\n");
		return 1;
	}
	struct db *db;
	if (cli_open_db(o->db, false, &db))
		return 1;
	struct user u = {.login = login, .full_name = o->name ? o->name : "", .role = role,
			 .language = language, .department = o->department, .email = email,
			 .phone = phone[0] ? phone : NULL, .password_hash = hash};
	int64_t id = 0;
	/* every value here was checked to need no JSON escaping: a login, a
	 * role, a code, an SMTP address (no quotes or backslashes) and E.164 */
	char after[1024];
	int k = snprintf(after, sizeof after, "{\"login\":\"%s\",\"role\":\"%s\"", login,
			 role_name(role));
	if (o->department)
		k += snprintf(after + k, sizeof after - (size_t)k, ",\"department\":\"%s\"",
			      o->department);
	if (email)
		k += snprintf(after + k, sizeof after - (size_t)k, ",\"email\":\"%s\"", email);
	if (phone[0])
		k += snprintf(after + k, sizeof after - (size_t)k, ",\"phone\":\"%s\"", phone);
	snprintf(after + k, sizeof after - (size_t)k, "}");
	enum res r;
	if ((r = db_begin(db, true, &e)) ||
	    (r = store_user_insert(db, &u, clock_now_us(), &id, &e)) ||
	    (r = cli_audit(db, "create", "user", id, NULL, after, &e)) || (r = db_commit(db, &e))) {
		db_rollback(db);
		cli_error(&e);
		db_close(db);
		return 1;
	}
	db_close(db);
	printf("assist: user %s (%s) added with id %lld\n", login, role_name(role), (long long)id);
	return 0;
}

static int user_list(struct user_opts *o)
{
	struct db *db;
	if (cli_open_db(o->db, false, &db))
		return 1;
	struct arena a;
	arena_init(&a, 16384, 0);
	struct user *items;
	size_t n;
	int64_t total;
	struct err e;
	err_clear(&e);
	int rc = 0;
	if (store_user_list(db, 100000, 0, &a, &items, &n, &total, &e)) {
		cli_error(&e);
		rc = 1;
	} else {
		printf("%-6s %-24s %-14s %-4s %-8s %-16s %-28s %s\n", "ID", "LOGIN", "ROLE", "LANG",
		       "STATE", "PHONE", "EMAIL", "NAME");
		for (size_t i = 0; i < n; i++)
			printf("%-6lld %-24s %-14s %-4s %-8s %-16s %-28s %s\n", (long long)items[i].id,
			       items[i].login, role_name(items[i].role), items[i].language,
			       items[i].disabled ? "disabled" : "active",
			       items[i].phone ? items[i].phone : "-",
			       items[i].email ? items[i].email : "-", items[i].full_name);
	}
	arena_free(&a);
	db_close(db);
	return rc;
}

static int user_disable(struct user_opts *o)
{
	char login[ACCOUNT_LOGIN_MAX + 1];
	if (!o->login || account_login_normalize(o->login, strlen(o->login), login)) {
		fprintf(stderr, "assist: user disable needs a valid --login\n");
		return 2;
	}
	struct db *db;
	if (cli_open_db(o->db, false, &db))
		return 1;
	struct arena a;
	arena_init(&a, 4096, 0);
	struct user u;
	struct err e;
	err_clear(&e);
	enum res r;
	int64_t now = clock_now_us();
	if ((r = db_begin(db, true, &e)) || (r = store_user_get_by_login(db, login, &a, &u, &e)))
		goto fail;
	if (!u.disabled) {
		u.disabled = true;
		if ((r = store_user_update(db, &u, now, &e)) ||
		    (r = store_session_delete_user(db, u.id, &e)) ||
		    (r = cli_audit(db, "disable", "user", u.id, "{\"disabled\":false}",
				   "{\"disabled\":true}", &e)))
			goto fail;
	}
	if ((r = db_commit(db, &e)))
		goto fail;
	printf("assist: user %s is disabled and signed out\n", login);
	arena_free(&a);
	db_close(db);
	return 0;
fail:
	db_rollback(db);
	if (r == RES_NOT_FOUND)
		fprintf(stderr, "assist: no user with login %s\n", login);
	else
		cli_error(&e);
	arena_free(&a);
	db_close(db);
	return 1;
}

static int user_token(struct user_opts *o)
{
	char login[ACCOUNT_LOGIN_MAX + 1];
	if (!o->login || account_login_normalize(o->login, strlen(o->login), login) || !o->name ||
	    !*o->name) {
		fprintf(stderr, "assist: user token needs --login and --name\n");
		return 2;
	}
	if (auth_init()) {
		fprintf(stderr, "assist: cannot initialise libsodium\n");
		return 1;
	}
	struct db *db;
	if (cli_open_db(o->db, false, &db))
		return 1;
	struct arena a;
	arena_init(&a, 4096, 0);
	struct user u;
	struct err e;
	err_clear(&e);
	char token[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_HEX + 1];
	auth_token_new(token);
	auth_token_hash(token, AUTH_TOKEN_LEN, hash);
	int64_t id;
	enum res r;
	if ((r = db_begin(db, true, &e)) || (r = store_user_get_by_login(db, login, &a, &u, &e)) ||
	    (r = store_token_insert(db, u.id, o->name, hash, clock_now_us(), &id, &e)) ||
	    (r = cli_audit(db, "create", "api_token", id, NULL, NULL, &e)) ||
	    (r = db_commit(db, &e))) {
		db_rollback(db);
		if (r == RES_NOT_FOUND)
			fprintf(stderr, "assist: no user with login %s\n", login);
		else
			cli_error(&e);
		arena_free(&a);
		db_close(db);
		return 1;
	}
	printf("%s\n", token);
	arena_free(&a);
	db_close(db);
	return 0;
}

int cli_user(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		user_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *sub = argv[1];
	struct user_opts o = {0};
	int rc = parse(argc - 1, argv + 1, &o);
	if (rc >= 0)
		return rc;
	if (strcmp(sub, "add") == 0)
		return user_add(&o);
	if (strcmp(sub, "list") == 0)
		return user_list(&o);
	if (strcmp(sub, "disable") == 0)
		return user_disable(&o);
	if (strcmp(sub, "token") == 0)
		return user_token(&o);
	fprintf(stderr, "assist: unknown user command '%s'\n", sub);
	user_usage(stderr);
	return 2;
}
