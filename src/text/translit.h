/* Search forms of names in any script, with ICU: every word of a text in
 * Latin letters (Cyrillic by BGN/PCGN, so "Щербакова" is "shcherbakova";
 * Han as toneless pinyin, "张伟" is "zhang wei"; anything else by ICU's
 * Any-Latin), and in its own script, case-folded. The search index
 * (store/search.c) and the search query (api/search.c) both go through
 * here, so the two sides always agree.
 *
 * Thread-safe: each thread clones the compiled transliterator once (opening
 * one costs milliseconds) and keeps a small cache of words it has already
 * transliterated (names repeat); both are freed when the thread ends. */
#ifndef ASSIST_TRANSLIT_H
#define ASSIST_TRANSLIT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

#define TRANSLIT_INPUT_MAX 1024 /* bytes of UTF-8 one call accepts */
#define TRANSLIT_WORD_MAX 63    /* bytes kept of one word's form (cut at a character) */
#define TRANSLIT_WORDS_MAX 64   /* words taken from one text; the rest is ignored */

/* Bump when the forms below change: stored search keys are then rebuilt
 * (store_search_reindex). */
#define TRANSLIT_VERSION 1

/* One word of a text. A word is a run of letters, digits and combining
 * marks (apostrophes inside it are dropped: "O'Brien" is "obrien"); each
 * Han ideograph is a word of its own, so that it lines up with its pinyin
 * syllable. */
struct tl_word {
	const char *latin; /* [a-z0-9]+, never empty */
	const char *orig;  /* case-folded, NFC, "ё" as "е"; equal to latin for ASCII words */
	bool han;          /* a Han ideograph */
};

/* Split s[0..n) into words and give each its two forms. Words whose Latin
 * form would be empty (symbols) are left out. The array and the strings are
 * allocated from a. RES_INVALID when s is not UTF-8 or longer than
 * TRANSLIT_INPUT_MAX; RES_INTERNAL when ICU fails. */
enum res translit_words(const char *s, size_t n, struct arena *a, struct tl_word **out,
			size_t *nout, struct err *e) WUR;

/* Compile the transliterator and load the script data it uses now (a
 * tenth of a second) rather than in the first search. */
enum res translit_prepare(struct err *e) WUR;

/* The Latin search key of a text: its words' Latin forms joined by one
 * space ("Ёлкин Пётр" -> "yelkin petr", "张伟" -> "zhang wei"). */
enum res translit_latin(const char *s, size_t n, struct arena *a, const char **out,
			struct err *e) WUR;

/* The text in its own script, case-folded: words joined by one space, Han
 * ideographs by none ("ИВАНОВ Пётр" -> "иванов петр", "张伟" -> "张伟"). */
enum res translit_fold(const char *s, size_t n, struct arena *a, const char **out,
		       struct err *e) WUR;

#endif
