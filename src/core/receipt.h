/* SMS delivery receipts (SMPP 3.4 appendix B and the message_state TLV):
 * the receipt text taken apart, its stat and err mapped to the states and
 * reasons the outbox records, and the rule that matches a receipt's message
 * id to the id the SMSC gave in submit_sm_resp whatever the format.
 * Pure: no I/O, no globals. */
#ifndef ASSIST_RECEIPT_H
#define ASSIST_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The values are those of the SMPP 3.4 message_state TLV (5.3.2.35), so a
 * TLV value converts with receipt_state_from_tlv. */
enum receipt_state {
	RECEIPT_NONE = 0,          /* no state given */
	RECEIPT_ENROUTE = 1,       /* not final: the SMSC is still trying */
	RECEIPT_DELIVERED = 2,
	RECEIPT_EXPIRED = 3,       /* validity period passed before delivery */
	RECEIPT_DELETED = 4,       /* deleted at the SMSC (cancel_sm, admin) */
	RECEIPT_UNDELIVERABLE = 5, /* invalid number, barred, ... (see the reason) */
	RECEIPT_ACCEPTED = 6,      /* read by an operator at the SMSC; final */
	RECEIPT_UNKNOWN = 7,       /* final, outcome unknown */
	RECEIPT_REJECTED = 8,      /* refused by the SMSC or the network */
};

/* Why a message failed, from the err code (GSM MAP errors, 3GPP TS 29.002,
 * as most SMSCs pass them in "err:") and the state. */
enum receipt_reason {
	RECEIPT_REASON_NONE = 0,       /* delivered, or nothing more is known */
	RECEIPT_REASON_INVALID_NUMBER, /* unknown / unidentified subscriber */
	RECEIPT_REASON_NO_ANSWER,      /* absent subscriber: phone off, out of coverage */
	RECEIPT_REASON_BUSY,           /* subscriber busy for MT SMS */
	RECEIPT_REASON_BARRED,         /* call barred, not provisioned, illegal subscriber */
	RECEIPT_REASON_NETWORK,        /* system failure, data missing, unexpected data */
	RECEIPT_REASON_EXPIRED,        /* validity period passed */
	RECEIPT_REASON_REJECTED,       /* refused by the SMSC */
	RECEIPT_REASON_OTHER,
};

/* "delivered", "expired", ... ("none" for RECEIPT_NONE); never NULL. */
const char *receipt_state_name(enum receipt_state s);
/* "invalid_number", "no_answer", ...; never NULL. */
const char *receipt_reason_name(enum receipt_reason r);
/* Whether no further receipt is expected for the message (every state but
 * NONE and ENROUTE). */
bool receipt_state_final(enum receipt_state s);
/* A message_state TLV value; RECEIPT_NONE when out of range. */
enum receipt_state receipt_state_from_tlv(unsigned v);
/* The stat word of appendix B (DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD,
 * UNKNOWN, REJECTD, ENROUTE) or its long form (DELIVERED, UNDELIVERABLE,
 * ACCEPTED, REJECTED), any case. false when unknown. */
bool receipt_stat_parse(const char *p, size_t n, enum receipt_state *out);
/* The reason for a final state and err code (has_err false when the receipt
 * had none). A delivered or accepted message has none. Otherwise a known
 * MAP error in err decides (an EXPIRED receipt with err 027, absent
 * subscriber, is NO_ANSWER: the phone was off until the message expired);
 * failing that the state does: EXPIRED, REJECTED, or OTHER. */
enum receipt_reason receipt_reason_of(enum receipt_state s, bool has_err, unsigned err);
/* The name of the reason a known MAP error in err gives ("invalid_number",
 * "no_answer", "busy", "barred", "network"), NULL when err is 0, unknown,
 * or the state is not a failure: to refine a reason taken from the state. */
const char *receipt_reason(enum receipt_state s, unsigned err);

/* The state of a message from the states of its parts (each part has its
 * own message id and receipt): fold them, starting from the first part's
 * state. A failed part (expired, deleted, undeliverable, rejected, unknown)
 * fails the message and the first failure wins, for its reason; otherwise a
 * part without a final receipt (NONE before ENROUTE) leaves the message
 * pending; otherwise it is delivered, or accepted when a part was only
 * accepted. */
enum receipt_state receipt_state_combine(enum receipt_state sofar, enum receipt_state part);

#define RECEIPT_ID_MAX 65 /* the SMPP message_id C-octet string: 64 + NUL */

/* The appendix-B receipt text: "id:IIII sub:SSS dlvrd:DDD submit date:
 * YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:...". Keys are
 * read in any case and order ("submit_date" too); unknown "key:value"
 * words are skipped; `text:` takes the rest. */
struct receipt_text {
	char id[RECEIPT_ID_MAX];
	char stat[16];
	enum receipt_state state;
	bool has_err;
	unsigned err;        /* decimal digits, or hex when it has a-f (err:0B) */
	char submit_date[16], done_date[16];
	int sub, dlvrd;      /* -1 when absent or not a number */
	char text[64];       /* what follows "text:" (the message's first
			      * characters, usually 20), trailing spaces cut */
};

/* Parse a receipt's text (the short_message bytes, ASCII). true only when
 * it starts with "id:" (after spaces) with a non-empty id of at most 64
 * characters and has a known stat; an inbound message that merely contains
 * "stat:" is not a receipt. */
bool receipt_text_parse(const char *p, size_t n, struct receipt_text *out);

/* Whether a receipt's text excerpt could be the start of body (UTF-8):
 * each excerpt character equals the body's, or stands for a character the
 * SMSC could not write in ASCII ('.', '?' or '_' for a non-ASCII one). An
 * empty excerpt matches nothing: it is no evidence. For receipts whose id
 * names no message sent here (the server stopped before the SMSC's answer
 * was recorded). */
bool receipt_excerpt_matches(const char *excerpt, const char *body);

/* Id matching. SMSCs write the same id differently in submit_sm_resp and in
 * the receipt: hex in one and decimal in the other, upper or lower case,
 * with or without leading zeros. receipt_id_keys gives the keys to store
 * for a submit_sm_resp id and to look up for a receipt id; two ids match
 * when they share a key:
 *   keys[0]  "x:" + the id lower-cased, without leading zeros (always; a
 *            "0x" prefix is dropped first)
 *   "v:" + the decimal value of the id read as hex (when it is all hex
 *          digits and fits 64 bits)
 *   "v:" + the decimal value of the id read as decimal (when it is all
 *          decimal digits and fits 64 bits)
 * (the two "v:" keys are the same string only for ids below 10, and then
 * only one is given). So "1A2B3C", "1a2b3c", "001A2B3C", "0x1a2b3c" and
 * "1715004" (its decimal value) all share a key.
 * Look up keys[0] first and take the others only when keys[0] matches
 * nothing: "123" could be 0x123 or 123, and an exact match is the stronger
 * one; among several matches take the most recent submit. Keys are per SMSC
 * connection (each SMSC numbers on its own). Spaces around the id are
 * ignored. Returns the number of keys written (at most max, and at most
 * RECEIPT_MAX_KEYS); 0 for an empty id or one longer than 64. */
#define RECEIPT_MAX_KEYS 3
#define RECEIPT_KEY_MAX (2 + RECEIPT_ID_MAX)
size_t receipt_id_keys(const char *id, char keys[][RECEIPT_KEY_MAX], size_t max);

#endif
