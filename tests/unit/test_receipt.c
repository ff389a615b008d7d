/* Unit tests for src/core/receipt.c: the appendix-B receipt text, stat and
 * err to states and reasons, combining the parts' states, and the id keys
 * that match a receipt to its submit whatever the id format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/receipt.h"

#define S(x) x, strlen(x)

static void t_stat_words(void **state)
{
	(void)state;
	static const struct {
		const char *w;
		enum receipt_state s;
	} ok[] = {
		{"DELIVRD", RECEIPT_DELIVERED},   {"EXPIRED", RECEIPT_EXPIRED},
		{"DELETED", RECEIPT_DELETED},     {"UNDELIV", RECEIPT_UNDELIVERABLE},
		{"ACCEPTD", RECEIPT_ACCEPTED},    {"UNKNOWN", RECEIPT_UNKNOWN},
		{"REJECTD", RECEIPT_REJECTED},    {"ENROUTE", RECEIPT_ENROUTE},
		{"delivrd", RECEIPT_DELIVERED},   {"Delivered", RECEIPT_DELIVERED},
		{"UNDELIVERABLE", RECEIPT_UNDELIVERABLE}, {"accepted", RECEIPT_ACCEPTED},
		{"REJECTED", RECEIPT_REJECTED},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		enum receipt_state s = RECEIPT_NONE;
		assert_true(receipt_stat_parse(S(ok[i].w), &s));
		assert_int_equal(s, ok[i].s);
	}
	enum receipt_state s;
	assert_false(receipt_stat_parse(S(""), &s));
	assert_false(receipt_stat_parse(S("DELIVR"), &s));
	assert_false(receipt_stat_parse(S("DELIVRDX"), &s));
	assert_false(receipt_stat_parse(S("FAILED"), &s));
	assert_false(receipt_stat_parse("DELIVRD", 8, &s)); /* the NUL is no letter */
}

static void t_states(void **state)
{
	(void)state;
	assert_false(receipt_state_final(RECEIPT_NONE));
	assert_false(receipt_state_final(RECEIPT_ENROUTE));
	for (int s = RECEIPT_DELIVERED; s <= RECEIPT_REJECTED; s++)
		assert_true(receipt_state_final((enum receipt_state)s));
	assert_false(receipt_state_final((enum receipt_state)9));
	assert_int_equal(receipt_state_from_tlv(2), RECEIPT_DELIVERED);
	assert_int_equal(receipt_state_from_tlv(8), RECEIPT_REJECTED);
	assert_int_equal(receipt_state_from_tlv(0), RECEIPT_NONE);
	assert_int_equal(receipt_state_from_tlv(9), RECEIPT_NONE);
	assert_int_equal(receipt_state_from_tlv(255), RECEIPT_NONE);
	assert_string_equal(receipt_state_name(RECEIPT_UNDELIVERABLE), "undeliverable");
	assert_string_equal(receipt_state_name(RECEIPT_DELIVERED), "delivered");
	assert_string_equal(receipt_state_name((enum receipt_state)42), "none");
	assert_string_equal(receipt_reason_name(RECEIPT_REASON_NO_ANSWER), "no_answer");
	assert_string_equal(receipt_reason_name((enum receipt_reason)42), "other");
}

static void t_reasons(void **state)
{
	(void)state;
	/* delivered and accepted have no reason, whatever err says */
	assert_int_equal(receipt_reason_of(RECEIPT_DELIVERED, true, 1), RECEIPT_REASON_NONE);
	assert_int_equal(receipt_reason_of(RECEIPT_ACCEPTED, false, 0), RECEIPT_REASON_NONE);
	assert_int_equal(receipt_reason_of(RECEIPT_ENROUTE, true, 27), RECEIPT_REASON_NONE);
	assert_int_equal(receipt_reason_of(RECEIPT_NONE, true, 1), RECEIPT_REASON_NONE);
	/* MAP errors */
	assert_int_equal(receipt_reason_of(RECEIPT_UNDELIVERABLE, true, 1), RECEIPT_REASON_INVALID_NUMBER);
	assert_int_equal(receipt_reason_of(RECEIPT_UNDELIVERABLE, true, 5), RECEIPT_REASON_INVALID_NUMBER);
	assert_int_equal(receipt_reason_of(RECEIPT_UNDELIVERABLE, true, 6), RECEIPT_REASON_NO_ANSWER);
	assert_int_equal(receipt_reason_of(RECEIPT_UNDELIVERABLE, true, 27), RECEIPT_REASON_NO_ANSWER);
	assert_int_equal(receipt_reason_of(RECEIPT_UNDELIVERABLE, true, 31), RECEIPT_REASON_BUSY);
	assert_int_equal(receipt_reason_of(RECEIPT_UNDELIVERABLE, true, 13), RECEIPT_REASON_BARRED);
	assert_int_equal(receipt_reason_of(RECEIPT_UNDELIVERABLE, true, 11), RECEIPT_REASON_BARRED);
	assert_int_equal(receipt_reason_of(RECEIPT_UNDELIVERABLE, true, 34), RECEIPT_REASON_NETWORK);
	/* err says more than the state, even for an expired message */
	assert_int_equal(receipt_reason_of(RECEIPT_EXPIRED, true, 27), RECEIPT_REASON_NO_ANSWER);
	assert_int_equal(receipt_reason_of(RECEIPT_REJECTED, true, 1), RECEIPT_REASON_INVALID_NUMBER);
	/* otherwise the state */
	assert_int_equal(receipt_reason_of(RECEIPT_EXPIRED, false, 0), RECEIPT_REASON_EXPIRED);
	assert_int_equal(receipt_reason_of(RECEIPT_EXPIRED, true, 0), RECEIPT_REASON_EXPIRED);
	assert_int_equal(receipt_reason_of(RECEIPT_REJECTED, true, 999), RECEIPT_REASON_REJECTED);
	assert_int_equal(receipt_reason_of(RECEIPT_UNDELIVERABLE, false, 0), RECEIPT_REASON_OTHER);
	assert_int_equal(receipt_reason_of(RECEIPT_UNDELIVERABLE, true, 0), RECEIPT_REASON_OTHER);
	assert_int_equal(receipt_reason_of(RECEIPT_DELETED, true, 2), RECEIPT_REASON_OTHER);
	assert_int_equal(receipt_reason_of(RECEIPT_UNKNOWN, false, 0), RECEIPT_REASON_OTHER);
	/* has_err false: err is not looked at */
	assert_int_equal(receipt_reason_of(RECEIPT_UNDELIVERABLE, false, 1), RECEIPT_REASON_OTHER);
	/* the string form refines only */
	assert_string_equal(receipt_reason(RECEIPT_UNDELIVERABLE, 1), "invalid_number");
	assert_string_equal(receipt_reason(RECEIPT_EXPIRED, 27), "no_answer");
	assert_null(receipt_reason(RECEIPT_UNDELIVERABLE, 0));
	assert_null(receipt_reason(RECEIPT_UNDELIVERABLE, 500));
	assert_null(receipt_reason(RECEIPT_DELIVERED, 1));
	assert_null(receipt_reason(RECEIPT_ENROUTE, 1));
}

static void t_combine(void **state)
{
	(void)state;
	const enum receipt_state D = RECEIPT_DELIVERED, A = RECEIPT_ACCEPTED, N = RECEIPT_NONE,
				 E = RECEIPT_ENROUTE, X = RECEIPT_EXPIRED, U = RECEIPT_UNDELIVERABLE,
				 R = RECEIPT_REJECTED, K = RECEIPT_UNKNOWN;
	assert_int_equal(receipt_state_combine(D, D), D);
	assert_int_equal(receipt_state_combine(D, N), N);
	assert_int_equal(receipt_state_combine(N, D), N);
	assert_int_equal(receipt_state_combine(D, E), E);
	assert_int_equal(receipt_state_combine(E, N), N);
	assert_int_equal(receipt_state_combine(D, A), A);
	assert_int_equal(receipt_state_combine(A, D), A);
	/* a failure wins over everything, and the first failure over later ones */
	assert_int_equal(receipt_state_combine(D, U), U);
	assert_int_equal(receipt_state_combine(N, X), X);
	assert_int_equal(receipt_state_combine(U, R), U);
	assert_int_equal(receipt_state_combine(R, D), R);
	assert_int_equal(receipt_state_combine(K, D), K);
	/* three parts folded */
	enum receipt_state s = D;
	s = receipt_state_combine(s, D);
	s = receipt_state_combine(s, D);
	assert_int_equal(s, D);
	s = receipt_state_combine(receipt_state_combine(D, N), D);
	assert_int_equal(s, N);
}

static void t_text_standard(void **state)
{
	(void)state;
	struct receipt_text t;
	const char *s = "id:0123456789 sub:001 dlvrd:001 submit date:2511290215 done date:2511290216 "
			"stat:DELIVRD err:000 text:Hello world, this is";
	assert_true(receipt_text_parse(S(s), &t));
	assert_string_equal(t.id, "0123456789");
	assert_string_equal(t.stat, "DELIVRD");
	assert_int_equal(t.state, RECEIPT_DELIVERED);
	assert_true(t.has_err);
	assert_int_equal(t.err, 0);
	assert_int_equal(t.sub, 1);
	assert_int_equal(t.dlvrd, 1);
	assert_string_equal(t.submit_date, "2511290215");
	assert_string_equal(t.done_date, "2511290216");

	/* any case, any order, underscores, err in hex, fields missing */
	s = "ID:A1B2C3 Stat:undeliv ERR:0B Done_Date:2511290216 Text:";
	assert_true(receipt_text_parse(S(s), &t));
	assert_string_equal(t.id, "A1B2C3");
	assert_int_equal(t.state, RECEIPT_UNDELIVERABLE);
	assert_int_equal(t.err, 11);
	assert_int_equal(t.sub, -1);
	assert_string_equal(t.submit_date, "");
	assert_string_equal(t.done_date, "2511290216");

	/* an unknown key is skipped, spaces and a trailing text with colons */
	s = "  id:77  vendor:x1  stat:EXPIRED   err:027 text:a:b c:d stat:DELIVRD";
	assert_true(receipt_text_parse(S(s), &t));
	assert_string_equal(t.id, "77");
	assert_int_equal(t.state, RECEIPT_EXPIRED); /* the text is not read */
	assert_int_equal(t.err, 27);

	/* no err at all, and an err that is no number */
	assert_true(receipt_text_parse(S("id:1 stat:REJECTD"), &t));
	assert_false(t.has_err);
	assert_true(receipt_text_parse(S("id:1 stat:REJECTD err:xyz"), &t));
	assert_false(t.has_err);
	assert_true(receipt_text_parse(S("id:1 stat:REJECTD err:123456789"), &t));
	assert_false(t.has_err);
	assert_true(receipt_text_parse(S("id:1 sub:abcd dlvrd:1234 stat:ENROUTE"), &t));
	assert_int_equal(t.sub, -1);
	assert_int_equal(t.dlvrd, -1);
	/* an over-long date is dropped, not truncated */
	assert_true(receipt_text_parse(S("id:1 submit date:25112902161234567 stat:DELIVRD"), &t));
	assert_string_equal(t.submit_date, "");
	/* a 64-character id fits */
	char id64[128];
	memset(id64, 0, sizeof id64);
	memcpy(id64, "id:", 3);
	memset(id64 + 3, 'f', 64);
	memcpy(id64 + 3 + 64, " stat:DELIVRD", 14);
	assert_true(receipt_text_parse(S(id64), &t));
	assert_int_equal(strlen(t.id), 64);
}

static void t_text_refused(void **state)
{
	(void)state;
	struct receipt_text t;
	/* an inbound message that mentions stat: is not a receipt */
	assert_false(receipt_text_parse(S("Hello stat:DELIVRD id:1"), &t));
	assert_false(receipt_text_parse(S("my id:1 stat:DELIVRD"), &t));
	assert_false(receipt_text_parse(S(""), &t));
	assert_false(receipt_text_parse(S("   "), &t));
	assert_false(receipt_text_parse(S("id:"), &t));
	assert_false(receipt_text_parse(S("id: stat:DELIVRD"), &t)); /* empty id */
	assert_false(receipt_text_parse(S("id:12"), &t));           /* no stat */
	assert_false(receipt_text_parse(S("id:12 stat:"), &t));
	assert_false(receipt_text_parse(S("id:12 stat:GREAT"), &t));
	assert_false(receipt_text_parse(S("id:1 id:2 stat:DELIVRD"), &t));
	assert_false(receipt_text_parse(S("id:12 hello stat:DELIVRD"), &t)); /* a word without ':' */
	assert_false(receipt_text_parse(S("text:id:1 stat:DELIVRD"), &t));
	assert_false(receipt_text_parse(S("id:1\x01 stat:DELIVRD"), &t)); /* control character in the id */
	char id65[128];
	memset(id65, 0, sizeof id65);
	memcpy(id65, "id:", 3);
	memset(id65 + 3, '1', 65);
	memcpy(id65 + 3 + 65, " stat:DELIVRD", 14);
	assert_false(receipt_text_parse(S(id65), &t));
	/* bytes after a NUL are still bounded by n */
	assert_false(receipt_text_parse("id:1\0stat:DELIVRD", 4, &t));
}

/* Whether two ids share a key. */
static bool match(const char *a, const char *b)
{
	char ka[RECEIPT_MAX_KEYS][RECEIPT_KEY_MAX], kb[RECEIPT_MAX_KEYS][RECEIPT_KEY_MAX];
	size_t na = receipt_id_keys(a, ka, RECEIPT_MAX_KEYS);
	size_t nb = receipt_id_keys(b, kb, RECEIPT_MAX_KEYS);
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			if (strcmp(ka[i], kb[j]) == 0)
				return true;
	return false;
}

/* Whether they share key 0 (the exact match). */
static bool exact(const char *a, const char *b)
{
	char ka[RECEIPT_MAX_KEYS][RECEIPT_KEY_MAX], kb[RECEIPT_MAX_KEYS][RECEIPT_KEY_MAX];
	return receipt_id_keys(a, ka, 1) == 1 && receipt_id_keys(b, kb, 1) == 1 &&
	       strcmp(ka[0], kb[0]) == 0;
}

static void t_keys_forms(void **state)
{
	(void)state;
	char k[RECEIPT_MAX_KEYS][RECEIPT_KEY_MAX];
	/* a hex id: itself and its value */
	assert_int_equal(receipt_id_keys("1A2B3C", k, RECEIPT_MAX_KEYS), 2);
	assert_string_equal(k[0], "x:1a2b3c");
	assert_string_equal(k[1], "v:1715004");
	/* a decimal id: itself, read as hex, read as decimal */
	assert_int_equal(receipt_id_keys("123", k, RECEIPT_MAX_KEYS), 3);
	assert_string_equal(k[0], "x:123");
	assert_string_equal(k[1], "v:291");
	assert_string_equal(k[2], "v:123");
	/* a single digit reads the same both ways: one value key */
	assert_int_equal(receipt_id_keys("7", k, RECEIPT_MAX_KEYS), 2);
	assert_string_equal(k[1], "v:7");
	/* zeros */
	assert_int_equal(receipt_id_keys("0000", k, RECEIPT_MAX_KEYS), 2);
	assert_string_equal(k[0], "x:0");
	assert_string_equal(k[1], "v:0");
	/* 0x prefix: hex only */
	assert_int_equal(receipt_id_keys("0x00FF", k, RECEIPT_MAX_KEYS), 2);
	assert_string_equal(k[0], "x:ff");
	assert_string_equal(k[1], "v:255");
	/* "0x" before what is no hex number is part of a name */
	assert_int_equal(receipt_id_keys("0xZZ", k, RECEIPT_MAX_KEYS), 1);
	assert_string_equal(k[0], "x:xzz");
	/* not a number: the exact key only, lower case, leading zeros off */
	assert_int_equal(receipt_id_keys("00MSG-Ab_9", k, RECEIPT_MAX_KEYS), 1);
	assert_string_equal(k[0], "x:msg-ab_9");
	/* spaces around are ignored */
	assert_int_equal(receipt_id_keys("  FF \t", k, RECEIPT_MAX_KEYS), 2);
	assert_string_equal(k[0], "x:ff");
	/* past 64 bits: no value keys */
	assert_int_equal(receipt_id_keys("1FFFFFFFFFFFFFFFF", k, RECEIPT_MAX_KEYS), 1);
	assert_int_equal(receipt_id_keys("FFFFFFFFFFFFFFFF", k, RECEIPT_MAX_KEYS), 2);
	assert_string_equal(k[1], "v:18446744073709551615");
	assert_int_equal(receipt_id_keys("18446744073709551615", k, RECEIPT_MAX_KEYS), 2); /* hex too big */
	assert_string_equal(k[1], "v:18446744073709551615");
	assert_int_equal(receipt_id_keys("18446744073709551616", k, RECEIPT_MAX_KEYS), 1);
	/* empty, blank, too long, NULL */
	assert_int_equal(receipt_id_keys("", k, RECEIPT_MAX_KEYS), 0);
	assert_int_equal(receipt_id_keys("   ", k, RECEIPT_MAX_KEYS), 0);
	assert_int_equal(receipt_id_keys(NULL, k, RECEIPT_MAX_KEYS), 0);
	char longid[80];
	memset(longid, 'a', 65);
	longid[65] = '\0';
	assert_int_equal(receipt_id_keys(longid, k, RECEIPT_MAX_KEYS), 0);
	longid[64] = '\0';
	assert_int_equal(receipt_id_keys(longid, k, RECEIPT_MAX_KEYS), 1);
	assert_int_equal(strlen(k[0]), 2 + 64);
	/* max limits what is written */
	memset(k, 0x55, sizeof k);
	assert_int_equal(receipt_id_keys("123", k, 1), 1);
	assert_string_equal(k[0], "x:123");
	assert_int_equal((unsigned char)k[1][0], 0x55);
	assert_int_equal(receipt_id_keys("123", k, 0), 0);
}

static void t_keys_match(void **state)
{
	(void)state;
	/* case and leading zeros */
	assert_true(exact("1a2b3c", "1A2B3C"));
	assert_true(exact("00001A2B3C", "1a2b3c"));
	assert_true(exact("0x1A2B3C", "1a2b3c"));
	assert_true(exact("0000000000000000012345", "12345"));
	/* hex in one, decimal in the other, either way round */
	assert_true(match("B2D05E00", "3000000000"));
	assert_true(match("3000000000", "b2d05e00"));
	assert_true(match("00000000B2D05E00", "3000000000"));
	assert_true(match("00000000000000000003000000000", "0xb2d05e00"));
	assert_false(exact("B2D05E00", "3000000000"));
	/* different messages do not match */
	assert_false(match("3000000000", "3000000001"));
	assert_false(match("B2D05E00", "B2D05E01"));
	assert_false(match("B2D05E00", "3000000001"));
	assert_false(match("msg-1", "msg-2"));
	assert_false(match("msg-1", "1"));
	assert_true(match("MSG-1", "msg-1"));
	/* the ambiguity key 0 resolves: "123" is 0x123 (291) or 123 */
	assert_true(match("123", "291")); /* a receipt in decimal of a hex id */
	assert_true(match("123", "7b"));  /* a receipt in hex of a decimal id */
	assert_true(exact("123", "0123"));
	assert_false(exact("123", "291"));
	/* empty ids match nothing, not even each other */
	assert_false(match("", ""));
	assert_false(match("0", ""));
}

/* The excerpt after "text:" is kept, and matched against message bodies
 * with stand-ins for what ASCII cannot write. */
static void t_excerpt(void **state)
{
	(void)state;
	struct receipt_text t;
	const char *r = "id:1A2B sub:001 dlvrd:001 submit date:2611291200 done date:2611291201 "
			"stat:DELIVRD err:000 text:batch 123   ";
	assert_true(receipt_text_parse(r, strlen(r), &t));
	assert_string_equal(t.text, "batch 123");
	const char *none = "id:9 stat:DELIVRD err:0";
	assert_true(receipt_text_parse(none, strlen(none), &t));
	assert_string_equal(t.text, "");
	/* a long tail is cut, never overflows */
	char lng[400];
	snprintf(lng, sizeof lng, "id:9 stat:DELIVRD text:%0300d", 7);
	assert_true(receipt_text_parse(lng, strlen(lng), &t));
	assert_int_equal(strlen(t.text), sizeof t.text - 1);

	assert_true(receipt_excerpt_matches("batch 123", "batch 123"));
	assert_true(receipt_excerpt_matches("Your case is open. Y", "Your case is open. Your manager"));
	assert_false(receipt_excerpt_matches("batch 12", "batch 13"));
	assert_false(receipt_excerpt_matches("batch 1234", "batch 123"));
	assert_false(receipt_excerpt_matches("", "batch"));
	assert_false(receipt_excerpt_matches(NULL, "batch"));
	/* Cyrillic and Chinese written as stand-ins, one per character */
	assert_true(receipt_excerpt_matches("......", "Привет"));
	assert_true(receipt_excerpt_matches("??: 5", "您好: 5"));
	assert_false(receipt_excerpt_matches(".......", "Привет"));
	assert_false(receipt_excerpt_matches("x", "П"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_stat_words),    cmocka_unit_test(t_states),
		cmocka_unit_test(t_reasons),       cmocka_unit_test(t_combine),
		cmocka_unit_test(t_text_standard), cmocka_unit_test(t_text_refused),
		cmocka_unit_test(t_keys_forms),    cmocka_unit_test(t_keys_match),
		cmocka_unit_test(t_excerpt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
