/* Hand-written because no Debian C library offers a streaming, bounded CSV
 * reader with this error reporting (libcsv is not packaged for Debian 12). */
#include "formats/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

enum state { ST_START, ST_FIELD, ST_QUOTED, ST_QUOTE_IN_QUOTED, ST_CR };

struct csv {
	char delim;
	bool detect, bom_checked;
	enum state st;
	csv_row_fn fn;
	void *ctx;
	char *buf;          /* the current row's field bytes */
	size_t len, cap;
	size_t starts[CSV_MAX_FIELDS + 1];
	size_t nfields;
	size_t row;         /* rows completed */
	size_t line;        /* physical line, for errors */
	char err[160];
	/* delimiter detection: hold the first line until it is complete */
	char *pending;
	size_t npending, cappending;
};

struct csv *csv_new(char delimiter, csv_row_fn fn, void *ctx)
{
	struct csv *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->delim = delimiter ? delimiter : ',';
	c->detect = delimiter == 0;
	c->fn = fn;
	c->ctx = ctx;
	c->line = 1;
	return c;
}

void csv_free(struct csv *c)
{
	if (!c)
		return;
	free(c->buf);
	free(c->pending);
	free(c);
}

const char *csv_error(const struct csv *c) { return c->err; }
size_t csv_rows(const struct csv *c) { return c->row; }

static int fail(struct csv *c, const char *what)
{
	snprintf(c->err, sizeof c->err, "line %zu: %s", c->line, what);
	return -1;
}

static int put(struct csv *c, char ch)
{
	size_t field_len = c->len - c->starts[c->nfields];
	if (field_len >= CSV_MAX_FIELD)
		return fail(c, "a field is longer than 64 KiB");
	if (c->len == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		char *b = realloc(c->buf, cap);
		if (!b)
			return fail(c, "out of memory");
		c->buf = b;
		c->cap = cap;
	}
	c->buf[c->len++] = ch;
	return 0;
}

static int end_field(struct csv *c)
{
	if (c->nfields + 1 >= CSV_MAX_FIELDS)
		return fail(c, "more than 256 columns");
	c->nfields++;
	c->starts[c->nfields] = c->len;
	return 0;
}

static int end_row(struct csv *c)
{
	int rc = end_field(c);
	if (rc)
		return rc;
	struct slice f[CSV_MAX_FIELDS];
	for (size_t i = 0; i < c->nfields; i++)
		f[i] = (struct slice){c->buf ? c->buf + c->starts[i] : "", c->starts[i + 1] - c->starts[i]};
	/* a completely empty line is skipped, not a row of one empty field */
	if (!(c->nfields == 1 && f[0].n == 0)) {
		c->row++;
		rc = c->fn(c->ctx, c->row, f, c->nfields);
	}
	c->len = 0;
	c->nfields = 0;
	c->starts[0] = 0;
	return rc;
}

/* A delimiter ends the field, a line break the row: true when ch was one. */
static bool field_end(struct csv *c, char ch, int *rc)
{
	if (ch == c->delim) {
		*rc = end_field(c);
		c->st = ST_START;
	} else if (ch == '\n' || ch == '\r') {
		*rc = end_row(c);
		c->line++;
		c->st = ch == '\r' ? ST_CR : ST_START;
	} else {
		return false;
	}
	return true;
}

static int step(struct csv *c, char ch)
{
	int rc = 0;
	switch (c->st) {
	case ST_CR:
		c->st = ST_START;
		if (ch == '\n')
			return 0; /* CRLF: the row already ended at CR */
		/* fallthrough */
	case ST_START:
	case ST_FIELD:
		if (ch == '"' && c->st == ST_START && c->len == c->starts[c->nfields]) {
			c->st = ST_QUOTED;
		} else if (!field_end(c, ch, &rc)) {
			rc = put(c, ch);
			c->st = ST_FIELD;
		}
		break;
	case ST_QUOTED:
		if (ch == '"')
			c->st = ST_QUOTE_IN_QUOTED;
		else {
			if (ch == '\n')
				c->line++;
			rc = put(c, ch);
		}
		break;
	case ST_QUOTE_IN_QUOTED:
		if (ch == '"') {
			rc = put(c, '"');
			c->st = ST_QUOTED;
		} else if (!field_end(c, ch, &rc)) {
			return fail(c, "a quote inside a quoted field must be doubled");
		}
		break;
	}
	return rc;
}

static int feed_raw(struct csv *c, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = step(c, p[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* The first line decides: more ';' than ',' outside quotes means ';'. */
static void detect(struct csv *c, const char *p, size_t n)
{
	size_t commas = 0, semis = 0;
	bool q = false;
	for (size_t i = 0; i < n && (q || (p[i] != '\n' && p[i] != '\r')); i++) {
		if (p[i] == '"')
			q = !q;
		else if (!q && p[i] == ',')
			commas++;
		else if (!q && p[i] == ';')
			semis++;
	}
	c->delim = semis > commas ? ';' : ',';
	c->detect = false;
}

static int start(struct csv *c, const char *p, size_t n)
{
	c->bom_checked = true;
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		n -= 3;
	}
	if (c->detect)
		detect(c, p, n);
	return feed_raw(c, p, n);
}

static int flush_pending(struct csv *c)
{
	int rc = start(c, c->pending ? c->pending : "", c->npending);
	free(c->pending);
	c->pending = NULL;
	c->npending = c->cappending = 0;
	return rc;
}

int csv_feed(struct csv *c, const char *p, size_t n)
{
	if (n == 0)
		return 0;
	if (c->bom_checked)
		return feed_raw(c, p, n);
	/* hold bytes until the first line is complete: it decides the delimiter */
	size_t take = 0;
	while (take < n && p[take] != '\n' && p[take] != '\r')
		take++;
	bool eol = take < n;
	take += eol;
	if (c->npending + take > (4u << 20))
		return fail(c, "the first line is longer than 4 MiB");
	if (c->npending + take > c->cappending) {
		size_t cap = (c->npending + take) * 2 + 256;
		char *b = realloc(c->pending, cap);
		if (!b)
			return fail(c, "out of memory");
		c->pending = b;
		c->cappending = cap;
	}
	memcpy(c->pending + c->npending, p, take);
	c->npending += take;
	if (!eol)
		return 0;
	int rc = flush_pending(c);
	if (rc || take == n)
		return rc;
	return feed_raw(c, p + take, n - take);
}

int csv_finish(struct csv *c)
{
	int rc;
	if (!c->bom_checked && (rc = flush_pending(c)))
		return rc;
	if (c->st == ST_QUOTED)
		return fail(c, "a quoted field is not closed");
	if (c->len || c->nfields || c->st == ST_QUOTE_IN_QUOTED || c->st == ST_FIELD) {
		c->st = ST_START;
		return end_row(c);
	}
	return 0;
}
