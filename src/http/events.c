#include "http/events.h"

#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/log.h"

struct sub {
	struct sub *prev, *next;
	struct event_bus *bus;
	struct MHD_Connection *conn;
	char *topics;      /* NUL-separated, double-NUL ended */
	char user_topic[32];
	char *q;           /* bytes waiting to be sent: q[qoff .. qlen) */
	size_t qlen, qoff, qcap;
	bool suspended;    /* parked by the reader; only then may it be resumed */
	bool closed;       /* end the stream once q is sent */
};

struct event_bus {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sub *head;
	size_t n;
	bool closed;
	unsigned heartbeat_s;
	pthread_t hb;
	bool hb_running;
};

/* ---- under the lock ---- */

static bool q_add(struct sub *s, const char *p, size_t n)
{
	if (s->qoff == s->qlen)
		s->qoff = s->qlen = 0;
	if (s->qlen - s->qoff + n > EVENTS_QUEUE_MAX) {
		/* a client this far behind is cut off; it reconnects and reloads */
		s->closed = true;
		return false;
	}
	if (s->qlen + n > s->qcap) {
		if (s->qoff) { /* compact first */
			memmove(s->q, s->q + s->qoff, s->qlen - s->qoff);
			s->qlen -= s->qoff;
			s->qoff = 0;
		}
		size_t cap = s->qcap ? s->qcap : 1024;
		while (cap < s->qlen + n)
			cap *= 2;
		char *q = realloc(s->q, cap);
		if (!q) {
			s->closed = true;
			return false;
		}
		s->q = q;
		s->qcap = cap;
	}
	memcpy(s->q + s->qlen, p, n);
	s->qlen += n;
	return true;
}

static void wake(struct sub *s)
{
	if (s->suspended) {
		s->suspended = false;
		MHD_resume_connection(s->conn);
	}
}

static bool has_topic(const char *list, const char *t)
{
	for (const char *p = list; *p; p += strlen(p) + 1)
		if (strcmp(p, t) == 0)
			return true;
	return false;
}

static bool wants(const struct sub *s, const char *topics)
{
	for (const char *t = topics; *t; t += strlen(t) + 1)
		if (strcmp(t, s->user_topic) == 0 || has_topic(s->topics, t))
			return true;
	return false;
}

/* ---- the stream's response ---- */

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct sub *s = cls;
	struct event_bus *b = s->bus;
	pthread_mutex_lock(&b->mu);
	if (s->qoff < s->qlen) {
		size_t n = s->qlen - s->qoff < max ? s->qlen - s->qoff : max;
		memcpy(buf, s->q + s->qoff, n);
		s->qoff += n;
		pthread_mutex_unlock(&b->mu);
		return (ssize_t)n;
	}
	if (s->closed) {
		pthread_mutex_unlock(&b->mu);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	/* nothing to say: park the connection until a publish or a heartbeat */
	s->suspended = true;
	MHD_suspend_connection(s->conn);
	pthread_mutex_unlock(&b->mu);
	return 0;
}

static void sub_free(void *cls)
{
	struct sub *s = cls;
	struct event_bus *b = s->bus;
	pthread_mutex_lock(&b->mu);
	if (s->prev)
		s->prev->next = s->next;
	else
		b->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	b->n--;
	pthread_mutex_unlock(&b->mu);
	free(s->topics);
	free(s->q);
	free(s);
}

struct MHD_Response *events_stream(struct event_bus *b, struct MHD_Connection *conn,
				   const char *topics, int64_t user_id)
{
	struct sub *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	size_t len = 0;
	while (topics[len])
		len += strlen(topics + len) + 1;
	s->topics = malloc(len + 1);
	if (!s->topics) {
		free(s);
		return NULL;
	}
	memcpy(s->topics, topics, len + 1);
	s->bus = b;
	s->conn = conn;
	snprintf(s->user_topic, sizeof s->user_topic, "user:%lld", (long long)user_id);
	static const char hello[] = "retry: 3000\n: connected\n\n";
	if (!q_add(s, hello, sizeof hello - 1)) {
		free(s->topics);
		free(s->q);
		free(s);
		return NULL;
	}
	struct MHD_Response *resp =
		MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, s, sub_free);
	if (!resp) {
		free(s->topics);
		free(s->q);
		free(s);
		return NULL;
	}
	pthread_mutex_lock(&b->mu);
	if (b->closed)
		s->closed = true;
	s->next = b->head;
	if (b->head)
		b->head->prev = s;
	b->head = s;
	b->n++;
	pthread_mutex_unlock(&b->mu);
	return resp;
}

/* ---- publishing ---- */

void events_publish(struct event_bus *b, const char *type, const char *topics, const char *data)
{
	/* "event: TYPE\ndata: DATA\n\n"; data is one line of JSON */
	struct buf m;
	buf_init(&m, 16384);
	if (buf_append(&m, "event: ", 7) || buf_append(&m, type, strlen(type)) ||
	    buf_append(&m, "\ndata: ", 7) || buf_append(&m, data, strlen(data)) ||
	    buf_append(&m, "\n\n", 2)) {
		buf_free(&m);
		return;
	}
	pthread_mutex_lock(&b->mu);
	for (struct sub *s = b->head; s; s = s->next)
		if (!s->closed && wants(s, topics)) {
			q_add(s, m.data, m.len);
			wake(s);
		}
	pthread_mutex_unlock(&b->mu);
	buf_free(&m);
}

char *events_payload(const char *type, const char *topics, const char *data)
{
	json_t *t = json_array();
	for (const char *p = topics; *p; p += strlen(p) + 1)
		json_array_append_new(t, json_string(p));
	json_t *d = json_loads(data, 0, NULL);
	json_t *j = json_pack("{s:s, s:o, s:o}", "type", type, "topics", t, "data",
			      d ? d : json_object());
	char *out = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return out;
}

void events_publish_text(struct event_bus *b, const char *payload)
{
	json_t *j = json_loads(payload, 0, NULL);
	const char *type = json_string_value(json_object_get(j, "type"));
	json_t *t = json_object_get(j, "topics"), *d = json_object_get(j, "data");
	if (!type || !json_is_array(t) || !json_is_object(d)) {
		json_decref(j);
		LOG_MSG(LOG_WARN, "event_dropped", "a notification that is not an event");
		return;
	}
	struct buf topics;
	buf_init(&topics, 8192);
	size_t i;
	json_t *v;
	bool ok = true;
	json_array_foreach(t, i, v) {
		const char *s = json_string_value(v);
		if (s && *s)
			ok = ok && !buf_append(&topics, s, strlen(s) + 1);
	}
	char *data = json_dumps(d, JSON_COMPACT);
	if (ok && data && !buf_append(&topics, "", 1))
		events_publish(b, type, topics.data ? topics.data : "", data);
	free(data);
	buf_free(&topics);
	json_decref(j);
}

/* ---- heartbeats, and the end ---- */

static void *heartbeat(void *arg)
{
	struct event_bus *b = arg;
	static const char ping[] = ": heartbeat\n\n";
	pthread_mutex_lock(&b->mu);
	while (!b->closed) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += b->heartbeat_s;
		int rc = 0;
		while (!b->closed && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&b->cv, &b->mu, &ts);
		if (b->closed)
			break;
		/* a heartbeat also finds clients that went away while parked */
		for (struct sub *s = b->head; s; s = s->next)
			if (!s->closed) {
				q_add(s, ping, sizeof ping - 1);
				wake(s);
			}
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

struct event_bus *events_new(unsigned heartbeat_s)
{
	struct event_bus *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	b->heartbeat_s = heartbeat_s ? heartbeat_s : 15;
	if (pthread_create(&b->hb, NULL, heartbeat, b) != 0) {
		pthread_cond_destroy(&b->cv);
		pthread_mutex_destroy(&b->mu);
		free(b);
		return NULL;
	}
	b->hb_running = true;
	return b;
}

void events_close_all(struct event_bus *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->mu);
	b->closed = true;
	for (struct sub *s = b->head; s; s = s->next) {
		s->closed = true;
		wake(s);
	}
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	if (b->hb_running) {
		pthread_join(b->hb, NULL);
		b->hb_running = false;
	}
}

size_t events_streams(struct event_bus *b)
{
	pthread_mutex_lock(&b->mu);
	size_t n = b->n;
	pthread_mutex_unlock(&b->mu);
	return n;
}

void events_free(struct event_bus *b)
{
	if (!b)
		return;
	events_close_all(b);
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	free(b);
}
