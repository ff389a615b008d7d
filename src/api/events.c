/* GET /api/v1/events/stream?topics=case:12,department:medical: live events
 * (http/events.h) for the topics a screen shows. A stream also hears its
 * own user's topic (tasks assigned to them). Events carry ids only; a
 * client loads what it may see through the API. */
#include <string.h>

#include "api/api.h"
#include "base/buf.h"

/* "cases:all" hears every case created or changed (the cases list). */
static const char *const topic_kinds[] = {"case",   "cases",      "task", "policy",
					  "person", "department", NULL};

static bool topic_ok(const char *t, size_t n)
{
	const char *colon = memchr(t, ':', n);
	if (!colon || colon == t || (size_t)(colon - t) + 1 >= n || n >= EVENTS_TOPIC_MAX)
		return false;
	bool kind = false;
	for (int i = 0; topic_kinds[i] && !kind; i++)
		kind = strlen(topic_kinds[i]) == (size_t)(colon - t) &&
		       memcmp(topic_kinds[i], t, (size_t)(colon - t)) == 0;
	for (const char *p = colon + 1; kind && p < t + n; p++)
		kind = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		       (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.';
	return kind;
}

enum res api_events_stream(struct req *r)
{
	const char *q = req_query(r, "topics");
	struct buf topics;
	buf_init(&topics, 16384);
	size_t count = 0;
	for (const char *p = q; p && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n) {
			if (!topic_ok(p, n) || ++count > EVENTS_MAX_TOPICS) {
				buf_free(&topics);
				return err_set(&r->err, RES_INVALID, "invalid_field", "topics",
					       "topics must be up to %d of case:ID, cases:all, task:ID, "
					       "policy:NUMBER, person:ID or department:NAME, separated "
					       "by commas",
					       EVENTS_MAX_TOPICS);
			}
			if (buf_append(&topics, p, n) || buf_append(&topics, "", 1)) {
				buf_free(&topics);
				return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
			}
		}
		p = end ? end + 1 : p + n;
	}
	if (buf_append(&topics, "", 1)) {
		buf_free(&topics);
		return err_set(&r->err, RES_NOMEM, NULL, NULL, "out of memory");
	}
	enum res res = req_stream(r, topics.data);
	buf_free(&topics);
	return res;
}
