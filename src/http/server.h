/* The HTTP server: libmicrohttpd with an epoll thread pool, the route
 * table, static files from web/, limits, security headers and the access log. */
#ifndef ASSIST_SERVER_H
#define ASSIST_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "store/store.h"

struct server_config {
	const char *listen;     /* "127.0.0.1:8080" */
	const char *web_dir;    /* static files */
	int threads;
	size_t body_limit;      /* default per-request body limit */
	unsigned timeout_s;     /* idle connection timeout */
	unsigned housekeeping_s; /* seconds between housekeeping runs (0 = 60) */
	bool access_log;
	bool trust_proxy;       /* believe X-Forwarded-For / X-Forwarded-Proto */
};

struct event_bus;

struct app {
	struct store *store;
	struct server_config cfg;
	/* Run every housekeeping_s seconds (default 60) on its own connection,
	 * after ended sessions are purged; NULL = nothing more. */
	void (*housekeep)(struct db *db, struct event_bus *events);
	/* Background jobs (the outbox dispatchers): started once the server
	 * listens and live events exist, stopped when it stops, before the
	 * events go. NULL = none. */
	enum res (*jobs_start)(struct app *app, struct err *e);
	void (*jobs_stop)(struct app *app);
	void *jobs;                /* the jobs' own state */
	const char *db_url;        /* for the PostgreSQL event listener */
	struct event_bus *events;  /* set by server_run */
};

/* Serve until SIGTERM or SIGINT, then stop accepting, let requests in flight
 * finish (up to 30 s) and return. */
enum res server_run(struct app *app, struct err *e) WUR;

#endif
