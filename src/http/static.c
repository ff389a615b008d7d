#include "http/static.h"

#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *static_content_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".json", "application/json; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".ico", "image/x-icon"},
		{".woff2", "font/woff2"},
		{".txt", "text/plain; charset=utf-8"},
		{".csv", "text/csv; charset=utf-8"},
		{".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{".pdf", "application/pdf"},
	};
	const char *dot = strrchr(name, '.');
	if (dot)
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

static bool path_ok(const char *p)
{
	if (p[0] != '/' || strlen(p) > 200)
		return false;
	bool seg_start = true;
	for (const char *s = p; *s; s++) {
		char c = *s;
		if (seg_start && c == '.')
			return false;
		seg_start = c == '/';
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-' || c == '/'))
			return false;
	}
	return true;
}

static void simple(struct static_reply *out, int status, const char *text)
{
	out->status = status;
	out->size = strlen(text);
	out->resp = MHD_create_response_from_buffer(out->size, (void *)text, MHD_RESPMEM_PERSISTENT);
	if (out->resp)
		MHD_add_response_header(out->resp, "Content-Type", "text/plain; charset=utf-8");
}

void static_serve(const char *dir, struct MHD_Connection *c, const char *method, const char *url,
		  struct static_reply *out)
{
	out->resp = NULL;
	out->size = 0;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		simple(out, 405, "method not allowed\n");
		if (out->resp)
			MHD_add_response_header(out->resp, "Allow", "GET, HEAD");
		return;
	}
	const char *rel = strcmp(url, "/") == 0 ? "/index.html" : url;
	if (!path_ok(rel)) {
		simple(out, 404, "not found\n");
		return;
	}
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s%s", dir, rel) >= sizeof path) {
		simple(out, 404, "not found\n");
		return;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		simple(out, 404, "not found\n");
		return;
	}
	char etag[64];
	snprintf(etag, sizeof etag, "\"%" PRIx64 "-%" PRIx64 "\"", (uint64_t)st.st_size,
		 (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec);
	const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
	if (inm && strstr(inm, etag)) {
		close(fd);
		out->status = 304;
		out->resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	} else {
		out->status = 200;
		out->size = (size_t)st.st_size;
		out->resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
		if (!out->resp)
			close(fd);
		else
			MHD_add_response_header(out->resp, "Content-Type", static_content_type(rel));
	}
	if (out->resp) {
		MHD_add_response_header(out->resp, "ETag", etag);
		MHD_add_response_header(out->resp, "Cache-Control", "no-cache");
	}
}
