/* Files sent with an email of the outbox (migration 0012): a PDF given to
 * POST /api/v1/messages, or a case questionnaire rendered when the message
 * was queued. They are written in the message's transaction and read by the
 * email dispatcher (jobs/outbox.c) each time it tries the message, so every
 * try sends the same bytes. Kept apart from store.h so that the outbox's
 * core interface does not grow with every kind of content. */
#ifndef ASSIST_STORE_ATTACHMENTS_H
#define ASSIST_STORE_ATTACHMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "store/db.h"

struct message_attachment {
	int64_t message_id;
	int seq;                  /* its place in the email, from 1 */
	const char *name;         /* file name, UTF-8, no path */
	const char *content_type; /* "application/pdf" */
	size_t size;              /* bytes of data */
	const void *data;         /* NULL when listed without the bytes */
};

/* Add attachment x (its seq, name, content type and size bytes of data) to
 * message message_id, in the caller's transaction. The bytes are copied. */
enum res store_attachment_insert(struct db *db, int64_t message_id,
				 const struct message_attachment *x, struct err *e) WUR;

/* The attachments of a message in seq order, as an arena array (*n of them,
 * *out NULL when none). with_data false leaves data NULL and reads no bytes
 * (for listings); true copies the bytes into the arena (for sending). */
enum res store_message_attachments(struct db *db, int64_t message_id, bool with_data,
				   struct arena *a, struct message_attachment **out, size_t *n,
				   struct err *e) WUR;

/* The attachments (without their bytes) of a case's messages whose id is
 * at least min_message_id, by message id and seq: the case's message list
 * shows them with one query. */
enum res store_case_attachments(struct db *db, int64_t case_id, int64_t min_message_id,
				struct arena *a, struct message_attachment **out, size_t *n,
				struct err *e) WUR;

#endif
