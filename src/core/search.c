#include "core/search.h"

#include <stdlib.h>
#include <string.h>

#include "core/date.h"

/* ---- taking a query apart ---- */

/* Bytes of white space at q[i] (ASCII, U+00A0, U+3000), or 0. */
static size_t space_at(const char *q, size_t i, size_t n)
{
	unsigned char c = (unsigned char)q[i];
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
		return 1;
	if (c == 0xc2 && i + 1 < n && (unsigned char)q[i + 1] == 0xa0)
		return 2;
	if (c == 0xe3 && i + 2 < n && (unsigned char)q[i + 1] == 0x80 &&
	    (unsigned char)q[i + 2] == 0x80)
		return 3;
	return 0;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

static int num(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* "YYYY-MM-DD", or "DD.MM.YYYY" (day and month may have one digit). */
static bool parse_date(const char *t, size_t n, char out[11])
{
	cdate d;
	if (n == 10 && t[4] == '-' && date_parse(t, n, &d)) {
		date_format(d, out);
		return true;
	}
	const char *p1 = memchr(t, '.', n);
	const char *p2 = p1 ? memchr(p1 + 1, '.', n - (size_t)(p1 + 1 - t)) : NULL;
	if (!p2)
		return false;
	size_t nd = (size_t)(p1 - t), nm = (size_t)(p2 - p1 - 1), ny = n - (size_t)(p2 + 1 - t);
	if (nd < 1 || nd > 2 || nm < 1 || nm > 2 || ny != 4 || !all_digits(t, nd) ||
	    !all_digits(p1 + 1, nm) || !all_digits(p2 + 1, ny))
		return false;
	int day = num(t, nd), month = num(p1 + 1, nm), year = num(p2 + 1, ny);
	if (!date_valid_ymd(year, month, day))
		return false;
	date_format(date_from_ymd(year, month, day), out);
	return true;
}

static bool policy_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return n > 0;
}

static void append(char *dst, size_t *len, const char *s, size_t n)
{
	if (*len)
		dst[(*len)++] = ' ';
	memcpy(dst + *len, s, n);
	*len += n;
	dst[*len] = '\0';
}

bool search_parse(const char *q, size_t n, struct search_parsed *o)
{
	memset(o, 0, sizeof *o);
	if (n > SEARCH_Q_MAX)
		n = SEARCH_Q_MAX;
	char ident[SEARCH_Q_MAX + 1] = "";
	size_t nident = 0, nnames = 0, ntokens = 0, sp;
	bool digit = false;
	for (size_t i = 0; i < n && ntokens < SEARCH_TOKENS_MAX;) {
		if ((sp = space_at(q, i, n))) {
			i += sp;
			continue;
		}
		size_t s = i;
		while (i < n && !space_at(q, i, n))
			i++;
		const char *t = q + s;
		size_t tn = i - s;
		ntokens++;
		char date[11];
		if (parse_date(t, tn, date)) {
			if (!o->birth_date[0])
				memcpy(o->birth_date, date, sizeof date);
			continue;
		}
		bool has_digit = false;
		for (size_t k = 0; k < tn && !has_digit; k++)
			has_digit = t[k] >= '0' && t[k] <= '9';
		if (!has_digit) {
			append(o->names, &nnames, t, tn);
			continue;
		}
		digit = true;
		append(ident, &nident, t, tn);
		if (tn <= SEARCH_KEY_MAX && policy_chars(t, tn)) {
			char *p = o->policies[o->npolicies++];
			for (size_t k = 0; k < tn; k++)
				p[k] = (char)(t[k] >= 'A' && t[k] <= 'Z' ? t[k] - 'A' + 'a' : t[k]);
			p[tn] = '\0';
		}
	}
	if (!ntokens)
		return false;
	if (nident)
		phone_normalize(ident, nident, o->phone);
	if (digit) {
		search_doc_key(q, n, o->doc_whole);
		search_doc_key(ident, nident, o->doc_ident);
		if (strcmp(o->doc_ident, o->doc_whole) == 0)
			o->doc_ident[0] = '\0';
	}
	return true;
}

bool search_doc_key(const char *s, size_t n, char out[SEARCH_KEY_MAX + 1])
{
	size_t k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80))
			continue;
		if (k >= SEARCH_KEY_MAX) {
			out[0] = '\0';
			return false;
		}
		out[k++] = (char)c;
	}
	out[k] = '\0';
	return k > 0;
}

/* ---- similarity of words ---- */

#define WORD_MAX 63

/* The distinct padded trigrams of w ("  w "), as pg_trgm makes them. */
static size_t trigrams(const char *w, size_t n, char t[][3])
{
	char p[WORD_MAX + 4];
	p[0] = p[1] = ' ';
	memcpy(p + 2, w, n);
	p[n + 2] = ' ';
	size_t k = 0;
	for (size_t i = 0; i + 3 <= n + 3; i++) {
		bool seen = false;
		for (size_t j = 0; j < k && !seen; j++)
			seen = memcmp(t[j], p + i, 3) == 0;
		if (!seen)
			memcpy(t[k++], p + i, 3);
	}
	return k;
}

/* Optimal string alignment distance: changes, insertions, deletions and
 * swaps of two neighbours each cost one. */
static int osa_distance(const char *a, size_t n, const char *b, size_t m)
{
	int rows[3][WORD_MAX + 1];
	int *pp = rows[0], *prev = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= m; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= n; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= m; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + cost < v)
				v = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			cur[j] = v;
		}
		int *t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[m];
}

int search_word_sim(const char *a, const char *b)
{
	size_t n = strnlen(a, WORD_MAX), m = strnlen(b, WORD_MAX);
	if (n == 0 || m == 0)
		return 0;
	if (n == m && memcmp(a, b, n) == 0)
		return 1000;
	char ta[WORD_MAX + 2][3], tb[WORD_MAX + 2][3];
	size_t na = trigrams(a, n, ta), nb = trigrams(b, m, tb), common = 0;
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			if (memcmp(ta[i], tb[j], 3) == 0) {
				common++;
				break;
			}
	int trgm = (int)(common * 1000 / (na + nb - common));
	size_t longer = n > m ? n : m;
	int d = osa_distance(a, n, b, m);
	int edit = d >= (int)longer ? 0 : (int)(1000 - (size_t)d * 1000 / longer);
	int sim = trgm > edit ? trgm : edit;
	return sim > 999 ? 999 : sim; /* "aaa" and "aaaa" have the same trigrams */
}

/* ---- combos ---- */

struct combo_walk {
	const struct search_cand *const *cands;
	const size_t *ncands;
	size_t nwords;
	struct search_combo *out;
	size_t n;
	bool partial;
	struct search_combo cur;
};

static void combo_walk(struct combo_walk *w, size_t word, int score)
{
	if (word == w->nwords) {
		if (w->cur.nterms && w->n < SEARCH_COMBOS_MAX) {
			w->out[w->n] = w->cur;
			w->out[w->n++].score = score;
		}
		return;
	}
	for (size_t c = 0; c < w->ncands[word] && c < SEARCH_CANDS_MAX; c++) {
		int64_t id = w->cands[word][c].term_id;
		bool taken = false;
		for (size_t k = 0; k < word && !taken; k++)
			taken = w->cur.pick[k] != SEARCH_NONE && w->cands[k][w->cur.pick[k]].term_id == id;
		if (taken)
			continue;
		w->cur.pick[word] = (uint8_t)c;
		w->cur.nterms++;
		combo_walk(w, word + 1, score + w->cands[word][c].sim);
		w->cur.nterms--;
	}
	if (w->partial && w->nwords > 1) {
		w->cur.pick[word] = SEARCH_NONE;
		combo_walk(w, word + 1, score);
	}
}

static int combo_cmp(const void *pa, const void *pb)
{
	const struct search_combo *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->nterms != b->nterms)
		return a->nterms > b->nterms ? -1 : 1;
	return memcmp(a->pick, b->pick, sizeof a->pick);
}

size_t search_combos(const struct search_cand *const cands[], const size_t ncands[],
		     size_t nwords, bool partial, struct search_combo *out)
{
	if (nwords == 0 || nwords > SEARCH_WORDS_MAX)
		return 0;
	struct combo_walk w = {.cands = cands, .ncands = ncands, .nwords = nwords, .out = out,
			       .partial = partial};
	memset(w.cur.pick, SEARCH_NONE, sizeof w.cur.pick);
	combo_walk(&w, 0, 0);
	qsort(out, w.n, sizeof *out, combo_cmp);
	return w.n;
}
