/* assist: one binary, subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pwd.h>

#include "base/clock.h"
#include "base/log.h"
#include "cli/cli.h"
#include "version.h"

static void usage(FILE *f)
{
	fputs("usage: assist <command> [options]\n"
	      "\n"
	      "An operations platform for assistance companies and claims-settlement centres.\n"
	      "\n"
	      "commands:\n"
	      "  serve     serve the web UI and the HTTP API\n"
	      "  init      create or migrate the database schema\n"
	      "  demo      create a database filled with demo data\n"
	      "  user      add, list or disable staff users; make API tokens\n"
	      "  import    load data: import program FILE.json\n"
	      "  mail      send e-mail through an SMTP relay to check it: mail send ...\n"
	      "  sms       send SMS or listen on an SMPP connection to check it: sms send|listen\n"
	      "  version   print the version\n"
	      "\n"
	      "Run 'assist <command> --help' for a command's options.\n"
	      "The database is a SQLite file path or a postgresql:// URL (--db, or ASSIST_DB).\n",
	      f);
}

const char *cli_default_db(void)
{
	const char *env = getenv("ASSIST_DB");
	return env && *env ? env : "var/assist.db";
}

void cli_error(const struct err *e)
{
	if (e->field[0])
		fprintf(stderr, "assist: %s (%s)\n", e->message, e->field);
	else
		fprintf(stderr, "assist: %s\n", e->message[0] ? e->message : err_default_code(e->res));
}

int cli_open_db(const char *url, bool migrate, struct db **out)
{
	struct err e;
	err_clear(&e);
	if (db_open(url, out, &e)) {
		cli_error(&e);
		return 1;
	}
	int from = 0, to = 0, latest = store_schema_latest(db_kind(*out));
	if (migrate) {
		if (store_migrate(*out, &from, &to, &e)) {
			cli_error(&e);
			db_close(*out);
			return 1;
		}
		return 0;
	}
	if (store_schema_version(*out, &from, &e)) {
		cli_error(&e);
		db_close(*out);
		return 1;
	}
	if (from != latest) {
		if (from > latest)
			fprintf(stderr,
				"assist: the database is at schema version %d but this assist knows only "
				"up to %d: use a newer assist\n",
				from, latest);
		else
			fprintf(stderr,
				"assist: the database is at schema version %d, this assist needs %d: "
				"run 'assist init --db ...' first\n",
				from, latest);
		db_close(*out);
		return 1;
	}
	return 0;
}

enum res cli_audit(struct db *db, const char *action, const char *entity, int64_t id,
		   const char *before_json, const char *after_json, struct err *e)
{
	char actor[96], idbuf[24];
	struct passwd *pw = getpwuid(getuid());
	snprintf(actor, sizeof actor, "cli:%s", pw ? pw->pw_name : "unknown");
	snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
	struct audit_rec rec = {
		.at = clock_now_us(),
		.actor_login = actor,
		.action = action,
		.entity = entity,
		.entity_id = idbuf,
		.before_json = before_json,
		.after_json = after_json,
		.request_id = "",
	};
	return store_audit_add(db, &rec, e);
}

int main(int argc, char **argv)
{
	const char *lvl = getenv("ASSIST_LOG_LEVEL");
	enum log_level level;
	if (lvl && log_level_parse(lvl, &level))
		log_set_level(level);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("assist %s\n", ASSIST_VERSION);
		return 0;
	}
	if (strcmp(cmd, "serve") == 0)
		return cli_serve(argc - 1, argv + 1);
	if (strcmp(cmd, "init") == 0)
		return cli_init(argc - 1, argv + 1);
	if (strcmp(cmd, "demo") == 0)
		return cli_demo(argc - 1, argv + 1);
	if (strcmp(cmd, "user") == 0)
		return cli_user(argc - 1, argv + 1);
	if (strcmp(cmd, "import") == 0)
		return cli_import(argc - 1, argv + 1);
	if (strcmp(cmd, "mail") == 0)
		return cli_mail(argc - 1, argv + 1);
	if (strcmp(cmd, "sms") == 0)
		return cli_sms(argc - 1, argv + 1);
	fprintf(stderr, "assist: unknown command '%s'\n\n", cmd);
	usage(stderr);
	return 2;
}
