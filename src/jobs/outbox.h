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

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "core/route.h"
#include "store/store.h"

#define OUTBOX_MAX_AGE_US (24LL * 3600 * 1000000)       /* after the window opens */
#define OUTBOX_URGENT_MAX_AGE_US (2LL * 3600 * 1000000)
#define OUTBOX_SMS_MAX_PARTS 10 /* a longer text is refused when it is queued */

struct event_bus;

/* A gateway as the dispatchers run it. Gateways come from three places, in
 * this order of priority: the command line (--smpp, --smtp), the config
 * file (--config), and the gateways table the admin UI edits (re-read every
 * few seconds, so a change there takes effect without a restart). Names are
 * unique: a table row named like a gateway of the first two is not run.
 *
 * SMS go out through the SMSC connection whose prefix is the longest that
 * the number starts with (core/route.h); email through the first SMTP
 * gateway. Plain arrays, so that a gateway is copied and compared whole. */
#define OUTBOX_NAME_MAX 64
#define OUTBOX_TEXT_MAX 256
struct outbox_gateway {
	char kind[8];                  /* smpp, smtp */
	char name[OUTBOX_NAME_MAX];    /* receipts are matched by it (smpp) */
	char host[OUTBOX_TEXT_MAX];
	int port;
	char username[OUTBOX_TEXT_MAX], password[OUTBOX_TEXT_MAX]; /* "" = none */
	char tls[12];                  /* smtp: none, starttls (required), tls (smtps) */
	char prefixes[ROUTE_PREFIXES_TEXT_MAX]; /* smpp, normalised; "" = default */
	int window, rate;              /* smpp: outstanding submits; submit_sm/s, 0 = no limit */
	char mail_from[OUTBOX_TEXT_MAX]; /* smtp; "" = the server's --mail-from */
	char source[16];               /* command_line, config, admin */
	int64_t id;                    /* admin: the row's id; 0 otherwise */
};

/* Check a gateway's fields (errors name the field: name, host, port,
 * username, password, tls, prefixes, window, rate, mail_from) and
 * normalise its prefixes. A field error's name gets prefix in front
 * ("smpp[1]."), for the config file; NULL for none. */
enum res outbox_gateway_check(struct outbox_gateway *g, const char *prefix, struct err *e) WUR;

/* Read the gateways of a config file (docs/operator-guide.md):
 *   {"smpp": [{"name", "url" | "host"+"port"+"username"+"password",
 *              "prefixes", "window", "rate"}],
 *    "smtp": [{"name", "url" | "host"+"port"+..., "tls", "mail_from"}]}
 * *out is malloc'd (free it). Errors name the file's field, as smpp[0].port. */
enum res outbox_config_file(const char *path, struct outbox_gateway **out, size_t *n,
			    struct err *e) WUR;

/* Gateways from their other forms. The URL ones fill name (HOST:PORT),
 * host, port, credentials (and tls) and the source command_line; nothing
 * else. */
void outbox_gateway_from_row(const struct gateway_row *row, struct outbox_gateway *g);
enum res outbox_gateway_from_smpp_url(const char *url, struct outbox_gateway *g,
				      struct err *e) WUR;
enum res outbox_gateway_from_smtp_url(const char *url, struct outbox_gateway *g,
				      struct err *e) WUR;
struct smtp_config;
/* The SMTP configuration of a gateway; its URL is written into url. */
void outbox_smtp_config(const struct outbox_gateway *g, char *url, size_t cap,
			struct smtp_config *sc);

struct outbox_config {
	const char *db_url;    /* each dispatcher opens its own connection */
	const char *smpp_url;  /* smpp://SYSTEM_ID:PASSWORD@HOST:PORT, NULL = none */
	const char *smtp_url;  /* smtp://[USER:PASSWORD@]HOST:PORT, NULL = none */
	const char *mail_from; /* the From address of email */
	int smpp_window;       /* outstanding submits, default 50 */
	int smpp_rate;         /* submit_sm per second on the connection, 0 = no limit */
	const struct outbox_gateway *gateways; /* of the config file */
	size_t ngateways;
	int lease_s;           /* a claim's lease, default 120: after it lapses (a
				* server died) another dispatcher resolves the message */
	int reload_ms;         /* how often the gateways table is read; 0 = 2000 */
	struct event_bus *events;
};

struct outbox;
/* Check the command line's and the config file's gateways and start the
 * dispatchers (always: gateways may be added in the admin UI later). */
enum res outbox_start(const struct outbox_config *cfg, struct outbox **out, struct err *e) WUR;
/* Stop the dispatchers (messages in flight stay claimed until their lease
 * lapses, and are then taken up again). NULL is fine. */
void outbox_stop(struct outbox *o);

/* The gateways of the command line and the config file, for the API. */
const struct outbox_gateway *outbox_static_gateways(const struct outbox *o, size_t *n);
/* What this server does with a gateway now: for SMPP "bound" or
 * "connecting"; for SMTP "active" (the one email goes through) or
 * "standby"; "off" when it does not run it (disabled, unknown, a name
 * taken, no outbox). */
const char *outbox_gateway_state(struct outbox *o, const char *kind, const char *name);

/* The first instant at or after now (microseconds) that window rules
 * ("mon-fri 18:30-20:30; sat,sun 09:00-12:00") allow in an IANA time zone. */
enum res outbox_window_start(const char *rules, const char *zone, int64_t now, int64_t *out,
			     struct err *e) WUR;

#endif
