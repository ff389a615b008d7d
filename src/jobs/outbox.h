/* The outbox dispatchers: threads of `assist serve` that take due messages
 * from the outbox (store/messages.c) and hand them to the gateways — SMS
 * over SMPP (jobs/smpp.h), email over SMTP (jobs/smtp.h) — and record what
 * becomes of them.
 *
 * Guarantees (docs/internals/outbox.md):
 * - a message is claimed with a lease; several servers on one PostgreSQL
 *   database never claim the same one (FOR UPDATE SKIP LOCKED);
 * - before a message is handed to the gateway, that is recorded; after a
 *   crash, a claimed message that was never handed is sent, and an SMS
 *   that may have reached the gateway is marked failed (in_doubt) rather
 *   than sent twice;
 * - nothing is sent after its expiry: it is marked expired;
 * - gateway ids and the forms a receipt may use are stored before the
 *   receipt can come, so receipts match whatever their id format;
 * - a receipt or inbound message is acknowledged to the SMSC only after it
 *   is committed. */
#ifndef ASSIST_OUTBOX_H
#define ASSIST_OUTBOX_H

#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

#define OUTBOX_MAX_AGE_US (24LL * 3600 * 1000000)       /* after the window opens */
#define OUTBOX_URGENT_MAX_AGE_US (2LL * 3600 * 1000000)
#define OUTBOX_SMS_MAX_PARTS 10 /* a longer text is refused when it is queued */

struct event_bus;

struct outbox_config {
	const char *db_url;    /* each dispatcher opens its own connection */
	const char *smpp_url;  /* smpp://SYSTEM_ID:PASSWORD@HOST:PORT, NULL = no SMS */
	const char *smtp_url;  /* smtp://[USER:PASSWORD@]HOST:PORT, NULL = no email */
	const char *mail_from; /* the From address of email */
	int smpp_window;       /* outstanding submits, default 50 */
	int smpp_rate;         /* submit_sm per second on the connection, 0 = no limit */
	int lease_s;           /* a claim's lease, default 120: after it lapses (a
				* server died) another dispatcher resolves the message */
	struct event_bus *events;
};

struct outbox;
enum res outbox_start(const struct outbox_config *cfg, struct outbox **out, struct err *e) WUR;
/* Stop the dispatchers (messages in flight stay claimed until their lease
 * lapses, and are then taken up again). NULL is fine. */
void outbox_stop(struct outbox *o);

/* The first instant at or after now (microseconds) that window rules
 * ("mon-fri 18:30-20:30; sat,sun 09:00-12:00") allow in an IANA time zone. */
enum res outbox_window_start(const char *rules, const char *zone, int64_t now, int64_t *out,
			     struct err *e) WUR;

#endif
