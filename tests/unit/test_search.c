/* Unit tests for src/core/search.c: taking a query apart, document keys,
 * word similarity, and the order of combos. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/search.h"

static struct search_parsed parse(const char *q)
{
	struct search_parsed p;
	assert_true(search_parse(q, strlen(q), &p));
	return p;
}

static void t_phones(void **state)
{
	(void)state;
	static const char *const forms[] = {"+7 916 123-45-67", "8 (916) 1234567", "89161234567",
					    "9161234567", "+7(916)123 45 67", "0079161234567"};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		struct search_parsed p = parse(forms[i]);
		assert_string_equal(p.phone, "+79161234567");
		assert_string_equal(p.names, "");
		assert_string_equal(p.birth_date, "");
	}
	assert_string_equal(parse("+86 138 0013 8000").phone, "+8613800138000");
	assert_string_equal(parse("ivanov").phone, "");
	assert_string_equal(parse("12345").phone, "");
}

static void t_dates_names_policies(void **state)
{
	(void)state;
	struct search_parsed p = parse("  ivanov   1980-05-01 ");
	assert_string_equal(p.birth_date, "1980-05-01");
	assert_string_equal(p.names, "ivanov");
	assert_int_equal(p.npolicies, 0);
	assert_string_equal(p.phone, "");
	p = parse("01.05.1980 Иванов Иван");
	assert_string_equal(p.birth_date, "1980-05-01");
	assert_string_equal(p.names, "Иванов Иван");
	assert_string_equal(parse("1.5.1980").birth_date, "1980-05-01");
	/* not dates: 31 February, two-digit years; these are identifiers */
	p = parse("31.02.1980");
	assert_string_equal(p.birth_date, "");
	assert_string_equal(parse("01.05.80").birth_date, "");
	p = parse("DEMO-26-0000001");
	assert_int_equal(p.npolicies, 1);
	assert_string_equal(p.policies[0], "demo-26-0000001");
	assert_string_equal(p.names, "");
	assert_string_equal(p.doc_whole, "DEMO260000001");
	assert_string_equal(p.doc_ident, "");
	/* a passport with its series: the whole query and the number alone */
	p = parse("AB 1234567");
	assert_string_equal(p.names, "AB");
	assert_string_equal(p.doc_whole, "AB1234567");
	assert_string_equal(p.doc_ident, "1234567");
	/* white space of other kinds separates too */
	p = parse("张伟\xe3\x80\x80" "1990-10-28");
	assert_string_equal(p.names, "张伟");
	assert_string_equal(p.birth_date, "1990-10-28");
	struct search_parsed q;
	assert_false(search_parse("", 0, &q));
	assert_false(search_parse(" \t\xc2\xa0 ", 5, &q));
}

static void t_doc_key(void **state)
{
	(void)state;
	char k[SEARCH_KEY_MAX + 1];
	assert_true(search_doc_key("45 10 123-456", 13, k));
	assert_string_equal(k, "4510123456");
	assert_true(search_doc_key("ab.12", 5, k));
	assert_string_equal(k, "AB12");
	assert_false(search_doc_key(" - ", 3, k));
	assert_string_equal(k, "");
	char big[SEARCH_KEY_MAX + 2];
	memset(big, '7', sizeof big);
	assert_false(search_doc_key(big, sizeof big, k));
}

static void t_similarity(void **state)
{
	(void)state;
	assert_int_equal(search_word_sim("ivanov", "ivanov"), 1000);
	/* one letter wrong, missing, added, or two swapped */
	assert_true(search_word_sim("ivanof", "ivanov") >= 833);
	assert_true(search_word_sim("ivnov", "ivanov") >= 833);
	assert_true(search_word_sim("ivaanov", "ivanov") >= 857);
	assert_true(search_word_sim("ivnaov", "ivanov") >= 833);
	assert_true(search_word_sim("wnag", "wang") >= 750);
	assert_true(search_word_sim("ivnaov", "ivanov") >= SEARCH_SIM_MIN);
	/* different names stay apart */
	assert_true(search_word_sim("petrov", "ivanov") < SEARCH_SIM_MIN);
	assert_true(search_word_sim("smith", "jones") < SEARCH_SIM_MIN);
	assert_true(search_word_sim("ivanov", "ivanova") > search_word_sim("ivanov", "ivanovich"));
	/* symmetric; only equal words score 1000 */
	assert_int_equal(search_word_sim("zhang", "zheng"), search_word_sim("zheng", "zhang"));
	assert_int_equal(search_word_sim("aaa", "aaaa"), 999);
	assert_int_equal(search_word_sim("", "a"), 0);
	char longw[64];
	memset(longw, 'x', 63);
	longw[63] = '\0';
	assert_int_equal(search_word_sim(longw, longw), 1000);
}

static void t_combos(void **state)
{
	(void)state;
	struct search_cand a[] = {{1, 1000}, {2, 800}}, b[] = {{3, 1000}, {1, 600}};
	const struct search_cand *cands[] = {a, b};
	size_t n[] = {2, 2};
	static struct search_combo out[SEARCH_COMBOS_MAX];
	/* full: 1+3 (2000), 2+3 (1800), 2+1 (1400); 1+1 takes one word twice */
	size_t c = search_combos(cands, n, 2, false, out);
	assert_int_equal(c, 3);
	assert_int_equal(out[0].score, 2000);
	assert_int_equal(out[0].pick[0], 0);
	assert_int_equal(out[0].pick[1], 0);
	assert_int_equal(out[1].score, 1800);
	assert_int_equal(out[2].score, 1400);
	assert_int_equal(out[2].nterms, 2);
	/* partial adds the single words; a tie goes to more words matched */
	c = search_combos(cands, n, 2, true, out);
	assert_int_equal(c, 7);
	assert_int_equal(out[0].score, 2000);
	assert_int_equal(out[3].score, 1000);
	assert_int_equal(out[3].nterms, 1);
	/* one word: every candidate, never none */
	c = search_combos(cands, n, 1, true, out);
	assert_int_equal(c, 2);
	assert_int_equal(search_combos(cands, n, 0, true, out), 0);
	/* the most there can be */
	struct search_cand many[SEARCH_WORDS_MAX][SEARCH_CANDS_MAX];
	const struct search_cand *mc[SEARCH_WORDS_MAX];
	size_t mn[SEARCH_WORDS_MAX];
	for (int w = 0; w < SEARCH_WORDS_MAX; w++) {
		for (int k = 0; k < SEARCH_CANDS_MAX; k++)
			many[w][k] = (struct search_cand){100 * w + k + 1, 1000 - k};
		mc[w] = many[w];
		mn[w] = SEARCH_CANDS_MAX;
	}
	c = search_combos(mc, mn, SEARCH_WORDS_MAX, true, out);
	assert_int_equal(c, SEARCH_COMBOS_MAX - 1);
	assert_int_equal(out[0].score, 4000);
	for (size_t i = 1; i < c; i++)
		assert_true(out[i - 1].score >= out[i].score);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_phones),
		cmocka_unit_test(t_dates_names_policies),
		cmocka_unit_test(t_doc_key),
		cmocka_unit_test(t_similarity),
		cmocka_unit_test(t_combos),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
