/* Unit tests for src/core/sms.c: GSM 7-bit and UCS-2, splitting with
 * concatenation headers, and decoding inbound messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/sms.h"

#define S(x) x, strlen(x)

static struct sms_part parts[SMS_MAX_PARTS];

static void t_alphabet(void **state)
{
	(void)state;
	assert_true(sms_gsm7_ok(S("Hello, world! @£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ ¤¡ÄÖÑÜ§¿äöñüà")));
	assert_true(sms_gsm7_ok(S("{}[]~\\|^€\f")));
	assert_true(sms_gsm7_ok(S("")));
	assert_false(sms_gsm7_ok(S("Привет")));
	assert_false(sms_gsm7_ok(S("你好")));
	assert_false(sms_gsm7_ok(S("naïve"))); /* ï is not in the table */
	assert_false(sms_gsm7_ok(S("`")));
	assert_false(sms_gsm7_ok(S("\x1b")));    /* the escape itself is no character */
	assert_false(sms_gsm7_ok(S("\xc3")));    /* truncated UTF-8 */
	assert_false(sms_gsm7_ok(S("\xc0\xaf"))); /* overlong */
	assert_false(sms_gsm7_ok(S("\xed\xa0\x80"))); /* a surrogate */
}

static void t_measure(void **state)
{
	(void)state;
	enum sms_coding c;
	size_t np, units;
	char buf[1024];
	memset(buf, 'a', sizeof buf);
	assert_true(sms_measure(buf, 160, &c, &np, &units));
	assert_int_equal(c, SMS_GSM7);
	assert_int_equal(np, 1);
	assert_int_equal(units, 160);
	assert_true(sms_measure(buf, 161, &c, &np, &units));
	assert_int_equal(np, 2); /* 153 + 8 */
	memset(buf, 'a', 306);
	assert_true(sms_measure(buf, 306, &c, &np, &units));
	assert_int_equal(np, 2);
	assert_true(sms_measure(buf, 307, &c, &np, &units));
	assert_int_equal(np, 3);
	/* an extension character costs two septets */
	assert_true(sms_measure(S("€"), &c, &np, &units));
	assert_int_equal(c, SMS_GSM7);
	assert_int_equal(units, 2);
	/* Russian: UCS-2, 70 in one, 67 per part */
	size_t k = 0;
	for (int i = 0; i < 70; i++)
		k += (size_t)snprintf(buf + k, sizeof buf - k, "Ж");
	assert_true(sms_measure(buf, k, &c, &np, &units));
	assert_int_equal(c, SMS_UCS2);
	assert_int_equal(np, 1);
	assert_int_equal(units, 70);
	k += (size_t)snprintf(buf + k, sizeof buf - k, "Ж");
	assert_true(sms_measure(buf, k, &c, &np, &units));
	assert_int_equal(np, 2);
	/* a character beyond the BMP is two units */
	assert_true(sms_measure(S("😀"), &c, &np, &units));
	assert_int_equal(units, 2);
	assert_false(sms_measure(S("\xff"), &c, &np, &units));
}

static void t_split_gsm(void **state)
{
	(void)state;
	size_t n;
	enum sms_coding c;
	assert_true(sms_split(S("Hi {name}"), 7, parts, SMS_MAX_PARTS, &n, &c));
	assert_int_equal(n, 1);
	assert_int_equal(c, SMS_GSM7);
	/* no header, septets unpacked: { is ESC 0x28 */
	const uint8_t want[] = {'H', 'i', ' ', 0x1B, 0x28, 'n', 'a', 'm', 'e', 0x1B, 0x29};
	assert_int_equal(parts[0].len, sizeof want);
	assert_memory_equal(parts[0].data, want, sizeof want);
	/* @ is septet 0 */
	assert_true(sms_split(S("@"), 1, parts, SMS_MAX_PARTS, &n, &c));
	assert_int_equal(parts[0].len, 1);
	assert_int_equal(parts[0].data[0], 0);

	/* 152 'a' then '€': the escape pair does not straddle parts */
	char buf[400];
	memset(buf, 'a', 152);
	memcpy(buf + 152, "€", 3);
	memset(buf + 155, 'b', 10);
	assert_true(sms_split(buf, 165, 0x42, parts, SMS_MAX_PARTS, &n, &c));
	assert_int_equal(n, 2);
	const uint8_t udh1[6] = {0x05, 0x00, 0x03, 0x42, 2, 1}, udh2[6] = {0x05, 0x00, 0x03, 0x42, 2, 2};
	assert_memory_equal(parts[0].data, udh1, 6);
	assert_memory_equal(parts[1].data, udh2, 6);
	assert_int_equal(parts[0].len, 6 + 152);
	assert_int_equal(parts[1].data[6], 0x1B);
	assert_int_equal(parts[1].data[7], 0x65);
	assert_int_equal(parts[1].len, 6 + 2 + 10);
	/* exactly 153 per part */
	memset(buf, 'x', 306);
	assert_true(sms_split(buf, 306, 1, parts, SMS_MAX_PARTS, &n, &c));
	assert_int_equal(n, 2);
	assert_int_equal(parts[0].len, 159);
	assert_int_equal(parts[1].len, 159);
	/* too many parts for the room given */
	assert_false(sms_split(buf, 306, 1, parts, 1, &n, &c));
	assert_int_equal(n, 2);
	/* empty and invalid */
	assert_false(sms_split("", 0, 1, parts, SMS_MAX_PARTS, &n, &c));
	assert_false(sms_split(S("a\xe2\x82"), 1, parts, SMS_MAX_PARTS, &n, &c));
}

static void t_split_ucs2(void **state)
{
	(void)state;
	size_t n;
	enum sms_coding c;
	assert_true(sms_split(S("Да 你好"), 9, parts, SMS_MAX_PARTS, &n, &c));
	assert_int_equal(c, SMS_UCS2);
	assert_int_equal(n, 1);
	const uint8_t want[] = {0x04, 0x14, 0x04, 0x30, 0x00, 0x20, 0x4F, 0x60, 0x59, 0x7D};
	assert_int_equal(parts[0].len, sizeof want);
	assert_memory_equal(parts[0].data, want, sizeof want);
	/* a surrogate pair is not split: 66 units then an emoji (2 units) */
	char buf[600];
	size_t k = 0;
	for (int i = 0; i < 66; i++)
		k += (size_t)snprintf(buf + k, sizeof buf - k, "Я");
	k += (size_t)snprintf(buf + k, sizeof buf - k, "😀!!!!!"); /* 73 units: two parts */
	assert_true(sms_split(buf, k, 7, parts, SMS_MAX_PARTS, &n, &c));
	assert_int_equal(n, 2);
	assert_int_equal(parts[0].len, 6 + 66 * 2); /* the pair would make 68 of 67 */
	assert_int_equal(parts[1].len, 6 + 4 + 10);
	assert_int_equal(parts[1].data[6], 0xD8);
	assert_int_equal(parts[1].data[7], 0x3D);
	assert_int_equal(parts[1].data[8], 0xDE);
	assert_int_equal(parts[1].data[9], 0x00);
	/* a long Russian text round-trips through decode */
	k = 0;
	for (int i = 0; i < 30; i++)
		k += (size_t)snprintf(buf + k, sizeof buf - k, "Полис %d; ", i);
	assert_true(sms_split(buf, k, 9, parts, SMS_MAX_PARTS, &n, &c));
	char whole[2000];
	size_t wl = 0;
	for (size_t i = 0; i < n; i++) {
		char out[400];
		size_t ol;
		struct sms_concat cc;
		assert_true(sms_decode(parts[i].data, parts[i].len, SMS_DATA_CODING_UCS2, n > 1, out,
				       sizeof out, &ol, &cc));
		assert_true(cc.present);
		assert_int_equal(cc.ref, 9);
		assert_int_equal(cc.total, n);
		assert_int_equal(cc.seq, i + 1);
		memcpy(whole + wl, out, ol);
		wl += ol;
	}
	assert_int_equal(wl, k);
	assert_memory_equal(whole, buf, k);
}

static void t_decode(void **state)
{
	(void)state;
	char out[64];
	size_t n;
	struct sms_concat c;
	const uint8_t gsm[] = {'Y', 'E', 'S', ' ', 0x1B, 0x65, ' ', 0x00, 0x11};
	assert_true(sms_decode(gsm, sizeof gsm, 0, false, out, sizeof out, &n, &c));
	assert_string_equal(out, "YES € @_");
	assert_false(c.present);
	/* a 16-bit reference */
	const uint8_t udh16[] = {0x06, 0x08, 0x04, 0x12, 0x34, 0x03, 0x02, '9'};
	assert_true(sms_decode(udh16, sizeof udh16, 0, true, out, sizeof out, &n, &c));
	assert_string_equal(out, "9");
	assert_true(c.present);
	assert_int_equal(c.ref, 0x1234);
	assert_int_equal(c.total, 3);
	assert_int_equal(c.seq, 2);
	/* latin-1 */
	const uint8_t l1[] = {'c', 0xE9};
	assert_true(sms_decode(l1, 2, 3, false, out, sizeof out, &n, &c));
	assert_string_equal(out, "cé");
	/* UCS-2 with a lone surrogate becomes U+FFFD */
	const uint8_t lone[] = {0xD8, 0x00, 0x00, 0x41};
	assert_true(sms_decode(lone, 4, 8, false, out, sizeof out, &n, &c));
	assert_string_equal(out, "\xef\xbf\xbd" "A");
	/* malformed */
	const uint8_t odd[] = {0x00, 0x41, 0x00};
	assert_false(sms_decode(odd, 3, 8, false, out, sizeof out, &n, &c));
	const uint8_t badudh[] = {0x09, 0x00, 0x03};
	assert_false(sms_decode(badudh, 3, 0, true, out, sizeof out, &n, &c));
	const uint8_t badie[] = {0x03, 0x00, 0x05, 0x01, 'x'};
	assert_false(sms_decode(badie, sizeof badie, 0, true, out, sizeof out, &n, &c));
	assert_false(sms_decode(gsm, sizeof gsm, 4, false, out, sizeof out, &n, &c)); /* 8-bit data */
	assert_false(sms_decode(gsm, sizeof gsm, 0, false, out, 4, &n, &c)); /* too small */
	assert_false(sms_decode(gsm, 0, 0, true, out, sizeof out, &n, &c)); /* no header at all */
	/* an unknown extension septet: no-break space; a trailing escape: a space */
	const uint8_t ext[] = {0x1B, 0x01, 'a', 0x1B};
	assert_true(sms_decode(ext, 4, 0, false, out, sizeof out, &n, &c));
	assert_string_equal(out, "\xc2\xa0" "a ");
	/* every basic septet decodes and encodes back */
	for (int s = 0; s < 128; s++) {
		if (s == 0x1B)
			continue;
		uint8_t one = (uint8_t)s;
		assert_true(sms_decode(&one, 1, 0, false, out, sizeof out, &n, &c));
		size_t np;
		enum sms_coding co;
		assert_true(sms_split(out, n, 0, parts, 1, &np, &co));
		assert_int_equal(co, SMS_GSM7);
		assert_int_equal(parts[0].len, 1);
		assert_int_equal(parts[0].data[0], s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_alphabet),	 cmocka_unit_test(t_measure),
		cmocka_unit_test(t_split_gsm),	 cmocka_unit_test(t_split_ucs2),
		cmocka_unit_test(t_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
