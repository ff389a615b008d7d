/* Search forms of names with ICU (see translit.h). */
#include "text/translit.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "base/str.h"

/* Cyrillic by BGN/PCGN (what Russian passports and people write: "zh",
 * "kh", "shch", "ya"), then everything else by Any-Latin (Han to pinyin with
 * tone marks), then down to ASCII without marks. The leading NFC keeps the
 * filtered rule from becoming a global filter. */
static const char tl_rules[] = "::NFC; ::[:Cyrillic:] Russian-Latin/BGN; ::Any-Latin; "
			       "::Latin-ASCII; ::NFD; ::[:Nonspacing Mark:] Remove; ::Lower;";

#define TL_CACHE_SETS 1024 /* of TL_CACHE_WAYS words, per thread: 256 KiB; names repeat */
#define TL_CACHE_WAYS 4
#define TL_CACHE_WORD 31     /* longer words are not cached */
#define TL_UWORD_MAX 64      /* UTF-16 units of one word taken */
#define TL_UBUF (TL_UWORD_MAX * 8)

struct tl_slot {
	char key[TL_CACHE_WORD + 1]; /* the folded word, "" = empty slot */
	char val[TL_CACHE_WORD + 1]; /* its Latin form */
};

struct tl_thread {
	UTransliterator *trans;
	struct tl_slot cache[TL_CACHE_SETS][TL_CACHE_WAYS]; /* most recent first */
};

static pthread_once_t tl_once = PTHREAD_ONCE_INIT;
static pthread_key_t tl_key;
static UTransliterator *tl_proto; /* compiled once; threads clone it */
static UErrorCode tl_proto_status = U_ZERO_ERROR;

static void tl_thread_free(void *p)
{
	struct tl_thread *t = p;
	if (t->trans)
		utrans_close(t->trans);
	free(t);
}

static void tl_init(void)
{
	UChar rules[sizeof tl_rules];
	int32_t n = 0;
	UParseError pe;
	pthread_key_create(&tl_key, tl_thread_free);
	u_strFromUTF8(rules, (int32_t)(sizeof rules / sizeof rules[0]), &n, tl_rules, -1,
		      &tl_proto_status);
	if (U_SUCCESS(tl_proto_status))
		tl_proto = utrans_openU(u"x-assist-search", -1, UTRANS_FORWARD, rules, n, &pe,
					&tl_proto_status);
}

/* This thread's transliterator and cache, made on first use. */
static struct tl_thread *tl_thread_get(struct err *e)
{
	pthread_once(&tl_once, tl_init);
	if (!tl_proto || U_FAILURE(tl_proto_status)) {
		err_set(e, RES_INTERNAL, NULL, NULL, "cannot open the ICU transliterator: %s",
			u_errorName(tl_proto_status));
		return NULL;
	}
	struct tl_thread *t = pthread_getspecific(tl_key);
	if (t)
		return t;
	if (!(t = calloc(1, sizeof *t))) {
		err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
		return NULL;
	}
	UErrorCode st = U_ZERO_ERROR;
	t->trans = utrans_clone(tl_proto, &st);
	if (U_FAILURE(st) || pthread_setspecific(tl_key, t) != 0) {
		tl_thread_free(t);
		err_set(e, RES_INTERNAL, NULL, NULL, "cannot clone the ICU transliterator");
		return NULL;
	}
	return t;
}

static uint32_t tl_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* UTF-16 to UTF-8 into out[TRANSLIT_WORD_MAX + 1], cut at a character
 * boundary when too long. */
static void tl_to_utf8(const UChar *u, int32_t n, char *out)
{
	int32_t len = 0, i = 0;
	while (i < n) {
		UChar32 c;
		int32_t k = i;
		U16_NEXT(u, k, n, c);
		int32_t need = U8_LENGTH(c);
		if (need <= 0 || len + need > TRANSLIT_WORD_MAX)
			break;
		UBool err = false;
		U8_APPEND((uint8_t *)out, len, TRANSLIT_WORD_MAX, c, err);
		if (err)
			break;
		i = k;
	}
	out[len] = '\0';
}

/* The Latin form of one folded word (NUL-terminated UTF-16 in fold[0..n)):
 * from the cache, or transliterated and kept. out is "" when the word has
 * no letter or digit in Latin. */
static enum res tl_latin_of(struct tl_thread *t, const UChar *fold, int32_t n, const char *key,
			    char *out, struct err *e)
{
	struct tl_slot *set = t->cache[tl_hash(key) % TL_CACHE_SETS];
	bool cacheable = strlen(key) <= TL_CACHE_WORD;
	for (int i = 0; cacheable && i < TL_CACHE_WAYS && set[i].key[0]; i++)
		if (strcmp(set[i].key, key) == 0) {
			struct tl_slot hit = set[i];
			memmove(&set[1], &set[0], (size_t)i * sizeof *set);
			set[0] = hit;
			memcpy(out, hit.val, strlen(hit.val) + 1);
			return RES_OK;
		}
	UChar buf[TL_UBUF];
	int32_t len = n, limit = n;
	UErrorCode st = U_ZERO_ERROR;
	memcpy(buf, fold, (size_t)n * sizeof *buf);
	utrans_transUChars(t->trans, buf, &len, TL_UBUF, 0, &limit, &st);
	if (st == U_BUFFER_OVERFLOW_ERROR) {
		len = 0; /* a word that grows eightfold is no name: no Latin form */
	} else if (U_FAILURE(st)) {
		return err_set(e, RES_INTERNAL, NULL, NULL, "transliteration failed: %s",
			       u_errorName(st));
	}
	size_t k = 0;
	for (int32_t i = 0; i < len && k < TRANSLIT_WORD_MAX; i++) {
		UChar c = buf[i];
		if (c >= 'A' && c <= 'Z')
			c = (UChar)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[k++] = (char)c;
	}
	out[k] = '\0';
	if (cacheable && k <= TL_CACHE_WORD) {
		memmove(&set[1], &set[0], (TL_CACHE_WAYS - 1) * sizeof *set);
		memcpy(set[0].key, key, strlen(key) + 1);
		memcpy(set[0].val, out, k + 1);
	}
	return RES_OK;
}

static bool tl_word_char(UChar32 c)
{
	if (u_isalnum(c))
		return true;
	int8_t t = u_charType(c);
	return t == U_NON_SPACING_MARK || t == U_COMBINING_SPACING_MARK || t == U_ENCLOSING_MARK;
}

static bool tl_apostrophe(UChar32 c)
{
	return c == 0x27 || c == 0x2019 || c == 0x02bc || c == 0x60;
}

struct tl_out {
	struct arena *a;
	struct tl_word *words;
	size_t n;
};

/* One word w[0..n) (UTF-16): its folded and Latin forms, appended to o. */
static enum res tl_word_add(struct tl_thread *t, const UChar *w, int32_t n, bool han,
			    struct tl_out *o, struct err *e)
{
	if (o->n >= TRANSLIT_WORDS_MAX || n <= 0)
		return RES_OK;
	struct tl_word *x = &o->words[o->n];
	x->han = han;
	bool ascii = true;
	for (int32_t i = 0; i < n && ascii; i++)
		ascii = w[i] < 0x80;
	if (ascii) {
		char s[TRANSLIT_WORD_MAX + 1];
		int32_t k = 0;
		for (; k < n && k < TRANSLIT_WORD_MAX; k++)
			s[k] = (char)(w[k] >= 'A' && w[k] <= 'Z' ? w[k] - 'A' + 'a' : w[k]);
		s[k] = '\0';
		if (!(x->latin = x->orig = arena_strdup(o->a, s)))
			return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
		o->n++;
		return RES_OK;
	}
	/* fold the case, compose, and write "ё" as "е" (people often do) */
	UChar fold[TL_UBUF], norm[TL_UBUF];
	UErrorCode st = U_ZERO_ERROR;
	int32_t fn = u_strFoldCase(fold, TL_UBUF, w, n, U_FOLD_CASE_DEFAULT, &st);
	const UNormalizer2 *nfc = U_SUCCESS(st) ? unorm2_getNFCInstance(&st) : NULL;
	int32_t nn = U_SUCCESS(st) ? unorm2_normalize(nfc, fold, fn, norm, TL_UBUF, &st) : 0;
	if (U_FAILURE(st))
		return err_set(e, RES_INTERNAL, NULL, NULL, "case folding failed: %s",
			       u_errorName(st));
	for (int32_t i = 0; i < nn; i++)
		if (norm[i] == 0x0451)
			norm[i] = 0x0435;
	char orig[TRANSLIT_WORD_MAX + 1], latin[TRANSLIT_WORD_MAX + 1];
	tl_to_utf8(norm, nn, orig);
	enum res r = tl_latin_of(t, norm, nn, orig, latin, e);
	if (r)
		return r;
	if (!latin[0] || !orig[0])
		return RES_OK;
	if (!(x->orig = arena_strdup(o->a, orig)) || !(x->latin = arena_strdup(o->a, latin)))
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	o->n++;
	return RES_OK;
}

enum res translit_words(const char *s, size_t n, struct arena *a, struct tl_word **out,
			size_t *nout, struct err *e)
{
	*out = NULL;
	*nout = 0;
	if (n > TRANSLIT_INPUT_MAX)
		return err_set(e, RES_INVALID, "too_long", NULL, "text longer than %d bytes",
			       TRANSLIT_INPUT_MAX);
	if (!str_utf8_valid(s, n))
		return err_set(e, RES_INVALID, "invalid_utf8", NULL, "text is not UTF-8");
	struct tl_out o = {.a = a, .words = arena_alloc(a, TRANSLIT_WORDS_MAX * sizeof *o.words)};
	if (!o.words)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	*out = o.words;
	struct tl_thread *t = NULL;
	UChar u[TRANSLIT_INPUT_MAX + 1];
	int32_t un = 0;
	UErrorCode st = U_ZERO_ERROR;
	u_strFromUTF8(u, TRANSLIT_INPUT_MAX + 1, &un, s, (int32_t)n, &st);
	if (U_FAILURE(st))
		return err_set(e, RES_INVALID, "invalid_utf8", NULL, "text is not UTF-8");

	UChar w[TL_UWORD_MAX];
	int32_t wn = 0;
	enum res r = RES_OK;
	for (int32_t i = 0; i < un && !r;) {
		UChar32 c;
		U16_NEXT(u, i, un, c);
		UErrorCode sc = U_ZERO_ERROR;
		bool han = uscript_getScript(c, &sc) == USCRIPT_HAN && u_isalpha(c);
		bool ascii_word = c < 0x80 && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
		ascii_word = ascii_word || (c >= '0' && c <= '9');
		if (!han && (ascii_word || tl_word_char(c))) {
			if (wn + U16_LENGTH(c) <= TL_UWORD_MAX)
				U16_APPEND_UNSAFE(w, wn, c);
			continue;
		}
		if (tl_apostrophe(c) && wn > 0)
			continue;
		/* the word ends here; an ideograph is a word of its own */
		bool ascii = true;
		for (int32_t k = 0; k < wn && ascii; k++)
			ascii = w[k] < 0x80;
		if (wn > 0 && !ascii && !t && !(t = tl_thread_get(e)))
			return e ? e->res : RES_INTERNAL;
		if (wn > 0)
			r = tl_word_add(t, w, wn, false, &o, e);
		wn = 0;
		if (han && !r) {
			if (!t && !(t = tl_thread_get(e)))
				return e ? e->res : RES_INTERNAL;
			UChar h[2];
			int32_t hn = 0;
			U16_APPEND_UNSAFE(h, hn, c);
			r = tl_word_add(t, h, hn, true, &o, e);
		}
	}
	if (!r && wn > 0) {
		bool ascii = true;
		for (int32_t k = 0; k < wn && ascii; k++)
			ascii = w[k] < 0x80;
		if (!ascii && !t && !(t = tl_thread_get(e)))
			return e ? e->res : RES_INTERNAL;
		r = tl_word_add(t, w, wn, false, &o, e);
	}
	*nout = o.n;
	return r;
}

/* Join the chosen form of each word: one space between words, none between
 * two ideographs when han_tight. */
static enum res tl_join(const char *s, size_t n, struct arena *a, bool latin, const char **out,
			struct err *e)
{
	struct tl_word *w;
	size_t nw;
	enum res r = translit_words(s, n, a, &w, &nw, e);
	if (r)
		return r;
	size_t len = 1;
	for (size_t i = 0; i < nw; i++)
		len += strlen(latin ? w[i].latin : w[i].orig) + 1;
	char *p = arena_alloc(a, len);
	if (!p)
		return err_set(e, RES_NOMEM, NULL, NULL, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < nw; i++) {
		const char *f = latin ? w[i].latin : w[i].orig;
		if (i > 0 && (latin || !(w[i].han && w[i - 1].han)))
			p[k++] = ' ';
		size_t fl = strlen(f);
		memcpy(p + k, f, fl);
		k += fl;
	}
	p[k] = '\0';
	*out = p;
	return RES_OK;
}

enum res translit_latin(const char *s, size_t n, struct arena *a, const char **out,
			struct err *e)
{
	return tl_join(s, n, a, true, out, e);
}

enum res translit_fold(const char *s, size_t n, struct arena *a, const char **out,
		       struct err *e)
{
	return tl_join(s, n, a, false, out, e);
}

enum res translit_prepare(struct err *e)
{
	struct arena a;
	arena_init(&a, 1024, 0);
	const char *out;
	static const char sample[] = "Ёлкин Müller 张伟 Ὀδυσσεύς";
	enum res r = translit_latin(sample, sizeof sample - 1, &a, &out, e);
	arena_free(&a);
	return r;
}
