#include "api/imports.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/clock.h"
#include "http/http.h"
#include "formats/csv.h"
#include "formats/xlsx.h"

/* A set of policy numbers seen in this file (duplicates are an error). */
struct strset {
	char **slots;
	size_t n, cap;
	struct arena text; /* the strings: one block per MiB, not a malloc each */
	bool text_ready;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Returns 1 if added, 0 if already there, -1 on out of memory. */
static int strset_add(struct strset *s, const char *v)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		char **slots = calloc(cap, sizeof *slots);
		if (!slots)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slots[i]) {
				size_t j = hash_str(s->slots[i]) & (cap - 1);
				while (slots[j])
					j = (j + 1) & (cap - 1);
				slots[j] = s->slots[i];
			}
		free(s->slots);
		s->slots = slots;
		s->cap = cap;
	}
	size_t j = hash_str(v) & (s->cap - 1);
	while (s->slots[j]) {
		if (strcmp(s->slots[j], v) == 0)
			return 0;
		j = (j + 1) & (s->cap - 1);
	}
	if (!s->text_ready) {
		arena_init(&s->text, 1u << 20, 0);
		s->text_ready = true;
	}
	if (!(s->slots[j] = arena_strdup(&s->text, v)))
		return -1;
	s->n++;
	return 1;
}

static bool strset_has(const struct strset *s, const char *v)
{
	if (!s->cap)
		return false;
	for (size_t j = hash_str(v) & (s->cap - 1); s->slots[j]; j = (j + 1) & (s->cap - 1))
		if (strcmp(s->slots[j], v) == 0)
			return true;
	return false;
}

static void strset_free(struct strset *s)
{
	free(s->slots);
	if (s->text_ready)
		arena_free(&s->text);
}

struct prog_cache {
	char code[65];
	int64_t id, sum_insured;
	char **packages;
	size_t npackages;
	bool missing;
};

struct importer {
	struct db *db;
	bool dry_run;
	int64_t actor_id;
	char actor_login[80], request_id[24];
	struct import_report *rep;
	struct pcol_map map;
	bool have_header;
	bool header_bad;
	bool date_serials, date1904;
	int64_t import_id; /* the imports row of a real run (0 in a dry run) */
	size_t bytes;      /* of the file, as read */
	struct strset numbers;
	struct prog_cache progs[32];
	size_t nprogs;
	struct arena row_arena;
	bool failed;
	struct err fatal;
};

struct importer *importer_new(struct db *db, bool dry_run, int64_t actor_id, const char *actor_login,
			      const char *request_id, struct import_report *report)
{
	struct importer *im = calloc(1, sizeof *im);
	if (!im)
		return NULL;
	im->db = db;
	im->dry_run = dry_run;
	im->actor_id = actor_id;
	snprintf(im->actor_login, sizeof im->actor_login, "%s", actor_login ? actor_login : "");
	snprintf(im->request_id, sizeof im->request_id, "%s", request_id ? request_id : "");
	im->rep = report;
	memset(report, 0, sizeof *report);
	arena_init(&im->row_arena, 16384, 16u << 20);
	/* the search index's word ids are remembered between rows; ended by
	 * importer_free, before the caller commits or rolls back */
	store_search_bulk_begin(db);
	return im;
}

void importer_free(struct importer *im)
{
	if (!im)
		return;
	store_search_bulk_end();
	strset_free(&im->numbers);
	for (size_t i = 0; i < im->nprogs; i++) {
		for (size_t k = 0; k < im->progs[i].npackages; k++)
			free(im->progs[i].packages[k]);
		free(im->progs[i].packages);
	}
	arena_free(&im->row_arena);
	free(im);
}

void importer_set_dates(struct importer *im, bool serials, bool date1904)
{
	im->date_serials = serials;
	im->date1904 = date1904;
}

bool importer_failed(const struct importer *im, struct err *e)
{
	if (im->failed && e)
		*e = im->fatal;
	return im->failed;
}

static void issue(struct importer *im, size_t row, const char *col, const char *fmt, const char *arg)
{
	im->rep->errors++;
	if (im->rep->nissues < IMPORT_MAX_ISSUES) {
		struct import_issue *x = &im->rep->issues[im->rep->nissues++];
		x->row = row;
		x->column = col;
		x->code = import_issue_code(fmt);
		snprintf(x->value, sizeof x->value, "%s", arg ? arg : "");
		snprintf(x->message, sizeof x->message, fmt, arg ? arg : "");
	}
}

/* An issue found by the row decoder, kept whole (at row, when given). */
static void keep(struct importer *im, const struct import_issue *y, size_t row)
{
	im->rep->errors++;
	if (im->rep->nissues < IMPORT_MAX_ISSUES) {
		struct import_issue *x = &im->rep->issues[im->rep->nissues++];
		*x = *y;
		if (row)
			x->row = row;
	}
}

static int fatal(struct importer *im, const struct err *e)
{
	im->failed = true;
	im->fatal = *e;
	return 1;
}

static const struct prog_cache *program(struct importer *im, const char *code)
{
	for (size_t i = 0; i < im->nprogs; i++)
		if (strcmp(im->progs[i].code, code) == 0)
			return &im->progs[i];
	if (im->nprogs == sizeof im->progs / sizeof im->progs[0])
		im->nprogs = 0; /* a file with more than 32 programs: start the cache over */
	struct prog_cache *c = &im->progs[im->nprogs];
	for (size_t k = 0; k < c->npackages; k++)
		free(c->packages[k]);
	free(c->packages);
	memset(c, 0, sizeof *c);
	snprintf(c->code, sizeof c->code, "%s", code);
	struct arena a;
	arena_init(&a, 16384, 0);
	struct program_row row;
	struct err e;
	enum res r = store_program_get(im->db, code, &a, &row, &e);
	if (r == RES_NOT_FOUND) {
		c->missing = true;
	} else if (r) {
		arena_free(&a);
		fatal(im, &e);
		return NULL;
	} else {
		c->id = row.id;
		c->sum_insured = row.sum_insured;
		json_t *def = json_loads(row.definition, 0, NULL);
		json_t *pk = json_object_get(def, "packages");
		c->npackages = json_array_size(pk);
		c->packages = calloc(c->npackages + 1, sizeof *c->packages);
		for (size_t i = 0; c->packages && i < c->npackages; i++)
			c->packages[i] = strdup(json_string_value(json_object_get(json_array_get(pk, i), "code")));
		json_decref(def);
	}
	arena_free(&a);
	im->nprogs++;
	return c;
}

static json_t *packages_json(const struct policy_input *p)
{
	if (!p->packages)
		return NULL;
	json_t *a = json_array();
	for (size_t i = 0; i < p->npackages; i++)
		json_array_append_new(a, json_string(p->packages[i]));
	return a;
}

static enum res audit(struct importer *im, const char *action, const char *entity, int64_t id,
		      json_t *before, json_t *after, struct err *e)
{
	return audit_json(im->db, im->actor_id, im->actor_login, im->request_id, action, entity, id,
			  before, after, e);
}

json_t *api_person_json(const struct person *p);
json_t *api_policy_json(const struct policy *p);

static int apply(struct importer *im, const struct policy_input *in, const struct prog_cache *pc)
{
	struct arena *a = &im->row_arena;
	struct err e;
	err_clear(&e);
	enum res r;
	int64_t now = clock_now_us();
	char start[11], end[11], birth[11];
	date_format(in->start, start);
	date_format(in->end, end);
	date_format(in->birth_date, birth);

	int64_t previous_id = 0;
	if (in->previous) {
		struct policy prev;
		r = store_policy_get(im->db, in->previous, a, &prev, &e);
		/* a dry run writes nothing: a policy an earlier row of the file
		 * creates is there in the real run */
		if (r == RES_NOT_FOUND && im->dry_run && strset_has(&im->numbers, in->previous)) {
			r = RES_OK;
			prev.id = -1;
		}
		if (r == RES_NOT_FOUND) {
			issue(im, in->row, "previous_policy", "no policy %s to renew", in->previous);
			return 0;
		}
		if (r)
			return fatal(im, &e);
		previous_id = prev.id;
	}
	struct person want = {.last_name = in->last_name, .first_name = in->first_name,
			      .middle_name = in->middle_name, .birth_date = birth, .sex = in->sex,
			      .phone = in->phone[0] ? in->phone : NULL, .email = in->email,
			      .document = in->document, .address = in->address, .city = in->city,
			      .language = in->language, .time_zone = in->time_zone};
	struct person found;
	bool have;
	if ((r = store_person_match(im->db, &want, a, &found, &have, &e)))
		return fatal(im, &e);
	int64_t person_id = have ? found.id : 0;
	if (!have && !im->dry_run) {
		/* audited by the import's own entry: the person carries its id */
		want.import_id = im->import_id;
		if ((r = store_person_insert(im->db, &want, now, &e)))
			return fatal(im, &e);
		person_id = want.id;
	}
	json_t *pk = packages_json(in);
	char *pk_text = pk ? json_dumps(pk, JSON_COMPACT) : NULL;
	json_decref(pk);
	struct policy pol = {.number = in->number, .program_id = pc->id, .person_id = person_id,
			     .packages_json = pk_text ? arena_strdup(a, pk_text) : NULL,
			     .start_date = start, .end_date = end, .status = in->status,
			     .sum_insured = in->sum_insured >= 0 ? in->sum_insured : pc->sum_insured,
			     .previous_id = previous_id};
	free(pk_text);
	struct policy old;
	r = store_policy_get(im->db, in->number, a, &old, &e);
	if (r && r != RES_NOT_FOUND)
		return fatal(im, &e);
	if (r == RES_NOT_FOUND && im->dry_run) {
		im->rep->created++;
		return 0;
	}
	if (r == RES_NOT_FOUND) {
		/* audited by the import's own entry: the policy carries its id, and
		 * its history starts with the import (GET …/history) */
		pol.import_id = im->import_id;
		if ((r = store_policy_insert(im->db, &pol, now, &pol.id, &e)))
			return fatal(im, &e);
		im->rep->created++;
		return 0;
	}
	bool same = old.program_id == pol.program_id && old.person_id == pol.person_id &&
		    ((!old.packages_json && !pol.packages_json) ||
		     (old.packages_json && pol.packages_json &&
		      strcmp(old.packages_json, pol.packages_json) == 0)) &&
		    strcmp(old.start_date, start) == 0 && strcmp(old.end_date, end) == 0 &&
		    strcmp(old.status, pol.status) == 0 && old.sum_insured == pol.sum_insured &&
		    old.previous_id == pol.previous_id;
	if (same) {
		im->rep->unchanged++;
		return 0;
	}
	if (im->dry_run) {
		im->rep->updated++;
		return 0;
	}
	pol.id = old.id;
	if ((r = store_policy_update(im->db, &pol, now, &e)))
		return fatal(im, &e);
	struct policy stored;
	if ((r = store_policy_get(im->db, in->number, a, &stored, &e)))
		return fatal(im, &e);
	json_t *bj = api_policy_json(&old), *aj = api_policy_json(&stored);
	r = audit(im, "update", "policy", stored.id, bj, aj, &e);
	json_decref(bj);
	json_decref(aj);
	if (r)
		return fatal(im, &e);
	im->rep->updated++;
	return 0;
}

int importer_row(void *ctx, size_t row, const struct slice *f, size_t n)
{
	struct importer *im = ctx;
	if (!im->have_header) {
		im->have_header = true;
		struct import_issue tmp[PCOL__COUNT + CSV_MAX_FIELDS];
		size_t k = pcol_map_header(f, n, &im->map, tmp, sizeof tmp / sizeof tmp[0]);
		/* the header is the first filled row: in a sheet it may be below row 1 */
		for (size_t i = 0; i < k; i++)
			keep(im, &tmp[i], row);
		im->header_bad = k > 0;
		return 0;
	}
	if (im->header_bad)
		return 0; /* without a good header no row can be read: one report is enough */
	if (++im->rep->rows > IMPORT_MAX_ROWS) {
		issue(im, row, NULL, "the file has more than %s data rows", "5000000");
		return 1;
	}
	arena_free(&im->row_arena);
	struct policy_input in;
	struct import_issue tmp[16];
	size_t k = policy_input_decode(&im->map, row, f, n, im->date_serials, im->date1904,
				       &im->row_arena, &in, tmp, 16);
	for (size_t i = 0; i < k; i++)
		keep(im, &tmp[i], 0);
	if (k)
		return 0;
	int added = strset_add(&im->numbers, in.number);
	if (added < 0) {
		struct err e;
		err_set(&e, RES_NOMEM, NULL, NULL, "out of memory");
		return fatal(im, &e);
	}
	if (added == 0) {
		issue(im, row, "policy_number", "policy %s appears twice in the file", in.number);
		return 0;
	}
	const struct prog_cache *pc = program(im, in.program);
	if (!pc)
		return 1;
	if (pc->missing) {
		issue(im, row, "program", "no program %s", in.program);
		return 0;
	}
	for (size_t i = 0; i < in.npackages; i++) {
		bool ok = false;
		for (size_t k2 = 0; k2 < pc->npackages && !ok; k2++)
			ok = pc->packages[k2] && strcmp(pc->packages[k2], in.packages[i]) == 0;
		if (!ok) {
			issue(im, row, "packages", "%s is not a package of the program", in.packages[i]);
			return 0;
		}
	}
	/* after the first bad row nothing more is written: the import will not
	 * be committed, but every row is still checked and reported */
	if (im->rep->errors)
		return 0;
	return apply(im, &in, pc); /* a dry run only counts what it would do */
}

/* ---- shared by the CLI and the API ---- */

/* The reader's own complaint (malformed file, a limit reached) as an issue. */
static void reader_issue(struct import_report *rep, size_t row, const char *code,
			 const char *message)
{
	rep->errors++;
	if (rep->nissues < IMPORT_MAX_ISSUES) {
		struct import_issue *x = &rep->issues[rep->nissues++];
		x->row = row;
		x->column = NULL;
		x->code = code;
		/* a reader's detail (where the file is broken) stays in English */
		snprintf(x->value, sizeof x->value, "%s", strcmp(code, "unreadable") ? "" : message);
		snprintf(x->message, sizeof x->message, "%s", message);
	}
}

/* The first worksheet of a workbook; its date cells arrive as ISO dates
 * already, and serial numbers in a date column are accepted as well. */
static int run_xlsx(struct importer *im, const struct import_source *src,
		    struct import_report *rep, bool *nomem)
{
	struct xlsx *x = src->fd < 0 ? xlsx_new(src->data, src->len) : xlsx_new_fd(src->fd, src->len);
	if (!x) {
		*nomem = true;
		return -1;
	}
	int rc = xlsx_open(x);
	if (!rc) {
		importer_set_dates(im, true, xlsx_date1904(x));
		rc = xlsx_read(x, importer_row, im);
	}
	if (rc < 0 && !importer_failed(im, NULL))
		reader_issue(rep, xlsx_error_row(x), "unreadable", xlsx_error(x));
	xlsx_free(x);
	return rc;
}

/* An OLE2 compound file: an old Excel .xls, or an encrypted .xlsx (Excel
 * wraps those in OLE2 too). Neither is CSV: say so instead of reporting
 * its bytes as a bad header. */
static bool is_ole2(const char *p, size_t n)
{
	return n >= 8 && memcmp(p, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0;
}

static const char ole2_message[] =
	"this is an old Excel .xls workbook or a password-protected one: save it as .xlsx "
	"(without a password) or as CSV (UTF-8)";

/* A CSV file, from memory or read from fd in chunks (the command line
 * streams a file of any size in constant memory). */
static int run_csv(struct importer *im, const struct import_source *src,
		   crypto_hash_sha256_state *sha, struct import_report *rep, bool *nomem)
{
	struct csv *c = csv_new(0, importer_row, im);
	if (!c) {
		*nomem = true;
		return -1;
	}
	int rc = 0;
	if (src->fd < 0 && is_ole2(src->data, src->len)) {
		reader_issue(rep, 0, "old_excel", ole2_message);
		csv_free(c);
		return -1;
	}
	if (src->fd < 0) {
		crypto_hash_sha256_update(sha, (const unsigned char *)src->data, src->len);
		rc = csv_feed(c, src->data, src->len);
	} else {
		char *chunk = malloc(1u << 20);
		if (!chunk) {
			csv_free(c);
			*nomem = true;
			return -1;
		}
		for (;;) {
			ssize_t got = read(src->fd, chunk, 1u << 20);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				struct err e;
				err_set(&e, RES_IO, NULL, "file", "cannot read the file: %s", strerror(errno));
				fatal(im, &e);
				rc = -1;
				break;
			}
			if (got == 0)
				break;
			if (im->bytes == 0 && is_ole2(chunk, (size_t)got)) {
				reader_issue(rep, 0, "old_excel", ole2_message);
				free(chunk);
				csv_free(c);
				return -1;
			}
			im->bytes += (size_t)got;
			crypto_hash_sha256_update(sha, (const unsigned char *)chunk, (size_t)got);
			if ((rc = csv_feed(c, chunk, (size_t)got)))
				break;
		}
		free(chunk);
	}
	if (!rc)
		rc = csv_finish(c);
	if (rc < 0 && !importer_failed(im, NULL))
		reader_issue(rep, csv_rows(c) + 1, "unreadable", csv_error(c));
	csv_free(c);
	return rc;
}

/* The SHA-256 of a whole file, read with pread (the reader's position is
 * its own). -1 on a read error or out of memory. */
static int hash_file(int fd, crypto_hash_sha256_state *sha)
{
	char *buf = malloc(1u << 20);
	if (!buf)
		return -1;
	off_t at = 0;
	for (;;) {
		ssize_t k = pread(fd, buf, 1u << 20, at);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			free(buf);
			return k < 0 ? -1 : 0;
		}
		crypto_hash_sha256_update(sha, (const unsigned char *)buf, (size_t)k);
		at += k;
	}
}

/* A real run is recorded (table imports) before its rows, so that what it
 * creates can carry its id, and audited as one entry when it succeeds. */
static enum res import_begin(struct importer *im, const char *file_name, bool xlsx,
			     struct import_rec *rec, struct err *e)
{
	int64_t now = clock_now_us();
	*rec = (struct import_rec){.kind = "policies", .file_name = file_name,
				   .format = xlsx ? "xlsx" : "csv", .sha256 = "",
				   .actor_id = im->actor_id,
				   .actor_login = im->actor_login, .request_id = im->request_id,
				   .started_at = now, .finished_at = now};
	enum res r = store_import_begin(im->db, rec, e);
	im->import_id = rec->id;
	return r;
}

static enum res import_finish(struct importer *im, struct import_rec *rec, const char *sha256,
			      struct err *e)
{
	rec->sha256 = sha256;
	rec->bytes = (int64_t)im->bytes;
	const struct import_report *rep = im->rep;
	rec->rows = (int64_t)rep->rows;
	rec->created = (int64_t)rep->created;
	rec->updated = (int64_t)rep->updated;
	rec->unchanged = (int64_t)rep->unchanged;
	rec->finished_at = clock_now_us();
	enum res r = store_import_finish(im->db, rec, e);
	if (r)
		return r;
	json_t *after = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "kind", rec->kind,
				  "file_name", rec->file_name, "format", rec->format, "sha256", rec->sha256,
				  "bytes", (json_int_t)rec->bytes, "rows", (json_int_t)rec->rows,
				  "created", (json_int_t)rec->created, "updated",
				  (json_int_t)rec->updated, "unchanged", (json_int_t)rec->unchanged);
	r = audit(im, "import", "import", rec->id, NULL, after, e);
	json_decref(after);
	return r;
}

enum res import_policies_source(struct db *db, const char *file_name,
				const struct import_source *src, bool dry_run, int64_t actor_id,
				const char *actor_login, const char *request_id,
				struct import_report *rep, struct err *e)
{
	struct importer *im = importer_new(db, dry_run, actor_id, actor_login, request_id, rep);
	if (!im)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	char magic[4] = "";
	if (src->fd < 0 && src->len >= 4)
		memcpy(magic, src->data, 4);
	else if (src->fd >= 0 && pread(src->fd, magic, 4, 0) != 4)
		memset(magic, 0, 4);
	bool nomem = false, xlsx = memcmp(magic, "PK\x03\x04", 4) == 0;
	struct import_rec rec = {0};
	enum res r = RES_OK;
	if (!dry_run && (r = import_begin(im, file_name ? file_name : "", xlsx, &rec, e))) {
		importer_free(im);
		return r;
	}
	crypto_hash_sha256_state sha;
	crypto_hash_sha256_init(&sha);
	if (xlsx) {
		if (src->fd < 0)
			crypto_hash_sha256_update(&sha, (const unsigned char *)src->data, src->len);
		else if (hash_file(src->fd, &sha) < 0)
			nomem = true;
		im->bytes = src->len;
		run_xlsx(im, src, rep, &nomem);
	} else {
		if (src->fd < 0)
			im->bytes = src->len;
		run_csv(im, src, &sha, rep, &nomem);
	}
	if (nomem)
		r = err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	else if (importer_failed(im, e))
		r = e->res ? e->res : RES_DB;
	if (!r && rep->rows == 0 && rep->errors == 0) {
		reader_issue(rep, 1, "no_rows", "the file has no data rows");
	}
	if (!r && !dry_run && rep->errors == 0) {
		unsigned char hash[crypto_hash_sha256_BYTES];
		char hex[crypto_hash_sha256_BYTES * 2 + 1];
		crypto_hash_sha256_final(&sha, hash);
		sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
		r = import_finish(im, &rec, hex, e);
		rep->import_id = rec.id;
	}
	importer_free(im);
	return r;
}

enum res import_policies_run(struct db *db, const char *file_name, const char *data, size_t len,
			     bool dry_run, int64_t actor_id, const char *actor_login,
			     const char *request_id, struct import_report *rep, struct err *e)
{
	struct import_source src = {.data = data, .len = len, .fd = -1};
	return import_policies_source(db, file_name, &src, dry_run, actor_id, actor_login,
				      request_id, rep, e);
}
