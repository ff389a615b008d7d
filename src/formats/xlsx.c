/* Hand-written on top of minizip and expat because no Debian 12 library
 * reads XLSX as a stream: libxlsxwriter only writes, freexl 1.0 reads only
 * the old binary .xls, and the XLSX readers that exist elsewhere are not
 * packaged or load a whole sheet into memory. minizip gives random access
 * to the archive held in memory (custom I/O functions, no temporary file);
 * expat parses each part in 64 KiB pieces as they inflate, so the sheet's
 * XML is never held whole. Only the shared strings (cells refer to them by
 * number, so they must be at hand) and the cell formats are kept.
 *
 * Hostile input: sizes are checked as the archive declares them and again
 * as they inflate (a zip bomb stops at the cap), a DTD is refused (so no
 * entity can expand), nesting and token sizes are bounded, and every
 * number read from the XML is range-checked before it indexes anything. */
#include "formats/xlsx.h"

#include <expat.h>
#include <minizip/unzip.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"

#define CHUNK (64 * 1024)
#define PATH_MAX_LEN 256 /* minizip's longest name, with the NUL */
#define MAX_SHEETS 256   /* sheets of workbook.xml looked at for the first worksheet */
#define ID_MAX 64        /* a relationship id, with the NUL */
#define NUM_MAX 64       /* a number's plain decimal form */
#define EXCEL_ROWS 1048576
#define EXCEL_COLUMNS 16384

/* The archive: in memory, or a file read with pread (the command line:
 * a mapped file's pages would count in the process's memory). */
struct mem {
	const char *p;
	size_t len, pos;
	int fd; /* >= 0: read from this file, p unused */
};

struct numfmt {
	uint32_t id;
	bool date;
};

struct xlsx {
	struct mem mem;
	unzFile zip;
	bool failed;
	size_t err_row;
	char err[200];
	bool date1904;
	/* workbook.xml's sheets, in order, and what the rels say of them */
	char (*rids)[ID_MAX];
	size_t nrids;
	size_t sheet_rank; /* index into rids of the sheet chosen so far */
	char sheet[PATH_MAX_LEN], shared[PATH_MAX_LEN], styles[PATH_MAX_LEN];
	/* shared strings: string i is sst[off[i] .. off[i + 1]) */
	char *sst;
	size_t sst_len, sst_cap;
	uint32_t *off;
	size_t nsst, off_cap;
	/* styles: numFmtId of each cellXfs entry, custom number formats */
	uint32_t *xf_fmt;
	size_t nxf;
	struct numfmt *fmts;
	size_t nfmts;
	bool *xf_date;
	/* the text of the current string item or cell */
	char *text;
	size_t text_len;
	/* the current row's fields */
	char *row;
	size_t row_len, row_cap;
	size_t starts[XLSX_MAX_COLUMNS + 1];
	size_t nfields;
};

enum part_kind { PART_WORKBOOK, PART_RELS, PART_STYLES, PART_SHARED, PART_SHEET };

/* One part being parsed: expat's user data. */
struct pctx {
	struct xlsx *x;
	XML_Parser p;
	const char *part;
	enum part_kind kind;
	int depth;
	uint64_t fed, last_event; /* bytes given to expat; fed when a handler last ran */
	/* string items: <si> of sharedStrings.xml, <is> of a cell */
	int item_depth, run_depth, text_depth; /* 0 = not inside */
	/* workbook.xml, styles.xml */
	bool in_sheets, in_numfmts, in_cellxfs;
	/* the sheet */
	bool in_data, in_row, in_cell, in_value;
	size_t rownum, last_row;
	size_t col;     /* the last cell's column + 1 (0 before the first) */
	size_t cell_col;
	char type;      /* 'n' number, 's' shared, 'i' inline, 't' str, 'b', 'e', 'd' */
	bool date_style;
	xlsx_row_fn fn;
	void *ctx;
	int cb_rc;
};

/* ---- errors ---- */

__attribute__((format(printf, 3, 0))) static void vreject(struct xlsx *x, size_t row, const char *fmt,
							 va_list ap)
{
	if (x->failed)
		return;
	x->failed = true;
	x->err_row = row;
	vsnprintf(x->err, sizeof x->err, fmt, ap);
}

__attribute__((format(printf, 3, 4))) static int reject(struct xlsx *x, size_t row, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreject(x, row, fmt, ap);
	va_end(ap);
	return -1;
}

/* From a handler: record the error and stop the parser. */
__attribute__((format(printf, 3, 4))) static void stop(struct pctx *c, size_t row, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreject(c->x, row, fmt, ap);
	va_end(ap);
	XML_StopParser(c->p, XML_FALSE);
}

static bool stopped(const struct pctx *c)
{
	return c->x->failed || c->cb_rc;
}

static const char *size_text(uint64_t n, char buf[24])
{
	if (n >= (1u << 30) && n % (1u << 30) == 0)
		snprintf(buf, 24, "%llu GiB", (unsigned long long)(n >> 30));
	else if (n >= (1u << 20) && n % (1u << 20) == 0)
		snprintf(buf, 24, "%llu MiB", (unsigned long long)(n >> 20));
	else
		snprintf(buf, 24, "%llu bytes", (unsigned long long)n);
	return buf;
}

/* ---- the archive in memory: minizip's I/O functions ---- */

static voidpf ZCALLBACK mem_open(voidpf opaque, const void *name, int mode)
{
	(void)name;
	(void)mode;
	struct mem *m = opaque;
	m->pos = 0;
	return m;
}

static uLong ZCALLBACK mem_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
	(void)opaque;
	struct mem *m = stream;
	size_t n = m->len - m->pos < size ? m->len - m->pos : size;
	if (m->fd < 0) {
		memcpy(buf, m->p + m->pos, n);
	} else {
		size_t got = 0;
		while (got < n) {
			ssize_t k = pread(m->fd, (char *)buf + got, n - got, (off_t)(m->pos + got));
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break; /* minizip sees a short read: a damaged archive */
			got += (size_t)k;
		}
		n = got;
	}
	m->pos += n;
	return (uLong)n;
}

static uLong ZCALLBACK mem_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
	(void)opaque;
	(void)stream;
	(void)buf;
	(void)size;
	return 0; /* read only */
}

static ZPOS64_T ZCALLBACK mem_tell(voidpf opaque, voidpf stream)
{
	(void)opaque;
	return ((struct mem *)stream)->pos;
}

static long ZCALLBACK mem_seek(voidpf opaque, voidpf stream, ZPOS64_T offset, int origin)
{
	(void)opaque;
	struct mem *m = stream;
	ZPOS64_T base;
	switch (origin) {
	case ZLIB_FILEFUNC_SEEK_SET: base = 0; break;
	case ZLIB_FILEFUNC_SEEK_CUR: base = m->pos; break;
	case ZLIB_FILEFUNC_SEEK_END: base = m->len; break;
	default: return -1;
	}
	/* offsets come from the archive itself: anything past the end is damage */
	if (offset > m->len || base + offset > m->len)
		return -1;
	m->pos = (size_t)(base + offset);
	return 0;
}

static int ZCALLBACK mem_close(voidpf opaque, voidpf stream)
{
	(void)opaque;
	(void)stream;
	return 0;
}

static int ZCALLBACK mem_error(voidpf opaque, voidpf stream)
{
	(void)opaque;
	(void)stream;
	return 0;
}

/* ---- small parsers ---- */

/* The local part of an expat name ("uri|local" with namespaces on). */
static const char *local(const char *name)
{
	const char *bar = strrchr(name, '|');
	return bar ? bar + 1 : name;
}

/* An attribute without a namespace (how OOXML writes all but r:id). */
static const char *attr(const char **atts, const char *name)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (strcmp(atts[i], name) == 0)
			return atts[i + 1];
	return NULL;
}

/* r:id: "id" in the relationships namespace (transitional or strict). */
static const char *attr_rid(const char **atts)
{
	static const char suffix[] = "relationships|id";
	for (size_t i = 0; atts[i]; i += 2) {
		size_t n = strlen(atts[i]);
		if (n >= sizeof suffix - 1 && strcmp(atts[i] + n - (sizeof suffix - 1), suffix) == 0)
			return atts[i + 1];
	}
	return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Decimal digits only, at most 10 of them: an index or a count. */
static bool parse_uint(const char *s, size_t n, uint64_t *out)
{
	if (n == 0 || n > 10)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* "C7" as the spreadsheet writes it: column (0-based) and row. */
static bool parse_ref(const char *s, size_t *col, size_t *row)
{
	size_t i = 0, c = 0;
	for (; s[i] >= 'A' && s[i] <= 'Z'; i++) {
		if (i == 3)
			return false;
		c = c * 26 + (size_t)(s[i] - 'A' + 1);
	}
	uint64_t r;
	if (i == 0 || c > EXCEL_COLUMNS || s[i] == '0' || !parse_uint(s + i, strlen(s + i), &r) ||
	    r < 1 || r > EXCEL_ROWS)
		return false;
	*col = c - 1;
	*row = (size_t)r;
	return true;
}

/* Column letters of a 0-based column, for messages. */
static const char *col_name(size_t col, char buf[8])
{
	char tmp[8];
	size_t n = 0;
	for (size_t c = col + 1; c && n < 7; c = (c - 1) / 26)
		tmp[n++] = (char)('A' + (c - 1) % 26);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return buf;
}

/* A number as a cell's <v> holds it ("45658", "4.5658E4", "-0.50", "1E+7")
 * in plain decimal form: no exponent, no trailing zeros after the point and
 * no point for a whole number, so a whole number reads as the digits a CSV
 * file would hold. whole is the integer part when it is not negative and
 * fits. False when s is not a number, or the plain form would be longer
 * than NUM_MAX (1E+300): the caller keeps the text as written. */
struct num {
	char text[NUM_MAX + 1];
	size_t n;
	bool whole_ok;
	int64_t whole;
};

static bool num_plain(const char *s, size_t n, struct num *out)
{
	char dig[NUM_MAX];
	size_t nd = 0, i = 0;
	long q = 0; /* digits of dig before the decimal point (may be < 0 or > nd) */
	bool neg = false, seen = false;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		seen = true;
		if (nd == 0 && s[i] == '0')
			continue;
		if (nd == NUM_MAX)
			return false;
		dig[nd++] = s[i];
		q++;
	}
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			seen = true;
			if (nd == 0 && s[i] == '0') {
				q--;
				if (q < -NUM_MAX)
					return false;
				continue;
			}
			if (nd == NUM_MAX)
				return false;
			dig[nd++] = s[i];
		}
	}
	if (!seen)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		bool eneg = false;
		long e = 0;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		size_t st = i;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if ((e = e * 10 + (s[i] - '0')) > 9999)
				return false;
		if (i == st)
			return false;
		q += eneg ? -e : e;
	}
	if (i != n)
		return false;
	while (nd && dig[nd - 1] == '0')
		nd--;
	if (nd == 0) {
		memcpy(out->text, "0", 2);
		out->n = 1;
		out->whole_ok = true;
		out->whole = 0;
		return true;
	}
	size_t intlen = q > 0 ? (size_t)q : 1;
	size_t fraclen = q < (long)nd ? (size_t)((long)nd - q) : 0;
	if (q > NUM_MAX || (size_t)neg + intlen + (fraclen ? 1 + fraclen : 0) > NUM_MAX)
		return false;
	char *o = out->text;
	if (neg)
		*o++ = '-';
	if (q <= 0)
		*o++ = '0';
	for (long k = 0; k < q; k++)
		*o++ = k < (long)nd ? dig[k] : '0';
	if (fraclen) {
		*o++ = '.';
		for (long k = q; k < (long)nd; k++)
			*o++ = k < 0 ? '0' : dig[k];
	}
	*o = '\0';
	out->n = (size_t)(o - out->text);
	out->whole_ok = !neg && q <= 18;
	out->whole = 0;
	for (long k = 0; out->whole_ok && k < q; k++)
		out->whole = out->whole * 10 + (k < (long)nd ? dig[k] - '0' : 0);
	return true;
}

/* Does a number format show a date? Its codes outside quotes, brackets
 * ([Red], [$-409], [h]) and escapes must hold y or d, or m without h or s
 * (m next to h or s is minutes). */
static bool format_is_date(const char *s)
{
	bool y = false, m = false, d = false, hs = false;
	for (; *s; s++) {
		switch (*s) {
		case '"':
			while (s[1] && s[1] != '"')
				s++;
			if (s[1])
				s++;
			break;
		case '[':
			while (s[1] && s[1] != ']')
				s++;
			if (s[1])
				s++;
			break;
		case '\\': case '_': case '*':
			if (s[1])
				s++;
			break;
		case 'y': case 'Y': y = true; break;
		case 'd': case 'D': d = true; break;
		case 'm': case 'M': m = true; break;
		case 'h': case 'H': case 's': case 'S': hs = true; break;
		default: break;
		}
	}
	return y || d || (m && !hs);
}

/* Built-in number formats that show a date (ECMA-376 18.8.30): 14-17 and
 * 22, and the East Asian 27-36 and 50-58. 18-21 and 45-47 are times of day. */
static bool builtin_is_date(uint32_t id)
{
	return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}

/* A relationship's Target as a path in the archive: relative to xl/, or
 * absolute ("/xl/worksheets/sheet1.xml"); "." and ".." resolved. */
static bool resolve(const char *target, char out[PATH_MAX_LEN])
{
	char in[2 * PATH_MAX_LEN];
	int k = target[0] == '/' ? snprintf(in, sizeof in, "%s", target + 1)
				 : snprintf(in, sizeof in, "xl/%s", target);
	if (k < 0 || (size_t)k >= sizeof in)
		return false;
	size_t n = 0;
	for (char *seg = in, *next; seg; seg = next) {
		char *slash = strchr(seg, '/');
		next = slash ? slash + 1 : NULL;
		size_t len = slash ? (size_t)(slash - seg) : strlen(seg);
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			if (n == 0)
				return false;
			while (n && out[n - 1] != '/')
				n--;
			if (n)
				n--; /* the slash before the dropped segment */
			continue;
		}
		if (n + (n ? 1 : 0) + len >= PATH_MAX_LEN)
			return false;
		if (n)
			out[n++] = '/';
		memcpy(out + n, seg, len);
		n += len;
	}
	out[n] = '\0';
	return n > 0;
}

/* ---- string items: <si> in sharedStrings.xml, <is> in a cell ---- */

/* <t> right inside the item, or inside a run <r>; a phonetic run <rPh> holds
 * a <t> too, which is a reading aid, not the text. */
static void item_start(struct pctx *c, const char *name)
{
	int rel = c->depth - c->item_depth;
	if (rel == 1 && strcmp(name, "t") == 0)
		c->text_depth = c->depth;
	else if (rel == 1 && strcmp(name, "r") == 0)
		c->run_depth = c->depth;
	else if (rel == 2 && c->run_depth && strcmp(name, "t") == 0)
		c->text_depth = c->depth;
}

static void shared_add(struct pctx *c)
{
	struct xlsx *x = c->x;
	if (x->nsst >= XLSX_MAX_STRINGS) {
		stop(c, 0, "%s: more than %u strings", c->part, XLSX_MAX_STRINGS);
		return;
	}
	if (x->sst_len + x->text_len > XLSX_MAX_SHARED) {
		char b[24];
		stop(c, 0, "%s: the strings are longer than %s", c->part, size_text(XLSX_MAX_SHARED, b));
		return;
	}
	if (x->sst_len + x->text_len > x->sst_cap) {
		size_t cap = x->sst_cap ? x->sst_cap : 65536;
		while (cap < x->sst_len + x->text_len)
			cap *= 2;
		char *p = realloc(x->sst, cap);
		if (!p) {
			stop(c, 0, "out of memory");
			return;
		}
		x->sst = p;
		x->sst_cap = cap;
	}
	if (x->nsst + 2 > x->off_cap) {
		size_t cap = x->off_cap ? x->off_cap * 2 : 1024;
		uint32_t *p = realloc(x->off, cap * sizeof *p);
		if (!p) {
			stop(c, 0, "out of memory");
			return;
		}
		if (!x->off)
			p[0] = 0;
		x->off = p;
		x->off_cap = cap;
	}
	if (x->text_len)
		memcpy(x->sst + x->sst_len, x->text, x->text_len);
	x->sst_len += x->text_len;
	x->off[++x->nsst] = (uint32_t)x->sst_len;
}

/* ---- the sheet ---- */

static void row_start(struct pctx *c, const char **atts)
{
	const char *r = attr(atts, "r");
	uint64_t v;
	if (r) {
		if (!parse_uint(r, strlen(r), &v) || v < 1 || v > EXCEL_ROWS) {
			stop(c, c->last_row + 1, "row %zu: the row number \"%.20s\" is not valid",
			     c->last_row + 1, r);
			return;
		}
	} else {
		v = c->last_row + 1;
		if (v > EXCEL_ROWS) {
			stop(c, 0, "more than %d rows", EXCEL_ROWS);
			return;
		}
	}
	if (v <= c->last_row) {
		stop(c, (size_t)v, "row %zu: comes after row %zu (rows must be in order)", (size_t)v,
		     c->last_row);
		return;
	}
	c->rownum = (size_t)v;
	c->in_row = true;
	c->col = 0;
	c->x->row_len = 0;
	c->x->nfields = 0;
	c->x->starts[0] = 0;
}

static void row_end(struct pctx *c)
{
	struct xlsx *x = c->x;
	c->in_row = false;
	c->last_row = c->rownum;
	if (x->nfields == 0)
		return; /* an empty row: skipped, but it keeps its number */
	struct slice f[XLSX_MAX_COLUMNS];
	for (size_t i = 0; i < x->nfields; i++)
		f[i] = (struct slice){x->row + x->starts[i], x->starts[i + 1] - x->starts[i]};
	int rc = c->fn(c->ctx, c->rownum, f, x->nfields);
	if (rc) {
		c->cb_rc = rc;
		XML_StopParser(c->p, XML_FALSE);
	}
}

static void cell_start(struct pctx *c, const char **atts)
{
	const char *r = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
	size_t col, row;
	char b[8];
	if (r) {
		if (!parse_ref(r, &col, &row)) {
			stop(c, c->rownum, "row %zu: the cell reference \"%.20s\" is not valid", c->rownum, r);
			return;
		}
		if (row != c->rownum) {
			stop(c, c->rownum, "row %zu: cell %.20s is not in this row", c->rownum, r);
			return;
		}
		if (col < c->col) {
			stop(c, c->rownum, "row %zu: cell %.20s comes after column %s (cells must be in order)",
			     c->rownum, r, col_name(c->col - 1, b));
			return;
		}
	} else {
		col = c->col;
		if (col >= EXCEL_COLUMNS) {
			stop(c, c->rownum, "row %zu: more than %d cells", c->rownum, EXCEL_COLUMNS);
			return;
		}
	}
	c->cell_col = col;
	c->col = col + 1;
	static const struct {
		const char *name;
		char type;
	} types[] = {{"n", 'n'}, {"s", 's'}, {"inlineStr", 'i'}, {"str", 't'},
		     {"b", 'b'},  {"e", 'e'}, {"d", 'd'}};
	c->type = t ? 0 : 'n';
	for (size_t i = 0; t && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(t, types[i].name) == 0)
			c->type = types[i].type;
	if (!c->type) {
		stop(c, c->rownum, "row %zu: cell %s%zu has the unknown type \"%.20s\"", c->rownum,
		     col_name(col, b), c->rownum, t);
		return;
	}
	uint64_t style = 0;
	c->date_style = s && parse_uint(s, strlen(s), &style) && style < c->x->nxf &&
			c->x->xf_date[style];
	c->in_cell = true;
	c->x->text_len = 0;
}

/* Append a filled cell to the row; the columns skipped become empty fields. */
static void cell_put(struct pctx *c, const char *p, size_t n)
{
	struct xlsx *x = c->x;
	if (n == 0)
		return;
	if (c->cell_col >= XLSX_MAX_COLUMNS) {
		stop(c, c->rownum, "row %zu: more than %d columns", c->rownum, XLSX_MAX_COLUMNS);
		return;
	}
	if (x->row_len + n > x->row_cap) {
		size_t cap = x->row_cap ? x->row_cap : 4096;
		while (cap < x->row_len + n)
			cap *= 2;
		char *b = realloc(x->row, cap);
		if (!b) {
			stop(c, c->rownum, "out of memory");
			return;
		}
		x->row = b;
		x->row_cap = cap;
	}
	while (x->nfields < c->cell_col)
		x->starts[++x->nfields] = x->row_len;
	memcpy(x->row + x->row_len, p, n);
	x->row_len += n;
	x->starts[++x->nfields] = x->row_len;
}

static void cell_end(struct pctx *c)
{
	struct xlsx *x = c->x;
	c->in_cell = false;
	const char *p = x->text;
	size_t n = x->text_len;
	char b[8];
	struct num num;
	char date[11];
	switch (c->type) {
	case 's': {
		uint64_t i;
		if (n == 0)
			break;
		if (!parse_uint(p, n, &i) || i >= x->nsst) {
			stop(c, c->rownum, "row %zu: cell %s%zu refers to shared string %.*s%s, but there are %zu",
			     c->rownum, col_name(c->cell_col, b), c->rownum, (int)(n < 12 ? n : 12), p,
			     n > 12 ? "..." : "", x->nsst);
			return;
		}
		p = x->sst + x->off[i];
		n = x->off[i + 1] - x->off[i];
		break;
	}
	case 'b':
		if (n == 1 && (p[0] == '0' || p[0] == '1')) {
			p = p[0] == '1' ? "TRUE" : "FALSE";
			n = strlen(p);
		}
		break;
	case 'd': {
		cdate d;
		if (n >= 10 && (n == 10 || p[10] == 'T') && date_parse(p, 10, &d))
			n = 10;
		break;
	}
	case 'n':
		while (n && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++, n--;
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' || p[n - 1] == '\r'))
			n--;
		if (!num_plain(p, n, &num))
			break;
		cdate d;
		if (c->date_style && num.whole_ok && date_from_serial(num.whole, x->date1904, &d)) {
			date_format(d, date);
			p = date;
			n = 10;
		} else {
			p = num.text;
			n = num.n;
		}
		break;
	default: /* inline strings, formula strings, errors: as written */
		break;
	}
	cell_put(c, p, n);
}

static void sheet_start(struct pctx *c, const char *name, const char **atts)
{
	if (c->depth == 2 && strcmp(name, "sheetData") == 0)
		c->in_data = true;
	else if (c->in_data && c->depth == 3 && strcmp(name, "row") == 0)
		row_start(c, atts);
	else if (c->in_row && c->depth == 4 && strcmp(name, "c") == 0)
		cell_start(c, atts);
	else if (c->in_cell && c->depth == 5 && strcmp(name, "v") == 0)
		c->in_value = c->type != 'i';
	else if (c->in_cell && c->depth == 5 && strcmp(name, "is") == 0 && c->type == 'i')
		c->item_depth = c->depth;
	else if (c->item_depth)
		item_start(c, name);
}

static void sheet_end(struct pctx *c, const char *name)
{
	if (c->in_value && c->depth == 5)
		c->in_value = false;
	else if (c->in_cell && c->depth == 4)
		cell_end(c);
	else if (c->in_row && c->depth == 3)
		row_end(c);
	else if (c->in_data && c->depth == 2 && strcmp(name, "sheetData") == 0)
		c->in_data = false;
}

/* ---- workbook.xml, its rels, styles.xml ---- */

static void workbook_start(struct pctx *c, const char *name, const char **atts)
{
	struct xlsx *x = c->x;
	if (c->depth == 2 && strcmp(name, "workbookPr") == 0) {
		const char *v = attr(atts, "date1904");
		if (!v || strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
			x->date1904 = false;
		else if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
			x->date1904 = true;
		else
			stop(c, 0, "%s: date1904 is \"%.20s\", not true or false", c->part, v);
	} else if (c->depth == 2 && strcmp(name, "sheets") == 0) {
		c->in_sheets = true;
	} else if (c->in_sheets && c->depth == 3 && strcmp(name, "sheet") == 0) {
		const char *rid = attr_rid(atts);
		if (!rid)
			stop(c, 0, "%s: a sheet has no r:id", c->part);
		else if (strlen(rid) >= ID_MAX)
			stop(c, 0, "%s: a sheet's r:id is longer than %d bytes", c->part, ID_MAX - 1);
		else if (x->nrids < MAX_SHEETS)
			memcpy(x->rids[x->nrids++], rid, strlen(rid) + 1);
	}
}

static void rels_start(struct pctx *c, const char *name, const char **atts)
{
	struct xlsx *x = c->x;
	if (c->depth != 2 || strcmp(name, "Relationship") != 0)
		return;
	const char *id = attr(atts, "Id"), *type = attr(atts, "Type"), *target = attr(atts, "Target"),
		   *mode = attr(atts, "TargetMode");
	if (!id || !type || !target || (mode && strcmp(mode, "External") == 0))
		return;
	char path[PATH_MAX_LEN];
	char *dst = NULL;
	if (ends_with(type, "/worksheet")) {
		for (size_t i = 0; i < x->nrids && i < x->sheet_rank; i++)
			if (strcmp(x->rids[i], id) == 0) {
				x->sheet_rank = i;
				dst = x->sheet;
			}
	} else if (ends_with(type, "/sharedStrings")) {
		dst = x->shared;
	} else if (ends_with(type, "/styles")) {
		dst = x->styles;
	}
	if (!dst)
		return;
	if (!resolve(target, path))
		stop(c, 0, "%s: the target \"%.40s\" is not a path in the archive", c->part, target);
	else
		memcpy(dst, path, strlen(path) + 1);
}

static void styles_start(struct pctx *c, const char *name, const char **atts)
{
	struct xlsx *x = c->x;
	if (c->depth == 2) {
		c->in_numfmts = strcmp(name, "numFmts") == 0;
		c->in_cellxfs = strcmp(name, "cellXfs") == 0;
		return;
	}
	if (c->depth != 3 || !(c->in_numfmts || c->in_cellxfs))
		return;
	const char *id = attr(atts, "numFmtId");
	uint64_t v = 0;
	if (id && (!parse_uint(id, strlen(id), &v) || v > UINT32_MAX)) {
		stop(c, 0, "%s: numFmtId \"%.20s\" is not a number", c->part, id);
		return;
	}
	if (c->in_numfmts && strcmp(name, "numFmt") == 0) {
		const char *code = attr(atts, "formatCode");
		if (!id || !code)
			return;
		if (x->nfmts == XLSX_MAX_STYLES) {
			stop(c, 0, "%s: more than %d number formats", c->part, XLSX_MAX_STYLES);
			return;
		}
		if (!x->fmts && !(x->fmts = malloc(XLSX_MAX_STYLES * sizeof *x->fmts))) {
			stop(c, 0, "out of memory");
			return;
		}
		x->fmts[x->nfmts++] = (struct numfmt){(uint32_t)v, format_is_date(code)};
	} else if (c->in_cellxfs && strcmp(name, "xf") == 0) {
		if (x->nxf == XLSX_MAX_STYLES) {
			stop(c, 0, "%s: more than %d cell formats", c->part, XLSX_MAX_STYLES);
			return;
		}
		if (!x->xf_fmt && !(x->xf_fmt = malloc(XLSX_MAX_STYLES * sizeof *x->xf_fmt))) {
			stop(c, 0, "out of memory");
			return;
		}
		x->xf_fmt[x->nxf++] = (uint32_t)v;
	}
}

static int numfmt_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct numfmt *)a)->id, y = ((const struct numfmt *)b)->id;
	return x < y ? -1 : x > y;
}

/* Which cell formats show dates: a custom format with the id wins over the
 * built-in one (a later definition of the same id wins over an earlier). */
static int styles_done(struct xlsx *x)
{
	if (x->nfmts)
		qsort(x->fmts, x->nfmts, sizeof *x->fmts, numfmt_cmp);
	if (x->nxf && !(x->xf_date = calloc(x->nxf, sizeof *x->xf_date)))
		return reject(x, 0, "out of memory");
	for (size_t i = 0; i < x->nxf; i++) {
		uint32_t id = x->xf_fmt[i];
		size_t lo = 0, hi = x->nfmts;
		while (lo < hi) { /* the last entry with this id */
			size_t mid = lo + (hi - lo) / 2;
			if (x->fmts[mid].id <= id)
				lo = mid + 1;
			else
				hi = mid;
		}
		x->xf_date[i] = lo && x->fmts[lo - 1].id == id ? x->fmts[lo - 1].date : builtin_is_date(id);
	}
	return 0;
}

/* ---- expat handlers, shared by every part ---- */

static void XMLCALL on_start(void *ud, const XML_Char *qname, const XML_Char **atts)
{
	struct pctx *c = ud;
	c->last_event = c->fed;
	if (stopped(c))
		return;
	if (++c->depth > XLSX_MAX_DEPTH) {
		stop(c, c->kind == PART_SHEET && c->in_row ? c->rownum : 0,
		     "%s line %lu: elements are nested more than %d deep", c->part,
		     (unsigned long)XML_GetCurrentLineNumber(c->p), XLSX_MAX_DEPTH);
		return;
	}
	const char *name = local(qname);
	switch (c->kind) {
	case PART_WORKBOOK: workbook_start(c, name, atts); break;
	case PART_RELS: rels_start(c, name, atts); break;
	case PART_STYLES: styles_start(c, name, atts); break;
	case PART_SHARED:
		if (c->depth == 2 && strcmp(name, "si") == 0) {
			c->item_depth = c->depth;
			c->x->text_len = 0;
		} else if (c->item_depth) {
			item_start(c, name);
		}
		break;
	case PART_SHEET: sheet_start(c, name, atts); break;
	}
}

static void XMLCALL on_end(void *ud, const XML_Char *qname)
{
	struct pctx *c = ud;
	c->last_event = c->fed;
	if (stopped(c))
		return;
	const char *name = local(qname);
	if (c->depth == c->text_depth)
		c->text_depth = 0;
	if (c->depth == c->run_depth)
		c->run_depth = 0;
	if (c->item_depth && c->depth == c->item_depth) {
		c->item_depth = 0;
		if (c->kind == PART_SHARED)
			shared_add(c);
	} else if (c->kind == PART_SHEET) {
		sheet_end(c, name);
	} else if (c->depth == 2) {
		c->in_sheets = c->in_numfmts = c->in_cellxfs = false;
	}
	c->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct pctx *c = ud;
	c->last_event = c->fed;
	if (stopped(c) || len <= 0 || !(c->text_depth || c->in_value))
		return;
	struct xlsx *x = c->x;
	if (x->text_len + (size_t)len > XLSX_MAX_FIELD) {
		char b[8];
		if (c->kind == PART_SHARED)
			stop(c, 0, "%s: string %zu is too long (more than 64 KiB)", c->part, x->nsst);
		else
			stop(c, c->rownum, "row %zu: cell %s%zu is longer than 64 KiB", c->rownum,
			     col_name(c->cell_col, b), c->rownum);
		return;
	}
	memcpy(x->text + x->text_len, s, (size_t)len);
	x->text_len += (size_t)len;
}

static void XMLCALL on_other(void *ud, const XML_Char *a, const XML_Char *b)
{
	(void)a;
	(void)b;
	struct pctx *c = ud;
	c->last_event = c->fed;
}

static void XMLCALL on_comment(void *ud, const XML_Char *s)
{
	(void)s;
	struct pctx *c = ud;
	c->last_event = c->fed;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	struct pctx *c = ud;
	stop(c, 0, "%s line %lu: a DTD is not allowed", c->part, (unsigned long)XML_GetCurrentLineNumber(c->p));
}

/* ---- one part of the archive through expat ---- */

/* Parse the part name (at most cap bytes inflated) with a fresh parser.
 * Returns 0, 1 when the archive has no such part, -1 on an error, or the
 * row callback's non-zero value. */
static int part_parse(struct xlsx *x, const char *name, uint64_t cap, struct pctx *c)
{
	char b1[24], b2[24];
	unz_file_info64 info;
	if (unzLocateFile(x->zip, name, 2) != UNZ_OK)
		return 1;
	if (unzGetCurrentFileInfo64(x->zip, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
		return reject(x, 0, "%s: the archive's directory entry is damaged", name);
	if (info.uncompressed_size > cap)
		return reject(x, 0, "%s: declares %s inflated, more than the limit of %s", name,
			    size_text(info.uncompressed_size, b1), size_text(cap, b2));
	if (info.flag & 1)
		return reject(x, 0, "%s is encrypted", name);
	if (info.compression_method != 0 && info.compression_method != Z_DEFLATED)
		return reject(x, 0, "%s: compression method %lu is not supported (only deflate)", name,
			    (unsigned long)info.compression_method);
	if (c->kind == PART_SHARED && !x->sst && info.uncompressed_size > 0) {
		/* The text of the strings is never longer than the XML it comes in,
		 * and each <si><t></t></si> takes at least 16 bytes: reserve that
		 * much once. A large malloc is mapped on first touch, so memory
		 * grows with the text actually kept, with no copy on growth (the
		 * doubling below had old and new buffer resident together). */
		size_t want = (size_t)info.uncompressed_size + 1;
		size_t count = want / 16 + 2;
		x->sst = malloc(want);
		x->off = malloc(count * sizeof *x->off);
		if (!x->sst || !x->off) {
			free(x->sst);
			free(x->off);
			x->sst = NULL;
			x->off = NULL;
		} else {
			x->sst_cap = want;
			x->off_cap = count;
			x->off[0] = 0;
		}
	}
	if (unzOpenCurrentFile(x->zip) != UNZ_OK)
		return reject(x, 0, "%s: the archive entry is damaged", name);
	c->x = x;
	c->part = name;
	c->p = XML_ParserCreateNS(NULL, '|');
	if (!c->p) {
		unzCloseCurrentFile(x->zip);
		return reject(x, 0, "out of memory");
	}
	XML_SetUserData(c->p, c);
	XML_SetElementHandler(c->p, on_start, on_end);
	XML_SetCharacterDataHandler(c->p, on_text);
	XML_SetCommentHandler(c->p, on_comment);
	XML_SetProcessingInstructionHandler(c->p, on_other);
	XML_SetStartDoctypeDeclHandler(c->p, on_doctype);
	int rc = 0;
	for (;;) {
		void *buf = XML_GetBuffer(c->p, CHUNK);
		if (!buf) {
			rc = reject(x, 0, "out of memory");
			break;
		}
		int n = unzReadCurrentFile(x->zip, buf, CHUNK);
		if (n < 0) {
			rc = reject(x, c->kind == PART_SHEET ? c->last_row + 1 : 0,
				  "%s: the compressed data is damaged", name);
			break;
		}
		c->fed += (uint64_t)n;
		if (c->fed > cap) {
			rc = reject(x, 0, "%s: inflates to more than %s", name, size_text(cap, b1));
			break;
		}
		if (XML_ParseBuffer(c->p, n, n == 0) != XML_STATUS_OK) {
			if (c->cb_rc)
				rc = c->cb_rc;
			else if (x->failed)
				rc = -1;
			else
				rc = reject(x, c->kind == PART_SHEET && c->in_row ? c->rownum : 0,
					  "%s line %lu: %s", name,
					  (unsigned long)XML_GetCurrentLineNumber(c->p),
					  XML_ErrorString(XML_GetErrorCode(c->p)));
			break;
		}
		if (c->fed - c->last_event > XLSX_MAX_TOKEN) {
			rc = reject(x, 0, "%s: more than %s of XML without a complete element", name,
				  size_text(XLSX_MAX_TOKEN, b1));
			break;
		}
		if (n == 0)
			break;
	}
	XML_ParserFree(c->p);
	c->p = NULL;
	/* the CRC is checked when the whole entry has been read */
	if (unzCloseCurrentFile(x->zip) == UNZ_CRCERROR && !rc)
		rc = reject(x, 0, "%s: the CRC does not match (the file is damaged)", name);
	return rc;
}

/* ---- the reader ---- */

struct xlsx *xlsx_new(const char *data, size_t len)
{
	struct xlsx *x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	x->mem = (struct mem){data, len, 0, -1};
	x->text = malloc(XLSX_MAX_FIELD);
	x->rids = calloc(MAX_SHEETS, sizeof *x->rids);
	if (!x->text || !x->rids) {
		xlsx_free(x);
		return NULL;
	}
	return x;
}

struct xlsx *xlsx_new_fd(int fd, size_t len)
{
	struct xlsx *x = xlsx_new(NULL, len);
	if (x)
		x->mem.fd = fd;
	return x;
}

void xlsx_free(struct xlsx *x)
{
	if (!x)
		return;
	if (x->zip)
		unzClose(x->zip);
	free(x->rids);
	free(x->sst);
	free(x->off);
	free(x->xf_fmt);
	free(x->fmts);
	free(x->xf_date);
	free(x->text);
	free(x->row);
	free(x);
}

const char *xlsx_error(const struct xlsx *x) { return x->err; }
size_t xlsx_error_row(const struct xlsx *x) { return x->err_row; }
bool xlsx_date1904(const struct xlsx *x) { return x->date1904; }

static int parse_kind(struct xlsx *x, const char *name, uint64_t cap, enum part_kind kind)
{
	struct pctx c;
	memset(&c, 0, sizeof c);
	c.kind = kind;
	return part_parse(x, name, cap, &c);
}

int xlsx_open(struct xlsx *x)
{
	zlib_filefunc64_def io = {mem_open, mem_read, mem_write, mem_tell, mem_seek,
				  mem_close, mem_error, &x->mem};
	x->zip = unzOpen2_64("workbook.xlsx", &io);
	if (!x->zip)
		return reject(x, 0, "the file is not a ZIP archive that can be read (XLSX workbooks are)");
	unz_global_info64 gi;
	if (unzGetGlobalInfo64(x->zip, &gi) != UNZ_OK)
		return reject(x, 0, "the archive's directory is damaged");
	if (gi.number_entry > XLSX_MAX_ENTRIES)
		return reject(x, 0, "the archive holds more than %d files", XLSX_MAX_ENTRIES);

	x->sheet_rank = MAX_SHEETS;
	int rc = parse_kind(x, "xl/workbook.xml", XLSX_MAX_PART, PART_WORKBOOK);
	if (rc < 0)
		return -1;
	bool have_workbook = rc == 0;
	if (have_workbook && parse_kind(x, "xl/_rels/workbook.xml.rels", XLSX_MAX_PART, PART_RELS) < 0)
		return -1;
	if (!x->sheet[0])
		memcpy(x->sheet, "xl/worksheets/sheet1.xml", sizeof "xl/worksheets/sheet1.xml");
	if (unzLocateFile(x->zip, x->sheet, 2) != UNZ_OK)
		return have_workbook ? reject(x, 0, "%s: the first worksheet is not in the archive", x->sheet)
				     : reject(x, 0, "the archive is not an XLSX workbook: it has no xl/workbook.xml");

	if (!x->styles[0])
		memcpy(x->styles, "xl/styles.xml", sizeof "xl/styles.xml");
	if (parse_kind(x, x->styles, XLSX_MAX_PART, PART_STYLES) < 0 || styles_done(x))
		return -1;
	if (!x->shared[0])
		memcpy(x->shared, "xl/sharedStrings.xml", sizeof "xl/sharedStrings.xml");
	if (parse_kind(x, x->shared, XLSX_MAX_SHARED, PART_SHARED) < 0)
		return -1;
	return 0;
}

int xlsx_read(struct xlsx *x, xlsx_row_fn fn, void *ctx)
{
	if (x->failed || !x->zip)
		return x->failed ? -1 : reject(x, 0, "xlsx_read before xlsx_open");
	struct pctx c;
	memset(&c, 0, sizeof c);
	c.kind = PART_SHEET;
	c.fn = fn;
	c.ctx = ctx;
	int rc = part_parse(x, x->sheet, XLSX_MAX_SHEET, &c);
	if (rc == 1)
		return reject(x, 0, "%s: the first worksheet is not in the archive", x->sheet);
	return rc;
}
