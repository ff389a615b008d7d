#include "core/policy_import.h"

#include <stdio.h>
#include <string.h>

#include "core/program.h"

static const char *const names[PCOL__COUNT] = {
	[PCOL_POLICY_NUMBER] = "policy_number", [PCOL_PROGRAM] = "program",
	[PCOL_PACKAGES] = "packages",           [PCOL_START_DATE] = "start_date",
	[PCOL_END_DATE] = "end_date",           [PCOL_STATUS] = "status",
	[PCOL_SUM_INSURED] = "sum_insured",     [PCOL_PREVIOUS_POLICY] = "previous_policy",
	[PCOL_LAST_NAME] = "last_name",         [PCOL_FIRST_NAME] = "first_name",
	[PCOL_MIDDLE_NAME] = "middle_name",     [PCOL_BIRTH_DATE] = "birth_date",
	[PCOL_SEX] = "sex",                     [PCOL_PHONE] = "phone",
	[PCOL_EMAIL] = "email",                 [PCOL_DOCUMENT] = "document",
	[PCOL_ADDRESS] = "address",             [PCOL_CITY] = "city",
	[PCOL_LANGUAGE] = "language",           [PCOL_TIME_ZONE] = "time_zone",
};

const char *pcol_name(enum pcol c) { return (unsigned)c < PCOL__COUNT ? names[c] : ""; }

bool pcol_required(enum pcol c)
{
	switch (c) {
	case PCOL_POLICY_NUMBER: case PCOL_PROGRAM: case PCOL_START_DATE: case PCOL_END_DATE:
	case PCOL_LAST_NAME: case PCOL_FIRST_NAME: case PCOL_BIRTH_DATE: case PCOL_SEX:
		return true;
	default:
		return false;
	}
}

/* Each message format and its code (the UI's key is imports.issue.CODE,
 * with the value as {x}). */
static const struct {
	const char *fmt, *code;
} issue_codes[] = {
	{"column %s has no known name", "header_unnamed"},
	{"unknown column \"%s\"", "unknown_column"},
	{"column %s appears twice", "column_twice"},
	{"the required column %s is missing", "missing_column"},
	{"%s is empty", "empty"},
	{"the row has more cells than the header%s", "more_cells"},
	{"%s is not valid UTF-8 text", "utf8"},
	{"%s must be letters, digits, '.', '_' or '-' (at most 64)", "code"},
	{"more than 64 %s", "too_many_packages"},
	{"package \"%s\" is not a code", "package_code"},
	{"%s is not a date (YYYY-MM-DD or DD.MM.YYYY)", "not_date"},
	{"end_date is before start_date%s", "end_before_start"},
	{"status must be active, suspended or cancelled%s", "status"},
	{"sum_insured must be a whole number of minor units (kopecks, fen)%s", "sum_insured"},
	{"sex must be F or M (Ж/М, 女/男)%s", "sex"},
	{"%s is too long", "too_long"},
	{"email is not an e-mail address%s", "email"},
	{"phone is not a phone number (give it with the country code)%s", "phone"},
	{"language must be en, ru or zh%s", "language"},
	/* the importer's own (api/imports.c) */
	{"no policy %s to renew", "no_previous"},
	{"the file has more than %s data rows", "too_many_rows"},
	{"policy %s appears twice in the file", "twice"},
	{"no program %s", "no_program"},
	{"%s is not a package of the program", "no_package"},
};

const char *import_issue_code(const char *fmt)
{
	for (size_t i = 0; i < sizeof issue_codes / sizeof issue_codes[0]; i++)
		if (strcmp(fmt, issue_codes[i].fmt) == 0)
			return issue_codes[i].code;
	return "other";
}

static size_t add(struct import_issue *out, size_t cap, size_t k, size_t row, const char *col,
		  const char *fmt, const char *arg)
{
	if (k < cap) {
		out[k].row = row;
		out[k].column = col;
		out[k].code = import_issue_code(fmt);
		snprintf(out[k].value, sizeof out[k].value, "%s", arg ? arg : "");
		snprintf(out[k].message, sizeof out[k].message, fmt, arg ? arg : "");
	}
	return k + 1;
}

static struct slice trim(struct slice s)
{
	while (s.n && (s.p[0] == ' ' || s.p[0] == '\t'))
		s.p++, s.n--;
	while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
		s.n--;
	return s;
}

size_t pcol_map_header(const struct slice *f, size_t n, struct pcol_map *map,
		       struct import_issue *out, size_t cap)
{
	size_t k = 0;
	for (int i = 0; i < PCOL__COUNT; i++)
		map->at[i] = -1;
	map->nfile = n;
	for (size_t i = 0; i < n; i++) {
		struct slice s = trim(f[i]);
		char name[40];
		if (s.n == 0 || s.n >= sizeof name) {
			k = add(out, cap, k, 1, NULL, "column %s has no known name", s.n ? "header" : "(empty)");
			continue;
		}
		for (size_t j = 0; j < s.n; j++) {
			char c = s.p[j];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c == ' ' || c == '-')
				c = '_';
			name[j] = c;
		}
		name[s.n] = '\0';
		int found = -1;
		for (int c = 0; c < PCOL__COUNT; c++)
			if (strcmp(names[c], name) == 0)
				found = c;
		if (found < 0)
			k = add(out, cap, k, 1, NULL, "unknown column \"%s\"", name);
		else if (map->at[found] >= 0)
			k = add(out, cap, k, 1, names[found], "column %s appears twice", names[found]);
		else
			map->at[found] = (int)i;
	}
	for (int c = 0; c < PCOL__COUNT; c++)
		if (pcol_required((enum pcol)c) && map->at[c] < 0)
			k = add(out, cap, k, 1, names[c], "the required column %s is missing", names[c]);
	return k;
}

/* Serials are whole days (core/date.h date_from_serial); a time of day
 * after the point is ignored. */
bool import_date_parse(const char *s, size_t n, bool serials, bool date1904, cdate *out)
{
	if (date_parse(s, n, out))
		return true;
	if (n == 10 && s[2] == '.' && s[5] == '.') {
		char iso[10] = {s[6], s[7], s[8], s[9], '-', s[3], s[4], '-', s[0], s[1]};
		return date_parse(iso, 10, out);
	}
	if (!serials || n == 0 || n > 12)
		return false;
	long long v = 0;
	size_t i = 0;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (s[i] - '0');
	if (i == 0 || (i < n && s[i] != '.'))
		return false;
	for (size_t j = i + 1; j < n; j++)
		if (s[j] < '0' || s[j] > '9')
			return false;
	return date_from_serial(v, date1904, out);
}

static const char *dup(struct arena *a, struct slice s)
{
	return arena_strndup(a, s.p, s.n);
}

size_t policy_input_decode(const struct pcol_map *map, size_t row, const struct slice *f,
			   size_t n, bool serials, bool date1904, struct arena *a,
			   struct policy_input *p, struct import_issue *out, size_t cap)
{
	size_t k = 0;
	struct slice v[PCOL__COUNT];
	memset(p, 0, sizeof *p);
	p->row = row;
	p->sum_insured = -1;
	for (int c = 0; c < PCOL__COUNT; c++) {
		v[c] = (struct slice){"", 0};
		if (map->at[c] >= 0 && (size_t)map->at[c] < n)
			v[c] = trim(f[map->at[c]]);
		if (pcol_required((enum pcol)c) && v[c].n == 0)
			k = add(out, cap, k, row, names[c], "%s is empty", names[c]);
	}
	if (n > map->nfile)
		k = add(out, cap, k, row, NULL, "the row has more cells than the header%s", "");
	if (k)
		return k;
	for (int c = 0; c < PCOL__COUNT; c++)
		if (!str_utf8_valid(v[c].p, v[c].n))
			return add(out, cap, k, row, names[c], "%s is not valid UTF-8 text", names[c]);

#define CODE_COL(col, dst)                                                                  \
	do {                                                                                \
		(dst) = dup(a, v[col]);                                                     \
		if ((dst) && !program_code_valid(dst))                                      \
			k = add(out, cap, k, row, names[col],                               \
				"%s must be letters, digits, '.', '_' or '-' (at most 64)",       \
				names[col]);                                                \
	} while (0)
	CODE_COL(PCOL_POLICY_NUMBER, p->number);
	CODE_COL(PCOL_PROGRAM, p->program);
	if (v[PCOL_PREVIOUS_POLICY].n)
		CODE_COL(PCOL_PREVIOUS_POLICY, p->previous);

	if (v[PCOL_PACKAGES].n) {
		/* codes separated by spaces, commas or semicolons */
		const char *tmp[64];
		size_t np = 0;
		struct slice s = v[PCOL_PACKAGES];
		size_t i = 0;
		while (i < s.n) {
			while (i < s.n && (s.p[i] == ' ' || s.p[i] == ',' || s.p[i] == ';'))
				i++;
			size_t st = i;
			while (i < s.n && s.p[i] != ' ' && s.p[i] != ',' && s.p[i] != ';')
				i++;
			if (i > st) {
				if (np == 64) {
					k = add(out, cap, k, row, names[PCOL_PACKAGES], "more than 64 %s", "packages");
					break;
				}
				tmp[np] = arena_strndup(a, s.p + st, i - st);
				if (tmp[np] && !program_code_valid(tmp[np]))
					k = add(out, cap, k, row, names[PCOL_PACKAGES],
						"package \"%s\" is not a code", tmp[np]);
				np++;
			}
		}
		p->packages = arena_alloc(a, (np + 1) * sizeof *p->packages);
		if (p->packages)
			memcpy(p->packages, tmp, np * sizeof *tmp);
		p->npackages = np;
	}
	if (!import_date_parse(v[PCOL_START_DATE].p, v[PCOL_START_DATE].n, serials, date1904, &p->start))
		k = add(out, cap, k, row, names[PCOL_START_DATE], "%s is not a date (YYYY-MM-DD or DD.MM.YYYY)",
			names[PCOL_START_DATE]);
	if (!import_date_parse(v[PCOL_END_DATE].p, v[PCOL_END_DATE].n, serials, date1904, &p->end))
		k = add(out, cap, k, row, names[PCOL_END_DATE], "%s is not a date (YYYY-MM-DD or DD.MM.YYYY)",
			names[PCOL_END_DATE]);
	else if (p->end < p->start)
		k = add(out, cap, k, row, names[PCOL_END_DATE], "end_date is before start_date%s", "");
	if (!import_date_parse(v[PCOL_BIRTH_DATE].p, v[PCOL_BIRTH_DATE].n, serials, date1904, &p->birth_date))
		k = add(out, cap, k, row, names[PCOL_BIRTH_DATE], "%s is not a date (YYYY-MM-DD or DD.MM.YYYY)",
			names[PCOL_BIRTH_DATE]);

	p->status = "active";
	if (v[PCOL_STATUS].n) {
		static const char *const st[] = {"active", "suspended", "cancelled"};
		p->status = NULL;
		for (int i = 0; i < 3; i++)
			if (strlen(st[i]) == v[PCOL_STATUS].n && memcmp(st[i], v[PCOL_STATUS].p, v[PCOL_STATUS].n) == 0)
				p->status = st[i];
		if (!p->status)
			k = add(out, cap, k, row, names[PCOL_STATUS], "status must be active, suspended or cancelled%s", "");
	}
	if (v[PCOL_SUM_INSURED].n) {
		int64_t x;
		if (str_to_i64(v[PCOL_SUM_INSURED].p, v[PCOL_SUM_INSURED].n, &x) || x < 0)
			k = add(out, cap, k, row, names[PCOL_SUM_INSURED],
				"sum_insured must be a whole number of minor units (kopecks, fen)%s", "");
		else
			p->sum_insured = x;
	}
	struct slice sx = v[PCOL_SEX];
	if (sx.n == 1 && (sx.p[0] == 'F' || sx.p[0] == 'M' || sx.p[0] == 'f' || sx.p[0] == 'm'))
		p->sex[0] = (char)(sx.p[0] & ~0x20);
	else if (sx.n == 2 && memcmp(sx.p, "Ж", 2) == 0)
		p->sex[0] = 'F';
	else if (sx.n == 2 && memcmp(sx.p, "М", 2) == 0)
		p->sex[0] = 'M';
	else if (sx.n == 3 && memcmp(sx.p, "女", 3) == 0)
		p->sex[0] = 'F';
	else if (sx.n == 3 && memcmp(sx.p, "男", 3) == 0)
		p->sex[0] = 'M';
	else
		k = add(out, cap, k, row, names[PCOL_SEX], "sex must be F or M (Ж/М, 女/男)%s", "");

#define TEXT_COL(col, dst, max)                                                            \
	do {                                                                               \
		if (v[col].n) {                                                            \
			if (str_utf8_len(v[col].p, v[col].n) > (max))                      \
				k = add(out, cap, k, row, names[col], "%s is too long", names[col]); \
			(dst) = dup(a, v[col]);                                            \
		}                                                                          \
	} while (0)
	TEXT_COL(PCOL_LAST_NAME, p->last_name, 100);
	TEXT_COL(PCOL_FIRST_NAME, p->first_name, 100);
	TEXT_COL(PCOL_MIDDLE_NAME, p->middle_name, 100);
	TEXT_COL(PCOL_EMAIL, p->email, 254);
	TEXT_COL(PCOL_DOCUMENT, p->document, 64);
	TEXT_COL(PCOL_ADDRESS, p->address, 500);
	TEXT_COL(PCOL_CITY, p->city, 100);
	TEXT_COL(PCOL_TIME_ZONE, p->time_zone, 64);
	if (p->email && (!strchr(p->email, '@') || strchr(p->email, ' ')))
		k = add(out, cap, k, row, names[PCOL_EMAIL], "email is not an e-mail address%s", "");
	if (v[PCOL_PHONE].n && !phone_normalize(v[PCOL_PHONE].p, v[PCOL_PHONE].n, p->phone))
		k = add(out, cap, k, row, names[PCOL_PHONE],
			"phone is not a phone number (give it with the country code)%s", "");
	if (v[PCOL_LANGUAGE].n) {
		struct slice l = v[PCOL_LANGUAGE];
		if (l.n != 2 || (memcmp(l.p, "en", 2) && memcmp(l.p, "ru", 2) && memcmp(l.p, "zh", 2)))
			k = add(out, cap, k, row, names[PCOL_LANGUAGE], "language must be en, ru or zh%s", "");
		else
			p->language = dup(a, l);
	}
	return k;
}
