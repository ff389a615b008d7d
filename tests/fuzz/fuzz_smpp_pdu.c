/* libFuzzer target: what an SMSC sends, read as the SMPP engine reads it.
 * The first byte picks the mode:
 *   even: the rest is a byte stream, cut into PDUs by smpp_pdu_frame (the
 *         command_length checks) and each PDU read by its command id
 *         (submit_sm_resp -> smpp_pdu_submit_resp_id, deliver_sm ->
 *         smpp_pdu_deliver_read: the normalising pass, libsmpp34's unpack,
 *         then telling a receipt from an inbound message and decoding it);
 *   odd:  the rest is one PDU body after a header made up here with a
 *         correct command_length, so the fuzzer need not learn framing to
 *         reach the body readers.
 * Every PDU is copied to a buffer of exactly its length so ASan sees any
 * read past it. The receipt text parser and the id keys are fed too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/receipt.h"
#include "jobs/smpp_pdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_pdu(const uint8_t *p, size_t len, uint32_t id)
{
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return;
	memcpy(copy, p, len);
	static struct smpp_deliver d;
	char mid[RECEIPT_ID_MAX];
	if (id == SMPP_SUBMIT_SM_RESP) {
		if (smpp_pdu_submit_resp_id(copy, len, mid)) {
			char keys[RECEIPT_MAX_KEYS][RECEIPT_KEY_MAX];
			size_t nk = receipt_id_keys(mid, keys, RECEIPT_MAX_KEYS);
			for (size_t i = 0; i < nk; i++)
				if (strlen(keys[i]) >= RECEIPT_KEY_MAX)
					abort();
		}
	} else {
		uint32_t st = smpp_pdu_deliver_read(copy, len, &d);
		if (st == 0) {
			/* what the engine hands to the callbacks must be terminated
			 * strings within their fields */
			if (strnlen(d.from, sizeof d.from) == sizeof d.from ||
			    strnlen(d.to, sizeof d.to) == sizeof d.to ||
			    strnlen(d.receipt_id, sizeof d.receipt_id) == sizeof d.receipt_id ||
			    strnlen(d.text, sizeof d.text) > d.text_len || d.text_len >= sizeof d.text)
				abort();
			if (d.is_receipt) {
				char keys[RECEIPT_MAX_KEYS][RECEIPT_KEY_MAX];
				(void)receipt_id_keys(d.receipt_id, keys, RECEIPT_MAX_KEYS);
				(void)receipt_reason_of(d.state, d.has_err, d.err);
			}
		}
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	data++;
	size--;

	/* the receipt text reader on the raw bytes, whatever the mode */
	struct receipt_text t;
	if (receipt_text_parse((const char *)data, size, &t)) {
		char keys[RECEIPT_MAX_KEYS][RECEIPT_KEY_MAX];
		(void)receipt_id_keys(t.id, keys, RECEIPT_MAX_KEYS);
	}

	if (mode & 1) {
		/* one body behind a made-up header: mode bit 1 picks the command */
		size_t len = SMPP_HEADER_LEN + size;
		if (len > SMPP_PDU_MAX)
			return 0;
		uint8_t *p = malloc(len);
		if (!p)
			return 0;
		uint32_t id = (mode & 2) ? SMPP_SUBMIT_SM_RESP : SMPP_DELIVER_SM;
		const uint32_t hdr[4] = {(uint32_t)len, id, 0, 1};
		for (int i = 0; i < 4; i++) {
			p[i * 4] = (uint8_t)(hdr[i] >> 24);
			p[i * 4 + 1] = (uint8_t)(hdr[i] >> 16);
			p[i * 4 + 2] = (uint8_t)(hdr[i] >> 8);
			p[i * 4 + 3] = (uint8_t)hdr[i];
		}
		memcpy(p + SMPP_HEADER_LEN, data, size);
		read_pdu(p, len, id);
		free(p);
		return 0;
	}

	/* a stream, framed as the engine frames it */
	size_t off = 0;
	while (off < size) {
		struct smpp_header h;
		enum smpp_frame f = smpp_pdu_frame(data + off, size - off, &h);
		if (f != SMPP_FRAME_OK)
			break;
		if (h.len < SMPP_HEADER_LEN || h.len > size - off)
			abort(); /* the framing promised a whole PDU */
		if (h.id == SMPP_SUBMIT_SM_RESP || h.id == SMPP_DELIVER_SM)
			read_pdu(data + off, h.len, h.id);
		off += h.len;
	}
	return 0;
}
