/* Message templates (DESIGN.md E): one text per event and language, with
 * variables. Pure.
 *
 * Syntax
 *   {{name}}            the variable's value
 *   {{name|fallback}}   the value, or the fallback text when the variable is
 *                       missing or its value is empty
 *   {{{{  and  }}}}     a literal "{{" and "}}"
 * A name is 1..TPL_NAME_MAX bytes of ASCII letters, digits, '_' and '.',
 * starting with a letter or '_' ("policy.number", "first_name"). Spaces
 * around the name and around the fallback are ignored, so "{{ name | n/a }}"
 * is "{{name|n/a}}". A fallback is any UTF-8 without "{{" or "}}" (single
 * braces are fine). A single '{' or '}' elsewhere is plain text; a "}}"
 * that closes nothing is an error (it is nearly always a typo such as
 * "{name}}").
 *
 * Rendering a placeholder without a fallback whose variable is missing is
 * an error naming the variable: a message never goes out with a hole in it.
 * An empty value without a fallback renders as empty.
 *
 * Which template: the recipient's language picks it (tpl_lang_pick), falling
 * back to English, then to whatever the event has. */
#ifndef ASSIST_TEMPLATE_H
#define ASSIST_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define TPL_TEXT_MAX (64 * 1024)    /* bytes of one template text */
#define TPL_NAME_MAX 64             /* bytes of a variable name */
#define TPL_FALLBACK_MAX 512        /* bytes of a fallback text */
#define TPL_PLACEHOLDERS_MAX 256    /* placeholders in one template */
#define TPL_VALUE_MAX (16 * 1024)   /* bytes of one variable's value */
#define TPL_OUTPUT_MAX (256 * 1024) /* bytes of one rendered text */

/* One variable: NUL-terminated UTF-8 name and value; value NULL means
 * missing, the same as not being in the list. The caller owns both;
 * nothing is kept after the call. When a name is listed twice the first
 * wins. */
struct tpl_var {
	const char *name;
	const char *value;
};

/* How values are inserted. Fallbacks and the template's own text are the
 * author's and are never escaped. */
enum tpl_escape {
	TPL_ESCAPE_NONE, /* plain text, SMS, subject lines */
	TPL_ESCAPE_HTML, /* & < > " ' become entities */
};

enum tpl_fault {
	TPL_FAULT_NONE = 0,
	TPL_FAULT_UTF8,          /* the template is not valid UTF-8 */
	TPL_FAULT_TOO_LONG,      /* template longer than TPL_TEXT_MAX */
	TPL_FAULT_UNCLOSED,      /* "{{" without its "}}" */
	TPL_FAULT_STRAY_CLOSE,   /* "}}" that closes nothing */
	TPL_FAULT_BAD_NAME,      /* empty name or a character not allowed in one */
	TPL_FAULT_NAME_TOO_LONG, /* name longer than TPL_NAME_MAX */
	TPL_FAULT_FALLBACK,      /* fallback too long or holding "{{" */
	TPL_FAULT_TOO_MANY,      /* more than TPL_PLACEHOLDERS_MAX placeholders */
	TPL_FAULT_UNKNOWN,       /* render: missing variable without fallback;
				    validate: a name not in the event's list */
	TPL_FAULT_VALUE,         /* render: a value is not UTF-8 or too long */
	TPL_FAULT_OUTPUT,        /* render: the result is longer than the buffer allows */
	TPL_FAULT_NOMEM,
};

/* Where and what: for the admin editor to point at the fault. */
struct tpl_error {
	enum tpl_fault fault;
	size_t offset;              /* byte offset of the fault in the template */
	unsigned line, column;      /* 1-based; column counts code points */
	char name[TPL_NAME_MAX + 1]; /* the variable concerned, "" when none */
};

/* Render tpl[0..n) with vars into out (appended; out->max bounds the result,
 * at most TPL_OUTPUT_MAX is ever written). On failure te (may be NULL) says
 * why and out holds a partial text the caller must not send. Returns RES_OK,
 * RES_INVALID (template or value fault), RES_UNPROCESSABLE (missing
 * variable), RES_TOO_LARGE (output) or RES_NOMEM. */
enum res tpl_render(const char *tpl, size_t n, const struct tpl_var *vars, size_t nvars,
		    enum tpl_escape esc, struct buf *out, struct tpl_error *te) WUR;

/* Check a template for the editor: syntax, limits and, when known is not
 * NULL, that every name (with a fallback or not) is one of known[0..nknown)
 * (the variables the event provides), since an unknown name with a fallback
 * is nearly always a typo that would always show the fallback. Returns
 * RES_OK or RES_INVALID with te filled. */
enum res tpl_validate(const char *tpl, size_t n, const char *const *known, size_t nknown,
		      struct tpl_error *te) WUR;

/* The distinct variable names a valid template uses, in order of first use,
 * into names[0..cap) as NUL-terminated strings of TPL_NAME_MAX + 1 bytes,
 * and their number into *count. Once cap names are stored, every further
 * placeholder not among them adds one to *count without being written, so
 * *count > cap says cap was too small (the count is then an upper bound).
 * Returns RES_OK or RES_INVALID with te filled. */
enum res tpl_names(const char *tpl, size_t n, char (*names)[TPL_NAME_MAX + 1], size_t cap,
		   size_t *count, struct tpl_error *te) WUR;

/* English text of a fault ("unknown variable"). */
const char *tpl_fault_text(enum tpl_fault f);

/* Fill e for the user: code "template_invalid" or "template_variable",
 * field as given (e.g. "text_ru"), and a message such as
 * "line 2, column 7: unknown variable {{policy_no}}". Returns e->res. */
enum res tpl_error_to_err(const struct tpl_error *te, const char *field, struct err *e);

/* Which of the languages an event has a template in to use for a recipient
 * whose language is want (e.g. "ru", "ru-RU", "zh-Hans-CN"; may be NULL):
 * the same primary language (ASCII case-insensitive), else "en", else
 * have[0]. Returns an index into have, or -1 when nhave is 0. */
int tpl_lang_pick(const char *want, const char *const *have, size_t nhave);

#endif
