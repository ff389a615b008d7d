/* The search box (issue 4): what a query asks for, how alike two name
 * words are, and in which order to try the ways a query's words can match a
 * person's. Pure: transliterating names (text/translit.h) and looking
 * things up (store/search.c) happen elsewhere. See docs/internals/search.md. */
#ifndef ASSIST_SEARCH_H
#define ASSIST_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"
#include "core/phone.h"

#define SEARCH_Q_CHARS 200   /* characters of a query */
#define SEARCH_Q_MAX 800     /* bytes of a query (SEARCH_Q_CHARS in UTF-8) */
#define SEARCH_TOKENS_MAX 16 /* whitespace-separated tokens looked at; the rest is ignored */
#define SEARCH_KEY_MAX 64    /* bytes of a document key or a policy number */
#define SEARCH_WORDS_MAX 4   /* name words ranked; the rest is ignored */
#define SEARCH_CANDS_MAX 7   /* index words tried for one query word */

/* Similarity of words in thousandths; below SEARCH_SIM_MIN is no match. */
#define SEARCH_SIM_MIN 450

/* A query taken apart. Tokens are separated by white space. A token is a
 * date when it is YYYY-MM-DD or DD.MM.YYYY; an identifier when it has a
 * digit; a name word otherwise. */
struct search_parsed {
	/* identifier tokens that can be policy numbers (letters, digits, '.',
	 * '_', '-'), lower-cased */
	char policies[SEARCH_TOKENS_MAX][SEARCH_KEY_MAX + 1];
	size_t npolicies;
	char phone[PHONE_E164_MAX + 1];       /* the identifier tokens as one E.164 number, or "" */
	char doc_whole[SEARCH_KEY_MAX + 1];   /* document key of the whole query (when it has a digit), or "" */
	char doc_ident[SEARCH_KEY_MAX + 1];   /* document key of the identifier tokens, or "" (or same as doc_whole) */
	char birth_date[11];                  /* YYYY-MM-DD of the first date token, or "" */
	char names[SEARCH_Q_MAX + 1];         /* the name tokens joined by one space, or "" */
};

/* Take q[0..n) apart (n <= SEARCH_Q_MAX; the caller checks UTF-8).
 * Returns false when it has no token at all. */
bool search_parse(const char *q, size_t n, struct search_parsed *out);

/* The key a document number is compared by: ASCII letters upper-cased,
 * digits and non-ASCII bytes kept, spaces and punctuation dropped
 * ("45 10 123-456" and "4510123456" are one document). False (out = "")
 * when nothing is left or it is longer than SEARCH_KEY_MAX. */
bool search_doc_key(const char *s, size_t n, char out[SEARCH_KEY_MAX + 1]);

/* How alike two Latin words ([a-z0-9], at most 63 bytes) are, 0..1000:
 * the larger of their trigram similarity (as PostgreSQL's pg_trgm counts
 * it: padded trigrams shared over trigrams in either) and 1000 * (1 - edit
 * distance / the longer length), where the edit distance counts a letter
 * changed, missing, added, or two neighbours swapped, as one. So one typo
 * in a 6-letter word still scores 833. Only equal words score 1000. */
int search_word_sim(const char *a, const char *b);

/* One index word a query word may match, and how well (thousandths, with
 * any weighting the caller applies). */
struct search_cand {
	int64_t term_id;
	int sim;
};

/* A way to match: for each query word the index of its candidate, or
 * SEARCH_NONE; score is the sum of their similarities. */
#define SEARCH_NONE 0xff
struct search_combo {
	int score;
	uint8_t pick[SEARCH_WORDS_MAX];
	uint8_t nterms; /* words given a candidate */
};
/* The most combos search_combos makes: (SEARCH_CANDS_MAX + 1) ^ SEARCH_WORDS_MAX */
#define SEARCH_COMBOS_MAX 4096

/* Every combo of nwords (1..SEARCH_WORDS_MAX) query words with their
 * candidates cands[w][0..ncands[w]) (at most SEARCH_CANDS_MAX each): each
 * word takes one candidate or, when partial and there are several words,
 * none; no two words take the same index word; at least one takes one.
 * Written to out[SEARCH_COMBOS_MAX] best score first (then more words
 * matched, then earlier candidates). Returns how many. */
size_t search_combos(const struct search_cand *const cands[], const size_t ncands[],
		     size_t nwords, bool partial, struct search_combo *out);

#endif
