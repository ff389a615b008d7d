/* Identification search (issue 4): the index of persons' names and
 * documents, and the search box's lookups and ranking. How it works, on each
 * database, is in docs/internals/search.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/search.h"
#include "store/store_impl.h"
#include "text/translit.h"

#define OOM(e) err_set((e), RES_NOMEM, NULL, NULL, "out of memory")

#define TERMS_PER_PERSON 48     /* index words kept of one person */
#define DATE_ROWS 1000          /* persons of one birth date ranked by name */
#define REINDEX_BATCH 10000     /* persons per transaction of store_search_reindex */
#define COMBO_QUERIES_MAX 24    /* combos of two or more words looked up, in all */
/* postings (estimated) the lookups of two or more words may walk: every word
 * exactly, then with typos (a walk finding nobody costs ~0.3 us a posting) */
#define WALK_EXACT 20000
#define WALK_FUZZY 8000
#define COMBOS_RUN_MAX 256      /* combos looked up in one search, at most */
#define SWAP_WORD_MAX 12        /* query words up to this long are also tried with swaps */
#define PAGE_MIN 64             /* postings read of each candidate word, at least */
#define WALK_STRETCH 1024       /* postings walked by one lookup of a combo */

/* ---- writing the index ---- */

static const char sql_term_get[] = "SELECT id FROM search_terms WHERE term = ?";
static const char sql_term_add[] =
	"INSERT INTO search_terms (term) VALUES (?) ON CONFLICT (term) DO NOTHING RETURNING id";
static const char sql_posting_add[] =
	"INSERT INTO search_postings (term_id, person_id) VALUES (?, ?)";
static const char sql_posting_del[] =
	"DELETE FROM search_postings WHERE term_id = (SELECT id FROM search_terms WHERE term = ?) "
	"AND person_id = ?";
static const char sql_words_get[] = "SELECT words FROM search_persons WHERE person_id = ?";
static const char sql_person_add[] =
	"INSERT INTO search_persons (person_id, words, doc_key, version) VALUES (?, ?, ?, ?)";
static const char sql_person_put[] =
	"INSERT INTO search_persons (person_id, words, doc_key, version) VALUES (?, ?, ?, ?) "
	"ON CONFLICT (person_id) DO UPDATE SET words = excluded.words, doc_key = excluded.doc_key, "
	"version = excluded.version";

static bool is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

struct terms {
	const char *t[TERMS_PER_PERSON];
	bool posted[TERMS_PER_PERSON]; /* has postings (else only kept in words) */
	size_t n;
};

static void terms_add(struct terms *ts, const char *t, bool posted)
{
	if (!t || !*t || ts->n >= TERMS_PER_PERSON)
		return;
	for (size_t i = 0; i < ts->n; i++)
		if (strcmp(ts->t[i], t) == 0) {
			ts->posted[i] = ts->posted[i] || posted;
			return;
		}
	ts->posted[ts->n] = posted;
	ts->t[ts->n++] = t;
}

/* A person's words: each word's Latin form and, when it differs, its
 * original form; for Han names also the pinyin of the whole name and of each
 * part run together ("zhangwei", "haoran"), as people type it; and the pair
 * of last and first name ("petrova+mariya"), which finds a person by a full
 * name without walking all the Petrovas. All of them get postings but the
 * original forms of words other than Han ideographs: their Latin form tells
 * them apart well enough, while pinyin alone would not tell 张 from 章 (and
 * they would be a third of the postings). */
static enum res person_terms(const char *const fields[3], struct arena *a, struct terms *ts,
			     struct err *e)
{
	char all_han[3 * TRANSLIT_WORD_MAX + 1] = "";
	size_t all_len = 0, all_count = 0;
	char whole[2][TRANSLIT_WORD_MAX + 1] = {"", ""}; /* last and first name, run together */
	size_t whole_len[2] = {0, 0};
	ts->n = 0;
	for (int f = 0; f < 3; f++) {
		if (!fields[f] || !*fields[f])
			continue;
		struct tl_word *w;
		size_t nw;
		size_t len = strlen(fields[f]);
		if (len > TRANSLIT_INPUT_MAX)
			len = TRANSLIT_INPUT_MAX; /* names are at most 100 bytes where they come in */
		enum res r = translit_words(fields[f], len, a, &w, &nw, e);
		if (r)
			return r;
		char run[TRANSLIT_WORD_MAX + 1];
		size_t run_len = 0, run_count = 0;
		for (size_t i = 0; i < nw; i++) {
			terms_add(ts, w[i].latin, true);
			if (strcmp(w[i].orig, w[i].latin) != 0)
				terms_add(ts, w[i].orig, w[i].han);
			size_t l = strlen(w[i].latin);
			if (f < 2 && whole_len[f] + l <= TRANSLIT_WORD_MAX) {
				memcpy(whole[f] + whole_len[f], w[i].latin, l + 1);
				whole_len[f] += l;
			}
			if (!w[i].han)
				continue;
			if (run_len + l <= TRANSLIT_WORD_MAX) {
				memcpy(run + run_len, w[i].latin, l);
				run_len += l;
				run_count++;
			}
			if (all_len + l <= TRANSLIT_WORD_MAX) {
				memcpy(all_han + all_len, w[i].latin, l);
				all_len += l;
				all_count++;
			}
		}
		if (run_count >= 2) {
			run[run_len] = '\0';
			terms_add(ts, arena_strdup(a, run), true);
		}
	}
	if (all_count >= 2) {
		all_han[all_len] = '\0';
		terms_add(ts, arena_strdup(a, all_han), true);
	}
	if (whole_len[0] && whole_len[1])
		terms_add(ts, arena_printf(a, "%s+%s", whole[0], whole[1]), true);
	return RES_OK;
}

/* Bulk loading: the ids of index words, remembered on this thread between
 * persons while store_search_bulk_begin is in force (open addressing). */
#define BULK_SLOTS 65536 /* a power of two; at most half are filled */
struct bulk_slot {
	char *term; /* malloc'd; NULL = empty */
	int64_t id;
};
struct bulk {
	struct db *db;
	struct bulk_slot *slots;
	size_t n;
};
static _Thread_local struct bulk *bulk;

static struct bulk_slot *bulk_slot(const char *term)
{
	uint32_t h = 2166136261u;
	for (const char *p = term; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	size_t i = h & (BULK_SLOTS - 1);
	while (bulk->slots[i].term && strcmp(bulk->slots[i].term, term) != 0)
		i = (i + 1) & (BULK_SLOTS - 1);
	return &bulk->slots[i];
}

void store_search_bulk_begin(struct db *db)
{
	store_search_bulk_end();
	struct bulk *b = calloc(1, sizeof *b);
	if (b && !(b->slots = calloc(BULK_SLOTS, sizeof *b->slots))) {
		free(b);
		b = NULL;
	}
	if (b)
		b->db = db;
	bulk = b; /* without memory, words are looked up each time: slower, not wrong */
}

void store_search_bulk_end(void)
{
	if (!bulk)
		return;
	for (size_t i = 0; i < BULK_SLOTS; i++)
		free(bulk->slots[i].term);
	free(bulk->slots);
	free(bulk);
	bulk = NULL;
}

static void bulk_remember(struct db *db, const char *term, int64_t id)
{
	if (!bulk || bulk->db != db || bulk->n >= BULK_SLOTS / 2)
		return;
	struct bulk_slot *s = bulk_slot(term);
	if (s->term || !(s->term = strdup(term)))
		return;
	s->id = id;
	bulk->n++;
}

static enum res term_id(struct db *db, const char *term, int64_t *id, struct err *e)
{
	struct db_stmt *st;
	enum res r;
	if (bulk && bulk->db == db) {
		struct bulk_slot *s = bulk_slot(term);
		if (s->term) {
			*id = s->id;
			return RES_OK;
		}
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		if ((r = db_prepare(db, sql_term_get, &st, e)))
			return r;
		db_bind_text(st, 1, term);
		int rc = store_step(st, &r, e);
		if (rc == DB_ROW)
			*id = db_col_i64(st, 0);
		db_reset(st);
		if (rc == DB_ROW)
			bulk_remember(db, term, *id);
		if (rc != DB_DONE)
			return r;
		/* new: insert it, unless another transaction just did (then read it) */
		if ((r = db_prepare(db, sql_term_add, &st, e)))
			return r;
		db_bind_text(st, 1, term);
		rc = store_step(st, &r, e);
		if (rc == DB_ROW)
			*id = db_col_i64(st, 0);
		db_reset(st);
		if (rc == DB_ROW)
			bulk_remember(db, term, *id);
		if (rc != DB_DONE)
			return r;
	}
	return err_set(e, RES_INTERNAL, NULL, NULL, "search word neither found nor added");
}

/* Take out the words a person was indexed by. */
static enum res person_unindex(struct db *db, int64_t person_id, struct arena *a, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_words_get, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, person_id);
	char *words = NULL;
	int rc = store_step(st, &r, e);
	if (rc == DB_ROW && !(words = (char *)store_col_dup(st, 0, a)))
		r = OOM(e);
	db_reset(st);
	if (r || !words)
		return r;
	for (char *w = words, *next; *w && !r; w = next) {
		next = strchr(w, ' ');
		if (next)
			*next++ = '\0';
		else
			next = w + strlen(w);
		if (!*w)
			continue;
		if ((r = db_prepare(db, sql_posting_del, &st, e)))
			return r;
		db_bind_text(st, 1, w);
		db_bind_i64(st, 2, person_id);
		r = store_exec(st, e);
	}
	return r;
}

enum res store_search_person(struct db *db, int64_t person_id, const char *last_name,
			     const char *first_name, const char *middle_name,
			     const char *document, bool replace, struct err *e)
{
	struct arena a;
	arena_init(&a, 4096, 1u << 20);
	struct terms ts;
	const char *fields[3] = {last_name, first_name, middle_name};
	enum res r = RES_OK;
	if (replace && (r = person_unindex(db, person_id, &a, e)))
		goto done;
	if ((r = person_terms(fields, &a, &ts, e)))
		goto done;
	size_t wlen = 1;
	for (size_t i = 0; i < ts.n; i++)
		wlen += strlen(ts.t[i]) + 1;
	char *words = arena_alloc(&a, wlen);
	if (!words) {
		r = OOM(e);
		goto done;
	}
	size_t k = 0;
	struct db_stmt *st;
	for (size_t i = 0; i < ts.n; i++) {
		int64_t id = 0;
		if (ts.posted[i]) {
			if ((r = term_id(db, ts.t[i], &id, e)) ||
			    (r = db_prepare(db, sql_posting_add, &st, e)))
				goto done;
			db_bind_i64(st, 1, id);
			db_bind_i64(st, 2, person_id);
			if ((r = store_exec(st, e)))
				goto done;
		}
		size_t l = strlen(ts.t[i]);
		if (k)
			words[k++] = ' ';
		memcpy(words + k, ts.t[i], l);
		k += l;
	}
	words[k] = '\0';
	char doc[SEARCH_KEY_MAX + 1] = "";
	if (document)
		search_doc_key(document, strlen(document), doc);
	if ((r = db_prepare(db, replace ? sql_person_put : sql_person_add, &st, e)))
		goto done;
	db_bind_i64(st, 1, person_id);
	db_bind_text(st, 2, words);
	db_bind_text(st, 3, doc[0] ? doc : NULL);
	db_bind_i64(st, 4, TRANSLIT_VERSION);
	r = store_exec(st, e);
done:
	arena_free(&a);
	return r;
}

/* ---- the backfill ---- */

static const char sql_counts[] =
	"SELECT (SELECT COUNT(*) FROM persons), (SELECT COUNT(*) FROM search_persons), "
	"(SELECT COUNT(*) FROM search_persons WHERE version <> ?)";
static const char sql_stale[] =
	"SELECT p.id, p.last_name, p.first_name, p.middle_name, p.document FROM search_persons s "
	"JOIN persons p ON p.id = s.person_id WHERE s.version <> ? ORDER BY s.person_id LIMIT ?";
static const char sql_missing[] =
	"SELECT p.id, p.last_name, p.first_name, p.middle_name, p.document FROM persons p "
	"WHERE p.id > ? AND NOT EXISTS (SELECT 1 FROM search_persons s WHERE s.person_id = p.id) "
	"ORDER BY p.id LIMIT ?";
static const char sql_reindex_lock[] = "SELECT pg_advisory_xact_lock(7233004)";

struct pending {
	int64_t id;
	const char *last, *first, *middle, *document;
};

static enum res pending_read(struct db *db, const char *sql, int64_t arg, struct arena *a,
			     struct pending **items, size_t *n, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql, &st, e);
	size_t cap = 0;
	*items = NULL;
	*n = 0;
	if (r)
		return r;
	db_bind_i64(st, 1, arg);
	db_bind_i64(st, 2, REINDEX_BATCH);
	while (store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *n, sizeof **items)) {
			r = OOM(e);
			break;
		}
		struct pending *p = &(*items)[(*n)++];
		p->id = db_col_i64(st, 0);
		p->last = store_col_dup(st, 1, a);
		p->first = store_col_dup(st, 2, a);
		p->middle = db_col_null(st, 3) ? NULL : store_col_dup(st, 3, a);
		p->document = db_col_null(st, 4) ? NULL : store_col_dup(st, 4, a);
		if (!p->last || !p->first) {
			r = OOM(e);
			break;
		}
	}
	db_reset(st);
	return r;
}

/* One transaction: index up to REINDEX_BATCH persons. *after is the last id
 * of the persons without an entry seen so far; *done tells nothing is left. */
static enum res reindex_batch(struct db *db, int64_t *after, int64_t *indexed, bool *done,
			      struct err *e)
{
	struct arena a;
	arena_init(&a, 65536, 0);
	struct db_stmt *st;
	enum res r;
	*done = false;
	if ((r = db_begin(db, true, e)))
		goto out;
	if (db_kind(db) == DB_PG) {
		if ((r = db_prepare(db, sql_reindex_lock, &st, e)))
			goto out;
		while (store_step(st, &r, e) == DB_ROW)
			;
		db_reset(st);
		if (r)
			goto out;
	}
	if ((r = db_prepare(db, sql_counts, &st, e)))
		goto out;
	db_bind_i64(st, 1, TRANSLIT_VERSION);
	int64_t persons = 0, entries = 0, stale = 0;
	if (store_step(st, &r, e) == DB_ROW) {
		persons = db_col_i64(st, 0);
		entries = db_col_i64(st, 1);
		stale = db_col_i64(st, 2);
	}
	db_reset(st);
	if (r)
		goto out;
	struct pending *p;
	size_t n = 0;
	bool replace = stale > 0;
	if (stale > 0)
		r = pending_read(db, sql_stale, TRANSLIT_VERSION, &a, &p, &n, e);
	else if (persons != entries)
		r = pending_read(db, sql_missing, *after, &a, &p, &n, e);
	if (r)
		goto out;
	store_search_bulk_begin(db); /* ended below, before commit or rollback */
	for (size_t i = 0; i < n && !r; i++)
		r = store_search_person(db, p[i].id, p[i].last, p[i].first, p[i].middle,
					p[i].document, replace, e);
	store_search_bulk_end();
	if (r)
		goto out;
	if (!replace && n)
		*after = p[n - 1].id;
	*indexed += (int64_t)n;
	*done = n == 0;
	r = db_commit(db, e);
out:
	if (r)
		db_rollback(db);
	arena_free(&a);
	return r;
}

static const char sql_fts_optimize[] =
	"INSERT INTO search_terms_fts (search_terms_fts) VALUES ('optimize')";

enum res store_search_optimize(struct db *db, struct err *e)
{
	if (db_kind(db) != DB_SQLITE)
		return RES_OK; /* GIN keeps itself in shape (autovacuum) */
	struct db_stmt *st;
	enum res r = db_begin(db, true, e);
	if (!r && !(r = db_prepare(db, sql_fts_optimize, &st, e)) && !(r = store_exec(st, e)))
		r = db_commit(db, e);
	if (r)
		db_rollback(db);
	return r;
}

enum res store_search_reindex(struct db *db, int64_t *indexed, struct err *e)
{
	int64_t after = 0;
	bool done = false;
	enum res r = RES_OK;
	*indexed = 0;
	/* a backfill writes index pages all over: 64 MiB of page cache (the
	 * default is 2 MiB) keeps them from being spilled to the WAL and read
	 * back; callers use this connection for this alone (init, serve's check) */
	if (db_kind(db) == DB_SQLITE && (r = db_exec_script(db, "PRAGMA cache_size = -65536", e)))
		return r;
	while (!done && !r)
		r = reindex_batch(db, &after, indexed, &done, e);
	if (!r && *indexed)
		r = store_search_optimize(db, e);
	return r;
}

/* ---- looking up ---- */

static const char sql_by_policy[] =
	"SELECT person_id FROM policies WHERE lower(number) = ? ORDER BY person_id";
static const char sql_by_phone[] = "SELECT id FROM persons WHERE phone = ? ORDER BY id LIMIT ?";
static const char sql_by_document[] =
	"SELECT person_id FROM search_persons WHERE doc_key = ? ORDER BY person_id LIMIT ?";
static const char sql_by_birth_date[] =
	"SELECT id FROM persons WHERE birth_date = ? ORDER BY id LIMIT ?";
static const char sql_by_birth_date_words[] =
	"SELECT p.id, COALESCE(s.words, '') FROM persons p LEFT JOIN search_persons s ON "
	"s.person_id = p.id WHERE p.birth_date = ? ORDER BY p.id LIMIT ?";
static const char sql_term_exact[] = "SELECT id, term FROM search_terms WHERE term = ?";
/* similar words: any trigram of "^word$" in common, best bm25 first */
static const char sql_terms_fuzzy_sqlite[] =
	"SELECT t.id, t.term FROM (SELECT rowid AS id FROM search_terms_fts WHERE search_terms_fts "
	"MATCH ? ORDER BY rank LIMIT 200) f JOIN search_terms t ON t.id = f.id";
/* pg_trgm's default threshold 0.3 misses a swap of two letters in a short
 * word; C ranks what comes back (search_word_sim) anyway */
static const char sql_trgm_threshold_pg[] =
	"SELECT set_config('pg_trgm.similarity_threshold', '0.2', true)";
static const char sql_terms_fuzzy_pg[] =
	"SELECT id, term FROM search_terms WHERE term % ? AND position('+' in term) = 0 ORDER BY "
	"similarity(term, ?) DESC, id LIMIT 200";
/* words with two neighbouring letters swapped: a swap in a short word
 * leaves it no trigram in common with the right one ("wnag", "wang") */
static const char sql_terms_in_sqlite[] =
	"SELECT id, term FROM search_terms WHERE term IN (SELECT value FROM json_each(?))";
static const char sql_terms_in_pg[] =
	"SELECT id, term FROM search_terms WHERE term = ANY(CAST(? AS TEXT[]))";
static const char sql_postings[] =
	"SELECT person_id FROM search_postings WHERE term_id = ? ORDER BY person_id LIMIT ?";
static const char sql_max_person[] = "SELECT COALESCE(MAX(person_id), 0) FROM search_persons";
/* The end of the next stretch of a word's postings after an id (NULL when
 * fewer are left). */
static const char sql_postings_nth[] =
	"SELECT person_id FROM search_postings WHERE term_id = ? AND person_id > ? ORDER BY "
	"person_id LIMIT 1 OFFSET ?";
/* persons that have every one of 2, 3 or 4 words, within a stretch of ids:
 * walk the first word's postings (the rarest) and probe the others */
#define AND_WALK                                                                                  \
	"SELECT a.person_id FROM search_postings a WHERE a.term_id = ? AND a.person_id > ? AND "     \
	"a.person_id <= ? "
#define AND_PROBE(x)                                                                              \
	"AND EXISTS (SELECT 1 FROM search_postings " x " WHERE " x ".term_id = ? AND " x            \
	".person_id = a.person_id) "
static const char sql_and2[] = AND_WALK AND_PROBE("b") "ORDER BY a.person_id LIMIT ?";
static const char sql_and3[] =
	AND_WALK AND_PROBE("b") AND_PROBE("c") "ORDER BY a.person_id LIMIT ?";
static const char sql_and4[] =
	AND_WALK AND_PROBE("b") AND_PROBE("c") AND_PROBE("d") "ORDER BY a.person_id LIMIT ?";

/* The hits found so far. */
struct hits {
	struct arena *a;
	struct search_hit *items;
	size_t n, cap;
};

static enum res hit_add(struct hits *h, int64_t id, enum search_match m, int score,
			struct err *e)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->items[i].person_id == id) {
			if (h->items[i].match == m && h->items[i].score < score)
				h->items[i].score = score;
			return RES_OK;
		}
	if (!store_grow(h->a, &h->items, &h->cap, h->n, sizeof *h->items))
		return OOM(e);
	h->items[h->n++] = (struct search_hit){.person_id = id, .match = m, .score = score};
	return RES_OK;
}

/* Run st (bound but for its last parameters) and add each first-column id. */
static enum res ids_add(struct db_stmt *st, struct hits *h, enum search_match m, int score,
			struct err *e)
{
	enum res r = RES_OK;
	while (!r && store_step(st, &r, e) == DB_ROW)
		r = hit_add(h, db_col_i64(st, 0), m, score, e);
	db_reset(st);
	return r;
}

/* Policy number, phone and document: exact, through their indexes. */
static enum res exact_hits(struct db *db, const struct search_parsed *q, int64_t limit,
			   struct hits *h, struct err *e)
{
	struct db_stmt *st;
	enum res r;
	for (size_t i = 0; i < q->npolicies; i++) {
		if ((r = db_prepare(db, sql_by_policy, &st, e)))
			return r;
		db_bind_text(st, 1, q->policies[i]);
		if ((r = ids_add(st, h, SEARCH_POLICY_NUMBER, 0, e)))
			return r;
	}
	if (q->phone[0]) {
		if ((r = db_prepare(db, sql_by_phone, &st, e)))
			return r;
		db_bind_text(st, 1, q->phone);
		db_bind_i64(st, 2, limit);
		if ((r = ids_add(st, h, SEARCH_PHONE, 0, e)))
			return r;
	}
	const char *docs[2] = {q->doc_whole, q->doc_ident};
	for (int i = 0; i < 2; i++) {
		if (!docs[i][0])
			continue;
		if ((r = db_prepare(db, sql_by_document, &st, e)))
			return r;
		db_bind_text(st, 1, docs[i]);
		db_bind_i64(st, 2, limit);
		if ((r = ids_add(st, h, SEARCH_DOCUMENT, 0, e)))
			return r;
	}
	return RES_OK;
}

/* One name word of the query and the index words it may be. */
struct qword {
	const char *latin;
	const char *orig;  /* a Han ideograph; NULL for other words */
	int64_t latin_id;  /* the index word equal to latin, 0 when none */
	struct search_cand cands[SEARCH_CANDS_MAX];
	size_t ncands;
};

/* How well query word w matches index word term (thousandths): an
 * ideograph itself counts full, its pinyin nine tenths, so that "张伟" puts
 * 张伟 before 章玮. */
static int qword_sim(const struct qword *w, const char *term)
{
	if (w->orig && strcmp(w->orig, term) == 0)
		return 1000;
	if (!is_ascii(term))
		return 0;
	int s = search_word_sim(w->latin, term);
	if (s < SEARCH_SIM_MIN)
		return 0;
	return w->orig ? s * 9 / 10 : s;
}

static void cand_offer(struct qword *w, int64_t id, int sim)
{
	if (sim <= 0)
		return;
	for (size_t i = 0; i < w->ncands; i++)
		if (w->cands[i].term_id == id)
			return;
	/* keep the best SEARCH_CANDS_MAX, by similarity (then the older word) */
	size_t pos = w->ncands;
	while (pos > 0 && (w->cands[pos - 1].sim < sim ||
			   (w->cands[pos - 1].sim == sim && w->cands[pos - 1].term_id > id)))
		pos--;
	if (pos >= SEARCH_CANDS_MAX)
		return;
	size_t n = w->ncands < SEARCH_CANDS_MAX ? w->ncands + 1 : SEARCH_CANDS_MAX;
	memmove(&w->cands[pos + 1], &w->cands[pos], (n - 1 - pos) * sizeof w->cands[0]);
	w->cands[pos] = (struct search_cand){.term_id = id, .sim = sim};
	w->ncands = n;
}

/* The index words equal to a query word: the ideograph, and the Latin form. */
static enum res qword_exact(struct db *db, struct qword *w, struct err *e)
{
	const char *forms[2] = {w->orig, w->latin};
	enum res r = RES_OK;
	for (int i = 0; i < 2 && !r; i++) {
		struct db_stmt *st;
		if (!forms[i])
			continue;
		if ((r = db_prepare(db, sql_term_exact, &st, e)))
			return r;
		db_bind_text(st, 1, forms[i]);
		if (store_step(st, &r, e) == DB_ROW) {
			cand_offer(w, db_col_i64(st, 0), qword_sim(w, forms[i]));
			if (i == 1)
				w->latin_id = db_col_i64(st, 0);
		}
		db_reset(st);
	}
	return r;
}

/* Latin index words like a query word, through the trigram index; C ranks
 * them (search_word_sim), keeping the best SEARCH_CANDS_MAX. */
static enum res qword_fuzzy(struct db *db, struct qword *w, struct err *e)
{
	struct db_stmt *st;
	enum res r;
	if (db_kind(db) == DB_PG) {
		if ((r = db_prepare(db, sql_terms_fuzzy_pg, &st, e)))
			return r;
		db_bind_text(st, 1, w->latin);
		db_bind_text(st, 2, w->latin);
	} else {
		/* "^iv" OR "iva" OR ... : every trigram of ^word$ */
		char padded[TRANSLIT_WORD_MAX + 3], match[(TRANSLIT_WORD_MAX + 1) * 10];
		size_t pn = (size_t)snprintf(padded, sizeof padded, "^%s$", w->latin), k = 0;
		for (size_t i = 0; i + 3 <= pn; i++)
			k += (size_t)snprintf(match + k, sizeof match - k, "%s\"%.3s\"", i ? " OR " : "",
					      padded + i);
		if ((r = db_prepare(db, sql_terms_fuzzy_sqlite, &st, e)))
			return r;
		db_bind_text(st, 1, match);
	}
	while (store_step(st, &r, e) == DB_ROW)
		cand_offer(w, db_col_i64(st, 0), qword_sim(w, db_col_text(st, 1, NULL)));
	db_reset(st);
	size_t n = strlen(w->latin);
	if (r || n < 2 || n > SWAP_WORD_MAX)
		return r;
	/* ["wnag","nwag",...] (SQLite) or {wnag,nwag,...} (PostgreSQL): the words
	 * are [a-z0-9], nothing to escape */
	bool pg = db_kind(db) == DB_PG;
	char list[SWAP_WORD_MAX * (SWAP_WORD_MAX + 3) + 3];
	size_t k = 0, count = 0;
	list[k++] = pg ? '{' : '[';
	for (size_t i = 0; i + 1 < n; i++) {
		if (w->latin[i] == w->latin[i + 1])
			continue;
		if (count++)
			list[k++] = ',';
		if (!pg)
			list[k++] = '"';
		memcpy(list + k, w->latin, n);
		list[k + i] = w->latin[i + 1];
		list[k + i + 1] = w->latin[i];
		k += n;
		if (!pg)
			list[k++] = '"';
	}
	list[k++] = pg ? '}' : ']';
	list[k] = '\0';
	if (!count)
		return RES_OK;
	if ((r = db_prepare(db, pg ? sql_terms_in_pg : sql_terms_in_sqlite, &st, e)))
		return r;
	db_bind_text(st, 1, list);
	while (store_step(st, &r, e) == DB_ROW)
		cand_offer(w, db_col_i64(st, 0), qword_sim(w, db_col_text(st, 1, NULL)));
	db_reset(st);
	return r;
}

/* The first postings of an index word, and from them a guess at how many it
 * has in all (its density over the persons' ids). */
struct page {
	int64_t term_id;
	int64_t *ids;
	size_t n;
	double estimate;
};

/* The state of one name search across its passes. */
struct names {
	struct db *db;
	struct qword *w;
	size_t nw;
	int64_t limit;
	struct arena *a;
	struct hits *h;
	size_t first; /* the name hits start at h->items[first] */
	/* every candidate of every word, and every pair of words */
	struct page pages[SEARCH_WORDS_MAX * SEARCH_CANDS_MAX + SEARCH_WORDS_MAX * SEARCH_WORDS_MAX];
	size_t npages;
	int64_t max_id;
	struct search_combo *combos;
	int64_t done[COMBOS_RUN_MAX][SEARCH_WORDS_MAX]; /* combos looked up, term ids sorted */
	size_t ndone;
	int64_t pair[SEARCH_WORDS_MAX][SEARCH_WORDS_MAX]; /* "w_i+w_j" as typed, 0 = none */
	int queries;   /* lookups of two or more words */
	double walked; /* estimated postings they walked in this pass */
	double budget; /* how many they may walk in this pass */
};

static enum res page_get(struct names *s, int64_t term_id, struct page **out, struct err *e)
{
	for (size_t i = 0; i < s->npages; i++)
		if (s->pages[i].term_id == term_id) {
			*out = &s->pages[i];
			return RES_OK;
		}
	if (s->npages >= sizeof s->pages / sizeof s->pages[0])
		return err_set(e, RES_INTERNAL, NULL, NULL, "too many search words");
	struct page *p = &s->pages[s->npages++];
	memset(p, 0, sizeof *p);
	p->term_id = term_id;
	/* at least PAGE_MIN, for a steadier guess */
	size_t want = (size_t)s->limit > PAGE_MIN ? (size_t)s->limit : PAGE_MIN;
	if (!(p->ids = arena_alloc(s->a, want * sizeof *p->ids)))
		return OOM(e);
	struct db_stmt *st;
	enum res r = db_prepare(s->db, sql_postings, &st, e);
	if (r)
		return r;
	db_bind_i64(st, 1, term_id);
	db_bind_i64(st, 2, (int64_t)want);
	while (store_step(st, &r, e) == DB_ROW && p->n < want)
		p->ids[p->n++] = db_col_i64(st, 0);
	db_reset(st);
	if (p->n < want || p->ids[p->n - 1] <= 0)
		p->estimate = (double)p->n;
	else
		p->estimate = (double)want * (double)s->max_id / (double)p->ids[p->n - 1];
	if (p->n > (size_t)s->limit)
		p->n = (size_t)s->limit; /* the hits a combo of this word alone gives */
	*out = p;
	return r;
}

static int hit_cmp(const void *pa, const void *pb)
{
	const struct search_hit *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return a->person_id < b->person_id ? -1 : a->person_id > b->person_id;
}

static size_t names_found(const struct names *s)
{
	return s->h->n - s->first;
}

/* The total of the limit-th name hit (they are sorted), or -1 when fewer. */
static int names_kth(const struct names *s)
{
	if (names_found(s) < (size_t)s->limit)
		return -1;
	return s->h->items[s->first + (size_t)s->limit - 1].score;
}

/* Mark a combo's words as looked up; false when they already were. */
static bool combo_first_time(struct names *s, const struct page *const pg[], size_t np)
{
	int64_t ids[SEARCH_WORDS_MAX] = {0};
	for (size_t i = 0; i < np; i++)
		ids[i] = pg[i]->term_id;
	for (size_t i = 1; i < np; i++)
		for (size_t j = i; j > 0 && ids[j] < ids[j - 1]; j--) {
			int64_t t = ids[j];
			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	for (size_t i = 0; i < s->ndone; i++)
		if (memcmp(s->done[i], ids, sizeof ids) == 0)
			return false;
	if (s->ndone < COMBOS_RUN_MAX)
		memcpy(s->done[s->ndone++], ids, sizeof ids);
	return true;
}

/* The persons (the first `limit` by id) that have all of a combo's words:
 * walk the rarest word's postings WALK_STRETCH at a time, probing the
 * others, until `limit` are found, the postings end, or the pass's budget
 * is spent (then the combo gives what it found so far). */
static enum res combo_walk(struct names *s, struct page *const pg[], size_t np, int score,
			   struct err *e)
{
	const char *sql = np == 2 ? sql_and2 : np == 3 ? sql_and3 : sql_and4;
	int64_t lo = 0, found = 0;
	enum res r = RES_OK;
	for (;;) {
		struct db_stmt *st;
		int64_t hi = INT64_MAX;
		if ((r = db_prepare(s->db, sql_postings_nth, &st, e)))
			return r;
		db_bind_i64(st, 1, pg[0]->term_id);
		db_bind_i64(st, 2, lo);
		db_bind_i64(st, 3, WALK_STRETCH - 1);
		if (store_step(st, &r, e) == DB_ROW)
			hi = db_col_i64(st, 0);
		db_reset(st);
		if (r || (r = db_prepare(s->db, sql, &st, e)))
			return r;
		db_bind_i64(st, 1, pg[0]->term_id);
		db_bind_i64(st, 2, lo);
		db_bind_i64(st, 3, hi);
		for (size_t i = 1; i < np; i++)
			db_bind_i64(st, (int)i + 3, pg[i]->term_id);
		db_bind_i64(st, (int)np + 3, s->limit - found);
		while (!r && store_step(st, &r, e) == DB_ROW) {
			found++;
			r = hit_add(s->h, db_col_i64(st, 0), SEARCH_NAME, score, e);
		}
		db_reset(st);
		s->walked += WALK_STRETCH;
		if (r || found >= s->limit || hi == INT64_MAX || s->walked >= s->budget)
			return r;
		lo = hi;
	}
}

/* Look up the persons that have every word of pg[0..np) (all different) and
 * add them as name hits with score: one word's page, or a walk. */
static enum res terms_run(struct names *s, struct page *pg[], size_t np, int score,
			  struct err *e)
{
	enum res r = RES_OK;
	if (!combo_first_time(s, (const struct page *const *)pg, np))
		return RES_OK;
	/* the rarest word drives the walk */
	for (size_t i = 1; i < np; i++)
		for (size_t j = i; j > 0 && pg[j]->estimate < pg[j - 1]->estimate; j--) {
			struct page *t = pg[j];
			pg[j] = pg[j - 1];
			pg[j - 1] = t;
		}
	if (np == 1) {
		for (size_t i = 0; i < pg[0]->n && !r; i++)
			r = hit_add(s->h, pg[0]->ids[i], SEARCH_NAME, score, e);
	} else if (pg[0]->n > 0 && s->queries < COMBO_QUERIES_MAX && s->walked < s->budget) {
		s->queries++;
		r = combo_walk(s, pg, np, score, e);
	}
	if (names_found(s) > 1)
		qsort(s->h->items + s->first, names_found(s), sizeof *s->h->items, hit_cmp);
	return r;
}

/* A pair of last and first name that two query words i and j are, with
 * the other words as typed: ranks one above the same words anywhere. */
struct pair_job {
	int score;
	uint8_t i, j;
};

/* The pair jobs of the query (words as typed), best first. */
static size_t pair_jobs(const struct names *s, struct pair_job *out)
{
	size_t n = 0;
	int base = 0;
	for (size_t k = 0; k < s->nw; k++) {
		if (!s->w[k].latin_id)
			return 0;
		base += qword_sim(&s->w[k], s->w[k].latin);
	}
	for (size_t i = 0; i < s->nw; i++)
		for (size_t j = 0; j < s->nw; j++)
			if (s->pair[i][j])
				out[n++] = (struct pair_job){.score = base + 1, .i = (uint8_t)i,
							     .j = (uint8_t)j};
	return n;
}

static enum res pair_run(struct names *s, const struct pair_job *pj, struct err *e)
{
	struct page *pg[SEARCH_WORDS_MAX];
	size_t np = 0;
	enum res r = page_get(s, s->pair[pj->i][pj->j], &pg[np++], e);
	for (size_t k = 0; k < s->nw && !r; k++)
		if (k != pj->i && k != pj->j)
			r = page_get(s, s->w[k].latin_id, &pg[np++], e);
	return r ? r : terms_run(s, pg, np, pj->score, e);
}

/* One pass over the combos of the words' present candidates, best first:
 * each gives the first `limit` persons (by id) that have all its words,
 * until no later combo can beat the limit-th hit. Lookups of two or more
 * words are bounded: COMBO_QUERIES_MAX in all, budget postings walked. In
 * the first pass, pairs of last and first name go first (pair_jobs). */
static enum res names_pass(struct names *s, bool partial, bool pairs, double budget,
			   struct err *e)
{
	s->walked = 0;
	s->budget = budget;
	const struct search_cand *cands[SEARCH_WORDS_MAX];
	size_t ncands[SEARCH_WORDS_MAX];
	for (size_t i = 0; i < s->nw; i++) {
		cands[i] = s->w[i].cands;
		ncands[i] = s->w[i].ncands;
	}
	size_t ncombos = search_combos(cands, ncands, s->nw, partial, s->combos);
	struct pair_job pjobs[SEARCH_WORDS_MAX * SEARCH_WORDS_MAX];
	size_t npairs = pairs ? pair_jobs(s, pjobs) : 0, p = 0;
	enum res r = RES_OK;
	for (size_t c = 0; (c < ncombos || p < npairs) && !r && s->ndone < COMBOS_RUN_MAX;) {
		if (p < npairs && (c >= ncombos || pjobs[p].score >= s->combos[c].score)) {
			if (names_kth(s) > pjobs[p].score)
				break;
			r = pair_run(s, &pjobs[p++], e);
			continue;
		}
		const struct search_combo *cb = &s->combos[c++];
		if (names_kth(s) > cb->score)
			break;
		if (partial && cb->nterms == s->nw)
			continue; /* the earlier passes had these */
		struct page *pg[SEARCH_WORDS_MAX];
		size_t np = 0;
		for (size_t k = 0; k < s->nw; k++)
			if (cb->pick[k] != SEARCH_NONE &&
			    (r = page_get(s, s->w[k].cands[cb->pick[k]].term_id, &pg[np++], e)))
				return r;
		/* three words or more, two of them a person's last and first name
		 * as typed: the pair's postings stand for those two (a full name
		 * is found without walking all the Petrovas) */
		for (size_t i = 0; np >= 3 && i < s->nw; i++)
			for (size_t j = 0; j < s->nw; j++) {
				if (!s->pair[i][j] || cb->pick[i] == SEARCH_NONE || cb->pick[j] == SEARCH_NONE ||
				    s->w[i].cands[cb->pick[i]].term_id != s->w[i].latin_id ||
				    s->w[j].cands[cb->pick[j]].term_id != s->w[j].latin_id)
					continue;
				struct page *pair;
				if ((r = page_get(s, s->pair[i][j], &pair, e)))
					return r;
				size_t k = 0;
				for (size_t x = 0; x < np; x++)
					if (pg[x]->term_id != s->w[i].latin_id &&
					    pg[x]->term_id != s->w[j].latin_id)
						pg[k++] = pg[x];
				pg[k++] = pair;
				np = k;
				i = s->nw; /* done */
				break;
			}
		r = terms_run(s, pg, np, cb->score, e);
	}
	return r;
}

/* Names alone, in up to three passes (docs/internals/search.md):
 * 1. every word as typed (its ideograph or Latin form), a person's last and
 *    first name first; enough when it fills the limit with the best score,
 *    or finds anyone for several words;
 * 2. every word, as typed or like it (typos), through the trigram index;
 * 3. only when nobody has every word: persons with some of them. */
static enum res name_hits(struct db *db, struct qword *w, size_t nw, int64_t limit,
			  struct arena *a, struct hits *h, struct err *e)
{
	struct names *s = arena_zalloc(a, sizeof *s);
	if (!s || !(s->combos = arena_alloc(a, SEARCH_COMBOS_MAX * sizeof *s->combos)))
		return OOM(e);
	s->db = db;
	s->w = w;
	s->nw = nw;
	s->limit = limit;
	s->a = a;
	s->h = h;
	s->first = h->n;
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_max_person, &st, e);
	if (r)
		return r;
	if (store_step(st, &r, e) == DB_ROW)
		s->max_id = db_col_i64(st, 0);
	db_reset(st);
	int best = 0;
	for (size_t i = 0; i < nw && !r; i++) {
		w[i].ncands = 0;
		r = qword_exact(db, &w[i], e);
		best += w[i].ncands ? w[i].cands[0].sim : 0;
	}
	for (size_t i = 0; i < nw && nw >= 2 && !r; i++)
		for (size_t j = 0; j < nw && !r; j++) {
			if (i == j || !w[i].latin_id || !w[j].latin_id)
				continue;
			char pair[2 * TRANSLIT_WORD_MAX + 2];
			snprintf(pair, sizeof pair, "%s+%s", w[i].latin, w[j].latin);
			if ((r = db_prepare(db, sql_term_exact, &st, e)))
				return r;
			db_bind_text(st, 1, pair);
			if (store_step(st, &r, e) == DB_ROW)
				s->pair[i][j] = db_col_i64(st, 0);
			db_reset(st);
		}
	if (!r)
		r = names_pass(s, false, true, WALK_EXACT, e);
	/* done when the words as typed fill the limit with the best score, or
	 * when several words as typed found someone (typos are for when they
	 * find nobody; a single word is filled up with words like it) */
	if (r || names_kth(s) >= best || (nw > 1 && names_found(s) > 0))
		return r;
	if (db_kind(db) == DB_PG && !(r = db_prepare(db, sql_trgm_threshold_pg, &st, e))) {
		while (store_step(st, &r, e) == DB_ROW)
			;
		db_reset(st);
	}
	for (size_t i = 0; i < nw && !r; i++)
		r = qword_fuzzy(db, &w[i], e);
	if (!r)
		r = names_pass(s, false, false, WALK_FUZZY, e);
	if (!r && names_found(s) == 0 && nw > 1)
		r = names_pass(s, true, false, WALK_FUZZY, e);
	return r;
}

/* A birth date, perhaps with names: the persons born that day, ranked by
 * how well their words match the names (each query word scores its best
 * word of the person; at least one must match). */
static enum res date_hits(struct db *db, const char *date, struct qword *w, size_t nw,
			  int64_t limit, struct hits *h, struct err *e)
{
	struct db_stmt *st;
	enum res r;
	if (nw == 0) {
		if ((r = db_prepare(db, sql_by_birth_date, &st, e)))
			return r;
		db_bind_text(st, 1, date);
		db_bind_i64(st, 2, limit);
		return ids_add(st, h, SEARCH_BIRTH_DATE, 0, e);
	}
	if ((r = db_prepare(db, sql_by_birth_date_words, &st, e)))
		return r;
	db_bind_text(st, 1, date);
	db_bind_i64(st, 2, DATE_ROWS);
	size_t first = h->n;
	while (!r && store_step(st, &r, e) == DB_ROW) {
		const char *words = db_col_text(st, 1, NULL);
		int total = 0;
		for (size_t k = 0; k < nw; k++) {
			int best = 0;
			for (const char *p = words; *p;) {
				const char *end = strchr(p, ' ');
				size_t n = end ? (size_t)(end - p) : strlen(p);
				char term[TRANSLIT_WORD_MAX + 1];
				if (n <= TRANSLIT_WORD_MAX && !memchr(p, '+', n)) {
					memcpy(term, p, n);
					term[n] = '\0';
					int sim = qword_sim(&w[k], term);
					if (sim > best)
						best = sim;
				}
				p += n + (end != NULL);
			}
			total += best;
		}
		if (total > 0)
			r = hit_add(h, db_col_i64(st, 0), SEARCH_NAME, total, e);
	}
	db_reset(st);
	if (!r && h->n - first > 1)
		qsort(h->items + first, h->n - first, sizeof *h->items, hit_cmp);
	return r;
}

enum res store_search(struct db *db, const struct search_parsed *q, const struct tl_word *words,
		      size_t nwords, int64_t limit, struct arena *a, struct search_hit **out,
		      size_t *n, struct err *e)
{
	struct hits h = {.a = a};
	enum res r;
	*out = NULL;
	*n = 0;
	if ((r = exact_hits(db, q, limit, &h, e)))
		return r;
	/* exact hits first: policy number, phone, document; then by id */
	for (size_t i = 1; i < h.n; i++)
		for (size_t j = i; j > 0 && (h.items[j].match < h.items[j - 1].match ||
					     (h.items[j].match == h.items[j - 1].match &&
					      h.items[j].person_id < h.items[j - 1].person_id));
		     j--) {
			struct search_hit t = h.items[j];
			h.items[j] = h.items[j - 1];
			h.items[j - 1] = t;
		}
	struct qword w[SEARCH_WORDS_MAX];
	size_t nw = 0;
	for (size_t i = 0; i < nwords && nw < SEARCH_WORDS_MAX; i++) {
		memset(&w[nw], 0, sizeof w[nw]);
		w[nw].latin = words[i].latin;
		w[nw].orig = words[i].han ? words[i].orig : NULL;
		nw++;
	}
	size_t first = h.n;
	if (q->birth_date[0])
		r = date_hits(db, q->birth_date, w, nw, limit, &h, e);
	else if (nw)
		r = name_hits(db, w, nw, limit, a, &h, e);
	if (r)
		return r;
	/* name scores are totals over the words (thousandths): show them as
	 * percent of a full match; exact matches are 100 */
	for (size_t i = 0; i < h.n; i++)
		h.items[i].score = i < first || h.items[i].match == SEARCH_BIRTH_DATE
					   ? 100
					   : (h.items[i].score + (int)nw * 5) / ((int)nw * 10);
	*out = h.items;
	*n = h.n < (size_t)limit ? h.n : (size_t)limit;
	return RES_OK;
}

/* ---- what the hits show ---- */

static const char sql_persons_sqlite[] =
	"SELECT " STORE_PERSON_COLS " FROM persons WHERE id IN (SELECT value FROM json_each(?))";
static const char sql_persons_pg[] =
	"SELECT " STORE_PERSON_COLS " FROM persons WHERE id = ANY(CAST(? AS BIGINT[]))";
#define HIT_POLICY_COLS                                                                           \
	"p.person_id, p.number, p.status, p.start_date, p.end_date, g.code FROM policies p JOIN "   \
	"programs g ON g.id = p.program_id WHERE p.person_id "
static const char sql_policies_sqlite[] =
	"SELECT " HIT_POLICY_COLS "IN (SELECT value FROM json_each(?)) ORDER BY p.person_id, "
	"p.start_date DESC, p.id DESC";
static const char sql_policies_pg[] =
	"SELECT " HIT_POLICY_COLS "= ANY(CAST(? AS BIGINT[])) ORDER BY p.person_id, p.start_date "
	"DESC, p.id DESC";

/* ids as a JSON array "[1,2]" (SQLite's json_each) or "{1,2}" (a PostgreSQL array) */
static char *id_list(struct db *db, const int64_t *ids, size_t n, struct arena *a)
{
	char *s = arena_alloc(a, n * 21 + 3);
	if (!s)
		return NULL;
	bool pg = db_kind(db) == DB_PG;
	size_t k = 0;
	s[k++] = pg ? '{' : '[';
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(s + k, 22, "%s%lld", i ? "," : "", (long long)ids[i]);
	s[k++] = pg ? '}' : ']';
	s[k] = '\0';
	return s;
}

enum res store_persons_get_many(struct db *db, const int64_t *ids, size_t n, struct arena *a,
				struct person *out, struct err *e)
{
	char *list = id_list(db, ids, n, a);
	if (!list)
		return OOM(e);
	for (size_t i = 0; i < n; i++)
		out[i].id = 0;
	struct db_stmt *st;
	enum res r = db_prepare(db, db_kind(db) == DB_PG ? sql_persons_pg : sql_persons_sqlite,
				&st, e);
	if (r)
		return r;
	db_bind_text(st, 1, list);
	while (!r && store_step(st, &r, e) == DB_ROW) {
		struct person p;
		if ((r = store_person_read(st, a, &p, e)))
			break;
		for (size_t i = 0; i < n; i++)
			if (ids[i] == p.id)
				out[i] = p;
	}
	db_reset(st);
	for (size_t i = 0; i < n && !r; i++)
		if (out[i].id == 0)
			r = err_set(e, RES_INTERNAL, NULL, NULL, "a person found is gone");
	return r;
}

enum res store_hit_policies(struct db *db, const int64_t *ids, size_t n, struct arena *a,
			    struct hit_policy **items, size_t *nitems, struct err *e)
{
	char *list = id_list(db, ids, n, a);
	size_t cap = 0;
	*items = NULL;
	*nitems = 0;
	if (!list)
		return OOM(e);
	struct db_stmt *st;
	enum res r = db_prepare(db, db_kind(db) == DB_PG ? sql_policies_pg : sql_policies_sqlite,
				&st, e);
	if (r)
		return r;
	db_bind_text(st, 1, list);
	while (!r && store_step(st, &r, e) == DB_ROW) {
		if (!store_grow(a, items, &cap, *nitems, sizeof **items)) {
			r = OOM(e);
			break;
		}
		struct hit_policy *p = &(*items)[(*nitems)++];
		p->person_id = db_col_i64(st, 0);
		p->number = store_col_dup(st, 1, a);
		p->status = store_col_dup(st, 2, a);
		p->start_date = store_col_dup(st, 3, a);
		p->end_date = store_col_dup(st, 4, a);
		p->program = store_col_dup(st, 5, a);
		if (!p->number || !p->status || !p->start_date || !p->end_date || !p->program)
			r = OOM(e);
	}
	db_reset(st);
	return r;
}
