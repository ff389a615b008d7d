/* Message templates (see template.h). */
#include "core/template.h"

#include <stdio.h>
#include <string.h>

#include "base/str.h"

/* One placeholder as the scanner found it: slices into the template. */
struct tpl_ph {
	size_t at; /* offset of its "{{" */
	const char *name;
	size_t name_len;
	bool has_fallback;
	const char *fallback;
	size_t fallback_len;
};

/* Called for each run of literal text (ph NULL) and each placeholder. */
typedef enum res (*tpl_visit_fn)(void *ctx, const char *lit, size_t n, const struct tpl_ph *ph,
				 struct tpl_error *te);

static enum res tpl_fail(struct tpl_error *te, enum tpl_fault f, size_t at, const char *name,
			 size_t name_len)
{
	if (te) {
		te->fault = f;
		te->offset = at;
		te->name[0] = '\0';
		if (name) {
			size_t k = name_len < TPL_NAME_MAX ? name_len : TPL_NAME_MAX;
			memcpy(te->name, name, k);
			te->name[k] = '\0';
		}
	}
	switch (f) {
	case TPL_FAULT_UNKNOWN: return RES_UNPROCESSABLE;
	case TPL_FAULT_OUTPUT: return RES_TOO_LARGE;
	case TPL_FAULT_NOMEM: return RES_NOMEM;
	default: return RES_INVALID;
	}
}

/* Offset of the first byte that is not part of well-formed UTF-8, or n. */
static size_t utf8_bad_at(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
			 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (!k || k > n - i || !str_utf8_valid(s + i, k))
			return i;
		i += k;
	}
	return n;
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && ((c >= '0' && c <= '9') || c == '.'));
}

static void trim(const char **p, size_t *n)
{
	while (*n && ((*p)[0] == ' ' || (*p)[0] == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

static const char *find2(const char *s, size_t n, char c)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == c && s[i + 1] == c)
			return s + i;
	return NULL;
}

/* Take one placeholder apart; tpl[at..at+2) is its "{{", close points at its "}}". */
static enum res tpl_ph_parse(const char *tpl, size_t at, const char *close, struct tpl_ph *ph,
			     struct tpl_error *te)
{
	const char *in = tpl + at + 2;
	size_t inn = (size_t)(close - in);
	const char *bar = memchr(in, '|', inn);
	const char *name = in;
	size_t name_len = bar ? (size_t)(bar - in) : inn;
	trim(&name, &name_len);
	if (name_len == 0)
		return tpl_fail(te, TPL_FAULT_BAD_NAME, at, NULL, 0);
	for (size_t i = 0; i < name_len; i++)
		if (!name_char(name[i], i == 0))
			return tpl_fail(te, TPL_FAULT_BAD_NAME, (size_t)(name + i - tpl), name,
					name_len);
	if (name_len > TPL_NAME_MAX)
		return tpl_fail(te, TPL_FAULT_NAME_TOO_LONG, (size_t)(name - tpl), name, name_len);
	*ph = (struct tpl_ph){.at = at, .name = name, .name_len = name_len};
	if (bar) {
		const char *fb = bar + 1;
		size_t fbn = (size_t)(close - fb);
		trim(&fb, &fbn);
		if (fbn > TPL_FALLBACK_MAX)
			return tpl_fail(te, TPL_FAULT_FALLBACK, (size_t)(fb - tpl), name, name_len);
		ph->has_fallback = true;
		ph->fallback = fb;
		ph->fallback_len = fbn;
	}
	return RES_OK;
}

/* Walk a template: literal runs and placeholders in order, escapes undone.
 * Every syntax rule and limit of template.h is checked here, so render,
 * validate and names agree on what a template is. */
static enum res tpl_scan(const char *tpl, size_t n, tpl_visit_fn visit, void *ctx,
			 struct tpl_error *te)
{
	enum res r;
	if (n > TPL_TEXT_MAX)
		return tpl_fail(te, TPL_FAULT_TOO_LONG, TPL_TEXT_MAX, NULL, 0);
	size_t bad = utf8_bad_at(tpl, n);
	if (bad < n)
		return tpl_fail(te, TPL_FAULT_UTF8, bad, NULL, 0);
	size_t i = 0, lit = 0, count = 0;
	while (i + 1 < n) {
		char c = tpl[i];
		if ((c != '{' && c != '}') || tpl[i + 1] != c) {
			i++;
			continue;
		}
		bool doubled = i + 3 < n && tpl[i + 2] == c && tpl[i + 3] == c;
		if (doubled) { /* "{{{{" or "}}}}": a literal pair */
			if ((r = visit(ctx, tpl + lit, i - lit + 2, NULL, te)))
				return r;
			i += 4;
			lit = i;
			continue;
		}
		if (c == '}')
			return tpl_fail(te, TPL_FAULT_STRAY_CLOSE, i, NULL, 0);
		const char *close = find2(tpl + i + 2, n - i - 2, '}');
		if (!close)
			return tpl_fail(te, TPL_FAULT_UNCLOSED, i, NULL, 0);
		/* another "{{" before the "}}": this one was never closed */
		if (find2(tpl + i + 2, (size_t)(close - (tpl + i + 2)), '{'))
			return tpl_fail(te, TPL_FAULT_UNCLOSED, i, NULL, 0);
		if (++count > TPL_PLACEHOLDERS_MAX)
			return tpl_fail(te, TPL_FAULT_TOO_MANY, i, NULL, 0);
		struct tpl_ph ph;
		if ((r = tpl_ph_parse(tpl, i, close, &ph, te)))
			return r;
		if (i > lit && (r = visit(ctx, tpl + lit, i - lit, NULL, te)))
			return r;
		if ((r = visit(ctx, NULL, 0, &ph, te)))
			return r;
		i = (size_t)(close - tpl) + 2;
		lit = i;
	}
	if (n > lit && (r = visit(ctx, tpl + lit, n - lit, NULL, te)))
		return r;
	return RES_OK;
}

/* line and column (in code points) of te->offset. */
static void tpl_locate(const char *tpl, size_t n, struct tpl_error *te)
{
	if (!te)
		return;
	size_t end = te->offset < n ? te->offset : n;
	unsigned line = 1, col = 1;
	for (size_t i = 0; i < end; i++) {
		unsigned char c = (unsigned char)tpl[i];
		if (c == '\n') {
			line++;
			col = 1;
		} else if ((c & 0xc0) != 0x80) {
			col++;
		}
	}
	te->line = line;
	te->column = col;
}

static void tpl_error_init(struct tpl_error *te)
{
	if (te)
		*te = (struct tpl_error){.fault = TPL_FAULT_NONE};
}

/* ---- render ---- */

struct render_ctx {
	const struct tpl_var *vars;
	size_t nvars;
	enum tpl_escape esc;
	struct buf *out;
	size_t start; /* out->len before rendering, for TPL_OUTPUT_MAX */
	const char *tpl; /* for the offset of a fault in a literal run */
};

static enum res render_put(struct render_ctx *c, const char *s, size_t n, size_t at,
			   struct tpl_error *te)
{
	if (c->out->len - c->start > TPL_OUTPUT_MAX - n || n > TPL_OUTPUT_MAX)
		return tpl_fail(te, TPL_FAULT_OUTPUT, at, NULL, 0);
	enum res r = buf_append(c->out, s, n);
	if (r == RES_NOMEM)
		return tpl_fail(te, TPL_FAULT_NOMEM, at, NULL, 0);
	if (r)
		return tpl_fail(te, TPL_FAULT_OUTPUT, at, NULL, 0);
	return RES_OK;
}

static enum res render_html(struct render_ctx *c, const char *s, size_t n, size_t at,
			    struct tpl_error *te)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		const char *ent;
		switch (s[i]) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		enum res r;
		if ((r = render_put(c, s + run, i - run, at, te)) ||
		    (r = render_put(c, ent, strlen(ent), at, te)))
			return r;
		run = i + 1;
	}
	return render_put(c, s + run, n - run, at, te);
}

static const struct tpl_var *var_find(const struct tpl_var *vars, size_t nvars, const char *name,
				      size_t n)
{
	for (size_t i = 0; i < nvars; i++)
		if (vars[i].name && strlen(vars[i].name) == n && memcmp(vars[i].name, name, n) == 0)
			return &vars[i];
	return NULL;
}

static enum res render_visit(void *ctx, const char *lit, size_t n, const struct tpl_ph *ph,
			     struct tpl_error *te)
{
	struct render_ctx *c = ctx;
	if (!ph)
		return render_put(c, lit, n, (size_t)(lit - c->tpl), te);
	const struct tpl_var *v = var_find(c->vars, c->nvars, ph->name, ph->name_len);
	bool missing = !v || !v->value;
	if (missing || (!v->value[0] && ph->has_fallback)) {
		if (!ph->has_fallback)
			return tpl_fail(te, TPL_FAULT_UNKNOWN, ph->at, ph->name, ph->name_len);
		return render_put(c, ph->fallback, ph->fallback_len, ph->at, te);
	}
	size_t len = strnlen(v->value, TPL_VALUE_MAX + 1);
	if (len > TPL_VALUE_MAX || !str_utf8_valid(v->value, len))
		return tpl_fail(te, TPL_FAULT_VALUE, ph->at, ph->name, ph->name_len);
	if (c->esc == TPL_ESCAPE_HTML)
		return render_html(c, v->value, len, ph->at, te);
	return render_put(c, v->value, len, ph->at, te);
}

enum res tpl_render(const char *tpl, size_t n, const struct tpl_var *vars, size_t nvars,
		    enum tpl_escape esc, struct buf *out, struct tpl_error *te)
{
	tpl_error_init(te);
	struct render_ctx c = {.vars = vars, .nvars = nvars, .esc = esc, .out = out,
			       .start = out->len, .tpl = tpl};
	enum res r = tpl_scan(tpl, n, render_visit, &c, te);
	if (r)
		tpl_locate(tpl, n, te);
	return r;
}

/* ---- validate and names ---- */

struct names_ctx {
	const char *const *known;
	size_t nknown;
	bool collect;
	char (*names)[TPL_NAME_MAX + 1]; /* NULL with cap 0: only count */
	size_t cap, count;
};

static enum res names_visit(void *ctx, const char *lit, size_t n, const struct tpl_ph *ph,
			    struct tpl_error *te)
{
	(void)lit;
	(void)n;
	struct names_ctx *c = ctx;
	if (!ph)
		return RES_OK;
	if (c->known) {
		bool ok = false;
		for (size_t i = 0; i < c->nknown && !ok; i++)
			ok = strlen(c->known[i]) == ph->name_len &&
			     memcmp(c->known[i], ph->name, ph->name_len) == 0;
		if (!ok) {
			(void)tpl_fail(te, TPL_FAULT_UNKNOWN, ph->at, ph->name, ph->name_len);
			return RES_INVALID; /* a template fault here, not a missing value */
		}
	}
	if (c->collect) {
		size_t k = c->count < c->cap ? c->count : c->cap;
		for (size_t i = 0; i < k; i++)
			if (strlen(c->names[i]) == ph->name_len &&
			    memcmp(c->names[i], ph->name, ph->name_len) == 0)
				return RES_OK;
		if (c->count < c->cap) {
			memcpy(c->names[c->count], ph->name, ph->name_len);
			c->names[c->count][ph->name_len] = '\0';
		}
		c->count++;
	}
	return RES_OK;
}

enum res tpl_validate(const char *tpl, size_t n, const char *const *known, size_t nknown,
		      struct tpl_error *te)
{
	tpl_error_init(te);
	struct names_ctx c = {.known = known, .nknown = nknown};
	enum res r = tpl_scan(tpl, n, names_visit, &c, te);
	if (r)
		tpl_locate(tpl, n, te);
	return r;
}

enum res tpl_names(const char *tpl, size_t n, char (*names)[TPL_NAME_MAX + 1], size_t cap,
		   size_t *count, struct tpl_error *te)
{
	tpl_error_init(te);
	struct names_ctx c = {.collect = true, .names = names, .cap = names ? cap : 0};
	enum res r = tpl_scan(tpl, n, names_visit, &c, te);
	if (r)
		tpl_locate(tpl, n, te);
	*count = c.count;
	return r;
}

const char *tpl_fault_text(enum tpl_fault f)
{
	switch (f) {
	case TPL_FAULT_NONE: return "no fault";
	case TPL_FAULT_UTF8: return "the text is not valid UTF-8";
	case TPL_FAULT_TOO_LONG: return "the template is too long";
	case TPL_FAULT_UNCLOSED: return "\"{{\" is not closed by \"}}\"";
	case TPL_FAULT_STRAY_CLOSE: return "\"}}\" closes nothing (write \"}}}}\" for a literal \"}}\")";
	case TPL_FAULT_BAD_NAME:
		return "a variable name is letters, digits, '_' and '.', starting with a letter or '_'";
	case TPL_FAULT_NAME_TOO_LONG: return "the variable name is too long";
	case TPL_FAULT_FALLBACK: return "the fallback text is too long";
	case TPL_FAULT_TOO_MANY: return "too many placeholders";
	case TPL_FAULT_UNKNOWN: return "unknown variable";
	case TPL_FAULT_VALUE: return "the value is not valid UTF-8 or is too long";
	case TPL_FAULT_OUTPUT: return "the rendered text is too long";
	case TPL_FAULT_NOMEM: return "out of memory";
	}
	return "invalid template";
}

enum res tpl_error_to_err(const struct tpl_error *te, const char *field, struct err *e)
{
	enum res res = te->fault == TPL_FAULT_NOMEM   ? RES_NOMEM
		       : te->fault == TPL_FAULT_OUTPUT ? RES_TOO_LARGE
		       : te->fault == TPL_FAULT_UNKNOWN ? RES_UNPROCESSABLE
							: RES_INVALID;
	const char *code = te->fault == TPL_FAULT_UNKNOWN || te->fault == TPL_FAULT_VALUE
				   ? "template_variable"
				   : "template_invalid";
	if (te->name[0])
		return err_set(e, res, code, field, "line %u, column %u: %s {{%s}}", te->line,
			       te->column, tpl_fault_text(te->fault), te->name);
	return err_set(e, res, code, field, "line %u, column %u: %s", te->line, te->column,
		       tpl_fault_text(te->fault));
}

/* The primary subtag of a language tag: "ru" of "ru-RU". */
static size_t lang_primary(const char *s)
{
	size_t n = 0;
	while (s[n] && s[n] != '-' && s[n] != '_')
		n++;
	return n;
}

static bool lang_eq(const char *a, const char *b)
{
	size_t na = lang_primary(a), nb = lang_primary(b);
	if (na != nb || na == 0)
		return false;
	for (size_t i = 0; i < na; i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

int tpl_lang_pick(const char *want, const char *const *have, size_t nhave)
{
	if (nhave == 0)
		return -1;
	if (want)
		for (size_t i = 0; i < nhave; i++)
			if (lang_eq(want, have[i]))
				return (int)i;
	for (size_t i = 0; i < nhave; i++)
		if (lang_eq("en", have[i]))
			return (int)i;
	return 0;
}
