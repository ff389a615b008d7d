/* Unit tests for src/text/translit.c: the Latin and folded forms of names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "text/translit.h"

static const char *latin(struct arena *a, const char *s)
{
	const char *out = NULL;
	struct err e;
	err_clear(&e);
	assert_int_equal(translit_latin(s, strlen(s), a, &out, &e), RES_OK);
	return out;
}

static const char *fold(struct arena *a, const char *s)
{
	const char *out = NULL;
	struct err e;
	err_clear(&e);
	assert_int_equal(translit_fold(s, strlen(s), a, &out, &e), RES_OK);
	return out;
}

static void t_cyrillic(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 1024, 0);
	/* BGN/PCGN, as passports and people write Russian names */
	assert_string_equal(latin(&a, "Иванов"), "ivanov");
	assert_string_equal(latin(&a, "Щербакова"), "shcherbakova");
	assert_string_equal(latin(&a, "Ёлкин"), "yelkin");
	assert_string_equal(latin(&a, "Елкин"), "yelkin"); /* ё written as е: the same */
	assert_string_equal(latin(&a, "Жуков Хабибуллин Цой"), "zhukov khabibullin tsoy");
	assert_string_equal(latin(&a, "Соловьёв Юрьевич"), "solovyev yuryevich"); /* soft signs dropped */
	assert_string_equal(latin(&a, "Андрей Зайцев"), "andrey zaytsev");
	assert_string_equal(fold(&a, "ИВАНОВ Пётр"), "иванов петр");
	arena_free(&a);
}

static void t_han(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 1024, 0);
	assert_string_equal(latin(&a, "张伟"), "zhang wei");
	assert_string_equal(latin(&a, "王 秀英"), "wang xiu ying");
	assert_string_equal(fold(&a, "张伟"), "张伟");
	/* each ideograph is a word, lined up with its syllable */
	struct tl_word *w;
	size_t n;
	struct err e;
	assert_int_equal(translit_words("欧阳浩然", strlen("欧阳浩然"), &a, &w, &n, &e), RES_OK);
	assert_int_equal(n, 4);
	assert_string_equal(w[0].orig, "欧");
	assert_string_equal(w[0].latin, "ou");
	assert_string_equal(w[3].orig, "然");
	assert_string_equal(w[3].latin, "ran");
	assert_true(w[0].han && w[3].han);
	arena_free(&a);
}

static void t_latin_and_others(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 1024, 0);
	assert_string_equal(latin(&a, "McDONALD  O'Brien"), "mcdonald obrien");
	assert_string_equal(latin(&a, "Müller Łukasz Ærø Straße"), "muller lukasz aero strasse");
	assert_string_equal(fold(&a, "Müller"), "müller");
	assert_string_equal(latin(&a, "Ὀδυσσεύς"), "odysseus");
	assert_string_equal(latin(&a, "Jean-Luc Picard"), "jean luc picard");
	assert_string_equal(latin(&a, "Ivanov Иванов 张"), "ivanov ivanov zhang");
	struct tl_word *w;
	size_t n;
	struct err e;
	assert_int_equal(translit_words("Smith", 5, &a, &w, &n, &e), RES_OK);
	assert_int_equal(n, 1);
	assert_string_equal(w[0].latin, "smith");
	assert_string_equal(w[0].orig, "smith");
	assert_false(w[0].han);
	arena_free(&a);
}

static void t_empty_and_symbols(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 1024, 0);
	assert_string_equal(latin(&a, ""), "");
	assert_string_equal(latin(&a, "  -- ,, ①  "), "");
	struct tl_word *w;
	size_t n = 99;
	struct err e;
	assert_int_equal(translit_words("", 0, &a, &w, &n, &e), RES_OK);
	assert_int_equal(n, 0);
	arena_free(&a);
}

static void t_refused(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 1024, 0);
	struct tl_word *w;
	size_t n;
	struct err e;
	err_clear(&e);
	static const char bad[][6] = {"\xff", "a\xc3", "\xed\xa0\x80", "\xc0\xaf", "ab\x80"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(translit_words(bad[i], strlen(bad[i]), &a, &w, &n, &e), RES_INVALID);
		assert_string_equal(e.code, "invalid_utf8");
	}
	char big[TRANSLIT_INPUT_MAX + 2];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(translit_words(big, sizeof big - 1, &a, &w, &n, &e), RES_INVALID);
	assert_string_equal(e.code, "too_long");
	arena_free(&a);
}

static void t_long(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 4096, 0);
	/* the longest text: many words (only TRANSLIT_WORDS_MAX kept), and one
	 * word longer than a form keeps (cut at a character) */
	char s[TRANSLIT_INPUT_MAX + 1];
	size_t k = 0;
	static const char word[] = "Петр "; /* 8 bytes of letters and a space */
	while (k + sizeof word - 1 <= TRANSLIT_INPUT_MAX) {
		memcpy(s + k, word, sizeof word - 1);
		k += sizeof word - 1;
	}
	struct tl_word *w;
	size_t n;
	struct err e;
	assert_int_equal(translit_words(s, k, &a, &w, &n, &e), RES_OK);
	assert_int_equal(n, TRANSLIT_WORDS_MAX);
	assert_string_equal(w[n - 1].latin, "petr");
	k = 0;
	for (int i = 0; i < 200; i++) {
		memcpy(s + k, "Щ", 2);
		k += 2;
	}
	assert_int_equal(translit_words(s, k, &a, &w, &n, &e), RES_OK);
	assert_int_equal(n, 1);
	assert_true(strlen(w[0].latin) <= TRANSLIT_WORD_MAX);
	assert_true(strlen(w[0].orig) <= TRANSLIT_WORD_MAX);
	assert_int_equal(strlen(w[0].orig) % 2, 0); /* whole characters */
	assert_int_equal(strncmp(w[0].latin, "shchshch", 8), 0);
	arena_free(&a);
}

/* Each thread has its own transliterator and cache; the answers agree. */
static void *worker(void *arg)
{
	int *ok = arg;
	struct arena a;
	arena_init(&a, 1024, 0);
	*ok = 1;
	for (int i = 0; i < 200; i++) {
		const char *out;
		struct err e;
		if (translit_latin("Щербакова 张伟", strlen("Щербакова 张伟"), &a, &out, &e) ||
		    strcmp(out, "shcherbakova zhang wei") != 0)
			*ok = 0;
	}
	arena_free(&a);
	return NULL;
}

static void t_threads(void **state)
{
	(void)state;
	pthread_t t[4];
	int ok[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, &ok[i]), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(ok[i], 1);
	}
	struct err e;
	assert_int_equal(translit_prepare(&e), RES_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_cyrillic),
		cmocka_unit_test(t_han),
		cmocka_unit_test(t_latin_and_others),
		cmocka_unit_test(t_empty_and_symbols),
		cmocka_unit_test(t_refused),
		cmocka_unit_test(t_long),
		cmocka_unit_test(t_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
