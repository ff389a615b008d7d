/* Unit tests for src/core (foundation part: roles, accounts, masking, demo). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/str.h"
#include "core/account.h"
#include "core/demo.h"
#include "core/mask.h"
#include "core/phone.h"
#include "core/role.h"

static void t_roles(void **state)
{
	(void)state;
	enum role r;
	for (int i = 0; i < ROLE__COUNT; i++) {
		const char *n = role_name((enum role)i);
		assert_true(role_parse(n, strlen(n), &r));
		assert_int_equal(r, i);
	}
	assert_false(role_parse("Admin", 5, &r));
	assert_false(role_parse("admi", 4, &r));
	assert_false(role_parse("", 0, &r));
	assert_string_equal(role_name((enum role)99), "");
	assert_true(role_in(ROLES_ALL, ROLE_FINANCE));
	assert_false(role_in(ROLE_BIT(ROLE_ADMIN), ROLE_FINANCE));
	assert_false(role_in(ROLES_ALL, (enum role)ROLE__COUNT));
}

static void t_login(void **state)
{
	(void)state;
	char out[ACCOUNT_LOGIN_MAX + 1];
	assert_null(account_login_normalize("Ivan.Petrov", 11, out));
	assert_string_equal(out, "ivan.petrov");
	assert_null(account_login_normalize("a1", 2, out));
	assert_non_null(account_login_normalize("a", 1, out));
	assert_non_null(account_login_normalize(".abc", 4, out));
	assert_non_null(account_login_normalize("ab cd", 5, out));
	assert_non_null(account_login_normalize("иван", strlen("иван"), out));
	char long_login[66];
	memset(long_login, 'a', 65);
	long_login[65] = 0;
	assert_non_null(account_login_normalize(long_login, 65, out));
	assert_null(account_login_normalize(long_login, 64, out));
}

static void t_password(void **state)
{
	(void)state;
	assert_null(account_password_check("12345678", 8));
	assert_non_null(account_password_check("1234567", 7));
	/* 8 Cyrillic letters are 16 bytes and 8 characters: fine */
	assert_null(account_password_check("абвгдеёж", strlen("абвгдеёж")));
	assert_non_null(account_password_check("密码密码", strlen("密码密码"))); /* 4 characters */
	assert_non_null(account_password_check("1234\n5678", 9));
	char big[300];
	memset(big, 'x', sizeof big);
	assert_non_null(account_password_check(big, sizeof big));
	assert_true(account_language_valid("ru", 2));
	assert_false(account_language_valid("de", 2));
	assert_false(account_language_valid("rus", 3));
}

static void t_mask(void **state)
{
	(void)state;
	char out[64];
	mask_name("Иванов", strlen("Иванов"), out, sizeof out);
	assert_string_equal(out, "И*****");
	mask_name("张伟", strlen("张伟"), out, sizeof out);
	assert_string_equal(out, "张*");
	mask_name("", 0, out, sizeof out);
	assert_string_equal(out, "");
	mask_phone("+79161234567", 12, out, sizeof out);
	assert_string_equal(out, "+7********67");
	mask_phone("12", 2, out, sizeof out);
	assert_string_equal(out, "**");
	mask_email("ivan.petrov@mail.ru", 19, out, sizeof out);
	assert_string_equal(out, "i***@mail.ru");
	/* a tiny buffer still ends with NUL and never overflows */
	char tiny[3];
	mask_name("Иванов", strlen("Иванов"), tiny, sizeof tiny);
	assert_true(strlen(tiny) < 3);
}

static void t_demo(void **state)
{
	(void)state;
	struct demo_person a, b;
	int ru = 0, zh = 0, en = 0;
	for (uint64_t i = 0; i < 2000; i++) {
		demo_person(i, &a);
		demo_person(i, &b);
		assert_memory_equal(&a, &b, sizeof a); /* deterministic */
		assert_true(str_utf8_valid(a.last_name, strlen(a.last_name)));
		assert_int_equal(strlen(a.birth_date), 10);
		assert_true(a.phone[0] == '+');
		assert_true(a.sex[0] == 'F' || a.sex[0] == 'M');
		ru += strcmp(a.language, "ru") == 0;
		zh += strcmp(a.language, "zh") == 0;
		en += strcmp(a.language, "en") == 0;
	}
	assert_int_equal(ru + zh + en, 2000);
	assert_true(ru > 1000 && zh > 300 && en > 150);
	assert_true(demo_staff_count == ROLE__COUNT);
}

static void P(const char *in, const char *want)
{
	char out[PHONE_E164_MAX + 1];
	bool ok = phone_normalize(in, strlen(in), out);
	if (!want) {
		assert_false(ok);
		assert_string_equal(out, "");
	} else {
		assert_true(ok);
		assert_string_equal(out, want);
	}
}

static void t_phone(void **state)
{
	(void)state;
	P("+7 (916) 123-45-67", "+79161234567");
	P("8 916 123 45 67", "+79161234567");
	P("89161234567", "+79161234567");
	P("9161234567", "+79161234567");
	P("79161234567", "+79161234567");
	P("0086 138 0013 8000", "+8613800138000");
	P("+86 138-0013-8000", "+8613800138000");
	P("+44 20 7123 4567", "+442071234567");
	P("+44 (0)20", NULL);       /* too short once cleaned, and (0) is not ours to guess */
	P("12345", NULL);
	P("+1234567890123456", NULL); /* 16 digits */
	P("+7 916 abc", NULL);
	P("", NULL);
	P("++79161234567", NULL);
	P("2071234567", NULL);      /* no country code and not Russian */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_roles), cmocka_unit_test(t_login), cmocka_unit_test(t_password),
		cmocka_unit_test(t_mask),  cmocka_unit_test(t_demo), cmocka_unit_test(t_phone),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
