/* libFuzzer target: the texts of the notifications issue that come from
 * outside. The first byte picks the parser: a template (core/template.c:
 * validate, names and render must agree, the result is UTF-8 and bounded),
 * a sending-window text (core/window.c: format of a parsed set parses back
 * to the same rules, and window_check answers within the week), or an SMTP
 * URL (jobs/smtp.c: the parts are bounded and the host has no stray
 * characters). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "core/template.h"
#include "core/window.h"
#include "jobs/smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_template(const char *s, size_t n)
{
	struct tpl_error te;
	enum res v = tpl_validate(s, n, NULL, 0, &te);
	char names[8][TPL_NAME_MAX + 1];
	size_t count = 0;
	if (tpl_names(s, n, names, 8, &count, &te) != v)
		abort();
	static const struct tpl_var vars[] = {{"a", "Иван <&>"}, {"b", ""}, {"first_name", "张伟"}};
	struct buf out;
	buf_init(&out, TPL_OUTPUT_MAX);
	enum res r = tpl_render(s, n, vars, 3, TPL_ESCAPE_HTML, &out, &te);
	/* an invalid template never renders; a valid one renders or lacks a
	 * variable (render stops at the first fault, so an invalid template may
	 * fail there for a missing variable first) */
	if ((v != RES_OK && r == RES_OK) ||
	    (v == RES_OK && r != RES_OK && r != RES_UNPROCESSABLE && r != RES_TOO_LARGE))
		abort();
	if (r == RES_OK && (out.len > TPL_OUTPUT_MAX || !str_utf8_valid(out.data ? out.data : "", out.len)))
		abort();
	if (r != RES_OK && te.fault == TPL_FAULT_NONE)
		abort();
	buf_free(&out);
}

static void fuzz_window(const char *s, size_t n)
{
	struct window_rules w, back;
	if (window_parse(s, n, &w, NULL))
		return;
	if (window_rules_check(&w, NULL))
		abort();
	char text[WINDOW_TEXT_MAX * 4];
	if (window_format(&w, text, sizeof text) || window_parse(text, strlen(text), &back, NULL) ||
	    back.n != w.n)
		abort();
	for (size_t i = 0; i < w.n; i++) /* field by field: the struct has padding */
		if (back.rules[i].days != w.rules[i].days || back.rules[i].from != w.rules[i].from ||
		    back.rules[i].to != w.rules[i].to)
			abort();
	struct window_time t = {2026, 3, 29, (int)(n % 24), (int)(n % 60)}, next;
	enum window_answer a = window_check(&w, &t, &next);
	if (a == WINDOW_NEVER)
		abort();
	if (a == WINDOW_LATER && window_check(&w, &next, NULL) != WINDOW_OPEN)
		abort();
}

static void fuzz_url(const char *s, size_t n)
{
	char url[1024];
	if (n >= sizeof url)
		return;
	memcpy(url, s, n);
	url[n] = '\0';
	struct smtp_url u;
	if (smtp_url_parse(url, &u, NULL))
		return;
	if (!u.host[0] || u.port < 1 || u.port > 65535 || strpbrk(u.host, "@/?# \r\n"))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	switch (data[0] % 3) {
	case 0: fuzz_template(s, n); break;
	case 1: fuzz_window(s, n); break;
	default: fuzz_url(s, n); break;
	}
	return 0;
}
