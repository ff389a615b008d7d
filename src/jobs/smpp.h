/* An SMPP 3.4 ESME client: one connection to one SMSC, bound as a
 * transceiver, run by its own thread on a non-blocking socket (poll).
 * libsmpp34 packs and unpacks the PDUs (through jobs/smpp_pdu.h); the
 * connection handling is ours.
 *
 * What it does: bind_transceiver; keeps at most `window` submit_sm
 * outstanding; sends enquire_link when the link has been quiet and answers
 * the SMSC's; on ESME_RTHROTTLED or ESME_RMSGQFUL keeps the part (and its
 * token), backs off and submits it again; reconnects with exponential
 * backoff and jitter; reads deliver_sm as a delivery receipt or an inbound
 * message and answers deliver_sm_resp only after the callback returned.
 *
 * What it does not do, on purpose: keep anything across a reconnect. When
 * the link drops, every part it holds goes back to the caller through
 * submitted() (SMPP_STATUS_LINK_LOST or SMPP_STATUS_NOT_SENT) and
 * smpp_submit refuses parts until the next bind. The caller owns the
 * messages (the outbox, in the database) and decides what to send again
 * and what has become too old: a restarted link never sends last week's
 * messages out of a memory queue.
 *
 * Threads: smpp_submit and smpp_stats may be called from any thread; the
 * engine's thread and the callers share only a mutex-protected queue. The
 * callbacks run on the engine's thread, one at a time, with no engine lock
 * held: they may call smpp_submit (but not smpp_stop), and they must not
 * wait on a lock the thread calling smpp_stop holds, since smpp_stop waits
 * for them. */
#ifndef ASSIST_SMPP_H
#define ASSIST_SMPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "core/receipt.h"
#include "core/sms.h"
#include "jobs/smpp_pdu.h" /* SMPP_ESME_* statuses */

/* Statuses submitted() reports that are not SMSC answers. SMPP 3.4 leaves
 * 0x500 and up reserved and vendors use 0x400..0x4FF, so these stay clear
 * of anything an SMSC sends. */
/* The part was written to the socket and the link dropped before its
 * submit_sm_resp: the SMSC may or may not have it. Submitting it again may
 * deliver it twice; not submitting it may lose it. */
#define SMPP_STATUS_LINK_LOST 0xFFFF0001u
/* The SMSC does not have the part: it was still queued, or it waited after
 * a throttling answer, when the link dropped or the engine stopped. Safe to
 * submit again. */
#define SMPP_STATUS_NOT_SENT 0xFFFF0002u

#define SMPP_WINDOW_MAX 500

struct smpp_config {
	const char *name;        /* for logs: which SMSC ("default" when NULL) */
	const char *host;        /* name or address */
	int port;                /* 1..65535 */
	const char *system_id;   /* at most 15 characters */
	const char *password;    /* at most 8 characters (SMPP 3.4) */
	const char *system_type; /* at most 12; NULL = "" */
	const char *source_addr; /* default sender for smpp_submit(from = NULL); may be NULL */
	int window;              /* outstanding submits, 1..SMPP_WINDOW_MAX; 0 = 50 */
	int queue;               /* parts waiting in the engine; 0 = 4 x window */
	int enquire_link_s;      /* quiet seconds before an enquire_link; 0 = 30 */
	int response_timeout_s;  /* for every answer and for connecting; 0 = 30 */
	int reconnect_min_ms;    /* first reconnect delay; 0 = 1000 */
	int reconnect_max_ms;    /* the delay doubles up to this; 0 = 60000 */
	int throttle_backoff_ms; /* first pause after a throttling answer,
				  * doubling while they continue (to 32x); 0 = 1000 */
	int max_per_second;      /* submit_sm per second on this connection; 0 = no limit */
	int stop_grace_ms;       /* smpp_stop waits this long for outstanding
				  * answers before unbinding; 0 = 5000 */
};

/* A delivery receipt. The strings live until the callback returns. */
struct smpp_receipt {
	const char *message_id; /* as the SMSC wrote it: receipted_message_id, else the text's id */
	const char *text_id;    /* the text's id when it differs from message_id, else NULL */
	enum receipt_state state; /* RECEIPT_NONE when the receipt gave none */
	enum receipt_reason reason; /* receipt_reason_of(state, has_err, err) */
	bool has_err;
	unsigned err;           /* the text's err, else the network_error_code TLV */
	const char *text;       /* the receipt's text, printable ASCII, for the record */
	const char *from, *to;  /* as in the deliver_sm (the handset is `from`) */
};

struct smpp_callbacks {
	void *ctx;
	/* A part's outcome, exactly once for each part smpp_submit took:
	 * status 0 and the SMSC's message_id ("" when the SMSC gave none); an
	 * SMSC refusal (message_id NULL, status the command_status; never a
	 * throttling one: those are retried); or SMPP_STATUS_LINK_LOST /
	 * SMPP_STATUS_NOT_SENT with message_id NULL. */
	void (*submitted)(void *ctx, uint64_t token, const char *message_id, uint32_t status);
	/* A delivery receipt, and an inbound message (text in UTF-8; from and
	 * to with '+' when the SMSC marked the number international; c: one
	 * part of a long message when c->present). Return 0 once it is stored:
	 * only then is deliver_sm_resp sent, so after a crash the SMSC delivers
	 * it again. Return SMPP_ESME_RX_T_APPN (0x64) when it could not be
	 * stored (the database is down, the server is stopping): the SMSC
	 * delivers it again later; SMPP_ESME_RX_P_APPN (0x65) refuses it for
	 * good. A NULL callback takes and drops. */
	uint32_t (*receipt)(void *ctx, const struct smpp_receipt *r);
	uint32_t (*inbound)(void *ctx, const char *from, const char *to, const char *text_utf8,
			    const struct sms_concat *c);
	/* The link came up (bound) or went down, or an attempt failed: why
	 * says what happened ("bind refused: ESME_RINVPASWD (0x0000000e)",
	 * "connect: Connection refused", "the SMSC closed the connection").
	 * May be NULL. */
	void (*link)(void *ctx, bool bound, const char *why);
};

struct smpp_stats {
	bool bound;
	uint32_t last_bind_status; /* the last refused bind's status, 0 after a bind */
	uint64_t submits;   /* submit_sm written, retries included */
	uint64_t accepted;  /* submit_sm_resp with status 0 */
	uint64_t refused;   /* refused for good */
	uint64_t throttled; /* throttling answers (each followed by a retry) */
	uint64_t receipts, inbound;
	uint64_t binds;     /* successful binds */
	uint64_t link_losses;
	uint64_t enquire_links_sent, enquire_links_answered;
	size_t queued;
};

struct smpp_client;

/* Check a configuration; RES_INVALID names the bad field. smpp_start does
 * the same checks (and only logs them). */
enum res smpp_config_check(const struct smpp_config *cfg, struct err *e) WUR;

/* Copy the configuration and the callbacks, start the thread (which
 * connects at once). NULL when the configuration is bad or resources ran
 * out (logged). */
struct smpp_client *smpp_start(const struct smpp_config *cfg, const struct smpp_callbacks *cb);

/* Queue one part: short_message bytes as sms_split made them (udhi when
 * they start with a UDH); the token is the caller's (say message id * 256
 * + part number) and comes back in submitted(). from NULL takes the
 * configured source_addr; addresses as smpp_addr_parse reads them. false
 * when the part was not taken: the queue is full (try again soon), the
 * link is not bound (smpp_stats says; wait for link()), or the part is bad
 * (an address smpp_addr_parse refuses, len above SMS_PART_MAX). */
bool smpp_submit(struct smpp_client *c, uint64_t token, const char *from, const char *to,
		 enum sms_coding coding, const uint8_t *short_message, size_t len, bool udhi,
		 bool want_receipt);

void smpp_stats(struct smpp_client *c, struct smpp_stats *out);

/* Stop taking parts, wait up to stop_grace_ms for outstanding answers,
 * unbind, close, report what is left (LINK_LOST / NOT_SENT), join the
 * thread and free. NULL is a no-op. */
void smpp_stop(struct smpp_client *c);

/* smpp://SYSTEM_ID:PASSWORD@HOST:PORT, read strictly: the scheme, a
 * system_id of 1..15 and a password of 0..8 characters after
 * percent-decoding (no control characters), a host name, an IPv4 address
 * or an [IPv6] one, and a port 1..65535 (2775 when left out); nothing
 * after the port but an optional "/". On false, why says what is wrong
 * without repeating the URL (it holds the password). */
struct smpp_url {
	char system_id[16], password[9], host[256];
	int port;
};
bool smpp_url_parse(const char *url, struct smpp_url *u, const char **why);
/* Point a configuration's host, port, system_id and password at u (which
 * must outlive smpp_start; the engine copies them). */
void smpp_url_apply(const struct smpp_url *u, struct smpp_config *cfg);

#endif
