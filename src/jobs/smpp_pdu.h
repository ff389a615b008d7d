/* SMPP 3.4 PDUs as the ESME engine (smpp.c) sends and reads them: framing
 * of the byte stream, packing with libsmpp34, and reading what the SMSC
 * sends (submit_sm_resp, deliver_sm) through a validating pass before
 * libsmpp34 sees the bytes.
 *
 * Why the validating pass: libsmpp34 trusts its input more than a network
 * peer deserves. Its C-octet reader runs strlen() on the buffer, so an
 * unterminated string reads past the PDU; it logs every field into one
 * global 2048-byte buffer, and a deliver_sm with a few dozen TLVs fills it
 * and is refused, leaking the TLVs read so far (measured with Debian's
 * 1.14.1-3+deb12u1); a TLV whose length disagrees with its tag's type
 * (message_state of length 2) desynchronises the rest; unknown TON/NPI or
 * command_status values, and a deliver_sm with a schedule_delivery_time,
 * are refused outright. So every PDU from the network is first checked
 * field by field here and rewritten into a normalised copy (terminated
 * strings within their limits, TON/NPI and status zeroed, only the TLVs we
 * use, at most one of each, with the lengths libsmpp34 expects), and only
 * that copy is unpacked. libsmpp34 also keeps its error text in globals,
 * so every call into it is made under one process-wide mutex.
 *
 * Everything here is reentrant apart from that mutex; no I/O. */
#ifndef ASSIST_SMPP_PDU_H
#define ASSIST_SMPP_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/receipt.h"
#include "core/sms.h"

#define SMPP_HEADER_LEN 16
/* The largest PDU taken from the network. A deliver_sm is at most ~400
 * bytes plus its TLVs (message_payload, which libsmpp34 caps at 1024); the
 * rest is room for vendor TLVs, which are skipped. */
#define SMPP_PDU_MAX 16384
/* The largest PDU we write (a submit_sm with a 166-byte part is ~260). */
#define SMPP_OUT_PDU_MAX 512

/* command ids and statuses used by the engine (SMPP 3.4, 5.1.2 and 5.1.3) */
#define SMPP_GENERIC_NACK 0x80000000u
#define SMPP_BIND_TRANSCEIVER 0x00000009u
#define SMPP_BIND_TRANSCEIVER_RESP 0x80000009u
#define SMPP_SUBMIT_SM 0x00000004u
#define SMPP_SUBMIT_SM_RESP 0x80000004u
#define SMPP_DELIVER_SM 0x00000005u
#define SMPP_DELIVER_SM_RESP 0x80000005u
#define SMPP_UNBIND 0x00000006u
#define SMPP_UNBIND_RESP 0x80000006u
#define SMPP_ENQUIRE_LINK 0x00000015u
#define SMPP_ENQUIRE_LINK_RESP 0x80000015u
#define SMPP_ALERT_NOTIFICATION 0x00000102u
#define SMPP_OUTBIND 0x0000000Bu

#define SMPP_ESME_ROK 0x00u
#define SMPP_ESME_RINVMSGLEN 0x01u
#define SMPP_ESME_RINVCMDLEN 0x02u
#define SMPP_ESME_RINVCMDID 0x03u
#define SMPP_ESME_RSYSERR 0x08u
#define SMPP_ESME_RINVSRCADR 0x0Au
#define SMPP_ESME_RINVDSTADR 0x0Bu
#define SMPP_ESME_RBINDFAIL 0x0Du
#define SMPP_ESME_RINVPASWD 0x0Eu
#define SMPP_ESME_RINVSYSID 0x0Fu
#define SMPP_ESME_RMSGQFUL 0x14u
#define SMPP_ESME_RTHROTTLED 0x58u
#define SMPP_ESME_RX_T_APPN 0x64u /* temporary: the SMSC delivers it again later */
#define SMPP_ESME_RX_P_APPN 0x65u /* permanent: the SMSC does not retry */
#define SMPP_ESME_RINVOPTPARSTREAM 0xC0u
#define SMPP_ESME_RINVPARLEN 0xC2u

/* esm_class (5.2.12) */
#define SMPP_ESM_UDHI 0x40u
#define SMPP_ESM_TYPE_MASK 0x3Cu
#define SMPP_ESM_TYPE_RECEIPT 0x04u
#define SMPP_ESM_TYPE_INTERMEDIATE 0x20u

struct smpp_header {
	uint32_t len, id, status, seq;
};

enum smpp_frame {
	SMPP_FRAME_MORE, /* not a whole PDU yet */
	SMPP_FRAME_OK,   /* p[0..h->len) is one PDU */
	SMPP_FRAME_BAD,  /* command_length below 16 or above SMPP_PDU_MAX: the
			  * stream cannot be resynchronised, drop the link */
};

/* Look at the start of a received byte stream. */
enum smpp_frame smpp_pdu_frame(const uint8_t *p, size_t n, struct smpp_header *h);

/* Name of a command status for people ("ESME_RTHROTTLED"; "" when not one
 * SMPP 3.4 defines). Static. */
const char *smpp_status_name(uint32_t status);

/* --- writing: each returns the PDU length, 0 when it does not fit in cap
 * or libsmpp34 refused a field --- */

/* bind_transceiver: system_id at most 15 characters, password 8,
 * system_type 12 (SMPP 3.4 limits; longer ones are refused). */
size_t smpp_pdu_bind(uint8_t *out, size_t cap, uint32_t seq, const char *system_id,
		     const char *password, const char *system_type);

/* An address as given by the caller: "+79161234567" is international
 * (TON 1, NPI 1, written without '+'), digits alone are TON 0 / NPI 1 (the
 * SMSC decides), and for a sender a name of 1..11 printable ASCII
 * characters is alphanumeric (TON 5, NPI 0). false when it is none of
 * these (or too long: 20 digits at most). */
struct smpp_addr {
	char addr[21];
	uint8_t ton, npi;
};
bool smpp_addr_parse(const char *s, bool sender, struct smpp_addr *out);

struct smpp_submit_fields {
	const struct smpp_addr *from, *to;
	uint8_t esm_class, data_coding, registered_delivery;
	const uint8_t *sm;
	size_t sm_len; /* at most SMS_PART_MAX */
};
size_t smpp_pdu_submit(uint8_t *out, size_t cap, uint32_t seq, const struct smpp_submit_fields *f);

/* enquire_link, enquire_link_resp, unbind, unbind_resp, generic_nack */
size_t smpp_pdu_header_only(uint8_t *out, size_t cap, uint32_t command_id, uint32_t status,
			    uint32_t seq);
/* deliver_sm_resp; a status libsmpp34 does not know is sent as
 * ESME_RX_T_APPN (so the SMSC tries again later rather than never). */
size_t smpp_pdu_deliver_resp(uint8_t *out, size_t cap, uint32_t seq, uint32_t status);

/* --- reading --- */

/* The message_id of a submit_sm_resp with status 0 (p: the whole PDU).
 * An empty body gives "". false when the body is malformed. */
bool smpp_pdu_submit_resp_id(const uint8_t *p, size_t len, char id[RECEIPT_ID_MAX]);

#define SMPP_TEXT_MAX 4096 /* a 1024-byte message_payload as UTF-8 */

/* A deliver_sm taken apart: a delivery receipt or an inbound message. */
struct smpp_deliver {
	char from[24], to[24]; /* '+' added when the TON is international */
	uint8_t esm_class, data_coding;
	bool is_receipt;
	/* receipt: the id from receipted_message_id, else from the text; the
	 * text's id too when both are present (they may differ in format) */
	char receipt_id[RECEIPT_ID_MAX], text_id[RECEIPT_ID_MAX];
	enum receipt_state state; /* message_state TLV, else the text's stat */
	bool has_err;
	unsigned err;             /* the text's err, else network_error_code */
	/* inbound: decoded text; the receipt's text as printable ASCII */
	char text[SMPP_TEXT_MAX];
	size_t text_len;
	struct sms_concat concat; /* from the UDH, else from the sar_* TLVs */
};

/* Read a deliver_sm (p: the whole PDU, as framed). Returns 0, or the
 * command_status to answer with: ESME_RINVMSGLEN / RINVOPTPARSTREAM /
 * RINVPARLEN / RINVSRCADR / RINVDSTADR for a malformed PDU, ESME_RX_P_APPN
 * for a message whose coding we cannot decode. */
uint32_t smpp_pdu_deliver_read(const uint8_t *p, size_t len, struct smpp_deliver *d);

#endif
