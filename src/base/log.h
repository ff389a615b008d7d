/* One JSON object per line on stderr. Build a line with the logb_* calls;
 * every string value is escaped, and callers pass personal data only through
 * the mask_* helpers of core/mask.h. */
#ifndef ASSIST_LOG_H
#define ASSIST_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level lvl);
void log_set_fd(int fd);
bool log_enabled(enum log_level lvl);
/* Parse "debug|info|warn|error"; false when unknown. */
bool log_level_parse(const char *s, enum log_level *out);

struct logb {
	char buf[2048];
	size_t n;
	bool trunc;
};

void logb_begin(struct logb *b, enum log_level lvl, const char *event);
void logb_str(struct logb *b, const char *key, const char *val);
void logb_strn(struct logb *b, const char *key, const char *val, size_t n);
void logb_int(struct logb *b, const char *key, int64_t val);
void logb_end(struct logb *b); /* writes the line with one write(2) */

/* Shorthand for a line with an event and a message. */
#define LOG_MSG(lvl, event, msg)                                                         \
	do {                                                                             \
		if (log_enabled(lvl)) {                                                  \
			struct logb lb_;                                                 \
			logb_begin(&lb_, lvl, event);                                    \
			logb_str(&lb_, "msg", msg);                                      \
			logb_end(&lb_);                                                  \
		}                                                                        \
	} while (0)

#endif
