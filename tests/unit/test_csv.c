/* Unit tests for src/formats/csv.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/csv.h"

static char got[4096];

static int collect(void *ctx, size_t row, const struct slice *f, size_t n)
{
	(void)ctx;
	size_t len = strlen(got);
	len += (size_t)snprintf(got + len, sizeof got - len, "%zu:", row);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(got + len, sizeof got - len, "[%.*s]", (int)f[i].n, f[i].p);
	snprintf(got + len, sizeof got - len, "\n");
	return 0;
}

/* Parse s fed in chunks of every size from 1 to its length: the same rows. */
static void check(const char *s, char delim, const char *want)
{
	size_t n = strlen(s);
	for (size_t chunk = 1; chunk <= n; chunk++) {
		got[0] = '\0';
		struct csv *c = csv_new(delim, collect, NULL);
		int rc = 0;
		for (size_t i = 0; i < n && !rc; i += chunk)
			rc = csv_feed(c, s + i, i + chunk <= n ? chunk : n - i);
		if (!rc)
			rc = csv_finish(c);
		if (rc)
			fail_msg("chunk %zu: %s", chunk, csv_error(c));
		if (strcmp(got, want) != 0)
			fail_msg("chunk %zu:\n%s\nwanted\n%s", chunk, got, want);
		csv_free(c);
	}
}

static void t_basic(void **state)
{
	(void)state;
	check("a,b,c\n1,2,3\n", 0, "1:[a][b][c]\n2:[1][2][3]\n");
	check("a,b\r\n1,2", 0, "1:[a][b]\n2:[1][2]\n");         /* CRLF, no final newline */
	check("a;b\n\"x;y\";2\n", 0, "1:[a][b]\n2:[x;y][2]\n");  /* ';' detected */
	check("a,b\n\"he said \"\"hi\"\"\",\"two\nlines\"\n", 0,
	      "1:[a][b]\n2:[he said \"hi\"][two\nlines]\n");
	check("\xEF\xBB\xBFname,x\nИванов,1\n", 0, "1:[name][x]\n2:[Иванов][1]\n"); /* BOM */
	check("a,b,\n\n,,\n", 0, "1:[a][b][]\n2:[][][]\n");      /* empty line skipped */
	check("a\tb\n", '\t', "1:[a][b]\n");
	check("x", 0, "1:[x]\n");
}

static void t_errors(void **state)
{
	(void)state;
	struct csv *c = csv_new(',', collect, NULL);
	got[0] = '\0';
	assert_int_equal(csv_feed(c, "a,\"b\n", 5), 0);
	assert_int_equal(csv_finish(c), -1);
	assert_non_null(strstr(csv_error(c), "not closed"));
	csv_free(c);
	c = csv_new(',', collect, NULL);
	assert_int_equal(csv_feed(c, "\"a\"b,c\n", 7), -1);
	assert_non_null(strstr(csv_error(c), "line 1"));
	csv_free(c);
	/* too many columns */
	char wide[1024];
	memset(wide, ',', 300);
	wide[300] = '\n';
	c = csv_new(',', collect, NULL);
	assert_int_equal(csv_feed(c, wide, 301), -1);
	csv_free(c);
}

static int stop_at_2(void *ctx, size_t row, const struct slice *f, size_t n)
{
	(void)ctx, (void)f, (void)n;
	return row == 2 ? 7 : 0;
}

static void t_stop(void **state)
{
	(void)state;
	struct csv *c = csv_new(',', stop_at_2, NULL);
	assert_int_equal(csv_feed(c, "a\nb\nc\n", 6), 7);
	csv_free(c);
}

static size_t counted;
static int count_rows(void *ctx, size_t row, const struct slice *f, size_t n)
{
	(void)ctx, (void)row, (void)f, (void)n;
	counted++;
	return 0;
}

/* A whole file in one call, far bigger than the 4 MiB the first line may
 * take, with ';' decided by the header; and a header that never ends. */
static void t_big_feed(void **state)
{
	(void)state;
	size_t rows = 600000, n = 0;
	char *big = malloc(rows * 10 + 16);
	assert_non_null(big);
	n += (size_t)sprintf(big, "a;b\n");
	for (size_t i = 1; i < rows; i++)
		n += (size_t)sprintf(big + n, "%06zu;x\n", i);
	assert_true(n > (5u << 20));
	counted = 0;
	struct csv *c = csv_new(0, count_rows, NULL);
	assert_int_equal(csv_feed(c, big, n), 0);
	assert_int_equal(csv_finish(c), 0);
	assert_int_equal(counted, rows);
	csv_free(c);
	memset(big, 'h', n);
	c = csv_new(0, count_rows, NULL);
	assert_int_equal(csv_feed(c, big, n), -1);
	assert_non_null(strstr(csv_error(c), "longer than 4 MiB"));
	csv_free(c);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_basic),
		cmocka_unit_test(t_errors),
		cmocka_unit_test(t_stop),
		cmocka_unit_test(t_big_feed),
	};
	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
