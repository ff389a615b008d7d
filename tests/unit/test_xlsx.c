/* Unit tests for src/formats/xlsx.c. The workbooks are made here with
 * minizip's writer; the .c is included to reach the number, format and
 * path helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <minizip/zip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/xlsx.c"

#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG "http://schemas.openxmlformats.org/package/2006/relationships"
#define SHEET(rows) \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL \
	"\"><sheetData>" rows "</sheetData></worksheet>"
#define SST(items) "<?xml version=\"1.0\"?>\n<sst xmlns=\"" NS_MAIN "\">" items "</sst>"
#define STYLES(fmts, xfs)                                                                 \
	"<styleSheet xmlns=\"" NS_MAIN "\"><numFmts>" fmts "</numFmts><cellStyleXfs><xf "      \
	"numFmtId=\"14\"/></cellStyleXfs><cellXfs>" xfs "</cellXfs></styleSheet>"
#define WORKBOOK(pr, sheets)                                                              \
	"<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">" pr "<sheets>" sheets        \
	"</sheets></workbook>"
#define RELS(rels) "<Relationships xmlns=\"" NS_PKG "\">" rels "</Relationships>"
#define REL(id, type, target) \
	"<Relationship Id=\"" id "\" Type=\"" NS_REL "/" type "\" Target=\"" target "\"/>"

/* ---- making archives ---- */

enum how { DEFLATE, STORE, DECLARE_HUGE, BAD_CRC, BZIP2 };

struct part {
	const char *name;
	const char *text; /* NULL: the part is left out */
	enum how how;
	size_t len;       /* 0: strlen(text) */
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static char *zip_make(const struct part *parts, size_t n, size_t *len)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char path[512];
	snprintf(path, sizeof path, "%s/test_xlsx_XXXXXX", dir);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	zipFile z = zipOpen64(path, APPEND_STATUS_CREATE);
	assert_non_null(z);
	for (size_t i = 0; i < n; i++) {
		const struct part *p = &parts[i];
		if (!p->text)
			continue;
		size_t tl = p->len ? p->len : strlen(p->text);
		zip_fileinfo zi;
		memset(&zi, 0, sizeof zi);
		int raw = p->how == DECLARE_HUGE || p->how == BAD_CRC || p->how == BZIP2;
		int method = p->how == DEFLATE ? Z_DEFLATED : 0;
		assert_int_equal(zipOpenNewFileInZip2_64(z, p->name, &zi, NULL, 0, NULL, 0, NULL, method,
							 method == Z_DEFLATED ? 6 : 0, raw, 0),
				 ZIP_OK);
		assert_int_equal(zipWriteInFileInZip(z, p->text, (unsigned)tl), ZIP_OK);
		if (p->how == DECLARE_HUGE)
			assert_int_equal(zipCloseFileInZipRaw64(z, (ZPOS64_T)3 << 30, 0), ZIP_OK);
		else if (p->how == BAD_CRC || p->how == BZIP2)
			assert_int_equal(zipCloseFileInZipRaw64(z, tl, 12345), ZIP_OK);
		else
			assert_int_equal(zipCloseFileInZip(z), ZIP_OK);
	}
	assert_int_equal(zipClose(z, NULL), ZIP_OK);
	char *data = slurp(path, len);
	unlink(path);
	/* the writer refuses methods it cannot compress with: set bzip2 (12) in
	 * the local and the central header of such a part by hand */
	for (size_t i = 0; i < n; i++) {
		if (parts[i].how != BZIP2)
			continue;
		size_t nl = strlen(parts[i].name);
		for (size_t k = 0; k + 46 + nl <= *len; k++) {
			bool local = memcmp(data + k, "PK\x03\x04", 4) == 0 && memcmp(data + k + 30, parts[i].name, nl) == 0;
			bool central = memcmp(data + k, "PK\x01\x02", 4) == 0 && memcmp(data + k + 46, parts[i].name, nl) == 0;
			if (local || central)
				data[k + (local ? 8 : 10)] = 12;
		}
	}
	return data;
}

/* A workbook: workbook.xml and its rels default to one sheet, rId1 ->
 * worksheets/sheet1.xml (the rels also name styles.xml and
 * sharedStrings.xml); the other parts are left out when NULL. */
struct book {
	const char *workbook, *rels, *styles, *shared, *sheet;
	const char *sheet_path;
	enum how sheet_how, shared_how;
};

static char *book_make(const struct book *b, size_t *len)
{
	struct part parts[] = {
		{"[Content_Types].xml", "<Types/>", DEFLATE, 0},
		{"xl/workbook.xml",
		 b->workbook ? b->workbook
			     : WORKBOOK("", "<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/>"),
		 DEFLATE, 0},
		{"xl/_rels/workbook.xml.rels",
		 b->rels ? b->rels
			 : RELS(REL("rId1", "worksheet", "worksheets/sheet1.xml")
				REL("rId2", "sharedStrings", "sharedStrings.xml")
				REL("rId3", "styles", "styles.xml")),
		 DEFLATE, 0},
		{"xl/styles.xml", b->styles, DEFLATE, 0},
		{"xl/sharedStrings.xml", b->shared, b->shared_how, 0},
		{b->sheet_path ? b->sheet_path : "xl/worksheets/sheet1.xml", b->sheet, b->sheet_how, 0},
	};
	return zip_make(parts, sizeof parts / sizeof parts[0], len);
}

/* ---- reading ---- */

static char got[1 << 16];
static size_t got_rows;

static int collect(void *ctx, size_t row, const struct slice *f, size_t n)
{
	(void)ctx;
	got_rows++;
	size_t len = strlen(got);
	if (len + 64 >= sizeof got)
		return 0; /* big sheets: counted, not printed */
	len += (size_t)snprintf(got + len, sizeof got - len, "%zu:", row);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(got + len, sizeof got - len, "[%.*s]", (int)f[i].n, f[i].p);
	snprintf(got + len, sizeof got - len, "\n");
	return 0;
}

/* Read a whole archive; returns xlsx_open's or xlsx_read's result, the error
 * (and its row) in err/err_row. */
static int read_all(const char *data, size_t len, xlsx_row_fn fn, bool *date1904, char *err,
		    size_t *err_row)
{
	got[0] = '\0';
	got_rows = 0;
	struct xlsx *x = xlsx_new(data, len);
	assert_non_null(x);
	int rc = xlsx_open(x);
	if (!rc) {
		if (date1904)
			*date1904 = xlsx_date1904(x);
		rc = xlsx_read(x, fn, NULL);
	}
	snprintf(err, 200, "%s", xlsx_error(x));
	*err_row = xlsx_error_row(x);
	xlsx_free(x);
	return rc;
}

static void expect_rows(const struct book *b, const char *want, bool want1904)
{
	size_t len, row;
	char *data = book_make(b, &len);
	char err[200];
	bool d1904 = !want1904;
	int rc = read_all(data, len, collect, &d1904, err, &row);
	free(data);
	if (rc)
		fail_msg("xlsx: %s (row %zu)", err, row);
	if (strcmp(got, want) != 0)
		fail_msg("got\n%s\nwanted\n%s", got, want);
	assert_int_equal(d1904, want1904);
}

static void t_strings(void **state)
{
	(void)state;
	struct book b = {
		.shared = SST("<si><t>policy_number</t></si>"
			      "<si><r><t>Ива</t></r><r><rPr><b/></rPr><t>нова</t></r>"
			      "<rPh sb=\"0\" eb=\"1\"><t>イワノワ</t></rPh><phoneticPr fontId=\"1\"/></si>"
			      "<si><t xml:space=\"preserve\"> a &amp; b </t></si><si><t/></si>"),
		.sheet = SHEET(
			"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
			"<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"s\"><v>3</v></c><c r=\"E1\" t=\"s\"><v>0</v></c></row>"
			"<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>张</t></is></c>"
			"<c r=\"B2\" t=\"inlineStr\"><is><r><t>a</t></r><r><t>b</t></r><rPh><t>x</t></rPh></is></c>"
			"<c r=\"C2\" t=\"str\"><f>A1&amp;\"!\"</f><v>f-result</v></c>"
			"<c r=\"D2\" t=\"b\"><v>1</v></c><c r=\"E2\" t=\"b\"><v>0</v></c>"
			"<c r=\"F2\" t=\"e\"><v>#N/A</v></c><c r=\"G2\" t=\"d\"><v>2026-03-01T00:00:00</v></c>"
			"<c r=\"H2\" t=\"d\"><v>2026-03-01</v></c><c r=\"I2\" t=\"d\"><v>T10:00</v></c></row>"
			"<row r=\"3\"><c r=\"A3\"><v>1E+7</v></c><c r=\"B3\" t=\"n\"><v>4.5658E4</v></c>"
			"<c r=\"C3\"><v>10000000.0</v></c><c r=\"D3\"><v>-0</v></c><c r=\"E3\"><v>0.1</v></c>"
			"<c r=\"F3\"><v>12.50</v></c><c r=\"G3\"><v>-1.5E-3</v></c><c r=\"H3\"><v>1E+300</v></c>"
			"<c r=\"I3\"><v> 007 </v></c><c r=\"J3\"><v>12abc</v></c>"
			"<c r=\"K3\"><v>79161234567</v></c></row>"),
	};
	expect_rows(&b,
		    "1:[policy_number][Иванова][ a & b ][][policy_number]\n"
		    "2:[张][ab][f-result][TRUE][FALSE][#N/A][2026-03-01][2026-03-01][T10:00]\n"
		    "3:[10000000][45658][10000000][0][0.1][12.5][-0.0015][1E+300][7][12abc][79161234567]\n",
		    false);
}

/* Gaps between cells are empty fields; empty rows are skipped but keep their
 * numbers; a cell without r is the next column, a row without r the next row. */
static void t_gaps(void **state)
{
	(void)state;
	struct book b = {
		.sheet = SHEET(
			"<row r=\"1\" spans=\"1:3\"><c r=\"A1\" t=\"inlineStr\"><is><t>a</t></is></c>"
			"<c r=\"C1\" t=\"inlineStr\"><is><t>c</t></is></c><c r=\"XFD1\" s=\"1\"/></row>"
			"<row r=\"3\"><c t=\"inlineStr\"><is><t>x</t></is></c><c><v>2</v></c></row>"
			"<row r=\"5\"><c r=\"B5\" s=\"0\"/><c r=\"C5\" t=\"inlineStr\"><is><t></t></is></c></row>"
			"<row r=\"7\"><c r=\"B7\"><v>1</v></c><c><v>2</v></c></row>"
			"<row><c t=\"inlineStr\"><is><t>z</t></is></c></row>"
			"<row r=\"9\"><c r=\"A9\" t=\"s\"/></row><row r=\"10\"/>"),
	};
	expect_rows(&b, "1:[a][][c]\n3:[x][2]\n7:[][1][2]\n8:[z]\n", false);

	/* the 256th column is the last that may be filled */
	b.sheet = SHEET("<row r=\"2\"><c r=\"IV2\"><v>9</v></c></row>");
	size_t len, row;
	char err[200];
	char *data = book_make(&b, &len);
	assert_int_equal(read_all(data, len, collect, NULL, err, &row), 0);
	free(data);
	assert_int_equal(got_rows, 1);
	assert_int_equal(strlen(got), strlen("2:") + 255 * 2 + strlen("[9]\n"));
}

#define DATE_STYLES                                                                       \
	STYLES("<numFmt numFmtId=\"164\" formatCode=\"yyyy\\-mm\\-dd\"/>"                      \
	       "<numFmt numFmtId=\"165\" formatCode=\"0.00\"/>"                                 \
	       "<numFmt numFmtId=\"166\" formatCode=\"[$-409]d/m/yyyy;@\"/>"                    \
	       "<numFmt numFmtId=\"167\" formatCode=\"&quot;day&quot; 0\"/>"                    \
	       "<numFmt numFmtId=\"168\" formatCode=\"h:mm\"/>"                                 \
	       "<numFmt numFmtId=\"169\" formatCode=\"General\"/>",                             \
	       "<xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/><xf numFmtId=\"165\"/>" \
	       "<xf numFmtId=\"166\"/><xf numFmtId=\"167\"/><xf numFmtId=\"168\"/><xf numFmtId=\"22\"/>" \
	       "<xf numFmtId=\"20\"/><xf numFmtId=\"169\"/><xf/>")

/* Numbers formatted as dates become ISO dates in the workbook's system. */
static void t_dates(void **state)
{
	(void)state;
	struct book b = {
		.styles = DATE_STYLES,
		.sheet = SHEET(
			"<row r=\"1\"><c r=\"A1\" s=\"1\"><v>46023</v></c><c r=\"B1\" s=\"2\"><v>46387</v></c>"
			"<c r=\"C1\" s=\"3\"><v>46023</v></c><c r=\"D1\" s=\"4\"><v>32933</v></c>"
			"<c r=\"E1\" s=\"5\"><v>5</v></c><c r=\"F1\" s=\"6\"><v>0.5</v></c>"
			"<c r=\"G1\" s=\"7\"><v>46023.75</v></c><c r=\"H1\" s=\"8\"><v>0.25</v></c>"
			"<c r=\"I1\" s=\"9\"><v>46023</v></c><c r=\"J1\" s=\"0\"><v>46023</v></c>"
			"<c r=\"K1\" s=\"1\"><v>60</v></c><c r=\"L1\" s=\"1\"><v>61</v></c>"
			"<c r=\"M1\" s=\"99\"><v>46023</v></c><c r=\"N1\" s=\"1\"><v>-5</v></c>"
			"<c r=\"O1\" s=\"1\" t=\"s\"><v>0</v></c><c r=\"P1\" s=\"1\"><v>4.6023E4</v></c>"
			"<c r=\"Q1\" s=\"10\"><v>7</v></c></row>"),
		.shared = SST("<si><t>46023</t></si>"),
	};
	expect_rows(&b,
		    "1:[2026-01-01][2026-12-31][46023][1990-03-01][5][0.5][2026-01-01][0.25][46023]"
		    "[46023][60][1900-03-01][46023][-5][46023][2026-01-01][7]\n",
		    false);

	/* the 1904 system: the same date is 1462 days fewer */
	b.workbook = WORKBOOK("<workbookPr date1904=\"1\"/>", "<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/>");
	b.sheet = SHEET("<row r=\"1\"><c r=\"A1\" s=\"1\"><v>44561</v></c><c r=\"B1\" s=\"2\"><v>0</v></c>"
			"<c r=\"C1\" s=\"3\"><v>44561</v></c></row>");
	expect_rows(&b, "1:[2026-01-01][1904-01-01][44561]\n", true);
	b.workbook = WORKBOOK("<workbookPr date1904=\"true\"/>", "<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/>");
	expect_rows(&b, "1:[2026-01-01][1904-01-01][44561]\n", true);
	b.workbook = WORKBOOK("<workbookPr date1904=\"false\"/>", "<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/>");
	expect_rows(&b, "1:[2021-12-31][0][44561]\n", false);
}

/* Which sheet is read: workbook.xml's first worksheet through its rels, or
 * xl/worksheets/sheet1.xml when the workbook does not say. */
static void t_first_sheet(void **state)
{
	(void)state;
	static const char row_data[] = SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>data</t></is></c></row>");
	static const char row_one[] = SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>one</t></is></c></row>");
	static const char wb3[] = WORKBOOK("", "<sheet name=\"Chart\" sheetId=\"3\" r:id=\"rId3\"/>"
					       "<sheet name=\"Data\" sheetId=\"2\" r:id=\"rId2\"/>"
					       "<sheet name=\"One\" sheetId=\"1\" r:id=\"rId1\"/>");
	static const struct {
		const char *name, *workbook, *rels;
		bool with_workbook;
		const char *want;
	} cases[] = {
		{"chart sheet skipped, absolute target", wb3,
		 RELS(REL("rId1", "worksheet", "worksheets/sheet1.xml")
		      REL("rId3", "chartsheet", "chartsheets/sheet1.xml")
		      REL("rId2", "worksheet", "/xl/worksheets/data.xml")),
		 true, "1:[data]\n"},
		{"relative target with ..", wb3,
		 RELS(REL("rId2", "worksheet", "./../xl/worksheets//data.xml")
		      REL("rId1", "worksheet", "worksheets/sheet1.xml")),
		 true, "1:[data]\n"},
		{"rels without the ids", wb3, RELS(REL("rId9", "worksheet", "worksheets/data.xml")), true,
		 "1:[one]\n"},
		{"no rels", wb3, NULL, true, "1:[one]\n"},
		{"no workbook.xml", NULL, NULL, false, "1:[one]\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct part parts[] = {
			{"xl/workbook.xml", cases[i].with_workbook ? cases[i].workbook : NULL, DEFLATE, 0},
			{"xl/_rels/workbook.xml.rels", cases[i].rels, DEFLATE, 0},
			{"xl/worksheets/data.xml", row_data, DEFLATE, 0},
			{"xl/worksheets/sheet1.xml", row_one, STORE, 0},
		};
		size_t len, row;
		char err[200];
		char *data = zip_make(parts, 4, &len);
		int rc = read_all(data, len, collect, NULL, err, &row);
		free(data);
		if (rc)
			fail_msg("%s: %s", cases[i].name, err);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got %s", cases[i].name, got);
	}
}

/* Prefixed elements (x:row) and the strict namespace read the same. */
static void t_namespaces(void **state)
{
	(void)state;
	struct book b = {
		.workbook = "<x:workbook xmlns:x=\"http://purl.oclc.org/ooxml/spreadsheetml/main\" "
			    "xmlns:rel=\"http://purl.oclc.org/ooxml/officeDocument/relationships\">"
			    "<x:workbookPr date1904=\"1\"/><x:sheets><x:sheet name=\"S\" sheetId=\"1\" "
			    "rel:id=\"R7\"/></x:sheets></x:workbook>",
		.rels = RELS("<Relationship Id=\"R7\" Type=\"http://purl.oclc.org/ooxml/officeDocument/"
			     "relationships/worksheet\" Target=\"worksheets/s.xml\"/>"),
		.sheet_path = "xl/worksheets/s.xml",
		.sheet = "<x:worksheet xmlns:x=\"http://purl.oclc.org/ooxml/spreadsheetml/main\"><x:sheetData>"
			 "<x:row r=\"1\"><x:c r=\"A1\" t=\"inlineStr\"><x:is><x:t>p</x:t></x:is></x:c>"
			 "<x:c r=\"B1\"><x:v>1.0</x:v></x:c></x:row></x:sheetData></x:worksheet>",
	};
	expect_rows(&b, "1:[p][1]\n", true);
}

/* A sheet much larger than one 64 KiB piece streams through, in both
 * storage methods, with shared strings on every row. */
static void t_big(void **state)
{
	(void)state;
	enum { ROWS = 20000 };
	size_t cap = ROWS * 200 + 1000, n = 0;
	char *sheet = malloc(cap);
	assert_non_null(sheet);
	n += (size_t)snprintf(sheet + n, cap - n, "<worksheet xmlns=\"%s\"><sheetData>", NS_MAIN);
	for (int r = 1; r <= ROWS; r++)
		n += (size_t)snprintf(sheet + n, cap - n,
				      "<row r=\"%d\"><c r=\"A%d\" t=\"s\"><v>%d</v></c><c r=\"B%d\"><v>%d</v></c>"
				      "<c r=\"C%d\" t=\"inlineStr\"><is><t>Пётр %d</t></is></c></row>\n",
				      r, r, r % 3, r, r * 7, r, r);
	n += (size_t)snprintf(sheet + n, cap - n, "</sheetData></worksheet>");
	for (int how = DEFLATE; how <= STORE; how++) {
		struct book b = {.sheet = sheet, .sheet_how = (enum how)how,
				 .shared = SST("<si><t>x</t></si><si><t>y</t></si><si><t>z</t></si>")};
		size_t len, row;
		char err[200];
		char *data = book_make(&b, &len);
		int rc = read_all(data, len, collect, NULL, err, &row);
		free(data);
		if (rc)
			fail_msg("%s", err);
		assert_int_equal(got_rows, ROWS);
		assert_non_null(strstr(got, "1:[y][7][Пётр 1]\n2:[z][14][Пётр 2]\n3:[x][21][Пётр 3]\n"));
	}
	free(sheet);
}

static int stop_at_2(void *ctx, size_t row, const struct slice *f, size_t n)
{
	(void)ctx;
	(void)f;
	(void)n;
	return row == 2 ? 7 : 0;
}

/* The callback's non-zero value stops the reading and is returned. */
static void t_callback_stops(void **state)
{
	(void)state;
	struct book b = {.sheet = SHEET("<row r=\"1\"><c><v>1</v></c></row><row r=\"2\"><c><v>2</v></c></row>"
					"<row r=\"3\"><c><v>3</v></c></row>")};
	size_t len, row;
	char err[200];
	char *data = book_make(&b, &len);
	assert_int_equal(read_all(data, len, stop_at_2, NULL, err, &row), 7);
	assert_string_equal(err, "");
	free(data);
}

static char *repeat(const char *head, char c, size_t n, const char *tail)
{
	size_t h = strlen(head), t = strlen(tail);
	char *s = malloc(h + n + t + 1);
	assert_non_null(s);
	memcpy(s, head, h);
	memset(s + h, c, n);
	memcpy(s + h + n, tail, t + 1);
	return s;
}

/* Bad workbooks: each names its problem, and the row when there is one. */
static void t_errors(void **state)
{
	(void)state;
	char *long_sst = repeat("<sst><si><t>ok</t></si><si><t>", 'a', 70000, "</t></si></sst>");
	char *long_cell = repeat("<worksheet><sheetData><row r=\"1\"><c><v>1</v></c></row><row r=\"3\">"
				 "<c r=\"A3\"><v>1</v></c><c r=\"B3\" t=\"inlineStr\"><is><t>",
				 'b', 70000, "</t></is></c></row></sheetData></worksheet>");
	char *long_comment = repeat("<worksheet><sheetData><row r=\"1\"><c><v>1</v></c></row><!--", 'c',
				    5u << 20, "--></sheetData></worksheet>");
	char *deep = malloc(64 * 3 + 200);
	assert_non_null(deep);
	strcpy(deep, "<worksheet><sheetData>");
	for (int i = 0; i < 63; i++)
		strcat(deep, "<a>");
	static const char one_sheet[] = SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>");
	const struct {
		const char *name;
		struct book b;
		const char *want;
		size_t row;
	} cases[] = {
		{"malformed sheet",
		 {.sheet = "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c>\n<row></sheetData></worksheet>"},
		 "xl/worksheets/sheet1.xml line 2: mismatched tag", 1},
		{"malformed shared strings", {.shared = "<sst><si><t>a</si></sst>", .sheet = one_sheet},
		 "xl/sharedStrings.xml line 1: mismatched tag", 0},
		{"malformed styles", {.styles = "<styleSheet><cellXfs>", .sheet = one_sheet},
		 "xl/styles.xml line 1: no element found", 0},
		{"shared string too long", {.shared = long_sst, .sheet = one_sheet},
		 "xl/sharedStrings.xml: string 1 is too long (more than 64 KiB)", 0},
		{"cell too long", {.sheet = long_cell}, "row 3: cell B3 is longer than 64 KiB", 3},
		{"more than 256 columns", {.sheet = SHEET("<row r=\"7\"><c r=\"A7\"><v>1</v></c><c r=\"IW7\"><v>1</v></c></row>")},
		 "row 7: more than 256 columns", 7},
		{"sheet declares 3 GiB", {.sheet = one_sheet, .sheet_how = DECLARE_HUGE},
		 "xl/worksheets/sheet1.xml: declares 3 GiB inflated, more than the limit of 1 GiB", 0},
		{"shared strings declare 3 GiB", {.sheet = one_sheet, .shared = "x", .shared_how = DECLARE_HUGE},
		 "xl/sharedStrings.xml: declares 3 GiB inflated, more than the limit of 256 MiB", 0},
		{"damaged CRC", {.sheet = one_sheet, .sheet_how = BAD_CRC},
		 "xl/worksheets/sheet1.xml: the CRC does not match (the file is damaged)", 0},
		{"bzip2", {.sheet = one_sheet, .sheet_how = BZIP2},
		 "xl/worksheets/sheet1.xml: compression method 12 is not supported (only deflate)", 0},
		{"shared string out of range",
		 {.shared = SST("<si><t>a</t></si>"), .sheet = SHEET("<row r=\"2\"><c r=\"C2\" t=\"s\"><v>5</v></c></row>")},
		 "row 2: cell C2 refers to shared string 5, but there are 1", 2},
		{"shared strings missing",
		 {.sheet = SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>")},
		 "row 1: cell A1 refers to shared string 0, but there are 0", 1},
		{"bad cell reference", {.sheet = SHEET("<row r=\"1\"><c r=\"A0\"><v>1</v></c></row>")},
		 "row 1: the cell reference \"A0\" is not valid", 1},
		{"cell reference too wide", {.sheet = SHEET("<row r=\"1\"><c r=\"ABCD1\"><v>1</v></c></row>")},
		 "row 1: the cell reference \"ABCD1\" is not valid", 1},
		{"cell of another row", {.sheet = SHEET("<row r=\"2\"><c r=\"A3\"><v>1</v></c></row>")},
		 "row 2: cell A3 is not in this row", 2},
		{"cells out of order", {.sheet = SHEET("<row r=\"1\"><c r=\"C1\"><v>1</v></c><c r=\"B1\"><v>1</v></c></row>")},
		 "row 1: cell B1 comes after column C (cells must be in order)", 1},
		{"rows out of order", {.sheet = SHEET("<row r=\"3\"><c><v>1</v></c></row><row r=\"2\"><c><v>1</v></c></row>")},
		 "row 2: comes after row 3 (rows must be in order)", 2},
		{"bad row number", {.sheet = SHEET("<row r=\"1048577\"><c><v>1</v></c></row>")},
		 "row 1: the row number \"1048577\" is not valid", 1},
		{"unknown cell type", {.sheet = SHEET("<row r=\"4\"><c r=\"B4\" t=\"x\"><v>1</v></c></row>")},
		 "row 4: cell B4 has the unknown type \"x\"", 4},
		{"a DTD", {.sheet = "<!DOCTYPE w [<!ENTITY a \"aaaa\">]>\n<worksheet><sheetData/></worksheet>"},
		 "xl/worksheets/sheet1.xml line 1: a DTD is not allowed", 0},
		{"nested too deep", {.sheet = deep}, "xl/worksheets/sheet1.xml line 1: elements are nested more than 64 deep", 0},
		{"a 5 MiB comment", {.sheet = long_comment},
		 "xl/worksheets/sheet1.xml: more than 4 MiB of XML without a complete element", 0},
		{"bad date1904", {.workbook = WORKBOOK("<workbookPr date1904=\"maybe\"/>", ""), .sheet = one_sheet},
		 "xl/workbook.xml: date1904 is \"maybe\", not true or false", 0},
		{"sheet without r:id", {.workbook = WORKBOOK("", "<sheet name=\"S\"/>"), .sheet = one_sheet},
		 "xl/workbook.xml: a sheet has no r:id", 0},
		{"first worksheet missing",
		 {.rels = RELS(REL("rId1", "worksheet", "worksheets/gone.xml")), .sheet = one_sheet},
		 "xl/worksheets/gone.xml: the first worksheet is not in the archive", 0},
		{"target outside the archive",
		 {.rels = RELS(REL("rId1", "worksheet", "../../x.xml")), .sheet = one_sheet},
		 "xl/_rels/workbook.xml.rels: the target \"../../x.xml\" is not a path in the archive", 0},
		{"bad numFmtId", {.styles = STYLES("", "<xf numFmtId=\"-1\"/>"), .sheet = one_sheet},
		 "xl/styles.xml: numFmtId \"-1\" is not a number", 0},
		{"no worksheet at all", {.sheet = NULL}, "xl/worksheets/sheet1.xml: the first worksheet is not in the archive", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len, row = 99;
		char err[200];
		char *data = book_make(&cases[i].b, &len);
		int rc = read_all(data, len, collect, NULL, err, &row);
		free(data);
		if (rc != -1)
			fail_msg("%s: returned %d, not -1", cases[i].name, rc);
		if (strcmp(err, cases[i].want) != 0)
			fail_msg("%s: the error is\n  %s\nnot\n  %s", cases[i].name, err, cases[i].want);
		if (row != cases[i].row)
			fail_msg("%s: the error row is %zu, not %zu", cases[i].name, row, cases[i].row);
	}
	free(long_sst);
	free(long_cell);
	free(long_comment);
	free(deep);
}

/* Not a workbook at all. */
static void t_not_xlsx(void **state)
{
	(void)state;
	struct part hello[] = {{"hello.txt", "hello", DEFLATE, 0}, {"word/document.xml", "<w/>", DEFLATE, 0}};
	size_t len, row;
	char err[200];
	char *data = zip_make(hello, 2, &len);
	assert_int_equal(read_all(data, len, collect, NULL, err, &row), -1);
	assert_string_equal(err, "the archive is not an XLSX workbook: it has no xl/workbook.xml");
	/* the same bytes cut short lose the central directory */
	assert_int_equal(read_all(data, len - 30, collect, NULL, err, &row), -1);
	assert_string_equal(err, "the file is not a ZIP archive that can be read (XLSX workbooks are)");
	free(data);
	static const char junk[] = "PK\x03\x04 not really a zip archive";
	assert_int_equal(read_all(junk, sizeof junk - 1, collect, NULL, err, &row), -1);
	assert_string_equal(err, "the file is not a ZIP archive that can be read (XLSX workbooks are)");
	assert_int_equal(read_all("", 0, collect, NULL, err, &row), -1);
}

/* ---- the helpers ---- */

static void t_num_plain(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want; /* want NULL: not converted */
		long long whole;       /* -1: no whole part for dates */
	} cases[] = {
		{"0", "0", 0},           {"45658", "45658", 45658},   {"4.5658E4", "45658", 45658},
		{"1E+7", "10000000", 10000000}, {"1e7", "10000000", 10000000}, {"10000000.0", "10000000", 10000000},
		{"-0", "0", 0},          {"-0.0E5", "0", 0},          {"0.1", "0.1", 0},
		{"12.50", "12.5", 12},   {"-1.5E-3", "-0.0015", -1},  {"+3", "3", 3},
		{"007", "7", 7},         {".5", "0.5", 0},            {"5.", "5", 5},
		{"46023.999988", "46023.999988", 46023},           {"1.23456789012346E+19", "12345678901234600000", -1},
		{"123456789012345678", "123456789012345678", 123456789012345678LL},
		{"-46023", "-46023", -1}, {"1E+300", NULL, 0},        {"1E-300", NULL, 0},
		{"1E+99999", NULL, 0},   {"", NULL, 0},               {"-", NULL, 0},
		{".", NULL, 0},          {"E5", NULL, 0},             {"1E", NULL, 0},
		{"1E+", NULL, 0},        {"1.2.3", NULL, 0},          {"12abc", NULL, 0},
		{"0x10", NULL, 0},       {"1 000", NULL, 0},          {"inf", NULL, 0},
		{"NaN", NULL, 0},
		{"0.000000000000000000000000000000000000000000000000000000000000000000001", NULL, 0},
		{"00000000000000000000000000000000000000000000000000000000000000000000000000001", "1", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct num num;
		bool ok = num_plain(cases[i].in, strlen(cases[i].in), &num);
		if (!cases[i].want) {
			if (ok)
				fail_msg("\"%s\" gave \"%s\"", cases[i].in, num.text);
			continue;
		}
		if (!ok)
			fail_msg("\"%s\" is not a number", cases[i].in);
		if (strcmp(num.text, cases[i].want) != 0 || num.n != strlen(cases[i].want))
			fail_msg("\"%s\" gave \"%s\", not \"%s\"", cases[i].in, num.text, cases[i].want);
		if (cases[i].whole < 0 ? num.whole_ok : (!num.whole_ok || num.whole != cases[i].whole))
			fail_msg("\"%s\": whole part %lld (%d)", cases[i].in, (long long)num.whole, num.whole_ok);
	}
}

static void t_formats(void **state)
{
	(void)state;
	static const struct {
		const char *code;
		bool date;
	} cases[] = {
		{"yyyy-mm-dd", true},        {"yyyy\\-mm\\-dd", true},     {"dd.mm.yyyy", true},
		{"[$-409]d/m/yyyy;@", true}, {"mmm", true},               {"mmmm\\ yyyy", true},
		{"dd/mm/yy\\ hh:mm", true},  {"[$-F800]dddd\\,\\ mmmm\\ dd\\,\\ yyyy", true},
		{"General", false},          {"0.00", false},             {"#,##0\\ \"₽\"", false},
		{"\"day\" 0", false},        {"h:mm", false},             {"[h]:mm:ss", false},
		{"mm:ss", false},            {"[Red]0.00", false},        {"0.00E+00", false},
		{"_(* #,##0_);_(* (#,##0)", false}, {"\\d0", false},      {"*d0", false},
		{"[", false},                {"\"", false},               {"\\", false},
		{"", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (format_is_date(cases[i].code) != cases[i].date)
			fail_msg("\"%s\" is %sa date format", cases[i].code, cases[i].date ? "" : "not ");
	for (uint32_t id = 0; id < 200; id++) {
		bool want = (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) ||
			    (id >= 50 && id <= 58);
		assert_int_equal(builtin_is_date(id), want);
	}
}

static void t_paths_refs(void **state)
{
	(void)state;
	static const struct {
		const char *target, *want; /* NULL: refused */
	} paths[] = {
		{"worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"},
		{"/xl/worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"},
		{"../xl/./worksheets/a.xml", "xl/worksheets/a.xml"},
		{"a/b/../../c.xml", "xl/c.xml"},
		{"../../x.xml", NULL},
		{"/..", NULL},
		{"/", NULL},
		{"", "xl"},
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		char out[PATH_MAX_LEN];
		bool ok = resolve(paths[i].target, out);
		if (!paths[i].want ? ok : (!ok || strcmp(out, paths[i].want) != 0))
			fail_msg("\"%s\" resolved to %s", paths[i].target, ok ? out : "(refused)");
	}
	char longt[400];
	memset(longt, 'a', sizeof longt - 1);
	longt[sizeof longt - 1] = '\0';
	char out[PATH_MAX_LEN];
	assert_false(resolve(longt, out));

	static const struct {
		const char *ref;
		long col, row; /* col -1: refused */
	} refs[] = {
		{"A1", 0, 1},       {"Z9", 25, 9},     {"AA10", 26, 10},  {"IV7", 255, 7},
		{"XFD1048576", 16383, 1048576},        {"XFE1", -1, 0},   {"A0", -1, 0},
		{"A01", -1, 0},     {"a1", -1, 0},     {"1A", -1, 0},     {"A", -1, 0},
		{"ABCD1", -1, 0},   {"A1048577", -1, 0}, {"A1 ", -1, 0},  {"", -1, 0},
		{"A99999999999", -1, 0},
	};
	for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
		size_t col = 0, row = 0;
		bool ok = parse_ref(refs[i].ref, &col, &row);
		if (refs[i].col < 0 ? ok : (!ok || col != (size_t)refs[i].col || row != (size_t)refs[i].row))
			fail_msg("\"%s\": %d %zu %zu", refs[i].ref, ok, col, row);
	}
	char b[8];
	assert_string_equal(col_name(0, b), "A");
	assert_string_equal(col_name(25, b), "Z");
	assert_string_equal(col_name(26, b), "AA");
	assert_string_equal(col_name(16383, b), "XFD");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_strings),     cmocka_unit_test(t_gaps),
		cmocka_unit_test(t_dates),       cmocka_unit_test(t_first_sheet),
		cmocka_unit_test(t_namespaces),  cmocka_unit_test(t_big),
		cmocka_unit_test(t_callback_stops), cmocka_unit_test(t_errors),
		cmocka_unit_test(t_not_xlsx),    cmocka_unit_test(t_num_plain),
		cmocka_unit_test(t_formats),     cmocka_unit_test(t_paths_refs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
