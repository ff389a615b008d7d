/* Unit tests for src/formats/pdfdoc.c: a document in three scripts with
 * fields, paragraphs and a table long enough to break across pages; the
 * text is checked with pdftotext (poppler-utils) when it is installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/pdfdoc.h"

static char *pdftotext(const char *pdf, size_t len)
{
	char path[] = "/tmp/assist-pdfdoc-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, pdf, len), (ssize_t)len);
	close(fd);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "pdftotext -layout %s - 2>/dev/null", path);
	FILE *p = popen(cmd, "r");
	char *text = calloc(1, 1 << 20);
	size_t n = p ? fread(text, 1, (1 << 20) - 1, p) : 0;
	int rc = p ? pclose(p) : -1;
	unlink(path);
	if (rc != 0 || n == 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void t_document(void **state)
{
	(void)state;
	struct pdfdoc *d = pdfdoc_new("Анкета страхового случая № 12", "Case questionnaire · 案件问卷",
				      "assist");
	assert_non_null(d);
	pdfdoc_section(d, "Застрахованный");
	pdfdoc_field(d, "ФИО", "Иванова Анна Сергеевна");
	pdfdoc_field(d, "姓名", "张伟");
	pdfdoc_field(d, "Email", NULL);
	pdfdoc_paragraph(d, "A long paragraph that wraps across the line more than once, because the "
			    "questionnaire keeps what the operator wrote word for word.");
	static const char *const head[] = {"When", "Channel", "Summary"};
	static const double widths[] = {0.25, 0.15, 0.6};
	enum { ROWS = 120 };
	const char **cells = calloc(ROWS * 3, sizeof *cells);
	char (*texts)[64] = calloc(ROWS, sizeof *texts);
	for (int i = 0; i < ROWS; i++) {
		snprintf(texts[i], sizeof texts[i], "Звонок %d: 客户来电", i + 1);
		cells[i * 3] = "2026-11-22 10:00";
		cells[i * 3 + 1] = "phone";
		cells[i * 3 + 2] = texts[i];
	}
	pdfdoc_table(d, 3, head, widths, cells, ROWS);
	char *pdf;
	size_t len;
	struct err e;
	assert_int_equal(pdfdoc_finish(d, &pdf, &len, &e), RES_OK);
	assert_true(len > 1000);
	assert_memory_equal(pdf, "%PDF-", 5);
	char *text = pdftotext(pdf, len);
	if (text) { /* poppler-utils is a test dependency; without it only the bytes are checked */
		assert_non_null(strstr(text, "Иванова Анна Сергеевна"));
		assert_non_null(strstr(text, "张伟"));
		assert_non_null(strstr(text, "Звонок 120: 客户来电"));
		assert_non_null(strstr(text, "Summary"));
		assert_non_null(strstr(text, "\f")); /* more than one page */
		free(text);
	}
	free(pdf);
	free(cells);
	free(texts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_document),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
