/* assist serve and assist init. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/str.h"
#include "api/api.h"
#include "cli/cli.h"
#include "http/server.h"
#include "jobs/outbox.h"
#include "text/translit.h"

static void serve_usage(FILE *f)
{
	fputs("usage: assist serve [--db DB] [--listen ADDR:PORT] [options]\n"
	      "\n"
	      "Serve the web UI and the HTTP API until SIGTERM or SIGINT; requests in\n"
	      "flight finish before it exits.\n"
	      "\n"
	      "  --db DB            SQLite file or postgresql:// URL (ASSIST_DB; default var/assist.db)\n"
	      "  --listen ADDR:PORT address to listen on (ASSIST_LISTEN; default 127.0.0.1:8080)\n"
	      "  --web DIR          static files of the UI (ASSIST_WEB; default ./web)\n"
	      "  --threads N        HTTP worker threads (ASSIST_THREADS; default 2 per CPU, at least 4)\n"
	      "  --body-limit BYTES largest request body by default (default 1048576)\n"
	      "  --timeout SECONDS  idle connection timeout (default 30)\n"
	      "  --housekeeping-interval SECONDS\n"
	      "                     how often ended sessions are purged and overdue coverage\n"
	      "                     holds given back (default 60)\n"
	      "  --config FILE      gateways (SMSC and SMTP connections) from a JSON file\n"
	      "                     (ASSIST_CONFIG; see docs/operator-guide.md)\n"
	      "  --smpp URL         send SMS through smpp://SYSTEM_ID:PASSWORD@HOST:PORT (ASSIST_SMPP)\n"
	      "  --smpp-rate N      at most N submit_sm a second on that connection (ASSIST_SMPP_RATE;\n"
	      "                     default no limit: the SMSC's contract usually sets one)\n"
	      "  --smtp URL         send email through smtp://[USER:PASSWORD@]HOST:PORT (ASSIST_SMTP)\n"
	      "  --mail-from ADDRESS the From of email (ASSIST_MAIL_FROM)\n"
	      "  --outbox-lease SECONDS\n"
	      "                     how long a claimed message is held before another\n"
	      "                     dispatcher may resolve it after a crash (default 120)\n"
	      "  --trust-proxy      believe X-Forwarded-For and X-Forwarded-Proto (behind nginx/HAProxy)\n"
	      "  --no-access-log    do not log each request\n"
	      "  --log-level LEVEL  debug, info, warn or error (ASSIST_LOG_LEVEL; default info)\n",
	      f);
}

static bool parse_uint(const char *s, int64_t min, int64_t max, int64_t *out)
{
	return s && !str_to_i64(s, strlen(s), out) && *out >= min && *out <= max;
}

static const char *default_web(void)
{
	const char *env = getenv("ASSIST_WEB");
	if (env && *env)
		return env;
	struct stat st;
	if (stat("web/index.html", &st) == 0)
		return "web";
	/* next to the binary: build/assist -> ../web */
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 16);
	if (n > 0) {
		path[n] = '\0';
		char *slash = strrchr(path, '/');
		if (slash) {
			snprintf(slash, 16, "/../web"); /* 16 bytes were kept free above */
			return path;
		}
	}
	return "web";
}

/* The outbox dispatchers are the server's background jobs. */
static struct outbox_config jobs_cfg;

static const char *env_or_null(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static enum res jobs_start(struct app *app, struct err *e)
{
	jobs_cfg.db_url = app->db_url;
	jobs_cfg.events = app->events;
	struct outbox *o = NULL;
	enum res r = outbox_start(&jobs_cfg, &o, e);
	app->jobs = o;
	return r;
}

static void jobs_stop(struct app *app)
{
	outbox_stop(app->jobs);
	app->jobs = NULL;
}

static int serve_run(struct app *app, const char *db_url);

int cli_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},      {"listen", required_argument, 0, 'l'},
		{"web", required_argument, 0, 'w'},     {"threads", required_argument, 0, 't'},
		{"body-limit", required_argument, 0, 'b'}, {"timeout", required_argument, 0, 'o'},
		{"trust-proxy", no_argument, 0, 'p'},   {"no-access-log", no_argument, 0, 'n'},
		{"log-level", required_argument, 0, 'L'}, {"help", no_argument, 0, 'h'},
		{"housekeeping-interval", required_argument, 0, 'k'},
		{"smpp", required_argument, 0, 'S'},    {"smtp", required_argument, 0, 'M'},
		{"mail-from", required_argument, 0, 'F'}, {"outbox-lease", required_argument, 0, 'E'},
		{"smpp-rate", required_argument, 0, 'R'}, {"config", required_argument, 0, 'C'},
		{0, 0, 0, 0},
	};
	const char *db_url = cli_default_db();
	const char *env_listen = getenv("ASSIST_LISTEN");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int64_t threads = ncpu > 0 ? ncpu * 2 : 4;
	if (threads < 4)
		threads = 4;
	const char *env_threads = getenv("ASSIST_THREADS");
	if (env_threads && !parse_uint(env_threads, 1, 256, &threads)) {
		fprintf(stderr, "assist: ASSIST_THREADS must be 1..256\n");
		return 2;
	}
	struct app app = {
		.cfg = {
			.listen = env_listen && *env_listen ? env_listen : "127.0.0.1:8080",
			.web_dir = default_web(),
			.body_limit = 1u << 20,
			.timeout_s = 30,
			.access_log = true,
		},
		.housekeep = api_housekeep,
		.jobs_start = jobs_start,
		.jobs_stop = jobs_stop,
		.db_url = NULL,
	};
	struct outbox_config *oc = &jobs_cfg;
	oc->smpp_url = env_or_null("ASSIST_SMPP");
	oc->smtp_url = env_or_null("ASSIST_SMTP");
	oc->mail_from = env_or_null("ASSIST_MAIL_FROM");
	const char *env_rate = env_or_null("ASSIST_SMPP_RATE");
	if (env_rate) {
		int64_t rate;
		if (!parse_uint(env_rate, 0, 100000, &rate)) {
			fprintf(stderr, "assist: ASSIST_SMPP_RATE must be 0..100000\n");
			return 2;
		}
		oc->smpp_rate = (int)rate;
	}
	const char *config = env_or_null("ASSIST_CONFIG");
	int c;
	int64_t v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db_url = optarg; break;
		case 'l': app.cfg.listen = optarg; break;
		case 'w': app.cfg.web_dir = optarg; break;
		case 't':
			if (!parse_uint(optarg, 1, 256, &threads)) {
				fprintf(stderr, "assist: --threads must be 1..256\n");
				return 2;
			}
			break;
		case 'b':
			if (!parse_uint(optarg, 1024, 1LL << 30, &v)) {
				fprintf(stderr, "assist: --body-limit must be 1024..1073741824\n");
				return 2;
			}
			app.cfg.body_limit = (size_t)v;
			break;
		case 'o':
			if (!parse_uint(optarg, 1, 3600, &v)) {
				fprintf(stderr, "assist: --timeout must be 1..3600\n");
				return 2;
			}
			app.cfg.timeout_s = (unsigned)v;
			break;
		case 'k':
			if (!parse_uint(optarg, 1, 86400, &v)) {
				fprintf(stderr, "assist: --housekeeping-interval must be 1..86400\n");
				return 2;
			}
			app.cfg.housekeeping_s = (unsigned)v;
			break;
		case 'C': config = optarg; break;
		case 'S': oc->smpp_url = optarg; break;
		case 'M': oc->smtp_url = optarg; break;
		case 'F': oc->mail_from = optarg; break;
		case 'R':
			if (!parse_uint(optarg, 0, 100000, &v)) {
				fprintf(stderr, "assist: --smpp-rate must be 0..100000\n");
				return 2;
			}
			oc->smpp_rate = (int)v;
			break;
		case 'E':
			if (!parse_uint(optarg, 2, 86400, &v)) {
				fprintf(stderr, "assist: --outbox-lease must be 2..86400\n");
				return 2;
			}
			oc->lease_s = (int)v;
			break;
		case 'p': app.cfg.trust_proxy = true; break;
		case 'n': app.cfg.access_log = false; break;
		case 'L': {
			enum log_level lvl;
			if (!log_level_parse(optarg, &lvl)) {
				fprintf(stderr, "assist: --log-level must be debug, info, warn or error\n");
				return 2;
			}
			log_set_level(lvl);
			break;
		}
		case 'h': serve_usage(stdout); return 0;
		default: serve_usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "assist: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	app.cfg.threads = (int)threads;
	struct err e;
	err_clear(&e);
	struct outbox_gateway *gateways = NULL;
	if (config) {
		if (outbox_config_file(config, &gateways, &oc->ngateways, &e)) {
			fprintf(stderr, "assist: %s: %s%s%s\n", config, e.field, e.field[0] ? ": " : "",
				e.message);
			return 2;
		}
		oc->gateways = gateways;
	}
	int rc = serve_run(&app, db_url);
	if (gateways)
		memset(gateways, 0, oc->ngateways * sizeof *gateways); /* passwords */
	free(gateways);
	return rc;
}

static int serve_run(struct app *app_, const char *db_url)
{
	struct app app = *app_;
	struct err e;
	err_clear(&e);

	struct stat dbst;
	if (db_kind_of_url(db_url) == DB_SQLITE && stat(db_url, &dbst) != 0) {
		fprintf(stderr, "assist: %s does not exist: create it with 'assist init --db %s' "
				"(or 'assist demo')\n", db_url, db_url);
		return 1;
	}
	struct db *check;
	if (cli_open_db(db_url, false, &check))
		return 1;
	/* persons the search index lacks (a migration, an older transliteration)
	 * are indexed before serving; ICU's data is loaded now, not by the first
	 * search */
	int64_t indexed = 0;
	if (store_search_reindex(check, &indexed, &e) || translit_prepare(&e)) {
		cli_error(&e);
		db_close(check);
		return 1;
	}
	db_close(check);
	if (indexed && log_enabled(LOG_INFO)) {
		struct logb lb;
		logb_begin(&lb, LOG_INFO, "search_reindexed");
		logb_int(&lb, "persons", indexed);
		logb_end(&lb);
	}

	/* one connection per worker thread, plus one for housekeeping */
	app.db_url = db_url;
	if (store_open(db_url, app.cfg.threads + 1, &app.store, &e)) {
		cli_error(&e);
		return 1;
	}
	enum res r = server_run(&app, &e);
	store_close(app.store);
	if (r) {
		cli_error(&e);
		return 1;
	}
	return 0;
}

int cli_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *db_url = cli_default_db();
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'd') {
			db_url = optarg;
		} else if (c == 'h') {
			puts("usage: assist init [--db DB]\n\n"
			     "Create the schema in a new database, or bring an older one up to date,\n"
			     "and index for search the insured persons the search index lacks.\n"
			     "Refuses a database made by a newer assist.");
			return 0;
		} else {
			return 2;
		}
	}
	struct db *db;
	struct err e;
	err_clear(&e);
	if (db_open(db_url, &db, &e)) {
		cli_error(&e);
		return 1;
	}
	int from = 0, to = 0;
	int64_t indexed = 0;
	if (store_migrate(db, &from, &to, &e) || store_search_reindex(db, &indexed, &e)) {
		cli_error(&e);
		db_close(db);
		return 1;
	}
	db_close(db);
	if (from == to)
		printf("assist: schema is up to date (version %d)\n", to);
	else
		printf("assist: schema migrated from version %d to %d\n", from, to);
	if (indexed)
		printf("assist: search index: %lld persons indexed\n", (long long)indexed);
	return 0;
}
