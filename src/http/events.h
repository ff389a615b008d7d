/* Live events for the UI: server-sent events on GET /api/v1/events/stream.
 *
 * An event has a type ("case.updated"), a small JSON body of ids (never
 * personal data: a client fetches what it may see through the API), and
 * topics ("case:12", "department:medical", "user:7", "policy:DEMO-26-1").
 * A stream subscribes to topics; it always hears its own user's topic.
 *
 * Requests queue events with req_event(); they are published only once
 * the request's transaction has committed. On SQLite the server publishes
 * them to its own streams; on PostgreSQL they travel by NOTIFY (sent in the
 * transaction, so delivered on commit) and every server's listener
 * publishes what it hears, so streams on any server get them.
 *
 * A stream's connection is suspended while it has nothing to send and
 * resumed by a publish or a heartbeat (a comment line every
 * EVENTS_HEARTBEAT_S seconds), so a quiet stream costs no CPU and no
 * worker thread. */
#ifndef ASSIST_EVENTS_H
#define ASSIST_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVENTS_MAX_TOPICS 64        /* a stream's topics */
#define EVENTS_TOPIC_MAX 80         /* bytes of one topic */
#define EVENTS_QUEUE_MAX (256 * 1024) /* bytes waiting for a slow client; past it, it is cut off */

struct event_bus;
struct MHD_Connection;
struct MHD_Response;

struct event_bus *events_new(unsigned heartbeat_s);
/* End every stream (the server is stopping); new streams are refused. */
void events_close_all(struct event_bus *b);
void events_free(struct event_bus *b);

/* Publish an event to this process's streams. topics is a NUL-separated,
 * double-NUL-ended list; data is a JSON object text. */
void events_publish(struct event_bus *b, const char *type, const char *topics, const char *data);

/* The same from one text: {"type": ..., "topics": [...], "data": {...}}
 * (the NOTIFY payload). Malformed text is dropped. */
void events_publish_text(struct event_bus *b, const char *payload);
/* That text for an event (malloc'd; NULL on out of memory). */
char *events_payload(const char *type, const char *topics, const char *data);

/* A stream response for conn with these topics (NUL-separated, double-NUL
 * ended) and user id. NULL when the bus is closed or out of memory. */
struct MHD_Response *events_stream(struct event_bus *b, struct MHD_Connection *conn,
				   const char *topics, int64_t user_id);

/* Open streams (for tests and the log). */
size_t events_streams(struct event_bus *b);

#endif
