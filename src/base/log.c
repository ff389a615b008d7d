#include "base/log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"

static atomic_int level = LOG_INFO;
static atomic_int out_fd = 2;

void log_set_level(enum log_level lvl) { atomic_store(&level, (int)lvl); }
void log_set_fd(int fd) { atomic_store(&out_fd, fd); }
bool log_enabled(enum log_level lvl) { return (int)lvl >= atomic_load(&level); }

bool log_level_parse(const char *s, enum log_level *out)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	return false;
}

static void put(struct logb *b, const char *s, size_t n)
{
	/* keep room for the closing "}\n" */
	if (b->n + n + 2 > sizeof b->buf) {
		b->trunc = true;
		return;
	}
	memcpy(b->buf + b->n, s, n);
	b->n += n;
}

static void put_escaped(struct logb *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n && !b->trunc; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			put(b, e, 2);
		} else if (c < 0x20 || c == 0x7f) {
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			put(b, e, 6);
		} else {
			put(b, (const char *)&c, 1);
		}
	}
}

void logb_begin(struct logb *b, enum log_level lvl, const char *event)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	b->n = 0;
	b->trunc = false;
	char ts[32];
	clock_format_rfc3339(clock_now_us(), true, ts);
	put(b, "{\"ts\":\"", 7);
	put(b, ts, strlen(ts));
	put(b, "\",\"level\":\"", 11);
	put(b, names[lvl], strlen(names[lvl]));
	put(b, "\"", 1);
	logb_str(b, "event", event);
}

void logb_strn(struct logb *b, const char *key, const char *val, size_t n)
{
	size_t n0 = b->n;
	bool was = b->trunc;
	b->trunc = false;
	put(b, ",\"", 2);
	put(b, key, strlen(key));
	put(b, "\":\"", 3);
	put_escaped(b, val ? val : "", val ? n : 0);
	put(b, "\"", 1);
	if (b->trunc)
		b->n = n0; /* drop the whole pair rather than leave broken JSON */
	b->trunc |= was;
}

void logb_str(struct logb *b, const char *key, const char *val)
{
	logb_strn(b, key, val, val ? strlen(val) : 0);
}

void logb_int(struct logb *b, const char *key, int64_t val)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "%lld", (long long)val);
	if (b->n + strlen(key) + (size_t)n + 6 > sizeof b->buf) {
		b->trunc = true;
		return;
	}
	put(b, ",\"", 2);
	put(b, key, strlen(key));
	put(b, "\":", 2);
	put(b, tmp, (size_t)n);
}

void logb_end(struct logb *b)
{
	if (b->trunc) {
		/* the line was cut at a value boundary; say so rather than emit broken JSON */
		const char t[] = ",\"truncated\":true";
		if (b->n + sizeof t - 1 + 2 <= sizeof b->buf) {
			memcpy(b->buf + b->n, t, sizeof t - 1);
			b->n += sizeof t - 1;
		}
	}
	b->buf[b->n++] = '}';
	b->buf[b->n++] = '\n';
	ssize_t w = write(atomic_load(&out_fd), b->buf, b->n);
	(void)w;
}
