/* libFuzzer target: the XLSX reader on a whole archive in memory. The seeds
 * keep their parts stored (not deflated), so mutations reach the XML; the
 * reader checks the CRC only after a part has been read, so a mutated part
 * is parsed all the same. Each row must keep the reader's promises. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "formats/xlsx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	size_t last_row, total;
};

static int row(void *ctx, size_t r, const struct slice *f, size_t n)
{
	struct seen *s = ctx;
	if (r <= s->last_row || r > 1048576 || n == 0 || n > XLSX_MAX_COLUMNS || f[n - 1].n == 0)
		abort();
	s->last_row = r;
	for (size_t i = 0; i < n; i++) {
		if (f[i].n > XLSX_MAX_FIELD || !str_utf8_valid(f[i].p, f[i].n))
			abort();
		s->total += f[i].n;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = {0, 0};
	struct xlsx *x = xlsx_new((const char *)data, size);
	if (!x)
		return 0;
	if (xlsx_open(x) == 0)
		xlsx_read(x, row, &s);
	if (xlsx_error(x)[0] == '\0' && xlsx_error_row(x) != 0)
		abort();
	xlsx_free(x);
	return 0;
}
