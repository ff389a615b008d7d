/* libFuzzer target: the CSV reader, fed in two chunks split at the first byte. */
#include <stddef.h>
#include <stdint.h>

#include "formats/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int row(void *ctx, size_t r, const struct slice *f, size_t n)
{
	size_t *total = ctx;
	(void)r;
	for (size_t i = 0; i < n; i++)
		*total += f[i].n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t total = 0;
	struct csv *c = csv_new(0, row, &total);
	if (!c)
		return 0;
	size_t split = size ? data[0] % (size + 1) : 0;
	int rc = csv_feed(c, (const char *)data, split);
	if (!rc)
		rc = csv_feed(c, (const char *)data + split, size - split);
	if (!rc)
		csv_finish(c);
	csv_free(c);
	return 0;
}
