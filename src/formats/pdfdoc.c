#include "formats/pdfdoc.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

/* A4 in points, margins, type */
#define PAGE_W 595.28
#define PAGE_H 841.89
#define MARGIN 48.0
#define BOTTOM (PAGE_H - MARGIN - 24.0) /* room for the footer */
#define LINE_W (PAGE_W - 2 * MARGIN)
#define CELL_PAD 4.0
#define FONT "Noto Sans, Noto Sans CJK SC"

struct pdfdoc {
	struct buf out;
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoLayout *layout;
	char *footer;
	double y;
	int page;
	bool failed;
};

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int length)
{
	struct pdfdoc *d = closure;
	if (buf_append(&d->out, data, length)) {
		d->failed = true;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

/* Set the layout for text in a box width wide; returns its height. */
static double measure(struct pdfdoc *d, const char *text, double width, double size, bool bold)
{
	PangoFontDescription *fd = pango_font_description_from_string(FONT);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(d->layout, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(d->layout, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(d->layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_text(d->layout, text ? text : "", -1);
	int w, h;
	pango_layout_get_size(d->layout, &w, &h);
	return (double)h / PANGO_SCALE;
}

static void draw(struct pdfdoc *d, double x, double y, double grey)
{
	cairo_set_source_rgb(d->cr, grey, grey, grey);
	cairo_move_to(d->cr, x, y);
	pango_cairo_show_layout(d->cr, d->layout);
}

static void footer(struct pdfdoc *d)
{
	char text[300];
	snprintf(text, sizeof text, "%s%s%d", d->footer ? d->footer : "", d->footer ? " · " : "",
		 d->page);
	measure(d, text, LINE_W, 8, false);
	pango_layout_set_alignment(d->layout, PANGO_ALIGN_RIGHT);
	draw(d, MARGIN, PAGE_H - MARGIN, 0.45);
	pango_layout_set_alignment(d->layout, PANGO_ALIGN_LEFT);
}

static void new_page(struct pdfdoc *d)
{
	footer(d);
	cairo_show_page(d->cr);
	d->page++;
	d->y = MARGIN;
}

/* Make room for h points (a block taller than a page is cut by the page). */
static void need(struct pdfdoc *d, double h)
{
	if (d->y + h > BOTTOM && d->y > MARGIN)
		new_page(d);
}

struct pdfdoc *pdfdoc_new(const char *title, const char *subtitle, const char *foot)
{
	struct pdfdoc *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	buf_init(&d->out, PDFDOC_MAX_BYTES);
	d->surface = cairo_pdf_surface_create_for_stream(write_out, d, PAGE_W, PAGE_H);
	d->cr = cairo_create(d->surface);
	d->layout = pango_cairo_create_layout(d->cr);
	d->footer = foot ? strdup(foot) : NULL;
	d->page = 1;
	d->y = MARGIN;
	if (title) {
		cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_TITLE, title);
		double h = measure(d, title, LINE_W, 18, true);
		draw(d, MARGIN, d->y, 0.1);
		d->y += h + 4;
	}
	if (subtitle) {
		double h = measure(d, subtitle, LINE_W, 10, false);
		draw(d, MARGIN, d->y, 0.4);
		d->y += h + 8;
	}
	return d;
}

void pdfdoc_section(struct pdfdoc *d, const char *heading)
{
	double h = measure(d, heading, LINE_W, 13, true);
	need(d, h + 30); /* a heading does not end a page alone */
	d->y += 10;
	draw(d, MARGIN, d->y, 0.1);
	d->y += h + 2;
	cairo_set_source_rgb(d->cr, 0.8, 0.8, 0.8);
	cairo_set_line_width(d->cr, 0.6);
	cairo_move_to(d->cr, MARGIN, d->y);
	cairo_line_to(d->cr, MARGIN + LINE_W, d->y);
	cairo_stroke(d->cr);
	d->y += 6;
}

void pdfdoc_field(struct pdfdoc *d, const char *label, const char *value)
{
	double lw = LINE_W * 0.32, vw = LINE_W - lw - 8;
	double hl = measure(d, label, lw, 9.5, false);
	double hv = measure(d, value && *value ? value : "—", vw, 10, false);
	double h = hl > hv ? hl : hv;
	need(d, h + 3);
	measure(d, label, lw, 9.5, false);
	draw(d, MARGIN, d->y, 0.42);
	measure(d, value && *value ? value : "—", vw, 10, false);
	draw(d, MARGIN + lw + 8, d->y, 0.08);
	d->y += h + 3;
}

void pdfdoc_paragraph(struct pdfdoc *d, const char *text)
{
	double h = measure(d, text, LINE_W, 10, false);
	need(d, h + 4);
	draw(d, MARGIN, d->y, 0.08);
	d->y += h + 4;
}

static double table_row(struct pdfdoc *d, size_t ncols, const char *const *texts,
			const double *widths, bool header, bool paint)
{
	double h = 0;
	for (size_t c = 0; c < ncols; c++) {
		double ch = measure(d, texts[c] ? texts[c] : "", widths[c] * LINE_W - 2 * CELL_PAD,
				    header ? 9 : 9.5, header);
		if (ch > h)
			h = ch;
	}
	h += 2 * CELL_PAD;
	if (!paint)
		return h;
	if (header) {
		cairo_set_source_rgb(d->cr, 0.93, 0.94, 0.96);
		cairo_rectangle(d->cr, MARGIN, d->y, LINE_W, h);
		cairo_fill(d->cr);
	}
	double x = MARGIN;
	for (size_t c = 0; c < ncols; c++) {
		measure(d, texts[c] ? texts[c] : "", widths[c] * LINE_W - 2 * CELL_PAD,
			header ? 9 : 9.5, header);
		draw(d, x + CELL_PAD, d->y + CELL_PAD, header ? 0.25 : 0.08);
		x += widths[c] * LINE_W;
	}
	cairo_set_source_rgb(d->cr, 0.85, 0.85, 0.85);
	cairo_set_line_width(d->cr, 0.5);
	cairo_move_to(d->cr, MARGIN, d->y + h);
	cairo_line_to(d->cr, MARGIN + LINE_W, d->y + h);
	cairo_stroke(d->cr);
	d->y += h;
	return h;
}

void pdfdoc_table(struct pdfdoc *d, size_t ncols, const char *const *headers, const double *widths,
		  const char *const *cells, size_t nrows)
{
	if (ncols == 0 || ncols > PDFDOC_MAX_COLS)
		return;
	double hh = table_row(d, ncols, headers, widths, true, false);
	double first = nrows ? table_row(d, ncols, cells, widths, false, false) : 0;
	need(d, hh + first);
	table_row(d, ncols, headers, widths, true, true);
	for (size_t r = 0; r < nrows; r++) {
		const char *const *row = cells + r * ncols;
		double h = table_row(d, ncols, row, widths, false, false);
		if (d->y + h > BOTTOM) {
			new_page(d);
			table_row(d, ncols, headers, widths, true, true);
		}
		table_row(d, ncols, row, widths, false, true);
	}
	d->y += 6;
}

enum res pdfdoc_finish(struct pdfdoc *d, char **out, size_t *len, struct err *e)
{
	*out = NULL;
	*len = 0;
	footer(d);
	g_object_unref(d->layout);
	cairo_destroy(d->cr);
	cairo_surface_finish(d->surface);
	cairo_status_t st = cairo_surface_status(d->surface);
	cairo_surface_destroy(d->surface);
	enum res r = RES_OK;
	if (d->failed)
		r = err_set(e, RES_TOO_LARGE, "too_large", NULL,
			    "the document is larger than %u bytes", PDFDOC_MAX_BYTES);
	else if (st != CAIRO_STATUS_SUCCESS)
		r = err_set(e, RES_INTERNAL, NULL, NULL, "cannot make the PDF: %s",
			    cairo_status_to_string(st));
	if (!r) {
		*out = (char *)d->out.data;
		*len = d->out.len;
		d->out.data = NULL; /* the caller's now */
	}
	buf_free(&d->out);
	free(d->footer);
	free(d);
	return r;
}
