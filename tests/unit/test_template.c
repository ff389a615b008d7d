/* Unit tests for src/core/template.c: rendering in en/ru/zh, fallbacks,
 * escapes, HTML escaping, every fault with its position, limits, and the
 * language pick. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "core/template.h"

/* Render and return a malloc'd copy (the test frees it), or NULL with *te. */
static char *render(const char *tpl, const struct tpl_var *v, size_t nv, enum tpl_escape esc,
		    struct tpl_error *te, enum res *res)
{
	struct buf b;
	buf_init(&b, TPL_OUTPUT_MAX);
	struct tpl_error local;
	enum res r = tpl_render(tpl, strlen(tpl), v, nv, esc, &b, te ? te : &local);
	if (res)
		*res = r;
	char *out = r ? NULL : strdup(b.data ? b.data : "");
	buf_free(&b);
	return out;
}

static void assert_render(const char *tpl, const struct tpl_var *v, size_t nv, const char *want)
{
	struct tpl_error te;
	char *got = render(tpl, v, nv, TPL_ESCAPE_NONE, &te, NULL);
	if (!got)
		fail_msg("render of \"%s\" failed: %s at %u:%u", tpl, tpl_fault_text(te.fault), te.line,
			 te.column);
	assert_string_equal(got, want);
	free(got);
}

static void assert_fault(const char *tpl, const struct tpl_var *v, size_t nv, enum tpl_fault f,
			 unsigned line, unsigned col, const char *name)
{
	struct tpl_error te;
	enum res r;
	char *got = render(tpl, v, nv, TPL_ESCAPE_NONE, &te, &r);
	if (got)
		fail_msg("\"%s\" rendered as \"%s\", expected a fault", tpl, got);
	assert_int_equal(te.fault, f);
	assert_int_equal(te.line, line);
	assert_int_equal(te.column, col);
	if (name)
		assert_string_equal(te.name, name);
	assert_int_not_equal(r, RES_OK);
}

static void t_three_languages(void **state)
{
	(void)state;
	const struct tpl_var en[] = {{"first_name", "John"}, {"policy.number", "NORD-2026-000123"},
				     {"due_date", "2026-04-01"}};
	assert_render("Dear {{first_name}}, your policy {{policy.number}} renews on {{due_date}}.", en,
		      3, "Dear John, your policy NORD-2026-000123 renews on 2026-04-01.");
	const struct tpl_var ru[] = {{"first_name", "Пётр"}, {"policy.number", "NORD-2026-000123"},
				     {"due_date", "01.04.2026"}};
	assert_render("Уважаемый {{first_name}}, полис {{policy.number}} продлевается {{due_date}}.",
		      ru, 3, "Уважаемый Пётр, полис NORD-2026-000123 продлевается 01.04.2026.");
	const struct tpl_var zh[] = {{"first_name", "伟"}, {"policy.number", "HXM-2026-000777"},
				     {"due_date", "2026年4月1日"}};
	assert_render("尊敬的{{first_name}}：您的保单{{policy.number}}将于{{due_date}}续期。", zh, 3,
		      "尊敬的伟：您的保单HXM-2026-000777将于2026年4月1日续期。");
	/* a placeholder right next to multi-byte text on both sides, and on its own */
	assert_render("{{first_name}}", zh, 3, "伟");
	assert_render("«{{first_name}}»", ru, 3, "«Пётр»");
	assert_render("", NULL, 0, "");
	assert_render("no placeholders at all", NULL, 0, "no placeholders at all");
}

static void t_fallbacks_and_spaces(void **state)
{
	(void)state;
	const struct tpl_var v[] = {{"name", "Анна"}, {"empty", ""}, {"missing", NULL}};
	assert_render("{{ name }}", v, 3, "Анна");
	assert_render("{{name|клиент}}", v, 3, "Анна");
	assert_render("{{nobody|клиент}}", v, 3, "клиент");
	assert_render("{{ nobody | 客户 }}", v, 3, "客户"); /* spaces around the fallback ignored */
	assert_render("{{missing|n/a}}", v, 3, "n/a");    /* value NULL is missing */
	assert_render("{{empty|n/a}}", v, 3, "n/a");      /* empty with a fallback: the fallback */
	assert_render("[{{empty}}]", v, 3, "[]");         /* empty without one: empty */
	assert_render("{{nobody|}}", v, 3, "");           /* an empty fallback */
	assert_render("{{nobody|a {b} c}}", v, 3, "a {b} c"); /* single braces in a fallback */
	/* the first of two variables with one name wins */
	const struct tpl_var twice[] = {{"x", "1"}, {"x", "2"}};
	assert_render("{{x}}", twice, 2, "1");
}

static void t_escapes(void **state)
{
	(void)state;
	const struct tpl_var v[] = {{"n", "5"}};
	assert_render("{{{{n}}}}", v, 1, "{{n}}");
	assert_render("a {{{{ b }}}} c {{n}}", v, 1, "a {{ b }} c 5");
	assert_render("{ single } braces {n}", v, 1, "{ single } braces {n}");
	assert_render("}}}}", v, 1, "}}");
}

static void t_html(void **state)
{
	(void)state;
	const struct tpl_var v[] = {{"name", "<Tom & \"Jerry\" O'Neil>"}};
	struct tpl_error te;
	char *got = render("<p>{{name}}</p><p>{{none|<b>guest</b>}}</p>", v, 1, TPL_ESCAPE_HTML, &te,
			   NULL);
	assert_non_null(got);
	/* the value is escaped, the author's fallback is not */
	assert_string_equal(got, "<p>&lt;Tom &amp; &quot;Jerry&quot; O&#39;Neil&gt;</p><p><b>guest</b></p>");
	free(got);
}

static void t_faults(void **state)
{
	(void)state;
	const struct tpl_var v[] = {{"name", "Иван"}};
	/* unknown variable without a fallback: named, and where */
	assert_fault("Здравствуйте, {{name}}!\nПолис {{policy_no}}.", v, 1, TPL_FAULT_UNKNOWN, 2, 7,
		     "policy_no");
	assert_fault("您好{{ 姓名 }}", v, 1, TPL_FAULT_BAD_NAME, 1, 6, "姓名");
	assert_fault("{{}}", v, 1, TPL_FAULT_BAD_NAME, 1, 1, "");
	assert_fault("{{ }}", v, 1, TPL_FAULT_BAD_NAME, 1, 1, "");
	assert_fault("x {{1abc}}", v, 1, TPL_FAULT_BAD_NAME, 1, 5, "1abc");
	assert_fault("x {{a b}}", v, 1, TPL_FAULT_BAD_NAME, 1, 6, "a b");
	assert_fault("x {{name", v, 1, TPL_FAULT_UNCLOSED, 1, 3, "");
	assert_fault("{{a {{name}}", v, 1, TPL_FAULT_UNCLOSED, 1, 1, "");
	assert_fault("ok}} not", v, 1, TPL_FAULT_STRAY_CLOSE, 1, 3, "");
	assert_fault("{name}}", v, 1, TPL_FAULT_STRAY_CLOSE, 1, 6, "");
	assert_fault("{{{name}}}", v, 1, TPL_FAULT_BAD_NAME, 1, 3, "{name");
	assert_fault("bad \xff byte", v, 1, TPL_FAULT_UTF8, 1, 5, "");
	assert_fault("ok \xd0", v, 1, TPL_FAULT_UTF8, 1, 4, ""); /* cut in the middle of a letter */
	/* a value that is not UTF-8 */
	const struct tpl_var bad[] = {{"name", "\xc3\x28"}};
	assert_fault("{{name}}", bad, 1, TPL_FAULT_VALUE, 1, 1, "name");

	/* the message for the user */
	struct tpl_error te;
	enum res r;
	assert_null(render("Полис {{policy_no}}", v, 1, TPL_ESCAPE_NONE, &te, &r));
	assert_int_equal(r, RES_UNPROCESSABLE);
	struct err e;
	err_clear(&e);
	assert_int_equal(tpl_error_to_err(&te, "text_ru", &e), RES_UNPROCESSABLE);
	assert_string_equal(e.field, "text_ru");
	assert_string_equal(e.code, "template_variable");
	assert_string_equal(e.message, "line 1, column 7: unknown variable {{policy_no}}");
}

static void t_limits(void **state)
{
	(void)state;
	/* name length */
	char tpl[TPL_TEXT_MAX + 16];
	char name[TPL_NAME_MAX + 2];
	memset(name, 'a', sizeof name - 1);
	name[TPL_NAME_MAX] = '\0';
	snprintf(tpl, sizeof tpl, "{{%s}}", name);
	const struct tpl_var ok[] = {{name, "v"}};
	assert_render(tpl, ok, 1, "v");
	name[TPL_NAME_MAX] = 'a';
	name[TPL_NAME_MAX + 1] = '\0';
	snprintf(tpl, sizeof tpl, "{{%s}}", name);
	assert_fault(tpl, NULL, 0, TPL_FAULT_NAME_TOO_LONG, 1, 3, NULL);
	/* fallback length */
	char fb[TPL_FALLBACK_MAX + 2];
	memset(fb, 'x', sizeof fb - 1);
	fb[sizeof fb - 1] = '\0';
	snprintf(tpl, sizeof tpl, "{{n|%s}}", fb);
	struct tpl_error te;
	assert_int_equal(tpl_validate(tpl, strlen(tpl), NULL, 0, &te), RES_INVALID);
	assert_int_equal(te.fault, TPL_FAULT_FALLBACK);
	fb[TPL_FALLBACK_MAX] = '\0';
	snprintf(tpl, sizeof tpl, "{{n|%s}}", fb);
	assert_int_equal(tpl_validate(tpl, strlen(tpl), NULL, 0, &te), RES_OK);
	/* template length */
	memset(tpl, 'x', TPL_TEXT_MAX + 1);
	tpl[TPL_TEXT_MAX + 1] = '\0';
	assert_int_equal(tpl_validate(tpl, TPL_TEXT_MAX + 1, NULL, 0, &te), RES_INVALID);
	assert_int_equal(te.fault, TPL_FAULT_TOO_LONG);
	assert_int_equal(tpl_validate(tpl, TPL_TEXT_MAX, NULL, 0, &te), RES_OK);
	/* placeholder count */
	size_t k = 0;
	for (int i = 0; i <= TPL_PLACEHOLDERS_MAX; i++)
		k += (size_t)snprintf(tpl + k, sizeof tpl - k, "{{n}}");
	assert_int_equal(tpl_validate(tpl, k, NULL, 0, &te), RES_INVALID);
	assert_int_equal(te.fault, TPL_FAULT_TOO_MANY);
	assert_int_equal(tpl_validate(tpl, k - 5, NULL, 0, &te), RES_OK);
	/* output: 256 placeholders of a 16 KiB value pass TPL_OUTPUT_MAX */
	char *big = malloc(TPL_VALUE_MAX + 1);
	memset(big, 'y', TPL_VALUE_MAX);
	big[TPL_VALUE_MAX] = '\0';
	const struct tpl_var bv[] = {{"n", big}};
	struct buf b;
	buf_init(&b, 64 * 1024 * 1024);
	assert_int_equal(tpl_render(tpl, k - 5, bv, 1, TPL_ESCAPE_NONE, &b, &te), RES_TOO_LARGE);
	assert_int_equal(te.fault, TPL_FAULT_OUTPUT);
	buf_free(&b);
	/* the caller's smaller buffer limit counts too */
	buf_init(&b, 10);
	assert_int_equal(tpl_render("{{n}}", 5, bv, 1, TPL_ESCAPE_NONE, &b, &te), RES_TOO_LARGE);
	buf_free(&b);
	/* a value over TPL_VALUE_MAX */
	char *huge = malloc(TPL_VALUE_MAX + 2);
	memset(huge, 'z', TPL_VALUE_MAX + 1);
	huge[TPL_VALUE_MAX + 1] = '\0';
	const struct tpl_var hv[] = {{"n", huge}};
	assert_fault("{{n}}", hv, 1, TPL_FAULT_VALUE, 1, 1, "n");
	free(big);
	free(huge);
}

static void t_out_of_memory(void **state)
{
	(void)state;
	const struct tpl_var v[] = {{"n", "значение"}};
	struct buf b;
	buf_init(&b, 4096);
	struct tpl_error te;
	mem_fail_after(1);
	assert_int_equal(tpl_render("текст {{n}}", strlen("текст {{n}}"), v, 1, TPL_ESCAPE_NONE, &b,
				    &te),
			 RES_NOMEM);
	mem_fail_after(0);
	assert_int_equal(te.fault, TPL_FAULT_NOMEM);
	buf_free(&b);
}

static void t_validate_and_names(void **state)
{
	(void)state;
	const char *known[] = {"first_name", "policy.number", "due_date"};
	const char *t = "{{first_name}} {{policy.number}} {{first_name}} {{due_date|скоро}}";
	struct tpl_error te;
	assert_int_equal(tpl_validate(t, strlen(t), known, 3, &te), RES_OK);
	assert_int_equal(tpl_validate(t, strlen(t), NULL, 0, &te), RES_OK);
	/* a typo is caught even with a fallback */
	const char *typo = "Hello {{first_nmae|friend}}";
	assert_int_equal(tpl_validate(typo, strlen(typo), known, 3, &te), RES_INVALID);
	assert_int_equal(te.fault, TPL_FAULT_UNKNOWN);
	assert_string_equal(te.name, "first_nmae");
	assert_int_equal(te.column, 7);
	/* the names, in order, once each */
	char names[4][TPL_NAME_MAX + 1];
	size_t count;
	assert_int_equal(tpl_names(t, strlen(t), names, 4, &count, &te), RES_OK);
	assert_int_equal(count, 3);
	assert_string_equal(names[0], "first_name");
	assert_string_equal(names[1], "policy.number");
	assert_string_equal(names[2], "due_date");
	assert_int_equal(tpl_names(t, strlen(t), names, 1, &count, &te), RES_OK);
	assert_true(count > 1); /* too small a cap shows */
	assert_int_equal(tpl_names("{{a}", 4, names, 4, &count, &te), RES_INVALID);
	assert_int_equal(te.fault, TPL_FAULT_UNCLOSED);
}

static void t_lang_pick(void **state)
{
	(void)state;
	const char *all[] = {"en", "ru", "zh"};
	assert_int_equal(tpl_lang_pick("ru", all, 3), 1);
	assert_int_equal(tpl_lang_pick("zh", all, 3), 2);
	assert_int_equal(tpl_lang_pick("ru-RU", all, 3), 1);
	assert_int_equal(tpl_lang_pick("ZH-Hans-CN", all, 3), 2);
	assert_int_equal(tpl_lang_pick("de", all, 3), 0); /* English when theirs is missing */
	assert_int_equal(tpl_lang_pick(NULL, all, 3), 0);
	const char *no_en[] = {"zh", "ru"};
	assert_int_equal(tpl_lang_pick("de", no_en, 2), 0); /* else the first there is */
	assert_int_equal(tpl_lang_pick("ru", no_en, 2), 1);
	assert_int_equal(tpl_lang_pick("en", NULL, 0), -1);
	const char *rus[] = {"ru"};
	assert_int_equal(tpl_lang_pick("r", rus, 1), 0); /* "r" is not "ru": the first */
	assert_int_equal(tpl_lang_pick("", rus, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_three_languages), cmocka_unit_test(t_fallbacks_and_spaces),
		cmocka_unit_test(t_escapes),         cmocka_unit_test(t_html),
		cmocka_unit_test(t_faults),          cmocka_unit_test(t_limits),
		cmocka_unit_test(t_out_of_memory),   cmocka_unit_test(t_validate_and_names),
		cmocka_unit_test(t_lang_pick),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
