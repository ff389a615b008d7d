/* PostgreSQL LISTEN/NOTIFY: how live events reach every server sharing one
 * database (http/events.h). NOTIFY is sent inside the request's
 * transaction, so PostgreSQL delivers it only if that commits. */
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "store/store_impl.h"

static const char sql_notify[] = "SELECT pg_notify('assist_events', ?)";

enum res store_notify(struct db *db, const char *payload, struct err *e)
{
	struct db_stmt *st;
	enum res r = db_prepare(db, sql_notify, &st, e);
	if (r)
		return r;
	db_bind_text(st, 1, payload);
	while (store_step(st, &r, e) == DB_ROW)
		;
	db_reset(st);
	return r;
}

struct notify_listener {
	char *url;
	void (*fn)(void *ctx, const char *payload);
	void *ctx;
	atomic_bool stop;
	pthread_t th;
};

static PGconn *connect_listen(const char *url)
{
	PGconn *c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK) {
		PQfinish(c);
		return NULL;
	}
	PGresult *res = PQexec(c, "LISTEN assist_events");
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok) {
		PQfinish(c);
		return NULL;
	}
	return c;
}

static void *listen_loop(void *arg)
{
	struct notify_listener *l = arg;
	PGconn *c = NULL;
	bool warned = false;
	while (!atomic_load(&l->stop)) {
		if (!c && !(c = connect_listen(l->url))) {
			if (!warned)
				LOG_MSG(LOG_WARN, "event_listener_down",
					"cannot LISTEN on PostgreSQL; retrying every second");
			warned = true;
			for (int i = 0; i < 10 && !atomic_load(&l->stop); i++)
				usleep(100000);
			continue;
		}
		if (warned) {
			LOG_MSG(LOG_INFO, "event_listener_up", "listening for events again");
			warned = false;
		}
		struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
		int rc = poll(&p, 1, 200);
		if (rc < 0)
			continue;
		if (rc > 0 && !PQconsumeInput(c)) {
			PQfinish(c); /* the connection broke: reconnect */
			c = NULL;
			continue;
		}
		PGnotify *n;
		while ((n = PQnotifies(c))) {
			l->fn(l->ctx, n->extra);
			PQfreemem(n);
		}
	}
	if (c)
		PQfinish(c);
	return NULL;
}

struct notify_listener *notify_listen(const char *url, void (*fn)(void *ctx, const char *payload),
				      void *ctx)
{
	struct notify_listener *l = calloc(1, sizeof *l);
	if (!l || !(l->url = strdup(url))) {
		free(l);
		return NULL;
	}
	l->fn = fn;
	l->ctx = ctx;
	if (pthread_create(&l->th, NULL, listen_loop, l) != 0) {
		free(l->url);
		free(l);
		return NULL;
	}
	return l;
}

void notify_stop(struct notify_listener *l)
{
	if (!l)
		return;
	atomic_store(&l->stop, true);
	pthread_join(l->th, NULL);
	free(l->url);
	free(l);
}
