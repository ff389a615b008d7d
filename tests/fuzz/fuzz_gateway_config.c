/* libFuzzer target: a gateways config file (jobs/gateways.c) and the
 * prefixes admins type (core/route.c). Whatever the bytes, reading ends in
 * a clear error or in gateways that pass their own check, with normalised
 * prefixes that route_pick reads back. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/route.h"
#include "jobs/outbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void prefixes(const uint8_t *data, size_t size)
{
	char in[512], out[ROUTE_PREFIXES_TEXT_MAX];
	size_t n = size < sizeof in - 1 ? size : sizeof in - 1;
	memcpy(in, data, n);
	in[n] = '\0';
	struct err e;
	err_clear(&e);
	if (route_prefixes_normalize(in, out, sizeof out, &e))
		return;
	for (const char *p = out; *p; p++)
		if (!(*p == '+' || *p == ' ' || (*p >= '0' && *p <= '9')))
			abort();
	struct route_link l = {"x", out};
	(void)route_pick(&l, 1, "+79161234567");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	prefixes(data, size);
	/* the reader takes a path: an anonymous in-memory file gives it one */
	int fd = memfd_create("fuzz-gateways", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct outbox_gateway *g;
	size_t n;
	struct err e;
	err_clear(&e);
	if (outbox_config_file(path, &g, &n, &e) == RES_OK) {
		for (size_t i = 0; i < n; i++) {
			struct outbox_gateway copy = g[i];
			if (outbox_gateway_check(&copy, NULL, &e) || strcmp(copy.prefixes, g[i].prefixes))
				abort();
		}
		free(g);
	}
	close(fd);
	return 0;
}
