/* assist import program FILE.json */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "api/imports.h"
#include "cli/cli.h"
#include "http/json.h"

static void import_usage(FILE *f)
{
	fputs("usage: assist import program FILE.json [--db DB]\n"
	      "       assist import policies FILE.csv|FILE.xlsx [--dry-run] [--db DB]\n"
	      "\n"
	      "policies: load a policy list in the template of docs/imports.md, from CSV\n"
	      "or from the first worksheet of an XLSX workbook. --dry-run\n"
	      "checks every row and reports each bad one (row, column, why) without\n"
	      "writing; a real run is all or nothing. The same file again changes nothing.\n"
	      "\n"
	      "Create or replace an insurance program from a JSON file in the format of\n"
	      "docs/programs.md (the same body as POST /api/v1/programs). Importing the\n"
	      "same file again changes nothing; a changed file makes a new version.\n",
	      f);
}

/* Save one program from JSON text inside the caller's transaction; prints
 * nothing. The outcome says created, updated or unchanged. */
int cli_program_save_text(struct db *db, const char *text, size_t len, const char *source,
			  enum program_outcome *outcome, const char **code)
{
	struct err e;
	err_clear(&e);
	json_t *j = NULL;
	if (json_parse_body(text, len, &j, &e)) {
		fprintf(stderr, "assist: %s: %s\n", source, e.message);
		return 1;
	}
	struct arena a;
	arena_init(&a, 16384, 64u << 20);
	struct program_def def;
	struct program_saved saved;
	char *canonical = NULL;
	int rc = 0;
	if (programs_save(db, j, "cli", &a, &def, &saved, &canonical, &e)) {
		fprintf(stderr, "assist: %s: %s%s%s%s\n", source, e.message, e.field[0] ? " (" : "",
			e.field, e.field[0] ? ")" : "");
		rc = 1;
	} else {
		*outcome = saved.outcome;
		static char code_buf[PROGRAM_CODE_MAX + 1];
		snprintf(code_buf, sizeof code_buf, "%s", def.code);
		*code = code_buf;
		if (saved.outcome != PROGRAM_UNCHANGED &&
		    cli_audit(db, saved.outcome == PROGRAM_CREATED ? "create" : "update", "program",
			      saved.id, saved.before, canonical, &e)) {
			cli_error(&e);
			rc = 1;
		}
	}
	free(canonical);
	arena_free(&a);
	json_decref(j);
	return rc;
}

static char *read_file(const char *path, size_t max, size_t *len_out);

/* The file stays on disk: a CSV file is streamed in chunks and an XLSX
 * workbook read where needed, so memory does not grow with the file. */
static int open_source(const char *path, struct import_source *src)
{
	src->data = NULL;
	src->len = 0;
	src->fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (src->fd < 0 || fstat(src->fd, &sb) != 0) {
		fprintf(stderr, "assist: %s: %s\n", path, strerror(errno));
		if (src->fd >= 0)
			close(src->fd);
		return 1;
	}
	src->len = (size_t)sb.st_size;
	return 0;
}

static int import_policies(const char *db_url, const char *path, bool dry_run)
{
	struct import_source src;
	if (open_source(path, &src))
		return 1;
	struct db *db;
	if (cli_open_db(db_url, false, &db)) {
		close(src.fd);
		return 1;
	}
	struct import_report *rep = malloc(sizeof *rep);
	struct err e;
	err_clear(&e);
	int rc = 1;
	/* a big import touches index pages all over: a large page cache (the
	 * default is 2 MiB) keeps them from being spilled and read back. 64 MiB
	 * for CSV; 40 MiB for XLSX, whose shared strings are held in memory
	 * too (about 70 MiB for a million rows): that keeps a million-row
	 * workbook under 200 MB at a cost of about 8 % in time */
	char magic[4] = "";
	bool xlsx = pread(src.fd, magic, 4, 0) == 4 && memcmp(magic, "PK\x03\x04", 4) == 0;
	if (db_kind(db) == DB_SQLITE &&
	    db_exec_script(db, xlsx ? "PRAGMA cache_size = -40960" : "PRAGMA cache_size = -65536",
			   &e)) {
		cli_error(&e);
		goto out;
	}
	if (!rep || db_begin(db, true, &e)) {
		cli_error(&e);
		goto out;
	}
	if (import_policies_source(db, path, &src, dry_run, 0, "cli", "", rep, &e)) {
		cli_error(&e);
		db_rollback(db);
		goto out;
	}
	for (size_t i = 0; i < rep->nissues; i++) {
		const struct import_issue *x = &rep->issues[i];
		if (x->row == 0) /* the file as a whole: an unreadable workbook */
			fprintf(stderr, "%s: %s\n", path, x->message);
		else
			fprintf(stderr, "row %zu%s%s: %s\n", x->row, x->column ? ", column " : "",
				x->column ? x->column : "", x->message);
	}
	if (rep->errors > rep->nissues)
		fprintf(stderr, "... and %zu more\n", rep->errors - rep->nissues);
	if (dry_run || rep->errors) {
		db_rollback(db);
		printf("assist: %zu rows checked, %zu with errors: %s", rep->rows, rep->errors,
		       dry_run ? "dry run, nothing written" : "nothing written");
		if (dry_run && !rep->errors)
			printf(" (would create %zu, update %zu, leave %zu unchanged)", rep->created,
			       rep->updated, rep->unchanged);
		printf("\n");
		rc = rep->errors ? 1 : 0;
	} else if (db_commit(db, &e)) {
		cli_error(&e);
	} else {
		printf("assist: %zu rows: %zu created, %zu updated, %zu unchanged\n", rep->rows,
		       rep->created, rep->updated, rep->unchanged);
		rc = 0;
	}
out:
	free(rep);
	db_close(db);
	close(src.fd);
	return rc;
}

static char *read_file(const char *path, size_t max, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "assist: cannot open %s\n", path);
		return NULL;
	}
	size_t cap = 1 << 16, len = 0, n;
	char *text = malloc(cap);
	while (text && (n = fread(text + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			if (cap >= max) {
				fprintf(stderr, "assist: %s is too large\n", path);
				free(text);
				fclose(f);
				return NULL;
			}
			char *t = realloc(text, cap * 2);
			if (!t) {
				free(text);
				text = NULL;
				break;
			}
			text = t;
			cap *= 2;
		}
	}
	fclose(f);
	if (!text)
		fprintf(stderr, "assist: out of memory reading %s\n", path);
	*len_out = len;
	return text;
}

static int import_program(const char *db_url, const char *path)
{
	size_t len;
	char *text = read_file(path, 16u << 20, &len);
	if (!text)
		return 1;
	struct db *db;
	if (cli_open_db(db_url, false, &db)) {
		free(text);
		return 1;
	}
	struct err e;
	err_clear(&e);
	enum program_outcome outcome = PROGRAM_UNCHANGED;
	const char *code = "";
	int rc = db_begin(db, true, &e) ? (cli_error(&e), 1) : 0;
	if (!rc)
		rc = cli_program_save_text(db, text, len, path, &outcome, &code);
	if (!rc && db_commit(db, &e)) {
		cli_error(&e);
		rc = 1;
	}
	if (rc)
		db_rollback(db);
	else
		printf("assist: program %s %s\n", code,
		       outcome == PROGRAM_CREATED ? "created"
		       : outcome == PROGRAM_UPDATED ? "updated (a new version)"
						    : "unchanged");
	db_close(db);
	free(text);
	return rc;
}

int cli_import(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		import_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'},
		{"dry-run", no_argument, 0, 'n'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *what = argv[1];
	bool dry_run = false;
	const char *db_url = cli_default_db();
	int c;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
		if (c == 'd')
			db_url = optarg;
		else if (c == 'n')
			dry_run = true;
		else if (c == 'h') {
			import_usage(stdout);
			return 0;
		} else {
			import_usage(stderr);
			return 2;
		}
	}
	if (strcmp(what, "program") != 0 && strcmp(what, "policies") != 0) {
		fprintf(stderr, "assist: unknown import '%s'\n", what);
		import_usage(stderr);
		return 2;
	}
	if (optind + 1 != argc - 1) {
		fprintf(stderr, "assist: import %s needs exactly one FILE\n", what);
		return 2;
	}
	if (strcmp(what, "policies") == 0)
		return import_policies(db_url, argv[1 + optind], dry_run);
	if (dry_run) {
		fprintf(stderr, "assist: --dry-run is for policies\n");
		return 2;
	}
	return import_program(db_url, argv[1 + optind]);
}
